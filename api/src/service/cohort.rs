//! Cohort matching for a program (design.md, "Matching"): score every
//! enrolled pair under the program's policy, solve with `optimal` or
//! `stable`, report assignments, unmatched mentees with reasons and blocking
//! pairs; on commit, create the proposals in one transaction and start the
//! program, so a second concurrent commit finds it running (`CONFLICT`).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use domain::matching::{self, Instance, UnmatchedReason};
use domain::mentorship::{MatchState, RequestState};
use domain::program::ProgramStatus;
use domain::scoring::{self, CapacityCheck, LanguageTable, Outcome, ScoreContext};
use sea_orm::{ConnectionTrait, DatabaseConnection};

use super::OspoAdmin;
use super::features::{Names, mentee_features, mentor_features};
use super::scoring::ScoreView;
use crate::db::begin_write;
use crate::error::{ApiError, ApiResult};
use crate::events::{Event, MatchEvent};
use crate::notify::{self, Detail, Notice};
use crate::store::people::{self, Person};
use crate::store::policies::{self, PolicyRecord, Strategy};
use crate::store::{audit, matches, profiles, programs, requests};
use domain::notification::Kind;

pub struct CohortAssignment {
    pub mentee: Person,
    pub mentor: Person,
    pub score: ScoreView,
    pub match_id: Option<String>,
}

pub struct CohortUnmatched {
    pub mentee: Person,
    pub reason: UnmatchedReason,
}

pub struct CohortResult {
    pub strategy: Strategy,
    pub dry_run: bool,
    /// Sum of the assigned pairs' totals (points).
    pub objective: f64,
    pub assignments: Vec<CohortAssignment>,
    pub unmatched: Vec<CohortUnmatched>,
    pub blocking_pairs: u64,
    pub policy_version: i32,
}

/// Scores become integer centi-points for the solvers.
fn centi(total: f64) -> u32 {
    (total * 100.0).round().clamp(0.0, u32::MAX as f64) as u32
}

/// What a commit writes for one assignment.
struct Planned {
    match_id: String,
    request_id: String,
    requested_at: DateTime<Utc>,
    mentee_id: String,
    mentor_id: String,
    total: f64,
    breakdown: String,
}

struct Solved {
    result: CohortResult,
    proposals: Vec<Planned>,
    sla_hours: u32,
}

async fn solve(
    db: &impl ConnectionTrait,
    program_id: &str,
    strategy: Option<Strategy>,
    dry_run: bool,
    policy: Option<PolicyRecord>,
) -> ApiResult<Solved> {
    let program = programs::find(db, program_id)
        .await?
        .ok_or(ApiError::NotFound("program"))?;
    if !program.status.accepts_cohort_matching() {
        return Err(ApiError::Conflict(format!(
            "cohort matching needs an open or matching program; this one is {}",
            program.status
        )));
    }
    let record = match policy {
        Some(record) => record,
        None => policies::in_force(db, Some(program_id)).await?,
    };
    let strategy = strategy.unwrap_or(record.strategy);
    let policy = &record.policy;

    // Index order is id order: the solvers' tie rules compare ids.
    let mut open = requests::open_in_program(db, program_id).await?;
    open.sort_by(|a, b| a.1.cmp(&b.1));
    let mentee_ids: Vec<String> = open.iter().map(|(_, mentee, _)| mentee.clone()).collect();
    let mentor_ids = programs::enrolled(db, program_id, programs::Role::Mentor).await?;
    let mut everyone = mentee_ids.clone();
    everyone.extend(mentor_ids.iter().cloned());
    let people: HashMap<String, Person> = people::find_many(db, &everyone)
        .await?
        .into_iter()
        .map(|p| (p.id.clone(), p))
        .collect();
    let mentor_profiles: HashMap<String, profiles::MentorProfile> =
        profiles::mentors(db, &mentor_ids)
            .await?
            .into_iter()
            .map(|p| (p.person_id.clone(), p))
            .collect();
    let mentee_profiles: HashMap<String, profiles::MenteeProfile> =
        profiles::mentees(db, &mentee_ids)
            .await?
            .into_iter()
            .map(|p| (p.person_id.clone(), p))
            .collect();

    let mut languages = LanguageTable::new();
    let mut mentors = Vec::new();
    let mut capacities = Vec::new();
    for id in &mentor_ids {
        let (Some(person), Some(profile)) = (people.get(id), mentor_profiles.get(id)) else {
            continue;
        };
        if !person.is_active() {
            // Left the company: enrolled once, offered to nobody now.
            continue;
        }
        let features = mentor_features(person, profile)?;
        capacities.push(u32::from(
            profile.capacity.saturating_sub(profile.live_count),
        ));
        mentors.push((
            scoring::CompiledMentor::compile(&features, &mut languages),
            features,
        ));
    }
    let mut mentees = Vec::new();
    for id in &mentee_ids {
        let (Some(person), Some(profile)) = (people.get(id), mentee_profiles.get(id)) else {
            continue;
        };
        let features = mentee_features(person, profile)?;
        let compiled = scoring::CompiledMentee::compile(&features, &languages)
            .map_err(|e| ApiError::Internal(e.into()))?;
        mentees.push((compiled, features));
    }
    // Capacity is the solver's to keep (free seats now), so pairs are
    // scored without it; every other hard constraint applies.
    let ctx = ScoreContext::new(CapacityCheck::Ignore);
    let mut builder = Instance::builder(mentees.len() as u32, capacities);
    // Only the integer totals are kept: breakdowns are recomputed for the
    // assigned pairs, so memory stays O(pairs × 8 bytes) at cohort scale.
    for (e, (mentee, _)) in mentees.iter().enumerate() {
        for (m, (mentor, _)) in mentors.iter().enumerate() {
            if let Outcome::Eligible(score) = scoring::score(mentor, mentee, policy, &ctx) {
                builder.pair(e as u32, m as u32, centi(score.total()));
            }
        }
    }
    let all_pairs = builder.build().map_err(|e| ApiError::Internal(e.into()))?;
    let min = centi(policy.min_score());
    let instance = all_pairs.prune_below(min);
    let assignment = match strategy {
        Strategy::Optimal => matching::optimal(&instance),
        Strategy::Stable => matching::stable(&instance),
    };
    let blocking_pairs = matching::blocking_pairs(&instance, &assignment);
    let reasons = matching::unmatched_reasons(&all_pairs, &assignment, min);

    let names = Names::load(
        db,
        mentors.iter().map(|(_, f)| f),
        mentees.iter().map(|(_, f)| f),
    )
    .await?;
    let mut assignments = Vec::new();
    let mut proposals = Vec::new();
    let mut objective = 0.0;
    let request_of: HashMap<&str, (&str, DateTime<Utc>)> = open
        .iter()
        .map(|(request, mentee, at)| (mentee.as_str(), (request.as_str(), *at)))
        .collect();
    for (e, m) in assignment.pairs() {
        let ((mentor, mentor_f), (mentee, mentee_f)) = (&mentors[m as usize], &mentees[e as usize]);
        let Outcome::Eligible(score) = scoring::score(mentor, mentee, policy, &ctx) else {
            return Err(ApiError::Internal(anyhow::anyhow!(
                "an assigned pair is no longer eligible"
            )));
        };
        let score = &score;
        let explanations = scoring::explain(mentor_f, mentee_f, score, &names);
        let view = ScoreView::from_score(score, explanations, policy.version());
        objective += score.total();
        let (request_id, requested_at) = request_of
            .get(mentee_f.person_id.as_str())
            .map(|(r, at)| (r.to_string(), *at))
            .unwrap_or_default();
        let match_id = (!dry_run).then(people::new_id);
        if let Some(id) = &match_id {
            let breakdown = serde_json::to_string(&view.breakdown_json())
                .map_err(|e| ApiError::Internal(e.into()))?;
            proposals.push(Planned {
                match_id: id.clone(),
                request_id,
                requested_at,
                mentee_id: mentee_f.person_id.clone(),
                mentor_id: mentor_f.person_id.clone(),
                total: score.total(),
                breakdown,
            });
        }
        assignments.push(CohortAssignment {
            mentee: people[&mentee_f.person_id].clone(),
            mentor: people[&mentor_f.person_id].clone(),
            score: view,
            match_id,
        });
    }
    let unmatched = reasons
        .into_iter()
        .map(|(e, reason)| CohortUnmatched {
            mentee: people[&mentees[e as usize].1.person_id].clone(),
            reason,
        })
        .collect();
    // Mentees of open requests without a mentee profile cannot be scored:
    // they are reported as having no allowed pair.
    let mut unmatched: Vec<CohortUnmatched> = unmatched;
    for id in &mentee_ids {
        if !mentee_profiles.contains_key(id)
            && let Some(person) = people.get(id)
        {
            unmatched.push(CohortUnmatched {
                mentee: person.clone(),
                reason: UnmatchedReason::NoAllowedPair,
            });
        }
    }
    Ok(Solved {
        result: CohortResult {
            strategy,
            dry_run,
            objective,
            assignments,
            unmatched,
            blocking_pairs,
            policy_version: policy.version(),
        },
        proposals,
        sla_hours: record.proposal_sla_hours,
    })
}

/// `runCohortMatching` (OSPO only).
pub async fn run(
    state: &crate::app::AppState,
    ospo: OspoAdmin<'_>,
    program_id: &str,
    strategy: Option<Strategy>,
    dry_run: bool,
) -> ApiResult<CohortResult> {
    let db = &state.db;
    if dry_run {
        return Ok(solve(db, program_id, strategy, true, None).await?.result);
    }
    let (txn, _writer) = begin_write(db).await?;
    // The program row lock orders concurrent commits; the second then finds
    // the program running.
    programs::lock(&txn, program_id)
        .await?
        .ok_or(ApiError::NotFound("program"))?;
    let solved = solve(&txn, program_id, strategy, false, None).await?;
    let now = Utc::now();
    let expires_at = now + chrono::Duration::hours(i64::from(solved.sla_hours));
    let request_ids: Vec<String> = solved
        .proposals
        .iter()
        .map(|p| p.request_id.clone())
        .collect();
    // Set-based: a statement per few hundred proposals, not five per
    // proposal, under the same conditions as one proposal's writes.
    let moved = requests::set_states(
        &txn,
        &request_ids,
        RequestState::Open,
        RequestState::Proposed,
        now,
    )
    .await?;
    if moved != request_ids.len() as u64 {
        return Err(ApiError::Conflict(
            "a program request changed meanwhile; run the matching again".into(),
        ));
    }
    let mut seats: Vec<(String, u32)> = Vec::new();
    let mut mentors: Vec<&str> = solved
        .proposals
        .iter()
        .map(|p| p.mentor_id.as_str())
        .collect();
    mentors.sort_unstable();
    for mentor in mentors {
        match seats.last_mut() {
            Some((id, n)) if id == mentor => *n += 1,
            _ => seats.push((mentor.to_owned(), 1)),
        }
    }
    if !matches::take_seats(&txn, &seats).await? {
        return Err(ApiError::Conflict(
            "a mentor's capacity changed meanwhile; run the matching again".into(),
        ));
    }
    let proposals: Vec<matches::NewProposal> = solved
        .proposals
        .iter()
        .map(|p| matches::NewProposal {
            id: p.match_id.clone(),
            request_id: &p.request_id,
            mentor_id: &p.mentor_id,
            mentee_id: &p.mentee_id,
            program_id: Some(program_id),
            score_total: p.total,
            score_breakdown: p.breakdown.clone(),
            policy_version: solved.result.policy_version,
            proposed_at: now,
            expires_at,
            requested_at: p.requested_at,
        })
        .collect();
    matches::insert_proposals(&txn, &proposals).await?;
    let match_events: Vec<MatchEvent> = solved
        .proposals
        .iter()
        .map(|p| MatchEvent {
            match_id: p.match_id.clone(),
            mentor_id: p.mentor_id.clone(),
            mentee_id: p.mentee_id.clone(),
            previous: None,
            state: MatchState::Proposed,
        })
        .collect();
    audit::notify_many(&txn, &match_events).await?;
    let mut goals = requests::goals(&txn, &request_ids).await?;
    let notices: Vec<Notice> = solved
        .proposals
        .iter()
        .map(|p| Notice {
            kind: Kind::ProposalCreated,
            match_id: p.match_id.clone(),
            mentor_id: p.mentor_id.clone(),
            mentee_id: p.mentee_id.clone(),
            detail: Detail {
                goals: goals.remove(p.request_id.as_str()),
                reasons: notify::top_reasons(&p.breakdown, 3),
                expires_at: Some(expires_at),
                ..Detail::default()
            },
        })
        .collect();
    let changes: Vec<audit::Change> = solved
        .proposals
        .iter()
        .flat_map(|p| {
            [
                audit::Change {
                    actor_id: Some(ospo.person_id()),
                    subject: audit::Subject::Request,
                    subject_id: &p.request_id,
                    from: Some("open"),
                    to: "proposed",
                    reason: None,
                    at: now,
                },
                audit::Change {
                    actor_id: Some(ospo.person_id()),
                    subject: audit::Subject::Match,
                    subject_id: &p.match_id,
                    from: None,
                    to: "proposed",
                    reason: None,
                    at: now,
                },
            ]
        })
        .collect();
    audit::write_many(&txn, &changes).await?;
    let mut events: Vec<Event> = match_events.into_iter().map(Event::Match).collect();
    let program = programs::find(&txn, program_id)
        .await?
        .ok_or(ApiError::NotFound("program"))?;
    let running = program
        .status
        .transition(ProgramStatus::Running)
        .map_err(|e| ApiError::Conflict(e.to_string()))?;
    if !programs::set_status(&txn, program_id, program.status, running).await? {
        return Err(ApiError::Conflict("the program changed meanwhile".into()));
    }
    audit::record(
        &txn,
        Some(ospo.person_id()),
        audit::Subject::Program,
        program_id,
        Some(program.status.slug()),
        running.slug(),
    )
    .await?;
    // Live counts moved: the load criterion and capacity checks read them.
    let mentors: Vec<String> = seats.into_iter().map(|(id, _)| id).collect();
    let written = notify::write(&txn, &state.config.notify, now, &notices, &[]).await?;
    matches::publish_load(&txn, &mentors).await?;
    txn.commit().await?;
    events.extend(written.inbox.into_iter().map(Event::Notification));
    state.events.after_commit(db, events);
    state.after_notifying(written.deliveries, &written.unmailed);
    Ok(solved.result)
}

/// A dry run of the cohort under `policy` instead of the policy in force,
/// for previews; writes nothing.
pub async fn dry_run_with(
    db: &DatabaseConnection,
    program_id: &str,
    policy: PolicyRecord,
) -> ApiResult<CohortResult> {
    Ok(solve(db, program_id, None, true, Some(policy))
        .await?
        .result)
}

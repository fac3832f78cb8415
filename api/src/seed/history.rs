//! A realistic history for the demo organisation, so the OSPO's figures
//! show something on the first run: a program running for a year with its
//! requests, proposals declined (with reasons), expired and accepted,
//! mentorships completed or ended early with ratings, milestones including
//! level-ups, and check-ins across the months; plus an open program whose
//! enrolled mentees wait for a cohort run. At benchmark scale (`tandem seed
//! --demo --people N --history`) the same shape, five requests per person.
//!
//! Rows are written in batches straight to the tables (the lifecycle's
//! rules are followed by construction: one unfinished request per mentee
//! and program, one live match per request, seats within capacity), and the
//! mentors' live counts are recomputed from the matches at the end.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use domain::mentorship::{DeclineReason, MilestoneKind};
use domain::scoring::Criterion;
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait, Statement};

use super::Rng;
use crate::store::ROWS_PER_INSERT;
use crate::store::entities::{
    check_in, feedback, mentorship_match, mentorship_request, milestone, program,
    program_enrollment,
};
use crate::store::people::new_id;

/// How far back the history reaches.
const DAYS: i64 = 365;
const SLA_DAYS: i64 = 7;
/// Enrolled in the open program, waiting for its cohort run.
const WAITING_MENTEES: usize = 40;
const WAITING_MENTORS: usize = 15;

pub const RUNNING_PROGRAM: &str = "Open Source Mentoring 2026";
pub const OPEN_PROGRAM: &str = "Spring cohort";

#[derive(Debug, Default, serde::Serialize)]
pub struct Seeded {
    pub requests: usize,
    pub matches: usize,
    pub check_ins: usize,
    pub milestones: usize,
    pub feedback: usize,
}

struct Mentor {
    id: String,
    capacity: u32,
    live: u32,
}

struct Mentee {
    id: String,
    level: i32,
}

/// Rows waiting to be written, flushed parents first.
#[derive(Default)]
struct Rows {
    requests: Vec<mentorship_request::ActiveModel>,
    matches: Vec<mentorship_match::ActiveModel>,
    check_ins: Vec<check_in::ActiveModel>,
    milestones: Vec<milestone::ActiveModel>,
    feedback: Vec<feedback::ActiveModel>,
}

async fn insert_all<E, A>(db: &impl ConnectionTrait, rows: &mut Vec<A>) -> Result<(), DbErr>
where
    E: EntityTrait,
    A: sea_orm::ActiveModelTrait<Entity = E>,
{
    while !rows.is_empty() {
        let chunk: Vec<A> = rows.drain(..rows.len().min(ROWS_PER_INSERT)).collect();
        E::insert_many(chunk).exec_without_returning(db).await?;
    }
    Ok(())
}

impl Rows {
    async fn flush(&mut self, db: &impl ConnectionTrait, seeded: &mut Seeded) -> Result<(), DbErr> {
        seeded.requests += self.requests.len();
        seeded.matches += self.matches.len();
        seeded.check_ins += self.check_ins.len();
        seeded.milestones += self.milestones.len();
        seeded.feedback += self.feedback.len();
        insert_all(db, &mut self.requests).await?;
        insert_all(db, &mut self.matches).await?;
        insert_all(db, &mut self.check_ins).await?;
        insert_all(db, &mut self.milestones).await?;
        insert_all(db, &mut self.feedback).await?;
        Ok(())
    }
}

/// A frozen score of the stored shape, with made-up raw values.
fn breakdown(rng: &mut Rng) -> (f64, String) {
    let weight = 1.0 / Criterion::ALL.len() as f64;
    let components: Vec<serde_json::Value> = Criterion::ALL
        .iter()
        .map(|c| {
            let raw = 0.3 + (rng.below(70) as f64) / 100.0;
            serde_json::json!({ "criterion": c.slug(), "raw": raw, "weight": weight,
                "contribution": raw * weight, "explanation": "seeded history" })
        })
        .collect();
    let total: f64 = components
        .iter()
        .filter_map(|c| c["contribution"].as_f64())
        .sum();
    let json = serde_json::json!({ "total": total, "policyVersion": 1, "components": components });
    (total, json.to_string())
}

fn hours(rng: &mut Rng, low: i64, high: i64) -> Duration {
    Duration::hours(low + rng.below((high - low).max(1) as usize) as i64)
}

struct Writer<'a> {
    rng: Rng,
    now: DateTime<Utc>,
    rows: Rows,
    mentors: &'a mut [Mentor],
}

impl Writer<'_> {
    fn request(
        &mut self,
        mentee: &str,
        program: Option<&str>,
        at: DateTime<Utc>,
        state: &str,
    ) -> String {
        let id = new_id();
        self.rows.requests.push(mentorship_request::ActiveModel {
            id: Set(id.clone()),
            mentee_id: Set(mentee.to_owned()),
            program_id: Set(program.map(str::to_owned)),
            preferred_mentor_id: Set(None),
            goals: Set("Grow in open source: first contributions, then more.".into()),
            state: Set(state.to_owned()),
            created_at: Set(at),
            updated_at: Set(at),
        });
        id
    }

    /// Any mentor; with `seat`, one with a free seat, which is taken.
    fn mentor(&mut self, seat: bool) -> Option<usize> {
        for _ in 0..8 {
            let i = self.rng.below(self.mentors.len());
            let m = &mut self.mentors[i];
            if !seat {
                return Some(i);
            }
            if m.live < m.capacity {
                m.live += 1;
                return Some(i);
            }
        }
        None
    }

    #[allow(clippy::too_many_arguments)]
    fn proposal(
        &mut self,
        (request, requested): &(String, DateTime<Utc>),
        mentee: &str,
        mentor: usize,
        program: Option<&str>,
        state: &str,
        proposed: DateTime<Utc>,
        answered: Option<DateTime<Utc>>,
        finished: Option<DateTime<Utc>>,
    ) -> String {
        let id = new_id();
        let (total, json) = breakdown(&mut self.rng);
        let decline = (state == "declined").then(|| {
            self.rng
                .pick(&[
                    DeclineReason::NoTimeNow,
                    DeclineReason::NoTimeNow,
                    DeclineReason::NotRightExpertise,
                    DeclineReason::AnotherMentorBetter,
                    DeclineReason::Other,
                ])
                .slug()
                .to_owned()
        });
        let end_reason = (state == "ended_early").then(|| {
            (*self
                .rng
                .pick(&["changed teams", "no time left", "goals met early"]))
            .to_owned()
        });
        self.rows.matches.push(mentorship_match::ActiveModel {
            id: Set(id.clone()),
            request_id: Set(request.clone()),
            mentor_id: Set(self.mentors[mentor].id.clone()),
            mentee_id: Set(mentee.to_owned()),
            program_id: Set(program.map(str::to_owned)),
            state: Set(state.to_owned()),
            score_total: Set(total),
            score_breakdown: Set(json),
            policy_version: Set(1),
            proposed_at: Set(proposed),
            expires_at: Set(Some(proposed + Duration::days(SLA_DAYS))),
            updated_at: Set(finished.or(answered).unwrap_or(proposed)),
            decline_reason: Set(decline),
            decline_message: Set(None),
            end_reason: Set(end_reason),
            answered_at: Set(answered),
            finished_at: Set(finished),
            requested_at: Set(Some(*requested)),
            reminders_sent: Set(0),
            next_reminder_at: Set(None),
        });
        id
    }

    /// Check-ins every two to four weeks from `start` until `end`.
    fn check_ins(
        &mut self,
        match_id: &str,
        author: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) {
        let mut at = start + Duration::days(7 + self.rng.below(14) as i64);
        while at < end {
            self.rows.check_ins.push(check_in::ActiveModel {
                id: Set(new_id()),
                match_id: Set(match_id.to_owned()),
                author_id: Set(author.to_owned()),
                held_on: Set(at.date_naive().to_string()),
                minutes: Set(*self.rng.pick(&[30, 45, 45, 60, 90])),
                topics: Set(String::new()),
                notes: Set(Some("seeded".into())),
                created_at: Set(at),
            });
            at += Duration::days(14 + self.rng.below(15) as i64);
        }
    }

    fn milestone(
        &mut self,
        (match_id, program): (&str, Option<&str>),
        mentee: &Mentee,
        by: &str,
        kind: MilestoneKind,
        at: DateTime<Utc>,
    ) {
        let level_up = kind == MilestoneKind::LevelUp;
        self.rows.milestones.push(milestone::ActiveModel {
            id: Set(new_id()),
            match_id: Set(match_id.to_owned()),
            program_id: Set(program.map(str::to_owned)),
            mentee_id: Set(mentee.id.clone()),
            recorded_by: Set(by.to_owned()),
            kind: Set(kind.slug().to_owned()),
            new_level: Set(level_up.then_some((mentee.level + 1).min(5))),
            previous_level: Set(level_up.then_some(mentee.level)),
            note: Set(None),
            created_at: Set(at),
        });
    }

    fn feedback(&mut self, match_id: &str, side: &str, author: &str, at: DateTime<Utc>) {
        self.rows.feedback.push(feedback::ActiveModel {
            match_id: Set(match_id.to_owned()),
            side: Set(side.to_owned()),
            author_id: Set(author.to_owned()),
            rating: Set(*self.rng.pick(&[3, 4, 4, 5, 5, 5, 2])),
            comment: Set(None),
            created_at: Set(at),
        });
    }

    /// One request and what became of it, inside `[start, end)`; the last
    /// request of a mentee may still be under way.
    fn one(
        &mut self,
        mentee: &Mentee,
        program: Option<&str>,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        last: bool,
    ) {
        let created = start + hours(&mut self.rng, 0, ((end - start).num_hours() / 4).max(1));
        let current = last && end >= self.now;
        let roll = self.rng.below(100);
        if roll < 6 {
            self.request(&mentee.id, program, created, "withdrawn");
            return;
        }
        let mut t = created;
        let mut pending = Vec::new();
        if self.rng.chance(20) {
            let answered = t + hours(&mut self.rng, 1, 48);
            pending.push(("declined", t, answered));
            t = answered;
        }
        if self.rng.chance(8) {
            let expired = t + Duration::days(SLA_DAYS);
            pending.push(("expired", t, expired));
            t = expired;
        }
        let proposed = t + hours(&mut self.rng, 0, 24);
        let accepted = proposed + hours(&mut self.rng, 1, 72);
        let room = (end.min(self.now) - accepted).num_days();
        let lasts = Duration::days((30 + self.rng.below(60) as i64).min(room.max(1)));
        let finished = accepted + lasts;
        // Only a mentee's last request may be under way (one unfinished
        // request per mentee and program); the others finished.
        let closable = accepted < finished && finished < self.now;
        let (state, live) = if current {
            if roll < 18 {
                ("open", None)
            } else if roll < 30 && proposed < self.now {
                ("proposed", Some("proposed"))
            } else if (roll < 80 || !closable) && accepted < self.now {
                ("matched", Some("active"))
            } else if closable {
                ("closed", None)
            } else {
                ("open", None)
            }
        } else if closable {
            ("closed", None)
        } else {
            ("withdrawn", None)
        };
        let live_mentor = match live {
            Some(_) => self.mentor(true),
            None => None,
        };
        let (state, live) = match (live, live_mentor) {
            (Some(_), None) => ("open", None),
            other => (state, other.0),
        };
        let request = (self.request(&mentee.id, program, created, state), created);
        for (answer, at, answered) in pending {
            if answered >= self.now {
                continue;
            }
            if let Some(mentor) = self.mentor(false) {
                self.proposal(
                    &request,
                    &mentee.id,
                    mentor,
                    program,
                    answer,
                    at,
                    Some(answered),
                    None,
                );
            }
        }
        match (state, live, live_mentor) {
            ("proposed", _, Some(mentor)) => {
                let at = (self.now - hours(&mut self.rng, 1, 96)).max(created);
                self.proposal(
                    &request, &mentee.id, mentor, program, "proposed", at, None, None,
                );
            }
            ("matched", _, Some(mentor)) => {
                let id = self.proposal(
                    &request,
                    &mentee.id,
                    mentor,
                    program,
                    "active",
                    proposed,
                    Some(accepted),
                    None,
                );
                let mentor_id = self.mentors[mentor].id.clone();
                self.check_ins(&id, &mentor_id, accepted, self.now);
            }
            ("closed", _, _) => {
                let Some(mentor) = self.mentor(false) else {
                    return;
                };
                let ended = if self.rng.chance(80) {
                    "completed"
                } else {
                    "ended_early"
                };
                let id = self.proposal(
                    &request,
                    &mentee.id,
                    mentor,
                    program,
                    ended,
                    proposed,
                    Some(accepted),
                    Some(finished),
                );
                let mentor_id = self.mentors[mentor].id.clone();
                self.check_ins(&id, &mentee.id, accepted, finished);
                let middle = accepted + lasts / 2;
                if self.rng.chance(40) {
                    self.milestone(
                        (&id, program),
                        mentee,
                        &mentee.id,
                        MilestoneKind::FirstContribution,
                        middle,
                    );
                }
                if mentee.level < 5 && self.rng.chance(25) {
                    self.milestone(
                        (&id, program),
                        mentee,
                        &mentor_id,
                        MilestoneKind::LevelUp,
                        finished - Duration::days(1),
                    );
                }
                if self.rng.chance(12) {
                    self.milestone(
                        (&id, program),
                        mentee,
                        &mentee.id,
                        MilestoneKind::TalkGiven,
                        middle,
                    );
                }
                if self.rng.chance(85) {
                    self.feedback(&id, "mentee", &mentee.id, finished);
                }
                if self.rng.chance(70) {
                    self.feedback(&id, "mentor", &mentor_id, finished);
                }
            }
            _ => {}
        }
    }
}

fn day_one(date: NaiveDate) -> NaiveDate {
    date.with_day(1).unwrap_or(date)
}

async fn ids_and(db: &impl ConnectionTrait, sql: &str) -> Result<Vec<(String, i64)>, DbErr> {
    let backend = db.get_database_backend();
    db.query_all_raw(Statement::from_string(backend, sql.to_owned()))
        .await?
        .into_iter()
        .map(|r| Ok((r.try_get_by_index(0)?, r.try_get_by_index(1)?)))
        .collect()
}

/// Seeds `requests` requests of history ending at `now`, a running and an
/// open program, and the enrolments that go with them.
pub async fn seed(
    db: &impl ConnectionTrait,
    requests: usize,
    now: DateTime<Utc>,
    mut progress: impl FnMut(usize, usize),
) -> Result<Seeded, DbErr> {
    let mut mentors: Vec<Mentor> = ids_and(
        db,
        "SELECT person_id, CAST(capacity AS BIGINT) FROM mentor_profile ORDER BY person_id",
    )
    .await?
    .into_iter()
    .map(|(id, capacity)| Mentor {
        id,
        capacity: capacity as u32,
        live: 0,
    })
    .collect();
    let mentees: Vec<Mentee> = ids_and(
        db,
        "SELECT p.id, CAST(p.osmm_level AS BIGINT) FROM mentee_profile m JOIN person p ON p.id = m.person_id ORDER BY p.id",
    )
    .await?
    .into_iter()
    .map(|(id, level)| Mentee {
        id,
        level: level as i32,
    })
    .collect();
    let mut seeded = Seeded::default();
    if mentors.is_empty() || mentees.is_empty() {
        return Ok(seeded);
    }
    let today = now.date_naive();
    let start = now - Duration::days(DAYS);
    let running = new_id();
    let open = new_id();
    for (id, name, starts, ends, status) in [
        (
            &running,
            RUNNING_PROGRAM,
            day_one(start.date_naive()),
            today + Duration::days(180),
            "running",
        ),
        (
            &open,
            OPEN_PROGRAM,
            day_one(today + Duration::days(95)),
            today + Duration::days(280),
            "open",
        ),
    ] {
        program::Entity::insert(program::ActiveModel {
            id: Set(id.clone()),
            name: Set(name.to_owned()),
            description: Set(Some("Seeded with the demo organisation.".into())),
            starts_on: Set(starts.to_string()),
            ends_on: Set(ends.to_string()),
            status: Set(status.to_owned()),
            created_at: Set(start),
            updated_at: Set(start),
        })
        .exec_without_returning(db)
        .await?;
    }
    let mut enrolments: Vec<program_enrollment::ActiveModel> = Vec::new();
    let enrol = |program: &str, person: &str, role: &str| program_enrollment::ActiveModel {
        program_id: Set(program.to_owned()),
        person_id: Set(person.to_owned()),
        role: Set(role.to_owned()),
        enrolled_at: Set(start),
    };
    enrolments.extend(mentors.iter().map(|m| enrol(&running, &m.id, "mentor")));
    enrolments.extend(mentees.iter().map(|m| enrol(&running, &m.id, "mentee")));
    enrolments.extend(
        mentors
            .iter()
            .take(WAITING_MENTORS)
            .map(|m| enrol(&open, &m.id, "mentor")),
    );
    // The demo mentee's requests are all finished, and she does not wait in
    // the open program's cohort, so a newcomer signed in as her can ask for
    // a mentor at once (however few people the demo is seeded with).
    let demo_mentee = crate::store::people::id_by_sub(db, super::MENTEE_SUB).await?;
    let waiting: Vec<_> = mentees
        .iter()
        .rev()
        .filter(|m| demo_mentee.as_deref() != Some(m.id.as_str()))
        .take(WAITING_MENTEES)
        .collect();
    enrolments.extend(waiting.iter().map(|m| enrol(&open, &m.id, "mentee")));
    insert_all(db, &mut enrolments).await?;

    let mut writer = Writer {
        rng: Rng(0x005E_ED0F_2026),
        now,
        rows: Rows::default(),
        mentors: &mut mentors,
    };
    // Each mentee's share of the requests, one after the other in time.
    let per = requests / mentees.len();
    let extra = requests % mentees.len();
    let window = Duration::days(DAYS);
    let mut done = 0;
    for (i, mentee) in mentees.iter().enumerate() {
        let k = per + usize::from(i < extra);
        for j in 0..k {
            let slot_start = start + window * j as i32 / k as i32;
            let slot_end = start + window * (j + 1) as i32 / k as i32;
            // Most mentoring runs in the program; some outside any.
            let program = writer.rng.chance(80).then_some(running.as_str());
            let last = j + 1 == k && demo_mentee.as_deref() != Some(mentee.id.as_str());
            writer.one(mentee, program, slot_start, slot_end, last);
            done += 1;
        }
        if writer.rows.requests.len() >= ROWS_PER_INSERT {
            writer.rows.flush(db, &mut seeded).await?;
            progress(done, requests);
        }
    }
    for mentee in waiting {
        writer.request(&mentee.id, Some(&open), now - Duration::days(3), "open");
    }
    writer.rows.flush(db, &mut seeded).await?;
    progress(requests, requests);
    db.execute_unprepared(
        "UPDATE mentor_profile SET live_count = (SELECT COUNT(*) FROM mentorship_match m \
         WHERE m.mentor_id = mentor_profile.person_id AND m.state IN ('proposed', 'active'))",
    )
    .await?;
    Ok(seeded)
}

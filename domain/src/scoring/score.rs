//! Scoring one compiled pair: the hard constraints, the eight raw values and
//! the weighted total. Owns [`Score`], [`Outcome`] and [`IneligibleReason`];
//! builds no strings (see [`super::explain()`]).

use std::fmt;

use super::features::{CompiledMentee, CompiledMentor, List, PersonKey, UNKNOWN_TZ, sum_of, sums};
use super::policy::{Criterion, Policy, Weights};
use super::rules;

/// Whether the mentor's capacity is a hard constraint for this scoring.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CapacityCheck {
    /// For new proposals and recommendations: a full mentor is ineligible.
    Enforce,
    /// For re-scoring an existing match, which already holds one of the places.
    Ignore,
}

/// What scoring needs to know about the request beyond the two profiles.
#[derive(Clone, Debug, PartialEq)]
pub struct ScoreContext {
    capacity: CapacityCheck,
    declined: Vec<PersonKey>,
}

impl ScoreContext {
    pub fn new(capacity: CapacityCheck) -> Self {
        Self {
            capacity,
            declined: Vec::new(),
        }
    }

    /// Capacity enforced, nobody declined yet.
    pub fn for_proposal() -> Self {
        Self::new(CapacityCheck::Enforce)
    }

    /// Mentors who declined this request or let it expire (design.md: the
    /// cascade never proposes them again).
    pub fn with_declined<S: AsRef<str>>(mut self, mentor_ids: impl IntoIterator<Item = S>) -> Self {
        self.declined
            .extend(mentor_ids.into_iter().map(|id| PersonKey::new(id.as_ref())));
        self
    }

    pub fn capacity(&self) -> CapacityCheck {
        self.capacity
    }

    #[inline]
    fn has_declined(&self, mentor: &PersonKey) -> bool {
        self.declined.iter().any(|k| k.is(mentor))
    }
}

/// Why a pair cannot be matched at all. Checked in the order of the
/// variants, and the first that holds is reported: who the two people are
/// (never changes), then the mentor's state, then this request's history,
/// then the mentee's preference.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IneligibleReason {
    SamePerson,
    MentorManagesMentee,
    MenteeManagesMentor,
    NotAccepting,
    AtCapacity {
        live: u32,
        capacity: u8,
    },
    DeclinedBefore,
    /// Both timezones known and further apart than the mentee allows. An
    /// unknown timezone on either side never excludes: the constraint cannot
    /// be shown to fail, and a mentor who left the field blank should not
    /// vanish from every such list. The timezone criterion scores it
    /// [`rules::UNKNOWN_TIMEZONE_RAW`] instead, and the explanation says so.
    TimezoneTooFar {
        apart_minutes: u32,
        max_hours: u8,
    },
}

impl fmt::Display for IneligibleReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SamePerson => f.write_str("mentor and mentee are the same person"),
            Self::MentorManagesMentee => f.write_str("mentor is the mentee's manager"),
            Self::MenteeManagesMentor => f.write_str("mentee is the mentor's manager"),
            Self::NotAccepting => f.write_str("mentor is not accepting mentees"),
            Self::AtCapacity { live, capacity } => {
                write!(
                    f,
                    "mentor is at capacity ({live} of {capacity} places taken)"
                )
            }
            Self::DeclinedBefore => {
                f.write_str("mentor declined this request or let it expire before")
            }
            Self::TimezoneTooFar {
                apart_minutes,
                max_hours,
            } => {
                write!(
                    f,
                    "timezones are {} apart, more than the {max_hours} h allowed",
                    Hours(*apart_minutes)
                )
            }
        }
    }
}

/// Minutes as "3 h", "3 h 30 min" or "45 min".
pub(crate) struct Hours(pub(crate) u32);

impl fmt::Display for Hours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.0 / 60, self.0 % 60) {
            (0, m) => write!(f, "{m} min"),
            (h, 0) => write!(f, "{h} h"),
            (h, m) => write!(f, "{h} h {m} min"),
        }
    }
}

/// One criterion's part of a score.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Component {
    pub criterion: Criterion,
    /// How well the pair meets the criterion, in [0, 1].
    pub raw: f64,
    /// The policy's weight for the criterion.
    pub weight: f64,
    /// `100 · raw · weight / Σ weights`.
    pub contribution: f64,
}

/// A total in [0, 100] and its eight components, in [`Criterion::ALL`]
/// order, whose contributions add up to the total.
#[derive(Clone, Debug, PartialEq)]
pub struct Score {
    total: f64,
    components: [Component; Criterion::COUNT],
}

impl Score {
    pub fn total(&self) -> f64 {
        self.total
    }

    pub fn components(&self) -> &[Component; Criterion::COUNT] {
        &self.components
    }

    pub fn component(&self, criterion: Criterion) -> &Component {
        &self.components[criterion.index()]
    }

    #[inline]
    pub(crate) fn from_raws(raws: &[f64; Criterion::COUNT], weights: &Weights) -> Self {
        let components = std::array::from_fn(|i| Component {
            criterion: Criterion::ALL[i],
            raw: raws[i],
            weight: weights.as_array()[i],
            contribution: raws[i] * weights.scale()[i],
        });
        Self {
            total: total(raws, weights),
            components,
        }
    }
}

/// The sum of contributions, in criterion order. [`Score::from_raws`] and ranking
/// both call this, so a ranked total and a scored total are the same bits.
/// The clamp only trims rounding: the scales add up to 100 within an ulp.
#[inline(always)]
pub(crate) fn total(raws: &[f64; Criterion::COUNT], weights: &Weights) -> f64 {
    let scale = weights.scale();
    let mut sum = 0.0;
    for i in 0..Criterion::COUNT {
        sum += raws[i] * scale[i];
    }
    sum.clamp(0.0, 100.0)
}

/// A pair's result: not matchable, or a score.
#[derive(Clone, Debug, PartialEq)]
#[expect(
    clippy::large_enum_variant,
    reason = "returned by value per pair in hot loops; boxing the score would allocate per pair"
)]
pub enum Outcome {
    Ineligible(IneligibleReason),
    Eligible(Score),
}

impl Outcome {
    pub fn score(&self) -> Option<&Score> {
        match self {
            Self::Eligible(score) => Some(score),
            Self::Ineligible(_) => None,
        }
    }

    pub fn ineligible_reason(&self) -> Option<IneligibleReason> {
        match self {
            Self::Ineligible(reason) => Some(*reason),
            Self::Eligible(_) => None,
        }
    }
}

/// Scores one pair under `policy` (design.md, "Scoring").
///
/// Raw values, each in [0, 1]:
/// - skills: Σ over wanted skills of priority weight (3, 2, 1 for priority
///   1, 2, 3) × mentor proficiency / 5, over Σ priority weight; 1 when the
///   mentee wants no skill (nothing wanted, nothing missed).
/// - projects, foundations: Σ of the mentor's role credits on the mentee's
///   projects (foundations) of interest, over 10 per interest up to two
///   ([`rules::TIES_FOR_FULL_FIT`]), capped at 1; 1 with no interests.
/// - maturity: [`rules::maturity_fit`].
/// - topics: shared topics over wanted topics; 1 with none wanted.
/// - timezone: shared working hours (9–17 local) over 8 h; 0.5 when either
///   timezone is unknown.
/// - language: 1 when they share a language or the mentee has no
///   preference, else 0.
/// - load: free places over capacity.
///
/// The contribution of each is `100 · raw · w / Σw`, and the total is their
/// sum. More of what a mentor offers (proficiency, a skill, project,
/// foundation, topic or language, a more senior role) never lowers a raw
/// value, so never lowers the total.
///
/// # Example
///
/// Mentee at level 2 aiming at 3 wants skill 0 at priority 1 (weight 3) and
/// skill 1 at priority 3 (weight 1), follows project 7, wants two topics.
/// The mentor has skill 0 at proficiency 4, maintains project 7 (8 of 10),
/// offers one of the topics, is at level 4, 3 hours away, speaks the
/// mentee's language and has 1 of 2 places taken. With the default weights
/// (they add up to 100, so contribution = raw × weight):
///
/// | criterion | raw | weight | contribution |
/// |---|---|---|---|
/// | skills | (3·4/5 + 1·0) / (3 + 1) = 0.6 | 30 | 18 |
/// | projects | 8 / (10 · 1) = 0.8 | 10 | 8 |
/// | foundations | none wanted: 1 | 10 | 10 |
/// | maturity | 4 is in the ideal band 3..=4: 1 | 15 | 15 |
/// | topics | 1 / 2 = 0.5 | 15 | 7.5 |
/// | timezone | (8 h − 3 h) / 8 h = 0.625 | 8 | 5 |
/// | language | 1 | 7 | 7 |
/// | load | 1 / 2 = 0.5 | 5 | 2.5 |
///
/// Total: 18 + 8 + 10 + 15 + 7.5 + 5 + 7 + 2.5 = 73.
///
/// ```
/// use domain::scoring::*;
/// use domain::values::*;
///
/// let mentor = MentorFeatures {
///     person_id: "m".into(),
///     manager_id: None,
///     level: OsmmLevel::try_from(4).unwrap(),
///     capacity: Capacity::try_from(2).unwrap(),
///     live_count: 1,
///     accepting: true,
///     skills: vec![(0, Proficiency::try_from(4).unwrap())],
///     projects: vec![(7, ProjectRole::Maintainer)],
///     foundations: vec![],
///     topics: vec![MentoringTopic::Maintainership],
///     languages: vec!["en".into()],
///     utc_offset_minutes: Some(60),
/// };
/// let mentee = MenteeFeatures {
///     person_id: "e".into(),
///     manager_id: None,
///     level: OsmmLevel::try_from(2).unwrap(),
///     target_level: OsmmLevel::try_from(3).unwrap(),
///     wanted_skills: vec![(0, Priority::try_from(1).unwrap()), (1, Priority::try_from(3).unwrap())],
///     projects: vec![7],
///     foundations: vec![],
///     topics: vec![MentoringTopic::Maintainership, MentoringTopic::PublicSpeaking],
///     max_timezone_diff_hours: Some(4),
///     languages: vec!["en".into()],
///     utc_offset_minutes: Some(-120),
/// };
/// let mut languages = LanguageTable::new();
/// let m = CompiledMentor::compile(&mentor, &mut languages);
/// let e = CompiledMentee::compile(&mentee, &languages).unwrap();
/// let outcome = score(&m, &e, &Policy::default(), &ScoreContext::for_proposal());
///
/// let score = outcome.score().unwrap();
/// let contributions: Vec<f64> = score.components().iter().map(|c| c.contribution).collect();
/// assert_eq!(contributions, [18.0, 8.0, 10.0, 15.0, 7.5, 5.0, 7.0, 2.5]);
/// assert_eq!(score.total(), 73.0);
/// ```
///
/// The hard constraints are checked first, in [`IneligibleReason`]'s order;
/// `ctx` says whether capacity counts and who declined the request before.
///
/// # Complexity
/// O(n) in the mentor's skills, projects, foundations and languages: one
/// table load and a multiply-add each, plus a few word operations.
#[inline]
pub fn score(
    mentor: &CompiledMentor,
    mentee: &CompiledMentee,
    policy: &Policy,
    ctx: &ScoreContext,
) -> Outcome {
    match eligibility(mentor, mentee, ctx) {
        Err(reason) => Outcome::Ineligible(reason),
        Ok(distance) => Outcome::Eligible(Score::from_raws(
            &raw_values(mentor, mentee, distance),
            policy.weights(),
        )),
    }
}

/// The hard constraints, in [`IneligibleReason`]'s order. On success, the
/// clock distance in minutes (`None` when a timezone is unknown), which the
/// timezone criterion reuses.
#[inline(always)]
pub(crate) fn eligibility(
    mentor: &CompiledMentor,
    mentee: &CompiledMentee,
    ctx: &ScoreContext,
) -> Result<Option<u32>, IneligibleReason> {
    let known = mentor.tz != UNKNOWN_TZ && mentee.tz != UNKNOWN_TZ;
    let distance = rules::clock_distance_minutes(mentor.tz, mentee.tz);
    // Every constraint at once, with `|` rather than `||`: one branch per
    // eligible pair. People are compared by hash here; a hash match (rare:
    // a real reporting line, a decline, or a collision) takes the exact,
    // ordered, string-comparing path. Without one, the remaining reasons
    // keep their order below.
    let capacity = mentor.capacity.get();
    let people = (mentor.person_hash == mentee.person.hash)
        | (mentee.manager_hash == mentor.person_hash)
        | (mentor.manager_hash == mentee.person.hash)
        | ctx.declined.iter().any(|k| k.hash == mentor.person_hash);
    let full = ctx.capacity == CapacityCheck::Enforce && mentor.live >= u32::from(capacity);
    let too_far = known & (distance > mentee.max_tz_minutes);
    if people | !mentor.accepting | full | too_far {
        if people {
            exact_eligibility(mentor, mentee, ctx, known.then_some(distance))?;
        } else if !mentor.accepting {
            return Err(IneligibleReason::NotAccepting);
        } else if full {
            return Err(IneligibleReason::AtCapacity {
                live: mentor.live,
                capacity,
            });
        } else {
            let max_hours = (mentee.max_tz_minutes / 60) as u8;
            return Err(IneligibleReason::TimezoneTooFar {
                apart_minutes: distance,
                max_hours,
            });
        }
    }
    Ok(known.then_some(distance))
}

#[cold]
#[inline(never)]
fn exact_eligibility(
    mentor: &CompiledMentor,
    mentee: &CompiledMentee,
    ctx: &ScoreContext,
    distance: Option<u32>,
) -> Result<(), IneligibleReason> {
    if mentor.person.is(&mentee.person) {
        return Err(IneligibleReason::SamePerson);
    }
    if PersonKey::is_opt(mentee.manager.as_ref(), &mentor.person) {
        return Err(IneligibleReason::MentorManagesMentee);
    }
    if PersonKey::is_opt(mentor.manager.as_ref(), &mentee.person) {
        return Err(IneligibleReason::MenteeManagesMentor);
    }
    if !mentor.accepting {
        return Err(IneligibleReason::NotAccepting);
    }
    let capacity = mentor.capacity.get();
    if ctx.capacity == CapacityCheck::Enforce && mentor.live >= u32::from(capacity) {
        return Err(IneligibleReason::AtCapacity {
            live: mentor.live,
            capacity,
        });
    }
    if ctx.has_declined(&mentor.person) {
        return Err(IneligibleReason::DeclinedBefore);
    }
    match distance {
        Some(apart_minutes) if apart_minutes > mentee.max_tz_minutes => {
            let max_hours = (mentee.max_tz_minutes / 60) as u8;
            Err(IneligibleReason::TimezoneTooFar {
                apart_minutes,
                max_hours,
            })
        }
        _ => Ok(()),
    }
}

/// The eight raw values of an eligible pair, in [`Criterion::ALL`] order.
// Always inlined: returned through memory, the eight values are stored as
// scalars and reloaded as pairs by the weighted sum, which stalls store
// forwarding on every pair (measured: top_k ran slower than score).
#[inline(always)]
pub(crate) fn raw_values(
    mentor: &CompiledMentor,
    mentee: &CompiledMentee,
    distance: Option<u32>,
) -> [f64; 8] {
    let sums = sums(&mentor.items, &mentee.table);
    let topics = (mentor.topics & mentee.topics).count_ones();
    let timezone = match distance {
        Some(d) => rules::shared_hours_fraction(rules::shared_working_minutes(d)),
        None => rules::UNKNOWN_TIMEZONE_RAW,
    };
    let language = !mentee.wants_language || sum_of(sums, List::Languages) != 0;
    [
        mentee.skills.of(sum_of(sums, List::Skills)),
        mentee.projects.of(sum_of(sums, List::Projects)),
        mentee.foundations.of(sum_of(sums, List::Foundations)),
        mentee.maturity[usize::from(mentor.level.get())],
        mentee.topics_ratio.of(topics),
        timezone,
        if language { 1.0 } else { 0.0 },
        mentor.load,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::fixtures::{mentee, mentor, outcome, priority, proficiency, scored};
    use crate::values::{Capacity, FoundationRole, MentoringTopic, ProjectRole};

    fn reason(
        m: &crate::scoring::MentorFeatures,
        e: &crate::scoring::MenteeFeatures,
        ctx: &ScoreContext,
    ) -> String {
        match outcome(m, e, &Policy::default(), ctx) {
            Outcome::Ineligible(reason) => reason.to_string(),
            Outcome::Eligible(score) => panic!("unexpectedly eligible: {score:?}"),
        }
    }

    fn raw(score: &Score, criterion: Criterion) -> f64 {
        score.component(criterion).raw
    }

    /// Two different people whose ids hash alike take the exact,
    /// string-comparing path, which must judge them as if they had not.
    #[test]
    fn a_hash_collision_between_two_people_changes_no_verdict() {
        use crate::scoring::features::{CompiledMentee, CompiledMentor, LanguageTable, PersonKey};
        let judge = |m: &crate::scoring::MentorFeatures,
                     e: &crate::scoring::MenteeFeatures,
                     collide: bool| {
            let mut languages = LanguageTable::new();
            let mut m = CompiledMentor::compile(m, &mut languages);
            let e = CompiledMentee::compile(e, &languages).unwrap();
            if collide {
                m.person = PersonKey::with_hash(m.person.as_str(), e.person.hash);
                m.person_hash = e.person.hash;
            }
            score(&m, &e, &Policy::default(), &ScoreContext::for_proposal())
        };
        let mut m = mentor("m");
        m.utc_offset_minutes = Some(60);
        let mut e = mentee("e");
        e.max_timezone_diff_hours = Some(3);
        match (judge(&m, &e, false), judge(&m, &e, true)) {
            (Outcome::Eligible(plain), Outcome::Eligible(collided)) => {
                assert_eq!(plain.total(), collided.total());
            }
            other => panic!("both eligible, an hour apart: {other:?}"),
        }
        m.utc_offset_minutes = Some(180);
        assert!(
            matches!(judge(&m, &e, true), Outcome::Eligible(_)),
            "exactly the mentee's limit apart"
        );
        m.utc_offset_minutes = Some(330);
        match judge(&m, &e, true) {
            Outcome::Ineligible(IneligibleReason::TimezoneTooFar {
                apart_minutes,
                max_hours,
            }) => assert_eq!((apart_minutes, max_hours), (330, 3)),
            other => panic!("too far apart: {other:?}"),
        }
    }

    #[test]
    fn score_is_ineligible_for_the_same_person() {
        let proposal = ScoreContext::for_proposal();
        assert_eq!(
            reason(&mentor("p"), &mentee("p"), &proposal),
            "mentor and mentee are the same person"
        );
    }

    #[test]
    fn score_is_ineligible_along_a_reporting_line_either_way() {
        let proposal = ScoreContext::for_proposal();
        let mut e = mentee("e");
        e.manager_id = Some("m".into());
        assert_eq!(
            reason(&mentor("m"), &e, &proposal),
            "mentor is the mentee's manager"
        );
        let mut m = mentor("m");
        m.manager_id = Some("e".into());
        assert_eq!(
            reason(&m, &mentee("e"), &proposal),
            "mentee is the mentor's manager"
        );
        // Sharing a manager is no reporting line.
        m.manager_id = Some("boss".into());
        e.manager_id = Some("boss".into());
        assert!(
            outcome(&m, &e, &Policy::default(), &proposal)
                .score()
                .is_some()
        );
    }

    #[test]
    fn score_is_ineligible_when_mentor_is_not_accepting() {
        let mut m = mentor("m");
        m.accepting = false;
        assert_eq!(
            reason(&m, &mentee("e"), &ScoreContext::for_proposal()),
            "mentor is not accepting mentees"
        );
    }

    #[test]
    fn capacity_counts_for_proposals_but_not_when_rescoring_a_match() {
        let mut m = mentor("m");
        m.live_count = 2;
        assert_eq!(
            reason(&m, &mentee("e"), &ScoreContext::for_proposal()),
            "mentor is at capacity (2 of 2 places taken)"
        );
        let rescoring = ScoreContext::new(CapacityCheck::Ignore);
        let score = outcome(&m, &mentee("e"), &Policy::default(), &rescoring);
        assert_eq!(score.score().map(|s| raw(s, Criterion::Load)), Some(0.0));
    }

    #[test]
    fn a_mentor_who_declined_the_request_is_never_eligible_for_it_again() {
        let ctx = ScoreContext::for_proposal().with_declined(["x", "m"]);
        assert_eq!(
            reason(&mentor("m"), &mentee("e"), &ctx),
            "mentor declined this request or let it expire before"
        );
        assert!(
            outcome(&mentor("n"), &mentee("e"), &Policy::default(), &ctx)
                .score()
                .is_some()
        );
    }

    #[test]
    fn timezones_further_apart_than_the_mentee_allows_are_ineligible() {
        let mut m = mentor("m");
        m.utc_offset_minutes = Some(330);
        let mut e = mentee("e");
        e.utc_offset_minutes = Some(-120);
        e.max_timezone_diff_hours = Some(7);
        let ctx = ScoreContext::for_proposal();
        assert_eq!(
            reason(&m, &e, &ctx),
            "timezones are 7 h 30 min apart, more than the 7 h allowed"
        );
        e.max_timezone_diff_hours = Some(8);
        // 7 h 30 min apart leaves 30 of 480 minutes shared.
        assert_eq!(raw(&scored(&m, &e), Criterion::Timezone), 0.0625);
    }

    #[test]
    fn an_unknown_timezone_passes_the_limit_and_scores_one_half() {
        let mut m = mentor("m");
        m.utc_offset_minutes = None;
        let mut e = mentee("e");
        e.max_timezone_diff_hours = Some(0);
        assert_eq!(raw(&scored(&m, &e), Criterion::Timezone), 0.5);
        m.utc_offset_minutes = Some(0);
        e.utc_offset_minutes = None;
        assert_eq!(raw(&scored(&m, &e), Criterion::Timezone), 0.5);
    }

    #[test]
    fn the_first_constraint_in_declaration_order_is_reported() {
        let mut m = mentor("p");
        m.accepting = false;
        m.live_count = 5;
        let ctx = ScoreContext::for_proposal().with_declined(["p"]);
        assert_eq!(
            outcome(&m, &mentee("p"), &Policy::default(), &ctx).ineligible_reason(),
            Some(IneligibleReason::SamePerson)
        );
        assert_eq!(
            outcome(&m, &mentee("e"), &Policy::default(), &ctx).ineligible_reason(),
            Some(IneligibleReason::NotAccepting)
        );
        m.accepting = true;
        assert_eq!(
            outcome(&m, &mentee("e"), &Policy::default(), &ctx).ineligible_reason(),
            Some(IneligibleReason::AtCapacity {
                live: 5,
                capacity: 2
            })
        );
    }

    #[test]
    fn skills_credit_each_wanted_skill_by_priority_and_proficiency() {
        let mut e = mentee("e");
        e.wanted_skills = vec![(1, priority(1)), (2, priority(2)), (3, priority(3))];
        let mut m = mentor("m");
        m.skills = vec![
            (1, proficiency(5)),
            (3, proficiency(2)),
            (9, proficiency(5)),
        ];
        // (3·5 + 2·0 + 1·2) / (5 · (3 + 2 + 1)) = 17 / 30
        assert_eq!(raw(&scored(&m, &e), Criterion::Skills), 17.0 / 30.0);
        e.wanted_skills.clear();
        assert_eq!(
            raw(&scored(&m, &e), Criterion::Skills),
            1.0,
            "nothing wanted, nothing missed"
        );
    }

    #[test]
    fn very_long_wish_lists_divide_instead_of_using_the_table() {
        let mut e = mentee("e");
        e.wanted_skills = (0..120).map(|i| (i, priority(1))).collect();
        let mut m = mentor("m");
        m.skills = (0..60).map(|i| (i * 2, proficiency(5))).collect();
        // (60 · 3 · 5) / (120 · 3 · 5)
        assert_eq!(raw(&scored(&m, &e), Criterion::Skills), 0.5);
    }

    #[test]
    fn projects_weigh_roles_and_saturate_at_two_strong_ties() {
        let mut e = mentee("e");
        e.projects = vec![10, 11, 12];
        let mut m = mentor("m");
        m.projects = vec![
            (10, ProjectRole::Lead),
            (11, ProjectRole::Committer),
            (99, ProjectRole::Lead),
        ];
        // (10 + 6) / (10 · 2)
        assert_eq!(raw(&scored(&m, &e), Criterion::Projects), 0.8);
        m.projects.push((12, ProjectRole::Maintainer));
        assert_eq!(raw(&scored(&m, &e), Criterion::Projects), 1.0);
        e.projects = vec![11];
        m.projects = vec![(11, ProjectRole::User)];
        assert_eq!(raw(&scored(&m, &e), Criterion::Projects), 0.2);
    }

    #[test]
    fn foundation_leadership_weighs_more_than_membership() {
        let mut e = mentee("e");
        e.foundations = vec![3];
        let mut m = mentor("m");
        m.foundations = vec![(3, FoundationRole::BoardMember)];
        assert_eq!(raw(&scored(&m, &e), Criterion::Foundations), 1.0);
        m.foundations = vec![(3, FoundationRole::Member)];
        assert_eq!(raw(&scored(&m, &e), Criterion::Foundations), 0.2);
        m.foundations = vec![(4, FoundationRole::BoardMember)];
        assert_eq!(raw(&scored(&m, &e), Criterion::Foundations), 0.0);
    }

    #[test]
    fn topics_language_load_and_maturity_follow_their_rules() {
        let mut e = mentee("e");
        e.topics = vec![MentoringTopic::Standards, MentoringTopic::Compliance];
        e.languages = vec!["fr".into()];
        let mut m = mentor("m");
        m.topics = vec![MentoringTopic::Compliance, MentoringTopic::InnerSource];
        m.capacity = Capacity::try_from(4).unwrap();
        m.level = crate::scoring::fixtures::level(2);
        let score = scored(&m, &e);
        assert_eq!(raw(&score, Criterion::Topics), 0.5);
        assert_eq!(raw(&score, Criterion::Language), 0.0);
        assert_eq!(raw(&score, Criterion::Load), 0.75);
        assert_eq!(
            raw(&score, Criterion::Maturity),
            0.3,
            "one level below the target of 3"
        );
        m.languages.push(" FR".into());
        assert_eq!(raw(&scored(&m, &e), Criterion::Language), 1.0);
    }

    #[test]
    fn weights_are_normalized_so_a_lone_weight_gives_the_whole_100() {
        let mut e = mentee("e");
        e.wanted_skills = vec![(1, priority(1)), (2, priority(1))];
        let mut m = mentor("m");
        m.skills = vec![(1, proficiency(5))];
        let mut weights = [0.0; 8];
        weights[Criterion::Skills.index()] = 3.0;
        let policy = Policy::new(7, Weights::new(weights).unwrap(), 0.0).unwrap();
        let score = outcome(&m, &e, &policy, &ScoreContext::for_proposal())
            .score()
            .cloned()
            .unwrap();
        assert_eq!(score.total(), 50.0);
        assert_eq!(score.component(Criterion::Skills).contribution, 50.0);
        assert_eq!(score.component(Criterion::Skills).weight, 3.0);
        assert!(
            score
                .components()
                .iter()
                .skip(1)
                .all(|c| c.contribution == 0.0 && c.weight == 0.0)
        );
    }

    #[test]
    fn hours_read_naturally() {
        assert_eq!(Hours(0).to_string(), "0 min");
        assert_eq!(Hours(45).to_string(), "45 min");
        assert_eq!(Hours(180).to_string(), "3 h");
        assert_eq!(Hours(210).to_string(), "3 h 30 min");
    }
}

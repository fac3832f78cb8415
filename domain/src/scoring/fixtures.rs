//! Test profiles for the scoring unit tests: a plain mentor and mentee that
//! each test changes in the one way it is about. Test-only.

use super::features::{
    CompiledMentee, CompiledMentor, LanguageTable, MenteeFeatures, MentorFeatures,
};
use super::policy::Policy;
use super::score::{Outcome, Score, ScoreContext, score};
use crate::values::{Capacity, OsmmLevel, Priority, Proficiency};

pub(crate) fn level(n: i64) -> OsmmLevel {
    OsmmLevel::try_from(n).unwrap()
}

pub(crate) fn proficiency(n: i64) -> Proficiency {
    Proficiency::try_from(n).unwrap()
}

pub(crate) fn priority(n: i64) -> Priority {
    Priority::try_from(n).unwrap()
}

/// Level 4, 1 of 2 places taken, accepting, speaks en, at UTC; offers nothing else.
pub(crate) fn mentor(id: &str) -> MentorFeatures {
    MentorFeatures {
        person_id: id.into(),
        manager_id: None,
        level: level(4),
        capacity: Capacity::try_from(2).unwrap(),
        live_count: 1,
        accepting: true,
        skills: vec![],
        projects: vec![],
        foundations: vec![],
        topics: vec![],
        languages: vec!["en".into()],
        utc_offset_minutes: Some(0),
    }
}

/// Level 2 aiming at 3, at UTC, wants nothing in particular.
pub(crate) fn mentee(id: &str) -> MenteeFeatures {
    MenteeFeatures {
        person_id: id.into(),
        manager_id: None,
        level: level(2),
        target_level: level(3),
        wanted_skills: vec![],
        projects: vec![],
        foundations: vec![],
        topics: vec![],
        max_timezone_diff_hours: None,
        languages: vec![],
        utc_offset_minutes: Some(0),
    }
}

pub(crate) fn outcome(
    m: &MentorFeatures,
    e: &MenteeFeatures,
    policy: &Policy,
    ctx: &ScoreContext,
) -> Outcome {
    let mut languages = LanguageTable::new();
    let m = CompiledMentor::compile(m, &mut languages);
    let e = CompiledMentee::compile(e, &languages).unwrap();
    score(&m, &e, policy, ctx)
}

/// The score under default weights for a new proposal; panics when ineligible.
pub(crate) fn scored(m: &MentorFeatures, e: &MenteeFeatures) -> Score {
    match outcome(m, e, &Policy::default(), &ScoreContext::for_proposal()) {
        Outcome::Eligible(score) => score,
        Outcome::Ineligible(reason) => panic!("unexpectedly ineligible: {reason}"),
    }
}

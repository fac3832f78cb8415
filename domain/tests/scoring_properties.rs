//! Properties of `domain::scoring` over random profiles: determinism, sums,
//! bounds, monotonicity in what a mentor offers, the hard constraints
//! against a direct reading of design.md, raw values against a plain
//! reference scorer on the uncompiled features, and `top_k` against
//! score-all-and-sort.
//!
//! Small catalogs and a pool of six person ids make overlaps, reporting
//! lines and equal totals common.

use std::collections::{BTreeMap, BTreeSet};

use domain::scoring::rules;
use domain::scoring::*;
use domain::values::*;
use proptest::prelude::*;
use proptest::sample::select;

const PEOPLE: [&str; 6] = ["p0", "p1", "p2", "p3", "p4", "p5"];
const LANGS: [&str; 4] = ["en", "fr", "de", "pt-br"];
const SKILLS: u32 = 24;
const PROJECTS: u32 = 12;
const FOUNDATIONS: u32 = 6;

fn person() -> impl Strategy<Value = String> {
    select(&PEOPLE[..]).prop_map(String::from)
}

fn offset() -> impl Strategy<Value = Option<i32>> {
    prop_oneof![1 => Just(None), 6 => (-24..=28i32).prop_map(|half_hours| Some(half_hours * 30)), 1 => any::<i32>().prop_map(Some)]
}

fn bounded<T: TryFrom<i64, Error = OutOfRange> + std::fmt::Debug>(
    lo: i64,
    hi: i64,
) -> impl Strategy<Value = T> {
    (lo..=hi).prop_map(|v| T::try_from(v).unwrap())
}

fn topics() -> impl Strategy<Value = Vec<MentoringTopic>> {
    prop::collection::vec(select(MentoringTopic::ALL), 0..5)
}

fn languages() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(select(&LANGS[..]).prop_map(String::from), 0..3)
}

prop_compose! {
    fn mentor()(
        person_id in person(),
        manager_id in prop::option::of(person()),
        level in bounded::<OsmmLevel>(1, 5),
        capacity in bounded::<Capacity>(1, 10),
        live_count in 0..12u32,
        accepting in prop::bool::weighted(0.85),
        skills in prop::collection::vec((0..SKILLS, bounded::<Proficiency>(1, 5)), 0..10),
        projects in prop::collection::vec((0..PROJECTS, select(ProjectRole::ALL)), 0..5),
        foundations in prop::collection::vec((0..FOUNDATIONS, select(FoundationRole::ALL)), 0..4),
        topics in topics(),
        languages in languages(),
        utc_offset_minutes in offset(),
    ) -> MentorFeatures {
        MentorFeatures {
            person_id, manager_id, level, capacity, live_count, accepting, skills, projects,
            foundations, topics, languages, utc_offset_minutes,
        }
    }
}

prop_compose! {
    fn mentee()(
        person_id in person(),
        manager_id in prop::option::of(person()),
        level in bounded::<OsmmLevel>(1, 5),
        target_level in bounded::<OsmmLevel>(1, 5),
        wanted_skills in prop::collection::vec((0..SKILLS, bounded::<Priority>(1, 3)), 0..8),
        projects in prop::collection::vec(0..PROJECTS, 0..5),
        foundations in prop::collection::vec(0..FOUNDATIONS, 0..3),
        topics in topics(),
        // The whole range the API accepts (0–24 hours).
        max_timezone_diff_hours in prop::option::of(0..=24u8),
        languages in languages(),
        utc_offset_minutes in offset(),
    ) -> MenteeFeatures {
        MenteeFeatures {
            person_id, manager_id, level, target_level, wanted_skills, projects, foundations,
            topics, max_timezone_diff_hours, languages, utc_offset_minutes,
        }
    }
}

fn weights() -> impl Strategy<Value = Weights> {
    let one = prop_oneof![1 => Just(0.0), 3 => 0.0..50.0f64, 1 => (0..20u32).prop_map(f64::from)];
    prop::array::uniform8(one).prop_filter_map("all zero", |w| Weights::new(w).ok())
}

fn policy() -> impl Strategy<Value = Policy> {
    (weights(), prop_oneof![Just(0.0), 0.0..=100.0f64])
        .prop_map(|(w, min)| Policy::new(1, w, min).unwrap())
}

#[derive(Clone, Debug)]
struct Ctx {
    enforce_capacity: bool,
    declined: Vec<String>,
}

fn ctx() -> impl Strategy<Value = Ctx> {
    (any::<bool>(), prop::collection::vec(person(), 0..2)).prop_map(
        |(enforce_capacity, declined)| Ctx {
            enforce_capacity,
            declined,
        },
    )
}

impl Ctx {
    fn build(&self) -> ScoreContext {
        let capacity = if self.enforce_capacity {
            CapacityCheck::Enforce
        } else {
            CapacityCheck::Ignore
        };
        ScoreContext::new(capacity).with_declined(&self.declined)
    }
}

fn run(m: &MentorFeatures, e: &MenteeFeatures, policy: &Policy, ctx: &ScoreContext) -> Outcome {
    let mut languages = LanguageTable::new();
    let m = CompiledMentor::compile(m, &mut languages);
    let e = CompiledMentee::compile(e, &languages).unwrap();
    score(&m, &e, policy, ctx)
}

fn clock_distance(a: i32, b: i32) -> u32 {
    let d = (i64::from(a) - i64::from(b)).rem_euclid(1440) as u32;
    d.min(1440 - d)
}

/// design.md's hard constraints read directly off the features, first match wins.
fn expected_reason(m: &MentorFeatures, e: &MenteeFeatures, ctx: &Ctx) -> Option<IneligibleReason> {
    let capacity = m.capacity.get();
    if m.person_id == e.person_id {
        Some(IneligibleReason::SamePerson)
    } else if e.manager_id.as_deref() == Some(m.person_id.as_str()) {
        Some(IneligibleReason::MentorManagesMentee)
    } else if m.manager_id.as_deref() == Some(e.person_id.as_str()) {
        Some(IneligibleReason::MenteeManagesMentor)
    } else if !m.accepting {
        Some(IneligibleReason::NotAccepting)
    } else if ctx.enforce_capacity && m.live_count >= u32::from(capacity) {
        Some(IneligibleReason::AtCapacity {
            live: m.live_count,
            capacity,
        })
    } else if ctx.declined.contains(&m.person_id) {
        Some(IneligibleReason::DeclinedBefore)
    } else {
        match (
            m.utc_offset_minutes,
            e.utc_offset_minutes,
            e.max_timezone_diff_hours,
        ) {
            (Some(a), Some(b), Some(max_hours))
                if clock_distance(a, b) > u32::from(max_hours) * 60 =>
            {
                Some(IneligibleReason::TimezoneTooFar {
                    apart_minutes: clock_distance(a, b),
                    max_hours,
                })
            }
            _ => None,
        }
    }
}

/// The documented raw values, computed the slow and obvious way.
fn reference_raws(m: &MentorFeatures, e: &MenteeFeatures) -> [f64; 8] {
    let ratio = |num: u32, den: u32| {
        if den == 0 {
            1.0
        } else {
            (f64::from(num) / f64::from(den)).min(1.0)
        }
    };
    let mut wanted: BTreeMap<u32, u32> = BTreeMap::new();
    for (i, p) in &e.wanted_skills {
        let w = wanted.entry(*i).or_default();
        *w = (*w).max(rules::priority_weight(*p));
    }
    let mut prof: BTreeMap<u32, u32> = BTreeMap::new();
    for (i, p) in &m.skills {
        let v = prof.entry(*i).or_default();
        *v = (*v).max(u32::from(p.get()));
    }
    let skills_num: u32 = wanted
        .iter()
        .map(|(i, w)| w * prof.get(i).copied().unwrap_or(0))
        .sum();
    let skills_den: u32 = 5 * wanted.values().sum::<u32>();

    let ties = |interests: &[u32], roles: Vec<(u32, u32)>| {
        let interests: BTreeSet<u32> = interests.iter().copied().collect();
        let mut best: BTreeMap<u32, u32> = BTreeMap::new();
        for (i, credit) in roles {
            let v = best.entry(i).or_default();
            *v = (*v).max(credit);
        }
        let num: u32 = best
            .iter()
            .filter(|(i, _)| interests.contains(i))
            .map(|(_, c)| c)
            .sum();
        ratio(num, 10 * interests.len().min(2) as u32)
    };
    let projects = ties(
        &e.projects,
        m.projects
            .iter()
            .map(|(i, r)| (*i, rules::project_role_weight(*r)))
            .collect(),
    );
    let foundations = ties(
        &e.foundations,
        m.foundations
            .iter()
            .map(|(i, r)| (*i, rules::foundation_role_weight(*r)))
            .collect(),
    );
    let wanted_topics: BTreeSet<_> = e.topics.iter().collect();
    let shared_topics = wanted_topics
        .iter()
        .filter(|t| m.topics.contains(t))
        .count() as u32;
    let timezone = match (m.utc_offset_minutes, e.utc_offset_minutes) {
        (Some(a), Some(b)) => f64::from(480u32.saturating_sub(clock_distance(a, b))) / 480.0,
        _ => 0.5,
    };
    let norm = |l: &String| l.trim().to_ascii_lowercase();
    let language = e.languages.is_empty()
        || e.languages
            .iter()
            .any(|l| m.languages.iter().any(|s| norm(s) == norm(l)));
    let cap = u32::from(m.capacity.get());
    [
        ratio(skills_num, skills_den),
        projects,
        foundations,
        rules::maturity_fit(m.level, e.level, e.target_level),
        ratio(shared_topics, wanted_topics.len() as u32),
        timezone,
        if language { 1.0 } else { 0.0 },
        f64::from(cap - m.live_count.min(cap)) / f64::from(cap),
    ]
}

/// One thing more that a mentor could offer.
#[derive(Clone, Debug)]
enum Offer {
    Skill(u32, Proficiency),
    RaiseSkill(usize),
    Project(u32, ProjectRole),
    RaiseProject(usize),
    Foundation(u32, FoundationRole),
    RaiseFoundation(usize),
    Topic(MentoringTopic),
    Language(&'static str),
}

fn offer() -> impl Strategy<Value = Offer> {
    prop_oneof![
        (0..SKILLS, bounded::<Proficiency>(1, 5)).prop_map(|(i, p)| Offer::Skill(i, p)),
        any::<usize>().prop_map(Offer::RaiseSkill),
        (0..PROJECTS, select(ProjectRole::ALL)).prop_map(|(i, r)| Offer::Project(i, r)),
        any::<usize>().prop_map(Offer::RaiseProject),
        (0..FOUNDATIONS, select(FoundationRole::ALL)).prop_map(|(i, r)| Offer::Foundation(i, r)),
        any::<usize>().prop_map(Offer::RaiseFoundation),
        select(MentoringTopic::ALL).prop_map(Offer::Topic),
        select(&LANGS[..]).prop_map(Offer::Language),
    ]
}

fn next<T: Copy + PartialOrd>(all: &[T], current: T) -> T {
    all.iter()
        .copied()
        .find(|v| *v > current)
        .unwrap_or(current)
}

fn apply(m: &MentorFeatures, offer: &Offer) -> MentorFeatures {
    let mut better = m.clone();
    match *offer {
        Offer::Skill(i, p) => better.skills.push((i, p)),
        Offer::RaiseSkill(at) if !m.skills.is_empty() => {
            let (_, p) = &mut better.skills[at % m.skills.len()];
            *p = Proficiency::try_from(i64::from(p.get()) + 1).unwrap_or(*p);
        }
        Offer::Project(i, r) => better.projects.push((i, r)),
        Offer::RaiseProject(at) if !m.projects.is_empty() => {
            let (_, r) = &mut better.projects[at % m.projects.len()];
            *r = next(ProjectRole::ALL, *r);
        }
        Offer::Foundation(i, r) => better.foundations.push((i, r)),
        Offer::RaiseFoundation(at) if !m.foundations.is_empty() => {
            let (_, r) = &mut better.foundations[at % m.foundations.len()];
            *r = next(FoundationRole::ALL, *r);
        }
        Offer::Topic(t) => better.topics.push(t),
        Offer::Language(l) => better.languages.push(l.into()),
        _ => {}
    }
    better
}

fn sorted_reference(
    mentors: &[MentorFeatures],
    e: &MenteeFeatures,
    policy: &Policy,
    ctx: &ScoreContext,
) -> Vec<(usize, f64)> {
    let mut all: Vec<(usize, f64)> = mentors
        .iter()
        .enumerate()
        .filter_map(|(i, m)| run(m, e, policy, ctx).score().map(|s| (i, s.total())))
        .filter(|(_, total)| *total >= policy.min_score())
        .collect();
    all.sort_by(|a, b| {
        b.1.total_cmp(&a.1)
            .then_with(|| mentors[a.0].person_id.cmp(&mentors[b.0].person_id))
            .then(a.0.cmp(&b.0))
    });
    all
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    #[test]
    fn scoring_is_deterministic_and_ignores_input_order(
        m in mentor(), e in mentee(), policy in policy(), ctx in ctx()
    ) {
        let ctx = ctx.build();
        let first = run(&m, &e, &policy, &ctx);
        prop_assert_eq!(&first, &run(&m, &e, &policy, &ctx));
        let (mut m2, mut e2) = (m.clone(), e.clone());
        m2.skills.reverse();
        m2.projects.reverse();
        m2.foundations.reverse();
        m2.topics.reverse();
        m2.languages.reverse();
        e2.wanted_skills.reverse();
        e2.projects.reverse();
        e2.topics.reverse();
        prop_assert_eq!(&first, &run(&m2, &e2, &policy, &ctx));
    }

    #[test]
    fn contributions_add_up_to_a_total_within_0_and_100(
        m in mentor(), e in mentee(), policy in policy()
    ) {
        let outcome = run(&m, &e, &policy, &ScoreContext::new(CapacityCheck::Ignore));
        let Some(score) = outcome.score() else { return Ok(()) };
        prop_assert!((0.0..=100.0).contains(&score.total()), "total {}", score.total());
        let sum: f64 = score.components().iter().map(|c| c.contribution).sum();
        prop_assert!((sum - score.total()).abs() <= 1e-9, "sum {} total {}", sum, score.total());
        let weight_sum: f64 = policy.weights().as_array().iter().sum();
        for (c, criterion) in score.components().iter().zip(Criterion::ALL) {
            prop_assert_eq!(c.criterion, criterion);
            prop_assert!((0.0..=1.0).contains(&c.raw), "{:?}", c);
            prop_assert_eq!(c.weight, policy.weights().get(criterion));
            prop_assert!((c.contribution - 100.0 * c.raw * c.weight / weight_sum).abs() <= 1e-9, "{:?}", c);
            if c.weight == 0.0 {
                prop_assert_eq!(c.contribution, 0.0);
            }
        }
    }

    #[test]
    fn raw_values_match_a_plain_reading_of_the_rules(m in mentor(), e in mentee()) {
        let outcome = run(&m, &e, &Policy::default(), &ScoreContext::new(CapacityCheck::Ignore));
        let Some(score) = outcome.score() else { return Ok(()) };
        let expected = reference_raws(&m, &e);
        for (c, want) in score.components().iter().zip(expected) {
            prop_assert!((c.raw - want).abs() <= 1e-12, "{:?}: got {}, expected {}", c.criterion, c.raw, want);
        }
    }

    #[test]
    fn ineligible_exactly_when_a_hard_constraint_holds(
        m in mentor(), e in mentee(), policy in policy(), ctx in ctx()
    ) {
        let outcome = run(&m, &e, &policy, &ctx.build());
        prop_assert_eq!(outcome.ineligible_reason(), expected_reason(&m, &e, &ctx));
    }

    #[test]
    fn more_of_what_a_mentor_offers_never_lowers_the_score(
        m in mentor(), e in mentee(), policy in policy(), offers in prop::collection::vec(offer(), 1..4)
    ) {
        let ctx = ScoreContext::new(CapacityCheck::Ignore);
        let before = run(&m, &e, &policy, &ctx);
        let better = offers.iter().fold(m.clone(), |m, o| apply(&m, o));
        let after = run(&better, &e, &policy, &ctx);
        prop_assert_eq!(before.ineligible_reason(), after.ineligible_reason());
        if let (Some(b), Some(a)) = (before.score(), after.score()) {
            prop_assert!(a.total() >= b.total(), "{} → {}", b.total(), a.total());
            for (cb, ca) in b.components().iter().zip(a.components()) {
                prop_assert!(ca.raw >= cb.raw, "{:?}: {} → {}", cb.criterion, cb.raw, ca.raw);
            }
        }
    }

    #[test]
    fn wanting_a_skill_the_mentor_masters_never_lowers_the_skills_value(
        m in mentor(), e in mentee(), skill in 0..SKILLS, p in bounded::<Priority>(1, 3)
    ) {
        let ctx = ScoreContext::new(CapacityCheck::Ignore);
        let mut m = m;
        m.skills.push((skill, Proficiency::MAX));
        let before = run(&m, &e, &Policy::default(), &ctx);
        let mut e2 = e.clone();
        e2.wanted_skills.push((skill, p));
        let after = run(&m, &e2, &Policy::default(), &ctx);
        if let (Some(b), Some(a)) = (before.score(), after.score()) {
            let (b, a) = (b.component(Criterion::Skills).raw, a.component(Criterion::Skills).raw);
            prop_assert!(a >= b, "{} → {}", b, a);
        }
    }

    #[test]
    fn top_k_equals_scoring_all_then_sorting_by_total_and_id(
        mentors in prop::collection::vec(mentor(), 0..24),
        e in mentee(),
        policy in policy(),
        ctx in ctx(),
        k in 0..12usize,
    ) {
        let ctx = ctx.build();
        let mut languages = LanguageTable::new();
        let compiled: Vec<CompiledMentor> = mentors.iter().map(|m| CompiledMentor::compile(m, &mut languages)).collect();
        let mentee = CompiledMentee::compile(&e, &languages).unwrap();
        let got = top_k(&compiled, &mentee, &policy, k, &ctx);
        let expected: Vec<(usize, f64)> = sorted_reference(&mentors, &e, &policy, &ctx).into_iter().take(k).collect();
        let got_pairs: Vec<(usize, f64)> = got.iter().map(|(i, s)| (*i, s.total())).collect();
        prop_assert_eq!(&got_pairs, &expected);
        for (i, s) in &got {
            let alone = score(&compiled[*i], &mentee, &policy, &ctx);
            prop_assert_eq!(Some(s), alone.score());
        }
    }

    #[test]
    fn top_k_breaks_equal_totals_by_mentor_id(
        mentors in prop::collection::vec(mentor(), 0..24), e in mentee(), k in 0..12usize
    ) {
        // Only load counts: totals take few values, so ties are the rule.
        let mut w = [0.0; 8];
        w[Criterion::Load.index()] = 1.0;
        let policy = Policy::new(1, Weights::new(w).unwrap(), 0.0).unwrap();
        let ctx = ScoreContext::new(CapacityCheck::Ignore);
        let mut languages = LanguageTable::new();
        let compiled: Vec<CompiledMentor> = mentors.iter().map(|m| CompiledMentor::compile(m, &mut languages)).collect();
        let mentee = CompiledMentee::compile(&e, &languages).unwrap();
        let got: Vec<usize> = top_k(&compiled, &mentee, &policy, k, &ctx).into_iter().map(|(i, _)| i).collect();
        let expected: Vec<usize> = sorted_reference(&mentors, &e, &policy, &ctx).into_iter().take(k).map(|(i, _)| i).collect();
        prop_assert_eq!(got, expected);
    }
}

#[test]
fn mentee_indexes_past_the_limit_are_refused() {
    let e = MenteeFeatures {
        person_id: "e".into(),
        manager_id: None,
        level: OsmmLevel::MIN,
        target_level: OsmmLevel::MAX,
        wanted_skills: vec![],
        projects: vec![CompiledMentee::INDEX_LIMIT],
        foundations: vec![],
        topics: vec![],
        max_timezone_diff_hours: None,
        languages: vec![],
        utc_offset_minutes: None,
    };
    let err = CompiledMentee::compile(&e, &LanguageTable::new()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "project index must be below 65536, got 65536"
    );
}

/// Every limit the API accepts (0–24 hours) against every pair of half-hour
/// offsets from UTC−12 to UTC+14: ineligible exactly when the clocks are
/// further apart than the limit, the wrap past midnight included.
#[test]
fn timezone_limits_hold_over_the_whole_allowed_range() {
    let mentor = |offset: i32| MentorFeatures {
        person_id: "m".into(),
        manager_id: None,
        level: OsmmLevel::MAX,
        capacity: Capacity::MAX,
        live_count: 0,
        accepting: true,
        skills: vec![],
        projects: vec![],
        foundations: vec![],
        topics: vec![],
        languages: vec![],
        utc_offset_minutes: Some(offset),
    };
    let mentee = |offset: i32, max: u8| MenteeFeatures {
        person_id: "e".into(),
        manager_id: None,
        level: OsmmLevel::MIN,
        target_level: OsmmLevel::MAX,
        wanted_skills: vec![],
        projects: vec![],
        foundations: vec![],
        topics: vec![],
        max_timezone_diff_hours: Some(max),
        languages: vec![],
        utc_offset_minutes: Some(offset),
    };
    let policy = Policy::default();
    let ctx = ScoreContext::for_proposal();
    let offsets: Vec<i32> = (-24..=28).map(|half_hours| half_hours * 30).collect();
    let mut checked = 0;
    for max in 0..=24u8 {
        for &a in &offsets {
            let mut languages = LanguageTable::new();
            let compiled = CompiledMentor::compile(&mentor(a), &mut languages);
            for &b in &offsets {
                let e = CompiledMentee::compile(&mentee(b, max), &languages).unwrap();
                let apart = clock_distance(a, b);
                let too_far = apart > u32::from(max) * 60;
                match score(&compiled, &e, &policy, &ctx) {
                    Outcome::Ineligible(IneligibleReason::TimezoneTooFar {
                        apart_minutes,
                        max_hours,
                    }) => {
                        assert!(too_far, "{a} vs {b} refused at max {max}");
                        assert_eq!((apart_minutes, max_hours), (apart, max));
                    }
                    Outcome::Ineligible(other) => panic!("{a} vs {b}: unexpected {other:?}"),
                    Outcome::Eligible(_) => assert!(!too_far, "{a} vs {b} allowed at max {max}"),
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 25 * 53 * 53);
}

//! Cohort matching checked from outside: known answers worked by hand,
//! property tests against brute force and greedy, cross-checks with
//! `pathfinding::kuhn_munkres`, and the CSV files' round trip and errors.

use domain::matching::csv::{
    CsvFile, CsvProblem, read_cohort, write_assignment, write_capacities, write_scores,
};
use domain::matching::generate::{Kind, SplitMix64, generate};
use domain::matching::{
    Assignment, Instance, UnmatchedReason, blocking_pairs, is_feasible, optimal, stable,
    unmatched_reasons,
};
use pathfinding::prelude::{Matrix, kuhn_munkres};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

fn instance(mentees: u32, capacities: &[u32], pairs: &[(u32, u32, u32)]) -> Instance {
    let mut b = Instance::builder(mentees, capacities.to_vec());
    for &(e, m, s) in pairs {
        b.pair(e, m, s);
    }
    b.build().unwrap()
}

// ---------------------------------------------------------------- known answers

#[test]
fn optimal_trades_a_blocking_pair_for_a_higher_total_and_stable_does_not() {
    // Mentors 0 and 1 have one seat each. Mentee 0 scores 10 with mentor 0
    // and 9 with mentor 1; mentee 1 can only go to mentor 0, at 9.
    // Stable: both propose to mentor 0, which keeps mentee 0 (10 > 9); mentee
    // 1 has nowhere else to go. Total 10, no blocking pair.
    // Optimal: mentee 0 → mentor 1 (9) and mentee 1 → mentor 0 (9), total 18,
    // but mentee 0 and mentor 0 both prefer each other: one blocking pair.
    let inst = instance(2, &[1, 1], &[(0, 0, 10), (0, 1, 9), (1, 0, 9)]);
    let best = optimal(&inst);
    assert_eq!(best.as_slice(), &[Some(1), Some(0)]);
    assert_eq!(
        (best.objective(&inst), blocking_pairs(&inst, &best)),
        (18, 1)
    );
    let fair = stable(&inst);
    assert_eq!(fair.as_slice(), &[Some(0), None]);
    assert_eq!(
        (fair.objective(&inst), blocking_pairs(&inst, &fair)),
        (10, 0)
    );
}

#[test]
fn a_mentor_with_two_seats_takes_the_two_best_and_the_third_waits() {
    // One mentor with capacity 2 and scores 5, 7, 6: both strategies keep 7
    // and 6 (total 13); mentee 0 is unmatched because the mentor is full.
    let inst = instance(3, &[2], &[(0, 0, 5), (1, 0, 7), (2, 0, 6)]);
    for got in [optimal(&inst), stable(&inst)] {
        assert_eq!(got.as_slice(), &[None, Some(0), Some(0)]);
        assert_eq!(got.objective(&inst), 13);
        assert_eq!(
            unmatched_reasons(&inst, &got, 0),
            vec![(0, UnmatchedReason::MentorsFull)]
        );
    }
}

#[test]
fn optimal_uses_a_zero_score_pair_when_it_costs_nothing() {
    // Mentee 0 scores 0 with mentor 0; mentee 1 scores 4 with mentor 1.
    // Leaving mentee 0 unmatched gives the same total (4), but among equal
    // totals optimal matches the most mentees.
    let inst = instance(2, &[1, 1], &[(0, 0, 0), (1, 1, 4)]);
    let got = optimal(&inst);
    assert_eq!(got.as_slice(), &[Some(0), Some(1)]);
    assert_eq!((got.objective(&inst), got.matched_count()), (4, 2));
}

#[test]
fn optimal_prefers_more_matches_only_among_equal_totals() {
    // Mentor 0 (one seat): mentee 0 scores 5, mentee 1 scores 3; mentee 1
    // also scores 2 with mentor 1. 0→0 + 1→1 = 7 beats 1→0 alone (3).
    // And with mentor 1 gone, 0→0 (5) beats any two-match answer: there is none.
    let inst = instance(2, &[1, 1], &[(0, 0, 5), (1, 0, 3), (1, 1, 2)]);
    assert_eq!(optimal(&inst).as_slice(), &[Some(0), Some(1)]);
    let inst = instance(2, &[1, 0], &[(0, 0, 5), (1, 0, 3), (1, 1, 2)]);
    let got = optimal(&inst);
    assert_eq!(got.as_slice(), &[Some(0), None]);
    assert!(is_feasible(&inst, &got));
}

#[test]
fn stable_breaks_equal_scores_by_lower_index_on_both_sides() {
    // Every pair scores 5 and each mentor has one seat: mentee 0 takes mentor
    // 0 (lower mentor index) and keeps it (lower mentee index); mentee 1 gets
    // mentor 1, mentee 2 stays unmatched.
    let pairs: Vec<_> = (0..3)
        .flat_map(|e| (0..2).map(move |m| (e, m, 5)))
        .collect();
    let inst = instance(3, &[1, 1], &pairs);
    assert_eq!(stable(&inst).as_slice(), &[Some(0), Some(1), None]);
}

#[test]
fn unmatched_reasons_tell_no_pair_from_below_minimum_from_full_from_left_out() {
    // Mentor 0 has one seat, held by mentee 0 (score 9). Mentee 1 only has
    // mentor 0 (full). Mentee 2 only scores 2 with mentor 1, below the
    // minimum 5. Mentee 3 has no pair. Mentee 4 could take mentor 1's free
    // seat at 5 (the minimum itself is allowed) but the hand-made assignment
    // leaves it out.
    let inst = instance(5, &[1, 1], &[(0, 0, 9), (1, 0, 8), (2, 1, 2), (4, 1, 5)]);
    let hand = Assignment::new(vec![Some(0), None, None, None, None]);
    assert!(is_feasible(&inst, &hand));
    assert_eq!(
        unmatched_reasons(&inst, &hand, 5),
        vec![
            (1, UnmatchedReason::MentorsFull),
            (2, UnmatchedReason::BelowMinimumScore),
            (3, UnmatchedReason::NoAllowedPair),
            (4, UnmatchedReason::LeftOut),
        ]
    );
    let pruned_best = optimal(&inst.prune_below(5));
    assert_eq!(
        pruned_best.as_slice(),
        &[Some(0), None, None, None, Some(1)]
    );
}

#[test]
fn feasibility_rejects_unknown_pairs_and_overfull_mentors() {
    let inst = instance(2, &[1, 1], &[(0, 0, 1), (1, 0, 1)]);
    assert!(!is_feasible(
        &inst,
        &Assignment::new(vec![Some(0), Some(0)])
    ));
    assert!(!is_feasible(&inst, &Assignment::new(vec![Some(1), None])));
    assert!(!is_feasible(&inst, &Assignment::new(vec![Some(0)])));
    assert!(is_feasible(&inst, &Assignment::new(vec![None, Some(0)])));
}

#[test]
fn empty_cohorts_solve_to_nothing() {
    let inst = instance(0, &[], &[]);
    assert_eq!(optimal(&inst).matched_count(), 0);
    let inst = instance(3, &[2], &[]);
    assert_eq!(optimal(&inst).as_slice(), &[None, None, None]);
    assert_eq!(stable(&inst).as_slice(), &[None, None, None]);
}

// ---------------------------------------------------------------- references

/// Best (total, matched) over every feasible assignment, by depth-first search.
fn brute_force(inst: &Instance) -> (i64, usize) {
    fn go(
        inst: &Instance,
        e: u32,
        left: &mut Vec<u32>,
        total: i64,
        matched: usize,
        best: &mut (i64, usize),
    ) {
        if e == inst.mentees() {
            *best = (*best).max((total, matched));
            return;
        }
        go(inst, e + 1, left, total, matched, best);
        let (ms, ss) = inst.pairs_of(e);
        for (&m, &s) in ms.iter().zip(ss) {
            if left[m as usize] > 0 {
                left[m as usize] -= 1;
                go(inst, e + 1, left, total + i64::from(s), matched + 1, best);
                left[m as usize] += 1;
            }
        }
    }
    let mut best = (0, 0);
    go(inst, 0, &mut inst.capacities().to_vec(), 0, 0, &mut best);
    best
}

/// Pairs by (score desc, mentee asc, mentor asc), each taken while both sides
/// are free: the unique stable matching under the index tie rules.
fn greedy(inst: &Instance) -> Assignment {
    let mut pairs: Vec<(u32, u32, u32)> = (0..inst.mentees())
        .flat_map(|e| {
            let (ms, ss) = inst.pairs_of(e);
            ms.iter()
                .zip(ss)
                .map(move |(&m, &s)| (s, e, m))
                .collect::<Vec<_>>()
        })
        .collect();
    pairs.sort_by_key(|&(s, e, m)| (std::cmp::Reverse(s), e, m));
    let mut left = inst.capacities().to_vec();
    let mut mentor_of = vec![None; inst.mentees() as usize];
    for (_, e, m) in pairs {
        if mentor_of[e as usize].is_none() && left[m as usize] > 0 {
            left[m as usize] -= 1;
            mentor_of[e as usize] = Some(m);
        }
    }
    Assignment::new(mentor_of)
}

/// Blocking pairs straight from the definition.
fn brute_force_blocking(inst: &Instance, asg: &Assignment) -> u64 {
    let rank = |s: u32, idx: u32| (s, std::cmp::Reverse(idx));
    let mut count = 0;
    for e in 0..inst.mentees() {
        let (ms, ss) = inst.pairs_of(e);
        for (&m, &s) in ms.iter().zip(ss) {
            let mentee_wants = match asg.mentor_of(e) {
                None => true,
                Some(p) => rank(s, m) > rank(inst.score(e, p).unwrap(), p),
            };
            let holders: Vec<u32> = asg
                .pairs()
                .filter(|&(_, x)| x == m)
                .map(|(h, _)| h)
                .collect();
            let mentor_wants = (holders.len() as u32) < inst.capacities()[m as usize]
                || holders
                    .iter()
                    .any(|&h| rank(inst.score(h, m).unwrap(), h) < rank(s, e));
            if mentee_wants && mentor_wants {
                count += 1;
            }
        }
    }
    count
}

/// A feasible assignment picked by `choices`: each mentee in turn takes the
/// allowed mentor its choice points at if it has a seat, or none.
fn some_feasible(inst: &Instance, choices: &[u32]) -> Assignment {
    let mut left = inst.capacities().to_vec();
    let mentor_of = (0..inst.mentees())
        .map(|e| {
            let (ms, _) = inst.pairs_of(e);
            let pick = choices[e as usize] as usize % (ms.len() + 1);
            let m = *ms.get(pick)?;
            (left[m as usize] > 0).then(|| {
                left[m as usize] -= 1;
                m
            })
        })
        .collect();
    Assignment::new(mentor_of)
}

/// Maximum total through the slot-expanded matrix: a column per seat plus a
/// zero column per mentee for "unmatched"; forbidden pairs weigh so little
/// that a zero column always beats them.
fn kuhn_munkres_optimum(inst: &Instance) -> i64 {
    const FORBIDDEN: i64 = -1_000_000_000;
    let seats: Vec<u32> = (0..inst.mentors())
        .flat_map(|m| std::iter::repeat_n(m, inst.capacities()[m as usize] as usize))
        .collect();
    let rows = inst.mentees() as usize;
    let columns = seats.len() + rows;
    let weights = Matrix::from_fn(rows, columns, |(e, c)| match seats.get(c) {
        Some(&m) => inst.score(e as u32, m).map_or(FORBIDDEN, i64::from),
        None => 0,
    });
    kuhn_munkres(&weights).0
}

fn permuted(inst: &Instance, mentee_to: &[u32], mentor_to: &[u32]) -> Instance {
    let mut caps = vec![0; mentor_to.len()];
    for (m, &to) in mentor_to.iter().enumerate() {
        caps[to as usize] = inst.capacities()[m];
    }
    let mut b = Instance::builder(inst.mentees(), caps);
    for e in 0..inst.mentees() {
        let (ms, ss) = inst.pairs_of(e);
        for (&m, &s) in ms.iter().zip(ss) {
            b.pair(mentee_to[e as usize], mentor_to[m as usize], s);
        }
    }
    b.build().unwrap()
}

// ---------------------------------------------------------------- properties

/// Up to 7 mentees and 4 mentors with capacities 1–3, each pair allowed with
/// probability 0.6, scores 0–`top` where `top` is 2 (ties everywhere) or 20.
fn small_instance() -> impl Strategy<Value = Instance> {
    (0u32..=7, 1u32..=4, prop_oneof![Just(2u32), Just(20u32)]).prop_flat_map(|(e, m, top)| {
        let caps = proptest::collection::vec(1u32..=3, m as usize);
        let cells =
            proptest::collection::vec(proptest::option::weighted(0.6, 0..=top), (e * m) as usize);
        (Just(e), caps, cells).prop_map(move |(e, caps, cells)| {
            let mut b = Instance::builder(e, caps);
            for (i, cell) in cells.into_iter().enumerate() {
                if let Some(s) = cell {
                    b.pair(i as u32 / m, i as u32 % m, s);
                }
            }
            b.build().unwrap()
        })
    })
}

/// Like [`small_instance`], but capacities may be 0 (a mentor already full
/// with mentees from elsewhere, as a cohort run sees them).
fn instance_with_full_mentors() -> impl Strategy<Value = Instance> {
    (0u32..=6, 1u32..=4, prop_oneof![Just(2u32), Just(20u32)]).prop_flat_map(|(e, m, top)| {
        let caps = proptest::collection::vec(0u32..=2, m as usize);
        let cells =
            proptest::collection::vec(proptest::option::weighted(0.6, 0..=top), (e * m) as usize);
        (Just(e), caps, cells).prop_map(move |(e, caps, cells)| {
            let mut b = Instance::builder(e, caps);
            for (i, cell) in cells.into_iter().enumerate() {
                if let Some(s) = cell {
                    b.pair(i as u32 / m, i as u32 % m, s);
                }
            }
            b.build().unwrap()
        })
    })
}

/// The reason design.md gives for an unmatched mentee, from the definitions:
/// no pair at all; every pair below the minimum; every pair at or above the
/// minimum with a mentor whose seats are all held.
fn reason_by_definition(
    all: &Instance,
    assignment: &Assignment,
    e: u32,
    min: u32,
) -> UnmatchedReason {
    let (ms, ss) = all.pairs_of(e);
    if ms.is_empty() {
        return UnmatchedReason::NoAllowedPair;
    }
    if ss.iter().all(|&s| s < min) {
        return UnmatchedReason::BelowMinimumScore;
    }
    let held = |m: u32| assignment.pairs().filter(|&(_, x)| x == m).count() as u32;
    let full = ms
        .iter()
        .zip(ss)
        .filter(|&(_, &s)| s >= min)
        .all(|(&m, _)| held(m) >= all.capacities()[m as usize]);
    if full {
        UnmatchedReason::MentorsFull
    } else {
        UnmatchedReason::LeftOut
    }
}

fn permutation(n: usize) -> impl Strategy<Value = Vec<u32>> {
    Just((0..n as u32).collect::<Vec<_>>()).prop_shuffle()
}

proptest! {
    // Regressions live in domain/proptest-regressions/ (cargo runs tests from
    // the package directory), where the project keeps and commits them.
    #![proptest_config(ProptestConfig {
        cases: 3000,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct("proptest-regressions/matching.txt"))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn optimal_is_feasible_exact_and_never_below_stable(inst in small_instance()) {
        let best = optimal(&inst);
        prop_assert!(is_feasible(&inst, &best), "infeasible: {best:?}");
        let (total, matched) = brute_force(&inst);
        prop_assert_eq!(best.objective(&inst), total);
        prop_assert_eq!(best.matched_count(), matched, "most matches among the best totals");
        prop_assert!(best.objective(&inst) >= stable(&inst).objective(&inst));
    }

    #[test]
    fn full_mentors_take_nobody_and_both_strategies_stay_exact(inst in instance_with_full_mentors()) {
        let best = optimal(&inst);
        prop_assert!(is_feasible(&inst, &best));
        let (total, matched) = brute_force(&inst);
        prop_assert_eq!(best.objective(&inst), total);
        prop_assert_eq!(best.matched_count(), matched);
        let fair = stable(&inst);
        prop_assert!(is_feasible(&inst, &fair));
        prop_assert_eq!(blocking_pairs(&inst, &fair), 0);
        prop_assert_eq!(&fair, &greedy(&inst));
        for (_, m) in best.pairs().chain(fair.pairs()) {
            prop_assert!(inst.capacities()[m as usize] > 0, "a full mentor got a mentee");
        }
    }

    #[test]
    fn unmatched_reasons_follow_their_definitions(
        all in instance_with_full_mentors(),
        min in 0u32..=20,
    ) {
        let pruned = all.prune_below(min);
        for assignment in [optimal(&pruned), stable(&pruned)] {
            let reasons = unmatched_reasons(&all, &assignment, min);
            let unmatched: Vec<u32> = (0..all.mentees())
                .filter(|&e| assignment.mentor_of(e).is_none())
                .collect();
            prop_assert_eq!(
                reasons.iter().map(|(e, _)| *e).collect::<Vec<_>>(),
                unmatched.clone(),
                "each unmatched mentee once, in order, and nobody else"
            );
            for (e, reason) in reasons {
                prop_assert_eq!(reason, reason_by_definition(&all, &assignment, e, min));
                // Both strategies are maximal: nobody is left out beside a free seat.
                prop_assert_ne!(reason, UnmatchedReason::LeftOut);
            }
        }
    }

    #[test]
    fn stable_is_the_greedy_matching_and_has_no_blocking_pair(inst in small_instance()) {
        let fair = stable(&inst);
        prop_assert!(is_feasible(&inst, &fair));
        prop_assert_eq!(blocking_pairs(&inst, &fair), 0);
        prop_assert_eq!(&fair, &greedy(&inst));
    }

    #[test]
    fn relabeling_does_not_change_the_optimal_total(
        (inst, mentee_to, mentor_to) in small_instance().prop_flat_map(|inst| {
            let (e, m) = (inst.mentees() as usize, inst.mentors() as usize);
            (Just(inst), permutation(e), permutation(m))
        })
    ) {
        let shuffled = permuted(&inst, &mentee_to, &mentor_to);
        prop_assert_eq!(optimal(&shuffled).objective(&shuffled), optimal(&inst).objective(&inst));
    }

    #[test]
    fn blocking_pairs_match_the_definition(
        inst in small_instance(),
        choices in proptest::collection::vec(0u32..8, 7),
    ) {
        prop_assert_eq!(blocking_pairs(&inst, &greedy(&inst)), 0);
        let any = some_feasible(&inst, &choices);
        prop_assert!(is_feasible(&inst, &any));
        prop_assert_eq!(blocking_pairs(&inst, &any), brute_force_blocking(&inst, &any));
        let best = optimal(&inst);
        prop_assert_eq!(blocking_pairs(&inst, &best), brute_force_blocking(&inst, &best));
    }
}

// ---------------------------------------------------------------- medium cross-checks

/// 60 mentees × 20 mentors, capacities 1–3, about a third of the pairs
/// allowed, scores 0–`top`.
fn medium(seed: u64, top: u32) -> Instance {
    let mut rng = SplitMix64::new(seed);
    let caps: Vec<u32> = (0..20).map(|_| 1 + rng.below(3)).collect();
    let mut b = Instance::builder(60, caps);
    for e in 0..60 {
        for m in 0..20 {
            if rng.below(3) == 0 {
                b.pair(e, m, rng.below(top + 1));
            }
        }
    }
    b.build().unwrap()
}

#[test]
fn optimal_equals_kuhn_munkres_on_medium_cohorts() {
    for seed in 0..300 {
        let top = [5, 100, 10_000][seed as usize % 3];
        let inst = medium(seed, top);
        let best = optimal(&inst);
        assert!(is_feasible(&inst, &best), "seed {seed}");
        assert_eq!(
            best.objective(&inst),
            kuhn_munkres_optimum(&inst),
            "seed {seed}"
        );
        assert!(
            best.objective(&inst) >= stable(&inst).objective(&inst),
            "seed {seed}"
        );
    }
}

#[test]
fn optimal_equals_kuhn_munkres_on_generated_cohorts() {
    for seed in 0..40 {
        for kind in [Kind::Uniform, Kind::Structured] {
            let inst = generate(kind, 80, 30, 12, seed).instance;
            assert_eq!(
                optimal(&inst).objective(&inst),
                kuhn_munkres_optimum(&inst),
                "{kind:?} seed {seed}"
            );
            let fair = stable(&inst);
            assert_eq!(blocking_pairs(&inst, &fair), 0);
            assert_eq!(fair, greedy(&inst));
        }
    }
}

#[test]
fn structured_cohorts_make_optimal_and_stable_differ() {
    let inst = generate(Kind::Structured, 1_000, 300, 200, 1).instance;
    let (best, fair) = (optimal(&inst), stable(&inst));
    assert!(best.objective(&inst) > fair.objective(&inst));
    assert!(blocking_pairs(&inst, &best) > 0);
    assert_eq!(blocking_pairs(&inst, &fair), 0);
}

// ---------------------------------------------------------------- files

fn read(
    caps: &str,
    scores: &str,
) -> Result<domain::matching::csv::Cohort, domain::matching::csv::CsvError> {
    read_cohort(caps.as_bytes(), scores.as_bytes(), &mut |_| {})
}

#[test]
fn ids_keep_their_spelling_and_index_order_is_id_order() {
    let cohort = read(
        "mentor,capacity\nm10,1\nm2,2\nm007,1\n",
        "mentee,mentor,score\nbob,m2,30\nalice,m10,20\nbob,m007,10\n",
    )
    .unwrap();
    assert_eq!(cohort.mentor_ids, ["m007", "m10", "m2"]);
    assert_eq!(cohort.mentee_ids, ["alice", "bob"]);
    assert_eq!(cohort.instance.capacities(), &[1, 1, 2]);
    assert_eq!(cohort.instance.score(1, 0), Some(10));
    assert_eq!(cohort.instance.score(0, 1), Some(20));
}

#[test]
fn written_files_read_back_to_the_same_cohort_whatever_the_row_order() {
    let cohort = generate(Kind::Structured, 40, 12, 6, 3);
    let (mut caps, mut scores) = (Vec::new(), Vec::new());
    write_capacities(&mut caps, &cohort).unwrap();
    write_scores(&mut scores, &cohort).unwrap();
    let mut reported = 0;
    let back = read_cohort(&caps[..], &scores[..], &mut |b| reported = b).unwrap();
    assert_eq!(back, cohort);
    assert_eq!(reported, (caps.len() + scores.len()) as u64);

    // Shuffled rows (and a tiny read buffer, so lines straddle refills) give
    // the same indices, hence the same pairs.
    let text = String::from_utf8(scores).unwrap();
    let mut rows: Vec<&str> = text.lines().skip(1).collect();
    let mut rng = SplitMix64::new(9);
    for i in (1..rows.len()).rev() {
        rows.swap(i, rng.below(i as u32 + 1) as usize);
    }
    let shuffled = format!("mentee,mentor,score\n{}\n", rows.join("\n"));
    let reader = std::io::BufReader::with_capacity(7, shuffled.as_bytes());
    let again = read_cohort(&caps[..], reader, &mut |_| {}).unwrap();
    assert_eq!(again, cohort);
    assert_eq!(optimal(&again.instance), optimal(&cohort.instance));
}

#[test]
fn the_assignment_file_lists_matched_pairs_with_ids_and_scores() {
    let cohort = read(
        "mentor,capacity\nm1,1\n",
        "mentee,mentor,score\ne2,m1,40\ne1,m1,30\n",
    )
    .unwrap();
    let mut out = Vec::new();
    write_assignment(&mut out, &cohort, &optimal(&cohort.instance)).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "mentee,mentor,score\ne2,m1,40\n"
    );
}

#[track_caller]
fn assert_fails(
    caps: &str,
    scores: &str,
    file: CsvFile,
    line: u64,
    problem: fn(&CsvProblem) -> bool,
) {
    match read(caps, scores) {
        Ok(_) => panic!("expected an error in the {file} at line {line}"),
        Err(e) => {
            assert_eq!((e.file, e.line), (file, line), "{e}");
            assert!(problem(&e.problem), "{e}");
        }
    }
}

const CAPS: &str = "mentor,capacity\nm1,1\nm2,2\n";
const SCORES: &str = "mentee,mentor,score\n";

#[test]
fn file_errors_read_as_one_sentence() {
    let e = read("mentor,capacity\nm1,0\n", SCORES).unwrap_err();
    assert_eq!(
        e.to_string(),
        "capacities file, line 2: the capacity must be a positive integer, got \"0\""
    );
    let e = read(CAPS, "mentee,mentor,score\ne1,m9,3\n").unwrap_err();
    assert_eq!(
        e.to_string(),
        "scores file, line 2: mentor \"m9\" is not in the capacities file"
    );
}

#[test]
fn file_errors_name_the_file_the_line_and_the_problem() {
    use CsvFile::{Capacities, Scores};
    assert_fails("", SCORES, Capacities, 1, |p| {
        matches!(p, CsvProblem::Empty { .. })
    });
    assert_fails(CAPS, "", Scores, 1, |p| {
        matches!(p, CsvProblem::Empty { .. })
    });
    assert_fails("mentor,cap\n", SCORES, Capacities, 1, |p| {
        matches!(p, CsvProblem::BadHeader { .. })
    });
    assert_fails(CAPS, "mentee,mentor\n", Scores, 1, |p| {
        matches!(p, CsvProblem::BadHeader { .. })
    });
    assert_fails("mentor,capacity\nm1\n", SCORES, Capacities, 2, |p| {
        matches!(
            p,
            CsvProblem::ColumnCount {
                expected: 2,
                found: 1
            }
        )
    });
    assert_fails("mentor,capacity\nm1,0\n", SCORES, Capacities, 2, |p| {
        matches!(p, CsvProblem::BadCapacity { .. })
    });
    assert_fails("mentor,capacity\nm1,-2\n", SCORES, Capacities, 2, |p| {
        matches!(p, CsvProblem::BadCapacity { .. })
    });
    assert_fails(
        "mentor,capacity\nm1,1\nm1,2\n",
        SCORES,
        Capacities,
        3,
        |p| matches!(p, CsvProblem::DuplicateMentor { id } if id == "m1"),
    );
    assert_fails("mentor,capacity\n,1\n", SCORES, Capacities, 2, |p| {
        matches!(p, CsvProblem::EmptyId)
    });
    let scores = |rows: &str| format!("{SCORES}e1,m1,5\n{rows}");
    assert_fails(CAPS, &scores("e1,m2,5,9\n"), Scores, 3, |p| {
        matches!(
            p,
            CsvProblem::ColumnCount {
                expected: 3,
                found: 4
            }
        )
    });
    assert_fails(CAPS, &scores("e1,m2,-1\n"), Scores, 3, |p| {
        matches!(p, CsvProblem::BadScore { .. })
    });
    assert_fails(CAPS, &scores("e1,m2,2.5\n"), Scores, 3, |p| {
        matches!(p, CsvProblem::BadScore { .. })
    });
    assert_fails(
        CAPS,
        &scores("e2,m9,1\n"),
        Scores,
        3,
        |p| matches!(p, CsvProblem::UnknownMentor { id } if id == "m9"),
    );
    assert_fails(
        CAPS,
        &scores("e0,m2,1\ne1,m1,7\n"),
        Scores,
        4,
        |p| matches!(p, CsvProblem::DuplicatePair { mentee, mentor } if mentee == "e1" && mentor == "m1"),
    );
    // Further down, where a line number computed any other way would differ.
    assert_fails(
        CAPS,
        &scores("e0,m2,1\ne2,m1,3\ne0,m2,7\n"),
        Scores,
        5,
        |p| matches!(p, CsvProblem::DuplicatePair { mentee, mentor } if mentee == "e0" && mentor == "m2"),
    );
    assert_fails(CAPS, &scores("\n"), Scores, 3, |p| {
        matches!(p, CsvProblem::ColumnCount { .. })
    });
}

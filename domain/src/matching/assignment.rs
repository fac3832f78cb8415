//! A solver's answer and the checks run on any answer: feasibility, objective,
//! blocking pairs (what `optimal` trades away, design.md "Matching") and why
//! each unmatched mentee stayed unmatched. Never solves anything itself.

use super::Instance;

/// One mentor (or none) per mentee, indexed by mentee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    mentor_of: Vec<Option<u32>>,
}

impl Assignment {
    pub fn new(mentor_of: Vec<Option<u32>>) -> Self {
        Self { mentor_of }
    }

    pub fn mentor_of(&self, mentee: u32) -> Option<u32> {
        self.mentor_of[mentee as usize]
    }

    pub fn as_slice(&self) -> &[Option<u32>] {
        &self.mentor_of
    }

    /// `(mentee, mentor)` for every matched mentee, by mentee index.
    pub fn pairs(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.mentor_of
            .iter()
            .enumerate()
            .filter_map(|(e, m)| m.map(|m| (e as u32, m)))
    }

    pub fn matched_count(&self) -> usize {
        self.mentor_of.iter().filter(|m| m.is_some()).count()
    }

    /// Sum of the scores of the assigned pairs. A pair the instance does not
    /// allow counts 0 ([`is_feasible`] reports it).
    pub fn objective(&self, instance: &Instance) -> i64 {
        self.pairs()
            .map(|(e, m)| i64::from(instance.score(e, m).unwrap_or(0)))
            .sum()
    }
}

/// Every mentee has at most one mentor, through an allowed pair, and no
/// mentor holds more mentees than its capacity.
pub fn is_feasible(instance: &Instance, assignment: &Assignment) -> bool {
    if assignment.mentor_of.len() != instance.mentees() as usize {
        return false;
    }
    let mut held = vec![0u32; instance.mentors() as usize];
    for (e, m) in assignment.pairs() {
        if m >= instance.mentors() || instance.score(e, m).is_none() {
            return false;
        }
        held[m as usize] += 1;
    }
    held.iter().zip(instance.capacities()).all(|(h, c)| h <= c)
}

/// How a mentor ranks a mentee, higher is better: higher score, then lower
/// mentee index (design.md: "a mentor the lower mentee id").
pub(crate) fn mentor_rank(score: u32, mentee: u32) -> u64 {
    (u64::from(score) << 32) | u64::from(u32::MAX - mentee)
}

/// How a mentee ranks a mentor, higher is better: higher score, then lower
/// mentor index.
pub(crate) fn mentee_rank(score: u32, mentor: u32) -> u64 {
    (u64::from(score) << 32) | u64::from(u32::MAX - mentor)
}

/// Counts allowed pairs `(e, m)` where both would rather have each other:
/// `e` prefers `m` to its mentor (an unmatched mentee prefers any allowed
/// mentor) and `m` has a free seat or prefers `e` to its worst held mentee.
/// Ties follow the index rules of [`super::stable`]. The assignment is taken
/// as given; pairs it holds that the instance does not allow make that
/// mentee count as unmatched.
///
/// # Complexity
/// O(P + E log d): one pass over the P pairs, after finding each mentee's
/// current score by binary search.
pub fn blocking_pairs(instance: &Instance, assignment: &Assignment) -> u64 {
    let mentors = instance.mentors() as usize;
    let mut held = vec![0u32; mentors];
    // u64::MAX stands for "no mentee held", so any rank is better.
    let mut worst = vec![u64::MAX; mentors];
    for (e, m) in assignment.pairs() {
        if let Some(s) = instance.score(e, m) {
            held[m as usize] += 1;
            let w = &mut worst[m as usize];
            *w = (*w).min(mentor_rank(s, e));
        }
    }
    let mut count = 0u64;
    for e in 0..instance.mentees() {
        let current = assignment
            .mentor_of(e)
            .and_then(|m| instance.score(e, m).map(|s| mentee_rank(s, m)));
        let (ms, ss) = instance.pairs_of(e);
        for (&m, &s) in ms.iter().zip(ss) {
            if current.is_some_and(|c| mentee_rank(s, m) <= c) {
                continue;
            }
            let j = m as usize;
            if held[j] < instance.capacities()[j] || (held[j] > 0 && mentor_rank(s, e) > worst[j]) {
                count += 1;
            }
        }
    }
    count
}

/// Why a mentee got no mentor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnmatchedReason {
    /// The mentee has no allowed pair at all.
    NoAllowedPair,
    /// Every allowed pair scores below the minimum score.
    BelowMinimumScore,
    /// Every allowed mentor at or above the minimum is at capacity with others.
    MentorsFull,
    /// Some allowed mentor at or above the minimum has a free seat. Never the
    /// case for [`super::optimal`] or [`super::stable`] results, whose
    /// mentees take a free acceptable seat; possible for a hand-made
    /// assignment.
    LeftOut,
}

/// The reason for each unmatched mentee, by mentee index. `instance` is the
/// cohort before pruning, so that pairs below `min_score` can be told apart
/// from no pairs at all; a pruned instance with `min_score = 0` also works but
/// then reports `NoAllowedPair` for mentees whose pairs were all pruned.
///
/// # Complexity
/// O(E + M + P) for P pairs.
pub fn unmatched_reasons(
    instance: &Instance,
    assignment: &Assignment,
    min_score: u32,
) -> Vec<(u32, UnmatchedReason)> {
    let mut held = vec![0u32; instance.mentors() as usize];
    for (_, m) in assignment.pairs() {
        if let Some(h) = held.get_mut(m as usize) {
            *h += 1;
        }
    }
    let caps = instance.capacities();
    let mut reasons = Vec::new();
    for e in 0..instance.mentees() {
        if assignment.mentor_of(e).is_some() {
            continue;
        }
        let (ms, ss) = instance.pairs_of(e);
        let reason = if ms.is_empty() {
            UnmatchedReason::NoAllowedPair
        } else if ss.iter().all(|&s| s < min_score) {
            UnmatchedReason::BelowMinimumScore
        } else if ms
            .iter()
            .zip(ss)
            .all(|(&m, &s)| s < min_score || held[m as usize] >= caps[m as usize])
        {
            UnmatchedReason::MentorsFull
        } else {
            UnmatchedReason::LeftOut
        };
        reasons.push((e, reason));
    }
    reasons
}

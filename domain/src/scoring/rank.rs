//! Recommendations: the best k eligible mentors for one mentee (design.md,
//! "Matching → Recommendations"). Scores every candidate without building
//! components or explanations and keeps only the k best in a bounded heap.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::features::{CompiledMentee, CompiledMentor};
use super::policy::Policy;
use super::score::{Score, ScoreContext, eligibility, raw_values, total};

/// A candidate in the heap: `a < b` when `a` ranks before `b`, so the top of
/// the max-heap is the worst kept candidate, the one to drop.
struct Candidate<'a> {
    total: f64,
    id: &'a str,
    index: usize,
}

impl Ord for Candidate<'_> {
    /// Higher total first, then the lower mentor id (as strings), then the
    /// lower position, which only matters if the caller passed one id twice.
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .total
            .total_cmp(&self.total)
            .then_with(|| self.id.cmp(other.id))
            .then(self.index.cmp(&other.index))
    }
}

impl PartialOrd for Candidate<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Candidate<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Candidate<'_> {}

/// The `k` best eligible mentors with a total ≥ `policy.min_score()`, best
/// first, as (position in `mentors`, score). Ties go to the lower mentor id
/// (compared as strings), so the result is deterministic. The same as
/// scoring all, filtering, sorting by (total descending, id) and taking k.
///
/// # Complexity
/// O(n log k) for n mentors, O(k) memory; full scores are built for the k
/// winners only.
pub fn top_k(
    mentors: &[CompiledMentor],
    mentee: &CompiledMentee,
    policy: &Policy,
    k: usize,
    ctx: &ScoreContext,
) -> Vec<(usize, Score)> {
    if k == 0 {
        return Vec::new();
    }
    let (weights, min_score) = (policy.weights(), policy.min_score());
    let mut heap: BinaryHeap<Candidate<'_>> = BinaryHeap::with_capacity(k.min(mentors.len()));
    for (index, mentor) in mentors.iter().enumerate() {
        let Ok(distance) = eligibility(mentor, mentee, ctx) else {
            continue;
        };
        let total = total(&raw_values(mentor, mentee, distance), weights);
        if total < min_score {
            continue;
        }
        let candidate = Candidate {
            total,
            id: mentor.person_id(),
            index,
        };
        if heap.len() < k {
            heap.push(candidate);
        } else if let Some(mut worst) = heap.peek_mut() {
            // Most candidates lose to the current k-th on total alone; the
            // comparison reaches the id strings only on equal totals.
            if candidate < *worst {
                *worst = candidate; // sifted down when `worst` drops
            }
        }
    }
    heap.into_sorted_vec()
        .into_iter()
        .filter_map(|c| {
            let mentor = &mentors[c.index];
            let distance = eligibility(mentor, mentee, ctx).ok()?;
            Some((
                c.index,
                Score::from_raws(&raw_values(mentor, mentee, distance), weights),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::fixtures::{mentee, mentor};
    use crate::scoring::{CapacityCheck, LanguageTable, Weights};

    #[test]
    fn top_k_ranks_by_total_then_id_and_drops_what_is_below_the_minimum() {
        // Only load counts: capacity 2, live 0, 1 and 2 give 100, 50 and 0.
        let mut w = [0.0; 8];
        w[crate::scoring::Criterion::Load.index()] = 1.0;
        let policy = Policy::new(3, Weights::new(w).unwrap(), 50.0).unwrap();
        let profiles = [("d", 1), ("b", 0), ("c", 1), ("a", 2), ("e", 0)].map(|(id, live)| {
            let mut m = mentor(id);
            m.live_count = live;
            m
        });
        let mut languages = LanguageTable::new();
        let mentors: Vec<CompiledMentor> = profiles
            .iter()
            .map(|m| CompiledMentor::compile(m, &mut languages))
            .collect();
        let e = CompiledMentee::compile(&mentee("z"), &languages).unwrap();
        let ctx = ScoreContext::new(CapacityCheck::Ignore).with_declined(["e"]);

        let ranked: Vec<(usize, f64)> = top_k(&mentors, &e, &policy, 10, &ctx)
            .iter()
            .map(|(i, s)| (*i, s.total()))
            .collect();
        // b (100), then c and d (50) by id; a (0) is below the minimum, e declined.
        assert_eq!(ranked, [(1, 100.0), (2, 50.0), (0, 50.0)]);
        let two: Vec<usize> = top_k(&mentors, &e, &policy, 2, &ctx)
            .iter()
            .map(|(i, _)| *i)
            .collect();
        assert_eq!(two, [1, 2]);
        assert!(top_k(&mentors, &e, &policy, 0, &ctx).is_empty());
        assert_eq!(top_k(&mentors, &e, &policy, usize::MAX, &ctx).len(), 3);
    }
}

//! The `stable` strategy: mentee-proposing deferred acceptance with
//! capacities (Gale & Shapley; Roth's college admissions). Reads the
//! [`Instance`] in place; never looks at totals.

use super::assignment::{mentee_rank, mentor_rank};
use super::{Assignment, Instance};

/// Proposals a mentee makes by rescanning its list before its remaining
/// choices are sorted once. Most mentees are held by one of their first few
/// choices, so most lists are never sorted.
const SCANS_BEFORE_SORT: u32 = 4;

/// The mentee-optimal stable matching: no allowed pair `(e, m)` where `e`
/// prefers `m` to its mentor (or is unmatched) and `m` has a free seat or
/// prefers `e` to a mentee it holds.
///
/// A mentee prefers the higher score, then the lower mentor index; a mentor
/// prefers the higher score, then the lower mentee index; pairs not in the
/// instance are unacceptable. Preferences are strict, so the stable matching
/// is unique and equals the greedy one over pairs by (score desc, mentee asc,
/// mentor asc).
///
/// # Complexity
/// O(P + R·log c) for R proposals in the common case; a mentee rejected
/// more than a few times sorts its list once, O(d log d). Memory: a min-heap
/// per mentor of its held mentees (8 bytes a seat), plus 8 bytes per pair of
/// the mentees whose lists got sorted.
pub fn stable(instance: &Instance) -> Assignment {
    let caps = instance.capacities();
    let mut heap_start = Vec::with_capacity(caps.len() + 1);
    let mut seats = 0usize;
    for &c in caps {
        heap_start.push(seats);
        seats += c as usize;
    }
    heap_start.push(seats);
    // Per mentor, a min-heap of `mentor_rank`s: the root is the mentee it
    // would give up first.
    let mut heap = vec![0u64; seats];
    let mut heap_len = vec![0u32; caps.len()];
    let mut choices = Choices::new(instance);
    let mut free: Vec<u32> = (0..instance.mentees()).rev().collect();
    while let Some(mut e) = free.pop() {
        while let Some((m, score)) = choices.next(e) {
            let j = m as usize;
            let seats_of = &mut heap[heap_start[j]..heap_start[j + 1]];
            let len = heap_len[j] as usize;
            let rank = mentor_rank(score, e);
            if len < seats_of.len() {
                push(seats_of, len, rank);
                heap_len[j] += 1;
                break;
            }
            if len > 0 && rank > seats_of[0] {
                let displaced = u32::MAX - (seats_of[0] as u32);
                seats_of[0] = rank;
                sift_down(&mut seats_of[..len], 0);
                e = displaced;
            }
        }
    }
    let mut mentor_of = vec![None; instance.mentees() as usize];
    for m in 0..caps.len() {
        for &rank in &heap[heap_start[m]..heap_start[m] + heap_len[m] as usize] {
            mentor_of[(u32::MAX - rank as u32) as usize] = Some(m as u32);
        }
    }
    Assignment::new(mentor_of)
}

/// Each mentee's next choice, best first.
struct Choices<'a> {
    instance: &'a Instance,
    proposals: Vec<u32>,
    /// `mentee_rank` of the last proposal: the next one is the best below it.
    last: Vec<u64>,
    /// Remaining choices, ascending by rank (popped from the end), once sorted.
    sorted: Vec<Vec<u64>>,
}

impl<'a> Choices<'a> {
    fn new(instance: &'a Instance) -> Self {
        let e = instance.mentees() as usize;
        Self {
            instance,
            proposals: vec![0; e],
            last: vec![u64::MAX; e],
            sorted: vec![Vec::new(); e],
        }
    }

    fn next(&mut self, e: u32) -> Option<(u32, u32)> {
        let i = e as usize;
        let (ms, ss) = self.instance.pairs_of(e);
        let rank = if self.proposals[i] < SCANS_BEFORE_SORT {
            let last = self.last[i];
            ms.iter()
                .zip(ss)
                .map(|(&m, &s)| mentee_rank(s, m))
                .filter(|&r| r < last)
                .max()
        } else {
            if self.proposals[i] == SCANS_BEFORE_SORT {
                let last = self.last[i];
                let rest = &mut self.sorted[i];
                rest.extend(
                    ms.iter()
                        .zip(ss)
                        .map(|(&m, &s)| mentee_rank(s, m))
                        .filter(|&r| r < last),
                );
                rest.sort_unstable();
            }
            self.sorted[i].pop()
        }?;
        self.proposals[i] += 1;
        self.last[i] = rank;
        Some((u32::MAX - rank as u32, (rank >> 32) as u32))
    }
}

fn push(heap: &mut [u64], len: usize, rank: u64) {
    let mut at = len;
    heap[at] = rank;
    while at > 0 {
        let parent = (at - 1) / 2;
        if heap[parent] <= heap[at] {
            break;
        }
        heap.swap(parent, at);
        at = parent;
    }
}

fn sift_down(heap: &mut [u64], mut at: usize) {
    loop {
        let (l, r) = (2 * at + 1, 2 * at + 2);
        let mut smallest = at;
        if l < heap.len() && heap[l] < heap[smallest] {
            smallest = l;
        }
        if r < heap.len() && heap[r] < heap[smallest] {
            smallest = r;
        }
        if smallest == at {
            return;
        }
        heap.swap(smallest, at);
        at = smallest;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mentor_keeps_the_higher_scoring_mentee_and_the_other_moves_on() {
        // Mentor 0 has one seat and both mentees rank it first. It scores
        // mentee 1 higher (9 > 8), so mentee 0 is displaced to mentor 1.
        let mut b = Instance::builder(2, vec![1, 1]);
        b.pair(0, 0, 8).pair(0, 1, 3).pair(1, 0, 9).pair(1, 1, 2);
        let got = stable(&b.build().unwrap());
        assert_eq!(got.as_slice(), &[Some(1), Some(0)]);
    }

    #[test]
    fn equal_scores_go_to_the_lower_index_on_both_sides() {
        // Everything scores 5: mentee 0 proposes to mentor 0 (lower index) and
        // mentor 0 prefers mentee 0 over mentee 1, who then takes mentor 1.
        let mut b = Instance::builder(2, vec![1, 1]);
        b.pair(1, 0, 5).pair(1, 1, 5).pair(0, 0, 5).pair(0, 1, 5);
        let got = stable(&b.build().unwrap());
        assert_eq!(got.as_slice(), &[Some(0), Some(1)]);
    }

    /// `push` keeps every seat at or above its parent, whatever the order
    /// of arrival: the root must stay the mentee given up first.
    #[test]
    fn push_keeps_the_heap_ordered() {
        fn orders(rest: &mut Vec<u64>, taken: &mut Vec<u64>, each: &mut dyn FnMut(&[u64])) {
            if rest.is_empty() {
                each(taken);
            }
            for i in 0..rest.len() {
                let x = rest.remove(i);
                taken.push(x);
                orders(rest, taken, each);
                taken.pop();
                rest.insert(i, x);
            }
        }
        let mut seen = 0;
        orders(&mut (0..7).collect(), &mut Vec::new(), &mut |order| {
            let mut heap = vec![0u64; order.len()];
            for (len, &rank) in order.iter().enumerate() {
                push(&mut heap, len, rank);
                for at in 1..=len {
                    assert!(heap[(at - 1) / 2] <= heap[at], "{order:?} gave {heap:?}");
                }
            }
            seen += 1;
        });
        assert_eq!(seen, 5040);
    }
}

//! The cohort-matching input: mentee count, mentor capacities and the allowed
//! pairs with their scores, in a compact CSR layout by mentee. Owns validation
//! of that input; knows nothing of ids, files or solvers.
//!
//! Index order is id order: the caller sorts mentees and mentors by their
//! string ids before building, and every tie rule in [`super`] compares
//! indices.

/// Why an [`Instance`] could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InstanceError {
    #[error("pair {row}: mentee {mentee} is out of range (there are {mentees} mentees)")]
    MenteeOutOfRange {
        row: usize,
        mentee: u32,
        mentees: u32,
    },
    #[error("pair {row}: mentor {mentor} is out of range (there are {mentors} mentors)")]
    MentorOutOfRange {
        row: usize,
        mentor: u32,
        mentors: u32,
    },
    #[error("pair {row}: mentee {mentee} and mentor {mentor} are already paired")]
    DuplicatePair {
        row: usize,
        mentee: u32,
        mentor: u32,
    },
    #[error(
        "{mentees} mentees, {mentors} mentors and scores up to {max_score} are too large \
         for exact 64-bit arithmetic in the optimal solver"
    )]
    TooLarge {
        mentees: u32,
        mentors: u32,
        max_score: u32,
    },
}

/// A validated matching problem. Pairs of one mentee are sorted by mentor
/// index, so lookups are binary searches and scans are deterministic.
///
/// Memory: 8 bytes per allowed pair (a `u32` mentor and a `u32` score in two
/// parallel arrays, no padding) plus 8 bytes per mentee for the offsets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    capacities: Vec<u32>,
    /// `offsets[e]..offsets[e + 1]` are mentee `e`'s pairs; length `mentees + 1`.
    offsets: Vec<usize>,
    mentor: Vec<u32>,
    score: Vec<u32>,
}

impl Instance {
    /// Starts an instance over `mentees` mentees and one mentor per capacity.
    pub fn builder(mentees: u32, capacities: Vec<u32>) -> InstanceBuilder {
        InstanceBuilder {
            mentees,
            capacities,
            pair_mentee: vec![],
            pair_mentor: vec![],
            pair_score: vec![],
        }
    }

    pub fn mentees(&self) -> u32 {
        // The builder takes the count as a u32, so this cannot truncate.
        (self.offsets.len() - 1) as u32
    }

    pub fn mentors(&self) -> u32 {
        self.capacities.len() as u32
    }

    pub fn capacities(&self) -> &[u32] {
        &self.capacities
    }

    pub fn pair_count(&self) -> usize {
        self.mentor.len()
    }

    /// Mentee `e`'s allowed mentors (ascending) and their scores, as parallel slices.
    pub fn pairs_of(&self, mentee: u32) -> (&[u32], &[u32]) {
        let range = self.offsets[mentee as usize]..self.offsets[mentee as usize + 1];
        (&self.mentor[range.clone()], &self.score[range])
    }

    /// The score of an allowed pair, `None` when the pair is not allowed.
    ///
    /// # Complexity
    /// O(log d) for a mentee with d allowed mentors.
    pub fn score(&self, mentee: u32, mentor: u32) -> Option<u32> {
        let (mentors, scores) = self.pairs_of(mentee);
        mentors.binary_search(&mentor).ok().map(|at| scores[at])
    }

    pub fn max_score(&self) -> u32 {
        self.score.iter().copied().max().unwrap_or(0)
    }

    /// The same cohort without the pairs scoring below `min_score`
    /// (design.md: "pairs below the policy's minimum score excluded").
    pub fn prune_below(&self, min_score: u32) -> Instance {
        let mut offsets = Vec::with_capacity(self.offsets.len());
        let mut mentor = Vec::new();
        let mut score = Vec::new();
        offsets.push(0);
        for e in 0..self.mentees() {
            let (mentors, scores) = self.pairs_of(e);
            for (&m, &s) in mentors.iter().zip(scores) {
                if s >= min_score {
                    mentor.push(m);
                    score.push(s);
                }
            }
            offsets.push(mentor.len());
        }
        Instance {
            capacities: self.capacities.clone(),
            offsets,
            mentor,
            score,
        }
    }

    pub(crate) fn offsets(&self) -> &[usize] {
        &self.offsets
    }

    pub(crate) fn arc_mentors(&self) -> &[u32] {
        &self.mentor
    }

    pub(crate) fn arc_scores(&self) -> &[u32] {
        &self.score
    }
}

/// Collects pairs in any order; [`InstanceBuilder::build`] validates them and
/// lays them out by mentee.
#[derive(Debug, Clone)]
pub struct InstanceBuilder {
    mentees: u32,
    capacities: Vec<u32>,
    pair_mentee: Vec<u32>,
    pair_mentor: Vec<u32>,
    pair_score: Vec<u32>,
}

impl InstanceBuilder {
    /// Reserves room for `additional` more pairs (the file parser knows the
    /// size up front; growing 95M-entry vectors by doubling wastes memory).
    pub fn reserve(&mut self, additional: usize) -> &mut Self {
        self.pair_mentee.reserve(additional);
        self.pair_mentor.reserve(additional);
        self.pair_score.reserve(additional);
        self
    }

    /// Allows `mentee` with `mentor` at `score`. Checked in [`Self::build`],
    /// where errors name the pair by its position (`row`, from 0) in call order.
    pub fn pair(&mut self, mentee: u32, mentor: u32, score: u32) -> &mut Self {
        self.pair_mentee.push(mentee);
        self.pair_mentor.push(mentor);
        self.pair_score.push(score);
        self
    }

    pub fn pair_count(&self) -> usize {
        self.pair_mentee.len()
    }

    /// A builder over pairs already collected in parallel vectors.
    pub(crate) fn from_parts(
        mentees: u32,
        capacities: Vec<u32>,
        pair_mentee: Vec<u32>,
        pair_mentor: Vec<u32>,
        pair_score: Vec<u32>,
    ) -> Self {
        Self {
            mentees,
            capacities,
            pair_mentee,
            pair_mentor,
            pair_score,
        }
    }

    /// Renumbers mentees after the pairs were added (the parser numbers them
    /// in order of appearance, then sorts their ids).
    pub(crate) fn remap_mentees(&mut self, new_index: &[u32]) {
        for e in &mut self.pair_mentee {
            *e = new_index[*e as usize];
        }
    }

    /// Validates and lays out the pairs.
    ///
    /// # Errors
    /// The first (by `row`) out-of-range mentee or mentor; a pair given twice
    /// (the later row is named); [`InstanceError::TooLarge`] when the optimal
    /// solver's scaled costs could overflow `i64` (far beyond the design's
    /// 20,000 × 5,000 cohorts with scores up to 10,000).
    ///
    /// # Complexity
    /// O(P + Σ d log d) time for P pairs, one counting sort then a sort of each
    /// mentee's list only when it is not already in mentor order; 8 bytes per
    /// pair beyond the builder's own 12.
    pub fn build(self) -> Result<Instance, InstanceError> {
        let Self {
            mentees,
            capacities,
            pair_mentee,
            pair_mentor,
            pair_score,
        } = self;
        let mentors = u32::try_from(capacities.len()).unwrap_or(u32::MAX);
        let mut counts = vec![0usize; mentees as usize + 1];
        let mut max_score = 0;
        for (row, ((&e, &m), &s)) in pair_mentee
            .iter()
            .zip(&pair_mentor)
            .zip(&pair_score)
            .enumerate()
        {
            if e >= mentees {
                return Err(InstanceError::MenteeOutOfRange {
                    row,
                    mentee: e,
                    mentees,
                });
            }
            if m >= mentors {
                return Err(InstanceError::MentorOutOfRange {
                    row,
                    mentor: m,
                    mentors,
                });
            }
            counts[e as usize + 1] += 1;
            max_score = max_score.max(s);
        }
        if !fits_exact_arithmetic(mentees, mentors, max_score) {
            return Err(InstanceError::TooLarge {
                mentees,
                mentors,
                max_score,
            });
        }
        for e in 0..mentees as usize {
            counts[e + 1] += counts[e];
        }
        let offsets = counts;
        let mut cursor = offsets.clone();
        let mut mentor = vec![0u32; pair_mentee.len()];
        let mut score = vec![0u32; pair_mentee.len()];
        // Stable placement: within a mentee, pairs stay in row order, which is
        // how a duplicate is traced back to its row below.
        for ((&e, &m), &s) in pair_mentee.iter().zip(&pair_mentor).zip(&pair_score) {
            let at = &mut cursor[e as usize];
            mentor[*at] = m;
            score[*at] = s;
            *at += 1;
        }
        drop((pair_mentor, pair_score));
        let mut keys: Vec<u64> = Vec::new();
        for e in 0..mentees as usize {
            let range = offsets[e]..offsets[e + 1];
            let mentors_of = &mut mentor[range.clone()];
            if mentors_of.windows(2).all(|w| w[0] < w[1]) {
                continue;
            }
            keys.clear();
            keys.extend(
                mentors_of
                    .iter()
                    .enumerate()
                    .map(|(k, &m)| (u64::from(m) << 32) | k as u64),
            );
            keys.sort_unstable();
            if let Some(w) = keys.windows(2).find(|w| w[0] >> 32 == w[1] >> 32) {
                let nth = (w[1] & u64::from(u32::MAX)) as usize;
                let row = nth_row_of(&pair_mentee, e as u32, nth);
                return Err(InstanceError::DuplicatePair {
                    row,
                    mentee: e as u32,
                    mentor: (w[1] >> 32) as u32,
                });
            }
            let scores_of = &mut score[range];
            let old_scores: Vec<u32> = scores_of.to_vec();
            for (slot, &key) in keys.iter().enumerate() {
                mentors_of[slot] = (key >> 32) as u32;
                scores_of[slot] = old_scores[(key & u64::from(u32::MAX)) as usize];
            }
        }
        Ok(Instance {
            capacities,
            offsets,
            mentor,
            score,
        })
    }
}

/// The row of mentee `e`'s `nth` pair in call order (only on the error path).
fn nth_row_of(pair_mentee: &[u32], e: u32, nth: usize) -> usize {
    pair_mentee
        .iter()
        .enumerate()
        .filter(|&(_, &x)| x == e)
        .nth(nth)
        .map_or(0, |(row, _)| row)
}

/// Whether [`super::optimal`]'s arithmetic stays inside `i64`.
///
/// The solver scales a score `w` to `(w·(E+1) + 1)·K` with `K = E + M + 2`
/// (the `+1` prefers more matched mentees among equal totals, the factor `K`
/// makes the last ε-phase exact), and cost-scaling prices stay within
/// about `3·N·C` for `N` nodes and largest scaled cost `C`. We ask for `8·N·C`
/// to fit in a quarter of `i64`, leaving room for the solver's "infinite" price.
pub(crate) fn fits_exact_arithmetic(mentees: u32, mentors: u32, max_score: u32) -> bool {
    let (e, m, w) = (
        i128::from(mentees),
        i128::from(mentors),
        i128::from(max_score),
    );
    let k = e + m + 2;
    let c = (w * (e + 1) + 1) * k;
    8 * k * c <= i128::from(i64::MAX / 4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_sorts_each_mentees_pairs_by_mentor() {
        let mut b = Instance::builder(2, vec![1, 1, 1]);
        b.pair(1, 2, 5).pair(0, 1, 7).pair(1, 0, 3);
        assert_eq!(b.pair_count(), 3);
        let inst = b.build().unwrap();
        assert_eq!(inst.pair_count(), 3);
        assert_eq!(inst.pairs_of(1), (&[0, 2][..], &[3, 5][..]));
        assert_eq!(inst.score(0, 1), Some(7));
        assert_eq!(inst.score(0, 0), None);
    }

    #[test]
    fn exact_arithmetic_holds_up_to_its_documented_bound() {
        // 8·K·C ≤ i64::MAX / 4 with K = E + M + 2 and C = (w·(E + 1) + 1)·K.
        let bound = |e: i128, m: i128, w: i128| {
            let k = e + m + 2;
            8 * k * ((w * (e + 1) + 1) * k) <= i128::from(i64::MAX / 4)
        };
        // With one mentee or none, the bound sits within one step of w, so the
        // `+ 1` terms decide it.
        for (e, m) in [
            (1_000u32, 300u32),
            (20_000, 5_000),
            (1, 10_000),
            (0, 10_000),
        ] {
            let (lo, hi) = (0u64, u64::from(u32::MAX));
            let (mut lo, mut hi) = (lo, hi);
            while lo < hi {
                let mid = (lo + hi).div_ceil(2);
                if bound(e.into(), m.into(), mid.into()) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            let largest = u32::try_from(lo).unwrap();
            assert!(fits_exact_arithmetic(e, m, largest), "{e}×{m} at {largest}");
            if largest < u32::MAX {
                assert!(
                    !fits_exact_arithmetic(e, m, largest + 1),
                    "{e}×{m} above {largest}"
                );
            }
        }
    }

    #[test]
    fn duplicate_pair_names_the_later_row() {
        let mut b = Instance::builder(2, vec![1, 1]);
        b.pair(0, 1, 1).pair(1, 1, 1).pair(0, 0, 1).pair(0, 1, 9);
        assert_eq!(
            b.build(),
            Err(InstanceError::DuplicatePair {
                row: 3,
                mentee: 0,
                mentor: 1
            })
        );
    }

    #[test]
    fn out_of_range_indices_are_rejected() {
        let mut b = Instance::builder(1, vec![1]);
        b.pair(0, 1, 1);
        assert_eq!(
            b.build(),
            Err(InstanceError::MentorOutOfRange {
                row: 0,
                mentor: 1,
                mentors: 1
            })
        );
        let mut b = Instance::builder(1, vec![1]);
        b.pair(1, 0, 1);
        assert_eq!(
            b.build(),
            Err(InstanceError::MenteeOutOfRange {
                row: 0,
                mentee: 1,
                mentees: 1
            })
        );
    }

    #[test]
    fn design_sizes_fit_and_absurd_ones_do_not() {
        assert!(fits_exact_arithmetic(20_000, 5_000, 10_000));
        assert!(!fits_exact_arithmetic(20_000, 5_000, u32::MAX));
    }

    #[test]
    fn prune_below_keeps_pairs_at_or_above_the_minimum() {
        let mut b = Instance::builder(1, vec![1, 1, 1]);
        b.pair(0, 0, 10).pair(0, 1, 20).pair(0, 2, 30);
        let pruned = b.build().unwrap().prune_below(20);
        assert_eq!(pruned.pairs_of(0), (&[1, 2][..], &[20, 30][..]));
    }
}

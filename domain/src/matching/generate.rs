//! Deterministic synthetic cohorts for benchmarks and cross-checks
//! (design.md "Performance"). Owns its PRNG so that a seed gives the same
//! cohort on every platform and Rust version; knows nothing of files.

use super::Instance;
use super::csv::Cohort;

/// What the scores look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Scores uniform in 0..=10,000, allowed pairs uniform at random.
    Uniform,
    /// Half the mentees want one of three "popular skills" that only one
    /// mentor in twenty offers, and score those mentors high: demand piles on
    /// scarce seats, where `optimal` and `stable` part ways.
    Structured,
}

/// SplitMix64 (Steele, Lea & Flood 2014): tiny, fast, and good enough to
/// spread pairs and scores; not for anything secret.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (Lemire's multiply-shift; the bias is below 2⁻³² for
    /// the small `n` used here).
    pub fn below(&mut self, n: u32) -> u32 {
        (((self.next_u64() >> 32) * u64::from(n)) >> 32) as u32
    }
}

const SKILLS: u32 = 12;
const POPULAR_SKILLS: u32 = 3;
const MAX_SCORE: u32 = 10_000;

/// A cohort of `mentees` × `mentors` with about `pairs_per_mentee` allowed
/// mentors each (every mentor is allowed with probability
/// `pairs_per_mentee / mentors`, capped at all of them), capacities 1–5, and
/// zero-padded ids (`e00042`, `m0007`) so that id order is index order.
/// The same arguments always give the same cohort.
///
/// Design sizes: 1,000 × 300 with 200 pairs each; 5,000 × 1,500 with 1,400
/// (7M pairs); 20,000 × 5,000 with 4,750 (95M pairs).
///
/// # Complexity
/// O(E·M) time (one draw per possible pair), memory as [`Instance`].
pub fn generate(
    kind: Kind,
    mentees: u32,
    mentors: u32,
    pairs_per_mentee: u32,
    seed: u64,
) -> Cohort {
    let mut rng = SplitMix64::new(seed);
    let capacities: Vec<u32> = (0..mentors).map(|_| 1 + rng.below(5)).collect();
    // Structured only: each mentor's two skills; a popular one for 1 in 20.
    let offers: Vec<[u32; 2]> = (0..mentors)
        .map(|_| {
            let first = if rng.below(20) == 0 {
                rng.below(POPULAR_SKILLS)
            } else {
                POPULAR_SKILLS + rng.below(SKILLS - POPULAR_SKILLS)
            };
            [first, POPULAR_SKILLS + rng.below(SKILLS - POPULAR_SKILLS)]
        })
        .collect();
    let threshold = if mentors == 0 || pairs_per_mentee >= mentors {
        u64::MAX
    } else {
        (u64::from(pairs_per_mentee) << 32) / u64::from(mentors)
    };
    let mut builder = Instance::builder(mentees, capacities.clone());
    builder.reserve(mentees as usize * pairs_per_mentee.min(mentors) as usize);
    for e in 0..mentees {
        let wanted = if rng.below(2) == 0 {
            rng.below(POPULAR_SKILLS)
        } else {
            POPULAR_SKILLS + rng.below(SKILLS - POPULAR_SKILLS)
        };
        for (m, skills) in offers.iter().enumerate() {
            if threshold != u64::MAX && rng.next_u64() >> 32 >= threshold {
                continue;
            }
            let score = match kind {
                Kind::Uniform => rng.below(MAX_SCORE + 1),
                Kind::Structured if skills.contains(&wanted) => 6_000 + rng.below(4_001),
                Kind::Structured => rng.below(5_001),
            };
            builder.pair(e, m as u32, score);
        }
    }
    let instance = builder
        .build()
        .expect("generated pairs are in range, unique and small");
    Cohort {
        instance,
        mentee_ids: padded_ids('e', mentees),
        mentor_ids: padded_ids('m', mentors),
    }
}

fn padded_ids(prefix: char, count: u32) -> Vec<String> {
    let width = count.saturating_sub(1).max(1).ilog10() as usize + 1;
    (0..count).map(|i| format!("{prefix}{i:0width$}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_cohort() {
        let a = generate(Kind::Structured, 50, 20, 8, 7);
        let b = generate(Kind::Structured, 50, 20, 8, 7);
        assert_eq!(a.instance, b.instance);
        assert_ne!(
            a.instance,
            generate(Kind::Structured, 50, 20, 8, 8).instance
        );
    }

    #[test]
    fn splitmix64_follows_the_reference_sequence() {
        // The published SplitMix64 outputs for seed 0.
        let mut rng = SplitMix64::new(0);
        let first: Vec<u64> = (0..3).map(|_| rng.next_u64()).collect();
        assert_eq!(
            first,
            [
                0xE220_A839_7B1D_CDAF,
                0x6E78_9E6A_A1B9_65F4,
                0x06C4_5D18_8009_454F
            ]
        );
    }

    /// A cohort's shape in a few numbers: pairs, seats, the sum of the
    /// scores and of the scores over pairs whose mentee and mentor ids are
    /// close (which moves with any change to who is paired).
    fn fingerprint(cohort: &Cohort) -> (usize, u32, u64, u64) {
        let inst = &cohort.instance;
        let (mut total, mut near) = (0u64, 0u64);
        for e in 0..inst.mentees() {
            let (ms, ss) = inst.pairs_of(e);
            for (&m, &s) in ms.iter().zip(ss) {
                total += u64::from(s);
                if e % 7 == m % 7 {
                    near += u64::from(s);
                }
            }
        }
        (
            inst.pair_count(),
            inst.capacities().iter().sum(),
            total,
            near,
        )
    }

    #[test]
    fn cohorts_are_the_ones_benchmarks_were_measured_on() {
        // Pinned so that BENCHMARKS.md's instances stay the same instances.
        let structured = generate(Kind::Structured, 60, 20, 8, 7);
        let uniform = generate(Kind::Uniform, 60, 20, 8, 7);
        let everyone = generate(Kind::Structured, 10, 5, 9, 1);
        let got = [
            fingerprint(&structured),
            fingerprint(&uniform),
            fingerprint(&everyone),
        ];
        assert_eq!(got, GOLDEN, "{got:?}");
        // Structured scores: 6,000–10,000 for a wanted skill, else at most 5,000.
        let inst = &structured.instance;
        assert!((0..60).all(|e| inst.pairs_of(e).1.iter().all(|&s| s <= 10_000)));
        assert!((0..60).any(|e| inst.pairs_of(e).1.iter().any(|&s| s >= 6_000)));
        assert!((0..60).any(|e| inst.pairs_of(e).1.iter().any(|&s| s <= 5_000)));
        // More wanted pairs than mentors: every mentor is allowed.
        assert_eq!(everyone.instance.pair_count(), 50);
    }

    const GOLDEN: [(usize, u32, u64, u64); 3] = [
        (515, 64, 1_594_388, 271_104),
        (515, 64, 2_543_700, 408_306),
        (50, 18, 161_895, 24_334),
    ];

    #[test]
    fn ids_are_zero_padded_so_that_id_order_is_index_order() {
        let ids = padded_ids('m', 11);
        assert_eq!((ids[0].as_str(), ids[10].as_str()), ("m00", "m10"));
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
    }
}

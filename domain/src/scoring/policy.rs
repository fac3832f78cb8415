//! The matching policy: which criteria exist, how much each weighs and the
//! minimum score a pair needs. Owns validation of weights and minimum score;
//! never touches profiles or scores.

use std::fmt;

/// One scoring criterion (design.md, "Scoring"). The declaration order is the
/// order of [`Score::components`](super::Score::components) and of
/// [`Weights::new`]'s array.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Criterion {
    Skills,
    Projects,
    Foundations,
    Maturity,
    Topics,
    Timezone,
    Language,
    Load,
}

impl Criterion {
    /// How many criteria there are; the length of every per-criterion array.
    pub const COUNT: usize = 8;

    pub const ALL: [Criterion; Criterion::COUNT] = [
        Criterion::Skills,
        Criterion::Projects,
        Criterion::Foundations,
        Criterion::Maturity,
        Criterion::Topics,
        Criterion::Timezone,
        Criterion::Language,
        Criterion::Load,
    ];

    /// The wire name (`SKILLS` in GraphQL is this slug in upper case).
    pub fn slug(self) -> &'static str {
        match self {
            Criterion::Skills => "skills",
            Criterion::Projects => "projects",
            Criterion::Foundations => "foundations",
            Criterion::Maturity => "maturity",
            Criterion::Topics => "topics",
            Criterion::Timezone => "timezone",
            Criterion::Language => "language",
            Criterion::Load => "load",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.slug() == slug)
    }

    /// Position in [`Criterion::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Criterion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

/// A policy value outside what the policy allows.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PolicyError {
    #[error("weight of {criterion} must be a finite number ≥ 0, got {got}")]
    BadWeight { criterion: Criterion, got: f64 },
    #[error("at least one weight must be above 0")]
    AllWeightsZero,
    #[error("the weights add up to more than a 64-bit float holds")]
    WeightSumOverflows,
    #[error("minimum score must be between 0 and 100, got {got}")]
    MinScoreOutOfRange { got: f64 },
}

/// One non-negative weight per criterion, not all zero. Only weights that
/// pass [`Weights::new`] exist, so scoring never divides by zero.
#[derive(Clone, Debug, PartialEq)]
pub struct Weights {
    values: [f64; Criterion::COUNT],
    /// `100 · w / Σw` per criterion, computed once here so that scoring a
    /// pair is a multiply per criterion.
    scale: [f64; Criterion::COUNT],
}

impl Weights {
    /// Weights in [`Criterion::ALL`] order.
    ///
    /// # Errors
    /// [`PolicyError::BadWeight`] for the first weight that is negative, NaN
    /// or infinite; [`PolicyError::AllWeightsZero`] when every weight is 0;
    /// [`PolicyError::WeightSumOverflows`] when their sum is not finite.
    pub fn new(values: [f64; Criterion::COUNT]) -> Result<Self, PolicyError> {
        for (criterion, &got) in Criterion::ALL.iter().zip(&values) {
            if !got.is_finite() || got < 0.0 {
                return Err(PolicyError::BadWeight {
                    criterion: *criterion,
                    got,
                });
            }
        }
        let sum: f64 = values.iter().sum();
        if sum <= 0.0 {
            return Err(PolicyError::AllWeightsZero);
        }
        if !sum.is_finite() {
            return Err(PolicyError::WeightSumOverflows);
        }
        // `100·w/Σw` is exact for the usual integer weights adding up to 100;
        // for weights near f64::MAX the product overflows, so divide first.
        let scale = values.map(|w| {
            let s = 100.0 * w / sum;
            if s.is_finite() { s } else { 100.0 * (w / sum) }
        });
        Ok(Self { values, scale })
    }

    pub fn get(&self, criterion: Criterion) -> f64 {
        self.values[criterion.index()]
    }

    /// The weights in [`Criterion::ALL`] order.
    pub fn as_array(&self) -> &[f64; Criterion::COUNT] {
        &self.values
    }

    /// What a raw value of 1 contributes to the total, per criterion.
    pub(crate) fn scale(&self) -> &[f64; Criterion::COUNT] {
        &self.scale
    }
}

impl Default for Weights {
    /// Skills 30, maturity 15, topics 15, projects 10, foundations 10,
    /// timezone 8, language 7, load 5: they add up to 100, so a contribution
    /// reads as points.
    ///
    /// Skills lead because they are what a mentee asks for by name. Maturity
    /// and topics come next: they are the leadership half of OSPO mentoring
    /// (design.md, "OSMM"). Projects and foundations are strong when they
    /// match but many mentees name none. Timezone and language make
    /// meetings easy but are softened by the hard timezone limit. Load only
    /// spreads work between otherwise close mentors.
    fn default() -> Self {
        Self::new([30.0, 10.0, 10.0, 15.0, 15.0, 8.0, 7.0, 5.0]).unwrap_or_else(|_| unreachable!())
    }
}

/// A versioned matching policy: weights and the minimum score a pair needs
/// to be recommended or proposed.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    version: i32,
    weights: Weights,
    min_score: f64,
}

impl Policy {
    pub const MIN_SCORE_RANGE: std::ops::RangeInclusive<f64> = 0.0..=100.0;

    /// # Errors
    /// [`PolicyError::MinScoreOutOfRange`] when `min_score` is outside 0..=100 or NaN.
    pub fn new(version: i32, weights: Weights, min_score: f64) -> Result<Self, PolicyError> {
        if !Self::MIN_SCORE_RANGE.contains(&min_score) {
            return Err(PolicyError::MinScoreOutOfRange { got: min_score });
        }
        Ok(Self {
            version,
            weights,
            min_score,
        })
    }

    pub fn version(&self) -> i32 {
        self.version
    }

    pub fn weights(&self) -> &Weights {
        &self.weights
    }

    pub fn min_score(&self) -> f64 {
        self.min_score
    }
}

impl Default for Policy {
    /// Version 0, default weights, no minimum score.
    fn default() -> Self {
        Self {
            version: 0,
            weights: Weights::default(),
            min_score: 0.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_reject_negative_nan_and_infinite_values_naming_the_criterion() {
        let mut values = [1.0; 8];
        values[2] = -0.5;
        let err = Weights::new(values).unwrap_err();
        assert_eq!(
            err,
            PolicyError::BadWeight {
                criterion: Criterion::Foundations,
                got: -0.5
            }
        );
        assert_eq!(
            err.to_string(),
            "weight of foundations must be a finite number ≥ 0, got -0.5"
        );
        values[2] = f64::NAN;
        assert!(matches!(
            Weights::new(values),
            Err(PolicyError::BadWeight {
                criterion: Criterion::Foundations,
                ..
            })
        ));
        values[2] = f64::INFINITY;
        assert!(Weights::new(values).is_err());
    }

    #[test]
    fn weights_must_not_all_be_zero() {
        assert_eq!(Weights::new([0.0; 8]), Err(PolicyError::AllWeightsZero));
        let mut values = [0.0; 8];
        values[7] = 1e-9;
        assert!(Weights::new(values).is_ok());
    }

    #[test]
    fn weights_whose_sum_overflows_are_refused() {
        let values = [f64::MAX; 8];
        assert_eq!(Weights::new(values), Err(PolicyError::WeightSumOverflows));
    }

    #[test]
    fn default_weights_add_up_to_100_so_scale_equals_weight() {
        let w = Weights::default();
        assert_eq!(w.as_array().iter().sum::<f64>(), 100.0);
        assert_eq!(w.scale(), w.as_array());
        assert_eq!(w.get(Criterion::Skills), 30.0);
    }

    #[test]
    fn min_score_must_be_within_0_and_100() {
        assert!(Policy::new(1, Weights::default(), 100.0).is_ok());
        let seventh = Policy::new(7, Weights::default(), 12.5).unwrap();
        assert_eq!((seventh.version(), seventh.min_score()), (7, 12.5));
        assert_eq!(
            Policy::new(1, Weights::default(), 100.5),
            Err(PolicyError::MinScoreOutOfRange { got: 100.5 })
        );
        assert!(Policy::new(1, Weights::default(), f64::NAN).is_err());
        assert!(Policy::new(1, Weights::default(), -1.0).is_err());
    }

    #[test]
    fn criteria_round_trip_their_slugs_in_order() {
        for (i, c) in Criterion::ALL.into_iter().enumerate() {
            assert_eq!(c.index(), i);
            assert_eq!(Criterion::from_slug(c.slug()), Some(c));
        }
    }
}

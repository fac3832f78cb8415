//! The lifecycle of a program (cohort): `draft → open → matching → running →
//! closed`. Enrollment is possible until the program runs; cohort matching
//! while it is open or matching (design.md, "Program").

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProgramStatus {
    Draft,
    Open,
    Matching,
    Running,
    Closed,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a program cannot go from {from} to {to}")]
pub struct IllegalTransition {
    pub from: ProgramStatus,
    pub to: ProgramStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateRangeError {
    #[error("endsOn ({ends}) is before startsOn ({starts})")]
    EndsBeforeStart { starts: String, ends: String },
}

impl ProgramStatus {
    pub const ALL: [Self; 5] = [
        Self::Draft,
        Self::Open,
        Self::Matching,
        Self::Running,
        Self::Closed,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Open => "open",
            Self::Matching => "matching",
            Self::Running => "running",
            Self::Closed => "closed",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.slug() == slug)
    }

    /// The legal moves: forward one step, back from `open` to `draft` (to
    /// fix a program opened too early), from `matching` back to `open` (to
    /// enroll more people before another run), and to `closed` from anywhere
    /// but `closed`.
    ///
    /// # Errors
    /// [`IllegalTransition`] for every other move, including staying put.
    pub fn transition(self, to: Self) -> Result<Self, IllegalTransition> {
        use ProgramStatus::*;
        let legal = matches!(
            (self, to),
            (Draft, Open)
                | (Open, Draft)
                | (Open, Matching)
                | (Matching, Open)
                | (Matching, Running)
                | (Open, Running)
        ) || (to == Closed && self != Closed);
        if legal {
            Ok(to)
        } else {
            Err(IllegalTransition { from: self, to })
        }
    }

    /// People can be enrolled until the program closes; late joiners of a
    /// running program are proposed at once.
    pub fn accepts_enrollment(self) -> bool {
        self != Self::Closed
    }

    /// A cohort run is possible while the program is open or matching.
    pub fn accepts_cohort_matching(self) -> bool {
        matches!(self, Self::Open | Self::Matching)
    }
}

impl fmt::Display for ProgramStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

#[cfg(test)]
mod tests {
    use super::ProgramStatus::*;
    use super::*;

    #[test]
    fn the_workflow_moves_forward_and_closes_from_anywhere() {
        assert_eq!(Draft.transition(Open), Ok(Open));
        assert_eq!(Open.transition(Matching), Ok(Matching));
        assert_eq!(Matching.transition(Running), Ok(Running));
        assert_eq!(Running.transition(Closed), Ok(Closed));
        assert_eq!(Draft.transition(Closed), Ok(Closed));
    }

    #[test]
    fn illegal_moves_name_both_states() {
        let err = Draft.transition(Running).unwrap_err();
        assert_eq!(err.to_string(), "a program cannot go from draft to running");
        assert!(Closed.transition(Open).is_err());
        assert!(Closed.transition(Closed).is_err());
        assert!(Running.transition(Matching).is_err());
        assert!(Open.transition(Open).is_err());
    }

    #[test]
    fn every_slug_round_trips() {
        for s in ProgramStatus::ALL {
            assert_eq!(ProgramStatus::from_slug(s.slug()), Some(s));
        }
        assert!(Running.accepts_enrollment() && !Closed.accepts_enrollment());
        assert!(Open.accepts_cohort_matching() && !Running.accepts_cohort_matching());
    }
}

//! Cohort matching (design.md "Matching"): assign each mentee at most one
//! mentor and each mentor at most its capacity, by maximum total score
//! ([`optimal`]) or by deferred acceptance ([`stable`]), then check and
//! explain any assignment ([`blocking_pairs`], [`unmatched_reasons`]).
//!
//! Pure: the API loads an [`Instance`] in one query and commits the chosen
//! pairs in one transaction. The [`csv`] and [`generate`] modules read and
//! write bytes for `tandem solve` and benchmarks; they never open files.

mod assignment;
pub mod csv;
pub mod generate;
mod instance;
mod optimal;
mod stable;

pub use assignment::{Assignment, UnmatchedReason, blocking_pairs, is_feasible, unmatched_reasons};
pub use instance::{Instance, InstanceBuilder, InstanceError};
pub use optimal::optimal;
pub use stable::stable;

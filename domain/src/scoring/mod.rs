//! Scoring mentor/mentee pairs (design.md, "Scoring") and ranking mentors
//! for one mentee ("Matching → Recommendations"). Pure: no I/O, no clock,
//! no randomness.
//!
//! - [`policy`]: criteria, validated weights and the minimum score.
//! - [`features`]: profile inputs and their compiled, string-free forms.
//! - [`rules`]: the numbers behind each criterion.
//! - [`score`](mod@score): hard constraints and the weighted total of one pair.
//! - [`explain`](mod@explain): one line of evidence per criterion, on demand.
//! - [`rank`]: the top k mentors for a mentee.
//!
//! The hot path reads only compiled forms: compile mentors once, compile a
//! mentee per request, then [`score()`] or [`top_k`].

pub mod explain;
pub mod features;
#[cfg(test)]
mod fixtures;
pub mod policy;
pub mod rank;
pub mod rules;
pub mod score;

pub use explain::{CatalogNames, explain};
pub use features::{
    CompiledMentee, CompiledMentor, IndexTooLarge, LanguageTable, MenteeFeatures, MentorFeatures,
};
pub use policy::{Criterion, Policy, PolicyError, Weights};
pub use rank::top_k;
pub use score::{CapacityCheck, Component, IneligibleReason, Outcome, Score, ScoreContext, score};

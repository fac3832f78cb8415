//! Tandem's business logic, free of I/O: value types with their rules
//! ([`values`]), scoring a pairing ([`scoring`]), cohort matching
//! ([`matching`]), the program lifecycle ([`program`]) and the mentorship
//! lifecycle ([`mentorship`]) and who hears what when ([`notification`]). Nothing here
//! knows about databases, HTTP or GraphQL.

pub mod matching;
pub mod mentorship;
pub mod metrics;
pub mod notification;
pub mod program;
pub mod scoring;
pub mod values;

//! Tandem's business logic, free of I/O: value types with their rules
//! ([`values`]), scoring a pairing ([`scoring`]), cohort matching
//! ([`matching`]) and the program lifecycle ([`program`]). Nothing here
//! knows about databases, HTTP or GraphQL.

pub mod matching;
pub mod program;
pub mod scoring;
pub mod values;

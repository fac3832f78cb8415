//! Tandem's business logic, free of I/O: value types with their rules
//! ([`values`]), cohort matching ([`matching`]), and later scoring and
//! lifecycle rules. Nothing here knows about databases, HTTP or GraphQL.

pub mod matching;
pub mod program;
pub mod values;

//! Tandem's business logic, free of I/O: value types with their rules
//! ([`values`]), and later scoring, matching and lifecycle rules.
//! Nothing here knows about databases, HTTP or GraphQL.

pub mod values;

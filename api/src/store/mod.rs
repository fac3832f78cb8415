//! Database access: sea-orm entities and one function per query. Functions
//! take any connection or transaction, run one statement (or one batch of the
//! same statement) and return plain records, never sea-orm models. Service
//! functions own the transactions.

pub mod audit;
pub mod catalog;
pub mod entities;
pub mod matches;
pub mod people;
pub mod policies;
pub mod profiles;
pub mod programs;
pub mod requests;
pub mod revision;

use sea_orm::DbErr;

/// Splits a stored comma list (`languages`) into its items.
pub(crate) fn split_list(raw: &str) -> Vec<String> {
    raw.split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A row that breaks a rule our writes always keep means corruption or a
/// manual edit: an internal error, never a panic.
pub(crate) fn corrupt(what: &str, detail: impl std::fmt::Display) -> DbErr {
    DbErr::Custom(format!("corrupt {what}: {detail}"))
}

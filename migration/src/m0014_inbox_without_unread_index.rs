//! On SQLite, the inbox without its partial index of unread rows. Every
//! lifecycle change adds inbox rows, and that index put each one into a
//! second B-tree at a random place (it is ordered by person), a page more
//! for the commit to write and the checkpoint to copy: dropping it on a copy
//! gave `acceptProposal` with notifications about five points of the
//! throughput without them, in every group of the run (BENCHMARKS.md, "In
//! paired bursts"). The inbox is clustered on `(person_id, id)` since
//! m0012, so a person's unread count reads that person's rows and no
//! others; SQLite's planner chose that key over the index even while the
//! index existed, so it was written by every notification and read by
//! nothing. PostgreSQL keeps the index: its heap table is not clustered.

fn extra(backend: sea_orm::DbBackend) -> Vec<String> {
    match backend {
        sea_orm::DbBackend::Sqlite => vec!["DROP INDEX IF EXISTS notification_unread".to_owned()],
        _ => Vec::new(),
    }
}

pub const MIGRATION: crate::Migration = crate::Migration {
    name: "m0014_inbox_without_unread_index",
    up: "",
    down: "",
    extra,
};

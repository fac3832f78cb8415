//! The integration tests, one module per area, in one test binary: each
//! binary links the whole service, so one binary instead of twenty-one
//! saves most of the build and link time of `cargo test` (and of every
//! mutant in `bench/mutants/run.sh service`).

mod auth;
mod cases;
mod cohort;
mod export;
mod freshness;
mod harness;
mod http;
mod import;
mod jwks;
mod leavers;
mod lifecycle;
mod lifecycle_races;
mod notifications;
mod privacy;
mod profiles;
mod programs;
mod refusals;
mod reports;
mod requests;
mod scoring;
mod subscriptions;
mod ui;

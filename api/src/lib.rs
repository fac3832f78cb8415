//! Tandem's service: the `tandem` binary's library.
//!
//! - [`config`]: settings from the environment and an optional file.
//! - [`auth`]: bearer JWT verification and development tokens.
//! - [`app`]: the state an instance shares; bearer token → viewer.
//! - [`events`]: match events for subscriptions, across instances.
//! - [`jobs`]: background work (the proposal sweeper, the delivery worker).
//! - [`notify`]: notifications: what is said to whom, the outbox, email and webhooks.
//! - [`db`]: connections and write transactions (`BEGIN IMMEDIATE` on SQLite).
//! - [`store`]: sea-orm entities and one function per query.
//! - [`service`]: one function per use case; authorization and transactions.
//! - [`graphql`]: the schema, thin resolvers, DataLoaders, limits.
//! - [`http`]: the actix-web server, probes, metrics, request ids.
//! - [`seed`]: the demo organisation.
//! - [`solve`]: `tandem solve` and `tandem generate` over CSV files.
//! - [`cli`]: the command line.
//!
//! Business rules live in the `domain` crate, never here.

pub mod app;
pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod error;
pub mod events;
pub mod graphql;
pub mod http;
pub mod jobs;
pub mod notify;
pub mod seed;
pub mod service;
pub mod solve;
pub mod store;

pub use migration::Migrator;

//! Background work. Each job has a single-pass function that takes `now`
//! (tests and `tandem sweep` call it) and a `spawn` for the server. Several
//! instances running the same job at once is the normal case, made safe by
//! the database (conditional updates), never by an in-process lock.

pub mod delivery;
pub mod sweeper;

//! Integration tests of the server on real parts: a real SQLite file, real HTTP on
//! loopback, the real `tocsin` binary where a process boundary matters.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a failed assertion"
)]
#![allow(missing_docs, reason = "test crate")]
mod audit;
mod backup;
mod bad_input;
mod cli;
mod concurrency;
mod cors;
mod crash;
mod dead_letters;
mod durability;
mod edge;
mod engine;
mod escalation;
mod http_targets;
mod keys;
mod layers;
mod migration;
mod notify;
pub mod postgres;
mod read_your_writes;
mod receivers;
mod retention;
mod roles;
mod runbooks;
mod schedules;
mod sigv4_suite;
mod stream;
mod support;
mod web;

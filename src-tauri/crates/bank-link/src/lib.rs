//! The link to the core bank, the Pledge Registry and the official income service.
//!
//! Invariant: the only crate of the workstation that makes HTTP calls. [`api`] holds the
//! wire types (the bank simulator serves the same types, so the two cannot drift apart);
//! [`client`] the blocking HTTP client; [`signing`] the signed statements both sides
//! check. Nothing here retries or remembers: the outbox and
//! its worker, which decide what is sent when, live in the store and the application
//! services. Each call is one line of the workstation's log (`tracing`, target `uw`): the
//! method, the path without its personal segments, the status and the duration.

pub mod api;
mod client;
pub mod signing;

pub use client::{
    check_ca_bundle, Bank, BankConfig, ConnectionFailure, Fault, LinkError, StaffAuth,
};

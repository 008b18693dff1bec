//! The underwriting domain: the case file, the product configuration, the rules of the
//! product passport, repayment schedules, income analysis, VIN checks and the review
//! workflow (the two-person check).
//!
//! Invariant: this crate does no I/O. It knows neither Tauri, SQLite nor HTTP, reads no
//! clock and no file; time and data come in as parameters. That keeps every rule testable
//! with plain values and lets the CLI, the desktop app and the tests share one engine.

pub mod approval_conditions;
pub mod assignment;
pub mod bureau;
pub mod case;
pub mod decision;
pub mod disbursement;
pub mod identity;
pub mod income;
pub mod lien;
pub mod money;
pub mod owned;
pub mod product;
pub mod product_stop;
pub mod review;
pub mod rule;
pub mod schedule;
pub mod sla;
pub mod statement;
pub mod vin;
pub mod what_if;

pub use case::{parse_case, parse_case_value, CaseError, CaseFile};
pub use decision::{evaluate, EvalOptions, Evaluation};
pub use product::{parse_product, ProductConfig, ProductError};

//! A bank statement as read from a client's file: what the income analysis works on.
//! The readers live in the `uw-statements` crate; these are their plain results.

use std::sync::Arc;

use serde::Serialize;
use ts_rs::TS;

use crate::money::{Date, Money};

#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct Statement {
    pub file: String,
    pub format: String,
    /// The text encoding the file was read in (`UTF-8`, `windows-1251`, `IBM866`).
    pub encoding: String,
    pub version: Option<String>,
    pub period_from: Option<Date>,
    pub period_to: Option<Date>,
    pub accounts: Vec<AccountSection>,
    pub transactions: Vec<Transaction>,
}

/// A `СекцияРасчСчет`: one account's balances and totals over the period.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct AccountSection {
    pub line: usize,
    pub account: String,
    pub from: Option<Date>,
    pub to: Option<Date>,
    pub opening: Option<Money>,
    pub credited: Option<Money>,
    pub debited: Option<Money>,
    pub closing: Option<Money>,
}

/// Text shared between the many transactions that repeat it (the same employer, account
/// and purpose every month): a statement of 100,000 payments holds each once.
pub type Text = Arc<str>;

/// A `СекцияДокумент`: one payment, as the bank printed it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, TS)]
pub struct Transaction {
    /// The line of the section's first line, for flags that jump to it.
    pub line: usize,
    pub kind: Text,
    pub number: Text,
    pub date: Option<Date>,
    pub amount: Money,
    pub payer: Text,
    pub payer_inn: Text,
    pub payer_account: Text,
    pub payer_bank: Text,
    pub receiver: Text,
    pub receiver_inn: Text,
    pub receiver_account: Text,
    pub receiver_bank: Text,
    pub purpose: Text,
    pub credited_on: Option<Date>,
    pub debited_on: Option<Date>,
}

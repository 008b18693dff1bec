//! A bank statement as read from a client's file: what the income analysis works on.
//! The readers live in the `uw-statements` crate; these are their plain results.

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

/// A `СекцияДокумент`: one payment, as the bank printed it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, TS)]
pub struct Transaction {
    /// The line of the section's first line, for flags that jump to it.
    pub line: usize,
    pub kind: String,
    pub number: String,
    pub date: Option<Date>,
    pub amount: Money,
    pub payer: String,
    pub payer_inn: String,
    pub payer_account: String,
    pub payer_bank: String,
    pub receiver: String,
    pub receiver_inn: String,
    pub receiver_account: String,
    pub receiver_bank: String,
    pub purpose: String,
    pub credited_on: Option<Date>,
    pub debited_on: Option<Date>,
}

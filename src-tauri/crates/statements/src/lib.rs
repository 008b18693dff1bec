//! Readers of the bank statements a client brings, for income verification (rule book §2).
//!
//! Invariant: bytes in, a [`Statement`] or a [`StatementError`] naming file and line out.
//! No I/O, no panics on any input (a property test feeds random and mutated bytes), so
//! the readers can be fuzzed on their own. Nothing from a file that fails is returned.
//!
//! Formats: the 1C client-bank exchange text ([`onec`]). CSV and XLSX exports follow.

pub mod onec;

use serde::Serialize;
use uw_domain::money::{Date, Money};

#[derive(Clone, Debug, PartialEq, Serialize)]
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
#[derive(Clone, Debug, PartialEq, Serialize)]
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
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
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

#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{file}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct StatementError {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

/// Reads a statement file of any supported format, told apart by content, not by name.
pub fn read_statement(file: &str, bytes: &[u8]) -> Result<Statement, StatementError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(StatementError {
            file: file.to_string(),
            line: None,
            message: "the file is empty".into(),
        });
    }
    if onec::looks_like(bytes) {
        return onec::read(file, bytes);
    }
    Err(StatementError {
        file: file.to_string(),
        line: Some(1),
        message: "not a statement this workstation reads (expected a 1C client-bank exchange file starting with 1CClientBankExchange)".into(),
    })
}

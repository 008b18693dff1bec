//! Readers of the bank statements a client brings, for income verification (rule book §2).
//!
//! Invariant: bytes in, a [`Statement`] or a [`StatementError`] naming file and line out.
//! No I/O of its own (the 1C reader also streams from a `Read` its caller opened,
//! [`onec::stream`], and may parse it on threads of its own, [`onec::stream_parallel`],
//! with the same result), no panics on any input (a property test feeds random and mutated
//! bytes), so the readers can be fuzzed on their own. Nothing from a file that fails is
//! returned; what a stream handed its sink before the error is the caller's to drop.
//!
//! Formats: the 1C client-bank exchange text ([`onec`]) and CSV exports whose column layouts
//! are data ([`csv`]), and XLSX/XLS spreadsheets with the same layouts ([`xlsx`]).

pub mod csv;
pub mod limits;
pub mod onec;
pub mod table;
pub mod xlsx;

pub use crate::table::CsvLayouts;

use serde::{Deserialize, Serialize};
pub use uw_domain::statement::{AccountSection, Statement, Transaction};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{file}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct StatementError {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
    #[serde(default)]
    pub refusal: Refusal,
}

/// Why a file was not read: it does not read as a statement, or it asks more of the reader
/// than [`limits`] allow (a hostile file, or a mistaken pick).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    #[default]
    Unreadable,
    OverLimit,
}

/// Reads a statement file of any supported format, told apart by content, not by name.
pub fn read_statement(
    file: &str,
    bytes: &[u8],
    layouts: &CsvLayouts,
) -> Result<Statement, StatementError> {
    limits::check_size(file, bytes.len())?;
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(StatementError {
            file: file.to_string(),
            line: None,
            message: "the file is empty".into(),
            refusal: Refusal::Unreadable,
        });
    }
    if onec::looks_like(bytes) {
        return onec::read(file, bytes);
    }
    if xlsx::looks_like(bytes) {
        return xlsx::read(file, bytes, layouts);
    }
    if bytes.contains(&0) {
        return Err(StatementError {
            file: file.to_string(),
            line: None,
            message: "binary content: not a 1C client-bank file nor a CSV export".into(),
            refusal: Refusal::Unreadable,
        });
    }
    csv::read(file, bytes, layouts)
}

//! Errors as they cross every boundary (IPC, CLI, tests): a stable code and a message
//! that names the field, file or line.

use serde::Serialize;
use ts_rs::TS;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    /// A case file or edit that is malformed; the message names the JSON path.
    InvalidCase,
    /// Other malformed input (a command argument, a product file).
    InvalidInput,
    NotFound,
    CaseExists,
    /// A statement file of that name is already attached to the party.
    AlreadyAttached,
    VersionConflict,
    /// The database file belongs to another program or is corrupted.
    StoreForeign,
    /// The database was written by a newer version of the workstation.
    StoreTooNew,
    /// The data folder cannot be used (unwritable, disk full).
    StoreUnavailable,
    Io,
    /// The audit trail's hash chain does not verify: an entry was changed or removed.
    AuditBroken,
    /// A capability that another part of the product delivers and is not here yet.
    NotAvailable,
    Internal,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        AppError {
            code,
            message: message.into(),
        }
    }
}

impl From<uw_store::StoreError> for AppError {
    fn from(e: uw_store::StoreError) -> Self {
        use uw_store::StoreError as S;
        let code = match &e {
            S::Open { .. } => ErrorCode::StoreUnavailable,
            S::Foreign { .. } => ErrorCode::StoreForeign,
            S::TooNew { .. } => ErrorCode::StoreTooNew,
            S::NotFound(_) => ErrorCode::NotFound,
            S::Exists(_) => ErrorCode::CaseExists,
            S::Duplicate(_) => ErrorCode::AlreadyAttached,
            S::VersionConflict { .. } => ErrorCode::VersionConflict,
            S::Sql(_) => ErrorCode::Internal,
        };
        AppError::new(code, e.to_string())
    }
}

pub type Result<T, E = AppError> = std::result::Result<T, E>;

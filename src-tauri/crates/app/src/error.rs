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
    /// A statement of that name is already attached to the party, or a user of that name
    /// exists, or the first-start setup is already done.
    AlreadyExists,
    VersionConflict,
    /// The database file belongs to another program or is corrupted.
    StoreForeign,
    /// The key does not open the database (a wrong passphrase, or not our file).
    StoreWrongKey,
    /// The database was written by a newer version of the workstation.
    StoreTooNew,
    /// No key for the encrypted store: no passphrase given and no OS keyring.
    StoreKeyMissing,
    /// The store waits for its passphrase (the unlock screen).
    StoreLocked,
    /// The data folder cannot be used (unwritable, disk full).
    StoreUnavailable,
    Io,
    /// Not logged in (the desktop requires a user for every change).
    NotLoggedIn,
    /// Wrong user name or password (never saying which).
    AuthFailed,
    /// The password was right; the user's second factor needs the current code.
    TotpRequired,
    /// A one-time code that was used already.
    TotpReused,
    /// The session was idle too long and locked: log in again.
    SessionLocked,
    /// Too many failed logins: locked for a while.
    AccountLocked,
    /// The user lacks the role the action needs.
    MissingRole,
    /// The two-person check: the maker may not sign their own case off.
    MakerCannotCheck,
    /// Whoever edited a case after its submission may not sign it off.
    EditedAfterSubmission,
    /// The action does not fit where the case stands (a decided case is closed).
    WrongStage,
    /// Only the case's maker submits it again after a return.
    NotTheMaker,
    /// Another user is editing the case: one editor at a time.
    CaseLocked,
    /// The figures re-derived at review differ from the maker's: approval waits.
    FiguresDiffer,
    /// A return, a rejection or a submission needs its words.
    CommentRequired,
    /// The audit trail's hash chain does not verify: an entry was changed or removed.
    AuditBroken,
    /// No core-bank address is set (settings or UW_BANK_URL).
    BankNotConfigured,
    /// The core bank cannot be reached or did not answer in time; the work waits in the
    /// outbox.
    BankOffline,
    /// The core bank refused the request or the token.
    BankRefused,
    /// The core bank answered with something other than what its API promises.
    BankBadAnswer,
    /// A disbursement stage whose preconditions do not hold; the message lists each.
    DisbursementBlocked,
    /// Another creditor's prohibition is registered on the VIN.
    ForeignLien,
    /// The agreement is printed only for an approved and reviewed case; the message names
    /// what is missing.
    NotPrintable,
    /// The product is stopped for the case's branch or the bank (passport §9): no new
    /// approval until the figures are back within the limits.
    ProductSuspended,
    /// The counter-offer asked for is not among the case's current counter-offers.
    NoSuchOffer,
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
            S::WrongKey { .. } => ErrorCode::StoreWrongKey,
            S::NotFound(_) => ErrorCode::NotFound,
            S::Exists(_) => ErrorCode::CaseExists,
            S::Duplicate(_) => ErrorCode::AlreadyExists,
            S::VersionConflict { .. } => ErrorCode::VersionConflict,
            S::Sql(_) => ErrorCode::Internal,
        };
        AppError::new(code, e.to_string())
    }
}

impl From<uw_bank_link::LinkError> for AppError {
    fn from(e: uw_bank_link::LinkError) -> Self {
        use uw_bank_link::LinkError as L;
        let code = match &e {
            L::BadAddress(_) => ErrorCode::BankNotConfigured,
            L::Offline(_) | L::Timeout(_) | L::Unavailable { .. } => ErrorCode::BankOffline,
            L::Unauthorized | L::Rejected { .. } => ErrorCode::BankRefused,
            L::Conflict(_) => ErrorCode::VersionConflict,
            L::BadResponse { .. } => ErrorCode::BankBadAnswer,
        };
        AppError::new(code, e.to_string())
    }
}

pub type Result<T, E = AppError> = std::result::Result<T, E>;

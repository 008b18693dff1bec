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
    /// The data folder holds a plain (unencrypted) SQLite store, which is never adopted
    /// silently: an administrator adopts it with `uw store adopt FILE`.
    StorePlain,
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
    /// The user lacks the role the action needs (the bank says `ROLE_MISSING`).
    MissingRole,
    /// The two-person check: the maker may not sign their own case off.
    SelfReview,
    /// Whoever edited a case, from its first draft on, may not sign it off.
    EditorReview,
    /// A statement signed here waits for the bank's answer: nothing more until it comes.
    AwaitingBank,
    /// The bank: the statement's signature does not verify, or it is not in the spec's form.
    SignatureInvalid,
    /// The bank holds no signing key of the signer.
    KeyUnknown,
    /// The signer's key was revoked before the statement was signed.
    KeyRevoked,
    /// The statement names another version or content than the one submitted.
    HashMismatch,
    /// A sign-off of a case that is not awaiting a decision.
    NotSubmitted,
    /// Someone signed the decision first; the message says who and when.
    AlreadyDecided,
    /// A submitted case is with its reviewer: returned to the maker before it changes.
    CaseUnderReview,
    /// A disbursement order of a case the bank has not approved.
    NotApproved,
    /// The case is decided at the bank: its terms are closed; only the disbursement's
    /// evidence changes.
    CaseDecided,
    /// A statement signed before the case's last decision or return.
    StaleStatement,
    /// An edit of a field only the system writes (the review block, a check's answer, a
    /// verdict, the lien, the disbursement); the message names its JSON path.
    OwnedField,
    /// An approved case whose terms are no longer the approved ones: no printing, no
    /// money, until it is reviewed again.
    TermsChanged,
    /// The directory has disabled the account.
    AccountDisabled,
    /// The directory no longer has an account that logged in here.
    AccountRemoved,
    /// The directory cannot be reached (and no offline login applies).
    DirectoryUnreachable,
    /// The directory's certificate or TLS failed.
    DirectoryTls,
    /// The directory's configuration is unusable; the message names the field.
    DirectoryConfig,
    /// The directory answered with something other than LDAP promises.
    DirectoryBadAnswer,
    /// The directory refused a new password.
    PasswordRefused,
    /// The offline login's time ran out: an online login is needed.
    OfflineLoginExpired,
    /// The person's stored signing key does not open.
    SigningKeyUnreadable,
    /// What a standalone workstation keeps (local accounts) is the directory's here.
    DirectoryMode,
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
    /// A note with nothing in it.
    NoteEmpty,
    /// A note longer than the bank keeps (4000 characters).
    NoteTooLong,
    /// The bank holds a note under this id with other words: a note is never changed.
    NoteExists,
    /// A condition of the approval without its text, owner or due date, or with a due date
    /// that is not a date or lies in the past, or a stage other than 1 or 2.
    ConditionTextRequired,
    ConditionOwnerRequired,
    ConditionDueRequired,
    ConditionDueInvalid,
    ConditionStageInvalid,
    /// A condition met without its evidence, or waived without the reason.
    ConditionEvidenceRequired,
    ConditionReasonRequired,
    /// A waiver by the person who raised the condition: it is a second person's.
    ConditionWaiveOwn,
    /// A close by the case's maker or an editor: a second person closes its conditions.
    ConditionSecondPerson,
    /// A close before the case is submitted (its maker is not known yet).
    ConditionNotSubmitted,
    /// An act on a condition met or waived already: a closed condition never reopens.
    ConditionClosed,
    /// The bank holds a condition under this id raised otherwise.
    ConditionExists,
    /// The bank holds no such condition on the case.
    ConditionUnknown,
    /// An open condition of the approval names this disbursement stage or an earlier one.
    ConditionOpen,
    /// Only a case being made (draft or returned) changes hands.
    AssignmentClosed,
    /// A claim of a case someone else works: a supervisor reassigns it.
    AlreadyAssigned,
    /// The bank's assignee is not the one the giver saw (a claim made meanwhile).
    AssignmentChanged,
    /// A case given to someone who is no underwriter (of its branch).
    AssigneeNotUnderwriter,
    /// A rejected version of a document is never marked again: a new scan is a new version.
    VerdictFinal,
    /// Another creditor's prohibition is on the VIN in the Pledge Registry (P-VEH-LIEN): the
    /// bank approves nothing pledged to someone else.
    VinPledged,
    /// An approval of a case the engine rejects or refers: the engine is not overruled.
    EngineNotApprove,
    /// An approval against the maker's proposal is an exception and says why.
    ExceptionReasonRequired,
    /// The checker holds no role with an exception limit.
    ExceptionNoAuthority,
    /// The loan amount is above the checker's exception limit.
    ExceptionOverLimit,
    /// The audit trail's hash chain does not verify: an entry was changed or removed.
    AuditBroken,
    /// Decisions wait: more audit entries than the limit lie past the bank's last anchor
    /// of the trail; a sync with the bank anchors them.
    AuditUnanchored,
    /// The bank refused the audit trail's head: it does not extend the bank's last anchor
    /// (the trail was cut, rewritten, or the store put back from an old copy).
    AuditNotExtended,
    /// The audit trail does not hold the bank's last anchor at its id with its hash.
    AuditRolledBack,
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
    /// A backup older than the bank's last anchor of this workstation's audit trail: not
    /// restored unless forced with a reason.
    BackupBehindBank,
    /// `uw doctor`: a check of the workstation's health failed (each named in the report).
    Unhealthy,
    /// A client's file asks more of the reader than its limits allow (a decompression
    /// bomb, a sheet of a billion cells), or the reader ran out of memory or time on it.
    FileOverLimit,
    /// `uw-parse`, the reader of clients' files, is not installed beside the program.
    ReaderMissing,

    // Administration and settings (`crate::admin`).
    /// One person, one account: the staff id has an account already.
    StaffIdTaken,
    /// An administrator changes their own account only as any user does (their password,
    /// their second factor): not their roles, not its state.
    SelfAdministration,
    /// The change would leave the workstation without an active administrator.
    LastAdministrator,
    /// The password an administrator set is changed before anything else.
    PasswordChangeRequired,
    /// The bank's CA bundle is not PEM certificates (or is empty); the message names the file.
    CaNotPem,
    /// The bank's CA bundle file cannot be read (missing, a folder, too large).
    CaUnreadable,
    /// "Test connection": the bank's host name does not resolve.
    BankDns,
    /// "Test connection": nothing answers at the bank's address (connection refused).
    BankConnectionRefused,
    /// "Test connection": TLS with the bank failed (its certificate, or no TLS there).
    BankTls,
    /// "Test connection": the bank did not answer in time.
    BankTimeout,
    /// "Test connection": the bank refused the workstation's token (401).
    BankUnauthorized,

    /// A recovery key whose check symbols do not add up; the message names the group.
    RecoveryKeyTypo,
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

    /// The code as it crosses the boundary (`TERMS_CHANGED`).
    pub fn code_name(&self) -> String {
        serde_json::to_value(self.code)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default()
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
            S::Plain { .. } => ErrorCode::StorePlain,
            S::AlreadyAStore { .. } => ErrorCode::AlreadyExists,
            S::NotFound(_) => ErrorCode::NotFound,
            S::Exists(_) => ErrorCode::CaseExists,
            S::Duplicate(_) => ErrorCode::AlreadyExists,
            S::StaffIdTaken { .. } => ErrorCode::StaffIdTaken,
            S::LastAdmin(_) => ErrorCode::LastAdministrator,
            S::NoUser(_) | S::NoCondition { .. } => ErrorCode::NotFound,
            S::ConditionClosed { .. } => ErrorCode::ConditionClosed,
            S::VersionConflict { .. } => ErrorCode::VersionConflict,
            S::Sql(_) => ErrorCode::Internal,
        };
        AppError::new(code, e.to_string())
    }
}

/// A domain refusal (a condition's, an assignment's) as the service reports it: its code
/// in the workstation's terms (the domain and the bank share the codes), its words.
pub fn domain_refusal(code: &str, message: String) -> AppError {
    let code = match code {
        "INVALID_INPUT" => ErrorCode::InvalidInput,
        "MISSING_ROLE" => ErrorCode::MissingRole,
        other => bank_code(other),
    };
    AppError::new(code, message)
}

/// The workstation's code for a refusal code of the bank (`dual-review.md`); any other
/// is `BANK_REFUSED`.
pub fn bank_code(code: &str) -> ErrorCode {
    match code {
        "SIGNATURE_INVALID" => ErrorCode::SignatureInvalid,
        "KEY_UNKNOWN" => ErrorCode::KeyUnknown,
        "KEY_REVOKED" => ErrorCode::KeyRevoked,
        "ROLE_MISSING" => ErrorCode::MissingRole,
        "SELF_REVIEW" => ErrorCode::SelfReview,
        "EDITOR_REVIEW" => ErrorCode::EditorReview,
        "HASH_MISMATCH" => ErrorCode::HashMismatch,
        "NOT_SUBMITTED" => ErrorCode::NotSubmitted,
        "ALREADY_DECIDED" => ErrorCode::AlreadyDecided,
        "CASE_UNDER_REVIEW" => ErrorCode::CaseUnderReview,
        "NOT_APPROVED" => ErrorCode::NotApproved,
        "CASE_DECIDED" => ErrorCode::CaseDecided,
        "STALE_STATEMENT" => ErrorCode::StaleStatement,
        "OWNED_FIELD" => ErrorCode::OwnedField,
        "CASE_EXISTS" => ErrorCode::CaseExists,
        "NOT_THE_MAKER" => ErrorCode::NotTheMaker,
        "COMMENT_REQUIRED" => ErrorCode::CommentRequired,
        "ACCOUNT_DISABLED" => ErrorCode::AccountDisabled,
        "AUDIT_NOT_EXTENDED" => ErrorCode::AuditNotExtended,
        "ENGINE_NOT_APPROVE" => ErrorCode::EngineNotApprove,
        "VIN_PLEDGED" => ErrorCode::VinPledged,
        "NOTE_EMPTY" => ErrorCode::NoteEmpty,
        "NOTE_TOO_LONG" => ErrorCode::NoteTooLong,
        "NOTE_EXISTS" => ErrorCode::NoteExists,
        "EXCEPTION_REASON_REQUIRED" => ErrorCode::ExceptionReasonRequired,
        "EXCEPTION_NO_AUTHORITY" => ErrorCode::ExceptionNoAuthority,
        "EXCEPTION_OVER_LIMIT" => ErrorCode::ExceptionOverLimit,
        "CONDITION_TEXT_REQUIRED" => ErrorCode::ConditionTextRequired,
        "CONDITION_OWNER_REQUIRED" => ErrorCode::ConditionOwnerRequired,
        "CONDITION_DUE_REQUIRED" => ErrorCode::ConditionDueRequired,
        "CONDITION_DUE_INVALID" => ErrorCode::ConditionDueInvalid,
        "CONDITION_STAGE_INVALID" => ErrorCode::ConditionStageInvalid,
        "CONDITION_EVIDENCE_REQUIRED" => ErrorCode::ConditionEvidenceRequired,
        "CONDITION_REASON_REQUIRED" => ErrorCode::ConditionReasonRequired,
        "CONDITION_WAIVE_OWN" => ErrorCode::ConditionWaiveOwn,
        "CONDITION_SECOND_PERSON" => ErrorCode::ConditionSecondPerson,
        "CONDITION_NOT_SUBMITTED" => ErrorCode::ConditionNotSubmitted,
        "CONDITION_CLOSED" => ErrorCode::ConditionClosed,
        "CONDITION_EXISTS" => ErrorCode::ConditionExists,
        "CONDITION_UNKNOWN" => ErrorCode::ConditionUnknown,
        "CONDITION_OPEN" => ErrorCode::ConditionOpen,
        "INVALID_CONDITION" | "INVALID_ASSIGNMENT" => ErrorCode::InvalidInput,
        "ASSIGNMENT_CLOSED" => ErrorCode::AssignmentClosed,
        "WRONG_STAGE" => ErrorCode::WrongStage,
        "ALREADY_ASSIGNED" => ErrorCode::AlreadyAssigned,
        "ASSIGNMENT_CHANGED" | "STALE_ASSIGNMENT" => ErrorCode::AssignmentChanged,
        "ASSIGNEE_NOT_UNDERWRITER" => ErrorCode::AssigneeNotUnderwriter,
        _ => ErrorCode::BankRefused,
    }
}

impl From<uw_bank_link::LinkError> for AppError {
    fn from(e: uw_bank_link::LinkError) -> Self {
        use uw_bank_link::LinkError as L;
        let code = match &e {
            L::BadAddress(_) | L::BadCaFile { .. } => ErrorCode::BankNotConfigured,
            // Never followed: the address in the settings is not the bank's.
            L::Redirected { .. } => ErrorCode::BankRefused,
            L::Offline(_) | L::Timeout(_) | L::Unavailable { .. } => ErrorCode::BankOffline,
            L::Rejected { code, .. } => bank_code(code),
            L::Unauthorized => ErrorCode::BankRefused,
            L::Conflict(_) => ErrorCode::VersionConflict,
            L::BadResponse { .. } => ErrorCode::BankBadAnswer,
        };
        AppError::new(code, e.to_string())
    }
}

pub type Result<T, E = AppError> = std::result::Result<T, E>;

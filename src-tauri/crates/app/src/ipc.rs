//! The types that cross the IPC boundary, and their TypeScript declarations.
//!
//! `ui/src/bindings.ts` is generated from these Rust types and committed; the test
//! `bindings_are_fresh` fails when it differs from what the types say now (regenerate
//! with `UPDATE_BINDINGS=1 cargo test -p uw-app bindings`). The UI never declares an IPC
//! type by hand.

use serde::Serialize;
use ts_rs::{Config, TS};

/// The `work` event: a command that calls the bank, the directory, the disk or the PDF
/// writer says, past its first 300 ms and then every second, that it is still at it, and
/// at the end how it ended — so the window shows it working while the rest stays usable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct WorkProgress {
    /// One command's run; its events share it.
    pub id: u64,
    /// The command's name (`pull_bureau`): the window words it.
    pub command: String,
    /// The case it works on, when it is one case's.
    pub case_id: Option<String>,
    /// Whole seconds since it started.
    pub seconds: u64,
    pub state: WorkState,
    /// Why it failed (`failed` only).
    pub error: Option<crate::AppError>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum WorkState {
    Running,
    Done,
    Failed,
}

macro_rules! declarations {
    ($cfg:expr; $($t:ty),* $(,)?) => {{
        let mut out = Vec::new();
        $( out.push(format!("export {}", <$t as TS>::decl($cfg))); )*
        out
    }};
}

/// The full text of `ui/src/bindings.ts`.
pub fn typescript_bindings() -> String {
    use uw_domain::case::*;
    use uw_domain::decision::*;
    use uw_domain::income::*;
    use uw_domain::schedule::ScheduleRow;
    use uw_domain::vin::{CheckDigit, VinReport};
    let cfg = Config::new().with_large_int("number");
    use uw_domain::money::{Date, Money, YearMonth};
    let decls = declarations!(&cfg;
        Money, Date, YearMonth,
        CaseFile, Role, Party, Identity, IncomeKind, IncomeSource, CreditHistory, SellerKind,
        Vehicle, ScheduleKind, Loan, InsuranceKind, InsurancePolicy, DocumentKind, DocumentStatus,
        Document, LienStatus, Pledge, LienEvent, ReviewDecision, Review,
        HistorySource, HistoryOrigin, StateCheck, RegisterStatus, DocumentCheck,
        crate::ScanList, uw_store::Attachment,
        uw_domain::bureau::BureauReport, uw_domain::bureau::OpenLoan, uw_domain::bureau::Guarantee,
        uw_domain::bureau::Episode, uw_domain::bureau::ClosedLoan,
        uw_domain::identity::IdentityCheck, uw_domain::identity::Sex,
        Disbursement, DeliveryNotice, Funds, DisbursementOrder, Evidence,
        uw_domain::disbursement::Fact, uw_domain::disbursement::StagePlan,
        uw_domain::disbursement::BlockerView, crate::DisbursementView, crate::AgreementPreview, crate::PrintedFile,
        crate::WhatIfReport, crate::WhatIfCase, uw_domain::what_if::Change, crate::Exported,
        crate::Dashboard, crate::Workload, crate::Count, crate::DecisionTimes, crate::PortfolioView, crate::BranchView,
        uw_domain::product_stop::ScopeHealth, uw_domain::product_stop::Figure, uw_domain::product_stop::Measure,
        Decision, uw_domain::rule::Rule, Reason, Warning, ConditionStatus, Condition, Metrics, CounterOffer, Evaluation,
        ScheduleRow, HouseholdIncome, SourceIncome, PartyIncome, Exclusion, VinReport, CheckDigit,
        statements::StatementIncome, statements::StatementSource, statements::Flag,
        statements::ClassifiedTransaction, statements::Direction,
        uw_domain::income::official::OfficialIncome, uw_domain::income::official::OfficialRecord,
        uw_domain::income::official::OfficialComparison,
        uw_domain::income::official::SourceComparison, uw_domain::income::official::MonthPair,
        uw_domain::income::official::Matched,
        uw_store::QueueQuery, uw_store::QueueRow, uw_store::QueuePage, uw_store::SortKey,
        uw_store::CaseEvent, uw_store::StoredNote, uw_store::LienAlert,
        crate::ConditionView, crate::AssignmentView, uw_domain::approval_conditions::ApprovalCondition,
        uw_domain::approval_conditions::Status, uw_domain::approval_conditions::NewCondition,
        uw_domain::approval_conditions::Closing,
        crate::AppError, crate::ErrorCode, crate::AppStatus, crate::CaseView,
        crate::RequiredDocument, crate::ImportReport,
        crate::IncomeView, crate::AttachedStatement, crate::ReclassificationView,
        crate::ReadProgress, crate::Session, crate::SessionStatus, crate::TotpSetup, crate::StoreState, crate::NewUser, crate::ReviewView, crate::ApprovalNeed,
        uw_domain::review::Workflow, uw_domain::review::Stage, uw_domain::review::Proposal, uw_domain::review::Figures,
        uw_domain::review::SubmittedVersion, uw_domain::review::Pending, uw_domain::review::BankRefusal,
        uw_domain::review::Exception,
        crate::LoginMode, crate::RefusedStatement,
        uw_store::AuditEntry, uw_store::BackupSummary,
        crate::SyncStatus, crate::SyncReport, crate::ConflictView, crate::FieldDifference, crate::Keep,
        // Administration.
        crate::UserView, crate::UserRoles, crate::AdminSettings, crate::BankSettings,
        crate::CaBundleView, crate::BankInput, crate::BackupSettings, crate::DirectorySettings,
        crate::DirectoryInput,
        crate::store_key::NewRecoveryKey, crate::store_key::Recovered,
        crate::SupportBundle, WorkProgress, WorkState,
    );
    let mut text = String::from(
        "// Generated from the Rust types by uw-app (src-tauri/crates/app/src/ipc.rs).\n\
         // Do not edit: run `UPDATE_BINDINGS=1 cargo test -p uw-app bindings`.\n\n",
    );
    for d in decls {
        text.push_str(&d);
        text.push_str("\n\n");
    }
    text.truncate(text.trim_end().len());
    text.push('\n');
    text
}

//! The application services: the one API that the desktop commands, the `uw` command line
//! and the tests call.
//!
//! Invariant: everything a user can do goes through a function here, so a check made here
//! (a valid case, a current version) cannot be skipped by calling the UI differently. This
//! crate owns the clock and the files; the domain crate stays pure and the store crate
//! stays ignorant of the rules.

mod admin;
mod agreement;
mod assignment;
mod attachments;
mod audit;
pub mod backup;
mod cases;
mod checks;
mod conditions;
mod dashboard;
mod demo;
mod disbursement;
pub mod doctor;
pub mod error;
mod export;
mod identity;
mod income;
pub mod ipc;
pub mod keyring;
mod keys;
pub mod logs;
mod memo;
mod notes;
pub mod paths;
#[cfg(any(test, feature = "privacy-scan"))]
pub mod privacy;
pub mod recovery;
mod review;
mod statements;
pub mod store_key;
mod support;
mod sync;
pub mod totp;
pub mod untrusted;
mod users;
mod what_if;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use serde::Serialize;
use ts_rs::TS;
use uw_domain::vin::WmiTable;
use uw_domain::ProductConfig;
use uw_store::Store;

pub use admin::{
    AdminSettings, BackupInput, BackupSettings, BankInput, BankSettings, CaBundleView,
    DirectoryInput, DirectorySettings, UserRoles, UserView, BACKUP_FOLDER, BACKUP_KEEP,
    BACKUP_TIME, BANK_CA_PEM, BANK_CA_SOURCE, DEFAULT_BACKUP_KEEP,
};
pub use agreement::{offer_from_file, specimen_from_file, AgreementPreview, PrintedFile};
pub use assignment::{AssignmentView, ASSIGNMENT};
pub use attachments::{inspect, ScanList, MAX_SCAN_BYTES};
pub use audit::{AUDIT_UNANCHORED_LIMIT, UNANCHORED_LIMIT};
pub use cases::{CaseView, ImportReport, RequiredDocument};
pub use conditions::{ConditionView, CONDITION};
pub use dashboard::{BranchView, Count, Dashboard, DecisionTimes, PortfolioView, Workload};
pub use disbursement::{DisbursementView, PLEDGE_REQUEST};
pub use error::{AppError, ErrorCode, Result};
pub use export::Exported;
pub use income::{
    read_with_progress, AttachedStatement, IncomeView, ReadProgress, ReclassificationView,
    MAX_STATEMENT_BYTES,
};
pub use ipc::{WorkProgress, WorkState};
pub use paths::StoreState;
pub use review::{ApprovalNeed, ReviewView};
pub use support::{support_file_name, SupportBundle};
pub use sync::{
    ConflictView, FieldDifference, Keep, RefusedStatement, SyncOptions, SyncReport, SyncStatus,
    BANK_BRANCH, BANK_CA_FILE, BANK_TOKEN, BANK_URL,
};
pub use users::{
    hash_password, verify_password, LoginMode, NewUser, Session, SessionStatus, TotpSetup,
};
pub use uw_bank_link::BankConfig;
pub use uw_directory::{DirectoryConfig, DirectoryError};
pub use uw_store::BackupSummary;
pub use uw_store::StoredNote;
pub use uw_store::{Attachment, CaseEvent, QueuePage, QueueQuery, QueueRow, SortKey, StoreKey};
pub use what_if::{WhatIfCase, WhatIfReport};
/// Secrets read by the `uw` command line (a recovery key, a passphrase) are wiped after use.
pub use zeroize::Zeroizing;

/// The shipped product configuration (the salary-client auto loan passport).
pub const PRODUCT_JSON: &str = include_str!("../../../../assets/product/salary-auto-loan.json");
const WMI_JSON: &str = include_str!("../../../../assets/vin/wmi.json");
const CLASSIFICATION_JSON: &str = include_str!("../../../../assets/income/classification.json");
const SLA_JSON: &str = include_str!("../../../../assets/queue/sla.json");
const AUTHORITY_JSON: &str = include_str!("../../../../assets/review/authority.json");

pub fn default_product() -> ProductConfig {
    // The shipped file is checked by a test; a broken one must not reach a build.
    uw_domain::parse_product(PRODUCT_JSON).expect("assets/product/salary-auto-loan.json is valid")
}

/// The queue's SLA clock (`assets/queue/sla.json`; checked by a test).
pub fn sla_rules() -> uw_domain::sla::SlaRules {
    uw_domain::sla::parse_sla(SLA_JSON).expect("assets/queue/sla.json is valid")
}

/// Who may approve by exception, up to which amount (`assets/review/authority.json`;
/// checked by a test).
pub fn authority() -> uw_domain::review::exception::Authority {
    uw_domain::review::exception::parse_authority(AUTHORITY_JSON)
        .expect("assets/review/authority.json is valid")
}

pub fn wmi_table() -> WmiTable {
    serde_json::from_str(WMI_JSON).expect("assets/vin/wmi.json is valid")
}

pub fn income_classification() -> uw_domain::income::statements::Classification {
    serde_json::from_str(CLASSIFICATION_JSON).expect("assets/income/classification.json is valid")
}

pub fn csv_layouts() -> uw_statements::CsvLayouts {
    uw_parse::csv_layouts()
}

pub use income::files::{income_of_files, IncomeOfFiles};

/// Reads a product configuration file (a revised passport).
pub fn load_product(path: &Path) -> Result<ProductConfig> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| AppError::new(ErrorCode::Io, format!("{}: {e}", path.display())))?;
    uw_domain::parse_product(&text)
        .map_err(|e| AppError::new(ErrorCode::InvalidInput, format!("{}: {e}", path.display())))
}

#[derive(Clone, Debug)]
pub struct OpenOptions {
    pub data_dir: PathBuf,
    /// Who acts (recorded with every change). Until users and roles exist this is the
    /// operating-system user.
    pub actor: String,
    /// Seed the demo cases (and the demo users) into an empty store.
    pub demo: bool,
    /// The key of the encrypted store (`paths::store_key`).
    pub key: uw_store::StoreKey,
    /// Every change needs a logged-in user (the desktop). The `uw` command line, which
    /// has no workflow commands, acts as the operating-system user.
    pub require_login: bool,
    /// The core bank, when given from outside (UW_BANK_URL); otherwise the settings.
    pub bank: Option<BankConfig>,
    /// The bank's staff directory, when given from outside (UW_DIRECTORY_CONFIG);
    /// otherwise the settings' (`directory.config`); none: a standalone workstation with
    /// local accounts.
    pub directory: Option<uw_directory::DirectoryConfig>,
}

/// What the status bar shows.
#[derive(Clone, Debug, Serialize, TS)]
pub struct AppStatus {
    pub data_dir: String,
    pub demo: bool,
    pub case_count: i64,
    pub product: String,
    pub actor: String,
    /// Whether the last sync reached the core bank.
    pub online: bool,
    /// The window's language: the last choice made here, else the default (uz).
    pub language: String,
}

const LANGUAGE: &str = "language";
/// The directory's configuration (JSON), as an administrator set it.
pub const DIRECTORY_SETTING: &str = "directory.config";

pub struct Workstation {
    store: Mutex<Store>,
    product: ProductConfig,
    wmi: WmiTable,
    sla: uw_domain::sla::SlaRules,
    classification: uw_domain::income::statements::Classification,
    actor: String,
    require_login: bool,
    session: Mutex<Option<users::Active>>,
    idle: Mutex<std::time::Duration>,
    /// A second factor being set up: (user, secret) until its first code confirms it.
    pending_totp: Mutex<Option<(String, Vec<u8>)>>,
    demo: bool,
    data_dir: PathBuf,
    /// The store's key, for the backups, which read through connections of their own.
    key: StoreKey,
    bank_override: Option<BankConfig>,
    /// The bank's directory: people log in with it and sign with their own keys. `None`:
    /// standalone, local accounts.
    directory: Option<uw_directory::Directory>,
    /// The directory was given from outside (UW_DIRECTORY_CONFIG), not the settings'.
    directory_given: bool,
    /// Wrong offline passwords in a row, per person (`identity::OFFLINE_FAILURES`).
    offline_failures: Mutex<std::collections::HashMap<String, u32>>,
    /// The bank client, built on first use.
    bank: Mutex<Option<std::sync::Arc<uw_bank_link::Bank>>>,
    sync_options: Mutex<SyncOptions>,
    /// One sync pass at a time.
    sync_running: Mutex<()>,
    /// The product stop's verdicts from the last portfolio figures, read once from the
    /// store (every evaluation of an open case asks); replaced when new figures arrive.
    stop: Mutex<Option<std::sync::Arc<Option<uw_domain::product_stop::Health>>>>,
}

impl Workstation {
    pub fn open(opts: OpenOptions) -> Result<Workstation> {
        paths::private_dir(&opts.data_dir)?;
        let store = Store::open(&opts.data_dir.join("cases.db"), &opts.key)?;
        let key = opts.key;
        let ws = Workstation {
            store: Mutex::new(store),
            product: default_product(),
            wmi: wmi_table(),
            sla: sla_rules(),
            classification: income_classification(),
            actor: opts.actor,
            require_login: opts.require_login,
            session: Mutex::new(None),
            idle: Mutex::new(std::time::Duration::from_secs(
                users::DEFAULT_IDLE_MINUTES * 60,
            )),
            pending_totp: Mutex::new(None),
            demo: opts.demo,
            data_dir: opts.data_dir,
            key,
            bank_override: opts.bank,
            directory: None,
            directory_given: opts.directory.is_some(),
            offline_failures: Mutex::new(std::collections::HashMap::new()),
            bank: Mutex::new(None),
            sync_options: Mutex::new(SyncOptions::default()),
            sync_running: Mutex::new(()),
            stop: Mutex::new(None),
        };
        let mut ws = ws;
        ws.directory = ws
            .directory_config(opts.directory)?
            .map(uw_directory::Directory::new)
            .transpose()
            .map_err(|e| AppError::new(ErrorCode::DirectoryConfig, e.to_string()))?;
        // With a bank, the demo queue comes from it (the first sync pulls it).
        if opts.demo && !ws.bank_configured() && ws.store()?.count_cases()? == 0 {
            demo::seed(&ws)?;
        }
        let idle_minutes = ws
            .store()?
            .setting(users::IDLE_SETTING)?
            .and_then(|m| m.parse::<u64>().ok())
            .filter(|m| (1..=240).contains(m));
        if let Some(m) = idle_minutes {
            *ws.idle.lock().unwrap_or_else(|p| p.into_inner()) =
                std::time::Duration::from_secs(m * 60);
        }
        ws.derive_missing()?;
        // Copies a viewer was given before a crash or a power cut.
        ws.clear_printed();
        if opts.demo && ws.needs_setup()? {
            demo::seed_users(&ws)?;
        }
        Ok(ws)
    }

    /// The directory given from outside, else the one an administrator set.
    fn directory_config(
        &self,
        given: Option<uw_directory::DirectoryConfig>,
    ) -> Result<Option<uw_directory::DirectoryConfig>> {
        if given.is_some() {
            return Ok(given);
        }
        let Some(json) = self
            .store()?
            .setting(DIRECTORY_SETTING)?
            .filter(|j| !j.is_empty())
        else {
            return Ok(None);
        };
        uw_directory::DirectoryConfig::parse(&json)
            .map(Some)
            .map_err(|e| AppError::new(ErrorCode::DirectoryConfig, format!("settings: {e}")))
    }

    /// Whether people log in with the bank's directory (and sign with their own keys).
    pub fn directory_mode(&self) -> bool {
        self.directory.is_some()
    }

    fn store(&self) -> Result<MutexGuard<'_, Store>> {
        // A panic while the lock was held would poison it; the store itself is
        // transactional, so the data is consistent and the guard can be reused.
        Ok(self.store.lock().unwrap_or_else(|p| p.into_inner()))
    }

    pub fn product(&self) -> &ProductConfig {
        &self.product
    }

    /// What the top bar shows. Before a login (the login screen asks too) it says nothing
    /// of the cases or of who works here.
    pub fn status(&self) -> Result<AppStatus> {
        let session = self.session();
        let (case_count, online) = {
            let store = self.store()?;
            let online = store.setting(sync::ONLINE)?.as_deref() == Some("true");
            let count = if session.is_some() || !self.require_login {
                store.count_cases()?
            } else {
                0
            };
            (count, online)
        };
        Ok(AppStatus {
            data_dir: self.data_dir.display().to_string(),
            demo: self.demo,
            case_count,
            product: self.product.name.clone(),
            actor: match session {
                Some(s) => s.username,
                None if self.require_login => String::new(),
                None => self.actor.clone(),
            },
            online,
            language: self.language()?,
        })
    }

    fn language(&self) -> Result<String> {
        Ok(self
            .store()?
            .setting(LANGUAGE)?
            .filter(|l| paths::LANGUAGES.contains(&l.as_str()))
            .unwrap_or_else(paths::default_language))
    }

    /// Remembers the window's language for this workstation (any user, next start too).
    pub fn set_language(&self, lang: &str) -> Result<()> {
        if !paths::LANGUAGES.contains(&lang) {
            return Err(AppError::new(
                ErrorCode::InvalidInput,
                format!("language: {lang:?} is not one of uz, ru, en"),
            ));
        }
        self.store()?.set_setting(LANGUAGE, lang)?;
        Ok(())
    }

    /// One page of the queue, each open case with its SLA deadlines. With the bank's
    /// directory, a reviewer's view (`not_made_by`) is their review inbox as the bank served
    /// it at the last sync.
    pub fn queue(&self, q: &QueueQuery) -> Result<QueuePage> {
        Ok(QueuePage {
            rows: self.queue_rows(q)?,
            total: self.queue_total(q)?,
            offset: q.offset,
        })
    }

    /// [`Self::queue`]'s rows alone: the window shows them before the count arrives.
    pub fn queue_rows(&self, q: &QueueQuery) -> Result<Vec<QueueRow>> {
        let mut rows = self.store()?.queue_rows(&self.queue_query(q))?;
        for r in &mut rows {
            if let Some((due, soon)) = uw_domain::sla::deadlines(
                &self.sla,
                &r.status,
                &r.received_at,
                r.assigned_at.as_deref(),
            ) {
                r.due_at = Some(due);
                r.due_soon_at = Some(soon);
            }
        }
        Ok(rows)
    }

    /// How many cases [`Self::queue`]'s query matches.
    pub fn queue_total(&self, q: &QueueQuery) -> Result<i64> {
        Ok(self.store()?.queue_total(&self.queue_query(q))?)
    }

    /// The query as the store runs it: with the bank's directory, a reviewer's view is
    /// their review inbox as the bank served it at the last sync.
    fn queue_query(&self, q: &QueueQuery) -> QueueQuery {
        let mut q = q.clone();
        if self.directory.is_some() && q.inbox_of.is_none() {
            q.inbox_of = q.not_made_by.clone();
        }
        q
    }

    pub fn integrity_check(&self) -> Result<String> {
        Ok(self.store()?.integrity_check()?)
    }
}

pub(crate) fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests;

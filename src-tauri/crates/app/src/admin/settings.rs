//! The workstation's settings on the administration screen: the bank (address, token,
//! branch, CA bundle), the backup folder and schedule, the language, and the directory's
//! configuration — validated, kept in the encrypted store, each change audited with it.
//!
//! Readings:
//! - The bank's CA bundle is kept as its text in the store, not as a path: so it is
//!   encrypted with the store, nobody who can write the file changes whom the workstation
//!   trusts, and the desktop does not depend on the folder where the administrator found
//!   the file. It is read and checked once, when saved (PEM certificates only: not PEM,
//!   empty or holding a private key is `CA_NOT_PEM`, a file that does not read
//!   `CA_UNREADABLE`); the file's name is kept to show where it came from. A path saved by
//!   an earlier version (`bank.ca_file`) is honoured until the next save.
//! - A setting takes effect: the bank's at the next call (the client is rebuilt); the
//!   directory's at the next start (a logged-in person keeps the mode they logged in
//!   with; switching under them would change who they are); the language at once.
//! - "Test connection" tests what is saved and in use — the address given from outside
//!   (`UW_BANK_URL`, `UW_DIRECTORY_CONFIG`) when there is one — so the administrator
//!   saves, then tests.
//! - Backups: the folder is absolute, exists, the workstation can write in it, and lies
//!   outside the data folder (a backup beside the store is lost with its disk); an empty
//!   folder turns the daily backup off. The time is the workstation's local time, HH:MM.

use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use ts_rs::TS;
use uw_bank_link::{Bank, BankConfig, Fault, LinkError};
use uw_directory::DirectoryConfig;

use crate::error::{AppError, ErrorCode, Result};
use crate::identity::off_runtime;
use crate::sync::{BANK_BRANCH, BANK_CA_FILE, BANK_TOKEN, BANK_URL};
use crate::{now_rfc3339, Workstation, DIRECTORY_SETTING};

/// The bank's CA bundle, its PEM text (see the module's readings).
pub const BANK_CA_PEM: &str = "bank.ca_pem";
/// The file the bundle was read from, to show.
pub const BANK_CA_SOURCE: &str = "bank.ca_source";
/// The daily backup: the folder (empty: off), the time (HH:MM, local) and how many
/// backups are kept (1–90).
pub const BACKUP_FOLDER: &str = "backup.folder";
pub const BACKUP_TIME: &str = "backup.time";
pub const BACKUP_KEEP: &str = "backup.keep";
pub const DEFAULT_BACKUP_KEEP: u32 = 7;
const MAX_BACKUP_KEEP: u32 = 90;
/// A CA bundle is a few kilobytes; anything far larger is not one.
const MAX_CA_BYTES: u64 = 1024 * 1024;
const MAX_TOKEN_CHARS: usize = 4096;

/// Every non-secret setting, as the administration screen shows it.
#[derive(Clone, Debug, Serialize, TS)]
pub struct AdminSettings {
    /// Whose accounts log in now: `standalone` or `directory`.
    pub mode: String,
    pub idle_minutes: u32,
    pub language: String,
    pub bank: BankSettings,
    pub backup: BackupSettings,
    pub directory: DirectorySettings,
}

#[derive(Clone, Debug, Serialize, TS)]
pub struct BankSettings {
    /// The address in use when given from outside (`UW_BANK_URL`): the saved settings
    /// wait meanwhile.
    pub environment_url: Option<String>,
    pub url: String,
    /// Whether a token is saved (never the token).
    pub token_set: bool,
    pub branch: String,
    pub ca_bundle: Option<CaBundleView>,
}

#[derive(Clone, Debug, Serialize, TS)]
pub struct CaBundleView {
    /// The file it was read from.
    pub source: String,
    /// Kept as text in the store (`false`: an earlier version's path, read at each use).
    pub stored: bool,
    pub certificates: u32,
    /// SHA-256 of the text, to compare with the bundle the bank published.
    pub sha256: String,
}

/// A change of the bank's settings; `None` keeps what is saved.
#[derive(Clone, Debug, Deserialize, TS)]
pub struct BankInput {
    /// Empty: no bank (a workstation on its own).
    pub url: String,
    /// A new token (write-only); `None` keeps the saved one.
    pub token: Option<String>,
    pub branch: String,
    /// A CA bundle file to read now; its text is kept.
    pub ca_file: Option<String>,
    /// Drops the saved bundle: the built-in public roots again.
    pub clear_ca: bool,
}

/// The daily backup (also the input that changes it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BackupSettings {
    /// Absolute; empty: no daily backup.
    pub folder: String,
    /// HH:MM, the workstation's local time.
    pub time: String,
    /// How many backups are kept (1–90).
    pub keep: u32,
}

pub type BackupInput = BackupSettings;

#[derive(Clone, Debug, Default, Serialize, TS)]
pub struct DirectorySettings {
    /// People log in with the directory now.
    pub active: bool,
    /// The directory in use was given from outside (`UW_DIRECTORY_CONFIG`).
    pub from_environment: bool,
    /// A configuration is saved (used from the next start, unless one is given from outside).
    pub saved: bool,
    pub url: String,
    pub starttls: bool,
    pub ca_file: String,
    pub base_dn: String,
    pub user_attribute: String,
    pub branch_attribute: String,
    pub service_dn: String,
    /// Whether a bind password is saved (never the password).
    pub service_password_set: bool,
    pub underwriter_group: String,
    pub reviewer_group: String,
    pub administrator_group: String,
    /// Empty: no supervisors.
    pub supervisor_group: String,
    pub disabled_filter: String,
}

/// A change of the directory's configuration. An empty `url` removes it (the workstation
/// is standalone from the next start).
#[derive(Clone, Debug, Default, Deserialize, TS)]
pub struct DirectoryInput {
    pub url: String,
    pub starttls: bool,
    pub ca_file: String,
    pub base_dn: String,
    pub user_attribute: String,
    pub branch_attribute: String,
    /// Empty: no service account (an anonymous search).
    pub service_dn: String,
    /// A new bind password (write-only); `None` keeps the saved one.
    pub service_password: Option<String>,
    pub underwriter_group: String,
    pub reviewer_group: String,
    pub administrator_group: String,
    /// Empty: no supervisors (no one reassigns cases).
    #[serde(default)]
    pub supervisor_group: String,
    pub disabled_filter: String,
}

/// A CA bundle read from a file and checked.
pub(crate) struct CaBundle {
    pub text: String,
    pub source: String,
    pub certificates: usize,
}

/// Reads and checks the bank's CA bundle: a regular file of at most 1 MiB
/// (`CA_UNREADABLE`), holding PEM certificates and nothing else (`CA_NOT_PEM`); each
/// error names the file.
pub(crate) fn read_ca_bundle(path: &Path) -> Result<CaBundle> {
    let source = std::path::absolute(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string();
    let unreadable = |why: &str| {
        AppError::new(
            ErrorCode::CaUnreadable,
            format!("ca_file: the bank's CA file {source}: {why}"),
        )
    };
    let meta = std::fs::metadata(path).map_err(|e| unreadable(&e.to_string()))?;
    if !meta.is_file() {
        return Err(unreadable("not a file"));
    }
    if meta.len() > MAX_CA_BYTES {
        return Err(unreadable("larger than 1 MiB: not a CA bundle"));
    }
    let bytes = std::fs::read(path).map_err(|e| unreadable(&e.to_string()))?;
    let not_pem = |why: &str| {
        AppError::new(
            ErrorCode::CaNotPem,
            format!("ca_file: the bank's CA file {source}: {why}"),
        )
    };
    let text = String::from_utf8(bytes).map_err(|_| {
        not_pem("not PEM text (a DER certificate? convert it with `openssl x509 -inform DER`)")
    })?;
    if text.trim().is_empty() {
        return Err(not_pem("is empty"));
    }
    if text.contains("PRIVATE KEY-----") {
        return Err(not_pem(
            "holds a private key: the bundle is the CA's certificates only",
        ));
    }
    let certificates = off_runtime(|| uw_bank_link::check_ca_bundle(&source, text.as_bytes()))
        .map_err(|e| AppError::new(ErrorCode::CaNotPem, format!("ca_file: {e}")))?;
    Ok(CaBundle {
        text,
        source,
        certificates,
    })
}

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// How a save changes the CA bundle.
pub(crate) enum CaChange {
    Keep,
    Clear,
    Set(CaBundle),
}

fn invalid(field: &str, why: impl std::fmt::Display) -> AppError {
    AppError::new(ErrorCode::InvalidInput, format!("{field}: {why}"))
}

/// A bearer token: one line of printable characters.
fn check_token(token: &str) -> Result<String> {
    let t = token.trim();
    if t.is_empty() || t.chars().count() > MAX_TOKEN_CHARS {
        return Err(invalid("token", "1 to 4096 characters"));
    }
    if t.chars().any(|c| c.is_control() || c.is_whitespace()) {
        // Never echoed: the message says what is wrong, not the value.
        return Err(invalid("token", "no spaces or control characters"));
    }
    Ok(t.to_string())
}

/// A branch code such as BXM-07, or empty (every branch's queue).
fn check_branch(branch: &str) -> Result<String> {
    let b = branch.trim();
    let ok = b.len() <= 32
        && b.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if ok {
        Ok(b.to_string())
    } else {
        Err(invalid(
            "branch",
            "a branch code such as BXM-07 (letters, digits, '-', '_', '.'; at most 32)",
        ))
    }
}

/// The backup folder: absolute, an existing folder the workstation can write in, outside
/// the data folder.
fn check_backup_folder(folder: &str, data_dir: &Path) -> Result<()> {
    let path = Path::new(folder);
    if !path.is_absolute() {
        return Err(invalid(
            "backup.folder",
            format!("{folder}: not an absolute path"),
        ));
    }
    let real = path
        .canonicalize()
        .map_err(|e| invalid("backup.folder", format!("{folder}: {e}")))?;
    if !real.is_dir() {
        return Err(invalid("backup.folder", format!("{folder}: not a folder")));
    }
    let data = data_dir
        .canonicalize()
        .unwrap_or_else(|_| data_dir.to_path_buf());
    if real.starts_with(&data) {
        return Err(invalid(
            "backup.folder",
            format!("{folder}: inside the data folder; a backup belongs on another disk"),
        ));
    }
    let probe = real.join(format!(".uw-write-check-{}", std::process::id()));
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
        .map_err(|e| invalid("backup.folder", format!("{folder}: not writable ({e})")))?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// "Test connection" to the bank: what failed, as its code.
fn bank_fault(f: &uw_bank_link::ConnectionFailure) -> AppError {
    let code = match f.fault {
        Fault::Dns => ErrorCode::BankDns,
        Fault::Refused => ErrorCode::BankConnectionRefused,
        Fault::Tls => ErrorCode::BankTls,
        Fault::Timeout => ErrorCode::BankTimeout,
        Fault::Unauthorized => ErrorCode::BankUnauthorized,
        Fault::Redirected => ErrorCode::BankRefused,
        Fault::Unavailable | Fault::Unreachable => ErrorCode::BankOffline,
        Fault::BadAnswer => ErrorCode::BankBadAnswer,
    };
    AppError::new(code, f.message.clone())
}

/// A bank address or CA refused when the settings are saved.
fn bank_config_error(e: LinkError) -> AppError {
    match e {
        LinkError::BadAddress(_) => invalid("url", e),
        LinkError::BadCaFile { .. } => AppError::new(ErrorCode::CaNotPem, format!("ca_file: {e}")),
        other => other.into(),
    }
}

/// A directory configuration as saved, not checked (a view must show even a broken one).
fn parse_saved(json: &str) -> Option<DirectoryConfig> {
    serde_json::from_str(json).ok()
}

fn directory_view(c: &DirectoryConfig) -> DirectorySettings {
    DirectorySettings {
        url: c.url.clone(),
        starttls: c.starttls,
        ca_file: c.ca_file.clone().unwrap_or_default(),
        base_dn: c.base_dn.clone(),
        user_attribute: c.user_attribute.clone(),
        branch_attribute: c.branch_attribute.clone(),
        service_dn: c.service_dn.clone().unwrap_or_default(),
        service_password_set: c.service_password.is_some(),
        underwriter_group: c.groups.underwriter.clone(),
        reviewer_group: c.groups.reviewer.clone(),
        administrator_group: c.groups.administrator.clone(),
        supervisor_group: c.groups.supervisor.clone().unwrap_or_default(),
        disabled_filter: c.disabled_filter.clone().unwrap_or_default(),
        ..DirectorySettings::default()
    }
}

/// A JSON value that says something (null and absent alike say nothing).
fn present(v: Option<&Value>) -> Option<&Value> {
    v.filter(|v| !v.is_null())
}

/// The input over the saved configuration (its other fields kept), as JSON for
/// `DirectoryConfig::parse`, which checks it; and what the audit says of the password.
fn directory_json(
    input: &DirectoryInput,
    saved: Option<&DirectoryConfig>,
) -> (Value, &'static str) {
    let mut v = saved
        .and_then(|c| serde_json::to_value(c).ok())
        .unwrap_or_else(|| json!({}));
    let text = |s: &str| {
        let s = s.trim();
        (!s.is_empty()).then(|| Value::String(s.to_string()))
    };
    let fields = [
        ("url", text(&input.url)),
        ("ca_file", text(&input.ca_file)),
        ("base_dn", text(&input.base_dn)),
        ("user_attribute", text(&input.user_attribute)),
        ("branch_attribute", text(&input.branch_attribute)),
        ("service_dn", text(&input.service_dn)),
        ("disabled_filter", text(&input.disabled_filter)),
    ];
    // Where the bind password goes: a saved one is kept only while this stays the same.
    const WHERE: [&str; 4] = ["url", "ca_file", "starttls", "service_dn"];
    let before: Vec<Option<Value>> = WHERE.iter().map(|k| v.get(*k).cloned()).collect();
    let Some(obj) = v.as_object_mut() else {
        return (v, "none");
    };
    for (key, value) in fields {
        match value {
            Some(value) => obj.insert(key.into(), value),
            None => obj.remove(key),
        };
    }
    obj.insert("starttls".into(), Value::Bool(input.starttls));
    let mut groups = json!({
        "underwriter": input.underwriter_group.trim(),
        "reviewer": input.reviewer_group.trim(),
        "administrator": input.administrator_group.trim(),
    });
    if let Some(dn) = text(&input.supervisor_group) {
        groups["supervisor"] = dn;
    }
    obj.insert("groups".into(), groups);
    let password = if input.service_dn.trim().is_empty() {
        obj.remove("service_password");
        "none"
    } else if let Some(p) = &input.service_password {
        obj.insert("service_password".into(), Value::String(p.clone()));
        "replaced"
    } else if obj.contains_key("service_password")
        && WHERE
            .iter()
            .zip(&before)
            .all(|(k, was)| present(obj.get(*k)) == present(was.as_ref()))
    {
        "kept"
    } else {
        // A new address, TLS or account: the saved password is not sent there; the
        // administrator types it again.
        obj.remove("service_password");
        "none"
    };
    (v, password)
}

impl Workstation {
    /// Every non-secret setting.
    pub fn admin_settings(&self) -> Result<AdminSettings> {
        self.require_admin()?;
        Ok(AdminSettings {
            mode: if self.directory_mode() {
                "directory"
            } else {
                "standalone"
            }
            .into(),
            idle_minutes: u32::try_from(self.idle_limit().as_secs() / 60).unwrap_or(u32::MAX),
            language: self.language()?,
            bank: self.bank_settings()?,
            backup: self.backup_settings()?,
            directory: self.directory_settings()?,
        })
    }

    fn bank_settings(&self) -> Result<BankSettings> {
        let store = self.store()?;
        let get = |k: &str| -> Result<String> { Ok(store.setting(k)?.unwrap_or_default()) };
        let pem = get(BANK_CA_PEM)?;
        let legacy = get(BANK_CA_FILE)?;
        let ca_bundle = if !pem.is_empty() {
            let n = off_runtime(|| uw_bank_link::check_ca_bundle("", pem.as_bytes())).unwrap_or(0);
            Some(CaBundleView {
                source: get(BANK_CA_SOURCE)?,
                stored: true,
                certificates: u32::try_from(n).unwrap_or(0),
                sha256: sha256_hex(&pem),
            })
        } else {
            (!legacy.is_empty()).then(|| CaBundleView {
                source: legacy,
                stored: false,
                certificates: 0,
                sha256: String::new(),
            })
        };
        Ok(BankSettings {
            environment_url: self.bank_override.as_ref().map(|c| c.url.clone()),
            url: get(BANK_URL)?,
            token_set: !get(BANK_TOKEN)?.is_empty(),
            branch: get(BANK_BRANCH)?,
            ca_bundle,
        })
    }

    /// The daily backup's settings, for the backup scheduler too (no session needed).
    pub fn backup_settings(&self) -> Result<BackupSettings> {
        let store = self.store()?;
        Ok(BackupSettings {
            folder: store.setting(BACKUP_FOLDER)?.unwrap_or_default(),
            time: store.setting(BACKUP_TIME)?.unwrap_or_default(),
            keep: store
                .setting(BACKUP_KEEP)?
                .and_then(|k| k.parse().ok())
                .filter(|k| (1..=MAX_BACKUP_KEEP).contains(k))
                .unwrap_or(DEFAULT_BACKUP_KEEP),
        })
    }

    fn saved_directory_json(&self) -> Result<Option<String>> {
        Ok(self
            .store()?
            .setting(DIRECTORY_SETTING)?
            .filter(|j| !j.is_empty()))
    }

    fn directory_settings(&self) -> Result<DirectorySettings> {
        let saved = self.saved_directory_json()?;
        let shown = saved
            .as_deref()
            .and_then(parse_saved)
            .or_else(|| self.directory.as_ref().map(|d| d.config().clone()));
        Ok(DirectorySettings {
            active: self.directory.is_some(),
            from_environment: self.directory_given,
            saved: saved.is_some(),
            ..shown.as_ref().map(directory_view).unwrap_or_default()
        })
    }

    /// Saves the bank's settings (the address checked: https, or http only to this
    /// computer; a CA bundle read and checked now).
    pub fn admin_set_bank(&self, input: &BankInput) -> Result<()> {
        let s = self.require_admin()?;
        let token = input.token.as_deref().map(check_token).transpose()?;
        let branch = check_branch(&input.branch)?;
        let ca = match input.ca_file.as_deref().map(str::trim) {
            Some(path) if !path.is_empty() => CaChange::Set(read_ca_bundle(Path::new(path))?),
            _ if input.clear_ca => CaChange::Clear,
            _ => CaChange::Keep,
        };
        self.save_bank(&s.username, input.url.trim(), token.as_deref(), &branch, ca)
    }

    /// Checks and saves the bank's settings with their audit entry; `token: None` and
    /// `CaChange::Keep` keep what is saved.
    pub(crate) fn save_bank(
        &self,
        actor: &str,
        url: &str,
        token: Option<&str>,
        branch: &str,
        ca: CaChange,
    ) -> Result<()> {
        let (saved_url, saved_token, saved_pem, legacy) = {
            let store = self.store()?;
            (
                store.setting(BANK_URL)?.unwrap_or_default(),
                store.setting(BANK_TOKEN)?.unwrap_or_default(),
                store.setting(BANK_CA_PEM)?.unwrap_or_default(),
                store.setting(BANK_CA_FILE)?.unwrap_or_default(),
            )
        };
        // A saved token goes only where it was given: a new address or CA takes it typed
        // again, so "Test connection" cannot carry it to another server.
        let moved = url != saved_url.trim() || !matches!(ca, CaChange::Keep);
        if token.is_none() && moved && !saved_token.is_empty() && !url.is_empty() {
            return Err(invalid(
                "token",
                "type the token again: the bank's address or CA changes, and the saved token goes only where it was given",
            ));
        }
        let token_now = token.unwrap_or(&saved_token);
        if !url.is_empty() {
            if token_now.is_empty() {
                return Err(invalid("token", "required with the bank's address"));
            }
            let mut config = BankConfig::new(url, token_now);
            match &ca {
                CaChange::Set(b) => config.ca_pem = Some(b.text.clone()),
                CaChange::Clear => {}
                CaChange::Keep if !saved_pem.is_empty() => config.ca_pem = Some(saved_pem),
                CaChange::Keep => config.ca_file = (!legacy.is_empty()).then(|| legacy.into()),
            }
            off_runtime(|| Bank::new(config).map(drop)).map_err(bank_config_error)?;
        }
        let mut values = vec![
            (BANK_URL, url.to_string()),
            (BANK_BRANCH, branch.to_string()),
        ];
        if let Some(t) = token {
            values.push((BANK_TOKEN, t.to_string()));
        }
        let ca_detail = match &ca {
            CaChange::Keep => json!("kept"),
            CaChange::Clear => json!("removed"),
            CaChange::Set(b) => json!({
                "source": b.source, "certificates": b.certificates, "sha256": sha256_hex(&b.text)
            }),
        };
        match ca {
            CaChange::Keep => {}
            CaChange::Clear => values.extend([
                (BANK_CA_PEM, String::new()),
                (BANK_CA_SOURCE, String::new()),
                (BANK_CA_FILE, String::new()),
            ]),
            CaChange::Set(b) => values.extend([
                (BANK_CA_PEM, b.text),
                (BANK_CA_SOURCE, b.source),
                (BANK_CA_FILE, String::new()),
            ]),
        }
        let detail = json!({
            "setting": "bank", "url": url, "branch": branch,
            "token": if token.is_some() { "replaced" } else { "kept" },
            "ca_bundle": ca_detail,
        });
        self.save_settings(actor, &values, &detail)?;
        *self.bank.lock().unwrap_or_else(|p| p.into_inner()) = None;
        Ok(())
    }

    fn save_settings(&self, actor: &str, values: &[(&str, String)], detail: &Value) -> Result<()> {
        let pairs: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
        self.store()?
            .set_settings_audited(&pairs, &now_rfc3339(), actor, &detail.to_string())?;
        Ok(())
    }

    /// "Test connection" to the bank in use: `Ok`, or what failed as its code (DNS,
    /// refused, TLS, the token, the deadline, the answer).
    pub fn admin_test_bank(&self) -> Result<()> {
        self.require_admin()?;
        let config = self.bank_config()?.ok_or_else(|| {
            AppError::new(
                ErrorCode::BankNotConfigured,
                "url: no bank address is saved",
            )
        })?;
        off_runtime(|| {
            let bank = Bank::new(config).map_err(bank_config_error)?;
            bank.test_connection().map_err(|f| bank_fault(&f))
        })
    }

    /// Saves the daily backup's folder, time and how many to keep.
    pub fn admin_set_backup(&self, input: &BackupInput) -> Result<()> {
        let s = self.require_admin()?;
        let folder = input.folder.trim();
        let time = input.time.trim();
        if !(1..=MAX_BACKUP_KEEP).contains(&input.keep) {
            return Err(invalid("backup.keep", "1 to 90 backups"));
        }
        if !folder.is_empty() {
            check_backup_folder(folder, &self.data_dir)?;
        }
        if !folder.is_empty() || !time.is_empty() {
            crate::backup::parse_time(time)?;
        }
        let keep = input.keep.to_string();
        let values = [
            (BACKUP_FOLDER, folder.to_string()),
            (BACKUP_TIME, time.to_string()),
            (BACKUP_KEEP, keep),
        ];
        let detail =
            json!({"setting": "backup", "folder": folder, "time": time, "keep": input.keep});
        self.save_settings(&s.username, &values, &detail)
    }

    /// The workstation's language, as an administrator sets it (audited).
    pub fn admin_set_language(&self, lang: &str) -> Result<()> {
        let s = self.require_admin()?;
        if !crate::paths::LANGUAGES.contains(&lang) {
            return Err(invalid(
                "language",
                format!("{lang:?} is not one of uz, ru, en"),
            ));
        }
        let detail = json!({"setting": "language", "language": lang});
        self.save_settings(&s.username, &[(crate::LANGUAGE, lang.to_string())], &detail)
    }

    /// Saves the directory's configuration (checked as `uw_directory` checks it: ldaps://,
    /// or ldap:// with StartTLS, plain LDAP only to this computer; each field named). An
    /// empty address removes it. Used from the next start.
    pub fn admin_set_directory(&self, input: &DirectoryInput) -> Result<()> {
        let s = self.require_admin()?;
        if input.url.trim().is_empty() {
            let detail = json!({"setting": "directory", "removed": true});
            return self.save_settings(&s.username, &[(DIRECTORY_SETTING, String::new())], &detail);
        }
        let saved = self
            .saved_directory_json()?
            .as_deref()
            .and_then(parse_saved);
        let (json, password) = directory_json(input, saved.as_ref());
        let config = DirectoryConfig::parse(&json.to_string())
            .map_err(|e| AppError::new(ErrorCode::DirectoryConfig, e.to_string()))?;
        let text = serde_json::to_string(&config)
            .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
        let detail = json!({
            "setting": "directory", "url": config.url, "starttls": config.starttls,
            "ca_file": config.ca_file, "base_dn": config.base_dn,
            "user_attribute": config.user_attribute, "branch_attribute": config.branch_attribute,
            "service_dn": config.service_dn, "service_password": password,
            "groups": config.groups, "disabled_filter": config.disabled_filter,
        });
        self.save_settings(&s.username, &[(DIRECTORY_SETTING, text)], &detail)
    }

    /// "Test connection" to the directory: the one given from outside when there is one,
    /// else the saved one (even before it is in use), else the one in use. `Ok`, or what
    /// failed as its code (unreachable, TLS, the service account, a missing entry named by
    /// its field).
    pub fn admin_test_directory(&self) -> Result<()> {
        self.require_admin()?;
        let active = self.directory.as_ref().map(|d| d.config().clone());
        let config = match (self.directory_given, self.saved_directory_json()?) {
            (false, Some(json)) => Some(
                DirectoryConfig::parse(&json)
                    .map_err(|e| AppError::new(ErrorCode::DirectoryConfig, e.to_string()))?,
            ),
            _ => active,
        };
        let config = config.ok_or_else(|| {
            AppError::new(
                ErrorCode::DirectoryConfig,
                "url: no directory is configured",
            )
        })?;
        uw_directory::Directory::new(config)
            .and_then(|d| d.test_connection())
            .map_err(|e| crate::identity::directory_error(&e))
    }
}

#[cfg(test)]
mod tests;

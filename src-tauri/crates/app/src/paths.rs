//! Where the workstation keeps its data.
//!
//! The OS application-data folder for the app's identifier (the same folder Tauri's
//! `app_data_dir` names), overridable by `UW_DATA_DIR` — tests and the demo use that to
//! run on a fresh folder. The demo keeps its own `demo/` sub-folder so that trying the
//! demo never mixes with real cases.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use uw_store::StoreKey;

use crate::error::{AppError, ErrorCode};

/// Must equal `identifier` in `src-tauri/tauri.conf.json`.
pub const APP_IDENTIFIER: &str = "uz.sqb.underwriter-workstation";

pub const DATA_DIR_ENV: &str = "UW_DATA_DIR";

pub fn os_data_dir() -> PathBuf {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let base = if cfg!(windows) {
        env("APPDATA")
    } else if cfg!(target_os = "macos") {
        env("HOME").map(|h| h.join("Library/Application Support"))
    } else {
        env("XDG_DATA_HOME").or_else(|| env("HOME").map(|h| h.join(".local/share")))
    };
    base.unwrap_or_else(|| PathBuf::from("."))
        .join(APP_IDENTIFIER)
}

/// The data folder: `UW_DATA_DIR` if set, else the OS folder (with `demo/` for the demo).
pub fn data_dir(demo: bool) -> PathBuf {
    match std::env::var_os(DATA_DIR_ENV).filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None if demo => os_data_dir().join("demo"),
        None => os_data_dir(),
    }
}

/// Who is acting, until users and roles exist: the operating-system user.
pub fn os_user() -> String {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
        .unwrap_or_else(|| "underwriter".to_string())
}

/// The case store's passphrase, when given (tests, CI, a machine without a keyring).
pub const PASSPHRASE_ENV: &str = "UW_STORE_PASSPHRASE";

/// The demo store holds fictitious cases only; its passphrase is public (README).
pub const DEMO_PASSPHRASE: &str = "demo-store-2026";

/// The key of the case store in `data_dir`: `UW_STORE_PASSPHRASE` when set; the demo's
/// public passphrase for the demo; else a random key kept in the OS keyring (the Secret
/// Service, through `secret-tool`), created with a new store. Without any of these the
/// store stays closed, with a message saying what to do.
pub fn store_key(data_dir: &Path, demo: bool) -> Result<StoreKey, AppError> {
    if let Some(p) = std::env::var(PASSPHRASE_ENV).ok().filter(|p| !p.is_empty()) {
        return Ok(StoreKey::Passphrase(p));
    }
    if demo {
        return Ok(StoreKey::Passphrase(DEMO_PASSPHRASE.into()));
    }
    keyring_key(data_dir).map(StoreKey::Raw).map_err(|why| {
        AppError::new(
            ErrorCode::StoreKeyMissing,
            format!("no key for the case store in {}: {why}; set {PASSPHRASE_ENV} to its passphrase, or run where an OS keyring is available", data_dir.display()),
        )
    })
}

fn keyring_key(data_dir: &Path) -> Result<[u8; 32], String> {
    let dir = data_dir.display().to_string();
    let attrs = ["service", APP_IDENTIFIER, "store", dir.as_str()];
    let found = Command::new("secret-tool")
        .arg("lookup")
        .args(attrs)
        .stderr(Stdio::null())
        .output()
        .map_err(|e| format!("no OS keyring (secret-tool: {e})"))?;
    let text = String::from_utf8_lossy(&found.stdout).trim().to_string();
    if found.status.success() && !text.is_empty() {
        return from_hex(&text).ok_or_else(|| "the keyring's entry is not a key".to_string());
    }
    if data_dir.join("cases.db").exists() {
        // Never a new key for an existing store: it would not open it.
        return Err("the OS keyring holds no key for this existing store".into());
    }
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let mut key = [0u8; 32];
    OsRng.fill_bytes(&mut key);
    let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
    let mut child = Command::new("secret-tool")
        .args(["store", "--label=Underwriter Workstation case store"])
        .args(attrs)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("no OS keyring (secret-tool: {e})"))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(hex.as_bytes())
            .map_err(|e| format!("the keyring refused the key: {e}"))?;
    }
    let status = child
        .wait()
        .map_err(|e| format!("the keyring refused the key: {e}"))?;
    if !status.success() {
        return Err("the OS keyring is not available (no Secret Service running)".into());
    }
    Ok(key)
}

fn from_hex(text: &str) -> Option<[u8; 32]> {
    let bytes = text.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, pair) in bytes.chunks(2).enumerate() {
        let s = std::str::from_utf8(pair).ok()?;
        out[i] = u8::from_str_radix(s, 16).ok()?;
    }
    Some(out)
}

/// A passphrase typed for a new store must be long enough to stand for it; for an
/// existing store the decryption itself is the check.
pub fn check_new_passphrase(data_dir: &Path, passphrase: &str) -> Result<(), AppError> {
    let existing = data_dir.join("cases.db").exists();
    if passphrase.is_empty() || (!existing && passphrase.chars().count() < 12) {
        return Err(AppError::new(
            ErrorCode::InvalidInput,
            "passphrase: at least 12 characters for a new store",
        ));
    }
    Ok(())
}

/// Whether the store is waiting for its passphrase, and whether it exists yet.
#[derive(Clone, Debug, serde::Serialize, ts_rs::TS)]
pub struct StoreState {
    pub locked: bool,
    pub new_store: bool,
    /// The language before the store (which remembers the choice) is open.
    pub default_language: String,
}

/// The core bank given from outside: `UW_BANK_URL` with `UW_BANK_TOKEN` (and
/// `UW_BANK_TIMEOUT_MS`, the whole-call timeout). These override the settings, so that a
/// demo or a test points a workstation at a simulator without touching its store.
pub fn bank_from_env() -> Option<uw_bank_link::BankConfig> {
    let url = std::env::var("UW_BANK_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())?;
    let token = std::env::var("UW_BANK_TOKEN").unwrap_or_default();
    let mut config = uw_bank_link::BankConfig::new(&url, &token);
    if let Some(ms) = std::env::var("UW_BANK_TIMEOUT_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .filter(|ms| *ms > 0)
    {
        config.timeout = std::time::Duration::from_millis(ms);
    }
    Some(config)
}

/// The bank's staff directory given from outside: `UW_DIRECTORY_CONFIG` names a JSON file
/// (`uw_directory::DirectoryConfig`; the demo and the tests write one for their own slapd).
/// It overrides the settings, like `UW_BANK_URL`. A file that does not read is an error
/// naming it, never a silent standalone start.
pub fn directory_from_env() -> Result<Option<uw_directory::DirectoryConfig>, AppError> {
    let Some(path) = std::env::var_os("UW_DIRECTORY_CONFIG").filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let path = PathBuf::from(path);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        AppError::new(
            ErrorCode::DirectoryConfig,
            format!("UW_DIRECTORY_CONFIG {}: {e}", path.display()),
        )
    })?;
    uw_directory::DirectoryConfig::parse(&text)
        .map(Some)
        .map_err(|e| {
            AppError::new(
                ErrorCode::DirectoryConfig,
                format!("{}: {e}", path.display()),
            )
        })
}

/// The window's languages; Uzbek (Latin) first, the default.
pub const LANGUAGES: [&str; 3] = ["uz", "ru", "en"];

/// The language before anyone chose one on this workstation: `UW_LANGUAGE` when it names
/// one of [`LANGUAGES`] (a bank may roll out Russian-speaking branches so), else Uzbek.
pub fn default_language() -> String {
    std::env::var("UW_LANGUAGE")
        .ok()
        .filter(|l| LANGUAGES.contains(&l.as_str()))
        .unwrap_or_else(|| LANGUAGES[0].to_string())
}

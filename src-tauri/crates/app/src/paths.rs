//! Where the workstation keeps its data.
//!
//! The OS application-data folder for the app's identifier (the same folder Tauri's
//! `app_data_dir` names), overridable by `UW_DATA_DIR` — tests and the demo use that to
//! run on a fresh folder. The demo keeps its own `demo/` sub-folder so that trying the
//! demo never mixes with real cases.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

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

/// Who acts where nobody logs in (the `uw` command line): `cli:<uid>`, the operating
/// system's own word on the process's user — never `$USER`, which anyone sets
/// (`USER=bob uw import …`).
pub fn os_user() -> String {
    format!("cli:{}", process_uid().unwrap_or_else(|| "unknown".into()))
}

/// The process's user id, as the system owns `/proc/self` for it (no `unsafe` call).
fn process_uid() -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let Ok(m) = std::fs::metadata("/proc/self") {
            return Some(m.uid().to_string());
        }
    }
    None
}

/// The case store's passphrase, when given (tests, CI, a machine without a keyring).
pub const PASSPHRASE_ENV: &str = "UW_STORE_PASSPHRASE";

/// The demo store holds fictitious cases only; its passphrase is public (README).
pub const DEMO_PASSPHRASE: &str = "demo-store-2026";

/// The key of the existing case store in `data_dir`, as `uw` takes it:
/// `UW_STORE_PASSPHRASE` when set; the demo's public passphrase for the demo; else the
/// random key the OS keyring (the Secret Service, through `secret-tool`) keeps for it.
/// It never makes a key (`crate::store_key`: the window and `uw store init` make a new
/// store's, and show its recovery key once). Without any of these the store stays
/// closed, with a message saying what to do.
pub fn store_key(data_dir: &Path, demo: bool) -> Result<StoreKey, AppError> {
    crate::store_key::existing(&crate::keyring::SecretTool, data_dir, demo)
}

/// `secret-tool` where the distribution installs it, so that a `PATH` someone set cannot
/// put another program between the workstation and its key; else as `PATH` finds it.
pub fn secret_tool() -> PathBuf {
    let installed = Path::new("/usr/bin/secret-tool");
    if installed.is_file() {
        installed.to_path_buf()
    } else {
        PathBuf::from("secret-tool")
    }
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
/// `UW_BANK_TIMEOUT_MS`, the whole-call timeout; `UW_BANK_CA_FILE`, the bank's own CA
/// bundle). These override the settings, so that a demo or a test points a workstation
/// at a simulator without touching its store.
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
    config.ca_file = std::env::var_os("UW_BANK_CA_FILE")
        .filter(|f| !f.is_empty())
        .map(PathBuf::from);
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

/// The environment a program the workstation starts may see — the PDF viewer
/// (`xdg-open`, `UW_OPEN_WITH`), `secret-tool`: what reaches the display and the session
/// bus, the user's folders and language. Nothing else: never the store's passphrase
/// (`UW_STORE_PASSPHRASE`), the bank's token (`UW_BANK_TOKEN`) or anything `UW_*`.
pub const CHILD_ENV: &[&str] = &[
    "PATH",
    "HOME",
    "USER",
    "LOGNAME",
    "TMPDIR",
    // X11 and Wayland
    "DISPLAY",
    "XAUTHORITY",
    "WAYLAND_DISPLAY",
    // The session: its runtime folder and bus (the keyring, the desktop's opener)
    "XDG_RUNTIME_DIR",
    "DBUS_SESSION_BUS_ADDRESS",
    "XDG_SESSION_TYPE",
    "XDG_CURRENT_DESKTOP",
    "XDG_DATA_DIRS",
    "XDG_DATA_HOME",
    "XDG_CONFIG_DIRS",
    "XDG_CONFIG_HOME",
    // The language (and every LC_*, below)
    "LANG",
    "LANGUAGE",
    // Windows: what its programs need to start at all
    "SYSTEMROOT",
    "WINDIR",
    "USERPROFILE",
    "APPDATA",
    "LOCALAPPDATA",
    "TEMP",
    "TMP",
];

/// Whether a child started by the workstation sees the variable `name` ([`CHILD_ENV`]
/// and the `LC_*` locale variables; nothing `UW_*`).
pub fn child_may_see(name: &str) -> bool {
    let name = if cfg!(windows) {
        name.to_ascii_uppercase()
    } else {
        name.to_string()
    };
    !name.starts_with("UW_") && (CHILD_ENV.contains(&name.as_str()) || name.starts_with("LC_"))
}

/// Of the variables `vars`, those a child sees ([`child_may_see`]).
pub fn child_env(
    vars: impl IntoIterator<Item = (std::ffi::OsString, std::ffi::OsString)>,
) -> Vec<(std::ffi::OsString, std::ffi::OsString)> {
    vars.into_iter()
        .filter(|(k, _)| k.to_str().is_some_and(child_may_see))
        .collect()
}

/// A command for `program` whose environment is cleared and given only what
/// [`child_may_see`] of this process's. Every program the workstation starts starts so.
pub fn child_command(program: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut command = Command::new(program);
    command.env_clear().envs(child_env(std::env::vars_os()));
    command
}

/// What `uw store adopt` did.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Adopted {
    /// The encrypted store made.
    pub store: String,
    /// The plain file it was made from (left as it was).
    pub from: String,
    pub cases: i64,
}

/// Adopts a plain (unencrypted) store of this workstation, from a version before
/// encryption, as the encrypted store of `data_dir`, which must have none yet: the
/// explicit step an administrator takes (`uw store adopt FILE`) where opening refuses a
/// plain store (`STORE_PLAIN`). The plain file is only read; the adoption is the first
/// entry the audit trail gains.
pub fn adopt_store(
    data_dir: &Path,
    plain: &Path,
    key: &StoreKey,
    actor: &str,
) -> Result<Adopted, AppError> {
    private_dir(data_dir)?;
    let dest = data_dir.join("cases.db");
    let mut store = uw_store::Store::adopt(plain, &dest, key)?;
    let from = std::path::absolute(plain)
        .unwrap_or_else(|_| plain.to_path_buf())
        .display()
        .to_string();
    let cases = store.count_cases()?;
    let detail = serde_json::json!({"from": from, "cases": cases}).to_string();
    store.audit(&crate::now_rfc3339(), actor, "store_adopted", &detail)?;
    Ok(Adopted {
        store: dest.display().to_string(),
        from,
        cases,
    })
}

/// Makes the data folder (and any missing parent) private to its user (0700), or
/// tightens an existing one that others may read: it holds the store, printed
/// agreements and the store's key material. A shared folder (sticky, like `/tmp`) is
/// refused: the workstation needs a folder of its own.
pub fn private_dir(dir: &Path) -> Result<(), AppError> {
    let unusable = |why: String| {
        AppError::new(
            ErrorCode::StoreUnavailable,
            format!("the data folder {}: {why}", dir.display()),
        )
    };
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .map_err(|e| unusable(format!("cannot be created ({e})")))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::metadata(dir).map_err(|e| unusable(e.to_string()))?;
        let mode = meta.permissions().mode() & 0o7777;
        if mode & 0o077 != 0 {
            if mode & 0o1000 != 0 {
                return Err(unusable(format!(
                    "a shared folder (mode {mode:o}, like /tmp): give the workstation a folder of its own (UW_DATA_DIR)"
                )));
            }
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(|e| {
                unusable(format!(
                    "others may read it (mode {mode:o}) and it cannot be made private ({e})"
                ))
            })?;
        }
    }
    Ok(())
}

/// Writes a file whole or not at all: a temporary file in the same folder, created
/// private (0600), written, flushed to the disk, renamed over `path`, then the folder
/// flushed — a full disk or a power cut leaves the old file or the new one, never a
/// truncated one that looks valid. The file keeps the temporary file's 0600.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), AppError> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let io = |e: std::io::Error| {
        AppError::new(
            ErrorCode::Io,
            format!("{}: cannot write: {e}", path.display()),
        )
    };
    let name = path
        .file_name()
        .ok_or_else(|| io(std::io::Error::other("not a file name")))?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = dir.join(format!(
        ".{}.{}-{}.tmp",
        name.to_string_lossy(),
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&tmp).map_err(io)?;
    let written = file
        .write_all(bytes)
        .and_then(|()| file.sync_all())
        .and_then(|()| {
            drop(file);
            std::fs::rename(&tmp, path)
        })
        .and_then(|()| sync_dir(dir));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(io(e));
    }
    Ok(())
}

/// Flushes a folder's entries (a rename into it) to the disk.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[cfg(test)]
mod tests;

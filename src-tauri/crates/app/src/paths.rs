//! Where the workstation keeps its data.
//!
//! The OS application-data folder for the app's identifier (the same folder Tauri's
//! `app_data_dir` names), overridable by `UW_DATA_DIR` — tests and the demo use that to
//! run on a fresh folder. The demo keeps its own `demo/` sub-folder so that trying the
//! demo never mixes with real cases.

use std::path::PathBuf;

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

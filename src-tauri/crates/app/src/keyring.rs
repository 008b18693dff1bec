//! Where a store's random key is kept: the OS keyring, one entry per data folder.
//!
//! Behind a trait so that the tests run the whole key story (a new store, its key lost
//! from the keyring, recovered, changed) on an in-memory keyring. The programs use
//! [`SecretTool`] only; nothing in the environment selects another keyring — a variable
//! that redirected the key would let anyone who sets it pick the key a store is made with.
//!
//! The entry holds the key as 64 hex digits, under the attributes `service` (the app's
//! identifier) and `store` (the data folder), as earlier versions wrote it.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Mutex;

use zeroize::Zeroizing;

use crate::paths::{child_command, secret_tool, APP_IDENTIFIER};

pub trait Keyring: Send + Sync {
    /// The key kept for the store in `data_dir`: `Ok(None)` when the keyring holds none,
    /// `Err(why)` when there is no keyring to ask or its entry is no key.
    fn lookup(&self, data_dir: &Path) -> Result<Option<[u8; 32]>, String>;
    /// Keeps `key` for the store in `data_dir`, in place of any key kept for it.
    fn store(&self, data_dir: &Path, key: &[u8; 32]) -> Result<(), String>;
}

/// The Secret Service through `secret-tool` (libsecret), started with a cleared
/// environment ([`child_command`]) from where the distribution installs it.
pub struct SecretTool;

fn attributes(data_dir: &Path) -> [String; 4] {
    [
        "service".into(),
        APP_IDENTIFIER.into(),
        "store".into(),
        data_dir.display().to_string(),
    ]
}

impl Keyring for SecretTool {
    fn lookup(&self, data_dir: &Path) -> Result<Option<[u8; 32]>, String> {
        let found = child_command(secret_tool())
            .arg("lookup")
            .args(attributes(data_dir))
            .stderr(Stdio::null())
            .output()
            .map_err(|e| format!("no OS keyring (secret-tool: {e})"))?;
        let text = Zeroizing::new(String::from_utf8_lossy(&found.stdout).trim().to_string());
        if !found.status.success() || text.is_empty() {
            return Ok(None);
        }
        from_hex(&text)
            .map(Some)
            .ok_or_else(|| "the keyring's entry is not a key".to_string())
    }

    fn store(&self, data_dir: &Path, key: &[u8; 32]) -> Result<(), String> {
        let hex = Zeroizing::new(key.iter().map(|b| format!("{b:02x}")).collect::<String>());
        let mut child = child_command(secret_tool())
            .args(["store", "--label=Underwriter Workstation case store"])
            .args(attributes(data_dir))
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
        Ok(())
    }
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

/// A keyring in memory, for the tests: entries per data folder, and a switch for a
/// keyring that is not there (every call refused, as without a Secret Service).
pub struct MemoryKeyring {
    entries: Mutex<HashMap<PathBuf, Zeroizing<[u8; 32]>>>,
    available: bool,
}

impl MemoryKeyring {
    pub fn new() -> MemoryKeyring {
        MemoryKeyring {
            entries: Mutex::new(HashMap::new()),
            available: true,
        }
    }

    /// No keyring at all: lookups and writes fail.
    pub fn unavailable() -> MemoryKeyring {
        MemoryKeyring {
            available: false,
            ..MemoryKeyring::new()
        }
    }

    /// The entry of `data_dir` removed, as a reset desktop password loses it.
    pub fn forget(&self, data_dir: &Path) {
        self.entries().remove(data_dir);
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<PathBuf, Zeroizing<[u8; 32]>>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn check(&self) -> Result<(), String> {
        if self.available {
            Ok(())
        } else {
            Err("the OS keyring is not available (no Secret Service running)".into())
        }
    }
}

impl Default for MemoryKeyring {
    fn default() -> Self {
        MemoryKeyring::new()
    }
}

impl Keyring for MemoryKeyring {
    fn lookup(&self, data_dir: &Path) -> Result<Option<[u8; 32]>, String> {
        self.check()?;
        Ok(self.entries().get(data_dir).map(|k| **k))
    }

    fn store(&self, data_dir: &Path, key: &[u8; 32]) -> Result<(), String> {
        self.check()?;
        self.entries()
            .insert(data_dir.to_path_buf(), Zeroizing::new(*key));
        Ok(())
    }
}

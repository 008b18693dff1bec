//! Backup and restore of the store, as an administrator does them (`uw backup -o FILE`,
//! `uw restore FILE`); the file work is `uw_store::backup`'s.
//!
//! A backup reads through a connection of its own and never holds the window's, so the
//! desk goes on while it runs; it counts only once the copy has passed its checks, and it
//! is audited (who, where, how many cases, the audit head it holds).
//!
//! A restore puts an old store back, which is what an insider rolling back a decision
//! would do, so it answers to the bank: the backup's audit trail must hold the bank's last
//! anchor of this workstation (the entry at the anchored id with the anchored hash; the
//! bank asked when it is configured, else the anchor this store last recorded). A backup
//! older than that anchor is refused (`BACKUP_BEHIND_BANK`) unless forced with a reason,
//! which the restored store's trail records with who forced it. Such a store's next sync
//! will still meet the bank's refusal (`AUDIT_NOT_EXTENDED`) until the bank's side is
//! settled: forcing is for a disaster, not a routine.

use std::path::{Path, PathBuf};

use serde::Serialize;
use uw_store::{BackupSummary, StoreKey};

use crate::error::{AppError, ErrorCode, Result};
use crate::{now_rfc3339, OpenOptions, Workstation};

mod schedule;
pub use schedule::{due as backup_due, parse_time, Schedule, DEFAULT_TIME};

/// The store's file inside the data folder.
const STORE_FILE: &str = "cases.db";

impl Workstation {
    /// Backs up the store into `dest` (checked on the copy before it counts) and records
    /// the backup in the audit trail. An administrator's, when people log in.
    pub fn backup(&self, dest: &Path) -> Result<BackupSummary> {
        let actor = if self.require_login {
            self.require_admin()?.username
        } else {
            self.actor.clone()
        };
        self.backup_as(dest, &actor)
    }

    /// The backup itself, audited under `actor`.
    fn backup_as(&self, dest: &Path, actor: &str) -> Result<BackupSummary> {
        let summary = uw_store::backup_file(&self.data_dir.join(STORE_FILE), &self.key, dest)?;
        let detail = serde_json::json!({
            "file": summary.file, "bytes": summary.bytes, "cases": summary.cases,
            "audit_head": summary.audit_head.as_ref().map(|h| h.0),
        });
        self.store()?
            .audit(&now_rfc3339(), actor, "backup_made", &detail.to_string())?;
        Ok(summary)
    }
}

/// What `uw restore` did.
#[derive(Clone, Debug, Serialize)]
pub struct Restored {
    pub backup: BackupSummary,
    /// The store that was replaced, kept beside the restored one.
    pub kept: Option<String>,
    /// The anchor the backup was held to, and where it came from.
    pub anchor: Option<String>,
    pub forced: Option<String>,
}

/// Restores `backup` into the data folder (see the module's header). `force_reason`
/// restores a backup behind the bank's anchor, recording the reason.
pub fn restore(
    data_dir: &Path,
    key: &StoreKey,
    bank: Option<uw_bank_link::BankConfig>,
    backup: &Path,
    actor: &str,
    force_reason: Option<&str>,
) -> Result<Restored> {
    if let Some(r) = force_reason {
        if r.trim().len() < 10 {
            return Err(AppError::new(
                ErrorCode::CommentRequired,
                "--force: give the reason in at least 10 characters; it goes into the audit trail",
            ));
        }
    }
    crate::paths::private_dir(data_dir)?;
    let store_path = data_dir.join(STORE_FILE);
    let anchor = if store_path.exists() {
        last_anchor(data_dir, key, bank)?
    } else {
        None
    };
    // The one check, and the anchor's test, run on the private copy that is swapped in.
    let incoming = uw_store::stage_restore(backup, key, &store_path)?;
    if let Some((entry_id, hash, source)) = &anchor {
        if !incoming.holds(key, *entry_id, hash)? && force_reason.is_none() {
            return Err(AppError::new(
                ErrorCode::BackupBehindBank,
                format!(
                    "{}: its audit trail ends at entry {} and does not hold entry {entry_id}, which {source} anchored: it is older than what the bank knows of this workstation; nothing was restored (an administrator may force it with a reason, which is audited)",
                    backup.display(),
                    incoming.summary().audit_head.as_ref().map_or(0, |h| h.0),
                ),
            ));
        }
    }
    let summary = incoming.summary().clone();
    let stamp = now_rfc3339().replace([':', '-'], "");
    let kept = incoming.commit(&stamp)?;
    let mut store = uw_store::Store::open(&store_path, key)?;
    let restored = Restored {
        backup: summary,
        kept: kept.map(|k| k.display().to_string()),
        anchor: anchor.map(|(id, _, source)| format!("entry {id} ({source})")),
        forced: force_reason.map(str::to_string),
    };
    let detail = serde_json::json!({
        "from": std::path::absolute(backup).unwrap_or_else(|_| backup.to_path_buf()).display().to_string(),
        "cases": restored.backup.cases,
        "kept": restored.kept, "anchor": restored.anchor, "forced": restored.forced,
    });
    store.audit(&now_rfc3339(), actor, "store_restored", &detail.to_string())?;
    Ok(restored)
}

/// The anchor a restored store must hold: the bank's, when a bank is configured and
/// answers; else the one the current store recorded. A bank that is configured but does
/// not answer leaves the recorded one (it is never newer than the bank's).
fn last_anchor(
    data_dir: &Path,
    key: &StoreKey,
    bank: Option<uw_bank_link::BankConfig>,
) -> Result<Option<(i64, String, &'static str)>> {
    let ws = Workstation::open(OpenOptions {
        data_dir: data_dir.to_path_buf(),
        key: key.clone(),
        actor: "restore".into(),
        demo: false,
        require_login: false,
        bank,
        directory: None,
    })?;
    let recorded = ws.store()?.audit_anchor()?;
    if let Some(bank) = ws.bank_configured().then(|| ws.bank().ok()).flatten() {
        let workstation = ws.store()?.workstation_id()?;
        if let Ok(answer) = bank.audit_anchor(&workstation) {
            return Ok(answer.map(|a| (a.entry_id, a.hash, "the bank")));
        }
    }
    Ok(recorded.map(|(id, hash)| (id, hash, "this store's last sync")))
}

/// The data folder's store file.
pub fn store_file(data_dir: &Path) -> PathBuf {
    data_dir.join(STORE_FILE)
}

#[cfg(test)]
mod tests;

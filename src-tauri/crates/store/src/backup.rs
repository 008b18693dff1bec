//! Backups of the store and their restoration.
//!
//! A backup is SQLite's online backup of the encrypted store — every table, the scans and
//! statements included — into a file encrypted with the same key. It reads through a
//! connection of its own, so the window's connection goes on writing meanwhile (WAL: a
//! reader never blocks a writer), and it is written beside its destination as
//! `FILE.partial` (0600), checked there — the file's identity, `integrity_check`, the audit
//! chain — and only then renamed over `FILE`, the file and the folder flushed. A backup
//! killed at any moment leaves the store and the previous good backup as they were; the
//! partial file is replaced by the next backup.
//!
//! A restore first copies the backup into the data folder (`STORE.restoring`, 0600) and
//! checks that copy the same way; the caller tests the copy against the bank's anchor, and
//! only then is the copy swapped in, the current store kept beside it
//! (`cases.db.before-restore-…`). One check, on the file that is restored.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use crate::{inspect_before_writing, replace, Result, Store, StoreError, StoreKey};

/// Pages copied per step of the online backup: the source's read lock is taken per step.
const PAGES_PER_STEP: std::ffi::c_int = 1024;

/// What a checked backup holds.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
pub struct BackupSummary {
    pub file: String,
    pub bytes: u64,
    pub cases: i64,
    pub scans: i64,
    /// The audit trail's last entry (id and hash): what the bank's anchor is compared with.
    #[ts(type = "number")]
    pub audit_entries: usize,
    pub audit_head: Option<(i64, String)>,
}

/// Why a file is not a backup that can be restored or counted.
fn invalid(path: &Path, why: impl Into<String>) -> StoreError {
    StoreError::Foreign {
        path: path.to_path_buf(),
        why: why.into(),
    }
}

/// Backs up the store at `source` into `dest` through connections of its own.
pub fn backup_file(source: &Path, key: &StoreKey, dest: &Path) -> Result<BackupSummary> {
    let open_err = |path: &Path, e: String| StoreError::Open {
        path: path.to_path_buf(),
        message: e,
    };
    let partial = with_suffix(dest, ".partial");
    let _ = std::fs::remove_file(&partial);
    private_file(&partial).map_err(|e| open_err(&partial, e.to_string()))?;
    let copied = (|| -> rusqlite::Result<()> {
        let src = Connection::open_with_flags(
            source,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        key.apply(&src)?;
        let mut dst = Connection::open_with_flags(
            &partial,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        key.apply(&dst)?;
        let backup = rusqlite::backup::Backup::new(&src, &mut dst)?;
        backup.run_to_completion(PAGES_PER_STEP, std::time::Duration::ZERO, None)?;
        drop(backup);
        // A backup is one file: no WAL beside it.
        dst.pragma_update(None, "journal_mode", "DELETE")?;
        Ok(())
    })();
    let checked = copied
        .map_err(|e| open_err(dest, format!("the backup could not be written: {e}")))
        .and_then(|()| check_backup(&partial, key));
    match checked {
        Ok(mut summary) => {
            replace(&partial, dest).map_err(|e| open_err(dest, e.to_string()))?;
            summary.file = dest.display().to_string();
            Ok(summary)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            Err(e)
        }
    }
}

/// Checks a backup without writing to it: ours (application id), not newer than this
/// version, readable with `key`, `integrity_check` ok, the audit chain whole.
pub fn check_backup(path: &Path, key: &StoreKey) -> Result<BackupSummary> {
    let bytes = std::fs::metadata(path)
        .map_err(|e| StoreError::Open {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?
        .len();
    if bytes == 0 {
        return Err(invalid(path, "the file is empty"));
    }
    if crate::plain_sqlite(path)? {
        return Err(invalid(
            path,
            "a plain SQLite file, not an encrypted backup",
        ));
    }
    crate::read_leaving_no_trace(path, || {
        inspect_before_writing(path, Some(&key.literal()))?;
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        key.apply(&conn)?;
        let integrity: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(|e| invalid(path, format!("it does not read whole ({e})")))?;
        if integrity != "ok" {
            return Err(invalid(path, format!("integrity check: {integrity}")));
        }
        let store = Store {
            conn,
            path: path.to_path_buf(),
        };
        let report = store.verify_audit()?;
        if let Some(p) = report.problems.first() {
            return Err(invalid(
                path,
                format!("its audit trail is broken ({}: {})", p.code, p.message),
            ));
        }
        let count = |sql: &str| -> Result<i64> {
            Ok(store.conn.query_row(sql, [], |r| r.get::<_, i64>(0))?)
        };
        Ok(BackupSummary {
            file: path.display().to_string(),
            bytes,
            cases: count("SELECT count(*) FROM cases")?,
            scans: count("SELECT count(*) FROM case_attachments")?,
            audit_entries: report.entries,
            audit_head: store.audit_head()?.map(|(id, hash, _)| (id, hash)),
        })
    })
}

/// Whether the backup's audit trail holds entry `entry_id` with `hash` (a bank's anchor).
pub fn backup_holds(path: &Path, key: &StoreKey, entry_id: i64, hash: &str) -> Result<bool> {
    crate::read_leaving_no_trace(path, || {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        key.apply(&conn)?;
        let store = Store {
            conn,
            path: path.to_path_buf(),
        };
        Ok(store.audit_hash_at(entry_id)?.as_deref() == Some(hash))
    })
}

/// A backup copied into the data folder's private `STORE.restoring` file and checked
/// there: what was checked, and what the caller tests against the bank's anchor, is the
/// very file that is swapped in — the administrator's file may change after the copy
/// without effect. Dropped without [`Incoming::commit`], the copy is removed and the store
/// is as it was.
pub struct Incoming {
    copy: PathBuf,
    store_path: PathBuf,
    summary: BackupSummary,
}

/// Copies `backup` beside the store at `store_path` and checks the copy (errors name
/// `backup`, the file the administrator gave). Only a regular file is copied, so a link to
/// a device never fills the disk.
pub fn stage_restore(backup: &Path, key: &StoreKey, store_path: &Path) -> Result<Incoming> {
    let copy = with_suffix(store_path, ".restoring");
    let _ = std::fs::remove_file(&copy);
    let io = |p: &Path, e: std::io::Error| StoreError::Open {
        path: p.to_path_buf(),
        message: e.to_string(),
    };
    // A FIFO or a device is refused before it is opened (opening one may block).
    if !std::fs::metadata(backup)
        .map_err(|e| io(backup, e))?
        .is_file()
    {
        return Err(invalid(backup, "not a regular file"));
    }
    let mut from = std::fs::File::open(backup).map_err(|e| io(backup, e))?;
    let meta = from.metadata().map_err(|e| io(backup, e))?;
    if !meta.is_file() {
        return Err(invalid(backup, "not a regular file"));
    }
    private_file(&copy).map_err(|e| io(&copy, e))?;
    // From here on the copy is the staged file: a failure removes it.
    let mut staged = Incoming {
        copy,
        store_path: store_path.to_path_buf(),
        summary: BackupSummary {
            file: backup.display().to_string(),
            bytes: 0,
            cases: 0,
            scans: 0,
            audit_entries: 0,
            audit_head: None,
        },
    };
    let mut to = std::fs::OpenOptions::new()
        .write(true)
        .open(&staged.copy)
        .map_err(|e| io(&staged.copy, e))?;
    std::io::copy(&mut from, &mut to).map_err(|e| io(backup, e))?;
    to.sync_all().map_err(|e| io(&staged.copy, e))?;
    drop(to);
    let mut summary = check_backup(&staged.copy, key).map_err(|e| named(e, backup))?;
    summary.file = backup.display().to_string();
    staged.summary = summary;
    Ok(staged)
}

/// A check's error about the private copy, told of the file it was copied from.
fn named(e: StoreError, backup: &Path) -> StoreError {
    let path = backup.to_path_buf();
    match e {
        StoreError::Open { message, .. } => StoreError::Open { path, message },
        StoreError::Foreign { why, .. } => StoreError::Foreign { path, why },
        StoreError::TooNew { found, known, .. } => StoreError::TooNew { path, found, known },
        StoreError::WrongKey { .. } => StoreError::WrongKey { path },
        StoreError::Plain { .. } => StoreError::Plain { path },
        other => other,
    }
}

impl Incoming {
    /// The checked copy's summary (its `file` is the administrator's backup).
    pub fn summary(&self) -> &BackupSummary {
        &self.summary
    }

    /// Whether the copy's audit trail holds entry `entry_id` with `hash` (a bank's anchor).
    pub fn holds(&self, key: &StoreKey, entry_id: i64, hash: &str) -> Result<bool> {
        backup_holds(&self.copy, key, entry_id, hash)
    }

    /// Swaps the copy in place of the store (closed by the caller). The store that was
    /// there is kept beside it, renamed with `stamp`; returns its path.
    pub fn commit(self, stamp: &str) -> Result<Option<PathBuf>> {
        let store_path = self.store_path.clone();
        let io = |p: &Path, e: std::io::Error| StoreError::Open {
            path: p.to_path_buf(),
            message: e.to_string(),
        };
        let kept = if store_path.exists() {
            let kept = with_suffix(&store_path, &format!(".before-restore-{stamp}"));
            std::fs::rename(&store_path, &kept).map_err(|e| io(&store_path, e))?;
            // The old store's WAL goes with it: it belongs to that file, not to the backup.
            for suffix in ["-wal", "-shm"] {
                let from = with_suffix(&store_path, suffix);
                if from.exists() {
                    let to = with_suffix(&kept, suffix);
                    std::fs::rename(&from, &to).map_err(|e| io(&from, e))?;
                }
            }
            Some(kept)
        } else {
            None
        };
        replace(&self.copy, &store_path).map_err(|e| io(&store_path, e))?;
        Ok(kept)
    }
}

impl Drop for Incoming {
    fn drop(&mut self) {
        // After a commit the copy is the store and no longer at this path.
        let _ = std::fs::remove_file(&self.copy);
    }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

/// Creates `path` empty and private to its owner (0600) before SQLite writes to it.
fn private_file(path: &Path) -> std::io::Result<()> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    o.open(path).map(drop)
}

#[cfg(test)]
mod tests;

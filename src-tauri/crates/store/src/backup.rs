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
//! A restore checks the backup the same way, keeps the current store beside it
//! (`cases.db.before-restore-…`) and puts a copy of the backup in its place; the caller
//! decides beforehand whether the backup may be restored (the bank's anchor).

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use crate::{inspect_before_writing, replace, sync_dir, Result, Store, StoreError, StoreKey};

/// Pages copied per step of the online backup: the source's read lock is taken per step.
const PAGES_PER_STEP: std::ffi::c_int = 1024;

/// What a checked backup holds.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct BackupSummary {
    pub file: String,
    pub bytes: u64,
    pub cases: i64,
    pub scans: i64,
    /// The audit trail's last entry (id and hash): what the bank's anchor is compared with.
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

impl Store {
    /// Backs up this store into `dest`; see the module's header. Returns the checked copy's
    /// summary.
    pub fn backup(&self, key: &StoreKey, dest: &Path) -> Result<BackupSummary> {
        backup_file(&self.path, key, dest)
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
        inspect_before_writing(path, Some(key))?;
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

/// Puts the checked backup `backup` in place of the store at `store_path` (closed by the
/// caller). The store that was there is kept beside it, renamed with `stamp`; returns its
/// path. Nothing is changed when the backup fails its check.
pub fn restore_file(
    backup: &Path,
    key: &StoreKey,
    store_path: &Path,
    stamp: &str,
) -> Result<(BackupSummary, Option<PathBuf>)> {
    let summary = check_backup(backup, key)?;
    let incoming = with_suffix(store_path, ".restoring");
    let _ = std::fs::remove_file(&incoming);
    let io = |p: &Path, e: std::io::Error| StoreError::Open {
        path: p.to_path_buf(),
        message: e.to_string(),
    };
    std::fs::copy(backup, &incoming).map_err(|e| io(&incoming, e))?;
    private_permissions(&incoming).map_err(|e| io(&incoming, e))?;
    let kept = if store_path.exists() {
        let kept = with_suffix(store_path, &format!(".before-restore-{stamp}"));
        std::fs::rename(store_path, &kept).map_err(|e| io(store_path, e))?;
        // The old store's WAL goes with it: it belongs to that file, not to the backup.
        for suffix in ["-wal", "-shm"] {
            let from = with_suffix(store_path, suffix);
            if from.exists() {
                let to = with_suffix(&kept, suffix);
                std::fs::rename(&from, &to).map_err(|e| io(&from, e))?;
            }
        }
        Some(kept)
    } else {
        None
    };
    replace(&incoming, store_path).map_err(|e| io(store_path, e))?;
    sync_dir(store_path).map_err(|e| io(store_path, e))?;
    Ok((summary, kept))
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

fn private_permissions(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

#[cfg(test)]
mod tests;

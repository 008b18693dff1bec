//! The local case store.
//!
//! Invariant: the only crate that touches SQLite. It knows nothing of the underwriting
//! rules: a case arrives as its case-file JSON plus the columns the queue sorts and filters
//! on, computed by the caller. Every write is one transaction; the connection runs with
//! `synchronous=FULL` because decisions and sign-offs are written through it and must
//! survive a power cut once the call returns.
//!
//! A file that is not ours (another program's SQLite database, a corrupted file, a newer
//! schema) is refused before anything is written to it.

mod attachments;
pub mod audit;
mod cases;
mod dashboard;
mod identity;
mod statements;
pub mod sync;
mod users;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};
use rusqlite_migration::{Migrations, M};

pub use attachments::{Attachment, NewAttachment};
pub use audit::{AuditEntry, AuditReport};
pub use cases::{CaseEvent, NewCase, QueuePage, QueueQuery, QueueRow, SortKey, StoredCase};
pub use dashboard::{CaseCounts, COUNTER_OFFER_TAKEN};
pub use identity::{CachedPerson, StoredKey};
pub use statements::{Stamp, StoredReclassification, StoredStatement};
pub use sync::{BankVersion, Conflict, OutboxEntry, OutboxRecord, Outgoing, Push};
pub use users::StoredUser;

/// `PRAGMA application_id` of a workstation database ("UWS1"): tells our files from
/// any other SQLite file.
pub const APPLICATION_ID: i32 = 0x5557_5331;

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// The schema, one migration per file, in order; the store's `user_version` counts them.
const MIGRATIONS: [&str; 11] = [
    include_str!("schema/001_cases.sql"),
    include_str!("schema/002_statements.sql"),
    include_str!("schema/003_audit.sql"),
    include_str!("schema/004_users.sql"),
    include_str!("schema/005_totp.sql"),
    include_str!("schema/006_case_locks.sql"),
    include_str!("schema/007_sync.sql"),
    include_str!("schema/008_search.sql"),
    include_str!("schema/009_dashboard.sql"),
    include_str!("schema/010_attachments.sql"),
    include_str!("schema/011_identity.sql"),
];

fn migrations() -> Migrations<'static> {
    Migrations::new(MIGRATIONS.iter().map(|sql| M::up(sql)).collect())
}

/// The schema version this build writes.
pub fn schema_version() -> usize {
    MIGRATIONS.len()
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the case database {path}: {message}")]
    Open { path: PathBuf, message: String },
    #[error(
        "{path} is not a case database of this workstation ({why}); the file was left untouched"
    )]
    Foreign { path: PathBuf, why: String },
    #[error("{path} was written by a newer version of the workstation (schema {found}, this version knows {known}); update the app — the file was left untouched")]
    TooNew {
        path: PathBuf,
        found: i64,
        known: usize,
    },
    #[error("{path} cannot be read with this key: the passphrase is wrong, or the file is not a case database of this workstation; the file was left untouched")]
    WrongKey { path: PathBuf },
    #[error("case {0} does not exist")]
    NotFound(String),
    #[error("case {0} already exists")]
    Exists(String),
    #[error("case {case_id} was changed elsewhere (stored version {stored}, edit based on {expected}); reload it")]
    VersionConflict {
        case_id: String,
        expected: i64,
        stored: i64,
    },
    #[error("{0}")]
    Duplicate(String),
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// The key of the encrypted store (SQLCipher: AES-256 pages, each with an HMAC).
#[derive(Clone)]
pub enum StoreKey {
    /// SQLCipher derives the key (PBKDF2-HMAC-SHA512, 256,000 iterations, a random salt
    /// kept in the file).
    Passphrase(String),
    /// 32 random bytes, such as the OS keyring keeps.
    Raw([u8; 32]),
}

impl std::fmt::Debug for StoreKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoreKey(…)") // never printed
    }
}

impl StoreKey {
    /// The key as SQLCipher's `PRAGMA key` / `ATTACH … KEY` take it.
    fn literal(&self) -> String {
        match self {
            StoreKey::Passphrase(p) => format!("'{}'", p.replace('\'', "''")),
            StoreKey::Raw(k) => {
                let hex: String = k.iter().map(|b| format!("{b:02x}")).collect();
                format!("\"x'{hex}'\"")
            }
        }
    }

    pub(crate) fn apply(&self, conn: &Connection) -> rusqlite::Result<()> {
        conn.execute_batch(&format!("PRAGMA key = {};", self.literal()))
    }
}

impl Store {
    /// Opens (creating if absent) the encrypted database at `path`, refusing foreign or
    /// newer files and a wrong key, all left untouched. A plain SQLite store of this
    /// workstation (from before encryption) is encrypted in place first.
    pub fn open(path: &Path, key: &StoreKey) -> Result<Store> {
        let open_err = |message: String| StoreError::Open {
            path: path.to_path_buf(),
            message,
        };
        if let Some(parent) = path.parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent).map_err(|e| {
                    open_err(format!(
                        "cannot create the folder {}: {e}",
                        parent.display()
                    ))
                })?;
            }
        }
        let existing = match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => return Err(open_err("it is a folder".into())),
            Ok(m) => m.len() > 0,
            Err(_) => false,
        };
        if existing {
            if plain_sqlite(path)? {
                inspect_before_writing(path, None)?;
                encrypt_in_place(path, key)
                    .map_err(|e| open_err(format!("cannot encrypt the plain store: {e}")))?;
            } else {
                inspect_before_writing(path, Some(key))?;
            }
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| open_err(e.to_string()))?;
        // The key comes first: nothing is read or written before it.
        key.apply(&conn).map_err(|e| open_err(e.to_string()))?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(|e| open_err(e.to_string()))?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| {
                open_err(format!(
                    "the folder is not writable or the disk is full ({e})"
                ))
            })?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let mut conn = conn;
        let before: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        migrations()
            .to_latest(&mut conn)
            .map_err(|e| open_err(format!("cannot prepare the schema: {e}")))?;
        conn.pragma_update(None, "application_id", APPLICATION_ID)?;
        if before < 3 {
            // Only right after the upgrade that created the chain: an entry found
            // unsealed later was blanked by someone, and verification must see it.
            audit::seal(&mut conn)?;
        }
        Ok(Store {
            conn,
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `PRAGMA integrity_check`: "ok" or the problems SQLite found.
    pub fn integrity_check(&self) -> Result<String> {
        Ok(self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get::<_, String>(0))?)
    }
}

/// Whether the file starts like a plain (unencrypted) SQLite database.
fn plain_sqlite(path: &Path) -> Result<bool> {
    use std::io::Read;
    let mut head = [0u8; 16];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .map_err(|e| StoreError::Open {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
    Ok(n == 16 && &head == SQLITE_MAGIC)
}

/// Rewrites a plain store of this workstation encrypted with `key` (SQLCipher's
/// `sqlcipher_export` into a new file, then an atomic rename over the old one).
fn encrypt_in_place(path: &Path, key: &StoreKey) -> rusqlite::Result<()> {
    let tmp = path.with_extension("db.encrypting");
    let _ = std::fs::remove_file(&tmp);
    {
        let conn = Connection::open(path)?;
        // Back to a rollback journal: the WAL's pages are folded into the file first.
        conn.pragma_update(None, "journal_mode", "DELETE")?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let target = tmp.display().to_string().replace('\'', "''");
        conn.execute_batch(&format!(
            "ATTACH DATABASE '{target}' AS encrypted KEY {};",
            key.literal()
        ))?;
        conn.query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(()))?;
        conn.execute_batch(&format!(
            "PRAGMA encrypted.user_version = {version}; \
             PRAGMA encrypted.application_id = {APPLICATION_ID}; \
             DETACH DATABASE encrypted;"
        ))?;
    }
    std::fs::rename(&tmp, path)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    for suffix in ["-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(p);
    }
    Ok(())
}

/// Reads the identity of an existing file through a read-only connection, so that a
/// foreign or newer file is never touched (not even switched to WAL).
fn inspect_before_writing(path: &Path, key: Option<&StoreKey>) -> Result<()> {
    let foreign = |why: String| StoreError::Foreign {
        path: path.to_path_buf(),
        why,
    };
    let ro = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| foreign(e.to_string()))?;
    if let Some(key) = key {
        // A wrong key and a file that is no database look alike: neither decrypts.
        key.apply(&ro)
            .and_then(|()| {
                ro.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
                    r.get::<_, i64>(0)
                })
            })
            .map_err(|_| StoreError::WrongKey {
                path: path.to_path_buf(),
            })?;
    }
    let app_id: i32 = ro
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(|e| foreign(e.to_string()))?;
    let version: i64 = ro
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| foreign(e.to_string()))?;
    let tables: i64 = ro
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .map_err(|e| foreign(e.to_string()))?;
    if app_id != APPLICATION_ID && (app_id != 0 || tables > 0) {
        return Err(foreign(format!(
            "application id {app_id:#x}, {tables} schema objects"
        )));
    }
    if version > schema_version() as i64 {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found: version,
            known: schema_version(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests;

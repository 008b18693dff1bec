//! The local case store.
//!
//! Invariant: the only crate that touches SQLite. It knows nothing of the underwriting
//! rules: a case arrives as its case-file JSON plus the columns the queue sorts and filters
//! on, computed by the caller. Every write is one transaction; the connection runs with
//! `synchronous=FULL` because decisions and sign-offs are written through it and must
//! survive a power cut once the call returns.
//!
//! A file that is not ours (another program's SQLite database, a corrupted file, a newer
//! schema) is refused before anything is written to it. So is a plain (unencrypted) store
//! of this workstation found where the encrypted one belongs: anyone who can write the
//! folder could put one there; an administrator adopts one explicitly ([`Store::adopt`]).

mod assignment;
mod attachments;
pub mod audit;
pub mod backup;
mod cases;
mod conditions;
mod dashboard;
mod identity;
mod lien_watch;
mod notes;
mod rekey;
mod statements;
pub mod sync;
mod users;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};
use rusqlite_migration::{HookError, Migrations, M};

pub use attachments::{Attachment, NewAttachment};
pub use audit::{AuditEntry, AuditProblem, AuditReport};
pub use backup::{backup_file, backup_holds, check_backup, stage_restore, BackupSummary, Incoming};
pub use cases::{CaseEvent, NewCase, QueuePage, QueueQuery, QueueRow, SortKey, StoredCase};
pub use conditions::StoredCondition;
pub use dashboard::{CaseCounts, PersonLoad, COUNTER_OFFER_TAKEN};
pub use identity::{CachedPerson, StoredKey};
pub use lien_watch::LienAlert;
pub use notes::{NewNote, StoredNote};
pub use statements::{Stamp, StoredReclassification, StoredStatement};
pub use sync::{BankVersion, Conflict, OutboxEntry, OutboxRecord, Outgoing, Push};
pub use users::{StoredUser, UserChange};

/// `PRAGMA application_id` of a workstation database ("UWS1"): tells our files from
/// any other SQLite file.
pub const APPLICATION_ID: i32 = 0x5557_5331;

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// The schema, one migration per file, in order; the store's `user_version` counts them.
const MIGRATIONS: [&str; 18] = [
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
    include_str!("schema/012_audit_anchor.sql"),
    include_str!("schema/013_admin.sql"),
    include_str!("schema/014_notes.sql"),
    include_str!("schema/015_lien_watch.sql"),
    include_str!("schema/016_scan_versions.sql"),
    include_str!("schema/017_conditions.sql"),
    include_str!("schema/018_supervisor.sql"),
];

/// The migration that creates the audit chain (`schema/003_audit.sql`, 1-based).
const AUDIT_MIGRATION: usize = 3;

fn migrations() -> Migrations<'static> {
    Migrations::new(
        MIGRATIONS
            .iter()
            .enumerate()
            .map(|(i, sql)| {
                if i + 1 == AUDIT_MIGRATION {
                    // The entries taken over are sealed into the chain inside the
                    // migration's own transaction: a crash leaves the store before the
                    // chain or with it sealed, never a chain with unsealed entries.
                    M::up_with_hook(sql, |tx: &rusqlite::Transaction| {
                        audit::seal(tx).map_err(|e| match e {
                            StoreError::Sql(e) => HookError::RusqliteError(e),
                            other => HookError::Hook(other.to_string()),
                        })
                    })
                } else {
                    M::up(sql)
                }
            })
            .collect(),
    )
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
    /// A plain SQLite file where the encrypted store belongs: never adopted silently.
    #[error("{path} is a plain (unencrypted) SQLite file, which the workstation does not open: an administrator moves it out of the data folder and adopts it explicitly with `uw store adopt FILE`; the file was left untouched")]
    Plain { path: PathBuf },
    /// An adoption into a place that already holds a store.
    #[error("a case store already exists at {path}: a plain store is adopted only where there is none; nothing was changed")]
    AlreadyAStore { path: PathBuf },
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
    /// One person, one account: the staff id has an account already (named).
    #[error("staff id {staff_id} already has an account ({username})")]
    StaffIdTaken { staff_id: String, username: String },
    /// The change would leave the workstation without an active administrator.
    #[error("{0} is the last active administrator: another administrator is made first")]
    LastAdmin(String),
    #[error("user {0} does not exist")]
    NoUser(String),
    #[error("case {case_id} has no condition {condition_id}")]
    NoCondition {
        case_id: String,
        condition_id: String,
    },
    /// A close of a condition that another act closed first.
    #[error("condition {condition_id} of case {case_id} is {status} already: a closed condition never reopens")]
    ConditionClosed {
        case_id: String,
        condition_id: String,
        status: String,
    },
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
        apply_literal(conn, &self.literal())
    }

    /// For a store that exists, keyed by a passphrase: the key SQLCipher derives from it
    /// (PBKDF2-HMAC-SHA512, [`KDF_ITERATIONS`], the salt in the file's first 16 bytes),
    /// derived once here and given raw with its salt (`x'KEY SALT'`). Opening a store takes
    /// two connections (the inspection's and the store's), and each would derive it again:
    /// a quarter of a second apiece at every start. `None` for a raw key, or a file too short
    /// to hold a salt.
    fn derived(&self, path: &Path) -> Option<String> {
        let StoreKey::Passphrase(p) = self else {
            return None;
        };
        let mut salt = [0u8; 16];
        std::io::Read::read_exact(&mut std::fs::File::open(path).ok()?, &mut salt).ok()?;
        let mut key = [0u8; 32];
        ring::pbkdf2::derive(
            ring::pbkdf2::PBKDF2_HMAC_SHA512,
            KDF_ITERATIONS,
            &salt,
            p.as_bytes(),
            &mut key,
        );
        let hex: String = key
            .iter()
            .chain(&salt)
            .map(|b| format!("{b:02x}"))
            .collect();
        Some(format!("\"x'{hex}'\""))
    }
}

/// SQLCipher 4's key derivation, as [`StoreKey::Passphrase`] states it. Should a store's
/// settings differ, the derived key does not open it and the passphrase is given as such.
const KDF_ITERATIONS: std::num::NonZeroU32 = match std::num::NonZeroU32::new(256_000) {
    Some(n) => n,
    None => panic!("a positive count"),
};

fn apply_literal(conn: &Connection, literal: &str) -> rusqlite::Result<()> {
    conn.execute_batch(&format!("PRAGMA key = {literal};"))
}

impl Store {
    /// Opens (creating if absent) the encrypted database at `path`, refusing foreign or
    /// newer files, a wrong key and a plain (unencrypted) SQLite file, all left
    /// untouched: a plain store of this workstation is taken in only by [`Store::adopt`].
    pub fn open(path: &Path, key: &StoreKey) -> Result<Store> {
        let open_err = |message: String| StoreError::Open {
            path: path.to_path_buf(),
            message,
        };
        create_parent(path)?;
        let mut literal = key.literal();
        let existing = match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => return Err(open_err("it is a folder".into())),
            Ok(m) => m.len() > 0,
            Err(_) => false,
        };
        if existing {
            if plain_sqlite(path)? {
                // Another program's database, or a newer one, is named as such.
                read_leaving_no_trace(path, || inspect_before_writing(path, None))?;
                return Err(StoreError::Plain {
                    path: path.to_path_buf(),
                });
            }
            // The derived key; when it does not decrypt the file, the key as given (a
            // store of other settings opens, a wrong passphrase is named as one).
            literal = match key.derived(path) {
                Some(d) => match inspect_before_writing(path, Some(&d)) {
                    Ok(()) => d,
                    Err(StoreError::WrongKey { .. }) => {
                        inspect_before_writing(path, Some(&literal))?;
                        literal
                    }
                    Err(e) => return Err(e),
                },
                None => {
                    inspect_before_writing(path, Some(&literal))?;
                    literal
                }
            };
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| open_err(e.to_string()))?;
        // The key comes first: nothing is read or written before it.
        apply_literal(&conn, &literal).map_err(|e| open_err(e.to_string()))?;
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
        // What is deleted (a removed scan, a replaced statement) is overwritten with zeros,
        // not left readable in free pages to whoever holds the key.
        conn.pragma_update(None, "secure_delete", "ON")?;
        let mut conn = conn;
        // The chain's entries taken over from before it are sealed inside its migration
        // (`migrations`): an entry found unsealed later was blanked by someone, and
        // verification must see it.
        migrations()
            .to_latest(&mut conn)
            .map_err(|e| open_err(format!("cannot prepare the schema: {e}")))?;
        conn.pragma_update(None, "application_id", APPLICATION_ID)?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// Adopts a plain (unencrypted) SQLite store of this workstation — from a version
    /// before encryption — as the encrypted store at `dest`, then opens it (bringing its
    /// schema up to date). The plain file is read only and left untouched; `dest` must
    /// hold no store yet. A foreign or newer file is refused like at opening.
    pub fn adopt(plain: &Path, dest: &Path, key: &StoreKey) -> Result<Store> {
        if std::fs::metadata(dest).is_ok_and(|m| m.is_dir() || m.len() > 0) {
            return Err(StoreError::AlreadyAStore {
                path: dest.to_path_buf(),
            });
        }
        match std::fs::metadata(plain) {
            Ok(m) if m.is_file() => {}
            Ok(_) => {
                return Err(StoreError::Open {
                    path: plain.to_path_buf(),
                    message: "it is not a file".into(),
                })
            }
            Err(e) => {
                return Err(StoreError::Open {
                    path: plain.to_path_buf(),
                    message: e.to_string(),
                })
            }
        }
        if !plain_sqlite(plain)? {
            return Err(StoreError::Foreign {
                path: plain.to_path_buf(),
                why: "not a plain SQLite file (an encrypted store needs no adoption)".into(),
            });
        }
        read_leaving_no_trace(plain, || inspect_before_writing(plain, None))?;
        create_parent(dest)?;
        let mut tmp = dest.as_os_str().to_owned();
        tmp.push(".adopting");
        let tmp = PathBuf::from(tmp);
        let _ = std::fs::remove_file(&tmp);
        let written = read_leaving_no_trace(plain, || Ok(export_encrypted(plain, &tmp, key)))?
            .map_err(|e| e.to_string())
            .and_then(|()| replace(&tmp, dest).map_err(|e| e.to_string()));
        if let Err(message) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(StoreError::Open {
                path: dest.to_path_buf(),
                message: format!("cannot adopt {}: {message}", plain.display()),
            });
        }
        Store::open(dest, key)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The cipher library's version (`PRAGMA cipher_version`), for a support report.
    pub fn cipher_version(&self) -> Result<String> {
        Ok(self
            .conn
            .query_row("PRAGMA cipher_version", [], |r| r.get::<_, String>(0))?)
    }

    /// `PRAGMA integrity_check`: "ok" or the problems SQLite found.
    pub fn integrity_check(&self) -> Result<String> {
        Ok(self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get::<_, String>(0))?)
    }

    /// `integrity_check` of every table but those in `skip`, each with its indexes: the
    /// store's structure without reading the skipped tables' pages. "ok", or the first
    /// problem with its table.
    pub fn integrity_check_except(&self, skip: &[&str]) -> Result<String> {
        let tables: Vec<String> = self
            .conn
            .prepare(
                "SELECT name FROM sqlite_schema WHERE type = 'table' \
                 AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name",
            )?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for table in tables.iter().filter(|t| !skip.contains(&t.as_str())) {
            let quoted = table.replace('"', "\"\"");
            let answer: String =
                self.conn
                    .query_row(&format!("PRAGMA integrity_check(\"{quoted}\")"), [], |r| {
                        r.get(0)
                    })?;
            if answer != "ok" {
                return Ok(format!("{table}: {answer}"));
            }
        }
        Ok("ok".into())
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

/// Runs `read`, which reads `path` read-only, then removes the `-wal` / `-shm` files
/// SQLite made beside it to read it (a WAL-mode file, read-only): the folder is left as
/// it was found.
fn read_leaving_no_trace<T>(path: &Path, read: impl FnOnce() -> Result<T>) -> Result<T> {
    let made: Vec<PathBuf> = ["-wal", "-shm"]
        .into_iter()
        .map(|suffix| {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            PathBuf::from(p)
        })
        .filter(|p| !p.exists())
        .collect();
    let result = read();
    for p in made {
        let _ = std::fs::remove_file(p);
    }
    result
}

/// Creates the folder of the database, private to its user (0700), when absent.
fn create_parent(path: &Path) -> Result<()> {
    let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) else {
        return Ok(());
    };
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(parent).map_err(|e| StoreError::Open {
        path: path.to_path_buf(),
        message: format!("cannot create the folder {}: {e}", parent.display()),
    })
}

/// `path` as an SQLite URI that opens it read-only (`?`, `#` and `%` escaped).
fn read_only_uri(path: &Path) -> String {
    let mut uri = String::from("file:");
    for c in path.display().to_string().chars() {
        match c {
            '?' | '#' | '%' => uri.push_str(&format!("%{:02X}", c as u32)),
            c => uri.push(c),
        }
    }
    uri.push_str("?mode=ro");
    uri
}

/// Writes the plain store at `plain` into a new file `target` encrypted with `key`
/// (SQLCipher's `sqlcipher_export`). `plain` is opened read-only.
fn export_encrypted(plain: &Path, target: &Path, key: &StoreKey) -> rusqlite::Result<()> {
    let conn = Connection::open_with_flags(
        read_only_uri(plain),
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let target_sql = target.display().to_string().replace('\'', "''");
    conn.execute_batch(&format!(
        "ATTACH DATABASE '{target_sql}' AS encrypted KEY {};",
        key.literal()
    ))?;
    conn.query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(()))?;
    conn.execute_batch(&format!(
        "PRAGMA encrypted.user_version = {version}; \
         PRAGMA encrypted.application_id = {APPLICATION_ID}; \
         DETACH DATABASE encrypted;"
    ))?;
    Ok(())
}

/// Renames `from` over `to` durably: `from` was flushed by its writer; the folder is
/// flushed after the rename, so that a power cut leaves one file or the other whole.
fn replace(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::File::open(from)?.sync_all()?;
    std::fs::rename(from, to)?;
    sync_dir(to)
}

/// Flushes the folder holding `path` (its entries: a rename, a new file).
fn sync_dir(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::File::open(dir)?.sync_all()?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Reads the identity of an existing file through a read-only connection, so that a
/// foreign or newer file is never touched (not even switched to WAL).
fn inspect_before_writing(path: &Path, key: Option<&str>) -> Result<()> {
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
        apply_literal(&ro, key)
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

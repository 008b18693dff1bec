//! The audit trail (`schema/003_audit.sql`): every action appended with a hash that covers
//! its own fields and the hash of the entry before it, so changing, inserting or deleting
//! an entry in the middle breaks the chain from there on. Appends happen in the same
//! transaction as the change they record.
//!
//! What the chain cannot show: entries cut off the end. Keeping the head elsewhere (the
//! core bank, on sync) is what closes that.

use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::{Result, Store, StoreError};

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The fields an entry's hash covers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Entry<'a> {
    pub id: i64,
    pub at: &'a str,
    pub actor: &'a str,
    pub action: &'a str,
    pub case_id: Option<&'a str>,
    pub detail: &'a str,
}

/// SHA-256 (hex) over the JSON array `[prev, id, at, actor, action, case_id, detail]`:
/// JSON quoting makes the encoding unambiguous, so no two different entries share a
/// preimage.
pub fn entry_hash(prev: &str, e: &Entry) -> String {
    let preimage = serde_json::json!([prev, e.id, e.at, e.actor, e.action, e.case_id, e.detail]);
    let digest = Sha256::digest(preimage.to_string().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Where a chain stops fitting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Break {
    pub id: i64,
    pub why: String,
}

/// Checks stored entries (with their stored `prev` and `hash`) in order; the first entry
/// that does not fit is named.
pub fn verify<'a>(
    entries: impl IntoIterator<Item = (Entry<'a>, &'a str, &'a str)>,
) -> Result<usize, Break> {
    let mut expected_prev = GENESIS.to_string();
    let mut n = 0;
    for (e, prev, hash) in entries {
        if prev != expected_prev {
            return Err(Break {
                id: e.id,
                why: "its link to the entry before does not match (an entry was removed, inserted or changed before it)".into(),
            });
        }
        if entry_hash(prev, &e) != hash {
            return Err(Break {
                id: e.id,
                why: "its content does not match its hash (the entry was changed)".into(),
            });
        }
        expected_prev = hash.to_string();
        n += 1;
    }
    Ok(n)
}

/// Appends one entry, chained to the last; inside the caller's transaction.
pub(crate) fn append(
    tx: &rusqlite::Transaction,
    at: &str,
    actor: &str,
    action: &str,
    case_id: Option<&str>,
    detail: &str,
) -> Result<()> {
    let last: Option<(i64, String)> = tx
        .query_row(
            "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (id, prev) = match last {
        Some((id, hash)) => (id + 1, hash),
        None => (1, GENESIS.to_string()),
    };
    let e = Entry {
        id,
        at,
        actor,
        action,
        case_id,
        detail,
    };
    tx.execute(
        "INSERT INTO audit_log (id, at, actor, action, case_id, detail, prev_hash, hash) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            id,
            at,
            actor,
            action,
            case_id,
            detail,
            prev,
            entry_hash(&prev, &e)
        ],
    )?;
    Ok(())
}

/// Seals entries taken over from before the chain existed (`hash = ''`), in order.
pub(crate) fn seal(conn: &mut rusqlite::Connection) -> Result<()> {
    let tx = conn.transaction()?;
    let unsealed: i64 =
        tx.query_row("SELECT count(*) FROM audit_log WHERE hash = ''", [], |r| {
            r.get(0)
        })?;
    if unsealed > 0 {
        let rows: Vec<StoredEntry> = read_all(&tx)?;
        let mut prev = GENESIS.to_string();
        for r in rows {
            let hash = if r.hash.is_empty() {
                let h = entry_hash(&prev, &r.entry());
                tx.execute(
                    "UPDATE audit_log SET prev_hash = ?2, hash = ?3 WHERE id = ?1",
                    params![r.entry.id, prev, h],
                )?;
                h
            } else {
                r.hash
            };
            prev = hash;
        }
    }
    tx.commit()?;
    Ok(())
}

/// An entry with its chain fields.
struct StoredEntry {
    entry: AuditEntry,
    prev_hash: String,
    hash: String,
}

impl StoredEntry {
    fn entry(&self) -> Entry<'_> {
        let e = &self.entry;
        Entry {
            id: e.id,
            at: &e.at,
            actor: &e.actor,
            action: &e.action,
            case_id: e.case_id.as_deref(),
            detail: &e.detail,
        }
    }
}

/// Maps the first six columns `id, at, actor, action, case_id, detail`.
fn entry_row(r: &rusqlite::Row) -> rusqlite::Result<AuditEntry> {
    Ok(AuditEntry {
        id: r.get(0)?,
        at: r.get(1)?,
        actor: r.get(2)?,
        action: r.get(3)?,
        case_id: r.get(4)?,
        detail: r.get(5)?,
    })
}

fn read_all(conn: &rusqlite::Connection) -> Result<Vec<StoredEntry>> {
    let mut st = conn.prepare(
        "SELECT id, at, actor, action, case_id, detail, prev_hash, hash FROM audit_log ORDER BY id",
    )?;
    let rows = st.query_map([], |r| {
        Ok(StoredEntry {
            entry: entry_row(r)?,
            prev_hash: r.get(6)?,
            hash: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The outcome of `uw audit verify`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditReport {
    pub entries: usize,
    pub intact: bool,
    /// The first entry that does not fit, and why.
    pub first_break: Option<(i64, String)>,
}

/// One entry as the audit view shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub case_id: Option<String>,
    pub detail: String,
}

impl Store {
    /// Reads the entries one by one (their ids from the index, which lives on other
    /// pages) to find the first one whose page cannot be read.
    fn first_unreadable_entry(&self, cause: &rusqlite::Error) -> (i64, String) {
        let why = "it cannot be read: the page holding it fails authentication (the file was changed outside the workstation)";
        let ids: rusqlite::Result<Vec<i64>> = self
            .conn
            .prepare("SELECT id FROM audit_log INDEXED BY audit_by_case ORDER BY id")
            .and_then(|mut st| st.query_map([], |r| r.get(0))?.collect());
        let Ok(ids) = ids else {
            return (
                0,
                format!("the audit trail cannot be read at all ({cause})"),
            );
        };
        for id in ids {
            let row = self.conn.query_row(
                "SELECT at, actor, action, case_id, detail, prev_hash, hash FROM audit_log WHERE id = ?1",
                [id],
                |_| Ok(()),
            );
            if row.is_err() {
                return (id, why.to_string());
            }
        }
        (0, format!("the audit trail cannot be read ({cause})"))
    }

    /// The id, hash and time of the last entry: the chain head reported to the bank.
    pub fn audit_head(&self) -> Result<Option<(i64, String, String)>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, hash, at FROM audit_log ORDER BY id DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?)
    }

    /// The last `limit` entries, oldest first.
    pub fn audit_tail(&self, limit: usize) -> Result<Vec<AuditEntry>> {
        let mut st = self.conn.prepare(
            "SELECT id, at, actor, action, case_id, detail FROM \
             (SELECT * FROM audit_log ORDER BY id DESC LIMIT ?1) ORDER BY id",
        )?;
        let rows = st.query_map([limit as i64], entry_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Recomputes the whole chain.
    pub fn verify_audit(&self) -> Result<AuditReport> {
        let rows = match read_all(&self.conn) {
            Ok(rows) => rows,
            // The file is encrypted with an HMAC per page: a byte changed outside the
            // workstation makes its page unreadable. Name the first entry that is.
            Err(StoreError::Sql(e)) => {
                return Ok(AuditReport {
                    entries: 0,
                    intact: false,
                    first_break: Some(self.first_unreadable_entry(&e)),
                })
            }
            Err(e) => return Err(e),
        };
        let total = rows.len();
        Ok(
            match verify(
                rows.iter()
                    .map(|r| (r.entry(), r.prev_hash.as_str(), r.hash.as_str())),
            ) {
                Ok(n) => AuditReport {
                    entries: n,
                    intact: true,
                    first_break: None,
                },
                Err(b) => AuditReport {
                    entries: total,
                    intact: false,
                    first_break: Some((b.id, b.why)),
                },
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(details: &[&str]) -> Vec<(i64, String, String, String)> {
        let mut prev = GENESIS.to_string();
        details
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let e = Entry {
                    id: i as i64 + 1,
                    at: "2026-11-23T09:00:00Z",
                    actor: "alice",
                    action: "edit",
                    case_id: Some("AUTO-1"),
                    detail: d,
                };
                let h = entry_hash(&prev, &e);
                let row = (e.id, d.to_string(), prev.clone(), h.clone());
                prev = h;
                row
            })
            .collect()
    }

    fn check(rows: &[(i64, String, String, String)]) -> Result<usize, Break> {
        verify(rows.iter().map(|(id, d, p, h)| {
            (
                Entry {
                    id: *id,
                    at: "2026-11-23T09:00:00Z",
                    actor: "alice",
                    action: "edit",
                    case_id: Some("AUTO-1"),
                    detail: d,
                },
                p.as_str(),
                h.as_str(),
            )
        }))
    }

    #[test]
    fn a_change_a_removal_or_a_reorder_is_named() {
        let rows = chain(&["a", "b", "c", "d"]);
        assert_eq!(check(&rows), Ok(4));
        let mut changed = rows.clone();
        changed[1].1 = "B".into();
        assert_eq!(check(&changed).unwrap_err().id, 2);
        let mut removed = rows.clone();
        removed.remove(2);
        assert_eq!(check(&removed).unwrap_err().id, 4);
        let mut swapped = rows.clone();
        swapped.swap(0, 1);
        assert_eq!(check(&swapped).unwrap_err().id, 2);
        // Rewriting an entry with a fresh hash still breaks the next link.
        let mut rehashed = rows;
        rehashed[1].1 = "B".into();
        let e = Entry {
            id: 2,
            at: "2026-11-23T09:00:00Z",
            actor: "alice",
            action: "edit",
            case_id: Some("AUTO-1"),
            detail: "B",
        };
        rehashed[1].3 = entry_hash(&rehashed[1].2, &e);
        assert_eq!(check(&rehashed).unwrap_err().id, 3);
    }

    #[test]
    fn fields_cannot_shift_into_each_other() {
        let a = Entry {
            id: 1,
            at: "t",
            actor: "ab",
            action: "c",
            case_id: None,
            detail: "",
        };
        let b = Entry {
            actor: "a",
            action: "bc",
            ..a.clone()
        };
        assert_ne!(entry_hash(GENESIS, &a), entry_hash(GENESIS, &b));
    }
}

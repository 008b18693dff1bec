//! The audit trail (`schema/003_audit.sql`): every action appended with a hash that covers
//! its own fields and the hash of the entry before it, so changing, inserting or deleting
//! an entry in the middle breaks the chain from there on. Appends happen in the same
//! transaction as the change they record.
//!
//! What the chain cannot show alone: entries cut off the end, a chain rewritten with its
//! hashes recomputed (whoever holds the store's key can), or the whole store put back from
//! an old copy. The core bank closes that: every sync pass reports the head, the bank keeps
//! it as this workstation's anchor ([`WORKSTATION`] names it there) and takes a new head
//! only when it extends the anchor; verification asks the chain to hold the bank's anchor
//! at its id with its hash (uw-app `audit`).
//!
//! [`Store::verify_audit`] checks, each failure named by its entry: the chain (every
//! entry's link and hash), ids without gaps from 1, times that do not go back (more than
//! [`TIME_SLACK_SECS`]), and an entry for every stored case version — a case version is
//! written with its entry in one transaction and at one time, so the entry of the case at
//! its `updated_at` is the version's (versions from before this check, listed by
//! `schema/012_audit_anchor.sql`, are not asked).

use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::{Result, Store, StoreError};

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The setting holding the workstation's id at the bank (`schema/012_audit_anchor.sql`).
pub const WORKSTATION: &str = "audit.workstation";
/// The setting holding the last anchor the bank took from this store (`{entry_id, hash}`).
pub const ANCHOR: &str = "audit.anchor";

/// How far an entry's time may lie before the one before it. Writers take their time
/// before they wait for the store (a login asks the directory first), so concurrent ones
/// land a little out of order; a clock set back lands far.
pub const TIME_SLACK_SECS: i64 = 300;

/// The codes of [`AuditProblem`].
pub mod codes {
    /// An entry's link or hash does not fit (changed, removed, inserted, unreadable).
    pub const BROKEN: &str = "AUDIT_BROKEN";
    /// Entry ids are not contiguous from 1.
    pub const GAP: &str = "AUDIT_GAP";
    /// An entry's time lies before the one before it (or is no time).
    pub const TIME_BACKWARDS: &str = "AUDIT_TIME_BACKWARDS";
    /// A stored case version has no audit entry.
    pub const VERSION_UNRECORDED: &str = "AUDIT_VERSION_UNRECORDED";
    /// The chain does not hold the bank's anchor (an old copy, or a rewritten chain).
    pub const ROLLED_BACK: &str = "AUDIT_ROLLED_BACK";
}

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
    let (n, breaks) = breaks(entries);
    match breaks.into_iter().next() {
        Some(b) => Err(b),
        None => Ok(n),
    }
}

/// Every entry that does not fit the chain, in order, and the number of entries. After a
/// break the check goes on from the entry's stored hash, so one changed entry is named
/// once and the entries after it are judged on their own.
pub fn breaks<'a>(
    entries: impl IntoIterator<Item = (Entry<'a>, &'a str, &'a str)>,
) -> (usize, Vec<Break>) {
    let mut expected_prev = GENESIS.to_string();
    let mut n = 0;
    let mut found = Vec::new();
    for (e, prev, hash) in entries {
        if prev != expected_prev {
            found.push(Break {
                id: e.id,
                why: "its link to the entry before does not match (an entry was removed, inserted or changed before it)".into(),
            });
        } else if entry_hash(prev, &e) != hash {
            found.push(Break {
                id: e.id,
                why: "its content does not match its hash (the entry was changed)".into(),
            });
        }
        expected_prev = hash.to_string();
        n += 1;
    }
    (n, found)
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

/// Seals entries taken over from before the chain existed (`hash = ''`), in order —
/// inside the transaction of the migration that made the chain (`schema/003_audit.sql`).
pub(crate) fn seal(tx: &rusqlite::Connection) -> Result<()> {
    let unsealed: i64 =
        tx.query_row("SELECT count(*) FROM audit_log WHERE hash = ''", [], |r| {
            r.get(0)
        })?;
    if unsealed == 0 {
        return Ok(());
    }
    let rows: Vec<StoredEntry> = read_all(tx)?;
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
    Ok(())
}

/// An entry with its chain fields.
struct StoredEntry {
    entry: AuditEntry,
    prev_hash: String,
    hash: String,
    /// Its time in milliseconds since 1970 (SQLite's reading of the RFC 3339 text; `None`:
    /// no time).
    millis: Option<i64>,
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
        "SELECT id, at, actor, action, case_id, detail, prev_hash, hash, \
         CAST(round((julianday(at) - 2440587.5) * 86400000.0) AS INTEGER) \
         FROM audit_log ORDER BY id",
    )?;
    let rows = st.query_map([], |r| {
        Ok(StoredEntry {
            entry: entry_row(r)?,
            prev_hash: r.get(6)?,
            hash: r.get(7)?,
            millis: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The outcome of `uw audit verify`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditReport {
    pub entries: usize,
    /// No problem found.
    pub intact: bool,
    /// The first entry that does not fit, and why.
    pub first_break: Option<(i64, String)>,
    /// Every problem found, each naming its entry (or the case version without one).
    pub problems: Vec<AuditProblem>,
    /// What else was checked, or could not be (the bank's anchor).
    pub notes: Vec<String>,
}

/// One way the trail does not hold up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditProblem {
    /// One of [`codes`].
    pub code: String,
    /// The entry it is about; none for a case version without its entry.
    pub entry_id: Option<i64>,
    pub case_id: Option<String>,
    /// The whole sentence, naming the entry.
    pub message: String,
}

impl AuditReport {
    fn new(entries: usize) -> AuditReport {
        AuditReport {
            entries,
            intact: true,
            first_break: None,
            problems: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Adds a problem about entry `entry_id` (the lowest such entry is the first break).
    pub fn problem_at(&mut self, code: &str, entry_id: i64, why: &str) {
        let message = if code == codes::BROKEN {
            format!("audit entry {entry_id} does not fit the chain: {why}")
        } else {
            format!("audit entry {entry_id}: {why}")
        };
        if self
            .first_break
            .as_ref()
            .is_none_or(|(id, _)| entry_id < *id)
        {
            self.first_break = Some((entry_id, why.to_string()));
        }
        self.intact = false;
        self.problems.push(AuditProblem {
            code: code.into(),
            entry_id: Some(entry_id),
            case_id: None,
            message,
        });
    }

    fn unrecorded_version(&mut self, case_id: &str, version: i64, at: &str) {
        self.intact = false;
        self.problems.push(AuditProblem {
            code: codes::VERSION_UNRECORDED.into(),
            entry_id: None,
            case_id: Some(case_id.into()),
            message: format!(
                "case {case_id} version {version} (written {at}) has no audit entry: it was written outside the workstation, or its entry was cut off"
            ),
        });
    }

    /// The problems in entry order (those without an entry last).
    fn sort(&mut self) {
        self.problems
            .sort_by_key(|p| (p.entry_id.unwrap_or(i64::MAX), p.case_id.clone()));
    }
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

    /// Checks the whole trail: the chain, the ids, the times and the case versions'
    /// entries (see the module's documentation); every problem is named.
    pub fn verify_audit(&self) -> Result<AuditReport> {
        let rows = match read_all(&self.conn) {
            Ok(rows) => rows,
            // The file is encrypted with an HMAC per page: a byte changed outside the
            // workstation makes its page unreadable. Name the first entry that is.
            Err(StoreError::Sql(e)) => {
                let (id, why) = self.first_unreadable_entry(&e);
                let mut report = AuditReport::new(0);
                report.problem_at(codes::BROKEN, id, &why);
                return Ok(report);
            }
            Err(e) => return Err(e),
        };
        let (n, chain) = breaks(
            rows.iter()
                .map(|r| (r.entry(), r.prev_hash.as_str(), r.hash.as_str())),
        );
        let mut report = AuditReport::new(n);
        for b in chain {
            report.problem_at(codes::BROKEN, b.id, &b.why);
        }
        let mut before: Option<&StoredEntry> = None;
        for r in &rows {
            let id = r.entry.id;
            let expected = before.map_or(1, |b| b.entry.id + 1);
            if id != expected {
                let why = match before {
                    None => format!(
                        "the trail starts at entry {id}: entries 1 to {} are missing",
                        id - 1
                    ),
                    Some(b) => format!(
                        "it follows entry {}: entries {} to {} are missing",
                        b.entry.id,
                        b.entry.id + 1,
                        id - 1
                    ),
                };
                report.problem_at(codes::GAP, id, &why);
            }
            match (r.millis, before.and_then(|b| b.millis.map(|m| (b, m)))) {
                (None, _) => report.problem_at(
                    codes::TIME_BACKWARDS,
                    id,
                    &format!("its time {:?} is not an RFC 3339 time", r.entry.at),
                ),
                (Some(t), Some((b, prev))) if prev - t > TIME_SLACK_SECS * 1000 => report
                    .problem_at(
                        codes::TIME_BACKWARDS,
                        id,
                        &format!(
                            "its time {} is before the time {} of entry {} (the clock went back, or entries were moved)",
                            r.entry.at, b.entry.at, b.entry.id
                        ),
                    ),
                _ => {}
            }
            before = Some(r);
        }
        for (case_id, version, at) in self.versions_without_entry()? {
            report.unrecorded_version(&case_id, version, &at);
        }
        report.sort();
        Ok(report)
    }

    /// Stored case versions whose write left no audit entry of the case at its time.
    fn versions_without_entry(&self) -> Result<Vec<(String, i64, String)>> {
        let mut st = self.conn.prepare(
            "SELECT c.case_id, c.version, c.updated_at FROM cases c \
             WHERE NOT EXISTS (SELECT 1 FROM audit_log a \
                               WHERE a.case_id = c.case_id AND a.at = c.updated_at) \
               AND NOT EXISTS (SELECT 1 FROM audit_unrecorded_versions u \
                               WHERE u.case_id = c.case_id AND u.version = c.version) \
             ORDER BY c.case_id",
        )?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The workstation's id at the bank: random, made once (by the migration; made here
    /// should the setting be missing).
    pub fn workstation_id(&self) -> Result<String> {
        self.conn.execute(
            "INSERT OR IGNORE INTO settings (key, value) VALUES (?1, lower(hex(randomblob(16))))",
            [WORKSTATION],
        )?;
        Ok(self.conn.query_row(
            "SELECT value FROM settings WHERE key = ?1",
            [WORKSTATION],
            |r| r.get(0),
        )?)
    }

    /// The last anchor the bank took from this store (its entry id and hash), as recorded
    /// here when the bank answered.
    pub fn audit_anchor(&self) -> Result<Option<(i64, String)>> {
        let text: Option<String> = self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [ANCHOR], |r| {
                r.get(0)
            })
            .optional()?;
        Ok(text
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .and_then(|v| Some((v["entry_id"].as_i64()?, v["hash"].as_str()?.to_string()))))
    }

    pub fn set_audit_anchor(&self, entry_id: i64, hash: &str) -> Result<()> {
        let value = serde_json::json!({"entry_id": entry_id, "hash": hash}).to_string();
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [ANCHOR, value.as_str()],
        )?;
        Ok(())
    }

    /// When entry `id` was written, if the trail holds it.
    /// When `action` was last recorded, if ever.
    pub fn audit_last_at(&self, action: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT at FROM audit_log WHERE action = ?1 ORDER BY id DESC LIMIT 1",
                [action],
                |r| r.get(0),
            )
            .optional()?)
    }

    pub fn audit_time_at(&self, id: i64) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT at FROM audit_log WHERE id = ?1", [id], |r| r.get(0))
            .optional()?)
    }

    /// The stored hash of entry `id`, if the trail holds it.
    pub fn audit_hash_at(&self, id: i64) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT hash FROM audit_log WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// How many entries lie past the last anchor the bank took (all of them before the
    /// first).
    pub fn audit_unanchored(&self) -> Result<i64> {
        let head = self.audit_head()?.map_or(0, |h| h.0);
        let anchored = self.audit_anchor()?.map_or(0, |a| a.0);
        Ok((head - anchored).max(0))
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

    // ---------------------------------------------------------------------------------
    // The store's checks, on real (encrypted) SQLite files.

    fn key() -> crate::StoreKey {
        crate::StoreKey::Raw([7; 32])
    }

    fn new_case(id: &str) -> crate::NewCase {
        crate::NewCase {
            case_id: id.into(),
            case_json: format!("{{\"case_id\":\"{id}\"}}"),
            status: "draft".into(),
            decision: None,
            assignee: None,
            branch: "BXM-07".into(),
            application_date: "2026-11-20".into(),
            borrower_name: "Karimov".into(),
            pinfl: "31502900000001".into(),
            vin: format!("XWB{id}"),
            amount: "1.00".into(),
            amount_tiyin: 100,
            term_months: 36,
            reasons: String::new(),
            counter_offers: 0,
        }
    }

    /// A store with a case and `n` further entries, one a minute from 08:00.
    fn store_with(dir: &std::path::Path, n: usize) -> crate::Store {
        let mut s = crate::Store::open(&dir.join("cases.db"), &key()).unwrap();
        s.insert_cases(
            &[new_case("A-1")],
            "2026-11-23T08:00:00Z",
            "alice",
            "import",
        )
        .unwrap();
        for i in 0..n {
            s.audit(
                &format!("2026-11-23T08:{:02}:00Z", i + 1),
                "alice",
                "login",
                "{}",
            )
            .unwrap();
        }
        s
    }

    fn codes_of(r: &AuditReport) -> Vec<(String, Option<i64>)> {
        r.problems
            .iter()
            .map(|p| (p.code.clone(), p.entry_id))
            .collect()
    }

    #[test]
    fn an_intact_trail_has_no_problem_and_a_random_workstation_id() {
        let dir = tempfile::tempdir().unwrap();
        let s = store_with(dir.path(), 3);
        let r = s.verify_audit().unwrap();
        assert!(r.intact && r.problems.is_empty(), "{r:?}");
        assert_eq!(r.entries, 4);
        let id = s.workstation_id().unwrap();
        assert_eq!(id.len(), 32, "{id}");
        assert!(!id.contains('/') && !id.contains(&dir.path().display().to_string()));
        assert_eq!(s.workstation_id().unwrap(), id, "made once");
        let other = tempfile::tempdir().unwrap();
        let t = store_with(other.path(), 0);
        assert_ne!(t.workstation_id().unwrap(), id, "each store its own");
        // Anchors: none yet, so every entry is unanchored.
        assert_eq!(s.audit_unanchored().unwrap(), 4);
        s.set_audit_anchor(3, &s.audit_hash_at(3).unwrap().unwrap())
            .unwrap();
        assert_eq!(s.audit_unanchored().unwrap(), 1);
        assert_eq!(s.audit_anchor().unwrap().unwrap().0, 3);
    }

    /// The insider with the store's key deletes an entry in the middle, past the triggers:
    /// the chain and the ids both name the entry after the hole.
    #[test]
    fn a_gap_in_the_ids_is_named_by_the_entry_after_it() {
        let dir = tempfile::tempdir().unwrap();
        let s = store_with(dir.path(), 4);
        s.conn
            .execute_batch(
                "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE id IN (2, 3);",
            )
            .unwrap();
        let r = s.verify_audit().unwrap();
        assert!(!r.intact);
        assert_eq!(
            codes_of(&r),
            [
                (codes::BROKEN.to_string(), Some(4)),
                (codes::GAP.to_string(), Some(4))
            ]
        );
        let gap = &r.problems[1].message;
        assert!(
            gap.contains("audit entry 4: it follows entry 1: entries 2 to 3 are missing"),
            "{gap}"
        );
        assert_eq!(r.first_break.unwrap().0, 4);
    }

    /// The clock set back an hour between two entries: the chain is whole (each entry was
    /// appended honestly), and the entry whose time goes back is named. A second out of
    /// order (writers racing for the store) is not.
    #[test]
    fn time_going_backwards_is_named_by_its_entry() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = store_with(dir.path(), 2);
        s.audit("2026-11-23T08:01:59Z", "bob", "login", "{}")
            .unwrap();
        s.audit("2026-11-23T07:02:00Z", "bob", "login", "{}")
            .unwrap();
        s.audit("2026-11-23T07:03:00Z", "bob", "logout", "{}")
            .unwrap();
        let r = s.verify_audit().unwrap();
        assert_eq!(
            codes_of(&r),
            [(codes::TIME_BACKWARDS.to_string(), Some(5))],
            "{r:?}"
        );
        let m = &r.problems[0].message;
        assert!(
            m.contains("audit entry 5: its time 2026-11-23T07:02:00Z is before the time 2026-11-23T08:01:59Z of entry 4"),
            "{m}"
        );
        // A time that is no time at all is named too.
        s.audit("yesterday", "bob", "login", "{}").unwrap();
        let r = s.verify_audit().unwrap();
        assert!(
            codes_of(&r).contains(&(codes::TIME_BACKWARDS.to_string(), Some(7))),
            "{r:?}"
        );
    }

    /// A case version written without its entry (outside the workstation: through the
    /// store with no event, as a tool with the key would) is named by case and version.
    #[test]
    fn a_case_version_without_its_entry_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = store_with(dir.path(), 0);
        let mut c = new_case("A-1");
        c.amount = "2.00".into();
        s.update_case(
            &c,
            1,
            "2026-11-23T09:00:00Z",
            "alice",
            &[("edit".into(), "{}".into())],
        )
        .unwrap();
        assert!(s.verify_audit().unwrap().intact);
        c.amount = "3.00".into();
        s.update_case(&c, 2, "2026-11-23T09:30:00Z", "mallory", &[])
            .unwrap();
        let r = s.verify_audit().unwrap();
        assert_eq!(
            r.problems
                .iter()
                .map(|p| (p.code.as_str(), p.case_id.as_deref(), p.entry_id))
                .collect::<Vec<_>>(),
            [(codes::VERSION_UNRECORDED, Some("A-1"), None)]
        );
        assert!(
            r.problems[0].message.contains("case A-1 version 3"),
            "{r:?}"
        );
    }

    /// Cutting entries off the end leaves a chain that verifies locally (what the bank's
    /// anchor is for), except where a cut entry recorded the stored case version.
    #[test]
    fn a_cut_tail_is_invisible_to_the_chain_but_not_to_the_case_versions() {
        let dir = tempfile::tempdir().unwrap();
        let s = store_with(dir.path(), 3);
        s.conn
            .execute_batch("DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE id > 2;")
            .unwrap();
        assert!(
            s.verify_audit().unwrap().intact,
            "logins cut off: nothing to see here"
        );
        s.conn
            .execute("DELETE FROM audit_log WHERE id = 2", [])
            .unwrap();
        s.conn
            .execute("DELETE FROM audit_log WHERE id = 1", [])
            .unwrap();
        let r = s.verify_audit().unwrap();
        assert_eq!(
            r.problems
                .iter()
                .map(|p| p.code.as_str())
                .collect::<Vec<_>>(),
            [codes::VERSION_UNRECORDED]
        );
    }

    /// Entries taken over from before the chain are sealed by the migration that makes
    /// the chain, in its own transaction: migrating alone (no opening of the store after
    /// it, as a crash right after would leave it) leaves none unsealed.
    #[test]
    fn entries_are_sealed_inside_the_migration_that_makes_the_chain() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("legacy.db");
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        crate::migrations().to_version(&mut conn, 2).unwrap();
        conn.execute_batch(
            "INSERT INTO cases VALUES ('A-1', 1, 'draft', NULL, NULL, 'B', '2026-11-20', 't', 't', 'K', 'P', 'V', '1.00', 100, 36);
             INSERT INTO case_events (case_id, at, actor, kind, detail) VALUES
               ('A-1', '2026-11-01T08:00:00Z', 'alice', 'import', '{}'),
               ('A-1', '2026-11-02T08:00:00Z', 'alice', 'edit', '{}');",
        )
        .unwrap();
        crate::migrations().to_version(&mut conn, 3).unwrap();
        let unsealed: i64 = conn
            .query_row("SELECT count(*) FROM audit_log WHERE hash = ''", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(unsealed, 0);
        let rows = read_all(&conn).unwrap();
        assert_eq!(
            verify(
                rows.iter()
                    .map(|r| (r.entry(), r.prev_hash.as_str(), r.hash.as_str()))
            ),
            Ok(2)
        );
    }
}

//! The outbox, the bank's versions of the cases and the conflicts between the two sides.
//! What to send, when, and what a conflict means for a case are the application
//! services' business; this module keeps the records transactional.

use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;
use ts_rs::TS;

use crate::cases::NewCase;
use crate::{Result, Store, StoreError};

/// What the outbox carries as a case's content.
pub const CASE_VERSION: &str = "case_version";

#[derive(Clone, Debug, PartialEq)]
pub struct OutboxEntry {
    pub id: i64,
    pub case_id: String,
    pub kind: String,
    pub body: String,
    /// A case version's signed statement of its author (JSON), sent with it.
    pub statement: Option<String>,
    pub idempotency_key: String,
    pub attempts: i64,
}

/// How a new case version goes to the bank.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Push<'a> {
    /// As it is (a standalone workstation: the bank keeps no workflow for it).
    Unsigned,
    /// With its author's signed statement (JSON).
    Signed(&'a str),
    /// Not at all: a change the workstation made on its own (what the Pledge Registry
    /// said), which the bank hears from its own source. The next signed version carries
    /// it along.
    LocalOnly,
}

/// An outbox entry's record: what it was, and whether it went.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OutboxRecord {
    pub id: i64,
    pub case_id: String,
    pub kind: String,
    /// pending, sent, superseded or refused.
    pub state: String,
    pub idempotency_key: String,
    pub body: String,
    /// A case version's signed statement (JSON), when it carries one.
    pub statement: Option<String>,
    /// The bank's answer, once it gave one.
    pub answer: Option<String>,
}

/// A message for the bank written beside a change (kind, JSON body).
#[derive(Clone, Debug, PartialEq)]
pub struct Outgoing {
    pub kind: String,
    pub body: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BankVersion {
    pub version: i64,
    pub hash: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct Conflict {
    pub id: i64,
    pub case_id: String,
    pub detected_at: String,
    pub local_version: i64,
    pub local_json: String,
    pub bank_version: i64,
    pub bank_hash: String,
    pub bank_json: String,
    pub resolved_at: Option<String>,
    pub resolved_by: Option<String>,
    pub resolution: Option<String>,
}

impl Conflict {
    /// The bank's side of the conflict, as the bank named it.
    fn bank(&self) -> BankVersion {
        BankVersion {
            version: self.bank_version,
            hash: self.bank_hash.clone(),
        }
    }
}

pub(crate) fn enqueue(
    tx: &Transaction,
    case_id: &str,
    kind: &str,
    body: &str,
    at: &str,
) -> Result<()> {
    tx.execute(
        "INSERT INTO outbox (case_id, kind, body, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![case_id, kind, body, at],
    )?;
    Ok(())
}

/// Queues a case version as `push` says.
pub(crate) fn enqueue_version(
    tx: &Transaction,
    case_id: &str,
    body: &str,
    at: &str,
    push: Push,
) -> Result<()> {
    let statement = match push {
        Push::LocalOnly => return Ok(()),
        Push::Unsigned => None,
        Push::Signed(s) => Some(s),
    };
    tx.execute(
        "INSERT INTO outbox (case_id, kind, body, statement, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![case_id, CASE_VERSION, body, statement, at],
    )?;
    Ok(())
}

fn set_bank_version(tx: &Transaction, case_id: &str, bank: &BankVersion, at: &str) -> Result<()> {
    tx.execute(
        "INSERT INTO case_sync (case_id, bank_version, bank_hash, synced_at) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (case_id) DO UPDATE SET bank_version = excluded.bank_version, \
         bank_hash = excluded.bank_hash, synced_at = excluded.synced_at",
        params![case_id, bank.version, bank.hash, at],
    )?;
    Ok(())
}

const CONFLICT_COLUMNS: &str =
    "id, case_id, detected_at, local_version, local_json, bank_version, \
    bank_hash, bank_json, resolved_at, resolved_by, resolution";

fn conflict_row(r: &rusqlite::Row) -> rusqlite::Result<Conflict> {
    Ok(Conflict {
        id: r.get(0)?,
        case_id: r.get(1)?,
        detected_at: r.get(2)?,
        local_version: r.get(3)?,
        local_json: r.get(4)?,
        bank_version: r.get(5)?,
        bank_hash: r.get(6)?,
        bank_json: r.get(7)?,
        resolved_at: r.get(8)?,
        resolved_by: r.get(9)?,
        resolution: r.get(10)?,
    })
}

impl Store {
    /// The cases with something to send whose first pending entry is due at `now` and
    /// that no open conflict holds back, in the order their first entry was written.
    pub fn outbox_due(&self, now: &str, limit: usize) -> Result<Vec<String>> {
        let mut st = self.conn.prepare_cached(
            "SELECT o.case_id FROM outbox o \
             WHERE o.state = 'pending' \
               AND o.id = (SELECT min(h.id) FROM outbox h WHERE h.case_id = o.case_id AND h.state = 'pending') \
               AND (o.next_attempt_at IS NULL OR o.next_attempt_at <= ?1) \
               AND NOT EXISTS (SELECT 1 FROM sync_conflicts c WHERE c.case_id = o.case_id AND c.resolved_at IS NULL) \
             ORDER BY o.id LIMIT ?2",
        )?;
        let rows = st.query_map(params![now, limit as i64], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The earliest time a held-back entry may be tried again (none when nothing waits).
    pub fn outbox_next_attempt(&self) -> Result<Option<String>> {
        Ok(self.conn.query_row(
            "SELECT min(next_attempt_at) FROM outbox WHERE state = 'pending'",
            [],
            |r| r.get(0),
        )?)
    }

    /// The next entry to send for a case.
    pub fn outbox_head(&self, case_id: &str) -> Result<Option<OutboxEntry>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, case_id, kind, body, statement, idempotency_key, attempts FROM outbox \
                 WHERE case_id = ?1 AND state = 'pending' ORDER BY id LIMIT 1",
                [case_id],
                |r| {
                    Ok(OutboxEntry {
                        id: r.get(0)?,
                        case_id: r.get(1)?,
                        kind: r.get(2)?,
                        body: r.get(3)?,
                        statement: r.get(4)?,
                        idempotency_key: r.get(5)?,
                        attempts: r.get(6)?,
                    })
                },
            )
            .optional()?)
    }

    /// The bank accepted an entry; a case version also moves the bank's version on.
    pub fn outbox_sent(
        &mut self,
        entry_id: i64,
        at: &str,
        answer: &str,
        bank: Option<&BankVersion>,
    ) -> Result<()> {
        self.outbox_accepted(entry_id, at, answer, bank, None)
    }

    /// [`Store::outbox_sent`] of a signed statement, with the case's `workflow` as the
    /// bank's acceptance leaves it (its stage in the queue) and the audit entry, in one
    /// transaction.
    pub fn outbox_accepted(
        &mut self,
        entry_id: i64,
        at: &str,
        answer: &str,
        bank: Option<&BankVersion>,
        workflow: Option<(&str, (&str, &str))>,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        let case_id: String = tx.query_row(
            "UPDATE outbox SET state = 'sent', sent_at = ?2, answer = ?3, attempts = attempts + 1, \
             last_error = NULL WHERE id = ?1 AND state = 'pending' RETURNING case_id",
            params![entry_id, at, answer],
            |r| r.get(0),
        )?;
        if let Some(bank) = bank {
            set_bank_version(&tx, &case_id, bank, at)?;
        }
        if let Some((w, (event, detail))) = workflow {
            crate::users::put_workflow(&tx, &case_id, w)?;
            set_status_from_workflow(&tx, &case_id, w)?;
            crate::cases::insert_event(&tx, &case_id, at, "core bank", event, detail)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The bank refused an entry for good (its code and words in `answer`): it is kept for
    /// the record and never sent again; with it, the case's `workflow` as it reopens and
    /// the audit entry, in one transaction.
    pub fn outbox_refused(
        &mut self,
        entry_id: i64,
        at: &str,
        answer: &str,
        workflow: Option<&str>,
        event: (&str, &str),
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        let case_id: String = tx.query_row(
            "UPDATE outbox SET state = 'refused', sent_at = ?2, answer = ?3, attempts = attempts + 1, \
             last_error = ?3 WHERE id = ?1 AND state = 'pending' RETURNING case_id",
            params![entry_id, at, answer],
            |r| r.get(0),
        )?;
        if let Some(w) = workflow {
            crate::users::put_workflow(&tx, &case_id, w)?;
            set_status_from_workflow(&tx, &case_id, w)?;
        }
        crate::cases::insert_event(&tx, &case_id, at, "core bank", event.0, event.1)?;
        tx.commit()?;
        Ok(())
    }

    /// An attempt failed: the entry stays, with the error, until `next_attempt_at`.
    pub fn outbox_failed(
        &mut self,
        entry_id: i64,
        attempts: i64,
        error: &str,
        next_attempt_at: &str,
    ) -> Result<()> {
        self.conn.execute(
            "UPDATE outbox SET attempts = attempts + ?2, last_error = ?3, next_attempt_at = ?4 \
             WHERE id = ?1 AND state = 'pending'",
            params![entry_id, attempts, error, next_attempt_at],
        )?;
        Ok(())
    }

    /// How many entries wait to be sent.
    pub fn outbox_waiting(&self) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM outbox WHERE state = 'pending'",
            [],
            |r| r.get(0),
        )?)
    }

    /// When the oldest entry still waiting was written.
    pub fn outbox_oldest_waiting(&self) -> Result<Option<String>> {
        Ok(self.conn.query_row(
            "SELECT min(created_at) FROM outbox WHERE state = 'pending'",
            [],
            |r| r.get(0),
        )?)
    }

    /// The bodies of a case's pending case versions, oldest first.
    pub fn unsent_bodies(&self, case_id: &str) -> Result<Vec<String>> {
        let mut st = self.conn.prepare_cached(
            "SELECT body FROM outbox WHERE case_id = ?1 AND state = 'pending' AND kind = ?2 ORDER BY id",
        )?;
        let rows = st.query_map(params![case_id, CASE_VERSION], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The cases whose workflow holds a statement signed here that waits for the bank.
    pub fn cases_with_pending_statement(&self) -> Result<Vec<String>> {
        let mut st = self.conn.prepare(
            "SELECT case_id FROM case_workflow WHERE json_extract(workflow, '$.pending') IS NOT NULL \
             ORDER BY case_id",
        )?;
        let rows = st.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Whether a signed statement of the case still waits in the outbox (a sign-off, or a
    /// case version with its author's statement).
    pub fn has_unsent_statement(&self, case_id: &str) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM outbox WHERE case_id = ?1 AND state = 'pending' \
             AND (kind = 'signoff' OR statement IS NOT NULL))",
            [case_id],
            |r| r.get(0),
        )?)
    }

    /// Whether an entry of `kind` for the case still waits to be sent.
    pub fn has_pending(&self, case_id: &str, kind: &str) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM outbox WHERE case_id = ?1 AND kind = ?2 AND state = 'pending')",
            params![case_id, kind],
            |r| r.get(0),
        )?)
    }

    /// Every entry ever written, for checks.
    pub fn outbox_entries(&self) -> Result<Vec<OutboxRecord>> {
        let mut st = self
            .conn
            .prepare("SELECT id, case_id, kind, state, idempotency_key, body, statement, answer FROM outbox ORDER BY id")?;
        let rows = st.query_map([], |r| {
            Ok(OutboxRecord {
                id: r.get(0)?,
                case_id: r.get(1)?,
                kind: r.get(2)?,
                state: r.get(3)?,
                idempotency_key: r.get(4)?,
                body: r.get(5)?,
                statement: r.get(6)?,
                answer: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn bank_version(&self, case_id: &str) -> Result<Option<BankVersion>> {
        Ok(self
            .conn
            .query_row(
                "SELECT bank_version, bank_hash FROM case_sync WHERE case_id = ?1",
                [case_id],
                |r| {
                    Ok(BankVersion {
                        version: r.get(0)?,
                        hash: r.get(1)?,
                    })
                },
            )
            .optional()?)
    }

    /// The bank's version is the same content as ours: only the version moves.
    pub fn agree_with_bank(&mut self, case_id: &str, bank: &BankVersion, at: &str) -> Result<()> {
        let tx = self.conn.transaction()?;
        set_bank_version(&tx, case_id, bank, at)?;
        tx.commit()?;
        Ok(())
    }

    /// A case as the bank holds it, written here without an outbox entry (the bank has
    /// it): inserted when new, otherwise a new local version, with the case's review
    /// `workflow` as the bank keeps it when it keeps one. Returns the local version.
    pub fn apply_bank_case(
        &mut self,
        c: &NewCase,
        bank: &BankVersion,
        at: &str,
        actor: &str,
        event: &str,
        workflow: Option<&str>,
    ) -> Result<i64> {
        let tx = self.conn.transaction()?;
        let version = crate::cases::write_case(&tx, c, None, at)?;
        let detail = serde_json::json!({"bank_version": bank.version}).to_string();
        crate::cases::insert_event(&tx, &c.case_id, at, actor, event, &detail)?;
        set_bank_version(&tx, &c.case_id, bank, at)?;
        if let Some(w) = workflow {
            crate::users::put_workflow(&tx, &c.case_id, w)?;
        }
        tx.commit()?;
        Ok(version)
    }

    /// The bank's word on where a case stands, when its content did not change: the
    /// workflow and the queue's stage, with an audit entry when the stage moved.
    pub fn apply_bank_workflow(
        &mut self,
        case_id: &str,
        workflow: &str,
        at: &str,
        event: Option<(&str, &str)>,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        crate::users::put_workflow(&tx, case_id, workflow)?;
        set_status_from_workflow(&tx, case_id, workflow)?;
        if let Some((kind, detail)) = event {
            crate::cases::insert_event(&tx, case_id, at, "core bank", kind, detail)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Records that a case differs on both sides. One open conflict per case: a newer
    /// bank version found meanwhile replaces the bank's side of it.
    pub fn record_conflict(
        &mut self,
        case_id: &str,
        local_version: i64,
        local_json: &str,
        bank: &BankVersion,
        bank_json: &str,
        at: &str,
    ) -> Result<i64> {
        let bank_version = bank.version;
        let tx = self.conn.transaction()?;
        let open: Option<(i64, i64)> = tx
            .query_row(
                "SELECT id, bank_version FROM sync_conflicts WHERE case_id = ?1 AND resolved_at IS NULL",
                [case_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let id = match open {
            Some((id, held)) if held == bank_version => id,
            Some((id, _)) => {
                tx.execute(
                    "UPDATE sync_conflicts SET bank_version = ?2, bank_json = ?3, local_version = ?4, \
                     local_json = ?5, detected_at = ?6, bank_hash = ?7 WHERE id = ?1",
                    params![id, bank_version, bank_json, local_version, local_json, at, bank.hash],
                )?;
                id
            }
            None => {
                tx.execute(
                    "INSERT INTO sync_conflicts (case_id, detected_at, local_version, local_json, bank_version, bank_hash, bank_json) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![case_id, at, local_version, local_json, bank_version, bank.hash, bank_json],
                )?;
                let id = tx.last_insert_rowid();
                let detail = serde_json::json!({
                    "conflict": id, "local_version": local_version, "bank_version": bank_version
                })
                .to_string();
                crate::cases::insert_event(
                    &tx,
                    case_id,
                    at,
                    "core bank",
                    "sync_conflict",
                    &detail,
                )?;
                id
            }
        };
        tx.commit()?;
        Ok(id)
    }

    pub fn has_open_conflict(&self, case_id: &str) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM sync_conflicts WHERE case_id = ?1 AND resolved_at IS NULL)",
            [case_id],
            |r| r.get(0),
        )?)
    }

    pub fn conflicts(&self, open_only: bool) -> Result<Vec<Conflict>> {
        let filter = if open_only {
            "WHERE resolved_at IS NULL"
        } else {
            ""
        };
        let mut st = self.conn.prepare(&format!(
            "SELECT {CONFLICT_COLUMNS} FROM sync_conflicts {filter} ORDER BY id"
        ))?;
        let rows = st.query_map([], conflict_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn conflict(&self, id: i64) -> Result<Conflict> {
        self.conn
            .query_row(
                &format!("SELECT {CONFLICT_COLUMNS} FROM sync_conflicts WHERE id = ?1"),
                [id],
                conflict_row,
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("conflict {id}")))
    }

    /// The underwriter keeps the workstation's version: the waiting versions go on, now
    /// made from the bank's version (which stays in the bank's history and here). When
    /// nothing waits, the current version is queued as `push` says (signed by whoever
    /// keeps it).
    pub fn keep_local(&mut self, id: i64, at: &str, actor: &str, push: Push) -> Result<()> {
        let tx = self.conn.transaction()?;
        let c = open_conflict(&tx, id)?;
        set_bank_version(&tx, &c.case_id, &c.bank(), at)?;
        let current: String = tx.query_row(
            "SELECT case_json FROM case_documents WHERE case_id = ?1",
            [&c.case_id],
            |r| r.get(0),
        )?;
        if unsent(&tx, &c.case_id)? == 0 {
            // Nothing waits (the conflict came from a pull): send ours over the bank's.
            enqueue_version(&tx, &c.case_id, &current, at, push)?;
        }
        resolve(&tx, &c, at, actor, "kept_local")?;
        tx.commit()?;
        Ok(())
    }

    /// The underwriter takes the bank's version: it becomes the next local version, and
    /// the versions waiting to be sent are superseded (they stay in the outbox and in the
    /// conflict's record).
    pub fn take_bank(
        &mut self,
        id: i64,
        bank_case: &NewCase,
        at: &str,
        actor: &str,
    ) -> Result<i64> {
        let tx = self.conn.transaction()?;
        let c = open_conflict(&tx, id)?;
        let version = crate::cases::write_case(&tx, bank_case, None, at)?;
        tx.execute(
            "UPDATE outbox SET state = 'superseded' WHERE case_id = ?1 AND state = 'pending' AND kind = ?2",
            params![c.case_id, CASE_VERSION],
        )?;
        set_bank_version(&tx, &c.case_id, &c.bank(), at)?;
        resolve(&tx, &c, at, actor, "took_bank")?;
        tx.commit()?;
        Ok(version)
    }
}

/// The queue's stage column follows the workflow's stage (its `stage` field).
fn set_status_from_workflow(tx: &Transaction, case_id: &str, workflow: &str) -> Result<()> {
    let stage = serde_json::from_str::<serde_json::Value>(workflow)
        .ok()
        .and_then(|w| w.get("stage").and_then(|s| s.as_str()).map(String::from));
    if let Some(stage) = stage {
        tx.execute(
            "UPDATE cases SET status = ?2 WHERE case_id = ?1",
            params![case_id, stage],
        )?;
    }
    Ok(())
}

fn unsent(tx: &Transaction, case_id: &str) -> Result<i64> {
    Ok(tx.query_row(
        "SELECT count(*) FROM outbox WHERE case_id = ?1 AND state = 'pending' AND kind = ?2",
        params![case_id, CASE_VERSION],
        |r| r.get(0),
    )?)
}

fn open_conflict(tx: &Transaction, id: i64) -> Result<Conflict> {
    let c = tx
        .query_row(
            &format!("SELECT {CONFLICT_COLUMNS} FROM sync_conflicts WHERE id = ?1"),
            [id],
            conflict_row,
        )
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("conflict {id}")))?;
    if c.resolved_at.is_some() {
        return Err(StoreError::Duplicate(format!(
            "the conflict on case {} was already resolved ({})",
            c.case_id,
            c.resolution.as_deref().unwrap_or("")
        )));
    }
    Ok(c)
}

fn resolve(tx: &Transaction, c: &Conflict, at: &str, actor: &str, how: &str) -> Result<()> {
    tx.execute(
        "UPDATE sync_conflicts SET resolved_at = ?2, resolved_by = ?3, resolution = ?4 WHERE id = ?1",
        params![c.id, at, actor, how],
    )?;
    let detail = serde_json::json!({
        "conflict": c.id, "resolution": how,
        "local_version": c.local_version, "bank_version": c.bank_version
    })
    .to_string();
    crate::cases::insert_event(tx, &c.case_id, at, actor, "sync_resolved", &detail)
}

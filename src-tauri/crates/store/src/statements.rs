//! Statement files attached to a case's parties and the reclassifications of their
//! transactions (`schema/002_statements.sql`). Each write also appends its case event in
//! the same transaction, so the history never misses an attachment or a note.

use rusqlite::{params, OptionalExtension};

use crate::cases::insert_event;
use crate::{Result, Store, StoreError};

/// An attached file as stored: its name (no folder), its bytes, who attached it when.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredStatement {
    pub id: i64,
    pub party: usize,
    pub file_name: String,
    pub content: Vec<u8>,
    pub attached_at: String,
    pub attached_by: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StoredReclassification {
    pub party: usize,
    pub file_name: String,
    pub line: usize,
    /// An income kind (snake_case), or `None`: not income.
    pub kind: Option<String>,
    pub note: String,
    pub at: String,
    pub actor: String,
}

/// Who acts, when, and the event that records it.
pub struct Stamp<'a> {
    pub at: &'a str,
    pub actor: &'a str,
    pub event: &'a str,
    pub detail: &'a str,
}

impl Stamp<'_> {
    fn record(&self, tx: &rusqlite::Transaction, case_id: &str) -> Result<()> {
        insert_event(tx, case_id, self.at, self.actor, self.event, self.detail)
    }
}

fn case_exists(tx: &rusqlite::Transaction, case_id: &str) -> Result<()> {
    let found: Option<i64> = tx
        .query_row("SELECT 1 FROM cases WHERE case_id = ?1", [case_id], |r| {
            r.get(0)
        })
        .optional()?;
    found
        .map(|_| ())
        .ok_or_else(|| StoreError::NotFound(case_id.to_string()))
}

impl Store {
    /// Attaches files to a party, all or none: a name already attached to that party
    /// refuses the whole batch.
    pub fn attach_statements(
        &mut self,
        case_id: &str,
        party: usize,
        files: &[(String, Vec<u8>)],
        stamp: &Stamp,
    ) -> Result<Vec<i64>> {
        let tx = self.conn.transaction()?;
        case_exists(&tx, case_id)?;
        let mut ids = Vec::with_capacity(files.len());
        for (name, content) in files {
            let taken: Option<i64> = tx
                .query_row(
                    "SELECT id FROM case_statements WHERE case_id = ?1 AND party = ?2 AND file_name = ?3",
                    params![case_id, party as i64, name],
                    |r| r.get(0),
                )
                .optional()?;
            if taken.is_some() {
                return Err(StoreError::Duplicate(format!(
                    "{name}: a statement of that name is already attached to this party; remove it first"
                )));
            }
            tx.execute(
                "INSERT INTO case_statements (case_id, party, file_name, content, attached_at, attached_by) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![case_id, party as i64, name, content, stamp.at, stamp.actor],
            )?;
            ids.push(tx.last_insert_rowid());
        }
        stamp.record(&tx, case_id)?;
        tx.commit()?;
        Ok(ids)
    }

    /// The party's attached files in the order they were attached.
    pub fn statements(&self, case_id: &str, party: usize) -> Result<Vec<StoredStatement>> {
        let mut st = self.conn.prepare(
            "SELECT id, party, file_name, content, attached_at, attached_by FROM case_statements \
             WHERE case_id = ?1 AND party = ?2 ORDER BY id",
        )?;
        let rows = st.query_map(params![case_id, party as i64], |r| {
            Ok(StoredStatement {
                id: r.get(0)?,
                party: r.get::<_, i64>(1)?.try_into().unwrap_or_default(),
                file_name: r.get(2)?,
                content: r.get(3)?,
                attached_at: r.get(4)?,
                attached_by: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Removes one attached file and the reclassifications of its transactions.
    pub fn remove_statement(&mut self, case_id: &str, id: i64, stamp: &Stamp) -> Result<()> {
        let tx = self.conn.transaction()?;
        let found: Option<(i64, String)> = tx
            .query_row(
                "SELECT party, file_name FROM case_statements WHERE case_id = ?1 AND id = ?2",
                params![case_id, id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let (party, name) =
            found.ok_or_else(|| StoreError::NotFound(format!("{case_id}: statement {id}")))?;
        tx.execute("DELETE FROM case_statements WHERE id = ?1", [id])?;
        tx.execute(
            "DELETE FROM case_reclassifications WHERE case_id = ?1 AND party = ?2 AND file_name = ?3",
            params![case_id, party, name],
        )?;
        stamp.record(&tx, case_id)?;
        tx.commit()?;
        Ok(())
    }

    /// Sets (or replaces) the reclassification of one transaction; the event keeps the
    /// earlier ones.
    pub fn set_reclassification(
        &mut self,
        case_id: &str,
        r: &StoredReclassification,
        stamp: &Stamp,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        case_exists(&tx, case_id)?;
        tx.execute(
            "INSERT INTO case_reclassifications (case_id, party, file_name, line, kind, note, at, actor) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
             ON CONFLICT (case_id, party, file_name, line) DO UPDATE SET \
             kind = excluded.kind, note = excluded.note, at = excluded.at, actor = excluded.actor",
            params![
                case_id,
                r.party as i64,
                r.file_name,
                r.line as i64,
                r.kind,
                r.note,
                r.at,
                r.actor
            ],
        )?;
        stamp.record(&tx, case_id)?;
        tx.commit()?;
        Ok(())
    }

    pub fn reclassifications(
        &self,
        case_id: &str,
        party: usize,
    ) -> Result<Vec<StoredReclassification>> {
        let mut st = self.conn.prepare(
            "SELECT party, file_name, line, kind, note, at, actor FROM case_reclassifications \
             WHERE case_id = ?1 AND party = ?2 ORDER BY file_name, line",
        )?;
        let rows = st.query_map(params![case_id, party as i64], |r| {
            Ok(StoredReclassification {
                party: r.get::<_, i64>(0)?.try_into().unwrap_or_default(),
                file_name: r.get(1)?,
                line: r.get::<_, i64>(2)?.try_into().unwrap_or_default(),
                kind: r.get(3)?,
                note: r.get(4)?,
                at: r.get(5)?,
                actor: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

//! A case's notes: written with their history event and their message to the bank in one
//! transaction; the bank's notes merged in by their id. There is no update and no delete:
//! a note is never edited (the schema's trigger refuses it too) — a correction is a new
//! note.

use rusqlite::params;
use serde::Serialize;
use ts_rs::TS;

use crate::cases::insert_event;
use crate::{Result, Store, StoreError};

/// A note as the caller hands it to the store, already checked (uw-app `notes`).
pub struct NewNote<'a> {
    pub note_id: &'a str,
    pub case_id: &'a str,
    pub author: &'a str,
    pub written_at: &'a str,
    pub text: &'a str,
}

/// A note as kept: who wrote it when, and when the bank accepted it (None: not yet).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct StoredNote {
    pub note_id: String,
    pub author: String,
    pub written_at: String,
    pub text: String,
    pub bank_at: Option<String>,
}

impl Store {
    /// Writes a note made here, with its history event and (when the workstation has a
    /// bank) its outbox entry.
    pub fn add_note(
        &mut self,
        note: &NewNote,
        detail: &str,
        outgoing: Option<&crate::sync::Outgoing>,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        let found: bool = tx
            .prepare("SELECT 1 FROM cases WHERE case_id = ?1")?
            .exists([note.case_id])?;
        if !found {
            return Err(StoreError::NotFound(note.case_id.to_string()));
        }
        tx.execute(
            "INSERT INTO case_notes (note_id, case_id, author, written_at, text) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![note.note_id, note.case_id, note.author, note.written_at, note.text],
        )?;
        insert_event(
            &tx,
            note.case_id,
            note.written_at,
            note.author,
            "note",
            detail,
        )?;
        if let Some(m) = outgoing {
            crate::sync::enqueue(&tx, note.case_id, &m.kind, &m.body, note.written_at)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The case's notes in the bank's order (when it accepted each; a note not sent yet by
    /// when it was written): an author's own date cannot move a note up the thread.
    pub fn notes(&self, case_id: &str) -> Result<Vec<StoredNote>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT note_id, author, written_at, text, bank_at FROM case_notes \
             WHERE case_id = ?1 ORDER BY coalesce(bank_at, written_at), id",
        )?;
        let rows = stmt.query_map([case_id], |r| {
            Ok(StoredNote {
                note_id: r.get(0)?,
                author: r.get(1)?,
                written_at: r.get(2)?,
                text: r.get(3)?,
                bank_at: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Merges the bank's notes of a case: a note not kept here is added (the history says
    /// who wrote it), one kept here gains the bank's time. Returns how many were new. A
    /// note the bank holds under an id kept here for another case is left alone.
    pub fn merge_bank_notes(&mut self, case_id: &str, notes: &[StoredNote]) -> Result<usize> {
        let tx = self.conn.transaction()?;
        let mut added = 0;
        for n in notes {
            let new = tx.execute(
                "INSERT INTO case_notes (note_id, case_id, author, written_at, text, bank_at) \
                 SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE EXISTS (SELECT 1 FROM cases WHERE case_id = ?2) \
                 ON CONFLICT (note_id) DO NOTHING",
                params![n.note_id, case_id, n.author, n.written_at, n.text, n.bank_at],
            )?;
            if new == 1 {
                added += 1;
                let detail = serde_json::json!({"note_id": n.note_id, "from": "bank"}).to_string();
                let at = n.bank_at.as_deref().unwrap_or(&n.written_at);
                insert_event(&tx, case_id, at, &n.author, "note", &detail)?;
            } else {
                tx.execute(
                    "UPDATE case_notes SET bank_at = ?2 WHERE note_id = ?1 AND case_id = ?3 AND bank_at IS NULL",
                    params![n.note_id, n.bank_at, case_id],
                )?;
            }
        }
        tx.commit()?;
        Ok(added)
    }
}

#[cfg(test)]
mod tests;

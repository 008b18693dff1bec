//! Scans attached to a case's checklist documents: added and removed with their audit
//! entry in one transaction; listed without their bytes (a page of the case never drags
//! megabytes through memory), read one at a time for the viewer and the export.

use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

use crate::cases::insert_event;
use crate::{Result, Store, StoreError};

/// A scan as the caller hands it to the store, already checked (uw-app `attachments`).
pub struct NewAttachment<'a> {
    pub case_id: &'a str,
    pub kind: &'a str,
    pub party: i64,
    pub file_name: &'a str,
    pub media_type: &'a str,
    pub pages: i64,
    pub sha256: &'a str,
    pub content: &'a [u8],
    /// The version of its checklist line the scan is for (None: a line without versions).
    pub doc_version: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct Attachment {
    pub id: i64,
    pub kind: String,
    pub party: i64,
    pub file_name: String,
    pub media_type: String,
    pub pages: i64,
    pub sha256: String,
    #[ts(type = "number")]
    pub bytes: i64,
    pub attached_at: String,
    pub attached_by: String,
    /// The version of its checklist line the scan was attached to.
    #[ts(type = "number | null")]
    pub doc_version: Option<i64>,
}

const COLUMNS: &str = "id, kind, party, file_name, media_type, pages, sha256, length(content), \
     attached_at, attached_by, doc_version";

fn row(r: &rusqlite::Row) -> rusqlite::Result<Attachment> {
    Ok(Attachment {
        id: r.get(0)?,
        kind: r.get(1)?,
        party: r.get(2)?,
        file_name: r.get(3)?,
        media_type: r.get(4)?,
        pages: r.get(5)?,
        sha256: r.get(6)?,
        bytes: r.get(7)?,
        attached_at: r.get(8)?,
        attached_by: r.get(9)?,
        doc_version: r.get(10)?,
    })
}

impl Store {
    /// Attaches one scan, with its history event.
    pub fn add_attachment(
        &mut self,
        a: &NewAttachment,
        at: &str,
        actor: &str,
        detail: &str,
    ) -> Result<i64> {
        let ids = self.add_attachments(&[(a, detail)], at, actor)?;
        Ok(ids[0])
    }

    /// Attaches a batch of scans, each with its history event, in one transaction: all of
    /// them or none.
    pub fn add_attachments(
        &mut self,
        batch: &[(&NewAttachment, &str)],
        at: &str,
        actor: &str,
    ) -> Result<Vec<i64>> {
        let tx = self.conn.transaction()?;
        let mut ids = Vec::with_capacity(batch.len());
        for (a, detail) in batch {
            let exists: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM cases WHERE case_id = ?1)",
                [a.case_id],
                |r| r.get(0),
            )?;
            if !exists {
                return Err(StoreError::NotFound(a.case_id.to_string()));
            }
            tx.execute(
                "INSERT INTO case_attachments (case_id, kind, party, file_name, media_type, pages, sha256, \
                 content, attached_at, attached_by, doc_version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    a.case_id, a.kind, a.party, a.file_name, a.media_type, a.pages, a.sha256, a.content,
                    at, actor, a.doc_version
                ],
            )?;
            ids.push(tx.last_insert_rowid());
            insert_event(&tx, a.case_id, at, actor, "scan_attached", detail)?;
        }
        tx.commit()?;
        Ok(ids)
    }

    pub fn attachments(&self, case_id: &str) -> Result<Vec<Attachment>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM case_attachments WHERE case_id = ?1 AND removed_at IS NULL \
             ORDER BY kind, party, id"
        ))?;
        let rows = st.query_map([case_id], row)?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// One scan with its bytes, if it belongs to the case.
    pub fn attachment(&self, case_id: &str, id: i64) -> Result<Option<(Attachment, Vec<u8>)>> {
        Ok(self
            .conn
            .query_row(
                &format!(
                    "SELECT {COLUMNS}, content FROM case_attachments WHERE case_id = ?1 AND id = ?2"
                ),
                params![case_id, id],
                |r| Ok((row(r)?, r.get(11)?)),
            )
            .optional()?)
    }

    pub fn remove_attachment(
        &mut self,
        case_id: &str,
        id: i64,
        at: &str,
        actor: &str,
        detail: &str,
    ) -> Result<bool> {
        let tx = self.conn.transaction()?;
        // Kept, marked removed: the bytes stay on the record (and reachable by id).
        let n = tx.execute(
            "UPDATE case_attachments SET removed_at = ?3, removed_by = ?4 \
             WHERE case_id = ?1 AND id = ?2 AND removed_at IS NULL",
            params![case_id, id, at, actor],
        )?;
        if n > 0 {
            insert_event(&tx, case_id, at, actor, "scan_removed", detail)?;
        }
        tx.commit()?;
        Ok(n > 0)
    }
}

//! A case's notes: the thread where the underwriter writes "called the employer, salary
//! confirmed" and the reviewer answers — who, when, what — kept with the case, sent to the
//! bank and seen at every desk by its sync.
//!
//! Invariants:
//! - a note is never edited or deleted: the service offers neither, the store's schema
//!   refuses an edit, and the bank keeps a note once by its id (`409 NOTE_EXISTS` for a
//!   changed one) — a correction is a new note;
//! - a note is not case data: writing one changes no version and makes no one an editor
//!   (a reviewer's note leaves them free to sign the case off), and it may be written at
//!   any stage, a decided case included;
//! - the author is the logged-in person; with the bank's directory the note is signed with
//!   their key ([`api::note_bytes`]), so the bank refuses one in another's name;
//! - the text is checked before anything is written (empty, too long, control
//!   characters), each with its code naming the field.

use uw_bank_link::api::{self, CaseNote, RemoteNote, NOTE_MAX_CHARS};
use uw_store::{NewNote, Outgoing, StoredNote};

use crate::error::{AppError, ErrorCode, Result};
use crate::{now_rfc3339, Workstation};

/// The outbox's kind of a note for the bank.
pub const NOTE: &str = "note";

/// The note's words, trimmed, or why they cannot be a note.
pub(crate) fn check_text(text: &str) -> Result<&str> {
    let t = text.trim();
    if t.is_empty() {
        return Err(AppError::new(
            ErrorCode::NoteEmpty,
            "text: a note says something",
        ));
    }
    let chars = t.chars().count();
    if chars > NOTE_MAX_CHARS {
        return Err(AppError::new(
            ErrorCode::NoteTooLong,
            format!("text: {chars} characters, at most {NOTE_MAX_CHARS}"),
        ));
    }
    if let Some(c) = t
        .chars()
        .find(|c| c.is_control() && *c != '\n' && *c != '\t')
    {
        return Err(AppError::new(
            ErrorCode::InvalidInput,
            format!(
                "text: the control character U+{:04X} has no place in a note",
                u32::from(c)
            ),
        ));
    }
    Ok(t)
}

/// A fresh id for what a desk makes (a note, a condition): 128 random bits, hex.
pub(crate) fn new_id() -> String {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A note the bank served, as the store keeps it.
pub(crate) fn from_bank(n: &RemoteNote) -> StoredNote {
    StoredNote {
        note_id: n.note_id.clone(),
        author: n.author.clone(),
        written_at: n.written_at.clone(),
        text: n.text.clone(),
        bank_at: Some(n.accepted_at.clone()),
    }
}

impl Workstation {
    /// The case's notes, oldest first.
    pub fn notes(&self, case_id: &str) -> Result<Vec<StoredNote>> {
        self.require_session()?;
        let store = self.store()?;
        store.get_case(case_id)?;
        Ok(store.notes(case_id)?)
    }

    /// Writes a note on the case as the logged-in person; returns the thread.
    pub fn add_note(&self, case_id: &str, text: &str) -> Result<Vec<StoredNote>> {
        let s = self.require_session()?;
        let text = check_text(text)?;
        if !(s.underwriter || s.reviewer) {
            return Err(AppError::new(
                ErrorCode::MissingRole,
                format!(
                    "{} holds neither the underwriter nor the reviewer role: notes are theirs",
                    s.username
                ),
            ));
        }
        let case_id = self.store()?.get_case(case_id)?.case_id;
        let mut note = CaseNote {
            note_id: new_id(),
            author: s.username.clone(),
            written_at: now_rfc3339(),
            text: text.to_string(),
            algorithm: None,
            signature: None,
        };
        if let Some((algorithm, signature)) =
            self.sign_for_bank("a note", &api::note_bytes(&case_id, &note))?
        {
            note.algorithm = Some(algorithm);
            note.signature = Some(signature);
        }
        let outgoing = Outgoing {
            kind: NOTE.to_string(),
            body: serde_json::to_string(&note)
                .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?,
        };
        let detail = serde_json::json!({"note_id": note.note_id, "text": note.text}).to_string();
        self.store()?.add_note(
            &NewNote {
                note_id: &note.note_id,
                case_id: &case_id,
                author: &note.author,
                written_at: &note.written_at,
                text: &note.text,
            },
            &detail,
            Some(&outgoing),
        )?;
        self.notes(&case_id)
    }
}

#[cfg(test)]
mod tests;

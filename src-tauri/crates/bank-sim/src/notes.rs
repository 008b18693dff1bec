//! Case notes at the bank (`POST /v1/cases/{id}/notes`): the thread every desk sees —
//! who, when, what — served with the case in the queue, the case and the inbox answers.
//!
//! Invariants:
//! - a note is never edited or deleted: there is no route that would, and a note sent
//!   again under its id is the same note (200, the one kept) or refused
//!   (`409 NOTE_EXISTS`) — never a change;
//! - [`judge`] decides from plain values whether a note is kept; the handler gathers the
//!   facts (the case, the note kept under the id, the author's keys, the directory's
//!   word) and stores what it allows in one transaction;
//! - with a directory the author signs the note ([`api::note_bytes`]) with their current
//!   key and holds the underwriter or reviewer role: a desk cannot write in someone
//!   else's name. A standalone bank keeps no keys and takes the desk's word.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode};
use rusqlite::{params, Connection, OptionalExtension};
use uw_bank_link::api::{self, CaseNote, RemoteCase, RemoteNote, NOTE_MAX_CHARS};
use uw_bank_link::signing::from_base64;

use crate::db;
use crate::http::{duplicate, now, storage, Duplicate, Reply, Sim};
use crate::review::{ask, verifies};
use crate::workflow::{key_verdict, KeyVerdict, PersonVerdict, CLOCK_SKEW_SECS};

pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS case_notes (
    note_id     TEXT PRIMARY KEY NOT NULL,
    case_id     TEXT NOT NULL,
    author      TEXT NOT NULL,
    written_at  TEXT NOT NULL,
    text        TEXT NOT NULL,
    accepted_at TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS case_notes_by_case ON case_notes (case_id, accepted_at, note_id);
";

/// Why a note is not kept: the HTTP status, the code, what is wrong.
#[derive(Debug, PartialEq, Eq)]
pub struct NoteRefusal {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

pub(crate) fn refusal(status: u16, code: &'static str, message: impl Into<String>) -> NoteRefusal {
    NoteRefusal {
        status,
        code,
        message: message.into(),
    }
}

/// What the bank does with a note.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Keep it (a new note).
    Keep,
    /// The note is kept already, as sent: answer with it.
    Again(RemoteNote),
}

/// The facts about a note's author in the enforcing mode (None: a standalone bank).
pub struct Author {
    pub key: KeyVerdict,
    pub person: PersonVerdict,
}

pub(crate) fn well_formed_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Which of `who`'s keys, if any, signed `message` (`algorithm` and `signature` as the
/// request carried them, the signature base64).
pub(crate) fn key_of_request(
    tx: &rusqlite::Transaction,
    who: &str,
    algorithm: Option<&str>,
    signature: Option<&str>,
    message: &[u8],
) -> rusqlite::Result<KeyVerdict> {
    let keys = db::staff_keys(tx, who)?;
    let signature = signature.and_then(from_base64).unwrap_or_default();
    let algorithm = algorithm.unwrap_or_default();
    Ok(key_verdict(&keys, |k| {
        verifies(k, algorithm, message, &signature)
    }))
}

/// `at` as a time, or why not (`field` and its refusal code): RFC 3339, not ahead of the
/// bank's clock beyond the skew and — with `oldest_hours` — made no longer ago than that
/// (an act made offline reaches the bank within an offline login's hours).
pub(crate) fn dated(
    (field, code): (&str, &'static str),
    at: &str,
    now: chrono::DateTime<chrono::Utc>,
    oldest_hours: Option<i64>,
) -> Result<chrono::DateTime<chrono::Utc>, NoteRefusal> {
    let Ok(t) = chrono::DateTime::parse_from_rfc3339(at) else {
        return Err(refusal(422, code, format!("{field}: not an RFC 3339 time")));
    };
    let t = t.with_timezone(&chrono::Utc);
    if t > now + chrono::Duration::seconds(CLOCK_SKEW_SECS) {
        return Err(refusal(
            422,
            code,
            format!("{field}: {at} is ahead of the bank's clock"),
        ));
    }
    if oldest_hours.is_some_and(|h| t < now - chrono::Duration::hours(h)) {
        return Err(refusal(
            422,
            code,
            format!("{field}: {at} is older than an offline login lasts"),
        ));
    }
    Ok(t)
}

/// A note the bank keeps under an id, with the case it is on.
pub struct Kept {
    pub case_id: String,
    pub note: RemoteNote,
}

/// Whether the bank keeps `note` on case `case_id` (held: the bank holds the case), now.
pub fn judge(
    case_id: &str,
    held: bool,
    note: &CaseNote,
    kept: Option<Kept>,
    author: Option<&Author>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Verdict, NoteRefusal> {
    if !well_formed_id(&note.note_id) {
        return Err(refusal(
            422,
            "INVALID_NOTE",
            "note_id: 1 to 64 letters, digits, '-' or '_'",
        ));
    }
    if note.author.trim().is_empty() {
        return Err(refusal(422, "INVALID_NOTE", "author: missing"));
    }
    // Dated ahead of the bank's clock: no note is written in the future. (An older date
    // is a note made offline; the thread is ordered by the bank's acceptance anyway.)
    dated(("written_at", "INVALID_NOTE"), &note.written_at, now, None)?;
    if note.text.trim().is_empty() {
        return Err(refusal(422, "NOTE_EMPTY", "text: a note says something"));
    }
    if let Some(c) = note
        .text
        .chars()
        .find(|c| c.is_control() && *c != '\n' && *c != '\t')
    {
        return Err(refusal(
            422,
            "INVALID_NOTE",
            format!(
                "text: the control character U+{:04X} has no place in a note",
                u32::from(c)
            ),
        ));
    }
    let chars = note.text.chars().count();
    if chars > NOTE_MAX_CHARS {
        return Err(refusal(
            422,
            "NOTE_TOO_LONG",
            format!("text: {chars} characters, at most {NOTE_MAX_CHARS}"),
        ));
    }
    if !held {
        return Err(refusal(404, "NOT_FOUND", "no such case at the bank"));
    }
    if let Some(a) = author {
        check_author(&note.author, a, false)?;
    }
    match kept {
        None => Ok(Verdict::Keep),
        Some(Kept { case_id: on, note: k })
            if on == case_id
                && k.author == note.author
                && k.written_at == note.written_at
                && k.text == note.text =>
        {
            Ok(Verdict::Again(k))
        }
        Some(Kept { note: k, .. }) => Err(refusal(
            409,
            "NOTE_EXISTS",
            format!("note {} is kept already (by {} at {}): a note is never changed; a correction is a new note", k.note_id, k.author, k.written_at),
        )),
    }
}

/// The author's key and directory roles: the underwriter or reviewer role (`reviewer`:
/// the reviewer role only).
pub(crate) fn check_author(name: &str, a: &Author, reviewer: bool) -> Result<(), NoteRefusal> {
    match &a.key {
        KeyVerdict::Current => {}
        KeyVerdict::Unknown => {
            return Err(refusal(
                403,
                "KEY_UNKNOWN",
                format!("{} has no enrolled key", name),
            ))
        }
        KeyVerdict::Revoked { revoked_at } => {
            return Err(refusal(
                403,
                "KEY_REVOKED",
                format!(
                    "the act is signed with a key of {} revoked at {revoked_at}",
                    name
                ),
            ))
        }
        KeyVerdict::Mismatch => {
            return Err(refusal(
                403,
                "SIGNATURE_INVALID",
                format!("the signature is not {}'s", name),
            ))
        }
    }
    match &a.person {
        PersonVerdict::Found { roles, .. }
            if roles.reviewer || (roles.underwriter && !reviewer) =>
        {
            Ok(())
        }
        PersonVerdict::Disabled => Err(refusal(
            403,
            "ACCOUNT_DISABLED",
            format!("the directory has disabled {}'s account", name),
        )),
        PersonVerdict::Unreachable(why) => Err(refusal(
            503,
            "DIRECTORY_UNAVAILABLE",
            format!("the directory cannot be asked about {}: {why}", name),
        )),
        _ => Err(refusal(
            403,
            "ROLE_MISSING",
            if reviewer {
                format!("{name} lacks the reviewer role: only a reviewer waives a condition")
            } else {
                format!("{name} holds neither the underwriter nor the reviewer role")
            },
        )),
    }
}

fn note_row(r: &rusqlite::Row) -> rusqlite::Result<RemoteNote> {
    Ok(RemoteNote {
        note_id: r.get(0)?,
        author: r.get(1)?,
        written_at: r.get(2)?,
        text: r.get(3)?,
        accepted_at: r.get(4)?,
    })
}

const COLUMNS: &str = "note_id, author, written_at, text, accepted_at";

fn kept(conn: &Connection, note_id: &str) -> rusqlite::Result<Option<Kept>> {
    conn.query_row(
        &format!("SELECT {COLUMNS}, case_id FROM case_notes WHERE note_id = ?1"),
        [note_id],
        |r| {
            Ok(Kept {
                note: note_row(r)?,
                case_id: r.get(5)?,
            })
        },
    )
    .optional()
}

/// Fills in each case's notes, oldest first: one query for all of them (one case: its
/// own only).
pub(crate) fn with_notes(conn: &Connection, cases: &mut [RemoteCase]) -> rusqlite::Result<()> {
    let one = match cases {
        [case] => Some(case.case_id.clone()),
        _ => None,
    };
    let mut stmt = conn.prepare(&format!(
        "SELECT case_id, {COLUMNS} FROM case_notes WHERE ?1 IS NULL OR case_id = ?1 \
         ORDER BY accepted_at, note_id"
    ))?;
    let mut by_case: HashMap<String, Vec<RemoteNote>> = HashMap::new();
    let rows = stmt.query_map([one], |r| {
        Ok((
            r.get::<_, String>(0)?,
            RemoteNote {
                note_id: r.get(1)?,
                author: r.get(2)?,
                written_at: r.get(3)?,
                text: r.get(4)?,
                accepted_at: r.get(5)?,
            },
        ))
    })?;
    for row in rows {
        let (case_id, note) = row?;
        by_case.entry(case_id).or_default().push(note);
    }
    for case in cases {
        if let Some(notes) = by_case.remove(&case.case_id) {
            case.notes = notes;
        }
    }
    Ok(())
}

/// `POST /v1/cases/{id}/notes`.
pub(crate) async fn post_note(
    State(sim): State<Arc<Sim>>,
    UrlPath(id): UrlPath<String>,
    dup: Option<axum::Extension<Duplicate>>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let note: CaseNote = match serde_json::from_slice(&body) {
        Ok(n) => n,
        Err(e) => {
            return Reply::error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "INVALID_NOTE",
                format!("the body is not a note (note_id, author, written_at, text): {e}"),
            )
        }
    };
    let person = match sim.directory() {
        Some(dir) => Some(ask(dir, &note.author).await),
        None => None,
    };
    let fingerprint = [b"POST notes".as_slice(), id.as_bytes(), &body];
    sim.mutate(&headers, &fingerprint, duplicate(dup), |tx| {
        let author = match &person {
            None => None,
            Some(person) => {
                let message = api::note_bytes(&id, &note);
                Some(Author {
                    key: key_of_request(
                        tx,
                        &note.author,
                        note.algorithm.as_deref(),
                        note.signature.as_deref(),
                        &message,
                    )?,
                    person: person.clone(),
                })
            }
        };
        let held = db::case(tx, &id)?.is_some();
        let kept = kept(tx, &note.note_id)?;
        match judge(&id, held, &note, kept, author.as_ref(), chrono::Utc::now()) {
            Err(r) => Ok(Reply::error(
                StatusCode::from_u16(r.status).unwrap_or(StatusCode::FORBIDDEN),
                r.code,
                format!("case {id}: {}", r.message),
            )),
            Ok(Verdict::Again(k)) => Ok(Reply::json(StatusCode::OK, &k)),
            Ok(Verdict::Keep) => {
                let at = now();
                tx.execute(
                    "INSERT INTO case_notes (note_id, case_id, author, written_at, text, accepted_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![note.note_id, id, note.author, note.written_at, note.text, at],
                )?;
                let k = self::kept(tx, &note.note_id)?;
                Ok(match k {
                    Some(k) => Reply::json(StatusCode::CREATED, &k.note),
                    None => storage(rusqlite::Error::QueryReturnedNoRows),
                })
            }
        }
    })
}

#[cfg(test)]
mod tests;

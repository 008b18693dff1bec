//! The approval's conditions beyond §6 at the bank (`POST /v1/cases/{id}/conditions`):
//! "approve subject to …" — raised, then met with the evidence or waived by a reviewer
//! with the reason — and the bank's own check that no disbursement order passes an open
//! one ([`order_refusal`]).
//!
//! Invariants:
//! - [`judge`] decides from plain values whether an act is kept; the handler gathers the
//!   facts (the case, the condition as kept, the author's keys, the directory's word) and
//!   writes what it allows in one transaction;
//! - a condition is open, then met or waived, once: an act on a closed one is refused
//!   (`409 CONDITION_CLOSED`) unless it is the very act that closed it (sent again: 200);
//!   its text, owner, due date and stage never change (`409 CONDITION_EXISTS`);
//! - a waiver needs the reviewer role in the directory and another person than the one
//!   who raised it — a tampered desk cannot waive its own condition;
//! - an open condition blocks the stage it names and every later one, in both modes: the
//!   bank refuses such an order (`409 CONDITION_OPEN`) whatever the desk decided.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode};
use rusqlite::{params, Connection, OptionalExtension};
use uw_bank_link::api::{
    self, CaseMessage, ConditionAct, ConditionAction, RemoteCase, RemoteCondition,
};
use uw_bank_link::signing::from_base64;

use crate::db;
use crate::http::{duplicate, now, storage, Duplicate, Reply, Sim};
use crate::notes::{refusal, well_formed_id, Author, NoteRefusal as Refusal};
use crate::review::{ask, verifies};
use crate::workflow::{key_verdict, CLOCK_SKEW_SECS};

/// The longest text, evidence or reason, and the longest owner, in characters (the
/// desk's `uw_domain::approval_conditions` holds the same).
const TEXT_MAX: usize = 500;
const OWNER_MAX: usize = 100;

pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS case_conditions (
    condition_id TEXT PRIMARY KEY NOT NULL,
    case_id      TEXT NOT NULL,
    text         TEXT NOT NULL,
    owner        TEXT NOT NULL,
    due          TEXT NOT NULL,
    stage        INTEGER NOT NULL,
    raised_by    TEXT NOT NULL,
    raised_at    TEXT NOT NULL,
    status       TEXT NOT NULL,
    closed_by    TEXT,
    closed_at    TEXT,
    words        TEXT,
    accepted_at  TEXT NOT NULL,
    seq          INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS case_conditions_by_case ON case_conditions (case_id, status, stage);
";

/// What the bank does with an act.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// A new condition.
    Raise,
    /// The kept open condition closes: `met` or `waived`.
    Close(&'static str),
    /// The act is kept already, as sent: answer with the condition as kept.
    Again,
}

/// `field`'s words, or why they cannot stand: missing, too long, a control character.
fn words<'a>(
    field: &str,
    w: Option<&'a str>,
    max: usize,
    code: &'static str,
) -> Result<&'a str, Refusal> {
    let w = w.map(str::trim).unwrap_or_default();
    if w.is_empty() {
        return Err(refusal(422, code, format!("{field}: missing")));
    }
    let chars = w.chars().count();
    if chars > max {
        return Err(refusal(
            422,
            "INVALID_CONDITION",
            format!("{field}: {chars} characters, at most {max}"),
        ));
    }
    if let Some(c) = w
        .chars()
        .find(|c| c.is_control() && *c != '\n' && *c != '\t')
    {
        return Err(refusal(
            422,
            "INVALID_CONDITION",
            format!("{field}: the control character U+{:04X}", u32::from(c)),
        ));
    }
    Ok(w)
}

/// Whether the bank keeps `act` on case `case_id` (held: the bank holds the case), now.
/// `maker`: who made the case, as the bank's workflow knows it (None: no one submitted it,
/// or a standalone bank).
pub fn judge(
    held: bool,
    act: &ConditionAct,
    kept: Option<(String, RemoteCondition)>,
    case_id: &str,
    maker: Option<&str>,
    author: Option<&Author>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Verdict, Refusal> {
    if !well_formed_id(&act.condition_id) {
        return Err(refusal(
            422,
            "INVALID_CONDITION",
            "condition_id: 1 to 64 letters, digits, '-' or '_'",
        ));
    }
    if act.author.trim().is_empty() {
        return Err(refusal(422, "INVALID_CONDITION", "author: missing"));
    }
    let Ok(at) = chrono::DateTime::parse_from_rfc3339(&act.at) else {
        return Err(refusal(
            422,
            "INVALID_CONDITION",
            "at: not an RFC 3339 time",
        ));
    };
    if at.with_timezone(&chrono::Utc) > now + chrono::Duration::seconds(CLOCK_SKEW_SECS) {
        return Err(refusal(
            422,
            "INVALID_CONDITION",
            format!("at: {} is ahead of the bank's clock", act.at),
        ));
    }
    match act.action {
        ConditionAction::Raise => {
            words(
                "text",
                act.text.as_deref(),
                TEXT_MAX,
                "CONDITION_TEXT_REQUIRED",
            )?;
            words(
                "owner",
                act.owner.as_deref(),
                OWNER_MAX,
                "CONDITION_OWNER_REQUIRED",
            )?;
            let due = act.due.as_deref().map(str::trim).unwrap_or_default();
            if due.is_empty() {
                return Err(refusal(422, "CONDITION_DUE_REQUIRED", "due: missing"));
            }
            let Ok(due) = chrono::NaiveDate::parse_from_str(due, "%Y-%m-%d") else {
                return Err(refusal(
                    422,
                    "CONDITION_DUE_INVALID",
                    format!("due: {due:?} is not a date (YYYY-MM-DD)"),
                ));
            };
            if due < at.date_naive() {
                return Err(refusal(
                    422,
                    "CONDITION_DUE_INVALID",
                    format!("due: {due} lies before the day it is raised"),
                ));
            }
            if !matches!(act.stage, Some(1 | 2)) {
                return Err(refusal(422, "CONDITION_STAGE_INVALID", "stage: 1 or 2"));
            }
        }
        ConditionAction::Meet => {
            words(
                "words",
                act.words.as_deref(),
                TEXT_MAX,
                "CONDITION_EVIDENCE_REQUIRED",
            )?;
        }
        ConditionAction::Waive => {
            words(
                "words",
                act.words.as_deref(),
                TEXT_MAX,
                "CONDITION_REASON_REQUIRED",
            )?;
        }
    }
    if !held {
        return Err(refusal(404, "NOT_FOUND", "no such case at the bank"));
    }
    if let Some(a) = author {
        crate::notes::check_author(&act.author, a, act.action == ConditionAction::Waive)?;
    }
    match (act.action, kept) {
        (ConditionAction::Raise, None) => Ok(Verdict::Raise),
        (ConditionAction::Raise, Some((on, k))) => {
            let same = on == case_id
                && k.raised_by == act.author
                && k.raised_at == act.at
                && Some(k.text.as_str()) == act.text.as_deref().map(str::trim)
                && Some(k.owner.as_str()) == act.owner.as_deref().map(str::trim)
                && Some(k.due.as_str()) == act.due.as_deref().map(str::trim)
                && Some(k.stage) == act.stage;
            if same {
                Ok(Verdict::Again)
            } else {
                Err(refusal(409, "CONDITION_EXISTS", format!(
                    "condition {} is kept already (raised by {} at {}): it never changes; another condition is a new one",
                    k.condition_id, k.raised_by, k.raised_at
                )))
            }
        }
        (_, None) => Err(refusal(
            404,
            "CONDITION_UNKNOWN",
            format!(
                "condition_id: no condition {} on this case",
                act.condition_id
            ),
        )),
        (_, Some((on, _))) if on != case_id => Err(refusal(
            404,
            "CONDITION_UNKNOWN",
            format!(
                "condition_id: no condition {} on this case",
                act.condition_id
            ),
        )),
        (action, Some((_, k))) => close(action, act, k, maker),
    }
}

fn close(
    action: ConditionAction,
    act: &ConditionAct,
    k: RemoteCondition,
    maker: Option<&str>,
) -> Result<Verdict, Refusal> {
    let status = if action == ConditionAction::Meet {
        "met"
    } else {
        "waived"
    };
    if k.status != "open" {
        let again = k.status == status
            && k.closed_by.as_deref() == Some(act.author.as_str())
            && k.closed_at.as_deref() == Some(act.at.as_str())
            && k.words.as_deref() == act.words.as_deref().map(str::trim);
        return if again {
            Ok(Verdict::Again)
        } else {
            Err(refusal(
                409,
                "CONDITION_CLOSED",
                format!(
                    "condition {} is {} already (by {}): a closed condition never reopens",
                    k.condition_id,
                    k.status,
                    k.closed_by.as_deref().unwrap_or("?")
                ),
            ))
        };
    }
    if action == ConditionAction::Waive && k.raised_by == act.author {
        return Err(refusal(
            403,
            "CONDITION_WAIVE_OWN",
            format!(
                "{} raised condition {}: its waiver is a second person's",
                act.author, k.condition_id
            ),
        ));
    }
    if action == ConditionAction::Waive && maker == Some(act.author.as_str()) {
        return Err(refusal(
            403,
            "CONDITION_WAIVE_OWN",
            format!(
                "{} made this case: a waiver of condition {} is a second person's",
                act.author, k.condition_id
            ),
        ));
    }
    Ok(Verdict::Close(status))
}

const COLUMNS: &str = "condition_id, text, owner, due, stage, raised_by, raised_at, status, closed_by, closed_at, words, accepted_at";

fn row(r: &rusqlite::Row) -> rusqlite::Result<RemoteCondition> {
    Ok(RemoteCondition {
        condition_id: r.get(0)?,
        text: r.get(1)?,
        owner: r.get(2)?,
        due: r.get(3)?,
        stage: r.get(4)?,
        raised_by: r.get(5)?,
        raised_at: r.get(6)?,
        status: r.get(7)?,
        closed_by: r.get(8)?,
        closed_at: r.get(9)?,
        words: r.get(10)?,
        accepted_at: r.get(11)?,
    })
}

/// The condition kept under an id, with the case it is on.
fn kept(conn: &Connection, id: &str) -> rusqlite::Result<Option<(String, RemoteCondition)>> {
    conn.query_row(
        &format!("SELECT {COLUMNS}, case_id FROM case_conditions WHERE condition_id = ?1"),
        [id],
        |r| Ok((r.get(12)?, row(r)?)),
    )
    .optional()
}

/// Fills in each case's conditions, in the order raised: one query for all of them (one
/// case: its own only).
pub(crate) fn with_conditions(conn: &Connection, cases: &mut [RemoteCase]) -> rusqlite::Result<()> {
    let one = match cases {
        [case] => Some(case.case_id.clone()),
        _ => None,
    };
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS}, case_id FROM case_conditions WHERE ?1 IS NULL OR case_id = ?1 ORDER BY seq"
    ))?;
    let mut by_case: HashMap<String, Vec<RemoteCondition>> = HashMap::new();
    let rows = stmt.query_map([one], |r| Ok((r.get::<_, String>(12)?, row(r)?)))?;
    for r in rows {
        let (case_id, c) = r?;
        by_case.entry(case_id).or_default().push(c);
    }
    for case in cases {
        if let Some(c) = by_case.remove(&case.case_id) {
            case.conditions = c;
        }
    }
    Ok(())
}

/// The bank's own check of a disbursement order: an open condition naming its stage or an
/// earlier one refuses it.
pub(crate) fn order_refusal(
    tx: &rusqlite::Transaction,
    case_id: &str,
    msg: &CaseMessage,
) -> rusqlite::Result<Option<Reply>> {
    if msg.kind != api::MessageKind::DisbursementOrder {
        return Ok(None);
    }
    let stage = msg.body.get("stage").and_then(|s| s.as_u64()).unwrap_or(0);
    let open: Option<(String, String, String)> = tx
        .query_row(
            "SELECT condition_id, text, due FROM case_conditions \
             WHERE case_id = ?1 AND status = 'open' AND stage <= ?2 ORDER BY seq LIMIT 1",
            params![case_id, stage as i64],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    Ok(open.map(|(id, text, due)| {
        Reply::error(
            StatusCode::CONFLICT,
            "CONDITION_OPEN",
            format!("case {case_id}: condition {id} (\"{text}\", due {due}) is open: stage {stage} waits until it is met or waived"),
        )
    }))
}

/// `POST /v1/cases/{id}/conditions`.
pub(crate) async fn post_condition(
    State(sim): State<Arc<Sim>>,
    UrlPath(id): UrlPath<String>,
    dup: Option<axum::Extension<Duplicate>>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let act: ConditionAct = match serde_json::from_slice(&body) {
        Ok(a) => a,
        Err(e) => {
            return Reply::error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "INVALID_CONDITION",
                format!(
                "the body is not an act on a condition (condition_id, action, author, at, …): {e}"
            ),
            )
        }
    };
    let person = match sim.directory() {
        Some(dir) => Some(ask(dir, &act.author).await),
        None => None,
    };
    let fingerprint = [b"POST conditions".as_slice(), id.as_bytes(), &body];
    sim.mutate(&headers, &fingerprint, duplicate(dup), |tx| {
        let author = match &person {
            None => None,
            Some(person) => {
                let keys = db::staff_keys(tx, &act.author)?;
                let message = api::condition_bytes(&id, &act);
                let signature = act.signature.as_deref().and_then(from_base64).unwrap_or_default();
                let algorithm = act.algorithm.clone().unwrap_or_default();
                Some(Author {
                    key: key_verdict(&keys, |k| verifies(k, &algorithm, &message, &signature)),
                    person: person.clone(),
                })
            }
        };
        let review = db::review(tx, &id)?;
        let held = review.current.is_some();
        let kept = kept(tx, &act.condition_id)?;
        let trim = |o: &Option<String>| o.as_deref().map(str::trim).map(str::to_string);
        let at = now();
        let maker = review.maker.as_deref();
        let status = match judge(held, &act, kept, &id, maker, author.as_ref(), chrono::Utc::now()) {
            Err(r) => {
                return Ok(Reply::error(
                    StatusCode::from_u16(r.status).unwrap_or(StatusCode::FORBIDDEN),
                    r.code,
                    format!("case {id}: {}", r.message),
                ))
            }
            Ok(Verdict::Again) => StatusCode::OK,
            Ok(Verdict::Raise) => {
                tx.execute(
                    "INSERT INTO case_conditions (condition_id, case_id, text, owner, due, stage, raised_by, raised_at, \
                     status, accepted_at, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'open', ?9, \
                     (SELECT coalesce(max(seq), 0) + 1 FROM case_conditions))",
                    params![act.condition_id, id, trim(&act.text), trim(&act.owner), trim(&act.due), act.stage, act.author, act.at, at],
                )?;
                StatusCode::CREATED
            }
            Ok(Verdict::Close(status)) => {
                tx.execute(
                    "UPDATE case_conditions SET status = ?2, closed_by = ?3, closed_at = ?4, words = ?5, accepted_at = ?6 \
                     WHERE condition_id = ?1 AND status = 'open'",
                    params![act.condition_id, status, act.author, act.at, trim(&act.words), at],
                )?;
                StatusCode::CREATED
            }
        };
        Ok(match self::kept(tx, &act.condition_id)? {
            Some((_, k)) => Reply::json(status, &k),
            None => storage(rusqlite::Error::QueryReturnedNoRows),
        })
    })
}

#[cfg(test)]
mod tests;

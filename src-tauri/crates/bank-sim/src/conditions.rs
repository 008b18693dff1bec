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

use crate::db;
use crate::http::{duplicate, now, storage, Duplicate, Reply, Sim};
use crate::notes::{
    dated, key_of_request, refusal, well_formed_id, Author, NoteRefusal as Refusal,
};
use crate::review::ask;
use crate::workflow::{PersonVerdict, Stage, REVOKED_KEY_DELIVERY_HOURS};

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
    seq          INTEGER NOT NULL,
    -- Each act's signature as it came (algorithm:base64; NULL from a standalone desk), so
    -- that who raised and who closed the condition can be shown later.
    raise_signature TEXT,
    close_signature TEXT
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

/// `field`'s words, or why they cannot stand: missing, with surrounding spaces (the
/// signature covers the words as sent, and the bank keeps them as signed), too long, a
/// control character.
fn words<'a>(
    field: &str,
    w: Option<&'a str>,
    max: usize,
    code: &'static str,
) -> Result<&'a str, Refusal> {
    let w = w.unwrap_or_default();
    if w.trim().is_empty() {
        return Err(refusal(422, code, format!("{field}: missing")));
    }
    if w.trim() != w {
        return Err(refusal(
            422,
            "INVALID_CONDITION",
            format!("{field}: surrounding spaces (the words are signed as they are kept)"),
        ));
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

/// The case as the bank holds it, for an act on one of its conditions.
pub struct Held {
    /// The review's stage (None: a standalone bank, which keeps no workflow and takes the
    /// desk's word for it).
    pub stage: Option<Stage>,
    pub branch: String,
    /// Who made or edited it (they close none of its conditions).
    pub makers: Vec<String>,
    /// The disbursement stages the bank has taken orders of.
    pub ordered: Vec<u8>,
}

/// The act's form: the id, the author, the time (not ahead of the bank's clock, nor older
/// than an offline login lasts), and what the action says.
fn form(act: &ConditionAct, now: chrono::DateTime<chrono::Utc>) -> Result<(), Refusal> {
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
    let at = dated(
        ("at", "INVALID_CONDITION"),
        &act.at,
        now,
        Some(REVOKED_KEY_DELIVERY_HOURS),
    )?;
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
            let due = act.due.as_deref().unwrap_or_default();
            if due.is_empty() {
                return Err(refusal(422, "CONDITION_DUE_REQUIRED", "due: missing"));
            }
            // Exactly YYYY-MM-DD: the text the bank keeps is the date every desk reads.
            let parsed = chrono::NaiveDate::parse_from_str(due, "%Y-%m-%d")
                .ok()
                .filter(|d| d.format("%Y-%m-%d").to_string() == due);
            let Some(due) = parsed else {
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
    Ok(())
}

/// Whether the bank keeps `act` on case `case_id` (`held`: the case as the bank holds it),
/// now.
pub fn judge(
    held: Option<&Held>,
    act: &ConditionAct,
    kept: Option<(String, RemoteCondition)>,
    case_id: &str,
    author: Option<&Author>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Verdict, Refusal> {
    form(act, now)?;
    let Some(held) = held else {
        return Err(refusal(404, "NOT_FOUND", "no such case at the bank"));
    };
    if let Some(a) = author {
        crate::notes::check_author(&act.author, a, act.action == ConditionAction::Waive)?;
        let branches = match &a.person {
            PersonVerdict::Found { branches, .. } => branches.as_slice(),
            _ => &[],
        };
        if !branches.contains(&held.branch) {
            return Err(refusal(
                403,
                "ROLE_MISSING",
                format!(
                    "{} does not work for branch {}, the case's",
                    act.author, held.branch
                ),
            ));
        }
    }
    match (act.action, kept) {
        (ConditionAction::Raise, None) => raise(act, held),
        (ConditionAction::Raise, Some((on, k))) => {
            let same = on == case_id
                && k.raised_by == act.author
                && k.raised_at == act.at
                && Some(k.text.as_str()) == act.text.as_deref()
                && Some(k.owner.as_str()) == act.owner.as_deref()
                && Some(k.due.as_str()) == act.due.as_deref()
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
        (_, None) => Err(unknown(act)),
        (_, Some((on, _))) if on != case_id => Err(unknown(act)),
        (action, Some((_, k))) => close(action, act, k, held),
    }
}

fn unknown(act: &ConditionAct) -> Refusal {
    refusal(
        404,
        "CONDITION_UNKNOWN",
        format!(
            "condition_id: no condition {} on this case",
            act.condition_id
        ),
    )
}

/// A new condition: on a case not rejected, for a stage the bank has no order of.
fn raise(act: &ConditionAct, held: &Held) -> Result<Verdict, Refusal> {
    if held.stage == Some(Stage::Rejected) {
        return Err(refusal(
            409,
            "WRONG_STAGE",
            "the case is rejected: it moves no money and takes no condition",
        ));
    }
    let stage = act.stage.unwrap_or(2);
    if held.ordered.contains(&stage) {
        return Err(refusal(
            409,
            "WRONG_STAGE",
            format!("stage {stage} is ordered already: a condition for it comes too late"),
        ));
    }
    Ok(Verdict::Raise)
}

/// The kept condition closed by `act`: once, after the submission, by a second person —
/// and a waiver not by whoever raised it.
fn close(
    action: ConditionAction,
    act: &ConditionAct,
    k: RemoteCondition,
    held: &Held,
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
            && k.words.as_deref() == act.words.as_deref();
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
    if let Some(stage) = held
        .stage
        .filter(|s| !matches!(s, Stage::Submitted | Stage::Approved))
    {
        return Err(refusal(
            409,
            "CONDITION_NOT_SUBMITTED",
            format!(
                "the case is {}: its conditions are closed once it is submitted",
                stage.as_str()
            ),
        ));
    }
    if held.makers.contains(&act.author) {
        return Err(refusal(
            403,
            "CONDITION_SECOND_PERSON",
            format!(
                "{} made or edited this case: condition {} is closed by a second person",
                act.author, k.condition_id
            ),
        ));
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
    if chrono::DateTime::parse_from_rfc3339(&act.at).ok()
        < chrono::DateTime::parse_from_rfc3339(&k.raised_at).ok()
    {
        return Err(refusal(
            422,
            "INVALID_CONDITION",
            format!(
                "at: {} is before the condition was raised ({})",
                act.at, k.raised_at
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
    // A stage that is not 1 is read as 2: an order of no known stage passes no condition.
    let stage = match msg.body.get("stage").and_then(|s| s.as_u64()) {
        Some(1) => 1,
        _ => 2,
    };
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

/// The case as the bank holds it for an act on its conditions (None: not held).
fn held(
    tx: &rusqlite::Transaction,
    case_id: &str,
    enforcing: bool,
) -> rusqlite::Result<Option<Held>> {
    let Some(case) = db::case(tx, case_id)? else {
        return Ok(None);
    };
    let review = db::review(tx, case_id)?;
    let mut st = tx.prepare(
        "SELECT DISTINCT json_extract(body, '$.body.stage') FROM messages \
         WHERE case_id = ?1 AND kind = 'disbursement_order'",
    )?;
    let ordered = st
        .query_map([case_id], |r| r.get::<_, Option<i64>>(0))?
        .filter_map(|r| r.ok().flatten())
        .filter_map(|s| u8::try_from(s).ok())
        .collect();
    Ok(Some(Held {
        stage: enforcing.then_some(review.stage),
        branch: case.branch,
        makers: review.maker.into_iter().chain(review.editors).collect(),
        ordered,
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
                let message = api::condition_bytes(&id, &act);
                Some(Author {
                    key: key_of_request(
                        tx,
                        &act.author,
                        act.algorithm.as_deref(),
                        act.signature.as_deref(),
                        &message,
                    )?,
                    person: person.clone(),
                })
            }
        };
        let held = held(tx, &id, person.is_some())?;
        let kept = kept(tx, &act.condition_id)?;
        let signed = act.signature.as_ref().map(|sig| {
            format!("{}:{sig}", act.algorithm.as_deref().unwrap_or_default())
        });
        let at = now();
        let status = match judge(held.as_ref(), &act, kept, &id, author.as_ref(), chrono::Utc::now()) {
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
                     status, accepted_at, seq, raise_signature) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'open', ?9, \
                     (SELECT coalesce(max(seq), 0) + 1 FROM case_conditions), ?10)",
                    params![act.condition_id, id, act.text, act.owner, act.due, act.stage, act.author, act.at, at, signed],
                )?;
                StatusCode::CREATED
            }
            Ok(Verdict::Close(status)) => {
                tx.execute(
                    "UPDATE case_conditions SET status = ?2, closed_by = ?3, closed_at = ?4, words = ?5, accepted_at = ?6, \
                     close_signature = ?7 WHERE condition_id = ?1 AND status = 'open'",
                    params![act.condition_id, status, act.author, act.at, act.words, at, signed],
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

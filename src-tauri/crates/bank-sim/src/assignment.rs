//! Who works a case, at the bank (`POST /v1/cases/{id}/assignment`): an underwriter
//! claims an unassigned case of their branch; a supervisor gives a case of their branch to
//! an underwriter of it. Every desk learns the assignee with the case.
//!
//! Invariants:
//! - [`judge`] decides from plain values; the handler gathers the facts (the case, its
//!   stage and assignee, the giver's keys, the directory's word on the giver and on the
//!   new assignee) and writes in one transaction, so two claims cannot both land: the
//!   second names an assignee that is not the one it saw (`409 ASSIGNMENT_CHANGED`);
//! - only a draft changes hands: a submitted case is the reviewer's to pick, a decided one
//!   no one's, and a returned one goes back to its maker, the only one who resubmits it;
//! - assignments of a case are kept in the order given, and each one is later than the
//!   last (`409 STALE_ASSIGNMENT`): a signed assignment counts once, and an old one sent
//!   again (or late, from an offline desk) does not undo a newer one;
//! - with a directory the giver signs the assignment ([`api::assignment_bytes`]) with their
//!   current key; a claim needs the underwriter role, a reassignment the supervisor role,
//!   and the new assignee the underwriter role — each for the case's branch; the assignee
//!   is kept as the directory spells the name. A standalone bank keeps no keys and no
//!   workflow: it checks the form, the order and the race, and takes the desk's word for
//!   the rest.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode};
use rusqlite::{params, OptionalExtension};
use uw_bank_link::api::{self, Assignment, AssignmentAck};

use crate::db;
use crate::http::{duplicate, now, Duplicate, Reply, Sim};
use crate::notes::{dated, key_of_request, refusal, NoteRefusal as Refusal};
use crate::review::{ask, ask_spelled};
use crate::workflow::{KeyVerdict, PersonVerdict, Stage, REVOKED_KEY_DELIVERY_HOURS};

/// The case as the bank holds it, for an assignment.
pub struct Held {
    /// The review's stage (None: a standalone bank, which keeps no workflow).
    pub stage: Option<Stage>,
    pub branch: String,
    pub assignee: Option<String>,
    /// When the last assignment the bank took was given (its `at`).
    pub last_at: Option<String>,
    /// The bank took this very assignment (giver, time, assignee) before.
    pub seen: bool,
}

pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS case_assignments (
    id          INTEGER PRIMARY KEY,
    case_id     TEXT NOT NULL,
    assignee    TEXT NOT NULL,
    given_by    TEXT NOT NULL,
    given_at    TEXT NOT NULL,
    signature   TEXT,
    accepted_at TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS case_assignments_by_case ON case_assignments (case_id, id);
";

/// The directory's word on the giver (with their key) and on the new assignee (None: a
/// standalone bank).
pub struct People {
    pub key: KeyVerdict,
    pub giver: PersonVerdict,
    pub assignee: PersonVerdict,
}

fn person_refusal(who: &str, p: &PersonVerdict) -> Option<Refusal> {
    match p {
        PersonVerdict::Found { .. } => None,
        PersonVerdict::Disabled => Some(refusal(
            403,
            "ACCOUNT_DISABLED",
            format!("the directory has disabled {who}'s account"),
        )),
        PersonVerdict::Absent => Some(refusal(
            403,
            "ROLE_MISSING",
            format!("the directory knows no {who}"),
        )),
        PersonVerdict::Unreachable(why) => Some(refusal(
            503,
            "DIRECTORY_UNAVAILABLE",
            format!("the directory cannot be asked about {who}: {why}"),
        )),
    }
}

/// A staff id as directories spell them: 1 to 64 letters, digits, '.', '-' or '_'.
fn staff_id(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

/// Whether `p` holds the role `has` picks and works for `branch`.
fn may(p: &PersonVerdict, branch: &str, has: fn(&uw_directory::DirectoryRoles) -> bool) -> bool {
    matches!(p, PersonVerdict::Found { roles, branches } if has(roles) && branches.iter().any(|b| b == branch))
}

/// Whether the bank gives case `held` to `a.assignee` as `a` asks, now.
pub fn judge(
    a: &Assignment,
    held: Option<&Held>,
    people: Option<&People>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), Refusal> {
    for (field, value) in [("assignee", &a.assignee), ("by", &a.by)] {
        if !staff_id(value) {
            return Err(refusal(
                422,
                "INVALID_ASSIGNMENT",
                format!("{field}: a staff id of 1 to 64 letters, digits, '.', '-' or '_'"),
            ));
        }
    }
    let at = dated(
        ("at", "INVALID_ASSIGNMENT"),
        &a.at,
        now,
        Some(REVOKED_KEY_DELIVERY_HOURS),
    )?;
    let Some(held) = held else {
        return Err(refusal(404, "NOT_FOUND", "no such case at the bank"));
    };
    if let Some(stage) = held.stage.filter(|s| *s != Stage::Draft) {
        return Err(refusal(
            409,
            "ASSIGNMENT_CLOSED",
            format!("the case is {}: only a draft changes hands", stage.as_str()),
        ));
    }
    let last = held
        .last_at
        .as_deref()
        .and_then(|l| chrono::DateTime::parse_from_rfc3339(l).ok());
    let older = last.filter(|l| at < l.with_timezone(&chrono::Utc));
    if let Some(last) = older.or(last.filter(|_| held.seen)) {
        return Err(refusal(
            409,
            "STALE_ASSIGNMENT",
            format!(
                "at: the assignment given at {} stands; one given at {} comes after nothing",
                last.to_rfc3339(),
                a.at
            ),
        ));
    }
    if held.assignee != a.expected {
        return Err(refusal(
            409,
            "ASSIGNMENT_CHANGED",
            format!(
                "expected: the case is {} now, not {}",
                held.assignee
                    .as_deref()
                    .map_or("unassigned".into(), |w| format!("with {w}")),
                a.expected
                    .as_deref()
                    .map_or("unassigned".into(), |w| format!("with {w}")),
            ),
        ));
    }
    let claim = a.by == a.assignee;
    if claim && held.assignee.as_deref().is_some_and(|w| w != a.by) {
        return Err(refusal(
            409,
            "ALREADY_ASSIGNED",
            format!(
                "the case is with {}: a supervisor gives it to someone else",
                held.assignee.as_deref().unwrap_or_default()
            ),
        ));
    }
    let Some(p) = people else {
        return Ok(());
    };
    match &p.key {
        KeyVerdict::Current => {}
        KeyVerdict::Unknown => {
            return Err(refusal(
                403,
                "KEY_UNKNOWN",
                format!("{} has no enrolled key", a.by),
            ))
        }
        KeyVerdict::Revoked { revoked_at } => {
            return Err(refusal(
                403,
                "KEY_REVOKED",
                format!("signed with a key of {} revoked at {revoked_at}", a.by),
            ))
        }
        KeyVerdict::Mismatch => {
            return Err(refusal(
                403,
                "SIGNATURE_INVALID",
                format!("the signature is not {}'s", a.by),
            ))
        }
    }
    if let Some(r) = person_refusal(&a.by, &p.giver) {
        return Err(r);
    }
    if claim {
        return if may(&p.giver, &held.branch, |r| r.underwriter) {
            Ok(())
        } else {
            Err(refusal(
                403,
                "ROLE_MISSING",
                format!(
                    "{} is no underwriter of branch {}: no claim",
                    a.by, held.branch
                ),
            ))
        };
    }
    if !may(&p.giver, &held.branch, |r| r.supervisor) {
        return Err(refusal(
            403,
            "ROLE_MISSING",
            format!(
                "{} is no supervisor of branch {}: only a supervisor gives a case to someone else",
                a.by, held.branch
            ),
        ));
    }
    if let Some(r) = person_refusal(&a.assignee, &p.assignee) {
        return Err(if r.code == "ROLE_MISSING" {
            refusal(422, "ASSIGNEE_NOT_UNDERWRITER", r.message)
        } else {
            r
        });
    }
    if !may(&p.assignee, &held.branch, |r| r.underwriter) {
        return Err(refusal(
            422,
            "ASSIGNEE_NOT_UNDERWRITER",
            format!(
                "assignee: {} is no underwriter of branch {}",
                a.assignee, held.branch
            ),
        ));
    }
    Ok(())
}

/// `POST /v1/cases/{id}/assignment`.
pub(crate) async fn post_assignment(
    State(sim): State<Arc<Sim>>,
    UrlPath(id): UrlPath<String>,
    dup: Option<axum::Extension<Duplicate>>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let a: Assignment = match serde_json::from_slice(&body) {
        Ok(a) => a,
        Err(e) => {
            return Reply::error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "INVALID_ASSIGNMENT",
                format!("the body is not an assignment (assignee, by, at, expected): {e}"),
            )
        }
    };
    let asked = match sim.directory() {
        Some(dir) => Some((ask(dir, &a.by).await, ask_spelled(dir, &a.assignee).await)),
        None => None,
    };
    let fingerprint = [b"POST assignment".as_slice(), id.as_bytes(), &body];
    sim.mutate(&headers, &fingerprint, duplicate(dup), |tx| {
        let people = match &asked {
            None => None,
            Some((giver, (assignee, _))) => {
                let message = api::assignment_bytes(&id, &a);
                Some(People {
                    key: key_of_request(
                        tx,
                        &a.by,
                        a.algorithm.as_deref(),
                        a.signature.as_deref(),
                        &message,
                    )?,
                    giver: giver.clone(),
                    assignee: assignee.clone(),
                })
            }
        };
        let held = match db::case(tx, &id)? {
            None => None,
            Some(c) => Some(Held {
                stage: asked.is_some().then_some(db::review(tx, &id)?.stage),
                branch: c.branch,
                assignee: c.assignee,
                last_at: tx
                    .query_row(
                        "SELECT given_at FROM case_assignments WHERE case_id = ?1 ORDER BY id DESC LIMIT 1",
                        [&id],
                        |r| r.get(0),
                    )
                    .optional()?,
                seen: tx
                    .prepare(
                        "SELECT 1 FROM case_assignments WHERE case_id = ?1 AND given_by = ?2 AND given_at = ?3 \
                         AND assignee = ?4 COLLATE NOCASE",
                    )?
                    .exists(params![id, a.by, a.at, a.assignee])?,
            }),
        };
        if let Err(r) = judge(&a, held.as_ref(), people.as_ref(), chrono::Utc::now()) {
            return Ok(Reply::error(
                StatusCode::from_u16(r.status).unwrap_or(StatusCode::FORBIDDEN),
                r.code,
                format!("case {id}: {}", r.message),
            ));
        }
        let at = now();
        // The directory's spelling of the name: the one every queue and count uses.
        let assignee = asked
            .as_ref()
            .and_then(|(_, (_, spelled))| spelled.clone())
            .unwrap_or_else(|| a.assignee.clone());
        let signature = a
            .signature
            .as_ref()
            .map(|s| format!("{}:{s}", a.algorithm.as_deref().unwrap_or_default()));
        tx.execute(
            "UPDATE cases SET assignee = ?2 WHERE case_id = ?1",
            params![id, assignee],
        )?;
        tx.execute(
            "INSERT INTO case_assignments (case_id, assignee, given_by, given_at, signature, accepted_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![id, assignee, a.by, a.at, signature, at],
        )?;
        Ok(Reply::json(
            StatusCode::OK,
            &AssignmentAck {
                case_id: id.clone(),
                assignee,
                assigned_at: at,
            },
        ))
    })
}

#[cfg(test)]
mod tests;

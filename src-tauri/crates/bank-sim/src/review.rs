//! The enforcing mode's routes and hooks (`assets/spec/dual-review.md`): key enrolment,
//! sign-offs, the review inbox, and the checks of signed case versions and disbursement
//! orders. Active only with a directory (`SimConfig::directory`); without one the bank is
//! standalone and these routes answer 404 `STANDALONE`.
//!
//! Invariants:
//! - the rules live in [`crate::workflow`]: a handler here gathers the facts (the
//!   statement, the signer's keys, the directory's word on the signer, the case's review)
//!   and applies [`workflow::judge`]'s verdict — it decides nothing itself;
//! - the directory is asked on a blocking thread (`spawn_blocking`), never on an async
//!   worker, and before the transaction: what it says is a fact like the others;
//! - the stage check and the update of a statement are one SQLite transaction
//!   ([`Sim::mutate`]): the first valid sign-off wins, a second is `ALREADY_DECIDED`;
//! - in that transaction the handler also looks the statement's signature up in the log
//!   of accepted statements (unique by signature) and hands the judge when it was
//!   accepted: a statement counts once;
//! - a password sent for an enrolment goes to the directory and nowhere else: it is not
//!   stored, logged, nor part of the idempotency fingerprint.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::Utc;
use rusqlite::{Connection, Transaction};
use uw_bank_link::api::{
    content_hash, CaseMessage, Enrolment, MessageKind, Queue, SignOff, SignOffAck, SignedStatement,
    StaffKey, JUSTIFICATION_HEADER, PROPOSAL_HEADER, STAFF_AT_HEADER, STAFF_HEADER,
    STAFF_SIGNATURE_HEADER, STATEMENT_HEADER,
};
use uw_bank_link::signing::{self, from_base64};
use uw_directory::Directory;

use crate::db;
use crate::http::{duplicate, now, parse_body, storage, Duplicate, Reply, Sim};
use crate::workflow::{
    self, Carrying, CaseReview, Delivery, Held, KeyVerdict, Next, PersonVerdict, Refusal, Role,
    Rule, SignerFacts,
};

/// A refusal as an answer.
pub(crate) fn refuse(r: Refusal) -> Reply {
    Reply::error(
        StatusCode::from_u16(r.status).unwrap_or(StatusCode::FORBIDDEN),
        r.code(),
        r.message,
    )
}

fn standalone() -> Reply {
    refuse(Refusal::new(
        Rule::Standalone,
        "this bank runs standalone (no directory): it keeps no keys, sign-offs or inbox",
    ))
}

/// The directory's word on a person, asked on a blocking thread.
pub(crate) async fn ask(dir: &Directory, staff_id: &str) -> PersonVerdict {
    ask_spelled(dir, staff_id).await.0
}

/// The directory's word on a person, and how the directory spells their staff id.
pub(crate) async fn ask_spelled(
    dir: &Directory,
    staff_id: &str,
) -> (PersonVerdict, Option<String>) {
    let (dir, who) = (dir.clone(), staff_id.to_string());
    match tokio::task::spawn_blocking(move || dir.lookup(&who)).await {
        Ok(Ok(p)) => (
            PersonVerdict::Found {
                roles: p.roles,
                branches: p.branches,
            },
            Some(p.staff_id),
        ),
        Ok(Err(e)) => (PersonVerdict::of_error(&e), None),
        Err(e) => (
            PersonVerdict::Unreachable(format!("the lookup failed: {e}")),
            None,
        ),
    }
}

pub(crate) fn verifies(key: &StaffKey, algorithm: &str, message: &[u8], signature: &[u8]) -> bool {
    key.algorithm == algorithm
        && from_base64(&key.public_key)
            .is_some_and(|pk| signing::verify(algorithm, &pk, message, signature).is_ok())
}

/// Which of the signer's keys the statement's signature verifies against.
fn key_of(conn: &Connection, signed: &SignedStatement) -> rusqlite::Result<KeyVerdict> {
    let keys = db::staff_keys(conn, &signed.statement.signer)?;
    let message = signed.statement.bytes();
    let signature = from_base64(&signed.signature).unwrap_or_default();
    Ok(workflow::key_verdict(&keys, |k| {
        verifies(k, &signed.algorithm, &message, &signature)
    }))
}

/// The author's signed statement of a case version (`UW-Statement`: base64 of its JSON).
fn statement_header(headers: &HeaderMap) -> Result<SignedStatement, Refusal> {
    let bad = |why: &str| {
        Refusal::new(
            Rule::SignatureInvalid,
            format!("a case version needs its author's signed statement: {STATEMENT_HEADER} {why}"),
        )
    };
    let value = headers
        .get(STATEMENT_HEADER)
        .ok_or_else(|| bad("is missing"))?
        .to_str()
        .map_err(|_| bad("is not ASCII"))?;
    let json = from_base64(value).ok_or_else(|| bad("is not base64 (standard alphabet)"))?;
    serde_json::from_slice(&json).map_err(|e| {
        bad(&format!(
            "is not a signed statement in the form of dual-review.md ({e})"
        ))
    })
}

/// The maker's justification of a submit (`UW-Justification`: base64 of UTF-8).
fn justification_header(headers: &HeaderMap) -> Result<Option<String>, Refusal> {
    let Some(value) = headers.get(JUSTIFICATION_HEADER) else {
        return Ok(None);
    };
    let bad = || {
        Refusal::new(
            Rule::InvalidJustification,
            format!("{JUSTIFICATION_HEADER}: not base64 of UTF-8 text"),
        )
    };
    let bytes = value.to_str().ok().and_then(from_base64).ok_or_else(bad)?;
    String::from_utf8(bytes).map(Some).map_err(|_| bad())
}

/// The maker's proposed decision of a submit (`UW-Proposal`: approve | reject).
fn proposal_header(headers: &HeaderMap) -> Result<Option<String>, Refusal> {
    let Some(value) = headers.get(PROPOSAL_HEADER) else {
        return Ok(None);
    };
    match value.to_str() {
        Ok(p @ ("approve" | "reject")) => Ok(Some(p.to_string())),
        _ => Err(Refusal::new(
            Rule::InvalidJustification,
            format!("{PROPOSAL_HEADER}: approve or reject"),
        )),
    }
}

/// What the directory said of a statement's signer, asked before the transaction (None
/// when there was no statement to ask about: the transaction refuses it).
pub(crate) struct Asked(Option<PersonVerdict>);

impl Asked {
    fn facts(&self, key: KeyVerdict) -> SignerFacts {
        SignerFacts {
            key,
            person: self.0.clone().unwrap_or_else(|| {
                PersonVerdict::Unreachable("the directory was not asked".into())
            }),
        }
    }
}

/// In the enforcing mode, asks the directory about the signer of a case version.
pub(crate) async fn ask_for_version(sim: &Sim, headers: &HeaderMap) -> Option<Asked> {
    let dir = sim.directory()?;
    Some(Asked(match statement_header(headers) {
        Ok(s) => Some(ask(dir, &s.statement.signer).await),
        Err(_) => None,
    }))
}

/// A case version the rules let in, to be recorded once it is stored.
pub(crate) struct Admitted {
    signed: SignedStatement,
    next: Next,
    review: CaseReview,
    words: Option<String>,
    proposal: Option<String>,
}

/// Judges a case version's statement (`text` passed `check_case`).
pub(crate) fn admit_version(
    tx: &Transaction,
    id: &str,
    text: &str,
    headers: &HeaderMap,
    asked: &Asked,
) -> rusqlite::Result<Result<Admitted, Reply>> {
    let signed = match statement_header(headers) {
        Ok(s) => s,
        Err(r) => return Ok(Err(refuse(r))),
    };
    let justification = match justification_header(headers) {
        Ok(j) => j,
        Err(r) => return Ok(Err(refuse(r))),
    };
    let proposal = match proposal_header(headers) {
        Ok(p) => p,
        Err(r) => return Ok(Err(refuse(r))),
    };
    let review = db::review(tx, id)?;
    let facts = asked.facts(key_of(tx, &signed)?);
    let hash = content_hash(text).unwrap_or_default();
    let case: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
    let accepted_before = db::accepted_at(tx, &signed.signature)?;
    let delivery = Delivery {
        case_id: id,
        received_at: Utc::now(),
        carrying: Carrying::Version {
            content_hash: &hash,
            case: &case,
            proposal: proposal.as_deref(),
        },
        accepted_before: accepted_before.as_deref(),
    };
    Ok(
        match workflow::judge(&review, &signed.statement, &delivery, &facts) {
            Ok(next) => Ok(Admitted {
                words: (next == Next::Submit).then(|| justification.unwrap_or_default()),
                proposal: proposal.filter(|_| next == Next::Submit),
                signed,
                next,
                review,
            }),
            Err(r) => Err(refuse(r)),
        },
    )
}

impl Admitted {
    /// Records the stored version in the case's review: its author joins the editors, a
    /// submit makes the case await a decision on it; the statement is kept.
    pub(crate) fn record(
        mut self,
        tx: &Transaction,
        id: &str,
        stored: Held,
        at: &str,
    ) -> rusqlite::Result<()> {
        let version = stored.version;
        self.review
            .accept(&self.signed, self.next, Some(stored), at, self.words);
        if let (Some(sub), Some(p)) = (self.review.submission.as_mut(), self.proposal) {
            if self.next == Next::Submit {
                sub.proposal = Some(p);
            }
        }
        db::save_review(tx, id, &self.review)?;
        db::log_statement(tx, &self.signed, Some(version), at)
    }
}

/// The signed statement a disbursement order carries (`body.statement`).
fn order_statement(msg: &CaseMessage) -> Result<SignedStatement, Refusal> {
    let bad = |why: String| {
        Refusal::new(
            Rule::SignatureInvalid,
            format!(
                "body.statement: a disbursement order carries its maker's signed statement ({why})"
            ),
        )
    };
    let value = msg
        .body
        .get("statement")
        .ok_or_else(|| bad("missing".into()))?;
    serde_json::from_value(value.clone()).map_err(|e| bad(e.to_string()))
}

/// In the enforcing mode, asks the directory about the signer of an order.
pub(crate) async fn ask_for_message(sim: &Sim, body: &[u8]) -> Option<Asked> {
    let dir = sim.directory()?;
    let signer = serde_json::from_slice::<CaseMessage>(body)
        .ok()
        .and_then(|m| order_statement(&m).ok())
        .map(|s| s.statement.signer);
    Some(Asked(match signer {
        Some(s) => Some(ask(dir, &s).await),
        None => None,
    }))
}

/// Judges a message of the enforcing bank: decisions and reviews come as sign-offs; a
/// disbursement order carries its signed statement about the approved case's current
/// version. The accepted statement, to be kept with the message.
pub(crate) fn admit_message(
    tx: &Transaction,
    id: &str,
    msg: &CaseMessage,
    asked: &Asked,
) -> rusqlite::Result<Result<SignedStatement, Reply>> {
    if msg.kind != MessageKind::DisbursementOrder {
        return Ok(Err(refuse(Refusal::new(
            Rule::UseSignoffs,
            format!(
                "a {} message is refused: sign-offs go to /v1/cases/{id}/signoffs as signed statements",
                msg.kind.as_str()
            ),
        ))));
    }
    let signed = match order_statement(msg) {
        Ok(s) => s,
        Err(r) => return Ok(Err(refuse(r))),
    };
    let review = db::review(tx, id)?;
    let facts = asked.facts(key_of(tx, &signed)?);
    let accepted_before = db::accepted_at(tx, &signed.signature)?;
    let delivery = Delivery {
        case_id: id,
        received_at: Utc::now(),
        carrying: Carrying::Order {
            stage: msg.body.get("stage").and_then(|s| s.as_u64()),
            amount: msg.body.get("amount"),
        },
        accepted_before: accepted_before.as_deref(),
    };
    Ok(
        match workflow::judge(&review, &signed.statement, &delivery, &facts) {
            Ok(_) => Ok(signed),
            Err(r) => Err(refuse(r)),
        },
    )
}

pub(crate) fn log_order(
    tx: &Transaction,
    signed: &SignedStatement,
    at: &str,
) -> rusqlite::Result<()> {
    db::log_statement(tx, signed, None, at)
}

/// `POST /v1/cases/{id}/signoffs`: a checker's signed approve, reject or return.
pub(crate) async fn sign_off(
    State(sim): State<Arc<Sim>>,
    UrlPath(id): UrlPath<String>,
    dup: Option<axum::Extension<Duplicate>>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let Some(dir) = sim.directory() else {
        return standalone();
    };
    let parsed: Result<SignOff, String> = serde_json::from_slice(&body).map_err(|e| e.to_string());
    let asked = Asked(match &parsed {
        Ok(s) => Some(ask(dir, &s.statement.statement.signer).await),
        Err(_) => None,
    });
    let fingerprint = [b"POST signoffs".as_slice(), id.as_bytes(), &body];
    sim.mutate(&headers, &fingerprint, duplicate(dup), |tx| {
        let signoff = match &parsed {
            Ok(s) => s,
            Err(e) => {
                return Ok(refuse(Refusal::new(
                    Rule::SignatureInvalid,
                    format!("the body is not a sign-off (a signed statement and a comment, dual-review.md): {e}"),
                )))
            }
        };
        let signed = &signoff.statement;
        let mut review = db::review(tx, &id)?;
        let facts = asked.facts(key_of(tx, signed)?);
        let accepted_before = db::accepted_at(tx, &signed.signature)?;
        // The registry's word on the submitted version's VIN, now.
        let vin = review
            .submitted
            .as_ref()
            .and_then(|h| h.case.pointer("/vehicle/vin"))
            .and_then(|v| v.as_str())
            .map(|v| v.trim().to_uppercase());
        let foreign = match vin {
            Some(vin) => {
                let p = db::pledge(tx, &vin, Utc::now(), sim.pledge_delay)?;
                (p.status == uw_bank_link::api::PledgeState::Foreign)
                    .then(|| p.creditor.unwrap_or_else(|| "another creditor".into()))
            }
            None => None,
        };
        let delivery = Delivery {
            case_id: &id,
            received_at: Utc::now(),
            carrying: Carrying::SignOff {
                comment: signoff.comment.as_deref(),
                foreign_pledge: foreign.as_deref(),
            },
            accepted_before: accepted_before.as_deref(),
        };
        let next = match workflow::judge(&review, &signed.statement, &delivery, &facts) {
            Ok(next) => next,
            Err(r) => return Ok(refuse(r)),
        };
        let at = now();
        let stored = match next {
            Next::Decide => {
                let Some(current) = db::case(tx, &id)? else {
                    return Ok(refuse(Refusal::new(Rule::NotFound, format!("no case {id} at the bank"))));
                };
                let block = workflow::review_block(&review, &signed.statement);
                let Some(text) = serde_json::to_string(&current.case)
                    .ok()
                    .and_then(|t| workflow::with_review(&t, block))
                else {
                    return Ok(Reply::error(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "STORAGE",
                        format!("the bank's copy of case {id} is not a JSON object"),
                    ));
                };
                let version = current.version + 1;
                let hash = db::put_case(tx, &id, version, &text, &at)?;
                Some(Held {
                    version,
                    hash,
                    stored_at: at.clone(),
                    case: serde_json::from_str(&text).unwrap_or_default(),
                })
            }
            _ => None,
        };
        let version = stored.as_ref().map(|h| h.version);
        review.accept(signed, next, stored, &at, signoff.comment.clone());
        db::save_review(tx, &id, &review)?;
        db::log_statement(tx, signed, version, &at)?;
        let (version, hash) = review
            .current
            .as_ref()
            .map(|h| (h.version, h.hash.clone()))
            .unwrap_or_default();
        let s = &signed.statement;
        Ok(Reply::json(
            StatusCode::CREATED,
            &SignOffAck {
                case_id: id.clone(),
                action: s.action,
                signer: s.signer.clone(),
                signed_at: s.signed_at.clone(),
                accepted_at: at,
                version,
                hash,
            },
        ))
    })
}

/// `POST /v1/staff/{staff_id}/keys`: enrols a person's public key once the directory has
/// accepted their password; their previous key is revoked.
pub(crate) async fn enrol(
    State(sim): State<Arc<Sim>>,
    UrlPath(staff_id): UrlPath<String>,
    dup: Option<axum::Extension<Duplicate>>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let Some(dir) = sim.directory() else {
        return standalone();
    };
    let enrolment: Enrolment = match parse_body(&body, "INVALID_ENROLMENT") {
        Ok(e) => e,
        Err(reply) => return reply,
    };
    let public_key =
        match workflow::check_enrolment_key(&enrolment.algorithm, &enrolment.public_key) {
            Ok(k) => signing::to_base64(&k),
            Err(r) => return refuse(r),
        };
    let verdict: Result<(), Refusal> = {
        let (dir, who) = (dir.clone(), staff_id.clone());
        let password = enrolment.password;
        match tokio::task::spawn_blocking(move || dir.authenticate(&who, &password)).await {
            Ok(Ok(p)) if p.staff_id == staff_id => Ok(()),
            Ok(Ok(p)) => Err(Refusal::new(
                Rule::AuthFailed,
                format!(
                    "{staff_id}: the directory spells this staff id {}; enrol under that",
                    p.staff_id
                ),
            )),
            Ok(Err(e)) => Err(workflow::authentication_refusal(&staff_id, &e)),
            Err(e) => Err(Refusal::new(
                Rule::DirectoryUnavailable,
                format!("the directory cannot check the password of {staff_id}: {e}"),
            )),
        }
    };
    let algorithm = enrolment.algorithm;
    // The password is not part of the fingerprint: no hash of it is kept.
    let fingerprint = [
        b"POST keys".as_slice(),
        staff_id.as_bytes(),
        algorithm.as_bytes(),
        public_key.as_bytes(),
    ];
    sim.mutate(&headers, &fingerprint, duplicate(dup), |tx| {
        if let Err(r) = &verdict {
            return Ok(refuse(r.clone()));
        }
        if let Some(current) = db::current_key(tx, &staff_id)? {
            if current.algorithm == algorithm && current.public_key == public_key {
                return Ok(Reply::json(StatusCode::OK, &current));
            }
        }
        if let Some(at) = db::revoked_at(tx, &staff_id, &public_key)? {
            return Ok(refuse(Refusal::new(
                Rule::KeyRevoked,
                format!("this key of {staff_id} was revoked at {at}: enrol a new one"),
            )));
        }
        let key = db::enrol_key(tx, &staff_id, &algorithm, &public_key, &now())?;
        Ok(Reply::json(StatusCode::CREATED, &key))
    })
}

/// `GET /v1/staff/{staff_id}/keys/current`.
pub(crate) async fn current_key(
    State(sim): State<Arc<Sim>>,
    UrlPath(staff_id): UrlPath<String>,
) -> Reply {
    match db::current_key(&sim.db(), &staff_id) {
        Ok(Some(k)) => Reply::json(StatusCode::OK, &k),
        Ok(None) => refuse(
            Refusal::new(
                Rule::KeyUnknown,
                format!("{staff_id} has no signing key enrolled at the bank"),
            )
            .with_status(404),
        ),
        Err(e) => storage(e),
    }
}

/// `GET /v1/inbox`: the submitted cases of the reader's branches that they neither made
/// nor edited, for a reviewer who signs the request with their current key.
pub(crate) async fn inbox(State(sim): State<Arc<Sim>>, headers: HeaderMap) -> Reply {
    let Some(dir) = sim.directory() else {
        return standalone();
    };
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    let (Some(staff), Some(at), Some(signature)) = (
        header(STAFF_HEADER),
        header(STAFF_AT_HEADER),
        header(STAFF_SIGNATURE_HEADER),
    ) else {
        return refuse(Refusal::new(
            Rule::SignatureInvalid,
            format!("a signed read request carries {STAFF_HEADER}, {STAFF_AT_HEADER} and {STAFF_SIGNATURE_HEADER}"),
        ));
    };
    let keys = match db::staff_keys(&sim.db(), staff) {
        Ok(k) => k,
        Err(e) => return storage(e),
    };
    let message = signing::request_bytes("inbox", staff, at);
    let signature = from_base64(signature).unwrap_or_default();
    let verdict = workflow::key_verdict(&keys, |k| verifies(k, &k.algorithm, &message, &signature));
    if let Err(r) = workflow::check_reader(staff, at, Utc::now(), &verdict) {
        return refuse(r);
    }
    let person = ask(dir, staff).await;
    if let Err(r) = workflow::check_role(staff, Role::Reviewer, &person) {
        return refuse(r);
    }
    let PersonVerdict::Found { branches, .. } = person else {
        return refuse(Refusal::new(
            Rule::RoleMissing,
            format!("{staff}: no reviewer"),
        ));
    };
    let conn = sim.db();
    let listed = || -> rusqlite::Result<Vec<_>> {
        let mut out = Vec::new();
        for mut case in db::queue(&conn, None, None)? {
            let review = db::review(&conn, &case.case_id)?;
            if review.in_inbox_of(&case.branch, staff, &branches) {
                case.workflow = Some(review.to_remote());
                out.push(case);
            }
        }
        crate::notes::with_notes(&conn, &mut out)?;
        crate::conditions::with_conditions(&conn, &mut out)?;
        Ok(out)
    };
    match listed() {
        Ok(applications) => Reply::json(
            StatusCode::OK,
            &Queue {
                date: Utc::now().date_naive().to_string(),
                applications,
            },
        ),
        Err(e) => storage(e),
    }
}

/// Fills in each case's review (the enforcing mode's queue and case answers).
pub(crate) fn with_workflow(
    conn: &Connection,
    cases: &mut [uw_bank_link::api::RemoteCase],
) -> rusqlite::Result<()> {
    for case in cases {
        case.workflow = Some(db::review(conn, &case.case_id)?.to_remote());
    }
    Ok(())
}

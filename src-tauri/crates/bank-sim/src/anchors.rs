//! The anchors of the workstations' audit chains (`POST /v1/audit-heads`,
//! `GET /v1/audit-heads/{workstation}`): the bank keeps every head it took, and the last
//! one per workstation is that workstation's anchor.
//!
//! Invariants:
//! - a head is taken only when it **extends** the workstation's anchor: its
//!   `previous_anchor` is the anchor (none before the first) and its `entry_id` is past
//!   it; anything else is `409 AUDIT_NOT_EXTENDED` and nothing is stored. A chain cut off
//!   at its end, rewritten, or put back from an old copy of the store shows here;
//! - a head is judged by its content, never replayed by its Idempotency-Key (the key is
//!   required, as for every change, but a remembered answer to an old head must not
//!   stand in for the judgement of the bank's current anchor). The head that *is* the
//!   anchor is a confirmation: 200 with the anchor, nothing stored — so a repeat, a
//!   duplicated delivery and a pass with nothing new all agree;
//! - the check of the anchor and the insert are one SQLite transaction (heads of one
//!   workstation sent at once: one extends, the other is refused);
//! - workstations are independent: one id's anchor never judges another's head;
//! - in the enforcing mode (a directory) a signed head must verify against the signer's
//!   current enrolled key (403 `SIGNATURE_INVALID`, `KEY_UNKNOWN`, `KEY_REVOKED`), and the
//!   anchor names the signer; an unsigned head (a workstation syncing with nobody logged
//!   in) is taken and names no one. A standalone bank keeps no keys: it checks no
//!   signature and names no signer.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode};
use rusqlite::{params, Connection, OptionalExtension};
use uw_bank_link::api::{
    self, check_workstation_id, AnchoredHead, AuditAnchor, AuditHead, IDEMPOTENCY_KEY,
};
use uw_bank_link::signing::{self, from_base64};

use crate::db;
use crate::http::{duplicate, now, parse_body, storage, Duplicate, Reply, Sim};
use crate::workflow::{self, KeyVerdict, Rule};

/// Every head the bank took, per workstation in `entry_id` order.
pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS audit_anchors (
    id                INTEGER PRIMARY KEY,
    workstation       TEXT NOT NULL,
    entry_id          INTEGER NOT NULL CHECK (entry_id >= 1),
    hash              TEXT NOT NULL,
    at                TEXT NOT NULL,
    previous_entry_id INTEGER,
    previous_hash     TEXT,
    signer            TEXT,
    anchored_at       TEXT NOT NULL,
    UNIQUE (workstation, entry_id)
) STRICT;
";

const INVALID: &str = "INVALID_AUDIT_HEAD";

/// The workstation's anchor: the last head the bank took from it.
pub(crate) fn last_anchor(
    conn: &Connection,
    workstation: &str,
) -> rusqlite::Result<Option<AnchoredHead>> {
    conn.query_row(
        "SELECT workstation, entry_id, hash, at, previous_entry_id, previous_hash, signer, anchored_at \
         FROM audit_anchors WHERE workstation = ?1 ORDER BY entry_id DESC LIMIT 1",
        [workstation],
        |r| {
            let previous_entry_id: Option<i64> = r.get(4)?;
            let previous_hash: Option<String> = r.get(5)?;
            Ok(AnchoredHead {
                workstation: r.get(0)?,
                entry_id: r.get(1)?,
                hash: r.get(2)?,
                at: r.get(3)?,
                previous_anchor: previous_entry_id
                    .zip(previous_hash)
                    .map(|(entry_id, hash)| AuditAnchor { entry_id, hash }),
                signer: r.get(6)?,
                anchored_at: r.get(7)?,
            })
        },
    )
    .optional()
}

/// What the anchor is, in words.
fn describe(a: Option<&AuditAnchor>) -> String {
    match a {
        Some(a) => format!(
            "entry {} ({}…)",
            a.entry_id,
            &a.hash[..a.hash.len().min(12)]
        ),
        None => "none".into(),
    }
}

/// Judges a head (of a valid form, its signer already checked) against the
/// workstation's anchor and takes it when it extends the anchor.
fn judge(
    tx: &rusqlite::Transaction,
    head: &AuditHead,
    signer: Option<&str>,
) -> rusqlite::Result<Reply> {
    let last = last_anchor(tx, &head.workstation)?;
    let anchor = last.as_ref().map(AnchoredHead::anchor);
    if let Some(last) = last.filter(|l| l.anchor() == head.anchor()) {
        // The anchor itself: the chain holds what the bank holds, and nothing new.
        return Ok(Reply::json(StatusCode::OK, &last));
    }
    let past = head.entry_id > anchor.as_ref().map_or(0, |a| a.entry_id);
    if head.previous_anchor != anchor || !past {
        let why = if head.previous_anchor != anchor {
            format!(
                "it names {} as its previous anchor",
                describe(head.previous_anchor.as_ref())
            )
        } else {
            format!("its entry {} is not past the anchor", head.entry_id)
        };
        return Ok(Reply::error(
            StatusCode::CONFLICT,
            api::AUDIT_NOT_EXTENDED,
            format!(
                "the head entry {} of workstation {} does not extend the bank's last anchor of its audit trail ({}): {why} — the trail was cut, rewritten, or the store put back from an old copy",
                head.entry_id,
                head.workstation,
                describe(anchor.as_ref()),
            ),
        ));
    }
    let anchored_at = now();
    tx.execute(
        "INSERT INTO audit_anchors (workstation, entry_id, hash, at, previous_entry_id, previous_hash, signer, anchored_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            head.workstation,
            head.entry_id,
            head.hash,
            head.at,
            head.previous_anchor.as_ref().map(|a| a.entry_id),
            head.previous_anchor.as_ref().map(|a| a.hash.as_str()),
            signer,
            anchored_at,
        ],
    )?;
    Ok(Reply::json(
        StatusCode::CREATED,
        &AnchoredHead {
            workstation: head.workstation.clone(),
            entry_id: head.entry_id,
            hash: head.hash.clone(),
            at: head.at.clone(),
            previous_anchor: head.previous_anchor.clone(),
            signer: signer.map(String::from),
            anchored_at,
        },
    ))
}

/// In the enforcing mode, the signer of a signed head, checked against their enrolled
/// keys; `Ok(None)` for an unsigned head or a standalone bank.
fn signer_of(sim: &Sim, head: &AuditHead) -> Result<Option<String>, Reply> {
    let (Some(sig), Some(_)) = (&head.signature, sim.directory()) else {
        return Ok(None);
    };
    let staff = sig.signer.as_str();
    let keys = db::staff_keys(&sim.db(), staff).map_err(storage)?;
    let message = head.signed_bytes(staff);
    let signature = from_base64(&sig.signature).unwrap_or_default();
    let verdict = workflow::key_verdict(&keys, |k| {
        k.algorithm == sig.algorithm
            && from_base64(&k.public_key).is_some_and(|pk| {
                signing::verify(&sig.algorithm, &pk, &message, &signature).is_ok()
            })
    });
    let refuse = |rule: Rule, message: String| {
        Reply::error(
            StatusCode::from_u16(rule.status()).unwrap_or(StatusCode::FORBIDDEN),
            rule.code(),
            message,
        )
    };
    match verdict {
        KeyVerdict::Current => Ok(Some(staff.to_string())),
        KeyVerdict::Unknown => Err(refuse(
            Rule::KeyUnknown,
            format!("{staff} has no signing key enrolled at the bank"),
        )),
        KeyVerdict::Revoked { revoked_at } => Err(refuse(
            Rule::KeyRevoked,
            format!("{staff}'s key that signed this head was revoked at {revoked_at}"),
        )),
        KeyVerdict::Mismatch => Err(refuse(
            Rule::SignatureInvalid,
            format!(
                "signature: the head's signature does not verify against {staff}'s current key"
            ),
        )),
    }
}

/// `POST /v1/audit-heads`.
pub(crate) async fn post_head(
    State(sim): State<Arc<Sim>>,
    dup: Option<axum::Extension<Duplicate>>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let keyed = headers
        .get(IDEMPOTENCY_KEY)
        .and_then(|k| k.to_str().ok())
        .map(str::trim)
        .is_some_and(|k| !k.is_empty() && k.len() <= 200);
    if !keyed {
        return Reply::error(
            StatusCode::BAD_REQUEST,
            "IDEMPOTENCY_KEY_REQUIRED",
            "every change needs an Idempotency-Key header (1 to 200 characters)",
        );
    }
    let head: AuditHead = match parse_body(&body, INVALID) {
        Ok(h) => h,
        Err(reply) => return reply,
    };
    if let Err(why) = head.check_form() {
        return Reply::error(StatusCode::UNPROCESSABLE_ENTITY, INVALID, why);
    }
    let signer = match signer_of(&sim, &head) {
        Ok(s) => s,
        Err(reply) => return reply,
    };
    let once = || -> rusqlite::Result<Reply> {
        let mut conn = sim.db();
        let tx = conn.transaction()?;
        let reply = judge(&tx, &head, signer.as_deref())?;
        if reply.is_success() {
            tx.commit()?;
        }
        Ok(reply)
    };
    let mut reply = once();
    if duplicate(dup) {
        // A network that repeats the request: the second delivery finds the anchor it
        // made, a confirmation.
        reply = once();
    }
    reply.unwrap_or_else(storage)
}

/// `GET /v1/audit-heads/{workstation}`: the workstation's anchor, 404 `NO_ANCHOR` when the
/// bank took no head from it yet.
pub(crate) async fn get_anchor(
    State(sim): State<Arc<Sim>>,
    UrlPath(workstation): UrlPath<String>,
) -> Reply {
    if let Err(why) = check_workstation_id(&workstation) {
        return Reply::error(StatusCode::UNPROCESSABLE_ENTITY, "INVALID_WORKSTATION", why);
    }
    match last_anchor(&sim.db(), &workstation) {
        Ok(Some(a)) => Reply::json(StatusCode::OK, &a),
        Ok(None) => Reply::error(
            StatusCode::NOT_FOUND,
            api::NO_ANCHOR,
            format!("the bank holds no anchor of workstation {workstation}'s audit trail"),
        ),
        Err(e) => storage(e),
    }
}

//! The routes. Every change goes through [`Sim::mutate`]: the Idempotency-Key is looked
//! up, the change made and its answer remembered in one SQLite transaction, so a repeated
//! request is answered with the first answer and changes nothing. Only answers that did
//! something are remembered: a refusal changed nothing, so the same key may try again.
//! The key names the change (the path and the body), not its precondition: a retry made
//! after the workstation learnt the bank's version by a pull carries another `If-Match`
//! and still gets the first answer.
//!
//! In the enforcing mode (a directory configured) a case version and a message pass
//! through [`crate::review`] inside that same transaction, before anything is stored: the
//! signed statement is judged by [`crate::workflow::judge`] on the facts gathered, and the
//! review is updated with the version it let in.

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Path as UrlPath, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::Router;
use rusqlite::Connection;
use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};
use uw_bank_link::api::{
    self, CaseAck, CaseMessage, IncomeRecord, MessageAck, OfficialIncome, PledgeState, Portfolio,
    Queue, VersionMismatch, IDEMPOTENCY_KEY,
};

use crate::db;
use crate::faults::{Dice, Faults, Plan};
use crate::review;
use crate::{SimConfig, SimError};

/// The largest request body accepted (a case file is a few kilobytes).
const MAX_REQUEST: usize = 4 * 1024 * 1024;

pub struct Sim {
    conn: Mutex<Connection>,
    /// Requests received (the tests time their interruptions by it).
    requests: std::sync::atomic::AtomicU64,
    token: String,
    pub(crate) pledge_delay: Duration,
    faults: Mutex<(Faults, Dice)>,
    /// The enforcing mode's directory (None: standalone).
    directory: Option<uw_directory::Directory>,
}

/// An answer: kept as text so that it can be remembered and replayed byte for byte.
#[derive(Clone, Debug)]
pub struct Reply {
    status: StatusCode,
    etag: Option<String>,
    body: String,
}

impl Reply {
    pub(crate) fn json(status: StatusCode, body: &impl serde::Serialize) -> Reply {
        Reply {
            status,
            etag: None,
            body: serde_json::to_string(body).unwrap_or_else(|_| "{}".into()),
        }
    }

    /// JSON text kept as it is (a stored report served byte for byte).
    pub(crate) fn raw_json(status: StatusCode, body: String) -> Reply {
        Reply {
            status,
            etag: None,
            body,
        }
    }

    /// Whether it says the change was made (2xx).
    pub(crate) fn is_success(&self) -> bool {
        self.status.is_success()
    }

    pub(crate) fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Reply {
        Reply::json(
            status,
            &api::ApiError {
                code: code.into(),
                message: message.into(),
            },
        )
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let mut r = (self.status, self.body).into_response();
        r.headers_mut()
            .insert("Content-Type", HeaderValue::from_static("application/json"));
        if let Some(tag) = self.etag.and_then(|t| HeaderValue::from_str(&t).ok()) {
            r.headers_mut().insert("ETag", tag);
        }
        r
    }
}

/// A JSON body, or the 422 that names what is wrong with it.
pub(crate) fn parse_body<T: serde::de::DeserializeOwned>(
    body: &[u8],
    code: &str,
) -> Result<T, Reply> {
    serde_json::from_slice(body).map_err(|e| {
        Reply::error(
            StatusCode::UNPROCESSABLE_ENTITY,
            code,
            format!("the body: {e}"),
        )
    })
}

pub(crate) fn storage(e: rusqlite::Error) -> Reply {
    Reply::error(StatusCode::INTERNAL_SERVER_ERROR, "STORAGE", e.to_string())
}

pub(crate) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

impl Sim {
    pub fn new(
        conn: Mutex<Connection>,
        config: &SimConfig,
        directory: Option<uw_directory::Directory>,
    ) -> Sim {
        Sim {
            conn,
            requests: std::sync::atomic::AtomicU64::new(0),
            token: config.token.clone(),
            pledge_delay: config.pledge_delay,
            faults: Mutex::new((config.faults.clone(), Dice::new(config.faults.seed))),
            directory,
        }
    }

    /// The directory of the enforcing mode; None when the bank runs standalone.
    pub(crate) fn directory(&self) -> Option<&uw_directory::Directory> {
        self.directory.as_ref()
    }

    pub(crate) fn db(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn requests(&self) -> u64 {
        self.requests.load(std::sync::atomic::Ordering::SeqCst)
    }

    pub fn set_faults(&self, f: Faults) {
        let dice = Dice::new(f.seed);
        *self.faults.lock().unwrap_or_else(|p| p.into_inner()) = (f, dice);
    }

    fn faults(&self) -> Faults {
        self.faults
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .0
            .clone()
    }

    /// What happens to a request for `path` (nothing, outside the faults' `only` prefix).
    fn plan(&self, path: &str) -> (Plan, u64) {
        let mut g = self.faults.lock().unwrap_or_else(|p| p.into_inner());
        let (f, dice) = &mut *g;
        if f.only
            .as_deref()
            .is_some_and(|prefix| !path.starts_with(prefix))
        {
            return (Plan::default(), 0);
        }
        (dice.plan(f), f.latency_ms)
    }

    pub fn digest(&self) -> db::Digest {
        db::digest(&self.db()).unwrap_or(db::Digest {
            cases: Default::default(),
            versions: -1,
            messages: -1,
            idempotency_keys: -1,
            pledge_requests: -1,
            orders: Default::default(),
        })
    }

    /// Makes a change at most once per Idempotency-Key. `duplicate` replays the request
    /// as a network that repeats it would.
    pub(crate) fn mutate(
        &self,
        headers: &HeaderMap,
        fingerprint_of: &[&[u8]],
        duplicate: bool,
        change: impl Fn(&rusqlite::Transaction) -> rusqlite::Result<Reply>,
    ) -> Reply {
        let Some(key) = headers
            .get(IDEMPOTENCY_KEY)
            .and_then(|k| k.to_str().ok())
            .map(str::trim)
            .filter(|k| !k.is_empty() && k.len() <= 200)
        else {
            return Reply::error(
                StatusCode::BAD_REQUEST,
                "IDEMPOTENCY_KEY_REQUIRED",
                "every change needs an Idempotency-Key header (1 to 200 characters)",
            );
        };
        let mut h = Sha256::new();
        for part in fingerprint_of {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part);
        }
        let fingerprint: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
        let once = || -> rusqlite::Result<Reply> {
            let mut conn = self.db();
            let tx = conn.transaction()?;
            if let Some(first) = db::idempotent_answer(&tx, key)? {
                if first.fingerprint != fingerprint {
                    return Ok(Reply::error(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "IDEMPOTENCY_KEY_REUSED",
                        format!("the Idempotency-Key {key} was used for another request"),
                    ));
                }
                return Ok(Reply {
                    status: StatusCode::from_u16(first.status)
                        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                    etag: first.etag,
                    body: first.body,
                });
            }
            let reply = change(&tx)?;
            if !reply.status.is_success() {
                // Nothing was done (a stale If-Match, a malformed body): a later request
                // under this key, made after the cause is cleared, is a first attempt.
                return Ok(reply);
            }
            db::remember_answer(
                &tx,
                key,
                &db::Stored {
                    status: reply.status.as_u16(),
                    fingerprint: fingerprint.clone(),
                    etag: reply.etag.clone(),
                    body: reply.body.clone(),
                },
                &now(),
            )?;
            tx.commit()?;
            Ok(reply)
        };
        let mut reply = once();
        if duplicate {
            reply = once();
        }
        reply.unwrap_or_else(|e| {
            Reply::error(StatusCode::INTERNAL_SERVER_ERROR, "STORAGE", e.to_string())
        })
    }
}

pub fn router(sim: Arc<Sim>) -> Router {
    let bank = Router::new()
        .route("/v1/queue", get(queue))
        .route("/v1/cases/{id}", put(put_case).get(get_case))
        .route("/v1/cases/{id}/messages", post(post_message))
        .route("/v1/cases/{id}/signoffs", post(review::sign_off))
        .route("/v1/cases/{id}/notes", post(crate::notes::post_note))
        .route(
            "/v1/cases/{id}/conditions",
            post(crate::conditions::post_condition),
        )
        .route(
            "/v1/cases/{id}/assignment",
            post(crate::assignment::post_assignment),
        )
        .route("/v1/staff/{staff_id}/keys", post(review::enrol))
        .route(
            "/v1/staff/{staff_id}/keys/current",
            get(review::current_key),
        )
        .route("/v1/inbox", get(review::inbox))
        .route("/v1/audit-heads", post(crate::anchors::post_head))
        .route(
            "/v1/audit-heads/{workstation}",
            get(crate::anchors::get_anchor),
        )
        .route("/v1/portfolio", get(portfolio))
        .route("/v1/pledges/{vin}", get(pledge))
        .route("/v1/pledges/{vin}/requests", post(request_pledge))
        .route("/v1/income/{pinfl}", get(income))
        .route("/v1/identity/{pinfl}", get(crate::registers::identity))
        .route("/v1/bureau/{pinfl}", get(crate::registers::bureau))
        .layer(middleware::from_fn_with_state(sim.clone(), disturb));
    let control = Router::new()
        .route("/_sim/faults", get(get_faults).put(put_faults))
        .route("/_sim/digest", get(digest))
        .route("/_sim/pledges/{vin}", put(put_pledge))
        .route("/_sim/loan-book/{branch}", put(put_book))
        .route(
            "/_sim/identity/{pinfl}",
            put(crate::registers::put_identity),
        )
        .route("/_sim/bureau/{pinfl}", put(crate::registers::put_bureau))
        .route("/_sim/income/{pinfl}", put(crate::registers::put_income));
    bank.merge(control)
        .fallback(|| async { Reply::error(StatusCode::NOT_FOUND, "NOT_FOUND", "no such route") })
        .layer(middleware::from_fn_with_state(sim.clone(), authorise))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_REQUEST))
        .with_state(sim)
}

async fn authorise(State(sim): State<Arc<Sim>>, req: Request, next: Next) -> Response {
    sim.requests
        .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let expected = format!("Bearer {}", sim.token);
    let ok = req
        .headers()
        .get("Authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == expected);
    if !ok {
        return Reply::error(
            StatusCode::UNAUTHORIZED,
            "UNAUTHORIZED",
            "a valid bearer token is required",
        )
        .into_response();
    }
    next.run(req).await
}

#[derive(Clone, Copy)]
pub(crate) struct Duplicate(bool);

/// The faults of [`Faults`], applied around the bank's routes.
async fn disturb(State(sim): State<Arc<Sim>>, mut req: Request, next: Next) -> Response {
    let (plan, latency) = sim.plan(req.uri().path());
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    if plan.fail {
        return Reply::error(
            StatusCode::SERVICE_UNAVAILABLE,
            "UNAVAILABLE",
            "the core bank is busy (injected failure)",
        )
        .into_response();
    }
    req.extensions_mut().insert(Duplicate(plan.duplicate));
    let resp = next.run(req).await;
    let (parts, body) = resp.into_parts();
    use futures_util::stream;
    let spoiled = if plan.reset {
        // Committed, and the answer never arrives whole: the headers go out, then the
        // connection is cut.
        Body::from_stream(stream::once(async {
            Err::<Bytes, _>(std::io::Error::other("connection reset (injected)"))
        }))
    } else if plan.wrong_json {
        Body::from("<html>Gateway says hello</html>")
    } else if plan.huge_body {
        let chunk = Bytes::from(vec![b' '; 1024 * 1024]);
        Body::from_stream(stream::iter(
            (0..64).map(move |_| Ok::<_, std::io::Error>(chunk.clone())),
        ))
    } else if plan.drip {
        let Ok(bytes) = axum::body::to_bytes(body, MAX_REQUEST).await else {
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        };
        Body::from_stream(stream::unfold(0usize, move |i| {
            let bytes = bytes.clone();
            async move {
                if i >= bytes.len() {
                    return None;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
                Some((Ok::<_, std::io::Error>(bytes.slice(i..i + 1)), i + 1))
            }
        }))
    } else {
        body
    };
    let mut resp = Response::from_parts(parts, spoiled);
    if plan.reset || plan.huge_body || plan.drip || plan.wrong_json {
        resp.headers_mut().remove("Content-Length");
    }
    resp
}

pub(crate) fn duplicate(req_ext: Option<axum::Extension<Duplicate>>) -> bool {
    req_ext.is_some_and(|d| d.0 .0)
}

#[derive(serde::Deserialize)]
struct QueueParams {
    branch: Option<String>,
    assignee: Option<String>,
}

async fn queue(State(sim): State<Arc<Sim>>, Query(q): Query<QueueParams>) -> Reply {
    let conn = sim.db();
    let read = || -> rusqlite::Result<Vec<api::RemoteCase>> {
        let mut cases = db::queue(&conn, q.branch.as_deref(), q.assignee.as_deref())?;
        if sim.directory().is_some() {
            review::with_workflow(&conn, &mut cases)?;
        }
        crate::notes::with_notes(&conn, &mut cases)?;
        crate::conditions::with_conditions(&conn, &mut cases)?;
        Ok(cases)
    };
    match read() {
        Ok(applications) => Reply::json(
            StatusCode::OK,
            &Queue {
                date: chrono::Utc::now().date_naive().to_string(),
                applications,
            },
        ),
        Err(e) => storage(e),
    }
}

async fn get_case(State(sim): State<Arc<Sim>>, UrlPath(id): UrlPath<String>) -> Reply {
    let conn = sim.db();
    let read = || -> rusqlite::Result<Option<api::RemoteCase>> {
        let Some(case) = db::case(&conn, &id)? else {
            return Ok(None);
        };
        let mut cases = [case];
        if sim.directory().is_some() {
            review::with_workflow(&conn, &mut cases)?;
        }
        crate::notes::with_notes(&conn, &mut cases)?;
        crate::conditions::with_conditions(&conn, &mut cases)?;
        let [case] = cases;
        Ok(Some(case))
    };
    match read() {
        Ok(Some(c)) => {
            let mut r = Reply::json(StatusCode::OK, &c);
            r.etag = Some(api::etag(c.version));
            r
        }
        Ok(None) => Reply::error(StatusCode::NOT_FOUND, "NOT_FOUND", format!("no case {id}")),
        Err(e) => storage(e),
    }
}

/// What a case version must be: a JSON object whose `case_id` is the one in the path.
fn check_case(id: &str, body: &[u8]) -> Result<String, Reply> {
    let bad = |m: String| Reply::error(StatusCode::UNPROCESSABLE_ENTITY, "INVALID_CASE", m);
    let text = std::str::from_utf8(body).map_err(|_| bad("the body is not UTF-8".into()))?;
    let value: Value = serde_json::from_str(text).map_err(|e| bad(format!("the body: {e}")))?;
    match value.get("case_id").and_then(Value::as_str) {
        Some(c) if c == id => {}
        Some(c) => return Err(bad(format!("case_id: {c} in a version of {id}"))),
        None => return Err(bad("case_id: missing".into())),
    }
    if value.get("branch").and_then(Value::as_str).is_none() {
        return Err(bad("branch: missing".into()));
    }
    Ok(text.to_string())
}

async fn put_case(
    State(sim): State<Arc<Sim>>,
    UrlPath(id): UrlPath<String>,
    dup: Option<axum::Extension<Duplicate>>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let if_match = headers.get("If-Match").and_then(|v| v.to_str().ok());
    let if_none = headers.get("If-None-Match").and_then(|v| v.to_str().ok());
    // The key names the change (this content for this case), not its precondition: a
    // retry made after the workstation learnt the bank's version by other means carries
    // another If-Match and must still get the first answer.
    // The statement and the justification are part of the request (a standalone request
    // without them keeps the fingerprint it always had).
    let mut fingerprint: Vec<&[u8]> = vec![b"PUT".as_slice(), id.as_bytes(), &body];
    for name in [
        api::STATEMENT_HEADER,
        api::JUSTIFICATION_HEADER,
        api::PROPOSAL_HEADER,
    ] {
        if let Some(v) = headers.get(name) {
            fingerprint.extend([name.as_bytes(), v.as_bytes()]);
        }
    }
    let base: Option<Option<i64>> = match (if_match, if_none) {
        (Some(m), _) => match api::parse_etag(m) {
            Some(v) => Some(Some(v)),
            None => {
                return Reply::error(
                    StatusCode::BAD_REQUEST,
                    "BAD_IF_MATCH",
                    format!("If-Match: {m:?} names no version"),
                )
            }
        },
        (None, Some("*")) => Some(None),
        _ => None,
    };
    let Some(base) = base else {
        return Reply::error(
            StatusCode::PRECONDITION_REQUIRED,
            "PRECONDITION_REQUIRED",
            "a case version needs If-Match (the version it was made from) or If-None-Match: * (a new case)",
        );
    };
    let asked = review::ask_for_version(&sim, &headers).await;
    sim.mutate(&headers, &fingerprint, duplicate(dup), |tx| {
        let text = match check_case(&id, &body) {
            Ok(t) => t,
            Err(reply) => return Ok(reply),
        };
        // A new case may not be an existing one spelt in other letter case.
        if base.is_none() {
            let existing = db::case_id_but_for_case(tx, &id)?;
            if let Err(r) = crate::workflow::check_new_case_id(&id, existing.as_deref()) {
                return Ok(review::refuse(r));
            }
        }
        // The enforcing mode: the author's signed statement, judged before anything else.
        let admitted = match &asked {
            Some(asked) => match review::admit_version(tx, &id, &text, &headers, asked)? {
                Ok(a) => Some(a),
                Err(reply) => return Ok(reply),
            },
            None => None,
        };
        let current = db::case(tx, &id)?;
        let held = current.as_ref().map(|c| c.version);
        if held != base {
            let Some(current) = current else {
                return Ok(Reply::error(
                    StatusCode::PRECONDITION_FAILED,
                    "NOT_FOUND",
                    format!("case {id} does not exist at the bank"),
                ));
            };
            return Ok(Reply::json(
                StatusCode::PRECONDITION_FAILED,
                &VersionMismatch {
                    code: "VERSION_MISMATCH".into(),
                    message: format!(
                        "case {id} is at version {} at the bank, not {}",
                        current.version,
                        base.map_or("absent".into(), |b| b.to_string())
                    ),
                    current,
                },
            ));
        }
        let version = held.unwrap_or(0) + 1;
        let at = now();
        let hash = db::put_case(tx, &id, version, &text, &at)?;
        if let Some(admitted) = admitted {
            let stored = crate::workflow::Held {
                version,
                hash: hash.clone(),
                stored_at: at.clone(),
                case: serde_json::from_str(&text).unwrap_or_default(),
            };
            admitted.record(tx, &id, stored, &at)?;
        }
        let status = if version == 1 {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        };
        let mut r = Reply::json(
            status,
            &CaseAck {
                case_id: id.clone(),
                version,
                hash,
            },
        );
        r.etag = Some(api::etag(version));
        Ok(r)
    })
}

async fn post_message(
    State(sim): State<Arc<Sim>>,
    UrlPath(id): UrlPath<String>,
    dup: Option<axum::Extension<Duplicate>>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let fingerprint = [b"POST messages".as_slice(), id.as_bytes(), &body];
    let delay = sim.pledge_delay;
    let asked = review::ask_for_message(&sim, &body).await;
    sim.mutate(&headers, &fingerprint, duplicate(dup), |tx| {
        let msg: CaseMessage = match parse_body(&body, "INVALID_MESSAGE") {
            Ok(v) => v,
            Err(reply) => return Ok(reply),
        };
        if db::case(tx, &id)?.is_none() {
            return Ok(Reply::error(
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                format!("no case {id}"),
            ));
        }
        // The enforcing mode: sign-offs come as statements; an order carries its own.
        let signed = match &asked {
            Some(asked) => match review::admit_message(tx, &id, &msg, asked)? {
                Ok(s) => Some(s),
                Err(reply) => return Ok(reply),
            },
            None => None,
        };
        if let Some(refusal) = final_payment_refusal(tx, &msg, delay)? {
            return Ok(refusal);
        }
        if let Some(refusal) = crate::conditions::order_refusal(tx, &id, &msg)? {
            return Ok(refusal);
        }
        let text = serde_json::to_string(&msg).unwrap_or_default();
        let at = now();
        let mid = db::add_message(tx, msg.kind.as_str(), Some(&id), &text, &at)?;
        if let Some(signed) = signed {
            review::log_order(tx, &signed, &at)?;
        }
        Ok(Reply::json(StatusCode::CREATED, &MessageAck { id: mid }))
    })
}

/// The core bank's own check (passport §9: "VIN lien checked in the Pledge Registry
/// before the final payment"): a stage-2 order for a VIN without the bank's registered
/// prohibition is refused.
fn final_payment_refusal(
    tx: &rusqlite::Transaction,
    msg: &CaseMessage,
    delay: Duration,
) -> rusqlite::Result<Option<Reply>> {
    if msg.kind != api::MessageKind::DisbursementOrder
        || msg.body.get("stage").and_then(|s| s.as_u64()) != Some(2)
    {
        return Ok(None);
    }
    let Some(vin) = msg.body.get("vin").and_then(|v| v.as_str()) else {
        return Ok(Some(Reply::error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "INVALID_MESSAGE",
            "body.vin: a stage-2 order names the vehicle's VIN",
        )));
    };
    let p = db::pledge(tx, &vin.to_uppercase(), chrono::Utc::now(), delay)?;
    Ok((p.status != PledgeState::Registered).then(|| {
        Reply::error(
            StatusCode::CONFLICT,
            "LIEN_NOT_REGISTERED",
            format!(
                "{vin}: no prohibition in the bank's favour is registered; the final payment waits"
            ),
        )
    }))
}

async fn portfolio(State(sim): State<Arc<Sim>>) -> Reply {
    match db::portfolio(&sim.db()) {
        Ok(branches) => Reply::json(StatusCode::OK, &Portfolio { branches }),
        Err(e) => storage(e),
    }
}

fn valid_vin(vin: &str) -> bool {
    vin.len() == 17 && vin.bytes().all(|b| b.is_ascii_alphanumeric())
}

async fn pledge(State(sim): State<Arc<Sim>>, UrlPath(vin): UrlPath<String>) -> Reply {
    let vin = vin.to_uppercase();
    if !valid_vin(&vin) {
        return Reply::error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "INVALID_VIN",
            format!("vin: {vin:?} is not 17 letters and digits"),
        );
    }
    match db::pledge(&sim.db(), &vin, chrono::Utc::now(), sim.pledge_delay) {
        Ok(p) => Reply::json(StatusCode::OK, &p),
        Err(e) => storage(e),
    }
}

/// A request for a prohibition in the bank's favour. Asking again while one is requested
/// or registered answers the same state and files nothing new.
async fn request_pledge(
    State(sim): State<Arc<Sim>>,
    UrlPath(vin): UrlPath<String>,
    dup: Option<axum::Extension<Duplicate>>,
    headers: HeaderMap,
) -> Reply {
    let vin = vin.to_uppercase();
    if !valid_vin(&vin) {
        return Reply::error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "INVALID_VIN",
            format!("vin: {vin:?} is not 17 letters and digits"),
        );
    }
    let fingerprint = [b"POST pledge".as_slice(), vin.as_bytes()];
    let delay = sim.pledge_delay;
    sim.mutate(&headers, &fingerprint, duplicate(dup), |tx| {
        let p = db::pledge(tx, &vin, chrono::Utc::now(), delay)?;
        match p.status {
            PledgeState::Foreign => Ok(Reply::error(
                StatusCode::CONFLICT,
                "FOREIGN_PLEDGE",
                format!(
                    "{vin} is under a prohibition of {}: it must be released first",
                    p.creditor.as_deref().unwrap_or("another creditor")
                ),
            )),
            PledgeState::Requested | PledgeState::Registered => Ok(Reply::json(StatusCode::OK, &p)),
            PledgeState::None | PledgeState::Released => {
                db::set_pledge(tx, &vin, PledgeState::Requested, None, &now())?;
                db::file_pledge_request(tx, &vin, &now())?;
                let p = db::pledge(tx, &vin, chrono::Utc::now(), delay)?;
                Ok(Reply::json(StatusCode::ACCEPTED, &p))
            }
        }
    })
}

async fn income(State(sim): State<Arc<Sim>>, UrlPath(pinfl): UrlPath<String>) -> Reply {
    if pinfl.len() != 14 || !pinfl.bytes().all(|b| b.is_ascii_digit()) {
        return Reply::error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "INVALID_PINFL",
            format!("pinfl: {pinfl:?} is not 14 digits"),
        );
    }
    match crate::registers::income_answer(&sim.db(), &pinfl) {
        Ok(Some(answer)) => return Reply::raw_json(StatusCode::OK, answer),
        Ok(None) => {}
        Err(e) => return storage(e),
    }
    match db::official_income(&sim.db(), &pinfl) {
        Ok(records) if records.is_empty() => Reply::error(
            StatusCode::NOT_FOUND,
            "NO_INCOME_RECORD",
            format!("no salary or pension is recorded for {pinfl}"),
        ),
        Ok(records) => Reply::json(StatusCode::OK, &OfficialIncome { pinfl, records }),
        Err(e) => storage(e),
    }
}

async fn get_faults(State(sim): State<Arc<Sim>>) -> Reply {
    Reply::json(StatusCode::OK, &sim.faults())
}

async fn put_faults(State(sim): State<Arc<Sim>>, body: Bytes) -> Reply {
    match parse_body::<Faults>(&body, "INVALID_FAULTS") {
        Ok(f) => {
            sim.set_faults(f.clone());
            Reply::json(StatusCode::OK, &f)
        }
        Err(reply) => reply,
    }
}

async fn digest(State(sim): State<Arc<Sim>>) -> Reply {
    Reply::json(StatusCode::OK, &sim.digest())
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SetPledge {
    status: PledgeState,
    creditor: Option<String>,
}

async fn put_pledge(
    State(sim): State<Arc<Sim>>,
    UrlPath(vin): UrlPath<String>,
    body: Bytes,
) -> Reply {
    let set: SetPledge = match parse_body(&body, "INVALID_PLEDGE") {
        Ok(v) => v,
        Err(reply) => return reply,
    };
    let vin = vin.to_uppercase();
    match db::set_pledge(&sim.db(), &vin, set.status, set.creditor.as_deref(), &now()) {
        Ok(()) => Reply::json(StatusCode::OK, &json!({"vin": vin})),
        Err(e) => storage(e),
    }
}

async fn put_book(
    State(sim): State<Arc<Sim>>,
    UrlPath(branch): UrlPath<String>,
    body: Bytes,
) -> Reply {
    let book: uw_bank_link::api::BranchBook = match parse_body(&body, "INVALID_BOOK") {
        Ok(v) => v,
        Err(reply) => return reply,
    };
    if let Err(why) = check_book(&book) {
        return Reply::error(StatusCode::UNPROCESSABLE_ENTITY, "INVALID_BOOK", why);
    }
    match db::set_book(&sim.db(), &branch, &book) {
        Ok(()) => Reply::json(StatusCode::OK, &json!({"branch": branch})),
        Err(e) => storage(e),
    }
}

/// A book's amounts are decimal text, none negative, no part above the portfolio.
pub fn check_book(b: &uw_bank_link::api::BranchBook) -> Result<(), String> {
    let amount = |name: &str, text: &str| {
        text.parse::<rust_decimal::Decimal>()
            .ok()
            .filter(|d| !d.is_sign_negative())
            .ok_or_else(|| format!("{name}: {text:?} is not a non-negative decimal"))
    };
    let portfolio = amount("portfolio", &b.portfolio)?;
    for (name, text) in [
        ("past_due_30", &b.past_due_30),
        ("npl", &b.npl),
        ("credit_losses_12m", &b.credit_losses_12m),
    ] {
        if amount(name, text)? > portfolio && name != "credit_losses_12m" {
            return Err(format!(
                "{name}: {text} is more than the portfolio {portfolio}"
            ));
        }
    }
    chrono::NaiveDate::parse_from_str(&b.as_of, "%Y-%m-%d")
        .map_err(|_| format!("as_of: {:?} is not a date YYYY-MM-DD", b.as_of))?;
    Ok(())
}

/// Loads a loan-book file: a JSON array of `{branch, book}`.
pub fn seed_books(conn: &Connection, path: &Path) -> Result<(), SimError> {
    let err = |message: String| SimError::Seed {
        path: path.to_path_buf(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
    let lines: Vec<uw_bank_link::api::BookLine> =
        serde_json::from_str(&text).map_err(|e| err(e.to_string()))?;
    for (i, l) in lines.iter().enumerate() {
        check_book(&l.book).map_err(|why| err(format!("[{i}].book.{why}")))?;
        db::set_book(conn, &l.branch, &l.book).map_err(|e| err(e.to_string()))?;
    }
    Ok(())
}

/// Puts the case files of `dir` in the queue (those not there yet) and their parties'
/// declared salaries and pensions into the official income records.
pub fn seed(conn: &Connection, dir: &Path) -> Result<(), SimError> {
    let err = |path: &Path, message: String| SimError::Seed {
        path: path.to_path_buf(),
        message,
    };
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| err(dir, e.to_string()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    for path in files {
        let text = std::fs::read_to_string(&path).map_err(|e| err(&path, e.to_string()))?;
        let value: Value = serde_json::from_str(&text).map_err(|e| err(&path, e.to_string()))?;
        let id = value["case_id"]
            .as_str()
            .ok_or_else(|| err(&path, "case_id: missing".into()))?;
        check_case(id, text.as_bytes()).map_err(|r| err(&path, r.body))?;
        let at = now();
        let tx = conn
            .unchecked_transaction()
            .map_err(|e| err(&path, e.to_string()))?;
        let existing = db::case_id_but_for_case(&tx, id).map_err(|e| err(&path, e.to_string()))?;
        crate::workflow::check_new_case_id(id, existing.as_deref())
            .map_err(|r| err(&path, format!("{}: {}", r.code(), r.message)))?;
        if db::case(&tx, id)
            .map_err(|e| err(&path, e.to_string()))?
            .is_none()
        {
            db::put_case(&tx, id, 1, &text, &at).map_err(|e| err(&path, e.to_string()))?;
        }
        for party in value["parties"].as_array().into_iter().flatten() {
            crate::registers::seed_party(&tx, party, &at[..10]).map_err(|e| err(&path, e))?;
            let Some(pinfl) = party["pinfl"].as_str() else {
                continue;
            };
            for inc in party["incomes"].as_array().into_iter().flatten() {
                let kind = inc["kind"].as_str().unwrap_or("");
                if kind != "salary" && kind != "pension" {
                    continue;
                }
                let payer = inc["employer"]
                    .as_str()
                    .unwrap_or("Pension Fund")
                    .to_string();
                for (month, amount) in inc["months"].as_object().into_iter().flatten() {
                    let record = IncomeRecord {
                        month: month.clone(),
                        kind: kind.to_string(),
                        payer: payer.clone(),
                        payer_inn: None,
                        amount: amount.as_str().unwrap_or("0").to_string(),
                    };
                    db::add_income(&tx, pinfl, &record).map_err(|e| err(&path, e.to_string()))?;
                }
            }
        }
        tx.commit().map_err(|e| err(&path, e.to_string()))?;
    }
    Ok(())
}

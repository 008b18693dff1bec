//! The simulated bank's own database. The workstation's invariant "only uw-store touches
//! SQLite" is about the workstation; this file stands for the bank's systems, which keep
//! their own records and share nothing with the workstation but the HTTP API.

use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use rust_decimal::Decimal;
use uw_bank_link::api::{
    content_hash, BranchBook, BranchFigures, Decided, IncomeRecord, PledgeState, PledgeStatus,
    RemoteCase, SignedStatement, StaffKey, Submission,
};

use crate::workflow::{CaseReview, Held, Stage};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS cases (
    case_id    TEXT PRIMARY KEY NOT NULL,
    version    INTEGER NOT NULL,
    case_json  TEXT NOT NULL,
    hash       TEXT NOT NULL,
    branch     TEXT NOT NULL,
    assignee   TEXT,
    updated_at TEXT NOT NULL
) STRICT;
-- Every version ever accepted, so that nothing one side wrote is lost to the other.
CREATE TABLE IF NOT EXISTS case_versions (
    case_id     TEXT NOT NULL,
    version     INTEGER NOT NULL,
    case_json   TEXT NOT NULL,
    hash        TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (case_id, version)
) STRICT;
-- Decisions, review sign-offs, disbursement orders (audit chain heads: anchors.rs).
CREATE TABLE IF NOT EXISTS messages (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    case_id     TEXT,
    body        TEXT NOT NULL,
    received_at TEXT NOT NULL
) STRICT;
-- The first answer to every Idempotency-Key, replayed to any repeat.
CREATE TABLE IF NOT EXISTS idempotency (
    key         TEXT PRIMARY KEY NOT NULL,
    fingerprint TEXT NOT NULL,
    status      INTEGER NOT NULL,
    etag        TEXT,
    body        TEXT NOT NULL,
    at          TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS pledges (
    vin           TEXT PRIMARY KEY NOT NULL,
    status        TEXT NOT NULL,
    creditor      TEXT,
    requested_at  TEXT,
    registered_at TEXT,
    released_at   TEXT
) STRICT;
-- Every prohibition the registry was asked to file (a repeat of a request files none).
CREATE TABLE IF NOT EXISTS pledge_requests (
    id  INTEGER PRIMARY KEY,
    vin TEXT NOT NULL,
    at  TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS official_income (
    pinfl     TEXT NOT NULL,
    month     TEXT NOT NULL,
    kind      TEXT NOT NULL,
    payer     TEXT NOT NULL,
    payer_inn TEXT,
    amount    TEXT NOT NULL,
    PRIMARY KEY (pinfl, month, kind, payer)
) STRICT;
-- Each branch's auto-loan book (decimal text), for the product stop.
CREATE TABLE IF NOT EXISTS loan_book (
    branch            TEXT PRIMARY KEY NOT NULL,
    portfolio         TEXT NOT NULL,
    past_due_30       TEXT NOT NULL,
    npl               TEXT NOT NULL,
    credit_losses_12m TEXT NOT NULL,
    as_of             TEXT NOT NULL
) STRICT;
";

/// The enforcing mode's records (dual-review.md): the people's keys, each case's review,
/// everyone who shaped a case, every statement accepted. A bank without a directory
/// leaves them empty.
const REVIEW_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS staff_keys (
    id          INTEGER PRIMARY KEY,
    staff_id    TEXT NOT NULL,
    algorithm   TEXT NOT NULL,
    public_key  TEXT NOT NULL,
    enrolled_at TEXT NOT NULL,
    revoked_at  TEXT
) STRICT;
-- One current key per person.
CREATE UNIQUE INDEX IF NOT EXISTS staff_keys_current ON staff_keys (staff_id) WHERE revoked_at IS NULL;
CREATE TABLE IF NOT EXISTS case_workflow (
    case_id             TEXT PRIMARY KEY NOT NULL,
    stage               TEXT NOT NULL
                        CHECK (stage IN ('draft', 'submitted', 'returned', 'approved', 'rejected')),
    maker               TEXT,
    submitted_version   INTEGER,
    submitted_hash      TEXT,
    submitted_statement TEXT,
    justification       TEXT,
    proposal            TEXT,
    decided_action      TEXT,
    decided_signer      TEXT,
    decided_signed_at   TEXT,
    decided_accepted_at TEXT,
    decided_comment     TEXT
) STRICT;
-- Everyone who signed an edit or submit of any version of a case: never cleared.
CREATE TABLE IF NOT EXISTS case_editors (
    case_id  TEXT NOT NULL,
    staff_id TEXT NOT NULL,
    PRIMARY KEY (case_id, staff_id)
) STRICT;
-- Every statement the bank accepted, as signed, with the bank's version it made (if any).
-- `signature` is the signature's canonical base64: a statement counts once (the unique
-- index is made in `open`, after an older file has gained the column).
CREATE TABLE IF NOT EXISTS statements (
    id           INTEGER PRIMARY KEY,
    case_id      TEXT NOT NULL,
    action       TEXT NOT NULL,
    signer       TEXT NOT NULL,
    signed_at    TEXT NOT NULL,
    bank_version INTEGER,
    statement    TEXT NOT NULL,
    accepted_at  TEXT NOT NULL,
    signature    TEXT
) STRICT;
";

/// A file made before statements were unique gains their signatures (the first of any
/// repeated one) and the index that keeps them unique.
const STATEMENTS_ONCE: &str = "
ALTER TABLE statements ADD COLUMN signature TEXT;
UPDATE statements SET signature = json_extract(statement, '$.signature')
 WHERE id IN (SELECT min(id) FROM statements GROUP BY json_extract(statement, '$.signature'));
";

/// Case ids compared without regard to letter case, as the workstation's store does.
const CASE_ID_NOCASE: &str = "
CREATE INDEX IF NOT EXISTS cases_case_id_nocase ON cases (case_id COLLATE NOCASE);
";

pub fn open(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // The bank's side survives a crash of its process in WAL mode at NORMAL; what the
    // tests kill is the workstation.
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.execute_batch(SCHEMA)?;
    conn.execute_batch(REVIEW_SCHEMA)?;
    let has_signature = conn
        .prepare("SELECT 1 FROM pragma_table_info('statements') WHERE name = 'signature'")?
        .exists([])?;
    if !has_signature {
        conn.execute_batch(STATEMENTS_ONCE)?;
    }
    conn.execute_batch(
        "CREATE UNIQUE INDEX IF NOT EXISTS statements_signature ON statements (signature);",
    )?;
    conn.execute_batch(CASE_ID_NOCASE)?;
    conn.execute_batch(crate::registers::SCHEMA)?;
    conn.execute_batch(crate::anchors::SCHEMA)?;
    conn.execute_batch(crate::notes::SCHEMA)?;
    conn.execute_batch(crate::conditions::SCHEMA)?;
    conn.execute_batch(crate::assignment::SCHEMA)?;
    Ok(conn)
}

pub struct Stored {
    pub status: u16,
    pub fingerprint: String,
    pub etag: Option<String>,
    pub body: String,
}

pub fn idempotent_answer(tx: &Transaction, key: &str) -> rusqlite::Result<Option<Stored>> {
    tx.query_row(
        "SELECT status, fingerprint, etag, body FROM idempotency WHERE key = ?1",
        [key],
        |r| {
            Ok(Stored {
                status: r.get(0)?,
                fingerprint: r.get(1)?,
                etag: r.get(2)?,
                body: r.get(3)?,
            })
        },
    )
    .optional()
}

pub fn remember_answer(
    tx: &Transaction,
    key: &str,
    answer: &Stored,
    at: &str,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO idempotency (key, fingerprint, status, etag, body, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![key, answer.fingerprint, answer.status, answer.etag, answer.body, at],
    )?;
    Ok(())
}

fn remote_case(r: &rusqlite::Row) -> rusqlite::Result<RemoteCase> {
    let json: String = r.get(2)?;
    Ok(RemoteCase {
        case_id: r.get(0)?,
        version: r.get(1)?,
        hash: r.get(3)?,
        branch: r.get(4)?,
        assignee: r.get(5)?,
        case: serde_json::from_str(&json).unwrap_or(serde_json::Value::Null),
        workflow: None,
        notes: Vec::new(),
        conditions: Vec::new(),
    })
}

const CASE_COLUMNS: &str = "case_id, version, case_json, hash, branch, assignee";

pub fn case(conn: &Connection, case_id: &str) -> rusqlite::Result<Option<RemoteCase>> {
    conn.query_row(
        &format!("SELECT {CASE_COLUMNS} FROM cases WHERE case_id = ?1"),
        [case_id],
        remote_case,
    )
    .optional()
}

/// The id of a case the bank holds that equals `case_id` ignoring (ASCII) letter case but
/// is not exactly it.
pub fn case_id_but_for_case(conn: &Connection, case_id: &str) -> rusqlite::Result<Option<String>> {
    conn.query_row(
        "SELECT case_id FROM cases WHERE case_id = ?1 COLLATE NOCASE AND case_id <> ?1 \
         ORDER BY case_id LIMIT 1",
        [case_id],
        |r| r.get(0),
    )
    .optional()
}

/// The applications of a branch and/or assigned to an underwriter (all when neither).
pub fn queue(
    conn: &Connection,
    branch: Option<&str>,
    assignee: Option<&str>,
) -> rusqlite::Result<Vec<RemoteCase>> {
    let mut st = conn.prepare(&format!(
        "SELECT {CASE_COLUMNS} FROM cases WHERE (?1 IS NULL OR branch = ?1) \
         AND (?2 IS NULL OR assignee = ?2) ORDER BY case_id"
    ))?;
    let rows = st.query_map([branch, assignee], remote_case)?;
    rows.collect()
}

/// Assigns the unassigned cases to the underwriters in turn (the seeded demo queue).
pub fn assign_round_robin(conn: &Connection, users: &[String]) -> rusqlite::Result<()> {
    if users.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = conn
        .prepare("SELECT case_id FROM cases WHERE assignee IS NULL ORDER BY case_id")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for (i, id) in ids.iter().enumerate() {
        conn.execute(
            "UPDATE cases SET assignee = ?2 WHERE case_id = ?1",
            params![id, users[i % users.len()]],
        )?;
    }
    Ok(())
}

/// Stores a new version of a case (the first when `version` is 1).
pub fn put_case(
    tx: &Transaction,
    case_id: &str,
    version: i64,
    case_json: &str,
    at: &str,
) -> rusqlite::Result<String> {
    let value: serde_json::Value = serde_json::from_str(case_json).unwrap_or_default();
    let hash = content_hash(case_json).unwrap_or_default();
    let branch = value["branch"].as_str().unwrap_or("").to_string();
    tx.execute(
        "INSERT INTO cases (case_id, version, case_json, hash, branch, assignee, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, NULL, ?6) \
         ON CONFLICT (case_id) DO UPDATE SET version = excluded.version, case_json = excluded.case_json, \
         hash = excluded.hash, branch = excluded.branch, updated_at = excluded.updated_at",
        params![case_id, version, case_json, hash, branch, at],
    )?;
    tx.execute(
        "INSERT INTO case_versions (case_id, version, case_json, hash, received_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![case_id, version, case_json, hash, at],
    )?;
    Ok(hash)
}

pub fn add_message(
    tx: &Transaction,
    kind: &str,
    case_id: Option<&str>,
    body: &str,
    at: &str,
) -> rusqlite::Result<i64> {
    tx.execute(
        "INSERT INTO messages (kind, case_id, body, received_at) VALUES (?1, ?2, ?3, ?4)",
        params![kind, case_id, body, at],
    )?;
    Ok(tx.last_insert_rowid())
}

fn state_name(s: PledgeState) -> &'static str {
    match s {
        PledgeState::None => "none",
        PledgeState::Requested => "requested",
        PledgeState::Registered => "registered",
        PledgeState::Released => "released",
        PledgeState::Foreign => "foreign",
    }
}

fn parse_state(s: &str) -> PledgeState {
    match s {
        "requested" => PledgeState::Requested,
        "registered" => PledgeState::Registered,
        "released" => PledgeState::Released,
        "foreign" => PledgeState::Foreign,
        _ => PledgeState::None,
    }
}

/// A VIN's pledge as of `now`: a request older than `delay` has become a registration
/// (the registry's processing time).
pub fn pledge(
    conn: &Connection,
    vin: &str,
    now: chrono::DateTime<chrono::Utc>,
    delay: std::time::Duration,
) -> rusqlite::Result<PledgeStatus> {
    let row = conn
        .query_row(
            "SELECT status, creditor, requested_at, registered_at, released_at FROM pledges WHERE vin = ?1",
            [vin],
            |r| {
                Ok(PledgeStatus {
                    vin: vin.to_string(),
                    status: parse_state(&r.get::<_, String>(0)?),
                    creditor: r.get(1)?,
                    requested_at: r.get(2)?,
                    registered_at: r.get(3)?,
                    released_at: r.get(4)?,
                })
            },
        )
        .optional()?;
    let Some(mut p) = row else {
        return Ok(PledgeStatus {
            vin: vin.to_string(),
            status: PledgeState::None,
            creditor: None,
            requested_at: None,
            registered_at: None,
            released_at: None,
        });
    };
    if p.status == PledgeState::Requested {
        let due = p
            .requested_at
            .as_deref()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&chrono::Utc) + delay);
        if let Some(due) = due.filter(|d| *d <= now) {
            let at = due.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
            conn.execute(
                "UPDATE pledges SET status = 'registered', registered_at = ?2 WHERE vin = ?1",
                params![vin, at],
            )?;
            p.status = PledgeState::Registered;
            p.registered_at = Some(at);
        }
    }
    Ok(p)
}

pub fn set_pledge(
    conn: &Connection,
    vin: &str,
    status: PledgeState,
    creditor: Option<&str>,
    at: &str,
) -> rusqlite::Result<()> {
    let requested = (status == PledgeState::Requested).then_some(at);
    let registered = (status == PledgeState::Registered).then_some(at);
    let released = (status == PledgeState::Released).then_some(at);
    conn.execute(
        "INSERT INTO pledges (vin, status, creditor, requested_at, registered_at, released_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
         ON CONFLICT (vin) DO UPDATE SET status = excluded.status, creditor = excluded.creditor, \
         requested_at = coalesce(excluded.requested_at, pledges.requested_at), \
         registered_at = coalesce(excluded.registered_at, pledges.registered_at), \
         released_at = excluded.released_at",
        params![
            vin,
            state_name(status),
            creditor,
            requested,
            registered,
            released
        ],
    )?;
    Ok(())
}

pub fn file_pledge_request(conn: &Connection, vin: &str, at: &str) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO pledge_requests (vin, at) VALUES (?1, ?2)",
        params![vin, at],
    )?;
    Ok(())
}

pub fn official_income(conn: &Connection, pinfl: &str) -> rusqlite::Result<Vec<IncomeRecord>> {
    let mut st = conn.prepare(
        "SELECT month, kind, payer, payer_inn, amount FROM official_income WHERE pinfl = ?1 ORDER BY month, kind, payer",
    )?;
    let rows = st.query_map([pinfl], |r| {
        Ok(IncomeRecord {
            month: r.get(0)?,
            kind: r.get(1)?,
            payer: r.get(2)?,
            payer_inn: r.get(3)?,
            amount: r.get(4)?,
        })
    })?;
    rows.collect()
}

pub fn add_income(conn: &Connection, pinfl: &str, r: &IncomeRecord) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT OR IGNORE INTO official_income (pinfl, month, kind, payer, payer_inn, amount) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![pinfl, r.month, r.kind, r.payer, r.payer_inn, r.amount],
    )?;
    Ok(())
}

pub fn portfolio(conn: &Connection) -> rusqlite::Result<Vec<BranchFigures>> {
    let mut out: Vec<BranchFigures> = Vec::new();
    let mut st =
        conn.prepare("SELECT branch, case_json, case_id FROM cases ORDER BY branch, case_id")?;
    let mut rows = st.query([])?;
    let mut case_branch = std::collections::HashMap::new();
    while let Some(r) = rows.next()? {
        let branch: String = r.get(0)?;
        let json: String = r.get(1)?;
        let id: String = r.get(2)?;
        let amount = serde_json::from_str::<serde_json::Value>(&json)
            .ok()
            .and_then(|v| {
                v["loan"]["amount"]
                    .as_str()
                    .and_then(|a| a.parse::<Decimal>().ok())
            })
            .unwrap_or_default();
        if out.last().is_none_or(|b| b.branch != branch) {
            out.push(BranchFigures {
                branch: branch.clone(),
                cases: 0,
                requested: "0".into(),
                approved: 0,
                rejected: 0,
                disbursement_orders: 0,
                book: None,
            });
        }
        if let Some(b) = out.last_mut() {
            b.cases += 1;
            let sum = b.requested.parse::<Decimal>().unwrap_or_default() + amount;
            b.requested = sum.to_string();
        }
        case_branch.insert(id, out.len() - 1);
    }
    let mut st = conn.prepare(
        "SELECT case_id, kind, json_extract(body, '$.body.decision') FROM messages WHERE case_id IS NOT NULL",
    )?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let id: String = r.get(0)?;
        let kind: String = r.get(1)?;
        let decision: Option<String> = r.get(2)?;
        let Some(b) = case_branch.get(&id).and_then(|i| out.get_mut(*i)) else {
            continue;
        };
        match (kind.as_str(), decision.as_deref()) {
            ("review", Some("approve")) => b.approved += 1,
            ("review", Some("reject")) => b.rejected += 1,
            ("disbursement_order", _) => b.disbursement_orders += 1,
            _ => {}
        }
    }
    // Sign-offs the enforcing bank accepted (they come as statements, not messages).
    let mut st = conn.prepare(
        "SELECT case_id, stage FROM case_workflow WHERE stage IN ('approved', 'rejected')",
    )?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let id: String = r.get(0)?;
        let stage: String = r.get(1)?;
        let Some(b) = case_branch.get(&id).and_then(|i| out.get_mut(*i)) else {
            continue;
        };
        if stage == "approved" {
            b.approved += 1;
        } else {
            b.rejected += 1;
        }
    }
    let mut st = conn.prepare(
        "SELECT branch, portfolio, past_due_30, npl, credit_losses_12m, as_of FROM loan_book",
    )?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let branch: String = r.get(0)?;
        let book = BranchBook {
            portfolio: r.get(1)?,
            past_due_30: r.get(2)?,
            npl: r.get(3)?,
            credit_losses_12m: r.get(4)?,
            as_of: r.get(5)?,
        };
        match out.iter_mut().find(|b| b.branch == branch) {
            Some(b) => b.book = Some(book),
            // A branch with a book and no application in the queue.
            None => out.push(BranchFigures {
                branch,
                cases: 0,
                requested: "0".into(),
                approved: 0,
                rejected: 0,
                disbursement_orders: 0,
                book: Some(book),
            }),
        }
    }
    out.sort_by(|a, b| a.branch.cmp(&b.branch));
    Ok(out)
}

pub fn set_book(conn: &Connection, branch: &str, b: &BranchBook) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO loan_book (branch, portfolio, past_due_30, npl, credit_losses_12m, as_of) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (branch) DO UPDATE SET \
         portfolio = excluded.portfolio, past_due_30 = excluded.past_due_30, npl = excluded.npl, \
         credit_losses_12m = excluded.credit_losses_12m, as_of = excluded.as_of",
        params![
            branch,
            b.portfolio,
            b.past_due_30,
            b.npl,
            b.credit_losses_12m,
            b.as_of
        ],
    )?;
    Ok(())
}

/// What the simulator holds, for the tests to compare with a workstation.
#[derive(Debug, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct Digest {
    /// Case id → content hash of its latest version.
    pub cases: std::collections::BTreeMap<String, String>,
    pub versions: i64,
    pub messages: i64,
    pub idempotency_keys: i64,
    /// Prohibitions filed with the Pledge Registry.
    pub pledge_requests: i64,
    /// Disbursement orders received, by stage ("1", "2").
    pub orders: std::collections::BTreeMap<String, i64>,
}

pub fn digest(conn: &Connection) -> rusqlite::Result<Digest> {
    let mut st = conn.prepare("SELECT case_id, hash FROM cases")?;
    let cases = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0));
    Ok(Digest {
        cases,
        versions: count("SELECT count(*) FROM case_versions")?,
        messages: count("SELECT count(*) FROM messages")?,
        idempotency_keys: count("SELECT count(*) FROM idempotency")?,
        pledge_requests: count("SELECT count(*) FROM pledge_requests")?,
        orders: {
            let mut st = conn.prepare(
                "SELECT coalesce(json_extract(body, '$.body.stage'), '?'), count(*) FROM messages \
                 WHERE kind = 'disbursement_order' GROUP BY 1",
            )?;
            let rows = st.query_map([], |r| {
                let stage: rusqlite::types::Value = r.get(0)?;
                let stage = match stage {
                    rusqlite::types::Value::Integer(i) => i.to_string(),
                    rusqlite::types::Value::Text(t) => t,
                    _ => "?".into(),
                };
                Ok((stage, r.get(1)?))
            })?;
            rows.collect::<rusqlite::Result<_>>()?
        },
    })
}

fn staff_key(r: &rusqlite::Row) -> rusqlite::Result<StaffKey> {
    Ok(StaffKey {
        staff_id: r.get(0)?,
        algorithm: r.get(1)?,
        public_key: r.get(2)?,
        enrolled_at: r.get(3)?,
        revoked_at: r.get(4)?,
    })
}

/// A person's keys, the newest first.
pub fn staff_keys(conn: &Connection, staff_id: &str) -> rusqlite::Result<Vec<StaffKey>> {
    let mut st = conn.prepare(
        "SELECT staff_id, algorithm, public_key, enrolled_at, revoked_at FROM staff_keys \
         WHERE staff_id = ?1 ORDER BY id DESC",
    )?;
    let rows = st.query_map([staff_id], staff_key)?;
    rows.collect()
}

pub fn current_key(conn: &Connection, staff_id: &str) -> rusqlite::Result<Option<StaffKey>> {
    conn.query_row(
        "SELECT staff_id, algorithm, public_key, enrolled_at, revoked_at FROM staff_keys \
         WHERE staff_id = ?1 AND revoked_at IS NULL",
        [staff_id],
        staff_key,
    )
    .optional()
}

/// When this public key of the person was revoked, if it ever was: a revoked key stays
/// revoked (enrolling it again would bring back a key the person gave up).
pub fn revoked_at(
    conn: &Connection,
    staff_id: &str,
    public_key: &str,
) -> rusqlite::Result<Option<String>> {
    conn.query_row(
        "SELECT max(revoked_at) FROM staff_keys WHERE staff_id = ?1 AND public_key = ?2",
        params![staff_id, public_key],
        |r| r.get(0),
    )
}

/// Revokes the person's current key (if any) and enrols this one, both at `at`.
pub fn enrol_key(
    tx: &Transaction,
    staff_id: &str,
    algorithm: &str,
    public_key: &str,
    at: &str,
) -> rusqlite::Result<StaffKey> {
    tx.execute(
        "UPDATE staff_keys SET revoked_at = ?2 WHERE staff_id = ?1 AND revoked_at IS NULL",
        params![staff_id, at],
    )?;
    tx.execute(
        "INSERT INTO staff_keys (staff_id, algorithm, public_key, enrolled_at) VALUES (?1, ?2, ?3, ?4)",
        params![staff_id, algorithm, public_key, at],
    )?;
    Ok(StaffKey {
        staff_id: staff_id.to_string(),
        algorithm: algorithm.to_string(),
        public_key: public_key.to_string(),
        enrolled_at: at.to_string(),
        revoked_at: None,
    })
}

/// Our own JSON read back; a row that does not parse is a storage error, not a panic.
fn from_json<T: serde::de::DeserializeOwned>(col: usize, text: &str) -> rusqlite::Result<T> {
    serde_json::from_str(text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(col, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn held(r: &rusqlite::Row) -> rusqlite::Result<Held> {
    let json: String = r.get(3)?;
    Ok(Held {
        version: r.get(0)?,
        hash: r.get(1)?,
        stored_at: r.get(2)?,
        case: serde_json::from_str(&json).unwrap_or(serde_json::Value::Null),
    })
}

/// A case's review as the bank keeps it: a case with no workflow row is a draft (or
/// absent, when the bank does not hold it). The current and the submitted version come
/// with the time the bank stored them and their case file.
pub fn review(conn: &Connection, case_id: &str) -> rusqlite::Result<CaseReview> {
    let current = conn
        .query_row(
            "SELECT version, hash, updated_at, case_json FROM cases WHERE case_id = ?1",
            [case_id],
            held,
        )
        .optional()?;
    let mut review = CaseReview {
        current,
        ..CaseReview::default()
    };
    let mut st =
        conn.prepare("SELECT staff_id FROM case_editors WHERE case_id = ?1 ORDER BY staff_id")?;
    review.editors = st
        .query_map([case_id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    type Row = (
        String,
        Option<String>,
        Option<i64>,
        Option<String>,
        Option<String>,
        Option<String>,
        [Option<String>; 6],
    );
    let row: Option<Row> = conn
        .query_row(
            "SELECT stage, maker, submitted_version, submitted_hash, submitted_statement, justification, \
             decided_action, decided_signer, decided_signed_at, decided_accepted_at, decided_comment, proposal \
             FROM case_workflow WHERE case_id = ?1",
            [case_id],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    [
                        r.get(6)?,
                        r.get(7)?,
                        r.get(8)?,
                        r.get(9)?,
                        r.get(10)?,
                        r.get(11)?,
                    ],
                ))
            },
        )
        .optional()?;
    let Some((stage, maker, sub_version, sub_hash, sub_statement, justification, decided)) = row
    else {
        return Ok(review);
    };
    let [action, signer, signed_at, accepted_at, comment, proposal] = decided;
    review.stage = Stage::parse(&stage).unwrap_or_default();
    review.maker = maker;
    if let Some(version) = sub_version {
        review.submitted = conn
            .query_row(
                "SELECT version, hash, received_at, case_json FROM case_versions \
                 WHERE case_id = ?1 AND version = ?2",
                params![case_id, version],
                held,
            )
            .optional()?;
    }
    if let (Some(version), Some(hash), Some(statement)) = (sub_version, sub_hash, sub_statement) {
        review.submission = Some(Submission {
            version,
            hash,
            statement: from_json(4, &statement)?,
            justification: justification.unwrap_or_default(),
            proposal,
        });
    }
    if let (Some(action), Some(signer), Some(signed_at), Some(accepted_at)) =
        (action, signer, signed_at, accepted_at)
    {
        // The accepted sign-off's signature, from the log of accepted statements.
        let signature = conn
            .query_row(
                "SELECT signature FROM statements WHERE case_id = ?1 AND action = ?2                  AND signer = ?3 AND signed_at = ?4 ORDER BY id DESC LIMIT 1",
                params![case_id, action, signer, signed_at],
                |r| r.get::<_, Option<String>>(0),
            )
            .optional()?
            .flatten();
        review.decided = Some(Decided {
            action: from_json(6, &serde_json::Value::String(action).to_string())?,
            signer,
            signed_at,
            accepted_at,
            comment,
            signature,
        });
    }
    Ok(review)
}

/// Writes a case's review (its editors are only ever added to).
pub fn save_review(tx: &Transaction, case_id: &str, r: &CaseReview) -> rusqlite::Result<()> {
    let sub = r.submission.as_ref();
    let statement = sub.map(|s| serde_json::to_string(&s.statement).unwrap_or_default());
    let d = r.decided.as_ref();
    tx.execute(
        "INSERT INTO case_workflow (case_id, stage, maker, submitted_version, submitted_hash, \
         submitted_statement, justification, decided_action, decided_signer, decided_signed_at, \
         decided_accepted_at, decided_comment, proposal) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) \
         ON CONFLICT (case_id) DO UPDATE SET stage = excluded.stage, maker = excluded.maker, \
         submitted_version = excluded.submitted_version, submitted_hash = excluded.submitted_hash, \
         submitted_statement = excluded.submitted_statement, justification = excluded.justification, \
         decided_action = excluded.decided_action, decided_signer = excluded.decided_signer, \
         decided_signed_at = excluded.decided_signed_at, decided_accepted_at = excluded.decided_accepted_at, \
         decided_comment = excluded.decided_comment, proposal = excluded.proposal",
        params![
            case_id,
            r.stage.as_str(),
            r.maker,
            sub.map(|s| s.version),
            sub.map(|s| s.hash.as_str()),
            statement,
            sub.map(|s| s.justification.as_str()),
            d.map(|d| d.action.as_str()),
            d.map(|d| d.signer.as_str()),
            d.map(|d| d.signed_at.as_str()),
            d.map(|d| d.accepted_at.as_str()),
            d.and_then(|d| d.comment.as_deref()),
            sub.and_then(|s| s.proposal.as_deref()),
        ],
    )?;
    for editor in &r.editors {
        tx.execute(
            "INSERT OR IGNORE INTO case_editors (case_id, staff_id) VALUES (?1, ?2)",
            params![case_id, editor],
        )?;
    }
    Ok(())
}

/// A signature as the log keeps it: its bytes in canonical base64, so that another
/// spelling of the same signature (whitespace around it) is the same statement.
pub fn signature_key(signature: &str) -> String {
    uw_bank_link::signing::from_base64(signature).map_or_else(
        || signature.to_string(),
        |b| uw_bank_link::signing::to_base64(&b),
    )
}

/// When the bank accepted this signed statement (by its signature), if it ever did.
pub fn accepted_at(conn: &Connection, signature: &str) -> rusqlite::Result<Option<String>> {
    conn.query_row(
        "SELECT accepted_at FROM statements WHERE signature = ?1",
        [signature_key(signature)],
        |r| r.get(0),
    )
    .optional()
}

/// Keeps an accepted statement, as signed (its signature unique: a second use fails).
pub fn log_statement(
    tx: &Transaction,
    signed: &SignedStatement,
    bank_version: Option<i64>,
    at: &str,
) -> rusqlite::Result<()> {
    let s = &signed.statement;
    tx.execute(
        "INSERT INTO statements (case_id, action, signer, signed_at, bank_version, statement, accepted_at, signature) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            s.case_id,
            s.action.as_str(),
            s.signer,
            s.signed_at,
            bank_version,
            serde_json::to_string(signed).unwrap_or_default(),
            at,
            signature_key(&signed.signature)
        ],
    )?;
    Ok(())
}

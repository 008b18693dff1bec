//! The state identity register and the credit bureau, simulated: answers by PINFL, seeded
//! from the seed cases' parties and changed by the tests through `/_sim/…`.
//!
//! The bureau's report is kept as the JSON it is served as, so a test can make it
//! malformed on purpose and see the workstation refuse it; so is an answer of the official
//! income service a test puts in place of the records (`/_sim/income/{pinfl}`).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::StatusCode;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{json, Value};
use uw_bank_link::api::IdentityAnswer;

use crate::http::{parse_body, storage, Reply, Sim};

pub const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS identity_register (
    pinfl     TEXT PRIMARY KEY NOT NULL,
    document  TEXT NOT NULL,
    status    TEXT NOT NULL,
    full_name TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS bureau_reports (
    pinfl  TEXT PRIMARY KEY NOT NULL,
    report TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS income_answers (
    pinfl  TEXT PRIMARY KEY NOT NULL,
    answer TEXT NOT NULL
) STRICT;
";

/// Serves this JSON — any JSON — as the official income service's answer on a PINFL, in
/// place of its records.
pub fn set_income_answer(conn: &Connection, pinfl: &str, answer: &Value) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO income_answers (pinfl, answer) VALUES (?1, ?2) \
         ON CONFLICT (pinfl) DO UPDATE SET answer = excluded.answer",
        params![pinfl, answer.to_string()],
    )?;
    Ok(())
}

/// The answer a test put in place of the records, if any.
pub fn income_answer(conn: &Connection, pinfl: &str) -> rusqlite::Result<Option<String>> {
    conn.query_row(
        "SELECT answer FROM income_answers WHERE pinfl = ?1",
        [pinfl],
        |r| r.get(0),
    )
    .optional()
}

pub async fn put_income(
    State(sim): State<Arc<Sim>>,
    UrlPath(pinfl): UrlPath<String>,
    body: Bytes,
) -> Reply {
    put_any_json(&sim, &pinfl, &body, set_income_answer)
}

/// Any JSON body kept by `set` for a PINFL (an answer a test serves as it is).
fn put_any_json(
    sim: &Sim,
    pinfl: &str,
    body: &Bytes,
    set: fn(&Connection, &str, &Value) -> rusqlite::Result<()>,
) -> Reply {
    let v: Value = match parse_body(body, "INVALID_BODY") {
        Ok(v) => v,
        Err(reply) => return reply,
    };
    match set(&sim.db(), pinfl, &v) {
        Ok(()) => Reply::json(StatusCode::OK, &json!({"pinfl": pinfl})),
        Err(e) => storage(e),
    }
}

const STATUSES: [&str; 4] = ["valid", "expired", "revoked", "not_found"];

pub fn set_identity(
    conn: &Connection,
    pinfl: &str,
    document: &str,
    status: &str,
    full_name: &str,
) -> Result<(), String> {
    if !STATUSES.contains(&status) {
        return Err(format!("status: {status:?} is not one of {STATUSES:?}"));
    }
    conn.execute(
        "INSERT INTO identity_register (pinfl, document, status, full_name) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (pinfl) DO UPDATE SET document = excluded.document, status = excluded.status, \
         full_name = excluded.full_name",
        params![pinfl, document, status, full_name],
    )
    .map_err(|e| e.to_string())?;
    Ok(())
}

pub fn set_bureau(conn: &Connection, pinfl: &str, report: &Value) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO bureau_reports (pinfl, report) VALUES (?1, ?2) \
         ON CONFLICT (pinfl) DO UPDATE SET report = excluded.report",
        params![pinfl, report.to_string()],
    )?;
    Ok(())
}

/// A seed party's register entry and bureau report, from its case file: a valid document
/// in the party's name, and a report that gives back the party's credit-history figures
/// (one open loan carrying the monthly payments, the overdue, the 90+ episodes).
pub fn seed_party(conn: &Connection, party: &Value, as_of: &str) -> Result<(), String> {
    let Some(pinfl) = party["pinfl"].as_str() else {
        return Ok(());
    };
    let name = party["full_name"].as_str().unwrap_or("");
    let document = party["identity"]["number"].as_str().unwrap_or("");
    let known: bool = conn
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM identity_register WHERE pinfl = ?1)",
            [pinfl],
            |r| r.get(0),
        )
        .map_err(|e| e.to_string())?;
    if known {
        return Ok(());
    }
    set_identity(conn, pinfl, document, "valid", name)?;
    let h = &party["credit_history"];
    let payment = h["existing_monthly_payments"].as_str().unwrap_or("0");
    let loans = if payment.trim_start_matches(['0', '.']).is_empty() {
        json!([])
    } else {
        json!([{"lender": "Other bank", "kind": "consumer", "opened": "2024-01-15",
                "amount": "60000000.00", "outstanding": "35000000.00", "monthly_payment": payment}])
    };
    let overdue = h["current_overdue"].as_bool().unwrap_or(false);
    let episodes: Vec<Value> = (0..h["delinquencies_90_plus"].as_u64().unwrap_or(0))
        .map(|i| {
            json!({"lender": "Other bank", "from": format!("{}-03-01", 2018 + i),
                   "to": format!("{}-07-15", 2018 + i), "max_days_past_due": 120 + i})
        })
        .collect();
    let report = json!({
        "pinfl": pinfl,
        "as_of": as_of,
        "loans": loans,
        "guarantees": [],
        "overdue_amount": if overdue { "2400000.00" } else { "0.00" },
        "overdue_days": if overdue { 35 } else { 0 },
        "episodes_90_plus": episodes,
        "closed_loans": [],
    });
    set_bureau(conn, pinfl, &report).map_err(|e| e.to_string())
}

fn check_pinfl(pinfl: &str) -> Result<(), Reply> {
    if pinfl.len() == 14 && pinfl.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(Reply::error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "INVALID_PINFL",
            format!("pinfl: {pinfl:?} is not 14 digits"),
        ))
    }
}

#[derive(serde::Deserialize)]
pub struct DocumentQuery {
    document: Option<String>,
}

/// The register's answer: the status of this PINFL with this document, and the name it is
/// registered under; an unknown PINFL, or another document than the one registered, is
/// `not_found` (an answer, not an error).
pub async fn identity(
    State(sim): State<Arc<Sim>>,
    UrlPath(pinfl): UrlPath<String>,
    Query(q): Query<DocumentQuery>,
) -> Reply {
    if let Err(r) = check_pinfl(&pinfl) {
        return r;
    }
    let document = q.document.unwrap_or_default();
    let row: rusqlite::Result<Option<(String, String, String)>> = sim
        .db()
        .query_row(
            "SELECT document, status, full_name FROM identity_register WHERE pinfl = ?1",
            [&pinfl],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional();
    let answer = match row {
        Err(e) => return storage(e),
        Ok(Some((doc, status, name))) if doc == document => IdentityAnswer {
            pinfl,
            document,
            status,
            full_name: Some(name),
        },
        Ok(_) => IdentityAnswer {
            pinfl,
            document,
            status: "not_found".into(),
            full_name: None,
        },
    };
    Reply::json(StatusCode::OK, &answer)
}

/// The bureau's report as stored; a person the bureau has no record of gets an empty one.
pub async fn bureau(State(sim): State<Arc<Sim>>, UrlPath(pinfl): UrlPath<String>) -> Reply {
    if let Err(r) = check_pinfl(&pinfl) {
        return r;
    }
    let stored: rusqlite::Result<Option<String>> = sim
        .db()
        .query_row(
            "SELECT report FROM bureau_reports WHERE pinfl = ?1",
            [&pinfl],
            |r| r.get(0),
        )
        .optional();
    match stored {
        Err(e) => storage(e),
        Ok(Some(text)) => Reply::raw_json(StatusCode::OK, text),
        Ok(None) => Reply::json(
            StatusCode::OK,
            &json!({"pinfl": pinfl, "as_of": crate::http::now()[..10].to_string(),
                    "overdue_amount": "0.00", "overdue_days": 0}),
        ),
    }
}

pub async fn put_identity(
    State(sim): State<Arc<Sim>>,
    UrlPath(pinfl): UrlPath<String>,
    body: Bytes,
) -> Reply {
    let v: Value = match parse_body(&body, "INVALID_BODY") {
        Ok(v) => v,
        Err(reply) => return reply,
    };
    let field = |k: &str| v[k].as_str().unwrap_or("").to_string();
    match set_identity(
        &sim.db(),
        &pinfl,
        &field("document"),
        &field("status"),
        &field("full_name"),
    ) {
        Ok(()) => Reply::json(StatusCode::OK, &json!({"pinfl": pinfl})),
        Err(why) => bad(why),
    }
}

/// Any JSON is kept as the report (a malformed one too: the tests need it).
pub async fn put_bureau(
    State(sim): State<Arc<Sim>>,
    UrlPath(pinfl): UrlPath<String>,
    body: Bytes,
) -> Reply {
    put_any_json(&sim, &pinfl, &body, set_bureau)
}

fn bad(message: String) -> Reply {
    Reply::error(StatusCode::UNPROCESSABLE_ENTITY, "INVALID_BODY", message)
}

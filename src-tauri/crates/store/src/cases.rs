//! Cases, their events and the queue query.
//!
//! Readings fixed here:
//! - an edit keeps the case's assignee: the edit does not know it;
//! - the queue's search: every word typed must begin a word of the case id, the borrower's
//!   name, the PINFL or the VIN, in any order (the index: `schema/008_search.sql`); what
//!   is typed is never read as FTS5 syntax, each word becoming a quoted prefix term.

use rusqlite::{params, params_from_iter, OptionalExtension, ToSql};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{Result, Store, StoreError};

/// A case as the caller hands it to the store: the JSON and the queue's columns.
#[derive(Clone, Debug, PartialEq)]
pub struct NewCase {
    pub case_id: String,
    pub case_json: String,
    pub status: String,
    pub decision: Option<String>,
    pub assignee: Option<String>,
    pub branch: String,
    pub application_date: String,
    pub borrower_name: String,
    pub pinfl: String,
    pub vin: String,
    pub amount: String,
    pub amount_tiyin: i64,
    pub term_months: i64,
    /// The rule IDs of the engine's reasons, space-separated.
    pub reasons: String,
    /// How many counter-offers the evaluation made.
    pub counter_offers: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct StoredCase {
    pub case_id: String,
    pub version: i64,
    pub case_json: String,
    pub status: String,
    pub assignee: Option<String>,
    pub received_at: String,
    pub updated_at: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct CaseEvent {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub kind: String,
    pub detail: String,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    CaseId,
    Borrower,
    Amount,
    Term,
    Status,
    Decision,
    #[default]
    Received,
    Assignee,
    Branch,
}

impl SortKey {
    fn column(self) -> &'static str {
        match self {
            SortKey::CaseId => "case_id",
            SortKey::Borrower => "borrower_name",
            SortKey::Amount => "amount_tiyin",
            SortKey::Term => "term_months",
            SortKey::Status => "status",
            SortKey::Decision => "decision",
            SortKey::Received => "received_at",
            SortKey::Assignee => "assignee",
            SortKey::Branch => "branch",
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct QueueQuery {
    pub status: Option<String>,
    pub assignee: Option<String>,
    pub branch: Option<String>,
    /// Matches the start of the case id, borrower name, PINFL or VIN.
    pub search: Option<String>,
    /// Leaves out the cases this user made or edited (a reviewer's inbox: submitted, not
    /// shaped by me).
    pub not_made_by: Option<String>,
    /// Only the cases of this person's review inbox as the bank last served it here.
    pub inbox_of: Option<String>,
    pub sort: SortKey,
    pub descending: bool,
    pub offset: u32,
    /// 1..=500; 0 means the default of 50.
    pub limit: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct QueueRow {
    pub case_id: String,
    pub version: i64,
    pub borrower_name: String,
    pub amount: String,
    pub term_months: i64,
    pub status: String,
    pub decision: Option<String>,
    pub assignee: Option<String>,
    pub branch: String,
    pub application_date: String,
    pub received_at: String,
    /// When the case was last given to its assignee (None while unassigned).
    pub assigned_at: Option<String>,
    /// The SLA deadline and when it turns due-soon; the store leaves them empty, the
    /// service fills them from the queue rules (uw_domain::sla).
    pub due_at: Option<String>,
    pub due_soon_at: Option<String>,
    /// The approval's open conditions beyond §6 (the queue's badge) and the earliest due
    /// date among them (`YYYY-MM-DD`).
    pub open_conditions: i64,
    pub conditions_due: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct QueuePage {
    pub rows: Vec<QueueRow>,
    pub total: i64,
    pub offset: u32,
}

/// The queue's columns of a case, in the order of [`queue_values`].
const QUEUE_COLUMNS: &str = "status, decision, assignee, branch, application_date, borrower_name, \
    pinfl, vin, amount, amount_tiyin, term_months, reasons, counter_offers";
const QUEUE_PARAMS: &str = "?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16";

/// The case id, a version, a time, then the queue's columns: the parameters of both the
/// insert and the update, so that the two can never disagree on the column order.
fn case_params<'a>(c: &'a NewCase, version: &'a i64, at: &'a dyn ToSql) -> Vec<&'a dyn ToSql> {
    vec![
        &c.case_id,
        version,
        at,
        &c.status,
        &c.decision,
        &c.assignee,
        &c.branch,
        &c.application_date,
        &c.borrower_name,
        &c.pinfl,
        &c.vin,
        &c.amount,
        &c.amount_tiyin,
        &c.term_months,
        &c.reasons,
        &c.counter_offers,
    ]
}

impl Store {
    /// Inserts new cases in one transaction: all of them, or none when one already exists;
    /// each goes to the bank as it is (a standalone workstation's import).
    pub fn insert_cases(
        &mut self,
        cases: &[NewCase],
        at: &str,
        actor: &str,
        event: &str,
    ) -> Result<()> {
        let with: Vec<_> = cases
            .iter()
            .map(|c| (c.clone(), crate::sync::Push::Unsigned))
            .collect();
        self.insert_cases_with(&with, at, actor, event)
    }

    /// [`Store::insert_cases`], each case going to the bank as its `push` says.
    pub fn insert_cases_with(
        &mut self,
        cases: &[(NewCase, crate::sync::Push)],
        at: &str,
        actor: &str,
        event: &str,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        for (c, push) in cases {
            let exists: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM cases WHERE case_id = ?1)",
                [&c.case_id],
                |r| r.get(0),
            )?;
            if exists {
                return Err(StoreError::Exists(c.case_id.clone()));
            }
            write_case(&tx, c, None, at)?;
            insert_event(&tx, &c.case_id, at, actor, event, "{}")?;
            // A case born here is news to the bank.
            crate::sync::enqueue_version(&tx, &c.case_id, &c.case_json, at, *push)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Replaces a case if its stored version is still `expected_version`; returns the new
    /// version. The events (kind, detail JSON) are written in the same transaction.
    pub fn update_case(
        &mut self,
        c: &NewCase,
        expected_version: i64,
        at: &str,
        actor: &str,
        events: &[(String, String)],
    ) -> Result<i64> {
        let push = crate::sync::Push::Unsigned;
        self.update_case_and_workflow(c, expected_version, None, at, actor, events, &[], push)
    }

    /// [`Store::update_case`] that also writes the case's review workflow (JSON), so a
    /// transition, the stage in the queue and the audit entry land together or not at all.
    /// The new version goes into the outbox for the bank, with the `outgoing` messages
    /// (a review sign-off, say), in the same transaction.
    #[allow(clippy::too_many_arguments)]
    pub fn update_case_and_workflow(
        &mut self,
        c: &NewCase,
        expected_version: i64,
        workflow: Option<&str>,
        at: &str,
        actor: &str,
        events: &[(String, String)],
        outgoing: &[crate::sync::Outgoing],
        push: crate::sync::Push,
    ) -> Result<i64> {
        let tx = self.conn.transaction()?;
        let version = write_case(&tx, c, Some(expected_version), at)?;
        if let Some(w) = workflow {
            crate::users::put_workflow(&tx, &c.case_id, w)?;
        }
        for (kind, detail) in events {
            insert_event(&tx, &c.case_id, at, actor, kind, detail)?;
        }
        crate::sync::enqueue_version(&tx, &c.case_id, &c.case_json, at, push)?;
        for m in outgoing {
            crate::sync::enqueue(&tx, &c.case_id, &m.kind, &m.body, at)?;
        }
        tx.commit()?;
        Ok(version)
    }

    /// A workflow step that changes no case data (a sign-off signed here, waiting for the
    /// bank): the workflow, the queue's stage, the audit entries and the messages for the
    /// bank, in one transaction.
    #[allow(clippy::too_many_arguments)]
    pub fn update_workflow(
        &mut self,
        case_id: &str,
        workflow: &str,
        status: &str,
        at: &str,
        actor: &str,
        events: &[(String, String)],
        outgoing: &[crate::sync::Outgoing],
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        let found = tx.execute(
            "UPDATE cases SET status = ?2 WHERE case_id = ?1",
            params![case_id, status],
        )?;
        if found == 0 {
            return Err(StoreError::NotFound(case_id.to_string()));
        }
        crate::users::put_workflow(&tx, case_id, workflow)?;
        for (kind, detail) in events {
            insert_event(&tx, case_id, at, actor, kind, detail)?;
        }
        for m in outgoing {
            crate::sync::enqueue(&tx, case_id, &m.kind, &m.body, at)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Records an event that changes no case data (an export, for instance).
    pub fn record_event(
        &mut self,
        case_id: &str,
        at: &str,
        actor: &str,
        kind: &str,
        detail: &str,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        insert_event(&tx, case_id, at, actor, kind, detail)?;
        tx.commit()?;
        Ok(())
    }

    pub fn get_case(&self, case_id: &str) -> Result<StoredCase> {
        self.conn
            .query_row(
                "SELECT c.case_id, c.version, d.case_json, c.status, c.assignee, c.received_at, c.updated_at \
                 FROM cases c JOIN case_documents d ON d.case_id = c.case_id WHERE c.case_id = ?1",
                [case_id],
                |r| {
                    Ok(StoredCase {
                        case_id: r.get(0)?,
                        version: r.get(1)?,
                        case_json: r.get(2)?,
                        status: r.get(3)?,
                        assignee: r.get(4)?,
                        received_at: r.get(5)?,
                        updated_at: r.get(6)?,
                    })
                },
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound(case_id.to_string()))
    }

    pub fn events(&self, case_id: &str) -> Result<Vec<CaseEvent>> {
        let mut st = self.conn.prepare(
            "SELECT id, at, actor, action, detail FROM audit_log WHERE case_id = ?1 ORDER BY id",
        )?;
        let rows = st.query_map([case_id], |r| {
            Ok(CaseEvent {
                id: r.get(0)?,
                at: r.get(1)?,
                actor: r.get(2)?,
                kind: r.get(3)?,
                detail: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn count_cases(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM cases", [], |r| r.get(0))?)
    }

    /// The ids of the cases in a queue status (e.g. every approved case), in id order.
    pub fn case_ids_with_status(&self, status: &str) -> Result<Vec<String>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT case_id FROM cases WHERE status = ?1 ORDER BY case_id")?;
        let rows = st.query_map([status], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The cases in the given queue statuses: (case id, status, case-file JSON), in id order.
    pub fn cases_in(&self, statuses: &[&str]) -> Result<Vec<(String, String, String)>> {
        let marks = vec!["?"; statuses.len()].join(", ");
        let mut st = self.conn.prepare(&format!(
            "SELECT c.case_id, c.status, d.case_json FROM cases c \
             JOIN case_documents d ON d.case_id = c.case_id \
             WHERE c.status IN ({marks}) ORDER BY c.case_id"
        ))?;
        let rows = st.query_map(rusqlite::params_from_iter(statuses), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every case's JSON, in case-id order (for batch work such as re-evaluation).
    pub fn for_each_case(&self, mut f: impl FnMut(&str, i64, &str)) -> Result<()> {
        let mut st = self.conn.prepare(
            "SELECT c.case_id, c.version, d.case_json FROM cases c \
             JOIN case_documents d ON d.case_id = c.case_id ORDER BY c.case_id",
        )?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let id: String = r.get(0)?;
            let v: i64 = r.get(1)?;
            let json: String = r.get(2)?;
            f(&id, v, &json);
        }
        Ok(())
    }

    /// One page of the daily queue with the count of the cases its query matches.
    pub fn queue(&self, q: &QueueQuery) -> Result<QueuePage> {
        Ok(QueuePage {
            rows: self.queue_rows(q)?,
            total: self.queue_total(q)?,
            offset: q.offset,
        })
    }

    /// How many cases the queue's query matches: a walk over a whole index, which a page
    /// of rows does not need (the window asks it once the first page is on screen).
    pub fn queue_total(&self, q: &QueueQuery) -> Result<i64> {
        let (filter, args) = queue_filter(q);
        Ok(self.conn.query_row(
            &format!("SELECT count(*) FROM cases {filter}"),
            params_from_iter(args.iter().map(|a| a.as_ref())),
            |r| r.get(0),
        )?)
    }

    /// One page of the daily queue. Filtering, sorting and paging happen in SQLite over
    /// the indexes of `schema/001_cases.sql`; the sort column comes from a closed enum, so
    /// no caller text reaches the SQL.
    pub fn queue_rows(&self, q: &QueueQuery) -> Result<Vec<QueueRow>> {
        let (filter, args) = queue_filter(q);
        let dir = if q.descending { "DESC" } else { "ASC" };
        let limit = if q.limit == 0 { 50 } else { q.limit.min(500) };
        let sql = format!(
            "SELECT case_id, version, borrower_name, amount, term_months, status, decision, assignee, branch, \
             application_date, received_at, assigned_at, \
             (SELECT count(*) FROM case_conditions k WHERE k.case_id = cases.case_id AND k.status = 'open'), \
             (SELECT min(due) FROM case_conditions k WHERE k.case_id = cases.case_id AND k.status = 'open') \
             FROM cases {filter} ORDER BY {col} {dir}, case_id {dir} \
             LIMIT {limit} OFFSET {offset}",
            col = q.sort.column(),
            offset = q.offset,
        );
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st.query_map(params_from_iter(args.iter().map(|a| a.as_ref())), |r| {
            Ok(QueueRow {
                case_id: r.get(0)?,
                version: r.get(1)?,
                borrower_name: r.get(2)?,
                amount: r.get(3)?,
                term_months: r.get(4)?,
                status: r.get(5)?,
                decision: r.get(6)?,
                assignee: r.get(7)?,
                branch: r.get(8)?,
                application_date: r.get(9)?,
                received_at: r.get(10)?,
                assigned_at: r.get(11)?,
                due_at: None,
                due_soon_at: None,
                open_conditions: r.get(12)?,
                conditions_due: r.get(13)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    pub fn set_setting(&mut self, key: &str, value: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, value],
        )?;
        Ok(())
    }

    /// Sets several settings and appends their audit entry (`detail` says what changed,
    /// never a secret value) in one transaction: all of them with their entry, or nothing.
    pub fn set_settings_audited(
        &mut self,
        values: &[(&str, &str)],
        at: &str,
        actor: &str,
        detail: &str,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        for (key, value) in values {
            tx.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [key, value],
            )?;
        }
        crate::audit::append(&tx, at, actor, "setting_changed", None, detail)?;
        tx.commit()?;
        Ok(())
    }
}

/// The WHERE clause of a queue query and its arguments (none of the caller's text is
/// put into the SQL itself).
fn queue_filter(q: &QueueQuery) -> (String, Vec<Box<dyn ToSql>>) {
    let mut clauses = Vec::new();
    let mut args: Vec<Box<dyn ToSql>> = Vec::new();
    for (col, val) in [
        ("status", &q.status),
        ("assignee", &q.assignee),
        ("branch", &q.branch),
    ] {
        if let Some(v) = val.as_ref().filter(|v| !v.is_empty()) {
            args.push(Box::new(v.clone()));
            clauses.push(format!("{col} = ?{}", args.len()));
        }
    }
    if let Some(me) = q.not_made_by.as_ref().filter(|v| !v.is_empty()) {
        args.push(Box::new(me.clone()));
        let n = args.len();
        clauses.push(format!(
            "NOT EXISTS (SELECT 1 FROM case_workflow w WHERE w.case_id = cases.case_id \
             AND (json_extract(w.workflow, '$.maker') = ?{n} COLLATE NOCASE \
             OR EXISTS (SELECT 1 FROM json_each(w.workflow, '$.editors') e \
             WHERE e.value = ?{n} COLLATE NOCASE)))"
        ));
    }
    if let Some(me) = q.inbox_of.as_ref().filter(|v| !v.is_empty()) {
        args.push(Box::new(me.clone()));
        clauses.push(format!(
            "cases.case_id IN (SELECT case_id FROM review_inbox WHERE staff_id = ?{})",
            args.len()
        ));
    }
    // Full-text search by word prefix (schema/008_search.sql). Each word of the query
    // becomes a quoted prefix term, so no query text is read as FTS5 syntax; the words
    // must all match, in any column and any order.
    if let Some(raw) = q.search.as_deref() {
        let terms = fts_terms(raw);
        if terms.is_empty() {
            // Nothing searchable (only quotes or blanks): no case, rather than all.
            if !raw.trim().is_empty() {
                clauses.push("0".to_string());
            }
        } else {
            args.push(Box::new(terms));
            clauses.push(format!(
                "cases.rowid IN (SELECT rowid FROM cases_fts WHERE cases_fts MATCH ?{})",
                args.len()
            ));
        }
    }
    let filter = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    (filter, args)
}

/// The FTS5 query for what a user typed: each word a quoted prefix term (quotes dropped),
/// all required. Empty when nothing is left to search for.
fn fts_terms(raw: &str) -> String {
    raw.split_whitespace()
        .map(|w| w.replace('"', ""))
        // A word with no letter or digit ("%", "-") has no token to match.
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .map(|w| format!("\"{w}\"*"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Writes a case: a new one at version 1, or the next version of a stored one — if it is
/// still at `expected` (when given). Returns the version written.
pub(crate) fn write_case(
    tx: &rusqlite::Transaction,
    c: &NewCase,
    expected: Option<i64>,
    at: &str,
) -> Result<i64> {
    let stored: Option<i64> = tx
        .query_row(
            "SELECT version FROM cases WHERE case_id = ?1",
            [&c.case_id],
            |r| r.get(0),
        )
        .optional()?;
    let Some(stored) = stored else {
        if expected.is_some() {
            return Err(StoreError::NotFound(c.case_id.clone()));
        }
        tx.execute(
            &format!(
                "INSERT INTO cases (case_id, version, received_at, updated_at, assigned_at, {QUEUE_COLUMNS}) \
                 VALUES (?1, ?2, ?3, ?3, CASE WHEN ?6 IS NULL THEN NULL ELSE ?3 END, {QUEUE_PARAMS})"
            ),
            params_from_iter(case_params(c, &1, &at)),
        )?;
        tx.execute(
            "INSERT INTO case_documents (case_id, case_json) VALUES (?1, ?2)",
            params![c.case_id, c.case_json],
        )?;
        return Ok(1);
    };
    if let Some(expected) = expected.filter(|e| *e != stored) {
        return Err(StoreError::VersionConflict {
            case_id: c.case_id.clone(),
            expected,
            stored,
        });
    }
    let version = stored + 1;
    tx.execute(
        "UPDATE case_documents SET case_json = ?2 WHERE case_id = ?1",
        params![c.case_id, c.case_json],
    )?;
    // An edit does not know who the case is assigned to: no assignee keeps the one there.
    // The SLA clock restarts only when the case goes to someone else.
    let params = QUEUE_PARAMS.replacen("?6", "coalesce(?6, assignee)", 1);
    tx.execute(
        &format!(
            "UPDATE cases SET version = ?2, updated_at = ?3, \
             assigned_at = CASE WHEN ?6 IS NOT NULL AND ?6 IS NOT assignee THEN ?3 ELSE assigned_at END, \
             ({QUEUE_COLUMNS}) = ({params}) WHERE case_id = ?1"
        ),
        params_from_iter(case_params(c, &version, &at)),
    )?;
    Ok(version)
}

pub(crate) fn insert_event(
    tx: &rusqlite::Transaction,
    case_id: &str,
    at: &str,
    actor: &str,
    kind: &str,
    detail: &str,
) -> Result<()> {
    crate::audit::append(tx, at, actor, kind, Some(case_id), detail)
}

//! The counts behind the dashboard, read from the queue's columns and the audit trail (no
//! case file is opened, so the panel stays instant with a large book).

use std::collections::BTreeMap;

use crate::{Result, Store};

#[derive(Clone, Debug, Default, PartialEq)]
pub struct CaseCounts {
    /// Workflow stage → cases.
    pub by_status: BTreeMap<String, i64>,
    /// The engine's decision (approve / reject / refer) → cases.
    pub by_decision: BTreeMap<String, i64>,
    /// Rule ID → cases the engine rejects that fail it (every rule the case's row names;
    /// which rules count as stop factors is the domain's to say, not the store's).
    pub rejections_by_rule: BTreeMap<String, i64>,
    /// Cases whose evaluation offers a counter-offer now, or that took one.
    pub counter_offers_issued: i64,
    /// Cases that took a counter-offer (`counter_offer_taken` in the audit trail).
    pub counter_offers_taken: i64,
    /// Seconds from a case's arrival to each sign-off (approve or reject), in no order.
    pub decision_seconds: Vec<i64>,
    /// Cases written before the dashboard's columns existed and not derived again yet.
    pub not_derived: i64,
}

/// One person's work on the desk's cases, from the queue's columns and the audit trail.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PersonLoad {
    pub person: String,
    /// Undecided cases (draft, submitted, returned) assigned to them.
    pub assigned_open: i64,
    /// Cases they submitted (each once, however many rounds).
    pub submitted: i64,
    /// Sign-offs (approve, reject) they gave.
    pub signed: i64,
    /// Seconds from arrival to sign-off of each decided case they submitted, in no order.
    pub decision_seconds: Vec<i64>,
}

/// The audit action of a counter-offer applied to a case.
pub const COUNTER_OFFER_TAKEN: &str = "counter_offer_taken";

impl Store {
    pub fn case_counts(&self) -> Result<CaseCounts> {
        let mut out = CaseCounts::default();
        let mut st = self
            .conn
            .prepare("SELECT status, count(*) FROM cases GROUP BY status")?;
        for r in st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))? {
            let (k, n): (String, i64) = r?;
            out.by_status.insert(k, n);
        }
        let mut st = self.conn.prepare(
            "SELECT decision, count(*) FROM cases WHERE decision IS NOT NULL GROUP BY decision",
        )?;
        for r in st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))? {
            let (k, n): (String, i64) = r?;
            out.by_decision.insert(k, n);
        }
        let mut st = self.conn.prepare(
            "SELECT reasons FROM cases WHERE decision = 'reject' AND reasons IS NOT NULL",
        )?;
        for r in st.query_map([], |r| r.get::<_, String>(0))? {
            for rule in r?.split_whitespace() {
                *out.rejections_by_rule.entry(rule.to_string()).or_default() += 1;
            }
        }
        out.counter_offers_taken = self.conn.query_row(
            "SELECT count(DISTINCT case_id) FROM audit_log WHERE action = ?1",
            [COUNTER_OFFER_TAKEN],
            |r| r.get(0),
        )?;
        out.counter_offers_issued = self.conn.query_row(
            "SELECT count(*) FROM cases WHERE counter_offers > 0 OR case_id IN \
             (SELECT case_id FROM audit_log WHERE action = ?1)",
            [COUNTER_OFFER_TAKEN],
            |r| r.get(0),
        )?;
        // Times are RFC 3339 in UTC, which SQLite's date functions read.
        let mut st = self.conn.prepare(
            "SELECT CAST(strftime('%s', a.at) AS INTEGER) - CAST(strftime('%s', c.received_at) AS INTEGER) \
             FROM audit_log a JOIN cases c ON c.case_id = a.case_id \
             WHERE a.action IN ('approve', 'reject')",
        )?;
        for r in st.query_map([], |r| r.get::<_, Option<i64>>(0))? {
            if let Some(s) = r? {
                out.decision_seconds.push(s.max(0));
            }
        }
        out.not_derived = self.conn.query_row(
            "SELECT count(*) FROM cases WHERE reasons IS NULL",
            [],
            |r| r.get(0),
        )?;
        Ok(out)
    }

    /// Each person's load, by staff id: whoever is assigned open cases, submitted or
    /// signed off one. A case's maker is the person of its last submission.
    pub fn workload(&self) -> Result<Vec<PersonLoad>> {
        let mut by: BTreeMap<String, PersonLoad> = BTreeMap::new();
        fn entry(by: &mut BTreeMap<String, PersonLoad>, person: String) -> &mut PersonLoad {
            by.entry(person.clone()).or_insert_with(|| PersonLoad {
                person,
                ..PersonLoad::default()
            })
        }
        type Set = fn(&mut PersonLoad, i64);
        let counts: [(&str, Set); 3] = [
            (
                "SELECT assignee, count(*) FROM cases WHERE assignee IS NOT NULL \
                 AND status IN ('draft', 'submitted', 'returned') GROUP BY assignee",
                |p, n| p.assigned_open = n,
            ),
            (
                "SELECT actor, count(DISTINCT case_id) FROM audit_log WHERE action = 'submit' \
                 GROUP BY actor",
                |p, n| p.submitted = n,
            ),
            (
                "SELECT actor, count(*) FROM audit_log WHERE action IN ('approve', 'reject') \
                 GROUP BY actor",
                |p, n| p.signed = n,
            ),
        ];
        for (sql, set) in counts {
            let mut st = self.conn.prepare(sql)?;
            for r in st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))? {
                let (person, n): (String, i64) = r?;
                set(entry(&mut by, person), n);
            }
        }
        // Each sign-off, with the maker of its case's last submission before it.
        let mut st = self.conn.prepare(
            "SELECT (SELECT s.actor FROM audit_log s WHERE s.case_id = a.case_id \
                     AND s.action = 'submit' AND s.id < a.id ORDER BY s.id DESC LIMIT 1), \
                    CAST(strftime('%s', a.at) AS INTEGER) - CAST(strftime('%s', c.received_at) AS INTEGER) \
             FROM audit_log a JOIN cases c ON c.case_id = a.case_id \
             WHERE a.action IN ('approve', 'reject')",
        )?;
        for r in st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))? {
            let (maker, seconds): (Option<String>, Option<i64>) = r?;
            if let (Some(maker), Some(s)) = (maker, seconds) {
                entry(&mut by, maker).decision_seconds.push(s.max(0));
            }
        }
        Ok(by.into_values().collect())
    }

    /// The ids of the cases whose dashboard columns predate them (see [`CaseCounts`]).
    pub fn cases_not_derived(&self) -> Result<Vec<String>> {
        let mut st = self
            .conn
            .prepare("SELECT case_id FROM cases WHERE reasons IS NULL ORDER BY case_id")?;
        let rows = st.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// Writes the derived columns of a case without a new version: they follow from the
    /// case file, the product and the product stop, not from an edit.
    pub fn set_derived(
        &mut self,
        case_id: &str,
        decision: Option<&str>,
        reasons: &str,
        counter_offers: i64,
    ) -> Result<()> {
        self.conn.execute(
            "UPDATE cases SET decision = ?2, reasons = ?3, counter_offers = ?4 WHERE case_id = ?1",
            rusqlite::params![case_id, decision, reasons, counter_offers],
        )?;
        Ok(())
    }
}

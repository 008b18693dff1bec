//! The approval's conditions beyond §6: raised and closed with their history event and
//! their message to the bank in one transaction; the bank's conditions merged in by their
//! id, the bank's word standing over the desk's (it decides which act came first).
//!
//! Invariants: what was raised never changes and no condition is deleted (the schema's
//! triggers refuse both); the store writes what the service checked
//! (`uw_domain::approval_conditions`) and checks only that a close finds its condition
//! open, in the same transaction, so two closes cannot both land.

use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

use crate::cases::insert_event;
use crate::{Result, Store, StoreError};

/// A condition as kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct StoredCondition {
    pub condition_id: String,
    pub text: String,
    pub owner: String,
    /// `YYYY-MM-DD`.
    pub due: String,
    pub stage: u8,
    pub raised_by: String,
    pub raised_at: String,
    /// `open`, `met` or `waived`.
    pub status: String,
    pub closed_by: Option<String>,
    pub closed_at: Option<String>,
    /// The evidence (met) or the reason (waived).
    pub words: Option<String>,
    pub bank_at: Option<String>,
    /// The bank refused the raise made here (its code and words): no condition at all.
    #[serde(default)]
    pub refused: Option<String>,
}

const COLUMNS: &str = "condition_id, text, owner, due, stage, raised_by, raised_at, status, \
                       closed_by, closed_at, words, bank_at, refused";

fn row(r: &rusqlite::Row) -> rusqlite::Result<StoredCondition> {
    Ok(StoredCondition {
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
        bank_at: r.get(11)?,
        refused: r.get(12)?,
    })
}

fn self_condition(
    conn: &rusqlite::Connection,
    case_id: &str,
    condition_id: &str,
) -> Result<StoredCondition> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM case_conditions WHERE case_id = ?1 AND condition_id = ?2"),
        [case_id, condition_id],
        row,
    )
    .optional()?
    .ok_or_else(|| StoreError::NoCondition {
        case_id: case_id.to_string(),
        condition_id: condition_id.to_string(),
    })
}

impl Store {
    /// Writes a condition raised here (open), with its history event and (when the
    /// workstation has a bank) its outbox entry.
    pub fn raise_condition(
        &mut self,
        case_id: &str,
        c: &StoredCondition,
        detail: &str,
        outgoing: Option<&crate::sync::Outgoing>,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        let found: bool = tx
            .prepare("SELECT 1 FROM cases WHERE case_id = ?1")?
            .exists([case_id])?;
        if !found {
            return Err(StoreError::NotFound(case_id.to_string()));
        }
        tx.execute(
            &format!("INSERT INTO case_conditions (case_id, {COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'open', NULL, NULL, NULL, NULL, NULL)"),
            params![case_id, c.condition_id, c.text, c.owner, c.due, c.stage, c.raised_by, c.raised_at],
        )?;
        insert_event(
            &tx,
            case_id,
            &c.raised_at,
            &c.raised_by,
            "condition_raised",
            detail,
        )?;
        if let Some(m) = outgoing {
            crate::sync::enqueue(&tx, case_id, &m.kind, &m.body, &c.raised_at)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Closes an open condition as `c` says (met or waived, by whom, when, the words),
    /// with its history event and outbox entry. `Conflict` when it is not open any more.
    pub fn close_condition(
        &mut self,
        case_id: &str,
        c: &StoredCondition,
        detail: &str,
        outgoing: Option<&crate::sync::Outgoing>,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        let changed = tx.execute(
            "UPDATE case_conditions SET status = ?3, closed_by = ?4, closed_at = ?5, words = ?6, bank_at = NULL \
             WHERE condition_id = ?1 AND case_id = ?2 AND status = 'open'",
            params![c.condition_id, case_id, c.status, c.closed_by, c.closed_at, c.words],
        )?;
        if changed != 1 {
            let now = self_condition(&tx, case_id, &c.condition_id)?;
            return Err(StoreError::ConditionClosed {
                case_id: case_id.to_string(),
                condition_id: c.condition_id.clone(),
                status: now.status,
            });
        }
        let at = c.closed_at.as_deref().unwrap_or_default();
        let by = c.closed_by.as_deref().unwrap_or_default();
        let kind = format!("condition_{}", c.status);
        insert_event(&tx, case_id, at, by, &kind, detail)?;
        if let Some(m) = outgoing {
            crate::sync::enqueue(&tx, case_id, &m.kind, &m.body, at)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The case's conditions in the order raised.
    pub fn conditions(&self, case_id: &str) -> Result<Vec<StoredCondition>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM case_conditions WHERE case_id = ?1 ORDER BY raised_at, id"
        ))?;
        let rows = stmt.query_map([case_id], row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One condition of the case.
    pub fn condition(&self, case_id: &str, condition_id: &str) -> Result<StoredCondition> {
        self_condition(&self.conn, case_id, condition_id)
    }

    /// Merges the bank's conditions of a case: a condition not kept here is added, one
    /// kept here takes the bank's standing (the bank decided which act came first) — except
    /// a close made here that the bank has not heard yet, which stays until the bank
    /// answers it. The history says each change. Returns how many conditions changed. A
    /// condition the bank holds under an id kept here for another case is left alone.
    pub fn merge_bank_conditions(
        &mut self,
        case_id: &str,
        bank: &[StoredCondition],
    ) -> Result<usize> {
        let tx = self.conn.transaction()?;
        let mut changed = 0;
        for c in bank {
            let here: Option<(String, String, Option<String>)> = tx
                .query_row(
                    "SELECT case_id, status, bank_at FROM case_conditions WHERE condition_id = ?1",
                    [&c.condition_id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            let event = match here {
                None => {
                    let n = tx.execute(
                        &format!(
                            "INSERT INTO case_conditions (case_id, {COLUMNS}) \
                             SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, NULL \
                             WHERE EXISTS (SELECT 1 FROM cases WHERE case_id = ?1)"
                        ),
                        params![
                            case_id,
                            c.condition_id,
                            c.text,
                            c.owner,
                            c.due,
                            c.stage,
                            c.raised_by,
                            c.raised_at,
                            c.status,
                            c.closed_by,
                            c.closed_at,
                            c.words,
                            c.bank_at
                        ],
                    )?;
                    (n == 1).then_some("condition_raised")
                }
                Some((on, _, _)) if !on.eq_ignore_ascii_case(case_id) => None,
                // Closed here, not yet heard by the bank, which still has it open.
                Some((_, status, None)) if status != "open" && c.status == "open" => None,
                Some((_, status, _)) => {
                    tx.execute(
                        "UPDATE case_conditions SET status = ?2, closed_by = ?3, closed_at = ?4, words = ?5, \
                         bank_at = ?6, refused = NULL WHERE condition_id = ?1",
                        params![c.condition_id, c.status, c.closed_by, c.closed_at, c.words, c.bank_at],
                    )?;
                    (status != c.status).then_some("condition_from_bank")
                }
            };
            if let Some(kind) = event {
                changed += 1;
                let detail = serde_json::json!({"condition_id": c.condition_id, "status": c.status, "from": "bank"}).to_string();
                let at = c.bank_at.as_deref().unwrap_or(&c.raised_at);
                let by = c.closed_by.as_deref().unwrap_or(&c.raised_by);
                insert_event(&tx, case_id, at, by, kind, &detail)?;
            }
        }
        tx.commit()?;
        Ok(changed)
    }

    /// The bank refused an act made here on a condition (`why`: its code and words): a
    /// refused raise leaves no condition (kept, marked, for the history); a refused close
    /// reopens it as the bank keeps it. Returns whether anything changed.
    pub fn condition_refused(
        &mut self,
        case_id: &str,
        condition_id: &str,
        raise: bool,
        why: &str,
        at: &str,
    ) -> Result<bool> {
        let tx = self.conn.transaction()?;
        let changed = if raise {
            tx.execute(
                "UPDATE case_conditions SET refused = ?3 \
                 WHERE condition_id = ?1 AND case_id = ?2 AND bank_at IS NULL AND refused IS NULL",
                params![condition_id, case_id, why],
            )?
        } else {
            tx.execute(
                "UPDATE case_conditions SET status = 'open', closed_by = NULL, closed_at = NULL, words = NULL \
                 WHERE condition_id = ?1 AND case_id = ?2 AND bank_at IS NULL AND status <> 'open'",
                params![condition_id, case_id],
            )?
        };
        if changed == 1 {
            let detail =
                serde_json::json!({"condition_id": condition_id, "refused": why}).to_string();
            insert_event(&tx, case_id, at, "core bank", "condition_refused", &detail)?;
        }
        tx.commit()?;
        Ok(changed == 1)
    }
}

#[cfg(test)]
mod tests;

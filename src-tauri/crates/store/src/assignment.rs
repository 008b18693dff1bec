//! Who works a case: a claim or a supervisor's reassignment made here (with its history
//! event and its message to the bank, in one transaction), and the bank's word on it.
//!
//! Invariant: the assignee and the time of the assignment change together — the SLA clock
//! and the workload count from `assigned_at`.

use rusqlite::{params, OptionalExtension};

use crate::cases::insert_event;
use crate::{Result, Store, StoreError};

impl Store {
    /// The case's assignee now (None: unassigned); `NotFound` for no such case.
    pub fn assignee(&self, case_id: &str) -> Result<Option<String>> {
        self.conn
            .query_row(
                "SELECT assignee FROM cases WHERE case_id = ?1",
                [case_id],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound(case_id.to_string()))
    }

    /// Gives the case to `assignee` at `at`, by `actor` (a claim when they are the same
    /// person), with its history event and (with a bank) its outbox entry.
    pub fn assign(
        &mut self,
        case_id: &str,
        assignee: &str,
        at: &str,
        actor: &str,
        detail: &str,
        outgoing: Option<&crate::sync::Outgoing>,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        let changed = tx.execute(
            "UPDATE cases SET assignee = ?2, assigned_at = ?3 WHERE case_id = ?1",
            params![case_id, assignee, at],
        )?;
        if changed != 1 {
            return Err(StoreError::NotFound(case_id.to_string()));
        }
        insert_event(&tx, case_id, at, actor, "assigned", detail)?;
        if let Some(m) = outgoing {
            crate::sync::enqueue(&tx, case_id, &m.kind, &m.body, at)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Takes the bank's assignee of a case when it differs from the one here; the history
    /// says so. Returns whether anything changed.
    pub fn hear_assignee(
        &mut self,
        case_id: &str,
        assignee: Option<&str>,
        at: &str,
        actor: &str,
    ) -> Result<bool> {
        let tx = self.conn.transaction()?;
        let changed = tx.execute(
            "UPDATE cases SET assignee = ?2, assigned_at = CASE WHEN ?2 IS NULL THEN NULL ELSE ?3 END \
             WHERE case_id = ?1 AND assignee IS NOT ?2",
            params![case_id, assignee, at],
        )?;
        if changed == 1 {
            let detail = serde_json::json!({"assignee": assignee, "from": "bank"}).to_string();
            insert_event(&tx, case_id, at, actor, "assigned", &detail)?;
        }
        tx.commit()?;
        Ok(changed == 1)
    }
}

#[cfg(test)]
mod tests;

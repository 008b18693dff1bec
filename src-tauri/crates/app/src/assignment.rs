//! Who works a case, as the service runs it: an underwriter claims an unassigned case, a
//! supervisor gives a case to another underwriter; the queue's "my cases" and the
//! dashboard's workload follow the assignee.
//!
//! Invariants:
//! - every assignment passes `uw_domain::assignment::give` first, then is written with its
//!   history event and its message to the bank in one transaction;
//! - with the bank's directory the giver signs it ([`api::assignment_bytes`]) and the bank
//!   decides (roles and branches from the directory, the race between two claims): its
//!   assignee wins at every desk's next sync, unless an assignment made here still waits
//!   to be sent;
//! - a standalone workstation gives a case only to an active local account with the
//!   underwriter role.

use serde::Serialize;
use ts_rs::TS;
use uw_bank_link::api::{self, Assignment};
use uw_domain::assignment::{self as rules, Giver};
use uw_domain::review::Stage;
use uw_store::Outgoing;

use crate::error::{AppError, ErrorCode, Result};
use crate::{now_rfc3339, Workstation};

/// The outbox's kind of an assignment for the bank.
pub const ASSIGNMENT: &str = "assignment";

/// Who works a case, and what the logged-in person may do about it.
#[derive(Clone, Debug, Serialize, TS)]
pub struct AssignmentView {
    pub case_id: String,
    pub assignee: Option<String>,
    /// The person may take the case now (an underwriter; the case an unassigned draft).
    pub may_claim: bool,
    /// The person may give it to someone else (a supervisor; the case a draft).
    pub may_reassign: bool,
    /// An assignment made here waits to be sent to the bank.
    pub waiting: bool,
}

fn refused(r: rules::Refusal) -> AppError {
    crate::error::domain_refusal(r.code(), r.to_string())
}

impl Workstation {
    /// Who works the case, and whether the logged-in person may claim or reassign it.
    pub fn case_assignment(&self, case_id: &str) -> Result<AssignmentView> {
        let s = self.require_session()?;
        let case_id = self.store()?.get_case(case_id)?.case_id;
        let assignee = self.store()?.assignee(&case_id)?;
        let stage = self.load_workflow(&case_id)?.stage;
        let giver = Giver {
            name: &s.username,
            underwriter: s.underwriter,
            supervisor: s.supervisor,
        };
        let may = |to: &str| rules::give(stage, assignee.as_deref(), giver, to).is_ok();
        let waiting = self.store()?.has_pending(&case_id, ASSIGNMENT)?;
        Ok(AssignmentView {
            may_claim: assignee.as_deref() != Some(s.username.as_str()) && may(&s.username),
            may_reassign: s.supervisor && may("someone-else"),
            assignee,
            waiting,
            case_id,
        })
    }

    /// The logged-in underwriter takes the case.
    pub fn claim_case(&self, case_id: &str) -> Result<AssignmentView> {
        let s = self.require_session()?;
        self.give_case(case_id, &s.username.clone())
    }

    /// A supervisor gives the case to `to`, an underwriter.
    pub fn reassign_case(&self, case_id: &str, to: &str) -> Result<AssignmentView> {
        self.give_case(case_id, to.trim())
    }

    fn give_case(&self, case_id: &str, to: &str) -> Result<AssignmentView> {
        let s = self.require_session()?;
        let case_id = self.store()?.get_case(case_id)?.case_id;
        let current = self.store()?.assignee(&case_id)?;
        let stage: Stage = self.load_workflow(&case_id)?.stage;
        let giver = Giver {
            name: &s.username,
            underwriter: s.underwriter,
            supervisor: s.supervisor,
        };
        rules::give(stage, current.as_deref(), giver, to).map_err(refused)?;
        if current.as_deref() == Some(to) {
            return self.case_assignment(&case_id);
        }
        if !self.directory_mode() {
            self.local_underwriter(to)?;
        }
        let at = now_rfc3339();
        let mut a = Assignment {
            assignee: to.to_string(),
            by: s.username.clone(),
            at: at.clone(),
            expected: current.clone(),
            algorithm: None,
            signature: None,
        };
        if let Some((algorithm, signature)) =
            self.sign_for_bank("an assignment", &api::assignment_bytes(&case_id, &a))?
        {
            a.algorithm = Some(algorithm);
            a.signature = Some(signature);
        }
        let outgoing = Outgoing {
            kind: ASSIGNMENT.to_string(),
            body: serde_json::to_string(&a)
                .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?,
        };
        let detail = serde_json::json!({"assignee": to, "before": current}).to_string();
        self.store()?
            .assign(&case_id, to, &at, &s.username, &detail, Some(&outgoing))?;
        self.case_assignment(&case_id)
    }

    /// A standalone workstation's underwriters are its active local accounts with the
    /// role.
    fn local_underwriter(&self, who: &str) -> Result<()> {
        let user = self.store()?.user(who)?;
        match user {
            Some(u) if u.is_underwriter && u.deactivated_at.is_none() => Ok(()),
            _ => Err(AppError::new(
                ErrorCode::AssigneeNotUnderwriter,
                format!("assignee: {who} is no active underwriter of this workstation"),
            )),
        }
    }
}

#[cfg(test)]
mod tests;

//! The approval's conditions beyond §6 as the service runs them: "approve subject to …"
//! raised with an owner, a due date and the disbursement stage that waits for it, then met
//! with the evidence or waived by a reviewer with the reason.
//!
//! Invariants:
//! - every change passes `uw_domain::approval_conditions::{raise, close}` first, then is
//!   written with its history event and its message to the bank in one transaction;
//! - the author is the logged-in person; with the bank's directory each act is signed with
//!   their key ([`api::condition_bytes`]), so the bank refuses one in another's name — and
//!   the bank checks the waiver's second person and every disbursement order against the
//!   conditions it keeps, whatever this desk says;
//! - a condition is not case data: it changes no version and makes no one an editor, so
//!   a reviewer who raises one stays free to sign the case off;
//! - the disbursement reads the stored conditions every time it plans or orders a stage
//!   (`Workstation::open_conditions`): an open one blocks its stage and every later one.
//!
//! Readings fixed here: a condition may be raised while the case is undecided or approved
//! (a rejected case moves no money), for a stage not ordered yet; it may be closed at any
//! stage. The bank's standing wins at every desk (it decides which act came first), except
//! a close made here that the bank has not heard yet; until the bank accepts a close, the
//! money is held as if the condition were open, and a raise the bank refuses holds nothing.

use serde::Serialize;
use ts_rs::TS;
use uw_bank_link::api::{self, ConditionAct, ConditionAction, RemoteCondition};
use uw_domain::approval_conditions::{
    self as rules, Actor, ApprovalCondition, CaseHands, Closing, NewCondition, Status,
};
use uw_domain::money::Date;
use uw_domain::review::Stage;
use uw_store::{Outgoing, StoredCondition};

use crate::error::{AppError, ErrorCode, Result};
use crate::{now_rfc3339, Workstation};

/// The outbox's kind of an act on a condition for the bank.
pub const CONDITION: &str = "condition";

/// A condition as the window shows it.
#[derive(Clone, Debug, Serialize, TS)]
pub struct ConditionView {
    pub condition: ApprovalCondition,
    /// Open with its due date behind the bank's business day.
    pub overdue: bool,
    /// An act made here waits for the bank (with a bank only); with a bank, a close
    /// counts once the bank accepted it.
    pub waiting: bool,
    /// The bank refused this condition's raise (its code and words): it holds nothing.
    pub refused: Option<String>,
    /// Whether the logged-in person may meet it, or waive it, now (the service's own
    /// check, run dry: the window offers what would be accepted).
    pub may_meet: bool,
    pub may_waive: bool,
}

fn refused(r: rules::Refusal) -> AppError {
    crate::error::domain_refusal(r.code(), r.to_string())
}

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::new(ErrorCode::Internal, e.to_string())
}

/// A stored condition in the domain's terms; a row that cannot be read is an error, never
/// skipped (it might be what keeps money from moving).
pub(crate) fn from_stored(s: &StoredCondition) -> Result<ApprovalCondition> {
    let unreadable = |what: &str| internal(format!("stored condition {}: {what}", s.condition_id));
    Ok(ApprovalCondition {
        condition_id: s.condition_id.clone(),
        text: s.text.clone(),
        owner: s.owner.clone(),
        due: s
            .due
            .parse::<Date>()
            .map_err(|_| unreadable("the due date is not a date"))?,
        stage: s.stage,
        raised_by: s.raised_by.clone(),
        raised_at: s.raised_at.clone(),
        status: Status::parse(&s.status).ok_or_else(|| unreadable("an unknown status"))?,
        closed_by: s.closed_by.clone(),
        closed_at: s.closed_at.clone(),
        words: s.words.clone(),
    })
}

fn to_stored(c: &ApprovalCondition) -> StoredCondition {
    StoredCondition {
        condition_id: c.condition_id.clone(),
        text: c.text.clone(),
        owner: c.owner.clone(),
        due: c.due.to_string(),
        stage: c.stage,
        raised_by: c.raised_by.clone(),
        raised_at: c.raised_at.clone(),
        status: c.status.as_str().to_string(),
        closed_by: c.closed_by.clone(),
        closed_at: c.closed_at.clone(),
        words: c.words.clone(),
        bank_at: None,
        refused: None,
    }
}

/// A condition the bank served, as the store keeps it; None for one whose due date is no
/// date (the bank checks its own; this desk does not take it on trust).
pub(crate) fn from_bank(c: &RemoteCondition) -> Option<StoredCondition> {
    c.due.parse::<Date>().ok()?;
    Some(StoredCondition {
        condition_id: c.condition_id.clone(),
        text: c.text.clone(),
        owner: c.owner.clone(),
        due: c.due.clone(),
        stage: c.stage,
        raised_by: c.raised_by.clone(),
        raised_at: c.raised_at.clone(),
        status: c.status.clone(),
        closed_by: c.closed_by.clone(),
        closed_at: c.closed_at.clone(),
        words: c.words.clone(),
        bank_at: Some(c.accepted_at.clone()),
        refused: None,
    })
}

/// Who made or edited the case: they close none of its conditions.
fn makers(w: &uw_domain::review::Workflow) -> Vec<&str> {
    w.maker
        .iter()
        .chain(w.editors.iter())
        .map(String::as_str)
        .collect()
}

impl Workstation {
    /// The case's conditions beyond §6, in the order raised.
    pub fn conditions(&self, case_id: &str) -> Result<Vec<ConditionView>> {
        let session = self.require_session()?;
        let case_id = self.store()?.get_case(case_id)?.case_id;
        let w = self.load_workflow(&case_id)?;
        let makers = makers(&w);
        let hands = CaseHands {
            stage: w.stage,
            makers: &makers,
        };
        let actor = Actor {
            name: &session.username,
            underwriter: session.underwriter,
            reviewer: session.reviewer,
        };
        let may = |c: &ApprovalCondition, how| rules::close(c, how, "-", actor, hands, "-").is_ok();
        let today = crate::disbursement::today();
        let bank = self.bank_configured();
        let stored = self.store()?.conditions(&case_id)?;
        stored
            .iter()
            .map(|s| {
                let condition = from_stored(s)?;
                let live = s.refused.is_none();
                Ok(ConditionView {
                    overdue: live && condition.overdue(today),
                    waiting: bank && live && s.bank_at.is_none(),
                    may_meet: live && may(&condition, Closing::Meet),
                    may_waive: live && may(&condition, Closing::Waive),
                    refused: s.refused.clone(),
                    condition,
                })
            })
            .collect()
    }

    /// What the disbursement waits for: the case's conditions as stored — without the
    /// raises the bank refused, and, with a bank, with a close it has not accepted yet
    /// still open (the bank judges it; until then no money moves on this desk's word).
    pub(crate) fn stored_conditions(&self, case_id: &str) -> Result<Vec<ApprovalCondition>> {
        let bank = self.bank_configured();
        let stored = self.store()?.conditions(case_id)?;
        stored
            .iter()
            .filter(|s| s.refused.is_none())
            .map(|s| {
                let mut c = from_stored(s)?;
                if bank && s.bank_at.is_none() {
                    c.status = Status::Open;
                }
                Ok(c)
            })
            .collect()
    }

    /// Raises a condition of the approval as the logged-in person; returns the list.
    pub fn raise_condition(&self, case_id: &str, new: &NewCondition) -> Result<Vec<ConditionView>> {
        let s = self.require_session()?;
        let (_, case) = self.stored_case(case_id)?;
        let case_id = case.case_id.clone();
        let stage = self.load_workflow(&case_id)?.stage;
        if stage == Stage::Rejected {
            return Err(AppError::new(
                ErrorCode::WrongStage,
                format!(
                    "{case_id} is rejected: a rejected case moves no money and takes no condition"
                ),
            ));
        }
        if case.disbursement.order(new.stage).is_some() {
            return Err(AppError::new(
                ErrorCode::WrongStage,
                format!("stage: stage {} of {case_id} is ordered already: a condition for it comes too late", new.stage),
            ));
        }
        let at = now_rfc3339();
        let actor = Actor {
            name: &s.username,
            underwriter: s.underwriter,
            reviewer: s.reviewer,
        };
        let c = rules::raise(
            &crate::notes::new_id(),
            new,
            actor,
            &at,
            crate::disbursement::today(),
        )
        .map_err(refused)?;
        let act = ConditionAct {
            condition_id: c.condition_id.clone(),
            action: ConditionAction::Raise,
            author: c.raised_by.clone(),
            at: c.raised_at.clone(),
            text: Some(c.text.clone()),
            owner: Some(c.owner.clone()),
            due: Some(c.due.to_string()),
            stage: Some(c.stage),
            words: None,
            algorithm: None,
            signature: None,
        };
        let outgoing = self.condition_message(&case_id, act)?;
        let detail = serde_json::json!({
            "condition_id": c.condition_id, "text": c.text, "owner": c.owner,
            "due": c.due, "stage": c.stage,
        })
        .to_string();
        self.store()?
            .raise_condition(&case_id, &to_stored(&c), &detail, Some(&outgoing))?;
        self.conditions(&case_id)
    }

    /// Meets (with the evidence) or waives (with the reason) an open condition as the
    /// logged-in person; returns the list.
    pub fn close_condition(
        &self,
        case_id: &str,
        condition_id: &str,
        how: Closing,
        words: &str,
    ) -> Result<Vec<ConditionView>> {
        let s = self.require_session()?;
        let case_id = self.store()?.get_case(case_id)?.case_id;
        let kept = from_stored(&self.store()?.condition(&case_id, condition_id)?)?;
        let w = self.load_workflow(&case_id)?;
        let makers = makers(&w);
        let hands = CaseHands {
            stage: w.stage,
            makers: &makers,
        };
        let actor = Actor {
            name: &s.username,
            underwriter: s.underwriter,
            reviewer: s.reviewer,
        };
        let at = now_rfc3339();
        let c = rules::close(&kept, how, words, actor, hands, &at).map_err(refused)?;
        let act = ConditionAct {
            condition_id: c.condition_id.clone(),
            action: match how {
                Closing::Meet => ConditionAction::Meet,
                Closing::Waive => ConditionAction::Waive,
            },
            author: s.username.clone(),
            at,
            text: None,
            owner: None,
            due: None,
            stage: None,
            words: c.words.clone(),
            algorithm: None,
            signature: None,
        };
        let outgoing = self.condition_message(&case_id, act)?;
        let detail = serde_json::json!({
            "condition_id": c.condition_id, "status": c.status, "words": c.words,
        })
        .to_string();
        self.store()?
            .close_condition(&case_id, &to_stored(&c), &detail, Some(&outgoing))?;
        self.conditions(&case_id)
    }

    /// The bank refused an act made here (`entry`): a raise leaves no condition, a close
    /// reopens it until the bank's word comes with the case.
    pub(crate) fn condition_act_refused(
        &self,
        case_id: &str,
        entry: &uw_store::OutboxEntry,
        code: &str,
        message: &str,
    ) -> Result<()> {
        let Ok(act) = serde_json::from_str::<ConditionAct>(&entry.body) else {
            return Ok(());
        };
        let raise = act.action == ConditionAction::Raise;
        self.store()?.condition_refused(
            case_id,
            &act.condition_id,
            raise,
            &format!("{code}: {message}"),
            &now_rfc3339(),
        )?;
        Ok(())
    }

    /// The act as the bank's message, signed with the author's key in the directory mode.
    fn condition_message(&self, case_id: &str, mut act: ConditionAct) -> Result<Outgoing> {
        if let Some((algorithm, signature)) =
            self.sign_for_bank("a condition", &api::condition_bytes(case_id, &act))?
        {
            act.algorithm = Some(algorithm);
            act.signature = Some(signature);
        }
        Ok(Outgoing {
            kind: CONDITION.to_string(),
            body: serde_json::to_string(&act).map_err(internal)?,
        })
    }
}

#[cfg(test)]
mod tests;

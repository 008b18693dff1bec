//! The vehicle's prohibition in the Pledge Registry, the conditions before disbursement
//! (§6) and the two-stage disbursement (§8), as the service runs them.
//!
//! Invariant: a disbursement order exists only if `uw_domain::disbursement::order`
//! accepted the stored case at the moment of ordering — with the engine's decision worked
//! out again and the workflow's sign-off read from the store — so stage 2 cannot be made
//! without a registered prohibition, whichever window or command asks. The order, the new
//! case version and the message to the core bank land in one transaction.
//!
//! The prohibition request and the orders travel through the outbox like every change, so
//! they wait there while the bank is offline and are applied once however often they are
//! sent. The registry's answers (to a request, and the periodic checks of the sync pass)
//! become the case's lien status and timeline.

use chrono::{FixedOffset, Utc};
use serde::Serialize;
use serde_json::json;
use ts_rs::TS;
use uw_bank_link::api::{CaseMessage, MessageKind, PledgeState, PledgeStatus, StatementAction};
use uw_bank_link::{Bank, LinkError};
use uw_domain::approval_conditions::ApprovalCondition;
use uw_domain::case::{to_json_pretty, DeliveryNotice, LienStatus, Pledge, SellerKind};
use uw_domain::decision::{conditions_at, Condition};
use uw_domain::disbursement::{self, Approval, Fact, StagePlan};
use uw_domain::lien::{self, Seen, REGISTRY};
use uw_domain::money::{Date, Money};
use uw_domain::review::Stage;
use uw_domain::CaseFile;
use uw_store::Outgoing;

use crate::error::{AppError, ErrorCode, Result};
use crate::sync::SyncReport;
use crate::{now_rfc3339, Workstation};

/// The outbox kind of a request for a prohibition (its body: `{"vin": …}`).
pub const PLEDGE_REQUEST: &str = "pledge_request";

/// Everything the disbursement step shows.
#[derive(Clone, Debug, Serialize, TS)]
pub struct DisbursementView {
    pub case_id: String,
    pub version: i64,
    /// The review workflow's stage: only an approved case moves money.
    pub stage: Stage,
    pub seller_kind: SellerKind,
    pub vin: String,
    pub lien: Pledge,
    /// The workstation's request waits in the outbox (the bank is not reached yet).
    pub request_waiting: bool,
    /// §6 as it stands for money moving today.
    pub conditions: Vec<Condition>,
    pub stages: Vec<StagePlan>,
    pub advance: Option<Money>,
    pub delivery_notice: Option<DeliveryNotice>,
    /// The bank's business day (Tashkent) the view was worked out for.
    pub today: Date,
}

/// The bank's business day: Tashkent is UTC+5 all year.
pub(crate) fn today() -> Date {
    let now = Utc::now();
    Date(
        FixedOffset::east_opt(5 * 3600)
            .map_or(now.date_naive(), |tz| now.with_timezone(&tz).date_naive()),
    )
}

fn lien_status(s: PledgeState) -> LienStatus {
    match s {
        PledgeState::None => LienStatus::None,
        PledgeState::Requested => LienStatus::Requested,
        PledgeState::Registered => LienStatus::Registered,
        PledgeState::Released => LienStatus::Released,
        PledgeState::Foreign => LienStatus::Foreign,
    }
}

/// What the registry said, in the case's terms, with the registry's own time for it.
fn seen(p: &PledgeStatus) -> Seen {
    let at = match p.status {
        PledgeState::Requested => p.requested_at.clone(),
        PledgeState::Registered => p.registered_at.clone(),
        PledgeState::Released => p.released_at.clone(),
        PledgeState::None | PledgeState::Foreign => None,
    };
    Seen {
        status: lien_status(p.status),
        creditor: p.creditor.clone(),
        at,
    }
}

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::new(ErrorCode::Internal, e.to_string())
}

impl Workstation {
    /// The lien, the conditions and both stages of a case, as of today.
    pub fn disbursement(&self, case_id: &str) -> Result<DisbursementView> {
        let (stored, case) = self.stored_case(case_id)?;
        let stage = self.load_workflow(case_id)?.stage;
        let today = today();
        let conditions = self.stored_conditions(case_id)?;
        let approval = self.approval(&case, stage, &conditions);
        Ok(DisbursementView {
            case_id: stored.case_id,
            version: stored.version,
            stage,
            seller_kind: case.vehicle.seller_kind,
            vin: case.vehicle.vin.clone(),
            request_waiting: self.store()?.has_pending(case_id, PLEDGE_REQUEST)?,
            conditions: conditions_at(&case, today),
            stages: disbursement::plan(&case, approval, today),
            advance: case.disbursement.advance,
            delivery_notice: case.disbursement.delivery_notice.clone(),
            lien: case.pledge,
            today,
        })
    }

    fn approval<'a>(
        &self,
        case: &CaseFile,
        stage: Stage,
        conditions: &'a [ApprovalCondition],
    ) -> Approval<'a> {
        Approval {
            decision: self.evaluate_case(case).decision,
            signed_off: stage == Stage::Approved,
            conditions,
        }
    }

    /// Who may move a case's money: a logged-in underwriter (the command line, which has
    /// no login, acts as its operating-system user).
    fn disburser(&self, action: &'static str) -> Result<String> {
        let (actor, roles) = self.acting()?;
        if !roles.underwriter {
            return Err(AppError::new(
                ErrorCode::MissingRole,
                format!("{actor} lacks the underwriter role needed to {action}"),
            ));
        }
        Ok(actor)
    }

    /// Only an approved case asks for a prohibition or moves money.
    fn require_approved(&self, case_id: &str, what: &str) -> Result<Stage> {
        let stage = self.load_workflow(case_id)?.stage;
        if stage != Stage::Approved {
            return Err(AppError::new(
                ErrorCode::WrongStage,
                format!(
                    "{case_id} is {}: {what} waits for an approval signed by a second person",
                    stage.as_str()
                ),
            ));
        }
        Ok(stage)
    }

    /// Asks the Pledge Registry for a prohibition on the case's VIN in the bank's favour.
    /// Idempotent: while one is requested (sent or waiting in the outbox) or registered,
    /// asking again changes nothing. Another creditor's prohibition refuses it.
    pub fn request_lien(&self, case_id: &str) -> Result<DisbursementView> {
        let actor = self.disburser("request a prohibition")?;
        self.require_approved(case_id, "the prohibition request")?;
        let (stored, case) = self.stored_case(case_id)?;
        let vin = self.check_vin(&case.vehicle.vin);
        if !vin.valid {
            return Err(AppError::new(
                ErrorCode::InvalidInput,
                format!("vehicle.vin: {} ({})", vin.vin, vin.errors.join("; ")),
            ));
        }
        if self.store()?.has_pending(case_id, PLEDGE_REQUEST)? {
            return self.disbursement(case_id);
        }
        let at = now_rfc3339();
        let pledge = lien::request(&case.pledge, &actor, &at)
            .map_err(|e| AppError::new(ErrorCode::ForeignLien, e.to_string()))?;
        let Some(pledge) = pledge else {
            return self.disbursement(case_id);
        };
        let mut next = case.clone();
        next.pledge = pledge;
        let outgoing = Outgoing {
            kind: PLEDGE_REQUEST.into(),
            body: json!({ "vin": vin.vin }).to_string(),
        };
        self.write_change(
            &next,
            stored.version,
            &actor,
            ("lien_requested", json!({ "vin": vin.vin })),
            &[outgoing],
        )?;
        self.disbursement(case_id)
    }

    /// Asks the registry now what it holds for the case's VIN (the window's "check now").
    pub fn refresh_lien(&self, case_id: &str) -> Result<DisbursementView> {
        let bank = self.bank()?;
        let (_, case) = self.stored_case(case_id)?;
        let vin = case.vehicle.vin.trim().to_uppercase();
        let status = bank.pledge(&vin)?;
        self.hear_registry(case_id, &status)?;
        self.disbursement(case_id)
    }

    /// Records a fact the disbursement needs (the contract's advance, the delivery
    /// notice, a policy, the down-payment proof). None of them is an input of the decision,
    /// so an approved case takes them without a new review; before approval they are an
    /// edit like any other.
    pub fn record_disbursement_fact(
        &self,
        case_id: &str,
        expected_version: i64,
        fact: Fact,
    ) -> Result<DisbursementView> {
        let stage = self.load_workflow(case_id)?.stage;
        let actor = match stage {
            Stage::Approved => {
                let actor = self.disburser("record what the disbursement needs")?;
                self.hold_case(case_id, &actor)?;
                actor
            }
            // An edit of an undecided case; a rejected one is refused here.
            _ => self.note_edit(case_id)?,
        };
        let (_, case) = self.stored_case(case_id)?;
        let next = disbursement::record(&case, &fact)
            .map_err(|e| AppError::new(ErrorCode::InvalidInput, e.to_string()))?;
        // The domain's promise, checked where it matters: the signed decision stands.
        let (before, after) = (self.evaluate_case(&case), self.evaluate_case(&next));
        if before.decision != after.decision || before.reasons != after.reasons {
            return Err(internal(format!(
                "recording the {} would change the decision of {case_id}",
                fact.name()
            )));
        }
        let detail = serde_json::to_value(&fact).map_err(internal)?;
        self.write_change(
            &next,
            expected_version,
            &actor,
            ("disbursement_fact", detail),
            &[],
        )?;
        self.disbursement(case_id)
    }

    /// Makes the order of `stage` (1 or 2) and sends it to the core bank through the
    /// outbox, or refuses naming everything that blocks it.
    pub fn order_disbursement(
        &self,
        case_id: &str,
        expected_version: i64,
        stage: u8,
    ) -> Result<DisbursementView> {
        if !(1..=2).contains(&stage) {
            return Err(AppError::new(
                ErrorCode::InvalidInput,
                format!("stage: must be 1 or 2, got {stage}"),
            ));
        }
        let actor = self.disburser("order a disbursement")?;
        self.require_anchored()?;
        self.check_approved_terms(case_id, "a disbursement order")?;
        // The check runs on the stored case; the write below succeeds only if that is
        // still the version the user saw (`expected_version`).
        let (_, case) = self.stored_case(case_id)?;
        let workflow = self.load_workflow(case_id)?.stage;
        let conditions = self.stored_conditions(case_id)?;
        let at = now_rfc3339();
        let order = disbursement::order(
            &case,
            self.approval(&case, workflow, &conditions),
            stage,
            today(),
            &at,
            &actor,
        )
        .map_err(|blockers| {
            let list: Vec<String> = blockers
                .iter()
                .map(|b| format!("{}: {b}", b.code()))
                .collect();
            AppError::new(
                ErrorCode::DisbursementBlocked,
                format!(
                    "stage {stage} of {case_id} cannot be ordered: {}",
                    list.join("; ")
                ),
            )
        })?;
        let mut next = case.clone();
        next.disbursement.orders.push(order.clone());
        // The order's own statement names the version that records it (directory mode).
        let statement = if self.directory_mode() {
            let json = to_json_pretty(&next);
            let hash = uw_bank_link::api::content_hash(&json)
                .ok_or_else(|| internal("a case version that is not JSON"))?;
            let action = if stage == 1 {
                StatementAction::OrderStage1
            } else {
                StatementAction::OrderStage2
            };
            let figures = Some(self.statement_figures(&next));
            let st = self.statement(case_id, expected_version + 1, hash, action, figures)?;
            Some(self.sign(st)?)
        } else {
            None
        };
        let mut message = CaseMessage {
            kind: MessageKind::DisbursementOrder,
            body: json!({
                "case_id": case_id,
                "stage": order.stage,
                "amount": order.amount,
                "funds": order.funds,
                "payee": order.payee,
                "value_date": order.value_date,
                "vin": case.vehicle.vin.trim().to_uppercase(),
                "seller_kind": case.vehicle.seller_kind,
                "created_by": order.created_by,
                "created_at": order.created_at,
                "evidence": order.evidence,
            }),
        };
        if let Some(st) = statement {
            message.body["statement"] = serde_json::to_value(st).map_err(internal)?;
        }
        let outgoing = Outgoing {
            kind: MessageKind::DisbursementOrder.as_str().into(),
            body: serde_json::to_string(&message).map_err(internal)?,
        };
        self.write_change(
            &next,
            expected_version,
            &actor,
            (
                "disbursement_order",
                json!({ "stage": order.stage, "amount": order.amount, "funds": order.funds }),
            ),
            &[outgoing],
        )?;
        self.disbursement(case_id)
    }

    /// Writes a changed case at its stored queue status, with its audit entry and the
    /// messages for the bank, in one transaction. A person's change carries their signed
    /// statement; the registry's does not go to the bank as a version (`crate::statements`).
    fn write_change(
        &self,
        case: &CaseFile,
        expected_version: i64,
        actor: &str,
        (event, detail): (&str, serde_json::Value),
        outgoing: &[Outgoing],
    ) -> Result<()> {
        let status = self.store()?.get_case(&case.case_id)?.status;
        let row = self.row_for(case, to_json_pretty(case), &status);
        let push = if actor == REGISTRY {
            self.system_push()
        } else {
            self.version_push(
                case,
                &row.case_json,
                expected_version + 1,
                StatementAction::Edit,
                None,
            )?
        };
        self.store()?.update_case_and_workflow(
            &row,
            expected_version,
            None,
            &now_rfc3339(),
            actor,
            &[(event.to_string(), detail.to_string())],
            outgoing,
            push.as_store(),
        )?;
        Ok(())
    }

    /// Takes what the registry said of the case's VIN into the case (a new version and a
    /// timeline event) when it changed anything.
    pub(crate) fn hear_registry(&self, case_id: &str, status: &PledgeStatus) -> Result<()> {
        // A user may save the case meanwhile: read again and retry once.
        for attempt in 0..2 {
            match self.hear_registry_on(case_id, None, status) {
                Err(e) if e.code == ErrorCode::VersionConflict && attempt == 0 => continue,
                other => return other.map(drop),
            }
        }
        Ok(())
    }

    /// What the registry said, recorded on exactly version `expected` of the case (None:
    /// the stored one; a version written meanwhile is a conflict, never overwritten); the
    /// version after it.
    pub(crate) fn hear_registry_on(
        &self,
        case_id: &str,
        expected: Option<i64>,
        status: &PledgeStatus,
    ) -> Result<i64> {
        let (stored, case) = self.stored_case(case_id)?;
        let expected = expected.unwrap_or(stored.version);
        if stored.version != expected {
            return Err(AppError::new(
                ErrorCode::VersionConflict,
                format!(
                    "case {case_id} is at version {}, not {expected}: reopen it",
                    stored.version
                ),
            ));
        }
        let Some(pledge) = lien::observe(&case.pledge, &seen(status), &now_rfc3339()) else {
            return Ok(expected);
        };
        let mut next = case;
        next.pledge = pledge;
        let detail = json!({ "status": next.pledge.vin_lien, "creditor": next.pledge.creditor });
        self.write_change(&next, expected, REGISTRY, ("lien_status", detail), &[])?;
        Ok(expected + 1)
    }

    /// The sync pass's check of the registry for every approved case whose final
    /// payment is still to come (and whose own request is not waiting to be sent), and —
    /// the lien watch — once a day for every case paid out: a release or another
    /// creditor's prohibition on a paid-out loan's car is an alert on the dashboard.
    pub(crate) fn refresh_liens(&self, bank: &Bank, report: &mut SyncReport) {
        let ids = match self
            .store()
            .and_then(|s| Ok(s.case_ids_with_status(Stage::Approved.as_str())?))
        {
            Ok(ids) => ids,
            Err(e) => {
                report.error_codes.push(e.code);
                return report
                    .errors
                    .push(format!("Pledge Registry: {}", e.message));
            }
        };
        let now = chrono::Utc::now();
        for id in ids {
            let checked = (|| -> Result<()> {
                let (_, case) = self.stored_case(&id)?;
                let store = self.store()?;
                if store.has_pending(&id, PLEDGE_REQUEST)? || store.has_open_conflict(&id)? {
                    return Ok(());
                }
                let paid_out = case.disbursement.order(2).is_some();
                if paid_out && !lien_watch_due(store.lien_checked_at(&id)?.as_deref(), now) {
                    return Ok(());
                }
                drop(store);
                let heard = bank
                    .pledge(&case.vehicle.vin.trim().to_uppercase())
                    .map_err(AppError::from)
                    .and_then(|status| self.hear_registry(&id, &status).map(|()| status));
                let status = match heard {
                    Ok(s) => s,
                    // A paid-out case's failed check still counts as today's (an offline
                    // bank ends the pass anyway): no registry call at every pass.
                    Err(e) if paid_out && e.code != ErrorCode::BankOffline => {
                        self.store()?.touch_lien_watch(&id, &now_rfc3339())?;
                        return Err(e);
                    }
                    Err(e) => return Err(e),
                };
                if paid_out {
                    self.store()?.record_lien_watch(
                        &id,
                        &now_rfc3339(),
                        lien_status(status.status).as_str(),
                        status.creditor.as_deref(),
                        status.status == PledgeState::Registered,
                    )?;
                }
                Ok(())
            })();
            if let Err(e) = checked {
                let offline = e.code == ErrorCode::BankOffline;
                report.error_codes.push(e.code);
                report
                    .errors
                    .push(format!("case {id}: Pledge Registry: {}", e.message));
                if offline {
                    return;
                }
            }
        }
    }
}

/// How often the sync asks the registry about a paid-out case's lien. Reading fixed here
/// (the passport says only that the car is pledged to the bank for the loan's life): once
/// a day — a release or another creditor's prohibition is then on the dashboard by the
/// next working morning, at one registry question per loan and day. A check that fails
/// (but for an offline bank) counts as the day's. The loan's repayment is not modelled, so
/// a release after it would show as an alert too.
const LIEN_WATCH_EVERY: chrono::Duration = chrono::Duration::hours(24);

/// Whether a paid-out case's lien is due for the watch: never asked, asked a day ago or
/// more, asked "in the future" (a clock set back must not switch the watch off), or at a
/// time that does not read.
fn lien_watch_due(checked_at: Option<&str>, now: chrono::DateTime<chrono::Utc>) -> bool {
    checked_at
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .is_none_or(|t| {
            let since = now.signed_duration_since(t);
            since >= LIEN_WATCH_EVERY || since < chrono::Duration::zero()
        })
}

/// Sends a prohibition request from the outbox. Another creditor's prohibition is an
/// answer, not a failure: the entry is done and the case learns whose it is.
pub(crate) fn send_pledge_request(
    bank: &Bank,
    body: &str,
    key: &str,
) -> Result<(String, PledgeStatus), LinkError> {
    let vin = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("vin").and_then(|v| v.as_str()).map(str::to_string))
        .ok_or_else(|| LinkError::Rejected {
            status: 0,
            code: "OUTBOX_ENTRY_UNREADABLE".into(),
            message: format!("pledge request without a VIN: {body}"),
        })?;
    match bank.request_pledge(&vin, key) {
        Ok(status) => Ok((serde_json::to_string(&status).unwrap_or_default(), status)),
        Err(LinkError::Rejected { code, message, .. }) if code == "FOREIGN_PLEDGE" => {
            let status = bank.pledge(&vin)?;
            Ok((
                json!({ "code": code, "message": message }).to_string(),
                status,
            ))
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
pub(crate) mod tests;

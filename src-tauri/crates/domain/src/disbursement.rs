//! The two-stage disbursement of an approved case (rule book §8) and what blocks each
//! stage (§6).
//!
//! Invariant: [`order`] is the only way a disbursement order comes into being, and it
//! makes one only when [`plan`] finds nothing blocking the stage; the application service
//! calls it with the stored case every time, so no window or command can order stage 2 —
//! or any loan money — without the bank's registered prohibition.
//!
//! Readings fixed here:
//! - The passport wins over the rule book. The rule book's C-LIEN blocks "the final
//!   (stage 2) payment only"; the original passport says no loan money moves without the
//!   VIN prohibition ("VIN raqami asosida taqiqqa olinmasdan kredit ajratilishi mumkin
//!   emas", §3; "… VIN raqami asosida taqiqqa olingandan soʻng kredit ajratilishi lozim",
//!   §5.1). So every stage that pays loan money waits for the registered prohibition: both
//!   stages of a manufacturer or official dealer (the advance is loan money), stage 2 of a
//!   seller with the car in stock. Stage 1 of the latter moves only the client's own down
//!   payment and does not wait for it.
//! - "Before money moves" (§6): every stage needs both insurance policies covering its
//!   own value date to maturity and the down-payment proof verified. A stage's value date
//!   is the day its order is made (the bank's business day, in Tashkent), and the order
//!   keeps the §6 conditions as they stood that day: its evidence.
//! - The facts recorded after the sign-off (the advance, the delivery notice, a policy,
//!   the down-payment proof) are not inputs of the decision ([`Fact`]), so they need no
//!   new review; the service checks that the decision and its reasons stay unchanged. A
//!   new down-payment proof replaces the earlier one, unlike a required document, whose
//!   rejected version stays on the record.
//! - Manufacturer or official dealer: stage 1 pays the seller the advance the purchase
//!   contract asks for (recorded from the contract; it must be below the loan amount, or
//!   stage 2 would be nothing); stage 2 pays the rest of the loan after the delivery
//!   notice.
//! - Seller with the car in stock: stage 1 is the client's down payment to the seller;
//!   stage 2 pays the whole loan.
//! - A private seller is not eligible (P-VEH-SELLER): such a case is never approved, and
//!   nothing is ever ordered for it.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::approval_conditions::{self, ApprovalCondition};
use crate::case::{
    validate, CaseError, CaseFile, DeliveryNotice, DisbursementOrder, Document, DocumentKind,
    DocumentStatus, Evidence, Funds, InsurancePolicy, LienStatus, SellerKind,
};
use crate::decision::{conditions_at, ConditionStatus, Decision};
use crate::money::{Date, Money};

/// Why a stage cannot be ordered, each with a stable code ([`Blocker::code`]); the window
/// receives them as [`BlockerView`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Blocker {
    #[error("the engine's decision is {decision}, not approve")]
    NotApproved { decision: String },
    #[error("the decision is not signed off by a second person")]
    NotReviewed,
    #[error("a private seller is not eligible (P-VEH-SELLER)")]
    SellerNotEligible,
    #[error("{rule} {message}")]
    Condition {
        rule: crate::rule::Rule,
        code: String,
        message: String,
    },
    #[error("the advance of the purchase contract is not recorded")]
    AdvanceMissing,
    #[error("the contract's advance {advance} is not below the loan amount {amount}")]
    AdvanceTooLarge { advance: Money, amount: Money },
    #[error("stage 1 has not been ordered yet")]
    StageOneFirst,
    #[error("the seller's delivery notice is not recorded")]
    DeliveryNoticeMissing,
    #[error("the VIN prohibition in the bank's favour is not registered (it is {status}); no loan money moves before it")]
    LienNotRegistered { status: String },
    #[error("{creditor} holds a prohibition on this VIN: it must be released and the bank's registered before any loan money moves")]
    ForeignLien { creditor: String },
    #[error("stage {stage} was ordered already")]
    AlreadyOrdered { stage: u8 },
    #[error(
        "the condition \"{text}\" ({owner}, due {due}) is open: it must be met or waived first"
    )]
    ConditionOpen {
        id: String,
        text: String,
        owner: String,
        due: Date,
    },
}

impl Blocker {
    pub fn code(&self) -> String {
        match self {
            Blocker::NotApproved { .. } => "NOT_APPROVED".into(),
            Blocker::NotReviewed => "NOT_REVIEWED".into(),
            Blocker::SellerNotEligible => "SELLER_NOT_ELIGIBLE".into(),
            Blocker::Condition { code, .. } => code.clone(),
            Blocker::AdvanceMissing => "ADVANCE_MISSING".into(),
            Blocker::AdvanceTooLarge { .. } => "ADVANCE_TOO_LARGE".into(),
            Blocker::StageOneFirst => "STAGE_1_FIRST".into(),
            Blocker::DeliveryNoticeMissing => "DELIVERY_NOTICE_MISSING".into(),
            Blocker::LienNotRegistered { .. } => "VIN_LIEN".into(),
            Blocker::ForeignLien { .. } => "FOREIGN_LIEN".into(),
            Blocker::AlreadyOrdered { .. } => "ALREADY_ORDERED".into(),
            Blocker::ConditionOpen { .. } => "CONDITION_OPEN".into(),
        }
    }
}

/// One stage as it stands: what it would pay, and what blocks it (empty: it may be
/// ordered), or the order already made.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct StagePlan {
    pub stage: u8,
    /// What the stage is, in the rule book's words for the case's seller.
    pub description: String,
    pub funds: Funds,
    /// `None` while the amount cannot be known (the advance is not recorded).
    pub amount: Option<Money>,
    pub blockers: Vec<BlockerView>,
    pub order: Option<DisbursementOrder>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct BlockerView {
    pub code: String,
    pub message: String,
}

/// Where the case stands for the disbursement, as the caller knows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Approval<'a> {
    /// The engine's decision on the stored case.
    pub decision: Decision,
    /// The workflow says a second person approved it.
    pub signed_off: bool,
    /// The approval's conditions beyond §6 ([`crate::approval_conditions`]): an open one
    /// blocks the stage it names and every later one.
    pub conditions: &'a [ApprovalCondition],
}

fn dealer(kind: SellerKind) -> bool {
    matches!(kind, SellerKind::Manufacturer | SellerKind::OfficialDealer)
}

/// Both stages as they stand on `today`.
pub fn plan(case: &CaseFile, approval: Approval, today: Date) -> Vec<StagePlan> {
    [1, 2]
        .into_iter()
        .map(|stage| {
            let (description, funds, amount) = terms(case, stage);
            let order = case.disbursement.order(stage).cloned();
            let blockers = match &order {
                Some(_) => Vec::new(),
                None => blockers(case, approval, stage, today),
            };
            StagePlan {
                stage,
                description,
                funds,
                amount,
                blockers: blockers
                    .iter()
                    .map(|b| BlockerView {
                        code: b.code(),
                        message: b.to_string(),
                    })
                    .collect(),
                order,
            }
        })
        .collect()
}

/// What a stage pays and from whose money.
fn terms(case: &CaseFile, stage: u8) -> (String, Funds, Option<Money>) {
    let loan = case.loan.amount;
    let advance = case.disbursement.advance;
    match (dealer(case.vehicle.seller_kind), stage) {
        (true, 1) => (
            "once the VIN prohibition is registered, the loan pays the seller the advance due under the purchase contract".into(),
            Funds::Loan,
            advance,
        ),
        (true, _) => (
            "after the delivery notice, with the VIN prohibition registered, the loan pays the rest".into(),
            Funds::Loan,
            advance
                .filter(|a| *a < loan)
                .and_then(|a| loan.checked_sub(a)),
        ),
        (false, 1) => (
            "the client's down payment goes to the seller".into(),
            Funds::DownPayment,
            Some(case.loan.down_payment),
        ),
        (false, _) => (
            "once the VIN prohibition is registered, the loan pays the seller the rest".into(),
            Funds::Loan,
            Some(loan),
        ),
    }
}

/// Everything that keeps `stage` from being ordered on `today`.
pub fn blockers(case: &CaseFile, approval: Approval, stage: u8, today: Date) -> Vec<Blocker> {
    let mut out = Vec::new();
    if case.disbursement.order(stage).is_some() {
        out.push(Blocker::AlreadyOrdered { stage });
        return out;
    }
    if approval.decision != Decision::Approve {
        out.push(Blocker::NotApproved {
            decision: approval.decision.as_str().into(),
        });
    }
    let reviewed = case
        .review
        .as_ref()
        .is_some_and(|r| r.decision == crate::case::ReviewDecision::Approve);
    if !(approval.signed_off && reviewed) {
        out.push(Blocker::NotReviewed);
    }
    let kind = case.vehicle.seller_kind;
    if kind == SellerKind::PrivatePerson {
        out.push(Blocker::SellerNotEligible);
    }
    for c in conditions_at(case, today) {
        // C-LIEN is the stage's own check below (which stages wait for the prohibition).
        if c.rule == crate::rule::Rule::Lien || c.status == ConditionStatus::Met {
            continue;
        }
        out.push(Blocker::Condition {
            rule: c.rule,
            code: c.code,
            message: c.message,
        });
    }
    for c in approval.conditions {
        if approval_conditions::blocks(c, stage) {
            out.push(Blocker::ConditionOpen {
                id: c.condition_id.clone(),
                text: c.text.clone(),
                owner: c.owner.clone(),
                due: c.due,
            });
        }
    }
    if dealer(kind) {
        match case.disbursement.advance {
            None => out.push(Blocker::AdvanceMissing),
            Some(a) if a >= case.loan.amount || a <= Money::ZERO => {
                out.push(Blocker::AdvanceTooLarge {
                    advance: a,
                    amount: case.loan.amount,
                })
            }
            Some(_) => {}
        }
    }
    if stage == 2 {
        if case.disbursement.order(1).is_none() {
            out.push(Blocker::StageOneFirst);
        }
        if dealer(kind) && case.disbursement.delivery_notice.is_none() {
            out.push(Blocker::DeliveryNoticeMissing);
        }
    }
    // Loan money waits for the bank's registered prohibition (the passport, §3 and §5.1).
    if terms(case, stage).1 == Funds::Loan {
        match case.pledge.vin_lien {
            LienStatus::Registered => {}
            LienStatus::Foreign => out.push(Blocker::ForeignLien {
                creditor: case
                    .pledge
                    .creditor
                    .clone()
                    .unwrap_or_else(|| "another creditor".into()),
            }),
            other => out.push(Blocker::LienNotRegistered {
                status: other.as_str().into(),
            }),
        }
    }
    out
}

/// The order for `stage`, made on `today` at `at` by `by`, or everything that blocks it.
pub fn order(
    case: &CaseFile,
    approval: Approval,
    stage: u8,
    today: Date,
    at: &str,
    by: &str,
) -> Result<DisbursementOrder, Vec<Blocker>> {
    let blocked = blockers(case, approval, stage, today);
    if !blocked.is_empty() {
        return Err(blocked);
    }
    let (_, funds, amount) = terms(case, stage);
    // No blocker means the amount is known (the advance is recorded and below the loan).
    let Some(amount) = amount else {
        return Err(vec![Blocker::AdvanceMissing]);
    };
    Ok(DisbursementOrder {
        stage,
        amount,
        funds,
        payee: "seller".into(),
        value_date: today,
        created_at: at.to_string(),
        created_by: by.to_string(),
        evidence: conditions_at(case, today)
            .into_iter()
            .map(|c| Evidence {
                code: c.code,
                status: c.status.as_str().into(),
                message: c.message,
            })
            .collect(),
    })
}

/// A fact recorded for the disbursement of a case. None of them is an input of the
/// underwriting decision (§6: conditions "do not change the underwriting decision"), which
/// is why they may be recorded after the sign-off without a new review.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fact {
    /// The purchase contract's advance (manufacturer or official dealer).
    Advance {
        amount: Money,
    },
    DeliveryNotice {
        reference: String,
        date: Date,
    },
    /// An insurance policy; one with the same kind and number is replaced.
    Policy {
        policy: InsurancePolicy,
    },
    /// The down-payment proof (Kafolat-3 deposit statement or the transfer to the seller)
    /// with its status; it replaces the case's earlier down-payment proof.
    DownPaymentProof {
        status: DocumentStatus,
        reference: Option<String>,
        date: Option<Date>,
    },
}

impl Fact {
    pub fn name(&self) -> &'static str {
        match self {
            Fact::Advance { .. } => "advance",
            Fact::DeliveryNotice { .. } => "delivery_notice",
            Fact::Policy { .. } => "policy",
            Fact::DownPaymentProof { .. } => "down_payment_proof",
        }
    }
}

/// The case with `fact` recorded, validated as a whole.
pub fn record(case: &CaseFile, fact: &Fact) -> Result<CaseFile, CaseError> {
    let mut next = case.clone();
    match fact {
        Fact::Advance { amount } => next.disbursement.advance = Some(*amount),
        Fact::DeliveryNotice { reference, date } => {
            next.disbursement.delivery_notice = Some(DeliveryNotice {
                reference: reference.trim().to_string(),
                date: *date,
            })
        }
        Fact::Policy { policy } => {
            next.insurance
                .retain(|p| !(p.kind == policy.kind && p.policy == policy.policy));
            next.insurance.push(InsurancePolicy {
                policy: policy.policy.trim().to_string(),
                ..policy.clone()
            });
        }
        Fact::DownPaymentProof {
            status,
            reference,
            date,
        } => {
            let party = next
                .parties
                .iter()
                .position(|p| p.role == crate::case::Role::Borrower)
                .unwrap_or(0);
            next.documents
                .retain(|d| d.kind != DocumentKind::DownPaymentProof);
            next.documents.push(Document {
                kind: DocumentKind::DownPaymentProof,
                party,
                status: *status,
                reference: reference
                    .as_deref()
                    .map(str::trim)
                    .filter(|r| !r.is_empty())
                    .map(str::to_string),
                date: *date,
                checked: None,
                version: 1,
            });
        }
    }
    if let Fact::Policy { policy } = fact {
        if policy.policy.trim().is_empty() {
            return Err(CaseError::at("policy.policy", "must not be empty"));
        }
    }
    validate(&next)?;
    Ok(next)
}

#[cfg(test)]
mod tests;

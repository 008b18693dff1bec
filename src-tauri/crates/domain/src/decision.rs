//! The underwriting decision: every rule of the product passport (rule book §1–5, §7),
//! the conditions of §6, the outcome and the counter-offer of §10.
//!
//! Each failed rule becomes a [`Reason`] naming its rule ID and code, what was measured
//! and the limit; all failures are reported, not the first. Limits are compared exactly
//! (`amount ≤ 0.75 × value`, never a rounded ratio); only the printed figures are rounded.
//!
//! Interpretations fixed here (the rule book is silent):
//! - a checklist line's status is its latest version's (a new scan after a rejection is a
//!   new version with its own verdict; the rejected version stays on the case, rejected,
//!   and is never marked again); entries of the same version count as rejected if any is
//!   rejected, else verified if any is verified, else pending. The passport's "other"
//!   papers (a military ID's copy, …) have a line of their own, whose verdict does not
//!   enter the decision;
//! - a borrower whose only sources were excluded (gaps or P-INC-IE-ACC) fails
//!   `INCOME_HISTORY_SHORT` under P-INC-6M;
//! - P-GRACE also fails when the grace period leaves no month to repay principal;
//! - P-VEH-NEW fails a production year after the application year, too;
//! - the product stop (§9 gives it no ID) is reported under the rule ID `P-STOP`, code
//!   `PRODUCT_SUSPENDED`;
//! - P-VEH-LIEN (`VIN_PLEDGED`, §4; `vehicle.foreign_lien_is_stop_factor` in the product
//!   file): another creditor's prohibition on the VIN is a stop factor, since the car
//!   cannot be pledged to the bank. Learnt after the approval, it blocks the money on both
//!   counts: this reject and the disbursement's `FOREIGN_LIEN`;
//! - the insurance conditions use the maturity date of the term even when no schedule
//!   exists (dates need no amount), the disbursement date being one month before the
//!   first payment.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::Serialize;
use ts_rs::TS;

use crate::case::{
    CaseFile, DocumentKind, DocumentStatus, InsuranceKind, LienStatus, ScheduleKind,
};
use crate::income::{household_income, Exclusion, HouseholdIncome};
use crate::money::{fixed2, percent2, Date, Money};
use crate::product::{DayCount, ProductConfig};
use crate::rule::Rule;
use crate::schedule::{self, Schedule, ScheduleInput, ScheduleRow};
use crate::vin::{self, WmiTable};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Approve,
    Reject,
    Refer,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Approve => "approve",
            Decision::Reject => "reject",
            Decision::Refer => "refer",
        }
    }
}

/// A failed rule.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct Reason {
    pub rule: Rule,
    pub code: String,
    pub message: String,
    pub value: Option<String>,
    pub limit: Option<String>,
    /// The passport section the rule belongs to (1–9), for grouping on screen.
    pub section: u8,
}

#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct Warning {
    pub rule: Rule,
    pub code: String,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ConditionStatus {
    Met,
    Open,
    Failed,
}

impl ConditionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ConditionStatus::Met => "met",
            ConditionStatus::Open => "open",
            ConditionStatus::Failed => "failed",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct Condition {
    pub rule: Rule,
    pub code: String,
    pub status: ConditionStatus,
    pub message: String,
}

/// Figures as the spec prints them: percentages and amounts with two decimals.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct Metrics {
    pub rate: Option<String>,
    pub average_monthly_income: String,
    pub dti: Option<String>,
    pub ltv: String,
    pub down_payment_ratio: String,
    pub max_monthly_payment: Option<String>,
    pub total_interest: Option<String>,
    pub total_payable: Option<String>,
    pub effective_annual_rate: Option<String>,
    pub maturity_date: Option<Date>,
}

#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct CounterOffer {
    pub term_months: u32,
    pub amount: Money,
    pub max_monthly_payment: Money,
}

/// What `uw evaluate` prints.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct Evaluation {
    pub decision: Decision,
    pub reasons: Vec<Reason>,
    pub warnings: Vec<Warning>,
    pub conditions: Vec<Condition>,
    pub metrics: Metrics,
    pub schedule: Option<Vec<ScheduleRow>>,
    pub counter_offer: Option<Vec<CounterOffer>>,
    /// Per-source and per-party income detail behind `average_monthly_income`.
    pub income: HouseholdIncome,
}

/// What the evaluation needs besides the case and the product.
#[derive(Clone, Debug, Default)]
pub struct EvalOptions {
    /// Set by the app from the core bank's portfolio figures (§9): a description of the
    /// suspended scope. `uw evaluate` never sets it (the case file has no portfolio data).
    pub product_suspended: Option<String>,
    /// Overrides the product's day count (`uw schedule --day-count`).
    pub day_count: Option<DayCount>,
}

/// The rule IDs whose failure alone still earns a counter-offer (§10).
const COUNTER_OFFER_RULES: [Rule; 5] = [Rule::Dti, Rule::Ltv, Rule::Max, Rule::Sum, Rule::AgeMax];

pub fn evaluate(case: &CaseFile, product: &ProductConfig, opts: &EvalOptions) -> Evaluation {
    let income = household_income(case, product);
    let a = assess(case, product, opts, &income);
    let mut reasons = a.reasons;
    if let Some(scope) = &opts.product_suspended {
        reasons.push(reason(
            Rule::Stop,
            "PRODUCT_SUSPENDED",
            format!("the product is suspended for {scope} (risk management stop, passport §9)"),
            None,
            None,
        ));
    }
    let stop_factors = reasons.iter().any(|r| r.rule != Rule::Docs);
    let decision = if stop_factors {
        Decision::Reject
    } else if reasons.is_empty() {
        Decision::Approve
    } else {
        Decision::Refer
    };
    let counter_offer = (decision == Decision::Reject
        && reasons
            .iter()
            .filter(|r| r.rule != Rule::Docs)
            .all(|r| COUNTER_OFFER_RULES.contains(&r.rule)))
    .then(|| counter_offers_with(case, product, opts, &income));

    let l = &case.loan;
    let value = collateral_value(case);
    let metrics = Metrics {
        rate: a.rate.map(percent2),
        average_monthly_income: income.average_monthly_income.to_string(),
        dti: a.dti.map(percent2),
        ltv: percent2(l.amount.decimal() / value),
        down_payment_ratio: percent2(
            l.down_payment.decimal() / case.vehicle.contract_price.decimal(),
        ),
        max_monthly_payment: a.schedule.as_ref().map(|s| s.max_payment.to_string()),
        total_interest: a.schedule.as_ref().map(|s| fixed2(s.total_interest)),
        total_payable: a
            .schedule
            .as_ref()
            .map(|s| fixed2(s.total_interest + l.amount.decimal())),
        effective_annual_rate: a
            .schedule
            .as_ref()
            .map(|s| percent2(s.effective_annual_rate(l.amount.decimal()))),
        maturity_date: a.schedule.as_ref().map(|s| s.maturity),
    };
    Evaluation {
        decision,
        reasons,
        warnings: a.warnings,
        conditions: conditions(case),
        metrics,
        schedule: a.schedule.map(|s| s.rows),
        counter_offer,
        income,
    }
}

/// The lower of the contract price and the appraisal, when one exists (P-LTV).
fn collateral_value(case: &CaseFile) -> Decimal {
    let price = case.vehicle.contract_price;
    case.vehicle
        .appraised_value
        .map_or(price, |v| v.min(price))
        .decimal()
}

fn reason(
    rule: Rule,
    code: &str,
    message: String,
    value: Option<String>,
    limit: Option<String>,
) -> Reason {
    Reason {
        section: rule.section(),
        rule,
        code: code.to_string(),
        message,
        value,
        limit,
    }
}

fn warning(rule: Rule, code: &str, message: String) -> Warning {
    Warning {
        rule,
        code: code.to_string(),
        message,
    }
}

/// The rules of §1–5 and §7 for one set of loan terms.
struct Assessment {
    reasons: Vec<Reason>,
    warnings: Vec<Warning>,
    schedule: Option<Schedule>,
    rate: Option<Decimal>,
    dti: Option<Decimal>,
}

fn party_label(case: &CaseFile, i: usize) -> String {
    format!("{} (parties[{i}])", case.parties[i].full_name)
}

/// `income` is the case's [`household_income`], which no loan term changes: computed once
/// by the caller, however many terms it assesses. The passport's sections in its order;
/// the rules that need the schedule (P-AGE-MAX, P-DTI) once it exists.
fn assess(
    case: &CaseFile,
    product: &ProductConfig,
    opts: &EvalOptions,
    income: &HouseholdIncome,
) -> Assessment {
    let mut reasons = Vec::new();
    let mut warnings = Vec::new();
    parties(case, product, &mut reasons);
    income_rules(case, product, income, &mut reasons, &mut warnings);
    credit_history(case, product, &mut reasons);
    vehicle(case, product, &mut reasons, &mut warnings);
    let (rate, schedule) = loan_terms(case, product, opts, &mut reasons);
    let dti = schedule
        .as_ref()
        .and_then(|s| at_maturity_and_burden(case, product, income, s, &mut reasons));
    documents(case, &mut reasons);
    Assessment {
        reasons,
        warnings,
        schedule,
        rate,
        dti,
    }
}

/// §1 The borrower and co-borrowers: P-CIT, P-AGE-MIN, P-CO-MAX (P-AGE-MAX waits for the
/// schedule's last repayment).
fn parties(case: &CaseFile, p: &ProductConfig, reasons: &mut Vec<Reason>) {
    for (i, party) in case.parties.iter().enumerate() {
        if party.citizenship != p.parties.citizenship {
            reasons.push(reason(
                Rule::Cit,
                "NOT_CITIZEN",
                format!(
                    "{} is not a citizen of Uzbekistan (citizenship {:?})",
                    party_label(case, i),
                    party.citizenship
                ),
                Some(party.citizenship.clone()),
                Some(p.parties.citizenship.clone()),
            ));
        }
        let age = case.application_date.full_years_since(party.birth_date);
        if age < p.parties.min_age_years {
            reasons.push(reason(
                Rule::AgeMin,
                "AGE_BELOW_MIN",
                format!(
                    "{} is {age} on the application date; the minimum is {}",
                    party_label(case, i),
                    p.parties.min_age_years
                ),
                Some(age.to_string()),
                Some(p.parties.min_age_years.to_string()),
            ));
        }
    }
    let co = case.co_borrowers().count();
    if co > p.parties.max_co_borrowers {
        reasons.push(reason(
            Rule::CoMax,
            "TOO_MANY_CO_BORROWERS",
            format!(
                "{co} co-borrowers; at most {} are allowed",
                p.parties.max_co_borrowers
            ),
            Some(co.to_string()),
            Some(p.parties.max_co_borrowers.to_string()),
        ));
    }
}

/// §2 Income: the sources P-INC-6M and P-INC-IE-ACC leave out (warnings), and P-JOB /
/// P-INC-6M for a borrower left with no usable source.
fn income_rules(
    case: &CaseFile,
    p: &ProductConfig,
    income: &HouseholdIncome,
    reasons: &mut Vec<Reason>,
    warnings: &mut Vec<Warning>,
) {
    for s in &income.sources {
        // Named only when the source is left out: most are not.
        let what = || {
            format!(
                "{} of {}",
                s.payer
                    .as_deref()
                    .map_or(s.kind.as_str().to_string(), |payer| format!(
                        "{} ({payer})",
                        s.kind.as_str()
                    )),
                party_label(case, s.party)
            )
        };
        match s.excluded {
            Some(Exclusion::HistoryShort) => warnings.push(warning(
                Rule::Inc6m,
                "INCOME_HISTORY_SHORT",
                format!(
                    "{} is not counted: no data for {}",
                    what(),
                    s.missing_months
                        .iter()
                        .map(|m| m.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
            Some(Exclusion::IeAccountNotAtBank) => warnings.push(warning(
                Rule::IncIeAcc,
                "IE_ACCOUNT_NOT_AT_BANK",
                format!(
                    "{} is not counted: the entrepreneur's account is not at this bank",
                    what()
                ),
            )),
            None => {}
        }
    }
    let borrower_idx = case
        .parties
        .iter()
        .position(|x| x.role == crate::case::Role::Borrower)
        .unwrap_or(0);
    let b = &income.parties[borrower_idx];
    if b.listed_sources == 0 {
        reasons.push(reason(
            Rule::Job,
            "NO_INCOME_SOURCE",
            "the borrower lists no income source".to_string(),
            Some("0".into()),
            Some("1".into()),
        ));
    } else if b.usable_sources == 0 {
        reasons.push(reason(
            Rule::Inc6m,
            "INCOME_HISTORY_SHORT",
            format!(
                "none of the borrower's {} income sources covers the {} months {}…{}",
                b.listed_sources,
                p.income.history_months,
                income
                    .period
                    .first()
                    .map_or(String::new(), |m| m.to_string()),
                income
                    .period
                    .last()
                    .map_or(String::new(), |m| m.to_string()),
            ),
            Some("0".into()),
            Some("1".into()),
        ));
    }
}

/// §3 Credit history: P-OVERDUE, P-90DPD (P-DTI waits for the schedule).
fn credit_history(case: &CaseFile, p: &ProductConfig, reasons: &mut Vec<Reason>) {
    for (i, party) in case.parties.iter().enumerate() {
        let h = &party.credit_history;
        if h.current_overdue {
            reasons.push(reason(
                Rule::Overdue,
                "CURRENT_OVERDUE",
                format!("{} has overdue debt now", party_label(case, i)),
                Some("overdue".into()),
                Some("none".into()),
            ));
        }
        if h.delinquencies_90_plus > p.credit.max_delinquencies_90_plus {
            reasons.push(reason(
                Rule::Dpd90,
                "DELINQUENCY_90_PLUS",
                format!(
                    "{} had {} episodes over 90 days past due; at most {} are allowed",
                    party_label(case, i),
                    h.delinquencies_90_plus,
                    p.credit.max_delinquencies_90_plus
                ),
                Some(h.delinquencies_90_plus.to_string()),
                Some(p.credit.max_delinquencies_90_plus.to_string()),
            ));
        }
    }
}

/// §4 The vehicle: P-VEH-CAT, P-VEH-NEW, P-VEH-SELLER, P-VEH-LIEN, P-VIN (its check-digit
/// warning).
fn vehicle(
    case: &CaseFile,
    p: &ProductConfig,
    reasons: &mut Vec<Reason>,
    warnings: &mut Vec<Warning>,
) {
    let v = &case.vehicle;
    if !p.vehicle.categories.contains(&v.category) {
        reasons.push(reason(
            Rule::VehCat,
            "VEHICLE_CATEGORY",
            format!(
                "category {:?} is not financed; allowed: {}",
                v.category,
                p.vehicle.categories.join(", ")
            ),
            Some(v.category.clone()),
            Some(p.vehicle.categories.join(", ")),
        ));
    }
    let app_year = case.application_date.year();
    let oldest = app_year - p.vehicle.max_age_calendar_years;
    if !v.new || v.production_year < oldest || v.production_year > app_year {
        let why = if !v.new {
            "the car has been used".to_string()
        } else {
            format!(
                "produced in {}, not in {oldest}–{app_year}",
                v.production_year
            )
        };
        reasons.push(reason(
            Rule::VehNew,
            "VEHICLE_NOT_NEW",
            format!("not a new car from the primary market: {why}"),
            Some(if v.new {
                v.production_year.to_string()
            } else {
                "used".into()
            }),
            Some(format!("new, {oldest}–{app_year}")),
        ));
    }
    if !p.vehicle.eligible_sellers.contains(&v.seller_kind) {
        reasons.push(reason(
            Rule::VehSeller,
            "SELLER_NOT_ELIGIBLE",
            "the seller must be the manufacturer, its official dealer or another selling legal entity"
                .to_string(),
            Some(serde_json::to_value(v.seller_kind).ok().and_then(|x| x.as_str().map(String::from)).unwrap_or_default()),
            Some("legal entity".into()),
        ));
    }
    // P-VEH-LIEN: the Pledge Registry names another creditor's prohibition on the VIN (the
    // registry is asked at submission and at the sync; its word is `pledge`).
    if p.vehicle.foreign_lien_is_stop_factor && case.pledge.vin_lien == LienStatus::Foreign {
        let creditor = case
            .pledge
            .creditor
            .clone()
            .unwrap_or_else(|| "another creditor".into());
        reasons.push(reason(
            Rule::VehLien,
            "VIN_PLEDGED",
            format!(
                "{creditor} holds a prohibition on VIN {} in the Pledge Registry: the car cannot be pledged to the bank",
                v.vin.trim()
            ),
            Some(creditor),
            Some("no other creditor's prohibition".into()),
        ));
    }
    let vin_report = vin::check(
        &v.vin,
        &WmiTable::default(),
        &p.vehicle.check_digit_required_wmi_prefixes,
        app_year,
    );
    if !vin_report.valid {
        reasons.push(reason(
            Rule::Vin,
            "VIN_INVALID",
            format!(
                "VIN {:?} is not valid: {}",
                vin_report.vin,
                vin_report.errors.join("; ")
            ),
            Some(vin_report.vin.clone()),
            Some("17 characters, no I/O/Q".into()),
        ));
    }
    for w in vin_report.warnings {
        warnings.push(warning(Rule::Vin, "VIN_CHECK_DIGIT", w));
    }
}

/// §5 Loan terms: P-TERM, P-GRACE, P-MAX, P-DOWN, P-LTV, P-SUM; the rate (P-RATE) and the
/// schedule, which exist only when P-TERM and P-GRACE pass (§10).
fn loan_terms(
    case: &CaseFile,
    p: &ProductConfig,
    opts: &EvalOptions,
    reasons: &mut Vec<Reason>,
) -> (Option<Decimal>, Option<Schedule>) {
    let l = &case.loan;
    let v = &case.vehicle;
    let term_ok = (p.loan.min_term_months..=p.loan.max_term_months).contains(&l.term_months);
    if !term_ok {
        reasons.push(reason(
            Rule::Term,
            "TERM_OUT_OF_RANGE",
            format!(
                "a term of {} months is outside {}–{} months",
                l.term_months, p.loan.min_term_months, p.loan.max_term_months
            ),
            Some(l.term_months.to_string()),
            Some(format!(
                "{}–{}",
                p.loan.min_term_months, p.loan.max_term_months
            )),
        ));
    }
    let grace_problem = if l.grace_months == 0 {
        None
    } else if l.schedule == ScheduleKind::Annuity {
        Some("a grace period is allowed only with the differentiated schedule".to_string())
    } else if l.grace_months > p.loan.max_grace_months {
        Some(format!(
            "a grace period of {} months exceeds the maximum of {}",
            l.grace_months, p.loan.max_grace_months
        ))
    } else if l.grace_months >= l.term_months {
        Some(format!(
            "a grace period of {} months leaves no month to repay principal in {} months",
            l.grace_months, l.term_months
        ))
    } else {
        None
    };
    if let Some(msg) = &grace_problem {
        reasons.push(reason(
            Rule::Grace,
            "GRACE_NOT_ALLOWED",
            msg.clone(),
            Some(l.grace_months.to_string()),
            Some(if l.schedule == ScheduleKind::Annuity {
                "0 (annuity)".into()
            } else {
                p.loan.max_grace_months.to_string()
            }),
        ));
    }
    if l.amount > p.loan.max_amount {
        reasons.push(reason(
            Rule::Max,
            "AMOUNT_ABOVE_MAX",
            format!(
                "the amount {} UZS exceeds the maximum {} UZS",
                l.amount, p.loan.max_amount
            ),
            Some(l.amount.to_string()),
            Some(p.loan.max_amount.to_string()),
        ));
    }
    let price = v.contract_price.decimal();
    let down_payment = l.down_payment.decimal();
    if down_payment < p.loan.min_down_payment * price {
        reasons.push(reason(
            Rule::Down,
            "DOWN_PAYMENT_LOW",
            format!(
                "down payment {} % of the contract price < {} %",
                percent2(down_payment / price),
                percent2(p.loan.min_down_payment)
            ),
            Some(percent2(down_payment / price)),
            Some(percent2(p.loan.min_down_payment)),
        ));
    }
    let value = collateral_value(case);
    let amount = l.amount.decimal();
    if amount > p.loan.max_ltv * value {
        reasons.push(reason(
            Rule::Ltv,
            "LTV_EXCEEDED",
            format!(
                "loan-to-value {} % > {} % (value {} UZS)",
                percent2(amount / value),
                percent2(p.loan.max_ltv),
                fixed2(value)
            ),
            Some(percent2(amount / value)),
            Some(percent2(p.loan.max_ltv)),
        ));
    }
    let room = price - down_payment;
    if amount > room {
        reasons.push(reason(
            Rule::Sum,
            "AMOUNT_EXCEEDS_PRICE",
            format!(
                "the amount {} UZS exceeds contract price − down payment = {} UZS",
                l.amount,
                fixed2(room)
            ),
            Some(l.amount.to_string()),
            Some(fixed2(room)),
        ));
    }

    // The schedule exists only when P-TERM and P-GRACE pass (§10).
    let rate = if term_ok {
        p.rate_for_term(l.term_months)
    } else {
        None
    };
    let built = match (rate, &grace_problem) {
        (Some(rate), None) => Some(schedule::build(&schedule_input(
            case,
            p,
            opts,
            l.amount,
            l.term_months,
            rate,
        ))),
        _ => None,
    };
    // The term and the grace period passed above, and the amount is positive: a schedule
    // that still fails has figures beyond the largest amount, so the amount is too large.
    // Left out silently, the missing schedule would skip P-DTI.
    let schedule = match built {
        Some(Ok(s)) => Some(s),
        Some(Err(e)) => {
            reasons.push(reason(
                Rule::Max,
                "AMOUNT_ABOVE_MAX",
                format!("the amount {} UZS has no schedule: {e}", l.amount),
                Some(l.amount.to_string()),
                Some(p.loan.max_amount.to_string()),
            ));
            None
        }
        None => None,
    };
    (rate, schedule)
}

/// The rules that need the schedule: P-AGE-MAX at the last repayment and P-DTI with the
/// largest payment; returns the debt-burden ratio when the household has income.
fn at_maturity_and_burden(
    case: &CaseFile,
    p: &ProductConfig,
    income: &HouseholdIncome,
    s: &Schedule,
    reasons: &mut Vec<Reason>,
) -> Option<Decimal> {
    let mut dti = None;
    for (i, party) in case.parties.iter().enumerate() {
        let age = s.maturity.full_years_since(party.birth_date);
        if age > p.parties.max_age_at_maturity_years {
            reasons.push(reason(
                Rule::AgeMax,
                "AGE_AT_MATURITY",
                format!(
                    "{} would be {age} at the last repayment on {}; the maximum is {}",
                    party_label(case, i),
                    s.maturity,
                    p.parties.max_age_at_maturity_years
                ),
                Some(age.to_string()),
                Some(p.parties.max_age_at_maturity_years.to_string()),
            ));
        }
    }
    let existing = existing_payments(case);
    let burden = existing + s.max_payment.decimal();
    let household = income.average_monthly_income.decimal();
    if household <= Decimal::ZERO {
        reasons.push(reason(
            Rule::Dti,
            "DTI_EXCEEDED",
            format!(
                "the household has no counted income; monthly debt payments would be {} UZS",
                fixed2(burden)
            ),
            None,
            Some(percent2(p.credit.max_dti)),
        ));
    } else {
        let ratio = burden / household;
        dti = Some(ratio);
        if burden > p.credit.max_dti * household {
            reasons.push(reason(
                Rule::Dti,
                "DTI_EXCEEDED",
                format!(
                    "DTI {} % > {} % (payments {} UZS a month on income {} UZS)",
                    percent2(ratio),
                    percent2(p.credit.max_dti),
                    fixed2(burden),
                    fixed2(household)
                ),
                Some(percent2(ratio)),
                Some(percent2(p.credit.max_dti)),
            ));
        }
    }
    dti
}

/// §7 Documents: P-DOCS (pending or absent refers), P-DOCS-REJ (rejected, or reported
/// expired or revoked by the state register, rejects).
fn documents(case: &CaseFile, reasons: &mut Vec<Reason>) {
    for (kind, party) in required_documents(case) {
        let status = document_status(case, kind, party);
        // Named only in a reason: most documents are verified.
        let what = || format!("{} of {}", kind.as_str(), party_label(case, party));
        match status {
            // A verified identity paper the state register reports expired or revoked is
            // a rejected one (passport §7: "forged, expired, mismatched"): the register,
            // asked after the verdict, has the last word.
            Some(DocumentStatus::Verified) => {
                if let Some(said) = register_against(case, kind, party) {
                    reasons.push(reason(
                        Rule::DocsRejected,
                        "DOCUMENT_REJECTED",
                        format!("the state register reports the {} {said}", what()),
                        Some(said.into()),
                        Some("valid".into()),
                    ));
                }
            }
            Some(DocumentStatus::Rejected) => reasons.push(reason(
                Rule::DocsRejected,
                "DOCUMENT_REJECTED",
                format!("the {} was rejected", what()),
                Some("rejected".into()),
                Some("verified".into()),
            )),
            Some(DocumentStatus::Pending) | None => reasons.push(reason(
                Rule::Docs,
                "DOCUMENT_MISSING",
                format!(
                    "the {} is {}",
                    what(),
                    if status.is_some() {
                        "pending verification"
                    } else {
                        "absent"
                    }
                ),
                Some(
                    if status.is_some() {
                        "pending"
                    } else {
                        "absent"
                    }
                    .into(),
                ),
                Some("verified".into()),
            )),
        }
    }
}

/// The checklist of §7: (document kind, party index).
pub fn required_documents(case: &CaseFile) -> Vec<(DocumentKind, usize)> {
    let mut out = Vec::new();
    for (i, party) in case.parties.iter().enumerate() {
        out.push((DocumentKind::Identity, i));
        out.push((DocumentKind::Income, i));
        if party.role == crate::case::Role::Borrower {
            out.push((DocumentKind::PurchaseContract, i));
            if case.vehicle.customs_vat_applies {
                // P-CUSTOMS: the seller's IM-40 declaration, filed with the borrower's papers.
                out.push((DocumentKind::CustomsDeclaration, i));
            }
        }
    }
    out
}

/// The effective status of a document (see the module note), `None` when absent.
pub fn document_status(
    case: &CaseFile,
    kind: DocumentKind,
    party: usize,
) -> Option<DocumentStatus> {
    let latest = latest_version(case, kind, party)?;
    strongest(
        case.documents
            .iter()
            .filter(|d| d.kind == kind && d.party == party && d.version == latest)
            .map(|d| d.status),
    )
}

/// The latest version of a checklist line's paper, `None` when there is none.
pub fn latest_version(case: &CaseFile, kind: DocumentKind, party: usize) -> Option<u32> {
    case.documents
        .iter()
        .filter(|d| d.kind == kind && d.party == party)
        .map(|d| d.version)
        .max()
}

/// Rejected outweighs verified, which outweighs pending; `None` when there is nothing.
fn strongest(statuses: impl Iterator<Item = DocumentStatus>) -> Option<DocumentStatus> {
    statuses.fold(None, |acc, s| {
        Some(match (acc, s) {
            (_, DocumentStatus::Rejected) | (Some(DocumentStatus::Rejected), _) => {
                DocumentStatus::Rejected
            }
            (_, DocumentStatus::Verified) | (Some(DocumentStatus::Verified), _) => {
                DocumentStatus::Verified
            }
            _ => DocumentStatus::Pending,
        })
    })
}

fn conditions(case: &CaseFile) -> Vec<Condition> {
    conditions_at(
        case,
        schedule::default_disbursement(case.loan.first_payment_date),
    )
}

/// The §6 conditions as they stand for money moving on `disbursed` (the evaluation uses
/// the default disbursement date; a disbursement order, the day it is made).
pub fn conditions_at(case: &CaseFile, disbursed: Date) -> Vec<Condition> {
    let l = &case.loan;
    let maturity = schedule::row_date(l.first_payment_date, l.term_months.max(1));
    let policy = |kind: InsuranceKind, rule: Rule, code: &str, name: &str| {
        let of_kind: Vec<_> = case.insurance.iter().filter(|p| p.kind == kind).collect();
        let covering = of_kind
            .iter()
            .find(|p| p.from <= disbursed && p.to >= maturity);
        let (status, message) = match (covering, of_kind.first()) {
            (Some(p), _) => (
                ConditionStatus::Met,
                format!("{name} policy {} covers {} – {}", p.policy, p.from, p.to),
            ),
            (None, Some(p)) => (
                ConditionStatus::Failed,
                format!(
                    "{name} policy {} runs {} – {}, short of the loan term {disbursed} – {maturity}",
                    p.policy, p.from, p.to
                ),
            ),
            (None, None) => (
                ConditionStatus::Open,
                format!("no {name} policy yet; it must cover {disbursed} – {maturity}"),
            ),
        };
        Condition {
            rule,
            code: code.into(),
            status,
            message,
        }
    };
    let proof = strongest(
        (0..case.parties.len())
            .filter_map(|i| document_status(case, DocumentKind::DownPaymentProof, i)),
    );
    // The evidence: the paper behind the status, with its number and date when given.
    let paper = |status: DocumentStatus| {
        case.documents
            .iter()
            .filter(|d| d.kind == DocumentKind::DownPaymentProof && d.status == status)
            .find_map(|d| {
                let date = d.date.map(|t| format!(" of {t}")).unwrap_or_default();
                d.reference.as_ref().map(|r| format!(" ({r}{date})"))
            })
            .unwrap_or_default()
    };
    let (down_status, down_msg) = match proof {
        Some(DocumentStatus::Verified) => (
            ConditionStatus::Met,
            format!(
                "down-payment proof{} verified",
                paper(DocumentStatus::Verified)
            ),
        ),
        Some(DocumentStatus::Rejected) => (
            ConditionStatus::Failed,
            format!(
                "down-payment proof{} rejected",
                paper(DocumentStatus::Rejected)
            ),
        ),
        Some(DocumentStatus::Pending) => (
            ConditionStatus::Open,
            "down-payment proof attached, not yet verified (Kafolat-3 deposit or transfer to the seller)".into(),
        ),
        None => (
            ConditionStatus::Open,
            "no down-payment proof yet (Kafolat-3 deposit or transfer to the seller)".into(),
        ),
    };
    let foreign = format!(
        "{} holds a prohibition on this VIN: it must be released before loan money moves",
        case.pledge
            .creditor
            .as_deref()
            .unwrap_or("another creditor")
    );
    let (lien_status, lien_msg) = match case.pledge.vin_lien {
        LienStatus::Registered => (
            ConditionStatus::Met,
            "the VIN prohibition in the bank's favour is registered",
        ),
        LienStatus::Foreign => (ConditionStatus::Failed, foreign.as_str()),
        LienStatus::None => (
            ConditionStatus::Open,
            "no prohibition requested yet; loan money waits for it",
        ),
        LienStatus::Requested => (
            ConditionStatus::Open,
            "prohibition requested, not yet registered; loan money waits for it",
        ),
        LienStatus::Released => (
            ConditionStatus::Open,
            "the prohibition was released; a new one is needed before loan money moves",
        ),
    };
    vec![
        policy(
            InsuranceKind::Vehicle,
            Rule::InsVehicle,
            "VEHICLE_POLICY",
            "vehicle insurance",
        ),
        policy(
            InsuranceKind::NonRepayment,
            Rule::InsNonRepayment,
            "NON_REPAYMENT_POLICY",
            "non-repayment insurance",
        ),
        Condition {
            rule: Rule::DownProof,
            code: "DOWN_PAYMENT_PROOF".into(),
            status: down_status,
            message: down_msg,
        },
        Condition {
            rule: Rule::Lien,
            code: "VIN_LIEN".into(),
            status: lien_status,
            message: lien_msg.into(),
        },
    ]
}

/// The schedule of `loan`-like terms, with the product's conventions.
fn schedule_input(
    case: &CaseFile,
    product: &ProductConfig,
    opts: &EvalOptions,
    amount: Money,
    term: u32,
    rate: Decimal,
) -> ScheduleInput {
    let l = &case.loan;
    ScheduleInput {
        amount,
        annual_rate: rate,
        term_months: term,
        kind: l.schedule,
        grace_months: l.grace_months,
        first_payment: l.first_payment_date,
        disbursed: schedule::default_disbursement(l.first_payment_date),
        day_count: opts.day_count.unwrap_or(product.schedule.day_count),
        rounding_unit: product.schedule.rounding_unit,
    }
}

/// The parties' existing monthly debt payments: a `Decimal` sum of a few amounts of at most
/// 10^15 each, exact and far inside its range.
fn existing_payments(case: &CaseFile) -> Decimal {
    case.parties
        .iter()
        .map(|x| x.credit_history.existing_monthly_payments.decimal())
        .sum()
}

/// For each counter-offer term, the largest multiple of the step, not above the amount
/// requested, that passes every rule of §1–5 with the rest of the case unchanged.
///
/// The search leans on the shape of the rules rather than on trial and error:
/// - P-MAX, P-SUM and P-LTV bound the amount directly: `cap` is the largest step multiple
///   they allow, so no amount above it is tried;
/// - every other rule of §1–5 depends on the term, not on the amount, and is checked once
///   per term by a full evaluation at the smallest amount;
/// - P-DTI then depends only on the largest payment, which grows with the amount (almost
///   in proportion); an interpolation search on that line finds the boundary in two or
///   three schedules, with bisection as the fallback so it always ends.
///
/// The property test `counter_offers_are_the_largest_passing_amounts` checks the result
/// against full evaluations: the amount passes, one step more fails.
pub fn counter_offers(
    case: &CaseFile,
    product: &ProductConfig,
    opts: &EvalOptions,
) -> Vec<CounterOffer> {
    counter_offers_with(case, product, opts, &household_income(case, product))
}

/// [`counter_offers`] with the case's household income already computed (no term or
/// amount changes it); every amount tried asks only for the schedule's largest payment.
fn counter_offers_with(
    case: &CaseFile,
    product: &ProductConfig,
    opts: &EvalOptions,
    income: &HouseholdIncome,
) -> Vec<CounterOffer> {
    let p = product;
    let step = p.counter_offer.amount_step;
    let l = &case.loan;
    let cap = [
        l.amount.decimal(),
        p.loan.max_amount.decimal(),
        case.vehicle.contract_price.decimal() - l.down_payment.decimal(),
        p.loan.max_ltv * collateral_value(case),
    ]
    .into_iter()
    .min()
    .unwrap_or(Decimal::ZERO);
    let Some(top) = (cap / step.decimal()).floor().to_u64().filter(|t| *t >= 1) else {
        return Vec::new();
    };
    let household = income.average_monthly_income.decimal();
    // The largest payment P-DTI allows (compared exactly, as in `assess`).
    let payment_limit = p.credit.max_dti * household - existing_payments(case);
    // k steps, 1 ≤ k ≤ top, come to at most the amount requested, so each is an amount and
    // the product cannot overflow; were one not an amount, its term would get no offer
    // rather than a wrong one.
    let amount = |k: u64| Money::try_from_decimal(step.decimal() * Decimal::from(k)).ok();

    let mut out = Vec::new();
    let mut trial = case.clone();
    for &term in &p.counter_offer.terms_months {
        trial.loan.term_months = term;
        trial.loan.amount = step;
        let at_least = assess(&trial, product, opts, income);
        if at_least.reasons.iter().any(|r| r.rule.section() <= 5) {
            continue; // this term fails on something no amount can change
        }
        let Some(rate) = at_least.rate else { continue };
        let payments =
            schedule::MaxPayments::new(schedule_input(case, product, opts, step, term, rate));
        let max_payment = |k: u64| -> Option<Money> { payments.at(amount(k)?).ok() };
        let passes = |payment: Money| payment.decimal() <= payment_limit;
        let Some(p_top) = max_payment(top) else {
            continue;
        };
        if passes(p_top) {
            out.extend(amount(top).map(|amount| CounterOffer {
                term_months: term,
                amount,
                max_monthly_payment: p_top,
            }));
            continue;
        }
        let p_one = at_least.schedule.map_or(Money::ZERO, |s| s.max_payment);
        // Invariant: lo passes (payment p_lo), hi fails (payment p_hi).
        let (mut lo, mut p_lo, mut hi, mut p_hi) = (1u64, p_one, top, p_top);
        let mut round = 0;
        while hi - lo > 1 {
            round += 1;
            let interpolated = (round <= 4 && p_hi > p_lo)
                .then(|| {
                    // Checked: a step of a tiyin makes the span up to 10^17 steps.
                    let span = Decimal::from(hi - lo);
                    (payment_limit - p_lo.decimal())
                        .checked_mul(span)?
                        .checked_div(p_hi.decimal() - p_lo.decimal())?
                        .floor()
                        .to_u64()
                })
                .flatten()
                .map(|d| lo + d);
            let k = interpolated
                .unwrap_or(lo + (hi - lo) / 2)
                .clamp(lo + 1, hi - 1);
            match max_payment(k) {
                Some(pay) if passes(pay) => (lo, p_lo) = (k, pay),
                Some(pay) => (hi, p_hi) = (k, pay),
                None => hi = k,
            }
            // Once the interpolation has landed on a passing amount, its upper neighbour
            // settles the question at once.
            if lo + 1 < hi && round <= 4 && interpolated == Some(lo) {
                match max_payment(lo + 1) {
                    Some(pay) if passes(pay) => (lo, p_lo) = (lo + 1, pay),
                    Some(pay) => (hi, p_hi) = (lo + 1, pay),
                    None => hi = lo + 1,
                }
            }
        }
        out.extend(amount(lo).map(|amount| CounterOffer {
            term_months: term,
            amount,
            max_monthly_payment: p_lo,
        }));
    }
    out
}

/// The state register's answer against a party's identity paper ("expired", "revoked"),
/// for an identity document; `None` for any other document or answer.
fn register_against(case: &CaseFile, kind: DocumentKind, party: usize) -> Option<&'static str> {
    if kind != DocumentKind::Identity {
        return None;
    }
    let check = case
        .parties
        .get(party)?
        .identity
        .as_ref()?
        .state_check
        .as_ref()?;
    match check.status {
        crate::case::RegisterStatus::Expired => Some("expired"),
        crate::case::RegisterStatus::Revoked => Some("revoked"),
        _ => None,
    }
}

#[cfg(test)]
mod tests;

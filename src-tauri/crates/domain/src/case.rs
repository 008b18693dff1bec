//! The case file: one JSON document per application (`assets/spec/case-file.md`).
//!
//! Parsing is two passes: serde gives the shape (and, through `serde_path_to_error`, the
//! JSON path of the first malformed field); [`validate`] then checks what types cannot
//! say (signs, exactly one borrower, maker ≠ checker). Both report a [`CaseError`] that
//! names the path, so the underwriter knows which line of the file to fix.
//!
//! Additions to the format, all optional, so a file without them reads, hashes and exports
//! as before: `pledge.creditor`, `pledge.history[]` (`status`, `at`, `by`, `note`), a
//! document's `reference`, `date` and `version` (1 to [`MAX_DOCUMENT_VERSION`]; absent: 1),
//! and `disbursement` (`advance`, `delivery_notice` {`reference`, `date`}, `orders[]`
//! {`stage`, `amount`, `funds` loan | down_payment, `payee`, `value_date`, `created_at`,
//! `created_by`, `evidence`}).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::money::{Date, Money, YearMonth};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct CaseFile {
    pub case_id: String,
    pub product: String,
    pub application_date: Date,
    pub branch: String,
    pub parties: Vec<Party>,
    pub vehicle: Vehicle,
    pub loan: Loan,
    #[serde(default)]
    pub insurance: Vec<InsurancePolicy>,
    #[serde(default)]
    pub documents: Vec<Document>,
    #[serde(default)]
    pub pledge: Pledge,
    #[serde(default)]
    pub review: Option<Review>,
    /// The two-stage disbursement (§8): the contract's advance, the delivery notice and
    /// the orders made. Absent from the file until something is recorded, so a case file
    /// without it reads, hashes and exports exactly as before.
    #[serde(default, skip_serializing_if = "Disbursement::is_empty")]
    #[ts(as = "Option<Disbursement>", optional)]
    pub disbursement: Disbursement,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Borrower,
    CoBorrower,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct Party {
    pub role: Role,
    pub full_name: String,
    pub pinfl: String,
    pub citizenship: String,
    pub birth_date: Date,
    #[serde(default)]
    pub identity: Option<Identity>,
    #[serde(default)]
    pub incomes: Vec<IncomeSource>,
    pub credit_history: CreditHistory,
    /// The credit bureau's last report on the party, kept with the case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub bureau: Option<crate::bureau::BureauReport>,
    /// The official income service's last answer on the party (salary and pension by
    /// PINFL), kept with the case beside the statements it is compared with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub official_income: Option<crate::income::official::OfficialIncome>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct Identity {
    pub kind: String,
    pub number: String,
    #[serde(default)]
    pub digital: bool,
    #[serde(default)]
    pub military: bool,
    /// When the document was issued and until when it is valid, as printed on it; a
    /// document expired before the application, issued after it, or reported expired or
    /// revoked by the state register, cannot be marked verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub issued: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub expires: Option<Date>,
    /// The state identity register's answer, when asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub state_check: Option<StateCheck>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RegisterStatus {
    Valid,
    Expired,
    Revoked,
    NotFound,
}

/// What the state identity register said about the party's PINFL and document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct StateCheck {
    pub status: RegisterStatus,
    pub registered_name: Option<String>,
    /// Whether the registered name is the case's (letters compared, case and spacing aside).
    pub name_matches: bool,
    pub at: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum IncomeKind {
    Salary,
    Pension,
    PensionContributions,
    AccountInflow,
    Passive,
    EntrepreneurReceipts,
}

impl IncomeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            IncomeKind::Salary => "salary",
            IncomeKind::Pension => "pension",
            IncomeKind::PensionContributions => "pension_contributions",
            IncomeKind::AccountInflow => "account_inflow",
            IncomeKind::Passive => "passive",
            IncomeKind::EntrepreneurReceipts => "entrepreneur_receipts",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct IncomeSource {
    pub kind: IncomeKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub employer: Option<String>,
    /// A missing `at_this_bank` means false (case-file.md).
    #[serde(default)]
    pub at_this_bank: bool,
    #[ts(type = "Record<string, string>")]
    pub months: BTreeMap<YearMonth, Money>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct CreditHistory {
    pub current_overdue: bool,
    pub delinquencies_90_plus: u32,
    pub existing_monthly_payments: Money,
    /// Where the figures come from: pulled from the credit bureau, or typed by the
    /// underwriter (when the bureau could not be reached). Absent in older files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub source: Option<HistorySource>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum HistoryOrigin {
    Bureau,
    Typed,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct HistorySource {
    pub origin: HistoryOrigin,
    /// When pulled or typed (RFC 3339).
    pub at: String,
    pub by: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SellerKind {
    Manufacturer,
    OfficialDealer,
    DealerInStock,
    PrivatePerson,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct Vehicle {
    pub vin: String,
    /// M1 | M2 | N1, or any other string, which fails P-VEH-CAT rather than the parse.
    pub category: String,
    #[serde(default)]
    pub make: String,
    #[serde(default)]
    pub model: String,
    pub production_year: i32,
    pub new: bool,
    pub seller_kind: SellerKind,
    pub customs_vat_applies: bool,
    pub contract_price: Money,
    #[serde(default)]
    pub appraised_value: Option<Money>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ScheduleKind {
    Annuity,
    Differentiated,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct Loan {
    pub amount: Money,
    pub down_payment: Money,
    pub term_months: u32,
    pub schedule: ScheduleKind,
    #[serde(default)]
    pub grace_months: u32,
    pub first_payment_date: Date,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum InsuranceKind {
    Vehicle,
    NonRepayment,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct InsurancePolicy {
    pub kind: InsuranceKind,
    pub policy: String,
    pub from: Date,
    pub to: Date,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    Identity,
    Income,
    PurchaseContract,
    CustomsDeclaration,
    DownPaymentProof,
    Other,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 6] = [
        DocumentKind::Identity,
        DocumentKind::Income,
        DocumentKind::PurchaseContract,
        DocumentKind::CustomsDeclaration,
        DocumentKind::DownPaymentProof,
        DocumentKind::Other,
    ];

    pub fn parse(s: &str) -> Option<DocumentKind> {
        DocumentKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::Identity => "identity",
            DocumentKind::Income => "income",
            DocumentKind::PurchaseContract => "purchase_contract",
            DocumentKind::CustomsDeclaration => "customs_declaration",
            DocumentKind::DownPaymentProof => "down_payment_proof",
            DocumentKind::Other => "other",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DocumentStatus {
    Pending,
    Verified,
    Rejected,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct Document {
    pub kind: DocumentKind,
    pub party: usize,
    pub status: DocumentStatus,
    /// The paper's own number (a payment order, a deposit account, a declaration).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub reference: Option<String>,
    /// The date the paper bears.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub date: Option<Date>,
    /// Who marked the status and when (RFC 3339), and why when rejected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub checked: Option<DocumentCheck>,
    /// The paper's version on its checklist line, from 1: a new scan after a rejection is
    /// a new version with its own verdict; the rejected one stays on the case, rejected.
    /// (Absent in a file: 1.)
    #[serde(default = "first_version", skip_serializing_if = "is_first_version")]
    #[ts(optional, type = "number")]
    pub version: u32,
}

/// The most versions one checklist line may have (a bound, so that a hostile file's
/// number never overflows the next version's).
pub const MAX_DOCUMENT_VERSION: u32 = 1000;

fn first_version() -> u32 {
    1
}

fn is_first_version(v: &u32) -> bool {
    *v == 1
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct DocumentCheck {
    pub by: String,
    pub at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub reason: Option<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum LienStatus {
    #[default]
    None,
    Requested,
    Registered,
    Released,
    Foreign,
}

impl Document {
    /// A document with no number or date recorded.
    pub fn new(kind: DocumentKind, party: usize, status: DocumentStatus) -> Document {
        Document {
            kind,
            party,
            status,
            reference: None,
            date: None,
            checked: None,
            version: 1,
        }
    }
}

impl LienStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            LienStatus::None => "none",
            LienStatus::Requested => "requested",
            LienStatus::Registered => "registered",
            LienStatus::Released => "released",
            LienStatus::Foreign => "foreign",
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct Pledge {
    pub vin_lien: LienStatus,
    /// The other creditor the registry names for a foreign prohibition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub creditor: Option<String>,
    /// The prohibition's timeline, oldest first: the underwriter's request and what the
    /// Pledge Registry answered, each with its time.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<Vec<LienEvent>>", optional)]
    pub history: Vec<LienEvent>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct LienEvent {
    pub status: LienStatus,
    /// RFC 3339: the registry's own time for what it did, the workstation's for a request.
    pub at: String,
    /// The user who asked, or "Pledge Registry".
    pub by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub note: Option<String>,
}

/// §8: what the disbursement of an approved case has on record.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct Disbursement {
    /// Manufacturer or official dealer: the advance the purchase contract asks to be paid
    /// from the loan before delivery (stage 1); the rest of the loan is stage 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub advance: Option<Money>,
    /// Manufacturer or official dealer: the seller's notice that the car was delivered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub delivery_notice: Option<DeliveryNotice>,
    /// The orders sent to the core bank, stage 1 before stage 2.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<Vec<DisbursementOrder>>", optional)]
    pub orders: Vec<DisbursementOrder>,
}

impl Disbursement {
    pub fn is_empty(&self) -> bool {
        self.advance.is_none() && self.delivery_notice.is_none() && self.orders.is_empty()
    }

    pub fn order(&self, stage: u8) -> Option<&DisbursementOrder> {
        self.orders.iter().find(|o| o.stage == stage)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct DeliveryNotice {
    pub reference: String,
    pub date: Date,
}

/// Whose money a stage moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Funds {
    /// Loan money.
    Loan,
    /// The client's down payment (a seller with the car in stock, stage 1).
    DownPayment,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct DisbursementOrder {
    /// 1 or 2.
    pub stage: u8,
    pub amount: Money,
    pub funds: Funds,
    /// The seller, paid under the purchase contract.
    pub payee: String,
    /// The day the money moves (the day the order was made).
    pub value_date: Date,
    /// RFC 3339.
    pub created_at: String,
    pub created_by: String,
    /// The conditions as they stood when the order was made (the evidence it rests on).
    #[serde(default)]
    pub evidence: Vec<Evidence>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct Evidence {
    pub code: String,
    pub status: String,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ReviewDecision {
    Approve,
    Reject,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct Review {
    pub decision: ReviewDecision,
    pub maker: String,
    pub checker: String,
    /// RFC 3339; checked in [`validate`].
    pub signed_at: String,
    pub case_version: u64,
}

impl CaseFile {
    pub fn borrower(&self) -> &Party {
        // `validate` guarantees exactly one borrower; index 0 is only a fallback for
        // values built in code.
        self.parties
            .iter()
            .find(|p| p.role == Role::Borrower)
            .unwrap_or(&self.parties[0])
    }

    pub fn co_borrowers(&self) -> impl Iterator<Item = &Party> {
        self.parties.iter().filter(|p| p.role == Role::CoBorrower)
    }
}

/// A malformed case file: where (`path`, e.g. `parties[1].birth_date`) and what.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct CaseError {
    pub path: String,
    pub message: String,
}

impl CaseError {
    pub fn at(path: impl Into<String>, message: impl Into<String>) -> Self {
        CaseError {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// Parses and validates a case file from its JSON text.
///
/// Read first without tracking the JSON path, which costs as much again; a file that fails
/// is read again with it, to name where (the same reading, so the same outcome).
pub fn parse_case(json: &str) -> Result<CaseFile, CaseError> {
    let case = match CaseFile::deserialize(&mut serde_json::Deserializer::from_str(json)) {
        Ok(case) => case,
        Err(_) => {
            let de = &mut serde_json::Deserializer::from_str(json);
            serde_path_to_error::deserialize(de).map_err(path_error)?
        }
    };
    validate(&case)?;
    Ok(case)
}

/// Parses and validates a case file from an already-parsed JSON value (the IPC path).
pub fn parse_case_value(value: serde_json::Value) -> Result<CaseFile, CaseError> {
    let case: CaseFile = serde_path_to_error::deserialize(value).map_err(path_error)?;
    validate(&case)?;
    Ok(case)
}

fn path_error(e: serde_path_to_error::Error<serde_json::Error>) -> CaseError {
    let path = e.path().to_string();
    let inner = e.into_inner();
    let message = strip_position(&inner.to_string());
    let path = if path == "." {
        "(document)".to_string()
    } else {
        path
    };
    CaseError { path, message }
}

/// serde_json appends " at line L column C"; keep it only for syntax errors, where the
/// path is meaningless and the position is the useful part.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i)
            if !msg.starts_with("expected")
                && !msg.starts_with("EOF")
                && !msg.starts_with("trailing")
                && !msg.starts_with("key must") =>
        {
            msg[..i].to_string()
        }
        _ => msg.to_string(),
    }
}

/// The checks a type cannot express. The first failure is reported.
/// The longest case id.
pub const MAX_CASE_ID: usize = 64;

/// Reading (the case file gives only an example, `AUTO-2026-000123`): a case id names
/// files (the printed agreement, an export) and the bank's paths (`/v1/cases/{id}`), so it
/// is 1 to [`MAX_CASE_ID`] ASCII letters, digits, `-`, `_` and `.`, and does not start
/// with a dot: never a path, never a file of its own folder's parent.
pub fn is_case_id(id: &str) -> bool {
    (1..=MAX_CASE_ID).contains(&id.len())
        && !id.starts_with('.')
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

pub fn validate(case: &CaseFile) -> Result<(), CaseError> {
    let nonblank = |path: &str, s: &str| {
        if s.trim().is_empty() {
            Err(CaseError::at(path, "must not be empty"))
        } else {
            Ok(())
        }
    };
    let positive = |path: String, m: Money| {
        if m > Money::ZERO {
            Ok(())
        } else {
            Err(CaseError::at(
                path,
                format!("must be greater than zero, got {m}"),
            ))
        }
    };
    let non_negative = |path: String, m: Money| {
        if m >= Money::ZERO {
            Ok(())
        } else {
            Err(CaseError::at(
                path,
                format!("must not be negative, got {m}"),
            ))
        }
    };

    nonblank("case_id", &case.case_id)?;
    if !is_case_id(&case.case_id) {
        return Err(CaseError::at(
            "case_id",
            format!(
                "must be 1 to {MAX_CASE_ID} ASCII letters, digits, '-', '_' or '.', not starting with '.', got {:?}",
                case.case_id.chars().take(80).collect::<String>()
            ),
        ));
    }
    nonblank("product", &case.product)?;
    nonblank("branch", &case.branch)?;
    if case.parties.is_empty() {
        return Err(CaseError::at(
            "parties",
            "at least the borrower is required",
        ));
    }
    let borrowers = case
        .parties
        .iter()
        .filter(|p| p.role == Role::Borrower)
        .count();
    if borrowers != 1 {
        return Err(CaseError::at(
            "parties",
            format!("exactly one party must have role \"borrower\", found {borrowers}"),
        ));
    }
    for (i, p) in case.parties.iter().enumerate() {
        nonblank(&format!("parties[{i}].full_name"), &p.full_name)?;
        if p.birth_date > case.application_date {
            return Err(CaseError::at(
                format!("parties[{i}].birth_date"),
                format!("{} is after the application date", p.birth_date),
            ));
        }
        for (j, src) in p.incomes.iter().enumerate() {
            for (month, amount) in &src.months {
                non_negative(format!("parties[{i}].incomes[{j}].months.{month}"), *amount)?;
            }
        }
        non_negative(
            format!("parties[{i}].credit_history.existing_monthly_payments"),
            p.credit_history.existing_monthly_payments,
        )?;
    }
    positive("vehicle.contract_price".into(), case.vehicle.contract_price)?;
    if let Some(v) = case.vehicle.appraised_value {
        positive("vehicle.appraised_value".into(), v)?;
    }
    positive("loan.amount".into(), case.loan.amount)?;
    positive("loan.down_payment".into(), case.loan.down_payment)?;
    if case.loan.term_months < 1 {
        return Err(CaseError::at(
            "loan.term_months",
            "must be an integer ≥ 1, got 0",
        ));
    }
    for (i, d) in case.documents.iter().enumerate() {
        if !(1..=MAX_DOCUMENT_VERSION).contains(&d.version) {
            return Err(CaseError::at(
                format!("documents[{i}].version"),
                format!("must be 1 to {MAX_DOCUMENT_VERSION}, got {}", d.version),
            ));
        }
    }
    for (i, d) in case.documents.iter().enumerate() {
        if d.party >= case.parties.len() {
            return Err(CaseError::at(
                format!("documents[{i}].party"),
                format!(
                    "no party with index {} (the case has {})",
                    d.party,
                    case.parties.len()
                ),
            ));
        }
    }
    for (i, pol) in case.insurance.iter().enumerate() {
        if pol.to < pol.from {
            return Err(CaseError::at(
                format!("insurance[{i}].to"),
                format!("{} is before the start {}", pol.to, pol.from),
            ));
        }
    }
    for (i, e) in case.pledge.history.iter().enumerate() {
        nonblank(&format!("pledge.history[{i}].by"), &e.by)?;
        rfc3339(&format!("pledge.history[{i}].at"), &e.at)?;
    }
    let d = &case.disbursement;
    if let Some(a) = d.advance {
        positive("disbursement.advance".into(), a)?;
    }
    if let Some(n) = &d.delivery_notice {
        nonblank("disbursement.delivery_notice.reference", &n.reference)?;
    }
    for (i, o) in d.orders.iter().enumerate() {
        let at = |f: &str| format!("disbursement.orders[{i}].{f}");
        if !(1..=2).contains(&o.stage) {
            return Err(CaseError::at(
                at("stage"),
                format!("must be 1 or 2, got {}", o.stage),
            ));
        }
        if d.orders[..i].iter().any(|p| p.stage == o.stage) {
            return Err(CaseError::at(
                at("stage"),
                format!("stage {} is ordered twice", o.stage),
            ));
        }
        if o.stage == 2 && d.order(1).is_none() {
            return Err(CaseError::at(
                at("stage"),
                "stage 2 without a stage 1 order",
            ));
        }
        positive(at("amount"), o.amount)?;
        nonblank(&at("created_by"), &o.created_by)?;
        rfc3339(&at("created_at"), &o.created_at)?;
    }
    if let Some(r) = &case.review {
        nonblank("review.maker", &r.maker)?;
        nonblank("review.checker", &r.checker)?;
        if r.maker == r.checker {
            return Err(CaseError::at(
                "review.checker",
                format!("the checker must not be the maker ({:?})", r.maker),
            ));
        }
        rfc3339("review.signed_at", &r.signed_at)?;
    }
    Ok(())
}

fn rfc3339(path: &str, s: &str) -> Result<(), CaseError> {
    match chrono::DateTime::parse_from_rfc3339(s) {
        Ok(_) => Ok(()),
        Err(_) => Err(CaseError::at(path, format!("not an RFC 3339 time: {s:?}"))),
    }
}

/// The case as canonical JSON text (what is stored and exported).
pub fn to_json_pretty(case: &CaseFile) -> String {
    // Serialising plain data to a String cannot fail.
    serde_json::to_string_pretty(case).unwrap_or_default()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub const EXAMPLE: &str = include_str!("../../../../assets/demo/cases/AUTO-2026-000123.json");

    fn mutate(f: impl FnOnce(&mut serde_json::Value)) -> Result<CaseFile, CaseError> {
        let mut v: serde_json::Value = serde_json::from_str(EXAMPLE).unwrap();
        f(&mut v);
        parse_case(&v.to_string())
    }

    #[test]
    fn the_spec_example_parses_and_round_trips() {
        let case = parse_case(EXAMPLE).unwrap();
        assert_eq!(case.case_id, "AUTO-2026-000123");
        assert_eq!(case.loan.amount.to_string(), "135000000.00");
        let again = parse_case(&to_json_pretty(&case)).unwrap();
        assert_eq!(case, again);
    }

    #[test]
    fn malformed_fields_name_their_json_path() {
        type Mutation = Box<dyn FnOnce(&mut serde_json::Value)>;
        let cases: Vec<(Mutation, &str, &str)> = vec![
            (
                Box::new(|v| v["case_id"] = "../../x".into()),
                "case_id",
                "must be 1 to 64 ASCII letters",
            ),
            (
                Box::new(|v| v["case_id"] = "/tmp/AUTO-1".into()),
                "case_id",
                "not starting with '.', got \"/tmp/AUTO-1\"",
            ),
            (
                Box::new(|v| v["case_id"] = ".hidden".into()),
                "case_id",
                "must be 1 to 64",
            ),
            (
                Box::new(|v| v["case_id"] = "AUTO 2026".into()),
                "case_id",
                "must be 1 to 64",
            ),
            (
                Box::new(|v| v["case_id"] = "A".repeat(65).into()),
                "case_id",
                "must be 1 to 64",
            ),
            (
                Box::new(|v| v["parties"][0]["birth_date"] = "1990-13-01".into()),
                "parties[0].birth_date",
                "not a date: \"1990-13-01\"",
            ),
            (
                Box::new(|v| v["loan"]["first_payment_date"] = "2026-02-30".into()),
                "loan.first_payment_date",
                "not a date",
            ),
            (
                Box::new(|v| v["loan"]["amount"] = "abc".into()),
                "loan.amount",
                "not a decimal",
            ),
            (
                Box::new(|v| v["loan"]["amount"] = "135000000.005".into()),
                "loan.amount",
                "\"135000000.005\": more than 2 decimals (an amount is in tiyin at most)",
            ),
            (
                Box::new(|v| v["loan"]["down_payment"] = "135000000.500".into()),
                "loan.down_payment",
                "more than 2 decimals",
            ),
            (
                Box::new(|v| v["vehicle"]["contract_price"] = "1000000000000000.01".into()),
                "vehicle.contract_price",
                "\"1000000000000000.01\": above the largest amount accepted (10^15 UZS)",
            ),
            (
                Box::new(|v| v["loan"]["amount"] = "9".repeat(40).into()),
                "loan.amount",
                "above the largest amount",
            ),
            (
                Box::new(|v| v["loan"]["amount"] = "1.35e8".into()),
                "loan.amount",
                "not a decimal amount",
            ),
            (
                Box::new(|v| v["parties"][0]["incomes"][0]["months"]["2026-05"] = "1.001".into()),
                "parties[0].incomes[0].months.2026-05",
                "more than 2 decimals",
            ),
            (
                Box::new(|v| {
                    v["parties"][0]["credit_history"]["existing_monthly_payments"] =
                        "-1000000000000001".into()
                }),
                "parties[0].credit_history.existing_monthly_payments",
                "above the largest amount",
            ),
            (
                Box::new(|v| v["loan"]["amount"] = 135000000.0.into()),
                "loan.amount",
                "invalid type",
            ),
            (
                Box::new(|v| v["loan"]["amount"] = "-5.00".into()),
                "loan.amount",
                "greater than zero",
            ),
            (
                Box::new(|v| v["loan"]["term_months"] = 0.into()),
                "loan.term_months",
                "≥ 1",
            ),
            (
                Box::new(|v| v["loan"]["term_months"] = (-3).into()),
                "loan.term_months",
                "invalid value",
            ),
            (
                Box::new(|v| v["loan"]["schedule"] = "balloon".into()),
                "loan.schedule",
                "unknown variant",
            ),
            (
                Box::new(|v| v["parties"][0]["role"] = "guarantor".into()),
                "parties[0].role",
                "unknown variant",
            ),
            (
                Box::new(|v| v["vehicle"]["seller_kind"] = "auction".into()),
                "vehicle.seller_kind",
                "unknown variant",
            ),
            (
                Box::new(|v| v["parties"][0]["incomes"][0]["months"]["2026-13"] = "1.00".into()),
                "parties[0].incomes[0].months.2026-13",
                "not a month",
            ),
            (
                Box::new(|v| v["parties"][0]["incomes"][0]["months"]["2026-05"] = "-1.00".into()),
                "parties[0].incomes[0].months.2026-05",
                "negative",
            ),
            (
                Box::new(|v| v["documents"][0]["party"] = 7.into()),
                "documents[0].party",
                "no party",
            ),
            (
                Box::new(|v| v["documents"][0]["status"] = "ok".into()),
                "documents[0].status",
                "unknown variant",
            ),
            (
                Box::new(|v| v["pledge"]["vin_lien"] = "maybe".into()),
                "pledge.vin_lien",
                "unknown variant",
            ),
            (
                Box::new(|v| {
                    v.as_object_mut()
                        .unwrap()
                        .remove("loan")
                        .map(|_| ())
                        .unwrap_or(())
                }),
                "(document)",
                "missing field `loan`",
            ),
            (
                Box::new(|v| v["parties"][0]["role"] = "co_borrower".into()),
                "parties",
                "exactly one",
            ),
            (
                Box::new(|v| {
                    v["review"] = serde_json::json!({"decision": "approve", "maker": "alice",
                        "checker": "alice", "signed_at": "2026-11-21T10:00:00Z", "case_version": 3})
                }),
                "review.checker",
                "must not be the maker",
            ),
        ];
        for (f, path, msg) in cases {
            let err = mutate(f).unwrap_err();
            assert_eq!(err.path, path, "{err}");
            assert!(err.message.contains(msg), "{err}");
        }
    }

    #[test]
    fn syntax_errors_and_garbage_do_not_panic() {
        for text in [
            "",
            "{",
            "[]",
            "null",
            "{\"case_id\": 5}",
            "\u{0}\u{1}",
            "{\"a\":1}}",
        ] {
            assert!(parse_case(text).is_err(), "{text:?}");
        }
    }

    #[test]
    fn case_ids_are_names_never_paths() {
        for ok in ["AUTO-2026-000123", "a", "X_1.v2", &"A".repeat(64)] {
            assert!(is_case_id(ok), "{ok}");
        }
        for bad in [
            "",
            ".",
            "..",
            "../x",
            "a/b",
            "a\\b",
            "/abs",
            " A",
            "AUTO-№1",
            &"A".repeat(65),
        ] {
            assert!(!is_case_id(bad), "{bad}");
        }
    }

    #[test]
    fn missing_at_this_bank_means_false() {
        let case = parse_case(EXAMPLE).unwrap();
        assert!(case.parties[0].incomes[0].at_this_bank);
        let c = mutate(|v| {
            v["parties"][0]["incomes"][0]
                .as_object_mut()
                .unwrap()
                .remove("at_this_bank");
        })
        .unwrap();
        assert!(!c.parties[0].incomes[0].at_this_bank);
    }

    proptest::proptest! {
        /// Random bytes and random single-byte mutations of a real case: an error or a
        /// case, never a panic — and a parsed case always evaluates.
        #[test]
        fn parsing_never_panics(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400),
                                pos in 0usize..4000, byte in proptest::prelude::any::<u8>()) {
            let _ = parse_case(&String::from_utf8_lossy(&bytes));
            let mut mutated = EXAMPLE.as_bytes().to_vec();
            let i = pos % mutated.len();
            mutated[i] = byte;
            if let Ok(case) = parse_case(&String::from_utf8_lossy(&mutated)) {
                let product = crate::product::tests::default_product();
                let _ = crate::evaluate(&case, &product, &crate::EvalOptions::default());
            }
        }
    }
}

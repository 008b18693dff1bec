//! Signed statements as the workstation makes them (`assets/spec/dual-review.md`): every
//! case version it sends carries its author's `edit` (or `submit`) statement, every
//! sign-off and disbursement order is one.
//!
//! Invariants:
//! - a statement is signed by the logged-in person's own key, at the moment of the action,
//!   and written with the change it is about in one transaction (the outbox keeps it until
//!   the bank answers; offline it simply waits);
//! - `content_hash` is the hash the bank computes of the very bytes sent
//!   (`uw_bank_link::api::content_hash`), so the bank can bind the statement to its version;
//! - a standalone workstation (no directory) signs nothing and sends as before; a change
//!   the workstation makes on its own (what the Pledge Registry said) is not sent as a
//!   version in the directory mode: no person said it, and the bank hears the registry
//!   itself.
//!
//! Readings fixed here:
//! - a sign-off's `version` and `content_hash` are the submitted version's at the bank; an
//!   `edit`'s, a `submit`'s and an order's `version` is this workstation's version of the
//!   case, and the bank binds the statement to its own version by the hash;
//! - the workstation's own changes travel with the next signed version; `uw import` has no
//!   person and signs nothing: with the directory, cases come from the bank;
//! - an enforcing bank refuses every unsigned version (`SIGNATURE_INVALID`): the
//!   standalone mode is for the demo without a directory and for a workstation without a
//!   bank.

use serde::{Deserialize, Serialize};
use uw_bank_link::api::{self, SignedStatement, Statement, StatementAction, StatementFigures};
use uw_bank_link::signing;
use uw_domain::CaseFile;

use crate::error::{AppError, ErrorCode, Result};
use crate::Workstation;

/// How a new case version goes to the bank (owned; the store takes [`uw_store::Push`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Push {
    Unsigned,
    /// The JSON of an [`Outbound`].
    Signed(String),
    LocalOnly,
}

impl Push {
    pub(crate) fn as_store(&self) -> uw_store::Push<'_> {
        match self {
            Push::Unsigned => uw_store::Push::Unsigned,
            Push::Signed(s) => uw_store::Push::Signed(s),
            Push::LocalOnly => uw_store::Push::LocalOnly,
        }
    }
}

/// What the outbox keeps beside a case version: the author's signed statement and, for a
/// submission, the maker's proposal and words (they travel beside the statement, whose
/// keys the spec fixes).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Outbound {
    pub signed: SignedStatement,
    #[serde(default)]
    pub justification: Option<String>,
    #[serde(default)]
    pub proposal: Option<String>,
}

/// The top-level parts of a case file that may change after its decision: the evidence
/// the disbursement needs and the review block (the bank's own list, `bank-sim`'s
/// `workflow::EVIDENCE_KEYS`); everything else is the terms a checker decided on.
const EVIDENCE_KEYS: [&str; 4] = ["review", "disbursement", "pledge", "insurance"];
/// The one kind of document that may change after the decision.
const EVIDENCE_DOCUMENT: &str = "down_payment_proof";

/// The content hash of a case file's terms: the file without its evidence, hashed as the
/// bank hashes content. `None` when the text is not a JSON object.
pub(crate) fn terms_hash(case_json: &str) -> Option<String> {
    let mut v: serde_json::Value = serde_json::from_str(case_json).ok()?;
    let map = v.as_object_mut()?;
    for key in EVIDENCE_KEYS {
        map.shift_remove(key);
    }
    if let Some(serde_json::Value::Array(docs)) = map.get_mut("documents") {
        docs.retain(|d| d.get("kind").and_then(|k| k.as_str()) != Some(EVIDENCE_DOCUMENT));
    }
    api::content_hash(&serde_json::to_string(&v).ok()?)
}

impl Workstation {
    /// Refuses when an approved case's terms are no longer the approved ones (a pulled or
    /// forged change after the sign-off): `what` is what would have used them.
    pub(crate) fn check_approved_terms(&self, case_id: &str, what: &str) -> Result<()> {
        let w = self.load_workflow(case_id)?;
        let Some(approved) = w.approved_terms.as_deref() else {
            return Ok(());
        };
        let stored = self.store()?.get_case(case_id)?;
        if terms_hash(&stored.case_json).as_deref() == Some(approved) {
            return Ok(());
        }
        Err(AppError::new(
            ErrorCode::TermsChanged,
            format!("{case_id}: the case's terms are not the ones approved (their hash was {approved}): {what} waits until the case is reviewed again"),
        ))
    }

    /// The engine's figures of a case, as a statement carries them.
    pub(crate) fn statement_figures(&self, case: &CaseFile) -> StatementFigures {
        let e = self.evaluate_case(case);
        StatementFigures {
            decision: e.decision.as_str().to_string(),
            amount: case.loan.amount.to_string(),
            term_months: case.loan.term_months,
            rate: e.metrics.rate.clone(),
            average_monthly_income: e.metrics.average_monthly_income.clone(),
            dti: e.metrics.dti.clone(),
            ltv: e.metrics.ltv.clone(),
        }
    }

    /// Signs a statement with the logged-in person's key.
    pub(crate) fn sign(&self, statement: Statement) -> Result<SignedStatement> {
        let signer = self.signer().ok_or_else(|| {
            AppError::new(
                ErrorCode::NotLoggedIn,
                "a statement for the bank needs a logged-in person with a signing key",
            )
        })?;
        signing::sign_statement(signer.as_ref(), statement)
            .map_err(|e| AppError::new(ErrorCode::Internal, format!("signing: {e}")))
    }

    /// A statement about a case by the logged-in person, now.
    pub(crate) fn statement(
        &self,
        case_id: &str,
        version: i64,
        content_hash: String,
        action: StatementAction,
        figures: Option<StatementFigures>,
    ) -> Result<Statement> {
        let signer = self
            .session()
            .map(|s| s.username)
            .ok_or_else(|| AppError::new(ErrorCode::NotLoggedIn, "log in first"))?;
        Ok(Statement {
            case_id: case_id.to_string(),
            version,
            content_hash,
            action,
            figures,
            signer,
            // Milliseconds: a key revoked within the same second must not seem to have
            // signed before its revocation.
            signed_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        })
    }

    /// How the new version `version` of `case` (its stored JSON `json`) goes to the bank:
    /// with the logged-in person's `edit` or `submit` statement in the directory mode, as
    /// it is otherwise. `submission` is the maker's (proposal, justification).
    pub(crate) fn version_push(
        &self,
        case: &CaseFile,
        json: &str,
        version: i64,
        action: StatementAction,
        submission: Option<(&str, &str)>,
    ) -> Result<Push> {
        if !self.directory_mode() {
            return Ok(Push::Unsigned);
        }
        let hash = api::content_hash(json).ok_or_else(|| {
            AppError::new(ErrorCode::Internal, "a stored case version is not JSON")
        })?;
        let figures = (action != StatementAction::Edit).then(|| self.statement_figures(case));
        let statement = self.statement(&case.case_id, version, hash, action, figures)?;
        let outbound = Outbound {
            signed: self.sign(statement)?,
            proposal: submission.map(|(p, _)| p.to_string()),
            justification: submission.map(|(_, j)| j.to_string()),
        };
        serde_json::to_string(&outbound)
            .map(Push::Signed)
            .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))
    }

    /// How a version the workstation made on its own goes to the bank.
    pub(crate) fn system_push(&self) -> Push {
        if self.directory_mode() {
            Push::LocalOnly
        } else {
            Push::Unsigned
        }
    }
}

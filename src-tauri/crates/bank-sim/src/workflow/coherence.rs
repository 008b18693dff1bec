//! The bank's rule for coherent sign-offs: an approval agrees with the engine's decision
//! and the maker's proposal, or it is an exception within the signer's authority limit.
//! The same rule as the workstation's (`uw_domain::review::exception`), run here on what
//! the bank itself holds; the desk's check only explains it.
//!
//! Readings fixed here:
//! - the bank runs no engine: it holds both signers to the engine's decision their own
//!   statements carry — the maker's `submit` and the checker's `approve` must both say
//!   `approve` (a desk that lies signs the lie with its person's key);
//! - the amount is the submitted version's `loan.amount` as the bank stored it (the
//!   maker's signed statement's when that does not read — never the checker's own);
//! - the limits are the bank's copy of `assets/review/authority.json`, per directory role;
//!   the largest of the signer's roles counts; no role with a limit, no exception;
//! - the exception's reason travels as the sign-off's words (`SignOff::comment`), like a
//!   rejection's: the statement's form is the spec's and carries none.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use rust_decimal::Decimal;
use serde_json::Value;
use uw_bank_link::api::Statement;
use uw_directory::DirectoryRoles;

use super::{CaseReview, PersonVerdict, Refusal, Rule};

const AUTHORITY_JSON: &str = include_str!("../../../../../assets/review/authority.json");

/// The exception limits by role; an unreadable table grants no one an exception.
static LIMITS: LazyLock<BTreeMap<String, Decimal>> = LazyLock::new(|| limits(AUTHORITY_JSON));

/// The table's `exception_limits`, positive decimals by role; anything else is left out.
pub fn limits(text: &str) -> BTreeMap<String, Decimal> {
    let v: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    v.get("exception_limits")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(role, l)| {
                    let l: Decimal = l.as_str()?.parse().ok()?;
                    (l > Decimal::ZERO).then(|| (role.clone(), l))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn role_names(r: &DirectoryRoles) -> Vec<&'static str> {
    [
        (r.underwriter, "underwriter"),
        (r.reviewer, "reviewer"),
        (r.administrator, "administrator"),
    ]
    .into_iter()
    .filter_map(|(held, name)| held.then_some(name))
    .collect()
}

fn submitted_amount(state: &CaseReview) -> Option<Decimal> {
    let stored = state
        .submitted
        .as_ref()
        .and_then(|h| h.case.pointer("/loan/amount"))
        .and_then(Value::as_str);
    // Failing that, the maker's signed word (never the checker's own: the signer would
    // be stating the amount their limit is held to).
    let makers = state
        .submission
        .as_ref()
        .and_then(|sub| sub.statement.statement.figures.as_ref())
        .map(|f| f.amount.as_str());
    stored.or(makers).and_then(|a| a.trim().parse().ok())
}

/// An approval's coherence, with the bank's limits.
pub fn check_approval(
    state: &CaseReview,
    s: &Statement,
    reason: Option<&str>,
    person: &PersonVerdict,
) -> Result<(), Refusal> {
    check_with(state, s, reason, person, &LIMITS)
}

pub fn check_with(
    state: &CaseReview,
    s: &Statement,
    reason: Option<&str>,
    person: &PersonVerdict,
    limits: &BTreeMap<String, Decimal>,
) -> Result<(), Refusal> {
    let submission = state.submission.as_ref();
    let makers = submission
        .and_then(|sub| sub.statement.statement.figures.as_ref())
        .map(|f| f.decision.as_str());
    let checkers = s.figures.as_ref().map(|f| f.decision.as_str());
    if makers != Some("approve") || checkers != Some("approve") {
        return Err(Refusal::new(
            Rule::EngineNotApprove,
            format!(
                "case {}: the engine's decision is {} in the maker's statement and {} in the checker's: an approval agrees with the engine",
                s.case_id,
                makers.unwrap_or("absent"),
                checkers.unwrap_or("absent")
            ),
        ));
    }
    if submission.and_then(|sub| sub.proposal.as_deref()) != Some("reject") {
        return Ok(());
    }
    if reason.is_none_or(|r| r.trim().is_empty()) {
        return Err(Refusal::new(
            Rule::ExceptionReasonRequired,
            format!(
                "comment: the maker of case {} proposed to reject; an approval against the proposal is an exception and says why",
                s.case_id
            ),
        ));
    }
    let roles = match person {
        PersonVerdict::Found { roles, .. } => role_names(roles),
        _ => Vec::new(),
    };
    let Some((role, limit)) = roles
        .iter()
        .filter_map(|r| limits.get_key_value(*r))
        .max_by_key(|(_, l)| **l)
    else {
        return Err(Refusal::new(
            Rule::ExceptionNoAuthority,
            format!(
                "{} holds no role with an exception limit: approving against the maker's proposal is not theirs",
                s.signer
            ),
        ));
    };
    let amount = submitted_amount(state);
    if amount.is_none_or(|a| a > *limit) {
        return Err(Refusal::new(
            Rule::ExceptionOverLimit,
            format!(
                "the loan amount of case {} ({}) is above {}'s exception limit {limit} (role {role})",
                s.case_id,
                amount.map_or("unreadable".into(), |a| a.to_string()),
                s.signer
            ),
        ));
    }
    Ok(())
}

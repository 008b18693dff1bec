//! Coherent sign-offs: a checker's approval agrees with the engine and with the maker's
//! proposal, or it is an **exception** — a reason, within the checker's authority limit
//! (`assets/review/authority.json`) — recorded in the sign-off and the decision memo.
//!
//! Invariant: [`approval`] is the one gate an approval passes besides [`super::step`];
//! the service calls it with the engine's decision on the stored case, and the bank runs
//! the same rules on the signed statements (the desk's check is a courtesy). So an
//! approved case always passes the engine, and is disbursable and printable once its
//! conditions are met: no approved case is a dead end.
//!
//! Readings fixed here (the passport names no exception authority):
//! - the engine is not overruled at a desk: an approval of a case the engine rejects or
//!   refers is refused (`ENGINE_NOT_APPROVE`). §10 makes every failing rule of §§1–5 a
//!   stop factor and names no one who may waive it (the debt-burden limit is the central
//!   bank's); a referred case lacks documents the approval would rest on. The way on is
//!   the maker's: a counter-offer, a verified document, a resubmission;
//! - an approval against the maker's proposal to reject is the exception: the checker
//!   overrules a colleague's judgement, says why, and the loan amount must be within the
//!   largest limit of the checker's roles (a role without a limit has no exception
//!   authority);
//! - a rejection against the maker's proposal to approve is no exception: declining is
//!   always within a reviewer's authority, and a rejection says why already;
//! - a reason given for an approval that agrees is not an exception and is not recorded.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::case::ReviewDecision;
use crate::decision::Decision;
use crate::money::Money;

/// Who may approve by exception, and up to which loan amount (per role).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Authority {
    pub exception_limits: BTreeMap<String, Money>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("authority limits {field}: {message}")]
pub struct AuthorityError {
    pub field: String,
    pub message: String,
}

/// Reads the authority limits; every limit is a positive amount.
pub fn parse_authority(text: &str) -> Result<Authority, AuthorityError> {
    let de = &mut serde_json::Deserializer::from_str(text);
    let a: Authority = serde_path_to_error::deserialize(de).map_err(|e| AuthorityError {
        field: e.path().to_string(),
        message: e.inner().to_string(),
    })?;
    if let Some((role, _)) = a.exception_limits.iter().find(|(_, l)| **l <= Money::ZERO) {
        return Err(AuthorityError {
            field: format!("exception_limits.{role}"),
            message: "must be a positive amount".into(),
        });
    }
    Ok(a)
}

impl Authority {
    /// The largest exception limit among `roles`, with its role (None: no authority).
    pub fn limit_of<'r>(&self, roles: impl IntoIterator<Item = &'r str>) -> Option<(&str, Money)> {
        roles
            .into_iter()
            .filter_map(|r| self.exception_limits.get_key_value(r))
            .max_by_key(|(_, l)| **l)
            .map(|(r, l)| (r.as_str(), *l))
    }
}

/// An approval by exception, as the sign-off and the memo record it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Exception {
    /// The checker's reason, in their words.
    pub reason: String,
    /// What the approval overrules: the maker's proposal.
    pub overrules: ReviewDecision,
    /// The loan amount approved (None when the desk learnt the exception from the bank).
    #[serde(default)]
    pub amount: Option<Money>,
    /// The role whose limit the approval rests on, and that limit (None when the desk
    /// learnt the exception from the bank and does not know the signer's roles).
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub limit: Option<Money>,
}

/// Why an approval is not coherent, each with its stable code.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Incoherent {
    #[error("the engine's decision is {decision}: an approval must agree with it (no one waives a stop factor or a missing document at a desk): return the case to the maker")]
    EngineNotApprove { decision: &'static str },
    #[error("exception_reason: the maker proposed to reject; an approval against the proposal is an exception and says why")]
    ReasonRequired,
    #[error("{actor} has no authority to approve by exception (no role with a limit in the authority table)")]
    NoAuthority { actor: String },
    #[error("the loan amount {amount} is above {actor}'s exception limit {limit} (role {role}): a reviewer with a larger limit signs it")]
    OverLimit {
        actor: String,
        amount: Money,
        limit: Money,
        role: String,
    },
}

impl Incoherent {
    pub fn code(&self) -> &'static str {
        match self {
            Incoherent::EngineNotApprove { .. } => "ENGINE_NOT_APPROVE",
            Incoherent::ReasonRequired => "EXCEPTION_REASON_REQUIRED",
            Incoherent::NoAuthority { .. } => "EXCEPTION_NO_AUTHORITY",
            Incoherent::OverLimit { .. } => "EXCEPTION_OVER_LIMIT",
        }
    }
}

/// What an approval is judged on.
#[derive(Clone, Copy, Debug)]
pub struct Approving<'a> {
    /// The engine's decision on the stored case, now.
    pub engine: Decision,
    /// The maker's proposal as submitted.
    pub proposal: ReviewDecision,
    pub amount: Money,
    pub actor: &'a str,
    /// The checker's roles by name (`reviewer`, …).
    pub roles: &'a [&'a str],
    /// The checker's reason, when they give one.
    pub reason: Option<&'a str>,
}

/// The approval's exception (None: it agrees with the engine and the maker), or why it
/// may not be signed.
pub fn approval(a: &Approving, authority: &Authority) -> Result<Option<Exception>, Incoherent> {
    if a.engine != Decision::Approve {
        return Err(Incoherent::EngineNotApprove {
            decision: a.engine.as_str(),
        });
    }
    if a.proposal == ReviewDecision::Approve {
        return Ok(None);
    }
    let reason = a
        .reason
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .ok_or(Incoherent::ReasonRequired)?;
    let Some((role, limit)) = authority.limit_of(a.roles.iter().copied()) else {
        return Err(Incoherent::NoAuthority {
            actor: a.actor.to_string(),
        });
    };
    if a.amount > limit {
        return Err(Incoherent::OverLimit {
            actor: a.actor.to_string(),
            amount: a.amount,
            limit,
            role: role.to_string(),
        });
    }
    Ok(Some(Exception {
        reason: reason.to_string(),
        overrules: a.proposal,
        amount: Some(a.amount),
        role: Some(role.to_string()),
        limit: Some(limit),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn authority() -> Authority {
        parse_authority(
            r#"{"exception_limits": {"reviewer": "150000000.00", "supervisor": "400000000.00"}}"#,
        )
        .unwrap()
    }

    /// One approval: (engine, proposal, amount, roles, reason) → the exception's role and
    /// limit, "none" when it agrees, or the refusal's code.
    fn check(
        engine: Decision,
        proposal: ReviewDecision,
        amount: &str,
        roles: &[&str],
        reason: Option<&str>,
        expected: &str,
    ) {
        let a = Approving {
            engine,
            proposal,
            amount: amount.parse().unwrap(),
            actor: "bob",
            roles,
            reason,
        };
        let got = match approval(&a, &authority()) {
            Ok(None) => "none".to_string(),
            Ok(Some(e)) => format!("{} {} {}", e.role.unwrap(), e.limit.unwrap(), e.reason),
            Err(e) => e.code().to_string(),
        };
        assert_eq!(
            got, expected,
            "{engine:?} {proposal:?} {amount} {roles:?} {reason:?}"
        );
    }

    #[test]
    fn approvals_agree_or_are_exceptions_within_the_limit() {
        use Decision::*;
        use ReviewDecision as P;
        let rev: &[&str] = &["reviewer"];
        check(Approve, P::Approve, "800000000.00", rev, None, "none");
        check(Approve, P::Approve, "800000000.00", rev, Some("ok"), "none");
        check(
            Reject,
            P::Approve,
            "1000000.00",
            rev,
            Some("because"),
            "ENGINE_NOT_APPROVE",
        );
        check(
            Refer,
            P::Reject,
            "1000000.00",
            rev,
            Some("because"),
            "ENGINE_NOT_APPROVE",
        );
        check(
            Approve,
            P::Reject,
            "1000000.00",
            rev,
            None,
            "EXCEPTION_REASON_REQUIRED",
        );
        check(
            Approve,
            P::Reject,
            "1000000.00",
            rev,
            Some("  \n "),
            "EXCEPTION_REASON_REQUIRED",
        );
        check(
            Approve,
            P::Reject,
            "150000000.00",
            rev,
            Some(" salary confirmed "),
            "reviewer 150000000.00 salary confirmed",
        );
        check(
            Approve,
            P::Reject,
            "150000000.01",
            rev,
            Some("x"),
            "EXCEPTION_OVER_LIMIT",
        );
        check(
            Approve,
            P::Reject,
            "150000000.01",
            &["reviewer", "supervisor"],
            Some("x"),
            "supervisor 400000000.00 x",
        );
        check(
            Approve,
            P::Reject,
            "1.00",
            &["underwriter"],
            Some("x"),
            "EXCEPTION_NO_AUTHORITY",
        );
        check(
            Approve,
            P::Reject,
            "1.00",
            &[],
            Some("x"),
            "EXCEPTION_NO_AUTHORITY",
        );
    }

    #[test]
    fn the_authority_table_is_checked() {
        let bad = |text: &str| parse_authority(text).unwrap_err().field;
        assert_eq!(
            bad(r#"{"exception_limits": {"reviewer": "0"}}"#),
            "exception_limits.reviewer"
        );
        assert_eq!(
            bad(r#"{"exception_limits": {"reviewer": "-5.00"}}"#),
            "exception_limits.reviewer"
        );
        assert_eq!(
            bad(r#"{"exception_limits": {"reviewer": 5.5}}"#),
            "exception_limits.reviewer"
        );
        assert_eq!(bad(r#"{"exception_limits": {}, "extra": 1}"#), "extra");
        assert!(parse_authority("[").is_err());
        let shipped = include_str!("../../../../../assets/review/authority.json");
        assert!(parse_authority(shipped)
            .unwrap()
            .limit_of(["reviewer"])
            .is_some());
    }
}

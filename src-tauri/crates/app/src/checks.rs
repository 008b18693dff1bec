//! Checks of a party against the outside: the PINFL's own arithmetic (no I/O), the state
//! identity register, the credit bureau and the official income service (through the core
//! bank's link). Each answer is
//! written into the case (a new version with its audit entry); an answer that does not
//! come, or comes malformed, changes nothing and says why.

use uw_domain::bureau::{credit_history, parse_report};
use uw_domain::case::{HistoryOrigin, HistorySource, RegisterStatus, StateCheck};
use uw_domain::identity::{self, IdentityCheck};
use uw_domain::income::official;
use uw_domain::CaseFile;

use crate::cases::CaseView;
use crate::error::{AppError, ErrorCode, Result};
use crate::{now_rfc3339, Workstation};

/// The PINFL and document checks of every party, in party order.
pub fn identity_checks(case: &CaseFile) -> Vec<IdentityCheck> {
    case.parties
        .iter()
        .map(|p| {
            identity::check(
                &p.pinfl,
                Some(p.birth_date),
                p.identity.as_ref().map(|i| i.number.as_str()),
            )
        })
        .collect()
}

/// Names compared as a person reads them: case, spacing and the forms of the Uzbek
/// apostrophes (ʻ ʼ ' ‘ ’ `) aside.
pub fn same_name(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.split_whitespace()
            .map(|w| {
                w.chars()
                    .map(|c| match c {
                        'ʻ' | 'ʼ' | '‘' | '’' | '`' => '\'',
                        c => c,
                    })
                    .flat_map(char::to_lowercase)
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    norm(a) == norm(b)
}

impl Workstation {
    /// Asks the state identity register about a party's PINFL and document, and records
    /// the answer (status, registered name, whether it is the case's) on the party.
    pub fn verify_identity(
        &self,
        case_id: &str,
        expected_version: i64,
        party: usize,
    ) -> Result<CaseView> {
        let mut case = self.case_with_party(case_id, party)?;
        let p = &case.parties[party];
        let Some(document) = p.identity.as_ref().map(|i| i.number.clone()) else {
            return Err(AppError::new(
                ErrorCode::InvalidInput,
                format!("parties[{party}].identity: no identity document to check"),
            ));
        };
        let answer = self.bank()?.identity(&p.pinfl, &document)?;
        let status = match answer.status.as_str() {
            "valid" => RegisterStatus::Valid,
            "expired" => RegisterStatus::Expired,
            "revoked" => RegisterStatus::Revoked,
            "not_found" => RegisterStatus::NotFound,
            other => {
                return Err(AppError::new(
                    ErrorCode::BankBadAnswer,
                    format!("the identity register: status {other:?} is not valid, expired, revoked or not_found"),
                ))
            }
        };
        let check = StateCheck {
            status,
            name_matches: answer
                .full_name
                .as_deref()
                .is_some_and(|n| same_name(n, &p.full_name)),
            registered_name: answer.full_name,
            at: now_rfc3339(),
        };
        let detail = serde_json::json!({
            "party": party, "status": check.status, "registered_name": check.registered_name,
            "name_matches": check.name_matches,
        });
        if let Some(identity) = case.parties[party].identity.as_mut() {
            identity.state_check = Some(check);
        }
        self.save_parsed(
            case_id,
            expected_version,
            case,
            Some(("identity_checked".into(), detail.to_string())),
        )
    }

    /// Pulls the credit bureau's report on a party, keeps it with the case and sets the
    /// party's credit-history figures from it (marked as pulled). A report that does not
    /// come or does not read leaves the case, and its previous report, as they were.
    pub fn pull_bureau(
        &self,
        case_id: &str,
        expected_version: i64,
        party: usize,
    ) -> Result<CaseView> {
        let mut case = self.case_with_party(case_id, party)?;
        let pinfl = case.parties[party].pinfl.clone();
        let raw = self.bank()?.bureau(&pinfl)?;
        let unreadable = |why: String| {
            AppError::new(
                ErrorCode::BankBadAnswer,
                format!("the credit bureau's report on {pinfl} does not read: {why}; the case keeps its previous report"),
            )
        };
        let report = parse_report(raw).map_err(unreadable)?;
        if report.pinfl != pinfl {
            return Err(AppError::new(
                ErrorCode::BankBadAnswer,
                format!(
                    "the credit bureau answered about {} when asked about {pinfl}; the case keeps its previous report",
                    report.pinfl
                ),
            ));
        }
        let (actor, _) = self.acting()?;
        let mut history = credit_history(&report).map_err(unreadable)?;
        let p = &case.parties[party];
        // The same report again changes nothing in the case (its source keeps the time it
        // first came); the pull itself is still in the case's history.
        let unchanged = p.bureau.as_ref() == Some(&report)
            && p.credit_history.source.as_ref().map(|s| s.origin) == Some(HistoryOrigin::Bureau);
        history.source = match &p.credit_history.source {
            Some(s) if unchanged => Some(s.clone()),
            _ => Some(HistorySource {
                origin: HistoryOrigin::Bureau,
                at: now_rfc3339(),
                by: actor,
            }),
        };
        let detail = serde_json::json!({
            "party": party, "as_of": report.as_of, "loans": report.loans.len(),
            "guarantees": report.guarantees.len(),
            "existing_monthly_payments": history.existing_monthly_payments,
            "current_overdue": history.current_overdue,
            "delinquencies_90_plus": history.delinquencies_90_plus,
        });
        let p = &mut case.parties[party];
        p.credit_history = history;
        p.bureau = Some(report);
        self.save_parsed(
            case_id,
            expected_version,
            case,
            Some(("bureau_pulled".into(), detail.to_string())),
        )
    }
}

impl Workstation {
    /// Asks the official income service for a party's salary and pension by PINFL, and
    /// keeps its answer with the party (a new version with its audit entry); the income
    /// step shows it beside the statements. "Nothing recorded" is an answer too (no
    /// records); an answer that does not come, or comes malformed, changes nothing.
    pub fn pull_official_income(
        &self,
        case_id: &str,
        expected_version: i64,
        party: usize,
    ) -> Result<CaseView> {
        let mut case = self.case_with_party(case_id, party)?;
        let pinfl = case.parties[party].pinfl.clone();
        let keeps = "the case keeps its previous answer";
        let bad = |why: String| {
            AppError::new(
                ErrorCode::BankBadAnswer,
                format!(
                    "the official income service's answer on {pinfl} does not read: {why}; {keeps}"
                ),
            )
        };
        let records = match self.bank()?.official_income(&pinfl) {
            Ok(answer) if answer.pinfl != pinfl => {
                return Err(bad(format!("it is about {}", answer.pinfl)))
            }
            Ok(answer) => official::records(answer.records.iter().map(|r| official::RawRecord {
                month: &r.month,
                kind: &r.kind,
                payer: &r.payer,
                payer_inn: r.payer_inn.as_deref(),
                amount: &r.amount,
            }))
            .map_err(bad)?,
            // The service knows no salary or pension of the PINFL: none is recorded. Its
            // own code, not any 404 (a missing route or a proxy's is no answer).
            Err(uw_bank_link::LinkError::Rejected {
                status: 404, code, ..
            }) if code == "NO_INCOME_RECORD" => Vec::new(),
            Err(e) => {
                let e = AppError::from(e);
                return Err(AppError::new(e.code, format!("{}; {keeps}", e.message)));
            }
        };
        let detail = serde_json::json!({"party": party, "records": records.len()});
        case.parties[party].official_income = Some(official::OfficialIncome {
            at: now_rfc3339(),
            records,
        });
        self.save_parsed(
            case_id,
            expected_version,
            case,
            Some(("official_income_pulled".into(), detail.to_string())),
        )
    }

    /// Pulls the bureau's report for every party in turn (each a version of its own); the
    /// first that fails stops the round, naming its party — the parties pulled before it
    /// keep their new report, it and those after keep their previous one.
    pub fn pull_bureau_all(&self, case_id: &str, expected_version: i64) -> Result<CaseView> {
        let (_, case) = self.stored_case(case_id)?;
        let mut version = expected_version;
        let mut view = None;
        for party in 0..case.parties.len() {
            let v = self
                .pull_bureau(case_id, version, party)
                .map_err(|e| AppError::new(e.code, format!("parties[{party}]: {}", e.message)))?;
            version = v.version;
            view = Some(v);
        }
        view.map_or_else(|| self.open_case(case_id), Ok)
    }
}

/// Marks credit-history figures an edit changed by hand as typed (by whom, when), so the
/// case says they were typed, not pulled; figures the edit left alone keep their source.
pub(crate) fn mark_typed_history(before: &CaseFile, after: &mut CaseFile, actor: &str, at: &str) {
    for (i, p) in after.parties.iter_mut().enumerate() {
        let figures = |h: &uw_domain::case::CreditHistory| {
            (
                h.current_overdue,
                h.delinquencies_90_plus,
                h.existing_monthly_payments,
            )
        };
        let changed = before
            .parties
            .get(i)
            .is_none_or(|b| figures(&b.credit_history) != figures(&p.credit_history));
        if changed {
            p.credit_history.source = Some(HistorySource {
                origin: HistoryOrigin::Typed,
                at: at.to_string(),
                by: actor.to_string(),
            });
        }
    }
}

/// Refuses an edit that marks a party's identity document verified while the PINFL or the
/// document number fails its own check, the document is expired on the application date
/// (or issued after it), or the state register reports it expired or revoked (rule: a
/// mismatch blocks the verification; passport §7, an expired paper is a rejected one).
/// A document verified before stays as it was: only the marking is refused.
pub(crate) fn refuse_unverifiable_identity(before: &CaseFile, after: &CaseFile) -> Result<()> {
    use uw_domain::case::{DocumentKind, DocumentStatus};
    let checks = identity_checks(after);
    for (i, d) in after.documents.iter().enumerate() {
        if d.kind != DocumentKind::Identity || d.status != DocumentStatus::Verified {
            continue;
        }
        let was = before.documents.iter().any(|b| {
            b.kind == d.kind && b.party == d.party && b.status == DocumentStatus::Verified
        });
        if was {
            continue;
        }
        let mut why: Vec<String> = checks
            .get(d.party)
            .filter(|c| !c.valid)
            .map(|c| c.errors.clone())
            .unwrap_or_default();
        let identity = after.parties.get(d.party).and_then(|p| p.identity.as_ref());
        why.extend(
            identity
                .map(|id| paper_faults(id, after.application_date))
                .unwrap_or_default(),
        );
        if !why.is_empty() {
            return Err(AppError::new(
                ErrorCode::InvalidInput,
                format!(
                    "documents[{i}]: the identity document of party {} cannot be marked verified: {}",
                    d.party,
                    why.join("; ")
                ),
            ));
        }
    }
    Ok(())
}

/// What the paper itself, and the register's answer on it, say against its verification.
fn paper_faults(
    id: &uw_domain::case::Identity,
    application: uw_domain::money::Date,
) -> Vec<String> {
    let mut why = Vec::new();
    if let Some(expires) = id.expires.filter(|e| *e < application) {
        why.push(format!(
            "it expired on {expires}, before the application ({application})"
        ));
    }
    if let Some(issued) = id.issued.filter(|i| *i > application) {
        why.push(format!(
            "it was issued on {issued}, after the application ({application})"
        ));
    }
    if let Some((issued, expires)) = id.issued.zip(id.expires).filter(|(i, e)| e < i) {
        why.push(format!(
            "it expires ({expires}) before it was issued ({issued})"
        ));
    }
    match id.state_check.as_ref().map(|c| c.status) {
        Some(RegisterStatus::Expired) => why.push("the state register reports it expired".into()),
        Some(RegisterStatus::Revoked) => why.push("the state register reports it revoked".into()),
        _ => {}
    }
    why
}

#[cfg(test)]
mod tests;

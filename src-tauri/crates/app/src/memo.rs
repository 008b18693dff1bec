//! The decision memo of a decided case, for the credit file: the engine's figures and
//! reasons on the stored version, and what the workflow knows of the decision — the
//! maker's proposal, an exception, the checker's words, the notes, the conditions of the
//! approval beyond §6, and the fingerprints of
//! both signed statements. Printed from the store only, stamped like the agreement.
//!
//! Readings fixed here:
//! - a memo is of a decided case (approved or rejected); with the bank's directory, of a
//!   decision the bank accepted — before that the credit file has no decision to hold;
//! - the checker's words are those of the rejection that decided the case, as the bank
//!   accepted it (`Workflow::decision_comment`); a return's words are the maker's business
//!   and stay in the history;
//! - a standalone workstation signs with passwords: its memo says so where a fingerprint
//!   would be.

use uw_agreement::memo::{MemoCondition, MemoException, MemoFacts, MemoNote, Signer};
use uw_agreement::Printed;
use uw_domain::review::{Stage, Workflow};

use crate::agreement::{parse_lang, refused, stamp};
use crate::error::{AppError, ErrorCode, Result};
use crate::Workstation;

/// What the workflow and the notes say of the decision, for the memo.
fn facts(
    w: &Workflow,
    review_at: Option<&str>,
    comment: Option<String>,
    notes: Vec<uw_store::StoredNote>,
    conditions: Vec<uw_store::StoredCondition>,
    bank: bool,
) -> MemoFacts {
    let decision = |d: uw_domain::case::ReviewDecision| match d {
        uw_domain::case::ReviewDecision::Approve => "approve".to_string(),
        uw_domain::case::ReviewDecision::Reject => "reject".to_string(),
    };
    MemoFacts {
        stage: w.stage.as_str().to_string(),
        proposal: w
            .proposal
            .as_ref()
            .map(|p| (decision(p.decision), p.justification.clone())),
        maker: w.maker.as_ref().map(|m| Signer {
            name: m.clone(),
            at: None,
            fingerprint: w.maker_signature.clone(),
        }),
        checker: w.checker.as_ref().map(|c| Signer {
            name: c.clone(),
            at: review_at
                .map(str::to_string)
                .or_else(|| w.accepted_at.clone()),
            fingerprint: w.checker_signature.clone(),
        }),
        comment,
        accepted_at: w.accepted_at.clone(),
        exception: w.exception.as_ref().map(|e| MemoException {
            reason: e.reason.clone(),
            overrules: decision(e.overrules),
            role: e.role.clone(),
            limit: e.limit.map(|l| l.to_string()),
        }),
        notes: notes
            .into_iter()
            .map(|n| MemoNote {
                author: n.author,
                at: n.written_at,
                text: n.text,
            })
            .collect(),
        conditions: conditions
            .into_iter()
            .filter(|c| c.refused.is_none())
            .map(|c| MemoCondition {
                confirmed: !bank || c.bank_at.is_some(),
                text: c.text,
                owner: c.owner,
                due: c.due,
                stage: c.stage,
                raised_by: c.raised_by,
                raised_at: c.raised_at,
                status: c.status,
                closed_by: c.closed_by,
                closed_at: c.closed_at,
                words: c.words,
            })
            .collect(),
    }
}

impl Workstation {
    /// The decision memo of a decided stored case as PDF bytes, for a caller that writes
    /// the file (`uw memo CASE_ID -o FILE`); once written, recorded in the case's history
    /// (`memo_printed`).
    pub fn decision_memo_pdf(
        &self,
        case_id: &str,
        lang: &str,
        write: impl FnOnce(&str, &[u8]) -> Result<()>,
    ) -> Result<Printed> {
        self.acting()?;
        let lang = parse_lang(lang)?;
        let (stored, case) = self.stored_case(case_id)?;
        let w = self.load_workflow(case_id)?;
        let refuse = |why: String| {
            AppError::new(
                ErrorCode::NotPrintable,
                format!("the decision memo is printed only for a decided case: {why}"),
            )
        };
        if !matches!(w.stage, Stage::Approved | Stage::Rejected) {
            return Err(refuse(format!("{case_id} is {}", w.stage.as_str())));
        }
        if self.directory_mode() && w.accepted_at.is_none() {
            return Err(refuse(format!(
                "the bank has not accepted the decision of {case_id} yet"
            )));
        }
        let comment = match w.stage {
            Stage::Rejected => w.decision_comment.clone(),
            _ => None,
        };
        let notes = self.store()?.notes(case_id)?;
        let conditions = self.store()?.conditions(case_id)?;
        let review_at = case.review.as_ref().map(|r| r.signed_at.as_str());
        let facts = facts(
            &w,
            review_at,
            comment,
            notes,
            conditions,
            self.bank_configured(),
        );
        let evaluation = self.evaluate_case(&case);
        let stamp = stamp(&case, stored.version, &stored.case_json)?;
        let printed =
            uw_agreement::render_memo(&case, &evaluation, &facts, lang, &stamp).map_err(refused)?;
        self.hand_over(case_id, "memo", lang, &stamp, printed, write)
    }

    /// Writes the decision memo's PDF for the system's viewer, as the agreement's is
    /// written (the same private folder and sweeps); returns the file.
    pub fn print_decision_memo(&self, case_id: &str, lang: &str) -> Result<std::path::PathBuf> {
        self.for_the_viewer(|write| self.decision_memo_pdf(case_id, lang, write))
    }
}

#[cfg(test)]
mod tests;

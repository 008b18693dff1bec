//! The case workflow and the two-person check (passport risk table: "two-person check of
//! every underwriter decision (the maker may never be the checker)").
//!
//! draft → submitted (the maker's decision and justification) → approved | rejected |
//! returned to the maker with comments; a returned case is edited and submitted again.
//!
//! Invariant: [`step`] is the only way a person moves a workflow, and it refuses a sign-off
//! by the maker (`SELF_REVIEW`) or by anyone who edited the case since its first draft
//! (`EDITOR_REVIEW`). No role, flag or setting is consulted that could waive that; the
//! application service calls `step` for every transition, so the window cannot skip it.
//!
//! With the bank's directory (`assets/spec/dual-review.md`) the workstation's check is a
//! courtesy that explains the rule in the window: the bank decides. A sign-off made here
//! is then [`Workflow::pending`] ("signed, waiting for the bank") until the bank's answer
//! comes back: [`accept`] applies an accepted one, [`refuse`] records a refusal and
//! reopens the case where it stood, and [`from_bank`] takes the bank's word on where the
//! case stands when the sync brings it.
//!
//! Readings fixed here:
//! - a submitted case is with its reviewer and closed to edits: to change it, the reviewer
//!   returns it to the maker (the bank refuses an edit of a submitted case too);
//! - changing a case's data is the underwriter's work (the bank refuses an `edit` without
//!   the underwriter role); a reviewer who needs a change returns the case;
//! - the editors are everyone who changed the case's data from its first draft on, the
//!   maker included, and are never forgotten — not at a return, not at a resubmission;
//! - only the case's maker may re-submit it after a return, so "the maker" stays one person
//!   across rounds; the checker is whoever signs, never fixed in advance.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::case::ReviewDecision;
use crate::decision::Metrics;

pub mod exception;
pub use exception::Exception;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Draft,
    Submitted,
    Returned,
    Approved,
    Rejected,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Draft => "draft",
            Stage::Submitted => "submitted",
            Stage::Returned => "returned",
            Stage::Approved => "approved",
            Stage::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Stage> {
        [
            Stage::Draft,
            Stage::Submitted,
            Stage::Returned,
            Stage::Approved,
            Stage::Rejected,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }

    /// Whether the case's data may still change (a submitted case is with its reviewer).
    pub fn editable(self) -> bool {
        matches!(self, Stage::Draft | Stage::Returned)
    }

    /// Whether the case is still undecided (draft, submitted or returned).
    pub fn open(self) -> bool {
        !matches!(self, Stage::Approved | Stage::Rejected)
    }
}

/// Where a case stands in review, with what the two-person check needs to remember.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Workflow {
    pub stage: Stage,
    /// Who submitted (the maker); set by the first submission.
    pub maker: Option<String>,
    /// The maker's proposed decision and justification for the current submission.
    pub proposal: Option<Proposal>,
    /// Everyone who changed the case's data since its first draft (the maker too): none of
    /// them may sign it off. Never cleared. (Read from the field's earlier name, which held
    /// only the editors since the last submission.)
    #[serde(default, alias = "edited_since_submission")]
    pub editors: BTreeSet<String>,
    /// The reviewer's comment of the last return, for the maker.
    pub return_comment: Option<String>,
    /// Who signed the approval or rejection.
    pub checker: Option<String>,
    /// The version under review as the bank holds it: what a sign-off names.
    #[serde(default)]
    pub submitted: Option<SubmittedVersion>,
    /// A statement signed here that the bank has not answered yet.
    #[serde(default)]
    pub pending: Option<Pending>,
    /// The bank's last refusal of a statement signed here, for the window.
    #[serde(default)]
    pub refusal: Option<BankRefusal>,
    /// When the bank accepted the decision; `None` for a decision of a standalone
    /// workstation (no directory, no bank workflow).
    #[serde(default)]
    pub accepted_at: Option<String>,
    /// The content hash of the approved terms (the case file without the evidence that
    /// may follow a decision): printing and every disbursement order compare the case's
    /// terms with it.
    #[serde(default)]
    pub approved_terms: Option<String>,
    /// The approval's exception: it overruled the maker's proposal (`exception::approval`).
    #[serde(default)]
    pub exception: Option<Exception>,
    /// The fingerprints of the maker's signed submission and the checker's signed
    /// decision, as the bank accepted them (None: standalone, or not yet known here).
    #[serde(default)]
    pub maker_signature: Option<String>,
    #[serde(default)]
    pub checker_signature: Option<String>,
    /// The words of the rejection that decided the case (as the bank accepted it).
    #[serde(default)]
    pub decision_comment: Option<String>,
}

/// The bank's version of a submitted case and its content hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SubmittedVersion {
    #[ts(type = "number")]
    pub version: i64,
    pub hash: String,
}

/// A statement signed here, waiting for the bank's answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Pending {
    /// submit | approve | reject | return
    pub action: String,
    pub signer: String,
    pub signed_at: String,
    /// A reject's or return's words (applied when the bank accepts).
    #[serde(default)]
    pub comment: Option<String>,
    /// Where the case stood before (a refused submission reopens it there).
    #[serde(default = "draft")]
    pub was_stage: Stage,
    #[serde(default)]
    pub was_maker: Option<String>,
    /// An approval's exception (applied when the bank accepts).
    #[serde(default)]
    pub exception: Option<Exception>,
    /// The fingerprint of the statement's signature (kept when the bank accepts).
    #[serde(default)]
    pub fingerprint: Option<String>,
}

fn draft() -> Stage {
    Stage::Draft
}

/// The bank's refusal of a statement signed here, with the bank's code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BankRefusal {
    pub action: String,
    pub signer: String,
    pub code: String,
    pub message: String,
    pub at: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Proposal {
    pub decision: ReviewDecision,
    pub justification: String,
    /// The figures the maker's decision rests on, as they stood at submission.
    #[serde(default)]
    pub figures: Figures,
}

/// The figures a reviewer re-derives from the stored inputs and compares with the maker's.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Figures {
    pub average_monthly_income: String,
    pub dti: Option<String>,
    pub ltv: String,
    pub max_monthly_payment: Option<String>,
}

impl Figures {
    pub fn of(m: &Metrics) -> Figures {
        Figures {
            average_monthly_income: m.average_monthly_income.clone(),
            dti: m.dti.clone(),
            ltv: m.ltv.clone(),
            max_monthly_payment: m.max_monthly_payment.clone(),
        }
    }

    /// The figures that differ, each as "name: maker → re-derived".
    pub fn differences(&self, rederived: &Figures) -> Vec<String> {
        let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
        let mut out = Vec::new();
        let mut cmp = |name: &str, a: String, b: String| {
            if a != b {
                out.push(format!("{name}: {a} → {b}"));
            }
        };
        cmp(
            "average monthly income",
            self.average_monthly_income.clone(),
            rederived.average_monthly_income.clone(),
        );
        cmp("DTI %", show(&self.dti), show(&rederived.dti));
        cmp("LTV %", self.ltv.clone(), rederived.ltv.clone());
        cmp(
            "largest payment",
            show(&self.max_monthly_payment),
            show(&rederived.max_monthly_payment),
        );
        out
    }
}

impl Default for Workflow {
    fn default() -> Self {
        Workflow {
            stage: Stage::Draft,
            maker: None,
            proposal: None,
            editors: BTreeSet::new(),
            return_comment: None,
            checker: None,
            submitted: None,
            pending: None,
            refusal: None,
            accepted_at: None,
            approved_terms: None,
            exception: None,
            maker_signature: None,
            checker_signature: None,
            decision_comment: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    Edit,
    Submit(Proposal),
    Approve,
    Reject { comment: String },
    Return { comment: String },
}

impl Action {
    pub fn name(&self) -> &'static str {
        match self {
            Action::Edit => "edit",
            Action::Submit(_) => "submit",
            Action::Approve => "approve",
            Action::Reject { .. } => "reject",
            Action::Return { .. } => "return",
        }
    }
}

/// What the actor may do in the workflow, as the user store says.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Roles {
    pub underwriter: bool,
    pub reviewer: bool,
}

impl Roles {
    /// The roles by name, as the authority table keys them.
    pub fn names(self) -> Vec<&'static str> {
        [
            (self.underwriter, "underwriter"),
            (self.reviewer, "reviewer"),
        ]
        .into_iter()
        .filter_map(|(held, name)| held.then_some(name))
        .collect()
    }
}

/// A refused transition, each with its stable code.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("{actor} made this case and may not check it: a second person must sign")]
    SelfReview { actor: String },
    #[error(
        "{actor} edited this case and may not sign it off: a person who shaped it never checks it"
    )]
    EditorReview { actor: String },
    #[error("a statement of {actor} waits for the bank's answer: nothing more until it comes")]
    AwaitingBank { actor: String },
    #[error("a {stage} case cannot be {action}: {why}")]
    WrongStage {
        stage: &'static str,
        action: &'static str,
        why: &'static str,
    },
    #[error("{actor} lacks the {role} role needed to {action}")]
    MissingRole {
        actor: String,
        role: &'static str,
        action: &'static str,
    },
    #[error("only the maker {maker} may submit this case again")]
    NotTheMaker { maker: String },
    #[error("{0}: a comment is required")]
    CommentRequired(&'static str),
}

impl Refusal {
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::SelfReview { .. } => "SELF_REVIEW",
            Refusal::EditorReview { .. } => "EDITOR_REVIEW",
            Refusal::AwaitingBank { .. } => "AWAITING_BANK",
            Refusal::WrongStage { .. } => "WRONG_STAGE",
            Refusal::MissingRole { .. } => "MISSING_ROLE",
            Refusal::NotTheMaker { .. } => "NOT_THE_MAKER",
            Refusal::CommentRequired(_) => "COMMENT_REQUIRED",
        }
    }
}

fn need(roles: Roles, reviewer: bool, actor: &str, action: &'static str) -> Result<(), Refusal> {
    let ok = if reviewer {
        roles.reviewer
    } else {
        roles.underwriter
    };
    if ok {
        Ok(())
    } else {
        Err(Refusal::MissingRole {
            actor: actor.to_string(),
            role: if reviewer { "reviewer" } else { "underwriter" },
            action,
        })
    }
}

fn comment(text: &str, what: &'static str) -> Result<String, Refusal> {
    let t = text.trim();
    if t.is_empty() {
        Err(Refusal::CommentRequired(what))
    } else {
        Ok(t.to_string())
    }
}

/// The one transition function: the workflow after `actor` does `action`, or why not.
pub fn step(w: &Workflow, actor: &str, roles: Roles, action: &Action) -> Result<Workflow, Refusal> {
    let wrong = |why: &'static str| Refusal::WrongStage {
        stage: w.stage.as_str(),
        action: action.name(),
        why,
    };
    if let Some(p) = &w.pending {
        // One statement in flight per case: its answer decides what comes next.
        return Err(Refusal::AwaitingBank {
            actor: p.signer.clone(),
        });
    }
    let mut next = w.clone();
    next.refusal = None;
    match action {
        Action::Edit => {
            if !w.stage.editable() {
                return Err(wrong(match w.stage {
                    Stage::Submitted => {
                        "it is with its reviewer: return it to the maker to change it"
                    }
                    _ => "a decided case is closed to edits",
                }));
            }
            need(roles, false, actor, "edit")?;
            next.editors.insert(actor.to_string());
        }
        Action::Submit(p) => {
            if !matches!(w.stage, Stage::Draft | Stage::Returned) {
                return Err(wrong("only a draft or a returned case is submitted"));
            }
            need(roles, false, actor, "submit")?;
            if let Some(maker) = &w.maker {
                if maker != actor {
                    return Err(Refusal::NotTheMaker {
                        maker: maker.clone(),
                    });
                }
            }
            next.proposal = Some(Proposal {
                decision: p.decision,
                justification: comment(&p.justification, "submit")?,
                figures: p.figures.clone(),
            });
            next.stage = Stage::Submitted;
            next.maker = Some(actor.to_string());
            next.editors.insert(actor.to_string());
            next.return_comment = None;
            next.submitted = None;
        }
        Action::Approve | Action::Reject { .. } | Action::Return { .. } => {
            if w.stage != Stage::Submitted {
                return Err(wrong("only a submitted case is reviewed"));
            }
            need(roles, true, actor, action.name())?;
            if w.maker.as_deref() == Some(actor) {
                return Err(Refusal::SelfReview {
                    actor: actor.to_string(),
                });
            }
            // A return is a sign-off too (dual-review.md): an editor leaves it to another
            // reviewer, as the bank would.
            if w.editors.contains(actor) {
                return Err(Refusal::EditorReview {
                    actor: actor.to_string(),
                });
            }
            match action {
                Action::Approve => {
                    next.stage = Stage::Approved;
                    next.checker = Some(actor.to_string());
                }
                Action::Reject { comment: c } => {
                    next.decision_comment = Some(comment(c, "reject")?);
                    next.stage = Stage::Rejected;
                    next.checker = Some(actor.to_string());
                }
                Action::Return { comment: c } => {
                    next.return_comment = Some(comment(c, "return")?);
                    next.stage = Stage::Returned;
                }
                _ => {}
            }
        }
    }
    Ok(next)
}

/// The workflow while a statement `step` accepted waits for the bank: where the case
/// stood, with the statement pending. (The bank's answer then comes to [`accept`] or
/// [`refuse`].) A submission moves at once — the maker's desk shows it submitted — while
/// a sign-off leaves the case submitted until the bank accepts it.
pub fn awaiting_bank(
    before: &Workflow,
    after: &Workflow,
    action: &Action,
    signer: &str,
    signed_at: &str,
) -> Workflow {
    let comment = match action {
        Action::Reject { comment } | Action::Return { comment } => Some(comment.trim().to_string()),
        _ => None,
    };
    let mut next = match action {
        Action::Submit(_) => after.clone(),
        _ => before.clone(),
    };
    next.refusal = None;
    next.pending = Some(Pending {
        action: action.name().to_string(),
        signer: signer.to_string(),
        signed_at: signed_at.to_string(),
        comment,
        was_stage: before.stage,
        was_maker: before.maker.clone(),
        exception: after.exception.clone(),
        fingerprint: None,
    });
    next
}

/// The bank accepted the pending statement (at `accepted_at`): a submission is under
/// review at the bank's `version`; a sign-off takes effect.
pub fn accept(w: &Workflow, submitted: Option<SubmittedVersion>, accepted_at: &str) -> Workflow {
    let mut next = w.clone();
    let Some(p) = next.pending.take() else {
        return next;
    };
    match p.action.as_str() {
        "submit" => {
            next.stage = Stage::Submitted;
            if submitted.is_some() {
                next.submitted = submitted;
            }
            next.maker_signature = p.fingerprint;
        }
        "approve" | "reject" => {
            next.checker_signature = p.fingerprint.clone();
            next.stage = if p.action == "approve" {
                Stage::Approved
            } else {
                Stage::Rejected
            };
            if p.action == "approve" {
                next.exception = p.exception;
            } else {
                next.decision_comment = p.comment;
            }
            next.checker = Some(p.signer);
            next.accepted_at = Some(accepted_at.to_string());
        }
        "return" => {
            next.stage = Stage::Returned;
            next.return_comment = p.comment;
        }
        _ => {}
    }
    next
}

/// The bank refused the pending statement: the case reopens where it stood before it (a
/// refused submission goes back to its maker), with the bank's code kept for the window.
pub fn refuse(w: &Workflow, code: &str, message: &str, at: &str) -> Workflow {
    let mut next = w.clone();
    let Some(p) = next.pending.take() else {
        return next;
    };
    if p.action == "submit" && next.stage == Stage::Submitted && next.submitted.is_none() {
        next.stage = p.was_stage;
        next.maker = p.was_maker.clone();
    }
    next.refusal = Some(BankRefusal {
        action: p.action,
        signer: p.signer,
        code: code.to_string(),
        message: message.to_string(),
        at: at.to_string(),
    });
    next
}

/// The exception of an approval the bank accepted: the words of an approval against the
/// maker's proposal to reject are its exception reason (the bank refuses one without
/// them). This desk's own record (its role and limit) is kept when the words are the same.
fn exception_of(w: &Workflow, action: &str, words: Option<&str>) -> Option<Exception> {
    let reason = words.map(str::trim).filter(|r| !r.is_empty());
    let against = w.proposal.as_ref().map(|p| p.decision) == Some(ReviewDecision::Reject);
    match (action, reason) {
        ("approve", Some(reason)) if against => match &w.exception {
            Some(e) if e.reason == reason => Some(e.clone()),
            _ => Some(Exception {
                reason: reason.to_string(),
                overrules: ReviewDecision::Reject,
                amount: None,
                role: None,
                limit: None,
            }),
        },
        _ => None,
    }
}

/// Where the case stands as the bank keeps it (its workflow, read from the sync).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BankView {
    pub stage: Stage,
    pub maker: Option<String>,
    pub editors: Vec<String>,
    pub submitted: Option<SubmittedVersion>,
    /// The maker's decision and words, as submitted.
    pub proposal: Option<Proposal>,
    /// The accepted sign-off: its action, signer, words and when the bank accepted it.
    pub decided: Option<(String, String, Option<String>, String)>,
    /// The fingerprints of the submission's and the accepted sign-off's signatures.
    pub maker_signature: Option<String>,
    pub checker_signature: Option<String>,
}

/// The bank's word on where the case stands, over the workstation's: the stage, the
/// maker, the checker, the version under review; the editors are the union of both sides'
/// (the bank knows who signed versions; this desk knows who edited here). A statement
/// still pending here stays pending — the bank has not heard it yet — unless the bank
/// has decided the case meanwhile, in which case its answer will be a refusal.
pub fn from_bank(local: &Workflow, bank: &BankView) -> Workflow {
    let mut next = local.clone();
    next.stage = bank.stage;
    next.maker = bank.maker.clone().or(next.maker);
    next.editors.extend(bank.editors.iter().cloned());
    next.submitted = bank.submitted.clone();
    next.maker_signature = bank.maker_signature.clone().or(next.maker_signature);
    if let Some(p) = &bank.proposal {
        next.proposal = Some(p.clone());
    }
    match &bank.decided {
        Some((action, signer, comment, at)) => match action.as_str() {
            "approve" | "reject" => {
                next.checker = Some(signer.clone());
                next.accepted_at = Some(at.clone());
                next.exception = exception_of(&next, action, comment.as_deref());
                next.decision_comment = (action == "reject").then(|| comment.clone()).flatten();
                next.checker_signature = bank.checker_signature.clone().or(next.checker_signature);
            }
            "return" => next.return_comment = comment.clone().or(next.return_comment),
            _ => {}
        },
        None => {
            next.checker = None;
            next.accepted_at = None;
        }
    }
    // The maker's own pending submission is what the bank's draft still lacks.
    if let Some(p) = &local.pending {
        if p.action == "submit" && matches!(bank.stage, Stage::Draft | Stage::Returned) {
            next.stage = Stage::Submitted;
        }
    }
    next
}

#[cfg(test)]
mod tests;

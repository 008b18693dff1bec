//! The case workflow and the two-person check (passport risk table: "two-person check of
//! every underwriter decision (the maker may never be the checker)").
//!
//! draft → submitted (the maker's decision and justification) → approved | rejected |
//! returned to the maker with comments; a returned case is edited and submitted again.
//!
//! Invariant: [`step`] is the only way a workflow changes, and it refuses a sign-off by the
//! maker or by anyone who edited the case after it was submitted. No role, flag or setting
//! is consulted that could waive that; the application service calls `step` for every
//! transition, so the window cannot skip it.
//!
//! Readings fixed here:
//! - an edit of a submitted case is allowed (a reviewer may correct a typo), but whoever
//!   makes it can no longer sign that submission off;
//! - only the case's maker may re-submit it after a return, so "the maker" stays one person
//!   across rounds; the checker is whoever signs, never fixed in advance.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::case::ReviewDecision;
use crate::decision::Metrics;

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

    /// Whether the case's data may still change.
    pub fn editable(self) -> bool {
        matches!(self, Stage::Draft | Stage::Returned | Stage::Submitted)
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
    /// Everyone who edited the case since its current submission: none of them may sign.
    pub edited_since_submission: BTreeSet<String>,
    /// The reviewer's comment of the last return, for the maker.
    pub return_comment: Option<String>,
    /// Who signed the approval or rejection.
    pub checker: Option<String>,
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
            edited_since_submission: BTreeSet::new(),
            return_comment: None,
            checker: None,
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

/// A refused transition, each with its stable code.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("{actor} made this case and may not check it: a second person must sign")]
    MakerCannotCheck { actor: String },
    #[error("{actor} edited the case after it was submitted and may not sign it off")]
    EditedAfterSubmission { actor: String },
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
            Refusal::MakerCannotCheck { .. } => "MAKER_CANNOT_CHECK",
            Refusal::EditedAfterSubmission { .. } => "EDITED_AFTER_SUBMISSION",
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
    let mut next = w.clone();
    match action {
        Action::Edit => {
            if !w.stage.editable() {
                return Err(wrong("a decided case is closed to edits"));
            }
            need(roles, false, actor, "edit").or_else(|_| need(roles, true, actor, "edit"))?;
            if w.stage == Stage::Submitted {
                next.edited_since_submission.insert(actor.to_string());
            }
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
            next.edited_since_submission.clear();
            next.return_comment = None;
        }
        Action::Approve | Action::Reject { .. } | Action::Return { .. } => {
            if w.stage != Stage::Submitted {
                return Err(wrong("only a submitted case is reviewed"));
            }
            need(roles, true, actor, action.name())?;
            if w.maker.as_deref() == Some(actor) {
                return Err(Refusal::MakerCannotCheck {
                    actor: actor.to_string(),
                });
            }
            // A return is not a sign-off: whoever edited may still send it back.
            let signs = !matches!(action, Action::Return { .. });
            if signs && w.edited_since_submission.contains(actor) {
                return Err(Refusal::EditedAfterSubmission {
                    actor: actor.to_string(),
                });
            }
            match action {
                Action::Approve => {
                    next.stage = Stage::Approved;
                    next.checker = Some(actor.to_string());
                }
                Action::Reject { comment: c } => {
                    comment(c, "reject")?;
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

#[cfg(test)]
mod tests;

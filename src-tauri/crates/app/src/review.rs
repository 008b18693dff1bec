//! The review workflow as the service runs it: every transition goes through
//! `uw_domain::review::step` with the logged-in user and their roles, and lands with the
//! queue's stage and its audit entry in one transaction. A sign-off asks for the
//! password again. There is no other path to an approved case.
//!
//! With the bank's directory the workstation's check is a courtesy (it explains the rule
//! in the window) and the bank decides (`assets/spec/dual-review.md`): a submission is a
//! case version carrying the maker's signed `submit` statement; a sign-off is the
//! checker's signed statement over the submitted version's hash, sent to the bank's
//! `/signoffs`. Until the bank answers, the case reads "signed, waiting for the bank"
//! (`Workflow::pending`); the sync applies the answer (`crate::sync`).

use serde::Serialize;
use ts_rs::TS;
use uw_bank_link::api::{self, SignOff, StatementAction};
use uw_domain::case::{to_json_pretty, Review, ReviewDecision};
use uw_domain::decision::Decision;
use uw_domain::review::exception::{self, Approving, Incoherent};
use uw_domain::review::{self as flow, step, Action, Figures, Proposal, Refusal, Workflow};
use uw_store::{Outgoing, StoredCase};

use crate::error::{AppError, ErrorCode, Result};
use crate::users::Session;
use crate::{now_rfc3339, CaseView, Workstation};

/// The outbox's kind of a checker's signed sign-off.
pub const SIGNOFF: &str = "signoff";

/// The workflow of a case and what the current user may do with it.
#[derive(Clone, Debug, Serialize, TS)]
pub struct ReviewView {
    pub workflow: Workflow,
    /// The actions `step` would accept from the current user now.
    pub allowed: Vec<String>,
    /// The figures worked out again now from the stored inputs, beside the maker's
    /// (`workflow.proposal.figures`).
    pub rederived: Figures,
    /// What differs between the two; while anything does, approval is refused.
    pub differences: Vec<String>,
    /// What an approval by the current user needs now.
    pub approval: ApprovalNeed,
}

/// What an approval needs: whether it is an exception, the user's limit, or why it would
/// be refused (`uw_domain::review::exception`).
#[derive(Clone, Debug, Serialize, TS)]
pub struct ApprovalNeed {
    /// The engine's decision on the stored case now.
    pub engine: String,
    /// The approval would overrule the maker's proposal: it needs a reason.
    pub exception: bool,
    /// The current user's exception limit and the role it comes with (None: no authority).
    pub limit: Option<String>,
    pub limit_role: Option<String>,
    /// Why the current user's approval would be refused now (its code), if it would.
    pub refused: Option<AppError>,
}

fn incoherent(e: Incoherent) -> AppError {
    let code = match e {
        Incoherent::EngineNotApprove { .. } => ErrorCode::EngineNotApprove,
        Incoherent::ReasonRequired => ErrorCode::ExceptionReasonRequired,
        Incoherent::NoAuthority { .. } => ErrorCode::ExceptionNoAuthority,
        Incoherent::OverLimit { .. } => ErrorCode::ExceptionOverLimit,
    };
    AppError::new(code, e.to_string())
}

fn refused(r: Refusal) -> AppError {
    let code = match r {
        Refusal::SelfReview { .. } => ErrorCode::SelfReview,
        Refusal::EditorReview { .. } => ErrorCode::EditorReview,
        Refusal::AwaitingBank { .. } => ErrorCode::AwaitingBank,
        Refusal::WrongStage { .. } => ErrorCode::WrongStage,
        Refusal::MissingRole { .. } => ErrorCode::MissingRole,
        Refusal::NotTheMaker { .. } => ErrorCode::NotTheMaker,
        Refusal::CommentRequired(_) => ErrorCode::CommentRequired,
    };
    AppError::new(code, r.to_string())
}

/// The differences between the maker's figures and the re-derived ones (none before a
/// submission).
fn differences(w: &Workflow, rederived: &Figures) -> Vec<String> {
    w.proposal
        .as_ref()
        .map(|p| p.figures.differences(rederived))
        .unwrap_or_default()
}

/// What the history records of a review step (an approval: its exception, if any).
fn step_detail(action: &Action, next: &Workflow) -> serde_json::Value {
    match action {
        Action::Approve => match &next.exception {
            Some(e) => serde_json::json!({ "exception": e }),
            None => serde_json::json!({}),
        },
        Action::Submit(p) => serde_json::json!({
            "proposal": p.decision, "justification": p.justification.trim()
        }),
        Action::Reject { comment } | Action::Return { comment } => {
            serde_json::json!({ "comment": comment.trim() })
        }
        _ => serde_json::json!({}),
    }
}

impl Workstation {
    pub(crate) fn load_workflow(&self, case_id: &str) -> Result<Workflow> {
        match self.store()?.workflow(case_id)? {
            None => Ok(Workflow::default()),
            Some(json) => serde_json::from_str(&json).map_err(|e| {
                AppError::new(
                    ErrorCode::Internal,
                    format!("stored workflow of {case_id}: {e}"),
                )
            }),
        }
    }

    /// The workflow after an edit by the acting user, or the refusal (a decided case).
    pub(crate) fn workflow_after_edit(&self, case_id: &str) -> Result<(Workflow, Workflow)> {
        let (actor, roles) = self.acting()?;
        let w = self.load_workflow(case_id)?;
        let next = step(&w, &actor, roles, &Action::Edit).map_err(refused)?;
        Ok((w, next))
    }

    /// Checks that the acting user may change the case's data and keeps them as an editor
    /// of a submitted case; returns who acts. (Written before the change it precedes: a
    /// change that then fails leaves its would-be author disqualified, never the reverse.)
    pub(crate) fn note_edit(&self, case_id: &str) -> Result<String> {
        let (actor, _) = self.acting()?;
        self.hold_case(case_id, &actor)?;
        let (before, after) = self.workflow_after_edit(case_id)?;
        if after != before {
            let json = serde_json::to_string(&after)
                .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
            self.store()?.set_workflow(case_id, &json)?;
        }
        Ok(actor)
    }

    /// One editor at a time: takes the case's edit lock for `actor`, or says who holds it.
    /// A lock unused for the session idle time is stale (its holder's session has locked).
    pub(crate) fn hold_case(&self, case_id: &str, actor: &str) -> Result<()> {
        let (now, fresh_since) = self.lock_times();
        let held = self
            .store()?
            .lock_case(case_id, actor, &now, &fresh_since)?;
        match held {
            None => Ok(()),
            Some((who, since)) => Err(AppError::new(
                ErrorCode::CaseLocked,
                format!(
                    "{case_id} is being edited by {who} (since {} UTC): open it read-only or wait",
                    since.get(11..16).unwrap_or(&since)
                ),
            )),
        }
    }

    /// Now, and the time before which a lock is stale (the session idle time ago), as
    /// the store compares them (RFC 3339 text).
    fn lock_times(&self) -> (String, String) {
        let now = chrono::Utc::now();
        let idle = chrono::Duration::from_std(self.idle_limit()).unwrap_or_default();
        let fmt = |t: chrono::DateTime<chrono::Utc>| {
            t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
        };
        (fmt(now), fmt(now - idle))
    }

    /// Leaves a case: its edit lock, if this user held it, is released.
    pub fn release_case(&self, case_id: &str) -> Result<()> {
        if let Some(s) = self.session() {
            self.store()?.unlock_cases(&s.username, Some(case_id))?;
        }
        Ok(())
    }

    /// Who else is editing the case now, if anyone (the window shows it read-only).
    pub fn editing_by(&self, case_id: &str) -> Result<Option<String>> {
        let me = self.session().map(|s| s.username);
        let (_, fresh) = self.lock_times();
        Ok(self
            .store()?
            .case_lock(case_id)?
            .filter(|(who, since)| {
                me.as_deref().is_none_or(|m| !m.eq_ignore_ascii_case(who))
                    && since.as_str() >= fresh.as_str()
            })
            .map(|(who, _)| who))
    }

    pub fn review(&self, case_id: &str) -> Result<ReviewView> {
        let view = self.open_case(case_id)?;
        let workflow = self.load_workflow(case_id)?;
        let rederived = Figures::of(&view.evaluation.metrics);
        let differences = differences(&workflow, &rederived);
        let approval = self.approval_need(&workflow, &view.case, view.evaluation.decision);
        let allowed = match self.session() {
            None => Vec::new(),
            Some(s) => {
                let probe = [
                    Action::Edit,
                    Action::Submit(Proposal {
                        decision: ReviewDecision::Approve,
                        justification: "probe".into(),
                        figures: Figures::default(),
                    }),
                    Action::Approve,
                    Action::Reject {
                        comment: "probe".into(),
                    },
                    Action::Return {
                        comment: "probe".into(),
                    },
                ];
                probe
                    .iter()
                    .filter(|a| step(&workflow, &s.username, s.roles(), a).is_ok())
                    .map(|a| a.name().to_string())
                    .collect()
            }
        };
        Ok(ReviewView {
            workflow,
            allowed,
            rederived,
            differences,
            approval,
        })
    }

    /// What the current user's approval of the case would need or meet, now.
    fn approval_need(
        &self,
        w: &Workflow,
        case: &uw_domain::CaseFile,
        engine: Decision,
    ) -> ApprovalNeed {
        let roles = self
            .session()
            .map(|s| s.roles().names())
            .unwrap_or_default();
        let authority = crate::authority();
        let limit = authority.limit_of(roles.iter().copied());
        let proposal = w.proposal.as_ref().map(|p| p.decision);
        // What the approval would meet, a reason given (its absence is no refusal here).
        let refused = match (self.session(), proposal) {
            (Some(s), Some(_)) => self.coherent_approval(&s, w, case, engine, Some("—")).err(),
            _ => None,
        };
        ApprovalNeed {
            engine: engine.as_str().to_string(),
            exception: proposal == Some(ReviewDecision::Reject),
            limit: limit.map(|(_, l)| l.to_string()),
            limit_role: limit.map(|(r, _)| r.to_string()),
            refused,
        }
    }

    /// The exception an approval by `s` is, if any, or why it may not be signed: the
    /// engine must approve, and an approval against the maker's proposal needs a reason
    /// within the signer's limit.
    fn coherent_approval(
        &self,
        s: &Session,
        w: &Workflow,
        case: &uw_domain::CaseFile,
        engine: Decision,
        reason: Option<&str>,
    ) -> Result<Option<flow::Exception>> {
        let roles = s.roles().names();
        let proposal = w
            .proposal
            .as_ref()
            .map_or(ReviewDecision::Approve, |p| p.decision);
        exception::approval(
            &Approving {
                engine,
                proposal,
                amount: case.loan.amount,
                actor: &s.username,
                roles: &roles,
                reason,
            },
            &crate::authority(),
        )
        .map_err(incoherent)
    }

    fn transition(
        &self,
        case_id: &str,
        expected_version: i64,
        action: Action,
        password: Option<&str>,
        exception_reason: Option<&str>,
    ) -> Result<CaseView> {
        // Workflow actions always need a person, whatever the workstation's login setting.
        let s = self.require_session()?;
        self.require_anchored()?;
        if let Some(pw) = password {
            self.confirm_password(&s, pw)?;
        }
        let (stored, mut case) = self.stored_case(case_id)?;
        let w = self.load_workflow(case_id)?;
        // The engine works the figures out again from the stored inputs: the maker's
        // submission keeps them; an approval needs them unchanged.
        let evaluation = self.evaluate_case(&case);
        let figures = Figures::of(&evaluation.metrics);
        let action = match action {
            Action::Submit(p) => Action::Submit(Proposal {
                figures: figures.clone(),
                ..p
            }),
            other => other,
        };
        let mut next = step(&w, &s.username, s.roles(), &action).map_err(refused)?;
        if action == Action::Approve {
            if let Some(why) = self.suspension(&case.branch) {
                return Err(AppError::new(
                    ErrorCode::ProductSuspended,
                    format!("the product is suspended for {why}: no new approval (passport §9)"),
                ));
            }
            next.exception =
                self.coherent_approval(&s, &w, &case, evaluation.decision, exception_reason)?;
            let diff = differences(&w, &figures);
            if !diff.is_empty() {
                return Err(AppError::new(
                    ErrorCode::FiguresDiffer,
                    format!(
                        "the figures re-derived now differ from the maker's ({}): return the case to the maker",
                        diff.join("; ")
                    ),
                ));
            }
        }
        if self.directory_mode() {
            return self.signed_step(&s, &stored, &case, expected_version, (&w, &next), &action);
        }
        let at = now_rfc3339();
        let decision = match &action {
            Action::Approve => Some(ReviewDecision::Approve),
            Action::Reject { .. } => Some(ReviewDecision::Reject),
            _ => None,
        };
        if let Some(decision) = decision {
            case.review = Some(Review {
                decision,
                maker: next.maker.clone().unwrap_or_default(),
                checker: s.username.clone(),
                signed_at: at.clone(),
                case_version: u64::try_from(expected_version).unwrap_or_default(),
            });
        }
        let detail = step_detail(&action, &next);
        let row = self.row_for(&case, to_json_pretty(&case), next.stage.as_str());
        if next.stage == uw_domain::review::Stage::Approved {
            // What was approved, to hold the printing and the money to.
            next.approved_terms = crate::statements::terms_hash(&row.case_json);
        }
        let workflow = serde_json::to_string(&next)
            .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
        let outgoing = crate::sync::review_message(&action, &detail, &s.username, &at, &next);
        self.store()?.update_case_and_workflow(
            &row,
            expected_version,
            Some(&workflow),
            &at,
            &s.username,
            &[(action.name().to_string(), detail.to_string())],
            &outgoing,
            uw_store::Push::Unsigned,
        )?;
        self.open_case(case_id)
    }

    /// A step in the directory mode: signed by the person and decided by the bank. A
    /// submission is a new version (the same content) with the maker's `submit` statement;
    /// a sign-off names the submitted version as the bank holds it and changes nothing
    /// here but the workflow, which waits for the bank.
    fn signed_step(
        &self,
        s: &Session,
        stored: &StoredCase,
        case: &uw_domain::CaseFile,
        expected_version: i64,
        (w, next): (&Workflow, &Workflow),
        action: &Action,
    ) -> Result<CaseView> {
        let case_id = stored.case_id.as_str();
        if stored.version != expected_version {
            return Err(AppError::new(
                ErrorCode::VersionConflict,
                format!(
                    "case {case_id} is at version {}, not {expected_version}: reopen it",
                    stored.version
                ),
            ));
        }
        let at = now_rfc3339();
        let mut waiting = flow::awaiting_bank(w, next, action, &s.username, &at);
        let stage = waiting.stage;
        // The workflow as written, with the fingerprint of the statement's signature.
        let mut workflow_with = |signature: Option<&str>| {
            if let Some(p) = waiting.pending.as_mut() {
                p.fingerprint = signature.and_then(uw_bank_link::signing::fingerprint);
            }
            serde_json::to_string(&waiting)
                .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))
        };
        let detail = step_detail(action, next);
        let statement_action = match action {
            Action::Submit(p) => {
                let row = self.row_for(case, to_json_pretty(case), stage.as_str());
                let proposal = match p.decision {
                    ReviewDecision::Approve => "approve",
                    ReviewDecision::Reject => "reject",
                };
                let push = self.version_push(
                    case,
                    &row.case_json,
                    expected_version + 1,
                    StatementAction::Submit,
                    Some((proposal, p.justification.trim())),
                )?;
                let signature = match &push {
                    crate::statements::Push::Signed(text) => {
                        serde_json::from_str::<crate::statements::Outbound>(text)
                            .ok()
                            .map(|o| o.signed.signature)
                    }
                    _ => None,
                };
                let workflow = workflow_with(signature.as_deref())?;
                self.store()?.update_case_and_workflow(
                    &row,
                    expected_version,
                    Some(&workflow),
                    &at,
                    &s.username,
                    &[("submit".to_string(), detail.to_string())],
                    &[],
                    push.as_store(),
                )?;
                return self.open_case(case_id);
            }
            Action::Approve => StatementAction::Approve,
            Action::Reject { .. } => StatementAction::Reject,
            Action::Return { .. } => StatementAction::Return,
            Action::Edit => {
                return Err(AppError::new(
                    ErrorCode::Internal,
                    "an edit is no review step",
                ))
            }
        };
        let submitted = w.submitted.clone().ok_or_else(|| {
            AppError::new(
                ErrorCode::NotSubmitted,
                format!(
                    "the bank has not confirmed the submission of {case_id} yet: sync, then sign"
                ),
            )
        })?;
        if api::content_hash(&stored.case_json).as_deref() != Some(submitted.hash.as_str()) {
            return Err(AppError::new(
                ErrorCode::HashMismatch,
                format!("this workstation holds another content of {case_id} than the version submitted at the bank (version {}): sync, then sign", submitted.version),
            ));
        }
        let statement = self.statement(
            case_id,
            submitted.version,
            submitted.hash.clone(),
            statement_action,
            Some(self.statement_figures(case)),
        )?;
        // An approval's words are its exception reason (the bank refuses an approval
        // against the maker's proposal without one).
        let comment = match action {
            Action::Reject { comment } | Action::Return { comment } => {
                Some(comment.trim().to_string())
            }
            _ => next.exception.as_ref().map(|e| e.reason.clone()),
        };
        let signoff = SignOff {
            statement: self.sign(statement)?,
            comment,
        };
        let workflow = workflow_with(Some(&signoff.statement.signature))?;
        let outgoing = Outgoing {
            kind: SIGNOFF.to_string(),
            body: serde_json::to_string(&signoff)
                .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?,
        };
        self.store()?.update_workflow(
            case_id,
            &workflow,
            stage.as_str(),
            &at,
            &s.username,
            &[(format!("signed_{}", action.name()), detail.to_string())],
            &[outgoing],
        )?;
        self.open_case(case_id)
    }

    /// The maker submits their decision with its justification. The Pledge Registry is
    /// asked about the VIN first, so that another creditor's prohibition is known before a
    /// reviewer sees the case (P-VEH-LIEN), not after the approval.
    pub fn submit(
        &self,
        case_id: &str,
        expected_version: i64,
        decision: ReviewDecision,
        justification: &str,
    ) -> Result<CaseView> {
        self.require_session()?;
        let expected_version = self.registry_before_submission(case_id, expected_version)?;
        let p = Proposal {
            decision,
            justification: justification.to_string(),
            figures: Figures::default(), // filled in by `transition` from the stored case
        };
        self.transition(case_id, expected_version, Action::Submit(p), None, None)
    }

    /// Asks the Pledge Registry about the case's VIN and records its answer (a new version
    /// of the case, the registry's word, as the sync records it); returns the version the
    /// submission then names. Not asked when the caller's version is not the stored one
    /// (the submission is refused for that anyway), when no bank is configured, or while
    /// the workstation's own prohibition request waits in the outbox. Reading fixed here:
    /// a registry that cannot be reached (or refuses the VIN) does not hold the submission
    /// up — the workstation works offline — and, with the bank's directory, the bank asks
    /// its registry again before it accepts an approval (`VIN_PLEDGED`); a standalone desk
    /// whose registry was away at the submission relies on the lien's request after the
    /// approval.
    fn registry_before_submission(&self, case_id: &str, expected_version: i64) -> Result<i64> {
        let (stored, case) = self.stored_case(case_id)?;
        if stored.version != expected_version
            || !self.bank_configured()
            || self
                .store()?
                .has_pending(case_id, crate::disbursement::PLEDGE_REQUEST)?
        {
            return Ok(expected_version);
        }
        // Nothing is written for a submission `step` would refuse.
        let s = self.require_session()?;
        self.require_anchored()?;
        let probe = Action::Submit(Proposal {
            decision: ReviewDecision::Approve,
            justification: "probe".into(),
            figures: Figures::default(),
        });
        step(
            &self.load_workflow(case_id)?,
            &s.username,
            s.roles(),
            &probe,
        )
        .map_err(refused)?;
        let vin = case.vehicle.vin.trim().to_uppercase();
        // The registry's silence or refusal (an unreadable VIN fails P-VIN anyway) leaves
        // the case as it is.
        let Ok(status) = self
            .bank()
            .and_then(|b| b.pledge(&vin).map_err(AppError::from))
        else {
            return Ok(expected_version);
        };
        self.hear_registry_on(case_id, Some(expected_version), &status)
    }

    /// A second person signs the approval, with their password.
    pub fn approve(
        &self,
        case_id: &str,
        expected_version: i64,
        password: &str,
    ) -> Result<CaseView> {
        self.transition(
            case_id,
            expected_version,
            Action::Approve,
            Some(password),
            None,
        )
    }

    /// A second person approves against the maker's proposal to reject: an exception, with
    /// its reason, within the signer's authority limit.
    pub fn approve_by_exception(
        &self,
        case_id: &str,
        expected_version: i64,
        password: &str,
        reason: &str,
    ) -> Result<CaseView> {
        self.transition(
            case_id,
            expected_version,
            Action::Approve,
            Some(password),
            Some(reason),
        )
    }

    pub fn reject(
        &self,
        case_id: &str,
        expected_version: i64,
        comment: &str,
        password: &str,
    ) -> Result<CaseView> {
        let a = Action::Reject {
            comment: comment.to_string(),
        };
        self.transition(case_id, expected_version, a, Some(password), None)
    }

    /// Back to the maker with comments.
    pub fn return_case(
        &self,
        case_id: &str,
        expected_version: i64,
        comment: &str,
    ) -> Result<CaseView> {
        let a = Action::Return {
            comment: comment.to_string(),
        };
        self.transition(case_id, expected_version, a, None, None)
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod desks_tests;

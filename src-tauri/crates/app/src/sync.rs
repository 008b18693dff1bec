//! Sync with the core bank, offline first.
//!
//! Every change meant for the bank is already in the store's outbox, written in the
//! transaction of the change (uw-store `sync`). A pass sends the outbox in order per case
//! — several cases at once, one entry at a time within a case — then pulls the daily
//! queue and merges it. A failed entry stays where it is with its error, and holds back
//! only its own case; it is tried again with capped exponential backoff and jitter, with
//! the Idempotency-Key it was given when it was written, so the bank applies it once
//! however often it travels. A case changed on both sides becomes a conflict that the
//! underwriter resolves seeing both versions; nothing is overwritten silently.
//!
//! With the bank's directory, entries carry signed statements (`crate::statements`) and
//! the bank answers for the workflow: an accepted statement moves the case's workflow on
//! in the transaction that marks the entry sent; a refused one (403 / 409 with the bank's
//! code) is final — the entry is kept as refused, the case reopens where it stood with the
//! code shown, and the pass reports it. The pull takes the bank's word on where each case
//! stands (`uw_domain::review::from_bank`), and a reviewer's pass also pulls their review
//! inbox, signed with their key.
//!
//! Readings fixed here:
//! - the daily queue pulled is the branch's ([`BANK_BRANCH`], `uw sync --branch`; every
//!   branch when unset), and the bank's assignment of each application is the case's
//!   assignee;
//! - a newer bank version of a case with unsent changes here is a conflict, unless it is
//!   one of those changes, accepted but not yet acknowledged; a 412 whose bank version
//!   holds the very content of the entry is no conflict either;
//! - keeping this desk's version sends it over the bank's; taking the bank's makes it the
//!   next local version and marks the unsent versions `superseded` (kept in the outbox and
//!   in the conflict's record); review messages still go.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use backon::{BackoffBuilder, BlockingRetryable, ExponentialBuilder};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use ts_rs::TS;
use uw_bank_link::api::{self, CaseMessage, MessageKind, RemoteCase, RemoteWorkflow, SignOff};
use uw_bank_link::{Bank, BankConfig, LinkError, StaffAuth};
use uw_domain::case::{to_json_pretty, ReviewDecision};
use uw_domain::parse_case_value;
use uw_domain::review::{
    self as flow, Action, BankView, Proposal, Stage, SubmittedVersion, Workflow,
};
use uw_store::sync::CASE_VERSION;
use uw_store::{BankVersion, OutboxEntry, Outgoing};

use crate::disbursement::{send_pledge_request, PLEDGE_REQUEST};
use crate::error::{AppError, ErrorCode, Result};
use crate::review::SIGNOFF;
use crate::statements::Outbound;
use crate::{now_rfc3339, CaseView, Workstation};

/// Settings keys (kept in the encrypted store, so the token is encrypted at rest).
pub const BANK_URL: &str = "bank.url";
pub const BANK_TOKEN: &str = "bank.token";
/// The branch whose daily queue this workstation pulls (all when unset).
pub const BANK_BRANCH: &str = "bank.branch";
/// The bank's own CA bundle as a PEM file's path, as an earlier version saved it; the
/// bundle's text is kept now (`crate::admin::BANK_CA_PEM`), and this is honoured until then.
pub const BANK_CA_FILE: &str = "bank.ca_file";
const LAST_SUCCESS: &str = "sync.last_success";
const LAST_ERROR: &str = "sync.last_error";
const LAST_ERROR_AT: &str = "sync.last_error_at";
pub(crate) const ONLINE: &str = "sync.online";
/// Who the audit trail names for what came from the bank.
pub const BANK_ACTOR: &str = "core bank";

/// The file in the data folder whose lock a sync pass holds (`Workstation::store_sync_lock`).
pub const SYNC_LOCK: &str = "sync.lock";

/// How a pass sends: how many cases at once, and how it retries within the pass.
#[derive(Clone, Debug)]
pub struct SyncOptions {
    pub workers: usize,
    /// Retries of one entry within a pass: exponential from `retry_min` up to
    /// `retry_max`, with jitter, `retries` times.
    pub retry_min: Duration,
    pub retry_max: Duration,
    pub retries: usize,
    /// Between passes, an entry that failed waits from `hold_min` doubling to `hold_max`.
    pub hold_min: Duration,
    pub hold_max: Duration,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            workers: 4,
            retry_min: Duration::from_millis(20),
            retry_max: Duration::from_secs(1),
            retries: 4,
            hold_min: Duration::from_secs(5),
            hold_max: Duration::from_secs(300),
        }
    }
}

/// What one pass did.
#[derive(Clone, Debug, Default, Serialize, TS)]
pub struct SyncReport {
    pub pushed: usize,
    pub pulled_new: usize,
    pub pulled_updated: usize,
    pub conflicts: usize,
    /// Entries still waiting after the pass.
    pub waiting: i64,
    pub online: bool,
    /// One line per entry or application that failed, naming its case.
    pub errors: Vec<String>,
    /// The signed statements the bank refused in this pass, each with its code.
    pub refused: Vec<RefusedStatement>,
    /// The codes of `errors`, for the log (which never holds a message).
    #[serde(skip)]
    #[ts(skip)]
    pub error_codes: Vec<ErrorCode>,
}

impl SyncReport {
    /// A failure of the pass, with its code.
    fn fail(&mut self, e: AppError) {
        self.error_codes.push(e.code);
        self.errors.push(e.message);
    }
}

/// A signed statement the bank refused: final, the case reopens with the code shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct RefusedStatement {
    pub case_id: String,
    /// edit | submit | approve | reject | return | order_stage_1 | order_stage_2
    pub action: String,
    pub signer: String,
    pub code: String,
    pub message: String,
}

/// What the status badge shows.
#[derive(Clone, Debug, Serialize, TS)]
pub struct SyncStatus {
    pub configured: bool,
    pub bank_url: Option<String>,
    /// Whether the last pass reached the bank (`None` before the first).
    pub online: Option<bool>,
    pub waiting: i64,
    pub conflicts: i64,
    pub last_success: Option<String>,
    pub last_error: Option<String>,
    pub last_error_at: Option<String>,
    /// The bank refused the audit trail's head (`AUDIT_NOT_EXTENDED`: the trail was cut,
    /// rewritten or the store put back from an old copy), until it takes one again.
    pub audit_alarm: Option<String>,
}

/// One field that differs between the two versions of a conflict.
#[derive(Clone, Debug, Serialize, TS)]
pub struct FieldDifference {
    pub field: String,
    #[ts(type = "unknown")]
    pub local: Value,
    #[ts(type = "unknown")]
    pub bank: Value,
}

#[derive(Clone, Debug, Serialize, TS)]
pub struct ConflictView {
    pub id: i64,
    pub case_id: String,
    pub detected_at: String,
    pub local_version: i64,
    pub bank_version: i64,
    pub differences: Vec<FieldDifference>,
    /// Both versions, whole.
    #[ts(type = "unknown")]
    pub local: Value,
    #[ts(type = "unknown")]
    pub bank: Value,
    pub resolved_at: Option<String>,
    pub resolved_by: Option<String>,
    pub resolution: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Keep {
    /// The workstation's version goes to the bank over the bank's.
    Local,
    /// The bank's version becomes the next local version.
    Bank,
}

/// The message a review step sends to the bank: the maker's decision on submission, the
/// checker's sign-off (or return) afterwards. An edit sends only the case version.
pub(crate) fn review_message(
    action: &Action,
    detail: &Value,
    actor: &str,
    at: &str,
    next: &Workflow,
) -> Vec<Outgoing> {
    let kind = match action {
        Action::Edit => return Vec::new(),
        Action::Submit(_) => MessageKind::Decision,
        Action::Approve | Action::Reject { .. } | Action::Return { .. } => MessageKind::Review,
    };
    let decision = match action {
        Action::Submit(p) => Some(serde_json::to_value(p.decision).unwrap_or(Value::Null)),
        Action::Approve => Some(json!("approve")),
        Action::Reject { .. } => Some(json!("reject")),
        _ => None,
    };
    let msg = CaseMessage {
        kind,
        body: json!({
            "action": action.name(),
            "actor": actor,
            "at": at,
            "stage": next.stage.as_str(),
            "decision": decision,
            "maker": next.maker,
            "checker": next.checker,
            "detail": detail,
        }),
    };
    vec![Outgoing {
        kind: kind.as_str().to_string(),
        body: serde_json::to_string(&msg).unwrap_or_default(),
    }]
}

fn at_after(d: Duration) -> String {
    let d = chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX);
    (chrono::Utc::now() + d).to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// What the bank answered to an entry: its answer (kept with the entry) and, for a case
/// version, the bank's new version.
#[derive(Default)]
struct Sent {
    answer: String,
    bank: Option<BankVersion>,
    /// What the Pledge Registry said to a prohibition request.
    pledge: Option<api::PledgeStatus>,
    /// A signed statement the bank accepted: when, and for a submission the version under
    /// review.
    accepted: Option<(String, Option<SubmittedVersion>)>,
    /// A note as the bank keeps it.
    note: Option<api::RemoteNote>,
    /// A condition as the bank keeps it after an act on it.
    condition: Option<api::RemoteCondition>,
}

/// The signed statement an entry carries, if any: (action, signer).
fn signed_by(entry: &OutboxEntry) -> Option<(String, String)> {
    if entry.kind == crate::notes::NOTE {
        // A signed note waits for its author's key like a statement.
        let n: api::CaseNote = serde_json::from_str(&entry.body).ok()?;
        return n
            .signature
            .is_some()
            .then(|| ("note".to_string(), n.author));
    }
    if entry.kind == crate::assignment::ASSIGNMENT {
        // And a signed assignment.
        let a: api::Assignment = serde_json::from_str(&entry.body).ok()?;
        return a.signature.is_some().then(|| ("assign".to_string(), a.by));
    }
    if entry.kind == crate::conditions::CONDITION {
        // So does a signed act on a condition.
        let a: api::ConditionAct = serde_json::from_str(&entry.body).ok()?;
        return a
            .signature
            .is_some()
            .then(|| (format!("condition {}", a.action.as_str()), a.author));
    }
    if entry.kind == SIGNOFF {
        let s: SignOff = serde_json::from_str(&entry.body).ok()?;
        let st = s.statement.statement;
        return Some((st.action.as_str().to_string(), st.signer));
    }
    if entry.kind == CASE_VERSION {
        let o: Outbound = serde_json::from_str(entry.statement.as_deref()?).ok()?;
        return Some((
            o.signed.statement.action.as_str().to_string(),
            o.signed.statement.signer,
        ));
    }
    let msg: CaseMessage = serde_json::from_str(&entry.body).ok()?;
    let st: api::SignedStatement =
        serde_json::from_value(msg.body.get("statement")?.clone()).ok()?;
    Some((
        st.statement.action.as_str().to_string(),
        st.statement.signer,
    ))
}

/// A refusal that repeating will never turn (the enforcing bank's rules), whatever the
/// entry carries: final, like a refused statement.
fn final_refusal(code: &str) -> bool {
    crate::error::bank_code(code) != ErrorCode::BankRefused
        || matches!(
            code,
            "USE_SIGNOFFS" | "INVALID_JUSTIFICATION" | "OWNED_FIELD"
        )
}

/// The bank's workflow of a case as the domain reads it (`None`: a stage it does not
/// name, which changes nothing here). The maker's figures are the ones their `submit`
/// statement signed; the largest payment, which a statement does not carry, is
/// `payment` — worked out from the content the bank holds (a submitted case's content is
/// the submitted version: nobody edits it).
fn bank_view(w: &RemoteWorkflow, payment: Option<String>) -> Option<BankView> {
    let stage = Stage::parse(&w.stage)?;
    let proposal = w.submission.as_ref().map(|s| Proposal {
        decision: match s.proposal.as_deref() {
            Some("reject") => ReviewDecision::Reject,
            _ => ReviewDecision::Approve,
        },
        justification: s.justification.clone(),
        figures: s
            .statement
            .statement
            .figures
            .as_ref()
            .map(|f| flow::Figures {
                average_monthly_income: f.average_monthly_income.clone(),
                dti: f.dti.clone(),
                ltv: f.ltv.clone(),
                max_monthly_payment: payment.clone(),
            })
            .unwrap_or_default(),
    });
    Some(BankView {
        stage,
        maker: w.maker.clone(),
        editors: w.editors.clone(),
        submitted: w.submission.as_ref().map(|s| SubmittedVersion {
            version: s.version,
            hash: s.hash.clone(),
        }),
        proposal,
        decided: w.decided.as_ref().map(|d| {
            (
                d.action.as_str().to_string(),
                d.signer.clone(),
                d.comment.clone(),
                d.accepted_at.clone(),
            )
        }),
        maker_signature: w
            .submission
            .as_ref()
            .and_then(|s| uw_bank_link::signing::fingerprint(&s.statement.signature)),
        checker_signature: w
            .decided
            .as_ref()
            .filter(|d| d.action != api::StatementAction::Return)
            .and_then(|d| d.signature.as_deref())
            .and_then(uw_bank_link::signing::fingerprint),
    })
}

impl Workstation {
    /// Sets the bank's address, token, branch and own CA bundle (PEM; `None`: the
    /// built-in roots) — an administrator's setting (`uw sync --url`), audited. The
    /// bundle is read now and its text kept (`crate::admin`); a CA file that does not
    /// read or holds no certificate is refused, naming it.
    pub fn set_bank(
        &self,
        url: &str,
        token: &str,
        branch: Option<&str>,
        ca_file: Option<&std::path::Path>,
    ) -> Result<()> {
        let actor = if self.require_login {
            self.require_admin()?.username
        } else {
            self.actor.clone()
        };
        let ca = match ca_file {
            Some(path) => crate::admin::CaChange::Set(crate::admin::read_ca_bundle(path)?),
            None => crate::admin::CaChange::Clear,
        };
        let branch = branch.map(str::trim).unwrap_or("");
        self.save_bank(&actor, url.trim(), Some(token.trim()), branch, ca)
    }

    pub fn set_sync_options(&self, options: SyncOptions) {
        *self.sync_options.lock().unwrap_or_else(|p| p.into_inner()) = options;
    }

    fn sync_options(&self) -> SyncOptions {
        self.sync_options
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The bank's configuration: given at opening (UW_BANK_URL), else the settings.
    pub(crate) fn bank_config(&self) -> Result<Option<BankConfig>> {
        if let Some(c) = &self.bank_override {
            return Ok(Some(c.clone()));
        }
        let store = self.store()?;
        let url = store.setting(BANK_URL)?.filter(|u| !u.is_empty());
        let token = store.setting(BANK_TOKEN)?.unwrap_or_default();
        let ca_file = store.setting(BANK_CA_FILE)?.filter(|f| !f.is_empty());
        let ca_pem = store
            .setting(crate::admin::BANK_CA_PEM)?
            .filter(|p| !p.is_empty());
        Ok(url.map(|u| BankConfig {
            ca_file: ca_file.map(std::path::PathBuf::from),
            ca_pem,
            ..BankConfig::new(&u, &token)
        }))
    }

    pub fn bank_configured(&self) -> bool {
        self.bank_config().ok().flatten().is_some()
    }

    /// The client, built on first use (on the caller's thread, which must not be an
    /// async runtime's).
    pub(crate) fn bank(&self) -> Result<Arc<Bank>> {
        let mut slot = self.bank.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(b) = slot.as_ref() {
            return Ok(b.clone());
        }
        let config = self.bank_config()?.ok_or_else(|| {
            AppError::new(
                ErrorCode::BankNotConfigured,
                "no core-bank address is set: `uw sync --url URL --token-file FILE`, or UW_BANK_URL and UW_BANK_TOKEN",
            )
        })?;
        let bank = Arc::new(Bank::new(config)?);
        *slot = Some(bank.clone());
        Ok(bank)
    }

    /// One sync pass now: every waiting entry is tried, whatever its backoff.
    pub fn sync(&self) -> Result<SyncReport> {
        self.logged_pass("now", false)
    }

    /// The background worker's pass: entries still backing off wait their turn.
    pub fn sync_scheduled(&self) -> Result<SyncReport> {
        self.logged_pass("scheduled", true)
    }

    /// One pass at a time on this store, whichever process makes it (a second window on
    /// the same data folder, `uw sync` beside the app): held until dropped. A pass waits
    /// for another's to end, then finds what it sent no longer waiting, rather than
    /// sending the same entries at once and failing to record what the other recorded.
    /// The system drops the lock with its process, however that ends.
    fn store_sync_lock(&self) -> Result<std::fs::File> {
        let path = self.data_dir.join(SYNC_LOCK);
        let io =
            |e: std::io::Error| AppError::new(ErrorCode::Io, format!("{}: {e}", path.display()));
        let mut options = std::fs::OpenOptions::new();
        options.create(true).truncate(false).write(true);
        // Empty, but in a private folder, private as everything else there.
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&path).map_err(io)?;
        file.lock().map_err(io)?;
        Ok(file)
    }

    /// A pass and its line in the log.
    fn logged_pass(&self, trigger: &'static str, respect_backoff: bool) -> Result<SyncReport> {
        let started = std::time::Instant::now();
        let result = self.sync_pass(respect_backoff);
        crate::logs::sync_pass(trigger, started.elapsed(), &result);
        result
    }

    fn sync_pass(&self, respect_backoff: bool) -> Result<SyncReport> {
        let _one_pass = self.sync_running.lock().unwrap_or_else(|p| p.into_inner());
        let _one_on_this_store = self.store_sync_lock()?;
        let bank = self.bank()?;
        self.finish_enrolment();
        let mut report = SyncReport::default();
        let pushed = self.push(&bank, respect_backoff, &mut report);
        let pulled = pushed.and_then(|()| self.pull(&bank, &mut report));
        let reached = match &pulled {
            Ok(()) => true,
            Err(e) => e.code != ErrorCode::BankOffline,
        };
        if reached {
            self.refresh_portfolio_in_pass(&bank, &mut report);
            self.refresh_liens(&bank, &mut report);
            self.send_audit_head(&bank, &mut report);
        }
        if let Err(e) = self.settle_unsent_statements() {
            report.fail(e);
        }
        report.online = reached;
        report.waiting = self.store()?.outbox_waiting()?;
        let at = now_rfc3339();
        let mut store = self.store()?;
        store.set_setting(ONLINE, if reached { "true" } else { "false" })?;
        if let Err(e) = &pulled {
            // An unreachable bank fails the push and the pull alike: said once.
            if !report.errors.contains(&e.message) {
                report.fail(e.clone());
            }
        }
        if report.errors.is_empty() {
            store.set_setting(LAST_SUCCESS, &at)?;
        } else {
            store.set_setting(LAST_ERROR, &report.errors[0])?;
            store.set_setting(LAST_ERROR_AT, &at)?;
        }
        drop(store);
        // Unreachable or refusing the token: the pass did nothing, and says why. Anything
        // else (a bad answer, a refused entry) is in the report with its case.
        match pulled {
            Err(e)
                if report.pushed == 0
                    && matches!(e.code, ErrorCode::BankOffline | ErrorCode::BankRefused) =>
            {
                Err(e)
            }
            _ => Ok(report),
        }
    }

    /// Sends the outbox: cases in parallel, each case's entries in order.
    fn push(&self, bank: &Bank, respect_backoff: bool, report: &mut SyncReport) -> Result<()> {
        let opts = self.sync_options();
        let horizon = if respect_backoff {
            at_after(Duration::ZERO)
        } else {
            // Later than any RFC 3339 time: every waiting entry is due.
            "9999".to_string()
        };
        let due = self.store()?.outbox_due(&horizon, usize::MAX >> 1)?;
        let next = AtomicUsize::new(0);
        let results: Vec<CaseOutcome> = std::thread::scope(|s| {
            let workers: Vec<_> = (0..opts.workers.clamp(1, 16).min(due.len().max(1)))
                .map(|_| {
                    s.spawn(|| {
                        let mut out = Vec::new();
                        loop {
                            let i = next.fetch_add(1, Ordering::Relaxed);
                            let Some(case_id) = due.get(i) else { break };
                            out.push(self.push_case(bank, case_id, &opts));
                        }
                        out
                    })
                })
                .collect();
            workers
                .into_iter()
                .flat_map(|w| w.join().unwrap_or_default())
                .collect()
        });
        let mut offline = None;
        for r in results {
            report.pushed += r.pushed;
            report.conflicts += usize::from(r.conflict);
            report.refused.extend(r.refused);
            if let Some(e) = r.error {
                if e.code == ErrorCode::BankOffline && offline.is_none() {
                    offline = Some(e.clone());
                }
                report.fail(e);
            }
        }
        match offline {
            Some(e) if report.pushed == 0 => Err(e),
            _ => Ok(()),
        }
    }

    fn push_case(&self, bank: &Bank, case_id: &str, opts: &SyncOptions) -> CaseOutcome {
        let mut out = CaseOutcome::default();
        if let Err(e) = self.push_case_entries(bank, case_id, opts, &mut out) {
            out.error = Some(e);
        }
        out
    }

    fn push_case_entries(
        &self,
        bank: &Bank,
        case_id: &str,
        opts: &SyncOptions,
        out: &mut CaseOutcome,
    ) -> Result<()> {
        loop {
            let Some(entry) = self.store()?.outbox_head(case_id)? else {
                return Ok(());
            };
            // A statement whose signer's key the bank does not hold yet would only be
            // refused: it waits (the enrolment completes at a sync or the next login).
            if let Some((_, signer)) = signed_by(&entry) {
                let unenrolled = self
                    .store()?
                    .signing_key(&signer)?
                    .is_some_and(|k| k.enrolled_at.is_none());
                if unenrolled {
                    let why = format!("case {case_id}: waits until the bank holds {signer}'s signing key (enrolled when the bank answers {signer}'s session or next login)");
                    self.store()?
                        .outbox_failed(entry.id, 0, &why, &at_after(opts.hold_min))?;
                    return Err(AppError::new(ErrorCode::KeyUnknown, why));
                }
            }
            let attempts = std::cell::Cell::new(0i64);
            let result = (|| {
                attempts.set(attempts.get() + 1);
                self.send_entry(bank, &entry)
            })
            .retry(
                ExponentialBuilder::default()
                    .with_min_delay(opts.retry_min)
                    .with_max_delay(opts.retry_max)
                    .with_max_times(opts.retries)
                    .with_jitter(),
            )
            .sleep(std::thread::sleep)
            .when(LinkError::retryable)
            .call();
            match result {
                Ok(sent) => {
                    self.entry_accepted(case_id, &entry, &sent)?;
                    out.pushed += 1;
                    if let Some(status) = &sent.pledge {
                        self.hear_registry(case_id, status)?;
                    }
                    if let Some(kept) = &sent.note {
                        self.store()?
                            .merge_bank_notes(case_id, &[crate::notes::from_bank(kept)])?;
                    }
                    if let Some(kept) = sent
                        .condition
                        .as_ref()
                        .and_then(crate::conditions::from_bank)
                    {
                        self.store()?.merge_bank_conditions(case_id, &[kept])?;
                    }
                }
                Err(LinkError::Rejected {
                    status,
                    code,
                    message,
                }) if signed_by(&entry).is_some()
                    || final_refusal(&code)
                    // A note or a condition's act the bank refuses is refused for good:
                    // it never changes (the bank's word on the condition comes with the
                    // case at the next pull).
                    || entry.kind == crate::notes::NOTE
                    || entry.kind == crate::conditions::CONDITION
                    // An assignment the bank refuses (someone claimed first): its
                    // assignee comes with the case at the next pull.
                    || entry.kind == crate::assignment::ASSIGNMENT =>
                {
                    let refused = self.entry_refused(case_id, &entry, status, &code, &message)?;
                    if entry.kind == crate::conditions::CONDITION {
                        self.condition_act_refused(case_id, &entry, &code, &message)?;
                    }
                    out.refused.push(refused);
                }
                Err(LinkError::Conflict(m)) => {
                    // A signed statement is for the bank to judge, never taken as heard.
                    if signed_by(&entry).is_none()
                        && api::content_hash(&entry.body).as_deref()
                            == Some(m.current.hash.as_str())
                    {
                        // The bank already holds this very content (sent before a crash
                        // under another key, or made the same on both sides).
                        let answer = serde_json::to_string(&m).unwrap_or_default();
                        let bank_version = BankVersion {
                            version: m.current.version,
                            hash: m.current.hash.clone(),
                        };
                        self.store()?.outbox_sent(
                            entry.id,
                            &now_rfc3339(),
                            &answer,
                            Some(&bank_version),
                        )?;
                        out.pushed += 1;
                        continue;
                    }
                    self.record_conflict(&m.current)?;
                    out.conflict = true;
                    return Ok(());
                }
                Err(e) => {
                    let hold = ExponentialBuilder::default()
                        .with_min_delay(opts.hold_min)
                        .with_max_delay(opts.hold_max)
                        .with_max_times(usize::MAX)
                        .with_jitter()
                        .build()
                        .nth(usize::try_from(entry.attempts).unwrap_or(0).min(32))
                        .unwrap_or(opts.hold_max);
                    self.store()?.outbox_failed(
                        entry.id,
                        attempts.get(),
                        &e.to_string(),
                        &at_after(hold),
                    )?;
                    let mut err = AppError::from(e);
                    err.message = format!("case {case_id}: {}", err.message);
                    return Err(err);
                }
            }
        }
    }

    fn send_entry(&self, bank: &Bank, entry: &OutboxEntry) -> Result<Sent, LinkError> {
        let unreadable = |e: serde_json::Error| LinkError::Rejected {
            status: 0,
            code: "OUTBOX_ENTRY_UNREADABLE".into(),
            message: format!("outbox entry {}: {e}", entry.id),
        };
        if entry.kind == CASE_VERSION {
            // The base is read at each attempt: the previous entry of the case may have
            // moved it.
            let base = self
                .store()
                .ok()
                .and_then(|s| s.bank_version(&entry.case_id).ok().flatten())
                .map(|b| b.version);
            let outbound: Option<Outbound> = entry
                .statement
                .as_deref()
                .map(serde_json::from_str)
                .transpose()
                .map_err(unreadable)?;
            let ack = bank.put_case_with(
                &entry.case_id,
                &entry.body,
                base,
                &entry.idempotency_key,
                outbound.as_ref().map(|o| &o.signed),
                outbound.as_ref().and_then(|o| o.justification.as_deref()),
                outbound.as_ref().and_then(|o| o.proposal.as_deref()),
            )?;
            let submitted = outbound
                .filter(|o| o.signed.statement.action == api::StatementAction::Submit)
                .map(|_| {
                    (
                        now_rfc3339(),
                        Some(SubmittedVersion {
                            version: ack.version,
                            hash: ack.hash.clone(),
                        }),
                    )
                });
            return Ok(Sent {
                answer: serde_json::to_string(&ack).unwrap_or_default(),
                bank: Some(BankVersion {
                    version: ack.version,
                    hash: ack.hash,
                }),
                accepted: submitted,
                ..Sent::default()
            });
        }
        if entry.kind == SIGNOFF {
            let signoff: SignOff = serde_json::from_str(&entry.body).map_err(unreadable)?;
            let ack = bank.sign_off(&entry.case_id, &signoff, &entry.idempotency_key)?;
            return Ok(Sent {
                answer: serde_json::to_string(&ack).unwrap_or_default(),
                accepted: Some((ack.accepted_at, None)),
                ..Sent::default()
            });
        }
        if entry.kind == crate::notes::NOTE {
            let note: api::CaseNote = serde_json::from_str(&entry.body).map_err(unreadable)?;
            let kept = bank.post_note(&entry.case_id, &note, &entry.idempotency_key)?;
            return Ok(Sent {
                answer: serde_json::to_string(&kept).unwrap_or_default(),
                note: Some(kept),
                ..Sent::default()
            });
        }
        if entry.kind == crate::assignment::ASSIGNMENT {
            let a: api::Assignment = serde_json::from_str(&entry.body).map_err(unreadable)?;
            let ack = bank.post_assignment(&entry.case_id, &a, &entry.idempotency_key)?;
            return Ok(Sent {
                answer: serde_json::to_string(&ack).unwrap_or_default(),
                ..Sent::default()
            });
        }
        if entry.kind == crate::conditions::CONDITION {
            let act: api::ConditionAct = serde_json::from_str(&entry.body).map_err(unreadable)?;
            let kept = bank.post_condition(&entry.case_id, &act, &entry.idempotency_key)?;
            return Ok(Sent {
                answer: serde_json::to_string(&kept).unwrap_or_default(),
                condition: Some(kept),
                ..Sent::default()
            });
        }
        if entry.kind == PLEDGE_REQUEST {
            let (answer, status) = send_pledge_request(bank, &entry.body, &entry.idempotency_key)?;
            return Ok(Sent {
                answer,
                pledge: Some(status),
                ..Sent::default()
            });
        }
        let msg: CaseMessage = serde_json::from_str(&entry.body).map_err(unreadable)?;
        let ack = bank.post_message(&entry.case_id, &msg, &entry.idempotency_key)?;
        Ok(Sent {
            answer: serde_json::to_string(&ack).unwrap_or_default(),
            ..Sent::default()
        })
    }

    /// Marks an entry sent; an accepted statement moves the case's workflow on in the
    /// same transaction (a submission under review at the bank's version, a sign-off in
    /// effect).
    fn entry_accepted(&self, case_id: &str, entry: &OutboxEntry, sent: &Sent) -> Result<()> {
        let at = now_rfc3339();
        let mut workflow = None;
        if let Some((accepted_at, submitted)) = &sent.accepted {
            let w = self.load_workflow(case_id)?;
            let mut next = flow::accept(&w, submitted.clone(), accepted_at);
            if next.stage == Stage::Approved && next.approved_terms.is_none() {
                // The bank approved the submitted version, which is what this desk holds.
                let held = self.store()?.get_case(case_id)?;
                next.approved_terms = crate::statements::terms_hash(&held.case_json);
            }
            if next != w {
                let json = serde_json::to_string(&next)
                    .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
                let detail = json!({
                    "action": signed_by(entry).map(|(a, _)| a),
                    "stage": next.stage.as_str(),
                })
                .to_string();
                workflow = Some((json, detail));
            }
        }
        self.store()?.outbox_accepted(
            entry.id,
            &at,
            &sent.answer,
            sent.bank.as_ref(),
            workflow
                .as_ref()
                .map(|(w, d)| (w.as_str(), ("bank_accepted", d.as_str()))),
        )?;
        Ok(())
    }

    /// The bank refused a signed statement: final. The entry is kept as refused, and the
    /// case reopens where it stood with the bank's code (`uw_domain::review::refuse`).
    fn entry_refused(
        &self,
        case_id: &str,
        entry: &OutboxEntry,
        status: u16,
        code: &str,
        message: &str,
    ) -> Result<RefusedStatement> {
        let at = now_rfc3339();
        let (action, signer) =
            signed_by(entry).unwrap_or_else(|| (entry.kind.clone(), String::new()));
        let w = self.load_workflow(case_id)?;
        let pending_is_this = w
            .pending
            .as_ref()
            .is_some_and(|p| p.action == action && p.signer == signer);
        let workflow = pending_is_this
            .then(|| serde_json::to_string(&flow::refuse(&w, code, message, &at)))
            .transpose()
            .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
        let answer = json!({"status": status, "code": code, "message": message}).to_string();
        let detail = json!({"action": action, "signer": signer, "code": code, "message": message})
            .to_string();
        self.store()?.outbox_refused(
            entry.id,
            &at,
            &answer,
            workflow.as_deref(),
            ("bank_refused", &detail),
        )?;
        Ok(RefusedStatement {
            case_id: case_id.to_string(),
            action,
            signer,
            code: code.to_string(),
            message: message.to_string(),
        })
    }

    fn record_conflict(&self, remote: &RemoteCase) -> Result<()> {
        let stored = self.store()?.get_case(&remote.case_id)?;
        let bank_json = serde_json::to_string_pretty(&remote.case).unwrap_or_default();
        self.store()?.record_conflict(
            &remote.case_id,
            stored.version,
            &stored.case_json,
            &BankVersion {
                version: remote.version,
                hash: remote.hash.clone(),
            },
            &bank_json,
            &now_rfc3339(),
        )?;
        Ok(())
    }

    /// Pulls the daily queue and merges it: a new application becomes a case, a newer
    /// bank version replaces a case with nothing unsent, anything else is a conflict.
    /// Pulling the same application twice changes nothing.
    fn pull(&self, bank: &Bank, report: &mut SyncReport) -> Result<()> {
        let branch = self
            .store()?
            .setting(BANK_BRANCH)?
            .filter(|b| !b.is_empty());
        let queue = bank.queue(branch.as_deref(), None)?;
        for remote in queue.applications {
            if let Err(e) = self.merge(&remote, report) {
                report.error_codes.push(e.code);
                report
                    .errors
                    .push(format!("queue: case {}: {}", remote.case_id, e.message));
            }
        }
        if let Err(e) = self.pull_inbox(bank, report) {
            report.error_codes.push(e.code);
            report.errors.push(format!("review inbox: {}", e.message));
        }
        Ok(())
    }

    /// A reviewer's review inbox, asked in their name (a request signed with their key):
    /// the submitted cases of their branches that they neither made nor edited.
    fn pull_inbox(&self, bank: &Bank, report: &mut SyncReport) -> Result<()> {
        let Some(s) = self
            .session()
            .filter(|s| s.reviewer && self.directory_mode())
        else {
            return Ok(());
        };
        let Some(signer) = self.signer() else {
            return Ok(());
        };
        let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let signature = uw_bank_link::signing::Signer::sign(
            signer.as_ref(),
            &uw_bank_link::signing::request_bytes("inbox", &s.username, &at),
        )
        .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
        let auth = StaffAuth {
            staff_id: s.username.clone(),
            at,
            signature: uw_bank_link::signing::to_base64(&signature),
        };
        let inbox = bank.inbox(&auth)?;
        let mut ids = Vec::with_capacity(inbox.applications.len());
        for remote in inbox.applications {
            match self.merge(&remote, report) {
                Ok(()) => ids.push(remote.case_id.clone()),
                Err(e) => {
                    report.error_codes.push(e.code);
                    report.errors.push(format!(
                        "review inbox: case {}: {}",
                        remote.case_id, e.message
                    ));
                }
            }
        }
        // The queue's reviewer view is this inbox.
        self.store()?.set_inbox(&s.username, &ids)?;
        Ok(())
    }

    /// Merges a case the bank sent, then its notes (a note comes in once, whatever
    /// became of the case's content).
    fn merge(&self, remote: &RemoteCase, report: &mut SyncReport) -> Result<()> {
        let merged = self.merge_case(remote, report);
        // The bank's assignee, unless an assignment made here still waits to be sent (a
        // case new here got it with its row).
        let pending = self
            .store()?
            .has_pending(&remote.case_id, crate::assignment::ASSIGNMENT)?;
        if merged.is_ok() && !pending {
            self.store()?.hear_assignee(
                &remote.case_id,
                remote.assignee.as_deref(),
                &now_rfc3339(),
                BANK_ACTOR,
            )?;
        }
        if !remote.notes.is_empty() {
            let notes: Vec<_> = remote.notes.iter().map(crate::notes::from_bank).collect();
            self.store()?.merge_bank_notes(&remote.case_id, &notes)?;
        }
        if !remote.conditions.is_empty() {
            let conditions: Vec<_> = remote
                .conditions
                .iter()
                .filter_map(crate::conditions::from_bank)
                .collect();
            self.store()?
                .merge_bank_conditions(&remote.case_id, &conditions)?;
        }
        merged
    }

    fn merge_case(&self, remote: &RemoteCase, report: &mut SyncReport) -> Result<()> {
        let case = parse_case_value(remote.case.clone())
            .map_err(|e| AppError::new(ErrorCode::InvalidCase, e.to_string()))?;
        if case.case_id != remote.case_id {
            return Err(AppError::new(
                ErrorCode::InvalidCase,
                format!(
                    "case_id: {} in the application {}",
                    case.case_id, remote.case_id
                ),
            ));
        }
        let json = to_json_pretty(&case);
        let bank = BankVersion {
            version: remote.version,
            hash: remote.hash.clone(),
        };
        let at = now_rfc3339();
        // Bound first: a guard in the match's scrutinee would live through its arms.
        let found = self.store()?.get_case(&case.case_id);
        let payment = self.evaluate_case(&case).metrics.max_monthly_payment;
        let view = remote.workflow.as_ref().and_then(|w| bank_view(w, payment));
        let stored = match found {
            Ok(s) => s,
            Err(uw_store::StoreError::NotFound(_)) => {
                let workflow = view
                    .as_ref()
                    .map(|v| flow::from_bank(&Workflow::default(), v));
                let status = workflow
                    .as_ref()
                    .map_or(crate::cases::NEW_CASE_STATUS, |w| w.stage.as_str());
                let mut row = self.row_for(&case, json, status);
                row.assignee = remote.assignee.clone();
                let workflow = workflow
                    .map(|w| serde_json::to_string(&w))
                    .transpose()
                    .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
                self.store()?.apply_bank_case(
                    &row,
                    &bank,
                    &at,
                    BANK_ACTOR,
                    "pulled",
                    workflow.as_deref(),
                )?;
                report.pulled_new += 1;
                return Ok(());
            }
            Err(e) => return Err(e.into()),
        };
        if let Some(view) = &view {
            self.merge_workflow(&case.case_id, view, &json, &at)?;
        }
        let stored = if view.is_some() {
            self.store()?.get_case(&case.case_id)?
        } else {
            stored
        };
        let known = self.store()?.bank_version(&case.case_id)?;
        if known.as_ref().is_some_and(|k| k.version >= remote.version) {
            return Ok(());
        }
        if api::content_hash(&stored.case_json) == api::content_hash(&json) {
            self.store()?.agree_with_bank(&case.case_id, &bank, &at)?;
            return Ok(());
        }
        let unsent = self.store()?.unsent_bodies(&case.case_id)?;
        if unsent
            .iter()
            .any(|b| api::content_hash(b).as_deref() == Some(remote.hash.as_str()))
        {
            // One of ours, accepted but not yet acknowledged here (its answer was lost):
            // the push will hear it again under its key.
            return Ok(());
        }
        if known.is_some() && unsent.is_empty() {
            return self.pulled_update(&case, json, &stored, remote, &bank, &at, report);
        }
        if !self.store()?.has_open_conflict(&case.case_id)? {
            self.record_conflict(remote)?;
            report.conflicts += 1;
        }
        Ok(())
    }

    /// A statement pending in a workflow whose outbox entry is gone without an answer (its
    /// version superseded by the bank's, say) will never be answered: the case reopens
    /// where it stood, saying so, instead of waiting for good.
    pub(crate) fn settle_unsent_statements(&self) -> Result<()> {
        let ids = self.store()?.cases_with_pending_statement()?;
        for id in ids {
            if self.store()?.has_unsent_statement(&id)? {
                continue;
            }
            let w = self.load_workflow(&id)?;
            let at = now_rfc3339();
            let next = flow::refuse(
                &w,
                "NOT_SENT",
                "the statement was superseded before the bank heard it: sign again if it still holds",
                &at,
            );
            let json = serde_json::to_string(&next)
                .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
            let detail = json!({"code": "NOT_SENT"}).to_string();
            self.store()?.apply_bank_workflow(
                &id,
                &json,
                &at,
                Some(("statement_superseded", &detail)),
            )?;
        }
        Ok(())
    }

    /// Takes the bank's word on where a case stands (its stage, maker, checker, the
    /// version under review, the editors), keeping what this desk knows besides.
    fn merge_workflow(&self, case_id: &str, view: &BankView, json: &str, at: &str) -> Result<()> {
        let local = self.load_workflow(case_id)?;
        let mut next = flow::from_bank(&local, view);
        if next.stage == Stage::Approved && next.approved_terms.is_none() {
            // After its decision the bank takes only evidence: its version's terms are the
            // approved ones.
            next.approved_terms = crate::statements::terms_hash(json);
        }
        if next == local {
            return Ok(());
        }
        let json = serde_json::to_string(&next)
            .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
        let detail = json!({"stage": next.stage.as_str(), "checker": next.checker}).to_string();
        let event = (next.stage != local.stage).then_some(("bank_stage", detail.as_str()));
        self.store()?
            .apply_bank_workflow(case_id, &json, at, event)?;
        Ok(())
    }

    /// A newer bank version of a case with nothing unsent here. What the sign-off is bound
    /// to decides: a change of an approved case's terms is a conflict (never taken over
    /// silently); one of a submitted case's terms sends it back to its maker with the
    /// bank's reason (the reviewer would otherwise sign what the maker never submitted);
    /// anything else replaces the local version.
    #[allow(clippy::too_many_arguments)]
    fn pulled_update(
        &self,
        case: &uw_domain::CaseFile,
        json: String,
        stored: &uw_store::StoredCase,
        remote: &RemoteCase,
        bank: &BankVersion,
        at: &str,
        report: &mut SyncReport,
    ) -> Result<()> {
        let w = self.load_workflow(&case.case_id)?;
        let terms_changed = crate::statements::terms_hash(&stored.case_json)
            != crate::statements::terms_hash(&json);
        let bank_keeps_workflow = remote.workflow.is_some();
        if terms_changed && w.stage == Stage::Approved {
            if !self.store()?.has_open_conflict(&case.case_id)? {
                self.record_conflict(remote)?;
                report.conflicts += 1;
            }
            return Ok(());
        }
        let mut row = self.row_for(case, json, &stored.status);
        // An assignment made here and not sent yet stands until the bank answers it.
        let pending = self
            .store()?
            .has_pending(&case.case_id, crate::assignment::ASSIGNMENT)?;
        row.assignee = if pending {
            stored.assignee.clone()
        } else {
            remote.assignee.clone().or(stored.assignee.clone())
        };
        // With a bank that keeps the workflow, its word on the stage came with the pull.
        let returned = (terms_changed && w.stage == Stage::Submitted && !bank_keeps_workflow)
            .then(|| {
                let mut back = w.clone();
                back.stage = Stage::Returned;
                back.return_comment = Some(
                    "the core bank changed the case while it was submitted: check it and submit again".into(),
                );
                row.status = Stage::Returned.as_str().to_string();
                serde_json::to_string(&back)
            })
            .transpose()
            .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
        self.store()?.apply_bank_case(
            &row,
            bank,
            at,
            BANK_ACTOR,
            "pulled_update",
            returned.as_deref(),
        )?;
        report.pulled_updated += 1;
        Ok(())
    }

    pub fn sync_status(&self) -> Result<SyncStatus> {
        let config = self.bank_config()?;
        let store = self.store()?;
        Ok(SyncStatus {
            configured: config.is_some(),
            bank_url: config.map(|c| c.url),
            online: store.setting(ONLINE)?.map(|v| v == "true"),
            waiting: store.outbox_waiting()?,
            conflicts: i64::try_from(store.conflicts(true)?.len()).unwrap_or(i64::MAX),
            last_success: store.setting(LAST_SUCCESS)?,
            last_error: store.setting(LAST_ERROR)?,
            last_error_at: store.setting(LAST_ERROR_AT)?,
            audit_alarm: store
                .setting(crate::audit::AUDIT_ALARM)?
                .filter(|a| !a.is_empty()),
        })
    }

    /// The conflicts (open ones, or all), each with both versions and what differs.
    pub fn conflicts(&self, open_only: bool) -> Result<Vec<ConflictView>> {
        let rows = self.store()?.conflicts(open_only)?;
        Ok(rows.into_iter().map(conflict_view).collect())
    }

    /// The underwriter's choice on a conflict; both versions stay on record.
    pub fn resolve_conflict(&self, id: i64, keep: Keep) -> Result<CaseView> {
        let (actor, roles) = self.acting()?;
        // Either side becomes the case's content: an underwriter's choice (audited with
        // the resolution, in its transaction).
        if !roles.underwriter {
            return Err(AppError::new(
                ErrorCode::MissingRole,
                format!("{actor} lacks the underwriter role needed to resolve a conflict"),
            ));
        }
        let c = self.store()?.conflict(id)?;
        let at = now_rfc3339();
        match keep {
            Keep::Local => {
                // Sent again over the bank's version, signed by whoever keeps it.
                let (stored, case) = self.stored_case(&c.case_id)?;
                let push = self.version_push(
                    &case,
                    &stored.case_json,
                    stored.version,
                    api::StatementAction::Edit,
                    None,
                )?;
                self.store()?.keep_local(id, &at, &actor, push.as_store())?
            }
            Keep::Bank => {
                let bank: Value = serde_json::from_str(&c.bank_json)
                    .map_err(|e| AppError::new(ErrorCode::InvalidCase, e.to_string()))?;
                let case = parse_case_value(bank).map_err(|e| {
                    AppError::new(
                        ErrorCode::InvalidCase,
                        format!("the bank's version of {}: {e}", c.case_id),
                    )
                })?;
                let stored = self.store()?.get_case(&c.case_id)?;
                let row = self.row_for(&case, to_json_pretty(&case), &stored.status);
                self.store()?.take_bank(id, &row, &at, &actor)?;
                // A signed submission among the superseded versions will not be heard.
                self.settle_unsent_statements()?;
            }
        }
        self.open_case(&c.case_id)
    }

    /// Every outbox entry ever written, for checks and tests.
    pub fn outbox_entries(&self) -> Result<Vec<uw_store::OutboxRecord>> {
        Ok(self.store()?.outbox_entries()?)
    }

    /// Case id → content hash of every local case (to compare with the bank's).
    pub fn content_hashes(&self) -> Result<std::collections::BTreeMap<String, String>> {
        let mut out = std::collections::BTreeMap::new();
        self.store()?.for_each_case(|id, _, json| {
            out.insert(id.to_string(), api::content_hash(json).unwrap_or_default());
        })?;
        Ok(out)
    }
}

#[derive(Default)]
struct CaseOutcome {
    pushed: usize,
    conflict: bool,
    error: Option<AppError>,
    refused: Vec<RefusedStatement>,
}

fn conflict_view(c: uw_store::Conflict) -> ConflictView {
    let local: Value = serde_json::from_str(&c.local_json).unwrap_or(Value::Null);
    let bank: Value = serde_json::from_str(&c.bank_json).unwrap_or(Value::Null);
    let differences = crate::cases::changed_fields(&local, &bank)
        .into_iter()
        .map(|(field, (local, bank))| FieldDifference { field, local, bank })
        .collect();
    ConflictView {
        id: c.id,
        case_id: c.case_id,
        detected_at: c.detected_at,
        local_version: c.local_version,
        bank_version: c.bank_version,
        differences,
        local,
        bank,
        resolved_at: c.resolved_at,
        resolved_by: c.resolved_by,
        resolution: c.resolution,
    }
}

#[cfg(test)]
mod tests;

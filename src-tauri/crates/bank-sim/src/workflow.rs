//! The bank's acceptance rules for signed statements (`assets/spec/dual-review.md`), as
//! pure functions of plain values: no SQLite, no HTTP, no clock, no directory.
//!
//! Invariants:
//! - [`judge`] is the only place that decides whether a statement about a case is
//!   accepted. The HTTP handlers gather the facts — the case's review as the bank keeps it
//!   ([`CaseReview`]), the signer's key verdict and the directory's word on the signer
//!   ([`SignerFacts`]), what came with the statement ([`Delivery`]) — and apply its verdict;
//! - the checks run in one fixed order: form, a statement accepted before, key, role, the
//!   case, its stage, self review, editor review, the hash, an approval's coherence
//!   ([`coherence`]: the engine, the maker's proposal, the signer's limit), the comment.
//!   So each refusal
//!   names the first rule broken, and a role gives no waiver: an administrator is held to
//!   the same rules as anyone;
//! - a signed statement counts once: one the bank accepted before is refused, whatever it
//!   is about (the caller finds it in the statements log, whose signatures are unique);
//! - [`CaseReview::accept`] is the only transition of a case's review at the bank;
//! - the caller reads the review, judges and writes the result in one SQLite transaction,
//!   so the stage check and the update of a sign-off are one: the first valid sign-off
//!   wins and any later one is `ALREADY_DECIDED`, naming it;
//! - every refusal is a [`Rule`] with its code and HTTP status, and a message that names
//!   what is wrong.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::{Map, Value};
use uw_bank_link::api::{
    Decided, RemoteWorkflow, SignedStatement, StaffKey, Statement, StatementAction, Submission,
};
use uw_directory::{DirectoryError, DirectoryRoles};

pub mod coherence;

/// How far ahead of the bank's clock a statement (or a signed read request) may be dated.
pub const CLOCK_SKEW_SECS: i64 = 5 * 60;

/// How long after a key's revocation a statement it signed may still reach the bank: the
/// workstation's offline-login time (`offline_hours`, 72 h). A statement signed offline
/// waits in the outbox at most as long as the offline login that made it lasts, so one
/// that arrives later was not made in that offline session.
pub const REVOKED_KEY_DELIVERY_HOURS: i64 = 72;

/// The top-level parts of a case file that may change after its decision: the evidence
/// the disbursement needs (and the bank's own review block). Everything else is the
/// terms the checker decided on.
pub const EVIDENCE_KEYS: [&str; 4] = ["review", "disbursement", "pledge", "insurance"];

/// The one kind of `documents` entry that may change after the decision.
pub const EVIDENCE_DOCUMENT: &str = "down_payment_proof";

/// Every refusal of the enforcing bank, with its stable code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rule {
    /// The signature does not verify, or the statement is not in the spec's form.
    SignatureInvalid,
    /// The signer has no enrolled key.
    KeyUnknown,
    /// Signed after the key's revocation.
    KeyRevoked,
    /// The directory does not give the signer the role the action needs.
    RoleMissing,
    /// A sign-off by the maker.
    SelfReview,
    /// A sign-off by someone who signed an edit or submit of the case.
    EditorReview,
    /// The statement names another content (or version) than the one it is about.
    HashMismatch,
    /// A sign-off of a case not awaiting a decision.
    NotSubmitted,
    /// A second sign-off, or a submit of a decided case.
    AlreadyDecided,
    /// An edit of a decided case that changes more than the disbursement's evidence.
    CaseDecided,
    /// A submit signed before the case's last decision or return.
    StaleStatement,
    /// A version of an undecided case carrying a `review` block (the bank writes it).
    OwnedField,
    /// A new case whose id equals one the bank holds, letter case aside.
    CaseExists,
    /// A version of a case awaiting a decision.
    CaseUnderReview,
    /// A (re)submit by someone other than the case's maker.
    NotTheMaker,
    /// A reject or return without the checker's words.
    CommentRequired,
    /// A disbursement order for a case the bank has not approved.
    NotApproved,
    /// A decision or review message: sign-offs go to `/signoffs`.
    UseSignoffs,
    /// The case is not at the bank.
    NotFound,
    /// The directory could not be asked.
    DirectoryUnavailable,
    /// Enrolment: the user name or password is wrong (or the account does not exist).
    AuthFailed,
    /// Enrolment: the directory has disabled the account.
    AccountDisabled,
    /// Enrolment: not an Ed25519 public key of 32 bytes, base64.
    InvalidKey,
    /// The justification header is not base64 of UTF-8.
    InvalidJustification,
    /// A route of the enforcing mode asked of a bank without a directory.
    Standalone,
    /// An approval the engine's decision (in the maker's or the checker's statement) is
    /// not: the engine is not overruled.
    EngineNotApprove,
    /// An approval against the maker's proposal without the checker's reason.
    ExceptionReasonRequired,
    /// An approval against the maker's proposal by someone with no exception limit.
    ExceptionNoAuthority,
    /// An approval against the maker's proposal above the signer's exception limit.
    ExceptionOverLimit,
    /// An approval of a case whose VIN carries another creditor's prohibition.
    VinPledged,
}

impl Rule {
    pub fn code(self) -> &'static str {
        match self {
            Rule::SignatureInvalid => "SIGNATURE_INVALID",
            Rule::KeyUnknown => "KEY_UNKNOWN",
            Rule::KeyRevoked => "KEY_REVOKED",
            Rule::RoleMissing => "ROLE_MISSING",
            Rule::SelfReview => "SELF_REVIEW",
            Rule::EditorReview => "EDITOR_REVIEW",
            Rule::HashMismatch => "HASH_MISMATCH",
            Rule::NotSubmitted => "NOT_SUBMITTED",
            Rule::AlreadyDecided => "ALREADY_DECIDED",
            Rule::CaseDecided => "CASE_DECIDED",
            Rule::StaleStatement => "STALE_STATEMENT",
            Rule::OwnedField => "OWNED_FIELD",
            Rule::CaseExists => "CASE_EXISTS",
            Rule::CaseUnderReview => "CASE_UNDER_REVIEW",
            Rule::NotTheMaker => "NOT_THE_MAKER",
            Rule::CommentRequired => "COMMENT_REQUIRED",
            Rule::NotApproved => "NOT_APPROVED",
            Rule::UseSignoffs => "USE_SIGNOFFS",
            Rule::NotFound => "NOT_FOUND",
            Rule::DirectoryUnavailable => "DIRECTORY_UNAVAILABLE",
            Rule::AuthFailed => "AUTH_FAILED",
            Rule::AccountDisabled => "ACCOUNT_DISABLED",
            Rule::InvalidKey => "INVALID_KEY",
            Rule::InvalidJustification => "INVALID_JUSTIFICATION",
            Rule::Standalone => "STANDALONE",
            Rule::EngineNotApprove => "ENGINE_NOT_APPROVE",
            Rule::ExceptionReasonRequired => "EXCEPTION_REASON_REQUIRED",
            Rule::ExceptionNoAuthority => "EXCEPTION_NO_AUTHORITY",
            Rule::ExceptionOverLimit => "EXCEPTION_OVER_LIMIT",
            Rule::VinPledged => "VIN_PLEDGED",
        }
    }

    /// The HTTP status the rule is answered with (a route may answer another, such as the
    /// 404 of a key asked for and not found).
    pub fn status(self) -> u16 {
        match self {
            Rule::SignatureInvalid
            | Rule::KeyUnknown
            | Rule::KeyRevoked
            | Rule::RoleMissing
            | Rule::SelfReview
            | Rule::EditorReview
            | Rule::NotTheMaker
            | Rule::AuthFailed
            | Rule::AccountDisabled
            | Rule::ExceptionNoAuthority
            | Rule::ExceptionOverLimit => 403,
            Rule::HashMismatch
            | Rule::NotSubmitted
            | Rule::AlreadyDecided
            | Rule::CaseDecided
            | Rule::StaleStatement
            | Rule::OwnedField
            | Rule::CaseExists
            | Rule::CaseUnderReview
            | Rule::NotApproved
            | Rule::UseSignoffs
            | Rule::EngineNotApprove
            | Rule::VinPledged => 409,
            Rule::CommentRequired
            | Rule::InvalidKey
            | Rule::InvalidJustification
            | Rule::ExceptionReasonRequired => 422,
            Rule::NotFound | Rule::Standalone => 404,
            Rule::DirectoryUnavailable => 503,
        }
    }
}

/// A refusal: the rule broken, the status it is answered with, and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub rule: Rule,
    pub status: u16,
    pub message: String,
}

impl Refusal {
    pub fn new(rule: Rule, message: impl Into<String>) -> Refusal {
        Refusal {
            rule,
            status: rule.status(),
            message: message.into(),
        }
    }

    pub fn with_status(mut self, status: u16) -> Refusal {
        self.status = status;
        self
    }

    pub fn code(&self) -> &'static str {
        self.rule.code()
    }
}

/// Where a case stands in review at the bank.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Stage {
    #[default]
    Draft,
    Submitted,
    Returned,
    Approved,
    Rejected,
}

impl Stage {
    pub const ALL: [Stage; 5] = [
        Stage::Draft,
        Stage::Submitted,
        Stage::Returned,
        Stage::Approved,
        Stage::Rejected,
    ];

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
        Stage::ALL.into_iter().find(|x| x.as_str() == s)
    }

    fn decided(self) -> bool {
        matches!(self, Stage::Approved | Stage::Rejected)
    }
}

/// A version the bank holds: its number, content hash, when the bank stored it (its own
/// clock, RFC 3339) and its case file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Held {
    pub version: i64,
    pub hash: String,
    pub stored_at: String,
    /// The case file (Null when the stored text is not JSON).
    pub case: Value,
}

/// A case's review as the bank keeps it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaseReview {
    /// The bank's current version of the case (None: the bank does not hold it).
    pub current: Option<Held>,
    pub stage: Stage,
    pub maker: Option<String>,
    /// Everyone who signed an edit or submit of any version since the first draft; never
    /// cleared.
    pub editors: BTreeSet<String>,
    pub submission: Option<Submission>,
    /// The submitted version as the bank stored it (`submission.version`): its time and
    /// its case file, the terms a decision closes.
    pub submitted: Option<Held>,
    /// The last accepted sign-off (a return included).
    pub decided: Option<Decided>,
}

/// Whether the signer's statement verifies against an enrolled key of theirs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyVerdict {
    /// The signer has no key at the bank at all.
    Unknown,
    /// It verifies against the signer's current key.
    Current,
    /// It verifies against a key revoked at that time (and not against the current one).
    Revoked { revoked_at: String },
    /// It verifies against none of the signer's keys.
    Mismatch,
}

/// Which of a person's keys (newest first, as the bank keeps them) a signature verifies
/// against: the current key first, then the revoked ones, newest first.
pub fn key_verdict(keys: &[StaffKey], verifies: impl Fn(&StaffKey) -> bool) -> KeyVerdict {
    if keys.is_empty() {
        return KeyVerdict::Unknown;
    }
    if keys.iter().any(|k| k.revoked_at.is_none() && verifies(k)) {
        return KeyVerdict::Current;
    }
    keys.iter()
        .filter_map(|k| k.revoked_at.as_ref().map(|at| (k, at)))
        .find(|(k, _)| verifies(k))
        .map_or(KeyVerdict::Mismatch, |(_, at)| KeyVerdict::Revoked {
            revoked_at: at.clone(),
        })
}

/// What the directory says of a signer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PersonVerdict {
    Found {
        roles: DirectoryRoles,
        branches: Vec<String>,
    },
    Disabled,
    Absent,
    /// The directory could not be asked (or answered nonsense): the reason.
    Unreachable(String),
}

impl PersonVerdict {
    /// A lookup's error as a verdict.
    pub fn of_error(e: &DirectoryError) -> PersonVerdict {
        match e {
            DirectoryError::AccountDisabled(_) => PersonVerdict::Disabled,
            DirectoryError::AccountNotFound(_) => PersonVerdict::Absent,
            other => PersonVerdict::Unreachable(other.to_string()),
        }
    }
}

/// The facts about the signer the handler gathers before judging.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignerFacts {
    pub key: KeyVerdict,
    pub person: PersonVerdict,
}

/// What came with a statement, by route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Carrying<'a> {
    /// `PUT /v1/cases/{id}`: a case version whose content hashes to `content_hash`, its
    /// case file, and the maker's proposal (`UW-Proposal`) that a submit carries.
    Version {
        content_hash: &'a str,
        case: &'a Value,
        proposal: Option<&'a str>,
    },
    /// `POST /v1/cases/{id}/signoffs`, with the checker's words and the creditor of
    /// another's prohibition the Pledge Registry holds on the submitted VIN, if any.
    SignOff {
        comment: Option<&'a str>,
        foreign_pledge: Option<&'a str>,
    },
    /// A disbursement order of this stage (`body.stage`) and amount (`body.amount`).
    Order {
        stage: Option<u64>,
        amount: Option<&'a Value>,
    },
}

/// A statement's delivery: the case of the path, when the bank received it, what with,
/// and when the bank accepted this very signed statement before (None: never).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Delivery<'a> {
    pub case_id: &'a str,
    pub received_at: DateTime<Utc>,
    pub carrying: Carrying<'a>,
    pub accepted_before: Option<&'a str>,
}

/// What the bank does with an accepted statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// Store the version; the signer joins the editors; the stage stays.
    Edit,
    /// Store the version; the signer joins the editors and is the maker; the stage is
    /// submitted, awaiting a decision on the stored version.
    Submit,
    /// An approval or rejection: the bank writes the review block into a new version of
    /// its copy of the case; the stage is approved / rejected.
    Decide,
    /// The case goes back to its maker; no new version.
    Return,
    /// A disbursement order, to be checked against the registry and kept.
    Order,
}

fn time(t: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(t)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn who_decided(case_id: &str, decided: Option<&Decided>) -> String {
    match decided {
        Some(d) => format!(
            "case {case_id} is decided: {} signed {} at {}",
            d.signer,
            d.action.as_str(),
            d.signed_at
        ),
        None => format!("case {case_id} is decided"),
    }
}

/// Judges a statement about a case: what the bank does with it, or the first rule it
/// breaks (form, a statement accepted before, key, role, the case, its stage, self
/// review, editor review, the hash, the comment).
pub fn judge(
    state: &CaseReview,
    statement: &Statement,
    delivery: &Delivery,
    facts: &SignerFacts,
) -> Result<Next, Refusal> {
    check_form(statement, delivery)?;
    check_once(delivery)?;
    let acted_on = match delivery.carrying {
        Carrying::SignOff { .. } => state.submitted.as_ref(),
        Carrying::Version { .. } | Carrying::Order { .. } => state.current.as_ref(),
    };
    check_key(statement, &facts.key, acted_on, delivery.received_at)?;
    check_role(
        &statement.signer,
        needed_role(statement.action),
        &facts.person,
    )?;
    match delivery.carrying {
        Carrying::Version {
            content_hash,
            case,
            proposal,
        } => version_rules(state, statement, content_hash, case, proposal),
        Carrying::SignOff {
            comment,
            foreign_pledge,
        } => signoff_rules(state, statement, comment, foreign_pledge, &facts.person),
        Carrying::Order { stage, amount } => order_rules(state, statement, stage, amount),
    }
}

/// A signed statement counts once: the bank refuses one it accepted before (a replay),
/// whatever it would now be about. An idempotent retry (the same Idempotency-Key, the
/// same request) never gets here: it is answered with its first answer.
fn check_once(d: &Delivery) -> Result<(), Refusal> {
    match d.accepted_before {
        Some(at) => Err(Refusal::new(
            Rule::SignatureInvalid,
            format!("this signed statement was accepted before (at {at}); a statement counts once"),
        )),
        None => Ok(()),
    }
}

fn check_form(s: &Statement, d: &Delivery) -> Result<(), Refusal> {
    let bad = |m: String| Refusal::new(Rule::SignatureInvalid, m);
    s.check_form().map_err(|why| {
        bad(format!(
            "the statement is not in the form of dual-review.md: {why}"
        ))
    })?;
    if s.case_id != d.case_id {
        return Err(bad(format!(
            "case_id: the statement is about {}, not {}",
            s.case_id, d.case_id
        )));
    }
    let fits = match d.carrying {
        Carrying::Version { .. } => s.action.shapes_the_case(),
        Carrying::SignOff { .. } => s.action.is_signoff(),
        Carrying::Order { stage: Some(1), .. } => s.action == StatementAction::OrderStage1,
        Carrying::Order { stage: Some(2), .. } => s.action == StatementAction::OrderStage2,
        Carrying::Order { .. } => false,
    };
    if !fits {
        let wanted = match d.carrying {
            Carrying::Version { .. } => "a case version carries an edit or submit statement",
            Carrying::SignOff { .. } => "a sign-off is an approve, reject or return statement",
            Carrying::Order { .. } => {
                "a disbursement order of stage N (body.stage 1 or 2) carries an order_stage_N statement"
            }
        };
        return Err(bad(format!("action: {wanted}, not {}", s.action.as_str())));
    }
    // check_form made sure the time parses.
    if let Some(at) = time(&s.signed_at) {
        if (at - d.received_at).num_seconds() > CLOCK_SKEW_SECS {
            return Err(bad(format!(
                "signed_at: {} is more than 5 minutes ahead of the bank's clock",
                s.signed_at
            )));
        }
    }
    Ok(())
}

fn check_key(
    s: &Statement,
    key: &KeyVerdict,
    acted_on: Option<&Held>,
    received_at: DateTime<Utc>,
) -> Result<(), Refusal> {
    match key {
        KeyVerdict::Current => Ok(()),
        KeyVerdict::Unknown => Err(Refusal::new(
            Rule::KeyUnknown,
            format!("{} has no signing key enrolled at the bank", s.signer),
        )),
        KeyVerdict::Mismatch => Err(Refusal::new(
            Rule::SignatureInvalid,
            format!(
                "the signature does not verify against any key {} enrolled",
                s.signer
            ),
        )),
        KeyVerdict::Revoked { revoked_at } => check_revoked(s, revoked_at, acted_on, received_at),
    }
}

/// A statement under a revoked key. The spec keeps "statements signed before the
/// revocation" valid, but `signed_at` is the signer's own word: whoever holds the old key
/// can date a statement before the revocation. Without a trusted time for the signing
/// (a timestamping authority the spec does not have) the bank cannot check that claim;
/// it bounds it with what its own clock knows. Such a statement is accepted only when
/// (a) it is dated before the revocation;
/// (b) it is not dated before the bank stored the version it acts on (a sign-off: the
///     submitted version; an edit or submit: the current version it is made from; an
///     order: the current version) — no one signed about a version that did not exist
///     yet, and without such a version (a new case) nothing bounds the date: refused;
/// (c) it reaches the bank within [`REVOKED_KEY_DELIVERY_HOURS`] of the revocation (the
///     offline-login time: an offline statement does not wait in an outbox longer).
///
/// What remains: someone who has the person's old key can, within 72 hours of the
/// revocation, sign a statement about a version the bank stored before the revocation
/// and date it in between. That cannot be told from the person's own offline work
/// without a trusted time; the two-person rule still holds for it (it is judged as the
/// person's own statement, by every other rule).
fn check_revoked(
    s: &Statement,
    revoked_at: &str,
    acted_on: Option<&Held>,
    received_at: DateTime<Utc>,
) -> Result<(), Refusal> {
    let revoked = |why: String| {
        Err(Refusal::new(
            Rule::KeyRevoked,
            format!(
                "{}'s key that signed this was revoked at {revoked_at}; {why}",
                s.signer
            ),
        ))
    };
    let (Some(signed), Some(revocation)) = (time(&s.signed_at), time(revoked_at)) else {
        return revoked(format!("the statement is signed at {}", s.signed_at));
    };
    if signed >= revocation {
        return revoked(format!("the statement is signed at {}", s.signed_at));
    }
    let Some(held) = acted_on else {
        let which = if s.action.is_signoff() {
            "submitted version"
        } else {
            "version"
        };
        return revoked(format!(
            "the bank holds no {which} of case {} that a statement dated {} before the revocation could be about",
            s.case_id, s.signed_at
        ));
    };
    match time(&held.stored_at) {
        Some(stored) if signed >= stored => {}
        _ => {
            return revoked(format!(
                "the statement is dated {}, before the bank stored version {} of case {} (at {}) that it acts on",
                s.signed_at, held.version, s.case_id, held.stored_at
            ))
        }
    }
    if received_at - revocation > chrono::Duration::hours(REVOKED_KEY_DELIVERY_HOURS) {
        return revoked(format!(
            "it reached the bank more than {REVOKED_KEY_DELIVERY_HOURS} hours after the revocation (the offline-login time), at {}",
            received_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
        ));
    }
    Ok(())
}

/// The role a statement's action needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Underwriter,
    Reviewer,
}

impl Role {
    fn as_str(self) -> &'static str {
        match self {
            Role::Underwriter => "underwriter",
            Role::Reviewer => "reviewer",
        }
    }
}

pub fn needed_role(action: StatementAction) -> Role {
    if action.is_signoff() {
        Role::Reviewer
    } else {
        Role::Underwriter
    }
}

/// The directory's word on a person against the role they act in.
pub fn check_role(staff_id: &str, role: Role, person: &PersonVerdict) -> Result<(), Refusal> {
    let missing = |m: String| Refusal::new(Rule::RoleMissing, m);
    match person {
        PersonVerdict::Found { roles, .. } => {
            let holds = match role {
                Role::Underwriter => roles.underwriter,
                Role::Reviewer => roles.reviewer,
            };
            if holds {
                Ok(())
            } else {
                Err(missing(format!(
                    "{staff_id} does not hold the {} role in the directory",
                    role.as_str()
                )))
            }
        }
        PersonVerdict::Disabled => Err(missing(format!(
            "{staff_id}: the directory has disabled this account, which holds no role"
        ))),
        PersonVerdict::Absent => Err(missing(format!(
            "{staff_id}: the directory has no such account, which holds no role"
        ))),
        PersonVerdict::Unreachable(why) => Err(Refusal::new(
            Rule::DirectoryUnavailable,
            format!("the directory cannot be asked about {staff_id}: {why}"),
        )),
    }
}

fn version_rules(
    state: &CaseReview,
    s: &Statement,
    content_hash: &str,
    case: &Value,
    proposal: Option<&str>,
) -> Result<Next, Refusal> {
    if s.content_hash != content_hash {
        return Err(Refusal::new(
            Rule::HashMismatch,
            format!(
                "content_hash: the statement names {}, the version sent hashes to {content_hash}",
                s.content_hash
            ),
        ));
    }
    if state.stage == Stage::Submitted {
        let version = state
            .submission
            .as_ref()
            .map_or(String::new(), |x| format!(" on version {}", x.version));
        return Err(Refusal::new(
            Rule::CaseUnderReview,
            format!(
                "case {} awaits a decision{version}: it is returned to the maker first",
                s.case_id
            ),
        ));
    }
    // The review block is written by the bank when it accepts a sign-off; an undecided
    // case carries none, whatever a desk typed.
    if !state.stage.decided() && case.get("review").is_some_and(|r| !r.is_null()) {
        return Err(Refusal::new(
            Rule::OwnedField,
            format!(
                "review: case {} is {}; the review block is the bank's, written when it accepts a sign-off",
                s.case_id,
                state.stage.as_str()
            ),
        ));
    }
    // The branch decides who works the case and who reviews it (assignments, the inbox):
    // the bank's, never moved by a version (a decided case's terms are checked whole
    // below).
    if let Some(held) = state.current.as_ref().filter(|_| !state.stage.decided()) {
        let (was, now) = (held.case.get("branch"), case.get("branch"));
        if was.is_some() && was != now {
            return Err(Refusal::new(
                Rule::OwnedField,
                format!(
                    "branch: case {} is of branch {}; a version does not move it",
                    s.case_id,
                    was.map(Value::to_string).unwrap_or_default()
                ),
            ));
        }
    }
    if s.action == StatementAction::Edit {
        if state.stage.decided() {
            check_terms(state, s, case)?;
        }
        return Ok(Next::Edit);
    }
    if state.stage.decided() {
        return Err(Refusal::new(
            Rule::AlreadyDecided,
            format!(
                "{}; it is not submitted again",
                who_decided(&s.case_id, state.decided.as_ref())
            ),
        ));
    }
    if let Some(maker) = state.maker.as_deref().filter(|m| *m != s.signer) {
        return Err(Refusal::new(
            Rule::NotTheMaker,
            format!(
                "case {} was submitted by {maker}; only {maker} submits it again",
                s.case_id
            ),
        ));
    }
    // A submit made before the last return (signed, kept, sent later) does not undo it.
    if let Some(d) = &state.decided {
        let stale = match (time(&s.signed_at), time(&d.accepted_at)) {
            (Some(signed), Some(accepted)) => signed < accepted,
            _ => true,
        };
        if stale {
            return Err(Refusal::new(
                Rule::StaleStatement,
                format!(
                    "this submit of case {} is signed at {}: signed before the case was {} at {} ({} signed {}); sign the submit again",
                    s.case_id,
                    s.signed_at,
                    past_tense(d.action),
                    d.accepted_at,
                    d.signer,
                    d.action.as_str()
                ),
            ));
        }
    }
    if proposal.is_none() {
        return Err(Refusal::new(
            Rule::InvalidJustification,
            "UW-Proposal: a submit names the maker's proposed decision, approve or reject",
        ));
    }
    Ok(Next::Submit)
}

fn past_tense(action: StatementAction) -> &'static str {
    match action {
        StatementAction::Approve => "approved",
        StatementAction::Reject => "rejected",
        StatementAction::Return => "returned",
        _ => "decided",
    }
}

/// A case file without the parts that may change after the decision ([`EVIDENCE_KEYS`],
/// the [`EVIDENCE_DOCUMENT`] entries of `documents`): its terms. None when it is not a
/// JSON object.
pub fn terms(case: &Value) -> Option<Map<String, Value>> {
    let mut map = case.as_object()?.clone();
    for key in EVIDENCE_KEYS {
        map.shift_remove(key);
    }
    if let Some(Value::Array(documents)) = map.get_mut("documents") {
        documents.retain(|d| d.get("kind").and_then(Value::as_str) != Some(EVIDENCE_DOCUMENT));
    }
    Some(map)
}

/// The first top-level key (the earlier file's order, then the later one's new keys) whose
/// value differs between two sets of terms; an absent key reads as null.
pub fn first_difference(before: &Map<String, Value>, after: &Map<String, Value>) -> Option<String> {
    let null = Value::Null;
    before
        .keys()
        .chain(after.keys().filter(|k| !before.contains_key(*k)))
        .find(|k| before.get(*k).unwrap_or(&null) != after.get(*k).unwrap_or(&null))
        .cloned()
}

/// After the decision only the disbursement's evidence changes: the new version's terms
/// are the submitted (decided) version's.
fn check_terms(state: &CaseReview, s: &Statement, case: &Value) -> Result<(), Refusal> {
    let closed = |why: String| {
        Err(Refusal::new(
            Rule::CaseDecided,
            format!(
                "case {} is {}: its terms are closed; only the disbursement's evidence changes ({why})",
                s.case_id,
                state.stage.as_str()
            ),
        ))
    };
    let Some(before) = state.submitted.as_ref().and_then(|h| terms(&h.case)) else {
        return closed("the decided version cannot be read to compare".into());
    };
    let Some(after) = terms(case) else {
        return closed("the version sent is not a JSON object".into());
    };
    if let Some(key) = first_difference(&before, &after) {
        return closed(format!("field {key} differs"));
    }
    // The review block is the bank's own word on the decision: a desk carries it along as
    // the bank wrote it and never writes another (one it has not pulled yet reads null).
    let held = state.current.as_ref().and_then(|h| h.case.get("review"));
    let sent = case.get("review").filter(|r| !r.is_null());
    if let (Some(held), Some(sent)) = (held.filter(|r| !r.is_null()), sent) {
        if held != sent {
            return closed("field review is the bank's record of the decision".into());
        }
    }
    Ok(())
}

fn signoff_rules(
    state: &CaseReview,
    s: &Statement,
    comment: Option<&str>,
    foreign_pledge: Option<&str>,
    person: &PersonVerdict,
) -> Result<Next, Refusal> {
    if state.current.is_none() {
        return Err(Refusal::new(
            Rule::NotFound,
            format!("no case {} at the bank", s.case_id),
        ));
    }
    if state.stage.decided() {
        return Err(Refusal::new(
            Rule::AlreadyDecided,
            who_decided(&s.case_id, state.decided.as_ref()),
        ));
    }
    let submission = match (state.stage, &state.submission, &state.decided) {
        (Stage::Submitted, Some(sub), _) => sub,
        // The submission this names was returned: a second sign-off of it.
        (Stage::Returned, Some(sub), Some(d))
            if s.version == sub.version && s.content_hash == sub.hash =>
        {
            return Err(Refusal::new(
                Rule::AlreadyDecided,
                format!(
                    "version {} of case {} was returned: {} signed {} at {}; it awaits its maker",
                    sub.version,
                    s.case_id,
                    d.signer,
                    d.action.as_str(),
                    d.signed_at
                ),
            ));
        }
        (stage, _, _) => {
            let by = match (stage, &state.decided) {
                (Stage::Returned, Some(d)) => {
                    format!(" ({} returned it at {})", d.signer, d.signed_at)
                }
                _ => String::new(),
            };
            return Err(Refusal::new(
                Rule::NotSubmitted,
                format!(
                    "case {} is not awaiting a decision: it is {}{by}",
                    s.case_id,
                    stage.as_str()
                ),
            ));
        }
    };
    if state.maker.as_deref() == Some(s.signer.as_str()) {
        return Err(Refusal::new(
            Rule::SelfReview,
            format!(
                "{} submitted case {}: the maker never signs it off",
                s.signer, s.case_id
            ),
        ));
    }
    if state.editors.contains(&s.signer) {
        return Err(Refusal::new(
            Rule::EditorReview,
            format!(
                "{} signed an edit or submit of case {}: no one who shaped a case signs it off",
                s.signer, s.case_id
            ),
        ));
    }
    if s.version != submission.version || s.content_hash != submission.hash {
        return Err(Refusal::new(
            Rule::HashMismatch,
            format!(
                "the submitted version of case {} is {} (hash {}); the statement names version {} (hash {})",
                s.case_id, submission.version, submission.hash, s.version, s.content_hash
            ),
        ));
    }
    if s.action == StatementAction::Approve {
        coherence::check_approval(state, s, comment, person)?;
        if let Some(creditor) = foreign_pledge {
            return Err(Refusal::new(
                Rule::VinPledged,
                format!(
                    "case {}: the Pledge Registry holds {creditor}'s prohibition on the VIN: the car cannot be pledged to the bank (P-VEH-LIEN)",
                    s.case_id
                ),
            ));
        }
    }
    if matches!(s.action, StatementAction::Reject | StatementAction::Return)
        && comment.is_none_or(|c| c.trim().is_empty())
    {
        return Err(Refusal::new(
            Rule::CommentRequired,
            format!("comment: a {} says why", s.action.as_str()),
        ));
    }
    Ok(if s.action == StatementAction::Return {
        Next::Return
    } else {
        Next::Decide
    })
}

fn order_rules(
    state: &CaseReview,
    s: &Statement,
    stage: Option<u64>,
    amount: Option<&Value>,
) -> Result<Next, Refusal> {
    let Some(current) = &state.current else {
        return Err(Refusal::new(
            Rule::NotFound,
            format!("no case {} at the bank", s.case_id),
        ));
    };
    if state.stage != Stage::Approved {
        return Err(Refusal::new(
            Rule::NotApproved,
            format!(
                "case {} is not approved at the bank (it is {}): no disbursement order",
                s.case_id,
                state.stage.as_str()
            ),
        ));
    }
    if s.content_hash != current.hash {
        return Err(Refusal::new(
            Rule::HashMismatch,
            format!(
                "the bank's current version {} of case {} hashes to {}; the statement names {}",
                current.version, s.case_id, current.hash, s.content_hash
            ),
        ));
    }
    // The order is the one the signed version records: its stage and amount.
    let stage = stage.unwrap_or_default();
    let recorded = current
        .case
        .pointer("/disbursement/orders")
        .and_then(Value::as_array)
        .and_then(|orders| {
            orders
                .iter()
                .find(|o| o.get("stage").and_then(Value::as_u64) == Some(stage))
        });
    let Some(recorded) = recorded else {
        return Err(Refusal::new(
            Rule::HashMismatch,
            format!(
                "body.stage {stage}: the signed version {} of case {} records no order of stage {stage}",
                current.version, s.case_id
            ),
        ));
    };
    let sent = amount.map_or_else(|| "(missing)".to_string(), amount_text);
    let kept = recorded
        .get("amount")
        .map_or_else(|| "(none)".to_string(), amount_text);
    if !same_amount(&sent, &kept) {
        return Err(Refusal::new(
            Rule::HashMismatch,
            format!("body.amount {sent} is not the order the signed version records: {kept}"),
        ));
    }
    Ok(Next::Order)
}

/// An amount as its text: decimal text as it is, a number as written.
fn amount_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Two amounts are the same when they are the same decimal (`75000000` and
/// `75000000.00`), or the same text when either is not a decimal.
fn same_amount(a: &str, b: &str) -> bool {
    match (a.trim().parse::<Decimal>(), b.trim().parse::<Decimal>()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// A new case (`If-None-Match: *`, or the seeding): its id may not equal one the bank
/// holds ignoring letter case, since the workstation's store compares case ids without
/// regard to case (`existing`: such an id the bank holds, other than this one exactly).
pub fn check_new_case_id(case_id: &str, existing: Option<&str>) -> Result<(), Refusal> {
    match existing {
        Some(held) if held != case_id => Err(Refusal::new(
            Rule::CaseExists,
            format!(
                "case {case_id}: the bank holds case {held}, the same id but for letter case; case ids are compared without regard to case"
            ),
        )),
        _ => Ok(()),
    }
}

impl CaseReview {
    /// The review after an accepted statement. `stored` is the version the bank stored for
    /// it (edit, submit, approve, reject); `words` the justification of a submit or the
    /// comment of a sign-off.
    pub fn accept(
        &mut self,
        signed: &SignedStatement,
        next: Next,
        stored: Option<Held>,
        accepted_at: &str,
        words: Option<String>,
    ) {
        let s = &signed.statement;
        let decided = |words: Option<String>| Decided {
            action: s.action,
            signer: s.signer.clone(),
            signed_at: s.signed_at.clone(),
            accepted_at: accepted_at.to_string(),
            comment: words,
            signature: Some(signed.signature.clone()),
        };
        match next {
            Next::Edit => {
                self.editors.insert(s.signer.clone());
            }
            Next::Submit => {
                self.editors.insert(s.signer.clone());
                self.stage = Stage::Submitted;
                self.maker = Some(s.signer.clone());
                self.submitted.clone_from(&stored);
                if let Some(held) = &stored {
                    self.submission = Some(Submission {
                        version: held.version,
                        hash: held.hash.clone(),
                        statement: signed.clone(),
                        justification: words.unwrap_or_default(),
                        proposal: None,
                    });
                }
            }
            Next::Decide => {
                self.stage = if s.action == StatementAction::Reject {
                    Stage::Rejected
                } else {
                    Stage::Approved
                };
                self.decided = Some(decided(words));
            }
            Next::Return => {
                self.stage = Stage::Returned;
                self.decided = Some(decided(words));
            }
            Next::Order => {}
        }
        if stored.is_some() {
            self.current = stored;
        }
    }

    /// The review as the wire carries it.
    pub fn to_remote(&self) -> RemoteWorkflow {
        RemoteWorkflow {
            stage: self.stage.as_str().to_string(),
            maker: self.maker.clone(),
            editors: self.editors.iter().cloned().collect(),
            submission: self.submission.clone(),
            decided: self.decided.clone(),
        }
    }

    /// Whether the case waits in this reviewer's inbox: submitted, of one of their
    /// branches, neither made nor edited by them.
    pub fn in_inbox_of(&self, branch: &str, reader: &str, branches: &[String]) -> bool {
        self.stage == Stage::Submitted
            && branches.iter().any(|b| b == branch)
            && self.maker.as_deref() != Some(reader)
            && !self.editors.contains(reader)
    }
}

/// The `review` block the bank writes into its copy of a case it decided, keys in this
/// order.
pub fn review_block(state: &CaseReview, s: &Statement) -> Value {
    let mut block = serde_json::Map::new();
    let decision = if s.action == StatementAction::Reject {
        "reject"
    } else {
        "approve"
    };
    block.insert("decision".into(), decision.into());
    block.insert(
        "maker".into(),
        state.maker.clone().map_or(Value::Null, Value::String),
    );
    block.insert("checker".into(), s.signer.clone().into());
    block.insert("signed_at".into(), s.signed_at.clone().into());
    block.insert(
        "case_version".into(),
        state
            .submission
            .as_ref()
            .map_or(Value::Null, |x| x.version.into()),
    );
    Value::Object(block)
}

/// The case file with its `review` replaced (in place: the key keeps its position) or
/// added at the end; compact JSON. None when the text is not a JSON object.
pub fn with_review(case_json: &str, block: Value) -> Option<String> {
    let mut value: Value = serde_json::from_str(case_json).ok()?;
    value.as_object_mut()?.insert("review".into(), block);
    serde_json::to_string(&value).ok()
}

/// A signed read request (the inbox): dated within 5 minutes of the bank's clock and
/// signed with the person's current key.
pub fn check_reader(
    staff_id: &str,
    at: &str,
    received_at: DateTime<Utc>,
    key: &KeyVerdict,
) -> Result<(), Refusal> {
    let bad = |m: String| Refusal::new(Rule::SignatureInvalid, m);
    let Some(t) = time(at) else {
        return Err(bad(format!("UW-Staff-At: {at:?} is not an RFC 3339 time")));
    };
    if (t - received_at).num_seconds().abs() > CLOCK_SKEW_SECS {
        return Err(bad(format!(
            "UW-Staff-At: {at} is more than 5 minutes from the bank's clock"
        )));
    }
    match key {
        KeyVerdict::Current => Ok(()),
        KeyVerdict::Unknown => Err(Refusal::new(
            Rule::KeyUnknown,
            format!("{staff_id} has no signing key enrolled at the bank"),
        )),
        KeyVerdict::Revoked { revoked_at } => Err(Refusal::new(
            Rule::KeyRevoked,
            format!("{staff_id}'s key that signed this request was revoked at {revoked_at}"),
        )),
        KeyVerdict::Mismatch => Err(bad(format!(
            "UW-Staff-Signature: does not verify against {staff_id}'s current key"
        ))),
    }
}

/// An enrolment's public key: `ed25519` and 32 bytes of base64 that are a public key.
pub fn check_enrolment_key(algorithm: &str, public_key: &str) -> Result<[u8; 32], Refusal> {
    let bad = |m: String| Refusal::new(Rule::InvalidKey, m);
    if algorithm != uw_bank_link::signing::ED25519 {
        return Err(bad(format!(
            "algorithm: {algorithm:?}; the bank enrols ed25519 keys"
        )));
    }
    let bytes = uw_bank_link::signing::from_base64(public_key)
        .ok_or_else(|| bad("public_key: not base64 (standard alphabet)".into()))?;
    let key: [u8; 32] = bytes.as_slice().try_into().map_err(|_| {
        bad(format!(
            "public_key: {} bytes; an Ed25519 public key is 32",
            bytes.len()
        ))
    })?;
    ed25519_dalek::VerifyingKey::from_bytes(&key)
        .map_err(|_| bad("public_key: not an Ed25519 public key".into()))?;
    Ok(key)
}

/// The refusal of an enrolment whose password the directory did not accept. An unknown
/// account reads as a wrong password (the bank does not reveal who exists).
pub fn authentication_refusal(staff_id: &str, e: &DirectoryError) -> Refusal {
    match e {
        DirectoryError::WrongCredentials | DirectoryError::AccountNotFound(_) => Refusal::new(
            Rule::AuthFailed,
            format!("{staff_id}: the user name or the password is wrong"),
        ),
        DirectoryError::AccountDisabled(_) => Refusal::new(
            Rule::AccountDisabled,
            format!("{staff_id}: the directory has disabled this account"),
        ),
        other => Refusal::new(
            Rule::DirectoryUnavailable,
            format!("the directory cannot check the password of {staff_id}: {other}"),
        ),
    }
}

#[cfg(test)]
mod tests;

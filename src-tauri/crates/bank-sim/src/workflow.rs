//! The bank's acceptance rules for signed statements (`shared/spec/dual-review.md`), as
//! pure functions of plain values: no SQLite, no HTTP, no clock, no directory.
//!
//! Invariants:
//! - [`judge`] is the only place that decides whether a statement about a case is
//!   accepted. The HTTP handlers gather the facts — the case's review as the bank keeps it
//!   ([`CaseReview`]), the signer's key verdict and the directory's word on the signer
//!   ([`SignerFacts`]), what came with the statement ([`Delivery`]) — and apply its verdict;
//! - the checks run in one fixed order: form, key, role, the case, its stage, self review,
//!   editor review, the hash, the comment. So each refusal names the first rule broken, and
//!   a role gives no waiver: an administrator is held to the same rules as anyone;
//! - [`CaseReview::accept`] is the only transition of a case's review at the bank;
//! - the caller reads the review, judges and writes the result in one SQLite transaction,
//!   so the stage check and the update of a sign-off are one: the first valid sign-off
//!   wins and any later one is `ALREADY_DECIDED`, naming it;
//! - every refusal is a [`Rule`] with its code and HTTP status, and a message that names
//!   what is wrong.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde_json::Value;
use uw_bank_link::api::{
    Decided, RemoteWorkflow, SignedStatement, StaffKey, Statement, StatementAction, Submission,
};
use uw_directory::{DirectoryError, DirectoryRoles};

/// How far ahead of the bank's clock a statement (or a signed read request) may be dated.
pub const CLOCK_SKEW_SECS: i64 = 5 * 60;

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
            | Rule::AccountDisabled => 403,
            Rule::HashMismatch
            | Rule::NotSubmitted
            | Rule::AlreadyDecided
            | Rule::CaseUnderReview
            | Rule::NotApproved
            | Rule::UseSignoffs => 409,
            Rule::CommentRequired | Rule::InvalidKey | Rule::InvalidJustification => 422,
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

/// A version the bank holds: its number and content hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Held {
    pub version: i64,
    pub hash: String,
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
    /// `PUT /v1/cases/{id}`: a case version whose content hashes to this.
    Version { content_hash: &'a str },
    /// `POST /v1/cases/{id}/signoffs`, with the checker's words.
    SignOff { comment: Option<&'a str> },
    /// A disbursement order of this stage (`body.stage`).
    Order { stage: Option<u64> },
}

/// A statement's delivery: the case of the path, when the bank received it, what with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Delivery<'a> {
    pub case_id: &'a str,
    pub received_at: DateTime<Utc>,
    pub carrying: Carrying<'a>,
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
/// breaks (form, key, role, the case, its stage, self review, editor review, the hash,
/// the comment).
pub fn judge(
    state: &CaseReview,
    statement: &Statement,
    delivery: &Delivery,
    facts: &SignerFacts,
) -> Result<Next, Refusal> {
    check_form(statement, delivery)?;
    check_key(statement, &facts.key)?;
    check_role(
        &statement.signer,
        needed_role(statement.action),
        &facts.person,
    )?;
    match delivery.carrying {
        Carrying::Version { content_hash } => version_rules(state, statement, content_hash),
        Carrying::SignOff { comment } => signoff_rules(state, statement, comment),
        Carrying::Order { .. } => order_rules(state, statement),
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
        Carrying::Order { stage: Some(1) } => s.action == StatementAction::OrderStage1,
        Carrying::Order { stage: Some(2) } => s.action == StatementAction::OrderStage2,
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

fn check_key(s: &Statement, key: &KeyVerdict) -> Result<(), Refusal> {
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
        KeyVerdict::Revoked { revoked_at } => match (time(&s.signed_at), time(revoked_at)) {
            (Some(signed), Some(revoked)) if signed < revoked => Ok(()),
            _ => Err(Refusal::new(
                Rule::KeyRevoked,
                format!(
                    "{}'s key that signed this was revoked at {revoked_at}; the statement is signed at {}",
                    s.signer, s.signed_at
                ),
            )),
        },
    }
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

fn version_rules(state: &CaseReview, s: &Statement, content_hash: &str) -> Result<Next, Refusal> {
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
    if s.action == StatementAction::Edit {
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
    Ok(Next::Submit)
}

fn signoff_rules(
    state: &CaseReview,
    s: &Statement,
    comment: Option<&str>,
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
    let submission = match (state.stage, &state.submission) {
        (Stage::Submitted, Some(sub)) => sub,
        (stage, _) => {
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

fn order_rules(state: &CaseReview, s: &Statement) -> Result<Next, Refusal> {
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
    Ok(Next::Order)
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
        };
        match next {
            Next::Edit => {
                self.editors.insert(s.signer.clone());
            }
            Next::Submit => {
                self.editors.insert(s.signer.clone());
                self.stage = Stage::Submitted;
                self.maker = Some(s.signer.clone());
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

//! The bank's API as the workstation sees it (`src-tauri/crates/bank-sim/openapi.yaml`).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

/// The header that makes a change safe to repeat: the bank answers a key it has seen
/// with the first answer it gave, and applies nothing twice.
pub const IDEMPOTENCY_KEY: &str = "Idempotency-Key";

/// The content hash of a JSON document: SHA-256 (hex) of its compact serialisation with
/// the keys in their written order. Two texts of the same document (pretty or compact)
/// hash alike, so the workstation and the bank compare content, not formatting. `None`
/// when the text is not JSON.
pub fn content_hash(json: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(json).ok()?;
    let compact = serde_json::to_string(&value).ok()?;
    Some(hex(&Sha256::digest(compact.as_bytes())))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The entity tag of a case version (`"7"`), as `ETag` gives it and `If-Match` takes it.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// The version an `ETag` / `If-Match` value names (quoted or bare, weak or strong).
pub fn parse_etag(value: &str) -> Option<i64> {
    let v = value.trim();
    let v = v.strip_prefix("W/").unwrap_or(v);
    v.trim_matches('"').parse().ok()
}

/// What the bank answers to an accepted case version.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaseAck {
    pub case_id: String,
    pub version: i64,
    pub hash: String,
}

/// A case as the bank holds it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RemoteCase {
    pub case_id: String,
    pub version: i64,
    pub hash: String,
    pub branch: String,
    pub assignee: Option<String>,
    /// The case file (`assets/spec/case-file.md`).
    pub case: serde_json::Value,
    /// Where the case stands in review, as the bank decided it (absent from a bank that
    /// keeps no workflow: one without a directory, in the standalone mode).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow: Option<RemoteWorkflow>,
    /// The case's notes as the bank keeps them, oldest first (absent: none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<RemoteNote>,
    /// The approval's conditions beyond §6 as the bank keeps them, in the order raised.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<RemoteCondition>,
}

/// A note on a case (`POST /v1/cases/{id}/notes`): who wrote what when. Never edited or
/// deleted; `note_id` is made where the note was written and names it everywhere, so a
/// note sent twice is kept once. With a directory the author signs it with their key
/// ([`note_bytes`]); the bank refuses an unsigned or foreign one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseNote {
    pub note_id: String,
    pub author: String,
    pub written_at: String,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub algorithm: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

/// A note as the bank serves it: the note and when the bank accepted it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteNote {
    pub note_id: String,
    pub author: String,
    pub written_at: String,
    pub text: String,
    pub accepted_at: String,
}

/// The longest note the bank keeps, in characters.
pub const NOTE_MAX_CHARS: usize = 4000;

/// The bytes an author signs for a note: the case, the note's id, its time and the
/// SHA-256 of its text, in a signed request's form (`crate::signing::request_bytes`).
pub fn note_bytes(case_id: &str, note: &CaseNote) -> Vec<u8> {
    let text = hex(&Sha256::digest(note.text.as_bytes()));
    crate::signing::request_bytes(
        &format!("note {case_id} {} {text}", note.note_id),
        &note.author,
        &note.written_at,
    )
}

/// What is done to a condition of the approval (`POST /v1/cases/{id}/conditions`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConditionAction {
    Raise,
    Meet,
    Waive,
}

impl ConditionAction {
    pub fn as_str(self) -> &'static str {
        match self {
            ConditionAction::Raise => "raise",
            ConditionAction::Meet => "meet",
            ConditionAction::Waive => "waive",
        }
    }
}

/// One act on a condition of the approval: raising it (`text`, `owner`, `due`, `stage`),
/// or closing it — met with the evidence, waived with the reason (`words`). A condition's
/// id is made where it was raised and names it everywhere; an act sent twice is kept
/// once. With a directory the author signs it ([`condition_bytes`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConditionAct {
    pub condition_id: String,
    pub action: ConditionAction,
    pub author: String,
    pub at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<u8>,
    /// The evidence (meet) or the reason (waive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub words: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub algorithm: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

/// A condition as the bank keeps it: how it was raised, where it stands (`open`, `met`,
/// `waived`), who closed it when with what words, and when the bank accepted its last act.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteCondition {
    pub condition_id: String,
    pub text: String,
    pub owner: String,
    pub due: String,
    pub stage: u8,
    pub raised_by: String,
    pub raised_at: String,
    pub status: String,
    #[serde(default)]
    pub closed_by: Option<String>,
    #[serde(default)]
    pub closed_at: Option<String>,
    #[serde(default)]
    pub words: Option<String>,
    pub accepted_at: String,
}

/// The bytes an author signs for an act on a condition: the case, the condition, the
/// action and the SHA-256 of everything the act says, in a signed request's form.
pub fn condition_bytes(case_id: &str, act: &ConditionAct) -> Vec<u8> {
    let said = serde_json::json!([act.text, act.owner, act.due, act.stage, act.words]);
    let said = hex(&Sha256::digest(said.to_string().as_bytes()));
    crate::signing::request_bytes(
        &format!(
            "condition {case_id} {} {} {said}",
            act.condition_id,
            act.action.as_str()
        ),
        &act.author,
        &act.at,
    )
}

/// Who works a case (`POST /v1/cases/{id}/assignment`): a claim (`by` is the
/// `assignee`) or a supervisor's reassignment. `expected` is the assignee the giver saw
/// (None: unassigned), so a claim made meanwhile elsewhere is not overwritten. With a
/// directory the giver signs it ([`assignment_bytes`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub assignee: String,
    pub by: String,
    pub at: String,
    #[serde(default)]
    pub expected: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub algorithm: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

/// The bank's answer to an assignment: who works the case now, since when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignmentAck {
    pub case_id: String,
    pub assignee: String,
    pub assigned_at: String,
}

/// The bytes a giver signs for an assignment: the case, the assignee and the assignee
/// they saw, in a signed request's form.
pub fn assignment_bytes(case_id: &str, a: &Assignment) -> Vec<u8> {
    crate::signing::request_bytes(
        &format!(
            "assign {case_id} {} {}",
            a.assignee,
            a.expected.as_deref().unwrap_or("-")
        ),
        &a.by,
        &a.at,
    )
}

/// The header that carries the author's signed statement of a case version (base64 of the
/// [`SignedStatement`]'s JSON).
pub const STATEMENT_HEADER: &str = "UW-Statement";
/// The header that carries the maker's justification of a `submit` (base64 of UTF-8 text;
/// beside the statement, which the spec fixes).
pub const JUSTIFICATION_HEADER: &str = "UW-Justification";
/// The maker's proposed decision of a `submit`: `approve` or `reject` (beside the
/// statement, like the justification).
pub const PROPOSAL_HEADER: &str = "UW-Proposal";
/// A person's signed read request (the review inbox): who asks, when, and the signature
/// over [`crate::signing::request_bytes`].
pub const STAFF_HEADER: &str = "UW-Staff";
pub const STAFF_AT_HEADER: &str = "UW-Staff-At";
pub const STAFF_SIGNATURE_HEADER: &str = "UW-Staff-Signature";

/// What a person does to a case, as a signed statement names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub enum StatementAction {
    #[serde(rename = "edit")]
    Edit,
    #[serde(rename = "submit")]
    Submit,
    #[serde(rename = "approve")]
    Approve,
    #[serde(rename = "reject")]
    Reject,
    #[serde(rename = "return")]
    Return,
    #[serde(rename = "order_stage_1")]
    OrderStage1,
    #[serde(rename = "order_stage_2")]
    OrderStage2,
}

impl StatementAction {
    pub fn as_str(self) -> &'static str {
        match self {
            StatementAction::Edit => "edit",
            StatementAction::Submit => "submit",
            StatementAction::Approve => "approve",
            StatementAction::Reject => "reject",
            StatementAction::Return => "return",
            StatementAction::OrderStage1 => "order_stage_1",
            StatementAction::OrderStage2 => "order_stage_2",
        }
    }

    /// A sign-off: the checker's decision on a submitted version.
    pub fn is_signoff(self) -> bool {
        matches!(
            self,
            StatementAction::Approve | StatementAction::Reject | StatementAction::Return
        )
    }

    /// A change of the case's content (the author shaped the case).
    pub fn shapes_the_case(self) -> bool {
        matches!(self, StatementAction::Edit | StatementAction::Submit)
    }
}

/// The engine's figures of the version a statement is about (null for `edit`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct StatementFigures {
    /// The engine's decision: approve | reject | refer.
    pub decision: String,
    pub amount: String,
    pub term_months: u32,
    /// The product grid's rate; null when the term is off the grid.
    pub rate: Option<String>,
    pub average_monthly_income: String,
    pub dti: Option<String>,
    pub ltv: String,
}

/// A signed statement's content (`dual-review.md`): exactly these keys, in this order.
/// `version` is the bank's version a sign-off is about (the submitted one); for `edit`,
/// `submit` and the orders it is the workstation's version of the case, which the bank
/// binds to its own by `content_hash`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Statement {
    pub case_id: String,
    pub version: i64,
    /// SHA-256 (hex) of the case file's compact JSON: [`content_hash`].
    pub content_hash: String,
    pub action: StatementAction,
    pub figures: Option<StatementFigures>,
    /// The staff id of the person who signs.
    pub signer: String,
    /// RFC 3339.
    pub signed_at: String,
}

impl Statement {
    /// Whether the statement is in the spec's form (what `SIGNATURE_INVALID` also covers):
    /// a case id, a version ≥ 1, a 64-hex hash, figures for every action but `edit`, a
    /// signer and an RFC 3339 time. The reason names the key.
    pub fn check_form(&self) -> Result<(), String> {
        if self.case_id.trim().is_empty() {
            return Err("case_id: empty".into());
        }
        if self.version < 1 {
            return Err(format!("version: {} is not a version", self.version));
        }
        if self.content_hash.len() != 64
            || !self
                .content_hash
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err("content_hash: not 64 lower-case hex digits".into());
        }
        if self.action != StatementAction::Edit && self.figures.is_none() {
            return Err(format!(
                "figures: a {} statement carries the engine's figures",
                self.action.as_str()
            ));
        }
        if self.signer.trim().is_empty() {
            return Err("signer: empty".into());
        }
        chrono::DateTime::parse_from_rfc3339(&self.signed_at)
            .map_err(|_| format!("signed_at: {:?} is not an RFC 3339 time", self.signed_at))?;
        Ok(())
    }
}

/// A statement with its signature (base64, standard alphabet).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SignedStatement {
    pub statement: Statement,
    /// `ed25519` (the bank's qualified e-signature would name its own).
    pub algorithm: String,
    pub signature: String,
}

/// A checker's sign-off (`POST /v1/cases/{id}/signoffs`): the signed statement and, for a
/// reject or return, the checker's words (beside the statement, which the spec fixes).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SignOff {
    pub statement: SignedStatement,
    #[serde(default)]
    pub comment: Option<String>,
}

/// The bank's acceptance of a sign-off. An approval or rejection makes a new bank version
/// of the case carrying its `review` block (the bank writes it); a return does not.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SignOffAck {
    pub case_id: String,
    pub action: StatementAction,
    pub signer: String,
    pub signed_at: String,
    pub accepted_at: String,
    /// The bank's version of the case after the sign-off, and its hash.
    pub version: i64,
    pub hash: String,
}

/// The submitted version a sign-off must name, with the maker's signed statement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Submission {
    pub version: i64,
    pub hash: String,
    pub statement: SignedStatement,
    /// The maker's justification (sent beside the case version).
    pub justification: String,
    /// The maker's proposed decision, approve | reject (sent beside the case version).
    #[serde(default)]
    pub proposal: Option<String>,
}

/// The decision the bank accepted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Decided {
    pub action: StatementAction,
    pub signer: String,
    pub signed_at: String,
    pub accepted_at: String,
    pub comment: Option<String>,
    /// The accepted statement's signature (base64), for the credit file's fingerprint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

/// A case's review as the bank keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RemoteWorkflow {
    /// draft | submitted | returned | approved | rejected
    pub stage: String,
    pub maker: Option<String>,
    /// Everyone who signed an `edit` or `submit` of any version, since the first draft.
    pub editors: Vec<String>,
    /// The version awaiting (or that received) a decision.
    pub submission: Option<Submission>,
    /// The last accepted sign-off (a return included).
    pub decided: Option<Decided>,
}

/// A person's key enrolment (`POST /v1/staff/{id}/keys`): the bank checks `password`
/// against the directory before it accepts the key, and revokes the person's previous one.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Enrolment {
    pub algorithm: String,
    /// Base64.
    pub public_key: String,
    pub password: String,
}

impl std::fmt::Debug for Enrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Enrolment")
            .field("algorithm", &self.algorithm)
            .field("public_key", &self.public_key)
            .field("password", &"…")
            .finish()
    }
}

/// A person's enrolled key, as the bank answers an enrolment or its check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct StaffKey {
    pub staff_id: String,
    pub algorithm: String,
    /// Base64.
    pub public_key: String,
    pub enrolled_at: String,
    /// When a later enrolment revoked it (statements signed before stay valid).
    pub revoked_at: Option<String>,
}

/// The answer to a case version based on a version the bank no longer holds (412).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VersionMismatch {
    pub code: String,
    pub message: String,
    pub current: RemoteCase,
}

/// The daily queue: the applications assigned to a branch or an underwriter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Queue {
    pub date: String,
    pub applications: Vec<RemoteCase>,
}

/// A message about a case other than its content: a decision, a review sign-off, a
/// disbursement order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaseMessage {
    pub kind: MessageKind,
    pub body: serde_json::Value,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    Decision,
    Review,
    DisbursementOrder,
}

impl MessageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Decision => "decision",
            MessageKind::Review => "review",
            MessageKind::DisbursementOrder => "disbursement_order",
        }
    }

    pub fn parse(s: &str) -> Option<MessageKind> {
        [
            MessageKind::Decision,
            MessageKind::Review,
            MessageKind::DisbursementOrder,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MessageAck {
    pub id: i64,
}

/// An entry of a workstation's audit chain, by its id and hash: what the bank anchors.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditAnchor {
    pub entry_id: i64,
    pub hash: String,
}

/// The head of a workstation's audit chain, sent by every sync pass
/// (`POST /v1/audit-heads`). The bank keeps the last one per workstation and takes a new
/// one only when it extends it: `previous_anchor` is the bank's last anchor of this
/// workstation (none for the first) and `entry_id` is past it — so a chain cut off at its
/// end, rewritten, or put back from an old copy is refused (`AUDIT_NOT_EXTENDED`). The
/// head that is the bank's last anchor itself is a confirmation (200, nothing stored).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditHead {
    /// The store's own random id, made once (never a folder path).
    pub workstation: String,
    pub previous_anchor: Option<AuditAnchor>,
    pub entry_id: i64,
    pub hash: String,
    /// The head entry's own time (the same head is always the same request).
    pub at: String,
    /// With the bank's directory and a person logged in: their signature over
    /// [`AuditHead::signed_bytes`]; none from a standalone workstation or with nobody
    /// logged in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<HeadSignature>,
}

/// Who reported a head, and their signature (base64) with their enrolled key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeadSignature {
    pub signer: String,
    pub algorithm: String,
    pub signature: String,
}

impl AuditHead {
    /// The bytes a person signs for a head: the compact JSON array
    /// `["uw-audit-head", workstation, previous entry id or null, previous hash or null,
    /// entry_id, hash, at, signer]` — JSON quoting keeps the fields apart, and the purpose
    /// in front keeps the signature from standing for any other statement.
    pub fn signed_bytes(&self, signer: &str) -> Vec<u8> {
        let prev = self.previous_anchor.as_ref();
        serde_json::json!([
            "uw-audit-head",
            self.workstation,
            prev.map(|p| p.entry_id),
            prev.map(|p| p.hash.as_str()),
            self.entry_id,
            self.hash,
            self.at,
            signer
        ])
        .to_string()
        .into_bytes()
    }

    /// The head as an anchor (its entry id and hash).
    pub fn anchor(&self) -> AuditAnchor {
        AuditAnchor {
            entry_id: self.entry_id,
            hash: self.hash.clone(),
        }
    }

    /// The form the bank takes: a workstation id of 1–100 letters, digits, `-`, `_` or
    /// `.`; entry ids of 1 and more (a previous one below the head's); hashes of 64 hex
    /// digits; an RFC 3339 time. The message names the field.
    pub fn check_form(&self) -> Result<(), String> {
        check_workstation_id(&self.workstation)?;
        let hash = |field: &str, h: &str| {
            if h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()) {
                Ok(())
            } else {
                Err(format!("{field}: {h:?} is not 64 hex digits (SHA-256)"))
            }
        };
        if self.entry_id < 1 {
            return Err(format!(
                "entry_id: {} is not an entry id (1 or more)",
                self.entry_id
            ));
        }
        hash("hash", &self.hash)?;
        if let Some(p) = &self.previous_anchor {
            if p.entry_id < 1 {
                return Err(format!(
                    "previous_anchor.entry_id: {} is not an entry id (1 or more)",
                    p.entry_id
                ));
            }
            hash("previous_anchor.hash", &p.hash)?;
        }
        if chrono::DateTime::parse_from_rfc3339(&self.at).is_err() {
            return Err(format!("at: {:?} is not an RFC 3339 time", self.at));
        }
        if let Some(s) = &self.signature {
            if s.signer.trim().is_empty() || s.signer.len() > 200 {
                return Err("signature.signer: 1 to 200 characters".into());
            }
        }
        Ok(())
    }
}

/// A workstation id as the bank keys anchors by it: 1–100 letters, digits, `-`, `_`, `.`.
pub fn check_workstation_id(id: &str) -> Result<(), String> {
    let ok = !id.is_empty()
        && id.len() <= 100
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "workstation: {id:?} is not 1 to 100 letters, digits, '-', '_' or '.'"
        ))
    }
}

/// The code of the 404 that says the bank holds no anchor of a workstation yet.
pub const NO_ANCHOR: &str = "NO_ANCHOR";
/// The code of the 409 that refuses a head not extending the bank's last anchor.
pub const AUDIT_NOT_EXTENDED: &str = "AUDIT_NOT_EXTENDED";

/// The bank's last anchor of a workstation (`GET /v1/audit-heads/{workstation}`, and the
/// answer to an accepted head).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnchoredHead {
    pub workstation: String,
    pub entry_id: i64,
    pub hash: String,
    /// The head entry's own time, as the workstation reported it.
    pub at: String,
    pub previous_anchor: Option<AuditAnchor>,
    /// The person whose signature the bank verified (enforcing mode); none for an
    /// unsigned head.
    pub signer: Option<String>,
    /// When the bank took it.
    pub anchored_at: String,
}

impl AnchoredHead {
    pub fn anchor(&self) -> AuditAnchor {
        AuditAnchor {
            entry_id: self.entry_id,
            hash: self.hash.clone(),
        }
    }
}

/// A VIN's state in the state Pledge Registry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PledgeState {
    None,
    Requested,
    Registered,
    Released,
    /// Another creditor's prohibition.
    Foreign,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct PledgeStatus {
    pub vin: String,
    pub status: PledgeState,
    pub creditor: Option<String>,
    pub requested_at: Option<String>,
    pub registered_at: Option<String>,
    pub released_at: Option<String>,
}

/// One month of officially recorded salary or pension.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct IncomeRecord {
    pub month: String,
    pub kind: String,
    pub payer: String,
    pub payer_inn: Option<String>,
    /// Decimal text, so that no float touches money.
    pub amount: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct OfficialIncome {
    pub pinfl: String,
    pub records: Vec<IncomeRecord>,
}

/// The state identity register's answer on a PINFL and a document: `status` valid |
/// expired | revoked | not_found, and the name registered (None when not found).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct IdentityAnswer {
    pub pinfl: String,
    pub document: String,
    pub status: String,
    pub full_name: Option<String>,
}

/// The figures of one branch for the dashboard.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct BranchFigures {
    pub branch: String,
    pub cases: i64,
    /// Decimal text: the sum of the requested amounts.
    pub requested: String,
    pub approved: i64,
    pub rejected: i64,
    pub disbursement_orders: i64,
    /// The branch's auto-loan book, when the core bank keeps one for it.
    #[serde(default)]
    pub book: Option<BranchBook>,
}

/// A branch's auto-loan book for the product stop (passport §9): outstanding principal,
/// the part 30+ days past due, the non-performing part (90+), and the credit-loss charge
/// of the last twelve months — decimal text, as of a day.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct BranchBook {
    pub portfolio: String,
    pub past_due_30: String,
    pub npl: String,
    pub credit_losses_12m: String,
    pub as_of: String,
}

/// One entry of a loan-book file (`uw-bank-sim --loan-book`): a branch and its book.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookLine {
    pub branch: String,
    pub book: BranchBook,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct Portfolio {
    pub branches: Vec<BranchFigures>,
}

/// Every error the bank answers with.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApiError {
    pub code: String,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_hash_ignores_formatting_not_content() {
        let a = content_hash("{\"a\": 1,\n  \"b\": [1, 2]}").unwrap();
        let b = content_hash("{\"a\":1,\"b\":[1,2]}").unwrap();
        let c = content_hash("{\"a\":1,\"b\":[2,1]}").unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.len(), 64);
        assert_eq!(content_hash("{not json"), None);
    }

    #[test]
    fn etags_round_trip_and_bad_ones_are_none() {
        assert_eq!(etag(7), "\"7\"");
        assert_eq!(parse_etag("\"7\""), Some(7));
        assert_eq!(parse_etag("W/\"12\""), Some(12));
        assert_eq!(parse_etag("*"), None);
        assert_eq!(parse_etag("\"x\""), None);
    }

    #[test]
    fn message_kinds_parse_their_names_only() {
        for k in [
            MessageKind::Decision,
            MessageKind::Review,
            MessageKind::DisbursementOrder,
        ] {
            assert_eq!(MessageKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(MessageKind::parse("payment"), None);
    }
}

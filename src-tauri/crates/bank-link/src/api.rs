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
    /// The case file (`../shared/spec/case-file.md`).
    pub case: serde_json::Value,
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

/// The head of a workstation's audit chain: the bank keeps them, so a rewritten local
/// history shows against what was reported.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditHead {
    pub workstation: String,
    pub entry_id: i64,
    pub hash: String,
    pub at: String,
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

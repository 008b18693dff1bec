//! The audit trail anchored at the core bank (uw-store `audit` keeps the chain).
//!
//! Every sync pass reports the chain's head to the bank (`POST /v1/audit-heads`) as this
//! store's random workstation id, naming the last anchor the bank took from it
//! (`previous_anchor`). The bank takes the head only when it extends that anchor; a chain
//! cut off at its end, rewritten with its hashes recomputed, or a store put back from an
//! old copy is refused `AUDIT_NOT_EXTENDED` — the pass reports it, and the sync status
//! keeps it as the audit alarm until the bank takes a head again. With the bank's
//! directory and a person logged in, the head is signed with their key; with nobody logged
//! in (`uw sync`, the background pass after a logout) or standalone it goes unsigned, and
//! the bank takes it on the token alone: the extension rule, not the signature, is what
//! refuses a rolled-back chain. A store put back from an old copy keeps its workstation
//! id, which is how the bank tells it; settling that is the bank's matter.
//!
//! Decisions (submit, approve, reject, return) and disbursement orders wait while more
//! than the unanchored limit of entries lie past the bank's last anchor
//! (`AUDIT_UNANCHORED`): what the bank has not seen could still be cut off unseen. A
//! workstation without a bank has nothing to anchor its trail to, and its decisions never
//! wait for one.
//!
//! `verify_audit` adds the bank's side to the store's checks: when the bank answers, the
//! chain must hold the bank's last anchor at its id with its hash, else
//! `AUDIT_ROLLED_BACK`.

use uw_bank_link::api::{self, AuditAnchor, AuditHead, HeadSignature};
use uw_bank_link::signing::{self, Signer as _};
use uw_bank_link::{Bank, LinkError};
use uw_store::audit::codes;
use uw_store::AuditReport;

use crate::error::{AppError, ErrorCode, Result};
use crate::sync::SyncReport;
use crate::Workstation;

/// How many audit entries may lie past the bank's last anchor before decisions wait for a
/// sync (the setting [`UNANCHORED_LIMIT`] overrides it).
pub const AUDIT_UNANCHORED_LIMIT: i64 = 500;
/// The setting of the unanchored limit (an administrator's).
pub const UNANCHORED_LIMIT: &str = "audit.unanchored_limit";
/// The setting of the audit alarm: the bank's refusal of the last head, empty when none.
pub(crate) const AUDIT_ALARM: &str = "sync.audit_alarm";

impl Workstation {
    /// This store's id at the bank (random, made once with the store).
    pub fn workstation_id(&self) -> Result<String> {
        Ok(self.store()?.workstation_id()?)
    }

    /// The unanchored limit in force.
    pub fn unanchored_limit(&self) -> Result<i64> {
        Ok(self
            .store()?
            .setting(UNANCHORED_LIMIT)?
            .and_then(|v| v.parse().ok())
            .unwrap_or(AUDIT_UNANCHORED_LIMIT))
    }

    /// Sets the unanchored limit (1 to 100,000 entries) — an administrator's setting.
    pub fn set_unanchored_limit(&self, limit: i64) -> Result<()> {
        if self.require_login {
            self.require_admin()?;
        }
        if !(1..=100_000).contains(&limit) {
            return Err(AppError::new(
                ErrorCode::InvalidInput,
                format!("limit: {limit}; 1 to 100000 entries"),
            ));
        }
        self.store()?
            .set_setting(UNANCHORED_LIMIT, &limit.to_string())?;
        Ok(())
    }

    /// Refuses a decision or a disbursement order while more entries than the limit lie
    /// past the bank's last anchor. Without a bank there is nothing to anchor to: no wait.
    pub(crate) fn require_anchored(&self) -> Result<()> {
        if !self.bank_configured() {
            return Ok(());
        }
        let limit = self.unanchored_limit()?;
        let waiting = self.store()?.audit_unanchored()?;
        if waiting > limit {
            return Err(AppError::new(
                ErrorCode::AuditUnanchored,
                format!(
                    "{waiting} audit entries since the bank last anchored the audit trail (at most {limit} may wait): sync with the bank first"
                ),
            ));
        }
        Ok(())
    }

    /// The sync pass's report of the audit chain's head (see the module's documentation).
    /// A refusal raises the audit alarm and is the pass's error; a head taken clears it.
    pub(crate) fn send_audit_head(&self, bank: &Bank, report: &mut SyncReport) {
        match self.anchor_head(bank) {
            Ok(()) => {
                if let Ok(mut s) = self.store() {
                    let _ = s.set_setting(AUDIT_ALARM, "");
                }
            }
            Err(e) if matches!(e.code, ErrorCode::AuditNotExtended) => {
                if let Ok(mut s) = self.store() {
                    let _ = s.set_setting(AUDIT_ALARM, &e.message);
                }
                // First in the pass's errors: the status's last error says it too.
                report.error_codes.push(e.code);
                report
                    .errors
                    .insert(0, format!("{}: {}", e.code_name(), e.message));
            }
            Err(e) => {
                report.error_codes.push(e.code);
                report
                    .errors
                    .push(format!("audit chain head: {}", e.message));
            }
        }
    }

    fn anchor_head(&self, bank: &Bank) -> Result<()> {
        let (workstation, head, previous) = {
            let store = self.store()?;
            // The previous anchor as this chain holds it: the entry at the anchored id with
            // the hash the chain has there now (a chain rewritten under its anchor names
            // another hash, which the bank refuses); the recorded anchor when the chain no
            // longer reaches it.
            let previous = match store.audit_anchor()? {
                Some((entry_id, recorded)) => Some(AuditAnchor {
                    entry_id,
                    hash: store.audit_hash_at(entry_id)?.unwrap_or(recorded),
                }),
                None => None,
            };
            (store.workstation_id()?, store.audit_head()?, previous)
        };
        let Some((entry_id, hash, at)) = head else {
            // An empty trail holds no anchor: the bank must hold none either.
            return match bank.audit_anchor(&workstation)? {
                None => Ok(()),
                Some(b) => Err(not_extended(format!(
                    "the bank's last anchor of this workstation's audit trail is entry {}, and this store's trail is empty: the store was put back from an old copy, or its trail was removed",
                    b.entry_id
                ))),
            };
        };
        let first = self.audit_head_to_send(&workstation, previous, entry_id, &hash, &at)?;
        let refusal = match bank.post_audit_head(&first, &head_key(&first)) {
            Ok(_) => return self.anchored(&first),
            Err(LinkError::Rejected {
                status: 409,
                code,
                message,
            }) if code == api::AUDIT_NOT_EXTENDED => message,
            Err(e) => return Err(e.into()),
        };
        // The bank may hold a head of ours whose answer never arrived (the connection
        // broke after it acted): if this chain holds the bank's anchor at its id with its
        // hash, the anchor is ours, and the head goes again from it.
        let Some(b) = bank.audit_anchor(&workstation)? else {
            return Err(not_extended(refusal));
        };
        let holds = self.store()?.audit_hash_at(b.entry_id)?.as_deref() == Some(b.hash.as_str());
        if !holds || first.previous_anchor.as_ref() == Some(&b.anchor()) {
            return Err(not_extended(refusal));
        }
        self.store()?.set_audit_anchor(b.entry_id, &b.hash)?;
        let again =
            self.audit_head_to_send(&workstation, Some(b.anchor()), entry_id, &hash, &at)?;
        match bank.post_audit_head(&again, &head_key(&again)) {
            Ok(_) => self.anchored(&again),
            Err(LinkError::Rejected {
                status: 409,
                code,
                message,
            }) if code == api::AUDIT_NOT_EXTENDED => Err(not_extended(message)),
            Err(e) => Err(e.into()),
        }
    }

    /// The bank took (or already held) `head`: it is the store's anchor now.
    fn anchored(&self, head: &AuditHead) -> Result<()> {
        self.store()?.set_audit_anchor(head.entry_id, &head.hash)?;
        Ok(())
    }

    /// The head as it goes: signed by the logged-in person with the bank's directory
    /// (their key, enrolled at the bank), unsigned otherwise.
    fn audit_head_to_send(
        &self,
        workstation: &str,
        previous_anchor: Option<AuditAnchor>,
        entry_id: i64,
        hash: &str,
        at: &str,
    ) -> Result<AuditHead> {
        let mut head = AuditHead {
            workstation: workstation.to_string(),
            previous_anchor,
            entry_id,
            hash: hash.to_string(),
            at: at.to_string(),
            signature: None,
        };
        if !self.directory_mode() {
            return Ok(head);
        }
        if let (Some(s), Some(signer)) = (self.session(), self.signer()) {
            let signature = signer
                .sign(&head.signed_bytes(&s.username))
                .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
            head.signature = Some(HeadSignature {
                signer: s.username,
                algorithm: signer.algorithm().to_string(),
                signature: signing::to_base64(&signature),
            });
        }
        Ok(head)
    }

    /// Checks the audit trail (`uw audit verify`): the store's checks, and — when a bank
    /// is configured and answers — that the chain holds the bank's last anchor of this
    /// workstation at its id with its hash (`AUDIT_ROLLED_BACK` otherwise).
    pub fn verify_audit(&self) -> Result<AuditReport> {
        let mut report = self.store()?.verify_audit()?;
        if !self.bank_configured() {
            report
                .notes
                .push("the bank's anchor was not checked: no bank is configured".into());
            return Ok(report);
        }
        let workstation = self.workstation_id()?;
        let asked = self
            .bank()
            .and_then(|b| b.audit_anchor(&workstation).map_err(AppError::from));
        let b = match asked {
            Ok(Some(b)) => b,
            Ok(None) => {
                report
                    .notes
                    .push("the bank holds no anchor of this workstation's audit trail yet".into());
                return Ok(report);
            }
            Err(e) => {
                report
                    .notes
                    .push(format!("the bank's anchor was not checked: {}", e.message));
                return Ok(report);
            }
        };
        let (held, last) = {
            let store = self.store()?;
            (
                store.audit_hash_at(b.entry_id)?,
                store.audit_head()?.map_or(0, |h| h.0),
            )
        };
        let short = |h: &str| h[..h.len().min(12)].to_string();
        match held {
            Some(h) if h == b.hash => report.notes.push(format!(
                "the trail holds the bank's anchor: entry {} ({}…)",
                b.entry_id,
                short(&b.hash)
            )),
            Some(h) => report.problem_at(
                codes::ROLLED_BACK,
                b.entry_id,
                &format!(
                    "the bank anchored this entry with the hash {}…, and the trail holds another ({}…) there: the chain was rewritten, or the store put back from an old copy",
                    short(&b.hash),
                    short(&h)
                ),
            ),
            None => report.problem_at(
                codes::ROLLED_BACK,
                b.entry_id,
                &format!(
                    "the bank anchored this entry ({}…), and the trail ends at entry {last}: the store was put back from an old copy, or its end was cut off",
                    short(&b.hash)
                ),
            ),
        }
        Ok(report)
    }
}

/// The head's Idempotency-Key (the bank judges heads by content; the key names it).
fn head_key(head: &AuditHead) -> String {
    let prev = head.previous_anchor.as_ref().map_or(0, |a| a.entry_id);
    format!(
        "audit-head-{}-{prev}-{}-{}",
        head.workstation,
        head.entry_id,
        &head.hash[..head.hash.len().min(16)]
    )
}

fn not_extended(message: String) -> AppError {
    AppError::new(ErrorCode::AuditNotExtended, message)
}

#[cfg(test)]
mod tests;

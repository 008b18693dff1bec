//! Scans of the checklist documents (rule book §7): attached to a document of a party,
//! kept in the encrypted store with the case, viewed in the window, exported beside the
//! case file; and the underwriter's verdict on each document (verified, or rejected with a
//! reason), with who and when.
//!
//! A file is judged by its content, never its name: PDF (`%PDF-`, and it must read, with
//! at least one page), PNG or JPEG (their signatures, and the image must decode); at most
//! 25 MB. It is read first by the reader of clients' files, in a process apart with its
//! limits ([`crate::untrusted`]). A refused file attaches nothing.
//!
//! Readings fixed here (document versions, §7; the status a line takes from them is
//! `uw_domain::decision`'s):
//! - a rejected version is final: never marked again (`VERDICT_FINAL`), it stays on the
//!   case with who rejected it and why;
//! - a new scan of that line starts the next version, pending, with its own verdict to
//!   come, and verified only on a scan attached to it: a rejected version's scans never
//!   vouch for the next. An edit of the case file never starts a version
//!   (`uw_domain::owned`), and the down-payment proof has no versions (see
//!   `uw_domain::disbursement`).

use std::path::Path;

use serde::Serialize;
use sha2::{Digest, Sha256};
use ts_rs::TS;
use uw_domain::case::MAX_DOCUMENT_VERSION;
use uw_domain::case::{DocumentCheck, DocumentKind, DocumentStatus};
use uw_domain::decision::{document_status, latest_version};
use uw_store::{Attachment, NewAttachment};

use crate::cases::CaseView;
use crate::error::{AppError, ErrorCode, Result};
use crate::{now_rfc3339, Workstation};

/// The largest scan accepted.
pub const MAX_SCAN_BYTES: u64 = uw_parse::MAX_SCAN_BYTES;

/// The kinds a scan may belong to: the case file's document kinds and the insurance
/// policies (§6), which the checklist also asks to see.
pub const POLICY_SCANS: &str = "insurance_policy";

pub use uw_parse::ScanInfo;

/// What a file is, by its bytes (read by the reader of clients' files, apart); why not,
/// naming the file.
pub fn inspect(name: &str, bytes: &[u8]) -> Result<ScanInfo> {
    crate::untrusted::scan(name, bytes).map_err(crate::untrusted::nothing_attached)
}

fn check_kind(kind: &str) -> Result<()> {
    if kind == POLICY_SCANS || DocumentKind::parse(kind).is_some() {
        Ok(())
    } else {
        Err(AppError::new(
            ErrorCode::InvalidInput,
            format!("kind: {kind:?} is not a document of the checklist"),
        ))
    }
}

/// The scans of a case, for the documents step.
#[derive(Clone, Debug, Serialize, TS)]
pub struct ScanList {
    pub scans: Vec<Attachment>,
}

impl Workstation {
    pub fn scans(&self, case_id: &str) -> Result<ScanList> {
        self.store()?.get_case(case_id)?;
        Ok(ScanList {
            scans: self.store()?.attachments(case_id)?,
        })
    }

    /// Attaches a scan (its bytes) to the document `kind` of party `party`.
    pub fn attach_scan(
        &self,
        case_id: &str,
        kind: &str,
        party: usize,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<ScanList> {
        check_kind(kind)?;
        self.case_with_party(case_id, party)?;
        let info = inspect(file_name, bytes)?;
        self.attach_read_scans(case_id, kind, party, &[(file_name, bytes, &info)])
    }

    /// Attaches scans the reader has read, in one write: the workflow is asked once for the
    /// batch, and a refusal attaches none.
    fn attach_read_scans(
        &self,
        case_id: &str,
        kind: &str,
        party: usize,
        files: &[(&str, &[u8], &ScanInfo)],
    ) -> Result<ScanList> {
        let actor = self.scan_editor(case_id, kind)?;
        let doc_version = self
            .new_version_after_rejection(case_id, kind, party)?
            .map(i64::from);
        let party = i64::try_from(party).unwrap_or(i64::MAX);
        let sha256: Vec<String> = files
            .iter()
            .map(|(_, bytes, _)| {
                Sha256::digest(bytes)
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect()
            })
            .collect();
        let details: Vec<String> = files
            .iter()
            .zip(&sha256)
            .map(|((file, _, info), sha256)| {
                serde_json::json!({
                    "kind": kind, "party": party, "file": file, "media_type": info.media_type,
                    "pages": info.pages, "sha256": sha256,
                })
                .to_string()
            })
            .collect();
        let rows: Vec<NewAttachment> = files
            .iter()
            .zip(&sha256)
            .map(|((file_name, bytes, info), sha256)| NewAttachment {
                case_id,
                kind,
                party,
                file_name,
                media_type: &info.media_type,
                pages: i64::try_from(info.pages).unwrap_or(i64::MAX),
                sha256,
                content: bytes,
                doc_version,
            })
            .collect();
        let batch: Vec<_> = rows
            .iter()
            .zip(&details)
            .map(|(a, d)| (a, d.as_str()))
            .collect();
        self.store()?
            .add_attachments(&batch, &now_rfc3339(), &actor)?;
        self.scans(case_id)
    }

    /// A new scan on a line whose latest version was rejected starts the next version,
    /// pending, with its own verdict to come; the rejected one stays as it was. Returns
    /// the version the scan is for (None: a line without versions).
    fn new_version_after_rejection(
        &self,
        case_id: &str,
        kind: &str,
        party: usize,
    ) -> Result<Option<u32>> {
        // The down-payment proof is the disbursement's evidence: a new one replaces the
        // earlier (`uw_domain::disbursement`), no version.
        let Some(kind) = DocumentKind::parse(kind).filter(|k| *k != DocumentKind::DownPaymentProof)
        else {
            return Ok(None);
        };
        let (stored, mut case) = self.stored_case(case_id)?;
        let Some(latest) = latest_version(&case, kind, party) else {
            return Ok(Some(1));
        };
        if document_status(&case, kind, party) != Some(DocumentStatus::Rejected) {
            return Ok(Some(latest));
        }
        let next_version = latest
            .checked_add(1)
            .filter(|v| *v <= MAX_DOCUMENT_VERSION)
            .ok_or_else(|| {
                AppError::new(
                    ErrorCode::InvalidInput,
                    format!(
                        "the {} of party {party} has {latest} versions: no more",
                        kind.as_str()
                    ),
                )
            })?;
        let mut next = uw_domain::case::Document::new(kind, party, DocumentStatus::Pending);
        next.version = next_version;
        case.documents.push(next);
        let detail = serde_json::json!({"kind": kind, "party": party, "version": next_version});
        self.save_parsed(
            case_id,
            stored.version,
            case,
            Some(("document_version".into(), detail.to_string())),
        )?;
        Ok(Some(next_version))
    }

    /// Attaches files from disk; one that is too large is refused before it is read.
    pub fn attach_scan_files(
        &self,
        case_id: &str,
        kind: &str,
        party: usize,
        paths: &[std::path::PathBuf],
    ) -> Result<ScanList> {
        check_kind(kind)?;
        self.case_with_party(case_id, party)?;
        // All read (each once, by the reader) before any is attached: a bad file in a
        // batch attaches none.
        let mut files = Vec::with_capacity(paths.len());
        for p in paths {
            let bytes = read_scan(p)?;
            let info = inspect(&p.display().to_string(), &bytes)?;
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| p.display().to_string());
            files.push((name, bytes, info));
        }
        let files: Vec<_> = files
            .iter()
            .map(|(name, bytes, info)| (name.as_str(), bytes.as_slice(), info))
            .collect();
        self.attach_read_scans(case_id, kind, party, &files)
    }

    /// Who may change a case's scans: the workflow's edit (a submitted or decided case is
    /// closed, and whoever changes its papers is one of its editors), except the evidence
    /// the disbursement needs after the approval (a policy, the down-payment proof), which
    /// an underwriter adds as the disbursement's facts are recorded.
    fn scan_editor(&self, case_id: &str, kind: &str) -> Result<String> {
        let evidence = matches!(kind, "insurance_policy" | "down_payment_proof");
        let stage = self.load_workflow(case_id)?.stage;
        if evidence && stage == uw_domain::review::Stage::Approved {
            let (actor, roles) = self.acting()?;
            if !roles.underwriter {
                return Err(AppError::new(
                    ErrorCode::MissingRole,
                    format!("{actor} lacks the underwriter role needed to change the disbursement's evidence"),
                ));
            }
            self.hold_case(case_id, &actor)?;
            return Ok(actor);
        }
        self.note_edit(case_id)
    }

    /// One scan's bytes (for the viewer).
    pub fn scan_content(&self, case_id: &str, id: i64) -> Result<(Attachment, Vec<u8>)> {
        self.store()?.attachment(case_id, id)?.ok_or_else(|| {
            AppError::new(
                ErrorCode::NotFound,
                format!("case {case_id} has no scan {id}"),
            )
        })
    }

    /// Takes a scan off the case's checklist; it is kept, marked removed, with who and when.
    pub fn remove_scan(&self, case_id: &str, id: i64) -> Result<ScanList> {
        let (a, _) = self.scan_content(case_id, id)?;
        let actor = self.scan_editor(case_id, &a.kind)?;
        let detail = serde_json::json!({"kind": a.kind, "party": a.party, "file": a.file_name, "sha256": a.sha256});
        self.store()?.remove_attachment(
            case_id,
            id,
            &now_rfc3339(),
            &actor,
            &detail.to_string(),
        )?;
        self.scans(case_id)
    }

    /// The underwriter's verdict on a document: verified, or rejected with a reason (which
    /// makes the decision `reject` for a required document, P-DOCS-REJ); who and when are
    /// kept on the document and in the history.
    pub fn mark_document(
        &self,
        case_id: &str,
        expected_version: i64,
        kind: DocumentKind,
        party: usize,
        status: DocumentStatus,
        reason: Option<&str>,
    ) -> Result<CaseView> {
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        if status == DocumentStatus::Rejected && reason.is_none() {
            return Err(AppError::new(
                ErrorCode::CommentRequired,
                "reason: a rejected document needs the reason (forged, expired, mismatched…)",
            ));
        }
        let mut case = self.case_with_party(case_id, party)?;
        let (actor, _) = self.acting()?;
        let at = now_rfc3339();
        // The verdict is the latest version's; a rejected version is never marked again.
        let latest = latest_version(&case, kind, party);
        let previous = case
            .documents
            .iter()
            .rev()
            .find(|d| d.kind == kind && d.party == party && Some(d.version) == latest)
            .cloned();
        let rejected_now = document_status(&case, kind, party) == Some(DocumentStatus::Rejected);
        if let Some(rejected) = previous.as_ref().filter(|_| rejected_now) {
            let why = rejected
                .checked
                .as_ref()
                .and_then(|c| c.reason.clone())
                .unwrap_or_default();
            return Err(AppError::new(
                ErrorCode::VerdictFinal,
                format!(
                    "the {} of party {party}, version {}, was rejected ({why}): a rejection stays; attach a new scan of it — a new version — to judge it again",
                    kind.as_str(),
                    rejected.version
                ),
            ));
        }
        // A later version is verified on a scan of its own: the rejected version's scans
        // never vouch for it.
        if let Some(v) = latest.filter(|v| *v > 1 && status == DocumentStatus::Verified) {
            let own = self.store()?.attachments(case_id)?.iter().any(|a| {
                a.kind == kind.as_str()
                    && usize::try_from(a.party).ok() == Some(party)
                    && a.doc_version == Some(i64::from(v))
            });
            if !own {
                return Err(AppError::new(
                    ErrorCode::VerdictFinal,
                    format!(
                        "version {v} of the {} of party {party} has no scan of its own: attach the new paper, then verify it",
                        kind.as_str()
                    ),
                ));
            }
        }
        case.documents
            .retain(|d| !(d.kind == kind && d.party == party && Some(d.version) == latest));
        let mut doc =
            previous.unwrap_or_else(|| uw_domain::case::Document::new(kind, party, status));
        doc.status = status;
        doc.checked = Some(DocumentCheck {
            by: actor,
            at,
            reason: reason.map(str::to_string),
        });
        case.documents.push(doc);
        let detail = serde_json::json!({
            "kind": kind, "party": party, "status": status, "reason": reason,
        });
        self.save_parsed(
            case_id,
            expected_version,
            case,
            Some(("document_marked".into(), detail.to_string())),
        )
    }

    /// Writes each scan of the case into `dir` (created), named so that they sort by
    /// document: `identity-p0-1-passport.pdf`. Returns the paths written.
    pub(crate) fn export_scans(
        &self,
        case_id: &str,
        dir: &Path,
    ) -> Result<Vec<std::path::PathBuf>> {
        let list = self.store()?.attachments(case_id)?;
        if list.is_empty() {
            return Ok(Vec::new());
        }
        let io = |p: &Path, e: std::io::Error| {
            AppError::new(ErrorCode::Io, format!("{}: cannot write: {e}", p.display()))
        };
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        let mut out = Vec::with_capacity(list.len());
        for a in list {
            let (_, bytes) = self.scan_content(case_id, a.id)?;
            let safe: String = a
                .file_name
                .chars()
                .map(|c| {
                    if c.is_alphanumeric() || ".-_".contains(c) {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            let path = dir.join(format!("{}-p{}-{}-{safe}", a.kind, a.party, a.id));
            crate::paths::write_atomically(&path, &bytes)?;
            out.push(path);
        }
        Ok(out)
    }
}

/// Reads a scan from disk, refusing one over the limit before reading it.
fn read_scan(p: &Path) -> Result<Vec<u8>> {
    crate::untrusted::read_bounded(p, MAX_SCAN_BYTES, "a scan")
}

#[cfg(test)]
mod tests;

//! Cases: import, open, evaluate, edit, export.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::Datelike;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;
use uw_bank_link::api::StatementAction;
use uw_domain::case::{to_json_pretty, DocumentKind, DocumentStatus};
use uw_domain::decision::{document_status, required_documents};
use uw_domain::vin::VinReport;
use uw_domain::{evaluate, parse_case, parse_case_value, CaseFile, EvalOptions, Evaluation};
use uw_store::{CaseEvent, NewCase, StoredCase};

use crate::error::{AppError, ErrorCode, Result};
use crate::{now_rfc3339, Workstation};

/// Everything the case view shows.
#[derive(Clone, Debug, Serialize, TS)]
pub struct CaseView {
    pub case_id: String,
    pub version: i64,
    pub status: String,
    pub received_at: String,
    pub updated_at: String,
    pub case: CaseFile,
    pub evaluation: Evaluation,
    pub vin: VinReport,
    pub required_documents: Vec<RequiredDocument>,
    /// Another user holds the case's edit lock: the window shows it read-only.
    pub editing_by: Option<String>,
    /// Each party's PINFL and document checks (uw_domain::identity), in party order.
    pub identity_checks: Vec<uw_domain::identity::IdentityCheck>,
}

/// One line of the §7 checklist with its effective status (`None` = absent).
#[derive(Clone, Debug, Serialize, TS)]
pub struct RequiredDocument {
    pub kind: DocumentKind,
    pub party: usize,
    pub status: Option<DocumentStatus>,
}

#[derive(Clone, Debug, Serialize, TS)]
pub struct ImportReport {
    pub imported: Vec<String>,
    /// What an imported file carried that only the system writes (the review block, a
    /// register answer, a verdict's record…), dropped: "CASE: path".
    pub dropped: Vec<String>,
}

/// The registry's word on the lien is about a VIN: when an edit changes the VIN (a typo
/// corrected), it is forgotten — the case's status goes back to none, the timeline says
/// why — and the registry is asked about the new VIN at the submission.
fn forget_lien_of_another_vin(before: &CaseFile, after: &mut CaseFile, actor: &str, at: &str) {
    use uw_domain::case::{LienEvent, LienStatus};
    let norm = |v: &str| v.trim().to_uppercase();
    if norm(&before.vehicle.vin) == norm(&after.vehicle.vin)
        || after.pledge.vin_lien == LienStatus::None
    {
        return;
    }
    after.pledge.vin_lien = LienStatus::None;
    after.pledge.creditor = None;
    after.pledge.history.push(LienEvent {
        status: LienStatus::None,
        at: at.to_string(),
        by: actor.to_string(),
        note: Some(format!(
            "the VIN changed from {}: the registry's word was about that one",
            norm(&before.vehicle.vin)
        )),
    });
}

/// The status a case has in the queue before anyone works on it.
pub const NEW_CASE_STATUS: &str = "draft";

fn invalid(source: &str, e: uw_domain::CaseError) -> AppError {
    AppError::new(ErrorCode::InvalidCase, format!("{source}: {e}"))
}

impl Workstation {
    /// The engine's evaluation as the case was decided: without the product stop, which
    /// refuses new approvals and does not reach back to approved loans (their agreement
    /// and disbursement go on).
    pub fn evaluate_case(&self, case: &CaseFile) -> Evaluation {
        evaluate(case, &self.product, &EvalOptions::default())
    }

    /// The evaluation of a case at its workflow stage: an open case (draft, submitted,
    /// returned) in a suspended scope also fails P-STOP (passport §9).
    pub fn evaluate_at(&self, case: &CaseFile, status: &str) -> Evaluation {
        let open = uw_domain::review::Stage::parse(status).is_none_or(|s| s.open());
        let opts = EvalOptions {
            product_suspended: open.then(|| self.suspension(&case.branch)).flatten(),
            ..EvalOptions::default()
        };
        evaluate(case, &self.product, &opts)
    }

    /// Evaluates an edited, unsaved case (the live decision screen; the case is open).
    pub fn evaluate_value(&self, case: Value) -> Result<Evaluation> {
        let case = parse_case_value(case).map_err(|e| invalid("case", e))?;
        Ok(self.evaluate_at(&case, NEW_CASE_STATUS))
    }

    pub fn check_vin(&self, vin: &str) -> VinReport {
        uw_domain::vin::check(
            vin,
            &self.wmi,
            &self.product.vehicle.check_digit_required_wmi_prefixes,
            chrono::Utc::now().year(),
        )
    }

    pub(crate) fn row_for(&self, case: &CaseFile, json: String, status: &str) -> NewCase {
        let evaluation = self.evaluate_at(case, status);
        let borrower = case.borrower();
        // At most 10^17 tiyin (amounts stop at 10^15 UZS): exact, and inside i64.
        let tiyin = (case.loan.amount.decimal() * rust_decimal::Decimal::ONE_HUNDRED)
            .round()
            .to_i64()
            .unwrap_or(i64::MAX);
        NewCase {
            case_id: case.case_id.clone(),
            case_json: json,
            status: status.to_string(),
            decision: Some(evaluation.decision.as_str().to_string()),
            assignee: None,
            branch: case.branch.clone(),
            application_date: case.application_date.to_string(),
            borrower_name: borrower.full_name.clone(),
            pinfl: borrower.pinfl.clone(),
            vin: case.vehicle.vin.trim().to_uppercase(),
            amount: case.loan.amount.to_string(),
            amount_tiyin: tiyin,
            term_months: i64::from(case.loan.term_months),
            reasons: evaluation
                .reasons
                .iter()
                .map(|r| r.rule.id())
                .collect::<Vec<_>>()
                .join(" "),
            counter_offers: evaluation
                .counter_offer
                .as_ref()
                .map_or(0, |o| i64::try_from(o.len()).unwrap_or(i64::MAX)),
        }
    }

    /// Imports case files: all of them, or — when one is malformed or already here —
    /// none, with an error naming the file and the JSON path.
    pub fn import_texts(&self, files: &[(String, String)]) -> Result<ImportReport> {
        let (actor, _) = self.acting()?;
        self.import_texts_at(files, &now_rfc3339(), &actor, true)
    }

    /// Imports at a time in the name of `actor`; `signed`: the logged-in person's
    /// statements go with the new cases (the demo's seeding is the workstation's own).
    pub(crate) fn import_texts_at(
        &self,
        files: &[(String, String)],
        at: &str,
        actor: &str,
        signed: bool,
    ) -> Result<ImportReport> {
        let mut rows = Vec::with_capacity(files.len());
        let mut dropped = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (name, text) in files {
            let mut case = parse_case(text).map_err(|e| invalid(name, e))?;
            if signed {
                // A person's import: what only a service writes does not come from a file
                // (uw_domain::owned). The demo's own seeding keeps its fictitious records.
                for path in uw_domain::owned::strip(&mut case) {
                    dropped.push(format!("{}: {path}", case.case_id));
                }
            }
            if !seen.insert(case.case_id.clone()) {
                return Err(AppError::new(
                    ErrorCode::CaseExists,
                    format!("{name}: case {} appears twice in this import", case.case_id),
                ));
            }
            let row = self.row_for(&case, to_json_pretty(&case), crate::cases::NEW_CASE_STATUS);
            let push = if signed {
                self.version_push(&case, &row.case_json, 1, StatementAction::Edit, None)?
            } else {
                self.system_push()
            };
            rows.push((row, push));
        }
        let with: Vec<_> = rows
            .iter()
            .map(|(r, p)| (r.clone(), p.as_store()))
            .collect();
        self.store()?
            .insert_cases_with(&with, at, actor, "import")
            .map_err(|e| match e {
                uw_store::StoreError::Exists(id) => AppError::new(
                    ErrorCode::CaseExists,
                    format!("case {id} is already in the queue; nothing was imported"),
                ),
                other => other.into(),
            })?;
        Ok(ImportReport {
            imported: rows.into_iter().map(|(r, _)| r.case_id).collect(),
            dropped,
        })
    }

    pub fn import_files(&self, paths: &[PathBuf]) -> Result<ImportReport> {
        self.import_files_within(paths, IMPORT_LIMITS)
    }

    pub(crate) fn import_files_within(
        &self,
        paths: &[PathBuf],
        limits: ImportLimits,
    ) -> Result<ImportReport> {
        if paths.len() > limits.files {
            return Err(AppError::new(
                ErrorCode::FileOverLimit,
                format!(
                    "{} files in one import: at most {}; import them in several batches",
                    paths.len(),
                    limits.files
                ),
            ));
        }
        let mut files = Vec::with_capacity(paths.len());
        let mut total = 0u64;
        for p in paths {
            let text = read_text(p)?;
            total = total.saturating_add(text.len() as u64);
            if total > limits.bytes {
                return Err(AppError::new(
                    ErrorCode::FileOverLimit,
                    format!(
                        "{}: the import passes {} bytes with this file; import the files in \
                         several batches",
                        p.display(),
                        limits.bytes
                    ),
                ));
            }
            files.push((p.display().to_string(), text));
        }
        self.import_texts(&files)
    }

    /// A stored case and its case file, read and parsed, not evaluated.
    pub(crate) fn stored_case(&self, case_id: &str) -> Result<(StoredCase, CaseFile)> {
        let stored = self.store()?.get_case(case_id)?;
        let case = parse_case(&stored.case_json)
            .map_err(|e| invalid(&format!("stored case {case_id}"), e))?;
        Ok((stored, case))
    }

    pub fn open_case(&self, case_id: &str) -> Result<CaseView> {
        let (stored, case) = self.stored_case(case_id)?;
        let evaluation = self.evaluate_at(&case, &stored.status);
        let identity_checks = crate::checks::identity_checks(&case);
        let required_documents = required_documents(&case)
            .into_iter()
            .map(|(kind, party)| RequiredDocument {
                kind,
                party,
                status: document_status(&case, kind, party),
            })
            .collect();
        Ok(CaseView {
            case_id: stored.case_id,
            version: stored.version,
            status: stored.status,
            received_at: stored.received_at,
            updated_at: stored.updated_at,
            vin: self.check_vin(&case.vehicle.vin),
            case,
            evaluation,
            required_documents,
            editing_by: self.editing_by(case_id)?,
            identity_checks,
        })
    }

    /// Saves an edited case if nobody saved another version meanwhile. Each changed
    /// field is recorded with its value before and after.
    pub fn save_case(
        &self,
        case_id: &str,
        expected_version: i64,
        edited: Value,
    ) -> Result<CaseView> {
        let mut case = parse_case_value(edited).map_err(|e| invalid("case", e))?;
        // Credit-history figures changed by hand are typed, not pulled: the case says so.
        let (_, before) = self.stored_case(case_id)?;
        let (actor, _) = self.acting()?;
        // What only a service writes is not taken from the window's JSON.
        uw_domain::owned::edit(&before, &case)
            .map_err(|e| AppError::new(ErrorCode::OwnedField, e.to_string()))?;
        crate::checks::mark_typed_history(&before, &mut case, &actor, &now_rfc3339());
        forget_lien_of_another_vin(&before, &mut case, &actor, &now_rfc3339());
        self.save_parsed(case_id, expected_version, case, None)
    }

    /// [`Workstation::save_case`] of a parsed case, with an audit action of its own
    /// (kind, detail) beside the field edits when the change has a name.
    pub(crate) fn save_parsed(
        &self,
        case_id: &str,
        expected_version: i64,
        case: CaseFile,
        named: Option<(String, String)>,
    ) -> Result<CaseView> {
        if case.case_id != case_id {
            return Err(AppError::new(
                ErrorCode::InvalidCase,
                format!(
                    "case_id: an edit may not change the case id ({case_id} → {})",
                    case.case_id
                ),
            ));
        }
        let stored = self.store()?.get_case(case_id)?;
        if let Ok(before) = parse_case(&stored.case_json) {
            crate::checks::refuse_unverifiable_identity(&before, &case)?;
        }
        let before: Value = serde_json::from_str(&stored.case_json).unwrap_or(Value::Null);
        let after = serde_json::to_value(&case).unwrap_or(Value::Null);
        let mut events: Vec<(String, String)> = changed_fields(&before, &after)
            .into_iter()
            .map(|(field, (b, a))| {
                let detail = serde_json::json!({"field": field, "before": b, "after": a});
                ("edit".to_string(), detail.to_string())
            })
            .collect();
        if events.is_empty() {
            // Nothing changed; a named check (a re-pull with the same answer) is still
            // a check made, and the history says so.
            if let Some((kind, detail)) = named {
                let (actor, _) = self.acting()?;
                self.store()?
                    .record_event(case_id, &now_rfc3339(), &actor, &kind, &detail)?;
            }
            return self.open_case(case_id);
        }
        // A decided or submitted case is closed; whoever edits becomes an editor, who never
        // signs it off (uw_domain::review).
        let (actor, _) = self.acting()?;
        self.hold_case(case_id, &actor)?;
        let (before_w, after_w) = self.workflow_after_edit(case_id)?;
        let workflow = (after_w != before_w)
            .then(|| serde_json::to_string(&after_w))
            .transpose()
            .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
        events.extend(named);
        let row = self.row_for(&case, to_json_pretty(&case), &stored.status);
        let push = self.version_push(
            &case,
            &row.case_json,
            expected_version + 1,
            StatementAction::Edit,
            None,
        )?;
        self.store()?.update_case_and_workflow(
            &row,
            expected_version,
            workflow.as_deref(),
            &now_rfc3339(),
            &actor,
            &events,
            &[],
            push.as_store(),
        )?;
        self.open_case(case_id)
    }

    /// Applies one of the case's current counter-offers (§10): its amount and term in one
    /// new version, recorded as `counter_offer_taken` beside the field edits, which the
    /// dashboard counts.
    pub fn take_counter_offer(
        &self,
        case_id: &str,
        expected_version: i64,
        term_months: u32,
    ) -> Result<CaseView> {
        let (stored, mut case) = self.stored_case(case_id)?;
        let evaluation = self.evaluate_at(&case, &stored.status);
        let offer = evaluation
            .counter_offer
            .iter()
            .flatten()
            .find(|o| o.term_months == term_months)
            .cloned()
            .ok_or_else(|| {
                AppError::new(
                    ErrorCode::NoSuchOffer,
                    format!("term_months: case {case_id} has no counter-offer at {term_months} months now"),
                )
            })?;
        let detail = serde_json::json!({
            "term_months": offer.term_months,
            "amount": offer.amount,
            "from": {"term_months": case.loan.term_months, "amount": case.loan.amount},
        });
        case.loan.term_months = offer.term_months;
        case.loan.amount = offer.amount;
        let named = (
            uw_store::COUNTER_OFFER_TAKEN.to_string(),
            detail.to_string(),
        );
        self.save_parsed(case_id, expected_version, case, Some(named))
    }

    /// The case file exactly as the spec defines it.
    pub fn export_case(&self, case_id: &str) -> Result<String> {
        let (_, case) = self.stored_case(case_id)?;
        Ok(to_json_pretty(&case) + "\n")
    }

    pub fn export_case_to(&self, case_id: &str, path: &Path) -> Result<PathBuf> {
        let text = self.export_case(case_id)?;
        crate::paths::write_atomically(path, text.as_bytes())?;
        // The scans go beside the file: CASE.json → CASE.scans/.
        let scans = self.export_scans(case_id, &path.with_extension("scans"))?;
        let detail = serde_json::json!({
            "file": path.display().to_string(), "scans": scans.len(),
        })
        .to_string();
        let (actor, _) = self.acting()?;
        self.store()?
            .record_event(case_id, &now_rfc3339(), &actor, "export", &detail)?;
        Ok(path.to_path_buf())
    }

    pub fn history(&self, case_id: &str) -> Result<Vec<CaseEvent>> {
        let store = self.store()?;
        store.get_case(case_id)?;
        Ok(store.events(case_id)?)
    }
}

/// Case files are small; anything above this is not one.
const MAX_CASE_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// What one import may read. Every file is read whole before any is parsed, so that the
/// import stays all or nothing; these hold that memory to a day's queue many times over
/// (a case file is some kilobytes), not to whatever a folder holds.
#[derive(Clone, Copy)]
pub(crate) struct ImportLimits {
    pub files: usize,
    pub bytes: u64,
}

const IMPORT_LIMITS: ImportLimits = ImportLimits {
    files: 1_000,
    bytes: 64 * 1024 * 1024,
};

pub(crate) fn read_text(p: &Path) -> Result<String> {
    let io = |e: std::io::Error| AppError::new(ErrorCode::Io, format!("{}: {e}", p.display()));
    let meta = std::fs::metadata(p).map_err(io)?;
    if meta.len() > MAX_CASE_FILE_BYTES {
        return Err(AppError::new(
            ErrorCode::InvalidCase,
            format!(
                "{}: {} bytes is too large for a case file",
                p.display(),
                meta.len()
            ),
        ));
    }
    let bytes = std::fs::read(p).map_err(io)?;
    String::from_utf8(bytes).map_err(|e| {
        AppError::new(
            ErrorCode::InvalidCase,
            format!(
                "{}: not UTF-8 text (byte {})",
                p.display(),
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

/// Leaf-level differences between two JSON documents, keyed by JSON path.
pub(crate) fn changed_fields(before: &Value, after: &Value) -> BTreeMap<String, (Value, Value)> {
    fn walk(
        path: String,
        b: Option<&Value>,
        a: Option<&Value>,
        out: &mut BTreeMap<String, (Value, Value)>,
    ) {
        match (b, a) {
            (Some(Value::Object(bo)), Some(Value::Object(ao))) => {
                let keys: std::collections::BTreeSet<&String> =
                    bo.keys().chain(ao.keys()).collect();
                for k in keys {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    walk(p, bo.get(k), ao.get(k), out);
                }
            }
            (Some(Value::Array(ba)), Some(Value::Array(aa))) => {
                for i in 0..ba.len().max(aa.len()) {
                    walk(format!("{path}[{i}]"), ba.get(i), aa.get(i), out);
                }
            }
            (b, a) if b != a => {
                out.insert(
                    path,
                    (
                        b.cloned().unwrap_or(Value::Null),
                        a.cloned().unwrap_or(Value::Null),
                    ),
                );
            }
            _ => {}
        }
    }
    let mut out = BTreeMap::new();
    walk(String::new(), Some(before), Some(after), &mut out);
    out
}

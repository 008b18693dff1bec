//! The income step: statement files attached to a party, the analysis re-derived from them,
//! the underwriter's reclassifications, and the result applied to the case's `incomes`.
//!
//! Invariant: a batch of files is parsed completely before anything is stored; a file
//! that fails (naming file and line) leaves the case as it was. The analysis is never
//! stored: it is always worked out again from the stored bytes and notes, so what a
//! reviewer sees cannot drift from the originals. Statement income reaches the engine
//! only when the underwriter applies it ("Use these sources in the case"): an ordinary,
//! recorded edit of the party's `incomes`.

use std::path::{Path, PathBuf};

use serde::Serialize;
use ts_rs::TS;
use uw_domain::case::IncomeKind;
use uw_domain::income::official::{self, OfficialComparison};
use uw_domain::income::statements::{analyse, case_sources, Reclassification, StatementIncome};
use uw_domain::money::Date;
use uw_domain::CaseFile;
use uw_store::{Stamp, StoredReclassification};

use crate::error::{AppError, ErrorCode, Result};
use crate::{now_rfc3339, CaseView, Workstation};

/// A statement larger than this is refused before it is read: no client's six months of
/// payments come near it, and a mistaken pick (a disk image) must not exhaust memory.
pub const MAX_STATEMENT_BYTES: u64 = uw_statements::limits::MAX_FILE_BYTES;

/// Reported while files are read, for the progress bar.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct ReadProgress {
    pub file: String,
    /// 1-based index of the file being read, of `files`.
    pub index: usize,
    pub files: usize,
    #[ts(type = "number")]
    pub bytes_read: u64,
    #[ts(type = "number")]
    pub bytes_total: u64,
    /// `reading`, then `analysing` once every byte is in.
    pub stage: String,
}

#[derive(Clone, Debug, Serialize, TS)]
pub struct AttachedStatement {
    pub id: i64,
    pub file: String,
    pub format: String,
    pub encoding: String,
    pub period_from: Option<Date>,
    pub period_to: Option<Date>,
    pub documents: usize,
    pub size: usize,
    pub attached_at: String,
    pub attached_by: String,
}

#[derive(Clone, Debug, Serialize, TS)]
pub struct ReclassificationView {
    pub file: String,
    pub line: usize,
    pub kind: Option<IncomeKind>,
    pub note: String,
    pub at: String,
    pub actor: String,
}

/// Everything the income step shows for one party.
#[derive(Clone, Debug, Serialize, TS)]
pub struct IncomeView {
    pub case_id: String,
    pub party: usize,
    /// The application date: the window is the six months before its month.
    pub as_of: Date,
    pub files: Vec<AttachedStatement>,
    pub income: StatementIncome,
    pub reclassifications: Vec<ReclassificationView>,
    /// The party's `incomes` in the case are exactly the usable sources shown here.
    pub applied: bool,
    /// The official income service's months beside the statements', once it was asked.
    pub official: Option<OfficialComparison>,
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Reads files into memory in 1 MiB steps, reporting each step.
pub fn read_with_progress(
    paths: &[PathBuf],
    progress: &mut dyn FnMut(ReadProgress),
) -> Result<Vec<(String, Vec<u8>)>> {
    let files = paths
        .iter()
        .map(|p| crate::untrusted::Bounded::open(p, MAX_STATEMENT_BYTES, "a statement"))
        .collect::<Result<Vec<_>>>()?;
    let total: u64 = files.iter().map(|f| f.len).sum();
    let mut done = 0u64;
    let mut out = Vec::with_capacity(paths.len());
    let mut chunk = vec![0u8; 1 << 20];
    for (i, (p, mut f)) in paths.iter().zip(files).enumerate() {
        let mut bytes = Vec::with_capacity(usize::try_from(f.len).unwrap_or(0));
        loop {
            let n = f.read_chunk(&mut chunk)?;
            if n == 0 {
                break;
            }
            bytes.extend_from_slice(&chunk[..n]);
            done += n as u64;
            progress(ReadProgress {
                file: file_name(p),
                index: i + 1,
                files: paths.len(),
                bytes_read: done,
                bytes_total: total,
                stage: "reading".into(),
            });
        }
        f.check(bytes.len() as u64)?;
        out.push((file_name(p), bytes));
    }
    progress(ReadProgress {
        file: String::new(),
        index: paths.len(),
        files: paths.len(),
        bytes_read: done,
        bytes_total: total,
        stage: "analysing".into(),
    });
    Ok(out)
}

fn parse_kind(kind: &str) -> Option<IncomeKind> {
    serde_json::from_value(serde_json::Value::String(kind.to_string())).ok()
}

impl Workstation {
    /// The case file, refusing a party index it does not have (for the income, check and
    /// scan services alike).
    pub(crate) fn case_with_party(&self, case_id: &str, party: usize) -> Result<CaseFile> {
        let (_, case) = self.stored_case(case_id)?;
        let n = case.parties.len();
        if party >= n {
            return Err(AppError::new(
                ErrorCode::InvalidInput,
                format!("party: {party} — case {case_id} has {n} parties"),
            ));
        }
        Ok(case)
    }

    /// The income step of one party, worked out again from the stored files and notes.
    pub fn statement_income(&self, case_id: &str, party: usize) -> Result<IncomeView> {
        // The case file only: the analysis needs no evaluation of the case.
        let case = self.case_with_party(case_id, party)?;
        let (stored, notes) = {
            let store = self.store()?;
            (
                store.statements(case_id, party)?,
                store.reclassifications(case_id, party)?,
            )
        };
        let layouts = crate::csv_layouts();
        let mut statements = Vec::with_capacity(stored.len());
        let mut files = Vec::with_capacity(stored.len());
        for s in &stored {
            // Stored files were read once before they were kept; a failure now means a
            // reader changed, and it is reported rather than silently dropping income.
            let st = uw_statements::read_statement(&s.file_name, &s.content, &layouts)
                .map_err(|e| AppError::new(ErrorCode::Internal, format!("stored statement {e}")))?;
            files.push(AttachedStatement {
                id: s.id,
                file: s.file_name.clone(),
                format: st.format.clone(),
                encoding: st.encoding.clone(),
                period_from: st.period_from,
                period_to: st.period_to,
                documents: st.transactions.len(),
                size: s.content.len(),
                attached_at: s.attached_at.clone(),
                attached_by: s.attached_by.clone(),
            });
            statements.push(st);
        }
        let overrides: Vec<Reclassification> = notes
            .iter()
            .map(|r| Reclassification {
                file: r.file_name.clone(),
                line: r.line,
                kind: r.kind.as_deref().and_then(parse_kind),
                note: r.note.clone(),
            })
            .collect();
        let as_of = case.application_date;
        let income = analyse(
            &statements,
            as_of,
            &self.product,
            &self.classification,
            &overrides,
        );
        let applied = !files.is_empty() && case.parties[party].incomes == case_sources(&income);
        let share = self.classification.official_gap_share;
        let official = case.parties[party]
            .official_income
            .as_ref()
            .map(|o| official::compare(o, &income, share));
        Ok(IncomeView {
            official,
            case_id: case.case_id.clone(),
            party,
            as_of,
            files,
            income,
            reclassifications: notes
                .into_iter()
                .map(|r| ReclassificationView {
                    kind: r.kind.as_deref().and_then(parse_kind),
                    file: r.file_name,
                    line: r.line,
                    note: r.note,
                    at: r.at,
                    actor: r.actor,
                })
                .collect(),
            applied,
        })
    }

    /// Attaches statement files (name, bytes) to a party: every file is read first, and
    /// one that fails refuses the whole batch with its file and line.
    pub fn attach_statements(
        &self,
        case_id: &str,
        party: usize,
        files: Vec<(String, Vec<u8>)>,
    ) -> Result<IncomeView> {
        self.case_with_party(case_id, party)?;
        if files.is_empty() {
            return Err(AppError::new(ErrorCode::InvalidInput, "no files to attach"));
        }
        for (i, (name, bytes)) in files.iter().enumerate() {
            if files[..i].iter().any(|(n, _)| n == name) {
                return Err(AppError::new(
                    ErrorCode::InvalidInput,
                    format!("{name}: the same file name twice in one batch; nothing was attached"),
                ));
            }
            crate::untrusted::statement(name, bytes).map_err(crate::untrusted::nothing_attached)?;
        }
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        let detail = serde_json::json!({"party": party, "files": names}).to_string();
        let actor = self.note_edit(case_id)?;
        let at = now_rfc3339();
        self.store()?.attach_statements(
            case_id,
            party,
            &files,
            &Stamp {
                at: &at,
                actor: &actor,
                event: "statements_attached",
                detail: &detail,
            },
        )?;
        self.statement_income(case_id, party)
    }

    /// Reads files from disk (reporting progress) and attaches them.
    pub fn attach_statement_files(
        &self,
        case_id: &str,
        party: usize,
        paths: &[PathBuf],
        progress: &mut dyn FnMut(ReadProgress),
    ) -> Result<IncomeView> {
        self.case_with_party(case_id, party)?;
        let files = read_with_progress(paths, progress)?;
        self.attach_statements(case_id, party, files)
    }

    pub fn remove_statement(&self, case_id: &str, party: usize, id: i64) -> Result<IncomeView> {
        // Found among the stored files, not re-read: a file the readers refuse today
        // (kept before their limits were what they are) can still be taken off.
        self.case_with_party(case_id, party)?;
        let stored = self.store()?.statements(case_id, party)?;
        let file = stored.iter().find(|f| f.id == id).ok_or_else(|| {
            AppError::new(
                ErrorCode::NotFound,
                format!("statement {id} is not attached to party {party} of {case_id}"),
            )
        })?;
        let detail = serde_json::json!({"party": party, "file": file.file_name}).to_string();
        let actor = self.note_edit(case_id)?;
        let at = now_rfc3339();
        self.store()?.remove_statement(
            case_id,
            id,
            &Stamp {
                at: &at,
                actor: &actor,
                event: "statement_removed",
                detail: &detail,
            },
        )?;
        self.statement_income(case_id, party)
    }

    /// Reclassifies one credit (`kind` None: not income). The note is required: it is
    /// the reason a reviewer reads.
    pub fn reclassify(
        &self,
        case_id: &str,
        party: usize,
        file: &str,
        line: usize,
        kind: Option<IncomeKind>,
        note: &str,
    ) -> Result<IncomeView> {
        let note = note.trim();
        if note.is_empty() {
            return Err(AppError::new(
                ErrorCode::InvalidInput,
                "note: a reclassification needs a note that says why",
            ));
        }
        let view = self.statement_income(case_id, party)?;
        let t = view
            .income
            .transactions
            .iter()
            .find(|t| &*t.file == file && t.line == line)
            .ok_or_else(|| {
                AppError::new(
                    ErrorCode::NotFound,
                    format!("{file}:{line}: no transaction there in party {party}'s statements"),
                )
            })?;
        if t.direction != uw_domain::income::statements::Direction::Credit {
            return Err(AppError::new(
                ErrorCode::InvalidInput,
                format!("{file}:{line}: a debit is not income and cannot be reclassified"),
            ));
        }
        let detail = serde_json::json!({
            "party": party, "file": file, "line": line,
            "before": t.kind.map(IncomeKind::as_str), "after": kind.map(IncomeKind::as_str),
            "note": note,
        })
        .to_string();
        let actor = self.note_edit(case_id)?;
        let at = now_rfc3339();
        self.store()?.set_reclassification(
            case_id,
            &StoredReclassification {
                party,
                file_name: file.to_string(),
                line,
                kind: kind.map(|k| k.as_str().to_string()),
                note: note.to_string(),
                at: at.clone(),
                actor: actor.clone(),
            },
            &Stamp {
                at: &at,
                actor: &actor,
                event: "reclassified",
                detail: &detail,
            },
        )?;
        self.statement_income(case_id, party)
    }

    /// Replaces the party's `incomes` with the usable sources the statements show, as an
    /// ordinary edit of the case (each changed field recorded, the version checked).
    pub fn apply_statement_income(
        &self,
        case_id: &str,
        party: usize,
        expected_version: i64,
    ) -> Result<CaseView> {
        let view = self.statement_income(case_id, party)?;
        if view.files.is_empty() {
            return Err(AppError::new(
                ErrorCode::InvalidInput,
                format!("party {party}: no statements attached; nothing to apply"),
            ));
        }
        let mut case = self.case_with_party(case_id, party)?;
        case.parties[party].incomes = case_sources(&view.income);
        let value = serde_json::to_value(&case)
            .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
        self.save_case(case_id, expected_version, value)
    }
}

pub mod files;
#[cfg(test)]
mod tests;

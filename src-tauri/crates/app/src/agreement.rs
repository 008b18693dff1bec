//! The printed credit agreement of a case, as the service gives it: only for a case the
//! engine approves and a second person signed off (the workflow's approval and the case's
//! review both; with the bank's directory, the approval the bank accepted), stamped with
//! the stored case version and its content hash — the same SHA-256 the core bank keeps for
//! that version — so the paper matches what the bank holds. The agreement is printed from
//! the store only; a case file prints as a specimen, marked on every page as no agreement.

use std::path::{Path, PathBuf};

use serde::Serialize;
use ts_rs::TS;
use uw_agreement::{AgreementError, Lang, Printed, Stamp};
use uw_domain::review::Stage;
use uw_domain::CaseFile;

use crate::error::{AppError, ErrorCode, Result};
use crate::{now_rfc3339, Workstation};

/// The agreement's pages for the window, and what they were printed from.
#[derive(Clone, Debug, Serialize, TS)]
pub struct AgreementPreview {
    pub case_id: String,
    pub version: i64,
    /// The first 12 hex digits of the case version's SHA-256, as every page shows it.
    pub short_hash: String,
    pub lang: String,
    /// One SVG document per page.
    pub pages: Vec<String>,
}

/// A printed agreement's file, and whether the system's viewer was started on it (its
/// Print prints it).
#[derive(Clone, Debug, Serialize, TS)]
pub struct PrintedFile {
    pub path: String,
    pub opened: bool,
}

pub(crate) fn refused(e: AgreementError) -> AppError {
    let code = match e {
        AgreementError::NotPrintable(_)
        | AgreementError::NotOffered(_)
        | AgreementError::NoLetter(_)
        | AgreementError::NoMemo(_) => ErrorCode::NotPrintable,
        AgreementError::MissingGlyph { .. } | AgreementError::Words(_) => ErrorCode::InvalidInput,
        AgreementError::Template { .. } | AgreementError::Pdf(_) => ErrorCode::Internal,
    };
    AppError::new(code, e.to_string())
}

pub fn parse_lang(lang: &str) -> Result<Lang> {
    Lang::parse(lang).ok_or_else(|| {
        AppError::new(
            ErrorCode::InvalidInput,
            format!("lang: {lang:?} is not uz or ru"),
        )
    })
}

/// The stamp of a case file's text: its id, a version and the content hash.
pub(crate) fn stamp(case: &CaseFile, version: i64, json: &str) -> Result<Stamp> {
    let sha256 = uw_bank_link::api::content_hash(json).ok_or_else(|| {
        AppError::new(ErrorCode::Internal, "the case file is not JSON".to_string())
    })?;
    Ok(Stamp {
        case_id: case.case_id.clone(),
        version: u64::try_from(version).unwrap_or(0),
        sha256,
    })
}

impl Workstation {
    /// The stored case, checked printable, with its stamp.
    fn printable(&self, case_id: &str) -> Result<(CaseFile, uw_domain::Evaluation, Stamp)> {
        let (stored, case) = self.stored_case(case_id)?;
        let workflow = self.load_workflow(case_id)?;
        let stage = workflow.stage;
        if self.directory_mode() && stage == Stage::Approved && workflow.accepted_at.is_none() {
            return Err(AppError::new(
                ErrorCode::NotPrintable,
                format!("the agreement is printed only once the bank has accepted the approval of {case_id}"),
            ));
        }
        if stage != Stage::Approved {
            return Err(AppError::new(
                ErrorCode::NotPrintable,
                format!(
                    "the agreement is printed only for an approved and reviewed case: {case_id} is {}",
                    stage.as_str()
                ),
            ));
        }
        // The paper says what was approved, or nothing.
        self.check_approved_terms(case_id, "the agreement")
            .map_err(|e| {
                AppError::new(
                    ErrorCode::NotPrintable,
                    format!("{}: {}", e.code_name(), e.message),
                )
            })?;
        let evaluation = self.evaluate_case(&case);
        let stamp = stamp(&case, stored.version, &stored.case_json)?;
        Ok((case, evaluation, stamp))
    }

    /// The pages of the agreement, for the window's preview.
    pub fn agreement_preview(&self, case_id: &str, lang: &str) -> Result<AgreementPreview> {
        let lang = parse_lang(lang)?;
        let (case, evaluation, stamp) = self.printable(case_id)?;
        let pages = uw_agreement::preview(&case, &evaluation, lang, &stamp).map_err(refused)?;
        Ok(AgreementPreview {
            case_id: case.case_id,
            version: i64::try_from(stamp.version).unwrap_or(0),
            short_hash: stamp.short().to_string(),
            lang: lang.as_str().into(),
            pages,
        })
    }

    /// Writes the agreement's PDF for the system's viewer into the private data folder
    /// (`agreements/`, 0600) and records the printing in the case's history; returns the
    /// file. The agreement itself stays in the encrypted store (the stored case and its
    /// stamp print the same PDF again): the file is the viewer's copy only, removed at the
    /// next print, at logout and when the workstation opens (a copy a viewer still holds
    /// open goes when it closes it).
    pub fn print_agreement(&self, case_id: &str, lang: &str) -> Result<PathBuf> {
        self.for_the_viewer(|write| self.agreement_pdf(case_id, lang, write))
    }

    /// Writes the rejection letter's PDF for the system's viewer, as
    /// [`Self::print_agreement`] writes the agreement's (the same private folder, the same
    /// sweeps), and records the printing; returns the file.
    pub fn print_rejection_letter(&self, case_id: &str, lang: &str) -> Result<PathBuf> {
        self.for_the_viewer(|write| self.rejection_letter_pdf(case_id, lang, write))
    }

    /// The viewer's copy of what `print` writes (its name, its bytes), in the private
    /// folder, the copies before it removed first; the file's path.
    pub(crate) fn for_the_viewer(
        &self,
        print: impl FnOnce(&mut dyn FnMut(&str, &[u8]) -> Result<()>) -> Result<Printed>,
    ) -> Result<PathBuf> {
        self.clear_printed();
        let dir = self.data_dir.join(PRINTED_DIR);
        let mut path = PathBuf::new();
        print(&mut |name, pdf| {
            path = dir.join(name);
            write_file(&dir, &path, pdf)
        })?;
        Ok(path)
    }

    /// Removes the viewer's copies of printed agreements; returns how many went. A copy
    /// that cannot be removed now (a viewer holding it, on Windows) goes at the next sweep.
    pub fn clear_printed(&self) -> usize {
        let Ok(entries) = std::fs::read_dir(self.data_dir.join(PRINTED_DIR)) else {
            return 0;
        };
        entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .filter(|e| std::fs::remove_file(e.path()).is_ok())
            .count()
    }

    /// The official agreement as PDF bytes, for a caller that writes the file itself
    /// (`uw agreement CASE_ID -o FILE`): the stored case, checked as [`Self::print_agreement`]
    /// checks it and stamped the same way; no viewer, nothing written here. `write` gets
    /// the file's usual name (`CASE-vN-LANG.pdf`) and the bytes; once it succeeded, the
    /// printing is recorded in the case's history (`agreement_printed`), as the window's.
    pub fn agreement_pdf(
        &self,
        case_id: &str,
        lang: &str,
        write: impl FnOnce(&str, &[u8]) -> Result<()>,
    ) -> Result<Printed> {
        let lang = parse_lang(lang)?;
        let (case, evaluation, stamp) = self.printable(case_id)?;
        let printed = uw_agreement::render(&case, &evaluation, lang, &stamp).map_err(refused)?;
        let name = format!("{}-v{}-{}.pdf", case.case_id, stamp.version, lang.as_str());
        write(&name, &printed.pdf)?;
        let (actor, _) = self.acting()?;
        let detail = serde_json::json!({
            "lang": lang.as_str(),
            "version": stamp.version,
            "sha256": stamp.sha256,
            "pages": printed.pages,
        });
        self.store()?.record_event(
            case_id,
            &now_rfc3339(),
            &actor,
            "agreement_printed",
            &detail.to_string(),
        )?;
        Ok(printed)
    }
}

impl Workstation {
    /// The rejection letter of a stored case a second person rejected (with the bank's
    /// directory, the rejection the bank accepted), as PDF bytes for a caller that writes
    /// the file (`uw letter CASE_ID -o FILE`): stamped with the stored version as the
    /// agreement is; once written, recorded in the case's history
    /// (`rejection_letter_printed`).
    pub fn rejection_letter_pdf(
        &self,
        case_id: &str,
        lang: &str,
        write: impl FnOnce(&str, &[u8]) -> Result<()>,
    ) -> Result<Printed> {
        let lang = parse_lang(lang)?;
        let (stored, case) = self.stored_case(case_id)?;
        let workflow = self.load_workflow(case_id)?;
        let refuse = |why: String| {
            AppError::new(
                ErrorCode::NotPrintable,
                format!("the rejection letter is printed only for a rejected case: {why}"),
            )
        };
        if workflow.stage != Stage::Rejected {
            return Err(refuse(format!("{case_id} is {}", workflow.stage.as_str())));
        }
        if self.directory_mode() && workflow.accepted_at.is_none() {
            return Err(refuse(format!(
                "the bank has not accepted the rejection of {case_id} yet"
            )));
        }
        // The letter is the bank's answer now: while the product is stopped for the
        // case's branch (passport §9) it says so and offers no terms the bank would refuse.
        let evaluation = uw_domain::evaluate(
            &case,
            &self.product,
            &uw_domain::EvalOptions {
                product_suspended: self.suspension(&case.branch),
                ..uw_domain::EvalOptions::default()
            },
        );
        let stamp = stamp(&case, stored.version, &stored.case_json)?;
        let printed =
            uw_agreement::render_letter(&case, &evaluation, lang, &stamp).map_err(refused)?;
        self.hand_over(case_id, "letter", lang, &stamp, printed, write)
    }

    /// A paper of `what` (`letter`, `memo`) written by `write` under its usual name
    /// (`CASE-vN-WHAT-LANG.pdf`), then its printing recorded in the case's history
    /// (`WHAT_printed`: the language, the version and its hash, the pages).
    pub(crate) fn hand_over(
        &self,
        case_id: &str,
        what: &str,
        lang: Lang,
        stamp: &Stamp,
        printed: Printed,
        write: impl FnOnce(&str, &[u8]) -> Result<()>,
    ) -> Result<Printed> {
        let name = format!(
            "{}-v{}-{what}-{}.pdf",
            stamp.case_id,
            stamp.version,
            lang.as_str()
        );
        write(&name, &printed.pdf)?;
        let (actor, _) = self.acting()?;
        let detail = serde_json::json!({
            "lang": lang.as_str(), "version": stamp.version, "sha256": stamp.sha256,
            "pages": printed.pages,
        });
        let event = match what {
            "letter" => "rejection_letter_printed".to_string(),
            other => format!("{other}_printed"),
        };
        self.store()?
            .record_event(case_id, &now_rfc3339(), &actor, &event, &detail.to_string())?;
        Ok(printed)
    }
}

/// The folder, inside the data folder, of the viewer's copies.
const PRINTED_DIR: &str = "agreements";

fn write_file(dir: &Path, path: &Path, bytes: &[u8]) -> Result<()> {
    let io = |e: std::io::Error| AppError::new(ErrorCode::Io, format!("{}: {e}", path.display()));
    // The name is the case's id and more: a file in `dir` itself, whatever a stored id says
    // (ids are checked on every way in: `uw_domain::case::is_case_id`).
    if path.parent() != Some(dir) || path.file_name().is_none() {
        return Err(AppError::new(
            ErrorCode::InvalidInput,
            format!(
                "{}: a printed file's name must not leave its folder",
                path.display()
            ),
        ));
    }
    std::fs::create_dir_all(dir).map_err(io)?;
    crate::paths::write_atomically(path, bytes)
}

/// The **specimen** of a case file (`uw agreement --specimen FILE`): the agreement's layout,
/// every page marked "NAMUNA — SHARTNOMA EMAS" ("ОБРАЗЕЦ — НЕ ДОГОВОР"), for checking the
/// templates. Neither a review nor an approval is asked (a file's review is not trusted),
/// but the case must read and evaluate; the stamp is the file's content hash. A case file
/// never prints as the agreement itself: that is [`Workstation::agreement_pdf`], from the
/// store.
pub fn specimen_from_file(path: &Path, lang: &str) -> Result<Printed> {
    let lang = parse_lang(lang)?;
    let text = crate::cases::read_text(path)?;
    let case = uw_domain::parse_case(&text)
        .map_err(|e| AppError::new(ErrorCode::InvalidCase, format!("{}: {e}", path.display())))?;
    let evaluation = uw_domain::evaluate(
        &case,
        &crate::default_product(),
        &uw_domain::EvalOptions::default(),
    );
    let version = case.review.as_ref().map_or(0, |r| r.case_version);
    let stamp = stamp(&case, i64::try_from(version).unwrap_or(0), &text)?;
    uw_agreement::render_specimen(&case, &evaluation, lang, &stamp).map_err(|e| {
        let mut err = refused(e);
        err.message = format!("{}: {}", path.display(), err.message);
        err
    })
}

/// The client's offer and schedule sheet of a case file: the pre-contract disclosure,
/// which binds no one, so it prints from a file as a specimen does — but only of terms the
/// engine does not reject (`NOT_PRINTABLE` naming its rules otherwise).
pub fn offer_from_file(path: &Path, lang: &str) -> Result<Printed> {
    let lang = parse_lang(lang)?;
    let text = crate::cases::read_text(path)?;
    let case = uw_domain::parse_case(&text)
        .map_err(|e| AppError::new(ErrorCode::InvalidCase, format!("{}: {e}", path.display())))?;
    let evaluation = uw_domain::evaluate(
        &case,
        &crate::default_product(),
        &uw_domain::EvalOptions::default(),
    );
    let stamp = stamp(&case, 0, &text)?;
    uw_agreement::render_offer(&case, &evaluation, lang, &stamp).map_err(|e| {
        let mut err = refused(e);
        err.message = format!("{}: {}", path.display(), err.message);
        err
    })
}

#[cfg(test)]
mod tests;

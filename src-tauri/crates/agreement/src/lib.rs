//! The printed credit agreement: the paper the client signs, in Uzbek (Latin, the default)
//! or Russian.
//!
//! Invariant: the only crate that knows PDF. It does no I/O either: the case, its
//! evaluation and the stamp of the case version come in, bytes go out; the application
//! service decides what may be printed and writes the file.
//!
//! The pipeline is three plain steps: [`content`] turns the case and the clause templates
//! (`assets/agreement/*.json`, never string literals here) into blocks of text; [`layout`]
//! measures every word with the font's own metrics and places the blocks on A4 pages
//! (line breaking, page breaks, the schedule's header repeated, widow control, page numbers,
//! the QR code and short SHA-256 of the case version on every page); [`pdf`] writes the
//! pages with printpdf and [`svg`] draws the same pages for the window's preview, so the
//! preview is the print.
//!
//! Deterministic: the same case version gives the same bytes — fixed font ids, the
//! document's dates taken from the review's signature, the trailer `/ID` from the case
//! version's hash (printpdf would draw it from a process-wide generator).

mod content;
mod layout;
mod pdf;
mod svg;
mod template;
pub mod words;

use serde::{Deserialize, Serialize};
use uw_domain::case::{CaseFile, ReviewDecision};
use uw_domain::decision::Decision;
use uw_domain::Evaluation;

/// The agreement's language.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Uzbek, Latin script.
    #[default]
    Uz,
    Ru,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim() {
            "uz" => Some(Lang::Uz),
            "ru" => Some(Lang::Ru),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Uz => "uz",
            Lang::Ru => "ru",
        }
    }
}

/// The case version a printed paper was made from, so it can be matched to what the core
/// bank holds: the case id, its version number and the SHA-256 of its content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stamp {
    pub case_id: String,
    pub version: u64,
    /// 64 lowercase hex digits.
    pub sha256: String,
}

impl Stamp {
    /// The short hash printed on every page: the first 12 hex digits.
    pub fn short(&self) -> &str {
        self.sha256.get(..12).unwrap_or(&self.sha256)
    }

    /// What the QR code on every page holds.
    pub fn qr_text(&self) -> String {
        format!(
            "UW-AGREEMENT;{};v{};sha256={}",
            self.case_id, self.version, self.sha256
        )
    }
}

/// A printed agreement.
#[derive(Clone, Debug)]
pub struct Printed {
    pub pdf: Vec<u8>,
    pub pages: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AgreementError {
    /// The case may not be printed; the message names what is missing.
    #[error("the agreement is printed only for an approved and reviewed case: {0}")]
    NotPrintable(String),
    /// Text the font cannot draw: printed as an empty box it would mislead.
    #[error("the font has no glyph for {ch:?} (U+{code:04X}) in {context:?}")]
    MissingGlyph {
        ch: char,
        code: u32,
        context: String,
    },
    #[error("agreement template ({lang}): {message}")]
    Template { lang: &'static str, message: String },
    #[error(transparent)]
    Words(#[from] words::WordsError),
    #[error("writing the PDF: {0}")]
    Pdf(String),
}

/// What must hold before an agreement is printed: the engine approves the stored case and
/// a second person approved it. Each missing thing is named.
pub fn check_printable(case: &CaseFile, evaluation: &Evaluation) -> Result<(), AgreementError> {
    let mut missing = Vec::new();
    if evaluation.decision != Decision::Approve {
        let codes: Vec<&str> = evaluation.reasons.iter().map(|r| r.code.as_str()).collect();
        missing.push(format!(
            "the engine's decision is {} ({})",
            evaluation.decision.as_str(),
            codes.join(", ")
        ));
    }
    match &case.review {
        None => missing.push("no second person has signed the review".to_string()),
        Some(r) if r.decision != ReviewDecision::Approve => {
            missing.push(format!("the review by {} rejected the case", r.checker))
        }
        Some(_) => {}
    }
    if evaluation.schedule.is_none() {
        missing.push("there is no repayment schedule".to_string());
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(AgreementError::NotPrintable(missing.join("; ")))
    }
}

/// The agreement as PDF bytes.
pub fn render(
    case: &CaseFile,
    evaluation: &Evaluation,
    lang: Lang,
    stamp: &Stamp,
) -> Result<Printed, AgreementError> {
    let pages = laid_out(case, evaluation, lang, stamp)?;
    let info = pdf::DocInfo::of(case, lang, stamp);
    Ok(Printed {
        pdf: pdf::write(&pages, &info)?,
        pages: pages.len(),
    })
}

/// The same pages as SVG documents, one per page (the window's preview).
pub fn preview(
    case: &CaseFile,
    evaluation: &Evaluation,
    lang: Lang,
    stamp: &Stamp,
) -> Result<Vec<String>, AgreementError> {
    let pages = laid_out(case, evaluation, lang, stamp)?;
    Ok(pages.iter().map(svg::page).collect())
}

fn laid_out(
    case: &CaseFile,
    evaluation: &Evaluation,
    lang: Lang,
    stamp: &Stamp,
) -> Result<Vec<layout::Page>, AgreementError> {
    check_printable(case, evaluation)?;
    let template = template::of(lang)?;
    let blocks = content::blocks(case, evaluation, lang, &template)?;
    layout::paginate(&blocks, stamp, &template.labels)
}

/// The pages of a PDF someone brought (a scanned document), or why it does not read. This
/// crate is the workstation's one reader and writer of PDF, so the check of a scan is here.
pub fn pdf_page_count(bytes: &[u8]) -> Result<usize, String> {
    let doc = lopdf::Document::load_mem(bytes).map_err(|e| format!("not a readable PDF: {e}"))?;
    match doc.get_pages().len() {
        0 => Err("a PDF without pages".into()),
        n => Ok(n),
    }
}

#[cfg(test)]
mod tests;

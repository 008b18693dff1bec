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
//! Every page carries the case version's number and its SHA-256 — the content hash the
//! core bank keeps for the version (`uw_bank_link::api::content_hash`), so paper and bank
//! match — short on the page, whole in the QR code, which also says what the paper is
//! ([`Stamp::qr_of`]: `UW-AGREEMENT`, `UW-SPECIMEN`, `UW-OFFER`, `UW-LETTER`, `UW-MEMO`).
//!
//! The client's **offer sheet** ([`render_offer`]) is the pre-contract disclosure from the
//! same layout: the terms, the full cost (the effective annual rate, the interest, the total
//! payable) and every payment, dated by the application, in its own wording
//! (`assets/agreement/offer-*.json`; labels and words are the agreement's), every page
//! marked "TAKLIF — SHARTNOMA EMAS" ("ПРЕДЛОЖЕНИЕ — НЕ ДОГОВОР") and its QR code saying
//! offer with the file's hash. It binds no one, so it prints from a case file, but only of
//! terms the engine does not reject (the reading taken: a client is not shown as offered
//! what the bank's rules refuse; approve and refer print).
//!
//! The **rejection letter** ([`render_letter`]) tells the client of a case a second person
//! rejected why, in plain words and without internal codes, what could change, and the
//! engine's counter-offers (`assets/agreement/letter-*.json`); dated by the review, stamped
//! and QR-coded with the case version as the agreement is.
//!
//! A **specimen** ([`render_specimen`]) is the same layout from any case file, for checking
//! the templates: no approval asked, every page marked across "NAMUNA — SHARTNOMA EMAS"
//! ("ОБРАЗЕЦ — НЕ ДОГОВОР") in a light band and in the footer, both in the text layer, and
//! a QR code that says specimen with the file's hash. The markings are in the code, not in
//! the templates, so no template edit drops them ([`Lang::specimen_mark`]). Only an
//! approved case of the store prints as an agreement.
//!
//! Deterministic: the same case version gives the same bytes — fixed font ids, the
//! document's dates taken from the review's signature (a specimen without one: the
//! application date), the trailer `/ID` from the case version's hash (printpdf would draw
//! it from a process-wide generator). A specimen of the same file is byte-identical too.

mod content;
mod layout;
mod letter;
pub mod memo;
mod pdf;
mod scan;
mod sheet;
mod svg;
mod template;
pub mod words;

pub use scan::{pdf_pages, ScanRefusal, MAX_INFLATED, MAX_STREAM_INFLATED};
pub use sheet::{recovery_sheet, Sheet};

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

    /// The marking across every page of a specimen. Here and not in the clause templates:
    /// it is a control (a specimen never passes for an agreement), not wording that an edit
    /// of a template may drop.
    pub fn specimen_mark(self) -> &'static str {
        match self {
            Lang::Uz => "NAMUNA — SHARTNOMA EMAS",
            Lang::Ru => "ОБРАЗЕЦ — НЕ ДОГОВОР",
        }
    }

    /// The marking across every page of an offer sheet: a control too (an offer never
    /// passes for the agreement).
    pub fn offer_mark(self) -> &'static str {
        match self {
            Lang::Uz => "TAKLIF — SHARTNOMA EMAS",
            Lang::Ru => "ПРЕДЛОЖЕНИЕ — НЕ ДОГОВОР",
        }
    }

    /// The marking across every page of a decision memo: an internal paper of the credit
    /// file, never handed to the client.
    pub fn memo_mark(self) -> &'static str {
        match self {
            Lang::Uz => "ICHKI HUJJAT",
            Lang::Ru => "ВНУТРЕННИЙ ДОКУМЕНТ",
        }
    }

    /// The marking of a print of `kind`, if any.
    pub fn mark(self, kind: Kind) -> Option<&'static str> {
        match kind {
            Kind::Specimen => Some(self.specimen_mark()),
            Kind::Offer => Some(self.offer_mark()),
            Kind::Memo => Some(self.memo_mark()),
            Kind::Agreement | Kind::Letter => None,
        }
    }
}

/// What is printed: the agreement itself, or a specimen of its layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The paper the client signs: only of a case the engine and a second person approved.
    Agreement,
    /// The same layout from any case file, for checking the templates; every page is
    /// marked as no agreement and its QR code says so.
    Specimen,
    /// The client's offer and schedule sheet: the pre-contract disclosure, in its own
    /// wording, marked as no agreement.
    Offer,
    /// The rejection letter of a case a second person rejected.
    Letter,
    /// The decision memo of a decided case, for the credit file.
    Memo,
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

    /// What the QR code on every page of a specimen holds: the case file's hash, no
    /// version (a file is no version of the bank's).
    pub fn specimen_qr_text(&self) -> String {
        format!("UW-SPECIMEN;{};sha256={}", self.case_id, self.sha256)
    }

    /// What the QR code on every page of an offer sheet holds: the case file's hash, as
    /// a specimen's (an offer is of a file, no version of the bank's).
    pub fn offer_qr_text(&self) -> String {
        format!("UW-OFFER;{};sha256={}", self.case_id, self.sha256)
    }

    /// What the QR code of a print of `kind` holds.
    pub fn qr_of(&self, kind: Kind) -> String {
        match kind {
            Kind::Agreement => self.qr_text(),
            Kind::Specimen => self.specimen_qr_text(),
            Kind::Offer => self.offer_qr_text(),
            Kind::Letter => format!(
                "UW-LETTER;{};v{};sha256={}",
                self.case_id, self.version, self.sha256
            ),
            Kind::Memo => format!(
                "UW-MEMO;{};v{};sha256={}",
                self.case_id, self.version, self.sha256
            ),
        }
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
    /// No decision memo for this case (undecided); the message names why.
    #[error("the decision memo is printed only for a decided case: {0}")]
    NoMemo(String),
    /// No rejection letter for this case; the message names why.
    #[error("the rejection letter is printed only for a case a second person rejected: {0}")]
    NoLetter(String),
    /// The terms may not be offered; the message names why.
    #[error("an offer is printed only of terms the engine does not reject, with a schedule: {0}")]
    NotOffered(String),
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

/// The agreement as PDF bytes: refused unless [`check_printable`] holds.
pub fn render(
    case: &CaseFile,
    evaluation: &Evaluation,
    lang: Lang,
    stamp: &Stamp,
) -> Result<Printed, AgreementError> {
    check_printable(case, evaluation)?;
    printed(case, evaluation, lang, stamp, Kind::Agreement)
}

/// What must hold before terms are offered: the engine does not reject them (approve, or
/// refer to a person), and they have a schedule. A rejected case's client is told why
/// by the rejection letter, with a counter-offer when there is one; a counter-offer is
/// offered once its terms are the case's.
pub fn check_offerable(evaluation: &Evaluation) -> Result<(), AgreementError> {
    let mut why = Vec::new();
    if evaluation.decision == Decision::Reject {
        let codes: Vec<&str> = evaluation.reasons.iter().map(|r| r.code.as_str()).collect();
        why.push(format!(
            "the engine rejects these terms ({})",
            codes.join(", ")
        ));
    }
    if evaluation.schedule.is_none() {
        why.push("there is no repayment schedule".to_string());
    }
    if why.is_empty() {
        Ok(())
    } else {
        Err(AgreementError::NotOffered(why.join("; ")))
    }
}

/// The client's offer and schedule sheet as PDF bytes: refused unless
/// [`check_offerable`] holds; every page marked [`Lang::offer_mark`].
pub fn render_offer(
    case: &CaseFile,
    evaluation: &Evaluation,
    lang: Lang,
    stamp: &Stamp,
) -> Result<Printed, AgreementError> {
    check_offerable(evaluation)?;
    printed(case, evaluation, lang, stamp, Kind::Offer)
}

/// The rejection letter as PDF bytes: refused unless a second person's review rejected
/// the case.
pub fn render_letter(
    case: &CaseFile,
    evaluation: &Evaluation,
    lang: Lang,
    stamp: &Stamp,
) -> Result<Printed, AgreementError> {
    match &case.review {
        Some(r) if r.decision == ReviewDecision::Reject => {}
        Some(r) => {
            return Err(AgreementError::NoLetter(format!(
                "the review by {} approved it",
                r.checker
            )))
        }
        None => {
            return Err(AgreementError::NoLetter(
                "no second person has signed the review".into(),
            ))
        }
    }
    printed(case, evaluation, lang, stamp, Kind::Letter)
}

/// The decision memo as PDF bytes: refused unless the case is decided (approved or
/// rejected, as `facts.stage` says).
pub fn render_memo(
    case: &CaseFile,
    evaluation: &Evaluation,
    facts: &memo::MemoFacts,
    lang: Lang,
    stamp: &Stamp,
) -> Result<Printed, AgreementError> {
    if !matches!(facts.stage.as_str(), "approved" | "rejected") {
        return Err(AgreementError::NoMemo(format!(
            "{} is {}",
            case.case_id, facts.stage
        )));
    }
    let template = template::of(lang)?;
    let blocks = memo::blocks(case, evaluation, facts, lang, &template, &memo::text(lang)?)?;
    finish(case, lang, stamp, Kind::Memo, &blocks, &template)
}

/// A specimen as PDF bytes: the agreement's layout from any case (no approval, no review
/// asked), every page marked [`Lang::specimen_mark`].
pub fn render_specimen(
    case: &CaseFile,
    evaluation: &Evaluation,
    lang: Lang,
    stamp: &Stamp,
) -> Result<Printed, AgreementError> {
    printed(case, evaluation, lang, stamp, Kind::Specimen)
}

/// The agreement's pages as SVG documents, one per page (the window's preview): refused
/// unless [`check_printable`] holds.
pub fn preview(
    case: &CaseFile,
    evaluation: &Evaluation,
    lang: Lang,
    stamp: &Stamp,
) -> Result<Vec<String>, AgreementError> {
    check_printable(case, evaluation)?;
    let pages = laid_out(case, evaluation, lang, stamp, Kind::Agreement)?;
    Ok(pages.iter().map(svg::page).collect())
}

/// A specimen's pages as SVG documents: the same marking as its PDF.
pub fn preview_specimen(
    case: &CaseFile,
    evaluation: &Evaluation,
    lang: Lang,
    stamp: &Stamp,
) -> Result<Vec<String>, AgreementError> {
    let pages = laid_out(case, evaluation, lang, stamp, Kind::Specimen)?;
    Ok(pages.iter().map(svg::page).collect())
}

/// Blocks made elsewhere as a PDF.
fn finish(
    case: &CaseFile,
    lang: Lang,
    stamp: &Stamp,
    kind: Kind,
    blocks: &[layout::Block],
    template: &template::Template,
) -> Result<Printed, AgreementError> {
    let pages = paginated(blocks, lang, stamp, kind, template)?;
    let info = pdf::DocInfo::of(case, lang, stamp, kind);
    Ok(Printed {
        pdf: pdf::write(&pages, &info)?,
        pages: pages.len(),
    })
}

fn printed(
    case: &CaseFile,
    evaluation: &Evaluation,
    lang: Lang,
    stamp: &Stamp,
    kind: Kind,
) -> Result<Printed, AgreementError> {
    let pages = laid_out(case, evaluation, lang, stamp, kind)?;
    let info = pdf::DocInfo::of(case, lang, stamp, kind);
    Ok(Printed {
        pdf: pdf::write(&pages, &info)?,
        pages: pages.len(),
    })
}

fn laid_out(
    case: &CaseFile,
    evaluation: &Evaluation,
    lang: Lang,
    stamp: &Stamp,
    kind: Kind,
) -> Result<Vec<layout::Page>, AgreementError> {
    let template = match kind {
        Kind::Agreement | Kind::Specimen | Kind::Letter | Kind::Memo => template::of(lang)?,
        Kind::Offer => template::offer(lang)?,
    };
    let blocks = match kind {
        Kind::Letter => letter::blocks(case, evaluation, lang, &template, &letter::text(lang)?)?,
        _ => content::blocks(case, evaluation, lang, &template)?,
    };
    paginated(&blocks, lang, stamp, kind, &template)
}

/// The blocks on pages, stamped and marked as `kind` is.
fn paginated(
    blocks: &[layout::Block],
    lang: Lang,
    stamp: &Stamp,
    kind: Kind,
    template: &template::Template,
) -> Result<Vec<layout::Page>, AgreementError> {
    layout::paginate(
        blocks,
        stamp,
        &template.labels,
        lang.mark(kind),
        &stamp.qr_of(kind),
    )
}

#[cfg(test)]
mod tests;

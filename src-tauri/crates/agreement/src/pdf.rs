//! The laid-out pages as PDF, through printpdf (text_layout: only the glyphs used are
//! embedded), then finished with lopdf for what printpdf would leave to chance: the trailer
//! `/ID` (printpdf draws it from a process-wide generator) and the document's dates, both
//! taken from the case version so the same version gives the same bytes.
#![allow(clippy::float_arithmetic)] // page geometry in points; no money passes through here

use std::sync::OnceLock;

use lopdf::{Object, StringFormat};
use printpdf::{
    BuiltinFont, Color, FontId, Greyscale, Mm, Op, PaintMode, ParsedFont, PdfDocument, PdfFont,
    PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt, Rect, TextItem,
};
use sha2::{Digest, Sha256};
use uw_domain::CaseFile;

use crate::layout::{Item, Page, BOLD_TTF, MARK_GREY, PAGE_H, REGULAR_TTF, SHADE_GREY};
use crate::{AgreementError, Kind, Lang, Stamp};

/// What the document says of itself.
pub struct DocInfo {
    pub title: String,
    /// PDF date text ("D:YYYYMMDDHHmmSSZ"): the review's signature (a specimen without
    /// one, and an offer: the application date).
    pub date: String,
    /// The two halves of the trailer /ID.
    pub id: [u8; 16],
}

impl DocInfo {
    pub fn of(case: &CaseFile, lang: Lang, stamp: &Stamp, kind: Kind) -> DocInfo {
        // An offer is dated as it says, by the application: a review's signature after it
        // is none of its business.
        let review = case.review.as_ref().filter(|_| kind != Kind::Offer);
        let signed = review.map_or_else(
            || case.application_date.0.format("%Y%m%d").to_string(),
            |r| r.signed_at.clone(),
        );
        let digits: String = signed
            .chars()
            .filter(char::is_ascii_digit)
            .take(14)
            .collect();
        let digest = Sha256::digest(format!("{}|{}", stamp.qr_of(kind), lang.as_str()));
        let mut id = [0u8; 16];
        id.copy_from_slice(&digest[..16]);
        let title = match lang.mark(kind) {
            None => format!("{} ({})", stamp.case_id, lang.as_str()),
            Some(mark) => format!("{mark} — {} ({})", stamp.case_id, lang.as_str()),
        };
        DocInfo {
            title,
            date: format!("D:{digits:0<14}Z"),
            id,
        }
    }
}

/// The fonts, parsed once: (regular, bold).
fn fonts() -> Result<&'static (ParsedFont, ParsedFont), AgreementError> {
    static FONTS: OnceLock<Option<(ParsedFont, ParsedFont)>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut warnings = Vec::new();
            Some((
                ParsedFont::from_bytes(REGULAR_TTF, 0, &mut warnings)?,
                ParsedFont::from_bytes(BOLD_TTF, 0, &mut warnings)?,
            ))
        })
        .as_ref()
        .ok_or_else(|| AgreementError::Pdf("the embedded Noto Sans fonts do not parse".into()))
}

/// Fixed resource names: a random id per run would change the bytes.
const REGULAR: &str = "F1";
const BOLD: &str = "F2";

fn grey(level: f32) -> Op {
    Op::SetFillColor {
        col: Color::Greyscale(Greyscale::new(level, None)),
    }
}

fn text(out: &mut Vec<Op>, x: f32, y: f32, size: f32, bold: bool, text: &str) {
    let font = FontId(if bold { BOLD } else { REGULAR }.into());
    show(out, PdfFontHandle::External(font), x, y, size, text);
}

/// Text in PDF's built-in Courier Bold: nothing embedded, the same advance for every
/// character.
fn mono(out: &mut Vec<Op>, x: f32, y: f32, size: f32, text: &str) {
    show(
        out,
        PdfFontHandle::Builtin(BuiltinFont::CourierBold),
        x,
        y,
        size,
        text,
    );
}

/// One line of text in `font` at (`x`, `y`) from the page's top left.
fn show(out: &mut Vec<Op>, font: PdfFontHandle, x: f32, y: f32, size: f32, text: &str) {
    out.push(Op::StartTextSection);
    out.push(Op::SetFont {
        font,
        size: Pt(size),
    });
    out.push(Op::SetTextCursor {
        pos: Point {
            x: Pt(x),
            y: Pt(PAGE_H - y),
        },
    });
    out.push(Op::ShowText {
        items: vec![TextItem::Text(text.to_string())],
    });
    out.push(Op::EndTextSection);
}

fn ops(page: &Page) -> Vec<Op> {
    let mut out = Vec::with_capacity(page.items.len() * 5);
    for item in &page.items {
        match item {
            Item::Text {
                x,
                y,
                size,
                bold,
                text: t,
            } => text(&mut out, *x, *y, *size, *bold, t),
            // The specimen's band and marking: in grey, the black restored after them.
            Item::Shade { x, y, w, h } => {
                out.push(Op::SaveGraphicsState);
                out.push(grey(SHADE_GREY));
                out.push(Op::DrawRectangle {
                    rectangle: Rect {
                        x: Pt(*x),
                        y: Pt(PAGE_H - *y - *h),
                        width: Pt(*w),
                        height: Pt(*h),
                        mode: Some(PaintMode::Fill),
                        winding_order: None,
                    },
                });
                out.push(Op::RestoreGraphicsState);
            }
            Item::Mark {
                x,
                y,
                size,
                text: t,
            } => {
                out.push(Op::SaveGraphicsState);
                out.push(grey(MARK_GREY));
                text(&mut out, *x, *y, *size, true, t);
                out.push(Op::RestoreGraphicsState);
            }
            Item::Mono {
                x,
                y,
                size,
                text: t,
            } => mono(&mut out, *x, *y, *size, t),
            Item::Fill { x, y, w, h } => out.push(Op::DrawRectangle {
                rectangle: Rect {
                    x: Pt(*x),
                    y: Pt(PAGE_H - *y - *h),
                    width: Pt(*w),
                    height: Pt(*h),
                    mode: Some(PaintMode::Fill),
                    winding_order: None,
                },
            }),
            Item::Rule { x1, x2, y, width } => out.push(Op::DrawRectangle {
                rectangle: Rect {
                    x: Pt(*x1),
                    y: Pt(PAGE_H - *y - *width / 2.0),
                    width: Pt(*x2 - *x1),
                    height: Pt(*width),
                    mode: Some(PaintMode::Fill),
                    winding_order: None,
                },
            }),
        }
    }
    out
}

pub fn write(pages: &[Page], info: &DocInfo) -> Result<Vec<u8>, AgreementError> {
    let (regular, bold) = fonts()?;
    let (regular, bold) = (regular.clone(), bold.clone());
    let mut doc = PdfDocument::new(&info.title);
    doc.resources
        .fonts
        .map
        .insert(FontId(REGULAR.into()), PdfFont::new(regular));
    doc.resources
        .fonts
        .map
        .insert(FontId(BOLD.into()), PdfFont::new(bold));
    doc.metadata.info.producer = "Underwriter Workstation".into();
    doc.metadata.info.creator = "Underwriter Workstation".into();
    doc.with_pages(
        pages
            .iter()
            .map(|p| PdfPage::new(Mm(210.0), Mm(297.0), ops(p)))
            .collect(),
    );
    let mut warnings = Vec::new();
    let mut lo = doc.to_lopdf_document(&PdfSaveOptions::default(), &mut warnings);
    let id = Object::String(info.id.to_vec(), StringFormat::Hexadecimal);
    lo.trailer.set("ID", Object::Array(vec![id.clone(), id]));
    if let Ok(info_id) = lo.trailer.get(b"Info").and_then(Object::as_reference) {
        if let Ok(dict) = lo.get_dictionary_mut(info_id) {
            dict.set("CreationDate", Object::string_literal(info.date.clone()));
            dict.set("ModDate", Object::string_literal(info.date.clone()));
        }
    }
    compress(&mut lo)?;
    let mut out = Vec::new();
    lo.save_to(&mut out)
        .map_err(|e| AgreementError::Pdf(e.to_string()))?;
    Ok(out)
}

/// Deflates the streams at zlib's default level: lopdf's own `compress` takes the best
/// level, a third of the time of a whole agreement for a few hundred bytes less.
fn compress(doc: &mut lopdf::Document) -> Result<(), AgreementError> {
    use std::io::Write as _;
    for object in doc.objects.values_mut() {
        let Object::Stream(stream) = object else {
            continue;
        };
        if !stream.allows_compression || stream.dict.get(b"Filter").is_ok() {
            continue;
        }
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(&stream.content)
            .map_err(|e| AgreementError::Pdf(e.to_string()))?;
        let packed = z.finish().map_err(|e| AgreementError::Pdf(e.to_string()))?;
        if packed.len() + 19 < stream.content.len() {
            stream.dict.set("Filter", "FlateDecode");
            stream.set_content(packed);
        }
    }
    Ok(())
}

//! The recovery sheet: one A4 page that keeps a store's recovery key in the bank's safe —
//! the title, the data folder, the date, the key in large monospaced groups (each numbered,
//! as a typo is named by its group), the key again on one line, its QR code, and what to
//! do with it. Its words are data (`assets/agreement/recovery-sheet.json`, uz, ru and en),
//! like the agreement's.
//!
//! No I/O and no clock: the date and the folder come in. The key is drawn in PDF's
//! built-in Courier Bold (ASCII: Crockford's symbols and the dash), so that `pdftotext`
//! and a person read the same characters; the QR code holds the key as it is typed (upper
//! case with dashes: QR's alphanumeric mode). A character of the folder's name that the
//! font cannot draw prints as `?`: the sheet is still made.
#![allow(clippy::float_arithmetic)] // page geometry in points; no money passes through here

use std::collections::BTreeMap;

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::layout::{qr_cells, width, wrap, Item, Page, LEFT, MONO_ADVANCE, PAGE_H, WIDTH};
use crate::{pdf, AgreementError, Printed};

const SHEETS_JSON: &str = include_str!("../../../../assets/agreement/recovery-sheet.json");

/// What a sheet shows.
pub struct Sheet<'a> {
    /// uz, ru or en.
    pub lang: &'a str,
    pub data_dir: &'a str,
    /// The day it was made, as people read it (2026-11-23).
    pub date: &'a str,
    /// The key's groups, in order.
    pub groups: &'a [String],
}

#[derive(Deserialize)]
struct Words {
    product: String,
    title: String,
    data_folder: String,
    date: String,
    key: String,
    key_note: String,
    one_line: String,
    qr: String,
    sections: Vec<Section>,
}

#[derive(Deserialize)]
struct Section {
    heading: String,
    text: String,
}

fn words(lang: &str) -> Result<Words, AgreementError> {
    let template = |message: String| AgreementError::Template {
        lang: "recovery sheet",
        message,
    };
    let mut all: BTreeMap<String, Words> =
        serde_json::from_str(SHEETS_JSON).map_err(|e| template(e.to_string()))?;
    all.remove(lang)
        .ok_or_else(|| template(format!("no words in {lang:?}: uz, ru or en")))
}

/// The key's groups per row of the grid, and its sizes.
const PER_ROW: usize = 5;
const KEY_SIZE: f32 = 24.0;
const LINE_SIZE: f32 = 10.0;
const BODY: f32 = 9.5;
const LEAD: f32 = 13.0;
const QR_SIZE: f32 = 136.0;
/// Where the page's content must end.
const BOTTOM: f32 = PAGE_H - 40.0;

/// The sheet as a one-page PDF.
pub fn recovery_sheet(sheet: &Sheet) -> Result<Printed, AgreementError> {
    let page = layout(sheet)?;
    let digest = Sha256::digest(format!(
        "UW-RECOVERY-SHEET|{}|{}",
        sheet.data_dir, sheet.date
    ));
    let mut id = [0u8; 16];
    id.copy_from_slice(&digest[..16]);
    let digits: String = sheet.date.chars().filter(char::is_ascii_digit).collect();
    let info = pdf::DocInfo {
        title: words(sheet.lang)?.title,
        date: format!("D:{digits:0<14}Z"),
        id,
    };
    Ok(Printed {
        pdf: pdf::write(std::slice::from_ref(&page), &info)?,
        pages: 1,
    })
}

/// `text` with every character the font cannot draw as `?`.
fn drawable(text: &str, size: f32, bold: bool) -> String {
    text.chars()
        .map(|c| {
            if width(c.encode_utf8(&mut [0; 4]), size, bold).is_ok() {
                c
            } else {
                '?'
            }
        })
        .collect()
}

struct Pen {
    page: Page,
    y: f32,
}

impl Pen {
    fn text(&mut self, x: f32, size: f32, bold: bool, text: &str) {
        self.page.items.push(Item::Text {
            x,
            y: self.y + size,
            size,
            bold,
            text: text.to_string(),
        });
    }

    /// Wrapped lines at the left margin, `lead` apart.
    fn lines(
        &mut self,
        text: &str,
        size: f32,
        bold: bool,
        lead: f32,
        max: f32,
    ) -> Result<(), AgreementError> {
        for line in wrap(text, size, bold, max)? {
            self.text(LEFT, size, bold, &line);
            self.y += lead;
        }
        Ok(())
    }

    fn mono(&mut self, x: f32, size: f32, text: &str) {
        self.page.items.push(Item::Mono {
            x,
            y: self.y + size,
            size,
            text: text.to_string(),
        });
    }
}

fn layout(sheet: &Sheet) -> Result<Page, AgreementError> {
    let w = words(sheet.lang)?;
    let mut pen = Pen {
        page: Page::default(),
        y: 48.0,
    };
    pen.lines(&w.product, BODY, false, LEAD, WIDTH)?;
    pen.lines(&w.title, 18.0, true, 24.0, WIDTH)?;
    pen.y += 6.0;
    let folder = drawable(sheet.data_dir, BODY, false);
    pen.lines(
        &format!("{}: {folder}", w.data_folder),
        BODY,
        false,
        LEAD,
        WIDTH,
    )?;
    pen.lines(
        &format!("{}: {}", w.date, sheet.date),
        BODY,
        false,
        LEAD,
        WIDTH,
    )?;
    pen.y += 14.0;
    pen.lines(&w.key, 12.0, true, 18.0, WIDTH)?;
    key_grid(&mut pen, sheet.groups);
    pen.lines(&w.key_note, BODY, false, LEAD, WIDTH)?;
    pen.y += 6.0;
    pen.lines(&w.one_line, BODY, false, LEAD, WIDTH)?;
    let line = sheet.groups.join("-");
    pen.mono(LEFT, LINE_SIZE, &line);
    pen.y += LINE_SIZE + 14.0;
    qr(&mut pen, &line, &w.qr)?;
    for section in &w.sections {
        pen.y += 4.0;
        pen.lines(&section.heading, 10.5, true, 15.0, WIDTH)?;
        pen.lines(&section.text, BODY, false, LEAD, WIDTH)?;
    }
    if pen.y > BOTTOM {
        return Err(AgreementError::Pdf(format!(
            "the recovery sheet ({}) runs past its one page",
            sheet.lang
        )));
    }
    Ok(pen.page)
}

/// The groups in rows of [`PER_ROW`], each under its number.
fn key_grid(pen: &mut Pen, groups: &[String]) {
    let cell = KEY_SIZE * MONO_ADVANCE;
    let group_w = groups.first().map_or(0, |g| g.chars().count()) as f32 * cell;
    let gap = (WIDTH - PER_ROW as f32 * group_w) / (PER_ROW as f32 - 1.0);
    for (r, row) in groups.chunks(PER_ROW).enumerate() {
        for (c, group) in row.iter().enumerate() {
            let x = LEFT + c as f32 * (group_w + gap);
            let number = (r * PER_ROW + c + 1).to_string();
            pen.text(x, 7.5, false, &number);
            pen.y += 10.0;
            pen.mono(x, KEY_SIZE, group);
            pen.y -= 10.0;
        }
        pen.y += 10.0 + KEY_SIZE + 14.0;
    }
}

/// The QR code of `text`, its caption beside it.
fn qr(pen: &mut Pen, text: &str, caption: &str) -> Result<(), AgreementError> {
    let (modules, runs) = qr_cells(text);
    if modules == 0 {
        return Err(AgreementError::Pdf("the key does not fit a QR code".into()));
    }
    let cell = QR_SIZE / modules as f32;
    for (col, row, len) in runs {
        pen.page.items.push(Item::Fill {
            x: LEFT + col as f32 * cell,
            y: pen.y + row as f32 * cell,
            w: len as f32 * cell,
            h: cell,
        });
    }
    let x = LEFT + QR_SIZE + 24.0;
    let top = pen.y;
    pen.y += QR_SIZE / 2.0 - LEAD;
    for line in wrap(caption, BODY, false, WIDTH - QR_SIZE - 24.0)? {
        pen.text(x, BODY, false, &line);
        pen.y += LEAD;
    }
    pen.y = top + QR_SIZE + 10.0;
    Ok(())
}

#[cfg(test)]
mod tests;

//! Page layout: text measured with the font's own advance widths (Noto Sans, the glyphs the
//! PDF embeds), greedy line breaking at spaces, page breaks with widow and orphan control,
//! the schedule's header repeated on every page, and a footer on every page with "i / n",
//! the case version's short SHA-256 and its QR code. A specimen's pages carry its marking
//! in a light band across the middle, under the text, and in the footer.
//!
//! Coordinates are points from the page's top-left corner; the writers turn them into
//! their own. A character the font lacks is an error, never an empty box.
#![allow(clippy::float_arithmetic)] // page geometry in points; no money passes through here

use std::collections::BTreeMap;
use std::sync::OnceLock;

use ttf_parser::Face;

use crate::{AgreementError, Stamp};

pub const REGULAR_TTF: &[u8] = include_bytes!("../../../../assets/fonts/NotoSans-Regular.ttf");
pub const BOLD_TTF: &[u8] = include_bytes!("../../../../assets/fonts/NotoSans-Bold.ttf");

/// A4 in points.
pub const PAGE_W: f32 = 595.28;
pub const PAGE_H: f32 = 841.89;
pub(crate) const LEFT: f32 = 56.69; // 20 mm: the binding edge
const RIGHT: f32 = 42.52; // 15 mm
const TOP: f32 = 48.0;
/// Where the body ends; the footer (rule, stamp, page number, QR) lives below.
const LIMIT: f32 = PAGE_H - 84.0;
pub(crate) const WIDTH: f32 = PAGE_W - LEFT - RIGHT;

const BODY: f32 = 9.5;
const LEAD: f32 = 13.2;
const SMALL: f32 = 8.3;
const ROW: f32 = 12.0;
const QR_SIZE: f32 = 52.0;

/// One thing drawn on a page.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// Text on its baseline `y`.
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        text: String,
    },
    /// A filled black rectangle, `y` its top (QR modules).
    Fill { x: f32, y: f32, w: f32, h: f32 },
    /// A horizontal rule.
    Rule {
        x1: f32,
        x2: f32,
        y: f32,
        width: f32,
    },
    /// A light grey rectangle, `y` its top: the specimen's band, drawn under the text.
    Shade { x: f32, y: f32, w: f32, h: f32 },
    /// Large, light grey bold text on its baseline `y`: the specimen's marking in its band.
    Mark {
        x: f32,
        y: f32,
        size: f32,
        text: String,
    },
    /// Monospaced bold text on its baseline `y` (PDF's built-in Courier Bold, every
    /// character [`MONO_ADVANCE`] of the size wide): the recovery key.
    Mono {
        x: f32,
        y: f32,
        size: f32,
        text: String,
    },
}

/// The advance of every character of Courier, as a fraction of the font's size.
pub const MONO_ADVANCE: f32 = 0.6;

/// The grey of the specimen's band and of its marking (0 black, 1 white): light enough
/// that the black text over them reads, dark enough that no one misses them.
pub const SHADE_GREY: f32 = 0.90;
pub const MARK_GREY: f32 = 0.62;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Page {
    pub items: Vec<Item>,
}

/// A column of a table.
#[derive(Clone, Debug)]
pub struct Column {
    pub title: String,
    pub width: f32,
    /// Right-aligned (figures).
    pub right: bool,
}

impl Column {
    pub fn new(title: String, width: f32, right: bool) -> Column {
        Column {
            title,
            width,
            right,
        }
    }
}

/// What the content asks the layout to place, in order.
#[derive(Clone, Debug)]
pub enum Block {
    Title(String),
    Center(String),
    Heading(String),
    Paragraph(String),
    /// Label and value rows (the parties, the vehicle, the terms).
    KeyValues(Vec<(String, String)>),
    /// A table whose header repeats on every page it runs over, closed by its totals.
    Table {
        columns: Vec<Column>,
        rows: Vec<Vec<String>>,
        total: Vec<String>,
    },
    /// One signature place per party: (role, name).
    Signatures {
        parties: Vec<(String, String)>,
        signature: String,
        stamp: String,
    },
}

fn faces() -> &'static (Face<'static>, Face<'static>) {
    static FACES: OnceLock<(Face<'static>, Face<'static>)> = OnceLock::new();
    FACES.get_or_init(|| {
        // The fonts are part of the binary and checked by a test: they always parse.
        let parse = |b: &'static [u8]| Face::parse(b, 0).unwrap_or_else(|e| panic!("{e}"));
        (parse(REGULAR_TTF), parse(BOLD_TTF))
    })
}

/// The width of `text` in points, or the first character the font cannot draw.
pub fn width(text: &str, size: f32, bold: bool) -> Result<f32, AgreementError> {
    let (regular, heavy) = faces();
    let face = if bold { heavy } else { regular };
    let mut units: u32 = 0;
    for ch in text.chars() {
        let glyph = face
            .glyph_index(ch)
            .ok_or_else(|| AgreementError::MissingGlyph {
                ch,
                code: u32::from(ch),
                context: text.to_string(),
            })?;
        units += u32::from(face.glyph_hor_advance(glyph).unwrap_or(0));
    }
    Ok(units as f32 * size / f32::from(face.units_per_em()))
}

/// `text` as both faces can draw it: control characters (a tab, a stray CR) become spaces
/// and a character neither face has becomes "?" — for words a person typed (a note, a
/// comment), which must print whatever they hold; the templates' own words are checked
/// by the tests instead.
pub fn drawable(text: &str) -> String {
    let (regular, bold) = faces();
    text.chars()
        .map(|ch| {
            if ch.is_control() {
                ' '
            } else if regular.glyph_index(ch).is_some() && bold.glyph_index(ch).is_some() {
                ch
            } else {
                '?'
            }
        })
        .collect()
}

/// Greedy line breaking at spaces; a word wider than the line is broken between letters.
pub fn wrap(text: &str, size: f32, bold: bool, max: f32) -> Result<Vec<String>, AgreementError> {
    let space = width(" ", size, bold)?;
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut line_w = 0.0;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let w = width(word, size, bold)?;
        if w > max {
            // A very long word (a hash, an address): letters until the line is full.
            for ch in word.chars() {
                let cw = width(ch.encode_utf8(&mut [0; 4]), size, bold)?;
                if line_w + cw > max && !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                    line_w = 0.0;
                }
                line.push(ch);
                line_w += cw;
            }
            continue;
        }
        let extra = if line.is_empty() { w } else { space + w };
        if line_w + extra > max && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
            line_w = 0.0;
        }
        if !line.is_empty() {
            line.push(' ');
            line_w += space;
        }
        line.push_str(word);
        line_w += w;
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    Ok(lines)
}

/// The flow of blocks down the pages.
struct Flow {
    pages: Vec<Page>,
    y: f32,
}

impl Flow {
    fn new() -> Flow {
        Flow {
            pages: vec![Page::default()],
            y: TOP,
        }
    }

    fn room(&self) -> f32 {
        LIMIT - self.y
    }

    fn new_page(&mut self) {
        self.pages.push(Page::default());
        self.y = TOP;
    }

    fn ensure(&mut self, height: f32) {
        if self.room() < height && self.y > TOP {
            self.new_page();
        }
    }

    fn push(&mut self, item: Item) {
        if let Some(p) = self.pages.last_mut() {
            p.items.push(item);
        }
    }

    fn text(&mut self, x: f32, baseline: f32, size: f32, bold: bool, text: &str) {
        if !text.is_empty() {
            self.push(Item::Text {
                x,
                y: baseline,
                size,
                bold,
                text: text.to_string(),
            });
        }
    }

    fn rule(&mut self, y: f32, width: f32) {
        self.push(Item::Rule {
            x1: LEFT,
            x2: LEFT + WIDTH,
            y,
            width,
        });
    }

    /// Lines of a paragraph, split across pages without leaving one line alone at the
    /// bottom of a page (orphan) or at the top of the next (widow).
    fn lines(&mut self, lines: &[String], x: f32, size: f32, bold: bool) {
        let mut i = 0;
        while i < lines.len() {
            let left = lines.len() - i;
            let fit = (self.room() / LEAD).floor().max(0.0) as usize;
            let mut take = fit.min(left);
            if take < left {
                if take + 1 == left && take >= 2 {
                    take -= 1; // widow
                }
                if take < 2 && left >= 2 {
                    take = 0; // orphan
                }
                if take == 0 && self.y <= TOP {
                    take = fit.max(1).min(left); // a page cannot take more: no endless loop
                }
            }
            for line in &lines[i..i + take] {
                self.text(x, self.y + size, size, bold, line);
                self.y += LEAD;
            }
            i += take;
            if i < lines.len() {
                self.new_page();
            }
        }
    }
}

/// Places the blocks on pages and draws every page's footer; with a specimen's `mark`, the
/// band across every page and the marking in its footer. `qr` is what the QR code holds.
pub fn paginate(
    blocks: &[Block],
    stamp: &Stamp,
    labels: &BTreeMap<String, String>,
    mark: Option<&str>,
    qr: &str,
) -> Result<Vec<Page>, AgreementError> {
    let mut f = Flow::new();
    for block in blocks {
        match block {
            Block::Title(t) => {
                for line in wrap(t, 12.5, true, WIDTH)? {
                    let w = width(&line, 12.5, true)?;
                    f.text(LEFT + (WIDTH - w) / 2.0, f.y + 12.5, 12.5, true, &line);
                    f.y += 17.0;
                }
                f.y += 2.0;
            }
            Block::Center(t) => {
                let w = width(t, BODY, false)?;
                f.text(LEFT + (WIDTH - w) / 2.0, f.y + BODY, BODY, false, t);
                f.y += LEAD + 8.0;
            }
            Block::Heading(h) => {
                let lines = wrap(h, 10.5, true, WIDTH)?;
                // Keep a heading with at least two lines of what follows.
                f.ensure(lines.len() as f32 * 15.0 + 6.0 + 2.0 * LEAD);
                f.y += 6.0;
                for line in lines {
                    f.text(LEFT, f.y + 10.5, 10.5, true, &line);
                    f.y += 15.0;
                }
            }
            Block::Paragraph(p) => {
                let lines = wrap(p, BODY, false, WIDTH)?;
                f.lines(&lines, LEFT, BODY, false);
                f.y += 4.0;
            }
            Block::KeyValues(rows) => key_values(&mut f, rows)?,
            Block::Table {
                columns,
                rows,
                total,
            } => table(&mut f, columns, rows, total)?,
            Block::Signatures {
                parties,
                signature,
                stamp: seal,
            } => signatures(&mut f, parties, signature, seal)?,
        }
    }
    let n = f.pages.len();
    let version = labels.get("version").map_or("version", String::as_str);
    let first_line = match mark {
        None => format!("{} · {version} v{}", stamp.case_id, stamp.version),
        Some(m) => format!("{} · {m}", stamp.case_id),
    };
    let band = mark.map(band).transpose()?;
    let qr = qr_cells(qr);
    for (i, page) in f.pages.iter_mut().enumerate() {
        if let Some(band) = &band {
            // First, so the text is drawn over it.
            page.items.splice(0..0, band.iter().cloned());
        }
        footer(page, i + 1, n, stamp, &first_line, &qr)?;
    }
    Ok(f.pages)
}

/// The specimen's band: the full width of the page across the middle of the body, its
/// marking as large as fits the text width (at most 40 pt), centred.
fn band(mark: &str) -> Result<[Item; 2], AgreementError> {
    const MAX: f32 = 40.0;
    let at_max = width(mark, MAX, true)?;
    let size = if at_max > WIDTH {
        (MAX * WIDTH / at_max).floor()
    } else {
        MAX
    };
    let w = width(mark, size, true)?;
    let height = size * 1.9;
    let top = ((TOP + LIMIT - height) / 2.0).round();
    Ok([
        Item::Shade {
            x: 0.0,
            y: top,
            w: PAGE_W,
            h: height,
        },
        Item::Mark {
            x: LEFT + (WIDTH - w) / 2.0,
            y: top + (height + size * 0.7) / 2.0,
            size,
            text: mark.to_string(),
        },
    ])
}

fn key_values(f: &mut Flow, rows: &[(String, String)]) -> Result<(), AgreementError> {
    const LABEL_W: f32 = 168.0;
    let value_x = LEFT + LABEL_W + 8.0;
    let value_w = WIDTH - LABEL_W - 8.0;
    for (label, value) in rows {
        let l = wrap(label, BODY, false, LABEL_W)?;
        let v = wrap(value, BODY, true, value_w)?;
        let height = l.len().max(v.len()) as f32 * LEAD;
        f.ensure(height);
        let top = f.y;
        for (k, line) in l.iter().enumerate() {
            f.text(LEFT, top + k as f32 * LEAD + BODY, BODY, false, line);
        }
        for (k, line) in v.iter().enumerate() {
            f.text(value_x, top + k as f32 * LEAD + BODY, BODY, true, line);
        }
        f.y = top + height;
    }
    f.y += 4.0;
    Ok(())
}

fn cells(
    f: &mut Flow,
    columns: &[Column],
    values: &[String],
    bold: bool,
) -> Result<(), AgreementError> {
    let mut x = LEFT;
    let baseline = f.y + SMALL + 1.5;
    for (col, value) in columns.iter().zip(values) {
        let tx = if col.right {
            x + col.width - 3.0 - width(value, SMALL, bold)?
        } else {
            x + 3.0
        };
        f.text(tx, baseline, SMALL, bold, value);
        x += col.width;
    }
    f.y += ROW;
    Ok(())
}

fn table(
    f: &mut Flow,
    columns: &[Column],
    rows: &[Vec<String>],
    total: &[String],
) -> Result<(), AgreementError> {
    let titles: Vec<String> = columns.iter().map(|c| c.title.clone()).collect();
    let header = |f: &mut Flow| -> Result<(), AgreementError> {
        f.rule(f.y, 0.8);
        f.y += 2.0;
        cells(f, columns, &titles, true)?;
        f.rule(f.y, 0.5);
        f.y += 2.0;
        Ok(())
    };
    // The header with at least two rows, or a new page.
    f.ensure(4.0 + 3.0 * ROW + 4.0);
    header(f)?;
    for row in rows {
        if f.room() < ROW {
            f.new_page();
            header(f)?;
        }
        cells(f, columns, row, false)?;
    }
    if f.room() < ROW + 4.0 {
        f.new_page();
        header(f)?;
    }
    f.rule(f.y + 1.0, 0.8);
    f.y += 3.0;
    cells(f, columns, total, true)?;
    f.y += 6.0;
    Ok(())
}

fn signatures(
    f: &mut Flow,
    parties: &[(String, String)],
    signature: &str,
    seal: &str,
) -> Result<(), AgreementError> {
    const BOX_H: f32 = 92.0;
    let col_w = WIDTH / 2.0;
    for (chunk, pair) in parties.chunks(2).enumerate() {
        f.ensure(BOX_H);
        let top = f.y + 6.0;
        for (k, (role, name)) in pair.iter().enumerate() {
            let x = LEFT + k as f32 * col_w;
            f.text(x, top + 10.5, 10.0, true, role);
            for (j, line) in wrap(name, BODY, false, col_w - 16.0)?.iter().enumerate() {
                f.text(x, top + 26.0 + j as f32 * LEAD, BODY, false, line);
            }
            f.push(Item::Rule {
                x1: x,
                x2: x + col_w - 24.0,
                y: top + 66.0,
                width: 0.6,
            });
            // The bank, first of the parties, signs and seals.
            let under = if chunk == 0 && k == 0 {
                format!("{signature}    {seal}")
            } else {
                signature.to_string()
            };
            f.text(x, top + 76.0, SMALL, false, &under);
        }
        f.y = top + BOX_H;
    }
    Ok(())
}

/// The dark modules of the QR code as (column, row, run length) runs.
pub(crate) fn qr_cells(text: &str) -> (usize, Vec<(usize, usize, usize)>) {
    let Ok(code) = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
    else {
        return (0, Vec::new());
    };
    let n = code.width();
    let colors = code.to_colors();
    let mut runs = Vec::new();
    for row in 0..n {
        let mut col = 0;
        while col < n {
            if colors[row * n + col] == qrcode::Color::Dark {
                let start = col;
                while col < n && colors[row * n + col] == qrcode::Color::Dark {
                    col += 1;
                }
                runs.push((start, row, col - start));
            } else {
                col += 1;
            }
        }
    }
    (n, runs)
}

fn footer(
    page: &mut Page,
    i: usize,
    n: usize,
    stamp: &Stamp,
    line1: &str,
    (modules, runs): &(usize, Vec<(usize, usize, usize)>),
) -> Result<(), AgreementError> {
    let rule_y = PAGE_H - 74.0;
    page.items.push(Item::Rule {
        x1: LEFT,
        x2: LEFT + WIDTH,
        y: rule_y,
        width: 0.4,
    });
    let line1 = line1.to_string();
    let line2 = format!("SHA-256 {}", stamp.short());
    for (k, t) in [line1, line2].iter().enumerate() {
        width(t, 7.5, false)?;
        page.items.push(Item::Text {
            x: LEFT,
            y: rule_y + 16.0 + k as f32 * 10.0,
            size: 7.5,
            bold: false,
            text: t.clone(),
        });
    }
    let number = format!("{i} / {n}");
    let w = width(&number, 8.5, false)?;
    page.items.push(Item::Text {
        x: LEFT + (WIDTH - w) / 2.0,
        y: rule_y + 16.0,
        size: 8.5,
        bold: false,
        text: number,
    });
    if *modules > 0 {
        let cell = QR_SIZE / *modules as f32;
        let x0 = LEFT + WIDTH - QR_SIZE;
        let y0 = rule_y + 6.0;
        for &(col, row, len) in runs {
            page.items.push(Item::Fill {
                x: x0 + col as f32 * cell,
                y: y0 + row as f32 * cell,
                w: len as f32 * cell,
                h: cell,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_come_from_the_font_and_a_missing_glyph_is_an_error() {
        let a = width("oʻttiz", BODY, false).unwrap();
        let b = width("oʻttiz oʻttiz", BODY, false).unwrap();
        assert!(a > 10.0 && b > 2.0 * a, "{a} {b}");
        assert!(width("Ж", BODY, true).unwrap() > width("Ж", BODY, false).unwrap() * 0.9);
        match width("amount 中", BODY, false) {
            Err(AgreementError::MissingGlyph { ch, code, .. }) => {
                assert_eq!((ch, code), ('中', 0x4E2D))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn lines_break_at_spaces_within_the_width() {
        let text =
            "Bank Qarz oluvchiga yangi avtotransport vositasini sotib olish uchun kredit beradi "
                .repeat(6);
        let lines = wrap(&text, BODY, false, 200.0).unwrap();
        assert!(lines.len() > 5);
        for l in &lines {
            assert!(width(l, BODY, false).unwrap() <= 200.0, "{l}");
            assert!(!l.starts_with(' ') && !l.ends_with(' '));
        }
        assert_eq!(lines.join(" "), text.trim_end());
        // A word wider than the line is cut between letters.
        let long = "f".repeat(200);
        assert!(wrap(&long, BODY, false, 100.0).unwrap().len() > 1);
    }

    #[test]
    fn a_paragraph_leaves_no_widow_and_no_orphan() {
        let lines: Vec<String> = (0..7).map(|i| format!("line {i}")).collect();
        for start in (0..60).map(|k| LIMIT - k as f32 * 3.0) {
            let mut f = Flow::new();
            f.y = start.max(TOP);
            f.lines(&lines, LEFT, BODY, false);
            let per_page: Vec<usize> = f
                .pages
                .iter()
                .map(|p| p.items.len())
                .filter(|n| *n > 0)
                .collect();
            assert_eq!(per_page.iter().sum::<usize>(), 7);
            if per_page.len() > 1 {
                assert!(per_page.iter().all(|n| *n >= 2), "{start}: {per_page:?}");
            }
        }
    }
}

//! The laid-out pages as SVG, for the window's preview: the same items the PDF draws, at
//! the same places, so what the underwriter sees is what prints.

use std::fmt::Write as _;

use crate::layout::{Item, Page, MARK_GREY, PAGE_H, PAGE_W, SHADE_GREY};

/// A grey level (0 black, 1 white) as an SVG colour.
#[allow(clippy::float_arithmetic)] // a colour; no money passes through here
fn grey(level: f32) -> String {
    let v = (level.clamp(0.0, 1.0) * 255.0).round() as u8;
    format!("#{v:02x}{v:02x}{v:02x}")
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

pub fn page(page: &Page) -> String {
    let mut out = String::with_capacity(page.items.len() * 96);
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {PAGE_W} {PAGE_H}\" \
         font-family=\"Noto Sans, sans-serif\"><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>"
    );
    for item in &page.items {
        let _ = match item {
            Item::Text {
                x,
                y,
                size,
                bold,
                text,
            } => write!(
                out,
                "<text x=\"{x:.2}\" y=\"{y:.2}\" font-size=\"{size}\"{} xml:space=\"preserve\">{}</text>",
                if *bold { " font-weight=\"bold\"" } else { "" },
                escape(text)
            ),
            Item::Fill { x, y, w, h } => write!(
                out,
                "<rect x=\"{x:.2}\" y=\"{y:.2}\" width=\"{w:.3}\" height=\"{h:.3}\"/>"
            ),
            Item::Rule { x1, x2, y, width } => write!(
                out,
                "<line x1=\"{x1:.2}\" x2=\"{x2:.2}\" y1=\"{y:.2}\" y2=\"{y:.2}\" stroke=\"#000\" stroke-width=\"{width}\"/>"
            ),
            Item::Shade { x, y, w, h } => write!(
                out,
                "<rect x=\"{x:.2}\" y=\"{y:.2}\" width=\"{w:.3}\" height=\"{h:.3}\" fill=\"{}\"/>",
                grey(SHADE_GREY)
            ),
            Item::Mark { x, y, size, text } => write!(
                out,
                "<text x=\"{x:.2}\" y=\"{y:.2}\" font-size=\"{size}\" font-weight=\"bold\" fill=\"{}\" xml:space=\"preserve\">{}</text>",
                grey(MARK_GREY),
                escape(text)
            ),
            Item::Mono { x, y, size, text } => write!(
                out,
                "<text x=\"{x:.2}\" y=\"{y:.2}\" font-size=\"{size}\" font-family=\"Courier, monospace\" font-weight=\"bold\" xml:space=\"preserve\">{}</text>",
                escape(text)
            ),
        };
    }
    out.push_str("</svg>");
    out
}

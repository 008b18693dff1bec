//! The desk's tables as spreadsheets for a supervisor: the queue (every case a query
//! matches, not one page, in its order) and the dashboard's tables, one sheet each.
//!
//! Invariants:
//! - an amount is a number cell (a supervisor sums it) only when that number reads back
//!   as the very decimal: every amount the product allows does (an IEEE double tells
//!   every tiyin apart below 2⁴⁶ ≈ 7·10¹³ UZS); one that would not is written as its
//!   text — the spreadsheet never shows an amount the store does not hold. Other figures
//!   (hours) are worked out in `Decimal` and written the same way;
//! - the file is written whole, then renamed over the target ([`crate::paths::write_atomically`]):
//!   a failed export leaves no half a spreadsheet;
//! - headers are English column names (the window's language is the window's); a reading
//!   named in the closing note.

use std::path::Path;

use rust_decimal::Decimal;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use serde::Serialize;
use ts_rs::TS;
use uw_store::{QueueQuery, QueueRow};

use crate::error::{AppError, ErrorCode, Result};
use crate::Workstation;

/// A spreadsheet written: where, and how many data rows it holds.
#[derive(Clone, Debug, Serialize, TS)]
pub struct Exported {
    pub path: String,
    pub rows: usize,
}

fn xlsx(e: XlsxError) -> AppError {
    AppError::new(ErrorCode::Io, format!("the spreadsheet: {e}"))
}

/// The decimal as a number, when the number reads back as the same decimal.
fn exact_number(amount: &str) -> Option<f64> {
    let d: Decimal = amount.trim().parse().ok()?;
    let n: f64 = d.normalize().to_string().parse().ok()?;
    // `f64`'s Display is the shortest text that reads back as the same double.
    let back: Decimal = n.to_string().parse().ok()?;
    (back == d).then_some(n)
}

/// An amount: a number with two decimals, else its text.
fn write_amount(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    amount: &str,
    money: &Format,
) -> Result<()> {
    match exact_number(amount) {
        Some(n) => sheet.write_number_with_format(row, col, n, money),
        None => sheet.write_string(row, col, amount),
    }
    .map(drop)
    .map_err(xlsx)
}

fn header(sheet: &mut Worksheet, names: &[&str], bold: &Format) -> Result<()> {
    for (i, name) in names.iter().enumerate() {
        let col = u16::try_from(i).unwrap_or(u16::MAX);
        sheet
            .write_string_with_format(0, col, *name, bold)
            .map_err(xlsx)?;
    }
    // The header row stays in view.
    sheet.set_freeze_panes(1, 0).map_err(xlsx)?;
    Ok(())
}

const QUEUE_COLUMNS: [&str; 12] = [
    "Case",
    "Borrower",
    "Branch",
    "Amount (UZS)",
    "Term (months)",
    "Status",
    "Decision",
    "Assignee",
    "Application date",
    "Received",
    "Due",
    "Version",
];

fn queue_row(sheet: &mut Worksheet, row: u32, r: &QueueRow, money: &Format) -> Result<()> {
    let text = |sheet: &mut Worksheet, col: u16, s: &str| {
        sheet.write_string(row, col, s).map(drop).map_err(xlsx)
    };
    text(sheet, 0, &r.case_id)?;
    text(sheet, 1, &r.borrower_name)?;
    text(sheet, 2, &r.branch)?;
    write_amount(sheet, row, 3, &r.amount, money)?;
    sheet
        .write_number(row, 4, r.term_months as f64)
        .map_err(xlsx)?;
    text(sheet, 5, &r.status)?;
    text(sheet, 6, r.decision.as_deref().unwrap_or(""))?;
    text(sheet, 7, r.assignee.as_deref().unwrap_or(""))?;
    text(sheet, 8, &r.application_date)?;
    text(sheet, 9, &r.received_at)?;
    text(sheet, 10, r.due_at.as_deref().unwrap_or(""))?;
    sheet
        .write_number(row, 11, r.version as f64)
        .map_err(xlsx)?;
    Ok(())
}

/// The most rows a page of the store gives.
const PAGE: u32 = 500;

impl Workstation {
    /// Every case `query` matches (its filters and order; its page ignored) as a
    /// spreadsheet at `path`.
    pub fn export_queue_xlsx(&self, query: &QueueQuery, path: &Path) -> Result<Exported> {
        self.export_queue_in_pages(query, path, PAGE)
    }

    /// [`Self::export_queue_xlsx`], the store read `page` rows at a time.
    fn export_queue_in_pages(
        &self,
        query: &QueueQuery,
        path: &Path,
        page_rows: u32,
    ) -> Result<Exported> {
        let mut book = Workbook::new();
        let (bold, money) = (
            Format::new().set_bold(),
            Format::new().set_num_format("#,##0.00"),
        );
        let sheet = book.add_worksheet();
        sheet.set_name("Queue").map_err(xlsx)?;
        header(sheet, &QUEUE_COLUMNS, &bold)?;
        let mut q = query.clone();
        q.limit = page_rows;
        q.offset = 0;
        let mut rows = 0usize;
        loop {
            let page = self.queue_rows(&q)?;
            for r in &page {
                rows += 1;
                queue_row(sheet, u32::try_from(rows).unwrap_or(u32::MAX), r, &money)?;
            }
            if page.len() < page_rows as usize {
                break;
            }
            q.offset = q.offset.saturating_add(page_rows);
        }
        let bytes = book.save_to_buffer().map_err(xlsx)?;
        crate::paths::write_atomically(path, &bytes)?;
        Ok(Exported {
            path: path.display().to_string(),
            rows,
        })
    }

    /// The dashboard's tables as a spreadsheet at `path`: the pipeline, the engine's
    /// decisions, the rejections by rule, the time to decision, each person's workload, the
    /// lien watch's alerts and the branches.
    pub fn export_dashboard_xlsx(&self, path: &Path) -> Result<Exported> {
        let d = self.dashboard()?;
        let mut book = Workbook::new();
        let bold = Format::new().set_bold();
        let mut rows = 0usize;
        for (name, key, counts) in [
            ("Pipeline", "Stage", &d.pipeline),
            ("Decisions", "Engine decision", &d.decisions),
            ("Rejections by rule", "Rule", &d.rejections_by_rule),
        ] {
            let sheet = book.add_worksheet();
            sheet.set_name(name).map_err(xlsx)?;
            header(sheet, &[key, "Cases"], &bold)?;
            for (i, c) in counts.iter().enumerate() {
                let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
                sheet.write_string(row, 0, &c.key).map_err(xlsx)?;
                sheet.write_number(row, 1, c.n as f64).map_err(xlsx)?;
                rows += 1;
            }
        }
        let sheet = book.add_worksheet();
        sheet.set_name("Time to decision").map_err(xlsx)?;
        header(
            sheet,
            &["Signed off", "Median (hours)", "90th percentile (hours)"],
            &bold,
        )?;
        if let Some(t) = &d.time_to_decision {
            sheet.write_number(1, 0, t.signed as f64).map_err(xlsx)?;
            let hours = Format::new().set_num_format("0.00");
            for (col, seconds) in [(1, t.median_seconds), (2, t.p90_seconds)] {
                let h = (Decimal::from(seconds) / Decimal::from(3600)).round_dp(2);
                write_amount(sheet, 1, col, &h.to_string(), &hours)?;
            }
            rows += 1;
        }
        let sheet = book.add_worksheet();
        sheet.set_name("Workload").map_err(xlsx)?;
        header(
            sheet,
            &[
                "Person",
                "Assigned open",
                "Submitted",
                "Signed off",
                "Decided",
                "Median to decision (hours)",
            ],
            &bold,
        )?;
        let hours = Format::new().set_num_format("0.00");
        for (i, w) in d.workload.iter().enumerate() {
            let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
            sheet.write_string(row, 0, &w.person).map_err(xlsx)?;
            for (col, n) in [
                (1, w.assigned_open),
                (2, w.submitted),
                (3, w.signed),
                (4, w.decided),
            ] {
                sheet.write_number(row, col, n as f64).map_err(xlsx)?;
            }
            if let Some(s) = w.median_seconds {
                let h = (Decimal::from(s) / Decimal::from(3600)).round_dp(2);
                write_amount(sheet, row, 5, &h.to_string(), &hours)?;
            }
            rows += 1;
        }
        let sheet = book.add_worksheet();
        sheet.set_name("Lien alerts").map_err(xlsx)?;
        header(
            sheet,
            &["Case", "Registry says", "Creditor", "Since", "Last asked"],
            &bold,
        )?;
        for (i, a) in d.lien_alerts.iter().enumerate() {
            let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
            let cells = [
                a.case_id.as_str(),
                a.status.as_str(),
                a.creditor.as_deref().unwrap_or(""),
                a.since.as_str(),
                a.checked_at.as_str(),
            ];
            for (col, text) in (0u16..).zip(cells) {
                sheet.write_string(row, col, text).map_err(xlsx)?;
            }
            rows += 1;
        }
        let sheet = book.add_worksheet();
        sheet.set_name("Branches").map_err(xlsx)?;
        header(
            sheet,
            &[
                "Branch",
                "Cases",
                "Approved",
                "Rejected",
                "Bank figures as of",
            ],
            &bold,
        )?;
        for (i, b) in d.portfolio.iter().flat_map(|p| &p.branches).enumerate() {
            let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
            sheet.write_string(row, 0, &b.branch).map_err(xlsx)?;
            sheet.write_number(row, 1, b.cases as f64).map_err(xlsx)?;
            sheet
                .write_number(row, 2, b.approved as f64)
                .map_err(xlsx)?;
            sheet
                .write_number(row, 3, b.rejected as f64)
                .map_err(xlsx)?;
            sheet
                .write_string(row, 4, b.as_of.as_deref().unwrap_or(""))
                .map_err(xlsx)?;
            rows += 1;
        }
        let bytes = book.save_to_buffer().map_err(xlsx)?;
        crate::paths::write_atomically(path, &bytes)?;
        Ok(Exported {
            path: path.display().to_string(),
            rows,
        })
    }
}

#[cfg(test)]
mod tests;

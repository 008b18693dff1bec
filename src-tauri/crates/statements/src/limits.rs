//! What a statement file may ask of the reader, checked before the reader does the work.
//!
//! A client's file is hostile until read: a spreadsheet is a ZIP whose few kilobytes may
//! inflate to gigabytes, and a sheet may claim a million rows by sixteen thousand columns.
//! The limits below are far above any six months of a person's payments and far below what
//! would hurt the machine; a file over one is refused with [`crate::Refusal::OverLimit`], naming
//! the limit. They are the first line; the second is the reading process itself, which the
//! workstation runs apart with a memory limit and a deadline (`uw-parse`), for what a
//! header can hide (a ZIP entry that lies about its size).

use std::io::Cursor;

use crate::table::err;
use crate::StatementError;

/// The most documents a 1C file (or rows a CSV export) may hold. A streamed file has no
/// size limit (its reader holds a line at a time), and the analysis keeps its index flat
/// for a statement in date order; out of order, it keeps some 70 bytes per document for
/// the duplicate and round-trip checks: this bounds that to some 300 MB for a file of tiny
/// documents, far above a person's years of payments (a million is a bank's benchmark).
pub const MAX_DOCUMENTS: usize = 4_000_000;
/// The largest statement file read at all (about 200,000 1C documents).
pub const MAX_FILE_BYTES: u64 = 64_000_000;
/// The most a spreadsheet's parts may inflate to, all together.
pub const MAX_INFLATED_BYTES: u64 = 128_000_000;
/// The most one part of a spreadsheet may inflate per byte stored, for parts over
/// [`RATIO_FROM_BYTES`]. Sheet XML compresses ten to thirty times; a bomb, a thousand.
pub const MAX_RATIO: u64 = 200;
pub const RATIO_FROM_BYTES: u64 = 1_000_000;
/// The cells a sheet may span (rows × columns of the area it uses or claims).
pub const MAX_CELLS: u64 = 2_000_000;
/// The parts a spreadsheet may hold (a workbook has a dozen).
pub const MAX_PARTS: usize = 10_000;

pub(crate) fn over(file: &str, message: String) -> StatementError {
    StatementError {
        refusal: crate::Refusal::OverLimit,
        ..err(file, None, message)
    }
}

/// The size of the file itself.
pub fn check_size(file: &str, len: usize) -> Result<(), StatementError> {
    if len as u64 > MAX_FILE_BYTES {
        return Err(over(
            file,
            format!(
                "{} MB, more than the {} MB a statement may have",
                len as u64 / 1_000_000,
                MAX_FILE_BYTES / 1_000_000
            ),
        ));
    }
    Ok(())
}

/// The ZIP's own account of its parts, read from its central directory without inflating
/// anything: each part's ratio, and the total.
pub fn check_zip(file: &str, bytes: &[u8]) -> Result<(), StatementError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| err(file, None, format!("not a readable spreadsheet: {e}")))?;
    if zip.len() > MAX_PARTS {
        return Err(over(
            file,
            format!(
                "{} parts, more than the {MAX_PARTS} a workbook may have",
                zip.len()
            ),
        ));
    }
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let part = zip
            .by_index_raw(i)
            .map_err(|e| err(file, None, format!("not a readable spreadsheet: {e}")))?;
        let (size, stored) = (part.size(), part.compressed_size().max(1));
        let name = part.name().map(|n| n.into_owned()).unwrap_or_default();
        if size > RATIO_FROM_BYTES && size / stored > MAX_RATIO {
            return Err(over(
                file,
                format!(
                    "its part {name} inflates {} times ({stored} bytes to {size}), more than the {MAX_RATIO} a spreadsheet may",
                    size / stored
                ),
            ));
        }
        total = total.saturating_add(size);
        if total > MAX_INFLATED_BYTES {
            return Err(over(
                file,
                format!(
                    "its parts inflate to more than the {} MB a spreadsheet may",
                    MAX_INFLATED_BYTES / 1_000_000
                ),
            ));
        }
    }
    Ok(())
}

/// The area a sheet uses or claims: rows × columns, from its first cell to its last.
pub fn check_area(
    file: &str,
    (first_row, first_col): (u32, u32),
    (last_row, last_col): (u32, u32),
) -> Result<(), StatementError> {
    let rows = u64::from(last_row.saturating_sub(first_row)) + 1;
    let cols = u64::from(last_col.saturating_sub(first_col)) + 1;
    if rows.saturating_mul(cols) > MAX_CELLS {
        return Err(over(
            file,
            format!(
                "the sheet spans {rows} rows × {cols} columns, more than the {MAX_CELLS} cells a statement may"
            ),
        ));
    }
    Ok(())
}

/// The cells a sheet holds, counted as they are read.
pub fn check_cells(file: &str, count: u64) -> Result<(), StatementError> {
    if count > MAX_CELLS {
        return Err(over(
            file,
            format!("the sheet holds more than the {MAX_CELLS} cells a statement may"),
        ));
    }
    Ok(())
}

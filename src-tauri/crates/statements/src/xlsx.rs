//! Spreadsheet exports (XLSX, XLS) through calamine: the first sheet, its first non-empty
//! row as the header, the columns read through [`crate::table`] with the same layouts as
//! CSV. Numbers a spreadsheet stores are binary floats; each is taken into `Decimal` by its
//! shortest decimal form (12500000.5, not 12500000.4999…) at this boundary and never used
//! as a float again. Date cells are Excel serial days (1900 system).

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{Data, Reader, Xls, Xlsx};
use rust_decimal::Decimal;
use uw_domain::money::{parse_decimal, Date};

use crate::limits;
use crate::table::{err, read_rows, Cell, CsvLayouts, Row};
use crate::{Statement, StatementError};

pub fn looks_like(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"\xD0\xCF\x11\xE0")
}

fn float_cell(f: f64) -> Option<Cell> {
    f.is_finite()
        .then(|| parse_decimal(&format!("{f}")))
        .flatten()
        .map(Cell::Number)
}

fn serial_date(serial: f64) -> Option<Date> {
    if !serial.is_finite() || !(1.0..=2_958_465.0).contains(&serial) {
        return None;
    }
    let days = serial.floor() as i64;
    Date::ymd(1899, 12, 30).map(|d| d.add_days(days))
}

fn cell(file: &str, row: usize, d: &Data) -> Result<Cell, StatementError> {
    Ok(match d {
        Data::Empty => Cell::Text(String::new()),
        Data::String(s) => Cell::Text(s.clone()),
        Data::Int(i) => Cell::Number(Decimal::from(*i)),
        Data::Float(f) => {
            float_cell(*f).ok_or_else(|| err(file, Some(row), format!("{f}: not a number")))?
        }
        Data::Bool(b) => Cell::Text(b.to_string()),
        Data::DateTime(dt) => serial_date(dt.as_f64())
            .map(Cell::Date)
            .ok_or_else(|| err(file, Some(row), "a date cell outside the calendar"))?,
        Data::DateTimeIso(s) => s
            .get(..10)
            .and_then(|d| d.parse().ok())
            .map(Cell::Date)
            .unwrap_or_else(|| Cell::Text(s.clone())),
        Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => {
            return Err(err(
                file,
                Some(row),
                format!("the cell holds a spreadsheet error ({e})"),
            ))
        }
    })
}

pub fn read(file: &str, bytes: &[u8], layouts: &CsvLayouts) -> Result<Statement, StatementError> {
    // calamine's arithmetic on a crafted cell reference (a column of a dozen letters) can
    // overflow, which is a panic where overflow is checked (the test builds): a refusal
    // here, as any other unreadable workbook.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        read_book(file, bytes, layouts)
    }))
    .unwrap_or_else(|_| Err(unreadable(file, "the spreadsheet reader failed on it")))
}

fn read_book(file: &str, bytes: &[u8], layouts: &CsvLayouts) -> Result<Statement, StatementError> {
    let (format, Rows(header, data)) = if bytes.starts_with(b"PK") {
        limits::check_zip(file, bytes)?;
        ("XLSX", xlsx_rows(file, bytes)?)
    } else {
        ("XLS", xls_rows(file, bytes)?)
    };
    read_rows(file, format, "binary", &header, data, layouts)
}

/// A sheet's header (its first non-empty row) and its other rows as `(line, cells)`.
struct Rows(Vec<Cell>, Vec<Row>);

fn unreadable(file: &str, e: impl std::fmt::Display) -> StatementError {
    err(file, None, format!("not a readable spreadsheet: {e}"))
}

/// XLSX, streamed cell by cell: the sheet's claimed area and every cell's place are held to
/// [`limits::MAX_CELLS`] before any row is built, so a sheet claiming 10⁹ cells costs
/// nothing.
fn xlsx_rows(file: &str, bytes: &[u8]) -> Result<Rows, StatementError> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| unreadable(file, e))?;
    let first = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| err(file, None, "the workbook has no sheet"))?;
    let mut cells = book
        .worksheet_cells_reader(&first)
        .map_err(|e| err(file, None, format!("the first sheet cannot be read: {e}")))?;
    let claimed = cells.dimensions();
    limits::check_area(file, claimed.start, claimed.end)?;
    let mut sheet: BTreeMap<u32, Vec<(u32, Data)>> = BTreeMap::new();
    let (mut low, mut high) = ((u32::MAX, u32::MAX), (0, 0));
    let mut count: u64 = 0;
    while let Some(c) = cells
        .next_cell()
        .map_err(|e| err(file, None, format!("the first sheet cannot be read: {e}")))?
    {
        let (r, col) = c.get_position();
        let value = Data::from(c.get_value().clone());
        if value == Data::Empty {
            continue;
        }
        low = (low.0.min(r), low.1.min(col));
        high = (high.0.max(r), high.1.max(col));
        limits::check_area(file, low, high)?;
        // The area bounds the places; the count bounds a sheet that names one place
        // again and again.
        count += 1;
        limits::check_cells(file, count)?;
        sheet.entry(r).or_default().push((col, value));
    }
    let first_col = low.1;
    let rows = sheet.into_iter().map(|(r, mut cells)| {
        cells.sort_by_key(|(c, _)| *c);
        let width = cells.last().map_or(0, |(c, _)| c - first_col + 1) as usize;
        let mut dense = vec![Data::Empty; width];
        for (c, v) in cells {
            dense[(c - first_col) as usize] = v;
        }
        (r as usize + 1, dense)
    });
    split_header(file, rows)
}

/// XLS (the older binary format), through calamine's whole-sheet range: it has no
/// streaming reader, so its bounds are the file's size and the reading process's memory.
fn xls_rows(file: &str, bytes: &[u8]) -> Result<Rows, StatementError> {
    // Read as XLS and nothing else: a file that fails as one is not tried as another.
    let mut book: Xls<_> = Xls::new(Cursor::new(bytes)).map_err(|e| unreadable(file, e))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| err(file, None, "the workbook has no sheet"))?
        .map_err(|e| err(file, None, format!("the first sheet cannot be read: {e}")))?;
    if let (Some(start), Some(end)) = (range.start(), range.end()) {
        limits::check_area(file, start, end)?;
    }
    let first_row = range.start().map_or(0, |(r, _)| r as usize);
    let rows = range
        .rows()
        .enumerate()
        .map(|(i, r)| (first_row + i + 1, r.to_vec()));
    split_header(file, rows)
}

/// The first non-empty row is the header; empty rows after it are skipped.
fn split_header(
    file: &str,
    rows: impl Iterator<Item = (usize, Vec<Data>)>,
) -> Result<Rows, StatementError> {
    let mut rows = rows.filter(|(_, r)| r.iter().any(|c| *c != Data::Empty));
    let Some((_, header)) = rows.next() else {
        return Err(err(file, None, "the first sheet is empty"));
    };
    let header: Vec<Cell> = header
        .iter()
        .map(|c| cell(file, 1, c))
        .collect::<Result<_, _>>()?;
    let mut data: Vec<Row> = Vec::new();
    for (n, r) in rows {
        data.push((
            n,
            r.iter()
                .map(|c| cell(file, n, c))
                .collect::<Result<_, _>>()?,
        ));
    }
    Ok(Rows(header, data))
}

#[cfg(test)]
mod tests;

//! Spreadsheet exports (XLSX, XLS) through calamine: the first sheet, its first non-empty
//! row as the header, the columns read through [`crate::table`] with the same layouts as
//! CSV. Numbers a spreadsheet stores are binary floats; each is taken into `Decimal` by its
//! shortest decimal form (12500000.5, not 12500000.4999…) at this boundary and never used
//! as a float again. Date cells are Excel serial days (1900 system).

use std::io::Cursor;

use calamine::{open_workbook_auto_from_rs, Data, Reader};
use rust_decimal::Decimal;
use uw_domain::money::{parse_decimal, Date};

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
    let mut book = open_workbook_auto_from_rs(Cursor::new(bytes.to_vec()))
        .map_err(|e| err(file, None, format!("not a readable spreadsheet: {e}")))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| err(file, None, "the workbook has no sheet"))?
        .map_err(|e| err(file, None, format!("the first sheet cannot be read: {e}")))?;
    let first_row = range.start().map_or(0, |(r, _)| r as usize);
    let mut rows = range
        .rows()
        .enumerate()
        .map(|(i, r)| (first_row + i + 1, r));
    let Some((_, header)) = rows
        .by_ref()
        .find(|(_, r)| r.iter().any(|c| *c != Data::Empty))
    else {
        return Err(err(file, None, "the first sheet is empty"));
    };
    let header: Vec<Cell> = header
        .iter()
        .map(|c| cell(file, 1, c))
        .collect::<Result<_, _>>()?;
    let mut data: Vec<Row> = Vec::new();
    for (n, r) in rows {
        if r.iter().all(|c| *c == Data::Empty) {
            continue;
        }
        data.push((
            n,
            r.iter()
                .map(|c| cell(file, n, c))
                .collect::<Result<_, _>>()?,
        ));
    }
    let format = if bytes.starts_with(b"PK") {
        "XLSX"
    } else {
        "XLS"
    };
    read_rows(file, format, "binary", &header, data, layouts)
}

#[cfg(test)]
mod tests;

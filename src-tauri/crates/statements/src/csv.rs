//! CSV statement exports: the delimiter is detected from the header row (`;`, `,`, tab,
//! `|`) and every row must split into as many fields; the encoding is UTF-8 when the file
//! is valid UTF-8, else CP1251. The columns are read through [`crate::table`].

use encoding_rs::{Encoding, UTF_8, WINDOWS_1251};

use crate::table::{err, read_rows, Cell, CsvLayouts, Row};
use crate::{Statement, StatementError};

const DELIMITERS: [u8; 4] = [b';', b',', b'\t', b'|'];

fn decode(file: &str, bytes: &[u8]) -> Result<(String, &'static Encoding), StatementError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok((text.to_string(), UTF_8));
    }
    for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
        if !line.is_ascii() && std::str::from_utf8(line).is_ok() {
            return Err(err(
                file,
                Some(i + 1),
                "this line is UTF-8, the rest is not: mixed encodings",
            ));
        }
    }
    let (text, _, _) = WINDOWS_1251.decode(bytes);
    Ok((text.into_owned(), WINDOWS_1251))
}

pub fn read(file: &str, bytes: &[u8], layouts: &CsvLayouts) -> Result<Statement, StatementError> {
    let (text, encoding) = decode(file, bytes)?;
    let header_line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let delimiter = DELIMITERS
        .iter()
        .copied()
        .max_by_key(|d| header_line.bytes().filter(|b| b == d).count())
        .filter(|d| header_line.as_bytes().contains(d))
        .ok_or_else(|| {
            err(
                file,
                Some(1),
                "no delimiter (; , tab |) in the first row: not a CSV statement",
            )
        })?;
    let mut reader = ::csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let header: Vec<Cell> = reader
        .headers()
        .map_err(|e| err(file, Some(1), format!("unreadable header row: {e}")))?
        .iter()
        .map(|h| Cell::Text(h.to_string()))
        .collect();
    let mut rows: Vec<Row> = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map(|p| p.line() as usize);
            err(file, line, format!("unreadable row: {e}"))
        })?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if record.len() != header.len() {
            let other = DELIMITERS
                .iter()
                .filter(|d| **d != delimiter)
                .any(|d| record.iter().any(|f| f.as_bytes().contains(d)));
            return Err(err(
                file,
                Some(line),
                format!(
                    "{} fields where the header has {}{}",
                    record.len(),
                    header.len(),
                    if other { ": mixed delimiters" } else { "" }
                ),
            ));
        }
        rows.push((
            line,
            record.iter().map(|f| Cell::Text(f.to_string())).collect(),
        ));
    }
    read_rows(file, "CSV", encoding.name(), &header, rows, layouts)
}

#[cfg(test)]
mod tests;

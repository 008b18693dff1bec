//! CSV statement exports. The column layout of each bank's export is data
//! (`assets/statements/csv-layouts.json`): a layout applies when every header it names is in
//! the file's first row. The delimiter is detected from the header (`;`, `,`, tab, `|`) and
//! every row must split into as many fields; the encoding is UTF-8 when the file is valid
//! UTF-8, else CP1251.
//!
//! A CSV export declares no period: it is taken to cover the span from its first to its
//! last transaction date, so a month counts as covered only when the file's dates span it.

use encoding_rs::{Encoding, UTF_8, WINDOWS_1251};
use serde::Deserialize;
use uw_domain::money::{parse_decimal, Date, Money};

use crate::{AccountSection, Statement, StatementError, Transaction};

#[derive(Clone, Debug, Default, Deserialize)]
pub struct CsvLayouts {
    #[serde(default)]
    pub comment: String,
    pub layouts: Vec<CsvLayout>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct CsvLayout {
    pub name: String,
    pub columns: Columns,
    pub date_format: String,
    pub decimal_separator: String,
    pub thousands_separator: String,
}

/// Header names. Either `amount` (signed: positive is a credit) or `credit` and `debit`.
#[derive(Clone, Debug, Deserialize)]
pub struct Columns {
    pub date: String,
    #[serde(default)]
    pub number: Option<String>,
    #[serde(default)]
    pub amount: Option<String>,
    #[serde(default)]
    pub credit: Option<String>,
    #[serde(default)]
    pub debit: Option<String>,
    #[serde(default)]
    pub counterparty: Option<String>,
    #[serde(default)]
    pub counterparty_inn: Option<String>,
    #[serde(default)]
    pub counterparty_account: Option<String>,
    #[serde(default)]
    pub purpose: Option<String>,
}

const DELIMITERS: [u8; 4] = [b';', b',', b'\t', b'|'];

fn err(file: &str, line: Option<usize>, message: impl Into<String>) -> StatementError {
    StatementError {
        file: file.to_string(),
        line,
        message: message.into(),
    }
}

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

fn parse_amount(layout: &CsvLayout, raw: &str) -> Option<Money> {
    let mut s: String = raw.trim().to_string();
    if !layout.thousands_separator.is_empty() {
        s = s.replace(layout.thousands_separator.as_str(), "");
        if layout.thousands_separator == " " {
            s = s.replace(['\u{a0}', '\u{202f}'], "");
        }
    }
    if layout.decimal_separator != "." {
        s = s.replace(layout.decimal_separator.as_str(), ".");
    }
    if s.is_empty() {
        return Some(Money::ZERO);
    }
    parse_decimal(&s).map(Money)
}

fn parse_date(layout: &CsvLayout, raw: &str) -> Option<Date> {
    let raw = raw.trim();
    match layout.date_format.as_str() {
        "dd.mm.yyyy" => {
            let p: Vec<&str> = raw.split('.').collect();
            if p.len() != 3 || p[0].len() != 2 || p[1].len() != 2 || p[2].len() != 4 {
                return None;
            }
            Date::ymd(p[2].parse().ok()?, p[1].parse().ok()?, p[0].parse().ok()?)
        }
        _ => raw.parse().ok(),
    }
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
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| err(file, Some(1), format!("unreadable header row: {e}")))?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let col = |name: &Option<String>| -> Option<usize> {
        let name = name.as_ref()?.to_lowercase();
        headers.iter().position(|h| *h == name)
    };
    let layout = layouts
        .layouts
        .iter()
        .find(|l| {
            let c = &l.columns;
            col(&Some(c.date.clone())).is_some()
                && (col(&c.amount).is_some()
                    || (col(&c.credit).is_some() && col(&c.debit).is_some()))
        })
        .ok_or_else(|| {
            err(
                file,
                Some(1),
                format!(
                    "no known column layout has these headers: {}",
                    headers.join(", ")
                ),
            )
        })?;
    let c = &layout.columns;
    let date_col = col(&Some(c.date.clone())).unwrap_or(0);
    let account = format!("csv:{file}");
    let mut transactions = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map(|p| p.line() as usize);
            err(file, line, format!("unreadable row: {e}"))
        })?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if record.len() != headers.len() {
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
                    headers.len(),
                    if other { ": mixed delimiters" } else { "" }
                ),
            ));
        }
        let get = |i: Option<usize>| {
            i.and_then(|i| record.get(i))
                .unwrap_or("")
                .trim()
                .to_string()
        };
        let raw_date = get(Some(date_col));
        let date = parse_date(layout, &raw_date).ok_or_else(|| {
            err(
                file,
                Some(line),
                format!("{:?}: not a date ({})", raw_date, layout.date_format),
            )
        })?;
        let amount_of = |i: Option<usize>, what: &str| -> Result<Money, StatementError> {
            let raw = get(i);
            parse_amount(layout, &raw)
                .ok_or_else(|| err(file, Some(line), format!("{what} {raw:?}: not an amount")))
        };
        let signed = match col(&c.amount) {
            Some(i) => amount_of(Some(i), "amount")?.0,
            None => amount_of(col(&c.credit), "credit")?.0 - amount_of(col(&c.debit), "debit")?.0,
        };
        if signed.is_zero() {
            continue;
        }
        let credit = signed.is_sign_positive();
        let mut t = Transaction {
            line,
            kind: "csv".into(),
            number: get(col(&c.number)),
            date: Some(date),
            amount: Money(signed.abs()),
            purpose: get(col(&c.purpose)),
            ..Default::default()
        };
        let (party, inn, acc) = (
            get(col(&c.counterparty)),
            get(col(&c.counterparty_inn)),
            get(col(&c.counterparty_account)),
        );
        if credit {
            (t.payer, t.payer_inn, t.payer_account) = (party, inn, acc);
            t.receiver_account = account.clone();
            t.credited_on = Some(date);
        } else {
            (t.receiver, t.receiver_inn, t.receiver_account) = (party, inn, acc);
            t.payer_account = account.clone();
            t.debited_on = Some(date);
        }
        transactions.push(t);
    }
    let from = transactions.iter().filter_map(|t| t.date).min();
    let to = transactions.iter().filter_map(|t| t.date).max();
    Ok(Statement {
        file: file.to_string(),
        format: format!("CSV ({})", layout.name),
        encoding: encoding.name().to_string(),
        version: None,
        period_from: from,
        period_to: to,
        accounts: vec![AccountSection {
            line: 1,
            account,
            from,
            to,
            opening: None,
            credited: None,
            debited: None,
            closing: None,
        }],
        transactions,
    })
}

#[cfg(test)]
mod tests;

//! Tabular statements (CSV and spreadsheet exports): the column layouts, which are data
//! (`assets/statements/csv-layouts.json`), and the step from rows to transactions shared by
//! the CSV and XLSX readers. A layout applies when every header it names is in the first
//! row. Such an export declares no period: it is taken to cover the span from its first
//! to its last transaction date, so a month counts as covered only when the dates span it.

use rust_decimal::Decimal;
use serde::Deserialize;
use uw_domain::money::{Date, Money, MoneyError};

use crate::{AccountSection, Statement, StatementError, Transaction};
use uw_domain::statement::Text;

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

/// One cell as the reader found it: text to be parsed with the layout's conventions, or a
/// number or date the spreadsheet already typed.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Text(String),
    Number(Decimal),
    Date(Date),
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.trim().to_string(),
            Cell::Number(d) => d.normalize().to_string(),
            Cell::Date(d) => d.to_string(),
        }
    }
}

/// A row and the line (CSV) or row number (spreadsheet) it came from, 1-based.
pub type Row = (usize, Vec<Cell>);

pub(crate) fn err(file: &str, line: Option<usize>, message: impl Into<String>) -> StatementError {
    StatementError {
        file: file.to_string(),
        line,
        message: message.into(),
        refusal: crate::Refusal::Unreadable,
    }
}

/// An amount cell: signed, at most 2 decimals and 10^15 in size, as every amount.
fn parse_amount(layout: &CsvLayout, cell: &Cell) -> Result<Money, MoneyError> {
    let raw = match cell {
        Cell::Number(d) => return Money::try_from_decimal(*d),
        Cell::Date(_) => return Err(MoneyError::NotAnAmount),
        Cell::Text(t) => t,
    };
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
        return Ok(Money::ZERO);
    }
    Money::parse(&s)
}

fn parse_date(layout: &CsvLayout, cell: &Cell) -> Option<Date> {
    let raw = match cell {
        Cell::Date(d) => return Some(*d),
        Cell::Number(_) => return None,
        Cell::Text(t) => t.trim(),
    };
    match layout.date_format.as_str() {
        "dd.mm.yyyy" => Date::parse_dmy(raw),
        _ => raw.parse().ok(),
    }
}

/// Turns the header row and the data rows into a statement with the first matching layout.
pub fn read_rows(
    file: &str,
    format: &str,
    encoding: &str,
    header: &[Cell],
    rows: impl IntoIterator<Item = Row>,
    layouts: &CsvLayouts,
) -> Result<Statement, StatementError> {
    let headers: Vec<String> = header.iter().map(|h| h.text().to_lowercase()).collect();
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
    let account_text: Text = account.as_str().into();
    let kind: Text = format.into();
    let mut transactions = Vec::new();
    let empty = Cell::Text(String::new());
    for (line, row) in rows {
        let cell = |i: Option<usize>| i.and_then(|i| row.get(i)).unwrap_or(&empty);
        let get = |i: Option<usize>| cell(i).text();
        let text = |i: Option<usize>| -> Text { get(i).into() };
        let date = parse_date(layout, cell(Some(date_col))).ok_or_else(|| {
            err(
                file,
                Some(line),
                format!(
                    "{:?}: not a date ({})",
                    get(Some(date_col)),
                    layout.date_format
                ),
            )
        })?;
        let amount_of = |i: Option<usize>, what: &str| -> Result<Money, StatementError> {
            parse_amount(layout, cell(i)).map_err(|e| {
                let why = match e {
                    MoneyError::NotAnAmount => "not an amount".to_string(),
                    e => e.to_string(),
                };
                err(file, Some(line), format!("{what} {:?}: {why}", get(i)))
            })
        };
        let signed = match col(&c.amount) {
            Some(i) => amount_of(Some(i), "amount")?,
            None => {
                let (credit, debit) = (
                    amount_of(col(&c.credit), "credit")?,
                    amount_of(col(&c.debit), "debit")?,
                );
                credit.checked_sub(debit).ok_or_else(|| {
                    err(
                        file,
                        Some(line),
                        format!(
                            "credit {credit} − debit {debit}: {}",
                            MoneyError::AboveLimit
                        ),
                    )
                })?
            }
        };
        if signed == Money::ZERO {
            continue;
        }
        let credit = signed > Money::ZERO;
        let mut t = Transaction {
            line,
            kind: kind.clone(),
            number: text(col(&c.number)),
            date: Some(date),
            amount: signed.abs(),
            purpose: text(col(&c.purpose)),
            ..Default::default()
        };
        let (party, inn, acc) = (
            text(col(&c.counterparty)),
            text(col(&c.counterparty_inn)),
            text(col(&c.counterparty_account)),
        );
        if credit {
            (t.payer, t.payer_inn, t.payer_account) = (party, inn, acc);
            t.receiver_account = account_text.clone();
            t.credited_on = Some(date);
        } else {
            (t.receiver, t.receiver_inn, t.receiver_account) = (party, inn, acc);
            t.payer_account = account_text.clone();
            t.debited_on = Some(date);
        }
        transactions.push(t);
    }
    let from = transactions.iter().filter_map(|t| t.date).min();
    let to = transactions.iter().filter_map(|t| t.date).max();
    Ok(Statement {
        file: file.to_string(),
        format: format!("{format} ({})", layout.name),
        encoding: encoding.to_string(),
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

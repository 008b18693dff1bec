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

/// The columns of a header row under the first layout whose headers it has, and the rows
/// read through them one at a time: what a CSV stream and a spreadsheet share.
pub struct Table<'l> {
    layout: &'l CsvLayout,
    date: usize,
    number: Option<usize>,
    /// `amount` (signed), else `credit` and `debit`.
    amount: Amounts,
    counterparty: Option<usize>,
    counterparty_inn: Option<usize>,
    counterparty_account: Option<usize>,
    purpose: Option<usize>,
    /// `csv:{file}`: the export's one account, the client's own.
    account: Text,
    kind: Text,
    format: String,
    /// The first and last transaction dates so far: an export's period.
    from: Option<Date>,
    to: Option<Date>,
}

enum Amounts {
    Signed(usize),
    CreditDebit(usize, usize),
}

impl<'l> Table<'l> {
    /// The header row read against the layouts; `format` names the file kind (`CSV`).
    pub fn new(
        file: &str,
        format: &str,
        header: &[Cell],
        layouts: &'l CsvLayouts,
    ) -> Result<Table<'l>, StatementError> {
        let headers: Vec<String> = header.iter().map(|h| h.text().to_lowercase()).collect();
        let col = |name: Option<&String>| -> Option<usize> {
            let name = name?.to_lowercase();
            headers.iter().position(|h| *h == name)
        };
        let found = layouts.layouts.iter().find_map(|l| {
            let c = &l.columns;
            let amount = match col(c.amount.as_ref()) {
                Some(a) => Amounts::Signed(a),
                None => Amounts::CreditDebit(col(c.credit.as_ref())?, col(c.debit.as_ref())?),
            };
            Some((l, col(Some(&c.date))?, amount))
        });
        let (layout, date, amount) = found.ok_or_else(|| {
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
        Ok(Table {
            layout,
            date,
            number: col(c.number.as_ref()),
            amount,
            counterparty: col(c.counterparty.as_ref()),
            counterparty_inn: col(c.counterparty_inn.as_ref()),
            counterparty_account: col(c.counterparty_account.as_ref()),
            purpose: col(c.purpose.as_ref()),
            account: format!("csv:{file}").as_str().into(),
            kind: format.into(),
            format: format!("{format} ({})", layout.name),
            from: None,
            to: None,
        })
    }

    /// The file's format as a statement names it: `CSV (SQB Online (uz))`.
    pub fn format(&self) -> &str {
        &self.format
    }

    /// The export's one account section, over the transactions' dates so far (its
    /// totals are not given).
    pub fn section(&self) -> AccountSection {
        AccountSection {
            line: 1,
            account: self.account.to_string(),
            from: self.from,
            to: self.to,
            opening: None,
            credited: None,
            debited: None,
            closing: None,
        }
    }

    /// The first and last transaction dates read so far.
    pub fn period(&self) -> (Option<Date>, Option<Date>) {
        (self.from, self.to)
    }

    /// A data row as a transaction; `None` for a row of zero amount (a balance line).
    pub fn row(
        &mut self,
        file: &str,
        line: usize,
        row: &[Cell],
    ) -> Result<Option<Transaction>, StatementError> {
        let empty = Cell::Text(String::new());
        let cell = |i: Option<usize>| i.and_then(|i| row.get(i)).unwrap_or(&empty);
        let get = |i: Option<usize>| cell(i).text();
        let text = |i: Option<usize>| -> Text { get(i).into() };
        let layout = self.layout;
        let date = parse_date(layout, cell(Some(self.date))).ok_or_else(|| {
            err(
                file,
                Some(line),
                format!(
                    "{:?}: not a date ({})",
                    get(Some(self.date)),
                    layout.date_format
                ),
            )
        })?;
        let amount_of = |i: usize, what: &str| -> Result<Money, StatementError> {
            parse_amount(layout, cell(Some(i))).map_err(|e| {
                let why = match e {
                    MoneyError::NotAnAmount => "not an amount".to_string(),
                    e => e.to_string(),
                };
                err(
                    file,
                    Some(line),
                    format!("{what} {:?}: {why}", get(Some(i))),
                )
            })
        };
        let signed = match self.amount {
            Amounts::Signed(i) => amount_of(i, "amount")?,
            Amounts::CreditDebit(c, d) => {
                let (credit, debit) = (amount_of(c, "credit")?, amount_of(d, "debit")?);
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
            return Ok(None);
        }
        self.from = Some(self.from.map_or(date, |f| f.min(date)));
        self.to = Some(self.to.map_or(date, |t| t.max(date)));
        let credit = signed > Money::ZERO;
        let mut t = Transaction {
            line,
            kind: self.kind.clone(),
            number: text(self.number),
            date: Some(date),
            amount: signed.abs(),
            purpose: text(self.purpose),
            ..Default::default()
        };
        let (party, inn, acc) = (
            text(self.counterparty),
            text(self.counterparty_inn),
            text(self.counterparty_account),
        );
        if credit {
            (t.payer, t.payer_inn, t.payer_account) = (party, inn, acc);
            t.receiver_account = self.account.clone();
            t.credited_on = Some(date);
        } else {
            (t.receiver, t.receiver_inn, t.receiver_account) = (party, inn, acc);
            t.payer_account = self.account.clone();
            t.debited_on = Some(date);
        }
        Ok(Some(t))
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
    let mut table = Table::new(file, format, header, layouts)?;
    let mut transactions = Vec::new();
    for (line, row) in rows {
        transactions.extend(table.row(file, line, &row)?);
    }
    let (period_from, period_to) = table.period();
    Ok(Statement {
        file: file.to_string(),
        format: table.format().to_string(),
        encoding: encoding.to_string(),
        version: None,
        period_from,
        period_to,
        accounts: vec![table.section()],
        transactions,
    })
}

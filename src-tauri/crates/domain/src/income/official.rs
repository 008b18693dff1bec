//! The official income service's six months (salary and pension by PINFL) beside what the
//! statements show, per source.
//!
//! Invariants:
//! - the service's answer is checked whole before it is kept ([`records`]): a month
//!   `YYYY-MM`, a kind `salary` or `pension`, a payer named or an INN, an amount of at
//!   most two decimals, not negative; one bad record refuses the answer, naming it (two
//!   records of one payer and month are two payments, summed);
//! - the comparison is never stored: it is worked out from the kept answer and the
//!   statements' analysis each time, like the analysis itself;
//! - it flags, never decides: a source whose statements and official months differ by more
//!   than the configured share (`official_gap_share`, `assets/income/classification.json`)
//!   is `OFFICIAL_INCOME_GAP`, for the reviewer to see; the engine's figures are the case's.
//!
//! Readings fixed here:
//! - a source is a kind (salary, pension) and a payer. An official payer and a statement
//!   source are the same when their INNs are equal, else when their names are (case,
//!   quotes, apostrophes and spacing aside); a payer left on each side of one kind, alone
//!   there, is taken to be the same (registers and banks spell employers differently), and
//!   the row says how it was matched;
//! - the gap of a source is |official − statements| over the window's months that the
//!   answer spans (a month before its first or after its last is not compared: its
//!   absence is no zero; an answer of no records spans the whole window), as a share
//!   of the larger of the two (so an official salary the statements never show, and a
//!   statement salary no register knows, are each a gap of 100 %); a share equal to the
//!   limit is not above it.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::statements::{Flag, StatementIncome};
use crate::case::IncomeKind;
use crate::money::{percent2, Money, YearMonth};

/// One month of salary or pension as the official income service records it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OfficialRecord {
    pub month: YearMonth,
    pub kind: IncomeKind,
    pub payer: String,
    #[serde(default)]
    pub payer_inn: String,
    pub amount: Money,
}

/// The service's answer on a party, kept with the party: when it came, and its records
/// (none when the service has no salary or pension recorded for the PINFL).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OfficialIncome {
    pub at: String,
    pub records: Vec<OfficialRecord>,
}

/// A record of the service's answer as it came over the wire.
pub struct RawRecord<'a> {
    pub month: &'a str,
    pub kind: &'a str,
    pub payer: &'a str,
    pub payer_inn: Option<&'a str>,
    pub amount: &'a str,
}

/// The answer's records checked whole: the first bad one refuses them all, named
/// `records[i].field`.
pub fn records<'a>(
    raw: impl IntoIterator<Item = RawRecord<'a>>,
) -> Result<Vec<OfficialRecord>, String> {
    raw.into_iter()
        .enumerate()
        .map(|(i, r)| {
            let at = |field: &str, why: String| format!("records[{i}].{field}: {why}");
            let kind = match r.kind {
                "salary" => IncomeKind::Salary,
                "pension" => IncomeKind::Pension,
                other => return Err(at("kind", format!("{other:?} is not salary or pension"))),
            };
            if r.payer.trim().is_empty() && r.payer_inn.unwrap_or_default().trim().is_empty() {
                return Err(at(
                    "payer",
                    "empty, and no payer_inn: a record of nobody".into(),
                ));
            }
            let amount = Money::parse(r.amount).map_err(|e| at("amount", e.to_string()))?;
            if amount < Money::ZERO {
                return Err(at("amount", format!("{} is negative", r.amount)));
            }
            Ok(OfficialRecord {
                month: r.month.parse().map_err(|e| at("month", e))?,
                kind,
                payer: r.payer.trim().to_string(),
                payer_inn: r.payer_inn.unwrap_or_default().trim().to_string(),
                amount,
            })
        })
        .collect()
}

/// How an official payer was paired with a statement source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Matched {
    Inn,
    Name,
    /// The only payer of its kind left on each side.
    OnlyOne,
    /// Seen on one side only.
    Unmatched,
}

/// A month of a source on both sides; `official` is `None` for a month of the window the
/// service's answer does not reach (not compared: its absence is not a zero).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct MonthPair {
    pub month: YearMonth,
    pub official: Option<Money>,
    pub statements: Money,
}

/// One source as the service and the statements show it over the window.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct SourceComparison {
    pub kind: IncomeKind,
    /// The payer as the service names it; empty when it does not know the source.
    pub official_payer: String,
    /// The payer as the statements name it; empty when they do not show the source.
    pub statement_payer: String,
    pub matched: Matched,
    pub months: Vec<MonthPair>,
    pub official_total: Money,
    pub statements_total: Money,
    /// The gap as a percentage with two decimals ("12.50").
    pub gap_percent: String,
    pub flagged: bool,
}

/// The service's months beside the statements', with the flags the reviewer sees.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct OfficialComparison {
    /// When the service answered.
    pub at: String,
    /// The configured share above which a gap is flagged, as a percentage ("10.00").
    pub limit_percent: String,
    pub sources: Vec<SourceComparison>,
    pub flags: Vec<Flag>,
}

/// A payer's name as people compare it: case, quotes, apostrophes and spacing aside.
fn name_key(name: &str) -> String {
    name.chars()
        .filter(|c| !matches!(c, '"' | '«' | '»' | '\'' | 'ʻ' | 'ʼ' | '‘' | '’' | '`'))
        .flat_map(char::to_lowercase)
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// One side's source: kind, payer, INN and its months in the window.
struct Side {
    kind: IncomeKind,
    payer: String,
    inn: String,
    months: BTreeMap<YearMonth, Money>,
}

/// The service's payers over the window: the records with an INN grouped by it, then
/// each record without one joined to the payer of its name (an INN's, or another
/// INN-less one) — so the order of the records does not split a payer.
fn official_sides(o: &OfficialIncome, window: &[YearMonth]) -> Vec<Side> {
    let in_window: Vec<&OfficialRecord> = o
        .records
        .iter()
        .filter(|r| window.contains(&r.month))
        .collect();
    let mut out: Vec<(Side, Vec<String>)> = Vec::new();
    let (with_inn, without): (Vec<&OfficialRecord>, Vec<&OfficialRecord>) =
        in_window.into_iter().partition(|r| !r.payer_inn.is_empty());
    for r in with_inn.into_iter().chain(without) {
        let name = name_key(&r.payer);
        let at = out.iter().position(|(s, names)| {
            s.kind == r.kind
                && if r.payer_inn.is_empty() {
                    names.contains(&name)
                } else {
                    s.inn == r.payer_inn
                }
        });
        let at = at.unwrap_or_else(|| {
            out.push((
                Side {
                    kind: r.kind,
                    payer: r.payer.clone(),
                    inn: r.payer_inn.clone(),
                    months: BTreeMap::new(),
                },
                Vec::new(),
            ));
            out.len() - 1
        });
        let (side, names) = &mut out[at];
        if !names.contains(&name) {
            names.push(name);
        }
        let cell = side.months.entry(r.month).or_insert(Money::ZERO);
        *cell = cell.saturating_add(r.amount);
    }
    out.into_iter().map(|(s, _)| s).collect()
}

fn statement_sides(income: &StatementIncome, window: &[YearMonth]) -> Vec<Side> {
    income
        .sources
        .iter()
        .filter(|s| matches!(s.kind, IncomeKind::Salary | IncomeKind::Pension))
        .map(|s| Side {
            kind: s.kind,
            payer: s.payer.clone(),
            inn: s.payer_inn.clone(),
            months: s
                .months
                .iter()
                .filter(|(m, _)| window.contains(m))
                .map(|(m, v)| (*m, *v))
                .collect(),
        })
        .collect()
}

/// A pairing rule: how it pairs, and whether an official and a statement source are the
/// same by it.
type Rule = (Matched, fn(&Side, &Side) -> bool);

/// An official source and a statement source (either may be missing), and how paired.
type Pair = (Option<Side>, Option<Side>, Matched);

/// Both sides name an INN, and not the same: two payers, whatever their names.
fn inns_differ(o: &Side, s: &Side) -> bool {
    !o.inn.is_empty() && !s.inn.is_empty() && o.inn != s.inn
}

/// The pairs of official and statement sources, by INN, then name, then the only one of
/// its kind left on each side; the rest alone.
fn pair(official: Vec<Side>, statements: Vec<Side>) -> Vec<Pair> {
    let mut os: Vec<Option<Side>> = official.into_iter().map(Some).collect();
    let mut ss: Vec<Option<Side>> = statements.into_iter().map(Some).collect();
    let mut pairs = Vec::new();
    let rules: [Rule; 2] = [
        (Matched::Inn, |o, s| !o.inn.is_empty() && o.inn == s.inn),
        (Matched::Name, |o, s| {
            !inns_differ(o, s) && name_key(&o.payer) == name_key(&s.payer)
        }),
    ];
    for (how, same) in rules {
        for o in os.iter_mut() {
            let Some(found) = o.as_ref().and_then(|o| {
                ss.iter()
                    .position(|s| s.as_ref().is_some_and(|s| s.kind == o.kind && same(o, s)))
            }) else {
                continue;
            };
            pairs.push((o.take(), ss[found].take(), how));
        }
    }
    let of_kind = |v: &[Option<Side>], kind: IncomeKind| -> Vec<usize> {
        (0..v.len())
            .filter(|&i| v[i].as_ref().is_some_and(|x| x.kind == kind))
            .collect()
    };
    for kind in [IncomeKind::Salary, IncomeKind::Pension] {
        let (o, s) = (of_kind(&os, kind), of_kind(&ss, kind));
        if let ([o], [s]) = (o.as_slice(), s.as_slice()) {
            // Two known and different INNs are two employers, however alone.
            if !os[*o]
                .as_ref()
                .zip(ss[*s].as_ref())
                .is_some_and(|(o, s)| inns_differ(o, s))
            {
                pairs.push((os[*o].take(), ss[*s].take(), Matched::OnlyOne));
            }
        }
    }
    pairs.extend(
        os.into_iter()
            .flatten()
            .map(|o| (Some(o), None, Matched::Unmatched)),
    );
    pairs.extend(
        ss.into_iter()
            .flatten()
            .map(|s| (None, Some(s), Matched::Unmatched)),
    );
    pairs
}

/// The service's answer beside the statements' analysis, over the analysis' window;
/// a source's gap above `share` (0.10 for 10 %) is flagged.
pub fn compare(
    official: &OfficialIncome,
    income: &StatementIncome,
    share: Decimal,
) -> OfficialComparison {
    let window = &income.period;
    // The months the answer spans (all of the window when it records nothing: then no
    // salary is recorded, which is a zero): only these are compared.
    let first = official.records.iter().map(|r| r.month).min();
    let last = official.records.iter().map(|r| r.month).max();
    let answered = |m: &YearMonth| first.is_none_or(|f| f <= *m) && last.is_none_or(|l| *m <= l);
    let pairs = pair(
        official_sides(official, window),
        statement_sides(income, window),
    );
    let mut sources = Vec::new();
    let mut flags = Vec::new();
    for (o, s, matched) in pairs {
        let kind = o
            .as_ref()
            .or(s.as_ref())
            .map_or(IncomeKind::Salary, |x| x.kind);
        let month_of = |side: &Option<Side>, m: &YearMonth| {
            side.as_ref()
                .and_then(|x| x.months.get(m).copied())
                .unwrap_or(Money::ZERO)
        };
        let months: Vec<MonthPair> = window
            .iter()
            .map(|m| MonthPair {
                month: *m,
                official: answered(m).then(|| month_of(&o, m)),
                statements: month_of(&s, m),
            })
            .collect();
        let compared = || months.iter().filter(|p| p.official.is_some());
        let official_total = Money::saturating_sum(compared().filter_map(|p| p.official));
        let statements_total = Money::saturating_sum(compared().map(|p| p.statements));
        let larger = official_total.max(statements_total).decimal();
        let gap = if larger.is_zero() {
            Decimal::ZERO
        } else {
            (official_total.decimal() - statements_total.decimal()).abs() / larger
        };
        let flagged = gap > share;
        let row = SourceComparison {
            kind,
            official_payer: o.map(|x| x.payer).unwrap_or_default(),
            statement_payer: s.map(|x| x.payer).unwrap_or_default(),
            matched,
            months,
            official_total,
            statements_total,
            gap_percent: percent2(gap),
            flagged,
        };
        if flagged {
            flags.push(Flag {
                code: "OFFICIAL_INCOME_GAP".into(),
                file: String::new(),
                line: None,
                message: gap_message(&row, share),
            });
        }
        sources.push(row);
    }
    OfficialComparison {
        at: official.at.clone(),
        limit_percent: percent2(share),
        sources,
        flags,
    }
}

fn gap_message(row: &SourceComparison, share: Decimal) -> String {
    let who = match (row.official_payer.as_str(), row.statement_payer.as_str()) {
        ("", s) => format!("{} from {s} (no official record)", row.kind.as_str()),
        (o, "") => format!("{} from {o} (not in the statements)", row.kind.as_str()),
        (o, s) if name_key(o) == name_key(s) => format!("{} from {o}", row.kind.as_str()),
        (o, s) => format!("{} from {o} (statements: {s})", row.kind.as_str()),
    };
    format!(
        "{who}: official {} against statements {} over the months compared, a gap of {} % (above {} %)",
        row.official_total,
        row.statements_total,
        row.gap_percent,
        percent2(share)
    )
}

#[cfg(test)]
mod tests;

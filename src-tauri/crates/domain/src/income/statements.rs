//! Income from statements: every credit classified into the passport's source kinds (with
//! its reason), the month × source table over the window, continuity (P-INC-6M), the
//! entrepreneur weight and account rule (P-INC-IE-ACC), the average, and integrity flags.
//!
//! Readings fixed here:
//! - a month is covered when a statement period covers all of it; a covered month with no
//!   credit from a source counts as zero for it and is flagged (`ZERO_MONTH`);
//! - salary, pension and passive income form one source per payer (INN, else name); all
//!   other inflows form one `account_inflow` source, entrepreneur receipts one per account;
//! - a credit whose payer account is one of the party's own accounts, or whose payer INN is
//!   the receiver's, is an own-account transfer and is excluded;
//! - the balance identity is checked per account section (opening + credited − debited =
//!   closing, and the documents' sums against the section's totals); 1C files carry no
//!   monthly balances, so no per-month identity can be checked from them.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::case::IncomeKind;
use crate::money::{round_to_unit, strict_decimal, Date, Money, YearMonth};
use crate::product::ProductConfig;
use crate::statement::{Statement, Transaction};

/// The classification rules, from `assets/income/classification.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Classification {
    #[serde(default)]
    pub comment: String,
    pub this_bank_mfo: Vec<String>,
    pub entrepreneur_account_prefixes: Vec<String>,
    #[serde(with = "strict_decimal")]
    pub one_off_factor: Decimal,
    pub round_trip_days: i64,
    pub rules: Vec<Rule>,
    pub default_kind: IncomeKind,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    #[serde(default)]
    pub kind: Option<IncomeKind>,
    /// Set for rules that take a credit out of income (own transfers, loans, refunds).
    #[serde(default)]
    pub exclude: Option<String>,
    pub any: Vec<String>,
}

/// The underwriter's decision on one transaction, with the note that justifies it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct Reclassification {
    pub file: String,
    pub line: usize,
    /// `None` takes the credit out of income.
    pub kind: Option<IncomeKind>,
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct Flag {
    pub code: String,
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct ClassifiedTransaction {
    pub file: String,
    pub line: usize,
    pub date: Option<Date>,
    pub amount: Money,
    pub direction: String,
    pub payer: String,
    pub payer_inn: String,
    pub purpose: String,
    pub kind: Option<IncomeKind>,
    pub excluded: Option<String>,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct StatementSource {
    pub kind: IncomeKind,
    pub payer: String,
    pub payer_inn: String,
    #[ts(type = "Record<string, string>")]
    pub months: BTreeMap<YearMonth, Money>,
    pub weight: String,
    pub usable: bool,
    pub reasons: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct StatementIncome {
    pub period: Vec<YearMonth>,
    pub sources: Vec<StatementSource>,
    pub average_monthly_income: Money,
    pub flags: Vec<Flag>,
    pub transactions: Vec<ClassifiedTransaction>,
}

fn normalise(s: &str) -> String {
    s.to_lowercase()
        .replace(['ʻ', 'ʼ', '’', '‘', '`', 'ʹ'], "'")
}

fn month_days(m: YearMonth) -> (Date, Date) {
    let first = Date::ymd(m.year, m.month, 1).unwrap_or(Date(chrono::NaiveDate::MIN));
    (first, first.add_months(1).add_days(-1))
}

/// Analyses the statements of one party as of a date (the application date).
pub fn analyse(
    statements: &[Statement],
    as_of: Date,
    product: &ProductConfig,
    rules: &Classification,
    overrides: &[Reclassification],
) -> StatementIncome {
    let n = product.income.history_months;
    let period = YearMonth::of(as_of).months_before(n);
    let mut flags = Vec::new();
    let flag =
        |flags: &mut Vec<Flag>, code: &str, file: &str, line: Option<usize>, message: String| {
            flags.push(Flag {
                code: code.into(),
                file: file.into(),
                line,
                message,
            })
        };

    // The party's own accounts, and the covered months.
    let own: HashSet<&str> = statements
        .iter()
        .flat_map(|s| s.accounts.iter().map(|a| a.account.as_str()))
        .filter(|a| !a.is_empty())
        .collect();
    let mut covered: BTreeSet<YearMonth> = BTreeSet::new();
    for st in statements {
        let spans: Vec<(Option<Date>, Option<Date>)> = if st.accounts.is_empty() {
            vec![(st.period_from, st.period_to)]
        } else {
            st.accounts
                .iter()
                .map(|a| (a.from.or(st.period_from), a.to.or(st.period_to)))
                .collect()
        };
        for (from, to) in spans {
            let (Some(from), Some(to)) = (from, to) else {
                continue;
            };
            for m in &period {
                let (first, last) = month_days(*m);
                if from <= first && to >= last {
                    covered.insert(*m);
                }
            }
        }
        balance_flags(st, &mut flags);
    }
    for m in &period {
        if !covered.contains(m) {
            flag(
                &mut flags,
                "PERIOD_NOT_COVERED",
                "",
                None,
                format!("no statement covers all of {m}"),
            );
        }
    }

    // Classify, deduplicating documents that appear in two files.
    // A document is the same when its date, amount, number and both accounts are.
    type DocKey = (Option<Date>, Money, String, String, String);
    let mut seen: HashMap<DocKey, (String, usize)> = HashMap::new();
    let mut out = Vec::new();
    let mut ie_banks: BTreeSet<String> = BTreeSet::new();
    for st in statements {
        for t in &st.transactions {
            let key = (
                t.date,
                t.amount,
                t.number.clone(),
                t.payer_account.clone(),
                t.receiver_account.clone(),
            );
            if let Some((file, line)) = seen.get(&key) {
                flag(
                    &mut flags,
                    "DUPLICATE_DOCUMENT",
                    &st.file,
                    Some(t.line),
                    format!("the same document as {file}:{line}; counted once"),
                );
                continue;
            }
            seen.insert(key, (st.file.clone(), t.line));
            let c = classify(st, t, &own, rules, overrides);
            if c.kind == Some(IncomeKind::EntrepreneurReceipts) && c.excluded.is_none() {
                ie_banks.insert(t.receiver_bank.clone());
            }
            out.push(c);
        }
    }

    // Sources and the month table.
    let mut sources: BTreeMap<(IncomeKind, String), StatementSource> = BTreeMap::new();
    let unit = product.schedule.rounding_unit;
    for t in out
        .iter()
        .filter(|t| t.direction == "credit" && t.excluded.is_none())
    {
        let (Some(kind), Some(date)) = (t.kind, t.date) else {
            continue;
        };
        let month = YearMonth::of(date);
        if !period.contains(&month) {
            continue;
        }
        let payer_key = match kind {
            IncomeKind::AccountInflow => String::new(),
            IncomeKind::EntrepreneurReceipts => String::new(),
            _ if !t.payer_inn.is_empty() => t.payer_inn.clone(),
            _ => t.payer.clone(),
        };
        let src = sources
            .entry((kind, payer_key.clone()))
            .or_insert_with(|| StatementSource {
                kind,
                payer: if payer_key.is_empty() {
                    String::new()
                } else {
                    t.payer.clone()
                },
                payer_inn: if payer_key.is_empty() {
                    String::new()
                } else {
                    t.payer_inn.clone()
                },
                months: BTreeMap::new(),
                weight: product.weight(kind).normalize().to_string(),
                usable: true,
                reasons: Vec::new(),
            });
        let cell = src.months.entry(month).or_insert(Money::ZERO);
        cell.0 += t.amount.0;
    }

    // P-INC-IE-ACC: every account the receipts came into is held at this bank.
    let at_bank = ie_banks.iter().all(|b| rules.this_bank_mfo.contains(b));
    let mut weighted = Decimal::ZERO;
    let mut result_sources = Vec::new();
    for (_, mut src) in sources {
        for m in &period {
            if covered.contains(m) {
                if !src.months.contains_key(m) {
                    src.months.insert(*m, Money::ZERO);
                    flag(
                        &mut flags,
                        "ZERO_MONTH",
                        "",
                        None,
                        format!(
                            "{} {}: no credit in {m}, counted as zero",
                            src.kind.as_str(),
                            src.payer
                        ),
                    );
                }
            } else {
                src.months.remove(m);
                src.usable = false;
                src.reasons
                    .push(format!("P-INC-6M: no statement covers {m}"));
            }
        }
        if src.kind == IncomeKind::EntrepreneurReceipts
            && product.income.entrepreneur_account_must_be_at_bank
            && !at_bank
        {
            src.usable = false;
            src.reasons
                .push("P-INC-IE-ACC: the entrepreneur's account is not at this bank".into());
        }
        one_off_flags(&src, rules.one_off_factor, &mut flags);
        if src.usable {
            let total: Decimal = src.months.values().map(|m| m.0).sum();
            weighted += total * product.weight(src.kind);
        }
        result_sources.push(src);
    }
    multiple_employer_flags(&out, &mut flags);
    round_trip_flags(&out, rules.round_trip_days, &mut flags);

    StatementIncome {
        average_monthly_income: Money(round_to_unit(weighted / Decimal::from(n as u64), unit)),
        period,
        sources: result_sources,
        flags,
        transactions: out,
    }
}

fn classify(
    st: &Statement,
    t: &Transaction,
    own: &HashSet<&str>,
    rules: &Classification,
    overrides: &[Reclassification],
) -> ClassifiedTransaction {
    let credit = own.contains(t.receiver_account.as_str())
        || (t.credited_on.is_some() && !own.contains(t.payer_account.as_str()));
    let mut c = ClassifiedTransaction {
        file: st.file.clone(),
        line: t.line,
        date: t.date,
        amount: t.amount,
        direction: if credit { "credit" } else { "debit" }.into(),
        payer: t.payer.clone(),
        payer_inn: t.payer_inn.clone(),
        purpose: t.purpose.clone(),
        kind: None,
        excluded: None,
        reason: String::new(),
    };
    if !credit {
        c.reason = "a debit: not income".into();
        return c;
    }
    if let Some(o) = overrides
        .iter()
        .find(|o| o.file == st.file && o.line == t.line)
    {
        c.kind = o.kind;
        c.excluded = o.kind.is_none().then(|| "reclassified".to_string());
        c.reason = format!("reclassified by the underwriter: {}", o.note);
        return c;
    }
    if own.contains(t.payer_account.as_str())
        || (!t.payer_inn.is_empty() && t.payer_inn == t.receiver_inn)
    {
        c.excluded = Some("own_transfer".into());
        c.reason = "paid from the party's own account".into();
        return c;
    }
    let purpose = normalise(&t.purpose);
    for r in &rules.rules {
        if let Some(word) = r.any.iter().find(|w| purpose.contains(&normalise(w))) {
            c.reason = format!("the purpose contains «{word}»");
            match (&r.exclude, r.kind) {
                (Some(why), _) => c.excluded = Some(why.clone()),
                (None, Some(kind)) => c.kind = Some(kind),
                (None, None) => continue,
            }
            return c;
        }
    }
    if rules
        .entrepreneur_account_prefixes
        .iter()
        .any(|p| t.receiver_account.starts_with(p.as_str()))
    {
        c.kind = Some(IncomeKind::EntrepreneurReceipts);
        c.reason = "credited to an individual entrepreneur's account".into();
    } else {
        c.kind = Some(rules.default_kind);
        c.reason = "no keyword matched: a regular account inflow".into();
    }
    c
}

fn balance_flags(st: &Statement, flags: &mut Vec<Flag>) {
    for a in &st.accounts {
        if let (Some(o), Some(c), Some(d), Some(cl)) = (a.opening, a.credited, a.debited, a.closing)
        {
            if o.0 + c.0 - d.0 != cl.0 {
                flags.push(Flag {
                    code: "BALANCE_MISMATCH".into(),
                    file: st.file.clone(),
                    line: Some(a.line),
                    message: format!(
                        "account {}: opening {o} + credited {c} − debited {d} = {} ≠ closing {cl}",
                        a.account,
                        Money(o.0 + c.0 - d.0)
                    ),
                });
            }
        }
        let docs_in = |credit: bool| -> Decimal {
            st.transactions
                .iter()
                .filter(|t| {
                    if credit {
                        t.receiver_account == a.account
                    } else {
                        t.payer_account == a.account
                    }
                })
                .map(|t| t.amount.0)
                .sum()
        };
        for (total, credit, what) in [
            (a.credited, true, "credited"),
            (a.debited, false, "debited"),
        ] {
            if let Some(total) = total {
                let sum = docs_in(credit);
                if sum != total.0 && !st.transactions.is_empty() {
                    flags.push(Flag {
                        code: "BALANCE_MISMATCH".into(),
                        file: st.file.clone(),
                        line: Some(a.line),
                        message: format!(
                            "account {}: documents {what} {} but the section says {total}",
                            a.account,
                            Money(sum)
                        ),
                    });
                }
            }
        }
    }
}

fn one_off_flags(src: &StatementSource, factor: Decimal, flags: &mut Vec<Flag>) {
    let mut values: Vec<Decimal> = src.months.values().map(|m| m.0).collect();
    if values.len() < 3 {
        return;
    }
    values.sort();
    let median = values[values.len() / 2];
    for (m, v) in &src.months {
        if median > Decimal::ZERO && v.0 > factor * median {
            flags.push(Flag {
                code: "ONE_OFF_INFLOW".into(),
                file: String::new(),
                line: None,
                message: format!(
                    "{} {}: {m} brought {v}, more than {factor}× the median month {}",
                    src.kind.as_str(),
                    src.payer,
                    Money(median)
                ),
            });
        }
    }
}

fn multiple_employer_flags(txs: &[ClassifiedTransaction], flags: &mut Vec<Flag>) {
    let mut by_month: BTreeMap<YearMonth, BTreeSet<String>> = BTreeMap::new();
    for t in txs
        .iter()
        .filter(|t| t.kind == Some(IncomeKind::Salary) && t.excluded.is_none())
    {
        if let Some(d) = t.date {
            let payer = if t.payer_inn.is_empty() {
                t.payer.clone()
            } else {
                t.payer_inn.clone()
            };
            by_month.entry(YearMonth::of(d)).or_default().insert(payer);
        }
    }
    for (m, payers) in by_month.into_iter().filter(|(_, p)| p.len() > 1) {
        flags.push(Flag {
            code: "MULTIPLE_EMPLOYERS".into(),
            file: String::new(),
            line: None,
            message: format!("salary from {} employers in {m}", payers.len()),
        });
    }
}

fn round_trip_flags(txs: &[ClassifiedTransaction], days: i64, flags: &mut Vec<Flag>) {
    // Debits by amount, so each credit looks only at debits of its own amount.
    let mut debits: HashMap<Money, Vec<&ClassifiedTransaction>> = HashMap::new();
    for d in txs.iter().filter(|t| t.direction == "debit") {
        debits.entry(d.amount).or_default().push(d);
    }
    for c in txs
        .iter()
        .filter(|t| t.direction == "credit" && t.excluded.is_none())
    {
        let Some(cd) = c.date else { continue };
        let Some(same) = debits.get(&c.amount) else {
            continue;
        };
        if let Some(d) = same.iter().find(|d| {
            d.date
                .is_some_and(|dd| (dd.0 - cd.0).num_days().abs() <= days)
        }) {
            flags.push(Flag {
                code: "ROUND_TRIP".into(),
                file: c.file.clone(),
                line: Some(c.line),
                message: format!(
                    "a credit of {} and a debit of the same amount within {days} days ({}:{})",
                    c.amount, d.file, d.line
                ),
            });
        }
    }
}

#[cfg(test)]
mod tests;

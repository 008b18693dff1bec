//! Income from statements: every credit classified into the passport's source kinds (with
//! its reason), the month × source table over the window, continuity (P-INC-6M), the
//! entrepreneur weight and account rule (P-INC-IE-ACC), the average, and integrity flags.
//!
//! Readings fixed here:
//! - a month is covered when a statement period covers all of it; a covered month with no
//!   credit from a source counts as zero for it and is flagged (`ZERO_MONTH`);
//! - salary, pension and passive income form one source per payer (INN, else name); all
//!   other inflows form one `account_inflow` source, entrepreneur receipts one source; a
//!   source is at this bank when every credit of it came into an account whose bank (МФО)
//!   is listed in `this_bank_mfo` (a CSV export names no bank, so it never is);
//! - a credit whose payer account is one of the party's own accounts, or whose payer INN is
//!   the receiver's, is an own-account transfer and is excluded;
//! - the balance identity is checked per account section (opening + credited − debited =
//!   closing, and the sums of the documents dated inside the section against its totals)
//!   and along the chain of sections; a 1C file has balances only per section, so the
//!   identity is per month exactly when the bank exports a section per month (many do),
//!   else per file. CSV and XLSX exports carry no balances to check;
//! - a one-off inflow is a month above 3× the source's median month, zero months included
//!   (one large transfer among empty months is the very case); the flag points at the
//!   month's largest credit;
//! - a month's credits or an average beyond 10^15 UZS, the largest amount, are held at
//!   10^15: each credit is at most that (the readers' bound), so only an absurd file gets
//!   there, and holding can only understate an income, which keeps P-DTI strict.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::case::{IncomeKind, IncomeSource};
use crate::money::{fixed2, strict_decimal, Date, Money, YearMonth};
use crate::product::ProductConfig;
use crate::statement::{Statement, Text, Transaction};

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

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Credit,
    Debit,
}

#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct ClassifiedTransaction {
    pub file: Text,
    pub line: usize,
    pub date: Option<Date>,
    pub amount: Money,
    pub direction: Direction,
    pub payer: Text,
    pub payer_inn: Text,
    pub purpose: Text,
    pub kind: Option<IncomeKind>,
    pub excluded: Option<Text>,
    pub reason: Text,
}

#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct StatementSource {
    pub kind: IncomeKind,
    pub payer: String,
    pub payer_inn: String,
    #[ts(type = "Record<string, string>")]
    pub months: BTreeMap<YearMonth, Money>,
    pub weight: String,
    /// Every credit of the source came into an account at this bank (by МФО).
    pub at_this_bank: bool,
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

/// The usable sources as the case file's `incomes` of the party, so that the engine
/// (P-INC-6M, P-INC-AVG, the weights) works on what the statements show. Unusable sources
/// are left out: their reasons stay on the income step.
pub fn case_sources(income: &StatementIncome) -> Vec<IncomeSource> {
    income
        .sources
        .iter()
        .filter(|s| s.usable)
        .map(|s| IncomeSource {
            kind: s.kind,
            employer: (!s.payer.is_empty()).then(|| s.payer.clone()),
            at_this_bank: s.at_this_bank,
            months: s.months.clone(),
        })
        .collect()
}

/// Who paid: the INN when the statement gives one, else the name.
fn payer_id(t: &ClassifiedTransaction) -> String {
    if t.payer_inn.is_empty() {
        t.payer.to_string()
    } else {
        t.payer_inn.to_string()
    }
}

/// A flag pointing at the transaction behind it, when there is one.
fn flag_at(code: &str, t: Option<&ClassifiedTransaction>, message: String) -> Flag {
    Flag {
        code: code.into(),
        file: t.map(|t| t.file.to_string()).unwrap_or_default(),
        line: t.map(|t| t.line),
        message,
    }
}

/// "salary from Akfa", "account_inflow": how flags name a source.
fn label(src: &StatementSource) -> String {
    if src.payer.is_empty() {
        src.kind.as_str().to_string()
    } else {
        format!("{} from {}", src.kind.as_str(), src.payer)
    }
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
    let own: foldhash::HashSet<&str> = statements
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
    type DocKey<'s> = (Option<Date>, Money, &'s str, &'s str, &'s str);
    let prepared = Prepared::new(rules);
    let mut purposes = foldhash::HashMap::default();
    let mut seen: foldhash::HashMap<DocKey, (&str, usize)> = foldhash::HashMap::default();
    let mut out = Vec::with_capacity(statements.iter().map(|s| s.transactions.len()).sum());
    for st in statements {
        let file: Text = st.file.as_str().into();
        for t in &st.transactions {
            let key = (
                t.date,
                t.amount,
                &*t.number,
                &*t.payer_account,
                &*t.receiver_account,
            );
            if let Some((first, line)) = seen.get(&key) {
                flag(
                    &mut flags,
                    "DUPLICATE_DOCUMENT",
                    &st.file,
                    Some(t.line),
                    format!("the same document as {first}:{line}; counted once"),
                );
                continue;
            }
            seen.insert(key, (&st.file, t.line));
            let c = classify(&file, t, &own, &prepared, &mut purposes, overrides);
            let at_bank = rules.this_bank_mfo.iter().any(|m| **m == *t.receiver_bank);
            out.push((c, at_bank));
        }
    }

    // Sources and the month table.
    let mut sources: BTreeMap<(IncomeKind, String), StatementSource> = BTreeMap::new();
    // The credits behind each source, so a flag can point at the transaction.
    let mut members: HashMap<(IncomeKind, String), Vec<usize>> = HashMap::new();
    let unit = product.schedule.rounding_unit;
    for (i, (t, at_bank)) in out
        .iter()
        .enumerate()
        .filter(|(_, (t, _))| t.direction == Direction::Credit && t.excluded.is_none())
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
            _ => payer_id(t),
        };
        members
            .entry((kind, payer_key.clone()))
            .or_default()
            .push(i);
        let src = sources
            .entry((kind, payer_key.clone()))
            .or_insert_with(|| StatementSource {
                kind,
                payer: if payer_key.is_empty() {
                    String::new()
                } else {
                    t.payer.to_string()
                },
                payer_inn: if payer_key.is_empty() {
                    String::new()
                } else {
                    t.payer_inn.to_string()
                },
                months: BTreeMap::new(),
                weight: product.weight(kind).normalize().to_string(),
                at_this_bank: true,
                usable: true,
                reasons: Vec::new(),
            });
        src.at_this_bank &= *at_bank;
        let cell = src.months.entry(month).or_insert(Money::ZERO);
        *cell = cell.saturating_add(t.amount);
    }

    let out: Vec<ClassifiedTransaction> = out.into_iter().map(|(t, _)| t).collect();
    let mut weighted = Decimal::ZERO;
    let mut result_sources = Vec::new();
    for (key, mut src) in sources {
        for m in &period {
            if covered.contains(m) {
                if !src.months.contains_key(m) {
                    src.months.insert(*m, Money::ZERO);
                    flag(
                        &mut flags,
                        "ZERO_MONTH",
                        "",
                        None,
                        format!("{}: no credit in {m}, counted as zero", label(&src)),
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
            && !src.at_this_bank
        {
            // P-INC-IE-ACC: every account the receipts came into is held at this bank.
            src.usable = false;
            src.reasons
                .push("P-INC-IE-ACC: the entrepreneur's account is not at this bank".into());
        }
        let credits: Vec<&ClassifiedTransaction> = members
            .get(&key)
            .map(|ix| ix.iter().map(|&i| &out[i]).collect())
            .unwrap_or_default();
        one_off_flags(&src, &credits, rules.one_off_factor, &mut flags);
        if src.usable {
            let total = Money::saturating_sum(src.months.values().copied());
            weighted += total.decimal() * product.weight(src.kind);
        }
        result_sources.push(src);
    }
    multiple_employer_flags(&out, &mut flags);
    round_trip_flags(&out, rules.round_trip_days, &mut flags);

    StatementIncome {
        average_monthly_income: Money::round_half_up_saturating(
            weighted / Decimal::from(n as u64),
            unit,
        ),
        period,
        sources: result_sources,
        flags,
        transactions: out,
    }
}

/// The rules made ready once per analysis: keywords normalised, reasons formatted, so
/// classifying a transaction allocates nothing but its purpose's lower-case form.
struct Prepared<'a> {
    rules: &'a Classification,
    words: Vec<(String, Text, Option<Text>, Option<IncomeKind>)>,
    debit: Text,
    own_transfer: (Text, Text),
    entrepreneur: Text,
    default: Text,
    reclassified: Text,
}

impl<'a> Prepared<'a> {
    fn new(rules: &'a Classification) -> Prepared<'a> {
        let words = rules
            .rules
            .iter()
            .filter(|r| r.exclude.is_some() || r.kind.is_some())
            .flat_map(|r| {
                r.any.iter().map(|w| {
                    (
                        normalise(w),
                        format!("the purpose contains «{w}»").into(),
                        r.exclude.as_deref().map(Text::from),
                        r.kind,
                    )
                })
            })
            .collect();
        Prepared {
            rules,
            words,
            debit: "a debit: not income".into(),
            own_transfer: (
                "own_transfer".into(),
                "paid from the party's own account".into(),
            ),
            entrepreneur: "credited to an individual entrepreneur's account".into(),
            default: "no keyword matched: a regular account inflow".into(),
            reclassified: "reclassified".into(),
        }
    }
}

/// The keyword (index into `Prepared::words`) each distinct purpose matched: purposes
/// repeat month after month, so each is lower-cased and searched once.
type PurposeCache = foldhash::HashMap<Text, Option<usize>>;

fn classify(
    file: &Text,
    t: &Transaction,
    own: &foldhash::HashSet<&str>,
    p: &Prepared,
    purposes: &mut PurposeCache,
    overrides: &[Reclassification],
) -> ClassifiedTransaction {
    let credit = own.contains(&*t.receiver_account)
        || (t.credited_on.is_some() && !own.contains(&*t.payer_account));
    let mut c = ClassifiedTransaction {
        file: file.clone(),
        line: t.line,
        date: t.date,
        amount: t.amount,
        direction: if credit {
            Direction::Credit
        } else {
            Direction::Debit
        },
        payer: t.payer.clone(),
        payer_inn: t.payer_inn.clone(),
        purpose: t.purpose.clone(),
        kind: None,
        excluded: None,
        reason: p.debit.clone(),
    };
    if !credit {
        return c;
    }
    if let Some(o) = overrides
        .iter()
        .find(|o| *o.file == **file && o.line == t.line)
    {
        c.kind = o.kind;
        c.excluded = o.kind.is_none().then(|| p.reclassified.clone());
        c.reason = format!("reclassified by the underwriter: {}", o.note).into();
        return c;
    }
    if own.contains(&*t.payer_account) || (!t.payer_inn.is_empty() && t.payer_inn == t.receiver_inn)
    {
        c.excluded = Some(p.own_transfer.0.clone());
        c.reason = p.own_transfer.1.clone();
        return c;
    }
    let word = *purposes.entry(t.purpose.clone()).or_insert_with(|| {
        let purpose = normalise(&t.purpose);
        p.words
            .iter()
            .position(|(w, ..)| purpose.contains(w.as_str()))
    });
    if let Some((_, reason, exclude, kind)) = word.map(|i| &p.words[i]) {
        c.reason = reason.clone();
        c.excluded = exclude.clone();
        c.kind = if exclude.is_some() { None } else { *kind };
        return c;
    }
    if p.rules
        .entrepreneur_account_prefixes
        .iter()
        .any(|pre| t.receiver_account.starts_with(pre.as_str()))
    {
        c.kind = Some(IncomeKind::EntrepreneurReceipts);
        c.reason = p.entrepreneur.clone();
    } else {
        c.kind = Some(p.rules.default_kind);
        c.reason = p.default.clone();
    }
    c
}

/// The balance identity of every account section (opening + credited − debited = closing),
/// the section's totals against its own documents (those dated inside its period), and the
/// chain between consecutive sections of one account (each opens with the previous
/// closing). Banks that export one section per month thus get the identity per month.
fn balance_flags(st: &Statement, flags: &mut Vec<Flag>) {
    let mut push = |line: usize, message: String| {
        flags.push(Flag {
            code: "BALANCE_MISMATCH".into(),
            file: st.file.clone(),
            line: Some(line),
            message,
        })
    };
    for a in &st.accounts {
        if let (Some(o), Some(c), Some(d), Some(cl)) = (a.opening, a.credited, a.debited, a.closing)
        {
            // Three amounts of at most 10^15: exact in `Decimal`, and whole tiyin.
            let expected = o.decimal() + c.decimal() - d.decimal();
            if expected != cl.decimal() {
                push(
                    a.line,
                    format!(
                        "account {}: opening {o} + credited {c} − debited {d} = {} ≠ closing {cl}",
                        a.account,
                        fixed2(expected)
                    ),
                );
            }
        }
        let (from, to) = (a.from.or(st.period_from), a.to.or(st.period_to));
        let inside = |t: &&Transaction| {
            t.date
                .is_none_or(|d| from.is_none_or(|f| d >= f) && to.is_none_or(|l| d <= l))
        };
        // A `Decimal` sum: exact for as many amounts as a file can hold.
        let docs_in = |credit: bool| -> Decimal {
            st.transactions
                .iter()
                .filter(inside)
                .filter(|t| {
                    if credit {
                        *t.receiver_account == *a.account
                    } else {
                        *t.payer_account == *a.account
                    }
                })
                .map(|t| t.amount.decimal())
                .sum()
        };
        for (total, credit, what) in [
            (a.credited, true, "credited"),
            (a.debited, false, "debited"),
        ] {
            if let Some(total) = total {
                let sum = docs_in(credit);
                if sum != total.decimal() && !st.transactions.is_empty() {
                    push(
                        a.line,
                        format!(
                            "account {}: documents {what} {} but the section says {total}",
                            a.account,
                            fixed2(sum)
                        ),
                    );
                }
            }
        }
    }
    let mut sections: Vec<_> = st.accounts.iter().filter(|a| a.from.is_some()).collect();
    sections.sort_by_key(|a| (a.account.clone(), a.from));
    for pair in sections.windows(2) {
        let (prev, next) = (pair[0], pair[1]);
        if prev.account != next.account {
            continue;
        }
        if let (Some(closing), Some(opening)) = (prev.closing, next.opening) {
            if closing != opening {
                push(
                    next.line,
                    format!(
                        "account {}: the section from {} opens with {opening}, but the one before closed with {closing}",
                        next.account,
                        next.from.map(|d| d.to_string()).unwrap_or_default()
                    ),
                );
            }
        }
    }
}

/// A month above `factor` × the source's median month (zero months count: a single large
/// inflow among empty months is the very case). The flag points at the month's largest
/// credit.
fn one_off_flags(
    src: &StatementSource,
    credits: &[&ClassifiedTransaction],
    factor: Decimal,
    flags: &mut Vec<Flag>,
) {
    let mut values: Vec<Money> = src.months.values().copied().collect();
    if values.len() < 3 {
        return;
    }
    values.sort();
    let median = values[values.len() / 2];
    // Checked: the factor comes from a data file. Beyond `Decimal`, no month exceeds it.
    let Some(limit) = factor.checked_mul(median.decimal()) else {
        return;
    };
    for (m, v) in &src.months {
        if *v > Money::ZERO && v.decimal() > limit {
            let largest = credits
                .iter()
                .filter(|t| t.date.is_some_and(|d| YearMonth::of(d) == *m))
                .max_by_key(|t| t.amount);
            flags.push(flag_at(
                "ONE_OFF_INFLOW",
                largest.copied(),
                format!(
                    "{}: {m} brought {v}, more than {factor}× the median month {}",
                    label(src),
                    median
                ),
            ));
        }
    }
}

fn multiple_employer_flags(txs: &[ClassifiedTransaction], flags: &mut Vec<Flag>) {
    // Per month, each employer's first salary credit, so the flag can point at the
    // second employer's.
    let mut by_month: BTreeMap<YearMonth, BTreeMap<String, &ClassifiedTransaction>> =
        BTreeMap::new();
    for t in txs
        .iter()
        .filter(|t| t.kind == Some(IncomeKind::Salary) && t.excluded.is_none())
    {
        if let Some(d) = t.date {
            let payer = payer_id(t);
            by_month
                .entry(YearMonth::of(d))
                .or_default()
                .entry(payer)
                .or_insert(t);
        }
    }
    for (m, payers) in by_month.into_iter().filter(|(_, p)| p.len() > 1) {
        let second = payers.values().max_by_key(|t| (t.date, t.line));
        flags.push(flag_at(
            "MULTIPLE_EMPLOYERS",
            second.copied(),
            format!(
                "salary from {} employers in {m}: {}",
                payers.len(),
                payers
                    .values()
                    .map(|t| t.payer.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
}

fn round_trip_flags(txs: &[ClassifiedTransaction], days: i64, flags: &mut Vec<Flag>) {
    // Debits by amount, so each credit looks only at debits of its own amount.
    let mut debits: foldhash::HashMap<Money, Vec<&ClassifiedTransaction>> =
        foldhash::HashMap::default();
    for d in txs.iter().filter(|t| t.direction == Direction::Debit) {
        debits.entry(d.amount).or_default().push(d);
    }
    for c in txs
        .iter()
        .filter(|t| t.direction == Direction::Credit && t.excluded.is_none())
    {
        let Some(cd) = c.date else { continue };
        let Some(same) = debits.get(&c.amount) else {
            continue;
        };
        if let Some(d) = same.iter().find(|d| {
            d.date
                .is_some_and(|dd| (dd.0 - cd.0).num_days().abs() <= days)
        }) {
            flags.push(flag_at(
                "ROUND_TRIP",
                Some(c),
                format!(
                    "a credit of {} and a debit of the same amount within {days} days ({}:{})",
                    c.amount, d.file, d.line
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests;

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
//!   is listed in `this_bank_mfo` (`assets/income/classification.json`: 00440, the bank's
//!   МФО as this workstation assumes it). A CSV export names no bank, so entrepreneur
//!   receipts read from one never pass P-INC-IE-ACC;
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

use std::borrow::Cow;
use std::collections::BTreeMap;

use aho_corasick::{AhoCorasick, AhoCorasickKind};
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
    /// The share of a source's six months by which the statements may differ from the
    /// official income service before the reviewer is shown `OFFICIAL_INCOME_GAP`.
    #[serde(with = "strict_decimal", default = "official_gap_share")]
    pub official_gap_share: Decimal,
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

/// 10 %: the gap allowed when the classification does not say.
fn official_gap_share() -> Decimal {
    Decimal::new(10, 2)
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
fn payer_id_of<'a>(payer: &'a str, inn: &'a str) -> &'a str {
    if inn.is_empty() {
        payer
    } else {
        inn
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

/// Lower case, every apostrophe of Uzbek Latin as `'`: how purposes and keywords are
/// compared (as `str::to_lowercase` then the apostrophes, which a test holds it to).
fn normalise(s: &str) -> String {
    let mut out = Vec::with_capacity(s.len());
    normalise_into(s, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// [`normalise`] into a buffer reused from purpose to purpose, as UTF-8 bytes (what the
/// keywords' automaton reads): every purpose goes through it once. The text is copied and
/// lowered in place where a character keeps its length — ASCII and the Russian alphabet,
/// most of a purpose; from the first other character on, by Unicode's tables
/// ([`normalise_rest`]).
fn normalise_into(s: &str, out: &mut Vec<u8>) {
    out.clear();
    out.extend_from_slice(s.as_bytes());
    let mut i = 0;
    while let Some(&b) = out.get(i) {
        let next = out.get(i + 1).copied();
        let step = match (b, next) {
            (b'`', _) => Some((b'\'', None)),
            (0..=0x7F, _) => Some((b.to_ascii_lowercase(), None)),
            // А..П and Р..Я (U+0410..U+042F) to а..п and р..я; а..я (U+0430..U+044F) stay.
            (0xD0, Some(n @ 0x90..=0x9F)) => Some((0xD0, Some(n + 0x20))),
            (0xD0, Some(n @ 0xA0..=0xAF)) => Some((0xD1, Some(n - 0x20))),
            (0xD0, Some(n @ 0xB0..=0xBF)) | (0xD1, Some(n @ 0x80..=0x8F)) => Some((b, Some(n))),
            _ => None,
        };
        let Some((first, second)) = step else {
            out.truncate(i);
            normalise_rest(s.get(i..).unwrap_or_default(), s, out);
            return;
        };
        if let Some(x) = out.get_mut(i) {
            *x = first;
        }
        if let Some(second) = second {
            if let Some(x) = out.get_mut(i + 1) {
                *x = second;
            }
        }
        i += if second.is_some() { 2 } else { 1 };
    }
}

/// The rest of `whole`, from its first character other than ASCII and the Russian
/// alphabet, appended lowered character by character; a text with a capital sigma, which
/// lowers by its place in the word, by `str::to_lowercase` itself, whole.
fn normalise_rest(rest: &str, whole: &str, out: &mut Vec<u8>) {
    if rest.contains('Σ') {
        out.clear();
        let lower = whole.to_lowercase();
        let unified = lower.replace(['ʻ', 'ʼ', '’', '‘', '`', 'ʹ'], "'");
        out.extend_from_slice(unified.as_bytes());
        return;
    }
    let mut utf8 = [0u8; 4];
    for c in rest.chars() {
        match c {
            'ʻ' | 'ʼ' | '’' | '‘' | '`' | 'ʹ' => out.push(b'\''),
            'A'..='Z' => out.push(c.to_ascii_lowercase() as u8),
            '\0'..='\u{7F}' => out.push(c as u8),
            'А'..='Я' => out.extend_from_slice(
                char::from_u32(u32::from(c) + 0x20)
                    .unwrap_or(c)
                    .encode_utf8(&mut utf8)
                    .as_bytes(),
            ),
            // No lower case (and in nearly every purpose), or lower already.
            '№' | 'а'..='я' => out.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes()),
            _ => {
                for l in c.to_lowercase() {
                    out.extend_from_slice(l.encode_utf8(&mut utf8).as_bytes());
                }
            }
        }
    }
}

fn month_days(m: YearMonth) -> (Date, Date) {
    let first = Date::ymd(m.year, m.month, 1).unwrap_or(Date(chrono::NaiveDate::MIN));
    (first, first.add_months(1).add_days(-1))
}

/// Analyses the statements of one party as of a date (the application date): the
/// statements held whole, fed to an [`Analysis`] with every account section known first.
pub fn analyse(
    statements: &[Statement],
    as_of: Date,
    product: &ProductConfig,
    rules: &Classification,
    overrides: &[Reclassification],
) -> StatementIncome {
    let known = Known::of(statements);
    let mut a = Analysis::new(as_of, product, rules, overrides, &known);
    let mut transactions =
        Vec::with_capacity(statements.iter().map(|s| s.transactions.len()).sum());
    for st in statements {
        a.begin_file(&st.file);
        a.period(st.period_from, st.period_to);
        for section in &st.accounts {
            a.account(section.clone());
        }
        for t in &st.transactions {
            transactions.extend(a.transaction(t));
        }
    }
    StatementIncome {
        transactions,
        ..a.finish()
    }
}

/// The rules made ready once per analysis: keywords normalised into one automaton,
/// reasons formatted, so classifying a transaction allocates nothing.
struct Prepared<'a> {
    rules: &'a Classification,
    /// Every keyword of the rules, in their order, searched for at once: a purpose is read
    /// once however many keywords there are (a statement's purposes nearly all differ —
    /// a number, a date — so none is worth remembering).
    keywords: AhoCorasick,
    /// By the keyword's place in `keywords`: the reason it gives, what it excludes, the
    /// kind it gives.
    words: Vec<(Text, Option<Text>, Option<IncomeKind>)>,
    debit: Text,
    own_transfer: (Text, Text),
    entrepreneur: Text,
    default: Text,
    reclassified: Text,
}

impl<'a> Prepared<'a> {
    fn new(rules: &'a Classification) -> Prepared<'a> {
        let deciding = || {
            rules
                .rules
                .iter()
                .filter(|r| r.exclude.is_some() || r.kind.is_some())
                .flat_map(|r| r.any.iter().map(move |w| (r, w)))
        };
        // The automaton refuses only keywords of billions of states; the classification is
        // the workstation's own asset, checked by a test.
        let keywords = AhoCorasick::builder()
            .kind(Some(AhoCorasickKind::DFA))
            .build(deciding().map(|(_, w)| normalise(w)))
            .expect("the classification's keywords fit an automaton");
        let words = deciding()
            .map(|(r, w)| {
                (
                    format!("the purpose contains «{w}»").into(),
                    r.exclude.as_deref().map(Text::from),
                    r.kind,
                )
            })
            .collect();
        Prepared {
            rules,
            keywords,
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

    /// The first keyword, in the rules' order, that the purpose contains (wherever in the
    /// purpose it stands: the rules, not the text, decide which comes first).
    fn keyword(&self, purpose: &str, lower: &mut Vec<u8>) -> Option<usize> {
        normalise_into(purpose, lower);
        self.keywords
            .find_overlapping_iter(lower.as_slice())
            .map(|m| m.pattern().as_usize())
            .min()
    }
}

/// What a document is, borrowed from the prepared rules: a summary counts it without
/// copying (and counting references to) its texts; [`Verdict::written_out`] makes the
/// [`ClassifiedTransaction`] a list shows.
struct Verdict<'p> {
    direction: Direction,
    kind: Option<IncomeKind>,
    excluded: Option<&'p Text>,
    reason: Cow<'p, Text>,
}

impl Verdict<'_> {
    fn written_out(self, file: &Text, t: &Transaction) -> ClassifiedTransaction {
        ClassifiedTransaction {
            file: file.clone(),
            line: t.line,
            date: t.date,
            amount: t.amount,
            direction: self.direction,
            payer: t.payer.clone(),
            payer_inn: t.payer_inn.clone(),
            purpose: t.purpose.clone(),
            kind: self.kind,
            excluded: self.excluded.cloned(),
            reason: self.reason.into_owned(),
        }
    }
}

fn classify<'p>(
    file: &str,
    t: &Transaction,
    own: &foldhash::HashSet<Text>,
    p: &'p Prepared,
    lower: &mut Vec<u8>,
    overrides: &[Reclassification],
) -> Verdict<'p> {
    let credit = own.contains(&*t.receiver_account)
        || (t.credited_on.is_some() && !own.contains(&*t.payer_account));
    let verdict = |kind, excluded, reason| Verdict {
        direction: Direction::Credit,
        kind,
        excluded,
        reason: Cow::Borrowed(reason),
    };
    if !credit {
        return Verdict {
            direction: Direction::Debit,
            ..verdict(None, None, &p.debit)
        };
    }
    if let Some(o) = overrides
        .iter()
        .find(|o| *o.file == *file && o.line == t.line)
    {
        return Verdict {
            reason: Cow::Owned(format!("reclassified by the underwriter: {}", o.note).into()),
            ..verdict(
                o.kind,
                o.kind.is_none().then_some(&p.reclassified),
                &p.debit,
            )
        };
    }
    if own.contains(&*t.payer_account) || (!t.payer_inn.is_empty() && t.payer_inn == t.receiver_inn)
    {
        return verdict(None, Some(&p.own_transfer.0), &p.own_transfer.1);
    }
    let word = p.keyword(&t.purpose, lower);
    if let Some((reason, exclude, kind)) = word.and_then(|i| p.words.get(i)) {
        let kind = if exclude.is_some() { None } else { *kind };
        return verdict(kind, exclude.as_ref(), reason);
    }
    if p.rules
        .entrepreneur_account_prefixes
        .iter()
        .any(|pre| t.receiver_account.starts_with(pre.as_str()))
    {
        verdict(
            Some(IncomeKind::EntrepreneurReceipts),
            None,
            &p.entrepreneur,
        )
    } else {
        verdict(Some(p.rules.default_kind), None, &p.default)
    }
}

mod analysis;
#[cfg(test)]
mod tests;

pub use analysis::{Analysis, Known};

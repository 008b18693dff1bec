//! The income analysis fed one statement item at a time, so a reader can stream a file of a
//! million documents through it without holding the file or its transactions.
//!
//! Invariants:
//! - the result is exactly what the analysis of the whole statements gives ([`analyse`]
//!   is this analysis fed from held statements): same sources, months, flags, in the same
//!   order;
//! - what is kept per document is a small index — the duplicate check's key digest and
//!   place (16 bytes, in a hash map of up to twice as many slots) and the round-trip
//!   check's amount in tiyin, date and place (24 bytes) — never its texts; the
//!   classified transaction is handed back to the caller, who prints or drops it;
//! - a document is classified against the account sections known when it comes. A
//!   statement's sections come before its documents (the 1C layout), but a file may put one
//!   after, and a second file's sections are the party's own accounts too: then
//!   [`Analysis::needs_second_pass`] says so, and the caller feeds everything again to an
//!   analysis made with [`Analysis::known`] of this one. [`analyse`] knows every section
//!   first and never needs it.
//!
//! A duplicate is found by a 64-bit digest of its key (date, amount, number, both
//! accounts) under a per-process random seed (foldhash's quality hasher): a file cannot be
//! made to aim at a collision without the seed, and a chance one among a million documents
//! is about one in 10^7.
//!
//! The index is kept flat for a statement in date order (a bank writes its documents by
//! date): once it holds more than [`WINDOW`] entries, what no later document can meet is
//! settled and dropped ([`Analysis::compact`]) — a duplicate has its original's date, and a
//! round trip's two sides lie within `round_trip_days` of each other. Whether the documents
//! came in date order is known only as they come: when one comes earlier than a date
//! already passed after something was dropped (a file out of order, or a second file), the
//! result could differ from the whole index's, so [`Analysis::needs_second_pass`] asks for
//! the pass again with [`Known::whole_index`], which drops nothing. Exact either way.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::BuildHasher;

use rust_decimal::Decimal;

use super::{
    classify, fixed2, label, month_days, payer_id_of, Classification, ClassifiedTransaction,
    Direction, Flag, Prepared, Reclassification, StatementIncome, StatementSource,
};
use crate::case::IncomeKind;
use crate::money::{Date, Money, YearMonth};
use crate::product::ProductConfig;
use crate::statement::{AccountSection, Statement, Text, Transaction};

/// The account sections known before the documents: every file's own (for its balance
/// identity), and all of them together (the party's own accounts, for classification).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Known {
    /// The section accounts of each file, by the order the files are fed.
    pub files: Vec<BTreeSet<String>>,
    /// Keep every document's index entry: the documents are out of date order (a first
    /// pass found it after dropping some), or held whole anyway.
    pub whole_index: bool,
}

impl Known {
    /// The sections of statements held whole; their index is kept whole too (it is small
    /// beside them, and a held analysis has no second pass).
    pub fn of(statements: &[Statement]) -> Known {
        Known {
            files: statements
                .iter()
                .map(|s| s.accounts.iter().map(|a| a.account.clone()).collect())
                .collect(),
            whole_index: true,
        }
    }

    fn own(&self) -> foldhash::HashSet<Text> {
        self.files
            .iter()
            .flatten()
            .filter(|a| !a.is_empty())
            .map(|a| Text::from(a.as_str()))
            .collect()
    }
}

/// One file as it is fed: its period, sections, and the sums its documents bring to each
/// section account by date (the section's own period is applied at the end, when known).
struct FileState {
    name: Text,
    period: (Option<Date>, Option<Date>),
    sections: Vec<AccountSection>,
    accounts: foldhash::HashSet<Text>,
    /// (account, date) → (credited, debited): a `Decimal` sum, exact for any file.
    sums: foldhash::HashMap<(Text, Option<Date>), (Decimal, Decimal)>,
    documents: usize,
}

/// A credit or debit as the round-trip check needs it.
#[derive(Clone, Copy)]
struct Mark {
    date: Option<Date>,
    file: u32,
    /// A line number fits 32 bits: a file of 4·10⁹ lines is far past any reader's limit.
    line: u32,
}

impl Mark {
    fn line(self) -> usize {
        self.line as usize
    }
}

/// Where a document was first seen, as the duplicate check keeps it: 8 bytes, so that a
/// digest's entry takes 16 (a `Mark` with its date would make it 24).
#[derive(Clone, Copy)]
struct Place {
    file: u32,
    line: u32,
}

const _: () = assert!(std::mem::size_of::<(u64, Place)>() == 16);
const _: () = assert!(std::mem::size_of::<(i64, Mark)>() == 24);

/// The index entries (digests, credits, debits) held before the analysis drops what no
/// later document can meet: some 2 MB, some 30,000 documents — a salary client's six
/// months many times over, so that files out of date order are read twice only when
/// they are this large.
pub const WINDOW: usize = 1 << 16;

/// What the index has seen of the documents' order, for [`Analysis::compact`].
struct Order {
    /// The latest document date fed so far.
    latest: Option<Date>,
    /// Every dated document so far came on or after the one before it.
    dated_in_order: bool,
    /// Something was settled or dropped from the index (by [`Analysis::compact`]).
    dropped: bool,
    /// The index grows to this many entries before the next compaction; `usize::MAX`
    /// keeps it whole.
    limit: usize,
}

/// A source's month table as credits come, with each month's largest credit (the last
/// of equal ones, as the flags have always pointed).
struct SourceState {
    source: StatementSource,
    largest: BTreeMap<YearMonth, (Money, Mark)>,
}

/// What the source table needs of a document's classification.
#[derive(Clone, Copy)]
struct Counted {
    direction: Direction,
    kind: Option<IncomeKind>,
    excluded: bool,
}

/// A month's first salary credit from one employer.
struct Salary {
    date: Option<Date>,
    line: usize,
    file: u32,
    payer: Text,
}

pub struct Analysis<'r> {
    product: &'r ProductConfig,
    rules: &'r Classification,
    overrides: &'r [Reclassification],
    prepared: Prepared<'r>,
    /// A purpose in lower case, the buffer reused.
    lower: Vec<u8>,
    period: Vec<YearMonth>,
    own: foldhash::HashSet<Text>,
    known: Known,
    files: Vec<FileState>,
    duplicates: Vec<Flag>,
    /// The duplicate check's digests by document date: a duplicate has its original's
    /// date, so a compaction drops the days passed whole.
    digests: BTreeMap<Option<Date>, Digests>,
    /// The digests' count over every day.
    digest_count: usize,
    digest_key: foldhash::quality::RandomState,
    /// By kind, then by payer (INN, else name; empty for the kinds that are one source).
    sources: BTreeMap<IncomeKind, BTreeMap<String, SourceState>>,
    salaries: BTreeMap<YearMonth, BTreeMap<String, Salary>>,
    /// Every debit and every counted credit, in the order fed: 24 bytes a document.
    /// Amounts in whole tiyin: 24 bytes a document rather than 32, and sorted by an
    /// integer compare.
    debits: Vec<(i64, Mark)>,
    credits: Vec<(i64, Mark)>,
    /// The round trips of the credits a compaction settled, in the order fed.
    round_trips: Vec<Flag>,
    order: Order,
    /// A section came after a document had been classified without it.
    late_section: bool,
}

type Digests = HashMap<u64, Place, foldhash::fast::FixedState>;

impl<'r> Analysis<'r> {
    pub fn new(
        as_of: Date,
        product: &'r ProductConfig,
        rules: &'r Classification,
        overrides: &'r [Reclassification],
        known: &Known,
    ) -> Analysis<'r> {
        Analysis {
            product,
            rules,
            overrides,
            prepared: Prepared::new(rules),
            lower: Vec::new(),
            period: YearMonth::of(as_of).months_before(product.income.history_months),
            own: known.own(),
            known: known.clone(),
            files: Vec::new(),
            duplicates: Vec::new(),
            digests: BTreeMap::new(),
            digest_count: 0,
            digest_key: foldhash::quality::RandomState::default(),
            sources: BTreeMap::new(),
            salaries: BTreeMap::new(),
            debits: Vec::new(),
            credits: Vec::new(),
            round_trips: Vec::new(),
            order: Order {
                latest: None,
                dated_in_order: true,
                dropped: false,
                limit: if known.whole_index {
                    usize::MAX
                } else {
                    WINDOW
                },
            },
            late_section: false,
        }
    }

    /// Compacts the index once it holds more than `entries` (not below 1) rather than
    /// [`WINDOW`]: for tests that cannot feed a quarter of a million documents. No effect
    /// when [`Known::whole_index`] keeps it whole.
    pub fn compact_above(&mut self, entries: usize) {
        if self.order.limit != usize::MAX {
            self.order.limit = entries.max(1);
        }
    }

    /// The next file: the items fed after this belong to it.
    pub fn begin_file(&mut self, name: &str) {
        let index = self.files.len();
        let accounts = self
            .known
            .files
            .get(index)
            .map(|a| a.iter().map(|s| Text::from(s.as_str())).collect())
            .unwrap_or_default();
        self.files.push(FileState {
            name: name.into(),
            period: (None, None),
            sections: Vec::new(),
            accounts,
            sums: foldhash::HashMap::default(),
            documents: 0,
        });
    }

    fn file(&mut self) -> &mut FileState {
        if self.files.is_empty() {
            self.begin_file("");
        }
        let last = self.files.len() - 1;
        &mut self.files[last]
    }

    /// The current file's statement period (its header's first and last day).
    pub fn period(&mut self, from: Option<Date>, to: Option<Date>) {
        self.file().period = (from, to);
    }

    /// An account section of the current file.
    pub fn account(&mut self, section: AccountSection) {
        let account: Text = section.account.as_str().into();
        let own_new = !account.is_empty() && !self.own.contains(&account);
        let file = self.file();
        let file_new = !file.accounts.contains(&account);
        let seen_documents = file.documents > 0;
        file.accounts.insert(account.clone());
        file.sections.push(section);
        let any_documents = self.files.iter().any(|f| f.documents > 0);
        if (own_new && any_documents) || (file_new && seen_documents) {
            self.late_section = true;
        }
        if own_new {
            self.own.insert(account);
        }
    }

    /// Classifies a document of the current file; `None` for a duplicate of one fed
    /// before (flagged, counted once).
    pub fn transaction(&mut self, t: &Transaction) -> Option<ClassifiedTransaction> {
        self.feed(t, true)
    }

    /// Counts a document of the current file as [`Analysis::transaction`] does, for a
    /// summary: its classification is not written out.
    pub fn count(&mut self, t: &Transaction) {
        self.feed(t, false);
    }

    /// The document counted; its classification written out when `keep`, and not a
    /// duplicate.
    fn feed(&mut self, t: &Transaction, keep: bool) -> Option<ClassifiedTransaction> {
        let file_index = self.files.len().saturating_sub(1) as u32;
        self.file().documents += 1;
        let here = Mark {
            date: t.date,
            file: file_index,
            line: u32::try_from(t.line).unwrap_or(u32::MAX),
        };
        // A document is the same when its date, amount, number and both accounts are.
        let digest = self.digest_key.hash_one((
            t.date,
            t.amount,
            &*t.number,
            &*t.payer_account,
            &*t.receiver_account,
        ));
        // The section totals are the bank's: a document printed twice counts twice there.
        self.add_to_sections(t);
        self.note_order(t.date);
        let day = self.digests.entry(t.date).or_insert_with(|| {
            // The digests are already random: the map needs no hashing of its own.
            HashMap::with_hasher(foldhash::fast::FixedState::with_seed(0))
        });
        // One probe of the map, a cache miss at each of 100,000 documents, not two.
        match day.entry(digest) {
            std::collections::hash_map::Entry::Occupied(first) => {
                let first = *first.get();
                let message = format!(
                    "the same document as {}:{}; counted once",
                    self.files[first.file as usize].name, first.line
                );
                self.duplicates.push(Flag {
                    code: "DUPLICATE_DOCUMENT".into(),
                    file: self.files[file_index as usize].name.to_string(),
                    line: Some(t.line),
                    message,
                });
                return None;
            }
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(Place {
                    file: here.file,
                    line: here.line,
                });
                self.digest_count += 1;
            }
        }
        let file = &self.files[file_index as usize].name;
        let verdict = classify(
            file,
            t,
            &self.own,
            &self.prepared,
            &mut self.lower,
            self.overrides,
        );
        let counted = Counted {
            direction: verdict.direction,
            kind: verdict.kind,
            excluded: verdict.excluded.is_some(),
        };
        let c = keep.then(|| verdict.written_out(file, t));
        let at_bank = self
            .rules
            .this_bank_mfo
            .iter()
            .any(|m| **m == *t.receiver_bank);
        self.tabulate(t, counted, here, at_bank);
        if self.held() > self.order.limit {
            self.compact();
        }
        c
    }

    /// A dated document earlier than one already fed breaks the date order the
    /// compaction relies on; after a compaction, the pass must be made again whole.
    fn note_order(&mut self, date: Option<Date>) {
        let Some(date) = date else { return };
        match self.order.latest {
            Some(latest) if date < latest => self.order.dated_in_order = false,
            _ => self.order.latest = Some(date),
        }
    }

    /// The index entries held now: digests, counted credits, debits (what
    /// [`Analysis::compact`] keeps flat).
    pub fn index_len(&self) -> usize {
        self.held()
    }

    /// The index entries held: digests, counted credits, debits.
    fn held(&self) -> usize {
        self.digest_count + self.credits.len() + self.debits.len()
    }

    /// Settles and drops what no later document can meet, the documents being in date
    /// order up to the latest date `d` (every later one dated `d` or after):
    /// - the digests of the days before `d` (a duplicate has its original's date);
    /// - the round trips of the credits dated more than `round_trip_days` before `d`:
    ///   every debit that could meet them has been fed; their flags are kept in the order
    ///   fed, the credits dropped;
    /// - the debits more than `round_trip_days` before the earliest credit left (or `d`),
    ///   and the undated ones: no credit left or to come can meet them.
    ///
    /// Out of date order, nothing is dropped: the index grows whole. The next compaction
    /// waits until the index has doubled what it kept, so each entry is looked at a
    /// bounded number of times.
    fn compact(&mut self) {
        let (Some(d), true) = (self.order.latest, self.order.dated_in_order) else {
            self.order.limit = usize::MAX;
            return;
        };
        let days = self.rules.round_trip_days;
        let passed = |date: Date| (d.0 - date.0).num_days() > days;
        let days_before = self.digests.range(..Some(d)).filter(|(k, _)| k.is_some());
        let gone: Vec<Option<Date>> = days_before.map(|(k, _)| *k).collect();
        for k in gone {
            if let Some(day) = self.digests.remove(&k) {
                self.digest_count -= day.len();
            }
        }
        // Credits are dated and in date order: the settled ones are a prefix.
        let settled = self
            .credits
            .partition_point(|(_, c)| c.date.is_some_and(passed));
        // By amount, each amount's debits in the order fed, as `finish` sorts them; the
        // debits kept stay before any fed later.
        self.debits.sort_by_key(|(amount, _)| *amount);
        round_trip_flags(
            &self.credits[..settled],
            &self.debits,
            &self.files,
            days,
            &mut self.round_trips,
        );
        self.credits.drain(..settled);
        let earliest = self.credits.first().and_then(|(_, c)| c.date).unwrap_or(d);
        self.debits.retain(|(_, m)| {
            m.date
                .is_some_and(|date| (earliest.0 - date.0).num_days() <= days)
        });
        self.order.dropped = true;
        self.order.limit = self.order.limit.max(2 * self.held());
    }

    /// The document's amount into the sums of the current file's section accounts it
    /// moves money in or out of.
    fn add_to_sections(&mut self, t: &Transaction) {
        let file = self.file();
        for (account, credit) in [(&t.receiver_account, true), (&t.payer_account, false)] {
            if file.accounts.contains(account) {
                let sums = file
                    .sums
                    .entry((account.clone(), t.date))
                    .or_insert((Decimal::ZERO, Decimal::ZERO));
                let slot = if credit { &mut sums.0 } else { &mut sums.1 };
                *slot += t.amount.decimal();
            }
        }
    }

    /// The source table, the month's largest credit, the first salary of each employer in
    /// a month, and the round-trip marks.
    fn tabulate(&mut self, t: &Transaction, c: Counted, here: Mark, at_bank: bool) {
        if c.direction == Direction::Debit {
            self.debits.push((t.amount.tiyin(), here));
            return;
        }
        if c.excluded {
            return;
        }
        let payer_id = payer_id_of(&t.payer, &t.payer_inn);
        if let Some(d) = t.date {
            self.credits.push((t.amount.tiyin(), here));
            if c.kind == Some(IncomeKind::Salary) {
                let month = self.salaries.entry(YearMonth::of(d)).or_default();
                // Looked up by the borrowed id first: a month's employers are few, and
                // their salaries many.
                if !month.contains_key(payer_id) {
                    month.insert(
                        payer_id.to_string(),
                        Salary {
                            date: t.date,
                            line: t.line,
                            file: here.file,
                            payer: t.payer.clone(),
                        },
                    );
                }
            }
        }
        let (Some(kind), Some(date)) = (c.kind, t.date) else {
            return;
        };
        let month = YearMonth::of(date);
        if !self.period.contains(&month) {
            return;
        }
        let payer_key = match kind {
            IncomeKind::AccountInflow | IncomeKind::EntrepreneurReceipts => "",
            _ => payer_id,
        };
        let product = self.product;
        let by_payer = self.sources.entry(kind).or_default();
        if !by_payer.contains_key(payer_key) {
            let named = !payer_key.is_empty();
            let source = StatementSource {
                kind,
                payer: if named {
                    t.payer.to_string()
                } else {
                    String::new()
                },
                payer_inn: if named {
                    t.payer_inn.to_string()
                } else {
                    String::new()
                },
                months: BTreeMap::new(),
                weight: product.weight(kind).normalize().to_string(),
                at_this_bank: true,
                usable: true,
                reasons: Vec::new(),
            };
            let largest = BTreeMap::new();
            by_payer.insert(payer_key.to_string(), SourceState { source, largest });
        }
        let Some(state) = by_payer.get_mut(payer_key) else {
            return;
        };
        state.source.at_this_bank &= at_bank;
        let cell = state.source.months.entry(month).or_insert(Money::ZERO);
        *cell = cell.saturating_add(t.amount);
        let largest = state.largest.entry(month).or_insert((t.amount, here));
        if t.amount >= largest.0 {
            *largest = (t.amount, here);
        }
    }

    /// A section came after documents classified without it: feed everything again to
    /// `Analysis::new(…, &self.known())`.
    pub fn needs_second_pass(&self) -> bool {
        self.late_section || self.order_lost()
    }

    /// The documents came out of date order after the compaction dropped entries that
    /// an earlier-dated document might have met.
    fn order_lost(&self) -> bool {
        self.order.dropped && !self.order.dated_in_order
    }

    /// The sections this analysis has seen, for a second pass.
    pub fn known(&self) -> Known {
        Known {
            files: self
                .files
                .iter()
                .map(|f| f.sections.iter().map(|a| a.account.clone()).collect())
                .collect(),
            // Out of order at all: a second pass may hold more entries than this one (a
            // late section turns credits into debits) and compact where this did not.
            whole_index: self.order.limit == usize::MAX || !self.order.dated_in_order,
        }
    }

    /// The months, sources, average and flags (the transactions were handed out as they
    /// came: the result's list is empty).
    pub fn finish(mut self) -> StatementIncome {
        let mut flags = Vec::new();
        let covered = self.covered();
        for f in &self.files {
            balance_flags(f, &mut flags);
        }
        for m in &self.period {
            if !covered.contains(m) {
                flags.push(Flag {
                    code: "PERIOD_NOT_COVERED".into(),
                    file: String::new(),
                    line: None,
                    message: format!("no statement covers all of {m}"),
                });
            }
        }
        flags.extend(self.duplicates.iter().cloned());
        let mut weighted = Decimal::ZERO;
        let mut sources = Vec::new();
        let states = std::mem::take(&mut self.sources)
            .into_values()
            .flat_map(|m| m.into_values());
        for state in states {
            let src = self.source_months(state, &covered, &mut flags);
            if src.usable {
                let total = Money::saturating_sum(src.months.values().copied());
                weighted += total.decimal() * self.product.weight(src.kind);
            }
            sources.push(src);
        }
        multiple_employer_flags(&self.salaries, &self.files, &mut flags);
        // The credits settled by compactions came before those left.
        flags.append(&mut self.round_trips);
        // By amount, each amount's debits in the order fed (a stable sort).
        self.debits.sort_by_key(|(amount, _)| *amount);
        round_trip_flags(
            &self.credits,
            &self.debits,
            &self.files,
            self.rules.round_trip_days,
            &mut flags,
        );
        let n = self.product.income.history_months;
        StatementIncome {
            average_monthly_income: Money::round_half_up_saturating(
                weighted / Decimal::from(n as u64),
                self.product.schedule.rounding_unit,
            ),
            period: self.period,
            sources,
            flags,
            transactions: Vec::new(),
        }
    }

    /// The months a statement period covers whole: each section's own period (else its
    /// file's), or the file's when it has no sections.
    fn covered(&self) -> BTreeSet<YearMonth> {
        let mut covered = BTreeSet::new();
        for f in &self.files {
            let (pf, pt) = f.period;
            let spans: Vec<(Option<Date>, Option<Date>)> = if f.sections.is_empty() {
                vec![(pf, pt)]
            } else {
                f.sections
                    .iter()
                    .map(|a| (a.from.or(pf), a.to.or(pt)))
                    .collect()
            };
            for (from, to) in spans {
                let (Some(from), Some(to)) = (from, to) else {
                    continue;
                };
                for m in &self.period {
                    let (first, last) = month_days(*m);
                    if from <= first && to >= last {
                        covered.insert(*m);
                    }
                }
            }
        }
        covered
    }

    /// A source's months over the window: a covered month without credit counts zero
    /// (flagged), an uncovered one makes it unusable (P-INC-6M); P-INC-IE-ACC; one-offs.
    fn source_months(
        &self,
        state: SourceState,
        covered: &BTreeSet<YearMonth>,
        flags: &mut Vec<Flag>,
    ) -> StatementSource {
        let mut src = state.source;
        for m in &self.period {
            if covered.contains(m) {
                if !src.months.contains_key(m) {
                    src.months.insert(*m, Money::ZERO);
                    flags.push(Flag {
                        code: "ZERO_MONTH".into(),
                        file: String::new(),
                        line: None,
                        message: format!("{}: no credit in {m}, counted as zero", label(&src)),
                    });
                }
            } else {
                src.months.remove(m);
                src.usable = false;
                src.reasons
                    .push(format!("P-INC-6M: no statement covers {m}"));
            }
        }
        if src.kind == IncomeKind::EntrepreneurReceipts
            && self.product.income.entrepreneur_account_must_be_at_bank
            && !src.at_this_bank
        {
            // P-INC-IE-ACC: every account the receipts came into is held at this bank.
            src.usable = false;
            src.reasons
                .push("P-INC-IE-ACC: the entrepreneur's account is not at this bank".into());
        }
        one_off_flags(
            &src,
            &state.largest,
            &self.files,
            self.rules.one_off_factor,
            flags,
        );
        src
    }
}

fn flag_at(code: &str, files: &[FileState], at: Option<Mark>, message: String) -> Flag {
    Flag {
        code: code.into(),
        file: at
            .map(|m| files[m.file as usize].name.to_string())
            .unwrap_or_default(),
        line: at.map(Mark::line),
        message,
    }
}

/// The balance identity of every account section (opening + credited − debited = closing),
/// the section's totals against its own documents (those dated inside its period), and the
/// chain between consecutive sections of one account (each opens with the previous
/// closing). Banks that export one section per month thus get the identity per month.
fn balance_flags(f: &FileState, flags: &mut Vec<Flag>) {
    let mut push = |line: usize, message: String| {
        flags.push(Flag {
            code: "BALANCE_MISMATCH".into(),
            file: f.name.to_string(),
            line: Some(line),
            message,
        })
    };
    for a in &f.sections {
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
        let (from, to) = (a.from.or(f.period.0), a.to.or(f.period.1));
        let inside = |d: &Option<Date>| {
            d.is_none_or(|d| from.is_none_or(|f| d >= f) && to.is_none_or(|l| d <= l))
        };
        let docs_in = |credit: bool| -> Decimal {
            f.sums
                .iter()
                .filter(|((account, date), _)| **account == *a.account && inside(date))
                .map(|(_, (c, d))| if credit { *c } else { *d })
                .sum()
        };
        for (total, credit, what) in [
            (a.credited, true, "credited"),
            (a.debited, false, "debited"),
        ] {
            if let Some(total) = total {
                let sum = docs_in(credit);
                if sum != total.decimal() && f.documents > 0 {
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
    let mut sections: Vec<_> = f.sections.iter().filter(|a| a.from.is_some()).collect();
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
    largest: &BTreeMap<YearMonth, (Money, Mark)>,
    files: &[FileState],
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
            flags.push(flag_at(
                "ONE_OFF_INFLOW",
                files,
                largest.get(m).map(|(_, at)| *at),
                format!(
                    "{}: {m} brought {v}, more than {factor}× the median month {}",
                    label(src),
                    median
                ),
            ));
        }
    }
}

/// Salary from more than one employer in a month; the flag points at the later-paid
/// employer's first credit.
fn multiple_employer_flags(
    by_month: &BTreeMap<YearMonth, BTreeMap<String, Salary>>,
    files: &[FileState],
    flags: &mut Vec<Flag>,
) {
    for (m, payers) in by_month.iter().filter(|(_, p)| p.len() > 1) {
        let second = payers.values().max_by_key(|t| (t.date, t.line));
        flags.push(flag_at(
            "MULTIPLE_EMPLOYERS",
            files,
            second.map(|s| Mark {
                date: s.date,
                file: s.file,
                line: u32::try_from(s.line).unwrap_or(u32::MAX),
            }),
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

/// A counted credit and a debit of the same amount within `days` of it: money passed
/// through to look like income. The first such debit (in the order fed) is named.
fn round_trip_flags(
    credits: &[(i64, Mark)],
    debits: &[(i64, Mark)],
    files: &[FileState],
    days: i64,
    flags: &mut Vec<Flag>,
) {
    for (amount, c) in credits {
        let Some(cd) = c.date else { continue };
        let from = debits.partition_point(|(a, _)| a < amount);
        let to = from + debits[from..].partition_point(|(a, _)| a == amount);
        if let Some((_, d)) = debits[from..to].iter().find(|(_, d)| {
            d.date
                .is_some_and(|dd| (dd.0 - cd.0).num_days().abs() <= days)
        }) {
            flags.push(flag_at(
                "ROUND_TRIP",
                files,
                Some(*c),
                format!(
                    "a credit of {} and a debit of the same amount within {days} days ({}:{})",
                    // A statement's amount is within Money's bounds: it was one.
                    Money::from_tiyin(*amount).unwrap_or(Money::MAX),
                    files[d.file as usize].name,
                    d.line()
                ),
            ));
        }
    }
}

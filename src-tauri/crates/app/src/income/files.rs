//! `uw income`: statement files on disk read and analysed as they stream, for scripts.
//!
//! Invariants:
//! - a 1C file is streamed: the reader holds one block and one line, the analysis a small
//!   index per document ([`uw_domain::income::statements::Analysis`]), so memory does not
//!   grow with the file's bytes and the file is not held to a size limit. A CSV or
//!   spreadsheet export is read whole, through the reading process ([`crate::untrusted`])
//!   and within [`super::MAX_STATEMENT_BYTES`], as the window reads it;
//! - nothing is handed out before every file has been read without error: a file that
//!   fails, at whatever line, fails the call naming file and line, and the transactions
//!   (when asked for) come from a pass after the one that checked every file;
//! - the result is exactly [`uw_domain::income::statements::analyse`]'s of the same files
//!   held whole.

use std::io::Read;
use std::path::PathBuf;

use uw_domain::income::statements::{Analysis, ClassifiedTransaction, Known, StatementIncome};
use uw_domain::money::Date;
use uw_statements::onec;

use crate::error::{AppError, ErrorCode, Result};
use crate::untrusted;

/// Where the classified transactions go, in file order (a printer, say).
pub type Out<'o> = &'o mut dyn FnMut(&ClassifiedTransaction) -> Result<()>;

fn reborrow<'s>(out: &'s mut Option<Out>) -> Option<Out<'s>> {
    match out {
        Some(o) => Some(&mut **o),
        None => None,
    }
}

/// Statement files read through once without error, and the income they show.
pub struct IncomeOfFiles {
    ctx: Context,
    paths: Vec<PathBuf>,
    known: Known,
    /// The summary: sources, months, average, flags (no transactions).
    pub income: StatementIncome,
}

/// Reads statement files and works out the income they show as of a date.
pub fn income_of_files(paths: &[PathBuf], as_of: Date) -> Result<IncomeOfFiles> {
    let ctx = Context {
        product: crate::default_product(),
        rules: crate::income_classification(),
        layouts: crate::csv_layouts(),
        as_of,
    };
    let (mut income, again) = ctx.pass(paths, &Known::default(), None)?;
    let known = match again {
        Some(known) => {
            income = ctx.pass(paths, &known, None)?.0;
            known
        }
        None => Known::default(),
    };
    Ok(IncomeOfFiles {
        ctx,
        paths: paths.to_vec(),
        known,
        income,
    })
}

impl IncomeOfFiles {
    /// Hands `out` every classified transaction, in file order, reading the files again.
    pub fn transactions(&self, out: Out) -> Result<()> {
        self.ctx.pass(&self.paths, &self.known, Some(out)).map(drop)
    }
}

struct Context {
    product: uw_domain::ProductConfig,
    rules: uw_domain::income::statements::Classification,
    layouts: uw_statements::CsvLayouts,
    as_of: Date,
}

impl Context {
    /// One pass over the files; the sections it found, when the analysis asks for a
    /// second pass that knows them all first.
    fn pass(
        &self,
        paths: &[PathBuf],
        known: &Known,
        mut out: Option<Out>,
    ) -> Result<(StatementIncome, Option<Known>)> {
        let mut a = Analysis::new(self.as_of, &self.product, &self.rules, &[], known);
        for p in paths {
            self.feed(&mut a, p, reborrow(&mut out))?;
        }
        let again = a.needs_second_pass().then(|| a.known());
        Ok((a.finish(), again))
    }

    fn feed(&self, a: &mut Analysis, p: &std::path::Path, out: Option<Out>) -> Result<()> {
        let name = p.display().to_string();
        let mut file = untrusted::Bounded::open(p, u64::MAX, "a statement")?;
        // The start tells a 1C file from an export, as `read_statement` tells them.
        let mut head = vec![0u8; 64 * 1024];
        let mut got = 0;
        while got < head.len() {
            let k = file.read_chunk(&mut head[got..])?;
            if k == 0 {
                break;
            }
            got += k;
        }
        head.truncate(got);
        let mut feed = Feed {
            a,
            out,
            failed: None,
        };
        if onec::looks_like(&head) {
            feed.a.begin_file(&name);
            let input = std::io::Cursor::new(head).chain(file);
            let read = read_beside(&name, input, &mut feed);
            if let Some(e) = feed.failed {
                return Err(e);
            }
            return read.map(drop).map_err(refused);
        }
        let mut bytes = head;
        file.take(super::MAX_STATEMENT_BYTES + 1 - bytes.len() as u64)
            .read_to_end(&mut bytes)
            .map_err(|e| AppError::new(ErrorCode::Io, format!("{name}: {e}")))?;
        if bytes.len() as u64 > super::MAX_STATEMENT_BYTES {
            return Err(untrusted::too_large(
                &name,
                bytes.len() as u64,
                super::MAX_STATEMENT_BYTES,
                "a statement",
            ));
        }
        untrusted::statement(&name, &bytes)?;
        let st = uw_statements::read_statement(&name, &bytes, &self.layouts).map_err(refused)?;
        feed.a.begin_file(&st.file);
        onec::Sink::period(&mut feed, st.period_from, st.period_to);
        for s in st.accounts {
            onec::Sink::account(&mut feed, s);
        }
        for t in st.transactions {
            onec::Sink::transaction(&mut feed, t);
        }
        feed.failed.map_or(Ok(()), Err)
    }
}

fn refused(e: uw_statements::StatementError) -> AppError {
    let code = match e.refusal {
        uw_statements::Refusal::OverLimit => ErrorCode::FileOverLimit,
        uw_statements::Refusal::Unreadable => ErrorCode::InvalidInput,
    };
    AppError::new(code, e.to_string())
}

/// An item of a 1C file, as the reading thread hands it over.
enum Item {
    Period(Option<Date>, Option<Date>),
    Account(uw_domain::statement::AccountSection),
    Transaction(uw_domain::statement::Transaction),
}

/// Items in batches: one hand-over per some thousand documents, not per document.
struct Batcher {
    batch: Vec<Item>,
    to: std::sync::mpsc::SyncSender<Vec<Item>>,
}

const BATCH: usize = 2048;

impl Batcher {
    fn push(&mut self, item: Item) {
        self.batch.push(item);
        if self.batch.len() >= BATCH {
            self.send();
        }
    }
    fn send(&mut self) {
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
        // The receiver gone (it failed): the reader's answer is dropped with it.
        let _ = self.to.send(batch);
    }
}

impl onec::Sink for Batcher {
    fn period(&mut self, from: Option<Date>, to: Option<Date>) {
        self.push(Item::Period(from, to));
    }
    fn account(&mut self, section: uw_domain::statement::AccountSection) {
        self.push(Item::Account(section));
    }
    fn transaction(&mut self, t: uw_domain::statement::Transaction) {
        self.push(Item::Transaction(t));
    }
}

/// Reads a 1C file on a thread of its own while this one classifies what it has read:
/// the two halves of the work on the two cores a desk has. The items arrive in the file's
/// order (one channel, a few batches deep, so memory stays a few batches).
fn read_beside(
    name: &str,
    mut input: impl Read + Send,
    feed: &mut Feed,
) -> std::result::Result<onec::Head, uw_statements::StatementError> {
    let (to, from) = std::sync::mpsc::sync_channel::<Vec<Item>>(4);
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || {
            let mut batcher = Batcher {
                batch: Vec::with_capacity(BATCH),
                to,
            };
            let head = onec::stream(name, &mut input, &mut batcher);
            batcher.send();
            head
        });
        for batch in from {
            for item in batch {
                match item {
                    Item::Period(f, t) => onec::Sink::period(feed, f, t),
                    Item::Account(a) => onec::Sink::account(feed, a),
                    Item::Transaction(t) => onec::Sink::transaction(feed, t),
                }
            }
        }
        reader.join().unwrap_or_else(|_| {
            Err(uw_statements::StatementError {
                file: name.to_string(),
                line: None,
                message: "the reader stopped unexpectedly".into(),
                refusal: uw_statements::Refusal::Unreadable,
            })
        })
    })
}

/// A reader's items into the analysis, and what it classifies out.
struct Feed<'a, 'r, 'o> {
    a: &'a mut Analysis<'r>,
    out: Option<Out<'o>>,
    /// The first error of `out` (a closed pipe): later items are not handed out.
    failed: Option<AppError>,
}

impl onec::Sink for Feed<'_, '_, '_> {
    fn period(&mut self, from: Option<Date>, to: Option<Date>) {
        self.a.period(from, to);
    }
    fn account(&mut self, section: uw_domain::statement::AccountSection) {
        self.a.account(section);
    }
    fn transaction(&mut self, t: uw_domain::statement::Transaction) {
        let Some(c) = self.a.transaction(&t) else {
            return;
        };
        if let (Some(out), None) = (self.out.as_mut(), &self.failed) {
            if let Err(e) = out(&c) {
                self.failed = Some(e);
            }
        }
    }
}
#[cfg(test)]
mod tests;

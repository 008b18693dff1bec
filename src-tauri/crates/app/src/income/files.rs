//! `uw income`: statement files on disk read and analysed as they stream, for scripts.
//!
//! Invariants:
//! - a 1C file is streamed: parsed on the desk's cores a chunk at a time
//!   ([`onec::stream_parallel`], a few chunks of a megabyte in flight) while this thread
//!   classifies (and parses a chunk itself rather than wait for one), the analysis
//!   keeping a small index per document
//!   ([`uw_domain::income::statements::Analysis`]), so memory does not grow with the
//!   file's bytes and the file is not held to a size limit. A CSV export streams too, a
//!   line at a time on this thread ([`uw_statements::csv::stream`], a row and a line held
//!   to a megabyte each): like the 1C reader, it is this workspace's own code on text, with
//!   memory bounded by its limits, so it runs here rather than in the reading process. A
//!   spreadsheet (a ZIP of XML, read by outside crates) is read whole, through the reading
//!   process ([`crate::untrusted`]) and within [`super::MAX_STATEMENT_BYTES`], as the
//!   window reads it;
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
            let mut input = std::io::Cursor::new(head).chain(file);
            // The file parsed on the desk's cores while this thread classifies.
            let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
            let read = onec::stream_parallel(&name, &mut input, &mut feed, workers);
            if let Some(e) = feed.failed {
                return Err(e);
            }
            return read.map(drop).map_err(refused);
        }
        if !uw_statements::xlsx::looks_like(&head) && !head.contains(&0) {
            // A CSV export streams too, a record at a time on this thread: the `csv`
            // crate's reader and ours hold a line, as the 1C reader does.
            feed.a.begin_file(&name);
            let mut input = std::io::Cursor::new(head).chain(file);
            let read = uw_statements::csv::stream(&name, &mut input, &self.layouts, &mut feed);
            if let Some(e) = feed.failed {
                return Err(e);
            }
            return read.map(drop).map_err(refused);
        }
        // A spreadsheet is a ZIP (or a compound file): read whole, in the reader apart.
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
            onec::Sink::transaction(&mut feed, std::borrow::Cow::Owned(t));
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
    fn transaction(&mut self, t: std::borrow::Cow<'_, uw_domain::statement::Transaction>) {
        let (Some(out), None) = (self.out.as_mut(), &self.failed) else {
            // A summary, or a printer that failed: nothing is written out.
            self.a.count(&t);
            return;
        };
        if let Some(c) = self.a.transaction(&t) {
            if let Err(e) = out(&c) {
                self.failed = Some(e);
            }
        }
    }
}
#[cfg(test)]
mod tests;

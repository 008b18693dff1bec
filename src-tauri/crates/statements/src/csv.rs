//! CSV statement exports, streamed from a `Read` ([`stream`]) a record at a time: the
//! delimiter is detected from the header row (`;`, `,`, tab, `|`) and every row must split
//! into as many fields; the columns are read through [`crate::table::Table`].
//!
//! Invariants:
//! - the file is UTF-8 when all of it is, else CP1251; a file of both is refused at its
//!   first non-ASCII UTF-8 line. A stream knows this only line by line (`Checked`): until
//!   a line tells, the lines were ASCII, which read the same in both; a record is decoded
//!   after every line of it was checked, so by the encoding its own lines tell. A line is
//!   cut at CR as at LF for this check (lines are still numbered by LF): a CR-only line
//!   of UTF-8 and CP1251 is refused as mixed, where reading it whole took it for CP1251;
//! - a fault refuses the file at the line where it is met, in the file's order (a line is
//!   given to the CSV reader only once it has parsed those before), whatever the reads'
//!   size; a mixed file is met at its line in the second encoding and named at its first
//!   UTF-8 line; nothing after is read;
//! - held: a line of at most [`crate::onec::MAX_LINE`] bytes, a row (or a run of blank
//!   lines) of at most as many, the line ends of that row; at most
//!   [`crate::limits::MAX_DOCUMENTS`] rows. The sink gets the export's one account section
//!   first, with no dates, and the span of its transaction dates as the period at the end
//!   (an export declares no period: [`crate::table`]).

use std::collections::VecDeque;
use std::io::Read;

use encoding_rs::WINDOWS_1251;

use crate::onec::{Collect, Head, Sink, MAX_LINE};
use crate::table::{err, Cell, CsvLayouts, Table};
use crate::{AccountSection, Statement, StatementError};

const DELIMITERS: [u8; 4] = [b';', b',', b'\t', b'|'];
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The encoding as the lines read so far tell it.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Seen {
    /// Every line was ASCII: the same text in either encoding.
    Ascii,
    /// A non-ASCII line was UTF-8 (the first such line).
    Utf8(usize),
    /// A line was not UTF-8: the file is CP1251.
    Cp1251,
}

impl Seen {
    fn name(self) -> &'static str {
        match self {
            Seen::Cp1251 => WINDOWS_1251.name(),
            _ => "UTF-8",
        }
    }

    /// A field's bytes as text: every line they are on was checked against `self`.
    fn decode(self, bytes: &[u8]) -> String {
        match (self, std::str::from_utf8(bytes)) {
            (Seen::Cp1251, _) | (_, Err(_)) => WINDOWS_1251.decode_without_bom_handling(bytes).0,
            (_, Ok(s)) => s.into(),
        }
        .into_owned()
    }
}

/// The input given to the CSV reader a line at a time, each line checked before it is
/// given: held to one encoding for the whole file, to [`MAX_LINE`] bytes, no NUL byte; and
/// no row (or run of blank lines) longer than [`MAX_LINE`]. A line is cut at CR as at LF
/// here (a CSV line may end in either); lines are numbered by LF, as the held reader
/// numbered them. The first fault is kept (the reader above sees an I/O error) and ends
/// the reading; as the CSV reader asks for a line only when it has parsed those given,
/// the faults are met in the file's order.
struct Checked<'a> {
    input: &'a mut dyn Read,
    file: &'a str,
    /// Bytes read from the input: `buf[start..checked]` checked and not yet given out,
    /// `buf[checked..]` not yet checked.
    buf: Vec<u8>,
    start: usize,
    checked: usize,
    eof: bool,
    /// The LFs checked so far: the line being checked is the next.
    lines: usize,
    seen: Seen,
    failed: Option<StatementError>,
    /// The stream's offset of `buf[checked]`.
    offset: u64,
    /// The runs of line ends (CR, LF) checked and not yet passed by a record: where each
    /// starts and ends, and its LFs. Held for one row at most (the row limit).
    runs: VecDeque<(u64, u64, usize)>,
    /// The LFs of the runs a record has passed.
    passed: usize,
    /// Where the last record began (the row limit counts from there).
    record_at: u64,
}

const CHUNK: usize = 64 << 10;

impl Checked<'_> {
    /// The line a record read from byte `at` starts on. The `csv` crate's own count is
    /// off after a CRLF line end and after blank lines (it gives where its search for the
    /// record began: rust-csv issue 395), so it is counted here: the LFs before the first
    /// byte from `at` on that is not a line end.
    fn record_line(&mut self, at: u64) -> usize {
        while let Some(&(start, end, lfs)) = self.runs.front() {
            if end > at && start > at {
                break;
            }
            self.runs.pop_front();
            self.passed += lfs;
        }
        self.record_at = at;
        self.passed + 1
    }

    fn fail(&mut self, e: StatementError) -> std::io::Error {
        self.failed.get_or_insert(e);
        std::io::Error::other("the statement was refused")
    }

    fn over(&mut self, message: String) -> std::io::Error {
        let e = StatementError {
            refusal: crate::Refusal::OverLimit,
            ..err(self.file, Some(self.lines + 1), message)
        };
        self.fail(e)
    }

    /// More bytes from the input after the unchecked ones; false at its end.
    fn fill(&mut self) -> std::io::Result<bool> {
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.checked -= self.start;
            self.start = 0;
        }
        let len = self.buf.len();
        self.buf.resize(len + CHUNK, 0);
        let k = loop {
            match self.input.read(&mut self.buf[len..]) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                r => break r,
            }
        };
        self.buf.truncate(len + *k.as_ref().unwrap_or(&0));
        let k = k?;
        self.eof = k == 0;
        Ok(k > 0)
    }

    /// Checks the next line's text and the line ends after it (reading as needed): false
    /// when nothing is left.
    fn check_line(&mut self) -> std::io::Result<bool> {
        let is_end = |b: &u8| matches!(b, b'\r' | b'\n');
        // The text, up to a line end or the input's end.
        let text_end = loop {
            match memchr::memchr2(b'\r', b'\n', &self.buf[self.checked..]) {
                Some(i) => break self.checked + i,
                None if self.eof => break self.buf.len(),
                None if self.buf.len() - self.checked > MAX_LINE => {
                    return Err(self.over(format!(
                        "a line longer than {MAX_LINE} bytes: not a CSV statement"
                    )))
                }
                None => {
                    self.fill()?;
                }
            }
        };
        if text_end == self.checked && text_end == self.buf.len() {
            return Ok(false);
        }
        if self.offset + (text_end - self.checked) as u64 - self.record_at > MAX_LINE as u64 {
            return Err(self.over(format!(
                "a row (or blank lines) of more than {MAX_LINE} bytes: not a CSV statement"
            )));
        }
        self.check_text(self.checked, text_end)?;
        self.offset += (text_end - self.checked) as u64;
        self.checked = text_end;
        // The line ends after it, however many: one run.
        let run_start = self.offset;
        let mut lfs = 0;
        loop {
            let n = self.buf[self.checked..]
                .iter()
                .take_while(|b| is_end(b))
                .count();
            lfs += self.buf[self.checked..self.checked + n]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            self.checked += n;
            self.offset += n as u64;
            if self.checked < self.buf.len() || self.eof || !self.fill()? {
                break;
            }
        }
        if self.offset > run_start {
            self.runs.push_back((run_start, self.offset, lfs));
        }
        self.lines += lfs;
        Ok(true)
    }

    /// A line's text (no line end in it) against the file's encoding so far.
    fn check_text(&mut self, from: usize, to: usize) -> std::io::Result<()> {
        let text = &self.buf[from..to];
        if text.contains(&0) {
            let e = err(
                self.file,
                Some(self.lines + 1),
                "binary content: not a 1C client-bank file nor a CSV export",
            );
            return Err(self.fail(e));
        }
        if text.is_ascii() {
            return Ok(());
        }
        let n = self.lines + 1;
        self.seen = match (self.seen, std::str::from_utf8(text).is_ok()) {
            (Seen::Ascii, true) => Seen::Utf8(n),
            (Seen::Ascii, false) => Seen::Cp1251,
            (Seen::Utf8(first), false) => return Err(self.mixed(first)),
            (Seen::Cp1251, true) => return Err(self.mixed(n)),
            (seen, _) => seen,
        };
        Ok(())
    }

    /// A file of both encodings, named at its first non-ASCII UTF-8 line.
    fn mixed(&mut self, line: usize) -> std::io::Error {
        let e = err(
            self.file,
            Some(line),
            "this line is UTF-8, the rest is not: mixed encodings",
        );
        self.fail(e)
    }
}

impl Read for Checked<'_> {
    /// The checked bytes, a line at most; the next line is checked only when these are
    /// given.
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.failed.is_some() {
            return Err(std::io::Error::other("the statement was refused"));
        }
        if self.start == self.checked && !self.check_line()? {
            return Ok(0);
        }
        let k = out.len().min(self.checked - self.start);
        out[..k].copy_from_slice(&self.buf[self.start..self.start + k]);
        self.start += k;
        Ok(k)
    }
}

/// The delimiter the header row uses most (the last of equal counts), if any.
fn delimiter(header_line: &str) -> Option<u8> {
    DELIMITERS
        .iter()
        .copied()
        .max_by_key(|d| header_line.bytes().filter(|b| b == d).count())
        .filter(|d| header_line.as_bytes().contains(d))
}

/// Reads a whole file held in memory.
pub fn read(file: &str, bytes: &[u8], layouts: &CsvLayouts) -> Result<Statement, StatementError> {
    let mut c = Collect::new(file, "", 0);
    let (format, head) = stream(file, &mut { bytes }, layouts, &mut c)?;
    let mut st = c.0;
    // The held statement's section spans its transactions, as its period does.
    for a in &mut st.accounts {
        (a.from, a.to) = (head.period_from, head.period_to);
    }
    st.format = format;
    st.encoding = head.encoding;
    Ok(st)
}

/// Streams a CSV export from `input` into `sink`: its format (`CSV (layout)`) and head.
pub fn stream(
    file: &str,
    input: &mut dyn Read,
    layouts: &CsvLayouts,
    sink: &mut dyn Sink,
) -> Result<(String, Head), StatementError> {
    stream_by(file, input, layouts, sink, crate::limits::MAX_DOCUMENTS)
}

/// [`stream`] with the row limit a parameter (smaller in the tests).
fn stream_by(
    file: &str,
    input: &mut dyn Read,
    layouts: &CsvLayouts,
    sink: &mut dyn Sink,
    max_rows: usize,
) -> Result<(String, Head), StatementError> {
    let io = |e: std::io::Error| err(file, None, format!("cannot be read: {e}"));
    // A byte-order mark is not part of the header's first name.
    let mut start = Vec::with_capacity(BOM.len());
    input
        .take(BOM.len() as u64)
        .read_to_end(&mut start)
        .map_err(io)?;
    if start == BOM {
        start.clear();
    }
    let mut joined = std::io::Cursor::new(start).chain(input);
    let mut checked = Checked {
        input: &mut joined,
        file,
        buf: Vec::new(),
        start: 0,
        checked: 0,
        eof: false,
        lines: 0,
        seen: Seen::Ascii,
        failed: None,
        offset: 0,
        runs: VecDeque::new(),
        passed: 0,
        record_at: 0,
    };
    let (held, header_line) = header_line(&mut checked)?;
    let delimiter = delimiter(&header_line).ok_or_else(|| {
        err(
            file,
            Some(1),
            "no delimiter (; , tab |) in the first row: not a CSV statement",
        )
    })?;
    let mut reader = ::csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(false)
        .from_reader(std::io::Cursor::new(held).chain(checked));
    let mut record = ::csv::ByteRecord::new();
    let mut header: Vec<Cell> = Vec::new();
    match reader.read_byte_record(&mut record) {
        Ok(true) => {
            let seen = reader_checked(&reader).seen;
            header.extend(record.iter().map(|h| Cell::Text(seen.decode(h))));
        }
        Ok(false) => {}
        Err(e) => return Err(refusal(file, &reader, e, "unreadable header row")),
    }
    let mut table = Table::new(file, "CSV", &header, layouts)?;
    sink.account(AccountSection {
        from: None,
        to: None,
        ..table.section()
    });
    let mut row: Vec<Cell> = Vec::new();
    let mut rows = 0usize;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(refusal(file, &reader, e, "unreadable row")),
        }
        let at = record.position().map_or(0, |p| p.byte());
        let checked = reader.get_mut().get_mut().1;
        let (line, seen) = (checked.record_line(at), checked.seen);
        row.clear();
        row.extend(record.iter().map(|f| Cell::Text(seen.decode(f))));
        if row
            .iter()
            .all(|c| matches!(c, Cell::Text(t) if t.trim().is_empty()))
        {
            continue;
        }
        if row.len() != header.len() {
            let other = DELIMITERS
                .iter()
                .filter(|d| **d != delimiter)
                .any(|d| record.iter().any(|f| f.contains(d)));
            return Err(err(
                file,
                Some(line),
                format!(
                    "{} fields where the header has {}{}",
                    row.len(),
                    header.len(),
                    if other { ": mixed delimiters" } else { "" }
                ),
            ));
        }
        rows += 1;
        if rows > max_rows {
            return Err(StatementError {
                refusal: crate::Refusal::OverLimit,
                ..err(
                    file,
                    Some(line),
                    format!("more than {max_rows} rows: more than a statement may hold"),
                )
            });
        }
        if let Some(t) = table.row(file, line, &row)? {
            sink.transaction(std::borrow::Cow::Owned(t));
        }
    }
    let (from, to) = table.period();
    sink.period(from, to);
    let seen = reader_checked(&reader).seen;
    Ok((
        table.format().to_string(),
        Head {
            encoding: seen.name().to_string(),
            version: None,
            period_from: from,
            period_to: to,
            documents: rows,
        },
    ))
}

/// What the CSV reader reads: the lines read for the header, then the rest, checked.
type Source<'a> = std::io::Chain<std::io::Cursor<Vec<u8>>, Checked<'a>>;

fn reader_checked<'r, 'a>(reader: &'r ::csv::Reader<Source<'a>>) -> &'r Checked<'a> {
    reader.get_ref().get_ref().1
}

/// Why the CSV reader stopped: the check's refusal, else its own error at its line.
fn refusal(
    file: &str,
    reader: &::csv::Reader<Source>,
    e: ::csv::Error,
    what: &str,
) -> StatementError {
    reader_checked(reader).failed.clone().unwrap_or_else(|| {
        let line = e.position().map(|p| p.line() as usize);
        err(file, line, format!("{what}: {e}"))
    })
}

/// Reads lines (ended by LF or CR) until the first that is not blank (the header row,
/// which names the delimiter): the bytes read, to be read again by the CSV reader, and that line's text.
/// Nothing but blank lines (or nothing) gives an empty line: no delimiter.
fn header_line(checked: &mut Checked) -> Result<(Vec<u8>, String), StatementError> {
    let mut held = Vec::new();
    let mut chunk = [0u8; 8192];
    let mut from = 0;
    loop {
        // Each complete line so far (ended by LF or CR), from where the last look stopped.
        while let Some(i) = memchr::memchr2(b'\n', b'\r', &held[from..]) {
            let text = checked.seen.decode(&held[from..from + i]);
            if !text.trim().is_empty() {
                return Ok((held, text));
            }
            from += i + 1;
        }
        let k = match checked.read(&mut chunk) {
            Ok(k) => k,
            Err(e) => {
                return Err(checked
                    .failed
                    .clone()
                    .unwrap_or_else(|| err(checked.file, None, format!("cannot be read: {e}"))))
            }
        };
        if k == 0 {
            if held.iter().all(u8::is_ascii_whitespace) {
                return Err(err(checked.file, None, "the file is empty"));
            }
            let line = &held[from..];
            let text = checked
                .seen
                .decode(line.strip_suffix(b"\r").unwrap_or(line));
            let text = if text.trim().is_empty() {
                String::new()
            } else {
                text
            };
            return Ok((held, text));
        }
        held.extend_from_slice(&chunk[..k]);
    }
}

#[cfg(test)]
mod tests;

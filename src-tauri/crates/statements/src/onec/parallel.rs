//! A 1C file read on several threads: one thread cuts the file into chunks that start at a
//! section's first line, workers parse the chunks, and the caller's thread hands their
//! items to the sink in the file's order — and, while the next chunk in order is still
//! being parsed, parses a queued one itself rather than wait. A statement's parsing is
//! most of the work of `uw income`; this spreads it over the cores a desk has.
//!
//! The sink borrows each document; the thread that parsed it drops it, when it takes the
//! chunk's list back for a later chunk ([`Lists`]): memory is then freed by the thread that
//! allocated it, the allocator's fast path.
//!
//! Invariant: the sink gets exactly what [`super::stream`] gives it — the same items, then
//! the same head or the same error at the same line. A worker parses its chunk from the
//! state a well-formed file is in at a section's first line: between sections, not ended,
//! the header's version and period, no documents counted. Before a chunk's items are
//! taken, the state the chunks before it really ended in is held against that; where it
//! differs (a section left open, text after `КонецФайла`, a version or period mid-file,
//! the document limit reached), that chunk and every later one are parsed on the caller's
//! thread from the real state, as `stream` would parse them. Where the chunks are cut
//! decides only the speed.
//!
//! Memory: a few chunks in flight (each about [`Shape::block`] bytes) and their items; a
//! chunk's items handed out stay until the thread that parsed them takes their list back
//! for its next chunk, at most [`Lists::KEPT`] lists a thread (a list beyond is dropped
//! where it is).

use std::borrow::Cow;
use std::cell::Cell;
use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TryRecvError};
use std::sync::Mutex;

use encoding_rs::{Encoding, IBM866, UTF_8, WINDOWS_1251};
use uw_domain::money::Date;

use super::{
    is_section_start, line_end, read_header, without_cr, Head, Lines, Memory, Parser, Reader,
    Section, Sink, State, MAX_LINE,
};
use crate::{AccountSection, StatementError, Transaction};

/// How a file is cut and parsed: chunks of about `block` bytes; a chunk with no section's
/// start is cut at a line's end once it holds `cap` bytes; `workers` threads parse.
#[derive(Clone, Copy, Debug)]
pub(super) struct Shape {
    pub block: usize,
    pub cap: usize,
    pub workers: usize,
}

/// The most threads that parse: the caller's thread, classifying, keeps pace with few.
const MAX_WORKERS: usize = 4;

impl Shape {
    /// 1 MiB chunks: some 1,600 documents, a hand-over cheap beside their parsing.
    const FILE: Shape = Shape {
        block: 1 << 20,
        cap: 4 << 20,
        workers: 2,
    };
}

/// Reads a 1C file as [`super::stream`] does, its documents parsed on `workers` threads
/// (the calling thread hands the items to `sink`, and may classify them meanwhile). With
/// fewer than two workers, or a file whose header does not end at a section, it is
/// `stream` itself.
pub fn stream_parallel(
    file: &str,
    input: &mut (dyn Read + Send),
    sink: &mut dyn Sink,
    workers: usize,
) -> Result<Head, StatementError> {
    stream_shaped(
        file,
        input,
        sink,
        Shape {
            // Each worker keeps chunks in flight: a machine of many cores would hold many
            // megabytes for a speed the caller's thread cannot take up anyway.
            workers: workers.min(MAX_WORKERS),
            ..Shape::FILE
        },
        crate::limits::MAX_DOCUMENTS,
        &Cell::new(0),
    )
}

/// `taken` counts the chunks whose workers' items were taken, for the tests.
pub(super) fn stream_shaped(
    file: &str,
    input: &mut (dyn Read + Send),
    sink: &mut dyn Sink,
    shape: Shape,
    max_documents: usize,
    taken: &Cell<usize>,
) -> Result<Head, StatementError> {
    let r = Reader { file };
    let mut lines = Lines::new(&mut *input);
    let (header, rest, encoding) = read_header(&r, &mut lines)?;
    let mut p = Parser::new(r, encoding, sink);
    p.max_documents = max_documents;
    for (n, raw) in &header {
        p.line(*n, raw)?;
    }
    let between = p.seen_signature && p.ended.is_none() && matches!(p.section, Section::Header);
    let first = match &rest {
        Some((n, raw)) if shape.workers > 1 && between && is_section_start(raw) => *n,
        _ => return p.rest_in_order(rest, &mut lines),
    };
    // The section's first line and what was read after it go to the chunks.
    let unread = lines.unread().to_vec();
    let ended = lines.ended();
    drop(lines);
    let (memory, state) = p.into_parts();
    let assumed = Assumed {
        head: Head {
            documents: 0,
            ..state.head.clone()
        },
    };
    // `stop`: the caller reads every chunk in order from here on, the workers parse no
    // more; `done`: the caller has its answer, nothing more is read.
    let stop = AtomicBool::new(false);
    let done = AtomicBool::new(false);
    let (jobs_to, jobs) = sync_channel::<Job>(shape.workers);
    let (turns_to, turns) = sync_channel::<Turn>(2 * shape.workers);
    let jobs = Mutex::new(jobs);
    // As many as may be in flight: a buffer is then always at hand.
    let (spare_to, spare) = sync_channel::<Vec<u8>>(4 * shape.workers + 4);
    // The workers' lists, then this thread's.
    let lists: Vec<Lists> = (0..=shape.workers).map(|_| Lists::default()).collect();
    let parse = |home| Parse {
        r,
        encoding,
        assumed: &assumed,
        stop: &stop,
        max_documents,
        lists: &lists[home],
        home,
        memory: None,
    };
    std::thread::scope(|scope| {
        // A thread the system will not start is an error that says so, never a panic:
        // the channels dropped with the error end the threads already started.
        let thread =
            |e: std::io::Error| r.err(first, format!("a reading thread could not start: {e}"));
        for home in 0..shape.workers {
            let mut parse = parse(home);
            let jobs = &jobs;
            std::thread::Builder::new()
                .spawn_scoped(scope, move || work(&mut parse, jobs))
                .map_err(thread)?;
        }
        let cutter = Cutter {
            r,
            shape,
            needle: section_needle(encoding),
            jobs: jobs_to,
            turns: turns_to,
            spare,
            done: &done,
        };
        std::thread::Builder::new()
            .spawn_scoped(scope, move || cutter.run(input, unread, first, ended))
            .map_err(thread)?;
        let merge = Merge {
            r,
            memory,
            state,
            assumed: &assumed,
            max_documents,
            stop: &stop,
            spare: spare_to,
            taken,
            jobs: &jobs,
            help: parse(shape.workers),
            lists: &lists,
        };
        let result = merge.run(turns, sink);
        // Whatever the answer, the threads stop reading and parsing.
        stop.store(true, Ordering::Relaxed);
        done.store(true, Ordering::Relaxed);
        result
    })
}

/// `\n` and the word `Секция` as the file's encoding writes it: where a chunk may end.
fn section_needle(encoding: &'static Encoding) -> &'static [u8] {
    if encoding == WINDOWS_1251 {
        b"\n\xD1\xE5\xEA\xF6\xE8\xFF"
    } else if encoding == IBM866 {
        b"\n\x91\xA5\xAA\xE6\xA8\xEF"
    } else {
        debug_assert_eq!(encoding, UTF_8);
        "\nСекция".as_bytes()
    }
}

/// Whole lines of the file, from the line numbered `first`.
struct Chunk {
    bytes: Vec<u8>,
    first: usize,
    /// The file's end: what follows the last newline is a line too (empty after a final
    /// one), as [`Lines`] reads it.
    last: bool,
}

impl Chunk {
    /// Hands `f` each line, numbered, without its `\r\n`, as [`Lines`] cuts them; a line
    /// longer than [`MAX_LINE`] is refused as `Lines` refuses it.
    fn each_line(
        &self,
        r: &Reader,
        mut f: impl FnMut(usize, &[u8]) -> Result<(), StatementError>,
    ) -> Result<(), StatementError> {
        let mut rest = &self.bytes[..];
        let mut n = self.first;
        loop {
            let Some(i) = line_end(r, n, rest)? else {
                // A chunk that is not the file's end ends with its last line's newline.
                if self.last {
                    f(n, without_cr(rest))?;
                }
                return Ok(());
            };
            f(n, without_cr(&rest[..i]))?;
            rest = &rest[i + 1..];
            n += 1;
        }
    }
}

/// A chunk's items, as a worker parsed them.
#[derive(Debug, PartialEq)]
enum Item {
    Period(Option<Date>, Option<Date>),
    Account(AccountSection),
    Transaction(Transaction),
}

struct Items(Vec<Item>);

impl Sink for Items {
    fn period(&mut self, from: Option<Date>, to: Option<Date>) {
        self.0.push(Item::Period(from, to));
    }
    fn account(&mut self, section: AccountSection) {
        self.0.push(Item::Account(section));
    }
    fn transaction(&mut self, t: Cow<'_, Transaction>) {
        self.0.push(Item::Transaction(t.into_owned()));
    }
}

/// A chunk parsed from the assumed state: its items, and the state it ended in or its
/// first error. The chunk comes back for the caller's thread to parse again if the
/// assumption was wrong.
struct Parsed {
    chunk: Chunk,
    items: Vec<Item>,
    end: Result<State, StatementError>,
    /// The thread that parsed it (its place among the [`Lists`]), where its items go back.
    home: usize,
}

/// The chunks in the file's order (each parsed on the other end of its channel), or the
/// error that stopped the reading after the chunks before it.
enum Turn {
    Parsed(Receiver<Parsed>),
    Failed(StatementError),
}

/// The state a worker starts each chunk from.
struct Assumed {
    /// The header's version and period; no documents.
    head: Head,
}

impl Assumed {
    fn state(&self, first: usize) -> State {
        State {
            head: self.head.clone(),
            section: Section::Header,
            seen_signature: true,
            ended: None,
            last: first - 1,
        }
    }

    /// Whether the file really is in the assumed state where `state` stands.
    fn holds(&self, state: &State) -> bool {
        matches!(state.section, Section::Header)
            && state.seen_signature
            && state.ended.is_none()
            && (
                &state.head.version,
                state.head.period_from,
                state.head.period_to,
            ) == (
                &self.head.version,
                self.head.period_from,
                self.head.period_to,
            )
    }
}

/// A job: a chunk, and where its parse goes.
type Job = (Chunk, SyncSender<Parsed>);

/// What parses a chunk, on a worker or on the caller's thread while it would wait: the
/// state assumed at a chunk's start, and this thread's memory of the file's texts.
struct Parse<'a, 'r> {
    r: Reader<'r>,
    encoding: &'static Encoding,
    assumed: &'a Assumed,
    stop: &'a AtomicBool,
    max_documents: usize,
    lists: &'a Lists,
    /// `lists`' place among every thread's.
    home: usize,
    /// Made at the first chunk this thread parses.
    memory: Option<Memory>,
}

/// One parsing thread's item lists that the caller's thread is done with. The thread
/// that made a list's documents empties it when it takes the list for its next chunk: their
/// texts are freed where they were allocated (across threads, each allocation and free is
/// the allocator's slow path), and the list keeps its room (some 1,600 documents).
#[derive(Default)]
struct Lists(Mutex<Vec<Vec<Item>>>);

impl Lists {
    /// A worker takes a list back for each chunk it parses: it rarely has more than one
    /// waiting.
    const KEPT: usize = 2;

    fn take(&self) -> Vec<Item> {
        let list = self.0.lock().map(|mut l| l.pop()).ok().flatten();
        let mut list = list.unwrap_or_default();
        list.clear();
        list
    }

    fn give(&self, list: Vec<Item>) {
        if let Ok(mut l) = self.0.lock() {
            if l.len() < Self::KEPT {
                l.push(list);
            }
        }
    }
}

impl Parse<'_, '_> {
    fn chunk(&mut self, chunk: Chunk) -> Parsed {
        let mut items = Items(self.lists.take());
        let start = self.assumed.state(chunk.first);
        let end = if self.stop.load(Ordering::Relaxed) {
            // The caller's thread parses every chunk from here on.
            Ok(start)
        } else {
            let mut memory = self
                .memory
                .take()
                .unwrap_or_else(|| Memory::new(self.encoding));
            // Texts interned afresh for each chunk: the caller's thread drops this chunk's
            // texts while this one reads the next, and they then share no counts.
            memory.texts.words.clear();
            let mut p = Parser::resume(self.r, memory, start, &mut items);
            p.max_documents = self.max_documents;
            let read = chunk.each_line(&self.r, |n, raw| p.line(n, raw));
            let (memory, state) = p.into_parts();
            self.memory = Some(memory);
            read.map(|()| state)
        };
        Parsed {
            chunk,
            items: items.0,
            end,
            home: self.home,
        }
    }

    /// Parses the queue's next chunk if there is one and no worker is taking it; whether
    /// it did.
    fn one_queued(&mut self, jobs: &Mutex<Receiver<Job>>) -> bool {
        let job = match jobs.try_lock() {
            Ok(jobs) => jobs.try_recv().ok(),
            Err(_) => None,
        };
        let Some((chunk, to)) = job else {
            return false;
        };
        // The caller gone (it stopped at an error): its answer is not wanted.
        let _ = to.send(self.chunk(chunk));
        true
    }
}

fn work(parse: &mut Parse, jobs: &Mutex<Receiver<Job>>) {
    loop {
        let job = jobs.lock().unwrap_or_else(|e| e.into_inner()).recv();
        let Ok((chunk, to)) = job else {
            return;
        };
        // The caller gone (it stopped at an error): its answer is not wanted.
        let _ = to.send(parse.chunk(chunk));
    }
}

/// The reading thread: the file in chunks that end before a section's first line.
struct Cutter<'r> {
    r: Reader<'r>,
    shape: Shape,
    needle: &'static [u8],
    jobs: SyncSender<Job>,
    turns: SyncSender<Turn>,
    /// Chunks' buffers the caller's thread is done with: a buffer reused is not a fresh
    /// megabyte for the kernel to map and zero.
    spare: Receiver<Vec<u8>>,
    /// Set once the caller has its answer.
    done: &'r AtomicBool,
}

impl Cutter<'_> {
    /// `ended`: the header's reader met the file's end (nothing is read after it).
    fn run(self, input: &mut dyn Read, mut carry: Vec<u8>, mut first: usize, ended: bool) {
        if ended {
            self.send(carry, first, true);
            return;
        }
        loop {
            if self.done.load(Ordering::Relaxed) {
                // The caller has its answer: the rest is not read.
                return;
            }
            let read = self.fill(input, &mut carry);
            let whole = memchr::memrchr(b'\n', &carry).map_or(0, |i| i + 1);
            if carry.len() - whole > MAX_LINE {
                // The last line is already longer than a line may be (as `Lines` tells
                // before it reads on): its chunk reads the whole lines before it and
                // refuses it; nothing after it is read.
                self.send(carry, first, false);
                return;
            }
            match read {
                Ok(false) => {}
                Ok(true) => {
                    self.send(carry, first, true);
                    return;
                }
                Err(e) => {
                    // The whole lines read are parsed first; the error is the next line's.
                    let lines = count_lines(&carry[..whole]);
                    carry.truncate(whole);
                    if !carry.is_empty() && !self.send(carry, first, false) {
                        return;
                    }
                    let _ = self.turns.send(Turn::Failed(
                        self.r
                            .err(first + lines, format!("the file could not be read: {e}")),
                    ));
                    return;
                }
            }
            // Before the last section's first line; without one, after the last whole line
            // once the chunk is `cap` long (a file whose sections are indented, say).
            let cut = memchr::memmem::rfind(&carry, self.needle)
                .map(|i| i + 1)
                .or((carry.len() >= self.shape.cap && whole > 0).then_some(whole));
            let Some(cut) = cut else {
                continue;
            };
            let mut rest = self.spare.try_recv().unwrap_or_default();
            rest.clear();
            rest.extend_from_slice(&carry[cut..]);
            carry.truncate(cut);
            let lines = count_lines(&carry);
            if !self.send(carry, first, false) {
                return;
            }
            first += lines;
            carry = rest;
        }
    }

    /// Reads until `carry` holds a block more or the file ends (`true`).
    fn fill(&self, input: &mut dyn Read, carry: &mut Vec<u8>) -> std::io::Result<bool> {
        let mut got = carry.len();
        let want = got + self.shape.block;
        carry.resize(want, 0);
        let read = loop {
            if got == want {
                break Ok(false);
            }
            match input.read(&mut carry[got..]) {
                Ok(0) => break Ok(true),
                Ok(k) => got += k,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => break Err(e),
            }
        };
        carry.truncate(got);
        read
    }

    /// Hands a chunk to the workers and its place to the caller's thread; `false` once the
    /// caller has stopped listening.
    fn send(&self, bytes: Vec<u8>, first: usize, last: bool) -> bool {
        let (to, from) = sync_channel(1);
        self.turns.send(Turn::Parsed(from)).is_ok()
            && self.jobs.send((Chunk { bytes, first, last }, to)).is_ok()
    }
}

/// The newlines of whole lines. Counted in a byte per 255 bytes, a loop the compiler turns
/// into vector compares and subtractions: the reading thread counts every byte of the file.
fn count_lines(bytes: &[u8]) -> usize {
    bytes
        .chunks(255)
        .map(|c| usize::from(c.iter().fold(0u8, |n, &b| n + u8::from(b == b'\n'))))
        .sum()
}

/// The caller's thread: the chunks' items into the sink in the file's order, each chunk
/// taken only where the file is in the state its worker assumed.
struct Merge<'a, 'r> {
    r: Reader<'r>,
    memory: Memory,
    /// Where the file really stands after the chunks taken so far.
    state: State,
    assumed: &'a Assumed,
    max_documents: usize,
    stop: &'a AtomicBool,
    spare: SyncSender<Vec<u8>>,
    taken: &'a Cell<usize>,
    /// The workers' queue, and this thread's parser for it: while the next chunk in order
    /// is still being parsed, this thread parses a later one rather than wait (on two
    /// cores, it would otherwise leave one idle for a third of the time).
    jobs: &'a Mutex<Receiver<Job>>,
    help: Parse<'a, 'r>,
    /// Every parsing thread's lists, by its place.
    lists: &'a [Lists],
}

impl Merge<'_, '_> {
    fn run(mut self, turns: Receiver<Turn>, sink: &mut dyn Sink) -> Result<Head, StatementError> {
        while let Ok(turn) = turns.recv() {
            let parsed = self.wait(turn)?;
            let documents = parsed
                .items
                .iter()
                .filter(|i| matches!(i, Item::Transaction(_)))
                .count();
            if !self.assumed.holds(&self.state)
                || self.state.head.documents + documents > self.max_documents
            {
                self.stop.store(true, Ordering::Relaxed);
                return self.in_order(parsed.chunk, &turns, sink);
            }
            for item in &parsed.items {
                match item {
                    Item::Period(from, to) => sink.period(*from, *to),
                    Item::Account(a) => sink.account(a.clone()),
                    Item::Transaction(t) => sink.transaction(Cow::Borrowed(t)),
                }
            }
            self.taken.set(self.taken.get() + 1);
            if let Some(home) = self.lists.get(parsed.home) {
                home.give(parsed.items);
            }
            // The reading thread may have stopped: the buffer is then merely dropped.
            let _ = self.spare.try_send(parsed.chunk.bytes);
            let end = parsed.end?;
            let documents = self.state.head.documents + end.head.documents;
            self.state = end;
            self.state.head.documents = documents;
        }
        Parser::resume(self.r, self.memory, self.state, sink).finish()
    }

    /// This chunk and every later one parsed here, from the real state, line by line.
    fn in_order(
        self,
        chunk: Chunk,
        turns: &Receiver<Turn>,
        sink: &mut dyn Sink,
    ) -> Result<Head, StatementError> {
        let r = self.r;
        let mut p = Parser::resume(r, self.memory, self.state, sink);
        p.max_documents = self.max_documents;
        chunk.each_line(&r, |n, raw| p.line(n, raw))?;
        while let Ok(turn) = turns.recv() {
            let chunk = parsed(&r, p.last, turn)?.chunk;
            chunk.each_line(&r, |n, raw| p.line(n, raw))?;
        }
        p.finish()
    }
}

impl Merge<'_, '_> {
    /// The turn's chunk as parsed; the chunks queued after it parsed here meanwhile.
    fn wait(&mut self, turn: Turn) -> Result<Parsed, StatementError> {
        let Turn::Parsed(from) = turn else {
            return parsed(&self.r, self.state.last, turn);
        };
        loop {
            match from.try_recv() {
                Ok(p) => return Ok(p),
                Err(TryRecvError::Empty) if self.help.one_queued(self.jobs) => {}
                Err(_) => return parsed(&self.r, self.state.last, Turn::Parsed(from)),
            }
        }
    }
}

/// A turn's chunk as its worker parsed it, or the reading's error; `last` is the line
/// the file was read to, after which a worker that never answered leaves it.
fn parsed(r: &Reader, last: usize, turn: Turn) -> Result<Parsed, StatementError> {
    match turn {
        Turn::Parsed(from) => from
            .recv()
            .map_err(|_| r.err(last + 1, "the reader stopped unexpectedly")),
        Turn::Failed(e) => Err(e),
    }
}

#[cfg(test)]
mod tests;

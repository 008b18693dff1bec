//! The parallel reader against the line-by-line one: for files whole and broken, cut in
//! chunks of every size, the sink hears the same items and the call ends the same way.

use encoding_rs::{IBM866, UTF_8, WINDOWS_1251};
use proptest::prelude::*;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::sync_channel;
use std::sync::Mutex;

use super::{stream_shaped, Assumed, Chunk, Item, Items, Lists, Parse, Shape};
use crate::onec::{stream_by, Head, Reader, MAX_LINE};
use crate::StatementError;

/// Everything a sink hears, in order: the items a worker collects.
type Outcome = (Vec<Item>, Result<Head, StatementError>);

/// A reader of `bytes` in blocks of `size`, failing at byte `fail` when it is given; with
/// `after_end`, a reader that has more to give after it said it ended (a terminal, a file
/// still being written).
struct Source<'a> {
    bytes: &'a [u8],
    at: usize,
    size: usize,
    fail: Option<usize>,
    after_end: Option<&'a [u8]>,
}

impl std::io::Read for Source<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.at == self.bytes.len() && self.fail.is_none() {
            let more = self.after_end.take().unwrap_or_default();
            self.bytes = more;
            self.at = 0;
            return Ok(0);
        }
        let end = self.fail.unwrap_or(usize::MAX).min(self.bytes.len());
        if Some(self.at) == self.fail {
            return Err(std::io::Error::other("the disk went away"));
        }
        let n = self.size.min(buf.len()).min(end - self.at);
        buf[..n].copy_from_slice(&self.bytes[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

fn source(bytes: &[u8], fail: Option<usize>) -> Source<'_> {
    Source {
        bytes,
        at: 0,
        size: 777,
        fail,
        after_end: None,
    }
}

fn in_order(bytes: &[u8], fail: Option<usize>, max: usize) -> Outcome {
    let mut heard = Items(Vec::new());
    let end = stream_by("p", &mut source(bytes, fail), &mut heard, true, max);
    (heard.0, end)
}

fn in_parallel(bytes: &[u8], fail: Option<usize>, max: usize, shape: Shape) -> Outcome {
    in_parallel_taking(bytes, fail, max, shape).0
}

/// With the number of chunks whose workers' items were taken.
fn in_parallel_taking(
    bytes: &[u8],
    fail: Option<usize>,
    max: usize,
    shape: Shape,
) -> (Outcome, usize) {
    let mut heard = Items(Vec::new());
    let taken = std::cell::Cell::new(0);
    let end = stream_shaped(
        "p",
        &mut source(bytes, fail),
        &mut heard,
        shape,
        max,
        &taken,
    );
    ((heard.0, end), taken.get())
}

/// A statement of `documents` documents, each of a few lines, in `lines` (no line ends).
fn statement(documents: usize) -> Vec<String> {
    let mut lines: Vec<String> = [
        "1CClientBankExchange",
        "ВерсияФормата=1.03",
        "Кодировка=Windows",
        "ДатаНачала=01.05.2026",
        "ДатаКонца=31.10.2026",
        "СекцияРасчСчет",
        "ДатаНачала=01.05.2026",
        "РасчСчет=20206000900123456001",
        "НачальныйОстаток=1000000.00",
        "КонецРасчСчет",
    ]
    .map(String::from)
    .to_vec();
    for i in 0..documents {
        lines.extend([
            "СекцияДокумент=Платежное поручение".to_string(),
            format!("Номер={i}"),
            format!("Дата={:02}.05.2026", 1 + i % 28),
            format!("Сумма={}.50", 1000 + i),
            "ПлательщикСчет=20210000400987654002".into(),
            format!("Плательщик=ООО \"Работодатель {}\"", i % 3),
            "ПолучательСчет=20206000900123456001".into(),
            format!("НазначениеПлатежа=заработная плата за апрель, № {i}"),
            "КодНазПлатежа=00600".into(),
            "КонецДокумента".into(),
        ]);
    }
    lines.push("КонецФайла".into());
    lines
}

/// The ways a file can go wrong between its sections, each at line `at` of its lines.
fn broken(mut lines: Vec<String>, fault: usize, at: usize) -> Vec<String> {
    let at = 10 + at % (lines.len() - 10);
    match fault {
        0 => {}
        // A section left open: its end line gone.
        1 => {
            if let Some(i) = lines[at..].iter().position(|l| l == "КонецДокумента") {
                lines.remove(at + i);
            }
        }
        // The file's end in the middle: what follows is text after it.
        2 => lines.insert(at, "КонецФайла".into()),
        // A header line between documents: the period the rest is read against changes.
        3 => {
            if let Some(i) = lines[at..]
                .iter()
                .position(|l| l.starts_with("СекцияДокумент"))
            {
                lines.insert(at + i, "ДатаКонца=30.11.2026".into());
            }
        }
        4 => {
            if let Some(i) = lines[at..]
                .iter()
                .position(|l| l.starts_with("СекцияДокумент"))
            {
                lines.insert(at + i, "ВерсияФормата=1.02".into());
            }
        }
        // A value no field can read.
        5 => lines[at] = "Сумма=12 500,00".into(),
        // A line of another encoding.
        6 => lines[at] = "\u{1}UTF8=ўзбек".into(),
        // An unknown key.
        7 => lines[at] = "@@@=1".into(),
        // Blank lines, a section of an account after the documents.
        8 => {
            lines.insert(at, String::new());
            lines.insert(at, "   ".into());
        }
        9 => {
            if let Some(i) = lines[at..]
                .iter()
                .position(|l| l.starts_with("СекцияДокумент"))
            {
                for (k, l) in ["СекцияРасчСчет", "РасчСчет=1", "КонецРасчСчет"]
                    .iter()
                    .enumerate()
                {
                    lines.insert(at + i + k, (*l).into());
                }
            }
        }
        // The file cut short.
        _ => lines.truncate(at),
    }
    lines
}

const ENCODINGS: [&encoding_rs::Encoding; 3] = [WINDOWS_1251, IBM866, UTF_8];

/// The file's bytes in one of [`ENCODINGS`], but for a line marked `\u{1}`, which stays
/// UTF-8 (a line of another encoding). A CP866 file says `DOS`.
fn bytes_of(lines: &[String], encoding: usize, ending: &str, final_newline: bool) -> Vec<u8> {
    let encoding = ENCODINGS[encoding % 3];
    let mut bytes: Vec<Vec<u8>> = lines
        .iter()
        .map(|l| match l.strip_prefix('\u{1}') {
            Some(foreign) => foreign.as_bytes().to_vec(),
            None if encoding == IBM866 => encoding.encode(&l.replace("=Windows", "=DOS")).0.into(),
            None => encoding.encode(l).0.into(),
        })
        .collect();
    if final_newline {
        bytes.push(Vec::new());
    }
    bytes.join(ending.as_bytes())
}

fn check(bytes: &[u8], fail: Option<usize>, max: usize, shape: Shape) {
    let expected = in_order(bytes, fail, max);
    let got = in_parallel(bytes, fail, max, shape);
    assert_eq!(got.1, expected.1, "{shape:?}, fail {fail:?}, max {max}");
    assert_eq!(got.0.len(), expected.0.len(), "{shape:?}");
    assert!(got.0 == expected.0, "{shape:?}: the items differ");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]
    #[test]
    fn chunks_read_as_the_file_read_line_by_line(
        documents in 0usize..40,
        fault in 0usize..11,
        at in 0usize..1000,
        encoding in 0usize..3,
        crlf in any::<bool>(),
        final_newline in any::<bool>(),
        block in 1usize..900,
        cap in 0usize..3000,
        workers in 2usize..4,
        fail in proptest::option::weighted(0.15, 0usize..20_000),
        max in proptest::option::weighted(0.2, 0usize..40),
    ) {
        let lines = broken(statement(documents), fault, at);
        let bytes = bytes_of(&lines, encoding, if crlf { "\r\n" } else { "\n" }, final_newline);
        let shape = Shape { block, cap: block + cap, workers };
        check(&bytes, fail, max.unwrap_or(crate::limits::MAX_DOCUMENTS), shape);
    }
}

/// A file of a few thousand documents in the shape a statement is read in: the chunks are
/// taken as the workers read them (no fall back to one thread), and the result is the
/// line-by-line one.
#[test]
fn a_statement_is_read_in_parallel_chunks() {
    let bytes = bytes_of(&statement(3000), 0, "\r\n", true);
    let shape = Shape {
        block: 4096,
        cap: 16384,
        workers: 2,
    };
    check(&bytes, None, crate::limits::MAX_DOCUMENTS, shape);
    let (_, taken) = in_parallel_taking(&bytes, None, crate::limits::MAX_DOCUMENTS, shape);
    // Every chunk (some 4 KiB each) but the one after the last section's start.
    assert!(
        taken >= bytes.len() / 4096,
        "{taken} of {} bytes",
        bytes.len()
    );
}

/// While its next chunk in order is still being parsed, the caller's thread parses a
/// queued one as a worker would (the same items, the same state at its end), and hands it
/// to that chunk's own channel; with nothing queued, it leaves the waiting to `recv`.
#[test]
fn the_callers_thread_parses_a_queued_chunk_as_a_worker_would() {
    let lines = statement(5);
    let bytes = bytes_of(&lines, 2, "\n", true);
    let (expected, head) = in_order(&bytes, None, crate::limits::MAX_DOCUMENTS);
    let head = head.unwrap();
    // The documents' lines, from the first one (line 11) to the file's end line.
    let starts: Vec<usize> = std::iter::once(0)
        .chain(
            bytes
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| i + 1),
        )
        .collect();
    let documents = bytes[starts[10]..starts[lines.len() - 1]].to_vec();
    let assumed = Assumed {
        head: Head {
            documents: 0,
            ..head.clone()
        },
    };
    let (stop, lists) = (AtomicBool::new(false), Lists::default());
    let mut help = Parse {
        r: Reader { file: "p" },
        encoding: encoding_rs::UTF_8,
        assumed: &assumed,
        stop: &stop,
        max_documents: crate::limits::MAX_DOCUMENTS,
        lists: &lists,
        home: 0,
        memory: None,
    };
    let (jobs_to, jobs) = sync_channel(1);
    let jobs = Mutex::new(jobs);
    assert!(!help.one_queued(&jobs), "nothing queued: nothing parsed");
    let (to, from) = sync_channel(1);
    let chunk = Chunk {
        bytes: documents,
        first: 11,
        last: false,
    };
    jobs_to.send((chunk, to)).unwrap();
    assert!(help.one_queued(&jobs));
    let parsed = from
        .try_recv()
        .expect("the chunk's answer is on its channel");
    let transactions: Vec<&Item> = expected
        .iter()
        .filter(|i| matches!(i, Item::Transaction(_)))
        .collect();
    assert_eq!(parsed.items.iter().collect::<Vec<_>>(), transactions);
    let end = parsed.end.unwrap();
    assert_eq!((end.head.documents, end.last), (5, lines.len() - 1));
    assert!(assumed.holds(&end), "a chunk that ends between sections");
}

/// A line longer than a line may be, in the middle of the documents or at the end, with
/// or without a failing disk after it: refused at its number as line by line.
#[test]
fn a_long_line_is_refused_at_its_number() {
    let mut lines = statement(50);
    let long = "Х".repeat(MAX_LINE + 10);
    lines.insert(300, format!("НазначениеПлатежа={long}"));
    let bytes = bytes_of(&lines, 2, "\r\n", true);
    let shape = Shape {
        block: 64 * 1024,
        cap: 128 * 1024,
        workers: 2,
    };
    for fail in [None, Some(bytes.len() / 2), Some(bytes.len() - 10)] {
        check(&bytes, fail, crate::limits::MAX_DOCUMENTS, shape);
    }
    let e = in_parallel(&bytes, None, crate::limits::MAX_DOCUMENTS, shape)
        .1
        .unwrap_err();
    assert_eq!(
        (e.line, e.refusal),
        (Some(301), crate::Refusal::OverLimit),
        "{e}"
    );
    let mut unended = statement(50);
    unended.truncate(200);
    let mut bytes = bytes_of(&unended, 0, "\n", true);
    bytes.extend(std::iter::repeat_n(b'7', MAX_LINE + 5));
    check(&bytes, None, crate::limits::MAX_DOCUMENTS, shape);
}

/// The shape a statement is read in, with files that give it no section's start to cut at
/// for megabytes: sections indented, `\n\r` line ends, a megabyte of blank lines after the
/// file's end and text after them, a failing disk there. Each is read as line by line.
#[test]
fn megabytes_without_a_section_start_read_as_line_by_line() {
    let shape = Shape::FILE;
    let max = crate::limits::MAX_DOCUMENTS;
    let indented: Vec<String> = statement(30_000)
        .into_iter()
        .map(|l| {
            if l.starts_with("СекцияДокумент") {
                format!(" {l}")
            } else {
                l
            }
        })
        .collect();
    let bytes = bytes_of(&indented, 0, "\r\n", true);
    assert!(bytes.len() > 3 * shape.block, "{}", bytes.len());
    let (heard, end) = in_parallel(&bytes, None, max, shape);
    assert_eq!(end.as_ref().map(|h| h.documents), Ok(30_000), "{end:?}");
    let documents = heard
        .iter()
        .filter(|h| matches!(h, Item::Transaction(_)))
        .count();
    assert_eq!(documents, 30_000);
    check(&bytes, None, max, shape);
    check(
        &bytes_of(&statement(20_000), 2, "\n\r", true),
        None,
        max,
        shape,
    );
    let mut padded = bytes_of(&statement(3), 0, "\n", true);
    padded.extend(std::iter::repeat_n(b'\n', 2_200_000));
    let fail = padded.len() - 10;
    padded.extend_from_slice(b"junk\n");
    check(&padded, None, max, shape);
    check(&padded, Some(fail), max, shape);
    let e = in_parallel(&padded, None, max, shape).1.unwrap_err();
    assert!(e.message.contains("after КонецФайла"), "{e}");
}

/// Lines of exactly the longest length and one byte more, in small chunks and in a
/// statement's: the first is read, the second refused at its number.
#[test]
fn the_longest_line_is_read_and_one_byte_more_refused() {
    for extra in [0, 1] {
        let mut lines = statement(20);
        let key = "НазначениеПлатежа=";
        // The line's bytes (its `\r` counted) in CP1251: a byte a letter.
        let value = "7".repeat(MAX_LINE + extra - key.chars().count() - 1);
        lines.insert(100, format!("{key}{value}"));
        let bytes = bytes_of(&lines, 0, "\r\n", true);
        for shape in [
            Shape::FILE,
            Shape {
                block: 70_000,
                cap: 200_000,
                workers: 3,
            },
        ] {
            check(&bytes, None, crate::limits::MAX_DOCUMENTS, shape);
            let end = in_parallel(&bytes, None, crate::limits::MAX_DOCUMENTS, shape).1;
            assert_eq!(end.is_ok(), extra == 0, "{extra}: {end:?}");
        }
    }
}

/// A reader that gives more after it said it ended is not read again, as line by line.
#[test]
fn nothing_is_read_after_the_end() {
    let bytes = bytes_of(&statement(5), 0, "\r\n", false);
    // The file's end right after its first section's first line, which the header's
    // reader then meets; inside a document; at its own end.
    let section = WINDOWS_1251.encode("СекцияРасчСчет").0;
    let first_section = memchr::memmem::find(&bytes, &section).unwrap_or(0) + section.len();
    for cut in [first_section, 700, bytes.len()] {
        let more = b"\r\nmore=1\r\n";
        let read = |parallel: bool| {
            let mut heard = Items(Vec::new());
            let mut s = Source {
                bytes: &bytes[..cut],
                at: 0,
                size: 100_000,
                fail: None,
                after_end: Some(&more[..]),
            };
            let end = if parallel {
                stream_shaped(
                    "p",
                    &mut s,
                    &mut heard,
                    Shape::FILE,
                    100,
                    &std::cell::Cell::new(0),
                )
            } else {
                stream_by("p", &mut s, &mut heard, true, 100)
            };
            (heard.0, end)
        };
        let (line_by_line, chunks) = (read(false), read(true));
        assert_eq!(chunks.1, line_by_line.1, "{cut}");
        assert!(chunks.0 == line_by_line.0, "{cut}");
    }
}

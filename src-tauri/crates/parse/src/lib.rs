//! The reader of the files clients bring, as a process of its own.
//!
//! A statement or a scan is hostile until read. The readers hold each file to their limits
//! ([`uw_statements::limits`], [`uw_agreement::MAX_INFLATED`], [`image_limits`]), but a
//! header can lie and a parser can have a bug, so the workstation never reads such a file
//! first in its own process: it hands the bytes to `uw-parse`, which sets its own memory
//! limit ([`MEMORY_LIMIT`]) and CPU limit before it reads anything, and it waits for the
//! answer no longer than [`DEADLINE`]. A bomb is refused with its reason, or kills only
//! this process; the window stays up and nothing is attached.
//!
//! Invariants: [`answer`] is pure (bytes in, an [`Answer`] out, no panic on any input);
//! [`limit_self`] then [`serve`] are the whole process (`main.rs`): its limits, then one
//! request on stdin and one answer on stdout. The limits are the process's, not
//! `serve`'s, so a test that serves in its own process does not limit itself.
//! The request is a JSON line ([`Request`]) followed by the file's bytes; the file's name
//! travels on stdin, not in the arguments, where any user of the machine could read it.
//!
//! The verdict is what lets a file in: a file read here within the limits is read again by
//! the workstation (the readers are deterministic), so only a summary comes back.

use std::io::{Read, Write};
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The address space the reading process may use.
pub const MEMORY_LIMIT: u64 = 256 * 1024 * 1024;
/// How long the workstation waits for an answer, and the CPU time the process may use.
pub const DEADLINE: Duration = Duration::from_secs(5);
/// The largest file handed over at all: the larger of a statement's and a scan's limits.
pub const MAX_INPUT: u64 = if uw_statements::limits::MAX_FILE_BYTES > MAX_SCAN_BYTES {
    uw_statements::limits::MAX_FILE_BYTES
} else {
    MAX_SCAN_BYTES
};
/// The longest request line.
const MAX_REQUEST_LINE: u64 = 64 * 1024;

/// The column layouts of the CSV and spreadsheet exports (a product parameter).
pub fn csv_layouts() -> uw_statements::CsvLayouts {
    // The shipped file is checked by a test; a broken one must not reach a build.
    serde_json::from_str(include_str!(
        "../../../../assets/statements/csv-layouts.json"
    ))
    .expect("assets/statements/csv-layouts.json is valid")
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "read", rename_all = "snake_case")]
pub enum Request {
    /// A bank statement (1C exchange text, CSV, XLSX, XLS).
    Statement { name: String },
    /// A scan of a document (PDF, PNG, JPEG).
    Scan { name: String },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Statement(StatementSummary),
    Scan(ScanInfo),
    Refused(Refused),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementSummary {
    pub format: String,
    pub encoding: String,
    pub transactions: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanInfo {
    pub media_type: String,
    pub pages: usize,
}

/// Why a file was not read: the message names the file (and line, where there is one).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refused {
    pub reason: Reason,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Reason {
    /// It does not read as what it was given as.
    Unreadable,
    /// It asks more of the reader than the limits allow.
    OverLimit,
}

fn refused(reason: Reason, message: String) -> Answer {
    Answer::Refused(Refused { reason, message })
}

/// What a file is, or why it is refused.
pub fn answer(request: &Request, bytes: &[u8]) -> Answer {
    match request {
        Request::Statement { name } => statement(name, bytes),
        Request::Scan { name } => scan(name, bytes),
    }
}

fn statement(name: &str, bytes: &[u8]) -> Answer {
    match uw_statements::read_statement(name, bytes, &csv_layouts()) {
        Ok(st) => Answer::Statement(StatementSummary {
            format: st.format,
            encoding: st.encoding,
            transactions: st.transactions.len(),
        }),
        Err(e) => refused(
            match e.refusal {
                uw_statements::Refusal::Unreadable => Reason::Unreadable,
                uw_statements::Refusal::OverLimit => Reason::OverLimit,
            },
            e.to_string(),
        ),
    }
}

/// The largest scan accepted.
pub const MAX_SCAN_BYTES: u64 = 25_000_000;

/// What an image may ask of the decoder: a 600 dpi A4 page is 5,000 × 7,000 pixels.
pub fn image_limits() -> image::Limits {
    let mut l = image::Limits::default();
    l.max_image_width = Some(20_000);
    l.max_image_height = Some(20_000);
    l.max_alloc = Some(160 * 1024 * 1024);
    l
}

/// A scan is judged by its content, never its name: PDF (`%PDF-`, and it must read, with
/// at least one page), PNG or JPEG (their signatures, and the image must decode).
fn scan(name: &str, bytes: &[u8]) -> Answer {
    let unreadable = |why: String| refused(Reason::Unreadable, format!("{name}: {why}"));
    let over = |why: String| refused(Reason::OverLimit, format!("{name}: {why}"));
    if bytes.len() as u64 > MAX_SCAN_BYTES {
        return over(format!(
            "{}, more than the 25 MB a scan may have",
            megabytes(bytes.len() as u64)
        ));
    }
    let found = |media_type: &str, pages| {
        Answer::Scan(ScanInfo {
            media_type: media_type.into(),
            pages,
        })
    };
    if bytes.starts_with(b"%PDF-") {
        return match uw_agreement::pdf_pages(bytes) {
            Ok(pages) => found("application/pdf", pages),
            Err(uw_agreement::ScanRefusal::OverLimit(m)) => over(m),
            Err(uw_agreement::ScanRefusal::Unreadable(m)) => unreadable(m),
        };
    }
    let format = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        (image::ImageFormat::Png, "image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        (image::ImageFormat::Jpeg, "image/jpeg")
    } else {
        return unreadable(
            "not a PDF, PNG or JPEG file (judged by its content, not its name)".into(),
        );
    };
    let mut reader = image::ImageReader::with_format(std::io::Cursor::new(bytes), format.0);
    reader.limits(image_limits());
    match reader.decode() {
        Ok(_) => found(format.1, 1),
        Err(image::ImageError::Limits(e)) => over(format!("the image is too large to open ({e})")),
        Err(e) => unreadable(format!("the image does not decode ({e})")),
    }
}

/// A size as people read it ("26.2 MB", MB of 10⁶ bytes as every limit here), in whole
/// arithmetic.
pub fn megabytes(bytes: u64) -> String {
    let tenths = bytes / 100_000;
    format!("{}.{} MB", tenths / 10, tenths % 10)
}

/// One request, one answer (the process sets its limits first: [`limit_self`]).
pub fn serve(input: impl Read, mut output: impl Write) -> std::io::Result<()> {
    let mut input = std::io::BufReader::new(input);
    let mut line = Vec::new();
    std::io::BufRead::read_until(&mut (&mut input).take(MAX_REQUEST_LINE), b'\n', &mut line)?;
    let answer = match serde_json::from_slice::<Request>(&line) {
        Err(e) => refused(
            Reason::Unreadable,
            format!("a request that does not read: {e}"),
        ),
        Ok(request) => {
            let mut bytes = Vec::new();
            input.take(MAX_INPUT + 1).read_to_end(&mut bytes)?;
            if bytes.len() as u64 > MAX_INPUT {
                refused(
                    Reason::OverLimit,
                    format!("more than the {} MB a file may have", MAX_INPUT / 1_000_000),
                )
            } else {
                // A reader's panic is this file's refusal, not a dead process.
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| answer(&request, &bytes)))
                    .unwrap_or_else(|_| {
                        refused(Reason::Unreadable, "the reader failed on this file".into())
                    })
            }
        }
    };
    serde_json::to_writer(&mut output, &shortened(answer))?;
    output.flush()
}

/// The longest message an answer carries: a reader's message may quote the file.
const MAX_MESSAGE_CHARS: usize = 2000;

fn shortened(answer: Answer) -> Answer {
    match answer {
        Answer::Refused(Refused { reason, message })
            if message.chars().count() > MAX_MESSAGE_CHARS =>
        {
            let mut message: String = message.chars().take(MAX_MESSAGE_CHARS).collect();
            message.push('…');
            Answer::Refused(Refused { reason, message })
        }
        other => other,
    }
}

/// The limits this process sets on itself before it reads a byte: memory, CPU time, and
/// no core file (it would hold a client's papers).
#[cfg(unix)]
pub fn limit_self() {
    use rustix::process::{setrlimit, Resource, Rlimit};
    let cap = |n: u64| Rlimit {
        current: Some(n),
        maximum: Some(n),
    };
    // A limit that cannot be set leaves the deadline and the readers' own limits; it is
    // said on stderr, where an operator running the reader by hand sees it.
    for (resource, n) in [
        (Resource::As, MEMORY_LIMIT),
        (Resource::Cpu, DEADLINE.as_secs()),
        (Resource::Core, 0),
    ] {
        if let Err(e) = setrlimit(resource, cap(n)) {
            eprintln!("uw-parse: the limit {resource:?} cannot be set: {e}");
        }
    }
}

/// Elsewhere the deadline and the readers' own limits hold; the memory limit is Unix's.
#[cfg(not(unix))]
pub fn limit_self() {}

#[cfg(any(test, feature = "hostile-samples"))]
pub mod hostile;

#[cfg(test)]
mod tests;

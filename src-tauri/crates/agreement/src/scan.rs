//! A PDF someone brought (a scanned document): how many pages, or why it is refused.
//!
//! This crate is the workstation's one reader and writer of PDF, so the check of a scan is
//! here. A PDF is hostile until read: its streams are compressed, and a few megabytes of
//! Flate data inflate to gigabytes (a thousand to one per layer, a million with two), which
//! lopdf inflates in memory for the object streams as it loads, and the viewer for the
//! pages. So before lopdf sees the file, every Flate stream is inflated into nothing with a
//! counter: a stream over [`MAX_STREAM_INFLATED`], a file over [`MAX_INFLATED`], or a
//! stream compressed twice over is refused as [`ScanRefusal::OverLimit`]. A stream that
//! does not inflate is left to the reader (scanners write JPEG streams; broken ones are
//! the viewer's to report). The reading process's memory limit and deadline (`uw-parse`)
//! stand behind this for what the scan cannot see; the tests that attack it are there.

use std::io::Read;

/// The most one stream may inflate to: a 600 dpi colour A4 page is about 100 MB.
pub const MAX_STREAM_INFLATED: u64 = 128_000_000;
/// The most all streams of a scan may inflate to, together.
pub const MAX_INFLATED: u64 = 256_000_000;
/// How far before `stream` its dictionary is looked for.
const DICT_WINDOW: usize = 64 * 1024;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScanRefusal {
    /// It does not read as a PDF with pages.
    Unreadable(String),
    /// It asks more of the reader than the limits allow.
    OverLimit(String),
}

impl std::fmt::Display for ScanRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScanRefusal::Unreadable(m) | ScanRefusal::OverLimit(m) => f.write_str(m),
        }
    }
}

/// The pages of a scanned PDF, once its streams are within the limits.
pub fn pdf_pages(bytes: &[u8]) -> Result<usize, ScanRefusal> {
    check_streams(bytes)?;
    let doc = lopdf::Document::load_mem(bytes)
        .map_err(|e| ScanRefusal::Unreadable(format!("not a readable PDF: {e}")))?;
    match doc.get_pages().len() {
        0 => Err(ScanRefusal::Unreadable("a PDF without pages".into())),
        n => Ok(n),
    }
}

/// Every Flate stream, inflated with a counter and never kept.
fn check_streams(bytes: &[u8]) -> Result<(), ScanRefusal> {
    let mut total: u64 = 0;
    let mut at = 0;
    while let Some((dict, body, next)) = next_stream(bytes, at) {
        at = next;
        let flates = flate_filters(dict);
        if flates == 0 {
            continue;
        }
        if flates > 1 {
            return Err(ScanRefusal::OverLimit(
                "a stream is compressed twice over (a decompression bomb's shape)".into(),
            ));
        }
        let inflated = inflated_len(body, MAX_STREAM_INFLATED + 1);
        if inflated > MAX_STREAM_INFLATED {
            return Err(ScanRefusal::OverLimit(format!(
                "a stream of {} bytes inflates past the {} MB a stream may",
                body.len(),
                MAX_STREAM_INFLATED / 1_000_000
            )));
        }
        total += inflated;
        if total > MAX_INFLATED {
            return Err(ScanRefusal::OverLimit(format!(
                "its streams inflate past the {} MB a scan may",
                MAX_INFLATED / 1_000_000
            )));
        }
    }
    Ok(())
}

/// The next `stream … endstream` from `at`: its dictionary (the text since the object's
/// `obj`), its body, and where to look on.
fn next_stream(bytes: &[u8], at: usize) -> Option<(&[u8], &[u8], usize)> {
    let mut from = at;
    loop {
        let k = find(bytes, b"stream", from)?;
        from = k + 6;
        if k >= 3 && &bytes[k - 3..k] == b"end" {
            continue;
        }
        let rest = &bytes[from..];
        let eol = if rest.starts_with(b"\r\n") {
            2
        } else if rest.starts_with(b"\n") || rest.starts_with(b"\r") {
            1
        } else {
            continue;
        };
        let start = from + eol;
        let end = find(bytes, b"endstream", start).unwrap_or(bytes.len());
        let window = k.saturating_sub(DICT_WINDOW);
        let dict_from = rfind(&bytes[window..k], b"obj").map_or(window, |i| window + i);
        return Some((&bytes[dict_from..k], &bytes[start..end], end));
    }
}

/// How many times a dictionary names the Flate filter, its `#xx` escapes read as the PDF
/// reader reads them (`/Fl#61teDecode` is `/FlateDecode`).
fn flate_filters(dict: &[u8]) -> usize {
    let mut plain = Vec::with_capacity(dict.len());
    let mut i = 0;
    while i < dict.len() {
        let hex = dict
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (dict[i], hex) {
            (b'#', Some(b)) => {
                plain.push(b);
                i += 3;
            }
            (c, _) => {
                plain.push(c);
                i += 1;
            }
        }
    }
    let mut n = 0;
    let mut from = 0;
    while let Some(k) = find(&plain, b"/FlateDecode", from) {
        n += 1;
        from = k + 1;
    }
    n
}

/// The bytes a zlib stream inflates to, counted up to `cap`; a stream that stops
/// inflating (broken, or not zlib at all) counts what it gave.
fn inflated_len(body: &[u8], cap: u64) -> u64 {
    let mut z = flate2::read::ZlibDecoder::new(body).take(cap);
    let mut buf = vec![0u8; 64 * 1024];
    let mut n: u64 = 0;
    while let Ok(k @ 1..) = z.read(&mut buf) {
        n += k as u64;
    }
    n
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| from + i)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

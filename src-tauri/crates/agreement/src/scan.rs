//! A PDF someone brought (a scanned document): how many pages, or why it is refused.
//!
//! This crate is the workstation's one reader and writer of PDF, so the check of a scan is
//! here. A PDF is hostile until read: its streams are compressed, and a few megabytes of
//! Flate data inflate to gigabytes (a thousand to one per layer, a million with two), which
//! lopdf inflates in memory for the object streams as it loads, and the viewer for the
//! pages. So lopdf loads it with its own bound on those ([`MAX_STREAM_INFLATED`]), and
//! then every stream it parsed — its dictionary, `/Length` and filter names read as a PDF
//! reader reads them — is inflated into nothing with a counter: a stream over
//! [`MAX_STREAM_INFLATED`], a file over [`MAX_INFLATED`], or a stream compressed twice
//! over is refused as [`ScanRefusal::OverLimit`]; a filter a scan has no use for (an
//! abbreviation, ASCII armour, run-length) and an encrypted file as unreadable. A stream
//! that does not inflate is left to the viewer (broken data is its to report). The reading process's memory limit and deadline (`uw-parse`)
//! stand behind this for what the scan cannot see; the tests that attack it are there.

use std::io::Read;

use lopdf::{Document, LoadOptions, Object, Stream};

/// The most one stream may inflate to: a 600 dpi colour A4 page is about 100 MB.
pub const MAX_STREAM_INFLATED: u64 = 128_000_000;
/// The most all streams of a scan may inflate to, together.
pub const MAX_INFLATED: u64 = 256_000_000;

/// The filters a scan's streams may name, in full (pdf.js also reads the abbreviations
/// of inline images, `/Fl`, `/AHx`…, on any stream; lopdf does not): one that decodes
/// (`DECODING`) at most, and the image codecs, which the viewer decodes within the image's
/// own size.
const DECODING: [&[u8]; 2] = [b"FlateDecode", b"LZWDecode"];
const IMAGE_CODECS: [&[u8]; 4] = [
    b"DCTDecode",
    b"JPXDecode",
    b"CCITTFaxDecode",
    b"JBIG2Decode",
];

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
    let options = LoadOptions {
        max_decompressed_size: usize::try_from(MAX_STREAM_INFLATED).ok(),
        ..LoadOptions::default()
    };
    let doc = Document::load_mem_with_options(bytes, options).map_err(|e| match e {
        lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. }) => {
            ScanRefusal::OverLimit(format!(
                "an object stream inflates past the {} MB a stream may",
                MAX_STREAM_INFLATED / 1_000_000
            ))
        }
        e => ScanRefusal::Unreadable(format!("not a readable PDF: {e}")),
    })?;
    if doc.is_encrypted() {
        return Err(ScanRefusal::Unreadable(
            "an encrypted PDF: a scan is accepted without a password or encryption".into(),
        ));
    }
    let mut total: u64 = 0;
    for object in doc.objects.values() {
        if let Object::Stream(stream) = object {
            total += inflated(stream)?;
            if total > MAX_INFLATED {
                return Err(ScanRefusal::OverLimit(format!(
                    "its streams inflate past the {} MB a scan may",
                    MAX_INFLATED / 1_000_000
                )));
            }
        }
    }
    match doc.get_pages().len() {
        0 => Err(ScanRefusal::Unreadable("a PDF without pages".into())),
        n => Ok(n),
    }
}

/// What one stream inflates to, by its filters as the parser read them; a filter chain
/// outside the accepted ones is refused.
fn inflated(stream: &Stream) -> Result<u64, ScanRefusal> {
    let Ok(filters) = stream.filters() else {
        return Ok(0); // stored as it is
    };
    if let Some(other) = filters
        .iter()
        .find(|f| !DECODING.contains(f) && !IMAGE_CODECS.contains(f))
    {
        return Err(ScanRefusal::Unreadable(format!(
            "a stream under the filter /{}, which a scan may not use",
            String::from_utf8_lossy(other)
        )));
    }
    let decoding: Vec<&[u8]> = filters
        .iter()
        .copied()
        .filter(|f| DECODING.contains(f))
        .collect();
    let over = || {
        ScanRefusal::OverLimit(format!(
            "a stream of {} bytes inflates past the {} MB a stream may",
            stream.content.len(),
            MAX_STREAM_INFLATED / 1_000_000
        ))
    };
    let n = match decoding.as_slice() {
        [] => return Ok(0),
        [_, _, ..] => {
            return Err(ScanRefusal::OverLimit(
                "a stream is compressed twice over (a decompression bomb's shape)".into(),
            ))
        }
        // Flate is counted into nothing; LZW through the parser's own bounded decoder.
        [b"FlateDecode"] => inflated_len(&stream.content, MAX_STREAM_INFLATED + 1),
        [_] => match stream.decompressed_content_with_limit(MAX_STREAM_INFLATED as usize) {
            Ok(plain) => plain.len() as u64,
            Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded {
                ..
            })) => return Err(over()),
            Err(_) => 0, // broken data: the viewer's to report
        },
    };
    if n > MAX_STREAM_INFLATED {
        return Err(over());
    }
    Ok(n)
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

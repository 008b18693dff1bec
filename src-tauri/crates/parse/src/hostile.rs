//! Hostile files made to order, for the tests that attack the readers (feature
//! `hostile-samples`; never in a shipped build). Each is built from a few kilobytes of
//! work: one compressed megabyte repeated, its pieces ending on byte boundaries so they
//! chain into one deflate stream of any length.

/// Raw deflate of `mb` megabytes of the byte `fill`.
pub fn deflate_repeated(fill: u8, mb: usize) -> Vec<u8> {
    let mut c = flate2::Compress::new(flate2::Compression::best(), false);
    let mut piece = Vec::with_capacity(8192);
    let _ = c.compress_vec(
        &vec![fill; 1 << 20],
        &mut piece,
        flate2::FlushCompress::Sync,
    );
    assert_eq!(c.total_in(), 1 << 20, "the megabyte went in whole");
    let mut out = Vec::with_capacity(piece.len() * mb + 2);
    for _ in 0..mb {
        out.extend_from_slice(&piece);
    }
    out.extend_from_slice(&[0x03, 0x00]); // an empty final block
    out
}

/// The same as a zlib stream (the PDF's Flate), its checksum included.
pub fn zlib_repeated(fill: u8, mb: usize) -> Vec<u8> {
    let n = (mb as u64) << 20;
    let a = (1 + u64::from(fill) * n) % 65521;
    // b = Σ a_i over the n bytes: n + fill·n(n+1)/2, modulo 65521.
    let b = (n % 65521 + u64::from(fill) * ((n % 131042) * ((n + 1) % 131042) / 2 % 65521)) % 65521;
    let mut out = vec![0x78, 0xDA];
    out.extend_from_slice(&deflate_repeated(fill, mb));
    out.extend_from_slice(&((b << 16 | a) as u32).to_be_bytes());
    out
}

/// A one-page PDF whose page content is `stream` under `filter`.
pub fn pdf_with(filter: &str, stream: &[u8]) -> Vec<u8> {
    pdf_with_separator(filter, b"\n", stream)
}

/// [`pdf_with`], the bytes between the `stream` keyword and the data given (a reader
/// takes spaces before the line break too).
pub fn pdf_with_separator(filter: &str, separator: &[u8], stream: &[u8]) -> Vec<u8> {
    pdf_with_streams(filter, separator, &[stream])
}

/// A one-page PDF whose page content is the `streams` in turn, each under `filter`.
pub fn pdf_with_streams(filter: &str, separator: &[u8], streams: &[&[u8]]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    let mut obj = |out: &mut Vec<u8>, body: &[u8]| {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", offsets.len()).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    };
    let contents: Vec<String> = (0..streams.len())
        .map(|i| format!("{} 0 R", 4 + i))
        .collect();
    obj(&mut out, b"<< /Type /Catalog /Pages 2 0 R >>");
    obj(&mut out, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    obj(
        &mut out,
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents [{}] >>",
            contents.join(" ")
        )
        .as_bytes(),
    );
    for stream in streams {
        let mut content = format!("<< /Length {} {filter} >>\nstream", stream.len()).into_bytes();
        content.extend_from_slice(separator);
        content.extend_from_slice(stream);
        content.extend_from_slice(b"\nendstream");
        obj(&mut out, &content);
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", offsets.len() + 1).as_bytes(),
    );
    for o in &offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            offsets.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// A one-page PDF whose image is `data` as a JPEG stream: stored as it is, neither
/// inflated nor decoded by a reader (a scan's size without a scan's work).
pub fn pdf_of_jpeg(data: &[u8]) -> Vec<u8> {
    let mut image = format!(
        "<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /BitsPerComponent 8 /ColorSpace /DeviceGray /Filter /DCTDecode /Length {} >>\nstream\n",
        data.len()
    )
    .into_bytes();
    image.extend_from_slice(data);
    image.extend_from_slice(b"\nendstream");
    let objects: [&[u8]; 4] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im0 4 0 R >> >> >>",
        &image,
    ];
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(b"xref\n0 5\n0000000000 65535 f \n");
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").as_bytes(),
    );
    out
}

/// `n` bytes that do not compress (xorshift from `seed`), for scans of a given size.
pub fn noise(seed: u64, n: usize) -> Vec<u8> {
    let mut x = seed | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// A PDF bomb: one page whose content inflates to `mb` megabytes.
pub fn pdf_bomb(mb: usize) -> Vec<u8> {
    pdf_with("/Filter /FlateDecode", &zlib_repeated(0, mb))
}

/// How a ZIP part states its size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Declared {
    /// What it really inflates to.
    Honest,
    /// A few kilobytes, whatever it inflates to.
    Lying,
}

/// An XLSX whose sheet inflates to `mb` megabytes of blank space inside its sheet data.
pub fn xlsx_bomb(mb: usize, declared: Declared) -> Vec<u8> {
    let head = b"<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>";
    let tail = b"</t></is></c></row></sheetData></worksheet>";
    // The sheet is one deflate stream: the head stored, the blank megabytes, the tail.
    let mut data = stored_block(head);
    let blank = deflate_repeated(b' ', mb);
    data.extend_from_slice(&blank[..blank.len() - 2]);
    data.extend_from_slice(&final_stored_block(tail));
    let real = head.len() as u64 + ((mb as u64) << 20) + tail.len() as u64;
    let size = match declared {
        Declared::Honest => u32::try_from(real).unwrap_or(u32::MAX),
        Declared::Lying => 4096,
    };
    zip(
        &workbook_parts(),
        Some(("xl/worksheets/sheet1.xml", data, size)),
    )
}

/// An XLSX whose sheet claims `dimension` (such as `A1:XFD1048576`) around two cells.
pub fn xlsx_claiming(dimension: &str) -> Vec<u8> {
    let end = dimension.split(':').nth(1).unwrap_or("A1");
    let sheet = format!(
        "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><dimension ref=\"{dimension}\"/><sheetData><row r=\"1\"><c r=\"A1\"><v>1</v></c></row><row r=\"{}\"><c r=\"{end}\"><v>2</v></c></row></sheetData></worksheet>",
        end.trim_start_matches(|c: char| c.is_ascii_alphabetic())
    );
    let mut parts = workbook_parts();
    parts.push(("xl/worksheets/sheet1.xml", sheet.into_bytes()));
    zip(&parts, None)
}

/// An XLSX whose shared strings announce `count` entries: a reader that makes room for
/// them first asks for gigabytes before it reads one.
pub fn xlsx_announcing(count: u64) -> Vec<u8> {
    let mut parts = workbook_parts();
    parts.push((
        "xl/sharedStrings.xml",
        format!("<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"{count}\" uniqueCount=\"{count}\"><si><t>x</t></si></sst>").into_bytes(),
    ));
    parts.push((
        "xl/worksheets/sheet1.xml",
        b"<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row></sheetData></worksheet>".to_vec(),
    ));
    zip(&parts, None)
}

fn workbook_parts() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("[Content_Types].xml", b"<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/><Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/></Types>".to_vec()),
        ("_rels/.rels", b"<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>".to_vec()),
        ("xl/workbook.xml", b"<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets><sheet name=\"Sheet1\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>".to_vec()),
        ("xl/_rels/workbook.xml.rels", b"<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>".to_vec()),
    ]
}

/// A non-final stored deflate block holding `bytes` (at most 65,535).
fn stored_block(bytes: &[u8]) -> Vec<u8> {
    block(0, bytes)
}

fn final_stored_block(bytes: &[u8]) -> Vec<u8> {
    block(1, bytes)
}

fn block(last: u8, bytes: &[u8]) -> Vec<u8> {
    let n = u16::try_from(bytes.len()).unwrap_or(u16::MAX);
    let mut out = vec![last];
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(&(!n).to_le_bytes());
    out.extend_from_slice(&bytes[..usize::from(n)]);
    out
}

/// A ZIP of `stored` parts (uncompressed) and one `deflated` part given as raw deflate
/// with the size it declares. The deflated part's CRC is left zero: a reader that checks
/// it has inflated the whole part first.
fn zip(stored: &[(&str, Vec<u8>)], deflated: Option<(&str, Vec<u8>, u32)>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    let mut count: u16 = 0;
    let entries = stored
        .iter()
        .map(|(n, d)| (*n, 0u16, d.clone(), crc32(d), d.len() as u32))
        .chain(deflated.map(|(n, d, size)| (n, 8u16, d, 0, size)));
    for (name, method, data, crc, size) in entries {
        let offset = out.len() as u32;
        let header = |sig: u32, central: bool| {
            let mut h = sig.to_le_bytes().to_vec();
            if central {
                h.extend_from_slice(&20u16.to_le_bytes()); // made by
            }
            h.extend_from_slice(&20u16.to_le_bytes()); // needed
            h.extend_from_slice(&0u16.to_le_bytes()); // flags
            h.extend_from_slice(&method.to_le_bytes());
            h.extend_from_slice(&[0, 0, 0x21, 0]); // time, date (1980-01-01)
            h.extend_from_slice(&crc.to_le_bytes());
            h.extend_from_slice(&(data.len() as u32).to_le_bytes());
            h.extend_from_slice(&size.to_le_bytes());
            h.extend_from_slice(&(name.len() as u16).to_le_bytes());
            h.extend_from_slice(&0u16.to_le_bytes()); // extra
            if central {
                h.extend_from_slice(&[0; 6]); // comment, disk, internal attributes
                h.extend_from_slice(&0u32.to_le_bytes()); // external attributes
                h.extend_from_slice(&offset.to_le_bytes());
            }
            h.extend_from_slice(name.as_bytes());
            h
        };
        out.extend_from_slice(&header(0x0403_4b50, false));
        out.extend_from_slice(&data);
        central.extend_from_slice(&header(0x0201_4b50, true));
        count += 1;
    }
    let at = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&at.to_le_bytes());
    out.extend_from_slice(&[0; 2]);
    out
}

/// CRC-32 (ZIP's and PNG's).
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut c = !0u32;
    for b in bytes {
        c ^= u32::from(*b);
        for _ in 0..8 {
            c = if c & 1 == 1 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
    }
    !c
}

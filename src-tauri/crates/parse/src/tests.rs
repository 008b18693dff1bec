use super::*;

fn statement(name: &str, bytes: &[u8]) -> Answer {
    answer(&Request::Statement { name: name.into() }, bytes)
}

fn scan(name: &str, bytes: &[u8]) -> Answer {
    answer(&Request::Scan { name: name.into() }, bytes)
}

fn reason(a: &Answer) -> Option<Reason> {
    match a {
        Answer::Refused(r) => Some(r.reason),
        _ => None,
    }
}

#[test]
fn a_statement_is_summed_up() {
    let text = "1CClientBankExchange\r\nВерсияФормата=1.03\r\nКодировка=Windows\r\nДатаНачала=01.05.2026\r\nДатаКонца=31.05.2026\r\nСекцияДокумент=Платежное поручение\r\nНомер=1\r\nДата=05.05.2026\r\nСумма=100.00\r\nКонецДокумента\r\nКонецФайла\r\n";
    match statement("may.txt", text.as_bytes()) {
        Answer::Statement(s) => assert_eq!(s.transactions, 1, "{s:?}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn refusals_name_the_file_and_their_reason() {
    let a = statement("empty.csv", b"   ");
    assert_eq!(reason(&a), Some(Reason::Unreadable));
    assert!(matches!(&a, Answer::Refused(r) if r.message.starts_with("empty.csv")));
    let a = scan("x.pdf", b"%PDF-1.7 and nothing");
    assert_eq!(reason(&a), Some(Reason::Unreadable));
    let a = scan("x.gif", b"GIF89a");
    assert!(matches!(&a, Answer::Refused(r) if r.message.contains("not a PDF, PNG or JPEG")));
}

#[test]
fn an_image_claiming_a_vast_canvas_is_refused_over_the_limit() {
    // A PNG header of 100,000 × 100,000 pixels: 40 GB decoded, a few dozen bytes stored.
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    png.extend_from_slice(&13u32.to_be_bytes());
    png.extend_from_slice(&ihdr);
    png.extend_from_slice(&crate::hostile::crc32(&ihdr).to_be_bytes());
    let a = scan("huge.png", &png);
    assert_eq!(reason(&a), Some(Reason::OverLimit), "{a:?}");
}

#[test]
fn the_process_answers_one_request_and_refuses_a_bad_one() {
    let mut out = Vec::new();
    let mut input = br#"{"read":"scan","name":"a.gif"}"#.to_vec();
    input.push(b'\n');
    input.extend_from_slice(b"GIF89a");
    serve(&input[..], &mut out).unwrap();
    let a: Answer = serde_json::from_slice(&out).unwrap();
    assert_eq!(reason(&a), Some(Reason::Unreadable));

    for bad in [
        &b""[..],
        b"{}\n",
        b"not json\nbytes",
        b"{\"read\":\"disk\"}\n",
    ] {
        let mut out = Vec::new();
        serve(bad, &mut out).unwrap();
        let a: Answer = serde_json::from_slice(&out).unwrap();
        assert!(
            matches!(&a, Answer::Refused(r) if r.message.contains("request")),
            "{a:?}"
        );
    }
}

#[test]
fn the_layouts_are_the_products() {
    assert!(!csv_layouts().layouts.is_empty());
}

// The PDF reader's own limits (uw-agreement), met with the samples made here.
mod pdf_limits {
    use crate::hostile::{
        deflate_repeated, pdf_with, pdf_with_separator, pdf_with_streams, zlib_repeated,
    };
    use uw_agreement::{pdf_pages, ScanRefusal};

    fn pdf(filter: &str, stream: &[u8]) -> Result<usize, ScanRefusal> {
        pdf_pages(&pdf_with(filter, stream))
    }

    fn over_limit(r: Result<usize, ScanRefusal>, says: &str) {
        match r {
            Err(ScanRefusal::OverLimit(m)) => assert!(m.contains(says), "{m}"),
            other => panic!("expected a refusal over a limit saying {says:?}, got {other:?}"),
        }
    }

    #[test]
    fn a_modest_flate_page_reads() {
        assert_eq!(pdf("/Filter /FlateDecode", &zlib_repeated(0, 2)), Ok(1));
        assert_eq!(pdf("", b"0 0 m 10 10 l S"), Ok(1));
    }

    #[test]
    fn a_stream_inflating_past_its_limit_is_refused() {
        let bomb = zlib_repeated(0, 130);
        assert!(bomb.len() < 200 * 1024, "{} bytes", bomb.len());
        over_limit(
            pdf("/Filter /FlateDecode", &bomb),
            "inflates past the 128 MB",
        );
    }

    #[test]
    fn streams_past_the_file_limit_together_are_refused() {
        // Three streams of 100 MB each: each within its limit, together over the scan's.
        let z = zlib_repeated(0, 100);
        let pdf = pdf_with_streams("/Filter /FlateDecode", b"\n", &[&z, &z, &z]);
        over_limit(pdf_pages(&pdf), "streams inflate past");
    }

    #[test]
    fn a_stream_compressed_twice_is_refused_however_the_name_is_spelt() {
        let z = zlib_repeated(0, 1);
        over_limit(pdf("/Filter [/FlateDecode /FlateDecode]", &z), "twice");
        over_limit(pdf("/Filter [/Fl#61teDecode /FlateDecode]", &z), "twice");
    }

    #[test]
    fn what_does_not_inflate_is_left_to_the_reader() {
        // A JPEG stream (DCT) and broken Flate data inflate to nothing and are not refused.
        assert_eq!(pdf("/Filter /DCTDecode", &[0xFF, 0xD8, 0xFF, 0xE0]), Ok(1));
        assert_eq!(pdf("/Filter /FlateDecode", b"not zlib at all"), Ok(1));
    }

    fn unreadable(r: Result<usize, ScanRefusal>, says: &str) {
        match r {
            Err(ScanRefusal::Unreadable(m)) => assert!(m.contains(says), "{m}"),
            other => panic!("expected an unreadable scan saying {says:?}, got {other:?}"),
        }
    }

    #[test]
    fn the_streams_are_the_parser_s_however_they_are_written() {
        let bomb = zlib_repeated(0, 130);
        // Spaces before the line break, a dictionary that names `obj` after the filter:
        // the stream is found as the parser finds it.
        let spaced = pdf_pages(&pdf_with_separator("/Filter /FlateDecode", b" \n", &bomb));
        over_limit(spaced, "inflates past");
        let named = pdf("/Filter /FlateDecode /Zobj 1 /X (obj)", &bomb);
        over_limit(named, "inflates past");
        // Its data ends at its /Length, whatever bytes it holds.
        let mut tricky = vec![0x78, 0xDA, 0x00, 9, 0, !9, 0xFF];
        tricky.extend_from_slice(b"endstream");
        tricky.extend_from_slice(&deflate_repeated(0, 130));
        over_limit(pdf("/Filter /FlateDecode", &tricky), "inflates past");
    }

    #[test]
    fn filters_a_scan_has_no_use_for_are_refused() {
        let z = zlib_repeated(0, 1);
        for filter in [
            "/Filter /Fl",
            "/Filter [/AHx /Fl]",
            "/Filter [/ASCII85Decode /FlateDecode]",
            "/Filter /RunLengthDecode",
        ] {
            unreadable(pdf(filter, &z), "a scan may not use");
        }
        over_limit(pdf("/Filter [/FlateDecode /LZWDecode]", &z), "twice");
        // An image codec after the inflation is a scanner's JPEG wrapped once: counted.
        assert_eq!(pdf("/Filter [/FlateDecode /DCTDecode]", &z), Ok(1));
    }

    #[test]
    fn hostile_shapes_do_not_panic() {
        for bytes in [
            &b"%PDF-1.7\nstream"[..],
            b"%PDF-1.7\nstream\n",
            b"%PDF-1.7\n1 0 obj << /Filter /FlateDecode >> stream\r\n\x78\x9c",
            b"%PDF-1.7\n/FlateDecode#4 stream\n",
            b"endstream stream\rendstream",
        ] {
            assert!(matches!(pdf_pages(bytes), Err(ScanRefusal::Unreadable(_))));
        }
    }
}

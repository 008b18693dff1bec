use encoding_rs::WINDOWS_1251;
use proptest::prelude::*;

use crate::read_statement;
use crate::CsvLayouts;

fn layouts() -> CsvLayouts {
    serde_json::from_str(include_str!(
        "../../../../../assets/statements/csv-layouts.json"
    ))
    .unwrap()
}

fn read(name: &str, text: &[u8]) -> Result<crate::Statement, crate::StatementError> {
    read_statement(name, text, &layouts())
}

const UZ: &str = "Sana;Hujjat raqami;Kontragent;STIR;Kontragent hisobi;Kirim;Chiqim;To'lov maqsadi\n\
05.05.2026;118;Uzbekneftegaz AJ;201234567;20210000400987654002;12 500 000,00;;Ish haqi aprel\n\
10.05.2026;7;Korzinka;;;;300 000,50;Karta orqali to'lov\n\
\"05.06.2026\";\"119\";\"Uzbekneftegaz AJ\";\"201234567\";\"20210000400987654002\";\"12 500 000,00\";\"\";\"Ish haqi; may\"\n";

#[test]
fn reads_a_layout_from_data_with_quotes_and_local_numbers() {
    let st = read("uz.csv", UZ.as_bytes()).unwrap();
    assert_eq!(st.format, "CSV (SQB Online (uz))");
    assert_eq!(st.transactions.len(), 3);
    let t = &st.transactions[0];
    assert_eq!(
        (t.amount.to_string().as_str(), &*t.payer_inn, t.line),
        ("12500000.00", "201234567", 2)
    );
    assert_eq!(&*t.receiver_account, "csv:uz.csv");
    let d = &st.transactions[1];
    assert_eq!(
        (d.amount.to_string().as_str(), &*d.payer_account),
        ("300000.50", "csv:uz.csv")
    );
    assert_eq!(&*st.transactions[2].purpose, "Ish haqi; may");
    assert_eq!(st.period_from.unwrap().to_string(), "2026-05-05");
    assert_eq!(st.period_to.unwrap().to_string(), "2026-06-05");
}

#[test]
fn detects_comma_delimiter_signed_amounts_and_cp1251() {
    let ru = "Дата,Номер документа,Контрагент,ИНН контрагента,Счет контрагента,Сумма,Назначение платежа\n\
              05.05.2026,1,ООО Ромашка,301234567,20208000,2500000.00,Заработная плата\n\
              06.05.2026,2,Магазин,,,-150000.00,Покупка\n";
    let bytes = WINDOWS_1251.encode(ru).0.into_owned();
    let st = read("ru.csv", &bytes).unwrap();
    assert_eq!(st.encoding, "windows-1251");
    assert_eq!(st.transactions.len(), 2);
    assert_eq!(&*st.transactions[0].payer, "ООО Ромашка");
    assert_eq!(&*st.transactions[1].payer_account, "csv:ru.csv");
    assert_eq!(st.transactions[1].amount.to_string(), "150000.00");
}

#[test]
fn malformed_csv_names_file_and_line() {
    let e = read(
        "a.csv",
        UZ.replace(
            "12 500 000,00;;Ish haqi aprel",
            "12 500 000,00,,Ish haqi aprel",
        )
        .as_bytes(),
    )
    .unwrap_err();
    assert_eq!(e.line, Some(2));
    assert!(e.message.contains("mixed delimiters"), "{e}");
    let e = read("a.csv", UZ.replace("10.05.2026", "31.02.2026").as_bytes()).unwrap_err();
    assert_eq!((e.line, e.message.contains("not a date")), (Some(3), true));
    let e = read("a.csv", UZ.replace("300 000,50", "uch yuz").as_bytes()).unwrap_err();
    assert_eq!(e.line, Some(3));
    let e = read("a.csv", UZ.replace("300 000,50", "300 000,505").as_bytes()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "a.csv:3: debit \"300 000,505\": more than 2 decimals (an amount is in tiyin at most)"
    );
    let e = read(
        "a.csv",
        UZ.replace(
            "12 500 000,00;;Ish haqi aprel",
            "1 000 000 000 000 000,00;-0,01;Ish haqi aprel",
        )
        .as_bytes(),
    )
    .unwrap_err();
    assert_eq!(
        (e.line, e.message.contains("above the largest amount")),
        (Some(2), true),
        "{e}"
    );
    let e = read("a.csv", b"05.05.2026;118;Uzbekneftegaz;12500000\n").unwrap_err();
    assert!(e.message.contains("no known column layout"), "{e}");
    let e = read("a.csv", b"just some words without separators\n").unwrap_err();
    assert!(e.message.contains("no delimiter"), "{e}");
    let mut mixed = WINDOWS_1251.encode(UZ).0.into_owned();
    mixed.extend_from_slice("05.07.2026;120;Ўзбекнефтгаз;201234567;;1,00;;Иш ҳақи\n".as_bytes());
    mixed.extend_from_slice(&WINDOWS_1251.encode("Пример\n").0);
    let e = read("a.csv", &mixed).unwrap_err();
    assert!(e.message.contains("mixed encodings"), "{e}");
}

proptest! {
    #[test]
    fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400), pos in 0usize..1000, byte in any::<u8>()) {
        let _ = read("p.csv", &bytes);
        let mut m = UZ.as_bytes().to_vec();
        let i = pos % m.len();
        m[i] = byte;
        let _ = read("p.csv", &m);
        let _ = read("p.csv", &m[..pos % m.len()]);
    }
}

/// The reader as it was when it held the file: the whole text decoded first, every record
/// split, then the rows read. The streamed reader gives the same statement, and refuses
/// the same files (with the same error where a file has one fault).
mod held {
    use encoding_rs::{Encoding, UTF_8, WINDOWS_1251};

    use crate::table::{err, read_rows, Cell, CsvLayouts, Row};
    use crate::{Statement, StatementError};

    const DELIMITERS: [u8; 4] = [b';', b',', b'\t', b'|'];

    fn decode(file: &str, bytes: &[u8]) -> Result<(String, &'static Encoding), StatementError> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        if let Ok(text) = std::str::from_utf8(bytes) {
            return Ok((text.to_string(), UTF_8));
        }
        for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
            if !line.is_ascii() && std::str::from_utf8(line).is_ok() {
                return Err(err(
                    file,
                    Some(i + 1),
                    "this line is UTF-8, the rest is not: mixed encodings",
                ));
            }
        }
        let (text, _, _) = WINDOWS_1251.decode(bytes);
        Ok((text.into_owned(), WINDOWS_1251))
    }

    pub fn read_held(
        file: &str,
        bytes: &[u8],
        layouts: &CsvLayouts,
    ) -> Result<Statement, StatementError> {
        let (text, encoding) = decode(file, bytes)?;
        let header_line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        let delimiter = DELIMITERS
            .iter()
            .copied()
            .max_by_key(|d| header_line.bytes().filter(|b| b == d).count())
            .filter(|d| header_line.as_bytes().contains(d))
            .ok_or_else(|| {
                err(
                    file,
                    Some(1),
                    "no delimiter (; , tab |) in the first row: not a CSV statement",
                )
            })?;
        let mut reader = ::csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .has_headers(true)
            .from_reader(text.as_bytes());
        let header: Vec<Cell> = reader
            .headers()
            .map_err(|e| err(file, Some(1), format!("unreadable header row: {e}")))?
            .iter()
            .map(|h| Cell::Text(h.to_string()))
            .collect();
        let mut rows: Vec<Row> = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| {
                let line = e.position().map(|p| p.line() as usize);
                err(file, line, format!("unreadable row: {e}"))
            })?;
            // The first line from the record's position on with more than its end (the
            // `csv` crate's own line is off after CRLF and blank lines).
            let at = record.position().map_or(0, |p| p.byte() as usize);
            let tail = &text.as_bytes()[at.min(text.len())..];
            let skip = tail
                .iter()
                .take_while(|b| matches!(b, b'\r' | b'\n'))
                .count();
            let line = 1 + text.as_bytes()[..at + skip]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            if record.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            if record.len() != header.len() {
                let other = DELIMITERS
                    .iter()
                    .filter(|d| **d != delimiter)
                    .any(|d| record.iter().any(|f| f.as_bytes().contains(d)));
                return Err(err(
                    file,
                    Some(line),
                    format!(
                        "{} fields where the header has {}{}",
                        record.len(),
                        header.len(),
                        if other { ": mixed delimiters" } else { "" }
                    ),
                ));
            }
            rows.push((
                line,
                record.iter().map(|f| Cell::Text(f.to_string())).collect(),
            ));
        }
        read_rows(file, "CSV", encoding.name(), &header, rows, layouts)
    }
}

/// Reads at most `step` bytes at a time: the lines' and the BOM's ends fall anywhere.
struct Trickle<'a> {
    bytes: &'a [u8],
    step: usize,
}

impl std::io::Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let k = self.step.min(buf.len()).min(self.bytes.len());
        buf[..k].copy_from_slice(&self.bytes[..k]);
        self.bytes = &self.bytes[k..];
        Ok(k)
    }
}

fn streamed(bytes: &[u8], step: usize) -> Result<crate::Statement, crate::StatementError> {
    struct Collect(Vec<crate::Transaction>, Vec<crate::AccountSection>);
    impl crate::onec::Sink for Collect {
        fn period(&mut self, _: Option<uw_domain::money::Date>, _: Option<uw_domain::money::Date>) {
        }
        fn account(&mut self, s: crate::AccountSection) {
            self.1.push(s);
        }
        fn transaction(&mut self, t: std::borrow::Cow<'_, crate::Transaction>) {
            self.0.push(t.into_owned());
        }
    }
    let mut sink = Collect(Vec::new(), Vec::new());
    let (format, head) =
        super::stream("p.csv", &mut Trickle { bytes, step }, &layouts(), &mut sink)?;
    for a in &mut sink.1 {
        (a.from, a.to) = (head.period_from, head.period_to);
    }
    Ok(crate::Statement {
        file: "p.csv".into(),
        format,
        encoding: head.encoding,
        version: None,
        period_from: head.period_from,
        period_to: head.period_to,
        accounts: sink.1,
        transactions: sink.0,
    })
}

/// One fault a generated export may carry.
#[derive(Clone, Copy, Debug)]
enum Fault {
    BadDate,
    BadAmount,
    FieldCount,
    OtherDelimiter,
    Nul,
    /// A UTF-8 line in a CP1251 file, or the other way round.
    Mixed,
    NoLayout,
}

fn fault() -> impl Strategy<Value = Option<Fault>> {
    proptest::option::of(proptest::sample::select(vec![
        Fault::BadDate,
        Fault::BadAmount,
        Fault::FieldCount,
        Fault::OtherDelimiter,
        Fault::Nul,
        Fault::Mixed,
        Fault::NoLayout,
    ]))
}

const PARTIES: [&str; 5] = [
    "Uzbekneftegaz AJ",
    "\"Ish; haqi\"",
    "Корзинка",
    "\"two\nlines\"",
    " ",
];

/// An export of `rows` rows in the uz layout: `;`, or the ru one with `,` when `ru`.
fn export(
    rows: &[(u32, u32, usize, bool)],
    ru: bool,
    eol: &str,
    blank_between: bool,
    fault: Option<Fault>,
    at: usize,
) -> String {
    let (header, sep) = if ru {
        ("Дата,Номер документа,Контрагент,ИНН контрагента,Счет контрагента,Сумма,Назначение платежа", ",")
    } else {
        (
            "Sana;Hujjat raqami;Kontragent;STIR;Kontragent hisobi;Kirim;Chiqim;To'lov maqsadi",
            ";",
        )
    };
    let mut s = String::new();
    if matches!(fault, Some(Fault::NoLayout)) {
        s.push_str(&header.replace("Sana", "Kun").replace("Дата", "День"));
    } else {
        s.push_str(header);
    }
    s.push_str(eol);
    for (i, &(day, amount, party, credit)) in rows.iter().enumerate() {
        let date = if i == at && matches!(fault, Some(Fault::BadDate)) {
            "31.02.2026".to_string()
        } else {
            format!("{day:02}.05.2026")
        };
        let mut money = format!("{amount},50");
        if i == at && matches!(fault, Some(Fault::BadAmount)) {
            money = "yuz".into();
        }
        let p = PARTIES[party];
        let fields: Vec<String> = if ru {
            let signed = if credit {
                money.replace(',', ".")
            } else {
                format!("-{}", money.replace(',', "."))
            };
            let signed = if signed.contains("yuz") {
                "yuz".to_string()
            } else {
                signed
            };
            vec![
                date,
                i.to_string(),
                p.replace(';', ","),
                "201234567".into(),
                String::new(),
                signed,
                "Заработная плата".into(),
            ]
        } else {
            let (k, c) = if credit {
                (money, String::new())
            } else {
                (String::new(), money)
            };
            vec![
                date,
                i.to_string(),
                p.into(),
                "201234567".into(),
                String::new(),
                k,
                c,
                "Ish haqi".into(),
            ]
        };
        let mut line = fields.join(sep);
        if i == at {
            match fault {
                Some(Fault::FieldCount) => line.push_str(sep),
                Some(Fault::OtherDelimiter) => {
                    line = line.replacen(sep, if ru { ";" } else { "," }, 1)
                }
                Some(Fault::Nul) => line.push('\0'),
                _ => {}
            }
        }
        s.push_str(&line);
        s.push_str(eol);
        if blank_between && i % 3 == 1 {
            s.push_str(eol);
        }
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Streamed, in reads of any size: the statement the held reader gives, or a refusal
    /// where it refuses — the same one where the file has one fault.
    #[test]
    fn streamed_equals_held(
        rows in proptest::collection::vec((1u32..29, 1u32..90_000, 0usize..5, any::<bool>()), 0..12),
        ru in any::<bool>(),
        cp1251 in any::<bool>(),
        bom in any::<bool>(),
        eol in proptest::sample::select(vec!["\n", "\r\n", "\r"]),
        blank_between in any::<bool>(),
        blank_lines in 0usize..3,
        fault in fault(),
        at in 0usize..12,
        step in 1usize..64,
        mutation in proptest::option::of((any::<usize>(), any::<u8>())),
        last_newline in any::<bool>(),
    ) {
        let fault = fault.filter(|f| matches!(f, Fault::NoLayout) || at < rows.len());
        let text = export(&rows, ru, eol, blank_between, fault, at);
        let mut bytes: Vec<u8> = Vec::new();
        if bom && !cp1251 {
            bytes.extend_from_slice(b"\xEF\xBB\xBF");
        }
        bytes.extend(std::iter::repeat_n(b'\n', blank_lines));
        let encode = |s: &str| if cp1251 { WINDOWS_1251.encode(s).0.into_owned() } else { s.as_bytes().to_vec() };
        bytes.extend(encode(&text));
        if matches!(fault, Some(Fault::Mixed)) {
            let other = if cp1251 { "Иш ҳақи;1\n".as_bytes().to_vec() } else { WINDOWS_1251.encode("Пример;1\n").0.into_owned() };
            bytes.extend(other);
        }
        if !last_newline && bytes.last() == Some(&b'\n') {
            bytes.pop();
        }
        let mutated = mutation.is_some();
        if let (Some((i, b)), false) = (mutation, bytes.is_empty()) {
            let i = i % bytes.len();
            bytes[i] = b;
        }
        // Binary content is refused before the held reader (by `read_statement`).
        let held = if bytes.contains(&0) {
            Err(crate::table::err("p.csv", None, "binary content"))
        } else {
            held::read_held("p.csv", &bytes, &layouts())
        };
        let stream = streamed(&bytes, step);
        match (&held, &stream) {
            (Ok(h), Ok(s)) => prop_assert_eq!(h, s),
            (Err(h), Err(s)) => {
                // A CR-only file is one LF line: the held reader took a line of both
                // encodings for CP1251 (and read the UTF-8 part as mojibake); the stream
                // checks each CR line and refuses it as mixed. Both refuse here.
                let cr_mixed = eol == "\r" && matches!(fault, Some(Fault::Mixed));
                if !mutated && fault.is_some() && !matches!(fault, Some(Fault::Nul)) && !cr_mixed {
                    prop_assert_eq!(h, s);
                }
            }
            // The one way they part: a line with a lone CR in it, UTF-8 on one side of the
            // CR and not on the other. The held reader read that LF line as CP1251 (the
            // UTF-8 part as mojibake); the stream checks each CR line, and refuses it.
            (Ok(h), Err(s))
                if h.encoding == "windows-1251"
                    && s.message.contains("mixed encodings")
                    && bytes.windows(2).any(|w| w[0] == b'\r' && w[1] != b'\n') => {}
            _ => prop_assert!(false, "held {:?} streamed {:?}", held, stream),
        }
    }
}

#[test]
fn a_line_too_long_and_too_many_rows_are_refused_at_their_line() {
    let mut long = UZ.as_bytes().to_vec();
    long.extend(std::iter::repeat_n(b'x', crate::onec::MAX_LINE + 1));
    let e = read("a.csv", &long).unwrap_err();
    assert_eq!(
        (e.line, e.refusal),
        (Some(5), crate::Refusal::OverLimit),
        "{e}"
    );
    struct Count(usize);
    impl crate::onec::Sink for Count {
        fn period(&mut self, _: Option<uw_domain::money::Date>, _: Option<uw_domain::money::Date>) {
        }
        fn account(&mut self, _: crate::AccountSection) {}
        fn transaction(&mut self, _: std::borrow::Cow<'_, crate::Transaction>) {
            self.0 += 1;
        }
    }
    let mut sink = Count(0);
    let e = super::stream_by("a.csv", &mut UZ.as_bytes(), &layouts(), &mut sink, 2).unwrap_err();
    assert_eq!(
        (e.line, e.refusal),
        (Some(4), crate::Refusal::OverLimit),
        "{e}"
    );
    assert_eq!(sink.0, 2, "the rows before the limit were handed on");
    let e = read("a.csv", b"Sana;Kirim;Chiqim\n01.05.2026;1\x00;\n").unwrap_err();
    assert_eq!(e.line, None, "the whole file's check names no line: {e}");
    let e = super::read(
        "a.csv",
        b"Sana;Kirim;Chiqim\n01.05.2026;1;\n\x00",
        &layouts(),
    )
    .unwrap_err();
    assert_eq!(e.line, Some(3), "{e}");
}

#[test]
fn crlf_lines_are_counted_as_lines() {
    let text = UZ.replace('\n', "\r\n").replace("10.05.2026", "31.02.2026");
    let e = read("a.csv", text.as_bytes()).unwrap_err();
    assert_eq!(e.line, Some(3), "{e}");
    // Blank lines before a row: the row's own line is named.
    let text = UZ.replace("\n10.05.2026", "\n\n\r\n\n31.02.2026");
    let e = read("a.csv", text.as_bytes()).unwrap_err();
    assert_eq!(e.line, Some(6), "{e}");
    let st = read("a.csv", UZ.replace("\n10.05", "\r\n\r\n10.05").as_bytes()).unwrap();
    let lines: Vec<usize> = st.transactions.iter().map(|t| t.line).collect();
    assert_eq!(lines, [2, 4, 5]);
}

/// What a stream holds is bounded, whatever the file: more than 1 MiB of a row (a quoted
/// field over many short lines) or of blank lines is refused at its line; and a fault is
/// met in the file's order, whatever the reads' size.
#[test]
fn a_row_or_blank_lines_past_a_mib_are_refused_and_faults_come_in_order() {
    use crate::onec::MAX_LINE;
    let over = |bytes: &[u8], what: &str| {
        let e = super::read("a.csv", bytes, &layouts()).unwrap_err();
        assert_eq!(e.refusal, crate::Refusal::OverLimit, "{e}");
        assert!(e.message.contains(what), "{e}");
        e
    };
    let head = b"Sana;Kirim;Chiqim\n".to_vec();
    let mut blank_after = head.clone();
    blank_after.extend(std::iter::repeat_n(b'\n', MAX_LINE + 10));
    blank_after.extend_from_slice(b"01.05.2026;1,00;\n");
    over(&blank_after, "a row (or blank lines)");
    let mut blank_before = vec![b'\n'; MAX_LINE + 10];
    blank_before.extend_from_slice(UZ.as_bytes());
    over(&blank_before, "a row (or blank lines)");
    let mut quoted = head.clone();
    quoted.extend_from_slice(b"01.05.2026;\"");
    for _ in 0..40_000 {
        quoted.extend_from_slice(b"0123456789012345678901234567890\n");
    }
    quoted.extend_from_slice(b"\";\n");
    let e = over(&quoted, "a row (or blank lines)");
    assert!(e.line.unwrap() > 30_000, "{e}");

    // CR ends: a lone CR inside an LF line, a CR-only file (one LF line), and one of
    // more than a megabyte: read, their rows numbered by LF as the held reader did.
    let lines = |text: &str| -> Vec<usize> {
        let st = read("a.csv", text.as_bytes()).unwrap();
        st.transactions.iter().map(|t| t.line).collect()
    };
    assert_eq!(
        lines(&UZ.replacen("aprel\n10.05", "aprel\r10.05", 1)),
        [2, 2, 3]
    );
    assert_eq!(lines(&UZ.replace('\n', "\r")), [1, 1, 1]);
    let row = "05.05.2026;118;Uzbekneftegaz AJ;201234567;20210000400987654002;12 500 000,00;;Ish haqi aprel\r";
    let big = format!("{}{}", UZ.replace('\n', "\r"), row.repeat(13_000));
    assert!(big.len() > MAX_LINE);
    assert_eq!(lines(&big).len(), 13_003);

    // A bad date on line 3, a NUL on line 4: line 3 is named, read a byte or 4 KiB at a
    // time.
    let text = UZ
        .replace("10.05.2026", "31.02.2026")
        .replace("\"05.06.2026\"", "\"05.06.2026\0\"");
    for step in [1, 7, 4096] {
        let e = streamed(text.as_bytes(), step).unwrap_err();
        assert_eq!(e.line, Some(3), "reads of {step}: {e}");
    }
}

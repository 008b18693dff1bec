use encoding_rs::{IBM866, UTF_8, WINDOWS_1251};
use proptest::prelude::*;

use super::{read, stream_by, Sink, MAX_LINE};

fn read_statement(file: &str, bytes: &[u8]) -> Result<crate::Statement, crate::StatementError> {
    crate::read_statement(file, bytes, &crate::CsvLayouts::default())
}

fn encode(enc: &'static encoding_rs::Encoding, text: &str) -> Vec<u8> {
    enc.encode(text).0.into_owned()
}

/// A small Uzbek-variant statement: a salary credit and a card payment.
fn sample(encoding_header: &str) -> String {
    [
        "1CClientBankExchange",
        "ВерсияФормата=1.03",
        &format!("Кодировка={encoding_header}"),
        "Отправитель=SQB Online",
        "ДатаНачала=01.05.2026",
        "ДатаКонца=31.10.2026",
        "РасчСчет=20206000900123456001",
        "СекцияРасчСчет",
        "ДатаНачала=01.05.2026",
        "ДатаКонца=31.10.2026",
        "РасчСчет=20206000900123456001",
        "НачальныйОстаток=1000000.00",
        "ВсегоПоступило=12500000.00",
        "ВсегоСписано=300000.50",
        "КонечныйОстаток=13199999.50",
        "КонецРасчСчет",
        "СекцияДокумент=Платежное поручение",
        "Номер=118",
        "Дата=05.05.2026",
        "Сумма=12500000.00",
        "ПлательщикСчет=20210000400987654002",
        "ПлательщикИНН=201234567",
        "Плательщик=\"Uzbekneftegaz\" AJ",
        "ПлательщикМФО=00440",
        "ПолучательСчет=20206000900123456001",
        "Получатель=Karimov Aziz",
        "НазначениеПлатежа=Ish haqi / заработная плата за апрель 2026",
        "ДатаПоступило=05.05.2026",
        "КонецДокумента",
        "СекцияДокумент=Мемориальный ордер",
        "Номер=7",
        "Дата=10.05.2026",
        "Сумма=300000.5",
        "ПлательщикСчет=20206000900123456001",
        "НазначениеПлатежа1=Оплата",
        "НазначениеПлатежа2=по карте",
        "ДатаСписано=10.05.2026",
        "КонецДокумента",
        "КонецФайла",
    ]
    .join("\r\n")
}

fn check_sample(st: &crate::Statement) {
    assert_eq!(st.version.as_deref(), Some("1.03"));
    assert_eq!(st.period_from.unwrap().to_string(), "2026-05-01");
    assert_eq!(st.accounts.len(), 1);
    let a = &st.accounts[0];
    assert_eq!(a.account, "20206000900123456001");
    assert_eq!(a.closing.unwrap().to_string(), "13199999.50");
    assert_eq!(st.transactions.len(), 2);
    let t = &st.transactions[0];
    assert_eq!(&*t.kind, "Платежное поручение");
    assert_eq!(
        (t.amount.to_string().as_str(), &*t.payer_inn, &*t.payer_bank),
        ("12500000.00", "201234567", "00440")
    );
    assert_eq!(t.date.unwrap().to_string(), "2026-05-05");
    assert!(t.purpose.contains("заработная плата"));
    assert_eq!(t.line, 17);
    assert_eq!(&*st.transactions[1].purpose, "Оплата по карте");
    assert_eq!(st.transactions[1].amount.to_string(), "300000.50");
}

#[test]
fn reads_utf8() {
    let st = read_statement("may.txt", sample("Windows").as_bytes()).unwrap();
    assert_eq!(st.encoding, "UTF-8");
    check_sample(&st);
}

#[test]
fn reads_cp1251_and_cp866() {
    let bytes = encode(WINDOWS_1251, &sample("Windows"));
    let st = read_statement("cp1251.txt", &bytes).unwrap();
    assert_eq!(st.encoding, "windows-1251");
    check_sample(&st);
    let bytes = encode(IBM866, &sample("DOS"));
    let st = read_statement("cp866.txt", &bytes).unwrap();
    assert_eq!(st.encoding, "IBM866");
    check_sample(&st);
}

fn err(text: &str) -> crate::StatementError {
    read_statement("f.txt", text.as_bytes()).unwrap_err()
}

#[test]
fn malformed_files_name_file_and_line() {
    let s = sample("Windows");
    let e = err(&s.replace("\r\nКонецФайла", ""));
    assert_eq!(e.line, Some(38));
    assert!(e.message.contains("truncated"), "{e}");
    let e = err(&s.replace("КонецДокумента\r\nКонецФайла", ""));
    assert!(e.message.contains("line 30 never ends"), "{e}");
    let e = err(&s.replace("Сумма=12500000.00", "Сумма=12 500 000,00"));
    assert_eq!(
        (e.line, e.to_string().starts_with("f.txt:20:")),
        (Some(20), true)
    );
    let e = err(&s.replace("Сумма=12500000.00", "Сумма=-5.00"));
    assert!(e.message.contains("negative"));
    // An amount is in tiyin, at most 10^15: anything else is refused at its line.
    for (amount, why) in [
        (
            "Сумма=12500000.005",
            "more than 2 decimals (an amount is in tiyin at most)",
        ),
        ("Сумма=12500000.000", "more than 2 decimals"),
        (
            "Сумма=1000000000000000.01",
            "above the largest amount accepted (10^15 UZS)",
        ),
        (
            "Сумма=12500000000000000000000000000000000000000.00",
            "above the largest amount",
        ),
        ("Сумма=1.25e7", "not an amount"),
    ] {
        let e = err(&s.replace("Сумма=12500000.00", amount));
        assert!(
            e.to_string().starts_with(&format!("f.txt:20: {amount}: ")),
            "{e}"
        );
        assert!(e.message.contains(why), "{e}");
    }
    let e = err(&s.replace("ВсегоПоступило=12500000.00", "ВсегоПоступило=12500000.001"));
    assert_eq!(e.line, Some(13), "{e}");
    let e = err(&s.replace("Дата=05.05.2026", "Дата=31.02.2026"));
    assert_eq!(e.line, Some(19));
    let e = err(&s.replace("Дата=10.05.2026\r\n", ""));
    assert!(e.message.contains("without Дата"), "{e}");
    let e = err(&s.replace("ВерсияФормата=1.03", "ВерсияФормата=2.00"));
    assert_eq!(e.line, Some(2));
    let e = err(&s.replace("КонецРасчСчет", "СекцияДокумент=x"));
    assert!(
        e.message.contains("inside the section opened on line 8"),
        "{e}"
    );
    let e = err(&format!("{s}\r\nСекцияДокумент=late"));
    assert!(e.message.contains("after КонецФайла"));
    let e = err(&s.replace(
        "1CClientBankExchange\r\nВерсияФормата",
        "1CClientBankExchange\r\n@@@=1\r\nВерсияФормата",
    ));
    assert_eq!(e.line, Some(2));
    assert_eq!(err("").message, "the file is empty");
    assert_eq!(err("   \n \n").message, "the file is empty");
    assert!(err("Date;Amount\n01.05.2026;5")
        .message
        .contains("no known column layout"));
}

#[test]
fn wrong_or_mixed_encodings_are_refused() {
    // Declared DOS, written in CP1251.
    let bytes = encode(WINDOWS_1251, &sample("DOS"));
    let e = read_statement("f.txt", &bytes).unwrap_err();
    assert!(e.message.contains("wrong encoding"), "{e}");
    // A CP1251 file with one line pasted in UTF-8.
    // Line 27 (НазначениеПлатежа of the first document) pasted in UTF-8.
    let text = sample("Windows");
    let lines: Vec<&str> = text.split("\r\n").collect();
    let mut bytes = encode(WINDOWS_1251, &lines[..26].join("\r\n"));
    bytes.extend_from_slice(format!("\r\n{}\r\n", lines[26]).as_bytes());
    bytes.extend_from_slice(&encode(WINDOWS_1251, &lines[27..].join("\r\n")));
    let e = read_statement("f.txt", &bytes).unwrap_err();
    assert!(e.message.contains("mixed encodings"), "{e}");
    assert_eq!(e.line, Some(27));
    // Not UTF-8 and no Кодировка header.
    let bytes = encode(
        WINDOWS_1251,
        &sample("Windows").replace("Кодировка=Windows\r\n", ""),
    );
    let e = read_statement("f.txt", &bytes).unwrap_err();
    assert!(e.message.contains("cannot be told"), "{e}");
}

#[test]
fn fifty_megabytes_of_random_bytes_are_refused_quickly() {
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    let junk: Vec<u8> = (0..50 * 1024 * 1024)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    let e = read_statement("junk.bin", &junk).unwrap_err();
    assert!(
        e.message.contains("binary") || e.message.contains("not a CSV"),
        "{e}"
    );
    let mut signed = b"1CClientBankExchange\r\n".to_vec();
    signed.extend_from_slice(&junk[..1 << 20]);
    assert!(read_statement("junk.txt", &signed).is_err());
}

proptest! {
    #[test]
    fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600), pos in 0usize..2000, byte in any::<u8>(), cut in 0usize..2000) {
        let _ = read_statement("p", &bytes);
        let mut prefixed = b"1CClientBankExchange\n".to_vec();
        prefixed.extend_from_slice(&bytes);
        let _ = read_statement("p", &prefixed);
        let cp = encode(WINDOWS_1251, &sample("Windows"));
        let mut m = cp.to_vec();
        let i = pos % m.len();
        m[i] = byte;
        let _ = read_statement("p", &m);
        let _ = read_statement("p", &m[..cut % m.len()]);
    }
}

/// A reader that hands its bytes out in the given chunk sizes, in turn.
struct Trickle<'a> {
    bytes: &'a [u8],
    sizes: Vec<usize>,
    turn: usize,
}

impl std::io::Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let size = self.sizes[self.turn % self.sizes.len()].max(1);
        self.turn += 1;
        let n = size.min(buf.len()).min(self.bytes.len());
        buf[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        Ok(n)
    }
}

/// The stream's items collected as `read` collects them.
fn streamed(bytes: &[u8], sizes: Vec<usize>) -> Result<crate::Statement, crate::StatementError> {
    streamed_by(bytes, sizes, true)
}

fn streamed_by(
    bytes: &[u8],
    sizes: Vec<usize>,
    fast: bool,
) -> Result<crate::Statement, crate::StatementError> {
    struct Items(
        Vec<crate::AccountSection>,
        Vec<crate::Transaction>,
        Option<(
            Option<uw_domain::money::Date>,
            Option<uw_domain::money::Date>,
        )>,
    );
    impl Sink for Items {
        fn period(
            &mut self,
            from: Option<uw_domain::money::Date>,
            to: Option<uw_domain::money::Date>,
        ) {
            self.2 = Some((from, to));
        }
        fn account(&mut self, s: crate::AccountSection) {
            self.0.push(s);
        }
        fn transaction(&mut self, t: std::borrow::Cow<'_, crate::Transaction>) {
            self.1.push(t.into_owned());
        }
    }
    let mut items = Items(Vec::new(), Vec::new(), None);
    let head = stream_by(
        "p",
        &mut Trickle {
            bytes,
            sizes,
            turn: 0,
        },
        &mut items,
        fast,
        crate::limits::MAX_DOCUMENTS,
    )?;
    let (period_from, period_to) = items.2.unwrap_or_default();
    Ok(crate::Statement {
        file: "p".into(),
        format: "1CClientBankExchange".into(),
        encoding: head.encoding,
        version: head.version,
        period_from,
        period_to,
        accounts: items.0,
        transactions: items.1,
    })
}

proptest! {
    /// Whatever sizes the blocks come in, a stream reads what the whole bytes read — the
    /// same statement, or the same error at the same line.
    #[test]
    fn a_stream_in_any_blocks_reads_as_the_whole_file(
        sizes in proptest::collection::vec(1usize..9000, 1..6),
        utf8 in any::<bool>(),
        pos in 0usize..4000,
        byte in any::<u8>(),
        mutate in any::<bool>(),
    ) {
        let mut bytes = if utf8 { sample("Windows").into_bytes() } else { encode(WINDOWS_1251, &sample("Windows")) };
        if mutate {
            let i = pos % bytes.len();
            bytes[i] = byte;
        }
        prop_assert_eq!(streamed(&bytes, sizes), read("p", &bytes));
    }
}

#[test]
fn a_line_over_the_limit_is_refused_before_it_is_held() {
    let mut bytes = b"1CClientBankExchange\r\n".to_vec();
    bytes.extend(std::iter::repeat_n(b'7', MAX_LINE * 2));
    let e = streamed(&bytes, vec![65536]).unwrap_err();
    assert_eq!(
        (e.line, e.refusal),
        (Some(2), crate::Refusal::OverLimit),
        "{e}"
    );
}

/// Every key of a bank's full export with a value no field could read: the fast path,
/// which skips the keys no section reads without decoding them, reads what the whole-line
/// path reads — so no key a section reads is missing from `KEYS`.
#[test]
fn the_fast_path_skips_only_keys_no_section_reads() {
    let text = sample("Windows");
    let keys: Vec<&str> = text
        .split("\r\n")
        .filter_map(|l| l.split_once('=').map(|(k, _)| k))
        .chain([
            "ПлательщикБанк1",
            "ПлательщикКорсчет",
            "ПолучательБанк1",
            "ПолучательКорсчет",
            "ВидПлатежа",
            "ВидОплаты",
            "КодНазПлатежа",
            "Очередность",
            "Плательщик1",
            "Получатель1",
            "ПлательщикРасчСчет",
            "ПолучательРасчСчет",
            "ПлательщикБИК",
            "ПолучательБИК",
            "ДатаПоступило",
            "ДатаСписано",
            "НазначениеПлатежа1",
            "Отправитель",
            "ДатаСоздания",
            "ВремяСоздания",
            "Кодировка",
        ])
        .collect();
    let mut read_by_some_section = 0;
    for key in keys {
        // The key inserted with an unreadable value into the header, the account section
        // and the first document.
        let line = format!("{key}=31.02.x ∞ -1,5");
        let mut with = text.replacen(
            "ВерсияФормата=1.03",
            &format!("ВерсияФормата=1.03\r\n{line}"),
            1,
        );
        with = with.replacen("КонецРасчСчет", &format!("{line}\r\nКонецРасчСчет"), 1);
        with = with.replacen("КонецДокумента", &format!("{line}\r\nКонецДокумента"), 1);
        let bytes = encode(WINDOWS_1251, &with);
        let whole = streamed_by(&bytes, vec![4096], false);
        let fast = streamed_by(&bytes, vec![4096], true);
        if whole != read("p", &encode(WINDOWS_1251, &text)) {
            read_by_some_section += 1;
        }
        assert_eq!(fast, whole, "{key}");
    }
    assert!(
        read_by_some_section > 10,
        "the keys the sections read change the result"
    );
}

#[test]
fn a_document_past_the_limit_is_refused_naming_its_line() {
    struct Nothing;
    impl Sink for Nothing {
        fn period(&mut self, _: Option<uw_domain::money::Date>, _: Option<uw_domain::money::Date>) {
        }
        fn account(&mut self, _: crate::AccountSection) {}
        fn transaction(&mut self, _: std::borrow::Cow<'_, crate::Transaction>) {}
    }
    let file = |n: usize| {
        let mut s = String::from("1CClientBankExchange\r\n");
        for _ in 0..n {
            s.push_str("СекцияДокумент=x\r\nДата=05.05.2026\r\nСумма=1.00\r\nКонецДокумента\r\n");
        }
        s.push_str("КонецФайла\r\n");
        s.into_bytes()
    };
    let ten = stream_by("p", &mut &file(10)[..], &mut Nothing, true, 10).unwrap();
    assert_eq!(ten.documents, 10);
    let e = stream_by("p", &mut &file(11)[..], &mut Nothing, true, 10).unwrap_err();
    // The eleventh document ends on line 1 + 11 × 4.
    assert_eq!(
        (e.line, e.refusal),
        (Some(45), crate::Refusal::OverLimit),
        "{e}"
    );
    assert!(e.message.contains("more than 10 documents"), "{e}");
}

/// Bytes of other encodings put into every line's key, separator and value (UTF-8
/// letters, CP1251's one undefined byte, CP866 text): the fast path, which checks a line
/// through its value once its key is known, refuses and reads exactly what the whole-line
/// path does.
#[test]
fn the_fast_path_holds_a_line_to_the_encoding_as_the_whole_line_path() {
    let inserts: [&[u8]; 8] = [
        "ў".as_bytes(),
        "Ж".as_bytes(),
        &[0x98],
        &[0xD0],
        &[0xD0, 0x20],
        &[0x8F, 0xE0],
        b"=",
        b"Kod",
    ];
    let mut refused = 0;
    for (encoding, header) in [
        (UTF_8, "Windows"),
        (WINDOWS_1251, "Windows"),
        (IBM866, "DOS"),
    ] {
        // With a key of ASCII letters, which no UTF-8 reading refuses.
        let text = sample(header).replace("Номер=7", "Номер=7\r\nKodOplaty=01");
        let lines: Vec<Vec<u8>> = text.split("\r\n").map(|l| encode(encoding, l)).collect();
        for line in 1..lines.len() {
            let eq = lines[line].iter().position(|&b| b == b'=');
            let places = [
                Some(0),
                eq,
                eq.map(|i| i + 1),
                eq.map(|i| i + 2),
                Some(lines[line].len()),
            ];
            for at in places.into_iter().flatten() {
                for insert in inserts {
                    let mut changed = lines.clone();
                    changed[line].splice(at..at, insert.iter().copied());
                    let bytes = changed.join(&b"\r\n"[..]);
                    let whole = streamed_by(&bytes, vec![4096], false);
                    refused += usize::from(whole.is_err());
                    assert_eq!(
                        streamed_by(&bytes, vec![4096], true),
                        whole,
                        "line {line} at {at}: {insert:?}"
                    );
                }
            }
        }
    }
    assert!(refused > 100, "{refused}");
}

/// Keys and values longer than any the format has are read, each time, as the whole-line
/// path reads them; they are not held (a hostile file of megabyte-long ones would be).
#[test]
fn keys_and_values_past_the_format_s_lengths_are_read_each_time() {
    let long_key = "K".repeat(65);
    let long_payer = "Ф".repeat(300);
    let text = sample("Windows")
        .replace(
            "Номер=7",
            &format!("Номер=7\r\n{long_key}=1\r\n{long_key}=2"),
        )
        .replace(
            "Плательщик=\"Uzbekneftegaz\" AJ",
            &format!("Плательщик= {long_payer} "),
        );
    let bytes = encode(WINDOWS_1251, &text);
    let fast = streamed_by(&bytes, vec![4096], true);
    assert_eq!(fast, streamed_by(&bytes, vec![4096], false));
    assert_eq!(&*fast.unwrap().transactions[0].payer, long_payer.as_str());
}

/// A header of long lines is held only to its first 64 KiB to tell the encoding; a file's
/// `Кодировка` line, which comes first, still tells it.
#[test]
fn a_header_of_long_lines_is_held_only_in_part() {
    let padding = format!("X={}", "a".repeat(40 * 1024));
    let text = sample("Windows").replace(
        "Отправитель=SQB Online",
        &format!("Отправитель=SQB Online\r\n{padding}\r\n{padding}\r\n{padding}"),
    );
    let st = read_statement("long.txt", &encode(WINDOWS_1251, &text)).unwrap();
    assert_eq!(st.encoding, "windows-1251");
    assert_eq!(st.transactions.len(), 2);
    assert_eq!(&*st.transactions[1].purpose, "Оплата по карте");
}

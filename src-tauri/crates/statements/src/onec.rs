//! The 1C client-bank exchange format (`1CClientBankExchange`, versions 1.01–1.03).
//!
//! A text of `KEY=VALUE` lines: a header, `СекцияРасчСчет`…`КонецРасчСчет` sections with an
//! account's balances, `СекцияДокумент=<kind>`…`КонецДокумента` sections with one payment
//! each, and `КонецФайла`. `Кодировка=Windows` means CP1251, `DOS` means CP866; UTF-8 files
//! exist too. Dates are `dd.mm.yyyy`, amounts use a dot. The Uzbek variant carries МФО bank
//! codes (`ПлательщикМФО`), 9-digit INNs and 20-digit accounts; the Russian one БИК.
//!
//! The encoding is decided once for the file and then checked line by line: a line whose
//! bytes are valid multi-byte UTF-8 inside a CP1251/CP866 file was written in another
//! encoding, and the file is refused as mixed rather than read as mojibake.

use encoding_rs::{Encoding, IBM866, UTF_8, WINDOWS_1251};
use uw_domain::money::{Date, Money, MoneyError};
use uw_domain::statement::Text;

use crate::{AccountSection, Statement, StatementError, Transaction};

const SIGNATURE: &str = "1CClientBankExchange";

pub fn looks_like(bytes: &[u8]) -> bool {
    let b = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = b.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(0);
    b[start..].starts_with(SIGNATURE.as_bytes())
}

struct Reader<'a> {
    file: &'a str,
}

impl Reader<'_> {
    fn err(&self, line: usize, message: impl Into<String>) -> StatementError {
        StatementError {
            file: self.file.to_string(),
            line: Some(line),
            message: message.into(),
            refusal: crate::Refusal::Unreadable,
        }
    }
}

/// The byte lines of the file (without `\r\n`), numbered from 1.
fn byte_lines(bytes: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    bytes
        .split(|b| *b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .enumerate()
        .map(|(i, l)| (i + 1, l))
}

/// Keys are Latin or Cyrillic letters and digits: anything else on the left of `=` (box
/// drawing, Greek) is a file read in the wrong encoding. A range check, not Unicode tables:
/// it runs for every line.
fn is_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || ('\u{0400}'..='\u{04FF}').contains(&c)
}

fn is_multibyte_utf8(line: &[u8]) -> bool {
    !line.is_ascii() && std::str::from_utf8(line).is_ok()
}

/// Chooses the encoding: UTF-8 when the whole file is valid UTF-8, else the one the
/// `Кодировка` header names (looked up in both single-byte decodings).
fn choose_encoding(r: &Reader, bytes: &[u8]) -> Result<&'static Encoding, StatementError> {
    if std::str::from_utf8(bytes).is_ok() {
        return Ok(UTF_8);
    }
    for (n, line) in byte_lines(bytes) {
        for (enc, name) in [(WINDOWS_1251, "Windows"), (IBM866, "DOS")] {
            let (text, _) = enc.decode_without_bom_handling(line);
            let Some(value) = text.trim().strip_prefix("Кодировка=").map(str::trim) else {
                continue;
            };
            return if value.eq_ignore_ascii_case(name) {
                Ok(enc)
            } else if value.eq_ignore_ascii_case("Windows") || value.eq_ignore_ascii_case("DOS") {
                Err(r.err(
                    n,
                    format!(
                        "Кодировка={value}, but the file is written in {}: a wrong encoding",
                        enc.name()
                    ),
                ))
            } else {
                Err(r.err(
                    n,
                    format!("Кодировка={value}: unknown encoding (expected Windows or DOS)"),
                ))
            };
        }
        if line.starts_with(b"\xD1\xE5\xEA\xF6\xE8\xFF")
            || line.starts_with(b"\x91\xA5\xAA\xE6\xA8\xEF")
        {
            break; // the first section (СекцияРасчСчет / СекцияДокумент): the header is over
        }
    }
    Err(r.err(
        1,
        "not UTF-8 and no Кодировка=Windows|DOS header: the text encoding cannot be told",
    ))
}

/// Decodes a line of a single-byte encoding (CP1251, CP866) into a reused buffer through a
/// 128-entry table: the reader decodes every line, so it must not allocate per line.
struct SingleByte {
    high: [char; 128],
}

impl SingleByte {
    fn new(encoding: &'static Encoding) -> SingleByte {
        let mut high = ['\u{FFFD}'; 128];
        for (i, c) in high.iter_mut().enumerate() {
            let byte = [0x80 + i as u8];
            let (text, _) = encoding.decode_without_bom_handling(&byte);
            *c = text.chars().next().unwrap_or('\u{FFFD}');
        }
        SingleByte { high }
    }

    /// False when a byte has no character in the encoding.
    fn decode(&self, raw: &[u8], out: &mut String) -> bool {
        out.clear();
        for &b in raw {
            if b < 0x80 {
                out.push(b as char);
            } else {
                let c = self.high[usize::from(b - 0x80)];
                if c == '\u{FFFD}' {
                    return false;
                }
                out.push(c);
            }
        }
        true
    }
}

/// One copy of each repeated text (payer, account, bank, purpose) per file. foldhash: fast
/// on short keys and seeded per process, so a crafted file cannot aim at collisions.
#[derive(Default)]
struct Interner(foldhash::HashSet<Text>);

impl Interner {
    fn get(&mut self, s: &str) -> Text {
        let s = s.trim();
        if let Some(t) = self.0.get(s) {
            return t.clone();
        }
        let t: Text = s.into();
        self.0.insert(t.clone());
        t
    }
}

fn parse_date(r: &Reader, line: usize, key: &str, v: &str) -> Result<Option<Date>, StatementError> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    Date::parse_dmy(v)
        .map(Some)
        .ok_or_else(|| r.err(line, format!("{key}={v}: not a date dd.mm.yyyy")))
}

fn parse_amount(r: &Reader, line: usize, key: &str, v: &str) -> Result<Money, StatementError> {
    let v = v.trim();
    match Money::parse(v) {
        Ok(m) if m < Money::ZERO => {
            Err(r.err(line, format!("{key}={v}: an amount cannot be negative")))
        }
        Ok(m) => Ok(m),
        Err(MoneyError::NotAnAmount) => {
            Err(r.err(line, format!("{key}={v}: not an amount (digits and a dot)")))
        }
        Err(e) => Err(r.err(line, format!("{key}={v}: {e}"))),
    }
}

fn optional_amount(
    r: &Reader,
    n: usize,
    key: &str,
    v: &str,
) -> Result<Option<Money>, StatementError> {
    if v.trim().is_empty() {
        Ok(None)
    } else {
        parse_amount(r, n, key, v).map(Some)
    }
}

/// A document being read: fields are parsed as their lines come, so an error names the
/// line, and nothing but the finished transaction is kept.
struct DocumentDraft {
    t: Transaction,
    has_amount: bool,
    /// `НазначениеПлатежа` and its continuation lines `НазначениеПлатежа1..6`.
    purpose: String,
}

/// Which field a key of a `СекцияДокумент` fills; first spelling wins over the later ones
/// (`Плательщик` over `Плательщик1`, `ПлательщикСчет` over `ПлательщикРасчСчет`).
fn document_field(
    r: &Reader,
    d: &mut DocumentDraft,
    words: &mut Interner,
    n: usize,
    key: &str,
    value: &str,
) -> Result<(), StatementError> {
    let t = &mut d.t;
    let set = |slot: &mut Text, words: &mut Interner| {
        if slot.is_empty() {
            *slot = words.get(value);
        }
    };
    match key {
        "Номер" => t.number = value.trim().into(),
        "Дата" => {
            t.date = Some(parse_date(r, n, key, value)?.ok_or_else(|| r.err(n, "Дата is empty"))?)
        }
        "Сумма" => {
            t.amount = parse_amount(r, n, key, value)?;
            d.has_amount = true;
        }
        "Плательщик" | "Плательщик1" => set(&mut t.payer, words),
        "ПлательщикИНН" => set(&mut t.payer_inn, words),
        "ПлательщикСчет" | "ПлательщикРасчСчет" => {
            set(&mut t.payer_account, words)
        }
        "ПлательщикМФО" | "ПлательщикБИК" => {
            set(&mut t.payer_bank, words)
        }
        "Получатель" | "Получатель1" => set(&mut t.receiver, words),
        "ПолучательИНН" => set(&mut t.receiver_inn, words),
        "ПолучательСчет" | "ПолучательРасчСчет" => {
            set(&mut t.receiver_account, words)
        }
        "ПолучательМФО" | "ПолучательБИК" => {
            set(&mut t.receiver_bank, words)
        }
        "ДатаПоступило" => t.credited_on = parse_date(r, n, key, value)?,
        "ДатаСписано" => t.debited_on = parse_date(r, n, key, value)?,
        k if k.starts_with("НазначениеПлатежа") => {
            let v = value.trim();
            if !v.is_empty() {
                if !d.purpose.is_empty() {
                    d.purpose.push(' ');
                }
                d.purpose.push_str(v);
            }
        }
        _ => {}
    }
    Ok(())
}

fn account_field(
    r: &Reader,
    a: &mut AccountSection,
    n: usize,
    key: &str,
    value: &str,
) -> Result<(), StatementError> {
    match key {
        "РасчСчет" => a.account = value.trim().to_string(),
        "ДатаНачала" => a.from = parse_date(r, n, key, value)?,
        "ДатаКонца" => a.to = parse_date(r, n, key, value)?,
        "НачальныйОстаток" => a.opening = optional_amount(r, n, key, value)?,
        "ВсегоПоступило" => a.credited = optional_amount(r, n, key, value)?,
        "ВсегоСписано" => a.debited = optional_amount(r, n, key, value)?,
        "КонечныйОстаток" => a.closing = optional_amount(r, n, key, value)?,
        _ => {}
    }
    Ok(())
}

enum Section {
    Header,
    Account(AccountSection),
    Document(Box<DocumentDraft>),
}

impl Section {
    fn start(&self) -> Option<usize> {
        match self {
            Section::Header => None,
            Section::Account(a) => Some(a.line),
            Section::Document(d) => Some(d.t.line),
        }
    }
}

pub fn read(file: &str, bytes: &[u8]) -> Result<Statement, StatementError> {
    let r = Reader { file };
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let encoding = choose_encoding(&r, bytes)?;
    let single = (encoding != UTF_8).then(|| SingleByte::new(encoding));
    let mut st = Statement {
        file: file.to_string(),
        format: "1CClientBankExchange".into(),
        encoding: encoding.name().to_string(),
        version: None,
        period_from: None,
        period_to: None,
        accounts: Vec::new(),
        // A document takes some 250 bytes; reserving spares the copies of a growing Vec.
        transactions: Vec::with_capacity(bytes.len() / 250),
    };
    let mut words = Interner::default();
    let mut section = Section::Header;
    let mut seen_signature = false;
    let mut ended = None;
    let mut last = 0;
    let mut buf = String::new();
    for (n, raw) in byte_lines(bytes) {
        last = n;
        let text: &str = match &single {
            None => {
                std::str::from_utf8(raw).map_err(|_| r.err(n, "bytes that are not UTF-8 text"))?
            }
            Some(table) => {
                if is_multibyte_utf8(raw) {
                    return Err(r.err(
                        n,
                        format!(
                            "this line is UTF-8 in a file declared {}: mixed encodings",
                            encoding.name()
                        ),
                    ));
                }
                if !table.decode(raw, &mut buf) {
                    return Err(r.err(n, format!("bytes that are not {} text", encoding.name())));
                }
                &buf
            }
        };
        let line = text.trim();
        if line.is_empty() {
            continue;
        }
        if ended.is_some() {
            return Err(r.err(n, "text after КонецФайла"));
        }
        if !seen_signature {
            if line != SIGNATURE {
                return Err(r.err(n, "the first line must be 1CClientBankExchange"));
            }
            seen_signature = true;
            continue;
        }
        let (key, value) = match line.split_once('=') {
            Some((k, v)) => (k.trim(), v),
            None => (line, ""),
        };
        if key.is_empty() || !key.chars().all(is_key_char) {
            return Err(r.err(
                n,
                format!("{line:?} is not a KEY=VALUE line (a wrong encoding?)"),
            ));
        }
        section = match (section, key) {
            (Section::Header, "СекцияРасчСчет") => Section::Account(AccountSection {
                line: n,
                account: String::new(),
                from: None,
                to: None,
                opening: None,
                credited: None,
                debited: None,
                closing: None,
            }),
            (Section::Header, "СекцияДокумент") => {
                Section::Document(Box::new(DocumentDraft {
                    t: Transaction {
                        line: n,
                        kind: words.get(value),
                        ..Transaction::default()
                    },
                    has_amount: false,
                    purpose: String::new(),
                }))
            }
            (Section::Header, "КонецФайла") => {
                ended = Some(n);
                Section::Header
            }
            (Section::Header, k) => {
                header_field(&r, &mut st, n, k, value)?;
                Section::Header
            }
            (Section::Account(a), "КонецРасчСчет") => {
                st.accounts.push(a);
                Section::Header
            }
            (Section::Document(mut d), "КонецДокумента") => {
                if !d.has_amount {
                    return Err(r.err(d.t.line, "a document without Сумма"));
                }
                if d.t.date.is_none() {
                    return Err(r.err(d.t.line, "a document without Дата"));
                }
                d.t.purpose = words.get(&d.purpose);
                st.transactions.push(d.t);
                Section::Header
            }
            (open, k) if k.starts_with("Секция") || k.starts_with("Конец") => {
                return Err(r.err(
                    n,
                    format!(
                        "{k} inside the section opened on line {}, which has no end",
                        open.start().unwrap_or(n)
                    ),
                ));
            }
            (Section::Account(mut a), k) => {
                account_field(&r, &mut a, n, k, value)?;
                Section::Account(a)
            }
            (Section::Document(mut d), k) => {
                document_field(&r, &mut d, &mut words, n, k, value)?;
                Section::Document(d)
            }
        };
    }
    if !seen_signature {
        return Err(r.err(1, "the file is empty"));
    }
    if ended.is_none() {
        let open = section
            .start()
            .map(|l| format!(" (the section opened on line {l} never ends)"))
            .unwrap_or_default();
        return Err(r.err(last, format!("the file is truncated: no КонецФайла{open}")));
    }
    Ok(st)
}

fn header_field(
    r: &Reader,
    st: &mut Statement,
    n: usize,
    key: &str,
    value: &str,
) -> Result<(), StatementError> {
    let v = value.trim();
    match key {
        "ВерсияФормата" => {
            if !["1.01", "1.02", "1.03"].contains(&v) {
                return Err(r.err(n, format!("ВерсияФормата={v}: this reader knows 1.01–1.03")));
            }
            st.version = Some(v.to_string());
        }
        "ДатаНачала" => st.period_from = parse_date(r, n, key, v)?,
        "ДатаКонца" => st.period_to = parse_date(r, n, key, v)?,
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests;

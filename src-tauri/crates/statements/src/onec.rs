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
use uw_domain::money::{parse_decimal, Date, Money};

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

#[derive(Default)]
struct Fields {
    start: usize,
    pairs: Vec<(usize, String, String)>,
}

impl Fields {
    fn get(&self, key: &str) -> Option<&(usize, String, String)> {
        self.pairs.iter().find(|(_, k, _)| k == key)
    }

    fn text(&self, keys: &[&str]) -> String {
        keys.iter()
            .find_map(|k| self.get(k).map(|(_, _, v)| v.clone()))
            .unwrap_or_default()
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
    match parse_decimal(v) {
        Some(d) if d.is_sign_negative() => {
            Err(r.err(line, format!("{key}={v}: an amount cannot be negative")))
        }
        Some(d) => Ok(Money(d)),
        None => Err(r.err(line, format!("{key}={v}: not an amount (digits and a dot)"))),
    }
}

fn optional_amount(r: &Reader, f: &Fields, key: &str) -> Result<Option<Money>, StatementError> {
    f.get(key)
        .filter(|(_, _, v)| !v.trim().is_empty())
        .map(|(l, k, v)| parse_amount(r, *l, k, v))
        .transpose()
}

fn optional_date(r: &Reader, f: &Fields, key: &str) -> Result<Option<Date>, StatementError> {
    match f.get(key) {
        Some((l, k, v)) => parse_date(r, *l, k, v),
        None => Ok(None),
    }
}

fn account_section(r: &Reader, f: &Fields) -> Result<AccountSection, StatementError> {
    Ok(AccountSection {
        line: f.start,
        account: f.text(&["РасчСчет"]),
        from: optional_date(r, f, "ДатаНачала")?,
        to: optional_date(r, f, "ДатаКонца")?,
        opening: optional_amount(r, f, "НачальныйОстаток")?,
        credited: optional_amount(r, f, "ВсегоПоступило")?,
        debited: optional_amount(r, f, "ВсегоСписано")?,
        closing: optional_amount(r, f, "КонечныйОстаток")?,
    })
}

fn document(r: &Reader, kind: &str, f: &Fields) -> Result<Transaction, StatementError> {
    let (sum_line, _, sum) = f
        .get("Сумма")
        .ok_or_else(|| r.err(f.start, "a document without Сумма"))?;
    let (date_line, _, date) = f
        .get("Дата")
        .ok_or_else(|| r.err(f.start, "a document without Дата"))?;
    let date = parse_date(r, *date_line, "Дата", date)?
        .ok_or_else(|| r.err(*date_line, "Дата is empty"))?;
    // The purpose may be split over НазначениеПлатежа1..6 in older exports.
    let mut purpose = f.text(&["НазначениеПлатежа"]);
    for i in 1..=6 {
        if let Some((_, _, v)) = f.get(&format!("НазначениеПлатежа{i}")) {
            if !purpose.is_empty() {
                purpose.push(' ');
            }
            purpose.push_str(v.trim());
        }
    }
    Ok(Transaction {
        line: f.start,
        kind: kind.to_string(),
        number: f.text(&["Номер"]),
        date: Some(date),
        amount: parse_amount(r, *sum_line, "Сумма", sum)?,
        payer: f.text(&["Плательщик", "Плательщик1"]),
        payer_inn: f.text(&["ПлательщикИНН"]),
        payer_account: f.text(&["ПлательщикСчет", "ПлательщикРасчСчет"]),
        payer_bank: f.text(&["ПлательщикМФО", "ПлательщикБИК"]),
        receiver: f.text(&["Получатель", "Получатель1"]),
        receiver_inn: f.text(&["ПолучательИНН"]),
        receiver_account: f.text(&["ПолучательСчет", "ПолучательРасчСчет"]),
        receiver_bank: f.text(&["ПолучательМФО", "ПолучательБИК"]),
        purpose,
        credited_on: optional_date(r, f, "ДатаПоступило")?,
        debited_on: optional_date(r, f, "ДатаСписано")?,
    })
}

enum Section {
    Header,
    Account(Fields),
    Document(String, Fields),
}

pub fn read(file: &str, bytes: &[u8]) -> Result<Statement, StatementError> {
    let r = Reader { file };
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let encoding = choose_encoding(&r, bytes)?;
    let mut st = Statement {
        file: file.to_string(),
        format: "1CClientBankExchange".into(),
        encoding: encoding.name().to_string(),
        version: None,
        period_from: None,
        period_to: None,
        accounts: Vec::new(),
        transactions: Vec::new(),
    };
    let mut section = Section::Header;
    let mut header = Fields::default();
    let mut seen_signature = false;
    let mut ended = None;
    let mut last = 0;
    // Decode the whole file once; walk its lines beside the raw byte lines, which match one
    // to one ('\n' is the same byte in every encoding read here), to catch mixed lines.
    let (decoded, had_errors) = encoding.decode_without_bom_handling(bytes);
    for ((n, raw), text) in byte_lines(bytes).zip(decoded.split('\n')) {
        last = n;
        if encoding != UTF_8 && is_multibyte_utf8(raw) {
            return Err(r.err(
                n,
                format!(
                    "this line is UTF-8 in a file declared {}: mixed encodings",
                    encoding.name()
                ),
            ));
        }
        if had_errors && text.contains('\u{FFFD}') {
            return Err(r.err(n, format!("bytes that are not {} text", encoding.name())));
        }
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
            Some((k, v)) => (k.trim(), v.to_string()),
            None => (line, String::new()),
        };
        if key.is_empty() || !key.chars().all(|c| c.is_alphanumeric()) {
            return Err(r.err(
                n,
                format!("{line:?} is not a KEY=VALUE line (a wrong encoding?)"),
            ));
        }
        section = match (section, key) {
            (Section::Header, "СекцияРасчСчет") => Section::Account(Fields {
                start: n,
                pairs: Vec::new(),
            }),
            (Section::Header, "СекцияДокумент") => Section::Document(
                value.trim().to_string(),
                Fields {
                    start: n,
                    pairs: Vec::new(),
                },
            ),
            (Section::Header, "КонецФайла") => {
                ended = Some(n);
                Section::Header
            }
            (Section::Header, _) => {
                header.pairs.push((n, key.to_string(), value));
                Section::Header
            }
            (Section::Account(f), "КонецРасчСчет") => {
                st.accounts.push(account_section(&r, &f)?);
                Section::Header
            }
            (Section::Document(kind, f), "КонецДокумента") => {
                st.transactions.push(document(&r, &kind, &f)?);
                Section::Header
            }
            (Section::Account(f), k) | (Section::Document(_, f), k)
                if k.starts_with("Секция") || k.starts_with("Конец") =>
            {
                return Err(r.err(
                    n,
                    format!(
                        "{k} inside the section opened on line {}, which has no end",
                        f.start
                    ),
                ));
            }
            (Section::Account(mut f), k) => {
                f.pairs.push((n, k.to_string(), value));
                Section::Account(f)
            }
            (Section::Document(kind, mut f), k) => {
                f.pairs.push((n, k.to_string(), value));
                Section::Document(kind, f)
            }
        };
    }
    if !seen_signature {
        return Err(r.err(1, "the file is empty"));
    }
    if ended.is_none() {
        let open = match &section {
            Section::Account(f) | Section::Document(_, f) => {
                format!(" (the section opened on line {} never ends)", f.start)
            }
            Section::Header => String::new(),
        };
        return Err(r.err(last, format!("the file is truncated: no КонецФайла{open}")));
    }
    if let Some((n, _, v)) = header.get("ВерсияФормата") {
        let v = v.trim();
        if !["1.01", "1.02", "1.03"].contains(&v) {
            return Err(r.err(
                *n,
                format!("ВерсияФормата={v}: this reader knows 1.01–1.03"),
            ));
        }
        st.version = Some(v.to_string());
    }
    st.period_from = optional_date(&r, &header, "ДатаНачала")?;
    st.period_to = optional_date(&r, &header, "ДатаКонца")?;
    Ok(st)
}

#[cfg(test)]
mod tests;

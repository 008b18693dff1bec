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

use std::borrow::Cow;

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

#[derive(Clone, Copy)]
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

/// Keys are Latin or Cyrillic letters and digits: anything else on the left of `=` (box
/// drawing, Greek) is a file read in the wrong encoding. A range check, not Unicode tables:
/// it runs for every line.
fn is_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || ('\u{0400}'..='\u{04FF}').contains(&c)
}

fn is_multibyte_utf8(line: &[u8]) -> bool {
    !line.is_ascii() && std::str::from_utf8(line).is_ok()
}

/// Chooses the encoding from the header (the lines before the first section, and that
/// section's first line): UTF-8 when they are valid UTF-8 (a file re-saved as UTF-8 keeps
/// its old `Кодировка` line), else the one the `Кодировка` header names, looked up in both
/// single-byte decodings. Every later line is then held to it.
fn choose_encoding(
    r: &Reader,
    header: &[(usize, Vec<u8>)],
    first_section: Option<&[u8]>,
) -> Result<&'static Encoding, StatementError> {
    let lines = || {
        header
            .iter()
            .map(|(_, l)| l.as_slice())
            .chain(first_section)
    };
    if lines().all(|l| std::str::from_utf8(l).is_ok()) {
        return Ok(UTF_8);
    }
    for (n, line) in header {
        for (enc, name) in [(WINDOWS_1251, "Windows"), (IBM866, "DOS")] {
            let (text, _) = enc.decode_without_bom_handling(line);
            let Some(value) = text.trim().strip_prefix("Кодировка=").map(str::trim) else {
                continue;
            };
            return if value.eq_ignore_ascii_case(name) {
                Ok(enc)
            } else if value.eq_ignore_ascii_case("Windows") || value.eq_ignore_ascii_case("DOS") {
                Err(r.err(
                    *n,
                    format!(
                        "Кодировка={value}, but the file is written in {}: a wrong encoding",
                        enc.name()
                    ),
                ))
            } else {
                Err(r.err(
                    *n,
                    format!("Кодировка={value}: unknown encoding (expected Windows or DOS)"),
                ))
            };
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
    /// The bytes with no character in the encoding (CP1251 has one, CP866 none).
    undefined: Vec<u8>,
}

impl SingleByte {
    fn new(encoding: &'static Encoding) -> SingleByte {
        let mut high = ['\u{FFFD}'; 128];
        for (i, c) in high.iter_mut().enumerate() {
            let byte = [0x80 + i as u8];
            let (text, _) = encoding.decode_without_bom_handling(&byte);
            *c = text.chars().next().unwrap_or('\u{FFFD}');
        }
        let undefined = (0x80..=0xFFu8)
            .filter(|b| high[usize::from(b - 0x80)] == '\u{FFFD}')
            .collect();
        SingleByte { high, undefined }
    }

    /// Whether every byte has a character in the encoding.
    fn defined(&self, raw: &[u8]) -> bool {
        match self.undefined[..] {
            [] => true,
            [a] => memchr::memchr(a, raw).is_none(),
            [a, b] => memchr::memchr2(a, b, raw).is_none(),
            [a, b, c] => memchr::memchr3(a, b, c, raw).is_none(),
            ref bytes => !raw.iter().any(|b| bytes.contains(b)),
        }
    }

    /// The text of bytes [`SingleByte::defined`] let through.
    fn decode(&self, raw: &[u8], out: &mut String) {
        out.clear();
        out.reserve(raw.len() * 2);
        for &b in raw {
            out.push(if b < 0x80 {
                char::from(b)
            } else {
                self.high[usize::from(b - 0x80)]
            });
        }
    }
}

/// One copy of each repeated text (payer, account, bank) per file. foldhash: fast on short
/// keys and seeded per process, so a crafted file cannot aim at collisions. Purposes are
/// not interned: nearly every one differs (a number, a date), and they would push the
/// repeated texts out.
const MAX_INTERNED: usize = 1 << 14;
/// The longest value interned: a hostile file's megabyte-long values would otherwise be
/// held 16,384 times over.
const MAX_INTERNED_BYTES: usize = 256;

#[derive(Default)]
struct Words {
    /// By the decoded text: the whole-line path.
    by_text: foldhash::HashSet<Text>,
    /// By the value's bytes as the file writes them: the fast path, which then neither
    /// decodes nor trims a value it has seen.
    by_raw: foldhash::HashMap<Box<[u8]>, Text>,
    /// The empty text of the fields a document does not give. Its own, not the process's
    /// shared empty `Arc<str>`: threads that count references on one shared text wait on
    /// each other for every document.
    empty: Text,
    /// Each key's last raw value and its text: a statement's own account, bank and
    /// document kind come again document after document, and are then found by one
    /// inline compare, before the hash map.
    last: Vec<(Vec<u8>, Text)>,
}

impl Words {
    /// The trimmed text of a value, shared with every equal one before it.
    fn get(&mut self, key: Key, value: &Value, decoder: &Decoder, buf: &mut String) -> Text {
        match *value {
            Value::Text(s) => self.by_text(s),
            // No account, bank or name is this long: a text of its own, not held.
            Value::Raw(raw) if raw.len() > MAX_INTERNED_BYTES => {
                self.by_text(decoder.checked_text(raw, buf))
            }
            Value::Raw(raw) => {
                let slot = key as usize;
                if let Some((_, t)) = self.last.get(slot).filter(|(b, _)| same(b, raw)) {
                    return t.clone();
                }
                let t = self.by_raw(raw, decoder, buf);
                if self.last.len() <= slot {
                    self.last.resize(slot + 1, (Vec::new(), self.empty.clone()));
                }
                if let Some((bytes, text)) = self.last.get_mut(slot) {
                    bytes.clear();
                    bytes.extend_from_slice(raw);
                    *text = t.clone();
                }
                t
            }
        }
    }

    fn by_raw(&mut self, raw: &[u8], decoder: &Decoder, buf: &mut String) -> Text {
        if let Some(t) = self.by_raw.get(raw) {
            return t.clone();
        }
        let t = self.by_text(decoder.checked_text(raw, buf));
        // Held to a few thousand texts: a file of a million different payers keeps its
        // memory flat (a text seen again after the reset is merely a second copy).
        if self.by_raw.len() >= MAX_INTERNED {
            self.by_raw.clear();
        }
        self.by_raw.insert(raw.into(), t.clone());
        t
    }

    fn clear(&mut self) {
        self.by_text.clear();
        self.by_raw.clear();
        self.last.clear();
        self.empty = Text::from(String::new());
    }

    fn by_text(&mut self, s: &str) -> Text {
        let s = s.trim();
        if s.len() > MAX_INTERNED_BYTES {
            return s.into();
        }
        if let Some(t) = self.by_text.get(s) {
            return t.clone();
        }
        let t: Text = s.into();
        if self.by_text.len() >= MAX_INTERNED {
            self.by_text.clear();
        }
        self.by_text.insert(t.clone());
        t
    }
}

/// A line's value: text decoded by the whole-line path, or the bytes the fast path has
/// checked as text of the file's encoding and decodes only when a field needs them.
enum Value<'a> {
    Text(&'a str),
    Raw(&'a [u8]),
}

/// The keys this reader knows: every key a section reads and the section words, looked up
/// once per spelling and then matched as a number on each of the file's lines; `Other` for
/// the keys no section reads (a bank's name, the payment's code).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Key {
    SectionAccount,
    SectionDocument,
    EndAccount,
    EndDocument,
    EndFile,
    /// Another `Секция…` or `Конец…` word: a section this reader does not know.
    SectionWord,
    Version,
    PeriodFrom,
    PeriodTo,
    Account,
    Opening,
    Credited,
    Debited,
    Closing,
    Number,
    Date,
    Amount,
    Payer,
    PayerInn,
    PayerAccount,
    PayerBank,
    Receiver,
    ReceiverInn,
    ReceiverAccount,
    ReceiverBank,
    CreditedOn,
    DebitedOn,
    /// `НазначениеПлатежа` and its continuation lines `НазначениеПлатежа1..6`.
    Purpose,
    Other,
}

/// Each key as the format spells it. Several spellings of one field share a key; the first
/// a document gives wins over the later ones (`Плательщик` over `Плательщик1`,
/// `ПлательщикСчет` over `ПлательщикРасчСчет`).
const KEYS: [(&str, Key); 33] = [
    ("СекцияРасчСчет", Key::SectionAccount),
    ("СекцияДокумент", Key::SectionDocument),
    ("КонецРасчСчет", Key::EndAccount),
    ("КонецДокумента", Key::EndDocument),
    ("КонецФайла", Key::EndFile),
    ("ВерсияФормата", Key::Version),
    ("ДатаНачала", Key::PeriodFrom),
    ("ДатаКонца", Key::PeriodTo),
    ("РасчСчет", Key::Account),
    ("НачальныйОстаток", Key::Opening),
    ("ВсегоПоступило", Key::Credited),
    ("ВсегоСписано", Key::Debited),
    ("КонечныйОстаток", Key::Closing),
    ("Номер", Key::Number),
    ("Дата", Key::Date),
    ("Сумма", Key::Amount),
    ("Плательщик", Key::Payer),
    ("Плательщик1", Key::Payer),
    ("ПлательщикИНН", Key::PayerInn),
    ("ПлательщикСчет", Key::PayerAccount),
    ("ПлательщикРасчСчет", Key::PayerAccount),
    ("ПлательщикМФО", Key::PayerBank),
    ("ПлательщикБИК", Key::PayerBank),
    ("Получатель", Key::Receiver),
    ("Получатель1", Key::Receiver),
    ("ПолучательИНН", Key::ReceiverInn),
    ("ПолучательСчет", Key::ReceiverAccount),
    ("ПолучательРасчСчет", Key::ReceiverAccount),
    ("ПолучательМФО", Key::ReceiverBank),
    ("ПолучательБИК", Key::ReceiverBank),
    ("ДатаПоступило", Key::CreditedOn),
    ("ДатаСписано", Key::DebitedOn),
    ("НазначениеПлатежа", Key::Purpose),
];

impl Key {
    /// The key a word reads as; the continuation lines of the purpose by their prefix.
    fn of(word: &str) -> Key {
        if let Some((_, k)) = KEYS.iter().find(|(w, _)| *w == word) {
            *k
        } else if word.starts_with("НазначениеПлатежа") {
            Key::Purpose
        } else if word.starts_with("Секция") || word.starts_with("Конец") {
            Key::SectionWord
        } else {
            Key::Other
        }
    }

    /// Its first spelling in [`KEYS`] (none for the words matched by prefix).
    fn word(self) -> &'static str {
        KEYS.iter().find(|(_, k)| *k == self).map_or("", |(w, _)| w)
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
    line: usize,
    kind: Text,
    number: Option<Text>,
    date: Option<Date>,
    amount: Option<Money>,
    credited_on: Option<Date>,
    debited_on: Option<Date>,
    /// The texts shared with other documents, by [`shared_slot`]. Filled as their lines
    /// come; only the fields still missing at the end are given the empty text (given to
    /// every field first and dropped again as each was filled, it cost two atomic counts
    /// per field and document).
    shared: [Option<Text>; 8],
    /// `НазначениеПлатежа` and its continuation lines `НазначениеПлатежа1..6`.
    purpose: String,
}

/// Where a shared text's field is kept in [`DocumentDraft::shared`].
fn shared_slot(key: Key) -> Option<usize> {
    Some(match key {
        Key::Payer => 0,
        Key::PayerInn => 1,
        Key::PayerAccount => 2,
        Key::PayerBank => 3,
        Key::Receiver => 4,
        Key::ReceiverInn => 5,
        Key::ReceiverAccount => 6,
        Key::ReceiverBank => 7,
        _ => return None,
    })
}

impl DocumentDraft {
    fn new(line: usize, kind: Text, purpose: String) -> DocumentDraft {
        DocumentDraft {
            line,
            kind,
            number: None,
            date: None,
            amount: None,
            credited_on: None,
            debited_on: None,
            shared: Default::default(),
            purpose,
        }
    }

    /// The transaction, each field it did not give the empty text; and the purpose's
    /// buffer, for the next document.
    fn finish(self, empty: &Text) -> (Transaction, String) {
        let [payer, payer_inn, payer_account, payer_bank, receiver, receiver_inn, receiver_account, receiver_bank] =
            self.shared.map(|t| t.unwrap_or_else(|| empty.clone()));
        let t = Transaction {
            line: self.line,
            kind: self.kind,
            number: self.number.unwrap_or_else(|| empty.clone()),
            date: self.date,
            amount: self.amount.unwrap_or(Money::ZERO),
            payer,
            payer_inn,
            payer_account,
            payer_bank,
            receiver,
            receiver_inn,
            receiver_account,
            receiver_bank,
            purpose: self.purpose.as_str().into(),
            credited_on: self.credited_on,
            debited_on: self.debited_on,
        };
        (t, self.purpose)
    }
}

/// The file's encoding, and the values it has decoded and interned.
struct Texts {
    decoder: Decoder,
    words: Words,
    /// The fast path's decoded value.
    buf: String,
}

impl Texts {
    /// A value as text (the fast path's decoded into a reused buffer).
    fn text<'s>(&'s mut self, value: &Value<'s>) -> &'s str {
        match *value {
            Value::Text(s) => s,
            Value::Raw(raw) => self.decoder.checked_text(raw, &mut self.buf),
        }
    }

    /// A value as a shared, trimmed text.
    fn word(&mut self, key: Key, value: &Value) -> Text {
        self.words.get(key, value, &self.decoder, &mut self.buf)
    }
}

/// The field a key of a `СекцияДокумент` fills; the first spelling a document gives wins
/// (see [`KEYS`]). `word` is the key as written, for the errors.
fn document_field(
    r: &Reader,
    d: &mut DocumentDraft,
    texts: &mut Texts,
    n: usize,
    (key, word): (Key, &str),
    value: &Value,
) -> Result<(), StatementError> {
    match key {
        Key::Number => d.number = Some(texts.text(value).trim().into()),
        Key::Date => {
            let date = parse_date(r, n, word, texts.text(value))?;
            d.date = Some(date.ok_or_else(|| r.err(n, "Дата is empty"))?);
        }
        Key::Amount => d.amount = Some(parse_amount(r, n, word, texts.text(value))?),
        Key::CreditedOn => d.credited_on = parse_date(r, n, word, texts.text(value))?,
        Key::DebitedOn => d.debited_on = parse_date(r, n, word, texts.text(value))?,
        Key::Purpose => {
            let v = texts.text(value).trim();
            if !v.is_empty() {
                if !d.purpose.is_empty() {
                    d.purpose.push(' ');
                }
                d.purpose.push_str(v);
            }
        }
        _ => {
            // The first spelling that gives a text wins (an empty one does not).
            if let Some(slot) = shared_slot(key).and_then(|i| d.shared.get_mut(i)) {
                if slot.as_ref().is_none_or(|t| t.is_empty()) {
                    *slot = Some(texts.word(key, value));
                }
            }
        }
    }
    Ok(())
}

fn account_field(
    r: &Reader,
    a: &mut AccountSection,
    n: usize,
    (key, word): (Key, &str),
    value: &str,
) -> Result<(), StatementError> {
    match key {
        Key::Account => a.account = value.trim().to_string(),
        Key::PeriodFrom => a.from = parse_date(r, n, word, value)?,
        Key::PeriodTo => a.to = parse_date(r, n, word, value)?,
        Key::Opening => a.opening = optional_amount(r, n, word, value)?,
        Key::Credited => a.credited = optional_amount(r, n, word, value)?,
        Key::Debited => a.debited = optional_amount(r, n, word, value)?,
        Key::Closing => a.closing = optional_amount(r, n, word, value)?,
        _ => {}
    }
    Ok(())
}

enum Section {
    Header,
    // Boxed: a parser moves its section out and back on every line.
    Account(Box<AccountSection>),
    Document(Box<DocumentDraft>),
}

impl Section {
    fn start(&self) -> Option<usize> {
        match self {
            Section::Header => None,
            Section::Account(a) => Some(a.line),
            Section::Document(d) => Some(d.line),
        }
    }
}

/// The text of a line, held to the file's encoding.
enum Decoder {
    Utf8,
    Single(&'static Encoding, Box<SingleByte>),
}

impl Decoder {
    /// Refuses a line that is not text of the file's encoding, as [`Decoder::text`] does,
    /// without decoding it.
    fn check(&self, r: &Reader, n: usize, raw: &[u8]) -> Result<(), StatementError> {
        if raw.is_ascii() {
            return Ok(());
        }
        match self {
            Decoder::Utf8 => std::str::from_utf8(raw)
                .map(drop)
                .map_err(|_| r.err(n, "bytes that are not UTF-8 text")),
            Decoder::Single(encoding, table) => {
                if is_multibyte_utf8(raw) {
                    return Err(r.err(
                        n,
                        format!(
                            "this line is UTF-8 in a file declared {}: mixed encodings",
                            encoding.name()
                        ),
                    ));
                }
                if !table.defined(raw) {
                    return Err(r.err(n, format!("bytes that are not {} text", encoding.name())));
                }
                Ok(())
            }
        }
    }

    /// Whether a line whose key was read as text of the encoding passes [`Decoder::check`],
    /// told from its value alone. A key of a single-byte file is ASCII or not UTF-8 (a
    /// UTF-8 key was refused as mixed); the bytes between are ASCII, where no UTF-8
    /// sequence starts or ends. So the line is multi-byte UTF-8 only when its key is ASCII
    /// and its value is multi-byte UTF-8; and its bytes are all the encoding's when its
    /// value's are.
    fn value_fits(&self, key_ascii: bool, value: &[u8]) -> bool {
        if value.is_ascii() {
            return true;
        }
        match self {
            Decoder::Utf8 => std::str::from_utf8(value).is_ok(),
            Decoder::Single(_, table) => {
                table.defined(value) && !(key_ascii && is_multibyte_utf8(value))
            }
        }
    }

    /// The line as text: borrowed when it is ASCII or UTF-8, else decoded into `buf`.
    fn text<'b>(
        &self,
        r: &Reader,
        n: usize,
        raw: &'b [u8],
        buf: &'b mut String,
    ) -> Result<&'b str, StatementError> {
        self.check(r, n, raw)?;
        Ok(self.checked_text(raw, buf))
    }

    /// The text of bytes [`Decoder::check`] let through (as part of their line).
    fn checked_text<'b>(&self, raw: &'b [u8], buf: &'b mut String) -> &'b str {
        match self {
            // Checked: ASCII, or UTF-8 in a UTF-8 file.
            Decoder::Utf8 => std::str::from_utf8(raw).unwrap_or_default(),
            Decoder::Single(..) if raw.is_ascii() => std::str::from_utf8(raw).unwrap_or_default(),
            Decoder::Single(_, table) => {
                table.decode(raw, buf);
                buf
            }
        }
    }
}

/// The line-by-line reader of one file: a section at a time, each handed to the sink as
/// it ends.
struct Parser<'r, 's> {
    r: Reader<'r>,
    texts: Texts,
    sink: &'s mut dyn Sink,
    head: Head,
    section: Section,
    seen_signature: bool,
    ended: Option<usize>,
    last: usize,
    buf: String,
    keys: Keys,
    fast: bool,
    max_documents: usize,
    /// The last document's purpose buffer, for the next.
    purpose: String,
}

/// The distinct keys remembered: a file has a few dozen; a hostile one is held to this.
const MAX_KEYS: usize = 1 << 10;
/// The longest key remembered: the format's longest (`ПолучательРасчСчет`, 36 bytes in
/// UTF-8) with room; a longer one is a hostile line's, read each time and never held.
const MAX_KEY_BYTES: usize = 64;

/// A key as read: the key and its spelling in [`KEYS`], named in errors (`None` for bytes
/// that are not a key: the whole-line path names the error), and whether its bytes are
/// ASCII. Plain fields, copied whole: a tuple of an option and a flag was laid out at odd
/// offsets, and reading it back stalled on every line.
#[derive(Clone, Copy)]
struct KeyRead {
    word: &'static str,
    key: Option<Key>,
    ascii: bool,
}

impl KeyRead {
    fn of(raw: &[u8], key: Option<Key>) -> KeyRead {
        KeyRead {
            word: key.map_or("", Key::word),
            key,
            ascii: raw.is_ascii(),
        }
    }
}

/// A key's bytes as written, what they read as, and the key that followed it last.
struct Seen {
    bytes: Box<[u8]>,
    read: KeyRead,
    next: usize,
}

/// Each key's bytes, as written, to the key they read as: a file repeats a few dozen keys
/// a million times, and its documents give them in one order. The key that followed this
/// line's last time is tried first, compared inline, before the hash map.
#[derive(Default)]
struct Keys {
    /// The keys seen, by the order first seen.
    seen: Vec<Seen>,
    index: foldhash::HashMap<Box<[u8]>, usize>,
    /// The last line's key in `seen`.
    previous: usize,
}

impl Keys {
    /// The key `raw` reads as; `read` reads it the first time.
    fn get(&mut self, raw: &[u8], read: impl FnOnce() -> Option<Key>) -> KeyRead {
        if raw.len() > MAX_KEY_BYTES {
            // No key of the format is this long: read each time, never held.
            return KeyRead::of(raw, read());
        }
        let guess = self.seen.get(self.previous).map(|s| s.next);
        let at = match guess.filter(|&g| self.seen.get(g).is_some_and(|s| same(&s.bytes, raw))) {
            Some(g) => g,
            None => self.find(raw, read),
        };
        if let Some(previous) = self.seen.get_mut(self.previous) {
            previous.next = at;
        }
        self.previous = at;
        self.seen.get(at).map_or(KeyRead::of(b"", None), |s| s.read)
    }

    fn find(&mut self, raw: &[u8], read: impl FnOnce() -> Option<Key>) -> usize {
        if let Some(&at) = self.index.get(raw) {
            return at;
        }
        if self.seen.len() >= MAX_KEYS {
            self.seen.clear();
            self.index.clear();
        }
        let at = self.seen.len();
        self.seen.push(Seen {
            bytes: raw.into(),
            read: KeyRead::of(raw, read()),
            next: usize::MAX,
        });
        self.index.insert(raw.into(), at);
        at
    }
}

/// Equal bytes, compared eight at a time inline: a key is a few dozen bytes, and a call to
/// `memcmp` for each line costs more than the compare.
fn same(a: &[u8], b: &[u8]) -> bool {
    let word = |c: &[u8]| u64::from_ne_bytes(c.try_into().unwrap_or_default());
    let (wa, wb) = (a.chunks_exact(8), b.chunks_exact(8));
    a.len() == b.len()
        && wa.remainder().iter().eq(wb.remainder())
        && wa.zip(wb).all(|(x, y)| word(x) == word(y))
}

/// Where a parse stands between two lines: all that the next line is read against.
struct State {
    head: Head,
    section: Section,
    seen_signature: bool,
    ended: Option<usize>,
    /// The last line read.
    last: usize,
}

impl State {
    fn start(encoding: &'static Encoding) -> State {
        State {
            head: Head {
                encoding: encoding.name().to_string(),
                ..Head::default()
            },
            section: Section::Header,
            seen_signature: false,
            ended: None,
            last: 0,
        }
    }
}

/// What a parser keeps from line to line to read faster, never differently: the decoder,
/// the interned texts, the keys seen, a purpose's buffer.
struct Memory {
    texts: Texts,
    keys: Keys,
    purpose: String,
}

impl Memory {
    fn new(encoding: &'static Encoding) -> Memory {
        Memory {
            texts: Texts {
                decoder: if encoding == UTF_8 {
                    Decoder::Utf8
                } else {
                    Decoder::Single(encoding, Box::new(SingleByte::new(encoding)))
                },
                words: Words {
                    empty: Text::from(String::new()),
                    ..Words::default()
                },
                buf: String::new(),
            },
            keys: Keys::default(),
            purpose: String::new(),
        }
    }
}

impl<'r, 's> Parser<'r, 's> {
    fn new(r: Reader<'r>, encoding: &'static Encoding, sink: &'s mut dyn Sink) -> Self {
        Parser::resume(r, Memory::new(encoding), State::start(encoding), sink)
    }

    /// A parser that goes on from `state`, as the one that reached it would.
    fn resume(r: Reader<'r>, memory: Memory, state: State, sink: &'s mut dyn Sink) -> Self {
        Parser {
            r,
            texts: memory.texts,
            sink,
            head: state.head,
            section: state.section,
            seen_signature: state.seen_signature,
            ended: state.ended,
            last: state.last,
            buf: String::new(),
            keys: memory.keys,
            fast: true,
            max_documents: crate::limits::MAX_DOCUMENTS,
            purpose: memory.purpose,
        }
    }

    fn into_parts(self) -> (Memory, State) {
        (
            Memory {
                texts: self.texts,
                keys: self.keys,
                purpose: self.purpose,
            },
            State {
                head: self.head,
                section: self.section,
                seen_signature: self.seen_signature,
                ended: self.ended,
                last: self.last,
            },
        )
    }

    /// The header's last line held (`rest`) and every line after it, one by one, and the
    /// file's end.
    fn rest_in_order(
        mut self,
        rest: Option<(usize, Vec<u8>)>,
        lines: &mut Lines,
    ) -> Result<Head, StatementError> {
        if let Some((n, raw)) = rest {
            self.line(n, &raw)?;
        }
        while let Some((n, raw)) = lines.next(&self.r)? {
            self.line(n, raw)?;
        }
        self.finish()
    }

    fn line(&mut self, n: usize, raw: &[u8]) -> Result<(), StatementError> {
        self.last = n;
        let mut buf = std::mem::take(&mut self.buf);
        let result = self.text_line(n, raw, &mut buf);
        self.buf = buf;
        result
    }

    /// A line of the body, read without decoding its key (looked up by its bytes) or a
    /// value no field needs as text. Whatever this path cannot read as the whole-line path
    /// reads it (a key that is not one, a section word it does not know, a first or last
    /// line) goes to [`Parser::whole_line`].
    fn text_line(&mut self, n: usize, raw: &[u8], buf: &mut String) -> Result<(), StatementError> {
        if !self.seen_signature || self.ended.is_some() || !self.fast {
            return self.whole_line(n, raw, buf);
        }
        let line = raw.trim_ascii();
        if line.is_empty() {
            return Ok(());
        }
        let (key_raw, value_raw) = match memchr::memchr(b'=', line) {
            Some(i) => (&line[..i], &line[i + 1..]),
            None => (line, &b""[..]),
        };
        let read = self.key(key_raw, buf);
        match read.key {
            Some(key) if key != Key::SectionWord => {
                // The line is held to the encoding as `Decoder::check` holds it, through
                // its value: the key was checked when first read.
                if !self.texts.decoder.value_fits(read.ascii, value_raw) {
                    self.texts.decoder.check(&self.r, n, raw)?;
                }
                match key {
                    // A key no section reads (a bank's name, the payment's code): its value
                    // is checked text and nothing more.
                    Key::Other => Ok(()),
                    // Its value is decoded, when at all, without a second check.
                    _ => self.dispatch(n, (key, read.word), Value::Raw(value_raw)),
                }
            }
            _ => self.whole_line(n, raw, buf),
        }
    }

    /// The key a key's bytes read as, decoded and checked once per distinct spelling.
    fn key(&mut self, raw: &[u8], buf: &mut String) -> KeyRead {
        let (decoder, r) = (&self.texts.decoder, &self.r);
        self.keys.get(raw, || {
            decoder
                .text(r, 0, raw, buf)
                .ok()
                .map(str::trim)
                .filter(|k| !k.is_empty() && k.chars().all(is_key_char))
                .map(Key::of)
        })
    }

    fn whole_line(&mut self, n: usize, raw: &[u8], buf: &mut String) -> Result<(), StatementError> {
        let r = &self.r;
        let line = self.texts.decoder.text(r, n, raw, buf)?.trim();
        if line.is_empty() {
            return Ok(());
        }
        if self.ended.is_some() {
            return Err(r.err(n, "text after КонецФайла"));
        }
        if !self.seen_signature {
            if line != SIGNATURE {
                return Err(r.err(n, "the first line must be 1CClientBankExchange"));
            }
            self.seen_signature = true;
            return Ok(());
        }
        let (word, value) = match line.split_once('=') {
            Some((k, v)) => (k.trim(), v),
            None => (line, ""),
        };
        if word.is_empty() || !word.chars().all(is_key_char) {
            return Err(r.err(
                n,
                format!("{line:?} is not a KEY=VALUE line (a wrong encoding?)"),
            ));
        }
        self.dispatch(n, (Key::of(word), word), Value::Text(value))
    }

    /// A `KEY=VALUE` line of the body, in its section.
    fn dispatch(
        &mut self,
        n: usize,
        (key, word): (Key, &str),
        value: Value,
    ) -> Result<(), StatementError> {
        let r = &self.r;
        let section = std::mem::replace(&mut self.section, Section::Header);
        self.section = match (section, key) {
            (Section::Header, Key::SectionAccount) => Section::Account(Box::new(AccountSection {
                line: n,
                account: String::new(),
                from: None,
                to: None,
                opening: None,
                credited: None,
                debited: None,
                closing: None,
            })),
            (Section::Header, Key::SectionDocument) => {
                // The last document's purpose buffer, reused; the draft is the document's
                // own (its transaction goes to the sink whole).
                let kind = self.texts.word(key, &value);
                let mut purpose = std::mem::take(&mut self.purpose);
                purpose.clear();
                Section::Document(Box::new(DocumentDraft::new(n, kind, purpose)))
            }
            (Section::Header, Key::EndFile) => {
                self.ended = Some(n);
                Section::Header
            }
            (Section::Header, k) => {
                header_field(r, &mut self.head, n, (k, word), self.texts.text(&value))?;
                if matches!(k, Key::PeriodFrom | Key::PeriodTo) {
                    self.sink.period(self.head.period_from, self.head.period_to);
                }
                Section::Header
            }
            (Section::Account(a), Key::EndAccount) => {
                self.sink.account(*a);
                Section::Header
            }
            (Section::Document(d), Key::EndDocument) => {
                if d.amount.is_none() {
                    return Err(r.err(d.line, "a document without Сумма"));
                }
                if d.date.is_none() {
                    return Err(r.err(d.line, "a document without Дата"));
                }
                let (t, purpose) = d.finish(&self.texts.words.empty);
                // The purpose's buffer, reused by the next document.
                self.purpose = purpose;
                self.head.documents += 1;
                if self.head.documents > self.max_documents {
                    return Err(StatementError {
                        refusal: crate::Refusal::OverLimit,
                        ..r.err(
                            n,
                            format!(
                                "more than {} documents: more than a statement may hold",
                                self.max_documents
                            ),
                        )
                    });
                }
                self.sink.transaction(Cow::Owned(t));
                Section::Header
            }
            (
                open,
                Key::SectionAccount
                | Key::SectionDocument
                | Key::EndAccount
                | Key::EndDocument
                | Key::EndFile
                | Key::SectionWord,
            ) => {
                return Err(r.err(
                    n,
                    format!(
                        "{word} inside the section opened on line {}, which has no end",
                        open.start().unwrap_or(n)
                    ),
                ));
            }
            (Section::Account(mut a), k) => {
                account_field(r, &mut a, n, (k, word), self.texts.text(&value))?;
                Section::Account(a)
            }
            (Section::Document(mut d), k) => {
                document_field(r, &mut d, &mut self.texts, n, (k, word), &value)?;
                Section::Document(d)
            }
        };
        Ok(())
    }

    fn finish(self) -> Result<Head, StatementError> {
        let r = &self.r;
        if !self.seen_signature {
            return Err(r.err(1, "the file is empty"));
        }
        if self.ended.is_none() {
            let open = self
                .section
                .start()
                .map(|l| format!(" (the section opened on line {l} never ends)"))
                .unwrap_or_default();
            return Err(r.err(
                self.last,
                format!("the file is truncated: no КонецФайла{open}"),
            ));
        }
        Ok(self.head)
    }
}

/// What a 1C file says of itself, beside its sections and documents.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Head {
    pub encoding: String,
    pub version: Option<String>,
    pub period_from: Option<Date>,
    pub period_to: Option<Date>,
    pub documents: usize,
}

/// Where a streamed file's items go, in the file's order.
pub trait Sink {
    /// The header's period, each time a header date is read.
    fn period(&mut self, from: Option<Date>, to: Option<Date>);
    fn account(&mut self, section: AccountSection);
    /// A document: owned when the reader is done with it; borrowed from the parallel
    /// reader, which drops it on the thread that made it (a sink that keeps it copies it).
    fn transaction(&mut self, t: Cow<'_, Transaction>);
}

/// The longest line read: a 1C line is a key and a value of some dozens of characters; a
/// longer one is a binary or hostile file, refused before it is held.
pub const MAX_LINE: usize = 1 << 20;
/// The header lines held to tell the encoding (a header has a dozen), and their bytes: a
/// hostile header of a thousand megabyte-long lines would otherwise be held whole.
const MAX_HEADER_LINES: usize = 1_000;
const MAX_HEADER_BYTES: usize = 64 << 10;

/// A sink that keeps what it is given: a whole statement, for the readers of files held
/// in memory.
pub(crate) struct Collect(pub Statement);

impl Collect {
    /// An empty statement of `file` in `format`, room for `documents`.
    pub(crate) fn new(file: &str, format: &str, documents: usize) -> Collect {
        Collect(Statement {
            file: file.to_string(),
            format: format.into(),
            encoding: String::new(),
            version: None,
            period_from: None,
            period_to: None,
            accounts: Vec::new(),
            transactions: Vec::with_capacity(documents),
        })
    }
}

impl Sink for Collect {
    fn period(&mut self, from: Option<Date>, to: Option<Date>) {
        (self.0.period_from, self.0.period_to) = (from, to);
    }
    fn account(&mut self, section: AccountSection) {
        self.0.accounts.push(section);
    }
    fn transaction(&mut self, t: Cow<'_, Transaction>) {
        self.0.transactions.push(t.into_owned());
    }
}

/// Reads a whole file held in memory.
pub fn read(file: &str, bytes: &[u8]) -> Result<Statement, StatementError> {
    // A document takes some 250 bytes; reserving spares the copies of a growing Vec.
    let mut c = Collect::new(file, SIGNATURE, bytes.len() / 250);
    let head = stream(file, &mut &bytes[..], &mut c)?;
    c.0.encoding = head.encoding;
    c.0.version = head.version;
    Ok(c.0)
}

/// Reads a file from `input` a block at a time, handing each section and document to the
/// sink as it ends: memory holds one block and one line, whatever the file's size. An
/// error names the line; what the sink was given before it is the caller's to drop.
pub fn stream(
    file: &str,
    input: &mut dyn std::io::Read,
    sink: &mut dyn Sink,
) -> Result<Head, StatementError> {
    stream_by(file, input, sink, true, crate::limits::MAX_DOCUMENTS)
}

/// `fast: false` reads every line whole, as a reference for the fast path in the tests;
/// `max_documents` is the limit, smaller in the tests.
fn stream_by(
    file: &str,
    input: &mut dyn std::io::Read,
    sink: &mut dyn Sink,
    fast: bool,
    max_documents: usize,
) -> Result<Head, StatementError> {
    let r = Reader { file };
    let mut lines = Lines::new(input);
    let (header, rest, encoding) = read_header(&r, &mut lines)?;
    let mut p = Parser::new(r, encoding, sink);
    p.fast = fast;
    p.max_documents = max_documents;
    for (n, raw) in &header {
        p.line(*n, raw)?;
    }
    p.rest_in_order(rest, &mut lines)
}

/// A file's header lines, held until the first section's line (the second item) tells the
/// encoding apart, and the encoding.
type Header = (
    Vec<(usize, Vec<u8>)>,
    Option<(usize, Vec<u8>)>,
    &'static Encoding,
);

fn read_header(r: &Reader, lines: &mut Lines) -> Result<Header, StatementError> {
    let mut header: Vec<(usize, Vec<u8>)> = Vec::new();
    let mut rest: Option<(usize, Vec<u8>)> = None;
    let mut held = 0;
    while let Some((n, raw)) = lines.next(r)? {
        let raw = if n == 1 {
            raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw)
        } else {
            raw
        };
        if is_section_start(raw) || header.len() >= MAX_HEADER_LINES || held >= MAX_HEADER_BYTES {
            rest = Some((n, raw.to_vec()));
            break;
        }
        held += raw.len();
        header.push((n, raw.to_vec()));
    }
    let encoding = choose_encoding(r, &header, rest.as_ref().map(|(_, l)| l.as_slice()))?;
    Ok((header, rest, encoding))
}

/// The first line of a section (`СекцияРасчСчет`, `СекцияДокумент`) in any of the three
/// encodings: the header ends there.
fn is_section_start(line: &[u8]) -> bool {
    let line = line.trim_ascii_start();
    line.starts_with(b"\xD1\xE5\xEA\xF6\xE8\xFF")
        || line.starts_with(b"\x91\xA5\xAA\xE6\xA8\xEF")
        || line.starts_with("Секция".as_bytes())
}

/// The byte lines of a `Read` (without `\r\n`), numbered from 1, a block at a time.
struct Lines<'a> {
    input: &'a mut dyn std::io::Read,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    done: bool,
    n: usize,
    /// Where the last line handed out starts in `buf` (until the next `fill`).
    last_start: usize,
}

impl<'a> Lines<'a> {
    fn new(input: &'a mut dyn std::io::Read) -> Lines<'a> {
        Lines {
            input,
            buf: vec![0; 256 * 1024],
            start: 0,
            end: 0,
            eof: false,
            done: false,
            n: 0,
            last_start: 0,
        }
    }

    fn next(&mut self, r: &Reader) -> Result<Option<(usize, &[u8])>, StatementError> {
        loop {
            if self.done {
                return Ok(None);
            }
            if let Some(i) = line_end(r, self.n + 1, &self.buf[self.start..self.end])? {
                self.last_start = self.start;
                let line = &self.buf[self.start..self.start + i];
                self.start += i + 1;
                self.n += 1;
                return Ok(Some((self.n, without_cr(line))));
            }
            if self.eof {
                // What follows the last newline is a line too (empty after a final one).
                self.done = true;
                self.last_start = self.start;
                self.n += 1;
                return Ok(Some((self.n, without_cr(&self.buf[self.start..self.end]))));
            }
            self.fill(r)?;
        }
    }

    /// The bytes from the start of the last line handed out to the end of what was read:
    /// where a reader that takes over from this one goes on.
    fn unread(&self) -> &[u8] {
        &self.buf[self.last_start..self.end]
    }

    /// Whether the input's end was met (it is not read again).
    fn ended(&self) -> bool {
        self.eof
    }

    fn fill(&mut self, r: &Reader) -> Result<(), StatementError> {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            // `next` refused the line before it outgrew MAX_LINE: the buffer stays under
            // twice that.
            self.buf.resize(self.buf.len() * 2, 0);
        }
        loop {
            match self.input.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(());
                }
                Ok(k) => {
                    self.end += k;
                    return Ok(());
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(r.err(self.n + 1, format!("the file could not be read: {e}"))),
            }
        }
    }
}

/// Where line `n`, at the start of `pending`, ends (its newline), `None` while it has
/// none; refused once it is longer than [`MAX_LINE`] (its `\r` counted), whatever follows.
/// Every reader of lines cuts them here ([`Lines`], the parallel reader's chunks).
fn line_end(r: &Reader, n: usize, pending: &[u8]) -> Result<Option<usize>, StatementError> {
    let end = memchr::memchr(b'\n', pending);
    if end.unwrap_or(pending.len()) > MAX_LINE {
        return Err(StatementError {
            refusal: crate::Refusal::OverLimit,
            ..r.err(
                n,
                format!("a line longer than {MAX_LINE} bytes: not a 1C client-bank file"),
            )
        });
    }
    Ok(end)
}

/// A line without the `\r` of its `\r\n`.
fn without_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn header_field(
    r: &Reader,
    st: &mut Head,
    n: usize,
    (key, word): (Key, &str),
    value: &str,
) -> Result<(), StatementError> {
    let v = value.trim();
    match key {
        Key::Version => {
            if !["1.01", "1.02", "1.03"].contains(&v) {
                return Err(r.err(n, format!("ВерсияФормата={v}: this reader knows 1.01–1.03")));
            }
            st.version = Some(v.to_string());
        }
        Key::PeriodFrom => st.period_from = parse_date(r, n, word, v)?,
        Key::PeriodTo => st.period_to = parse_date(r, n, word, v)?,
        _ => {}
    }
    Ok(())
}

mod parallel;
pub use parallel::stream_parallel;

#[cfg(test)]
mod tests;

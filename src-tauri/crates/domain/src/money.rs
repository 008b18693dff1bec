//! Money, percentages and calendar values as they travel in a case file.
//!
//! Money is a JSON *string* holding a decimal ("125000000.00"), never a float: a float
//! cannot hold most tiyin amounts exactly, and the schedule must agree with the core bank
//! to the tiyin. Every rounding in the product goes through [`round_to_unit`], half-up.
//!
//! [`Money`] guards its decimal, which stays private. Every constructor holds two
//! invariants, so a value read from a file is the value computed with and printed:
//! - at most 2 decimals, an amount being in tiyin at most: "12.345" is refused rather than
//!   rounded, and printing never rounds. Text is judged as written, so "12.500" is refused
//!   too: no case file, product file, statement or bureau report the bank sends carries a
//!   third decimal, and a writer that adds one is better told than guessed. A computed
//!   `Decimal` is judged by its value ([`Money::try_from_decimal`]): 12.500 is 12.50;
//! - |amount| ≤ 10^15 UZS ([`Money::MAX`]), far above any loan and far below `Decimal`'s
//!   7.9 × 10^28, so sums of amounts and products with ratios ≤ 1 stay exact and cannot
//!   overflow. A product of two amounts could; Money offers none.
//!
//! Arithmetic on Money is checked (`checked_add`, `checked_sub`, `checked_sum`): a result
//! outside the bounds is `None`, never a panic (rust_decimal's operators panic on overflow)
//! nor a silent wrap. The saturating forms hold a result at ±10^15; they serve figures where
//! that errs on the safe side (an income that only an absurd file could push past it).

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

/// 10^15, spelt in `Decimal`'s parts because `Decimal::from` is not `const` (the test
/// `the_limit_is_ten_to_the_fifteenth` checks the digits).
const LIMIT: Decimal = Decimal::from_parts(0xA4C6_8000, 0x0003_8D7E, 0, false, 0);

/// Why a value is not an amount of money.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("not a decimal amount (digits, then a dot and decimals if any: \"125000000.00\")")]
    NotAnAmount,
    #[error("more than 2 decimals (an amount is in tiyin at most)")]
    TooManyDecimals,
    #[error("above the largest amount accepted (10^15 UZS)")]
    AboveLimit,
}

/// An amount in UZS: at most 2 decimals and at most 10^15 in size (see the module header).
/// Printed with exactly two decimals.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, ts_rs::TS)]
#[ts(type = "string")]
pub struct Money(Decimal);

impl Money {
    pub const ZERO: Money = Money(Decimal::ZERO);
    /// The largest amount accepted, 10^15 UZS; the smallest is −10^15.
    pub const MAX: Money = Money(LIMIT);

    /// Reads an amount as a file writes it: the strict syntax of [`parse_decimal`], at most
    /// 2 decimals as written, at most 10^15 in size. Any text, however long, gives an
    /// answer rather than a panic.
    pub fn parse(s: &str) -> Result<Money, MoneyError> {
        let (int, frac) = decimal_parts(s).ok_or(MoneyError::NotAnAmount)?;
        if frac.len() > 2 {
            return Err(MoneyError::TooManyDecimals);
        }
        // Judged on the digits first: `Decimal` refuses more than 28 of them.
        if int.trim_start_matches('0').len() > 16 {
            return Err(MoneyError::AboveLimit);
        }
        let d = Decimal::from_str_exact(s).map_err(|_| MoneyError::NotAnAmount)?;
        Money::try_from_decimal(d)
    }

    /// A computed value as Money, exactly: refused when it is not a whole number of tiyin
    /// or lies beyond ±10^15.
    pub fn try_from_decimal(d: Decimal) -> Result<Money, MoneyError> {
        if !within_limit(d) {
            return Err(MoneyError::AboveLimit);
        }
        // Held with at most 2 decimals, it is tiyin already (`round_dp` returns it as it is).
        let tiyin = if d.scale() > 2 { d.round_dp(2) } else { d };
        if tiyin != d {
            return Err(MoneyError::TooManyDecimals);
        }
        // −0.00 prints as 0.00.
        Ok(if tiyin.is_zero() {
            Money::ZERO
        } else {
            Money(tiyin)
        })
    }

    /// A computed value rounded half-up to `unit` (the product's rounding unit, a whole
    /// number of tiyin) and then to the tiyin; refused beyond ±10^15.
    pub fn round_half_up(d: Decimal, unit: Decimal) -> Result<Money, MoneyError> {
        // Checked first: dividing a huge value by the unit could overflow.
        if d.abs() > LIMIT {
            return Err(MoneyError::AboveLimit);
        }
        Money::try_from_decimal(to_tiyin(round_to_unit(d, unit)))
    }

    /// [`Money::round_half_up`], held at ±10^15 instead of refused there.
    pub fn round_half_up_saturating(d: Decimal, unit: Decimal) -> Money {
        let rounded = to_tiyin(round_to_unit(d.clamp(-LIMIT, LIMIT), unit));
        Money(rounded.clamp(-LIMIT, LIMIT))
    }

    /// The decimal, for computations that leave Money: rates, ratios, comparisons with a
    /// limit, rounding.
    pub fn decimal(self) -> Decimal {
        self.0
    }

    /// The amount as a whole number of tiyin: exact, an amount having at most 2 decimals,
    /// and within ±10^17, so inside an i64.
    pub fn tiyin(self) -> i64 {
        let mut d = self.0;
        d.rescale(2);
        // |mantissa| ≤ 10^17 < 2^63 at scale 2.
        d.mantissa() as i64
    }

    /// `t` tiyin as an amount; `None` beyond ±10^15 UZS.
    pub fn from_tiyin(t: i64) -> Option<Money> {
        let d = Decimal::new(t, 2);
        if !within_limit(d) {
            return None;
        }
        Some(if t == 0 { Money::ZERO } else { Money(d) })
    }

    /// The size of the amount; the bounds are symmetric, so it is always an amount.
    pub fn abs(self) -> Money {
        Money(self.0.abs())
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0
            .checked_add(other.0)
            .and_then(|d| Money::try_from_decimal(d).ok())
    }

    pub fn checked_sub(self, other: Money) -> Option<Money> {
        self.0
            .checked_sub(other.0)
            .and_then(|d| Money::try_from_decimal(d).ok())
    }

    /// The sum, or `None` when it lies beyond ±10^15. Only the total is judged: partial
    /// sums are exact `Decimal`s (billions of amounts would not reach its range).
    pub fn checked_sum(items: impl IntoIterator<Item = Money>) -> Option<Money> {
        items
            .into_iter()
            .try_fold(Decimal::ZERO, |total, m| total.checked_add(m.0))
            .and_then(|d| Money::try_from_decimal(d).ok())
    }

    /// `self + other`, held at ±10^15.
    pub fn saturating_add(self, other: Money) -> Money {
        Money::saturating_sum([self, other])
    }

    /// The sum, held at ±10^15.
    pub fn saturating_sum(items: impl IntoIterator<Item = Money>) -> Money {
        let mut total = Decimal::ZERO;
        for m in items {
            match total.checked_add(m.0) {
                Some(t) => total = t,
                // Some 10^14 amounts of one sign reach `Decimal`'s range: the sum lies far
                // beyond the bound on that side.
                None if m.0.is_sign_negative() => return Money(-LIMIT),
                None => return Money::MAX,
            }
        }
        Money(total.clamp(-LIMIT, LIMIT))
    }
}

/// |d| ≤ 10^15. A mantissa within 10^15 settles it without the scale-aligning comparison
/// (the scale only divides); the schedule asks this of every figure of every row.
pub fn within_limit(d: Decimal) -> bool {
    d.mantissa().unsigned_abs() <= LIMIT_MANTISSA || d.abs() <= LIMIT
}

/// 10^15 as a mantissa of scale 0: `LIMIT`'s.
const LIMIT_MANTISSA: u128 = 1_000_000_000_000_000;

/// Half-up to the tiyin: a no-op after rounding to a unit that is a whole number of tiyin.
fn to_tiyin(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

impl Money {
    /// The text `Display` writes: the decimal widened to two decimals as `Decimal` prints
    /// it (a sign for a negative, even zero; "0.05"), spelt out from the mantissa here
    /// because a result prints a hundred amounts and `Decimal` finds each digit by a
    /// division of its 96 bits. `None` for a mantissa beyond u64, which an amount (at
    /// most 10^17 tiyin) never has.
    fn text(self) -> Option<Text> {
        // Two decimals at most by construction: widening to exactly two never rounds.
        let mut d = self.0;
        d.rescale(2);
        let mut m = u64::try_from(d.mantissa().unsigned_abs()).ok()?;
        let mut t = Text::default();
        // At least "0.00"; a u64 has at most 20 digits.
        for place in 0.. {
            if place == 2 {
                t.push_front(b'.');
            }
            t.push_front(b'0' + (m % 10) as u8);
            m /= 10;
            if m == 0 && place >= 2 {
                break;
            }
        }
        if d.is_sign_negative() {
            t.push_front(b'-');
        }
        Some(t)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Written as plain text, ignoring `f`'s padding.
        match self.text() {
            Some(t) => f.write_str(t.as_str()),
            None => {
                let mut d = self.0;
                d.rescale(2);
                f.write_fmt(format_args!("{d}"))
            }
        }
    }
}

impl FromStr for Money {
    type Err = MoneyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Money::parse(s)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.text() {
            Some(t) => s.serialize_str(t.as_str()),
            None => s.collect_str(self),
        }
    }
}

/// An amount's text on the stack, written from its last digit.
struct Text {
    bytes: [u8; 24],
    start: usize,
}

impl Default for Text {
    fn default() -> Text {
        Text {
            bytes: [0; 24],
            start: 24,
        }
    }
}

impl Text {
    fn push_front(&mut self, b: u8) {
        self.start -= 1;
        self.bytes[self.start] = b;
    }

    fn as_str(&self) -> &str {
        // Only ASCII digits, a dot and a sign are written.
        std::str::from_utf8(&self.bytes[self.start..]).unwrap_or_default()
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = Money;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a decimal amount in a string, such as \"125000000.00\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Money, E> {
                Money::parse(v).map_err(|e| E::custom(format!("{}: {e}", quoted(v))))
            }
        }
        d.deserialize_str(V)
    }
}

/// A value quoted for an error message, cut short when long: the message names the field,
/// and a megabyte of digits would bury it.
pub fn quoted(v: &str) -> String {
    const SHOWN: usize = 40;
    match v.char_indices().nth(SHOWN) {
        None => format!("{v:?}"),
        Some((cut, _)) => format!("{:?}… ({} characters)", &v[..cut], v.chars().count()),
    }
}

/// Serde helpers for a plain decimal carried as a JSON string (rates, ratios, limits).
pub mod strict_decimal {
    use super::*;

    pub fn serialize<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(d)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        let s = String::deserialize(d)?;
        parse_decimal(&s).ok_or_else(|| de::Error::custom(format!("not a decimal: {s:?}")))
    }
}

/// Strict decimal syntax: optional minus, digits, optional dot and digits. No exponent,
/// no spaces, no thousands separators: a case file is machine-written.
pub fn parse_decimal(s: &str) -> Option<Decimal> {
    decimal_parts(s)?;
    Decimal::from_str_exact(s).ok()
}

/// The integer and fraction digits of text in the strict decimal syntax.
fn decimal_parts(s: &str) -> Option<(&str, &str)> {
    let body = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || frac.is_some_and(|f| !digits(f)) {
        return None;
    }
    Some((int, frac.unwrap_or("")))
}

/// Half-up (away from zero) rounding to a unit such as 0.01 (tiyin) or 1 (whole so'm).
///
/// A unit of 10^−k (0.01, 0.1, 1) is rounding to k decimals: the same value with the same scale
/// k as dividing, rounding and multiplying back, which the schedule would do for every
/// row (`round_to_unit_by_decimals_is_the_division` checks it). It is taken only for a
/// value within 10^15, where the division is exact and nothing overflows.
pub fn round_to_unit(x: Decimal, unit: Decimal) -> Decimal {
    if unit.is_zero() {
        return x;
    }
    if unit.mantissa() == 1 && unit.scale() <= 2 && within_limit(x) {
        let k = unit.scale();
        let mut r = if x.scale() <= k {
            x
        } else {
            // Half away from zero on the mantissa: one division of the u128 it fits in.
            let p = 10u128.pow(x.scale() - k);
            let m = x.mantissa().unsigned_abs();
            let (q, rest) = (m / p, m % p);
            let q = if rest >= p - rest { q + 1 } else { q };
            // q ≤ |mantissa| < 2^96, split into its three words.
            Decimal::from_parts(
                q as u32,
                (q >> 32) as u32,
                (q >> 64) as u32,
                x.is_sign_negative(),
                k,
            )
        };
        if r.is_zero() {
            // The multiplication back gives zero as `Decimal::ZERO`, of scale 0.
            return Decimal::ZERO;
        }
        r.rescale(k);
        return r;
    }
    (x / unit).round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero) * unit
}

/// A decimal printed half-up with exactly two decimals ("57.31", "125000000.00").
pub fn fixed2(x: Decimal) -> String {
    let mut r = x.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    r.rescale(2);
    r.to_string()
}

/// A ratio (0.5731) printed as a percentage with two decimals ("57.31").
pub fn percent2(ratio: Decimal) -> String {
    fixed2(ratio * Decimal::ONE_HUNDRED)
}

/// A calendar date, `YYYY-MM-DD` on the wire (`IsoDate` in TypeScript, where `Date` is taken).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, ts_rs::TS)]
#[ts(type = "string", rename = "IsoDate")]
pub struct Date(pub NaiveDate);

impl Date {
    pub fn ymd(y: i32, m: u32, d: u32) -> Option<Date> {
        NaiveDate::from_ymd_opt(y, m, d).map(Date)
    }

    /// `self` plus `n` calendar months; a day missing in a shorter month becomes that
    /// month's last day (31 Jan + 1 month = 28/29 Feb).
    pub fn add_months(self, n: u32) -> Date {
        Date(
            self.0
                .checked_add_months(Months::new(n))
                .unwrap_or(NaiveDate::MAX),
        )
    }

    pub fn sub_months(self, n: u32) -> Date {
        Date(
            self.0
                .checked_sub_months(Months::new(n))
                .unwrap_or(NaiveDate::MIN),
        )
    }

    /// A `dd.mm.yyyy` date, as bank statements print them.
    /// Digits only (no sign), read byte by byte: a statement has a few dates per document.
    pub fn parse_dmy(s: &str) -> Option<Date> {
        let digits = |b: &[u8]| {
            b.iter().try_fold(0u32, |n, &c| {
                c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
            })
        };
        let b = s.trim().as_bytes();
        if b.len() != 10 || b[2] != b'.' || b[5] != b'.' {
            return None;
        }
        let year = i32::try_from(digits(&b[6..])?).ok()?;
        Date::ymd(year, digits(&b[3..5])?, digits(&b[..2])?)
    }

    pub fn add_days(self, n: i64) -> Date {
        Date(self.0 + chrono::Duration::days(n))
    }

    pub fn year(self) -> i32 {
        self.0.year()
    }

    /// Completed years of someone born on `birth` at the date `self`. Someone born on
    /// 29 February completes a year on 28 February in common years (Uzbek civil practice
    /// counts the birthday as the last day of the month).
    pub fn full_years_since(self, birth: Date) -> i32 {
        let (b, t) = (birth.0, self.0);
        let mut years = t.year() - b.year();
        let birthday_this_year = NaiveDate::from_ymd_opt(t.year(), b.month(), b.day())
            .or_else(|| NaiveDate::from_ymd_opt(t.year(), b.month(), 28));
        if birthday_this_year.is_some_and(|bd| t < bd) {
            years -= 1;
        }
        years
    }

    pub fn days_until(self, later: Date) -> i64 {
        (later.0 - self.0).num_days()
    }
}

impl Date {
    /// `YYYY-MM-DD` for the years 0–9999, which chrono's `%Y` also prints as four digits
    /// (outside them it adds a sign). Spelt out because a result prints dozens of dates
    /// and `format` parses its pattern each time.
    fn text(self) -> Option<[u8; 10]> {
        let (y, m, d) = (self.0.year(), self.0.month(), self.0.day());
        let y @ 0..=9999 = u32::try_from(y).ok()? else {
            return None;
        };
        let digit = |v: u32| b'0' + (v % 10) as u8;
        Some([
            digit(y / 1000),
            digit(y / 100),
            digit(y / 10),
            digit(y),
            b'-',
            digit(m / 10),
            digit(m),
            b'-',
            digit(d / 10),
            digit(d),
        ])
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.text() {
            // Only ASCII digits and dashes.
            Some(t) => f.write_str(std::str::from_utf8(&t).unwrap_or_default()),
            None => f.write_fmt(format_args!("{}", self.0.format("%Y-%m-%d"))),
        }
    }
}

impl FromStr for Date {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let ok_shape = s.len() == 10
            && s.bytes().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            });
        ok_shape
            .then(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
            .flatten()
            .map(Date)
            .ok_or_else(|| format!("not a date: {s:?}"))
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.text() {
            Some(t) => s.serialize_str(std::str::from_utf8(&t).unwrap_or_default()),
            None => s.collect_str(self),
        }
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = Date;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a date string YYYY-MM-DD")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Date, E> {
                v.parse().map_err(E::custom)
            }
        }
        d.deserialize_str(V)
    }
}

/// A calendar month, `YYYY-MM` on the wire (the keys of an income source's `months`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, ts_rs::TS)]
#[ts(type = "string")]
pub struct YearMonth {
    pub year: i32,
    pub month: u32,
}

impl YearMonth {
    pub fn of(d: Date) -> YearMonth {
        YearMonth {
            year: d.0.year(),
            month: d.0.month(),
        }
    }

    pub fn prev(self) -> YearMonth {
        if self.month == 1 {
            YearMonth {
                year: self.year - 1,
                month: 12,
            }
        } else {
            YearMonth {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    /// The `n` full months immediately before `self`, oldest first.
    pub fn months_before(self, n: usize) -> Vec<YearMonth> {
        let mut out = Vec::with_capacity(n);
        let mut m = self;
        for _ in 0..n {
            m = m.prev();
            out.push(m);
        }
        out.reverse();
        out
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for YearMonth {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("not a month YYYY-MM: {s:?}");
        let (y, m) = s.split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u32 = m.parse().map_err(|_| bad())?;
        if !(1..=12).contains(&month) {
            return Err(bad());
        }
        Ok(YearMonth { year, month })
    }
}

impl Serialize for YearMonth {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for YearMonth {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn money(s: &str) -> Money {
        Money::parse(s).unwrap()
    }

    /// A statement's date as text, and the date read or none.
    #[test]
    fn a_statement_date_is_two_two_and_four_digits() {
        let check = |text: &str, expected: Option<(i32, u32, u32)>| {
            let want = expected.and_then(|(y, m, d)| Date::ymd(y, m, d));
            assert_eq!(Date::parse_dmy(text), want, "{text:?}");
        };
        check("05.05.2026", Some((2026, 5, 5)));
        check(" 31.12.1999 ", Some((1999, 12, 31)));
        check("29.02.2024", Some((2024, 2, 29)));
        for refused in [
            "29.02.2026",
            "31.04.2026",
            "00.05.2026",
            "05.13.2026",
            "5.05.2026",
            "05.5.2026",
            "05.05.26",
            "05.05.02026",
            "+1.05.2026",
            "05.+5.2026",
            "05.05.+026",
            "05-05-2026",
            "05.05.2026.",
            "0٥.05.2026",
            "٥.05.2026",
            "",
        ] {
            check(refused, None);
        }
    }

    #[test]
    fn the_limit_is_ten_to_the_fifteenth() {
        assert_eq!(LIMIT, Decimal::from(10i64.pow(15)));
        assert_eq!(Money::MAX.to_string(), "1000000000000000.00");
    }

    /// Text as a file writes it, and the amount printed or the refusal.
    #[test]
    fn the_boundary_takes_tiyin_up_to_ten_to_the_fifteenth() {
        use MoneyError::*;
        let check = |text: &str, expected: Result<&str, MoneyError>| {
            let got = Money::parse(text).map(|m| m.to_string());
            assert_eq!(got, expected.map(String::from), "{text:?}");
            assert_eq!(text.parse::<Money>(), Money::parse(text), "{text:?}");
        };
        check("125000000.00", Ok("125000000.00"));
        check("5", Ok("5.00"));
        check("12.3", Ok("12.30"));
        check("0.01", Ok("0.01"));
        check("-12.34", Ok("-12.34"));
        check("-0.00", Ok("0.00"));
        check("007.50", Ok("7.50"));
        check("12.345", Err(TooManyDecimals));
        check("12.500", Err(TooManyDecimals));
        check("-0.001", Err(TooManyDecimals));
        check("1000000000000000", Ok("1000000000000000.00"));
        check("1000000000000000.00", Ok("1000000000000000.00"));
        check("-1000000000000000.00", Ok("-1000000000000000.00"));
        check("1000000000000000.01", Err(AboveLimit));
        check("-1000000000000000.01", Err(AboveLimit));
        check("9999999999999999", Err(AboveLimit));
        check("0000000000000000000000000000000000000001.25", Ok("1.25"));
        check("1234567890123456789012345678901234567890", Err(AboveLimit));
        check(
            "-1234567890123456789012345678901234567890.12",
            Err(AboveLimit),
        );
        check(
            "0.1234567890123456789012345678901234567890",
            Err(TooManyDecimals),
        );
        for garbage in [
            "", "abc", "1e5", "1E5", "1.5e3", "-1e-2", " 1", "1 ", "1,000.00", "1 000", "1.", ".5",
            "-", "--1", "+1", "1.2.3", "NaN", "inf", "0x10", "١٢", "12\u{0}",
        ] {
            check(garbage, Err(NotAnAmount));
        }
    }

    #[test]
    fn a_refusal_in_a_file_quotes_the_value_and_the_reason() {
        let err = |json: &str| serde_json::from_str::<Money>(json).unwrap_err().to_string();
        assert!(
            err("\"12.345\"")
                .starts_with("\"12.345\": more than 2 decimals (an amount is in tiyin at most)"),
            "{}",
            err("\"12.345\"")
        );
        assert!(
            err("\"2000000000000000\"").contains("above the largest amount accepted (10^15 UZS)")
        );
        let long = err(&format!("\"{}\"", "9".repeat(100_000)));
        assert!(
            long.contains("… (100000 characters): above the largest amount"),
            "{long}"
        );
        assert!(long.len() < 200, "{long}");
        assert!(err("12.5").contains("invalid type"));
    }

    /// Computed values are judged by their value: trailing zeros are no decimals.
    #[test]
    fn computed_values_must_be_whole_tiyin_within_the_limit() {
        use MoneyError::*;
        let check = |d: Decimal, expected: Result<&str, MoneyError>| {
            let got = Money::try_from_decimal(d).map(|m| m.to_string());
            assert_eq!(got, expected.map(String::from), "{d}");
        };
        check(dec("12.500"), Ok("12.50"));
        check(dec("-0.000"), Ok("0.00"));
        check(dec("12.345"), Err(TooManyDecimals));
        check(LIMIT, Ok("1000000000000000.00"));
        check(-LIMIT, Ok("-1000000000000000.00"));
        check(LIMIT + dec("0.01"), Err(AboveLimit));
        check(Decimal::MAX, Err(AboveLimit));
        check(Decimal::MIN, Err(AboveLimit));
    }

    #[test]
    fn rounding_into_money_is_half_up_to_the_unit_then_the_tiyin() {
        use MoneyError::*;
        let check = |d: Decimal, unit: &str, expected: Result<&str, MoneyError>| {
            let got = Money::round_half_up(d, dec(unit)).map(|m| m.to_string());
            assert_eq!(got, expected.map(String::from), "{d} to {unit}");
        };
        check(dec("1.005"), "0.01", Ok("1.01"));
        check(dec("1.0049"), "0.01", Ok("1.00"));
        check(dec("2.5"), "1", Ok("3.00"));
        check(dec("-2.5"), "1", Ok("-3.00"));
        check(
            dec("999999999999999.995"),
            "0.01",
            Ok("1000000000000000.00"),
        );
        check(dec("999999999999999.6"), "7", Err(AboveLimit));
        check(dec("1000000000000000.001"), "0.01", Err(AboveLimit));
        check(Decimal::MAX, "0.01", Err(AboveLimit));
        check(Decimal::MIN, "0.01", Err(AboveLimit));
        let held = |d: Decimal, unit: &str| Money::round_half_up_saturating(d, dec(unit));
        assert_eq!(held(Decimal::MAX, "0.01"), Money::MAX);
        assert_eq!(held(Decimal::MIN, "1"), money("-1000000000000000"));
        assert_eq!(held(dec("999999999999999.6"), "7"), Money::MAX);
        assert_eq!(held(dec("1.005"), "0.01"), money("1.01"));
    }

    #[test]
    fn arithmetic_is_checked_at_the_limit() {
        let (max, tiyin, min) = (Money::MAX, money("0.01"), money("-1000000000000000"));
        assert_eq!(max.checked_add(Money::ZERO), Some(max));
        assert_eq!(max.checked_add(tiyin), None);
        assert_eq!(min.checked_sub(tiyin), None);
        assert_eq!(max.checked_sub(tiyin), Some(money("999999999999999.99")));
        assert_eq!(
            money("12.50").checked_sub(money("20")),
            Some(money("-7.50"))
        );
        assert_eq!(min.abs(), max);
        // Only the total is judged, and no count of amounts overflows.
        assert_eq!(Money::checked_sum([max, max, min]), Some(max));
        assert_eq!(Money::checked_sum([max, tiyin]), None);
        assert_eq!(Money::checked_sum(std::iter::repeat_n(max, 100_000)), None);
        assert_eq!(Money::checked_sum([]), Some(Money::ZERO));
        assert_eq!(
            Money::saturating_sum(std::iter::repeat_n(max, 100_000)),
            max
        );
        assert_eq!(
            Money::saturating_sum(std::iter::repeat_n(min, 100_000)),
            min
        );
        assert_eq!(Money::saturating_sum([max, max, min, min, tiyin]), tiyin);
        assert_eq!(max.saturating_add(tiyin), max);
        assert_eq!(tiyin.saturating_add(tiyin), money("0.02"));
    }

    proptest::proptest! {
        /// Any amount prints as text that parses back to it, through JSON too.
        #[test]
        fn any_amount_round_trips_through_its_text(tiyin in -100_000_000_000_000_000i64..=100_000_000_000_000_000i64) {
            let m = Money::try_from_decimal(Decimal::new(tiyin, 2)).unwrap();
            let text = m.to_string();
            proptest::prop_assert_eq!(Money::parse(&text), Ok(m));
            proptest::prop_assert_eq!(Money::parse(&text).unwrap().to_string(), text.clone());
            let json = serde_json::to_string(&m).unwrap();
            proptest::prop_assert_eq!(json, format!("\"{text}\""));
            proptest::prop_assert_eq!(m.decimal(), Decimal::new(tiyin, 2));
        }

        /// Any text at all: an amount or a refusal, never a panic.
        #[test]
        fn any_text_parses_or_is_refused(text in "-?[0-9]{0,40}(\\.[0-9]{0,40})?|\\PC{0,60}") {
            let _ = Money::parse(&text);
        }
    }

    /// The general rounding, as `round_to_unit` did it for every unit.
    fn divided_and_rounded(x: Decimal, unit: Decimal) -> Decimal {
        (x / unit).round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero) * unit
    }

    /// A `Decimal` of any mantissa and scale, of either sign.
    fn any_decimal() -> impl proptest::strategy::Strategy<Value = Decimal> {
        use proptest::prelude::*;
        (
            any::<u64>(),
            any::<u32>(),
            0u32..=28,
            any::<bool>(),
            0u32..4,
        )
            .prop_map(|(lo, hi, scale, negative, size)| {
                // Mostly figures of a schedule's size, sometimes all 96 bits.
                let hi = if size == 0 { hi } else { 0 };
                let lo = if size == 3 { lo % 1_000_000 } else { lo };
                Decimal::from_parts(lo as u32, (lo >> 32) as u32, hi, negative, scale)
            })
    }

    proptest::proptest! {
        /// Rounding to 10^−k by decimals is the division's value with its scale and sign
        /// (so every figure and every text derived from it is unchanged).
        #[test]
        fn round_to_unit_by_decimals_is_the_division(x in any_decimal(), k in 0u32..=2) {
            let unit = Decimal::new(1, k);
            if !within_limit(x) {
                return Ok(()); // the general path itself
            }
            let (fast, general) = (round_to_unit(x, unit), divided_and_rounded(x, unit));
            proptest::prop_assert_eq!(fast, general);
            proptest::prop_assert_eq!(fast.serialize(), general.serialize(), "{} {}", fast, general);
        }

        /// Money from a computed value: the same answer, and the same held decimal, as
        /// rounding to the tiyin and comparing, by the full comparison with the limit.
        #[test]
        fn money_from_a_decimal_is_judged_as_before(x in any_decimal()) {
            let general = if x.abs() > LIMIT {
                Err(MoneyError::AboveLimit)
            } else if x.round_dp(2) != x {
                Err(MoneyError::TooManyDecimals)
            } else if x.is_zero() {
                Ok(Money::ZERO)
            } else {
                Ok(Money(x.round_dp(2)))
            };
            let got = Money::try_from_decimal(x);
            proptest::prop_assert_eq!(got, general);
            proptest::prop_assert_eq!(
                got.map(|m| m.0.serialize()),
                general.map(|m| m.0.serialize())
            );
            proptest::prop_assert_eq!(within_limit(x), x.abs() <= LIMIT);
        }

        /// An amount prints as its `Decimal` widened to two decimals prints, and serializes
        /// as that text.
        #[test]
        fn amounts_print_as_their_decimal(x in any_decimal()) {
            if let Ok(m) = Money::try_from_decimal(x) {
                let mut d = m.0;
                d.rescale(2);
                proptest::prop_assert_eq!(m.to_string(), d.to_string());
                proptest::prop_assert_eq!(serde_json::to_string(&m).unwrap(), format!("\"{d}\""));
            }
            let held = Money::round_half_up_saturating(x, Decimal::new(1, 2));
            let mut d = held.0;
            d.rescale(2);
            proptest::prop_assert_eq!(held.to_string(), d.to_string());
        }

        /// Dates print as chrono's `%Y-%m-%d`, in and beyond the four-digit years.
        #[test]
        fn dates_print_as_chrono_formats_them(days in -100_000_000i32..=100_000_000) {
            let d = NaiveDate::from_num_days_from_ce_opt(days).unwrap_or(NaiveDate::MAX);
            proptest::prop_assert_eq!(Date(d).to_string(), d.format("%Y-%m-%d").to_string());
            proptest::prop_assert_eq!(
                serde_json::to_string(&Date(d)).unwrap(),
                format!("\"{}\"", d.format("%Y-%m-%d"))
            );
        }
    }

    #[test]
    fn edge_dates_print_as_chrono_formats_them() {
        for d in [NaiveDate::MIN, NaiveDate::MAX] {
            assert_eq!(Date(d).to_string(), d.format("%Y-%m-%d").to_string());
        }
        for y in [-1, 0, 1, 999, 9999, 10000] {
            let d = NaiveDate::from_ymd_opt(y, 1, 2).unwrap();
            assert_eq!(Date(d).to_string(), d.format("%Y-%m-%d").to_string());
        }
    }

    #[test]
    fn rounding_is_half_up_to_the_unit() {
        let d = |s: &str| Decimal::from_str(s).unwrap();
        assert_eq!(round_to_unit(d("1.005"), d("0.01")), d("1.01"));
        assert_eq!(round_to_unit(d("1.0049"), d("0.01")), d("1.00"));
        assert_eq!(round_to_unit(d("2.5"), d("1")), d("3"));
        assert_eq!(fixed2(d("57.305")), "57.31");
        assert_eq!(percent2(d("0.5")), "50.00");
    }

    #[test]
    fn dates_are_strict_and_month_arithmetic_clamps() {
        assert!("2026-02-30".parse::<Date>().is_err());
        assert!("1990-13-01".parse::<Date>().is_err());
        assert!("2026-2-3".parse::<Date>().is_err());
        let jan31: Date = "2027-01-31".parse().unwrap();
        assert_eq!(jan31.add_months(1).to_string(), "2027-02-28");
        assert_eq!(jan31.add_months(2).to_string(), "2027-03-31");
        let leap: Date = "2028-01-31".parse().unwrap();
        assert_eq!(leap.add_months(1).to_string(), "2028-02-29");
    }

    #[test]
    fn full_years() {
        let b: Date = "1990-02-15".parse().unwrap();
        assert_eq!(
            "2060-02-14".parse::<Date>().unwrap().full_years_since(b),
            69
        );
        assert_eq!(
            "2060-02-15".parse::<Date>().unwrap().full_years_since(b),
            70
        );
        let leap: Date = "2008-02-29".parse().unwrap();
        assert_eq!(
            "2026-02-27".parse::<Date>().unwrap().full_years_since(leap),
            17
        );
        assert_eq!(
            "2026-02-28".parse::<Date>().unwrap().full_years_since(leap),
            18
        );
    }

    #[test]
    fn months_before_application_month() {
        let ym = YearMonth::of("2026-11-20".parse().unwrap());
        let six: Vec<String> = ym.months_before(6).iter().map(|m| m.to_string()).collect();
        assert_eq!(
            six,
            ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
        );
        assert_eq!(
            YearMonth::of("2026-02-01".parse().unwrap()).months_before(2)[0].to_string(),
            "2025-12"
        );
    }
}

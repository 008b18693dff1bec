//! Money, percentages and calendar values as they travel in a case file.
//!
//! Money is a JSON *string* holding a decimal ("125000000.00"), never a float: a float
//! cannot hold most tiyin amounts exactly, and the schedule must agree with the core bank
//! to the tiyin. Every rounding in the product goes through [`round_to_unit`], half-up.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

/// An amount in UZS. Printed with exactly two decimals.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, ts_rs::TS)]
#[ts(type = "string")]
pub struct Money(pub Decimal);

impl Money {
    pub const ZERO: Money = Money(Decimal::ZERO);

    pub fn new(d: Decimal) -> Self {
        Money(d)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&fixed2(self.0))
    }
}

impl FromStr for Money {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_decimal(s)
            .map(Money)
            .ok_or_else(|| format!("not a decimal amount: {s:?}"))
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
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
                v.parse().map_err(E::custom)
            }
        }
        d.deserialize_str(V)
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
    let body = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || frac.is_some_and(|f| !digits(f)) {
        return None;
    }
    Decimal::from_str_exact(s).ok()
}

/// Half-up (away from zero) rounding to a unit such as 0.01 (tiyin) or 1 (whole so'm).
pub fn round_to_unit(x: Decimal, unit: Decimal) -> Decimal {
    if unit.is_zero() {
        return x;
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
    pub fn parse_dmy(s: &str) -> Option<Date> {
        let p: Vec<&str> = s.trim().split('.').collect();
        if p.len() != 3 || p[0].len() != 2 || p[1].len() != 2 || p[2].len() != 4 {
            return None;
        }
        Date::ymd(p[2].parse().ok()?, p[1].parse().ok()?, p[0].parse().ok()?)
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

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
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
        s.collect_str(self)
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

    #[test]
    fn money_parses_strictly() {
        assert_eq!(
            "125000000.00".parse::<Money>().unwrap().to_string(),
            "125000000.00"
        );
        assert_eq!("5".parse::<Money>().unwrap().to_string(), "5.00");
        for bad in ["abc", "", "1e5", " 1", "1,000.00", "1.", ".5", "--1", "+1"] {
            assert!(bad.parse::<Money>().is_err(), "{bad}");
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

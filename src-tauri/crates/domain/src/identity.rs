//! Identity data checks: the PINFL (personal identification number of an individual) and
//! the numbers of passports and ID cards.
//!
//! PINFL: 14 digits. The 14th is a check digit: the first 13 digits weighted 7, 3, 1, 7,
//! 3, 1, … summed, mod 10. The first digit gives the century of birth and the sex (1/2:
//! 1800s, 3/4: 1900s, 5/6: 2000s; odd male, even female); digits 2–7 are the birth date
//! DDMMYY, which must match the party's birth date. A passport or ID-card number is two
//! Latin capital letters and seven digits (AA1234567).
//!
//! Readings fixed here: every problem is reported, not only the first; the sex and birth
//! date are given whenever the first seven digits read, even if the check digit is wrong
//! (they help to spot a typo); a first digit of 0, 7, 8 or 9 names no century.

use serde::Serialize;
use ts_rs::TS;

use crate::money::Date;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
}

/// What `uw identity` prints.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct IdentityCheck {
    pub valid: bool,
    pub errors: Vec<String>,
    pub sex: Option<Sex>,
    /// The birth date the PINFL encodes, YYYY-MM-DD.
    pub birth_date: Option<String>,
}

const WEIGHTS: [u32; 3] = [7, 3, 1];

/// The check digit the first 13 digits call for.
pub fn check_digit(first13: &[u32]) -> u32 {
    first13
        .iter()
        .enumerate()
        .map(|(i, d)| d * WEIGHTS[i % 3])
        .sum::<u32>()
        % 10
}

/// Checks a PINFL against the party's birth date and, when given, the identity document's
/// number.
pub fn check(pinfl: &str, birth_date: Option<Date>, document: Option<&str>) -> IdentityCheck {
    let mut errors = Vec::new();
    let mut sex = None;
    let mut encoded = None;
    let digits: Vec<u32> = pinfl.chars().filter_map(|c| c.to_digit(10)).collect();
    if !pinfl.chars().all(|c| c.is_ascii_digit()) {
        errors.push(format!(
            "pinfl: {pinfl:?} has a character that is not a digit"
        ));
    } else if digits.len() != 14 {
        errors.push(format!("pinfl: {} digits, a PINFL has 14", digits.len()));
    }
    if digits.len() >= 7 && digits.len() == pinfl.chars().count() {
        let century = match digits[0] {
            1 | 2 => Some(1800),
            3 | 4 => Some(1900),
            5 | 6 => Some(2000),
            _ => None,
        };
        match century {
            None => errors.push(format!(
                "pinfl: the first digit {} names no century (1–6)",
                digits[0]
            )),
            Some(base) => {
                sex = Some(if digits[0] % 2 == 1 {
                    Sex::Male
                } else {
                    Sex::Female
                });
                let n = |i: usize| digits[i] * 10 + digits[i + 1];
                let (day, month, yy) = (n(1), n(3), n(5));
                match Date::ymd(base + i32::try_from(yy).unwrap_or_default(), month, day) {
                    Some(d) => encoded = Some(d),
                    None => errors.push(format!(
                        "pinfl: digits 2–7 ({:02}{:02}{:02}) are not a date DDMMYY",
                        day, month, yy
                    )),
                }
            }
        }
    }
    if digits.len() == 14 && digits.len() == pinfl.chars().count() {
        let want = check_digit(&digits[..13]);
        if want != digits[13] {
            errors.push(format!(
                "pinfl: the check digit is {}, the first 13 digits call for {want}",
                digits[13]
            ));
        }
    }
    if let (Some(encoded), Some(birth)) = (encoded, birth_date) {
        if encoded != birth {
            errors.push(format!(
                "birth_date: {birth} does not match the PINFL's {encoded}"
            ));
        }
    }
    if let Some(number) = document {
        if let Some(e) = document_error(number) {
            errors.push(e);
        }
    }
    IdentityCheck {
        valid: errors.is_empty(),
        errors,
        sex,
        birth_date: encoded.map(|d| d.to_string()),
    }
}

/// Why a passport or ID-card number is malformed, or None.
pub fn document_error(number: &str) -> Option<String> {
    let b = number.as_bytes();
    let ok = b.len() == 9
        && b[..2].iter().all(u8::is_ascii_uppercase)
        && b[2..].iter().all(u8::is_ascii_digit);
    (!ok).then(|| {
        format!(
            "document: {number:?} is not two Latin capital letters and seven digits (AA1234567)"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> Option<Date> {
        Some(s.parse().expect("a date"))
    }

    #[test]
    fn the_example_is_valid_and_reads_its_birth_date_and_sex() {
        let c = check("31508900011235", date("1990-08-15"), Some("AA1234567"));
        assert_eq!(c.errors, Vec::<String>::new());
        assert!(c.valid);
        assert_eq!(c.sex, Some(Sex::Male));
        assert_eq!(c.birth_date.as_deref(), Some("1990-08-15"));
        // Female, born in the 2000s: 6 + 010203 (1 Feb 2003).
        let mut d: Vec<u32> = "6010203123456"
            .chars()
            .filter_map(|c| c.to_digit(10))
            .collect();
        d.push(check_digit(&d));
        let p: String = d
            .iter()
            .map(|x| char::from_digit(*x, 10).unwrap())
            .collect();
        let c = check(&p, date("2003-02-01"), None);
        assert!(c.valid, "{c:?}");
        assert_eq!(c.sex, Some(Sex::Female));
    }

    #[test]
    fn each_fault_is_named() {
        let wrong_digit = check("31508900011236", date("1990-08-15"), None);
        assert!(!wrong_digit.valid);
        assert_eq!(
            wrong_digit.errors,
            ["pinfl: the check digit is 6, the first 13 digits call for 5"]
        );
        // The date still reads, to help spot a typo.
        assert_eq!(wrong_digit.birth_date.as_deref(), Some("1990-08-15"));

        let mismatch = check("31508900011235", date("1990-08-16"), None);
        assert_eq!(
            mismatch.errors,
            ["birth_date: 1990-08-16 does not match the PINFL's 1990-08-15"]
        );

        // 31 February 1990 — and so the check digit is of no help either.
        let impossible = check("33102900011235", None, None);
        assert!(
            impossible.errors[0].contains("(310290) are not a date DDMMYY"),
            "{impossible:?}"
        );
        assert_eq!(impossible.birth_date, None);

        let short = check("3150890001123", None, None);
        assert_eq!(short.errors, ["pinfl: 13 digits, a PINFL has 14"]);
        let letters = check("3150890001123A", None, None);
        assert!(letters.errors[0].contains("not a digit"), "{letters:?}");
        assert_eq!((letters.sex, letters.birth_date), (None, None));

        let century = check("91508900011235", None, None);
        assert!(
            century.errors[0].contains("names no century"),
            "{century:?}"
        );
    }

    #[test]
    fn document_numbers() {
        assert_eq!(document_error("AA1234567"), None);
        assert_eq!(document_error("AD7654321"), None);
        for bad in [
            "aa1234567",
            "AA123456",
            "AA12345678",
            "A12345678",
            "ÄA1234567",
            "AA123456X",
            "",
        ] {
            assert!(document_error(bad).is_some(), "{bad}");
        }
        let c = check("31508900011235", date("1990-08-15"), Some("AA12345"));
        assert!(!c.valid);
        assert!(c.errors[0].starts_with("document: \"AA12345\""), "{c:?}");
    }
}

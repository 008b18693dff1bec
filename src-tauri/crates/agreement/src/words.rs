//! Amounts in words, as a credit agreement writes them beside the digits: the soʻm in
//! words, the tiyin in two digits ("… soʻm 05 tiyin"), the way Uzbek bank documents do.
//!
//! Uzbek (Latin) uses the modifier letter turned comma ʻ (U+02BB) of the official
//! alphabet in oʻ, gʻ and the tutuq belgisi; hundreds always carry their count ("bir yuz").
//! Russian declines the scale words and the currency by number (1 сум, 2 сума, 5 сумов) and
//! puts тысяча in the feminine (одна тысяча, две тысячи).

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

use crate::Lang;

/// The largest amount written in words (the scales end at milliard).
pub const MAX: u64 = 999_999_999_999;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WordsError {
    #[error("{0}: an amount in words must be between 0 and 999 999 999 999.99")]
    OutOfRange(Decimal),
}

/// "135000000.00" → "bir yuz oʻttiz besh million soʻm 00 tiyin" (uz) or
/// "сто тридцать пять миллионов сумов 00 тийинов" (ru). Rounded half-up to the tiyin.
pub fn amount_in_words(amount: Decimal, lang: Lang) -> Result<String, WordsError> {
    let rounded = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    if rounded.is_sign_negative() && !rounded.is_zero() {
        return Err(WordsError::OutOfRange(amount));
    }
    let whole = rounded.trunc();
    let tiyin = ((rounded - whole) * Decimal::ONE_HUNDRED)
        .to_u64()
        .unwrap_or(0);
    let whole = whole
        .to_u64()
        .filter(|w| *w <= MAX)
        .ok_or(WordsError::OutOfRange(amount))?;
    Ok(match lang {
        Lang::Uz => format!("{} soʻm {tiyin:02} tiyin", uz(whole)),
        Lang::Ru => format!(
            "{} {} {tiyin:02} {}",
            ru(whole),
            ru_plural(whole, ["сум", "сума", "сумов"]),
            ru_plural(tiyin, ["тийин", "тийина", "тийинов"])
        ),
    })
}

/// The three-digit groups of `n`, most significant first, with their scale index
/// (0 = units, 1 = thousands, 2 = millions, 3 = milliards).
fn groups(n: u64) -> Vec<(usize, u64)> {
    let mut out = Vec::new();
    let mut rest = n;
    let mut scale = 0;
    while rest > 0 {
        out.push((scale, rest % 1000));
        rest /= 1000;
        scale += 1;
    }
    out.reverse();
    out
}

const UZ_UNITS: [&str; 10] = [
    "", "bir", "ikki", "uch", "toʻrt", "besh", "olti", "yetti", "sakkiz", "toʻqqiz",
];
const UZ_TENS: [&str; 10] = [
    "", "oʻn", "yigirma", "oʻttiz", "qirq", "ellik", "oltmish", "yetmish", "sakson", "toʻqson",
];
const UZ_SCALES: [&str; 4] = ["", "ming", "million", "milliard"];

/// `n` in words: `zero` for 0, else each non-zero group of three digits spelt, with its
/// scale (0 = units, 1 = thousands, …), by `group`.
fn spell(n: u64, zero: &str, group: impl Fn(usize, u64, &mut Vec<&'static str>)) -> String {
    if n == 0 {
        return zero.into();
    }
    let mut words = Vec::new();
    for (scale, g) in groups(n).into_iter().filter(|(_, g)| *g != 0) {
        group(scale, g, &mut words);
    }
    words.join(" ")
}

/// An integer in Uzbek words.
pub fn uz(n: u64) -> String {
    spell(n, "nol", |scale, g, words| {
        let (h, t, u) = (g / 100, (g / 10) % 10, g % 10);
        if h > 0 {
            words.push(UZ_UNITS[h as usize]);
            words.push("yuz");
        }
        if t > 0 {
            words.push(UZ_TENS[t as usize]);
        }
        if u > 0 {
            words.push(UZ_UNITS[u as usize]);
        }
        if scale > 0 {
            words.push(UZ_SCALES[scale]);
        }
    })
}

const RU_UNITS_M: [&str; 10] = [
    "",
    "один",
    "два",
    "три",
    "четыре",
    "пять",
    "шесть",
    "семь",
    "восемь",
    "девять",
];
const RU_TEENS: [&str; 10] = [
    "десять",
    "одиннадцать",
    "двенадцать",
    "тринадцать",
    "четырнадцать",
    "пятнадцать",
    "шестнадцать",
    "семнадцать",
    "восемнадцать",
    "девятнадцать",
];
const RU_TENS: [&str; 10] = [
    "",
    "",
    "двадцать",
    "тридцать",
    "сорок",
    "пятьдесят",
    "шестьдесят",
    "семьдесят",
    "восемьдесят",
    "девяносто",
];
const RU_HUNDREDS: [&str; 10] = [
    "",
    "сто",
    "двести",
    "триста",
    "четыреста",
    "пятьсот",
    "шестьсот",
    "семьсот",
    "восемьсот",
    "девятьсот",
];
const RU_SCALES: [[&str; 3]; 4] = [
    ["", "", ""],
    ["тысяча", "тысячи", "тысяч"],
    ["миллион", "миллиона", "миллионов"],
    ["миллиард", "миллиарда", "миллиардов"],
];

/// The Russian plural form for `n`: one, few (2–4) or many (0, 5–20, 11–14 …).
pub fn ru_plural(n: u64, forms: [&'static str; 3]) -> &'static str {
    let (last2, last) = (n % 100, n % 10);
    if (11..=14).contains(&last2) {
        forms[2]
    } else if last == 1 {
        forms[0]
    } else if (2..=4).contains(&last) {
        forms[1]
    } else {
        forms[2]
    }
}

/// An integer in Russian words (masculine, as for сум).
pub fn ru(n: u64) -> String {
    spell(n, "ноль", |scale, g, words| {
        let (h, t, u) = (g / 100, (g / 10) % 10, g % 10);
        if h > 0 {
            words.push(RU_HUNDREDS[h as usize]);
        }
        match t {
            0 => {}
            1 => words.push(RU_TEENS[u as usize]),
            _ => words.push(RU_TENS[t as usize]),
        }
        if t != 1 && u > 0 {
            // Thousands are feminine: одна тысяча, две тысячи.
            words.push(match (scale, u) {
                (1, 1) => "одна",
                (1, 2) => "две",
                _ => RU_UNITS_M[u as usize],
            });
        }
        if scale > 0 {
            words.push(ru_plural(g, RU_SCALES[scale]));
        }
    })
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn words(amount: &str, lang: Lang) -> String {
        amount_in_words(Decimal::from_str(amount).unwrap(), lang).unwrap()
    }

    #[test]
    fn known_values_in_uzbek() {
        let table = [
            ("0", "nol soʻm 00 tiyin"),
            ("0.05", "nol soʻm 05 tiyin"),
            ("1", "bir soʻm 00 tiyin"),
            ("4", "toʻrt soʻm 00 tiyin"),
            ("10", "oʻn soʻm 00 tiyin"),
            ("11.50", "oʻn bir soʻm 50 tiyin"),
            ("19", "oʻn toʻqqiz soʻm 00 tiyin"),
            ("40", "qirq soʻm 00 tiyin"),
            ("99", "toʻqson toʻqqiz soʻm 00 tiyin"),
            ("100", "bir yuz soʻm 00 tiyin"),
            ("101", "bir yuz bir soʻm 00 tiyin"),
            ("1000", "bir ming soʻm 00 tiyin"),
            ("1001", "bir ming bir soʻm 00 tiyin"),
            ("21000", "yigirma bir ming soʻm 00 tiyin"),
            ("100000", "bir yuz ming soʻm 00 tiyin"),
            ("1000000", "bir million soʻm 00 tiyin"),
            ("1000001", "bir million bir soʻm 00 tiyin"),
            ("45000000", "qirq besh million soʻm 00 tiyin"),
            ("135000000.00", "bir yuz oʻttiz besh million soʻm 00 tiyin"),
            (
                "180340500.75",
                "bir yuz sakson million uch yuz qirq ming besh yuz soʻm 75 tiyin",
            ),
            ("800000000", "sakkiz yuz million soʻm 00 tiyin"),
            ("1000000000", "bir milliard soʻm 00 tiyin"),
            ("2000000001", "ikki milliard bir soʻm 00 tiyin"),
            (
                "999999999999.99",
                "toʻqqiz yuz toʻqson toʻqqiz milliard toʻqqiz yuz toʻqson toʻqqiz million \
                 toʻqqiz yuz toʻqson toʻqqiz ming toʻqqiz yuz toʻqson toʻqqiz soʻm 99 tiyin",
            ),
        ];
        for (amount, expected) in table {
            assert_eq!(words(amount, Lang::Uz), expected, "{amount}");
        }
        // The letter is the modifier ʻ (U+02BB), never an apostrophe or a quote.
        let w = words("14", Lang::Uz);
        assert!(
            w.contains('\u{02BB}') && !w.contains('\'') && !w.contains('‘'),
            "{w}"
        );
    }

    #[test]
    fn known_values_in_russian() {
        let table = [
            ("0", "ноль сумов 00 тийинов"),
            ("0.01", "ноль сумов 01 тийин"),
            ("0.02", "ноль сумов 02 тийина"),
            ("1", "один сум 00 тийинов"),
            ("2", "два сума 00 тийинов"),
            ("5", "пять сумов 00 тийинов"),
            ("11", "одиннадцать сумов 00 тийинов"),
            ("12.21", "двенадцать сумов 21 тийин"),
            ("21", "двадцать один сум 00 тийинов"),
            ("22", "двадцать два сума 00 тийинов"),
            ("111", "сто одиннадцать сумов 00 тийинов"),
            ("1000", "одна тысяча сумов 00 тийинов"),
            ("2000", "две тысячи сумов 00 тийинов"),
            ("5000", "пять тысяч сумов 00 тийинов"),
            ("11000", "одиннадцать тысяч сумов 00 тийинов"),
            ("21000", "двадцать одна тысяча сумов 00 тийинов"),
            ("1000000", "один миллион сумов 00 тийинов"),
            ("2000000", "два миллиона сумов 00 тийинов"),
            ("45000000", "сорок пять миллионов сумов 00 тийинов"),
            ("135000000", "сто тридцать пять миллионов сумов 00 тийинов"),
            (
                "180340500.75",
                "сто восемьдесят миллионов триста сорок тысяч пятьсот сумов 75 тийинов",
            ),
            ("1000000000", "один миллиард сумов 00 тийинов"),
            ("3000000002", "три миллиарда два сума 00 тийинов"),
            (
                "999999999999.99",
                "девятьсот девяносто девять миллиардов девятьсот девяносто девять миллионов \
                 девятьсот девяносто девять тысяч девятьсот девяносто девять сумов 99 тийинов",
            ),
        ];
        for (amount, expected) in table {
            assert_eq!(words(amount, Lang::Ru), expected, "{amount}");
        }
    }

    #[test]
    fn rounding_and_the_range() {
        // Half-up to the tiyin.
        assert_eq!(words("1.005", Lang::Uz), "bir soʻm 01 tiyin");
        assert_eq!(words("0.994", Lang::Ru), "ноль сумов 99 тийинов");
        for bad in ["1000000000000", "-1", "999999999999.995"] {
            let e = amount_in_words(Decimal::from_str(bad).unwrap(), Lang::Uz).unwrap_err();
            assert!(e.to_string().contains("between 0"), "{bad}: {e}");
        }
    }
}

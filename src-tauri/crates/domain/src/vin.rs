//! Vehicle identification numbers (ISO 3779), rule P-VIN.
//!
//! The position-9 check digit is computed for every VIN but enforced only where the region
//! requires one (North America, first character 1–5, a product parameter): Uzbek-built
//! cars (WMI `XWB`) and most European ones do not carry it, so a mismatch there is the
//! `VIN_CHECK_DIGIT` warning, not a failure.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// WMI → manufacturer and country, loaded from `assets/vin/wmi.json` by the caller.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WmiTable {
    pub regions: Vec<WmiRegion>,
    pub manufacturers: Vec<WmiManufacturer>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WmiRegion {
    pub prefix: String,
    pub country: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WmiManufacturer {
    pub wmi: String,
    pub manufacturer: String,
    pub country: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CheckDigit {
    Ok,
    Mismatch,
    NotRequired,
}

/// What `uw vin` prints. `check_digit` is null when the VIN's shape is already wrong
/// (no check digit can be computed from a 16-character or I/O/Q-bearing string).
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct VinReport {
    pub vin: String,
    pub valid: bool,
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
    pub wmi: Option<String>,
    pub model_year: Option<i32>,
    pub check_digit: Option<CheckDigit>,
    pub manufacturer: Option<String>,
    pub country: Option<String>,
}

const WEIGHTS: [u32; 17] = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];

fn transliterate(c: char) -> Option<u32> {
    Some(match c {
        '0'..='9' => c.to_digit(10)?,
        'A' | 'J' => 1,
        'B' | 'K' | 'S' => 2,
        'C' | 'L' | 'T' => 3,
        'D' | 'M' | 'U' => 4,
        'E' | 'N' | 'V' => 5,
        'F' | 'W' => 6,
        'G' | 'P' | 'X' => 7,
        'H' | 'Y' => 8,
        'R' | 'Z' => 9,
        _ => return None,
    })
}

/// The check digit position 9 should hold ('0'–'9' or 'X'), or `None` if a character is
/// outside the VIN alphabet.
pub fn expected_check_digit(vin: &str) -> Option<char> {
    let mut sum = 0;
    for (c, w) in vin.chars().zip(WEIGHTS) {
        sum += transliterate(c)? * w;
    }
    let r = sum % 11;
    Some(if r == 10 {
        'X'
    } else {
        char::from_digit(r, 10)?
    })
}

/// Model year from position 10, the latest year of the 30-year cycle that is not after
/// `reference_year + 1` (a car sold in 2026 may carry model year 2027).
pub fn model_year(code: char, reference_year: i32) -> Option<i32> {
    const CODES: &str = "ABCDEFGHJKLMNPRSTVWXY123456789";
    let idx = CODES.find(code)? as i32;
    let mut year = 1980 + idx;
    while year + 30 <= reference_year + 1 {
        year += 30;
    }
    Some(year)
}

/// Checks and decodes a VIN. `na_prefixes` are the first characters whose region
/// requires the check digit; `reference_year` resolves the model-year cycle.
pub fn check(
    input: &str,
    table: &WmiTable,
    na_prefixes: &[String],
    reference_year: i32,
) -> VinReport {
    let vin = input.trim().to_uppercase();
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let len = vin.chars().count();
    if len != 17 {
        errors.push(format!("a VIN has 17 characters, this one has {len}"));
    }
    for (i, c) in vin.chars().enumerate() {
        if matches!(c, 'I' | 'O' | 'Q') {
            errors.push(format!(
                "position {}: '{c}' is never used in a VIN (I, O and Q are excluded)",
                i + 1
            ));
        } else if !c.is_ascii_alphanumeric() {
            errors.push(format!("position {}: {c:?} is not a VIN character", i + 1));
        }
    }
    let shape_ok = errors.is_empty();
    let wmi = (len >= 3).then(|| vin.chars().take(3).collect::<String>());
    let requires_check = na_prefixes.iter().any(|p| vin.starts_with(p.as_str()));

    let check_digit = if shape_ok {
        let expected = expected_check_digit(&vin);
        let actual = vin.chars().nth(8);
        Some(match (expected, actual) {
            (Some(e), Some(a)) if e == a => CheckDigit::Ok,
            (Some(e), Some(a)) if requires_check => {
                errors.push(format!(
                    "position 9 holds '{a}' but the check digit is '{e}' (required for North-American VINs)"
                ));
                CheckDigit::Mismatch
            }
            (Some(e), Some(a)) => {
                warnings.push(format!(
                    "position 9 holds '{a}', the computed check digit is '{e}'; not required in this region"
                ));
                CheckDigit::NotRequired
            }
            _ => CheckDigit::NotRequired,
        })
    } else {
        None
    };

    let model_year = if shape_ok {
        vin.chars()
            .nth(9)
            .and_then(|c| model_year(c, reference_year))
    } else {
        None
    };
    if shape_ok && model_year.is_none() {
        warnings.push("position 10 does not encode a model year".to_string());
    }

    let known = wmi
        .as_deref()
        .and_then(|w| table.manufacturers.iter().find(|m| m.wmi == w));
    let country = known.map(|m| m.country.clone()).or_else(|| {
        table
            .regions
            .iter()
            .filter(|r| vin.starts_with(r.prefix.as_str()))
            .max_by_key(|r| r.prefix.len())
            .map(|r| r.country.clone())
    });

    VinReport {
        valid: errors.is_empty(),
        vin,
        errors,
        warnings,
        wmi,
        model_year,
        check_digit,
        manufacturer: known.map(|m| m.manufacturer.clone()),
        country,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn table() -> WmiTable {
        serde_json::from_str(include_str!("../../../../assets/vin/wmi.json")).unwrap()
    }

    fn na() -> Vec<String> {
        ["1", "2", "3", "4", "5"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    #[test]
    fn a_north_american_vin_with_a_correct_check_digit() {
        // The textbook example of the check-digit algorithm.
        let r = check("1M8GDM9AXKP042788", &table(), &na(), 2026);
        assert!(r.valid, "{r:?}");
        assert_eq!(r.check_digit, Some(CheckDigit::Ok));
        assert_eq!(r.model_year, Some(2019));
    }

    #[test]
    fn a_north_american_mismatch_is_an_error() {
        let r = check("1M8GDM9A1KP042788", &table(), &na(), 2026);
        assert!(!r.valid);
        assert_eq!(r.check_digit, Some(CheckDigit::Mismatch));
    }

    #[test]
    fn an_uzbek_vin_without_check_digit_is_valid_with_a_warning() {
        let r = check("  xwbja69v9la123456 ", &table(), &na(), 2026);
        assert_eq!(r.vin, "XWBJA69V9LA123456");
        assert!(r.valid);
        assert_eq!(r.wmi.as_deref(), Some("XWB"));
        assert_eq!(r.country.as_deref(), Some("Uzbekistan"));
        assert_eq!(r.model_year, Some(2020));
        if r.check_digit != Some(CheckDigit::Ok) {
            assert_eq!(r.check_digit, Some(CheckDigit::NotRequired));
            assert_eq!(r.warnings.len(), 1);
        }
    }

    #[test]
    fn bad_shapes() {
        let r = check("XWBJA69V9LA12345", &table(), &na(), 2026);
        assert!(!r.valid && r.errors[0].contains("16"));
        let r = check("XWBJO69V9LA123456", &table(), &na(), 2026);
        assert!(!r.valid && r.errors[0].contains("position 5"));
        assert_eq!(r.check_digit, None);
        let r = check("XWBJ-69V9LA123456", &table(), &na(), 2026);
        assert!(!r.valid);
        let r = check("", &table(), &na(), 2026);
        assert!(!r.valid && r.wmi.is_none());
        let r = check("ЖWBJA69V9LA123456", &table(), &na(), 2026);
        assert!(!r.valid);
    }

    #[test]
    fn model_year_cycle() {
        assert_eq!(model_year('T', 2026), Some(2026));
        assert_eq!(model_year('V', 2026), Some(2027));
        assert_eq!(model_year('W', 2026), Some(1998));
        assert_eq!(model_year('A', 2026), Some(2010));
        assert_eq!(model_year('U', 2026), None);
    }
}

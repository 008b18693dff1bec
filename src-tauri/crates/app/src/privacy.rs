//! The tests' check that a text holds nothing personal of the cases it was made from: the
//! log and the support bundle are scanned for every party's name, PINFL, passport (or
//! ID card) number and phone, for the loan's and the incomes' amounts, and for the bank's
//! token (built with the feature `privacy-scan`, for the end-to-end tests, and in this
//! crate's own tests).
//!
//! Readings: a name is looked for whole and by its surname (its first word), ignoring
//! case; an amount as the case file writes it (`135000000.00`), without the tiyin
//! (`135000000`) and grouped by thousands with a space, a no-break space or a narrow
//! no-break space (`135 000 000`); a figure (an amount, a PINFL) counts only where no digit
//! touches it, so that it is not found inside a longer number.

use std::path::Path;

use serde_json::Value;

/// One personal datum, and whose it is (for the failure's message).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Needle {
    pub whose: String,
    pub text: String,
}

/// Where a needle was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub line: usize,
    pub whose: String,
    pub text: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {} ({:?})", self.line, self.whose, self.text)
    }
}

/// Every personal datum of every case file (`*.json`) in a folder. A file that does not
/// read is an error naming it: a scan against nothing would pass.
pub fn needles_of_case_files(dir: &Path) -> Result<Vec<Needle>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut paths: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    let mut needles = Vec::new();
    for p in &paths {
        let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
        let case: Value =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", p.display()))?;
        needles.extend(needles_of_case(&case));
    }
    if needles.is_empty() {
        return Err(format!(
            "{}: no case file with personal data",
            dir.display()
        ));
    }
    Ok(needles)
}

/// The personal data of one case file.
pub fn needles_of_case(case: &Value) -> Vec<Needle> {
    let id = case["case_id"].as_str().unwrap_or("a case");
    let mut needles = Vec::new();
    let mut add = |whose: String, text: &str| {
        let text = text.trim();
        if !text.is_empty() {
            needles.push(Needle {
                whose,
                text: text.to_string(),
            });
        }
    };
    for (i, party) in case["parties"].as_array().into_iter().flatten().enumerate() {
        let at = |field: &str| format!("{id} parties[{i}].{field}");
        if let Some(name) = party["full_name"].as_str() {
            add(at("full_name"), name);
            if let Some(surname) = name.split_whitespace().next() {
                add(at("full_name (surname)"), surname);
            }
        }
        if let Some(pinfl) = party["pinfl"].as_str() {
            add(at("pinfl"), pinfl);
        }
        if let Some(number) = party["identity"]["number"].as_str() {
            add(at("identity.number"), number);
        }
        for (key, value) in party.as_object().into_iter().flatten() {
            if key.contains("phone") {
                if let Some(phone) = value.as_str() {
                    add(at(key), phone);
                }
            }
        }
        for (j, income) in party["incomes"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            for (month, amount) in income["months"].as_object().into_iter().flatten() {
                for form in amount.as_str().map(amount_forms).unwrap_or_default() {
                    add(at(&format!("incomes[{j}].months.{month}")), &form);
                }
            }
        }
    }
    for form in case["loan"]["amount"]
        .as_str()
        .map(amount_forms)
        .unwrap_or_default()
    {
        add(format!("{id} loan.amount"), &form);
    }
    needles
}

/// The bank's token, as a needle.
pub fn token(token: &str) -> Needle {
    Needle {
        whose: "the bank's token".into(),
        text: token.to_string(),
    }
}

/// An amount's forms: `135000000.00`, `135000000`, and grouped by thousands
/// (`135 000 000`) with each kind of space.
pub fn amount_forms(amount: &str) -> Vec<String> {
    let amount = amount.trim();
    let whole = amount.split('.').next().unwrap_or(amount);
    let mut forms = vec![amount.to_string(), whole.to_string()];
    if whole.len() > 3 {
        for space in [' ', '\u{a0}', '\u{202f}'] {
            forms.push(grouped(whole, space));
        }
    }
    forms.dedup();
    forms
}

fn grouped(digits: &str, space: char) -> String {
    let chars: Vec<char> = digits.chars().collect();
    let mut out = String::new();
    for (i, c) in chars.iter().enumerate() {
        if i > 0 && (chars.len() - i).is_multiple_of(3) {
            out.push(space);
        }
        out.push(*c);
    }
    out
}

/// Every place in `text` where a needle is found, by line (1-based).
pub fn scan(text: &str, needles: &[Needle]) -> Vec<Finding> {
    let mut found = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let lower = line.to_lowercase();
        for needle in needles {
            if holds(&lower, &needle.text.to_lowercase()) {
                found.push(Finding {
                    line: n + 1,
                    whose: needle.whose.clone(),
                    text: needle.text.clone(),
                });
            }
        }
    }
    found
}

/// Whether `hay` holds `needle`; a needle that begins or ends with a digit only where no
/// digit touches it.
fn holds(hay: &str, needle: &str) -> bool {
    let digit_edges = needle.starts_with(|c: char| c.is_ascii_digit())
        || needle.ends_with(|c: char| c.is_ascii_digit());
    if !digit_edges {
        return hay.contains(needle);
    }
    hay.match_indices(needle).any(|(at, _)| {
        let before = hay[..at].chars().next_back();
        let after = hay[at + needle.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_digit()) && !after.is_some_and(|c| c.is_ascii_digit())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> Vec<Needle> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../assets/demo/cases");
        needles_of_case_files(&dir).unwrap()
    }

    #[test]
    fn the_demo_cases_give_names_pinfls_documents_and_amounts() {
        let needles = demo();
        let has = |text: &str| needles.iter().any(|n| n.text == text);
        assert!(has("Karimov Aziz Rustamovich") && has("Karimov"));
        assert!(has("31502901234569") && has("AA1234567"));
        assert!(has("135000000.00") && has("135000000") && has("135 000 000"));
        assert!(has("12 500 000") && has("135\u{a0}000\u{a0}000"));
    }

    #[test]
    fn each_form_of_a_datum_is_found_and_a_longer_number_is_not_it() {
        let needles = demo();
        for line in [
            r#"{"name":"KARIMOV AZIZ RUSTAMOVICH"}"#,
            "path=/v1/identity/31502901234569",
            "document AA1234567",
            "amount 135 000 000,00",
            "amount=135000000",
        ] {
            assert!(!scan(line, &needles).is_empty(), "{line}");
        }
        for line in [
            r#"{"event":"command","name":"open_case","ms":12,"outcome":"ok"}"#,
            "the number 1350000001 is not the amount",
            "case AUTO-2026-000123 version 4",
        ] {
            assert_eq!(scan(line, &needles), vec![], "{line}");
        }
    }

    #[test]
    fn malformed_case_files_are_refused_not_skipped() {
        let dir = tempfile::tempdir().unwrap();
        assert!(
            needles_of_case_files(dir.path()).is_err(),
            "an empty folder"
        );
        std::fs::write(dir.path().join("bad.json"), "{ not json").unwrap();
        let err = needles_of_case_files(dir.path()).unwrap_err();
        assert!(err.contains("bad.json"), "{err}");
        std::fs::write(dir.path().join("bad.json"), r#"{"parties": 7, "loan": []}"#).unwrap();
        assert!(
            needles_of_case_files(dir.path()).is_err(),
            "nothing personal in it"
        );
        assert_eq!(needles_of_case(&Value::Null), vec![]);
    }
}

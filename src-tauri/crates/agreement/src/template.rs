//! The clause templates (`assets/agreement/uz.json`, `ru.json`): every sentence of the
//! agreement, with `{name}` placeholders filled from the case. The wording lives there,
//! not in code, so the bank's lawyers change a clause without touching a rule.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::{AgreementError, Lang};

const UZ: &str = include_str!("../../../../assets/agreement/uz.json");
const RU: &str = include_str!("../../../../assets/agreement/ru.json");
const OFFER_UZ: &str = include_str!("../../../../assets/agreement/offer-uz.json");
const OFFER_RU: &str = include_str!("../../../../assets/agreement/offer-ru.json");

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    pub title: String,
    pub place_date: String,
    pub bank_name: String,
    pub intro: String,
    pub co_borrowers_clause: String,
    pub sections: Vec<Section>,
    pub disbursement: Disbursement,
    pub labels: BTreeMap<String, String>,
    pub words: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub heading: String,
    pub body: Vec<Part>,
}

/// A paragraph of text, or a place where the case's own data goes.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum Part {
    Text(String),
    Insert { insert: Insert },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Insert {
    Parties,
    Vehicle,
    Terms,
    Disbursement,
    Schedule,
    Signatures,
}

/// The staged-disbursement clauses (§8) by kind of seller.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Disbursement {
    /// Manufacturer or official dealer.
    pub dealer: Vec<String>,
    /// Seller with the car in stock.
    pub in_stock: Vec<String>,
}

pub fn of(lang: Lang) -> Result<Template, AgreementError> {
    let text = match lang {
        Lang::Uz => UZ,
        Lang::Ru => RU,
    };
    parse(lang, text)
}

fn parse<'a, T: Deserialize<'a>>(lang: Lang, text: &'a str) -> Result<T, AgreementError> {
    serde_json::from_str(text).map_err(|e| AgreementError::Template {
        lang: lang.as_str(),
        message: e.to_string(),
    })
}

/// The offer sheet's own wording (`assets/agreement/offer-*.json`): its title, opening and
/// sections; its labels and words are the agreement's, so a figure is named alike on both.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OfferText {
    #[serde(default)]
    #[allow(dead_code)]
    comment: String,
    title: String,
    place_date: String,
    intro: String,
    co_borrowers_clause: String,
    sections: Vec<Section>,
}

/// The offer sheet's template: the agreement's, its text replaced by the offer's.
pub fn offer(lang: Lang) -> Result<Template, AgreementError> {
    let text: OfferText = parse(
        lang,
        match lang {
            Lang::Uz => OFFER_UZ,
            Lang::Ru => OFFER_RU,
        },
    )?;
    Ok(Template {
        title: text.title,
        place_date: text.place_date,
        intro: text.intro,
        co_borrowers_clause: text.co_borrowers_clause,
        sections: text.sections,
        ..of(lang)?
    })
}

impl Template {
    pub fn label(&self, key: &str) -> Result<&str, AgreementError> {
        self.labels
            .get(key)
            .map(String::as_str)
            .ok_or_else(|| self.missing("labels", key))
    }

    pub fn word(&self, key: &str) -> Result<&str, AgreementError> {
        self.words
            .get(key)
            .map(String::as_str)
            .ok_or_else(|| self.missing("words", key))
    }

    fn missing(&self, table: &str, key: &str) -> AgreementError {
        AgreementError::Template {
            lang: "agreement",
            message: format!("{table}.{key} is missing"),
        }
    }
}

/// `text` with every `{name}` replaced from `values`; a placeholder without a value is an
/// error (a clause printed with a hole in it would be worse than none).
pub fn fill(text: &str, values: &BTreeMap<&str, String>) -> Result<String, AgreementError> {
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else {
            return Err(AgreementError::Template {
                lang: "agreement",
                message: format!("an unclosed {{ in {text:?}"),
            });
        };
        let name = &after[..end];
        let value = values.get(name).ok_or_else(|| AgreementError::Template {
            lang: "agreement",
            message: format!("no value for {{{name}}} in {text:?}"),
        })?;
        out.push_str(value);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_templates_read_and_every_placeholder_is_known() {
        for lang in [Lang::Uz, Lang::Ru] {
            let t = of(lang).unwrap();
            assert_eq!(t.sections.len(), 9, "{lang:?}");
            assert!(t.label("page").is_ok() && t.word("annuity").is_ok());
        }
        for lang in [Lang::Uz, Lang::Ru] {
            let t = offer(lang).unwrap();
            assert_eq!(t.sections.len(), 4, "{lang:?}");
        }
        let values = BTreeMap::from([("a", "1".to_string())]);
        assert_eq!(fill("x {a} y", &values).unwrap(), "x 1 y");
        assert!(fill("x {b}", &values)
            .unwrap_err()
            .to_string()
            .contains("{b}"));
        assert!(fill("x {a", &values).is_err());
    }
}

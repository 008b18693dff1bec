//! The rejection letter to the client: why, in plain words, what could change, and the
//! terms the bank could offer instead — the engine's counter-offers.
//!
//! Invariants:
//! - no internal code reaches the paper: each reason is the wording of its engine code in
//!   `assets/agreement/letter-*.json`, and a code without wording (or a rejection the
//!   engine did not make: the reviewer's own) is said in the letter's general words; a
//!   test holds every code the engine gives to a wording in both languages;
//! - a reason said once, however many parties it was about; the changes likewise;
//! - the figures are the engine's: the application's amount, each counter-offer's term,
//!   amount and largest payment.

use std::collections::BTreeMap;

use serde::Deserialize;
use uw_domain::case::CaseFile;
use uw_domain::money::{Date, Money};
use uw_domain::Evaluation;

use crate::content::amount;
use crate::layout::Block;
use crate::template::{fill, Template};
use crate::{AgreementError, Lang};

const UZ: &str = include_str!("../../../../assets/agreement/letter-uz.json");
const RU: &str = include_str!("../../../../assets/agreement/letter-ru.json");

/// The letter's wording.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LetterText {
    #[serde(default)]
    #[allow(dead_code)]
    comment: String,
    title: String,
    place_date: String,
    to: String,
    body: String,
    reasons_heading: String,
    reason_other: String,
    change_heading: String,
    change_other: String,
    counter_heading: String,
    counter_offer: String,
    closing: String,
    /// By the engine's code: the reason in plain words.
    pub reasons: BTreeMap<String, String>,
    /// By the engine's code: what the client could change.
    changes: BTreeMap<String, String>,
}

pub fn text(lang: Lang) -> Result<LetterText, AgreementError> {
    let raw = match lang {
        Lang::Uz => UZ,
        Lang::Ru => RU,
    };
    serde_json::from_str(raw).map_err(|e| AgreementError::Template {
        lang: lang.as_str(),
        message: format!("the letter: {e}"),
    })
}

fn money(m: Money, lang: Lang) -> String {
    let cur = match lang {
        Lang::Uz => "soʻm",
        Lang::Ru => "сум",
    };
    format!("{}\u{a0}{cur}", amount(&m.to_string()))
}

/// Each value once, in the order first met.
fn once(items: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for i in items {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

/// The letter's blocks: `t` is the agreement's template of the language (the bank's name,
/// the labels of the signature place).
pub fn blocks(
    case: &CaseFile,
    ev: &Evaluation,
    lang: Lang,
    t: &Template,
    l: &LetterText,
) -> Result<Vec<Block>, AgreementError> {
    let decided = case
        .review
        .as_ref()
        .and_then(|r| r.signed_at.get(..10))
        .and_then(|d| d.parse::<Date>().ok())
        .unwrap_or(case.application_date);
    let date = |d: Date| d.0.format("%d.%m.%Y").to_string();
    let values = BTreeMap::from([
        ("date", date(decided)),
        ("application_date", date(case.application_date)),
        ("borrower_name", case.borrower().full_name.clone()),
        ("bank_name", t.bank_name.clone()),
        ("amount", money(case.loan.amount, lang)),
        ("contract_no", case.case_id.clone()),
    ]);
    let codes: Vec<&str> = ev.reasons.iter().map(|r| r.code.as_str()).collect();
    let reasons = once(codes.iter().map(|c| {
        l.reasons
            .get(*c)
            .cloned()
            .unwrap_or_else(|| l.reason_other.clone())
    }));
    let reasons = if reasons.is_empty() {
        vec![l.reason_other.clone()]
    } else {
        reasons
    };
    let changes = once(codes.iter().filter_map(|c| l.changes.get(*c).cloned()));
    let changes = if changes.is_empty() {
        vec![l.change_other.clone()]
    } else {
        changes
    };
    let bullet = |s: &String| Block::Paragraph(format!("•\u{a0}{s}"));
    let mut out = vec![
        Block::Title(fill(&l.title, &values)?),
        Block::Center(fill(&l.place_date, &values)?),
        Block::Paragraph(fill(&l.to, &values)?),
        Block::Paragraph(fill(&l.body, &values)?),
        Block::Heading(l.reasons_heading.clone()),
    ];
    out.extend(reasons.iter().map(bullet));
    out.push(Block::Heading(l.change_heading.clone()));
    out.extend(changes.iter().map(bullet));
    if let Some(offers) = ev.counter_offer.as_ref().filter(|o| !o.is_empty()) {
        out.push(Block::Heading(l.counter_heading.clone()));
        for o in offers {
            let v = BTreeMap::from([
                ("term", o.term_months.to_string()),
                ("amount", money(o.amount, lang)),
                ("payment", money(o.max_monthly_payment, lang)),
            ]);
            out.push(bullet(&fill(&l.counter_offer, &v)?));
        }
    }
    out.push(Block::Paragraph(fill(&l.closing, &values)?));
    out.push(Block::Signatures {
        parties: vec![(t.label("bank")?.to_string(), t.bank_name.clone())],
        signature: t.label("signature")?.to_string(),
        stamp: t.label("stamp")?.to_string(),
    });
    Ok(out)
}

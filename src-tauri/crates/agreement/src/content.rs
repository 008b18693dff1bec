//! What the agreement says: the case's figures set into the clause templates, as blocks
//! for the layout. Amounts keep their decimals (`Money` text) behind a decimal comma,
//! grouped with no-break spaces so a figure never breaks across lines. An advance not yet
//! recorded when the agreement prints is named in clause 5.2 by the contract's words
//! instead of a figure.

use std::collections::BTreeMap;

use uw_domain::case::{CaseFile, InsuranceKind, Role, ScheduleKind, SellerKind};
use uw_domain::money::{Date, Money};
use uw_domain::Evaluation;

use crate::layout::{Block, Column};
use crate::template::{fill, Insert, Part, Template};
use crate::words::amount_in_words;
use crate::{AgreementError, Lang};

const NBSP: char = '\u{00A0}';

const TOTALS_TOO_LARGE: &str =
    "the schedule's totals are above the largest amount accepted (10^15 UZS)";

/// "135000000.00" → "135 000 000,00" (no-break spaces, decimal comma).
pub fn amount(m: &str) -> String {
    let (int, frac) = m.split_once('.').unwrap_or((m, "00"));
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(NBSP);
        }
        grouped.push(c);
    }
    format!("{sign}{grouped},{frac:0<2}")
}

fn money(m: Money) -> String {
    amount(&m.to_string())
}

/// "23.00" → "23,00".
fn percent(p: &str) -> String {
    p.replace('.', ",")
}

fn date(d: Date) -> String {
    d.0.format("%d.%m.%Y").to_string()
}

fn currency(lang: Lang) -> &'static str {
    match lang {
        Lang::Uz => "soʻm",
        Lang::Ru => "сум",
    }
}

pub fn blocks(
    case: &CaseFile,
    ev: &Evaluation,
    lang: Lang,
    t: &Template,
) -> Result<Vec<Block>, AgreementError> {
    let cur = currency(lang);
    let with_cur = |m: Money| format!("{}{NBSP}{cur}", money(m));
    let m = &ev.metrics;
    let none = || "—".to_string();
    let borrower = case.borrower();
    let co: Vec<&str> = case.co_borrowers().map(|p| p.full_name.as_str()).collect();
    let signed = case
        .review
        .as_ref()
        .and_then(|r| r.signed_at.get(..10))
        .and_then(|d| d.parse::<Date>().ok())
        .map_or_else(none, date);
    let policy = |kind: InsuranceKind| -> Result<String, AgreementError> {
        match case.insurance.iter().find(|p| p.kind == kind) {
            None => Ok(t.word("no_policy")?.to_string()),
            Some(p) => fill(
                t.word("policy")?,
                &BTreeMap::from([
                    ("policy", p.policy.clone()),
                    ("from", date(p.from)),
                    ("to", date(p.to)),
                ]),
            ),
        }
    };
    let advance = case.disbursement.advance;
    let rest = advance
        .filter(|a| *a < case.loan.amount)
        .and_then(|a| case.loan.amount.checked_sub(a));
    let words_of = |m: Money| amount_in_words(m.decimal(), lang);
    let mut values: BTreeMap<&str, String> = BTreeMap::from([
        ("contract_no", case.case_id.clone()),
        ("date", signed),
        ("application_date", date(case.application_date)),
        ("bank_name", t.bank_name.clone()),
        ("borrower_name", borrower.full_name.clone()),
        ("amount", with_cur(case.loan.amount)),
        ("amount_words", words_of(case.loan.amount)?),
        ("term", case.loan.term_months.to_string()),
        ("rate", m.rate.as_deref().map_or_else(none, percent)),
        (
            "schedule_kind",
            t.word(schedule_word(case.loan.schedule))?.into(),
        ),
        ("grace", case.loan.grace_months.to_string()),
        (
            "income",
            format!("{}{NBSP}{cur}", amount(&m.average_monthly_income)),
        ),
        ("dti", m.dti.as_deref().map_or_else(none, percent)),
        (
            "ear",
            m.effective_annual_rate
                .as_deref()
                .map_or_else(none, percent),
        ),
        (
            "total_interest",
            m.total_interest
                .as_deref()
                .map_or_else(none, |v| format!("{}{NBSP}{cur}", amount(v))),
        ),
        (
            "total_payable",
            m.total_payable
                .as_deref()
                .map_or_else(none, |v| format!("{}{NBSP}{cur}", amount(v))),
        ),
        ("vin", case.vehicle.vin.trim().to_uppercase()),
        ("vehicle_policy", policy(InsuranceKind::Vehicle)?),
        ("nr_policy", policy(InsuranceKind::NonRepayment)?),
        ("first_payment", date(case.loan.first_payment_date)),
        ("maturity", m.maturity_date.map_or_else(none, date)),
        ("down_payment", with_cur(case.loan.down_payment)),
        // Not yet recorded when the agreement is signed: the contract's own words.
        (
            "advance",
            advance.map_or_else(
                || t.word("advance_per_contract").map(str::to_string),
                |a| Ok(with_cur(a)),
            )?,
        ),
        (
            "rest",
            rest.map_or_else(
                || t.word("rest_after_advance").map(str::to_string),
                |r| Ok(with_cur(r)),
            )?,
        ),
    ]);
    let co_clause = if co.is_empty() {
        String::new()
    } else {
        fill(
            &t.co_borrowers_clause,
            &BTreeMap::from([("names", co.join(", "))]),
        )?
    };
    values.insert("co_borrowers_clause", co_clause);

    let mut out = vec![
        Block::Title(fill(&t.title, &values)?),
        Block::Center(fill(&t.place_date, &values)?),
        Block::Paragraph(fill(&t.intro, &values)?),
    ];
    for section in &t.sections {
        out.push(Block::Heading(section.heading.clone()));
        for part in &section.body {
            match part {
                Part::Text(text) => out.push(Block::Paragraph(fill(text, &values)?)),
                Part::Insert { insert } => {
                    out.extend(inserted(*insert, case, ev, lang, t, &values)?)
                }
            }
        }
    }
    Ok(out)
}

fn schedule_word(kind: ScheduleKind) -> &'static str {
    match kind {
        ScheduleKind::Annuity => "annuity",
        ScheduleKind::Differentiated => "differentiated",
    }
}

fn seller_word(kind: SellerKind) -> &'static str {
    match kind {
        SellerKind::Manufacturer => "manufacturer",
        SellerKind::OfficialDealer => "official_dealer",
        SellerKind::DealerInStock => "dealer_in_stock",
        SellerKind::PrivatePerson => "private_person",
    }
}

fn inserted(
    what: Insert,
    case: &CaseFile,
    ev: &Evaluation,
    lang: Lang,
    t: &Template,
    values: &BTreeMap<&str, String>,
) -> Result<Vec<Block>, AgreementError> {
    let l = |k: &str| t.label(k).map(str::to_string);
    let cur = currency(lang);
    Ok(match what {
        Insert::Parties => {
            let mut rows = vec![(l("bank")?, t.bank_name.clone())];
            for p in &case.parties {
                let role = match p.role {
                    Role::Borrower => l("borrower")?,
                    Role::CoBorrower => l("co_borrower")?,
                };
                let doc = p.identity.as_ref().map_or_else(
                    || "—".to_string(),
                    |i| {
                        let kind = t.word(&i.kind).unwrap_or(&i.kind);
                        format!("{kind} {}", i.number)
                    },
                );
                rows.push((role, p.full_name.clone()));
                rows.push((
                    format!("{} · {}", l("pinfl")?, l("document")?),
                    format!("{} · {doc}", p.pinfl),
                ));
                rows.push((l("birth_date")?, date(p.birth_date)));
            }
            vec![Block::KeyValues(rows)]
        }
        Insert::Vehicle => {
            let v = &case.vehicle;
            vec![Block::KeyValues(vec![
                (
                    l("vehicle")?,
                    format!("{} {}", v.make, v.model).trim().to_string(),
                ),
                (l("vin")?, values["vin"].clone()),
                (l("category")?, v.category.clone()),
                (l("year")?, v.production_year.to_string()),
                (
                    l("seller")?,
                    t.word(seller_word(v.seller_kind))?.to_string(),
                ),
                (
                    l("price")?,
                    format!("{}{NBSP}{cur}", money(v.contract_price)),
                ),
                (l("down_payment")?, values["down_payment"].clone()),
            ])]
        }
        Insert::Terms => {
            let m = &ev.metrics;
            let months = t.label("months")?;
            vec![Block::KeyValues(vec![
                (l("amount")?, values["amount"].clone()),
                (l("amount_words")?, values["amount_words"].clone()),
                (
                    l("term")?,
                    format!("{}{NBSP}{months}", case.loan.term_months),
                ),
                (l("rate")?, format!("{}{NBSP}%", values["rate"])),
                (l("schedule_kind")?, values["schedule_kind"].clone()),
                (
                    l("grace")?,
                    format!("{}{NBSP}{months}", case.loan.grace_months),
                ),
                (l("first_payment")?, values["first_payment"].clone()),
                (l("maturity")?, values["maturity"].clone()),
                (
                    l("max_payment")?,
                    m.max_monthly_payment
                        .as_deref()
                        .map_or_else(|| "—".into(), |v| format!("{}{NBSP}{cur}", amount(v))),
                ),
                (l("total_interest")?, values["total_interest"].clone()),
                (l("total_payable")?, values["total_payable"].clone()),
                (l("ear")?, format!("{}{NBSP}%", values["ear"])),
                (l("dti")?, format!("{}{NBSP}%", values["dti"])),
            ])]
        }
        Insert::Disbursement => {
            let clauses = match case.vehicle.seller_kind {
                SellerKind::DealerInStock => &t.disbursement.in_stock,
                _ => &t.disbursement.dealer,
            };
            clauses
                .iter()
                .map(|c| fill(c, values).map(Block::Paragraph))
                .collect::<Result<_, _>>()?
        }
        Insert::Schedule => {
            let rows = ev.schedule.as_deref().unwrap_or_default();
            // An approved amount's payments sum far below 10^15; a schedule past it is
            // refused rather than printed with a wrong total.
            let sum = |f: fn(&uw_domain::schedule::ScheduleRow) -> Money| {
                let total = Money::checked_sum(rows.iter().map(f));
                total
                    .map(money)
                    .ok_or_else(|| AgreementError::NotPrintable(TOTALS_TOO_LARGE.into()))
            };
            vec![Block::Table {
                columns: vec![
                    Column::new(l("n")?, 26.0, false),
                    Column::new(l("date")?, 66.0, false),
                    Column::new(l("payment")?, 92.0, true),
                    Column::new(l("principal")?, 92.0, true),
                    Column::new(l("interest")?, 88.0, true),
                    Column::new(l("balance")?, 100.0, true),
                ],
                rows: rows
                    .iter()
                    .map(|r| {
                        vec![
                            r.n.to_string(),
                            date(r.date),
                            money(r.payment),
                            money(r.principal),
                            money(r.interest),
                            money(r.balance),
                        ]
                    })
                    .collect(),
                total: vec![
                    l("total")?,
                    String::new(),
                    sum(|r| r.payment)?,
                    sum(|r| r.principal)?,
                    sum(|r| r.interest)?,
                    String::new(),
                ],
            }]
        }
        Insert::Signatures => {
            let mut parties = vec![(l("bank")?, t.bank_name.clone())];
            for p in &case.parties {
                let role = match p.role {
                    Role::Borrower => l("borrower")?,
                    Role::CoBorrower => l("co_borrower")?,
                };
                parties.push((role, p.full_name.clone()));
            }
            vec![Block::Signatures {
                parties,
                signature: l("signature")?,
                stamp: l("stamp")?,
            }]
        }
    })
}

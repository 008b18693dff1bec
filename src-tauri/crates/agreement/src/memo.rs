//! The decision memo for the credit file: the engine's figures, every reason with its rule
//! ID and code, the §6 conditions, the maker's proposal, an exception, the notes, and who
//! signed — maker and checker with the fingerprints of their signed statements.
//!
//! Invariants:
//! - the figures and reasons are the engine's, on the stored case the memo is stamped
//!   with; the people, words and times are the workflow's as the service hands them over
//!   ([`MemoFacts`]) — this crate decides nothing about them;
//! - an internal paper: every page carries [`crate::Lang::memo_mark`], in the text layer
//!   too, so a memo never passes for a letter to the client;
//! - the wording is `assets/agreement/memo-*.json`; the codes stay (the credit file reads
//!   them), each reason beside its wording from the rejection letter's catalogue.

use std::collections::BTreeMap;

use serde::Deserialize;
use uw_domain::case::CaseFile;
use uw_domain::decision::ConditionStatus;
use uw_domain::Evaluation;

use crate::content::amount;
use crate::layout::Block;
use crate::template::{fill, Template};
use crate::{AgreementError, Lang};

const UZ: &str = include_str!("../../../../assets/agreement/memo-uz.json");
const RU: &str = include_str!("../../../../assets/agreement/memo-ru.json");

/// A person who signed: their staff id, when, and the fingerprint of their signed
/// statement (None on a standalone workstation, whose sign-offs are confirmed by password).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Signer {
    pub name: String,
    pub at: Option<String>,
    pub fingerprint: Option<String>,
}

/// An approval by exception, as the memo says it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemoException {
    pub reason: String,
    /// The maker's proposal it overruled: approve | reject.
    pub overrules: String,
    pub role: Option<String>,
    pub limit: Option<String>,
}

/// A note of the case's thread.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemoNote {
    pub author: String,
    pub at: String,
    pub text: String,
}

/// A condition of the approval beyond §6 and where it stands.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemoCondition {
    pub text: String,
    pub owner: String,
    pub due: String,
    pub stage: u8,
    pub raised_by: String,
    pub raised_at: String,
    /// `open`, `met` or `waived`.
    pub status: String,
    pub closed_by: Option<String>,
    pub closed_at: Option<String>,
    /// The evidence (met) or the reason (waived).
    pub words: Option<String>,
    /// The bank accepted its last act (a workstation without a bank: always).
    pub confirmed: bool,
}

/// What the workflow says of the decision, handed over by the service.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemoFacts {
    /// approved | rejected
    pub stage: String,
    /// The maker's proposal (approve | reject) and justification.
    pub proposal: Option<(String, String)>,
    pub maker: Option<Signer>,
    pub checker: Option<Signer>,
    /// The checker's words (a rejection's comment).
    pub comment: Option<String>,
    pub accepted_at: Option<String>,
    pub exception: Option<MemoException>,
    pub notes: Vec<MemoNote>,
    /// The approval's conditions beyond §6, in the order raised.
    pub conditions: Vec<MemoCondition>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemoText {
    #[serde(default)]
    #[allow(dead_code)]
    comment: String,
    title: String,
    subtitle: String,
    figures_heading: String,
    labels: BTreeMap<String, String>,
    reasons_heading: String,
    reason: String,
    measured: String,
    no_reasons: String,
    warnings_heading: String,
    conditions_heading: String,
    condition: String,
    approval_conditions_heading: String,
    approval_condition: String,
    approval_condition_closed: String,
    approval_condition_unconfirmed: String,
    no_approval_conditions: String,
    proposal_heading: String,
    proposal: String,
    exception_heading: String,
    exception: String,
    exception_limit: String,
    decision_heading: String,
    decision: String,
    decision_comment: String,
    bank_accepted: String,
    notes_heading: String,
    note: String,
    no_notes: String,
    signatures_heading: String,
    maker: String,
    checker: String,
    fingerprint: String,
    no_fingerprint: String,
    words: BTreeMap<String, String>,
}

pub fn text(lang: Lang) -> Result<MemoText, AgreementError> {
    let raw = match lang {
        Lang::Uz => UZ,
        Lang::Ru => RU,
    };
    serde_json::from_str(raw).map_err(|e| AgreementError::Template {
        lang: lang.as_str(),
        message: format!("the decision memo: {e}"),
    })
}

impl MemoText {
    fn missing(&self, lang: Lang, what: &str) -> AgreementError {
        AgreementError::Template {
            lang: lang.as_str(),
            message: format!("the decision memo: {what} is missing"),
        }
    }

    fn label(&self, lang: Lang, key: &str) -> Result<String, AgreementError> {
        self.labels
            .get(key)
            .cloned()
            .ok_or_else(|| self.missing(lang, &format!("labels.{key}")))
    }

    /// The word for a decision, stage or status; the key itself when the catalogue has
    /// none (a new status is printed, never dropped).
    fn word(&self, key: &str) -> String {
        self.words
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_string())
    }
}

/// Words a person typed as paragraphs: one per line they wrote, each drawable
/// ([`crate::layout::drawable`]); blank lines dropped.
fn typed(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| crate::layout::drawable(l).trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

/// One line of typed words (a name, a reason): line breaks read as spaces.
fn typed_line(text: &str) -> String {
    typed(text).join(" ")
}

/// "2026-12-02T09:15:30.123Z" → "02.12.2026 09:15 UTC" (the time as written, with its
/// zone); text of another form as it is (made drawable).
fn when(rfc3339: &str) -> String {
    let b = rfc3339.as_bytes();
    if !rfc3339.is_ascii() {
        return typed_line(rfc3339);
    }
    let shaped = b.len() >= 17
        && [4, 7].iter().all(|&i| b[i] == b'-')
        && b[10] == b'T'
        && b[13] == b':'
        && rfc3339[..16].bytes().filter(u8::is_ascii_digit).count() == 12;
    if !shaped {
        return rfc3339.to_string();
    }
    let zone = if rfc3339.ends_with('Z') {
        " UTC".to_string()
    } else {
        rfc3339
            .get(rfc3339.len().saturating_sub(6)..)
            .filter(|z| z.starts_with('+') || z.starts_with('-'))
            .map(|z| format!(" {z}"))
            .unwrap_or_default()
    };
    format!(
        "{}.{}.{} {}{zone}",
        &rfc3339[8..10],
        &rfc3339[5..7],
        &rfc3339[..4],
        &rfc3339[11..16]
    )
}

fn percent(p: Option<&str>) -> String {
    p.map_or_else(|| "—".to_string(), |p| format!("{p} %"))
}

fn money(m: Option<&str>, lang: Lang) -> String {
    let cur = match lang {
        Lang::Uz => "soʻm",
        Lang::Ru => "сум",
    };
    m.map_or_else(|| "—".into(), |m| format!("{}\u{a0}{cur}", amount(m)))
}

fn figures(
    case: &CaseFile,
    ev: &Evaluation,
    lang: Lang,
    m: &MemoText,
) -> Result<Block, AgreementError> {
    let metrics = &ev.metrics;
    let rows = [
        ("borrower", case.borrower().full_name.clone()),
        ("branch", case.branch.clone()),
        (
            "application_date",
            case.application_date.0.format("%d.%m.%Y").to_string(),
        ),
        ("amount", money(Some(&case.loan.amount.to_string()), lang)),
        ("term", case.loan.term_months.to_string()),
        ("rate", percent(metrics.rate.as_deref())),
        (
            "effective_rate",
            percent(metrics.effective_annual_rate.as_deref()),
        ),
        ("income", money(Some(&metrics.average_monthly_income), lang)),
        ("dti", percent(metrics.dti.as_deref())),
        ("ltv", percent(Some(&metrics.ltv))),
        (
            "payment",
            money(metrics.max_monthly_payment.as_deref(), lang),
        ),
        ("engine", m.word(ev.decision.as_str())),
    ];
    let mut out = Vec::with_capacity(rows.len());
    for (key, value) in rows {
        out.push((m.label(lang, key)?, value));
    }
    Ok(Block::KeyValues(out))
}

/// The reasons with their rule IDs, codes and plain words (the rejection letter's), then
/// the warnings.
fn reasons(ev: &Evaluation, lang: Lang, m: &MemoText) -> Result<Vec<Block>, AgreementError> {
    let plain = crate::letter::text(lang)?.reasons;
    let mut out = vec![Block::Heading(m.reasons_heading.clone())];
    if ev.reasons.is_empty() {
        out.push(Block::Paragraph(m.no_reasons.clone()));
    }
    for r in &ev.reasons {
        let text = plain
            .get(&r.code)
            .cloned()
            .unwrap_or_else(|| r.message.clone());
        let mut line = fill(
            &m.reason,
            &BTreeMap::from([
                ("rule", r.rule.to_string()),
                ("code", r.code.clone()),
                ("text", text),
            ]),
        )?;
        if let (Some(value), Some(limit)) = (&r.value, &r.limit) {
            line.push_str(&fill(
                &m.measured,
                &BTreeMap::from([("value", value.clone()), ("limit", limit.clone())]),
            )?);
        }
        out.push(Block::Paragraph(format!("•\u{a0}{line}")));
    }
    if !ev.warnings.is_empty() {
        out.push(Block::Heading(m.warnings_heading.clone()));
        for w in &ev.warnings {
            out.push(Block::Paragraph(format!(
                "•\u{a0}{} {}: {}",
                w.rule, w.code, w.message
            )));
        }
    }
    Ok(out)
}

fn conditions(ev: &Evaluation, m: &MemoText) -> Result<Vec<Block>, AgreementError> {
    let mut out = vec![Block::Heading(m.conditions_heading.clone())];
    for c in &ev.conditions {
        let status = match c.status {
            ConditionStatus::Met => "met",
            ConditionStatus::Open => "open",
            ConditionStatus::Failed => "failed",
        };
        out.push(Block::Paragraph(format!(
            "•\u{a0}{}",
            fill(
                &m.condition,
                &BTreeMap::from([
                    ("rule", c.rule.to_string()),
                    ("code", c.code.clone()),
                    ("status", m.word(status)),
                ]),
            )?
        )));
    }
    Ok(out)
}

/// The approval's conditions beyond §6: each with its owner, due date and stage, and how
/// it closed (who, when, the evidence or the reason) — every word a person typed.
fn approval_conditions(f: &MemoFacts, m: &MemoText) -> Result<Vec<Block>, AgreementError> {
    let mut out = vec![Block::Heading(m.approval_conditions_heading.clone())];
    if f.conditions.is_empty() {
        out.push(Block::Paragraph(m.no_approval_conditions.clone()));
    }
    for c in &f.conditions {
        out.push(Block::Paragraph(format!(
            "•\u{a0}{}",
            fill(
                &m.approval_condition,
                &BTreeMap::from([
                    ("text", typed_line(&c.text)),
                    ("owner", typed_line(&c.owner)),
                    ("due", typed_line(&c.due)),
                    ("stage", c.stage.to_string()),
                    ("raised_by", typed_line(&c.raised_by)),
                    ("raised_at", when(&c.raised_at)),
                    ("status", m.word(&c.status)),
                ]),
            )?
        )));
        if let (Some(by), Some(at)) = (&c.closed_by, &c.closed_at) {
            out.push(Block::Paragraph(fill(
                &m.approval_condition_closed,
                &BTreeMap::from([
                    ("status", m.word(&c.status)),
                    ("closed_by", typed_line(by)),
                    ("closed_at", when(at)),
                    (
                        "words",
                        c.words.as_deref().map_or_else(|| "—".into(), typed_line),
                    ),
                ]),
            )?));
        }
        if !c.confirmed {
            out.push(Block::Paragraph(m.approval_condition_unconfirmed.clone()));
        }
    }
    Ok(out)
}

/// The proposal, the exception, the decision and the bank's acceptance.
fn decision(f: &MemoFacts, m: &MemoText) -> Result<Vec<Block>, AgreementError> {
    let name = |s: &Option<Signer>| s.as_ref().map_or("—".to_string(), |s| typed_line(&s.name));
    let mut out = Vec::new();
    if let Some((proposal, justification)) = &f.proposal {
        out.push(Block::Heading(m.proposal_heading.clone()));
        out.push(Block::Paragraph(fill(
            &m.proposal,
            &BTreeMap::from([
                ("maker", name(&f.maker)),
                ("decision", m.word(proposal)),
                ("justification", typed_line(justification)),
            ]),
        )?));
    }
    if let Some(e) = &f.exception {
        out.push(Block::Heading(m.exception_heading.clone()));
        out.push(Block::Paragraph(fill(
            &m.exception,
            &BTreeMap::from([
                ("checker", name(&f.checker)),
                ("overrules", m.word(&e.overrules)),
                ("reason", typed_line(&e.reason)),
            ]),
        )?));
        if let (Some(role), Some(limit)) = (&e.role, &e.limit) {
            out.push(Block::Paragraph(fill(
                &m.exception_limit,
                &BTreeMap::from([("role", typed_line(role)), ("limit", amount(limit))]),
            )?));
        }
    }
    out.push(Block::Heading(m.decision_heading.clone()));
    let at = f
        .checker
        .as_ref()
        .and_then(|c| c.at.as_deref())
        .map_or_else(|| "—".to_string(), when);
    out.push(Block::Paragraph(fill(
        &m.decision,
        &BTreeMap::from([
            ("checker", name(&f.checker)),
            ("decision", m.word(&f.stage)),
            ("at", at),
        ]),
    )?));
    if let Some(c) = &f.comment {
        out.push(Block::Paragraph(fill(
            &m.decision_comment,
            &BTreeMap::from([("comment", typed_line(c))]),
        )?));
    }
    if let Some(at) = &f.accepted_at {
        out.push(Block::Paragraph(fill(
            &m.bank_accepted,
            &BTreeMap::from([("at", when(at))]),
        )?));
    }
    Ok(out)
}

fn notes(f: &MemoFacts, m: &MemoText) -> Result<Vec<Block>, AgreementError> {
    let mut out = vec![Block::Heading(m.notes_heading.clone())];
    if f.notes.is_empty() {
        out.push(Block::Paragraph(m.no_notes.clone()));
    }
    for n in &f.notes {
        // A note keeps its lines: the first beside who and when, the rest under it.
        let mut lines = typed(&n.text).into_iter();
        out.push(Block::Paragraph(fill(
            &m.note,
            &BTreeMap::from([
                ("author", typed_line(&n.author)),
                ("at", when(&n.at)),
                ("text", lines.next().unwrap_or_else(|| "—".into())),
            ]),
        )?));
        out.extend(lines.map(Block::Paragraph));
    }
    Ok(out)
}

fn signatures(f: &MemoFacts, m: &MemoText) -> Result<Vec<Block>, AgreementError> {
    let line = |s: &Option<Signer>| -> Result<String, AgreementError> {
        let Some(s) = s else {
            return Ok("—".to_string());
        };
        let print = match &s.fingerprint {
            Some(fp) => fill(
                &m.fingerprint,
                &BTreeMap::from([("fingerprint", fp.clone())]),
            )?,
            None => m.no_fingerprint.clone(),
        };
        Ok(format!("{} — {print}", typed_line(&s.name)))
    };
    Ok(vec![
        Block::Heading(m.signatures_heading.clone()),
        Block::KeyValues(vec![
            (m.maker.clone(), line(&f.maker)?),
            (m.checker.clone(), line(&f.checker)?),
        ]),
    ])
}

/// The memo's blocks.
pub(crate) fn blocks(
    case: &CaseFile,
    ev: &Evaluation,
    facts: &MemoFacts,
    lang: Lang,
    _t: &Template,
    m: &MemoText,
) -> Result<Vec<Block>, AgreementError> {
    let decided = facts
        .checker
        .as_ref()
        .and_then(|c| c.at.as_deref())
        .map_or_else(|| "—".to_string(), when);
    let mut out = vec![
        Block::Title(m.title.clone()),
        Block::Center(fill(
            &m.subtitle,
            &BTreeMap::from([
                ("case_id", case.case_id.clone()),
                ("decision", m.word(&facts.stage)),
                ("date", decided),
            ]),
        )?),
        Block::Heading(m.figures_heading.clone()),
        figures(case, ev, lang, m)?,
    ];
    out.extend(reasons(ev, lang, m)?);
    out.extend(conditions(ev, m)?);
    out.extend(approval_conditions(facts, m)?);
    out.extend(decision(facts, m)?);
    out.extend(notes(facts, m)?);
    out.extend(signatures(facts, m)?);
    Ok(out)
}

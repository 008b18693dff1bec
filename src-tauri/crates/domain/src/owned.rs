//! The fields of a case file that only the system writes, each by its own service: the
//! review block (the workflow, from the bank's acceptance), the state register's answer,
//! the credit bureau's report and the official income service's answer on each party (the
//! checks), the lien's status and
//! timeline (the Pledge Registry), a document's verdict (the document check) and the
//! disbursement (its evidence and orders). A person's edit of the case file may change
//! everything else.
//!
//! Invariant: [`edit`] is the gate of every edit that comes as a whole case file (the
//! window's save); an import goes through [`strip`]. Each refusal names the JSON path.
//!
//! Readings fixed here:
//! - a document's verdict is its `checked` record and its `status` once marked: an edit
//!   keeps every marked document as it is (it may add or remove pending ones); a
//!   document's version is the service's (a new scan after a rejection starts one): an
//!   edit never raises a line's latest version;
//! - a party's register answer and bureau report may be dropped (a check to do again),
//!   never written or changed; when the party's PINFL or document changes they must go
//!   (they were about another person or paper). Its official income answer is kept while
//!   the person is the same (dropping it would hide the gap it shows) and goes with them;
//! - an imported case file keeps its documents' intake statuses (the application as the
//!   bank's front office took it; the case-file format carries them) but loses every
//!   record only a service writes, and the import says which.

use crate::case::{CaseFile, Disbursement, Document, DocumentStatus, Party, Pledge};

/// A change of a system-owned field, named by its JSON path.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{path}: written by {writer} only, not by an edit of the case file")]
pub struct OwnedChange {
    pub path: String,
    pub writer: &'static str,
}

fn owned(path: impl Into<String>, writer: &'static str) -> OwnedChange {
    OwnedChange {
        path: path.into(),
        writer,
    }
}

/// Whether `after` (an edit of `before`) leaves every system-owned field as it was.
pub fn edit(before: &CaseFile, after: &CaseFile) -> Result<(), OwnedChange> {
    if after.review != before.review {
        return Err(owned("review", "the review workflow"));
    }
    if after.pledge != before.pledge {
        return Err(owned("pledge", "the Pledge Registry's answers"));
    }
    if after.disbursement != before.disbursement {
        return Err(owned("disbursement", "the disbursement's services"));
    }
    for (i, party) in after.parties.iter().enumerate() {
        party_checks(i, before.parties.get(i), party)?;
    }
    documents(&before.documents, &after.documents)
}

/// The register's answer, the bureau's report and the official income answer of party
/// `i`: as they were, or dropped (the official answer only with the person).
fn party_checks(i: usize, before: Option<&Party>, after: &Party) -> Result<(), OwnedChange> {
    let same_person = before.is_some_and(|b| {
        b.pinfl == after.pinfl
            && b.identity.as_ref().map(|d| &d.number) == after.identity.as_ref().map(|d| &d.number)
    });
    let check_before = before.and_then(|b| b.identity.as_ref()?.state_check.as_ref());
    let check_after = after.identity.as_ref().and_then(|d| d.state_check.as_ref());
    if !kept_or_dropped(same_person, check_before, check_after) {
        return Err(owned(
            format!("parties[{i}].identity.state_check"),
            "the state identity register's check",
        ));
    }
    let bureau_before = before.and_then(|b| b.bureau.as_ref());
    if !kept_or_dropped(same_person, bureau_before, after.bureau.as_ref()) {
        return Err(owned(
            format!("parties[{i}].bureau"),
            "the credit bureau's pull",
        ));
    }
    // The official income is kept even for the same person: dropping it would drop the
    // gap it shows the reviewer. Another person's goes with them.
    let official_before = before.and_then(|b| b.official_income.as_ref());
    let official_kept = match after.official_income.as_ref() {
        None => !same_person || official_before.is_none(),
        now => same_person && official_before == now,
    };
    if !official_kept {
        return Err(owned(
            format!("parties[{i}].official_income"),
            "the official income service's answer",
        ));
    }
    Ok(())
}

/// A record kept as it was, or dropped (never written, never changed).
fn kept_or_dropped<T: PartialEq>(same_person: bool, was: Option<&T>, now: Option<&T>) -> bool {
    now.is_none() || (same_person && was == now)
}

/// A marked document (a verdict given, or a status other than pending).
fn marked(d: &Document) -> bool {
    d.checked.is_some() || d.status != DocumentStatus::Pending
}

/// Every marked document stays as it is; a new one comes pending and unchecked, at a
/// version the line already has (1 for a new line).
fn documents(before: &[Document], after: &[Document]) -> Result<(), OwnedChange> {
    let latest = |docs: &[Document], d: &Document| {
        docs.iter()
            .filter(|x| x.kind == d.kind && x.party == d.party)
            .map(|x| x.version)
            .max()
    };
    for (i, d) in after.iter().enumerate() {
        if d.version > latest(before, d).unwrap_or(1) {
            return Err(owned(
                format!("documents[{i}].version"),
                "the document check (a new version comes with a new scan)",
            ));
        }
    }
    let mut kept: Vec<&Document> = before.iter().filter(|d| marked(d)).collect();
    for (i, d) in after.iter().enumerate() {
        if !marked(d) {
            continue;
        }
        match kept.iter().position(|k| *k == d) {
            Some(at) => {
                kept.remove(at);
            }
            None => {
                return Err(owned(
                    format!("documents[{i}].status"),
                    "the document check (its verdict, with who and why)",
                ))
            }
        }
    }
    match kept.first() {
        None => Ok(()),
        Some(gone) => Err(owned(
            format!(
                "documents: the {} verdict of party {}",
                gone.kind.as_str(),
                gone.party
            ),
            "the document check (a marked document stays on the case)",
        )),
    }
}

/// The case file an import keeps: every record only a service writes is dropped, and
/// the paths of those that were there are returned.
pub fn strip(case: &mut CaseFile) -> Vec<String> {
    let mut dropped = Vec::new();
    if case.review.take().is_some() {
        dropped.push("review".to_string());
    }
    if case.pledge != Pledge::default() {
        case.pledge = Pledge::default();
        dropped.push("pledge".to_string());
    }
    if case.disbursement != Disbursement::default() {
        case.disbursement = Disbursement::default();
        dropped.push("disbursement".to_string());
    }
    for (i, p) in case.parties.iter_mut().enumerate() {
        if let Some(id) = p.identity.as_mut() {
            if id.state_check.take().is_some() {
                dropped.push(format!("parties[{i}].identity.state_check"));
            }
        }
        if p.bureau.take().is_some() {
            dropped.push(format!("parties[{i}].bureau"));
        }
        if p.official_income.take().is_some() {
            dropped.push(format!("parties[{i}].official_income"));
        }
    }
    for (i, d) in case.documents.iter_mut().enumerate() {
        if d.checked.take().is_some() {
            dropped.push(format!("documents[{i}].checked"));
        }
    }
    dropped
}

#[cfg(test)]
mod tests;

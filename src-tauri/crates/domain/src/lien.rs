//! The VIN prohibition in the bank's favour (C-LIEN) and its timeline.
//!
//! The state Pledge Registry is the truth about a VIN; the case keeps what the registry
//! last said, plus the underwriter's request, each as a dated event. Requesting is
//! idempotent: a prohibition already requested or registered is not asked for again, and
//! another creditor's prohibition refuses the request with that creditor's name.

use crate::case::{LienEvent, LienStatus, Pledge};

/// Who the timeline names for what the registry did.
pub const REGISTRY: &str = "Pledge Registry";

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LienRefusal {
    #[error("{creditor} holds a prohibition on this VIN: the bank's cannot be registered until it is released")]
    Foreign { creditor: String },
}

impl LienRefusal {
    pub fn code(&self) -> &'static str {
        match self {
            LienRefusal::Foreign { .. } => "FOREIGN_LIEN",
        }
    }
}

/// The pledge after `by` asks for a prohibition at `at`, or `None` when nothing is to be
/// asked (one is requested or registered already).
pub fn request(p: &Pledge, by: &str, at: &str) -> Result<Option<Pledge>, LienRefusal> {
    match p.vin_lien {
        LienStatus::Requested | LienStatus::Registered => Ok(None),
        LienStatus::Foreign => Err(LienRefusal::Foreign {
            creditor: p
                .creditor
                .clone()
                .unwrap_or_else(|| "another creditor".into()),
        }),
        LienStatus::None | LienStatus::Released => {
            let mut next = p.clone();
            next.vin_lien = LienStatus::Requested;
            next.creditor = None;
            next.history.push(LienEvent {
                status: LienStatus::Requested,
                at: at.to_string(),
                by: by.to_string(),
                note: Some("request for a prohibition in the bank's favour".into()),
            });
            Ok(Some(next))
        }
    }
}

/// What the registry says of the VIN now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seen {
    pub status: LienStatus,
    pub creditor: Option<String>,
    /// The registry's time for the state it reports, when it gives one.
    pub at: Option<String>,
}

/// The pledge after the registry was heard at `now`, or `None` when nothing changed.
/// The registry's word wins; the caller does not ask it while the workstation's own
/// request still waits in the outbox (the registry cannot know of it yet).
pub fn observe(p: &Pledge, seen: &Seen, now: &str) -> Option<Pledge> {
    let creditor = (seen.status == LienStatus::Foreign).then(|| seen.creditor.clone());
    let creditor = creditor.flatten();
    if p.vin_lien == seen.status && p.creditor == creditor {
        return None;
    }
    let note = match seen.status {
        LienStatus::Foreign => Some(format!(
            "prohibition of {}",
            creditor.as_deref().unwrap_or("another creditor")
        )),
        LienStatus::None if p.vin_lien == LienStatus::Requested => {
            Some("the registry has no request on record".into())
        }
        _ => None,
    };
    let mut next = p.clone();
    next.vin_lien = seen.status;
    next.creditor = creditor;
    next.history.push(LienEvent {
        status: seen.status,
        at: seen.at.clone().unwrap_or_else(|| now.to_string()),
        by: REGISTRY.to_string(),
        note,
    });
    Some(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    const AT: &str = "2026-11-23T09:00:00Z";

    fn pledge(status: LienStatus) -> Pledge {
        Pledge {
            vin_lien: status,
            ..Pledge::default()
        }
    }

    #[test]
    fn a_request_is_made_once() {
        let asked = request(&pledge(LienStatus::None), "alice", AT)
            .unwrap()
            .unwrap();
        assert_eq!(asked.vin_lien, LienStatus::Requested);
        assert_eq!(asked.history.len(), 1);
        assert_eq!(asked.history[0].by, "alice");
        assert_eq!(request(&asked, "alice", AT).unwrap(), None);
        assert_eq!(
            request(&pledge(LienStatus::Registered), "bob", AT).unwrap(),
            None
        );
        // A released prohibition can be asked for again.
        assert!(request(&pledge(LienStatus::Released), "bob", AT)
            .unwrap()
            .is_some());
    }

    #[test]
    fn a_foreign_prohibition_refuses_the_request_naming_the_creditor() {
        let p = Pledge {
            vin_lien: LienStatus::Foreign,
            creditor: Some("Ipak Yo'li Bank".into()),
            history: vec![],
        };
        let e = request(&p, "alice", AT).unwrap_err();
        assert_eq!(e.code(), "FOREIGN_LIEN");
        assert!(e.to_string().contains("Ipak Yo'li Bank"), "{e}");
    }

    #[test]
    fn the_registry_moves_the_timeline_only_when_something_changed() {
        let asked = request(&pledge(LienStatus::None), "alice", AT)
            .unwrap()
            .unwrap();
        let same = Seen {
            status: LienStatus::Requested,
            creditor: None,
            at: Some(AT.into()),
        };
        assert_eq!(observe(&asked, &same, AT), None);
        let registered = Seen {
            status: LienStatus::Registered,
            creditor: None,
            at: Some("2026-11-23T09:00:30Z".into()),
        };
        let after = observe(&asked, &registered, "2026-11-23T09:01:00Z").unwrap();
        assert_eq!(after.vin_lien, LienStatus::Registered);
        assert_eq!(after.history.len(), 2);
        assert_eq!(after.history[1].by, REGISTRY);
        assert_eq!(after.history[1].at, "2026-11-23T09:00:30Z");
        let foreign = Seen {
            status: LienStatus::Foreign,
            creditor: Some("Ipak Yo'li Bank".into()),
            at: None,
        };
        let after = observe(&pledge(LienStatus::None), &foreign, AT).unwrap();
        assert_eq!(after.creditor.as_deref(), Some("Ipak Yo'li Bank"));
        assert_eq!(after.history[0].at, AT);
    }
}

//! Passport what-if: the open queue (cases not yet decided: draft, submitted, returned)
//! evaluated under the shipped product configuration and under a revised one; the cases
//! whose decision changes, with the rules that fail now and those that pass now. The
//! product stop is not judged, as in `uw evaluate`. Nothing is stored: a what-if changes
//! no case.

use std::path::Path;

use serde::Serialize;
use ts_rs::TS;
use uw_domain::review::Stage;
use uw_domain::what_if::{compare, Change};
use uw_domain::{parse_case, ProductConfig};

use crate::error::Result;
use crate::Workstation;

/// The queue statuses a what-if looks at: the cases still to be decided.
const OPEN: [Stage; 3] = [Stage::Draft, Stage::Submitted, Stage::Returned];

#[derive(Clone, Debug, Serialize, TS)]
pub struct WhatIfReport {
    /// The revised configuration's name.
    pub product: String,
    /// Open cases evaluated.
    pub cases: usize,
    pub changed: Vec<WhatIfCase>,
    /// Stored cases that could not be read (named, with the reason), left out.
    pub unreadable: Vec<String>,
}

#[derive(Clone, Debug, Serialize, TS)]
pub struct WhatIfCase {
    pub case_id: String,
    pub status: String,
    pub borrower: String,
    #[serde(flatten)]
    #[ts(flatten)]
    pub change: Change,
}

impl Workstation {
    /// The open queue under `revised` beside the shipped configuration.
    pub fn what_if(&self, revised: &ProductConfig) -> Result<WhatIfReport> {
        let statuses: Vec<&str> = OPEN.iter().map(|s| s.as_str()).collect();
        let cases = self.store()?.cases_in(&statuses)?;
        let current = &self.product;
        // Two evaluations per case, independent of each other: split over the cores.
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get().min(8));
        let chunk = cases.len().div_ceil(threads).max(1);
        let results: Vec<std::result::Result<Option<WhatIfCase>, String>> =
            std::thread::scope(|s| {
                let workers: Vec<_> = cases
                    .chunks(chunk)
                    .map(|part| {
                        s.spawn(move || {
                            part.iter()
                                .map(|(id, status, json)| {
                                    let case =
                                        parse_case(json).map_err(|e| format!("{id}: {e}"))?;
                                    Ok(compare(&case, current, revised).map(|change| WhatIfCase {
                                        case_id: id.clone(),
                                        status: status.clone(),
                                        borrower: case.borrower().full_name.clone(),
                                        change,
                                    }))
                                })
                                .collect::<Vec<_>>()
                        })
                    })
                    .collect();
                workers
                    .into_iter()
                    .flat_map(|w| w.join().unwrap_or_default())
                    .collect()
            });
        let mut report = WhatIfReport {
            product: revised.name.clone(),
            cases: cases.len(),
            changed: Vec::new(),
            unreadable: Vec::new(),
        };
        for r in results {
            match r {
                Ok(Some(c)) => report.changed.push(c),
                Ok(None) => {}
                Err(e) => report.unreadable.push(e),
            }
        }
        Ok(report)
    }

    /// [`Workstation::what_if`] with the revised configuration read from a file; a malformed
    /// one is refused naming the file and the field.
    pub fn what_if_file(&self, path: &Path) -> Result<WhatIfReport> {
        self.what_if(&crate::load_product(path)?)
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use rust_decimal::Decimal;

    use crate::Workstation;

    #[test]
    fn the_open_demo_queue_under_a_tighter_debt_burden_limit() {
        let dir = tempfile::tempdir().unwrap();
        let ws =
            Workstation::open(crate::tests::options(dir.path(), "os-user", true, false)).unwrap();
        let shipped = ws.product().clone();
        let same = ws.what_if(&shipped).unwrap();
        assert_eq!(same.cases, 17);
        assert!(same.changed.is_empty() && same.unreadable.is_empty());
        let mut revised = shipped.clone();
        revised.credit.max_dti = Decimal::from_str("0.30").unwrap();
        let report = ws.what_if(&revised).unwrap();
        assert!(!report.changed.is_empty());
        for c in &report.changed {
            assert_ne!(c.change.before, c.change.after, "{}", c.case_id);
            assert!(
                !c.change.now_failing.is_empty() || !c.change.no_longer_failing.is_empty(),
                "{}",
                c.case_id
            );
        }
        assert!(report.changed.iter().any(|c| c
            .change
            .now_failing
            .iter()
            .any(|r| r.code == "DTI_EXCEEDED")));
        // A what-if changes no case.
        assert_eq!(ws.open_case("AUTO-2026-000123").unwrap().version, 1);
    }
}

//! The lien watch after the final payment: when the Pledge Registry was last asked about a
//! paid-out case, what it said, and the alert a status other than the bank's registered
//! prohibition raises (kept from its first sighting until the bank's is back).

use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

use crate::{Result, Store};

/// A paid-out case whose VIN is no longer under the bank's prohibition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct LienAlert {
    pub case_id: String,
    /// released | foreign (or any status but registered)
    pub status: String,
    pub creditor: Option<String>,
    /// When the watch first saw it.
    pub since: String,
    pub checked_at: String,
}

impl Store {
    /// When the registry was last asked about the case by the watch (None: never).
    pub fn lien_checked_at(&self, case_id: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT checked_at FROM lien_watch WHERE case_id = ?1",
                [case_id],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Records what the registry said at `at`; `registered` says whether it is the bank's
    /// prohibition. An alert keeps its first time while the status stays off.
    pub fn record_lien_watch(
        &mut self,
        case_id: &str,
        at: &str,
        status: &str,
        creditor: Option<&str>,
        registered: bool,
    ) -> Result<()> {
        let alert = (!registered).then_some(at);
        self.conn.execute(
            "INSERT INTO lien_watch (case_id, checked_at, status, creditor, alert_since) \
             VALUES (?1, ?2, ?3, ?4, ?5) \
             ON CONFLICT (case_id) DO UPDATE SET checked_at = excluded.checked_at, \
             status = excluded.status, creditor = excluded.creditor, \
             alert_since = CASE WHEN excluded.alert_since IS NULL THEN NULL \
                                ELSE coalesce(lien_watch.alert_since, excluded.alert_since) END",
            params![case_id, at, status, creditor, alert],
        )?;
        Ok(())
    }

    /// Records that the registry was asked at `at` without an answer to keep (it refused
    /// or the answer could not be recorded): the watch asks again the next day, not at
    /// every pass. What was known stays.
    pub fn touch_lien_watch(&mut self, case_id: &str, at: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO lien_watch (case_id, checked_at, status) VALUES (?1, ?2, 'unknown') \
             ON CONFLICT (case_id) DO UPDATE SET checked_at = excluded.checked_at",
            params![case_id, at],
        )?;
        Ok(())
    }

    /// The open alerts, oldest first.
    pub fn lien_alerts(&self) -> Result<Vec<LienAlert>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT case_id, status, creditor, alert_since, checked_at FROM lien_watch \
             WHERE alert_since IS NOT NULL ORDER BY alert_since, case_id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(LienAlert {
                case_id: r.get(0)?,
                status: r.get(1)?,
                creditor: r.get(2)?,
                since: r.get(3)?,
                checked_at: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::{case, key};

    #[test]
    fn an_alert_stays_from_its_first_sighting_until_the_bank_s_prohibition_is_back() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(&dir.path().join("cases.db"), &key()).unwrap();
        s.insert_cases(
            &[case("A-1", "Karimov", 100, "approved")],
            "2026-11-23T08:00:00Z",
            "uw",
            "import",
        )
        .unwrap();
        assert_eq!(s.lien_checked_at("A-1").unwrap(), None);
        s.record_lien_watch("A-1", "2026-12-01T08:00:00Z", "registered", None, true)
            .unwrap();
        assert!(s.lien_alerts().unwrap().is_empty());
        s.record_lien_watch("A-1", "2026-12-02T08:00:00Z", "released", None, false)
            .unwrap();
        s.record_lien_watch(
            "A-1",
            "2026-12-03T08:00:00Z",
            "foreign",
            Some("Hamkorbank"),
            false,
        )
        .unwrap();
        let alerts = s.lien_alerts().unwrap();
        assert_eq!(alerts.len(), 1);
        let a = &alerts[0];
        assert_eq!(
            (
                a.status.as_str(),
                a.creditor.as_deref(),
                a.since.as_str(),
                a.checked_at.as_str()
            ),
            (
                "foreign",
                Some("Hamkorbank"),
                "2026-12-02T08:00:00Z",
                "2026-12-03T08:00:00Z"
            )
        );
        s.record_lien_watch("A-1", "2026-12-04T08:00:00Z", "registered", None, true)
            .unwrap();
        assert!(s.lien_alerts().unwrap().is_empty());
        assert_eq!(
            s.lien_checked_at("A-1").unwrap().as_deref(),
            Some("2026-12-04T08:00:00Z")
        );
        // A case the store lacks: refused by the key, nothing written.
        assert!(s
            .record_lien_watch("A-9", "2026-12-04T08:00:00Z", "released", None, false)
            .is_err());
    }
}

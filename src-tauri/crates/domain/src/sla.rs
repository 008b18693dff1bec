//! The queue's service-level clock: a case assigned to an underwriter is due for its
//! signed decision within a number of hours (`assets/queue/sla.json`).
//!
//! Readings fixed here (the passport names no SLA):
//! - the clock runs from the assignment (a case nobody holds yet: from its arrival) and
//!   restarts when the case goes to another person;
//! - calendar hours, not working hours: the queue is worked every day;
//! - the clock runs while the case is open — draft, submitted (the reviewer's turn counts
//!   too: the client waits either way), returned — and stops at approved or rejected.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::Deserialize;

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaRules {
    pub hours_to_decision: u32,
    /// How long before the deadline a case shows as due soon.
    pub due_soon_hours: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("SLA rules {field}: {message}")]
pub struct SlaError {
    pub field: String,
    pub message: String,
}

pub fn parse_sla(text: &str) -> Result<SlaRules, SlaError> {
    let de = &mut serde_json::Deserializer::from_str(text);
    let rules: SlaRules = serde_path_to_error::deserialize(de).map_err(|e| SlaError {
        field: e.path().to_string(),
        message: e.inner().to_string(),
    })?;
    let bad = |field: &str, message: &str| SlaError {
        field: field.into(),
        message: message.into(),
    };
    if !(1..=24 * 30).contains(&rules.hours_to_decision) {
        return Err(bad("hours_to_decision", "must be 1 to 720"));
    }
    if rules.due_soon_hours >= rules.hours_to_decision {
        return Err(bad("due_soon_hours", "must be less than hours_to_decision"));
    }
    Ok(rules)
}

/// When a case is due and when it turns due-soon, as RFC 3339 (UTC); None when its clock
/// does not run (decided) or its start time does not read.
pub fn deadlines(
    rules: &SlaRules,
    status: &str,
    received_at: &str,
    assigned_at: Option<&str>,
) -> Option<(String, String)> {
    if matches!(status, "approved" | "rejected") {
        return None;
    }
    let since: DateTime<Utc> = DateTime::parse_from_rfc3339(assigned_at.unwrap_or(received_at))
        .ok()?
        .with_timezone(&Utc);
    let due = since + Duration::hours(i64::from(rules.hours_to_decision));
    let soon = due - Duration::hours(i64::from(rules.due_soon_hours));
    let text = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    Some((text(due), text(soon)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> SlaRules {
        parse_sla(r#"{"hours_to_decision": 24, "due_soon_hours": 4}"#).unwrap()
    }

    #[test]
    fn the_clock_runs_from_the_assignment_while_the_case_is_open() {
        let r = rules();
        let (due, soon) = deadlines(
            &r,
            "draft",
            "2026-11-22T05:00:00Z",
            Some("2026-11-23T08:30:00+05:00"),
        )
        .unwrap();
        assert_eq!(due, "2026-11-24T03:30:00Z");
        assert_eq!(soon, "2026-11-23T23:30:00Z");
        // Unassigned: from the arrival.
        let (due, _) = deadlines(&r, "submitted", "2026-11-22T05:00:00Z", None).unwrap();
        assert_eq!(due, "2026-11-23T05:00:00Z");
        assert_eq!(
            deadlines(&r, "approved", "2026-11-22T05:00:00Z", None),
            None
        );
        assert_eq!(
            deadlines(&r, "rejected", "2026-11-22T05:00:00Z", None),
            None
        );
        assert_eq!(deadlines(&r, "draft", "yesterday", None), None);
    }

    #[test]
    fn malformed_rules_name_the_field() {
        for (text, field) in [
            (
                r#"{"hours_to_decision": 0, "due_soon_hours": 0}"#,
                "hours_to_decision",
            ),
            (
                r#"{"hours_to_decision": 8, "due_soon_hours": 8}"#,
                "due_soon_hours",
            ),
            (
                r#"{"hours_to_decision": "8", "due_soon_hours": 1}"#,
                "hours_to_decision",
            ),
            (
                r#"{"hours_to_decision": 8, "due_soon_hours": 1, "x": 1}"#,
                "x",
            ),
        ] {
            let e = parse_sla(text).unwrap_err();
            assert_eq!(e.field, field, "{text}: {e}");
        }
    }
}

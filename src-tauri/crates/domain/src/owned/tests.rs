use serde_json::{json, Value};

use super::*;
use crate::parse_case_value;

const EXAMPLE: &str = include_str!("../../../../../assets/demo/cases/AUTO-2026-000123.json");

/// The stored case: the example with the records the services wrote.
fn stored() -> Value {
    let mut v: Value = serde_json::from_str(EXAMPLE).unwrap();
    v["parties"][0]["identity"]["state_check"] = json!({
        "status": "valid", "registered_name": "KARIMOV AZIZ RUSTAMOVICH", "name_matches": true,
        "at": "2026-11-20T09:00:00Z"});
    v["documents"][0]["checked"] = json!({"by": "alice", "at": "2026-11-20T09:05:00Z"});
    v["parties"][0]["official_income"] = json!({"at": "2026-11-21T09:00:00Z", "records": [
        {"month": "2026-10", "kind": "salary", "payer": "Akfa", "payer_inn": "", "amount": "1000000.00"}]});
    v["pledge"] = json!({"vin_lien": "requested",
        "history": [{"status": "requested", "at": "2026-11-21T09:00:00Z", "by": "alice"}]});
    v
}

/// The edit `patch` makes of the stored case, through the one gate.
fn check(patch: impl FnOnce(&mut Value), expected: Result<(), &str>) {
    let before = parse_case_value(stored()).unwrap();
    let mut edited = stored();
    patch(&mut edited);
    let after = parse_case_value(edited).unwrap();
    assert_eq!(
        edit(&before, &after).map_err(|e| e.path),
        expected.map_err(String::from)
    );
}

#[test]
fn an_edit_changes_the_application_and_leaves_the_records_alone() {
    check(|_| {}, Ok(()));
    check(|v| v["loan"]["term_months"] = 48.into(), Ok(()));
    check(
        |v| v["parties"][0]["full_name"] = "Karimov A.".into(),
        Ok(()),
    );
    // A pending document added or removed is an edit.
    check(
        |v| {
            v["documents"]
                .as_array_mut()
                .unwrap()
                .push(json!({"kind": "other", "party": 0, "status": "pending"}))
        },
        Ok(()),
    );
    check(
        |v| {
            v["documents"].as_array_mut().unwrap().pop();
        },
        Ok(()),
    );
}

#[test]
fn every_record_a_service_writes_is_refused_naming_its_path() {
    check(
        |v| {
            v["review"] = json!({"decision": "approve", "maker": "alice", "checker": "bob",
                                 "signed_at": "2026-11-23T10:15:00Z", "case_version": 3})
        },
        Err("review"),
    );
    check(
        |v| v["pledge"]["vin_lien"] = "registered".into(),
        Err("pledge"),
    );
    check(|v| v["pledge"]["history"] = json!([]), Err("pledge"));
    check(
        |v| v["disbursement"] = json!({"advance": "60000000.00"}),
        Err("disbursement"),
    );
    check(
        |v| v["parties"][0]["identity"]["state_check"]["status"] = "revoked".into(),
        Err("parties[0].identity.state_check"),
    );
    check(
        |v| {
            v["parties"][0]["bureau"] = json!({"pinfl": "31502901234569", "as_of": "2026-11-20",
            "overdue_amount": "0.00", "overdue_days": 0})
        },
        Err("parties[0].bureau"),
    );
    // A typed "official" income: a forged register answer.
    check(
        |v| {
            v["parties"][0]["official_income"] = json!({"at": "2026-11-21T09:00:00Z", "records": [
                {"month": "2026-10", "kind": "salary", "payer": "Akfa", "amount": "90000000.00"}]})
        },
        Err("parties[0].official_income"),
    );
    // A verdict flipped, a rejected paper "verified" by typing, a verdict taken away.
    check(
        |v| v["documents"][0]["status"] = "rejected".into(),
        Err("documents[0].status"),
    );
    check(
        |v| v["documents"][3]["status"] = "verified".into(),
        Err("documents[3].status"),
    );
    check(
        |v| v["documents"][0]["checked"]["by"] = "bob".into(),
        Err("documents[0].status"),
    );
    check(
        |v| {
            v["documents"].as_array_mut().unwrap().remove(1);
        },
        Err("documents: the income verdict of party 0"),
    );
}

#[test]
fn a_register_answer_may_be_dropped_with_the_person_it_was_about() {
    // Another PINFL: the old answers go, and none may be typed for the new one.
    check(
        |v| {
            v["parties"][0]["pinfl"] = "31502901234577".into();
            v["parties"][0]["identity"]
                .as_object_mut()
                .unwrap()
                .remove("state_check");
            v["parties"][0]
                .as_object_mut()
                .unwrap()
                .remove("official_income");
        },
        Ok(()),
    );
    check(
        |v| v["parties"][0]["pinfl"] = "31502901234577".into(),
        Err("parties[0].identity.state_check"),
    );
    // The same person: dropping the answer is allowed (a check to do again), changing it not.
    check(
        |v| {
            v["parties"][0]["identity"]
                .as_object_mut()
                .unwrap()
                .remove("state_check");
        },
        Ok(()),
    );
}

#[test]
fn an_import_drops_every_record_and_says_which() {
    let mut v = stored();
    v["review"] = json!({"decision": "approve", "maker": "alice", "checker": "bob",
                         "signed_at": "2026-11-23T10:15:00Z", "case_version": 3});
    let mut case = parse_case_value(v).unwrap();
    let dropped = strip(&mut case);
    assert_eq!(
        dropped,
        [
            "review",
            "pledge",
            "parties[0].identity.state_check",
            "parties[0].official_income",
            "documents[0].checked"
        ]
    );
    assert_eq!(case.review, None);
    assert_eq!(case.pledge, Pledge::default());
    // The intake statuses stay: they are the application as it came.
    assert_eq!(case.documents[0].status, DocumentStatus::Verified);
    assert!(strip(&mut case).is_empty());
}

/// The official income answer stays while the person does (dropping it would hide the gap
/// it shows), and goes with them; it is never changed.
#[test]
fn the_official_income_answer_stays_with_its_person() {
    let drop = |v: &mut Value| {
        v["parties"][0]
            .as_object_mut()
            .unwrap()
            .remove("official_income");
    };
    check(drop, Err("parties[0].official_income"));
    check(
        |v| v["parties"][0]["official_income"]["records"][0]["amount"] = "9000000.00".into(),
        Err("parties[0].official_income"),
    );
    check(
        |v| {
            v["parties"][0]["pinfl"] = "31502901234577".into();
            v["parties"][0]["identity"]
                .as_object_mut()
                .unwrap()
                .remove("state_check");
            drop(v);
        },
        Ok(()),
    );
}

/// A document's version is the service's: an edit adds a pending paper only at a version
/// the line has; a file's version is bounded.
#[test]
fn an_edit_never_starts_a_document_version() {
    let pending = |kind: &str, version: u32| json!({"kind": kind, "party": 0, "status": "pending", "version": version});
    let push = |doc: Value| move |v: &mut Value| v["documents"].as_array_mut().unwrap().push(doc);
    check(push(pending("identity", 1)), Ok(()));
    check(push(pending("identity", 2)), Err("documents[4].version"));
    check(push(pending("other", 1)), Ok(()));
    check(push(pending("other", 2)), Err("documents[4].version"));
    let mut v = stored();
    v["documents"][0]["version"] = 4_294_967_295u32.into();
    assert_eq!(
        parse_case_value(v).unwrap_err().to_string(),
        "documents[0].version: must be 1 to 1000, got 4294967295"
    );
}

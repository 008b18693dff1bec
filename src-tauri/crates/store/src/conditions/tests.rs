use super::*;
use crate::tests::{case, key};

fn store(dir: &std::path::Path) -> Store {
    let mut s = Store::open(&dir.join("cases.db"), &key()).unwrap();
    s.insert_cases(
        &[
            case("A-1", "Karimov", 100, "draft"),
            case("A-2", "Aliyev", 200, "draft"),
        ],
        "2026-11-23T08:00:00Z",
        "uw",
        "import",
    )
    .unwrap();
    s
}

fn open(id: &str) -> StoredCondition {
    StoredCondition {
        condition_id: id.into(),
        text: "the employer's letter".into(),
        owner: "the client".into(),
        due: "2026-12-20".into(),
        stage: 1,
        raised_by: "alice".into(),
        raised_at: "2026-12-02T09:00:00Z".into(),
        status: "open".into(),
        closed_by: None,
        closed_at: None,
        words: None,
        bank_at: None,
        refused: None,
    }
}

fn met(id: &str, by: &str) -> StoredCondition {
    StoredCondition {
        status: "met".into(),
        closed_by: Some(by.into()),
        closed_at: Some("2026-12-02T10:00:00Z".into()),
        words: Some("letter no. 45".into()),
        ..open(id)
    }
}

fn kinds(s: &Store, case_id: &str) -> Vec<String> {
    s.events(case_id)
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .filter(|k| k.starts_with("condition"))
        .collect()
}

#[test]
fn a_condition_is_raised_closed_once_and_never_edited_or_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(dir.path());
    let out = crate::sync::Outgoing {
        kind: "condition".into(),
        body: "{}".into(),
    };
    let waiting = s.outbox_waiting().unwrap();
    s.raise_condition("A-1", &open("k1"), "{}", Some(&out))
        .unwrap();
    assert_eq!(s.conditions("A-1").unwrap(), [open("k1")]);
    assert!(s.conditions("A-2").unwrap().is_empty());
    assert!(matches!(
        s.raise_condition("A-9", &open("k2"), "{}", None),
        Err(StoreError::NotFound(_))
    ));
    s.close_condition("A-1", &met("k1", "bob"), "{}", Some(&out))
        .unwrap();
    assert_eq!(s.condition("A-1", "k1").unwrap(), met("k1", "bob"));
    // A second close finds it closed, naming how.
    let again = s
        .close_condition("A-1", &met("k1", "carol"), "{}", None)
        .unwrap_err();
    assert_eq!(
        again.to_string(),
        "condition k1 of case A-1 is met already: a closed condition never reopens"
    );
    assert!(matches!(
        s.condition("A-2", "k1"),
        Err(StoreError::NoCondition { .. })
    ));
    assert_eq!(kinds(&s, "A-1"), ["condition_raised", "condition_met"]);
    assert_eq!(s.outbox_waiting().unwrap(), waiting + 2);
    // The schema refuses an edit of what was raised, and a delete.
    let edit = s.conn.execute(
        "UPDATE case_conditions SET due = '2027-01-01' WHERE condition_id = 'k1'",
        [],
    );
    assert!(edit.unwrap_err().to_string().contains("never changes"));
    let delete = s.conn.execute("DELETE FROM case_conditions", []);
    assert!(delete.unwrap_err().to_string().contains("never deleted"));
}

#[test]
fn the_bank_s_standing_wins_and_comes_in_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(dir.path());
    s.raise_condition("A-1", &open("k1"), "{}", None).unwrap();
    // Here met by carol; at the bank bob's waiver came first.
    s.close_condition("A-1", &met("k1", "carol"), "{}", None)
        .unwrap();
    let waived = StoredCondition {
        status: "waived".into(),
        closed_by: Some("bob".into()),
        words: Some("payroll seen".into()),
        bank_at: Some("2026-12-02T10:00:01Z".into()),
        ..met("k1", "bob")
    };
    let from_other_desk = StoredCondition {
        bank_at: Some("2026-12-02T09:00:01Z".into()),
        ..open("k2")
    };
    let bank = [waived.clone(), from_other_desk.clone()];
    assert_eq!(s.merge_bank_conditions("A-1", &bank).unwrap(), 2);
    assert_eq!(s.conditions("A-1").unwrap(), bank);
    // Merged again: nothing changes, nothing is said twice.
    assert_eq!(s.merge_bank_conditions("A-1", &bank).unwrap(), 0);
    assert_eq!(
        kinds(&s, "A-1"),
        [
            "condition_raised",
            "condition_met",
            "condition_from_bank",
            "condition_raised"
        ]
    );
    // A condition kept for A-1 is not moved by the bank's word on A-2.
    assert_eq!(s.merge_bank_conditions("A-2", &bank).unwrap(), 0);
    assert!(s.conditions("A-2").unwrap().is_empty());
}

#[test]
fn a_close_the_bank_has_not_heard_stays_and_a_refusal_undoes_an_act_made_here() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(dir.path());
    let accepted = StoredCondition {
        bank_at: Some("2026-12-02T09:00:01Z".into()),
        ..open("k1")
    };
    s.merge_bank_conditions("A-1", std::slice::from_ref(&accepted))
        .unwrap();
    s.close_condition("A-1", &met("k1", "bob"), "{}", None)
        .unwrap();
    // A pull before the push: the bank still says open; the close made here stays.
    assert_eq!(
        s.merge_bank_conditions("A-1", std::slice::from_ref(&accepted))
            .unwrap(),
        0
    );
    assert_eq!(s.condition("A-1", "k1").unwrap().status, "met");
    // The bank refuses the close (someone closed it first): reopened here, and the
    // bank's next word stands.
    assert!(s
        .condition_refused("A-1", "k1", false, "CONDITION_CLOSED: waived by carol", "t")
        .unwrap());
    assert_eq!(s.condition("A-1", "k1").unwrap().status, "open");
    let waived = StoredCondition {
        status: "waived".into(),
        closed_by: Some("carol".into()),
        closed_at: Some("2026-12-02T09:30:00Z".into()),
        words: Some("payroll".into()),
        bank_at: Some("2026-12-02T09:30:01Z".into()),
        ..open("k1")
    };
    assert_eq!(
        s.merge_bank_conditions("A-1", std::slice::from_ref(&waived))
            .unwrap(),
        1
    );
    assert_eq!(s.condition("A-1", "k1").unwrap(), waived);
    // A raise the bank refused is marked, never deleted; a refusal of an accepted act
    // changes nothing.
    s.raise_condition("A-1", &open("k2"), "{}", None).unwrap();
    assert!(s
        .condition_refused("A-1", "k2", true, "CONDITION_DUE_INVALID: due", "t")
        .unwrap());
    assert!(!s
        .condition_refused("A-1", "k2", true, "again", "t")
        .unwrap());
    assert!(!s
        .condition_refused("A-1", "k1", false, "late", "t")
        .unwrap());
    assert_eq!(
        s.condition("A-1", "k2").unwrap().refused.as_deref(),
        Some("CONDITION_DUE_INVALID: due")
    );
    // A due date that is no date does not get in.
    let bad = StoredCondition {
        due: "2026-1-5".into(),
        ..open("k3")
    };
    assert!(s.raise_condition("A-1", &bad, "{}", None).is_err());
}

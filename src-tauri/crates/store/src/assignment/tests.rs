use super::*;
use crate::tests::{case, key};

#[test]
fn an_assignment_moves_the_clock_and_the_bank_s_word_is_heard_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("cases.db"), &key()).unwrap();
    s.insert_cases(
        &[case("A-1", "Karimov", 100, "draft")],
        "2026-11-23T08:00:00Z",
        "uw",
        "import",
    )
    .unwrap();
    assert_eq!(s.assignee("A-1").unwrap(), None);
    assert!(matches!(s.assignee("A-9"), Err(StoreError::NotFound(_))));
    let waiting = s.outbox_waiting().unwrap();
    let out = crate::sync::Outgoing {
        kind: "assignment".into(),
        body: "{}".into(),
    };
    s.assign(
        "A-1",
        "alice",
        "2026-12-02T09:00:00Z",
        "alice",
        "{}",
        Some(&out),
    )
    .unwrap();
    assert_eq!(s.assignee("A-1").unwrap().as_deref(), Some("alice"));
    assert_eq!(s.outbox_waiting().unwrap(), waiting + 1);
    assert!(matches!(
        s.assign("A-9", "alice", "t", "alice", "{}", None),
        Err(StoreError::NotFound(_))
    ));
    let row = |s: &Store| {
        s.queue_rows(&crate::QueueQuery::default())
            .unwrap()
            .into_iter()
            .find(|r| r.case_id == "A-1")
            .unwrap()
    };
    assert_eq!(row(&s).assigned_at.as_deref(), Some("2026-12-02T09:00:00Z"));
    // The bank says carol: heard once; saying it again changes nothing.
    assert!(s
        .hear_assignee("A-1", Some("carol"), "2026-12-02T10:00:00Z", "bank")
        .unwrap());
    assert!(!s
        .hear_assignee("A-1", Some("carol"), "2026-12-02T11:00:00Z", "bank")
        .unwrap());
    let r = row(&s);
    assert_eq!(
        (r.assignee.as_deref(), r.assigned_at.as_deref()),
        (Some("carol"), Some("2026-12-02T10:00:00Z"))
    );
    let kinds: Vec<_> = s
        .events("A-1")
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "assigned")
        .map(|e| e.actor)
        .collect();
    assert_eq!(kinds, ["alice", "bank"]);
}

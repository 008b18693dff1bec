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

fn note<'a>(id: &'a str, case_id: &'a str, text: &'a str) -> NewNote<'a> {
    NewNote {
        note_id: id,
        case_id,
        author: "alice",
        written_at: "2026-12-02T09:00:00Z",
        text,
    }
}

fn bank(id: &str, author: &str, text: &str) -> StoredNote {
    StoredNote {
        note_id: id.into(),
        author: author.into(),
        written_at: "2026-12-02T10:00:00Z".into(),
        text: text.into(),
        bank_at: Some("2026-12-02T10:00:01Z".into()),
    }
}

#[test]
fn notes_are_kept_in_order_never_edited_and_merged_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(dir.path());
    let out = crate::sync::Outgoing {
        kind: "note".into(),
        body: "{}".into(),
    };
    let waiting = s.outbox_waiting().unwrap();
    s.add_note(&note("n-1", "A-1", "called the employer"), "{}", Some(&out))
        .unwrap();
    assert_eq!(s.outbox_waiting().unwrap(), waiting + 1);
    // The same id twice, an unknown case, an empty text: refused, nothing half-written.
    assert!(s
        .add_note(&note("n-1", "A-1", "again"), "{}", None)
        .is_err());
    assert!(matches!(
        s.add_note(&note("n-2", "A-9", "x"), "{}", None),
        Err(StoreError::NotFound(_))
    ));
    assert!(s.add_note(&note("n-3", "A-1", "  "), "{}", None).is_err());
    assert_eq!(s.notes("A-1").unwrap().len(), 1);
    assert_eq!(s.outbox_waiting().unwrap(), waiting + 1);
    // The schema refuses an edit, whoever asks.
    let edit = s.conn.execute(
        "UPDATE case_notes SET text = 'changed' WHERE note_id = 'n-1'",
        [],
    );
    assert!(edit.unwrap_err().to_string().contains("never edited"));
    let delete = s
        .conn
        .execute("DELETE FROM case_notes WHERE note_id = 'n-1'", []);
    assert!(delete.unwrap_err().to_string().contains("never deleted"));

    // The bank's notes: its time for ours, the new one added (with its history), again
    // nothing new.
    let ours = bank("n-1", "alice", "called the employer");
    let theirs = bank("n-4", "bob", "seen; fine by me");
    assert_eq!(
        s.merge_bank_notes("A-1", &[ours.clone(), theirs.clone()])
            .unwrap(),
        1
    );
    assert_eq!(s.merge_bank_notes("A-1", &[ours, theirs]).unwrap(), 0);
    let notes = s.notes("A-1").unwrap();
    let seen: Vec<_> = notes
        .iter()
        .map(|n| (n.note_id.as_str(), n.author.as_str(), n.bank_at.is_some()))
        .collect();
    assert_eq!(seen, [("n-1", "alice", true), ("n-4", "bob", true)]);
    assert!(s.notes("A-2").unwrap().is_empty());
    // A bank note whose id is another case's here does not move it.
    assert_eq!(
        s.merge_bank_notes("A-2", &[bank("n-4", "eve", "moved")])
            .unwrap(),
        0
    );
    assert!(s.notes("A-2").unwrap().is_empty());
    assert_eq!(s.notes("A-1").unwrap()[1].text, "seen; fine by me");
    // A case that goes takes its notes with it (the cascade is no deletion of a note).
    s.conn
        .execute("DELETE FROM cases WHERE case_id = 'A-1'", [])
        .unwrap();
    let left: i64 = s
        .conn
        .query_row("SELECT count(*) FROM case_notes", [], |r| r.get(0))
        .unwrap();
    assert_eq!(left, 0);
}

#![allow(clippy::unwrap_used)] // a test: a failed setup should stop it with its error

use uw_directory::DirectoryRoles;

use super::*;

fn note(text: &str) -> CaseNote {
    CaseNote {
        note_id: "n-1".into(),
        author: "alice".into(),
        written_at: "2026-12-02T09:00:00Z".into(),
        text: text.into(),
        algorithm: Some("ed25519".into()),
        signature: Some("c2ln".into()),
    }
}

fn author(key: KeyVerdict, underwriter: bool, reviewer: bool) -> Author {
    Author {
        key,
        person: PersonVerdict::Found {
            roles: DirectoryRoles {
                underwriter,
                reviewer,
                administrator: true,
                supervisor: false,
            },
            branches: vec![],
        },
    }
}

fn kept(text: &str) -> Kept {
    kept_on("AUTO-2026-000123", text)
}

fn kept_on(case_id: &str, text: &str) -> Kept {
    Kept {
        case_id: case_id.into(),
        note: RemoteNote {
            note_id: "n-1".into(),
            author: "alice".into(),
            written_at: "2026-12-02T09:00:00Z".into(),
            text: text.into(),
            accepted_at: "2026-12-02T09:00:01Z".into(),
        },
    }
}

/// The bank's clock in these tests.
fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2026-12-02T10:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc)
}

/// One note on AUTO-2026-000123: (text, held, kept, author) → "KEEP", "AGAIN" or the
/// refusal's code.
fn check(n: &CaseNote, held: bool, k: Option<Kept>, a: Option<Author>, expected: &str) {
    let got = match judge("AUTO-2026-000123", held, n, k, a.as_ref(), now()) {
        Ok(Verdict::Keep) => "KEEP",
        Ok(Verdict::Again(_)) => "AGAIN",
        Err(r) => r.code,
    };
    assert_eq!(got, expected, "{n:?}");
}

#[test]
fn a_note_is_kept_once_by_its_author_and_never_changed() {
    let ok = note("called the employer");
    check(&ok, true, None, None, "KEEP");
    check(&ok, true, Some(kept("called the employer")), None, "AGAIN");
    check(&ok, true, Some(kept("something else")), None, "NOTE_EXISTS");
    // The same id and words on another case is no repeat of this note.
    let elsewhere = kept_on("AUTO-2026-000124", "called the employer");
    check(&ok, true, Some(elsewhere), None, "NOTE_EXISTS");
    // Written ahead of the bank's clock (beyond the 5 minutes of skew): refused; a note
    // written offline days ago is kept.
    let mut ahead = note("x");
    ahead.written_at = "2026-12-02T10:05:01Z".into();
    check(&ahead, true, None, None, "INVALID_NOTE");
    ahead.written_at = "2026-12-02T10:04:59Z".into();
    check(&ahead, true, None, None, "KEEP");
    ahead.written_at = "2026-11-20T10:00:00+05:00".into();
    check(&ahead, true, None, None, "KEEP");
    // Lines and tabs are words; other control characters are not.
    check(&note("line one\n\tline two"), true, None, None, "KEEP");
    check(&note("bell\u{7}"), true, None, None, "INVALID_NOTE");
    check(&note("cr\r"), true, None, None, "INVALID_NOTE");
    check(&ok, false, None, None, "NOT_FOUND");
    check(&note(""), true, None, None, "NOTE_EMPTY");
    check(&note("\t \n"), true, None, None, "NOTE_EMPTY");
    check(&note(&"я".repeat(4000)), true, None, None, "KEEP");
    check(&note(&"я".repeat(4001)), true, None, None, "NOTE_TOO_LONG");
    for id in ["", "a b", "../x", &"x".repeat(65)] {
        let mut n = note("x");
        n.note_id = id.into();
        check(&n, true, None, None, "INVALID_NOTE");
    }
    let mut n = note("x");
    n.written_at = "02.12.2026".into();
    check(&n, true, None, None, "INVALID_NOTE");
    let mut n = note("x");
    n.author = " ".into();
    check(&n, true, None, None, "INVALID_NOTE");
    // The enforcing bank: the author's current key and a working role.
    check(
        &ok,
        true,
        None,
        Some(author(KeyVerdict::Current, true, false)),
        "KEEP",
    );
    check(
        &ok,
        true,
        None,
        Some(author(KeyVerdict::Current, false, true)),
        "KEEP",
    );
    check(
        &ok,
        true,
        None,
        Some(author(KeyVerdict::Current, false, false)),
        "ROLE_MISSING",
    );
    check(
        &ok,
        true,
        None,
        Some(author(KeyVerdict::Mismatch, true, true)),
        "SIGNATURE_INVALID",
    );
    check(
        &ok,
        true,
        None,
        Some(author(KeyVerdict::Unknown, true, true)),
        "KEY_UNKNOWN",
    );
    let revoked = KeyVerdict::Revoked {
        revoked_at: "2026-12-01T00:00:00Z".into(),
    };
    check(
        &ok,
        true,
        None,
        Some(author(revoked, true, true)),
        "KEY_REVOKED",
    );
    let away = Author {
        key: KeyVerdict::Current,
        person: PersonVerdict::Unreachable("down".into()),
    };
    check(&ok, true, None, Some(away), "DIRECTORY_UNAVAILABLE");
    let gone = Author {
        key: KeyVerdict::Current,
        person: PersonVerdict::Disabled,
    };
    check(&ok, true, None, Some(gone), "ACCOUNT_DISABLED");
    let absent = Author {
        key: KeyVerdict::Current,
        person: PersonVerdict::Absent,
    };
    check(&ok, true, None, Some(absent), "ROLE_MISSING");
}

#![allow(clippy::unwrap_used)] // a test: a failed setup should stop it with its error

use uw_directory::DirectoryRoles;

use super::*;

fn at() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2026-12-02T10:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc)
}

fn give(by: &str, to: &str, expected: Option<&str>) -> Assignment {
    Assignment {
        assignee: to.into(),
        by: by.into(),
        at: "2026-12-02T09:59:00Z".into(),
        expected: expected.map(str::to_string),
        algorithm: None,
        signature: None,
    }
}

fn held(stage: Stage, assignee: Option<&str>) -> Held {
    Held {
        stage: Some(stage),
        branch: "BXM-07".into(),
        assignee: assignee.map(str::to_string),
        last_at: None,
        seen: false,
    }
}

fn found(underwriter: bool, supervisor: bool, branch: &str) -> PersonVerdict {
    PersonVerdict::Found {
        roles: DirectoryRoles {
            underwriter,
            reviewer: false,
            administrator: false,
            supervisor,
        },
        branches: vec![branch.into()],
    }
}

fn people(giver: PersonVerdict, assignee: PersonVerdict) -> People {
    People {
        key: KeyVerdict::Current,
        giver,
        assignee,
    }
}

/// One assignment: (asked, the case, the people) → "OK" or the refusal's code.
fn check(a: &Assignment, h: Option<Held>, p: Option<People>, expected: &str) {
    let got = match judge(a, h.as_ref(), p.as_ref(), at()) {
        Ok(()) => "OK",
        Err(r) => r.code,
    };
    assert_eq!(got, expected, "{a:?}");
}

#[test]
fn a_claim_is_an_underwriter_s_of_an_unassigned_case_of_their_branch() {
    let claim = give("alice", "alice", None);
    let uw = || people(found(true, false, "BXM-07"), found(true, false, "BXM-07"));
    check(&claim, Some(held(Stage::Draft, None)), Some(uw()), "OK");
    // A returned case goes back to its maker, the only one who resubmits it.
    check(
        &claim,
        Some(held(Stage::Returned, None)),
        Some(uw()),
        "ASSIGNMENT_CLOSED",
    );
    // Already hers: claiming again is no change, and allowed.
    check(
        &give("alice", "alice", Some("alice")),
        Some(held(Stage::Draft, Some("alice"))),
        Some(uw()),
        "OK",
    );
    // Someone claimed it meanwhile.
    check(
        &claim,
        Some(held(Stage::Draft, Some("carol"))),
        Some(uw()),
        "ASSIGNMENT_CHANGED",
    );
    // Seen with carol: still not alice's to take.
    check(
        &give("alice", "alice", Some("carol")),
        Some(held(Stage::Draft, Some("carol"))),
        Some(uw()),
        "ALREADY_ASSIGNED",
    );
    for stage in [Stage::Submitted, Stage::Approved, Stage::Rejected] {
        check(
            &claim,
            Some(held(stage, None)),
            Some(uw()),
            "ASSIGNMENT_CLOSED",
        );
    }
    check(&claim, None, Some(uw()), "NOT_FOUND");
    // Another branch's case, a reviewer, an unknown key.
    let elsewhere = people(found(true, false, "BXO-02"), found(true, false, "BXO-02"));
    check(
        &claim,
        Some(held(Stage::Draft, None)),
        Some(elsewhere),
        "ROLE_MISSING",
    );
    let reviewer = people(found(false, false, "BXM-07"), found(false, false, "BXM-07"));
    check(
        &claim,
        Some(held(Stage::Draft, None)),
        Some(reviewer),
        "ROLE_MISSING",
    );
    let mut unknown = uw();
    unknown.key = KeyVerdict::Unknown;
    check(
        &claim,
        Some(held(Stage::Draft, None)),
        Some(unknown),
        "KEY_UNKNOWN",
    );
}

#[test]
fn a_reassignment_is_a_supervisor_s_to_an_underwriter_of_the_branch() {
    let moved = give("sara", "carol", Some("alice"));
    let case = || Some(held(Stage::Draft, Some("alice")));
    let ok = || people(found(false, true, "BXM-07"), found(true, false, "BXM-07"));
    check(&moved, case(), Some(ok()), "OK");
    // Not a supervisor (alice handing her case to carol), or one of another branch.
    check(
        &give("alice", "carol", Some("alice")),
        case(),
        Some(people(
            found(true, false, "BXM-07"),
            found(true, false, "BXM-07"),
        )),
        "ROLE_MISSING",
    );
    check(
        &moved,
        case(),
        Some(people(
            found(false, true, "BXO-02"),
            found(true, false, "BXM-07"),
        )),
        "ROLE_MISSING",
    );
    // To someone who is no underwriter of the branch, or unknown, or disabled.
    check(
        &moved,
        case(),
        Some(people(
            found(false, true, "BXM-07"),
            found(false, false, "BXM-07"),
        )),
        "ASSIGNEE_NOT_UNDERWRITER",
    );
    check(
        &moved,
        case(),
        Some(people(
            found(false, true, "BXM-07"),
            found(true, false, "BXO-02"),
        )),
        "ASSIGNEE_NOT_UNDERWRITER",
    );
    check(
        &moved,
        case(),
        Some(people(found(false, true, "BXM-07"), PersonVerdict::Absent)),
        "ASSIGNEE_NOT_UNDERWRITER",
    );
    check(
        &moved,
        case(),
        Some(people(
            found(false, true, "BXM-07"),
            PersonVerdict::Disabled,
        )),
        "ACCOUNT_DISABLED",
    );
    check(
        &moved,
        case(),
        Some(people(
            found(false, true, "BXM-07"),
            PersonVerdict::Unreachable("down".into()),
        )),
        "DIRECTORY_UNAVAILABLE",
    );
    // The form: names, the time.
    for (by, to) in [("", "carol"), ("sara", "car ol"), ("sara", "../x")] {
        check(
            &give(by, to, Some("alice")),
            case(),
            None,
            "INVALID_ASSIGNMENT",
        );
    }
    let mut ahead = moved.clone();
    ahead.at = "2026-12-02T10:05:01Z".into();
    check(&ahead, case(), None, "INVALID_ASSIGNMENT");
}

#[test]
fn an_assignment_counts_once_and_no_older_one_undoes_a_newer() {
    let moved = give("sara", "carol", Some("alice"));
    let after = |last: &str| Held {
        last_at: Some(last.into()),
        ..held(Stage::Draft, Some("alice"))
    };
    // The same signed assignment again, or one given before the last one the bank took;
    // another one given in the same second is a new one.
    let again = Held {
        seen: true,
        ..after("2026-12-02T09:59:00Z")
    };
    check(&moved, Some(again), None, "STALE_ASSIGNMENT");
    check(&moved, Some(after("2026-12-02T09:59:00Z")), None, "OK");
    check(
        &moved,
        Some(after("2026-12-02T09:59:30Z")),
        None,
        "STALE_ASSIGNMENT",
    );
    check(&moved, Some(after("2026-12-02T09:58:59Z")), None, "OK");
    // Older than an offline login lasts.
    let mut late = moved.clone();
    late.at = "2026-11-29T09:59:59Z".into();
    check(
        &late,
        Some(held(Stage::Draft, Some("alice"))),
        None,
        "INVALID_ASSIGNMENT",
    );
    // A standalone bank keeps no workflow: the stage is the desk's word.
    let standalone = Held {
        stage: None,
        ..held(Stage::Draft, Some("alice"))
    };
    check(&moved, Some(standalone), None, "OK");
}

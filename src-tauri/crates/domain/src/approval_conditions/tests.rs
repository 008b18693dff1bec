use super::*;

const AT: &str = "2026-12-03T10:00:00+05:00";

fn today() -> Date {
    Date::ymd(2026, 12, 3).unwrap()
}

const MAKER: Actor = Actor {
    name: "a.karimova",
    underwriter: true,
    reviewer: false,
};
const CHECKER: Actor = Actor {
    name: "b.rashidov",
    underwriter: false,
    reviewer: true,
};
const CLERK: Actor = Actor {
    name: "c.clerk",
    underwriter: false,
    reviewer: false,
};

fn new() -> NewCondition {
    NewCondition {
        text: "The employer's letter confirming the salary".into(),
        owner: "the client".into(),
        due: "2026-12-20".into(),
        stage: 1,
    }
}

/// Raises `patch(new())` as `by`: the condition, or the refusal's code and message.
fn check(patch: impl FnOnce(&mut NewCondition), by: Actor, expected: Result<(), (&str, &str)>) {
    let mut n = new();
    patch(&mut n);
    let got = raise("c1", &n, by, AT, today());
    match (got, expected) {
        (Ok(c), Ok(())) => {
            assert_eq!(c.status, Status::Open);
            assert_eq!(c.raised_by, by.name);
            assert_eq!(c.text, n.text.trim());
        }
        (Err(r), Err((code, message))) => {
            assert_eq!(r.code(), code, "{r}");
            assert_eq!(r.to_string(), message);
        }
        (got, expected) => panic!("got {got:?}, expected {expected:?}"),
    }
}

#[test]
fn raising_a_condition() {
    check(|_| {}, MAKER, Ok(()));
    check(|_| {}, CHECKER, Ok(()));
    check(|n| n.due = "2026-12-03".into(), MAKER, Ok(()));
    check(|n| n.stage = 2, MAKER, Ok(()));
    check(
        |n| n.text = "  \n ".into(),
        MAKER,
        Err((
            "CONDITION_TEXT_REQUIRED",
            "text: a condition says what must be brought",
        )),
    );
    check(
        |n| n.text = "x".repeat(501),
        MAKER,
        Err(("INVALID_INPUT", "text: 501 characters, at most 500")),
    );
    check(
        |n| n.text = "bring\u{7}it".into(),
        MAKER,
        Err((
            "INVALID_INPUT",
            "text: the control character U+0007 has no place here",
        )),
    );
    check(
        |n| n.owner = " ".into(),
        MAKER,
        Err((
            "CONDITION_OWNER_REQUIRED",
            "owner: a condition names who must meet it",
        )),
    );
    check(
        |n| n.owner = "o".repeat(101),
        MAKER,
        Err(("INVALID_INPUT", "owner: 101 characters, at most 100")),
    );
    check(
        |n| n.due = "".into(),
        MAKER,
        Err(("CONDITION_DUE_REQUIRED", "due: a condition has a due date")),
    );
    check(
        |n| n.due = "20.12.2026".into(),
        MAKER,
        Err((
            "CONDITION_DUE_INVALID",
            "due: \"20.12.2026\" is not a date (YYYY-MM-DD)",
        )),
    );
    check(
        |n| n.due = "2026-02-30".into(),
        MAKER,
        Err((
            "CONDITION_DUE_INVALID",
            "due: \"2026-02-30\" is not a date (YYYY-MM-DD)",
        )),
    );
    check(
        |n| n.due = "2026-12-02".into(),
        MAKER,
        Err((
            "CONDITION_DUE_INVALID",
            "due: 2026-12-02 lies before today, 2026-12-03",
        )),
    );
    check(
        |n| n.stage = 3,
        MAKER,
        Err((
            "CONDITION_STAGE_INVALID",
            "stage: 3 is not a disbursement stage (1 or 2)",
        )),
    );
    check(
        |n| n.stage = 0,
        MAKER,
        Err((
            "CONDITION_STAGE_INVALID",
            "stage: 0 is not a disbursement stage (1 or 2)",
        )),
    );
    check(
        |_| {},
        CLERK,
        Err((
            "MISSING_ROLE",
            "c.clerk holds neither the underwriter nor the reviewer role",
        )),
    );
}

fn open() -> ApprovalCondition {
    raise("c1", &new(), MAKER, AT, today()).unwrap()
}

#[test]
fn met_with_evidence_by_either_role() {
    for by in [MAKER, CHECKER] {
        let met = close(
            &open(),
            Closing::Meet,
            " letter no. 45 scanned ",
            by,
            None,
            "t2",
        )
        .unwrap();
        assert_eq!(met.status, Status::Met);
        assert_eq!(met.words.as_deref(), Some("letter no. 45 scanned"));
        assert_eq!(met.closed_by.as_deref(), Some(by.name));
        assert_eq!(met.closed_at.as_deref(), Some("t2"));
        assert_eq!((met.text, met.due, met.stage), (open().text, open().due, 1));
    }
    let e = close(&open(), Closing::Meet, "", MAKER, None, "t2").unwrap_err();
    assert_eq!(e.code(), "CONDITION_EVIDENCE_REQUIRED");
    let e = close(&open(), Closing::Meet, "seen", CLERK, None, "t2").unwrap_err();
    assert_eq!(e.code(), "MISSING_ROLE");
}

#[test]
fn waived_by_a_reviewer_who_did_not_raise_it() {
    let waived = close(
        &open(),
        Closing::Waive,
        "salary seen in the bank's own records",
        CHECKER,
        Some("a.karimova"),
        "t2",
    )
    .unwrap();
    assert_eq!(waived.status, Status::Waived);
    let e = close(&open(), Closing::Waive, "", CHECKER, None, "t2").unwrap_err();
    assert_eq!(
        (e.code(), e.to_string().as_str()),
        ("CONDITION_REASON_REQUIRED", "reason: a waiver says why")
    );
    let e = close(&open(), Closing::Waive, "no need", MAKER, None, "t2").unwrap_err();
    assert_eq!(e.code(), "MISSING_ROLE");
    // A reviewer who raised it cannot waive it.
    let own = raise("c2", &new(), CHECKER, AT, today()).unwrap();
    let e = close(&own, Closing::Waive, "no need", CHECKER, None, "t2").unwrap_err();
    assert_eq!(e.code(), "CONDITION_WAIVE_OWN");
    // Nor does the case's maker, whatever roles they hold.
    let e = close(
        &open(),
        Closing::Waive,
        "no need",
        CHECKER,
        Some("b.rashidov"),
        "t2",
    )
    .unwrap_err();
    assert_eq!(
        (e.code(), e.to_string().as_str()),
        (
            "CONDITION_WAIVE_OWN",
            "b.rashidov made this case: a waiver of its condition is a second person's"
        )
    );
    let e = close(&own, Closing::Waive, "no need", CHECKER, None, "t2").unwrap_err();
    assert_eq!(
        (e.code(), e.to_string().as_str()),
        (
            "CONDITION_WAIVE_OWN",
            "b.rashidov raised this condition: its waiver is a second person's"
        )
    );
}

#[test]
fn a_closed_condition_never_reopens() {
    let met = close(&open(), Closing::Meet, "seen", MAKER, None, "t2").unwrap();
    for how in [Closing::Meet, Closing::Waive] {
        let e = close(&met, how, "again", CHECKER, None, "t3").unwrap_err();
        assert_eq!(
            (e.code(), e.to_string().as_str()),
            (
                "CONDITION_CLOSED",
                "condition c1 is met already: a closed condition never reopens"
            )
        );
    }
}

#[test]
fn an_open_condition_blocks_its_stage_and_every_later_one() {
    let one = open();
    assert!(blocks(&one, 1) && blocks(&one, 2));
    let two = ApprovalCondition { stage: 2, ..open() };
    assert!(!blocks(&two, 1) && blocks(&two, 2));
    let met = close(&one, Closing::Meet, "seen", MAKER, None, "t2").unwrap();
    assert!(!blocks(&met, 1) && !blocks(&met, 2));
    assert!(!one.overdue(Date::ymd(2026, 12, 20).unwrap()));
    assert!(one.overdue(Date::ymd(2026, 12, 21).unwrap()));
    assert!(!met.overdue(Date::ymd(2026, 12, 21).unwrap()));
}

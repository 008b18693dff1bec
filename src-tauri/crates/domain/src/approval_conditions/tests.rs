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

/// Another underwriter: neither the case's maker nor an editor.
const COLLEAGUE: Actor = Actor {
    name: "d.umarov",
    underwriter: true,
    reviewer: false,
};

/// The case submitted by a.karimova, edited by e.editor too.
const SUBMITTED: CaseHands = CaseHands {
    stage: crate::review::Stage::Submitted,
    makers: &["a.karimova", "e.editor"],
};

/// Closes `open()` (raised by the maker): the standing, or the refusal's code.
fn closing(how: Closing, said: &str, by: Actor, case: CaseHands) -> Result<Status, &'static str> {
    close(&open(), how, said, by, case, "t2")
        .map(|c| c.status)
        .map_err(|e| e.code())
}

#[test]
fn met_with_evidence_by_a_second_person_once_the_case_is_submitted() {
    for by in [COLLEAGUE, CHECKER] {
        let met = close(
            &open(),
            Closing::Meet,
            " letter no. 45 scanned ",
            by,
            SUBMITTED,
            "t2",
        )
        .unwrap();
        assert_eq!(met.status, Status::Met);
        assert_eq!(met.words.as_deref(), Some("letter no. 45 scanned"));
        assert_eq!(met.closed_by.as_deref(), Some(by.name));
        assert_eq!(met.closed_at.as_deref(), Some("t2"));
        assert_eq!((met.text, met.due, met.stage), (open().text, open().due, 1));
    }
    let approved = CaseHands {
        stage: crate::review::Stage::Approved,
        ..SUBMITTED
    };
    assert_eq!(
        closing(Closing::Meet, "seen", COLLEAGUE, approved),
        Ok(Status::Met)
    );
    assert_eq!(
        closing(Closing::Meet, "", COLLEAGUE, SUBMITTED),
        Err("CONDITION_EVIDENCE_REQUIRED")
    );
    assert_eq!(
        closing(Closing::Meet, "seen", CLERK, SUBMITTED),
        Err("MISSING_ROLE")
    );
    // The maker brings the evidence; she does not mark it met, nor does an editor.
    assert_eq!(
        closing(Closing::Meet, "seen", MAKER, SUBMITTED),
        Err("CONDITION_SECOND_PERSON")
    );
    let editor = Actor {
        name: "e.editor",
        ..CHECKER
    };
    let e = close(&open(), Closing::Meet, "seen", editor, SUBMITTED, "t2").unwrap_err();
    assert_eq!(
        (e.code(), e.to_string().as_str()),
        (
            "CONDITION_SECOND_PERSON",
            "e.editor made or edited this case: its conditions are closed by a second person"
        )
    );
    // Before the submission the maker is not known; after a return or a rejection there is
    // nothing to close.
    for stage in [
        crate::review::Stage::Draft,
        crate::review::Stage::Returned,
        crate::review::Stage::Rejected,
    ] {
        let case = CaseHands { stage, makers: &[] };
        assert_eq!(
            closing(Closing::Meet, "seen", COLLEAGUE, case),
            Err("CONDITION_NOT_SUBMITTED")
        );
        assert_eq!(
            closing(Closing::Waive, "why", CHECKER, case),
            Err("CONDITION_NOT_SUBMITTED")
        );
    }
}

#[test]
fn waived_by_a_reviewer_who_neither_raised_it_nor_made_the_case() {
    assert_eq!(
        closing(
            Closing::Waive,
            "salary seen in the bank's own records",
            CHECKER,
            SUBMITTED
        ),
        Ok(Status::Waived)
    );
    let e = close(&open(), Closing::Waive, "", CHECKER, SUBMITTED, "t2").unwrap_err();
    assert_eq!(
        (e.code(), e.to_string().as_str()),
        ("CONDITION_REASON_REQUIRED", "reason: a waiver says why")
    );
    assert_eq!(
        closing(Closing::Waive, "no need", COLLEAGUE, SUBMITTED),
        Err("MISSING_ROLE")
    );
    // A reviewer who raised it cannot waive it.
    let own = raise("c2", &new(), CHECKER, AT, today()).unwrap();
    let e = close(&own, Closing::Waive, "no need", CHECKER, SUBMITTED, "t2").unwrap_err();
    assert_eq!(
        (e.code(), e.to_string().as_str()),
        (
            "CONDITION_WAIVE_OWN",
            "b.rashidov raised this condition: its waiver is a second person's"
        )
    );
    // Nor does a reviewer who made or edited the case, whatever roles they hold.
    let maker_reviewer = CaseHands {
        makers: &["b.rashidov"],
        ..SUBMITTED
    };
    assert_eq!(
        closing(Closing::Waive, "no need", CHECKER, maker_reviewer),
        Err("CONDITION_SECOND_PERSON")
    );
}

#[test]
fn a_closed_condition_never_reopens() {
    let met = close(&open(), Closing::Meet, "seen", COLLEAGUE, SUBMITTED, "t2").unwrap();
    for how in [Closing::Meet, Closing::Waive] {
        let e = close(&met, how, "again", CHECKER, SUBMITTED, "t3").unwrap_err();
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
    let met = close(&one, Closing::Meet, "seen", COLLEAGUE, SUBMITTED, "t2").unwrap();
    assert!(!blocks(&met, 1) && !blocks(&met, 2));
    assert!(!one.overdue(Date::ymd(2026, 12, 20).unwrap()));
    assert!(one.overdue(Date::ymd(2026, 12, 21).unwrap()));
    assert!(!met.overdue(Date::ymd(2026, 12, 21).unwrap()));
}

use proptest::prelude::*;

use super::*;

const BOTH: Roles = Roles {
    underwriter: true,
    reviewer: true,
};

fn submit() -> Action {
    Action::Submit(Proposal {
        decision: ReviewDecision::Approve,
        justification: "income verified from statements; DTI 45.87 %".into(),
        figures: Figures::default(),
    })
}

#[test]
fn the_usual_path_and_its_refusals() {
    let w = Workflow::default();
    let w = step(&w, "alice", BOTH, &Action::Edit).unwrap();
    let w = step(&w, "alice", BOTH, &submit()).unwrap();
    assert_eq!(
        (w.stage, w.maker.as_deref()),
        (Stage::Submitted, Some("alice"))
    );

    // The maker holds the reviewer role too, and is still refused.
    let e = step(&w, "alice", BOTH, &Action::Approve).unwrap_err();
    assert_eq!(e.code(), "SELF_REVIEW");
    // A submitted case is with its reviewer: nobody edits it.
    assert_eq!(
        step(&w, "bob", BOTH, &Action::Edit).unwrap_err().code(),
        "WRONG_STAGE"
    );
    let done = step(&w, "carol", BOTH, &Action::Approve).unwrap();
    assert_eq!(
        (done.stage, done.checker.as_deref()),
        (Stage::Approved, Some("carol"))
    );
    assert_eq!(
        step(&done, "alice", BOTH, &Action::Edit)
            .unwrap_err()
            .code(),
        "WRONG_STAGE"
    );

    let underwriter_only = Roles {
        underwriter: true,
        reviewer: false,
    };
    assert_eq!(
        step(&w, "dave", underwriter_only, &Action::Approve)
            .unwrap_err()
            .code(),
        "MISSING_ROLE"
    );
    assert_eq!(
        step(
            &w,
            "carol",
            BOTH,
            &Action::Return {
                comment: " ".into()
            }
        )
        .unwrap_err()
        .code(),
        "COMMENT_REQUIRED"
    );
    // Returned with a comment; bob edits the returned case, only the maker submits again,
    // and bob — an editor since — can no longer sign it, not after any resubmission.
    let back = step(
        &w,
        "carol",
        BOTH,
        &Action::Return {
            comment: "attach the June statement".into(),
        },
    )
    .unwrap();
    assert_eq!(back.stage, Stage::Returned);
    let back = step(&back, "bob", BOTH, &Action::Edit).unwrap();
    let reviewer_only = Roles {
        underwriter: false,
        reviewer: true,
    };
    assert_eq!(
        step(&back, "dave", reviewer_only, &Action::Edit)
            .unwrap_err()
            .code(),
        "MISSING_ROLE"
    );
    assert_eq!(
        step(&back, "bob", BOTH, &submit()).unwrap_err().code(),
        "NOT_THE_MAKER"
    );
    let again = step(&back, "alice", BOTH, &submit()).unwrap();
    assert_eq!(
        again.editors.iter().map(String::as_str).collect::<Vec<_>>(),
        ["alice", "bob"]
    );
    assert_eq!(
        step(&again, "bob", BOTH, &Action::Approve)
            .unwrap_err()
            .code(),
        "EDITOR_REVIEW"
    );
    // A return is a sign-off too: an editor leaves it to another reviewer.
    assert_eq!(
        step(
            &again,
            "bob",
            BOTH,
            &Action::Return {
                comment: "one more".into()
            }
        )
        .unwrap_err()
        .code(),
        "EDITOR_REVIEW"
    );
    assert!(step(&again, "carol", BOTH, &Action::Approve).is_ok());
}

#[test]
fn a_draft_editor_is_an_editor_for_good() {
    // The reviewer edits the draft, the maker submits: the reviewer may not approve.
    let w = step(&Workflow::default(), "dave", BOTH, &Action::Edit).unwrap();
    let w = step(&w, "alice", BOTH, &submit()).unwrap();
    assert_eq!(
        step(&w, "dave", BOTH, &Action::Approve).unwrap_err().code(),
        "EDITOR_REVIEW"
    );
    assert_eq!(
        step(
            &w,
            "dave",
            BOTH,
            &Action::Reject {
                comment: "no".into()
            }
        )
        .unwrap_err()
        .code(),
        "EDITOR_REVIEW"
    );
}

#[test]
fn earlier_stored_workflows_read_their_editors() {
    let old = r#"{"stage":"submitted","maker":"alice","proposal":null,
        "edited_since_submission":["bob"],"return_comment":null,"checker":null}"#;
    let w: Workflow = serde_json::from_str(old).unwrap();
    assert!(w.editors.contains("bob"));
    assert_eq!(w.pending, None);
    assert_eq!(
        step(&w, "bob", BOTH, &Action::Approve).unwrap_err().code(),
        "EDITOR_REVIEW"
    );
}

#[test]
fn a_sign_off_waits_for_the_bank_then_takes_effect_or_reopens() {
    let submitted = step(
        &step(&Workflow::default(), "alice", BOTH, &Action::Edit).unwrap(),
        "alice",
        BOTH,
        &submit(),
    )
    .unwrap();
    let at_bank = SubmittedVersion {
        version: 3,
        hash: "a".repeat(64),
    };
    let submitted = accept(
        &awaiting_bank(
            &Workflow::default(),
            &submitted,
            &submit(),
            "alice",
            "2026-12-02T09:00:00Z",
        ),
        Some(at_bank.clone()),
        "2026-12-02T09:00:01Z",
    );
    assert_eq!(submitted.stage, Stage::Submitted);
    assert_eq!(submitted.submitted, Some(at_bank));
    assert_eq!(submitted.pending, None);

    // Bob signs: still submitted, pending, and nothing else may happen meanwhile.
    let after = step(&submitted, "bob", BOTH, &Action::Approve).unwrap();
    let waiting = awaiting_bank(
        &submitted,
        &after,
        &Action::Approve,
        "bob",
        "2026-12-02T09:05:00Z",
    );
    assert_eq!(waiting.stage, Stage::Submitted);
    assert_eq!(waiting.checker, None);
    assert_eq!(
        step(&waiting, "carol", BOTH, &Action::Approve)
            .unwrap_err()
            .code(),
        "AWAITING_BANK"
    );
    // Accepted: approved by bob, with the bank's time.
    let approved = accept(&waiting, None, "2026-12-02T09:05:02Z");
    assert_eq!(
        (
            approved.stage,
            approved.checker.as_deref(),
            approved.accepted_at.as_deref()
        ),
        (Stage::Approved, Some("bob"), Some("2026-12-02T09:05:02Z"))
    );
    // Refused: the case is where it was, and says why.
    let refused = refuse(&waiting, "ALREADY_DECIDED", "dave signed first", "t");
    assert_eq!(refused.stage, Stage::Submitted);
    assert_eq!(refused.pending, None);
    assert_eq!(
        refused.refusal.as_ref().map(|r| r.code.as_str()),
        Some("ALREADY_DECIDED")
    );
    // A refused submission reopens the draft, with no maker yet.
    let first = step(&Workflow::default(), "alice", BOTH, &submit()).unwrap();
    let w = awaiting_bank(
        &Workflow::default(),
        &first,
        &submit(),
        "alice",
        "2026-12-02T09:00:00Z",
    );
    assert_eq!(w.stage, Stage::Submitted);
    let w = refuse(&w, "ROLE_MISSING", "alice is no underwriter", "t");
    assert_eq!((w.stage, w.maker.as_deref()), (Stage::Draft, None));
}

#[test]
fn the_bank_s_word_on_the_stage_wins_and_editors_add_up() {
    let local = step(&Workflow::default(), "carol", BOTH, &Action::Edit).unwrap();
    let bank = BankView {
        stage: Stage::Approved,
        maker: Some("alice".into()),
        editors: vec!["alice".into(), "dave".into()],
        submitted: Some(SubmittedVersion {
            version: 4,
            hash: "b".repeat(64),
        }),
        proposal: None,
        decided: Some((
            "approve".into(),
            "bob".into(),
            None,
            "2026-12-02T10:00:00Z".into(),
        )),
        maker_signature: None,
        checker_signature: None,
    };
    let w = from_bank(&local, &bank);
    assert_eq!(
        (w.stage, w.maker.as_deref(), w.checker.as_deref()),
        (Stage::Approved, Some("alice"), Some("bob"))
    );
    assert_eq!(
        w.editors.iter().map(String::as_str).collect::<Vec<_>>(),
        ["alice", "carol", "dave"]
    );
    assert_eq!(w.accepted_at.as_deref(), Some("2026-12-02T10:00:00Z"));
}

const USERS: [&str; 3] = ["alice", "bob", "carol"];

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        Just(Action::Edit),
        Just(submit()),
        Just(Action::Approve),
        Just(Action::Reject {
            comment: "DTI too high".into()
        }),
        Just(Action::Return {
            comment: "see my notes".into()
        }),
    ]
}

fn roles() -> impl Strategy<Value = Roles> {
    (any::<bool>(), any::<bool>()).prop_map(|(underwriter, reviewer)| Roles {
        underwriter,
        reviewer,
    })
}

proptest! {
    /// Random users with random roles doing random things: no case is ever signed off by
    /// its maker, nor by anyone who edited it since its first draft. The check is made
    /// against the history of accepted actions, not against the workflow's own fields.
    #[test]
    fn no_one_signs_off_their_own_or_a_case_they_edited(
        users in proptest::collection::vec(roles(), 3),
        script in proptest::collection::vec((0usize..3, action()), 1..40),
    ) {
        let mut w = Workflow::default();
        let mut accepted: Vec<(&str, Action)> = Vec::new();
        for (u, a) in script {
            let actor = USERS[u];
            let Ok(next) = step(&w, actor, users[u], &a) else { continue };
            if matches!(a, Action::Approve | Action::Reject { .. }) {
                let last_submit = accepted
                    .iter()
                    .rposition(|(_, x)| matches!(x, Action::Submit(_)))
                    .expect("a sign-off follows a submission");
                let maker = accepted[last_submit].0;
                prop_assert_ne!(maker, actor);
                let first_maker = accepted
                    .iter()
                    .find(|(_, x)| matches!(x, Action::Submit(_)))
                    .map(|(m, _)| *m);
                prop_assert_eq!(first_maker, Some(maker));
                prop_assert!(!accepted
                    .iter()
                    .any(|(who, x)| *who == actor && *x == Action::Edit));
                prop_assert!(users[u].reviewer);
            }
            accepted.push((actor, a));
            w = next;
        }
    }
}

#[test]
fn figures_name_what_differs() {
    let maker = Figures {
        average_monthly_income: "12700000.00".into(),
        dti: Some("45.87".into()),
        ltv: "75.00".into(),
        max_monthly_payment: Some("5225812.41".into()),
    };
    assert!(maker.differences(&maker).is_empty());
    let now = Figures {
        dti: Some("38.02".into()),
        max_monthly_payment: None,
        ..maker.clone()
    };
    assert_eq!(
        maker.differences(&now),
        ["DTI %: 45.87 → 38.02", "largest payment: 5225812.41 → —"]
    );
}

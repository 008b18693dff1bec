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
    assert_eq!(e.code(), "MAKER_CANNOT_CHECK");
    // Bob edits the submitted case: he may not sign it any more; Carol may.
    let w2 = step(&w, "bob", BOTH, &Action::Edit).unwrap();
    assert_eq!(
        step(&w2, "bob", BOTH, &Action::Approve).unwrap_err().code(),
        "EDITED_AFTER_SUBMISSION"
    );
    let done = step(&w2, "carol", BOTH, &Action::Approve).unwrap();
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

    // Returned with a comment; only the maker submits again, and a fresh submission
    // forgets the earlier editors.
    let underwriter_only = Roles {
        underwriter: true,
        reviewer: false,
    };
    assert_eq!(
        step(&w2, "dave", underwriter_only, &Action::Approve)
            .unwrap_err()
            .code(),
        "MISSING_ROLE"
    );
    assert_eq!(
        step(
            &w2,
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
    let back = step(
        &w2,
        "carol",
        BOTH,
        &Action::Return {
            comment: "attach the June statement".into(),
        },
    )
    .unwrap();
    assert_eq!(back.stage, Stage::Returned);
    assert_eq!(
        step(&back, "bob", BOTH, &submit()).unwrap_err().code(),
        "NOT_THE_MAKER"
    );
    let again = step(&back, "alice", BOTH, &submit()).unwrap();
    assert!(again.edited_since_submission.is_empty());
    assert!(step(&again, "bob", BOTH, &Action::Approve).is_ok());
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
    /// its maker, nor by anyone who edited it after its last submission. The check is made
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
                prop_assert!(!accepted[last_submit..]
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

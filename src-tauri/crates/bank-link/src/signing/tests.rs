use super::*;
use crate::api::{StatementAction, StatementFigures};

fn statement(action: StatementAction) -> Statement {
    Statement {
        case_id: "AUTO-2026-000123".into(),
        version: 4,
        content_hash: "a".repeat(64),
        action,
        figures: (action != StatementAction::Edit).then(|| StatementFigures {
            decision: "approve".into(),
            amount: "150000000.00".into(),
            term_months: 36,
            rate: Some("23.00".into()),
            average_monthly_income: "12500000.00".into(),
            dti: Some("45.87".into()),
            ltv: "75.00".into(),
        }),
        signer: "bob".into(),
        signed_at: "2026-12-02T09:00:00Z".into(),
    }
}

#[test]
fn the_signed_bytes_are_the_spec_s_compact_json_in_its_key_order() {
    let s = statement(StatementAction::Approve);
    let text = String::from_utf8(s.bytes()).unwrap();
    assert_eq!(
        text,
        "{\"case_id\":\"AUTO-2026-000123\",\"version\":4,\"content_hash\":\"".to_string()
            + &"a".repeat(64)
            + "\",\"action\":\"approve\",\"figures\":{\"decision\":\"approve\",\"amount\":\"150000000.00\",\
               \"term_months\":36,\"rate\":\"23.00\",\"average_monthly_income\":\"12500000.00\",\
               \"dti\":\"45.87\",\"ltv\":\"75.00\"},\"signer\":\"bob\",\"signed_at\":\"2026-12-02T09:00:00Z\"}"
    );
    let edit = String::from_utf8(statement(StatementAction::Edit).bytes()).unwrap();
    assert!(edit.contains("\"figures\":null"), "{edit}");
    let order = String::from_utf8(statement(StatementAction::OrderStage2).bytes()).unwrap();
    assert!(order.contains("\"action\":\"order_stage_2\""), "{order}");
}

#[test]
fn a_signed_statement_verifies_and_any_change_breaks_it() {
    let signer = Ed25519Signer::from_seed(&[7u8; 32]);
    let signed = sign_statement(&signer, statement(StatementAction::Approve)).unwrap();
    let key = signer.public_key();
    assert_eq!(verify_statement(&key, &signed), Ok(()));

    // Through JSON and back: the same bytes, the same answer.
    let json = serde_json::to_string(&signed).unwrap();
    let back: SignedStatement = serde_json::from_str(&json).unwrap();
    assert_eq!(verify_statement(&key, &back), Ok(()));

    let mut other_hash = signed.clone();
    other_hash.statement.content_hash = "b".repeat(64);
    assert!(verify_statement(&key, &other_hash).is_err());
    let mut other_signer = signed.clone();
    other_signer.statement.signer = "carol".into();
    assert!(verify_statement(&key, &other_signer).is_err());
    let mut flipped = signed.clone();
    let mut sig = from_base64(&flipped.signature).unwrap();
    sig[0] ^= 1;
    flipped.signature = to_base64(&sig);
    assert!(verify_statement(&key, &flipped).is_err());
    let another = Ed25519Signer::from_seed(&[8u8; 32]).public_key();
    assert!(verify_statement(&another, &signed).is_err());
}

#[test]
fn malformed_keys_signatures_and_algorithms_are_refusals_not_panics() {
    let signer = Ed25519Signer::from_seed(&[1u8; 32]);
    let signed = sign_statement(&signer, statement(StatementAction::Submit)).unwrap();
    for (algorithm, key, sig) in [
        ("ed25519", vec![0u8; 31], signed.signature.clone()),
        ("ed25519", vec![0u8; 33], signed.signature.clone()),
        ("ed25519", signer.public_key(), "not base64 !".into()),
        ("ed25519", signer.public_key(), to_base64(&[0u8; 10])),
        ("e-imzo", signer.public_key(), signed.signature.clone()),
    ] {
        let mut s = signed.clone();
        s.algorithm = algorithm.into();
        s.signature = sig;
        assert!(verify_statement(&key, &s).is_err(), "{algorithm}");
    }
    // Unknown keys in a statement are refused when it is read.
    let json = serde_json::to_value(&signed).unwrap();
    let mut extra = json.clone();
    extra["statement"]["note"] = serde_json::json!("x");
    assert!(serde_json::from_value::<SignedStatement>(extra).is_err());
}

#[test]
fn the_form_is_checked_key_by_key() {
    let ok = statement(StatementAction::Approve);
    assert_eq!(ok.check_form(), Ok(()));
    type Spoil = Box<dyn Fn(&mut Statement)>;
    let cases: Vec<(&str, Spoil)> = vec![
        ("case_id", Box::new(|s| s.case_id = " ".into())),
        ("version", Box::new(|s| s.version = 0)),
        (
            "content_hash",
            Box::new(|s| s.content_hash = "A".repeat(64)),
        ),
        (
            "content_hash",
            Box::new(|s| s.content_hash = "a".repeat(63)),
        ),
        ("figures", Box::new(|s| s.figures = None)),
        ("signer", Box::new(|s| s.signer = String::new())),
        ("signed_at", Box::new(|s| s.signed_at = "yesterday".into())),
    ];
    for (key, spoil) in cases {
        let mut s = ok.clone();
        spoil(&mut s);
        let err = s.check_form().unwrap_err();
        assert!(err.starts_with(key), "{key}: {err}");
    }
    assert_eq!(statement(StatementAction::Edit).check_form(), Ok(()));
}

#[test]
fn the_request_bytes_name_purpose_person_and_time() {
    assert_eq!(
        request_bytes("inbox", "bob", "2026-12-02T09:00:00Z"),
        b"uw-request\ninbox\nbob\n2026-12-02T09:00:00Z".to_vec()
    );
}

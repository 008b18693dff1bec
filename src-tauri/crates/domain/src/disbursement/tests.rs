//! Every precondition of both stages, for both kinds of eligible seller.

use super::*;
use crate::case::tests::EXAMPLE;
use crate::case::{InsuranceKind, Pledge, Review, ReviewDecision};
use crate::product::tests::default_product;
use crate::{evaluate, EvalOptions};

const AT: &str = "2026-11-23T10:00:00Z";

fn m(s: &str) -> Money {
    s.parse().unwrap()
}

fn today() -> Date {
    Date::ymd(2026, 11, 23).unwrap()
}

const SIGNED: Approval = Approval {
    decision: Decision::Approve,
    signed_off: true,
    conditions: &[],
};

/// The demo case (official dealer, 135 m loan, 45 m down payment) approved and signed
/// off, with its down payment proven and the contract's advance of 60 m recorded.
fn approved(seller: SellerKind) -> CaseFile {
    let mut c = crate::parse_case(EXAMPLE).unwrap();
    c.vehicle.seller_kind = seller;
    c.review = Some(Review {
        decision: ReviewDecision::Approve,
        maker: "alice".into(),
        checker: "bob".into(),
        signed_at: AT.into(),
        case_version: 3,
    });
    c = record(
        &c,
        &Fact::DownPaymentProof {
            status: DocumentStatus::Verified,
            reference: Some("K3-0012345".into()),
            date: Some(today()),
        },
    )
    .unwrap();
    if dealer(seller) {
        c = record(
            &c,
            &Fact::Advance {
                amount: m("60000000.00"),
            },
        )
        .unwrap();
    }
    c
}

fn codes(case: &CaseFile, approval: Approval, stage: u8) -> Vec<String> {
    blockers(case, approval, stage, today())
        .iter()
        .map(Blocker::code)
        .collect()
}

fn with_stage_one(mut c: CaseFile) -> CaseFile {
    let o = order(&c, SIGNED, 1, today(), AT, "alice").unwrap();
    c.disbursement.orders.push(o);
    c
}

fn registered(mut c: CaseFile) -> CaseFile {
    c.pledge = Pledge {
        vin_lien: LienStatus::Registered,
        ..Pledge::default()
    };
    c
}

#[test]
fn dealer_stage_one_pays_the_advance_once_the_prohibition_is_registered() {
    for seller in [SellerKind::OfficialDealer, SellerKind::Manufacturer] {
        let c = approved(seller);
        // The passport: no loan money before the prohibition (the rule book said stage 2
        // only; the passport wins).
        assert_eq!(c.pledge.vin_lien, LienStatus::None);
        assert_eq!(codes(&c, SIGNED, 1), ["VIN_LIEN"]);
        let c = registered(c);
        let o = order(&c, SIGNED, 1, today(), AT, "alice").unwrap();
        assert_eq!(o.amount, m("60000000.00"));
        assert_eq!(o.funds, Funds::Loan);
        assert_eq!(o.value_date, today());
        assert!(o.evidence.iter().any(|e| e.code == "VEHICLE_POLICY"
            && e.status == "met"
            && e.message.contains("KASKO-778812")));
        assert!(o
            .evidence
            .iter()
            .any(|e| e.code == "DOWN_PAYMENT_PROOF" && e.message.contains("K3-0012345")));
    }
}

#[test]
fn every_precondition_of_stage_one_blocks_it_by_name() {
    let base = registered(approved(SellerKind::OfficialDealer));
    assert_eq!(codes(&base, SIGNED, 1), Vec::<String>::new());
    let refer = Approval {
        decision: Decision::Refer,
        signed_off: true,
        conditions: &[],
    };
    assert_eq!(codes(&base, refer, 1), ["NOT_APPROVED"]);
    let unsigned = Approval {
        decision: Decision::Approve,
        signed_off: false,
        conditions: &[],
    };
    assert_eq!(codes(&base, unsigned, 1), ["NOT_REVIEWED"]);
    let mut c = base.clone();
    c.review = None;
    assert_eq!(codes(&c, SIGNED, 1), ["NOT_REVIEWED"]);
    let mut c = base.clone();
    c.review.as_mut().unwrap().decision = ReviewDecision::Reject;
    assert_eq!(codes(&c, SIGNED, 1), ["NOT_REVIEWED"]);

    let mut c = base.clone();
    c.insurance
        .retain(|p| p.kind != InsuranceKind::NonRepayment);
    assert_eq!(codes(&c, SIGNED, 1), ["NON_REPAYMENT_POLICY"]);
    // A vehicle policy that starts after the money would move does not cover it.
    let mut c = base.clone();
    c.insurance
        .iter_mut()
        .filter(|p| p.kind == InsuranceKind::Vehicle)
        .for_each(|p| p.from = Date::ymd(2026, 11, 30).unwrap());
    assert_eq!(codes(&c, SIGNED, 1), ["VEHICLE_POLICY"]);
    let blocked = blockers(&c, SIGNED, 1, today());
    assert!(
        blocked[0].to_string().contains("short of the loan term"),
        "{}",
        blocked[0]
    );
    // ... but covers a stage made on its first day.
    assert!(blockers(&c, SIGNED, 1, Date::ymd(2026, 11, 30).unwrap()).is_empty());

    for status in [DocumentStatus::Pending, DocumentStatus::Rejected] {
        let c = record(
            &base,
            &Fact::DownPaymentProof {
                status,
                reference: None,
                date: None,
            },
        )
        .unwrap();
        assert_eq!(codes(&c, SIGNED, 1), ["DOWN_PAYMENT_PROOF"]);
    }
    let mut c = base.clone();
    c.disbursement.advance = None;
    assert_eq!(codes(&c, SIGNED, 1), ["ADVANCE_MISSING"]);
    assert_eq!(plan(&c, SIGNED, today())[0].amount, None);
    for advance in ["135000000.00", "140000000.00"] {
        let mut c = base.clone();
        c.disbursement.advance = Some(m(advance));
        assert_eq!(codes(&c, SIGNED, 1), ["ADVANCE_TOO_LARGE"]);
    }
    let mut c = base.clone();
    c.vehicle.seller_kind = SellerKind::PrivatePerson;
    assert!(codes(&c, SIGNED, 1).contains(&"SELLER_NOT_ELIGIBLE".to_string()));
    // Everything at once is reported at once.
    let mut c = base.clone();
    c.insurance.clear();
    c.disbursement.advance = None;
    assert_eq!(
        codes(&c, unsigned, 1),
        [
            "NOT_REVIEWED",
            "VEHICLE_POLICY",
            "NON_REPAYMENT_POLICY",
            "ADVANCE_MISSING"
        ]
    );
    assert_eq!(
        order(&c, unsigned, 1, today(), AT, "alice")
            .unwrap_err()
            .len(),
        4
    );
}

#[test]
fn dealer_stage_two_needs_stage_one_the_delivery_notice_and_a_registered_prohibition() {
    let c = approved(SellerKind::OfficialDealer);
    assert_eq!(
        codes(&c, SIGNED, 2),
        ["STAGE_1_FIRST", "DELIVERY_NOTICE_MISSING", "VIN_LIEN"]
    );
    let c = with_stage_one(registered(c));
    assert_eq!(codes(&c, SIGNED, 2), ["DELIVERY_NOTICE_MISSING"]);
    let c = record(
        &c,
        &Fact::DeliveryNotice {
            reference: " DN-2026-118 ".into(),
            date: today(),
        },
    )
    .unwrap();
    assert_eq!(
        c.disbursement.delivery_notice.as_ref().unwrap().reference,
        "DN-2026-118"
    );
    // A prohibition that is no longer registered (released, or gone) blocks stage 2.
    for status in [
        LienStatus::None,
        LienStatus::Requested,
        LienStatus::Released,
    ] {
        let mut c = c.clone();
        c.pledge.vin_lien = status;
        assert_eq!(codes(&c, SIGNED, 2), ["VIN_LIEN"], "{status:?}");
        assert!(order(&c, SIGNED, 2, today(), AT, "alice").is_err());
    }
    let o = order(&c, SIGNED, 2, today(), AT, "alice").unwrap();
    assert_eq!(o.amount, m("75000000.00"), "the loan less the advance");
    assert_eq!(o.funds, Funds::Loan);
    assert!(o
        .evidence
        .iter()
        .any(|e| e.code == "VIN_LIEN" && e.status == "met"));
    // Stage 2 needs the §6 conditions again, on its own day.
    let mut late = c.clone();
    late.insurance
        .iter_mut()
        .for_each(|p| p.to = Date::ymd(2029, 1, 1).unwrap());
    assert_eq!(
        codes(&late, SIGNED, 2),
        ["VEHICLE_POLICY", "NON_REPAYMENT_POLICY"]
    );
}

#[test]
fn a_foreign_prohibition_blocks_loan_money_with_its_creditor() {
    let mut c = with_stage_one(approved(SellerKind::DealerInStock));
    c.pledge = Pledge {
        vin_lien: LienStatus::Foreign,
        creditor: Some("Ipak Yo'li Bank".into()),
        history: vec![],
    };
    let b = blockers(&c, SIGNED, 2, today());
    assert_eq!(b.len(), 1);
    assert_eq!(b[0].code(), "FOREIGN_LIEN");
    assert!(b[0].to_string().contains("Ipak Yo'li Bank"), "{}", b[0]);
    // Stage 1 (the client's own money) does not wait for the prohibition...
    let c = approved(SellerKind::DealerInStock);
    assert!(blockers(&c, SIGNED, 1, today()).is_empty());
    // ...a dealer's stage 1 (loan money) does.
    let mut c = approved(SellerKind::OfficialDealer);
    c.pledge.vin_lien = LienStatus::Foreign;
    assert_eq!(codes(&c, SIGNED, 1), ["FOREIGN_LIEN"]);
}

#[test]
fn a_seller_with_the_car_in_stock_takes_the_down_payment_then_the_whole_loan() {
    let c = approved(SellerKind::DealerInStock);
    assert_eq!(c.disbursement.advance, None, "no advance for this seller");
    let p = plan(&c, SIGNED, today());
    assert_eq!(p[0].funds, Funds::DownPayment);
    assert_eq!(p[0].amount, Some(m("45000000.00")));
    assert!(p[0].blockers.is_empty());
    assert_eq!(p[1].amount, Some(m("135000000.00")));
    assert_eq!(
        p[1].blockers
            .iter()
            .map(|b| b.code.as_str())
            .collect::<Vec<_>>(),
        ["STAGE_1_FIRST", "VIN_LIEN"]
    );
    let c = registered(with_stage_one(c));
    // No delivery notice is asked of this seller.
    let o = order(&c, SIGNED, 2, today(), AT, "carol").unwrap();
    assert_eq!(o.amount, m("135000000.00"));
    assert_eq!(o.created_by, "carol");
}

#[test]
fn a_stage_is_ordered_once() {
    let c = with_stage_one(registered(approved(SellerKind::OfficialDealer)));
    assert_eq!(codes(&c, SIGNED, 1), ["ALREADY_ORDERED"]);
    let p = plan(&c, SIGNED, today());
    assert!(p[0].order.is_some());
    assert!(p[0].blockers.is_empty());
    // A file claiming two orders of one stage, or stage 2 alone, is malformed.
    let mut twice = c.clone();
    twice
        .disbursement
        .orders
        .push(twice.disbursement.orders[0].clone());
    let e = crate::case::validate(&twice).unwrap_err();
    assert_eq!(e.path, "disbursement.orders[1].stage");
    let mut alone = c.clone();
    alone.disbursement.orders[0].stage = 2;
    assert!(crate::case::validate(&alone).is_err());
}

#[test]
fn recorded_facts_never_change_the_decision() {
    let product = default_product();
    let base = crate::parse_case(EXAMPLE).unwrap();
    let before = evaluate(&base, &product, &EvalOptions::default());
    let facts = [
        Fact::Advance { amount: m("1.00") },
        Fact::DeliveryNotice {
            reference: "DN-1".into(),
            date: today(),
        },
        Fact::Policy {
            policy: InsurancePolicy {
                kind: InsuranceKind::Vehicle,
                policy: "KASKO-1".into(),
                from: today(),
                to: today(),
            },
        },
        Fact::DownPaymentProof {
            status: DocumentStatus::Rejected,
            reference: None,
            date: None,
        },
    ];
    for fact in &facts {
        let after = evaluate(
            &record(&base, fact).unwrap(),
            &product,
            &EvalOptions::default(),
        );
        assert_eq!(after.decision, before.decision, "{fact:?}");
        assert_eq!(after.reasons, before.reasons, "{fact:?}");
        assert_eq!(after.metrics, before.metrics, "{fact:?}");
    }
}

#[test]
fn malformed_facts_are_refused_naming_the_field() {
    let base = crate::parse_case(EXAMPLE).unwrap();
    let e = record(&base, &Fact::Advance { amount: m("0") }).unwrap_err();
    assert_eq!(e.path, "disbursement.advance");
    let e = record(
        &base,
        &Fact::DeliveryNotice {
            reference: "  ".into(),
            date: today(),
        },
    )
    .unwrap_err();
    assert_eq!(e.path, "disbursement.delivery_notice.reference");
    let e = record(
        &base,
        &Fact::Policy {
            policy: InsurancePolicy {
                kind: InsuranceKind::Vehicle,
                policy: "K".into(),
                from: today(),
                to: Date::ymd(2026, 1, 1).unwrap(),
            },
        },
    )
    .unwrap_err();
    assert!(e.path.starts_with("insurance["), "{e}");
    let e = record(
        &base,
        &Fact::Policy {
            policy: InsurancePolicy {
                kind: InsuranceKind::Vehicle,
                policy: " ".into(),
                from: today(),
                to: today(),
            },
        },
    )
    .unwrap_err();
    assert_eq!(e.path, "policy.policy");
}

#[test]
fn the_case_file_without_disbursement_data_reads_and_writes_as_before() {
    let c = crate::parse_case(EXAMPLE).unwrap();
    let json = crate::case::to_json_pretty(&c);
    assert!(!json.contains("disbursement"));
    assert!(!json.contains("\"history\""));
    let c = with_stage_one(registered(approved(SellerKind::OfficialDealer)));
    let back = crate::parse_case(&crate::case::to_json_pretty(&c)).unwrap();
    assert_eq!(back, c);
}

#[test]
fn an_open_condition_of_the_approval_blocks_its_stage_and_the_later_one() {
    use crate::approval_conditions::{close, raise, Actor, Closing, NewCondition};
    let maker = Actor {
        name: "alice",
        underwriter: true,
        reviewer: false,
    };
    let c = approved(SellerKind::DealerInStock);
    let letter = raise(
        "k1",
        &NewCondition {
            text: "employer's letter".into(),
            owner: "the client".into(),
            due: "2026-12-31".into(),
            stage: 1,
        },
        maker,
        AT,
        today(),
    )
    .unwrap();
    let open = [letter.clone()];
    let with = |conditions| Approval {
        conditions,
        ..SIGNED
    };
    assert_eq!(codes(&c, with(&open), 1), ["CONDITION_OPEN"]);
    let refused = order(&c, with(&open), 1, today(), AT, "alice").unwrap_err();
    assert_eq!(
        refused[0].to_string(),
        "the condition \"employer's letter\" (the client, due 2026-12-31) is open: it must be met or waived first"
    );
    // Named for stage 2, it lets stage 1 pay and holds stage 2.
    let later = [crate::approval_conditions::ApprovalCondition {
        stage: 2,
        ..letter.clone()
    }];
    assert!(codes(&c, with(&later), 1).is_empty());
    let mut c2 = with_stage_one(c.clone());
    c2.pledge.vin_lien = LienStatus::Registered;
    assert_eq!(codes(&c2, with(&later), 2), ["CONDITION_OPEN"]);
    assert!(codes(&c2, SIGNED, 2).is_empty());
    // Met, it blocks nothing.
    let checker = Actor {
        name: "bob",
        underwriter: false,
        reviewer: true,
    };
    let case_hands = crate::approval_conditions::CaseHands {
        stage: crate::review::Stage::Approved,
        makers: &["alice"],
    };
    let met = [close(
        &letter,
        Closing::Meet,
        "letter scanned",
        checker,
        case_hands,
        AT,
    )
    .unwrap()];
    assert!(codes(&c, with(&met), 1).is_empty());
}

//! One boundary test per rule: at the limit passes, one unit past fails.

use std::str::FromStr;

use proptest::prelude::*;
use rust_decimal::Decimal;

use super::*;
use crate::case::tests::EXAMPLE;
use crate::case::{
    CaseFile, Document, DocumentKind, DocumentStatus, IncomeKind, InsurancePolicy, Party, Role,
};
use crate::product::tests::default_product;
use crate::rule::Rule;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn m(s: &str) -> Money {
    s.parse().unwrap()
}

fn money(d: Decimal) -> Money {
    Money::try_from_decimal(d).unwrap()
}

fn example() -> CaseFile {
    crate::parse_case(EXAMPLE).unwrap()
}

fn eval_with(f: impl FnOnce(&mut CaseFile)) -> Evaluation {
    let mut c = example();
    f(&mut c);
    evaluate(&c, &default_product(), &EvalOptions::default())
}

fn rules(e: &Evaluation) -> Vec<&str> {
    e.reasons.iter().map(|r| r.rule.id()).collect()
}

fn fails(e: &Evaluation, rule: &str) -> bool {
    rules(e).contains(&rule)
}

fn co_borrower(name: &str) -> Party {
    let mut p = example().parties[0].clone();
    p.role = Role::CoBorrower;
    p.full_name = name.into();
    p
}

#[test]
fn the_spec_example_is_approved_with_its_figures() {
    let e = eval_with(|_| {});
    assert_eq!(e.decision, Decision::Approve, "{:#?}", e.reasons);
    assert_eq!(e.metrics.rate.as_deref(), Some("23.00"));
    assert_eq!(e.metrics.average_monthly_income, "12700000.00");
    assert_eq!(e.metrics.ltv, "75.00");
    assert_eq!(e.metrics.down_payment_ratio, "25.00");
    assert_eq!(e.metrics.maturity_date.unwrap().to_string(), "2029-11-20");
    assert_eq!(e.schedule.as_ref().unwrap().len(), 36);
    assert!(e.counter_offer.is_none());
    // C-DOWN is open (proof pending), the policies cover the term, no lien yet.
    let st: Vec<_> = e
        .conditions
        .iter()
        .map(|c| (c.rule.id(), c.status))
        .collect();
    assert_eq!(
        st,
        [
            ("C-INS-VEH", ConditionStatus::Met),
            ("C-INS-NR", ConditionStatus::Met),
            ("C-DOWN", ConditionStatus::Open),
            ("C-LIEN", ConditionStatus::Open),
        ]
    );
}

/// One row of the rule table: the example case changed by `patch` fails exactly `expected`
/// — each failing rule with its code, in the engine's order — and so decides `decision`.
#[track_caller]
fn check(patch: impl FnOnce(&mut CaseFile), expected: &[(Rule, &str)], decision: Decision) {
    let e = eval_with(patch);
    let got: Vec<(Rule, &str)> = e
        .reasons
        .iter()
        .map(|r| (r.rule, r.code.as_str()))
        .collect();
    assert_eq!(got, expected, "{:#?}", e.reasons);
    assert_eq!(e.decision, decision);
}

/// Every rule at its limit and one unit past it, as the passport states them; searching a
/// rule's ID finds its row (the rule's variant is beside it).
#[test]
fn every_rule_at_its_limit_and_past_it() {
    use crate::case::SellerKind;
    use Decision::{Approve, Reject};
    let none: &[(Rule, &str)] = &[];
    check(|_| {}, none, Approve);
    // P-CIT
    check(
        |c| c.parties[0].citizenship = "KZ".into(),
        &[(Rule::Cit, "NOT_CITIZEN")],
        Reject,
    );
    // P-AGE-MIN: 18 on the application date (2026-11-20).
    check(
        |c| c.parties[0].birth_date = Date::ymd(2008, 11, 20).unwrap(),
        none,
        Approve,
    );
    check(
        |c| c.parties[0].birth_date = Date::ymd(2008, 11, 21).unwrap(),
        &[(Rule::AgeMin, "AGE_BELOW_MIN")],
        Reject,
    );
    // P-AGE-MAX: 70 at the last repayment (2029-11-20) passes, 71 fails.
    check(
        |c| c.parties[0].birth_date = Date::ymd(1958, 11, 21).unwrap(),
        none,
        Approve,
    );
    check(
        |c| c.parties[0].birth_date = Date::ymd(1958, 11, 20).unwrap(),
        &[(Rule::AgeMax, "AGE_AT_MATURITY")],
        Reject,
    );
    // P-OVERDUE, P-90DPD (2 episodes pass, 3 fail).
    check(
        |c| c.parties[0].credit_history.current_overdue = true,
        &[(Rule::Overdue, "CURRENT_OVERDUE")],
        Reject,
    );
    check(
        |c| c.parties[0].credit_history.delinquencies_90_plus = 2,
        none,
        Approve,
    );
    check(
        |c| c.parties[0].credit_history.delinquencies_90_plus = 3,
        &[(Rule::Dpd90, "DELINQUENCY_90_PLUS")],
        Reject,
    );
    // P-VEH-CAT, P-VEH-NEW (this year or the last), P-VEH-SELLER.
    check(|c| c.vehicle.category = "N1".into(), none, Approve);
    check(
        |c| c.vehicle.category = "N2".into(),
        &[(Rule::VehCat, "VEHICLE_CATEGORY")],
        Reject,
    );
    check(|c| c.vehicle.production_year = 2025, none, Approve);
    check(
        |c| c.vehicle.production_year = 2024,
        &[(Rule::VehNew, "VEHICLE_NOT_NEW")],
        Reject,
    );
    check(
        |c| c.vehicle.new = false,
        &[(Rule::VehNew, "VEHICLE_NOT_NEW")],
        Reject,
    );
    check(
        |c| c.vehicle.seller_kind = SellerKind::PrivatePerson,
        &[(Rule::VehSeller, "SELLER_NOT_ELIGIBLE")],
        Reject,
    );
    // P-VIN: 16 characters; a North American check digit that does not hold.
    check(
        |c| c.vehicle.vin = "XWBJA69V9LA12345".into(),
        &[(Rule::Vin, "VIN_INVALID")],
        Reject,
    );
    // P-TERM: 60 months pass, 61 fail (and no schedule: nothing that needs one is asked).
    check(|c| c.loan.term_months = 60, none, Approve);
    check(
        |c| c.loan.term_months = 61,
        &[(Rule::Term, "TERM_OUT_OF_RANGE")],
        Reject,
    );
    // P-DOWN: 25 % of 180,000,000.00.
    check(|c| c.loan.down_payment = m("45000000.00"), none, Approve);
    check(
        |c| c.loan.down_payment = m("44999999.99"),
        &[(Rule::Down, "DOWN_PAYMENT_LOW")],
        Reject,
    );
    // P-LTV: 75 % of the lower of price and appraisal.
    check(
        |c| c.vehicle.appraised_value = Some(m("180000000")),
        none,
        Approve,
    );
    check(
        |c| c.vehicle.appraised_value = Some(m("179999999.99")),
        &[(Rule::Ltv, "LTV_EXCEEDED")],
        Reject,
    );
    // P-GRACE: up to 3 months, differentiated only. Three months pass P-GRACE; the
    // principal then falls on 33 months, and the larger first payments fail P-DTI.
    check(
        |c| {
            c.loan.schedule = crate::case::ScheduleKind::Differentiated;
            c.loan.grace_months = 3;
        },
        &[(Rule::Dti, "DTI_EXCEEDED")],
        Reject,
    );
    check(
        |c| c.loan.grace_months = 1,
        &[(Rule::Grace, "GRACE_NOT_ALLOWED")],
        Reject,
    );
}

#[test]
fn p_cit() {
    assert!(!fails(&eval_with(|_| {}), "P-CIT"));
    let e = eval_with(|c| c.parties[0].citizenship = "KZ".into());
    assert!(fails(&e, "P-CIT"));
    assert_eq!(e.decision, Decision::Reject);
}

#[test]
fn p_age_min() {
    // 18 years old exactly on the application date passes; one day younger fails.
    assert!(!fails(
        &eval_with(|c| c.parties[0].birth_date = Date::ymd(2008, 11, 20).unwrap()),
        "P-AGE-MIN"
    ));
    let e = eval_with(|c| c.parties[0].birth_date = Date::ymd(2008, 11, 21).unwrap());
    assert!(fails(&e, "P-AGE-MIN"));
    let r = e.reasons.iter().find(|r| r.rule == "P-AGE-MIN").unwrap();
    assert_eq!(
        (r.value.as_deref(), r.limit.as_deref()),
        (Some("17"), Some("18"))
    );
}

#[test]
fn p_age_max() {
    // Maturity 2029-11-20. Born 1958-11-21: 70 at maturity, passes (70 included).
    let e = eval_with(|c| c.parties[0].birth_date = Date::ymd(1959, 11, 21).unwrap());
    assert!(!fails(&e, "P-AGE-MAX"));
    let e = eval_with(|c| c.parties[0].birth_date = Date::ymd(1958, 11, 21).unwrap());
    assert!(!fails(&e, "P-AGE-MAX"), "{:?}", e.reasons);
    // Born 1958-11-20: turns 71 on the maturity date, fails.
    let e = eval_with(|c| c.parties[0].birth_date = Date::ymd(1958, 11, 20).unwrap());
    assert!(fails(&e, "P-AGE-MAX"));
    assert!(
        e.counter_offer.is_some(),
        "P-AGE-MAX alone earns a counter-offer"
    );
    // The shorter terms mature before the 71st birthday.
    let offers = e.counter_offer.unwrap();
    assert!(offers.iter().any(|o| o.term_months == 6));
    assert!(offers.iter().all(|o| o.term_months < 36));
}

#[test]
fn p_co_max() {
    let e = eval_with(|c| (0..3).for_each(|i| c.parties.push(co_borrower(&format!("Co {i}")))));
    assert!(!fails(&e, "P-CO-MAX"));
    let e = eval_with(|c| (0..4).for_each(|i| c.parties.push(co_borrower(&format!("Co {i}")))));
    assert!(fails(&e, "P-CO-MAX"));
}

#[test]
fn p_job_and_p_inc_6m() {
    let e = eval_with(|c| c.parties[0].incomes.clear());
    assert!(fails(&e, "P-JOB"));
    assert_eq!(
        e.reasons.iter().find(|r| r.rule == "P-JOB").unwrap().code,
        "NO_INCOME_SOURCE"
    );

    // A gap in the only source: warning and failure; DTI fails on zero income with a null ratio.
    let e = eval_with(|c| {
        c.parties[0].incomes[0]
            .months
            .remove(&"2026-10".parse().unwrap());
    });
    assert!(fails(&e, "P-INC-6M"));
    assert!(e
        .warnings
        .iter()
        .any(|w| w.code == "INCOME_HISTORY_SHORT" && w.message.contains("2026-10")));
    assert!(fails(&e, "P-DTI"));
    assert_eq!(e.metrics.dti, None);
    assert_eq!(e.metrics.average_monthly_income, "0.00");

    // A month before the window does not fill the gap; an explicit zero does.
    let e = eval_with(|c| {
        let months = &mut c.parties[0].incomes[0].months;
        months.remove(&"2026-10".parse().unwrap());
        months.insert("2026-04".parse().unwrap(), m("12500000"));
    });
    assert!(fails(&e, "P-INC-6M"));
    let e = eval_with(|c| {
        c.parties[0].incomes[0]
            .months
            .insert("2026-10".parse().unwrap(), m("0"));
    });
    assert!(!fails(&e, "P-INC-6M"));
    assert_eq!(e.metrics.average_monthly_income, "10566666.67");

    // A second, complete source keeps the case going; the gap is only a warning.
    let e = eval_with(|c| {
        let mut pension = c.parties[0].incomes[0].clone();
        pension.kind = IncomeKind::Pension;
        c.parties[0].incomes[0]
            .months
            .remove(&"2026-10".parse().unwrap());
        c.parties[0].incomes.push(pension);
    });
    assert!(!fails(&e, "P-INC-6M"));
    assert_eq!(
        e.warnings
            .iter()
            .filter(|w| w.code == "INCOME_HISTORY_SHORT")
            .count(),
        1
    );
}

#[test]
fn p_inc_ie_acc_and_the_entrepreneur_weight() {
    let with_ie = |at_bank: bool| {
        eval_with(move |c| {
            let mut ie = c.parties[0].incomes[0].clone();
            ie.kind = IncomeKind::EntrepreneurReceipts;
            ie.at_this_bank = at_bank;
            for v in ie.months.values_mut() {
                *v = m("10000000");
            }
            c.parties[0].incomes.push(ie);
        })
    };
    let e = with_ie(true);
    // 12,700,000 + 20 % of 10,000,000.
    assert_eq!(e.metrics.average_monthly_income, "14700000.00");
    let e = with_ie(false);
    assert_eq!(e.metrics.average_monthly_income, "12700000.00");
    assert!(e
        .warnings
        .iter()
        .any(|w| w.code == "IE_ACCOUNT_NOT_AT_BANK"));
    assert!(!fails(&e, "P-INC-IE-ACC"), "a warning, not a failure");
}

#[test]
fn co_borrower_income_counts_in_the_household() {
    let e = eval_with(|c| c.parties.push(co_borrower("Karimova Dilnoza")));
    assert_eq!(e.metrics.average_monthly_income, "25400000.00");
    // A co-borrower's documents are required too.
    assert_eq!(e.decision, Decision::Refer);
    assert_eq!(
        e.reasons
            .iter()
            .filter(|r| r.code == "DOCUMENT_MISSING")
            .count(),
        2
    );
}

#[test]
fn p_overdue_and_p_90dpd() {
    assert!(fails(
        &eval_with(|c| c.parties[0].credit_history.current_overdue = true),
        "P-OVERDUE"
    ));
    assert!(!fails(
        &eval_with(|c| c.parties[0].credit_history.delinquencies_90_plus = 2),
        "P-90DPD"
    ));
    let e = eval_with(|c| c.parties[0].credit_history.delinquencies_90_plus = 3);
    assert!(fails(&e, "P-90DPD"));
    assert!(e.counter_offer.is_none(), "P-90DPD earns no counter-offer");
}

#[test]
fn p_dti_at_the_limit_passes_one_tiyin_past_fails() {
    let base = eval_with(|c| c.parties[0].credit_history.existing_monthly_payments = Money::ZERO);
    let max_payment = d(base.metrics.max_monthly_payment.as_deref().unwrap());
    let limit = d("6350000.00"); // 50 % of 12,700,000.00
    let at = eval_with(|c| {
        c.parties[0].credit_history.existing_monthly_payments = money(limit - max_payment)
    });
    assert!(!fails(&at, "P-DTI"), "{:?}", at.reasons);
    assert_eq!(at.metrics.dti.as_deref(), Some("50.00"));
    let past = eval_with(|c| {
        c.parties[0].credit_history.existing_monthly_payments =
            money(limit - max_payment + d("0.01"))
    });
    assert!(fails(&past, "P-DTI"));
    let r = past.reasons.iter().find(|r| r.rule == "P-DTI").unwrap();
    assert_eq!(r.code, "DTI_EXCEEDED");
    assert_eq!(r.limit.as_deref(), Some("50.00"));
    assert_eq!(past.decision, Decision::Reject);
    assert!(past.counter_offer.is_some());
}

#[test]
fn p_veh_cat_new_seller() {
    assert!(!fails(
        &eval_with(|c| c.vehicle.category = "N1".into()),
        "P-VEH-CAT"
    ));
    assert!(fails(
        &eval_with(|c| c.vehicle.category = "N2".into()),
        "P-VEH-CAT"
    ));
    assert!(!fails(
        &eval_with(|c| c.vehicle.production_year = 2025),
        "P-VEH-NEW"
    ));
    assert!(fails(
        &eval_with(|c| c.vehicle.production_year = 2024),
        "P-VEH-NEW"
    ));
    assert!(fails(
        &eval_with(|c| c.vehicle.production_year = 2027),
        "P-VEH-NEW"
    ));
    assert!(fails(&eval_with(|c| c.vehicle.new = false), "P-VEH-NEW"));
    assert!(!fails(
        &eval_with(|c| c.vehicle.seller_kind = crate::case::SellerKind::DealerInStock),
        "P-VEH-SELLER"
    ));
    assert!(fails(
        &eval_with(|c| c.vehicle.seller_kind = crate::case::SellerKind::PrivatePerson),
        "P-VEH-SELLER"
    ));
}

/// Another creditor's prohibition on the VIN rejects the case; the bank's own, a request,
/// a release do not; a configuration may turn the stop off.
#[test]
fn p_veh_lien() {
    use crate::case::LienStatus;
    for (status, fails_it) in [
        (LienStatus::Foreign, true),
        (LienStatus::None, false),
        (LienStatus::Requested, false),
        (LienStatus::Registered, false),
        (LienStatus::Released, false),
    ] {
        let e = eval_with(|c| {
            c.pledge.vin_lien = status;
            c.pledge.creditor = (status == LienStatus::Foreign).then(|| "Hamkorbank".into());
        });
        assert_eq!(fails(&e, "P-VEH-LIEN"), fails_it, "{status:?}");
        if fails_it {
            assert_eq!(e.decision, Decision::Reject);
            let r = e.reasons.iter().find(|r| r.rule == "P-VEH-LIEN").unwrap();
            assert_eq!((r.code.as_str(), r.section), ("VIN_PLEDGED", 4));
            assert_eq!(r.value.as_deref(), Some("Hamkorbank"));
            assert!(e.counter_offer.is_none(), "no term change frees the car");
        }
    }
    let mut p = default_product();
    p.vehicle.foreign_lien_is_stop_factor = false;
    let mut c = example();
    c.pledge.vin_lien = LienStatus::Foreign;
    let e = evaluate(&c, &p, &EvalOptions::default());
    assert!(!fails(&e, "P-VEH-LIEN"));
}

/// A checklist line's status is its latest version's; the same version listed twice counts
/// as rejected if any entry is.
#[test]
fn p_docs_follow_the_latest_version() {
    let contract = |status, version| {
        let mut d = Document::new(DocumentKind::PurchaseContract, 0, status);
        d.version = version;
        d
    };
    let with = |docs: Vec<Document>| {
        eval_with(|c| {
            c.documents
                .retain(|d| d.kind != DocumentKind::PurchaseContract);
            c.documents.extend(docs);
        })
    };
    use DocumentStatus::*;
    let e = with(vec![contract(Rejected, 1), contract(Verified, 2)]);
    assert_eq!(e.decision, Decision::Approve, "{:?}", rules(&e));
    let e = with(vec![contract(Rejected, 1), contract(Pending, 2)]);
    assert_eq!((e.decision, rules(&e)), (Decision::Refer, vec!["P-DOCS"]));
    let e = with(vec![contract(Verified, 1), contract(Rejected, 2)]);
    assert_eq!(rules(&e), ["P-DOCS-REJ"]);
    let e = with(vec![contract(Verified, 2), contract(Rejected, 2)]);
    assert_eq!(rules(&e), ["P-DOCS-REJ"]);
}

#[test]
fn p_vin() {
    assert!(fails(
        &eval_with(|c| c.vehicle.vin = "XWBJA69V9LA12345".into()),
        "P-VIN"
    ));
    assert!(fails(
        &eval_with(|c| c.vehicle.vin = "1M8GDM9A1KP042788".into()),
        "P-VIN"
    ));
    assert!(!fails(
        &eval_with(|c| c.vehicle.vin = "1M8GDM9AXKP042788".into()),
        "P-VIN"
    ));
    // A wrong check digit on an Uzbek VIN is a warning only.
    let e = eval_with(|c| c.vehicle.vin = "XWBJA69V1LA123456".into());
    let e2 = eval_with(|c| c.vehicle.vin = "XWBJA69V2LA123456".into());
    assert!(!fails(&e, "P-VIN") && !fails(&e2, "P-VIN"));
    assert!(e
        .warnings
        .iter()
        .chain(&e2.warnings)
        .any(|w| w.code == "VIN_CHECK_DIGIT"));
}

#[test]
fn p_term_without_schedule_skips_the_rules_that_need_one() {
    assert!(!fails(&eval_with(|c| c.loan.term_months = 60), "P-TERM"));
    let e = eval_with(|c| {
        c.loan.term_months = 61;
        c.parties[0].birth_date = Date::ymd(1950, 1, 1).unwrap();
        c.parties[0].credit_history.existing_monthly_payments = m("99000000");
    });
    assert_eq!(rules(&e), ["P-TERM"]);
    assert!(e.schedule.is_none());
    assert_eq!(e.metrics.rate, None);
    assert_eq!(e.metrics.dti, None);
    assert_eq!(e.metrics.max_monthly_payment, None);
    assert_eq!(e.metrics.maturity_date, None);
    assert!(e.counter_offer.is_none());
}

#[test]
fn p_max() {
    let big = |amount: &str| {
        eval_with(move |c| {
            c.vehicle.contract_price = m("1200000000");
            c.loan.down_payment = m("300000000");
            c.loan.amount = m(amount);
            for v in c.parties[0].incomes[0].months.values_mut() {
                *v = m("200000000");
            }
        })
    };
    assert!(!fails(&big("800000000.00"), "P-MAX"));
    let e = big("800000000.01");
    assert!(fails(&e, "P-MAX"));
    let offers = e.counter_offer.unwrap();
    // Longer terms reach the maximum; six months is held back by the debt burden.
    assert!(
        offers
            .iter()
            .filter(|o| o.term_months >= 12)
            .all(|o| o.amount == m("800000000")),
        "{offers:?}"
    );
    assert!(offers[0].term_months == 6 && offers[0].amount.decimal() < d("800000000"));
}

#[test]
fn p_down() {
    assert!(!fails(
        &eval_with(|c| c.loan.down_payment = m("45000000.00")),
        "P-DOWN"
    ));
    let e = eval_with(|c| c.loan.down_payment = m("44999999.99"));
    assert!(fails(&e, "P-DOWN"));
    assert!(e.counter_offer.is_none(), "P-DOWN earns no counter-offer");
}

#[test]
fn p_ltv_uses_the_lower_of_price_and_appraisal() {
    let e = eval_with(|c| c.vehicle.appraised_value = Some(m("180000000")));
    assert!(!fails(&e, "P-LTV"));
    let e = eval_with(|c| c.vehicle.appraised_value = Some(m("179999999.99")));
    assert!(fails(&e, "P-LTV"));
    assert_eq!(e.metrics.ltv, "75.00");
    // A higher appraisal does not raise the value above the price.
    let e = eval_with(|c| {
        c.vehicle.appraised_value = Some(m("300000000"));
        c.loan.down_payment = m("44000000");
        c.loan.amount = m("135000000.01");
    });
    assert!(fails(&e, "P-LTV"));
}

#[test]
fn p_sum() {
    let e = eval_with(|c| {
        c.loan.down_payment = m("60000000");
        c.loan.amount = m("120000000");
    });
    assert!(!fails(&e, "P-SUM"));
    let e = eval_with(|c| {
        c.loan.down_payment = m("60000000");
        c.loan.amount = m("120000000.01");
    });
    assert!(fails(&e, "P-SUM"));
}

#[test]
fn p_grace() {
    use crate::case::ScheduleKind::*;
    let g = |kind, months| {
        eval_with(move |c| {
            c.loan.schedule = kind;
            c.loan.grace_months = months;
        })
    };
    assert!(!fails(&g(Differentiated, 3), "P-GRACE"));
    let e = g(Differentiated, 4);
    assert!(fails(&e, "P-GRACE"));
    assert!(e.schedule.is_none());
    assert!(fails(&g(Annuity, 1), "P-GRACE"));
    let e = eval_with(|c| {
        c.loan.schedule = Differentiated;
        c.loan.term_months = 3;
        c.loan.grace_months = 3;
    });
    assert!(fails(&e, "P-GRACE"));
}

/// A verified identity paper the state register reports expired or revoked is rejected
/// (P-DOCS-REJ); valid or not found, the verdict stands.
#[test]
fn a_verified_identity_the_register_reports_revoked_is_rejected() {
    use crate::case::{RegisterStatus, StateCheck};
    let with = |status: RegisterStatus| {
        eval_with(|c| {
            if let Some(id) = c.parties[0].identity.as_mut() {
                id.state_check = Some(StateCheck {
                    status,
                    registered_name: Some("KARIMOV AZIZ RUSTAMOVICH".into()),
                    name_matches: true,
                    at: "2026-11-20T09:00:00Z".into(),
                });
            }
        })
    };
    for (status, said) in [
        (RegisterStatus::Expired, "expired"),
        (RegisterStatus::Revoked, "revoked"),
    ] {
        let e = with(status);
        assert_eq!(e.decision, Decision::Reject);
        assert_eq!(rules(&e), ["P-DOCS-REJ"]);
        assert_eq!(e.reasons[0].value.as_deref(), Some(said));
        assert!(
            e.reasons[0].message.contains("state register"),
            "{}",
            e.reasons[0].message
        );
    }
    for status in [RegisterStatus::Valid, RegisterStatus::NotFound] {
        assert_eq!(with(status).decision, Decision::Approve);
    }
}

#[test]
fn p_docs_refer_and_p_docs_rej_reject() {
    let set = |c: &mut CaseFile, kind: DocumentKind, status: DocumentStatus| {
        c.documents
            .iter_mut()
            .filter(|d| d.kind == kind)
            .for_each(|d| d.status = status);
    };
    let e = eval_with(|c| set(c, DocumentKind::Income, DocumentStatus::Pending));
    assert_eq!(e.decision, Decision::Refer);
    assert_eq!(rules(&e), ["P-DOCS"]);
    let e = eval_with(|c| {
        c.documents
            .retain(|d| d.kind != DocumentKind::PurchaseContract)
    });
    assert_eq!(e.decision, Decision::Refer);
    assert_eq!(e.reasons[0].value.as_deref(), Some("absent"));
    let e = eval_with(|c| set(c, DocumentKind::Identity, DocumentStatus::Rejected));
    assert_eq!(e.decision, Decision::Reject);
    assert_eq!(e.reasons[0].code, "DOCUMENT_REJECTED");
    assert!(e.counter_offer.is_none());
    // A rejected paper stays rejected even when a verified one is added.
    let e = eval_with(|c| {
        set(c, DocumentKind::Identity, DocumentStatus::Rejected);
        c.documents.push(Document::new(
            DocumentKind::Identity,
            0,
            DocumentStatus::Verified,
        ));
    });
    assert_eq!(e.decision, Decision::Reject);
    // P-CUSTOMS makes the IM-40 declaration required.
    let e = eval_with(|c| c.vehicle.customs_vat_applies = true);
    assert_eq!(e.decision, Decision::Refer);
    assert!(e.reasons[0].message.contains("customs_declaration"));
    let e = eval_with(|c| {
        c.vehicle.customs_vat_applies = true;
        c.documents.push(Document::new(
            DocumentKind::CustomsDeclaration,
            0,
            DocumentStatus::Verified,
        ));
    });
    assert_eq!(e.decision, Decision::Approve);
}

#[test]
fn document_missing_is_listed_even_when_rejected() {
    let e = eval_with(|c| {
        c.documents.clear();
        c.parties[0].credit_history.existing_monthly_payments = m("6000000");
    });
    assert_eq!(e.decision, Decision::Reject);
    assert!(fails(&e, "P-DTI"));
    assert!(e.reasons.iter().any(|r| r.code == "DOCUMENT_MISSING"));
    assert!(
        e.counter_offer.is_some(),
        "P-DOCS does not stand in the way of a counter-offer"
    );
}

#[test]
fn conditions_follow_policies_proof_and_lien() {
    let e = eval_with(|c| {
        c.insurance[0].to = Date::ymd(2029, 11, 19).unwrap();
        c.insurance
            .retain(|p| p.kind != InsuranceKind::NonRepayment);
        c.documents.iter_mut().for_each(|d| {
            if d.kind == DocumentKind::DownPaymentProof {
                d.status = DocumentStatus::Verified
            }
        });
        c.pledge.vin_lien = LienStatus::Foreign;
    });
    let st: Vec<_> = e.conditions.iter().map(|c| c.status).collect();
    use ConditionStatus::*;
    assert_eq!(st, [Failed, Open, Met, Failed]);
    // The conditions do not change the decision; the foreign prohibition does, as its own
    // rule (P-VEH-LIEN), and nothing else fails.
    assert_eq!(e.decision, Decision::Reject);
    assert_eq!(rules(&e), ["P-VEH-LIEN"], "conditions are no reasons");
    let e = eval_with(|c| {
        c.insurance.push(InsurancePolicy {
            kind: InsuranceKind::Vehicle,
            policy: "SHORT".into(),
            from: Date::ymd(2026, 11, 21).unwrap(),
            to: Date::ymd(2030, 1, 1).unwrap(),
        });
        c.pledge.vin_lien = LienStatus::Registered;
    });
    assert_eq!(e.conditions[0].status, Met, "one covering policy is enough");
    assert_eq!(e.conditions[3].status, Met);
}

#[test]
fn the_product_stop_rejects() {
    let c = example();
    let opts = EvalOptions {
        product_suspended: Some("branch BXM-07".into()),
        ..Default::default()
    };
    let e = evaluate(&c, &default_product(), &opts);
    assert_eq!(e.decision, Decision::Reject);
    assert_eq!(e.reasons[0].code, "PRODUCT_SUSPENDED");
    assert_eq!(e.reasons[0].section, 9);
}

#[test]
fn evaluation_json_has_the_spec_shape() {
    let e = eval_with(|c| c.parties[0].credit_history.existing_monthly_payments = m("6000000"));
    let v = serde_json::to_value(&e).unwrap();
    for k in [
        "decision",
        "reasons",
        "warnings",
        "conditions",
        "metrics",
        "schedule",
        "counter_offer",
    ] {
        assert!(v.get(k).is_some(), "{k}");
    }
    assert_eq!(v["decision"], "reject");
    let r = &v["reasons"][0];
    assert_eq!(r["rule"], "P-DTI");
    assert!(r["value"].as_str().unwrap().contains('.'));
    let row = &v["schedule"][0];
    for k in ["n", "date", "payment", "principal", "interest", "balance"] {
        assert!(row.get(k).is_some(), "{k}");
    }
    assert_eq!(row["date"], "2026-12-20");
    let o = &v["counter_offer"][0];
    assert!(o["amount"].as_str().unwrap().ends_with(".00"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(160))]

    /// Every counter-offer amount passes every rule of §1–5, and one step more fails (or
    /// exceeds the amount asked for).
    #[test]
    fn counter_offers_are_the_largest_passing_amounts(
        amount_k in 100u64..3000,
        income_k in 30u64..400,
        existing_k in 0u64..80,
        price_extra_k in 0u64..2000,
        differentiated in any::<bool>(),
        birth_year in 1956i32..1990,
    ) {
        let product = default_product();
        let mut c = example();
        let amount = Decimal::from(amount_k) * d("100000") + d("12345.67");
        c.loan.amount = money(amount);
        c.vehicle.contract_price = money(amount + Decimal::from(price_extra_k) * d("100000"));
        c.loan.down_payment = money((c.vehicle.contract_price.decimal() * d("0.25")).round_dp(2));
        if differentiated {
            c.loan.schedule = crate::case::ScheduleKind::Differentiated;
            c.loan.grace_months = 2;
        }
        c.parties[0].birth_date = Date::ymd(birth_year, 6, 15).unwrap();
        for v in c.parties[0].incomes[0].months.values_mut() {
            *v = money(Decimal::from(income_k) * d("100000"));
        }
        c.parties[0].credit_history.existing_monthly_payments = money(Decimal::from(existing_k) * d("100000"));
        let opts = EvalOptions::default();
        let e = evaluate(&c, &product, &opts);
        let step = product.counter_offer.amount_step.decimal();
        if let Some(offers) = e.counter_offer {
            for o in offers {
                let mut t = c.clone();
                t.loan.term_months = o.term_months;
                t.loan.amount = o.amount;
                let at = evaluate(&t, &product, &opts);
                prop_assert!(at.reasons.iter().all(|r| r.section > 5), "{:?}", at.reasons);
                prop_assert_eq!(at.metrics.max_monthly_payment.clone(), Some(o.max_monthly_payment.to_string()));
                let next = o.amount.decimal() + step;
                if next <= amount {
                    t.loan.amount = money(next);
                    let above = evaluate(&t, &product, &opts);
                    prop_assert!(above.reasons.iter().any(|r| r.section <= 5));
                }
            }
        }
    }
}

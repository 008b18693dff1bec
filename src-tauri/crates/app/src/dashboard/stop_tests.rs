//! The dashboard and the product stop through the service, against the bank simulator as
//! a real HTTP server on 127.0.0.1 with the demo loan book.

use std::path::{Path, PathBuf};

use uw_bank_link::api::BranchBook;
use uw_bank_link::BankConfig;
use uw_bank_sim::SimConfig;

use crate::{ErrorCode, Workstation};

const TOKEN: &str = "test-token";

fn demo(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../assets/demo")
        .join(name)
}

fn sim(dir: &Path) -> uw_bank_sim::Running {
    let mut c = SimConfig::new(&dir.join("bank.db"));
    c.token = TOKEN.into();
    c.seed_cases = Some(demo("cases"));
    c.loan_book = Some(demo("loan-book.json"));
    uw_bank_sim::start(c).expect("the simulator starts")
}

fn open(dir: &Path, url: &str) -> Workstation {
    crate::tests::open_with_bank(dir, BankConfig::new(url, TOKEN))
}

/// The simulator with the demo queue and loan book, and a workstation that synced with it.
fn synced(dir: &Path) -> (uw_bank_sim::Running, Workstation) {
    let bank = sim(dir);
    let ws = open(&dir.join("ws"), &bank.url());
    ws.sync().expect("the first sync");
    (bank, ws)
}

/// BXM-07's book with NPL at 3.1 % (over the 3 % limit), everything else within — and
/// the bank's whole book still within (at 3.2 % BXM-07, a large branch, takes the bank's
/// NPL over 3 % too).
fn bxm_over_npl() -> BranchBook {
    BranchBook {
        portfolio: "184250000000".into(),
        past_due_30: "9120000000".into(),
        npl: "5711750000".into(),
        credit_losses_12m: "3870000000".into(),
        as_of: "2026-11-20".into(),
    }
}

#[test]
fn the_dashboard_shows_each_branch_against_the_stop_limits() {
    let dir = tempfile::tempdir().unwrap();
    let bank = sim(dir.path());
    let ws = open(&dir.path().join("ws"), &bank.url());
    // Before any answer from the bank: no figures, no stop.
    assert!(ws.dashboard().unwrap().portfolio.is_none());
    ws.sync().unwrap();
    let d = ws.dashboard().unwrap();
    assert_eq!(d.cases, 17);
    let pipeline: i64 = d.pipeline.iter().map(|c| c.n).sum();
    assert_eq!(pipeline, 17);
    let by = |key: &str| d.decisions.iter().find(|c| c.key == key).map(|c| c.n);
    assert_eq!(
        (by("approve"), by("refer"), by("reject")),
        (Some(5), Some(2), Some(10))
    );
    let rule = |key: &str| {
        d.rejections_by_rule
            .iter()
            .find(|c| c.key == key)
            .map(|c| c.n)
    };
    assert_eq!(rule("P-DTI"), Some(2));
    assert_eq!(rule("P-DOCS"), None, "P-DOCS refers, it never rejects");
    assert_eq!(d.counter_offers_issued, 3);
    assert_eq!(d.counter_offers_taken, 0);
    assert_eq!(d.planned_cost_of_risk.as_deref(), Some("0.022"));
    let p = d.portfolio.expect("figures after a sync");
    assert!(!p.bank.suspended);
    let names: Vec<_> = p.branches.iter().map(|b| b.branch.as_str()).collect();
    assert_eq!(names, ["BXM-07", "BXO-02", "BXO-11", "BXS-04"]);
    let bxs = p.branches[3].health.as_ref().unwrap();
    assert!(bxs.suspended, "{bxs:?}");
    assert!(bxs.figures.iter().all(|f| f.breached), "{bxs:?}");
    let bxm = p.branches[0].health.as_ref().unwrap();
    assert!(!bxm.suspended);
    assert_eq!(bxm.figures[1].share.as_deref(), Some("0.0180"));
}

#[test]
fn a_suspended_branch_refuses_new_approvals_and_lifts_with_its_figures() {
    let dir = tempfile::tempdir().unwrap();
    let (bank, ws) = synced(dir.path());
    ws.login("alice", "alice-demo-2026", None).unwrap();
    // An approved case in BXM-07 before the stop: its loan goes on.
    crate::tests::submit_and_approve(&ws, "AUTO-2026-000123", "salary at this bank");
    ws.logout().unwrap();
    ws.login("alice", "alice-demo-2026", None).unwrap();
    let v = ws.open_case("AUTO-2026-000124").unwrap();
    ws.submit(
        "AUTO-2026-000124",
        v.version,
        uw_domain::case::ReviewDecision::Approve,
        "salary",
    )
    .unwrap();

    bank.set_book("BXM-07", &bxm_over_npl()).unwrap();
    ws.sync().unwrap();
    // The open case fails P-STOP, in the case view and in the queue's engine column.
    let v = ws.open_case("AUTO-2026-000124").unwrap();
    let stop = v
        .evaluation
        .reasons
        .iter()
        .find(|r| r.rule == "P-STOP")
        .expect("P-STOP");
    assert_eq!(stop.code, "PRODUCT_SUSPENDED");
    assert!(
        stop.message.contains("branch BXM-07 (NPL 3.1 % > 3 %)"),
        "{}",
        stop.message
    );
    assert_eq!(row_of(&ws, "AUTO-2026-000124").as_deref(), Some("reject"));
    // Another branch is untouched; the approved case keeps its decision.
    assert!(ws
        .open_case("AUTO-2026-000125")
        .unwrap()
        .evaluation
        .reasons
        .is_empty());
    let approved = ws.open_case("AUTO-2026-000123").unwrap();
    assert!(approved
        .evaluation
        .reasons
        .iter()
        .all(|r| r.rule != "P-STOP"));
    assert_eq!(row_of(&ws, "AUTO-2026-000123").as_deref(), Some("approve"));

    ws.logout().unwrap();
    ws.login("bob", "bob-demo-2026", None).unwrap();
    let v = ws.open_case("AUTO-2026-000124").unwrap();
    let e = ws
        .approve("AUTO-2026-000124", v.version, "bob-demo-2026")
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::ProductSuspended, "{e:?}");
    assert!(e.message.contains("branch BXM-07"), "{e:?}");
    assert_eq!(
        ws.open_case("AUTO-2026-000124").unwrap().status,
        "submitted"
    );

    // Offline the last figures hold: a restart without the bank still refuses.
    drop(ws);
    let offline = open(&dir.path().join("ws"), "http://127.0.0.1:9/");
    offline.login("bob", "bob-demo-2026", None).unwrap();
    let e = offline
        .approve("AUTO-2026-000124", v.version, "bob-demo-2026")
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::ProductSuspended);
    drop(offline);

    // Back within the limits: the next sync lifts the stop and the approval goes through.
    let mut book = bxm_over_npl();
    book.npl = "3310000000".into();
    bank.set_book("BXM-07", &book).unwrap();
    let ws = open(&dir.path().join("ws"), &bank.url());
    ws.sync().unwrap();
    assert_eq!(row_of(&ws, "AUTO-2026-000124").as_deref(), Some("approve"));
    ws.login("bob", "bob-demo-2026", None).unwrap();
    let v = ws
        .approve("AUTO-2026-000124", v.version, "bob-demo-2026")
        .unwrap();
    assert_eq!(v.status, "approved");
    let d = ws.dashboard().unwrap();
    let times = d.time_to_decision.expect("two sign-offs");
    assert_eq!(times.signed, 2);
    assert!(times.median_seconds <= times.p90_seconds);
}

/// The queue's engine column for a case.
fn row_of(ws: &Workstation, id: &str) -> Option<String> {
    ws.queue(&crate::QueueQuery {
        search: Some(id.into()),
        ..Default::default()
    })
    .unwrap()
    .rows
    .remove(0)
    .decision
}

#[test]
fn a_counter_offer_taken_is_counted_and_a_stale_one_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (_bank, ws) = synced(dir.path());
    ws.login("alice", "alice-demo-2026", None).unwrap();
    let id = "AUTO-2026-000128";
    let v = ws.open_case(id).unwrap();
    let offer = v.evaluation.counter_offer.clone().unwrap()[2].clone();
    let e = ws.take_counter_offer(id, v.version, 7).unwrap_err();
    assert_eq!(e.code, ErrorCode::NoSuchOffer);
    assert!(e.message.contains("7 months"), "{e:?}");
    let after = ws
        .take_counter_offer(id, v.version, offer.term_months)
        .unwrap();
    assert_eq!(after.case.loan.amount, offer.amount);
    assert_eq!(after.case.loan.term_months, offer.term_months);
    assert_eq!(
        after.evaluation.decision,
        uw_domain::decision::Decision::Approve
    );
    let history = ws.history(id).unwrap();
    assert!(history.iter().any(|e| e.kind == "counter_offer_taken"));
    // The same offer again: the case has none now.
    let e = ws
        .take_counter_offer(id, after.version, offer.term_months)
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::NoSuchOffer);
    let d = ws.dashboard().unwrap();
    assert_eq!((d.counter_offers_issued, d.counter_offers_taken), (3, 1));
}

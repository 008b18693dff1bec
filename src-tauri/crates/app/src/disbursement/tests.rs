//! The lien and the two stages through the service, against the bank simulator as a real
//! HTTP server on 127.0.0.1 (its own SQLite file).

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use uw_bank_link::api::PledgeState;
use uw_bank_link::BankConfig;
use uw_bank_sim::{Faults, SimConfig};
use uw_domain::case::{DocumentStatus, Funds, InsuranceKind, InsurancePolicy, ReviewDecision};

use super::*;

const CASE: &str = "AUTO-2026-000123";
const VIN: &str = "XWBJA69V9LA123456";
/// The VIN of another demo case (valid, no prohibition).
const OTHER_VIN: &str = "XWBF43ES5TD186091";
const TOKEN: &str = "test-token";

fn sim_config(dir: &Path) -> SimConfig {
    let mut c = SimConfig::new(&dir.join("bank.db"));
    c.token = TOKEN.into();
    c.seed_cases =
        Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../assets/demo/cases"));
    c.pledge_delay = Duration::from_millis(300);
    c
}

fn open(dir: &Path, bank: BankConfig) -> Workstation {
    crate::tests::open_with_bank(dir, bank)
}

fn money(s: &str) -> Money {
    Money::from_str(s).unwrap()
}

/// The demo queue pulled from the bank, the demo case submitted by alice and approved by
/// bob; alice (underwriter) is logged in afterwards.
fn approved_case(ws: &Workstation) {
    approved_case_sold_by(ws, SellerKind::OfficialDealer);
}

fn approved_case_sold_by(ws: &Workstation, seller: SellerKind) {
    ws.sync().unwrap();
    ws.login("alice", "alice-demo-2026", None).unwrap();
    if seller != SellerKind::OfficialDealer {
        let v = ws.open_case(CASE).unwrap();
        let mut case = v.case;
        case.vehicle.seller_kind = seller;
        ws.save_case(CASE, v.version, serde_json::to_value(&case).unwrap())
            .unwrap();
    }
    // Before the sign-off nothing moves.
    assert_eq!(
        ws.request_lien(CASE).unwrap_err().code,
        ErrorCode::WrongStage
    );
    let e = ws.order_disbursement(CASE, 1, 1).unwrap_err();
    assert_eq!(e.code, ErrorCode::DisbursementBlocked);
    assert!(e.message.contains("NOT_REVIEWED"), "{e:?}");
    let v = crate::tests::submit_and_approve(ws, CASE, "salary at this bank, DTI well below 50 %");
    assert_eq!(v.status, "approved");
    ws.logout().unwrap();
    ws.login("alice", "alice-demo-2026", None).unwrap();
}

/// What stage 1 needs on today's date: both policies from today, the down payment proven,
/// the contract's advance.
pub(crate) fn stage_one_facts(ws: &Workstation) -> DisbursementView {
    let mut view = ws.disbursement(CASE).unwrap();
    let today = view.today;
    let far = Date::ymd(2031, 12, 31).unwrap();
    for (kind, number) in [
        (InsuranceKind::Vehicle, "KASKO-9001"),
        (InsuranceKind::NonRepayment, "NR-9001"),
    ] {
        let policy = InsurancePolicy {
            kind,
            policy: number.into(),
            from: today,
            to: far,
        };
        view = ws
            .record_disbursement_fact(CASE, view.version, Fact::Policy { policy })
            .unwrap();
    }
    let proof = Fact::DownPaymentProof {
        status: DocumentStatus::Verified,
        reference: Some("K3-0012345".into()),
        date: Some(today),
    };
    view = ws
        .record_disbursement_fact(CASE, view.version, proof)
        .unwrap();
    if view.seller_kind == SellerKind::DealerInStock {
        return view;
    }
    ws.record_disbursement_fact(
        CASE,
        view.version,
        Fact::Advance {
            amount: money("60000000.00"),
        },
    )
    .unwrap()
}

fn blocker_codes(view: &DisbursementView, stage: usize) -> Vec<String> {
    view.stages[stage - 1]
        .blockers
        .iter()
        .map(|b| b.code.clone())
        .collect()
}

fn pledge_entries(ws: &Workstation) -> Vec<uw_store::OutboxRecord> {
    ws.outbox_entries()
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == PLEDGE_REQUEST)
        .collect()
}

/// Waits for the registry's delay, syncing, until the lien is registered.
fn until_registered(ws: &Workstation) -> DisbursementView {
    for _ in 0..50 {
        ws.sync().unwrap();
        let v = ws.disbursement(CASE).unwrap();
        if v.lien.vin_lien == LienStatus::Registered {
            return v;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("the registry never registered the prohibition");
}

fn refused(ws: &Workstation, version: i64, stage: u8) -> String {
    let e = ws.order_disbursement(CASE, version, stage).unwrap_err();
    assert_eq!(e.code, ErrorCode::DisbursementBlocked, "{e:?}");
    assert_eq!(
        ws.disbursement(CASE).unwrap().version,
        version,
        "nothing written"
    );
    e.message
}

/// Sets the registry's state of the VIN and lets a sync pass hear it.
fn registry_says(
    ws: &Workstation,
    bank: &uw_bank_sim::Running,
    state: PledgeState,
) -> DisbursementView {
    bank.set_pledge(VIN, state, None).unwrap();
    ws.sync().unwrap();
    ws.disbursement(CASE).unwrap()
}

/// The service refuses loan money without the bank's registered prohibition, whatever
/// calls it: the stages of an official dealer's case, called directly.
#[test]
fn no_loan_money_moves_without_a_registered_lien() {
    let dir = tempfile::tempdir().unwrap();
    let bank = uw_bank_sim::start(sim_config(dir.path())).unwrap();
    let ws = open(&dir.path().join("ws"), BankConfig::new(&bank.url(), TOKEN));
    approved_case(&ws);
    let view = stage_one_facts(&ws);
    assert!(view
        .conditions
        .iter()
        .all(|c| c.code == "VIN_LIEN" || c.status.as_str() == "met"));
    assert_eq!(view.stages[0].amount, Some(money("60000000.00")));
    // The passport: the dealer's advance is loan money, and waits for the prohibition.
    assert_eq!(blocker_codes(&view, 1), ["VIN_LIEN"]);
    assert!(refused(&ws, view.version, 1).contains("VIN_LIEN"));
    let m = refused(&ws, view.version, 2);
    for code in ["STAGE_1_FIRST", "DELIVERY_NOTICE_MISSING", "VIN_LIEN"] {
        assert!(m.contains(code), "{code}: {m}");
    }
    let view = ws.request_lien(CASE).unwrap();
    assert_eq!(view.lien.vin_lien, LienStatus::Requested);
    assert!(view.request_waiting);
    // Requested is not registered.
    assert!(refused(&ws, view.version, 1).contains("VIN_LIEN"));
    let view = until_registered(&ws);
    let view = ws.order_disbursement(CASE, view.version, 1).unwrap();
    assert!(view.stages[0].order.is_some());
    let view = ws
        .record_disbursement_fact(
            CASE,
            view.version,
            Fact::DeliveryNotice {
                reference: "DN-2026-118".into(),
                date: view.today,
            },
        )
        .unwrap();
    assert_eq!(blocker_codes(&view, 2), Vec::<String>::new());
    // The registry releases the prohibition: stage 2 is refused by the service itself.
    let view = registry_says(&ws, &bank, PledgeState::Released);
    assert_eq!(view.lien.vin_lien, LienStatus::Released);
    assert_eq!(blocker_codes(&view, 2), ["VIN_LIEN"]);
    assert!(refused(&ws, view.version, 2).contains("it is released"));
    let view = registry_says(&ws, &bank, PledgeState::Registered);
    assert_eq!(view.stages[1].amount, Some(money("75000000.00")));
    let view = ws.order_disbursement(CASE, view.version, 2).unwrap();
    assert_eq!(
        view.stages[1].order.as_ref().unwrap().amount,
        money("75000000.00")
    );
    assert!(refused(&ws, view.version, 2).contains("ALREADY_ORDERED"));
    let timeline: Vec<_> = view
        .lien
        .history
        .iter()
        .map(|e| (e.status, e.by.as_str()))
        .collect();
    assert_eq!(
        timeline,
        [
            (LienStatus::Requested, "alice"),
            (LienStatus::Registered, REGISTRY),
            (LienStatus::Released, REGISTRY),
            (LienStatus::Registered, REGISTRY),
        ]
    );

    // Each order reaches the bank once, however often the sync runs.
    ws.sync().unwrap();
    ws.sync().unwrap();
    let digest = bank.digest();
    assert_eq!(digest.orders.get("1"), Some(&1), "{digest:?}");
    assert_eq!(digest.orders.get("2"), Some(&1), "{digest:?}");
    assert_eq!(digest.pledge_requests, 1);
    // The lien, the conditions' evidence and the orders are in the case file: exported
    // and synced (the bank holds the same content).
    let exported = ws.export_case(CASE).unwrap();
    for part in [
        "\"history\"",
        "\"orders\"",
        "K3-0012345",
        "DN-2026-118",
        "\"registered\"",
    ] {
        assert!(exported.contains(part), "{part}");
    }
    assert_eq!(
        digest.cases.get(CASE),
        ws.content_hashes().unwrap().get(CASE)
    );
    let history = ws.history(CASE).unwrap();
    let kinds: Vec<_> = history.iter().map(|e| e.kind.as_str()).collect();
    for kind in [
        "lien_requested",
        "lien_status",
        "disbursement_fact",
        "disbursement_order",
    ] {
        assert!(kinds.contains(&kind), "{kind}: {kinds:?}");
    }
}

/// A seller with the car in stock: the client's down payment goes first, without the
/// prohibition; the whole loan waits for it.
#[test]
fn a_seller_with_the_car_in_stock_gets_the_down_payment_then_the_loan_after_the_lien() {
    let dir = tempfile::tempdir().unwrap();
    let bank = uw_bank_sim::start(sim_config(dir.path())).unwrap();
    let ws = open(&dir.path().join("ws"), BankConfig::new(&bank.url(), TOKEN));
    approved_case_sold_by(&ws, SellerKind::DealerInStock);
    let view = stage_one_facts(&ws);
    assert_eq!(view.seller_kind, SellerKind::DealerInStock);
    assert_eq!(blocker_codes(&view, 1), Vec::<String>::new());
    let view = ws.order_disbursement(CASE, view.version, 1).unwrap();
    let first = view.stages[0].order.clone().unwrap();
    assert_eq!(
        (first.amount, first.funds),
        (money("45000000.00"), Funds::DownPayment)
    );
    // No delivery notice is asked of this seller; the prohibition is.
    assert_eq!(blocker_codes(&view, 2), ["VIN_LIEN"]);
    assert!(refused(&ws, view.version, 2).contains("VIN_LIEN"));
    ws.request_lien(CASE).unwrap();
    let view = until_registered(&ws);
    let view = ws.order_disbursement(CASE, view.version, 2).unwrap();
    assert_eq!(
        view.stages[1].order.as_ref().unwrap().amount,
        money("135000000.00")
    );
    ws.sync().unwrap();
    let digest = bank.digest();
    assert_eq!(
        (digest.orders.get("1"), digest.orders.get("2")),
        (Some(&1), Some(&1))
    );

    // The lien watch: paid out, the prohibition registered, no alert; the registry is
    // asked once a day, so a release later today waits for tomorrow's pass — made due
    // here by moving the last check back a day.
    assert!(ws.dashboard().unwrap().lien_alerts.is_empty());
    let checked = ws.store().unwrap().lien_checked_at(CASE).unwrap();
    assert!(checked.is_some(), "the paid-out case was watched");
    bank.set_pledge(VIN, PledgeState::Released, None).unwrap();
    ws.sync().unwrap();
    assert_eq!(ws.store().unwrap().lien_checked_at(CASE).unwrap(), checked);
    assert!(ws.dashboard().unwrap().lien_alerts.is_empty());
    ws.store()
        .unwrap()
        .record_lien_watch(CASE, "2026-01-01T00:00:00Z", "registered", None, true)
        .unwrap();
    ws.sync().unwrap();
    let alerts = ws.dashboard().unwrap().lien_alerts;
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(
        (alerts[0].case_id.as_str(), alerts[0].status.as_str()),
        (CASE, "released")
    );
    assert_eq!(
        ws.disbursement(CASE).unwrap().lien.vin_lien,
        LienStatus::Released,
        "the case follows the registry"
    );
}

#[test]
fn the_lien_watch_is_due_once_a_day() {
    let now = chrono::DateTime::parse_from_rfc3339("2026-12-03T09:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    assert!(lien_watch_due(None, now));
    assert!(lien_watch_due(Some("not a time"), now));
    assert!(lien_watch_due(Some("2026-12-02T09:00:00Z"), now));
    assert!(!lien_watch_due(Some("2026-12-02T09:00:01Z"), now));
    assert!(!lien_watch_due(Some("2026-12-03T08:59:59Z"), now));
    assert!(
        lien_watch_due(Some("2026-12-04T09:00:00Z"), now),
        "a clock set back"
    );
}

#[test]
fn asking_twice_makes_one_request_and_offline_requests_wait_in_the_outbox() {
    let dir = tempfile::tempdir().unwrap();
    let bank = uw_bank_sim::start(sim_config(dir.path())).unwrap();
    let port = bank.addr.port();
    let ws = open(&dir.path().join("ws"), BankConfig::new(&bank.url(), TOKEN));
    approved_case(&ws);
    ws.sync().unwrap();
    drop(bank);
    let first = ws.request_lien(CASE).unwrap();
    let again = ws.request_lien(CASE).unwrap();
    assert_eq!(
        again.version, first.version,
        "the second ask changes nothing"
    );
    assert_eq!(pledge_entries(&ws).len(), 1);
    assert_eq!(again.lien.history.len(), 1);
    assert_eq!(ws.sync().unwrap_err().code, ErrorCode::BankOffline);
    assert!(ws.disbursement(CASE).unwrap().request_waiting);
    // The bank is back on its port: the request goes, once.
    let mut c = sim_config(dir.path());
    c.port = port;
    let bank = uw_bank_sim::start(c).unwrap();
    ws.sync().unwrap();
    assert_eq!(pledge_entries(&ws)[0].state, "sent");
    assert_eq!(
        ws.request_lien(CASE).unwrap().version,
        ws.disbursement(CASE).unwrap().version
    );
    until_registered(&ws);
    ws.request_lien(CASE).unwrap();
    assert_eq!(pledge_entries(&ws).len(), 1);
    assert_eq!(bank.digest().pledge_requests, 1);
}

#[test]
fn a_registry_that_times_out_is_retried_without_a_second_request() {
    let dir = tempfile::tempdir().unwrap();
    let bank = uw_bank_sim::start(sim_config(dir.path())).unwrap();
    let mut cfg = BankConfig::new(&bank.url(), TOKEN);
    cfg.timeout = Duration::from_millis(600);
    let ws = open(&dir.path().join("ws"), cfg);
    approved_case(&ws);
    ws.sync().unwrap();
    ws.request_lien(CASE).unwrap();
    // The registry files the request, and its answer never arrives in time (the core
    // bank itself answers).
    bank.set_faults(Faults {
        drip_pct: 100,
        only: Some("/v1/pledges".into()),
        ..Faults::default()
    });
    let report = ws.sync().unwrap();
    assert!(
        report
            .errors
            .iter()
            .any(|e| e.contains(CASE) && e.contains("within")),
        "{report:?}"
    );
    assert_eq!(pledge_entries(&ws)[0].state, "pending");
    assert_eq!(bank.digest().pledge_requests, 1, "filed once, answer lost");
    bank.set_faults(Faults::default());
    ws.sync().unwrap();
    assert_eq!(pledge_entries(&ws)[0].state, "sent");
    assert_eq!(bank.digest().pledge_requests, 1, "the retry was a replay");
    assert_ne!(
        ws.disbursement(CASE).unwrap().lien.vin_lien,
        LienStatus::None
    );
}

/// Another creditor's prohibition registered after the approval (the submission found
/// none): learnt from the registry, it blocks the money with its creditor.
#[test]
fn a_foreign_lien_is_learnt_from_the_registry_and_blocks_with_its_creditor() {
    let dir = tempfile::tempdir().unwrap();
    let bank = uw_bank_sim::start(sim_config(dir.path())).unwrap();
    let ws = open(&dir.path().join("ws"), BankConfig::new(&bank.url(), TOKEN));
    approved_case(&ws);
    bank.set_pledge(VIN, PledgeState::Foreign, Some("another creditor"))
        .unwrap();
    ws.request_lien(CASE).unwrap();
    // The refusal is an answer: the entry is done, the case knows whose prohibition it is.
    let report = ws.sync().unwrap();
    assert!(report.errors.is_empty(), "{report:?}");
    assert_eq!(pledge_entries(&ws)[0].state, "sent");
    let view = stage_one_facts(&ws);
    assert_eq!(view.lien.vin_lien, LienStatus::Foreign);
    assert_eq!(view.lien.creditor.as_deref(), Some("another creditor"));
    // The engine now rejects the case too (P-VEH-LIEN): no money moves on either count.
    assert_eq!(blocker_codes(&view, 1), ["NOT_APPROVED", "FOREIGN_LIEN"]);
    assert!(refused(&ws, view.version, 1).contains("another creditor"));
    assert!(blocker_codes(&view, 2).contains(&"FOREIGN_LIEN".to_string()));
    let lien = view
        .conditions
        .iter()
        .find(|c| c.code == "VIN_LIEN")
        .unwrap();
    assert_eq!(lien.status.as_str(), "failed");
    assert!(lien.message.contains("another creditor"), "{lien:?}");
    let e = ws.request_lien(CASE).unwrap_err();
    assert_eq!(e.code, ErrorCode::ForeignLien);
    assert!(e.message.contains("another creditor"), "{e:?}");
    assert_eq!(bank.digest().pledge_requests, 0);
}

/// The submission asks the registry: a VIN under another creditor's prohibition is known
/// before the review, the engine rejects it (P-VEH-LIEN, VIN_PLEDGED) and no approval
/// passes; a registry that cannot be reached does not hold the submission up.
#[test]
fn a_foreign_lien_found_at_submission_blocks_the_approval() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = sim_config(dir.path());
    c.foreign_vins = vec![VIN.into()];
    let bank = uw_bank_sim::start(c).unwrap();
    let ws = open(&dir.path().join("ws"), BankConfig::new(&bank.url(), TOKEN));
    ws.sync().unwrap();
    ws.login("alice", "alice-demo-2026", None).unwrap();
    assert_eq!(
        ws.open_case(CASE).unwrap().evaluation.decision.as_str(),
        "approve"
    );
    let v = ws.open_case(CASE).unwrap();
    let v = ws
        .submit(
            CASE,
            v.version,
            ReviewDecision::Approve,
            "salary at this bank",
        )
        .unwrap();
    assert_eq!(v.status, "submitted");
    assert_eq!(v.case.pledge.vin_lien, LienStatus::Foreign);
    let reason = v
        .evaluation
        .reasons
        .iter()
        .find(|r| r.rule == "P-VEH-LIEN")
        .expect("the engine names the prohibition");
    assert_eq!(reason.code, "VIN_PLEDGED");
    ws.logout().unwrap();
    ws.login("bob", "bob-demo-2026", None).unwrap();
    assert_eq!(
        ws.review(CASE).unwrap().approval.refused.map(|e| e.code),
        Some(ErrorCode::EngineNotApprove)
    );
    assert_eq!(
        ws.approve(CASE, v.version, "bob-demo-2026")
            .unwrap_err()
            .code,
        ErrorCode::EngineNotApprove
    );
    // Returned, the VIN corrected: the registry's word about the old one is forgotten.
    let v = ws.return_case(CASE, v.version, "check the VIN").unwrap();
    ws.logout().unwrap();
    ws.login("alice", "alice-demo-2026", None).unwrap();
    let mut case = v.case;
    case.vehicle.vin = OTHER_VIN.into();
    let v = ws
        .save_case(CASE, v.version, serde_json::to_value(&case).unwrap())
        .unwrap();
    assert_eq!(v.case.pledge.vin_lien, LienStatus::None);
    assert!(!v.evaluation.reasons.iter().any(|r| r.rule == "P-VEH-LIEN"));
    let last = v.case.pledge.history.last().unwrap();
    assert!(last.note.as_deref().unwrap_or("").contains(VIN), "{last:?}");

    // The bank away: the submission goes on, with what the case knew.
    let dir = tempfile::tempdir().unwrap();
    let ws = open(
        &dir.path().join("ws"),
        BankConfig::new("http://127.0.0.1:9", TOKEN),
    );
    ws.login("alice", "alice-demo-2026", None).unwrap();
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../assets/demo/cases/AUTO-2026-000123.json");
    ws.import_files(&[file]).unwrap();
    let v = ws.open_case(CASE).unwrap();
    let v = ws
        .submit(CASE, v.version, ReviewDecision::Approve, "offline")
        .unwrap();
    assert_eq!(v.status, "submitted");
    assert_eq!(v.case.pledge.vin_lien, LienStatus::None);
}

#[test]
fn malformed_facts_and_wrong_stages_are_refused_and_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let bank = uw_bank_sim::start(sim_config(dir.path())).unwrap();
    let ws = open(&dir.path().join("ws"), BankConfig::new(&bank.url(), TOKEN));
    approved_case(&ws);
    let view = stage_one_facts(&ws);
    let e = ws
        .record_disbursement_fact(CASE, view.version, Fact::Advance { amount: money("0") })
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidInput);
    assert!(e.message.contains("disbursement.advance"), "{e:?}");
    let e = ws
        .record_disbursement_fact(
            CASE,
            view.version - 1,
            Fact::Advance {
                amount: money("1000.00"),
            },
        )
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::VersionConflict);
    for stage in [0, 3] {
        let e = ws
            .order_disbursement(CASE, view.version, stage)
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput, "{stage}");
    }
    let after = ws.disbursement(CASE).unwrap();
    assert_eq!(after.version, view.version);
    assert_eq!(after.advance, Some(money("60000000.00")));
    // Another case, not approved: no request, no order.
    let other = "AUTO-2026-000124";
    assert_eq!(
        ws.request_lien(other).unwrap_err().code,
        ErrorCode::WrongStage
    );
    // A reviewer without the underwriter role moves no money.
    ws.logout().unwrap();
    ws.login("bob", "bob-demo-2026", None).unwrap();
    assert!(!ws.session_status().unwrap().session.unwrap().underwriter);
    let e = ws.order_disbursement(CASE, view.version, 1).unwrap_err();
    assert_eq!(e.code, ErrorCode::MissingRole);
    assert_eq!(
        ws.request_lien(CASE).unwrap_err().code,
        ErrorCode::MissingRole
    );
}

//! Identity and bureau checks through the service, against the bank simulator as a real
//! HTTP server on 127.0.0.1 (its own SQLite file).

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::json;
use uw_bank_link::BankConfig;
use uw_bank_sim::{Faults, SimConfig};
use uw_domain::case::{HistoryOrigin, RegisterStatus, StateCheck};

use super::*;

const TOKEN: &str = "test-token";
const CASE: &str = "AUTO-2026-000123";
const PINFL: &str = "31502901234569";

fn sim(dir: &Path) -> uw_bank_sim::Running {
    let mut c = SimConfig::new(&dir.join("bank.db"));
    c.token = TOKEN.into();
    c.seed_cases =
        Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../assets/demo/cases"));
    uw_bank_sim::start(c).expect("the simulator starts")
}

fn synced(dir: &Path) -> (uw_bank_sim::Running, Workstation) {
    let bank = sim(dir);
    let mut config = BankConfig::new(&bank.url(), TOKEN);
    config.timeout = Duration::from_millis(800);
    let ws = crate::tests::open_with_bank(&dir.join("ws"), config);
    ws.sync().expect("the first sync");
    ws.login("alice", "alice-demo-2026", None)
        .expect("alice logs in");
    (bank, ws)
}

/// The register's answer as recorded on the borrower.
fn register(v: &CaseView) -> StateCheck {
    v.case.parties[0]
        .identity
        .as_ref()
        .and_then(|i| i.state_check.clone())
        .expect("a register answer on the borrower")
}

fn version(ws: &Workstation) -> i64 {
    ws.open_case(CASE).expect("the case opens").version
}

#[test]
fn the_register_answers_each_status_and_the_name_is_compared() {
    let dir = tempfile::tempdir().unwrap();
    let (bank, ws) = synced(dir.path());
    let v = ws.verify_identity(CASE, version(&ws), 0).unwrap();
    let check = register(&v);
    assert_eq!(check.status, RegisterStatus::Valid);
    assert!(check.name_matches, "{check:?}");
    assert!(ws
        .history(CASE)
        .unwrap()
        .iter()
        .any(|e| e.kind == "identity_checked"));

    let document = v.case.parties[0].identity.as_ref().unwrap().number.clone();
    for (status, want) in [
        ("expired", RegisterStatus::Expired),
        ("revoked", RegisterStatus::Revoked),
    ] {
        bank.set_identity(PINFL, &document, status, "KARIMOV AZIZ RUSTAMOVICH")
            .unwrap();
        let v = ws.verify_identity(CASE, version(&ws), 0).unwrap();
        let c = register(&v);
        assert_eq!(c.status, want);
        // Case and spacing aside, it is the case's name.
        assert!(c.name_matches, "{c:?}");
    }
    bank.set_identity(PINFL, &document, "valid", "Karimova Aziza")
        .unwrap();
    let v = ws.verify_identity(CASE, version(&ws), 0).unwrap();
    let c = register(&v);
    assert!(!c.name_matches);
    assert_eq!(c.registered_name.as_deref(), Some("Karimova Aziza"));
    // Another document than the registered one: not found.
    bank.set_identity(PINFL, "AB0000000", "valid", "Karimov Aziz Rustamovich")
        .unwrap();
    let v = ws.verify_identity(CASE, version(&ws), 0).unwrap();
    let c = register(&v);
    assert_eq!(
        (c.status, c.registered_name),
        (RegisterStatus::NotFound, None)
    );

    let e = ws.verify_identity(CASE, version(&ws), 9).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidInput);
    assert!(e.message.starts_with("party: 9"), "{e:?}");
}

#[test]
fn the_bureau_report_sets_the_credit_history_and_a_bad_one_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (bank, ws) = synced(dir.path());
    let report = json!({
        "pinfl": PINFL, "as_of": "2026-11-20",
        "loans": [{"lender": "Hamkorbank", "kind": "card", "opened": "2024-06-10", "amount": "5000000.00",
                   "outstanding": "2100000.00", "monthly_payment": "350000.00"}],
        "guarantees": [{"lender": "Ipoteka-bank", "borrower": "Karimova D.", "monthly_payment": "900000.00"}],
        "overdue_amount": "0.00", "overdue_days": 0,
        "episodes_90_plus": [{"lender": "SQB", "from": "2019-02-01", "to": "2019-06-15", "max_days_past_due": 134}],
        "closed_loans": [{"lender": "SQB", "opened": "2018-01-01", "closed": "2020-01-01", "amount": "9000000.00"}]
    });
    bank.set_bureau(PINFL, &report).unwrap();
    let v = ws.pull_bureau(CASE, version(&ws), 0).unwrap();
    let h = &v.case.parties[0].credit_history;
    assert_eq!(h.existing_monthly_payments.to_string(), "1250000.00");
    assert_eq!((h.current_overdue, h.delinquencies_90_plus), (false, 1));
    assert_eq!(h.source.as_ref().unwrap().origin, HistoryOrigin::Bureau);
    assert_eq!(
        v.case.parties[0]
            .bureau
            .as_ref()
            .unwrap()
            .closed_loans
            .len(),
        1
    );
    // The figures feed the rules: one 90+ episode is within the product's limit, the
    // payments raise the debt burden.
    assert!(v.evaluation.metrics.dti.is_some());
    let pulled = v.version;

    // Malformed: named, and the case keeps its report.
    let mut bad = report.clone();
    bad["loans"][0]["monthly_payment"] = json!(350000);
    bank.set_bureau(PINFL, &bad).unwrap();
    let e = ws.pull_bureau(CASE, pulled, 0).unwrap_err();
    assert_eq!(e.code, ErrorCode::BankBadAnswer);
    assert!(
        e.message.contains("loans[0].monthly_payment")
            && e.message.contains("keeps its previous report"),
        "{e:?}"
    );
    assert_eq!(version(&ws), pulled);

    // Slow: past the client's deadline, an error, nothing changes.
    bank.set_bureau(PINFL, &report).unwrap();
    bank.set_faults(Faults {
        latency_ms: 2_000,
        only: Some("/v1/bureau".into()),
        ..Faults::default()
    });
    let e = ws.pull_bureau(CASE, pulled, 0).unwrap_err();
    assert_eq!(e.code, ErrorCode::BankOffline, "{e:?}");
    assert_eq!(version(&ws), pulled);
    bank.set_faults(Faults::default());

    // Typed by hand (the bureau unreachable): the case says typed, by whom.
    let v = ws.open_case(CASE).unwrap();
    let mut case = v.case;
    case.parties[0].credit_history.delinquencies_90_plus = 0;
    let v = ws
        .save_case(CASE, v.version, serde_json::to_value(&case).unwrap())
        .unwrap();
    let source = v.case.parties[0].credit_history.source.clone().unwrap();
    assert_eq!(
        (source.origin, source.by.as_str()),
        (HistoryOrigin::Typed, "alice")
    );
}

#[test]
fn every_party_is_pulled_and_a_failure_names_its_party() {
    let dir = tempfile::tempdir().unwrap();
    let (bank, ws) = synced(dir.path());
    // A case with a co-borrower.
    let id = "AUTO-2026-000125";
    let v = ws.open_case(id).unwrap();
    assert_eq!(v.case.parties.len(), 2);
    let v = ws.pull_bureau_all(id, v.version).unwrap();
    assert!(v.case.parties.iter().all(|p| p.bureau.is_some()));
    assert_eq!(v.version, 3);
    let second = v.case.parties[1].pinfl.clone();
    bank.set_bureau(&second, &json!({"pinfl": second})).unwrap();
    let e = ws.pull_bureau_all(id, v.version).unwrap_err();
    assert!(e.message.starts_with("parties[1]: "), "{e:?}");
    // The borrower's answer was the same (no new version, but the check is in the
    // history); the co-borrower keeps the report from before.
    let after = ws.open_case(id).unwrap();
    assert_eq!(after.version, 3);
    assert_eq!(after.case.parties[1].bureau, v.case.parties[1].bureau);
    let pulls = ws
        .history(id)
        .unwrap()
        .iter()
        .filter(|e| e.kind == "bureau_pulled")
        .count();
    assert_eq!(pulls, 3);
}

#[test]
fn a_failing_pinfl_blocks_verifying_the_identity_document() {
    use uw_domain::case::{DocumentKind, DocumentStatus};
    let dir = tempfile::tempdir().unwrap();
    let (_bank, ws) = synced(dir.path());
    let v = ws.open_case(CASE).unwrap();
    assert!(v.identity_checks[0].valid, "{:?}", v.identity_checks[0]);
    let mut case = v.case;
    // The birth date no longer matches the PINFL.
    case.parties[0].birth_date = "1990-01-02".parse().unwrap();
    let v = ws
        .save_case(CASE, v.version, serde_json::to_value(&case).unwrap())
        .unwrap();
    assert!(!v.identity_checks[0].valid);
    // The paper is taken back (pending again), and can then not be verified again. (A
    // rejection would be final: its next verdict is a new scan's.)
    let v = ws
        .mark_document(
            CASE,
            v.version,
            DocumentKind::Identity,
            0,
            DocumentStatus::Pending,
            None,
        )
        .unwrap();
    let e = ws
        .mark_document(
            CASE,
            v.version,
            DocumentKind::Identity,
            0,
            DocumentStatus::Verified,
            None,
        )
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidInput);
    assert!(
        e.message.contains("cannot be marked verified") && e.message.contains("birth_date"),
        "{e:?}"
    );
    // Nor by typing the verdict into the case file.
    let mut case = v.case;
    for d in &mut case.documents {
        if d.kind == DocumentKind::Identity {
            d.status = DocumentStatus::Verified;
        }
    }
    let e = ws
        .save_case(CASE, v.version, serde_json::to_value(&case).unwrap())
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::OwnedField, "{e:?}");
}

#[test]
fn names_compare_as_read() {
    assert!(same_name("Qodirov  Bekzod", "QODIROV bekzod"));
    assert!(same_name("Oʻrinov Gʻayrat", "O'rinov G‘ayrat"));
    assert!(!same_name("Karimov Aziz", "Karimova Aziz"));
}

/// The official income service's answer kept with the party and shown beside the
/// statements; a gap above 10 % flagged; a malformed or late answer changes nothing.
#[test]
fn the_official_income_is_kept_and_compared_and_a_bad_answer_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (bank, ws) = synced(dir.path());
    let statement = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../../assets/demo/statements/karimov-sqb-2026-05-10.txt"),
    )
    .unwrap();
    ws.attach_statements(CASE, 0, vec![("sqb.txt".into(), statement)])
        .unwrap();
    assert!(ws.statement_income(CASE, 0).unwrap().official.is_none());

    // The simulator's records: the salary the case declares, by the employer's name.
    let v = ws.pull_official_income(CASE, version(&ws), 0).unwrap();
    let kept = v.case.parties[0].official_income.clone().unwrap();
    assert!(kept.records.len() >= 6, "{kept:?}");
    assert!(kept.records.iter().all(|r| r.payer == "Uzbekneftegaz JSC"));
    let pulled = v.version;
    let view = ws.statement_income(CASE, 0).unwrap();
    let official = view.official.unwrap();
    let salary = official
        .sources
        .iter()
        .find(|s| s.official_payer == "Uzbekneftegaz JSC")
        .unwrap();
    // The statements name the employer otherwise: paired as the only salary each side.
    assert_eq!(
        salary.matched,
        uw_domain::income::official::Matched::OnlyOne
    );
    assert_eq!(salary.months.len(), 6);
    let statements_total: uw_domain::money::Money = uw_domain::money::Money::saturating_sum(
        view.income
            .sources
            .iter()
            .filter(|s| s.kind == uw_domain::case::IncomeKind::Salary)
            .flat_map(|s| s.months.values().copied()),
    );
    assert_eq!(salary.statements_total, statements_total);

    // An answer 20 % above the statements: flagged for the reviewer, with both figures.
    let months: Vec<String> = view.income.period.iter().map(|m| m.to_string()).collect();
    let per_month = statements_total.decimal() / rust_decimal::Decimal::from(6)
        * rust_decimal::Decimal::new(12, 1);
    let records: Vec<serde_json::Value> = months
        .iter()
        .map(|m| json!({"month": m, "kind": "salary", "payer": "O'zbekneftgaz AJ", "payer_inn": "201234567",
                        "amount": uw_domain::money::fixed2(per_month)}))
        .collect();
    bank.set_official_income(PINFL, &json!({"pinfl": PINFL, "records": records}))
        .unwrap();
    let v = ws.pull_official_income(CASE, pulled, 0).unwrap();
    let pulled = v.version;
    let official = ws.statement_income(CASE, 0).unwrap().official.unwrap();
    assert_eq!(
        official.sources[0].matched,
        uw_domain::income::official::Matched::Inn
    );
    assert_eq!(official.flags.len(), 1, "{:?}", official.flags);
    assert_eq!(official.flags[0].code, "OFFICIAL_INCOME_GAP");
    assert!(
        official.flags[0].message.contains("above 10.00 %"),
        "{:?}",
        official.flags
    );

    // Malformed records, a malformed shape, an answer about someone else, a late one:
    // each a coded error, and the case keeps its version and its answer.
    let kept = ws.open_case(CASE).unwrap().case.parties[0]
        .official_income
        .clone();
    for (answer, code, needle) in [
        (
            json!({"pinfl": PINFL, "records": [{"month": "2026-13", "kind": "salary", "payer": "A", "amount": "1.00"}]}),
            ErrorCode::BankBadAnswer,
            "records[0].month",
        ),
        (
            json!({"pinfl": PINFL, "records": [{"month": "2026-10", "kind": "salary", "payer": "A", "amount": 1}]}),
            ErrorCode::BankBadAnswer,
            "official income",
        ),
        (
            json!({"pinfl": "31502901234577", "records": []}),
            ErrorCode::BankBadAnswer,
            "31502901234577",
        ),
    ] {
        bank.set_official_income(PINFL, &answer).unwrap();
        let e = ws.pull_official_income(CASE, pulled, 0).unwrap_err();
        assert_eq!(e.code, code, "{e:?}");
        assert!(e.message.contains(needle), "{e:?}");
        assert_eq!(version(&ws), pulled);
    }
    bank.set_official_income(PINFL, &json!({"pinfl": PINFL, "records": []}))
        .unwrap();
    bank.set_faults(Faults {
        latency_ms: 2_000,
        only: Some("/v1/income".into()),
        ..Faults::default()
    });
    let e = ws.pull_official_income(CASE, pulled, 0).unwrap_err();
    assert_eq!(e.code, ErrorCode::BankOffline, "{e:?}");
    assert!(e.message.contains("keeps its previous answer"), "{e:?}");
    assert_eq!(version(&ws), pulled);
    assert_eq!(
        ws.open_case(CASE).unwrap().case.parties[0].official_income,
        kept
    );
    bank.set_faults(Faults::default());
    // A party the case does not have.
    let e = ws.pull_official_income(CASE, pulled, 3).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidInput, "{e:?}");
}

/// An identity document the register reports revoked or expired, or whose own dates put
/// it out of validity on the application date, cannot be marked verified; one fit for it
/// can; a document verified before stays so.
#[test]
fn an_expired_or_revoked_identity_document_cannot_be_verified() {
    use uw_domain::case::{DocumentKind, DocumentStatus};
    let dir = tempfile::tempdir().unwrap();
    let (bank, ws) = synced(dir.path());
    let mark = |status: DocumentStatus, reason: Option<&str>| {
        ws.mark_document(
            CASE,
            version(&ws),
            DocumentKind::Identity,
            0,
            status,
            reason,
        )
    };
    // The demo's document was verified at intake: taken back (pending) first.
    mark(DocumentStatus::Pending, None).unwrap();
    let document = ws.open_case(CASE).unwrap().case.parties[0]
        .identity
        .as_ref()
        .unwrap()
        .number
        .clone();
    for status in ["revoked", "expired"] {
        bank.set_identity(PINFL, &document, status, "Karimov Aziz Rustamovich")
            .unwrap();
        ws.verify_identity(CASE, version(&ws), 0).unwrap();
        let e = mark(DocumentStatus::Verified, None).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput, "{e:?}");
        assert!(e.message.contains(&format!("reports it {status}")), "{e:?}");
    }
    bank.set_identity(PINFL, &document, "valid", "Karimov Aziz Rustamovich")
        .unwrap();
    ws.verify_identity(CASE, version(&ws), 0).unwrap();
    // The paper's own dates: expired before the application (2026-11-20), or issued after.
    for (issued, expires, why) in [
        ("2016-11-19", "2026-11-19", "expired on 2026-11-19"),
        ("2026-11-21", "2036-11-21", "issued on 2026-11-21"),
    ] {
        let v = ws.open_case(CASE).unwrap();
        let mut case = serde_json::to_value(&v.case).unwrap();
        case["parties"][0]["identity"]["issued"] = issued.into();
        case["parties"][0]["identity"]["expires"] = expires.into();
        ws.save_case(CASE, v.version, case).unwrap();
        let e = mark(DocumentStatus::Verified, None).unwrap_err();
        assert!(e.message.contains(why), "{e:?}");
    }
    let v = ws.open_case(CASE).unwrap();
    let mut case = serde_json::to_value(&v.case).unwrap();
    case["parties"][0]["identity"]["issued"] = "2020-01-10".into();
    case["parties"][0]["identity"]["expires"] = "2030-01-09".into();
    ws.save_case(CASE, v.version, case).unwrap();
    let v = mark(DocumentStatus::Verified, None).unwrap();
    assert!(v
        .case
        .documents
        .iter()
        .any(|d| d.kind == DocumentKind::Identity && d.status == DocumentStatus::Verified));
    // Verified, then the register says revoked: the verdict stays (a rejection is the
    // underwriter's to give), and an edit of other fields is not refused for it.
    bank.set_identity(PINFL, &document, "revoked", "Karimov Aziz Rustamovich")
        .unwrap();
    ws.verify_identity(CASE, version(&ws), 0).unwrap();
    let v = ws.open_case(CASE).unwrap();
    let mut case = serde_json::to_value(&v.case).unwrap();
    case["loan"]["term_months"] = 48.into();
    ws.save_case(CASE, v.version, case).unwrap();
}

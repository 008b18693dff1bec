//! The dual review's figures over loopback (release build): an online login against a
//! real OpenLDAP slapd (the directory's bind and searches, the Argon2id verifier, the key's
//! unwrap and the bank's enrolment check), and a sign-off to the bank's acceptance (the
//! reviewer signs at their desk; the bank verifies the key, asks the directory for the
//! role, checks the rules and answers in one transaction).
//!
//! `cargo bench -p uw-app --bench dual_review`
#![allow(clippy::unwrap_used, clippy::float_arithmetic)] // a measurement, not product code

use std::path::Path;
use std::time::{Duration, Instant};

use uw_app::{BankConfig, OpenOptions, StoreKey, Workstation};
use uw_bank_link::api::SignOff;
use uw_directory::slapd::{fixture_password as pw, Slapd};

const EXAMPLE: &str = include_str!("../../../../assets/demo/cases/AUTO-2026-000123.json");
const LOGINS: usize = 60;
const SIGNOFFS: usize = 60;
const TOKEN: &str = "bench-bank";

fn desk(dir: &Path, bank: &str, slapd: &Slapd) -> Workstation {
    Workstation::open(OpenOptions {
        data_dir: dir.to_path_buf(),
        actor: "bench".into(),
        demo: false,
        require_login: true,
        bank: Some(BankConfig::new(bank, TOKEN)),
        directory: Some(slapd.config()),
        key: StoreKey::Raw([5; 32]),
    })
    .unwrap()
}

fn quantiles(mut ms: Vec<f64>) -> (f64, f64, f64, f64) {
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() as f64 * q).ceil() as usize).clamp(1, ms.len()) - 1];
    (at(0.5), at(0.95), ms[0], ms[ms.len() - 1])
}

fn main() {
    let slapd = Slapd::fixture().expect("slapd (see .ci/setup)");
    let dir = tempfile::tempdir().unwrap();
    let cases = dir.path().join("cases");
    std::fs::create_dir_all(&cases).unwrap();
    let ids: Vec<String> = (0..SIGNOFFS)
        .map(|i| format!("AUTO-2026-{:06}", 800_000 + i))
        .collect();
    for id in &ids {
        std::fs::write(
            cases.join(format!("{id}.json")),
            EXAMPLE.replace("AUTO-2026-000123", id),
        )
        .unwrap();
    }
    let mut c = uw_bank_sim::SimConfig::new(&dir.path().join("bank.db"));
    c.token = TOKEN.into();
    c.seed_cases = Some(cases);
    c.directory = Some(slapd.config());
    let sim = uw_bank_sim::start(c).unwrap();

    // Online logins: the first makes and enrolls the key; the rest are what a person
    // meets every morning.
    let one = desk(&dir.path().join("desk-1"), &sim.url(), &slapd);
    one.login("alice", &pw("alice"), None).unwrap();
    let mut login_ms = Vec::new();
    for _ in 0..LOGINS {
        one.logout().unwrap();
        let t = Instant::now();
        let s = one.login("alice", &pw("alice"), None).unwrap();
        login_ms.push(t.elapsed().as_secs_f64() * 1e3);
        assert_eq!(s.signing_key, "enrolled");
    }

    // Alice submits every case; bob signs each off at his desk, and the signed sign-off
    // goes to the bank as the sync would send it.
    one.sync().unwrap();
    for id in &ids {
        let v = one.open_case(id).unwrap();
        one.submit(
            id,
            v.version,
            uw_domain::case::ReviewDecision::Approve,
            "salary",
        )
        .unwrap();
    }
    let report = one.sync().unwrap();
    assert!(
        report.refused.is_empty() && report.waiting == 0,
        "{report:?}"
    );
    let two = desk(&dir.path().join("desk-2"), &sim.url(), &slapd);
    two.login("bob", &pw("bob"), None).unwrap();
    two.sync().unwrap();
    let bank = uw_bank_link::Bank::new(BankConfig::new(&sim.url(), TOKEN)).unwrap();
    let mut signoff_ms = Vec::new();
    for id in &ids {
        let v = two.open_case(id).unwrap();
        let t = Instant::now();
        two.approve(id, v.version, &pw("bob")).unwrap();
        let entry = two
            .outbox_entries()
            .unwrap()
            .into_iter()
            .rev()
            .find(|e| e.kind == "signoff" && &e.case_id == id)
            .unwrap();
        let signoff: SignOff = serde_json::from_str(&entry.body).unwrap();
        let ack = bank.sign_off(id, &signoff, &entry.idempotency_key).unwrap();
        signoff_ms.push(t.elapsed().as_secs_f64() * 1e3);
        assert_eq!(ack.signer, "bob");
    }
    // The desk hears the same answers on its next pass (the keys were already answered).
    let report = two.sync().unwrap();
    assert!(report.refused.is_empty(), "{report:?}");

    let (p50, p95, lo, hi) = quantiles(login_ms);
    println!(
        "figure: online login against slapd (bind, searches, Argon2id, key unwrap, enrolment) | p95 ≤ 500 ms | \
         p95 {p95:.1} ms (median {p50:.1}, range {lo:.1}–{hi:.1} ms, {LOGINS} logins)"
    );
    let (p50, p95, lo, hi) = quantiles(signoff_ms);
    println!(
        "figure: sign-off to the bank's acceptance (re-check, sign, store, POST /signoffs) | p95 ≤ 200 ms | \
         p95 {p95:.1} ms (median {p50:.1}, range {lo:.1}–{hi:.1} ms, {SIGNOFFS} sign-offs)"
    );
    std::thread::sleep(Duration::from_millis(10));
}

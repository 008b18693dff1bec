//! Passport what-if over 10,000 open cases: each evaluated under the shipped configuration
//! and a revised one (debt-burden limit 40 %), on a fresh encrypted store.
//!
//! `cargo bench -p uw-app --bench what_if`
#![allow(clippy::unwrap_used, clippy::float_arithmetic)] // a measurement, not product code

use std::str::FromStr;
use std::time::Instant;

use rust_decimal::Decimal;
use uw_app::{OpenOptions, StoreKey, Workstation};

const EXAMPLE: &str = include_str!("../../../../assets/demo/cases/AUTO-2026-000123.json");
const CASES: usize = 10_000;

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workstation::open(OpenOptions {
        data_dir: dir.path().to_path_buf(),
        actor: "bench".into(),
        demo: false,
        require_login: false,
        bank: None,
        directory: None,
        key: StoreKey::Raw([3; 32]),
    })
    .unwrap();
    // Amounts spread so that the revision changes some decisions and not others.
    let files: Vec<(String, String)> = (0..CASES)
        .map(|i| {
            let id = format!("AUTO-2026-{:06}", 700_000 + i);
            let amount = format!("{}.00", 60_000_000 + (i % 76) * 1_000_000);
            let text = EXAMPLE.replace("AUTO-2026-000123", &id).replace(
                "\"amount\": \"135000000.00\"",
                &format!("\"amount\": \"{amount}\""),
            );
            (format!("{id}.json"), text)
        })
        .collect();
    ws.import_texts(&files).unwrap();
    let mut revised = ws.product().clone();
    revised.credit.max_dti = Decimal::from_str("0.40").unwrap();
    let mut times = Vec::new();
    let mut changed = 0;
    for _ in 0..3 {
        let t = Instant::now();
        let report = ws.what_if(&revised).unwrap();
        times.push(t.elapsed().as_secs_f64());
        assert_eq!(report.cases, CASES);
        changed = report.changed.len();
    }
    times.sort_by(f64::total_cmp);
    println!(
        "figure: what-if over {CASES} open cases ({changed} change decision) | ≤ 2 s | {:.2} s (range {:.2}–{:.2} s, 3 runs)",
        times[1], times[0], times[2]
    );
}

//! Push 1,000 cases to the bank simulator over loopback, without and with 30 % injected
//! faults (10 % failures, 10 % connections cut after commit, 10 % duplicated requests).
//! Each run starts from a fresh store and a fresh simulator; the time is from the first
//! `sync` to nothing waiting, with the shipped retry settings.
//!
//! `cargo bench -p uw-app --bench sync`

use std::time::Instant;

use uw_app::{BankConfig, OpenOptions, StoreKey, Workstation};
use uw_bank_sim::{Faults, SimConfig};

const EXAMPLE: &str = include_str!("../../../../assets/demo/cases/AUTO-2026-000123.json");
const CASES: usize = 1000;
const RUNS: usize = 3;

fn run(faults: &Faults) -> Result<f64, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let mut config = SimConfig::new(&dir.path().join("bank.db"));
    config.faults = faults.clone();
    let bank = uw_bank_sim::start(config).map_err(|e| e.to_string())?;
    let ws = Workstation::open(OpenOptions {
        data_dir: dir.path().join("ws"),
        actor: "bench".into(),
        demo: false,
        require_login: false,
        bank: Some(BankConfig::new(&bank.url(), "demo-bank-token")),
        directory: None,
        key: StoreKey::Raw([3; 32]),
    })
    .map_err(|e| e.to_string())?;
    let files: Vec<(String, String)> = (0..CASES)
        .map(|i| {
            let id = format!("AUTO-2026-{:06}", 800_000 + i);
            (id.clone(), EXAMPLE.replace("AUTO-2026-000123", &id))
        })
        .collect();
    ws.import_texts(&files).map_err(|e| e.to_string())?;
    let start = Instant::now();
    let mut passes = 0;
    while ws.sync_status().map_err(|e| e.to_string())?.waiting > 0 {
        passes += 1;
        if passes > 50 {
            return Err("still waiting after 50 passes".into());
        }
        let _ = ws.sync();
    }
    let secs = start.elapsed().as_secs_f64();
    let digest = bank.digest();
    if digest.cases != ws.content_hashes().map_err(|e| e.to_string())?
        || digest.versions != CASES as i64
    {
        return Err("the bank does not hold exactly the workstation's cases".into());
    }
    Ok(secs)
}

fn main() {
    let clean = Faults::default();
    let faulty = Faults {
        failure_pct: 10,
        reset_pct: 10,
        duplicate_pct: 10,
        seed: 2026,
        ..Faults::default()
    };
    for (name, faults, target) in [("no faults", &clean, 5.0), ("30 % faults", &faulty, 15.0)] {
        let mut times = Vec::new();
        for _ in 0..RUNS {
            match run(faults) {
                Ok(t) => times.push(t),
                Err(e) => {
                    eprintln!("sync bench ({name}): {e}");
                    std::process::exit(1);
                }
            }
        }
        times.sort_by(f64::total_cmp);
        println!(
            "figure: push {CASES} cases to the simulator, {name} | ≤ {target} s | {:.2} s (range {:.2}–{:.2} s)",
            times[RUNS / 2],
            times[0],
            times[RUNS - 1]
        );
    }
}

//! `uw evaluate --jsonl` over 100,000 generated cases: wall time and peak memory.
//!
//! `cargo bench -p uw-cli --bench jsonl`; target: ≤ 6 s on 2 cores, memory flat in the
//! number of cases (compare the peak at 10,000 and at 100,000). Each size runs `RUNS`
//! times: the median wall time with the range, and the highest peak.
#![allow(clippy::float_arithmetic)]

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const EXAMPLE: &str = include_str!("../../../../assets/demo/cases/AUTO-2026-000123.json");

fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
}

fn run(n: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("queue.jsonl");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&input).expect("create"));
    let mut v: serde_json::Value = serde_json::from_str(EXAMPLE).expect("json");
    for i in 0..n {
        v["case_id"] = format!("AUTO-2026-{i:06}").into();
        v["loan"]["amount"] = format!("{}.00", 60_000_000 + (i % 90) * 1_000_000).into();
        v["loan"]["term_months"] = [12, 24, 36, 48, 60][i % 5].into();
        v["parties"][0]["credit_history"]["existing_monthly_payments"] =
            format!("{}.00", (i % 7) * 700_000).into();
        writeln!(f, "{v}").expect("write");
    }
    drop(f);
    let mut walls = Vec::new();
    let mut peak = 0;
    for _ in 0..RUNS {
        let (wall, rss) = once(&input);
        walls.push(wall);
        peak = peak.max(rss);
    }
    walls.sort_by(f64::total_cmp);
    println!(
        "figure: uw evaluate --jsonl, {n} cases (memory flat: peak at 10,000 ≈ at 100,000) | {} | {:.2} s (range {:.2}–{:.2} s, {RUNS} runs), peak {:.1} MiB",
        if n >= 100_000 { "≤ 6 s" } else { "—" },
        walls[RUNS / 2],
        walls[0],
        walls[RUNS - 1],
        peak as f64 / 1024.0
    );
}

const RUNS: usize = 3;

/// One run: wall time in seconds and peak RSS in KiB.
fn once(input: &std::path::Path) -> (f64, u64) {
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_uw"))
        .args(["evaluate", "--jsonl"])
        .arg(input)
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn uw");
    let pid = child.id();
    let mut peak = 0;
    loop {
        if let Some(k) = peak_rss_kib(pid) {
            peak = peak.max(k);
        }
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let wall = start.elapsed().as_secs_f64();
    let status = child.wait().expect("wait");
    assert!(status.success(), "uw evaluate --jsonl: {status}");
    (wall, peak)
}

fn main() {
    run(10_000);
    run(100_000);
}

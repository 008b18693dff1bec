//! A backup of a bank-sized store while the desk works: 10,000 cases and 1 GB of scans
//! (128 PDF pages of 8 MB, attached through the reader as the window attaches them), the
//! backup's time, the queue's first page answered meanwhile (p95), and `uw doctor`'s time
//! on the same store.
//!
//! `cargo build --release -p uw-parse && cargo bench -p uw-app --bench backup`
//! Targets: backup ≤ 30 s; a queue page ≤ 50 ms p95 during it; the doctor ≤ 2 s.
#![allow(clippy::unwrap_used, clippy::float_arithmetic)] // a measurement, not product code

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use uw_app::{OpenOptions, QueueQuery, StoreKey, Workstation};
use uw_parse::hostile;

const EXAMPLE: &str = include_str!("../../../../assets/demo/cases/AUTO-2026-000123.json");
const CASES: usize = 10_000;
const SCAN_MB: usize = 8;
const SCANS: usize = 128;

fn p95(mut ms: Vec<f64>) -> (f64, f64, usize) {
    ms.sort_by(f64::total_cmp);
    let at = ((ms.len() as f64 * 0.95).ceil() as usize).clamp(1, ms.len()) - 1;
    (ms[at], ms[ms.len() - 1], ms.len())
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workstation::open(OpenOptions {
        data_dir: dir.path().join("ws"),
        actor: "bench".into(),
        demo: false,
        require_login: false,
        bank: None,
        directory: None,
        key: StoreKey::Raw([4; 32]),
    })
    .unwrap();
    let t = Instant::now();
    for chunk in (0..CASES).collect::<Vec<_>>().chunks(1000) {
        let files: Vec<(String, String)> = chunk
            .iter()
            .map(|i| {
                let id = format!("AUTO-2026-{:06}", 500_000 + i);
                (
                    format!("{id}.json"),
                    EXAMPLE.replace("AUTO-2026-000123", &id),
                )
            })
            .collect();
        ws.import_texts(&files).unwrap();
    }
    for i in 0..SCANS {
        let page = hostile::pdf_of_jpeg(&hostile::noise(i as u64, SCAN_MB << 20));
        let case = format!("AUTO-2026-{:06}", 500_000 + i);
        ws.attach_scan(&case, "identity", 0, &format!("page-{i}.pdf"), &page)
            .unwrap();
    }
    let store = std::fs::metadata(dir.path().join("ws/cases.db"))
        .unwrap()
        .len();
    println!(
        "store: {CASES} cases, {SCANS} scans of {SCAN_MB} MiB: {:.0} MB, built in {:.0} s",
        store as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );

    let done = AtomicBool::new(false);
    let file = dir.path().join("backup.uwb");
    let (backup_s, pages) = std::thread::scope(|s| {
        let backup = s.spawn(|| {
            let t = Instant::now();
            let summary = ws.backup(&file).unwrap();
            done.store(true, Ordering::SeqCst);
            (t.elapsed().as_secs_f64(), summary)
        });
        let mut pages = Vec::new();
        let q = QueueQuery::default();
        while !done.load(Ordering::SeqCst) {
            let t = Instant::now();
            let page = ws.queue(&q).unwrap();
            pages.push(t.elapsed().as_secs_f64() * 1e3);
            assert!(!page.rows.is_empty());
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let (secs, summary) = backup.join().unwrap();
        assert_eq!(summary.cases as usize, CASES);
        (secs, pages)
    });
    let (p95_ms, max_ms, n) = p95(pages);
    println!(
        "figure: backup of {CASES} cases + 1 GB of scans ({:.0} MB, checked on the copy) | ≤ 30 s | {backup_s:.1} s (1 run)",
        std::fs::metadata(&file).unwrap().len() as f64 / 1e6
    );
    println!(
        "figure: queue page during the backup | p95 ≤ 50 ms | p95 {p95_ms:.1} ms (max {max_ms:.1} ms, {n} pages)"
    );
    let t = Instant::now();
    let health = ws.doctor(chrono::Utc::now());
    println!(
        "figure: uw doctor on that store (ok = {1}: {2}) | ≤ 2 s | {0:.2} s (1 run)",
        t.elapsed().as_secs_f64(),
        health.ok,
        health
            .checks
            .iter()
            .map(|c| format!("{} {} ms", c.name, c.ms))
            .collect::<Vec<_>>()
            .join(", ")
    );
}

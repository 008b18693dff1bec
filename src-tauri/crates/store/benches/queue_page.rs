#![allow(clippy::float_arithmetic, clippy::type_complexity)]
//! One queue page out of 100,000 stored cases: filter + sort + page (+ search).
//!
//! `cargo bench -p uw-store --bench queue_page` prints p50 / p95 / max per query shape.
//! The target (issue: the daily queue) is ≤ 30 ms per page.

use std::time::Instant;

use uw_store::{NewCase, QueueQuery, SortKey, Store};

const N: usize = 100_000;
const NAMES: [&str; 12] = [
    "Karimov",
    "Toshmatova",
    "Rahimov",
    "Yusupov",
    "Ergasheva",
    "Qodirov",
    "Nazarov",
    "Saidova",
    "Abdullayev",
    "Mirzayev",
    "Hasanov",
    "Tursunov",
];
const STATUSES: [&str; 5] = ["draft", "submitted", "approved", "rejected", "returned"];

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = Store::open(
        &dir.path().join("bench.db"),
        &uw_store::StoreKey::Raw([7; 32]),
    )
    .expect("open");
    let t = Instant::now();
    let mut rng = 0x2545_F491_4F6C_DD1Du64;
    let mut next = || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let cases: Vec<NewCase> = (0..N)
        .map(|i| {
            let r = next();
            let tiyin = ((r % 7_000) as i64 + 300) * 100_000 * 100;
            NewCase {
                case_id: format!("AUTO-2026-{i:06}"),
                case_json: format!(
                    "{{\"case_id\":\"AUTO-2026-{i:06}\",\"padding\":\"{}\"}}",
                    "x".repeat(1500)
                ),
                status: STATUSES[(r >> 8) as usize % STATUSES.len()].to_string(),
                decision: Some(["approve", "reject", "refer"][(r >> 16) as usize % 3].to_string()),
                assignee: Some(format!("uw{}", (r >> 20) % 40)),
                branch: format!("BXM-{:02}", (r >> 24) % 30),
                application_date: format!(
                    "2026-{:02}-{:02}",
                    1 + (r >> 28) % 11,
                    1 + (r >> 32) % 28
                ),
                borrower_name: format!(
                    "{} {} {}",
                    NAMES[(r >> 36) as usize % NAMES.len()],
                    i % 977,
                    i
                ),
                pinfl: format!("3{:013}", r % 10_000_000_000_000),
                vin: format!("XWB{:014}", r % 100_000_000_000_000),
                amount: format!("{}.{:02}", tiyin / 100, tiyin % 100),
                amount_tiyin: tiyin,
                term_months: [12, 24, 36, 48, 60][(r >> 40) as usize % 5],
                reasons: String::new(),
                counter_offers: 0,
            }
        })
        .collect();
    store
        .insert_cases(&cases, "2026-11-23T08:00:00Z", "bench", "import")
        .expect("insert");
    println!("seeded {N} cases in {:.1} s", t.elapsed().as_secs_f64());

    let shapes: Vec<(&str, Box<dyn Fn(u32) -> QueueQuery>)> = vec![
        (
            "status filter, sort by amount desc",
            Box::new(|o| QueueQuery {
                status: Some("submitted".into()),
                sort: SortKey::Amount,
                descending: true,
                offset: o,
                limit: 50,
                ..Default::default()
            }),
        ),
        (
            "no filter, sort by age",
            Box::new(|o| QueueQuery {
                sort: SortKey::Received,
                descending: true,
                offset: o,
                limit: 50,
                ..Default::default()
            }),
        ),
        (
            "status filter, sort by borrower",
            Box::new(|o| QueueQuery {
                status: Some("draft".into()),
                sort: SortKey::Borrower,
                offset: o,
                limit: 50,
                ..Default::default()
            }),
        ),
        (
            "assignee filter, sort by age",
            Box::new(|o| QueueQuery {
                assignee: Some("uw7".into()),
                sort: SortKey::Received,
                offset: o,
                limit: 50,
                ..Default::default()
            }),
        ),
        (
            "search borrower prefix + status, sort by amount",
            Box::new(|o| QueueQuery {
                search: Some("Karimov 1".into()),
                status: Some("draft".into()),
                sort: SortKey::Amount,
                offset: o % 100,
                limit: 50,
                ..Default::default()
            }),
        ),
        (
            "search VIN prefix",
            Box::new(|_| QueueQuery {
                search: Some("XWB0000012".into()),
                limit: 50,
                ..Default::default()
            }),
        ),
    ];
    let mut all = Vec::new();
    for (name, q) in &shapes {
        let mut times = Vec::new();
        for k in 0..200u32 {
            let query = q((k * 37) % 2000);
            let t = Instant::now();
            let page = store.queue(&query).expect("query");
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            std::hint::black_box(page);
        }
        times.sort_by(|a, b| a.total_cmp(b));
        let p = |q: f64| times[((times.len() - 1) as f64 * q) as usize];
        println!(
            "{name:<50} p50 {:6.2} ms  p95 {:6.2} ms  max {:6.2} ms",
            p(0.5),
            p(0.95),
            p(1.0)
        );
        all.extend(times);
    }
    all.sort_by(|a, b| a.total_cmp(b));
    let p95 = all[((all.len() - 1) as f64 * 0.95) as usize];
    println!(
        "figure: queue page of 100,000 cases, all query shapes | p95 ≤ 30 ms | p95 {p95:.2} ms (median {:.2}, range {:.2}–{:.2} ms, {} pages)",
        all[all.len() / 2],
        all[0],
        all[all.len() - 1],
        all.len()
    );
}

//! A 60-month agreement: time per document (median of 200, after a warm-up), its size, and
//! 1,000 agreements in one batch with the process's resident memory read as it goes (it
//! must stay flat: nothing accumulates between documents).
//!
//! `cargo bench -p uw-agreement --bench agreement`
#![allow(clippy::unwrap_used, clippy::float_arithmetic)] // a measurement, not product code

use std::time::Instant;

use sha2::{Digest, Sha256};
use uw_agreement::{preview, render, Lang, Stamp};
use uw_domain::case::{Review, ReviewDecision};
use uw_domain::{evaluate, parse_case, parse_product, EvalOptions};

const EXAMPLE: &str = include_str!("../../../../assets/demo/cases/AUTO-2026-000123.json");
const PRODUCT: &str = include_str!("../../../../assets/product/salary-auto-loan.json");

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    let mut case = parse_case(EXAMPLE).unwrap();
    case.loan.term_months = 60;
    case.review = Some(Review {
        decision: ReviewDecision::Approve,
        maker: "alice".into(),
        checker: "bob".into(),
        signed_at: "2026-11-23T10:15:00Z".into(),
        case_version: 3,
    });
    let ev = evaluate(
        &case,
        &parse_product(PRODUCT).unwrap(),
        &EvalOptions::default(),
    );
    let json = serde_json::to_string(&case).unwrap();
    let stamp = Stamp {
        case_id: case.case_id.clone(),
        version: 4,
        sha256: Sha256::digest(json.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
    };
    for lang in [Lang::Uz, Lang::Ru] {
        for _ in 0..10 {
            render(&case, &ev, lang, &stamp).unwrap();
        }
        let mut times: Vec<f64> = (0..200)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(render(&case, &ev, lang, &stamp).unwrap());
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        times.sort_by(f64::total_cmp);
        let printed = render(&case, &ev, lang, &stamp).unwrap();
        println!(
            "60-month agreement ({}): median {:.2} ms, p95 {:.2} ms, {} pages, {:.1} KB (targets: ≤ 15 ms, ≤ 60 KB)",
            lang.as_str(),
            times[times.len() / 2],
            times[times.len() * 95 / 100],
            printed.pages,
            printed.pdf.len() as f64 / 1000.0
        );
    }
    let t = Instant::now();
    for _ in 0..100 {
        std::hint::black_box(preview(&case, &ev, Lang::Uz, &stamp).unwrap());
    }
    println!(
        "(layout and SVG alone: {:.2} ms per document)",
        t.elapsed().as_secs_f64() * 10.0
    );
    let start = Instant::now();
    let mut samples = Vec::new();
    let mut bytes = 0usize;
    for i in 1..=1000 {
        let mut c = case.clone();
        c.case_id = format!("AUTO-2026-{:06}", 900_000 + i);
        let s = Stamp {
            case_id: c.case_id.clone(),
            ..stamp.clone()
        };
        bytes += render(&c, &ev, Lang::Uz, &s).unwrap().pdf.len();
        if [1, 100, 250, 500, 750, 1000].contains(&i) {
            samples.push((i, rss_kib()));
        }
    }
    println!(
        "1,000 agreements in a batch: {:.2} s, {:.1} MB written; resident memory after document {}",
        start.elapsed().as_secs_f64(),
        bytes as f64 / 1e6,
        samples
            .iter()
            .map(|(i, kib)| format!("{i}: {:.1} MiB", *kib as f64 / 1024.0))
            .collect::<Vec<_>>()
            .join(", ")
    );
}

//! Evaluating one case, schedule and counter-offer search included.
//!
//! `cargo bench -p uw-domain --bench evaluate`; target: median ≤ 1 ms per case.
#![allow(clippy::float_arithmetic)]

use std::time::Instant;

use uw_domain::{evaluate, parse_case, parse_product, EvalOptions};

const PRODUCT: &str = include_str!("../../../../assets/product/salary-auto-loan.json");
const EXAMPLE: &str = include_str!("../../../../assets/demo/cases/AUTO-2026-000123.json");

fn measure(name: &str, case_json: &str) {
    let product = parse_product(PRODUCT).expect("product");
    let case = parse_case(case_json).expect("case");
    let opts = EvalOptions::default();
    for _ in 0..50 {
        std::hint::black_box(evaluate(&case, &product, &opts));
    }
    let mut times: Vec<f64> = (0..1000)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(evaluate(&case, &product, &opts));
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(|a, b| a.total_cmp(b));
    let e = evaluate(&case, &product, &opts);
    println!(
        "figure: evaluate one case: {name} ({}, {} counter-offers) | median ≤ 1 ms | {:.3} ms (p95 {:.3}, range {:.3}–{:.3} ms, 1,000 runs)",
        e.decision.as_str(),
        e.counter_offer.map_or(0, |o| o.len()),
        times[500],
        times[950],
        times[0],
        times[999]
    );
}

fn main() {
    measure("approve, 36-month annuity (no counter-offer)", EXAMPLE);
    let mut v: serde_json::Value = serde_json::from_str(EXAMPLE).expect("json");
    v["parties"][0]["credit_history"]["existing_monthly_payments"] = "4000000.00".into();
    measure(
        "reject on P-DTI: counter-offer search over 6 terms",
        &v.to_string(),
    );
    v["loan"]["schedule"] = "differentiated".into();
    v["loan"]["grace_months"] = 3.into();
    v["loan"]["term_months"] = 60.into();
    measure(
        "reject on P-DTI, differentiated with grace, 60 months",
        &v.to_string(),
    );
}

//! A 60-month agreement: time per document (median of 200, after a warm-up), its size, and
//! 1,000 agreements in one batch with the process's resident memory read as it goes (it
//! must stay flat: nothing accumulates between documents).
//!
//! Beside it, what a bank without the workstation would do: LibreOffice's headless PDF
//! conversion of an equivalent document (the agreement's own text, as `pdftotext -layout`
//! reads it out of the PDF, the same words on as many pages), one conversion per process
//! as a desk would run it. Skipped, and said so, without LibreOffice or pdftotext.
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
            "figure: 60-month agreement ({}, {} pages, {:.1} KB; target ≤ 60 KB) | ≤ 15 ms | {:.2} ms (p95 {:.2}, range {:.2}–{:.2} ms, 200 runs)",
            lang.as_str(),
            printed.pages,
            printed.pdf.len() as f64 / 1000.0,
            times[times.len() / 2],
            times[times.len() * 95 / 100],
            times[0],
            times[times.len() - 1]
        );
        if lang == Lang::Uz {
            libreoffice_peer(&printed.pdf, times[times.len() / 2]);
        }
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
        "figure: 1,000 agreements in a batch ({:.1} MB written; resident memory after document {}) | memory flat | {:.2} s",
        bytes as f64 / 1e6,
        samples
            .iter()
            .map(|(i, kib)| format!("{i}: {:.1} MiB", *kib as f64 / 1024.0))
            .collect::<Vec<_>>()
            .join(", "),
        start.elapsed().as_secs_f64(),
    );
}

/// LibreOffice converting the same text to PDF: the median of 3 conversions, each its
/// own `soffice --headless --convert-to pdf` as a desk would run it.
fn libreoffice_peer(pdf: &[u8], ours_ms: f64) {
    use std::process::Command;
    let skip = |why: &str| {
        println!("figure: LibreOffice headless PDF conversion, same text | — | skipped: {why}")
    };
    let dir = tempfile::tempdir().unwrap();
    let (pdf_path, txt) = (
        dir.path().join("agreement.pdf"),
        dir.path().join("agreement.txt"),
    );
    std::fs::write(&pdf_path, pdf).unwrap();
    let text = Command::new("pdftotext")
        .arg("-layout")
        .arg(&pdf_path)
        .arg(&txt)
        .status();
    if !text.is_ok_and(|s| s.success()) {
        return skip("pdftotext is not installed");
    }
    let Some(soffice) = ["soffice", "libreoffice"].into_iter().find(|c| {
        Command::new(c)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    }) else {
        return skip("LibreOffice is not installed");
    };
    let profile = format!(
        "-env:UserInstallation=file://{}/profile",
        dir.path().display()
    );
    let out = dir.path().join("out");
    let mut times: Vec<f64> = (0..3)
        .map(|_| {
            let t = Instant::now();
            let ok = Command::new(soffice)
                .args([
                    profile.as_str(),
                    "--headless",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                ])
                .arg(&out)
                .arg(&txt)
                .output()
                .is_ok_and(|o| o.status.success());
            assert!(ok, "soffice failed");
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    println!(
        "figure: LibreOffice headless PDF conversion, same text (uz) | — | {:.0} ms (range {:.0}–{:.0} ms, 3 runs): {:.0}× the agreement's time",
        times[1],
        times[0],
        times[2],
        times[1] / ours_ms
    );
}

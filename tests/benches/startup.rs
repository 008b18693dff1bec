//! App start to the login screen, then login to the interactive queue with 100,000 stored
//! cases (`UW_BENCH_CASES` to change), under Xvfb, and the memory of every app process (the
//! Rust process and WebKit's web and network processes).
//!
//! `cargo build --release -p uw-desktop && UW_APP_BINARY=target/release/underwriter-workstation
//! cargo bench -p uw-e2e --bench startup`; target ≤ 1.5 s from start to the queue.
#![allow(clippy::float_arithmetic)]

use std::time::Instant;

use uw_app::{OpenOptions, Workstation};
use uw_e2e::{click, find, retype, Display, Driver, Result};

const EXAMPLE: &str = include_str!("../../assets/demo/cases/AUTO-2026-000123.json");

fn seed(dir: &std::path::Path, n: usize) -> Result<()> {
    let ws = Workstation::open(OpenOptions {
        data_dir: dir.to_path_buf(),
        actor: "bench".into(),
        demo: false,
        require_login: false,
        bank: None,
        directory: None,
        key: uw_app::StoreKey::Passphrase(uw_e2e::E2E_PASSPHRASE.into()),
    })?;
    let mut v: serde_json::Value = serde_json::from_str(EXAMPLE)?;
    // In batches: one import is one transaction holding its files in memory.
    for start in (0..n).step_by(5_000) {
        let files: Vec<(String, String)> = (start..(start + 5_000).min(n))
            .map(|i| {
                v["case_id"] = format!("AUTO-2026-{i:06}").into();
                v["parties"][0]["full_name"] = format!("Borrower {i}").into();
                (format!("case-{i}.json"), v.to_string())
            })
            .collect();
        ws.import_texts(&files)?;
    }
    ws.create_first_admin(&uw_app::NewUser {
        username: "bench".into(),
        display_name: "Bench".into(),
        staff_id: None,
        password: "bench-password".into(),
        admin: true,
        underwriter: true,
        reviewer: false,
    })?;
    Ok(())
}

/// Resident memory (KiB) of the app and the WebKit processes it started.
fn app_rss_kib() -> u64 {
    let mut total = 0;
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let cmd = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        let cmd = String::from_utf8_lossy(&cmd);
        if cmd.contains("underwriter-workstation")
            || cmd.contains("WebKitWebProcess")
            || cmd.contains("WebKitNetworkProcess")
        {
            let status = std::fs::read_to_string(entry.path().join("status")).unwrap_or_default();
            total += status
                .lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
                .unwrap_or(0);
        }
    }
    total
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let n: usize = std::env::var("UW_BENCH_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let data = tempfile::tempdir()?;
    let t = Instant::now();
    seed(data.path(), n)?;
    println!("seeded {n} cases in {:.0} s", t.elapsed().as_secs_f64());
    let display = Display::start()?;
    let mut times = Vec::new();
    let mut rss = Vec::new();
    let mut logins = Vec::new();
    for _ in 0..5 {
        let driver = Driver::start(&display, data.path())?;
        let t = Instant::now();
        let c = driver.launch(&[]).await?;
        find(&c, "[data-testid=login]").await?;
        times.push(t.elapsed().as_secs_f64());
        // The typing is the person's; timed is the app's part: from the click, through
        // the password check (Argon2id) to the first page of the queue on screen.
        retype(&c, "input[name=username]", "bench").await?;
        retype(&c, "input[name=password]", "bench-password").await?;
        let t = Instant::now();
        click(&c, "#login-button").await?;
        find(&c, "[data-testid=queue-row]").await?;
        logins.push(t.elapsed().as_secs_f64());
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        rss.push(app_rss_kib());
        c.close().await?;
    }
    times.sort_by(|a, b| a.total_cmp(b));
    logins.sort_by(|a, b| a.total_cmp(b));
    rss.sort_unstable();
    println!(
        "{n} cases — start to login screen: median {:.2} s (min {:.2}, max {:.2}); “Log in” to the interactive queue (Argon2id included): median {:.2} s; start to queue, the typing aside (sum of medians): {:.2} s; RSS of app processes median {:.0} MiB",
        times[2],
        times[0],
        times[4],
        logins[2],
        times[2] + logins[2],
        rss[2] as f64 / 1024.0
    );
    Ok(())
}

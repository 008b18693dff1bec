//! The window while the bank is slow: the bureau answers after 10 s; a bureau pull is
//! started, and while it waits the queue is searched and scrolled from the keyboard. Each
//! answer is timed twice: through WebDriver, from the keys sent to the result seen, which
//! includes WebDriver's own work of making the keys and asking after the result (a round
//! trip alone is timed too); and in the page, from the key's event to the first animation
//! frame showing the result: what a person at the keyboard waits for.
//!
//! `cargo build --release -p uw-desktop && UW_APP_BINARY=target/release/underwriter-workstation
//! cargo bench -p uw-e2e --bench responsive`; target ≤ 100 ms for every answer.
#![allow(clippy::float_arithmetic)]

use uw_e2e::{demo_password, login, wait_text, Result};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let runs: usize = std::env::var("UW_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let data = tempfile::tempdir()?;
    let (bank, _display, driver) =
        uw_e2e::bank_and_window(data.path(), std::time::Duration::from_secs(30))?;
    let c = driver.launch(&["--demo"]).await?;
    login(&c, "alice", &demo_password("alice")).await?;
    wait_text(&c, "[data-testid=queue-total]", |t| t == "17 cases").await?;
    let mut answers = Vec::new();
    let mut late = 0;
    let mut outcomes = Vec::new();
    for _ in 0..runs {
        let (run, outcome) = uw_e2e::answers_while_the_bureau_waits(&c, &bank, None, 4).await?;
        // Only what came while the pull was in flight counts.
        let (during, after): (Vec<_>, Vec<_>) = run.into_iter().partition(|a| a.pull_in_flight);
        late += after.len();
        answers.extend(during);
        outcomes.push(outcome.state);
    }
    let (median, max) = uw_e2e::median_max_ms(&answers, |a| a.took);
    let mean = answers.iter().map(|a| a.took.as_secs_f64()).sum::<f64>() * 1000.0
        / answers.len().max(1) as f64;
    println!(
        "figure: the queue's answers (search, scroll) while a {} s bureau pull is in flight, through WebDriver (keys sent → result seen) | ≤ 100 ms each | median {median} ms, max {max} ms ({} answers; mean {mean:.0} ms; {late} after the pull ended; pulls: {})",
        uw_e2e::BUREAU_LATENCY.as_secs(),
        answers.len(),
        outcomes.join(", ")
    );
    let (median, max) = uw_e2e::median_max_ms(&answers, |a| a.on_screen);
    println!(
        "figure: the same answers, keys sent → the first frame showing the result (the page's clock against the machine's) | ≤ 100 ms each | median {median} ms, max {max} ms"
    );
    let (median, max) = uw_e2e::median_max_ms(&answers, |a| a.in_page);
    println!(
        "figure: of which in the page (the key's event → that frame) | — | median {median} ms, max {max} ms"
    );
    // Each kind of answer, to see where the time goes.
    let mut kinds: Vec<&str> = answers
        .iter()
        .map(|a| a.action.split(' ').next().unwrap_or(""))
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    for kind in kinds {
        let of: Vec<_> = answers
            .iter()
            .filter(|a| a.action.split(' ').next() == Some(kind))
            .map(|a| {
                (
                    a.took.as_millis(),
                    a.on_screen.as_millis(),
                    a.in_page.as_millis(),
                )
            })
            .collect();
        println!("{kind}: {of:?} (ms through WebDriver, keys sent → frame, in the page)");
    }
    // The floors under the figures: one WebDriver round trip to the page and back, and
    // WebDriver's own work of making one key (Shift, which the window does nothing with).
    let (median, max) = floor(|| async {
        c.execute("return 1", vec![]).await?;
        Ok(())
    })
    .await?;
    println!(
        "figure: one WebDriver round trip (a script returning 1), the floor under each answer | — | median {median} ms, max {max} ms"
    );
    let (median, max) = floor(|| uw_e2e::press(&c, &['\u{E008}'])).await?;
    println!(
        "figure: one WebDriver key action (Shift down and up), the floor under each keyed answer | — | median {median} ms, max {max} ms"
    );
    c.close().await?;
    Ok(())
}

/// Median and maximum, in milliseconds, of `op` done 50 times.
async fn floor<F, Fut>(mut op: F) -> Result<(u128, u128)>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<()>>,
{
    let mut ms = Vec::new();
    for _ in 0..50 {
        let t = std::time::Instant::now();
        op().await?;
        ms.push(t.elapsed().as_millis());
    }
    ms.sort_unstable();
    Ok((ms[ms.len() / 2], ms[ms.len() - 1]))
}

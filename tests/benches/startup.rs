//! The release app's start with 100,000 stored cases (`UW_BENCH_CASES` to change), under
//! Xvfb, several runs (`UW_BENCH_RUNS`, 5), each figure as median (min–max):
//! - start → login screen: from asking for the app (WebDriver's new session) to the login
//!   form in the page; and the app's own part of it, from its process's start (the
//!   kernel's start time, to its 10 ms tick) to the same form: the session's start also
//!   starts the WebDriver servers, which a person's double-click does not;
//! - "Log in" → first queue page: from the click, through the password check (Argon2id),
//!   to the first page's rows in a frame (timed in the page, `performance.now()`);
//! - → counts: to the queue's total and the top bar's case count;
//! - a later page: from a jump to the middle of the queue to that row in a frame;
//! - memory with the queue open: PSS (`/proc/PID/smaps_rollup`) summed over the app and
//!   every process under it (WebKit's web and network processes), RSS beside it.
//!
//! Targets: start → login screen ≤ 0.6 s; "Log in" → first page ≤ 0.3 s; PSS ≤ 330 MB.
//!
//! Beside them, the web engine's own floor on the same machine and display: WebKitGTK's
//! MiniBrowser (a window, its web and network processes, no app) from its start to the
//! first frame of a page of one line, which tells the server below in that frame. Skipped,
//! and said so, when the MiniBrowser is not installed.
//!
//! `cd ui && npm run build && cd .. && CARGO_INCREMENTAL=0 cargo build --release -p uw-desktop
//! --locked && UW_APP_BINARY=$PWD/target/release/underwriter-workstation cargo bench -p uw-e2e
//! --bench startup` (the path absolute: the bench runs in `tests/`). `UW_BENCH_DATA=DIR`
//! keeps the seeded store in DIR for the next run (seeding 100,000 cases takes minutes);
//! remove it afterwards. The store's key is a passphrase (`UW_STORE_PASSPHRASE`: no OS
//! keyring under Xvfb), whose PBKDF2 a keyring's raw key does not pay.
#![allow(clippy::float_arithmetic)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use uw_app::{OpenOptions, Workstation};
use uw_e2e::{retype, Display, Driver, Result};

const EXAMPLE: &str = include_str!("../../assets/demo/cases/AUTO-2026-000123.json");

fn seed(dir: &Path, n: usize) -> Result<()> {
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

/// Field `n` of a `/proc/PID/stat` text, numbered as `man 5 proc` does (4: the parent,
/// 22: the start time). The name in parentheses (field 2) may hold spaces, so the fields
/// are counted after its closing parenthesis, from field 3.
fn stat_field<T: std::str::FromStr>(stat: &str, n: usize) -> Option<T> {
    let (_, rest) = stat.rsplit_once(')')?;
    rest.split_whitespace().nth(n.checked_sub(3)?)?.parse().ok()
}

/// Parent pid of every process (from `/proc/PID/stat`).
fn parents() -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse().ok()) else {
            continue;
        };
        let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
        if let Some(ppid) = stat_field(&stat, 4) {
            out.push((pid, ppid));
        }
    }
    out
}

/// The processes running `binary`.
fn running(binary: &Path) -> Vec<u32> {
    parents()
        .into_iter()
        .map(|(pid, _)| pid)
        .filter(|pid| std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|exe| exe == binary))
        .collect()
}

/// The app started by this run: the process running `binary` that was not there before
/// (an earlier run's may still be closing), and every process below it.
fn app_processes(binary: &Path, before: &[u32]) -> Vec<u32> {
    let all = parents();
    let mut found: Vec<u32> = running(binary)
        .into_iter()
        .filter(|pid| !before.contains(pid))
        .collect();
    let mut i = 0;
    while i < found.len() {
        let parent = found[i];
        found.extend(
            all.iter()
                .filter(|&&(pid, ppid)| ppid == parent && !found.contains(&pid))
                .map(|&(pid, _)| pid)
                .collect::<Vec<_>>(),
        );
        i += 1;
    }
    found
}

/// (PSS, RSS) in KiB summed over `pids`, from `smaps_rollup`.
fn memory_kib(pids: &[u32]) -> (u64, u64) {
    let field = |text: &str, name: &str| {
        text.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
            .unwrap_or(0)
    };
    pids.iter()
        .map(|pid| std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default())
        .fold((0, 0), |(pss, rss), t| {
            (pss + field(&t, "Pss:"), rss + field(&t, "Rss:"))
        })
}

/// Polls the page every few milliseconds until `expr` is true; the seconds since `since`.
/// Each question has a time limit: WebKitWebDriver may hold one while the page loads.
async fn until(c: &fantoccini::Client, expr: &str, since: Instant) -> Result<f64> {
    let script = format!("return !!({expr})");
    loop {
        let asked = tokio::time::timeout(Duration::from_secs(2), c.execute(&script, vec![])).await;
        if let Ok(Ok(v)) = asked {
            if v == true {
                return Ok(since.elapsed().as_secs_f64());
            }
        }
        if since.elapsed() > Duration::from_secs(60) {
            return Err(format!("never true: {expr}").into());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Clicks "Log in" from inside the page and times, frame by frame, the first queue row
/// and the counts (the queue's total and the top bar's count): milliseconds from the click.
const LOG_IN: &str = r#"
const done = arguments[arguments.length - 1];
const t0 = performance.now();
const out = {};
document.querySelector('#login-button').click();
const tick = () => {
  const now = performance.now() - t0;
  if (out.first === undefined && document.querySelector('[data-testid=queue-row]')) out.first = now;
  const total = document.querySelector('[data-testid=queue-total]');
  const count = document.querySelector('[data-testid=case-count]');
  if (out.counts === undefined && total && total.textContent && count && count.textContent) out.counts = now;
  if ((out.first !== undefined && out.counts !== undefined) || now > 30000) done(out);
  else requestAnimationFrame(tick);
};
requestAnimationFrame(tick);
"#;

/// Jumps to the middle of the queue and times, frame by frame, until that row is shown.
const LATER_PAGE: &str = r#"
const done = arguments[arguments.length - 1];
const total = Number(arguments[0]);
const at = Math.floor(total / 2);
const scroller = document.querySelector('.queue-scroll');
const row = document.querySelector('[data-testid=queue-row]');
const t0 = performance.now();
scroller.scrollTop = at * row.offsetHeight;
const tick = () => {
  const now = performance.now() - t0;
  if (document.querySelector(`[data-testid=queue-row][data-index="${at}"]`) || now > 30000) done(now);
  else requestAnimationFrame(tick);
};
requestAnimationFrame(tick);
"#;

struct Run {
    login_screen: f64,
    from_exec: f64,
    first_page: f64,
    counts: f64,
    later_page: f64,
    pss_kib: u64,
    rss_kib: u64,
}

async fn run(display: &Display, data: &Path, binary: &Path, n: usize) -> Result<Run> {
    let driver = Driver::start(display, data)?;
    let before = running(binary);
    let t = Instant::now();
    let c = driver.session(&[]).await?;
    let login_screen = until(&c, "document.querySelector('[data-testid=login]')", t).await?;
    let seen = uptime_s()?;
    // The app's own part: from its process's start (the kernel's clock, in ticks of 10 ms),
    // without the WebDriver session's start of its driver before it.
    let app = app_processes(binary, &before)
        .first()
        .copied()
        .ok_or("the app's process is not running")?;
    let from_exec = seen - started_s(app)?;
    // The typing is the person's; timed is the app's part, from the click on.
    retype(&c, "input[name=username]", "bench").await?;
    retype(&c, "input[name=password]", "bench-password").await?;
    let logged = c.execute_async(LOG_IN, vec![]).await?;
    let ms = |key: &str| {
        logged[key]
            .as_f64()
            .ok_or_else(|| format!("{key} never came: {logged}"))
    };
    let (first_page, counts) = (ms("first")? / 1000.0, ms("counts")? / 1000.0);
    let later = c.execute_async(LATER_PAGE, vec![n.into()]).await?;
    let later_page = later.as_f64().ok_or("no later page")? / 1000.0;
    // The queue as a person sees it, settled.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let (pss_kib, rss_kib) = memory_kib(&app_processes(binary, &before));
    c.close().await?;
    drop(driver);
    // The next run starts on a machine without this one's app.
    let closing = Instant::now();
    while running(binary).iter().any(|pid| !before.contains(pid))
        && closing.elapsed() < Duration::from_secs(10)
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(Run {
        login_screen,
        from_exec,
        first_page,
        counts,
        later_page,
        pss_kib,
        rss_kib,
    })
}

/// Seconds since the machine started (`/proc/uptime`, to the hundredth).
fn uptime_s() -> Result<f64> {
    let text = std::fs::read_to_string("/proc/uptime")?;
    Ok(text
        .split_whitespace()
        .next()
        .ok_or("empty /proc/uptime")?
        .parse()?)
}

/// When process `pid` started, in seconds since the machine started: field 22 of its
/// `stat`, in clock ticks (100 a second on Linux: `getconf CLK_TCK`).
fn started_s(pid: u32) -> Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let ticks: u64 = stat_field(&stat, 22).ok_or("no start time in /proc/PID/stat")?;
    Ok(ticks as f64 / 100.0)
}

/// Where Debian and Ubuntu put WebKitGTK's MiniBrowser (`UW_MINIBROWSER` for elsewhere).
fn minibrowser() -> Option<PathBuf> {
    std::env::var_os("UW_MINIBROWSER")
        .map(PathBuf::from)
        .into_iter()
        .chain([PathBuf::from(
            "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser",
        )])
        .find(|p| p.is_file())
}

/// The MiniBrowser's start to the first frame of a one-line page: the frame's callback
/// asks a local listener, whose accepting the connection ends the timing.
fn engine_floor(display: &Display, browser: &Path) -> Result<f64> {
    use std::net::TcpListener;
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let dir = tempfile::tempdir()?;
    let page = dir.path().join("page.html");
    std::fs::write(
        &page,
        format!(
            "<!doctype html><p>Underwriter Workstation</p><script>\
             requestAnimationFrame(() => fetch('http://127.0.0.1:{port}/frame'));</script>"
        ),
    )?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(listener.accept().map(|_| Instant::now()));
    });
    let t = Instant::now();
    let mut child = std::process::Command::new(browser)
        .arg(format!("file://{}", page.display()))
        .env("DISPLAY", &display.name)
        // As the app's window runs in the tests and benchmarks (`uw_e2e::Driver`).
        .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
        .env("LIBGL_ALWAYS_SOFTWARE", "1")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    let framed = rx.recv_timeout(Duration::from_secs(30));
    let _ = child.kill();
    let _ = child.wait();
    let at = framed.map_err(|_| "the MiniBrowser never showed its page")??;
    Ok((at - t).as_secs_f64())
}

/// "median (min–max)" of the figures.
fn spread(mut v: Vec<f64>, unit: &str, digits: usize) -> String {
    v.sort_by(|a, b| a.total_cmp(b));
    let med = if v.len() % 2 == 1 {
        v[v.len() / 2]
    } else {
        (v[v.len() / 2 - 1] + v[v.len() / 2]) / 2.0
    };
    format!(
        "{med:.digits$} {unit} ({:.digits$}–{:.digits$})",
        v[0],
        v[v.len() - 1]
    )
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let env = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let n = env("UW_BENCH_CASES", 100_000);
    let runs = env("UW_BENCH_RUNS", 5).max(1);
    let binary = std::fs::canonicalize(uw_e2e::app_binary()?)?;
    let temp = tempfile::tempdir()?;
    let data = std::env::var_os("UW_BENCH_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| temp.path().to_path_buf());
    if data.join("cases.db").exists() {
        println!("the store seeded in {} before", data.display());
    } else {
        let t = Instant::now();
        seed(&data, n)?;
        println!("seeded {n} cases in {:.0} s", t.elapsed().as_secs_f64());
    }
    let display = Display::start()?;
    let mut all = Vec::new();
    for i in 0..runs {
        let r = run(&display, &data, &binary, n).await?;
        println!(
            "run {}: login screen {:.3} s ({:.2} s from the app's start), first page {:.3} s, counts {:.3} s, later page {:.3} s, PSS {:.0} MB, RSS {:.0} MiB",
            i + 1,
            r.login_screen,
            r.from_exec,
            r.first_page,
            r.counts,
            r.later_page,
            r.pss_kib as f64 * 1024.0 / 1e6,
            r.rss_kib as f64 / 1024.0
        );
        all.push(r);
    }
    match minibrowser() {
        Some(browser) => {
            let mut floor = Vec::new();
            for _ in 0..runs {
                floor.push(engine_floor(&display, &browser)?);
            }
            println!(
                "figure: the web engine's floor: WebKitGTK's MiniBrowser, start → first frame of a one-line page | — | {}, median (min–max) of {runs} runs",
                spread(floor, "s", 3)
            );
        }
        None => println!(
            "figure: the web engine's floor (WebKitGTK's MiniBrowser) | — | skipped: no MiniBrowser here"
        ),
    }
    let col = |f: fn(&Run) -> f64| all.iter().map(f).collect::<Vec<_>>();
    for (what, target, v) in [
        (
            "start → login screen (WebDriver's new session: its driver's start included)",
            "≤ 0.6 s",
            spread(col(|r| r.login_screen), "s", 3),
        ),
        (
            "the app's process start → login screen (to the kernel's 10 ms tick)",
            "≤ 0.6 s",
            spread(col(|r| r.from_exec), "s", 2),
        ),
        (
            "“Log in” → first queue page (Argon2id included)",
            "≤ 0.3 s",
            spread(col(|r| r.first_page), "s", 3),
        ),
        (
            "“Log in” → counts",
            "after the page",
            spread(col(|r| r.counts), "s", 3),
        ),
        (
            "a later page (the middle of the queue)",
            "—",
            spread(col(|r| r.later_page), "s", 3),
        ),
        (
            "PSS of the app's processes, queue open",
            "≤ 330 MB",
            spread(col(|r| r.pss_kib as f64 * 1024.0 / 1e6), "MB", 0),
        ),
        (
            "RSS of the app's processes, queue open",
            "—",
            spread(col(|r| r.rss_kib as f64 / 1024.0), "MiB", 0),
        ),
    ] {
        println!("figure: {what}, {n} cases | {target} | {v}, median (min–max) of {runs} runs");
    }
    Ok(())
}

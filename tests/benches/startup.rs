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
//! The store's key as a desk has it: in the OS keyring (a random key, no key derivation at
//! the start). The runs above open a store keyed by a passphrase (`UW_STORE_PASSPHRASE`),
//! whose PBKDF2 (256,000 rounds of HMAC-SHA512, a third of a second of one core) the start
//! pays beside the web engine's; the start → login screen is timed again with a copy of
//! the store put under a keyring key, in a session bus of the benchmark's own with GNOME's
//! keyring daemon unlocked. Skipped, and said so, without `dbus-daemon`,
//! `gnome-keyring-daemon` and `secret-tool` (Debian: `dbus`, `gnome-keyring`,
//! `libsecret-tools`).
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
        supervisor: None,
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

/// The login's figures of a keyring start.
struct Start {
    login_screen: f64,
    from_exec: f64,
}

/// The start → login screen: from asking for the app to the login form in the page, and
/// from the app's process start to it.
async fn start(c: &fantoccini::Client, binary: &Path, before: &[u32], t: Instant) -> Result<Start> {
    let login_screen = until(c, "document.querySelector('[data-testid=login]')", t).await?;
    let seen = uptime_s()?;
    // The app's own part: from its process's start (the kernel's clock, in ticks of 10 ms),
    // without the WebDriver session's start of its driver before it.
    let app = app_processes(binary, before)
        .first()
        .copied()
        .ok_or("the app's process is not running")?;
    Ok(Start {
        login_screen,
        from_exec: seen - started_s(app)?,
    })
}

/// Closes the session and waits until this run's app is gone: the next run starts on a
/// machine without it.
async fn close(c: fantoccini::Client, driver: Driver, binary: &Path, before: &[u32]) -> Result<()> {
    c.close().await?;
    drop(driver);
    let closing = Instant::now();
    while running(binary).iter().any(|pid| !before.contains(pid))
        && closing.elapsed() < Duration::from_secs(10)
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

/// A start to the login screen with the store's key in the keyring of `bus`.
async fn keyring_run(display: &Display, data: &Path, binary: &Path, bus: &str) -> Result<Start> {
    let driver = Driver::start_env(display, data, None, &[("DBUS_SESSION_BUS_ADDRESS", bus)])?;
    let before = running(binary);
    let t = Instant::now();
    let c = driver.session(&[]).await?;
    let s = start(&c, binary, &before, t).await?;
    close(c, driver, binary, &before).await?;
    Ok(s)
}

async fn run(display: &Display, data: &Path, binary: &Path, n: usize) -> Result<Run> {
    let driver = Driver::start(display, data)?;
    let before = running(binary);
    let t = Instant::now();
    let c = driver.session(&[]).await?;
    let Start {
        login_screen,
        from_exec,
    } = start(&c, binary, &before, t).await?;
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
    close(c, driver, binary, &before).await?;
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

/// A session bus and GNOME's keyring daemon on it, unlocked, in a home of their own: the
/// OS keyring of a desk, for the runs whose store's key is kept there. Both stop when
/// this is dropped.
struct SessionKeyring {
    address: String,
    bus: std::process::Child,
    daemon: std::process::Child,
    _home: tempfile::TempDir,
}

impl SessionKeyring {
    /// `None` when the machine lacks one of the programs.
    fn start() -> Result<Option<SessionKeyring>> {
        use std::io::{BufRead, Write};
        use std::process::{Command, Stdio};
        let on_path = |p: &str| {
            std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
                .any(|d| d.join(p).is_file())
        };
        if !["dbus-daemon", "gnome-keyring-daemon", "secret-tool"]
            .iter()
            .all(|p| on_path(p))
        {
            return Ok(None);
        }
        let home = tempfile::tempdir()?;
        let mut bus = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let mut address = String::new();
        if let Some(out) = bus.stdout.take() {
            std::io::BufReader::new(out).read_line(&mut address)?;
        }
        let address = address.trim().to_string();
        let mut daemon = Command::new("gnome-keyring-daemon")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .env("DBUS_SESSION_BUS_ADDRESS", &address)
            .env("HOME", home.path())
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("XDG_RUNTIME_DIR", home.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        // The login keyring's password, and the end of it.
        if let Some(mut stdin) = daemon.stdin.take() {
            stdin.write_all(b"bench")?;
        }
        let keyring = SessionKeyring {
            address,
            bus,
            daemon,
            _home: home,
        };
        if keyring.address.is_empty() {
            return Err("dbus-daemon gave no address".into());
        }
        Ok(Some(keyring))
    }

    fn secret_tool(&self) -> std::process::Command {
        let mut c = std::process::Command::new("secret-tool");
        c.env("DBUS_SESSION_BUS_ADDRESS", &self.address);
        c
    }
}

impl Drop for SessionKeyring {
    fn drop(&mut self) {
        for child in [&mut self.daemon, &mut self.bus] {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The app's keyring entries, through `secret-tool` on the benchmark's session bus: the
/// app's own [`uw_app::keyring::SecretTool`] runs it with the app's environment, and this
/// process has no session bus of its own.
impl uw_app::keyring::Keyring for SessionKeyring {
    fn lookup(&self, data_dir: &Path) -> std::result::Result<Option<[u8; 32]>, String> {
        let out = self
            .secret_tool()
            .args(["lookup", "service", uw_app::paths::APP_IDENTIFIER, "store"])
            .arg(data_dir)
            .output()
            .map_err(|e| e.to_string())?;
        let hex = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if hex.is_empty() {
            return Ok(None);
        }
        let mut key = [0u8; 32];
        for (i, b) in key.iter_mut().enumerate() {
            *b = hex
                .get(2 * i..2 * i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or("not a key")?;
        }
        Ok(Some(key))
    }

    fn store(&self, data_dir: &Path, key: &[u8; 32]) -> std::result::Result<(), String> {
        use std::io::Write;
        let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
        // The daemon may still be starting: a few tries.
        for _ in 0..50 {
            let mut child = self
                .secret_tool()
                .args(["store", "--label=bench store"])
                .args(["service", uw_app::paths::APP_IDENTIFIER, "store"])
                .arg(data_dir)
                .stdin(std::process::Stdio::piped())
                .stderr(std::process::Stdio::null())
                .spawn()
                .map_err(|e| e.to_string())?;
            if let Some(mut stdin) = child.stdin.take() {
                stdin.write_all(hex.as_bytes()).map_err(|e| e.to_string())?;
            }
            if child.wait().map_err(|e| e.to_string())?.success()
                && self.lookup(data_dir)? == Some(*key)
            {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err("the keyring daemon never took the key".into())
    }
}

/// A copy of the seeded store put under a random key kept in `keyring` (the store's own
/// rekey, as `uw store rekey` does it).
fn keyring_store(seeded: &Path, keyring: &SessionKeyring) -> Result<tempfile::TempDir> {
    let copy = tempfile::tempdir()?;
    for entry in std::fs::read_dir(seeded)? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            std::fs::copy(entry.path(), copy.path().join(entry.file_name()))?;
        }
    }
    uw_app::store_key::rekey(
        keyring,
        copy.path(),
        &uw_app::StoreKey::Passphrase(uw_e2e::E2E_PASSPHRASE.into()),
        uw_app::store_key::NewKey::Random,
        "bench",
        |_| Ok(()),
    )?;
    Ok(copy)
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
    match SessionKeyring::start()? {
        Some(keyring) => {
            let t = Instant::now();
            let store = keyring_store(&data, &keyring)?;
            println!(
                "the store copied and put under a keyring key in {:.0} s",
                t.elapsed().as_secs_f64()
            );
            let mut starts = Vec::new();
            for i in 0..runs {
                let s = keyring_run(&display, store.path(), &binary, &keyring.address).await?;
                println!(
                    "keyring run {}: login screen {:.3} s ({:.2} s from the app's start)",
                    i + 1,
                    s.login_screen,
                    s.from_exec
                );
                starts.push(s);
            }
            let col = |f: fn(&Start) -> f64| starts.iter().map(f).collect::<Vec<_>>();
            println!(
                "figure: start → login screen, the store's key in the OS keyring (a desk's start; WebDriver's new session included), {n} cases | ≤ 0.6 s | {}, median (min–max) of {runs} runs",
                spread(col(|s| s.login_screen), "s", 3)
            );
            println!(
                "figure: the app's process start → login screen, the key in the OS keyring, {n} cases | ≤ 0.6 s | {}, median (min–max) of {runs} runs",
                spread(col(|s| s.from_exec), "s", 2)
            );
        }
        None => println!(
            "figure: start → login screen, the store's key in the OS keyring | ≤ 0.6 s | skipped: no dbus-daemon, gnome-keyring-daemon or secret-tool here"
        ),
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
            "start → login screen, the store's key a passphrase (its PBKDF2 at the start; WebDriver's new session: its driver's start included)",
            "≤ 0.6 s",
            spread(col(|r| r.login_screen), "s", 3),
        ),
        (
            "the app's process start → login screen, the key a passphrase (to the kernel's 10 ms tick)",
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

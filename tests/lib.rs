//! The end-to-end harness: the real desktop app in a real X server (Xvfb), driven through
//! tauri-driver and WebKitWebDriver, on a fresh data folder with a real SQLite file.
//!
//! Every part is started here and stopped on drop. tauri-driver is stopped with SIGTERM:
//! a SIGKILL would orphan its WebKitWebDriver, and a later run would silently talk to it.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// The workspace root (this crate lives in `tests/`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The desktop binary, built by `cargo build -p uw-desktop` before the tests run, or the
/// one `UW_APP_BINARY` names (the start-up benchmark measures a release build).
pub fn app_binary() -> Result<PathBuf> {
    if let Some(bin) = std::env::var_os("UW_APP_BINARY").map(PathBuf::from) {
        return if bin.exists() {
            Ok(bin)
        } else {
            Err(format!("UW_APP_BINARY {} does not exist", bin.display()).into())
        };
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"));
    let bin = target.join("debug/underwriter-workstation");
    if bin.exists() {
        Ok(bin)
    } else {
        Err(format!(
            "{} is missing: run `cargo build -p uw-desktop` first",
            bin.display()
        )
        .into())
    }
}

fn find_tool(name: &str) -> Result<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    if let Some(home) = std::env::var_os("HOME") {
        dirs.push(PathBuf::from(home).join(".cargo/bin"));
    }
    dirs.into_iter()
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .ok_or_else(|| format!("{name} not found on PATH (see .ci/setup)").into())
}

pub fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn wait_for(what: &str, timeout: Duration, mut ready: impl FnMut() -> bool) -> Result<()> {
    let start = Instant::now();
    while start.elapsed() < timeout {
        if ready() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(format!("{what} did not come up within {timeout:?}").into())
}

fn terminate(child: &mut Child) {
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// An X display: the caller's `DISPLAY`, or an Xvfb started for the test.
pub struct Display {
    pub name: String,
    child: Option<Child>,
}

impl Display {
    pub fn start() -> Result<Display> {
        if let Ok(d) = std::env::var("DISPLAY") {
            if !d.is_empty() {
                return Ok(Display {
                    name: d,
                    child: None,
                });
            }
        }
        let xvfb = find_tool("Xvfb")?;
        for n in 90..190 {
            let socket = PathBuf::from(format!("/tmp/.X11-unix/X{n}"));
            let lock = PathBuf::from(format!("/tmp/.X{n}-lock"));
            if socket.exists() || lock.exists() {
                continue;
            }
            let mut child = Command::new(&xvfb)
                .args([
                    format!(":{n}"),
                    "-screen".into(),
                    "0".into(),
                    "1400x900x24".into(),
                    "-nolisten".into(),
                    "tcp".into(),
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()?;
            if wait_for("Xvfb", Duration::from_secs(10), || socket.exists()).is_ok() {
                return Ok(Display {
                    name: format!(":{n}"),
                    child: Some(child),
                });
            }
            terminate(&mut child);
        }
        Err("no free X display number between :90 and :189".into())
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        if let Some(c) = self.child.as_mut() {
            terminate(c);
        }
    }
}

/// The case store's passphrase in the end-to-end tests (no OS keyring under Xvfb).
pub const E2E_PASSPHRASE: &str = "e2e store passphrase";

/// tauri-driver (which starts WebKitWebDriver) on free ports. The sessions talk to
/// WebKitWebDriver itself, on its port, with the capabilities tauri-driver would hand it:
/// tauri-driver's proxy holds some one request in five back by some 45 ms (a script
/// returning 1: 44 ms at the 90th percentile through it, under 2 ms without it), time that
/// the window benchmarks would count as the app's.
pub struct Driver {
    pub port: u16,
    native_port: u16,
    child: Child,
}

impl Driver {
    pub fn start(display: &Display, data_dir: &Path) -> Result<Driver> {
        Driver::start_with(display, data_dir, Some(E2E_PASSPHRASE))
    }

    /// `passphrase` None: the app gets no store passphrase (and, under Xvfb, has no OS
    /// keyring), so it asks for one on its unlock screen.
    pub fn start_with(
        display: &Display,
        data_dir: &Path,
        passphrase: Option<&str>,
    ) -> Result<Driver> {
        Driver::start_env(display, data_dir, passphrase, &[])
    }

    /// With extra environment for the app (such as the core bank's address).
    pub fn start_env(
        display: &Display,
        data_dir: &Path,
        passphrase: Option<&str>,
        env: &[(&str, &str)],
    ) -> Result<Driver> {
        let port = free_port()?;
        let native_port = free_port()?;
        let mut command = Command::new(find_tool("tauri-driver")?);
        // The tests read the English texts; the language test overrides this (an empty
        // value = no default given = Uzbek).
        command.env("UW_LANGUAGE", "en");
        command.envs(env.iter().copied());
        match passphrase {
            Some(p) => command.env("UW_STORE_PASSPHRASE", p),
            None => command.env_remove("UW_STORE_PASSPHRASE"),
        };
        let child = command
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .env("DISPLAY", &display.name)
            .env("UW_DATA_DIR", data_dir)
            // The window must not depend on a GPU the machine may not have.
            .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
            .env("LIBGL_ALWAYS_SOFTWARE", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let mut d = Driver {
            port,
            native_port,
            child,
        };
        if let Err(e) = wait_for("tauri-driver", Duration::from_secs(20), || {
            [port, native_port]
                .iter()
                .all(|p| std::net::TcpStream::connect(("127.0.0.1", *p)).is_ok())
        }) {
            terminate(&mut d.child);
            return Err(e);
        }
        Ok(d)
    }

    /// Starts the app (a new WebDriver session) with extra command-line arguments, and
    /// waits for its page to finish loading.
    pub async fn launch(&self, args: &[&str]) -> Result<Client> {
        let client = self.session(args).await?;
        // WebKitWebDriver can block a find issued before the first page has loaded; ask
        // the page itself until it reports complete.
        let start = Instant::now();
        loop {
            let state = tokio::time::timeout(
                Duration::from_secs(2),
                client.execute("return document.readyState", vec![]),
            )
            .await;
            if let Ok(Ok(v)) = state {
                if v == "complete" {
                    break;
                }
            }
            if start.elapsed() > Duration::from_secs(30) {
                return Err("the app's page never finished loading".into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(client)
    }

    /// Starts the app (a new WebDriver session), returning as soon as the session exists:
    /// its page may still be loading (the start-up benchmark times that itself).
    pub async fn session(&self, args: &[&str]) -> Result<Client> {
        // The WebDriver client's rustls and the bank client's both link here; with two
        // crypto providers compiled in, rustls needs one named (an error = already set).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut caps = serde_json::Map::new();
        // What tauri-driver makes of `tauri:options` on Linux.
        caps.insert(
            "webkitgtk:browserOptions".into(),
            json!({"binary": app_binary()?, "args": args}),
        );
        caps.insert("browserName".into(), json!("wry"));
        // WebKitWebDriver sometimes drops the very first session request while it starts
        // (an incomplete answer): asked again once, after a pause.
        let url = format!("http://127.0.0.1:{}", self.native_port);
        let client = match ClientBuilder::rustls()?
            .capabilities(caps.clone())
            .connect(&url)
            .await
        {
            Ok(c) => c,
            Err(first) => {
                tokio::time::sleep(Duration::from_millis(500)).await;
                ClientBuilder::rustls()?
                    .capabilities(caps)
                    .connect(&url)
                    .await
                    .map_err(|e| format!("{e} (after {first})"))?
            }
        };
        Ok(client)
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        terminate(&mut self.child);
    }
}

/// Whether a WebDriver error is the page moving under the query (an element not there
/// yet, or replaced by a re-render between finding and using it): worth another try.
fn transient(e: &fantoccini::error::CmdError) -> bool {
    use fantoccini::error::{CmdError, ErrorStatus};
    match e {
        CmdError::Standard(w) => matches!(
            w.error,
            ErrorStatus::NoSuchElement | ErrorStatus::StaleElementReference
        ),
        other => other.to_string().contains("Stale element"),
    }
}

/// Waits for an element (20 s), with a message that says which.
pub async fn find(c: &Client, css: &str) -> Result<fantoccini::elements::Element> {
    let start = Instant::now();
    loop {
        match c.find(Locator::Css(css)).await {
            Ok(el) => return Ok(el),
            Err(e) if transient(&e) && start.elapsed() < Duration::from_secs(20) => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => return Err(format!("waiting for {css}: {e}").into()),
        }
    }
}

/// Clicks an element after scrolling it into the middle of the window; one replaced by a
/// re-render meanwhile is found again.
pub async fn click(c: &Client, css: &str) -> Result<()> {
    let start = Instant::now();
    loop {
        let el = find(c, css).await?;
        let clicked = async {
            c.execute(
                "arguments[0].scrollIntoView({block: 'center'})",
                vec![serde_json::to_value(&el)
                    .map_err(|e| fantoccini::error::CmdError::NotJson(e.to_string()))?],
            )
            .await?;
            el.click().await
        }
        .await;
        match clicked {
            Ok(_) => return Ok(()),
            Err(e) if transient(&e) && start.elapsed() < Duration::from_secs(20) => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => return Err(format!("clicking {css}: {e}").into()),
        }
    }
}

/// Waits until the element's text satisfies `pred`; returns the text.
pub async fn wait_text(c: &Client, css: &str, pred: impl Fn(&str) -> bool) -> Result<String> {
    let start = Instant::now();
    let mut last = String::new();
    while start.elapsed() < Duration::from_secs(20) {
        if let Ok(el) = c.find(Locator::Css(css)).await {
            if let Ok(t) = el.text().await {
                if pred(&t) {
                    return Ok(t);
                }
                last = t;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!("{css}: text never matched; last seen {last:?}").into())
}

/// Presses keys on the page the way a person does (WebDriver key actions to whatever has
/// the focus): characters, or `fantoccini::key::Key` values as chars.
pub async fn press(c: &Client, keys: &[char]) -> Result<()> {
    use fantoccini::actions::{InputSource, KeyAction, KeyActions};
    let mut actions = KeyActions::new("keyboard".into());
    for k in keys {
        actions = actions
            .then(KeyAction::Down { value: *k })
            .then(KeyAction::Up { value: *k });
    }
    c.perform_actions(actions).await?;
    Ok(())
}

/// Replaces the content of a text input the way a person does: select all, type.
pub async fn retype(c: &Client, css: &str, text: &str) -> Result<()> {
    let el = find(c, css).await?;
    el.click().await?;
    // Ctrl+A, release modifiers, Backspace, then the new text.
    el.send_keys("\u{E009}a\u{E000}\u{E003}").await?;
    // WebKit's driver refuses an empty text: clearing is the Backspace above.
    if !text.is_empty() {
        el.send_keys(text).await?;
    }
    Ok(())
}

/// Sets a form field the way the person's input would (the value, then an `input` event
/// React hears): for a date field, which WebKit's driver cannot type into.
pub async fn set_value(c: &Client, css: &str, value: &str) -> Result<()> {
    find(c, css).await?;
    c.execute(
        "const el = document.querySelector(arguments[0]);\
         const proto = el instanceof HTMLSelectElement ? HTMLSelectElement.prototype : HTMLInputElement.prototype;\
         Object.getOwnPropertyDescriptor(proto, 'value').set.call(el, arguments[1]);\
         el.dispatchEvent(new Event(el instanceof HTMLSelectElement ? 'change' : 'input', { bubbles: true }));",
        vec![css.into(), value.into()],
    )
    .await?;
    Ok(())
}

/// Saves a PNG of the whole X display under `target/screenshots/` (for looking at what
/// was built), with ImageMagick's `import` when it is installed. WebKitWebDriver's own
/// screenshot command hangs under Xvfb, so it is not used.
pub fn screenshot(display: &Display, name: &str) -> Option<PathBuf> {
    let import = find_tool("import").ok()?;
    let dir = workspace_root().join("target/screenshots");
    std::fs::create_dir_all(&dir).ok()?;
    let path = dir.join(format!("{name}.png"));
    let ok = Command::new(import)
        .args(["-window", "root", &path.display().to_string()])
        .env("DISPLAY", &display.name)
        .status()
        .is_ok_and(|s| s.success());
    ok.then_some(path)
}

/// The words of a PDF as `pdftotext -layout` reads them (poppler-utils), single-spaced
/// with no-break spaces as plain ones: a phrase reads the same across a line break.
pub fn pdf_text(pdf: &Path) -> Result<String> {
    let out = Command::new(find_tool("pdftotext")?)
        .arg("-layout")
        .arg(pdf)
        .arg("-")
        .output()?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned().into());
    }
    let text = String::from_utf8(out.stdout)?.replace('\u{a0}', " ");
    Ok(text.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// The PDF's first page as a picture beside the screenshots (`target/screenshots`), to be
/// looked at as the user sees it.
pub fn pdf_first_page(pdf: &Path, name: &str) -> Result<PathBuf> {
    let dir = workspace_root().join("target/screenshots");
    std::fs::create_dir_all(&dir)?;
    let stem = dir.join(name);
    let ok = Command::new(find_tool("pdftoppm")?)
        .args(["-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile"])
        .arg(pdf)
        .arg(&stem)
        .status()?
        .success();
    if !ok {
        return Err(format!("pdftoppm could not draw {}", pdf.display()).into());
    }
    Ok(stem.with_extension("png"))
}

/// The e2e tests share one display and run one app at a time (2 cores, one WebKit).
pub async fn serial() -> tokio::sync::MutexGuard<'static, ()> {
    static LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    LOCK.lock().await
}

/// Logs in through the login screen and waits for the user's name in the top bar.
pub async fn login(c: &Client, user: &str, password: &str) -> Result<()> {
    retype(c, "input[name=username]", user).await?;
    retype(c, "input[name=password]", password).await?;
    click(c, "#login-button").await?;
    wait_text(c, "[data-testid=user]", |t| !t.is_empty()).await?;
    Ok(())
}

/// The demo users' password (README, "Logging in to the demo").
pub fn demo_password(user: &str) -> String {
    format!("{user}-demo-2026")
}

/// Prints the agreement shown (in its chosen language) and reads the PDF the notice names;
/// `suffix` is how that file's name ends (`-ru.pdf`).
pub async fn print_agreement(c: &Client, suffix: &str) -> Result<Vec<u8>> {
    click(c, "#print-agreement").await?;
    let notice = wait_text(c, "[data-testid=agreement-printed]", |t| t.contains(suffix)).await?;
    let path = notice
        .split_whitespace()
        .find(|w| w.ends_with(".pdf"))
        .unwrap_or_default()
        .to_string();
    let pdf = std::fs::read(&path)?;
    if !pdf.starts_with(b"%PDF-") {
        return Err(format!("{path} is not a PDF").into());
    }
    Ok(pdf)
}

/// Opens a case from the queue and one of its steps (`parties`, `income`, `review`, …).
pub async fn open_step(c: &Client, case_id: &str, step: &str) -> Result<()> {
    click(
        c,
        &format!("[data-testid=queue-row][data-case-id='{case_id}'] td"),
    )
    .await?;
    find(
        c,
        &format!("[data-testid=case-view][data-case-id='{case_id}']"),
    )
    .await?;
    click(c, &format!("[data-step={step}]")).await?;
    Ok(())
}

/// The log in a window's data folder (`<data>/logs/*.log`): its text, and each line parsed.
pub fn read_log(data_dir: &Path) -> Result<(String, Vec<serde_json::Value>)> {
    let mut text = String::new();
    for file in uw_app::logs::files(&uw_app::logs::folder(data_dir)) {
        text.push_str(&std::fs::read_to_string(&file)?);
    }
    let mut lines = Vec::new();
    for line in text.lines() {
        lines.push(serde_json::from_str(line).map_err(|e| format!("{line}: {e}"))?);
    }
    Ok((text, lines))
}

/// Scans every line of a window's log for the demo cases' personal data (every party's
/// name, PINFL, document number and phone; the loan and income amounts in each form) and
/// the bank's token: an error lists each one found. Returns the lines.
pub fn log_without_personal_data(data_dir: &Path, token: &str) -> Result<Vec<serde_json::Value>> {
    let (text, lines) = read_log(data_dir)?;
    let mut needles =
        uw_app::privacy::needles_of_case_files(&workspace_root().join("assets/demo/cases"))?;
    needles.push(uw_app::privacy::token(token));
    let found = uw_app::privacy::scan(&text, &needles);
    if !found.is_empty() {
        let list: Vec<String> = found.iter().map(ToString::to_string).collect();
        return Err(format!("personal data in the log:\n{}", list.join("\n")).into());
    }
    Ok(lines)
}

/// The bank's token in the end-to-end tests.
pub const BANK_TOKEN: &str = "e2e-bank";

/// The bank simulator holding the demo queue (its registry registering a prohibition after
/// `pledge_delay`), and the window's driver set up against it.
pub fn bank_and_window(
    data: &Path,
    pledge_delay: Duration,
) -> Result<(uw_bank_sim::Running, Display, Driver)> {
    let mut config = uw_bank_sim::SimConfig::new(&data.join("bank.db"));
    config.token = BANK_TOKEN.into();
    config.seed_cases = Some(workspace_root().join("assets/demo/cases"));
    config.pledge_delay = pledge_delay;
    config.loan_book = Some(workspace_root().join("assets/demo/loan-book.json"));
    let bank = uw_bank_sim::start(config)?;
    let display = Display::start()?;
    let driver = Driver::start_env(
        &display,
        &data.join("store"),
        Some(E2E_PASSPHRASE),
        &[
            ("UW_BANK_URL", bank.url().as_str()),
            ("UW_BANK_TOKEN", BANK_TOKEN),
            // Print writes the PDF; no viewer is started under Xvfb.
            ("UW_OPEN_WITH", "none"),
        ],
    )?;
    Ok((bank, display, driver))
}

/// The demo borrower of AUTO-2026-000123 and the bureau's report on him.
pub const BUREAU_PINFL: &str = "31502901234569";

pub fn bureau_report() -> serde_json::Value {
    json!({
        "pinfl": BUREAU_PINFL, "as_of": "2026-11-20",
        "loans": [{"lender": "Hamkorbank", "kind": "card", "opened": "2024-06-10",
                   "amount": "5000000.00", "outstanding": "2100000.00", "monthly_payment": "350000.00"}],
        "guarantees": [], "overdue_amount": "0.00", "overdue_days": 0,
        "episodes_90_plus": [{"lender": "SQB", "from": "2019-02-01", "to": "2019-06-15", "max_days_past_due": 134}],
        "closed_loans": []
    })
}

/// The bureau's latency in the responsiveness test and benchmark.
pub const BUREAU_LATENCY: Duration = Duration::from_secs(10);

/// One answer of the window while the bureau pull waits at the bank.
#[derive(Debug)]
pub struct Answer {
    /// What was done: `search AUTO-…`, `clear search`, `End`, `Home`.
    pub action: String,
    /// From the action sent through WebDriver to its result seen on screen.
    pub took: Duration,
    /// The window's own part, on the page's clock: from the last key's event to the first
    /// frame showing the result (a frame is 16 ms at 60 Hz).
    pub in_page: Duration,
    /// From the keys sent to that frame, by the machine's clock (the page's time origin
    /// plus its clock against the wall clock at the sending): the key's way to the page
    /// included, but not WebDriver's own waiting after the keys nor its asking after the
    /// result.
    pub on_screen: Duration,
    /// The pull was still in flight when the result was seen (its badge in the top bar).
    pub pull_in_flight: bool,
}

/// How the pull ended: `done` or `failed`, and the top bar's words for it.
#[derive(Debug)]
pub struct PullOutcome {
    pub state: String,
    pub text: String,
}

/// Watches in the page for the result of the keys about to be sent: each key's event until
/// `check` (a function body over `arguments`) holds at the start of an animation frame,
/// timed on the page's clock. [`answered`] reads it.
async fn arm(c: &Client, check: &str, args: &[serde_json::Value]) -> Result<()> {
    let script = format!(
        "const args = [...arguments]; \
         const holds = function () {{ {check} }}; \
         const a = {{ armed: performance.now() }}; \
         window.__uwAnswer = a; \
         const onKey = () => {{ if (a.shown === undefined) a.key = performance.now(); }}; \
         a.origin = performance.timeOrigin; \
         document.addEventListener('keydown', onKey, {{ capture: true }}); \
         const tick = () => {{ \
           if (a.key !== undefined && holds.apply(null, args)) {{ a.shown = performance.now(); }} \
           if (a.shown !== undefined || performance.now() - a.armed > 30000) {{ \
             document.removeEventListener('keydown', onKey, {{ capture: true }}); return; }} \
           requestAnimationFrame(tick); }}; \
         requestAnimationFrame(tick);"
    );
    c.execute(&script, args.to_vec()).await?;
    Ok(())
}

/// The wall clock in milliseconds since 1970, as the page's `performance.timeOrigin`.
#[allow(clippy::float_arithmetic)]
fn wall_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// The keys about to be sent: when, by WebDriver's side's clocks.
struct Sent {
    at: Instant,
    wall_ms: f64,
}

impl Sent {
    fn now() -> Sent {
        Sent {
            wall_ms: wall_ms(),
            at: Instant::now(),
        }
    }
}

/// `action`'s answer, once `check` (a script over `arguments`) holds: the time since `sent`,
/// the page's own times from [`arm`], and whether the pull was in flight at that moment.
#[allow(clippy::float_arithmetic)]
async fn answered(
    c: &Client,
    action: String,
    sent: Sent,
    check: &str,
    args: Vec<serde_json::Value>,
) -> Result<Answer> {
    let (took, pull_in_flight) = seen(c, sent.at, check, args).await?;
    // The frame that showed it may come a moment after WebDriver's question saw it.
    let page = Instant::now();
    let ms = |x: f64| Duration::from_secs_f64((x / 1000.0).max(0.0));
    loop {
        let v = c
            .execute(
                "const a = window.__uwAnswer || {}; return [a.key, a.shown, a.origin];",
                vec![],
            )
            .await?;
        if let (Some(key), Some(shown), Some(origin)) =
            (v[0].as_f64(), v[1].as_f64(), v[2].as_f64())
        {
            return Ok(Answer {
                action,
                took,
                in_page: ms(shown - key),
                on_screen: ms(origin + shown - sent.wall_ms),
                pull_in_flight,
            });
        }
        if page.elapsed() > Duration::from_secs(5) {
            return Err(format!("the page never timed its answer: {v}").into());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Polls the page until `check` (a script returning `[answered, pull in flight]`) answers;
/// returns the time since `since` and whether the pull was in flight at that moment.
async fn seen(
    c: &Client,
    since: Instant,
    check: &str,
    args: Vec<serde_json::Value>,
) -> Result<(Duration, bool)> {
    let script = format!(
        "const answered = (() => {{ {check} }})(); \
         const inFlight = document.querySelector('[data-testid=working][data-command=pull_bureau]') !== null; \
         return [answered, inFlight];"
    );
    loop {
        let v = c.execute(&script, args.clone()).await?;
        if v[0] == true {
            return Ok((since.elapsed(), v[1] == true));
        }
        if since.elapsed() > Duration::from_secs(20) {
            let seen = c
                .execute(
                    &format!(
                        "{ROW_IDS} return [document.querySelector('#queue-search')?.value, ids];"
                    ),
                    vec![],
                )
                .await?;
            return Err(format!("no answer on screen: {check} {args:?}; seen {seen}").into());
        }
    }
}

const ROW_IDS: &str = "const ids = [...document.querySelectorAll('[data-testid=queue-row]')].map((r) => r.dataset.caseId);";
const SELECTED_AT: &str =
    "const rows = [...document.querySelectorAll('[data-testid=queue-row]')]; \
     const i = arguments[0] < 0 ? rows.length - 1 : arguments[0]; \
     return rows.length > 1 && rows[i].getAttribute('aria-selected') === 'true';";

/// The bureau answers after [`BUREAU_LATENCY`]; a pull for AUTO-2026-000123 is started in
/// the case's parties step (the window logged in, on the queue of the 17 demo cases); then,
/// back on the queue, it is searched (`rounds` case ids, the search cleared after each)
/// and scrolled from the keyboard (End, Home) while the pull waits. Each answer is timed
/// from its keys to its result on screen. Then waits for the pull's outcome in the top bar.
/// `display`: where to take the screenshot of the busy state.
pub async fn answers_while_the_bureau_waits(
    c: &Client,
    bank: &uw_bank_sim::Running,
    display: Option<&Display>,
    rounds: usize,
) -> Result<(Vec<Answer>, PullOutcome)> {
    bank.set_bureau(BUREAU_PINFL, &bureau_report())?;
    bank.set_faults(uw_bank_sim::Faults {
        latency_ms: u64::try_from(BUREAU_LATENCY.as_millis())?,
        only: Some("/v1/bureau".into()),
        ..Default::default()
    });
    // The outcome of an earlier pull, dismissed: the next one shown is this pull's.
    if let Ok(close) = c
        .find(Locator::Css("[data-testid=work-ended] button"))
        .await
    {
        close.click().await?;
    }
    let all = c
        .find_all(Locator::Css("[data-testid=queue-row]"))
        .await?
        .len();
    open_step(c, "AUTO-2026-000123", "parties").await?;
    click(c, "[data-testid=pull-bureau-0]").await?;
    // The button says it waits; past 300 ms the top bar counts the seconds.
    find(c, "[data-testid=pull-bureau-0][data-busy='1']").await?;
    find(c, "[data-testid=working][data-command=pull_bureau]").await?;
    if let Some(d) = display {
        screenshot(d, "bureau-pull-busy");
    }
    click(c, "#back-to-queue").await?;
    find(c, "[data-testid=queue-row]").await?;

    let ids = [
        "AUTO-2026-000139",
        "AUTO-2026-000126",
        "AUTO-2026-000131",
        "AUTO-2026-000124",
        "AUTO-2026-000137",
    ];
    let search = find(c, "#queue-search").await?;
    let mut answers = Vec::new();
    for id in ids.iter().cycle().take(rounds) {
        search.click().await?;
        // The id typed but its last key: the answer timed is the one to that key (the
        // person's typing is theirs; a window held up would hold it up too, past the pull).
        let (typed, last) = id.split_at(id.len() - 1);
        search.send_keys("\u{E009}a\u{E000}\u{E003}").await?;
        search.send_keys(typed).await?;
        let check = format!("{ROW_IDS} return ids.length === 1 && ids[0] === arguments[0];");
        arm(c, &check, &[json!(id)]).await?;
        let sent = Sent::now();
        search.send_keys(last).await?;
        answers.push(answered(c, format!("search {id}"), sent, &check, vec![json!(id)]).await?);
        if answers.len() == 1 {
            if let Some(d) = display {
                screenshot(d, "queue-searched-while-the-bureau-waits");
            }
        }

        let check = format!("{ROW_IDS} return ids.length === arguments[0];");
        arm(c, &check, &[json!(all)]).await?;
        let sent = Sent::now();
        search.send_keys("\u{E009}a\u{E000}\u{E003}").await?;
        answers.push(answered(c, "clear search".into(), sent, &check, vec![json!(all)]).await?);

        // Leave the field; the list is the keyboard's.
        press(c, &['\u{E00C}']).await?;
        for (key, name, at) in [('\u{E010}', "End", -1), ('\u{E011}', "Home", 0)] {
            arm(c, SELECTED_AT, &[json!(at)]).await?;
            let sent = Sent::now();
            press(c, &[key]).await?;
            answers.push(answered(c, name.into(), sent, SELECTED_AT, vec![json!(at)]).await?);
        }
    }

    // The pull ends by itself: the bureau's report, or its coded error (a timeout).
    let deadline = Instant::now() + BUREAU_LATENCY + Duration::from_secs(30);
    let ended = loop {
        if let Ok(el) = c
            .find(Locator::Css(
                "[data-testid=work-ended][data-command=pull_bureau]",
            ))
            .await
        {
            break el;
        }
        if Instant::now() > deadline {
            return Err("the bureau pull never ended".into());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let outcome = PullOutcome {
        state: ended.attr("data-state").await?.unwrap_or_default(),
        text: ended.text().await?,
    };
    bank.set_faults(uw_bank_sim::Faults::default());
    Ok((answers, outcome))
}

/// Median and maximum of the answers' times (`took`, `in_page`, `on_screen`), in ms.
pub fn median_max_ms(answers: &[Answer], time: fn(&Answer) -> Duration) -> (u128, u128) {
    let mut ms: Vec<u128> = answers.iter().map(|a| time(a).as_millis()).collect();
    ms.sort_unstable();
    let median = ms.get(ms.len() / 2).copied().unwrap_or(0);
    (median, ms.last().copied().unwrap_or(0))
}

//! The workstation's log: what a support call needs to see — each command of the window
//! and of `uw` with its duration and outcome, each sync pass, each call to the bank and to
//! the directory, each error by its code — as JSON lines in `<data folder>/logs/`
//! (`uw.YYYY-MM-DD.log`, a file per day in UTC, the last [`KEEP_FILES`] kept; the folder
//! private, 0700).
//!
//! Invariant: nothing personal. A line holds the names of commands and operations, error
//! codes, counts, durations, case ids (the bank's application numbers) and staff login ids
//! (the bank's pseudonymous ids: support needs to know whose desk it was) — never a
//! client's name, PINFL, passport number, phone or amount, a password, a token, a person's
//! display name, nor an error's message (messages quote what was typed or read). Hence:
//! - only events of the target [`TARGET`] reach the file: what other crates trace (the
//!   HTTP and TLS stacks, the window's toolkit) never does;
//! - this crate's events are written by the functions below, whose parameters are names
//!   fixed in the code, codes, counts, durations and ids — none takes free text; the
//!   bank's and the directory's clients log their own calls in the same way (`uw-bank-link`
//!   with the path's personal segments replaced, `uw-directory` by operation and code);
//! - a failed login names nobody: what was typed as a name may be a password.
//!
//! Lines are written as they happen, without a background writer: a line is on the disk
//! when the call returns, and a crash loses none. A process has one log; [`init`] points
//! it at a data folder until the guard it returns is dropped.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::Layer;

use crate::error::{AppError, ErrorCode, Result};
use crate::sync::SyncReport;

/// The target of every event meant for the file (`tracing::info!(target: "uw", …)`).
pub const TARGET: &str = "uw";
/// The log's folder inside the data folder.
pub const FOLDER: &str = "logs";
/// Files kept: one a day, so two weeks.
pub const KEEP_FILES: usize = 14;
const PREFIX: &str = "uw";
const SUFFIX: &str = "log";

/// Where the lines go; `None` when no data folder is set (a line then goes nowhere).
static FILE: Mutex<Option<RollingFileAppender>> = Mutex::new(None);
/// Which [`init`] the file belongs to: an older guard dropped late leaves a newer file be.
static GENERATION: AtomicU64 = AtomicU64::new(0);
static INSTALLED: OnceLock<()> = OnceLock::new();

/// Keeps the log pointed at its data folder; dropped, the lines stop.
#[must_use = "the log stops when the guard is dropped"]
pub struct LogGuard {
    generation: u64,
}

impl Drop for LogGuard {
    fn drop(&mut self) {
        let mut file = FILE.lock().unwrap_or_else(|p| p.into_inner());
        if GENERATION.load(Ordering::SeqCst) == self.generation {
            *file = None;
        }
    }
}

/// The log folder of a data folder.
pub fn folder(data_dir: &Path) -> PathBuf {
    data_dir.join(FOLDER)
}

/// Starts the log in `<data_dir>/logs/` (both folders made private), dropping files
/// beyond the last [`KEEP_FILES`]. A workstation whose log cannot start works on: the
/// caller says so on stderr.
pub fn init(data_dir: &Path) -> Result<LogGuard> {
    crate::paths::private_dir(data_dir)?;
    let dir = folder(data_dir);
    crate::paths::private_dir(&dir)?;
    let appender = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix(PREFIX)
        .filename_suffix(SUFFIX)
        .max_log_files(KEEP_FILES)
        .build(&dir)
        .map_err(|e| AppError::new(ErrorCode::Io, format!("{}: {e}", dir.display())))?;
    private_files(&dir);
    install();
    let mut file = FILE.lock().unwrap_or_else(|p| p.into_inner());
    let generation = GENERATION.fetch_add(1, Ordering::SeqCst) + 1;
    *file = Some(appender);
    Ok(LogGuard { generation })
}

/// The files of the log, 0600 (the folder's 0700 already keeps others out; a file copied
/// elsewhere keeps its mode).
fn private_files(dir: &Path) {
    #[cfg(unix)]
    for path in files(dir) {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// The log's files in a folder, oldest first (their names carry the date).
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && file_date(p).is_some())
        .collect();
    found.sort();
    found
}

/// The day of a log file, from its name `uw.YYYY-MM-DD.log`.
pub fn file_date(path: &Path) -> Option<chrono::NaiveDate> {
    let name = path.file_name()?.to_str()?;
    let day = name
        .strip_prefix(PREFIX)?
        .strip_prefix('.')?
        .strip_suffix(SUFFIX)?
        .strip_suffix('.')?;
    chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()
}

/// The process's subscriber, once: JSON lines of [`TARGET`]'s events at INFO and above.
fn install() {
    INSTALLED.get_or_init(|| {
        let layer = tracing_subscriber::fmt::layer()
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(false)
            .with_target(false)
            .with_writer(Slot)
            .with_filter(filter_fn(|m| {
                m.target() == TARGET && *m.level() <= tracing::Level::INFO
            }));
        // Another subscriber already set (none in the workstation's programs) keeps its
        // place; the log then stays empty.
        let _ = tracing::subscriber::set_global_default(tracing_subscriber::registry().with(layer));
    });
}

/// The writer of every line: the current file, if any.
struct Slot;

struct SlotWriter;

impl<'a> MakeWriter<'a> for Slot {
    type Writer = SlotWriter;
    fn make_writer(&'a self) -> SlotWriter {
        SlotWriter
    }
}

impl Write for SlotWriter {
    /// A line arrives whole (the formatter writes each event at once) and is written whole
    /// under the lock, so lines of two threads never interleave.
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut file = FILE.lock().unwrap_or_else(|p| p.into_inner());
        match file.as_mut() {
            Some(f) => f.write_all(buf).map(|()| buf.len()),
            None => Ok(buf.len()),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let mut file = FILE.lock().unwrap_or_else(|p| p.into_inner());
        file.as_mut().map_or(Ok(()), Write::flush)
    }
}

/// An error's code as it crosses every boundary (`NOT_FOUND`), or `ok`.
pub fn outcome(code: Option<ErrorCode>) -> String {
    code.map_or_else(|| "ok".to_string(), code_name)
}

/// `ErrorCode::NotFound` → `NOT_FOUND`.
pub fn code_name(code: ErrorCode) -> String {
    serde_json::to_value(code)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_else(|| format!("{code:?}"))
}

fn ms(elapsed: Duration) -> u64 {
    u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX)
}

/// An event at INFO when it went well, else WARN.
macro_rules! emit {
    ($ok:expr, $($field:tt)*) => {
        if $ok {
            tracing::info!(target: TARGET, $($field)*)
        } else {
            tracing::warn!(target: TARGET, $($field)*)
        }
    };
}

/// A command of the window (`via` `window`) or of `uw` (`via` `uw`): its name as the code
/// spells it, how long it took and its outcome.
pub fn command(via: &'static str, name: &'static str, elapsed: Duration, error: Option<ErrorCode>) {
    emit!(
        error.is_none(),
        event = "command",
        via,
        name,
        ms = ms(elapsed),
        outcome = %outcome(error)
    );
}

/// A sync pass: what it moved, what waits, how long it took, and the codes of what failed.
pub fn sync_pass(trigger: &'static str, elapsed: Duration, result: &Result<SyncReport>) {
    match result {
        Ok(r) => {
            let codes = pass_codes(r);
            emit!(
                codes.is_empty(),
                event = "sync_pass",
                trigger,
                ms = ms(elapsed),
                outcome = "ok",
                online = r.online,
                pushed = r.pushed,
                pulled_new = r.pulled_new,
                pulled_updated = r.pulled_updated,
                conflicts = r.conflicts,
                waiting = r.waiting,
                errors = r.errors.len(),
                refused = r.refused.len(),
                codes = %codes.join(",")
            );
        }
        Err(e) => emit!(
            false,
            event = "sync_pass",
            trigger,
            ms = ms(elapsed),
            outcome = %outcome(Some(e.code))
        ),
    }
}

/// The codes of a pass's failures (each once, in the order met): the workstation's own,
/// and the bank's refusals as the workstation reads them (a code it does not know is
/// `BANK_REFUSED`: whatever a bank puts in its place never reaches the log).
fn pass_codes(r: &SyncReport) -> Vec<String> {
    let own = r.error_codes.iter().copied();
    let bank = r.refused.iter().map(|s| crate::error::bank_code(&s.code));
    let mut codes: Vec<String> = Vec::new();
    for c in own.chain(bank).map(code_name) {
        if !codes.contains(&c) {
            codes.push(c);
        }
    }
    codes
}

/// A person's session began or ended (`login`, `logout`): their staff login id and how they
/// logged in.
pub fn session(event: &'static str, staff_id: &str, mode: &'static str) {
    tracing::info!(target: TARGET, event, staff_id, mode, outcome = "ok");
}

/// A login was refused, by its code only.
pub fn login_refused(code: ErrorCode) {
    tracing::warn!(target: TARGET, event = "login", outcome = %code_name(code));
}

/// The support bundle was written: how many log files it holds and whether the health
/// report passed (never where it went: a path may name a person).
pub fn support_bundle(log_files: usize, healthy: bool) {
    tracing::info!(target: TARGET, event = "support_bundle", log_files, healthy);
}

#[cfg(test)]
pub(crate) mod tests;

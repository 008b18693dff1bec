//! Files clients bring, read first by `uw-parse`, a process apart (see its header): this
//! process hands the bytes over, waits no longer than [`uw_parse::DEADLINE`], and lets a
//! file in only on the reader's word. A file the reader refuses is a coded error naming
//! it (`INVALID_INPUT` when it does not read, `FILE_OVER_LIMIT` when it asks too much); a
//! reader that dies or overruns is `FILE_OVER_LIMIT` too, and this process goes on.
//!
//! Invariant: no byte of a client's statement or scan is parsed in this process before
//! the reader has read it within its limits. The stored copies were let in so, and are
//! read here again (the readers are deterministic).
//!
//! `uw-parse` is looked for beside this program (the installer puts it there; `cargo`
//! builds it into the same folder); there is no fallback to reading in this process.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant};

use uw_parse::{Answer, Reason, Request, ScanInfo, StatementSummary};

use crate::error::{AppError, ErrorCode, Result};

/// The reader's answer is a line of JSON; anything longer is not an answer.
const MAX_ANSWER: u64 = 1024 * 1024;

/// Reads a statement file in the reader, or why not.
pub fn statement(name: &str, bytes: &[u8]) -> Result<StatementSummary> {
    match ask(&Request::Statement { name: name.into() }, name, bytes)? {
        Answer::Statement(s) => Ok(s),
        other => Err(refusal(name, other)),
    }
}

/// Reads a scan in the reader, or why not.
pub fn scan(name: &str, bytes: &[u8]) -> Result<ScanInfo> {
    match ask(&Request::Scan { name: name.into() }, name, bytes)? {
        Answer::Scan(s) => Ok(s),
        other => Err(refusal(name, other)),
    }
}

/// A client's file open for reading: a regular file (the handle's own kind, so a link to
/// a device or a pipe is refused), read no further than one byte past `max` (said as
/// `what` may have) — a file that grows while it is read is caught by [`Bounded::check`].
pub struct Bounded {
    reader: std::io::Take<std::fs::File>,
    /// The length the file had when it was opened.
    pub len: u64,
    name: String,
    max: u64,
    what: &'static str,
}

impl Bounded {
    pub fn open(p: &Path, max: u64, what: &'static str) -> Result<Bounded> {
        let name = p.display().to_string();
        let io = |e: std::io::Error| AppError::new(ErrorCode::Io, format!("{name}: {e}"));
        let f = std::fs::File::open(p).map_err(io)?;
        let meta = f.metadata().map_err(io)?;
        if !meta.is_file() {
            return Err(AppError::new(
                ErrorCode::InvalidInput,
                format!(
                    "{name}: not a regular file (a device, a pipe or a folder); nothing was read"
                ),
            ));
        }
        if meta.len() > max {
            return Err(too_large(&name, meta.len(), max, what));
        }
        Ok(Bounded {
            reader: f.take(max.saturating_add(1)),
            len: meta.len(),
            name,
            max,
            what,
        })
    }

    /// The next bytes, 0 at the end; an error names the file.
    pub fn read_chunk(&mut self, buf: &mut [u8]) -> Result<usize> {
        self.reader
            .read(buf)
            .map_err(|e| AppError::new(ErrorCode::Io, format!("{}: {e}", self.name)))
    }

    /// Whether `read` bytes, all that was read, are within the limit.
    pub fn check(&self, read: u64) -> Result<()> {
        if read > self.max {
            return Err(too_large(&self.name, read, self.max, self.what));
        }
        Ok(())
    }
}

impl std::io::Read for Bounded {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.reader.read(buf)
    }
}

/// Reads a client's file whole, within `max` bytes (see [`Bounded`]).
pub fn read_bounded(p: &Path, max: u64, what: &'static str) -> Result<Vec<u8>> {
    let mut file = Bounded::open(p, max, what)?;
    let mut bytes = Vec::with_capacity(usize::try_from(file.len).unwrap_or(0));
    file.reader
        .read_to_end(&mut bytes)
        .map_err(|e| AppError::new(ErrorCode::Io, format!("{}: {e}", file.name)))?;
    file.check(bytes.len() as u64)?;
    Ok(bytes)
}

/// A file over its size: it grew while it was read, or it was larger all along.
pub fn too_large(name: &str, len: u64, max: u64, what: &str) -> AppError {
    AppError::new(
        ErrorCode::FileOverLimit,
        format!(
            "{name}: {}, more than the {} MB {what} may have; nothing was attached",
            uw_parse::megabytes(len),
            max / 1_000_000
        ),
    )
}

fn refusal(name: &str, answer: Answer) -> AppError {
    match answer {
        Answer::Refused(r) => AppError::new(
            match r.reason {
                Reason::Unreadable => ErrorCode::InvalidInput,
                Reason::OverLimit => ErrorCode::FileOverLimit,
            },
            r.message,
        ),
        other => AppError::new(
            ErrorCode::Internal,
            format!("{name}: the reader answered {other:?} to another question"),
        ),
    }
}

/// The reading program: `uw-parse` beside this one, or beside the folder a test runs from.
pub fn reader_program() -> Result<PathBuf> {
    let name = format!("uw-parse{}", std::env::consts::EXE_SUFFIX);
    let exe = std::env::current_exe().map_err(|e| {
        AppError::new(
            ErrorCode::ReaderMissing,
            format!("this program's own path: {e}"),
        )
    })?;
    let beside = exe.parent().map(|d| d.join(&name));
    // Cargo runs tests and benchmarks from `target/<profile>/deps`, the programs one up.
    let above = exe
        .parent()
        .filter(|d| d.file_name().is_some_and(|n| n == "deps"))
        .and_then(|d| d.parent())
        .map(|d| d.join(&name));
    [beside.clone(), above]
        .into_iter()
        .flatten()
        .find(|p| p.is_file())
        .ok_or_else(|| {
            AppError::new(
                ErrorCode::ReaderMissing,
                format!(
                    "{}: the reader of clients' files is not installed beside this program; nothing was read",
                    beside.unwrap_or_default().display()
                ),
            )
        })
}

fn ask(request: &Request, name: &str, bytes: &[u8]) -> Result<Answer> {
    let program = reader_program()?;
    let mut child = crate::paths::child_command(&program)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| {
            AppError::new(
                ErrorCode::ReaderMissing,
                format!("{}: {e}; nothing was read", program.display()),
            )
        })?;
    let (Some(mut stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        let _ = child.kill();
        return Err(AppError::new(ErrorCode::Internal, "the reader's pipes"));
    };
    let mut line = serde_json::to_vec(request)
        .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
    line.push(b'\n');
    let (status, out) = std::thread::scope(|s| {
        // The reader may stop reading at any point (a refusal, its limits): a broken pipe
        // here is its answer's business, not an error of its own.
        s.spawn(move || {
            let _ = stdin.write_all(&line).and_then(|()| stdin.write_all(bytes));
        });
        let answer = s.spawn(move || {
            let mut out = Vec::new();
            let _ = stdout.take(MAX_ANSWER).read_to_end(&mut out);
            out
        });
        let status = wait_until(&mut child, uw_parse::DEADLINE);
        (status, answer.join().unwrap_or_default())
    });
    match status? {
        None => Err(over(
            name,
            format!(
                "not read within the {} s a file may take",
                uw_parse::DEADLINE.as_secs()
            ),
        )),
        Some(st) if st.success() => serde_json::from_slice(&out).map_err(|e| {
            AppError::new(
                ErrorCode::Internal,
                format!("{name}: the reader's answer does not read ({e})"),
            )
        }),
        // Killed by a signal: its memory limit (an allocation that failed aborts), its CPU
        // time, a stack overflow — a file it could not read within its limits.
        Some(st) if killed(st) => Err(over(
            name,
            format!(
                "the reader stopped ({}): it needs more than the {} MB or the {} s a file may take",
                how_it_ended(st),
                uw_parse::MEMORY_LIMIT / (1024 * 1024),
                uw_parse::DEADLINE.as_secs()
            ),
        )),
        Some(st) => Err(AppError::new(
            ErrorCode::InvalidInput,
            format!(
                "{name}: the reader failed on this file ({})",
                how_it_ended(st)
            ),
        )),
    }
}

fn over(name: &str, why: String) -> AppError {
    AppError::new(ErrorCode::FileOverLimit, format!("{name}: {why}"))
}

/// A refusal as an attachment reports it.
pub(crate) fn nothing_attached(e: AppError) -> AppError {
    AppError::new(e.code, format!("{}; nothing was attached", e.message))
}

/// The child's end, or `None` once the deadline has passed (it is then killed).
fn wait_until(child: &mut std::process::Child, deadline: Duration) -> Result<Option<ExitStatus>> {
    let start = Instant::now();
    let mut pause = Duration::from_millis(1);
    loop {
        match child.try_wait() {
            Ok(Some(st)) => return Ok(Some(st)),
            Ok(None) => {}
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(io(e));
            }
        }
        if start.elapsed() >= deadline {
            let _ = child.kill();
            child.wait().map_err(io)?;
            return Ok(None);
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(20));
    }
}

fn io(e: std::io::Error) -> AppError {
    AppError::new(ErrorCode::Io, format!("the reader: {e}"))
}

#[cfg(unix)]
fn killed(st: ExitStatus) -> bool {
    use std::os::unix::process::ExitStatusExt;
    st.signal().is_some()
}

#[cfg(not(unix))]
fn killed(st: ExitStatus) -> bool {
    // Windows ends a process over its limits with an NTSTATUS such as 0xC0000017.
    st.code().is_some_and(|c| c < 0)
}

#[cfg(unix)]
fn how_it_ended(st: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match st.signal() {
        Some(s) => format!("signal {s}"),
        None => format!("exit {}", st.code().unwrap_or(-1)),
    }
}

#[cfg(not(unix))]
fn how_it_ended(st: ExitStatus) -> String {
    format!("exit {}", st.code().unwrap_or(-1))
}

#[cfg(test)]
mod tests;

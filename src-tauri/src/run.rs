//! How a command runs. A synchronous command runs on the window's thread, which draws and
//! answers nothing while it runs: only a page of the store (the queue, a case, a setting)
//! is answered that way. Every command that calls the bank, the directory, the disk beyond
//! that, Argon2 or the PDF writer is `async` and runs through [`off_main`] (or
//! [`blocking`]), with `work` progress events; every command's body runs through
//! [`logged`]. A command that asks for files checks the session, opens the system's dialog
//! and then works on what was picked ([`pick_then`], [`save_then`]).

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::RecvTimeoutError;
use std::time::{Duration, Instant};

use tauri::{AppHandle, Emitter, Manager};
use tauri_plugin_dialog::{DialogExt, FileDialogBuilder, FilePath};
use uw_app::{AppError, ErrorCode, Result, WorkProgress, WorkState, Workstation};

use crate::state::Ws;

/// Runs a command's body and writes its line in the workstation's log: the command's name,
/// how long it took and its outcome (ok, or the error's code — never its message, which
/// may quote what was typed). Every command's body runs through here.
pub(crate) fn logged<T>(name: &'static str, body: impl FnOnce() -> Result<T>) -> Result<T> {
    let started = std::time::Instant::now();
    let result = body();
    let code = result.as_ref().err().map(|e| e.code);
    uw_app::logs::command("window", name, started.elapsed(), code);
    result
}

/// A command's work, as the `work` event names it.
#[derive(Clone)]
pub(crate) struct Task {
    name: &'static str,
    case_id: Option<String>,
}

pub(crate) fn task(name: &'static str) -> Task {
    Task {
        name,
        case_id: None,
    }
}

impl Task {
    pub(crate) fn on(self, case_id: &str) -> Task {
        Task {
            case_id: Some(case_id.to_string()),
            ..self
        }
    }
}

/// Runs a command that calls the bank, the directory, the disk or the PDF writer: its body
/// (session check first, as everywhere) on the runtime's blocking pool — never on the
/// window's thread, which then freezes, nor on the runtime's few workers, which carry every
/// other async command — with `work` progress events while it runs ([`ticking`]).
pub(crate) async fn off_main<T: Send + 'static>(
    app: AppHandle,
    task: Task,
    body: impl FnOnce(&Ws) -> Result<T> + Send + 'static,
) -> Result<T> {
    blocking(app, task.clone(), move |app, ws| {
        ticking(app, &task, || body(ws))
    })
    .await
}

/// Like [`off_main`], for a command that opens a file dialog first: the person's time in
/// the dialog is not work in progress, so the body calls [`ticking`] after it.
pub(crate) async fn blocking<T: Send + 'static>(
    app: AppHandle,
    task: Task,
    body: impl FnOnce(&AppHandle, &Ws) -> Result<T> + Send + 'static,
) -> Result<T> {
    let name = task.name;
    tauri::async_runtime::spawn_blocking(move || logged(name, || body(&app, &app.state::<Ws>())))
        .await
        .map_err(|e| AppError::new(ErrorCode::Internal, format!("{name}: {e}")))?
}

/// When the first `work` event goes: quicker work shows no progress at all.
const PROGRESS_AFTER: Duration = Duration::from_millis(300);

const PROGRESS_EVERY: Duration = Duration::from_secs(1);

/// Runs `body`, and from [`PROGRESS_AFTER`] on, every [`PROGRESS_EVERY`], emits a `running`
/// `work` event from a thread beside it, then one `done` or `failed` (only if a `running`
/// one went: the window shows no flash for quick work).
pub(crate) fn ticking<T>(
    app: &AppHandle,
    task: &Task,
    body: impl FnOnce() -> Result<T>,
) -> Result<T> {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let id = NEXT.fetch_add(1, Ordering::Relaxed);
    let started = Instant::now();
    let event = |state: WorkState, error: Option<AppError>| {
        let _ = app.emit(
            "work",
            WorkProgress {
                id,
                command: task.name.into(),
                case_id: task.case_id.clone(),
                seconds: started.elapsed().as_secs(),
                state,
                error,
            },
        );
    };
    let event = &event;
    let (finished, wait) = std::sync::mpsc::channel::<()>();
    std::thread::scope(|s| {
        let ticker = std::thread::Builder::new()
            .name("progress".into())
            .spawn_scoped(s, move || {
                let mut told = false;
                let mut next = PROGRESS_AFTER;
                while let Err(RecvTimeoutError::Timeout) = wait.recv_timeout(next) {
                    event(WorkState::Running, None);
                    told = true;
                    next = PROGRESS_EVERY;
                }
                told
            });
        let result = body();
        drop(finished);
        // No ticker (no thread to be had): the work is done all the same, unannounced.
        if ticker.is_ok_and(|t| t.join().unwrap_or(false)) {
            match &result {
                Ok(_) => event(WorkState::Done, None),
                Err(e) => event(WorkState::Failed, Some(e.clone())),
            }
        }
        result
    })
}

/// A file dialog's filter: its name and the extensions it shows.
pub(crate) type Filter<'a> = (&'a str, &'a [&'a str]);

/// The system's file dialog (opened by Rust: the web view has no dialog permission), with
/// `filters`. Each caller checks the session first: no dialog opens for nobody.
fn dialog(app: &AppHandle, filters: &[Filter]) -> FileDialogBuilder<tauri::Wry> {
    filters.iter().fold(app.dialog().file(), |d, (name, ext)| {
        d.add_filter(*name, ext)
    })
}

/// The files the person picks, as local paths; `None` when they cancel.
fn pick_files(app: &AppHandle, filters: &[Filter]) -> Result<Option<Vec<PathBuf>>> {
    dialog(app, filters)
        .blocking_pick_files()
        .map(|files| files.into_iter().map(local_path).collect())
        .transpose()
}

/// The one file the person picks, as a local path; `None` when they cancel.
pub(crate) fn pick_file(app: &AppHandle, filters: &[Filter]) -> Result<Option<PathBuf>> {
    dialog(app, filters)
        .blocking_pick_file()
        .map(local_path)
        .transpose()
}

/// Where the person saves, `name` proposed; `None` when they cancel.
pub(crate) fn save_file(app: &AppHandle, filter: Filter, name: &str) -> Result<Option<PathBuf>> {
    dialog(app, &[filter])
        .set_file_name(name)
        .blocking_save_file()
        .map(local_path)
        .transpose()
}

/// A dialog's file as a local path (a dialog may, in principle, return a URL).
fn local_path(file: FilePath) -> Result<PathBuf> {
    file.into_path()
        .map_err(|e| AppError::new(ErrorCode::Io, e.to_string()))
}

/// The spreadsheets the window exports.
pub(crate) const XLSX: Filter<'static> = ("Spreadsheets", &["xlsx"]);

/// The session, then the system's open dialog with `filters`, then `act` on the picked
/// files off the window's thread as `work`; `None` when the person cancels. `name` is the
/// command's (the person's time in the dialog is no work in progress).
pub(crate) async fn pick_then<T: Send + 'static>(
    app: AppHandle,
    name: &'static str,
    filters: &'static [Filter<'static>],
    work: Task,
    act: impl FnOnce(&Ws, &Workstation, &[PathBuf]) -> Result<T> + Send + 'static,
) -> Result<Option<T>> {
    blocking(app, task(name), move |app, ws| {
        // The session first: no dialog opens for nobody.
        let signed = ws.signed_in()?;
        let Some(paths) = pick_files(app, filters)? else {
            return Ok(None);
        };
        ticking(app, &work, || act(ws, signed, &paths)).map(Some)
    })
    .await
}

/// The session, then the system's save dialog (`filter`, `file_name` proposed), then
/// `write` off the window's thread as `work`; `None` when the person cancels.
pub(crate) async fn save_then<T: Send + 'static>(
    app: AppHandle,
    work: Task,
    filter: Filter<'static>,
    file_name: String,
    write: impl FnOnce(&Workstation, &std::path::Path) -> Result<T> + Send + 'static,
) -> Result<Option<T>> {
    blocking(app, task(work.name), move |app, ws| {
        // The session first: no dialog opens for nobody.
        let signed = ws.signed_in()?;
        let Some(path) = save_file(app, filter, &file_name)? else {
            return Ok(None);
        };
        ticking(app, &work, || write(signed, &path)).map(Some)
    })
    .await
}

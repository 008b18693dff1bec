//! The IPC commands. Each is a thin call into `uw_app::Workstation`; errors cross as
//! `{code, message}` (`uw_app::AppError`).
//!
//! A synchronous command runs on the window's thread, which draws and answers nothing
//! while it runs: only a page of the store (the queue, a case, a setting) is answered that
//! way. Every command that calls the bank, the directory, the disk beyond that, Argon2 or
//! the PDF writer is `async` and runs through [`off_main`] (or [`blocking`]), with `work`
//! progress events.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde_json::Value;
use tauri::ipc::Channel;
use tauri::{AppHandle, Emitter, Manager, State};
use tauri_plugin_dialog::DialogExt;
use uw_app::{AdminSettings, BackupSettings, BankInput, DirectoryInput, UserRoles, UserView};
use uw_app::{
    AgreementPreview, ConflictView, Dashboard, DisbursementView, Exported, Keep, PrintedFile,
    ScanList, SyncStatus, WhatIfReport,
};
use uw_app::{
    AppError, AppStatus, CaseEvent, CaseView, ErrorCode, ImportReport, IncomeView, NewUser,
    OpenOptions, QueueQuery, QueueRow, ReadProgress, Result, ReviewView, Session, SessionStatus,
    StoreKey, StoreState, TotpSetup, WorkProgress, WorkState, Workstation,
};
use uw_app::{AssignmentView, ConditionView, StoredNote, SupportBundle};
use uw_domain::approval_conditions::{Closing, NewCondition};
use uw_domain::case::{DocumentKind, DocumentStatus, IncomeKind, ReviewDecision};
use uw_domain::disbursement::Fact;
use uw_domain::vin::VinReport;
use uw_domain::Evaluation;

/// The window's state. The store opens on a thread of its own while the window and its
/// web view start (the key's lookup and derivation, the schema check): the commands that
/// need it wait for that opening to be over, and nothing waits for it before.
pub struct Ws(Arc<Shared>);

impl std::ops::Deref for Ws {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The workstation, or why it could not open (a foreign database, an unwritable folder):
/// the window still opens and shows that error instead of vanishing. Without a key (no
/// OS keyring, no passphrase given) it waits for the passphrase from the unlock screen.
pub struct Shared {
    opened: OnceLock<std::result::Result<Workstation, AppError>>,
    /// Set when the start's opening is over (opened, refused, or waiting for a key);
    /// every reader of `opened` and `recovery` waits for it.
    settled: OnceLock<()>,
    data_dir: PathBuf,
    demo: bool,
    /// Wakes the sync worker: `true` for "sync now" (backoff ignored).
    sync_wake: Mutex<Option<Sender<bool>>>,
    /// A store made at this start: its recovery key, until the person says they stored it.
    recovery: OnceLock<uw_app::store_key::ShownOnce>,
    /// The log, for as long as the window runs.
    _log: Option<uw_app::logs::LogGuard>,
}

impl Ws {
    /// The state at once; the store's opening starts on its own thread.
    pub fn start(demo: bool) -> Ws {
        let data_dir = uw_app::paths::data_dir(demo);
        let ws = Ws(Arc::new(Shared {
            opened: OnceLock::new(),
            settled: OnceLock::new(),
            _log: start_log(&data_dir),
            data_dir,
            demo,
            sync_wake: Mutex::new(None),
            recovery: OnceLock::new(),
        }));
        let shared = Arc::clone(&ws.0);
        let spawned = std::thread::Builder::new()
            .name("open-store".into())
            .spawn(move || shared.open_at_start());
        if spawned.is_err() {
            ws.open_at_start();
        }
        ws
    }
}

impl Shared {
    fn open_at_start(&self) {
        // Settled however this ends, a panic included: no command waits for ever.
        struct Settle<'a>(&'a OnceLock<()>);
        impl Drop for Settle<'_> {
            fn drop(&mut self) {
                let _ = self.0.set(());
            }
        }
        let _settle = Settle(&self.settled);
        let started = std::time::Instant::now();
        let found =
            uw_app::store_key::for_window(&uw_app::keyring::SecretTool, &self.data_dir, self.demo);
        // The opening's line in the log: its duration, and why the store is not open.
        let refused = match found {
            Ok(found) => {
                let _ = self
                    .recovery
                    .set(uw_app::store_key::ShownOnce::new(found.new_recovery));
                match self.open_with(found.key) {
                    // The keyring's key no longer opens the store (a rekey whose keyring
                    // write was lost): the unlock screen takes its recovery key.
                    Err(e) if found.from_keyring && e.code == ErrorCode::StoreWrongKey => {
                        Some(e.code)
                    }
                    opened => {
                        let code = opened.as_ref().err().map(|e| e.code);
                        let _ = self.opened.set(opened);
                        code
                    }
                }
            }
            // The unlock screen asks.
            Err(e) if e.code == ErrorCode::StoreKeyMissing => Some(e.code),
            Err(e) => {
                let code = Some(e.code);
                let _ = self.opened.set(Err(e));
                code
            }
        };
        uw_app::logs::command("window", "open_store", started.elapsed(), refused);
    }

    /// The store as the start's opening left it: open, refused, or not yet (no key).
    fn opened(&self) -> Option<&std::result::Result<Workstation, AppError>> {
        self.settled.wait();
        self.opened.get()
    }

    /// The recovery key of a store made at this start (none for a store found).
    fn recovery(&self) -> &uw_app::store_key::ShownOnce {
        self.settled.wait();
        self.recovery.get_or_init(Default::default)
    }

    fn open_with(&self, key: StoreKey) -> Result<Workstation> {
        Workstation::open(OpenOptions {
            data_dir: self.data_dir.clone(),
            key,
            actor: uw_app::paths::os_user(),
            demo: self.demo,
            require_login: true,
            bank: uw_app::paths::bank_from_env(),
            directory: uw_app::paths::directory_from_env()?,
        })
    }

    /// The workstation with a logged-in person: every command but those of the login
    /// screen checks the session before any work (a locked or absent session is
    /// `NOT_LOGGED_IN` / `SESSION_LOCKED`, and nothing is read, written or asked).
    fn signed_in(&self) -> Result<&Workstation> {
        let ws = self.get()?;
        ws.require_session()?;
        Ok(ws)
    }

    /// Like `signed_in`, for the one thing a person does before anything else when an
    /// administrator set their password: changing it.
    fn signed_in_to_change_password(&self) -> Result<&Workstation> {
        let ws = self.get()?;
        ws.require_session_to_change_password()?;
        Ok(ws)
    }

    fn get(&self) -> Result<&Workstation> {
        match self.opened() {
            Some(opened) => opened.as_ref().map_err(Clone::clone),
            None => Err(AppError::new(
                ErrorCode::StoreLocked,
                "the case store is locked: enter its passphrase",
            )),
        }
    }

    /// A change went into the outbox: the worker takes it on its next pass, now.
    fn changed<T>(&self, done: Result<T>) -> Result<T> {
        if done.is_ok() {
            self.poke_sync(false);
        }
        done
    }

    /// A change the user waits to see at the bank (a resolved conflict, a prohibition
    /// request, an order): a pass now, whatever the backoff.
    fn changed_urgently<T>(&self, done: Result<T>) -> Result<T> {
        if done.is_ok() {
            self.poke_sync(true);
        }
        done
    }

    /// Asks the sync worker for a pass now (a change waits in the outbox meanwhile).
    fn poke_sync(&self, now: bool) {
        if let Some(wake) = self
            .sync_wake
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
        {
            let _ = wake.send(now);
        }
    }
}

/// Runs a command's body and writes its line in the workstation's log: the command's name,
/// how long it took and its outcome (ok, or the error's code — never its message, which
/// may quote what was typed). Every command's body runs through here.
fn logged<T>(name: &'static str, body: impl FnOnce() -> Result<T>) -> Result<T> {
    let started = std::time::Instant::now();
    let result = body();
    let code = result.as_ref().err().map(|e| e.code);
    uw_app::logs::command("window", name, started.elapsed(), code);
    result
}

/// A command's work, as the `work` event names it.
#[derive(Clone)]
struct Task {
    name: &'static str,
    case_id: Option<String>,
}

fn task(name: &'static str) -> Task {
    Task {
        name,
        case_id: None,
    }
}

impl Task {
    fn on(self, case_id: &str) -> Task {
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
async fn off_main<T: Send + 'static>(
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
async fn blocking<T: Send + 'static>(
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
fn ticking<T>(app: &AppHandle, task: &Task, body: impl FnOnce() -> Result<T>) -> Result<T> {
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

/// The log in `<data folder>/logs/`; a workstation whose log cannot start works on.
fn start_log(data_dir: &std::path::Path) -> Option<uw_app::logs::LogGuard> {
    uw_app::logs::init(data_dir)
        .map_err(|e| {
            eprintln!(
                "underwriter-workstation: no log ({}): {}",
                e.code_name(),
                e.message
            )
        })
        .ok()
}

/// How often the worker syncs on its own.
const SYNC_EVERY: Duration = Duration::from_secs(20);

/// The sync worker: a thread of its own (the bank client blocks, and must not run on the
/// async runtime), a pass every [`SYNC_EVERY`] and whenever poked, and a `sync-status`
/// event to the window after each pass.
pub fn start_sync_worker(app: &AppHandle) {
    let (wake, woken): (Sender<bool>, Receiver<bool>) = std::sync::mpsc::channel();
    *app.state::<Ws>()
        .sync_wake
        .lock()
        .unwrap_or_else(|p| p.into_inner()) = Some(wake);
    let app = app.clone();
    let spawned = std::thread::Builder::new()
        .name("sync".into())
        .spawn(move || {
            let mut now = true;
            loop {
                if let Ok(ws) = app.state::<Ws>().get() {
                    if ws.bank_configured() {
                        let _ = if now { ws.sync() } else { ws.sync_scheduled() };
                        let _ = app.emit("sync-status", ());
                    }
                }
                now = match woken.recv_timeout(SYNC_EVERY) {
                    Ok(explicit) => explicit || woken.try_iter().any(|e| e),
                    Err(RecvTimeoutError::Timeout) => false,
                    Err(RecvTimeoutError::Disconnected) => break,
                };
            }
        });
    if let Err(e) = spawned {
        eprintln!("underwriter-workstation: no sync worker ({e}); the work waits in the outbox");
    }
}

/// How often the backup worker asks whether the daily backup is due.
const BACKUP_CHECK_EVERY: Duration = Duration::from_secs(60);

/// The daily backup: a thread of its own, so a backup of a large store never holds the
/// window or the sync (the backup reads through connections of its own).
pub fn start_backup_worker(app: &AppHandle) {
    let app = app.clone();
    let spawned = std::thread::Builder::new()
        .name("backup".into())
        .spawn(move || loop {
            if let Ok(ws) = app.state::<Ws>().get() {
                // A failure is audited by the service and tried again at the next check.
                let _ = ws.scheduled_backup(chrono::Local::now().naive_local());
            }
            std::thread::sleep(BACKUP_CHECK_EVERY);
        });
    if let Err(e) = spawned {
        eprintln!("underwriter-workstation: no backup worker ({e}); back up by hand");
    }
}

/// Every `#[tauri::command]` of this file: the list is made from them by `build.rs`.
pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
    include!(concat!(env!("OUT_DIR"), "/handler.rs"))
}

/// Help → "Save a support bundle…": the log of the last two weeks and the health report
/// (`uw_app::support`), to a file the person picks. The report asks the bank and the
/// directory.
#[tauri::command]
async fn save_support_bundle(app: AppHandle) -> Result<Option<SupportBundle>> {
    blocking(app, task("save_support_bundle"), |app, ws| {
        // The session first: no dialog opens for nobody.
        let signed = ws.signed_in()?;
        let picked = app
            .dialog()
            .file()
            .add_filter("Support bundle", &["zip"])
            .set_file_name(uw_app::support_file_name())
            .blocking_save_file();
        let Some(file) = picked else { return Ok(None) };
        let path = local_paths(vec![file])?.remove(0);
        ticking(app, &task("save_support_bundle"), || {
            signed.support_bundle(&path)
        })
        .map(Some)
    })
    .await
}

#[tauri::command]
async fn pull_bureau_all(app: AppHandle, case_id: String, version: i64) -> Result<CaseView> {
    off_main(app, task("pull_bureau_all").on(&case_id), move |ws| {
        ws.changed(ws.signed_in()?.pull_bureau_all(&case_id, version))
    })
    .await
}

#[tauri::command]
fn scans(ws: State<'_, Ws>, case_id: String) -> Result<ScanList> {
    logged("scans", || ws.signed_in()?.scans(&case_id))
}

#[tauri::command]
async fn attach_scans(
    app: AppHandle,
    case_id: String,
    kind: String,
    party: usize,
    paths: Vec<String>,
) -> Result<ScanList> {
    off_main(app, task("attach_scans").on(&case_id), move |ws| {
        let paths: Vec<PathBuf> = paths.into_iter().map(PathBuf::from).collect();
        ws.changed(
            ws.signed_in()?
                .attach_scan_files(&case_id, &kind, party, &paths),
        )
    })
    .await
}

#[tauri::command]
async fn pick_scans(
    app: AppHandle,
    case_id: String,
    kind: String,
    party: usize,
) -> Result<Option<ScanList>> {
    let work = task("attach_scans").on(&case_id);
    blocking(app, task("pick_scans"), move |app, ws| {
        // The session first: no picker opens for nobody.
        let signed = ws.signed_in()?;
        let picked = app
            .dialog()
            .file()
            .add_filter("Scans (PDF, PNG, JPEG)", &["pdf", "png", "jpg", "jpeg"])
            .add_filter("All files", &["*"])
            .blocking_pick_files();
        let Some(files) = picked else { return Ok(None) };
        let paths = local_paths(files)?;
        ticking(app, &work, || {
            ws.changed(signed.attach_scan_files(&case_id, &kind, party, &paths))
        })
        .map(Some)
    })
    .await
}

/// The scan's bytes as an ArrayBuffer (no JSON on the way): the viewer draws them.
#[tauri::command]
async fn scan_content(app: AppHandle, case_id: String, id: i64) -> Result<tauri::ipc::Response> {
    off_main(app, task("scan_content").on(&case_id), move |ws| {
        let (_, bytes) = ws.signed_in()?.scan_content(&case_id, id)?;
        Ok(tauri::ipc::Response::new(bytes))
    })
    .await
}

#[tauri::command]
fn remove_scan(ws: State<'_, Ws>, case_id: String, id: i64) -> Result<ScanList> {
    logged("remove_scan", || {
        ws.changed(ws.signed_in()?.remove_scan(&case_id, id))
    })
}

#[tauri::command]
fn mark_document(
    ws: State<'_, Ws>,
    case_id: String,
    version: i64,
    kind: DocumentKind,
    party: usize,
    status: DocumentStatus,
    reason: Option<String>,
) -> Result<CaseView> {
    logged("mark_document", || {
        ws.changed(ws.signed_in()?.mark_document(
            &case_id,
            version,
            kind,
            party,
            status,
            reason.as_deref(),
        ))
    })
}

#[tauri::command]
async fn verify_identity(
    app: AppHandle,
    case_id: String,
    version: i64,
    party: usize,
) -> Result<CaseView> {
    off_main(app, task("verify_identity").on(&case_id), move |ws| {
        ws.changed(ws.signed_in()?.verify_identity(&case_id, version, party))
    })
    .await
}

#[tauri::command]
async fn pull_bureau(
    app: AppHandle,
    case_id: String,
    version: i64,
    party: usize,
) -> Result<CaseView> {
    off_main(app, task("pull_bureau").on(&case_id), move |ws| {
        ws.changed(ws.signed_in()?.pull_bureau(&case_id, version, party))
    })
    .await
}

#[tauri::command]
async fn pull_official_income(
    app: AppHandle,
    case_id: String,
    version: i64,
    party: usize,
) -> Result<CaseView> {
    off_main(app, task("pull_official_income").on(&case_id), move |ws| {
        ws.changed(
            ws.signed_in()?
                .pull_official_income(&case_id, version, party),
        )
    })
    .await
}

#[tauri::command]
fn set_language(ws: State<'_, Ws>, lang: String) -> Result<()> {
    logged("set_language", || ws.get()?.set_language(&lang))
}

/// Async: the figures are counted over the whole store.
#[tauri::command]
async fn dashboard(app: AppHandle) -> Result<Dashboard> {
    off_main(app, task("dashboard"), |ws| ws.signed_in()?.dashboard()).await
}

#[tauri::command]
async fn refresh_portfolio(app: AppHandle) -> Result<Dashboard> {
    off_main(app, task("refresh_portfolio"), |ws| {
        ws.signed_in()?.refresh_portfolio()
    })
    .await
}

#[tauri::command]
fn take_counter_offer(
    ws: State<'_, Ws>,
    case_id: String,
    version: i64,
    term_months: u32,
) -> Result<CaseView> {
    logged("take_counter_offer", || {
        ws.changed(
            ws.signed_in()?
                .take_counter_offer(&case_id, version, term_months),
        )
    })
}

#[tauri::command]
async fn what_if(app: AppHandle, path: String) -> Result<WhatIfReport> {
    off_main(app, task("what_if"), move |ws| {
        ws.signed_in()?.what_if_file(std::path::Path::new(&path))
    })
    .await
}

#[tauri::command]
async fn pick_what_if(app: AppHandle) -> Result<Option<WhatIfReport>> {
    blocking(app, task("pick_what_if"), |app, ws| {
        // The session first: no picker opens for nobody.
        let signed = ws.signed_in()?;
        let picked = app
            .dialog()
            .file()
            .add_filter("Product configuration", &["json"])
            .blocking_pick_file();
        let Some(file) = picked else { return Ok(None) };
        let path = local_paths(vec![file])?.remove(0);
        ticking(app, &task("what_if"), || signed.what_if_file(&path)).map(Some)
    })
    .await
}

#[tauri::command]
async fn agreement_preview(
    app: AppHandle,
    case_id: String,
    lang: String,
) -> Result<AgreementPreview> {
    off_main(app, task("agreement_preview").on(&case_id), move |ws| {
        ws.signed_in()?.agreement_preview(&case_id, &lang)
    })
    .await
}

/// Writes the agreement's PDF and hands it to the system's viewer, whose Print prints it.
#[tauri::command]
async fn print_agreement(app: AppHandle, case_id: String, lang: String) -> Result<PrintedFile> {
    off_main(app, task("print_agreement").on(&case_id), move |ws| {
        ws.signed_in()?
            .print_agreement(&case_id, &lang)
            .map(to_the_viewer)
    })
    .await
}

/// Writes the rejection letter's PDF and hands it to the system's viewer.
#[tauri::command]
async fn print_rejection_letter(
    app: AppHandle,
    case_id: String,
    lang: String,
) -> Result<PrintedFile> {
    off_main(
        app,
        task("print_rejection_letter").on(&case_id),
        move |ws| {
            ws.signed_in()?
                .print_rejection_letter(&case_id, &lang)
                .map(to_the_viewer)
        },
    )
    .await
}

/// Writes the decision memo's PDF and hands it to the system's viewer.
#[tauri::command]
async fn print_decision_memo(app: AppHandle, case_id: String, lang: String) -> Result<PrintedFile> {
    off_main(app, task("print_decision_memo").on(&case_id), move |ws| {
        ws.signed_in()?
            .print_decision_memo(&case_id, &lang)
            .map(to_the_viewer)
    })
    .await
}

/// A printed file handed to the system's viewer.
fn to_the_viewer(path: std::path::PathBuf) -> PrintedFile {
    let opened = open_with_system(&path);
    PrintedFile {
        path: path.display().to_string(),
        opened,
    }
}

/// The system's own opener (`UW_OPEN_WITH` names another program; `none` opens nothing),
/// started with a cleared environment.
fn open_with_system(path: &std::path::Path) -> bool {
    let opener = std::env::var("UW_OPEN_WITH").unwrap_or_else(|_| {
        if cfg!(target_os = "windows") {
            "explorer".into()
        } else if cfg!(target_os = "macos") {
            "open".into()
        } else {
            "xdg-open".into()
        }
    });
    if opener == "none" {
        return false;
    }
    // A cleared environment: the viewer sees the display and the session, never the
    // store's passphrase or the bank's token (`uw_app::paths::CHILD_ENV`).
    uw_app::paths::child_command(opener)
        .arg(path)
        .spawn()
        .is_ok()
}

#[tauri::command]
fn disbursement(ws: State<'_, Ws>, case_id: String) -> Result<DisbursementView> {
    logged("disbursement", || ws.signed_in()?.disbursement(&case_id))
}

/// The request goes to the registry with the next sync pass, started now.
#[tauri::command]
fn request_lien(ws: State<'_, Ws>, case_id: String) -> Result<DisbursementView> {
    logged("request_lien", || {
        ws.changed_urgently(ws.signed_in()?.request_lien(&case_id))
    })
}

#[tauri::command]
fn record_disbursement_fact(
    ws: State<'_, Ws>,
    case_id: String,
    version: i64,
    fact: Fact,
) -> Result<DisbursementView> {
    logged("record_disbursement_fact", || {
        ws.changed(
            ws.signed_in()?
                .record_disbursement_fact(&case_id, version, fact),
        )
    })
}

#[tauri::command]
fn order_disbursement(
    ws: State<'_, Ws>,
    case_id: String,
    version: i64,
    stage: u8,
) -> Result<DisbursementView> {
    logged("order_disbursement", || {
        ws.changed_urgently(ws.signed_in()?.order_disbursement(&case_id, version, stage))
    })
}

#[tauri::command(async)]
fn sync_status(ws: State<'_, Ws>) -> Result<SyncStatus> {
    logged("sync_status", || ws.signed_in()?.sync_status())
}

/// Starts a pass now; the `sync-status` event tells when it is done.
#[tauri::command]
fn sync_now(ws: State<'_, Ws>) -> Result<()> {
    logged("sync_now", || {
        ws.signed_in()?;
        ws.poke_sync(true);
        Ok(())
    })
}

#[tauri::command]
fn sync_conflicts(ws: State<'_, Ws>) -> Result<Vec<ConflictView>> {
    logged("sync_conflicts", || ws.signed_in()?.conflicts(true))
}

#[tauri::command]
fn resolve_conflict(ws: State<'_, Ws>, id: i64, keep: Keep) -> Result<CaseView> {
    logged("resolve_conflict", || {
        ws.changed_urgently(ws.signed_in()?.resolve_conflict(id, keep))
    })
}

/// "Back up now": the window goes on while the copy is made and checked.
#[tauri::command]
async fn backup_now(app: AppHandle) -> Result<uw_app::BackupSummary> {
    off_main(app, task("backup_now"), |ws| {
        ws.signed_in()?
            .backup_now(chrono::Local::now().naive_local())
    })
    .await
}

/// Off the window's thread (as every command the window asks before and right after a
/// login): it waits for the store's opening, and counts the cases.
#[tauri::command(async)]
fn app_status(ws: State<'_, Ws>) -> Result<AppStatus> {
    logged("app_status", || ws.get()?.status())
}

/// One page of the queue's rows, without their count (`queue_total`, asked once the page
/// is on screen): a page is read by an index, the count walks the whole of one.
#[tauri::command(async)]
fn queue(ws: State<'_, Ws>, query: QueueQuery) -> Result<Vec<QueueRow>> {
    logged("queue", || ws.signed_in()?.queue_rows(&query))
}

/// How many cases the queue's query matches.
#[tauri::command(async)]
fn queue_total(ws: State<'_, Ws>, query: QueueQuery) -> Result<i64> {
    logged("queue_total", || ws.signed_in()?.queue_total(&query))
}

#[tauri::command]
fn open_case(ws: State<'_, Ws>, case_id: String) -> Result<CaseView> {
    logged("open_case", || ws.signed_in()?.open_case(&case_id))
}

#[tauri::command]
fn evaluate_case(ws: State<'_, Ws>, case: Value) -> Result<Evaluation> {
    logged("evaluate_case", || ws.signed_in()?.evaluate_value(case))
}

#[tauri::command]
fn save_case(ws: State<'_, Ws>, case_id: String, version: i64, case: Value) -> Result<CaseView> {
    logged("save_case", || {
        ws.changed(ws.signed_in()?.save_case(&case_id, version, case))
    })
}

#[tauri::command]
async fn import_files(app: AppHandle, paths: Vec<String>) -> Result<ImportReport> {
    off_main(app, task("import_files"), move |ws| {
        let paths: Vec<PathBuf> = paths.into_iter().map(PathBuf::from).collect();
        ws.signed_in()?.import_files(&paths)
    })
    .await
}

/// The picked files as local paths (a picker may, in principle, return URLs).
fn local_paths(files: Vec<tauri_plugin_dialog::FilePath>) -> Result<Vec<PathBuf>> {
    files
        .into_iter()
        .map(|f| {
            f.into_path()
                .map_err(|e| AppError::new(ErrorCode::Io, e.to_string()))
        })
        .collect()
}

/// Opens the system file picker from Rust (the web view has no dialog permission).
#[tauri::command]
async fn pick_and_import(app: AppHandle) -> Result<Option<ImportReport>> {
    blocking(app, task("pick_and_import"), |app, ws| {
        // The session first: no picker opens for nobody.
        let signed = ws.signed_in()?;
        let picked = app
            .dialog()
            .file()
            .add_filter("Case files", &["json"])
            .blocking_pick_files();
        let Some(files) = picked else { return Ok(None) };
        let paths = local_paths(files)?;
        ticking(app, &task("import_files"), || signed.import_files(&paths)).map(Some)
    })
    .await
}

/// Asks where, then writes every case the queue's query matches as a spreadsheet.
#[tauri::command]
async fn export_queue_xlsx(app: AppHandle, query: QueueQuery) -> Result<Option<Exported>> {
    save_xlsx(app, "export_queue_xlsx", "queue.xlsx", move |ws, path| {
        ws.export_queue_xlsx(&query, path)
    })
    .await
}

/// Asks where, then writes the dashboard's tables as a spreadsheet.
#[tauri::command]
async fn export_dashboard_xlsx(app: AppHandle) -> Result<Option<Exported>> {
    save_xlsx(
        app,
        "export_dashboard_xlsx",
        "dashboard.xlsx",
        |ws, path| ws.export_dashboard_xlsx(path),
    )
    .await
}

/// The session, then the system's save dialog, then `write` off the window's thread;
/// `None` when the person cancels.
async fn save_xlsx(
    app: AppHandle,
    name: &'static str,
    file_name: &'static str,
    write: impl FnOnce(&Workstation, &std::path::Path) -> Result<Exported> + Send + 'static,
) -> Result<Option<Exported>> {
    blocking(app, task(name), move |app, ws| {
        let signed = ws.signed_in()?;
        let picked = app
            .dialog()
            .file()
            .add_filter("Spreadsheets", &["xlsx"])
            .set_file_name(file_name)
            .blocking_save_file();
        let Some(file) = picked else { return Ok(None) };
        let path = file
            .into_path()
            .map_err(|e| AppError::new(ErrorCode::Io, e.to_string()))?;
        ticking(app, &task(name), || write(signed, &path)).map(Some)
    })
    .await
}

#[tauri::command]
async fn export_case(app: AppHandle, case_id: String) -> Result<Option<String>> {
    blocking(app, task("export_case"), move |app, ws| {
        // The session first: no picker opens for nobody.
        let signed = ws.signed_in()?;
        let picked = app
            .dialog()
            .file()
            .add_filter("Case files", &["json"])
            .set_file_name(format!("{case_id}.json"))
            .blocking_save_file();
        let Some(file) = picked else { return Ok(None) };
        let path = file
            .into_path()
            .map_err(|e| AppError::new(ErrorCode::Io, e.to_string()))?;
        ticking(app, &task("export_case").on(&case_id), || {
            signed.export_case_to(&case_id, &path)
        })
        .map(|p| Some(p.display().to_string()))
    })
    .await
}

#[tauri::command]
fn case_history(ws: State<'_, Ws>, case_id: String) -> Result<Vec<CaseEvent>> {
    logged("case_history", || ws.signed_in()?.history(&case_id))
}

#[tauri::command]
fn check_vin(ws: State<'_, Ws>, vin: String) -> Result<VinReport> {
    logged("check_vin", || Ok(ws.signed_in()?.check_vin(&vin)))
}

/// Async: every stored statement of the party is read again.
#[tauri::command]
async fn statement_income(app: AppHandle, case_id: String, party: usize) -> Result<IncomeView> {
    off_main(app, task("statement_income").on(&case_id), move |ws| {
        ws.signed_in()?.statement_income(&case_id, party)
    })
    .await
}

/// Attaches files by path (typed, or dropped on the window); progress goes to the channel.
#[tauri::command]
async fn attach_statements(
    app: AppHandle,
    case_id: String,
    party: usize,
    paths: Vec<String>,
    on_progress: Channel<ReadProgress>,
) -> Result<IncomeView> {
    off_main(app, task("attach_statements").on(&case_id), move |ws| {
        let paths: Vec<PathBuf> = paths.into_iter().map(PathBuf::from).collect();
        ws.signed_in()?
            .attach_statement_files(&case_id, party, &paths, &mut |p| {
                let _ = on_progress.send(p); // a closed window only loses the bar
            })
    })
    .await
}

#[tauri::command]
async fn pick_statements(
    app: AppHandle,
    case_id: String,
    party: usize,
    on_progress: Channel<ReadProgress>,
) -> Result<Option<IncomeView>> {
    let work = task("attach_statements").on(&case_id);
    blocking(app, task("pick_statements"), move |app, ws| {
        // The session first: no picker opens for nobody.
        let signed = ws.signed_in()?;
        let picked = app
            .dialog()
            .file()
            .add_filter("Bank statements", &["txt", "csv", "xlsx", "xls"])
            .add_filter("All files", &["*"])
            .blocking_pick_files();
        let Some(files) = picked else { return Ok(None) };
        let paths = local_paths(files)?;
        ticking(app, &work, || {
            signed.attach_statement_files(&case_id, party, &paths, &mut |p| {
                let _ = on_progress.send(p);
            })
        })
        .map(Some)
    })
    .await
}

#[tauri::command]
async fn remove_statement(
    app: AppHandle,
    case_id: String,
    party: usize,
    id: i64,
) -> Result<IncomeView> {
    off_main(app, task("remove_statement").on(&case_id), move |ws| {
        ws.signed_in()?.remove_statement(&case_id, party, id)
    })
    .await
}

#[tauri::command]
async fn reclassify_transaction(
    app: AppHandle,
    case_id: String,
    party: usize,
    file: String,
    line: usize,
    kind: Option<IncomeKind>,
    note: String,
) -> Result<IncomeView> {
    off_main(
        app,
        task("reclassify_transaction").on(&case_id),
        move |ws| {
            ws.signed_in()?
                .reclassify(&case_id, party, &file, line, kind, &note)
        },
    )
    .await
}

#[tauri::command]
async fn apply_statement_income(
    app: AppHandle,
    case_id: String,
    party: usize,
    version: i64,
) -> Result<CaseView> {
    off_main(
        app,
        task("apply_statement_income").on(&case_id),
        move |ws| {
            ws.signed_in()?
                .apply_statement_income(&case_id, party, version)
        },
    )
    .await
}

#[tauri::command(async)]
fn session_status(ws: State<'_, Ws>) -> Result<SessionStatus> {
    logged("session_status", || ws.get()?.session_status())
}

/// Async: Argon2id, and with the bank's directory the bind and the key's enrolment, take a
/// moment. A login syncs at once (a reviewer's inbox, statements waiting for the person).
#[tauri::command]
async fn login(
    app: AppHandle,
    username: String,
    password: String,
    code: Option<String>,
) -> Result<Session> {
    off_main(app, task("login"), move |ws| {
        ws.changed_urgently(ws.get()?.login(&username, &password, code.as_deref()))
    })
    .await
}

#[tauri::command]
fn begin_totp(ws: State<'_, Ws>) -> Result<TotpSetup> {
    logged("begin_totp", || ws.signed_in()?.begin_totp())
}

#[tauri::command]
fn confirm_totp(ws: State<'_, Ws>, code: String) -> Result<()> {
    logged("confirm_totp", || ws.signed_in()?.confirm_totp(&code))
}

/// The person's password: a local account's (also the one an administrator set, changed
/// before anything else), or a directory person's, whose signing key is re-wrapped with the
/// new one. Async: the directory is asked, or Argon2 hashes.
#[tauri::command]
async fn change_password(app: AppHandle, old: String, new: String) -> Result<()> {
    off_main(app, task("change_password"), move |ws| {
        ws.signed_in_to_change_password()?
            .change_password(&old, &new)
    })
    .await
}

#[tauri::command]
fn logout(ws: State<'_, Ws>) -> Result<()> {
    logged("logout", || ws.get()?.logout())
}

#[tauri::command]
async fn setup_admin(app: AppHandle, user: NewUser) -> Result<Session> {
    off_main(app, task("setup_admin"), move |ws| {
        ws.get()?.create_first_admin(&user)
    })
    .await
}

#[tauri::command]
async fn create_user(app: AppHandle, user: NewUser) -> Result<()> {
    off_main(app, task("create_user"), move |ws| {
        ws.signed_in()?.create_user(&user)
    })
    .await
}

#[tauri::command]
fn case_review(ws: State<'_, Ws>, case_id: String) -> Result<ReviewView> {
    logged("case_review", || ws.signed_in()?.review(&case_id))
}

#[tauri::command]
fn case_notes(ws: State<'_, Ws>, case_id: String) -> Result<Vec<StoredNote>> {
    logged("case_notes", || ws.signed_in()?.notes(&case_id))
}

#[tauri::command]
fn add_case_note(ws: State<'_, Ws>, case_id: String, text: String) -> Result<Vec<StoredNote>> {
    logged("add_case_note", || {
        ws.signed_in()?.add_note(&case_id, &text)
    })
}

#[tauri::command]
fn case_conditions(ws: State<'_, Ws>, case_id: String) -> Result<Vec<ConditionView>> {
    logged("case_conditions", || ws.signed_in()?.conditions(&case_id))
}

#[tauri::command]
fn raise_condition(
    ws: State<'_, Ws>,
    case_id: String,
    condition: NewCondition,
) -> Result<Vec<ConditionView>> {
    logged("raise_condition", || {
        ws.signed_in()?.raise_condition(&case_id, &condition)
    })
}

#[tauri::command]
fn close_condition(
    ws: State<'_, Ws>,
    case_id: String,
    condition_id: String,
    how: Closing,
    words: String,
) -> Result<Vec<ConditionView>> {
    logged("close_condition", || {
        ws.signed_in()?
            .close_condition(&case_id, &condition_id, how, &words)
    })
}

#[tauri::command]
fn case_assignment(ws: State<'_, Ws>, case_id: String) -> Result<AssignmentView> {
    logged("case_assignment", || {
        ws.signed_in()?.case_assignment(&case_id)
    })
}

#[tauri::command]
fn claim_case(ws: State<'_, Ws>, case_id: String) -> Result<AssignmentView> {
    logged("claim_case", || ws.signed_in()?.claim_case(&case_id))
}

#[tauri::command]
fn reassign_case(ws: State<'_, Ws>, case_id: String, to: String) -> Result<AssignmentView> {
    logged("reassign_case", || {
        ws.signed_in()?.reassign_case(&case_id, &to)
    })
}

/// Async: the submission asks the Pledge Registry first.
#[tauri::command]
async fn submit_case(
    app: AppHandle,
    case_id: String,
    version: i64,
    decision: ReviewDecision,
    justification: String,
) -> Result<CaseView> {
    off_main(app, task("submit_case").on(&case_id), move |ws| {
        ws.changed(
            ws.signed_in()?
                .submit(&case_id, version, decision, &justification),
        )
    })
    .await
}

/// Async: Argon2 checks the password.
#[tauri::command]
async fn approve_case(
    app: AppHandle,
    case_id: String,
    version: i64,
    password: String,
    exception: Option<String>,
) -> Result<CaseView> {
    off_main(app, task("approve_case").on(&case_id), move |ws| {
        let ws_in = ws.signed_in()?;
        ws.changed(match exception.as_deref() {
            None => ws_in.approve(&case_id, version, &password),
            Some(reason) => ws_in.approve_by_exception(&case_id, version, &password, reason),
        })
    })
    .await
}

#[tauri::command]
async fn reject_case(
    app: AppHandle,
    case_id: String,
    version: i64,
    comment: String,
    password: String,
) -> Result<CaseView> {
    off_main(app, task("reject_case").on(&case_id), move |ws| {
        ws.changed(
            ws.signed_in()?
                .reject(&case_id, version, &comment, &password),
        )
    })
    .await
}

#[tauri::command]
fn return_case(
    ws: State<'_, Ws>,
    case_id: String,
    version: i64,
    comment: String,
) -> Result<CaseView> {
    logged("return_case", || {
        ws.changed(ws.signed_in()?.return_case(&case_id, version, &comment))
    })
}

#[tauri::command]
fn release_case(ws: State<'_, Ws>, case_id: String) -> Result<()> {
    logged("release_case", || ws.signed_in()?.release_case(&case_id))
}

#[tauri::command(async)]
fn store_state(ws: State<'_, Ws>) -> Result<StoreState> {
    logged("store_state", || {
        Ok(StoreState {
            locked: ws.opened().is_none(),
            new_store: !ws.data_dir.join("cases.db").exists(),
            default_language: uw_app::paths::default_language(),
        })
    })
}

/// Opens the store with the passphrase typed on the unlock screen (no OS keyring here).
/// A wrong one leaves the store locked and the file untouched. Async: the key derivation
/// takes a moment.
#[tauri::command]
async fn unlock_store(app: AppHandle, passphrase: String) -> Result<()> {
    off_main(app, task("unlock_store"), move |ws| {
        if ws.opened().is_some() {
            return Ok(());
        }
        uw_app::paths::check_new_passphrase(&ws.data_dir, &passphrase)?;
        let opened = ws.open_with(StoreKey::Passphrase(passphrase))?;
        let _ = ws.opened.set(Ok(opened));
        Ok(())
    })
    .await
}

// ---------------------------------------------------------------------------------------
// Administration and settings (`uw_app::admin`): each checks the session here and the
// administrator's role in the service, before any work.

#[tauri::command]
fn admin_users(ws: State<'_, Ws>) -> Result<Vec<UserView>> {
    logged("admin_users", || ws.signed_in()?.admin_users())
}

#[tauri::command]
fn admin_set_roles(ws: State<'_, Ws>, username: String, roles: UserRoles) -> Result<()> {
    logged("admin_set_roles", || {
        ws.signed_in()?.admin_set_roles(&username, roles)
    })
}

/// Async: Argon2 hashes the temporary password.
#[tauri::command]
async fn admin_reset_password(app: AppHandle, username: String, password: String) -> Result<()> {
    off_main(app, task("admin_reset_password"), move |ws| {
        ws.signed_in()?.admin_reset_password(&username, &password)
    })
    .await
}

#[tauri::command]
fn admin_reset_second_factor(ws: State<'_, Ws>, username: String) -> Result<()> {
    logged("admin_reset_second_factor", || {
        ws.signed_in()?.admin_reset_second_factor(&username)
    })
}

#[tauri::command]
fn admin_unlock(ws: State<'_, Ws>, username: String) -> Result<()> {
    logged("admin_unlock", || ws.signed_in()?.admin_unlock(&username))
}

#[tauri::command]
fn admin_set_active(ws: State<'_, Ws>, username: String, active: bool) -> Result<()> {
    logged("admin_set_active", || {
        ws.signed_in()?.admin_set_active(&username, active)
    })
}

#[tauri::command]
fn admin_settings(ws: State<'_, Ws>) -> Result<AdminSettings> {
    logged("admin_settings", || ws.signed_in()?.admin_settings())
}

#[tauri::command]
fn admin_set_idle_minutes(ws: State<'_, Ws>, minutes: u32) -> Result<()> {
    logged("admin_set_idle_minutes", || {
        ws.signed_in()?.set_idle_minutes(minutes)
    })
}

/// Async: a CA bundle is read and checked.
#[tauri::command]
async fn admin_set_bank(app: AppHandle, bank: BankInput) -> Result<()> {
    off_main(app, task("admin_set_bank"), move |ws| {
        ws.signed_in()?.admin_set_bank(&bank)
    })
    .await
}

/// Async: the bank is asked.
#[tauri::command]
async fn admin_test_bank(app: AppHandle) -> Result<()> {
    off_main(app, task("admin_test_bank"), |ws| {
        ws.signed_in()?.admin_test_bank()
    })
    .await
}

/// Async: the backup folder is checked.
#[tauri::command]
async fn admin_set_backup(app: AppHandle, backup: BackupSettings) -> Result<()> {
    off_main(app, task("admin_set_backup"), move |ws| {
        ws.signed_in()?.admin_set_backup(&backup)
    })
    .await
}

#[tauri::command]
fn admin_set_language(ws: State<'_, Ws>, lang: String) -> Result<()> {
    logged("admin_set_language", || {
        ws.signed_in()?.admin_set_language(&lang)
    })
}

#[tauri::command]
fn admin_set_directory(ws: State<'_, Ws>, directory: DirectoryInput) -> Result<()> {
    logged("admin_set_directory", || {
        ws.signed_in()?.admin_set_directory(&directory)
    })
}

/// Async: the directory is asked.
#[tauri::command]
async fn admin_test_directory(app: AppHandle) -> Result<()> {
    off_main(app, task("admin_test_directory"), |ws| {
        ws.signed_in()?.admin_test_directory()
    })
    .await
}

// The store's recovery key: the screen before login. A new store's key is shown by the
// process that made it, before anyone can log in (there is no one yet), until the person
// confirms they stored it; none of these commands reads or writes a case.

/// The recovery key of a store made at this start, while it waits to be confirmed.
#[tauri::command(async)]
fn new_recovery_key(ws: State<'_, Ws>) -> Result<Option<uw_app::store_key::NewRecoveryKey>> {
    logged("new_recovery_key", || Ok(ws.recovery().view(&ws.data_dir)))
}

/// "Save the recovery sheet…": the save dialog (opened by Rust), then the PDF. No dialog
/// opens unless a new store's key waits to be shown.
#[tauri::command]
async fn save_recovery_sheet(app: AppHandle, lang: String) -> Result<Option<String>> {
    blocking(app, task("save_recovery_sheet"), move |app, ws| {
        ws.recovery().waiting()?;
        let picked = app
            .dialog()
            .file()
            .add_filter("PDF", &["pdf"])
            .set_file_name("recovery-key.pdf")
            .blocking_save_file();
        let Some(file) = picked else { return Ok(None) };
        let path = file
            .into_path()
            .map_err(|e| AppError::new(ErrorCode::Io, e.to_string()))?;
        ticking(app, &task("save_recovery_sheet"), || {
            ws.recovery().save_sheet(&ws.data_dir, &lang, &path)
        })?;
        Ok(Some(path.display().to_string()))
    })
    .await
}

/// "I have stored it": the key is shown no more.
#[tauri::command]
fn confirm_recovery_key(ws: State<'_, Ws>) -> Result<()> {
    logged("confirm_recovery_key", || {
        ws.recovery().confirm();
        Ok(())
    })
}

/// Opens the store with its recovery key where the keyring has no key (or a stale one)
/// for it, and puts the key back into the keyring; the answer says whether it could.
#[tauri::command]
async fn unlock_with_recovery_key(
    app: AppHandle,
    key: String,
) -> Result<uw_app::store_key::Recovered> {
    off_main(app, task("unlock_with_recovery_key"), move |ws| {
        if ws.opened().is_some() {
            return Err(AppError::new(
                ErrorCode::InvalidInput,
                "recovery key: the case store is already open; nothing was done",
            ));
        }
        let (store_key, done) = uw_app::store_key::recover(
            &uw_app::keyring::SecretTool,
            &ws.data_dir,
            &key,
            &uw_app::paths::os_user(),
        )?;
        let opened = ws.open_with(store_key)?;
        let _ = ws.opened.set(Ok(opened));
        Ok(done)
    })
    .await
}

//! The IPC commands. Each is a thin call into `uw_app::Workstation`; errors cross as
//! `{code, message}` (`uw_app::AppError`).

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use serde_json::Value;
use tauri::ipc::Channel;
use tauri::{AppHandle, Emitter, Manager, State};
use tauri_plugin_dialog::DialogExt;
use uw_app::SupportBundle;
use uw_app::{AdminSettings, BackupSettings, BankInput, DirectoryInput, UserRoles, UserView};
use uw_app::{
    AgreementPreview, ConflictView, Dashboard, DisbursementView, Keep, PrintedFile, ScanList,
    SyncStatus, WhatIfReport,
};
use uw_app::{
    AppError, AppStatus, CaseEvent, CaseView, ErrorCode, ImportReport, IncomeView, NewUser,
    OpenOptions, QueuePage, QueueQuery, ReadProgress, Result, ReviewView, Session, SessionStatus,
    StoreKey, StoreState, TotpSetup, Workstation,
};
use uw_domain::case::{DocumentKind, DocumentStatus, IncomeKind, ReviewDecision};
use uw_domain::disbursement::Fact;
use uw_domain::vin::VinReport;
use uw_domain::Evaluation;

/// The workstation, or why it could not open (a foreign database, an unwritable folder):
/// the window still opens and shows that error instead of vanishing. Without a key (no
/// OS keyring, no passphrase given) it waits for the passphrase from the unlock screen.
pub struct Ws {
    opened: OnceLock<std::result::Result<Workstation, AppError>>,
    data_dir: PathBuf,
    demo: bool,
    /// Wakes the sync worker: `true` for "sync now" (backoff ignored).
    sync_wake: Mutex<Option<Sender<bool>>>,
    /// A store made at this start: its recovery key, until the person says they stored it.
    recovery: uw_app::store_key::ShownOnce,
    /// The log, for as long as the window runs.
    _log: Option<uw_app::logs::LogGuard>,
}

impl Ws {
    pub fn open(demo: bool) -> Ws {
        let data_dir = uw_app::paths::data_dir(demo);
        let mut ws = Ws {
            opened: OnceLock::new(),
            _log: start_log(&data_dir),
            data_dir,
            demo,
            sync_wake: Mutex::new(None),
            recovery: Default::default(),
        };
        match uw_app::store_key::for_window(&uw_app::keyring::SecretTool, &ws.data_dir, demo) {
            Ok(found) => {
                ws.recovery = uw_app::store_key::ShownOnce::new(found.new_recovery);
                match ws.open_with(found.key) {
                    // The keyring's key no longer opens the store (a rekey whose keyring
                    // write was lost): the unlock screen takes its recovery key.
                    Err(e) if found.from_keyring && e.code == ErrorCode::StoreWrongKey => {}
                    opened => {
                        let _ = ws.opened.set(opened);
                    }
                }
            }
            Err(e) if e.code == ErrorCode::StoreKeyMissing => {} // the unlock screen asks
            Err(e) => {
                let _ = ws.opened.set(Err(e));
            }
        }
        ws
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
        match self.opened.get() {
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

pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        app_status,
        backup_now,
        queue,
        open_case,
        evaluate_case,
        save_case,
        import_files,
        pick_and_import,
        export_case,
        case_history,
        check_vin,
        statement_income,
        attach_statements,
        pick_statements,
        remove_statement,
        reclassify_transaction,
        apply_statement_income,
        store_state,
        unlock_store,
        new_recovery_key,
        save_recovery_sheet,
        confirm_recovery_key,
        unlock_with_recovery_key,
        session_status,
        login,
        logout,
        begin_totp,
        confirm_totp,
        change_password,
        setup_admin,
        create_user,
        case_review,
        release_case,
        submit_case,
        approve_case,
        reject_case,
        return_case,
        sync_status,
        sync_now,
        sync_conflicts,
        resolve_conflict,
        disbursement,
        request_lien,
        record_disbursement_fact,
        order_disbursement,
        agreement_preview,
        print_agreement,
        what_if,
        pick_what_if,
        dashboard,
        refresh_portfolio,
        take_counter_offer,
        set_language,
        verify_identity,
        pull_bureau,
        pull_bureau_all,
        scans,
        attach_scans,
        pick_scans,
        scan_content,
        remove_scan,
        mark_document,
        admin_users,
        admin_set_roles,
        admin_reset_password,
        admin_reset_second_factor,
        admin_unlock,
        admin_set_active,
        admin_settings,
        admin_set_idle_minutes,
        admin_set_bank,
        admin_test_bank,
        admin_set_backup,
        admin_set_language,
        admin_set_directory,
        admin_test_directory,
        save_support_bundle,
    ]
}

/// Help → "Save a support bundle…": the log of the last two weeks and the health report
/// (`uw_app::support`), to a file the person picks. Async: the report asks the bank and
/// the directory.
#[tauri::command]
async fn save_support_bundle(app: AppHandle, ws: State<'_, Ws>) -> Result<Option<SupportBundle>> {
    logged("save_support_bundle", || {
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
        signed.support_bundle(&path).map(Some)
    })
}

#[tauri::command]
fn pull_bureau_all(ws: State<'_, Ws>, case_id: String, version: i64) -> Result<CaseView> {
    logged("pull_bureau_all", || {
        ws.changed(ws.signed_in()?.pull_bureau_all(&case_id, version))
    })
}

#[tauri::command]
fn scans(ws: State<'_, Ws>, case_id: String) -> Result<ScanList> {
    logged("scans", || ws.signed_in()?.scans(&case_id))
}

#[tauri::command]
fn attach_scans(
    ws: State<'_, Ws>,
    case_id: String,
    kind: String,
    party: usize,
    paths: Vec<String>,
) -> Result<ScanList> {
    logged("attach_scans", || {
        let paths: Vec<PathBuf> = paths.into_iter().map(PathBuf::from).collect();
        ws.changed(
            ws.signed_in()?
                .attach_scan_files(&case_id, &kind, party, &paths),
        )
    })
}

#[tauri::command]
async fn pick_scans(
    app: AppHandle,
    ws: State<'_, Ws>,
    case_id: String,
    kind: String,
    party: usize,
) -> Result<Option<ScanList>> {
    logged("pick_scans", || {
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
        ws.changed(signed.attach_scan_files(&case_id, &kind, party, &paths))
            .map(Some)
    })
}

/// The scan's bytes as an ArrayBuffer (no JSON on the way): the viewer draws them.
#[tauri::command]
fn scan_content(ws: State<'_, Ws>, case_id: String, id: i64) -> Result<tauri::ipc::Response> {
    logged("scan_content", || {
        let (_, bytes) = ws.signed_in()?.scan_content(&case_id, id)?;
        Ok(tauri::ipc::Response::new(bytes))
    })
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
fn verify_identity(
    ws: State<'_, Ws>,
    case_id: String,
    version: i64,
    party: usize,
) -> Result<CaseView> {
    logged("verify_identity", || {
        ws.changed(ws.signed_in()?.verify_identity(&case_id, version, party))
    })
}

#[tauri::command]
fn pull_bureau(ws: State<'_, Ws>, case_id: String, version: i64, party: usize) -> Result<CaseView> {
    logged("pull_bureau", || {
        ws.changed(ws.signed_in()?.pull_bureau(&case_id, version, party))
    })
}

#[tauri::command]
fn set_language(ws: State<'_, Ws>, lang: String) -> Result<()> {
    logged("set_language", || ws.get()?.set_language(&lang))
}

#[tauri::command]
fn dashboard(ws: State<'_, Ws>) -> Result<Dashboard> {
    logged("dashboard", || ws.signed_in()?.dashboard())
}

#[tauri::command]
fn refresh_portfolio(ws: State<'_, Ws>) -> Result<Dashboard> {
    logged("refresh_portfolio", || ws.signed_in()?.refresh_portfolio())
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
fn what_if(ws: State<'_, Ws>, path: String) -> Result<WhatIfReport> {
    logged("what_if", || {
        ws.signed_in()?.what_if_file(std::path::Path::new(&path))
    })
}

#[tauri::command]
async fn pick_what_if(app: AppHandle, ws: State<'_, Ws>) -> Result<Option<WhatIfReport>> {
    logged("pick_what_if", || {
        // The session first: no picker opens for nobody.
        let signed = ws.signed_in()?;
        let picked = app
            .dialog()
            .file()
            .add_filter("Product configuration", &["json"])
            .blocking_pick_file();
        let Some(file) = picked else { return Ok(None) };
        let path = local_paths(vec![file])?.remove(0);
        signed.what_if_file(&path).map(Some)
    })
}

#[tauri::command]
fn agreement_preview(ws: State<'_, Ws>, case_id: String, lang: String) -> Result<AgreementPreview> {
    logged("agreement_preview", || {
        ws.signed_in()?.agreement_preview(&case_id, &lang)
    })
}

/// Writes the agreement's PDF and hands it to the system's viewer, whose Print prints it.
#[tauri::command]
fn print_agreement(ws: State<'_, Ws>, case_id: String, lang: String) -> Result<PrintedFile> {
    logged("print_agreement", || {
        let path = ws.signed_in()?.print_agreement(&case_id, &lang)?;
        let opened = open_with_system(&path);
        Ok(PrintedFile {
            path: path.display().to_string(),
            opened,
        })
    })
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

#[tauri::command]
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

/// "Back up now": async, so the window goes on while the copy is made and checked.
#[tauri::command]
async fn backup_now(ws: State<'_, Ws>) -> Result<uw_app::BackupSummary> {
    logged("backup_now", || {
        ws.signed_in()?
            .backup_now(chrono::Local::now().naive_local())
    })
}

#[tauri::command]
fn app_status(ws: State<'_, Ws>) -> Result<AppStatus> {
    logged("app_status", || ws.get()?.status())
}

#[tauri::command]
fn queue(ws: State<'_, Ws>, query: QueueQuery) -> Result<QueuePage> {
    logged("queue", || ws.signed_in()?.queue(&query))
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
fn import_files(ws: State<'_, Ws>, paths: Vec<String>) -> Result<ImportReport> {
    logged("import_files", || {
        let paths: Vec<PathBuf> = paths.into_iter().map(PathBuf::from).collect();
        ws.signed_in()?.import_files(&paths)
    })
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
async fn pick_and_import(app: AppHandle, ws: State<'_, Ws>) -> Result<Option<ImportReport>> {
    logged("pick_and_import", || {
        // The session first: no picker opens for nobody.
        let signed = ws.signed_in()?;
        let picked = app
            .dialog()
            .file()
            .add_filter("Case files", &["json"])
            .blocking_pick_files();
        let Some(files) = picked else { return Ok(None) };
        let paths = local_paths(files)?;
        signed.import_files(&paths).map(Some)
    })
}

#[tauri::command]
async fn export_case(app: AppHandle, ws: State<'_, Ws>, case_id: String) -> Result<Option<String>> {
    logged("export_case", || {
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
        signed
            .export_case_to(&case_id, &path)
            .map(|p| Some(p.display().to_string()))
    })
}

#[tauri::command]
fn case_history(ws: State<'_, Ws>, case_id: String) -> Result<Vec<CaseEvent>> {
    logged("case_history", || ws.signed_in()?.history(&case_id))
}

#[tauri::command]
fn check_vin(ws: State<'_, Ws>, vin: String) -> Result<VinReport> {
    logged("check_vin", || Ok(ws.signed_in()?.check_vin(&vin)))
}

#[tauri::command]
fn statement_income(ws: State<'_, Ws>, case_id: String, party: usize) -> Result<IncomeView> {
    logged("statement_income", || {
        ws.signed_in()?.statement_income(&case_id, party)
    })
}

/// Attaches files by path (typed, or dropped on the window); progress goes to the channel.
/// Async, so that reading a large file does not hold the window's thread.
#[tauri::command]
async fn attach_statements(
    ws: State<'_, Ws>,
    case_id: String,
    party: usize,
    paths: Vec<String>,
    on_progress: Channel<ReadProgress>,
) -> Result<IncomeView> {
    logged("attach_statements", || {
        let paths: Vec<PathBuf> = paths.into_iter().map(PathBuf::from).collect();
        ws.signed_in()?
            .attach_statement_files(&case_id, party, &paths, &mut |p| {
                let _ = on_progress.send(p); // a closed window only loses the bar
            })
    })
}

#[tauri::command]
async fn pick_statements(
    app: AppHandle,
    ws: State<'_, Ws>,
    case_id: String,
    party: usize,
    on_progress: Channel<ReadProgress>,
) -> Result<Option<IncomeView>> {
    logged("pick_statements", || {
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
        signed
            .attach_statement_files(&case_id, party, &paths, &mut |p| {
                let _ = on_progress.send(p);
            })
            .map(Some)
    })
}

#[tauri::command]
fn remove_statement(
    ws: State<'_, Ws>,
    case_id: String,
    party: usize,
    id: i64,
) -> Result<IncomeView> {
    logged("remove_statement", || {
        ws.signed_in()?.remove_statement(&case_id, party, id)
    })
}

#[tauri::command]
fn reclassify_transaction(
    ws: State<'_, Ws>,
    case_id: String,
    party: usize,
    file: String,
    line: usize,
    kind: Option<IncomeKind>,
    note: String,
) -> Result<IncomeView> {
    logged("reclassify_transaction", || {
        ws.signed_in()?
            .reclassify(&case_id, party, &file, line, kind, &note)
    })
}

#[tauri::command]
fn apply_statement_income(
    ws: State<'_, Ws>,
    case_id: String,
    party: usize,
    version: i64,
) -> Result<CaseView> {
    logged("apply_statement_income", || {
        ws.signed_in()?
            .apply_statement_income(&case_id, party, version)
    })
}

#[tauri::command]
fn session_status(ws: State<'_, Ws>) -> Result<SessionStatus> {
    logged("session_status", || ws.get()?.session_status())
}

/// Async: Argon2id, and with the bank's directory the bind and the key's enrolment, take a
/// moment, which must not hold the window's thread. A login syncs at once (a reviewer's
/// inbox, statements waiting for the person).
#[tauri::command]
async fn login(
    ws: State<'_, Ws>,
    username: String,
    password: String,
    code: Option<String>,
) -> Result<Session> {
    logged("login", || {
        ws.changed_urgently(ws.get()?.login(&username, &password, code.as_deref()))
    })
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
async fn change_password(ws: State<'_, Ws>, old: String, new: String) -> Result<()> {
    logged("change_password", || {
        ws.signed_in_to_change_password()?
            .change_password(&old, &new)
    })
}

#[tauri::command]
fn logout(ws: State<'_, Ws>) -> Result<()> {
    logged("logout", || ws.get()?.logout())
}

#[tauri::command]
async fn setup_admin(ws: State<'_, Ws>, user: NewUser) -> Result<Session> {
    logged("setup_admin", || ws.get()?.create_first_admin(&user))
}

#[tauri::command]
async fn create_user(ws: State<'_, Ws>, user: NewUser) -> Result<()> {
    logged("create_user", || ws.signed_in()?.create_user(&user))
}

#[tauri::command]
fn case_review(ws: State<'_, Ws>, case_id: String) -> Result<ReviewView> {
    logged("case_review", || ws.signed_in()?.review(&case_id))
}

#[tauri::command]
fn submit_case(
    ws: State<'_, Ws>,
    case_id: String,
    version: i64,
    decision: ReviewDecision,
    justification: String,
) -> Result<CaseView> {
    logged("submit_case", || {
        ws.changed(
            ws.signed_in()?
                .submit(&case_id, version, decision, &justification),
        )
    })
}

#[tauri::command]
async fn approve_case(
    ws: State<'_, Ws>,
    case_id: String,
    version: i64,
    password: String,
) -> Result<CaseView> {
    logged("approve_case", || {
        ws.changed(ws.signed_in()?.approve(&case_id, version, &password))
    })
}

#[tauri::command]
async fn reject_case(
    ws: State<'_, Ws>,
    case_id: String,
    version: i64,
    comment: String,
    password: String,
) -> Result<CaseView> {
    logged("reject_case", || {
        ws.changed(
            ws.signed_in()?
                .reject(&case_id, version, &comment, &password),
        )
    })
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

#[tauri::command]
fn store_state(ws: State<'_, Ws>) -> Result<StoreState> {
    logged("store_state", || {
        Ok(StoreState {
            locked: ws.opened.get().is_none(),
            new_store: !ws.data_dir.join("cases.db").exists(),
            default_language: uw_app::paths::default_language(),
        })
    })
}

/// Opens the store with the passphrase typed on the unlock screen (no OS keyring here).
/// A wrong one leaves the store locked and the file untouched. Async: the key derivation
/// takes a moment.
#[tauri::command]
async fn unlock_store(ws: State<'_, Ws>, passphrase: String) -> Result<()> {
    logged("unlock_store", || {
        if ws.opened.get().is_some() {
            return Ok(());
        }
        uw_app::paths::check_new_passphrase(&ws.data_dir, &passphrase)?;
        let opened = ws.open_with(StoreKey::Passphrase(passphrase))?;
        let _ = ws.opened.set(Ok(opened));
        Ok(())
    })
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
async fn admin_reset_password(ws: State<'_, Ws>, username: String, password: String) -> Result<()> {
    logged("admin_reset_password", || {
        ws.signed_in()?.admin_reset_password(&username, &password)
    })
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
async fn admin_set_bank(ws: State<'_, Ws>, bank: BankInput) -> Result<()> {
    logged("admin_set_bank", || ws.signed_in()?.admin_set_bank(&bank))
}

/// Async: the bank is asked (on a thread of the service's own).
#[tauri::command]
async fn admin_test_bank(ws: State<'_, Ws>) -> Result<()> {
    logged("admin_test_bank", || ws.signed_in()?.admin_test_bank())
}

#[tauri::command]
fn admin_set_backup(ws: State<'_, Ws>, backup: BackupSettings) -> Result<()> {
    logged("admin_set_backup", || {
        ws.signed_in()?.admin_set_backup(&backup)
    })
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
async fn admin_test_directory(ws: State<'_, Ws>) -> Result<()> {
    logged("admin_test_directory", || {
        ws.signed_in()?.admin_test_directory()
    })
}

// The store's recovery key: the screen before login. A new store's key is shown by the
// process that made it, before anyone can log in (there is no one yet), until the person
// confirms they stored it; none of these commands reads or writes a case.

/// The recovery key of a store made at this start, while it waits to be confirmed.
#[tauri::command]
fn new_recovery_key(ws: State<'_, Ws>) -> Result<Option<uw_app::store_key::NewRecoveryKey>> {
    logged("new_recovery_key", || Ok(ws.recovery.view(&ws.data_dir)))
}

/// "Save the recovery sheet…": the save dialog (opened by Rust), then the PDF. No dialog
/// opens unless a new store's key waits to be shown.
#[tauri::command]
async fn save_recovery_sheet(
    app: AppHandle,
    ws: State<'_, Ws>,
    lang: String,
) -> Result<Option<String>> {
    logged("save_recovery_sheet", || {
        ws.recovery.waiting()?;
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
        ws.recovery.save_sheet(&ws.data_dir, &lang, &path)?;
        Ok(Some(path.display().to_string()))
    })
}

/// "I have stored it": the key is shown no more.
#[tauri::command]
fn confirm_recovery_key(ws: State<'_, Ws>) -> Result<()> {
    logged("confirm_recovery_key", || {
        ws.recovery.confirm();
        Ok(())
    })
}

/// Opens the store with its recovery key where the keyring has no key (or a stale one)
/// for it, and puts the key back into the keyring; the answer says whether it could.
#[tauri::command]
async fn unlock_with_recovery_key(
    ws: State<'_, Ws>,
    key: String,
) -> Result<uw_app::store_key::Recovered> {
    logged("unlock_with_recovery_key", || {
        if ws.opened.get().is_some() {
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
}

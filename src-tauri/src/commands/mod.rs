//! The IPC commands, one module per area of the window. Each is a thin call into
//! `uw_app::Workstation` that checks the session first (`Shared::signed_in`) and runs as
//! `run` says (on the window's thread only for one page of the store); errors cross as
//! `{code, message}` (`uw_app::AppError`).
//!
//! The `#[tauri::command]` functions of these files are the one list of the app's commands:
//! `build.rs` makes the manifest and [`handler`] from them (`command_list.rs`); a command's
//! name is unique across the modules (the window calls it by that name alone).

mod admin;
mod case;
mod dashboard;
mod disbursement;
mod documents;
mod help;
mod income;
mod printing;
mod queue;
mod review;
mod session;
mod store;
mod sync;

/// Every `#[tauri::command]` of these modules: the list is made from them by `build.rs`.
pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
    include!(concat!(env!("OUT_DIR"), "/handler.rs"))
}

//! The desktop shell: a window, the commands, and nothing else. Every command is a few
//! lines that call `uw-app`; the rules, the store and the files live behind that API.
//!
//! Start-up: the store opens on a thread of its own (`state::Ws::start`) while the
//! window and its web view start; nothing before the window waits for it.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod run;
mod state;
mod workers;

fn main() {
    let demo =
        std::env::args().any(|a| a == "--demo") || std::env::var("UW_DEMO").is_ok_and(|v| v == "1");
    let state = state::Ws::start(demo);
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(state)
        .invoke_handler(commands::handler())
        .setup(|app| {
            lean_web_view(app);
            workers::start_sync_worker(app.handle());
            workers::start_backup_worker(app.handle());
            Ok(())
        })
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| {
            eprintln!("underwriter-workstation: cannot start the window: {e}");
            std::process::exit(1);
        });
}

/// The web view as a form-filling window needs it, and no more: no GPU compositing, no
/// WebGL or Web Audio, no back-forward page cache, and WebKit's memory caches at their
/// smallest (one page, from local files: nothing worth caching). Each costs memory in the
/// web process for nothing here.
fn lean_web_view(app: &tauri::App) {
    #[cfg(target_os = "linux")]
    if let Some(window) = tauri::Manager::get_webview_window(app, "main") {
        let _ = window.with_webview(|w| {
            use webkit2gtk::{
                CacheModel, HardwareAccelerationPolicy, SettingsExt, WebContextExt, WebViewExt,
            };
            let view = w.inner();
            if let Some(settings) = WebViewExt::settings(&view) {
                settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
                settings.set_enable_webgl(false);
                settings.set_enable_webaudio(false);
                settings.set_enable_page_cache(false);
            }
            if let Some(context) = view.context() {
                context.set_cache_model(CacheModel::DocumentViewer);
            }
        });
    }
    #[cfg(not(target_os = "linux"))]
    let _ = app;
}

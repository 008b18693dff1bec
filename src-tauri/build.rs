//! Generates the permission of each app command and the command handler, both from the
//! `#[tauri::command]` functions of `src/commands/` (`command_list.rs`);
//! `capabilities/main.json` grants the main window exactly these, and nothing of any
//! plugin.

include!("command_list.rs");

fn main() {
    println!("cargo:rerun-if-changed=src/commands");
    println!("cargo:rerun-if-changed=command_list.rs");
    let commands = app_commands(std::path::Path::new("src/commands"));
    assert!(
        !commands.is_empty(),
        "no #[tauri::command] in src/commands/"
    );
    let mut seen = std::collections::BTreeSet::new();
    for (area, name) in &commands {
        // The window calls a command by its name alone.
        assert!(
            seen.insert(name),
            "the command {name} of {area}.rs is named twice"
        );
    }
    // The handler: every command, by the same list, by its module's path.
    let paths: Vec<String> = commands.iter().map(|(a, n)| format!("{a}::{n}")).collect();
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(
        out.join("handler.rs"),
        format!("tauri::generate_handler![{}]", paths.join(", ")),
    )
    .expect("OUT_DIR is writable");
    let names: Vec<String> = commands.into_iter().map(|(_, n)| n).collect();
    // tauri-build keeps the list for the whole build: a build script lives once.
    let commands: &'static [&'static str] = Box::leak(
        names
            .into_iter()
            .map(|n| &*Box::leak(n.into_boxed_str()))
            .collect::<Vec<_>>()
            .into_boxed_slice(),
    );
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(commands)),
    )
    .expect("tauri-build failed");
}

// The app's commands: every `#[tauri::command]` function of `src/commands.rs`, in the
// file's order — the one source of the command list. `build.rs` makes the manifest (each
// command's permission) and the handler from it; the e2e crate's surface tests check the
// capability (`capabilities/main.json`) and the window's client (`ui/src/commands.ts`)
// against it, and rewrite both with UPDATE_BINDINGS=1. Included by both: no crate of its
// own for one function.

/// The names of the `#[tauri::command]` functions in `source`, in order.
#[allow(dead_code)] // each includer uses what it needs
fn command_names(source: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut lines = source.lines();
    while let Some(line) = lines.next() {
        // `#[tauri::command]` or `#[tauri::command(async)]`.
        let t = line.trim();
        if !(t == "#[tauri::command]" || t.starts_with("#[tauri::command(")) {
            continue;
        }
        for next in lines.by_ref() {
            let mut t = next.trim();
            if t.starts_with("#[") || t.starts_with("//") {
                continue;
            }
            for prefix in ["pub(crate) ", "pub ", "async "] {
                t = t.strip_prefix(prefix).unwrap_or(t);
            }
            if let Some(rest) = t.strip_prefix("fn ") {
                out.push(
                    rest.chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect(),
                );
            }
            break;
        }
    }
    out
}

/// A command's permission, as tauri-build names it (`open_case` → `allow-open-case`).
#[allow(dead_code)]
fn permission_of(command: &str) -> String {
    format!("allow-{}", command.replace('_', "-"))
}

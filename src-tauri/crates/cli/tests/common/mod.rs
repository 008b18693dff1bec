//! Running the `uw` binary in the tests: on a data folder of their own, the store's key
//! given as a passphrase, no bank unless one is named.
#![allow(dead_code)] // each test binary uses its own part of this module

use std::path::Path;
use std::process::{Command, Output};

use uw_parse::hostile;

pub const PASSPHRASE: &str = "cli test passphrase";

/// `uw ARGS` on `data_dir`, against the bank at `bank` (its URL and token) when given.
pub fn uw_command(args: &[&str], data_dir: &Path, bank: Option<(&str, &str)>) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_uw"));
    c.args(args)
        .env("UW_DATA_DIR", data_dir)
        .env("UW_STORE_PASSPHRASE", PASSPHRASE)
        .env_remove("UW_BANK_URL")
        .env_remove("UW_BANK_TOKEN");
    if let Some((url, token)) = bank {
        c.env("UW_BANK_URL", url).env("UW_BANK_TOKEN", token);
    }
    c
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&o.stdout)
        )
    })
}

/// Exit 0 with JSON on stdout.
pub fn ok(o: &Output) -> serde_json::Value {
    assert!(o.status.success(), "{}", stderr(o));
    json(o)
}

/// Exit 1 with `code` on stderr, never a panic.
pub fn refused(o: &Output, code: &str) -> String {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(says(o, code), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

/// Whether `uw` said `code` as its error (its line on stderr).
pub fn says(o: &Output, code: &str) -> bool {
    let prefix = format!("uw: {code}: ");
    stderr(o).lines().any(|l| l.starts_with(&prefix))
}

/// A store under `key` with the demo's cases and `mb` megabytes of scans (PDF pages of
/// incompressible image data), written through the services as the window writes them;
/// its case count.
pub fn store_with_scans(data: &Path, key: uw_app::StoreKey, mb: usize) -> i64 {
    let ws = uw_app::Workstation::open(uw_app::OpenOptions {
        data_dir: data.to_path_buf(),
        key,
        actor: "cli:test".into(),
        demo: true,
        require_login: false,
        bank: None,
        directory: None,
    })
    .unwrap();
    for i in 0..mb / 8 {
        let pdf = hostile::pdf_of_jpeg(&hostile::noise(i as u64, 8 << 20));
        ws.attach_scan(
            "AUTO-2026-000123",
            "identity",
            0,
            &format!("page-{i}.pdf"),
            &pdf,
        )
        .unwrap();
    }
    ws.status().unwrap().case_count
}

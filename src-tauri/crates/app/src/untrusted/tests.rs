//! The attacks on the readers, each through the real reading process: bombs made by the
//! test, refused with their code, the workstation unharmed and nothing attached.

use std::path::{Path, PathBuf};

use uw_parse::hostile::{self, Declared};

use super::*;
use crate::Workstation;

const CASE: &str = "AUTO-2026-000123";

fn open(dir: &Path) -> Workstation {
    Workstation::open(crate::tests::options(dir, "alice", true, false)).expect("opens")
}

fn demo_statement() -> (String, Vec<u8>) {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../assets/demo/statements/karimov-sqb-2026-05-10.txt");
    (
        "karimov-sqb-2026-05-10.txt".into(),
        std::fs::read(p).expect("the demo statement"),
    )
}

/// One hostile file read as what it claims to be: the code expected, the name in the
/// message, and how long the refusal took (shown, not asserted: speed is the bench's).
fn check(
    read: fn(&str, &[u8]) -> Result<()>,
    name: &str,
    bytes: &[u8],
    code: ErrorCode,
    says: &str,
) {
    let start = Instant::now();
    let e = read(name, bytes).expect_err(name);
    eprintln!(
        "{name} ({} bytes): {:?} in {:?}: {}",
        bytes.len(),
        e.code,
        start.elapsed(),
        e.message
    );
    assert_eq!(e.code, code, "{name}: {}", e.message);
    assert!(
        e.message.starts_with(name) && e.message.contains(says),
        "{name}: {}",
        e.message
    );
}

fn as_statement(name: &str, bytes: &[u8]) -> Result<()> {
    statement(name, bytes).map(drop)
}

fn as_scan(name: &str, bytes: &[u8]) -> Result<()> {
    scan(name, bytes).map(drop)
}

#[test]
fn an_xlsx_that_inflates_to_gigabytes_is_refused_by_its_own_account() {
    let bomb = hostile::xlsx_bomb(2048, Declared::Honest);
    assert!(bomb.len() < 3 * 1024 * 1024, "{} bytes", bomb.len());
    check(
        as_statement,
        "bomb.xlsx",
        &bomb,
        ErrorCode::FileOverLimit,
        "inflates",
    );
}

#[test]
fn an_xlsx_that_lies_about_its_size_is_stopped_by_the_reader_s_limits() {
    // Its parts claim a few kilobytes; the sheet inflates to 2 GB of blank text in one cell.
    let bomb = hostile::xlsx_bomb(2048, Declared::Lying);
    let start = Instant::now();
    let e = as_statement("liar.xlsx", &bomb).expect_err("refused");
    eprintln!(
        "liar.xlsx: {:?} in {:?}: {}",
        e.code,
        start.elapsed(),
        e.message
    );
    assert!(
        matches!(e.code, ErrorCode::FileOverLimit | ErrorCode::InvalidInput),
        "{e:?}"
    );
    assert!(e.message.starts_with("liar.xlsx"), "{}", e.message);
}

#[test]
fn a_reader_that_runs_out_of_memory_dies_alone() {
    // The workbook announces 100 million shared strings; the spreadsheet library makes
    // room for them (2.4 GB) before reading one. In this process that would abort the
    // window; in the reader it meets the memory limit.
    check(
        as_statement,
        "announcing.xlsx",
        &hostile::xlsx_announcing(100_000_000),
        ErrorCode::FileOverLimit,
        "the reader stopped",
    );
    let (name, bytes) = demo_statement();
    assert!(statement(&name, &bytes).is_ok(), "and the next file reads");
}

#[test]
fn a_sheet_claiming_a_billion_cells_is_refused() {
    check(
        as_statement,
        "vast.xlsx",
        &hostile::xlsx_claiming("A1:XFD1048576"),
        ErrorCode::FileOverLimit,
        "1048576 rows × 16384 columns",
    );
}

#[test]
fn a_pdf_bomb_is_refused() {
    let bomb = hostile::pdf_bomb(1024);
    assert!(bomb.len() < 2 * 1024 * 1024, "{} bytes", bomb.len());
    check(
        as_scan,
        "bomb.pdf",
        &bomb,
        ErrorCode::FileOverLimit,
        "inflates past",
    );
    check(
        as_scan,
        "twice.pdf",
        &hostile::pdf_with(
            "/Filter [/FlateDecode /FlateDecode]",
            &hostile::zlib_repeated(0, 1),
        ),
        ErrorCode::FileOverLimit,
        "twice",
    );
}

#[test]
fn ordinary_files_are_let_in() {
    let (name, bytes) = demo_statement();
    assert!(statement(&name, &bytes).expect("read").transactions > 0);
    let pdf = hostile::pdf_with("/Filter /FlateDecode", &hostile::zlib_repeated(0, 2));
    assert_eq!(scan("page.pdf", &pdf).expect("read").pages, 1);
}

#[test]
fn a_bomb_attaches_nothing_and_the_desk_goes_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ws = open(dir.path());
    let before = ws.statement_income(CASE, 0).expect("income").files.len();
    let e = ws
        .attach_statements(
            CASE,
            0,
            vec![
                demo_statement(),
                (
                    "bomb.xlsx".into(),
                    hostile::xlsx_bomb(2048, Declared::Honest),
                ),
            ],
        )
        .expect_err("refused");
    assert_eq!(e.code, ErrorCode::FileOverLimit);
    assert!(e.message.ends_with("nothing was attached"), "{}", e.message);
    assert_eq!(
        ws.statement_income(CASE, 0).expect("income").files.len(),
        before
    );
    let e = ws
        .attach_scan(CASE, "identity", 0, "bomb.pdf", &hostile::pdf_bomb(1024))
        .expect_err("refused");
    assert_eq!(e.code, ErrorCode::FileOverLimit, "{}", e.message);
    assert!(ws.scans(CASE).expect("scans").scans.is_empty());
    // The same desk reads an ordinary file at once.
    let view = ws
        .attach_statements(CASE, 0, vec![demo_statement()])
        .expect("attached");
    assert_eq!(view.files.len(), before + 1);
}

#[test]
fn a_reader_past_its_deadline_is_stopped() {
    let mut child = std::process::Command::new("sleep")
        .arg("30")
        .spawn()
        .expect("sleep starts");
    let start = Instant::now();
    assert_eq!(
        wait_until(&mut child, Duration::from_millis(200)).expect("waited"),
        None
    );
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "it was killed, not waited for"
    );
    assert!(child.try_wait().expect("reaped").is_some());
}

#[cfg(unix)]
#[test]
fn a_file_that_is_no_file_is_not_read() {
    let dir = tempfile::tempdir().expect("tmp");
    let zero = dir.path().join("statement.xlsx");
    std::os::unix::fs::symlink("/dev/zero", &zero).expect("link");
    let e = read_bounded(&zero, 1024, "a statement").expect_err("a device");
    assert_eq!(e.code, ErrorCode::InvalidInput);
    assert!(e.message.contains("not a regular file"), "{}", e.message);
    let ws = open(dir.path());
    let e = ws
        .attach_statement_files(CASE, 0, &[zero], &mut |_| {})
        .expect_err("a device");
    assert!(e.message.contains("not a regular file"), "{}", e.message);
}

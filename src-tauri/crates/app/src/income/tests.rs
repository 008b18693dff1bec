use std::path::PathBuf;

use super::*;

const CASE: &str = "AUTO-2026-000123";

fn demo_file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../assets/demo/statements")
        .join(name)
}

fn open(dir: &Path) -> Workstation {
    Workstation::open(crate::tests::options(dir, "alice", true, false)).unwrap()
}

#[test]
fn attach_reclassify_and_apply() {
    let dir = tempfile::tempdir().unwrap();
    let ws = open(dir.path());
    let mut seen = Vec::new();
    let view = ws
        .attach_statement_files(
            CASE,
            0,
            &[demo_file("karimov-sqb-2026-05-10.txt")],
            &mut |p| seen.push(p),
        )
        .unwrap();
    // Progress ends with every byte read, then the analysis.
    let last = seen.last().unwrap();
    assert_eq!(last.stage, "analysing");
    assert_eq!(last.bytes_read, last.bytes_total);
    assert!(last.bytes_total > 8000);

    assert_eq!(view.files.len(), 1);
    assert_eq!(view.files[0].encoding, "windows-1251");
    assert_eq!(view.files[0].documents, 21);
    let codes: Vec<&str> = view.income.flags.iter().map(|f| f.code.as_str()).collect();
    assert!(
        codes.contains(&"ROUND_TRIP") && codes.contains(&"ONE_OFF_INFLOW"),
        "{codes:?}"
    );
    // Salary 76.2 M over six months, plus the 40 M inflow, over 6.
    assert_eq!(
        view.income.average_monthly_income.to_string(),
        "19366666.67"
    );
    assert!(!view.applied);

    // The inflow flagged as a round trip is taken out, with a note.
    let flagged = view
        .income
        .flags
        .iter()
        .find(|f| f.code == "ROUND_TRIP")
        .unwrap();
    let line = flagged.line.unwrap();
    let err = ws
        .reclassify(CASE, 0, &flagged.file, line, None, "  ")
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    let view = ws
        .reclassify(
            CASE,
            0,
            &flagged.file,
            line,
            None,
            "paid straight on to the dealer",
        )
        .unwrap();
    assert_eq!(
        view.income.average_monthly_income.to_string(),
        "12700000.00"
    );
    assert_eq!(view.reclassifications.len(), 1);
    assert_eq!(view.reclassifications[0].actor, "alice");
    let t = view
        .income
        .transactions
        .iter()
        .find(|t| t.line == line)
        .unwrap();
    assert_eq!(t.excluded.as_deref(), Some("reclassified"));
    assert!(t.reason.contains("paid straight on to the dealer"));

    // A debit cannot be made income; an unknown line is named.
    let debit = view
        .income
        .transactions
        .iter()
        .find(|t| t.direction == uw_domain::income::statements::Direction::Debit)
        .unwrap();
    let err = ws
        .reclassify(
            CASE,
            0,
            &debit.file,
            debit.line,
            Some(IncomeKind::Salary),
            "x",
        )
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    let err = ws
        .reclassify(CASE, 0, &debit.file, 99_999, Some(IncomeKind::Salary), "x")
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
    assert!(err.message.contains(":99999"), "{}", err.message);

    // Applying writes the statement sources into the case and so into the engine.
    let before = ws.open_case(CASE).unwrap();
    let after = ws.apply_statement_income(CASE, 0, before.version).unwrap();
    assert_eq!(after.version, before.version + 1);
    let incomes = &after.case.parties[0].incomes;
    assert_eq!(incomes.len(), 1);
    assert_eq!(incomes[0].employer.as_deref(), Some("\"O'zbekneftgaz\" AJ"));
    assert!(incomes[0].at_this_bank);
    assert_eq!(
        after.evaluation.metrics.average_monthly_income.to_string(),
        "12700000.00"
    );
    assert!(ws.statement_income(CASE, 0).unwrap().applied);
    // Applying again changes nothing and records nothing.
    let again = ws.apply_statement_income(CASE, 0, after.version).unwrap();
    assert_eq!(again.version, after.version);

    // All of it is in the history, and survives reopening.
    let kinds: Vec<String> = ws
        .history(CASE)
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    for k in ["statements_attached", "reclassified", "edit"] {
        assert!(kinds.iter().any(|x| x == k), "{k} missing in {kinds:?}");
    }
    drop(ws);
    let ws = open(dir.path());
    let view = ws.statement_income(CASE, 0).unwrap();
    assert_eq!(view.reclassifications.len(), 1);
    assert!(view.applied);
}

#[test]
fn a_failed_file_attaches_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let ws = open(dir.path());
    let good = demo_file("karimov-sqb-2026-05-10.txt");
    let bad = demo_file("karimov-truncated.txt");
    let err = ws
        .attach_statement_files(CASE, 0, &[good.clone(), bad], &mut |_| {})
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    assert!(
        err.message
            .starts_with("karimov-truncated.txt:61: the file is truncated"),
        "{}",
        err.message
    );
    assert!(ws.statement_income(CASE, 0).unwrap().files.is_empty());

    // Malformed batches and arguments, each named.
    type Batch = Vec<(String, Vec<u8>)>;
    let cases: Vec<(Batch, &str)> = vec![
        (vec![], "no files"),
        (
            vec![("e.txt".into(), b"  \n".to_vec())],
            "e.txt: the file is empty",
        ),
        (
            vec![("r.bin".into(), (0..=255u8).cycle().take(5000).collect())],
            "r.bin",
        ),
        (
            vec![
                ("a.txt".into(), std::fs::read(&good).unwrap()),
                ("a.txt".into(), std::fs::read(&good).unwrap()),
            ],
            "the same file name twice",
        ),
    ];
    for (files, expected) in cases {
        let err = ws.attach_statements(CASE, 0, files).unwrap_err();
        assert!(
            err.message.contains(expected),
            "{expected}: {}",
            err.message
        );
    }
    let err = ws
        .attach_statement_files(CASE, 5, std::slice::from_ref(&good), &mut |_| {})
        .unwrap_err();
    assert!(err.message.starts_with("party:"), "{}", err.message);
    let err = ws
        .attach_statement_files("NO-SUCH", 0, std::slice::from_ref(&good), &mut |_| {})
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
    let err = ws
        .attach_statement_files(CASE, 0, &[dir.path().join("missing.txt")], &mut |_| {})
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Io);
    assert!(err.message.contains("missing.txt"), "{}", err.message);
    assert!(ws.statement_income(CASE, 0).unwrap().files.is_empty());
    let err = ws.apply_statement_income(CASE, 0, 1).unwrap_err();
    assert!(
        err.message.contains("no statements attached"),
        "{}",
        err.message
    );

    // The same name twice is refused; removing frees it.
    let view = ws
        .attach_statement_files(CASE, 0, std::slice::from_ref(&good), &mut |_| {})
        .unwrap();
    let err = ws
        .attach_statement_files(CASE, 0, std::slice::from_ref(&good), &mut |_| {})
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::AlreadyExists);
    let view = ws.remove_statement(CASE, 0, view.files[0].id).unwrap();
    assert!(view.files.is_empty());
    let err = ws.remove_statement(CASE, 0, 12345).unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
    ws.attach_statement_files(CASE, 0, &[good], &mut |_| {})
        .unwrap();
}

use super::*;

const CASE: &str = "AUTO-2026-000123";

fn open(dir: &Path) -> Workstation {
    Workstation::open(crate::tests::options(dir, "os-user", true, true)).unwrap()
}

#[test]
fn only_an_approved_case_prints_stamped_with_its_version_and_hash() {
    let dir = tempfile::tempdir().unwrap();
    let ws = open(dir.path());
    ws.login("carol", "carol-demo-2026", None).unwrap();
    let e = ws.agreement_preview(CASE, "uz").unwrap_err();
    assert_eq!(e.code, ErrorCode::NotPrintable);
    assert!(e.message.contains("is draft"), "{e:?}");
    assert_eq!(
        ws.print_agreement(CASE, "ru").unwrap_err().code,
        ErrorCode::NotPrintable
    );
    assert_eq!(
        ws.agreement_preview(CASE, "en").unwrap_err().code,
        ErrorCode::InvalidInput
    );
    let v = crate::tests::submit_and_approve(&ws, CASE, "DTI 45.87 %, documents verified");

    let preview = ws.agreement_preview(CASE, "uz").unwrap();
    assert!(preview.pages.len() >= 2);
    assert_eq!(preview.version, v.version);
    // The stamp is the hash the core bank keeps for this version's content.
    let stored = ws.store().unwrap().get_case(CASE).unwrap();
    let hash = uw_bank_link::api::content_hash(&stored.case_json).unwrap();
    assert_eq!(preview.short_hash, hash[..12]);
    assert!(preview.pages[0].contains(&preview.short_hash));

    let path = ws.print_agreement(CASE, "ru").unwrap();
    assert!(path.ends_with(format!("agreements/{CASE}-v{}-ru.pdf", v.version)));
    let pdf = std::fs::read(&path).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    // Printed again from the same version: the same bytes.
    ws.print_agreement(CASE, "ru").unwrap();
    assert!(std::fs::read(&path).unwrap() == pdf);
    let printed: Vec<_> = ws
        .history(CASE)
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "agreement_printed")
        .collect();
    assert_eq!(printed.len(), 2);
    assert!(printed[0].detail.contains(&hash), "{}", printed[0].detail);

    // The file is the viewer's copy, the owner's alone, and it does not stay behind.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
    let uz = ws.print_agreement(CASE, "uz").unwrap();
    assert!(!path.exists(), "a print removes the copies before it");
    ws.logout().unwrap();
    assert!(!uz.exists(), "a logout removes the copies");
    std::fs::write(&path, b"left by a crash").unwrap();
    drop(ws);
    let _reopened = open(dir.path());
    assert!(!path.exists(), "opening removes what a crash left");
}

#[test]
fn the_agreement_pdf_is_the_printed_file_written_by_the_caller_and_recorded_once_written() {
    let dir = tempfile::tempdir().unwrap();
    let ws = open(dir.path());
    ws.login("alice", "alice-demo-2026", None).unwrap();
    let never = |_: &str, _: &[u8]| -> Result<()> { panic!("nothing is written before approval") };
    let e = ws.agreement_pdf(CASE, "uz", never).unwrap_err();
    assert_eq!(e.code, ErrorCode::NotPrintable);
    assert!(e.message.contains("is draft"), "{e:?}");
    assert_eq!(
        ws.agreement_pdf("AUTO-2026-999999", "uz", never)
            .unwrap_err()
            .code,
        ErrorCode::NotFound
    );
    let v = crate::tests::submit_and_approve(&ws, CASE, "DTI 45.87 %, documents verified");

    // A writer that fails: the error is the caller's, and no printing is recorded.
    let full = |_: &str, _: &[u8]| -> Result<()> { Err(AppError::new(ErrorCode::Io, "disk full")) };
    assert_eq!(
        ws.agreement_pdf(CASE, "ru", full).unwrap_err().message,
        "disk full"
    );
    let printed_events = |ws: &Workstation| {
        ws.history(CASE)
            .unwrap()
            .into_iter()
            .filter(|e| e.kind == "agreement_printed")
            .count()
    };
    assert_eq!(printed_events(&ws), 0);

    let mut got = (String::new(), Vec::new());
    let printed = ws
        .agreement_pdf(CASE, "ru", |name, pdf| {
            got = (name.to_string(), pdf.to_vec());
            Ok(())
        })
        .unwrap();
    assert_eq!(got.0, format!("{CASE}-v{}-ru.pdf", v.version));
    assert!(got.1 == printed.pdf);
    assert!(printed.pages >= 2);
    // Nothing under the data folder; the window's print writes the same bytes there.
    assert!(!dir.path().join("agreements").exists());
    let path = ws.print_agreement(CASE, "ru").unwrap();
    assert!(std::fs::read(&path).unwrap() == printed.pdf);
    assert_eq!(printed_events(&ws), 2);
}

#[test]
fn a_case_file_prints_only_as_a_specimen() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("case.json");
    let example = include_str!("../../../../../assets/demo/cases/AUTO-2026-000123.json");
    let mut v: serde_json::Value = serde_json::from_str(example).unwrap();
    v["review"] = serde_json::json!({
        "decision": "approve", "maker": "alice", "checker": "bob",
        "signed_at": "2026-11-23T10:15:00Z", "case_version": 3
    });
    std::fs::write(&file, v.to_string()).unwrap();
    // The typed review buys nothing: the file prints as the specimen of its case.
    let case = uw_domain::parse_case(&v.to_string()).unwrap();
    let evaluation = uw_domain::evaluate(
        &case,
        &crate::default_product(),
        &uw_domain::EvalOptions::default(),
    );
    let stamp = stamp(&case, 3, &v.to_string()).unwrap();
    let specimen = specimen_from_file(&file, "uz").unwrap();
    assert!(
        specimen.pdf
            == uw_agreement::render_specimen(&case, &evaluation, Lang::Uz, &stamp)
                .unwrap()
                .pdf
    );
    assert!(
        specimen.pdf
            != uw_agreement::render(&case, &evaluation, Lang::Uz, &stamp)
                .unwrap()
                .pdf
    );
    // No review needed either; a malformed case or language is named.
    std::fs::write(&file, example).unwrap();
    assert!(specimen_from_file(&file, "ru").is_ok());
    assert_eq!(
        specimen_from_file(&file, "en").unwrap_err().code,
        ErrorCode::InvalidInput
    );
    v["loan"]["term_months"] = 0.into();
    std::fs::write(&file, v.to_string()).unwrap();
    let e = specimen_from_file(&file, "uz").unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidCase);
    assert!(e.message.contains("loan.term_months"), "{e:?}");
}

/// The rejection letter prints from the store only for a rejected case, stamped with its
/// version, and the printing is in the history.
#[test]
fn the_rejection_letter_prints_only_for_a_rejected_case() {
    let dir = tempfile::tempdir().unwrap();
    let ws = open(dir.path());
    ws.login("alice", "alice-demo-2026", None).unwrap();
    let none = |ws: &Workstation, lang: &str| ws.rejection_letter_pdf(CASE, lang, |_, _| Ok(()));
    let e = none(&ws, "uz").unwrap_err();
    assert_eq!(e.code, ErrorCode::NotPrintable);
    assert!(e.message.contains("is draft"), "{e:?}");
    assert_eq!(none(&ws, "en").unwrap_err().code, ErrorCode::InvalidInput);
    let e = ws
        .rejection_letter_pdf("AUTO-0000-000000", "uz", |_, _| Ok(()))
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound, "{e:?}");
    let v = ws.open_case(CASE).unwrap();
    ws.submit(
        CASE,
        v.version,
        uw_domain::case::ReviewDecision::Reject,
        "the employer could not be reached",
    )
    .unwrap();
    ws.logout().unwrap();
    ws.login("bob", "bob-demo-2026", None).unwrap();
    let v = ws.open_case(CASE).unwrap();
    let v = ws
        .reject(CASE, v.version, "income not confirmed", "bob-demo-2026")
        .unwrap();
    let mut written = None;
    let printed = ws
        .rejection_letter_pdf(CASE, "ru", |name, pdf| {
            written = Some((name.to_string(), pdf.to_vec()));
            Ok(())
        })
        .unwrap();
    let (name, pdf) = written.unwrap();
    assert_eq!(name, format!("{CASE}-v{}-letter-ru.pdf", v.version));
    assert!(pdf == printed.pdf && pdf.starts_with(b"%PDF-"));
    let printed: Vec<_> = ws
        .history(CASE)
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "rejection_letter_printed")
        .collect();
    assert_eq!(printed.len(), 1);
    // A write that fails records nothing.
    let e = ws
        .rejection_letter_pdf(CASE, "uz", |_, _| {
            Err(AppError::new(ErrorCode::Io, "disk full"))
        })
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Io);
    assert_eq!(
        ws.history(CASE)
            .unwrap()
            .iter()
            .filter(|e| e.kind == "rejection_letter_printed")
            .count(),
        1
    );
    // A rejected case has no agreement.
    assert_eq!(
        ws.agreement_pdf(CASE, "uz", |_, _| Ok(()))
            .unwrap_err()
            .code,
        ErrorCode::NotPrintable
    );
}

/// Whatever a stored case's id says, a printed file stays in the viewer's folder: a name
/// that would leave it (a path, a parent, an absolute path) is refused and nothing is
/// written outside.
#[test]
fn a_printed_file_never_leaves_the_viewer_s_folder() {
    let dir = tempfile::tempdir().unwrap();
    let ws = open(dir.path());
    for name in ["../escape.pdf", "sub/escape.pdf", "/tmp/uw-escape.pdf"] {
        let e = ws
            .for_the_viewer(|write| {
                write(name, b"%PDF-1.4")?;
                Err(AppError::new(ErrorCode::Internal, "written"))
            })
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput, "{name}: {e:?}");
    }
    assert!(!dir.path().join("escape.pdf").exists());
    assert!(!Path::new("/tmp/uw-escape.pdf").exists());
    // A plain name is written where it belongs.
    let e = ws
        .for_the_viewer(|write| {
            write("AUTO-1-v1-uz.pdf", b"%PDF-1.4")?;
            Err(AppError::new(ErrorCode::Internal, "written"))
        })
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Internal);
    assert!(dir
        .path()
        .join(PRINTED_DIR)
        .join("AUTO-1-v1-uz.pdf")
        .exists());
}

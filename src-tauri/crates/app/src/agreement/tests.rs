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
}

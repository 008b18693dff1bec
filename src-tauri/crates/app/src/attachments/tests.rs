//! Scans and document verdicts through the service, on a real store.

use std::io::Cursor;

use super::*;
use uw_domain::decision::Decision;

const CASE: &str = "AUTO-2026-000123";

fn open(dir: &Path) -> Workstation {
    let ws = Workstation::open(crate::tests::options(dir, "os-user", true, true))
        .expect("the workstation opens");
    ws.login("alice", "alice-demo-2026", None)
        .expect("alice logs in");
    ws
}

fn png() -> Vec<u8> {
    let img = image::RgbImage::from_pixel(4, 3, image::Rgb([10, 92, 99]));
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("a PNG");
    out.into_inner()
}

fn jpeg() -> Vec<u8> {
    let img = image::RgbImage::from_pixel(8, 8, image::Rgb([200, 180, 44]));
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg)
        .expect("a JPEG");
    out.into_inner()
}

/// A two-page PDF written by hand, with a correct cross-reference table.
fn pdf() -> Vec<u8> {
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for o in offsets {
        out.extend(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

#[test]
fn pdf_png_and_jpeg_are_told_by_their_content() {
    assert_eq!(
        inspect("a.pdf", &pdf()).unwrap(),
        ScanInfo {
            media_type: "application/pdf".into(),
            pages: 2
        }
    );
    assert_eq!(inspect("b.png", &png()).unwrap().media_type, "image/png");
    assert_eq!(inspect("c.jpg", &jpeg()).unwrap().media_type, "image/jpeg");
    // A PNG by name only.
    let e = inspect("scan.png", b"just some text").unwrap_err();
    assert!(
        e.message.starts_with("scan.png: not a PDF, PNG or JPEG")
            && e.message.ends_with("nothing was attached"),
        "{e:?}"
    );
    // The signature, then garbage: it does not decode.
    let mut broken = png();
    broken.truncate(30);
    assert!(inspect("cut.png", &broken)
        .unwrap_err()
        .message
        .contains("does not decode"));
    let mut broken = jpeg();
    broken.truncate(20);
    assert!(inspect("cut.jpg", &broken)
        .unwrap_err()
        .message
        .contains("does not decode"));
    assert!(inspect("x.pdf", b"%PDF-1.7 and nothing")
        .unwrap_err()
        .message
        .contains("not a readable PDF"));
}

#[test]
fn scans_attach_list_view_remove_and_export_with_the_case() {
    let dir = tempfile::tempdir().unwrap();
    let ws = open(&dir.path().join("store"));
    let files = dir.path().join("in");
    std::fs::create_dir_all(&files).unwrap();
    let passport = files.join("passport.pdf");
    std::fs::write(&passport, pdf()).unwrap();
    let photo = files.join("contract page.jpg");
    std::fs::write(&photo, jpeg()).unwrap();
    let list = ws
        .attach_scan_files(CASE, "identity", 0, std::slice::from_ref(&passport))
        .unwrap();
    assert_eq!(list.scans.len(), 1);
    assert_eq!(
        (list.scans[0].pages, list.scans[0].media_type.as_str()),
        (2, "application/pdf")
    );
    let list = ws
        .attach_scan_files(CASE, "purchase_contract", 0, std::slice::from_ref(&photo))
        .unwrap();
    assert_eq!(list.scans.len(), 2);
    let (meta, bytes) = ws.scan_content(CASE, list.scans[1].id).unwrap();
    assert_eq!(
        (meta.file_name.as_str(), bytes),
        ("contract page.jpg", std::fs::read(&photo).unwrap())
    );
    let history = ws.history(CASE).unwrap();
    assert_eq!(
        history.iter().filter(|e| e.kind == "scan_attached").count(),
        2
    );

    // A batch with one bad file attaches none of it.
    let text = files.join("notes.pdf");
    std::fs::write(&text, "not a pdf").unwrap();
    let e = ws
        .attach_scan_files(CASE, "income", 0, &[photo.clone(), text])
        .unwrap_err();
    assert!(e.message.contains("notes.pdf"), "{e:?}");
    assert_eq!(ws.scans(CASE).unwrap().scans.len(), 2);
    // Over 25 MB: refused before it is read.
    let huge = files.join("huge.pdf");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(MAX_SCAN_BYTES + 1)
        .unwrap();
    let e = ws
        .attach_scan_files(CASE, "income", 0, &[huge])
        .unwrap_err();
    assert!(e.message.contains("25.0 MB, more than the 25 MB"), "{e:?}");
    // Wrong kind or party.
    assert!(ws
        .attach_scan(CASE, "selfie", 0, "a.png", &png())
        .unwrap_err()
        .message
        .starts_with("kind:"));
    assert!(ws
        .attach_scan(CASE, "income", 7, "a.png", &png())
        .unwrap_err()
        .message
        .starts_with("party: 7"));

    let out = dir.path().join("out").join("case.json");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    ws.export_case_to(CASE, &out).unwrap();
    let mut exported: Vec<_> = std::fs::read_dir(dir.path().join("out/case.scans"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    exported.sort();
    assert_eq!(exported.len(), 2);
    assert!(
        exported[0].starts_with("identity-p0-") && exported[0].ends_with("passport.pdf"),
        "{exported:?}"
    );
    assert!(exported[1].ends_with("contract_page.jpg"), "{exported:?}");

    let list = ws.remove_scan(CASE, list.scans[0].id).unwrap();
    assert_eq!(list.scans.len(), 1);
    assert!(ws.remove_scan(CASE, 9999).is_err());
}

#[test]
fn a_rejected_required_document_rejects_the_case_and_says_who_and_why() {
    let dir = tempfile::tempdir().unwrap();
    let ws = open(&dir.path().join("store"));
    let v = ws.open_case(CASE).unwrap();
    assert_eq!(v.evaluation.decision, Decision::Approve);
    // The purchase contract's verdict, on version `version` of the case.
    let contract = |version: i64, status: DocumentStatus, reason: Option<&str>| {
        ws.mark_document(
            CASE,
            version,
            DocumentKind::PurchaseContract,
            0,
            status,
            reason,
        )
    };
    let e = contract(v.version, DocumentStatus::Rejected, Some("  ")).unwrap_err();
    assert_eq!(e.code, ErrorCode::CommentRequired);
    let v = contract(
        v.version,
        DocumentStatus::Rejected,
        Some("the VIN differs from the car's"),
    )
    .unwrap();
    assert_eq!(v.evaluation.decision, Decision::Reject);
    assert!(v.evaluation.reasons.iter().any(|r| r.rule == "P-DOCS-REJ"));
    let doc = v
        .case
        .documents
        .iter()
        .find(|d| d.kind == DocumentKind::PurchaseContract)
        .unwrap();
    let checked = doc.checked.as_ref().unwrap();
    assert_eq!(
        (checked.by.as_str(), checked.reason.as_deref()),
        ("alice", Some("the VIN differs from the car's"))
    );
    assert!(ws
        .history(CASE)
        .unwrap()
        .iter()
        .any(|e| e.kind == "document_marked"));
    // A rejection stays: the rejected version is never marked again.
    let e = contract(v.version, DocumentStatus::Verified, None).unwrap_err();
    assert_eq!(e.code, ErrorCode::VerdictFinal);
    assert!(e.message.contains("the VIN differs"), "{}", e.message);
    // Past the service: a pending paper written into the file beside the rejected one
    // (the line stays rejected, and is not marked), or a "version 7" (refused).
    let mut case = v.case.clone();
    let mut pending =
        uw_domain::case::Document::new(DocumentKind::PurchaseContract, 0, DocumentStatus::Pending);
    let v = ws
        .save_case(
            CASE,
            v.version,
            serde_json::to_value(&case)
                .map(|mut c| {
                    c["documents"]
                        .as_array_mut()
                        .unwrap()
                        .push(serde_json::to_value(&pending).unwrap());
                    c
                })
                .unwrap(),
        )
        .unwrap();
    assert_eq!(v.evaluation.decision, Decision::Reject);
    let e = contract(v.version, DocumentStatus::Verified, None).unwrap_err();
    assert_eq!(e.code, ErrorCode::VerdictFinal);
    pending.version = 7;
    case.documents.push(pending);
    let e = ws
        .save_case(CASE, v.version, serde_json::to_value(&case).unwrap())
        .unwrap_err();
    assert!(e.message.contains(".version"), "{e:?}");
    // A new scan is a new version, pending: the line waits for its own verdict (refer).
    let list = ws
        .attach_scan(CASE, "purchase_contract", 0, "contract-2.pdf", &pdf())
        .unwrap();
    let scan = list
        .scans
        .iter()
        .find(|a| a.file_name == "contract-2.pdf")
        .unwrap();
    assert_eq!(scan.doc_version, Some(2));
    // Its only scan taken off again: version 2 has nothing of its own to verify.
    ws.remove_scan(CASE, scan.id).unwrap();
    let v = ws.open_case(CASE).unwrap();
    let e = contract(v.version, DocumentStatus::Verified, None).unwrap_err();
    assert_eq!(e.code, ErrorCode::VerdictFinal);
    assert!(e.message.contains("no scan of its own"), "{e:?}");
    ws.attach_scan(CASE, "purchase_contract", 0, "contract-2.pdf", &pdf())
        .unwrap();
    let v = ws.open_case(CASE).unwrap();
    assert_eq!(v.evaluation.decision, Decision::Refer);
    let line = |v: &CaseView| -> Vec<(u32, DocumentStatus)> {
        v.case
            .documents
            .iter()
            .filter(|d| d.kind == DocumentKind::PurchaseContract)
            .map(|d| (d.version, d.status))
            .collect()
    };
    assert_eq!(
        line(&v),
        [
            (1, DocumentStatus::Rejected),
            (1, DocumentStatus::Pending),
            (2, DocumentStatus::Pending)
        ]
    );
    // A second scan of the same new version starts no third.
    ws.attach_scan(CASE, "purchase_contract", 0, "contract-2b.pdf", &pdf())
        .unwrap();
    let v = ws.open_case(CASE).unwrap();
    assert_eq!(line(&v).len(), 3);
    // Version 2 verified: the case approves again, the rejected version 1 stays.
    let v = contract(v.version, DocumentStatus::Verified, None).unwrap();
    assert_eq!(v.evaluation.decision, Decision::Approve);
    assert_eq!(
        line(&v),
        [
            (1, DocumentStatus::Rejected),
            (1, DocumentStatus::Pending),
            (2, DocumentStatus::Verified)
        ]
    );
    assert!(ws
        .history(CASE)
        .unwrap()
        .iter()
        .any(|e| e.kind == "document_version"));
    // The passport's "other" papers take a verdict too, and leave the decision alone.
    let v = ws
        .mark_document(
            CASE,
            v.version,
            DocumentKind::Other,
            0,
            DocumentStatus::Rejected,
            Some("an illegible military ID copy"),
        )
        .unwrap();
    assert_eq!(v.evaluation.decision, Decision::Approve);
}

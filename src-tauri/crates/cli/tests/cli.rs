//! The `uw` binary as a user runs it: JSON on stdout, exit 0 on success, exit 1 with the
//! error naming the path or line on stderr for invalid input, never a panic.

use std::path::Path;
use std::process::{Command, Output};

const EXAMPLE: &str = include_str!("../../../../assets/demo/cases/AUTO-2026-000123.json");

fn uw(args: &[&str], data_dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_uw"))
        .args(args)
        .env("UW_DATA_DIR", data_dir)
        .env("UW_STORE_PASSPHRASE", "cli test passphrase")
        .output()
        .expect("run uw")
}

fn stdout_json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&o.stdout)
        )
    })
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

fn assert_invalid(o: &Output, needle: &str) {
    assert_eq!(o.status.code(), Some(1), "stderr: {}", stderr(o));
    let err = stderr(o);
    assert!(err.contains(needle), "stderr {err:?} lacks {needle:?}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn evaluate_prints_the_spec_json() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("case.json");
    std::fs::write(&file, EXAMPLE).unwrap();
    let o = uw(&["evaluate", file.to_str().unwrap()], dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let v = stdout_json(&o);
    assert_eq!(v["decision"], "approve");
    assert_eq!(v["metrics"]["rate"], "23.00");
    assert_eq!(v["metrics"]["maturity_date"], "2029-11-20");
    assert_eq!(v["schedule"].as_array().unwrap().len(), 36);
    assert!(v["counter_offer"].is_null());
}

/// The example case with an approving review by a second person.
fn reviewed_example() -> String {
    let mut v: serde_json::Value = serde_json::from_str(EXAMPLE).expect("the example is JSON");
    v["review"] = serde_json::json!({
        "decision": "approve", "maker": "alice", "checker": "bob",
        "signed_at": "2026-11-23T10:15:00Z", "case_version": 3
    });
    serde_json::to_string_pretty(&v).expect("JSON serialises")
}

/// The text of a PDF's page (from 1) as `pdftotext -layout` reads it (poppler-utils),
/// words single-spaced; every page when `page` is `None`.
fn pdf_text(pdf: &Path, page: Option<usize>) -> String {
    let mut cmd = Command::new("pdftotext");
    cmd.arg("-layout");
    if let Some(p) = page {
        cmd.args(["-f", &p.to_string(), "-l", &p.to_string()]);
    }
    let out = cmd
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed by .ci/setup");
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout)
        .expect("pdftotext writes UTF-8")
        .replace('\u{a0}', " ");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What a run of `uw agreement` left in `dir` besides `keep`: no temporary file may stay.
fn leftovers(dir: &Path, keep: &[&str]) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("the folder reads")
        .map(|e| {
            e.expect("an entry")
                .file_name()
                .to_string_lossy()
                .to_string()
        })
        .filter(|n| !keep.contains(&n.as_str()))
        .collect()
}

#[test]
fn agreement_specimen_prints_both_languages_marked_on_every_page() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let file = dir.path().join("case.json");
    let specimen = |case: &Path, out: &Path, lang: &str| {
        let (case, out) = (case.to_str().unwrap(), out.to_str().unwrap());
        uw(
            &["agreement", "--specimen", case, "-o", out, "--lang", lang],
            dir.path(),
        )
    };
    // No review and no approval needed: a specimen is for checking the templates.
    std::fs::write(&file, EXAMPLE).unwrap();
    let mut first = Vec::new();
    for (lang, mark) in [
        ("uz", "NAMUNA — SHARTNOMA EMAS"),
        ("ru", "ОБРАЗЕЦ — НЕ ДОГОВОР"),
    ] {
        let pdf = out_dir.join(format!("specimen-{lang}.pdf"));
        let o = specimen(&file, &pdf, lang);
        assert!(o.status.success(), "{}", stderr(&o));
        let v = stdout_json(&o);
        assert_eq!(v["lang"], lang);
        assert_eq!(v["file"], pdf.to_str().unwrap());
        let pages = v["pages"].as_u64().unwrap() as usize;
        assert!(pages >= 2, "{pages} pages");
        let bytes = std::fs::read(&pdf).unwrap();
        assert!(bytes.starts_with(b"%PDF-"));
        assert_eq!(v["bytes"].as_u64().unwrap(), bytes.len() as u64);
        // The marking on every page, in the text layer: the band and the footer.
        for page in 1..=pages {
            let text = pdf_text(&pdf, Some(page));
            assert!(
                text.matches(mark).count() >= 2,
                "page {page} of {lang} lacks {mark:?}: {text}"
            );
        }
        assert!(pdf_text(&pdf, None).contains("AUTO-2026-000123"));
        // Printed again: the same bytes.
        assert!(specimen(&file, &pdf, lang).status.success());
        assert!(std::fs::read(&pdf).unwrap() == bytes);
        first.push(bytes);
    }
    assert_ne!(first[0], first[1]);
    assert!(leftovers(&out_dir, &["specimen-uz.pdf", "specimen-ru.pdf"]).is_empty());
    // A file with a typed review is a specimen too: the review buys nothing.
    std::fs::write(&file, reviewed_example()).unwrap();
    let pdf = out_dir.join("reviewed.pdf");
    assert!(specimen(&file, &pdf, "uz").status.success());
    assert!(pdf_text(&pdf, Some(1)).contains("NAMUNA — SHARTNOMA EMAS"));

    // A bad language, a missing -o, a missing file, a malformed case: named, nothing written.
    let out = out_dir.join("none.pdf");
    let o = specimen(&file, &out, "en");
    assert_invalid(&o, "--lang");
    assert_invalid(&o, "en");
    let o = uw(
        &["agreement", "--specimen", file.to_str().unwrap()],
        dir.path(),
    );
    assert_invalid(&o, "--output");
    let missing = Path::new("/nonexistent/case.json");
    assert_invalid(&specimen(missing, &out, "uz"), "/nonexistent/case.json");
    let mut v: serde_json::Value = serde_json::from_str(EXAMPLE).unwrap();
    v["loan"]["term_months"] = 0.into();
    std::fs::write(&file, v.to_string()).unwrap();
    let o = specimen(&file, &out, "uz");
    assert_invalid(&o, "loan.term_months");
    assert_invalid(&o, "INVALID_CASE");
    std::fs::write(&file, "{\"case_id\": 5}").unwrap();
    assert_invalid(&specimen(&file, &out, "uz"), "case_id");
    assert!(!out.exists());
}

/// `uw offer` prints the client's offer sheet from a case file in both languages, with the
/// engine's figures and every payment, marked on every page; it refuses rejected terms and
/// malformed input, naming them, and writes nothing then; it opens no store.
#[test]
fn offer_prints_the_engines_terms_from_a_case_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let file = dir.path().join("case.json");
    std::fs::write(&file, EXAMPLE).unwrap();
    let offer = |case: &Path, out: &Path, lang: &str| {
        let (case, out) = (case.to_str().unwrap(), out.to_str().unwrap());
        uw(&["offer", case, "-o", out, "--lang", lang], &store)
    };
    let ev = uw(&["evaluate", file.to_str().unwrap()], dir.path());
    let ev = stdout_json(&ev);
    for (lang, mark) in [
        ("uz", "TAKLIF — SHARTNOMA EMAS"),
        ("ru", "ПРЕДЛОЖЕНИЕ — НЕ ДОГОВОР"),
    ] {
        let pdf = dir.path().join(format!("offer-{lang}.pdf"));
        let o = offer(&file, &pdf, lang);
        assert!(o.status.success(), "{}", stderr(&o));
        let v = stdout_json(&o);
        assert_eq!(
            (v["lang"].as_str(), v["file"].as_str()),
            (Some(lang), pdf.to_str())
        );
        let pages = v["pages"].as_u64().unwrap() as usize;
        for page in 1..=pages {
            assert_eq!(
                pdf_text(&pdf, Some(page)).matches(mark).count(),
                2,
                "page {page}"
            );
        }
        // The engine's figures, as `uw evaluate` gives them, and each payment's.
        let text = pdf_text(&pdf, None).replace(' ', "");
        let figure = |k: &str| ev["metrics"][k].as_str().unwrap().replace('.', ",");
        for k in [
            "rate",
            "effective_annual_rate",
            "total_payable",
            "total_interest",
        ] {
            assert!(text.contains(&figure(k)), "{lang}: {k} {}", figure(k));
        }
        for row in ev["schedule"].as_array().unwrap() {
            let cells: String = ["payment", "principal", "interest", "balance"]
                .iter()
                .map(|k| row[*k].as_str().unwrap().replace('.', ","))
                .collect();
            assert!(
                text.contains(&cells),
                "{lang}: payment {} {cells}",
                row["n"]
            );
        }
    }
    assert!(!store.exists(), "an offer opens no store");

    // Rejected terms, a bad language, a missing file, a malformed case: named, no file.
    let out = dir.path().join("none.pdf");
    let mut v: serde_json::Value = serde_json::from_str(EXAMPLE).unwrap();
    v["loan"]["amount"] = "900000000.00".into();
    std::fs::write(&file, v.to_string()).unwrap();
    let o = offer(&file, &out, "uz");
    assert_invalid(&o, "NOT_PRINTABLE");
    assert_invalid(&o, "DTI_EXCEEDED");
    assert_invalid(&offer(&file, &out, "en"), "--lang");
    assert_invalid(
        &offer(Path::new("/nonexistent/c.json"), &out, "uz"),
        "/nonexistent/c.json",
    );
    std::fs::write(&file, "{\"case_id\": 5}").unwrap();
    assert_invalid(&offer(&file, &out, "uz"), "case_id");
    std::fs::write(&file, "").unwrap();
    assert_invalid(&offer(&file, &out, "uz"), "case.json");
    assert!(!out.exists());
}

/// `uw letter` prints only a rejected case of the store: a case not in it, a draft, a bad
/// language are refused, named, and nothing is written.
#[test]
fn letter_refuses_what_is_not_a_rejected_case() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let file = dir.path().join("case.json");
    std::fs::write(&file, EXAMPLE).unwrap();
    let out = dir.path().join("letter.pdf");
    let letter = |id: &str, lang: &str| {
        uw(
            &["letter", id, "-o", out.to_str().unwrap(), "--lang", lang],
            &store,
        )
    };
    assert_invalid(&letter("AUTO-2026-000123", "uz"), "NOT_FOUND");
    assert!(uw(&["import", file.to_str().unwrap()], &store)
        .status
        .success());
    let o = letter("AUTO-2026-000123", "ru");
    assert_invalid(&o, "NOT_PRINTABLE");
    assert_invalid(&o, "is draft");
    assert_invalid(&letter("AUTO-2026-000123", "en"), "--lang");
    assert_invalid(&letter("../../etc/passwd", "uz"), "NOT_FOUND");
    assert!(!out.exists());
}

/// `uw xlsx` writes the queue and the dashboard as spreadsheets; a place it cannot write
/// is named; a missing -o is refused.
#[test]
fn xlsx_writes_the_queue_and_the_dashboard() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let file = dir.path().join("case.json");
    std::fs::write(&file, EXAMPLE).unwrap();
    assert!(uw(&["import", file.to_str().unwrap()], &store)
        .status
        .success());
    let q = dir.path().join("q.xlsx");
    let o = uw(&["xlsx", "queue", "-o", q.to_str().unwrap()], &store);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout_json(&o)["rows"], 1);
    assert!(std::fs::read(&q).unwrap().starts_with(b"PK"));
    let o = uw(
        &[
            "xlsx",
            "queue",
            "-o",
            q.to_str().unwrap(),
            "--status",
            "approved",
        ],
        &store,
    );
    assert_eq!(stdout_json(&o)["rows"], 0);
    let d = dir.path().join("d.xlsx");
    let o = uw(&["xlsx", "dashboard", "-o", d.to_str().unwrap()], &store);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_invalid(
        &uw(&["xlsx", "queue", "-o", "/nonexistent/q.xlsx"], &store),
        "/nonexistent/q.xlsx",
    );
    assert_invalid(&uw(&["xlsx", "dashboard"], &store), "--output");
    assert_invalid(&uw(&["xlsx", "cases", "-o", "x.xlsx"], &store), "cases");
}

/// The forgery path closed: a case file with a typed approving review does not print as
/// the agreement, whatever it says; nothing is written and no store is opened.
#[test]
fn agreement_refuses_a_case_file_without_specimen() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let file = dir.path().join("case.json");
    std::fs::write(&file, reviewed_example()).unwrap();
    let out = dir.path().join("agreement.pdf");
    let not_json = dir.path().join("case.txt");
    std::fs::write(&not_json, reviewed_example()).unwrap();
    for arg in [
        file.to_str().unwrap(),
        not_json.to_str().unwrap(),
        "elsewhere/AUTO-2026-000123.json",
    ] {
        for lang in ["uz", "ru"] {
            let o = uw(
                &[
                    "agreement",
                    arg,
                    "-o",
                    out.to_str().unwrap(),
                    "--lang",
                    lang,
                ],
                &store,
            );
            assert_invalid(
                &o,
                "a case file prints only as a specimen (uw agreement --specimen",
            );
            assert_invalid(&o, "printed from the store by case id");
            assert!(o.stdout.is_empty());
            assert!(!out.exists(), "{arg}: nothing may be written");
        }
    }
    assert!(!store.join("cases.db").exists(), "no store was opened");
    // Malformed arguments: named, never a panic.
    assert_invalid(&uw(&["agreement", "AUTO-2026-000123"], &store), "--output");
    assert_invalid(
        &uw(
            &[
                "agreement",
                "AUTO-2026-000123",
                "-o",
                out.to_str().unwrap(),
                "--lang",
                "en",
            ],
            &store,
        ),
        "--lang",
    );
    assert_invalid(
        &uw(&["agreement", "-o", out.to_str().unwrap()], &store),
        "<CASE>",
    );
    assert!(!out.exists());
}

/// The official agreement comes from the store: refused (`NOT_PRINTABLE`) until the case
/// is approved by a second person, `NOT_FOUND` for an id the store lacks, then printed
/// — the same bytes again, the printing in the case's history.
#[test]
fn agreement_prints_from_the_store_only_an_approved_case() {
    const CASE: &str = "AUTO-2026-000123";
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let open = |require_login: bool| {
        uw_app::Workstation::open(uw_app::OpenOptions {
            data_dir: store.clone(),
            key: uw_app::StoreKey::Passphrase("cli test passphrase".into()),
            actor: "check".into(),
            demo: true,
            require_login,
            bank: None,
            directory: None,
        })
        .expect("the demo store opens")
    };
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let out = out_dir.join("agreement.pdf");
    let agreement = |id: &str, lang: &str| {
        uw(
            &["agreement", id, "-o", out.to_str().unwrap(), "--lang", lang],
            &store,
        )
    };
    {
        // A standalone workstation with the demo's people: alice submits.
        let ws = open(true);
        ws.login("alice", "alice-demo-2026", None).unwrap();
        let v = ws.open_case(CASE).unwrap();
        ws.submit(
            CASE,
            v.version,
            uw_domain::case::ReviewDecision::Approve,
            "salary at this bank; DTI within 50 %",
        )
        .unwrap();
    }
    let o = agreement(CASE, "uz");
    assert_invalid(&o, "NOT_PRINTABLE");
    assert_invalid(&o, &format!("{CASE} is submitted"));
    assert!(!out.exists());
    // A draft never reviewed: refused the same way.
    let o = agreement("AUTO-2026-000124", "uz");
    assert_invalid(&o, "NOT_PRINTABLE");
    // An id the store lacks.
    let o = agreement("AUTO-2026-999999", "uz");
    assert_invalid(&o, "NOT_FOUND");
    assert_invalid(&o, "AUTO-2026-999999");
    assert!(!out.exists());
    let version = {
        // bob approves.
        let ws = open(true);
        ws.login("bob", "bob-demo-2026", None).unwrap();
        let v = ws.open_case(CASE).unwrap();
        ws.approve(CASE, v.version, "bob-demo-2026")
            .unwrap()
            .version
    };
    let mut printed = Vec::new();
    for lang in ["uz", "ru"] {
        let o = agreement(CASE, lang);
        assert!(o.status.success(), "{}", stderr(&o));
        let v = stdout_json(&o);
        assert_eq!(
            (v["file"].as_str(), v["lang"].as_str()),
            (out.to_str(), Some(lang))
        );
        let bytes = std::fs::read(&out).unwrap();
        assert!(bytes.starts_with(b"%PDF-"));
        assert_eq!(v["bytes"].as_u64().unwrap(), bytes.len() as u64);
        let pages = v["pages"].as_u64().unwrap() as usize;
        assert!(pages >= 2);
        let text = pdf_text(&out, None);
        assert!(text.contains(&format!("{CASE} ·")), "{text}");
        assert!(
            text.contains(&format!("v{version}")),
            "version {version}: {text}"
        );
        assert!(!text.contains("NAMUNA") && !text.contains("ОБРАЗЕЦ"));
        // Printed again from the same version: the same bytes.
        assert!(agreement(CASE, lang).status.success());
        assert!(std::fs::read(&out).unwrap() == bytes);
        printed.push(bytes);
    }
    assert_ne!(printed[0], printed[1]);
    // The decision memo of the same version: the engine's figures, maker and checker.
    let memo = out_dir.join("memo.pdf");
    let o = uw(
        &["memo", CASE, "-o", memo.to_str().unwrap(), "--lang", "ru"],
        &store,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = pdf_text(&memo, None);
    let dti = open(false)
        .open_case(CASE)
        .unwrap()
        .evaluation
        .metrics
        .dti
        .unwrap();
    for needle in [
        "МЕМОРАНДУМ КРЕДИТНОГО РЕШЕНИЯ",
        "ВНУТРЕННИЙ ДОКУМЕНТ",
        &format!("{dti} %"),
        "alice",
        "bob",
        "salary at this bank",
    ] {
        assert!(text.contains(needle), "{needle:?} not in {text}");
    }
    assert_invalid(
        &uw(
            &["memo", "AUTO-2026-000124", "-o", memo.to_str().unwrap()],
            &store,
        ),
        "NOT_PRINTABLE",
    );
    std::fs::remove_file(&memo).unwrap();
    assert!(leftovers(&out_dir, &["agreement.pdf"]).is_empty());
    // Nothing under the data folder's agreements/: the file is where -o says.
    assert!(!store.join("agreements").exists());
    // A refusal leaves the file it would have replaced untouched.
    assert_invalid(&agreement("AUTO-2026-000124", "uz"), "NOT_PRINTABLE");
    assert!(std::fs::read(&out).unwrap() == printed[1]);
    // Each printing is in the case's history.
    let ws = open(false);
    let events = ws.history(CASE).unwrap();
    let logged: Vec<_> = events
        .iter()
        .filter(|e| e.kind == "agreement_printed")
        .collect();
    assert_eq!(logged.len(), 4, "{events:?}");
    assert!(logged.iter().any(|e| e.detail.contains("\"lang\":\"ru\"")));
}

#[test]
fn what_if_names_the_cases_a_revised_passport_changes() {
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("case.json");
    std::fs::write(&case, EXAMPLE).unwrap();
    assert!(uw(&["import", case.to_str().unwrap()], dir.path())
        .status
        .success());
    let shipped = include_str!("../../../../assets/product/salary-auto-loan.json");
    let mut revised: serde_json::Value = serde_json::from_str(shipped).unwrap();
    revised["name"] = "DTI 40 %".into();
    revised["credit"]["max_dti"] = "0.40".into();
    let file = dir.path().join("revised.json");
    std::fs::write(&file, revised.to_string()).unwrap();
    let o = uw(
        &["what-if", "--product", file.to_str().unwrap()],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v = stdout_json(&o);
    assert_eq!(
        (v["product"].as_str(), v["cases"].as_u64()),
        (Some("DTI 40 %"), Some(1))
    );
    let changed = &v["changed"][0];
    assert_eq!(changed["case_id"], "AUTO-2026-000123");
    assert_eq!(
        (changed["before"].as_str(), changed["after"].as_str()),
        (Some("approve"), Some("reject"))
    );
    assert_eq!(changed["now_failing"][0]["code"], "DTI_EXCEEDED");
    assert_eq!(changed["now_failing"][0]["limit"], "40.00");
    // The shipped passport itself changes nothing.
    let same = dir.path().join("same.json");
    std::fs::write(&same, shipped).unwrap();
    let o = uw(
        &["what-if", "--product", same.to_str().unwrap()],
        dir.path(),
    );
    assert_eq!(stdout_json(&o)["changed"].as_array().unwrap().len(), 0);
    // A malformed configuration is refused, naming the file and the field.
    revised["credit"]["max_dti"] = "1.5".into();
    std::fs::write(&file, revised.to_string()).unwrap();
    let o = uw(
        &["what-if", "--product", file.to_str().unwrap()],
        dir.path(),
    );
    assert_invalid(&o, "credit.max_dti");
    assert_invalid(&o, "revised.json");
}

#[test]
fn evaluate_rejects_malformed_cases_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let mutations: Vec<(&str, serde_json::Value, &str)> = vec![
        ("/loan/term_months", 0.into(), "loan.term_months"),
        ("/loan/amount", "abc".into(), "loan.amount"),
        ("/loan/amount", "135000000.001".into(), "loan.amount"),
        ("/loan/amount", "9".repeat(40).into(), "loan.amount"),
        (
            "/loan/first_payment_date",
            "2026-02-30".into(),
            "loan.first_payment_date",
        ),
        (
            "/vehicle/contract_price",
            "-1.00".into(),
            "vehicle.contract_price",
        ),
        ("/parties/0/role", "guarantor".into(), "parties[0].role"),
    ];
    for (pointer, value, path) in mutations {
        let mut v: serde_json::Value = serde_json::from_str(EXAMPLE).expect("the example is JSON");
        *v.pointer_mut(pointer).unwrap() = value;
        let file = dir.path().join("bad.json");
        std::fs::write(&file, v.to_string()).unwrap();
        let o = uw(&["evaluate", file.to_str().unwrap()], dir.path());
        assert_invalid(&o, path);
        assert!(o.stdout.is_empty());
    }
    for junk in [&b""[..], b"{", b"\xff\xfe\x00garbage", b"[1,2,3]", b"null"] {
        let file = dir.path().join("junk.json");
        std::fs::write(&file, junk).unwrap();
        let o = uw(&["evaluate", file.to_str().unwrap()], dir.path());
        assert_eq!(o.status.code(), Some(1), "{junk:?}");
        assert!(!stderr(&o).contains("panicked"));
    }
    assert_invalid(
        &uw(&["evaluate", "/no/such/file.json"], dir.path()),
        "/no/such/file.json",
    );
}

#[test]
fn evaluate_jsonl_answers_line_by_line() {
    let dir = tempfile::tempdir().unwrap();
    let one_line: String = serde_json::from_str::<serde_json::Value>(EXAMPLE)
        .unwrap()
        .to_string();
    let file = dir.path().join("queue.jsonl");
    std::fs::write(
        &file,
        format!("{one_line}\n{{\"case_id\": 5}}\n\n{one_line}\n"),
    )
    .unwrap();
    let o = uw(&["evaluate", "--jsonl", file.to_str().unwrap()], dir.path());
    assert_invalid(&o, "queue.jsonl:2");
    let lines: Vec<serde_json::Value> = String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["decision"], "approve");
    assert_eq!(lines[1]["line"], 2);
    assert!(lines[1]["error"]["message"]
        .as_str()
        .unwrap()
        .contains("case_id"));
    assert_eq!(lines[2]["decision"], "approve");
}

/// The queue's lines evaluated one after the other, as `uw evaluate --jsonl` answers them:
/// the expected stdout and the per-line messages on stderr.
fn evaluated_in_sequence(input: &[u8], path: &Path) -> (String, String) {
    use std::io::BufRead;
    let product = uw_app::default_product();
    let (mut out, mut err) = (String::new(), String::new());
    for (i, line) in std::io::BufReader::new(input).lines().enumerate() {
        let n = i + 1;
        let result = match &line {
            Err(e) => Err(e.to_string()),
            Ok(l) if l.trim().is_empty() => continue,
            Ok(l) => uw_domain::parse_case(l)
                .map(|c| uw_domain::evaluate(&c, &product, &uw_domain::EvalOptions::default()))
                .map_err(|e| e.to_string()),
        };
        match result {
            Ok(evaluation) => out += &serde_json::to_string(&evaluation).expect("serialises"),
            Err(message) => {
                err += &format!("uw: {}:{n}: {message}\n", path.display());
                out += &serde_json::json!({"line": n, "error": {"code": "INVALID_CASE", "message": format!("line {n}: {message}")}}).to_string();
            }
        }
        out.push('\n');
    }
    (out, err)
}

#[test]
fn evaluate_jsonl_on_every_core_answers_as_one_after_the_other() {
    let dir = tempfile::tempdir().unwrap();
    let mut case: serde_json::Value = serde_json::from_str(EXAMPLE).unwrap();
    let mut input = Vec::new();
    // Approvals, rejections with counter-offers and refusals, over many batches of lines.
    for i in 0..400usize {
        case["case_id"] = format!("AUTO-2026-{i:06}").into();
        case["loan"]["amount"] = format!("{}.00", 60_000_000 + (i % 90) * 1_000_000).into();
        case["loan"]["term_months"] = [12, 24, 36, 48, 60, 72][i % 6].into();
        case["parties"][0]["credit_history"]["existing_monthly_payments"] =
            format!("{}.00", (i % 7) * 700_000).into();
        let line: &[u8] = match i {
            _ if i % 97 == 5 => br#"{"case_id": "AUTO-2026-"#, // not JSON
            _ if i % 89 == 7 => br#"{"case_id": 5}"#,          // JSON, not a case
            _ if i % 53 == 3 => b"",
            _ if i % 61 == 4 => b" \t ",
            _ if i == 150 => b"\xff\xfe not UTF-8",
            _ => {
                input.extend_from_slice(case.to_string().as_bytes());
                input.push(b'\n');
                continue;
            }
        };
        input.extend_from_slice(line);
        input.push(b'\n');
    }
    // A huge case (the same case spread over 4 MB of blanks) and a huge refusal.
    let spread = case
        .to_string()
        .replacen(',', &format!(",{}", " ".repeat(4 << 20)), 1);
    input.extend_from_slice(format!("{spread}\n").as_bytes());
    case["loan"]["amount"] = "9".repeat(4 << 20).into();
    input.extend_from_slice(format!("{case}\n").as_bytes());
    let file = dir.path().join("queue.jsonl");
    std::fs::write(&file, &input).unwrap();

    let o = uw(&["evaluate", "--jsonl", file.to_str().unwrap()], dir.path());
    let (out, err) = evaluated_in_sequence(&input, &file);
    assert_invalid(&o, "malformed line(s)");
    // Not assert_eq: a mismatch would print megabytes.
    assert!(o.stdout == out.as_bytes(), "stdout differs");
    let per_line = format!("uw: {}:", file.display());
    let said: String = stderr(&o)
        .lines()
        .filter(|l| l.starts_with(&per_line))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(said, err);
    assert_eq!(err.lines().count(), 12, "{err}");
    assert!(
        out.lines()
            .filter(|l| l.contains(r#""counter_offer":[{"#))
            .count()
            > 100,
        "the batch has counter-offers"
    );
}

#[test]
fn schedule_prints_the_worked_example_and_refuses_bad_arguments() {
    let dir = tempfile::tempdir().unwrap();
    let base = [
        "schedule",
        "--amount",
        "100000000",
        "--term",
        "12",
        "--kind",
        "annuity",
        "--first-payment",
        "2026-12-20",
    ];
    let with = |extra: &[&str], replace: Option<(usize, &str)>| {
        let mut args: Vec<&str> = base.to_vec();
        if let Some((i, v)) = replace {
            args[i] = v;
        }
        args.extend_from_slice(extra);
        uw(&args, dir.path())
    };
    let o = with(&[], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let v = stdout_json(&o);
    assert_eq!(v["rate"], "21.00");
    assert_eq!(v["rows"][0]["payment"], "9311377.38");
    assert_eq!(v["rows"][11]["payment"], "9311377.34");
    assert_eq!(v["total_interest"], "11736528.52");
    assert_eq!(v["effective_annual_rate"], "23.14");

    assert_invalid(&with(&[], Some((2, "abc"))), "--amount");
    assert_invalid(&with(&[], Some((2, "-5"))), "--amount");
    assert_invalid(
        &with(&[], Some((2, "100000000.005"))),
        "more than 2 decimals",
    );
    assert_invalid(&with(&[], Some((2, "1000000000000000.01"))), "10^15");
    assert_invalid(&with(&[], Some((2, "9".repeat(40).as_str()))), "--amount");
    assert_invalid(&with(&[], Some((4, "61"))), "--term");
    assert_invalid(&with(&[], Some((4, "0"))), "--term");
    assert_invalid(&with(&[], Some((8, "2026-02-30"))), "--first-payment");
    assert_invalid(&with(&["--grace", "2"], None), "grace");
    assert_invalid(&with(&["--day-count", "30/365"], None), "30/365");
    assert_invalid(&with(&["--disbursed", "2027-01-01"], None), "--disbursed");
    let o = with(
        &["--day-count", "actual/365", "--disbursed", "2026-11-20"],
        None,
    );
    assert!(o.status.success());
}

#[test]
fn vin_reports_and_import_export_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let o = uw(&["vin", " xwbja69v9la123456 "], dir.path());
    assert!(o.status.success());
    let v = stdout_json(&o);
    assert_eq!(
        (
            v["vin"].as_str(),
            v["wmi"].as_str(),
            v["model_year"].as_i64()
        ),
        (Some("XWBJA69V9LA123456"), Some("XWB"), Some(2020))
    );
    let o = uw(&["vin", "XWBJA69V9LA12345O"], dir.path());
    assert_eq!(stdout_json(&o)["valid"], false);

    let store = dir.path().join("store");
    let file = dir.path().join("case.json");
    std::fs::write(&file, EXAMPLE).unwrap();
    let o = uw(&["import", file.to_str().unwrap()], &store);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout_json(&o)["imported"][0], "AUTO-2026-000123");
    assert_invalid(&uw(&["import", file.to_str().unwrap()], &store), "already");
    let o = uw(&["export", "AUTO-2026-000123"], &store);
    assert!(o.status.success());
    assert_eq!(
        stdout_json(&o),
        serde_json::from_str::<serde_json::Value>(EXAMPLE).unwrap()
    );
    assert_invalid(&uw(&["export", "NOPE-1"], &store), "NOPE-1");
    assert_invalid(&uw(&["bogus"], &store), "bogus");
    assert_invalid(&uw(&[], &store), "Usage");
}

#[test]
fn identity_prints_the_pinfl_check() {
    let dir = tempfile::tempdir().unwrap();
    let args = |p: &str, b: &str, d: Option<&str>| {
        let mut a = vec!["identity", "--pinfl", p, "--birth-date", b];
        if let Some(d) = d {
            a.extend(["--document", d]);
        }
        uw(&a, dir.path())
    };
    let o = args("31508900011235", "1990-08-15", Some("AA1234567"));
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout_json(&o),
        serde_json::json!({"valid": true, "errors": [], "sex": "male", "birth_date": "1990-08-15"})
    );
    // A wrong check digit is a result, not a failure of the command.
    let o = args("31508900011236", "1990-08-15", None);
    assert!(o.status.success());
    let v = stdout_json(&o);
    assert_eq!(v["valid"], false);
    assert_eq!(v["errors"].as_array().unwrap().len(), 1);
    // Letters: nothing decodes.
    let v = stdout_json(&args("3150890001123A", "1990-08-15", None));
    assert_eq!(
        (v["sex"].clone(), v["birth_date"].clone()),
        (serde_json::Value::Null, serde_json::Value::Null)
    );
    // Malformed input to the command itself: named, non-zero exit.
    assert_invalid(&args("31508900011235", "15.08.1990", None), "--birth-date");
    assert_invalid(
        &uw(&["identity", "--birth-date", "1990-08-15"], dir.path()),
        "--pinfl",
    );
}

/// A 1C client-bank file: six monthly salaries into the client's account.
fn onec_salary_file() -> String {
    let mut lines = vec![
        "1CClientBankExchange".to_string(),
        "ВерсияФормата=1.03".into(),
        "Кодировка=Windows".into(),
        "ДатаНачала=01.05.2026".into(),
        "ДатаКонца=31.10.2026".into(),
        "СекцияРасчСчет".into(),
        "ДатаНачала=01.05.2026".into(),
        "ДатаКонца=31.10.2026".into(),
        "РасчСчет=20206000900123456001".into(),
        "НачальныйОстаток=0.00".into(),
        "ВсегоПоступило=75000000.00".into(),
        "ВсегоСписано=0.00".into(),
        "КонечныйОстаток=75000000.00".into(),
        "КонецРасчСчет".into(),
    ];
    for (i, month) in ["05", "06", "07", "08", "09", "10"].iter().enumerate() {
        lines.extend([
            "СекцияДокумент=Платежное поручение".to_string(),
            format!("Номер={}", 100 + i),
            format!("Дата=05.{month}.2026"),
            "Сумма=12500000.00".into(),
            "ПлательщикСчет=20210000400987654002".into(),
            "ПлательщикИНН=201234567".into(),
            "Плательщик=Uzbekneftegaz AJ".into(),
            "ПолучательСчет=20206000900123456001".into(),
            "ПолучательМФО=00440".into(),
            "НазначениеПлатежа=Заработная плата".into(),
            format!("ДатаПоступило=05.{month}.2026"),
            "КонецДокумента".into(),
        ]);
    }
    lines.push("КонецФайла".into());
    lines.join("\r\n")
}

#[test]
fn income_reads_statements_and_refuses_a_broken_one() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("statement.txt");
    std::fs::write(&file, onec_salary_file()).unwrap();
    let o = uw(
        &["income", "--as-of", "2026-11-20", file.to_str().unwrap()],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v = stdout_json(&o);
    assert_eq!(v["period"].as_array().unwrap().len(), 6);
    assert_eq!(v["average_monthly_income"], "12500000.00");
    let s = &v["sources"][0];
    assert_eq!(
        (
            s["kind"].as_str(),
            s["usable"].as_bool(),
            s["payer_inn"].as_str()
        ),
        (Some("salary"), Some(true), Some("201234567"))
    );
    assert_eq!(s["months"]["2026-07"], "12500000.00");
    assert_eq!(v["flags"].as_array().unwrap().len(), 0, "{}", v["flags"]);
    assert_eq!(v["transactions"].as_array().unwrap().len(), 6);
    // The transactions are printed as they come, in the layout the whole result prints in.
    assert_eq!(
        String::from_utf8(o.stdout.clone()).unwrap(),
        format!("{}\n", serde_json::to_string_pretty(&v).unwrap())
    );
    // --summary: the same, without the list.
    let o = uw(
        &[
            "income",
            "--summary",
            "--as-of",
            "2026-11-20",
            file.to_str().unwrap(),
        ],
        dir.path(),
    );
    let mut summary = stdout_json(&o);
    assert_eq!(summary.get("transactions"), None);
    summary["transactions"] = v["transactions"].clone();
    assert_eq!(summary, v);

    let broken = dir.path().join("broken.txt");
    std::fs::write(
        &broken,
        onec_salary_file().replace(
            "Сумма=12500000.00\r\nПлательщикСчет",
            "Сумма=12,5 mln\r\nПлательщикСчет",
        ),
    )
    .unwrap();
    let o = uw(
        &[
            "income",
            "--as-of",
            "2026-11-20",
            file.to_str().unwrap(),
            broken.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert_invalid(&o, "broken.txt:18");
    assert!(o.stdout.is_empty(), "nothing is printed from a failed read");
    assert_invalid(
        &uw(
            &["income", "--as-of", "2026-13-01", file.to_str().unwrap()],
            dir.path(),
        ),
        "--as-of",
    );
    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, "").unwrap();
    assert_invalid(
        &uw(
            &["income", "--as-of", "2026-11-20", empty.to_str().unwrap()],
            dir.path(),
        ),
        "empty",
    );
}

#[test]
fn income_reads_a_csv_export_by_its_layout() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from(
        "Sana;Hujjat raqami;Kontragent;STIR;Kontragent hisobi;Kirim;Chiqim;To'lov maqsadi\n",
    );
    for (i, day) in [
        "01.05.2026",
        "05.06.2026",
        "05.07.2026",
        "05.08.2026",
        "05.09.2026",
        "05.10.2026",
    ]
    .iter()
    .enumerate()
    {
        csv.push_str(&format!(
            "{day};{i};Toshkent shahar 110-maktab;200111222;;5 200 000,00;;Ish haqi\n"
        ));
    }
    csv.push_str("31.10.2026;99;Korzinka;;;;120 000,00;Xarid\n");
    let file = dir.path().join("export.csv");
    std::fs::write(&file, csv).unwrap();
    let o = uw(
        &["income", "--as-of", "2026-11-20", file.to_str().unwrap()],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v = stdout_json(&o);
    assert_eq!(v["average_monthly_income"], "5200000.00");
    assert_eq!(v["sources"][0]["kind"], "salary");
}

/// One byte changed in the (encrypted) database file: `uw audit verify` names the first
/// entry it can no longer read. The file shows no entry in clear, so every page is tried:
/// a page of the audit trail must be named, no flip may pass as an intact chain with the
/// entries missing, and the original file verifies.
#[test]
fn audit_verify_names_an_entry_edited_in_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let file = dir.path().join("case.json");
    std::fs::write(&file, EXAMPLE).unwrap();
    assert!(uw(&["import", file.to_str().unwrap()], &store)
        .status
        .success());
    let out = dir.path().join("exported.json");
    for _ in 0..2 {
        let o = uw(
            &["export", "AUTO-2026-000123", "-o", out.to_str().unwrap()],
            &store,
        );
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let o = uw(&["audit", "verify"], &store);
    assert!(o.status.success(), "{}", stderr(&o));
    let report = stdout_json(&o);
    assert_eq!(
        (report["entries"].as_u64(), report["intact"].as_bool()),
        (Some(3), Some(true))
    );

    let db = store.join("cases.db");
    let original = std::fs::read(&db).unwrap();
    assert!(
        !original.windows(16).any(|w| w == b"AUTO-2026-000123"),
        "no case id in clear"
    );
    let page = 4096;
    let mut named = Vec::new();
    for p in 1..original.len() / page {
        let mut bytes = original.clone();
        bytes[p * page + 1000] ^= 0x01;
        std::fs::write(&db, &bytes).unwrap();
        let o = uw(&["audit", "verify"], &store);
        assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
        if o.status.success() {
            assert_eq!(
                stdout_json(&o)["entries"],
                3,
                "page {p}: entries lost yet intact"
            );
        } else if stderr(&o).contains("audit entry 1 does not fit the chain: it cannot be read") {
            named.push(p);
        }
    }
    assert_eq!(
        named.len(),
        1,
        "exactly the audit trail's page names its first entry"
    );
    std::fs::write(&db, &original).unwrap();
    assert!(uw(&["audit", "verify"], &store).status.success());
}

/// Without a passphrase and without an OS keyring the store stays closed, saying what to do.
#[test]
fn no_key_no_store() {
    let has_keyring = Command::new("secret-tool")
        .arg("--version")
        .output()
        .is_ok();
    if has_keyring {
        return; // this machine keeps keys in its keyring: the closed path cannot be shown
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("case.json");
    std::fs::write(&file, EXAMPLE).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_uw"))
        .args(["import", file.to_str().unwrap()])
        .env("UW_DATA_DIR", dir.path().join("store"))
        .env_remove("UW_STORE_PASSPHRASE")
        .output()
        .unwrap();
    assert_invalid(&o, "no key for the case store");
    assert_invalid(&o, "UW_STORE_PASSPHRASE");
    assert!(!dir.path().join("store/cases.db").exists());
}

#[test]
fn sync_refuses_a_missing_or_bad_bank_and_keeps_the_work_when_offline() {
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("bank-token");
    std::fs::write(&token_file, "t\n").unwrap();
    let token = token_file.to_str().unwrap();
    assert_invalid(&uw(&["sync"], dir.path()), "no core-bank address is set");
    assert_invalid(
        &uw(
            &["sync", "--url", "ftp://bank", "--token-file", token],
            dir.path(),
        ),
        "not a valid https address",
    );
    // Case files and passwords travel there: plain http only to this computer.
    assert_invalid(
        &uw(
            &[
                "sync",
                "--url",
                "http://core.bank.uz/",
                "--token-file",
                token,
            ],
            dir.path(),
        ),
        "plain http only to this computer",
    );
    let o = uw(&["sync", "--url", "http://127.0.0.1:9"], dir.path());
    assert_eq!(
        o.status.code(),
        Some(1),
        "--url without a token: {}",
        stderr(&o)
    );
    let file = dir.path().join("case.json");
    std::fs::write(&file, EXAMPLE).unwrap();
    assert!(uw(&["import", file.to_str().unwrap()], dir.path())
        .status
        .success());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/");
    assert_invalid(
        &uw(&["sync", "--url", &url, "--token-file", token], dir.path()),
        "cannot be reached",
    );
    let status = stdout_json(&uw(&["sync", "--status"], dir.path()));
    assert_eq!(status["waiting"], 1);
    assert_eq!(status["online"], false);
    assert_eq!(status["bank_url"], url);
}

fn case_files(dir: &Path, from: usize, n: usize) -> Vec<String> {
    (from..from + n)
        .map(|i| {
            let id = format!("AUTO-2026-{:06}", 700_000 + i);
            let path = dir.join(format!("{id}.json"));
            std::fs::write(&path, EXAMPLE.replace("AUTO-2026-000123", &id))
                .expect("write a case file");
            path.display().to_string()
        })
        .collect()
}

fn uw_sync(data_dir: &Path, url: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_uw"));
    c.arg("sync")
        .env("UW_DATA_DIR", data_dir)
        .env("UW_STORE_PASSPHRASE", "cli test passphrase")
        .env("UW_BANK_URL", url)
        .env("UW_BANK_TOKEN", "kill-test")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    c
}

/// `kill -9` of `uw sync` at random moments of its sync, 200 times, with new work
/// arriving between the kills: afterwards the bank holds exactly the workstation's
/// content, each version once, and the store is intact.
#[test]
fn sync_survives_two_hundred_kills() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let files = dir.path().join("files");
    std::fs::create_dir_all(&files).unwrap();
    let mut config = uw_bank_sim::SimConfig::new(&dir.path().join("bank.db"));
    config.token = "kill-test".into();
    // Slow and unreliable enough that a pass lasts a while and often fails midway.
    config.faults = uw_bank_sim::Faults {
        latency_ms: 30,
        failure_pct: 10,
        reset_pct: 10,
        seed: 9,
        ..Default::default()
    };
    let bank = uw_bank_sim::start(config).unwrap();
    let url = bank.url();
    let mut imported = 0;
    let mut rng: u64 = 0x5EED;
    let mut killed = 0;
    for round in 0..200 {
        if round % 2 == 0 {
            let batch = case_files(&files, imported, 5);
            imported += 5;
            let mut args = vec!["import"];
            args.extend(batch.iter().map(String::as_str));
            let o = uw(&args, &data);
            assert!(o.status.success(), "{}", stderr(&o));
        }
        rng = rng
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let after = std::time::Duration::from_millis((rng >> 33) % 250);
        let before = bank.requests();
        let mut child = uw_sync(&data, &url).spawn().unwrap();
        // The kill falls inside the sync: after its first request reached the bank.
        let start = std::time::Instant::now();
        while bank.requests() == before
            && child.try_wait().unwrap().is_none()
            && start.elapsed().as_secs() < 10
        {
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        std::thread::sleep(after);
        if child.try_wait().unwrap().is_none() {
            killed += 1;
        }
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
    }
    // Most kills must land on a running sync, or the test proves nothing.
    assert!(
        killed >= 150,
        "only {killed} of 200 kills found uw sync running"
    );
    bank.set_faults(uw_bank_sim::Faults::default());
    let mut finished = false;
    for _ in 0..5 {
        if uw_sync(&data, &url).status().unwrap().success() {
            finished = true;
            break;
        }
    }
    assert!(finished, "uw sync did not complete after the kills");
    let ws = uw_app::Workstation::open(uw_app::OpenOptions {
        data_dir: data.clone(),
        key: uw_app::StoreKey::Passphrase("cli test passphrase".into()),
        actor: "check".into(),
        demo: false,
        require_login: false,
        bank: None,
        directory: None,
    })
    .unwrap();
    assert_eq!(ws.integrity_check().unwrap(), "ok");
    let entries = ws.outbox_entries().unwrap();
    assert_eq!(entries.len(), imported);
    assert!(entries.iter().all(|e| e.state == "sent"));
    let digest = bank.digest();
    assert_eq!(digest.cases, ws.content_hashes().unwrap());
    assert_eq!(digest.cases.len(), imported);
    assert_eq!(digest.versions, imported as i64, "a version arrived twice");
}

/// `uw sync` against the bank that enforces the dual review: a signed submission the bank
/// refuses (the directory took the maker's underwriter role away after she signed it) is
/// reported with the bank's code on stderr, exit 1; the refused entry is kept and not
/// sent again.
#[test]
fn sync_reports_a_refused_statement_with_the_bank_s_code() {
    use uw_directory::slapd::{fixture_password, Slapd};
    let slapd = Slapd::fixture().expect("slapd starts (see .ci/setup)");
    let dir = tempfile::tempdir().unwrap();
    let mut config = uw_bank_sim::SimConfig::new(&dir.path().join("bank.db"));
    config.token = "cli-bank".into();
    config.seed_cases =
        Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../assets/demo/cases"));
    config.directory = Some(slapd.config());
    let bank = uw_bank_sim::start(config).unwrap();
    let data = dir.path().join("desk");
    {
        let ws = uw_app::Workstation::open(uw_app::OpenOptions {
            data_dir: data.clone(),
            key: uw_app::StoreKey::Passphrase("cli test passphrase".into()),
            actor: "check".into(),
            demo: false,
            require_login: true,
            bank: Some(uw_app::BankConfig::new(&bank.url(), "cli-bank")),
            directory: Some(slapd.config()),
        })
        .unwrap();
        ws.login("alice", &fixture_password("alice"), None).unwrap();
        ws.sync().unwrap();
        let v = ws.open_case("AUTO-2026-000123").unwrap();
        ws.submit(
            "AUTO-2026-000123",
            v.version,
            uw_domain::case::ReviewDecision::Approve,
            "salary at this bank",
        )
        .unwrap();
    }
    slapd.set_role("alice", "underwriter", false).unwrap();
    let sync = |data: &Path| {
        Command::new(env!("CARGO_BIN_EXE_uw"))
            .arg("sync")
            .env("UW_DATA_DIR", data)
            .env("UW_STORE_PASSPHRASE", "cli test passphrase")
            .env("UW_BANK_URL", bank.url())
            .env("UW_BANK_TOKEN", "cli-bank")
            .output()
            .unwrap()
    };
    let o = sync(&data);
    assert_invalid(&o, "ROLE_MISSING");
    let err = stderr(&o);
    assert!(err.contains("AUTO-2026-000123 submit by alice"), "{err}");
    let report = stdout_json(&o);
    assert_eq!(report["refused"][0]["code"], "ROLE_MISSING");
    // Final: the next pass has nothing to send and nothing refused.
    let o = sync(&data);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout_json(&o)["refused"], serde_json::json!([]));
}

/// `uw` has no login: it acts as the operating system's user of the process, which
/// `$USER` cannot change (`USER=bob uw import …` is not bob's import).
#[test]
fn the_command_line_acts_as_its_process_user_not_as_user() {
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("case.json");
    std::fs::write(&file, EXAMPLE).unwrap();
    let store = dir.path().join("store");
    let o = Command::new(env!("CARGO_BIN_EXE_uw"))
        .args(["import", file.to_str().unwrap()])
        .env("UW_DATA_DIR", &store)
        .env("UW_STORE_PASSPHRASE", "cli test passphrase")
        .env("USER", "bob")
        .env("LOGNAME", "bob")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let ws = uw_app::Workstation::open(uw_app::OpenOptions {
        data_dir: store,
        key: uw_app::StoreKey::Passphrase("cli test passphrase".into()),
        actor: "check".into(),
        demo: false,
        require_login: false,
        bank: None,
        directory: None,
    })
    .unwrap();
    let uid = std::fs::metadata("/proc/self").unwrap().uid();
    let actors: Vec<String> = ws
        .history("AUTO-2026-000123")
        .unwrap()
        .into_iter()
        .map(|e| e.actor)
        .collect();
    assert_eq!(actors, [format!("cli:{uid}")]);
}

/// `uw` with `input` on its standard input.
fn uw_with_input(args: &[&str], data_dir: &Path, input: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_uw"))
        .args(args)
        .env("UW_DATA_DIR", data_dir)
        .env("UW_STORE_PASSPHRASE", "cli test passphrase")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run uw");
    child
        .stdin
        .take()
        .expect("uw's standard input")
        .write_all(input.as_bytes())
        .expect("write to uw's standard input");
    child.wait_with_output().expect("uw ends")
}

/// The bank's token never travels on the command line, where every user sees it (`ps`)
/// and the shell history keeps it: a file or standard input.
#[test]
fn the_bank_s_token_comes_from_a_file_or_standard_input_never_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = uw_bank_sim::SimConfig::new(&dir.path().join("bank.db"));
    config.token = "cli-bank".into();
    let bank = uw_bank_sim::start(config).unwrap();
    let url = bank.url();
    let data = dir.path().join("desk");

    let o = uw(&["sync", "--url", &url, "--token", "cli-bank"], &data);
    assert_invalid(
        &o,
        "--token: a token on the command line is seen by every user",
    );
    assert_invalid(&o, "shell history");
    assert_invalid(&o, "--token-file FILE, or --token -");
    assert!(!stderr(&o).contains("cli-bank"), "{}", stderr(&o));
    let status = stdout_json(&uw(&["sync", "--status"], &data));
    assert_eq!(status["configured"], false, "nothing was kept");

    // Standard input: one line.
    let o = uw_with_input(
        &["sync", "--url", &url, "--token", "-"],
        &data,
        "cli-bank\n",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let status = stdout_json(&uw(&["sync", "--status"], &data));
    assert_eq!(status["bank_url"], url.as_str());
    assert_eq!(status["online"], true);
    assert_invalid(
        &uw_with_input(&["sync", "--url", &url, "--token", "-"], &data, ""),
        "--token - (standard input): no token",
    );

    // A file.
    let token_file = dir.path().join("bank-token");
    std::fs::write(&token_file, "  cli-bank \n").unwrap();
    let o = uw(
        &[
            "sync",
            "--url",
            &url,
            "--token-file",
            token_file.to_str().unwrap(),
        ],
        &data,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    std::fs::write(&token_file, "wrong\n").unwrap();
    assert_invalid(
        &uw(
            &[
                "sync",
                "--url",
                &url,
                "--token-file",
                token_file.to_str().unwrap(),
            ],
            &data,
        ),
        "refused the token",
    );
    std::fs::write(&token_file, "one\ntwo\n").unwrap();
    assert_invalid(
        &uw(
            &[
                "sync",
                "--url",
                &url,
                "--token-file",
                token_file.to_str().unwrap(),
            ],
            &data,
        ),
        "the token is one line",
    );
    let missing = dir.path().join("no-token-here");
    assert_invalid(
        &uw(
            &[
                "sync",
                "--url",
                &url,
                "--token-file",
                missing.to_str().unwrap(),
            ],
            &data,
        ),
        "no-token-here",
    );
    std::fs::write(&token_file, "cli-bank\n").unwrap();
    assert_invalid(
        &uw(
            &["sync", "--token-file", token_file.to_str().unwrap()],
            &data,
        ),
        "--url URL",
    );
    let help = uw(&["sync", "--help"], &data);
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("--token-file <FILE>"), "{help}");
    assert!(help.contains("--ca-file <FILE>"), "{help}");
}

/// The bank's own CA: a file that does not hold one is refused naming it, from the
/// command line and from UW_BANK_CA_FILE.
#[test]
fn the_bank_s_ca_file_is_refused_naming_it_when_it_holds_no_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("desk");
    let token_file = dir.path().join("bank-token");
    std::fs::write(&token_file, "t\n").unwrap();
    let not_a_ca = dir.path().join("not-a-ca.pem");
    std::fs::write(&not_a_ca, "not a certificate\n").unwrap();
    let o = uw(
        &[
            "sync",
            "--url",
            "https://core.bank.uz/",
            "--token-file",
            token_file.to_str().unwrap(),
            "--ca-file",
            not_a_ca.to_str().unwrap(),
        ],
        &data,
    );
    assert_invalid(&o, "the bank's CA file");
    assert_invalid(&o, "not-a-ca.pem: holds no certificate");
    assert_eq!(
        stdout_json(&uw(&["sync", "--status"], &data))["configured"],
        false
    );
    let o = Command::new(env!("CARGO_BIN_EXE_uw"))
        .arg("sync")
        .env("UW_DATA_DIR", &data)
        .env("UW_STORE_PASSPHRASE", "cli test passphrase")
        .env("UW_BANK_URL", "https://core.bank.uz/")
        .env("UW_BANK_TOKEN", "t")
        .env("UW_BANK_CA_FILE", dir.path().join("missing-ca.pem"))
        .output()
        .unwrap();
    assert_invalid(&o, "missing-ca.pem");
}

/// An empty plain (unencrypted) store of this workstation as a version before the
/// schema wrote it: one SQLite page with the workstation's application id ("UWS1").
fn legacy_plain_store(path: &Path) {
    let mut page = vec![0u8; 4096];
    page[..16].copy_from_slice(b"SQLite format 3\0");
    page[16..18].copy_from_slice(&4096u16.to_be_bytes());
    page[18] = 1;
    page[19] = 1;
    page[21] = 64;
    page[22] = 32;
    page[23] = 32;
    page[24..28].copy_from_slice(&1u32.to_be_bytes());
    page[28..32].copy_from_slice(&1u32.to_be_bytes());
    page[44..48].copy_from_slice(&4u32.to_be_bytes());
    page[56..60].copy_from_slice(&1u32.to_be_bytes());
    page[68..72].copy_from_slice(b"UWS1");
    page[92..96].copy_from_slice(&1u32.to_be_bytes());
    page[96..100].copy_from_slice(&3_045_000u32.to_be_bytes());
    page[100] = 0x0d;
    page[105..107].copy_from_slice(&4096u16.to_be_bytes());
    std::fs::write(path, page).expect("write the plain store");
}

/// A plain store in the data folder is refused; `uw store adopt FILE` takes one in,
/// explicitly, into a data folder without a store, leaving the file as it was.
#[test]
fn a_plain_store_is_taken_in_only_by_uw_store_adopt() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let planted = data.join("cases.db");
    legacy_plain_store(&planted);
    let original = std::fs::read(&planted).unwrap();
    let case = dir.path().join("case.json");
    std::fs::write(&case, EXAMPLE).unwrap();

    let o = uw(&["import", case.to_str().unwrap()], &data);
    assert_invalid(&o, "plain (unencrypted) SQLite file");
    assert_invalid(&o, "uw store adopt FILE");
    assert_eq!(std::fs::read(&planted).unwrap(), original);

    assert_invalid(
        &uw(&["store", "adopt", planted.to_str().unwrap()], &data),
        "already exists",
    );
    let legacy = dir.path().join("legacy.db");
    std::fs::rename(&planted, &legacy).unwrap();
    let o = uw(&["store", "adopt", legacy.to_str().unwrap()], &data);
    assert!(o.status.success(), "{}", stderr(&o));
    let adopted = stdout_json(&o);
    assert_eq!(adopted["cases"], 0);
    assert_eq!(adopted["store"], planted.display().to_string());
    assert_eq!(std::fs::read(&legacy).unwrap(), original, "left as it was");

    assert!(uw(&["import", case.to_str().unwrap()], &data)
        .status
        .success());
    let audit = uw(&["audit", "verify"], &data);
    assert!(audit.status.success(), "{}", stderr(&audit));
    assert_invalid(
        &uw(&["store", "adopt", legacy.to_str().unwrap()], &data),
        "already exists",
    );
}

#[test]
fn a_reader_that_stops_reading_ends_the_output_not_in_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("statement.txt");
    std::fs::write(&file, onec_salary_file()).unwrap();
    let file = file.to_str().unwrap();
    // `uw … | head`: the pipe's reading end is closed before `uw` writes; `uw income`
    // prints as it goes.
    for args in [
        &["vin", "XWBJA69V9LA123456"][..],
        &["income", "--as-of", "2026-11-20", file],
    ] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_uw"))
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("uw starts");
        drop(child.stdout.take());
        let out = child.wait_with_output().expect("uw ends");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(out.status.success(), "{args:?}: {err}");
    }
}

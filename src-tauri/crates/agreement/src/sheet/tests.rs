use std::process::Command;

use super::*;

fn groups() -> Vec<String> {
    "7K2QF-M9D4X-0AB3C-HJ8RT-VW56N-PQ1ZS-2E4G8-K7M3A-YX0B9-CD2EF-GH3JK-MN4PQ-R0000"
        .split('-')
        .map(String::from)
        .collect()
}

/// `pdftotext -layout` of the PDF (poppler-utils), and its page count (`pdfinfo`).
fn read(pdf: &[u8]) -> (String, usize) {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("sheet.pdf");
    std::fs::write(&path, pdf).expect("written");
    let run = |program: &str, args: &[&str]| {
        let out = Command::new(program)
            .args(args)
            .arg(&path)
            .args(if program == "pdftotext" {
                &["-"][..]
            } else {
                &[][..]
            })
            .output()
            .expect("poppler-utils is installed by .ci/setup");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    };
    let text = run("pdftotext", &["-layout"]);
    let pages = run("pdfinfo", &[])
        .lines()
        .find_map(|l| {
            l.strip_prefix("Pages:")
                .map(|n| n.trim().parse().expect("a number"))
        })
        .expect("pdfinfo names the pages");
    (text, pages)
}

/// The one check: the sheet of `data_dir` in `lang` is one page holding the key (on one
/// line and group by group), the folder as printed and the date.
fn check(lang: &str, data_dir: &str, folder_printed: &str) {
    let groups = groups();
    let printed = recovery_sheet(&Sheet {
        lang,
        data_dir,
        date: "2026-11-23",
        groups: &groups,
    })
    .unwrap_or_else(|e| panic!("{lang}: {e}"));
    assert_eq!(printed.pages, 1);
    let (text, pages) = read(&printed.pdf);
    assert_eq!(pages, 1, "{lang}");
    assert!(text.contains(&groups.join("-")), "{lang}: {text}");
    for g in &groups {
        assert!(text.contains(g.as_str()), "{lang}: group {g}");
    }
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains(folder_printed), "{lang}: {flat}");
    assert!(flat.contains("2026-11-23"), "{lang}");
    assert!(flat.contains("uw store recover"), "{lang}: how to use it");
}

#[test]
fn the_sheet_is_one_page_holding_the_key_in_every_language() {
    let home = "/home/kassa/.local/share/uz.sqb.underwriter-workstation";
    for lang in ["uz", "ru", "en"] {
        check(lang, home, home);
    }
    // A long folder wraps; one the font cannot draw prints with "?", and the sheet is made.
    let deep = format!("/srv/{}", "filial-BXM-07/".repeat(12));
    check("uz", &deep, "filial-BXM-07/");
    check("en", "/data/档案/😀", "/data/??/?");
}

#[test]
fn a_language_without_words_is_refused() {
    let groups = groups();
    let e = recovery_sheet(&Sheet {
        lang: "de",
        data_dir: "/d",
        date: "2026-11-23",
        groups: &groups,
    })
    .expect_err("refused");
    assert!(e.to_string().contains("\"de\""), "{e}");
}

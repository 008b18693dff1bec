//! The agreement of the demo case, printed and read back.

use std::process::Command;
use std::str::FromStr;

use sha2::{Digest, Sha256};
use uw_domain::case::{Review, ReviewDecision};
use uw_domain::{evaluate, parse_case, parse_product, CaseFile, EvalOptions, Evaluation};

use super::*;

const EXAMPLE: &str = include_str!("../../../../assets/demo/cases/AUTO-2026-000123.json");
const PRODUCT: &str = include_str!("../../../../assets/product/salary-auto-loan.json");

/// The demo case, approved by bob; `term` months.
fn approved(term: u32) -> (CaseFile, Evaluation) {
    let mut case = parse_case(EXAMPLE).unwrap();
    case.loan.term_months = term;
    case.review = Some(Review {
        decision: ReviewDecision::Approve,
        maker: "alice".into(),
        checker: "bob".into(),
        signed_at: "2026-11-23T10:15:00Z".into(),
        case_version: 3,
    });
    let product = parse_product(PRODUCT).unwrap();
    let ev = evaluate(&case, &product, &EvalOptions::default());
    (case, ev)
}

fn stamp(case: &CaseFile) -> Stamp {
    let json = serde_json::to_string(case).unwrap();
    Stamp {
        case_id: case.case_id.clone(),
        version: 4,
        sha256: Sha256::digest(json.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
    }
}

fn print(case: &CaseFile, ev: &Evaluation, lang: Lang) -> Printed {
    render(case, ev, lang, &stamp(case)).unwrap()
}

/// The text of a PDF as `pdftotext -layout` reads it (poppler-utils).
fn text_of(pdf: &[u8]) -> String {
    pdftotext(pdf, None)
}

/// The text of page `page` (from 1) alone.
fn text_of_page(pdf: &[u8], page: usize) -> String {
    pdftotext(pdf, Some(page))
}

fn pdftotext(pdf: &[u8], page: Option<usize>) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.pdf");
    std::fs::write(&path, pdf).unwrap();
    let mut cmd = Command::new("pdftotext");
    cmd.arg("-layout");
    if let Some(p) = page {
        cmd.args(["-f", &p.to_string(), "-l", &p.to_string()]);
    }
    let out = cmd
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed by .ci/setup");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Words, single-spaced: a phrase reads the same across a line break.
    let text = String::from_utf8(out.stdout)
        .unwrap()
        .replace('\u{a0}', " ");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_uzbek_agreement_carries_the_figures_and_the_clauses() {
    let (case, ev) = approved(36);
    assert_eq!(ev.decision, uw_domain::decision::Decision::Approve);
    let printed = print(&case, &ev, Lang::Uz);
    let text = text_of(&printed.pdf);
    let m = &ev.metrics;
    for needle in [
        "KREDIT SHARTNOMASI",
        "№ AUTO-2026-000123",
        "Karimov Aziz Rustamovich",
        "XWBJA69V9LA123456",
        "135 000 000,00 soʻm",
        "bir yuz oʻttiz besh million soʻm 00 tiyin",
        "yillik 23,00 %",
        "«Kafolat-3»",
        "VIN raqami asosida taqiqqa olinmasdan kredit mablagʻi ajratilmaydi",
        "yetkazib berilganligi",
        "KASKO-778812",
        "Toʻlov jadvali",
        "Jami",
        "SHA-256",
    ] {
        assert!(text.contains(needle), "{needle:?} not in the text");
    }
    for figure in [
        m.dti.as_deref().unwrap(),
        m.effective_annual_rate.as_deref().unwrap(),
    ] {
        assert!(text.contains(&figure.replace('.', ",")), "{figure}");
    }
    let total = content::amount(m.total_payable.as_deref().unwrap()).replace('\u{a0}', " ");
    assert!(text.contains(&total), "{total}");
    // Every schedule row, by its date.
    for row in ev.schedule.as_ref().unwrap() {
        let d = row.date.0.format("%d.%m.%Y").to_string();
        assert!(text.contains(&d), "{d}");
    }
    // Page numbers "i / n" and the stamp on every page.
    let n = printed.pages;
    assert!(n >= 3, "{n} pages");
    // (pdftotext closes the narrow gaps of "i / n".)
    let squeezed = text.replace(' ', "");
    for i in 1..=n {
        assert!(squeezed.contains(&format!("{i}/{n}")), "page {i}");
    }
    assert!(text.contains("oldi-sotdi shartnomasida belgilangan miqdorda"));
    let short = stamp(&case).short().to_string();
    assert_eq!(text.matches(&short).count(), n);
}

#[test]
fn the_russian_agreement_and_the_in_stock_seller() {
    let (mut case, _) = approved(36);
    case.vehicle.seller_kind = uw_domain::case::SellerKind::DealerInStock;
    let product = parse_product(PRODUCT).unwrap();
    let ev = evaluate(&case, &product, &EvalOptions::default());
    let text = text_of(&print(&case, &ev, Lang::Ru).pdf);
    for needle in [
        "КРЕДИТНЫЙ ДОГОВОР",
        "сто тридцать пять миллионов сумов 00 тийинов",
        "135 000 000,00 сум",
        "На втором этапе, после регистрации запрета",
        "Итого",
        "Заёмщик",
    ] {
        assert!(text.contains(needle), "{needle:?} not in the text");
    }
    // The dealer's advance clause is not there for this seller.
    assert!(!text.contains("уведомления о поставке"));
}

#[test]
fn the_same_case_version_gives_the_same_bytes() {
    let (case, ev) = approved(60);
    let a = print(&case, &ev, Lang::Uz).pdf;
    let b = print(&case, &ev, Lang::Uz).pdf;
    assert!(a == b, "two prints of one version differ");
    let ru = print(&case, &ev, Lang::Ru).pdf;
    assert_ne!(a, ru);
    // A golden hash of the reference case: any change to the layout, the templates, the
    // fonts or printpdf shows here (update it after looking at the new pages).
    let hash: String = Sha256::digest(&a)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(hash, GOLDEN_60_UZ, "{} bytes", a.len());
}

const GOLDEN_60_UZ: &str = "fd391198eea51f66c224aeb0e158148b9080038c0c0230c8497067dfac95d7d1";

#[test]
fn the_page_count_grows_with_the_term() {
    let pages: Vec<usize> = [6, 12, 24, 36, 48, 60]
        .into_iter()
        .map(|term| {
            // A smaller loan, so that every term passes the debt-burden test.
            let (mut case, _) = approved(term);
            case.loan.amount = uw_domain::money::Money::from_str("20000000.00").unwrap();
            let product = parse_product(PRODUCT).unwrap();
            let ev = evaluate(&case, &product, &EvalOptions::default());
            print(&case, &ev, Lang::Uz).pages
        })
        .collect();
    assert!(pages.windows(2).all(|w| w[0] <= w[1]), "{pages:?}");
    assert!(pages[5] > pages[0], "{pages:?}");
    // The 60-month schedule runs over two pages: its header is on both.
    let (case, ev) = approved(60);
    let text = text_of(&print(&case, &ev, Lang::Uz).pdf);
    assert_eq!(
        text.matches("Sana Toʻlov Asosiy qarz Foiz Qoldiq").count(),
        2
    );
}

#[test]
fn a_case_not_approved_and_reviewed_is_refused_naming_what_is_missing() {
    let (mut case, ev) = approved(36);
    case.review = None;
    let e = render(&case, &ev, Lang::Uz, &stamp(&case)).unwrap_err();
    assert!(e.to_string().contains("no second person"), "{e}");
    let (mut case, _) = approved(36);
    case.loan.amount = uw_domain::money::Money::from_str("900000000.00").unwrap();
    case.review.as_mut().unwrap().decision = ReviewDecision::Reject;
    let ev = evaluate(
        &case,
        &parse_product(PRODUCT).unwrap(),
        &EvalOptions::default(),
    );
    let e = render(&case, &ev, Lang::Ru, &stamp(&case)).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("decision is reject") && msg.contains("AMOUNT_ABOVE_MAX"),
        "{msg}"
    );
    assert!(msg.contains("review by bob rejected"), "{msg}");
}

#[test]
fn a_character_the_font_lacks_is_an_error_not_a_box() {
    let (mut case, ev) = approved(36);
    case.parties[0].full_name = "Karimov 李".into();
    match render(&case, &ev, Lang::Uz, &stamp(&case)) {
        Err(AgreementError::MissingGlyph { ch, .. }) => assert_eq!(ch, '李'),
        other => panic!("{:?}", other.map(|p| p.pages)),
    }
}

#[test]
fn the_preview_draws_the_same_pages() {
    let (case, ev) = approved(36);
    let pages = preview(&case, &ev, Lang::Uz, &stamp(&case)).unwrap();
    assert_eq!(pages.len(), print(&case, &ev, Lang::Uz).pages);
    assert!(pages[0].starts_with("<svg") && pages[0].contains("bir yuz oʻttiz besh million"));
}

#[test]
fn a_scan_is_counted_in_pages_or_refused() {
    let (case, ev) = approved(60);
    let printed = print(&case, &ev, Lang::Uz);
    assert_eq!(crate::pdf_pages(&printed.pdf), Ok(printed.pages));
    let cut = &printed.pdf[..printed.pdf.len() / 3];
    assert!(crate::pdf_pages(cut).is_err());
    assert!(crate::pdf_pages(b"%PDF-1.7\nnot really").is_err());
    assert!(crate::pdf_pages(b"").is_err());
}

#[test]
fn a_specimen_is_marked_on_every_page_in_its_language() {
    let (case, ev) = approved(60);
    let official = print(&case, &ev, Lang::Uz);
    for (lang, mark, other) in [
        (Lang::Uz, "NAMUNA — SHARTNOMA EMAS", "ОБРАЗЕЦ"),
        (Lang::Ru, "ОБРАЗЕЦ — НЕ ДОГОВОР", "NAMUNA"),
    ] {
        assert_eq!(lang.specimen_mark(), mark);
        let specimen = render_specimen(&case, &ev, lang, &stamp(&case)).unwrap();
        // The same layout: as many pages as the agreement.
        assert_eq!(specimen.pages, official.pages);
        for page in 1..=specimen.pages {
            let text = text_of_page(&specimen.pdf, page);
            // In the band across the page and in the footer, in the text layer.
            assert_eq!(text.matches(mark).count(), 2, "page {page}: {text}");
            assert!(!text.contains(other), "page {page}");
        }
        // The agreement's own text is all there, the band does not break it.
        let text = text_of(&specimen.pdf);
        for needle in ["Karimov Aziz Rustamovich", "XWBJA69V9LA123456", "SHA-256"] {
            assert!(text.contains(needle), "{needle:?} not in the specimen");
        }
        // Deterministic, and never the agreement's bytes.
        let again = render_specimen(&case, &ev, lang, &stamp(&case)).unwrap();
        assert!(
            again.pdf == specimen.pdf,
            "two specimens of one file differ"
        );
        assert!(specimen.pdf != print(&case, &ev, lang).pdf);
    }
    // The agreement carries no marking.
    assert!(!text_of(&official.pdf).contains("NAMUNA"));
    // Its QR code says specimen, not agreement.
    let s = stamp(&case);
    assert!(s
        .specimen_qr_text()
        .starts_with("UW-SPECIMEN;AUTO-2026-000123;sha256="));
    assert_eq!(s.qr_of(Kind::Specimen), s.specimen_qr_text());
    assert_eq!(s.qr_of(Kind::Agreement), s.qr_text());
}

#[test]
fn a_specimen_needs_neither_review_nor_approval() {
    let (mut case, _) = approved(36);
    case.review = None;
    case.loan.amount = uw_domain::money::Money::from_str("900000000.00").unwrap();
    let ev = evaluate(
        &case,
        &parse_product(PRODUCT).unwrap(),
        &EvalOptions::default(),
    );
    assert_ne!(ev.decision, uw_domain::decision::Decision::Approve);
    assert!(matches!(
        render(&case, &ev, Lang::Uz, &stamp(&case)),
        Err(AgreementError::NotPrintable(_))
    ));
    let specimen = render_specimen(&case, &ev, Lang::Uz, &stamp(&case)).unwrap();
    let text = text_of(&specimen.pdf);
    assert_eq!(
        text.matches("NAMUNA — SHARTNOMA EMAS").count(),
        2 * specimen.pages
    );
    // Dated by the application (no signature): the same bytes again.
    let again = render_specimen(&case, &ev, Lang::Uz, &stamp(&case)).unwrap();
    assert!(again.pdf == specimen.pdf);
    assert!(preview(&case, &ev, Lang::Uz, &stamp(&case)).is_err());
}

#[test]
fn the_specimen_preview_draws_the_same_marked_pages() {
    let (case, ev) = approved(36);
    let pages = preview_specimen(&case, &ev, Lang::Ru, &stamp(&case)).unwrap();
    let printed = render_specimen(&case, &ev, Lang::Ru, &stamp(&case)).unwrap();
    assert_eq!(pages.len(), printed.pages);
    for page in &pages {
        assert_eq!(page.matches("ОБРАЗЕЦ — НЕ ДОГОВОР").count(), 2, "{page}");
        // The band lies under the text: drawn first, after the page's white.
        let band = page.find("fill=\"#e6e6e6\"").unwrap();
        let body = page.find("КРЕДИТНЫЙ ДОГОВОР").unwrap_or(usize::MAX);
        assert!(band < body);
    }
    let official = preview(&case, &ev, Lang::Ru, &stamp(&case)).unwrap();
    assert!(official.iter().all(|p| !p.contains("ОБРАЗЕЦ")));
}

/// The offer sheet of the demo case, read back: every figure the engine gave, every
/// payment, the marking on every page; refused for terms the engine rejects.
#[test]
fn the_offer_sheet_carries_the_engines_figures_and_every_payment() {
    let (mut case, _) = approved(48);
    case.review = None;
    let product = parse_product(PRODUCT).unwrap();
    let ev = evaluate(&case, &product, &EvalOptions::default());
    let m = &ev.metrics;
    for (lang, needles) in [
        (
            Lang::Uz,
            [
                "KREDIT TAKLIFI VA TOʻLOV JADVALI № AUTO-2026-000123",
                "hech bir tomonni majburiyat bilan bogʻlamaydi",
                "135 000 000,00 soʻm",
                "Samarali yillik stavka",
            ],
        ),
        (
            Lang::Ru,
            [
                "ПРЕДЛОЖЕНИЕ О КРЕДИТЕ И ГРАФИК ПЛАТЕЖЕЙ № AUTO-2026-000123",
                "она не обязывает ни одну из сторон",
                "135 000 000,00 сум",
                "Эффективная годовая ставка",
            ],
        ),
    ] {
        let printed = render_offer(&case, &ev, lang, &stamp(&case)).unwrap();
        let text = text_of(&printed.pdf);
        for needle in needles {
            assert!(
                text.contains(needle),
                "{lang:?}: {needle:?} not in the text"
            );
        }
        assert!(!text.contains("KREDIT SHARTNOMASI №") && !text.contains("Imzo"));
        for figure in [
            m.effective_annual_rate.as_deref().unwrap(),
            m.rate.as_deref().unwrap(),
        ] {
            assert!(text.contains(&figure.replace('.', ",")), "{figure}");
        }
        for total in [&m.total_payable, &m.total_interest] {
            let total = content::amount(total.as_deref().unwrap()).replace('\u{a0}', " ");
            assert!(text.contains(&total), "{total}");
        }
        // Every payment: its number, date and amounts on one line of the table.
        let rows = ev.schedule.as_ref().unwrap();
        assert_eq!(rows.len(), 48);
        for r in rows {
            let line = [
                r.date.0.format("%d.%m.%Y").to_string(),
                content::amount(&r.payment.to_string()),
                content::amount(&r.principal.to_string()),
                content::amount(&r.interest.to_string()),
                content::amount(&r.balance.to_string()),
            ]
            .join(" ")
            .replace('\u{a0}', " ");
            assert!(text.contains(&line), "{lang:?}: payment {} {line:?}", r.n);
        }
        // The marking and the stamp on every page, in the text layer.
        let n = printed.pages;
        assert_eq!(text.matches(lang.offer_mark()).count(), 2 * n, "{lang:?}");
        assert_eq!(text.matches(stamp(&case).short()).count(), n);
        // Deterministic: the same file gives the same bytes.
        let again = render_offer(&case, &ev, lang, &stamp(&case)).unwrap();
        assert!(again.pdf == printed.pdf);
    }

    // Terms the engine rejects are not offered; the refusal names its rules.
    case.loan.amount = uw_domain::money::Money::from_str("900000000.00").unwrap();
    let rejected = evaluate(&case, &product, &EvalOptions::default());
    assert_eq!(rejected.decision, uw_domain::decision::Decision::Reject);
    let e = render_offer(&case, &rejected, Lang::Uz, &stamp(&case)).unwrap_err();
    assert!(matches!(e, AgreementError::NotOffered(_)), "{e}");
    let codes: Vec<&str> = rejected.reasons.iter().map(|r| r.code.as_str()).collect();
    assert!(e.to_string().contains(codes[0]), "{e}");
}

/// The demo case rejected by a second person; `amount` asked.
fn rejected(amount: &str) -> (CaseFile, Evaluation) {
    let mut case = parse_case(EXAMPLE).unwrap();
    case.loan.amount = uw_domain::money::Money::from_str(amount).unwrap();
    case.review = Some(Review {
        decision: ReviewDecision::Reject,
        maker: "alice".into(),
        checker: "bob".into(),
        signed_at: "2026-11-24T09:00:00Z".into(),
        case_version: 3,
    });
    let product = parse_product(PRODUCT).unwrap();
    let ev = evaluate(&case, &product, &EvalOptions::default());
    (case, ev)
}

/// Every reason code the engine gives (the product passport's table), in plain words in
/// both languages: no code is ever printed for want of words.
#[test]
fn every_engine_code_has_plain_words_in_both_languages() {
    const CODES: [&str; 29] = [
        "NOT_CITIZEN",
        "AGE_BELOW_MIN",
        "AGE_AT_MATURITY",
        "TOO_MANY_CO_BORROWERS",
        "NO_INCOME_SOURCE",
        "INCOME_HISTORY_SHORT",
        "IE_ACCOUNT_NOT_AT_BANK",
        "CURRENT_OVERDUE",
        "DELINQUENCY_90_PLUS",
        "DTI_EXCEEDED",
        "VEHICLE_CATEGORY",
        "VEHICLE_NOT_NEW",
        "SELLER_NOT_ELIGIBLE",
        "VIN_INVALID",
        "VIN_CHECK_DIGIT",
        "VIN_LIEN",
        "VIN_PLEDGED",
        "TERM_OUT_OF_RANGE",
        "AMOUNT_ABOVE_MAX",
        "DOWN_PAYMENT_LOW",
        "LTV_EXCEEDED",
        "GRACE_NOT_ALLOWED",
        "AMOUNT_EXCEEDS_PRICE",
        "VEHICLE_POLICY",
        "NON_REPAYMENT_POLICY",
        "DOWN_PAYMENT_PROOF",
        "DOCUMENT_MISSING",
        "DOCUMENT_REJECTED",
        "PRODUCT_SUSPENDED",
    ];
    for lang in [Lang::Uz, Lang::Ru] {
        let l = letter::text(lang).unwrap();
        for code in CODES {
            let words = l
                .reasons
                .get(code)
                .unwrap_or_else(|| panic!("{lang:?}: {code}"));
            assert!(
                !words.contains('_'),
                "{lang:?}: {code} reads as a code: {words}"
            );
        }
    }
}

/// The letter of a case the engine rejects: the reasons in plain words with no code, what
/// could change, and each counter-offer with the engine's figures; the stamp on the page.
#[test]
fn the_rejection_letter_says_why_in_plain_words_and_offers_the_engines_terms() {
    let (case, ev) = rejected("160000000.00");
    assert_eq!(ev.decision, uw_domain::decision::Decision::Reject);
    let offers = ev.counter_offer.clone().unwrap();
    assert!(!offers.is_empty());
    for (lang, needles) in [
        (
            Lang::Uz,
            [
                "KREDIT ARIZASI BOʻYICHA JAVOB",
                "Hurmatli Karimov Aziz Rustamovich!",
                "tasdiqlangan oylik daromadingizning yarmidan oshadi",
                "Kichikroq kredit summasi yoki uzoqroq muddat",
            ],
        ),
        (
            Lang::Ru,
            [
                "ОТВЕТ НА ЗАЯВКУ НА КРЕДИТ",
                "Уважаемый(ая) Karimov Aziz Rustamovich!",
                "превышают половину вашего подтверждённого ежемесячного дохода",
                "Меньшая сумма кредита или больший срок",
            ],
        ),
    ] {
        let printed = render_letter(&case, &ev, lang, &stamp(&case)).unwrap();
        let text = text_of(&printed.pdf);
        for needle in needles {
            assert!(text.contains(needle), "{lang:?}: {needle:?} not in {text}");
        }
        for r in &ev.reasons {
            assert!(
                !text.contains(&r.code) && !text.contains(r.rule.id()),
                "{lang:?}: {} printed",
                r.code
            );
        }
        assert!(text.contains("24.11.2026"), "dated by the review");
        for o in &offers {
            for figure in [o.amount, o.max_monthly_payment] {
                let f = content::amount(&figure.to_string()).replace('\u{a0}', " ");
                assert!(text.contains(&f), "{lang:?}: counter-offer {f}");
            }
        }
        assert_eq!(text.matches(stamp(&case).short()).count(), printed.pages);
    }

    // A reviewer's own rejection (the engine approves): the general words, no offer.
    let (case, ev) = rejected("135000000.00");
    assert_eq!(ev.decision, uw_domain::decision::Decision::Approve);
    let text = text_of(
        &render_letter(&case, &ev, Lang::Uz, &stamp(&case))
            .unwrap()
            .pdf,
    );
    assert!(text.contains("kredit boʻlimi koʻrib chiqdi"), "{text}");
    assert!(!text.contains("Bank taklif qila oladigan shartlar"));

    // An approved case, or one with no review, has no letter.
    let (approved, ev) = approved(36);
    let e = render_letter(&approved, &ev, Lang::Uz, &stamp(&approved)).unwrap_err();
    assert!(matches!(e, AgreementError::NoLetter(_)), "{e}");
    let mut none = approved.clone();
    none.review = None;
    assert!(matches!(
        render_letter(&none, &ev, Lang::Ru, &stamp(&none)).unwrap_err(),
        AgreementError::NoLetter(_)
    ));
}

/// While the product is stopped for the branch, the letter says so and offers nothing.
#[test]
fn a_letter_under_a_product_stop_says_so_and_offers_nothing() {
    let (case, _) = rejected("160000000.00");
    let product = parse_product(PRODUCT).unwrap();
    let opts = EvalOptions {
        product_suspended: Some("the branch's PD30 is above its limit".into()),
        ..EvalOptions::default()
    };
    let ev = evaluate(&case, &product, &opts);
    assert!(ev.counter_offer.is_none());
    let text = text_of(
        &render_letter(&case, &ev, Lang::Ru, &stamp(&case))
            .unwrap()
            .pdf,
    );
    assert!(text.contains("временно приостановил"), "{text}");
    assert!(!text.contains("Условия, которые банк может предложить"));
}

fn memo_facts() -> memo::MemoFacts {
    memo::MemoFacts {
        stage: "approved".into(),
        proposal: Some(("reject".into(), "the employer did not answer".into())),
        maker: Some(memo::Signer {
            name: "alice".into(),
            at: Some("2026-11-23T09:00:00Z".into()),
            fingerprint: Some("0123456789abcdef".into()),
        }),
        checker: Some(memo::Signer {
            name: "bob".into(),
            at: Some("2026-11-23T10:15:00Z".into()),
            fingerprint: Some("fedcba9876543210".into()),
        }),
        comment: None,
        accepted_at: Some("2026-11-23T10:15:02Z".into()),
        exception: Some(memo::MemoException {
            reason: "the employer confirmed in writing".into(),
            overrules: "reject".into(),
            role: Some("reviewer".into()),
            limit: Some("150000000.00".into()),
        }),
        notes: vec![
            memo::MemoNote {
                author: "alice".into(),
                at: "2026-11-23T08:30:00Z".into(),
                text: "called the employer: no answer {yet}".into(),
            },
            // What a person may type: lines, a tab, a character no font here draws, and a
            // time that is no time.
            memo::MemoNote {
                author: "bob".into(),
                at: "2026-12-02T09:0é".into(),
                text: "first line\n\tsecond line 🚗 李\r\nthird".into(),
            },
        ],
        conditions: vec![
            memo::MemoCondition {
                text: "the employer's letter".into(),
                owner: "the client".into(),
                due: "2026-12-20".into(),
                stage: 1,
                raised_by: "alice".into(),
                raised_at: "2026-11-23T08:40:00Z".into(),
                status: "waived".into(),
                closed_by: Some("bob".into()),
                closed_at: Some("2026-11-23T10:10:00Z".into()),
                words: Some("payroll at this bank".into()),
                confirmed: true,
            },
            memo::MemoCondition {
                text: "the title's copy".into(),
                owner: "the seller".into(),
                due: "2026-12-31".into(),
                stage: 2,
                raised_by: "bob".into(),
                raised_at: "2026-11-23T10:12:00Z".into(),
                status: "open".into(),
                confirmed: false,
                ..Default::default()
            },
        ],
    }
}

/// The decision memo: the engine's figures and reasons with their rule IDs, the proposal,
/// the exception with its limit, the notes and both signatures' fingerprints; marked as
/// internal on every page, stamped, deterministic; an undecided case has none.
#[test]
fn the_decision_memo_carries_the_figures_the_people_and_their_fingerprints() {
    let (case, ev) = approved(36);
    let facts = memo_facts();
    for (lang, needles) in [
        (
            Lang::Uz,
            [
                "KREDIT QARORI BAYONNOMASI",
                "ICHKI HUJJAT",
                "Istisno",
                "Vakolat: reviewer, limit 150 000 000,00",
                "the title's copy — masʼul the seller, muddat 2026-12-31, 2-bosqichni ushlab turadi; bob qoʻygan, 23.11.2026 10:12 UTC: ochiq",
                "Shart boʻyicha oxirgi harakatni bank hali tasdiqlamagan.",
            ],
        ),
        (
            Lang::Ru,
            [
                "МЕМОРАНДУМ КРЕДИТНОГО РЕШЕНИЯ",
                "ВНУТРЕННИЙ ДОКУМЕНТ",
                "Исключение",
                "Полномочия: reviewer, лимит 150 000 000,00",
                "снято: bob, 23.11.2026 10:10 UTC — payroll at this bank",
                "Последнее действие по условию банк ещё не подтвердил.",
            ],
        ),
    ] {
        let printed = render_memo(&case, &ev, &facts, lang, &stamp(&case)).unwrap();
        let text = text_of(&printed.pdf);
        for needle in needles {
            assert!(text.contains(needle), "{lang:?}: {needle:?} not in {text}");
        }
        let figures = [
            ev.metrics.dti.clone().unwrap(),
            ev.metrics.ltv.clone(),
            content::amount(&ev.metrics.average_monthly_income).replace('\u{a0}', " "),
            content::amount(ev.metrics.max_monthly_payment.as_deref().unwrap())
                .replace('\u{a0}', " "),
        ];
        for f in figures.iter().chain([
            &"alice — ".to_string(),
            &"0123456789abcdef".to_string(),
            &"fedcba9876543210".to_string(),
            &"the employer confirmed in writing".to_string(),
            &"called the employer: no answer {yet}".to_string(),
            &"first line".to_string(),
            &"second line ? ?".to_string(),
            &"third".to_string(),
            &"23.11.2026 10:15 UTC".to_string(),
        ]) {
            assert!(text.contains(f.as_str()), "{lang:?}: {f:?} not in {text}");
        }
        assert_eq!(text.matches(stamp(&case).short()).count(), printed.pages);
        // The same case and facts print the same bytes.
        let again = render_memo(&case, &ev, &facts, lang, &stamp(&case)).unwrap();
        assert_eq!(again.pdf, printed.pdf);
    }
    // A rejected case's memo names each failing rule with its ID, code and measure.
    let (case, ev) = rejected("160000000.00");
    let facts = memo::MemoFacts {
        stage: "rejected".into(),
        exception: None,
        comment: Some("DTI above 50 %".into()),
        ..memo_facts()
    };
    let text = text_of(
        &render_memo(&case, &ev, &facts, Lang::Ru, &stamp(&case))
            .unwrap()
            .pdf,
    );
    for r in &ev.reasons {
        let line = format!("{} {}", r.rule, r.code);
        assert!(text.contains(&line), "{line} not in {text}");
    }
    assert!(text.contains("Комментарий: DTI above 50 %"), "{text}");
    // Standalone sign-offs carry no fingerprint, and the memo says why.
    let facts = memo::MemoFacts {
        maker: Some(memo::Signer {
            name: "alice".into(),
            ..Default::default()
        }),
        ..memo_facts()
    };
    let text = text_of(
        &render_memo(&case, &ev, &facts, Lang::Uz, &stamp(&case))
            .unwrap()
            .pdf,
    );
    assert!(text.contains("imzo izi yoʻq"), "{text}");
    // Undecided: no memo.
    let facts = memo::MemoFacts {
        stage: "submitted".into(),
        ..memo_facts()
    };
    assert!(matches!(
        render_memo(&case, &ev, &facts, Lang::Uz, &stamp(&case)).unwrap_err(),
        AgreementError::NoMemo(_)
    ));
}

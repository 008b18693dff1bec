use encoding_rs::WINDOWS_1251;
use proptest::prelude::*;

use crate::read_statement;
use crate::CsvLayouts;

fn layouts() -> CsvLayouts {
    serde_json::from_str(include_str!(
        "../../../../../assets/statements/csv-layouts.json"
    ))
    .unwrap()
}

fn read(name: &str, text: &[u8]) -> Result<crate::Statement, crate::StatementError> {
    read_statement(name, text, &layouts())
}

const UZ: &str = "Sana;Hujjat raqami;Kontragent;STIR;Kontragent hisobi;Kirim;Chiqim;To'lov maqsadi\n\
05.05.2026;118;Uzbekneftegaz AJ;201234567;20210000400987654002;12 500 000,00;;Ish haqi aprel\n\
10.05.2026;7;Korzinka;;;;300 000,50;Karta orqali to'lov\n\
\"05.06.2026\";\"119\";\"Uzbekneftegaz AJ\";\"201234567\";\"20210000400987654002\";\"12 500 000,00\";\"\";\"Ish haqi; may\"\n";

#[test]
fn reads_a_layout_from_data_with_quotes_and_local_numbers() {
    let st = read("uz.csv", UZ.as_bytes()).unwrap();
    assert_eq!(st.format, "CSV (SQB Online (uz))");
    assert_eq!(st.transactions.len(), 3);
    let t = &st.transactions[0];
    assert_eq!(
        (t.amount.to_string().as_str(), &*t.payer_inn, t.line),
        ("12500000.00", "201234567", 2)
    );
    assert_eq!(&*t.receiver_account, "csv:uz.csv");
    let d = &st.transactions[1];
    assert_eq!(
        (d.amount.to_string().as_str(), &*d.payer_account),
        ("300000.50", "csv:uz.csv")
    );
    assert_eq!(&*st.transactions[2].purpose, "Ish haqi; may");
    assert_eq!(st.period_from.unwrap().to_string(), "2026-05-05");
    assert_eq!(st.period_to.unwrap().to_string(), "2026-06-05");
}

#[test]
fn detects_comma_delimiter_signed_amounts_and_cp1251() {
    let ru = "Дата,Номер документа,Контрагент,ИНН контрагента,Счет контрагента,Сумма,Назначение платежа\n\
              05.05.2026,1,ООО Ромашка,301234567,20208000,2500000.00,Заработная плата\n\
              06.05.2026,2,Магазин,,,-150000.00,Покупка\n";
    let bytes = WINDOWS_1251.encode(ru).0.into_owned();
    let st = read("ru.csv", &bytes).unwrap();
    assert_eq!(st.encoding, "windows-1251");
    assert_eq!(st.transactions.len(), 2);
    assert_eq!(&*st.transactions[0].payer, "ООО Ромашка");
    assert_eq!(&*st.transactions[1].payer_account, "csv:ru.csv");
    assert_eq!(st.transactions[1].amount.to_string(), "150000.00");
}

#[test]
fn malformed_csv_names_file_and_line() {
    let e = read(
        "a.csv",
        UZ.replace(
            "12 500 000,00;;Ish haqi aprel",
            "12 500 000,00,,Ish haqi aprel",
        )
        .as_bytes(),
    )
    .unwrap_err();
    assert_eq!(e.line, Some(2));
    assert!(e.message.contains("mixed delimiters"), "{e}");
    let e = read("a.csv", UZ.replace("10.05.2026", "31.02.2026").as_bytes()).unwrap_err();
    assert_eq!((e.line, e.message.contains("not a date")), (Some(3), true));
    let e = read("a.csv", UZ.replace("300 000,50", "uch yuz").as_bytes()).unwrap_err();
    assert_eq!(e.line, Some(3));
    let e = read("a.csv", UZ.replace("300 000,50", "300 000,505").as_bytes()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "a.csv:3: debit \"300 000,505\": more than 2 decimals (an amount is in tiyin at most)"
    );
    let e = read(
        "a.csv",
        UZ.replace(
            "12 500 000,00;;Ish haqi aprel",
            "1 000 000 000 000 000,00;-0,01;Ish haqi aprel",
        )
        .as_bytes(),
    )
    .unwrap_err();
    assert_eq!(
        (e.line, e.message.contains("above the largest amount")),
        (Some(2), true),
        "{e}"
    );
    let e = read("a.csv", b"05.05.2026;118;Uzbekneftegaz;12500000\n").unwrap_err();
    assert!(e.message.contains("no known column layout"), "{e}");
    let e = read("a.csv", b"just some words without separators\n").unwrap_err();
    assert!(e.message.contains("no delimiter"), "{e}");
    let mut mixed = WINDOWS_1251.encode(UZ).0.into_owned();
    mixed.extend_from_slice("05.07.2026;120;Ўзбекнефтгаз;201234567;;1,00;;Иш ҳақи\n".as_bytes());
    mixed.extend_from_slice(&WINDOWS_1251.encode("Пример\n").0);
    let e = read("a.csv", &mixed).unwrap_err();
    assert!(e.message.contains("mixed encodings"), "{e}");
}

proptest! {
    #[test]
    fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400), pos in 0usize..1000, byte in any::<u8>()) {
        let _ = read("p.csv", &bytes);
        let mut m = UZ.as_bytes().to_vec();
        let i = pos % m.len();
        m[i] = byte;
        let _ = read("p.csv", &m);
        let _ = read("p.csv", &m[..pos % m.len()]);
    }
}

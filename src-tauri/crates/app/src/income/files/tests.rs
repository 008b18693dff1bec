use std::path::Path;

use uw_domain::income::statements::analyse;

use super::*;

fn demo() -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../assets/demo/statements/karimov-sqb-2026-05-10.txt"),
    )
    .unwrap()
}

/// The demo statement with its account section moved after its documents.
fn section_last(bytes: &[u8]) -> Vec<u8> {
    let (text, _, _) = encoding_rs::WINDOWS_1251.decode(bytes);
    let start = text.find("СекцияРасчСчет").unwrap();
    let end = text.find("КонецРасчСчет\r\n").unwrap() + "КонецРасчСчет\r\n".len();
    let section = &text[start..end];
    let rest = format!("{}{}", &text[..start], &text[end..]);
    let rest = rest.replace("КонецФайла", &format!("{section}КонецФайла"));
    encoding_rs::WINDOWS_1251.encode(&rest).0.into_owned()
}

fn csv() -> Vec<u8> {
    let mut csv = String::from(
        "Sana;Hujjat raqami;Kontragent;STIR;Kontragent hisobi;Kirim;Chiqim;To'lov maqsadi\n",
    );
    for (i, m) in ["05", "06", "07", "08", "09", "10"].iter().enumerate() {
        csv.push_str(&format!(
            "05.{m}.2026;{i};Toshkent shahar 110-maktab;200111222;;5 200 000,00;;Ish haqi\n"
        ));
    }
    csv.into_bytes()
}

/// An export of `n` rows, some 80 bytes each: past the 64 KiB the start is told by.
fn long_csv(n: usize) -> String {
    let mut csv = String::from(
        "Sana;Hujjat raqami;Kontragent;STIR;Kontragent hisobi;Kirim;Chiqim;To'lov maqsadi\r\n",
    );
    for i in 0..n {
        let m = 5 + i * 6 / n;
        let (kirim, chiqim) = if i % 4 == 0 {
            ("", "120 000,00")
        } else {
            ("1 300 000,00", "")
        };
        csv.push_str(&format!(
            "{:02}.{m:02}.2026;{i};Toshkent shahar 110-maktab;200111222;;{kirim};{chiqim};Ish haqi\r\n",
            1 + i % 28
        ));
    }
    csv
}

/// What `analyse` gives of the same files read whole.
fn held(paths: &[PathBuf]) -> StatementIncome {
    let sts: Vec<_> = paths
        .iter()
        .map(|p| {
            let bytes = std::fs::read(p).unwrap();
            uw_statements::read_statement(&p.display().to_string(), &bytes, &crate::csv_layouts())
                .unwrap()
        })
        .collect();
    let as_of = "2026-11-20".parse().unwrap();
    analyse(
        &sts,
        as_of,
        &crate::default_product(),
        &crate::income_classification(),
        &[],
    )
}

fn streamed(paths: &[PathBuf]) -> Result<StatementIncome> {
    let read = income_of_files(paths, "2026-11-20".parse().unwrap())?;
    let mut transactions = Vec::new();
    read.transactions(&mut |t| {
        transactions.push(t.clone());
        Ok(())
    })?;
    Ok(StatementIncome {
        transactions,
        ..read.income
    })
}

#[test]
fn streamed_files_give_what_the_held_files_give() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    };
    let a = write("a.txt", &demo());
    let late = write("late.txt", &section_last(&demo()));
    let export = write("export.csv", &csv());
    let long = write("long.csv", long_csv(3_000).as_bytes());
    for files in [
        vec![long.clone()],
        vec![a.clone(), long.clone()],
        vec![a.clone()],
        // The section after the documents: a second pass that knows it.
        vec![late.clone()],
        // The same documents twice (duplicates), an export beside them.
        vec![a.clone(), late.clone(), export.clone()],
        vec![export.clone(), a.clone()],
    ] {
        let want = held(&files);
        assert!(!want.transactions.is_empty());
        assert_eq!(streamed(&files).unwrap(), want, "{files:?}");
    }
}

#[test]
fn a_file_failing_anywhere_fails_the_call_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.txt");
    std::fs::write(&good, demo()).unwrap();
    // The last line broken: found only at the end of the stream.
    let bytes = demo();
    let (text, _, _) = encoding_rs::WINDOWS_1251.decode(&bytes);
    // The line after the final newline, where the end was looked for.
    let lines = text.split('\n').count();
    let bad = dir.path().join("bad.txt");
    std::fs::write(
        &bad,
        encoding_rs::WINDOWS_1251
            .encode(&text.replace("КонецФайла", "КонецФайлаX"))
            .0,
    )
    .unwrap();
    let e = income_of_files(&[good, bad.clone()], "2026-11-20".parse().unwrap())
        .err()
        .unwrap();
    assert_eq!(e.code, ErrorCode::InvalidInput, "{e:?}");
    assert!(
        e.message
            .starts_with(&format!("{}:{lines}: ", bad.display())),
        "{e:?}"
    );

    // An export broken past its start: refused at its line, streamed or not.
    let broken = dir.path().join("broken.csv");
    let text = long_csv(3_000).replace("\r\n09.10.2026;2500;", "\r\n31.02.2026;2500;");
    std::fs::write(&broken, &text).unwrap();
    let e = income_of_files(std::slice::from_ref(&broken), "2026-11-20".parse().unwrap())
        .err()
        .unwrap();
    assert_eq!(e.code, ErrorCode::InvalidInput, "{e:?}");
    assert!(
        e.message
            .starts_with(&format!("{}:2502: ", broken.display())),
        "{e:?}"
    );

    // A line of two megabytes is refused before it is held.
    let long = dir.path().join("long.txt");
    let mut bytes = b"1CClientBankExchange\r\n".to_vec();
    bytes.extend(std::iter::repeat_n(b'x', 2 << 20));
    std::fs::write(&long, bytes).unwrap();
    let e = income_of_files(std::slice::from_ref(&long), "2026-11-20".parse().unwrap())
        .err()
        .unwrap();
    assert_eq!(e.code, ErrorCode::FileOverLimit, "{e:?}");
    assert!(
        e.message.starts_with(&format!("{}:2: ", long.display())),
        "{e:?}"
    );

    // Not a regular file: nothing is read from it.
    let e = income_of_files(&[PathBuf::from("/dev/zero")], "2026-11-20".parse().unwrap())
        .err()
        .unwrap();
    assert!(e.message.contains("not a regular file"), "{e:?}");
}

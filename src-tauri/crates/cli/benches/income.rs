//! `uw income` on generated statements, beside what a user could do instead on the same
//! machine: wall time and peak memory of the command as a process (the kernel's account of
//! it, the file's bytes included), median and range of several runs. Needs python3.
//!
//! `cargo build --release -p uw-parse && cargo bench -p uw-cli --bench income`. Targets:
//! `uw income --summary` on a CP1251 1C file of 100,000 documents of all the fields a bank
//! fills (~640 bytes each) ≤ 0.5 s and ≤ 100 MB peak, at least 10× a plain Python line
//! parser of the same file; 1,000,000 documents linear in time and flat in memory; the same
//! 100,000 transactions as a CSV export ≤ 1 s, quoted beside Python's `csv` module reading
//! that export. Each line printed starts with `figure:` for `.ci/bench`.
#![allow(clippy::float_arithmetic)]

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

const OWN: &str = "20206000900123456001";

/// The date of document `i` of `n`: a bank writes a statement's documents by date, here
/// over 28 days of each of six months (May to October 2026).
fn day_and_month(i: usize, n: usize) -> (usize, usize) {
    let k = i * 168 / n.max(1);
    (1 + k % 28, 5 + k / 28)
}

/// One document of each kind a salary client's account shows, with the fields a bank's 1C
/// export fills, some 640 bytes in CP1251.
fn document(s: &mut String, i: usize, n: usize) {
    let (day, month) = day_and_month(i, n);
    let credit = !i.is_multiple_of(3);
    let (purpose, payer, inn) = match i % 6 {
        0 | 3 => (
            "Оплата товаров по счету №{n} от {d}",
            "ООО \"Korzinka Retail\"",
            "305111222",
        ),
        1 => (
            "Заработная плата за {m}.2026 г. согласно ведомости №{n}, НДС не облагается",
            "АО \"Uzbekneftegaz\"",
            "201234567",
        ),
        2 => (
            "Ish haqi {m}.2026 uchun, qaydnoma №{n}",
            "\"Toshkent shahar 110-maktab\" DM",
            "200111222",
        ),
        4 => (
            "Pensiya to'lovi {m}.2026, shaxsiy hisob №{n}",
            "Pensiya jamg'armasi",
            "200333444",
        ),
        _ => (
            "Возврат средств по договору №{n} от {d}",
            "ЧП \"Asia Trade\"",
            "306555666",
        ),
    };
    let date = format!("{day:02}.{month:02}.2026");
    let purpose = purpose
        .replace("{n}", &(i % 977).to_string())
        .replace("{d}", &date)
        .replace("{m}", &format!("{month:02}"));
    let amount = format!("{}.{:02}", 100_000 + (i * 7919) % 9_000_000, i % 100);
    let other = format!("2021000040098{:07}", i % 500);
    let (payer_acc, payer, payer_inn, recv_acc, recv, recv_inn) = if credit {
        (
            other.as_str(),
            payer,
            inn,
            OWN,
            "Каримов Азиз Бахтиёрович",
            "",
        )
    } else {
        (
            OWN,
            "Каримов Азиз Бахтиёрович",
            "",
            other.as_str(),
            payer,
            inn,
        )
    };
    let _ = write!(
        s,
        "СекцияДокумент=Платежное поручение\r\nНомер={n}\r\nДата={date}\r\nСумма={amount}\r\n\
         ПлательщикСчет={payer_acc}\r\n{dsp}Плательщик={payer}\r\nПлательщикИНН={payer_inn}\r\n\
         ПлательщикРасчСчет={payer_acc}\r\nПлательщикБанк1=АКБ \"Kapitalbank\"\r\n\
         ПлательщикМФО=00974\r\nПолучательСчет={recv_acc}\r\n{dpo}\
         Получатель={recv}\r\nПолучательИНН={recv_inn}\r\nПолучательРасчСчет={recv_acc}\r\n\
         ПолучательБанк1=АКБ \"SQB\"\r\nПолучательМФО=00440\r\n\
         ВидОплаты=01\r\nКодНазПлатежа=00{code}\r\nОчередность=5\r\n\
         НазначениеПлатежа={purpose}\r\nКонецДокумента\r\n",
        n = 10_000 + i,
        dsp = if credit {
            String::new()
        } else {
            format!("ДатаСписано={date}\r\n")
        },
        dpo = if credit {
            format!("ДатаПоступило={date}\r\n")
        } else {
            String::new()
        },
        code = 600 + i % 99,
    );
}

fn onec(n: usize) -> Vec<u8> {
    let mut s = String::with_capacity(n * 660);
    s.push_str(
        "1CClientBankExchange\r\nВерсияФормата=1.03\r\nКодировка=Windows\r\nОтправитель=SQB Online\r\n\
         ДатаНачала=01.05.2026\r\nДатаКонца=31.10.2026\r\nРасчСчет=20206000900123456001\r\n\
         СекцияРасчСчет\r\nДатаНачала=01.05.2026\r\nДатаКонца=31.10.2026\r\nРасчСчет=20206000900123456001\r\n\
         КонецРасчСчет\r\n",
    );
    for i in 0..n {
        document(&mut s, i, n);
    }
    s.push_str("КонецФайла\r\n");
    encoding_rs::WINDOWS_1251.encode(&s).0.into_owned()
}

/// The same transactions as a bank's CSV export (a layout of `assets/statements`).
fn csv(n: usize) -> Vec<u8> {
    let mut s = String::from(
        "Sana;Hujjat raqami;Kontragent;STIR;Kontragent hisobi;Kirim;Chiqim;To'lov maqsadi\n",
    );
    for i in 0..n {
        let (day, month) = day_and_month(i, n);
        let amount = format!("{},{:02}", 100_000 + (i * 7919) % 9_000_000, i % 100);
        let (kirim, chiqim) = if !i.is_multiple_of(3) {
            (amount, String::new())
        } else {
            (String::new(), amount)
        };
        let _ = writeln!(
            s,
            "{day:02}.{month:02}.2026;{};Kontragent {};{};2021000040098{:07};{kirim};{chiqim};Ish haqi {month:02}.2026, qaydnoma {}",
            10_000 + i, i % 500, 200_000_000 + i % 500, i % 500, i % 977
        );
    }
    s.into_bytes()
}

/// Runs a command to its end under a small Python waiter, which times it and reads its
/// peak resident memory from the kernel's account of the finished child (`ru_maxrss`):
/// wall seconds and MiB.
fn measure(cmd: &mut Command) -> (f64, f64) {
    const WAITER: &str = "import resource, subprocess, sys, time\n\
        t = time.perf_counter()\n\
        subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)\n\
        print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)";
    let out = Command::new("python3")
        .arg("-c")
        .arg(WAITER)
        .arg(cmd.get_program())
        .args(cmd.get_args())
        .output()
        .expect("python3 runs the waiter");
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let mut f = text
        .split_whitespace()
        .map(|x| x.parse::<f64>().expect("a figure"));
    let (secs, kib) = (f.next().expect("time"), f.next().expect("peak"));
    (secs, kib / 1024.0)
}

/// Median and range of `runs` measurements.
fn runs(runs: usize, mut cmd: impl FnMut() -> Command) -> ((f64, f64, f64), f64) {
    let mut times = Vec::new();
    let mut peak: f64 = 0.0;
    for _ in 0..runs {
        let (t, m) = measure(&mut cmd());
        times.push(t);
        peak = peak.max(m);
    }
    times.sort_by(f64::total_cmp);
    ((times[runs / 2], times[0], times[runs - 1]), peak)
}

fn uw(args: &[&str], file: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_uw"));
    c.args(["income", "--as-of", "2026-11-20"])
        .args(args)
        .arg(file);
    c
}

/// A plain Python parser of the 1C file: lines decoded, documents as dicts, credits summed
/// by month — what a script would do without the workstation.
const PY_ONEC: &str = r#"
import sys, collections
months = collections.Counter(); doc = None
with open(sys.argv[1], encoding="cp1251", newline="") as f:
    for line in f:
        line = line.rstrip("\r\n")
        if line.startswith("СекцияДокумент"):
            doc = {}
        elif line == "КонецДокумента":
            if doc.get("ПолучательСчет") == "20206000900123456001":
                d = doc["Дата"]; months[d[3:]] += float(doc["Сумма"])
            doc = None
        elif doc is not None and "=" in line:
            k, v = line.split("=", 1); doc[k] = v
print(len(months))
"#;

const PY_CSV: &str = r#"
import sys, csv, collections
months = collections.Counter()
with open(sys.argv[1], encoding="utf-8", newline="") as f:
    rows = csv.reader(f, delimiter=";"); next(rows)
    for r in rows:
        if r[5]:
            months[r[0][3:]] += float(r[5].replace(" ", "").replace(",", "."))
print(len(months))
"#;

fn python(script: &str, file: &Path) -> Command {
    let mut c = Command::new("python3");
    c.arg("-c").arg(script).arg(file);
    c
}

fn figure(what: &str, target: &str, (median, lo, hi): (f64, f64, f64), peak: f64, runs: usize) {
    println!(
        "figure: {what} | {target} | {median:.3} s (range {lo:.3}–{hi:.3}, {runs} runs), peak {peak:.0} MiB"
    );
}

fn main() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = std::env::var_os("UW_BENCH_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| tmp.path().to_path_buf());

    let file = dir.join("100k.txt");
    std::fs::write(&file, onec(100_000)).expect("write");
    let mb = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;
    let (uw_t, uw_m) = runs(7, || uw(&["--summary"], &file));
    figure(
        &format!("uw income --summary, 1C CP1251, 100,000 documents ({mb:.0} MB)"),
        "≤ 0.5 s, ≤ 100 MB",
        uw_t,
        uw_m,
        7,
    );
    let full = runs(3, || uw(&[], &file));
    figure(
        "uw income (every transaction printed), same file",
        "—",
        full.0,
        full.1,
        3,
    );
    {
        let (py_t, py_m) = runs(3, || python(PY_ONEC, &file));
        figure("Python line parser, same file", "—", py_t, py_m, 3);
        println!(
            "figure: uw income --summary ÷ Python line parser | ≥ 10× | {:.1}×",
            py_t.0 / uw_t.0
        );
    }

    let export = dir.join("100k.csv");
    std::fs::write(&export, csv(100_000)).expect("write");
    let (c_t, c_m) = runs(5, || uw(&["--summary"], &export));
    figure(
        "uw income --summary, CSV export, 100,000 rows",
        "≤ 1 s",
        c_t,
        c_m,
        5,
    );
    {
        let (py_t, py_m) = runs(3, || python(PY_CSV, &export));
        figure("Python csv module, same export", "—", py_t, py_m, 3);
        println!(
            "figure: uw income --summary ÷ Python csv (CSV export) | — | {:.2}×",
            py_t.0 / c_t.0
        );
        println!(
            "figure: uw income --summary on the 1C file ÷ Python csv on the same transactions as CSV | — | {:.2}×",
            py_t.0 / uw_t.0
        );
    }
    std::fs::remove_file(&export).ok();

    // Linear in time, flat in memory.
    for n in [300_000usize, 1_000_000] {
        let big = dir.join(format!("{n}.txt"));
        std::fs::write(&big, onec(n)).expect("write");
        let mb = std::fs::metadata(&big).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;
        let (t, m) = runs(1, || uw(&["--summary"], &big));
        figure(
            &format!("uw income --summary, {n} documents ({mb:.0} MB)"),
            "linear time, flat memory",
            t,
            m,
            1,
        );
        println!(
            "figure: per 100,000 documents at {n} | ≈ the 100,000 figure | {:.3} s",
            t.0 * 100_000.0 / n as f64
        );
        std::fs::remove_file(&big).ok();
    }
}

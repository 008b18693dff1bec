//! `uw` — the headless command line over the application services.
//!
//! Every command prints JSON on stdout, exits 0 on success and 1 when the input is
//! invalid (the error on stderr names the file, JSON path or line), and never panics.

use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{mpsc, Mutex};

use clap::{Parser, Subcommand, ValueEnum};
use serde_json::json;
use uw_app::{AppError, ErrorCode, OpenOptions, Workstation};
use uw_domain::case::ScheduleKind;
use uw_domain::money::{fixed2, percent2, quoted, Date, Money};
use uw_domain::product::DayCount;
use uw_domain::schedule::{self, ScheduleError, ScheduleInput};
use uw_domain::{evaluate, parse_case, EvalOptions};

#[derive(Parser)]
#[command(name = "uw", version, about = "Underwriter workstation, headless")]
struct Cli {
    /// The data folder (default: UW_DATA_DIR, else the app's OS data folder).
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Evaluate a case file against the product passport.
    Evaluate {
        /// The case file.
        #[arg(required_unless_present = "jsonl", conflicts_with = "jsonl")]
        case: Option<PathBuf>,
        /// A file with one case per line; prints one result per line.
        #[arg(long)]
        jsonl: Option<PathBuf>,
    },
    /// Print a repayment schedule with the product's rate for the term.
    Schedule {
        #[arg(long)]
        amount: String,
        #[arg(long)]
        term: u32,
        #[arg(long, value_enum)]
        kind: Kind,
        #[arg(long, default_value_t = 0)]
        grace: u32,
        #[arg(long = "first-payment")]
        first_payment: String,
        #[arg(long)]
        disbursed: Option<String>,
        #[arg(long = "day-count", value_enum)]
        day_count: Option<DayCountArg>,
    },
    /// Check and decode a VIN.
    Vin { vin: String },
    /// Check a PINFL (check digit, century, sex, birth date) against a birth date, and a
    /// passport or ID-card number.
    Identity {
        #[arg(long)]
        pinfl: String,
        #[arg(long = "birth-date")]
        birth_date: String,
        #[arg(long)]
        document: Option<String>,
    },
    /// The income statements show: sources by month, usable sources, average, flags.
    Income {
        /// The application date: the window is the months before its month.
        #[arg(long = "as-of")]
        as_of: String,
        /// Sources, months, average and flags only: no list of the transactions.
        #[arg(long)]
        summary: bool,
        /// Statement files (1C client-bank exchange, CSV or XLSX exports).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Import case files into the local store: all of them or none.
    Import {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Back up the store (scans included) into FILE, encrypted with the store's key;
    /// the copy is checked (integrity, audit chain) before it replaces FILE.
    Backup {
        /// Where the backup goes.
        #[arg(short = 'o', long = "output")]
        output: PathBuf,
    },
    /// Put a backup in place of the store (the replaced store is kept beside it). A backup
    /// older than the bank's last anchor of this workstation's audit trail is refused.
    Restore {
        /// The backup.
        file: PathBuf,
        /// Restore a backup behind the bank's anchor all the same; the reason goes into
        /// the audit trail.
        #[arg(long, value_name = "REASON")]
        force: Option<String>,
    },
    /// The workstation's health as JSON (store integrity, audit chain, the bank's last
    /// anchor, the outbox, the bank, the directory, the file reader, disk space,
    /// versions); nothing personal. Exit 1 when a check fails.
    Doctor,
    /// The case store itself.
    Store {
        #[command(subcommand)]
        command: StoreCommand,
    },
    /// Send the waiting changes to the core bank and pull the daily queue (exit 1 while
    /// anything could not be sent; it stays in the outbox).
    #[command(
        after_help = "The bank's token never goes on the command line, where every user of the computer sees it (ps) and the shell history keeps it: give it in a file (--token-file FILE) or on standard input (--token -)."
    )]
    Sync {
        /// Set the bank's address (kept in the store's settings), with its token
        /// (--token-file FILE or --token -).
        #[arg(long)]
        url: Option<String>,
        /// The file holding the bank's bearer token, one line (kept encrypted in the
        /// store).
        #[arg(long = "token-file", value_name = "FILE")]
        token_file: Option<PathBuf>,
        /// "-": read the bank's bearer token from standard input (one line). A token
        /// itself is refused.
        #[arg(long, value_name = "-", conflicts_with = "token_file")]
        token: Option<String>,
        /// The bank's own CA bundle (PEM), trusted for the bank instead of the built-in
        /// roots (kept in the settings).
        #[arg(long = "ca-file", value_name = "FILE", requires = "url")]
        ca_file: Option<PathBuf>,
        /// The branch whose daily queue to pull (all when absent).
        #[arg(long, requires = "url")]
        branch: Option<String>,
        /// Only print the sync status.
        #[arg(long)]
        status: bool,
    },
    /// Print the official credit agreement of an approved case in the store as PDF, or with
    /// --specimen a case file's specimen, marked on every page.
    ///
    /// The agreement prints from the store by case id (the store's key as for the other
    /// store commands: keyring or UW_STORE_PASSPHRASE), only once the case is approved by a
    /// second person — with the bank's directory, approved by the bank; otherwise it is
    /// refused with NOT_PRINTABLE naming what is missing. A specimen prints from a case file
    /// with no review or approval, every page marked "NAMUNA — SHARTNOMA EMAS" (ru "ОБРАЗЕЦ
    /// — НЕ ДОГОВОР"), for checking the templates. Prints {"file", "lang", "pages", "bytes"}.
    #[command(
        after_help = "A case file prints only as a specimen (--specimen CASE.json); the official agreement is printed from the store by case id (uw agreement CASE_ID -o FILE)."
    )]
    Agreement {
        /// The case id in the store; with --specimen, the case file.
        case: String,
        /// Print the specimen of a case file: no approval needed, marked on every page.
        #[arg(long)]
        specimen: bool,
        /// The PDF to write (replaced atomically).
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
        /// The language: uz (Uzbek, Latin) or ru.
        #[arg(long, value_enum, default_value = "uz")]
        lang: LangArg,
    },
    /// Print the rejection letter of a rejected case in the store as PDF: the reasons in
    /// plain words (no internal codes), what the client could change, and the engine's
    /// counter-offers; stamped with the stored version.
    ///
    /// Only for a case a second person rejected (with the bank's directory, the rejection
    /// the bank accepted); otherwise NOT_PRINTABLE naming why. The printing is recorded in
    /// the case's history. Prints {"file", "lang", "pages", "bytes"}.
    Letter {
        /// The case id in the store.
        case_id: String,
        /// The PDF to write (replaced atomically).
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
        /// The language: uz (Uzbek, Latin) or ru.
        #[arg(long, value_enum, default_value = "uz")]
        lang: LangArg,
    },
    /// Print the decision memo of a decided case in the store as PDF, for the credit file:
    /// the engine's figures, every reason with its rule ID and code, the conditions, the
    /// maker's proposal, an exception, the notes, maker and checker with the fingerprints
    /// of their signed statements; every page marked as an internal paper.
    ///
    /// Only for an approved or rejected case (with the bank's directory, a decision the
    /// bank accepted); otherwise NOT_PRINTABLE naming why. The printing is recorded in the
    /// case's history. Prints {"file", "lang", "pages", "bytes"}.
    Memo {
        /// The case id in the store.
        case_id: String,
        /// The PDF to write (replaced atomically).
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
        /// The language: uz (Uzbek, Latin) or ru.
        #[arg(long, value_enum, default_value = "uz")]
        lang: LangArg,
    },
    /// Print the client's offer and schedule sheet of a case file as PDF: the pre-contract
    /// disclosure (the amount, the rate, the effective annual rate, the total cost and every
    /// payment), every page marked "TAKLIF — SHARTNOMA EMAS" (ru "ПРЕДЛОЖЕНИЕ — НЕ ДОГОВОР").
    ///
    /// It binds no one, so it prints from a case file with no review or approval; terms the
    /// engine rejects are refused with NOT_PRINTABLE naming its rules. Prints {"file",
    /// "lang", "pages", "bytes"}.
    Offer {
        /// The case file.
        case: PathBuf,
        /// The PDF to write (replaced atomically).
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
        /// The language: uz (Uzbek, Latin) or ru.
        #[arg(long, value_enum, default_value = "uz")]
        lang: LangArg,
    },
    /// Re-evaluate the open queue (draft, submitted, returned) under a revised product
    /// configuration: the cases whose decision changes, and the rules why.
    WhatIf {
        /// The revised product configuration (the shape of assets/product/*.json).
        #[arg(long)]
        product: PathBuf,
    },
    /// Print a stored case as its case file.
    Export {
        case_id: String,
        /// Write to this file instead of stdout.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Write the desk's tables as a spreadsheet (XLSX) for a supervisor: `queue` — every
    /// case the filters match, in the queue's order — or `dashboard` — its tables, a sheet
    /// each. Written atomically; prints {"path", "rows"}.
    Xlsx {
        #[command(subcommand)]
        table: XlsxTable,
    },
    /// Write the support bundle: the log of the last 14 days and the health report (as
    /// `uw doctor` prints it) in one zip file, for the bank's support; nothing personal.
    SupportBundle {
        /// The zip file to write (0600, replaced atomically).
        #[arg(short = 'o', long = "output")]
        output: PathBuf,
    },
}

impl Command {
    /// The command's name in the log.
    fn name(&self) -> &'static str {
        match self {
            Command::Evaluate { .. } => "evaluate",
            Command::Schedule { .. } => "schedule",
            Command::Vin { .. } => "vin",
            Command::Identity { .. } => "identity",
            Command::Income { .. } => "income",
            Command::Import { .. } => "import",
            Command::Audit { .. } => "audit verify",
            Command::Backup { .. } => "backup",
            Command::Restore { .. } => "restore",
            Command::Doctor => "doctor",
            Command::Store { .. } => "store adopt",
            Command::Sync { status: true, .. } => "sync --status",
            Command::Sync { .. } => "sync",
            Command::Agreement { specimen: true, .. } => "agreement --specimen",
            Command::Agreement { .. } => "agreement",
            Command::Offer { .. } => "offer",
            Command::Letter { .. } => "letter",
            Command::Memo { .. } => "memo",
            Command::WhatIf { .. } => "what-if",
            Command::Export { .. } => "export",
            Command::SupportBundle { .. } => "support-bundle",
            Command::Xlsx { .. } => "xlsx",
        }
    }

    /// Whether it works on the store (and so on the data folder, which it makes).
    fn uses_store(&self) -> bool {
        !matches!(
            self,
            Command::Evaluate { .. }
                | Command::Schedule { .. }
                | Command::Vin { .. }
                | Command::Identity { .. }
                | Command::Income { .. }
                | Command::Agreement { specimen: true, .. }
                | Command::Offer { .. }
        )
    }
}

#[derive(Subcommand)]
enum XlsxTable {
    /// The queue: every case the filters match.
    Queue {
        /// The spreadsheet to write.
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
        /// Only this workflow stage (draft, submitted, returned, approved, rejected).
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        branch: Option<String>,
        #[arg(long)]
        assignee: Option<String>,
        /// The start of a case id, borrower name, PINFL or VIN.
        #[arg(long)]
        search: Option<String>,
    },
    /// The dashboard's tables.
    Dashboard {
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
    },
}

#[derive(Subcommand)]
enum StoreCommand {
    /// Adopt a plain (unencrypted) store from a version before encryption as this data
    /// folder's encrypted store; the folder must hold no store yet, and FILE is left as
    /// it was. The workstation never opens a plain store by itself. A keyring store's
    /// recovery key is printed this once.
    Adopt {
        /// The plain store (moved out of the data folder first).
        file: PathBuf,
    },
    /// Make this data folder's store: under UW_STORE_PASSPHRASE when set, else under a
    /// random key kept in the OS keyring, whose recovery key is printed this once.
    Init {
        /// Also write the recovery sheet (PDF) to FILE.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
        #[arg(long, value_enum, default_value = "uz")]
        lang: SheetLang,
    },
    /// Open the store with its recovery key, read from standard input (never from the
    /// command line), and put the key back into the OS keyring. Audited.
    Recover,
    /// Give the store a new key. A keyring store: a random key, its recovery key printed
    /// (and its sheet written) before the store takes it, then the keyring updated. A
    /// passphrase store (UW_STORE_PASSPHRASE): the new passphrase from standard input.
    /// Audited; refused while the window has the store open.
    Rekey {
        /// Also write the new recovery sheet (PDF) to FILE.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
        #[arg(long, value_enum, default_value = "uz")]
        lang: SheetLang,
    },
}

/// The recovery sheet's language.
#[derive(Clone, Copy, ValueEnum)]
enum SheetLang {
    Uz,
    Ru,
    En,
}

impl SheetLang {
    fn as_str(self) -> &'static str {
        match self {
            SheetLang::Uz => "uz",
            SheetLang::Ru => "ru",
            SheetLang::En => "en",
        }
    }
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the trail: the hash chain, ids without gaps, times that do not go back, an
    /// entry for every stored case version, and — when the bank answers — the bank's last
    /// anchor held at its id with its hash (else AUDIT_ROLLED_BACK). Exit 1 naming every
    /// entry that does not fit.
    Verify,
}

#[derive(Clone, Copy, ValueEnum)]
enum LangArg {
    Uz,
    Ru,
}

impl LangArg {
    fn as_str(self) -> &'static str {
        match self {
            LangArg::Uz => "uz",
            LangArg::Ru => "ru",
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum Kind {
    Annuity,
    Differentiated,
}

#[derive(Clone, Copy, ValueEnum)]
enum DayCountArg {
    #[value(name = "30/360")]
    Thirty360,
    #[value(name = "actual/365")]
    Actual365,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let name = cli.command.name();
    let _log = start_log(&cli);
    let started = std::time::Instant::now();
    let result = run(cli);
    let code = result.as_ref().err().map(|e| e.code);
    uw_app::logs::command("uw", name, started.elapsed(), code);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("uw: {}: {}", code_name(e.code), e.message);
            ExitCode::from(1)
        }
    }
}

/// The log in the data folder's `logs/`, when the folder is there or the command works on
/// the store: a check that needs no store (`uw vin` on a machine without a workstation)
/// makes no data folder just to log itself. A log that cannot start stops nothing.
fn start_log(cli: &Cli) -> Option<uw_app::logs::LogGuard> {
    let data_dir = cli
        .data_dir
        .clone()
        .unwrap_or_else(|| uw_app::paths::data_dir(false));
    if !data_dir.is_dir() && !cli.command.uses_store() {
        return None;
    }
    uw_app::logs::init(&data_dir)
        .map_err(|e| eprintln!("uw: no log ({}): {}", code_name(e.code), e.message))
        .ok()
}

/// The error's code as it crosses every boundary (`NOT_FOUND`, `NOT_PRINTABLE`, …).
fn code_name(code: ErrorCode) -> String {
    match serde_json::to_value(code) {
        Ok(serde_json::Value::String(s)) => s,
        _ => format!("{code:?}"),
    }
}

fn invalid(msg: impl Into<String>) -> AppError {
    AppError::new(ErrorCode::InvalidInput, msg)
}

/// What a printing command says it did: the PDF's place, language, pages and bytes.
fn report_pdf(output: &Path, lang: &str, pages: usize, bytes: usize) -> Result<(), AppError> {
    print(&json!({
        "file": output.display().to_string(),
        "lang": lang,
        "pages": pages,
        "bytes": bytes,
    }))
}

fn print(v: &impl serde::Serialize) -> Result<(), AppError> {
    let text = serde_json::to_string_pretty(v)
        .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
    write_out(&format!("{text}\n"))
}

/// `uw income`: the summary, then (without `--summary`) the transactions as they are
/// classified, printed as the whole result prints (`print`) without holding them.
fn income(files: &[PathBuf], as_of: Date, summary: bool) -> Result<(), AppError> {
    use std::io::Write;
    let read = uw_app::income_of_files(files, as_of)?;
    let mut v = serde_json::to_value(&read.income)
        .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
    if summary {
        if let Some(o) = v.as_object_mut() {
            o.remove("transactions");
        }
        return print(&v);
    }
    // `transactions` is the last field: its empty array, `[]\n}`, is where they go.
    let head = serde_json::to_string_pretty(&v)
        .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
    let head = head.strip_suffix("[]\n}").unwrap_or(&head);
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let mut closed = false;
    let mut count = 0usize;
    let mut buf = Vec::new();
    let mut text = Vec::new();
    let mut write = |out: &mut std::io::BufWriter<_>, bytes: &[u8]| {
        out.write_all(bytes).map_err(|e| {
            closed = e.kind() == std::io::ErrorKind::BrokenPipe;
            stdout_error(e)
        })
    };
    let mut printed = write(&mut out, head.as_bytes());
    if printed.is_ok() {
        printed = read.transactions(&mut |t| {
            buf.clear();
            serde_json::to_writer_pretty(&mut buf, t)
                .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
            text.clear();
            text.extend_from_slice(if count == 0 { b"[\n    " } else { b",\n    " });
            for (i, line) in buf.split(|b| *b == b'\n').enumerate() {
                if i > 0 {
                    text.extend_from_slice(b"\n    ");
                }
                text.extend_from_slice(line);
            }
            count += 1;
            write(&mut out, &text)
        });
    }
    if printed.is_ok() {
        let end: &[u8] = if count == 0 {
            b"[]\n}\n"
        } else {
            b"\n  ]\n}\n"
        };
        printed = write(&mut out, end);
    }
    if printed.is_ok() {
        printed = out.flush().map_err(|e| {
            closed = e.kind() == std::io::ErrorKind::BrokenPipe;
            stdout_error(e)
        });
    }
    // A reader that stopped reading (`uw income … | head`) ends the output, not an error.
    if closed {
        return Ok(());
    }
    printed
}

fn stdout_error(e: std::io::Error) -> AppError {
    AppError::new(ErrorCode::Io, format!("standard output: {e}"))
}

/// Writes to standard output; a reader that stopped reading (`uw … | head`) ends the
/// output, not the program with a panic.
fn write_out(text: &str) -> Result<(), AppError> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(AppError::new(
            ErrorCode::Io,
            format!("standard output: {e}"),
        )),
        _ => Ok(()),
    }
}

/// The bank's token from `--token-file FILE` or `--token -` (standard input): one line,
/// trimmed. A token given on the command line itself is refused: every user of the
/// computer sees it in `ps`, and the shell history keeps it.
fn bank_token(token: Option<&str>, file: Option<&Path>) -> Result<Option<String>, AppError> {
    let one_line = |text: &str, from: &str| {
        let t = text.trim();
        if t.is_empty() {
            Err(invalid(format!("{from}: no token")))
        } else if t.lines().count() > 1 {
            Err(invalid(format!("{from}: the token is one line")))
        } else {
            Ok(Some(t.to_string()))
        }
    };
    match (token, file) {
        (Some("-"), _) => {
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .map_err(|e| AppError::new(ErrorCode::Io, format!("standard input: {e}")))?;
            one_line(&line, "--token - (standard input)")
        }
        (Some(_), _) => Err(invalid(
            "--token: a token on the command line is seen by every user of this computer (ps) and kept in the shell history; give --token-file FILE, or --token - to read it from standard input",
        )),
        (None, Some(path)) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| AppError::new(ErrorCode::Io, format!("{}: {e}", path.display())))?;
            one_line(&text, &path.display().to_string())
        }
        (None, None) => Ok(None),
    }
}

fn workstation(data_dir: Option<PathBuf>) -> Result<Workstation, AppError> {
    open_store(data_dir, None)
}

fn open_store(
    data_dir: Option<PathBuf>,
    directory: Option<uw_app::DirectoryConfig>,
) -> Result<Workstation, AppError> {
    let data_dir = data_dir.unwrap_or_else(|| uw_app::paths::data_dir(false));
    Workstation::open(OpenOptions {
        key: uw_app::paths::store_key(&data_dir, false)?,
        data_dir,
        actor: uw_app::paths::os_user(),
        demo: false,
        require_login: false,
        bank: uw_app::paths::bank_from_env(),
        directory,
    })
}

fn run(cli: Cli) -> Result<(), AppError> {
    match cli.command {
        Command::Evaluate {
            case: Some(path), ..
        } => {
            let product = uw_app::default_product();
            let text = read(&path)?;
            let case = parse_case(&text).map_err(|e| {
                AppError::new(ErrorCode::InvalidCase, format!("{}: {e}", path.display()))
            })?;
            print(&evaluate(&case, &product, &EvalOptions::default()))
        }
        Command::Evaluate {
            jsonl: Some(path), ..
        } => evaluate_jsonl(&path),
        Command::Evaluate { .. } => Err(invalid("give a case file or --jsonl FILE")),
        Command::Schedule {
            amount,
            term,
            kind,
            grace,
            first_payment,
            disbursed,
            day_count,
        } => {
            let product = uw_app::default_product();
            let amount = Money::parse(&amount)
                .map_err(|e| invalid(format!("--amount: {}: {e}", quoted(&amount))))?;
            if amount <= Money::ZERO {
                return Err(invalid(format!(
                    "--amount: must be greater than zero, got {amount}"
                )));
            }
            let first: Date = first_payment
                .parse()
                .map_err(|e: String| invalid(format!("--first-payment: {e}")))?;
            let disbursed = match disbursed {
                Some(d) => d
                    .parse()
                    .map_err(|e: String| invalid(format!("--disbursed: {e}")))?,
                None => schedule::default_disbursement(first),
            };
            if disbursed >= first {
                return Err(invalid(format!(
                    "--disbursed: {disbursed} must be before the first payment {first}"
                )));
            }
            if term < product.loan.min_term_months || term > product.loan.max_term_months {
                return Err(invalid(format!(
                    "--term: {term} months is outside the product's {}–{} months",
                    product.loan.min_term_months, product.loan.max_term_months
                )));
            }
            if grace > product.loan.max_grace_months {
                return Err(invalid(format!(
                    "--grace: at most {} months",
                    product.loan.max_grace_months
                )));
            }
            let rate = product
                .rate_for_term(term)
                .ok_or_else(|| invalid(format!("--term: no rate in the grid for {term} months")))?;
            let input = ScheduleInput {
                amount,
                annual_rate: rate,
                term_months: term,
                kind: match kind {
                    Kind::Annuity => ScheduleKind::Annuity,
                    Kind::Differentiated => ScheduleKind::Differentiated,
                },
                grace_months: grace,
                first_payment: first,
                disbursed,
                day_count: match day_count {
                    Some(DayCountArg::Thirty360) => DayCount::Thirty360,
                    Some(DayCountArg::Actual365) => DayCount::Actual365,
                    None => product.schedule.day_count,
                },
                rounding_unit: product.schedule.rounding_unit,
            };
            let s = schedule::build(&input).map_err(|e| match e {
                ScheduleError::Figure(_) => invalid(format!("--amount: {amount}: {e}")),
                e => invalid(format!("--grace: {e}")),
            })?;
            print(&json!({
                "rate": percent2(rate),
                "rows": s.rows,
                "total_interest": fixed2(s.total_interest),
                "effective_annual_rate": percent2(s.effective_annual_rate(amount.decimal())),
            }))
        }
        Command::Vin { vin } => {
            let product = uw_app::default_product();
            let year = chrono::Datelike::year(&chrono::Utc::now());
            print(&uw_domain::vin::check(
                &vin,
                &uw_app::wmi_table(),
                &product.vehicle.check_digit_required_wmi_prefixes,
                year,
            ))
        }
        Command::Identity {
            pinfl,
            birth_date,
            document,
        } => {
            let birth: Date = birth_date
                .parse()
                .map_err(|e: String| invalid(format!("--birth-date: {e}")))?;
            print(&uw_domain::identity::check(
                &pinfl,
                Some(birth),
                document.as_deref(),
            ))
        }
        Command::Income {
            as_of,
            summary,
            files,
        } => {
            let as_of: Date = as_of
                .parse()
                .map_err(|e: String| invalid(format!("--as-of: {e}")))?;
            income(&files, as_of, summary)
        }
        Command::Import { files } => {
            let ws = workstation(cli.data_dir)?;
            print(&ws.import_files(&files)?)
        }
        Command::Doctor => {
            let health = workstation(cli.data_dir)?.doctor(chrono::Utc::now());
            print(&health)?;
            if health.ok {
                return Ok(());
            }
            let failed: Vec<String> = health
                .checks
                .iter()
                .filter(|c| !c.ok)
                .map(|c| format!("{}: {}", c.name, c.detail))
                .collect();
            Err(AppError::new(ErrorCode::Unhealthy, failed.join("; ")))
        }
        Command::Backup { output } => print(&workstation(cli.data_dir)?.backup(&output)?),
        Command::Restore { file, force } => {
            let data_dir = cli
                .data_dir
                .unwrap_or_else(|| uw_app::paths::data_dir(false));
            let key = uw_app::paths::store_key(&data_dir, false)?;
            print(&uw_app::backup::restore(
                &data_dir,
                &key,
                uw_app::paths::bank_from_env(),
                &file,
                &uw_app::paths::os_user(),
                force.as_deref(),
            )?)
        }
        Command::Store { command } => {
            let data_dir = cli
                .data_dir
                .unwrap_or_else(|| uw_app::paths::data_dir(false));
            store_command(command, &data_dir)
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let report = workstation(cli.data_dir)?.verify_audit()?;
            print(&report)?;
            if report.problems.is_empty() {
                return Ok(());
            }
            // Every problem, each naming its entry; a chain that does not hold the bank's
            // anchor is said by its own code.
            let code = if report
                .problems
                .iter()
                .any(|p| p.code == "AUDIT_ROLLED_BACK")
            {
                ErrorCode::AuditRolledBack
            } else {
                ErrorCode::AuditBroken
            };
            let list: Vec<String> = report
                .problems
                .iter()
                .map(|p| format!("{} ({})", p.message, p.code))
                .collect();
            Err(AppError::new(code, list.join("; ")))
        }
        Command::Sync {
            url,
            token_file,
            token,
            ca_file,
            branch,
            status,
        } => {
            let token = bank_token(token.as_deref(), token_file.as_deref())?;
            match (&url, &token) {
                (Some(_), None) => {
                    return Err(invalid(
                        "--url needs the bank's token: --token-file FILE, or --token - to read it from standard input",
                    ))
                }
                (None, Some(_)) => {
                    return Err(invalid(
                        "the token goes with the bank's address: --url URL",
                    ))
                }
                _ => {}
            }
            let ws = workstation(cli.data_dir)?;
            if let (Some(url), Some(token)) = (url, token) {
                ws.set_bank(&url, &token, branch.as_deref(), ca_file.as_deref())?;
            }
            if status {
                return print(&ws.sync_status()?);
            }
            let report = ws.sync()?;
            print(&report)?;
            // A signed statement the bank refused is final: said with its code.
            if let Some(r) = report.refused.first() {
                let all: Vec<String> = report
                    .refused
                    .iter()
                    .map(|r| {
                        format!(
                            "{} {} by {}: {} {}",
                            r.case_id, r.action, r.signer, r.code, r.message
                        )
                    })
                    .collect();
                return Err(AppError::new(
                    uw_app::error::bank_code(&r.code),
                    format!(
                        "the bank refused {} signed statement(s): {}",
                        all.len(),
                        all.join("; ")
                    ),
                ));
            }
            // The bank refused the audit trail's head: an alarm, not a wait.
            if let Some(alarm) = ws.sync_status()?.audit_alarm {
                return Err(AppError::new(ErrorCode::AuditNotExtended, alarm));
            }
            match report.errors.first() {
                None => Ok(()),
                Some(first) => Err(AppError::new(
                    ErrorCode::BankOffline,
                    format!(
                        "{} of the changes could not be sent and wait in the outbox; first: {first}",
                        report.waiting
                    ),
                )),
            }
        }
        Command::Agreement {
            case,
            specimen,
            output,
            lang,
        } => {
            let lang = lang.as_str();
            let printed = if specimen {
                if !Path::new(&case).exists() {
                    return Err(AppError::new(
                        ErrorCode::Io,
                        format!(
                            "{case}: no such case file (a specimen prints from a case file; a \
                             stored case's agreement prints by its id, without --specimen)"
                        ),
                    ));
                }
                let printed = uw_app::specimen_from_file(Path::new(&case), lang)?;
                uw_app::paths::write_atomically(&output, &printed.pdf)?;
                printed
            } else {
                if looks_like_a_file(&case) {
                    return Err(invalid(format!(
                        "{case}: a case file prints only as a specimen (uw agreement --specimen \
                         {case} -o FILE); the official agreement is printed from the store by \
                         case id (uw agreement CASE_ID -o FILE), once the case is approved"
                    )));
                }
                // The desk's directory, as the window has it: with it, only an approval the
                // bank accepted prints.
                let ws = open_store(cli.data_dir, uw_app::paths::directory_from_env()?)?;
                ws.agreement_pdf(&case, lang, |_, pdf| {
                    uw_app::paths::write_atomically(&output, pdf)
                })?
            };
            report_pdf(&output, lang, printed.pages, printed.pdf.len())
        }
        Command::Letter {
            case_id,
            output,
            lang,
        } => {
            let lang = lang.as_str();
            let ws = open_store(cli.data_dir, uw_app::paths::directory_from_env()?)?;
            let printed = ws.rejection_letter_pdf(&case_id, lang, |_, pdf| {
                uw_app::paths::write_atomically(&output, pdf)
            })?;
            report_pdf(&output, lang, printed.pages, printed.pdf.len())
        }
        Command::Memo {
            case_id,
            output,
            lang,
        } => {
            let lang = lang.as_str();
            let ws = open_store(cli.data_dir, uw_app::paths::directory_from_env()?)?;
            let printed = ws.decision_memo_pdf(&case_id, lang, |_, pdf| {
                uw_app::paths::write_atomically(&output, pdf)
            })?;
            report_pdf(&output, lang, printed.pages, printed.pdf.len())
        }
        Command::Offer { case, output, lang } => {
            let lang = lang.as_str();
            let printed = uw_app::offer_from_file(&case, lang)?;
            uw_app::paths::write_atomically(&output, &printed.pdf)?;
            report_pdf(&output, lang, printed.pages, printed.pdf.len())
        }
        Command::WhatIf { product } => print(&workstation(cli.data_dir)?.what_if_file(&product)?),
        Command::SupportBundle { output } => {
            print(&workstation(cli.data_dir)?.support_bundle(&output)?)
        }
        Command::Xlsx { table } => {
            let ws = workstation(cli.data_dir)?;
            let done = match table {
                XlsxTable::Queue {
                    output,
                    status,
                    branch,
                    assignee,
                    search,
                } => {
                    let query = uw_app::QueueQuery {
                        status,
                        branch,
                        assignee,
                        search,
                        ..uw_app::QueueQuery::default()
                    };
                    ws.export_queue_xlsx(&query, &output)?
                }
                XlsxTable::Dashboard { output } => ws.export_dashboard_xlsx(&output)?,
            };
            print(&done)
        }
        Command::Export { case_id, output } => {
            let ws = workstation(cli.data_dir)?;
            match output {
                Some(path) => {
                    ws.export_case_to(&case_id, &path)?;
                    print(&json!({"case_id": case_id, "file": path.display().to_string()}))
                }
                None => write_out(&ws.export_case(&case_id)?),
            }
        }
    }
}

/// An argument of `uw agreement` that names a case file rather than a case id: an
/// existing file, or a name ending in `.json`.
/// `uw store …`: the store itself and its key.
fn store_command(command: StoreCommand, data_dir: &Path) -> Result<(), AppError> {
    use uw_app::keyring::SecretTool;
    use uw_app::store_key;
    let actor = uw_app::paths::os_user();
    match command {
        StoreCommand::Adopt { file } => {
            // UW_STORE_PASSPHRASE, or a new keyring key whose recovery key is shown.
            let (key, recovery) = store_key::for_new_store(&SecretTool, data_dir)?;
            let adopted = uw_app::paths::adopt_store(data_dir, &file, &key, &actor)?;
            let mut answer = json!(adopted);
            if let Some(k) = recovery {
                answer["recovery_key"] = json!(k.display().as_str());
            }
            print(&answer)
        }
        StoreCommand::Init { output, lang } => print(&store_key::init_store(
            &SecretTool,
            data_dir,
            &actor,
            output.as_deref().map(|p| (p, lang.as_str())),
        )?),
        StoreCommand::Recover => {
            let typed = secret_line("the recovery key")?;
            let (_, done) = store_key::recover(&SecretTool, data_dir, &typed, &actor)?;
            if let Some(why) = &done.keyring_error {
                return Err(AppError::new(
                    ErrorCode::StoreKeyMissing,
                    format!("the recovery key opens the store in {} (recorded in its audit trail), but the OS keyring could not keep it ({why}): run `uw store recover` again where the keyring is available", data_dir.display()),
                ));
            }
            print(&done)
        }
        StoreCommand::Rekey { output, lang } => rekey(data_dir, output.as_deref(), lang, &actor),
    }
}

/// `uw store rekey`: the new recovery key is printed (and its sheet written) before the
/// store takes it — a crash after the commit leaves it on the screen, the way in.
fn rekey(
    data_dir: &Path,
    sheet: Option<&Path>,
    lang: SheetLang,
    actor: &str,
) -> Result<(), AppError> {
    use uw_app::store_key::{self, NewKey};
    let current = uw_app::paths::store_key(data_dir, false)?;
    let new = match current {
        // No keyring keeps a passphrase store's key: the person chooses the next one.
        uw_app::StoreKey::Passphrase(_) if sheet.is_some() => return Err(invalid(
            "-o: a passphrase store has no recovery key, so no sheet: its passphrase is the way in",
        )),
        uw_app::StoreKey::Passphrase(_) => NewKey::Passphrase(secret_line("the new passphrase")?),
        uw_app::StoreKey::Raw(_) => NewKey::Random,
    };
    let store = uw_app::backup::store_file(data_dir).display().to_string();
    let done = store_key::rekey(
        &uw_app::keyring::SecretTool,
        data_dir,
        &current,
        new,
        actor,
        |key| {
            let Some(key) = key else { return Ok(()) };
            if let Some(path) = sheet {
                store_key::write_sheet(key, data_dir, lang.as_str(), path)?;
            }
            print_now(&json!({
                "store": store,
                "recovery_key": key.display().as_str(),
                "sheet": sheet.map(|p| p.display().to_string()),
                "takes_effect": "when uw store rekey exits 0; until then the previous recovery key opens the store",
            }))
        },
    )?;
    match (&done.keyring_error, done.key) {
        (Some(why), _) => Err(AppError::new(
            ErrorCode::StoreKeyMissing,
            format!("the store is now under the recovery key printed above, but the OS keyring could not keep it ({why}): keep that key; `uw store recover` puts it into the keyring once the keyring runs"),
        )),
        (None, "keyring") => Ok(()),
        (None, _) => print(&done),
    }
}

/// One line of standard input holding a secret (a recovery key, a passphrase): never an
/// argument, which every user sees in `ps` and the shell history keeps. At most 4 KiB.
fn secret_line(what: &str) -> Result<uw_app::Zeroizing<String>, AppError> {
    use std::io::{IsTerminal, Read};
    if std::io::stdin().is_terminal() {
        eprint!("{what}: ");
    }
    let mut line = uw_app::Zeroizing::new(String::new());
    std::io::stdin()
        .lock()
        .take(4096)
        .read_line(&mut line)
        .map_err(|e| AppError::new(ErrorCode::Io, format!("standard input: {e}")))?;
    let trimmed = uw_app::Zeroizing::new(line.trim_end_matches(['\r', '\n']).to_string());
    if trimmed.trim().is_empty() {
        return Err(invalid(format!("{what}: none on standard input")));
    }
    Ok(trimmed)
}

/// Prints `v` and flushes it before anything else happens; a closed stdout is an error.
fn print_now(v: &impl serde::Serialize) -> Result<(), AppError> {
    let text = serde_json::to_string_pretty(v)
        .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}")
        .and_then(|()| out.flush())
        .map_err(|e| AppError::new(ErrorCode::Io, format!("standard output: {e}")))
}

fn looks_like_a_file(arg: &str) -> bool {
    Path::new(arg).is_file() || arg.to_ascii_lowercase().ends_with(".json")
}

fn read(path: &PathBuf) -> Result<String, AppError> {
    std::fs::read_to_string(path)
        .map_err(|e| AppError::new(ErrorCode::Io, format!("{}: {e}", path.display())))
}

/// One case per line in, one result per line out, in the input's order. A malformed line
/// prints `{"line": N, "error": …}` in its place (and its message on stderr), so output
/// line N answers input line N (blank lines aside); the others go on, the exit code is 1.
///
/// A pipeline, so that reading, evaluating and writing overlap on every core: a reader
/// thread cuts the input into batches of lines, one worker per core evaluates them, and
/// this thread writes each batch's answers when its turn comes. Memory stays flat in the
/// number of cases: both queues are bounded, so at most a few dozen batches exist at once
/// (a line is held whole, so the longest line counts, not the number of lines).
fn evaluate_jsonl(path: &Path) -> Result<(), AppError> {
    let product = uw_app::default_product();
    let file = std::fs::File::open(path)
        .map_err(|e| AppError::new(ErrorCode::Io, format!("{}: {e}", path.display())))?;
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (work_tx, work_rx) = mpsc::sync_channel::<Job>(2 * workers);
    let work_rx = Mutex::new(work_rx);
    let (turn_tx, turn_rx) = mpsc::sync_channel::<mpsc::Receiver<Answers>>(4 * workers);
    std::thread::scope(|scope| {
        scope.spawn(move || read_batches(file, &work_tx, &turn_tx));
        for _ in 0..workers {
            scope.spawn(|| loop {
                // The lock is held only to take the next batch.
                let job = work_rx.lock().map(|rx| rx.recv());
                let Ok(Ok((lines, done))) = job else { break };
                // The writer is gone (stdout failed): nothing left to answer to.
                let _ = done.send(answer_batch(path, &lines, &product));
            });
        }
        // `turn_rx` is dropped on the way out, even on an error: the reader then stops.
        write_in_order(path, turn_rx)
    })
}

/// Lines per batch: enough to make a queue's hand-over negligible, few enough that the
/// batches in flight hold little (a result is some 6 KB).
const BATCH: usize = 64;

/// A batch of numbered input lines and where its answers go.
type Job = (
    Vec<(usize, std::io::Result<String>)>,
    mpsc::SyncSender<Answers>,
);

/// A batch's output lines, the messages for stderr, and how many lines were malformed.
#[derive(Default)]
struct Answers {
    out: Vec<u8>,
    errors: String,
    failed: usize,
}

/// Cuts the file into batches: each goes to the workers, and its answer's receiver to the
/// writer, in the input's order. Stops at the end, or when the writer stopped.
fn read_batches(
    file: std::fs::File,
    work: &mpsc::SyncSender<Job>,
    turns: &mpsc::SyncSender<mpsc::Receiver<Answers>>,
) {
    let mut lines = std::io::BufReader::with_capacity(1 << 20, file)
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l));
    loop {
        let batch: Vec<_> = lines.by_ref().take(BATCH).collect();
        if batch.is_empty() {
            return;
        }
        let (done, answers) = mpsc::sync_channel(1);
        if work.send((batch, done)).is_err() || turns.send(answers).is_err() {
            return;
        }
    }
}

fn answer_batch(
    path: &Path,
    lines: &[(usize, std::io::Result<String>)],
    product: &uw_domain::ProductConfig,
) -> Answers {
    let mut a = Answers::default();
    for (n, line) in lines {
        if let Err(message) = answer(line, product, &mut a.out) {
            use std::fmt::Write as _;
            a.failed += 1;
            let _ = writeln!(a.errors, "uw: {}:{n}: {message}", path.display());
            let error = json!({"line": n, "error": {"code": "INVALID_CASE", "message": format!("line {n}: {message}")}});
            a.out.extend_from_slice(error.to_string().as_bytes());
            a.out.push(b'\n');
        }
    }
    a
}

/// Writes the batches' answers in the input's order as they are done.
fn write_in_order(
    path: &Path,
    turns: mpsc::Receiver<mpsc::Receiver<Answers>>,
) -> Result<(), AppError> {
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    let io = |e: std::io::Error| AppError::new(ErrorCode::Io, e.to_string());
    let mut failed = 0usize;
    for answers in turns {
        // A worker always answers; none left would mean it panicked.
        let a = answers
            .recv()
            .map_err(|_| AppError::new(ErrorCode::Internal, "a batch was not evaluated"))?;
        if !a.errors.is_empty() {
            eprint!("{}", a.errors);
        }
        failed += a.failed;
        out.write_all(&a.out).map_err(io)?;
    }
    out.flush().map_err(io)?;
    if failed > 0 {
        return Err(AppError::new(
            ErrorCode::InvalidCase,
            format!("{}: {failed} malformed line(s)", path.display()),
        ));
    }
    Ok(())
}

/// Appends a line's result to `out` (nothing for a blank line), or gives why the line is
/// not a case.
fn answer(
    line: &std::io::Result<String>,
    product: &uw_domain::ProductConfig,
    out: &mut Vec<u8>,
) -> Result<(), String> {
    match line {
        Err(e) => Err(e.to_string()),
        Ok(l) if l.trim().is_empty() => Ok(()),
        Ok(l) => {
            let case = parse_case(l).map_err(|e| e.to_string())?;
            let start = out.len();
            serde_json::to_writer(
                &mut *out,
                &evaluate(&case, product, &EvalOptions::default()),
            )
            .map_err(|e| {
                out.truncate(start);
                e.to_string()
            })?;
            out.push(b'\n');
            Ok(())
        }
    }
}

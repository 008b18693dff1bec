//! `uw-slapd`: the fixture directory for the demo — a real OpenLDAP slapd on 127.0.0.1,
//! seeded from `tests/fixtures/directory.ldif`.
//!
//! ```sh
//! uw-slapd --port 8389 [--ldaps-port 8636] --config-out directory.json [--ldif FILE]
//! ```
//!
//! Writes the plain-LDAP `DirectoryConfig` (JSON) to `--config-out`, prints one line
//! saying where it listens, and stays in the foreground while slapd runs. Stop it with
//! SIGTERM (or SIGINT): slapd's watcher sees this process end and stops slapd and removes
//! its folder. Exits 1 when slapd cannot start or ends by itself.

use std::path::PathBuf;
use std::process::ExitCode;

use uw_directory::slapd::{fixture_ldif, Slapd};

struct Args {
    port: u16,
    ldaps_port: Option<u16>,
    config_out: PathBuf,
    ldif: PathBuf,
}

const USAGE: &str =
    "usage: uw-slapd --port PORT [--ldaps-port PORT] --config-out FILE [--ldif FILE]";

fn parse_args() -> Result<Args, String> {
    let mut port = None;
    let mut ldaps_port = None;
    let mut config_out = None;
    let mut ldif = None;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || {
            args.next()
                .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))
        };
        let parse_port = |v: String| {
            v.parse::<u16>()
                .ok()
                .filter(|p| *p != 0)
                .ok_or_else(|| format!("{flag}: not a port: {v:?}"))
        };
        match flag.as_str() {
            "--port" => port = Some(parse_port(value()?)?),
            "--ldaps-port" => ldaps_port = Some(parse_port(value()?)?),
            "--config-out" => config_out = Some(PathBuf::from(value()?)),
            "--ldif" => ldif = Some(PathBuf::from(value()?)),
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    Ok(Args {
        port: port.ok_or_else(|| format!("--port is missing\n{USAGE}"))?,
        ldaps_port,
        config_out: config_out.ok_or_else(|| format!("--config-out is missing\n{USAGE}"))?,
        ldif: ldif.unwrap_or_else(fixture_ldif),
    })
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("uw-slapd: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    let mut slapd = Slapd::start_on(&args.ldif, Some(args.port), args.ldaps_port)?;
    let json = serde_json::to_string_pretty(&slapd.config())
        .map_err(|e| format!("cannot write the configuration: {e}"))?;
    std::fs::write(&args.config_out, json + "\n")
        .map_err(|e| format!("cannot write {}: {e}", args.config_out.display()))?;
    println!(
        "uw-slapd: the directory listens on ldap://127.0.0.1:{} (LDAPS on 127.0.0.1:{}); configuration in {}",
        slapd.ldap_port(),
        slapd.ldaps_port(),
        args.config_out.display()
    );
    slapd.wait()
}

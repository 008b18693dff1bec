//! `uw-parse`: reads one file a client brought, within its limits, for the workstation
//! (see the library's header). Not for people: it answers a JSON request on stdin. Its
//! peak memory goes to stderr (which the workstation discards) for the benchmarks.

fn main() -> std::process::ExitCode {
    // Limits before a byte of the file is read.
    uw_parse::limit_self();
    let served = uw_parse::serve(std::io::stdin().lock(), std::io::stdout().lock());
    if let Some(peak) = peak_kb() {
        eprintln!("uw-parse: peak {peak} kB");
    }
    match served {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(_) => std::process::ExitCode::FAILURE,
    }
}

/// The resident high-water mark (Linux's `VmHWM`).
fn peak_kb() -> Option<u64> {
    std::fs::read_to_string("/proc/self/status")
        .ok()?
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

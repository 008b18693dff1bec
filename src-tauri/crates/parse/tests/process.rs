//! The reading process as the workstation starts it: its own limits in force before it
//! reads, one answer for one request.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn reader() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_uw-parse"));
    c.env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    c
}

#[test]
fn it_answers_one_request() {
    let mut child = reader().spawn().expect("starts");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin
        .write_all(b"{\"read\":\"statement\",\"name\":\"a.csv\"}\n   \n")
        .expect("written");
    drop(stdin);
    let mut out = String::new();
    child
        .stdout
        .take()
        .expect("stdout")
        .read_to_string(&mut out)
        .expect("read");
    assert!(child.wait().expect("ends").success());
    let answer: uw_parse::Answer = serde_json::from_str(&out).expect(&out);
    assert!(
        matches!(&answer, uw_parse::Answer::Refused(r) if r.message == "a.csv: the file is empty"),
        "{answer:?}"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn its_limits_are_set_before_it_reads() {
    let mut child = reader().spawn().expect("starts");
    let limits = format!("/proc/{}/limits", child.id());
    let line = |seen: &str, name: &str| {
        seen.lines()
            .find(|l| l.starts_with(name))
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap_or_default()
    };
    let set = |seen: &str| {
        line(seen, "Max address space").contains(&format!("{0} {0}", uw_parse::MEMORY_LIMIT))
            && line(seen, "Max cpu time")
                .contains(&format!("{0} {0}", uw_parse::DEADLINE.as_secs()))
            && line(seen, "Max core file size").contains("0 0")
    };
    // It blocks on its input once its limits are set; look until they all show.
    let start = Instant::now();
    let mut seen = String::new();
    while start.elapsed() < Duration::from_secs(10) && !set(&seen) {
        std::thread::sleep(Duration::from_millis(5));
        seen = std::fs::read_to_string(&limits).unwrap_or_default();
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(set(&seen), "{seen}");
}

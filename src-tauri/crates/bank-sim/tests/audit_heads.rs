//! The anchors of the workstations' audit chains, over 127.0.0.1 through the
//! workstation's own client (and raw HTTP for what the client would never send): a head
//! is taken only when it extends the workstation's anchor, workstations are independent,
//! malformed heads are coded 422s that store nothing, and in the enforcing mode a signed
//! head must verify against the signer's enrolled key.
#![allow(clippy::unwrap_used)] // a test: a failed setup should stop it with its error

use std::io::{Read, Write};
use std::time::Duration;

use serde_json::{json, Value};
use uw_bank_link::api::{AnchoredHead, AuditAnchor, AuditHead, Enrolment, HeadSignature};
use uw_bank_link::signing::{self, Ed25519Signer, Signer};
use uw_bank_link::{Bank, BankConfig, LinkError};
use uw_bank_sim::{start, Faults, Running, SimConfig};
use uw_directory::slapd::{fixture_password, Slapd};

const TOKEN: &str = "demo-bank-token";
const WS: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
const OTHER: &str = "aaaabbbbccccddddeeeeffff00001111";

fn standalone(dir: &std::path::Path) -> (Running, Bank) {
    let sim = start(SimConfig::new(&dir.join("bank.db"))).unwrap();
    let bank = Bank::new(BankConfig::new(&sim.url(), TOKEN)).unwrap();
    (sim, bank)
}

/// A hash of 64 hex digits, one per entry id (the bank never recomputes a chain).
fn hash(n: i64) -> String {
    format!("{n:064x}")
}

fn head(ws: &str, previous: Option<i64>, entry_id: i64) -> AuditHead {
    AuditHead {
        workstation: ws.into(),
        previous_anchor: previous.map(|p| AuditAnchor {
            entry_id: p,
            hash: hash(p),
        }),
        entry_id,
        hash: hash(entry_id),
        at: "2026-12-02T09:00:00Z".into(),
        signature: None,
    }
}

fn post(bank: &Bank, h: &AuditHead) -> Result<AnchoredHead, LinkError> {
    bank.post_audit_head(h, &format!("k-{}-{}", h.workstation, h.entry_id))
}

fn refused_code(e: LinkError) -> (u16, String) {
    match e {
        LinkError::Rejected { status, code, .. } => (status, code),
        other => panic!("not a refusal: {other:?}"),
    }
}

fn raw(sim: &Running, head: &str, body: &[u8]) -> (u16, Value) {
    let mut s = std::net::TcpStream::connect(sim.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let request = format!(
        "{head}\r\nHost: {}\r\nAuthorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        sim.addr,
        body.len()
    );
    s.write_all(request.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text.split(' ').nth(1).unwrap().parse().unwrap();
    let body = text.split_once("\r\n\r\n").map(|x| x.1).unwrap_or_default();
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

#[test]
fn a_head_is_taken_only_when_it_extends_the_workstation_s_anchor() {
    let dir = tempfile::tempdir().unwrap();
    let (_sim, bank) = standalone(dir.path());
    assert_eq!(
        bank.audit_anchor(WS).unwrap(),
        None,
        "404 NO_ANCHOR: none yet"
    );

    let first = post(&bank, &head(WS, None, 5)).unwrap();
    assert_eq!((first.entry_id, first.signer.as_deref()), (5, None));
    assert_eq!(bank.audit_anchor(WS).unwrap().unwrap().hash, hash(5));
    // The anchor itself again: a confirmation, nothing new.
    assert_eq!(post(&bank, &head(WS, None, 5)).unwrap().entry_id, 5);
    assert_eq!(post(&bank, &head(WS, Some(5), 5)).unwrap().entry_id, 5);
    // Extending it.
    let next = post(&bank, &head(WS, Some(5), 9)).unwrap();
    assert_eq!(next.previous_anchor.unwrap().entry_id, 5);

    // The attacks, each refused 409 AUDIT_NOT_EXTENDED and leaving the anchor at 9:
    for (what, h) in [
        // a tail cut off: the store's head is now before the anchor;
        ("cut", head(WS, Some(9), 7)),
        // a copy from before the last pass, sent as it remembers its anchor;
        ("restored", head(WS, Some(5), 12)),
        // the first head of a store that never synced (a fresh copy under this id);
        ("no anchor", head(WS, None, 12)),
        // a rewritten chain: the anchor's id with another hash…
        ("rewritten", {
            let mut h = head(WS, Some(9), 9);
            h.hash = hash(99);
            h
        }),
        // …or claiming the anchor with another hash.
        ("claimed", {
            let mut h = head(WS, Some(9), 12);
            h.previous_anchor.as_mut().unwrap().hash = hash(98);
            h
        }),
    ] {
        let e = post(&bank, &h).unwrap_err();
        assert_eq!(
            refused_code(e),
            (409, "AUDIT_NOT_EXTENDED".into()),
            "{what}"
        );
        assert_eq!(
            bank.audit_anchor(WS).unwrap().unwrap().entry_id,
            9,
            "{what}"
        );
    }
    // The refusal is coded and names both sides.
    match post(&bank, &head(WS, Some(5), 12)).unwrap_err() {
        LinkError::Rejected { message, .. } => assert!(
            message.contains("entry 9") && message.contains("entry 5"),
            "{message}"
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn workstations_are_independent() {
    let dir = tempfile::tempdir().unwrap();
    let (_sim, bank) = standalone(dir.path());
    post(&bank, &head(WS, None, 3)).unwrap();
    post(&bank, &head(WS, Some(3), 4)).unwrap();
    // Another id starts from none, whatever WS holds…
    post(&bank, &head(OTHER, None, 100)).unwrap();
    // …and a head for another id that does not extend *its* anchor is refused for that
    // id alone.
    let e = post(&bank, &head(OTHER, Some(4), 101)).unwrap_err();
    assert_eq!(refused_code(e).1, "AUDIT_NOT_EXTENDED");
    let e = post(&bank, &head(WS, Some(100), 101)).unwrap_err();
    assert_eq!(refused_code(e).1, "AUDIT_NOT_EXTENDED");
    assert_eq!(bank.audit_anchor(WS).unwrap().unwrap().entry_id, 4);
    assert_eq!(bank.audit_anchor(OTHER).unwrap().unwrap().entry_id, 100);
    post(&bank, &head(WS, Some(4), 5)).unwrap();
    assert_eq!(bank.audit_anchor(OTHER).unwrap().unwrap().entry_id, 100);
}

#[test]
fn malformed_heads_are_coded_422s_that_store_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (sim, bank) = standalone(dir.path());
    let post_line = "POST /v1/audit-heads HTTP/1.1\r\nIdempotency-Key: k1";
    let good = serde_json::to_value(head(WS, None, 1)).unwrap();
    let with = |field: &str, value: Value| {
        let mut v = good.clone();
        v[field] = value;
        serde_json::to_vec(&v).unwrap()
    };
    for (what, body, field) in [
        ("not JSON", b"{\"workstation\": ".to_vec(), "the body"),
        ("negative id", with("entry_id", json!(-3)), "entry_id"),
        ("zero id", with("entry_id", json!(0)), "entry_id"),
        ("id not a number", with("entry_id", json!("7")), "the body"),
        ("short hash", with("hash", json!("abc")), "hash"),
        ("not hex", with("hash", json!("z".repeat(64))), "hash"),
        (
            "a path for an id",
            with("workstation", json!("/home/alice/.local")),
            "workstation",
        ),
        ("empty id", with("workstation", json!("")), "workstation"),
        ("no time", with("at", json!("yesterday")), "at"),
        (
            "negative previous",
            with("previous_anchor", json!({"entry_id": -1, "hash": hash(1)})),
            "previous_anchor.entry_id",
        ),
        ("unknown field", with("comment", json!("hi")), "the body"),
        (
            "missing field",
            {
                let mut v = good.clone();
                v.as_object_mut().unwrap().remove("hash");
                serde_json::to_vec(&v).unwrap()
            },
            "the body",
        ),
    ] {
        let (status, answer) = raw(&sim, post_line, &body);
        assert_eq!(status, 422, "{what}: {answer}");
        assert_eq!(answer["code"], "INVALID_AUDIT_HEAD", "{what}");
        let message = answer["message"].as_str().unwrap();
        assert!(message.starts_with(field), "{what}: {message}");
    }
    assert_eq!(bank.audit_anchor(WS).unwrap(), None, "nothing stored");
    // Without an Idempotency-Key, like every change.
    let (status, answer) = raw(
        &sim,
        "POST /v1/audit-heads HTTP/1.1",
        &serde_json::to_vec(&good).unwrap(),
    );
    assert_eq!(
        (status, answer["code"].as_str()),
        (400, Some("IDEMPOTENCY_KEY_REQUIRED"))
    );
    // A bad id asked for.
    let (status, answer) = raw(&sim, "GET /v1/audit-heads/a%2Fb HTTP/1.1", b"");
    assert_eq!(
        (status, answer["code"].as_str()),
        (422, Some("INVALID_WORKSTATION"))
    );
    let (status, answer) = raw(&sim, &format!("GET /v1/audit-heads/{WS} HTTP/1.1"), b"");
    assert_eq!((status, answer["code"].as_str()), (404, Some("NO_ANCHOR")));
    assert!(answer["message"].as_str().unwrap().contains(WS));
}

/// A network that delivers the head twice, and one that cuts the answer after the bank
/// acted: the anchor is made once, and the repeat is a confirmation.
#[test]
fn a_repeated_or_lost_answer_makes_one_anchor() {
    let dir = tempfile::tempdir().unwrap();
    let (sim, bank) = standalone(dir.path());
    sim.set_faults(Faults {
        duplicate_pct: 100,
        ..Faults::default()
    });
    assert_eq!(post(&bank, &head(WS, None, 2)).unwrap().entry_id, 2);
    sim.set_faults(Faults {
        reset_pct: 100,
        ..Faults::default()
    });
    assert!(
        post(&bank, &head(WS, Some(2), 3)).is_err(),
        "the answer is cut"
    );
    sim.set_faults(Faults::default());
    assert_eq!(
        bank.audit_anchor(WS).unwrap().unwrap().entry_id,
        3,
        "but it acted"
    );
    assert_eq!(post(&bank, &head(WS, Some(2), 3)).unwrap().entry_id, 3);
}

fn key_of(seed: u8) -> Ed25519Signer {
    Ed25519Signer::from_seed(&[seed; 32])
}

fn signed(mut h: AuditHead, who: &str, key: &Ed25519Signer) -> AuditHead {
    let signature = key.sign(&h.signed_bytes(who)).unwrap();
    h.signature = Some(HeadSignature {
        signer: who.into(),
        algorithm: key.algorithm().into(),
        signature: signing::to_base64(&signature),
    });
    h
}

/// The enforcing bank: a signed head verifies against the signer's enrolled key or is
/// refused (nothing stored); the anchor names who signed it; an unsigned head (nobody
/// logged in at the desk) still goes.
#[test]
fn in_the_enforcing_mode_a_signed_head_must_verify() {
    let slapd = Slapd::fixture().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut c = SimConfig::new(&dir.path().join("bank.db"));
    c.directory = Some(slapd.config());
    let sim = start(c).unwrap();
    assert!(sim.enforcing());
    let bank = Bank::new(BankConfig::new(&sim.url(), TOKEN)).unwrap();
    let alice = key_of(1);
    bank.enrol(
        "alice",
        &Enrolment {
            algorithm: "ed25519".into(),
            public_key: signing::to_base64(&alice.public_key()),
            password: fixture_password("alice"),
        },
        "enrol-alice",
    )
    .unwrap();

    // Signed with another key than alice's enrolled one.
    let forged = signed(head(WS, None, 1), "alice", &key_of(9));
    assert_eq!(
        refused_code(post(&bank, &forged).unwrap_err()),
        (403, "SIGNATURE_INVALID".into())
    );
    // Signed right, then the head changed under the signature.
    let mut moved = signed(head(WS, None, 1), "alice", &alice);
    moved.entry_id = 2;
    moved.hash = hash(2);
    assert_eq!(
        refused_code(post(&bank, &moved).unwrap_err()).1,
        "SIGNATURE_INVALID"
    );
    // Signed by someone the bank holds no key of.
    let nobody = signed(head(WS, None, 1), "bob", &key_of(2));
    assert_eq!(
        refused_code(post(&bank, &nobody).unwrap_err()).1,
        "KEY_UNKNOWN"
    );
    assert_eq!(bank.audit_anchor(WS).unwrap(), None, "nothing stored");

    let taken = post(&bank, &signed(head(WS, None, 1), "alice", &alice)).unwrap();
    assert_eq!(taken.signer.as_deref(), Some("alice"));
    let unsigned = post(&bank, &head(WS, Some(1), 2)).unwrap();
    assert_eq!(unsigned.signer, None);
    assert_eq!(bank.audit_anchor(WS).unwrap().unwrap().entry_id, 2);
}

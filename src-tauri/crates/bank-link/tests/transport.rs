//! The client's transport as the bank would meet it: the bank's own CA (certificates made
//! with the `openssl` command, a real rustls server on 127.0.0.1), and redirects (a real
//! HTTP server on a `TcpListener` answering 307/308/301), never followed.
#![allow(clippy::unwrap_used)] // a test: a failed setup should stop it with its error

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use uw_bank_link::{Bank, BankConfig, Fault, LinkError};

// ---------------------------------------------------------------------------------------
// Certificates

fn openssl(dir: &Path, what: &str, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("openssl ({what}): {e} — the tests need the openssl command"));
    assert!(
        out.status.success(),
        "openssl ({what}): {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA named `name` in `dir` (`NAME.pem`, `NAME.key`), EC P-256, valid two days.
fn make_ca(dir: &Path, name: &str) -> PathBuf {
    let (key, pem) = (format!("{name}.key"), format!("{name}.pem"));
    openssl(
        dir,
        "a CA",
        &[
            "req",
            "-x509",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            &key,
            "-out",
            &pem,
            "-days",
            "2",
            "-subj",
            &format!("/CN={name}"),
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
    );
    dir.join(pem)
}

/// A server certificate for localhost and 127.0.0.1 signed by the CA `ca`:
/// (`server.pem`, `server.key`).
fn make_server_cert(dir: &Path, ca: &str) -> (PathBuf, PathBuf) {
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName = DNS:localhost, IP:127.0.0.1\n\
         basicConstraints = critical, CA:FALSE\n\
         keyUsage = critical, digitalSignature\n\
         extendedKeyUsage = serverAuth\n",
    )
    .unwrap();
    openssl(
        dir,
        "the server key",
        &[
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=localhost",
        ],
    );
    openssl(
        dir,
        "the server certificate",
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            &format!("{ca}.pem"),
            "-CAkey",
            &format!("{ca}.key"),
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "2",
            "-extfile",
            "server.ext",
        ],
    );
    (dir.join("server.pem"), dir.join("server.key"))
}

fn with_ca(url: &str, ca: &Path) -> BankConfig {
    let mut config = BankConfig::new(url, "the-token");
    config.ca_file = Some(ca.to_path_buf());
    config
}

fn bad_ca_file(result: Result<Bank, LinkError>) -> (String, String) {
    match result {
        Err(LinkError::BadCaFile { path, why }) => (path, why),
        Err(e) => panic!("expected BadCaFile, got {e:?}"),
        Ok(_) => panic!("expected BadCaFile, the client was built"),
    }
}

#[test]
fn a_ca_file_that_does_not_read_or_holds_no_certificate_is_refused_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let url = "https://bank.example/";
    let missing = dir.path().join("missing.pem");
    let (path, why) = bad_ca_file(Bank::new(with_ca(url, &missing)));
    assert_eq!(path, missing.display().to_string());
    assert!(why.contains("No such file"), "{why}");

    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "").unwrap();
    let (_, why) = bad_ca_file(Bank::new(with_ca(url, &empty)));
    assert!(why.contains("holds no certificate"), "{why}");

    // A key alone (what a CA's folder also holds) is no certificate.
    make_ca(dir.path(), "bank-ca");
    let key = dir.path().join("bank-ca.key");
    let (path, why) = bad_ca_file(Bank::new(with_ca(url, &key)));
    assert_eq!(path, key.display().to_string());
    assert!(why.contains("holds no certificate"), "{why}");

    // A certificate in DER rather than PEM.
    let der = dir.path().join("bank-ca.der");
    openssl(
        dir.path(),
        "DER",
        &[
            "x509",
            "-in",
            "bank-ca.pem",
            "-outform",
            "DER",
            "-out",
            "bank-ca.der",
        ],
    );
    let (_, why) = bad_ca_file(Bank::new(with_ca(url, &der)));
    assert!(why.contains("holds no certificate"), "{why}");

    // A PEM block that says CERTIFICATE but holds none.
    let fake = dir.path().join("fake.pem");
    std::fs::write(
        &fake,
        "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    let err = Bank::new(with_ca(url, &fake)).err().unwrap();
    assert!(matches!(err, LinkError::BadCaFile { .. }), "{err:?}");
    assert!(err.to_string().contains("fake.pem"), "{err}");
    assert!(!err.retryable());

    // The real one builds, and the configuration says which file (never the token).
    let ca = dir.path().join("bank-ca.pem");
    let bank = Bank::new(with_ca(url, &ca)).unwrap();
    let debug = format!("{:?}", bank.config());
    assert!(debug.contains("bank-ca.pem"), "{debug}");
    assert!(!debug.contains("the-token"), "{debug}");
}

// ---------------------------------------------------------------------------------------
// A TLS bank

/// A one-answer-per-connection HTTPS server with the given certificate: every request
/// gets `{"ok": true, "authorized": <whether the bearer token came>}`.
fn tls_server(cert: &Path, key: &Path) -> u16 {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_file(key).unwrap();
    let config = Arc::new(
        rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap(),
    );
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let Ok(conn) = rustls::ServerConnection::new(config.clone()) else {
                continue;
            };
            let mut tls = rustls::StreamOwned::new(conn, stream);
            // A client that refuses the certificate ends the handshake: next connection.
            let Some(request) = read_request(&mut tls) else {
                continue;
            };
            let body = format!(
                "{{\"ok\": true, \"authorized\": {}}}",
                request.head.contains("authorization: Bearer the-token")
            );
            let _ = write!(
                tls,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            tls.conn.send_close_notify();
            let _ = tls.flush();
        }
    });
    port
}

#[test]
fn the_bank_s_own_ca_is_trusted_and_only_it() {
    let dir = tempfile::tempdir().unwrap();
    let bank_ca = make_ca(dir.path(), "bank-ca");
    let other_ca = make_ca(dir.path(), "other-ca");
    let (cert, key) = make_server_cert(dir.path(), "bank-ca");
    let port = tls_server(&cert, &key);

    for host in ["localhost", "127.0.0.1"] {
        let url = format!("https://{host}:{port}/");
        let bank = Bank::new(with_ca(&url, &bank_ca)).unwrap();
        let answer = bank.bureau("31508900011235").unwrap();
        assert_eq!(
            answer,
            serde_json::json!({"ok": true, "authorized": true}),
            "{host}"
        );
    }

    let url = format!("https://localhost:{port}/");
    // Another CA's bundle: the bank's certificate is not trusted.
    let err = Bank::new(with_ca(&url, &other_ca))
        .unwrap()
        .bureau("31508900011235")
        .unwrap_err();
    assert!(err.is_offline(), "{err:?}");
    assert!(err.to_string().contains("certificate"), "{err}");
    // Nor by the built-in public roots.
    let err = Bank::new(BankConfig::new(&url, "the-token"))
        .unwrap()
        .bureau("31508900011235")
        .unwrap_err();
    assert!(err.to_string().contains("certificate"), "{err}");
    // A bundle holding both CAs trusts the bank's.
    let both = dir.path().join("both.pem");
    let mut pem = std::fs::read(&other_ca).unwrap();
    pem.extend(std::fs::read(&bank_ca).unwrap());
    std::fs::write(&both, pem).unwrap();
    let answer = Bank::new(with_ca(&url, &both))
        .unwrap()
        .bureau("31508900011235")
        .unwrap();
    assert_eq!(answer["ok"], true);
}

// ---------------------------------------------------------------------------------------
// Redirects

struct Request {
    /// The request line and headers, header names lower-cased.
    head: String,
    body: Vec<u8>,
}

fn read_request(stream: &mut impl Read) -> Option<Request> {
    let mut reader = BufReader::new(stream);
    let mut head = String::new();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        if line == "\r\n" {
            break;
        }
        let line = match line.split_once(':') {
            Some((name, value)) => format!("{}:{value}", name.to_ascii_lowercase()),
            None => line,
        };
        if let Some(v) = line.strip_prefix("content-length:") {
            length = v.trim().parse().ok()?;
        }
        head.push_str(&line);
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Request { head, body })
}

/// A server answering every request with `status` and `Location: location` (`{port}` in
/// it is the server's own port), keeping what it received.
fn redirecting_server(status: &str, location: &str) -> (u16, Arc<Mutex<Vec<Request>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let location = location.replace("{port}", &port.to_string());
    let status = status.to_string();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let kept = seen.clone();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let Some(request) = read_request(&mut stream) else {
                continue;
            };
            // Kept before answering: once the client has the answer, the request is here.
            kept.lock().unwrap().push(request);
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
        }
    });
    (port, seen)
}

fn redirect_of(err: LinkError) -> (u16, String) {
    match err {
        LinkError::Redirected {
            status, location, ..
        } => (status, location),
        e => panic!("expected Redirected, got {e:?}"),
    }
}

#[test]
fn a_redirect_is_refused_naming_where_it_pointed_and_nothing_is_sent_there() {
    // Where the redirect points: a listener that must never see a connection.
    let elsewhere = TcpListener::bind("127.0.0.1:0").unwrap();
    let elsewhere_port = elsewhere.local_addr().unwrap().port();
    let target = format!("http://127.0.0.1:{elsewhere_port}/v1/cases/AUTO-1");
    let (port, seen) = redirecting_server("307 Temporary Redirect", &target);
    let bank = Bank::new(BankConfig::new(&format!("http://127.0.0.1:{port}/"), "t")).unwrap();
    let case_json = r#"{"case_id":"AUTO-1","borrower":"Karimov"}"#;
    let err = bank
        .put_case("AUTO-1", case_json, Some(3), "key-1", None)
        .unwrap_err();
    assert!(!err.retryable(), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("307"), "{message}");
    assert!(message.contains(&target), "{message}");
    assert!(message.contains("follows no redirect"), "{message}");
    assert_eq!(redirect_of(err), (307, target));
    {
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 1, "one request, sent once");
        assert!(seen[0].head.starts_with("PUT /v1/cases/AUTO-1 "));
        assert_eq!(seen[0].body, case_json.as_bytes());
    }
    elsewhere.set_nonblocking(true).unwrap();
    assert_eq!(
        elsewhere.accept().err().map(|e| e.kind()),
        Some(std::io::ErrorKind::WouldBlock),
        "nothing connected to where the redirect pointed"
    );
}

#[test]
fn a_redirect_to_the_same_bank_is_not_followed_either() {
    let (port, seen) = redirecting_server("308 Permanent Redirect", "/moved/v1/cases/AUTO-2");
    let bank = Bank::new(BankConfig::new(&format!("http://127.0.0.1:{port}/"), "t")).unwrap();
    let err = bank
        .put_case("AUTO-2", r#"{"case_id":"AUTO-2"}"#, None, "key-2", None)
        .unwrap_err();
    assert_eq!(
        redirect_of(err),
        (
            308,
            format!("http://127.0.0.1:{port}/moved/v1/cases/AUTO-2")
        )
    );
    // A read too, and a 301 (which a client would follow with a GET).
    let (port301, seen301) = redirecting_server("301 Moved Permanently", "https://bank.example/");
    let bank301 = Bank::new(BankConfig::new(
        &format!("http://127.0.0.1:{port301}/"),
        "t",
    ))
    .unwrap();
    assert_eq!(
        redirect_of(bank301.queue(Some("BXM-07"), None).unwrap_err()),
        (301, "https://bank.example/".to_string())
    );
    assert_eq!(seen.lock().unwrap().len(), 1, "the body was sent once");
    assert_eq!(seen301.lock().unwrap().len(), 1);
}

#[test]
fn a_redirect_without_a_location_says_so() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            if read_request(&mut stream).is_some() {
                let _ = stream.write_all(
                    b"HTTP/1.1 302 Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                );
            }
        }
    });
    let bank = Bank::new(BankConfig::new(&format!("http://127.0.0.1:{port}/"), "t")).unwrap();
    let (status, location) = redirect_of(bank.portfolio().unwrap_err());
    assert_eq!(status, 302);
    assert!(location.contains("no Location"), "{location}");
}

// ---------------------------------------------------------------------------------------
// "Test connection": what failed, told apart

/// A plain HTTP server answering every request with `status` and `body`.
fn answering_server(status: &'static str, body: &'static str) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            if read_request(&mut stream).is_some() {
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        }
    });
    port
}

fn fault_of(config: BankConfig) -> (Fault, String) {
    let err = Bank::new(config).unwrap().test_connection().unwrap_err();
    (err.fault, err.message)
}

#[test]
fn test_connection_says_what_failed() {
    let dir = tempfile::tempdir().unwrap();
    let bank_ca = make_ca(dir.path(), "bank-ca");
    let other_ca = make_ca(dir.path(), "other-ca");
    let (cert, key) = make_server_cert(dir.path(), "bank-ca");
    let tls_port = tls_server(&cert, &key);
    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let unauthorized = answering_server(
        "401 Unauthorized",
        r#"{"code":"UNAUTHORIZED","message":"no"}"#,
    );
    let moved = answering_server("302 Found", "");
    let busy = answering_server(
        "503 Service Unavailable",
        r#"{"code":"BUSY","message":"later"}"#,
    );
    let other_service = answering_server("200 OK", "<html>a web page</html>");
    let plain = answering_server("200 OK", "{}");
    // A bank that takes the connection and never answers.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_port = silent.local_addr().unwrap().port();
    let mut slow = BankConfig::new(&format!("http://127.0.0.1:{silent_port}/"), "t");
    slow.timeout = std::time::Duration::from_secs(1);

    let local = |port: u16| BankConfig::new(&format!("http://127.0.0.1:{port}/"), "t");
    let tls = format!("https://localhost:{tls_port}/");
    let cases: Vec<(&str, BankConfig, Fault, &str)> = vec![
        (
            "unknown host",
            BankConfig::new("https://no-such-host.invalid/", "t"),
            Fault::Dns,
            "no-such-host.invalid",
        ),
        (
            "closed port",
            local(closed),
            Fault::Refused,
            "connection refused",
        ),
        (
            "another CA",
            with_ca(&tls, &other_ca),
            Fault::Tls,
            "certificate",
        ),
        (
            "public roots",
            BankConfig::new(&tls, "t"),
            Fault::Tls,
            "certificate",
        ),
        (
            "no TLS at that port",
            BankConfig::new(&format!("https://127.0.0.1:{plain}/"), "t"),
            Fault::Tls,
            "TLS",
        ),
        ("the token", local(unauthorized), Fault::Unauthorized, "401"),
        ("a redirect", local(moved), Fault::Redirected, "302"),
        ("unavailable", local(busy), Fault::Unavailable, "503"),
        (
            "another service",
            local(other_service),
            Fault::BadAnswer,
            "portfolio",
        ),
        (
            "the right CA, but not the bank's API",
            with_ca(&tls, &bank_ca),
            Fault::BadAnswer,
            "portfolio",
        ),
        ("silence", slow, Fault::Timeout, "within 1 s"),
    ];
    for (what, config, fault, says) in cases {
        let (got, message) = fault_of(config);
        assert_eq!(got, fault, "{what}: {message}");
        assert!(message.contains(says), "{what}: {message}");
        assert!(!message.contains("the-token"), "{what}: {message}");
    }
    drop(silent);
}

#[test]
fn a_ca_bundle_given_as_text_is_checked_and_trusted_like_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let bank_ca = make_ca(dir.path(), "bank-ca");
    let other_ca = make_ca(dir.path(), "other-ca");
    let (cert, key) = make_server_cert(dir.path(), "bank-ca");
    let port = tls_server(&cert, &key);
    let pem = std::fs::read_to_string(&bank_ca).unwrap();
    let both = format!("{}{pem}", std::fs::read_to_string(&other_ca).unwrap());
    assert_eq!(
        uw_bank_link::check_ca_bundle("both.pem", both.as_bytes()).unwrap(),
        2
    );
    for garbage in [
        "",
        "not a certificate",
        "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n",
    ] {
        let err = uw_bank_link::check_ca_bundle("x.pem", garbage.as_bytes()).unwrap_err();
        assert!(
            matches!(&err, LinkError::BadCaFile { path, .. } if path == "x.pem"),
            "{err:?}"
        );
    }

    let mut config = BankConfig::new(&format!("https://localhost:{port}/"), "the-token");
    config.ca_pem = Some(pem);
    // The text wins over a file path, which no longer matters.
    config.ca_file = Some(dir.path().join("gone.pem"));
    let answer = Bank::new(config.clone())
        .unwrap()
        .bureau("31508900011235")
        .unwrap();
    assert_eq!(answer["authorized"], true);
    assert!(
        !format!("{config:?}").contains("BEGIN"),
        "the bundle's length only"
    );
    config.ca_pem = Some(std::fs::read_to_string(&other_ca).unwrap());
    let err = Bank::new(config)
        .unwrap()
        .bureau("31508900011235")
        .unwrap_err();
    assert!(err.to_string().contains("certificate"), "{err}");
}

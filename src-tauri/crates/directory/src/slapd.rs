//! A real OpenLDAP `slapd` on 127.0.0.1 for the tests and the demo (feature `slapd`):
//! Debian's slapd binary, a fresh folder, the directory seeded from an LDIF (the fixture
//! is `tests/fixtures/directory.ldif` of the workspace), plain LDAP on one loopback port
//! and LDAPS (a certificate made for the run, its CA in `ca_file`) on another, StartTLS on
//! the plain port. Stopped (and its folder removed) on drop.
//!
//! - The folder holds `slapd.conf` (mdb, suffix `dc=bank,dc=uz`, a random root password
//!   kept here, the ACLs below), the CA and the server certificate (`openssl`, EC P-256,
//!   for `localhost` and 127.0.0.1), the database (loaded by `slapadd` before the start)
//!   and `slapd.log`.
//! - ACLs: `userPassword` is writable by its owner, usable for binds by anyone, readable
//!   by nobody; everything else is readable by the service account
//!   `cn=uw-reader,ou=services,dc=bank,dc=uz` and by the entry itself; nothing for anyone
//!   else (an anonymous search finds nothing).
//! - slapd runs in the foreground (`-d 0`) as this process's child, behind a small shell
//!   watcher holding a pipe from this process: when this process ends in any way — a
//!   panicking test, a test binary that exits with the server in a static, a `kill` of
//!   `uw-slapd` — the pipe closes and the watcher stops slapd and removes the folder. So
//!   no slapd outlives the process that started it.
//! - Every administrative change goes through LDAP as the root DN, on a thread of its own
//!   (callers may be on an async runtime).
//! - The Debian layout is assumed (`/usr/sbin/slapd`, `/etc/ldap/schema`, modules in
//!   `/usr/lib/ldap`); `UW_SLAPD_BIN`, `UW_SLAPADD_BIN` and `UW_SLAPD_SCHEMA_DIR` override it.

use std::collections::HashSet;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use ldap3::exop::PasswordModify;
use ldap3::result::ExopResult;
use ldap3::{ldap_escape, LdapConn, LdapConnSettings, Mod, Scope, SearchResult};

use crate::{DirectoryConfig, RoleGroups};

/// The fixture's people all have the password `<uid>-demo-2026`.
pub fn fixture_password(uid: &str) -> String {
    format!("{uid}-demo-2026")
}

/// The fixture: `tests/fixtures/directory.ldif` of the workspace.
pub fn fixture_ldif() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../tests/fixtures/directory.ldif")
}

/// The directory's suffix.
pub const SUFFIX: &str = "dc=bank,dc=uz";
/// The administrator of this slapd (its password is random, made for the run).
pub const ROOT_DN: &str = "cn=admin,dc=bank,dc=uz";
/// Where the fixture's people are (the configurations' `base_dn`).
pub const PEOPLE_DN: &str = "ou=people,dc=bank,dc=uz";
/// The fixture's read-only service account.
pub const SERVICE_DN: &str = "cn=uw-reader,ou=services,dc=bank,dc=uz";
pub const SERVICE_PASSWORD: &str = "uw-reader-2026";
pub const UNDERWRITERS_DN: &str = "cn=uw-underwriters,ou=groups,dc=bank,dc=uz";
pub const REVIEWERS_DN: &str = "cn=uw-reviewers,ou=groups,dc=bank,dc=uz";
pub const ADMINISTRATORS_DN: &str = "cn=uw-administrators,ou=groups,dc=bank,dc=uz";
pub const SUPERVISORS_DN: &str = "cn=uw-supervisors,ou=groups,dc=bank,dc=uz";
/// A groupOfNames must keep one member: a group whose last person leaves keeps this one
/// (no entry has this name).
pub const EMPTY_GROUP_MEMBER: &str = "cn=nobody,dc=bank,dc=uz";
/// The disabled filter of the fixture's configurations.
pub const DISABLED_FILTER: &str = "(employeeType=disabled)";

/// How long the server may take to answer on its ports after the start.
const START_WITHIN: Duration = Duration::from_secs(10);
/// How long an administrative operation may take.
const ADMIN_TIMEOUT: Duration = Duration::from_secs(10);

pub struct Slapd {
    dir: tempfile::TempDir,
    ca_file: PathBuf,
    ldap_port: u16,
    ldaps_port: u16,
    root_password: String,
    process: Option<Process>,
}

/// The running slapd and the pipe its watcher reads.
struct Process {
    child: Child,
    watcher: Option<ChildStdin>,
}

impl Slapd {
    /// Starts slapd seeded from `ldif`.
    pub fn start(ldif: &Path) -> Result<Slapd, String> {
        Slapd::start_on(ldif, None, None)
    }

    /// Starts slapd seeded from the fixture.
    pub fn fixture() -> Result<Slapd, String> {
        Slapd::start(&fixture_ldif())
    }

    /// Starts slapd seeded from `ldif` on the given loopback ports (a free one for each
    /// that is `None`).
    pub fn start_on(
        ldif: &Path,
        ldap_port: Option<u16>,
        ldaps_port: Option<u16>,
    ) -> Result<Slapd, String> {
        let dir = tempfile::Builder::new()
            .prefix("uw-slapd-")
            .tempdir()
            .map_err(|e| format!("slapd: cannot make a folder: {e}"))?;
        let root_password = random_hex(16)?;
        make_certificates(dir.path())?;
        std::fs::create_dir(dir.path().join("db"))
            .map_err(|e| format!("slapd: cannot make the database folder: {e}"))?;
        write_conf(dir.path(), &root_password)?;
        load_ldif(dir.path(), ldif)?;

        // Free ports are found by binding port 0; another process may take one before
        // slapd binds it, so a start on chosen ports is tried three times.
        let attempts = if ldap_port.is_some() && ldaps_port.is_some() {
            1
        } else {
            3
        };
        let mut last = String::new();
        for _ in 0..attempts {
            let (a, b) = free_ports()?;
            let (plain, tls) = match (ldap_port, ldaps_port) {
                (Some(plain), Some(tls)) => (plain, tls),
                (Some(plain), None) => (plain, if a == plain { b } else { a }),
                (None, Some(tls)) => (if a == tls { b } else { a }, tls),
                (None, None) => (a, b),
            };
            if plain == tls {
                return Err(format!("slapd: one port {plain} for LDAP and LDAPS"));
            }
            match launch(dir.path(), plain, tls) {
                Ok(process) => {
                    let ca_file = dir.path().join("ca.pem");
                    return Ok(Slapd {
                        dir,
                        ca_file,
                        ldap_port: plain,
                        ldaps_port: tls,
                        root_password,
                        process: Some(process),
                    });
                }
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    /// Plain LDAP on the loopback port, the fixture's service account, groups, branch
    /// attribute and disabled filter.
    pub fn config(&self) -> DirectoryConfig {
        fixture_config(format!("ldap://127.0.0.1:{}", self.ldap_port))
    }

    /// The same over LDAPS, trusting the run's CA.
    pub fn config_ldaps(&self) -> DirectoryConfig {
        DirectoryConfig {
            ca_file: Some(self.ca_file().display().to_string()),
            ..fixture_config(format!("ldaps://localhost:{}", self.ldaps_port))
        }
    }

    /// The same over StartTLS on the plain port, trusting the run's CA.
    pub fn config_starttls(&self) -> DirectoryConfig {
        DirectoryConfig {
            starttls: true,
            ca_file: Some(self.ca_file().display().to_string()),
            ..fixture_config(format!("ldap://localhost:{}", self.ldap_port))
        }
    }

    pub fn ca_file(&self) -> &Path {
        &self.ca_file
    }

    /// The plain LDAP port on 127.0.0.1 (StartTLS too).
    pub fn ldap_port(&self) -> u16 {
        self.ldap_port
    }

    /// The LDAPS port on 127.0.0.1.
    pub fn ldaps_port(&self) -> u16 {
        self.ldaps_port
    }

    /// The run's root password (of [`ROOT_DN`]).
    pub fn root_password(&self) -> &str {
        &self.root_password
    }

    /// Marks the account disabled (what the configured disabled filter matches).
    pub fn disable(&self, uid: &str) -> Result<(), String> {
        let uid = uid.to_owned();
        self.as_root(move |conn| {
            let dn = dn_of(conn, &uid)?;
            let mods = vec![Mod::Replace("employeeType", HashSet::from(["disabled"]))];
            modify(conn, &dn, mods, &[])
        })
    }

    /// Gives the person a second login name (another value of `uid`).
    pub fn add_login_name(&self, uid: &str, other: &str) -> Result<(), String> {
        let (uid, other) = (uid.to_owned(), other.to_owned());
        self.as_root(move |conn| {
            let dn = dn_of(conn, &uid)?;
            let mods = vec![Mod::Add("uid", HashSet::from([other.as_str()]))];
            modify(conn, &dn, mods, &[])
        })
    }

    pub fn enable(&self, uid: &str) -> Result<(), String> {
        let uid = uid.to_owned();
        self.as_root(move |conn| {
            let dn = dn_of(conn, &uid)?;
            modify(
                conn,
                &dn,
                vec![Mod::Replace("employeeType", HashSet::new())],
                &[],
            )
        })
    }

    /// Deletes the person's entry (and their group memberships).
    pub fn remove(&self, uid: &str) -> Result<(), String> {
        let uid = uid.to_owned();
        self.as_root(move |conn| {
            let dn = dn_of(conn, &uid)?;
            for group in [UNDERWRITERS_DN, REVIEWERS_DN, ADMINISTRATORS_DN] {
                leave_group(conn, group, &dn)?;
            }
            let result = conn
                .with_timeout(ADMIN_TIMEOUT)
                .delete(&dn)
                .map_err(|e| format!("slapd: delete {dn}: {e}"))?;
            if result.rc != 0 {
                return Err(format!("slapd: delete {dn}: {result}"));
            }
            Ok(())
        })
    }

    /// Sets the person's password as the directory's administrator would.
    pub fn set_password(&self, uid: &str, password: &str) -> Result<(), String> {
        let uid = uid.to_owned();
        let password = password.to_owned();
        self.as_root(move |conn| {
            let dn = dn_of(conn, &uid)?;
            let ExopResult(_, result) = conn
                .with_timeout(ADMIN_TIMEOUT)
                .extended(PasswordModify {
                    user_id: Some(&dn),
                    old_pass: None,
                    new_pass: Some(&password),
                })
                .map_err(|e| format!("slapd: password of {dn}: {e}"))?;
            if result.rc != 0 {
                return Err(format!("slapd: password of {dn}: {result}"));
            }
            Ok(())
        })
    }

    /// Adds the person to (or removes them from) a role's group: `underwriter`, `supervisor`,
    /// `reviewer` or `administrator`.
    pub fn set_role(&self, uid: &str, role: &str, member: bool) -> Result<(), String> {
        let group = match role {
            "underwriter" => UNDERWRITERS_DN,
            "reviewer" => REVIEWERS_DN,
            "administrator" => ADMINISTRATORS_DN,
            "supervisor" => SUPERVISORS_DN,
            other => {
                return Err(format!(
                    "slapd: no role {other:?} (underwriter, reviewer, administrator, supervisor)"
                ))
            }
        };
        let uid = uid.to_owned();
        self.as_root(move |conn| {
            let dn = dn_of(conn, &uid)?;
            if member {
                // 20: already a member.
                modify(
                    conn,
                    group,
                    vec![Mod::Add("member", HashSet::from([dn.as_str()]))],
                    &[20],
                )
            } else {
                leave_group(conn, group, &dn)
            }
        })
    }

    /// Stops the server (the directory becomes unreachable); its data stays until drop.
    pub fn stop(&mut self) {
        // Dropping the process stops it.
        self.process = None;
    }

    /// Starts it again on the same ports, with the same data.
    pub fn restart(&mut self) -> Result<(), String> {
        self.stop();
        self.process = Some(launch(self.dir.path(), self.ldap_port, self.ldaps_port)?);
        Ok(())
    }

    /// Waits until slapd ends (the `uw-slapd` binary's foreground); an error says why it
    /// ended.
    pub fn wait(&mut self) -> Result<(), String> {
        let Some(process) = self.process.as_mut() else {
            return Err("slapd is not running".into());
        };
        let status = process.child.wait();
        self.process = None;
        match status {
            Ok(status) => Err(format!(
                "slapd ended ({status}): {}",
                log_tail(self.dir.path())
            )),
            Err(e) => Err(format!("slapd: cannot wait for it: {e}")),
        }
    }

    /// Runs `f` on a connection bound as the root DN, on a thread of its own.
    fn as_root<F>(&self, f: F) -> Result<(), String>
    where
        F: FnOnce(&mut LdapConn) -> Result<(), String> + Send + 'static,
    {
        let url = format!("ldap://127.0.0.1:{}", self.ldap_port);
        let password = self.root_password.clone();
        thread::spawn(move || {
            let settings = LdapConnSettings::new().set_conn_timeout(ADMIN_TIMEOUT);
            let mut conn = LdapConn::with_settings(settings, &url)
                .map_err(|e| format!("slapd: cannot connect to {url}: {e}"))?;
            let result = conn
                .with_timeout(ADMIN_TIMEOUT)
                .simple_bind(ROOT_DN, &password)
                .map_err(|e| format!("slapd: bind as {ROOT_DN}: {e}"))?;
            if result.rc != 0 {
                return Err(format!("slapd: bind as {ROOT_DN}: {result}"));
            }
            let outcome = f(&mut conn);
            let _ = conn.unbind();
            outcome
        })
        .join()
        .unwrap_or_else(|_| Err("slapd: the administrative call panicked".into()))
    }
}

impl Drop for Slapd {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Stopping: SIGTERM (slapd closes its database cleanly), SIGKILL after 5 s; the watcher
/// is told first, so that it neither signals nor removes anything. A slapd that already
/// ended is only reaped.
impl Drop for Process {
    fn drop(&mut self) {
        if let Some(mut watcher) = self.watcher.take() {
            let _ = watcher.write_all(b"stop\n");
            let _ = watcher.flush();
        }
        if let Ok(None) = self.child.try_wait() {
            let _ = Command::new("sh")
                .args(["-c", "kill -TERM \"$1\" 2>/dev/null", "sh"])
                .arg(self.child.id().to_string())
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
            let asked = Instant::now();
            while asked.elapsed() < Duration::from_secs(5) {
                if !matches!(self.child.try_wait(), Ok(None)) {
                    return;
                }
                thread::sleep(Duration::from_millis(10));
            }
        }
        // Signals nothing when the child's end is already known.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The watcher, then slapd in its place (same process: the child this process holds):
/// the watcher reads the pipe on fd 3; at its end (this process is gone) it stops slapd and
/// removes the folder; a line `stop` ends it quietly.
const WATCHED: &str = r#"dir=$1; shift
exec 3<&0 </dev/null
(
  # Running, and not a zombie nobody reaps (state Z in /proc).
  alive() {
    kill -0 "$1" 2>/dev/null || return 1
    state=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null) || return 0
    [ "$state" != Z ]
  }
  while read -r line <&3; do
    if [ "$line" = stop ]; then exit 0; fi
  done
  kill -TERM "$$" 2>/dev/null
  n=0
  while alive "$$" && [ "$n" -lt 100 ]; do
    n=$((n + 1))
    if [ "$n" -eq 50 ]; then kill -KILL "$$" 2>/dev/null; fi
    sleep 0.1
  done
  rm -rf "$dir"
) &
exec "$@" 3<&-
"#;

/// Starts slapd on the folder's configuration and waits until both ports answer.
fn launch(dir: &Path, ldap_port: u16, ldaps_port: u16) -> Result<Process, String> {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("slapd.log"))
        .map_err(|e| format!("slapd: cannot open its log: {e}"))?;
    let log_err = log
        .try_clone()
        .map_err(|e| format!("slapd: cannot open its log: {e}"))?;
    let urls = format!("ldap://127.0.0.1:{ldap_port}/ ldaps://127.0.0.1:{ldaps_port}/");
    let mut child = Command::new("sh")
        .args(["-c", WATCHED, "sh"])
        .arg(dir)
        .arg(slapd_bin())
        .arg("-f")
        .arg(dir.join("slapd.conf"))
        .args(["-h", &urls, "-d", "0"])
        .stdin(Stdio::piped())
        .stdout(log)
        .stderr(log_err)
        .spawn()
        .map_err(|e| format!("slapd: cannot start sh: {e}"))?;
    let watcher = child.stdin.take();
    let mut process = Process { child, watcher };
    let started = Instant::now();
    loop {
        if let Ok(Some(status)) = process.child.try_wait() {
            drop(process);
            return Err(format!(
                "slapd ended at its start ({status}): {}",
                log_tail(dir)
            ));
        }
        // A port that accepts may be another listener's that took the free port before
        // slapd could (slapd then ends): slapd's start is its answer in LDAP.
        if answers(ldap_port) && answers(ldaps_port) && speaks_ldap(ldap_port) {
            return Ok(process);
        }
        if started.elapsed() > START_WITHIN {
            drop(process);
            return Err(format!(
                "slapd did not answer on 127.0.0.1:{ldap_port} and :{ldaps_port} within {} s: {}",
                START_WITHIN.as_secs(),
                log_tail(dir)
            ));
        }
        thread::sleep(Duration::from_millis(20));
    }
}

/// Whether an anonymous bind on the port gets an LDAP answer (on a thread of its own: the
/// client runs a runtime, and the caller may be on one).
fn speaks_ldap(port: u16) -> bool {
    let url = format!("ldap://127.0.0.1:{port}");
    thread::spawn(move || {
        let wait = Duration::from_millis(500);
        let settings = LdapConnSettings::new().set_conn_timeout(wait);
        let Ok(mut conn) = LdapConn::with_settings(settings, &url) else {
            return false;
        };
        let answered = conn.with_timeout(wait).simple_bind("", "").is_ok();
        let _ = conn.unbind();
        answered
    })
    .join()
    .unwrap_or(false)
}

fn answers(port: u16) -> bool {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok()
}

/// Two distinct free loopback ports (both held while the second is found).
fn free_ports() -> Result<(u16, u16), String> {
    let bind = || {
        TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(|e| format!("slapd: no free port: {e}"))
    };
    let port = |l: &TcpListener| {
        l.local_addr()
            .map(|a| a.port())
            .map_err(|e| format!("slapd: no free port: {e}"))
    };
    let first = bind()?;
    let second = bind()?;
    Ok((port(&first)?, port(&second)?))
}

fn slapd_bin() -> String {
    std::env::var("UW_SLAPD_BIN").unwrap_or_else(|_| "/usr/sbin/slapd".into())
}

fn slapadd_bin() -> String {
    std::env::var("UW_SLAPADD_BIN").unwrap_or_else(|_| "/usr/sbin/slapadd".into())
}

fn schema_dir() -> PathBuf {
    std::env::var_os("UW_SLAPD_SCHEMA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/etc/ldap/schema"))
}

/// The last lines slapd (or slapadd) wrote.
fn log_tail(dir: &Path) -> String {
    let text = std::fs::read_to_string(dir.join("slapd.log")).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let tail = lines[lines.len().saturating_sub(8)..].join(" | ");
    if tail.is_empty() {
        "(nothing in its log)".into()
    } else {
        tail
    }
}

fn random_hex(bytes: usize) -> Result<String, String> {
    let mut buf = vec![0u8; bytes];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut buf))
        .map_err(|e| format!("slapd: no random bytes: {e}"))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// Runs a helper program, its error output in the message when it fails.
fn run_tool(what: &str, command: &mut Command) -> Result<(), String> {
    let output = command
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("slapd: cannot run {what}: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "slapd: {what} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

/// A CA and a server certificate for `localhost` and 127.0.0.1 signed by it (EC P-256,
/// valid two days).
fn make_certificates(dir: &Path) -> Result<(), String> {
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName = DNS:localhost, IP:127.0.0.1\n\
         basicConstraints = critical, CA:FALSE\n\
         keyUsage = critical, digitalSignature\n\
         extendedKeyUsage = serverAuth\n",
    )
    .map_err(|e| format!("slapd: cannot write the certificate extensions: {e}"))?;
    let openssl = || {
        let mut c = Command::new("openssl");
        c.current_dir(dir);
        c
    };
    run_tool(
        "openssl (the CA)",
        openssl().args([
            "req",
            "-x509",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=uw-directory test CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ]),
    )?;
    run_tool(
        "openssl (the server key)",
        openssl().args([
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
        ]),
    )?;
    run_tool(
        "openssl (the server certificate)",
        openssl().args([
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "2",
            "-extfile",
            "server.ext",
        ]),
    )
}

fn write_conf(dir: &Path, root_password: &str) -> Result<(), String> {
    let schema = schema_dir();
    let modules = Path::new("/usr/lib/ldap");
    let module_lines =
        if modules.join("back_mdb.la").exists() || modules.join("back_mdb.so").exists() {
            "modulepath /usr/lib/ldap\nmoduleload back_mdb\n"
        } else {
            ""
        };
    let d = dir.display();
    let s = schema.display();
    let conf = format!(
        r#"# Made by uw-directory's slapd harness for one run.
include "{s}/core.schema"
include "{s}/cosine.schema"
include "{s}/inetorgperson.schema"
{module_lines}pidfile "{d}/slapd.pid"
argsfile "{d}/slapd.args"
threads 4
TLSCACertificateFile "{d}/ca.pem"
TLSCertificateFile "{d}/server.pem"
TLSCertificateKeyFile "{d}/server.key"

database mdb
maxsize 16777216
suffix "{SUFFIX}"
rootdn "{ROOT_DN}"
rootpw "{root_password}"
directory "{d}/db"
index objectClass eq
index uid eq
index member eq

# Passwords: changed by their owner, used for binds, read by nobody.
access to attrs=userPassword
  by self write
  by anonymous auth
  by * none
# The rest: the service account and the entry itself read it; nobody else sees anything.
access to *
  by dn.exact="{SERVICE_DN}" read
  by self read
  by * none
"#
    );
    std::fs::write(dir.join("slapd.conf"), conf)
        .map_err(|e| format!("slapd: cannot write slapd.conf: {e}"))
}

fn load_ldif(dir: &Path, ldif: &Path) -> Result<(), String> {
    if !ldif.is_file() {
        return Err(format!("slapd: no LDIF at {}", ldif.display()));
    }
    run_tool(
        "slapadd",
        Command::new(slapadd_bin())
            .arg("-q")
            .arg("-f")
            .arg(dir.join("slapd.conf"))
            .arg("-l")
            .arg(ldif),
    )
}

fn fixture_config(url: String) -> DirectoryConfig {
    DirectoryConfig {
        url,
        starttls: false,
        ca_file: None,
        base_dn: PEOPLE_DN.into(),
        user_attribute: "uid".into(),
        user_object_class: "inetOrgPerson".into(),
        display_name_attribute: "displayName".into(),
        branch_attribute: "departmentNumber".into(),
        service_dn: Some(SERVICE_DN.into()),
        service_password: Some(SERVICE_PASSWORD.into()),
        groups: RoleGroups {
            underwriter: UNDERWRITERS_DN.into(),
            reviewer: REVIEWERS_DN.into(),
            administrator: ADMINISTRATORS_DN.into(),
            supervisor: Some(SUPERVISORS_DN.into()),
        },
        disabled_filter: Some(DISABLED_FILTER.into()),
        timeout_ms: 3_000,
        offline_hours: 72,
    }
}

/// The DN of the person whose `uid` is `uid`.
fn dn_of(conn: &mut LdapConn, uid: &str) -> Result<String, String> {
    let SearchResult(entries, result) = conn
        .with_timeout(ADMIN_TIMEOUT)
        .search(
            SUFFIX,
            Scope::Subtree,
            &format!("(uid={})", ldap_escape(uid)),
            vec!["1.1"],
        )
        .map_err(|e| format!("slapd: search for {uid}: {e}"))?;
    if result.rc != 0 {
        return Err(format!("slapd: search for {uid}: {result}"));
    }
    let mut dns = Vec::new();
    for entry in entries {
        if let Some(dn) = crate::client::entry_dn(entry.0) {
            dns.push(dn);
        }
    }
    match dns.as_slice() {
        [dn] => Ok(dn.clone()),
        [] => Err(format!("slapd: no person {uid}")),
        _ => Err(format!("slapd: several people {uid}")),
    }
}

/// A modify whose result codes in `fine` count as done.
fn modify(conn: &mut LdapConn, dn: &str, mods: Vec<Mod<&str>>, fine: &[u32]) -> Result<(), String> {
    let result = conn
        .with_timeout(ADMIN_TIMEOUT)
        .modify(dn, mods)
        .map_err(|e| format!("slapd: modify {dn}: {e}"))?;
    if result.rc == 0 || fine.contains(&result.rc) {
        Ok(())
    } else {
        Err(format!("slapd: modify {dn}: {result}"))
    }
}

/// Takes `member` out of `group`; the group's last member is replaced by
/// [`EMPTY_GROUP_MEMBER`] (a groupOfNames keeps one).
fn leave_group(conn: &mut LdapConn, group: &str, member: &str) -> Result<(), String> {
    let leave = || vec![Mod::Delete("member", HashSet::from([member]))];
    let result = conn
        .with_timeout(ADMIN_TIMEOUT)
        .modify(group, leave())
        .map_err(|e| format!("slapd: modify {group}: {e}"))?;
    match result.rc {
        // 16: not a member.
        0 | 16 => Ok(()),
        // 65: the last member (objectClassViolation).
        65 => {
            let mut mods = vec![Mod::Add("member", HashSet::from([EMPTY_GROUP_MEMBER]))];
            mods.extend(leave());
            modify(conn, group, mods, &[])
        }
        _ => Err(format!("slapd: modify {group}: {result}")),
    }
}

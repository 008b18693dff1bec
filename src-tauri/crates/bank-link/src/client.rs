//! The blocking HTTP client of the bank's API: rustls, a bearer token, a timeout on every
//! call and a cap on every answer. Each call is one request; what to retry and when is
//! the caller's decision, told by [`LinkError::retryable`].

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::blocking::{Client, RequestBuilder, Response};
use reqwest::{StatusCode, Url};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::api::{
    self, AnchoredHead, ApiError, AuditHead, CaseAck, CaseMessage, Enrolment, IdentityAnswer,
    MessageAck, OfficialIncome, PledgeStatus, Portfolio, Queue, SignOff, SignOffAck,
    SignedStatement, StaffKey, VersionMismatch, IDEMPOTENCY_KEY,
};

#[derive(Clone)]
pub struct BankConfig {
    /// The bank's base address, such as `http://127.0.0.1:8480/`.
    pub url: String,
    pub token: String,
    pub connect_timeout: Duration,
    /// For the whole call: connecting, sending and reading the whole answer, so that an
    /// answer dripping in byte by byte ends too.
    pub timeout: Duration,
    /// The largest answer read; a larger one is refused rather than held in memory.
    pub max_body: usize,
    /// The bank's own certificate authorities (a PEM bundle). When set, these are the
    /// only roots trusted for the bank — instead of the built-in public ones, so a
    /// certificate any public CA issued for the bank's host is refused (a pin to the
    /// bank's PKI). `None`: the built-in roots (webpki-roots).
    pub ca_file: Option<PathBuf>,
    /// The same bundle as its PEM text, read and checked beforehand (the workstation's
    /// settings keep the text, encrypted, rather than a path to a file that could change
    /// under it); when set it is used instead of `ca_file`.
    pub ca_pem: Option<String>,
}

/// Everything but the token, which a log or a panic never shows.
impl std::fmt::Debug for BankConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BankConfig")
            .field("url", &self.url)
            .field("token", &"…")
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("max_body", &self.max_body)
            .field("ca_file", &self.ca_file)
            .field("ca_pem", &self.ca_pem.as_ref().map(|p| p.len()))
            .finish()
    }
}

impl BankConfig {
    pub fn new(url: &str, token: &str) -> BankConfig {
        BankConfig {
            url: url.to_string(),
            token: token.to_string(),
            connect_timeout: Duration::from_secs(3),
            timeout: Duration::from_secs(15),
            max_body: 16 * 1024 * 1024,
            ca_file: None,
            ca_pem: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum LinkError {
    #[error(
        "the bank's address {0:?} is not a valid https address (plain http only to this computer)"
    )]
    BadAddress(String),
    /// The bank's CA file (`BankConfig::ca_file`) does not read or holds no usable
    /// certificate.
    #[error("the bank's CA file {path}: {why}")]
    BadCaFile { path: String, why: String },
    /// The bank answered with a redirect, which the workstation never follows: case files
    /// and passwords would travel on to wherever it points.
    #[error("the bank answered {what} with {status}, pointing to {location}; the workstation follows no redirect: check the bank's address in the settings")]
    Redirected {
        what: String,
        status: u16,
        location: String,
    },
    #[error("the bank cannot be reached ({0})")]
    Offline(String),
    #[error("the bank did not answer within {0} s")]
    Timeout(u64),
    #[error("the bank refused the token (401): check the bank token in the settings")]
    Unauthorized,
    #[error("the bank is unavailable ({status}: {message})")]
    Unavailable { status: u16, message: String },
    #[error("the bank refused the request ({status} {code}: {message})")]
    Rejected {
        status: u16,
        code: String,
        message: String,
    },
    #[error("the bank holds another version of case {} (version {})", .0.current.case_id, .0.current.version)]
    Conflict(Box<VersionMismatch>),
    #[error("the bank's answer to {what} is not what the API promises: {message}")]
    BadResponse { what: String, message: String },
}

impl LinkError {
    /// Worth sending again, unchanged, later: the network, a timeout, a busy or broken
    /// bank. A refusal, a bad token or a conflict will not change by repeating.
    pub fn retryable(&self) -> bool {
        matches!(
            self,
            LinkError::Offline(_)
                | LinkError::Timeout(_)
                | LinkError::Unavailable { .. }
                | LinkError::BadResponse { .. }
        )
    }

    /// The bank could not be reached at all (as opposed to answering badly).
    pub fn is_offline(&self) -> bool {
        matches!(self, LinkError::Offline(_) | LinkError::Timeout(_))
    }
}

impl LinkError {
    /// What kind of failure, as the log says it (never the message, which may quote the
    /// request).
    pub fn kind(&self) -> &'static str {
        match self {
            LinkError::BadAddress(_) => "bad_address",
            LinkError::BadCaFile { .. } => "bad_ca_file",
            LinkError::Redirected { .. } => "redirected",
            LinkError::Offline(_) => "offline",
            LinkError::Timeout(_) => "timeout",
            LinkError::Unauthorized => "unauthorized",
            LinkError::Unavailable { .. } => "unavailable",
            LinkError::Rejected { .. } => "rejected",
            LinkError::Conflict(_) => "conflict",
            LinkError::BadResponse { .. } => "bad_answer",
        }
    }
}

pub type Result<T, E = LinkError> = std::result::Result<T, E>;

mod probe;
pub use probe::{ConnectionFailure, Fault};
/// The API's resources, the words of its paths after `/v1/`.
const RESOURCES: &[&str] = &[
    "cases",
    "staff",
    "audit-heads",
    "queue",
    "inbox",
    "portfolio",
    "pledges",
    "income",
    "identity",
    "bureau",
];
/// The words that follow a resource's id (`/cases/{id}/messages`, `/staff/{id}/keys/current`).
const SUB_RESOURCES: &[&str] = &["messages", "signoffs", "keys", "current", "requests"];

/// A call's path as the log shows it: the API's words and the ids of cases, staff and
/// workstations kept; the segment that names a person (a PINFL: `/identity/{pinfl}`,
/// `/bureau/{pinfl}`, `/income/{pinfl}`) or a car (`/pledges/{vin}`) replaced by its
/// parameter's name; any word the API does not have replaced too; the query (which carries
/// a document number) dropped.
fn log_path(url: &Url) -> String {
    let segments: Vec<&str> = url
        .path_segments()
        .map(Iterator::collect)
        .unwrap_or_default();
    let start = segments
        .iter()
        .position(|s| *s == "v1")
        .map_or(0, |i| i + 1);
    let rest = segments.get(start..).unwrap_or_default();
    let resource = rest.first().copied().filter(|r| RESOURCES.contains(r));
    let mut path = String::from("/v1");
    for (i, segment) in rest.iter().enumerate() {
        let shown = match (i, resource) {
            (0, Some(r)) => r,
            (0, None) => "{resource}",
            (1, Some("cases" | "staff" | "audit-heads")) => segment,
            (1, Some("identity" | "bureau" | "income")) => "{pinfl}",
            (1, Some("pledges")) => "{vin}",
            (_, _) if i >= 2 && SUB_RESOURCES.contains(segment) => segment,
            _ => "{id}",
        };
        path.push('/');
        path.push_str(shown);
    }
    path
}

pub struct Bank {
    client: Client,
    base: Url,
    config: BankConfig,
}

impl Bank {
    /// Builds the client. Must not be called on an async runtime's thread (the blocking
    /// client runs its own).
    pub fn new(config: BankConfig) -> Result<Bank> {
        let mut base =
            Url::parse(config.url.trim()).map_err(|_| LinkError::BadAddress(config.url.clone()))?;
        // Case files, statements and a person's password at enrolment travel here: plain
        // http only to a loopback address (the simulator, a local proxy).
        let loopback = match base.host() {
            Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        };
        let scheme_ok = base.scheme() == "https" || (base.scheme() == "http" && loopback);
        if !scheme_ok || base.cannot_be_a_base() {
            return Err(LinkError::BadAddress(config.url.clone()));
        }
        if !base.path().ends_with('/') {
            let p = format!("{}/", base.path());
            base.set_path(&p);
        }
        let mut builder = Client::builder()
            .use_rustls_tls()
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            .pool_max_idle_per_host(8)
            // A redirect would carry the request (its body, case files and passwords
            // included) on to another address: never followed, it becomes
            // `LinkError::Redirected`.
            .redirect(reqwest::redirect::Policy::none());
        let roots = match (&config.ca_pem, &config.ca_file) {
            (Some(pem), _) => Some((
                STORED_CA.to_string(),
                ca_certificates(STORED_CA, pem.as_bytes())?,
            )),
            (None, Some(path)) => Some((path.display().to_string(), load_ca_file(path)?)),
            (None, None) => None,
        };
        if let Some((_, certs)) = &roots {
            // Instead of the built-in roots, not in addition: see `BankConfig::ca_file`.
            builder = builder.tls_built_in_root_certs(false);
            for cert in certs {
                builder = builder.add_root_certificate(cert.clone());
            }
        }
        let client = builder.build().map_err(|e| match &roots {
            // The certificates are parsed here (a PEM block whose content is no
            // certificate fails now).
            Some((name, _)) => bad_ca(name, root_cause(&e)),
            None => LinkError::Offline(e.to_string()),
        })?;
        Ok(Bank {
            client,
            base,
            config,
        })
    }

    pub fn config(&self) -> &BankConfig {
        &self.config
    }

    fn url(&self, segments: &[&str], query: &[(&str, &str)]) -> Url {
        let mut url = self.base.join("v1/").unwrap_or_else(|_| self.base.clone());
        if let Ok(mut p) = url.path_segments_mut() {
            p.pop_if_empty().extend(segments);
        }
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        url
    }

    /// One call, and its line in the workstation's log.
    fn send<T: DeserializeOwned>(&self, what: &str, req: RequestBuilder) -> Result<T> {
        let started = std::time::Instant::now();
        let req = self
            .authorized(req)
            .build()
            .map_err(|e| self.transport(e))?;
        let method = req.method().clone();
        let path = log_path(req.url());
        let mut status = None;
        let result = self.exchange(what, req, started, &mut status);
        let ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let outcome = result.as_ref().err().map_or("ok", LinkError::kind);
        let status = status.map_or(0, |s| s.as_u16());
        if result.is_ok() {
            tracing::info!(target: "uw", event = "bank_call", method = %method, path, status, ms, outcome);
        } else {
            tracing::warn!(target: "uw", event = "bank_call", method = %method, path, status, ms, outcome);
        }
        result
    }

    fn exchange<T: DeserializeOwned>(
        &self,
        what: &str,
        req: reqwest::blocking::Request,
        started: std::time::Instant,
        answered: &mut Option<StatusCode>,
    ) -> Result<T> {
        let resp = self.client.execute(req).map_err(|e| self.transport(e))?;
        *answered = Some(resp.status());
        self.answer(what, resp, started)
    }

    fn authorized(&self, req: RequestBuilder) -> RequestBuilder {
        req.bearer_auth(&self.config.token)
            .header("Accept", "application/json")
    }

    /// An answer as the API's type, or the refusal it carries.
    fn answer<T: DeserializeOwned>(
        &self,
        what: &str,
        resp: Response,
        started: std::time::Instant,
    ) -> Result<T> {
        let status = resp.status();
        if status.is_redirection() {
            return Err(redirected(what, &resp));
        }
        let body = self.read_body(what, resp, started)?;
        if status.is_success() {
            return serde_json::from_slice(&body).map_err(|e| LinkError::BadResponse {
                what: what.to_string(),
                message: format!("{e} (status {status})"),
            });
        }
        Err(self.failure(what, status, &body))
    }

    fn transport(&self, e: reqwest::Error) -> LinkError {
        if e.is_timeout() {
            LinkError::Timeout(self.config.timeout.as_secs().max(1))
        } else if e.is_connect() {
            LinkError::Offline(root_cause(&e))
        } else {
            // The connection broke after the request left: the bank may have acted on it.
            LinkError::Offline(format!("the connection broke: {}", root_cause(&e)))
        }
    }

    /// Reads the whole answer, at most `max_body` bytes, by the call's deadline. (The
    /// blocking client's timeout bounds each read, so an answer dripping in a byte at a
    /// time would otherwise never end.)
    fn read_body(
        &self,
        what: &str,
        mut resp: Response,
        started: std::time::Instant,
    ) -> Result<Vec<u8>> {
        let limit = self.config.max_body;
        let timeout = LinkError::Timeout(self.config.timeout.as_secs().max(1));
        let mut body = Vec::new();
        let mut chunk = [0u8; 16 * 1024];
        loop {
            if started.elapsed() > self.config.timeout {
                return Err(timeout);
            }
            match resp.read(&mut chunk) {
                Ok(0) => return Ok(body),
                Ok(n) if body.len() + n > limit => {
                    return Err(LinkError::BadResponse {
                        what: what.to_string(),
                        message: format!("the answer is larger than {} MiB", limit / (1024 * 1024)),
                    })
                }
                Ok(n) => body.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) if is_timeout(&e) => return Err(timeout),
                Err(e) => {
                    return Err(LinkError::BadResponse {
                        what: what.to_string(),
                        message: format!("the answer broke off after {} bytes ({e})", body.len()),
                    })
                }
            }
        }
    }

    fn failure(&self, what: &str, status: StatusCode, body: &[u8]) -> LinkError {
        if status == StatusCode::PRECONDITION_FAILED {
            return match serde_json::from_slice::<VersionMismatch>(body) {
                Ok(m) => LinkError::Conflict(Box::new(m)),
                Err(e) => LinkError::BadResponse {
                    what: what.to_string(),
                    message: format!("a 412 without the bank's version ({e})"),
                },
            };
        }
        if status == StatusCode::UNAUTHORIZED {
            return LinkError::Unauthorized;
        }
        let err: ApiError = serde_json::from_slice(body).unwrap_or_else(|_| ApiError {
            code: "UNKNOWN".into(),
            message: String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned(),
        });
        if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
            LinkError::Unavailable {
                status: status.as_u16(),
                message: err.message,
            }
        } else {
            LinkError::Rejected {
                status: status.as_u16(),
                code: err.code,
                message: err.message,
            }
        }
    }

    fn json<B: Serialize>(&self, req: RequestBuilder, body: &B) -> Result<RequestBuilder> {
        let bytes = serde_json::to_vec(body).map_err(|e| LinkError::BadResponse {
            what: "the request".into(),
            message: e.to_string(),
        })?;
        Ok(req.header("Content-Type", "application/json").body(bytes))
    }

    /// Sends a case version with its author's signed statement (none from a standalone
    /// workstation). `base` is the bank's version this one was made from (`If-Match`);
    /// `None` creates the case (`If-None-Match: *`). A version the bank no longer holds is
    /// [`LinkError::Conflict`] with the bank's current case.
    pub fn put_case(
        &self,
        case_id: &str,
        case_json: &str,
        base: Option<i64>,
        key: &str,
        statement: Option<&SignedStatement>,
    ) -> Result<CaseAck> {
        self.put_case_with(case_id, case_json, base, key, statement, None, None)
    }

    /// [`Bank::put_case`] with the maker's justification of a `submit`
    /// (`UW-Justification`, base64 of the UTF-8 text) and proposal (`UW-Proposal`).
    #[allow(clippy::too_many_arguments)]
    pub fn put_case_with(
        &self,
        case_id: &str,
        case_json: &str,
        base: Option<i64>,
        key: &str,
        statement: Option<&SignedStatement>,
        justification: Option<&str>,
        proposal: Option<&str>,
    ) -> Result<CaseAck> {
        let mut req = self
            .client
            .put(self.url(&["cases", case_id], &[]))
            .header(IDEMPOTENCY_KEY, key)
            .header("Content-Type", "application/json")
            .body(case_json.to_string());
        if let Some(s) = statement {
            let json = serde_json::to_vec(s).map_err(|e| LinkError::BadResponse {
                what: "the request".into(),
                message: e.to_string(),
            })?;
            req = req.header(api::STATEMENT_HEADER, crate::signing::to_base64(&json));
        }
        if let Some(j) = justification {
            req = req.header(
                api::JUSTIFICATION_HEADER,
                crate::signing::to_base64(j.as_bytes()),
            );
        }
        if let Some(p) = proposal {
            req = req.header(api::PROPOSAL_HEADER, p);
        }
        req = match base {
            Some(v) => req.header("If-Match", api::etag(v)),
            None => req.header("If-None-Match", "*"),
        };
        self.send(&format!("case {case_id}"), req)
    }

    pub fn get_case(&self, case_id: &str) -> Result<api::RemoteCase> {
        self.send(
            &format!("case {case_id}"),
            self.client.get(self.url(&["cases", case_id], &[])),
        )
    }

    /// A change POSTed as JSON under its Idempotency-Key.
    fn post_change<B: Serialize, T: DeserializeOwned>(
        &self,
        what: &str,
        segments: &[&str],
        body: &B,
        key: &str,
    ) -> Result<T> {
        let req = self
            .client
            .post(self.url(segments, &[]))
            .header(IDEMPOTENCY_KEY, key);
        self.send(what, self.json(req, body)?)
    }

    pub fn post_message(&self, case_id: &str, msg: &CaseMessage, key: &str) -> Result<MessageAck> {
        self.post_change(
            &format!("the {} of case {case_id}", msg.kind.as_str()),
            &["cases", case_id, "messages"],
            msg,
            key,
        )
    }

    /// A checker's signed sign-off of a submitted version.
    pub fn sign_off(&self, case_id: &str, signoff: &SignOff, key: &str) -> Result<SignOffAck> {
        self.post_change(
            &format!("the sign-off of case {case_id}"),
            &["cases", case_id, "signoffs"],
            signoff,
            key,
        )
    }

    /// A note on a case; the bank keeps it once by its id.
    pub fn post_note(
        &self,
        case_id: &str,
        note: &api::CaseNote,
        key: &str,
    ) -> Result<api::RemoteNote> {
        self.post_change(
            &format!("a note on case {case_id}"),
            &["cases", case_id, "notes"],
            note,
            key,
        )
    }

    /// An act on a condition of the approval; the bank answers the condition as it keeps
    /// it.
    pub fn post_condition(
        &self,
        case_id: &str,
        act: &api::ConditionAct,
        key: &str,
    ) -> Result<api::RemoteCondition> {
        self.post_change(
            &format!("a condition on case {case_id}"),
            &["cases", case_id, "conditions"],
            act,
            key,
        )
    }

    /// Who works a case: a claim or a supervisor's reassignment.
    pub fn post_assignment(
        &self,
        case_id: &str,
        assignment: &api::Assignment,
        key: &str,
    ) -> Result<api::AssignmentAck> {
        self.post_change(
            &format!("the assignment of case {case_id}"),
            &["cases", case_id, "assignment"],
            assignment,
            key,
        )
    }

    /// Enrols a person's public key; the bank checks their directory password first and
    /// revokes their previous key.
    pub fn enrol(&self, staff_id: &str, enrolment: &Enrolment, key: &str) -> Result<StaffKey> {
        self.post_change(
            &format!("the key enrolment of {staff_id}"),
            &["staff", staff_id, "keys"],
            enrolment,
            key,
        )
    }

    /// The person's current (unrevoked) key at the bank.
    pub fn staff_key(&self, staff_id: &str) -> Result<StaffKey> {
        self.send(
            &format!("the key of {staff_id}"),
            self.client
                .get(self.url(&["staff", staff_id, "keys", "current"], &[])),
        )
    }

    /// The review inbox of the person who signed `auth`: the submitted cases of their
    /// branches that they did not make or edit.
    pub fn inbox(&self, auth: &StaffAuth) -> Result<Queue> {
        let req = self
            .client
            .get(self.url(&["inbox"], &[]))
            .header(api::STAFF_HEADER, &auth.staff_id)
            .header(api::STAFF_AT_HEADER, &auth.at)
            .header(api::STAFF_SIGNATURE_HEADER, &auth.signature);
        self.send("the review inbox", req)
    }

    /// Reports the audit chain's head. The bank answers with its anchor (201 a new one,
    /// 200 the head it already holds); a head that does not extend the bank's last anchor
    /// of the workstation is [`LinkError::Rejected`] `AUDIT_NOT_EXTENDED` (409). The bank
    /// judges a head by its content, so sending it again is harmless.
    pub fn post_audit_head(&self, head: &AuditHead, key: &str) -> Result<AnchoredHead> {
        self.post_change("the audit chain head", &["audit-heads"], head, key)
    }

    /// The bank's last anchor of a workstation's audit chain; `None` when it holds none
    /// (404 `NO_ANCHOR`).
    pub fn audit_anchor(&self, workstation: &str) -> Result<Option<AnchoredHead>> {
        let req = self
            .client
            .get(self.url(&["audit-heads", workstation], &[]));
        match self.send("the audit chain's anchor", req) {
            Ok(a) => Ok(Some(a)),
            Err(LinkError::Rejected {
                status: 404, code, ..
            }) if code == api::NO_ANCHOR => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The daily queue of a branch and/or an underwriter (everything when both `None`).
    pub fn queue(&self, branch: Option<&str>, assignee: Option<&str>) -> Result<Queue> {
        let q: Vec<(&str, &str)> = [("branch", branch), ("assignee", assignee)]
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (k, v)))
            .collect();
        self.send("the daily queue", self.client.get(self.url(&["queue"], &q)))
    }

    pub fn pledge(&self, vin: &str) -> Result<PledgeStatus> {
        self.send(
            &format!("the pledge of {vin}"),
            self.client.get(self.url(&["pledges", vin], &[])),
        )
    }

    /// Asks the Pledge Registry to register a prohibition in the bank's favour.
    pub fn request_pledge(&self, vin: &str, key: &str) -> Result<PledgeStatus> {
        let req = self
            .client
            .post(self.url(&["pledges", vin, "requests"], &[]))
            .header(IDEMPOTENCY_KEY, key);
        self.send(&format!("the pledge request for {vin}"), req)
    }

    pub fn official_income(&self, pinfl: &str) -> Result<OfficialIncome> {
        self.send(
            &format!("the official income of {pinfl}"),
            self.client.get(self.url(&["income", pinfl], &[])),
        )
    }

    /// The state identity register on a PINFL and the party's document number.
    pub fn identity(&self, pinfl: &str, document: &str) -> Result<IdentityAnswer> {
        self.send(
            &format!("the identity register on {pinfl}"),
            self.client
                .get(self.url(&["identity", pinfl], &[("document", document)])),
        )
    }

    /// The credit bureau's report on a PINFL, as the bureau sends it (the workstation reads
    /// it with `uw_domain::bureau::parse_report`, which names what is malformed).
    pub fn bureau(&self, pinfl: &str) -> Result<serde_json::Value> {
        self.send(
            &format!("the credit bureau's report on {pinfl}"),
            self.client.get(self.url(&["bureau", pinfl], &[])),
        )
    }

    pub fn portfolio(&self) -> Result<Portfolio> {
        self.send(
            "the portfolio",
            self.client.get(self.url(&["portfolio"], &[])),
        )
    }
}

/// A person's signed read request: who asks, when (RFC 3339), and the signature (base64)
/// over [`crate::signing::request_bytes`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffAuth {
    pub staff_id: String,
    pub at: String,
    pub signature: String,
}

/// How a bundle given as text ([`BankConfig::ca_pem`]) is named in an error.
const STORED_CA: &str = "(the CA bundle kept in the settings)";

fn bad_ca(name: &str, why: impl Into<String>) -> LinkError {
    LinkError::BadCaFile {
        path: name.to_string(),
        why: why.into(),
    }
}

/// The certificates of a PEM bundle; a file that does not read, or that holds no
/// certificate (a key alone, DER, anything else), is `BadCaFile` naming it.
pub fn load_ca_file(path: &Path) -> Result<Vec<reqwest::Certificate>> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| bad_ca(&name, e.to_string()))?;
    ca_certificates(&name, &bytes)
}

fn ca_certificates(name: &str, pem: &[u8]) -> Result<Vec<reqwest::Certificate>> {
    let certs = reqwest::Certificate::from_pem_bundle(pem)
        .map_err(|e| bad_ca(name, format!("not a PEM bundle ({})", root_cause(&e))))?;
    if certs.is_empty() {
        return Err(bad_ca(
            name,
            "holds no certificate (a PEM block \"BEGIN CERTIFICATE\")",
        ));
    }
    Ok(certs)
}

/// Checks a CA bundle's text as [`Bank::new`] will use it — PEM blocks holding
/// certificates that parse — and counts its certificates; `BadCaFile` naming `name`
/// otherwise.
pub fn check_ca_bundle(name: &str, pem: &[u8]) -> Result<usize> {
    let certs = ca_certificates(name, pem)?;
    let n = certs.len();
    let mut builder = Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false);
    for cert in certs {
        builder = builder.add_root_certificate(cert);
    }
    // Building parses each certificate's content (a PEM block of garbage fails here).
    builder.build().map_err(|e| bad_ca(name, root_cause(&e)))?;
    Ok(n)
}

/// A redirect, named with where it pointed (resolved against the request's address).
fn redirected(what: &str, resp: &Response) -> LinkError {
    let location = resp
        .headers()
        .get(reqwest::header::LOCATION)
        .map(|l| {
            let l = String::from_utf8_lossy(l.as_bytes()).into_owned();
            resp.url().join(&l).map(String::from).unwrap_or(l)
        })
        .unwrap_or_else(|| "nowhere (no Location)".to_string());
    LinkError::Redirected {
        what: what.to_string(),
        status: resp.status().as_u16(),
        location,
    }
}

fn is_timeout(e: &std::io::Error) -> bool {
    if e.kind() == std::io::ErrorKind::TimedOut {
        return true;
    }
    let mut src: Option<&(dyn std::error::Error + 'static)> = e.get_ref().map(|r| r as _);
    while let Some(s) = src {
        if s.downcast_ref::<reqwest::Error>()
            .is_some_and(reqwest::Error::is_timeout)
        {
            return true;
        }
        src = s.source();
    }
    false
}

/// The innermost cause, which names what actually happened ("Connection refused").
fn root_cause(e: &dyn std::error::Error) -> String {
    let mut last = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        last = s.to_string();
        src = s.source();
    }
    last
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_that_are_not_http_are_refused() {
        for bad in [
            "",
            "ftp://bank",
            "not a url",
            "mailto:x@y",
            "http://core.bank.uz/",
            "http://10.0.0.5:8480/",
        ] {
            assert!(
                matches!(
                    Bank::new(BankConfig::new(bad, "t")),
                    Err(LinkError::BadAddress(_))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn paths_are_built_under_v1_with_segments_escaped() {
        let bank = Bank::new(BankConfig::new("http://127.0.0.1:9/bank", "t")).unwrap();
        assert_eq!(
            bank.url(&["cases", "A/1 b"], &[("branch", "X 1")]).as_str(),
            "http://127.0.0.1:9/bank/v1/cases/A%2F1%20b?branch=X+1"
        );
    }

    #[test]
    fn the_logged_path_hides_pinfls_vins_documents_and_unknown_words() {
        let bank = Bank::new(BankConfig::new("http://127.0.0.1:9/bank", "t")).unwrap();
        let shown =
            |segments: &[&str], query: &[(&str, &str)]| log_path(&bank.url(segments, query));
        assert_eq!(
            shown(
                &["identity", "31502901234569"],
                &[("document", "AA1234567")]
            ),
            "/v1/identity/{pinfl}"
        );
        assert_eq!(
            shown(&["bureau", "31502901234569"], &[]),
            "/v1/bureau/{pinfl}"
        );
        assert_eq!(
            shown(&["income", "31502901234569"], &[]),
            "/v1/income/{pinfl}"
        );
        assert_eq!(
            shown(&["pledges", "XWBJA69V9LA123456", "requests"], &[]),
            "/v1/pledges/{vin}/requests"
        );
        assert_eq!(
            shown(&["cases", "AUTO-2026-000123", "signoffs"], &[]),
            "/v1/cases/AUTO-2026-000123/signoffs"
        );
        assert_eq!(
            shown(&["staff", "alice", "keys", "current"], &[]),
            "/v1/staff/alice/keys/current"
        );
        assert_eq!(shown(&["queue"], &[("branch", "BXM-07")]), "/v1/queue");
        // Words the API does not have, and whatever follows them, are not shown.
        assert_eq!(
            shown(&["Karimov Aziz", "31502901234569", "AA1234567"], &[]),
            "/v1/{resource}/{id}/{id}"
        );
        assert_eq!(
            shown(&["cases", "AUTO-1", "31502901234569"], &[]),
            "/v1/cases/AUTO-1/{id}"
        );
        let bare = Url::parse("http://127.0.0.1:9/").unwrap();
        assert_eq!(log_path(&bare), "/v1/{resource}");
    }

    #[test]
    fn a_closed_port_is_offline_and_retryable() {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let bank = Bank::new(BankConfig::new(&format!("http://127.0.0.1:{port}"), "t")).unwrap();
        let err = bank.queue(None, None).unwrap_err();
        assert!(err.is_offline() && err.retryable(), "{err:?}");
    }
}

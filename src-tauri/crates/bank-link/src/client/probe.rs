//! "Test connection": one authenticated read of the bank (its portfolio figures), with
//! what failed told apart — the host's name (DNS), the connection (refused), TLS, the
//! token (401), the deadline, the answer — so that the administrator knows what to fix.
//! Like every call, it follows no redirect and sends the token only to the configured
//! address.

use std::net::ToSocketAddrs;
use std::time::Instant;

use super::{root_cause, Bank, LinkError};
use crate::api::Portfolio;

/// What "Test connection" found wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The bank's host name does not resolve.
    Dns,
    /// Nothing listens at the address (the connection was refused).
    Refused,
    /// The TLS handshake failed: a certificate not from the bank's CA (or the built-in
    /// roots), expired or for another host — or no TLS spoken at that port.
    Tls,
    /// No answer within the deadline.
    Timeout,
    /// The bank refused the token (401).
    Unauthorized,
    /// A redirect, which is never followed.
    Redirected,
    /// The bank is there but unavailable (5xx, 429).
    Unavailable,
    /// Something answered, but not as the bank's API does (another service there).
    BadAnswer,
    /// Another failure to connect (no route, a connection reset).
    Unreachable,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ConnectionFailure {
    pub fault: Fault,
    /// What happened, naming the host; never the token.
    pub message: String,
}

fn failure(fault: Fault, message: impl Into<String>) -> ConnectionFailure {
    ConnectionFailure {
        fault,
        message: message.into(),
    }
}

impl Bank {
    /// Asks the bank for its portfolio figures with the token: `Ok` when it answers as
    /// its API promises, else the first thing that failed.
    pub fn test_connection(&self) -> Result<(), ConnectionFailure> {
        self.resolve()?;
        let started = Instant::now();
        let req = self.authorized(self.client.get(self.url(&["portfolio"], &[])));
        let resp = req.send().map_err(|e| self.connect_failure(&e))?;
        self.answer::<Portfolio>("the portfolio", resp, started)
            .map(drop)
            .map_err(|e| answer_failure(&e))
    }

    /// The host's name, resolved first: a DNS failure is otherwise hard to tell from
    /// other connection failures.
    fn resolve(&self) -> Result<(), ConnectionFailure> {
        let Some(url::Host::Domain(host)) = self.base.host() else {
            return Ok(()); // an IP address needs no resolving
        };
        let port = self.base.port_or_known_default().unwrap_or(443);
        match (host, port).to_socket_addrs().map(|mut a| a.next()) {
            Ok(Some(_)) => Ok(()),
            Ok(None) => Err(failure(
                Fault::Dns,
                format!("the bank's host {host} has no address (DNS)"),
            )),
            Err(e) => Err(failure(
                Fault::Dns,
                format!("the bank's host {host} cannot be resolved (DNS: {e})"),
            )),
        }
    }

    fn connect_failure(&self, e: &reqwest::Error) -> ConnectionFailure {
        let host = self.base.host_str().unwrap_or_default();
        let port = self.base.port_or_known_default().unwrap_or(443);
        let cause = root_cause(e);
        if e.is_timeout() {
            let secs = self.config.timeout.as_secs().max(1);
            return failure(
                Fault::Timeout,
                format!("the bank at {host}:{port} did not answer within {secs} s"),
            );
        }
        let kind = io_kind(e);
        // rustls reports a refused certificate as invalid data on the connection; a peer
        // that speaks no TLS ends the handshake ("tls handshake eof").
        let tls = self.base.scheme() == "https"
            && (kind == Some(std::io::ErrorKind::InvalidData)
                || cause.to_ascii_lowercase().contains("tls"));
        match kind {
            Some(std::io::ErrorKind::ConnectionRefused) => failure(
                Fault::Refused,
                format!("nothing answers at {host}:{port} (connection refused)"),
            ),
            _ if tls => failure(
                Fault::Tls,
                format!("TLS with {host}:{port} failed: {cause}"),
            ),
            _ => failure(
                Fault::Unreachable,
                format!("the bank at {host}:{port} cannot be reached ({cause})"),
            ),
        }
    }
}

/// The kind of the innermost I/O error under a request's error (an I/O error wrapping
/// another is looked into: its `source` skips the inner one).
fn io_kind(e: &reqwest::Error) -> Option<std::io::ErrorKind> {
    let mut kind = None;
    let mut src: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = src {
        src = s.source();
        let mut io = s.downcast_ref::<std::io::Error>();
        while let Some(inner) = io {
            kind = Some(inner.kind());
            io = inner
                .get_ref()
                .and_then(|r| r.downcast_ref::<std::io::Error>());
        }
    }
    kind
}

fn answer_failure(e: &LinkError) -> ConnectionFailure {
    let fault = match e {
        LinkError::Unauthorized => Fault::Unauthorized,
        LinkError::Redirected { .. } => Fault::Redirected,
        LinkError::Unavailable { .. } => Fault::Unavailable,
        LinkError::Timeout(_) => Fault::Timeout,
        LinkError::Offline(_) => Fault::Unreachable,
        LinkError::BadAddress(_)
        | LinkError::BadCaFile { .. }
        | LinkError::Rejected { .. }
        | LinkError::Conflict(_)
        | LinkError::BadResponse { .. } => Fault::BadAnswer,
    };
    failure(fault, e.to_string())
}

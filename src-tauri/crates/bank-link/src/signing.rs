//! Signed statements (`assets/spec/dual-review.md`): what a person says about a case,
//! signed with their own key, and how the bank checks it.
//!
//! Invariants:
//! - the bytes signed are [`Statement::bytes`]: the statement's compact JSON with its keys
//!   in the spec's order (the struct's field order), UTF-8 — so a statement parsed back
//!   (unknown keys refused) serialises to the very bytes that were signed;
//! - signing sits behind [`Signer`]: the workflow asks it for a signature and never knows
//!   the algorithm, so the bank's qualified e-signature (E-IMZO) can replace Ed25519 by a
//!   second implementation and a second arm of [`verify`], nothing else;
//! - a signature that does not verify, in any way, is one answer: [`SignatureError`].

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use ed25519_dalek::{Signature, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use zeroize::Zeroizing;

use crate::api::{SignedStatement, Statement};

/// The one algorithm this build signs with.
pub const ED25519: &str = "ed25519";

/// Something that signs for one person.
pub trait Signer: Send + Sync {
    /// The algorithm's name as the bank knows it (`ed25519`).
    fn algorithm(&self) -> &'static str;
    /// The public key, as enrolled at the bank.
    fn public_key(&self) -> Vec<u8>;
    /// A signature over `message`. A token-based signer (E-IMZO) may fail.
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignatureError>;
}

/// An Ed25519 key held in memory for the length of a session.
pub struct Ed25519Signer {
    key: SigningKey,
}

impl Ed25519Signer {
    /// The key of a 32-byte seed (the private key as it is kept, wrapped, in the store).
    pub fn from_seed(seed: &[u8; 32]) -> Ed25519Signer {
        Ed25519Signer {
            key: SigningKey::from_bytes(seed),
        }
    }

    /// The seed, to be wrapped for storage; wiped from memory when dropped.
    pub fn seed(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.key.to_bytes())
    }
}

impl std::fmt::Debug for Ed25519Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Ed25519Signer({})", B64.encode(self.public_key()))
    }
}

impl Signer for Ed25519Signer {
    fn algorithm(&self) -> &'static str {
        ED25519
    }

    fn public_key(&self) -> Vec<u8> {
        self.key.verifying_key().to_bytes().to_vec()
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignatureError> {
        use ed25519_dalek::Signer as _;
        Ok(self.key.sign(message).to_bytes().to_vec())
    }
}

/// A signature that does not verify (or could not be made).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize, TS)]
#[error("{0}")]
pub struct SignatureError(pub String);

/// Checks a signature made by [`Signer::sign`] of the named algorithm.
pub fn verify(
    algorithm: &str,
    public_key: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Result<(), SignatureError> {
    match algorithm {
        ED25519 => {
            let key: [u8; 32] = public_key
                .try_into()
                .map_err(|_| SignatureError("an Ed25519 public key is 32 bytes".into()))?;
            let key = VerifyingKey::from_bytes(&key)
                .map_err(|_| SignatureError("not an Ed25519 public key".into()))?;
            let sig = Signature::from_slice(signature)
                .map_err(|_| SignatureError("an Ed25519 signature is 64 bytes".into()))?;
            key.verify_strict(message, &sig)
                .map_err(|_| SignatureError("the signature does not verify".into()))
        }
        other => Err(SignatureError(format!("unknown algorithm {other:?}"))),
    }
}

impl Statement {
    /// The bytes that are signed: compact JSON, keys in the spec's order.
    pub fn bytes(&self) -> Vec<u8> {
        // A struct of strings, numbers and options serialises without fail.
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// Signs a statement.
pub fn sign_statement(
    signer: &dyn Signer,
    statement: Statement,
) -> Result<SignedStatement, SignatureError> {
    let signature = signer.sign(&statement.bytes())?;
    Ok(SignedStatement {
        statement,
        algorithm: signer.algorithm().to_string(),
        signature: B64.encode(signature),
    })
}

/// Checks a signed statement against a public key (the form is the caller's business:
/// [`crate::api::Statement::check_form`]).
pub fn verify_statement(public_key: &[u8], signed: &SignedStatement) -> Result<(), SignatureError> {
    let signature = B64
        .decode(signed.signature.as_bytes())
        .map_err(|_| SignatureError("the signature is not base64".into()))?;
    verify(
        &signed.algorithm,
        public_key,
        &signed.statement.bytes(),
        &signature,
    )
}

/// The bytes a person signs to identify a read request (the review inbox): its purpose,
/// who asks and when, one per line.
pub fn request_bytes(purpose: &str, staff_id: &str, at: &str) -> Vec<u8> {
    format!("uw-request\n{purpose}\n{staff_id}\n{at}").into_bytes()
}

/// A signature's fingerprint, as the decision memo prints it: the first 16 hex digits of
/// the SHA-256 of its bytes (None when it is not base64). The bank's log of statements
/// finds the statement by it.
pub fn fingerprint(signature_b64: &str) -> Option<String> {
    use sha2::{Digest, Sha256};
    let bytes = from_base64(signature_b64)?;
    let digest = Sha256::digest(&bytes);
    Some(digest.iter().take(8).map(|b| format!("{b:02x}")).collect())
}

/// Base64 (standard alphabet), as keys and signatures travel.
pub fn to_base64(bytes: &[u8]) -> String {
    B64.encode(bytes)
}

pub fn from_base64(text: &str) -> Option<Vec<u8>> {
    B64.decode(text.trim().as_bytes()).ok()
}

#[cfg(test)]
mod tests;

//! A person's signing key at rest: the Ed25519 seed wrapped with a key derived from their
//! password, kept in the (already encrypted) store.
//!
//! Format, version 1: `1 ‖ salt (16) ‖ nonce (12) ‖ ChaCha20-Poly1305(seed) (32 + 16)`; the
//! key-encryption key is Argon2id (19 MiB, t = 2, p = 1 — the password hash's parameters)
//! of the password and the salt; the staff id is the associated data, so a wrapped key
//! copied to another person's row does not open. A wrong password and a damaged blob read
//! alike (the AEAD cannot tell them apart): [`KeyError::DoesNotOpen`].

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use zeroize::Zeroizing;

const FORMAT: u8 = 1;
const SALT: usize = 16;
const NONCE: usize = 12;
const SEALED: usize = 32 + 16;
pub(crate) const WRAPPED_LEN: usize = 1 + SALT + NONCE + SEALED;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum KeyError {
    #[error("the stored signing key does not open with this password (or it is damaged)")]
    DoesNotOpen,
    #[error("the stored signing key is not in a known format")]
    Malformed,
    #[error("deriving the key-encryption key failed: {0}")]
    Derive(String),
}

fn kek(password: &str, salt: &[u8]) -> Result<Zeroizing<[u8; 32]>, KeyError> {
    let params =
        Params::new(19 * 1024, 2, 1, Some(32)).map_err(|e| KeyError::Derive(e.to_string()))?;
    let mut out = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(password.as_bytes(), salt, out.as_mut())
        .map_err(|e| KeyError::Derive(e.to_string()))?;
    Ok(out)
}

/// A fresh random seed for a new key.
pub(crate) fn new_seed() -> Zeroizing<[u8; 32]> {
    let mut seed = Zeroizing::new([0u8; 32]);
    OsRng.fill_bytes(seed.as_mut());
    seed
}

/// Wraps `seed` for `staff_id` under `password`.
pub(crate) fn wrap(seed: &[u8; 32], password: &str, staff_id: &str) -> Result<Vec<u8>, KeyError> {
    let mut salt = [0u8; SALT];
    let mut nonce = [0u8; NONCE];
    OsRng.fill_bytes(&mut salt);
    OsRng.fill_bytes(&mut nonce);
    let key = kek(password, &salt)?;
    let sealed = ChaCha20Poly1305::new(Key::from_slice(key.as_ref()))
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: seed,
                aad: staff_id.as_bytes(),
            },
        )
        .map_err(|_| KeyError::Malformed)?;
    let mut out = Vec::with_capacity(WRAPPED_LEN);
    out.push(FORMAT);
    out.extend_from_slice(&salt);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// Opens a wrapped key with the password it was wrapped under.
pub(crate) fn unwrap(
    wrapped: &[u8],
    password: &str,
    staff_id: &str,
) -> Result<Zeroizing<[u8; 32]>, KeyError> {
    if wrapped.len() != WRAPPED_LEN || wrapped[0] != FORMAT {
        return Err(KeyError::Malformed);
    }
    let (salt, rest) = wrapped[1..].split_at(SALT);
    let (nonce, sealed) = rest.split_at(NONCE);
    let key = kek(password, salt)?;
    let plain = Zeroizing::new(
        ChaCha20Poly1305::new(Key::from_slice(key.as_ref()))
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: staff_id.as_bytes(),
                },
            )
            .map_err(|_| KeyError::DoesNotOpen)?,
    );
    let mut seed = Zeroizing::new([0u8; 32]);
    if plain.len() != 32 {
        return Err(KeyError::Malformed);
    }
    seed.copy_from_slice(&plain);
    Ok(seed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrapped_key_opens_with_its_password_and_person_only() {
        let seed = new_seed();
        let w = wrap(&seed, "bob-demo-2026", "bob").unwrap();
        assert_eq!(w.len(), WRAPPED_LEN);
        assert_eq!(*unwrap(&w, "bob-demo-2026", "bob").unwrap(), *seed);
        assert_eq!(
            unwrap(&w, "bob-demo-2027", "bob").unwrap_err(),
            KeyError::DoesNotOpen
        );
        assert_eq!(
            unwrap(&w, "bob-demo-2026", "carol").unwrap_err(),
            KeyError::DoesNotOpen
        );
        // Two wraps of one key differ (fresh salt and nonce).
        assert_ne!(w, wrap(&seed, "bob-demo-2026", "bob").unwrap());
    }

    #[test]
    fn a_damaged_or_foreign_blob_is_an_error_not_a_panic() {
        let seed = new_seed();
        let w = wrap(&seed, "pw-long-enough", "bob").unwrap();
        for i in [0, 1, 20, 40, WRAPPED_LEN - 1] {
            let mut bad = w.clone();
            bad[i] ^= 0x55;
            assert!(unwrap(&bad, "pw-long-enough", "bob").is_err(), "byte {i}");
        }
        for bad in [
            vec![],
            vec![1u8; 10],
            vec![2u8; WRAPPED_LEN],
            vec![1u8; WRAPPED_LEN + 1],
        ] {
            assert!(unwrap(&bad, "pw-long-enough", "bob").is_err());
        }
    }
}

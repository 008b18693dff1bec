//! The optional second factor: time-based one-time codes (RFC 6238 over RFC 4226: HMAC-SHA1,
//! 30-second steps, 6 digits), as authenticator apps compute them. A code is accepted for
//! the current step or one step either side (clock drift), and only once: the step it
//! matched is stored, and a code of that step or an earlier one is refused.

use hmac::{Hmac, Mac};
use sha1::Sha1;

pub const STEP_SECONDS: u64 = 30;
const DIGITS: u32 = 6;

/// The 6-digit code of a time step.
pub fn code_at(secret: &[u8], step: u64) -> u32 {
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(secret) else {
        return u32::MAX; // HMAC takes keys of any length: unreachable, and matches no code
    };
    mac.update(&step.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let offset = usize::from(h[19] & 0x0f);
    let bin = u32::from_be_bytes([
        h[offset] & 0x7f,
        h[offset + 1],
        h[offset + 2],
        h[offset + 3],
    ]);
    bin % 10u32.pow(DIGITS)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    /// Accepted; keep the step so the code cannot be used again.
    Accepted(u64),
    Wrong,
    /// A code already used (or older than one used).
    Reused,
}

/// Checks a typed code at `unix_seconds` against the last accepted step.
pub fn check(secret: &[u8], typed: &str, unix_seconds: u64, last_step: Option<u64>) -> Check {
    let typed = typed.trim();
    if typed.len() != DIGITS as usize || !typed.bytes().all(|b| b.is_ascii_digit()) {
        return Check::Wrong;
    }
    let Ok(code) = typed.parse::<u32>() else {
        return Check::Wrong;
    };
    let now = unix_seconds / STEP_SECONDS;
    for step in [now.saturating_sub(1), now, now + 1] {
        if code_at(secret, step) == code {
            return match last_step {
                Some(last) if step <= last => Check::Reused,
                _ => Check::Accepted(step),
            };
        }
    }
    Check::Wrong
}

const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding, as authenticator apps take secrets.
pub fn base32(bytes: &[u8]) -> String {
    let mut out = String::new();
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

pub fn from_base32(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for c in text.trim_end_matches('=').bytes() {
        let v = ALPHABET.iter().position(|a| *a == c.to_ascii_uppercase())? as u32;
        buffer = (buffer << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(((buffer >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC_SECRET: &[u8] = b"12345678901234567890";

    /// RFC 6238 appendix B (SHA-1), the last six digits of its eight.
    #[test]
    fn the_rfc_test_vectors() {
        for (t, code) in [
            (59u64, 287_082u32),
            (1_111_111_109, 81_804),
            (1_111_111_111, 50_471),
            (1_234_567_890, 5_924),
            (2_000_000_000, 279_037),
        ] {
            assert_eq!(code_at(RFC_SECRET, t / STEP_SECONDS), code, "T = {t}");
        }
    }

    #[test]
    fn a_code_is_accepted_once_and_only_near_its_time() {
        let t = 1_234_567_890;
        let code = format!("{:06}", code_at(RFC_SECRET, t / STEP_SECONDS));
        let Check::Accepted(step) = check(RFC_SECRET, &code, t, None) else {
            panic!("the current code is refused");
        };
        assert_eq!(check(RFC_SECRET, &code, t + 5, Some(step)), Check::Reused);
        assert!(matches!(
            check(RFC_SECRET, &code, t + 30, None),
            Check::Accepted(_)
        ));
        assert_eq!(check(RFC_SECRET, &code, t + 120, None), Check::Wrong);
        for bad in ["", "12345", "1234567", "12a456", "-12345"] {
            assert_eq!(check(RFC_SECRET, bad, t, None), Check::Wrong, "{bad:?}");
        }
    }

    #[test]
    fn base32_round_trips() {
        assert_eq!(
            base32(b"12345678901234567890"),
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
        );
        assert_eq!(base32(b"f"), "MY");
        assert_eq!(from_base32("MY").unwrap(), b"f");
        assert_eq!(from_base32("gezdgnbvgy3tqojq").unwrap(), b"1234567890");
        assert!(from_base32("not base32!").is_none());
    }
}

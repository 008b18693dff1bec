//! The recovery key: a keyring store's key written for people, and read back from what
//! they type. Pure: bytes in, text out, and back; no I/O.
//!
//! Reading fixed here: SQLCipher keys the store's file directly with the 32 random
//! bytes the keyring keeps (`StoreKey::Raw`: no derivation, no other secret), so the key
//! that recovers the store *is* the store's key. There is nothing else to keep: whoever
//! holds it and the file reads the cases — the sheet says so.
//!
//! Form: Crockford base32 (`0-9A-Z` without I, L, O and U), 256 bits in 52 symbols (the
//! last four bits zero), cut into 13 groups of 4 symbols, each group followed by its check
//! symbol: 13 groups of 5 separated by dashes. The check symbol of group `g` (1-based) is
//! `g + Σ αʲ⁺¹·dⱼ` in GF(32) (α a root of x⁵ + x² + 1): the weights — α¹…α⁴ for the data,
//! 1 for the check itself — are distinct and non-zero, so every single substitution and
//! every transposition of neighbours within a group changes the sum; one across a dash
//! changes a symbol in each of the two groups. The group's number in the sum catches a
//! group typed in another group's place. A typo is named by its group (the first one
//! that does not add up), never echoed: the message holds no key material.
//!
//! Input is forgiving where it cannot mislead: lower case, spaces, line breaks and
//! dashes (any Unicode dash a PDF viewer may copy) anywhere; Crockford's I and L read as
//! 1, O as 0. A U, or anything else, is a foreign character named with its group.

use zeroize::Zeroizing;

use crate::error::{AppError, ErrorCode};

/// Crockford's base32 symbols, in value order.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
pub const GROUPS: usize = 13;
/// Symbols per group: four of the key, one check.
pub const GROUP_LEN: usize = 5;
const DATA_PER_GROUP: usize = GROUP_LEN - 1;
/// All the symbols of a key, checks included.
pub const SYMBOLS: usize = GROUPS * GROUP_LEN;
/// More typed characters than this is not someone typing a key (13 × 5 and separators).
const MAX_INPUT: usize = 512;

/// A store's key as its recovery key shows it. Never printed by `Debug`; wiped when
/// dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for RecoveryKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryKey(…)")
    }
}

impl RecoveryKey {
    pub fn from_bytes(bytes: [u8; 32]) -> RecoveryKey {
        RecoveryKey(Zeroizing::new(bytes))
    }

    pub fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The 13 groups of 5 symbols.
    pub fn groups(&self) -> Vec<String> {
        let data = symbols_of(&self.0);
        data.chunks(DATA_PER_GROUP)
            .enumerate()
            .map(|(g, chunk)| {
                let mut group: String = chunk
                    .iter()
                    .map(|&v| char::from(ALPHABET[v as usize]))
                    .collect();
                group.push(char::from(ALPHABET[check(g + 1, chunk) as usize]));
                group
            })
            .collect()
    }

    /// The groups joined by dashes: how the key is shown, printed and typed.
    pub fn display(&self) -> Zeroizing<String> {
        Zeroizing::new(self.groups().join("-"))
    }

    /// Reads a typed recovery key (see the module's header for what is forgiven).
    pub fn parse(typed: &str) -> Result<RecoveryKey, RecoveryKeyError> {
        let symbols = read_symbols(typed)?;
        for (g, group) in symbols.chunks(GROUP_LEN).enumerate() {
            let (data, sum) = group.split_at(DATA_PER_GROUP);
            if check(g + 1, data) != sum[0] {
                return Err(RecoveryKeyError::Typo { group: g + 1 });
            }
        }
        let data: Vec<u8> = symbols
            .chunks(GROUP_LEN)
            .flat_map(|g| g[..DATA_PER_GROUP].iter().copied())
            .collect();
        // 52 symbols carry 260 bits: the last 4 are zero in every key ever shown, so
        // anything else is a mistake in the last group that its check did not see.
        bytes_of(&data).ok_or(RecoveryKeyError::Typo { group: GROUPS })
    }
}

/// Why a typed recovery key was not read. No variant holds any of the key's symbols.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RecoveryKeyError {
    #[error("recovery key: none was given")]
    Empty,
    #[error("recovery key: far longer than a recovery key (13 groups of 5 characters)")]
    TooLong,
    #[error("recovery key: group {group} holds {ch:?}, which no recovery key holds (digits and letters, but no U)")]
    Character { ch: char, group: usize },
    #[error("recovery key: group {group} has {found} characters, not 5")]
    GroupLength { group: usize, found: usize },
    #[error("recovery key: {found} characters where a recovery key has 65 (13 groups of 5)")]
    Length { found: usize },
    #[error("the recovery key has a typo in group {group}")]
    Typo { group: usize },
}

impl From<RecoveryKeyError> for AppError {
    fn from(e: RecoveryKeyError) -> Self {
        let code = match e {
            RecoveryKeyError::Typo { .. } => ErrorCode::RecoveryKeyTypo,
            _ => ErrorCode::InvalidInput,
        };
        AppError::new(code, e.to_string())
    }
}

/// A dash a person types, or a PDF viewer copies for one.
fn is_dash(c: char) -> bool {
    matches!(c, '-' | '\u{2010}'..='\u{2015}' | '\u{2212}')
}

/// The symbols' values, 65 of them, as typed; a typed grouping of 13 is held to 5 each.
fn read_symbols(typed: &str) -> Result<Zeroizing<Vec<u8>>, RecoveryKeyError> {
    if typed.len() > MAX_INPUT {
        return Err(RecoveryKeyError::TooLong);
    }
    let mut symbols = Zeroizing::new(Vec::with_capacity(SYMBOLS));
    let mut chunks: Vec<usize> = vec![0];
    for c in typed.chars() {
        if c.is_whitespace() || is_dash(c) {
            if chunks.last().is_some_and(|n| *n > 0) {
                chunks.push(0);
            }
            continue;
        }
        let value = match c.to_ascii_uppercase() {
            'I' | 'L' => Some(1),
            'O' => Some(0),
            u => ALPHABET.iter().position(|&a| char::from(a) == u),
        };
        let group = (symbols.len() / GROUP_LEN + 1).min(GROUPS);
        let value = value.ok_or(RecoveryKeyError::Character { ch: c, group })?;
        symbols.push(value as u8);
        if let Some(n) = chunks.last_mut() {
            *n += 1;
        }
    }
    chunks.retain(|n| *n > 0);
    if symbols.is_empty() {
        return Err(RecoveryKeyError::Empty);
    }
    if chunks.len() == GROUPS {
        if let Some(g) = chunks.iter().position(|n| *n != GROUP_LEN) {
            return Err(RecoveryKeyError::GroupLength {
                group: g + 1,
                found: chunks[g],
            });
        }
    }
    if symbols.len() != SYMBOLS {
        return Err(RecoveryKeyError::Length {
            found: symbols.len(),
        });
    }
    Ok(symbols)
}

/// Multiplication in GF(32), modulo x⁵ + x² + 1.
fn gf_mul(mut a: u8, mut b: u8) -> u8 {
    let mut product = 0;
    while b != 0 {
        if b & 1 != 0 {
            product ^= a;
        }
        b >>= 1;
        a <<= 1;
        if a & 0x20 != 0 {
            a ^= 0x25;
        }
    }
    product
}

/// The check symbol of group `group` (1-based) over its data symbols.
fn check(group: usize, data: &[u8]) -> u8 {
    let mut weight = 1u8;
    let mut sum = (group as u8) & 0x1f;
    for &d in data {
        weight = gf_mul(weight, 2);
        sum ^= gf_mul(weight, d);
    }
    sum
}

/// The 32 bytes as 52 five-bit values, most significant bit first.
fn symbols_of(bytes: &[u8; 32]) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(GROUPS * DATA_PER_GROUP));
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in bytes.iter() {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(((acc >> bits) & 0x1f) as u8);
        }
        acc &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(((acc << (5 - bits)) & 0x1f) as u8);
    }
    out
}

/// The 52 five-bit values back as 32 bytes; `None` when the padding bits are not zero.
fn bytes_of(symbols: &[u8]) -> Option<RecoveryKey> {
    let mut out = Zeroizing::new([0u8; 32]);
    let (mut acc, mut bits, mut n) = (0u32, 0u32, 0usize);
    for &s in symbols {
        acc = (acc << 5) | u32::from(s);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            *out.get_mut(n)? = (acc >> bits) as u8;
            n += 1;
            acc &= (1 << bits) - 1;
        }
    }
    (n == 32 && acc == 0).then(|| RecoveryKey(out))
}

#[cfg(test)]
mod tests;

//! Random identifiers, tokens and codes, all from the operating system's CSPRNG.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::Rng;
use rand::TryRngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};

/// `N` bytes from the OS CSPRNG.
pub fn bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    // The OS RNG failing means the machine cannot produce secrets at all; `rand::rng()` is a
    // CSPRNG seeded from it and is the documented fallback.
    if OsRng.try_fill_bytes(&mut buf).is_err() {
        rand::rng().fill(&mut buf);
    }
    buf
}

/// An opaque identifier: 128 random bits, hex.
pub fn id() -> String {
    hex::encode(bytes::<16>())
}

/// A bearer secret (session token, reset token): 256 random bits, base64url.
pub fn token() -> String {
    URL_SAFE_NO_PAD.encode(bytes::<32>())
}

/// A numeric code with `digits` digits, uniformly distributed.
pub fn digits(digits: u32) -> String {
    let upper = 10u32.pow(digits);
    let n = rand::rng().random_range(0..upper);
    format!("{n:0width$}", width = digits as usize)
}

/// SHA-256 of a high-entropy token, hex; how session and reset tokens are stored.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

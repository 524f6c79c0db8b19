//! Stable WebAuthn user handles derived from account ids.

use sha2::{Digest, Sha256};

/// Domain separation so the handle is not a bare hash of the account id.
const USER_HANDLE_CONTEXT: &[u8] = b"wangshang-webauthn-user-handle\0";

/// The stable 16-byte WebAuthn user handle (a UUID's bytes) for an account:
/// SHA-256 over a fixed context string and `account_id`, truncated to 16 bytes.
///
/// The handle is stored on the user's authenticators and returned by them, so
/// `account_id` should be the internal opaque account id, not a phone number
/// or e-mail address (a hash of a guessable value can be reversed by
/// enumeration).
pub fn user_uuid(account_id: &str) -> [u8; 16] {
    let digest = Sha256::new()
        .chain_update(USER_HANDLE_CONTEXT)
        .chain_update(account_id.as_bytes())
        .finalize();
    let mut out = [0u8; 16];
    out.copy_from_slice(&digest[..16]);
    out
}

//! Secrets the server must read back (TOTP seeds) are sealed at rest with ChaCha20-Poly1305
//! under a key derived from the server secret, so a copy of the database alone does not reveal
//! them.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Nonce};

use crate::app::Wangshang;
use crate::error::{Error, Result};
use crate::random;

impl Wangshang {
    fn cipher(&self) -> Result<ChaCha20Poly1305> {
        // The key is an HMAC of a fixed label under the server secret: 32 bytes, as the cipher needs.
        let key = hex::decode(self.code_hash("seal", "wangshang sealing key v1"))
            .map_err(|e| Error::Internal(format!("sealing key: {e}")))?;
        ChaCha20Poly1305::new_from_slice(&key)
            .map_err(|e| Error::Internal(format!("sealing key: {e}")))
    }

    /// `base64(nonce ‖ ciphertext)`.
    pub(crate) fn seal(&self, plain: &[u8]) -> Result<String> {
        let nonce_bytes = random::bytes::<12>();
        let sealed = self
            .cipher()?
            .encrypt(Nonce::from_slice(&nonce_bytes), plain)
            .map_err(|_| Error::Internal("sealing failed".into()))?;
        let mut out = nonce_bytes.to_vec();
        out.extend_from_slice(&sealed);
        Ok(STANDARD.encode(out))
    }

    pub(crate) fn unseal(&self, sealed: &str) -> Result<Vec<u8>> {
        let raw = STANDARD
            .decode(sealed)
            .map_err(|_| Error::Internal("sealed value is not base64".into()))?;
        if raw.len() < 12 {
            return Err(Error::Internal("sealed value too short".into()));
        }
        let (nonce, body) = raw.split_at(12);
        self.cipher()?
            .decrypt(Nonce::from_slice(nonce), body)
            .map_err(|_| Error::Internal("sealed value does not open (wrong server key?)".into()))
    }
}

//! Small pieces the drivers share: digests, HTTP failure classification, masking for logs.

use domain::outbox::{Permanent, SendError};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// Lowercase hex SHA-256.
pub(crate) fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// HMAC-SHA256 of `data` under `key`.
pub(crate) fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail; the fallback keeps the
    // no-panic rule without an `expect`.
    match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(data);
            mac.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

/// The classification of a failure to get an answer over HTTP.
///
/// * nothing reached the provider (connection refused, DNS, TLS handshake) → `Retry`;
/// * the request went out and no answer came in time, or the answer broke off → `Unknown`:
///   the provider may have sent the text.
///
/// The URL is stripped from the message: some providers carry the message parameters (and so a
/// code) in the query string.
pub(crate) fn transport_error(provider: &str, e: reqwest::Error) -> SendError {
    let connect = e.is_connect();
    let timeout = e.is_timeout();
    let builder = e.is_builder();
    let e = e.without_url();
    if connect {
        SendError::Retry(format!("{provider}: cannot connect: {e}"))
    } else if builder {
        SendError::Permanent(
            Permanent::Rejected,
            format!("{provider}: request cannot be built: {e}"),
        )
    } else if timeout {
        SendError::Unknown(format!("{provider}: no answer in time: {e}"))
    } else {
        SendError::Unknown(format!("{provider}: {e}"))
    }
}

/// `Retry` for a 5xx status (the provider failed, nothing was sent); `None` otherwise.
pub(crate) fn server_error(provider: &str, status: reqwest::StatusCode) -> Option<SendError> {
    status
        .is_server_error()
        .then(|| SendError::Retry(format!("{provider}: HTTP {status}")))
}

/// A destination shortened for logs: `+86138****1234`, `a***@example.com`.
pub(crate) fn mask(destination: &str) -> String {
    if let Some((local, domain)) = destination.split_once('@') {
        let first: String = local.chars().take(1).collect();
        return format!("{first}***@{domain}");
    }
    let chars: Vec<char> = destination.chars().collect();
    if chars.len() <= 7 {
        return "****".into();
    }
    let head: String = chars[..chars.len() - 8].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

/// The `host[:port]` a URL's `Host` header carries (the port only when it is not the default).
pub(crate) fn host_header(url: &reqwest::Url) -> Option<String> {
    let host = url.host_str()?;
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_numbers_and_addresses() {
        assert_eq!(mask("+8613812341234"), "+86138****1234");
        assert_eq!(mask("alice@example.com"), "a***@example.com");
        assert_eq!(mask("12345"), "****");
    }

    #[test]
    fn hmac_matches_rfc4231_case_2() {
        assert_eq!(
            hex::encode(hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}

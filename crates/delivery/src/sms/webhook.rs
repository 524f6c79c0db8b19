//! A generic webhook, for an SMS gateway of your own.
//!
//! Each message is one `POST` to the configured URL with `Content-Type: application/json` and
//! the body
//!
//! ```json
//! {"id":"<outbox message id>","channel":"sms","to":"+8613812341234","template":"register_code",
//!  "locale":"zh-CN","text":"【旺商聊】您的注册验证码是 123456，…","params":{"code":"123456","minutes":10}}
//! ```
//!
//! `id` is stable across retries of the same message: a gateway can de-duplicate on it.
//!
//! Two headers authenticate it:
//!
//! * `X-Wangshang-Timestamp: <Unix seconds>`
//! * `X-Wangshang-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>`
//!
//! A receiver recomputes the HMAC over the raw body bytes, compares in constant time, and should
//! refuse timestamps more than a few minutes old.
//!
//! The answer: any 2xx means sent (the message id is the answer's JSON `id`, if it has one);
//! 4xx is `Permanent(Rejected)`; 5xx is `Retry`; no answer in time is `Unknown`.

use async_trait::async_trait;
use domain::messages::Rendered;
use domain::outbox::{Driver, Permanent, SendError};
use domain::store::OutboxMessage;
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};

use crate::config::WebhookConfig;
use crate::util::{hmac_sha256, mask, server_error, transport_error};

/// The header carrying the Unix time of signing.
pub const TIMESTAMP_HEADER: &str = "x-wangshang-timestamp";
/// The header carrying `sha256=<hex>`.
pub const SIGNATURE_HEADER: &str = "x-wangshang-signature";

/// The webhook driver.
pub struct Webhook {
    cfg: WebhookConfig,
    http: reqwest::Client,
    timeout: std::time::Duration,
    url: reqwest::Url,
}

impl Webhook {
    pub fn new(
        cfg: WebhookConfig,
        http: reqwest::Client,
        timeout: std::time::Duration,
    ) -> Result<Self, String> {
        let url = reqwest::Url::parse(&cfg.url)
            .map_err(|e| format!("webhook: bad url {:?}: {e}", cfg.url))?;
        if cfg.secret.expose_secret().is_empty() {
            return Err("webhook: `secret` must not be empty".into());
        }
        Ok(Webhook {
            cfg,
            http,
            timeout,
            url,
        })
    }
}

/// The body sent to the webhook.
#[derive(Serialize)]
pub struct Payload<'a> {
    pub id: &'a str,
    pub channel: &'a str,
    pub to: &'a str,
    pub template: &'a str,
    pub locale: &'a str,
    pub text: &'a str,
    pub params: &'a serde_json::Value,
}

/// `sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>`.
pub fn signature(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let mut signed = format!("{timestamp}.").into_bytes();
    signed.extend_from_slice(body);
    format!("sha256={}", hex::encode(hmac_sha256(secret, &signed)))
}

#[derive(Deserialize)]
struct Answer {
    id: Option<serde_json::Value>,
}

#[async_trait]
impl Driver for Webhook {
    fn name(&self) -> &'static str {
        "webhook"
    }

    async fn send(
        &self,
        msg: &OutboxMessage,
        rendered: &Rendered,
    ) -> Result<Option<String>, SendError> {
        let body = serde_json::to_vec(&Payload {
            id: &msg.id,
            channel: msg.channel.as_str(),
            to: &msg.destination,
            template: &msg.template,
            locale: &msg.locale,
            text: &rendered.text,
            params: &msg.params,
        })
        .map_err(|e| {
            SendError::Permanent(Permanent::Rejected, format!("webhook: cannot encode: {e}"))
        })?;
        let timestamp = time::OffsetDateTime::now_utc().unix_timestamp();
        let sig = signature(self.cfg.secret.expose_secret().as_bytes(), timestamp, &body);
        let resp = self
            .http
            .post(self.url.clone())
            .header("content-type", "application/json")
            .header(TIMESTAMP_HEADER, timestamp.to_string())
            .header(SIGNATURE_HEADER, sig)
            .body(body)
            .timeout(self.timeout)
            .send()
            .await
            .map_err(|e| transport_error("webhook", e))?;
        let status = resp.status();
        let result = if status.is_success() {
            // The id is optional: a 2xx without a readable body still means sent.
            let bytes = resp.bytes().await.unwrap_or_default();
            let id = serde_json::from_slice::<Answer>(&bytes)
                .ok()
                .and_then(|a| a.id)
                .map(|id| match id {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                });
            Ok(id)
        } else if let Some(e) = server_error("webhook", status) {
            Err(e)
        } else {
            Err(SendError::Permanent(
                Permanent::Rejected,
                format!("webhook: HTTP {status}"),
            ))
        };
        match &result {
            Ok(_) => {
                tracing::info!(provider = "webhook", to = %mask(&msg.destination), "sms accepted")
            }
            Err(e) => {
                tracing::warn!(provider = "webhook", to = %mask(&msg.destination), error = ?e, "sms not accepted")
            }
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_timestamp_dot_body() {
        // Independent value: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac s3cret
        assert_eq!(
            signature(b"s3cret", 1_700_000_000, br#"{"a":1}"#),
            "sha256=1698a50bc74d1ff1db85c4e0a5297c2ad9fdba245d5737cdb789e4cc6e098940"
        );
    }
}

//! Twilio Programmable Messaging: `POST {endpoint}/2010-04-01/Accounts/{AccountSid}/Messages.json`,
//! form-encoded `To`, `Body` and `From` or `MessagingServiceSid`, with HTTP basic auth
//! (`AccountSid:AuthToken`). A sent message answers 201 with JSON carrying its `sid`.
//!
//! ## Answer codes
//! Errors answer `{"code":21211,"message":…,"more_info":…,"status":400}`:
//!
//! | answer | outcome |
//! | --- | --- |
//! | 201 | sent; the message id is `sid` |
//! | code 20429, or HTTP 429 | `Retry` (too many requests) |
//! | HTTP 5xx | `Retry` |
//! | code 21211 (invalid `To`), 21614 (not a mobile number) | `Permanent(InvalidDestination)` |
//! | code 21610 (the recipient replied STOP) | `Permanent(OptedOut)` |
//! | any other 4xx | `Permanent(Rejected)` |

use async_trait::async_trait;
use domain::messages::Rendered;
use domain::outbox::{Driver, Permanent, SendError};
use domain::store::OutboxMessage;
use reqwest::StatusCode;
use secrecy::ExposeSecret;
use serde::Deserialize;

use crate::config::TwilioConfig;
use crate::util::{mask, server_error, transport_error};

/// The Twilio driver.
pub struct Twilio {
    cfg: TwilioConfig,
    http: reqwest::Client,
    timeout: std::time::Duration,
    url: reqwest::Url,
}

impl Twilio {
    pub fn new(
        cfg: TwilioConfig,
        http: reqwest::Client,
        timeout: std::time::Duration,
    ) -> Result<Self, String> {
        if cfg.account_sid.is_empty() {
            return Err("twilio: `account_sid` is required".into());
        }
        let has = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.is_empty());
        if !has(&cfg.from) && !has(&cfg.messaging_service_sid) {
            return Err("twilio: set `from` (a sending number) or `messaging_service_sid`".into());
        }
        let base = cfg.endpoint.trim_end_matches('/');
        let url = reqwest::Url::parse(&format!(
            "{base}/2010-04-01/Accounts/{}/Messages.json",
            cfg.account_sid
        ))
        .map_err(|e| format!("twilio: bad endpoint {:?}: {e}", cfg.endpoint))?;
        Ok(Twilio {
            cfg,
            http,
            timeout,
            url,
        })
    }
}

#[derive(Deserialize)]
struct Answer {
    sid: Option<String>,
    code: Option<i64>,
    message: Option<String>,
}

/// The outcome of an error answer.
pub fn map_error(status: StatusCode, code: Option<i64>, message: &str) -> SendError {
    let text = match code {
        Some(code) => format!("twilio: HTTP {status}, code {code}: {message}"),
        None => format!("twilio: HTTP {status}: {message}"),
    };
    match code {
        Some(20429) => SendError::Retry(text),
        Some(21211 | 21614) => SendError::Permanent(Permanent::InvalidDestination, text),
        Some(21610) => SendError::Permanent(Permanent::OptedOut, text),
        _ if status == StatusCode::TOO_MANY_REQUESTS => SendError::Retry(text),
        _ if status.is_server_error() => {
            server_error("twilio", status).unwrap_or(SendError::Retry(text))
        }
        _ => SendError::Permanent(Permanent::Rejected, text),
    }
}

#[async_trait]
impl Driver for Twilio {
    fn name(&self) -> &'static str {
        "twilio"
    }

    async fn send(
        &self,
        msg: &OutboxMessage,
        rendered: &Rendered,
    ) -> Result<Option<String>, SendError> {
        let mut form: Vec<(&str, &str)> = vec![("To", &msg.destination), ("Body", &rendered.text)];
        match (&self.cfg.messaging_service_sid, &self.cfg.from) {
            (Some(sid), _) if !sid.is_empty() => form.push(("MessagingServiceSid", sid)),
            (_, Some(from)) => form.push(("From", from)),
            _ => {}
        }
        let resp = self
            .http
            .post(self.url.clone())
            .basic_auth(
                &self.cfg.account_sid,
                Some(self.cfg.auth_token.expose_secret()),
            )
            .form(&form)
            .timeout(self.timeout)
            .send()
            .await
            .map_err(|e| transport_error("twilio", e))?;
        let status = resp.status();
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| transport_error("twilio", e))?;
        let answer: Option<Answer> = serde_json::from_slice(&bytes).ok();
        let result = if status.is_success() {
            match answer.and_then(|a| a.sid) {
                Some(sid) => Ok(Some(sid)),
                None => Err(SendError::Unknown(format!(
                    "twilio: HTTP {status} without a message sid"
                ))),
            }
        } else {
            let (code, message) = answer
                .map(|a| (a.code, a.message.unwrap_or_default()))
                .unwrap_or((None, String::new()));
            Err(map_error(status, code, &message))
        };
        match &result {
            Ok(_) => {
                tracing::info!(provider = "twilio", to = %mask(&msg.destination), "sms accepted")
            }
            Err(e) => {
                tracing::warn!(provider = "twilio", to = %mask(&msg.destination), error = ?e, "sms not accepted")
            }
        }
        result
    }
}

//! The [`Router`]: one [`Driver`] that sends e-mail through SMTP and SMS through a primary
//! provider with a fallback.
//!
//! * An SMS the primary could not place — `Retry` (connection refused, 5xx, throttled) or
//!   `Unknown` (timeout) — goes to the fallback at once. If the fallback fails too, the primary's
//!   error is returned (still `Retry`/`Unknown`), so the worker backs off and tries again later.
//! * `Permanent` from the primary is final: an invalid or opted-out number does not become valid
//!   at another provider, so the fallback is not called.
//! * [`Driver::name`] is always `"router"`; the provider that actually sent is reported in the
//!   message id, as `"<provider>:<provider's id>"` (e.g. `"aliyun:9006197469364984^0"`,
//!   `"smtp:<id@example.com>"`); the part after the colon is empty when the provider gave no id.

use std::time::Duration;

use async_trait::async_trait;
use domain::identifier::Channel;
use domain::messages::Rendered;
use domain::outbox::{Driver, Permanent, SendError};
use domain::store::OutboxMessage;

use crate::config::{DeliveryConfig, SmsProvider};
use crate::email::Email;
use crate::sms::{aliyun::Aliyun, tencent::Tencent, twilio::Twilio, webhook::Webhook};
use crate::util::mask;

/// Sends each message through the driver of its channel.
pub struct Router {
    email: Option<Box<dyn Driver>>,
    primary: Option<Box<dyn Driver>>,
    fallback: Option<Box<dyn Driver>>,
}

impl Router {
    /// A router over drivers built elsewhere (useful to put a custom driver behind it).
    pub fn new(
        email: Option<Box<dyn Driver>>,
        primary: Option<Box<dyn Driver>>,
        fallback: Option<Box<dyn Driver>>,
    ) -> Self {
        Router {
            email,
            primary,
            fallback,
        }
    }

    async fn send_sms(
        &self,
        msg: &OutboxMessage,
        rendered: &Rendered,
    ) -> Result<Option<String>, SendError> {
        let Some(primary) = &self.primary else {
            return Err(SendError::Permanent(
                Permanent::Rejected,
                "no SMS provider configured".into(),
            ));
        };
        let first = match primary.send(msg, rendered).await {
            Ok(id) => return Ok(tagged(primary.name(), id)),
            Err(e @ SendError::Permanent(..)) => return Err(e),
            Err(e) => e,
        };
        let Some(fallback) = &self.fallback else {
            return Err(first);
        };
        tracing::warn!(
            primary = primary.name(),
            fallback = fallback.name(),
            to = %mask(&msg.destination),
            error = ?first,
            "sms primary failed, trying the fallback"
        );
        match fallback.send(msg, rendered).await {
            Ok(id) => Ok(tagged(fallback.name(), id)),
            Err(second) => Err(match first {
                SendError::Unknown(t) => {
                    SendError::Unknown(format!("{t}; fallback: {}", text(&second)))
                }
                SendError::Retry(t) => {
                    SendError::Retry(format!("{t}; fallback: {}", text(&second)))
                }
                permanent => permanent,
            }),
        }
    }
}

fn text(e: &SendError) -> &str {
    match e {
        SendError::Retry(t) | SendError::Unknown(t) | SendError::Permanent(_, t) => t,
    }
}

fn tagged(provider: &str, id: Option<String>) -> Option<String> {
    Some(format!("{provider}:{}", id.unwrap_or_default()))
}

#[async_trait]
impl Driver for Router {
    fn name(&self) -> &'static str {
        "router"
    }

    async fn send(
        &self,
        msg: &OutboxMessage,
        rendered: &Rendered,
    ) -> Result<Option<String>, SendError> {
        match msg.channel {
            Channel::Email => match &self.email {
                Some(email) => email
                    .send(msg, rendered)
                    .await
                    .map(|id| tagged(email.name(), id)),
                None => Err(SendError::Permanent(
                    Permanent::Rejected,
                    "no e-mail driver configured".into(),
                )),
            },
            Channel::Sms => self.send_sms(msg, rendered).await,
        }
    }
}

/// An HTTP client for the SMS providers: rustls, the configured timeout on every request.
pub fn http_client(cfg: &DeliveryConfig) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .timeout(timeout(cfg))
        .connect_timeout(timeout(cfg))
        .user_agent(concat!("wangshang/", env!("CARGO_PKG_VERSION")))
        // A provider never redirects an API call; following one would send a signed request,
        // and the message, elsewhere.
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| format!("delivery: HTTP client: {e}"))
}

fn timeout(cfg: &DeliveryConfig) -> Duration {
    Duration::from_secs(cfg.timeout_secs.max(1))
}

/// Builds the router from the config; `None` when neither e-mail nor SMS is configured. Every
/// provider request is bounded by `timeout_secs`, whatever the client's own settings.
pub fn build(cfg: &DeliveryConfig, http: reqwest::Client) -> Result<Option<Router>, String> {
    if cfg.timeout_secs == 0 {
        return Err("delivery: `timeout_secs` must be at least 1".into());
    }
    if cfg.sms.primary.is_none() && cfg.sms.fallback.is_some() {
        return Err("delivery: `sms.fallback` is set without `sms.primary`".into());
    }
    let t = timeout(cfg);
    let email = match &cfg.email {
        Some(smtp) => Some(Box::new(Email::new(smtp.clone(), t)?) as Box<dyn Driver>),
        None => None,
    };
    let sms = |p: &Option<SmsProvider>| -> Result<Option<Box<dyn Driver>>, String> {
        p.as_ref()
            .map(|p| sms_driver(p, http.clone(), t))
            .transpose()
    };
    let primary = sms(&cfg.sms.primary)?;
    let fallback = sms(&cfg.sms.fallback)?;
    if email.is_none() && primary.is_none() {
        return Ok(None);
    }
    Ok(Some(Router::new(email, primary, fallback)))
}

/// One SMS provider's driver.
pub fn sms_driver(
    p: &SmsProvider,
    http: reqwest::Client,
    timeout: Duration,
) -> Result<Box<dyn Driver>, String> {
    Ok(match p {
        SmsProvider::Aliyun(c) => Box::new(Aliyun::new(c.clone(), http, timeout)?),
        SmsProvider::Tencent(c) => Box::new(Tencent::new(c.clone(), http, timeout)?),
        SmsProvider::Twilio(c) => Box::new(Twilio::new(c.clone(), http, timeout)?),
        SmsProvider::Webhook(c) => Box::new(Webhook::new(c.clone(), http, timeout)?),
    })
}

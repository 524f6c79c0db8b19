//! The durable outbox: every SMS and e-mail is a row, written in the same transaction as the
//! change it reports, and sent later by the delivery worker through a [`Driver`].

mod worker;
pub use worker::{Outcome, provider_of};

use async_trait::async_trait;
use rand::Rng;
use serde_json::Value;

use crate::app::Wangshang;
use crate::clock::{Millis, now_ms};
use crate::config::OutboxConfig;
use crate::error::Result;
use crate::identifier::Channel;
use crate::messages::{self, Rendered};
use crate::random;
use crate::store::{Account, DevMessage, OutboxMessage};
use crate::unit::Unit;

/// Builds a pending message.
pub fn message(
    channel: Channel,
    destination: &str,
    template: &str,
    locale: &str,
    params: Value,
    expires_at: Option<Millis>,
) -> OutboxMessage {
    let now = now_ms();
    OutboxMessage {
        id: random::id(),
        channel,
        destination: destination.to_owned(),
        template: template.to_owned(),
        locale: locale.to_owned(),
        params,
        status: "pending".into(),
        attempts: 0,
        next_attempt_at: now,
        expires_at,
        provider: None,
        provider_message_id: None,
        last_error: None,
        created_at: now,
    }
}

/// Queues a notice to every channel bound to the account; its times read in the account's time
/// zone.
pub async fn notify_account(
    tx: &mut Unit,
    account: &Account,
    template: &str,
    mut params: Value,
) -> Result<()> {
    if let (Some(zone), Value::Object(map)) = (&account.time_zone, &mut params) {
        map.insert("zone".into(), Value::from(zone.as_str()));
    }
    if let Some(phone) = &account.phone {
        tx.enqueue(&message(
            Channel::Sms,
            phone,
            template,
            &account.locale,
            params.clone(),
            None,
        ))
        .await?;
    }
    if let Some(email) = &account.email {
        tx.enqueue(&message(
            Channel::Email,
            email,
            template,
            &account.locale,
            params,
            None,
        ))
        .await?;
    }
    Ok(())
}

/// What a provider said about one send that did not succeed.
#[derive(Debug)]
pub enum SendError {
    /// Not accepted; worth another try later or at a fallback provider (connection refused,
    /// throttled by the provider, 5xx).
    Retry(String),
    /// The provider may have accepted it (a timeout after the request went out). A retry sends
    /// the same message again, never a different code; if retries run out the outcome is
    /// recorded as `unknown`.
    Unknown(String),
    /// Will never succeed for this destination.
    Permanent(Permanent, String),
}

/// Why a send can never succeed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permanent {
    /// The number or address does not exist or is malformed.
    InvalidDestination,
    /// The recipient opted out or is blacklisted: the user should switch to e-mail.
    OptedOut,
    /// Any other refusal (bad template, account suspended at the provider).
    Rejected,
}

impl Permanent {
    pub fn as_str(self) -> &'static str {
        match self {
            Permanent::InvalidDestination => "invalid_destination",
            Permanent::OptedOut => "opted_out",
            Permanent::Rejected => "rejected",
        }
    }
}

/// A delivery channel's provider: the dev recorder, SMTP, an SMS API.
#[async_trait]
pub trait Driver: Send + Sync {
    fn name(&self) -> &'static str;
    /// Sends one rendered message; returns the provider's message id when it gives one.
    async fn send(
        &self,
        msg: &OutboxMessage,
        rendered: &Rendered,
    ) -> std::result::Result<Option<String>, SendError>;
}

/// The embedded default: records the message so that the dev outbox page and API show it, and
/// logs it. Selected by `outbox.driver = "dev"`.
pub struct DevDriver {
    pub app: Wangshang,
}

#[async_trait]
impl Driver for DevDriver {
    fn name(&self) -> &'static str {
        "dev"
    }

    async fn send(
        &self,
        msg: &OutboxMessage,
        rendered: &Rendered,
    ) -> std::result::Result<Option<String>, SendError> {
        let dev = DevMessage {
            id: random::id(),
            channel: msg.channel,
            destination: msg.destination.clone(),
            subject: (msg.channel == Channel::Email).then(|| rendered.subject.clone()),
            body: rendered.text.clone(),
            code: rendered.code.clone(),
            created_at: now_ms(),
        };
        let write = async {
            let mut tx = self.app.write().await?;
            tx.insert_dev_message(&dev).await?;
            tx.commit().await
        };
        write.await.map_err(|e| SendError::Retry(e.to_string()))?;
        tracing::info!(channel = msg.channel.as_str(), destination = %msg.destination, body = %rendered.text, "dev outbox");
        Ok(Some(dev.id))
    }
}

/// Only logs messages (no code is shown in the log line). Selected by `outbox.driver = "log"`.
pub struct LogDriver;

#[async_trait]
impl Driver for LogDriver {
    fn name(&self) -> &'static str {
        "log"
    }

    async fn send(
        &self,
        msg: &OutboxMessage,
        rendered: &Rendered,
    ) -> std::result::Result<Option<String>, SendError> {
        tracing::info!(channel = msg.channel.as_str(), destination = %msg.destination, subject = %rendered.subject, "message (log driver)");
        Ok(None)
    }
}

/// Renders a queued message.
pub fn render(msg: &OutboxMessage) -> Rendered {
    messages::render(&msg.template, &msg.locale, &msg.params)
}

/// When the next attempt after `attempts` failures may run: exponential backoff with full jitter.
pub fn next_attempt(cfg: &OutboxConfig, attempts: u32, now: Millis) -> Millis {
    let exp = cfg
        .base_backoff_ms
        .saturating_mul(1i64 << attempts.min(20))
        .min(cfg.max_backoff_secs * 1000)
        .max(1);
    now + rand::rng().random_range(exp / 2..=exp)
}

impl Wangshang {
    /// The dev driver's messages, newest first.
    pub async fn dev_messages(
        &self,
        destination: Option<&str>,
        limit: u32,
    ) -> Result<Vec<DevMessage>> {
        let mut tx = self.read().await?;
        let list = tx.dev_messages(destination, limit).await?;
        tx.commit().await?;
        Ok(list)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let cfg = OutboxConfig::default();
        for attempts in 0..12 {
            let exp = (2000i64 << attempts).min(300_000);
            for _ in 0..50 {
                let wait = next_attempt(&cfg, attempts, 0);
                assert!(
                    (exp / 2..=exp).contains(&wait),
                    "attempt {attempts}: {wait}"
                );
            }
        }
    }
}

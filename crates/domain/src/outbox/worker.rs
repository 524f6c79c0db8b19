//! The delivery worker's state machine: claim due rows under a lease, decide each send's
//! outcome (sent, retry with backoff, or final), and record the outcomes — each step one unit of
//! work. The server's loop (`wangshang-server`'s `delivery.rs`) only schedules these steps and
//! counts them in its metrics.

use crate::app::Wangshang;
use crate::clock::{SECOND, now_ms};
use crate::error::Result;
use crate::outbox::{self, Driver, SendError};
use crate::store::OutboxMessage;

/// The provider and its message id: the router answers `"<provider>:<id>"`.
pub fn provider_of<'a>(driver: &'a dyn Driver, id: Option<&'a str>) -> (&'a str, Option<&'a str>) {
    match id.and_then(|i| i.split_once(':')) {
        Some((provider, rest)) if driver.name() == "router" => {
            (provider, (!rest.is_empty()).then_some(rest))
        }
        _ => (driver.name(), id),
    }
}

/// What became of one send.
pub enum Outcome {
    Sent(Option<String>),
    Retry(i64, String),
    Final(&'static str, String),
}

impl Outcome {
    /// The metric label of the outcome.
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Sent(_) => "sent",
            Outcome::Retry(..) => "retry",
            Outcome::Final(status, _) => status,
        }
    }
}

impl Wangshang {
    /// Claims up to `batch` due rows for this worker until the lease ends.
    pub async fn claim_outbox(&self, batch: u32) -> Result<Vec<OutboxMessage>> {
        let now = now_ms();
        let mut tx = self.write().await?;
        let rows = tx
            .claim_due(now, now + self.config.outbox.lease_secs * SECOND, batch)
            .await?;
        tx.commit().await?;
        Ok(rows)
    }

    /// Sends one claimed message, or gives it up when it is past its useful life.
    pub async fn attempt_delivery(&self, driver: &dyn Driver, msg: &OutboxMessage) -> Outcome {
        let cfg = &self.config.outbox;
        let now = now_ms();
        if msg.expires_at.is_some_and(|e| e <= now) {
            return Outcome::Final("expired", "past its useful life".into());
        }
        match driver.send(msg, &outbox::render(msg)).await {
            Ok(pid) => Outcome::Sent(pid),
            Err(SendError::Retry(e) | SendError::Unknown(e)) if msg.attempts < cfg.max_attempts => {
                Outcome::Retry(outbox::next_attempt(cfg, msg.attempts, now_ms()), e)
            }
            Err(SendError::Retry(e)) => {
                tracing::warn!(id = %msg.id, error = %e, "message failed for good");
                Outcome::Final("failed", e)
            }
            Err(SendError::Unknown(e)) => {
                tracing::warn!(id = %msg.id, error = %e, "message outcome unknown after the last attempt");
                Outcome::Final("unknown", e)
            }
            Err(SendError::Permanent(why, e)) => {
                tracing::warn!(id = %msg.id, reason = why.as_str(), error = %e, "message failed for good");
                Outcome::Final("failed", format!("{}: {e}", why.as_str()))
            }
        }
    }

    /// Records a batch's outcomes in one unit; if it fails, the lease hands the rows out again.
    pub async fn record_deliveries(
        &self,
        driver: &dyn Driver,
        msgs: &[OutboxMessage],
        outcomes: &[Outcome],
    ) -> Result<()> {
        if msgs.is_empty() {
            return Ok(());
        }
        let mut tx = self.write().await?;
        for (msg, outcome) in msgs.iter().zip(outcomes) {
            match outcome {
                Outcome::Sent(pid) => {
                    let (provider, pid) = provider_of(driver, pid.as_deref());
                    tx.mark_sent(&msg.id, provider, pid, now_ms()).await?
                }
                Outcome::Retry(next, e) => tx.mark_retry(&msg.id, *next, e).await?,
                Outcome::Final(status, e) => tx.mark_final(&msg.id, status, e).await?,
            }
        }
        tx.commit().await?;
        Ok(())
    }
}

//! The delivery worker: claims due outbox rows, sends them through the configured driver, and
//! records the outcome. Retries are bounded with exponential backoff and jitter; a message past
//! its useful life (a code past its TTL) is marked `expired` instead of being sent late.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use domain::Wangshang;
use domain::clock::{SECOND, now_ms};
use domain::outbox::{self, Driver, SendError};
use domain::store::OutboxMessage;

use crate::metrics::{DeliveryLabels, Metrics};

/// Picks the driver named by `outbox.driver`.
pub fn driver(app: &Wangshang) -> Result<Arc<dyn Driver>, String> {
    let default = if app.config.dev { "dev" } else { "log" };
    match app.config.outbox.driver.as_deref().unwrap_or(default) {
        "dev" => Ok(Arc::new(outbox::DevDriver { app: app.clone() })),
        "log" => Ok(Arc::new(outbox::LogDriver)),
        other => Err(format!("unknown outbox driver {other:?} (known: dev, log)")),
    }
}

const BATCH: u32 = 32;

/// Runs until `shutdown` turns true.
pub async fn run(
    app: Wangshang,
    driver: Arc<dyn Driver>,
    metrics: Arc<Metrics>,
    mut shutdown: watch::Receiver<bool>,
) {
    let poll = Duration::from_millis(app.config.outbox.poll_interval_ms.max(10));
    loop {
        let claimed = match claim(&app).await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "outbox claim failed");
                Vec::new()
            }
        };
        for msg in &claimed {
            let outcome = deliver(&app, driver.as_ref(), msg).await;
            metrics
                .deliveries
                .get_or_create(&DeliveryLabels {
                    channel: msg.channel.as_str().into(),
                    outcome: outcome.into(),
                })
                .inc();
        }
        if claimed.len() as u32 == BATCH {
            continue;
        }
        tokio::select! {
            _ = app.outbox_wake.notified() => {}
            _ = tokio::time::sleep(poll) => {}
            _ = shutdown.changed() => {}
        }
        if *shutdown.borrow() {
            return;
        }
    }
}

async fn claim(app: &Wangshang) -> domain::Result<Vec<OutboxMessage>> {
    let now = now_ms();
    let mut tx = app.store.write().await?;
    let rows = tx
        .claim_due(now, now + app.config.outbox.lease_secs * SECOND, BATCH)
        .await?;
    tx.commit().await?;
    Ok(rows)
}

/// What became of one send.
enum Outcome {
    Sent(Option<String>),
    Retry(i64, String),
    Final(&'static str, String),
}

/// Sends one claimed message and records the outcome; returns a metrics label.
async fn deliver(app: &Wangshang, driver: &dyn Driver, msg: &OutboxMessage) -> &'static str {
    let cfg = &app.config.outbox;
    let now = now_ms();
    let outcome = if msg.expires_at.is_some_and(|e| e <= now) {
        Outcome::Final("expired", "past its useful life".into())
    } else {
        match driver.send(msg, &outbox::render(msg)).await {
            Ok(pid) => Outcome::Sent(pid),
            Err(SendError::Retry(e)) if msg.attempts < cfg.max_attempts => {
                Outcome::Retry(outbox::next_attempt(cfg, msg.attempts, now_ms()), e)
            }
            Err(SendError::Retry(e) | SendError::Permanent(e)) => {
                tracing::warn!(id = %msg.id, error = %e, "message failed for good");
                Outcome::Final("failed", e)
            }
        }
    };
    let label = match &outcome {
        Outcome::Sent(_) => "sent",
        Outcome::Retry(..) => "retry",
        Outcome::Final(status, _) => status,
    };
    if let Err(e) = record(app, driver, msg, outcome).await {
        tracing::warn!(id = %msg.id, error = %e, "recording a delivery outcome failed; the lease will retry it");
    }
    label
}

async fn record(
    app: &Wangshang,
    driver: &dyn Driver,
    msg: &OutboxMessage,
    outcome: Outcome,
) -> domain::Result<()> {
    let mut tx = app.store.write().await?;
    match outcome {
        Outcome::Sent(pid) => {
            tx.mark_sent(&msg.id, driver.name(), pid.as_deref(), now_ms())
                .await?
        }
        Outcome::Retry(next, e) => tx.mark_retry(&msg.id, next, &e).await?,
        Outcome::Final(status, e) => tx.mark_final(&msg.id, status, &e).await?,
    }
    tx.commit().await?;
    Ok(())
}

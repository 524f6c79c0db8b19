//! The delivery worker: claims due outbox rows, sends them through the configured driver, and
//! records the outcome. Retries are bounded with exponential backoff and jitter; a message past
//! its useful life (a code past its TTL) is marked `expired` instead of being sent late.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use ::delivery as providers;
use domain::Wangshang;
use domain::clock::{SECOND, now_ms};
use domain::outbox::{self, Driver, SendError};
use domain::store::OutboxMessage;

use crate::metrics::{DeliveryLabels, Metrics};

/// Picks the driver named by `outbox.driver`: `dev`, `log`, or `providers` (the SMTP and SMS
/// providers of `[delivery]`). Unset: `dev` in dev mode, else `providers` when any is configured,
/// else `log`.
pub fn driver(app: &Wangshang) -> Result<Arc<dyn Driver>, String> {
    let cfg = &app.config.delivery;
    let providers = || -> Result<Option<Arc<dyn Driver>>, String> {
        let http = providers::http_client(cfg)?;
        Ok(providers::build(cfg, http)?.map(|r| Arc::new(r) as Arc<dyn Driver>))
    };
    let default = if app.config.dev {
        "dev"
    } else if cfg.email.is_some() || cfg.sms.primary.is_some() {
        "providers"
    } else {
        "log"
    };
    match app.config.outbox.driver.as_deref().unwrap_or(default) {
        "dev" => Ok(Arc::new(outbox::DevDriver { app: app.clone() })),
        "log" => Ok(Arc::new(outbox::LogDriver)),
        "providers" => providers()?.ok_or_else(|| {
            "outbox.driver = \"providers\" needs [delivery.email] or [delivery.sms.primary]"
                .to_owned()
        }),
        other => Err(format!(
            "unknown outbox driver {other:?} (known: dev, log, providers)"
        )),
    }
}

/// The provider and its message id: the router answers `"<provider>:<id>"`.
fn provider_of<'a>(driver: &'a dyn Driver, id: Option<&'a str>) -> (&'a str, Option<&'a str>) {
    match id.and_then(|i| i.split_once(':')) {
        Some((provider, rest)) if driver.name() == "router" => {
            (provider, (!rest.is_empty()).then_some(rest))
        }
        _ => (driver.name(), id),
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
        let mut outcomes = Vec::with_capacity(claimed.len());
        for msg in &claimed {
            outcomes.push(deliver(&app, driver.as_ref(), msg).await);
        }
        // One transaction records the whole batch; if it fails, the lease hands the rows out again.
        match record(&app, driver.as_ref(), &claimed, &outcomes).await {
            Ok(()) => {
                for (msg, outcome) in claimed.iter().zip(&outcomes) {
                    let label = DeliveryLabels {
                        channel: msg.channel.as_str().into(),
                        outcome: outcome.label().into(),
                    };
                    metrics.deliveries.get_or_create(&label).inc();
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "recording delivery outcomes failed; the lease will retry them")
            }
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

impl Outcome {
    fn label(&self) -> &'static str {
        match self {
            Outcome::Sent(_) => "sent",
            Outcome::Retry(..) => "retry",
            Outcome::Final(status, _) => status,
        }
    }
}

/// Sends one claimed message, or gives it up when it is past its useful life.
async fn deliver(app: &Wangshang, driver: &dyn Driver, msg: &OutboxMessage) -> Outcome {
    let cfg = &app.config.outbox;
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

async fn record(
    app: &Wangshang,
    driver: &dyn Driver,
    msgs: &[OutboxMessage],
    outcomes: &[Outcome],
) -> domain::Result<()> {
    if msgs.is_empty() {
        return Ok(());
    }
    let mut tx = app.store.write().await?;
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

//! The delivery worker: claims due outbox rows, sends them through the configured driver, and
//! records the outcome. Retries are bounded with exponential backoff and jitter; a message past
//! its useful life (a code past its TTL) is marked `expired` instead of being sent late.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use ::delivery as providers;
use domain::Wangshang;
use domain::outbox::{self, Driver};

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

const BATCH: u32 = 32;
/// How long the worker waits after being woken before it claims (see `run`).
const WAKE_PAUSE: Duration = Duration::from_millis(20);

/// Runs until `shutdown` turns true.
pub async fn run(
    app: Wangshang,
    driver: Arc<dyn Driver>,
    metrics: Arc<Metrics>,
    mut shutdown: watch::Receiver<bool>,
) {
    let poll = Duration::from_millis(app.config.outbox.poll_interval_ms.max(10));
    loop {
        let claimed = match app.claim_outbox(BATCH).await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "outbox claim failed");
                Vec::new()
            }
        };
        let mut outcomes = Vec::with_capacity(claimed.len());
        for msg in &claimed {
            outcomes.push(app.attempt_delivery(driver.as_ref(), msg).await);
        }
        // One transaction records the whole batch; if it fails, the lease hands the rows out again.
        match app
            .record_deliveries(driver.as_ref(), &claimed, &outcomes)
            .await
        {
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
            // Woken by a flow that just queued a message: its answer is still on its way out.
            // Sending at once would load the machine exactly while that answer is written, and a
            // recovery for an existing account (a real message) would answer measurably later
            // than one for an unknown identifier (a suppressed row). A short pause keeps the two
            // alike; a code arrives a few milliseconds later.
            _ = app.outbox_wake.notified() => tokio::time::sleep(WAKE_PAUSE).await,
            _ = tokio::time::sleep(poll) => {}
            _ = shutdown.changed() => {}
        }
        if *shutdown.borrow() {
            return;
        }
    }
}

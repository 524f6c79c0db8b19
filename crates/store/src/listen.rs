//! Realtime fan-out between nodes: on PostgreSQL every node LISTENs on the stream channel and
//! hears which accounts' streams other nodes moved (the `NOTIFY` is sent at commit).

use std::time::Duration;

use sqlx::postgres::PgListener;
use tokio::task::JoinHandle;

use crate::repos::stream::STREAM_CHANNEL;
use crate::tx::Dialect;

/// Starts listening when `url` is PostgreSQL, calling `on` with each payload; `None` on SQLite
/// (a single node). The listener reconnects on its own, and calls `resumed` once it listens
/// again after losing its connection: notifications sent in between are lost, so whatever they
/// announced must be read from the database then.
pub fn listen_streams(
    url: &str,
    on: impl Fn(&str) + Send + Sync + 'static,
    resumed: impl Fn() + Send + Sync + 'static,
) -> Option<JoinHandle<()>> {
    if Dialect::from_url(url) != Some(Dialect::Postgres) {
        return None;
    }
    let url = url.to_owned();
    Some(tokio::spawn(async move {
        let mut lost = false;
        loop {
            match PgListener::connect(&url).await {
                Ok(mut listener) => {
                    if let Err(e) = listener.listen(STREAM_CHANNEL).await {
                        tracing::warn!(error = %e, "LISTEN failed");
                    } else {
                        if lost {
                            tracing::info!("stream listener resumed");
                            resumed();
                        }
                        lost = true;
                        loop {
                            match listener.recv().await {
                                Ok(n) => on(n.payload()),
                                Err(e) => {
                                    tracing::warn!(error = %e, "stream listener lost its connection");
                                    break;
                                }
                            }
                        }
                    }
                }
                Err(e) => tracing::warn!(error = %e, "stream listener cannot connect"),
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }))
}

//! Realtime fan-out between nodes: on PostgreSQL every node LISTENs on the stream channel and
//! hears which accounts' streams other nodes moved (the `NOTIFY` is sent at commit).

use std::time::Duration;

use sqlx::postgres::PgListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::repos::stream::STREAM_CHANNEL;
use crate::tx::Dialect;

/// The running listener, and word of the moment it first listens.
pub struct Listening {
    /// The task; it only ends when aborted.
    pub task: JoinHandle<()>,
    /// Answered once the first `LISTEN` took effect (dropped unanswered if the task is aborted
    /// before). A node waits for it before it serves, so a notification sent after its start
    /// reaches it.
    pub ready: oneshot::Receiver<()>,
}

/// Starts listening when `url` is PostgreSQL, calling `on` with each payload; `None` on SQLite
/// (a single node). The listener reconnects on its own, and calls `resumed` once it listens
/// again after losing its connection: notifications sent in between are lost, so whatever they
/// announced must be read from the database then.
pub fn listen_streams(
    url: &str,
    on: impl Fn(&str) + Send + Sync + 'static,
    resumed: impl Fn() + Send + Sync + 'static,
) -> Option<Listening> {
    if Dialect::from_url(url) != Some(Dialect::Postgres) {
        return None;
    }
    let url = url.to_owned();
    let (ready_tx, ready) = oneshot::channel();
    let task = tokio::spawn(async move {
        let mut ready_tx = Some(ready_tx);
        let mut lost = false;
        loop {
            match PgListener::connect(&url).await {
                Ok(mut listener) => {
                    if let Err(e) = listener.listen(STREAM_CHANNEL).await {
                        tracing::warn!(error = %e, "LISTEN failed");
                    } else {
                        if let Some(tx) = ready_tx.take() {
                            // The receiver may have stopped waiting; nothing to tell then.
                            let _ = tx.send(());
                        }
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
    });
    Some(Listening { task, ready })
}

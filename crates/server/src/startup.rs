//! Building the application from a configuration and serving it until shutdown.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;

use domain::Wangshang;
use domain::config::Config;

use crate::AppState;
use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::{delivery, routes};

pub const BODY_LIMIT: usize = 64 * 1024;

/// The key that protects codes at rest: configured, or kept in `data_dir/secret.key` (made on
/// first start with 256 random bits, readable by the owner only).
pub fn load_secret_key(config: &Config) -> Result<Vec<u8>, String> {
    if let Some(k) = &config.secret_key {
        return Ok(k.expose().as_bytes().to_vec());
    }
    let path = config.data_dir.join("secret.key");
    if let Ok(s) = std::fs::read_to_string(&path) {
        return hex::decode(s.trim()).map_err(|e| format!("{} is not hex: {e}", path.display()));
    }
    std::fs::create_dir_all(&config.data_dir)
        .map_err(|e| format!("creating {}: {e}", config.data_dir.display()))?;
    let key: [u8; 32] = rand::random();
    write_private(&path, &hex::encode(key))?;
    tracing::info!(path = %path.display(), "generated a new secret key");
    Ok(key.to_vec())
}

fn write_private(path: &Path, contents: &str) -> Result<(), String> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    opts.mode(0o600);
    let mut f = opts
        .open(path)
        .map_err(|e| format!("creating {}: {e}", path.display()))?;
    f.write_all(contents.as_bytes())
        .map_err(|e| format!("writing {}: {e}", path.display()))
}

/// Connects to the database, migrates it, and builds the application.
pub async fn build(config: Config) -> Result<Wangshang, String> {
    let store = store::connect(&config.database_url)
        .await
        .map_err(|e| e.to_string())?;
    store::migrate(&store).await.map_err(|e| e.to_string())?;
    let key = load_secret_key(&config)?;
    Wangshang::new(Arc::new(store), config, key).map_err(|e| e.to_string())
}

/// The whole HTTP application.
pub fn router(state: AppState) -> Router {
    Router::new()
        .nest("/api/v1", routes::api())
        .merge(crate::web::router(state.clone()))
        .merge(routes::ops::router())
        .fallback(|| async { ApiError::not_found() })
        .method_not_allowed_fallback(|| async { ApiError::method_not_allowed() })
        .layer(axum::middleware::from_fn(crate::error::problems_only))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::web::people::layer,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::metrics::track,
        ))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(CatchPanicLayer::custom(|_| {
            tracing::error!("a handler panicked");
            ApiError::from(domain::Error::Internal("handler panicked".into())).into_response()
        }))
        .with_state(state)
}

/// A running server.
pub struct Running {
    pub addr: SocketAddr,
    pub app: Wangshang,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
    /// Tasks that only end when aborted (the PostgreSQL stream listener).
    background: Vec<JoinHandle<()>>,
}

impl Running {
    /// Drops everything at once, as a crash would: requests and sends in flight are cut off and
    /// nothing is recorded (tests use it to prove the outbox survives).
    pub fn kill(self) {
        for t in self.tasks.into_iter().chain(self.background) {
            t.abort();
        }
    }

    /// Stops accepting requests, lets running ones finish, stops the worker.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        for t in self.background {
            t.abort();
        }
        for t in self.tasks {
            let _ = t.await;
        }
    }
}

/// How long a starting node waits to hear the other nodes before it serves anyway.
const LISTEN_READY: std::time::Duration = std::time::Duration::from_secs(10);

/// Builds the application and serves it on `listener`, with the delivery worker beside it.
pub async fn start(config: Config, listener: TcpListener) -> Result<Running, String> {
    let app = build(config).await?;
    let driver = delivery::driver(&app)?;
    let metrics = Arc::new(Metrics::default());
    let hub = Arc::new(crate::hub::Hub::new(app.config.chat.socket_queue));
    app.set_fanout(hub.clone());
    let state = AppState {
        app: app.clone(),
        metrics: metrics.clone(),
        hub: hub.clone(),
    };
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let (tx, rx) = watch::channel(false);
    let worker = tokio::spawn(delivery::run(app.clone(), driver, metrics, rx.clone()));
    let mut tasks = vec![
        worker,
        tokio::spawn(prune_streams(app.clone(), rx.clone())),
        tokio::spawn(sweep_orphan_files(app.clone(), rx.clone())),
        tokio::spawn(scan_files(app.clone(), rx.clone())),
        tokio::spawn(index_search(app.clone(), rx.clone())),
        tokio::spawn(write_policy_blocks(app.clone(), rx.clone())),
    ];
    let listening = store::listen_streams(
        &app.config.database_url,
        {
            let hub = hub.clone();
            let app = app.clone();
            move |payload| relay(&app, &hub, payload)
        },
        {
            let hub = hub.clone();
            move || hub.catch_up_all()
        },
    );
    let mut background: Vec<JoinHandle<()>> = Vec::new();
    if let Some(l) = listening {
        background.push(l.task);
        // A node serves once it hears the others: a passing signal (typing, a revocation)
        // announced after its start would otherwise miss its sockets. A database slow to answer
        // delays the start by at most this; stream moves are read from the database anyway.
        if tokio::time::timeout(LISTEN_READY, l.ready).await.is_err() {
            tracing::warn!("serving before the stream listener listens");
        }
    }
    background.push(tokio::spawn(catch_up_search(app.clone())));
    let mut server_rx = rx;
    let service = router(state).into_make_service_with_connect_info::<SocketAddr>();
    let server = tokio::spawn(async move {
        let shutdown = async move {
            let _ = server_rx.wait_for(|stop| *stop).await;
        };
        if let Err(e) = axum::serve(listener, service)
            .with_graceful_shutdown(shutdown)
            .await
        {
            tracing::error!(error = %e, "server stopped");
        }
    });
    Ok(Running {
        addr,
        app,
        shutdown: tx,
        tasks: {
            tasks.insert(0, server);
            tasks
        },
        background,
    })
}

/// Passes another node's `NOTIFY` (`node account:seq …`) to the local sockets of those accounts.
/// Another node's announcement: its stream moves become hints (the sockets read the events from
/// the database), its revocations make the account's sockets here re-check their sessions now.
fn relay(app: &Wangshang, hub: &crate::hub::Hub, payload: &str) {
    use domain::chat::Fanout;
    use domain::chat::nodes::{Notice, decode};
    let (node, notices) = decode(payload);
    if node == app.node_id() {
        return;
    }
    for n in notices {
        match n {
            Notice::Moved { account_id, seq } => hub.hint(&account_id, seq),
            Notice::Revoked { account_id } => hub.sessions_revoked(&account_id),
            Notice::Typing {
                conversation_id,
                account_id,
                to,
            } => hub.typing(&to, &conversation_id, &account_id),
        }
    }
}

/// Rebuilds the search index when it was built by other rules, or never (after the migration
/// that made it): existing messages become searchable. An interrupted rebuild starts again at the
/// next start.
async fn catch_up_search(app: Wangshang) {
    match app.catch_up_search_index().await {
        Ok(Some(n)) => tracing::info!(messages = n, "search index rebuilt"),
        Ok(None) => {}
        Err(e) => tracing::warn!(error = %e, "rebuilding the search index failed"),
    }
}

/// How often the indexer looks for messages queued by another node or left by a crash.
const INDEX_TICK: std::time::Duration = std::time::Duration::from_secs(3);
/// How long the indexer lets sends gather after a wake-up, so one pass indexes many: a pass
/// rewrites the index pages it touches, about as many for a few messages as for many.
const INDEX_GATHER: std::time::Duration = std::time::Duration::from_secs(1);

/// Indexes the messages queued for search (`domain::search::indexer`): shortly after this
/// node's sends wake it, and every [`INDEX_TICK`] for what another node or a crash left queued,
/// the first time at start. A search indexes what is still queued itself, so nothing waits on
/// this for correctness.
async fn index_search(app: Wangshang, mut stop: watch::Receiver<bool>) {
    if !app.search_enabled() {
        return;
    }
    let mut every = tokio::time::interval(INDEX_TICK);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        // `Some(woken)`, or `None` when the server stops.
        let woken = tokio::select! {
            _ = every.tick() => Some(false),
            _ = app.indexer_woken() => Some(true),
            _ = stop.wait_for(|s| *s) => None,
        };
        match woken {
            None => return,
            Some(true) => tokio::time::sleep(INDEX_GATHER).await,
            Some(false) => {}
        }
        // Full passes back to back (a backlog); a short one waits for the next wake-up.
        if let Err(e) = app.index_while(domain::search::indexer::PASS).await {
            tracing::warn!(error = %e, "indexing queued messages failed");
        }
    }
}

/// Scans new files with clamd when it is configured: woken by uploads, and every
/// `files.scan_retry_secs` for files still waiting.
async fn scan_files(app: Wangshang, mut stop: watch::Receiver<bool>) {
    if app.config.files.clamd.is_none() {
        return;
    }
    let retry = std::time::Duration::from_secs(app.config.files.scan_retry_secs.max(1));
    let mut every = tokio::time::interval(retry);
    loop {
        let stopped = tokio::select! {
            _ = every.tick() => false,
            _ = app.scanner_woken() => false,
            _ = stop.wait_for(|s| *s) => true,
        };
        if stopped {
            return;
        }
        // Scan until nothing is left (a batch may leave more behind it).
        loop {
            match app.scan_pending().await {
                Ok(n) if n > 0 => continue,
                Ok(_) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "scanning files failed");
                    break;
                }
            }
        }
    }
}

/// Runs `job` hourly (the first time at start) until the server stops.
async fn hourly<F, Fut>(mut stop: watch::Receiver<bool>, mut job: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        let stopped = tokio::select! {
            _ = every.tick() => false,
            _ = stop.wait_for(|s| *s) => true,
        };
        if stopped {
            return;
        }
        job().await;
    }
}

/// Removes orphaned uploads and blobs older than `files.orphan_secs`, hourly (the first look at
/// start, for what a crash left).
async fn sweep_orphan_files(app: Wangshang, stop: watch::Receiver<bool>) {
    hourly(stop, || async {
        let cutoff = domain::clock::now_ms() - app.config.files.orphan_secs.max(0) * 1000;
        match app.sweep_orphan_files(cutoff).await {
            Ok(s) if s.temporary + s.blobs > 0 => {
                tracing::info!(
                    temporary = s.temporary,
                    blobs = s.blobs,
                    "removed orphaned files"
                )
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "removing orphaned files failed"),
        }
    })
    .await
}

/// Writes the policy refusals noted on this node to their enterprises' audit logs (see
/// `domain::policy::blocks`), a moment after the first of a batch, so a burst is one unit.
async fn write_policy_blocks(app: Wangshang, mut stop: watch::Receiver<bool>) {
    loop {
        let stopped = tokio::select! {
            _ = app.policy_blocks_noted() => false,
            _ = stop.wait_for(|s| *s) => true,
        };
        if stopped {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        if let Err(e) = app.write_policy_blocks().await {
            tracing::warn!(error = %e, "writing policy refusals to the audit log failed");
        }
    }
}

/// Removes stream events past their retention, hourly.
async fn prune_streams(app: Wangshang, stop: watch::Receiver<bool>) {
    hourly(stop, || async {
        match app.prune_streams().await {
            Ok(n) if n > 0 => tracing::info!(events = n, "pruned stream events"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "pruning stream events failed"),
        }
    })
    .await
}

//! The application object every flow hangs off: storage, configuration, the password hasher and
//! the key that protects codes at rest.

use std::sync::{Arc, OnceLock};

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use tokio::sync::Notify;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::password::Hasher;
use crate::store::Store;

/// Who is asking: recorded in events, used for per-IP limits. Never trusted for anything else.
#[derive(Clone, Debug, Default)]
pub struct Client {
    pub ip: String,
    pub user_agent: String,
}

#[derive(Clone)]
pub struct Wangshang {
    /// Reached only through [`crate::unit`]: every flow's one transaction is opened there.
    pub(crate) store: Arc<dyn Store>,
    pub config: Arc<Config>,
    pub hasher: Hasher,
    code_key: Arc<Vec<u8>>,
    /// Woken whenever a message is queued, so the delivery worker sends at once.
    pub outbox_wake: Arc<Notify>,
    /// The GeoIP database of `geoip_database`, when configured.
    pub geoip: Option<Arc<loginmeta::GeoIp>>,
    /// The WebAuthn relying party of `public_url`; `None` when that origin cannot host passkeys
    /// (an IP address, or plain HTTP other than `localhost`).
    pub relying: Option<Arc<webauthn::Relying>>,
    /// The server's hub that pushes committed stream events to sockets.
    pub(crate) fanout: Arc<OnceLock<Arc<dyn crate::chat::Fanout>>>,
    /// This node's id, made at start: what it announces to other nodes carries it, so it skips
    /// its own announcements (each `Wangshang` is a node, also several in one process).
    pub(crate) node_id: Arc<str>,
    /// The group-commit queue of chat messages, started on first use.
    pub(crate) writer: Arc<OnceLock<crate::chat::Writer>>,
    /// Where the bytes of files live.
    pub(crate) blobs: Arc<crate::files::Blobs>,
    /// Woken after an upload that waits for the scanner.
    pub(crate) scan_wake: Arc<Notify>,
    /// Woken after a commit that queued messages for the search index.
    pub(crate) index_wake: Arc<Notify>,
    /// One indexing pass at a time on this node (see [`crate::search::indexer`]).
    pub(crate) indexing: Arc<tokio::sync::Mutex<()>>,
    /// Policy refusals waiting for the enterprise's audit log (see [`crate::policy::blocks`]).
    pub(crate) blocks: Arc<crate::policy::blocks::BlockNotes>,
}

impl Wangshang {
    /// `code_key` is the server secret used for HMAC of codes at rest.
    pub fn new(store: Arc<dyn Store>, config: Config, code_key: Vec<u8>) -> Result<Self> {
        if code_key.len() < 16 {
            return Err(Error::Internal(
                "the secret key must be at least 16 bytes".into(),
            ));
        }
        let hasher = Hasher::new(&config.password)?;
        let geoip = match &config.geoip_database {
            Some(path) => {
                Some(Arc::new(loginmeta::GeoIp::open(path).map_err(|e| {
                    Error::Internal(format!("geoip_database: {e}"))
                })?))
            }
            None => None,
        };
        let relying = relying_party(&config.public_url);
        let blobs = Arc::new(crate::files::Blobs::from_config(
            &config.files,
            &config.data_dir,
        )?);
        Ok(Self {
            blobs,
            scan_wake: Arc::new(Notify::new()),
            index_wake: Arc::new(Notify::new()),
            indexing: Arc::new(tokio::sync::Mutex::new(())),
            blocks: Arc::default(),
            relying,
            geoip,
            store,
            config: Arc::new(config),
            hasher,
            code_key: Arc::new(code_key),
            outbox_wake: Arc::new(Notify::new()),
            fanout: Arc::new(OnceLock::new()),
            node_id: crate::random::id().into(),
            writer: Arc::new(OnceLock::new()),
        })
    }

    /// Whether the database answers (the readiness probe).
    pub async fn ping(&self) -> Result<()> {
        Ok(self.store.ping().await?)
    }

    /// This node's id (see [`crate::chat::nodes`]).
    pub fn node_id(&self) -> &str {
        &self.node_id
    }

    /// `sqlite` or `postgres`.
    pub fn backend(&self) -> &'static str {
        self.store.backend()
    }

    /// HMAC-SHA256 of a code bound to the request it was issued for, hex.
    pub(crate) fn code_hash(&self, scope: &str, code: &str) -> String {
        // HMAC accepts keys of any length, so `new_from_slice` cannot fail here.
        let mut mac = match Hmac::<Sha256>::new_from_slice(&self.code_key) {
            Ok(m) => m,
            Err(_) => return String::new(),
        };
        mac.update(scope.as_bytes());
        mac.update(b":");
        mac.update(code.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// Constant-time comparison of a submitted code with a stored hash.
    pub(crate) fn code_matches(&self, scope: &str, code: &str, stored_hash: &str) -> bool {
        let candidate = self.code_hash(scope, code);
        !stored_hash.is_empty() && bool::from(candidate.as_bytes().ct_eq(stored_hash.as_bytes()))
    }
}

/// The relying party of the configured origin: its host is the rp id.
fn relying_party(public_url: &str) -> Option<Arc<webauthn::Relying>> {
    let origin = public_url.trim_end_matches('/');
    let host = origin.split_once("://")?.1.split(['/', ':']).next()?;
    match webauthn::Relying::new(host, "Wangshang", origin) {
        Ok(r) => Some(Arc::new(r)),
        Err(e) => {
            tracing::warn!(error = %e, public_url, "passkeys are off: public_url cannot host them");
            None
        }
    }
}

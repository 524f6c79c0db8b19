//! A local fake of an SMS gateway behind the `webhook` driver: it checks the signature the way a
//! real receiver must (HMAC-SHA256 over `timestamp + "." + body`), records what it accepted, and
//! can be told to fail, to answer slowly, or to be down.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use tokio::net::TcpListener;

/// How the gateway answers the next calls.
#[derive(Clone, Copy, Debug)]
pub enum Mode {
    Accept,
    /// Answers with this HTTP status.
    Fail(u16),
    /// Accepts, but only answers after this long (longer than the driver's timeout: the
    /// provider accepted the message, the sender never heard).
    AcceptSlowly(Duration),
}

#[derive(Default)]
struct Inner {
    mode: Option<Mode>,
    /// Every well-signed request, accepted or not.
    calls: Vec<Value>,
    /// Requests with a bad signature.
    forged: usize,
}

#[derive(Clone)]
pub struct WebhookFake {
    pub url: String,
    pub secret: String,
    inner: Arc<Mutex<Inner>>,
}

impl WebhookFake {
    /// Listens on a loopback port.
    pub async fn start(mode: Mode) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        Self::serve(listener, mode)
    }

    /// Listens on `addr` (to bring a gateway up where a "down" one was).
    pub async fn start_at(addr: SocketAddr, mode: Mode) -> Self {
        let listener = TcpListener::bind(addr).await.expect("bind the same port");
        Self::serve(listener, mode)
    }

    fn serve(listener: TcpListener, mode: Mode) -> Self {
        let addr = listener.local_addr().expect("addr");
        let fake = WebhookFake {
            url: format!("http://{addr}/sms"),
            secret: "webhook-test-secret-1".into(),
            inner: Arc::new(Mutex::new(Inner {
                mode: Some(mode),
                ..Inner::default()
            })),
        };
        let app = axum::Router::new()
            .route("/sms", post(receive))
            .with_state(fake.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        fake
    }

    pub fn set_mode(&self, mode: Mode) {
        self.inner.lock().expect("lock").mode = Some(mode);
    }

    /// The well-signed requests received so far.
    pub fn calls(&self) -> Vec<Value> {
        self.inner.lock().expect("lock").calls.clone()
    }

    pub fn forged(&self) -> usize {
        self.inner.lock().expect("lock").forged
    }

    /// Waits (up to 15 s) for `n` calls.
    pub async fn wait_for_calls(&self, n: usize) -> Vec<Value> {
        for _ in 0..300 {
            let c = self.calls();
            if c.len() >= n {
                return c;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the gateway did not receive {n} calls: {:?}", self.calls());
    }
}

async fn receive(
    State(fake): State<WebhookFake>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    let ts = header("x-wangshang-timestamp");
    let sig = header("x-wangshang-signature");
    let mut mac = Hmac::<Sha256>::new_from_slice(fake.secret.as_bytes()).expect("any key length");
    mac.update(ts.as_bytes());
    mac.update(b".");
    mac.update(&body);
    let expected = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
    if ts.is_empty() || sig != expected {
        fake.inner.lock().expect("lock").forged += 1;
        return (
            StatusCode::UNAUTHORIZED,
            r#"{"error":"bad signature"}"#.into(),
        );
    }
    let json: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let mode = {
        let mut inner = fake.inner.lock().expect("lock");
        inner.calls.push(json.clone());
        inner.mode.unwrap_or(Mode::Accept)
    };
    match mode {
        Mode::Accept => (
            StatusCode::OK,
            format!(r#"{{"id":"gw-{}"}}"#, json["id"].as_str().unwrap_or("")),
        ),
        Mode::Fail(code) => (
            StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            r#"{"error":"failed"}"#.into(),
        ),
        Mode::AcceptSlowly(d) => {
            tokio::time::sleep(d).await;
            (StatusCode::OK, r#"{"id":"late"}"#.into())
        }
    }
}

//! Test helpers: outbox messages, a recording fake HTTP server, a closed port.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::IntoResponse;
use domain::identifier::Channel;
use domain::messages::{Rendered, render};
use domain::store::OutboxMessage;
use serde_json::json;

/// A code message as the domain queues it.
pub fn code_msg(channel: Channel, destination: &str) -> (OutboxMessage, Rendered) {
    let params = json!({"code": "482913", "minutes": 10});
    let msg = domain::outbox::message(channel, destination, "register_code", "en", params, None);
    let rendered = render(&msg.template, &msg.locale, &msg.params);
    (msg, rendered)
}

/// One request as the fake received it, raw.
#[derive(Clone, Debug)]
pub struct Req {
    pub method: Method,
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Req {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

/// What the fake answers.
pub struct Resp {
    pub status: u16,
    pub body: String,
    pub delay: Duration,
}

impl Resp {
    pub fn json(status: u16, body: impl ToString) -> Resp {
        Resp {
            status,
            body: body.to_string(),
            delay: Duration::ZERO,
        }
    }

    /// Answers only after `d` (longer than the client's timeout: "accepted, then silence").
    pub fn after(mut self, d: Duration) -> Resp {
        self.delay = d;
        self
    }
}

/// A fake provider on 127.0.0.1:0 that records every request and counts calls.
pub struct Fake {
    pub url: String,
    pub calls: Arc<AtomicUsize>,
    pub requests: Arc<Mutex<Vec<Req>>>,
}

impl Fake {
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    pub fn last(&self) -> Req {
        self.requests.lock().unwrap().last().cloned().unwrap()
    }

    pub fn all(&self) -> Vec<Req> {
        self.requests.lock().unwrap().clone()
    }
}

pub async fn fake(respond: impl Fn(&Req) -> Resp + Send + Sync + 'static) -> Fake {
    let calls = Arc::new(AtomicUsize::new(0));
    let requests = Arc::new(Mutex::new(Vec::new()));
    let respond = Arc::new(respond);
    let (c, r) = (calls.clone(), requests.clone());
    let app = axum::Router::new().fallback(
        move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
            let (c, r, respond) = (c.clone(), r.clone(), respond.clone());
            async move {
                c.fetch_add(1, Ordering::SeqCst);
                let req = Req {
                    method,
                    path: uri.path().to_owned(),
                    query: uri.query().map(str::to_owned),
                    headers,
                    body: body.to_vec(),
                };
                r.lock().unwrap().push(req.clone());
                let resp = respond(&req);
                if !resp.delay.is_zero() {
                    tokio::time::sleep(resp.delay).await;
                }
                (
                    StatusCode::from_u16(resp.status).unwrap(),
                    [("content-type", "application/json;charset=utf-8")],
                    resp.body,
                )
                    .into_response()
            }
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    Fake {
        url,
        calls,
        requests,
    }
}

/// A loopback URL where nothing listens: bound, then released.
pub async fn refused_url() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}

/// Decodes `%XX` escapes (the providers' query strings never use `+` for space).
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

pub fn hmac256(key: &[u8], data: &[u8]) -> Vec<u8> {
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

pub fn sha256(data: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(data))
}

/// A driver config from TOML, as an operator writes it.
pub fn config(toml_text: &str) -> wangshang_delivery::DeliveryConfig {
    toml::from_str(toml_text).unwrap()
}

/// The router built from TOML with the default HTTP client.
pub fn router(toml_text: &str) -> wangshang_delivery::Router {
    let cfg = config(toml_text);
    let http = wangshang_delivery::http_client(&cfg).unwrap();
    wangshang_delivery::build(&cfg, http).unwrap().unwrap()
}

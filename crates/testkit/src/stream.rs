//! A WebSocket client of `GET /api/v1/stream`, for tests and the benchmark.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub struct StreamClient {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

/// How a stream ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Ended {
    Closed(Option<u16>),
    Timeout,
}

impl StreamClient {
    /// Connects with extra headers (e.g. `authorization`, `cookie`, `origin`); the server's answer
    /// status on refusal.
    pub async fn connect(
        base: &str,
        since: Option<i64>,
        headers: &[(&str, &str)],
    ) -> Result<Self, u16> {
        let ws_base = base.replacen("http", "ws", 1);
        let url = match since {
            Some(n) => format!("{ws_base}/api/v1/stream?since={n}"),
            None => format!("{ws_base}/api/v1/stream"),
        };
        let mut req = url.into_client_request().map_err(|_| 0u16)?;
        for (k, v) in headers {
            req.headers_mut().insert(
                tokio_tungstenite::tungstenite::http::HeaderName::from_bytes(k.as_bytes())
                    .map_err(|_| 0u16)?,
                HeaderValue::from_str(v).map_err(|_| 0u16)?,
            );
        }
        match tokio_tungstenite::connect_async(req).await {
            Ok((ws, _)) => Ok(Self { ws }),
            Err(WsError::Http(res)) => Err(res.status().as_u16()),
            Err(_) => Err(0),
        }
    }

    /// The next JSON frame, or how the stream ended.
    pub async fn next(&mut self, wait: Duration) -> Result<Value, Ended> {
        loop {
            let msg = match tokio::time::timeout(wait, self.ws.next()).await {
                Err(_) => return Err(Ended::Timeout),
                Ok(None) | Ok(Some(Err(_))) => return Err(Ended::Closed(None)),
                Ok(Some(Ok(m))) => m,
            };
            match msg {
                Message::Text(t) => {
                    return serde_json::from_str(t.as_str()).map_err(|_| Ended::Closed(None));
                }
                Message::Close(f) => {
                    return Err(Ended::Closed(f.map(|f| u16::from(f.code))));
                }
                _ => continue,
            }
        }
    }

    /// The next frame that carries a seq (skipping `hello`).
    pub async fn next_event(&mut self, wait: Duration) -> Result<Value, Ended> {
        loop {
            let f = self.next(wait).await?;
            if f.get("seq").is_some_and(|s| !s.is_null()) || f["type"] == "resync" {
                return Ok(f);
            }
        }
    }

    /// Sends a JSON frame (e.g. `message.send`).
    pub async fn send_json(&mut self, v: &Value) {
        self.ws
            .send(Message::Text(v.to_string().into()))
            .await
            .expect("frame sent");
    }

    /// The next frame of this `type` (skipping others).
    pub async fn next_of(&mut self, kind: &str, wait: Duration) -> Result<Value, Ended> {
        loop {
            let f = self.next(wait).await?;
            if f["type"] == kind {
                return Ok(f);
            }
        }
    }

    /// Closes from the client side.
    pub async fn close(mut self) {
        let _ = self
            .ws
            .close(Some(tokio_tungstenite::tungstenite::protocol::CloseFrame {
                code: CloseCode::Normal,
                reason: "bye".into(),
            }))
            .await;
    }

    /// Drops the connection without a close handshake, as a lost network would.
    pub fn drop_connection(self) {
        drop(self.ws);
    }
}

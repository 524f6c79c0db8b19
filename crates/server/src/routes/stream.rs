//! `GET /api/v1/stream`: the account's events over a WebSocket.
//!
//! On connect the socket subscribes to the hub first and then replays from the database
//! everything after `since`, so nothing falls between the two. Each frame carries the account's
//! seq; the socket sends each seq exactly once and in order: a live event that is not the next
//! one (a gap, or another node's hint) makes it read the missing ones from the database, and one
//! it already sent is skipped. Heartbeats ping the client, re-check the session (a revoked
//! session loses its socket) and catch up with the database in case a notification was lost.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message as Frame, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, header};
use axum::response::Response;
use axum::routing::get;
use futures_util::SinkExt;
use serde::Deserialize;

use domain::chat::Outgoing;
use domain::chat::stream::Replay;
use proto::chat::StreamFrame;
use serde_json::json;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiQuery, ClientInfo};
use crate::hub::{Push, frame_json};

/// `message.sent`: the answer to a `message.send`.
fn sent(client_msg_id: &str, m: &domain::store::Message, created: bool) -> String {
    control_frame(
        "message.sent",
        json!({"client_msg_id": client_msg_id, "message_id": m.id, "conversation_id": m.conversation_id,
               "seq": m.seq, "sent_at": domain::clock::rfc3339(m.sent_at), "created": created})
        .into(),
        None,
    )
}

/// `message.failed`: a refused `message.send`, with the problem's code and status.
fn failed(client_msg_id: Option<&str>, e: &ApiError) -> String {
    let p = e.problem();
    control_frame(
        "message.failed",
        json!({"client_msg_id": client_msg_id, "code": p.code, "status": p.status, "detail": p.detail})
        .into(),
        None,
    )
}

/// A frame without a seq: `hello`/`resync` (with `head`) and the answers to socket sends
/// (with `data`).
fn control_frame(kind: &str, data: Option<serde_json::Value>, head: Option<i64>) -> String {
    serde_json::to_string(&StreamFrame {
        seq: None,
        kind: kind.into(),
        conversation_id: None,
        message: None,
        data,
        head,
        at: None,
    })
    .unwrap_or_default()
}

/// Close code for a socket that fell behind: resume with `since`.
pub const LAGGING: u16 = 4008;
/// Close code for a revoked or expired session.
pub const SIGNED_OUT: u16 = 4001;
/// Messages one socket may have in flight (sent, not yet answered).
const IN_FLIGHT: usize = 64;
/// Most frames fed to a socket before one flush.
const WRITE_BATCH: usize = 64;
/// The least time between two typing signals of one socket in one conversation.
const TYPING_EVERY: Duration = Duration::from_secs(2);
/// Conversations one socket remembers typing in (forgotten all at once beyond this).
const TYPING_REMEMBERED: usize = 32;
/// The most typing signals one socket passes on per second, over all conversations (each is a
/// read of the database: a client naming many conversations cannot make it many more).
const TYPING_PER_SECOND: u32 = 5;

/// What a client may send: a message, as `POST /conversations/{id}/messages` takes it, or that
/// the member is typing in a conversation (never answered).
#[derive(Deserialize)]
#[serde(tag = "type", deny_unknown_fields)]
enum ClientFrame {
    #[serde(rename = "typing")]
    Typing { conversation_id: String },
    #[serde(rename = "message.send")]
    Send {
        conversation_id: String,
        client_msg_id: String,
        body: String,
        #[serde(default)]
        mentions: Vec<String>,
    },
}

pub fn router() -> Router<AppState> {
    Router::new().route("/stream", get(stream))
}

#[derive(Deserialize)]
pub struct StreamQuery {
    since: Option<i64>,
}

/// Opens the event stream. Authenticated by `Authorization: Bearer`, or by the web session cookie
/// when the request comes from this site's own pages (`Origin` equal to `public_url`).
#[utoipa::path(get, path = "/api/v1/stream", tag = "chat",
    params(("since" = Option<i64>, Query, minimum = 0, description = "The last seq the client handled; events after it are replayed first.")),
    responses((status = 101, description = "The WebSocket. Each text message from the server is one `StreamFrame`; a client may send `StreamSend` frames, answered by `message.sent` or `message.failed`, and `StreamTyping` frames (not answered; the conversation's other members get a `typing` frame without a seq, in conversations of up to 50 members). Close codes: 4001 signed out (the session ended), 4008 fell behind (reconnect with `since`).", body = proto::chat::StreamFrame), (status = 400, description = "websocket_required invalid_request"), (status = 401, description = "unauthenticated")),
    security(("bearer" = [])))]
pub async fn stream(
    State(s): State<AppState>,
    headers: HeaderMap,
    ClientInfo(client): ClientInfo,
    ApiQuery(q): ApiQuery<StreamQuery>,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    let token = session_token(&s, &headers).ok_or(domain::Error::Unauthenticated)?;
    let auth = s.app.authenticate(&token, &client.ip).await?;
    if q.since.is_some_and(|n| n < 0) {
        return Err(ApiError::invalid_request("since must not be negative"));
    }
    // Checked after the session, so that a caller without one learns only that.
    let ws = ws.map_err(|r| {
        ApiError::new(
            r.status(),
            "websocket_required",
            "WebSocket required",
            format!("Open this address as a WebSocket: {}", r.body_text()),
        )
    })?;
    Ok(ws
        // Clients send only pings, pongs and close frames: a small read buffer (zero-filled on
        // every read, so it is resident memory of each idle socket) grows when a frame needs it.
        .read_buffer_size(1024)
        .write_buffer_size(0)
        .max_message_size(64 * 1024)
        .on_upgrade(move |socket| async move {
            let mut conn = Conn {
                s,
                account_id: auth.account_id,
                token,
                ip: client.ip,
                blocked: HashSet::new(),
                socket,
                last: 0,
                typed: HashMap::new(),
                typing_window: (Instant::now(), 0),
            };
            if let Err(e) = conn.run(q.since).await {
                tracing::debug!(error = %e, "stream closed");
            }
        }))
}

/// The bearer token, or the session cookie of a same-origin page.
fn session_token(s: &AppState, headers: &HeaderMap) -> Option<String> {
    if let Some(t) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    {
        return Some(t.trim().to_owned());
    }
    let origin = headers.get(header::ORIGIN)?.to_str().ok()?;
    if origin != s.app.config.public_url.trim_end_matches('/') {
        return None;
    }
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == crate::web::ctx::SESSION)
        .map(|(_, v)| v.to_owned())
}

type Acks = (
    tokio::sync::mpsc::Sender<String>,
    tokio::sync::mpsc::Receiver<String>,
);

/// The next answer to a socket send; never, while nothing was sent.
async fn next_ack(acks: &mut Option<Acks>) -> Option<String> {
    match acks {
        Some((_, rx)) => rx.recv().await,
        None => std::future::pending().await,
    }
}

struct Conn {
    s: AppState,
    account_id: String,
    token: String,
    /// The address the socket came from (an enterprise's allowed networks judge it).
    ip: String,
    /// Conversations whose enterprise's policy keeps this session out: their events are left
    /// out (re-judged at every heartbeat and session re-check).
    blocked: HashSet<String>,
    socket: WebSocket,
    /// The last seq sent.
    last: i64,
    /// When this socket last passed on typing, per conversation.
    typed: HashMap<String, Instant>,
    /// The second this socket's typing signals are counted in, and how many it passed on.
    typing_window: (Instant, u32),
}

type Closed = Box<dyn std::error::Error + Send + Sync>;

impl Conn {
    async fn run(&mut self, since: Option<i64>) -> Result<(), Closed> {
        let hub = self.s.hub.clone();
        let (sub, mut rx) = hub.subscribe(&self.account_id);
        let result = self.serve(since, &mut rx).await;
        hub.unsubscribe(&self.account_id, sub);
        result
    }

    async fn serve(
        &mut self,
        since: Option<i64>,
        rx: &mut tokio::sync::mpsc::Receiver<Push>,
    ) -> Result<(), Closed> {
        // Subscribed now, so a later revocation reaches this socket; one revoked between the
        // upgrade's check and the subscription is caught here.
        if self.signed_out().await {
            return self.close(SIGNED_OUT, "signed out").await;
        }
        self.judge_policies().await;
        let head = self.s.app.stream_head(&self.account_id).await?;
        self.last = since.unwrap_or(head);
        self.send_control("hello", head).await?;
        self.catch_up().await?;
        let beat = Duration::from_secs(self.s.app.config.chat.heartbeat_secs.max(1));
        let mut ticker = tokio::time::interval(beat);
        ticker.tick().await;
        let mut missed_pongs = 0u32;
        // Answers to messages sent over this socket, written by the send tasks; made on the first
        // send, so an idle socket does not carry the channel.
        let mut acks: Option<Acks> = None;
        loop {
            tokio::select! {
                Some(ack) = next_ack(&mut acks) => {
                    self.socket.send(Frame::Text(ack.into())).await?;
                }
                push = rx.recv() => {
                    // What is queued behind this push goes out in the same write: frames are
                    // fed, then flushed once (a bounded batch, so acks and pings still interleave).
                    let mut next = push;
                    let mut batch = 0;
                    loop {
                        match next {
                            None => return self.close(LAGGING, "lagging").await,
                            Some(Push::Event { seq, json }) => {
                                if seq == self.last + 1 {
                                    if !self.withheld(&json) {
                                        self.socket.feed(Frame::Text(Utf8Bytes::from(&*json))).await?;
                                    }
                                    self.last = seq;
                                } else if seq > self.last {
                                    self.catch_up().await?;
                                }
                            }
                            Some(Push::Hint { seq }) => {
                                if seq > self.last {
                                    self.catch_up().await?;
                                }
                            }
                            Some(Push::Passing { json }) => {
                                if !self.withheld(&json) {
                                    self.socket.feed(Frame::Text(Utf8Bytes::from(&*json))).await?;
                                }
                            }
                            Some(Push::Recheck) => {
                                if self.signed_out().await {
                                    return self.close(SIGNED_OUT, "signed out").await;
                                }
                                self.judge_policies().await;
                            }
                        }
                        batch += 1;
                        match rx.try_recv() {
                            Ok(p) if batch < WRITE_BATCH => next = Some(p),
                            Ok(p) => {
                                self.socket.flush().await?;
                                batch = 0;
                                next = Some(p);
                            }
                            Err(_) => break,
                        }
                    }
                    self.socket.flush().await?;
                }
                incoming = self.socket.recv() => match incoming {
                    None | Some(Err(_)) | Some(Ok(Frame::Close(_))) => return Ok(()),
                    Some(Ok(Frame::Pong(_))) => missed_pongs = 0,
                    Some(Ok(Frame::Text(t))) => {
                        let (tx, _) = acks.get_or_insert_with(|| tokio::sync::mpsc::channel(IN_FLIGHT));
                        let tx = tx.clone();
                        self.client_frame(t.as_str(), &tx).await?;
                    }
                    Some(Ok(_)) => {}
                },
                _ = ticker.tick() => {
                    if missed_pongs >= 2 {
                        return self.close(1011, "no heartbeat").await;
                    }
                    if self.signed_out().await {
                        return self.close(SIGNED_OUT, "signed out").await;
                    }
                    self.judge_policies().await;
                    missed_pongs += 1;
                    self.socket.send(Frame::Ping(Default::default())).await?;
                    self.catch_up().await?;
                }
            }
        }
    }

    /// A frame from the client: `message.send` goes through the same group commit as the HTTP
    /// send, in its own task, and is answered with `message.sent` or `message.failed` (carrying
    /// the `client_msg_id`); anything else is answered `message.failed` with `invalid_request`.
    async fn client_frame(
        &mut self,
        text: &str,
        acks: &tokio::sync::mpsc::Sender<String>,
    ) -> Result<(), Closed> {
        let frame: ClientFrame = match serde_json::from_str(text) {
            Ok(f) => f,
            Err(e) => {
                let err = ApiError::invalid_request(format!("unknown frame: {e}"));
                return self.send_text(failed(None, &err)).await;
            }
        };
        let (conversation_id, client_msg_id, body, mentions) = match frame {
            ClientFrame::Typing { conversation_id } => {
                self.typing(conversation_id);
                return Ok(());
            }
            ClientFrame::Send {
                conversation_id,
                client_msg_id,
                body,
                mentions,
            } => (conversation_id, client_msg_id, body, mentions),
        };
        // A full answer queue means too many sends in flight: refuse rather than queue more.
        let Ok(permit) = acks.clone().try_reserve_owned() else {
            let err = ApiError::from(domain::Error::Throttled { retry_after: 1 });
            return self.send_text(failed(Some(&client_msg_id), &err)).await;
        };
        let app = self.s.app.clone();
        let (token, ip) = (self.token.clone(), self.ip.clone());
        tokio::spawn(async move {
            let cid = client_msg_id.clone();
            // The session as it is now: an enterprise's policy judges each send.
            let sent_now = match app.authenticate(&token, &ip).await {
                Ok(sender) => {
                    app.send_message(Outgoing {
                        conversation_id,
                        sender,
                        client_msg_id,
                        body,
                        mentions,
                        attachment: None,
                    })
                    .await
                }
                Err(e) => Err(e),
            };
            let answer = match sent_now {
                Ok((m, created)) => sent(&cid, &m, created),
                Err(e) => failed(Some(&cid), &ApiError::from(e)),
            };
            permit.send(answer);
        });
        Ok(())
    }

    /// Passes on that the member is typing, at most once per [`TYPING_EVERY`] and conversation
    /// (a client repeats it while typing goes on) and [`TYPING_PER_SECOND`] in all; a refusal is
    /// not answered.
    fn typing(&mut self, conversation_id: String) {
        let now = Instant::now();
        if self
            .typed
            .get(&conversation_id)
            .is_some_and(|at| now.duration_since(*at) < TYPING_EVERY)
        {
            return;
        }
        if now.duration_since(self.typing_window.0) >= Duration::from_secs(1) {
            self.typing_window = (now, 0);
        }
        if self.typing_window.1 >= TYPING_PER_SECOND {
            return;
        }
        self.typing_window.1 += 1;
        if self.typed.len() >= TYPING_REMEMBERED {
            self.typed.clear();
        }
        self.typed.insert(conversation_id.clone(), now);
        let app = self.s.app.clone();
        let (token, ip) = (self.token.clone(), self.ip.clone());
        tokio::spawn(async move {
            if let Ok(caller) = app.authenticate(&token, &ip).await
                && let Err(e) = app.typing(&caller, &conversation_id).await
            {
                tracing::debug!(error = %e, "typing not passed on");
            }
        });
    }

    async fn send_text(&mut self, text: String) -> Result<(), Closed> {
        self.socket.send(Frame::Text(text.into())).await?;
        Ok(())
    }

    /// Asks the enterprises' policies which conversations this session may not see now (a
    /// database hiccup keeps the last answer).
    async fn judge_policies(&mut self) {
        if let Ok(auth) = self.s.app.authenticate(&self.token, &self.ip).await
            && let Ok(blocked) = self.s.app.blocked_conversations(&auth).await
        {
            self.blocked = blocked;
        }
    }

    /// Whether a rendered event belongs to a conversation this session may not see.
    fn withheld(&self, json: &str) -> bool {
        if self.blocked.is_empty() {
            return false;
        }
        #[derive(Deserialize)]
        struct Head {
            conversation_id: Option<String>,
        }
        serde_json::from_str::<Head>(json)
            .ok()
            .and_then(|h| h.conversation_id)
            .is_some_and(|c| self.blocked.contains(&c))
    }

    /// Whether the socket's session was revoked or expired (a database hiccup is not that).
    async fn signed_out(&mut self) -> bool {
        matches!(
            self.s.app.authenticate(&self.token, &self.ip).await,
            Err(domain::Error::Unauthenticated)
        )
    }

    /// Sends every stored event after `last`, or `resync` when some are gone. A database that
    /// cannot be read right now (restarting, failing over) does not end the socket: `last`
    /// stays, and the next event, hint or heartbeat catches up from there.
    async fn catch_up(&mut self) -> Result<(), Closed> {
        loop {
            let replay = match self.s.app.replay(&self.account_id, self.last).await {
                Ok(r) => r,
                Err(e) => {
                    tracing::warn!(error = %e, "stream catch-up failed; retrying with the next event");
                    return Ok(());
                }
            };
            match replay {
                Replay::Resync { head } => {
                    self.send_control("resync", head).await?;
                    self.last = head;
                    return Ok(());
                }
                Replay::Events(events) => {
                    let full = events.len() as u32 >= domain::chat::stream::REPLAY_PAGE;
                    for e in &events {
                        let withheld = e
                            .conversation_id
                            .as_ref()
                            .is_some_and(|c| self.blocked.contains(c));
                        if !withheld {
                            self.socket.feed(Frame::Text(frame_json(e).into())).await?;
                        }
                        self.last = e.seq;
                    }
                    self.socket.flush().await?;
                    if !full {
                        return Ok(());
                    }
                }
            }
        }
    }

    async fn send_control(&mut self, kind: &str, head: i64) -> Result<(), Closed> {
        self.send_text(control_frame(kind, None, Some(head))).await
    }

    async fn close(&mut self, code: u16, reason: &'static str) -> Result<(), Closed> {
        self.socket
            .send(Frame::Close(Some(CloseFrame {
                code,
                reason: reason.into(),
            })))
            .await?;
        Ok(())
    }
}

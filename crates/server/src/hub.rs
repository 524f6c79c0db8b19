//! The WebSocket hub: each open stream socket subscribes to its account here, and committed
//! events are pushed to it. Queues are bounded; a socket that falls behind is dropped from the
//! hub (its task then closes the socket and the client resumes with `since`), so a slow consumer
//! never slows anyone else. Events from other nodes arrive as hints (`NOTIFY`), and the socket
//! reads them from the database.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;

use domain::chat::Fanout;
use domain::clock::to_datetime;
use domain::store::StreamEvent;
use proto::chat::StreamFrame;

use crate::routes::conversations::message_view;

/// What reaches a socket.
#[derive(Debug)]
pub enum Push {
    /// A committed event of this node, rendered.
    Event { seq: i64, json: Arc<str> },
    /// Another node moved the stream to `seq`: read it from the database.
    Hint { seq: i64 },
    /// Sessions of the account were revoked: check this socket's session now.
    Recheck,
    /// A passing signal (typing), rendered: sent as it is, with no seq, never replayed.
    Passing { json: Arc<str> },
}

struct Sub {
    id: u64,
    tx: mpsc::Sender<Push>,
}

pub struct Hub {
    subs: Mutex<HashMap<String, Vec<Sub>>>,
    next_id: AtomicU64,
    queue: usize,
}

impl Hub {
    pub fn new(queue: usize) -> Self {
        Self {
            subs: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(1),
            queue: queue.max(1),
        }
    }

    /// Subscribes a socket; dropping the receiver (or [`Hub::unsubscribe`]) ends it.
    pub fn subscribe(&self, account_id: &str) -> (u64, mpsc::Receiver<Push>) {
        let (tx, rx) = mpsc::channel(self.queue);
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.lock()
            .entry(account_id.to_owned())
            .or_default()
            .push(Sub { id, tx });
        (id, rx)
    }

    pub fn unsubscribe(&self, account_id: &str, id: u64) {
        let mut subs = self.lock();
        if let Some(list) = subs.get_mut(account_id) {
            list.retain(|s| s.id != id);
            if list.is_empty() {
                subs.remove(account_id);
            }
        }
    }

    /// Open sockets, for metrics.
    pub fn sockets(&self) -> usize {
        self.lock().values().map(Vec::len).sum()
    }

    /// Another node's event: the account's sockets catch up from the database.
    pub fn hint(&self, account_id: &str, seq: i64) {
        self.push(account_id, || Push::Hint { seq });
    }

    /// Every socket reads its stream from the database now (announcements may have been missed:
    /// the listener lost its connection and has just listened again).
    pub fn catch_up_all(&self) {
        let accounts: Vec<String> = self.lock().keys().cloned().collect();
        for account_id in accounts {
            self.push(&account_id, || Push::Hint { seq: i64::MAX });
        }
    }

    /// Sends to every socket of the account; a full or closed queue drops that socket.
    fn push(&self, account_id: &str, make: impl Fn() -> Push) {
        let mut subs = self.lock();
        let Some(list) = subs.get_mut(account_id) else {
            return;
        };
        list.retain(|s| s.tx.try_send(make()).is_ok());
        if list.is_empty() {
            subs.remove(account_id);
        }
    }

    /// Sends a passing signal to every socket of the accounts; a socket whose queue is full
    /// misses it (it is not worth dropping the socket for).
    fn pass(&self, to: &[String], json: &Arc<str>) {
        let subs = self.lock();
        for account_id in to {
            for s in subs.get(account_id).into_iter().flatten() {
                let _ = s.tx.try_send(Push::Passing { json: json.clone() });
            }
        }
    }

    fn has(&self, account_id: &str) -> bool {
        self.lock().contains_key(account_id)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<Sub>>> {
        // A panic while holding this lock cannot leave the map inconsistent (every change is a
        // single insert or retain), so a poisoned lock is used as is.
        self.subs.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Fanout for Hub {
    fn sessions_revoked(&self, account_id: &str) {
        self.push(account_id, || Push::Recheck);
    }

    fn typing(&self, to: &[String], conversation_id: &str, account_id: &str) {
        let json: Arc<str> = serde_json::to_string(&StreamFrame {
            seq: None,
            kind: domain::chat::typing::TYPING.into(),
            conversation_id: Some(conversation_id.to_owned()),
            message: None,
            data: Some(serde_json::json!({ "account_id": account_id })),
            head: None,
            at: None,
        })
        .unwrap_or_default()
        .into();
        self.pass(to, &json);
    }

    fn deliver(&self, account_id: &str, event: &StreamEvent) {
        if !self.has(account_id) {
            return;
        }
        let json: Arc<str> = frame_json(event).into();
        let seq = event.seq;
        self.push(account_id, || Push::Event {
            seq,
            json: json.clone(),
        });
    }

    fn deliver_all(&self, events: &[(String, StreamEvent)]) {
        // The same event told to many accounts is rendered once; each account's frame is that
        // rendering with its own seq in front.
        let mut bodies: HashMap<SharedKey<'_>, Arc<str>> = HashMap::new();
        for (account_id, e) in events {
            if !self.has(account_id) {
                continue;
            }
            let key = (
                e.kind.as_str(),
                e.conversation_id.as_deref(),
                e.message.as_ref().map(|m| m.id.as_str()),
                e.data.as_deref(),
                e.created_at,
            );
            let body = bodies
                .entry(key)
                .or_insert_with(|| frame_body(e).into())
                .clone();
            let json: Arc<str> = with_seq(e.seq, &body).into();
            let seq = e.seq;
            self.push(account_id, || Push::Event {
                seq,
                json: json.clone(),
            });
        }
    }
}

/// What makes two events of one commit the same but for their seq.
type SharedKey<'a> = (
    &'a str,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    i64,
);

/// An event's frame without its seq (`{"type":…}`).
fn frame_body(e: &StreamEvent) -> String {
    let mut f = frame(e);
    f.seq = None;
    serde_json::to_string(&f).unwrap_or_default()
}

/// `body` with `seq` as its first field: the same text `frame_json` makes, as `seq` is the
/// frame's first field.
fn with_seq(seq: i64, body: &str) -> String {
    let rest = body.strip_prefix('{').unwrap_or(body);
    format!("{{\"seq\":{seq},{rest}")
}

/// The wire frame of a stored event.
pub fn frame(e: &StreamEvent) -> StreamFrame {
    StreamFrame {
        seq: Some(e.seq),
        kind: e.kind.clone(),
        conversation_id: e.conversation_id.clone(),
        message: e.message.as_ref().map(message_view),
        data: e.data.as_deref().and_then(|d| serde_json::from_str(d).ok()),
        head: None,
        at: Some(to_datetime(e.created_at)),
    }
}

pub fn frame_json(e: &StreamEvent) -> String {
    serde_json::to_string(&frame(e)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn event(seq: i64) -> StreamEvent {
        StreamEvent {
            seq,
            kind: "read.updated".into(),
            conversation_id: Some("c".into()),
            data: Some(r#"{"account_id":"a","read_seq":1}"#.into()),
            message: None,
            created_at: 0,
        }
    }

    #[tokio::test]
    async fn a_slow_socket_is_dropped_and_never_slows_the_others() {
        let hub = Hub::new(2);
        let (_, mut slow) = hub.subscribe("a");
        let (_, mut fast) = hub.subscribe("a");
        for seq in 1..=2 {
            hub.deliver("a", &event(seq));
            assert!(matches!(fast.recv().await, Some(Push::Event { seq: s, .. }) if s == seq));
        }
        // The slow one has two queued; the third overflows it: it is dropped, the fast one gets it.
        hub.deliver("a", &event(3));
        assert!(matches!(
            fast.recv().await,
            Some(Push::Event { seq: 3, .. })
        ));
        assert!(matches!(
            slow.recv().await,
            Some(Push::Event { seq: 1, .. })
        ));
        assert!(matches!(
            slow.recv().await,
            Some(Push::Event { seq: 2, .. })
        ));
        assert!(
            slow.recv().await.is_none(),
            "closed: the socket resumes with since"
        );
        assert_eq!(hub.sockets(), 1);
    }

    #[test]
    fn a_shared_rendering_with_its_seq_is_the_full_frame() {
        let mut e = event(42);
        assert_eq!(with_seq(42, &frame_body(&e)), frame_json(&e));
        e.data = None;
        e.conversation_id = None;
        assert_eq!(
            with_seq(7, &frame_body(&e)),
            frame_json(&StreamEvent { seq: 7, ..e })
        );
    }

    #[tokio::test]
    async fn one_commit_for_many_accounts_gives_each_its_own_seq() {
        let hub = Hub::new(4);
        let (_, mut a) = hub.subscribe("a");
        let (_, mut b) = hub.subscribe("b");
        hub.deliver_all(&[("a".into(), event(3)), ("b".into(), event(8))]);
        for (rx, want) in [(&mut a, 3), (&mut b, 8)] {
            let Some(Push::Event { seq, json }) = rx.recv().await else {
                panic!("an event")
            };
            let v: serde_json::Value = serde_json::from_str(&json).unwrap();
            assert_eq!((seq, v["seq"].as_i64()), (want, Some(want)));
            assert_eq!(v["data"]["read_seq"].as_i64(), Some(1));
        }
    }

    #[tokio::test]
    async fn frames_carry_the_account_seq_and_the_event_data() {
        let hub = Hub::new(4);
        let (id, mut rx) = hub.subscribe("a");
        hub.deliver("b", &event(9));
        hub.deliver("a", &event(7));
        let Some(Push::Event { seq, json }) = rx.recv().await else {
            panic!("an event")
        };
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!((seq, v["seq"].as_i64()), (7, Some(7)));
        assert_eq!(
            (v["type"].as_str(), v["data"]["read_seq"].as_i64()),
            (Some("read.updated"), Some(1))
        );
        hub.unsubscribe("a", id);
        assert_eq!(hub.sockets(), 0);
    }
}

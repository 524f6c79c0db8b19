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

//! The unit of work: every public flow runs in exactly one transaction, obtained here and nowhere
//! else ([`Wangshang::write`] or [`Wangshang::read`]). Helpers take the open [`Unit`] and never
//! open their own; they cannot commit it either (only its owner holds it by value).
//!
//! Effects that must follow the commit — waking the delivery worker, pushing stream events to
//! sockets, closing the sockets of revoked sessions — are registered on the unit and run only
//! after it commits. A unit dropped without [`Unit::commit`] rolls back and its effects vanish
//! with it, so an error anywhere in a flow leaves nothing behind.
//!
//! The one deliberate exception, a wrong-attempt counter that must persist although the flow
//! fails, is spelled [`Unit::commit_err`]: commit, then return the error.
//!
//! Nesting — opening a second unit in a task that holds one — would wait forever for SQLite's
//! single writer (or a pooled connection) held by the same task. Debug builds refuse it at run
//! time with an error naming the problem.
//!
//! Argon2 never runs inside a write unit (it would hold SQLite's single writer for tens of
//! milliseconds). So the flows that hash or verify a password — sign-up, login, password change
//! and reset, the support desk's completion, re-authentication before a sensitive change — may
//! read what the hash needs in a read-only unit first ("prepare"), hash with no unit open, and
//! then apply everything in one write unit that checks again what it relies on ("apply"). The
//! writes of a flow are always in one unit; the credential check of `reauthenticate` (a lock
//! check, the hash, a failure counted) is a gate before the flow, like authentication.

use std::ops::{Deref, DerefMut};
use std::sync::{Arc, OnceLock};

use tokio::sync::Notify;

use crate::app::Wangshang;
use crate::chat::Fanout;
use crate::chat::nodes::{self, Notice};
use crate::clock::Millis;
use crate::error::{Error, Result};
use crate::store::{OutboxMessage, StreamEvent, Tx};

/// One open transaction and the effects to run once it commits.
pub struct Unit {
    tx: Box<dyn Tx>,
    after: AfterCommit,
    sinks: Sinks,
    _nest: nest::Guard,
}

/// What a committed unit sets in motion.
#[derive(Default)]
struct AfterCommit {
    wake_outbox: bool,
    deliveries: Vec<(String, StreamEvent)>,
    signed_out: Vec<String>,
}

/// Where the effects go: the delivery worker and the server's socket hub.
#[derive(Clone)]
pub(crate) struct Sinks {
    /// This node's id in what it announces to the others.
    pub node: Arc<str>,
    pub outbox_wake: Arc<Notify>,
    pub fanout: Arc<OnceLock<Arc<dyn Fanout>>>,
    pub blocks: Arc<crate::policy::blocks::BlockNotes>,
}

impl Unit {
    /// A message was queued in the outbox: wake the delivery worker after commit.
    pub fn wake_outbox(&mut self) {
        self.after.wake_outbox = true;
    }

    /// Stream events written in this unit: push them to open sockets after commit.
    pub fn deliver(&mut self, events: impl IntoIterator<Item = (String, StreamEvent)>) {
        self.after.deliveries.extend(events);
    }

    /// Sessions of the account were revoked in this unit: its sockets re-check theirs after
    /// commit (a revoked session's socket closes at once).
    pub fn signed_out(&mut self, account_id: &str) {
        if !self.after.signed_out.iter().any(|a| a == account_id) {
            self.after.signed_out.push(account_id.to_owned());
        }
    }

    /// An enterprise's policy refused the account: noted for the enterprise's audit log, which
    /// a background task writes (this unit may be a read, or be rolled back by the refusal).
    pub fn note_blocked(&self, org_id: &str, account_id: &str, code: &'static str, now: Millis) {
        self.sinks.blocks.note(org_id, account_id, code, now);
    }

    /// Tells the other nodes (at commit, so only if this unit commits).
    pub async fn announce(&mut self, notices: &[Notice]) -> Result<()> {
        for payload in nodes::encode(&self.sinks.node, notices) {
            self.tx.notify_streams(&payload).await?;
        }
        Ok(())
    }

    /// Queues a message in the outbox; the delivery worker is woken after commit.
    pub async fn enqueue(&mut self, m: &OutboxMessage) -> Result<()> {
        self.tx.enqueue(m).await?;
        self.wake_outbox();
        Ok(())
    }

    /// Revokes one session of the account; its socket closes after commit.
    pub async fn revoke_session(
        &mut self,
        account_id: &str,
        id: &str,
        now: Millis,
    ) -> Result<bool> {
        let revoked = self.tx.revoke_session(account_id, id, now).await?;
        if revoked {
            self.signed_out(account_id);
            self.announce(&[Notice::Revoked {
                account_id: account_id.to_owned(),
            }])
            .await?;
        }
        Ok(revoked)
    }

    /// Revokes every session of the account except `keep`; their sockets close after commit.
    pub async fn revoke_sessions(
        &mut self,
        account_id: &str,
        keep: Option<&str>,
        now: Millis,
    ) -> Result<u64> {
        let n = self.tx.revoke_sessions(account_id, keep, now).await?;
        if n > 0 {
            self.signed_out(account_id);
            self.announce(&[Notice::Revoked {
                account_id: account_id.to_owned(),
            }])
            .await?;
        }
        Ok(n)
    }

    /// Commits, then runs the registered effects.
    pub async fn commit(self) -> Result<()> {
        let Unit {
            tx, after, sinks, ..
        } = self;
        tx.commit().await?;
        if after.wake_outbox {
            sinks.outbox_wake.notify_one();
        }
        if let Some(f) = sinks.fanout.get() {
            if !after.deliveries.is_empty() {
                f.deliver_all(&after.deliveries);
            }
            for account_id in &after.signed_out {
                f.sessions_revoked(account_id);
            }
        }
        Ok(())
    }

    /// Commits what the unit wrote so far, then fails with `err`: for state that must persist
    /// although the flow is refused (a wrong code's attempt counter, a failed login's count).
    pub async fn commit_err<T>(self, err: Error) -> Result<T> {
        self.commit().await?;
        Err(err)
    }
}

impl Deref for Unit {
    type Target = dyn Tx;

    fn deref(&self) -> &Self::Target {
        &*self.tx
    }
}

impl DerefMut for Unit {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut *self.tx
    }
}

impl Wangshang {
    /// Opens the flow's read-write unit.
    pub async fn write(&self) -> Result<Unit> {
        let nest = nest::Guard::enter()?;
        let tx = self.store.write().await?;
        Ok(self.unit(tx, nest))
    }

    /// Opens the flow's read-only unit (a snapshot; writes through it fail).
    pub async fn read(&self) -> Result<Unit> {
        let nest = nest::Guard::enter()?;
        let tx = self.store.read().await?;
        Ok(self.unit(tx, nest))
    }

    /// A read-only unit for a single statement, without a transaction around it (cheaper on
    /// SQLite); only for reads that need no snapshot across statements.
    pub async fn read_one(&self) -> Result<Unit> {
        let nest = nest::Guard::enter()?;
        let tx = self.store.read_one().await?;
        Ok(self.unit(tx, nest))
    }

    fn unit(&self, tx: Box<dyn Tx>, nest: nest::Guard) -> Unit {
        Unit {
            tx,
            after: AfterCommit::default(),
            sinks: Sinks {
                node: self.node_id.clone(),
                outbox_wake: self.outbox_wake.clone(),
                fanout: self.fanout.clone(),
                blocks: self.blocks.clone(),
            },
            _nest: nest,
        }
    }
}

/// The run-time refusal of nested units, in debug builds: the tokio tasks that hold a unit.
#[cfg(debug_assertions)]
mod nest {
    use std::collections::HashSet;
    use std::sync::{Mutex, OnceLock};

    use tokio::task::Id;

    use crate::error::{Error, Result};

    fn holders() -> &'static Mutex<HashSet<Id>> {
        static HOLDERS: OnceLock<Mutex<HashSet<Id>>> = OnceLock::new();
        HOLDERS.get_or_init(Default::default)
    }

    pub struct Guard(Option<Id>);

    impl Guard {
        pub fn enter() -> Result<Self> {
            // Outside a tokio task (a plain `block_on`) there is nothing to track.
            let Some(id) = tokio::task::try_id() else {
                return Ok(Guard(None));
            };
            let mut set = holders().lock().unwrap_or_else(|p| p.into_inner());
            if !set.insert(id) {
                return Err(Error::Internal(
                    "nested unit of work: this task already holds an open transaction".into(),
                ));
            }
            Ok(Guard(Some(id)))
        }
    }

    impl Drop for Guard {
        fn drop(&mut self) {
            if let Some(id) = self.0 {
                holders()
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .remove(&id);
            }
        }
    }
}

#[cfg(not(debug_assertions))]
mod nest {
    use crate::error::Result;

    pub struct Guard;

    impl Guard {
        pub fn enter() -> Result<Self> {
            Ok(Guard)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// Every file of the domain (the only crate that can reach the store).
    fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                sources(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).unwrap_or_default();
                out.push((p.display().to_string(), text));
            }
        }
    }

    /// The lint behind "obtained in one place": no code outside this module opens a
    /// transaction on the store, so no flow can run two by accident.
    #[test]
    fn only_the_unit_module_opens_transactions() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        sources(&root, &mut files);
        assert!(files.len() > 20, "the domain's sources were not found");
        let opens = [
            "store.write(",
            "store.read(",
            "store.read_one(",
            "store\n            .write(",
            "store\n            .read(",
        ];
        let offenders: Vec<&str> = files
            .iter()
            .filter(|(path, _)| !path.ends_with("unit.rs"))
            .filter(|(_, text)| opens.iter().any(|o| text.contains(o)))
            .map(|(path, _)| path.as_str())
            .collect();
        assert!(
            offenders.is_empty(),
            "transactions opened outside domain::unit: {offenders:?}"
        );
        // And the store itself is out of reach of the other crates.
        let app = files
            .iter()
            .find(|(p, _)| p.ends_with("app.rs"))
            .map(|(_, t)| t.as_str())
            .unwrap_or_default();
        assert!(app.contains("pub(crate) store: Arc<dyn Store>"));
    }
}

//! Policy refusals in the enterprise's audit log. The gate refuses on read paths too (a page, a
//! search, a socket's heartbeat), which write nothing; so a refusal is noted here and written
//! shortly after by [`Wangshang::write_policy_blocks`] (the server's background task), once per
//! member, enterprise and rule an hour on each node: a member who keeps reloading a blocked page
//! writes one line, not hundreds. Notes not yet written when a node stops are lost; the rule
//! itself never depends on them.

use std::collections::HashMap;
use std::sync::Mutex;

use tokio::sync::Notify;

use super::audit;
use crate::app::Wangshang;
use crate::clock::{HOUR, Millis};
use crate::error::Result;

/// The audit kind of a refusal by `code` (a problem code of the gate).
pub fn kind_of(code: &str) -> String {
    format!("org_blocked_{code}")
}

/// Most refusals kept waiting to be written (beyond, new ones are dropped until the next write).
const MAX_PENDING: usize = 1000;
/// Most (member, enterprise, rule) keys remembered for the hourly limit before old ones go.
const MAX_REMEMBERED: usize = 10_000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Block {
    pub org_id: String,
    pub account_id: String,
    pub code: &'static str,
    pub at: Millis,
}

#[derive(Default)]
struct Noted {
    pending: Vec<Block>,
    last: HashMap<(String, String, &'static str), Millis>,
}

/// This node's refusals waiting to be written.
#[derive(Default)]
pub struct BlockNotes {
    noted: Mutex<Noted>,
    wake: Notify,
}

impl BlockNotes {
    /// Notes a refusal, unless the same one was noted within the hour.
    pub(crate) fn note(&self, org_id: &str, account_id: &str, code: &'static str, now: Millis) {
        let mut n = self.lock();
        let key = (org_id.to_owned(), account_id.to_owned(), code);
        if n.last.get(&key).is_some_and(|t| now - t < HOUR) || n.pending.len() >= MAX_PENDING {
            return;
        }
        if n.last.len() >= MAX_REMEMBERED {
            n.last.retain(|_, t| now - *t < HOUR);
        }
        n.last.insert(key, now);
        n.pending.push(Block {
            org_id: org_id.to_owned(),
            account_id: account_id.to_owned(),
            code,
            at: now,
        });
        drop(n);
        self.wake.notify_one();
    }

    fn take(&self) -> Vec<Block> {
        std::mem::take(&mut self.lock().pending)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Noted> {
        // Every change under this lock is a single push, insert or retain: a poisoned lock
        // leaves nothing half-done, so it is used as is.
        self.noted.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Wangshang {
    /// Resolves when a refusal was noted (the background task then writes it).
    pub async fn policy_blocks_noted(&self) {
        self.blocks.wake.notified().await;
    }

    /// Writes the noted refusals to their enterprises' audit logs, in one unit; how many.
    pub async fn write_policy_blocks(&self) -> Result<usize> {
        let blocks = self.blocks.take();
        if blocks.is_empty() {
            return Ok(0);
        }
        let mut tx = self.write().await?;
        for b in &blocks {
            let kind = kind_of(b.code);
            audit(
                &mut tx,
                &b.org_id,
                &b.account_id,
                Some(&b.account_id),
                &kind,
                b.at,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(blocks.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_per_member_enterprise_and_rule_an_hour() {
        let notes = BlockNotes::default();
        let t = 1_000_000;
        notes.note("o1", "a1", "policy_network", t);
        notes.note("o1", "a1", "policy_network", t + 1000);
        notes.note("o1", "a1", "policy_requires_2fa", t + 1000);
        notes.note("o2", "a1", "policy_network", t + 1000);
        notes.note("o1", "a2", "policy_network", t + 1000);
        assert_eq!(notes.take().len(), 4);
        notes.note("o1", "a1", "policy_network", t + HOUR - 1);
        assert!(notes.take().is_empty());
        notes.note("o1", "a1", "policy_network", t + HOUR);
        assert_eq!(
            notes.take(),
            vec![Block {
                org_id: "o1".into(),
                account_id: "a1".into(),
                code: "policy_network",
                at: t + HOUR
            }]
        );
    }

    #[test]
    fn the_waiting_list_is_bounded() {
        let notes = BlockNotes::default();
        for i in 0..(MAX_PENDING + 50) {
            notes.note("o1", &format!("a{i}"), "policy_network", 1);
        }
        assert_eq!(notes.take().len(), MAX_PENDING);
    }
}

//! Sending messages through a group commit: concurrent sends queue here, and one task writes
//! whatever is queued in a single transaction — membership check, idempotency, the conversation
//! seqs, the messages and every member's stream event — so the database sees one commit for many
//! messages instead of one each. A batch that fails as a whole is retried one message at a time,
//! so one bad message cannot fail its neighbours.

use std::collections::{HashMap, HashSet};

use tokio::sync::{mpsc, oneshot};

use super::messages::MAX_BODY;
use super::{kind, notify_others, parse_text};
use crate::app::Wangshang;
use crate::clock::now_ms;
use crate::error::{Error, Result};
use crate::policy;
use crate::random;
use crate::sessions::Authenticated;
use crate::store::{Attachment, FileRecord, Message, NewStreamEvent, StreamEvent};

/// Longest `client_msg_id`.
const MAX_CLIENT_ID: usize = 64;
/// Most mentions in one message.
const MAX_MENTIONS: usize = 50;

/// A message to send.
#[derive(Clone, Debug)]
pub struct Outgoing {
    pub conversation_id: String,
    /// The sender's session: the enterprise's policy judges it.
    pub sender: Authenticated,
    pub client_msg_id: String,
    pub body: String,
    pub mentions: Vec<String>,
    /// A file (stored already) the message carries; the body is then an optional caption.
    pub attachment: Option<Attachment>,
}

/// The sent message and whether this call created it (`false`: a repeated `client_msg_id`).
type Sent = Result<(Message, bool)>;

struct Job {
    out: Outgoing,
    reply: oneshot::Sender<Sent>,
}

/// The queue in front of the batching task.
pub struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    fn start(app: Wangshang) -> Self {
        let (jobs, rx) = mpsc::channel(app.config.chat.max_batch.max(1) * 8);
        tokio::spawn(run(app, rx));
        Self { jobs }
    }
}

async fn run(app: Wangshang, mut rx: mpsc::Receiver<Job>) {
    let max = app.config.chat.max_batch.max(1);
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        while jobs.len() < max {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        match app.write_batch(&jobs).await {
            Ok(results) => {
                for (job, result) in jobs.into_iter().zip(results) {
                    let _ = job.reply.send(result);
                }
            }
            Err(e) if jobs.len() == 1 => {
                if let Some(job) = jobs.pop() {
                    let _ = job.reply.send(Err(e));
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, size = jobs.len(), "message batch failed; retrying one by one");
                for job in jobs {
                    let one = std::slice::from_ref(&job);
                    let result = match app.write_batch(one).await {
                        Ok(mut results) => results
                            .pop()
                            .unwrap_or_else(|| Err(Error::Internal("empty batch".into()))),
                        Err(e) => Err(e),
                    };
                    let _ = job.reply.send(result);
                }
            }
        }
    }
}

impl Wangshang {
    /// Sends a text message. A repeated `client_msg_id` of the same sender returns the first
    /// message and creates nothing.
    pub async fn send_message(&self, out: Outgoing) -> Sent {
        let body = if out.attachment.is_some() && out.body.trim().is_empty() {
            String::new()
        } else {
            parse_text(&out.body, MAX_BODY, "body")?
        };
        let cid = out.client_msg_id.trim();
        if cid.is_empty()
            || cid.len() > MAX_CLIENT_ID
            || !cid
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'))
        {
            return Err(Error::InvalidRequest(format!(
                "client_msg_id must be 1–{MAX_CLIENT_ID} characters of letters, digits and - _ . :"
            )));
        }
        let mut mentions = out.mentions.clone();
        mentions.sort();
        mentions.dedup();
        if mentions.len() > MAX_MENTIONS {
            return Err(Error::InvalidRequest(format!(
                "at most {MAX_MENTIONS} mentions"
            )));
        }
        let out = Outgoing {
            body,
            client_msg_id: cid.to_owned(),
            mentions,
            ..out
        };
        let writer = self.writer.get_or_init(|| Writer::start(self.clone()));
        let (reply, answer) = oneshot::channel();
        writer
            .jobs
            .send(Job { out, reply })
            .await
            .map_err(|_| Error::Internal("message writer stopped".into()))?;
        answer
            .await
            .map_err(|_| Error::Internal("message writer dropped a send".into()))?
    }

    /// Writes a batch in one transaction; returns each job's result.
    async fn write_batch(&self, jobs: &[Job]) -> Result<Vec<Sent>> {
        let now = now_ms();
        // New messages are queued for the search index (and indexed after commit), unless search
        // is off.
        let indexing = self.search_enabled();
        let mut tx = self.write().await?;
        let pairs: Vec<(String, String)> = jobs
            .iter()
            .map(|j| (j.out.sender.account_id.clone(), j.out.client_msg_id.clone()))
            .collect();
        let existing: HashMap<(String, String), Message> = tx
            .messages_by_client_ids(&pairs)
            .await?
            .into_iter()
            .map(|m| ((m.sender_id.clone(), m.client_msg_id.clone()), m))
            .collect();
        let mut conversation_ids: Vec<String> =
            jobs.iter().map(|j| j.out.conversation_id.clone()).collect();
        conversation_ids.sort();
        conversation_ids.dedup();
        let mut orgs: HashMap<String, String> = HashMap::new();
        for c in &conversation_ids {
            if let Some(org) = tx.conversation(c).await?.and_then(|c| c.org_id) {
                orgs.insert(c.clone(), org);
            }
        }
        let mut members: HashMap<String, Vec<String>> = HashMap::new();
        for (c, a) in tx.members_of(&conversation_ids).await? {
            members.entry(c).or_default().push(a);
        }
        // Blocks matter in direct conversations only (two members).
        let direct_members: Vec<String> = members
            .values()
            .filter(|m| m.len() == 2)
            .flatten()
            .cloned()
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let blocks: HashSet<(String, String)> = if direct_members.is_empty() {
            HashSet::new()
        } else {
            tx.blocks_among(&direct_members)
                .await?
                .into_iter()
                .collect()
        };

        // Bytes each uploader stored over the last day (the quota), for jobs with a file.
        let mut stored: HashMap<String, i64> = HashMap::new();
        for j in jobs.iter().filter(|j| j.out.attachment.is_some()) {
            let who = &j.out.sender.account_id;
            if !stored.contains_key(who) {
                let n = tx
                    .file_bytes_since(who, now - crate::files::QUOTA_WINDOW_MS)
                    .await?;
                stored.insert(who.clone(), n);
            }
        }
        let mut files: Vec<FileRecord> = Vec::new();

        // Decide each job: an existing message, a refusal, or a new message (index into `new`).
        enum Plan {
            Existing(Box<Message>),
            Refused(Error),
            New(usize),
            Repeat(usize),
        }
        let mut plans = Vec::with_capacity(jobs.len());
        let mut new: Vec<Message> = Vec::new();
        let mut in_batch: HashMap<(String, String), usize> = HashMap::new();
        for j in jobs {
            let o = &j.out;
            let sender_id = &o.sender.account_id;
            let key = (sender_id.clone(), o.client_msg_id.clone());
            if let Some(m) = existing.get(&key) {
                plans.push(Plan::Existing(Box::new(m.clone())));
                continue;
            }
            if let Some(&i) = in_batch.get(&key) {
                plans.push(Plan::Repeat(i));
                continue;
            }
            let Some(ms) = members
                .get(&o.conversation_id)
                .filter(|m| m.contains(sender_id))
            else {
                plans.push(Plan::Refused(Error::NotFound));
                continue;
            };
            if let Some(org) = orgs.get(&o.conversation_id)
                && let Err(e) = policy::gate(&mut tx, &o.sender, org, now).await
            {
                plans.push(Plan::Refused(e));
                continue;
            }
            if ms.len() == 2
                && ms.iter().any(|other| {
                    blocks.contains(&(other.clone(), sender_id.clone()))
                        || blocks.contains(&(sender_id.clone(), other.clone()))
                })
            {
                plans.push(Plan::Refused(Error::Forbidden("blocked")));
                continue;
            }
            if o.mentions.iter().any(|a| !ms.contains(a)) {
                plans.push(Plan::Refused(Error::InvalidRequest(
                    "mentions must be members of the conversation".into(),
                )));
                continue;
            }
            if let Some(a) = &o.attachment {
                let used = stored.entry(sender_id.clone()).or_default();
                if crate::files::over_quota(&self.config.files, *used, a.size) {
                    plans.push(Plan::Refused(crate::files::quota_exceeded()));
                    continue;
                }
                *used += a.size;
            }
            in_batch.insert(key, new.len());
            plans.push(Plan::New(new.len()));
            let id = random::id();
            if let Some(a) = &o.attachment {
                files.push(FileRecord {
                    attachment: a.clone(),
                    message_id: id.clone(),
                    conversation_id: o.conversation_id.clone(),
                    uploader_id: sender_id.clone(),
                    created_at: now,
                    recalled: false,
                });
            }
            new.push(Message {
                id,
                conversation_id: o.conversation_id.clone(),
                seq: 0,
                sender_id: sender_id.clone(),
                client_msg_id: o.client_msg_id.clone(),
                body: o.body.clone(),
                mentions: o.mentions.clone(),
                sent_at: now,
                edited_at: None,
                recalled_at: None,
                recalled_by: None,
                attachment: o.attachment.clone(),
            });
        }

        let mut deliver = Vec::new();
        if !new.is_empty() {
            let mut counts: Vec<(String, i64)> = Vec::new();
            for m in &new {
                match counts.iter_mut().find(|(c, _)| *c == m.conversation_id) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((m.conversation_id.clone(), 1)),
                }
            }
            let firsts = tx.reserve_seqs(&counts, now).await?;
            let mut next: HashMap<String, i64> = counts
                .into_iter()
                .zip(firsts)
                .map(|((c, _), first)| (c, first))
                .collect();
            for m in &mut new {
                let n = next.entry(m.conversation_id.clone()).or_default();
                m.seq = *n;
                *n += 1;
            }
            tx.insert_messages(&new).await?;
            if indexing {
                let ids: Vec<String> = new.iter().map(|m| m.id.clone()).collect();
                tx.queue_for_index(&ids).await?;
            }
            if !files.is_empty() {
                tx.insert_files(&files).await?;
            }
            let mut events = Vec::new();
            let mut owners = Vec::new();
            for (i, m) in new.iter().enumerate() {
                for account in members.get(&m.conversation_id).into_iter().flatten() {
                    events.push(NewStreamEvent {
                        account_id: account.clone(),
                        kind: kind::MESSAGE_CREATED.into(),
                        conversation_id: Some(m.conversation_id.clone()),
                        message_id: Some(m.id.clone()),
                        data: None,
                        created_at: now,
                    });
                    owners.push(i);
                }
            }
            let seqs = tx.append_events(&events).await?;
            let accounts: Vec<String> = events.iter().map(|e| e.account_id.clone()).collect();
            notify_others(&mut tx, accounts.iter().zip(&seqs)).await?;
            for ((e, seq), i) in events.into_iter().zip(seqs).zip(owners) {
                deliver.push((
                    e.account_id,
                    StreamEvent {
                        seq,
                        kind: e.kind,
                        conversation_id: e.conversation_id,
                        data: None,
                        message: Some(new[i].clone()),
                        created_at: now,
                    },
                ));
            }
        }
        tx.deliver(deliver);
        tx.commit().await?;
        if indexing && !new.is_empty() {
            self.wake_indexer();
        }
        let results = plans
            .into_iter()
            .map(|p| match p {
                Plan::Existing(m) => Ok((*m, false)),
                Plan::Refused(e) => Err(e),
                Plan::New(i) => Ok((new[i].clone(), true)),
                Plan::Repeat(i) => Ok((new[i].clone(), false)),
            })
            .collect();
        Ok(results)
    }
}

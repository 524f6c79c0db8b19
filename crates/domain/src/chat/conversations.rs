//! Conversations: direct (one per pair) and groups with titles, their members, and the list a
//! member sees. A non-member gets `NotFound` for everything, so a conversation's existence is not
//! revealed.

use serde_json::json;

use super::{Emit, emit, kind, parse_text, role};
use crate::app::Wangshang;
use crate::clock::Millis;
use crate::clock::now_ms;
use crate::error::{Error, Result};
use crate::policy;
use crate::random;
use crate::sessions::Authenticated;
use crate::store::{Conversation, ConversationMember, ConversationSummary, StoreError};
use crate::unit::Unit;

const MAX_TITLE: usize = 64;

pub const DIRECT: &str = "direct";
pub const GROUP: &str = "group";

/// Whether `a` may start a conversation with `b`: colleagues or accepted external contacts, and
/// neither blocked the other.
pub(crate) async fn reachable(tx: &mut Unit, a: &str, b: &str) -> Result<bool> {
    if tx.blocked_between(a, b).await? {
        return Ok(false);
    }
    if tx.colleagues(a, b).await? {
        return Ok(true);
    }
    Ok(tx
        .contact_request_between(a, b)
        .await?
        .is_some_and(|r| r.status == "accepted"))
}

/// The caller's membership, or `NotFound`.
pub(crate) async fn member_of(
    tx: &mut Unit,
    conversation_id: &str,
    account_id: &str,
) -> Result<ConversationMember> {
    tx.conversation_member(conversation_id, account_id)
        .await?
        .ok_or(Error::NotFound)
}

/// The caller's membership of a conversation they may reach now: `NotFound` for a non-member
/// (before any policy, so nothing is revealed), then the policy of the enterprise whose data the
/// conversation is ([`policy::gate`]).
pub(crate) async fn admitted(
    tx: &mut Unit,
    caller: &Authenticated,
    conversation_id: &str,
    now: Millis,
) -> Result<(ConversationMember, Conversation)> {
    let me = member_of(tx, conversation_id, &caller.account_id).await?;
    let c = tx
        .conversation(conversation_id)
        .await?
        .ok_or(Error::NotFound)?;
    if let Some(org_id) = &c.org_id {
        policy::gate(tx, caller, org_id, now).await?;
    }
    Ok((me, c))
}

/// The enterprise whose data a new conversation is: the one asked for (every member must belong
/// to it), else the one enterprise all members share, else none (an external chat).
async fn owning_org(
    tx: &mut Unit,
    asked: Option<&str>,
    members: &[String],
) -> Result<Option<String>> {
    let mut shared: Option<Vec<String>> = None;
    for m in members {
        let mine: Vec<String> = tx
            .memberships(m)
            .await?
            .into_iter()
            .filter(|x| x.left_at.is_none())
            .map(|x| x.org_id)
            .collect();
        shared = Some(match shared {
            None => mine,
            Some(s) => s.into_iter().filter(|o| mine.contains(o)).collect(),
        });
    }
    let shared = shared.unwrap_or_default();
    match asked {
        Some(org) if shared.iter().any(|o| o == org) => Ok(Some(org.to_owned())),
        // Not a member's enterprise: as unknown as any other id.
        Some(_) => Err(Error::NotFound),
        None if shared.len() == 1 => Ok(shared.into_iter().next()),
        None => Ok(None),
    }
}

/// Ids of every member.
pub(crate) async fn member_ids(tx: &mut Unit, conversation_id: &str) -> Result<Vec<String>> {
    Ok(tx
        .conversation_members(conversation_id)
        .await?
        .into_iter()
        .map(|m| m.account_id)
        .collect())
}

pub struct Created {
    pub conversation: Conversation,
    /// `false` when the direct conversation of the pair existed already.
    pub created: bool,
}

fn direct_key(a: &str, b: &str) -> String {
    if a < b {
        format!("{a}:{b}")
    } else {
        format!("{b}:{a}")
    }
}

impl Wangshang {
    /// Starts a direct conversation (one other member, no title; the pair's existing one is
    /// returned) or a group.
    pub async fn create_conversation(
        &self,
        caller: &Authenticated,
        member_ids: &[String],
        title: Option<&str>,
        org_id: Option<&str>,
    ) -> Result<Created> {
        let account_id = caller.account_id.as_str();
        let title = title
            .map(|t| parse_text(t, MAX_TITLE, "title"))
            .transpose()?;
        let mut others: Vec<String> = member_ids
            .iter()
            .filter(|id| id.as_str() != account_id)
            .cloned()
            .collect();
        others.sort();
        others.dedup();
        if others.is_empty() {
            return Err(Error::InvalidRequest(
                "a conversation needs at least one other member".into(),
            ));
        }
        if others.len() + 1 > self.config.chat.max_group_members {
            return Err(Error::InvalidRequest(format!(
                "a group has at most {} members",
                self.config.chat.max_group_members
            )));
        }
        let now = now_ms();
        let mut tx = self.write().await?;
        for other in &others {
            if !reachable(&mut tx, account_id, other).await? {
                return Err(Error::Forbidden("not_a_contact"));
            }
        }
        let mut all = others.clone();
        all.push(account_id.to_owned());
        let org_id = owning_org(&mut tx, org_id, &all).await?;
        if let Some(org) = &org_id {
            policy::gate(&mut tx, caller, org, now).await?;
        }
        let direct = others.len() == 1 && title.is_none();
        let key = direct.then(|| direct_key(account_id, &others[0]));
        if let Some(key) = &key
            && let Some(existing) = tx.conversation_by_direct_key(key).await?
        {
            if let Some(org) = &existing.org_id {
                policy::gate(&mut tx, caller, org, now).await?;
            }
            return Ok(Created {
                conversation: existing,
                created: false,
            });
        }
        let conversation = Conversation {
            id: random::id(),
            kind: if direct { DIRECT } else { GROUP }.into(),
            title,
            direct_key: key,
            created_by: account_id.to_owned(),
            created_at: now,
            last_seq: 0,
            last_message_at: None,
            org_id,
        };
        match tx.insert_conversation(&conversation).await {
            Ok(()) => {}
            Err(StoreError::Conflict(_)) => {
                // Both members started it at once: the other insert won.
                drop(tx);
                let mut tx = self.read().await?;
                let existing = tx
                    .conversation_by_direct_key(conversation.direct_key.as_deref().unwrap_or(""))
                    .await?
                    .ok_or_else(|| Error::Internal("direct conversation vanished".into()))?;
                return Ok(Created {
                    conversation: existing,
                    created: false,
                });
            }
            Err(e) => return Err(e.into()),
        }
        let creator_role = if direct { role::MEMBER } else { role::OWNER };
        tx.insert_conversation_member(&conversation.id, account_id, creator_role, now, 0)
            .await?;
        for other in &others {
            tx.insert_conversation_member(&conversation.id, other, role::MEMBER, now, 0)
                .await?;
        }
        for member in &all {
            joined(
                &mut tx,
                &conversation.id,
                member,
                account_id,
                std::slice::from_ref(member),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(Created {
            conversation,
            created: true,
        })
    }

    /// The caller's conversations. Those of an enterprise whose policy keeps this session out
    /// stay in the list without their last message, marked with the policy's code.
    pub async fn conversations(&self, caller: &Authenticated) -> Result<Vec<ConversationSummary>> {
        let now = now_ms();
        let mut tx = self.read().await?;
        let mut list = tx.conversation_summaries(&caller.account_id).await?;
        let mut decided: Vec<(String, Option<&'static str>)> = Vec::new();
        for c in &mut list {
            let Some(org) = c.conversation.org_id.clone() else {
                continue;
            };
            let block = match decided.iter().find(|(o, _)| *o == org) {
                Some((_, b)) => *b,
                None => {
                    let b = match policy::gate(&mut tx, caller, &org, now).await {
                        Ok(()) => None,
                        Err(Error::PolicyBlocked { code, .. }) => Some(code),
                        Err(e) => return Err(e),
                    };
                    decided.push((org, b));
                    b
                }
            };
            if let Some(code) = block {
                c.last_message = None;
                c.policy_block = Some(code.to_owned());
            }
        }
        Ok(list)
    }

    pub async fn conversation(
        &self,
        caller: &Authenticated,
        conversation_id: &str,
    ) -> Result<(Conversation, Vec<ConversationMember>)> {
        let mut tx = self.read().await?;
        let (_, c) = admitted(&mut tx, caller, conversation_id, now_ms()).await?;
        let members = tx.conversation_members(conversation_id).await?;
        Ok((c, members))
    }

    /// Adds members to a group (its owner and admins; each new member a contact of the caller).
    pub async fn add_conversation_members(
        &self,
        caller: &Authenticated,
        conversation_id: &str,
        account_ids: &[String],
    ) -> Result<Vec<ConversationMember>> {
        let account_id = caller.account_id.as_str();
        let now = now_ms();
        let mut tx = self.write().await?;
        let (me, _) = admitted(&mut tx, caller, conversation_id, now).await?;
        let c = group(&mut tx, conversation_id).await?;
        if !role::manages(&me.role) {
            return Err(Error::Forbidden("not_group_admin"));
        }
        let mut members = member_ids(&mut tx, &c.id).await?;
        let mut new: Vec<String> = account_ids
            .iter()
            .filter(|id| !members.contains(id))
            .cloned()
            .collect();
        new.sort();
        new.dedup();
        if members.len() + new.len() > self.config.chat.max_group_members {
            return Err(Error::InvalidRequest(format!(
                "a group has at most {} members",
                self.config.chat.max_group_members
            )));
        }
        for id in &new {
            if !reachable(&mut tx, account_id, id).await? {
                return Err(Error::Forbidden("not_a_contact"));
            }
        }
        for id in &new {
            // A new member starts with everything so far read.
            tx.insert_conversation_member(&c.id, id, role::MEMBER, now, c.last_seq)
                .await?;
            members.push(id.clone());
            joined(&mut tx, &c.id, id, account_id, &members, now).await?;
        }
        let list = tx.conversation_members(&c.id).await?;
        tx.commit().await?;
        Ok(list)
    }

    /// Removes a member from a group (owner and admins), or leaves it (`member_id` is the caller).
    pub async fn remove_conversation_member(
        &self,
        caller: &Authenticated,
        conversation_id: &str,
        member_id: &str,
    ) -> Result<()> {
        let account_id = caller.account_id.as_str();
        let now = now_ms();
        let mut tx = self.write().await?;
        let (me, _) = admitted(&mut tx, caller, conversation_id, now).await?;
        let c = group(&mut tx, conversation_id).await?;
        let target = member_of(&mut tx, &c.id, member_id).await?;
        if member_id != account_id {
            if !role::manages(&me.role) {
                return Err(Error::Forbidden("not_group_admin"));
            }
            if target.role == role::OWNER {
                return Err(Error::Forbidden("owner_only"));
            }
        }
        let to = member_ids(&mut tx, &c.id).await?;
        tx.remove_conversation_member(&c.id, member_id).await?;
        emit(
            &mut tx,
            &to,
            Emit {
                kind: kind::MEMBER_LEFT,
                conversation_id: Some(&c.id),
                message: None,
                data: Some(json!({"account_id": member_id, "by": account_id})),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

async fn group(tx: &mut Unit, conversation_id: &str) -> Result<Conversation> {
    let c = tx
        .conversation(conversation_id)
        .await?
        .ok_or(Error::NotFound)?;
    if c.kind != GROUP {
        return Err(Error::Conflict {
            code: "direct_conversation",
            detail: "A direct conversation has exactly two members.",
        });
    }
    Ok(c)
}

/// `member.joined` for `member`, told to `to`.
async fn joined(
    tx: &mut Unit,
    conversation_id: &str,
    member: &str,
    by: &str,
    to: &[String],
    now: i64,
) -> Result<()> {
    emit(
        tx,
        to,
        Emit {
            kind: kind::MEMBER_JOINED,
            conversation_id: Some(conversation_id),
            message: None,
            data: Some(json!({"account_id": member, "by": by})),
        },
        now,
    )
    .await
}

//! Offboarding (离职): as a suspension, plus the member leaves the enterprise's groups — those
//! they owned handed to a chosen colleague — while their direct conversations stay readable for
//! the colleagues and every message stays. An undo within 30 days gives it all back.

use serde_json::json;

use super::members::{Told, actor_and_target, kind as told, last_active_owner_guard, record};
use crate::app::Wangshang;
use crate::chat::conversations::GROUP;
use crate::chat::orgs::membership;
use crate::chat::{Emit, emit, kind, role};
use crate::clock::{DAY, Millis, now_ms};
use crate::error::{Error, Result};
use crate::store::Offboarding;
use crate::unit::Unit;

/// How long an offboarding can be undone.
pub const UNDO_DAYS: i64 = 30;

async fn member_event(
    tx: &mut Unit,
    conversation_id: &str,
    event: &'static str,
    member: &str,
    by: &str,
    now: Millis,
) -> Result<()> {
    let to = tx
        .conversation_members(conversation_id)
        .await?
        .into_iter()
        .map(|m| m.account_id)
        .collect::<Vec<_>>();
    emit(
        tx,
        &to,
        Emit {
            kind: event,
            conversation_id: Some(conversation_id),
            message: None,
            data: Some(json!({"account_id": member, "by": by})),
        },
        now,
    )
    .await
}

impl Wangshang {
    /// `POST /orgs/{id}/members/{account_id}/offboard {successor_id}`.
    pub async fn offboard_member(
        &self,
        actor_id: &str,
        org_id: &str,
        member_id: &str,
        successor_id: &str,
    ) -> Result<()> {
        let now = now_ms();
        let mut tx = self.write().await?;
        let (_, target) = actor_and_target(&mut tx, org_id, actor_id, member_id).await?;
        if successor_id == member_id {
            return Err(Error::InvalidRequest(
                "successor_id must be another member of the enterprise".into(),
            ));
        }
        membership(&mut tx, org_id, successor_id).await?;
        if target.role == role::OWNER {
            last_active_owner_guard(&mut tx, org_id, member_id).await?;
        }
        if tx.offboarding(org_id, member_id).await?.is_some() {
            return Err(Error::Conflict {
                code: "already_offboarded",
                detail: "This member is offboarded already.",
            });
        }
        let mut groups = Vec::new();
        for c in tx.conversation_summaries(member_id).await? {
            let c = c.conversation;
            if c.kind != GROUP || c.org_id.as_deref() != Some(org_id) {
                continue;
            }
            let Some(me) = tx.conversation_member(&c.id, member_id).await? else {
                continue;
            };
            if me.role == role::OWNER {
                match tx.conversation_member(&c.id, successor_id).await? {
                    Some(_) => tx.set_group_role(&c.id, successor_id, role::OWNER).await?,
                    None => {
                        tx.insert_conversation_member(
                            &c.id,
                            successor_id,
                            role::OWNER,
                            now,
                            c.last_seq,
                        )
                        .await?;
                        member_event(
                            &mut tx,
                            &c.id,
                            kind::MEMBER_JOINED,
                            successor_id,
                            actor_id,
                            now,
                        )
                        .await?;
                    }
                }
            }
            member_event(&mut tx, &c.id, kind::MEMBER_LEFT, member_id, actor_id, now).await?;
            tx.remove_conversation_member(&c.id, member_id).await?;
            groups.push((c.id, me.role));
        }
        // Already suspended is fine: the offboarding keeps it.
        tx.suspend_org_member(org_id, member_id, actor_id, now)
            .await?;
        tx.revoke_sessions(member_id, None, now).await?;
        tx.insert_offboarding(&Offboarding {
            org_id: org_id.to_owned(),
            account_id: member_id.to_owned(),
            successor_id: successor_id.to_owned(),
            groups,
            offboarded_by: actor_id.to_owned(),
            offboarded_at: now,
            undo_until: now + UNDO_DAYS * DAY,
        })
        .await?;
        record(
            &mut tx,
            org_id,
            actor_id,
            member_id,
            &Told {
                kind: told::OFFBOARDED,
                notice: "offboarded",
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// `POST /orgs/{id}/members/{account_id}/offboard/undo`: within 30 days, the member is
    /// reinstated and rejoins the groups they left with the roles they had.
    pub async fn undo_offboarding(
        &self,
        actor_id: &str,
        org_id: &str,
        member_id: &str,
    ) -> Result<()> {
        let now = now_ms();
        let mut tx = self.write().await?;
        actor_and_target(&mut tx, org_id, actor_id, member_id).await?;
        let o = tx
            .offboarding(org_id, member_id)
            .await?
            .ok_or(Error::Conflict {
                code: "not_offboarded",
                detail: "This member is not offboarded.",
            })?;
        if now >= o.undo_until {
            return Err(Error::Conflict {
                code: "undo_expired",
                detail: "An offboarding can be undone for 30 days only.",
            });
        }
        for (conversation_id, group_role) in &o.groups {
            let Some(c) = tx.conversation(conversation_id).await? else {
                continue;
            };
            if tx
                .insert_conversation_member(&c.id, member_id, group_role, now, c.last_seq)
                .await?
            {
                member_event(
                    &mut tx,
                    &c.id,
                    kind::MEMBER_JOINED,
                    member_id,
                    actor_id,
                    now,
                )
                .await?;
            }
        }
        tx.reinstate_org_member(org_id, member_id).await?;
        tx.delete_offboarding(org_id, member_id).await?;
        record(
            &mut tx,
            org_id,
            actor_id,
            member_id,
            &Told {
                kind: told::OFFBOARD_UNDONE,
                notice: "offboard_undone",
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

//! What owners and admins do to a member (SPEC §11): sign them out of every device, suspend and
//! reinstate. Each action is in the enterprise's audit log, in the member's security records and
//! told to the member. Admins never set or see a password.

use serde_json::json;

use super::audit;
use crate::app::{Client, Wangshang};
use crate::chat::orgs::membership;
use crate::chat::role;
use crate::clock::{Millis, now_ms};
use crate::error::{Error, Result};
use crate::events;
use crate::messages::template;
use crate::outbox;
use crate::store::OrgMember;
use crate::unit::Unit;

/// Kinds of the audit log and of the member's security records.
pub mod kind {
    pub const SIGNED_OUT: &str = "org_member_signed_out";
    pub const SUSPENDED: &str = "org_member_suspended";
    pub const REINSTATED: &str = "org_member_reinstated";
    pub const OFFBOARDED: &str = "org_member_offboarded";
    pub const OFFBOARD_UNDONE: &str = "org_member_offboard_undone";
}

/// An action on a member.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    SignOut,
    Suspend,
    Reinstate,
}

/// What is recorded and told about an action: its kind and the notice's `action` parameter.
pub(super) struct Told {
    pub kind: &'static str,
    pub notice: &'static str,
}

impl Action {
    fn told(self) -> Told {
        match self {
            Action::SignOut => Told {
                kind: kind::SIGNED_OUT,
                notice: "signed_out",
            },
            Action::Suspend => Told {
                kind: kind::SUSPENDED,
                notice: "suspended",
            },
            Action::Reinstate => Told {
                kind: kind::REINSTATED,
                notice: "reinstated",
            },
        }
    }
}

/// The acting owner or admin and the member acted on. Only owners act on owners; nobody acts on
/// themselves.
pub(super) async fn actor_and_target(
    tx: &mut Unit,
    org_id: &str,
    actor_id: &str,
    member_id: &str,
) -> Result<(OrgMember, OrgMember)> {
    let me = membership(tx, org_id, actor_id).await?;
    if !role::manages(&me.role) {
        return Err(Error::Forbidden("not_org_admin"));
    }
    let target = membership(tx, org_id, member_id).await?;
    if actor_id == member_id {
        return Err(Error::Conflict {
            code: "own_membership",
            detail: "Owners and admins cannot do this to themselves.",
        });
    }
    if target.role == role::OWNER && me.role != role::OWNER {
        return Err(Error::Forbidden("owner_only"));
    }
    Ok((me, target))
}

impl Wangshang {
    /// `POST /orgs/{id}/members/{account_id}/sign-out|suspend|reinstate`.
    pub async fn act_on_member(
        &self,
        actor_id: &str,
        org_id: &str,
        member_id: &str,
        action: Action,
    ) -> Result<()> {
        let now = now_ms();
        let mut tx = self.write().await?;
        let (_, target) = actor_and_target(&mut tx, org_id, actor_id, member_id).await?;
        match action {
            Action::SignOut => {
                tx.revoke_sessions(member_id, None, now).await?;
            }
            Action::Suspend => {
                if target.role == role::OWNER {
                    last_active_owner_guard(&mut tx, org_id, member_id).await?;
                }
                if !tx
                    .suspend_org_member(org_id, member_id, actor_id, now)
                    .await?
                {
                    return Err(Error::Conflict {
                        code: "already_suspended",
                        detail: "This member is suspended already.",
                    });
                }
                // Open sockets carry the enterprise's events: they close now, on every node.
                tx.revoke_sessions(member_id, None, now).await?;
            }
            Action::Reinstate => {
                if tx.offboarding(org_id, member_id).await?.is_some() {
                    return Err(Error::Conflict {
                        code: "offboarded",
                        detail: "This member is offboarded: undo the offboarding instead.",
                    });
                }
                if !tx.reinstate_org_member(org_id, member_id).await? {
                    return Err(Error::Conflict {
                        code: "not_suspended",
                        detail: "This member is not suspended.",
                    });
                }
            }
        }
        record(&mut tx, org_id, actor_id, member_id, &action.told(), now).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The audit line, the member's security record (without the actor's address) and the notice.
pub(super) async fn record(
    tx: &mut Unit,
    org_id: &str,
    actor_id: &str,
    member_id: &str,
    told: &Told,
    now: Millis,
) -> Result<()> {
    audit(tx, org_id, actor_id, Some(member_id), told.kind, now).await?;
    let nobody = Client {
        ip: String::new(),
        user_agent: String::new(),
    };
    events::record(tx, member_id, told.kind, &nobody, &[], now).await?;
    let org = tx.org(org_id).await?.ok_or(Error::NotFound)?;
    if let Some(a) = tx.account(member_id).await? {
        let params = json!({"org": org.name, "action": told.notice, "when": now});
        outbox::notify_account(tx, &a, template::ORG_MEMBER_ACTION, params).await?;
    }
    Ok(())
}

/// Refuses to suspend the last owner who is not suspended.
pub(super) async fn last_active_owner_guard(
    tx: &mut Unit,
    org_id: &str,
    member_id: &str,
) -> Result<()> {
    let mut others = 0;
    for m in tx.org_members(org_id).await? {
        if m.role == role::OWNER
            && m.account_id != member_id
            && tx.org_suspension(org_id, &m.account_id).await?.is_none()
        {
            others += 1;
        }
    }
    if others == 0 {
        return Err(Error::Conflict {
            code: "last_owner",
            detail: "An enterprise needs an owner: make someone else owner first.",
        });
    }
    Ok(())
}

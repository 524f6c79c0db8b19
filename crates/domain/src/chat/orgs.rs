//! Enterprises: create, rename, members and their roles, leave and remove.

use super::{parse_text, role};
use crate::app::Wangshang;
use crate::clock::now_ms;
use crate::error::{Error, Result};
use crate::random;
use crate::store::{Org, OrgMember};
use crate::unit::Unit;

const MAX_NAME: usize = 64;

/// An enterprise as one of its members sees it.
pub struct OrgView {
    pub org: Org,
    pub my_role: String,
    pub member_count: usize,
}

/// The caller's active membership, or `NotFound` (a non-member learns nothing).
pub(crate) async fn membership(tx: &mut Unit, org_id: &str, account_id: &str) -> Result<OrgMember> {
    tx.org_member(org_id, account_id)
        .await?
        .ok_or(Error::NotFound)
}

/// The caller's membership, which must be an owner's or an admin's.
async fn manager(tx: &mut Unit, org_id: &str, account_id: &str) -> Result<OrgMember> {
    let me = membership(tx, org_id, account_id).await?;
    if !role::manages(&me.role) {
        return Err(Error::Forbidden("not_org_admin"));
    }
    Ok(me)
}

impl Wangshang {
    pub async fn create_org(&self, account_id: &str, name: &str) -> Result<OrgView> {
        let name = parse_text(name, MAX_NAME, "name")?;
        let now = now_ms();
        let org = Org {
            id: random::id(),
            name,
            created_by: account_id.to_owned(),
            created_at: now,
        };
        let mut tx = self.write().await?;
        tx.insert_org(&org).await?;
        tx.upsert_org_member(&org.id, account_id, role::OWNER, now)
            .await?;
        tx.commit().await?;
        Ok(OrgView {
            org,
            my_role: role::OWNER.into(),
            member_count: 1,
        })
    }

    pub async fn org(&self, account_id: &str, org_id: &str) -> Result<OrgView> {
        let mut tx = self.read().await?;
        let me = membership(&mut tx, org_id, account_id).await?;
        let org = tx.org(org_id).await?.ok_or(Error::NotFound)?;
        let member_count = tx.org_members(org_id).await?.len();
        Ok(OrgView {
            org,
            my_role: me.role,
            member_count,
        })
    }

    /// The enterprises the account belongs to now.
    pub async fn my_orgs(&self, account_id: &str) -> Result<Vec<OrgView>> {
        let mut tx = self.read().await?;
        let mut out = Vec::new();
        for m in tx.memberships(account_id).await? {
            if m.left_at.is_some() {
                continue;
            }
            if let Some(org) = tx.org(&m.org_id).await? {
                let member_count = tx.org_members(&m.org_id).await?.len();
                out.push(OrgView {
                    org,
                    my_role: m.role,
                    member_count,
                });
            }
        }
        Ok(out)
    }

    pub async fn rename_org(&self, account_id: &str, org_id: &str, name: &str) -> Result<OrgView> {
        let name = parse_text(name, MAX_NAME, "name")?;
        let mut tx = self.write().await?;
        let me = manager(&mut tx, org_id, account_id).await?;
        tx.rename_org(org_id, &name, now_ms()).await?;
        let org = tx.org(org_id).await?.ok_or(Error::NotFound)?;
        let member_count = tx.org_members(org_id).await?.len();
        tx.commit().await?;
        Ok(OrgView {
            org,
            my_role: me.role,
            member_count,
        })
    }

    pub async fn org_members(&self, account_id: &str, org_id: &str) -> Result<Vec<OrgMember>> {
        let mut tx = self.read().await?;
        membership(&mut tx, org_id, account_id).await?;
        Ok(tx.org_members(org_id).await?)
    }

    /// Changes a member's role. Owners set any role; admins only make members admins or
    /// members. The last owner cannot step down.
    pub async fn set_org_role(
        &self,
        account_id: &str,
        org_id: &str,
        member_id: &str,
        new_role: &str,
    ) -> Result<OrgMember> {
        let new_role = role::parse(new_role)
            .ok_or_else(|| Error::InvalidRequest("role must be owner, admin or member".into()))?;
        let mut tx = self.write().await?;
        let me = manager(&mut tx, org_id, account_id).await?;
        let target = membership(&mut tx, org_id, member_id).await?;
        if me.role != role::OWNER && (new_role == role::OWNER || target.role == role::OWNER) {
            return Err(Error::Forbidden("owner_only"));
        }
        if target.role == role::OWNER && new_role != role::OWNER {
            last_owner_guard(&mut tx, org_id).await?;
        }
        tx.set_org_role(org_id, member_id, new_role).await?;
        let updated = membership(&mut tx, org_id, member_id).await?;
        tx.commit().await?;
        Ok(updated)
    }

    /// Removes a member (owners and admins; only an owner removes an owner), or leaves when
    /// `member_id` is the caller.
    pub async fn remove_org_member(
        &self,
        account_id: &str,
        org_id: &str,
        member_id: &str,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        let me = membership(&mut tx, org_id, account_id).await?;
        let target = membership(&mut tx, org_id, member_id).await?;
        if account_id != member_id {
            if !role::manages(&me.role) {
                return Err(Error::Forbidden("not_org_admin"));
            }
            if target.role == role::OWNER && me.role != role::OWNER {
                return Err(Error::Forbidden("owner_only"));
            }
        }
        if target.role == role::OWNER {
            last_owner_guard(&mut tx, org_id).await?;
        }
        tx.end_org_membership(org_id, member_id, now_ms()).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Refuses to leave an enterprise without an owner.
async fn last_owner_guard(tx: &mut Unit, org_id: &str) -> Result<()> {
    let owners = tx
        .org_members(org_id)
        .await?
        .iter()
        .filter(|m| m.role == role::OWNER)
        .count();
    if owners <= 1 {
        return Err(Error::Conflict {
            code: "last_owner",
            detail: "An enterprise needs an owner: make someone else owner first.",
        });
    }
    Ok(())
}

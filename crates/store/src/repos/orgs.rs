use async_trait::async_trait;

use domain::clock::Millis;
use domain::store::{Membership, Org, OrgInvite, OrgMember, OrgRepo, StoreResult};

use super::{Row, col, query};
use crate::tx::SqlTx;

fn org(row: &Row) -> StoreResult<Org> {
    Ok(Org {
        id: col(row, "id")?,
        name: col(row, "name")?,
        created_by: col(row, "created_by")?,
        created_at: col(row, "created_at")?,
    })
}

fn member(row: &Row) -> StoreResult<OrgMember> {
    Ok(OrgMember {
        org_id: col(row, "org_id")?,
        account_id: col(row, "account_id")?,
        nickname: col(row, "nickname")?,
        role: col(row, "role")?,
        joined_at: col(row, "joined_at")?,
        left_at: col(row, "left_at")?,
    })
}

fn invite(row: &Row) -> StoreResult<OrgInvite> {
    Ok(OrgInvite {
        id: col(row, "id")?,
        code_hash: col(row, "code_hash")?,
        org_id: col(row, "org_id")?,
        channel: col(row, "channel")?,
        destination: col(row, "destination")?,
        role: col(row, "role")?,
        invited_by: col(row, "invited_by")?,
        created_at: col(row, "created_at")?,
        expires_at: col(row, "expires_at")?,
        accepted_by: col(row, "accepted_by")?,
        accepted_at: col(row, "accepted_at")?,
    })
}

const MEMBER: &str = "SELECT m.org_id, m.account_id, a.nickname, m.role, m.joined_at, m.left_at \
     FROM org_members m JOIN accounts a ON a.id = m.account_id";

#[async_trait]
impl OrgRepo for SqlTx {
    async fn insert_org(&mut self, o: &Org) -> StoreResult<()> {
        query("INSERT INTO orgs (id, name, created_by, created_at) VALUES ($1, $2, $3, $4)")
            .bind(&o.id)
            .bind(&o.name)
            .bind(&o.created_by)
            .bind(o.created_at)
            .execute(&mut self.conn)
            .await?;
        query("INSERT INTO org_names (org_id, name, at) VALUES ($1, $2, $3)")
            .bind(&o.id)
            .bind(&o.name)
            .bind(o.created_at)
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }

    async fn org(&mut self, id: &str) -> StoreResult<Option<Org>> {
        let row = query("SELECT id, name, created_by, created_at FROM orgs WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut self.conn)
            .await?;
        row.as_ref().map(org).transpose()
    }

    async fn rename_org(&mut self, id: &str, name: &str, at: Millis) -> StoreResult<()> {
        query("UPDATE orgs SET name = $2 WHERE id = $1")
            .bind(id)
            .bind(name)
            .execute(&mut self.conn)
            .await?;
        query("INSERT INTO org_names (org_id, name, at) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(name)
            .bind(at)
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }

    async fn org_names(&mut self, id: &str) -> StoreResult<Vec<String>> {
        let rows = query("SELECT name FROM org_names WHERE org_id = $1 ORDER BY at")
            .bind(id)
            .fetch_all(&mut self.conn)
            .await?;
        rows.iter().map(|r| col(r, "name")).collect()
    }

    async fn upsert_org_member(
        &mut self,
        org_id: &str,
        account_id: &str,
        role: &str,
        at: Millis,
    ) -> StoreResult<()> {
        query(
            "INSERT INTO org_members (org_id, account_id, role, joined_at, left_at) \
             VALUES ($1, $2, $3, $4, NULL) \
             ON CONFLICT (org_id, account_id) DO UPDATE SET role = $3, joined_at = $4, left_at = NULL",
        )
        .bind(org_id)
        .bind(account_id)
        .bind(role)
        .bind(at)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn set_org_role(
        &mut self,
        org_id: &str,
        account_id: &str,
        role: &str,
    ) -> StoreResult<()> {
        query(
            "UPDATE org_members SET role = $3 \
             WHERE org_id = $1 AND account_id = $2 AND left_at IS NULL",
        )
        .bind(org_id)
        .bind(account_id)
        .bind(role)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn end_org_membership(
        &mut self,
        org_id: &str,
        account_id: &str,
        at: Millis,
    ) -> StoreResult<bool> {
        let done = query(
            "UPDATE org_members SET left_at = $3 \
             WHERE org_id = $1 AND account_id = $2 AND left_at IS NULL",
        )
        .bind(org_id)
        .bind(account_id)
        .bind(at)
        .execute(&mut self.conn)
        .await?;
        Ok(done == 1)
    }

    async fn org_member(
        &mut self,
        org_id: &str,
        account_id: &str,
    ) -> StoreResult<Option<OrgMember>> {
        let row = query(format!(
            "{MEMBER} WHERE m.org_id = $1 AND m.account_id = $2 AND m.left_at IS NULL"
        ))
        .bind(org_id)
        .bind(account_id)
        .fetch_optional(&mut self.conn)
        .await?;
        row.as_ref().map(member).transpose()
    }

    async fn org_members(&mut self, org_id: &str) -> StoreResult<Vec<OrgMember>> {
        let rows = query(format!(
            "{MEMBER} WHERE m.org_id = $1 AND m.left_at IS NULL ORDER BY m.joined_at, m.account_id"
        ))
        .bind(org_id)
        .fetch_all(&mut self.conn)
        .await?;
        rows.iter().map(member).collect()
    }

    async fn memberships(&mut self, account_id: &str) -> StoreResult<Vec<Membership>> {
        let rows = query(
            "SELECT m.org_id, o.name AS org_name, m.role, m.joined_at, m.left_at \
             FROM org_members m JOIN orgs o ON o.id = m.org_id \
             WHERE m.account_id = $1 ORDER BY m.joined_at",
        )
        .bind(account_id)
        .fetch_all(&mut self.conn)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Membership {
                    org_id: col(r, "org_id")?,
                    org_name: col(r, "org_name")?,
                    role: col(r, "role")?,
                    joined_at: col(r, "joined_at")?,
                    left_at: col(r, "left_at")?,
                })
            })
            .collect()
    }

    async fn insert_invite(&mut self, i: &OrgInvite) -> StoreResult<()> {
        query(
            "INSERT INTO org_invites (id, code_hash, org_id, channel, destination, role, invited_by, \
             created_at, expires_at, accepted_by, accepted_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, NULL)",
        )
        .bind(&i.id)
        .bind(&i.code_hash)
        .bind(&i.org_id)
        .bind(&i.channel)
        .bind(&i.destination)
        .bind(&i.role)
        .bind(&i.invited_by)
        .bind(i.created_at)
        .bind(i.expires_at)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn invite_by_code_hash(&mut self, code_hash: &str) -> StoreResult<Option<OrgInvite>> {
        let row = query(
            "SELECT id, code_hash, org_id, channel, destination, role, invited_by, created_at, \
             expires_at, accepted_by, accepted_at FROM org_invites WHERE code_hash = $1",
        )
        .bind(code_hash)
        .fetch_optional(&mut self.conn)
        .await?;
        row.as_ref().map(invite).transpose()
    }

    async fn accept_invite(&mut self, id: &str, account_id: &str, at: Millis) -> StoreResult<bool> {
        let done = query(
            "UPDATE org_invites SET accepted_by = $2, accepted_at = $3 \
             WHERE id = $1 AND accepted_at IS NULL",
        )
        .bind(id)
        .bind(account_id)
        .bind(at)
        .execute(&mut self.conn)
        .await?;
        Ok(done == 1)
    }

    async fn pending_invites(&mut self, org_id: &str, now: Millis) -> StoreResult<Vec<OrgInvite>> {
        let rows = query(
            "SELECT id, code_hash, org_id, channel, destination, role, invited_by, created_at, \
             expires_at, accepted_by, accepted_at FROM org_invites \
             WHERE org_id = $1 AND accepted_at IS NULL AND expires_at > $2 \
             ORDER BY created_at DESC, id DESC LIMIT 500",
        )
        .bind(org_id)
        .bind(now)
        .fetch_all(&mut self.conn)
        .await?;
        rows.iter().map(invite).collect()
    }

    async fn revoke_invite(&mut self, org_id: &str, id: &str, now: Millis) -> StoreResult<bool> {
        let done = query(
            "UPDATE org_invites SET expires_at = $3 \
             WHERE id = $1 AND org_id = $2 AND accepted_at IS NULL AND expires_at > $3",
        )
        .bind(id)
        .bind(org_id)
        .bind(now)
        .execute(&mut self.conn)
        .await?;
        Ok(done == 1)
    }
}

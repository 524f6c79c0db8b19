use async_trait::async_trait;

use domain::clock::Millis;
use domain::identifier::Channel;
use domain::store::{
    AuditQuery, Offboarding, OrgAuditEntry, OrgPolicy, PolicyRepo, ReverifyRequest, StoreError,
    StoreResult,
};

use super::{Row, col, query};
use crate::tx::SqlTx;

fn policy(row: &Row) -> StoreResult<OrgPolicy> {
    let networks: String = col(row, "allowed_networks")?;
    let composition: i64 = col(row, "password_require_composition")?;
    let needs_admin: i64 = col(row, "support_needs_admin")?;
    Ok(OrgPolicy {
        org_id: col(row, "org_id")?,
        require_second_factor: col(row, "require_second_factor")?,
        grace_days: col(row, "grace_days")?,
        second_factor_since: col(row, "second_factor_since")?,
        password_min_length: col(row, "password_min_length")?,
        password_min_score: col(row, "password_min_score")?,
        password_require_composition: composition != 0,
        session_max_age_hours: col(row, "session_max_age_hours")?,
        session_idle_minutes: col(row, "session_idle_minutes")?,
        allowed_networks: serde_json::from_str(&networks)
            .map_err(|e| StoreError::Database(format!("bad allowed_networks: {e}")))?,
        support_needs_admin: needs_admin != 0,
        updated_by: col(row, "updated_by")?,
        updated_at: col(row, "updated_at")?,
    })
}

const REVERIFY: &str = "SELECT r.verification_id, r.org_id, o.name AS org_name, r.account_id, \
     r.requested_by, r.requested_at, r.confirmed_at, v.channel, v.destination, v.expires_at \
     FROM org_reverify_requests r JOIN verifications v ON v.id = r.verification_id \
     JOIN orgs o ON o.id = r.org_id";

fn reverify(row: &Row) -> StoreResult<ReverifyRequest> {
    let channel: String = col(row, "channel")?;
    Ok(ReverifyRequest {
        verification_id: col(row, "verification_id")?,
        org_id: col(row, "org_id")?,
        org_name: col(row, "org_name")?,
        account_id: col(row, "account_id")?,
        requested_by: col(row, "requested_by")?,
        requested_at: col(row, "requested_at")?,
        confirmed_at: col(row, "confirmed_at")?,
        channel: Channel::parse(&channel)
            .ok_or_else(|| StoreError::Database(format!("bad channel {channel}")))?,
        destination: col(row, "destination")?,
        expires_at: col(row, "expires_at")?,
    })
}

#[async_trait]
impl PolicyRepo for SqlTx {
    async fn insert_reverify(
        &mut self,
        verification_id: &str,
        org_id: &str,
        account_id: &str,
        requested_by: &str,
        at: Millis,
    ) -> StoreResult<()> {
        query(
            "INSERT INTO org_reverify_requests (verification_id, org_id, account_id, requested_by, \
             requested_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(verification_id)
        .bind(org_id)
        .bind(account_id)
        .bind(requested_by)
        .bind(at)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn reverify(&mut self, verification_id: &str) -> StoreResult<Option<ReverifyRequest>> {
        query(format!("{REVERIFY} WHERE r.verification_id = $1"))
            .bind(verification_id)
            .fetch_optional(&mut self.conn)
            .await?
            .map(|r| reverify(&r))
            .transpose()
    }

    async fn open_reverifies(
        &mut self,
        account_id: &str,
        now: Millis,
    ) -> StoreResult<Vec<ReverifyRequest>> {
        query(format!(
            "{REVERIFY} WHERE r.account_id = $1 AND r.confirmed_at IS NULL \
             AND v.consumed_at IS NULL AND v.expires_at > $2 ORDER BY r.requested_at DESC"
        ))
        .bind(account_id)
        .bind(now)
        .fetch_all(&mut self.conn)
        .await?
        .iter()
        .map(reverify)
        .collect()
    }

    async fn confirm_reverify(&mut self, verification_id: &str, at: Millis) -> StoreResult<()> {
        query("UPDATE org_reverify_requests SET confirmed_at = $2 WHERE verification_id = $1")
            .bind(verification_id)
            .bind(at)
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }

    async fn org_policy(&mut self, org_id: &str) -> StoreResult<Option<OrgPolicy>> {
        let row = query(
            "SELECT org_id, require_second_factor, grace_days, second_factor_since, \
             password_min_length, password_min_score, password_require_composition, \
             session_max_age_hours, session_idle_minutes, allowed_networks, support_needs_admin, \
             updated_by, updated_at FROM org_policies WHERE org_id = $1",
        )
        .bind(org_id)
        .fetch_optional(&mut self.conn)
        .await?;
        row.as_ref().map(policy).transpose()
    }

    async fn put_org_policy(&mut self, p: &OrgPolicy) -> StoreResult<()> {
        let networks = serde_json::to_string(&p.allowed_networks)
            .map_err(|e| StoreError::Database(e.to_string()))?;
        query("DELETE FROM org_policies WHERE org_id = $1")
            .bind(&p.org_id)
            .execute(&mut self.conn)
            .await?;
        query(
            "INSERT INTO org_policies (org_id, require_second_factor, grace_days, \
             second_factor_since, password_min_length, password_min_score, \
             password_require_composition, session_max_age_hours, session_idle_minutes, \
             allowed_networks, support_needs_admin, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(&p.org_id)
        .bind(&p.require_second_factor)
        .bind(p.grace_days)
        .bind(p.second_factor_since)
        .bind(p.password_min_length)
        .bind(p.password_min_score)
        .bind(i64::from(p.password_require_composition))
        .bind(p.session_max_age_hours)
        .bind(p.session_idle_minutes)
        .bind(networks)
        .bind(i64::from(p.support_needs_admin))
        .bind(&p.updated_by)
        .bind(p.updated_at)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn gated_orgs(&mut self, account_id: &str) -> StoreResult<Vec<String>> {
        query(
            "SELECT m.org_id FROM org_members m WHERE m.account_id = $1 AND m.left_at IS NULL \
             AND (EXISTS (SELECT 1 FROM org_policies p WHERE p.org_id = m.org_id) \
             OR EXISTS (SELECT 1 FROM org_suspensions s \
             WHERE s.org_id = m.org_id AND s.account_id = m.account_id)) ORDER BY m.org_id",
        )
        .bind(account_id)
        .fetch_all(&mut self.conn)
        .await?
        .iter()
        .map(|r| col(r, "org_id"))
        .collect()
    }

    async fn org_suspension(
        &mut self,
        org_id: &str,
        account_id: &str,
    ) -> StoreResult<Option<Millis>> {
        let row =
            query("SELECT suspended_at FROM org_suspensions WHERE org_id = $1 AND account_id = $2")
                .bind(org_id)
                .bind(account_id)
                .fetch_optional(&mut self.conn)
                .await?;
        row.as_ref().map(|r| col(r, "suspended_at")).transpose()
    }

    async fn suspend_org_member(
        &mut self,
        org_id: &str,
        account_id: &str,
        by: &str,
        at: Millis,
    ) -> StoreResult<bool> {
        let done = query(
            "INSERT INTO org_suspensions (org_id, account_id, suspended_by, suspended_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (org_id, account_id) DO NOTHING",
        )
        .bind(org_id)
        .bind(account_id)
        .bind(by)
        .bind(at)
        .execute(&mut self.conn)
        .await?;
        Ok(done == 1)
    }

    async fn reinstate_org_member(&mut self, org_id: &str, account_id: &str) -> StoreResult<bool> {
        let done = query("DELETE FROM org_suspensions WHERE org_id = $1 AND account_id = $2")
            .bind(org_id)
            .bind(account_id)
            .execute(&mut self.conn)
            .await?;
        Ok(done == 1)
    }

    async fn org_audit_page(&mut self, q: &AuditQuery<'_>) -> StoreResult<Vec<OrgAuditEntry>> {
        let (cursor_at, cursor_id) = match q.cursor {
            Some((at, id)) => (Some(at), Some(id)),
            None => (None, None),
        };
        let rows = query(
            "SELECT id, org_id, actor_id, subject_id, kind, at FROM org_audit \
             WHERE org_id = $1 \
               AND ($2 IS NULL OR actor_id = $2 OR subject_id = $2) \
               AND ($3 IS NULL OR kind = $3) \
               AND ($4 IS NULL OR at >= $4) \
               AND ($5 IS NULL OR at < $5) \
               AND ($6 IS NULL OR at < $6 OR (at = $6 AND id < $7)) \
             ORDER BY at DESC, id DESC LIMIT $8",
        )
        .bind(q.org_id)
        .bind(q.account_id)
        .bind(q.kind)
        .bind(q.after)
        .bind(q.before)
        .bind(cursor_at)
        .bind(cursor_id)
        .bind(i64::from(q.limit))
        .fetch_all(&mut self.conn)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(OrgAuditEntry {
                    id: col(r, "id")?,
                    org_id: col(r, "org_id")?,
                    actor_id: col(r, "actor_id")?,
                    subject_id: col(r, "subject_id")?,
                    kind: col(r, "kind")?,
                    at: col(r, "at")?,
                })
            })
            .collect()
    }

    async fn last_session_started(&mut self, account_id: &str) -> StoreResult<Option<Millis>> {
        let row = query("SELECT MAX(created_at) AS last FROM sessions WHERE account_id = $1")
            .bind(account_id)
            .fetch_one(&mut self.conn)
            .await?;
        col(&row, "last")
    }

    async fn insert_offboarding(&mut self, o: &Offboarding) -> StoreResult<()> {
        let groups =
            serde_json::to_string(&o.groups).map_err(|e| StoreError::Database(e.to_string()))?;
        query(
            "INSERT INTO org_offboardings (org_id, account_id, successor_id, groups, offboarded_by, \
             offboarded_at, undo_until) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&o.org_id)
        .bind(&o.account_id)
        .bind(&o.successor_id)
        .bind(groups)
        .bind(&o.offboarded_by)
        .bind(o.offboarded_at)
        .bind(o.undo_until)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn offboarding(
        &mut self,
        org_id: &str,
        account_id: &str,
    ) -> StoreResult<Option<Offboarding>> {
        let row = query(
            "SELECT org_id, account_id, successor_id, groups, offboarded_by, offboarded_at, \
             undo_until FROM org_offboardings WHERE org_id = $1 AND account_id = $2",
        )
        .bind(org_id)
        .bind(account_id)
        .fetch_optional(&mut self.conn)
        .await?;
        let Some(r) = row else {
            return Ok(None);
        };
        let groups: String = col(&r, "groups")?;
        Ok(Some(Offboarding {
            org_id: col(&r, "org_id")?,
            account_id: col(&r, "account_id")?,
            successor_id: col(&r, "successor_id")?,
            groups: serde_json::from_str(&groups)
                .map_err(|e| StoreError::Database(format!("bad offboarding groups: {e}")))?,
            offboarded_by: col(&r, "offboarded_by")?,
            offboarded_at: col(&r, "offboarded_at")?,
            undo_until: col(&r, "undo_until")?,
        }))
    }

    async fn delete_offboarding(&mut self, org_id: &str, account_id: &str) -> StoreResult<bool> {
        let done = query("DELETE FROM org_offboardings WHERE org_id = $1 AND account_id = $2")
            .bind(org_id)
            .bind(account_id)
            .execute(&mut self.conn)
            .await?;
        Ok(done == 1)
    }

    async fn set_group_role(
        &mut self,
        conversation_id: &str,
        account_id: &str,
        role: &str,
    ) -> StoreResult<()> {
        query(
            "UPDATE conversation_members SET role = $3 WHERE conversation_id = $1 AND account_id = $2",
        )
        .bind(conversation_id)
        .bind(account_id)
        .bind(role)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn insert_org_audit(&mut self, e: &OrgAuditEntry) -> StoreResult<()> {
        query(
            "INSERT INTO org_audit (id, org_id, actor_id, subject_id, kind, at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&e.id)
        .bind(&e.org_id)
        .bind(&e.actor_id)
        .bind(&e.subject_id)
        .bind(&e.kind)
        .bind(e.at)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }
}

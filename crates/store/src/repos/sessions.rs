use async_trait::async_trait;

use domain::clock::Millis;
use domain::store::{Session, SessionRepo, StoreResult};

use super::{Row, col, query};
use crate::tx::SqlTx;

fn session(row: &Row) -> StoreResult<Session> {
    Ok(Session {
        id: col(row, "id")?,
        account_id: col(row, "account_id")?,
        token_hash: col(row, "token_hash")?,
        device_id: col(row, "device_id")?,
        device_name: col(row, "device_name")?,
        user_agent: col(row, "user_agent")?,
        ip: col(row, "ip")?,
        created_at: col(row, "created_at")?,
        last_seen_at: col(row, "last_seen_at")?,
        expires_at: col(row, "expires_at")?,
        revoked_at: col(row, "revoked_at")?,
        dispute_token_hash: col(row, "dispute_token_hash")?,
        longest_idle_ms: col(row, "longest_idle_ms")?,
    })
}

const SELECT: &str = "SELECT id, account_id, token_hash, device_id, device_name, user_agent, ip, \
     created_at, last_seen_at, expires_at, revoked_at, dispute_token_hash, longest_idle_ms FROM sessions";

#[async_trait]
impl SessionRepo for SqlTx {
    async fn insert_session(&mut self, s: &Session) -> StoreResult<()> {
        query(
            "INSERT INTO sessions (id, account_id, token_hash, device_id, device_name, user_agent, ip, \
             created_at, last_seen_at, expires_at, revoked_at, dispute_token_hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(&s.id)
        .bind(&s.account_id)
        .bind(&s.token_hash)
        .bind(&s.device_id)
        .bind(&s.device_name)
        .bind(&s.user_agent)
        .bind(&s.ip)
        .bind(s.created_at)
        .bind(s.last_seen_at)
        .bind(s.expires_at)
        .bind(s.revoked_at)
        .bind(&s.dispute_token_hash)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn session_by_token_hash(&mut self, token_hash: &str) -> StoreResult<Option<Session>> {
        let row = query(format!("{SELECT} WHERE token_hash = $1"))
            .bind(token_hash)
            .fetch_optional(&mut self.conn)
            .await?;
        row.as_ref().map(session).transpose()
    }

    async fn session_by_dispute(&mut self, token_hash: &str) -> StoreResult<Option<Session>> {
        let row = query(format!("{SELECT} WHERE dispute_token_hash = $1"))
            .bind(token_hash)
            .fetch_optional(&mut self.conn)
            .await?;
        row.as_ref().map(session).transpose()
    }

    async fn touch_session(&mut self, id: &str, now: Millis) -> StoreResult<()> {
        query(
            "UPDATE sessions SET last_seen_at = $2, longest_idle_ms = CASE \
             WHEN $2 - last_seen_at > longest_idle_ms THEN $2 - last_seen_at \
             ELSE longest_idle_ms END WHERE id = $1 AND last_seen_at < $2",
        )
        .bind(id)
        .bind(now)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn live_sessions(&mut self, account_id: &str, now: Millis) -> StoreResult<Vec<Session>> {
        let rows = query(format!(
            "{SELECT} WHERE account_id = $1 AND revoked_at IS NULL AND expires_at > $2 ORDER BY created_at DESC"
        ))
        .bind(account_id)
        .bind(now)
        .fetch_all(&mut self.conn)
        .await?;
        rows.iter().map(session).collect()
    }

    async fn revoke_session(
        &mut self,
        account_id: &str,
        id: &str,
        now: Millis,
    ) -> StoreResult<bool> {
        let done = query(
            "UPDATE sessions SET revoked_at = $3 WHERE account_id = $1 AND id = $2 AND revoked_at IS NULL",
        )
        .bind(account_id)
        .bind(id)
        .bind(now)
        .execute(&mut self.conn)
        .await?;
        Ok(done == 1)
    }

    async fn revoke_sessions(
        &mut self,
        account_id: &str,
        keep: Option<&str>,
        now: Millis,
    ) -> StoreResult<u64> {
        let done = query(
            "UPDATE sessions SET revoked_at = $3 \
             WHERE account_id = $1 AND revoked_at IS NULL AND id <> COALESCE($2, '')",
        )
        .bind(account_id)
        .bind(keep)
        .bind(now)
        .execute(&mut self.conn)
        .await?;
        Ok(done)
    }
}

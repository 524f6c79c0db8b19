use async_trait::async_trait;

use domain::store::{EventRepo, NewSecurityEvent, SecurityEvent, StoreError, StoreResult};

use super::{Row, col, query};
use crate::tx::SqlTx;

fn event(row: &Row) -> StoreResult<SecurityEvent> {
    let flags: String = col(row, "flags")?;
    Ok(SecurityEvent {
        id: col(row, "id")?,
        account_id: col(row, "account_id")?,
        kind: col(row, "kind")?,
        at: col(row, "at")?,
        ip: col(row, "ip")?,
        user_agent: col(row, "user_agent")?,
        flags: serde_json::from_str(&flags)
            .map_err(|e| StoreError::Database(format!("flags: {e}")))?,
        place: col(row, "place")?,
    })
}

const SELECT: &str =
    "SELECT id, account_id, kind, at, ip, user_agent, flags, place FROM security_events";

#[async_trait]
impl EventRepo for SqlTx {
    async fn insert_event(&mut self, e: &NewSecurityEvent) -> StoreResult<()> {
        let flags =
            serde_json::to_string(&e.flags).map_err(|e| StoreError::Database(e.to_string()))?;
        query(
            "INSERT INTO security_events (account_id, kind, at, ip, user_agent, flags, place) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&e.account_id)
        .bind(&e.kind)
        .bind(e.at)
        .bind(&e.ip)
        .bind(&e.user_agent)
        .bind(flags)
        .bind(&e.place)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn events(
        &mut self,
        account_id: &str,
        before: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<SecurityEvent>> {
        let rows = query(format!(
            "{SELECT} WHERE account_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3"
        ))
        .bind(account_id)
        .bind(before.unwrap_or(i64::MAX))
        .bind(i64::from(limit))
        .fetch_all(&mut self.conn)
        .await?;
        rows.iter().map(event).collect()
    }

    async fn all_events(&mut self, after: i64, limit: u32) -> StoreResult<Vec<SecurityEvent>> {
        let rows = query(format!("{SELECT} WHERE id > $1 ORDER BY id LIMIT $2"))
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(&mut self.conn)
            .await?;
        rows.iter().map(event).collect()
    }
}

use async_trait::async_trait;

use domain::clock::Millis;
use domain::identifier::Channel;
use domain::store::{DevMessage, OutboxMessage, OutboxRepo, StoreError, StoreResult};

use super::{Row, channel, col, count, query};
use crate::tx::{Dialect, SqlTx};

const COLUMNS: &str = "id, channel, destination, template, locale, params, status, attempts, \
     next_attempt_at, expires_at, provider, provider_message_id, last_error, created_at";

fn message(row: &Row) -> StoreResult<OutboxMessage> {
    let params: String = col(row, "params")?;
    Ok(OutboxMessage {
        id: col(row, "id")?,
        channel: channel(row, "channel")?,
        destination: col(row, "destination")?,
        template: col(row, "template")?,
        locale: col(row, "locale")?,
        params: serde_json::from_str(&params)
            .map_err(|e| StoreError::Database(format!("params: {e}")))?,
        status: col(row, "status")?,
        attempts: count(row, "attempts")?,
        next_attempt_at: col(row, "next_attempt_at")?,
        expires_at: col(row, "expires_at")?,
        provider: col(row, "provider")?,
        provider_message_id: col(row, "provider_message_id")?,
        last_error: col(row, "last_error")?,
        created_at: col(row, "created_at")?,
    })
}

#[async_trait]
impl OutboxRepo for SqlTx {
    async fn enqueue(&mut self, m: &OutboxMessage) -> StoreResult<()> {
        query(format!(
            "INSERT INTO outbox ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
        ))
        .bind(&m.id)
        .bind(m.channel.as_str())
        .bind(&m.destination)
        .bind(&m.template)
        .bind(&m.locale)
        .bind(m.params.to_string())
        .bind(&m.status)
        .bind(i64::from(m.attempts))
        .bind(m.next_attempt_at)
        .bind(m.expires_at)
        .bind(&m.provider)
        .bind(&m.provider_message_id)
        .bind(&m.last_error)
        .bind(m.created_at)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn claim_due(
        &mut self,
        now: Millis,
        lease_until: Millis,
        limit: u32,
    ) -> StoreResult<Vec<OutboxMessage>> {
        // A row in `sending` whose lease ran out belongs to a worker that died: it is due again.
        let skip_locked = match self.dialect {
            Dialect::Postgres => "FOR UPDATE SKIP LOCKED",
            Dialect::Sqlite => "",
        };
        let rows = query(format!(
            "UPDATE outbox SET status = 'sending', attempts = attempts + 1, next_attempt_at = $2 \
             WHERE id IN (SELECT id FROM outbox WHERE status IN ('pending', 'sending') \
                          AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT $3 {skip_locked}) \
             RETURNING {COLUMNS}"
        ))
        .bind(now)
        .bind(lease_until)
        .bind(i64::from(limit))
        .fetch_all(&mut self.conn)
        .await?;
        rows.iter().map(message).collect()
    }

    async fn mark_sent(
        &mut self,
        id: &str,
        provider: &str,
        provider_message_id: Option<&str>,
        now: Millis,
    ) -> StoreResult<()> {
        // The parameters may hold a code: once sent, they are erased.
        query(
            "UPDATE outbox SET status = 'sent', provider = $2, provider_message_id = $3, sent_at = $4, \
             params = '{}', last_error = NULL WHERE id = $1",
        )
        .bind(id)
        .bind(provider)
        .bind(provider_message_id)
        .bind(now)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn mark_retry(
        &mut self,
        id: &str,
        next_attempt_at: Millis,
        error: &str,
    ) -> StoreResult<()> {
        query("UPDATE outbox SET status = 'pending', next_attempt_at = $2, last_error = $3 WHERE id = $1")
            .bind(id)
            .bind(next_attempt_at)
            .bind(error)
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }

    async fn mark_final(&mut self, id: &str, status: &str, error: &str) -> StoreResult<()> {
        query("UPDATE outbox SET status = $2, last_error = $3, params = '{}' WHERE id = $1")
            .bind(id)
            .bind(status)
            .bind(error)
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }

    async fn last_delivery_status(
        &mut self,
        channel: Channel,
        destination: &str,
    ) -> StoreResult<Option<String>> {
        let row = query(
            "SELECT status FROM outbox WHERE destination = $1 AND channel = $2 \
             AND status IN ('sent', 'failed', 'unknown') ORDER BY created_at DESC LIMIT 1",
        )
        .bind(destination)
        .bind(channel.as_str())
        .fetch_optional(&mut self.conn)
        .await?;
        row.as_ref().map(|r| col(r, "status")).transpose()
    }

    async fn insert_dev_message(&mut self, m: &DevMessage) -> StoreResult<()> {
        query(
            "INSERT INTO dev_messages (id, channel, destination, subject, body, code, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&m.id)
        .bind(m.channel.as_str())
        .bind(&m.destination)
        .bind(&m.subject)
        .bind(&m.body)
        .bind(&m.code)
        .bind(m.created_at)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn dev_messages(
        &mut self,
        destination: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<DevMessage>> {
        let rows = query(
            "SELECT id, channel, destination, subject, body, code, created_at FROM dev_messages \
             WHERE ($1 IS NULL OR destination = $1) ORDER BY created_at DESC, id DESC LIMIT $2",
        )
        .bind(destination)
        .bind(i64::from(limit))
        .fetch_all(&mut self.conn)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(DevMessage {
                    id: col(r, "id")?,
                    channel: channel(r, "channel")?,
                    destination: col(r, "destination")?,
                    subject: col(r, "subject")?,
                    body: col(r, "body")?,
                    code: col(r, "code")?,
                    created_at: col(r, "created_at")?,
                })
            })
            .collect()
    }
}

use async_trait::async_trait;

use domain::clock::Millis;
use domain::store::{BindingChange, BindingRepo, StoreResult};

use super::{Row, channel, col, query};
use crate::tx::SqlTx;

const COLUMNS: &str = "id, account_id, channel, old_value, new_value, at, cancel_token_hash, \
     confirm_token_hash, links_expire_at, cancelled_at, confirmed_at";

fn change(row: &Row) -> StoreResult<BindingChange> {
    Ok(BindingChange {
        id: col(row, "id")?,
        account_id: col(row, "account_id")?,
        channel: channel(row, "channel")?,
        old_value: col(row, "old_value")?,
        new_value: col(row, "new_value")?,
        at: col(row, "at")?,
        cancel_token_hash: col(row, "cancel_token_hash")?,
        confirm_token_hash: col(row, "confirm_token_hash")?,
        links_expire_at: col(row, "links_expire_at")?,
        cancelled_at: col(row, "cancelled_at")?,
        confirmed_at: col(row, "confirmed_at")?,
    })
}

#[async_trait]
impl BindingRepo for SqlTx {
    async fn insert_binding_change(&mut self, c: &BindingChange) -> StoreResult<()> {
        query(format!(
            "INSERT INTO binding_changes ({COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        ))
        .bind(&c.id)
        .bind(&c.account_id)
        .bind(c.channel.as_str())
        .bind(&c.old_value)
        .bind(&c.new_value)
        .bind(c.at)
        .bind(&c.cancel_token_hash)
        .bind(&c.confirm_token_hash)
        .bind(c.links_expire_at)
        .bind(c.cancelled_at)
        .bind(c.confirmed_at)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn binding_change_by_token(
        &mut self,
        token_hash: &str,
    ) -> StoreResult<Option<BindingChange>> {
        let row = query(format!(
            "SELECT {COLUMNS} FROM binding_changes WHERE cancel_token_hash = $1 OR confirm_token_hash = $1"
        ))
        .bind(token_hash)
        .fetch_optional(&mut self.conn)
        .await?;
        row.as_ref().map(change).transpose()
    }

    async fn binding_change_to(
        &mut self,
        account_id: &str,
        value: &str,
        since: Millis,
    ) -> StoreResult<Option<BindingChange>> {
        let row = query(format!(
            "SELECT {COLUMNS} FROM binding_changes WHERE account_id = $1 AND new_value = $2 AND at > $3 \
             ORDER BY at DESC LIMIT 1"
        ))
        .bind(account_id)
        .bind(value)
        .bind(since)
        .fetch_optional(&mut self.conn)
        .await?;
        row.as_ref().map(change).transpose()
    }

    async fn settle_binding_change(
        &mut self,
        id: &str,
        cancelled: bool,
        now: Millis,
    ) -> StoreResult<bool> {
        let column = if cancelled {
            "cancelled_at"
        } else {
            "confirmed_at"
        };
        let done = query(format!(
            "UPDATE binding_changes SET {column} = $2 \
             WHERE id = $1 AND cancelled_at IS NULL AND confirmed_at IS NULL"
        ))
        .bind(id)
        .bind(now)
        .execute(&mut self.conn)
        .await?;
        Ok(done == 1)
    }
}

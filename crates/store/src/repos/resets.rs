use async_trait::async_trait;

use domain::clock::Millis;
use domain::identifier::Channel;
use domain::store::{PasswordReset, ResetRepo, StoreError, StoreResult};

use super::{Row, channel, col, query};
use crate::tx::SqlTx;

const COLUMNS: &str = "id, account_id, identifier, channel, verification_id, verified, token_hash, \
     token_expires_at, second_factor_required, second_factor_at, completed_at, created_at, expires_at";

fn channels(list: &[Channel]) -> String {
    list.iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

fn parse_channels(s: &str) -> StoreResult<Vec<Channel>> {
    s.split(',')
        .filter(|c| !c.is_empty())
        .map(|c| Channel::parse(c).ok_or_else(|| StoreError::Database(format!("bad channel {c}"))))
        .collect()
}

fn reset(row: &Row) -> StoreResult<PasswordReset> {
    let verified: String = col(row, "verified")?;
    let second: i64 = col(row, "second_factor_required")?;
    Ok(PasswordReset {
        id: col(row, "id")?,
        account_id: col(row, "account_id")?,
        identifier: col(row, "identifier")?,
        channel: channel(row, "channel")?,
        verification_id: col(row, "verification_id")?,
        verified: parse_channels(&verified)?,
        token_hash: col(row, "token_hash")?,
        token_expires_at: col(row, "token_expires_at")?,
        second_factor_required: second != 0,
        second_factor_at: col(row, "second_factor_at")?,
        completed_at: col(row, "completed_at")?,
        created_at: col(row, "created_at")?,
        expires_at: col(row, "expires_at")?,
    })
}

#[async_trait]
impl ResetRepo for SqlTx {
    async fn insert_reset(&mut self, r: &PasswordReset) -> StoreResult<()> {
        query(format!(
            "INSERT INTO password_resets ({COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
        ))
        .bind(&r.id)
        .bind(&r.account_id)
        .bind(&r.identifier)
        .bind(r.channel.as_str())
        .bind(&r.verification_id)
        .bind(channels(&r.verified))
        .bind(&r.token_hash)
        .bind(r.token_expires_at)
        .bind(i64::from(r.second_factor_required))
        .bind(r.second_factor_at)
        .bind(r.completed_at)
        .bind(r.created_at)
        .bind(r.expires_at)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn reset(&mut self, id: &str) -> StoreResult<Option<PasswordReset>> {
        let row = query(format!(
            "SELECT {COLUMNS} FROM password_resets WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&mut self.conn)
        .await?;
        row.as_ref().map(reset).transpose()
    }

    async fn update_reset(&mut self, r: &PasswordReset) -> StoreResult<()> {
        query(
            "UPDATE password_resets SET channel = $2, verification_id = $3, verified = $4, \
             token_hash = $5, token_expires_at = $6, second_factor_required = $7, second_factor_at = $8 \
             WHERE id = $1",
        )
        .bind(&r.id)
        .bind(r.channel.as_str())
        .bind(&r.verification_id)
        .bind(channels(&r.verified))
        .bind(&r.token_hash)
        .bind(r.token_expires_at)
        .bind(i64::from(r.second_factor_required))
        .bind(r.second_factor_at)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn count_reset_factor_failure(&mut self, id: &str, max: u32) -> StoreResult<Option<u32>> {
        let row = query(
            "UPDATE password_resets SET second_factor_attempts = second_factor_attempts + 1 \
             WHERE id = $1 AND second_factor_attempts < $2 AND completed_at IS NULL \
             RETURNING second_factor_attempts",
        )
        .bind(id)
        .bind(i64::from(max))
        .fetch_optional(&mut self.conn)
        .await?;
        row.as_ref()
            .map(|r| super::count(r, "second_factor_attempts"))
            .transpose()
    }

    async fn complete_reset(&mut self, id: &str, now: Millis) -> StoreResult<bool> {
        let done = query(
            "UPDATE password_resets SET completed_at = $2 WHERE id = $1 AND completed_at IS NULL",
        )
        .bind(id)
        .bind(now)
        .execute(&mut self.conn)
        .await?;
        Ok(done == 1)
    }
}

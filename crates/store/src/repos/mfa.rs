use async_trait::async_trait;

use domain::clock::Millis;
use domain::store::{MfaRepo, StoreResult, TotpSecret};

use super::{Row, col, query};
use crate::tx::SqlTx;

fn totp(row: &Row) -> StoreResult<TotpSecret> {
    Ok(TotpSecret {
        account_id: col(row, "account_id")?,
        sealed_secret: col(row, "sealed_secret")?,
        confirmed_at: col(row, "confirmed_at")?,
        last_step: col(row, "last_step")?,
        created_at: col(row, "created_at")?,
    })
}

#[async_trait]
impl MfaRepo for SqlTx {
    async fn totp(&mut self, account_id: &str) -> StoreResult<Option<TotpSecret>> {
        let row = query(
            "SELECT account_id, sealed_secret, confirmed_at, last_step, created_at \
             FROM totp_secrets WHERE account_id = $1",
        )
        .bind(account_id)
        .fetch_optional(&mut self.conn)
        .await?;
        row.as_ref().map(totp).transpose()
    }

    async fn save_totp(&mut self, t: &TotpSecret) -> StoreResult<()> {
        self.delete_totp(&t.account_id).await?;
        query(
            "INSERT INTO totp_secrets (account_id, sealed_secret, confirmed_at, last_step, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&t.account_id)
        .bind(&t.sealed_secret)
        .bind(t.confirmed_at)
        .bind(t.last_step)
        .bind(t.created_at)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn delete_totp(&mut self, account_id: &str) -> StoreResult<()> {
        query("DELETE FROM totp_secrets WHERE account_id = $1")
            .bind(account_id)
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }

    async fn accept_totp_step(
        &mut self,
        account_id: &str,
        step: i64,
        confirm: Option<Millis>,
    ) -> StoreResult<bool> {
        let done = query(
            "UPDATE totp_secrets SET last_step = $2, confirmed_at = COALESCE(confirmed_at, $3) \
             WHERE account_id = $1 AND last_step < $2 \
             AND (confirmed_at IS NOT NULL OR $3 IS NOT NULL)",
        )
        .bind(account_id)
        .bind(step)
        .bind(confirm)
        .execute(&mut self.conn)
        .await?;
        Ok(done == 1)
    }

    async fn replace_recovery_codes(
        &mut self,
        account_id: &str,
        hashes: &[String],
        now: Millis,
    ) -> StoreResult<()> {
        query("DELETE FROM recovery_codes WHERE account_id = $1")
            .bind(account_id)
            .execute(&mut self.conn)
            .await?;
        for h in hashes {
            query(
                "INSERT INTO recovery_codes (account_id, code_hash, created_at) VALUES ($1, $2, $3)",
            )
            .bind(account_id)
            .bind(h)
            .bind(now)
            .execute(&mut self.conn)
            .await?;
        }
        Ok(())
    }

    async fn use_recovery_code(
        &mut self,
        account_id: &str,
        hash: &str,
        now: Millis,
    ) -> StoreResult<bool> {
        let done = query(
            "UPDATE recovery_codes SET used_at = $3 \
             WHERE account_id = $1 AND code_hash = $2 AND used_at IS NULL",
        )
        .bind(account_id)
        .bind(hash)
        .bind(now)
        .execute(&mut self.conn)
        .await?;
        Ok(done == 1)
    }

    async fn recovery_codes_left(&mut self, account_id: &str) -> StoreResult<u32> {
        let row = query(
            "SELECT COUNT(*) AS n FROM recovery_codes WHERE account_id = $1 AND used_at IS NULL",
        )
        .bind(account_id)
        .fetch_one(&mut self.conn)
        .await?;
        let n: i64 = col(&row, "n")?;
        Ok(u32::try_from(n).unwrap_or(0))
    }
}

use async_trait::async_trait;

use domain::clock::Millis;
use domain::store::{ChallengeRepo, LoginChallenge, StoreResult};

use super::{Row, col, count, query};
use crate::tx::SqlTx;

const COLUMNS: &str = "id, account_id, reason, methods, verification_id, device_id, device_name, \
     webauthn_state, attempts, created_at, expires_at, completed_at";

fn challenge(row: &Row) -> StoreResult<LoginChallenge> {
    let methods: String = col(row, "methods")?;
    Ok(LoginChallenge {
        id: col(row, "id")?,
        account_id: col(row, "account_id")?,
        reason: col(row, "reason")?,
        methods: methods
            .split(',')
            .filter(|m| !m.is_empty())
            .map(str::to_owned)
            .collect(),
        verification_id: col(row, "verification_id")?,
        device_id: col(row, "device_id")?,
        device_name: col(row, "device_name")?,
        webauthn_state: col(row, "webauthn_state")?,
        attempts: count(row, "attempts")?,
        created_at: col(row, "created_at")?,
        expires_at: col(row, "expires_at")?,
        completed_at: col(row, "completed_at")?,
    })
}

#[async_trait]
impl ChallengeRepo for SqlTx {
    async fn insert_challenge(&mut self, c: &LoginChallenge) -> StoreResult<()> {
        query(format!(
            "INSERT INTO login_challenges ({COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
        ))
        .bind(&c.id)
        .bind(&c.account_id)
        .bind(&c.reason)
        .bind(c.methods.join(","))
        .bind(&c.verification_id)
        .bind(&c.device_id)
        .bind(&c.device_name)
        .bind(&c.webauthn_state)
        .bind(i64::from(c.attempts))
        .bind(c.created_at)
        .bind(c.expires_at)
        .bind(c.completed_at)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn challenge(&mut self, id: &str) -> StoreResult<Option<LoginChallenge>> {
        let row = query(format!(
            "SELECT {COLUMNS} FROM login_challenges WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&mut self.conn)
        .await?;
        row.as_ref().map(challenge).transpose()
    }

    async fn count_challenge_failure(&mut self, id: &str, max: u32) -> StoreResult<Option<u32>> {
        let row = query(
            "UPDATE login_challenges SET attempts = attempts + 1 \
             WHERE id = $1 AND attempts < $2 AND completed_at IS NULL RETURNING attempts",
        )
        .bind(id)
        .bind(i64::from(max))
        .fetch_optional(&mut self.conn)
        .await?;
        row.as_ref().map(|r| count(r, "attempts")).transpose()
    }

    async fn complete_challenge(&mut self, id: &str, now: Millis, max: u32) -> StoreResult<bool> {
        let done = query(
            "UPDATE login_challenges SET completed_at = $2 \
             WHERE id = $1 AND completed_at IS NULL AND expires_at > $2 AND attempts < $3",
        )
        .bind(id)
        .bind(now)
        .bind(i64::from(max))
        .execute(&mut self.conn)
        .await?;
        Ok(done == 1)
    }

    async fn set_challenge_state(&mut self, id: &str, webauthn_state: &str) -> StoreResult<()> {
        query("UPDATE login_challenges SET webauthn_state = $2 WHERE id = $1")
            .bind(id)
            .bind(webauthn_state)
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }

    async fn set_challenge_code(
        &mut self,
        id: &str,
        verification_id: &str,
        method: &str,
    ) -> StoreResult<()> {
        query("UPDATE login_challenges SET verification_id = $2, methods = $3 WHERE id = $1")
            .bind(id)
            .bind(verification_id)
            .bind(method)
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }
}

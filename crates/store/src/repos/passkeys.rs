use async_trait::async_trait;

use domain::clock::Millis;
use domain::store::{Passkey, PasskeyRepo, SecurityQuestion, StoreResult};

use super::{Row, col, query};
use crate::tx::SqlTx;

fn passkey(row: &Row) -> StoreResult<Passkey> {
    Ok(Passkey {
        credential_id: col(row, "credential_id")?,
        account_id: col(row, "account_id")?,
        name: col(row, "name")?,
        credential: col(row, "credential")?,
        created_at: col(row, "created_at")?,
        last_used_at: col(row, "last_used_at")?,
    })
}

#[async_trait]
impl PasskeyRepo for SqlTx {
    async fn passkeys(&mut self, account_id: &str) -> StoreResult<Vec<Passkey>> {
        let rows = query(
            "SELECT credential_id, account_id, name, credential, created_at, last_used_at \
             FROM webauthn_credentials WHERE account_id = $1 ORDER BY created_at",
        )
        .bind(account_id)
        .fetch_all(&mut self.conn)
        .await?;
        rows.iter().map(passkey).collect()
    }

    async fn insert_passkey(&mut self, p: &Passkey) -> StoreResult<()> {
        query(
            "INSERT INTO webauthn_credentials (credential_id, account_id, name, credential, created_at, last_used_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&p.credential_id)
        .bind(&p.account_id)
        .bind(&p.name)
        .bind(&p.credential)
        .bind(p.created_at)
        .bind(p.last_used_at)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn update_passkey(
        &mut self,
        credential_id: &str,
        credential: Option<&str>,
        used_at: Millis,
    ) -> StoreResult<()> {
        query(
            "UPDATE webauthn_credentials SET credential = COALESCE($2, credential), last_used_at = $3 \
             WHERE credential_id = $1",
        )
        .bind(credential_id)
        .bind(credential)
        .bind(used_at)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn rename_passkey(
        &mut self,
        account_id: &str,
        credential_id: &str,
        name: &str,
    ) -> StoreResult<bool> {
        let done = query(
            "UPDATE webauthn_credentials SET name = $3 WHERE account_id = $1 AND credential_id = $2",
        )
        .bind(account_id)
        .bind(credential_id)
        .bind(name)
        .execute(&mut self.conn)
        .await?;
        Ok(done == 1)
    }

    async fn delete_passkey(&mut self, account_id: &str, credential_id: &str) -> StoreResult<bool> {
        let done =
            query("DELETE FROM webauthn_credentials WHERE account_id = $1 AND credential_id = $2")
                .bind(account_id)
                .bind(credential_id)
                .execute(&mut self.conn)
                .await?;
        Ok(done == 1)
    }

    async fn security_questions(&mut self, account_id: &str) -> StoreResult<Vec<SecurityQuestion>> {
        let rows = query(
            "SELECT position, question, answer_hash FROM security_questions \
             WHERE account_id = $1 ORDER BY position",
        )
        .bind(account_id)
        .fetch_all(&mut self.conn)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SecurityQuestion {
                    position: super::count(r, "position")?,
                    question: col(r, "question")?,
                    answer_hash: col(r, "answer_hash")?,
                })
            })
            .collect()
    }

    async fn replace_security_questions(
        &mut self,
        account_id: &str,
        questions: &[SecurityQuestion],
        now: Millis,
    ) -> StoreResult<()> {
        query("DELETE FROM security_questions WHERE account_id = $1")
            .bind(account_id)
            .execute(&mut self.conn)
            .await?;
        for q in questions {
            query(
                "INSERT INTO security_questions (account_id, position, question, answer_hash, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(account_id)
            .bind(i64::from(q.position))
            .bind(&q.question)
            .bind(&q.answer_hash)
            .bind(now)
            .execute(&mut self.conn)
            .await?;
        }
        Ok(())
    }

    async fn save_ceremony(
        &mut self,
        id: &str,
        account_id: &str,
        purpose: &str,
        state: &str,
        now: Millis,
    ) -> StoreResult<()> {
        query("DELETE FROM webauthn_states WHERE id = $1")
            .bind(id)
            .execute(&mut self.conn)
            .await?;
        query(
            "INSERT INTO webauthn_states (id, account_id, purpose, state, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(account_id)
        .bind(purpose)
        .bind(state)
        .bind(now)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn take_ceremony(
        &mut self,
        id: &str,
        account_id: &str,
        purpose: &str,
        since: Millis,
    ) -> StoreResult<Option<String>> {
        let row = query(
            "DELETE FROM webauthn_states WHERE id = $1 AND account_id = $2 AND purpose = $3 \
             RETURNING state, created_at",
        )
        .bind(id)
        .bind(account_id)
        .bind(purpose)
        .fetch_optional(&mut self.conn)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let created: Millis = col(&row, "created_at")?;
        if created <= since {
            return Ok(None);
        }
        col(&row, "state").map(Some)
    }
}

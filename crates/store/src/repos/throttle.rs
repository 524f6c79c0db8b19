use async_trait::async_trait;

use domain::store::{StoreResult, Throttle, ThrottleRepo};

use super::{col, count, query};
use crate::tx::SqlTx;

#[async_trait]
impl ThrottleRepo for SqlTx {
    async fn throttle(&mut self, key: &str) -> StoreResult<Option<Throttle>> {
        let row = query("SELECT key, failures, last_failure_at, locked_until FROM login_throttle WHERE key = $1")
            .bind(key)
            .fetch_optional(&mut self.conn)
            .await?;
        row.map(|r| {
            Ok(Throttle {
                key: col(&r, "key")?,
                failures: count(&r, "failures")?,
                last_failure_at: col(&r, "last_failure_at")?,
                locked_until: col(&r, "locked_until")?,
            })
        })
        .transpose()
    }

    async fn save_throttle(&mut self, t: &Throttle) -> StoreResult<()> {
        query(
            "INSERT INTO login_throttle (key, failures, last_failure_at, locked_until) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, \
             last_failure_at = excluded.last_failure_at, locked_until = excluded.locked_until",
        )
        .bind(&t.key)
        .bind(i64::from(t.failures))
        .bind(t.last_failure_at)
        .bind(t.locked_until)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn clear_throttle(&mut self, key: &str) -> StoreResult<()> {
        query("DELETE FROM login_throttle WHERE key = $1")
            .bind(key)
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }
}

use async_trait::async_trait;

use domain::clock::{DAY, HOUR, Millis};
use domain::store::{SendStats, StoreResult, Verification, VerificationRepo};

use super::{Row, channel, col, count, query};
use crate::tx::SqlTx;

const COLUMNS: &str = "id, purpose, channel, destination, code_hash, attempts, sends, created_at, \
     expires_at, last_sent_at, consumed_at, account_id";

fn verification(row: &Row) -> StoreResult<Verification> {
    Ok(Verification {
        id: col(row, "id")?,
        purpose: col(row, "purpose")?,
        channel: channel(row, "channel")?,
        destination: col(row, "destination")?,
        code_hash: col(row, "code_hash")?,
        attempts: count(row, "attempts")?,
        sends: count(row, "sends")?,
        created_at: col(row, "created_at")?,
        expires_at: col(row, "expires_at")?,
        last_sent_at: col(row, "last_sent_at")?,
        consumed_at: col(row, "consumed_at")?,
        account_id: col(row, "account_id")?,
    })
}

#[async_trait]
impl VerificationRepo for SqlTx {
    async fn send_stats(
        &mut self,
        destination: &str,
        purpose: &str,
        ip: &str,
        now: Millis,
        cap: i64,
    ) -> StoreResult<SendStats> {
        // Each count stops at `cap` rows (the largest configured limit + 1), so a busy IP or
        // destination costs a bounded index range, not every send of the day.
        let window = |who: &str, since: &str, name: &str| {
            format!(
                "(SELECT COUNT(*) AS {name}, MIN(at) AS oldest_{name} FROM \
                 (SELECT at FROM code_sends WHERE {who} AND at > {since} ORDER BY at LIMIT $5) AS w) AS {name}"
            )
        };
        let sql = format!(
            "SELECT (SELECT MAX(at) FROM code_sends WHERE destination = $1 AND purpose = $6) AS last_dest, \
             dest_hour, oldest_dest_hour, dest_day, oldest_dest_day, ip_hour, oldest_ip_hour, ip_day, oldest_ip_day \
             FROM {}, {}, {}, {}",
            window("destination = $1", "$3", "dest_hour"),
            window("destination = $1", "$4", "dest_day"),
            window("ip = $2", "$3", "ip_hour"),
            window("ip = $2", "$4", "ip_day"),
        );
        let row = query(sql)
            .bind(destination)
            .bind(ip)
            .bind(now - HOUR)
            .bind(now - DAY)
            .bind(cap)
            .bind(purpose)
            .fetch_one(&mut self.conn)
            .await?;
        Ok(SendStats {
            last_to_destination: col(&row, "last_dest")?,
            destination_hour: col(&row, "dest_hour")?,
            destination_day: col(&row, "dest_day")?,
            oldest_destination_hour: col(&row, "oldest_dest_hour")?,
            oldest_destination_day: col(&row, "oldest_dest_day")?,
            ip_hour: col(&row, "ip_hour")?,
            ip_day: col(&row, "ip_day")?,
            oldest_ip_hour: col(&row, "oldest_ip_hour")?,
            oldest_ip_day: col(&row, "oldest_ip_day")?,
        })
    }

    async fn record_send(
        &mut self,
        destination: &str,
        purpose: &str,
        ip: &str,
        now: Millis,
    ) -> StoreResult<()> {
        query("INSERT INTO code_sends (destination, ip, at, purpose) VALUES ($1, $2, $3, $4)")
            .bind(destination)
            .bind(ip)
            .bind(now)
            .bind(purpose)
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }

    async fn insert_verification(&mut self, v: &Verification) -> StoreResult<()> {
        query(
            "INSERT INTO verifications (id, purpose, channel, destination, code_hash, attempts, sends, \
             created_at, expires_at, last_sent_at, consumed_at, account_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(&v.id)
        .bind(&v.purpose)
        .bind(v.channel.as_str())
        .bind(&v.destination)
        .bind(&v.code_hash)
        .bind(i64::from(v.attempts))
        .bind(i64::from(v.sends))
        .bind(v.created_at)
        .bind(v.expires_at)
        .bind(v.last_sent_at)
        .bind(v.consumed_at)
        .bind(&v.account_id)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn verification(&mut self, id: &str) -> StoreResult<Option<Verification>> {
        let row = query(format!("SELECT {COLUMNS} FROM verifications WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut self.conn)
            .await?;
        row.as_ref().map(verification).transpose()
    }

    async fn replace_code(
        &mut self,
        id: &str,
        code_hash: &str,
        now: Millis,
        expires_at: Millis,
    ) -> StoreResult<()> {
        query(
            "UPDATE verifications SET code_hash = $2, sends = sends + 1, last_sent_at = $3, expires_at = $4 \
             WHERE id = $1",
        )
        .bind(id)
        .bind(code_hash)
        .bind(now)
        .bind(expires_at)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn count_wrong_attempt(&mut self, id: &str, max: u32) -> StoreResult<Option<u32>> {
        let row = query(
            "UPDATE verifications SET attempts = attempts + 1 \
             WHERE id = $1 AND attempts < $2 AND consumed_at IS NULL RETURNING attempts",
        )
        .bind(id)
        .bind(i64::from(max))
        .fetch_optional(&mut self.conn)
        .await?;
        row.as_ref().map(|r| count(r, "attempts")).transpose()
    }

    async fn consume_verification(
        &mut self,
        id: &str,
        now: Millis,
        max_attempts: u32,
    ) -> StoreResult<bool> {
        let done = query(
            "UPDATE verifications SET consumed_at = $2 \
             WHERE id = $1 AND consumed_at IS NULL AND expires_at > $2 AND attempts < $3",
        )
        .bind(id)
        .bind(now)
        .bind(i64::from(max_attempts))
        .execute(&mut self.conn)
        .await?;
        Ok(done == 1)
    }
}

use async_trait::async_trait;

use domain::clock::Millis;
use domain::identifier::Channel;
use domain::store::{Account, AccountRepo, StoreResult};

use super::{Row, col, query};
use crate::tx::SqlTx;

fn account(row: &Row) -> StoreResult<Account> {
    Ok(Account {
        id: col(row, "id")?,
        nickname: col(row, "nickname")?,
        phone: col(row, "phone")?,
        email: col(row, "email")?,
        password_hash: col(row, "password_hash")?,
        password_changed_at: col(row, "password_changed_at")?,
        locale: col(row, "locale")?,
        created_at: col(row, "created_at")?,
        phone_verified_at: col(row, "phone_verified_at")?,
        email_verified_at: col(row, "email_verified_at")?,
        phone_used_at: col(row, "phone_used_at")?,
        time_zone: col(row, "time_zone")?,
    })
}

const SELECT: &str = "SELECT id, nickname, phone, email, password_hash, password_changed_at, locale, created_at, \
     phone_verified_at, email_verified_at, phone_used_at, time_zone FROM accounts";

#[async_trait]
impl AccountRepo for SqlTx {
    async fn account(&mut self, id: &str) -> StoreResult<Option<Account>> {
        let row = query(format!("{SELECT} WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut self.conn)
            .await?;
        row.as_ref().map(account).transpose()
    }

    async fn account_by_destination(
        &mut self,
        channel: Channel,
        destination: &str,
    ) -> StoreResult<Option<Account>> {
        let column = match channel {
            Channel::Sms => "phone",
            Channel::Email => "email",
        };
        let row = query(format!("{SELECT} WHERE {column} = $1"))
            .bind(destination)
            .fetch_optional(&mut self.conn)
            .await?;
        row.as_ref().map(account).transpose()
    }

    async fn insert_account(&mut self, a: &Account) -> StoreResult<()> {
        query(
            "INSERT INTO accounts (id, nickname, phone, email, password_hash, password_changed_at, locale, created_at, \
             phone_verified_at, email_verified_at, phone_used_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(&a.id)
        .bind(&a.nickname)
        .bind(&a.phone)
        .bind(&a.email)
        .bind(&a.password_hash)
        .bind(a.password_changed_at)
        .bind(&a.locale)
        .bind(a.created_at)
        .bind(a.phone_verified_at)
        .bind(a.email_verified_at)
        .bind(a.phone_used_at)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn set_password(
        &mut self,
        account_id: &str,
        hash: &str,
        changed_at: Option<Millis>,
    ) -> StoreResult<()> {
        query(
            "UPDATE accounts SET password_hash = $2, \
             password_changed_at = COALESCE($3, password_changed_at) WHERE id = $1",
        )
        .bind(account_id)
        .bind(hash)
        .bind(changed_at)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn add_nickname_history(
        &mut self,
        account_id: &str,
        nickname: &str,
        at: Millis,
    ) -> StoreResult<()> {
        query("INSERT INTO nickname_history (account_id, nickname, at) VALUES ($1, $2, $3)")
            .bind(account_id)
            .bind(nickname)
            .bind(at)
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }

    async fn set_time_zone(&mut self, account_id: &str, zone: Option<&str>) -> StoreResult<()> {
        query("UPDATE accounts SET time_zone = $2 WHERE id = $1")
            .bind(account_id)
            .bind(zone)
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }

    async fn set_nickname(&mut self, account_id: &str, nickname: &str) -> StoreResult<()> {
        query("UPDATE accounts SET nickname = $2 WHERE id = $1")
            .bind(account_id)
            .bind(nickname)
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }

    async fn nicknames_since(
        &mut self,
        account_id: &str,
        since: Millis,
    ) -> StoreResult<(i64, Option<Millis>)> {
        let row = query(
            "SELECT COUNT(*) AS n, MIN(at) AS oldest FROM nickname_history \
             WHERE account_id = $1 AND at > $2",
        )
        .bind(account_id)
        .bind(since)
        .fetch_one(&mut self.conn)
        .await?;
        Ok((col(&row, "n")?, col(&row, "oldest")?))
    }

    async fn set_binding(
        &mut self,
        account_id: &str,
        channel: Channel,
        value: Option<&str>,
        verified_at: Option<Millis>,
    ) -> StoreResult<()> {
        let sql = match channel {
            Channel::Sms => {
                "UPDATE accounts SET phone = $2, phone_verified_at = $3, phone_used_at = $3 WHERE id = $1"
            }
            Channel::Email => {
                "UPDATE accounts SET email = $2, email_verified_at = $3 WHERE id = $1"
            }
        };
        query(sql)
            .bind(account_id)
            .bind(value)
            .bind(verified_at)
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }

    async fn touch_phone_used(&mut self, account_id: &str, now: Millis) -> StoreResult<()> {
        query("UPDATE accounts SET phone_used_at = $2 WHERE id = $1 AND phone IS NOT NULL")
            .bind(account_id)
            .bind(now)
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }

    async fn remember_network(
        &mut self,
        account_id: &str,
        network: &str,
        now: Millis,
    ) -> StoreResult<bool> {
        let done = query(
            "INSERT INTO known_networks (account_id, network, first_seen_at) VALUES ($1, $2, $3) \
             ON CONFLICT DO NOTHING",
        )
        .bind(account_id)
        .bind(network)
        .bind(now)
        .execute(&mut self.conn)
        .await?;
        Ok(done == 1)
    }

    async fn remember_place(
        &mut self,
        account_id: &str,
        place: &str,
        now: Millis,
    ) -> StoreResult<bool> {
        let done = query(
            "INSERT INTO known_places (account_id, place, first_seen_at) VALUES ($1, $2, $3) \
             ON CONFLICT DO NOTHING",
        )
        .bind(account_id)
        .bind(place)
        .bind(now)
        .execute(&mut self.conn)
        .await?;
        Ok(done == 1)
    }

    async fn known_device(
        &mut self,
        account_id: &str,
        device_id: &str,
    ) -> StoreResult<Option<String>> {
        let row = query("SELECT user_agent FROM devices WHERE account_id = $1 AND device_id = $2")
            .bind(account_id)
            .bind(device_id)
            .fetch_optional(&mut self.conn)
            .await?;
        row.map(|r| col(&r, "user_agent")).transpose()
    }

    async fn touch_device(
        &mut self,
        account_id: &str,
        device_id: &str,
        user_agent: &str,
        now: Millis,
    ) -> StoreResult<bool> {
        let updated = query(
            "UPDATE devices SET last_seen_at = $3, user_agent = $4 WHERE account_id = $1 AND device_id = $2",
        )
        .bind(account_id)
        .bind(device_id)
        .bind(now)
        .bind(user_agent)
        .execute(&mut self.conn)
        .await?;
        if updated > 0 {
            return Ok(false);
        }
        query(
            "INSERT INTO devices (account_id, device_id, user_agent, first_seen_at, last_seen_at) \
             VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(account_id)
        .bind(device_id)
        .bind(user_agent)
        .bind(now)
        .execute(&mut self.conn)
        .await?;
        Ok(true)
    }
}

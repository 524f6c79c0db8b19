use async_trait::async_trait;

use domain::clock::Millis;
use domain::store::{Contact, ContactRepo, ContactRequest, StoreResult};

use super::{Row, col, query};
use crate::tx::SqlTx;

fn request(row: &Row) -> StoreResult<ContactRequest> {
    Ok(ContactRequest {
        id: col(row, "id")?,
        from_id: col(row, "from_id")?,
        to_id: col(row, "to_id")?,
        status: col(row, "status")?,
        created_at: col(row, "created_at")?,
        decided_at: col(row, "decided_at")?,
    })
}

const REQUEST: &str =
    "SELECT id, from_id, to_id, status, created_at, decided_at FROM contact_requests";

#[async_trait]
impl ContactRepo for SqlTx {
    async fn contacts(&mut self, account_id: &str) -> StoreResult<Vec<Contact>> {
        let rows = query(
            "SELECT a.id, a.nickname, \
               CASE WHEN EXISTS (SELECT 1 FROM org_members x JOIN org_members y ON y.org_id = x.org_id \
                 WHERE x.account_id = $1 AND y.account_id = a.id AND x.left_at IS NULL AND y.left_at IS NULL) \
                 THEN 1 ELSE 0 END AS colleague, \
               CASE WHEN EXISTS (SELECT 1 FROM contact_requests r WHERE r.status = 'accepted' AND \
                 ((r.from_id = $1 AND r.to_id = a.id) OR (r.to_id = $1 AND r.from_id = a.id))) \
                 THEN 1 ELSE 0 END AS external \
             FROM accounts a \
             WHERE a.id <> $1 AND ( \
               a.id IN (SELECT y.account_id FROM org_members x JOIN org_members y ON y.org_id = x.org_id \
                 WHERE x.account_id = $1 AND x.left_at IS NULL AND y.left_at IS NULL) \
               OR a.id IN (SELECT to_id FROM contact_requests WHERE from_id = $1 AND status = 'accepted') \
               OR a.id IN (SELECT from_id FROM contact_requests WHERE to_id = $1 AND status = 'accepted')) \
             ORDER BY a.nickname, a.id",
        )
        .bind(account_id)
        .fetch_all(&mut self.conn)
        .await?;
        rows.iter()
            .map(|r| {
                let colleague: i32 = col(r, "colleague")?;
                let external: i32 = col(r, "external")?;
                Ok(Contact {
                    account_id: col(r, "id")?,
                    nickname: col(r, "nickname")?,
                    colleague: colleague == 1,
                    external: external == 1,
                })
            })
            .collect()
    }

    async fn colleagues(&mut self, a: &str, b: &str) -> StoreResult<bool> {
        let row = query(
            "SELECT 1 AS one FROM org_members x JOIN org_members y ON y.org_id = x.org_id \
             WHERE x.account_id = $1 AND y.account_id = $2 AND x.left_at IS NULL AND y.left_at IS NULL",
        )
        .bind(a)
        .bind(b)
        .fetch_optional(&mut self.conn)
        .await?;
        Ok(row.is_some())
    }

    async fn insert_contact_request(&mut self, r: &ContactRequest) -> StoreResult<()> {
        query(
            "INSERT INTO contact_requests (id, from_id, to_id, status, created_at, decided_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&r.id)
        .bind(&r.from_id)
        .bind(&r.to_id)
        .bind(&r.status)
        .bind(r.created_at)
        .bind(r.decided_at)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn contact_request(&mut self, id: &str) -> StoreResult<Option<ContactRequest>> {
        let row = query(format!("{REQUEST} WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut self.conn)
            .await?;
        row.as_ref().map(request).transpose()
    }

    async fn contact_request_between(
        &mut self,
        a: &str,
        b: &str,
    ) -> StoreResult<Option<ContactRequest>> {
        let row = query(format!(
            "{REQUEST} WHERE (from_id = $1 AND to_id = $2) OR (from_id = $2 AND to_id = $1) \
             ORDER BY created_at DESC LIMIT 1"
        ))
        .bind(a)
        .bind(b)
        .fetch_optional(&mut self.conn)
        .await?;
        row.as_ref().map(request).transpose()
    }

    async fn incoming_contact_requests(
        &mut self,
        account_id: &str,
    ) -> StoreResult<Vec<ContactRequest>> {
        let rows = query(format!(
            "{REQUEST} WHERE to_id = $1 AND status = 'pending' ORDER BY created_at"
        ))
        .bind(account_id)
        .fetch_all(&mut self.conn)
        .await?;
        rows.iter().map(request).collect()
    }

    async fn decide_contact_request(
        &mut self,
        id: &str,
        status: &str,
        at: Millis,
    ) -> StoreResult<bool> {
        let done = query(
            "UPDATE contact_requests SET status = $2, decided_at = $3 \
             WHERE id = $1 AND status = 'pending'",
        )
        .bind(id)
        .bind(status)
        .bind(at)
        .execute(&mut self.conn)
        .await?;
        Ok(done == 1)
    }

    async fn block(&mut self, account_id: &str, blocked_id: &str, at: Millis) -> StoreResult<()> {
        query(
            "INSERT INTO blocks (account_id, blocked_id, at) VALUES ($1, $2, $3) \
             ON CONFLICT (account_id, blocked_id) DO NOTHING",
        )
        .bind(account_id)
        .bind(blocked_id)
        .bind(at)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    async fn unblock(&mut self, account_id: &str, blocked_id: &str) -> StoreResult<()> {
        query("DELETE FROM blocks WHERE account_id = $1 AND blocked_id = $2")
            .bind(account_id)
            .bind(blocked_id)
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }

    async fn blocked_between(&mut self, a: &str, b: &str) -> StoreResult<bool> {
        let row = query(
            "SELECT 1 AS one FROM blocks WHERE (account_id = $1 AND blocked_id = $2) \
             OR (account_id = $2 AND blocked_id = $1)",
        )
        .bind(a)
        .bind(b)
        .fetch_optional(&mut self.conn)
        .await?;
        Ok(row.is_some())
    }

    async fn blocked(&mut self, account_id: &str) -> StoreResult<Vec<String>> {
        let rows = query("SELECT blocked_id FROM blocks WHERE account_id = $1 ORDER BY at")
            .bind(account_id)
            .fetch_all(&mut self.conn)
            .await?;
        rows.iter().map(|r| col(r, "blocked_id")).collect()
    }
}

//! One transaction (or one autocommit connection), with the dialect it runs on.

use async_trait::async_trait;

use domain::store::{StoreResult, Tx};

use crate::query::{Conn, query};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    pub fn from_url(url: &str) -> Option<Self> {
        if url.starts_with("sqlite:") {
            Some(Dialect::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Dialect::Postgres)
        } else {
            None
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgres => "postgres",
        }
    }
}

/// A transaction with every repository; dropped without commit, it rolls back.
pub struct SqlTx {
    pub(crate) conn: Conn,
    pub(crate) dialect: Dialect,
}

impl SqlTx {
    pub(crate) fn new(conn: Conn, dialect: Dialect) -> Self {
        Self { conn, dialect }
    }
}

#[async_trait]
impl Tx for SqlTx {
    async fn commit(self: Box<Self>) -> StoreResult<()> {
        self.conn.commit().await
    }

    async fn lock_key(&mut self, key: &str) -> StoreResult<()> {
        if self.dialect == Dialect::Postgres {
            query("SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtextextended($1, 0))) AS l")
                .bind(key)
                .execute(&mut self.conn)
                .await?;
        }
        Ok(())
    }
}

//! One transaction (or one autocommit connection), with the dialect it runs on.

use std::ops::{Deref, DerefMut};

use async_trait::async_trait;
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, Transaction};

use domain::store::{StoreError, StoreResult, Tx};

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

/// What the repositories run their statements on.
pub(crate) enum Conn {
    Tx(Transaction<'static, Any>),
    /// No transaction: each statement commits (or reads the latest commit) on its own.
    Autocommit(PoolConnection<Any>),
}

impl Deref for Conn {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        match self {
            Conn::Tx(t) => t,
            Conn::Autocommit(c) => c,
        }
    }
}

impl DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        match self {
            Conn::Tx(t) => t,
            Conn::Autocommit(c) => c,
        }
    }
}

pub struct SqlTx {
    pub(crate) tx: Conn,
    pub(crate) dialect: Dialect,
}

impl SqlTx {
    pub fn new(tx: Transaction<'static, Any>, dialect: Dialect) -> Self {
        Self {
            tx: Conn::Tx(tx),
            dialect,
        }
    }

    /// Statements without a transaction around them (see [`domain::store::Store::read_one`]).
    pub fn autocommit(conn: PoolConnection<Any>, dialect: Dialect) -> Self {
        Self {
            tx: Conn::Autocommit(conn),
            dialect,
        }
    }
}

/// Maps a sqlx error, telling unique violations apart.
pub(crate) fn db(e: sqlx::Error) -> StoreError {
    match e.as_database_error() {
        Some(d) if d.is_unique_violation() => StoreError::Conflict(d.message().to_owned()),
        _ => StoreError::Database(e.to_string()),
    }
}

#[async_trait]
impl Tx for SqlTx {
    async fn commit(self: Box<Self>) -> StoreResult<()> {
        match self.tx {
            Conn::Tx(t) => t.commit().await.map_err(db),
            Conn::Autocommit(_) => Ok(()),
        }
    }

    async fn lock_key(&mut self, key: &str) -> StoreResult<()> {
        if self.dialect == Dialect::Postgres {
            sqlx::query(
                "SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtextextended($1, 0))) AS l",
            )
            .bind(key)
            .execute(&mut *self.tx)
            .await
            .map_err(db)?;
        }
        Ok(())
    }
}

//! Opening the database named by a URL.

use std::sync::Arc;

use async_trait::async_trait;
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

use domain::store::{Store, StoreError, StoreResult, Tx};

use crate::query::{Conn, Engine, PgSession, pg_error, query};
use crate::sqlite::{self, Handle, Session};
use crate::tx::{Dialect, SqlTx};

/// A SQLite or PostgreSQL database.
///
/// On SQLite, writes go through one connection, so concurrent writers queue for it instead of
/// failing with "database is locked"; reads use separate `query_only` connections. On
/// PostgreSQL both are one pool.
pub struct SqlStore {
    /// The URL as given (the key of [`crate::faults`]).
    url: Arc<str>,
    pub(crate) engine: Backend,
}

pub(crate) enum Backend {
    Sqlite(sqlite::Db),
    Postgres(PgPool),
}

/// Connects to `url` (`sqlite://PATH` or `postgres://…`), creating a SQLite file and its
/// directory when missing. Does not migrate.
pub async fn connect(url: &str) -> StoreResult<SqlStore> {
    let engine = match Dialect::from_url(url) {
        Some(Dialect::Sqlite) => Backend::Sqlite(sqlite::Db::open(url)?),
        Some(Dialect::Postgres) => Backend::Postgres(
            PgPoolOptions::new()
                .max_connections(16)
                .connect(url)
                .await
                .map_err(pg_error)?,
        ),
        None => {
            return Err(StoreError::Database(format!(
                "unsupported database URL scheme: {url}"
            )));
        }
    };
    Ok(SqlStore {
        url: url.into(),
        engine,
    })
}

impl SqlStore {
    pub fn dialect(&self) -> Dialect {
        match self.engine {
            Backend::Sqlite(_) => Dialect::Sqlite,
            Backend::Postgres(_) => Dialect::Postgres,
        }
    }

    fn tx(&self, engine: Engine) -> Box<dyn Tx> {
        Box::new(SqlTx::new(
            Conn::new(self.url.clone(), engine),
            self.dialect(),
        ))
    }

    /// A connection without a transaction: each statement commits, or reads the latest commit,
    /// on its own (read-only on SQLite).
    pub(crate) async fn autocommit(&self) -> StoreResult<Engine> {
        Ok(match &self.engine {
            Backend::Sqlite(db) => {
                Engine::Sqlite(Session::autocommit(Handle::Reader(db.reader().await?)))
            }
            Backend::Postgres(pool) => Engine::Postgres(PgSession::Autocommit(
                pool.acquire().await.map_err(pg_error)?,
            )),
        })
    }
}

#[async_trait]
impl Store for SqlStore {
    async fn write(&self) -> StoreResult<Box<dyn Tx>> {
        let engine = match &self.engine {
            Backend::Sqlite(db) => {
                Engine::Sqlite(Session::begin(Handle::Writer(db.writer().await), true)?)
            }
            Backend::Postgres(pool) => {
                Engine::Postgres(PgSession::Tx(pool.begin().await.map_err(pg_error)?))
            }
        };
        Ok(self.tx(engine))
    }

    async fn read(&self) -> StoreResult<Box<dyn Tx>> {
        let engine = match &self.engine {
            Backend::Sqlite(db) => {
                Engine::Sqlite(Session::begin(Handle::Reader(db.reader().await?), false)?)
            }
            Backend::Postgres(pool) => {
                Engine::Postgres(PgSession::Tx(pool.begin().await.map_err(pg_error)?))
            }
        };
        Ok(self.tx(engine))
    }

    async fn read_one(&self) -> StoreResult<Box<dyn Tx>> {
        Ok(self.tx(self.autocommit().await?))
    }

    async fn ping(&self) -> StoreResult<()> {
        let mut conn = Conn::new(self.url.clone(), self.autocommit().await?);
        query("SELECT 1 AS one").fetch_one(&mut conn).await?;
        Ok(())
    }

    fn backend(&self) -> &'static str {
        self.dialect().name()
    }
}

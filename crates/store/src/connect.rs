//! Opening the database named by a URL, and migrating it.

use std::path::Path;

use async_trait::async_trait;
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};

use domain::store::{Store, StoreError, StoreResult, Tx};

use crate::tx::{Dialect, SqlTx, db};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// A SQLite or PostgreSQL database.
///
/// On SQLite, writes go through a pool of exactly one connection, so concurrent writers queue in
/// the pool instead of failing with "database is locked"; reads use a separate pool whose
/// connections are `query_only`. On PostgreSQL both are one pool.
pub struct SqlStore {
    dialect: Dialect,
    writer: AnyPool,
    reader: AnyPool,
}

const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;";

/// Connects to `url` (`sqlite://PATH` or `postgres://…`), creating a SQLite file and its
/// directory when missing. Does not migrate.
pub async fn connect(url: &str) -> StoreResult<SqlStore> {
    install_default_drivers();
    let dialect = Dialect::from_url(url)
        .ok_or_else(|| StoreError::Database(format!("unsupported database URL scheme: {url}")))?;
    match dialect {
        Dialect::Sqlite => {
            let url = sqlite_url(url)?;
            // No ping before each acquire: a SQLite connection is a local file handle that does
            // not go stale like a network connection, and the ping is one more round trip to the
            // connection's worker thread on every transaction.
            let writer = AnyPoolOptions::new()
                .max_connections(1)
                .test_before_acquire(false)
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        conn.execute(SQLITE_PRAGMAS).await?;
                        Ok(())
                    })
                })
                .connect(&url)
                .await
                .map_err(db)?;
            let reader = AnyPoolOptions::new()
                .max_connections(4)
                .test_before_acquire(false)
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        conn.execute(SQLITE_PRAGMAS).await?;
                        conn.execute("PRAGMA query_only = ON;").await?;
                        Ok(())
                    })
                })
                .connect(&url)
                .await
                .map_err(db)?;
            Ok(SqlStore {
                dialect,
                writer,
                reader,
            })
        }
        Dialect::Postgres => {
            let pool = AnyPoolOptions::new()
                .max_connections(16)
                .connect(url)
                .await
                .map_err(db)?;
            Ok(SqlStore {
                dialect,
                writer: pool.clone(),
                reader: pool,
            })
        }
    }
}

/// Makes sure the SQLite file's directory exists and the file is created on first start.
fn sqlite_url(url: &str) -> StoreResult<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let dir = Path::new(path)
        .parent()
        .filter(|d| path != ":memory:" && !d.as_os_str().is_empty());
    if let Some(dir) = dir {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::Database(format!("creating {}: {e}", dir.display())))?;
    }
    let mode = if query.contains("mode=") {
        ""
    } else {
        "mode=rwc"
    };
    let sep = if query.is_empty() || mode.is_empty() {
        ""
    } else {
        "&"
    };
    Ok(format!("sqlite://{path}?{query}{sep}{mode}"))
}

/// Applies the backend's pending migrations.
pub async fn migrate(store: &SqlStore) -> StoreResult<()> {
    let migrator = match store.dialect {
        Dialect::Sqlite => &SQLITE_MIGRATIONS,
        Dialect::Postgres => &POSTGRES_MIGRATIONS,
    };
    migrator
        .run(&store.writer)
        .await
        .map_err(|e| StoreError::Database(format!("migration failed: {e}")))
}

impl SqlStore {
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }
}

#[async_trait]
impl Store for SqlStore {
    async fn write(&self) -> StoreResult<Box<dyn Tx>> {
        // On SQLite a write transaction takes the write lock at once, so another process on the
        // same file (a second node, an admin command) waits out `busy_timeout` instead of failing
        // when a read would later turn into a write.
        let tx = match self.dialect {
            Dialect::Sqlite => self.writer.begin_with("BEGIN IMMEDIATE").await,
            Dialect::Postgres => self.writer.begin().await,
        }
        .map_err(db)?;
        Ok(Box::new(SqlTx::new(tx, self.dialect)))
    }

    async fn read(&self) -> StoreResult<Box<dyn Tx>> {
        let tx = self.reader.begin().await.map_err(db)?;
        Ok(Box::new(SqlTx::new(tx, self.dialect)))
    }

    async fn read_one(&self) -> StoreResult<Box<dyn Tx>> {
        let conn = self.reader.acquire().await.map_err(db)?;
        Ok(Box::new(SqlTx::autocommit(conn, self.dialect)))
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.reader)
            .await
            .map_err(db)?;
        Ok(())
    }

    fn backend(&self) -> &'static str {
        self.dialect.name()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_create_the_file() {
        assert_eq!(
            sqlite_url("sqlite://./data/w.db").unwrap(),
            "sqlite://./data/w.db?mode=rwc"
        );
        assert_eq!(
            sqlite_url("sqlite:///tmp/x.db?mode=ro").unwrap(),
            "sqlite:///tmp/x.db?mode=ro"
        );
        assert_eq!(
            sqlite_url("sqlite:///tmp/x.db?cache=shared").unwrap(),
            "sqlite:///tmp/x.db?cache=shared&mode=rwc"
        );
    }
}

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

#[cfg(test)]
mod tests {
    use domain::store::{Account, Throttle};

    use super::*;
    use crate::faults;

    fn throttle(key: &str) -> Throttle {
        Throttle {
            key: key.into(),
            failures: 3,
            last_failure_at: 1_700_000_000_000,
            locked_until: None,
        }
    }

    fn account(id: &str, email: &str) -> Account {
        Account {
            id: id.into(),
            nickname: "Ada".into(),
            phone: None,
            email: Some(email.into()),
            password_hash: "h".into(),
            password_changed_at: 1,
            locale: "en".into(),
            created_at: 1,
            phone_verified_at: None,
            email_verified_at: Some(2),
            phone_used_at: None,
            time_zone: None,
        }
    }

    /// Commit, rollback on drop, unique violations and injected faults, on one backend.
    async fn transactions_behave(url: &str) {
        let store = connect(url).await.unwrap();
        crate::migrate(&store).await.unwrap();

        let mut tx = store.write().await.unwrap();
        tx.save_throttle(&throttle("kept")).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.write().await.unwrap();
        tx.save_throttle(&throttle("dropped")).await.unwrap();
        drop(tx);
        let mut r = store.read().await.unwrap();
        let kept = r.throttle("kept").await.unwrap().unwrap();
        assert_eq!((kept.failures, kept.locked_until), (3, None));
        assert!(r.throttle("dropped").await.unwrap().is_none());
        drop(r);

        let mut tx = store.write().await.unwrap();
        tx.insert_account(&account("a1", "ada@example.com"))
            .await
            .unwrap();
        let again = tx.insert_account(&account("a2", "ada@example.com")).await;
        assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
        drop(tx);

        faults::arm(url, "INTO login_throttle");
        let mut tx = store.write().await.unwrap();
        tx.save_throttle(&throttle("other")).await.unwrap_err();
        drop(tx);
        faults::disarm(url);
        faults::arm(url, "COMMIT");
        let mut tx = store.write().await.unwrap();
        tx.save_throttle(&throttle("at commit")).await.unwrap();
        tx.commit().await.unwrap_err();
        faults::disarm(url);
        let mut tx = store.write().await.unwrap();
        tx.save_throttle(&throttle("after")).await.unwrap();
        tx.commit().await.unwrap();
        let mut r = store.read_one().await.unwrap();
        assert!(r.throttle("other").await.unwrap().is_none());
        assert!(r.throttle("at commit").await.unwrap().is_none());
        assert!(r.throttle("after").await.unwrap().is_some());
        store.ping().await.unwrap();
    }

    #[tokio::test]
    async fn sqlite_transactions() {
        let dir = tempfile::tempdir().unwrap();
        transactions_behave(&format!("sqlite://{}", dir.path().join("t.db").display())).await;
    }

    #[tokio::test]
    async fn a_write_waits_for_the_one_before() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("w.db").display());
        let store = Arc::new(connect(&url).await.unwrap());
        crate::migrate(&store).await.unwrap();
        let first = store.write().await.unwrap();
        let second = tokio::spawn({
            let store = store.clone();
            async move { store.write().await.map(|_| ()) }
        });
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(!second.is_finished());
        drop(first);
        second.await.unwrap().unwrap();
    }

    #[tokio::test]
    async fn postgres_transactions() {
        let Ok(base) = std::env::var("TEST_POSTGRES_URL") else {
            assert!(
                std::env::var("TEST_SKIP_POSTGRES").is_ok_and(|v| v == "1"),
                "this test needs TEST_POSTGRES_URL (or TEST_SKIP_POSTGRES=1)"
            );
            return;
        };
        transactions_behave(&crate::migrations::tests::fresh_postgres_database(&base).await).await;
    }
}

//! Test helpers: one statement straight against a database, outside any store (to put a row
//! into a state that would otherwise take months, or to count what a flow left behind).

use sqlx::{AssertSqlSafe, Connection as _, PgConnection};

use domain::store::{StoreError, StoreResult};

use crate::query::pg_error;
use crate::sqlite;
use crate::tx::Dialect;

fn dialect(url: &str) -> StoreResult<Dialect> {
    Dialect::from_url(url)
        .ok_or_else(|| StoreError::Database(format!("unsupported database URL scheme: {url}")))
}

/// Runs one statement on its own connection, returning how many rows it changed.
pub async fn exec_raw(url: &str, sql: &str) -> StoreResult<u64> {
    match dialect(url)? {
        Dialect::Sqlite => {
            let conn = sqlite::open_connection(&sqlite::target(url)?, false)?;
            let mut st = conn.prepare(sql).map_err(sqlite::error)?;
            if st.column_count() == 0 {
                return st.raw_execute().map(|n| n as u64).map_err(sqlite::error);
            }
            let mut rows = st.raw_query();
            while rows.next().map_err(sqlite::error)?.is_some() {}
            Ok(conn.changes())
        }
        Dialect::Postgres => {
            let mut conn = PgConnection::connect(url).await.map_err(pg_error)?;
            let done = sqlx::query(AssertSqlSafe(sql.to_owned()))
                .execute(&mut conn)
                .await
                .map_err(pg_error)?;
            conn.close().await.map_err(pg_error)?;
            Ok(done.rows_affected())
        }
    }
}

/// Runs a query whose first column of its first row is an integer (`SELECT COUNT(*) …`) on a
/// read-only connection of its own.
pub async fn count_raw(url: &str, sql: &str) -> StoreResult<i64> {
    match dialect(url)? {
        Dialect::Sqlite => {
            let mut target = sqlite::target(url)?;
            target.flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
                | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
            let conn = sqlite::open_connection(&target, false)?;
            conn.query_row(sql, [], |r| r.get(0)).map_err(sqlite::error)
        }
        Dialect::Postgres => {
            let mut conn = PgConnection::connect(url).await.map_err(pg_error)?;
            let n = sqlx::query_scalar(AssertSqlSafe(sql.to_owned()))
                .fetch_one(&mut conn)
                .await
                .map_err(pg_error)?;
            conn.close().await.map_err(pg_error)?;
            Ok(n)
        }
    }
}

//! The small query layer the repositories are written against, so that one SQL text serves both
//! engines: `query(sql).bind(v)….fetch_one(&mut conn)` (or `fetch_optional`, `fetch_all`,
//! `execute`), and [`col`] to read a column of a [`Row`].
//!
//! SQL uses `$1`, `$2`, … placeholders, which both understand (on SQLite they are bound by the
//! number in their name, see `sqlite::bind`). Values are kept as a small enum until the
//! statement runs; rows come back as an owned [`Row`]: on PostgreSQL sqlx's `PgRow`, decoded
//! typed when a column is read; on SQLite the row's values copied out of the statement.

use std::borrow::Cow;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::{Arguments, AssertSqlSafe, PgConnection, Postgres, Row as _, Transaction};

use domain::store::{StoreError, StoreResult};

use crate::faults;
use crate::sqlite;

/// The type a NULL is sent as (PostgreSQL types every parameter).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Kind {
    Int,
    Text,
}

/// One bound value.
#[derive(Debug)]
pub(crate) enum Value<'q> {
    Null(Kind),
    Int(i64),
    Text(Cow<'q, str>),
}

/// What [`Query::bind`] accepts.
pub(crate) trait Bind<'q> {
    fn value(self) -> Value<'q>;
}

impl<'q> Bind<'q> for i64 {
    fn value(self) -> Value<'q> {
        Value::Int(self)
    }
}

impl<'q> Bind<'q> for &'q str {
    fn value(self) -> Value<'q> {
        Value::Text(Cow::Borrowed(self))
    }
}

impl<'q> Bind<'q> for &'q String {
    fn value(self) -> Value<'q> {
        Value::Text(Cow::Borrowed(self))
    }
}

impl<'q> Bind<'q> for String {
    fn value(self) -> Value<'q> {
        Value::Text(Cow::Owned(self))
    }
}

impl<'q> Bind<'q> for Option<i64> {
    fn value(self) -> Value<'q> {
        self.map_or(Value::Null(Kind::Int), Value::Int)
    }
}

impl<'q> Bind<'q> for Option<&'q str> {
    fn value(self) -> Value<'q> {
        self.map_or(Value::Null(Kind::Text), |s| Value::Text(Cow::Borrowed(s)))
    }
}

impl<'q> Bind<'q> for Option<String> {
    fn value(self) -> Value<'q> {
        self.map_or(Value::Null(Kind::Text), |s| Value::Text(Cow::Owned(s)))
    }
}

impl<'q> Bind<'q> for &'q Option<String> {
    fn value(self) -> Value<'q> {
        self.as_deref().value()
    }
}

/// A statement and its values, not yet run.
#[must_use = "a query does nothing until it is executed or fetched"]
pub(crate) struct Query<'q> {
    sql: Cow<'static, str>,
    values: Vec<Value<'q>>,
}

/// Starts a statement.
pub(crate) fn query<'q>(sql: impl Into<Cow<'static, str>>) -> Query<'q> {
    Query {
        sql: sql.into(),
        values: Vec::new(),
    }
}

impl<'q> Query<'q> {
    /// Binds the next value (the first to `$1`, and so on).
    pub(crate) fn bind(mut self, value: impl Bind<'q>) -> Self {
        self.values.push(value.value());
        self
    }

    /// Runs the statement, returning how many rows it changed.
    pub(crate) async fn execute(self, conn: &mut Conn) -> StoreResult<u64> {
        faults::check(&conn.database, &self.sql)?;
        match &mut conn.engine {
            Engine::Sqlite(s) => s.execute(&self.sql, &self.values),
            Engine::Postgres(c) => Ok(self
                .postgres()?
                .execute(&mut **c)
                .await
                .map_err(pg_error)?
                .rows_affected()),
        }
    }

    /// Runs the query, returning every row.
    pub(crate) async fn fetch_all(self, conn: &mut Conn) -> StoreResult<Vec<Row>> {
        faults::check(&conn.database, &self.sql)?;
        match &mut conn.engine {
            Engine::Sqlite(s) => Ok(s
                .fetch(&self.sql, &self.values, usize::MAX)?
                .into_iter()
                .map(Row::Sqlite)
                .collect()),
            Engine::Postgres(c) => Ok(self
                .postgres()?
                .fetch_all(&mut **c)
                .await
                .map_err(pg_error)?
                .into_iter()
                .map(Row::Postgres)
                .collect()),
        }
    }

    /// Runs the query, returning its first row if there is one.
    pub(crate) async fn fetch_optional(self, conn: &mut Conn) -> StoreResult<Option<Row>> {
        faults::check(&conn.database, &self.sql)?;
        match &mut conn.engine {
            Engine::Sqlite(s) => Ok(s
                .fetch(&self.sql, &self.values, 1)?
                .into_iter()
                .next()
                .map(Row::Sqlite)),
            Engine::Postgres(c) => Ok(self
                .postgres()?
                .fetch_optional(&mut **c)
                .await
                .map_err(pg_error)?
                .map(Row::Postgres)),
        }
    }

    /// Runs the query, returning its first row, which must exist.
    pub(crate) async fn fetch_one(self, conn: &mut Conn) -> StoreResult<Row> {
        self.fetch_optional(conn)
            .await?
            .ok_or_else(|| StoreError::Database("the query returned no row".into()))
    }

    /// The sqlx query with the values bound.
    fn postgres(self) -> StoreResult<sqlx::query::Query<'static, Postgres, PgArguments>> {
        let mut args = PgArguments::default();
        for v in &self.values {
            match v {
                Value::Null(Kind::Int) => args.add(None::<i64>),
                Value::Null(Kind::Text) => args.add(None::<&str>),
                Value::Int(i) => args.add(*i),
                Value::Text(s) => args.add(s.as_ref()),
            }
            .map_err(|e| StoreError::Database(format!("binding a value: {e}")))?;
        }
        Ok(match self.sql {
            Cow::Borrowed(sql) => sqlx::query_with(sql, args),
            Cow::Owned(sql) => sqlx::query_with(AssertSqlSafe(sql), args),
        })
    }
}

/// One row of a result.
pub(crate) enum Row {
    Sqlite(sqlite::Row),
    Postgres(PgRow),
}

/// The types a column can be read as: what both engines can decode.
pub(crate) trait Column:
    rusqlite::types::FromSql + for<'r> sqlx::Decode<'r, Postgres> + sqlx::Type<Postgres>
{
}

impl<T> Column for T where
    T: rusqlite::types::FromSql + for<'r> sqlx::Decode<'r, Postgres> + sqlx::Type<Postgres>
{
}

/// Reads a column, mapping decode errors.
pub(crate) fn col<T: Column>(row: &Row, name: &str) -> StoreResult<T> {
    match row {
        Row::Sqlite(r) => r.get(name),
        Row::Postgres(r) => r.try_get(name).map_err(|e| e.to_string()),
    }
    .map_err(|e| StoreError::Database(format!("column {name}: {e}")))
}

/// What the repositories run their statements on: a transaction, or a connection whose
/// statements each commit on their own.
pub(crate) struct Conn {
    /// The URL the store was connected with (the key of [`faults`]).
    database: Arc<str>,
    engine: Engine,
}

pub(crate) enum Engine {
    Sqlite(sqlite::Session),
    Postgres(PgSession),
}

pub(crate) enum PgSession {
    Tx(Transaction<'static, Postgres>),
    Autocommit(PoolConnection<Postgres>),
}

impl Deref for PgSession {
    type Target = PgConnection;

    fn deref(&self) -> &PgConnection {
        match self {
            PgSession::Tx(t) => t,
            PgSession::Autocommit(c) => c,
        }
    }
}

impl DerefMut for PgSession {
    fn deref_mut(&mut self) -> &mut PgConnection {
        match self {
            PgSession::Tx(t) => t,
            PgSession::Autocommit(c) => c,
        }
    }
}

impl Conn {
    pub(crate) fn new(database: Arc<str>, engine: Engine) -> Self {
        Self { database, engine }
    }

    /// Commits the transaction, if there is one.
    pub(crate) async fn commit(self) -> StoreResult<()> {
        faults::check(&self.database, "COMMIT")?;
        match self.engine {
            Engine::Sqlite(s) => s.commit(),
            Engine::Postgres(PgSession::Tx(t)) => t.commit().await.map_err(pg_error),
            Engine::Postgres(PgSession::Autocommit(_)) => Ok(()),
        }
    }
}

/// Maps a sqlx error, telling unique violations apart.
pub(crate) fn pg_error(e: sqlx::Error) -> StoreError {
    match e.as_database_error() {
        Some(d) if d.is_unique_violation() => StoreError::Conflict(d.message().to_owned()),
        _ => StoreError::Database(e.to_string()),
    }
}

//! SQLite through rusqlite. Statements run directly on the calling task: in WAL mode they take
//! microseconds, less than handing them to another thread and back would.
//!
//! One writer connection sits behind an async mutex; a write transaction holds the mutex's
//! owned guard for its whole life, so writers queue instead of failing with "database is
//! locked". Reads use a few separate `query_only` connections (a semaphore and a list of idle
//! connections), which WAL lets read beside the writer.
//!
//! Checkpoints (copying the WAL back into the database file, with its fsyncs) run on a thread of
//! their own ([`checkpoints`]) shortly after writes, not inside whichever commit happens to cross
//! SQLite's auto-checkpoint mark: a big write (an index pass of thousands of rows) would
//! otherwise make the next small commit pay for copying it, holding the writer meanwhile.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rusqlite::types::{ToSqlOutput, Value as SqlValue, ValueRef};
use rusqlite::{Connection, ErrorCode, OpenFlags, Statement, ToSql};
use tokio::sync::{OwnedMutexGuard, OwnedSemaphorePermit, Semaphore};

use domain::store::{StoreError, StoreResult};

use crate::query::Value;

/// Read connections open at most at once.
const READERS: usize = 4;

/// Prepared statements kept per connection (rusqlite's default is 16; the repositories have a
/// few hundred distinct statements).
const STATEMENT_CACHE: usize = 256;

/// Statements with more bound values than this are the multi-row batches, whose SQL changes with
/// the batch size: they are prepared afresh instead of pushing hot statements out of the cache.
pub(crate) const CACHE_MAX_VALUES: usize = 64;

/// How long a statement waits for another process (an admin command on the same file) to
/// release its lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

const PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
     PRAGMA foreign_keys = ON;";

/// The WAL size (pages) at which a commit checkpoints by itself: a backstop for when the
/// checkpoint thread falls behind (readers holding old snapshots), far above what it lets the WAL
/// grow to. SQLite's default is 1,000.
const WRITER_AUTOCHECKPOINT: u32 = 16_000;

/// How long the checkpoint thread waits after a write began before it checkpoints, so that the
/// commits of a burst are copied together.
const CHECKPOINT_DELAY: Duration = Duration::from_millis(100);

/// The writer's page cache: 32 MiB instead of SQLite's 2 MiB, so the B-trees that writes land
/// all over (the search index's terms, the messages' indexes) stay in memory between commits.
/// The cache fills only as far as the database is used.
const WRITER_PRAGMAS: &str = "PRAGMA cache_size = -32768;";

/// A SQLite database file: its writer and its read connections.
pub(crate) struct Db {
    writer: Arc<tokio::sync::Mutex<Connection>>,
    readers: Arc<ReadPool>,
    /// Tells the checkpoint thread that a write began; dropping it (with the `Db`) ends the
    /// thread.
    wrote: std::sync::mpsc::SyncSender<()>,
}

struct ReadPool {
    path: PathBuf,
    flags: OpenFlags,
    permits: Arc<Semaphore>,
    idle: Mutex<Vec<Connection>>,
}

/// Where a `sqlite:` URL points and how to open it.
pub(crate) struct Target {
    pub(crate) path: PathBuf,
    pub(crate) flags: OpenFlags,
}

/// Parses `sqlite://PATH` or `sqlite:PATH`, optionally with `?mode=ro|rw|rwc` (default `rwc`:
/// the file is created when missing).
pub(crate) fn target(url: &str) -> StoreResult<Target> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .ok_or_else(|| StoreError::Database(format!("not a SQLite URL: {url}")))?;
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path.is_empty() || path == ":memory:" {
        return Err(StoreError::Database(format!(
            "{url}: SQLite needs a file (an in-memory database is not shared between connections)"
        )));
    }
    let base = OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut flags = base | OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE;
    for param in query.split('&').filter(|p| !p.is_empty()) {
        flags = match param {
            "mode=ro" => base | OpenFlags::SQLITE_OPEN_READ_ONLY,
            "mode=rw" => base | OpenFlags::SQLITE_OPEN_READ_WRITE,
            "mode=rwc" => base | OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
            _ => {
                return Err(StoreError::Database(format!(
                    "{url}: unsupported SQLite URL parameter {param} (only mode=ro|rw|rwc)"
                )));
            }
        };
    }
    Ok(Target {
        path: PathBuf::from(path),
        flags,
    })
}

/// Opens one connection with the pragmas every connection needs.
pub(crate) fn open_connection(target: &Target, query_only: bool) -> StoreResult<Connection> {
    let conn = Connection::open_with_flags(&target.path, target.flags)
        .map_err(|e| StoreError::Database(format!("opening {}: {e}", target.path.display())))?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    conn.busy_timeout(BUSY_TIMEOUT).map_err(error)?;
    if !target.flags.contains(OpenFlags::SQLITE_OPEN_READ_ONLY) {
        conn.execute_batch(PRAGMAS).map_err(error)?;
    }
    if query_only {
        conn.execute_batch("PRAGMA query_only = ON;")
            .map_err(error)?;
    }
    Ok(conn)
}

impl Db {
    /// Opens the file named by `url`, creating it and its directory when missing.
    pub(crate) fn open(url: &str) -> StoreResult<Db> {
        let target = target(url)?;
        let dir = target.path.parent().filter(|d| !d.as_os_str().is_empty());
        if let Some(dir) = dir.filter(|_| target.flags.contains(OpenFlags::SQLITE_OPEN_CREATE)) {
            std::fs::create_dir_all(dir)
                .map_err(|e| StoreError::Database(format!("creating {}: {e}", dir.display())))?;
        }
        // The writer first: it switches the file to WAL before any reader opens it.
        let writer = open_connection(&target, false)?;
        writer.execute_batch(WRITER_PRAGMAS).map_err(error)?;
        writer
            .pragma_update(None, "wal_autocheckpoint", WRITER_AUTOCHECKPOINT)
            .map_err(error)?;
        let wrote = checkpoints(open_connection(&target, false)?)?;
        Ok(Db {
            writer: Arc::new(tokio::sync::Mutex::new(writer)),
            wrote,
            readers: Arc::new(ReadPool {
                path: target.path,
                flags: target.flags,
                permits: Arc::new(Semaphore::new(READERS)),
                idle: Mutex::new(Vec::new()),
            }),
        })
    }

    /// The writer connection, once the writers before have finished.
    pub(crate) async fn writer(&self) -> OwnedMutexGuard<Connection> {
        let guard = self.writer.clone().lock_owned().await;
        // Full: a checkpoint is due already.
        let _ = self.wrote.try_send(());
        guard
    }

    /// A read connection, once fewer than [`READERS`] are in use.
    pub(crate) async fn reader(&self) -> StoreResult<Reader> {
        let permit = self
            .readers
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| StoreError::Database(format!("read pool closed: {e}")))?;
        let idle = self
            .readers
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let conn = match idle {
            Some(conn) => conn,
            None => open_connection(
                &Target {
                    path: self.readers.path.clone(),
                    flags: self.readers.flags,
                },
                true,
            )?,
        };
        Ok(Reader {
            conn: Some(conn),
            pool: self.readers.clone(),
            keep: true,
            _permit: permit,
        })
    }
}

/// Starts the thread that checkpoints the WAL on `conn` after writes; it ends when the returned
/// sender is dropped.
///
/// A passive checkpoint copies what no reader still needs and never waits for the writer, so
/// it runs beside the writes; the writer restarts the WAL from its beginning once everything in
/// it was copied, which keeps the file small.
fn checkpoints(conn: Connection) -> StoreResult<std::sync::mpsc::SyncSender<()>> {
    let (wrote, woken) = std::sync::mpsc::sync_channel::<()>(1);
    std::thread::Builder::new()
        .name("sqlite-checkpoint".into())
        .spawn(move || {
            while woken.recv().is_ok() {
                std::thread::sleep(CHECKPOINT_DELAY);
                while woken.try_recv().is_ok() {}
                if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                    tracing::warn!(error = %e, "SQLite checkpoint failed");
                }
            }
        })
        .map_err(|e| StoreError::Database(format!("starting the checkpoint thread: {e}")))?;
    Ok(wrote)
}

/// A read connection on loan; it goes back to the pool when dropped.
pub(crate) struct Reader {
    /// `Some` until dropped.
    conn: Option<Connection>,
    pool: Arc<ReadPool>,
    /// Whether the connection is fit to be reused.
    keep: bool,
    _permit: OwnedSemaphorePermit,
}

impl Drop for Reader {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take()
            && self.keep
        {
            self.pool
                .idle
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(conn);
        }
    }
}

/// The connection a transaction (or a single autocommit read) runs on.
pub(crate) enum Handle {
    Writer(OwnedMutexGuard<Connection>),
    Reader(Reader),
}

impl Handle {
    fn conn(&self) -> StoreResult<&Connection> {
        match self {
            Handle::Writer(c) => Ok(c),
            Handle::Reader(r) => r
                .conn
                .as_ref()
                .ok_or_else(|| StoreError::Database("read connection already returned".into())),
        }
    }
}

/// A connection with, or without, a transaction open on it. Dropped with the transaction still
/// open, it rolls back.
pub(crate) struct Session {
    handle: Handle,
    /// Whether this session began a transaction that is not yet committed or rolled back.
    open: bool,
}

impl Session {
    /// Begins a transaction (`BEGIN IMMEDIATE` for writes: the write lock is taken at once, so
    /// another process on the file waits out `busy_timeout` instead of failing when a read
    /// would later turn into a write).
    pub(crate) fn begin(handle: Handle, immediate: bool) -> StoreResult<Session> {
        let mut session = Session {
            handle,
            open: false,
        };
        session.batch(if immediate {
            "BEGIN IMMEDIATE"
        } else {
            "BEGIN"
        })?;
        session.open = true;
        Ok(session)
    }

    /// Statements without a transaction around them.
    pub(crate) fn autocommit(handle: Handle) -> Session {
        Session {
            handle,
            open: false,
        }
    }

    pub(crate) fn commit(mut self) -> StoreResult<()> {
        if self.open {
            self.batch("COMMIT")?;
            self.open = false;
        }
        Ok(())
    }

    /// Runs a statement without parameters or results (BEGIN, COMMIT, ROLLBACK).
    fn batch(&self, sql: &str) -> StoreResult<()> {
        let conn = self.handle.conn()?;
        conn.prepare_cached(sql)
            .and_then(|mut s| s.raw_execute())
            .map_err(error)?;
        Ok(())
    }

    /// Runs `sql` with `values` bound and hands the statement to `f`.
    fn with_statement<R>(
        &self,
        sql: &str,
        values: &[Value<'_>],
        f: impl FnOnce(&Connection, &mut Statement<'_>) -> rusqlite::Result<R>,
    ) -> StoreResult<R> {
        let conn = self.handle.conn()?;
        let run = |st: &mut Statement<'_>| -> StoreResult<R> {
            bind(st, values)?;
            f(conn, st).map_err(error)
        };
        if values.len() <= CACHE_MAX_VALUES {
            run(&mut *conn.prepare_cached(sql).map_err(error)?)
        } else {
            run(&mut conn.prepare(sql).map_err(error)?)
        }
    }

    /// Runs a statement, returning the rows it changed.
    pub(crate) fn execute(&self, sql: &str, values: &[Value<'_>]) -> StoreResult<u64> {
        self.with_statement(sql, values, |conn, st| {
            if st.column_count() == 0 {
                return st.raw_execute().map(|n| n as u64);
            }
            // A statement with RETURNING run for its effect: step through its rows.
            let mut rows = st.raw_query();
            while rows.next()?.is_some() {}
            Ok(conn.changes())
        })
    }

    /// Runs a query, returning up to `limit` rows.
    pub(crate) fn fetch(
        &self,
        sql: &str,
        values: &[Value<'_>],
        limit: usize,
    ) -> StoreResult<Vec<Row>> {
        self.with_statement(sql, values, |_, st| {
            let columns: Arc<[String]> = st.column_names().into_iter().map(String::from).collect();
            let mut out = Vec::new();
            let mut rows = st.raw_query();
            while out.len() < limit {
                let Some(row) = rows.next()? else { break };
                let mut values = Vec::with_capacity(columns.len());
                for i in 0..columns.len() {
                    values.push(owned(row.get_ref(i)?));
                }
                out.push(Row {
                    columns: columns.clone(),
                    values,
                });
            }
            Ok(out)
        })
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if !self.open {
            return;
        }
        // Rolling back can only fail when SQLite already ended the transaction itself (after
        // an I/O error, say); nothing is left to undo then.
        let _ = self.batch("ROLLBACK");
        let still_open = self.handle.conn().is_ok_and(|c| !c.is_autocommit());
        if still_open {
            tracing::error!("a SQLite transaction could not be rolled back");
            if let Handle::Reader(r) = &mut self.handle {
                r.keep = false;
            }
        }
    }
}

/// Binds `values` to the statement's parameters: `$N` and `?N` take value N (SQLite numbers
/// named parameters by first appearance, not by the digits in their name, so the name is read
/// back); a plain `?` takes the value at its position.
fn bind(st: &mut Statement<'_>, values: &[Value<'_>]) -> StoreResult<()> {
    let mut used = 0;
    for i in 1..=st.parameter_count() {
        let n = match st.parameter_name(i) {
            None => i,
            Some(name) => name
                .strip_prefix('$')
                .or_else(|| name.strip_prefix('?'))
                .and_then(|digits| digits.parse::<usize>().ok())
                .ok_or_else(|| StoreError::Database(format!("unsupported SQL parameter {name}")))?,
        };
        let value = n
            .checked_sub(1)
            .and_then(|k| values.get(k))
            .ok_or_else(|| {
                StoreError::Database(format!(
                    "parameter {n} has no value ({} bound)",
                    values.len()
                ))
            })?;
        st.raw_bind_parameter(i, value).map_err(error)?;
        used = used.max(n);
    }
    if used != values.len() {
        return Err(StoreError::Database(format!(
            "{} values bound, the statement uses {used}",
            values.len()
        )));
    }
    Ok(())
}

impl ToSql for Value<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self {
            Value::Null(_) => ValueRef::Null,
            Value::Int(i) => ValueRef::Integer(*i),
            Value::Text(s) => ValueRef::Text(s.as_bytes()),
        }))
    }
}

/// A value copied out of a row (text that is not UTF-8 is kept as a blob, so that only reading
/// it as a string fails).
fn owned(v: ValueRef<'_>) -> SqlValue {
    match v {
        ValueRef::Null => SqlValue::Null,
        ValueRef::Integer(i) => SqlValue::Integer(i),
        ValueRef::Real(r) => SqlValue::Real(r),
        ValueRef::Text(t) => match std::str::from_utf8(t) {
            Ok(s) => SqlValue::Text(s.to_owned()),
            Err(_) => SqlValue::Blob(t.to_vec()),
        },
        ValueRef::Blob(b) => SqlValue::Blob(b.to_vec()),
    }
}

/// A row read out of a statement (a rusqlite row borrows its statement).
pub(crate) struct Row {
    columns: Arc<[String]>,
    values: Vec<SqlValue>,
}

impl Row {
    pub(crate) fn get<T: rusqlite::types::FromSql>(&self, name: &str) -> Result<T, String> {
        let value = self
            .columns
            .iter()
            .position(|c| c == name)
            .and_then(|i| self.values.get(i))
            .ok_or_else(|| "no such column".to_owned())?;
        T::column_result(ValueRef::from(value)).map_err(|e| e.to_string())
    }
}

/// Maps a rusqlite error, telling unique violations apart.
pub(crate) fn error(e: rusqlite::Error) -> StoreError {
    if let rusqlite::Error::SqliteFailure(f, message) = &e
        && f.code == ErrorCode::ConstraintViolation
        && matches!(
            f.extended_code,
            rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
        )
    {
        return StoreError::Conflict(message.clone().unwrap_or_else(|| e.to_string()));
    }
    StoreError::Database(e.to_string())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn urls_name_a_file_and_a_mode() {
        let t = target("sqlite://./data/w.db").unwrap();
        assert_eq!(t.path, Path::new("./data/w.db"));
        assert!(t.flags.contains(OpenFlags::SQLITE_OPEN_CREATE));
        let t = target("sqlite:///tmp/x.db?mode=ro").unwrap();
        assert_eq!(t.path, Path::new("/tmp/x.db"));
        assert!(t.flags.contains(OpenFlags::SQLITE_OPEN_READ_ONLY));
        assert!(target("sqlite:/tmp/x.db").is_ok());
        assert!(target("sqlite::memory:").is_err());
        assert!(target("sqlite:///tmp/x.db?cache=shared").is_err());
    }

    #[test]
    fn numbered_parameters_bind_by_number() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("p.db").display());
        let conn = open_connection(&target(&url).unwrap(), false).unwrap();
        let s = Session::autocommit(Handle::Writer(
            Arc::new(tokio::sync::Mutex::new(conn))
                .try_lock_owned()
                .unwrap(),
        ));
        let rows = s
            .fetch(
                "SELECT $2 AS b, $1 AS a, $2 || $1 AS ba",
                &[Value::Text("x".into()), Value::Int(7)],
                usize::MAX,
            )
            .unwrap();
        assert_eq!(rows[0].get::<i64>("b").unwrap(), 7);
        assert_eq!(rows[0].get::<String>("a").unwrap(), "x");
        assert_eq!(rows[0].get::<String>("ba").unwrap(), "7x");
        let rows = s
            .fetch(
                "SELECT ? AS a, ? AS b",
                &[Value::Int(1), Value::Int(2)],
                usize::MAX,
            )
            .unwrap();
        assert_eq!(rows[0].get::<i64>("b").unwrap(), 2);
        assert!(s.fetch("SELECT $1 AS a", &[], 1).is_err());
        assert!(
            s.fetch("SELECT $1 AS a", &[Value::Int(1), Value::Int(2)], 1)
                .is_err()
        );
    }
}

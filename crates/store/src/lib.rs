//! The storage trait of `wangshang-domain`, implemented once for SQLite and PostgreSQL.
//!
//! SQLite runs through rusqlite, directly on the calling task (`sqlite`); PostgreSQL through
//! sqlx's typed driver. The repositories are written once against a small query layer
//! (`query`): `$n` placeholders, `BIGINT` millisecond timestamps and text ids are understood by
//! both, so a query is written once and cannot drift between backends (the drift atuin
//! suffered). The few places where the dialects differ are branches on [`Dialect`]. The
//! migrations are one set of files for both (see `migrations`).

mod backup;
mod connect;
pub mod faults;
mod listen;
mod migrations;
mod query;
mod raw;
mod repos;
mod sqlite;
mod tx;

pub use backup::backup;
pub use connect::{SqlStore, connect};
pub use listen::{Listening, listen_streams};
pub use migrations::migrate;
pub use raw::{count_raw, exec_raw};
pub use tx::Dialect;

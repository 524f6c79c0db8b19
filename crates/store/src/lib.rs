//! The storage trait of `wangshang-domain`, implemented once for SQLite and PostgreSQL.
//!
//! Both backends run the same SQL through sqlx's `Any` driver: `$n` placeholders, `BIGINT`
//! millisecond timestamps and text ids are understood by both, so a query is written once and
//! cannot drift between backends (the drift atuin suffered). The few places where the dialects
//! differ are branches on [`Dialect`]. Migrations are kept per backend under `migrations/`.

mod connect;
mod listen;
mod repos;
mod tx;

pub use connect::{SqlStore, connect, migrate};
pub use listen::listen_streams;
pub use tx::Dialect;

//! The storage seam: the domain talks to the database only through these traits. Every flow runs
//! in one transaction, opened by [`crate::unit`] (the only caller of [`Store::write`] and
//! [`Store::read`]), so a flow is applied whole or not at all.

mod chat;
mod policy;
mod records;
mod repos;
mod search;
mod support;

pub use chat::*;
pub use policy::*;
pub use records::*;
pub use repos::*;
pub use search::*;
pub use support::*;

use async_trait::async_trait;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique constraint was violated (the caller decides what that means).
    #[error("unique constraint violated: {0}")]
    Conflict(String),
    #[error("database: {0}")]
    Database(String),
}

pub type StoreResult<T> = std::result::Result<T, StoreError>;

/// A database: SQLite or PostgreSQL, chosen from the URL scheme.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// A read-write transaction. On SQLite all writers share one connection, so writes queue
    /// instead of failing with "database is locked".
    async fn write(&self) -> StoreResult<Box<dyn Tx>>;
    /// A read-only transaction (a separate pool on SQLite; writes through it fail).
    async fn read(&self) -> StoreResult<Box<dyn Tx>>;
    /// A read of a single statement, without a transaction around it (BEGIN and COMMIT are two
    /// more statements). Only for reads that need no snapshot across statements; writes through
    /// it fail like through [`Store::read`].
    async fn read_one(&self) -> StoreResult<Box<dyn Tx>> {
        self.read().await
    }
    /// Whether the database answers.
    async fn ping(&self) -> StoreResult<()>;
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;
}

/// One transaction with every repository. Dropped without [`Tx::commit`], it rolls back.
#[async_trait]
pub trait Tx:
    VerificationRepo
    + AccountRepo
    + SessionRepo
    + ThrottleRepo
    + EventRepo
    + OutboxRepo
    + ResetRepo
    + BindingRepo
    + MfaRepo
    + ChallengeRepo
    + PasskeyRepo
    + OrgRepo
    + ContactRepo
    + ConversationRepo
    + MessageRepo
    + FileRepo
    + StreamRepo
    + SupportRepo
    + SearchRepo
    + PolicyRepo
    + Send
{
    async fn commit(self: Box<Self>) -> StoreResult<()>;
    /// Serialises concurrent transactions on one key until this one ends (a PostgreSQL advisory
    /// lock; SQLite's single writer already serialises).
    async fn lock_key(&mut self, key: &str) -> StoreResult<()>;
}

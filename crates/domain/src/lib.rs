//! Wangshang's rules: accounts, credentials, verification codes, sessions, brute-force protection,
//! security events and the delivery outbox. No HTTP and no SQL: storage is reached through the
//! [`store::Store`] trait, implemented for SQLite and PostgreSQL by the `wangshang-store` crate.

pub mod accounts;
pub mod admin;
pub mod app;
pub mod bindings;
pub mod challenges;
pub mod chat;
pub mod clock;
pub mod config;
pub(crate) mod credentials;
pub mod error;
pub mod events;
pub mod files;
pub mod identifier;
mod login_records;
pub mod messages;
pub mod mfa;
pub mod outbox;
pub mod password;
pub mod policy;
pub mod random;
pub mod recovery;
mod sealed;
pub mod search;
pub mod secret;
pub mod sessions;
pub mod store;
pub mod support;
pub mod throttle;
pub mod unit;
pub mod verification;

pub use app::Wangshang;
pub use error::{Error, Result};

//! The repositories of [`domain::store::Tx`], one file per table family.

mod accounts;
mod bindings;
mod challenges;
mod contacts;
mod conversations;
mod events;
mod files;
mod messages;
mod mfa;
mod orgs;
mod outbox;
mod passkeys;
mod policy;
mod resets;
mod search;
mod sessions;
pub(crate) mod stream;
mod support;
mod throttle;
mod verifications;

use domain::identifier::Channel;
use domain::store::{StoreError, StoreResult};

pub(crate) use crate::query::{Row, col, query};

pub(crate) fn channel(row: &Row, name: &str) -> StoreResult<Channel> {
    let s: String = col(row, name)?;
    Channel::parse(&s).ok_or_else(|| StoreError::Database(format!("bad channel {s}")))
}

pub(crate) fn count(row: &Row, name: &str) -> StoreResult<u32> {
    let n: i64 = col(row, name)?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

//! One `router()` per feature; [`api`] nests them under `/api/v1`.

pub mod accounts;
pub mod bindings;
pub mod contacts;
pub mod conversations;
pub mod dev;
pub mod files;
pub mod me;
pub mod mfa;
pub mod ops;
pub mod orgs;
pub mod policy;
pub mod recovery;
pub mod search;
pub mod sessions;
pub mod stream;
pub mod support;
pub mod verifications;

use axum::Router;

use domain::identifier::Channel;

use crate::AppState;

/// A page size asked for in a query (any integer; the document says so), taken as `1..=max`.
pub(crate) fn page_size(asked: Option<i64>, default: u32, max: u32) -> u32 {
    asked.map_or(default, |n| {
        u32::try_from(n.clamp(1, i64::from(max))).unwrap_or(default)
    })
}

/// A channel named in a request.
pub(crate) fn channel(c: proto::Channel) -> Channel {
    match c {
        proto::Channel::Sms => Channel::Sms,
        proto::Channel::Email => Channel::Email,
    }
}

/// A channel as the API names it.
pub(crate) fn channel_view(c: Channel) -> proto::Channel {
    match c {
        Channel::Sms => proto::Channel::Sms,
        Channel::Email => proto::Channel::Email,
    }
}

/// Every `/api/v1` route.
pub fn api() -> Router<AppState> {
    Router::new()
        .merge(verifications::router())
        .merge(accounts::router())
        .merge(sessions::router())
        .merge(me::router())
        .merge(mfa::router())
        .merge(recovery::router())
        .merge(bindings::router())
        .merge(orgs::router())
        .merge(policy::router())
        .merge(contacts::router())
        .merge(conversations::router())
        .merge(files::router())
        .merge(stream::router())
        .merge(search::router())
        .merge(support::router())
        .merge(dev::router())
}

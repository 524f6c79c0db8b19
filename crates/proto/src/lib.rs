//! The wire types of the Wangshang JSON API (`/api/v1`), shared by the server, tests and clients.
//! Requests reject unknown fields; timestamps are RFC 3339 UTC.

pub mod accounts;
pub mod bindings;
pub mod chat;
pub mod dev;
pub mod mfa;
pub mod problem;
pub mod recovery;
pub mod sessions;
pub mod support;
pub mod verifications;

pub use problem::Problem;

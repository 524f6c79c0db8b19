//! Passwords: the policy a new password must meet, and Argon2id storage.

pub mod hashing;
pub mod policy;

pub use hashing::Hasher;
pub use policy::{Password, PolicyContext, Violation};

#![allow(clippy::unwrap_used, clippy::expect_used)]
//! WebAuthn ceremonies against `webauthn-authenticator-rs`'s software passkey,
//! all offline.

mod common;

mod authentication;
mod browser;
mod config;
mod malformed;
mod registration;

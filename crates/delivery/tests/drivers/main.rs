//! Offline integration tests of the delivery drivers, each against a local fake of its provider
//! that checks the real request format and signature.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod aliyun;
mod common;
mod config;
mod email;
mod logs;
mod router;
mod smtp;
mod tencent;
mod twilio;
mod webhook;

//! The HTTP side of Wangshang: the JSON API under `/api/v1`, operations endpoints, the delivery
//! worker, and start-up. Handlers are thin: extract, call one domain function, map the result.

pub mod delivery;
pub mod error;
pub mod evidence;
pub mod extract;
pub mod hub;
pub mod metrics;
pub mod openapi;
pub mod routes;
pub mod startup;
pub mod web;

pub use startup::{Running, start};

use std::sync::Arc;

use domain::Wangshang;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub app: Wangshang,
    pub metrics: Arc<metrics::Metrics>,
    /// Open stream sockets, by account.
    pub hub: Arc<hub::Hub>,
}

//! The crate's public API: devices from user agents, networks from addresses, places from a GeoIP
//! database built in memory by the `testdata` writer.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod device;
mod geoip;
mod network;

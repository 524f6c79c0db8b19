//! What a login record says about where and from what a login came: the device behind the
//! user agent ([`describe`]), the network behind the address ([`network_of`]), and the place
//! behind the address ([`GeoIp::lookup`], compared by [`place_key`]).
//!
//! Everything here is pure and synchronous; the only I/O is [`GeoIp::open`] reading the
//! database file.

mod device;
mod geo;
mod network;

#[cfg(feature = "testdata")]
pub mod testdata;

pub use device::{Device, DeviceFamily, UNKNOWN, describe};
pub use geo::{GeoIp, Place, place_key};
pub use network::{V4_PREFIX, V6_PREFIX, network_of};

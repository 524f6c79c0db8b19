//! Small GeoIP city databases built in memory, for tests (this crate's and the server's): no
//! download, no file in the repository. Enabled by the `testdata` feature.
//!
//! ```
//! let db = wangshang_loginmeta::testdata::city_db(&[
//!     ("203.0.113.0/24", "CN", Some("Shanghai"), Some("Shanghai")),
//!     ("2001:db8:1::/48", "DE", Some("Berlin"), None),
//! ]);
//! let geo = wangshang_loginmeta::GeoIp::from_bytes(db).unwrap();
//! assert_eq!(geo.lookup("203.0.113.7").unwrap().label, "Shanghai, CN");
//! ```

mod mmdb;

pub use mmdb::{Value, Writer};

/// A GeoLite2-City–shaped MaxMind DB holding one record per entry:
/// `(CIDR, ISO country code, region name, city name)`. IPv4 networks live where MaxMind puts
/// them (`::a.b.c.d`, aliased from `::ffff:0:0/96`), so the database is an IPv6 one, like the
/// real thing. Records follow the layout `maxminddb`'s `geoip2::City` reads:
/// `{country: {iso_code, names: {en}}, subdivisions: [{names: {en}}], city: {names: {en}}}`.
///
/// Write broader networks before narrower ones inside them; a broader one written later
/// replaces the narrower ones.
///
/// # Panics
/// On a CIDR that does not parse: this is for tests, and a typo should fail loudly.
pub fn city_db(entries: &[(&str, &str, Option<&str>, Option<&str>)]) -> Vec<u8> {
    let mut w = Writer::new("GeoLite2-City");
    for (cidr, country, region, city) in entries {
        w.insert(cidr, city_record(country, *region, *city));
    }
    w.finish()
}

/// The record for one network, in GeoIP2-City layout.
fn city_record(country: &str, region: Option<&str>, city: Option<&str>) -> Value {
    let names = |name: &str| Value::map([("en", Value::from(name))]);
    let mut record = vec![(
        "country",
        Value::map([
            ("iso_code", Value::from(country)),
            ("names", names(country)),
        ]),
    )];
    if let Some(region) = region {
        record.push((
            "subdivisions",
            Value::Array(vec![Value::map([("names", names(region))])]),
        ));
    }
    if let Some(city) = city {
        record.push(("city", Value::map([("names", names(city))])));
    }
    Value::map(record)
}

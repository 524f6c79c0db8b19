//! `GeoIp` against databases built by `testdata::city_db`.

use std::net::IpAddr;

use wangshang_loginmeta::testdata::{Value, Writer, city_db};
use wangshang_loginmeta::{GeoIp, Place, place_key};

/// Two IPv4 networks in different countries, one IPv6 network, a country-only and a region-only
/// network, and a private range the database (wrongly) knows.
fn db() -> Vec<u8> {
    city_db(&[
        ("203.0.113.0/24", "CN", Some("Shanghai"), Some("Shanghai")),
        (
            "198.51.100.0/24",
            "US",
            Some("California"),
            Some("San Francisco"),
        ),
        ("2001:db8:1::/48", "DE", Some("Berlin"), Some("Berlin")),
        ("192.0.2.0/25", "JP", None, None),
        ("192.0.2.128/25", "AU", Some("Queensland"), None),
        ("10.0.0.0/8", "CN", Some("Beijing"), Some("Beijing")),
        ("127.0.0.0/8", "CN", Some("Beijing"), Some("Beijing")),
    ])
}

fn geo() -> GeoIp {
    GeoIp::from_bytes(db()).unwrap()
}

fn place(country: &str, region: Option<&str>, city: Option<&str>, label: &str) -> Place {
    Place {
        country: country.into(),
        region: region.map(Into::into),
        city: city.map(Into::into),
        label: label.into(),
    }
}

#[test]
fn ranges_map_to_their_places() {
    let g = geo();
    assert_eq!(g.database_type(), "GeoLite2-City");
    assert_eq!(
        g.lookup("203.0.113.77"),
        Some(place(
            "CN",
            Some("Shanghai"),
            Some("Shanghai"),
            "Shanghai, CN"
        ))
    );
    assert_eq!(
        g.lookup("198.51.100.1"),
        Some(place(
            "US",
            Some("California"),
            Some("San Francisco"),
            "San Francisco, US"
        ))
    );
    assert_eq!(
        g.lookup("2001:db8:1:ffff::42"),
        Some(place("DE", Some("Berlin"), Some("Berlin"), "Berlin, DE"))
    );
    assert_eq!(g.lookup("192.0.2.1"), Some(place("JP", None, None, "JP")));
    assert_eq!(
        g.lookup("192.0.2.200"),
        Some(place("AU", Some("Queensland"), None, "Queensland, AU"))
    );
}

#[test]
fn range_edges() {
    let g = geo();
    assert_eq!(g.lookup("203.0.113.0").unwrap().country, "CN");
    assert_eq!(g.lookup("203.0.113.255").unwrap().country, "CN");
    assert_eq!(g.lookup("203.0.112.255"), None);
    assert_eq!(g.lookup("203.0.114.0"), None);
    assert_eq!(g.lookup("2001:db8:1::").unwrap().country, "DE");
    assert_eq!(g.lookup("2001:db8:0:ffff:ffff:ffff:ffff:ffff"), None);
}

#[test]
fn ipv4_mapped_addresses_find_ipv4_networks() {
    let g = geo();
    assert_eq!(g.lookup("::ffff:203.0.113.77").unwrap().country, "CN");
    // The database itself aliases ::ffff:0:0/96 to the IPv4 networks, as MaxMind's do.
    let reader = maxminddb::Reader::from_source(db()).unwrap();
    let ip: IpAddr = "::ffff:198.51.100.1".parse().unwrap();
    let city: maxminddb::geoip2::City = reader.lookup(ip).unwrap().decode().unwrap().unwrap();
    assert_eq!(city.country.iso_code, Some("US"));
}

#[test]
fn addresses_outside_and_private_ones_are_none() {
    let g = geo();
    for ip in [
        "8.8.8.8",
        "2001:db8:2::1",
        "2400:cb00::1",
        "127.0.0.1",
        "::1",
        "10.1.2.3",
        "192.168.1.1",
        "::ffff:127.0.0.1",
        "fe80::1",
        "",
        "not an ip",
    ] {
        assert_eq!(g.lookup(ip), None, "{ip:?}");
    }
}

#[test]
fn place_keys_compare_country_and_region_only() {
    let g = geo();
    let shanghai = g.lookup("203.0.113.1").unwrap();
    assert_eq!(place_key(&shanghai), "CN/Shanghai");
    let other_city = place("CN", Some("Shanghai"), Some("Pudong"), "Pudong, CN");
    assert_eq!(place_key(&shanghai), place_key(&other_city));
    let sf = g.lookup("198.51.100.1").unwrap();
    assert_ne!(place_key(&shanghai), place_key(&sf));
    assert_eq!(place_key(&g.lookup("192.0.2.1").unwrap()), "JP");
}

#[test]
fn opens_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("GeoLite2-City.mmdb");
    std::fs::write(&path, db()).unwrap();
    let g = GeoIp::open(&path).unwrap();
    assert_eq!(g.lookup("203.0.113.9").unwrap().label, "Shanghai, CN");

    let missing = GeoIp::open(&dir.path().join("missing.mmdb")).unwrap_err();
    assert!(missing.contains("missing.mmdb"), "{missing}");
}

#[test]
fn truncated_files_are_errors() {
    let bytes = db();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut.mmdb");
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    assert!(GeoIp::open(&path).is_err());
    for len in 0..bytes.len() {
        assert!(
            GeoIp::from_bytes(bytes[..len].to_vec()).is_err(),
            "cut at {len}"
        );
    }
}

#[test]
fn garbage_files_are_errors() {
    assert!(GeoIp::from_bytes(Vec::new()).is_err());
    assert!(GeoIp::from_bytes(b"hello world".repeat(100)).is_err());
    assert!(GeoIp::from_bytes(vec![0; 4096]).is_err());
}

#[test]
fn corrupt_bytes_never_panic() {
    let bytes = db();
    let probes = [
        "203.0.113.77",
        "198.51.100.1",
        "2001:db8:1::1",
        "8.8.8.8",
        "::ffff:192.0.2.1",
    ];
    for at in 0..bytes.len() {
        for flip in [0xff_u8, 0x80, 0x01] {
            let mut bad = bytes.clone();
            bad[at] ^= flip;
            if let Ok(g) = GeoIp::from_bytes(bad) {
                for ip in probes {
                    let _ = g.lookup(ip);
                }
            }
        }
    }
}

#[test]
fn databases_without_places_are_refused() {
    let mut asn = Writer::new("GeoLite2-ASN");
    asn.insert(
        "203.0.113.0/24",
        Value::map([("autonomous_system_number", Value::U32(64_500))]),
    );
    let err = GeoIp::from_bytes(asn.finish()).unwrap_err();
    assert!(err.contains("GeoLite2-ASN"), "{err}");
}

#[test]
fn db_ip_city_lite_layout_is_read() {
    let mut w = Writer::new("DBIP-City-Lite");
    w.insert(
        "2001:db8:5::/48",
        Value::map([
            (
                "country",
                Value::map([
                    ("iso_code", Value::from("CN")),
                    (
                        "names",
                        Value::map([("en", Value::from("China")), ("zh-CN", Value::from("中国"))]),
                    ),
                ]),
            ),
            (
                "subdivisions",
                Value::Array(vec![Value::map([(
                    "names",
                    Value::map([("zh-CN", Value::from("广东省"))]),
                )])]),
            ),
            (
                "city",
                Value::map([("names", Value::map([("en", Value::from("Shenzhen"))]))]),
            ),
            (
                "location",
                Value::map([
                    ("latitude", Value::F64(22.5)),
                    ("longitude", Value::F64(114.0)),
                ]),
            ),
        ]),
    );
    let g = GeoIp::from_bytes(w.finish()).unwrap();
    // No English region name: the Chinese one stands in.
    assert_eq!(
        g.lookup("2001:db8:5::9"),
        Some(place(
            "CN",
            Some("广东省"),
            Some("Shenzhen"),
            "Shenzhen, CN"
        ))
    );
}

#[test]
fn records_without_a_country_are_none() {
    let mut w = Writer::new("GeoIP2-City");
    w.insert(
        "203.0.113.0/24",
        Value::map([(
            "city",
            Value::map([("names", Value::map([("en", Value::from("Nowhere"))]))]),
        )]),
    );
    let g = GeoIp::from_bytes(w.finish()).unwrap();
    assert_eq!(g.lookup("203.0.113.1"), None);
}

#[test]
fn narrower_networks_inside_broader_ones() {
    let g = GeoIp::from_bytes(city_db(&[
        ("203.0.0.0/16", "CN", Some("Guangdong"), None),
        ("203.0.113.0/24", "CN", Some("Shanghai"), Some("Shanghai")),
    ]))
    .unwrap();
    assert_eq!(g.lookup("203.0.113.1").unwrap().label, "Shanghai, CN");
    assert_eq!(g.lookup("203.0.1.1").unwrap().label, "Guangdong, CN");
    assert_eq!(g.lookup("203.0.255.1").unwrap().label, "Guangdong, CN");
}

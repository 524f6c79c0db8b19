//! Where a login came from, by GeoIP city database (MaxMind GeoLite2-City / GeoIP2-City, or
//! DB-IP's city lite, which shares the layout).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;

use maxminddb::{Reader, geoip2};

use crate::network::parse_ip;

/// A place as a GeoIP city database tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The ISO 3166-1 alpha-2 country code, e.g. "CN".
    pub country: String,
    /// The largest subdivision (province, state), by its English name, e.g. "Shanghai".
    pub region: Option<String>,
    /// The city, by its English name.
    pub city: Option<String>,
    /// The words to show a person: "Shanghai, CN"; the region stands in for a missing city,
    /// and the country alone is used when neither is known.
    pub label: String,
}

/// The comparison key of a place for the "new place" flag: the country and the region
/// ("CN/Shanghai", or "CN" without a region). The city is left out: city-level GeoIP is too noisy
/// (a mobile carrier's addresses move between neighbouring cities from one day to the next).
pub fn place_key(p: &Place) -> String {
    match &p.region {
        Some(region) => format!("{}/{}", p.country, region),
        None => p.country.clone(),
    }
}

/// An opened GeoIP city database, held in memory.
#[derive(Debug)]
pub struct GeoIp {
    reader: Reader<Vec<u8>>,
}

impl GeoIp {
    /// Reads and opens the database at `path`.
    pub fn open(path: &Path) -> Result<Self, String> {
        let bytes = std::fs::read(path)
            .map_err(|e| format!("cannot read GeoIP database {}: {e}", path.display()))?;
        Self::from_bytes(bytes).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Opens a database already in memory. Files that are not MaxMind DB files, are truncated,
    /// or hold a kind of database that has no countries (ASN, ISP, anonymous IP) are refused.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, String> {
        let reader =
            Reader::from_source(bytes).map_err(|e| format!("not a valid GeoIP database: {e}"))?;
        let kind = reader.metadata().database_type.to_ascii_lowercase();
        if !["city", "country", "enterprise"]
            .iter()
            .any(|k| kind.contains(k))
        {
            return Err(format!(
                "GeoIP database of type {:?} has no locations; a city database \
                 (GeoLite2-City, GeoIP2-City, DB-IP city lite) is needed",
                reader.metadata().database_type
            ));
        }
        Ok(GeoIp { reader })
    }

    /// The database's own name for its kind, e.g. "GeoLite2-City".
    pub fn database_type(&self) -> &str {
        &self.reader.metadata().database_type
    }

    /// The place of `ip`. Unparsable, private, loopback, link-local, shared (CGNAT), multicast
    /// and unspecified addresses, addresses the database does not know, and records without a
    /// country all give `None`; so does a lookup that trips over a corrupt database.
    pub fn lookup(&self, ip: &str) -> Option<Place> {
        let addr = parse_ip(ip)?;
        if !is_public(addr) {
            return None;
        }
        let found = self.reader.lookup(addr).ok()?;
        let city: geoip2::City<'_> = found.decode().ok()??;
        place_from(&city)
    }
}

/// Builds a [`Place`] from a city record; `None` without a country code.
fn place_from(c: &geoip2::City<'_>) -> Option<Place> {
    let country = c
        .country
        .iso_code
        .or(c.registered_country.iso_code)
        .filter(|code| !code.trim().is_empty())?
        .to_ascii_uppercase();
    let region = c.subdivisions.first().and_then(|s| name(&s.names));
    let city = name(&c.city.names);
    let label = match city.as_deref().or(region.as_deref()) {
        Some(local) => format!("{local}, {country}"),
        None => country.clone(),
    };
    Some(Place {
        country,
        region,
        city,
        label,
    })
}

/// The English name, else the Simplified Chinese one.
fn name(n: &geoip2::Names<'_>) -> Option<String> {
    n.english
        .or(n.simplified_chinese)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// Whether an address can be placed on a map at all. Documentation ranges (192.0.2.0/24,
/// 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32) are let through so tests can use them.
fn is_public(addr: IpAddr) -> bool {
    match addr {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    let shared_cgnat = a == 100 && (64..128).contains(&b);
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_multicast()
        || shared_cgnat
        || a == 0
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    let unique_local = first & 0xfe00 == 0xfc00;
    let link_local = first & 0xffc0 == 0xfe80;
    !(ip.is_unspecified() || ip.is_loopback() || ip.is_multicast() || unique_local || link_local)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_special_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.1.1",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "ff02::1",
        ] {
            let addr = parse_ip(ip).map(is_public);
            assert_eq!(addr, Some(false), "{ip}");
        }
        for ip in ["8.8.8.8", "203.0.113.5", "2001:db8::1", "240e::1"] {
            assert_eq!(parse_ip(ip).map(is_public), Some(true), "{ip}");
        }
    }

    #[test]
    fn keys_leave_the_city_out() {
        let p = Place {
            country: "CN".into(),
            region: Some("Shanghai".into()),
            city: Some("Shanghai".into()),
            label: "Shanghai, CN".into(),
        };
        assert_eq!(place_key(&p), "CN/Shanghai");
        let q = Place { region: None, ..p };
        assert_eq!(place_key(&q), "CN");
    }
}

//! The network a login came from, for the "new network" flag.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The prefix length that stands for "one network" for IPv4: a /24 is one office, one home
/// router's ISP block, one mobile carrier's NAT pool slice.
pub const V4_PREFIX: u8 = 24;
/// The prefix length that stands for "one network" for IPv6: a /48 is one site.
pub const V6_PREFIX: u8 = 48;

/// The network a login came from: the IPv4 /24 ("203.0.113.0/24") or IPv6 /48
/// ("2001:db8:1::/48") holding `ip`. IPv4-mapped IPv6 (`::ffff:203.0.113.9`) counts as IPv4.
/// Surrounding whitespace, brackets (`[2001:db8::1]`) and an IPv6 zone (`fe80::1%eth0`) are
/// tolerated; anything unparsable gives `None`.
pub fn network_of(ip: &str) -> Option<String> {
    match parse_ip(ip)? {
        IpAddr::V4(v4) => Some(v4_network(v4)),
        IpAddr::V6(v6) => Some(v6_network(v6)),
    }
}

/// Parses an address as found in logs and headers, folding IPv4-mapped IPv6 into IPv4.
pub(crate) fn parse_ip(ip: &str) -> Option<IpAddr> {
    let s = ip.trim();
    let s = s
        .strip_prefix('[')
        .and_then(|r| r.strip_suffix(']'))
        .unwrap_or(s);
    let s = s.split_once('%').map_or(s, |(addr, _zone)| addr);
    let addr: IpAddr = s.parse().ok()?;
    Some(match addr {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(addr, IpAddr::V4),
        v4 => v4,
    })
}

fn v4_network(ip: Ipv4Addr) -> String {
    let masked = u32::from(ip) & (u32::MAX << (32 - V4_PREFIX));
    format!("{}/{V4_PREFIX}", Ipv4Addr::from(masked))
}

fn v6_network(ip: Ipv6Addr) -> String {
    let masked = u128::from(ip) & (u128::MAX << (128 - V6_PREFIX));
    format!("{}/{V6_PREFIX}", Ipv6Addr::from(masked))
}

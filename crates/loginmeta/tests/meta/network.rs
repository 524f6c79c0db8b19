//! `network_of()`: the /24 or /48 a login came from.

use wangshang_loginmeta::network_of;

#[test]
fn ipv4_is_its_24() {
    assert_eq!(
        network_of("203.0.113.77").as_deref(),
        Some("203.0.113.0/24")
    );
    assert_eq!(network_of(" 8.8.4.4 ").as_deref(), Some("8.8.4.0/24"));
    assert_eq!(network_of("203.0.113.0"), network_of("203.0.113.255"));
    assert_ne!(network_of("203.0.113.1"), network_of("203.0.114.1"));
}

#[test]
fn ipv6_is_its_48() {
    assert_eq!(
        network_of("2001:db8:1:2:3:4:5:6").as_deref(),
        Some("2001:db8:1::/48")
    );
    assert_eq!(
        network_of("2001:db8:1::").as_deref(),
        Some("2001:db8:1::/48")
    );
    assert_eq!(
        network_of("[2001:db8:abcd:ffff::1]").as_deref(),
        Some("2001:db8:abcd::/48")
    );
    assert_eq!(network_of("fe80::1%eth0").as_deref(), Some("fe80::/48"));
    assert_eq!(network_of("::1").as_deref(), Some("::/48"));
}

#[test]
fn ipv4_mapped_ipv6_is_ipv4() {
    assert_eq!(
        network_of("::ffff:203.0.113.77").as_deref(),
        Some("203.0.113.0/24")
    );
    assert_eq!(
        network_of("::ffff:cb00:714d").as_deref(),
        Some("203.0.113.0/24")
    );
    assert_eq!(
        network_of("[::ffff:203.0.113.77]").as_deref(),
        Some("203.0.113.0/24")
    );
}

#[test]
fn garbage_is_none() {
    for ip in [
        "",
        "   ",
        "not an ip",
        "203.0.113",
        "203.0.113.256",
        "203.0.113.7:443",
        "203.0.113.0/24",
        "2001:db8::g",
        "[]",
        "%",
        "中文",
    ] {
        assert_eq!(network_of(ip), None, "{ip:?}");
    }
}

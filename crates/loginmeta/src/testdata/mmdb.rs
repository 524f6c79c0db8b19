//! A minimal MaxMind DB writer: an IPv6 binary search tree with 24-bit records, the 16-byte
//! data-section separator, a data section of MaxMind DB values, and the metadata after
//! `\xAB\xCD\xEFMaxMind.com`. Enough for test databases; not tuned for size (no value
//! de-duplication, no pointers).

use std::net::IpAddr;

/// The bytes that start the metadata section.
const METADATA_MARKER: &[u8] = b"\xAB\xCD\xEFMaxMind.com";
/// The zero bytes between the search tree and the data section.
const SEPARATOR_LEN: usize = 16;
/// Bits per search-tree record.
const RECORD_SIZE: u16 = 24;
/// A fixed build time (2024-01-01), so that the same entries give the same bytes.
const BUILD_EPOCH: u64 = 1_704_067_200;

/// A MaxMind DB data value (the subset test databases need).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// UTF-8 string (type 2).
    Str(String),
    /// Unsigned 16-bit integer (type 5).
    U16(u16),
    /// Unsigned 32-bit integer (type 6).
    U32(u32),
    /// Unsigned 64-bit integer (type 9).
    U64(u64),
    /// Double (type 3).
    F64(f64),
    /// Boolean (type 14).
    Bool(bool),
    /// Map with string keys (type 7), in the given order.
    Map(Vec<(String, Value)>),
    /// Array (type 11).
    Array(Vec<Value>),
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Str(s.to_owned())
    }
}

impl Value {
    /// A map from `(key, value)` pairs.
    pub fn map<'a>(pairs: impl IntoIterator<Item = (&'a str, Value)>) -> Value {
        Value::Map(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
    }

    /// Appends the value's MaxMind DB encoding to `out`.
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Value::Str(s) => {
                control(2, s.len(), out);
                out.extend_from_slice(s.as_bytes());
            }
            Value::U16(n) => uint(5, u64::from(*n), out),
            Value::U32(n) => uint(6, u64::from(*n), out),
            Value::U64(n) => uint(9, *n, out),
            Value::F64(x) => {
                control(3, 8, out);
                out.extend_from_slice(&x.to_be_bytes());
            }
            Value::Bool(b) => control(14, usize::from(*b), out),
            Value::Map(pairs) => {
                control(7, pairs.len(), out);
                for (k, v) in pairs {
                    Value::Str(k.clone()).encode(out);
                    v.encode(out);
                }
            }
            Value::Array(items) => {
                control(11, items.len(), out);
                for v in items {
                    v.encode(out);
                }
            }
        }
    }
}

/// An unsigned integer: big-endian with leading zero bytes dropped.
fn uint(kind: u8, n: u64, out: &mut Vec<u8>) {
    let bytes = n.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    control(kind, bytes.len() - skip, out);
    out.extend_from_slice(&bytes[skip..]);
}

/// A control byte (type in the top 3 bits, or 0 and an extended-type byte for types above 7),
/// with the size in the low 5 bits and its extension bytes.
fn control(kind: u8, size: usize, out: &mut Vec<u8>) {
    let (bits, extra): (u8, Vec<u8>) = match size {
        0..29 => (size as u8, vec![]),
        29..285 => (29, vec![(size - 29) as u8]),
        285..65_821 => (30, ((size - 285) as u16).to_be_bytes().to_vec()),
        _ => (31, ((size - 65_821) as u32).to_be_bytes()[1..].to_vec()),
    };
    if kind <= 7 {
        out.push((kind << 5) | bits);
    } else {
        out.push(bits);
        out.push(kind - 7);
    }
    out.extend_from_slice(&extra);
}

/// One half of a search-tree node.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Record {
    /// No data for this network.
    Empty,
    /// Go on at this node.
    Node(usize),
    /// The record at this offset in the data section.
    Data(usize),
}

/// Builds an IPv6 MaxMind DB in memory.
#[derive(Debug)]
pub struct Writer {
    database_type: String,
    nodes: Vec<[Record; 2]>,
    data: Vec<u8>,
}

impl Writer {
    /// An empty database of the given `database_type` (e.g. "GeoLite2-City").
    pub fn new(database_type: &str) -> Writer {
        Writer {
            database_type: database_type.to_owned(),
            nodes: vec![[Record::Empty; 2]],
            data: Vec::new(),
        }
    }

    /// Maps a network ("203.0.113.0/24", "2001:db8::/32", or a bare address for a single host)
    /// to `value`. IPv4 networks go to `::a.b.c.d/(96 + len)`.
    ///
    /// # Panics
    /// On a network that does not parse or a /0.
    pub fn insert(&mut self, cidr: &str, value: Value) {
        let (key, len) =
            parse_cidr(cidr).unwrap_or_else(|| panic!("testdata: bad network {cidr:?}"));
        let offset = self.data.len();
        value.encode(&mut self.data);
        self.set(key, len, Record::Data(offset));
    }

    /// Sets the record reached by the first `len` bits of `key`, splitting broader data
    /// records met on the way.
    fn set(&mut self, key: u128, len: u8, record: Record) {
        let mut node = 0;
        for depth in 0..len {
            let bit = ((key >> (127 - depth)) & 1) as usize;
            if depth + 1 == len {
                self.nodes[node][bit] = record;
                return;
            }
            node = match self.nodes[node][bit] {
                Record::Node(next) => next,
                other => {
                    // Empty, or a broader network's data: both halves below inherit it.
                    let inherited = if let Record::Data(_) = other {
                        other
                    } else {
                        Record::Empty
                    };
                    self.nodes.push([inherited; 2]);
                    let next = self.nodes.len() - 1;
                    self.nodes[node][bit] = Record::Node(next);
                    next
                }
            };
        }
    }

    /// The node at depth 96 along `::/96`, where IPv4 lives, if any IPv4 network was written.
    fn ipv4_root(&self) -> Option<usize> {
        let mut node = 0;
        for _ in 0..96 {
            match self.nodes[node][0] {
                Record::Node(next) => node = next,
                _ => return None,
            }
        }
        Some(node)
    }

    /// The database file's bytes.
    pub fn finish(mut self) -> Vec<u8> {
        if let Some(v4) = self.ipv4_root() {
            // As MaxMind does: IPv4-mapped IPv6 addresses lead to the IPv4 networks.
            self.set(0xffff_u128 << 32, 96, Record::Node(v4));
        }
        let node_count = self.nodes.len();
        let value = |r: Record| match r {
            Record::Empty => node_count,
            Record::Node(n) => n,
            Record::Data(offset) => node_count + SEPARATOR_LEN + offset,
        };
        let mut out = Vec::with_capacity(node_count * 6 + SEPARATOR_LEN + self.data.len() + 256);
        for [left, right] in &self.nodes {
            for r in [left, right] {
                let v = value(*r);
                assert!(
                    v < 1 << RECORD_SIZE,
                    "testdata: database too big for 24-bit records"
                );
                out.extend_from_slice(&(v as u32).to_be_bytes()[1..]);
            }
        }
        out.extend_from_slice(&[0; SEPARATOR_LEN]);
        out.extend_from_slice(&self.data);
        out.extend_from_slice(METADATA_MARKER);
        metadata(&self.database_type, node_count).encode(&mut out);
        out
    }
}

/// The metadata map.
fn metadata(database_type: &str, node_count: usize) -> Value {
    Value::map([
        ("binary_format_major_version", Value::U16(2)),
        ("binary_format_minor_version", Value::U16(0)),
        ("build_epoch", Value::U64(BUILD_EPOCH)),
        ("database_type", Value::from(database_type)),
        (
            "description",
            Value::map([("en", Value::from("Wangshang test database"))]),
        ),
        ("ip_version", Value::U16(6)),
        ("languages", Value::Array(vec![Value::from("en")])),
        ("node_count", Value::U32(node_count as u32)),
        ("record_size", Value::U16(RECORD_SIZE)),
    ])
}

/// A network as a 128-bit key and prefix length in the IPv6 tree.
fn parse_cidr(cidr: &str) -> Option<(u128, u8)> {
    let (addr, len) = match cidr.trim().split_once('/') {
        Some((addr, len)) => (addr.parse::<IpAddr>().ok()?, Some(len.parse::<u8>().ok()?)),
        None => (cidr.trim().parse::<IpAddr>().ok()?, None),
    };
    let (key, len) = match addr {
        IpAddr::V4(v4) => {
            let len = len.unwrap_or(32);
            (len <= 32).then_some(())?;
            (u128::from(u32::from(v4)), 96 + len)
        }
        IpAddr::V6(v6) => {
            let len = len.unwrap_or(128);
            (len <= 128).then_some(())?;
            (u128::from(v6), len)
        }
    };
    (len > 0).then_some((key, len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_take_extension_bytes() {
        let mut out = Vec::new();
        control(2, 28, &mut out);
        assert_eq!(out, [0x5c]);
        out.clear();
        control(2, 29, &mut out);
        assert_eq!(out, [0x5d, 0]);
        out.clear();
        control(2, 300, &mut out);
        assert_eq!(out, [0x5e, 0, 15]);
        out.clear();
        control(11, 1, &mut out);
        assert_eq!(out, [0x01, 4]);
    }

    #[test]
    fn integers_drop_leading_zeros() {
        let mut out = Vec::new();
        Value::U32(0x0102).encode(&mut out);
        assert_eq!(out, [0xc2, 1, 2]);
        out.clear();
        Value::U16(0).encode(&mut out);
        assert_eq!(out, [0xa0]);
    }

    #[test]
    fn cidrs() {
        assert_eq!(parse_cidr("1.2.3.0/24"), Some((0x0102_0300, 120)));
        assert_eq!(parse_cidr("::/0"), None);
        assert_eq!(parse_cidr("1.2.3.0/33"), None);
        assert_eq!(parse_cidr("nope"), None);
        assert_eq!(
            parse_cidr("2001:db8::1"),
            Some((u128::from(0x2001_0db8_u32) << 96 | 1, 128))
        );
    }
}

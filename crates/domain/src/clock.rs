//! Time as the database keeps it: milliseconds since the Unix epoch.

use time::OffsetDateTime;

/// Milliseconds since the Unix epoch, the unit of every timestamp column.
pub type Millis = i64;

pub fn now_ms() -> Millis {
    (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as Millis
}

/// Converts a stored timestamp to a UTC date-time; out-of-range values clamp to the epoch.
pub fn to_datetime(ms: Millis) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// A stored timestamp as RFC 3339 UTC, as the API and the messages show it.
pub fn rfc3339(ms: Millis) -> String {
    to_datetime(ms)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// A stored timestamp as people read it in messages: `2026-11-23 22:14:23 UTC`.
pub fn human(ms: Millis) -> String {
    let d = to_datetime(ms);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
        d.year(),
        u8::from(d.month()),
        d.day(),
        d.hour(),
        d.minute(),
        d.second()
    )
}

/// A stored timestamp as people read it in an IANA time zone, with the zone named:
/// `2026-11-24 06:14:23 UTC+08:00 (Asia/Shanghai)`; UTC (as [`human`]) without a zone or for a
/// name the database does not know.
pub fn human_in(ms: Millis, zone: Option<&str>) -> String {
    let Some(tz) = zone.and_then(|z| jiff::tz::TimeZone::get(z).ok()) else {
        return human(ms);
    };
    let Ok(at) = jiff::Timestamp::from_millisecond(ms) else {
        return human(ms);
    };
    let local = at.to_zoned_datetime(tz);
    format!(
        "{} UTC{} ({})",
        local.strftime("%Y-%m-%d %H:%M:%S"),
        local.strftime("%:z"),
        local.time_zone().iana_name().unwrap_or_default()
    )
}

/// The IANA name of a time zone the database knows (`Asia/Shanghai`), as the database spells
/// it; `None` for anything else.
pub fn time_zone_name(raw: &str) -> Option<String> {
    let raw = raw.trim();
    if raw.is_empty() || raw.len() > 64 {
        return None;
    }
    let tz = jiff::tz::TimeZone::get(raw).ok()?;
    tz.iana_name().map(str::to_owned)
}

/// Every time zone name the database knows, sorted (for a picker).
pub fn time_zone_names() -> Vec<String> {
    let mut names: Vec<String> = jiff::tz::db()
        .available()
        .map(|n| n.as_str().to_owned())
        .filter(|n| n.contains('/') && !n.starts_with("Etc/"))
        .collect();
    names.sort();
    names.push("UTC".to_owned());
    names
}

/// Whole seconds from `now` until `later`, rounded up, never below 1.
pub fn secs_until(now: Millis, later: Millis) -> u64 {
    let ms = (later - now).max(0) as u64;
    ms.div_ceil(1000).max(1)
}

pub const SECOND: Millis = 1000;
pub const MINUTE: Millis = 60 * SECOND;
pub const HOUR: Millis = 60 * MINUTE;
pub const DAY: Millis = 24 * HOUR;

#[cfg(test)]
mod zone_tests {
    use super::*;

    #[test]
    fn notices_read_in_the_account_zone_with_the_zone_named() {
        // 2026-11-23 22:14:23 UTC.
        let ms = 1_795_472_063_000;
        assert_eq!(human(ms), "2026-11-23 22:14:23 UTC");
        assert_eq!(human_in(ms, None), "2026-11-23 22:14:23 UTC");
        assert_eq!(
            human_in(ms, Some("Asia/Shanghai")),
            "2026-11-24 06:14:23 UTC+08:00 (Asia/Shanghai)"
        );
        assert_eq!(
            human_in(ms, Some("America/New_York")),
            "2026-11-23 17:14:23 UTC-05:00 (America/New_York)"
        );
        assert_eq!(human_in(ms, Some("Mars/Olympus")), human(ms));
    }

    #[test]
    fn only_known_zones_are_names() {
        assert_eq!(
            time_zone_name(" asia/shanghai ").as_deref(),
            Some("Asia/Shanghai")
        );
        for bad in ["", "Mars/Olympus", "../../etc/passwd", "Asia/Shanghai\0"] {
            assert_eq!(time_zone_name(bad), None, "{bad:?}");
        }
        let all = time_zone_names();
        assert!(all.iter().any(|z| z == "Asia/Shanghai") && all.len() > 300);
    }
}

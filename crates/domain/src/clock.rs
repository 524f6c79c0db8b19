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

/// Whole seconds from `now` until `later`, rounded up, never below 1.
pub fn secs_until(now: Millis, later: Millis) -> u64 {
    let ms = (later - now).max(0) as u64;
    ms.div_ceil(1000).max(1)
}

pub const SECOND: Millis = 1000;
pub const MINUTE: Millis = 60 * SECOND;
pub const HOUR: Millis = 60 * MINUTE;
pub const DAY: Millis = 24 * HOUR;

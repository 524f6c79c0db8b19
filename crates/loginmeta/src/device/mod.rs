//! A device as people recognise it, from a login's `User-Agent`.
//!
//! The heavy lifting is done by [`woothee`] (a maintained, table-driven parser with no data
//! files); on top of it this module recognises Wangshang's own app, the in-app browsers common in
//! China's business world (WeChat, WeCom, DingTalk, Feishu/Lark, QQ), tablets (which woothee files
//! under smartphones), scripted HTTP clients, and maps the result to plain names.

mod apps;
mod maker;
mod names;

use std::fmt;

/// The longest prefix of a user agent that is looked at. Real user agents are a few hundred
/// bytes; anything past this is noise and only costs time.
const MAX_UA_LEN: usize = 1024;

/// The word used for a browser or OS that could not be recognised.
pub const UNKNOWN: &str = "Unknown";

/// What kind of device a login came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeviceFamily {
    /// A desktop or laptop computer.
    Desktop,
    /// A phone.
    Mobile,
    /// A tablet (iPad, Android without the `Mobile` token).
    Tablet,
    /// A crawler or a scripted HTTP client (curl, python-requests, headless browsers).
    Bot,
    /// Nothing recognisable.
    Unknown,
}

impl DeviceFamily {
    /// A stable lower-case name, for storage and APIs: `desktop`, `mobile`, `tablet`, `bot`,
    /// `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceFamily::Desktop => "desktop",
            DeviceFamily::Mobile => "mobile",
            DeviceFamily::Tablet => "tablet",
            DeviceFamily::Bot => "bot",
            DeviceFamily::Unknown => "unknown",
        }
    }
}

impl fmt::Display for DeviceFamily {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A device as people recognise it: "Chrome on Windows", "Safari on iPhone", "Wangshang app on
/// Android".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    /// The browser or app: "Chrome", "Safari", "WeChat", "Wangshang app", "curl"; [`UNKNOWN`]
    /// when not recognised.
    pub browser: String,
    /// The operating system: "Windows", "macOS", "iPhone", "iPad", "Android", "Linux";
    /// [`UNKNOWN`] when not recognised.
    pub os: String,
    /// Desktop, phone, tablet, bot or unknown.
    pub family: DeviceFamily,
    /// Who made it, when the user agent says: "Apple", "Huawei", "Honor", "Xiaomi", "OPPO",
    /// "vivo", "Samsung" …
    pub maker: Option<String>,
    /// The model line, when the user agent says: "iPhone", "iPad", "Mac", "Mate", "P", "nova",
    /// "Redmi", "Galaxy" …
    pub model: Option<String>,
    /// The sentence to show a person: "Chrome on Windows", "Unknown device".
    pub label: String,
}

/// Describes the device behind a `User-Agent` header. Never panics; an empty or unrecognisable
/// string gives [`DeviceFamily::Unknown`] with the label "Unknown device".
pub fn describe(user_agent: &str) -> Device {
    let ua = clip(user_agent.trim(), MAX_UA_LEN);
    if ua.is_empty() || ua == "-" {
        return Device::build(UNKNOWN, UNKNOWN, DeviceFamily::Unknown);
    }
    let parsed = woothee::parser::Parser::new().parse(ua);
    let (w_name, w_category, w_os) = parsed
        .as_ref()
        .map(|r| (r.name, r.category, r.os))
        .unwrap_or(("", "", ""));

    if let Some(client) = apps::script_client(ua).or_else(|| crawler_name(w_category, w_name)) {
        return Device::build(&client, UNKNOWN, DeviceFamily::Bot);
    }

    let os = names::os(ua, w_os);
    let app = apps::in_app(ua);
    let own_app = app == Some(apps::WANGSHANG_APP);
    let browser = app.map_or_else(|| names::browser(w_name), str::to_owned);
    let family = names::family(ua, &os, w_category, own_app);
    let hw = maker::hardware(ua, &os);
    let mut d = Device::build(&browser, &os, family);
    d.maker = hw.maker.map(str::to_owned);
    d.model = hw.model.map(str::to_owned);
    d
}

impl Device {
    /// Puts the parts together and words the label.
    fn build(browser: &str, os: &str, family: DeviceFamily) -> Device {
        let label = label(browser, os, family);
        Device {
            browser: browser.to_owned(),
            os: os.to_owned(),
            family,
            label,
            maker: None,
            model: None,
        }
    }
}

/// "Chrome on Windows", "Chrome", "Android device", "curl (automated)", "Unknown device".
fn label(browser: &str, os: &str, family: DeviceFamily) -> String {
    let b = browser != UNKNOWN;
    let o = os != UNKNOWN;
    match (family, b, o) {
        (DeviceFamily::Bot, true, _) => format!("{browser} (automated)"),
        (DeviceFamily::Bot, false, _) => "Automated client".to_owned(),
        (_, true, true) => format!("{browser} on {os}"),
        (_, true, false) => browser.to_owned(),
        (_, false, true) => format!("{os} device"),
        (_, false, false) => "Unknown device".to_owned(),
    }
}

/// Woothee's crawler category ("Googlebot", "Baiduspider"), or its "HTTP Library" entry, as a
/// bot name.
fn crawler_name(category: &str, name: &str) -> Option<String> {
    match (category, name) {
        (_, "HTTP Library") => Some("HTTP library".to_owned()),
        ("crawler", "" | woothee::woothee::VALUE_UNKNOWN) => Some("Crawler".to_owned()),
        ("crawler", name) => Some(name.to_owned()),
        _ => None,
    }
}

/// The longest prefix of `s` of at most `max` bytes that ends on a character boundary.
fn clip(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_stays_on_a_char_boundary() {
        let s = "é".repeat(10); // 2 bytes each
        assert_eq!(clip(&s, 5), "éé");
        assert_eq!(clip("abc", 10), "abc");
    }

    #[test]
    fn labels() {
        assert_eq!(
            label("Chrome", "Windows", DeviceFamily::Desktop),
            "Chrome on Windows"
        );
        assert_eq!(
            label(UNKNOWN, "Android", DeviceFamily::Mobile),
            "Android device"
        );
        assert_eq!(
            label(UNKNOWN, UNKNOWN, DeviceFamily::Unknown),
            "Unknown device"
        );
        assert_eq!(
            label("curl", UNKNOWN, DeviceFamily::Bot),
            "curl (automated)"
        );
    }
}

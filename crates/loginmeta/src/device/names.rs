//! Woothee's names turned into the ones people use, and the device family.

use super::{DeviceFamily, UNKNOWN};
use woothee::woothee::VALUE_UNKNOWN;

/// The operating system's everyday name. Windows versions are dropped on purpose: Windows 11
/// still says "Windows NT 10.0", so a version would mislead.
pub(crate) fn os(ua: &str, woothee_os: &str) -> String {
    let lower = ua.to_ascii_lowercase();
    if lower.contains("harmonyos") || lower.contains("openharmony") {
        return "HarmonyOS".to_owned();
    }
    let name = match woothee_os {
        "" | VALUE_UNKNOWN => return fallback_os(&lower).to_owned(),
        w if w.starts_with("Windows Phone") => "Windows Phone",
        w if w.starts_with("Windows") => "Windows",
        "Mac OSX" => "macOS",
        "Mac OS Classic" => "Mac OS",
        "iPod" => "iPod touch",
        other => other,
    };
    name.to_owned()
}

/// A coarse look at user agents woothee did not place (e.g. apps' own "Name/1.0 (Android 14)").
fn fallback_os(lower: &str) -> &'static str {
    const OSES: &[(&str, &str)] = &[
        ("android", "Android"),
        ("iphone", "iPhone"),
        ("ipad", "iPad"),
        ("ios ", "iOS"),
        ("ios;", "iOS"),
        ("windows", "Windows"),
        ("mac os", "macOS"),
        ("macos", "macOS"),
        ("macintosh", "macOS"),
        ("cros", "ChromeOS"),
        ("linux", "Linux"),
    ];
    OSES.iter()
        .find(|(needle, _)| lower.contains(needle))
        .map_or(UNKNOWN, |(_, name)| name)
}

/// The browser's everyday name.
pub(crate) fn browser(woothee_name: &str) -> String {
    match woothee_name {
        "" | VALUE_UNKNOWN => UNKNOWN,
        "SamsungBrowser" => "Samsung Internet",
        "Webview" => "In-app browser",
        other => other,
    }
    .to_owned()
}

/// Desktop, phone or tablet, from the operating system first and woothee's category second.
/// Android (and HarmonyOS) browsers say `Mobile` on phones and not on tablets; apps' own user
/// agents usually say neither, so for them only an explicit `tablet` counts.
pub(crate) fn family(ua: &str, os: &str, woothee_category: &str, own_app: bool) -> DeviceFamily {
    let lower = ua.to_ascii_lowercase();
    match os {
        "iPad" => DeviceFamily::Tablet,
        "Android" | "HarmonyOS" => {
            let tablet = lower.contains("tablet") || (!own_app && !lower.contains("mobile"));
            if tablet {
                DeviceFamily::Tablet
            } else {
                DeviceFamily::Mobile
            }
        }
        "iPhone" | "iPod touch" | "iOS" | "Windows Phone" | "BlackBerry" | "BlackBerry 10" => {
            DeviceFamily::Mobile
        }
        "Windows" | "macOS" | "Mac OS" | "Linux" | "ChromeOS" | "BSD" => DeviceFamily::Desktop,
        _ => match woothee_category {
            "pc" => DeviceFamily::Desktop,
            "smartphone" | "mobilephone" => DeviceFamily::Mobile,
            _ => DeviceFamily::Unknown,
        },
    }
}

//! `describe()` on real user agents, scripts, and junk.

use wangshang_loginmeta::{DeviceFamily, describe};

/// Asserts browser, OS, family and label of one user agent.
fn check(ua: &str, browser: &str, os: &str, family: DeviceFamily, label: &str) {
    let d = describe(ua);
    assert_eq!(
        (
            d.browser.as_str(),
            d.os.as_str(),
            d.family,
            d.label.as_str()
        ),
        (browser, os, family, label),
        "{ua}"
    );
}

#[test]
fn chrome_on_windows() {
    check(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
         Chrome/124.0.0.0 Safari/537.36",
        "Chrome",
        "Windows",
        DeviceFamily::Desktop,
        "Chrome on Windows",
    );
}

#[test]
fn safari_on_iphone() {
    check(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 \
         (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
        "Safari",
        "iPhone",
        DeviceFamily::Mobile,
        "Safari on iPhone",
    );
}

#[test]
fn safari_on_ipad_and_macos() {
    check(
        "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) \
         Version/16.6 Mobile/15E148 Safari/604.1",
        "Safari",
        "iPad",
        DeviceFamily::Tablet,
        "Safari on iPad",
    );
    check(
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) \
         Version/17.4 Safari/605.1.15",
        "Safari",
        "macOS",
        DeviceFamily::Desktop,
        "Safari on macOS",
    );
}

#[test]
fn firefox_on_linux() {
    check(
        "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
        "Firefox",
        "Linux",
        DeviceFamily::Desktop,
        "Firefox on Linux",
    );
}

#[test]
fn edge_is_not_chrome() {
    check(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
         Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.51",
        "Edge",
        "Windows",
        DeviceFamily::Desktop,
        "Edge on Windows",
    );
}

#[test]
fn chrome_on_an_android_phone_and_tablet() {
    check(
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) \
         Chrome/124.0.0.0 Mobile Safari/537.36",
        "Chrome",
        "Android",
        DeviceFamily::Mobile,
        "Chrome on Android",
    );
    check(
        "Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) \
         Chrome/124.0.0.0 Safari/537.36",
        "Chrome",
        "Android",
        DeviceFamily::Tablet,
        "Chrome on Android",
    );
}

#[test]
fn wechat_in_app_browser_on_android() {
    check(
        "Mozilla/5.0 (Linux; Android 13; V2145A Build/TP1A.220624.014; wv) AppleWebKit/537.36 \
         (KHTML, like Gecko) Version/4.0 Chrome/107.0.5304.141 Mobile Safari/537.36 XWEB/5075 \
         MMWEBSDK/20230405 MMWEBID/2585 MicroMessenger/8.0.35.2360(0x2800235D) WeChat/arm64 \
         Weixin NetType/WIFI Language/zh_CN ABI/arm64",
        "WeChat",
        "Android",
        DeviceFamily::Mobile,
        "WeChat on Android",
    );
}

#[test]
fn wecom_on_windows_is_not_wechat() {
    check(
        "Mozilla/5.0 (Windows NT 10.0; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) \
         Chrome/95.0.4638.69 Safari/537.36 MicroMessenger/7.0.1 wxwork/4.1.10 \
         (MicroMessenger/6.2) WindowsWechat",
        "WeCom",
        "Windows",
        DeviceFamily::Desktop,
        "WeCom on Windows",
    );
}

#[test]
fn huawei_browser_on_harmonyos() {
    check(
        "Mozilla/5.0 (Phone; OpenHarmony 4.0) AppleWebKit/537.36 (KHTML, like Gecko) \
         Chrome/114.0.0.0 Safari/537.36 ArkWeb/4.1.6.1 Mobile HuaweiBrowser/5.0.4.300",
        "Huawei Browser",
        "HarmonyOS",
        DeviceFamily::Mobile,
        "Huawei Browser on HarmonyOS",
    );
}

#[test]
fn wangshang_app() {
    check(
        "Wangshang/2.3.0 (Android 14; Pixel 8)",
        "Wangshang app",
        "Android",
        DeviceFamily::Mobile,
        "Wangshang app on Android",
    );
    check(
        "Wangshang/2.3.0 (iOS 17.4; iPhone15,2)",
        "Wangshang app",
        "iPhone",
        DeviceFamily::Mobile,
        "Wangshang app on iPhone",
    );
}

#[test]
fn scripts_and_crawlers_are_bots() {
    check(
        "curl/8.5.0",
        "curl",
        "Unknown",
        DeviceFamily::Bot,
        "curl (automated)",
    );
    for ua in [
        "python-requests/2.31.0",
        "Go-http-client/2.0",
        "Wget/1.21.4",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) \
         HeadlessChrome/124.0.0.0 Safari/537.36",
    ] {
        assert_eq!(describe(ua).family, DeviceFamily::Bot, "{ua}");
    }
}

#[test]
fn empty_and_unrecognisable() {
    for ua in ["", "   ", "-"] {
        check(
            ua,
            "Unknown",
            "Unknown",
            DeviceFamily::Unknown,
            "Unknown device",
        );
    }
    let d = describe("SomethingElse/1.0");
    assert_eq!(d.family, DeviceFamily::Unknown);
    assert_eq!(d.label, "Unknown device");
}

/// A deterministic junk generator (an LCG), so no `rand` is needed.
fn junk(len_bytes: usize, seed: u64) -> String {
    const ALPHABET: &[char] = &[
        'a', 'Z', '0', '/', ';', '(', ')', ' ', '.', '_', '-', 'é', '中', '😀', '\u{0}', '\u{7f}',
        '\\', '"', '%', 'M', 'o', 'z', 'i', 'l', 'l', 'a', 'A', 'n', 'd', 'r', 'o', 'i',
    ];
    let mut state = seed;
    let mut s = String::new();
    while s.len() < len_bytes {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        s.push(ALPHABET[(state >> 33) as usize % ALPHABET.len()]);
    }
    s
}

#[test]
fn ten_kilobytes_of_garbage_do_not_panic() {
    for seed in 0..20 {
        let d = describe(&junk(10 * 1024, seed));
        assert!(!d.label.is_empty());
    }
    // Long but plausible, with a multi-byte character straddling the length cap.
    let long = format!(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
         Chrome/124.0.0.0 Safari/537.36 {}",
        "中".repeat(4000)
    );
    assert_eq!(describe(&long).label, "Chrome on Windows");
    let _ = describe(&"Mozilla/5.0 (".repeat(1000));
    let _ = describe(&"\u{0}".repeat(10_240));
}

/// Maker and model line of phones and computers, as people name them ("华为 Mate", "苹果电脑").
#[test]
fn makers_and_model_lines() {
    let cases: &[(&str, Option<&str>, Option<&str>)] = &[
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 \
             (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
            Some("Apple"),
            Some("iPhone"),
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like \
             Gecko) Version/17.4 Safari/605.1.15",
            Some("Apple"),
            Some("Mac"),
        ),
        (
            "Mozilla/5.0 (Linux; Android 12; HarmonyOS; NOH-AN00; HMSCore 6.11.0.302) \
             AppleWebKit/537.36 (KHTML, like Gecko) Chrome/99.0.4844.88 HuaweiBrowser/14.0.1.300 \
             Mobile Safari/537.36",
            Some("Huawei"),
            Some("Mate"),
        ),
        (
            "Mozilla/5.0 (Linux; Android 10; ELS-AN00 Build/HUAWEIELS-AN00; wv) AppleWebKit/537.36 \
             (KHTML, like Gecko) Version/4.0 Chrome/88.0.4324.93 Mobile Safari/537.36 \
             MicroMessenger/8.0.1.1841(0x2800015D) NetType/WIFI Language/zh_CN",
            Some("Huawei"),
            Some("P"),
        ),
        (
            "Mozilla/5.0 (Phone; OpenHarmony 4.0) AppleWebKit/537.36 (KHTML, like Gecko) \
             Chrome/114.0.0.0 Safari/537.36 ArkWeb/4.1.6.1 Mobile HuaweiBrowser/5.0.4.300",
            Some("Huawei"),
            None,
        ),
        (
            "Mozilla/5.0 (Linux; Android 13; PGT-AN10) AppleWebKit/537.36 (KHTML, like Gecko) \
             Chrome/116.0.0.0 Mobile Safari/537.36",
            Some("Honor"),
            Some("Magic"),
        ),
        (
            "Mozilla/5.0 (Linux; U; Android 13; zh-cn; 22081212C Build/TKQ1.220829.002) \
             AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/100.0.4896.127 Mobile \
             Safari/537.36 XiaoMi/MiuiBrowser/17.7.160503",
            Some("Xiaomi"),
            None,
        ),
        (
            "Mozilla/5.0 (Linux; Android 12; Redmi K50 Build/SKQ1.211230.001) AppleWebKit/537.36 \
             (KHTML, like Gecko) Chrome/110.0.0.0 Mobile Safari/537.36",
            Some("Xiaomi"),
            Some("Redmi"),
        ),
        (
            "Mozilla/5.0 (Linux; Android 13; PEGM00) AppleWebKit/537.36 (KHTML, like Gecko) \
             Chrome/112.0.0.0 Mobile Safari/537.36",
            Some("OPPO"),
            None,
        ),
        (
            "Mozilla/5.0 (Linux; Android 13; V2145A Build/TP1A.220624.014; wv) AppleWebKit/537.36 \
             (KHTML, like Gecko) Version/4.0 Chrome/107.0.5304.141 Mobile Safari/537.36",
            Some("vivo"),
            None,
        ),
        (
            "Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) \
             Chrome/124.0.0.0 Safari/537.36",
            Some("Samsung"),
            None,
        ),
        (
            "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) \
             Chrome/124.0.0.0 Mobile Safari/537.36",
            None,
            None,
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
             Chrome/124.0.0.0 Safari/537.36",
            None,
            None,
        ),
    ];
    for (ua, maker, model) in cases {
        let d = describe(ua);
        assert_eq!(
            (d.maker.as_deref(), d.model.as_deref()),
            (*maker, *model),
            "{ua}"
        );
    }
}

//! Clients woothee does not name: Wangshang's own app, in-app browsers, scripted HTTP clients.

/// The browser name given to Wangshang's own apps.
pub(crate) const WANGSHANG_APP: &str = "Wangshang app";

/// In-app browsers and apps, most specific first: WeCom's UA also says `MicroMessenger`, and
/// WeChat's on Android also says `MQQBrowser`. Tokens are lower-case and must start the user
/// agent or follow a space, `(` or `;`.
const IN_APP: &[(&str, &str)] = &[
    ("wangshang/", WANGSHANG_APP),
    ("wangshangapp/", WANGSHANG_APP),
    ("wxwork/", "WeCom"),
    ("micromessenger/", "WeChat"),
    ("dingtalk/", "DingTalk"),
    ("lark/", "Lark"),
    ("feishu/", "Feishu"),
    ("qq/", "QQ"),
    ("mqqbrowser/", "QQ Browser"),
    ("qqbrowser/", "QQ Browser"),
    ("ucbrowser/", "UC Browser"),
    ("quark/", "Quark"),
    ("huaweibrowser/", "Huawei Browser"),
    ("miuibrowser/", "Mi Browser"),
    ("samsungbrowser/", "Samsung Internet"),
];

/// Scripted HTTP clients and tools, matched at the start of the user agent (lower-case).
const SCRIPT_PREFIXES: &[(&str, &str)] = &[
    ("curl/", "curl"),
    ("wget/", "Wget"),
    ("python-requests/", "python-requests"),
    ("python-urllib/", "Python urllib"),
    ("python-httpx/", "HTTPX"),
    ("python/", "Python"),
    ("aiohttp/", "aiohttp"),
    ("go-http-client/", "Go HTTP client"),
    ("node-fetch", "node-fetch"),
    ("node", "Node.js"),
    ("undici", "Node.js"),
    ("axios/", "axios"),
    ("java/", "Java"),
    ("apache-httpclient/", "Apache HttpClient"),
    ("libwww-perl", "Perl LWP"),
    ("reqwest/", "reqwest"),
    ("httpie/", "HTTPie"),
    ("postmanruntime/", "Postman"),
    ("insomnia/", "Insomnia"),
    ("powershell/", "PowerShell"),
];

/// Markers of automation anywhere in the user agent (lower-case).
const SCRIPT_MARKERS: &[(&str, &str)] = &[
    ("headlesschrome", "Headless Chrome"),
    ("phantomjs", "PhantomJS"),
    ("spider", "Crawler"),
    ("crawler", "Crawler"),
];

/// The name of a scripted client or crawler, when the user agent is one.
pub(crate) fn script_client(ua: &str) -> Option<String> {
    let lower = ua.to_ascii_lowercase();
    if let Some((_, name)) = SCRIPT_PREFIXES.iter().find(|(p, _)| lower.starts_with(p)) {
        return Some((*name).to_owned());
    }
    if let Some((_, name)) = SCRIPT_MARKERS.iter().find(|(m, _)| lower.contains(m)) {
        return Some((*name).to_owned());
    }
    // The crawler convention: "Mozilla/5.0 (compatible; ExampleBot/1.0; +https://example.com/bot)".
    if lower.contains("+http") && (lower.contains("bot/") || lower.contains("bot;")) {
        return Some("Crawler".to_owned());
    }
    None
}

/// The app or in-app browser named in the user agent, if any.
pub(crate) fn in_app(ua: &str) -> Option<&'static str> {
    let lower = ua.to_ascii_lowercase();
    IN_APP
        .iter()
        .find(|(token, _)| has_token(&lower, token))
        .map(|(_, name)| *name)
}

/// Whether `token` occurs in `haystack` at the start or right after a separator.
fn has_token(haystack: &str, token: &str) -> bool {
    haystack.match_indices(token).any(|(at, _)| {
        at == 0
            || haystack[..at]
                .chars()
                .next_back()
                .is_some_and(|c| matches!(c, ' ' | '(' | ';' | ','))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_need_a_boundary() {
        assert!(has_token("mozilla qq/8.9", "qq/"));
        assert!(has_token("qq/8.9", "qq/"));
        assert!(!has_token("mozilla mqqbrowser/6.2", "qq/"));
        assert!(has_token("mozilla mqqbrowser/6.2", "mqqbrowser/"));
    }

    #[test]
    fn wecom_before_wechat() {
        let ua = "Mozilla/5.0 (Linux; Android 13) MicroMessenger/8.0 wxwork/4.1.6 MQQBrowser/6.2";
        assert_eq!(in_app(ua), Some("WeCom"));
    }

    #[test]
    fn the_wangshang_tests_client_is_not_the_app() {
        assert_eq!(in_app("wangshang-tests/1.0"), None);
        assert_eq!(
            in_app("Wangshang/2.3.0 (Android 14; Pixel 8)"),
            Some(WANGSHANG_APP)
        );
    }
}

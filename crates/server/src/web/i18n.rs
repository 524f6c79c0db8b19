//! The web client's texts: Fluent catalogs in `crates/server/locales/{zh-CN,en}/web.ftl`. A key
//! missing from a catalog renders as `⟦key⟧`, which the browser tests look for.

use std::borrow::Cow;
use std::collections::HashMap;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid, static_loader};

static_loader! {
    static WEB = {
        locales: "./locales",
        fallback_language: "zh-CN",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// A page language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().to_ascii_lowercase();
        if s.starts_with("zh") {
            Some(Lang::Zh)
        } else if s.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The first supported language of an `Accept-Language` header.
    pub fn from_accept(header: &str) -> Option<Self> {
        header
            .split(',')
            .filter_map(|part| Lang::parse(part.split(';').next().unwrap_or("")))
            .next()
    }

    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    fn id(self) -> LanguageIdentifier {
        match self {
            Lang::Zh => langid!("zh-CN"),
            Lang::En => langid!("en"),
        }
    }
}

/// The translator a template calls: `{{ t.get("login-title") }}`.
#[derive(Clone, Copy, Debug)]
pub struct Tr(pub Lang);

impl Tr {
    pub fn get(&self, key: &str) -> String {
        self.with(key, &[])
    }

    /// With arguments: `t.with("resend-wait", &[("seconds", "60")])`.
    pub fn with(&self, key: &str, args: &[(&str, &str)]) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue<'static>> = args
            .iter()
            .map(|(k, v)| {
                (
                    Cow::Owned((*k).to_owned()),
                    FluentValue::from((*v).to_owned()),
                )
            })
            .collect();
        WEB.try_lookup_with_args(&self.0.id(), key, &args)
            .unwrap_or_else(|| format!("⟦{key}⟧"))
    }

    /// A long code in groups of four for reading and typing: `ABCD EFGH …`.
    pub fn group(&self, code: &str) -> String {
        let chars: Vec<char> = code.chars().collect();
        chars
            .chunks(4)
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// A text with one argument (for templates): `t.arg("ticket-banner", "ticket", no)`.
    pub fn arg(&self, key: &str, name: &str, value: &str) -> String {
        self.with(key, &[(name, value)])
    }

    /// A text with two arguments.
    pub fn arg2(&self, key: &str, a: &str, a_value: &str, b: &str, b_value: &str) -> String {
        self.with(key, &[(a, a_value), (b, b_value)])
    }

    /// A text with `{arg}` left in for the page's script to fill in.
    pub fn pattern(&self, key: &str, arg: &str) -> String {
        self.with(key, &[(arg, &format!("{{{arg}}}"))])
    }

    /// The text of `<prefix>-<which>` (a key chosen by a value: `t.pick("bindings-remove", kind)`).
    pub fn pick(&self, prefix: &str, which: &str) -> String {
        self.get(&format!("{prefix}-{which}"))
    }

    /// "Send again in N s", with the seconds the countdown script then lowers.
    pub fn wait(&self, seconds: &i64) -> String {
        self.with("resend-wait", &[("seconds", &seconds.to_string())])
    }

    pub fn lang(&self) -> &'static str {
        self.0.tag()
    }

    /// The `href` of the language link to `lang` on this page (a form's page after a post).
    pub fn lang_href(&self, lang: &str) -> String {
        super::people::lang_href(lang)
    }

    /// A device as a person says it: "Windows 上的 Chrome" / "Chrome on Windows".
    pub fn device(&self, user_agent: &str) -> String {
        let d = loginmeta::describe(user_agent);
        let unknown = loginmeta::UNKNOWN;
        match (d.browser == unknown, d.os == unknown) {
            (true, true) => self.get("device-unknown"),
            (false, true) => d.browser,
            (true, false) => self.with("device-os", &[("os", &d.os)]),
            (false, false) => self.with("device-on", &[("browser", &d.browser), ("os", &d.os)]),
        }
    }

    /// The signed-in header's extras (vouch badge, agent console link) of this request.
    pub fn nav(&self) -> super::nav::Nav {
        super::nav::current()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_catalogs_have_the_same_keys() {
        let keys = |s: &str| -> Vec<String> {
            let mut k: Vec<String> = s
                .lines()
                .filter_map(|l| l.split_once(" = ").map(|(k, _)| k.trim().to_owned()))
                .filter(|k| !k.starts_with('#') && !k.is_empty())
                .collect();
            k.sort();
            k
        };
        let zh = keys(include_str!("../../locales/zh-CN/web.ftl"));
        assert_eq!(zh, keys(include_str!("../../locales/en/web.ftl")));
        // A key defined twice would silently lose one of its texts.
        let twice: Vec<&String> = zh
            .windows(2)
            .filter(|w| w[0] == w[1])
            .map(|w| &w[0])
            .collect();
        assert!(twice.is_empty(), "defined twice: {twice:?}");
    }

    /// A problem a page shows is worded from `err-<code>`: a code without its text would show
    /// the marked key to a person.
    #[test]
    fn every_problem_code_has_a_text() {
        for (code, _, _) in proto::problem::CODES {
            for lang in [Lang::En, Lang::Zh] {
                // With the arguments `render::shown` gives every text.
                let args = [("attempts", "1"), ("seconds", "1"), ("mib", "1")];
                let text = Tr(lang).with(&format!("err-{code}"), &args);
                assert!(!text.starts_with('⟦'), "no err-{code} in {lang:?}");
            }
        }
    }

    /// The security records page names each record's kind from `event-<kind>`.
    #[test]
    fn every_security_record_kind_has_a_name() {
        for kind in domain::events::every_kind() {
            for lang in [Lang::En, Lang::Zh] {
                let text = Tr(lang).get(&format!("event-{kind}"));
                assert!(!text.starts_with('⟦'), "no event-{kind} in {lang:?}");
            }
        }
    }

    #[test]
    fn missing_keys_are_marked() {
        assert_eq!(Tr(Lang::En).get("no-such-key"), "⟦no-such-key⟧");
        assert_eq!(Tr(Lang::En).get("login-submit"), "Log in");
        assert_eq!(Tr(Lang::Zh).get("login-forgot"), "忘记密码");
        assert_eq!(Lang::from_accept("en-US,en;q=0.9,zh;q=0.8"), Some(Lang::En));
    }
}

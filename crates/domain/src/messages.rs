//! The texts of codes and notices, in zh-CN (default) and English, from the Fluent catalogs in
//! `crates/domain/locales/{zh-CN,en}/messages.ftl`. Each template has a `-subject` and a `-body`;
//! e-mail also gets an HTML body: the same text in a small layout, escaped, with its links made
//! clickable. Every code message says what the code is for, how long it holds, and that nobody
//! from Wangshang will ask for it.

use std::borrow::Cow;
use std::collections::HashMap;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid, static_loader};
use serde_json::Value;

static_loader! {
    static CATALOGS = {
        locales: "./locales",
        fallback_language: "zh-CN",
        // Messages go to SMS and plain-text mail: no Unicode isolation marks around arguments.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

const ZH_CN: LanguageIdentifier = langid!("zh-CN");
const EN: LanguageIdentifier = langid!("en");

/// A message ready for a channel.
#[derive(Clone, Debug)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    /// The HTML body for e-mail, when the template has one.
    pub html: Option<String>,
    /// The code carried by the message, if any (the dev outbox shows it apart).
    pub code: Option<String>,
}

pub mod template {
    pub const REGISTER_CODE: &str = "register_code";
    pub const REGISTER_TAKEN: &str = "register_taken";
    pub const SUPPORT_CONTACT_CODE: &str = "support_contact_code";
    pub const ACCOUNT_LOCKED: &str = "account_locked";
    pub const PASSWORD_CHANGED: &str = "password_changed";
    pub const PASSWORD_RESET_CODE: &str = "password_reset_code";
    pub const PASSWORD_RESET: &str = "password_reset";
    pub const BIND_CODE: &str = "bind_code";
    pub const BIND_TAKEN: &str = "bind_taken";
    pub const BINDING_CHANGED: &str = "binding_changed";
    pub const BINDING_ADDED: &str = "binding_added";
    pub const BINDING_CANCELLED: &str = "binding_cancelled";
    pub const NEW_DEVICE_LOGIN: &str = "new_device_login";
    pub const MFA_CHANGED: &str = "mfa_changed";
    pub const SUPPORT_TICKET_OPENED: &str = "support_ticket_opened";
    pub const SUPPORT_TICKET_DECIDED: &str = "support_ticket_decided";
    pub const SUPPORT_TICKET_FILED_FOR_YOU: &str = "support_ticket_filed_for_you";
    pub const LOGIN_CODE: &str = "login_code";
    pub const SECOND_FACTOR_FAILED: &str = "second_factor_failed";
    pub const ORG_INVITE: &str = "org_invite";
    pub const SUPPORT_RECOVERY_APPROVED: &str = "support_recovery_approved";
    pub const SUPPORT_RECOVERY_CODE: &str = "support_recovery_code";
    pub const TRUSTED_CONTACTS_CHANGED: &str = "trusted_contacts_changed";
    pub const NICKNAME_CHANGED: &str = "nickname_changed";
    pub const ORG_POLICY_CHANGED: &str = "org_policy_changed";
    pub const ORG_MEMBER_ACTION: &str = "org_member_action";
    pub const REVERIFY_CODE: &str = "reverify_code";

    /// Every template, for the catalog completeness test.
    pub const ALL: [&str; 27] = [
        REGISTER_CODE,
        REGISTER_TAKEN,
        SUPPORT_CONTACT_CODE,
        ACCOUNT_LOCKED,
        PASSWORD_CHANGED,
        PASSWORD_RESET_CODE,
        PASSWORD_RESET,
        BIND_CODE,
        BIND_TAKEN,
        BINDING_CHANGED,
        BINDING_ADDED,
        BINDING_CANCELLED,
        NEW_DEVICE_LOGIN,
        MFA_CHANGED,
        SUPPORT_TICKET_OPENED,
        SUPPORT_TICKET_DECIDED,
        SUPPORT_TICKET_FILED_FOR_YOU,
        LOGIN_CODE,
        SECOND_FACTOR_FAILED,
        ORG_INVITE,
        SUPPORT_RECOVERY_APPROVED,
        SUPPORT_RECOVERY_CODE,
        TRUSTED_CONTACTS_CHANGED,
        NICKNAME_CHANGED,
        ORG_POLICY_CHANGED,
        ORG_MEMBER_ACTION,
        REVERIFY_CODE,
    ];
}

/// The catalog language of a locale tag: English for `en*`, else Chinese.
pub fn language(locale: &str) -> LanguageIdentifier {
    if locale.starts_with("en") { EN } else { ZH_CN }
}

/// The message's parameters as Fluent arguments (strings and numbers; other values are skipped).
fn arguments(params: &Value) -> HashMap<Cow<'static, str>, FluentValue<'static>> {
    let mut args = HashMap::new();
    if let Value::Object(map) = params {
        for (k, v) in map {
            let value = match v {
                Value::String(s) => FluentValue::from(s.clone()),
                Value::Number(n) => match n.as_i64() {
                    Some(i) => FluentValue::from(i),
                    None => FluentValue::from(n.to_string()),
                },
                _ => continue,
            };
            args.insert(Cow::Owned(k.clone()), value);
        }
    }
    args
}

/// Renders a template; an unknown template renders a neutral notice rather than failing a send.
pub fn render(template: &str, locale: &str, params: &Value) -> Rendered {
    let lang = language(locale);
    let mut args = arguments(params);
    // A time (milliseconds) reads in the account's zone, named: `… UTC+08:00 (Asia/Shanghai)`.
    if let Some(ms) = params.get("when").and_then(Value::as_i64) {
        let zone = params.get("zone").and_then(Value::as_str);
        args.insert(
            Cow::Borrowed("when"),
            FluentValue::from(crate::clock::human_in(ms, zone)),
        );
    }
    // A user-agent string reads as "Windows 上的 Chrome" / "Chrome on Windows".
    if let Some(ua) = params.get("device").and_then(Value::as_str) {
        args.insert(
            Cow::Borrowed("device"),
            FluentValue::from(device(&lang, ua)),
        );
    }
    let lookup = |part: &str| {
        CATALOGS
            .try_lookup_with_args(&lang, &format!("{template}-{part}"), &args)
            .unwrap_or_else(|| CATALOGS.lookup(&lang, &format!("generic-{part}")))
    };
    let (subject, text) = (lookup("subject"), lookup("body"));
    let footer = CATALOGS.lookup(&lang, "html-footer");
    Rendered {
        html: Some(html(&lang, &subject, &text, &footer)),
        code: params
            .get("code")
            .and_then(Value::as_str)
            .map(str::to_owned),
        subject,
        text,
    }
}

/// A device as a person says it, in the message's language; a text that is no user agent (an
/// app's own device name) is kept as it is.
fn device(lang: &LanguageIdentifier, user_agent: &str) -> String {
    let d = loginmeta::describe(user_agent);
    let unknown = loginmeta::UNKNOWN;
    let mut args = HashMap::new();
    args.insert(
        Cow::Borrowed("browser"),
        FluentValue::from(d.browser.clone()),
    );
    args.insert(Cow::Borrowed("os"), FluentValue::from(d.os.clone()));
    let key = match (d.browser == unknown, d.os == unknown) {
        (true, true) => return user_agent.to_owned(),
        (false, true) => return d.browser,
        (true, false) => "device-os",
        (false, false) => "device-on",
    };
    CATALOGS
        .try_lookup_with_args(lang, key, &args)
        .unwrap_or(d.label)
}

/// Whether the catalogs of both languages have a subject and a body for `template`.
pub fn has_template(template: &str) -> bool {
    // Every parameter any template uses, so that a lookup cannot fail for a missing argument.
    let names = [
        "code",
        "minutes",
        "when",
        "ip",
        "device",
        "old",
        "new",
        "hours",
        "cancel_url",
        "confirm_url",
        "dispute_url",
        "factor",
        "ticket",
        "status_url",
        "org",
        "inviter",
        "invite_url",
        "by",
        "action",
    ];
    let args = arguments(&Value::Object(
        names
            .iter()
            .map(|n| ((*n).to_owned(), Value::from("x")))
            .collect(),
    ));
    [ZH_CN, EN].iter().all(|lang| {
        ["subject", "body"].iter().all(|part| {
            CATALOGS
                .try_lookup_with_args(lang, &format!("{template}-{part}"), &args)
                .is_some()
        })
    })
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The text with every `http(s)://` link as an anchor, everything escaped.
fn linkify(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("http") {
        let (before, from) = rest.split_at(start);
        if !(from.starts_with("https://") || from.starts_with("http://")) {
            out.push_str(&escape_html(&rest[..start + 4]));
            rest = &rest[start + 4..];
            continue;
        }
        out.push_str(&escape_html(before));
        let end = from
            .find(|c: char| c.is_whitespace() || "，。（）<>\"'".contains(c))
            .unwrap_or(from.len());
        let url = escape_html(&from[..end]);
        out.push_str(&format!(r#"<a href="{url}">{url}</a>"#));
        rest = &from[end..];
    }
    out.push_str(&escape_html(rest));
    out
}

/// The e-mail layout: no images, no scripts, nothing remote.
fn html(lang: &LanguageIdentifier, subject: &str, text: &str, footer: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body style=\"font-family:sans-serif;line-height:1.5;max-width:36em;margin:auto;padding:1em\">\
         <h1 style=\"font-size:1.2em\">{title}</h1><p>{body}</p>\
         <p style=\"color:#666;font-size:.9em\">{footer}</p></body></html>\n",
        title = escape_html(subject),
        body = linkify(text),
        footer = escape_html(footer),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_template_exists_in_both_languages() {
        // Read the files themselves: a lookup would fall back to zh-CN and hide a gap in `en`.
        let catalogs = [
            include_str!("../locales/zh-CN/messages.ftl"),
            include_str!("../locales/en/messages.ftl"),
        ];
        for t in template::ALL {
            assert!(has_template(t), "{t} does not render");
            for c in catalogs {
                for part in ["subject", "body"] {
                    let key = format!("\n{t}-{part} = ");
                    assert!(c.contains(&key), "{t}-{part} is missing from a catalog");
                }
            }
        }
    }

    #[test]
    fn code_messages_say_what_for_how_long_and_never_share() {
        let p = json!({"code": "482913", "minutes": 10});
        for t in [
            template::REGISTER_CODE,
            template::PASSWORD_RESET_CODE,
            template::BIND_CODE,
            template::SUPPORT_CONTACT_CODE,
            template::SUPPORT_RECOVERY_CODE,
        ] {
            let zh = render(t, "zh-CN", &p);
            assert!(
                zh.text.contains("482913") && zh.text.contains("10 分钟"),
                "{}",
                zh.text
            );
            assert!(zh.text.contains("绝不会向您索要"), "{}", zh.text);
            let en = render(t, "en", &p);
            assert!(
                en.text.contains("482913") && en.text.contains("10 minutes"),
                "{}",
                en.text
            );
            assert!(en.text.contains("never ask"), "{}", en.text);
            assert_eq!(en.code.as_deref(), Some("482913"));
            // No isolation marks around arguments in an SMS.
            assert!(!zh.text.contains('\u{2068}'));
        }
    }

    #[test]
    fn notices_say_when_where_and_what_to_do() {
        let p =
            json!({"when": "2026-11-23 10:00:00 UTC", "ip": "203.0.113.7", "device": "Firefox"});
        let zh = render(template::PASSWORD_RESET, "zh-CN", &p);
        assert!(zh.text.contains("2026-11-23 10:00:00 UTC") && zh.text.contains("203.0.113.7"));
        assert!(zh.text.contains("Firefox") && zh.text.contains("不是您本人"));
        let en = render(template::PASSWORD_RESET, "en-US", &p);
        assert!(en.text.contains("If this was not you"));
        assert!(en.code.is_none());
    }

    #[test]
    fn devices_read_as_a_person_says_them() {
        let ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
        let p = json!({"when": "2026-11-23 10:00:00 UTC", "ip": "203.0.113.7", "device": ua});
        let zh = render(template::PASSWORD_RESET, "zh-CN", &p);
        assert!(zh.text.contains("设备 Windows 上的 Chrome"), "{}", zh.text);
        assert!(!zh.text.contains("Mozilla"));
        let en = render(template::PASSWORD_RESET, "en", &p);
        assert!(en.text.contains("Chrome on Windows"), "{}", en.text);
    }

    #[test]
    fn html_escapes_and_links() {
        let p = json!({"when": "<b>now</b>", "ip": "1.2.3.4", "device": "x\"y", "old": "a", "new": "b",
            "hours": 72, "cancel_url": "https://chat.example.com/bindings/cancel?token=abc&x=1",
            "confirm_url": "https://chat.example.com/bindings/confirm?token=def"});
        let r = render(template::BINDING_CHANGED, "en", &p);
        let html = r.html.unwrap();
        assert!(html.contains("&lt;b&gt;now&lt;/b&gt;"), "{html}");
        assert!(!html.contains("<b>now"));
        assert!(
            html.contains(
                r#"<a href="https://chat.example.com/bindings/cancel?token=abc&amp;x=1">"#
            ),
            "{html}"
        );
        assert!(html.contains("x&quot;y"));
        assert!(html.starts_with("<!DOCTYPE html>"));
    }

    #[test]
    fn unknown_templates_render_a_neutral_notice() {
        let r = render("no_such_template", "zh-CN", &json!({}));
        assert!(r.text.contains("账号通知"));
    }
}

//! The password policy of SPEC §1: length after NFKC, zxcvbn strength, no personal data, not the
//! current password, and an opt-in composition rule. Every violated rule is reported.

use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

use crate::config::PasswordConfig;

/// A password as the user typed it, NFKC-normalised. Never logged: `Debug` is redacted.
#[derive(Clone)]
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password([redacted])")
    }
}

impl Password {
    /// Normalises a submitted password. Inputs over `max_bytes` are refused before anything else.
    pub fn new(raw: &str, cfg: &PasswordConfig) -> Result<Self, Violation> {
        if raw.len() > cfg.max_bytes {
            return Err(Violation::new(
                "too_long",
                format!(
                    "The password must be at most {} characters.",
                    cfg.max_length
                ),
            ));
        }
        Ok(Self(raw.nfkc().collect()))
    }

    /// A secret hashed like a password but outside the policy (a normalised security answer).
    pub fn secret(normalised: &str) -> Self {
        Self(normalised.to_owned())
    }

    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One rule a password broke: a stable machine code and an English message (clients translate
/// by code).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Violation {
    pub code: &'static str,
    pub message: String,
}

impl Violation {
    pub fn same_as_current() -> Self {
        Self::new(
            "same_as_current",
            "The new password must differ from the current one.",
        )
    }

    fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

/// What the password is checked against besides itself.
#[derive(Default)]
pub struct PolicyContext<'a> {
    /// E.164 phone and its national number.
    pub phone: Option<(&'a str, &'a str)>,
    pub email_local: Option<&'a str>,
    pub nickname: Option<&'a str>,
}

/// Words shorter than this are not checked for containment (a nickname "Li" would ban half of
/// all passwords).
const MIN_CONTEXT_WORD: usize = 3;

/// Checks a password; returns every violated rule (empty when the password is acceptable).
/// Equality with the current password is checked by the caller, which holds the hash.
pub fn check(password: &Password, ctx: &PolicyContext<'_>, cfg: &PasswordConfig) -> Vec<Violation> {
    let pw = password.as_str();
    let mut out = Vec::new();
    let len = pw.chars().count();
    if len < cfg.min_length {
        out.push(Violation::new(
            "too_short",
            format!(
                "The password must be at least {} characters.",
                cfg.min_length
            ),
        ));
    }
    if len > cfg.max_length {
        out.push(Violation::new(
            "too_long",
            format!(
                "The password must be at most {} characters.",
                cfg.max_length
            ),
        ));
    }
    if pw.chars().any(char::is_control) {
        out.push(Violation::new(
            "not_printable",
            "The password may hold any printable character and spaces, but no control characters.",
        ));
    }
    let lower = pw.to_lowercase();
    let contains = |word: &str| {
        let w = word.to_lowercase();
        w.chars().count() >= MIN_CONTEXT_WORD && lower.contains(&w)
    };
    let personal = [
        (
            ctx.phone.is_some_and(|(e164, national)| {
                contains(national) || contains(e164.trim_start_matches('+'))
            }),
            "contains_phone",
            "The password must not contain your phone number.",
        ),
        (
            ctx.email_local.is_some_and(contains),
            "contains_email",
            "The password must not contain your e-mail address.",
        ),
        (
            ctx.nickname.is_some_and(contains),
            "contains_nickname",
            "The password must not contain your nickname.",
        ),
    ];
    for (hit, code, message) in personal {
        if hit {
            out.push(Violation::new(code, message));
        }
    }
    if cfg.require_composition {
        let letter = pw.chars().any(char::is_alphabetic);
        let digit = pw.chars().any(|c| c.is_numeric());
        let symbol = pw.chars().any(|c| !c.is_alphanumeric() && !c.is_control());
        if !(letter && digit && symbol) {
            out.push(Violation::new(
                "composition",
                "The password must contain letters, digits and symbols.",
            ));
        }
    }
    // zxcvbn is quadratic in the length; past the length limit the answer is already "no".
    if len <= cfg.max_length && !pw.is_empty() {
        let mut inputs: Vec<&str> = vec!["wangshang", "旺商聊"];
        if let Some((e164, national)) = ctx.phone {
            inputs.push(e164);
            inputs.push(national);
        }
        inputs.extend(ctx.email_local);
        inputs.extend(ctx.nickname);
        let score = u8::from(zxcvbn::zxcvbn(pw, &inputs).score());
        if score < cfg.min_score {
            out.push(Violation::new(
                "too_guessable",
                "The password is too easy to guess; use a longer phrase or a password manager.",
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> PasswordConfig {
        PasswordConfig::default()
    }

    fn codes(pw: &str, ctx: &PolicyContext<'_>, cfg: &PasswordConfig) -> Vec<&'static str> {
        let p = Password::new(pw, cfg).unwrap();
        check(&p, ctx, cfg).into_iter().map(|v| v.code).collect()
    }

    #[test]
    fn a_long_random_phrase_passes() {
        assert!(
            codes(
                "correct horse battery staple 9!",
                &PolicyContext::default(),
                &cfg()
            )
            .is_empty()
        );
        assert!(
            codes(
                "月亮代表我的心 in 2024 ok?",
                &PolicyContext::default(),
                &cfg()
            )
            .is_empty()
        );
    }

    #[test]
    fn every_violated_rule_is_listed() {
        let ctx = PolicyContext {
            phone: Some(("+8613812345678", "13812345678")),
            email_local: Some("zhangsan"),
            nickname: Some("xiaoming"),
        };
        let c = codes("13812345678", &ctx, &cfg());
        assert!(
            c.contains(&"contains_phone") && c.contains(&"too_guessable"),
            "{c:?}"
        );
        let c = codes("Zhangsan-xiaoming!", &ctx, &cfg());
        assert!(
            c.contains(&"contains_email") && c.contains(&"contains_nickname"),
            "{c:?}"
        );
        assert_eq!(
            codes("short", &PolicyContext::default(), &cfg())[0],
            "too_short"
        );
        assert!(codes("password1", &PolicyContext::default(), &cfg()).contains(&"too_guessable"));
    }

    #[test]
    fn nfkc_counts_fullwidth_as_ascii_and_composition_is_opt_in() {
        let p = Password::new("ｐａｓｓ", &cfg()).unwrap();
        assert_eq!(p.as_str(), "pass");
        let mut c = cfg();
        c.require_composition = true;
        assert!(
            codes(
                "only letters and spaces here",
                &PolicyContext::default(),
                &c
            )
            .contains(&"composition")
        );
        assert!(
            !codes(
                "only letters and spaces here",
                &PolicyContext::default(),
                &cfg()
            )
            .contains(&"composition")
        );
    }

    #[test]
    fn oversized_input_is_refused_before_hashing_and_long_ones_accepted() {
        let c = cfg();
        assert_eq!(
            Password::new(&"a".repeat(1025), &c).unwrap_err().code,
            "too_long"
        );
        let long: String = "Tr0ub4dor&3-horse-staple-".repeat(5);
        assert_eq!(long.chars().count(), 125);
        assert!(codes(&long, &PolicyContext::default(), &c).is_empty());
    }
}

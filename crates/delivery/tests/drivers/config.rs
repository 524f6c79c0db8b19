//! The config keeps its secrets out of `Debug` and serialized output.

use wangshang_delivery::DeliveryConfig;

const SECRETS: [&str; 6] = [
    "ALIYUN-SECRET-123",
    "TENCENT-KEY-456",
    "TWILIO-TOKEN-789",
    "SMTP-PASSWORD-000",
    "WEBHOOK-SECRET-111",
    "ALIYUN-FALLBACK-222",
];

fn full() -> DeliveryConfig {
    toml::from_str(&format!(
        r#"
        timeout_secs = 7

        [email]
        host = "smtp.example.com"
        port = 465
        security = "tls"
        username = "mailer"
        password = "{}"
        from = "Wangshang <no-reply@example.com>"

        [sms.primary]
        kind = "aliyun"
        access_key_id = "LTAI5t"
        access_key_secret = "{}"
        sign_name = "旺商聊"
        templates = {{ register_code = "SMS_1" }}

        [sms.fallback]
        kind = "tencent"
        secret_id = "AKID1"
        secret_key = "{}"
        sdk_app_id = "1400006666"
        sign_name = "旺商聊"
        templates = {{ register_code = "1" }}
        "#,
        SECRETS[3], SECRETS[0], SECRETS[1]
    ))
    .unwrap()
}

fn others() -> Vec<DeliveryConfig> {
    vec![
        toml::from_str(&format!(
            "[sms.primary]\nkind = \"twilio\"\naccount_sid = \"AC1\"\nauth_token = \"{}\"\nfrom = \"+15005550000\"\n[sms.fallback]\nkind = \"webhook\"\nurl = \"http://127.0.0.1:1\"\nsecret = \"{}\"\n",
            SECRETS[2], SECRETS[4]
        ))
        .unwrap(),
        toml::from_str(&format!(
            "[sms.primary]\nkind = \"aliyun\"\naccess_key_id = \"a\"\naccess_key_secret = \"{}\"\nsign_name = \"s\"\n",
            SECRETS[5]
        ))
        .unwrap(),
    ]
}

#[test]
fn defaults_and_parsing() {
    let cfg = full();
    assert_eq!(cfg.timeout_secs, 7);
    let email = cfg.email.as_ref().unwrap();
    assert_eq!(email.security, wangshang_delivery::SmtpSecurity::Tls);
    assert!(!email.accept_invalid_certs);
    match cfg.sms.primary.as_ref().unwrap() {
        wangshang_delivery::SmsProvider::Aliyun(a) => {
            assert_eq!(a.endpoint, "https://dysmsapi.aliyuncs.com")
        }
        other => panic!("{other:?}"),
    }
    match cfg.sms.fallback.as_ref().unwrap() {
        wangshang_delivery::SmsProvider::Tencent(t) => {
            assert_eq!(t.region, "ap-guangzhou");
            assert_eq!(t.endpoint, "https://sms.tencentcloudapi.com");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(DeliveryConfig::default().timeout_secs, 10);
}

#[test]
fn secrets_never_show_in_debug_or_serialized_output() {
    for cfg in std::iter::once(full()).chain(others()) {
        let debug = format!("{cfg:?} {cfg:#?}");
        let serialized = toml::to_string(&cfg).unwrap();
        let json = serde_json::to_string(&cfg).unwrap();
        for secret in SECRETS {
            assert!(!debug.contains(secret), "{secret} in Debug: {debug}");
            assert!(
                !serialized.contains(secret),
                "{secret} in TOML: {serialized}"
            );
            assert!(!json.contains(secret), "{secret} in JSON: {json}");
        }
        assert!(serialized.contains(wangshang_delivery::config::REDACTED));
    }
}

#[test]
fn the_readme_example_parses_and_builds() {
    let readme = include_str!("../../README.md");
    let start = readme.find("```toml\n").unwrap() + "```toml\n".len();
    let end = start + readme[start..].find("```").unwrap();
    #[derive(serde::Deserialize)]
    struct File {
        delivery: DeliveryConfig,
    }
    let file: File = toml::from_str(&readme[start..end]).unwrap();
    let router = wangshang_delivery::build(&file.delivery, reqwest::Client::new()).unwrap();
    assert!(router.is_some());
}

//! The router: channel dispatch, SMS fallback, provider-tagged ids, config validation.

use std::time::{Duration, Instant};

use domain::identifier::Channel;
use domain::outbox::{Driver, Permanent, SendError};
use serde_json::json;

use crate::common::*;
use crate::webhook::{verify, webhook_toml};

const SECRET: &str = "webhook-secret-do-not-log";

/// A signature-checking gateway that always answers the same way.
async fn gateway(status: u16, id: &'static str, delay: Duration) -> Fake {
    fake(move |req| {
        if !verify(req, SECRET) {
            return Resp::json(401, json!({"error": "bad signature"}));
        }
        Resp::json(status, json!({"id": id})).after(delay)
    })
    .await
}

fn two(primary: &str, fallback: &str) -> wangshang_delivery::Router {
    router(&format!(
        "timeout_secs = 1\n{}{}",
        webhook_toml("sms.primary", primary, SECRET),
        webhook_toml("sms.fallback", fallback, SECRET)
    ))
}

async fn send(r: &wangshang_delivery::Router) -> Result<Option<String>, SendError> {
    let (msg, rendered) = code_msg(Channel::Sms, "+8613800000001");
    r.send(&msg, &rendered).await
}

#[tokio::test]
async fn primary_success_is_tagged_with_the_provider() {
    let primary = gateway(200, "p-1", Duration::ZERO).await;
    let fallback = gateway(200, "f-1", Duration::ZERO).await;
    let r = two(&primary.url, &fallback.url);
    assert_eq!(r.name(), "router");
    assert_eq!(send(&r).await.unwrap().as_deref(), Some("webhook:p-1"));
    assert_eq!(fallback.calls(), 0);
}

#[tokio::test]
async fn connection_refused_on_primary_goes_to_the_fallback() {
    let fallback = gateway(200, "f-1", Duration::ZERO).await;
    let r = two(&refused_url().await, &fallback.url);
    assert_eq!(send(&r).await.unwrap().as_deref(), Some("webhook:f-1"));
    assert_eq!(fallback.calls(), 1);
}

#[tokio::test]
async fn a_5xx_on_primary_goes_to_the_fallback() {
    let primary = gateway(503, "p-1", Duration::ZERO).await;
    let fallback = gateway(200, "f-1", Duration::ZERO).await;
    let r = two(&primary.url, &fallback.url);
    assert_eq!(send(&r).await.unwrap().as_deref(), Some("webhook:f-1"));
    assert_eq!((primary.calls(), fallback.calls()), (1, 1));
    // The fallback got the very same message.
    assert_eq!(primary.last().body, fallback.last().body);
}

#[tokio::test]
async fn a_primary_timeout_goes_to_the_fallback() {
    let primary = gateway(200, "p-1", Duration::from_secs(10)).await;
    let fallback = gateway(200, "f-1", Duration::ZERO).await;
    let r = two(&primary.url, &fallback.url);
    let started = Instant::now();
    assert_eq!(send(&r).await.unwrap().as_deref(), Some("webhook:f-1"));
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!((primary.calls(), fallback.calls()), (1, 1));
}

#[tokio::test]
async fn both_down_returns_the_primarys_retry() {
    let fallback = gateway(503, "f-1", Duration::ZERO).await;
    let r = two(&refused_url().await, &fallback.url);
    let err = send(&r).await.unwrap_err();
    assert!(matches!(err, SendError::Retry(_)), "{err:?}");
    assert_eq!(fallback.calls(), 1);
}

#[tokio::test]
async fn both_down_after_a_primary_timeout_stays_unknown() {
    let primary = gateway(200, "p-1", Duration::from_secs(10)).await;
    let r = two(&primary.url, &refused_url().await);
    let err = send(&r).await.unwrap_err();
    assert!(matches!(err, SendError::Unknown(_)), "{err:?}");
}

#[tokio::test]
async fn a_permanent_refusal_on_primary_is_final() {
    let primary = gateway(422, "p-1", Duration::ZERO).await;
    let fallback = gateway(200, "f-1", Duration::ZERO).await;
    let r = two(&primary.url, &fallback.url);
    let err = send(&r).await.unwrap_err();
    assert!(
        matches!(err, SendError::Permanent(Permanent::Rejected, _)),
        "{err:?}"
    );
    assert_eq!(fallback.calls(), 0);
}

#[tokio::test]
async fn without_a_fallback_the_primarys_error_is_returned() {
    let primary = gateway(503, "p-1", Duration::ZERO).await;
    let r = router(&webhook_toml("sms.primary", &primary.url, SECRET));
    assert!(matches!(send(&r).await, Err(SendError::Retry(_))));
}

#[tokio::test]
async fn a_channel_without_a_driver_is_rejected() {
    let primary = gateway(200, "p-1", Duration::ZERO).await;
    let r = router(&webhook_toml("sms.primary", &primary.url, SECRET));
    let (msg, rendered) = code_msg(Channel::Email, "alice@example.com");
    match r.send(&msg, &rendered).await {
        Err(SendError::Permanent(Permanent::Rejected, text)) => {
            assert_eq!(text, "no e-mail driver configured")
        }
        other => panic!("{other:?}"),
    }
    let r = router(
        r#"
        [email]
        host = "127.0.0.1"
        port = 2525
        security = "plain"
        "#,
    );
    let (msg, rendered) = code_msg(Channel::Sms, "+8613800000001");
    match r.send(&msg, &rendered).await {
        Err(SendError::Permanent(Permanent::Rejected, text)) => {
            assert_eq!(text, "no SMS provider configured")
        }
        other => panic!("{other:?}"),
    }
}

fn build_err(toml_text: &str) -> String {
    let cfg = config(toml_text);
    match wangshang_delivery::build(&cfg, reqwest::Client::new()) {
        Err(e) => e,
        Ok(r) => panic!("built: {}", r.is_some()),
    }
}

#[test]
fn build_returns_none_when_nothing_is_configured() {
    let cfg = config("");
    assert!(
        wangshang_delivery::build(&cfg, reqwest::Client::new())
            .unwrap()
            .is_none()
    );
}

#[test]
fn build_validates_the_providers() {
    let e = build_err(
        r#"
        [sms.primary]
        kind = "twilio"
        account_sid = "AC1"
        auth_token = "t"
        "#,
    );
    assert!(e.contains("twilio") && e.contains("from"), "{e}");
    let e = build_err(
        r#"
        [sms.primary]
        kind = "aliyun"
        access_key_id = "id"
        access_key_secret = "s"
        sign_name = "旺商聊"
        "#,
    );
    assert!(e.contains("aliyun") && e.contains("templates"), "{e}");
    let e = build_err(
        r#"
        [sms.primary]
        kind = "tencent"
        secret_id = "id"
        secret_key = "k"
        sdk_app_id = "1400006666"
        sign_name = "旺商聊"
        templates = {}
        "#,
    );
    assert!(e.contains("tencent") && e.contains("templates"), "{e}");
    let e = build_err(&webhook_toml("sms.fallback", "http://127.0.0.1:1", "s"));
    assert!(e.contains("fallback"), "{e}");
    let e = build_err(
        r#"
        [email]
        from = "not an address"
        "#,
    );
    assert!(e.contains("from"), "{e}");
}

#[test]
fn unknown_keys_are_refused() {
    assert!(toml::from_str::<wangshang_delivery::DeliveryConfig>("timeout = 3").is_err());
    assert!(
        toml::from_str::<wangshang_delivery::DeliveryConfig>(
            r#"
            [sms.primary]
            kind = "webhook"
            url = "http://x"
            secret = "s"
            secert = "typo"
            "#
        )
        .is_err()
    );
}

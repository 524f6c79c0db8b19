//! The signed webhook against a fake that verifies the HMAC; timeouts and resends.

use std::time::Duration;

use domain::identifier::Channel;
use domain::outbox::{Driver, Permanent, SendError};
use serde_json::{Value, json};

use crate::common::*;

const SECRET: &str = "webhook-secret-do-not-log";

/// The receiver's check, written from the module documentation.
pub fn verify(req: &Req, secret: &str) -> bool {
    let ts = req.header("x-wangshang-timestamp");
    let Ok(ts_num) = ts.parse::<i64>() else {
        return false;
    };
    if (time::OffsetDateTime::now_utc().unix_timestamp() - ts_num).abs() > 300 {
        return false;
    }
    let mut signed = format!("{ts}.").into_bytes();
    signed.extend_from_slice(&req.body);
    let want = format!(
        "sha256={}",
        hex::encode(hmac256(secret.as_bytes(), &signed))
    );
    req.header("x-wangshang-signature") == want
}

/// A gateway answering by destination; any bad signature is a 401.
pub async fn gateway(id: &'static str) -> Fake {
    fake(move |req| {
        if !verify(req, SECRET) {
            return Resp::json(401, json!({"error": "bad signature"}));
        }
        let body: Value = serde_json::from_slice(&req.body).unwrap();
        match body["to"].as_str().unwrap_or("") {
            "+8613800000002" => Resp::json(422, json!({"error": "unknown number"})),
            "+8613800000003" => Resp::json(503, json!({"error": "busy"})),
            "+8613800000004" => Resp::json(200, json!({"id": id})).after(Duration::from_secs(5)),
            _ => Resp::json(200, json!({"id": id})),
        }
    })
    .await
}

pub fn webhook_toml(section: &str, url: &str, secret: &str) -> String {
    format!(
        r#"
        [{section}]
        kind = "webhook"
        url = "{url}"
        secret = "{secret}"
        "#
    )
}

fn driver(url: &str, secret: &str, timeout: Duration) -> Box<dyn Driver> {
    let cfg = config(&webhook_toml("sms.primary", url, secret));
    wangshang_delivery::sms_driver(&cfg.sms.primary.unwrap(), reqwest::Client::new(), timeout)
        .unwrap()
}

#[tokio::test]
async fn posts_the_documented_json_with_a_valid_signature() {
    let fake = gateway("gw-1").await;
    let (msg, rendered) = code_msg(Channel::Sms, "+8613800000001");
    let id = driver(&fake.url, SECRET, Duration::from_secs(5))
        .send(&msg, &rendered)
        .await
        .unwrap();
    assert_eq!(id.as_deref(), Some("gw-1"));
    let req = fake.last();
    assert!(verify(&req, SECRET));
    assert_eq!(req.header("content-type"), "application/json");
    let body: Value = serde_json::from_slice(&req.body).unwrap();
    assert_eq!(
        body,
        json!({
            "id": msg.id, "channel": "sms", "to": "+8613800000001", "template": "register_code",
            "locale": "en", "text": rendered.text, "params": {"code": "482913", "minutes": 10}
        })
    );
}

#[tokio::test]
async fn maps_4xx_to_rejected_and_5xx_to_retry() {
    let fake = gateway("gw-1").await;
    let d = driver(&fake.url, SECRET, Duration::from_secs(5));
    let (msg, rendered) = code_msg(Channel::Sms, "+8613800000002");
    assert!(matches!(
        d.send(&msg, &rendered).await,
        Err(SendError::Permanent(Permanent::Rejected, _))
    ));
    let (msg, rendered) = code_msg(Channel::Sms, "+8613800000003");
    assert!(matches!(
        d.send(&msg, &rendered).await,
        Err(SendError::Retry(_))
    ));
}

#[tokio::test]
async fn the_fake_rejects_a_wrong_secret() {
    let fake = gateway("gw-1").await;
    let (msg, rendered) = code_msg(Channel::Sms, "+8613800000001");
    let err = driver(&fake.url, "wrong", Duration::from_secs(5))
        .send(&msg, &rendered)
        .await
        .unwrap_err();
    assert!(
        matches!(err, SendError::Permanent(Permanent::Rejected, _)),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_timeout_after_the_request_went_out_is_unknown_and_a_resend_is_identical() {
    let fake = gateway("gw-1").await;
    let d = driver(&fake.url, SECRET, Duration::from_millis(500));
    let (msg, rendered) = code_msg(Channel::Sms, "+8613800000004");
    let started = std::time::Instant::now();
    let first = d.send(&msg, &rendered).await;
    assert!(matches!(first, Err(SendError::Unknown(_))), "{first:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
    // The worker retries the same outbox row: same id, same text, same code.
    let second = d.send(&msg, &rendered).await;
    assert!(matches!(second, Err(SendError::Unknown(_))));
    let reqs = fake.all();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0].body, reqs[1].body);
    let body: Value = serde_json::from_slice(&reqs[1].body).unwrap();
    assert!(body["text"].as_str().unwrap().contains("482913"));
    assert_eq!(body["id"], msg.id);
}

//! Twilio Messages API against a fake that checks basic auth and the form.

use base64::Engine;
use domain::identifier::Channel;
use domain::outbox::{Driver, Permanent, SendError};
use serde_json::json;

use crate::common::*;

const SID: &str = "AC0123456789abcdef0123456789abcdef";
const TOKEN: &str = "twilio-auth-token-do-not-log";

fn form(req: &Req) -> Vec<(String, String)> {
    form_urlencoded::parse(&req.body).into_owned().collect()
}

fn field(f: &[(String, String)], name: &str) -> Option<String> {
    f.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
}

fn twilio_error(status: u16, code: u32, message: &str) -> Resp {
    Resp::json(
        status,
        json!({"code": code, "message": message, "more_info": format!("https://www.twilio.com/docs/errors/{code}"), "status": status}),
    )
}

async fn twilio_fake() -> Fake {
    fake(|req| {
        let expected = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{SID}:{TOKEN}"))
        );
        if req.header("authorization") != expected {
            return twilio_error(401, 20003, "Authenticate");
        }
        if req.path != format!("/2010-04-01/Accounts/{SID}/Messages.json") {
            return twilio_error(404, 20404, "The requested resource was not found");
        }
        let f = form(req);
        let to = field(&f, "To").unwrap_or_default();
        if field(&f, "From").is_none() && field(&f, "MessagingServiceSid").is_none() {
            return twilio_error(400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required");
        }
        match to.as_str() {
            "+15005550006" => Resp::json(
                201,
                json!({
                    "account_sid": SID, "api_version": "2010-04-01", "body": field(&f, "Body"),
                    "date_created": "Thu, 24 Aug 2023 05:01:45 +0000", "direction": "outbound-api",
                    "error_code": null, "error_message": null, "from": field(&f, "From"),
                    "messaging_service_sid": field(&f, "MessagingServiceSid"), "num_media": "0",
                    "num_segments": "1", "price": null, "sid": "SM3f5cbd4f6fb24f0e9b4d5b2f3a1c0e9d",
                    "status": "queued", "to": to,
                    "uri": format!("/2010-04-01/Accounts/{SID}/Messages/SM3f5cbd4f6fb24f0e9b4d5b2f3a1c0e9d.json")
                }),
            ),
            "+15005550001" => twilio_error(400, 21211, "Invalid 'To' Phone Number"),
            "+15005550002" => twilio_error(400, 21610, "Attempt to send to unsubscribed recipient"),
            "+15005550003" => twilio_error(400, 21614, "'To' number is not a valid mobile number"),
            "+15005550004" => twilio_error(429, 20429, "Too Many Requests"),
            "+15005550005" => Resp::json(500, json!({"code": 20500, "message": "Internal Server Error", "status": 500})),
            "+15005550007" => twilio_error(400, 21408, "Permission to send an SMS has not been enabled for the region"),
            _ => twilio_error(400, 21211, "Invalid 'To' Phone Number"),
        }
    })
    .await
}

fn driver(fake: &Fake, token: &str, sender: &str) -> Box<dyn Driver> {
    let cfg = config(&format!(
        r#"
        [sms.primary]
        kind = "twilio"
        account_sid = "{SID}"
        auth_token = "{token}"
        {sender}
        endpoint = "{}"
        "#,
        fake.url
    ));
    let p = cfg.sms.primary.unwrap();
    wangshang_delivery::sms_driver(
        &p,
        reqwest::Client::new(),
        std::time::Duration::from_secs(5),
    )
    .unwrap()
}

#[tokio::test]
async fn sends_the_rendered_text_with_basic_auth() {
    let fake = twilio_fake().await;
    let (msg, rendered) = code_msg(Channel::Sms, "+15005550006");
    let id = driver(&fake, TOKEN, r#"from = "+15005550000""#)
        .send(&msg, &rendered)
        .await
        .unwrap();
    assert_eq!(id.as_deref(), Some("SM3f5cbd4f6fb24f0e9b4d5b2f3a1c0e9d"));
    let f = form(&fake.last());
    assert_eq!(field(&f, "To").as_deref(), Some("+15005550006"));
    assert_eq!(field(&f, "From").as_deref(), Some("+15005550000"));
    assert_eq!(field(&f, "Body"), Some(rendered.text.clone()));
    assert!(rendered.text.contains("482913"));
}

#[tokio::test]
async fn a_messaging_service_replaces_from() {
    let fake = twilio_fake().await;
    let (msg, rendered) = code_msg(Channel::Sms, "+15005550006");
    driver(
        &fake,
        TOKEN,
        r#"messaging_service_sid = "MG0123456789abcdef0123456789abcdef""#,
    )
    .send(&msg, &rendered)
    .await
    .unwrap();
    let f = form(&fake.last());
    assert_eq!(
        field(&f, "MessagingServiceSid").as_deref(),
        Some("MG0123456789abcdef0123456789abcdef")
    );
    assert_eq!(field(&f, "From"), None);
}

#[tokio::test]
async fn maps_each_error_code() {
    let fake = twilio_fake().await;
    let d = driver(&fake, TOKEN, r#"from = "+15005550000""#);
    let cases: &[(&str, &str)] = &[
        ("+15005550001", "invalid_destination"),
        ("+15005550002", "opted_out"),
        ("+15005550003", "invalid_destination"),
        ("+15005550004", "retry"),
        ("+15005550005", "retry"),
        ("+15005550007", "rejected"),
    ];
    for (number, want) in cases {
        let (msg, rendered) = code_msg(Channel::Sms, number);
        let got = match d.send(&msg, &rendered).await {
            Ok(_) => "sent".to_owned(),
            Err(SendError::Retry(_)) => "retry".to_owned(),
            Err(SendError::Unknown(_)) => "unknown".to_owned(),
            Err(SendError::Permanent(p, _)) => p.as_str().to_owned(),
        };
        assert_eq!(&got, want, "{number}");
    }
}

#[tokio::test]
async fn the_fake_rejects_a_wrong_token() {
    let fake = twilio_fake().await;
    let (msg, rendered) = code_msg(Channel::Sms, "+15005550006");
    let err = driver(&fake, "wrong-token", r#"from = "+15005550000""#)
        .send(&msg, &rendered)
        .await
        .unwrap_err();
    match err {
        SendError::Permanent(Permanent::Rejected, text) => {
            assert!(text.contains("20003"), "{text}")
        }
        other => panic!("{other:?}"),
    }
}

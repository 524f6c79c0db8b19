//! Aliyun `SendSms` against a fake that checks the ACS3-HMAC-SHA256 signature itself.

use domain::identifier::Channel;
use domain::outbox::{Driver, Permanent, SendError};
use serde_json::{Value, json};

use crate::common::*;

const KEY_ID: &str = "LTAI5tTestKeyId";
const SECRET: &str = "aliyun-test-secret-do-not-log";

/// Alibaba's verifier, written from the V3 documentation over the raw request: the canonical
/// query is rebuilt from the decoded parameters, the canonical headers from the names the
/// client says it signed, and the signature compared.
fn verify(req: &Req, secret: &str) -> Result<Vec<(String, String)>, &'static str> {
    let auth = req.header("authorization");
    let rest = auth
        .strip_prefix("ACS3-HMAC-SHA256 ")
        .ok_or("IncompleteSignature")?;
    let mut credential = "";
    let mut signed_headers = "";
    let mut signature = "";
    for part in rest.split(',') {
        let (k, v) = part.trim().split_once('=').ok_or("IncompleteSignature")?;
        match k {
            "Credential" => credential = v,
            "SignedHeaders" => signed_headers = v,
            "Signature" => signature = v,
            _ => return Err("IncompleteSignature"),
        }
    }
    if credential != KEY_ID {
        return Err("InvalidAccessKeyId.NotFound");
    }
    let names: Vec<&str> = signed_headers.split(';').collect();
    for required in [
        "host",
        "x-acs-action",
        "x-acs-content-sha256",
        "x-acs-date",
        "x-acs-signature-nonce",
        "x-acs-version",
    ] {
        if !names.contains(&required) {
            return Err("IncompleteSignature");
        }
    }
    if sha256(&req.body) != req.header("x-acs-content-sha256") {
        return Err("SignatureDoesNotMatch");
    }
    let mut params: Vec<(String, String)> = req
        .query
        .as_deref()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect();
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    let mut encoded: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect();
    encoded.sort();
    let canonical_query = encoded.join("&");
    let mut sorted_names = names.clone();
    sorted_names.sort();
    let canonical_headers: String = sorted_names
        .iter()
        .map(|n| format!("{n}:{}\n", req.header(n).trim()))
        .collect();
    let canonical_request = format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        req.method,
        req.path,
        canonical_query,
        canonical_headers,
        sorted_names.join(";"),
        req.header("x-acs-content-sha256")
    );
    let string_to_sign = format!("ACS3-HMAC-SHA256\n{}", sha256(canonical_request.as_bytes()));
    let expected = hex::encode(hmac256(secret.as_bytes(), string_to_sign.as_bytes()));
    if expected != signature {
        return Err("SignatureDoesNotMatch");
    }
    params.sort();
    Ok(params)
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> &'a str {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

/// Alibaba's answers, chosen by the number: 13800000001 sends; the others fail the ways listed.
async fn aliyun_fake() -> Fake {
    fake(|req| {
        let params = match verify(req, SECRET) {
            Ok(p) => p,
            Err(code) => {
                return Resp::json(
                    if code == "InvalidAccessKeyId.NotFound" { 404 } else { 400 },
                    json!({
                        "RequestId": "8DF0C8B5-6F4B-5B1A-9A04-1F4E3C5D6E7F",
                        "HostId": "dysmsapi.aliyuncs.com",
                        "Code": code,
                        "Message": "Specified signature does not match our calculation.",
                        "Recommend": "https://api.aliyun.com/troubleshoot?q=SignatureDoesNotMatch"
                    }),
                );
            }
        };
        if req.header("x-acs-action") != "SendSms" || req.header("x-acs-version") != "2017-05-25" {
            return Resp::json(400, json!({"Code": "InvalidAction.NotFound", "Message": "x", "RequestId": "r"}));
        }
        let error = |code: &str, message: &str| {
            Resp::json(
                200,
                json!({"Message": message, "RequestId": "F655A8D5-B967-440B-8683-DAD6FF8DE990", "Code": code}),
            )
        };
        match param(&params, "PhoneNumbers") {
            "13800000001" | "85261234567" => Resp::json(
                200,
                json!({"Message": "OK", "RequestId": "F655A8D5-B967-440B-8683-DAD6FF8DE990", "Code": "OK", "BizId": "900619746936498440^0"}),
            ),
            "13800000002" => error("isv.BUSINESS_LIMIT_CONTROL", "触发小时级流控Permits:5"),
            "13800000003" => error("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号"),
            "13800000004" => error("isv.BLACK_KEY_CONTROL_LIMIT", "黑名单管控"),
            "13800000005" => error("isv.DAY_LIMIT_CONTROL", "触发日发送限额"),
            "13800000006" => error("isv.SMS_TEMPLATE_ILLEGAL", "模板不合法"),
            "13800000007" => Resp::json(503, json!({"Code": "ServiceUnavailable", "Message": "The request has failed due to a temporary failure of the server.", "RequestId": "r"})),
            "13800000008" => Resp::json(502, "<html>bad gateway</html>"),
            "13800000009" => error("isp.SYSTEM_ERROR", "isp.SYSTEM_ERROR"),
            _ => error("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号"),
        }
    })
    .await
}

fn driver(fake: &Fake, secret: &str) -> Box<dyn Driver> {
    let cfg = config(&format!(
        r#"
        [sms.primary]
        kind = "aliyun"
        access_key_id = "{KEY_ID}"
        access_key_secret = "{secret}"
        sign_name = "旺商聊"
        endpoint = "{}"
        templates = {{ register_code = "SMS_154950909" }}
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
async fn sends_a_signed_request_with_the_template_parameters() {
    let fake = aliyun_fake().await;
    let d = driver(&fake, SECRET);
    let (msg, rendered) = code_msg(Channel::Sms, "+8613800000001");
    let id = d.send(&msg, &rendered).await.unwrap();
    assert_eq!(id.as_deref(), Some("900619746936498440^0"));

    let req = fake.last();
    let params = verify(&req, SECRET).unwrap();
    assert_eq!(req.method, "POST");
    assert_eq!(param(&params, "PhoneNumbers"), "13800000001");
    assert_eq!(param(&params, "SignName"), "旺商聊");
    assert_eq!(param(&params, "TemplateCode"), "SMS_154950909");
    assert_eq!(param(&params, "OutId"), msg.id);
    let tp: Value = serde_json::from_str(param(&params, "TemplateParam")).unwrap();
    assert_eq!(tp, json!({"code": "482913", "minutes": "10"}));
    assert!(req.body.is_empty());
}

#[tokio::test]
async fn international_numbers_keep_their_country_code_without_plus() {
    let fake = aliyun_fake().await;
    let (msg, rendered) = code_msg(Channel::Sms, "+85261234567");
    driver(&fake, SECRET).send(&msg, &rendered).await.unwrap();
    let params = verify(&fake.last(), SECRET).unwrap();
    assert_eq!(param(&params, "PhoneNumbers"), "85261234567");
}

#[tokio::test]
async fn maps_each_error_code() {
    let fake = aliyun_fake().await;
    let d = driver(&fake, SECRET);
    let cases: &[(&str, &str)] = &[
        ("+8613800000002", "retry"),
        ("+8613800000003", "invalid_destination"),
        ("+8613800000004", "rejected"),
        ("+8613800000005", "retry"),
        ("+8613800000006", "rejected"),
        ("+8613800000007", "retry"),
        ("+8613800000008", "retry"),
        ("+8613800000009", "retry"),
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
async fn the_fake_rejects_a_request_signed_with_the_wrong_secret() {
    let fake = aliyun_fake().await;
    let (msg, rendered) = code_msg(Channel::Sms, "+8613800000001");
    let err = driver(&fake, "not-the-secret")
        .send(&msg, &rendered)
        .await
        .unwrap_err();
    match err {
        SendError::Permanent(Permanent::Rejected, text) => {
            assert!(text.contains("SignatureDoesNotMatch"), "{text}");
            assert!(!text.contains("not-the-secret"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(fake.calls(), 1);
}

#[tokio::test]
async fn an_unmapped_template_is_rejected_without_a_call() {
    let fake = aliyun_fake().await;
    let (mut msg, rendered) = code_msg(Channel::Sms, "+8613800000001");
    msg.template = "support_contact_code".into();
    let err = driver(&fake, SECRET)
        .send(&msg, &rendered)
        .await
        .unwrap_err();
    assert!(matches!(err, SendError::Permanent(Permanent::Rejected, _)));
    assert_eq!(fake.calls(), 0);
}

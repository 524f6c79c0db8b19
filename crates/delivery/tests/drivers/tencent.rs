//! Tencent Cloud `SendSms` against a fake that checks the TC3-HMAC-SHA256 signature itself.

use domain::identifier::Channel;
use domain::outbox::{Driver, Permanent, SendError};
use serde_json::{Value, json};

use crate::common::*;

const SECRET_ID: &str = "AKIDtestsecretid0123456789";
const SECRET_KEY: &str = "tencent-test-key-do-not-log";

/// Tencent's verifier, written from the "Signature v3" documentation over the raw request.
fn verify(req: &Req, key: &str) -> Result<(), &'static str> {
    let auth = req.header("authorization");
    let rest = auth
        .strip_prefix("TC3-HMAC-SHA256 ")
        .ok_or("AuthFailure.InvalidAuthorization")?;
    let mut credential = "";
    let mut signed_headers = "";
    let mut signature = "";
    for part in rest.split(", ") {
        let (k, v) = part
            .split_once('=')
            .ok_or("AuthFailure.InvalidAuthorization")?;
        match k {
            "Credential" => credential = v,
            "SignedHeaders" => signed_headers = v,
            "Signature" => signature = v,
            _ => return Err("AuthFailure.InvalidAuthorization"),
        }
    }
    let scope: Vec<&str> = credential.split('/').collect();
    let [id, date, service, "tc3_request"] = scope[..] else {
        return Err("AuthFailure.InvalidAuthorization");
    };
    if id != SECRET_ID {
        return Err("AuthFailure.SecretIdNotFound");
    }
    if service != "sms" {
        return Err("AuthFailure.InvalidAuthorization");
    }
    let timestamp: i64 = req
        .header("x-tc-timestamp")
        .parse()
        .map_err(|_| "AuthFailure.InvalidAuthorization")?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    if (now - timestamp).abs() > 300 {
        return Err("AuthFailure.SignatureExpire");
    }
    let day = time::OffsetDateTime::from_unix_timestamp(timestamp)
        .unwrap()
        .date();
    if date != format!("{day}") {
        return Err("AuthFailure.SignatureFailure");
    }
    let names: Vec<&str> = signed_headers.split(';').collect();
    if !names.contains(&"content-type") || !names.contains(&"host") {
        return Err("AuthFailure.SignatureFailure");
    }
    let canonical_headers: String = names
        .iter()
        .map(|n| format!("{n}:{}\n", req.header(n).trim().to_lowercase()))
        .collect();
    let canonical_request = format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        req.method,
        req.path,
        req.query.as_deref().unwrap_or(""),
        canonical_headers,
        signed_headers,
        sha256(&req.body)
    );
    let string_to_sign = format!(
        "TC3-HMAC-SHA256\n{timestamp}\n{date}/{service}/tc3_request\n{}",
        sha256(canonical_request.as_bytes()),
    );
    let k_date = hmac256(format!("TC3{key}").as_bytes(), date.as_bytes());
    let k_service = hmac256(&k_date, service.as_bytes());
    let k_signing = hmac256(&k_service, b"tc3_request");
    if hex::encode(hmac256(&k_signing, string_to_sign.as_bytes())) != signature {
        return Err("AuthFailure.SignatureFailure");
    }
    Ok(())
}

fn api_error(code: &str, message: &str) -> Resp {
    Resp::json(
        200,
        json!({"Response": {"Error": {"Code": code, "Message": message}, "RequestId": "a0aabda6-cf91-4f3e-a81f-9198114a2279"}}),
    )
}

fn status(number: &str, code: &str, message: &str) -> Resp {
    Resp::json(
        200,
        json!({"Response": {"SendStatusSet": [{
            "SerialNo": if code == "Ok" { "5000:1045710669157053657849499619" } else { "" },
            "PhoneNumber": number, "Fee": if code == "Ok" { 1 } else { 0 },
            "SessionContext": "", "Code": code, "Message": message, "IsoCode": "CN"
        }], "RequestId": "a0aabda6-cf91-4f3e-a81f-9198114a2279"}}),
    )
}

async fn tencent_fake() -> Fake {
    fake(|req| {
        if let Err(code) = verify(req, SECRET_KEY) {
            return api_error(code, "The provided credentials could not be validated.");
        }
        if req.header("x-tc-action") != "SendSms"
            || req.header("x-tc-version") != "2021-01-11"
            || req.header("x-tc-region") != "ap-guangzhou"
        {
            return api_error("InvalidAction", "x");
        }
        let body: Value = serde_json::from_slice(&req.body).unwrap();
        let number = body["PhoneNumberSet"][0].as_str().unwrap_or("").to_owned();
        match number.as_str() {
            "+8613800000001" => status(&number, "Ok", "send success"),
            "+8613800000002" => api_error(
                "LimitExceeded.PhoneNumberDailyLimit",
                "单个手机号日下发短信条数超过设定的上限",
            ),
            "+8613800000003" => status(
                &number,
                "InvalidParameterValue.IncorrectPhoneNumber",
                "手机号格式错误",
            ),
            "+8613800000004" => status(
                &number,
                "FailedOperation.PhoneNumberInBlacklist",
                "手机号在免打扰名单库中",
            ),
            "+8613800000005" => status(
                &number,
                "LimitExceeded.PhoneNumberThirtySecondLimit",
                "单个手机号30秒内下发短信条数超过设定的上限",
            ),
            "+8613800000006" => Resp::json(502, "<html>502 Bad Gateway</html>"),
            "+8613800000007" => api_error(
                "InvalidParameterValue.IncorrectPhoneNumber",
                "手机号格式错误",
            ),
            "+8613800000008" => api_error(
                "FailedOperation.TemplateIncorrectOrUnapproved",
                "模板未审批或内容不合规",
            ),
            "+8613800000009" => api_error("InternalError.Timeout", "请求下发短信超时"),
            _ => status(
                &number,
                "InvalidParameterValue.IncorrectPhoneNumber",
                "手机号格式错误",
            ),
        }
    })
    .await
}

fn driver(fake: &Fake, key: &str) -> Box<dyn Driver> {
    let cfg = config(&format!(
        r#"
        [sms.primary]
        kind = "tencent"
        secret_id = "{SECRET_ID}"
        secret_key = "{key}"
        sdk_app_id = "1400006666"
        sign_name = "旺商聊"
        endpoint = "{}"
        templates = {{ register_code = "449739" }}
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
async fn sends_a_signed_request_with_ordered_template_parameters() {
    let fake = tencent_fake().await;
    let (msg, rendered) = code_msg(Channel::Sms, "+8613800000001");
    let id = driver(&fake, SECRET_KEY)
        .send(&msg, &rendered)
        .await
        .unwrap();
    assert_eq!(id.as_deref(), Some("5000:1045710669157053657849499619"));
    let req = fake.last();
    verify(&req, SECRET_KEY).unwrap();
    assert_eq!(
        req.header("content-type"),
        "application/json; charset=utf-8"
    );
    let body: Value = serde_json::from_slice(&req.body).unwrap();
    assert_eq!(body["PhoneNumberSet"], json!(["+8613800000001"]));
    assert_eq!(body["SmsSdkAppId"], "1400006666");
    assert_eq!(body["SignName"], "旺商聊");
    assert_eq!(body["TemplateId"], "449739");
    assert_eq!(body["TemplateParamSet"], json!(["482913", "10"]));
}

#[tokio::test]
async fn maps_api_and_per_number_error_codes() {
    let fake = tencent_fake().await;
    let d = driver(&fake, SECRET_KEY);
    let cases: &[(&str, &str)] = &[
        ("+8613800000002", "retry"),
        ("+8613800000003", "invalid_destination"),
        ("+8613800000004", "opted_out"),
        ("+8613800000005", "retry"),
        ("+8613800000006", "retry"),
        ("+8613800000007", "invalid_destination"),
        ("+8613800000008", "rejected"),
        ("+8613800000009", "unknown"),
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
async fn the_fake_rejects_a_request_signed_with_the_wrong_key() {
    let fake = tencent_fake().await;
    let (msg, rendered) = code_msg(Channel::Sms, "+8613800000001");
    let err = driver(&fake, "wrong-key")
        .send(&msg, &rendered)
        .await
        .unwrap_err();
    match err {
        SendError::Permanent(Permanent::Rejected, text) => {
            assert!(text.contains("AuthFailure.SignatureFailure"), "{text}")
        }
        other => panic!("{other:?}"),
    }
}

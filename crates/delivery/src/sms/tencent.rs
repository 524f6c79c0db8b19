//! Tencent Cloud SMS: `SendSms`, API version 2021-01-11, signed with TC3-HMAC-SHA256
//! (Tencent Cloud API "Signature v3").
//!
//! The request is `POST {endpoint}/` with a JSON body
//! `{"PhoneNumberSet":["+86…"],"SmsSdkAppId":…,"SignName":…,"TemplateId":…,"TemplateParamSet":[…],"SessionContext":<outbox id>}`
//! and the headers `X-TC-Action: SendSms`, `X-TC-Version: 2021-01-11`, `X-TC-Timestamp`,
//! `X-TC-Region`, `Authorization`. The template parameters follow the order documented in
//! [`crate::sms`] (`[code, minutes]` for code templates). Signing:
//!
//! ```text
//! CanonicalRequest = POST \n / \n (empty query) \n content-type:…\nhost:…\n \n content-type;host \n hex(sha256(body))
//! StringToSign     = "TC3-HMAC-SHA256" \n timestamp \n <UTC date>/sms/tc3_request \n hex(sha256(CanonicalRequest))
//! SecretSigning    = HMAC(HMAC(HMAC("TC3" + SecretKey, date), "sms"), "tc3_request")
//! Authorization    = TC3-HMAC-SHA256 Credential=<SecretId>/<scope>, SignedHeaders=content-type;host, Signature=hex(HMAC(SecretSigning, StringToSign))
//! ```
//!
//! ## Answer codes
//! Errors come as `{"Response":{"Error":{"Code":…,"Message":…},"RequestId":…}}` (HTTP 200), and
//! per number as `SendStatusSet[0].Code` (`Ok` when sent, the message id is `SerialNo`):
//!
//! | `Code` | outcome |
//! | --- | --- |
//! | `LimitExceeded.*`, `RequestLimitExceeded*` | `Retry` (throttled) |
//! | `InternalError.Timeout` (Tencent's own upstream timed out: it may have sent) | `Unknown` |
//! | other `InternalError.*`, `ServiceUnavailable` | `Retry` |
//! | `InvalidParameterValue.IncorrectPhoneNumber` | `Permanent(InvalidDestination)` |
//! | `FailedOperation.PhoneNumberInBlacklist` | `Permanent(OptedOut)` |
//! | anything else (`AuthFailure.*`, `FailedOperation.*`, `UnauthorizedOperation.*`, …) | `Permanent(Rejected)` |
//! | HTTP 5xx | `Retry` |

use async_trait::async_trait;
use domain::messages::Rendered;
use domain::outbox::{Driver, Permanent, SendError};
use domain::store::OutboxMessage;
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};

use crate::config::TencentConfig;
use crate::sms::{provider_template, template_params};
use crate::util::{hmac_sha256, host_header, mask, server_error, sha256_hex, transport_error};

const ALGORITHM: &str = "TC3-HMAC-SHA256";
const SERVICE: &str = "sms";
const ACTION: &str = "SendSms";
const VERSION: &str = "2021-01-11";
const CONTENT_TYPE: &str = "application/json; charset=utf-8";

/// The Tencent Cloud SMS driver.
pub struct Tencent {
    cfg: TencentConfig,
    http: reqwest::Client,
    timeout: std::time::Duration,
    endpoint: reqwest::Url,
    host: String,
}

impl Tencent {
    pub fn new(
        cfg: TencentConfig,
        http: reqwest::Client,
        timeout: std::time::Duration,
    ) -> Result<Self, String> {
        if cfg.templates.is_empty() {
            return Err(
                "tencent: `templates` must map at least one template to a TemplateId".into(),
            );
        }
        if cfg.secret_id.is_empty() || cfg.sdk_app_id.is_empty() || cfg.sign_name.is_empty() {
            return Err("tencent: `secret_id`, `sdk_app_id` and `sign_name` are required".into());
        }
        let mut endpoint = reqwest::Url::parse(&cfg.endpoint)
            .map_err(|e| format!("tencent: bad endpoint {:?}: {e}", cfg.endpoint))?;
        endpoint.set_path("/");
        let host = host_header(&endpoint)
            .ok_or_else(|| format!("tencent: endpoint {:?} has no host", cfg.endpoint))?;
        Ok(Tencent {
            cfg,
            http,
            timeout,
            endpoint,
            host,
        })
    }
}

/// The `Authorization` header value for a POST of `payload` to `/` with the given content type,
/// signing `content-type` and `host`.
pub fn authorization(
    secret_id: &str,
    secret_key: &str,
    service: &str,
    host: &str,
    content_type: &str,
    payload: &[u8],
    timestamp: i64,
) -> String {
    let date = utc_date(timestamp);
    let canonical_request = format!(
        "POST\n/\n\ncontent-type:{}\nhost:{}\n\ncontent-type;host\n{}",
        content_type.to_ascii_lowercase(),
        host.to_ascii_lowercase(),
        sha256_hex(payload)
    );
    let scope = format!("{date}/{service}/tc3_request");
    let string_to_sign = format!(
        "{ALGORITHM}\n{timestamp}\n{scope}\n{}",
        sha256_hex(canonical_request.as_bytes())
    );
    let secret_date = hmac_sha256(format!("TC3{secret_key}").as_bytes(), date.as_bytes());
    let secret_service = hmac_sha256(&secret_date, service.as_bytes());
    let secret_signing = hmac_sha256(&secret_service, b"tc3_request");
    let signature = hex::encode(hmac_sha256(&secret_signing, string_to_sign.as_bytes()));
    format!(
        "{ALGORITHM} Credential={secret_id}/{scope}, SignedHeaders=content-type;host, Signature={signature}"
    )
}

/// The UTC date (`YYYY-MM-DD`) of a Unix timestamp.
fn utc_date(timestamp: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(timestamp) {
        Ok(t) => format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day()),
        Err(_) => "1970-01-01".into(),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Request<'a> {
    phone_number_set: [&'a str; 1],
    sms_sdk_app_id: &'a str,
    sign_name: &'a str,
    template_id: &'a str,
    template_param_set: Vec<String>,
    session_context: &'a str,
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "Response")]
    response: Option<Answer>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Answer {
    error: Option<ApiError>,
    #[serde(default)]
    send_status_set: Vec<SendStatus>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ApiError {
    code: String,
    #[serde(default)]
    message: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SendStatus {
    code: String,
    #[serde(default)]
    message: String,
    serial_no: Option<String>,
}

/// The outcome of an error code (API-level or per number).
pub fn map_code(code: &str, message: &str) -> SendError {
    let text = format!("tencent: {code}: {message}");
    if code.starts_with("LimitExceeded.") || code.starts_with("RequestLimitExceeded") {
        SendError::Retry(text)
    } else if code == "InternalError.Timeout" {
        SendError::Unknown(text)
    } else if code.starts_with("InternalError") || code == "ServiceUnavailable" {
        SendError::Retry(text)
    } else if code == "InvalidParameterValue.IncorrectPhoneNumber" {
        SendError::Permanent(Permanent::InvalidDestination, text)
    } else if code == "FailedOperation.PhoneNumberInBlacklist" {
        SendError::Permanent(Permanent::OptedOut, text)
    } else {
        SendError::Permanent(Permanent::Rejected, text)
    }
}

#[async_trait]
impl Driver for Tencent {
    fn name(&self) -> &'static str {
        "tencent"
    }

    async fn send(
        &self,
        msg: &OutboxMessage,
        _rendered: &Rendered,
    ) -> Result<Option<String>, SendError> {
        if !msg.destination.starts_with('+') {
            return Err(SendError::Permanent(
                Permanent::InvalidDestination,
                "tencent: destination is not an E.164 number".into(),
            ));
        }
        let template_id = provider_template("tencent", &self.cfg.templates, &msg.template)?;
        let body = Request {
            phone_number_set: [&msg.destination],
            sms_sdk_app_id: &self.cfg.sdk_app_id,
            sign_name: &self.cfg.sign_name,
            template_id,
            template_param_set: template_params(&msg.template, &msg.params)
                .into_iter()
                .map(|(_, v)| v)
                .collect(),
            session_context: &msg.id,
        };
        let payload = serde_json::to_vec(&body).map_err(|e| {
            SendError::Permanent(Permanent::Rejected, format!("tencent: cannot encode: {e}"))
        })?;
        let timestamp = time::OffsetDateTime::now_utc().unix_timestamp();
        let auth = authorization(
            &self.cfg.secret_id,
            self.cfg.secret_key.expose_secret(),
            SERVICE,
            &self.host,
            CONTENT_TYPE,
            &payload,
            timestamp,
        );
        let resp = self
            .http
            .post(self.endpoint.clone())
            .header("authorization", auth)
            .header("content-type", CONTENT_TYPE)
            .header("x-tc-action", ACTION)
            .header("x-tc-version", VERSION)
            .header("x-tc-timestamp", timestamp.to_string())
            .header("x-tc-region", &self.cfg.region)
            .body(payload)
            .timeout(self.timeout)
            .send()
            .await
            .map_err(|e| transport_error("tencent", e))?;
        let status = resp.status();
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| transport_error("tencent", e))?;
        let answer = serde_json::from_slice::<Envelope>(&bytes)
            .ok()
            .and_then(|e| e.response);
        let result = match answer {
            _ if status.is_server_error() => Err(server_error("tencent", status)
                .unwrap_or_else(|| SendError::Retry(format!("tencent: HTTP {status}")))),
            Some(Answer {
                error: Some(err), ..
            }) => Err(map_code(&err.code, &err.message)),
            Some(Answer {
                send_status_set, ..
            }) if status.is_success() => match send_status_set.into_iter().next() {
                Some(s) if s.code == "Ok" => Ok(s.serial_no),
                Some(s) => Err(map_code(&s.code, &s.message)),
                None => Err(SendError::Unknown(
                    "tencent: answer without a send status".into(),
                )),
            },
            _ if status.is_success() => Err(SendError::Unknown(format!(
                "tencent: HTTP {status} with an unreadable answer"
            ))),
            _ => Err(SendError::Permanent(
                Permanent::Rejected,
                format!("tencent: HTTP {status}"),
            )),
        };
        match &result {
            Ok(_) => {
                tracing::info!(provider = "tencent", to = %mask(&msg.destination), "sms accepted")
            }
            Err(e) => {
                tracing::warn!(provider = "tencent", to = %mask(&msg.destination), error = ?e, "sms not accepted")
            }
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC_PAYLOAD: &str =
        r#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;

    /// The worked example of Tencent Cloud's "Signature v3" page (CVM `DescribeInstances`,
    /// timestamp 1551113065, <https://intl.cloud.tencent.com/document/api/1021/34193>): with the
    /// SecretKey `Gu5t9xGARNpq86cd98joQYCN3EXAMPLE` the page gives signature `72e494ea…`.
    #[test]
    fn reproduces_the_published_example() {
        let auth = authorization(
            "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
            "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
            "cvm",
            "cvm.tencentcloudapi.com",
            CONTENT_TYPE,
            DOC_PAYLOAD.as_bytes(),
            1551113065,
        );
        assert_eq!(
            auth,
            "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
        );
    }

    /// The current edition of the same page masks the key pair with asterisks
    /// (`AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******`, `Gu5t9xGARNpq86cd98joQYCN3*******`) and signs
    /// with those literal strings, publishing `2230eefd…`.
    #[test]
    fn reproduces_the_published_example_with_the_masked_key() {
        let auth = authorization(
            "AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******",
            "Gu5t9xGARNpq86cd98joQYCN3*******",
            "cvm",
            "cvm.tencentcloudapi.com",
            CONTENT_TYPE,
            DOC_PAYLOAD.as_bytes(),
            1551113065,
        );
        assert!(auth.ends_with(
            "Signature=2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c"
        ));
    }

    #[test]
    fn the_date_is_utc() {
        // 2019-02-26 00:44:25 in UTC+8 is still the 25th in UTC.
        assert_eq!(utc_date(1551113065), "2019-02-25");
    }
}

//! Alibaba Cloud SMS: `SendSms`, API version 2017-05-25, signed with ACS3-HMAC-SHA256 (the V3
//! signature of Alibaba Cloud's "Request syntax and signature method V3").
//!
//! The request is `POST {endpoint}/?{parameters}` with an empty body; the parameters
//! (`PhoneNumbers`, `SignName`, `TemplateCode`, `TemplateParam`, `OutId`) are in the query
//! string, RFC 3986-encoded and sorted. Signing:
//!
//! ```text
//! CanonicalRequest = METHOD \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n hex(sha256(body))
//! StringToSign     = "ACS3-HMAC-SHA256" \n hex(sha256(CanonicalRequest))
//! Signature        = hex(hmac_sha256(AccessKeySecret, StringToSign))
//! Authorization    = ACS3-HMAC-SHA256 Credential=<AccessKeyId>,SignedHeaders=<…>,Signature=<…>
//! ```
//!
//! The signed headers are `host` and every `x-acs-*` header, lowercase and sorted, each line
//! `name:value\n`.
//!
//! ## Phone numbers
//! Aliyun takes mainland numbers without a country code (`13812341234`) and international ones
//! with the country code and no `+` (`85261234567`).
//!
//! ## Answer codes
//!
//! | `Code` | outcome |
//! | --- | --- |
//! | `OK` | sent; the message id is `BizId` |
//! | `isv.BUSINESS_LIMIT_CONTROL`, `isv.DAY_LIMIT_CONTROL`, `isv.BUSINESS_LIMIT_*`, `BUSINESS_LIMIT_CONTROL_*`, `Throttling*` | `Retry` (throttled: per-number minute/hour/day limits) |
//! | `isp.SYSTEM_ERROR`, `isp.GATEWAY_ERROR`, `ServiceUnavailable`, `InternalError`, `SignatureNonceUsed` | `Retry` |
//! | `isp.UNKNOWN` | `Unknown` (the provider does not say whether it sent) |
//! | `isv.MOBILE_NUMBER_ILLEGAL` | `Permanent(InvalidDestination)` |
//! | `isv.BLACK_KEY_CONTROL_LIMIT` (a blacklisted keyword in a variable) and any other `isv.*`/`isp.*` | `Permanent(Rejected)` |
//! | signature, key and permission errors (`SignatureDoesNotMatch`, `InvalidAccessKeyId.*`, …) | `Permanent(Rejected)` |
//! | HTTP 5xx | `Retry` |
//!
//! Aliyun reports a recipient's opt-out only in delivery receipts, not in the `SendSms` answer,
//! so no code maps to `OptedOut`.

use async_trait::async_trait;
use domain::messages::Rendered;
use domain::outbox::{Driver, Permanent, SendError};
use domain::store::OutboxMessage;
use secrecy::ExposeSecret;
use serde::Deserialize;

use crate::config::AliyunConfig;
use crate::sms::{provider_template, template_params};
use crate::util::{hmac_sha256, host_header, mask, server_error, sha256_hex, transport_error};

const ALGORITHM: &str = "ACS3-HMAC-SHA256";
const ACTION: &str = "SendSms";
const VERSION: &str = "2017-05-25";

/// The Alibaba Cloud SMS driver.
pub struct Aliyun {
    cfg: AliyunConfig,
    http: reqwest::Client,
    timeout: std::time::Duration,
    endpoint: reqwest::Url,
    host: String,
}

impl Aliyun {
    pub fn new(
        cfg: AliyunConfig,
        http: reqwest::Client,
        timeout: std::time::Duration,
    ) -> Result<Self, String> {
        if cfg.templates.is_empty() {
            return Err(
                "aliyun: `templates` must map at least one template to a TemplateCode".into(),
            );
        }
        if cfg.access_key_id.is_empty() || cfg.sign_name.is_empty() {
            return Err("aliyun: `access_key_id` and `sign_name` are required".into());
        }
        let endpoint = reqwest::Url::parse(&cfg.endpoint)
            .map_err(|e| format!("aliyun: bad endpoint {:?}: {e}", cfg.endpoint))?;
        let host = host_header(&endpoint)
            .ok_or_else(|| format!("aliyun: endpoint {:?} has no host", cfg.endpoint))?;
        Ok(Aliyun {
            cfg,
            http,
            timeout,
            endpoint,
            host,
        })
    }
}

/// RFC 3986 percent-encoding as Alibaba Cloud wants it: everything but `A-Z a-z 0-9 - _ . ~`
/// is encoded, as `%XX` in upper case (a space is `%20`, never `+`).
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The canonical query string: each name and value encoded, sorted by name, joined with `&`.
pub fn canonical_query(params: &[(&str, &str)]) -> String {
    let mut encoded: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| (percent_encode(k), percent_encode(v)))
        .collect();
    encoded.sort();
    encoded
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// The `Authorization` header value for a request. `headers` are the signed headers, names in
/// lowercase; they are sorted here.
pub fn authorization(
    access_key_id: &str,
    access_key_secret: &str,
    method: &str,
    canonical_uri: &str,
    canonical_query: &str,
    headers: &[(&str, &str)],
    hashed_payload: &str,
) -> String {
    let mut headers: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    headers.sort();
    let canonical_headers: String = headers.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
    let signed_headers = headers
        .iter()
        .map(|(k, _)| k.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let canonical_request = format!(
        "{method}\n{canonical_uri}\n{canonical_query}\n{canonical_headers}\n{signed_headers}\n{hashed_payload}"
    );
    let string_to_sign = format!("{ALGORITHM}\n{}", sha256_hex(canonical_request.as_bytes()));
    let signature = hex::encode(hmac_sha256(
        access_key_secret.as_bytes(),
        string_to_sign.as_bytes(),
    ));
    format!(
        "{ALGORITHM} Credential={access_key_id},SignedHeaders={signed_headers},Signature={signature}"
    )
}

/// `+8613812341234` → `13812341234`; `+85261234567` → `85261234567`.
pub fn phone_number(e164: &str) -> Result<String, SendError> {
    let digits = e164.strip_prefix('+').unwrap_or(e164);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SendError::Permanent(
            Permanent::InvalidDestination,
            "aliyun: destination is not an E.164 number".into(),
        ));
    }
    Ok(match digits.strip_prefix("86") {
        Some(national) if e164.starts_with('+') => national.to_owned(),
        _ => digits.to_owned(),
    })
}

/// ISO 8601 UTC without fractions, as `x-acs-date` wants it.
fn acs_date(now: time::OffsetDateTime) -> String {
    let now = now.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    )
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Answer {
    code: Option<String>,
    message: Option<String>,
    biz_id: Option<String>,
}

/// The outcome of an answer code that is not `OK`.
pub fn map_code(code: &str, message: &str) -> SendError {
    let text = format!("aliyun: {code}: {message}");
    let retry = code == "isv.BUSINESS_LIMIT_CONTROL"
        || code == "isv.DAY_LIMIT_CONTROL"
        || code.starts_with("isv.BUSINESS_LIMIT")
        || code.starts_with("BUSINESS_LIMIT_CONTROL")
        || code.starts_with("Throttling")
        || matches!(
            code,
            "isp.SYSTEM_ERROR"
                | "isp.GATEWAY_ERROR"
                | "ServiceUnavailable"
                | "InternalError"
                | "SignatureNonceUsed"
        );
    if retry {
        SendError::Retry(text)
    } else if code == "isp.UNKNOWN" {
        SendError::Unknown(text)
    } else if code == "isv.MOBILE_NUMBER_ILLEGAL" {
        SendError::Permanent(Permanent::InvalidDestination, text)
    } else {
        SendError::Permanent(Permanent::Rejected, text)
    }
}

#[async_trait]
impl Driver for Aliyun {
    fn name(&self) -> &'static str {
        "aliyun"
    }

    async fn send(
        &self,
        msg: &OutboxMessage,
        _rendered: &Rendered,
    ) -> Result<Option<String>, SendError> {
        let phone = phone_number(&msg.destination)?;
        let template_code = provider_template("aliyun", &self.cfg.templates, &msg.template)?;
        let template_param = serde_json::Value::Object(
            template_params(&msg.template, &msg.params)
                .into_iter()
                .map(|(k, v)| (k, serde_json::Value::String(v)))
                .collect(),
        )
        .to_string();
        let query = canonical_query(&[
            ("PhoneNumbers", &phone),
            ("SignName", &self.cfg.sign_name),
            ("TemplateCode", template_code),
            ("TemplateParam", &template_param),
            ("OutId", &msg.id),
        ]);
        let hashed_payload = sha256_hex(b"");
        let date = acs_date(time::OffsetDateTime::now_utc());
        let nonce = hex::encode(rand::random::<[u8; 16]>());
        let headers = [
            ("host", self.host.as_str()),
            ("x-acs-action", ACTION),
            ("x-acs-version", VERSION),
            ("x-acs-date", date.as_str()),
            ("x-acs-signature-nonce", nonce.as_str()),
            ("x-acs-content-sha256", hashed_payload.as_str()),
        ];
        let auth = authorization(
            &self.cfg.access_key_id,
            self.cfg.access_key_secret.expose_secret(),
            "POST",
            "/",
            &query,
            &headers,
            &hashed_payload,
        );
        let mut url = self.endpoint.clone();
        url.set_path("/");
        url.set_query(Some(&query));
        let mut req = self.http.post(url).header("authorization", auth);
        for (name, value) in headers.iter().filter(|(n, _)| *n != "host") {
            req = req.header(*name, *value);
        }
        let resp = req
            .timeout(self.timeout)
            .send()
            .await
            .map_err(|e| transport_error("aliyun", e))?;
        let status = resp.status();
        let body = resp
            .bytes()
            .await
            .map_err(|e| transport_error("aliyun", e))?;
        let answer: Option<Answer> = serde_json::from_slice(&body).ok();
        let result = match answer {
            Some(Answer {
                code: Some(code),
                biz_id,
                ..
            }) if code == "OK" && status.is_success() => Ok(biz_id),
            Some(Answer {
                code: Some(code),
                message,
                ..
            }) if !status.is_server_error() => {
                Err(map_code(&code, message.as_deref().unwrap_or("")))
            }
            _ => Err(server_error("aliyun", status).unwrap_or_else(|| {
                if status.is_success() {
                    SendError::Unknown(format!("aliyun: HTTP {status} with an unreadable answer"))
                } else {
                    SendError::Permanent(
                        Permanent::Rejected,
                        format!("aliyun: HTTP {status} with an unreadable answer"),
                    )
                }
            })),
        };
        match &result {
            Ok(_) => {
                tracing::info!(provider = "aliyun", to = %mask(&msg.destination), "sms accepted")
            }
            Err(e) => {
                tracing::warn!(provider = "aliyun", to = %mask(&msg.destination), error = ?e, "sms not accepted")
            }
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked example of Alibaba Cloud's "Request syntax and signature method V3"
    /// (<https://www.alibabacloud.com/help/en/sdk/product-overview/v3-request-structure-and-signature>):
    /// ECS `RunInstances`, fixed date and nonce, the placeholder key pair
    /// `YourAccessKeyId`/`YourAccessKeySecret`; the page publishes the resulting signature.
    #[test]
    fn reproduces_the_published_v3_example() {
        let query = canonical_query(&[
            (
                "ImageId",
                "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd",
            ),
            ("RegionId", "cn-shanghai"),
        ]);
        assert_eq!(
            query,
            "ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai"
        );
        let hashed = sha256_hex(b"");
        let auth = authorization(
            "YourAccessKeyId",
            "YourAccessKeySecret",
            "POST",
            "/",
            &query,
            &[
                ("x-acs-version", "2014-05-26"),
                ("host", "ecs.cn-shanghai.aliyuncs.com"),
                ("x-acs-action", "RunInstances"),
                ("x-acs-date", "2023-10-26T10:22:32Z"),
                ("x-acs-signature-nonce", "3156853299f313e23d1673dc12e1703d"),
                ("x-acs-content-sha256", &hashed),
            ],
            &hashed,
        );
        assert_eq!(
            auth,
            "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
        );
    }

    #[test]
    fn encodes_per_rfc3986() {
        assert_eq!(percent_encode("a b*c~d+é"), "a%20b%2Ac~d%2B%C3%A9");
        assert_eq!(
            percent_encode(r#"{"code":"1"}"#),
            "%7B%22code%22%3A%221%22%7D"
        );
    }

    #[test]
    fn strips_the_mainland_country_code_only() {
        assert_eq!(
            phone_number("+8613812341234").ok().as_deref(),
            Some("13812341234")
        );
        assert_eq!(
            phone_number("+85261234567").ok().as_deref(),
            Some("85261234567")
        );
        assert!(phone_number("+86 138").is_err());
    }

    #[test]
    fn formats_the_date_in_utc_seconds() {
        let t = time::macros::datetime!(2023-10-26 18:22:32.5 +08:00);
        assert_eq!(acs_date(t), "2023-10-26T10:22:32Z");
    }
}

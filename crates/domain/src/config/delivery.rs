//! The `[delivery]` settings: which SMTP relay sends e-mail, which SMS providers send texts.
//!
//! Every struct denies unknown fields, so a misspelt key fails at start instead of being ignored,
//! and every secret is a [`SecretString`], so it never shows in `Debug` output or logs.
//!
//! ```toml
//! [delivery]
//! timeout_secs = 10
//!
//! [delivery.email]
//! host = "smtp.example.com"
//! port = 587
//! security = "starttls"
//! username = "no-reply@example.com"
//! password = "…"
//! from = "Wangshang <no-reply@example.com>"
//!
//! [delivery.sms.primary]
//! kind = "aliyun"
//! access_key_id = "LTAI…"
//! access_key_secret = "…"
//! sign_name = "旺商聊"
//! templates = { register_code = "SMS_154950909" }
//!
//! [delivery.sms.fallback]
//! kind = "webhook"
//! url = "https://sms-gateway.internal/send"
//! secret = "…"
//! ```

use std::collections::BTreeMap;

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

/// All delivery settings. The default configures nothing: no driver is built and the server
/// keeps its dev outbox.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct DeliveryConfig {
    /// The SMTP relay for e-mail; `None` leaves e-mail without a driver.
    pub email: Option<SmtpConfig>,
    pub sms: SmsConfig,
    /// Bound on one provider call (HTTP request or SMTP session phase), in seconds.
    pub timeout_secs: u64,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        DeliveryConfig {
            email: None,
            sms: SmsConfig::default(),
            timeout_secs: 10,
        }
    }
}

/// The SMS providers: the primary is tried first; the fallback is tried at once when the
/// primary fails in a way that might not be final (connection refused, 5xx, timeout, throttled).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmsConfig {
    pub primary: Option<SmsProvider>,
    pub fallback: Option<SmsProvider>,
}

/// How the SMTP connection is protected.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// No TLS at all: only for a relay on the same host or a trusted local network.
    Plain,
    /// Plain connect, then `STARTTLS`, which is required (never falls back to plain text).
    #[default]
    Starttls,
    /// Implicit TLS from the first byte (SMTPS, usually port 465).
    Tls,
}

/// An SMTP relay.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    /// Login name for `AUTH PLAIN`/`AUTH LOGIN`; no authentication when absent.
    pub username: Option<String>,
    #[serde(serialize_with = "ser_opt_secret")]
    pub password: Option<SecretString>,
    /// The `From` header and envelope sender, e.g. `Wangshang <no-reply@example.com>`.
    pub from: String,
    /// Accept any server certificate. For tests and self-signed lab relays only: it removes the
    /// protection TLS gives against a machine in the middle.
    pub accept_invalid_certs: bool,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        SmtpConfig {
            host: "localhost".into(),
            port: 587,
            security: SmtpSecurity::Starttls,
            username: None,
            password: None,
            from: "Wangshang <no-reply@example.com>".into(),
            accept_invalid_certs: false,
        }
    }
}

/// One SMS provider, chosen by `kind`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum SmsProvider {
    /// Alibaba Cloud SMS (`SendSms`, API 2017-05-25, ACS3-HMAC-SHA256).
    Aliyun(AliyunConfig),
    /// Tencent Cloud SMS (`SendSms`, API 2021-01-11, TC3-HMAC-SHA256).
    Tencent(TencentConfig),
    /// Twilio Programmable Messaging (Messages API, basic auth).
    Twilio(TwilioConfig),
    /// A JSON POST to a gateway of your own, signed with HMAC-SHA256 (see `sms::webhook`).
    Webhook(WebhookConfig),
}

impl SmsProvider {
    /// The provider's stable name, as used in message ids and logs.
    pub fn name(&self) -> &'static str {
        match self {
            SmsProvider::Aliyun(_) => "aliyun",
            SmsProvider::Tencent(_) => "tencent",
            SmsProvider::Twilio(_) => "twilio",
            SmsProvider::Webhook(_) => "webhook",
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AliyunConfig {
    pub access_key_id: String,
    #[serde(serialize_with = "ser_secret")]
    pub access_key_secret: SecretString,
    /// The approved signature (签名), e.g. `旺商聊`.
    pub sign_name: String,
    #[serde(default = "default_aliyun_endpoint")]
    pub endpoint: String,
    /// Our template name (`register_code`, …) → the approved `TemplateCode` (`SMS_…`).
    #[serde(default)]
    pub templates: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TencentConfig {
    pub secret_id: String,
    #[serde(serialize_with = "ser_secret")]
    pub secret_key: SecretString,
    /// The `SmsSdkAppId` of the SMS application, e.g. `1400006666`.
    pub sdk_app_id: String,
    pub sign_name: String,
    #[serde(default = "default_tencent_region")]
    pub region: String,
    #[serde(default = "default_tencent_endpoint")]
    pub endpoint: String,
    /// Our template name → the approved `TemplateId`.
    #[serde(default)]
    pub templates: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TwilioConfig {
    pub account_sid: String,
    #[serde(serialize_with = "ser_secret")]
    pub auth_token: SecretString,
    /// A sending number in E.164; either this or `messaging_service_sid` is required.
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub messaging_service_sid: Option<String>,
    #[serde(default = "default_twilio_endpoint")]
    pub endpoint: String,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    pub url: String,
    #[serde(serialize_with = "ser_secret")]
    pub secret: SecretString,
}

fn default_aliyun_endpoint() -> String {
    "https://dysmsapi.aliyuncs.com".into()
}

fn default_tencent_region() -> String {
    "ap-guangzhou".into()
}

fn default_tencent_endpoint() -> String {
    "https://sms.tencentcloudapi.com".into()
}

fn default_twilio_endpoint() -> String {
    "https://api.twilio.com".into()
}

/// Secrets serialize as a fixed placeholder: a dumped config never carries them.
fn ser_secret<S: serde::Serializer>(_: &SecretString, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(REDACTED)
}

fn ser_opt_secret<S: serde::Serializer>(v: &Option<SecretString>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(_) => s.serialize_some(REDACTED),
        None => s.serialize_none(),
    }
}

/// What a serialized secret reads as.
pub const REDACTED: &str = "[REDACTED]";

//! Wangshang's real delivery drivers, each a [`domain::outbox::Driver`]:
//!
//! * [`email::Email`] — SMTP with `lettre` (plain, STARTTLS, TLS; optional AUTH);
//! * [`sms::aliyun::Aliyun`] — Alibaba Cloud SMS, ACS3-HMAC-SHA256;
//! * [`sms::tencent::Tencent`] — Tencent Cloud SMS, TC3-HMAC-SHA256;
//! * [`sms::twilio::Twilio`] — Twilio Messages API, basic auth;
//! * [`sms::webhook::Webhook`] — a signed JSON POST to a gateway of your own;
//! * [`Router`] — e-mail to SMTP, SMS to a primary provider with a fallback.
//!
//! [`build`] turns a [`DeliveryConfig`] into a [`Router`]. No driver logs a secret, a message
//! body or a code: logs carry the provider, a masked destination and error codes.

/// The `[delivery]` settings live with the rest of the configuration in the domain crate.
pub use domain::config::delivery as config;
pub mod email;
pub mod router;
pub mod sms;
mod util;

pub use config::{
    AliyunConfig, DeliveryConfig, SmsConfig, SmsProvider, SmtpConfig, SmtpSecurity, TencentConfig,
    TwilioConfig, WebhookConfig,
};
pub use router::{Router, build, http_client, sms_driver};

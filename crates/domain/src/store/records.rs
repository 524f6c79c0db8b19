//! Rows as the domain sees them. Timestamps are milliseconds since the epoch.

use crate::clock::Millis;
use crate::identifier::Channel;

#[derive(Clone, Debug)]
pub struct Verification {
    pub id: String,
    /// `register`, `support_contact`, …
    pub purpose: String,
    pub channel: Channel,
    pub destination: String,
    /// HMAC-SHA256 of the code, hex.
    pub code_hash: String,
    pub attempts: u32,
    pub sends: u32,
    pub created_at: Millis,
    pub expires_at: Millis,
    pub last_sent_at: Millis,
    pub consumed_at: Option<Millis>,
    /// The account a binding code was asked for; `None` for other purposes.
    pub account_id: Option<String>,
}

/// How many messages went recently to one destination and from one client IP.
#[derive(Clone, Debug, Default)]
pub struct SendStats {
    pub last_to_destination: Option<Millis>,
    pub destination_hour: i64,
    pub destination_day: i64,
    pub oldest_destination_hour: Option<Millis>,
    pub oldest_destination_day: Option<Millis>,
    pub ip_hour: i64,
    pub ip_day: i64,
    pub oldest_ip_hour: Option<Millis>,
    pub oldest_ip_day: Option<Millis>,
}

#[derive(Clone, Debug)]
pub struct Account {
    pub id: String,
    pub nickname: String,
    /// E.164.
    pub phone: Option<String>,
    pub email: Option<String>,
    pub password_hash: String,
    pub password_changed_at: Millis,
    pub locale: String,
    pub created_at: Millis,
    pub phone_verified_at: Option<Millis>,
    pub email_verified_at: Option<Millis>,
    /// The last time the phone was used to log in or to recover (a long-unused number may have
    /// been recycled by the carrier).
    pub phone_used_at: Option<Millis>,
    /// The IANA time zone the account's notices are written in (`None`: UTC).
    pub time_zone: Option<String>,
}

impl Account {
    /// The channel a new-device code goes to: the phone when bound, else the e-mail.
    pub fn first_channel(&self) -> Channel {
        if self.phone.is_some() {
            Channel::Sms
        } else {
            Channel::Email
        }
    }

    /// The bound destination of a channel.
    pub fn destination(&self, channel: Channel) -> Option<&str> {
        match channel {
            Channel::Sms => self.phone.as_deref(),
            Channel::Email => self.email.as_deref(),
        }
    }
}

/// One self-service password recovery (SPEC §2).
#[derive(Clone, Debug)]
pub struct PasswordReset {
    pub id: String,
    /// `None` when the identifier matched no account: the flow looks the same and never succeeds.
    pub account_id: Option<String>,
    /// The normalised identifier the user typed.
    pub identifier: String,
    /// The channel of the current code.
    pub channel: Channel,
    pub verification_id: String,
    /// Channels whose code was verified.
    pub verified: Vec<Channel>,
    pub token_hash: Option<String>,
    pub token_expires_at: Option<Millis>,
    pub second_factor_required: bool,
    pub second_factor_at: Option<Millis>,
    pub completed_at: Option<Millis>,
    pub created_at: Millis,
    pub expires_at: Millis,
}

/// An account's TOTP secret, sealed with a key derived from the server secret.
#[derive(Clone, Debug)]
pub struct TotpSecret {
    pub account_id: String,
    pub sealed_secret: String,
    /// `None` while enrolling.
    pub confirmed_at: Option<Millis>,
    /// The newest accepted time step: a code is accepted once.
    pub last_step: i64,
    pub created_at: Millis,
}

/// One security question with its hashed answer.
#[derive(Clone, Debug)]
pub struct SecurityQuestion {
    pub position: u32,
    pub question: String,
    pub answer_hash: String,
}

/// A registered passkey.
#[derive(Clone, Debug)]
pub struct Passkey {
    /// base64url, as the browser names it.
    pub credential_id: String,
    pub account_id: String,
    pub name: String,
    /// The webauthn-rs credential (opaque JSON).
    pub credential: String,
    pub created_at: Millis,
    pub last_used_at: Option<Millis>,
}

/// The second step of a login: two-factor authentication, or a code for a new device.
#[derive(Clone, Debug)]
pub struct LoginChallenge {
    pub id: String,
    pub account_id: String,
    /// `mfa` or `new_device`.
    pub reason: String,
    /// `totp`, `webauthn`, `recovery_code`, or the channel of a new-device code (`sms`, `email`).
    pub methods: Vec<String>,
    /// The code sent for a new device.
    pub verification_id: Option<String>,
    pub device_id: String,
    pub device_name: Option<String>,
    /// A WebAuthn authentication in progress (opaque JSON).
    pub webauthn_state: Option<String>,
    pub attempts: u32,
    pub created_at: Millis,
    pub expires_at: Millis,
    pub completed_at: Option<Millis>,
}

/// A bind, change or removal of a phone or e-mail, with the links sent to the old destination.
#[derive(Clone, Debug)]
pub struct BindingChange {
    pub id: String,
    pub account_id: String,
    pub channel: Channel,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub at: Millis,
    pub cancel_token_hash: Option<String>,
    pub confirm_token_hash: Option<String>,
    pub links_expire_at: Millis,
    pub cancelled_at: Option<Millis>,
    pub confirmed_at: Option<Millis>,
}

#[derive(Clone, Debug)]
pub struct Session {
    pub id: String,
    pub account_id: String,
    /// SHA-256 of the bearer token, hex.
    pub token_hash: String,
    pub device_id: String,
    pub device_name: Option<String>,
    pub user_agent: String,
    pub ip: String,
    pub created_at: Millis,
    pub last_seen_at: Millis,
    pub expires_at: Millis,
    pub revoked_at: Option<Millis>,
    /// The "this wasn't me" link of a new-login notice signs this session out.
    pub dispute_token_hash: Option<String>,
    /// The longest pause between two uses so far (an enterprise's idle limit judges it).
    pub longest_idle_ms: Millis,
}

/// Consecutive login failures on one key (a normalised identifier, or an IP).
#[derive(Clone, Debug)]
pub struct Throttle {
    pub key: String,
    pub failures: u32,
    pub last_failure_at: Millis,
    pub locked_until: Option<Millis>,
}

#[derive(Clone, Debug)]
pub struct NewSecurityEvent {
    pub account_id: String,
    pub kind: String,
    pub at: Millis,
    pub ip: String,
    pub user_agent: String,
    pub flags: Vec<String>,
    /// Where the IP is, when a GeoIP database is configured ("Shanghai, CN").
    pub place: Option<String>,
}

#[derive(Clone, Debug)]
pub struct SecurityEvent {
    pub id: i64,
    pub account_id: String,
    pub kind: String,
    pub at: Millis,
    pub ip: String,
    pub user_agent: String,
    pub flags: Vec<String>,
    pub place: Option<String>,
}

/// A message waiting in, or gone from, the durable outbox.
#[derive(Clone, Debug)]
pub struct OutboxMessage {
    pub id: String,
    pub channel: Channel,
    pub destination: String,
    pub template: String,
    pub locale: String,
    pub params: serde_json::Value,
    /// `pending`, `sending`, `sent`, `failed`, `expired`, `unknown`; `suppressed` for the stand-in
    /// row of a recovery code that goes nowhere (never sent).
    pub status: String,
    pub attempts: u32,
    pub next_attempt_at: Millis,
    /// After this the message is useless (a code past its TTL) and is not sent.
    pub expires_at: Option<Millis>,
    pub provider: Option<String>,
    pub provider_message_id: Option<String>,
    pub last_error: Option<String>,
    pub created_at: Millis,
}

/// A message the dev driver "sent", shown by the dev outbox.
#[derive(Clone, Debug)]
pub struct DevMessage {
    pub id: String,
    pub channel: Channel,
    pub destination: String,
    pub subject: Option<String>,
    pub body: String,
    pub code: Option<String>,
    pub created_at: Millis,
}

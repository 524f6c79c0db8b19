//! The askama templates, one struct per page. Every text comes from the catalogs through `t`.

use askama::Template;

use super::i18n::Tr;

/// An error shown next to a form.
pub struct Shown {
    pub code: String,
    pub message: String,
    pub attempts_left: Option<u32>,
    pub details: Vec<String>,
}

#[derive(Template)]
#[template(path = "login.html")]
pub struct Login {
    pub t: Tr,
    pub csrf: String,
    pub logged_in: bool,
    pub title: String,
    pub errors: Vec<Shown>,
    pub identifier: String,
}

#[derive(Template)]
#[template(path = "step.html")]
pub struct Step {
    pub t: Tr,
    pub csrf: String,
    pub logged_in: bool,
    pub title: String,
    pub errors: Vec<Shown>,
    pub id: String,
    pub intro: String,
    pub methods: Vec<(String, String)>,
    /// A passkey may answer (the page's script runs the ceremony).
    pub passkey: bool,
    /// The code came by SMS or e-mail: it can be sent again.
    pub resend: bool,
}

#[derive(Template)]
#[template(path = "register.html")]
pub struct Register {
    pub t: Tr,
    pub csrf: String,
    pub logged_in: bool,
    pub title: String,
    pub errors: Vec<Shown>,
    pub verification: Option<String>,
    pub sent: String,
    pub resend_after: i64,
    /// What was typed before a refusal: the channel, the phone/e-mail, the nickname.
    pub channel: String,
    pub destination: String,
    pub nickname: String,
}

#[derive(Template)]
#[template(path = "forgot_start.html")]
pub struct ForgotStart {
    pub t: Tr,
    pub csrf: String,
    pub logged_in: bool,
    pub title: String,
    pub errors: Vec<Shown>,
}

#[derive(Template)]
#[template(path = "forgot_code.html")]
pub struct ForgotCode {
    pub t: Tr,
    pub csrf: String,
    pub logged_in: bool,
    pub title: String,
    pub errors: Vec<Shown>,
    pub id: String,
    pub masked: String,
    /// "A code was sent to" before `masked`, or the whole sentence when no address is named.
    pub sent_to: String,
    pub resend_after: i64,
    pub other: String,
    pub switch_label: String,
    pub undeliverable: bool,
}

#[derive(Template)]
#[template(path = "forgot_password.html")]
pub struct ForgotPassword {
    pub t: Tr,
    pub csrf: String,
    pub logged_in: bool,
    pub title: String,
    pub errors: Vec<Shown>,
    pub id: String,
    pub second_factor: bool,
    pub methods: Vec<(String, String)>,
    /// The account's enterprises' stricter password rules, if any.
    pub stricter: Option<String>,
}

#[derive(Template)]
#[template(path = "message.html")]
pub struct Message {
    pub t: Tr,
    pub csrf: String,
    pub logged_in: bool,
    pub title: String,
    pub section_id: String,
    pub text: String,
    /// (href, label, id)
    pub link: Option<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "settings.html")]
pub struct Settings {
    pub t: Tr,
    pub csrf: String,
    pub logged_in: bool,
    pub title: String,
    pub errors: Vec<Shown>,
    /// What was just saved, said.
    pub saved: Option<String>,
    pub nickname: String,
    /// The nickname field's value: the current one, or a refused one as typed.
    pub typed_nickname: String,
    /// The account's IANA time zone; empty for UTC.
    pub time_zone: String,
    pub zones: &'static [String],
    pub phone: String,
    pub email: String,
    pub mfa: String,
    pub reminder: bool,
}

pub struct SessionRow {
    pub id: String,
    pub device: String,
    pub ip: String,
    pub last_seen: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "sessions.html")]
pub struct Sessions {
    pub t: Tr,
    pub csrf: String,
    pub logged_in: bool,
    pub title: String,
    pub sessions: Vec<SessionRow>,
}

#[derive(Template)]
#[template(path = "help.html")]
pub struct Help {
    pub t: Tr,
    pub csrf: String,
    pub logged_in: bool,
    pub title: String,
}

#[derive(Template)]
#[template(path = "outbox.html")]
pub struct Outbox {
    pub t: Tr,
    pub csrf: String,
    pub logged_in: bool,
    pub title: String,
    /// (time, destination, code, body)
    pub messages: Vec<(String, String, String, String)>,
}

#[derive(Template)]
#[template(path = "settings_password.html")]
pub struct PasswordChange {
    pub t: Tr,
    pub csrf: String,
    pub logged_in: bool,
    pub title: String,
    pub errors: Vec<Shown>,
    pub done: bool,
    /// The account's enterprises' stricter password rules, if any.
    pub stricter: Option<String>,
}

#[derive(Template)]
#[template(path = "settings_bindings.html")]
pub struct BindingsPage {
    pub t: Tr,
    pub csrf: String,
    pub logged_in: bool,
    pub title: String,
    pub errors: Vec<Shown>,
    pub notice: Option<String>,
    pub phone: String,
    pub email: String,
    /// (kind, verification id) while a code is awaited.
    pub pending: Option<(String, String)>,
    /// (kind, bound) for the remove forms.
    pub removable: Vec<(String, bool)>,
    /// Enterprises' open requests to re-verify a binding: (request id, what to say).
    pub reverifies: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "settings_security.html")]
pub struct Security {
    pub t: Tr,
    pub csrf: String,
    pub logged_in: bool,
    pub title: String,
    pub errors: Vec<Shown>,
    pub totp: bool,
    pub recovery_left: String,
    /// (secret, QR SVG) while enrolling.
    pub enrolling: Option<(String, String)>,
    /// Recovery codes shown once.
    pub codes: Vec<String>,
    pub codes_download: String,
    /// (credential id, name)
    pub passkeys: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "settings_records.html")]
pub struct Records {
    pub t: Tr,
    pub csrf: String,
    pub logged_in: bool,
    pub title: String,
    /// (time, kind, ip, device, flags)
    pub records: Vec<(String, String, String, String, String, String)>,
}

#[derive(Template)]
#[template(path = "link.html")]
pub struct Link {
    pub t: Tr,
    pub csrf: String,
    pub logged_in: bool,
    pub title: String,
    pub errors: Vec<Shown>,
    pub text: String,
    pub action: String,
    pub token: String,
    pub submit: String,
    pub done: Option<String>,
}

#[derive(Template)]
#[template(path = "checkup.html")]
pub struct Checkup {
    pub t: Tr,
    pub csrf: String,
    pub logged_in: bool,
    pub title: String,
    /// (id, label, done, where to fix it)
    pub items: Vec<(String, String, bool, String)>,
}

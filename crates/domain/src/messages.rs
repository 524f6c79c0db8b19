//! The texts of codes and notices, in zh-CN (default) and English. Every code message says what
//! the code is for, how long it holds, and that nobody from Wangshang will ask for it.

use serde_json::Value;

/// A message ready for a channel.
#[derive(Clone, Debug)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    /// The HTML body for e-mail, when the template has one.
    pub html: Option<String>,
    /// The code carried by the message, if any (the dev outbox shows it apart).
    pub code: Option<String>,
}

pub mod template {
    pub const REGISTER_CODE: &str = "register_code";
    pub const REGISTER_TAKEN: &str = "register_taken";
    pub const SUPPORT_CONTACT_CODE: &str = "support_contact_code";
    pub const ACCOUNT_LOCKED: &str = "account_locked";
    pub const PASSWORD_CHANGED: &str = "password_changed";
    pub const PASSWORD_RESET_CODE: &str = "password_reset_code";
    pub const PASSWORD_RESET: &str = "password_reset";
    pub const BIND_CODE: &str = "bind_code";
    pub const BIND_TAKEN: &str = "bind_taken";
    pub const BINDING_CHANGED: &str = "binding_changed";
    pub const BINDING_ADDED: &str = "binding_added";
    pub const BINDING_CANCELLED: &str = "binding_cancelled";
}

fn param<'a>(p: &'a Value, key: &str) -> &'a str {
    p.get(key).and_then(Value::as_str).unwrap_or("")
}

fn is_en(locale: &str) -> bool {
    locale.starts_with("en")
}

/// Renders a template; unknown templates render a neutral notice rather than failing a send.
pub fn render(template: &str, locale: &str, p: &Value) -> Rendered {
    let en = is_en(locale);
    let code = p.get("code").and_then(Value::as_str).map(str::to_owned);
    let minutes = p.get("minutes").and_then(Value::as_i64).unwrap_or(10);
    let (when, ip, device) = (param(p, "when"), param(p, "ip"), param(p, "device"));
    let (old, new) = (param(p, "old"), param(p, "new"));
    let (cancel_url, confirm_url) = (param(p, "cancel_url"), param(p, "confirm_url"));
    let hours = p.get("hours").and_then(Value::as_i64).unwrap_or(72);
    let c = code.clone().unwrap_or_default();
    let (subject, text) = match (template, en) {
        (template::REGISTER_CODE, false) => (
            "旺商聊注册验证码".to_owned(),
            format!(
                "【旺商聊】您的注册验证码是 {c}，{minutes} 分钟内有效。工作人员绝不会向您索要验证码，请勿告诉任何人。"
            ),
        ),
        (template::REGISTER_CODE, true) => (
            "Your Wangshang sign-up code".to_owned(),
            format!(
                "[Wangshang] Your sign-up code is {c}. It is valid for {minutes} minutes. Our staff will never ask for it; do not share it with anyone."
            ),
        ),
        (template::SUPPORT_CONTACT_CODE, false) => (
            "旺商聊客服联系方式验证码".to_owned(),
            format!(
                "【旺商聊】您提交账号申诉使用的验证码是 {c}，{minutes} 分钟内有效。工作人员绝不会向您索要验证码，请勿告诉任何人。"
            ),
        ),
        (template::SUPPORT_CONTACT_CODE, true) => (
            "Your Wangshang support contact code".to_owned(),
            format!(
                "[Wangshang] Your code to open a support request is {c}. It is valid for {minutes} minutes. Our staff will never ask for it; do not share it with anyone."
            ),
        ),
        (template::REGISTER_TAKEN, false) => (
            "有人尝试用您的号码注册旺商聊".to_owned(),
            format!(
                "【旺商聊】{when} 有人（IP {ip}）尝试用此号码/邮箱注册新账号。它已绑定一个账号：如果是您本人，请直接登录，或在登录页点击“忘记密码”找回。如果不是您，请忽略本消息。"
            ),
        ),
        (template::REGISTER_TAKEN, true) => (
            "Someone tried to sign up with your address".to_owned(),
            format!(
                "[Wangshang] At {when} someone (IP {ip}) tried to register a new account with this number/address. It already belongs to an account: if that was you, log in, or use \"Forgot password\" on the login page. If not, ignore this message."
            ),
        ),
        (template::ACCOUNT_LOCKED, false) => (
            "旺商聊账号已临时锁定".to_owned(),
            format!(
                "【旺商聊】{when} 起，您的账号因连续多次密码错误（最近一次来自 IP {ip}，设备 {device}）被临时锁定 {minutes} 分钟。如果不是您本人，请尽快通过“忘记密码”修改密码并开启两步验证。"
            ),
        ),
        (template::ACCOUNT_LOCKED, true) => (
            "Your Wangshang account is temporarily locked".to_owned(),
            format!(
                "[Wangshang] Since {when} your account is locked for {minutes} minutes after repeated wrong passwords (the last from IP {ip}, device {device}). If this was not you, change your password via \"Forgot password\" and turn on two-factor authentication."
            ),
        ),
        (template::PASSWORD_CHANGED, false) => (
            "旺商聊密码已修改".to_owned(),
            format!(
                "【旺商聊】您的密码已于 {when} 修改（IP {ip}，设备 {device}），其他设备已退出登录。如果不是您本人操作，请立即通过“忘记密码”找回账号并联系客服。"
            ),
        ),
        (template::PASSWORD_CHANGED, true) => (
            "Your Wangshang password was changed".to_owned(),
            format!(
                "[Wangshang] Your password was changed at {when} (IP {ip}, device {device}); your other devices were signed out. If this was not you, recover your account via \"Forgot password\" at once and contact support."
            ),
        ),
        (template::PASSWORD_RESET_CODE, false) => (
            "旺商聊找回密码验证码".to_owned(),
            format!(
                "【旺商聊】您正在找回密码，验证码是 {c}，{minutes} 分钟内有效。工作人员绝不会向您索要验证码，请勿告诉任何人；如果不是您本人操作，请忽略本消息，您的密码不会改变。"
            ),
        ),
        (template::PASSWORD_RESET_CODE, true) => (
            "Your Wangshang password reset code".to_owned(),
            format!(
                "[Wangshang] Your code to reset your password is {c}. It is valid for {minutes} minutes. Our staff will never ask for it; do not share it with anyone. If you did not ask for it, ignore this message: your password stays the same."
            ),
        ),
        (template::PASSWORD_RESET, false) => (
            "旺商聊密码已重置".to_owned(),
            format!(
                "【旺商聊】您的密码已于 {when} 通过找回流程重置（IP {ip}，设备 {device}），所有设备均已退出登录。如果不是您本人操作，请立即再次找回密码并联系客服。"
            ),
        ),
        (template::PASSWORD_RESET, true) => (
            "Your Wangshang password was reset".to_owned(),
            format!(
                "[Wangshang] Your password was reset at {when} (IP {ip}, device {device}); every device was signed out. If this was not you, recover your account again at once and contact support."
            ),
        ),
        (template::BIND_CODE, false) => (
            "旺商聊绑定验证码".to_owned(),
            format!(
                "【旺商聊】您正在把此号码/邮箱绑定到旺商聊账号，验证码是 {c}，{minutes} 分钟内有效。工作人员绝不会向您索要验证码，请勿告诉任何人。"
            ),
        ),
        (template::BIND_CODE, true) => (
            "Your Wangshang binding code".to_owned(),
            format!(
                "[Wangshang] Your code to bind this number/address to a Wangshang account is {c}. It is valid for {minutes} minutes. Our staff will never ask for it; do not share it with anyone."
            ),
        ),
        (template::BIND_TAKEN, false) => (
            "有人尝试绑定您的号码".to_owned(),
            format!(
                "【旺商聊】{when} 有人（IP {ip}）尝试把此号码/邮箱绑定到另一个账号。它已绑定您的账号，不会被转移。如果不是您，请忽略本消息。"
            ),
        ),
        (template::BIND_TAKEN, true) => (
            "Someone tried to bind your address".to_owned(),
            format!(
                "[Wangshang] At {when} someone (IP {ip}) tried to bind this number/address to another account. It stays with your account. If that was not you, ignore this message."
            ),
        ),
        (template::BINDING_CHANGED, false) => (
            "旺商聊账号绑定已变更".to_owned(),
            format!(
                "【旺商聊】{when}（IP {ip}，设备 {device}）您账号的绑定已变更：{old} → {new}。是您本人：{confirm_url} 。不是您本人：{hours} 小时内打开 {cancel_url} 撤销变更并让所有设备退出登录。"
            ),
        ),
        (template::BINDING_CHANGED, true) => (
            "Your Wangshang account's binding changed".to_owned(),
            format!(
                "[Wangshang] At {when} (IP {ip}, device {device}) your account's binding changed: {old} -> {new}. If it was you: {confirm_url} . If not, open {cancel_url} within {hours} hours to undo the change and sign out every device."
            ),
        ),
        (template::BINDING_ADDED, false) => (
            "已绑定旺商聊账号".to_owned(),
            format!(
                "【旺商聊】此号码/邮箱已于 {when} 绑定到您的旺商聊账号（IP {ip}，设备 {device}）。如果不是您本人操作，请联系客服。"
            ),
        ),
        (template::BINDING_ADDED, true) => (
            "Bound to your Wangshang account".to_owned(),
            format!(
                "[Wangshang] This number/address was bound to your Wangshang account at {when} (IP {ip}, device {device}). If this was not you, contact support."
            ),
        ),
        (template::BINDING_CANCELLED, false) => (
            "旺商聊绑定变更已撤销".to_owned(),
            format!(
                "【旺商聊】{when} 的绑定变更（{old} → {new}）已撤销，所有设备已退出登录。请尽快修改密码并开启两步验证。"
            ),
        ),
        (template::BINDING_CANCELLED, true) => (
            "A Wangshang binding change was undone".to_owned(),
            format!(
                "[Wangshang] The binding change of {when} ({old} -> {new}) was undone and every device was signed out. Change your password and turn on two-factor authentication."
            ),
        ),
        (other, false) => (
            "旺商聊通知".to_owned(),
            format!("【旺商聊】账号通知：{other}"),
        ),
        (other, true) => (
            "Wangshang notice".to_owned(),
            format!("[Wangshang] Account notice: {other}"),
        ),
    };
    Rendered {
        subject,
        text,
        html: None,
        code,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn code_messages_state_purpose_validity_and_never_share() {
        let zh = render(
            template::REGISTER_CODE,
            "zh-CN",
            &json!({"code": "123456", "minutes": 10}),
        );
        assert!(
            zh.text.contains("123456")
                && zh.text.contains("10 分钟")
                && zh.text.contains("请勿告诉任何人")
        );
        assert_eq!(zh.code.as_deref(), Some("123456"));
        let en = render(
            template::REGISTER_CODE,
            "en",
            &json!({"code": "123456", "minutes": 10}),
        );
        assert!(en.text.contains("valid for 10 minutes") && en.text.contains("never ask"));
    }

    #[test]
    fn the_taken_notice_carries_no_code() {
        let m = render(
            template::REGISTER_TAKEN,
            "zh-CN",
            &json!({"when": "t", "ip": "1.2.3.4"}),
        );
        assert!(m.code.is_none() && m.text.contains("忘记密码"));
    }
}

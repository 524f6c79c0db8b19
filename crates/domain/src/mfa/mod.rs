//! Two-factor authentication (SPEC §5): TOTP, WebAuthn passkeys and single-use recovery codes.
//! The factors an account has decide whether a login needs a second step and what a recovery
//! must prove after its code; [`Wangshang::check_factor`] is the one place a factor is checked,
//! for login, recovery and re-authentication alike.

pub mod passkeys;
pub mod questions;
mod recovery_codes;
mod totp;

pub use recovery_codes::RecoveryCodes;
pub use totp::TotpEnrolment;

use serde_json::json;

use crate::app::{Client, Wangshang};
use crate::clock::Millis;
use crate::error::{Error, Result};
use crate::events;
use crate::messages::template;
use crate::outbox;
use crate::store::Account;
use crate::unit::Unit;

pub mod method {
    pub const TOTP: &str = "totp";
    pub const WEBAUTHN: &str = "webauthn";
    pub const RECOVERY_CODE: &str = "recovery_code";
}

/// The answer to a second-factor question.
#[derive(Clone, Copy, Debug)]
pub enum Answer<'a> {
    /// A TOTP or recovery code.
    Code(&'a str),
    /// A passkey assertion to the ceremony kept under `ceremony` for `purpose`.
    Assertion {
        ceremony: &'a str,
        purpose: &'a str,
        assertion: &'a serde_json::Value,
    },
}

/// What `GET /me` shows of the account's factors.
#[derive(Clone, Debug, Default)]
pub struct MfaStatus {
    pub totp: bool,
    pub webauthn: bool,
    pub recovery_codes_left: u32,
}

impl Wangshang {
    pub async fn mfa_status(&self, account_id: &str) -> Result<MfaStatus> {
        let mut tx = self.read().await?;
        self.mfa_status_in(&mut tx, account_id).await
    }

    /// [`Self::mfa_status`] inside the flow's unit.
    pub(crate) async fn mfa_status_in(&self, tx: &mut Unit, account_id: &str) -> Result<MfaStatus> {
        let totp = tx
            .totp(account_id)
            .await?
            .is_some_and(|t| t.confirmed_at.is_some());
        let recovery_codes_left = tx.recovery_codes_left(account_id).await?;
        let webauthn = !tx.passkeys(account_id).await?.is_empty();
        Ok(MfaStatus {
            totp,
            webauthn,
            recovery_codes_left,
        })
    }

    /// The second factors an account has, by method name; empty when two-factor is off.
    /// Recovery codes count only beside a real factor.
    pub(crate) async fn second_factor_methods(
        &self,
        tx: &mut Unit,
        account: &Account,
    ) -> Result<Vec<String>> {
        self.factor_methods(tx, &account.id).await
    }

    /// [`Self::second_factor_methods`] by account id.
    pub(crate) async fn factor_methods(
        &self,
        tx: &mut Unit,
        account_id: &str,
    ) -> Result<Vec<String>> {
        let s = self.mfa_status_in(tx, account_id).await?;
        let mut methods = Vec::new();
        if s.totp {
            methods.push(method::TOTP.to_owned());
        }
        if s.webauthn {
            methods.push(method::WEBAUTHN.to_owned());
        }
        if !methods.is_empty() && s.recovery_codes_left > 0 {
            methods.push(method::RECOVERY_CODE.to_owned());
        }
        Ok(methods)
    }

    /// Checks one second factor and uses it up (a TOTP step is accepted once, a recovery code
    /// once, a passkey ceremony once). `Ok(false)` for a wrong answer; `InvalidMethod` for a
    /// factor the account lacks. What a wrong answer spends (a passkey ceremony) is written in
    /// the unit: a flow that fails on `Ok(false)` ends with [`Unit::commit_err`].
    pub(crate) async fn check_factor(
        &self,
        tx: &mut Unit,
        account: &Account,
        method: &str,
        answer: Answer<'_>,
    ) -> Result<bool> {
        let methods = self.second_factor_methods(tx, account).await?;
        if !methods.iter().any(|m| m == method) {
            return Err(Error::InvalidMethod);
        }
        match (method, answer) {
            (method::TOTP, Answer::Code(code)) => self.check_totp(tx, account, code).await,
            (method::RECOVERY_CODE, Answer::Code(code)) => {
                self.use_recovery_code(tx, account, code).await
            }
            (
                method::WEBAUTHN,
                Answer::Assertion {
                    ceremony,
                    purpose,
                    assertion,
                },
            ) => {
                self.check_passkey(tx, account, ceremony, purpose, assertion)
                    .await
            }
            _ => Err(Error::InvalidRequest(
                "a passkey answers with `assertion`, the other methods with `code`".into(),
            )),
        }
    }

    /// The second half of re-authentication for sensitive changes, as the first step of the
    /// flow's unit (the password was checked by [`Self::reauthenticate`] before it opened): a
    /// second factor when the account has one. A wrong answer's spent state is committed, then
    /// the error returned.
    pub(crate) async fn second_factor_gate(
        &self,
        mut tx: Unit,
        account: &Account,
        factor: Option<(&str, &str)>,
    ) -> Result<Unit> {
        let methods = self.second_factor_methods(&mut tx, account).await?;
        if methods.is_empty() {
            return Ok(tx);
        }
        let Some((method, code)) = factor else {
            return Err(Error::SecondFactorRequired { methods });
        };
        if self
            .check_factor(&mut tx, account, method, Answer::Code(code))
            .await?
        {
            Ok(tx)
        } else {
            tx.commit_err(Error::InvalidCode { attempts_left: 0 }).await
        }
    }

    /// Records a factor change, tells every bound channel, and ends the other sessions.
    pub(crate) async fn factor_changed(
        &self,
        tx: &mut Unit,
        account: &Account,
        kind: &str,
        keep_session: Option<&str>,
        client: &Client,
        now: Millis,
    ) -> Result<()> {
        events::record(tx, &account.id, kind, client, &[], now).await?;
        let mut params = Self::notice_params(client, now);
        params["factor"] = json!(factor_label(kind, &account.locale));
        outbox::notify_account(tx, account, template::MFA_CHANGED, params).await?;
        tx.revoke_sessions(&account.id, keep_session, now).await?;
        Ok(())
    }
}

/// How a factor change reads in a notice.
fn factor_label(kind: &str, locale: &str) -> &'static str {
    let en = locale.starts_with("en");
    match (kind, en) {
        (events::kind::MFA_TOTP_ENABLED, false) => "已开启验证器（TOTP）",
        (events::kind::MFA_TOTP_ENABLED, true) => "authenticator app (TOTP) turned on",
        (events::kind::MFA_TOTP_DISABLED, false) => "已关闭验证器（TOTP）",
        (events::kind::MFA_TOTP_DISABLED, true) => "authenticator app (TOTP) turned off",
        (events::kind::RECOVERY_CODES_REGENERATED, false) => "已重新生成恢复码，旧恢复码作废",
        (events::kind::RECOVERY_CODES_REGENERATED, true) => {
            "new recovery codes; the old ones no longer work"
        }
        (events::kind::PASSKEY_ADDED, false) => "已添加通行密钥",
        (events::kind::PASSKEY_ADDED, true) => "passkey added",
        (events::kind::PASSKEY_REMOVED, false) => "已删除通行密钥",
        (events::kind::PASSKEY_REMOVED, true) => "passkey removed",
        (_, false) => "两步验证设置已变更",
        (_, true) => "two-factor settings changed",
    }
}

//! TOTP (RFC 6238, 30 s, 6 digits, ±1 step) with `totp-rs`: enrolment with re-authentication, an
//! `otpauth://` URI and a QR code as SVG, confirmation with a first code, each time step accepted
//! once, and disabling with password and code.

use qrcode::QrCode;
use qrcode::render::svg;
use totp_rs::{Builder, Secret, Totp};

use crate::app::{Client, Wangshang};
use crate::clock::{SECOND, now_ms};
use crate::error::{Error, Result};
use crate::events::kind;
use crate::identifier::{Channel, mask_stored};
use crate::random;
use crate::sessions::Authenticated;
use crate::store::{Account, TotpSecret};
use crate::unit::Unit;

use super::RecoveryCodes;

const ISSUER: &str = "Wangshang";
/// 160 bits, as RFC 4226 recommends (SECURITY.md asks for at least 112).
const SECRET_BYTES: usize = 20;

/// What an authenticator app needs to enrol.
#[derive(Clone, Debug)]
pub struct TotpEnrolment {
    /// Base32, for typing in by hand.
    pub secret: String,
    pub otpauth_uri: String,
    pub qr_svg: String,
}

/// The label an authenticator app shows for the account.
fn label(account: &Account) -> String {
    account
        .email
        .as_deref()
        .map(|e| mask_stored(Channel::Email, e))
        .or_else(|| {
            account
                .phone
                .as_deref()
                .map(|p| mask_stored(Channel::Sms, p))
        })
        .unwrap_or_else(|| account.nickname.clone())
}

fn totp(secret: Vec<u8>, account: &Account) -> Result<Totp> {
    Builder::new()
        .with_secret(Secret::from(secret))
        .with_issuer(Some(ISSUER))
        .with_account_name(label(account))
        .build()
        .map_err(|e| Error::Internal(format!("totp: {e}")))
}

fn now_secs() -> u64 {
    u64::try_from(now_ms() / SECOND).unwrap_or(0)
}

impl Wangshang {
    fn account_totp(&self, account: &Account, sealed: &str) -> Result<Totp> {
        totp(self.unseal(sealed)?, account)
    }

    /// `POST /me/mfa/totp`: a new secret, not active until confirmed with a first code.
    pub async fn start_totp(
        &self,
        auth: &Authenticated,
        current_password: &str,
    ) -> Result<TotpEnrolment> {
        let account = self.load_account(&auth.account_id).await?;
        self.reauthenticate(&account, current_password).await?;
        let secret = random::bytes::<SECRET_BYTES>().to_vec();
        let t = totp(secret.clone(), &account)?;
        let now = now_ms();
        let mut tx = self.write().await?;
        if tx
            .totp(&account.id)
            .await?
            .is_some_and(|t| t.confirmed_at.is_some())
        {
            return Err(Error::MfaAlreadyEnabled);
        }
        tx.save_totp(&TotpSecret {
            account_id: account.id.clone(),
            sealed_secret: self.seal(&secret)?,
            confirmed_at: None,
            last_step: 0,
            created_at: now,
        })
        .await?;
        tx.commit().await?;
        let otpauth_uri = t
            .to_url()
            .map_err(|e| Error::Internal(format!("totp url: {e}")))?;
        let qr_svg = QrCode::new(otpauth_uri.as_bytes())
            .map_err(|e| Error::Internal(format!("qr: {e}")))?
            .render::<svg::Color>()
            .min_dimensions(200, 200)
            .build();
        Ok(TotpEnrolment {
            secret: Secret::from(secret).to_base32(),
            otpauth_uri,
            qr_svg,
        })
    }

    /// `POST /me/mfa/totp/confirm`: the first code turns TOTP on. The first factor also gets
    /// the recovery codes (shown once); other sessions end.
    pub async fn confirm_totp(
        &self,
        auth: &Authenticated,
        code: &str,
        client: &Client,
    ) -> Result<RecoveryCodes> {
        let account = self.load_account(&auth.account_id).await?;
        let now = now_ms();
        let mut tx = self.write().await?;
        let pending = tx
            .totp(&account.id)
            .await?
            .filter(|t| t.confirmed_at.is_none())
            .ok_or(Error::NotFound)?;
        let t = self.account_totp(&account, &pending.sealed_secret)?;
        let step = t
            .check(code.trim(), now_secs())
            .ok_or(Error::InvalidCode { attempts_left: 0 })?;
        let step = i64::try_from(step).unwrap_or(i64::MAX);
        if !tx.accept_totp_step(&account.id, step, Some(now)).await? {
            return Err(Error::InvalidCode { attempts_left: 0 });
        }
        let first = tx.recovery_codes_left(&account.id).await? == 0;
        let codes = if first {
            self.new_recovery_codes(&mut tx, &account.id, now).await?
        } else {
            RecoveryCodes::default()
        };
        self.factor_changed(
            &mut tx,
            &account,
            kind::MFA_TOTP_ENABLED,
            Some(&auth.session_id),
            client,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(codes)
    }

    /// `DELETE /me/mfa/totp`: needs the password and a current code.
    pub async fn disable_totp(
        &self,
        auth: &Authenticated,
        current_password: &str,
        code: &str,
        client: &Client,
    ) -> Result<()> {
        let account = self.load_account(&auth.account_id).await?;
        self.reauthenticate(&account, current_password).await?;
        let mut tx = self.write().await?;
        let status = self.mfa_status_in(&mut tx, &account.id).await?;
        if !status.totp {
            return Err(Error::MfaNotEnabled);
        }
        if !self.check_totp(&mut tx, &account, code).await? {
            return Err(Error::InvalidCode { attempts_left: 0 });
        }
        // How many factors other than TOTP the account has (passkeys).
        let others = usize::from(status.webauthn);
        let now = now_ms();
        tx.delete_totp(&account.id).await?;
        // Recovery codes stand in for a factor; with none left they would be one on their own.
        if others == 0 {
            tx.replace_recovery_codes(&account.id, &[], now).await?;
        }
        self.factor_changed(
            &mut tx,
            &account,
            kind::MFA_TOTP_DISABLED,
            Some(&auth.session_id),
            client,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Checks a TOTP code of a confirmed secret and accepts its time step once.
    pub(crate) async fn check_totp(
        &self,
        tx: &mut Unit,
        account: &Account,
        code: &str,
    ) -> Result<bool> {
        let Some(secret) = tx
            .totp(&account.id)
            .await?
            .filter(|t| t.confirmed_at.is_some())
        else {
            return Ok(false);
        };
        let t = self.account_totp(account, &secret.sealed_secret)?;
        let Some(step) = t.check(code.trim(), now_secs()) else {
            return Ok(false);
        };
        let step = i64::try_from(step).unwrap_or(i64::MAX);
        // A replayed code (this step or an older one accepted already) is refused.
        if !tx.accept_totp_step(&account.id, step, None).await? {
            tracing::warn!(account = %account.id, "replayed TOTP code refused");
            return Ok(false);
        }
        Ok(true)
    }
}

//! WebAuthn passkeys (`webauthn-rs`, through the `wangshang-webauthn` crate): register several
//! with names, list, rename, remove, and use one as the second factor of a login or a recovery.
//! Ceremony states stay server-side and are taken out (used once) when answered.

use serde_json::Value;

use crate::app::{Client, Wangshang};
use crate::clock::{MINUTE, now_ms};
use crate::error::{Error, Result};
use crate::events::kind;
use crate::random;
use crate::sessions::Authenticated;
use crate::store::{Account, Passkey, StoreError};
use crate::unit::Unit;

use super::RecoveryCodes;

pub const REGISTER: &str = "register";
pub const LOGIN: &str = "login";
pub const RESET: &str = "reset";
/// A ceremony must be answered within this time (webauthn-rs's timeout).
const CEREMONY_MINUTES: i64 = 5;

/// A passkey as the owner sees it.
#[derive(Clone, Debug)]
pub struct PasskeyInfo {
    pub credential_id: String,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

fn rejected(e: webauthn::Error) -> Error {
    match e {
        webauthn::Error::InvalidResponse(m) => {
            Error::InvalidRequest(format!("passkey response: {m}"))
        }
        webauthn::Error::InvalidConfig(m) | webauthn::Error::Stored(m) => Error::Internal(m),
        webauthn::Error::Rejected(m) => {
            tracing::info!(reason = %m, "passkey response refused");
            Error::PasskeyRejected
        }
    }
}

/// A passkey name: trimmed, 1–64 characters, no control characters; a default when empty.
fn passkey_name(raw: Option<&str>) -> Result<String> {
    let n = raw.unwrap_or("").trim();
    if n.chars().any(char::is_control) || n.chars().count() > 64 {
        return Err(Error::InvalidRequest(
            "a passkey name is at most 64 characters".into(),
        ));
    }
    Ok(if n.is_empty() {
        "Passkey".into()
    } else {
        n.to_owned()
    })
}

impl Wangshang {
    fn relying(&self) -> Result<&webauthn::Relying> {
        self.relying.as_deref().ok_or(Error::PasskeysUnavailable)
    }

    /// `POST /me/mfa/webauthn/register/start`: the creation options for the browser.
    pub async fn start_passkey_registration(
        &self,
        auth: &Authenticated,
        current_password: &str,
    ) -> Result<(String, Value)> {
        let relying = self.relying()?;
        let account = self.load_account(&auth.account_id).await?;
        self.reauthenticate(&account, current_password).await?;
        let now = now_ms();
        let mut tx = self.write().await?;
        let existing: Vec<String> = tx
            .passkeys(&account.id)
            .await?
            .into_iter()
            .map(|p| p.credential)
            .collect();
        let name = account
            .email
            .clone()
            .or_else(|| account.phone.clone())
            .unwrap_or_else(|| account.id.clone());
        let (options, state) = relying
            .start_registration(
                webauthn::user_uuid(&account.id),
                &name,
                &account.nickname,
                &existing,
            )
            .map_err(rejected)?;
        let id = random::id();
        tx.save_ceremony(&id, &account.id, REGISTER, &state, now)
            .await?;
        tx.commit().await?;
        Ok((id, options))
    }

    /// `POST /me/mfa/webauthn/register/finish`: stores the passkey. The first factor also gets
    /// the recovery codes; other sessions end and every bound channel is told.
    pub async fn finish_passkey_registration(
        &self,
        auth: &Authenticated,
        registration_id: &str,
        name: Option<&str>,
        response: &Value,
        client: &Client,
    ) -> Result<(PasskeyInfo, RecoveryCodes)> {
        let relying = self.relying()?;
        let name = passkey_name(name)?;
        let account = self.load_account(&auth.account_id).await?;
        let now = now_ms();
        let mut tx = self.write().await?;
        let first = self
            .second_factor_methods(&mut tx, &account)
            .await?
            .is_empty();
        let state = tx
            .take_ceremony(
                registration_id,
                &account.id,
                REGISTER,
                now - CEREMONY_MINUTES * MINUTE,
            )
            .await?
            .ok_or(Error::ChallengeExpired)?;
        let (credential_id, credential) = relying
            .finish_registration(&state, response)
            .map_err(rejected)?;
        match tx
            .insert_passkey(&Passkey {
                credential_id: credential_id.clone(),
                account_id: account.id.clone(),
                name: name.clone(),
                credential,
                created_at: now,
                last_used_at: None,
            })
            .await
        {
            Ok(()) => {}
            Err(StoreError::Conflict(_)) => return Err(Error::PasskeyRejected),
            Err(e) => return Err(e.into()),
        }
        let codes = if first && tx.recovery_codes_left(&account.id).await? == 0 {
            self.new_recovery_codes(&mut tx, &account.id, now).await?
        } else {
            RecoveryCodes::default()
        };
        self.factor_changed(
            &mut tx,
            &account,
            kind::PASSKEY_ADDED,
            Some(&auth.session_id),
            client,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok((
            PasskeyInfo {
                credential_id,
                name,
                created_at: now,
                last_used_at: None,
            },
            codes,
        ))
    }

    /// `GET /me/mfa/webauthn`.
    pub async fn passkeys(&self, auth: &Authenticated) -> Result<Vec<PasskeyInfo>> {
        let mut tx = self.read().await?;
        let list = tx.passkeys(&auth.account_id).await?;
        tx.commit().await?;
        Ok(list
            .into_iter()
            .map(|p| PasskeyInfo {
                credential_id: p.credential_id,
                name: p.name,
                created_at: p.created_at,
                last_used_at: p.last_used_at,
            })
            .collect())
    }

    /// `PATCH /me/mfa/webauthn/{id}`.
    pub async fn rename_passkey(&self, auth: &Authenticated, id: &str, name: &str) -> Result<()> {
        let name = passkey_name(Some(name))?;
        let mut tx = self.write().await?;
        if !tx.rename_passkey(&auth.account_id, id, &name).await? {
            return Err(Error::NotFound);
        }
        tx.commit().await?;
        Ok(())
    }

    /// `DELETE /me/mfa/webauthn/{id}`: needs the password. The last factor gone, the recovery
    /// codes go too.
    pub async fn remove_passkey(
        &self,
        auth: &Authenticated,
        id: &str,
        current_password: &str,
        client: &Client,
    ) -> Result<()> {
        let account = self.load_account(&auth.account_id).await?;
        self.reauthenticate(&account, current_password).await?;
        let now = now_ms();
        let mut tx = self.write().await?;
        if !tx.delete_passkey(&account.id, id).await? {
            return Err(Error::NotFound);
        }
        let totp = tx
            .totp(&account.id)
            .await?
            .is_some_and(|t| t.confirmed_at.is_some());
        if !totp && tx.passkeys(&account.id).await?.is_empty() {
            tx.replace_recovery_codes(&account.id, &[], now).await?;
        }
        self.factor_changed(
            &mut tx,
            &account,
            kind::PASSKEY_REMOVED,
            Some(&auth.session_id),
            client,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Request options for the account's passkeys, the state kept under `ceremony` (a login
    /// challenge or a recovery id).
    pub(crate) async fn passkey_options(
        &self,
        tx: &mut Unit,
        account: &Account,
        ceremony: &str,
        purpose: &str,
    ) -> Result<Option<Value>> {
        let Some(relying) = self.relying.as_deref() else {
            return Ok(None);
        };
        let creds: Vec<String> = tx
            .passkeys(&account.id)
            .await?
            .into_iter()
            .map(|p| p.credential)
            .collect();
        if creds.is_empty() {
            return Ok(None);
        }
        let (options, state) = relying.start_authentication(&creds).map_err(rejected)?;
        tx.save_ceremony(ceremony, &account.id, purpose, &state, now_ms())
            .await?;
        Ok(Some(options))
    }

    /// Checks an assertion against the ceremony's state (used once). `Ok(false)` when it is
    /// refused (wrong origin or challenge, a replay, a removed passkey).
    pub(crate) async fn check_passkey(
        &self,
        tx: &mut Unit,
        account: &Account,
        ceremony: &str,
        purpose: &str,
        assertion: &Value,
    ) -> Result<bool> {
        let relying = self.relying()?;
        let now = now_ms();
        let Some(state) = tx
            .take_ceremony(
                ceremony,
                &account.id,
                purpose,
                now - CEREMONY_MINUTES * MINUTE,
            )
            .await?
        else {
            return Ok(false);
        };
        let creds: Vec<String> = tx
            .passkeys(&account.id)
            .await?
            .into_iter()
            .map(|p| p.credential)
            .collect();
        match relying.finish_authentication(&state, assertion, &creds) {
            Ok((id, updated)) => {
                tx.update_passkey(&id, updated.as_deref(), now).await?;
                Ok(true)
            }
            Err(webauthn::Error::Rejected(m)) => {
                tracing::info!(reason = %m, "passkey assertion refused");
                // The state is spent either way: the flow commits before it fails.
                Ok(false)
            }
            Err(e) => Err(rejected(e)),
        }
    }
}

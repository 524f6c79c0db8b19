//! The password checks several flows share: re-authentication with the current password (under
//! the same brute-force limits as login) and accepting a new password for an account.

use crate::app::Wangshang;
use crate::clock::now_ms;
use crate::error::{Error, Result};
use crate::identifier::{Email, Phone};
use crate::password::hashing::Verified;
use crate::password::{Password, policy};
use crate::store::Account;
use crate::throttle::{self, Limits};

/// The brute-force keys of an account: one per bound identifier, the same keys login uses.
pub(crate) fn throttle_keys(account: &Account) -> Vec<String> {
    let keys: Vec<String> = [account.phone.as_deref(), account.email.as_deref()]
        .into_iter()
        .flatten()
        .map(throttle::identifier_key)
        .collect();
    if keys.is_empty() {
        vec![throttle::identifier_key(&account.id)]
    } else {
        keys
    }
}

impl Wangshang {
    pub(crate) fn password(&self, raw: &str) -> Result<Password> {
        Password::new(raw, &self.config.password).map_err(|v| Error::WeakPassword(vec![v]))
    }

    /// Refuses with `Throttled` while the account's identifiers are locked or delayed — the
    /// same lock login uses, for every secret the account proves with its password.
    pub(crate) async fn check_account_lock(&self, account: &Account) -> Result<()> {
        self.check_locks(&throttle_keys(account)).await
    }

    /// Counts a wrong secret toward that lock.
    pub(crate) async fn record_account_failure(&self, account: &Account) -> Result<()> {
        self.record_failures(&throttle_keys(account)).await
    }

    /// Refuses with `Throttled` while any of `keys` is locked or delayed (with the limits of an
    /// identifier at login).
    pub(crate) async fn check_locks(&self, keys: &[String]) -> Result<()> {
        let cfg = &self.config.login;
        let now = now_ms();
        let mut tx = self.read().await?;
        for key in keys {
            let state = tx.throttle(key).await?;
            throttle::check(state.as_ref(), cfg, Limits::identifier(cfg), now)?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Counts a failure on each of `keys`, in one unit.
    pub(crate) async fn record_failures(&self, keys: &[String]) -> Result<()> {
        let cfg = &self.config.login;
        let now = now_ms();
        let mut tx = self.write().await?;
        for key in keys {
            throttle::record_failure(&mut tx, key, cfg, Limits::identifier(cfg), now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Checks the account's current password. Failures count toward the same lock as failed
    /// logins, and a locked account is refused before any hashing.
    pub(crate) async fn reauthenticate(&self, account: &Account, current: &str) -> Result<()> {
        self.check_account_lock(account).await?;
        let ok = match Password::new(current, &self.config.password) {
            Ok(p) => self.hasher.verify(&p, Some(&account.password_hash)).await? != Verified::No,
            Err(_) => false,
        };
        if ok {
            return Ok(());
        }
        self.record_account_failure(account).await?;
        Err(Error::InvalidCredentials)
    }

    /// Applies the password policy to a new password for `account` (context words, and not the
    /// current password) and hashes it.
    pub(crate) async fn new_password_hash(&self, account: &Account, new: &str) -> Result<String> {
        let password = self.password(new)?;
        // The account's enterprises may ask for more than the server does.
        let rules = self.password_rules_for(&account.id).await?;
        let phone = account.phone.as_deref().map(Phone::from_e164).transpose()?;
        let email = account.email.as_deref().map(Email::parse).transpose()?;
        let mut violations = policy::check(
            &password,
            &crate::accounts::policy_context(phone.as_ref(), email.as_ref(), &account.nickname),
            &rules,
        );
        if self
            .hasher
            .verify(&password, Some(&account.password_hash))
            .await?
            != Verified::No
        {
            violations.push(policy::Violation::same_as_current());
        }
        if !violations.is_empty() {
            return Err(Error::WeakPassword(violations));
        }
        self.hasher.hash(&password).await
    }
}

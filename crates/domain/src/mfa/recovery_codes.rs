//! Ten single-use recovery codes, made at the first enrolment and on demand (the old set void),
//! stored as keyed hashes, shown once.

use crate::app::{Client, Wangshang};
use crate::clock::{Millis, now_ms};
use crate::error::{Error, Result};
use crate::events::kind;
use crate::random;
use crate::sessions::Authenticated;
use crate::store::Account;
use crate::unit::Unit;

pub const COUNT: usize = 10;
/// Crockford-like alphabet without look-alikes (no 0/o, 1/l/i).
const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// Codes shown once to the user.
#[derive(Clone, Debug, Default)]
pub struct RecoveryCodes(pub Vec<String>);

/// `xxxxx-xxxxx`: 10 characters of a 31-letter alphabet, about 49 bits.
fn new_code() -> String {
    let bytes = random::bytes::<10>();
    let chars: String = bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect();
    format!("{}-{}", &chars[..5], &chars[5..])
}

/// What a user typed, as stored: lower case, without spaces or dashes.
fn normalise(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

impl Wangshang {
    fn recovery_hash(&self, account_id: &str, code: &str) -> String {
        self.code_hash(&format!("recovery:{account_id}"), &normalise(code))
    }

    /// Makes a new set, voiding the old one, inside the caller's transaction.
    pub(crate) async fn new_recovery_codes(
        &self,
        tx: &mut Unit,
        account_id: &str,
        now: Millis,
    ) -> Result<RecoveryCodes> {
        let codes: Vec<String> = (0..COUNT).map(|_| new_code()).collect();
        let hashes: Vec<String> = codes
            .iter()
            .map(|c| self.recovery_hash(account_id, c))
            .collect();
        tx.replace_recovery_codes(account_id, &hashes, now).await?;
        Ok(RecoveryCodes(codes))
    }

    /// `POST /me/mfa/recovery-codes`: a new set (old ones void); needs two-factor on.
    pub async fn regenerate_recovery_codes(
        &self,
        auth: &Authenticated,
        current_password: &str,
        client: &Client,
    ) -> Result<RecoveryCodes> {
        let account = self.load_account(&auth.account_id).await?;
        self.reauthenticate(&account, current_password).await?;
        let status = self.mfa_status(&account.id).await?;
        if !status.totp && !status.webauthn {
            return Err(Error::MfaNotEnabled);
        }
        let now = now_ms();
        let mut tx = self.write().await?;
        let codes = self.new_recovery_codes(&mut tx, &account.id, now).await?;
        self.factor_changed(
            &mut tx,
            &account,
            kind::RECOVERY_CODES_REGENERATED,
            Some(&auth.session_id),
            client,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(codes)
    }

    /// Uses one recovery code; `false` when it is wrong or was used.
    pub(crate) async fn use_recovery_code(
        &self,
        tx: &mut Unit,
        account: &Account,
        code: &str,
    ) -> Result<bool> {
        let hash = self.recovery_hash(&account.id, code);
        Ok(tx.use_recovery_code(&account.id, &hash, now_ms()).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_normalise() {
        let a: Vec<String> = (0..50).map(|_| new_code()).collect();
        let mut b = a.clone();
        b.sort();
        b.dedup();
        assert_eq!(a.len(), b.len());
        assert!(a.iter().all(|c| c.len() == 11 && c.as_bytes()[5] == b'-'));
        assert_eq!(normalise(" ABCDE-fghjk "), "abcdefghjk");
    }
}

//! The repositories a transaction offers, one trait per table family.

use async_trait::async_trait;

use super::{StoreResult, records::*};
use crate::clock::Millis;
use crate::identifier::Channel;

#[async_trait]
pub trait VerificationRepo {
    /// Recent sends to `destination` and from `ip`; each count stops at `cap`.
    async fn send_stats(
        &mut self,
        destination: &str,
        purpose: &str,
        ip: &str,
        now: Millis,
        cap: i64,
    ) -> StoreResult<SendStats>;
    async fn record_send(
        &mut self,
        destination: &str,
        purpose: &str,
        ip: &str,
        now: Millis,
    ) -> StoreResult<()>;
    async fn insert_verification(&mut self, v: &Verification) -> StoreResult<()>;
    async fn verification(&mut self, id: &str) -> StoreResult<Option<Verification>>;
    /// Replaces the code (the newest wins) and counts a send; attempts are kept.
    async fn replace_code(
        &mut self,
        id: &str,
        code_hash: &str,
        now: Millis,
        expires_at: Millis,
    ) -> StoreResult<()>;
    /// Counts one wrong attempt unless `max` is reached; returns the new count, or `None` when the
    /// code was already dead.
    async fn count_wrong_attempt(&mut self, id: &str, max: u32) -> StoreResult<Option<u32>>;
    /// Marks the code used; `false` when it was used, expired or dead already (so of many
    /// concurrent callers exactly one gets `true`).
    async fn consume_verification(
        &mut self,
        id: &str,
        now: Millis,
        max_attempts: u32,
    ) -> StoreResult<bool>;
}

#[async_trait]
pub trait AccountRepo {
    async fn account(&mut self, id: &str) -> StoreResult<Option<Account>>;
    async fn account_by_destination(
        &mut self,
        channel: Channel,
        destination: &str,
    ) -> StoreResult<Option<Account>>;
    /// Fails with [`super::StoreError::Conflict`] when the phone or e-mail is taken.
    async fn insert_account(&mut self, a: &Account) -> StoreResult<()>;
    async fn set_password(
        &mut self,
        account_id: &str,
        hash: &str,
        changed_at: Option<Millis>,
    ) -> StoreResult<()>;
    async fn add_nickname_history(
        &mut self,
        account_id: &str,
        nickname: &str,
        at: Millis,
    ) -> StoreResult<()>;
    /// Sets the current nickname (the caller adds it to the history).
    async fn set_nickname(&mut self, account_id: &str, nickname: &str) -> StoreResult<()>;
    /// The IANA zone of the account's notices; `None` for UTC.
    async fn set_time_zone(&mut self, account_id: &str, zone: Option<&str>) -> StoreResult<()>;
    /// Nicknames the account took (history rows) after `since`: the count and the oldest time.
    async fn nicknames_since(
        &mut self,
        account_id: &str,
        since: Millis,
    ) -> StoreResult<(i64, Option<Millis>)>;
    /// Sets (or with `None` removes) the phone or e-mail of an account. Fails with
    /// [`super::StoreError::Conflict`] when another account has it.
    async fn set_binding(
        &mut self,
        account_id: &str,
        channel: Channel,
        value: Option<&str>,
        verified_at: Option<Millis>,
    ) -> StoreResult<()>;
    /// Notes that the phone was used to log in or recover.
    async fn touch_phone_used(&mut self, account_id: &str, now: Millis) -> StoreResult<()>;
    /// Remembers that the account logged in from a network (or a place); `true` when it had not
    /// before.
    async fn remember_network(
        &mut self,
        account_id: &str,
        network: &str,
        now: Millis,
    ) -> StoreResult<bool>;
    async fn remember_place(
        &mut self,
        account_id: &str,
        place: &str,
        now: Millis,
    ) -> StoreResult<bool>;
    /// The user agent last seen with this device of the account; `None` for a new device.
    async fn known_device(
        &mut self,
        account_id: &str,
        device_id: &str,
    ) -> StoreResult<Option<String>>;
    /// Records that the account used a device; returns `true` when the device was new to it.
    async fn touch_device(
        &mut self,
        account_id: &str,
        device_id: &str,
        user_agent: &str,
        now: Millis,
    ) -> StoreResult<bool>;
}

#[async_trait]
pub trait SessionRepo {
    async fn insert_session(&mut self, s: &Session) -> StoreResult<()>;
    async fn session_by_token_hash(&mut self, token_hash: &str) -> StoreResult<Option<Session>>;
    /// Moves `last_seen_at` to `now`, keeping the longest pause between uses.
    async fn touch_session(&mut self, id: &str, now: Millis) -> StoreResult<()>;
    /// The live session a "this wasn't me" link points at.
    async fn session_by_dispute(&mut self, token_hash: &str) -> StoreResult<Option<Session>>;
    /// Sessions not revoked and not past their absolute expiry.
    async fn live_sessions(&mut self, account_id: &str, now: Millis) -> StoreResult<Vec<Session>>;
    async fn revoke_session(
        &mut self,
        account_id: &str,
        id: &str,
        now: Millis,
    ) -> StoreResult<bool>;
    /// Revokes every session of the account except `keep`; returns how many.
    async fn revoke_sessions(
        &mut self,
        account_id: &str,
        keep: Option<&str>,
        now: Millis,
    ) -> StoreResult<u64>;
}

#[async_trait]
pub trait ThrottleRepo {
    async fn throttle(&mut self, key: &str) -> StoreResult<Option<Throttle>>;
    async fn save_throttle(&mut self, t: &Throttle) -> StoreResult<()>;
    async fn clear_throttle(&mut self, key: &str) -> StoreResult<()>;
}

#[async_trait]
pub trait EventRepo {
    async fn insert_event(&mut self, e: &NewSecurityEvent) -> StoreResult<()>;
    /// Newest first, ids below `before` when given.
    async fn events(
        &mut self,
        account_id: &str,
        before: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<SecurityEvent>>;
    /// Every event with an id above `after`, oldest first (the operators' export).
    async fn all_events(&mut self, after: i64, limit: u32) -> StoreResult<Vec<SecurityEvent>>;
}

#[async_trait]
pub trait OutboxRepo {
    async fn enqueue(&mut self, m: &OutboxMessage) -> StoreResult<()>;
    /// Claims up to `limit` due messages for `lease_until`; another node never gets the same row
    /// while the lease holds.
    async fn claim_due(
        &mut self,
        now: Millis,
        lease_until: Millis,
        limit: u32,
    ) -> StoreResult<Vec<OutboxMessage>>;
    async fn mark_sent(
        &mut self,
        id: &str,
        provider: &str,
        provider_message_id: Option<&str>,
        now: Millis,
    ) -> StoreResult<()>;
    async fn mark_retry(
        &mut self,
        id: &str,
        next_attempt_at: Millis,
        error: &str,
    ) -> StoreResult<()>;
    /// Ends a message for good: `failed` or `expired`.
    async fn mark_final(&mut self, id: &str, status: &str, error: &str) -> StoreResult<()>;
    /// The status of the newest message to `destination` on `channel` that reached an end
    /// (`sent`, `failed`, `unknown`).
    async fn last_delivery_status(
        &mut self,
        channel: Channel,
        destination: &str,
    ) -> StoreResult<Option<String>>;
    async fn insert_dev_message(&mut self, m: &DevMessage) -> StoreResult<()>;
    /// Newest first.
    async fn dev_messages(
        &mut self,
        destination: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<DevMessage>>;
}

#[async_trait]
pub trait ResetRepo {
    async fn insert_reset(&mut self, r: &PasswordReset) -> StoreResult<()>;
    async fn reset(&mut self, id: &str) -> StoreResult<Option<PasswordReset>>;
    /// Writes the mutable fields (channel, verification, verified channels, token, second factor).
    async fn update_reset(&mut self, r: &PasswordReset) -> StoreResult<()>;
    /// Counts a wrong second factor unless `max` is reached; the new count, or `None` when the
    /// recovery was already dead.
    async fn count_reset_factor_failure(&mut self, id: &str, max: u32) -> StoreResult<Option<u32>>;
    /// Marks the reset completed; `false` when it was completed already (so of many concurrent
    /// callers exactly one gets `true`).
    async fn complete_reset(&mut self, id: &str, now: Millis) -> StoreResult<bool>;
}

#[async_trait]
pub trait BindingRepo {
    async fn insert_binding_change(&mut self, c: &BindingChange) -> StoreResult<()>;
    /// The change whose cancel or confirm link carries this token hash.
    async fn binding_change_by_token(
        &mut self,
        token_hash: &str,
    ) -> StoreResult<Option<BindingChange>>;
    /// The newest change since `since` that bound `value` to the account.
    async fn binding_change_to(
        &mut self,
        account_id: &str,
        value: &str,
        since: Millis,
    ) -> StoreResult<Option<BindingChange>>;
    /// Sets `cancelled_at` or `confirmed_at` once; `false` when the change was settled already.
    async fn settle_binding_change(
        &mut self,
        id: &str,
        cancelled: bool,
        now: Millis,
    ) -> StoreResult<bool>;
}

#[async_trait]
pub trait MfaRepo {
    async fn totp(&mut self, account_id: &str) -> StoreResult<Option<TotpSecret>>;
    /// Replaces the account's TOTP secret (a new enrolment).
    async fn save_totp(&mut self, t: &TotpSecret) -> StoreResult<()>;
    async fn delete_totp(&mut self, account_id: &str) -> StoreResult<()>;
    /// Accepts time step `step` once: `false` when a step this new was accepted already (a
    /// replay). With `confirm`, also ends the enrolment.
    async fn accept_totp_step(
        &mut self,
        account_id: &str,
        step: i64,
        confirm: Option<Millis>,
    ) -> StoreResult<bool>;
    /// Voids every recovery code of the account and stores new ones.
    async fn replace_recovery_codes(
        &mut self,
        account_id: &str,
        hashes: &[String],
        now: Millis,
    ) -> StoreResult<()>;
    /// Uses a recovery code; `false` when it does not exist or was used (exactly one of many
    /// concurrent uses gets `true`).
    async fn use_recovery_code(
        &mut self,
        account_id: &str,
        hash: &str,
        now: Millis,
    ) -> StoreResult<bool>;
    async fn recovery_codes_left(&mut self, account_id: &str) -> StoreResult<u32>;
}

#[async_trait]
pub trait ChallengeRepo {
    async fn insert_challenge(&mut self, c: &LoginChallenge) -> StoreResult<()>;
    async fn challenge(&mut self, id: &str) -> StoreResult<Option<LoginChallenge>>;
    /// Counts a wrong answer unless `max` is reached; the new count, or `None` when the challenge
    /// was dead already.
    async fn count_challenge_failure(&mut self, id: &str, max: u32) -> StoreResult<Option<u32>>;
    /// Completes the challenge; `false` when it was completed, dead or expired already.
    async fn complete_challenge(&mut self, id: &str, now: Millis, max: u32) -> StoreResult<bool>;
    async fn set_challenge_state(&mut self, id: &str, webauthn_state: &str) -> StoreResult<()>;
    /// Points a new-device challenge at a new code (a switch of channel).
    async fn set_challenge_code(
        &mut self,
        id: &str,
        verification_id: &str,
        method: &str,
    ) -> StoreResult<()>;
}

#[async_trait]
pub trait PasskeyRepo {
    async fn passkeys(&mut self, account_id: &str) -> StoreResult<Vec<Passkey>>;
    /// Fails with [`super::StoreError::Conflict`] when the credential is registered already.
    async fn insert_passkey(&mut self, p: &Passkey) -> StoreResult<()>;
    /// Stores the credential after a use (its counter moved).
    async fn update_passkey(
        &mut self,
        credential_id: &str,
        credential: Option<&str>,
        used_at: Millis,
    ) -> StoreResult<()>;
    async fn rename_passkey(
        &mut self,
        account_id: &str,
        credential_id: &str,
        name: &str,
    ) -> StoreResult<bool>;
    async fn delete_passkey(&mut self, account_id: &str, credential_id: &str) -> StoreResult<bool>;
    async fn security_questions(&mut self, account_id: &str) -> StoreResult<Vec<SecurityQuestion>>;
    /// Replaces every security question of the account.
    async fn replace_security_questions(
        &mut self,
        account_id: &str,
        questions: &[SecurityQuestion],
        now: Millis,
    ) -> StoreResult<()>;
    /// Keeps a ceremony's state (replacing one with the same id).
    async fn save_ceremony(
        &mut self,
        id: &str,
        account_id: &str,
        purpose: &str,
        state: &str,
        now: Millis,
    ) -> StoreResult<()>;
    /// Takes a ceremony's state out, so it is used once; `None` when absent or older than
    /// `since`.
    async fn take_ceremony(
        &mut self,
        id: &str,
        account_id: &str,
        purpose: &str,
        since: Millis,
    ) -> StoreResult<Option<String>>;
}

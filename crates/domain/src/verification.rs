//! Verification codes (SPEC §2 points 2–3): 6 digits from the CSPRNG, a keyed hash at rest,
//! single use, the newest code wins, dead after 5 wrong attempts, resend limits per destination
//! and per IP. The answer never says whether the destination belongs to an account.

use serde_json::json;

use crate::app::{Client, Wangshang};
use crate::clock::{DAY, HOUR, Millis, SECOND, now_ms, secs_until};
use crate::config::CodeConfig;
use crate::error::{Error, Result};
use crate::identifier::{Channel, Destination};
use crate::messages::template;
use crate::outbox;
use crate::random;
use crate::store::{SendStats, Verification};
use crate::unit::Unit;

pub const CODE_DIGITS: u32 = 6;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    Register,
    SupportContact,
    PasswordReset,
    Bind,
    Login,
    /// The one-time code of an approved support ticket, at the proven contact.
    SupportRecovery,
    /// An enterprise asked the member to re-verify a bound phone or e-mail.
    Reverify,
}

impl Purpose {
    /// The purposes a client may ask for at `POST /verifications`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "register" => Some(Purpose::Register),
            "support_contact" => Some(Purpose::SupportContact),
            _ => None,
        }
    }
    fn from_stored(s: &str) -> Option<Self> {
        match s {
            "password_reset" => Some(Purpose::PasswordReset),
            "bind" => Some(Purpose::Bind),
            "login" => Some(Purpose::Login),
            "support_recovery" => Some(Purpose::SupportRecovery),
            "reverify" => Some(Purpose::Reverify),
            other => Self::parse(other),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Register => "register",
            Purpose::SupportContact => "support_contact",
            Purpose::PasswordReset => "password_reset",
            Purpose::Bind => "bind",
            Purpose::Login => "login",
            Purpose::SupportRecovery => "support_recovery",
            Purpose::Reverify => "reverify",
        }
    }
    fn template(self) -> &'static str {
        match self {
            Purpose::Register => template::REGISTER_CODE,
            Purpose::SupportContact => template::SUPPORT_CONTACT_CODE,
            Purpose::PasswordReset => template::PASSWORD_RESET_CODE,
            Purpose::Bind => template::BIND_CODE,
            Purpose::Login => template::LOGIN_CODE,
            Purpose::SupportRecovery => template::SUPPORT_RECOVERY_CODE,
            Purpose::Reverify => template::REVERIFY_CODE,
        }
    }
}

/// Prefix of the destination of a recovery code that goes nowhere: the identifier matched no
/// account, or the account has no such channel. Limits still count it like a real one.
pub(crate) const DECOY: &str = "decoy:";

/// What a new code turns into at its destination.
enum Delivery {
    /// The code itself.
    Code,
    /// A notice instead of the code ("someone tried to register with this number"), and a
    /// stored hash no code matches.
    Notice(&'static str),
    /// Nothing at all, and a stored hash no code matches.
    Nothing,
}

/// A code to make: for what, to where, for which account.
pub(crate) struct NewCode<'a> {
    pub purpose: Purpose,
    pub channel: Channel,
    pub destination: &'a str,
    pub account_id: Option<&'a str>,
    pub attempts: u32,
    /// The account's locale for the message; the default locale when `None`.
    pub locale: Option<&'a str>,
}

/// What the requester is told after a code was (or was said to be) sent.
#[derive(Clone, Debug)]
pub struct CodeSent {
    pub id: String,
    pub channel: Channel,
    pub masked_destination: String,
    pub expires_in: i64,
    pub resend_after: i64,
    /// `sms_undeliverable` when the last SMS to this destination failed for good: the user
    /// should switch to e-mail. It depends on the destination only, never on an account.
    pub delivery_hint: Option<&'static str>,
}

/// The hint shown when the last SMS to a destination failed for good.
pub const SMS_UNDELIVERABLE: &str = "sms_undeliverable";

/// Decides whether another message may go to `destination` from `ip` now.
pub fn send_allowed(stats: &SendStats, cfg: &CodeConfig, now: Millis) -> Result<()> {
    let burst = |oldest: Option<Millis>, window: Millis| Error::Throttled {
        retry_after: oldest
            .map(|o| secs_until(now, o + window))
            .unwrap_or(0)
            .max(cfg.burst_retry_after_secs),
    };
    if stats.destination_day >= cfg.per_destination_day {
        return Err(burst(stats.oldest_destination_day, DAY));
    }
    if stats.destination_hour >= cfg.per_destination_hour {
        return Err(burst(stats.oldest_destination_hour, HOUR));
    }
    if stats.ip_day >= cfg.per_ip_day {
        return Err(burst(stats.oldest_ip_day, DAY));
    }
    if stats.ip_hour >= cfg.per_ip_hour {
        return Err(burst(stats.oldest_ip_hour, HOUR));
    }
    if let Some(last) = stats.last_to_destination {
        let next = last + cfg.resend_interval_secs * SECOND;
        if now < next {
            return Err(Error::Throttled {
                retry_after: secs_until(now, next),
            });
        }
    }
    Ok(())
}

impl Wangshang {
    /// The answer for a code just queued. The delivery hint looks at the destination a decoy
    /// stands for, exactly as the send limits do.
    pub(crate) async fn code_sent(
        &self,
        tx: &mut Unit,
        v: &Verification,
        masked: String,
        now: Millis,
    ) -> Result<CodeSent> {
        let delivery_hint = if v.channel == Channel::Sms {
            let destination = v.destination.strip_prefix(DECOY).unwrap_or(&v.destination);
            let last = tx.last_delivery_status(Channel::Sms, destination).await?;
            (last.as_deref() == Some("failed")).then_some(SMS_UNDELIVERABLE)
        } else {
            None
        };
        Ok(CodeSent {
            id: v.id.clone(),
            channel: v.channel,
            masked_destination: masked,
            expires_in: (v.expires_at - now).max(0) / SECOND,
            resend_after: self.config.codes.resend_interval_secs,
            delivery_hint,
        })
    }

    /// Checks the send limits and records a send, inside the caller's transaction. The 60 s wait
    /// is between codes of one purpose (a recovery code may follow a sign-up code at once); the
    /// hourly and daily caps count every send to the destination and from the IP.
    pub(crate) async fn take_send_slot(
        &self,
        tx: &mut Unit,
        destination: &str,
        purpose: Purpose,
        client: &Client,
        now: Millis,
    ) -> Result<()> {
        // A decoy counts against the destination it stands for.
        let destination = destination.strip_prefix(DECOY).unwrap_or(destination);
        tx.lock_key(&format!("send:{destination}")).await?;
        tx.lock_key(&format!("send-ip:{}", client.ip)).await?;
        let c = &self.config.codes;
        let cap = [
            c.per_destination_hour,
            c.per_destination_day,
            c.per_ip_hour,
            c.per_ip_day,
        ]
        .into_iter()
        .max()
        .unwrap_or(0)
        .saturating_add(1);
        let stats = tx
            .send_stats(destination, purpose.as_str(), &client.ip, now, cap)
            .await?;
        send_allowed(&stats, &self.config.codes, now)?;
        tx.record_send(destination, purpose.as_str(), &client.ip, now)
            .await?;
        Ok(())
    }

    /// Decides what a code for this purpose and destination turns into: a taken destination
    /// gets a notice, a decoy gets nothing.
    async fn delivery(
        &self,
        tx: &mut Unit,
        purpose: Purpose,
        channel: Channel,
        destination: &str,
    ) -> Result<Delivery> {
        let notice = match purpose {
            Purpose::Register => Some(template::REGISTER_TAKEN),
            Purpose::Bind => Some(template::BIND_TAKEN),
            Purpose::PasswordReset if destination.starts_with(DECOY) => {
                return Ok(Delivery::Nothing);
            }
            _ => None,
        };
        Ok(match notice {
            Some(t)
                if tx
                    .account_by_destination(channel, destination)
                    .await?
                    .is_some() =>
            {
                Delivery::Notice(t)
            }
            _ => Delivery::Code,
        })
    }

    /// Makes a fresh code for `v` (a new verification or a resend), stores its hash in `v`, and
    /// queues what goes to the destination.
    async fn queue_code(
        &self,
        tx: &mut Unit,
        v: &mut Verification,
        purpose: Purpose,
        locale: &str,
        client: &Client,
        now: Millis,
    ) -> Result<()> {
        let code = random::digits(CODE_DIGITS);
        let delivery = self
            .delivery(tx, purpose, v.channel, &v.destination)
            .await?;
        v.code_hash = match delivery {
            Delivery::Code => self.code_hash(&v.id, &code),
            Delivery::Notice(_) | Delivery::Nothing => format!("x{}", random::token()),
        };
        let msg = match delivery {
            // A row that is never sent: the same writes as a real code, so timing tells nothing,
            // and operators can see recoveries asked for unknown identifiers.
            Delivery::Nothing => {
                let mut m = outbox::message(
                    v.channel,
                    &v.destination,
                    purpose.template(),
                    locale,
                    json!({}),
                    Some(v.expires_at),
                );
                m.status = "suppressed".into();
                m
            }
            Delivery::Notice(t) => outbox::message(
                v.channel,
                &v.destination,
                t,
                locale,
                json!({"when": now, "ip": client.ip}),
                None,
            ),
            Delivery::Code => outbox::message(
                v.channel,
                &v.destination,
                purpose.template(),
                locale,
                json!({"code": code, "minutes": self.config.codes.ttl_secs / 60}),
                Some(v.expires_at),
            ),
        };
        tx.enqueue(&msg).await?;
        Ok(())
    }

    /// Takes a send slot, writes a new verification and queues its message, inside the caller's
    /// transaction. `attempts` carries wrong attempts over from an earlier code of the same flow.
    pub(crate) async fn new_code(
        &self,
        tx: &mut Unit,
        code: NewCode<'_>,
        client: &Client,
        now: Millis,
    ) -> Result<Verification> {
        self.take_send_slot(tx, code.destination, code.purpose, client, now)
            .await?;
        let mut v = Verification {
            id: random::id(),
            purpose: code.purpose.as_str().into(),
            channel: code.channel,
            destination: code.destination.into(),
            code_hash: String::new(),
            attempts: code.attempts,
            sends: 1,
            created_at: now,
            expires_at: now + self.config.codes.ttl_secs * SECOND,
            last_sent_at: now,
            consumed_at: None,
            account_id: code.account_id.map(str::to_owned),
        };
        let locale = code.locale.unwrap_or(&self.config.default_locale);
        self.queue_code(tx, &mut v, code.purpose, locale, client, now)
            .await?;
        tx.insert_verification(&v).await?;
        Ok(v)
    }

    /// Sends a new code for an existing verification (the newest wins; attempts are kept).
    pub(crate) async fn renew_code(
        &self,
        tx: &mut Unit,
        v: &mut Verification,
        client: &Client,
        now: Millis,
    ) -> Result<()> {
        let purpose = Purpose::from_stored(&v.purpose).ok_or(Error::NotFound)?;
        if v.consumed_at.is_some() || v.attempts >= self.config.codes.max_attempts {
            return Err(Error::CodeExpired);
        }
        self.take_send_slot(tx, &v.destination, purpose, client, now)
            .await?;
        v.expires_at = now + self.config.codes.ttl_secs * SECOND;
        let locale = match &v.account_id {
            Some(id) => tx.account(id).await?.map(|a| a.locale),
            None => None,
        }
        .unwrap_or_else(|| self.config.default_locale.clone());
        self.queue_code(tx, v, purpose, &locale, client, now)
            .await?;
        tx.replace_code(&v.id, &v.code_hash, now, v.expires_at)
            .await?;
        Ok(())
    }

    /// `POST /verifications`.
    #[tracing::instrument(skip(self, destination, client))]
    pub async fn start_verification(
        &self,
        purpose: Purpose,
        channel: Channel,
        destination: &str,
        client: &Client,
    ) -> Result<CodeSent> {
        let dest = Destination::parse(channel, destination, &self.config.default_region)?;
        let now = now_ms();
        let mut tx = self.write().await?;
        let v = self
            .new_code(
                &mut tx,
                NewCode {
                    purpose,
                    channel,
                    destination: dest.as_str(),
                    account_id: None,
                    attempts: 0,
                    locale: None,
                },
                client,
                now,
            )
            .await?;
        let sent = self.code_sent(&mut tx, &v, dest.masked(), now).await?;
        tx.commit().await?;
        Ok(sent)
    }

    /// `POST /verifications/{id}/resend`: a new code replaces the old one; wrong attempts are kept.
    #[tracing::instrument(skip(self, client))]
    pub async fn resend_verification(&self, id: &str, client: &Client) -> Result<CodeSent> {
        let now = now_ms();
        let mut tx = self.write().await?;
        let mut v = tx.verification(id).await?.ok_or(Error::NotFound)?;
        // Recovery and login codes are resent through their own flows.
        if v.purpose == Purpose::PasswordReset.as_str()
            || v.purpose == Purpose::Login.as_str()
            || v.purpose == Purpose::SupportRecovery.as_str()
            || v.purpose == Purpose::Reverify.as_str()
        {
            return Err(Error::NotFound);
        }
        self.renew_code(&mut tx, &mut v, client, now).await?;
        let masked = crate::identifier::mask_stored(v.channel, &v.destination);
        let sent = self.code_sent(&mut tx, &v, masked, now).await?;
        tx.commit().await?;
        Ok(sent)
    }

    /// [`Wangshang::check_code`] as the first step of a flow that owns `tx`: a wrong code's
    /// counted attempt is committed, then the error returned (the one named case of a failing
    /// flow that keeps a write). Any other refusal rolls back.
    pub(crate) async fn checked_code(
        &self,
        mut tx: Unit,
        id: &str,
        purpose: Purpose,
        code: &str,
    ) -> Result<(Unit, Verification)> {
        match self.check_code(&mut tx, id, purpose, code).await {
            Ok(v) => Ok((tx, v)),
            Err(e @ Error::InvalidCode { .. }) => tx.commit_err(e).await,
            Err(e) => Err(e),
        }
    }

    /// Checks a code without using it up, inside the flow's unit. A wrong code counts an
    /// attempt in the unit and fails: the flow must keep that count although it fails, so it
    /// ends with [`Unit::commit_err`] (see [`Wangshang::checked_code`]). The caller consumes a
    /// right code with [`crate::store::VerificationRepo::consume_verification`] in the same unit.
    #[tracing::instrument(skip(self, tx, code))]
    pub(crate) async fn check_code(
        &self,
        tx: &mut Unit,
        id: &str,
        purpose: Purpose,
        code: &str,
    ) -> Result<Verification> {
        let now = now_ms();
        let max = self.config.codes.max_attempts;
        let v = tx
            .verification(id)
            .await?
            .filter(|v| v.purpose == purpose.as_str())
            .ok_or(Error::NotFound)?;
        if v.consumed_at.is_some() || v.expires_at <= now || v.attempts >= max {
            return Err(Error::CodeExpired);
        }
        if self.code_matches(&v.id, code.trim(), &v.code_hash) {
            return Ok(v);
        }
        let counted = tx.count_wrong_attempt(&v.id, max).await?;
        match counted {
            Some(n) => Err(Error::InvalidCode {
                attempts_left: max.saturating_sub(n),
            }),
            None => Err(Error::CodeExpired),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cooldown_then_bursts() {
        let cfg = CodeConfig::default();
        let now = 10 * DAY;
        let mut s = SendStats::default();
        assert!(send_allowed(&s, &cfg, now).is_ok());
        s.last_to_destination = Some(now - 20 * SECOND);
        match send_allowed(&s, &cfg, now) {
            Err(Error::Throttled { retry_after }) => assert_eq!(retry_after, 40),
            other => panic!("{other:?}"),
        }
        s.last_to_destination = Some(now - 61 * SECOND);
        s.destination_hour = 5;
        s.oldest_destination_hour = Some(now - 59 * 60 * SECOND);
        match send_allowed(&s, &cfg, now) {
            Err(Error::Throttled { retry_after }) => assert_eq!(retry_after, 120),
            other => panic!("{other:?}"),
        }
        s.oldest_destination_hour = Some(now - 10 * 60 * SECOND);
        match send_allowed(&s, &cfg, now) {
            Err(Error::Throttled { retry_after }) => assert_eq!(retry_after, 50 * 60),
            other => panic!("{other:?}"),
        }
    }
}

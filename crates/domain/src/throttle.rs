//! Brute-force protection (SPEC §5): consecutive failures per normalised identifier and per client
//! IP, with growing delays and a temporary lock. Keys are identifiers, not accounts, so an unknown
//! identifier is throttled and locked exactly like a known one and reveals nothing.

use crate::clock::{Millis, SECOND, secs_until};
use crate::config::LoginConfig;
use crate::error::{Error, Result};
use crate::store::Throttle;
use crate::unit::Unit;

pub fn identifier_key(normalised: &str) -> String {
    format!("id:{normalised}")
}

pub fn ip_key(ip: &str) -> String {
    format!("ip:{ip}")
}

/// Limits of one kind of key.
#[derive(Clone, Copy)]
pub struct Limits {
    pub delay_after: u32,
    pub lock_after: u32,
}

impl Limits {
    pub fn identifier(cfg: &LoginConfig) -> Self {
        Self {
            delay_after: cfg.delay_after,
            lock_after: cfg.lock_after,
        }
    }
    pub fn ip(cfg: &LoginConfig) -> Self {
        Self {
            delay_after: cfg.ip_delay_after,
            lock_after: cfg.ip_lock_after,
        }
    }
}

/// The wait imposed after `failures` consecutive failures: none up to `delay_after`, then
/// doubling from `base_delay_ms` up to `max_delay_secs`.
pub fn delay_ms(cfg: &LoginConfig, limits: Limits, failures: u32) -> Millis {
    if failures < limits.delay_after {
        return 0;
    }
    let doublings = (failures - limits.delay_after).min(30);
    cfg.base_delay_ms
        .saturating_mul(1i64 << doublings)
        .min(cfg.max_delay_secs * SECOND)
}

/// Refuses an attempt while the key is locked or its delay has not passed.
pub fn check(
    state: Option<&Throttle>,
    cfg: &LoginConfig,
    limits: Limits,
    now: Millis,
) -> Result<()> {
    let Some(t) = state else { return Ok(()) };
    if let Some(until) = t.locked_until {
        if now < until {
            return Err(Error::Throttled {
                retry_after: secs_until(now, until),
            });
        }
        return Ok(());
    }
    let wait = delay_ms(cfg, limits, t.failures);
    if wait > 0 && now < t.last_failure_at + wait {
        return Err(Error::Throttled {
            retry_after: secs_until(now, t.last_failure_at + wait),
        });
    }
    Ok(())
}

/// Whether a state is an expired lock (the count starts over after a lock ran out).
fn lock_expired(t: &Throttle, now: Millis) -> bool {
    t.locked_until.is_some_and(|u| u <= now)
}

/// Counts a failure; returns `true` when this failure locked the key.
pub async fn record_failure(
    tx: &mut Unit,
    key: &str,
    cfg: &LoginConfig,
    limits: Limits,
    now: Millis,
) -> Result<bool> {
    tx.lock_key(key).await?;
    let mut t = match tx.throttle(key).await? {
        Some(t) if !lock_expired(&t, now) => t,
        _ => Throttle {
            key: key.to_owned(),
            failures: 0,
            last_failure_at: now,
            locked_until: None,
        },
    };
    t.failures += 1;
    t.last_failure_at = now;
    let locks = t.failures >= limits.lock_after && t.locked_until.is_none();
    if locks {
        t.locked_until = Some(now + cfg.lock_secs * SECOND);
    }
    tx.save_throttle(&t).await?;
    Ok(locks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_then_cap() {
        let cfg = LoginConfig::default();
        let l = Limits::identifier(&cfg);
        let d: Vec<_> = (0..12).map(|f| delay_ms(&cfg, l, f)).collect();
        assert_eq!(&d[..6], &[0, 0, 0, 1000, 2000, 4000]);
        assert_eq!(d[11], 60_000);
    }

    #[test]
    fn locked_keys_are_refused_until_the_lock_ends() {
        let cfg = LoginConfig::default();
        let l = Limits::identifier(&cfg);
        let t = Throttle {
            key: "k".into(),
            failures: 10,
            last_failure_at: 0,
            locked_until: Some(900_000),
        };
        assert!(matches!(
            check(Some(&t), &cfg, l, 1000),
            Err(Error::Throttled { retry_after: 899 })
        ));
        assert!(check(Some(&t), &cfg, l, 900_000).is_ok());
    }
}

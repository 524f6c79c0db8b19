//! The one decision on whether a session may reach an enterprise's data now.

use super::SecondFactor;
use super::rules::parse_network;
use crate::clock::{DAY, HOUR, MINUTE, Millis};
use crate::error::{Error, Result};
use crate::sessions::Authenticated;
use crate::store::OrgPolicy;
use crate::unit::Unit;

pub const REQUIRES_2FA: &str = "policy_requires_2fa";
pub const NETWORK: &str = "policy_network";
pub const SESSION_EXPIRED: &str = "policy_session_expired";
pub const SUSPENDED: &str = "member_suspended";

/// Refuses `caller` the data of enterprise `org_id` when the enterprise's policy is not met:
/// `policy_network` outside the allowed networks, `policy_session_expired` past the session
/// limits, `policy_requires_2fa` without the required second factor once the grace period is
/// over. Every path to an enterprise's conversations asks this, inside its own unit.
pub async fn gate(tx: &mut Unit, caller: &Authenticated, org_id: &str, now: Millis) -> Result<()> {
    // A suspended member's messages stay; the enterprise's conversations are closed to them.
    if tx
        .org_suspension(org_id, &caller.account_id)
        .await?
        .is_some()
    {
        tx.note_blocked(org_id, &caller.account_id, SUSPENDED, now);
        return Err(Error::PolicyBlocked {
            code: SUSPENDED,
            org_id: org_id.to_owned(),
        });
    }
    let Some(p) = tx.org_policy(org_id).await? else {
        return Ok(());
    };
    match breach(tx, &p, caller, now).await? {
        None => Ok(()),
        Some(code) => {
            tx.note_blocked(org_id, &caller.account_id, code, now);
            Err(Error::PolicyBlocked {
                code,
                org_id: org_id.to_owned(),
            })
        }
    }
}

/// The first rule of `p` that `caller` breaks, if any.
pub(crate) async fn breach(
    tx: &mut Unit,
    p: &OrgPolicy,
    caller: &Authenticated,
    now: Millis,
) -> Result<Option<&'static str>> {
    if !p.allowed_networks.is_empty() {
        // An address that does not parse (none known) is outside every network.
        let inside = caller.ip.parse::<std::net::IpAddr>().is_ok_and(|ip| {
            p.allowed_networks
                .iter()
                .filter_map(|n| parse_network(n))
                .any(|n| n.contains(&ip))
        });
        if !inside {
            return Ok(Some(NETWORK));
        }
    }
    if p.session_max_age_hours
        .is_some_and(|h| now - caller.created_at >= h * HOUR)
        || p.session_idle_minutes
            .is_some_and(|m| caller.longest_idle_ms >= m * MINUTE)
    {
        return Ok(Some(SESSION_EXPIRED));
    }
    if second_factor_deadline(tx, p, &caller.account_id)
        .await?
        .is_some_and(|deadline| now >= deadline)
    {
        return Ok(Some(REQUIRES_2FA));
    }
    Ok(None)
}

/// When the account must have the second factor `p` requires and it lacks: the end of its grace
/// period (from the requirement, or from joining when that was later). `None` when nothing is
/// required or the account has it.
pub(crate) async fn second_factor_deadline(
    tx: &mut Unit,
    p: &OrgPolicy,
    account_id: &str,
) -> Result<Option<Millis>> {
    let required = SecondFactor::parse(&p.require_second_factor).unwrap_or(SecondFactor::Off);
    if required == SecondFactor::Off || has_factor(tx, account_id, required).await? {
        return Ok(None);
    }
    let since = p.second_factor_since.unwrap_or(p.updated_at);
    // A member who joined later gets the whole grace period from joining.
    let joined = tx
        .org_member(&p.org_id, account_id)
        .await?
        .map_or(since, |m| m.joined_at);
    Ok(Some(since.max(joined) + p.grace_days * DAY))
}

/// Whether the account has a second factor of the kind required.
pub(crate) async fn has_factor(
    tx: &mut Unit,
    account_id: &str,
    required: SecondFactor,
) -> Result<bool> {
    if !tx.passkeys(account_id).await?.is_empty() {
        return Ok(true);
    }
    if required == SecondFactor::Passkey {
        return Ok(false);
    }
    Ok(tx
        .totp(account_id)
        .await?
        .is_some_and(|t| t.confirmed_at.is_some()))
}

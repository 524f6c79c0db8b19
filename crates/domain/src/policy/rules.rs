//! A policy as an owner submits it, and its validation.

use ipnet::IpNet;

use crate::clock::Millis;
use crate::config::PasswordConfig;
use crate::error::{Error, Result};
use crate::store::OrgPolicy;

/// Longest grace period for setting up a second factor.
pub const MAX_GRACE_DAYS: i64 = 90;
/// Most entries in the allowed-networks list.
pub const MAX_NETWORKS: usize = 64;
/// Shortest idle limit: sessions note their use once a minute, so shorter limits would misjudge.
pub const MIN_IDLE_MINUTES: i64 = 5;
pub const MAX_IDLE_MINUTES: i64 = 30 * 24 * 60;
pub const MAX_AGE_HOURS: i64 = 365 * 24;

/// Which second factor the enterprise requires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecondFactor {
    Off,
    /// An authenticator app or a passkey.
    Any,
    /// Passkeys only (phishing-resistant).
    Passkey,
}

impl SecondFactor {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "off" => Some(Self::Off),
            "any" => Some(Self::Any),
            "passkey" => Some(Self::Passkey),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Off => "off",
            Self::Any => "any",
            Self::Passkey => "passkey",
        }
    }
}

/// The fields of `PUT /orgs/{id}/policy`.
#[derive(Clone, Debug)]
pub struct PolicyInput {
    pub require_second_factor: String,
    pub grace_days: i64,
    pub password_min_length: Option<i64>,
    pub password_min_score: Option<i64>,
    pub password_require_composition: Option<bool>,
    pub session_max_age_hours: Option<i64>,
    pub session_idle_minutes: Option<i64>,
    pub allowed_networks: Vec<String>,
    pub support_needs_admin: bool,
}

/// A policy that passed validation.
pub struct Checked {
    second_factor: SecondFactor,
    input: PolicyInput,
    networks: Vec<String>,
}

fn invalid(detail: &'static str) -> Error {
    Error::Rejected {
        code: "invalid_policy",
        detail,
    }
}

impl PolicyInput {
    /// Checks every field; the password rules may only be stricter than the server's.
    pub fn check(&self, server: &PasswordConfig) -> Result<Checked> {
        let second_factor = SecondFactor::parse(&self.require_second_factor)
            .ok_or_else(|| invalid("require_second_factor must be off, any or passkey."))?;
        if !(0..=MAX_GRACE_DAYS).contains(&self.grace_days) {
            return Err(invalid("grace_days must be between 0 and 90."));
        }
        if let Some(n) = self.password_min_length {
            let server_min = i64::try_from(server.min_length).unwrap_or(i64::MAX);
            let server_max = i64::try_from(server.max_length).unwrap_or(i64::MAX);
            if n < server_min || n > server_max.min(64) {
                return Err(invalid(
                    "password_min_length must be at least the server's minimum and at most 64.",
                ));
            }
        }
        if let Some(s) = self.password_min_score
            && !(0..=4).contains(&s)
        {
            return Err(invalid("password_min_score must be between 0 and 4."));
        }
        if let Some(h) = self.session_max_age_hours
            && !(1..=MAX_AGE_HOURS).contains(&h)
        {
            return Err(invalid("session_max_age_hours must be between 1 and 8760."));
        }
        if let Some(m) = self.session_idle_minutes
            && !(MIN_IDLE_MINUTES..=MAX_IDLE_MINUTES).contains(&m)
        {
            return Err(invalid("session_idle_minutes must be between 5 and 43200."));
        }
        if self.allowed_networks.len() > MAX_NETWORKS {
            return Err(invalid("allowed_networks has at most 64 entries."));
        }
        let mut networks = Vec::with_capacity(self.allowed_networks.len());
        for raw in &self.allowed_networks {
            let net = parse_network(raw).ok_or(Error::Rejected {
                code: "invalid_network",
                detail: "Each allowed network must be an address block such as 203.0.113.0/24 or 2001:db8::/32.",
            })?;
            let s = net.to_string();
            if !networks.contains(&s) {
                networks.push(s);
            }
        }
        Ok(Checked {
            second_factor,
            input: self.clone(),
            networks,
        })
    }
}

/// A CIDR block (host bits cleared) or a single address.
pub fn parse_network(raw: &str) -> Option<IpNet> {
    let raw = raw.trim();
    if let Ok(n) = raw.parse::<IpNet>() {
        return Some(n.trunc());
    }
    raw.parse::<std::net::IpAddr>().ok().map(IpNet::from)
}

impl Checked {
    pub fn into_policy(self, org_id: &str, by: &str, now: Millis) -> OrgPolicy {
        let i = self.input;
        OrgPolicy {
            org_id: org_id.to_owned(),
            require_second_factor: self.second_factor.as_str().to_owned(),
            grace_days: i.grace_days,
            second_factor_since: None,
            password_min_length: i.password_min_length,
            password_min_score: i.password_min_score,
            password_require_composition: i.password_require_composition.unwrap_or(false),
            session_max_age_hours: i.session_max_age_hours,
            session_idle_minutes: i.session_idle_minutes,
            allowed_networks: self.networks,
            support_needs_admin: i.support_needs_admin,
            updated_by: by.to_owned(),
            updated_at: now,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_parse_as_blocks_or_addresses() {
        assert_eq!(
            parse_network("10.1.2.3/8").map(|n| n.to_string()),
            Some("10.0.0.0/8".into())
        );
        assert_eq!(
            parse_network("127.0.0.1").map(|n| n.to_string()),
            Some("127.0.0.1/32".into())
        );
        assert!(parse_network("10.0.0.0/33").is_none());
        assert!(parse_network("intranet").is_none());
    }
}

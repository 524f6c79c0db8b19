//! Phone numbers and e-mail addresses: parsed and normalised at the edge, masked for display.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// How a code or notice reaches a person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Sms,
    Email,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Sms => "sms",
            Channel::Email => "email",
        }
    }
    /// The other channel: e-mail for SMS and back.
    pub fn other(self) -> Self {
        match self {
            Channel::Sms => Channel::Email,
            Channel::Email => Channel::Sms,
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "sms" => Some(Channel::Sms),
            "email" => Some(Channel::Email),
            _ => None,
        }
    }
}

/// A phone number in E.164 form (`+8613812345678`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phone {
    e164: String,
    national: String,
}

impl Phone {
    /// Parses a number written with or without a country code; `region` is used without one.
    pub fn parse(input: &str, region: &str) -> Result<Self> {
        let input = input.trim();
        if input.is_empty() || input.len() > 32 {
            return Err(Error::InvalidPhone);
        }
        // A number with a country code is read without the default region (the crate refuses
        // some international numbers when given a different default region).
        let region: Option<phonenumber::country::Id> = if input.starts_with('+') {
            None
        } else {
            region.parse().ok()
        };
        let number = phonenumber::parse(region, input).map_err(|_| Error::InvalidPhone)?;
        if !phonenumber::is_valid(&number) {
            return Err(Error::InvalidPhone);
        }
        let e164 = number.format().mode(phonenumber::Mode::E164).to_string();
        let national = number.national().value().to_string();
        Ok(Self { e164, national })
    }

    /// Rebuilds a phone from its stored E.164 form.
    pub fn from_e164(e164: &str) -> Result<Self> {
        Self::parse(e164, "ZZ")
    }

    pub fn as_str(&self) -> &str {
        &self.e164
    }

    /// The national significant number, e.g. `13812345678`.
    pub fn national(&self) -> &str {
        &self.national
    }

    /// `138****1234`: the first three and last four digits of the national number.
    pub fn masked(&self) -> String {
        mask_phone(&self.national)
    }
}

fn mask_phone(digits: &str) -> String {
    let chars: Vec<char> = digits.chars().collect();
    if chars.len() <= 7 {
        let keep = chars.len().saturating_sub(2);
        return format!("{}**", chars[..keep].iter().collect::<String>());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

/// An e-mail address: trimmed, domain lower-cased, local part kept as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self> {
        let input = input.trim();
        if input.len() > 254 || input.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(Error::InvalidEmail);
        }
        let (local, domain) = input.rsplit_once('@').ok_or(Error::InvalidEmail)?;
        let domain_ok = domain.len() >= 3
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '.');
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.contains('@')
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && !local.contains(['<', '>', '(', ')', '[', ']', ',', ';', ':', '\\', '"']);
        if !domain_ok || !local_ok {
            return Err(Error::InvalidEmail);
        }
        Ok(Self(format!("{local}@{}", domain.to_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn local_part(&self) -> &str {
        self.0.rsplit_once('@').map(|(l, _)| l).unwrap_or(&self.0)
    }

    /// `z***@example.com`: the first character of the local part and the whole domain.
    pub fn masked(&self) -> String {
        let (local, domain) = self.0.rsplit_once('@').unwrap_or((&self.0, ""));
        let first: String = local.chars().take(1).collect();
        format!("{first}***@{domain}")
    }
}

/// A phone or an e-mail address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Destination {
    Phone(Phone),
    Email(Email),
}

impl Destination {
    /// Parses a destination for a known channel.
    pub fn parse(channel: Channel, input: &str, region: &str) -> Result<Self> {
        match channel {
            Channel::Sms => Phone::parse(input, region).map(Destination::Phone),
            Channel::Email => Email::parse(input).map(Destination::Email),
        }
    }

    /// Parses a login or recovery identifier: an e-mail when it holds `@`, else a phone.
    pub fn parse_identifier(input: &str, region: &str) -> Result<Self> {
        let parsed = if input.contains('@') {
            Email::parse(input).map(Destination::Email)
        } else {
            Phone::parse(input, region).map(Destination::Phone)
        };
        parsed.map_err(|_| Error::InvalidIdentifier)
    }

    pub fn channel(&self) -> Channel {
        match self {
            Destination::Phone(_) => Channel::Sms,
            Destination::Email(_) => Channel::Email,
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Destination::Phone(p) => p.as_str(),
            Destination::Email(e) => e.as_str(),
        }
    }

    pub fn masked(&self) -> String {
        match self {
            Destination::Phone(p) => p.masked(),
            Destination::Email(e) => e.masked(),
        }
    }
}

/// Masks a stored destination of a known channel (stored values are already normalised).
pub fn mask_stored(channel: Channel, stored: &str) -> String {
    match channel {
        Channel::Sms => Phone::from_e164(stored)
            .map(|p| p.masked())
            .unwrap_or_else(|_| mask_phone(stored.trim_start_matches('+'))),
        Channel::Email => Email::parse(stored)
            .map(|e| e.masked())
            .unwrap_or_else(|_| "***".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_is_normalised_to_e164_with_default_region_cn() {
        let p = Phone::parse("138 1234 5678", "CN").unwrap();
        assert_eq!(p.as_str(), "+8613812345678");
        assert_eq!(p.masked(), "138****5678");
        let q = Phone::parse("+86 138-1234-5678", "US").unwrap();
        assert_eq!(q, p);
    }

    #[test]
    fn malformed_phones_are_refused() {
        for bad in ["", "12", "abc", "+86 123", "1381234567890123456789"] {
            assert!(Phone::parse(bad, "CN").is_err(), "{bad}");
        }
    }

    #[test]
    fn email_domain_is_lowercased_and_masked() {
        let e = Email::parse("  Zhang.San@Example.COM ").unwrap();
        assert_eq!(e.as_str(), "Zhang.San@example.com");
        assert_eq!(e.masked(), "Z***@example.com");
        for bad in [
            "",
            "a",
            "a@b",
            "a@@b.com",
            "a b@c.com",
            "@c.com",
            "a@.com",
            "a@c..com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }
}

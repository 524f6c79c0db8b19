//! Where a recovery code goes, and what the requester is shown, when there is nowhere real to
//! send it: the identifier matched no account, or the account has no such channel. The answer
//! must look like any other, and the same on every request, so the masked destination of a
//! decoy is derived from the identifier with the server key.

use crate::app::Wangshang;
use crate::identifier::{Channel, Destination, mask_stored};
use crate::store::Account;
use crate::verification::DECOY;

/// Common mail domains a decoy address is drawn from.
const DOMAINS: [&str; 6] = [
    "qq.com",
    "163.com",
    "126.com",
    "gmail.com",
    "outlook.com",
    "foxmail.com",
];

/// The stored destination and the masked form shown for a recovery code on `channel`.
pub(crate) struct Target {
    pub destination: String,
    pub masked: String,
}

impl Wangshang {
    /// Where a recovery code for `identifier` on `channel` goes.
    pub(crate) fn reset_target(
        &self,
        account: Option<&Account>,
        identifier: &Destination,
        channel: Channel,
    ) -> Target {
        if let Some(dest) = account.and_then(|a| a.destination(channel)) {
            return Target {
                destination: dest.to_owned(),
                masked: mask_stored(channel, dest),
            };
        }
        if channel == identifier.channel() {
            // The send limits count the typed identifier, exactly as for a real account, so a
            // registration code to the same destination is throttled the same way.
            return Target {
                destination: format!("{DECOY}{}", identifier.as_str()),
                masked: identifier.masked(),
            };
        }
        Target {
            destination: format!("{DECOY}{}-of:{}", channel.as_str(), identifier.as_str()),
            masked: self.decoy_mask(channel, identifier.as_str()),
        }
    }

    /// A plausible, stable masked phone or address derived from the identifier.
    fn decoy_mask(&self, channel: Channel, identifier: &str) -> String {
        let h = self.code_hash("decoy", identifier);
        let byte = |i: usize| h.as_bytes().get(i).copied().unwrap_or(0);
        let digit = |i: usize| char::from(b'0' + byte(i) % 10);
        match channel {
            Channel::Sms => {
                let second = ['3', '5', '7', '8', '9'][usize::from(byte(0) % 5)];
                let tail: String = (1..5).map(digit).collect();
                format!("1{second}{}****{tail}", digit(5))
            }
            Channel::Email => {
                let first = char::from(b'a' + byte(1) % 26);
                let domain = DOMAINS[usize::from(byte(2)) % DOMAINS.len()];
                format!("{first}***@{domain}")
            }
        }
    }
}

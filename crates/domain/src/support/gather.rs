//! Gathers the [`Evidence`] of one candidate account from its history, inside the caller's
//! transaction.

use crate::app::Wangshang;
use crate::clock::{DAY, Millis, SECOND};
use crate::error::{Error, Result};
use crate::store::{Account, Candidate, Ticket};
use crate::support::evidence::{
    Answers, Claims, DeviceFacts, DeviceUse, Evidence, Filing, NetworkUse, OrgFacts, OwnAnswer,
    Person, Similarity, Vouches, rules, similarity,
};
use crate::support::trusted::VouchAnswer;
use crate::unit::Unit;

/// The device facts of a login's user agent.
pub(crate) fn device_facts(user_agent: &str) -> DeviceFacts {
    let d = loginmeta::describe(user_agent);
    DeviceFacts {
        os: d.os,
        browser: d.browser,
        family: d.family.as_str().to_owned(),
        maker: d.maker,
        model: d.model,
    }
}

/// Whether a user agent is a real browser or app (not a script, not unrecognisable).
fn real_agent(user_agent: &str) -> bool {
    matches!(
        loginmeta::describe(user_agent).family,
        loginmeta::DeviceFamily::Desktop
            | loginmeta::DeviceFamily::Mobile
            | loginmeta::DeviceFamily::Tablet
    )
}

/// The network of an address that says something about where a request came from (not the
/// loopback of a local test or a proxy without `behind_proxy`).
fn telling_network(ip: &str) -> Option<String> {
    let addr: std::net::IpAddr = ip.trim().parse().ok()?;
    if addr.is_loopback() || addr.is_unspecified() {
        return None;
    }
    loginmeta::network_of(ip)
}

impl Wangshang {
    pub(crate) async fn gather_evidence(
        &self,
        tx: &mut Unit,
        ticket: &Ticket,
        claims: &Claims,
        candidate: &Candidate,
        now: Millis,
    ) -> Result<(Account, Evidence)> {
        let account_id = candidate.account_id.as_str();
        let account = tx.account(account_id).await?.ok_or(Error::NotFound)?;
        let mut former_nicknames: Vec<String> = tx
            .nickname_history(account_id)
            .await?
            .into_iter()
            .filter(|n| *n != account.nickname)
            .collect();
        former_nicknames.dedup();
        let former_bindings = tx
            .bound_history(account_id)
            .await?
            .into_iter()
            .filter(|b| Some(b) != account.phone.as_ref() && Some(b) != account.email.as_ref())
            .collect();
        let mut orgs = Vec::new();
        for m in tx.memberships(account_id).await? {
            let mut names = tx.org_names(&m.org_id).await?;
            // The current name last.
            names.retain(|n| *n != m.org_name);
            names.push(m.org_name);
            orgs.push(OrgFacts {
                names,
                active: m.left_at.is_none(),
            });
        }
        let since = now - self.config.chat.frequent_contacts_days * DAY;
        let known = tx.people(account_id, since).await?;
        let people: Vec<Person> = known
            .iter()
            .map(|k| {
                let mut names = vec![k.nickname.clone()];
                names.extend(k.former_nicknames.iter().cloned());
                Person {
                    names,
                    colleague: k.colleague,
                    messages: k.messages,
                }
            })
            .collect();
        // A claimed colleague who is nobody the account knows, but exactly the name of
        // someone else: a person the account never knew.
        let mut strangers = Vec::new();
        for c in &claims.contacts {
            let known_here = people
                .iter()
                .any(|p| p.names.iter().any(|n| similarity(c, n) > Similarity::None));
            if known_here {
                continue;
            }
            let others = tx.accounts_named(c.trim()).await?;
            if others.iter().any(|id| id != account_id) {
                strangers.push(c.clone());
            }
        }
        let logins = tx.login_history(account_id).await?;
        // Where the account logged in, with how many accounts used each network: the places of
        // its own networks (home) are what an office colleague does not see.
        let mut crowd: std::collections::HashMap<String, i64> = std::collections::HashMap::new();
        let mut seen_places = Vec::new();
        for (ip, place) in tx.login_places(account_id).await? {
            let Some(n) = loginmeta::network_of(&ip) else {
                continue;
            };
            let accounts = match crowd.get(&n) {
                Some(a) => *a,
                None => {
                    let a = tx.network_accounts(&n).await?;
                    crowd.insert(n, a);
                    a
                }
            };
            seen_places.push((place, accounts));
        }
        let (home_places, shared_places) = rules::split_places(&seen_places);
        let devices = logins
            .user_agents
            .iter()
            .map(|ua| device_facts(ua))
            .collect();
        let network = match telling_network(&ticket.ip) {
            Some(n) => Some(NetworkUse {
                known: logins.networks.contains(&n),
                accounts: tx.network_accounts(&n).await?,
            }),
            None => None,
        };
        let device = match &ticket.device_id {
            Some(d) => {
                let users = tx.device_accounts(d).await?;
                if users.iter().any(|u| u == account_id) {
                    DeviceUse::Known
                } else if users.is_empty() {
                    DeviceUse::Unknown
                } else {
                    DeviceUse::Elsewhere
                }
            }
            None => DeviceUse::Unknown,
        };
        let filing = Filing {
            network,
            same_agent: real_agent(&ticket.user_agent)
                && logins.user_agents.contains(&ticket.user_agent),
            device,
        };
        let mut vouches = Vouches::default();
        let mut vouchers: Vec<String> = Vec::new();
        let mut own_answer = OwnAnswer::None;
        let deadline = self.config.support.vouch_deadline_secs * SECOND;
        for v in tx.vouches_of_ticket(&ticket.id).await? {
            if v.subject_id != account_id {
                continue;
            }
            if v.is_own() {
                // The account's own signed-in session, asked "was it you?": not a colleague.
                own_answer = match VouchAnswer::of(&v) {
                    VouchAnswer::Confirmed => OwnAnswer::Confirmed,
                    VouchAnswer::Denied => OwnAnswer::Denied,
                    VouchAnswer::Pending => OwnAnswer::None,
                };
                continue;
            }
            vouches.asked += 1;
            vouchers.push(v.voucher_id.clone());
            match VouchAnswer::of(&v) {
                VouchAnswer::Confirmed => vouches.confirmed += 1,
                VouchAnswer::Denied => vouches.denied += 1,
                VouchAnswer::Pending if now - v.created_at >= deadline => vouches.silent += 1,
                VouchAnswer::Pending => {}
            }
        }
        let mut e = Evidence {
            nickname: account.nickname.clone(),
            former_nicknames,
            phone: account.phone.clone(),
            email: account.email.clone(),
            former_bindings,
            orgs,
            people,
            strangers,
            devices,
            networks: logins.networks,
            places: logins.places,
            home_places,
            shared_places,
            created_at: account.created_at,
            filing,
            own_answer,
            // What the ticket's security answers showed is kept on the candidate's row.
            answers: Answers {
                given: u32::try_from(candidate.answers_given).unwrap_or(0),
                right: u32::try_from(candidate.answers_right).unwrap_or(0),
            },
            vouches,
            ..Evidence::default()
        };
        for a in tx.admin_answers(&ticket.id).await? {
            if a.subject_id != account_id {
                continue;
            }
            if a.answer == "confirm" {
                // One person's word counts once: an admin who is also one of the account's
                // trusted colleagues asked here confirms as that colleague (a denial counts
                // whichever way it comes).
                if vouchers.contains(&a.admin_id) {
                    e.admins_as_colleagues += 1;
                    continue;
                }
                e.admins_confirmed += 1;
            } else {
                e.admins_denied += 1;
            }
        }
        Ok((account, e))
    }
}

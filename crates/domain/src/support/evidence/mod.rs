//! Evidence scoring (SPEC §4): the requester's claims compared with what the account's history
//! holds, deterministic and explained. Pure functions over a gathered [`Evidence`]: no database.
//!
//! Each claim yields an [`Item`]: `matched`, `partial`, `contradicted` or `unknown`, with the
//! signed points it adds (a contradiction subtracts), a detail code with its arguments (the
//! console words it in the agent's language) and its class. The score is the sum clamped to
//! 0–100. The rules, one pure function each in [`rules`], follow how people remember:
//!
//! | claim | points (`rules::points`) |
//! | --- | --- |
//! | phone / e-mail (identifiers, at most 30 together) | 0 the current phone (the SIM-swapper has it) · +5 the current e-mail · +24 bound before · 0 one slip off a bound one · −15 never |
//! | nickname (public) | +5 current (also in pinyin) · +3 former, a slip or a tag · −5 like none |
//! | enterprise (public) | +5 member now (full name, short form, pinyin, English) · +3 former name, a slip, or left · −10 never |
//! | each colleague named (at most 40) | +17 one of the two the account writes with most · +12 one of its five · 0 someone it writes with now and then · −13 a colleague it never writes with · 0 nobody of that name · −6 someone it never knew; hits count less in a small circle (fewer than 30 people) |
//! | each device (at most 20) | +16 maker and model line · +15 a telling maker or system (Huawei, Xiaomi, Mac …) · +14 a common one (iPhone, Windows, Android) · +4 the maker is not recorded but the system fits · 0 only the kind (手机, 电脑) · −23 none fits |
//! | each place (at most 30) | +6 a network (IP) it used · +24 a city it logged in from only on its own networks (home, not the office) · 0 another city/region it logged in from (the office's: a public fact) · −3/−2 never · 0 "home", "office" |
//! | creation date, by its precision | day or month +38 · year +12; a month or day up to three months off +23, four to six −4, more −10 (a year more than six months off: −6) |
//! | security answers (SPEC §5: extra evidence only) | +20 one of the account's questions answered right · +24 two or more · −12 none of those given fits |
//! | where the ticket was filed (at most 24) | +24 a device id it used · +7 the same browser/app and version · +24 a network few accounts use · 0 a shared one · −12 another account's device · +24 a session the account is signed in with answered "it was me" · −50 it answered "not me" |
//! | corroboration | +6 per further kind of private evidence that agrees (colleagues, devices, date, home city, filing, former binding; at most 18) |
//! | trusted colleagues | +50 k of n confirmed, or k − 1 and an enterprise admin (the ticket still needs `CORROBORATION_MIN` private points of its own) · +8 fewer (never enough alone) · −5 each silent past the deadline · −50 any denial |
//! | enterprise admin | +15 confirmed · 0 when counted among the k · −25 denied; an admin who is also a trusted colleague asked on the ticket confirms as the colleague only |
//!
//! The points of a finding are its weight of evidence, 15 × ln(P(finding | owner) ÷
//! P(finding | impostor)), measured on `support_sim` and held to principles (matches never
//! count against, contradictions never for, a more specific match never less than a vaguer one,
//! at most 38 for any finding and 24 for what a colleague or a phone thief could have); public
//! facts, the current phone and the contradictions no simulated owner made are set by hand (see
//! `rules::points`).
//!
//! Public facts (nickname, enterprise name, a city colleagues see the account in) can be learned by anyone who chatted with the owner:
//! when no other claim adds points, the score is capped at `public_facts_cap`. Phone numbers and
//! e-mail addresses are known to colleagues and to whoever took over the number, so
//! `likely_owner` also needs `private_evidence_min` points of private evidence (colleagues,
//! devices, places, dates, former bindings, where it was filed; each kind by its net points,
//! so the hits of a colleague who names the whole team do not count without its misses) or k
//! trusted colleagues.

pub mod devices;
pub mod org;
pub mod rules;
pub mod text;

use crate::clock::Millis;
use crate::config::SupportConfig;

pub use devices::DeviceFacts;
pub use rules::{DatePrecision, date_range, date_window};

pub use text::{Similarity, best, fold, pinyin_key, similarity};

/// What the requester says they remember.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Claims {
    /// E.164, as parsed at the edge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nicknames: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enterprise: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub devices: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub places: Vec<String>,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_around: Option<String>,
}

/// An enterprise the account belongs or belonged to.
#[derive(Clone, Debug, Default)]
pub struct OrgFacts {
    /// Every name it has had; the last is the current one.
    pub names: Vec<String>,
    pub active: bool,
}

/// Someone the account knows: a colleague (now or before), a contact, or the other side of a
/// direct conversation.
#[derive(Clone, Debug, Default)]
pub struct Person {
    /// The current nickname first, then former ones.
    pub names: Vec<String>,
    /// Shares (or shared) an enterprise with the account.
    pub colleague: bool,
    /// Messages of the window between them: both ways in their direct conversation, and the
    /// account's own messages elsewhere that mention them.
    pub messages: i64,
}

/// How the ticket's network relates to the account.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NetworkUse {
    /// The account logged in from it.
    pub known: bool,
    /// Accounts that logged in from it (office networks have many).
    pub accounts: i64,
}

/// The device id the ticket was filed with (the web client's long-lived cookie, or an app's).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DeviceUse {
    /// None given, or never seen.
    #[default]
    Unknown,
    /// The account used it.
    Known,
    /// Only other accounts used it.
    Elsewhere,
}

/// Where the ticket was filed from, compared with the account's login records. Evidence, not
/// proof: a thief holding the owner's unlocked phone files from it too.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Filing {
    /// `None` when the ticket's address says nothing (loopback, unparsable).
    pub network: Option<NetworkUse>,
    /// The ticket's user agent, a real browser or app, is one the account logged in with.
    pub same_agent: bool,
    pub device: DeviceUse,
}

/// The account's own answer, from a session it is signed in with, to "did you ask support to
/// recover this account?" (sent when the ticket names the account).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OwnAnswer {
    /// Not asked (no signed-in session), or not yet answered.
    #[default]
    None,
    Confirmed,
    Denied,
}

/// The requester's answers to the account's security questions, compared at filing (only these
/// counts are kept, never the answers).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Answers {
    /// Answers compared with the account's questions (0: none given, or it has none).
    pub given: u32,
    /// Its questions answered right.
    pub right: u32,
}

/// Trusted colleagues asked for this candidate, and their answers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Vouches {
    pub asked: u32,
    pub confirmed: u32,
    pub denied: u32,
    /// Unanswered past `vouch_deadline_secs`.
    pub silent: u32,
}

/// Everything known about one candidate account, gathered once per view.
#[derive(Clone, Debug, Default)]
pub struct Evidence {
    pub nickname: String,
    /// Former nicknames.
    pub former_nicknames: Vec<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// Phones and e-mails bound before.
    pub former_bindings: Vec<String>,
    pub orgs: Vec<OrgFacts>,
    /// Colleagues (now and before), contacts and direct-conversation partners.
    pub people: Vec<Person>,
    /// Claimed contact names that are (exactly) the nickname of accounts this one never shared
    /// an enterprise, a contact or a direct conversation with.
    pub strangers: Vec<String>,
    pub devices: Vec<DeviceFacts>,
    pub networks: Vec<String>,
    pub places: Vec<String>,
    /// Places the account logged in from only on networks few accounts use (its home, not the
    /// office): what a colleague does not see.
    pub home_places: Vec<String>,
    /// Places it logged in from on networks many accounts use (an office).
    pub shared_places: Vec<String>,
    pub created_at: Millis,
    pub filing: Filing,
    /// What a signed-in session of the account answered.
    pub own_answer: OwnAnswer,
    /// The ticket's security answers against the account's questions.
    pub answers: Answers,
    pub vouches: Vouches,
    pub admins_confirmed: u32,
    pub admins_denied: u32,
    /// Admins' confirmations not counted as such: the admin is one of the trusted colleagues
    /// asked on the ticket, whose word counts once, as a colleague.
    pub admins_as_colleagues: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Matched,
    Partial,
    Contradicted,
    Unknown,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Matched => "matched",
            Outcome::Partial => "partial",
            Outcome::Contradicted => "contradicted",
            Outcome::Unknown => "unknown",
        }
    }
}

/// Who can know a fact besides the owner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// Anyone who chatted with the owner: nickname, enterprise name.
    Public,
    /// Colleagues, and whoever took over the number: phone, e-mail.
    Identifier,
    /// Mostly the owner: colleagues written with, devices, places, dates, former bindings,
    /// where the ticket came from.
    Private,
    /// Other people's word: trusted colleagues, enterprise admins.
    Social,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub claim: &'static str,
    pub result: Outcome,
    /// Signed points: negative for a contradiction.
    pub weight: i32,
    /// What the console says about it (`agent-ev-d-{code}` in its catalogs).
    pub code: &'static str,
    /// The detail's arguments (a count, a name, a date).
    pub args: Vec<(&'static str, String)>,
    pub class: Class,
    /// Without this item the recommendation would differ.
    pub decisive: bool,
}

impl Item {
    pub fn arg(&self, name: &str) -> Option<&str> {
        self.args
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recommendation {
    LikelyOwner,
    Uncertain,
    LikelyImpostor,
}

impl Recommendation {
    pub fn as_str(self) -> &'static str {
        match self {
            Recommendation::LikelyOwner => "likely_owner",
            Recommendation::Uncertain => "uncertain",
            Recommendation::LikelyImpostor => "likely_impostor",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Assessment {
    pub score: u32,
    pub recommendation: Recommendation,
    /// Points of private evidence.
    pub private_points: u32,
    pub items: Vec<Item>,
}

/// Compares every claim with the evidence.
pub fn items(claims: &Claims, e: &Evidence, cfg: &SupportConfig) -> Vec<Item> {
    let mut out = Vec::new();
    let mut identifiers = rules::Budget::new(rules::points::IDENTIFIERS_CAP);
    if let Some(p) = &claims.phone {
        out.push(identifiers.take(rules::binding(
            "phone",
            p,
            e.phone.as_deref(),
            &e.former_bindings,
        )));
    }
    if let Some(m) = &claims.email {
        out.push(identifiers.take(rules::binding(
            "email",
            m,
            e.email.as_deref(),
            &e.former_bindings,
        )));
    }
    if !claims.nicknames.is_empty() {
        out.push(rules::nickname(
            &claims.nicknames,
            &e.nickname,
            &e.former_nicknames,
        ));
    }
    if let Some(claimed) = &claims.enterprise {
        out.push(rules::enterprise(claimed, &e.orgs));
    }
    let mut contacts = rules::Budget::new(rules::points::CONTACTS_CAP);
    let mut named = Vec::new();
    for c in &claims.contacts {
        out.push(contacts.take(rules::contact(c, &e.people, &e.strangers, &mut named)));
    }
    let mut devices = rules::Budget::new(rules::points::DEVICES_CAP);
    let mut used = Vec::new();
    for d in &claims.devices {
        out.push(devices.take(rules::device(d, &e.devices, &mut used)));
    }
    let mut places = rules::Budget::new(rules::points::PLACES_CAP);
    for p in &claims.places {
        out.push(places.take(rules::place(
            p,
            &e.networks,
            &e.places,
            (&e.home_places, &e.shared_places),
        )));
    }
    if let Some(c) = &claims.created_around {
        out.push(rules::created(c, e.created_at));
    }
    out.extend(rules::answers(e.answers));
    let mut filing = rules::Budget::new(rules::points::FILING_CAP);
    // A signed-in session's "yes, it was me" is what a thief holding the owner's unlocked
    // phone has too: it shares the filing's budget (a device of the account's).
    for it in rules::filing(&e.filing)
        .into_iter()
        .chain(rules::own_answer(e.own_answer))
    {
        out.push(filing.take(it));
    }
    out.extend(rules::corroboration(&out));
    // Decided once, for both items: the admin's confirmation is counted either among the k or
    // on its own, never twice.
    let admin_counted = rules::admin_completes(
        &e.vouches,
        e.admins_confirmed > 0 && e.admins_denied == 0,
        cfg.vouches_needed,
    );
    out.extend(rules::vouches(
        &e.vouches,
        admin_counted,
        cfg.vouches_needed,
    ));
    out.extend(rules::admins(
        e.admins_confirmed,
        e.admins_denied,
        admin_counted,
    ));
    out.extend(rules::admins_as_colleagues(e.admins_as_colleagues));
    out
}

/// Score, private points and recommendation of a list of items.
fn judge(items: &[Item], cfg: &SupportConfig) -> (u32, u32, Recommendation) {
    let sum: i32 = items.iter().map(|i| i.weight).sum();
    let mut score = u32::try_from(sum.clamp(0, 100)).unwrap_or(0);
    let beyond_public = items
        .iter()
        .any(|i| i.class != Class::Public && i.weight > 0);
    if !beyond_public {
        score = score.min(cfg.public_facts_cap);
    }
    let private = rules::private_points(items);
    let vouched = items
        .iter()
        .any(|i| i.claim == rules::TRUSTED && i.result == Outcome::Matched);
    // Fewer than k confirmations add points, but never carry a ticket over the line alone.
    let lone_vouch: i32 = items
        .iter()
        .filter(|i| i.claim == rules::TRUSTED && i.result == Outcome::Partial)
        .map(|i| i.weight)
        .sum();
    let without_lone = u32::try_from((sum - lone_vouch).clamp(0, 100)).unwrap_or(0);
    // k confirmations stand in for the private minimum, not for private evidence altogether:
    // colleagues vouch for a person they are asked about, carelessly or as a friend of whoever
    // filed, so the ticket itself must show one kind of what mostly the owner knows.
    let private_needed = if vouched {
        u32::try_from(rules::points::CORROBORATION_MIN).unwrap_or(0)
    } else {
        cfg.private_evidence_min
    };
    let recommendation = if score >= cfg.owner_score
        && beyond_public
        && private >= private_needed
        && (vouched || without_lone >= cfg.owner_score)
    {
        Recommendation::LikelyOwner
    } else if score < cfg.impostor_score {
        Recommendation::LikelyImpostor
    } else {
        Recommendation::Uncertain
    };
    (score, private, recommendation)
}

/// The evidence without the part an item stands for, where removing the item alone would not
/// say what the rest is worth: the admin's confirmation counted among the k, or the trusted
/// colleagues' confirmations that it completed.
fn without_part(code: &str, e: &Evidence) -> Option<Evidence> {
    let mut without = e.clone();
    match code {
        "admin_counted" => without.admins_confirmed = 0,
        "vouches_confirmed_admin" => without.vouches.confirmed = 0,
        _ => return None,
    }
    Some(without)
}

/// The score and recommendation of a candidate, with the items that made the difference
/// marked `decisive`.
pub fn assess(claims: &Claims, e: &Evidence, cfg: &SupportConfig) -> Assessment {
    let mut items = items(claims, e, cfg);
    let (score, private_points, recommendation) = judge(&items, cfg);
    let decisive: Vec<bool> = (0..items.len())
        .map(|i| {
            // The admin's confirmation counted among the k and the colleagues' part of it
            // depend on each other: without either, the rest reads differently (the admin
            // alone is +15, the colleagues alone fewer than k), so ask the evidence without it.
            if let Some(without) = without_part(items[i].code, e) {
                return judge(&self::items(claims, &without, cfg), cfg).2 != recommendation;
            }
            if items[i].weight == 0 {
                return false;
            }
            let mut rest = items.clone();
            rest.remove(i);
            judge(&rest, cfg).2 != recommendation
        })
        .collect();
    for (it, d) in items.iter_mut().zip(decisive) {
        it.decisive = d;
    }
    Assessment {
        score,
        recommendation,
        private_points,
        items,
    }
}

#[cfg(test)]
mod tests;

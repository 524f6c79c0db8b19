//! One pure function per kind of claim: what it is compared with, and the item it yields.

use super::devices::{self, DeviceFacts, Fit};
use super::org::{self, NameMatch};
use super::text::{Similarity, best, fold, has_cjk, in_pinyin, pinyin_keys, similarity};
use super::{
    Answers, Class, DeviceUse, Filing, Item, OrgFacts, Outcome, OwnAnswer, Person, Vouches,
};
use crate::clock::{DAY, Millis};

/// The points of each finding (the table in `mod.rs`). A finding's points are its weight of
/// evidence: 15 × ln(how often owners produce it ÷ how often impostors do), measured on
/// `support_sim` (seeds 16–18, the four impostor kinds weighed alike; README, "How the points
/// were set"), rounded, and held to four principles rather than copied: a match never counts
/// against, a contradiction never for; a more specific match never counts less than a vaguer
/// one; no single finding counts more than 2.5 nats (38 points), and what a colleague could
/// know or a thief holding the owner's phone has (where the ticket was filed, the home city, a
/// former binding) no more than 1.6 nats (24); public facts and the current phone, which every
/// impostor kind knows, are set by hand, small, and capped, and so are the same browser version
/// and a fitting system without a maker. `scripts/support-sim-points.py` prints the fit.
pub mod points {
    /// The current phone number: what a SIM-swapper and many colleagues know.
    pub const PHONE_NOW: i32 = 0;
    /// The current e-mail address: colleagues know it.
    pub const EMAIL_NOW: i32 = 5;
    pub const BOUND_BEFORE: i32 = 24;
    pub const NEVER_BOUND: i32 = 15;
    pub const NICKNAME_CURRENT: i32 = 5;
    pub const NICKNAME_OTHER: i32 = 3;
    pub const NICKNAME_NONE: i32 = 5;
    pub const ORG_NOW: i32 = 5;
    pub const ORG_OTHER: i32 = 3;
    pub const ORG_NEVER: i32 = 10;
    /// One of the two people the account writes with most.
    pub const CONTACT_FIRST: i32 = 17;
    /// Among the five.
    pub const CONTACT_TOP: i32 = 12;
    /// Someone it writes with now and then: insiders name such people as often as owners.
    pub const CONTACT_WRITES: i32 = 0;
    pub const CONTACT_SILENT: i32 = 13;
    /// Contradictions no owner of the simulation ever made (naming someone the account never
    /// knew, a date four months off or more, filing from another account's device) keep their
    /// earlier, hand-set values: the fit's −38 for them only says that the simulation's owners
    /// never misremember so far or borrow a colleague's computer, which real owners do.
    pub const CONTACT_NEVER_KNOWN: i32 = 6;
    pub const DEVICE_MODEL: i32 = 16;
    pub const DEVICE_SPECIFIC: i32 = 15;
    pub const DEVICE_COMMON: i32 = 14;
    /// The maker is not recorded but the system fits: no owner ticket of the simulation has it,
    /// so it keeps its earlier, hand-set value.
    pub const DEVICE_SYSTEM_FITS: i32 = 4;
    /// Only the kind ("手机", "电脑"): what anyone would say.
    pub const DEVICE_KIND: i32 = 0;
    pub const DEVICE_NEVER: i32 = 23;
    pub const PLACE_NETWORK: i32 = 6;
    pub const PLACE_NETWORK_NEVER: i32 = 3;
    /// A city colleagues see the account in (the office's): a public fact.
    pub const PLACE_SEEN: i32 = 0;
    /// A city the account logged in from only on its own networks (home, not the office).
    pub const PLACE_HOME: i32 = 24;
    pub const PLACE_NEVER: i32 = 2;
    pub const DATE_YEAR: i32 = 12;
    pub const DATE_MONTH: i32 = 38;
    pub const DATE_DAY: i32 = 38;
    pub const DATE_YEAR_NEAR: i32 = 1;
    pub const DATE_YEAR_OFF: i32 = 6;
    pub const DATE_NEAR: i32 = 23;
    pub const DATE_CLOSE: i32 = 23;
    pub const DATE_OFF: i32 = 10;
    pub const DATE_FAR: i32 = 4;
    pub const FILED_KNOWN_DEVICE: i32 = 24;
    pub const FILED_OTHER_DEVICE: i32 = 12;
    /// The same browser or app, and version: set by hand, not fitted. Everyone on that
    /// release shares the string (the simulation's user agents are more varied than a real
    /// office's), so it is a weak hint, unlike a device id.
    pub const FILED_SAME_AGENT: i32 = 7;
    pub const FILED_OWN_NETWORK: i32 = 24;
    pub const FILED_SHARED_NETWORK: i32 = 0;
    /// A session the account is signed in with answered "it was me": what the owner's own
    /// device has, and a thief holding it unlocked too, so no more than a known device.
    pub const OWN_CONFIRMED: i32 = 24;
    /// It answered "not me": the account's holder says someone else is asking, as strong as a
    /// trusted colleague's denial.
    pub const OWN_DENIED: i32 = 50;
    /// Security answers (SPEC §5: "usable only as extra evidence"): one question answered right,
    /// and two or more — at most 24, below `private_evidence_min`, so they never carry a ticket
    /// alone. Set by hand, as no measured world has them: people forget a fifth of their answers
    /// within months, and acquaintances guess one in six or seven (Schechter, Brush and Egelman,
    /// "It's no secret", IEEE S&P 2009), so a right answer weighs about as much as a device the
    /// account used, and answers that fit nothing count against a little.
    pub const ANSWER_RIGHT: i32 = 20;
    pub const ANSWERS_RIGHT: i32 = 24;
    pub const ANSWERS_WRONG: i32 = 12;
    pub const VOUCH_CONFIRMED: i32 = 50;
    pub const VOUCH_PARTIAL: i32 = 8;
    pub const VOUCH_SILENT: i32 = 5;
    pub const VOUCH_DENIED: i32 = 50;
    pub const ADMIN_CONFIRMED: i32 = 15;
    /// Per kind of private evidence beyond the first that agrees.
    pub const CORROBORATION: i32 = 6;
    pub const CORROBORATION_CAP: i32 = 18;
    /// The points a kind needs to count as agreeing.
    pub const CORROBORATION_MIN: i32 = 7;
    pub const ADMIN_DENIED: i32 = 25;

    /// Caps of repeated claims.
    pub const IDENTIFIERS_CAP: i32 = 30;
    pub const CONTACTS_CAP: i32 = 40;
    pub const DEVICES_CAP: i32 = 20;
    pub const PLACES_CAP: i32 = 30;
    /// Where the ticket was filed counts as one strong finding at most, below
    /// `private_evidence_min` (40): a thief holding the owner's unlocked phone has it all.
    pub const FILING_CAP: i32 = 24;
}

/// The claim name of the trusted colleagues' item.
pub const TRUSTED: &str = "trusted_colleagues";

/// Every detail code an item can carry (the console's catalogs have `agent-ev-d-{code}`).
pub const CODES: &[&str] = &[
    "answers_right",
    "answers_wrong",
    "own_session_confirmed",
    "own_session_denied",
    "bound_now",
    "bound_before",
    "never_bound",
    "bound_similar",
    "nickname_current",
    "nickname_pinyin",
    "nickname_similar",
    "nickname_former",
    "nickname_none",
    "org_member_now",
    "org_member_short",
    "org_similar",
    "org_former_name",
    "org_left",
    "org_never",
    "contact_top",
    "contact_writes",
    "contact_silent",
    "contact_not_found",
    "contact_never_known",
    "contact_named_twice",
    "device_model",
    "device_specific",
    "device_common",
    "device_system_fits",
    "device_kind",
    "device_never",
    "device_same_as_before",
    "device_unrecognised",
    "device_no_records",
    "place_network_seen",
    "place_network_never",
    "place_seen",
    "place_home",
    "place_never",
    "place_no_records",
    "place_vague",
    "date_exact",
    "date_near",
    "date_close",
    "date_far",
    "date_off",
    "date_unreadable",
    "filed_from_known_device",
    "filed_from_other_device",
    "filed_with_same_agent",
    "filed_from_own_network",
    "filed_from_shared_network",
    "filed_from_new_network",
    "vouches_confirmed",
    "vouches_confirmed_admin",
    "vouches_partial",
    "vouches_denied",
    "vouches_silent",
    "vouches_pending",
    "admin_confirmed",
    "admin_counted",
    "admin_denied",
    "admin_as_colleague",
    "corroborated",
];

fn class_of(claim: &str) -> Class {
    match claim {
        "nickname" | "enterprise" => Class::Public,
        "phone" | "email" => Class::Identifier,
        TRUSTED | "enterprise_admin" => Class::Social,
        _ => Class::Private,
    }
}

/// An item; a contradiction's weight is made negative.
pub fn item(
    claim: &'static str,
    result: Outcome,
    weight: i32,
    code: &'static str,
    args: Vec<(&'static str, String)>,
) -> Item {
    Item {
        claim,
        result,
        weight: if result == Outcome::Contradicted {
            -weight.abs()
        } else {
            weight
        },
        code,
        args,
        class: class_of(claim),
        decisive: false,
    }
}

/// The points a repeated claim (colleagues, devices, places, identifiers) may add in total;
/// contradictions always count in full.
pub struct Budget {
    left: i32,
}

impl Budget {
    pub fn new(cap: i32) -> Self {
        Self { left: cap }
    }

    pub fn take(&mut self, mut it: Item) -> Item {
        if it.weight > 0 {
            it.weight = it.weight.min(self.left);
            self.left -= it.weight;
        }
        it
    }
}

/// A phone or e-mail: bound now, bound before, or never.
pub fn binding(
    claim: &'static str,
    claimed: &str,
    current: Option<&str>,
    former: &[String],
) -> Item {
    if current == Some(claimed) {
        let points = if claim == "phone" {
            points::PHONE_NOW
        } else {
            points::EMAIL_NOW
        };
        item(claim, Outcome::Matched, points, "bound_now", vec![])
    } else if former.iter().any(|f| f == claimed) {
        // An old number or address is what the owner knows, more than a colleague does.
        let mut it = item(
            claim,
            Outcome::Partial,
            points::BOUND_BEFORE,
            "bound_before",
            vec![],
        );
        it.class = Class::Private;
        it
    } else if current.is_some_and(|c| typed_with_slip(claimed, c))
        || former.iter().any(|f| typed_with_slip(claimed, f))
    {
        // One's own address with a letter doubled or two swapped is a memory of it: no proof
        // (nothing was proven with it), and no contradiction either.
        item(claim, Outcome::Unknown, 0, "bound_similar", vec![])
    } else {
        item(
            claim,
            Outcome::Contradicted,
            points::NEVER_BOUND,
            "never_bound",
            vec![],
        )
    }
}

/// Whether a claimed phone or e-mail is a bound one typed with one slip: a character doubled,
/// dropped or changed, or two neighbours swapped (case and surrounding spaces ignored; at
/// least six characters, so short texts do not match by chance).
pub fn typed_with_slip(claimed: &str, bound: &str) -> bool {
    let (a, b) = (claimed.trim().to_lowercase(), bound.trim().to_lowercase());
    a != b && a.chars().count().min(b.chars().count()) >= 6 && strsim::osa_distance(&a, &b) <= 1
}

/// The nicknames claimed against the current and former ones.
pub fn nickname(claimed: &[String], current: &str, former: &[String]) -> Item {
    let now = claimed
        .iter()
        .map(|n| similarity(n, current))
        .max()
        .unwrap_or(Similarity::None);
    let before = claimed
        .iter()
        .map(|n| best(n, former))
        .max()
        .unwrap_or(Similarity::None);
    // The current nickname in pinyin is the same name in another script, not a name like it.
    let pinyin_now = claimed.iter().any(|n| in_pinyin(n, current));
    match (now, before) {
        (Similarity::Exact, _) => item(
            "nickname",
            Outcome::Matched,
            points::NICKNAME_CURRENT,
            "nickname_current",
            vec![],
        ),
        (_, Similarity::Exact) => item(
            "nickname",
            Outcome::Partial,
            points::NICKNAME_OTHER,
            "nickname_former",
            vec![],
        ),
        _ if pinyin_now => item(
            "nickname",
            Outcome::Matched,
            points::NICKNAME_CURRENT,
            "nickname_pinyin",
            vec![],
        ),
        (Similarity::Fuzzy, _) => item(
            "nickname",
            Outcome::Partial,
            points::NICKNAME_OTHER,
            "nickname_similar",
            vec![],
        ),
        (_, Similarity::Fuzzy) => item(
            "nickname",
            Outcome::Partial,
            points::NICKNAME_OTHER,
            "nickname_former",
            vec![],
        ),
        _ => item(
            "nickname",
            Outcome::Contradicted,
            points::NICKNAME_NONE,
            "nickname_none",
            vec![],
        ),
    }
}

/// The enterprise claimed against every name of every enterprise the account is or was in.
pub fn enterprise(claimed: &str, orgs: &[OrgFacts]) -> Item {
    // 5: member now, full name; 4: member now, short form; 3: member now, a slip;
    // 2: member now, former name; 1: left; 0: none.
    let level = |o: &OrgFacts| -> u8 {
        let current = o
            .names
            .last()
            .map_or(NameMatch::None, |n| org::compare(claimed, n));
        let any = o
            .names
            .iter()
            .map(|n| org::compare(claimed, n))
            .max()
            .unwrap_or(NameMatch::None);
        match (o.active, current, any) {
            (_, _, NameMatch::None) => 0,
            (false, _, _) => 1,
            (true, NameMatch::Exact, _) => 5,
            (true, NameMatch::Short, _) => 4,
            (true, NameMatch::Fuzzy, _) => 3,
            (true, NameMatch::None, _) => 2,
        }
    };
    match orgs.iter().map(level).max().unwrap_or(0) {
        5 => item(
            "enterprise",
            Outcome::Matched,
            points::ORG_NOW,
            "org_member_now",
            vec![],
        ),
        4 => item(
            "enterprise",
            Outcome::Matched,
            points::ORG_NOW,
            "org_member_short",
            vec![],
        ),
        3 => item(
            "enterprise",
            Outcome::Partial,
            points::ORG_OTHER,
            "org_similar",
            vec![],
        ),
        2 => item(
            "enterprise",
            Outcome::Partial,
            points::ORG_OTHER,
            "org_former_name",
            vec![],
        ),
        1 => item(
            "enterprise",
            Outcome::Partial,
            points::ORG_OTHER,
            "org_left",
            vec![],
        ),
        _ => item(
            "enterprise",
            Outcome::Contradicted,
            points::ORG_NEVER,
            "org_never",
            vec![],
        ),
    }
}

/// A frequent contact named says more the more people the account knows: among 8 colleagues
/// anyone names one of the five it writes with most by chance half the time, among 30 rarely.
/// The points of such a hit, scaled by ln(known / 5) / ln(6) (full from 30 people, at least
/// 40 %).
fn scaled(points: i32, known: usize) -> i32 {
    let f = ((known.max(1) as f64 / 5.0).ln() / 6f64.ln()).clamp(0.4, 1.0);
    (f64::from(points) * f).round() as i32
}

/// The people the account writes with, most first: the rank of `messages` among them.
fn rank(people: &[Person], messages: i64) -> usize {
    1 + people.iter().filter(|p| p.messages > messages).count()
}

/// A colleague named: found by a current or former name (pinyin, slips, decorations), and how
/// much the account writes with them. `named` keeps who was named already, so one person named
/// twice ("李娜", "Li Na") counts once.
pub fn contact(
    claimed: &str,
    people: &[Person],
    strangers: &[String],
    named: &mut Vec<usize>,
) -> Item {
    let mut found: Option<(usize, Similarity, bool)> = None;
    for (i, p) in people.iter().enumerate() {
        for (j, n) in p.names.iter().enumerate() {
            let s = similarity(claimed, n);
            if s == Similarity::None {
                continue;
            }
            let better = match found {
                None => true,
                Some((k, fs, _)) => (s, p.messages) > (fs, people[k].messages),
            };
            if better {
                found = Some((i, s, j > 0));
            }
        }
    }
    let Some((i, s, former)) = found else {
        let folded = fold(claimed);
        return if strangers.iter().any(|x| fold(x) == folded) {
            item(
                "contact",
                Outcome::Contradicted,
                points::CONTACT_NEVER_KNOWN,
                "contact_never_known",
                vec![],
            )
        } else {
            item("contact", Outcome::Unknown, 0, "contact_not_found", vec![])
        };
    };
    let p = &people[i];
    let name = p.names.first().cloned().unwrap_or_default();
    if named.contains(&i) {
        return item(
            "contact",
            Outcome::Unknown,
            0,
            "contact_named_twice",
            vec![("name", name)],
        );
    }
    named.push(i);
    let how = if former {
        "former"
    } else if s == Similarity::Fuzzy {
        "similar"
    } else {
        "name"
    };
    let args = vec![
        ("name", name),
        ("how", how.to_owned()),
        ("messages", p.messages.to_string()),
    ];
    // People name those they write with most; a colleague one never writes with is what
    // someone who only knows the team would name.
    let r = rank(people, p.messages);
    if p.messages >= 3 && r <= 5 {
        let mut args = args;
        args.push(("rank", r.to_string()));
        let points = if r <= 2 {
            points::CONTACT_FIRST
        } else {
            points::CONTACT_TOP
        };
        item(
            "contact",
            Outcome::Matched,
            scaled(points, people.len()),
            "contact_top",
            args,
        )
    } else if p.messages >= 1 {
        item(
            "contact",
            Outcome::Matched,
            points::CONTACT_WRITES,
            "contact_writes",
            args,
        )
    } else {
        item(
            "contact",
            Outcome::Contradicted,
            points::CONTACT_SILENT,
            "contact_silent",
            args,
        )
    }
}

/// How a recorded device is shown in a detail line: "Huawei Mate (HarmonyOS)".
fn device_label(d: &DeviceFacts) -> String {
    match (&d.maker, &d.model) {
        (Some(m), Some(l)) if m == "Apple" => format!("{l} ({})", d.os),
        (Some(m), Some(l)) => format!("{m} {l} ({})", d.os),
        (Some(m), None) => format!("{m} ({})", d.os),
        _ => d.os.clone(),
    }
}

/// A device named, against the devices of the login records. `used` keeps the records already
/// matched, so "iPhone" and "苹果手机" for one phone count once.
pub fn device(claimed: &str, recorded: &[DeviceFacts], used: &mut Vec<usize>) -> Item {
    let c = devices::parse(claimed);
    if c.is_empty() {
        return item("device", Outcome::Unknown, 0, "device_unrecognised", vec![]);
    }
    let real: Vec<(usize, &DeviceFacts)> = recorded
        .iter()
        .enumerate()
        .filter(|(_, d)| matches!(d.family.as_str(), "desktop" | "mobile" | "tablet"))
        .collect();
    if real.is_empty() {
        return item("device", Outcome::Unknown, 0, "device_no_records", vec![]);
    }
    let best = |skip_used: bool| {
        real.iter()
            .filter(|(i, _)| !skip_used || !used.contains(i))
            .map(|(i, d)| (devices::fit(&c, d), *i))
            .max()
    };
    let fresh = best(true);
    let any = best(false);
    let (fit, i) = match (fresh, any) {
        (Some(f), Some(a)) if f.0 >= a.0 => f,
        (_, Some(a)) if a.0 > Fit::Conflict => {
            return item(
                "device",
                Outcome::Unknown,
                0,
                "device_same_as_before",
                vec![(
                    "device",
                    device_label(recorded.get(a.1).unwrap_or(&DeviceFacts::default())),
                )],
            );
        }
        (_, Some(a)) => a,
        _ => return item("device", Outcome::Unknown, 0, "device_no_records", vec![]),
    };
    let label = recorded.get(i).map(device_label).unwrap_or_default();
    if fit > Fit::Conflict {
        used.push(i);
    }
    let args = vec![("device", label)];
    match fit {
        Fit::Model => item(
            "device",
            Outcome::Matched,
            points::DEVICE_MODEL,
            "device_model",
            args,
        ),
        Fit::Specific => item(
            "device",
            Outcome::Matched,
            points::DEVICE_SPECIFIC,
            "device_specific",
            args,
        ),
        Fit::Common => item(
            "device",
            Outcome::Matched,
            points::DEVICE_COMMON,
            "device_common",
            args,
        ),
        Fit::Plausible => item(
            "device",
            Outcome::Partial,
            points::DEVICE_SYSTEM_FITS,
            "device_system_fits",
            args,
        ),
        Fit::Generic => item(
            "device",
            Outcome::Partial,
            points::DEVICE_KIND,
            "device_kind",
            args,
        ),
        Fit::Conflict => item(
            "device",
            Outcome::Contradicted,
            points::DEVICE_NEVER,
            "device_never",
            vec![],
        ),
    }
}

/// A place name without the administrative word people add: 上海市 → 上海, 浙江省 → 浙江.
fn bare_place(folded: &str) -> String {
    let mut s = folded.to_owned();
    for suffix in ["特别行政区", "自治区", "省", "市", "区", "县"] {
        if s.chars().count() > suffix.chars().count() + 1
            && let Some(x) = s.strip_suffix(suffix)
        {
            s = x.to_owned();
            break;
        }
    }
    s
}

/// Whether a claimed place names one of the parts of a recorded place ("Shanghai, CN",
/// "CN/Shanghai"): the same word, its pinyin, or the claim starting with it ("上海浦东") or
/// ending with it ("江苏苏州").
fn place_fits(claimed: &str, recorded: &str) -> bool {
    let c = bare_place(&fold(claimed));
    if c.is_empty() {
        return false;
    }
    let keys = if has_cjk(&c) {
        pinyin_keys(&c)
    } else {
        vec![c.clone()]
    };
    recorded
        .split(['/', ','])
        .map(fold)
        .filter(|part| part.chars().count() > 2)
        .any(|part| {
            // Chinese addresses run from the province down: "江苏苏州" ends with the city.
            keys.iter().any(|k| {
                *k == part || (part.len() >= 4 && (k.starts_with(&part) || k.ends_with(&part)))
            }) || similarity(&c, &part) > Similarity::None
        })
}

/// A network used by at most this many accounts is someone's own (a home, a phone's carrier
/// address); more, and it is shared (an office, a café).
pub const OWN_NETWORK_ACCOUNTS: i64 = 2;

/// The places an account logged in from, split by the networks they were seen on: `(home,
/// shared)`. Given each login place with the number of accounts that used its network, `home`
/// are the places seen only on the account's own networks, `shared` those seen on a network
/// many use (an office). A city seen on the office network is what every colleague knows; the
/// city of the account's home network, when it is not also the office's, mostly the owner.
pub fn split_places(seen: &[(String, i64)]) -> (Vec<String>, Vec<String>) {
    let mut home: Vec<String> = Vec::new();
    let mut shared: Vec<String> = Vec::new();
    for (place, accounts) in seen {
        if *accounts > OWN_NETWORK_ACCOUNTS && !shared.contains(place) {
            shared.push(place.clone());
        }
    }
    for (place, accounts) in seen {
        if *accounts <= OWN_NETWORK_ACCOUNTS && !shared.contains(place) && !home.contains(place) {
            home.push(place.clone());
        }
    }
    (home, shared)
}

/// A place or network named, against the login records; `home` and `shared` are the places of
/// the account's own networks only and of shared ones ([`split_places`]).
pub fn place(
    claimed: &str,
    networks: &[String],
    places: &[String],
    (home, shared): (&[String], &[String]),
) -> Item {
    if let Some(n) = loginmeta::network_of(claimed.trim()) {
        return if networks.contains(&n) {
            item(
                "place",
                Outcome::Matched,
                points::PLACE_NETWORK,
                "place_network_seen",
                vec![("place", n)],
            )
        } else if networks.is_empty() {
            item("place", Outcome::Unknown, 0, "place_no_records", vec![])
        } else {
            item(
                "place",
                Outcome::Contradicted,
                points::PLACE_NETWORK_NEVER,
                "place_network_never",
                vec![],
            )
        };
    }
    const VAGUE: &[&str] = &[
        "家",
        "家里",
        "在家",
        "公司",
        "办公室",
        "单位",
        "公司里",
        "出差",
        "外地",
        "home",
        "office",
        "work",
        "athome",
        "atwork",
        "travel",
    ];
    if VAGUE.contains(&fold(claimed).as_str()) {
        return item("place", Outcome::Unknown, 0, "place_vague", vec![]);
    }
    // The home city counts only when the claim fits no shared place too ("上海" for a Shanghai
    // office is what colleagues say, whatever network the owner has at home).
    let office = shared.iter().any(|p| place_fits(claimed, p));
    if !office && let Some(p) = home.iter().find(|p| place_fits(claimed, p)) {
        return item(
            "place",
            Outcome::Matched,
            points::PLACE_HOME,
            "place_home",
            vec![("place", p.clone())],
        );
    }
    if let Some(p) = places.iter().find(|p| place_fits(claimed, p)) {
        // A city the account was also seen in on a shared network (the office's): what every
        // colleague knows, so a public fact, not private evidence.
        let mut it = item(
            "place",
            Outcome::Matched,
            points::PLACE_SEEN,
            "place_seen",
            vec![("place", p.clone())],
        );
        it.class = Class::Public;
        return it;
    }
    if places.is_empty() {
        item("place", Outcome::Unknown, 0, "place_no_records", vec![])
    } else {
        item(
            "place",
            Outcome::Contradicted,
            points::PLACE_NEVER,
            "place_never",
            vec![],
        )
    }
}

/// How precise a claimed date is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DatePrecision {
    Year,
    Month,
    Day,
}

/// The range of instants a claimed creation date stands for, and its precision.
pub fn date_window(claim: &str) -> Option<(Millis, Millis, DatePrecision)> {
    let parts: Vec<&str> = claim.trim().split('-').collect();
    let num = |i: usize| parts.get(i).and_then(|p| p.parse::<u8>().ok());
    let year: i32 = parts.first()?.parse().ok()?;
    if !(1970..=9999).contains(&year) || parts.len() > 3 {
        return None;
    }
    let ms = |d: time::Date| d.midnight().assume_utc().unix_timestamp() * 1000;
    let month = |m: u8| time::Month::try_from(m).ok();
    let (start, end, precision) = match parts.len() {
        1 => (
            time::Date::from_calendar_date(year, time::Month::January, 1).ok()?,
            time::Date::from_calendar_date(year + 1, time::Month::January, 1).ok()?,
            DatePrecision::Year,
        ),
        2 => {
            let m = month(num(1)?)?;
            let start = time::Date::from_calendar_date(year, m, 1).ok()?;
            let next = if m == time::Month::December {
                time::Date::from_calendar_date(year + 1, time::Month::January, 1).ok()?
            } else {
                time::Date::from_calendar_date(year, m.next(), 1).ok()?
            };
            (start, next, DatePrecision::Month)
        }
        _ => {
            let d = time::Date::from_calendar_date(year, month(num(1)?)?, num(2)?).ok()?;
            (d, d.next_day()?, DatePrecision::Day)
        }
    };
    Some((ms(start), ms(end), precision))
}

/// The range of instants a claimed creation date stands for.
pub fn date_range(claim: &str) -> Option<(Millis, Millis)> {
    date_window(claim).map(|(s, e, _)| (s, e))
}

/// The creation date claimed, scored by its precision: a bare year is weak evidence even when
/// right, a day close to the real one strong; a month or two off is still memory, a year off is
/// not.
pub fn created(claim: &str, created_at: Millis) -> Item {
    let Some((start, end, precision)) = date_window(claim) else {
        return item(
            "created_around",
            Outcome::Unknown,
            0,
            "date_unreadable",
            vec![],
        );
    };
    let off = if created_at < start {
        start - created_at
    } else if created_at >= end {
        created_at - end + 1
    } else {
        0
    };
    let days = (off + DAY - 1) / DAY;
    let args = vec![("days", days.to_string())];
    let p = match precision {
        DatePrecision::Year => "year",
        DatePrecision::Month => "month",
        DatePrecision::Day => "day",
    };
    let mut args_p = args.clone();
    args_p.push(("precision", p.to_owned()));
    match (precision, days) {
        (DatePrecision::Year, 0) => item(
            "created_around",
            Outcome::Matched,
            points::DATE_YEAR,
            "date_exact",
            args_p,
        ),
        (DatePrecision::Month, 0) => item(
            "created_around",
            Outcome::Matched,
            points::DATE_MONTH,
            "date_exact",
            args_p,
        ),
        (DatePrecision::Day, 0..=7) => item(
            "created_around",
            Outcome::Matched,
            points::DATE_DAY,
            "date_exact",
            args_p,
        ),
        (DatePrecision::Year, 1..=31) => item(
            "created_around",
            Outcome::Partial,
            points::DATE_YEAR_NEAR,
            "date_near",
            args_p,
        ),
        (DatePrecision::Year, 32..=183) => {
            item("created_around", Outcome::Unknown, 0, "date_far", args_p)
        }
        (DatePrecision::Year, _) => item(
            "created_around",
            Outcome::Contradicted,
            points::DATE_YEAR_OFF,
            "date_off",
            args_p,
        ),
        (_, 0..=31) => item(
            "created_around",
            Outcome::Partial,
            points::DATE_NEAR,
            "date_near",
            args_p,
        ),
        (_, 32..=92) => item(
            "created_around",
            Outcome::Partial,
            points::DATE_CLOSE,
            "date_close",
            args_p,
        ),
        // A month or a day four to six months off: more likely a guess than a slip.
        (_, 93..=183) => item(
            "created_around",
            Outcome::Contradicted,
            points::DATE_FAR,
            "date_far",
            args_p,
        ),
        _ => item(
            "created_around",
            Outcome::Contradicted,
            points::DATE_OFF,
            "date_off",
            args_p,
        ),
    }
}

/// Where the ticket was filed from: a device or network of the account's login records is
/// evidence (never proof: a thief with the owner's unlocked phone has both), a network shared by
/// many accounts (an office) says little, another account's device counts against.
pub fn filing(f: &Filing) -> Vec<Item> {
    let mut out = Vec::new();
    match f.device {
        DeviceUse::Known => out.push(item(
            "filed_from",
            Outcome::Matched,
            points::FILED_KNOWN_DEVICE,
            "filed_from_known_device",
            vec![],
        )),
        DeviceUse::Elsewhere => out.push(item(
            "filed_from",
            Outcome::Contradicted,
            points::FILED_OTHER_DEVICE,
            "filed_from_other_device",
            vec![],
        )),
        DeviceUse::Unknown => {}
    }
    if f.same_agent && f.device != DeviceUse::Known {
        out.push(item(
            "filed_from",
            Outcome::Matched,
            points::FILED_SAME_AGENT,
            "filed_with_same_agent",
            vec![],
        ));
    }
    if let Some(n) = f.network {
        let args = vec![("accounts", n.accounts.to_string())];
        out.push(if !n.known {
            item(
                "filed_from",
                Outcome::Unknown,
                0,
                "filed_from_new_network",
                vec![],
            )
        } else if n.accounts <= 2 {
            item(
                "filed_from",
                Outcome::Matched,
                points::FILED_OWN_NETWORK,
                "filed_from_own_network",
                args,
            )
        } else {
            item(
                "filed_from",
                Outcome::Unknown,
                points::FILED_SHARED_NETWORK,
                "filed_from_shared_network",
                args,
            )
        });
    }
    out
}

/// The requester's answers to the account's security questions: extra evidence only (at most 24,
/// below the private minimum); nothing when none were compared (none given, or the account has
/// no questions).
pub fn answers(a: Answers) -> Option<Item> {
    if a.given == 0 {
        return None;
    }
    let args = vec![
        ("right", a.right.to_string()),
        ("given", a.given.to_string()),
    ];
    let (result, weight, code) = match a.right {
        0 => (
            Outcome::Contradicted,
            points::ANSWERS_WRONG,
            "answers_wrong",
        ),
        1 => (Outcome::Matched, points::ANSWER_RIGHT, "answers_right"),
        _ => (Outcome::Matched, points::ANSWERS_RIGHT, "answers_right"),
    };
    Some(item("security_answers", result, weight, code, args))
}

/// What a session the account is signed in with answered to "did you ask support to recover
/// this account?"; nothing while it has not answered (the owner may have no signed-in device).
pub fn own_answer(a: OwnAnswer) -> Option<Item> {
    match a {
        OwnAnswer::None => None,
        OwnAnswer::Confirmed => Some(item(
            "own_session",
            Outcome::Matched,
            points::OWN_CONFIRMED,
            "own_session_confirmed",
            vec![],
        )),
        OwnAnswer::Denied => Some(item(
            "own_session",
            Outcome::Contradicted,
            points::OWN_DENIED,
            "own_session_denied",
            vec![],
        )),
    }
}

/// The trusted colleagues' answers: k confirmations are strong evidence; fewer add a little but
/// never carry a ticket alone; a denial counts heavily against, silence past the deadline a
/// little. An enterprise admin's confirmation counts as one of the k when it makes them up
/// (`admin_counted`, from [`admin_completes`]; our reading of SPEC §4, where the admin confirms
/// a member "as DingTalk and Feishu route it through the organisation": the admin answers for
/// knowing the member, as a trusted colleague does): with one trusted colleague it makes two,
/// and alone it stays one — never enough when k ≥ 2.
pub fn vouches(v: &Vouches, admin_counted: bool, needed: u32) -> Vec<Item> {
    if v.asked == 0 {
        return Vec::new();
    }
    let k = needed.max(1);
    let counts = |extra: Vec<(&'static str, String)>| {
        let mut a = vec![
            ("confirmed", v.confirmed.to_string()),
            ("asked", v.asked.to_string()),
            ("needed", k.to_string()),
        ];
        a.extend(extra);
        a
    };
    if v.denied > 0 {
        return vec![item(
            TRUSTED,
            Outcome::Contradicted,
            points::VOUCH_DENIED,
            "vouches_denied",
            counts(vec![("denied", v.denied.to_string())]),
        )];
    }
    if v.confirmed >= k || admin_counted {
        let code = if v.confirmed >= k {
            "vouches_confirmed"
        } else {
            "vouches_confirmed_admin"
        };
        return vec![item(
            TRUSTED,
            Outcome::Matched,
            points::VOUCH_CONFIRMED,
            code,
            counts(vec![]),
        )];
    }
    let mut out = Vec::new();
    if v.confirmed > 0 {
        out.push(item(
            TRUSTED,
            Outcome::Partial,
            points::VOUCH_PARTIAL,
            "vouches_partial",
            counts(vec![]),
        ));
    }
    if v.silent > 0 {
        let silent = i32::try_from(v.silent.min(2)).unwrap_or(2) * points::VOUCH_SILENT;
        out.push(item(
            TRUSTED,
            Outcome::Contradicted,
            silent,
            "vouches_silent",
            counts(vec![("silent", v.silent.to_string())]),
        ));
    }
    if out.is_empty() {
        out.push(item(
            TRUSTED,
            Outcome::Unknown,
            0,
            "vouches_pending",
            counts(vec![]),
        ));
    }
    out
}

/// The points of private evidence: each claim of the private class counts by its net points
/// (what matched less what was contradicted), never below zero. Naming four teammates of whom
/// two are people the account writes with shows knowledge of the team, not of the account:
/// the hits alone must not count as private evidence.
pub fn private_points(items: &[Item]) -> u32 {
    let mut per: Vec<(&str, i32)> = Vec::new();
    for i in items.iter().filter(|i| i.class == Class::Private) {
        match per.iter_mut().find(|(c, _)| *c == i.claim) {
            Some((_, sum)) => *sum += i.weight,
            None => per.push((i.claim, i.weight)),
        }
    }
    let total: i32 = per.iter().map(|(_, sum)| (*sum).max(0)).sum();
    u32::try_from(total).unwrap_or(0)
}

/// Whether an admin's confirmation (`admin`: one confirmed, none denied) makes up the k
/// confirmations the trusted colleagues fell one short of. At least one colleague must have
/// confirmed: the admin stands in for one of them, never for all (with k = 1 one colleague is
/// enough without it).
pub fn admin_completes(v: &Vouches, admin: bool, needed: u32) -> bool {
    let k = needed.max(1);
    admin && v.denied == 0 && v.confirmed > 0 && v.confirmed < k && v.confirmed + 1 >= k
}

/// Enterprise admins' answers. A confirmation counted among the trusted colleagues' k
/// (`counted`, from [`admin_completes`]) adds nothing more here.
pub fn admins(confirmed: u32, denied: u32, counted: bool) -> Option<Item> {
    if denied > 0 {
        Some(item(
            "enterprise_admin",
            Outcome::Contradicted,
            points::ADMIN_DENIED,
            "admin_denied",
            vec![],
        ))
    } else if confirmed > 0 && counted {
        Some(item(
            "enterprise_admin",
            Outcome::Matched,
            0,
            "admin_counted",
            vec![],
        ))
    } else if confirmed > 0 {
        Some(item(
            "enterprise_admin",
            Outcome::Matched,
            points::ADMIN_CONFIRMED,
            "admin_confirmed",
            vec![],
        ))
    } else {
        None
    }
}

/// A note for the agent, worth nothing: an admin's confirmation that was not counted because
/// the admin is also one of the trusted colleagues asked here (one person's word counts once).
pub fn admins_as_colleagues(n: u32) -> Option<Item> {
    (n > 0).then(|| {
        item(
            "enterprise_admin",
            Outcome::Unknown,
            0,
            "admin_as_colleague",
            vec![],
        )
    })
}

/// Independent kinds of private evidence that agree (colleagues, devices, the creation date,
/// the home city, where the ticket was filed, a former binding): the owner knows a little of
/// everything, while a colleague who knows the team, or a thief who knows the phone, knows one
/// kind well.
pub fn corroboration(items: &[Item]) -> Option<Item> {
    let mut kinds: Vec<&str> = Vec::new();
    // Places count only as the home city: the office's city is what every colleague knows.
    for claim in [
        "contact",
        "device",
        "created_around",
        "home",
        "filed_from",
        "binding",
        "security_answers",
    ] {
        // A kind agrees when it has hits (how much it shows, net of its misses, is for the
        // private minimum: `private_points`).
        let sum: i32 = items
            .iter()
            .filter(|i| i.weight > 0)
            .filter(|i| {
                i.claim == claim
                    || (claim == "home" && i.code == "place_home")
                    // A signed-in session's answer is the same kind: a device of the account's.
                    || (claim == "filed_from" && i.claim == "own_session")
                    || (claim == "binding"
                        && matches!(i.claim, "phone" | "email")
                        && i.code == "bound_before")
            })
            .map(|i| i.weight)
            .sum();
        if sum >= points::CORROBORATION_MIN {
            kinds.push(claim);
        }
    }
    if kinds.len() < 2 {
        return None;
    }
    let n = i32::try_from(kinds.len()).unwrap_or(6);
    Some(item(
        "corroboration",
        Outcome::Matched,
        ((n - 1) * points::CORROBORATION).min(points::CORROBORATION_CAP),
        "corroborated",
        vec![("kinds", kinds.len().to_string())],
    ))
}

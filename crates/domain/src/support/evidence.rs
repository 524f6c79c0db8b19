//! Evidence scoring (SPEC §4): the requester's claims compared with what the account's history
//! holds, deterministic and explained. Pure functions over a gathered [`Evidence`]: no database.
//!
//! Each claim yields an [`Item`]: `matched`, `partial`, `contradicted` or `unknown`, with the
//! signed points it adds (a contradiction subtracts) and a one-line detail. The score is the sum
//! clamped to 0–100. Weights (points):
//!
//! | claim | matched | partial | contradicted |
//! | --- | --- | --- | --- |
//! | phone / e-mail | +25 bound now | +15 bound before | −15 |
//! | nickname (public) | +10 current | +6 former or fuzzy | −5 |
//! | enterprise (public) | +10 member now | +6 former name or membership, fuzzy | −10 |
//! | each colleague named | +8 frequent contact (90 days) | +3 colleague | −8 neither |
//! | each device | +6 family seen in login records | — | −6 never seen |
//! | each place / network | +5 seen | — | −3 never seen |
//! | creation date | +10 within a month | +4 within 6 months | −10 |
//! | trusted colleagues | +40 k of n confirmed | +15 fewer than k | −40 any deny |
//! | enterprise admin | +15 confirmed | — | −25 denied |
//!
//! Fuzzy text matching: NFKC (full-width → half-width), case and spacing folded; then equal
//! pinyin (张伟 = zhang wei = 章伟) or a small edit distance counts as `partial`.
//!
//! Public facts (nickname, enterprise name) can be learned by anyone who has chatted with the
//! owner: when no other claim adds points, the score is capped at `public_facts_cap`, and
//! `likely_owner` always needs a non-public positive item.

use pinyin::ToPinyin;
use unicode_normalization::UnicodeNormalization;

use crate::clock::{DAY, Millis};
use crate::config::SupportConfig;

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

/// A device seen in the account's login records.
#[derive(Clone, Debug, Default)]
pub struct DeviceFacts {
    pub os: String,
    pub browser: String,
    pub label: String,
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
    /// Nicknames of the top contacts by messages over 90 days.
    pub frequent_contacts: Vec<String>,
    /// Nicknames of current colleagues.
    pub colleagues: Vec<String>,
    pub devices: Vec<DeviceFacts>,
    pub networks: Vec<String>,
    pub places: Vec<String>,
    pub created_at: Millis,
    /// Trusted colleagues asked, and their answers.
    pub vouches_asked: u32,
    pub vouches_confirmed: u32,
    pub vouches_denied: u32,
    pub admins_confirmed: u32,
    pub admins_denied: u32,
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

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub claim: &'static str,
    pub result: Outcome,
    /// Signed points: negative for a contradiction.
    pub weight: i32,
    pub detail: String,
    /// A fact anyone who chatted with the owner may know (nickname, enterprise name).
    pub public: bool,
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
    pub items: Vec<Item>,
}

/// How two texts compare.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Similarity {
    None,
    /// Same pinyin or a small edit distance.
    Fuzzy,
    /// Equal after folding width, case and spacing.
    Exact,
}

/// NFKC (full-width → half-width), lower case, without spaces and punctuation.
pub fn fold(s: &str) -> String {
    s.nfkc()
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// The text with each Chinese character replaced by its toneless pinyin.
pub fn pinyin_key(folded: &str) -> String {
    let mut out = String::new();
    for c in folded.chars() {
        match c.to_pinyin() {
            Some(p) => out.push_str(p.plain()),
            None => out.push(c),
        }
    }
    out
}

/// Compares a claimed text with a stored one.
pub fn similarity(claimed: &str, stored: &str) -> Similarity {
    let (a, b) = (fold(claimed), fold(stored));
    if a.is_empty() || b.is_empty() {
        return Similarity::None;
    }
    if a == b {
        return Similarity::Exact;
    }
    let (pa, pb) = (pinyin_key(&a), pinyin_key(&b));
    if pa == pb {
        return Similarity::Fuzzy;
    }
    // One slip per five letters (of the pinyin, so 张卫 vs 张伟 is one slip, not a new name).
    let longest = pa.chars().count().max(pb.chars().count());
    let allowed = (longest / 5).max(1);
    if longest >= 4 && strsim::levenshtein(&pa, &pb) <= allowed {
        return Similarity::Fuzzy;
    }
    Similarity::None
}

/// The best similarity of `claimed` with any of `stored`.
fn best<'a>(claimed: &str, stored: impl IntoIterator<Item = &'a String>) -> Similarity {
    stored
        .into_iter()
        .map(|s| similarity(claimed, s))
        .max()
        .unwrap_or(Similarity::None)
}

/// The range of instants a claimed creation date stands for.
pub fn date_range(claim: &str) -> Option<(Millis, Millis)> {
    let parts: Vec<&str> = claim.trim().split('-').collect();
    let num = |i: usize| parts.get(i).and_then(|p| p.parse::<u8>().ok());
    let year: i32 = parts.first()?.parse().ok()?;
    if !(1970..=9999).contains(&year) || parts.len() > 3 {
        return None;
    }
    let ms = |d: time::Date| d.midnight().assume_utc().unix_timestamp() * 1000;
    let month = |m: u8| time::Month::try_from(m).ok();
    let (start, end) = match parts.len() {
        1 => (
            time::Date::from_calendar_date(year, time::Month::January, 1).ok()?,
            time::Date::from_calendar_date(year + 1, time::Month::January, 1).ok()?,
        ),
        2 => {
            let m = month(num(1)?)?;
            let start = time::Date::from_calendar_date(year, m, 1).ok()?;
            let next = if m == time::Month::December {
                time::Date::from_calendar_date(year + 1, time::Month::January, 1).ok()?
            } else {
                time::Date::from_calendar_date(year, m.next(), 1).ok()?
            };
            (start, next)
        }
        _ => {
            let d = time::Date::from_calendar_date(year, month(num(1)?)?, num(2)?).ok()?;
            (d, d.next_day()?)
        }
    };
    Some((ms(start), ms(end)))
}

/// The operating-system words people use, and the name login records give that system.
const SYSTEMS: [(&str, &str); 8] = [
    ("iphone", "iphone"),
    ("ipad", "ipad"),
    ("android", "android"),
    ("windows", "windows"),
    ("pc", "windows"),
    ("mac", "macos"),
    ("linux", "linux"),
    ("harmony", "harmonyos"),
];

fn system_of(folded: &str) -> Option<&'static str> {
    SYSTEMS
        .iter()
        .find(|(word, _)| folded.contains(word))
        .map(|(_, os)| *os)
}

fn item(claim: &'static str, result: Outcome, weight: i32, detail: &str) -> Item {
    Item {
        claim,
        result,
        weight: if result == Outcome::Contradicted {
            -weight.abs()
        } else {
            weight
        },
        detail: detail.to_owned(),
        public: claim == "nickname" || claim == "enterprise",
    }
}

fn binding_item(
    claim: &'static str,
    claimed: &str,
    current: Option<&str>,
    former: &[String],
) -> Item {
    if current == Some(claimed) {
        item(claim, Outcome::Matched, 25, "bound to the account now")
    } else if former.iter().any(|f| f == claimed) {
        item(
            claim,
            Outcome::Partial,
            15,
            "was bound to the account before",
        )
    } else {
        item(
            claim,
            Outcome::Contradicted,
            15,
            "never bound to the account",
        )
    }
}

/// Compares every claim with the evidence.
pub fn items(claims: &Claims, e: &Evidence, cfg: &SupportConfig, now: Millis) -> Vec<Item> {
    let mut out = Vec::new();
    if let Some(p) = &claims.phone {
        out.push(binding_item(
            "phone",
            p,
            e.phone.as_deref(),
            &e.former_bindings,
        ));
    }
    if let Some(m) = &claims.email {
        out.push(binding_item(
            "email",
            m,
            e.email.as_deref(),
            &e.former_bindings,
        ));
    }
    if !claims.nicknames.is_empty() {
        let current = claims
            .nicknames
            .iter()
            .map(|n| similarity(n, &e.nickname))
            .max()
            .unwrap_or(Similarity::None);
        let former = claims
            .nicknames
            .iter()
            .map(|n| best(n, &e.former_nicknames))
            .max()
            .unwrap_or(Similarity::None);
        out.push(match (current, former) {
            (Similarity::Exact, _) => {
                item("nickname", Outcome::Matched, 10, "the current nickname")
            }
            (Similarity::Fuzzy, _) => item(
                "nickname",
                Outcome::Partial,
                6,
                "close to the current nickname (spelling or pinyin)",
            ),
            (_, Similarity::Exact | Similarity::Fuzzy) => {
                item("nickname", Outcome::Partial, 6, "a former nickname")
            }
            _ => item("nickname", Outcome::Contradicted, 5, "no nickname like it"),
        });
    }
    if let Some(claimed) = &claims.enterprise {
        let score = |o: &OrgFacts| {
            let current = o.names.last().map(|n| similarity(claimed, n));
            let any = best(claimed, &o.names);
            match (o.active, current, any) {
                (true, Some(Similarity::Exact), _) => 3,
                (_, _, Similarity::None) => 0,
                (true, _, _) => 2,
                (false, _, _) => 1,
            }
        };
        out.push(match e.orgs.iter().map(score).max().unwrap_or(0) {
            3 => item(
                "enterprise",
                Outcome::Matched,
                10,
                "a member of this enterprise now",
            ),
            2 => item(
                "enterprise",
                Outcome::Partial,
                6,
                "a member; the name is a former or misspelt one",
            ),
            1 => item(
                "enterprise",
                Outcome::Partial,
                6,
                "was a member of this enterprise",
            ),
            _ => item(
                "enterprise",
                Outcome::Contradicted,
                10,
                "never a member of an enterprise of that name",
            ),
        });
    }
    let mut contact_points = 0;
    for c in &claims.contacts {
        let it = if best(c, &e.frequent_contacts) > Similarity::None {
            item(
                "contact",
                Outcome::Matched,
                8,
                "a frequent contact (90 days)",
            )
        } else if best(c, &e.colleagues) > Similarity::None {
            item(
                "contact",
                Outcome::Partial,
                3,
                "a colleague, not a frequent contact",
            )
        } else {
            item(
                "contact",
                Outcome::Contradicted,
                8,
                "not a colleague or contact",
            )
        };
        let capped = capped_item(it, &mut contact_points, 24);
        out.push(capped);
    }
    let mut device_points = 0;
    for d in &claims.devices {
        let folded = fold(d);
        let seen_os: Vec<String> = e.devices.iter().map(|x| fold(&x.os)).collect();
        let it = match system_of(&folded) {
            _ if e.devices.is_empty() => item("device", Outcome::Unknown, 0, "no login records"),
            Some(os) if seen_os.iter().any(|s| s.contains(os)) => item(
                "device",
                Outcome::Matched,
                6,
                "this kind of device is in the login records",
            ),
            Some(_) => item(
                "device",
                Outcome::Contradicted,
                6,
                "this kind of device never logged in",
            ),
            None if e.devices.iter().any(|x| {
                let b = fold(&x.browser);
                !b.is_empty() && folded.contains(&b)
            }) =>
            {
                item(
                    "device",
                    Outcome::Matched,
                    6,
                    "this browser/app is in the login records",
                )
            }
            None => item(
                "device",
                Outcome::Unknown,
                0,
                "not a device kind we recognise",
            ),
        };
        out.push(capped_item(it, &mut device_points, 12));
    }
    let mut place_points = 0;
    for p in &claims.places {
        let network = loginmeta::network_of(p.trim());
        let folded = fold(p);
        let seen = match &network {
            Some(n) => e.networks.iter().any(|x| x == n),
            None => {
                !folded.is_empty()
                    && e.places.iter().any(|x| {
                        let f = fold(x);
                        f.contains(&folded) || best(p, std::slice::from_ref(x)) > Similarity::None
                    })
            }
        };
        let known = if network.is_some() {
            !e.networks.is_empty()
        } else {
            !e.places.is_empty()
        };
        let it = if seen {
            item("place", Outcome::Matched, 5, "in the login records")
        } else if known {
            item(
                "place",
                Outcome::Contradicted,
                3,
                "never in the login records",
            )
        } else {
            item("place", Outcome::Unknown, 0, "no places recorded")
        };
        out.push(capped_item(it, &mut place_points, 10));
    }
    if let Some(c) = &claims.created_around {
        out.push(match date_range(c) {
            Some((start, end)) => {
                let off = if e.created_at < start {
                    start - e.created_at
                } else if e.created_at >= end {
                    e.created_at - end
                } else {
                    0
                };
                if off <= 31 * DAY {
                    item("created_around", Outcome::Matched, 10, "within a month")
                } else if off <= 183 * DAY {
                    item("created_around", Outcome::Partial, 4, "within six months")
                } else {
                    item(
                        "created_around",
                        Outcome::Contradicted,
                        10,
                        "off by more than six months",
                    )
                }
            }
            None => item("created_around", Outcome::Unknown, 0, "not a date"),
        });
    }
    let _ = now;
    if e.vouches_asked > 0 {
        let k = cfg.vouches_needed.max(1);
        out.push(if e.vouches_denied > 0 {
            item(
                "trusted_colleagues",
                Outcome::Contradicted,
                40,
                &format!("{} trusted colleague(s) denied", e.vouches_denied),
            )
        } else if e.vouches_confirmed >= k {
            item(
                "trusted_colleagues",
                Outcome::Matched,
                40,
                &format!(
                    "{} of {} trusted colleagues confirmed",
                    e.vouches_confirmed, e.vouches_asked
                ),
            )
        } else if e.vouches_confirmed > 0 {
            item(
                "trusted_colleagues",
                Outcome::Partial,
                15,
                &format!(
                    "{} of {} confirmed; {k} needed",
                    e.vouches_confirmed, e.vouches_asked
                ),
            )
        } else {
            item(
                "trusted_colleagues",
                Outcome::Unknown,
                0,
                "asked; no answer yet",
            )
        });
    }
    if e.admins_denied > 0 {
        out.push(item(
            "enterprise_admin",
            Outcome::Contradicted,
            25,
            "an enterprise admin does not know the requester as this member",
        ));
    } else if e.admins_confirmed > 0 {
        out.push(item(
            "enterprise_admin",
            Outcome::Matched,
            15,
            "an enterprise admin confirmed the member",
        ));
    }
    out
}

/// Limits the points a repeated claim (contacts, devices, places) may add in total.
fn capped_item(mut it: Item, used: &mut i32, cap: i32) -> Item {
    if it.weight > 0 {
        let room = (cap - *used).max(0);
        it.weight = it.weight.min(room);
        *used += it.weight;
    }
    it
}

/// The score and recommendation of a candidate.
pub fn assess(claims: &Claims, e: &Evidence, cfg: &SupportConfig, now: Millis) -> Assessment {
    let items = items(claims, e, cfg, now);
    let sum: i32 = items.iter().map(|i| i.weight).sum();
    let mut score = u32::try_from(sum.clamp(0, 100)).unwrap_or(0);
    let private = items.iter().any(|i| !i.public && i.weight > 0);
    if !private {
        score = score.min(cfg.public_facts_cap);
    }
    let recommendation = if score >= cfg.owner_score && private {
        Recommendation::LikelyOwner
    } else if score < cfg.impostor_score {
        Recommendation::LikelyImpostor
    } else {
        Recommendation::Uncertain
    };
    Assessment {
        score,
        recommendation,
        items,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: Millis = 1_780_000_000_000;

    fn owner() -> Evidence {
        Evidence {
            nickname: "张伟".into(),
            former_nicknames: vec!["Wei Zhang".into()],
            phone: Some("+8613800138000".into()),
            email: Some("wei@example.com".into()),
            former_bindings: vec!["+8613900139000".into()],
            orgs: vec![OrgFacts {
                names: vec!["旺商科技".into(), "旺商网络科技有限公司".into()],
                active: true,
            }],
            frequent_contacts: vec!["李娜".into()],
            colleagues: vec!["李娜".into(), "王芳".into()],
            devices: vec![DeviceFacts {
                os: "iPhone".into(),
                browser: "Safari".into(),
                label: "Safari on iPhone".into(),
            }],
            networks: vec!["203.0.113.0/24".into()],
            places: vec!["Shanghai, CN".into()],
            created_at: date_range("2023-05-10").unwrap().0,
            ..Evidence::default()
        }
    }

    fn cfg() -> SupportConfig {
        SupportConfig::default()
    }

    fn result_of(items: &[Item], claim: &str) -> Outcome {
        items.iter().find(|i| i.claim == claim).unwrap().result
    }

    #[test]
    fn folding_handles_width_case_and_spacing() {
        assert_eq!(fold("Ｗｅｉ　Ｚｈａｎｇ"), "weizhang");
        assert_eq!(similarity("ＷＥＩ zhang", "Wei Zhang"), Similarity::Exact);
        assert_eq!(similarity("wei-zhang", "WeiZhang"), Similarity::Exact);
    }

    #[test]
    fn pinyin_matches_chinese_names_and_romanisations() {
        assert_eq!(pinyin_key("张伟"), "zhangwei");
        assert_eq!(similarity("zhang wei", "张伟"), Similarity::Fuzzy);
        // A homophone written with another character.
        assert_eq!(similarity("章伟", "张伟"), Similarity::Fuzzy);
        assert_eq!(similarity("李娜", "张伟"), Similarity::None);
    }

    #[test]
    fn edit_distance_tolerates_slips_not_other_names() {
        assert_eq!(
            similarity("Wangshang Tech", "Wangshamg Tech"),
            Similarity::Fuzzy
        );
        assert_eq!(similarity("Acme Corp", "Globex Corp"), Similarity::None);
        // Short texts need an exact (folded) match or the same pinyin.
        assert_eq!(similarity("ab", "ac"), Similarity::None);
    }

    #[test]
    fn date_windows() {
        let (s, e) = date_range("2023-05").unwrap();
        assert_eq!(e - s, 31 * DAY);
        assert!(date_range("2023-13").is_none());
        assert!(date_range("yesterday").is_none());
        let ev = owner();
        let c = |d: &str| Claims {
            created_around: Some(d.into()),
            ..Claims::default()
        };
        assert_eq!(
            result_of(&items(&c("2023"), &ev, &cfg(), NOW), "created_around"),
            Outcome::Matched
        );
        assert_eq!(
            result_of(&items(&c("2023-06-05"), &ev, &cfg(), NOW), "created_around"),
            Outcome::Matched
        );
        assert_eq!(
            result_of(&items(&c("2023-09"), &ev, &cfg(), NOW), "created_around"),
            Outcome::Partial
        );
        assert_eq!(
            result_of(&items(&c("2021-01"), &ev, &cfg(), NOW), "created_around"),
            Outcome::Contradicted
        );
    }

    #[test]
    fn public_facts_alone_never_reach_likely_owner() {
        let claims = Claims {
            nicknames: vec!["张伟".into(), "Wei Zhang".into()],
            enterprise: Some("旺商网络科技有限公司".into()),
            ..Claims::default()
        };
        // Even with thresholds that would otherwise let it through.
        let lax = SupportConfig {
            owner_score: 15,
            public_facts_cap: 90,
            ..cfg()
        };
        for c in [cfg(), lax] {
            let a = assess(&claims, &owner(), &c, NOW);
            assert_ne!(a.recommendation, Recommendation::LikelyOwner, "{a:?}");
            assert!(a.items.iter().all(|i| i.result == Outcome::Matched));
        }
        let a = assess(&claims, &owner(), &cfg(), NOW);
        assert!(a.score <= cfg().public_facts_cap);
        assert_eq!(a.recommendation, Recommendation::LikelyImpostor);
    }

    #[test]
    fn contradictions_count_against() {
        let right = Claims {
            phone: Some("+8613800138000".into()),
            nicknames: vec!["张伟".into()],
            contacts: vec!["李娜".into()],
            devices: vec!["iPhone".into()],
            ..Claims::default()
        };
        let mut wrong = right.clone();
        wrong.contacts = vec!["赵敏".into()];
        wrong.devices = vec!["Windows PC".into()];
        let e = owner();
        let good = assess(&right, &e, &cfg(), NOW);
        let bad = assess(&wrong, &e, &cfg(), NOW);
        assert_eq!(result_of(&bad.items, "contact"), Outcome::Contradicted);
        assert_eq!(result_of(&bad.items, "device"), Outcome::Contradicted);
        assert!(
            bad.items
                .iter()
                .filter(|i| i.result == Outcome::Contradicted)
                .all(|i| i.weight < 0)
        );
        assert!(
            bad.score + 20 < good.score,
            "{} vs {}",
            bad.score,
            good.score
        );
    }

    #[test]
    fn bindings_now_before_and_never() {
        let e = owner();
        let c = |p: &str| Claims {
            phone: Some(p.into()),
            ..Claims::default()
        };
        assert_eq!(
            result_of(&items(&c("+8613800138000"), &e, &cfg(), NOW), "phone"),
            Outcome::Matched
        );
        assert_eq!(
            result_of(&items(&c("+8613900139000"), &e, &cfg(), NOW), "phone"),
            Outcome::Partial
        );
        assert_eq!(
            result_of(&items(&c("+8613700137000"), &e, &cfg(), NOW), "phone"),
            Outcome::Contradicted
        );
    }

    #[test]
    fn former_names_and_memberships_are_partial() {
        let e = owner();
        let c = Claims {
            nicknames: vec!["wei zhang".into()],
            enterprise: Some("旺商科技".into()),
            ..Claims::default()
        };
        let it = items(&c, &e, &cfg(), NOW);
        assert_eq!(result_of(&it, "nickname"), Outcome::Partial);
        assert_eq!(result_of(&it, "enterprise"), Outcome::Partial);
        let mut left = e.clone();
        left.orgs[0].active = false;
        let c = Claims {
            enterprise: Some("旺商网络科技有限公司".into()),
            ..Claims::default()
        };
        assert_eq!(
            result_of(&items(&c, &left, &cfg(), NOW), "enterprise"),
            Outcome::Partial
        );
    }

    #[test]
    fn trusted_colleagues_k_of_n_move_a_borderline_ticket() {
        let c = Claims {
            phone: Some("+8613800138000".into()),
            nicknames: vec!["张伟".into()],
            enterprise: Some("旺商网络科技有限公司".into()),
            ..Claims::default()
        };
        let mut e = owner();
        e.vouches_asked = 3;
        let before = assess(&c, &e, &cfg(), NOW);
        assert_eq!(before.recommendation, Recommendation::Uncertain);
        e.vouches_confirmed = 1;
        assert_eq!(
            assess(&c, &e, &cfg(), NOW).recommendation,
            Recommendation::Uncertain
        );
        e.vouches_confirmed = 2;
        assert_eq!(
            assess(&c, &e, &cfg(), NOW).recommendation,
            Recommendation::LikelyOwner
        );
        e.vouches_denied = 1;
        let denied = assess(&c, &e, &cfg(), NOW);
        assert_eq!(
            result_of(&denied.items, "trusted_colleagues"),
            Outcome::Contradicted
        );
        assert_ne!(denied.recommendation, Recommendation::LikelyOwner);
    }

    #[test]
    fn places_and_networks() {
        let e = owner();
        let c = |p: &str| Claims {
            places: vec![p.into()],
            ..Claims::default()
        };
        assert_eq!(
            result_of(&items(&c("shanghai"), &e, &cfg(), NOW), "place"),
            Outcome::Matched
        );
        assert_eq!(
            result_of(&items(&c("203.0.113.77"), &e, &cfg(), NOW), "place"),
            Outcome::Matched
        );
        assert_eq!(
            result_of(&items(&c("198.51.100.1"), &e, &cfg(), NOW), "place"),
            Outcome::Contradicted
        );
        let mut none = e.clone();
        none.places.clear();
        assert_eq!(
            result_of(&items(&c("Beijing"), &none, &cfg(), NOW), "place"),
            Outcome::Unknown
        );
    }
}

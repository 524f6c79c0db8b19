//! The support desk's evidence items in the reader's language: each item's detail code and
//! arguments worded from the catalogs (`agent-ev-d-{code}` in `locales/{zh-CN,en}/web.ftl`), for
//! the agent console and the agent API alike.

use domain::support::evidence::Item;

use crate::web::i18n::Tr;

/// The detail line of an item.
pub fn detail(t: Tr, it: &Item) -> String {
    let args: Vec<(&str, String)> = it
        .args
        .iter()
        .map(|(k, v)| {
            let v = match *k {
                "how" => t.get(&format!("agent-ev-how-{v}")),
                "precision" => t.get(&format!("agent-ev-precision-{v}")),
                _ => v.clone(),
            };
            (*k, v)
        })
        .collect();
    let refs: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    t.with(&format!("agent-ev-d-{}", it.code), &refs)
}

/// The label of a claim ("Colleague", "同事").
pub fn claim_label(t: Tr, claim: &str) -> String {
    let s = t.get(&format!("agent-ev-{claim}"));
    if s.starts_with('⟦') {
        claim.to_owned()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::Lang;
    use domain::support::evidence::Outcome;
    use domain::support::evidence::rules::{CODES, item};

    #[test]
    fn every_detail_code_has_a_text_in_both_languages() {
        for lang in [Lang::Zh, Lang::En] {
            for code in CODES {
                let it = item(
                    "contact",
                    Outcome::Matched,
                    1,
                    code,
                    vec![
                        ("name", "李娜".into()),
                        ("how", "former".into()),
                        ("precision", "month".into()),
                        ("messages", "3".into()),
                        ("rank", "1".into()),
                        ("device", "iPhone".into()),
                        ("place", "Shanghai".into()),
                        ("days", "4".into()),
                        ("accounts", "2".into()),
                        ("confirmed", "1".into()),
                        ("asked", "3".into()),
                        ("needed", "2".into()),
                        ("denied", "1".into()),
                        ("silent", "1".into()),
                        ("kinds", "3".into()),
                        ("right", "1".into()),
                        ("given", "2".into()),
                    ],
                );
                let text = detail(Tr(lang), &it);
                assert!(
                    !text.contains('⟦') && !text.contains('{'),
                    "{lang:?} {code}: {text}"
                );
            }
        }
        let it = item(
            "contact",
            Outcome::Matched,
            10,
            "contact_top",
            vec![
                ("name", "李娜".into()),
                ("how", "former".into()),
                ("messages", "40".into()),
                ("rank", "1".into()),
            ],
        );
        assert_eq!(
            detail(Tr(Lang::En), &it),
            "李娜 (by a former name): one of the 5 people the account writes with most (no. 1, 40 messages in 90 days)."
        );
        assert!(detail(Tr(Lang::Zh), &it).starts_with("李娜（按曾用名）："));
    }

    /// The items the rules really produce (with their own arguments) read well in both
    /// languages: a text whose argument a rule forgot would show as `⟦key⟧`.
    #[test]
    fn produced_items_read_well() {
        use domain::config::SupportConfig;
        use domain::support::evidence::{
            Claims, DeviceFacts, DeviceUse, Evidence, Filing, NetworkUse, OrgFacts, Person,
            Vouches, items,
        };
        let person = |n: &str, m: i64| Person {
            names: vec![n.to_owned(), format!("{n}旧")],
            colleague: true,
            messages: m,
        };
        let e = Evidence {
            nickname: "张伟".into(),
            former_nicknames: vec!["Wei".into()],
            phone: Some("+8613800138000".into()),
            former_bindings: vec!["a@example.com".into()],
            orgs: vec![OrgFacts {
                names: vec!["旺商科技".into()],
                active: true,
            }],
            people: (0..30)
                .map(|i| person(&format!("同事{i}"), 30 - i))
                .collect(),
            strangers: vec!["马云".into()],
            devices: vec![DeviceFacts {
                os: "HarmonyOS".into(),
                browser: "Huawei Browser".into(),
                family: "mobile".into(),
                maker: Some("Huawei".into()),
                model: Some("Mate".into()),
            }],
            networks: vec!["203.0.113.0/24".into()],
            places: vec!["CN/Shanghai".into()],
            filing: Filing {
                network: Some(NetworkUse {
                    known: true,
                    accounts: 1,
                }),
                same_agent: true,
                device: DeviceUse::Elsewhere,
            },
            vouches: Vouches {
                asked: 3,
                confirmed: 1,
                silent: 1,
                denied: 0,
            },
            admins_confirmed: 1,
            ..Evidence::default()
        };
        let claims = Claims {
            phone: Some("+8613800138000".into()),
            email: Some("a@example.com".into()),
            nicknames: vec!["Wei".into()],
            enterprise: Some("旺商".into()),
            contacts: vec![
                "同事0".into(),
                "同事3旧".into(),
                "同事20".into(),
                "同事29".into(),
                "马云".into(),
                "无名".into(),
                "同事0".into(),
            ],
            devices: vec!["华为Mate".into(), "华为".into(), "电脑".into(), "?".into()],
            places: vec![
                "上海".into(),
                "北京".into(),
                "203.0.113.9".into(),
                "家里".into(),
            ],
            created_around: Some("2023-05".into()),
        };
        let list = items(&claims, &e, &SupportConfig::default());
        assert!(list.len() > 20, "{list:?}");
        for lang in [Lang::Zh, Lang::En] {
            for it in &list {
                let text = detail(Tr(lang), it);
                assert!(
                    !text.contains('⟦') && !text.contains('{'),
                    "{lang:?} {}: {text}",
                    it.code
                );
                assert!(!claim_label(Tr(lang), it.claim).is_empty());
            }
        }
    }
}

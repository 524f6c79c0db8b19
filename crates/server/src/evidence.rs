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
}

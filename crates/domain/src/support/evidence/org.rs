//! Enterprise names as people say them: the full registered name ("上海旺达贸易有限公司"), its
//! short form ("旺达", "旺达贸易"), its pinyin ("wangda") and an English rendering ("Wangda
//! Trading Co., Ltd."). A name is reduced to its core — without the legal form, the industry
//! and a leading place — and cores are compared by their characters or their pinyin; the
//! industry, when both sides give one, must agree.

use super::text::{Similarity, fold, has_cjk, pinyin_keys, similarity};

/// How a claimed enterprise name compares with a stored one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum NameMatch {
    None,
    /// A slip in the name, or the core with a different industry.
    Fuzzy,
    /// The short form, the pinyin or the English rendering of the name.
    Short,
    /// The name itself (width, case and spacing folded).
    Exact,
}

/// Legal forms and words of organisation, longest first (Chinese).
const LEGAL_CJK: &[&str] = &[
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "分公司",
    "总公司",
    "公司",
    "集团",
    "工作室",
    "事务所",
    "中心",
    "商行",
    "工厂",
    "厂",
];

/// Industries: Chinese words and the English words for them, under one id.
const INDUSTRIES: &[(&str, &[&str], &[&str])] = &[
    (
        "trade",
        &["国际贸易", "商贸", "贸易"],
        &["trading", "trade", "commerce", "commercial"],
    ),
    (
        "tech",
        &["信息技术", "网络科技", "科技", "技术", "信息"],
        &["technology", "technologies", "tech", "information", "it"],
    ),
    (
        "network",
        &["网络", "互联网"],
        &["network", "networks", "internet", "net"],
    ),
    ("software", &["软件"], &["software"]),
    ("electronics", &["电子"], &["electronics", "electronic"]),
    (
        "industry",
        &["实业", "工业"],
        &["industrial", "industries", "industry"],
    ),
    (
        "logistics",
        &["物流", "供应链"],
        &["logistics", "supply", "chain"],
    ),
    (
        "consulting",
        &["咨询", "顾问"],
        &["consulting", "consultancy", "advisory"],
    ),
    (
        "media",
        &["文化传媒", "传媒", "文化"],
        &["media", "culture", "cultural"],
    ),
    ("design", &["设计"], &["design"]),
    (
        "construction",
        &["建筑", "建设", "工程"],
        &["construction", "engineering", "building"],
    ),
    ("manufacturing", &["制造"], &["manufacturing"]),
    (
        "investment",
        &["投资", "控股"],
        &[
            "investment",
            "investments",
            "holding",
            "holdings",
            "capital",
        ],
    ),
    ("food", &["食品", "餐饮"], &["food", "foods", "catering"]),
    (
        "medical",
        &["医疗", "医药"],
        &["medical", "pharmaceutical", "healthcare"],
    ),
    ("education", &["教育"], &["education"]),
    (
        "realestate",
        &["房地产", "地产", "置业"],
        &["realestate", "property", "properties"],
    ),
    (
        "apparel",
        &["服装", "服饰"],
        &["apparel", "garment", "garments", "fashion"],
    ),
    ("energy", &["能源", "新能源"], &["energy"]),
    ("auto", &["汽车"], &["auto", "automotive", "motors"]),
    ("advertising", &["广告"], &["advertising"]),
    ("international", &["国际"], &["international", "global"]),
];

/// English legal forms and filler words.
const LEGAL_LATIN: &[&str] = &[
    "co",
    "company",
    "ltd",
    "limited",
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "llc",
    "group",
    "plc",
    "gmbh",
    "the",
    "and",
    "of",
    "studio",
];

/// Places a registered name often starts with.
const PLACES: &[&str] = &[
    "中国", "上海", "北京", "深圳", "广州", "杭州", "南京", "苏州", "成都", "重庆", "天津", "武汉",
    "西安", "厦门", "宁波", "青岛", "东莞", "佛山", "合肥", "长沙", "郑州", "济南", "无锡", "昆山",
    "浙江", "江苏", "广东", "福建", "山东", "四川", "湖北", "湖南", "河南", "河北", "安徽", "香港",
];

/// A name reduced for comparison.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrgName {
    /// The whole name, folded.
    pub full: String,
    /// Without legal form, industry and a leading place: Chinese characters or Latin letters.
    pub core: String,
    /// Industry ids named.
    pub industries: Vec<&'static str>,
}

/// Reduces an enterprise name to its core and industries.
pub fn reduce(name: &str) -> OrgName {
    let full = fold(name);
    let mut industries = Vec::new();
    let core = if has_cjk(&full) {
        let mut core = full.clone();
        // Strip from the end: legal forms, then industries, repeatedly.
        loop {
            let before = core.clone();
            for l in LEGAL_CJK {
                if let Some(s) = core.strip_suffix(l) {
                    core = s.to_owned();
                }
            }
            for (id, words, _) in INDUSTRIES {
                for w in words.iter() {
                    if core.chars().count() > w.chars().count() + 1
                        && let Some(s) = core.strip_suffix(w)
                    {
                        core = s.to_owned();
                        if !industries.contains(id) {
                            industries.push(*id);
                        }
                    }
                }
            }
            if core == before {
                break;
            }
        }
        for p in PLACES {
            if core.chars().count() > p.chars().count() + 1
                && let Some(s) = core.strip_prefix(p)
            {
                core = s.to_owned();
                break;
            }
        }
        core
    } else {
        let words: Vec<String> = name
            .split(|c: char| !c.is_alphanumeric())
            .map(fold)
            .filter(|w| !w.is_empty())
            .collect();
        let mut core = String::new();
        for w in &words {
            if LEGAL_LATIN.contains(&w.as_str()) {
                continue;
            }
            if let Some((id, _, _)) = INDUSTRIES
                .iter()
                .find(|(_, _, en)| en.contains(&w.as_str()))
            {
                if !industries.contains(id) {
                    industries.push(*id);
                }
                continue;
            }
            core.push_str(w);
        }
        core
    };
    OrgName {
        full,
        core,
        industries,
    }
}

/// Whether a core is long enough to stand for a name: two Chinese characters or three letters.
fn meaningful(core: &str) -> bool {
    if has_cjk(core) {
        core.chars().count() >= 2
    } else {
        core.chars().count() >= 3
    }
}

/// Compares a claimed enterprise name with one the enterprise has (had).
pub fn compare(claimed: &str, stored: &str) -> NameMatch {
    let (c, s) = (reduce(claimed), reduce(stored));
    if c.full.is_empty() || s.full.is_empty() {
        return NameMatch::None;
    }
    if c.full == s.full {
        return NameMatch::Exact;
    }
    let industries_agree = c.industries.is_empty()
        || s.industries.is_empty()
        || c.industries.iter().any(|i| s.industries.contains(i));
    let same_core = meaningful(&c.core)
        && meaningful(&s.core)
        && (c.core == s.core || {
            let (a, b) = (pinyin_keys(&c.core), pinyin_keys(&s.core));
            a.iter().any(|k| b.contains(k))
        });
    // "旺达贸易" for "旺达贸易有限公司": the claim is the start of the name.
    let prefix = has_cjk(&c.full)
        && c.full.chars().count() >= 2
        && s.full.starts_with(&c.full)
        && meaningful(&c.full);
    if (same_core || prefix) && industries_agree {
        return NameMatch::Short;
    }
    if same_core || similarity(claimed, stored) > Similarity::None {
        return NameMatch::Fuzzy;
    }
    if meaningful(&c.core) && meaningful(&s.core) && similarity(&c.core, &s.core) > Similarity::None
    {
        return NameMatch::Fuzzy;
    }
    NameMatch::None
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: &str = "上海旺达贸易有限公司";

    #[test]
    fn reduces_to_the_core() {
        let r = reduce(FULL);
        assert_eq!(r.core, "旺达");
        assert_eq!(r.industries, vec!["trade"]);
        let r = reduce("Wangda Trading Co., Ltd.");
        assert_eq!(r.core, "wangda");
        assert_eq!(r.industries, vec!["trade"]);
        assert_eq!(reduce("星海网络科技有限公司").core, "星海");
    }

    #[test]
    fn short_forms_pinyin_and_english() {
        assert_eq!(compare(FULL, FULL), NameMatch::Exact);
        assert_eq!(compare("上海 旺达贸易 有限公司", FULL), NameMatch::Exact);
        for claim in [
            "旺达",
            "旺达贸易",
            "旺达贸易有限公司",
            "wangda",
            "Wang Da",
            "Wangda Trading",
            "WANGDA TRADING CO., LTD.",
        ] {
            assert_eq!(compare(claim, FULL), NameMatch::Short, "{claim}");
        }
    }

    #[test]
    fn slips_and_other_industries_are_fuzzy() {
        assert_eq!(compare("Wangda Technology", FULL), NameMatch::Fuzzy);
        assert_eq!(compare("旺大贸易", FULL), NameMatch::Short);
        assert_eq!(compare("Wangdda Trading", FULL), NameMatch::Fuzzy);
    }

    #[test]
    fn other_names_do_not_match() {
        assert_eq!(compare("星海科技", FULL), NameMatch::None);
        assert_eq!(compare("Acme Trading", FULL), NameMatch::None);
        // One character is not a name.
        assert_eq!(compare("旺", FULL), NameMatch::None);
    }
}

//! Comparing what people type with what the account's history holds: folding (width, case,
//! spacing), pinyin (with the other readings of a name's first characters: 单 shan/dan, 曾
//! zeng/ceng), Latin names in either order (Wei Zhang = Zhang Wei = 张伟), decorations people add
//! to a nickname ("张伟（销售部）", "张伟-Sales"), and small slips (one per five letters of pinyin,
//! a swap of two letters counting as one).

use pinyin::{ToPinyin, ToPinyinMulti};
use unicode_normalization::UnicodeNormalization;

/// How two texts compare.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Similarity {
    None,
    /// Same pinyin, the same name without its decoration, Latin names in the other order, or a
    /// small slip.
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

/// The text with each Chinese character replaced by its (first) toneless pinyin.
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

/// Whether the text has a Chinese character.
pub fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| c.to_pinyin().is_some())
}

/// The pinyin keys of a folded text: the first readings, and the other readings of each of the
/// first two characters (where surnames and most heteronyms of names sit).
pub fn pinyin_keys(folded: &str) -> Vec<String> {
    let chars: Vec<char> = folded.chars().collect();
    let first = pinyin_key(folded);
    let mut keys = vec![first];
    for (i, c) in chars.iter().enumerate().take(2) {
        let Some(multi) = c.to_pinyin_multi() else {
            continue;
        };
        for reading in multi {
            let mut k = String::new();
            for (j, d) in chars.iter().enumerate() {
                if i == j {
                    k.push_str(reading.plain());
                } else {
                    match d.to_pinyin() {
                        Some(p) => k.push_str(p.plain()),
                        None => k.push(*d),
                    }
                }
            }
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
    }
    keys
}

/// The name without what people add around it: brackets ("张伟（销售部）", "[外包]李娜") and a tail
/// after a separator ("张伟-销售", "Wei | Sales"). `None` when nothing was added.
pub fn core_name(s: &str) -> Option<String> {
    let mut out = String::new();
    let mut depth = 0u32;
    for c in s.nfkc() {
        match c {
            '(' | '[' | '{' | '【' | '〔' | '<' | '《' => depth += 1,
            ')' | ']' | '}' | '】' | '〕' | '>' | '》' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    let cut = out
        .find(['-', '_', '|', '/', '·', '—', '@', '#'])
        .map_or(out.as_str(), |i| &out[..i]);
    let core = fold(cut);
    (!core.is_empty() && core != fold(s)).then_some(core)
}

/// The Latin words of a text in the other order ("wei zhang" → "zhangwei"), for two or three
/// words.
fn swapped(s: &str) -> Option<String> {
    let words: Vec<String> = s
        .nfkc()
        .collect::<String>()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    if !(2..=3).contains(&words.len()) || words.iter().any(|w| has_cjk(w)) {
        return None;
    }
    let mut r = words;
    r.rotate_right(1);
    Some(r.concat())
}

/// Whether two keys differ by a small slip: one edit (a swap of neighbours counting as one) per
/// six letters, for keys of at least four letters ("wutingting" is not "matingting").
fn slip(a: &str, b: &str) -> bool {
    let longest = a.chars().count().max(b.chars().count());
    let allowed = (longest / 6).max(1);
    longest >= 4 && strsim::osa_distance(a, b) <= allowed
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
    let mut claimed_forms = vec![a.clone()];
    claimed_forms.extend(core_name(claimed));
    claimed_forms.extend(swapped(claimed));
    let mut stored_forms = vec![b.clone()];
    stored_forms.extend(core_name(stored));
    for x in &claimed_forms {
        for y in &stored_forms {
            if x == y {
                return Similarity::Fuzzy;
            }
            let xs = pinyin_keys(x);
            let ys = pinyin_keys(y);
            if xs.iter().any(|p| ys.contains(p)) {
                return Similarity::Fuzzy;
            }
            // Slips are judged on the first readings only (of the pinyin, so 张卫 vs 张伟 is
            // one slip, not a new name).
            if slip(&xs[0], &ys[0]) {
                return Similarity::Fuzzy;
            }
        }
    }
    Similarity::None
}

/// Whether a Latin text is a Chinese name written in pinyin (either order, with or without
/// the tag around it): "Zhang Wei", "wei zhang" or "zhangwei" for 张伟（销售部）. The same name
/// in another script, not a name like it — unlike a slip or another character.
pub fn in_pinyin(claimed: &str, stored: &str) -> bool {
    let a = fold(claimed);
    if a.is_empty() || has_cjk(&a) || !has_cjk(stored) {
        return false;
    }
    let mut claimed_forms = vec![a];
    claimed_forms.extend(swapped(claimed));
    let mut stored_forms = vec![fold(stored)];
    stored_forms.extend(core_name(stored));
    stored_forms
        .iter()
        .flat_map(|y| pinyin_keys(y))
        .any(|k| claimed_forms.contains(&k))
}

/// The best similarity of `claimed` with any of `stored`.
pub fn best<'a>(claimed: &str, stored: impl IntoIterator<Item = &'a String>) -> Similarity {
    stored
        .into_iter()
        .map(|s| similarity(claimed, s))
        .max()
        .unwrap_or(Similarity::None)
}

#[cfg(test)]
mod tests {
    use super::*;

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
        // Given name first, as on a business card.
        assert_eq!(similarity("Wei Zhang", "张伟"), Similarity::Fuzzy);
        // Another reading of a surname: 单 is "shan" in names.
        assert_eq!(similarity("shan fang", "单芳"), Similarity::Fuzzy);
    }

    #[test]
    fn edit_distance_tolerates_slips_not_other_names() {
        assert_eq!(
            similarity("Wangshang Tech", "Wangshamg Tech"),
            Similarity::Fuzzy
        );
        // A swap of two letters is one slip.
        assert_eq!(similarity("zhang wie", "张伟"), Similarity::Fuzzy);
        assert_eq!(similarity("Acme Corp", "Globex Corp"), Similarity::None);
        // Short texts need an exact (folded) match or the same pinyin.
        assert_eq!(similarity("ab", "ac"), Similarity::None);
        assert_eq!(similarity("李华", "李娜"), Similarity::None);
    }

    #[test]
    fn pinyin_is_the_same_name_in_another_script() {
        assert!(in_pinyin("Zhang Wei", "张伟"));
        assert!(in_pinyin("wei zhang", "张伟"));
        assert!(in_pinyin("ZHANGWEI", "张伟（销售部）"));
        assert!(in_pinyin("shan fang", "单芳"));
        // A slip, another name, Chinese text or a Latin nickname are not pinyin of it.
        assert!(!in_pinyin("zhang wie", "张伟"));
        assert!(!in_pinyin("li na", "张伟"));
        assert!(!in_pinyin("章伟", "张伟"));
        assert!(!in_pinyin("David", "David"));
    }

    #[test]
    fn decorations_around_a_nickname() {
        assert_eq!(core_name("张伟（销售部）").as_deref(), Some("张伟"));
        assert_eq!(core_name("[外包]李娜").as_deref(), Some("李娜"));
        assert_eq!(core_name("Wei | Sales").as_deref(), Some("wei"));
        assert_eq!(core_name("张伟"), None);
        assert_eq!(similarity("张伟", "张伟（销售部）"), Similarity::Fuzzy);
        assert_eq!(similarity("张伟-销售", "张伟"), Similarity::Fuzzy);
        assert_eq!(similarity("zhangwei", "张伟（销售部）"), Similarity::Fuzzy);
    }
}

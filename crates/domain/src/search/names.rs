//! People, conversations and enterprises by name, as Chinese users look them up: the name itself ("张伟",
//! "ＡＢＣ" = "abc"), its pinyin ("zhangwei", "wei") and initials ("zw"), also mixed ("zhangw"),
//! with every reading of a character (单 shan/dan, 曾 zeng/ceng).

use std::collections::HashSet;

use pinyin::ToPinyinMulti;
use unicode_normalization::UnicodeNormalization;

use crate::app::Wangshang;
use crate::chat::orgs::OrgView;
use crate::error::Result;
use crate::store::{Contact, ConversationSummary};

/// Longest name query, in characters.
const MAX_NAME_QUERY: usize = 64;
/// Most people or conversations in an answer.
const MAX_RESULTS: usize = 50;

/// NFKC, lower case, letters and digits only.
fn fold(s: &str) -> String {
    s.nfkc()
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// The syllables of a folded name: each Chinese character with its toneless readings, each run
/// of Latin letters or of digits as one syllable.
fn syllables(folded: &str) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = Vec::new();
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut Vec<Vec<String>>| {
        if !run.is_empty() {
            out.push(vec![std::mem::take(run)]);
        }
    };
    for c in folded.chars() {
        if let Some(multi) = c.to_pinyin_multi() {
            flush(&mut run, &mut out);
            let mut readings: Vec<String> = Vec::new();
            for p in multi {
                let r = p.plain().to_owned();
                if !readings.contains(&r) {
                    readings.push(r);
                }
            }
            out.push(readings);
        } else {
            if run
                .chars()
                .last()
                .is_some_and(|l| l.is_numeric() != c.is_numeric())
            {
                flush(&mut run, &mut out);
            }
            run.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// Whether `q` can be spelled from syllable `i` on, each syllable giving a non-empty start of one
/// of its readings (the whole reading, or as little as its initial).
fn spells(syl: &[Vec<String>], i: usize, q: &[u8], failed: &mut HashSet<(usize, usize)>) -> bool {
    if q.is_empty() {
        return true;
    }
    if i == syl.len() || failed.contains(&(i, q.len())) {
        return false;
    }
    for r in &syl[i] {
        let r = r.as_bytes();
        let most = r.len().min(q.len());
        for k in (1..=most).rev() {
            if r[..k] == q[..k] && spells(syl, i + 1, &q[k..], failed) {
                return true;
            }
        }
    }
    failed.insert((i, q.len()));
    false
}

/// How well a name matches a query: `None`, or a rank (higher is better): the same name, the
/// name's start, inside the name, pinyin from the start, pinyin from a later syllable.
pub fn name_rank(name: &str, q: &str) -> Option<u8> {
    folded_query(q).and_then(|q| rank(name, &q))
}

/// The query folded, or `None` when it is empty or too long to be a name.
fn folded_query(q: &str) -> Option<String> {
    if q.chars().count() > MAX_NAME_QUERY * 4 {
        return None;
    }
    let q = fold(q);
    (!q.is_empty() && q.chars().count() <= MAX_NAME_QUERY).then_some(q)
}

/// [`name_rank`] with the query folded already.
fn rank(name: &str, q: &str) -> Option<u8> {
    let n = fold(name);
    if n == q {
        return Some(5);
    }
    if n.starts_with(q) {
        return Some(4);
    }
    if n.contains(q) {
        return Some(3);
    }
    if !q.is_ascii() {
        return None;
    }
    let syl = syllables(&n);
    let mut failed = HashSet::new();
    if spells(&syl, 0, q.as_bytes(), &mut failed) {
        return Some(2);
    }
    (1..syl.len())
        .any(|i| spells(&syl, i, q.as_bytes(), &mut failed))
        .then_some(1)
}

/// Sorts by rank (best first), then by name; keeps the first [`MAX_RESULTS`].
fn ranked<T>(mut v: Vec<(u8, String, T)>) -> Vec<T> {
    v.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    v.into_iter().take(MAX_RESULTS).map(|(.., t)| t).collect()
}

impl Wangshang {
    /// The member's colleagues and external contacts whose nickname matches.
    pub async fn search_people(&self, account_id: &str, q: &str) -> Result<Vec<Contact>> {
        self.search_on()?;
        let Some(q) = folded_query(q) else {
            return Ok(Vec::new());
        };
        let contacts = self.contacts(account_id).await?;
        Ok(ranked(
            contacts
                .into_iter()
                .filter_map(|c| rank(&c.nickname, &q).map(|r| (r, c.nickname.clone(), c)))
                .collect(),
        ))
    }

    /// The member's conversations whose title (or, for a direct one, the other member's name)
    /// matches.
    pub async fn search_conversations(
        &self,
        caller: &crate::sessions::Authenticated,
        q: &str,
    ) -> Result<Vec<ConversationSummary>> {
        self.search_on()?;
        let Some(q) = folded_query(q) else {
            return Ok(Vec::new());
        };
        let list = self.conversations(caller).await?;
        Ok(ranked(
            list.into_iter()
                .filter_map(|c| {
                    let name = c
                        .conversation
                        .title
                        .clone()
                        .or_else(|| c.peer_nickname.clone())?;
                    rank(&name, &q).map(|r| (r, name, c))
                })
                .collect(),
        ))
    }

    /// The enterprises the member belongs to whose name matches.
    pub async fn search_orgs(&self, account_id: &str, q: &str) -> Result<Vec<OrgView>> {
        self.search_on()?;
        let Some(q) = folded_query(q) else {
            return Ok(Vec::new());
        };
        let orgs = self.my_orgs(account_id).await?;
        Ok(ranked(
            orgs.into_iter()
                .filter_map(|o| rank(&o.org.name, &q).map(|r| (r, o.org.name.clone(), o)))
                .collect(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::name_rank;

    #[test]
    fn names_by_characters_pinyin_and_initials() {
        for q in [
            "张伟", "zhangwei", "zw", "ZW", "zhangw", "zhang", "wei", "ｚｗ", "张",
        ] {
            assert!(name_rank("张伟", q).is_some(), "{q}");
        }
        for q in ["zx", "wz", "li", "张三", "angw"] {
            assert!(name_rank("张伟", q).is_none(), "{q}");
        }
        assert!(name_rank("单华", "shanhua").is_some());
        assert!(name_rank("单华", "danhua").is_some());
        assert!(name_rank("华东销售群", "hdxs").is_some());
        assert!(name_rank("Tony王", "tonyw").is_some());
        assert!(name_rank("杭州旺商科技有限公司", "hangzhouwangshang").is_some());
        assert!(name_rank("杭州旺商科技有限公司", "hzws").is_some());
        assert!(name_rank("杭州旺商科技有限公司", "旺商").is_some());
        assert!(name_rank("杭州旺商科技有限公司", "wangshangkeji").is_some());
        assert!(name_rank("杭州旺商科技有限公司", "bjws").is_none());
        assert!(name_rank("张伟", "张伟") > name_rank("张伟", "zw"));
        assert!(name_rank("张伟", "zw") > name_rank("张伟", "wei"));
    }
}

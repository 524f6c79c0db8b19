//! Text for search: normalising (NFKC, lower case, one space for any run of spacing, none between
//! two Chinese characters), the terms a text is indexed under, a query's parts and how each is
//! looked up, and checking and highlighting a hit in the original text.
//!
//! Terms: each Chinese (CJK) character gives the pair it starts with the next one ("合同" →
//! 合同, 同…) or, at the end of a run, itself alone. So any Chinese query of two or more characters
//! is found through its pairs, and a single character through the terms that start with it: no
//! dictionary, no segmentation that might cut the text differently from the query. Letters and
//! digits give words ("PO-2026-118" → po, 2026, 118; "po2026" also → 2026); a query word
//! matches words it starts ("invoice" finds "invoices"). The index only finds candidates: every
//! hit is checked against the normalised text, so results are exact.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::store::TermLookup;

/// The version of these rules; an index built with another version is rebuilt at start.
pub const TOKENIZER_VERSION: &str = "1";

/// Longest word term, in characters (longer words are indexed by this prefix).
const MAX_WORD: usize = 24;

/// Chinese, Japanese and Korean characters, which are written without spaces.
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xAC00..=0xD7AF
        | 0xF900..=0xFAFF
        | 0x20000..=0x3134F)
}

/// Letters and digits of scripts written with spaces.
fn is_word(c: char) -> bool {
    c.is_alphanumeric() && !is_cjk(c)
}

/// Whether a word starts at `i`: after a non-word character, or where letters turn into digits
/// or back ("po2026").
fn word_start(text: &[char], i: usize) -> bool {
    i == 0 || !is_word(text[i - 1]) || text[i - 1].is_numeric() != text[i].is_numeric()
}

/// Characters that NFKC and lower-casing leave as they are, but for ASCII's upper case:
/// ASCII and the CJK Unified Ideographs block (its compatibility ideographs do change, and
/// are not in it). Only for a character without combining marks after it.
fn nfkc_stable(c: char) -> bool {
    c.is_ascii() || matches!(c as u32, 0x4E00..=0x9FFF)
}

/// A normalised text and, for each of its characters, the byte range of the original it came
/// from.
pub struct Normalized {
    pub chars: Vec<char>,
    pub spans: Vec<(usize, usize)>,
}

/// NFKC (full-width ＡＢＣ → ABC), lower case, control characters and any spacing as one space,
/// no space between two CJK characters, none at either end.
pub fn normalize(s: &str) -> Normalized {
    let mut chars: Vec<char> = Vec::with_capacity(s.len());
    let mut spans: Vec<(usize, usize)> = Vec::with_capacity(s.len());
    // Clusters: a character and the combining marks after it, normalised together.
    let mut it = s.char_indices().peekable();
    let mut cluster = String::new();
    while let Some((start, c)) = it.next() {
        let alone = it.peek().is_none_or(|&(_, m)| !is_combining_mark(m));
        if alone && nfkc_stable(c) {
            // Most of a business chat's text: no need to normalise it character by character.
            let end = start + c.len_utf8();
            if c.is_ascii_whitespace() || c.is_ascii_control() {
                if chars.last().is_some_and(|l| *l != ' ') {
                    chars.push(' ');
                    spans.push((start, end));
                }
            } else {
                chars.push(c.to_ascii_lowercase());
                spans.push((start, end));
            }
            continue;
        }
        cluster.clear();
        cluster.push(c);
        let mut end = start + c.len_utf8();
        while let Some(&(i, m)) = it.peek() {
            if !is_combining_mark(m) {
                break;
            }
            cluster.push(m);
            end = i + m.len_utf8();
            it.next();
        }
        for n in cluster.nfkc().flat_map(char::to_lowercase) {
            if n.is_whitespace() || n.is_control() {
                if chars.last().is_some_and(|l| *l != ' ') {
                    chars.push(' ');
                    spans.push((start, end));
                }
            } else {
                chars.push(n);
                spans.push((start, end));
            }
        }
    }
    if chars.last() == Some(&' ') {
        chars.pop();
        spans.pop();
    }
    // Spaces between two CJK characters mean nothing ("下周一 开会" = "下周一开会").
    let mut out = Normalized {
        chars: Vec::with_capacity(chars.len()),
        spans: Vec::with_capacity(chars.len()),
    };
    for i in 0..chars.len() {
        if chars[i] == ' '
            && i > 0
            && i + 1 < chars.len()
            && is_cjk(chars[i - 1])
            && is_cjk(chars[i + 1])
        {
            continue;
        }
        out.chars.push(chars[i]);
        out.spans.push(spans[i]);
    }
    out
}

/// The terms a text is indexed under, sorted and without repeats.
pub fn terms(text: &str) -> Vec<String> {
    let n = normalize(text).chars;
    let mut out = Vec::new();
    let mut i = 0;
    while i < n.len() {
        let c = n[i];
        if is_cjk(c) {
            let mut t = String::from(c);
            if let Some(&next) = n.get(i + 1).filter(|d| is_cjk(**d)) {
                t.push(next);
            }
            out.push(t);
            i += 1;
        } else if is_word(c) {
            let mut j = i;
            while j < n.len() && is_word(n[j]) {
                j += 1;
            }
            for k in i..j {
                if word_start(&n, k) {
                    out.push(n[k..j].iter().take(MAX_WORD).collect());
                }
            }
            i = j;
        } else {
            i += 1;
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Longest query, in characters.
pub const MAX_QUERY: usize = 256;
/// Most terms looked up in the index for one query (the others are checked in the text).
const MAX_LOOKUPS: usize = 8;

/// A parsed query: the parts a message must all contain, and how to find candidates.
#[derive(Debug)]
pub struct Query {
    /// Normalised; a quoted phrase is one part.
    pub parts: Vec<Vec<char>>,
    /// The best first (exact before prefix, longer before shorter).
    pub lookups: Vec<TermLookup>,
}

fn is_quote(c: char) -> bool {
    matches!(c, '"' | '\u{FF02}' | '“' | '”' | '「' | '」' | '『' | '』')
}

/// Splits a query into words and quoted phrases, normalises each and works out its lookups.
pub fn parse_query(raw: &str) -> Query {
    let mut pieces: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in raw.chars() {
        if is_quote(c) {
            pieces.push(std::mem::take(&mut current));
            quoted = !quoted;
        } else if !quoted && (c.is_whitespace() || c.is_control()) {
            pieces.push(std::mem::take(&mut current));
        } else {
            current.push(c);
        }
    }
    pieces.push(current);
    let mut parts: Vec<Vec<char>> = Vec::new();
    for p in pieces {
        let n = normalize(&p).chars;
        if !n.is_empty() && !parts.contains(&n) {
            parts.push(n);
        }
    }
    let mut lookups: Vec<TermLookup> = Vec::new();
    for p in &parts {
        for l in part_lookups(p) {
            if !lookups.contains(&l) {
                lookups.push(l);
            }
        }
    }
    lookups.sort_by_key(|l| match l {
        TermLookup::Exact(t) => (0, usize::MAX - t.chars().count()),
        TermLookup::Prefix(t) => (1, usize::MAX - t.chars().count()),
    });
    lookups.truncate(MAX_LOOKUPS);
    Query { parts, lookups }
}

/// The lookups that find every text containing the part.
fn part_lookups(p: &[char]) -> Vec<TermLookup> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < p.len() {
        if is_cjk(p[i]) {
            let mut j = i;
            while j < p.len() && is_cjk(p[j]) {
                j += 1;
            }
            if j - i == 1 {
                out.push(TermLookup::Prefix(p[i].to_string()));
            } else {
                for k in i..j - 1 {
                    out.push(TermLookup::Exact(p[k..k + 2].iter().collect()));
                }
            }
            i = j;
        } else if is_word(p[i]) {
            let mut j = i;
            while j < p.len() && is_word(p[j]) {
                j += 1;
            }
            // The run's first word; a run in the middle of the part is a whole word of the text.
            let word: String = p[i..j].iter().take(MAX_WORD).collect();
            if j < p.len() && j - i <= MAX_WORD {
                out.push(TermLookup::Exact(word));
            } else {
                out.push(TermLookup::Prefix(word));
            }
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

/// Where `part` occurs in `text` (a part starting with a letter or digit only where a word
/// starts), as character positions.
pub fn occurrences(text: &[char], part: &[char]) -> Vec<usize> {
    let mut out = Vec::new();
    if part.is_empty() || part.len() > text.len() {
        return out;
    }
    let needs_start = is_word(part[0]);
    for i in 0..=text.len() - part.len() {
        if text[i..i + part.len()] == *part && (!needs_start || word_start(text, i)) {
            out.push(i);
        }
    }
    out
}

/// A checked hit: the byte ranges of the original text where the query's parts are, merged and
/// in order, and how many there were.
pub struct Matched {
    pub ranges: Vec<(usize, usize)>,
    pub count: usize,
    /// Characters of the normalised text.
    pub length: usize,
}

/// Whether the text has every part of the query, and where.
pub fn check(q: &Query, text: &str) -> Option<Matched> {
    if q.parts.is_empty() {
        return None;
    }
    let n = normalize(text);
    let mut ranges = Vec::new();
    let mut count = 0;
    for p in &q.parts {
        let at = occurrences(&n.chars, p);
        if at.is_empty() {
            return None;
        }
        count += at.len();
        for i in at {
            ranges.push((n.spans[i].0, n.spans[i + p.len() - 1].1));
        }
    }
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
    for (s, e) in ranges {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    Some(Matched {
        ranges: merged,
        count,
        length: n.chars.len(),
    })
}

/// Characters of a snippet (without the ellipses).
const SNIPPET: usize = 100;
/// Characters of context kept before the first highlight.
const LEAD: usize = 20;

/// A piece of the text around its first highlight, on one line, with the highlights as byte
/// ranges of the snippet.
pub fn snippet(text: &str, ranges: &[(usize, usize)]) -> (String, Vec<(usize, usize)>) {
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    // Control characters are single bytes, so the byte offsets still hold.
    let starts: Vec<usize> = flat.char_indices().map(|(i, _)| i).collect();
    let total = starts.len();
    let first = ranges.first().map_or(0, |r| r.0);
    let first_char = starts.partition_point(|&b| b < first);
    let mut from = first_char.saturating_sub(LEAD);
    let to = (from + SNIPPET).min(total);
    if to == total {
        from = total.saturating_sub(SNIPPET);
    }
    let from_b = starts.get(from).copied().unwrap_or(flat.len());
    let to_b = starts.get(to).copied().unwrap_or(flat.len());
    let mut out = String::new();
    if from > 0 {
        out.push('…');
    }
    let shift = out.len();
    out.push_str(&flat[from_b..to_b]);
    if to < total {
        out.push('…');
    }
    let marks = ranges
        .iter()
        .filter(|(s, e)| *e > from_b && *s < to_b)
        .map(|(s, e)| {
            (
                (*s).max(from_b) - from_b + shift,
                (*e).min(to_b) - from_b + shift,
            )
        })
        .collect();
    (out, marks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_path_normalises_as_nfkc_does() {
        let cjk = (0x4E00..=0x9FFFu32).filter_map(char::from_u32);
        for c in (0..0x80u32).filter_map(char::from_u32).chain(cjk) {
            assert!(nfkc_stable(c));
            let slow: String = c.to_string().nfkc().flat_map(char::to_lowercase).collect();
            assert_eq!(slow, c.to_ascii_lowercase().to_string(), "{:X}", c as u32);
        }
        // Beside the block: compatibility ideographs and full-width letters change.
        for c in ['\u{F900}', '\u{FA0E}', 'Ａ', 'ｶ', '\u{3000}', 'É'] {
            assert!(!nfkc_stable(c), "{c}");
        }
        // A combining mark after an ASCII letter still composes with it.
        assert_eq!(
            normalize("Cafe\u{301}!").chars,
            "café!".chars().collect::<Vec<_>>()
        );
        assert_eq!(
            normalize("A\tB\x0bＣ").chars,
            "a b c".chars().collect::<Vec<_>>()
        );
    }

    fn found(query: &str, text: &str) -> bool {
        let q = parse_query(query);
        let t = terms(text);
        // Every lookup finds a term of the text, and the check agrees.
        let indexed = q.lookups.iter().all(|l| match l {
            TermLookup::Exact(x) => t.contains(x),
            TermLookup::Prefix(p) => t.iter().any(|x| x.starts_with(p.as_str())),
        });
        let checked = check(&q, text).is_some();
        assert!(
            !checked || indexed,
            "{query:?} in {text:?}: the index would miss a hit ({:?} vs {t:?})",
            q.lookups
        );
        checked
    }

    #[test]
    fn chinese_words_of_any_length() {
        assert!(found("合同", "请把合同发我一下"));
        assert!(found("合", "请把合同发我一下"));
        assert!(found("下", "请把合同发我一下"));
        assert!(found("报价单", "报价单已更新，九五折"));
        assert!(found("九五折", "报价单已更新，九五折"));
        assert!(!found("报价单", "报价已经发过了，单价不变"));
        assert!(found("张总", "明天找张总签字"));
    }

    #[test]
    fn width_case_codes_and_phrases() {
        assert!(found("ABC", "ＡＢＣ公司"));
        assert!(found("ａｂｃ", "abc公司"));
        assert!(found("PO-2026-118", "订单 PO-2026-118 已发货"));
        assert!(found("\"po-2026-118\"", "订单号po-2026-118。"));
        assert!(!found("PO-2026-11", "订单 XPO-2026-118"));
        assert!(found("2026", "po2026118"));
        assert!(found("invoice", "Three Invoices attached"));
        assert!(!found("voice", "Three Invoices attached"));
        assert!(found("「下周一 开会」", "我们下周一开会吧"));
        assert!(found("「下周一 开会」", "我们下周一 开会吧"));
        assert!(!found("「下周一 开会」", "下周一下午开会"));
        assert!(found("下周一 开会", "下周一下午开会"));
        assert!(found("合同 PO", "合同PO-1"));
    }

    #[test]
    fn hostile_queries_are_just_text() {
        for q in [
            "'; DROP TABLE messages; --",
            ".*(a+)+$",
            "%_%",
            "\u{0}\u{1}",
            "\"",
            "「」",
            "",
        ] {
            let parsed = parse_query(q);
            let _ = check(&parsed, "普通的一条消息 drop table");
        }
        assert!(parse_query("%%%").lookups.is_empty());
    }

    #[test]
    fn highlights_point_at_the_original() {
        let text = "请查收ＰＯ-2026-118的发票";
        let m = check(&parse_query("po-2026-118 发票"), text).unwrap();
        let marked: Vec<&str> = m.ranges.iter().map(|(s, e)| &text[*s..*e]).collect();
        assert_eq!(marked, vec!["ＰＯ-2026-118", "发票"]);
        let long = format!("{}合同{}", "前".repeat(300), "后".repeat(300));
        let m = check(&parse_query("合同"), &long).unwrap();
        let (s, h) = snippet(&long, &m.ranges);
        assert!(s.starts_with('…') && s.ends_with('…'));
        assert_eq!(&s[h[0].0..h[0].1], "合同");
    }
}

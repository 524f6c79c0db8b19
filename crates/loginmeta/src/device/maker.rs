//! The maker and the model line of a device ("Huawei", "Mate"), as people name their phones.
//!
//! Apple devices say what they are (`iPhone`, `iPad`, `Macintosh`). Android and HarmonyOS user
//! agents carry a model token after the system version (`Android 12; NOH-AN00 Build/…`), and
//! often a maker's own browser or services (`HuaweiBrowser`, `HMSCore`, `MiuiBrowser`). Makers
//! in China mostly sell under model codes rather than names, so codes are read by their shape
//! (Huawei and Honor `ABC-AN00`, Xiaomi `22081212C`/`M2012K11AC`, OPPO `PEGM00`, vivo `V2049A`,
//! Samsung `SM-G9910`, realme `RMX3301`) and a short table of the best-known Huawei/Honor code
//! prefixes gives the model line. Chrome's reduced user agent (`Android 10; K`) names no model:
//! then only the system is known.

/// What a user agent says about the hardware: the maker and, when known, the model line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Hardware {
    pub maker: Option<&'static str>,
    pub model: Option<&'static str>,
}

/// Huawei and Honor share the `ABC-XX00` scheme; these prefixes are Honor's.
const HONOR_CODES: &[&str] = &[
    "PGT", "FNE", "ANY", "RNA", "TFY", "NTH", "LGE", "VNE", "MGA", "BVL", "CMA", "ALI", "ELP",
    "FRI", "LRA", "REA", "CHL",
];

/// Model lines of well-known Huawei/Honor code prefixes.
const CODE_LINES: &[(&str, &str)] = &[
    ("ALN", "Mate"),
    ("BRA", "Mate"),
    ("CLS", "Mate"),
    ("NOH", "Mate"),
    ("NOP", "Mate"),
    ("OCE", "Mate"),
    ("LIO", "Mate"),
    ("TAS", "Mate"),
    ("LYA", "Mate"),
    ("HMA", "Mate"),
    ("TET", "Mate"),
    ("DCO", "Mate"),
    ("PAL", "Mate"),
    ("ANA", "P"),
    ("ELS", "P"),
    ("ELE", "P"),
    ("VOG", "P"),
    ("ABR", "P"),
    ("JAD", "P"),
    ("LNA", "P"),
    ("MNA", "P"),
    ("HBN", "Pura"),
    ("ADY", "Pura"),
    ("JSC", "nova"),
    ("NAM", "nova"),
    ("BNE", "nova"),
    ("FOA", "nova"),
    ("GLA", "nova"),
    ("PGT", "Magic"),
    ("FNE", "Magic"),
    ("BVL", "Magic"),
    ("ELZ", "Magic"),
];

/// Model lines people say, as they appear in user agents (lower-case needle, line name).
const NAMED_LINES: &[(&str, &str)] = &[
    ("matepad", "MatePad"),
    ("mate", "Mate"),
    ("nova", "nova"),
    ("pura", "Pura"),
    ("magic", "Magic"),
    ("redmi", "Redmi"),
    ("poco", "POCO"),
    ("reno", "Reno"),
    ("iqoo", "iQOO"),
    ("galaxy", "Galaxy"),
    ("pixel", "Pixel"),
];

/// The maker and model line behind a user agent whose system is `os` (as `names::os` gave it).
pub(crate) fn hardware(ua: &str, os: &str) -> Hardware {
    match os {
        "iPhone" => {
            return Hardware {
                maker: Some("Apple"),
                model: Some("iPhone"),
            };
        }
        "iPad" => {
            return Hardware {
                maker: Some("Apple"),
                model: Some("iPad"),
            };
        }
        "iPod touch" | "iOS" => {
            return Hardware {
                maker: Some("Apple"),
                model: None,
            };
        }
        "macOS" | "Mac OS" => {
            return Hardware {
                maker: Some("Apple"),
                model: Some("Mac"),
            };
        }
        "Android" | "HarmonyOS" => {}
        _ => return Hardware::default(),
    }
    let lower = ua.to_ascii_lowercase();
    let model = model_token(ua).unwrap_or_default();
    let model_lower = model.to_ascii_lowercase();
    let maker = maker_by_name(&lower)
        .or_else(|| maker_by_code(&model))
        .or_else(|| (os == "HarmonyOS").then_some("Huawei"));
    let line = NAMED_LINES
        .iter()
        .find(|(needle, _)| model_lower.contains(needle))
        .map(|(_, line)| *line)
        .or_else(|| {
            let prefix = huawei_code_prefix(&model)?;
            CODE_LINES
                .iter()
                .find(|(p, _)| *p == prefix)
                .map(|(_, line)| *line)
        });
    Hardware { maker, model: line }
}

/// The model token of an Android/HarmonyOS user agent: the first `;`-separated part of the
/// first parenthesis that is not the platform, the system, a flag or a language, without its
/// `Build/…` suffix.
pub(crate) fn model_token(ua: &str) -> Option<String> {
    let start = ua.find('(')? + 1;
    let end = ua[start..].find(')').map_or(ua.len(), |e| start + e);
    ua[start..end]
        .split(';')
        .map(str::trim)
        .map(|p| p.split(" Build/").next().unwrap_or(p).trim())
        .find(|p| {
            let l = p.to_ascii_lowercase();
            !(p.is_empty()
                || l == "linux"
                || l == "u"
                || l == "wv"
                || l == "k"
                || l == "mobile"
                || l == "phone"
                || l == "tablet"
                || l.starts_with("android")
                || l.starts_with("harmonyos")
                || l.starts_with("openharmony")
                || l.starts_with("hmscore")
                || l.starts_with("linux ")
                || l.starts_with("arm")
                || is_language(&l))
        })
        .map(str::to_owned)
}

/// `zh-cn`, `en-us`, `zh`.
fn is_language(l: &str) -> bool {
    let mut parts = l.split(['-', '_']);
    let first = parts.next().unwrap_or("");
    let rest: Vec<&str> = parts.collect();
    first.len() == 2
        && first.chars().all(|c| c.is_ascii_lowercase())
        && rest.len() <= 1
        && rest
            .iter()
            .all(|r| r.len() <= 4 && r.chars().all(|c| c.is_ascii_alphabetic()))
}

/// A maker named anywhere in the user agent (the model, its browser or its services).
fn maker_by_name(lower: &str) -> Option<&'static str> {
    const NAMES: &[(&str, &str)] = &[
        ("honor", "Honor"),
        ("huawei", "Huawei"),
        ("hmscore", "Huawei"),
        ("xiaomi", "Xiaomi"),
        ("redmi", "Xiaomi"),
        ("miuibrowser", "Xiaomi"),
        ("poco", "Xiaomi"),
        ("oneplus", "OnePlus"),
        ("oppo", "OPPO"),
        ("heytapbrowser", "OPPO"),
        ("vivobrowser", "vivo"),
        ("vivo", "vivo"),
        ("iqoo", "vivo"),
        ("realme", "realme"),
        ("samsung", "Samsung"),
        ("meizu", "Meizu"),
        ("lenovo", "Lenovo"),
        ("nubia", "nubia"),
        ("zte", "ZTE"),
        ("pixel", "Google"),
        ("motorola", "Motorola"),
        ("moto ", "Motorola"),
    ];
    NAMES
        .iter()
        .find(|(needle, _)| lower.contains(needle))
        .map(|(_, maker)| *maker)
}

/// The three letters of a Huawei/Honor model code (`NOH-AN00`, `ALN-AL10`, `ELS-N29`).
fn huawei_code_prefix(model: &str) -> Option<&str> {
    let (prefix, rest) = model.split_once('-')?;
    let letters = prefix.len() == 3 && prefix.chars().all(|c| c.is_ascii_uppercase());
    let suffix = (3..=5).contains(&rest.len())
        && rest.chars().all(|c| c.is_ascii_alphanumeric())
        && rest.chars().rev().take(2).all(|c| c.is_ascii_digit());
    (letters && suffix).then_some(prefix)
}

/// A maker recognised by the shape of its model code.
fn maker_by_code(model: &str) -> Option<&'static str> {
    let m = model.trim();
    let upper = |s: &str| s.chars().all(|c| c.is_ascii_uppercase());
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if let Some(prefix) = huawei_code_prefix(m) {
        return Some(if HONOR_CODES.contains(&prefix) {
            "Honor"
        } else {
            "Huawei"
        });
    }
    if let Some(rest) = m.strip_prefix("SM-")
        && !rest.is_empty()
    {
        return Some("Samsung");
    }
    if let Some(rest) = m.strip_prefix("RMX")
        && digits(rest)
    {
        return Some("realme");
    }
    if let Some(rest) = m.strip_prefix("CPH")
        && digits(rest)
    {
        return Some("OPPO");
    }
    // OPPO: P + three letters + two digits (PEGM00, PHB110 is P + 3 letters + 3 digits).
    if m.len() >= 6 && m.starts_with('P') && upper(&m[1..4]) && digits(&m[4..]) && m.len() <= 7 {
        return Some("OPPO");
    }
    // vivo: V + four digits + one or two letters (V2049A, V2227A).
    if m.len() >= 6 && m.starts_with('V') && digits(&m[1..5]) && upper(&m[5..]) && m.len() <= 7 {
        return Some("vivo");
    }
    // Xiaomi: M2012K11AC, 22081212C, 2211133C, 23013RK75C: digits first (or M + digits), a
    // trailing C/G/I region letter.
    let body = m.strip_prefix('M').unwrap_or(m);
    if (7..=11).contains(&body.len())
        && body.chars().take(4).all(|c| c.is_ascii_digit())
        && body.chars().all(|c| c.is_ascii_alphanumeric())
        && body.ends_with(['C', 'G', 'I'])
    {
        return Some("Xiaomi");
    }
    if m.starts_with("MI ") || m == "MI" {
        return Some("Xiaomi");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_tokens() {
        assert_eq!(
            model_token("Mozilla/5.0 (Linux; Android 12; NOH-AN00 Build/HUAWEINOH-AN00; wv)")
                .as_deref(),
            Some("NOH-AN00")
        );
        assert_eq!(
            model_token("Mozilla/5.0 (Linux; U; Android 11; zh-cn; M2012K11AC Build/RKQ1)")
                .as_deref(),
            Some("M2012K11AC")
        );
        assert_eq!(
            model_token("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36"),
            None
        );
    }

    #[test]
    fn makers_by_code_shape() {
        assert_eq!(maker_by_code("NOH-AN00"), Some("Huawei"));
        assert_eq!(maker_by_code("PGT-AN10"), Some("Honor"));
        assert_eq!(maker_by_code("22081212C"), Some("Xiaomi"));
        assert_eq!(maker_by_code("M2012K11AC"), Some("Xiaomi"));
        assert_eq!(maker_by_code("PEGM00"), Some("OPPO"));
        assert_eq!(maker_by_code("V2049A"), Some("vivo"));
        assert_eq!(maker_by_code("SM-G9910"), Some("Samsung"));
        assert_eq!(maker_by_code("RMX3301"), Some("realme"));
        assert_eq!(maker_by_code("K"), None);
        assert_eq!(maker_by_code("Nexus 5"), None);
    }
}

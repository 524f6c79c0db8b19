//! Devices as people name them, in Chinese or English ("华为手机", "Huawei Mate", "苹果电脑",
//! "电脑", "Windows 笔记本", "安卓"), read into a maker, a kind, a system and a model line, and
//! compared with the devices the login records parsed (`loginmeta`).

use super::text::fold;

/// A kind of device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Phone,
    Computer,
    Tablet,
}

/// What a device claim says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeviceClaim {
    /// "Apple", "Huawei", … (the names `loginmeta` gives makers).
    pub maker: Option<&'static str>,
    pub kind: Option<Kind>,
    /// "iPhone", "iPad", "macOS", "Windows", "Android", "HarmonyOS", "Linux" (`loginmeta`'s).
    pub os: Option<&'static str>,
    /// "Mate", "P", "nova", "Redmi", … (`loginmeta`'s model lines).
    pub model: Option<&'static str>,
    /// A browser or app: "WeChat", "Chrome", "Wangshang app" …
    pub app: Option<&'static str>,
}

impl DeviceClaim {
    pub fn is_empty(&self) -> bool {
        self.maker.is_none()
            && self.kind.is_none()
            && self.os.is_none()
            && self.model.is_none()
            && self.app.is_none()
    }
}

/// A device of the login records.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeviceFacts {
    pub os: String,
    pub browser: String,
    /// `desktop`, `mobile`, `tablet` (others are not evidence).
    pub family: String,
    pub maker: Option<String>,
    pub model: Option<String>,
}

/// Words for makers: Chinese (matched anywhere) and Latin (matched as a word or word start).
const MAKERS: &[(&str, &[&str], &[&str])] = &[
    (
        "Apple",
        &["苹果"],
        &["apple", "iphone", "ipad", "mac", "macbook", "imac"],
    ),
    (
        "Huawei",
        &["华为", "鸿蒙"],
        &[
            "huawei",
            "hw",
            "harmony",
            "harmonyos",
            "mate",
            "matepad",
            "pura",
        ],
    ),
    ("Honor", &["荣耀"], &["honor", "honour"]),
    (
        "Xiaomi",
        &["小米", "红米"],
        &["xiaomi", "mi", "redmi", "poco"],
    ),
    ("OPPO", &["欧珀"], &["oppo", "reno", "oneplus"]),
    ("vivo", &["维沃"], &["vivo", "iqoo"]),
    ("Samsung", &["三星"], &["samsung", "galaxy"]),
    ("Meizu", &["魅族"], &["meizu"]),
    ("Lenovo", &["联想"], &["lenovo", "thinkpad"]),
    ("realme", &["真我"], &["realme"]),
    ("Google", &["谷歌手机"], &["pixel"]),
];

/// Words for kinds.
const KINDS: &[(Kind, &[&str], &[&str])] = &[
    (
        Kind::Tablet,
        &["平板"],
        &["tablet", "ipad", "pad", "matepad"],
    ),
    (
        Kind::Computer,
        &["电脑", "计算机", "笔记本", "台式", "主机", "办公机"],
        &[
            "pc", "computer", "laptop", "notebook", "desktop", "mac", "macbook", "imac",
            "thinkpad", "windows", "win",
        ],
    ),
    (
        Kind::Phone,
        &["手机", "电话"],
        &["phone", "mobile", "cellphone", "smartphone", "iphone"],
    ),
];

/// Words for systems.
const SYSTEMS: &[(&str, &[&str], &[&str])] = &[
    ("iPhone", &["苹果手机"], &["iphone", "ios"]),
    ("iPad", &[], &["ipad"]),
    (
        "macOS",
        &["苹果电脑", "苹果笔记本"],
        &["mac", "macos", "macbook", "imac", "osx"],
    ),
    (
        "Windows",
        &["视窗"],
        &["windows", "win", "win10", "win11", "win7", "pc"],
    ),
    ("HarmonyOS", &["鸿蒙"], &["harmony", "harmonyos"]),
    ("Android", &["安卓"], &["android"]),
    ("Linux", &[], &["linux", "ubuntu"]),
];

/// Model lines.
const MODELS: &[(&str, &[&str])] = &[
    ("MatePad", &["matepad"]),
    ("Mate", &["mate"]),
    ("Pura", &["pura"]),
    ("nova", &["nova"]),
    ("Magic", &["magic"]),
    ("Redmi", &["redmi", "红米"]),
    ("Reno", &["reno"]),
    ("iQOO", &["iqoo"]),
    ("Galaxy", &["galaxy"]),
    ("Pixel", &["pixel"]),
];

/// Apps and browsers.
const APPS: &[(&str, &[&str], &[&str])] = &[
    ("WeCom", &["企业微信"], &["wecom", "wxwork"]),
    ("WeChat", &["微信"], &["wechat", "weixin"]),
    ("DingTalk", &["钉钉"], &["dingtalk"]),
    ("Feishu", &["飞书"], &["feishu", "lark"]),
    ("Wangshang app", &["旺商聊", "客户端"], &["app"]),
    ("Chrome", &["谷歌浏览器"], &["chrome"]),
    ("Safari", &[], &["safari"]),
    ("Firefox", &["火狐"], &["firefox"]),
    ("Edge", &[], &["edge"]),
    ("QQ Browser", &["qq浏览器"], &["qqbrowser"]),
];

/// The Latin words of a claim (lower case), split where letters meet digits too ("mate60" →
/// "mate", "60"; "win10" stays whole as well).
fn words(s: &str) -> Vec<String> {
    let lower = s.to_lowercase();
    let mut out = Vec::new();
    for w in lower.split(|c: char| !c.is_ascii_alphanumeric()) {
        if w.is_empty() {
            continue;
        }
        out.push(w.to_owned());
        let letters: String = w.chars().take_while(char::is_ascii_alphabetic).collect();
        if !letters.is_empty() && letters.len() < w.len() {
            out.push(letters);
        }
    }
    out
}

fn find<T: Copy>(table: &[(T, &[&str], &[&str])], folded: &str, latin: &[String]) -> Option<T> {
    table
        .iter()
        .find(|(_, cjk, words)| {
            cjk.iter().any(|w| folded.contains(w))
                || words.iter().any(|w| latin.iter().any(|x| x == w))
        })
        .map(|(v, _, _)| *v)
}

/// Reads a device claim.
pub fn parse(claim: &str) -> DeviceClaim {
    let folded = fold(claim);
    let latin = words(claim);
    // "苹果电脑" is a Mac and "苹果手机" an iPhone before "苹果" is a maker.
    let os = find(SYSTEMS, &folded, &latin);
    let mut kind = find(KINDS, &folded, &latin);
    let maker = find(MAKERS, &folded, &latin);
    let model = MODELS
        .iter()
        .find(|(_, needles)| {
            needles
                .iter()
                .any(|n| folded.contains(n) && (!n.is_ascii() || latin.iter().any(|x| x == n)))
        })
        .map(|(m, _)| *m);
    let app = find(APPS, &folded, &latin);
    if kind.is_none() {
        kind = match os {
            Some("iPhone" | "Android" | "HarmonyOS") => Some(Kind::Phone),
            Some("macOS" | "Windows" | "Linux") => Some(Kind::Computer),
            Some("iPad") => Some(Kind::Tablet),
            _ => match maker {
                Some("Apple" | "Lenovo") | None => None,
                // Other makers people name are phone makers first.
                Some(_) => Some(Kind::Phone),
            },
        };
    }
    DeviceClaim {
        maker,
        kind,
        os,
        model,
        app,
    }
}

/// How well a claim fits one recorded device.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Fit {
    /// A named maker, system or kind disagrees.
    Conflict,
    /// Nothing named disagrees, but only the kind agrees ("手机", "电脑").
    Generic,
    /// The maker is not in the record, but the system is the one that maker uses (an Android
    /// phone for "华为手机" when the user agent names no model).
    Plausible,
    /// A widespread system or maker agrees (Windows, Android, iPhone).
    Common,
    /// A maker or system that says more (Huawei, Xiaomi, Mac, HarmonyOS).
    Specific,
    /// Maker (or system) and model line agree ("Huawei Mate").
    Model,
}

fn family_of(kind: Kind) -> &'static str {
    match kind {
        Kind::Phone => "mobile",
        Kind::Computer => "desktop",
        Kind::Tablet => "tablet",
    }
}

/// The makers whose devices run a system.
fn maker_fits_os(maker: &str, os: &str) -> bool {
    match maker {
        "Apple" => matches!(os, "iPhone" | "iPad" | "macOS" | "iOS" | "Mac OS"),
        "Huawei" => matches!(os, "Android" | "HarmonyOS"),
        // Every other maker's computers run Windows (or Linux).
        _ => matches!(os, "Android" | "Windows" | "Linux"),
    }
}

fn os_fits(claimed: &str, d: &DeviceFacts) -> bool {
    match claimed {
        // Huawei phones said "Android" before HarmonyOS, and still do in many apps.
        "HarmonyOS" => {
            d.os == "HarmonyOS" || (d.os == "Android" && d.maker.as_deref() == Some("Huawei"))
        }
        "Android" => d.os == "Android" || d.os == "HarmonyOS",
        "iPhone" => d.os == "iPhone" || d.os == "iOS",
        "macOS" => d.os == "macOS" || d.os == "Mac OS",
        other => d.os == other,
    }
}

/// How a claim fits a recorded device.
pub fn fit(c: &DeviceClaim, d: &DeviceFacts) -> Fit {
    if let Some(k) = c.kind
        && d.family != family_of(k)
    {
        return Fit::Conflict;
    }
    if let Some(os) = c.os
        && !os_fits(os, d)
    {
        return Fit::Conflict;
    }
    let mut level = Fit::Generic;
    if let Some(m) = c.maker {
        match d.maker.as_deref() {
            Some(dm) if dm == m => {
                // Apple is the commonest maker: only a Mac or an iPad says more than "an
                // iPhone".
                level = if m == "Apple" && !matches!(d.os.as_str(), "macOS" | "iPad") {
                    Fit::Common
                } else {
                    Fit::Specific
                };
            }
            Some(_) => return Fit::Conflict,
            None if maker_fits_os(m, &d.os) => level = Fit::Plausible,
            None => return Fit::Conflict,
        }
    }
    if let Some(os) = c.os {
        let os_level = match os {
            "Windows" | "Android" | "iPhone" => Fit::Common,
            _ => Fit::Specific,
        };
        level = level.max(os_level);
    }
    if let (Some(m), Some(dm)) = (c.model, d.model.as_deref())
        && m == dm
        && level >= Fit::Plausible
    {
        level = Fit::Model;
    }
    if let Some(app) = c.app
        && d.browser == app
        && level < Fit::Common
    {
        level = Fit::Common;
    }
    level
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dev(os: &str, family: &str, maker: Option<&str>, model: Option<&str>) -> DeviceFacts {
        DeviceFacts {
            os: os.into(),
            browser: "Chrome".into(),
            family: family.into(),
            maker: maker.map(Into::into),
            model: model.map(Into::into),
        }
    }

    #[test]
    fn reads_chinese_and_english_words() {
        let c = parse("华为手机");
        assert_eq!((c.maker, c.kind), (Some("Huawei"), Some(Kind::Phone)));
        let c = parse("Huawei Mate 60");
        assert_eq!((c.maker, c.model), (Some("Huawei"), Some("Mate")));
        assert_eq!(parse("华为Mate60").model, Some("Mate"));
        let c = parse("苹果电脑");
        assert_eq!(
            (c.maker, c.os, c.kind),
            (Some("Apple"), Some("macOS"), Some(Kind::Computer))
        );
        let c = parse("苹果手机");
        assert_eq!((c.os, c.kind), (Some("iPhone"), Some(Kind::Phone)));
        assert_eq!(parse("电脑").kind, Some(Kind::Computer));
        assert_eq!(parse("公司的台式电脑").kind, Some(Kind::Computer));
        assert_eq!(parse("Windows 笔记本").os, Some("Windows"));
        assert_eq!(parse("安卓").os, Some("Android"));
        assert_eq!(parse("小米").maker, Some("Xiaomi"));
        assert_eq!(parse("红米").model, Some("Redmi"));
        assert_eq!(parse("MacBook Pro").os, Some("macOS"));
        assert_eq!(parse("iPad").kind, Some(Kind::Tablet));
        assert_eq!(parse("vivo X90").maker, Some("vivo"));
        assert_eq!(parse("微信").app, Some("WeChat"));
        assert!(parse("不记得了").is_empty());
        // "mi" is Xiaomi only as a word, not inside "mini" or "Mate".
        assert_eq!(parse("iPad mini").maker, Some("Apple"));
    }

    #[test]
    fn fits_by_maker_system_and_model() {
        let mate = dev("HarmonyOS", "mobile", Some("Huawei"), Some("Mate"));
        let iphone = dev("iPhone", "mobile", Some("Apple"), Some("iPhone"));
        let mac = dev("macOS", "desktop", Some("Apple"), Some("Mac"));
        let win = dev("Windows", "desktop", None, None);
        let android = dev("Android", "mobile", None, None);
        assert_eq!(fit(&parse("华为手机"), &mate), Fit::Specific);
        assert_eq!(fit(&parse("Huawei Mate"), &mate), Fit::Model);
        assert_eq!(fit(&parse("鸿蒙"), &mate), Fit::Specific);
        assert_eq!(fit(&parse("华为手机"), &iphone), Fit::Conflict);
        assert_eq!(fit(&parse("华为手机"), &android), Fit::Plausible);
        assert_eq!(fit(&parse("苹果手机"), &iphone), Fit::Common);
        assert_eq!(fit(&parse("苹果电脑"), &mac), Fit::Specific);
        assert_eq!(fit(&parse("苹果电脑"), &iphone), Fit::Conflict);
        assert_eq!(fit(&parse("电脑"), &win), Fit::Generic);
        assert_eq!(fit(&parse("电脑"), &iphone), Fit::Conflict);
        assert_eq!(fit(&parse("Windows"), &win), Fit::Common);
        assert_eq!(fit(&parse("Windows"), &mac), Fit::Conflict);
        assert_eq!(fit(&parse("安卓手机"), &mate), Fit::Common);
    }
}

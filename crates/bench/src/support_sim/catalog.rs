//! The material the simulated world is made of: names (with the collisions common Chinese
//! names have), enterprises, devices with real user agents and the words people use for them,
//! and the networks and places of offices, homes and mobile carriers.

/// Surnames, most common first (a few of them make most names, as in life).
pub const SURNAMES: &[(&str, &str)] = &[
    ("王", "Wang"),
    ("李", "Li"),
    ("张", "Zhang"),
    ("刘", "Liu"),
    ("陈", "Chen"),
    ("杨", "Yang"),
    ("赵", "Zhao"),
    ("黄", "Huang"),
    ("周", "Zhou"),
    ("吴", "Wu"),
    ("徐", "Xu"),
    ("孙", "Sun"),
    ("马", "Ma"),
    ("胡", "Hu"),
    ("朱", "Zhu"),
    ("郭", "Guo"),
    ("何", "He"),
    ("林", "Lin"),
    ("罗", "Luo"),
    ("高", "Gao"),
];

/// Given names, with their pinyin.
pub const GIVEN: &[(&str, &str)] = &[
    ("伟", "Wei"),
    ("芳", "Fang"),
    ("娜", "Na"),
    ("敏", "Min"),
    ("静", "Jing"),
    ("丽", "Li"),
    ("强", "Qiang"),
    ("磊", "Lei"),
    ("军", "Jun"),
    ("洋", "Yang"),
    ("勇", "Yong"),
    ("艳", "Yan"),
    ("杰", "Jie"),
    ("涛", "Tao"),
    ("明", "Ming"),
    ("超", "Chao"),
    ("秀英", "Xiuying"),
    ("建华", "Jianhua"),
    ("晓东", "Xiaodong"),
    ("婷婷", "Tingting"),
    ("志强", "Zhiqiang"),
    ("海燕", "Haiyan"),
    ("子涵", "Zihan"),
    ("浩然", "Haoran"),
];

/// English names people take in business.
pub const ENGLISH: &[&str] = &[
    "David", "Kevin", "Amy", "Lucy", "Jason", "Tony", "Grace", "Eric", "Cindy", "Leo", "Vivian",
    "Frank",
];

/// Department tags people add to a nickname.
pub const DEPARTMENTS: &[&str] = &["销售部", "财务", "技术部", "行政", "市场", "客服", "采购"];

/// An enterprise: its names over time (the last is the current one), the short and English
/// forms people use, the city it is in, and its office network.
pub struct EnterpriseSpec {
    pub names: &'static [&'static str],
    pub short: &'static [&'static str],
    pub english: &'static [&'static str],
    pub misspelt: &'static [&'static str],
    pub city: &'static [&'static str],
    pub office: &'static str,
    /// The pools members live in: (home pool index, weight).
    pub homes: &'static [(usize, u32)],
    pub mobile: usize,
}

pub const ENTERPRISES: &[EnterpriseSpec] = &[
    EnterpriseSpec {
        names: &["上海旺达贸易有限公司"],
        short: &["旺达", "旺达贸易", "旺达公司"],
        english: &["Wangda Trading", "Wangda Trading Co., Ltd.", "wangda"],
        misspelt: &["旺大贸易", "Wangdda Trading"],
        city: &["上海", "Shanghai", "上海市"],
        office: "58.247.10.",
        homes: &[(0, 7), (1, 3)],
        mobile: 0,
    },
    EnterpriseSpec {
        names: &["星海科技工作室", "杭州星海网络科技有限公司"],
        short: &["星海", "星海科技", "星海网络"],
        english: &["Xinghai Network Technology", "Xinghai Tech", "xinghai"],
        misspelt: &["星海网洛科技", "Xinhai Tech"],
        city: &["杭州", "Hangzhou", "浙江"],
        office: "115.236.20.",
        homes: &[(2, 1)],
        mobile: 1,
    },
    EnterpriseSpec {
        names: &["上海云帆设计有限公司"],
        short: &["云帆", "云帆设计"],
        english: &["Yunfan Design", "yunfan"],
        misspelt: &["云凡设计"],
        city: &["上海", "Shanghai"],
        office: "58.247.11.",
        homes: &[(0, 1)],
        mobile: 0,
    },
];

/// Home networks: a /16 per area, each home a /24 in it.
pub const HOME_POOLS: &[(&str, &str, &str, &[&str])] = &[
    (
        "116.224.",
        "Shanghai",
        "Shanghai",
        &["上海", "Shanghai", "上海浦东", "上海市"],
    ),
    (
        "114.216.",
        "Jiangsu",
        "Suzhou",
        &["苏州", "Suzhou", "江苏苏州"],
    ),
    (
        "60.176.",
        "Zhejiang",
        "Hangzhou",
        &["杭州", "Hangzhou", "浙江杭州"],
    ),
];

/// Mobile carriers' pools (a login lands on a random /24 of it).
pub const MOBILE_POOLS: &[(&str, &str, &str)] = &[
    ("223.104.", "Shanghai", "Shanghai"),
    ("223.93.", "Zhejiang", "Hangzhou"),
];

/// Where an outsider files from.
pub const OUTSIDE_POOL: (&str, &str, &str) = ("123.112.", "Beijing", "Beijing");

/// The GeoIP city database of the world: (CIDR, country, region, city).
pub fn geo_entries() -> Vec<(
    String,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
)> {
    let mut out = vec![
        (
            "58.247.10.0/24".to_owned(),
            "CN",
            Some("Shanghai"),
            Some("Shanghai"),
        ),
        (
            "58.247.11.0/24".to_owned(),
            "CN",
            Some("Shanghai"),
            Some("Shanghai"),
        ),
        (
            "115.236.20.0/24".to_owned(),
            "CN",
            Some("Zhejiang"),
            Some("Hangzhou"),
        ),
    ];
    for (prefix, region, city, _) in HOME_POOLS {
        out.push((format!("{prefix}0.0/16"), "CN", Some(region), Some(city)));
    }
    for (prefix, region, city) in MOBILE_POOLS {
        out.push((format!("{prefix}0.0/16"), "CN", Some(region), Some(city)));
    }
    let (prefix, region, city) = OUTSIDE_POOL;
    out.push((format!("{prefix}0.0/16"), "CN", Some(region), Some(city)));
    out
}

/// A kind of device a member owns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gadget {
    Iphone,
    Huawei,
    Honor,
    Xiaomi,
    Oppo,
    Vivo,
    /// An Android phone whose browser sends Chrome's reduced user agent (no maker).
    AndroidPlain,
    Windows,
    Mac,
    Ipad,
}

impl Gadget {
    pub fn is_phone(self) -> bool {
        !matches!(self, Gadget::Windows | Gadget::Mac | Gadget::Ipad)
    }

    /// User agents of this kind of device (one is picked per device).
    pub fn user_agents(self) -> &'static [&'static str] {
        match self {
            Gadget::Iphone => &[
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
                "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.40(0x1800282a) NetType/WIFI Language/zh_CN",
                "Wangshang/2.3.0 (iOS 17.4; iPhone15,2)",
                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
            ],
            Gadget::Huawei => &[
                "Mozilla/5.0 (Linux; Android 12; HarmonyOS; NOH-AN00; HMSCore 6.11.0.302) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/99.0.4844.88 HuaweiBrowser/14.0.1.300 Mobile Safari/537.36",
                "Mozilla/5.0 (Linux; Android 10; ELS-AN00 Build/HUAWEIELS-AN00; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/88.0.4324.93 Mobile Safari/537.36 MicroMessenger/8.0.1.1841(0x2800015D) NetType/WIFI Language/zh_CN",
                "Wangshang/2.3.0 (HarmonyOS 4.0; ALN-AL00)",
                "Mozilla/5.0 (Phone; OpenHarmony 4.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/114.0.0.0 Safari/537.36 ArkWeb/4.1.6.1 Mobile HuaweiBrowser/5.0.4.300",
            ],
            Gadget::Honor => &[
                "Mozilla/5.0 (Linux; Android 13; PGT-AN10) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/116.0.0.0 Mobile Safari/537.36",
            ],
            Gadget::Xiaomi => &[
                "Mozilla/5.0 (Linux; U; Android 13; zh-cn; 22081212C Build/TKQ1.220829.002) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/100.0.4896.127 Mobile Safari/537.36 XiaoMi/MiuiBrowser/17.7.160503",
                "Mozilla/5.0 (Linux; Android 12; Redmi K50 Build/SKQ1.211230.001) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/110.0.0.0 Mobile Safari/537.36",
            ],
            Gadget::Oppo => &[
                "Mozilla/5.0 (Linux; Android 13; PEGM00) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/112.0.0.0 Mobile Safari/537.36",
            ],
            Gadget::Vivo => &[
                "Mozilla/5.0 (Linux; Android 13; V2145A Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/107.0.5304.141 Mobile Safari/537.36 MicroMessenger/8.0.35.2360(0x2800235D) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN",
            ],
            Gadget::AndroidPlain => &[
                "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36",
            ],
            Gadget::Windows => &[
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.51",
                "Mozilla/5.0 (Windows NT 10.0; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/95.0.4638.69 Safari/537.36 MicroMessenger/7.0.1 wxwork/4.1.10 (MicroMessenger/6.2) WindowsWechat",
            ],
            Gadget::Mac => &[
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
            ],
            Gadget::Ipad => &[
                "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1",
            ],
        }
    }

    /// What owners call it.
    pub fn words(self) -> &'static [&'static str] {
        match self {
            Gadget::Iphone => &["苹果手机", "iPhone", "iPhone 13", "苹果", "iphone15"],
            Gadget::Huawei => &[
                "华为手机",
                "华为",
                "Huawei Mate",
                "HUAWEI",
                "鸿蒙手机",
                "华为Mate40",
                "华为P40",
            ],
            Gadget::Honor => &["荣耀手机", "荣耀", "Honor Magic"],
            Gadget::Xiaomi => &["小米手机", "小米", "红米", "Xiaomi"],
            Gadget::Oppo => &["OPPO手机", "oppo", "OPPO Reno"],
            Gadget::Vivo => &["vivo手机", "vivo", "vivo X90"],
            Gadget::AndroidPlain => &["安卓手机", "Android", "手机"],
            Gadget::Windows => &[
                "电脑",
                "Windows 电脑",
                "笔记本电脑",
                "公司的台式机",
                "PC",
                "Windows",
            ],
            Gadget::Mac => &["苹果电脑", "MacBook", "Mac", "MacBook Pro"],
            Gadget::Ipad => &["iPad", "平板", "苹果平板"],
        }
    }
}

/// Phones, with how common they are (per hundred).
pub const PHONES: &[(Gadget, u32)] = &[
    (Gadget::Iphone, 34),
    (Gadget::Huawei, 26),
    (Gadget::Honor, 6),
    (Gadget::Xiaomi, 12),
    (Gadget::Oppo, 6),
    (Gadget::Vivo, 7),
    (Gadget::AndroidPlain, 9),
];

/// What outsiders guess.
pub const GUESSES: &[&str] = &["iPhone", "华为手机", "电脑", "苹果手机", "小米", "Windows"];

/// Security questions as people set them, with the answers people give (the popular ones, so
/// that a guess is sometimes right, as it is in life).
pub const QUESTIONS: &[(&str, &[&str])] = &[
    (
        "我的第一只宠物叫什么？",
        &[
            "小黑", "旺财", "咪咪", "豆豆", "球球", "花花", "乐乐", "毛毛", "Lucky", "Coco",
        ],
    ),
    (
        "我就读的小学是？",
        &[
            "实验小学",
            "第一小学",
            "育才小学",
            "人民路小学",
            "中心小学",
            "外国语小学",
            "师范附小",
            "光明小学",
        ],
    ),
    (
        "我母亲的姓氏是？",
        &[
            "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙",
        ],
    ),
    (
        "我最喜欢的电影是？",
        &[
            "霸王别姬",
            "大话西游",
            "阿甘正传",
            "肖申克的救赎",
            "泰坦尼克号",
            "千与千寻",
            "让子弹飞",
            "无间道",
            "流浪地球",
        ],
    ),
];

//! A deterministic synthetic register and feeds, shaped like the real
//! announcements, with the expected match outcome of every unit they name.
//!
//! Register names are built as region + trade name (字号) + industry + legal
//! form, seated in Fuzhou's districts and a few places outside (Xiamen
//! 350203, Pingtan 350128, Nan'an 350583). The generator plants what real
//! lists contain: names typed with spaces, brackets or the other limited
//! form (`有限责任公司`), a region written `福州市` or `福建省福州市`,
//! branches (`…马尾分公司`, some registered with their own code), one mistyped
//! character, a changed legal form, two registered enterprises whose names
//! are equal after normalisation (`福州X` and `福州市X`), one-character
//! siblings (`天成` / `天盛`), credit codes that belong to another name or to
//! nobody, companies from other provinces, and standards led by a government
//! body.
//!
//! The expected outcome of each mention is worked out here from how the
//! names were built — the canonical core is assembled from its parts, and
//! one-character neighbours are found by brute force over the register —
//! not by calling the matcher, so the tests compare two independent
//! derivations.

use crate::feed::{
    AwardRow, CommitteeRow, FeedKind, FeedRecord, GiRow, PilotRow, StandardLevel, StandardRow,
    UnitRef,
};
use crate::register::Enterprise;
use std::collections::{BTreeMap, BTreeSet};

/// What to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SynthConfig {
    /// The seed: the same seed gives the same data.
    pub seed: u64,
    /// Enterprises in the register (before the planted extras, ~3 % more).
    pub enterprises: usize,
    /// Feed rows over all feeds.
    pub feed_rows: usize,
}

/// The expected outcome of one unit named by a feed row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expected {
    /// The feed.
    pub feed: FeedKind,
    /// The spreadsheet row.
    pub row: u32,
    /// The unit's rank in the row.
    pub rank: u16,
    /// Outcome code (`EXACT_CODE`, `EXACT_NAME`, `FUZZY`, `AMBIGUOUS`, `NONE`).
    pub outcome: &'static str,
    /// Basis code.
    pub basis: &'static str,
    /// The candidates' credit codes, in the order the matcher lists them.
    pub candidates: Vec<String>,
}

/// The generated data.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Synth {
    /// The register.
    pub register: Vec<Enterprise>,
    /// Standards rows.
    pub standards: Vec<FeedRecord>,
    /// Award rows.
    pub awards: Vec<FeedRecord>,
    /// Committee rows.
    pub committees: Vec<FeedRecord>,
    /// Pilot rows.
    pub pilots: Vec<FeedRecord>,
    /// Geographical-indication rows.
    pub gis: Vec<FeedRecord>,
    /// One expectation per unit named, feed by feed, row by row, in rank order.
    pub expected: Vec<Expected>,
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ z.wrapping_shr(30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ z.wrapping_shr(27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ z.wrapping_shr(31)
    }

    fn below(&mut self, n: usize) -> usize {
        let n64 = u64::try_from(n).unwrap_or(u64::MAX);
        usize::try_from(self.next().checked_rem(n64).unwrap_or(0)).unwrap_or(0)
    }

    fn percent(&mut self, p: usize) -> bool {
        self.below(100) < p
    }

    fn pick<T: Copy>(&mut self, items: &[T], default: T) -> T {
        items
            .get(self.below(items.len()))
            .copied()
            .unwrap_or(default)
    }
}

/// Trade-name characters: none of them is part of a region, an industry, a
/// legal form, a branch suffix or a public-body ending.
const POOL: &[char] = &[
    '鑫', '达', '宏', '远', '华', '兴', '天', '成', '盛', '恒', '瑞', '祥', '润', '佳', '嘉', '鸿',
    '昌', '隆', '丰', '裕', '富', '贵', '金', '银', '海', '星', '辰', '阳', '光', '众', '合', '和',
    '信', '诚', '博', '雅', '思', '凯', '越', '腾', '飞', '翔', '志', '振', '荣', '康', '健', '怡',
    '欣', '悦', '顺', '通', '汇', '盈', '卓', '杰', '英', '豪', '俊', '锦', '绣', '榕', '东', '西',
    '晟', '昊', '旭', '晖', '曜', '辉', '灿', '炜', '烨', '森', '青', '蓝', '紫', '云', '霞', '泽',
];
/// Characters used for typing errors: in no name.
const TYPOS: &[char] = &['迭', '沃', '琨', '璟', '铭', '骏', '麒', '麟'];
/// Industries.
const INDUSTRIES: &[&str] = &[
    "科技",
    "电子",
    "食品",
    "建设工程",
    "纺织",
    "机械",
    "茶业",
    "水产",
    "生物医药",
    "信息技术",
    "环保科技",
    "新材料",
    "电气",
    "化工",
    "物流",
    "包装",
    "印刷",
    "家具",
    "鞋业",
    "服饰",
    "汽车配件",
    "光电",
    "软件",
    "检测技术",
    "农业发展",
    "渔业",
    "石材",
    "陶瓷",
    "仪器仪表",
    "智能装备",
];
/// Fuzhou seats with the region written in names seated there.
const FUZHOU_SEATS: &[(&str, &str, &str)] = &[
    ("350102", "鼓楼", "区"),
    ("350103", "台江", "区"),
    ("350104", "仓山", "区"),
    ("350105", "马尾", "区"),
    ("350111", "晋安", "区"),
    ("350112", "长乐", "区"),
    ("350121", "闽侯", "县"),
    ("350122", "连江", "县"),
    ("350123", "罗源", "县"),
    ("350124", "闽清", "县"),
    ("350125", "永泰", "县"),
    ("350181", "福清", "市"),
    ("350100-GXQ", "", ""),
    ("350100", "", ""),
    ("350182", "长乐", "市"),
];
/// Seats outside Fuzhou with their city.
const OUTSIDE_SEATS: &[(&str, &str)] =
    &[("350203", "厦门"), ("350128", "平潭"), ("350583", "泉州")];
/// Public bodies and institutions (never in the register).
const PUBLIC_BODIES: &[&str] = &[
    "福州市市场监督管理局",
    "福建省市场监督管理局",
    "福建省标准化研究院",
    "福州市标准化研究所",
    "福建省农业科学院茶叶研究所",
    "福州大学",
    "福州市茶业协会",
    "连江县水产技术推广站",
    "福建省计量科学研究院",
    "福州市质量技术服务中心",
];
/// Regions of companies from elsewhere (two characters, no Fujian name).
const ELSEWHERE: &[&str] = &["北京", "上海", "深圳", "重庆"];
/// District names used in branch suffixes.
const BRANCH_PLACES: &[&str] = &["马尾", "长乐", "福清", "闽侯", "仓山", "晋安"];

/// Legal-form family as built.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Form {
    Limited,
    JointStock,
}

/// How an enterprise's region is written.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Built {
    /// Region as written in the registered name (`福州市`, `鼓楼区`, …).
    region: String,
    /// Region as the normaliser should make it canonical (`福州`, `鼓楼`).
    region_canonical: String,
    /// Region written inside brackets after the trade name (`鑫达（福州）科技`).
    bracketed: bool,
    trade: Vec<char>,
    industry: &'static str,
    group: bool,
    form: Form,
    /// `有限责任公司` rather than `有限公司` (only for `Form::Limited`).
    long_limited: bool,
}

impl Built {
    fn form_text(&self) -> &'static str {
        match (self.form, self.long_limited) {
            (Form::JointStock, _) => "股份有限公司",
            (Form::Limited, true) => "有限责任公司",
            (Form::Limited, false) => "有限公司",
        }
    }

    fn trade(&self) -> String {
        self.trade.iter().collect()
    }

    fn middle(&self) -> String {
        format!("{}{}", self.industry, if self.group { "集团" } else { "" })
    }

    fn name(&self) -> String {
        if self.bracketed {
            format!(
                "{}（{}）{}{}",
                self.trade(),
                self.region,
                self.middle(),
                self.form_text()
            )
        } else {
            format!(
                "{}{}{}{}",
                self.region,
                self.trade(),
                self.middle(),
                self.form_text()
            )
        }
    }

    /// The canonical core, assembled from the parts.
    fn core(&self) -> String {
        if self.bracketed {
            format!("{}{}{}", self.trade(), self.region, self.middle())
        } else {
            format!("{}{}{}", self.region_canonical, self.trade(), self.middle())
        }
    }

    fn key(&self) -> (String, Form) {
        (self.core(), self.form)
    }
}

/// The GB 32100-2015 check character of the first 17 characters.
pub fn check_character(first17: &str) -> Option<char> {
    const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    const WEIGHTS: [u32; 17] = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    let mut sum: u32 = 0;
    for (c, w) in first17.chars().zip(WEIGHTS) {
        let v = u32::try_from(ALPHABET.find(c)?).ok()?;
        sum = sum.wrapping_add(v.wrapping_mul(w));
    }
    let check = 31u32.wrapping_sub(sum.checked_rem(31)?).checked_rem(31)?;
    ALPHABET.chars().nth(usize::try_from(check).ok()?)
}

struct Gen {
    rng: Rng,
    register: Vec<Enterprise>,
    built: Vec<Option<Built>>,
    /// Registered branches: index → parent index.
    branch_of: BTreeMap<usize, usize>,
    keys: BTreeMap<(String, Form), Vec<usize>>,
    /// Cores by character length, for brute-force neighbours.
    by_len: BTreeMap<usize, Vec<(Vec<char>, Form, usize)>>,
    codes: BTreeSet<String>,
    /// Enterprises safe for every mention kind (unique key, a company in
    /// Fuzhou or outside, not a branch).
    plain: Vec<usize>,
    twins: Vec<(usize, usize)>,
    siblings: Vec<(usize, usize, usize)>,
    outside: Vec<usize>,
    serial: u32,
}

impl Gen {
    fn code(&mut self, seat: &str, valid: bool) -> String {
        let seat6: String = seat.chars().take(6).collect();
        const ORG: &[char] = &[
            '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'A', 'B', 'C', 'D', 'E', 'F', 'G',
            'H', 'J', 'K', 'L', 'M', 'N', 'P', 'Q', 'R', 'T', 'U', 'W', 'X', 'Y',
        ];
        loop {
            let org: String = (0..9).map(|_| self.rng.pick(ORG, '0')).collect();
            let first = format!("91{seat6}{org}");
            let Some(check) = check_character(&first) else {
                continue;
            };
            let check = if valid {
                check
            } else {
                ORG.iter().copied().find(|c| *c != check).unwrap_or('0')
            };
            let code = format!("{first}{check}");
            if self.codes.insert(code.clone()) {
                return code;
            }
        }
    }

    fn push(&mut self, b: Built, seat: &str, valid_code: bool) -> usize {
        let i = self.register.len();
        let credit_code = self.code(seat, valid_code);
        self.register.push(Enterprise {
            credit_code,
            name: b.name(),
            seat: seat.to_string(),
            row: u32::try_from(i).unwrap_or(u32::MAX).saturating_add(2),
        });
        self.keys.entry(b.key()).or_default().push(i);
        let chars: Vec<char> = b.core().chars().collect();
        self.by_len
            .entry(chars.len())
            .or_default()
            .push((chars, b.form, i));
        self.built.push(Some(b));
        i
    }

    fn random_built(&mut self, region: &str, canonical: &str) -> Built {
        let len = if self.rng.percent(85) { 2 } else { 3 };
        let trade: Vec<char> = (0..len).map(|_| self.rng.pick(POOL, '鑫')).collect();
        let form = if self.rng.percent(20) {
            Form::JointStock
        } else {
            Form::Limited
        };
        Built {
            region: region.to_string(),
            region_canonical: canonical.to_string(),
            bracketed: false,
            trade,
            industry: self.rng.pick(INDUSTRIES, "科技"),
            group: self.rng.percent(5),
            form,
            long_limited: form == Form::Limited && self.rng.percent(20),
        }
    }

    /// A register enterprise in Fuzhou with a fresh key.
    fn fuzhou_enterprise(&mut self) -> usize {
        loop {
            let (seat, district, admin) = self.rng.pick(FUZHOU_SEATS, ("350102", "鼓楼", "区"));
            let (region, canonical, bracketed) = match self.rng.below(10) {
                0..=3 => ("福州市".to_string(), "福州".to_string(), false),
                4 => ("福州".to_string(), "福州".to_string(), false),
                5 => ("福建省".to_string(), "福建".to_string(), false),
                6 => ("福建".to_string(), "福建".to_string(), false),
                7 if !district.is_empty() => {
                    (format!("{district}{admin}"), district.to_string(), false)
                }
                8 => ("福州".to_string(), "福州".to_string(), true),
                _ => ("福州市".to_string(), "福州".to_string(), false),
            };
            let mut b = self.random_built(&region, &canonical);
            b.bracketed = bracketed;
            if self.keys.contains_key(&b.key()) {
                continue;
            }
            let valid = !self.rng.percent(1);
            let i = self.push(b, seat, valid);
            return i;
        }
    }

    fn outside_enterprise(&mut self) -> usize {
        loop {
            let (seat, city) = self.rng.pick(OUTSIDE_SEATS, ("350203", "厦门"));
            let b = self.random_built(&format!("{city}市"), city);
            if self.keys.contains_key(&b.key()) {
                continue;
            }
            return self.push(b, seat, true);
        }
    }

    fn built_of(&self, i: usize) -> Option<&Built> {
        self.built.get(i).and_then(Option::as_ref)
    }

    fn enterprise(&self, i: usize) -> Option<&Enterprise> {
        self.register.get(i)
    }

    fn codes_of(&self, ids: &[usize]) -> Vec<String> {
        ids.iter()
            .filter_map(|i| self.enterprise(*i))
            .map(|e| e.credit_code.clone())
            .collect()
    }

    /// Register enterprises whose core differs from `core` in one character
    /// (same form), by brute force, in register order.
    fn neighbours(&self, core: &[char], form: Form) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .by_len
            .get(&core.len())
            .map(|v| {
                v.iter()
                    .filter(|(c, f, _)| {
                        *f == form && c.iter().zip(core).filter(|(a, b)| a != b).count() == 1
                    })
                    .map(|(_, _, i)| *i)
                    .collect()
            })
            .unwrap_or_default();
        out.sort_unstable();
        out
    }

    fn key_ids(&self, key: &(String, Form)) -> Vec<usize> {
        self.keys.get(key).cloned().unwrap_or_default()
    }
}

/// An expected outcome: outcome code, basis code, candidates (register indices).
type Expectation = (&'static str, &'static str, Vec<usize>);

/// The kinds of mention the generator writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Literal,
    WithCode,
    Spaced,
    FormVariant,
    RegionVariant,
    Branch,
    RegisteredBranchCode,
    Typo,
    LegalForm,
    Twin,
    SiblingTypo,
    Elsewhere,
    Outside,
    CodeNameMismatch,
    CodeNotInRegister,
}

const KINDS: &[(Kind, usize)] = &[
    (Kind::Literal, 34),
    (Kind::WithCode, 20),
    (Kind::Spaced, 5),
    (Kind::FormVariant, 5),
    (Kind::RegionVariant, 5),
    (Kind::Branch, 4),
    (Kind::RegisteredBranchCode, 1),
    (Kind::Typo, 5),
    (Kind::LegalForm, 2),
    (Kind::Twin, 3),
    (Kind::SiblingTypo, 2),
    (Kind::Elsewhere, 5),
    (Kind::Outside, 5),
    (Kind::CodeNameMismatch, 2),
    (Kind::CodeNotInRegister, 2),
];

impl Gen {
    fn kind(&mut self) -> Kind {
        let total: usize = KINDS.iter().map(|(_, w)| *w).sum();
        let mut x = self.rng.below(total);
        for (k, w) in KINDS {
            if x < *w {
                return *k;
            }
            x = x.saturating_sub(*w);
        }
        Kind::Literal
    }

    fn plain(&mut self) -> usize {
        let i = self.rng.below(self.plain.len());
        self.plain.get(i).copied().unwrap_or(0)
    }

    /// Expected outcome of a listed name (no code) whose canonical core and
    /// form are given; `name` is the name as listed (a register name equal to
    /// it is a literal match).
    fn expect_name(&self, core: &str, form: Form, name: &str) -> Expectation {
        let ids = self.key_ids(&(core.to_string(), form));
        let literal = |i: &usize| self.enterprise(*i).is_some_and(|e| e.name == name);
        match ids.as_slice() {
            [one] => {
                if literal(one) {
                    ("EXACT_NAME", "LITERAL_NAME", ids)
                } else {
                    ("EXACT_NAME", "NORMALISED_NAME", ids)
                }
            }
            [] => {
                let other = match form {
                    Form::Limited => Form::JointStock,
                    Form::JointStock => Form::Limited,
                };
                let others = self.key_ids(&(core.to_string(), other));
                match others.len() {
                    0 => {}
                    1 => return ("FUZZY", "LEGAL_FORM_DIFFERS", others),
                    _ => return ("AMBIGUOUS", "SEVERAL_CANDIDATES", others),
                }
                let chars: Vec<char> = core.chars().collect();
                let near = if chars.len() >= crate::register::FUZZY_MIN_CHARS {
                    self.neighbours(&chars, form)
                } else {
                    Vec::new()
                };
                match near.len() {
                    0 => ("NONE", "NOT_IN_REGISTER", near),
                    1 => ("FUZZY", "ONE_CHARACTER_DIFFERS", near),
                    _ => ("AMBIGUOUS", "SEVERAL_CANDIDATES", near),
                }
            }
            _ => {
                let mut c: Vec<usize> = ids.iter().copied().filter(|i| literal(i)).collect();
                c.extend(ids.iter().copied().filter(|i| !literal(i)));
                ("AMBIGUOUS", "SEVERAL_CANDIDATES", c)
            }
        }
    }

    /// One company mention: the unit as listed and its expectation.
    fn company(&mut self) -> (UnitRef, &'static str, &'static str, Vec<usize>) {
        // Every kind succeeds for most draws; a draw that does not fit (e.g.
        // a form variant of a joint-stock company) is drawn again.
        loop {
            if let Some(m) = self.try_company() {
                return m;
            }
        }
    }

    fn try_company(&mut self) -> Option<(UnitRef, &'static str, &'static str, Vec<usize>)> {
        let kind = self.kind();
        let unit = |name: String, code: Option<String>| UnitRef { name, code };
        Some(match kind {
            Kind::Literal | Kind::Outside => {
                let i = if kind == Kind::Outside {
                    self.outside
                        .get(self.rng.below(self.outside.len()))
                        .copied()?
                } else {
                    self.plain()
                };
                let e = self.enterprise(i)?.clone();
                (unit(e.name, None), "EXACT_NAME", "LITERAL_NAME", vec![i])
            }
            Kind::WithCode => {
                // Any enterprise that is not a registered branch, twins included.
                let i = self.rng.below(self.register.len());
                if self.branch_of.contains_key(&i) {
                    return None;
                }
                let e = self.enterprise(i)?.clone();
                (
                    unit(e.name, Some(e.credit_code)),
                    "EXACT_CODE",
                    "CREDIT_CODE",
                    vec![i],
                )
            }
            Kind::Spaced => {
                let i = self.plain();
                let b = self.built_of(i)?.clone();
                let name = if b.bracketed {
                    format!(
                        "{} ({}) {} {}",
                        b.trade(),
                        b.region,
                        b.middle(),
                        b.form_text()
                    )
                } else {
                    format!(
                        "{} {}{}　{}",
                        b.region,
                        b.trade(),
                        b.middle(),
                        b.form_text()
                    )
                };
                (unit(name, None), "EXACT_NAME", "LITERAL_NAME", vec![i])
            }
            Kind::FormVariant => {
                let i = self.plain();
                let b = self.built_of(i)?.clone();
                if b.form != Form::Limited {
                    return None;
                }
                let mut v = b.clone();
                v.long_limited = !b.long_limited;
                let (o, basis, c) = self.expect_name(&v.core(), v.form, &v.name());
                (unit(v.name(), None), o, basis, c)
            }
            Kind::RegionVariant => {
                let i = self.plain();
                let b = self.built_of(i)?.clone();
                if b.bracketed {
                    return None;
                }
                let name = match b.region.as_str() {
                    "福州市" => format!("福建省{}", b.name()),
                    "福州" => format!("福州市{}", b.name().trim_start_matches("福州")),
                    "福建省" => b.name().replacen("福建省", "福建", 1),
                    "福建" => b.name().replacen("福建", "福建省", 1),
                    other if other.ends_with('区') || other.ends_with('县') => {
                        format!("福州市{}", b.name())
                    }
                    _ => return None,
                };
                let (o, basis, c) = self.expect_name(&b.core(), b.form, &name);
                (unit(name, None), o, basis, c)
            }
            Kind::Branch => {
                let i = self.plain();
                let e = self.enterprise(i)?.clone();
                let b = self.built_of(i)?.clone();
                let place = self.rng.pick(BRANCH_PLACES, "马尾");
                let ids = self.key_ids(&b.key());
                let (o, basis) = if ids.len() == 1 {
                    ("FUZZY", "BRANCH_OF_COMPANY")
                } else {
                    ("AMBIGUOUS", "SEVERAL_CANDIDATES")
                };
                (
                    unit(format!("{}{place}分公司", e.name), None),
                    o,
                    basis,
                    ids,
                )
            }
            Kind::RegisteredBranchCode => {
                let (&branch, &parent) = self
                    .branch_of
                    .iter()
                    .nth(self.rng.below(self.branch_of.len()))?;
                let e = self.enterprise(branch)?.clone();
                let ids = self.key_ids(&self.built_of(parent)?.key());
                let (o, basis) = if ids.len() == 1 {
                    ("FUZZY", "BRANCH_OF_COMPANY")
                } else {
                    ("AMBIGUOUS", "SEVERAL_CANDIDATES")
                };
                (unit(e.name, Some(e.credit_code)), o, basis, ids)
            }
            Kind::Typo | Kind::SiblingTypo => {
                let (i, pos) = if kind == Kind::SiblingTypo {
                    let (a, _, pos) = *self.siblings.get(self.rng.below(self.siblings.len()))?;
                    (a, pos)
                } else {
                    let i = self.plain();
                    let len = self.built_of(i)?.trade.len();
                    (i, self.rng.below(len))
                };
                let mut v = self.built_of(i)?.clone();
                let typo = self.rng.pick(TYPOS, '迭');
                *v.trade.get_mut(pos)? = typo;
                let (o, basis, c) = self.expect_name(&v.core(), v.form, &v.name());
                (unit(v.name(), None), o, basis, c)
            }
            Kind::LegalForm => {
                let i = self.plain();
                let mut v = self.built_of(i)?.clone();
                v.form = match v.form {
                    Form::Limited => Form::JointStock,
                    Form::JointStock => Form::Limited,
                };
                v.long_limited = false;
                let (o, basis, c) = self.expect_name(&v.core(), v.form, &v.name());
                (unit(v.name(), None), o, basis, c)
            }
            Kind::Twin => {
                let (a, b) = *self.twins.get(self.rng.below(self.twins.len()))?;
                let pick = if self.rng.percent(50) { a } else { b };
                let e = self.enterprise(pick)?.clone();
                let built = self.built_of(pick)?.clone();
                let (o, basis, c) = self.expect_name(&built.core(), built.form, &e.name);
                (unit(e.name, None), o, basis, c)
            }
            Kind::Elsewhere => {
                let region = self.rng.pick(ELSEWHERE, "北京");
                let mut b = self.random_built(region, region);
                b.trade = vec![self.rng.pick(POOL, '鑫'), self.rng.pick(TYPOS, '迭')];
                let (o, basis, c) = self.expect_name(&b.core(), b.form, &b.name());
                (unit(b.name(), None), o, basis, c)
            }
            Kind::CodeNameMismatch => {
                let a = self.plain();
                let b = self.plain();
                let (ea, eb) = (self.enterprise(a)?.clone(), self.enterprise(b)?.clone());
                if a == b || self.built_of(a)?.core() == self.built_of(b)?.core() {
                    return None;
                }
                (
                    unit(eb.name, Some(ea.credit_code)),
                    "FUZZY",
                    "CODE_NAME_MISMATCH",
                    vec![a],
                )
            }
            Kind::CodeNotInRegister => {
                let i = self.plain();
                let e = self.enterprise(i)?.clone();
                let code = self.code(&e.seat, true);
                (
                    unit(e.name, Some(code)),
                    "FUZZY",
                    "CODE_NOT_IN_REGISTER",
                    vec![i],
                )
            }
        })
    }
}

/// Generates a register and feeds.
pub fn generate(config: SynthConfig) -> Synth {
    let mut g = Gen {
        rng: Rng(config.seed),
        register: Vec::with_capacity(config.enterprises.saturating_add(config.enterprises / 20)),
        built: Vec::new(),
        branch_of: BTreeMap::new(),
        keys: BTreeMap::new(),
        by_len: BTreeMap::new(),
        codes: BTreeSet::new(),
        plain: Vec::new(),
        twins: Vec::new(),
        siblings: Vec::new(),
        outside: Vec::new(),
        serial: 0,
    };
    let outside_count = config.enterprises.checked_div(50).unwrap_or(0).max(3);
    for _ in 0..config.enterprises.saturating_sub(outside_count) {
        g.fuzhou_enterprise();
    }
    for _ in 0..outside_count {
        let i = g.outside_enterprise();
        g.outside.push(i);
    }
    let base = g.register.len();
    let extras = base.checked_div(100).unwrap_or(0).max(4);
    // Twins: the same name but for the way the city is written.
    for _ in 0..extras {
        let i = g.rng.below(base);
        let Some(b) = g.built_of(i).cloned() else {
            continue;
        };
        if b.bracketed || b.region != "福州市" || g.key_ids(&b.key()).len() != 1 {
            continue;
        }
        let seat = g.enterprise(i).map(|e| e.seat.clone()).unwrap_or_default();
        let mut twin = b.clone();
        twin.region = "福州".into();
        let j = g.push(twin, &seat, true);
        g.twins.push((i, j));
    }
    // One-character siblings: another enterprise differing in one trade character.
    for _ in 0..extras {
        let i = g.rng.below(base);
        let Some(b) = g.built_of(i).cloned() else {
            continue;
        };
        let pos = g.rng.below(b.trade.len());
        let mut s = b.clone();
        let c = g.rng.pick(POOL, '鑫');
        if s.trade.get(pos) == Some(&c) {
            continue;
        }
        if let Some(slot) = s.trade.get_mut(pos) {
            *slot = c;
        }
        if g.keys.contains_key(&s.key()) || g.key_ids(&b.key()).len() != 1 {
            continue;
        }
        let seat = g.enterprise(i).map(|e| e.seat.clone()).unwrap_or_default();
        let j = g.push(s, &seat, true);
        g.siblings.push((i, j, pos));
    }
    // Registered branches, with their own credit code and seat.
    for _ in 0..extras {
        let i = g.rng.below(base);
        let Some(parent) = g.enterprise(i).cloned() else {
            continue;
        };
        let place = g.rng.pick(BRANCH_PLACES, "马尾");
        let j = g.register.len();
        let credit_code = g.code("350105", true);
        g.register.push(Enterprise {
            credit_code,
            name: format!("{}{place}分公司", parent.name),
            seat: "350105".into(),
            row: u32::try_from(j).unwrap_or(u32::MAX).saturating_add(2),
        });
        g.built.push(None);
        g.branch_of.insert(j, i);
    }
    let twin_ids: BTreeSet<usize> = g.twins.iter().flat_map(|(a, b)| [*a, *b]).collect();
    g.plain = (0..base)
        .filter(|i| !twin_ids.contains(i) && !g.outside.contains(i))
        .filter(|i| {
            g.built_of(*i)
                .is_some_and(|b| g.key_ids(&b.key()).len() == 1)
        })
        .collect();
    let mut synth = Synth::default();
    let rows = config.feed_rows;
    let share = |p: usize| rows.saturating_mul(p).checked_div(100).unwrap_or(0).max(1);
    let (n_awards, n_committees, n_pilots, n_gis) = (share(6), share(3), share(7), share(4));
    let n_standards = rows
        .saturating_sub(n_awards)
        .saturating_sub(n_committees)
        .saturating_sub(n_pilots)
        .saturating_sub(n_gis)
        .max(1);
    standards(&mut g, &mut synth, n_standards);
    awards(&mut g, &mut synth, n_awards);
    committees(&mut g, &mut synth, n_committees);
    pilots(&mut g, &mut synth, n_pilots);
    gis(&mut g, &mut synth, n_gis);
    synth.register = g.register;
    synth
}

fn date(g: &mut Gen) -> String {
    // 2015 (before the policy) to 2025.
    let y = 2015usize.saturating_add(g.rng.below(11));
    let m = 1usize.saturating_add(g.rng.below(12));
    let d = 1usize.saturating_add(g.rng.below(28));
    format!("{y:04}-{m:02}-{d:02}")
}

fn next_serial(g: &mut Gen) -> u32 {
    g.serial = g.serial.saturating_add(1);
    g.serial
}

fn row_of(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX).saturating_add(2)
}

/// Units for one row: `count` units, the first a public body with the given
/// probability; records the expectations.
fn units(
    g: &mut Gen,
    synth: &mut Synth,
    feed: FeedKind,
    row: u32,
    count: usize,
    public_first: usize,
    public_other: usize,
) -> Vec<UnitRef> {
    let mut out = Vec::with_capacity(count);
    for r in 0..count {
        let rank = u16::try_from(r).unwrap_or(u16::MAX).saturating_add(1);
        let p = if r == 0 { public_first } else { public_other };
        let (unit, outcome, basis, ids) = if g.rng.percent(p) {
            let name = g.rng.pick(PUBLIC_BODIES, "福州市市场监督管理局");
            (
                UnitRef {
                    name: name.to_string(),
                    code: None,
                },
                "NONE",
                "NO_ENTERPRISE_PUBLIC_BODY",
                Vec::new(),
            )
        } else {
            g.company()
        };
        synth.expected.push(Expected {
            feed,
            row,
            rank,
            outcome,
            basis,
            candidates: g.codes_of(&ids),
        });
        out.push(unit);
    }
    out
}

fn standards(g: &mut Gen, synth: &mut Synth, n: usize) {
    for i in 0..n {
        let row = row_of(i);
        // Now and then an announcement repeats a standard listed earlier.
        if i > 10 && g.rng.percent(1) {
            let j = g.rng.below(synth.standards.len());
            if let Some(FeedRecord::Standard(prev)) = synth.standards.get(j).cloned() {
                let prev_row = prev.row;
                let copied: Vec<Expected> = synth
                    .expected
                    .iter()
                    .filter(|e| e.feed == FeedKind::Standards && e.row == prev_row)
                    .map(|e| Expected { row, ..e.clone() })
                    .collect();
                synth.expected.extend(copied);
                synth
                    .standards
                    .push(FeedRecord::Standard(StandardRow { row, ..prev }));
                continue;
            }
        }
        let s = next_serial(g);
        let d = date(g);
        let year = d.get(..4).unwrap_or("2020").to_string();
        let (level, number) = match g.rng.below(20) {
            0 => (
                StandardLevel::International,
                format!("ISO {}:{year}", 20000u32.saturating_add(s)),
            ),
            1..=7 => (
                StandardLevel::National,
                format!("GB/T {}-{year}", 30000u32.saturating_add(s)),
            ),
            8..=10 => {
                let code = g
                    .rng
                    .pick(&["JB/T", "SB/T", "NY/T", "QB/T", "SC/T"], "JB/T");
                (
                    StandardLevel::Industry,
                    format!("{code} {}-{year}", 10000u32.saturating_add(s)),
                )
            }
            11..=15 => {
                let code = g.rng.pick(&["DB35/T", "DB3501/T"], "DB35/T");
                (
                    StandardLevel::Local,
                    format!("{code} {}-{year}", 1000u32.saturating_add(s)),
                )
            }
            _ => {
                let code = g.rng.pick(&["T/FJBZ", "T/FZSX", "T/CAS"], "T/FJBZ");
                (StandardLevel::Group, format!("{code} {:03}-{year}", s))
            }
        };
        let count = g.rng.pick(&[1usize, 1, 2, 2, 3, 3, 4, 5], 2);
        let units = units(g, synth, FeedKind::Standards, row, count, 8, 2);
        synth.standards.push(FeedRecord::Standard(StandardRow {
            row,
            number,
            title: format!("示例标准{s}技术规范"),
            level,
            date: d,
            units,
        }));
    }
}

fn awards(g: &mut Gen, synth: &mut Synth, n: usize) {
    for i in 0..n {
        let row = row_of(i);
        let s = next_serial(g);
        let award = if g.rng.percent(30) {
            "AWARD_CHINA"
        } else {
            "AWARD_FUJIAN"
        };
        let grade = g.rng.pick(
            &[
                "PROJECT_FIRST",
                "PROJECT_SECOND",
                "PROJECT_THIRD",
                "PROJECT_THIRD",
                "ORGANISATION",
            ],
            "PROJECT_THIRD",
        );
        let year = 2016u16.saturating_add(u16::try_from(g.rng.below(9)).unwrap_or(0));
        let with_date = g.rng.percent(70);
        let count = g.rng.pick(&[1usize, 2, 3], 1);
        let units = units(g, synth, FeedKind::Awards, row, count, 5, 5);
        synth.awards.push(FeedRecord::Award(AwardRow {
            row,
            award,
            year,
            grade,
            project: format!("示例标准{s}"),
            standard_number: format!(
                "DB35/T {}-{}",
                1000u32.saturating_add(s),
                year.saturating_sub(1)
            ),
            units,
            date: if with_date {
                format!("{year:04}-11-{:02}", 1usize.saturating_add(g.rng.below(28)))
            } else {
                format!("{year:04}-12-31")
            },
            date_from_year: !with_date,
        }));
    }
}

fn committees(g: &mut Gen, synth: &mut Synth, n: usize) {
    for i in 0..n {
        let row = row_of(i);
        let s = next_serial(g);
        let (kind, code) = match g.rng.below(10) {
            0 => (
                "INTERNATIONAL_TC_SC",
                format!(
                    "ISO/TC {}/SC {}",
                    100u32.saturating_add(s),
                    1u32.saturating_add(s.checked_rem(9).unwrap_or(0))
                ),
            ),
            1 => (
                "INTERNATIONAL_WG",
                format!(
                    "ISO/TC {}/WG {}",
                    100u32.saturating_add(s),
                    1u32.saturating_add(s.checked_rem(9).unwrap_or(0))
                ),
            ),
            2..=4 => ("NATIONAL_TC_SC", format!("SAC/TC {}", s)),
            5 => ("NATIONAL_WG", format!("SAC/SWG {}", s)),
            6..=8 => ("PROVINCIAL_TC", format!("FJ/TC {}", s)),
            _ => ("PROVINCIAL_WG", format!("FJ/WG {}", s)),
        };
        let mut units = units(g, synth, FeedKind::Committees, row, 1, 10, 0);
        let unit = units.pop().unwrap_or(UnitRef {
            name: String::new(),
            code: None,
        });
        synth.committees.push(FeedRecord::Committee(CommitteeRow {
            row,
            code,
            name: format!("示例专业标准化技术委员会{s}"),
            kind,
            date: date(g),
            unit,
        }));
    }
}

fn pilots(g: &mut Gen, synth: &mut Synth, n: usize) {
    for i in 0..n {
        let row = row_of(i);
        let s = next_serial(g);
        let d = date(g);
        let (level, reference) = match g.rng.below(3) {
            0 => (
                "NATIONAL",
                format!("国标委农〔{}〕{}号", d.get(..4).unwrap_or("2020"), s),
            ),
            1 => (
                "PROVINCIAL",
                format!("闽标试〔{}〕{}号", d.get(..4).unwrap_or("2020"), s),
            ),
            _ => (
                "MUNICIPAL",
                format!("榕标试{}-{s:03}", d.get(..4).unwrap_or("2020")),
            ),
        };
        let count = g.rng.pick(&[1usize, 1, 1, 2], 1);
        let units = units(g, synth, FeedKind::Pilots, row, count, 5, 5);
        synth.pilots.push(FeedRecord::Pilot(PilotRow {
            row,
            reference,
            name: format!("示例标准化试点项目{s}"),
            level,
            date: d,
            accepted: !g.rng.percent(10),
            units,
        }));
    }
}

fn gis(g: &mut Gen, synth: &mut Synth, n: usize) {
    const PRODUCTS: &[&str] = &[
        "茉莉花茶",
        "鲍鱼",
        "橄榄",
        "龙眼",
        "海带",
        "青红酒",
        "线面",
        "脐橙",
    ];
    for i in 0..n {
        let row = row_of(i);
        let s = next_serial(g);
        let place = g.rng.pick(BRANCH_PLACES, "连江");
        let product = format!("{place}{}{s}", g.rng.pick(PRODUCTS, "鲍鱼"));
        let kind = if g.rng.percent(50) {
            "GI_PRODUCT_PROTECTION"
        } else {
            "AGRICULTURAL_GI"
        };
        let units = units(g, synth, FeedKind::GeographicalIndications, row, 1, 40, 0);
        synth.gis.push(FeedRecord::Gi(GiRow {
            row,
            product,
            kind,
            date: date(g),
            reference: format!("{}年第{s}号公告", 2018),
            units,
        }));
    }
}

impl Synth {
    /// The rows of one feed kind.
    pub fn feed(&self, kind: FeedKind) -> &[FeedRecord] {
        match kind {
            FeedKind::Register => &[],
            FeedKind::Standards => &self.standards,
            FeedKind::Awards => &self.awards,
            FeedKind::Committees => &self.committees,
            FeedKind::Pilots => &self.pilots,
            FeedKind::GeographicalIndications => &self.gis,
        }
    }

    /// The register as text rows of the register layout.
    pub fn register_rows(&self) -> Vec<Vec<String>> {
        self.register
            .iter()
            .map(|e| vec![e.credit_code.clone(), e.name.clone(), e.seat.clone()])
            .collect()
    }

    /// A feed as text rows of its layout (as an agency would publish it).
    pub fn feed_rows(&self, kind: FeedKind) -> Vec<Vec<String>> {
        self.feed(kind).iter().map(text_row).collect()
    }
}

fn names_and_codes(units: &[UnitRef]) -> (String, String) {
    let names: Vec<&str> = units.iter().map(|u| u.name.as_str()).collect();
    let codes: Vec<&str> = units
        .iter()
        .map(|u| u.code.as_deref().unwrap_or_default())
        .collect();
    let codes = if codes.iter().all(|c| c.is_empty()) {
        String::new()
    } else {
        codes.join("、")
    };
    (names.join("、"), codes)
}

fn level_zh(level: StandardLevel) -> &'static str {
    match level {
        StandardLevel::International => "国际标准",
        StandardLevel::National => "国家标准",
        StandardLevel::Industry => "行业标准",
        StandardLevel::Local => "地方标准",
        StandardLevel::Group => "团体标准",
    }
}

fn label(codes: &[(&'static str, &'static [&'static str])], id: &str) -> String {
    codes
        .iter()
        .find(|(i, _)| *i == id)
        .and_then(|(_, s)| s.first())
        .map(|s| (*s).to_string())
        .unwrap_or_else(|| id.to_string())
}

/// One record as the text cells of its layout.
pub fn text_row(record: &FeedRecord) -> Vec<String> {
    use crate::feed::{AWARD_NAMES, COMMITTEE_KINDS, GI_KINDS, GRADES, PILOT_LEVELS};
    match record {
        FeedRecord::Standard(r) => {
            let (names, codes) = names_and_codes(&r.units);
            vec![
                r.number.clone(),
                r.title.clone(),
                level_zh(r.level).to_string(),
                r.date.clone(),
                names,
                codes,
            ]
        }
        FeedRecord::Award(r) => {
            let (names, codes) = names_and_codes(&r.units);
            vec![
                label(AWARD_NAMES, r.award),
                r.year.to_string(),
                label(GRADES, r.grade),
                r.project.clone(),
                r.standard_number.clone(),
                names,
                codes,
                if r.date_from_year {
                    String::new()
                } else {
                    r.date.clone()
                },
            ]
        }
        FeedRecord::Committee(r) => vec![
            r.code.clone(),
            r.name.clone(),
            label(COMMITTEE_KINDS, r.kind),
            r.date.clone(),
            r.unit.name.clone(),
            r.unit.code.clone().unwrap_or_default(),
        ],
        FeedRecord::Pilot(r) => {
            let (names, codes) = names_and_codes(&r.units);
            vec![
                r.reference.clone(),
                r.name.clone(),
                label(PILOT_LEVELS, r.level),
                r.date.clone(),
                if r.accepted { "通过" } else { "不通过" }.to_string(),
                names,
                codes,
            ]
        }
        FeedRecord::Gi(r) => {
            let (names, codes) = names_and_codes(&r.units);
            vec![
                r.product.clone(),
                label(GI_KINDS, r.kind),
                r.date.clone(),
                r.reference.clone(),
                names,
                codes,
            ]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_characters() {
        // The example code of the rules crate's documentation.
        assert_eq!(check_character("91350100M000100Y4"), Some('3'));
    }

    #[test]
    fn deterministic() {
        let c = SynthConfig {
            seed: 7,
            enterprises: 500,
            feed_rows: 100,
        };
        assert_eq!(generate(c), generate(c));
        assert_ne!(
            generate(c).register,
            generate(SynthConfig { seed: 8, ..c }).register
        );
    }
}

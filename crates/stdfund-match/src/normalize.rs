//! Unit-name normalisation: when two written names denote the same unit.
//!
//! A published list writes a unit's name as a person typed it: full- or
//! half-width letters, `（）` or `()` or `【】`, spaces, `有限公司` for a
//! registered `有限责任公司`, `福州` for `福州市`, a branch (`…分公司`) for its
//! company. [`normalize`] turns a name into a [`NormalName`]:
//!
//! * `literal`: the name after *cleaning* only — Unicode NFKC (full-width to
//!   half-width), invisible characters and white space removed, the bracket
//!   characters themselves removed (their content kept), the separator dot
//!   `·` removed, ASCII upper-cased. Two names with the same literal differ
//!   only in typing.
//! * `key`: the literal with the legal form reduced to its family and the
//!   leading region written canonically; two names with the same key are the
//!   same name for matching (see the equivalences below).
//! * `branch`: for a branch (`分公司`, `分厂`, `办事处`, `营业部`, `分店`,
//!   `分部`), the branch part; `key` is then the key of the parent company.
//!
//! Equivalences (docs/MATCHING.md explains each decision):
//!
//! 1. `有限公司` ≡ `有限责任公司` (one family: the limited-liability company).
//! 2. `股份有限公司` is a different family: `XX股份有限公司` and `XX有限公司`
//!    are not the same name. A name that differs from a register entry only
//!    in the family is at most a fuzzy match (a change of legal form, 改制),
//!    never an exact one.
//! 3. `集团` is part of the name, not of the form: `XX集团有限公司` ≠
//!    `XX有限公司`.
//! 4. A leading region drops its administrative suffix: `福建省`→`福建`,
//!    `福州市`→`福州`, `鼓楼区`→`鼓楼`, `闽侯县`→`闽侯`, `福清市`→`福清`; a
//!    province followed by one of its cities, or a city followed by one of its
//!    districts, keeps only the more specific region (`福建省福州市XX` ≡
//!    `福州XX`, `福州市鼓楼区XX` ≡ `鼓楼XX`).
//!
//! Each equivalence can only merge names. Merging can turn "no match" into
//! a match or a unique match into an ambiguous one, and an ambiguous match is
//! never accepted automatically: the normalisation errs toward review.

use unicode_normalization::UnicodeNormalization;

/// The legal-form family of a company name (组织形式).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LegalForm {
    /// 有限公司 / 有限责任公司.
    Limited,
    /// 股份有限公司.
    JointStock,
    /// 有限合伙 / 合伙企业.
    Partnership,
    /// 个人独资企业.
    SoleProprietorship,
    /// 公司 without a recognised form.
    OtherCompany,
    /// No company form: an institute, an association, a public body, a
    /// factory, a cooperative …
    None,
}

impl LegalForm {
    /// A short tag used inside index keys.
    pub fn tag(self) -> &'static str {
        match self {
            LegalForm::Limited => "L",
            LegalForm::JointStock => "J",
            LegalForm::Partnership => "P",
            LegalForm::SoleProprietorship => "S",
            LegalForm::OtherCompany => "C",
            LegalForm::None => "N",
        }
    }
}

/// A unit name, normalised for matching.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NormalName {
    /// The cleaned name (typing differences removed, nothing else).
    pub literal: String,
    /// The core of the (parent) name: region canonical, legal form removed.
    pub core: String,
    /// The legal-form family of the (parent) name.
    pub form: LegalForm,
    /// For a branch, the branch part (e.g. `福州分公司`); `None` otherwise.
    pub branch: Option<String>,
}

impl NormalName {
    /// The matching key of the (parent) name: core and form family.
    pub fn key(&self) -> String {
        form_key(&self.core, self.form)
    }

    /// Whether this name is empty after cleaning.
    pub fn is_empty(&self) -> bool {
        self.literal.is_empty()
    }
}

/// The key of a core with a form family.
pub fn form_key(core: &str, form: LegalForm) -> String {
    let mut key = String::with_capacity(core.len().saturating_add(2));
    key.push_str(core);
    key.push('#');
    key.push_str(form.tag());
    key
}

/// Suffixes that make a name a branch (分支机构) of its company.
pub const BRANCH_SUFFIXES: &[&str] = &["分公司", "分厂", "办事处", "营业部", "分店", "分部"];

/// Legal-form suffixes, longest first, with their family.
const FORMS: &[(&str, LegalForm)] = &[
    ("股份有限公司", LegalForm::JointStock),
    ("有限责任公司", LegalForm::Limited),
    ("有限公司", LegalForm::Limited),
    ("个人独资企业", LegalForm::SoleProprietorship),
    ("合伙企业", LegalForm::Partnership),
    ("有限合伙", LegalForm::Partnership),
    ("公司", LegalForm::OtherCompany),
];

/// Company-form tokens that can end the parent part of a branch name.
const PARENT_ENDINGS: &[&str] = &["有限责任公司", "股份有限公司", "有限公司", "公司"];

/// The province whose leading name is canonicalised.
const PROVINCE: &str = "福建";
/// Cities of Fujian.
const CITIES: &[&str] = &[
    "福州", "厦门", "莆田", "三明", "泉州", "漳州", "南平", "龙岩", "宁德",
];
/// Districts and counties of Fuzhou, and Pingtan.
const FUZHOU_DISTRICTS: &[&str] = &[
    "鼓楼", "台江", "仓山", "马尾", "晋安", "长乐", "闽侯", "连江", "罗源", "闽清", "永泰", "福清",
    "平潭",
];

/// Name endings of public bodies and non-enterprise institutions (a unit
/// with such a name that is not in the register is reported as "no
/// enterprise", e.g. a standard led by a market-regulation bureau).
pub const PUBLIC_BODY_ENDINGS: &[&str] = &[
    "局",
    "厅",
    "委员会",
    "政府",
    "办公室",
    "研究院",
    "研究所",
    "院",
    "所",
    "大学",
    "学院",
    "学校",
    "协会",
    "学会",
    "联合会",
    "商会",
    "中心",
    "站",
    "馆",
    "队",
    "委",
];

/// Cleans a name: NFKC, invisible characters and white space removed, bracket
/// characters and the separator dot removed, ASCII upper-cased.
pub fn clean(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.nfkc() {
        if c.is_whitespace() || is_invisible(c) || is_bracket(c) || is_dot(c) {
            continue;
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

fn is_bracket(c: char) -> bool {
    // After NFKC the full-width （）［］｛｝ are ASCII already.
    matches!(
        c,
        '(' | ')'
            | '['
            | ']'
            | '{'
            | '}'
            | '【'
            | '】'
            | '〔'
            | '〕'
            | '〖'
            | '〗'
            | '〈'
            | '〉'
            | '《'
            | '》'
            | '「'
            | '」'
            | '『'
            | '』'
    )
}

fn is_dot(c: char) -> bool {
    matches!(c, '·' | '•' | '・' | '‧')
}

/// Normalises a unit name.
pub fn normalize(name: &str) -> NormalName {
    let literal = clean(name);
    let (parent, branch) = split_branch(&literal);
    let (core, form) = split_form(parent);
    NormalName {
        core: canonical_region(core),
        form,
        branch: branch.map(str::to_string),
        literal,
    }
}

/// Splits a cleaned name into (parent, branch part) when it names a branch.
fn split_branch(literal: &str) -> (&str, Option<&str>) {
    if !BRANCH_SUFFIXES.iter().any(|s| literal.ends_with(s)) {
        return (literal, None);
    }
    // The parent ends at the last company-form token before the suffix.
    let mut best: Option<usize> = None;
    for ending in PARENT_ENDINGS {
        if let Some(pos) = literal.rfind(ending) {
            let end = pos.saturating_add(ending.len());
            if end < literal.len() && best.is_none_or(|b| end > b) {
                best = Some(end);
            }
        }
    }
    match best {
        Some(end) => match (literal.get(..end), literal.get(end..)) {
            (Some(parent), Some(branch)) if !parent.is_empty() => (parent, Some(branch)),
            _ => (literal, None),
        },
        None => (literal, None),
    }
}

/// Splits the legal form off a (parent) name.
fn split_form(name: &str) -> (&str, LegalForm) {
    for (suffix, form) in FORMS {
        if let Some(core) = name.strip_suffix(suffix)
            && !core.is_empty()
        {
            return (core, *form);
        }
    }
    (name, LegalForm::None)
}

/// Writes the leading region canonically (equivalence 4).
fn canonical_region(core: &str) -> String {
    let mut s: &str = core;
    // 福建省 → 福建; 福建(省) + city → city.
    if let Some(rest) = s.strip_prefix(PROVINCE) {
        let rest = rest.strip_prefix('省').unwrap_or(rest);
        if CITIES.iter().any(|c| rest.starts_with(c)) {
            s = rest;
        } else {
            return join(PROVINCE, rest);
        }
    }
    // City: 福州市 → 福州; 福州(市) + district → district.
    for city in CITIES {
        if let Some(rest) = s.strip_prefix(city) {
            let rest = strip_admin(rest, '市');
            if *city == "福州" && FUZHOU_DISTRICTS.iter().any(|d| rest.starts_with(d)) {
                s = rest;
                break;
            }
            return join(city, rest);
        }
    }
    for district in FUZHOU_DISTRICTS {
        if let Some(rest) = s.strip_prefix(district) {
            let rest = ['区', '县', '市']
                .iter()
                .find_map(|c| {
                    let r = strip_admin(rest, *c);
                    (r.len() != rest.len()).then_some(r)
                })
                .unwrap_or(rest);
            return join(district, rest);
        }
    }
    s.to_string()
}

/// Strips an administrative suffix character unless it begins a word such as
/// `市场` (market).
fn strip_admin(rest: &str, admin: char) -> &str {
    match rest.strip_prefix(admin) {
        Some(r) if admin == '市' && r.starts_with('场') => rest,
        Some(r) => r,
        None => rest,
    }
}

fn join(a: &str, b: &str) -> String {
    let mut s = String::with_capacity(a.len().saturating_add(b.len()));
    s.push_str(a);
    s.push_str(b);
    s
}

/// Whether a cleaned name ends like a public body or a non-enterprise
/// institution.
pub fn looks_like_public_body(literal: &str) -> bool {
    PUBLIC_BODY_ENDINGS.iter().any(|e| literal.ends_with(e))
}

/// Cleans a credit code (NFKC, white space removed, upper case); `None` when
/// nothing is left.
pub fn clean_code(code: &str) -> Option<String> {
    let c = clean(code);
    (!c.is_empty()).then_some(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> String {
        normalize(s).key()
    }

    #[test]
    fn width_brackets_spaces() {
        assert_eq!(
            clean("福州 鑫达（中国）科技 有限公司"),
            clean("福州鑫达(中国)科技有限公司")
        );
        assert_eq!(clean("ＡＢＣ【福州】有限公司"), "ABC福州有限公司");
        assert_eq!(clean("abc\u{200B}·x"), "ABCX");
    }

    #[test]
    fn limited_forms_are_one_family() {
        assert_eq!(key("福州鑫达科技有限公司"), key("福州鑫达科技有限责任公司"));
        assert_ne!(key("福州鑫达科技有限公司"), key("福州鑫达科技股份有限公司"));
        assert_ne!(key("福州鑫达集团有限公司"), key("福州鑫达有限公司"));
        assert_eq!(
            normalize("福州鑫达科技股份有限公司").form,
            LegalForm::JointStock
        );
        assert_eq!(normalize("福州市标准化研究院").form, LegalForm::None);
    }

    #[test]
    fn regions() {
        assert_eq!(key("福州市鑫达科技有限公司"), key("福州鑫达科技有限公司"));
        assert_eq!(
            key("福建省福州市鑫达科技有限公司"),
            key("福州鑫达科技有限公司")
        );
        assert_eq!(key("福建省鑫达科技有限公司"), key("福建鑫达科技有限公司"));
        assert_ne!(key("福建鑫达科技有限公司"), key("福州鑫达科技有限公司"));
        assert_eq!(
            key("福州市鼓楼区鑫达科技有限公司"),
            key("鼓楼鑫达科技有限公司")
        );
        assert_eq!(key("闽侯县鑫达科技有限公司"), key("闽侯鑫达科技有限公司"));
        assert_eq!(key("福清市鑫达科技有限公司"), key("福清鑫达科技有限公司"));
        // 市场 is a word, not the city's suffix.
        assert_eq!(normalize("福州市场监督管理局").core, "福州市场监督管理局");
    }

    #[test]
    fn branches() {
        let n = normalize("福建鑫达科技有限公司福州分公司");
        assert_eq!(n.branch.as_deref(), Some("福州分公司"));
        assert_eq!(n.key(), key("福建鑫达科技有限公司"));
        let n = normalize("福建鑫达科技股份有限公司（马尾）办事处");
        assert_eq!(n.branch.as_deref(), Some("马尾办事处"));
        assert_eq!(n.form, LegalForm::JointStock);
        // No company form before the suffix: not split.
        assert_eq!(normalize("中国移动福州分公司").branch, None);
    }

    #[test]
    fn public_bodies() {
        assert!(looks_like_public_body(&clean("福州市市场监督管理局")));
        assert!(looks_like_public_body(&clean("福建省标准化研究院")));
        assert!(!looks_like_public_body(&clean("福州鑫达科技有限公司")));
    }
}

//! Typed errors with stable codes. An error means the input (or a ruleset) is
//! malformed; ineligibility is never an error.
//!
//! Messages follow the cedar style: lower case, user input in backticks, no
//! Rust type names. Each error has a stable [`Error::code`], the field path it
//! concerns (`achievements[2].date`), and a Chinese message beside the English.

use crate::date::DateHint;
use crate::money::MoneyProblem;
use serde::{Deserialize, Serialize};

/// Everything that makes an input unusable.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The text is not JSON, or not of the expected shape.
    #[error("the input is not valid JSON: {}", shown(message))]
    InvalidJson {
        /// Where, if known.
        path: String,
        /// What the parser said.
        message: String,
        /// The line of the problem (1-based; 0 when unknown).
        line: usize,
        /// The column of the problem (1-based; 0 when unknown).
        column: usize,
    },
    /// A text holds half of a UTF-16 surrogate pair: a `\uD800`–`\uDFFF`
    /// escape without its other half, or (from JavaScript) such a code unit
    /// itself. It is not a character, and replacing it with U+FFFD would
    /// change the input silently.
    #[error(
        "the text{} holds half of a UTF-16 surrogate pair (`\\uD800`–`\\uDFFF` without its other half), which is not a character{}",
        at(path),
        at_position(*line, *column)
    )]
    UnpairedSurrogate {
        /// The field, if known.
        path: String,
        /// The line (1-based; 0 when unknown).
        line: usize,
        /// The column (1-based; 0 when unknown).
        column: usize,
    },
    /// Something other than white space follows the JSON document.
    #[error("text follows the JSON document at line {line} column {column}")]
    TrailingData {
        /// The line where it starts (1-based).
        line: usize,
        /// The column where it starts (1-based).
        column: usize,
    },
    /// A field that the contract does not have.
    #[error("unknown field `{}`{}", shown(field), at(path))]
    UnknownField {
        /// The containing object's path.
        path: String,
        /// The unknown field.
        field: String,
    },
    /// A field given twice in one object (proto3 JSON: each field once; a
    /// field's JSON name and its proto name, `creditCode` and `credit_code`,
    /// are one field). Which value was meant cannot be told, so neither is
    /// taken.
    #[error(
        "field `{}` is given twice; give each field once (`creditCode` and `credit_code`, a field's two names, count as one field)",
        shown(path)
    )]
    DuplicateField {
        /// The field's path.
        path: String,
    },
    /// A field of the wrong JSON type.
    #[error("{}", invalid_type_en(path, message))]
    InvalidType {
        /// The field.
        path: String,
        /// What the parser said.
        message: String,
    },
    /// A required field is missing or empty.
    #[error("field `{path}` is required")]
    MissingField {
        /// The field.
        path: String,
    },
    /// A text field is longer than allowed.
    #[error("field `{path}` is longer than {limit} {}", if *bytes { "bytes (UTF-8)" } else { "characters" })]
    FieldTooLong {
        /// The field.
        path: String,
        /// The limit.
        limit: usize,
        /// Whether the limit counts bytes of UTF-8 (a what-if ruleset
        /// document) rather than characters.
        bytes: bool,
    },
    /// Wrong length or a character outside the GB 32100 alphabet.
    #[error(
        "`{}` is not a unified social credit code (18 characters: digits and capital letters except I, O, S, V, Z){}",
        shown(value),
        meant_en(meant.map(|c| c.to_string()).as_deref())
    )]
    InvalidCreditCode {
        /// The field.
        path: String,
        /// The value given.
        value: String,
        /// The code it probably was ([`CreditCode::suggest`]).
        meant: Option<crate::ident::CreditCode>,
    },
    /// A seat that is neither a known code nor a six-digit division code.
    #[error(
        "seat `{}` is not a six-digit division code or a known fiscal-unit code{}",
        shown(value),
        hint.as_ref().map(SeatHint::en).unwrap_or_default()
    )]
    InvalidSeat {
        /// The field.
        path: String,
        /// The value given.
        value: String,
        /// The code of the place the value names, when it is a place name.
        hint: Option<SeatHint>,
    },
    /// Not an ISO date.
    #[error("{}", date_en(path, value, *hint))]
    InvalidDate {
        /// The field.
        path: String,
        /// The value given.
        value: String,
        /// What is wrong with it, or how to write it.
        hint: DateHint,
    },
    /// A malformed or negative amount.
    #[error(
        "`{}` at `{path}` is not an amount: {}{}",
        shown(value),
        problem.en(),
        write_as.map(|m| format!("; write `{}`", m.to_canonical())).unwrap_or_default()
    )]
    InvalidAmount {
        /// The field.
        path: String,
        /// The value given.
        value: String,
        /// What is wrong.
        problem: MoneyProblem,
        /// The amount a form would read from the value (`10万`, `100,000`),
        /// to be written as plain yuan instead.
        write_as: Option<crate::money::Money>,
    },
    /// Sums beyond the representable range.
    #[error("the amounts at `{path}` add up beyond the supported range")]
    AmountOutOfRange {
        /// The field.
        path: String,
    },
    /// An enum value the contract does not define.
    #[error(
        "`{}` at `{path}` is not one of {expected}{}",
        shown(value),
        meant_en(meant.as_deref())
    )]
    InvalidEnumValue {
        /// The field.
        path: String,
        /// The value given.
        value: String,
        /// The accepted values.
        expected: String,
        /// The value name it probably was (in other case, without its
        /// prefix, or its number as text: D37).
        meant: Option<String>,
    },
    /// An item id that no ruleset defines.
    #[error(
        "item `{}` at `{path}` is not in the catalogue{}",
        shown(value),
        meant_en(meant.as_deref())
    )]
    UnknownItem {
        /// The field.
        path: String,
        /// The value given.
        value: String,
        /// The item id it probably was (its name, or the id in other case).
        meant: Option<String>,
    },
    /// A variant id the item does not define.
    #[error(
        "variant `{}` at `{path}` is not a variant of item `{}`{}",
        shown(value),
        shown(item),
        meant_en(meant.as_deref())
    )]
    UnknownVariant {
        /// The field.
        path: String,
        /// The item.
        item: String,
        /// The value given.
        value: String,
        /// The variant id it probably was.
        meant: Option<String>,
    },
    /// A standard number that cannot be read.
    #[error("{}{}", fault.en(path, value), meant_en(meant.as_deref()))]
    InvalidStandardNumber {
        /// The field.
        path: String,
        /// The value given.
        value: String,
        /// What is wrong with it.
        fault: StandardNumberFault,
        /// The standard number it probably meant (`一` typed for a dash, a
        /// title after the number: `docs/DECISIONS.md` D31), for the message
        /// only.
        meant: Option<String>,
    },
    /// A subject with no canonical form: nothing left after
    /// canonicalisation (invisible characters or punctuation only), or
    /// look-alike letters where Latin ones belong.
    #[error("{}", fault.en(path, value))]
    InvalidSubject {
        /// The field.
        path: String,
        /// The value given.
        value: String,
        /// What is wrong with it.
        fault: SubjectFault,
    },
    /// Two achievements with the same id.
    #[error("achievement id `{}` at `{path}` is used twice", shown(value))]
    DuplicateAchievementId {
        /// The field.
        path: String,
        /// The value given.
        value: String,
    },
    /// Too many achievements or funding entries.
    #[error("`{path}` has more than {limit} entries")]
    TooManyEntries {
        /// The field.
        path: String,
        /// The limit.
        limit: usize,
    },
    /// A ruleset document (or a rule book) that does not validate.
    #[error("invalid ruleset: {}", shown(&problem.to_string()))]
    InvalidRuleset {
        /// What is wrong.
        problem: crate::ruleset::RulesetProblem,
    },
}

/// ` at `path`` for a nested field, nothing at the top level.
fn at(path: &str) -> String {
    if path.is_empty() {
        String::new()
    } else {
        format!(" at `{}`", shown(path))
    }
}

/// ` (line 3, column 7)`, or nothing when the position is unknown.
fn at_position(line: usize, column: usize) -> String {
    if line == 0 {
        String::new()
    } else {
        format!(" (line {line}, column {column})")
    }
}

/// A JSON value of the wrong type, as serde describes it (its literal kept).
#[derive(Clone, Copy)]
enum Given<'a> {
    Array,
    Object,
    Null,
    Number(&'a str),
    Boolean(&'a str),
    /// With its quotes.
    String(&'a str),
    /// Anything serde may describe otherwise, as it does.
    Other(&'a str),
}

/// serde's `invalid type: <given>, expected <wanted>`, read back into its two
/// parts so that both languages can say it plainly. The wanted texts are the
/// `expecting` of serde's own visitors and of `json::dto` / `json::object`.
#[derive(Clone, Copy)]
struct Mismatch<'a> {
    given: &'a str,
    expected: &'a str,
}

impl<'a> Mismatch<'a> {
    fn read(message: &'a str) -> Option<Self> {
        let rest = message.strip_prefix("invalid type: ")?;
        // The wanted text never contains the separator; a given string may.
        let (given, expected) = rest.rsplit_once(", expected ")?;
        Some(Mismatch { given, expected })
    }

    /// An amount given as a JSON number (`15` for `integer `15``) that is a
    /// good amount once written as the string the contract wants: that
    /// string, canonical (`15.00`). Amounts only — the money fields of the
    /// request, whose path ends in `amount`; a number in another text field
    /// is refused without an offer.
    fn amount_in_quotes(self, path: &str) -> Option<String> {
        if self.expected != "a string" || !path.ends_with("amount") {
            return None;
        }
        let Given::Number(literal) = self.given() else {
            return None;
        };
        crate::money::Money::parse_yuan(literal)
            .ok()
            .map(crate::money::Money::to_canonical)
    }

    /// What was given, in JSON's terms.
    fn given(self) -> Given<'a> {
        let g = self.given;
        let literal = |prefix: &str| g.strip_prefix(prefix).map(|t| t.trim_end_matches('`'));
        match g {
            "sequence" => Given::Array,
            "map" => Given::Object,
            "unit value" | "null" => Given::Null,
            _ => {
                if let Some(n) = literal("integer `").or_else(|| literal("floating point `")) {
                    Given::Number(n)
                } else if let Some(b) = literal("boolean `") {
                    Given::Boolean(b)
                } else if let Some(t) = g.strip_prefix("string ") {
                    Given::String(t)
                } else {
                    Given::Other(g)
                }
            }
        }
    }

    fn given_en(self) -> String {
        match self.given() {
            Given::Array => "an array".into(),
            Given::Object => "an object".into(),
            Given::Null => "null".into(),
            Given::Number(n) => format!("the number {n}"),
            Given::Boolean(b) | Given::Other(b) => b.into(),
            Given::String(t) => format!("the string {t}"),
        }
    }

    fn given_zh(self) -> String {
        match self.given() {
            Given::Array => "数组".into(),
            Given::Object => "对象".into(),
            Given::Null => "null".into(),
            Given::Number(n) => format!("数字{n}"),
            Given::Boolean(b) => format!("布尔值{b}"),
            Given::String(t) => format!("字符串{t}"),
            Given::Other(g) => g.into(),
        }
    }

    fn expected_en(self) -> &'a str {
        match self.expected {
            "a sequence" => "an array",
            "a boolean" => "true or false",
            "an enum value name or number" => "an enum value's name (a string) or number",
            other => other,
        }
    }

    fn expected_zh(self) -> &'a str {
        match self.expected {
            "a sequence" => "数组",
            "a JSON object" => "JSON对象",
            "a string" => "字符串",
            "a boolean" => "布尔值(true或false)",
            "an enum value name or number" => "枚举值的名称(字符串)或编号(整数)",
            other => other,
        }
    }
}

/// `field `path` must be …, not …` when `message` is serde's `invalid
/// type`; at the top (no path), `whole` (`the request`) must be it.
pub(crate) fn type_mismatch_en(whole: &str, path: &str, message: &str) -> Option<String> {
    let m = Mismatch::read(message)?;
    if path.is_empty() {
        return Some(format!(
            "{whole} must be {}, not {}",
            m.expected_en(),
            shown(&m.given_en())
        ));
    }
    let quote = m
        .amount_in_quotes(path)
        .map(|n| format!("; write `\"{n}\"`, in quotes"))
        .unwrap_or_default();
    Some(format!(
        "field `{}` must be {}, not {}{quote}",
        shown(path),
        m.expected_en(),
        shown(&m.given_en())
    ))
}

/// The English message of `INVALID_TYPE`.
fn invalid_type_en(path: &str, message: &str) -> String {
    type_mismatch_en("the request", path, message).unwrap_or_else(|| {
        if path.is_empty() {
            format!("the request must be a JSON object ({})", shown(message))
        } else {
            format!(
                "field `{}` has the wrong type: {}",
                shown(path),
                shown(message)
            )
        }
    })
}

/// `字段…应为…,而不是…` when `message` is serde's `invalid type`; at the
/// top (no path), `whole` (`请求`) should be it.
pub(crate) fn type_mismatch_zh(whole: &str, path: &str, message: &str) -> Option<String> {
    let m = Mismatch::read(message)?;
    if path.is_empty() {
        let expected = match m.expected_zh() {
            "JSON对象" => "一个JSON对象",
            other => other,
        };
        return Some(format!(
            "{whole}应为{expected},而不是{}",
            shown(&m.given_zh())
        ));
    }
    let quote = m
        .amount_in_quotes(path)
        .map(|n| format!(";请加引号,写成`\"{n}\"`"))
        .unwrap_or_default();
    Some(format!(
        "字段`{}`应为{},而不是{}{quote}",
        shown(path),
        m.expected_zh(),
        shown(&m.given_zh())
    ))
}

/// The Chinese message of `INVALID_TYPE`.
fn invalid_type_zh(path: &str, message: &str) -> String {
    type_mismatch_zh("请求", path, message).unwrap_or_else(|| {
        if path.is_empty() {
            "请求应为一个JSON对象".to_string()
        } else {
            format!("字段`{}`的类型不正确", shown(path))
        }
    })
}

/// The English message of `INVALID_DATE`.
fn date_en(path: &str, value: &str, hint: DateHint) -> String {
    let v = shown(value);
    match hint {
        DateHint::Unknown => format!("`{v}` at `{path}` is not a date in the form YYYY-MM-DD"),
        DateHint::NoSuchDay => format!("`{v}` at `{path}` is not a day of the calendar"),
        DateHint::TooEarly => {
            format!("`{v}` at `{path}` is before 1900-01-01, the earliest date accepted")
        }
        DateHint::WriteAs(d) => {
            format!("`{v}` at `{path}` is not a date in the form YYYY-MM-DD; write `{d}`")
        }
    }
}

/// The subject with its CJK radicals written as the ideographs they are
/// drawn as, when `c` (the refused character) is one and that leaves a
/// subject ([`crate::canon::radicals_as_ideographs`]).
fn radicals_offered(c: char, value: &str) -> Option<String> {
    crate::canon::radical_ideograph(c)?;
    crate::canon::radicals_as_ideographs(value)
}

/// `; did you mean `X`?` when there is an `X`.
fn meant_en(meant: Option<&str>) -> String {
    meant
        .map(|m| format!("; did you mean `{m}`?"))
        .unwrap_or_default()
}

/// `;是否应为X?` when there is an `X`.
fn meant_zh(meant: Option<&str>) -> String {
    meant.map(|m| format!(";是否应为{m}?")).unwrap_or_default()
}

/// The code of a place a seat was given by name (`鼓楼区` → `350102`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeatHint {
    /// The code to write.
    pub code: String,
    /// The place's Chinese name.
    pub name_zh: String,
    /// The place's English name.
    pub name_en: String,
}

impl SeatHint {
    fn zh(&self) -> String {
        format!(";{}请填写代码{}", self.name_zh, self.code)
    }
    fn en(&self) -> String {
        format!("; for {} write `{}`", self.name_en, self.code)
    }
}

/// A character as a message names it: `U+FFF9`, and the character itself
/// in backquotes when it draws something a reader recognises — a CJK radical
/// (`U+2EE5 `⻥``), a symbol or an emoji — never a format, unassigned or
/// private-use one.
fn named_char(c: char) -> String {
    let code = format!("U+{:04X}", u32::from(c));
    if matches!(c, '\u{2190}'..='\u{2BFF}' | '\u{2E80}'..='\u{2FDF}' | '\u{1F300}'..='\u{1FAFF}')
        && !crate::canon::is_unseen(c)
    {
        format!("{code} `{c}`")
    } else {
        code
    }
}

/// User text as a message shows it: control characters, bidi controls and
/// other invisible format characters are written as `\u{…}` escapes, so
/// that input can never drive a terminal or reorder a message.
pub fn shown(s: &str) -> std::borrow::Cow<'_, str> {
    let hidden = |c: char| {
        c.is_control()
            || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{FEFF}' | '\u{00AD}')
            || crate::canon::is_unseen(c)
    };
    if !s.chars().any(hidden) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len().saturating_add(16));
    for c in s.chars() {
        if hidden(c) {
            out.push_str(&format!("\\u{{{:04x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Why a subject other than a standard number is refused (`INVALID_SUBJECT`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubjectFault {
    /// Nothing is left once invisible characters and punctuation are removed.
    Empty,
    /// A character that shows as a blank, has no agreed meaning, or is not a
    /// letter, number or common punctuation (the Braille blank U+2800, format
    /// characters such as U+FFF9, unassigned code points, private use, CJK
    /// radicals such as `⻥` for `鱼`, emoji): the character.
    HiddenCharacters(char),
    /// A committee code with characters that only pass for Latin letters or
    /// ASCII digits (`SAC/ТС 28`, `SAC/TC ٨٨`).
    CommitteeLookAlikes,
    /// ASCII text that is no committee code (`SAC/TC 88/`, `SAC-TC 28`).
    NotACommitteeCode,
    /// A committee code without its organisation (`TC 28`: `SAC/TC 28` or
    /// `ISO/TC 28`?) or without its number in digits (`SAC/TC 八四五`).
    CommitteeIncomplete,
    /// Two different committee codes in one subject: which committee?
    TwoCommitteeCodes,
    /// Latin letters or digits mixed with look-alikes of other scripts
    /// (`FZBZ-2020-01` typed with a Cyrillic `В`), or a combining mark left
    /// standing.
    MixedLookAlikes,
}

impl SubjectFault {
    fn en(self, path: &str, value: &str) -> String {
        let value = shown(value);
        match self {
            SubjectFault::Empty => format!(
                "`{value}` at `{path}` names no subject: it has no letter or digit, only invisible characters, punctuation or symbols"
            ),
            SubjectFault::HiddenCharacters(c) => format!(
                "`{value}` at `{path}` contains {}: a subject holds letters, digits and common punctuation only, not characters that show as a blank or cannot be told apart (format, unassigned and private-use characters, the Braille blank, CJK radicals such as `⻥` for `鱼`, mathematical and other uncommon symbols); type it without that character{}",
                named_char(c),
                meant_en(radicals_offered(c, &value).as_deref())
            ),
            SubjectFault::CommitteeLookAlikes => format!(
                "`{value}` at `{path}` is not a committee code such as `SAC/TC 28`: it contains characters that only look like Latin letters or digits (Cyrillic, Greek, other scripts' digits, combining marks, …); type the code with Latin letters and ASCII digits"
            ),
            SubjectFault::NotACommitteeCode => format!(
                "`{value}` at `{path}` is not a committee code such as `SAC/TC 28` or `ISO/TC 45/SC 3`; give the code, or the committee's Chinese name"
            ),
            SubjectFault::CommitteeIncomplete => format!(
                "`{value}` at `{path}` is an incomplete committee code: give the organisation and the number in digits, such as `SAC/TC 28` or `ISO/TC 45/SC 3`"
            ),
            SubjectFault::TwoCommitteeCodes => format!(
                "`{value}` at `{path}` names two committee codes; give the one committee whose secretariat or working group this achievement is, one achievement per committee"
            ),
            SubjectFault::MixedLookAlikes => format!(
                "`{value}` at `{path}` mixes Latin letters or digits with characters that only look like them (Cyrillic, Greek, other scripts' digits, combining marks, …); type it with Latin letters and ASCII digits"
            ),
        }
    }

    fn zh(self, path: &str, value: &str) -> String {
        let value = shown(value);
        match self {
            SubjectFault::Empty => {
                format!(
                    "`{path}`的`{value}`没有文字或数字,只有不可见字符、标点或符号,不是有效的成果名称或编号"
                )
            }
            SubjectFault::HiddenCharacters(c) => format!(
                "`{path}`的`{value}`含有{}:项目名称或编号只能含文字、数字和常用标点,不能含显示为空白或难以分辨的字符(格式字符、未分配的码位、私用区字符、盲文空白、形似汉字的部首如`⻥`(应为`鱼`)、数学符号等不常用符号);请删除该字符后重新填写{}",
                named_char(c),
                meant_zh(radicals_offered(c, &value).as_deref())
            ),
            SubjectFault::CommitteeLookAlikes => format!(
                "`{path}`的`{value}`不是技术委员会代号(例如`SAC/TC 28`):其中含有形似拉丁字母或数字的字符(西里尔字母、希腊字母、其他文字的数字、组合符号等),请用拉丁字母和半角数字填写"
            ),
            SubjectFault::NotACommitteeCode => format!(
                "`{path}`的`{value}`不是技术委员会代号(例如`SAC/TC 28`、`ISO/TC 45/SC 3`);请填写代号,或填写委员会的中文名称"
            ),
            SubjectFault::CommitteeIncomplete => format!(
                "`{path}`的`{value}`技术委员会代号不完整:请写明组织和阿拉伯数字编号,例如`SAC/TC 28`、`ISO/TC 45/SC 3`"
            ),
            SubjectFault::TwoCommitteeCodes => format!(
                "`{path}`的`{value}`含有两个技术委员会代号;请只填写本项成果所对应的一个委员会,每个委员会单独申报"
            ),
            SubjectFault::MixedLookAlikes => format!(
                "`{path}`的`{value}`中拉丁字母或数字与形似它们的字符(西里尔字母、希腊字母、其他文字的数字、组合符号等)混在一起,请用拉丁字母和半角数字填写"
            ),
        }
    }
}

/// Why a standard number is refused (`INVALID_STANDARD_NUMBER`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StandardNumberFault {
    /// It does not read as `<code> <number>[<parts>][-<year>]`.
    Unreadable,
    /// It holds letters outside its scheme: Cyrillic or Greek look-alikes
    /// of Latin letters (RULES.md §5).
    LookAlikes,
    /// Its year has two digits on an achievement dated from 2000 on
    /// (docs/DECISIONS.md C9).
    TwoDigitYear,
    /// Its year is typed twice, or in a part's place (docs/DECISIONS.md C15).
    YearMisplaced,
    /// Its local code is a division code padded with zeros: `DB3500` or
    /// `DB350000` for `DB35`, `DB350100` for `DB3501` (docs/DECISIONS.md C7).
    PaddedDivisionCode,
}

impl StandardNumberFault {
    fn en(self, path: &str, value: &str) -> String {
        let raw = value;
        let value = shown(raw);
        match self {
            StandardNumberFault::Unreadable => {
                format!("`{value}` at `{path}` is not a standard number such as `GB/T 12345-2020`")
            }
            StandardNumberFault::LookAlikes => format!(
                "`{value}` at `{path}` is not a standard number such as `GB/T 12345-2020`: it contains letters that only look like Latin letters (Cyrillic, Greek, …); type the number with Latin letters"
            ),
            StandardNumberFault::TwoDigitYear => format!(
                "`{value}` at `{path}` has a two-digit year: standard numbers carry four-digit years since 2000; write the year in full, as in `GB/T 12345-2020`"
            ),
            StandardNumberFault::YearMisplaced => format!(
                "`{value}` at `{path}` has its year typed twice or in a part's place: write the year once, last, after `-`, as in `GB/T 12345-2020` (parts follow a `.`: `GB/T 1.1-2020`)"
            ),
            StandardNumberFault::PaddedDivisionCode => {
                let (has, write) = match crate::canon::padded_local_code(raw) {
                    Some((typed, code)) => (
                        format!("the code `{typed}`, a division code padded with zeros"),
                        format!("write `{code}`"),
                    ),
                    None => (
                        "a division code padded with zeros in its code".to_owned(),
                        "write the code without the zeros".to_owned(),
                    ),
                };
                format!(
                    "`{value}` at `{path}` has {has}: a local standard's code is `DB` and the first two digits of a province's division code or the first four of a city's (`DB35`, `DB3501`), so {write}"
                )
            }
        }
    }

    fn zh(self, path: &str, value: &str) -> String {
        let raw = value;
        let value = shown(raw);
        match self {
            StandardNumberFault::Unreadable => {
                format!("`{path}`的`{value}`不是标准编号(例如`GB/T 12345-2020`)")
            }
            StandardNumberFault::LookAlikes => format!(
                "`{path}`的`{value}`不是标准编号(例如`GB/T 12345-2020`):其中含有形似拉丁字母的西里尔字母或希腊字母等,请用拉丁字母填写"
            ),
            StandardNumberFault::TwoDigitYear => format!(
                "`{path}`的`{value}`的年代号只有两位:2000年起标准编号均用四位年代号,请写全(例如`GB/T 12345-2020`)"
            ),
            StandardNumberFault::YearMisplaced => format!(
                "`{path}`的`{value}`的年代号写了两次或写在了分部分的位置:年代号只写一次,写在最后的`-`之后(例如`GB/T 12345-2020`;分部分用`.`,例如`GB/T 1.1-2020`)"
            ),
            StandardNumberFault::PaddedDivisionCode => {
                let (has, write) = match crate::canon::padded_local_code(raw) {
                    Some((typed, code)) => (format!("代号`{typed}`"), format!("应写为`{code}`")),
                    None => ("代号".to_owned(), "应去掉补位的0".to_owned()),
                };
                format!(
                    "`{path}`的`{value}`的{has}是用0补位的行政区划代码:地方标准代号为`DB`加省级行政区划代码的前两位或设区的市行政区划代码的前四位(例如`DB35`、`DB3501`),{write}"
                )
            }
        }
    }
}

impl Error {
    /// `INVALID_STANDARD_NUMBER` for `value` at `path`, with the number it
    /// probably meant (D31) worked out here, once the value is refused.
    pub(crate) fn invalid_standard_number(
        path: String,
        value: &str,
        fault: StandardNumberFault,
    ) -> Self {
        Error::InvalidStandardNumber {
            path,
            value: value.into(),
            fault,
            meant: crate::canon::standard_number_meant(value),
        }
    }

    /// `INVALID_ENUM_VALUE` for the text (or undefined number) `value` of an
    /// enum `E` at `path`, offering the value name it probably stands for.
    pub fn invalid_enum_value<E: crate::json::dto::ProtoEnum>(
        path: String,
        value: String,
        expected: String,
    ) -> Self {
        let meant = crate::json::dto::enum_meant::<E>(&value).map(str::to_owned);
        Error::InvalidEnumValue {
            path,
            value,
            expected,
            meant,
        }
    }

    /// The value the refused input was probably meant to be, written as the
    /// field takes it (docs/DECISIONS.md D26–D32): the seat code of a place
    /// given by name, the date or amount written the way the field reads it,
    /// the credit code with `O` read as `0`, the item or variant id a name
    /// stands for, the standard number with its dash restored, an amount
    /// given as a JSON number (`15`) written as a string (`"15.00"`). It is the
    /// value the message already offers ("是否应为…?", "请写成…"), as data,
    /// so that a form can offer it as a correction. Never a reading: the
    /// input stays refused.
    pub fn meant(&self) -> Option<String> {
        match self {
            Error::InvalidCreditCode { meant, .. } => meant.map(|c| c.to_string()),
            Error::InvalidSeat { hint, .. } => hint.as_ref().map(|h| h.code.clone()),
            Error::InvalidDate {
                hint: DateHint::WriteAs(d),
                ..
            } => Some(d.to_string()),
            Error::InvalidAmount { write_as, .. } => write_as.map(|m| m.to_canonical()),
            Error::InvalidType { path, message } => {
                Mismatch::read(message).and_then(|m| m.amount_in_quotes(path))
            }
            Error::UnknownItem { meant, .. }
            | Error::UnknownVariant { meant, .. }
            | Error::InvalidEnumValue { meant, .. }
            | Error::InvalidStandardNumber { meant, .. } => meant.clone(),
            Error::InvalidSubject {
                value,
                fault: SubjectFault::HiddenCharacters(c),
                ..
            } => radicals_offered(*c, value),
            Error::InvalidDate { .. }
            | Error::InvalidJson { .. }
            | Error::UnpairedSurrogate { .. }
            | Error::TrailingData { .. }
            | Error::UnknownField { .. }
            | Error::DuplicateField { .. }
            | Error::MissingField { .. }
            | Error::FieldTooLong { .. }
            | Error::AmountOutOfRange { .. }
            | Error::InvalidSubject { .. }
            | Error::DuplicateAchievementId { .. }
            | Error::TooManyEntries { .. }
            | Error::InvalidRuleset { .. } => None,
        }
    }

    /// The stable, documented code.
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidJson { .. } | Error::UnpairedSurrogate { .. } => "INVALID_JSON",
            Error::TrailingData { .. } => "TRAILING_DATA",
            Error::UnknownField { .. } => "UNKNOWN_FIELD",
            Error::DuplicateField { .. } => "DUPLICATE_FIELD",
            Error::InvalidType { .. } => "INVALID_TYPE",
            Error::MissingField { .. } => "MISSING_FIELD",
            Error::FieldTooLong { .. } => "FIELD_TOO_LONG",
            Error::InvalidCreditCode { .. } => "INVALID_CREDIT_CODE",
            Error::InvalidSeat { .. } => "INVALID_SEAT",
            Error::InvalidDate { .. } => "INVALID_DATE",
            Error::InvalidAmount { .. } => "INVALID_AMOUNT",
            Error::AmountOutOfRange { .. } => "AMOUNT_OUT_OF_RANGE",
            Error::InvalidEnumValue { .. } => "INVALID_ENUM_VALUE",
            Error::UnknownItem { .. } => "UNKNOWN_ITEM",
            Error::UnknownVariant { .. } => "UNKNOWN_VARIANT",
            Error::InvalidStandardNumber { .. } => "INVALID_STANDARD_NUMBER",
            Error::InvalidSubject { .. } => "INVALID_SUBJECT",
            Error::DuplicateAchievementId { .. } => "DUPLICATE_ACHIEVEMENT_ID",
            Error::TooManyEntries { .. } => "TOO_MANY_ENTRIES",
            Error::InvalidRuleset { .. } => "INVALID_RULESET",
        }
    }

    /// The same error about a field of a message that holds the request at
    /// `prefix` (`application.` for a claim's application): its path, and
    /// the messages that name it, read from the enclosing message.
    pub fn within(mut self, prefix: &str) -> Error {
        let path = match &mut self {
            Error::InvalidRuleset { .. } | Error::TrailingData { .. } => return self,
            Error::InvalidJson { path, .. }
            | Error::UnpairedSurrogate { path, .. }
            | Error::UnknownField { path, .. }
            | Error::DuplicateField { path }
            | Error::InvalidType { path, .. }
            | Error::MissingField { path }
            | Error::FieldTooLong { path, .. }
            | Error::InvalidCreditCode { path, .. }
            | Error::InvalidSeat { path, .. }
            | Error::InvalidDate { path, .. }
            | Error::InvalidAmount { path, .. }
            | Error::AmountOutOfRange { path }
            | Error::InvalidEnumValue { path, .. }
            | Error::UnknownItem { path, .. }
            | Error::UnknownVariant { path, .. }
            | Error::InvalidStandardNumber { path, .. }
            | Error::InvalidSubject { path, .. }
            | Error::DuplicateAchievementId { path, .. }
            | Error::TooManyEntries { path, .. } => path,
        };
        path.insert_str(0, prefix);
        self
    }

    /// The field path the error concerns (empty for the whole input).
    pub fn field(&self) -> &str {
        match self {
            Error::InvalidRuleset { .. } => "whatIfRuleset",
            Error::TrailingData { .. } => "",
            Error::InvalidJson { path, .. }
            | Error::UnpairedSurrogate { path, .. }
            | Error::UnknownField { path, .. }
            | Error::DuplicateField { path }
            | Error::InvalidType { path, .. }
            | Error::MissingField { path }
            | Error::FieldTooLong { path, .. }
            | Error::InvalidCreditCode { path, .. }
            | Error::InvalidSeat { path, .. }
            | Error::InvalidDate { path, .. }
            | Error::InvalidAmount { path, .. }
            | Error::AmountOutOfRange { path }
            | Error::InvalidEnumValue { path, .. }
            | Error::UnknownItem { path, .. }
            | Error::UnknownVariant { path, .. }
            | Error::InvalidStandardNumber { path, .. }
            | Error::InvalidSubject { path, .. }
            | Error::DuplicateAchievementId { path, .. }
            | Error::TooManyEntries { path, .. } => path,
        }
    }

    /// The message in Chinese.
    pub fn message_zh(&self) -> String {
        match self {
            Error::InvalidJson { line, column, .. } if *line > 0 => {
                format!("输入不是有效的JSON(第{line}行第{column}列附近)")
            }
            Error::InvalidJson { .. } => "输入不是有效的JSON".to_string(),
            Error::UnpairedSurrogate { path, line, column } => {
                let field = if path.is_empty() {
                    String::from("输入")
                } else {
                    format!("字段`{}`", shown(path))
                };
                let place = if *line > 0 {
                    format!("(第{line}行第{column}列附近)")
                } else {
                    String::new()
                };
                format!(
                    "{field}的文字含有不成对的UTF-16代理项(\\uD800–\\uDFFF缺了另一半),不是有效字符{place};请删除或重新输入该处文字"
                )
            }
            Error::TrailingData { line, column } => {
                format!("JSON文档之后还有其他内容(第{line}行第{column}列);一次只能提交一个申请")
            }
            Error::UnknownField { path, field } if path.is_empty() => {
                format!("请求中有未定义的字段`{}`", shown(field))
            }
            Error::UnknownField { path, field } => {
                format!("`{}`中有未定义的字段`{}`", shown(path), shown(field))
            }
            Error::DuplicateField { path } => {
                format!(
                    "字段`{}`给了两次;每个字段只能给一次(creditCode与credit_code这样的两种写法算同一字段)",
                    shown(path)
                )
            }
            Error::InvalidType { path, message } => invalid_type_zh(path, message),
            Error::MissingField { path } => format!("缺少必填字段`{path}`"),
            Error::FieldTooLong {
                path,
                limit,
                bytes: false,
            } => format!("字段`{path}`超过{limit}个字符"),
            Error::FieldTooLong {
                path,
                limit,
                bytes: true,
            } => format!("字段`{path}`超过{limit}字节(UTF-8编码)"),
            Error::InvalidCreditCode { value, meant, .. } => {
                format!(
                    "`{}`不是统一社会信用代码(应为18位,由数字和除I、O、S、V、Z外的大写英文字母组成){}",
                    shown(value),
                    meant_zh(meant.map(|c| c.to_string()).as_deref())
                )
            }
            Error::InvalidSeat { value, hint, .. } => {
                format!(
                    "所在地`{}`不是六位行政区划代码或已知的财政单位代码{}",
                    shown(value),
                    hint.as_ref().map(SeatHint::zh).unwrap_or_default()
                )
            }
            Error::InvalidDate { path, value, hint } => {
                let v = shown(value);
                match hint {
                    DateHint::Unknown => format!("`{path}`的`{v}`不是YYYY-MM-DD格式的日期"),
                    DateHint::NoSuchDay => format!("`{path}`的`{v}`不是实际存在的日期"),
                    DateHint::TooEarly => {
                        format!("`{path}`的`{v}`早于可受理的最早日期1900-01-01")
                    }
                    DateHint::WriteAs(d) => {
                        format!("`{path}`的`{v}`不是YYYY-MM-DD格式的日期;请写成{d}")
                    }
                }
            }
            Error::InvalidAmount {
                path,
                value,
                problem,
                write_as,
            } => {
                format!(
                    "`{path}`的`{}`不是有效金额({}){}",
                    shown(value),
                    problem.zh(),
                    write_as
                        .map(|m| format!(";请写成{}", m.to_canonical()))
                        .unwrap_or_default()
                )
            }
            Error::AmountOutOfRange { path } => format!("`{path}`的金额合计超出支持范围"),
            Error::InvalidEnumValue {
                path,
                value,
                expected,
                meant,
            } => {
                format!(
                    "`{path}`的`{}`不是以下取值之一:{expected}{}",
                    shown(value),
                    meant_zh(meant.as_deref())
                )
            }
            Error::UnknownItem { path, value, meant } => {
                format!(
                    "`{path}`的资助项目`{}`不在目录中{}",
                    shown(value),
                    meant_zh(meant.as_deref())
                )
            }
            Error::UnknownVariant {
                path,
                item,
                value,
                meant,
            } => {
                format!(
                    "`{path}`的`{}`不是资助项目`{}`的类别{}",
                    shown(value),
                    shown(item),
                    meant_zh(meant.as_deref())
                )
            }
            Error::InvalidStandardNumber {
                path,
                value,
                fault,
                meant,
            } => {
                format!("{}{}", fault.zh(path, value), meant_zh(meant.as_deref()))
            }
            Error::InvalidSubject { path, value, fault } => fault.zh(path, value),
            Error::DuplicateAchievementId { path, value } => {
                format!("`{path}`的成果编号`{}`重复", shown(value))
            }
            Error::TooManyEntries { path, limit } => format!("`{path}`超过{limit}项"),
            Error::InvalidRuleset { problem } => format!("规则集无效:{}", shown(&problem.zh())),
        }
    }

    /// The error as a boundary object.
    pub fn to_report(&self) -> ErrorReport {
        ErrorReport {
            code: self.code().to_string(),
            field: self.field().to_string(),
            message_zh: self.message_zh(),
            message_en: self.to_string(),
        }
    }
}

/// An error as it crosses a boundary (JSON, WASM, gRPC details).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ErrorReport {
    /// Stable code.
    pub code: String,
    /// The field path, empty for the whole input.
    pub field: String,
    /// Message, Chinese.
    pub message_zh: String,
    /// Message, English.
    pub message_en: String,
}

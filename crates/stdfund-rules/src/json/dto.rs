//! The proto3 JSON mapping of the `stdfund.v1` estimate messages, as serde
//! types: the request as it is read (borrowing the text), and the answer as
//! integrators receive it (for typed clients, TypeScript declarations and
//! tests; the canonical bytes are written by [`super::write`]).
//!
//! Reading follows the proto3 JSON mapping: a field may be named by its
//! lowerCamelCase JSON name or its original proto name (`creditCode` or
//! `credit_code`); an enum by its value name or its number; `null` means the
//! field's default. Unknown fields are refused (the field is named), a field
//! given twice is refused, and a JSON number where money is expected is
//! refused (money crosses every boundary as a decimal string).

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use crate::domain::{FundingLevel, Role};

/// Text as given: borrowed from the request when it had no escapes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Str<'a>(pub Cow<'a, str>);

impl std::ops::Deref for Str<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<'a> From<&'a str> for Str<'a> {
    fn from(s: &'a str) -> Self {
        Str(Cow::Borrowed(s))
    }
}

impl From<String> for Str<'_> {
    fn from(s: String) -> Self {
        Str(Cow::Owned(s))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Text;
        impl<'de> Visitor<'de> for Text {
            type Value = Cow<'de, str>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Cow::Borrowed(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Cow::Owned(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Cow::Owned(v))
            }
        }
        struct Nullable;
        impl<'de> Visitor<'de> for Nullable {
            type Value = Cow<'de, str>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Cow::Borrowed(""))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Cow::Borrowed(""))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_str(Text)
            }
        }
        d.deserialize_option(Nullable).map(Str)
    }
}

use super::proto3::nullable;

// Read from JSON objects only (D35).
super::object::read_from_objects!(borrowed: EstimateRequest, Applicant, Achievement, Funding);

/// The defined value a refused enum text probably stands for (D37): its
/// name in other case or with spaces or hyphens for underscores
/// (`role_lead`, `Role-Lead`), the name without its prefix (`lead`,
/// `provincial`, `summary`), or a defined number written as text (`"1"`).
/// `None` for anything else, and never the unset value.
pub fn enum_meant<E: ProtoEnum>(text: &str) -> Option<&'static str> {
    // Longer than any name: not worth folding.
    if text.len() > 64 {
        return None;
    }
    let folded = crate::ruleset::as_id(text);
    if let Ok(n) = folded.parse::<i32>() {
        return E::from_number(n).map(E::name);
    }
    let prefix = E::UNSPECIFIED
        .strip_suffix("UNSPECIFIED")
        .unwrap_or_default();
    E::from_name(&folded)
        .or_else(|| E::from_name(&format!("{prefix}{folded}")))
        .map(E::name)
}

/// A proto enum of the contract.
pub trait ProtoEnum: Copy + Sized {
    /// The value of a number, `None` for 0 (unset) or an undefined number.
    fn from_number(n: i32) -> Option<Self>;
    /// The value of a name, `None` for the `…_UNSPECIFIED` name or an unknown one.
    fn from_name(s: &str) -> Option<Self>;
    /// The `…_UNSPECIFIED` name.
    const UNSPECIFIED: &'static str;
    /// The value's name.
    fn name(self) -> &'static str;
    /// The value's number.
    fn number(self) -> i32;
}

impl ProtoEnum for Role {
    fn from_number(n: i32) -> Option<Self> {
        Role::from_number(n).filter(|r| *r != Role::Unspecified)
    }
    fn from_name(s: &str) -> Option<Self> {
        Role::from_name(s).filter(|r| *r != Role::Unspecified)
    }
    const UNSPECIFIED: &'static str = "ROLE_UNSPECIFIED";
    fn name(self) -> &'static str {
        Role::name(self)
    }
    fn number(self) -> i32 {
        Role::number(self)
    }
}

impl ProtoEnum for FundingLevel {
    fn from_number(n: i32) -> Option<Self> {
        FundingLevel::from_number(n)
    }
    fn from_name(s: &str) -> Option<Self> {
        FundingLevel::from_name(s)
    }
    const UNSPECIFIED: &'static str = "FUNDING_LEVEL_UNSPECIFIED";
    fn name(self) -> &'static str {
        FundingLevel::name(self)
    }
    fn number(self) -> i32 {
        FundingLevel::number(self)
    }
}

/// Which answer a caller wants (`stdfund.v1.View`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum View {
    /// Everything, with the Chinese and English prose (the default).
    #[default]
    Full,
    /// Amounts, statuses, reason codes, totals and the receipt; no prose.
    Summary,
}

impl ProtoEnum for View {
    fn from_number(n: i32) -> Option<Self> {
        match n {
            1 => Some(View::Full),
            2 => Some(View::Summary),
            _ => None,
        }
    }
    fn from_name(s: &str) -> Option<Self> {
        match s {
            "VIEW_FULL" => Some(View::Full),
            "VIEW_SUMMARY" => Some(View::Summary),
            _ => None,
        }
    }
    const UNSPECIFIED: &'static str = "VIEW_UNSPECIFIED";
    fn name(self) -> &'static str {
        match self {
            View::Full => "VIEW_FULL",
            View::Summary => "VIEW_SUMMARY",
        }
    }
    fn number(self) -> i32 {
        match self {
            View::Full => 1,
            View::Summary => 2,
        }
    }
}

/// An enum field as given: a value, unset (absent, `null`, `0` or the
/// `…_UNSPECIFIED` name), or something the contract does not define.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum EnumIn<E> {
    /// Unset.
    #[default]
    Unset,
    /// A defined value.
    Set(E),
    /// An unknown name.
    UnknownName(String),
    /// An undefined number.
    UnknownNumber(i64),
}

impl<E: ProtoEnum> EnumIn<E> {
    /// The field of a proto message: its number.
    pub fn from_number(n: i32) -> EnumIn<E> {
        match E::from_number(n) {
            Some(e) => EnumIn::Set(e),
            None if n == 0 => EnumIn::Unset,
            None => EnumIn::UnknownNumber(i64::from(n)),
        }
    }
    /// The number a proto message carries (an unknown name has none: 0).
    pub fn number(&self) -> i32 {
        match self {
            EnumIn::Unset | EnumIn::UnknownName(_) => 0,
            EnumIn::Set(e) => e.number(),
            EnumIn::UnknownNumber(n) => i32::try_from(*n).unwrap_or(0),
        }
    }
    /// The text of an unknown value, as errors name it.
    pub fn unknown_text(&self) -> Option<String> {
        match self {
            EnumIn::UnknownName(s) => Some(s.clone()),
            EnumIn::UnknownNumber(n) => Some(n.to_string()),
            EnumIn::Unset | EnumIn::Set(_) => None,
        }
    }
}

impl<'de, E: ProtoEnum> Deserialize<'de> for EnumIn<E> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<E>(PhantomData<E>);
        impl<'de, E: ProtoEnum> Visitor<'de> for V<E> {
            type Value = EnumIn<E>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an enum value name or number")
            }
            fn visit_unit<Er: de::Error>(self) -> Result<Self::Value, Er> {
                Ok(EnumIn::Unset)
            }
            fn visit_none<Er: de::Error>(self) -> Result<Self::Value, Er> {
                Ok(EnumIn::Unset)
            }
            fn visit_str<Er: de::Error>(self, v: &str) -> Result<Self::Value, Er> {
                if v.is_empty() || v == E::UNSPECIFIED {
                    return Ok(EnumIn::Unset);
                }
                Ok(match E::from_name(v) {
                    Some(e) => EnumIn::Set(e),
                    None => EnumIn::UnknownName(v.to_owned()),
                })
            }
            fn visit_i64<Er: de::Error>(self, v: i64) -> Result<Self::Value, Er> {
                Ok(match i32::try_from(v) {
                    Ok(n) => EnumIn::from_number(n),
                    Err(_) => EnumIn::UnknownNumber(v),
                })
            }
            fn visit_u64<Er: de::Error>(self, v: u64) -> Result<Self::Value, Er> {
                self.visit_i64(i64::try_from(v).unwrap_or(i64::MAX))
            }
            fn visit_f64<Er: de::Error>(self, v: f64) -> Result<Self::Value, Er> {
                Err(de::Error::invalid_type(de::Unexpected::Float(v), &self))
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// `stdfund.v1.EstimateRequest` as read. (Its serde and TypeScript name is
/// `Application`, the name the npm package has always used.)
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(
    rename = "Application",
    remote = "Self",
    deny_unknown_fields,
    default,
    bound(deserialize = "'de: 'a")
)]
pub struct EstimateRequest<'a> {
    /// The applying unit.
    #[serde(deserialize_with = "nullable")]
    pub applicant: Applicant<'a>,
    /// The achievements, in input order.
    #[serde(deserialize_with = "nullable")]
    pub achievements: Vec<Achievement<'a>>,
    /// A what-if ruleset document (JSON text), empty for a normal estimate.
    #[serde(rename = "whatIfRuleset", alias = "what_if_ruleset")]
    #[cfg_attr(feature = "ts", tsify(type = "string | null"))]
    pub what_if_ruleset: Str<'a>,
    /// The answer wanted (not part of the input hash).
    #[cfg_attr(
        feature = "ts",
        tsify(type = "\"VIEW_UNSPECIFIED\" | \"VIEW_FULL\" | \"VIEW_SUMMARY\" | 0 | 1 | 2 | null")
    )]
    pub view: EnumIn<View>,
    /// The JSON text the request was read from, when it was
    /// ([`super::parse_request`]); not a field of the message.
    #[serde(skip)]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub source: JsonSource<'a>,
}

/// The JSON text a request was read from. A text of the request that lies
/// inside it was taken by serde_json from between two quotes without an
/// escape sequence (serde_json borrows only then), so it holds no `"`, no
/// `\` and no control character (serde_json refuses those raw): nothing JSON
/// escapes, and the canonical request copies it as it is. Every other text
/// (owned, or read from protobuf or a sheet) is looked at.
///
/// Requests are equal whatever their source: it says where the texts came
/// from, not what they are.
#[derive(Clone, Copy, Debug, Default)]
pub struct JsonSource<'a>(Option<&'a str>);

impl<'a> JsonSource<'a> {
    /// The JSON text `text` was parsed from.
    pub fn of(text: &'a str) -> Self {
        JsonSource(Some(text))
    }

    /// Whether `s` lies inside the source text (so it needs no escaping).
    pub fn holds(self, s: &str) -> bool {
        self.0.is_some_and(|src| {
            let start = src.as_ptr().addr();
            let at = s.as_ptr().addr();
            at >= start
                && at
                    .checked_add(s.len())
                    .zip(start.checked_add(src.len()))
                    .is_some_and(|(end, src_end)| end <= src_end)
        })
    }
}

impl PartialEq for JsonSource<'_> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// `stdfund.v1.Applicant` as read.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(
    remote = "Self",
    deny_unknown_fields,
    default,
    bound(deserialize = "'de: 'a")
)]
pub struct Applicant<'a> {
    /// 统一社会信用代码.
    #[serde(rename = "creditCode", alias = "credit_code")]
    #[cfg_attr(feature = "ts", tsify(type = "string | null"))]
    pub credit_code: Str<'a>,
    /// 单位名称.
    #[cfg_attr(feature = "ts", tsify(type = "string | null"))]
    pub name: Str<'a>,
    /// The seat's fiscal-unit code.
    #[cfg_attr(feature = "ts", tsify(type = "string | null"))]
    pub seat: Str<'a>,
}

/// `stdfund.v1.Achievement` as read.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(
    remote = "Self",
    deny_unknown_fields,
    default,
    bound(deserialize = "'de: 'a")
)]
pub struct Achievement<'a> {
    /// The caller's id.
    #[cfg_attr(feature = "ts", tsify(type = "string | null"))]
    pub id: Str<'a>,
    /// Item id.
    #[cfg_attr(feature = "ts", tsify(type = "string | null"))]
    pub item: Str<'a>,
    /// Variant id.
    #[cfg_attr(feature = "ts", tsify(type = "string | null"))]
    pub variant: Str<'a>,
    /// What was achieved.
    #[cfg_attr(feature = "ts", tsify(type = "string | null"))]
    pub subject: Str<'a>,
    /// Completion date.
    #[cfg_attr(feature = "ts", tsify(type = "string | null"))]
    pub date: Str<'a>,
    /// The applicant's role.
    #[cfg_attr(
        feature = "ts",
        tsify(
            type = "\"ROLE_UNSPECIFIED\" | \"ROLE_LEAD\" | \"ROLE_PARTICIPANT\" | 0 | 1 | 2 | null"
        )
    )]
    pub role: EnumIn<Role>,
    /// 验收通过.
    #[serde(deserialize_with = "nullable")]
    pub accepted: bool,
    /// 获得批准.
    #[serde(deserialize_with = "nullable")]
    pub approved: bool,
    /// Funding already received.
    #[serde(
        rename = "higherLevelFunding",
        alias = "higher_level_funding",
        deserialize_with = "nullable"
    )]
    pub higher_level_funding: Vec<Funding<'a>>,
}

/// `stdfund.v1.Funding` as read.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(
    remote = "Self",
    deny_unknown_fields,
    default,
    bound(deserialize = "'de: 'a")
)]
pub struct Funding<'a> {
    /// The level.
    #[cfg_attr(
        feature = "ts",
        tsify(
            type = "\"FUNDING_LEVEL_NATIONAL\" | \"FUNDING_LEVEL_PROVINCIAL\" | \"FUNDING_LEVEL_COUNTY\" | \"FUNDING_LEVEL_NON_FISCAL\" | 1 | 2 | 3 | 4"
        )
    )]
    pub level: EnumIn<FundingLevel>,
    /// Yuan, a decimal string.
    #[cfg_attr(feature = "ts", tsify(type = "string | null"))]
    pub amount: Str<'a>,
    /// Who paid.
    #[cfg_attr(feature = "ts", tsify(type = "string | null"))]
    pub source: Str<'a>,
}

// ------------------------------------------------------------------ answers

/// `stdfund.v1.EstimateResponse` as integrators receive it. Every field is
/// always present in the canonical JSON. (Its serde and TypeScript name is
/// `Assessment`, the name the npm package has always used.)
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename = "Assessment", rename_all = "camelCase", deny_unknown_fields)]
pub struct EstimateResponse {
    /// Whether this was computed under a what-if ruleset passed in the request.
    pub what_if: bool,
    /// The applicant as understood.
    pub applicant: AssessedApplicant,
    /// One line per achievement, in input order.
    pub lines: Vec<Line>,
    /// Sum of the lines' payable amounts, yuan.
    pub total: String,
    /// The municipal / district split of the total.
    pub split: Split,
    /// Warnings for the reviewer; they never change an amount.
    pub warnings: Vec<Warning>,
    /// What was used to decide, so the decision can be reproduced.
    pub receipt: Receipt,
}

/// The applicant as understood by the engine.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AssessedApplicant {
    /// The credit code, upper-cased.
    pub credit_code: String,
    /// Whether the check character matched.
    pub credit_code_check_passed: bool,
    /// The unit name as given (trimmed).
    pub name: String,
    /// The seat code as given (trimmed).
    pub seat: String,
    /// The fiscal unit the seat resolves to; empty when outside.
    pub fiscal_unit: String,
    /// Its Chinese name (empty in the summary view, which carries no prose).
    pub fiscal_unit_name_zh: String,
    /// Its English name (empty in the summary view).
    pub fiscal_unit_name_en: String,
    /// Whether the seat is inside the policy's area.
    pub inside_fuzhou: bool,
}

/// How one line was decided.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Line {
    /// The achievement's id.
    pub achievement_id: String,
    /// Item id.
    pub item: String,
    /// Variant id.
    pub variant: String,
    /// The clause that decides (`五(五)1`), empty when no policy was in force.
    pub clause: String,
    /// The canonical subject.
    pub subject: String,
    /// The one-time key within the applicant: item, variant and canonical subject.
    pub one_time_key: String,
    /// The achievement date.
    pub date: String,
    /// The ruleset applied, empty when none was in force.
    pub ruleset_id: String,
    /// Its version.
    pub ruleset_version: String,
    /// `LINE_STATUS_ELIGIBLE`, `LINE_STATUS_INELIGIBLE`, `LINE_STATUS_PENDING`, `LINE_STATUS_DISCRETIONARY`.
    pub status: String,
    /// The stable reason code.
    pub reason_code: String,
    /// The municipal amount C, yuan.
    pub municipal_amount: String,
    /// Provincial-or-higher fiscal funding counted (H), yuan.
    pub higher_level_funding_counted: String,
    /// Funding reported but not counted, yuan.
    pub other_funding_not_counted: String,
    /// What the municipal treasury pays, yuan.
    pub payable: String,
    /// The municipal treasury's share.
    pub municipal_share: String,
    /// The district's share.
    pub district_share: String,
    /// The share table used; empty when nothing is payable.
    pub share_table_id: String,
    /// Short explanation, Chinese (empty in the summary view).
    pub explanation_zh: String,
    /// Short explanation, English (empty in the summary view).
    pub explanation_en: String,
    /// The subject exactly as the applicant typed it; `subject` is its
    /// canonical form. Absent in answers the registry stored before it
    /// existed, so read as empty then; every answer written has it, so the
    /// TypeScript type (the `ts` feature, the WASM build, which reads no
    /// stored answers) has it always present.
    #[cfg_attr(not(feature = "ts"), serde(default))]
    pub subject_as_given: String,
}

/// The municipal / district split of the total.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Split {
    /// The fiscal unit that bears the district share.
    pub fiscal_unit: String,
    /// Sum of the lines' municipal shares.
    pub municipal_share: String,
    /// Sum of the lines' district shares.
    pub district_share: String,
    /// The share tables used.
    pub share_tables: Vec<ShareTableUse>,
}

/// A share table used by a split.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ShareTableUse {
    /// Table id.
    pub id: String,
    /// Table version.
    pub version: String,
    /// Whether its ratios are provisional.
    pub provisional: bool,
    /// The district ratio applied.
    pub district_ratio: String,
    /// Note (Chinese).
    pub note_zh: String,
    /// Note (English).
    pub note_en: String,
}

/// A warning for the reviewer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Warning {
    /// Stable code.
    pub code: String,
    /// The line it concerns, empty for the application.
    pub achievement_id: String,
    /// Message, Chinese.
    pub message_zh: String,
    /// Message, English.
    pub message_en: String,
}

/// The decision receipt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Receipt {
    /// The engine version.
    pub engine_version: String,
    /// The rulesets applied (or, when no line had one, the rulesets consulted).
    pub rulesets: Vec<RulesetRef>,
    /// `sha256:` of the canonical input.
    pub input_hash: String,
}

/// A ruleset reference.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RulesetRef {
    /// Id.
    pub id: String,
    /// Version.
    pub version: String,
    /// `sha256:` content hash.
    pub hash: String,
    /// First day in force.
    pub effective_from: String,
    /// Last day in force, empty when open.
    pub effective_to: String,
}

/// What the WASM module compares with the server (GetEngineInfo).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EngineInfo {
    /// Engine version.
    pub engine_version: String,
    /// The embedded rulesets.
    pub rulesets: Vec<RulesetRef>,
}

impl RulesetRef {
    /// The reference to a ruleset.
    pub fn of(r: &crate::ruleset::Ruleset) -> RulesetRef {
        RulesetRef {
            id: r.id().into(),
            version: r.version().into(),
            hash: r.hash().into(),
            effective_from: r.effective_from().to_string(),
            effective_to: r.effective_to().map(|d| d.to_string()).unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::JsonSource;

    #[test]
    fn a_source_holds_only_texts_inside_it() {
        let text = "{\"a\":\"GB/T 1-2020\"}, and more";
        let (source, rest) = text.split_at(19);
        let src = JsonSource::of(source);
        assert!(src.holds(source));
        assert!(src.holds(&source[6..17]));
        assert!(src.holds(&source[19..]));
        // Overlapping its end, after it, elsewhere, or no source at all.
        assert!(!src.holds(&text[15..22]));
        assert!(!src.holds(rest));
        assert!(!src.holds(&String::from("GB/T 1-2020")));
        assert!(!JsonSource::default().holds(&source[6..17]));
    }
}

//! The ruleset document: exactly what a ruleset JSON file states, as serde
//! types. Validation into [`super::Ruleset`] happens in the parent module.

use serde::{Deserialize, Serialize};

/// How a line's subject is normalised into its one-time key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SubjectKind {
    /// A standard number (clauses 1–2).
    StandardNumber,
    /// The awarded standard; the key adds the award year (clause 3).
    AwardedStandard,
    /// A committee code such as `SAC/TC 28` (clause 4).
    Committee,
    /// A project reference, certificate or product (clauses 5–9).
    Reference,
}

/// The role an item demands of the applicant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RoleRule {
    /// The role does not matter.
    None,
    /// The item itself says the applicant leads; an explicit participant role contradicts it.
    ImpliedLead,
    /// The applicant must state that it was the lead / first drafting unit.
    RequiredLead,
}

/// The condition an item sets before it pays.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Condition {
    /// No condition beyond the achievement itself.
    None,
    /// Passed acceptance (验收通过 / 结题验收合格).
    Accepted,
    /// Approved (获得批准).
    Approved,
    /// "一定的资助": no amount; a reviewer sets it.
    Discretionary,
}

/// One variant of an item as the document states it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(remote = "Self", rename_all = "camelCase", deny_unknown_fields)]
pub struct VariantDoc {
    /// Stable id, unique within the item (`NATIONAL`, `AAAA`, …).
    pub id: String,
    /// Chinese name.
    #[serde(alias = "name_zh")]
    pub name_zh: String,
    /// English name.
    #[serde(alias = "name_en")]
    pub name_en: String,
    /// The amount in 万元, absent when the variant is not covered or discretionary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(alias = "amount_wan")]
    pub amount_wan: Option<String>,
    /// Why the variant is not covered (Chinese), when it is not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(alias = "not_covered_zh")]
    pub not_covered_zh: Option<String>,
    /// Why the variant is not covered (English), when it is not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(alias = "not_covered_en")]
    pub not_covered_en: Option<String>,
}

/// One grant item (a clause or half of one).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(remote = "Self", rename_all = "camelCase", deny_unknown_fields)]
pub struct ItemDoc {
    /// Stable id (`STANDARD_LEAD`, …).
    pub id: String,
    /// The clause it implements, e.g. `五(五)1`.
    pub clause: String,
    /// Chinese name.
    #[serde(alias = "name_zh")]
    pub name_zh: String,
    /// English name.
    #[serde(alias = "name_en")]
    pub name_en: String,
    /// The source sentence, verbatim.
    #[serde(alias = "citation_zh")]
    pub citation_zh: String,
    /// How the subject is normalised.
    #[serde(alias = "subject_kind")]
    pub subject_kind: SubjectKind,
    /// The role the applicant must hold.
    pub role: RoleRule,
    /// The condition before payment.
    pub condition: Condition,
    /// Whether the stated level (variant) is compared with the standard number's code.
    #[serde(default)]
    #[serde(alias = "level_check")]
    #[serde(deserialize_with = "crate::json::proto3::nullable")]
    pub level_check: bool,
    /// An item whose lines, on the same subject, make this item's lines `CONFLICTS_WITH_LEAD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(alias = "conflicts_with_item")]
    pub conflicts_with_item: Option<String>,
    /// The variants, in display order.
    pub variants: Vec<VariantDoc>,
}

/// The top-up rule (补足差额).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(remote = "Self", rename_all = "camelCase", deny_unknown_fields)]
pub struct TopUpDoc {
    /// The clause.
    pub clause: String,
    /// The source sentence.
    #[serde(alias = "citation_zh")]
    pub citation_zh: String,
    /// The funding levels that count toward H (proto enum names; numbers
    /// are read as their names).
    #[serde(default, deserialize_with = "crate::json::proto3::funding_level_names")]
    #[serde(alias = "counted_levels")]
    pub counted_levels: Vec<String>,
}

/// One fiscal unit's district share.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(remote = "Self", rename_all = "camelCase", deny_unknown_fields)]
pub struct RatioDoc {
    /// The fiscal unit code.
    #[serde(alias = "fiscal_unit")]
    pub fiscal_unit: String,
    /// The district's share of each payment, 0–1.
    #[serde(alias = "district_ratio")]
    pub district_ratio: String,
    /// Whether this ratio is provisional; absent = the table's `provisional`.
    /// A ratio that was decided (市本级's 0, RULES.md §5) is `false` in a
    /// provisional table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisional: Option<bool>,
    /// A note shown with a split that uses this ratio instead of the table's
    /// note (Chinese); absent = the table's note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(alias = "note_zh")]
    pub note_zh: Option<String>,
    /// The same note in English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(alias = "note_en")]
    pub note_en: Option<String>,
}

impl RatioDoc {
    /// Whether the ratio is provisional in `table`.
    pub fn is_provisional(&self, table: &ShareTableDoc) -> bool {
        self.provisional.unwrap_or(table.provisional)
    }
}

/// The city/county share table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(remote = "Self", rename_all = "camelCase", deny_unknown_fields)]
pub struct ShareTableDoc {
    /// Table id.
    pub id: String,
    /// Table version.
    pub version: String,
    /// Whether the ratios are provisional (not yet supplied by the finance bureau).
    #[serde(default)]
    #[serde(deserialize_with = "crate::json::proto3::nullable")]
    pub provisional: bool,
    /// The source sentence.
    #[serde(alias = "citation_zh")]
    pub citation_zh: String,
    /// A note shown with every split (Chinese).
    #[serde(alias = "note_zh")]
    pub note_zh: String,
    /// A note shown with every split (English).
    #[serde(alias = "note_en")]
    pub note_en: String,
    /// One ratio per fiscal unit.
    pub ratios: Vec<RatioDoc>,
}

/// A fiscal unit (the applicant's seat).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(remote = "Self", rename_all = "camelCase", deny_unknown_fields)]
pub struct FiscalUnitDoc {
    /// Division code, or a project-defined code for units without one.
    pub code: String,
    /// Chinese name.
    #[serde(alias = "name_zh")]
    pub name_zh: String,
    /// English name.
    #[serde(alias = "name_en")]
    pub name_en: String,
    /// Former codes accepted and mapped to this unit.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(alias = "former_codes")]
    #[serde(deserialize_with = "crate::json::proto3::nullable")]
    pub former_codes: Vec<String>,
}

/// A seat that is explicitly outside the policy, with the reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(remote = "Self", rename_all = "camelCase", deny_unknown_fields)]
pub struct ExcludedSeatDoc {
    /// Division code.
    pub code: String,
    /// Chinese name.
    #[serde(alias = "name_zh")]
    pub name_zh: String,
    /// English name.
    #[serde(alias = "name_en")]
    pub name_en: String,
    /// Why it is outside (Chinese).
    #[serde(alias = "reason_zh")]
    pub reason_zh: String,
    /// Why it is outside (English).
    #[serde(alias = "reason_en")]
    pub reason_en: String,
}

/// A 2020 work target (三、工作目标).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(remote = "Self", rename_all = "camelCase", deny_unknown_fields)]
pub struct TargetDoc {
    /// Stable id.
    pub id: String,
    /// Chinese name.
    #[serde(alias = "name_zh")]
    pub name_zh: String,
    /// English name.
    #[serde(alias = "name_en")]
    pub name_en: String,
    /// The figure (a number, or its digits as a string as proto3 JSON allows).
    #[serde(deserialize_with = "crate::json::proto3::u32_or_string")]
    pub figure: u32,
    /// The counting unit (项, 个).
    #[serde(alias = "unit_zh")]
    pub unit_zh: String,
    /// How the claim registry counts toward the target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counting: Option<TargetCountingDoc>,
}

/// How much of a target the registry can see.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TargetVisibility {
    /// Everything that counts toward it is a grant item.
    Full,
    /// Only what units claimed (and were approved for) is visible.
    Partial,
    /// Nothing that counts toward it is a grant item.
    None,
}

/// An item (and optionally one variant) whose approved claims count.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(remote = "Self", rename_all = "camelCase", deny_unknown_fields)]
pub struct CountedItemDoc {
    /// The item id.
    pub item: String,
    /// The variant id; absent = every variant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
}

/// How the registry counts toward a 2020 target: distinct canonical subjects
/// of approved (or disbursed) claims of the counted items.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(remote = "Self", rename_all = "camelCase", deny_unknown_fields)]
pub struct TargetCountingDoc {
    /// How much of the target the registry sees.
    pub visibility: TargetVisibility,
    /// The items counted.
    #[serde(default)]
    #[serde(deserialize_with = "crate::json::proto3::nullable")]
    pub counted: Vec<CountedItemDoc>,
    /// What the count means (Chinese).
    #[serde(alias = "note_zh")]
    pub note_zh: String,
    /// What the count means (English).
    #[serde(alias = "note_en")]
    pub note_en: String,
    /// The combined entry (`targetGroups2020`) this target is counted in,
    /// when the registry cannot tell it apart from its siblings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

/// A combined progress entry for targets the registry cannot tell apart
/// (their figures are summed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(remote = "Self", rename_all = "camelCase", deny_unknown_fields)]
pub struct TargetGroupDoc {
    /// Stable id.
    pub id: String,
    /// The Chinese name's prefix; the member targets' names follow, joined by `、`.
    #[serde(alias = "name_prefix_zh")]
    pub name_prefix_zh: String,
    /// English name.
    #[serde(alias = "name_en")]
    pub name_en: String,
    /// The counting unit.
    #[serde(alias = "unit_zh")]
    pub unit_zh: String,
    /// How much of the combined target the registry sees.
    pub visibility: TargetVisibility,
    /// The items counted.
    #[serde(default)]
    #[serde(deserialize_with = "crate::json::proto3::nullable")]
    pub counted: Vec<CountedItemDoc>,
    /// What the count means (Chinese); `{figure}` is the summed figure.
    #[serde(alias = "note_zh")]
    pub note_zh: String,
    /// What the count means (English); `{figure}` is the summed figure.
    #[serde(alias = "note_en")]
    pub note_en: String,
}

/// The jurisdiction a ruleset governs: the city (or other government) whose
/// policy it is. Its area is the ruleset's fiscal units; its excluded seats
/// name places it explicitly does not cover.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(remote = "Self", rename_all = "camelCase", deny_unknown_fields)]
pub struct JurisdictionDoc {
    /// Stable code: the division code of the jurisdiction's seat (`350100`).
    pub code: String,
    /// Chinese name (`福州市`).
    #[serde(alias = "name_zh")]
    pub name_zh: String,
    /// English name (`Fuzhou`).
    #[serde(alias = "name_en")]
    pub name_en: String,
}

/// A ruleset document, exactly as its JSON file states it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(remote = "Self", rename_all = "camelCase", deny_unknown_fields)]
pub struct RulesetDoc {
    /// Ruleset id (`fz-2016`).
    pub id: String,
    /// Version of this id.
    pub version: String,
    /// Title (Chinese).
    #[serde(alias = "title_zh")]
    pub title_zh: String,
    /// Title (English).
    #[serde(alias = "title_en")]
    pub title_en: String,
    /// The source document.
    #[serde(alias = "source_zh")]
    pub source_zh: String,
    /// The jurisdiction the ruleset governs. A document without one belongs
    /// to the embedded default jurisdiction (Fuzhou), so documents written
    /// before jurisdictions existed keep their meaning and their hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jurisdiction: Option<JurisdictionDoc>,
    /// First day in force (achievement dates).
    #[serde(alias = "effective_from")]
    pub effective_from: String,
    /// Last day in force, or open (`null` or absent).
    #[serde(default)]
    #[cfg_attr(feature = "ts", tsify(optional, type = "string | null"))]
    #[serde(alias = "effective_to")]
    pub effective_to: Option<String>,
    /// Whether each achievement is paid once, ever.
    #[serde(default)]
    #[serde(alias = "one_time")]
    #[serde(deserialize_with = "crate::json::proto3::nullable")]
    pub one_time: bool,
    /// The grant items.
    pub items: Vec<ItemDoc>,
    /// The top-up rule.
    #[serde(alias = "top_up")]
    pub top_up: TopUpDoc,
    /// The share table.
    #[serde(alias = "share_table")]
    pub share_table: ShareTableDoc,
    /// The fiscal units.
    #[serde(alias = "fiscal_units")]
    pub fiscal_units: Vec<FiscalUnitDoc>,
    /// Seats explicitly outside.
    #[serde(default)]
    #[serde(alias = "excluded_seats")]
    #[serde(deserialize_with = "crate::json::proto3::nullable")]
    pub excluded_seats: Vec<ExcludedSeatDoc>,
    /// The work targets.
    #[serde(default)]
    #[serde(alias = "targets_2020")]
    #[serde(deserialize_with = "crate::json::proto3::nullable")]
    pub targets2020: Vec<TargetDoc>,
    /// Combined progress entries of targets the registry cannot tell apart.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(alias = "target_groups_2020")]
    #[serde(deserialize_with = "crate::json::proto3::nullable")]
    pub target_groups2020: Vec<TargetGroupDoc>,
}

// Read from JSON objects only (D35): a what-if ruleset document is input.
crate::json::object::read_from_objects!(
    owned: VariantDoc,
    ItemDoc,
    TopUpDoc,
    RatioDoc,
    ShareTableDoc,
    FiscalUnitDoc,
    ExcludedSeatDoc,
    TargetDoc,
    CountedItemDoc,
    TargetCountingDoc,
    TargetGroupDoc,
    JurisdictionDoc,
    RulesetDoc,
);

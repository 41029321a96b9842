//! The boundary objects: what an application looks like coming in and what an
//! assessment looks like going out.
//!
//! These structs are the proto3 JSON mapping of the `stdfund.v1` messages
//! (camelCase names, enum values as their proto names, money and dates as
//! strings, every field optional on input with the proto3 default). Field
//! order here is the canonical output order. Inputs are plain strings; the
//! engine validates them into typed values and reports problems with a stable
//! code and the field path.

use serde::{Deserialize, Serialize};

/// An application: one applicant and its achievements (EstimateRequest).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct Application {
    /// The applying unit.
    pub applicant: Applicant,
    /// The achievements claimed, in input order.
    pub achievements: Vec<Achievement>,
    /// An alternative ruleset document (JSON text) to compute under instead of
    /// the rulesets in force ("what-if"); empty for a normal estimate.
    pub what_if_ruleset: String,
}

/// The applying unit.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct Applicant {
    /// 统一社会信用代码, 18 characters.
    pub credit_code: String,
    /// 单位名称.
    pub name: String,
    /// The fiscal unit of the seat: a division code such as `350102`, or `350100-GXQ` for 高新区.
    pub seat: String,
}

/// One achievement (one line of the application).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct Achievement {
    /// The caller's id for the line, unique within the application.
    pub id: String,
    /// The grant item id (`STANDARD_LEAD`, …; see the catalogue).
    pub item: String,
    /// The variant id within the item (`NATIONAL`, `AAAA`, …).
    pub variant: String,
    /// What was achieved: standard number, committee code, project reference, certificate, product.
    pub subject: String,
    /// The completion date (`YYYY-MM-DD`): publication, announcement, approval or acceptance.
    pub date: String,
    /// The applicant's role (`ROLE_LEAD`, `ROLE_PARTICIPANT`), where the item asks.
    pub role: String,
    /// 验收通过 / 结题验收合格 (clauses 5–6).
    pub accepted: bool,
    /// 获得批准 (clause 8).
    pub approved: bool,
    /// Funding already received for this same achievement from other levels.
    pub higher_level_funding: Vec<Funding>,
}

/// Funding already received for an achievement.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct Funding {
    /// `FUNDING_LEVEL_NATIONAL`, `FUNDING_LEVEL_PROVINCIAL`, `FUNDING_LEVEL_COUNTY`, `FUNDING_LEVEL_NON_FISCAL`.
    pub level: String,
    /// Yuan, a decimal string with at most two decimals.
    pub amount: String,
    /// Who paid, free text.
    pub source: String,
}

/// The level of funding already received.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FundingLevel {
    /// Central government fiscal funds.
    National,
    /// Provincial fiscal funds.
    Provincial,
    /// District / county fiscal funds (do not count toward H).
    County,
    /// Non-fiscal money (do not count toward H).
    NonFiscal,
}

impl FundingLevel {
    /// Parses the proto enum name.
    pub fn parse(s: &str) -> Option<FundingLevel> {
        match s {
            "FUNDING_LEVEL_NATIONAL" => Some(FundingLevel::National),
            "FUNDING_LEVEL_PROVINCIAL" => Some(FundingLevel::Provincial),
            "FUNDING_LEVEL_COUNTY" => Some(FundingLevel::County),
            "FUNDING_LEVEL_NON_FISCAL" => Some(FundingLevel::NonFiscal),
            _ => None,
        }
    }
}

/// The applicant's role in an achievement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Not stated.
    Unspecified,
    /// 主导单位或第一起草单位.
    Lead,
    /// 参与单位.
    Participant,
}

impl Role {
    /// Parses the proto enum name (empty = unspecified).
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "" | "ROLE_UNSPECIFIED" => Some(Role::Unspecified),
            "ROLE_LEAD" => Some(Role::Lead),
            "ROLE_PARTICIPANT" => Some(Role::Participant),
            _ => None,
        }
    }
}

/// The assessment of an application (EstimateResponse).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct Assessment {
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
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct AssessedApplicant {
    /// The credit code, upper-cased.
    pub credit_code: String,
    /// Whether the check character matched.
    pub credit_code_check_passed: bool,
    /// The unit name as given.
    pub name: String,
    /// The seat code as given.
    pub seat: String,
    /// The fiscal unit the seat resolves to; empty when outside Fuzhou.
    pub fiscal_unit: String,
    /// Its Chinese name.
    pub fiscal_unit_name_zh: String,
    /// Its English name.
    pub fiscal_unit_name_en: String,
    /// Whether the seat is inside the policy's area.
    pub inside_fuzhou: bool,
}

/// How one line was decided.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct Line {
    /// The achievement's id.
    pub achievement_id: String,
    /// Item id.
    pub item: String,
    /// Variant id.
    pub variant: String,
    /// The clause that decides (`五(五)1`), empty when no policy was in force.
    pub clause: String,
    /// The normalised subject.
    pub subject: String,
    /// The one-time key within the applicant: item, variant and normalised subject.
    pub one_time_key: String,
    /// The achievement date.
    pub date: String,
    /// The ruleset applied, empty when none was in force.
    pub ruleset_id: String,
    /// Its version.
    pub ruleset_version: String,
    /// `LINE_STATUS_ELIGIBLE`, `LINE_STATUS_INELIGIBLE`, `LINE_STATUS_PENDING`, `LINE_STATUS_DISCRETIONARY`.
    pub status: String,
    /// The stable reason code (`ELIGIBLE`, `NOT_COVERED`, … see RULES.md §7).
    pub reason_code: String,
    /// The municipal amount C for the achievement, yuan.
    pub municipal_amount: String,
    /// Provincial-or-higher fiscal funding counted (H), yuan.
    pub higher_level_funding_counted: String,
    /// Funding reported but not counted (county-level or non-fiscal), yuan.
    pub other_funding_not_counted: String,
    /// What the municipal treasury pays, yuan.
    pub payable: String,
    /// The municipal treasury's share of the payable amount.
    pub municipal_share: String,
    /// The district's share of the payable amount.
    pub district_share: String,
    /// The share table used for the split; empty when nothing is payable.
    pub share_table_id: String,
    /// Short explanation, Chinese.
    pub explanation_zh: String,
    /// Short explanation, English.
    pub explanation_en: String,
}

/// The municipal / district split of the total.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
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
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
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
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct Warning {
    /// Stable code (`CREDIT_CODE_CHECK_MISMATCH`, `LEVEL_MISMATCH`, …).
    pub code: String,
    /// The line it concerns, empty for the application.
    pub achievement_id: String,
    /// Message, Chinese.
    pub message_zh: String,
    /// Message, English.
    pub message_en: String,
}

/// The decision receipt.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct Receipt {
    /// The engine (this crate's) version.
    pub engine_version: String,
    /// The rulesets applied (or, when no line had one, the rulesets consulted).
    pub rulesets: Vec<RulesetRef>,
    /// `sha256:` of the canonical input.
    pub input_hash: String,
}

/// A ruleset reference.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
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
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct EngineInfo {
    /// Engine version.
    pub engine_version: String,
    /// The embedded rulesets.
    pub rulesets: Vec<RulesetRef>,
}

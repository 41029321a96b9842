//! An owned model of the request's proto3 JSON (the wire shape of
//! `stdfund.v1.EstimateRequest`), for building requests in tests and
//! generators. The rules crate reads requests with its own borrowed types;
//! this crate only writes them.

use serde::{Deserialize, Serialize};

/// An application: one applicant and its achievements (EstimateRequest).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
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
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct Funding {
    /// `FUNDING_LEVEL_NATIONAL`, `FUNDING_LEVEL_PROVINCIAL`, `FUNDING_LEVEL_COUNTY`, `FUNDING_LEVEL_NON_FISCAL`.
    pub level: String,
    /// Yuan, a decimal string with at most two decimals.
    pub amount: String,
    /// Who paid, free text.
    pub source: String,
}

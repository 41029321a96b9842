//! The proto3 JSON of the `stdfund.v1` messages this crate writes: the
//! estimate request (`EstimateRequest`) sent to the rules engine, and the
//! draft claims (`SubmitClaimRequest`) written for the registry.
//!
//! Field names are the proto3 JSON names (lowerCamel) of
//! `proto/stdfund/v1/estimate.proto` and `registry_service.proto`; enum values
//! are their names (`ROLE_LEAD`). Fields at their default are omitted except
//! where a reader benefits from seeing them (`confirmCreditCode`, `year`).

use serde::{Deserialize, Serialize};

/// `stdfund.v1.EstimateRequest`: an applicant and its achievements.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EstimateRequest {
    /// The applying unit.
    pub applicant: Applicant,
    /// The achievements, at most 200.
    pub achievements: Vec<Achievement>,
}

/// `stdfund.v1.Applicant`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Applicant {
    /// 统一社会信用代码.
    pub credit_code: String,
    /// 单位名称.
    pub name: String,
    /// 所在地 (division code).
    pub seat: String,
}

/// `stdfund.v1.Achievement`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Achievement {
    /// Line id, unique within the application.
    pub id: String,
    /// Grant item id.
    pub item: String,
    /// Variant id.
    pub variant: String,
    /// Standard number, committee code, project reference or product.
    pub subject: String,
    /// Completion date `YYYY-MM-DD`.
    pub date: String,
    /// `ROLE_LEAD` or `ROLE_PARTICIPANT`; omitted when not stated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Passed acceptance (pilots).
    #[serde(default, skip_serializing_if = "is_false")]
    pub accepted: bool,
    /// Approved (geographical indications).
    #[serde(default, skip_serializing_if = "is_false")]
    pub approved: bool,
}

/// `stdfund.v1.SubmitClaimRequest`: one draft claim.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SubmitClaimRequest {
    /// 幂等键: `[A-Za-z0-9._:-]{1,128}`.
    pub idempotency_key: String,
    /// The application: exactly one achievement.
    pub application: EstimateRequest,
    /// Always false in a draft: a person confirms a mismatching check
    /// character, never this program.
    pub confirm_credit_code: bool,
    /// The budget year.
    pub year: i32,
}

fn is_false(b: &bool) -> bool {
    !*b
}

//! The one place this crate calls `stdfund-rules`.
//!
//! Estimates go through the text boundary `stdfund_rules::json::estimate_json`
//! (proto3 JSON of `EstimateRequest` in, of `EstimateResponse` out); the
//! registry's one-time key comes from `stdfund_rules::engine::registry_key`;
//! item and variant names come from the embedded ruleset catalogue. Nothing
//! else in the crate names a rules type, so pointing this crate at another
//! rules API means editing this file only.

use crate::proto_json::EstimateRequest;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::OnceLock;

/// The registry's one-time key `CREDIT_CODE|ITEM|SUBJECT` of a line (the
/// variant left out; a participation keys under the lead item).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RegistryKey(pub String);

impl RegistryKey {
    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The applicant as the engine understood it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EstimatedApplicant {
    /// The credit code, upper-cased.
    pub credit_code: String,
    /// Whether the check character matched.
    pub credit_code_check_passed: bool,
    /// The fiscal unit the seat resolves to; empty outside Fuzhou.
    pub fiscal_unit: String,
    /// Its Chinese name.
    pub fiscal_unit_name_zh: String,
    /// Its English name.
    pub fiscal_unit_name_en: String,
    /// Whether the seat is inside Fuzhou.
    pub inside_fuzhou: bool,
}

/// One line of an estimate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EstimatedLine {
    /// The achievement id sent.
    pub achievement_id: String,
    /// Item id.
    pub item: String,
    /// Variant id.
    pub variant: String,
    /// The deciding clause.
    pub clause: String,
    /// The normalised subject.
    pub subject: String,
    /// The achievement date.
    pub date: String,
    /// `LINE_STATUS_…`.
    pub status: String,
    /// The reason code.
    pub reason_code: String,
    /// What the municipal treasury pays, yuan.
    pub payable: Decimal,
    /// Explanation, Chinese.
    pub explanation_zh: String,
    /// Explanation, English.
    pub explanation_en: String,
    /// The registry's one-time key.
    pub registry_key: Option<RegistryKey>,
}

impl EstimatedLine {
    /// Eligible with an amount above zero: what the registry accepts as a
    /// computed claim.
    pub fn payable_now(&self) -> bool {
        self.status == STATUS_ELIGIBLE && self.payable > Decimal::ZERO
    }
}

/// The line status of a payable line.
pub const STATUS_ELIGIBLE: &str = "LINE_STATUS_ELIGIBLE";

/// An estimate.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Estimated {
    /// The applicant.
    pub applicant: EstimatedApplicant,
    /// One line per achievement, in input order.
    pub lines: Vec<EstimatedLine>,
}

/// The engine refused the request (malformed input, never ineligibility).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EstimateFailure {
    /// The engine's stable error code (`INVALID_CREDIT_CODE`, …).
    pub code: String,
    /// The field path.
    pub field: String,
    /// Message, Chinese.
    pub message_zh: String,
    /// Message, English.
    pub message_en: String,
}

/// Most achievements one estimate request may carry.
pub const MAX_ACHIEVEMENTS: usize = stdfund_rules::engine::MAX_ACHIEVEMENTS;

/// Estimates one application.
pub fn estimate(request: &EstimateRequest) -> Result<Estimated, EstimateFailure> {
    let text = serde_json::to_string(request).map_err(|e| failure("INTERNAL", e))?;
    let answer = stdfund_rules::json::estimate_json(&text).map_err(|r| EstimateFailure {
        code: r.code,
        field: r.field,
        message_zh: r.message_zh,
        message_en: r.message_en,
    })?;
    let assessment: stdfund_rules::model::Assessment =
        stdfund_rules::json::parse(&answer).map_err(|e| failure("INTERNAL", e))?;
    let book = stdfund_rules::ruleset::embedded().map_err(|e| failure("INTERNAL", e))?;
    let a = &assessment.applicant;
    let lines = assessment
        .lines
        .iter()
        .map(|l| {
            Ok(EstimatedLine {
                achievement_id: l.achievement_id.clone(),
                item: l.item.clone(),
                variant: l.variant.clone(),
                clause: l.clause.clone(),
                subject: l.subject.clone(),
                date: l.date.clone(),
                status: l.status.clone(),
                reason_code: l.reason_code.clone(),
                payable: Decimal::from_str(&l.payable).map_err(|e| failure("INTERNAL", e))?,
                explanation_zh: l.explanation_zh.clone(),
                explanation_en: l.explanation_en.clone(),
                registry_key: stdfund_rules::engine::registry_key(book, &a.credit_code, l)
                    .map(RegistryKey),
            })
        })
        .collect::<Result<Vec<_>, EstimateFailure>>()?;
    Ok(Estimated {
        applicant: EstimatedApplicant {
            credit_code: a.credit_code.clone(),
            credit_code_check_passed: a.credit_code_check_passed,
            fiscal_unit: a.fiscal_unit.clone(),
            fiscal_unit_name_zh: a.fiscal_unit_name_zh.clone(),
            fiscal_unit_name_en: a.fiscal_unit_name_en.clone(),
            inside_fuzhou: a.inside_fuzhou,
        },
        lines,
    })
}

fn failure(code: &str, e: impl std::fmt::Display) -> EstimateFailure {
    EstimateFailure {
        code: code.into(),
        field: String::new(),
        message_zh: format!("内部错误:{e}"),
        message_en: format!("internal error: {e}"),
    }
}

/// Names of items and variants, Chinese and English.
#[derive(Clone, Debug, Default)]
pub struct Names {
    items: BTreeMap<String, (String, String)>,
    variants: BTreeMap<(String, String), (String, String)>,
}

impl Names {
    /// An item's Chinese name (the id when unknown).
    pub fn item_zh<'a>(&'a self, item: &'a str) -> &'a str {
        self.items.get(item).map_or(item, |(zh, _)| zh.as_str())
    }

    /// An item's English name (the id when unknown).
    pub fn item_en<'a>(&'a self, item: &'a str) -> &'a str {
        self.items.get(item).map_or(item, |(_, en)| en.as_str())
    }

    /// A variant's Chinese name (the id when unknown).
    pub fn variant_zh<'a>(&'a self, item: &'a str, variant: &'a str) -> &'a str {
        self.variants
            .get(&(item.to_string(), variant.to_string()))
            .map_or(variant, |(zh, _)| zh.as_str())
    }

    /// A variant's English name (the id when unknown).
    pub fn variant_en<'a>(&'a self, item: &'a str, variant: &'a str) -> &'a str {
        self.variants
            .get(&(item.to_string(), variant.to_string()))
            .map_or(variant, |(_, en)| en.as_str())
    }

    /// The item ids in catalogue order of first appearance.
    pub fn item_order(&self, item: &str) -> usize {
        ITEM_ORDER
            .iter()
            .position(|i| *i == item)
            .unwrap_or(ITEM_ORDER.len())
    }
}

/// The items a match can propose, in clause order.
pub const ITEM_ORDER: &[&str] = &[
    "STANDARD_LEAD",
    "STANDARD_PARTICIPANT",
    "AWARD_CHINA",
    "AWARD_FUJIAN",
    "TC_SECRETARIAT",
    "DEMONSTRATION_PILOT",
    "GEOGRAPHICAL_INDICATION",
];

/// The names of the embedded rulesets' items and variants (the latest
/// ruleset's name wins).
pub fn names() -> &'static Names {
    static NAMES: OnceLock<Names> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names = Names::default();
        let Ok(book) = stdfund_rules::ruleset::embedded() else {
            return names;
        };
        for ruleset in book.rulesets() {
            for item in &ruleset.doc().items {
                names.items.insert(
                    item.id.clone(),
                    (item.name_zh.clone(), item.name_en.clone()),
                );
                for v in &item.variants {
                    names.variants.insert(
                        (item.id.clone(), v.id.clone()),
                        (v.name_zh.clone(), v.name_en.clone()),
                    );
                }
            }
        }
        names
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto_json::{Achievement, Applicant};

    #[test]
    fn estimates_with_registry_keys() {
        let request = EstimateRequest {
            applicant: Applicant {
                credit_code: "91350100M000100Y43".into(),
                name: "福州示例科技有限公司".into(),
                seat: "350102".into(),
            },
            achievements: vec![Achievement {
                id: "a1".into(),
                item: "STANDARD_PARTICIPANT".into(),
                variant: "NATIONAL".into(),
                subject: "gb/t 12345—2020".into(),
                date: "2020-05-01".into(),
                role: Some("ROLE_PARTICIPANT".into()),
                accepted: false,
                approved: false,
            }],
        };
        let e = estimate(&request).unwrap();
        assert_eq!(e.applicant.fiscal_unit_name_zh, "鼓楼区");
        let line = &e.lines[0];
        assert!(line.payable_now());
        assert_eq!(line.payable, Decimal::new(150_000, 0));
        assert_eq!(
            line.registry_key.as_ref().unwrap().as_str(),
            "91350100M000100Y43|STANDARD_LEAD|GB/T 12345-2020"
        );
        assert_eq!(names().item_zh("AWARD_FUJIAN"), "福建省标准贡献奖");
        assert_eq!(names().variant_zh("STANDARD_LEAD", "LOCAL"), "地方标准");
    }
}

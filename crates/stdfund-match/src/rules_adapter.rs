//! The one place this crate calls `stdfund-rules`.
//!
//! Estimates go through the typed core (`stdfund_rules::engine::assess_with`
//! on the engine's input DTO); the registry's one-time key comes from
//! `stdfund_rules::claim::RegistryKey`, on the canonical subject;
//! item and variant names come from the embedded ruleset catalogue. Nothing
//! else in the crate names a rules type, so pointing this crate at another
//! rules API means editing this file only.

use crate::proto_json::EstimateRequest;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
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
    /// A standard number without its year, which the registry refuses to
    /// claim ([`stdfund_rules::claim::edition_unnamed`]).
    pub edition_unnamed: bool,
    /// The year of the edition a standard number names, if it names one
    /// ([`stdfund_rules::claim::edition_year`]).
    pub edition_year: Option<u16>,
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

/// Estimates one application with the typed core: the request is built as
/// the engine's input DTO (no JSON text in between), evaluated under the
/// embedded rulesets, and each line's explanation, status and one-time key
/// are read from the typed assessment.
pub fn estimate(request: &EstimateRequest) -> Result<Estimated, EstimateFailure> {
    use stdfund_rules::json::dto;
    let achievements = request
        .achievements
        .iter()
        .map(|a| dto::Achievement {
            id: dto::Str::from(a.id.as_str()),
            item: dto::Str::from(a.item.as_str()),
            variant: dto::Str::from(a.variant.as_str()),
            subject: dto::Str::from(a.subject.as_str()),
            date: dto::Str::from(a.date.as_str()),
            role: match a.role.as_deref() {
                Some("ROLE_LEAD") => dto::EnumIn::from_number(1),
                Some("ROLE_PARTICIPANT") => dto::EnumIn::from_number(2),
                _ => dto::EnumIn::from_number(0),
            },
            accepted: a.accepted,
            approved: a.approved,
            ..dto::Achievement::default()
        })
        .collect();
    let input = dto::EstimateRequest {
        applicant: dto::Applicant {
            credit_code: dto::Str::from(request.applicant.credit_code.as_str()),
            name: dto::Str::from(request.applicant.name.as_str()),
            seat: dto::Str::from(request.applicant.seat.as_str()),
        },
        achievements,
        ..dto::EstimateRequest::default()
    };
    let book = stdfund_rules::ruleset::embedded().map_err(|e| failure(&e.to_report()))?;
    stdfund_rules::engine::assess_with(book, &input, false, |assessment| {
        estimated(book, assessment)
    })
    .map_err(|e| failure(&e.to_report()))
}

fn estimated(
    book: &stdfund_rules::ruleset::RuleBook,
    assessment: &stdfund_rules::domain::Assessment<'_, '_>,
) -> Estimated {
    use stdfund_rules::reasons::{Cx, Lang};
    let applicant = assessment.applicant();
    let unit = assessment.fiscal_unit();
    let lines = assessment
        .lines
        .iter()
        .map(|line| {
            let a = line.achievement;
            let cx = Cx { line, assessment };
            let mut explanation_zh = String::new();
            let mut explanation_en = String::new();
            line.reason.explain(cx, Lang::Zh, &mut explanation_zh);
            line.reason.explain(cx, Lang::En, &mut explanation_en);
            EstimatedLine {
                achievement_id: a.id.to_string(),
                item: a.item.to_string(),
                variant: a.variant.to_string(),
                clause: line.clause().unwrap_or_default().to_string(),
                subject: a.subject.text.clone(),
                date: a.date.to_string(),
                status: line.status().name().to_string(),
                reason_code: line.reason.code().as_str().to_string(),
                payable: line.amounts.payable.as_decimal(),
                explanation_zh,
                explanation_en,
                registry_key: stdfund_rules::claim::RegistryKey::of(
                    book,
                    applicant.credit_code,
                    line,
                )
                .map(|k| RegistryKey(k.to_string())),
                edition_unnamed: stdfund_rules::claim::edition_unnamed(line),
                edition_year: line.achievement.subject.standard.and_then(|_| {
                    stdfund_rules::claim::edition_year(&line.achievement.subject.text)
                }),
            }
        })
        .collect();
    Estimated {
        applicant: EstimatedApplicant {
            credit_code: applicant.credit_code.as_str().to_string(),
            credit_code_check_passed: applicant.check.passed(),
            fiscal_unit: unit.map(|u| u.code.clone()).unwrap_or_default(),
            fiscal_unit_name_zh: unit.map(|u| u.name_zh.clone()).unwrap_or_default(),
            fiscal_unit_name_en: unit.map(|u| u.name_en.clone()).unwrap_or_default(),
            inside_fuzhou: unit.is_some(),
        },
        lines,
    }
}

fn failure(report: &stdfund_rules::ErrorReport) -> EstimateFailure {
    EstimateFailure {
        code: report.code.clone(),
        field: report.field.clone(),
        message_zh: report.message_zh.clone(),
        message_en: report.message_en.clone(),
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

impl Names {
    /// The names of the items and variants of `book`'s rulesets (the latest
    /// ruleset's name wins).
    pub fn of_book(book: &stdfund_rules::ruleset::RuleBook) -> Names {
        let mut names = Names::default();
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
    }

    /// The id of the variant of `item` whose id, Chinese name or English name
    /// reads as `label` (both compared as [`crate::feed::clean_label`]
    /// writes them): how a feed names a variant that was added to a ruleset
    /// as data, before the feed's own spellings list it.
    pub fn variant_by_label(&'static self, item: &str, label: &str) -> Option<&'static str> {
        self.variants_of(item)
            .find(|(v, zh, en)| {
                [v, zh, en]
                    .into_iter()
                    .any(|t| crate::feed::clean_label(t) == label)
            })
            .map(|(v, _, _)| v)
    }

    /// The variants of `item`: id, Chinese name, English name.
    pub fn variants_of<'s, 'i>(
        &'s self,
        item: &'i str,
    ) -> impl Iterator<Item = (&'s str, &'s str, &'s str)> + use<'s, 'i> {
        self.variants
            .iter()
            .filter(move |((i, _), _)| i == item)
            .map(|((_, v), (zh, en))| (v.as_str(), zh.as_str(), en.as_str()))
    }
}

/// The names of the embedded rulesets' items and variants.
pub fn names() -> &'static Names {
    static NAMES: OnceLock<Names> = OnceLock::new();
    NAMES.get_or_init(|| {
        stdfund_rules::ruleset::embedded()
            .map(Names::of_book)
            .unwrap_or_default()
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

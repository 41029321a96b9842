//! Conversions between the generated `stdfund.v1` messages ([`crate::pb`])
//! and the boundary types of the rules crate ([`stdfund_rules::model`],
//! [`stdfund_rules::json::Catalog`], [`stdfund_rules::ErrorReport`]).
//!
//! The rules crate keeps enum values as their proto names in plain strings
//! (that is what its JSON boundary reads and writes); the proto carries them
//! as enum numbers. The mapping, per enum field:
//!
//! | rules string | proto number |
//! |---|---|
//! | `""` (absent) | `0` (`…_UNSPECIFIED`) |
//! | a value name, e.g. `ROLE_LEAD` | its number |
//! | the decimal digits of a number the enum does not define, e.g. `"7"` | that number |
//!
//! proto → rules is total: `0` becomes `""` (what the proto3 JSON mapping of
//! an absent field reads as), a known number its name, and a number the
//! contract does not define its decimal digits, which the rules engine then
//! rejects with `INVALID_ENUM_VALUE` naming that value — exactly what it says
//! to a JSON caller who sent `"7"`.
//!
//! rules → proto fails (with the error the engine itself would give:
//! `INVALID_ENUM_VALUE`, the same path, value and accepted values) for a
//! string that is neither a value name nor the digits of an undefined number:
//! a proto3 JSON parser refuses such a name at parse time too.
//!
//! Lossless: rules → proto → rules returns the same value for every input
//! that converts, except that an explicit `…_UNSPECIFIED` name comes back as
//! `""` (proto3 cannot tell an explicit zero from an absent field; both mean
//! "not stated" to the engine). proto → rules → proto returns the same
//! message, except that absent sub-messages come back present and empty.

use crate::pb;
use stdfund_rules::Error;
use stdfund_rules::json::{Catalog, CatalogRuleset};
use stdfund_rules::model::{
    Achievement, Applicant, Application, AssessedApplicant, Assessment, EngineInfo, Funding, Line,
    Receipt, RulesetRef, ShareTableUse, Split, Warning,
};
use stdfund_rules::ruleset::{
    ExcludedSeatDoc, FiscalUnitDoc, ItemDoc, RatioDoc, RulesetDoc, ShareTableDoc, TargetDoc,
    TopUpDoc, VariantDoc,
};

/// The accepted values the engine names when a role is invalid.
pub const ROLE_EXPECTED: &str = "ROLE_UNSPECIFIED, ROLE_LEAD, ROLE_PARTICIPANT";
/// The accepted values the engine names when a funding level is invalid.
pub const FUNDING_LEVEL_EXPECTED: &str = "FUNDING_LEVEL_NATIONAL, FUNDING_LEVEL_PROVINCIAL, FUNDING_LEVEL_COUNTY, FUNDING_LEVEL_NON_FISCAL";
/// The accepted values of a line status.
pub const LINE_STATUS_EXPECTED: &str =
    "LINE_STATUS_ELIGIBLE, LINE_STATUS_INELIGIBLE, LINE_STATUS_PENDING, LINE_STATUS_DISCRETIONARY";

/// A proto enum as the conversions need it.
trait ProtoEnum: Sized + Copy {
    fn from_name(s: &str) -> Option<Self>;
    fn name(self) -> &'static str;
    fn known(n: i32) -> Option<Self>;
    fn number(self) -> i32;
}

macro_rules! proto_enum {
    ($t:ty) => {
        impl ProtoEnum for $t {
            fn from_name(s: &str) -> Option<Self> {
                <$t>::from_str_name(s)
            }
            fn name(self) -> &'static str {
                self.as_str_name()
            }
            fn known(n: i32) -> Option<Self> {
                <$t>::try_from(n).ok()
            }
            fn number(self) -> i32 {
                self as i32
            }
        }
    };
}

proto_enum!(pb::Role);
proto_enum!(pb::FundingLevel);
proto_enum!(pb::LineStatus);

/// rules string → proto number (see the module table).
fn enum_to_pb<E: ProtoEnum>(
    value: &str,
    path: impl FnOnce() -> String,
    expected: &str,
) -> Result<i32, Error> {
    if value.is_empty() {
        return Ok(0);
    }
    if let Some(e) = E::from_name(value) {
        return Ok(e.number());
    }
    // The digits of a number the contract does not define (what proto → rules
    // produced for it) go back as that number.
    if let Ok(n) = value.parse::<i32>() {
        if n.to_string() == value && E::known(n).is_none() {
            return Ok(n);
        }
    }
    Err(Error::InvalidEnumValue {
        path: path(),
        value: value.to_string(),
        expected: expected.to_string(),
    })
}

/// proto number → rules string, for a singular field (0 = absent = `""`).
fn enum_from_pb<E: ProtoEnum>(n: i32) -> String {
    if n == 0 {
        return String::new();
    }
    match E::known(n) {
        Some(e) => e.name().to_string(),
        None => n.to_string(),
    }
}

/// proto number → rules string, for a repeated field (every element is a
/// value, so 0 keeps its name).
fn enum_elem_from_pb<E: ProtoEnum>(n: i32) -> String {
    match E::known(n) {
        Some(e) => e.name().to_string(),
        None => n.to_string(),
    }
}

/// rules string → proto number, for a repeated field.
fn enum_elem_to_pb<E: ProtoEnum>(
    value: &str,
    path: impl FnOnce() -> String,
    expected: &str,
) -> Result<i32, Error> {
    if value.is_empty() {
        return Err(Error::InvalidEnumValue {
            path: path(),
            value: String::new(),
            expected: expected.to_string(),
        });
    }
    enum_to_pb::<E>(value, path, expected)
}

// ---------------------------------------------------------------- requests

impl TryFrom<Application> for pb::EstimateRequest {
    type Error = Error;

    /// Fails only for an enum string the contract cannot carry, with the
    /// error the engine gives for it.
    fn try_from(app: Application) -> Result<Self, Error> {
        let mut achievements = Vec::with_capacity(app.achievements.len());
        for (i, a) in app.achievements.into_iter().enumerate() {
            achievements.push(achievement_to_pb(i, a)?);
        }
        Ok(pb::EstimateRequest {
            applicant: Some(pb::Applicant {
                credit_code: app.applicant.credit_code,
                name: app.applicant.name,
                seat: app.applicant.seat,
            }),
            achievements,
            what_if_ruleset: app.what_if_ruleset,
        })
    }
}

fn achievement_to_pb(i: usize, a: Achievement) -> Result<pb::Achievement, Error> {
    let role =
        enum_to_pb::<pb::Role>(&a.role, || format!("achievements[{i}].role"), ROLE_EXPECTED)?;
    let mut higher_level_funding = Vec::with_capacity(a.higher_level_funding.len());
    for (j, f) in a.higher_level_funding.into_iter().enumerate() {
        let level = enum_to_pb::<pb::FundingLevel>(
            &f.level,
            || format!("achievements[{i}].higherLevelFunding[{j}].level"),
            FUNDING_LEVEL_EXPECTED,
        )?;
        higher_level_funding.push(pb::Funding {
            level,
            amount: f.amount,
            source: f.source,
        });
    }
    Ok(pb::Achievement {
        id: a.id,
        item: a.item,
        variant: a.variant,
        subject: a.subject,
        date: a.date,
        role,
        accepted: a.accepted,
        approved: a.approved,
        higher_level_funding,
    })
}

impl From<pb::EstimateRequest> for Application {
    fn from(r: pb::EstimateRequest) -> Self {
        let applicant = r.applicant.unwrap_or_default();
        Application {
            applicant: Applicant {
                credit_code: applicant.credit_code,
                name: applicant.name,
                seat: applicant.seat,
            },
            achievements: r
                .achievements
                .into_iter()
                .map(|a| Achievement {
                    id: a.id,
                    item: a.item,
                    variant: a.variant,
                    subject: a.subject,
                    date: a.date,
                    role: enum_from_pb::<pb::Role>(a.role),
                    accepted: a.accepted,
                    approved: a.approved,
                    higher_level_funding: a
                        .higher_level_funding
                        .into_iter()
                        .map(|f| Funding {
                            level: enum_from_pb::<pb::FundingLevel>(f.level),
                            amount: f.amount,
                            source: f.source,
                        })
                        .collect(),
                })
                .collect(),
            what_if_ruleset: r.what_if_ruleset,
        }
    }
}

// ---------------------------------------------------------------- answers

impl TryFrom<Assessment> for pb::EstimateResponse {
    type Error = Error;

    /// Fails only for a line status the contract does not define (the engine
    /// never produces one).
    fn try_from(a: Assessment) -> Result<Self, Error> {
        let mut lines = Vec::with_capacity(a.lines.len());
        for (i, l) in a.lines.into_iter().enumerate() {
            lines.push(line_to_pb(i, l)?);
        }
        let p = a.applicant;
        Ok(pb::EstimateResponse {
            what_if: a.what_if,
            applicant: Some(pb::AssessedApplicant {
                credit_code: p.credit_code,
                credit_code_check_passed: p.credit_code_check_passed,
                name: p.name,
                seat: p.seat,
                fiscal_unit: p.fiscal_unit,
                fiscal_unit_name_zh: p.fiscal_unit_name_zh,
                fiscal_unit_name_en: p.fiscal_unit_name_en,
                inside_fuzhou: p.inside_fuzhou,
            }),
            lines,
            total: a.total,
            split: Some(pb::Split::from(a.split)),
            warnings: a
                .warnings
                .into_iter()
                .map(|w| pb::Warning {
                    code: w.code,
                    achievement_id: w.achievement_id,
                    message_zh: w.message_zh,
                    message_en: w.message_en,
                })
                .collect(),
            receipt: Some(pb::Receipt {
                engine_version: a.receipt.engine_version,
                rulesets: a
                    .receipt
                    .rulesets
                    .into_iter()
                    .map(pb::RulesetRef::from)
                    .collect(),
                input_hash: a.receipt.input_hash,
            }),
        })
    }
}

fn line_to_pb(i: usize, l: Line) -> Result<pb::Line, Error> {
    let status = enum_to_pb::<pb::LineStatus>(
        &l.status,
        || format!("lines[{i}].status"),
        LINE_STATUS_EXPECTED,
    )?;
    Ok(pb::Line {
        achievement_id: l.achievement_id,
        item: l.item,
        variant: l.variant,
        clause: l.clause,
        subject: l.subject,
        one_time_key: l.one_time_key,
        date: l.date,
        ruleset_id: l.ruleset_id,
        ruleset_version: l.ruleset_version,
        status,
        reason_code: l.reason_code,
        municipal_amount: l.municipal_amount,
        higher_level_funding_counted: l.higher_level_funding_counted,
        other_funding_not_counted: l.other_funding_not_counted,
        payable: l.payable,
        municipal_share: l.municipal_share,
        district_share: l.district_share,
        share_table_id: l.share_table_id,
        explanation_zh: l.explanation_zh,
        explanation_en: l.explanation_en,
    })
}

impl From<pb::EstimateResponse> for Assessment {
    fn from(a: pb::EstimateResponse) -> Self {
        let p = a.applicant.unwrap_or_default();
        let split = a.split.unwrap_or_default();
        let receipt = a.receipt.unwrap_or_default();
        Assessment {
            what_if: a.what_if,
            applicant: AssessedApplicant {
                credit_code: p.credit_code,
                credit_code_check_passed: p.credit_code_check_passed,
                name: p.name,
                seat: p.seat,
                fiscal_unit: p.fiscal_unit,
                fiscal_unit_name_zh: p.fiscal_unit_name_zh,
                fiscal_unit_name_en: p.fiscal_unit_name_en,
                inside_fuzhou: p.inside_fuzhou,
            },
            lines: a
                .lines
                .into_iter()
                .map(|l| Line {
                    achievement_id: l.achievement_id,
                    item: l.item,
                    variant: l.variant,
                    clause: l.clause,
                    subject: l.subject,
                    one_time_key: l.one_time_key,
                    date: l.date,
                    ruleset_id: l.ruleset_id,
                    ruleset_version: l.ruleset_version,
                    status: enum_from_pb::<pb::LineStatus>(l.status),
                    reason_code: l.reason_code,
                    municipal_amount: l.municipal_amount,
                    higher_level_funding_counted: l.higher_level_funding_counted,
                    other_funding_not_counted: l.other_funding_not_counted,
                    payable: l.payable,
                    municipal_share: l.municipal_share,
                    district_share: l.district_share,
                    share_table_id: l.share_table_id,
                    explanation_zh: l.explanation_zh,
                    explanation_en: l.explanation_en,
                })
                .collect(),
            total: a.total,
            split: Split::from(split),
            warnings: a
                .warnings
                .into_iter()
                .map(|w| Warning {
                    code: w.code,
                    achievement_id: w.achievement_id,
                    message_zh: w.message_zh,
                    message_en: w.message_en,
                })
                .collect(),
            receipt: Receipt {
                engine_version: receipt.engine_version,
                rulesets: receipt.rulesets.into_iter().map(RulesetRef::from).collect(),
                input_hash: receipt.input_hash,
            },
        }
    }
}

impl From<ShareTableUse> for pb::ShareTableUse {
    fn from(t: ShareTableUse) -> Self {
        pb::ShareTableUse {
            id: t.id,
            version: t.version,
            provisional: t.provisional,
            district_ratio: t.district_ratio,
            note_zh: t.note_zh,
            note_en: t.note_en,
        }
    }
}

impl From<pb::ShareTableUse> for ShareTableUse {
    fn from(t: pb::ShareTableUse) -> Self {
        ShareTableUse {
            id: t.id,
            version: t.version,
            provisional: t.provisional,
            district_ratio: t.district_ratio,
            note_zh: t.note_zh,
            note_en: t.note_en,
        }
    }
}

impl From<Split> for pb::Split {
    fn from(s: Split) -> Self {
        pb::Split {
            fiscal_unit: s.fiscal_unit,
            municipal_share: s.municipal_share,
            district_share: s.district_share,
            share_tables: s
                .share_tables
                .into_iter()
                .map(pb::ShareTableUse::from)
                .collect(),
        }
    }
}

impl From<pb::Split> for Split {
    fn from(s: pb::Split) -> Self {
        Split {
            fiscal_unit: s.fiscal_unit,
            municipal_share: s.municipal_share,
            district_share: s.district_share,
            share_tables: s
                .share_tables
                .into_iter()
                .map(ShareTableUse::from)
                .collect(),
        }
    }
}

impl From<RulesetRef> for pb::RulesetRef {
    fn from(r: RulesetRef) -> Self {
        pb::RulesetRef {
            id: r.id,
            version: r.version,
            hash: r.hash,
            effective_from: r.effective_from,
            effective_to: r.effective_to,
        }
    }
}

impl From<pb::RulesetRef> for RulesetRef {
    fn from(r: pb::RulesetRef) -> Self {
        RulesetRef {
            id: r.id,
            version: r.version,
            hash: r.hash,
            effective_from: r.effective_from,
            effective_to: r.effective_to,
        }
    }
}

// ---------------------------------------------------------------- errors

impl From<stdfund_rules::ErrorReport> for pb::ErrorReport {
    fn from(e: stdfund_rules::ErrorReport) -> Self {
        pb::ErrorReport {
            code: e.code,
            field: e.field,
            message_zh: e.message_zh,
            message_en: e.message_en,
        }
    }
}

impl From<pb::ErrorReport> for stdfund_rules::ErrorReport {
    fn from(e: pb::ErrorReport) -> Self {
        stdfund_rules::ErrorReport {
            code: e.code,
            field: e.field,
            message_zh: e.message_zh,
            message_en: e.message_en,
        }
    }
}

// ---------------------------------------------------------------- engine info

impl From<EngineInfo> for pb::GetEngineInfoResponse {
    fn from(i: EngineInfo) -> Self {
        pb::GetEngineInfoResponse {
            engine_version: i.engine_version,
            rulesets: i.rulesets.into_iter().map(pb::RulesetRef::from).collect(),
        }
    }
}

impl From<pb::GetEngineInfoResponse> for EngineInfo {
    fn from(i: pb::GetEngineInfoResponse) -> Self {
        EngineInfo {
            engine_version: i.engine_version,
            rulesets: i.rulesets.into_iter().map(RulesetRef::from).collect(),
        }
    }
}

// ---------------------------------------------------------------- catalogue

impl TryFrom<Catalog> for pb::GetCatalogResponse {
    type Error = Error;

    /// Fails only for a counted funding level the contract does not define
    /// (a loaded ruleset never has one).
    fn try_from(c: Catalog) -> Result<Self, Error> {
        let mut rulesets = Vec::with_capacity(c.rulesets.len());
        for (i, r) in c.rulesets.into_iter().enumerate() {
            rulesets.push(pb::CatalogRuleset {
                hash: r.hash,
                document: Some(document_to_pb(i, r.document)?),
            });
        }
        Ok(pb::GetCatalogResponse {
            engine_version: c.engine_version,
            rulesets,
        })
    }
}

fn document_to_pb(i: usize, d: RulesetDoc) -> Result<pb::RulesetDocument, Error> {
    let mut counted_levels = Vec::with_capacity(d.top_up.counted_levels.len());
    for (j, level) in d.top_up.counted_levels.iter().enumerate() {
        counted_levels.push(enum_elem_to_pb::<pb::FundingLevel>(
            level,
            || format!("rulesets[{i}].document.topUp.countedLevels[{j}]"),
            FUNDING_LEVEL_EXPECTED,
        )?);
    }
    Ok(pb::RulesetDocument {
        id: d.id,
        version: d.version,
        title_zh: d.title_zh,
        title_en: d.title_en,
        source_zh: d.source_zh,
        effective_from: d.effective_from,
        effective_to: d.effective_to,
        one_time: d.one_time,
        items: d
            .items
            .into_iter()
            .map(|it| pb::GrantItem {
                id: it.id,
                clause: it.clause,
                name_zh: it.name_zh,
                name_en: it.name_en,
                citation_zh: it.citation_zh,
                subject_kind: enum_text(&it.subject_kind),
                role: enum_text(&it.role),
                condition: enum_text(&it.condition),
                level_check: it.level_check,
                conflicts_with_item: it.conflicts_with_item,
                variants: it
                    .variants
                    .into_iter()
                    .map(|v| pb::GrantVariant {
                        id: v.id,
                        name_zh: v.name_zh,
                        name_en: v.name_en,
                        amount_wan: v.amount_wan,
                        not_covered_zh: v.not_covered_zh,
                        not_covered_en: v.not_covered_en,
                    })
                    .collect(),
            })
            .collect(),
        top_up: Some(pb::TopUpRule {
            clause: d.top_up.clause,
            citation_zh: d.top_up.citation_zh,
            counted_levels,
        }),
        share_table: Some(pb::ShareTable {
            id: d.share_table.id,
            version: d.share_table.version,
            provisional: d.share_table.provisional,
            citation_zh: d.share_table.citation_zh,
            note_zh: d.share_table.note_zh,
            note_en: d.share_table.note_en,
            ratios: d
                .share_table
                .ratios
                .into_iter()
                .map(|r| pb::ShareRatio {
                    fiscal_unit: r.fiscal_unit,
                    district_ratio: r.district_ratio,
                })
                .collect(),
        }),
        fiscal_units: d
            .fiscal_units
            .into_iter()
            .map(|u| pb::FiscalUnit {
                code: u.code,
                name_zh: u.name_zh,
                name_en: u.name_en,
                former_codes: u.former_codes,
            })
            .collect(),
        excluded_seats: d
            .excluded_seats
            .into_iter()
            .map(|s| pb::ExcludedSeat {
                code: s.code,
                name_zh: s.name_zh,
                name_en: s.name_en,
                reason_zh: s.reason_zh,
                reason_en: s.reason_en,
            })
            .collect(),
        targets_2020: d
            .targets2020
            .into_iter()
            .map(|t| pb::WorkTarget {
                id: t.id,
                name_zh: t.name_zh,
                name_en: t.name_en,
                figure: t.figure,
                unit_zh: t.unit_zh,
            })
            .collect(),
    })
}

/// The document spelling of a document enum (`STANDARD_NUMBER`, `IMPLIED_LEAD`, …).
fn enum_text<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// A document enum from its spelling; an unknown spelling cannot be a
/// document the rules crate loaded, so it is an error naming the field.
fn enum_parse<T: serde::de::DeserializeOwned>(
    s: &str,
    path: impl FnOnce() -> String,
) -> Result<T, Error> {
    serde_json::from_value(serde_json::Value::String(s.to_string())).map_err(|_| {
        Error::InvalidEnumValue {
            path: path(),
            value: s.to_string(),
            expected: String::from("a value of the ruleset document format"),
        }
    })
}

impl TryFrom<pb::GetCatalogResponse> for Catalog {
    type Error = Error;

    /// Fails only for a document enum spelling (`subjectKind`, `role`,
    /// `condition`) that the ruleset document format does not define.
    fn try_from(c: pb::GetCatalogResponse) -> Result<Self, Error> {
        let mut rulesets = Vec::with_capacity(c.rulesets.len());
        for (i, r) in c.rulesets.into_iter().enumerate() {
            rulesets.push(CatalogRuleset {
                hash: r.hash,
                document: document_from_pb(i, r.document.unwrap_or_default())?,
            });
        }
        Ok(Catalog {
            engine_version: c.engine_version,
            rulesets,
        })
    }
}

fn document_from_pb(i: usize, d: pb::RulesetDocument) -> Result<RulesetDoc, Error> {
    let mut items = Vec::with_capacity(d.items.len());
    for (j, it) in d.items.into_iter().enumerate() {
        let at = |f: &str| format!("rulesets[{i}].document.items[{j}].{f}");
        items.push(ItemDoc {
            subject_kind: enum_parse(&it.subject_kind, || at("subjectKind"))?,
            role: enum_parse(&it.role, || at("role"))?,
            condition: enum_parse(&it.condition, || at("condition"))?,
            id: it.id,
            clause: it.clause,
            name_zh: it.name_zh,
            name_en: it.name_en,
            citation_zh: it.citation_zh,
            level_check: it.level_check,
            conflicts_with_item: it.conflicts_with_item,
            variants: it
                .variants
                .into_iter()
                .map(|v| VariantDoc {
                    id: v.id,
                    name_zh: v.name_zh,
                    name_en: v.name_en,
                    amount_wan: v.amount_wan,
                    not_covered_zh: v.not_covered_zh,
                    not_covered_en: v.not_covered_en,
                })
                .collect(),
        });
    }
    let top_up = d.top_up.unwrap_or_default();
    let table = d.share_table.unwrap_or_default();
    Ok(RulesetDoc {
        id: d.id,
        version: d.version,
        title_zh: d.title_zh,
        title_en: d.title_en,
        source_zh: d.source_zh,
        effective_from: d.effective_from,
        effective_to: d.effective_to,
        one_time: d.one_time,
        items,
        top_up: TopUpDoc {
            clause: top_up.clause,
            citation_zh: top_up.citation_zh,
            counted_levels: top_up
                .counted_levels
                .into_iter()
                .map(enum_elem_from_pb::<pb::FundingLevel>)
                .collect(),
        },
        share_table: ShareTableDoc {
            id: table.id,
            version: table.version,
            provisional: table.provisional,
            citation_zh: table.citation_zh,
            note_zh: table.note_zh,
            note_en: table.note_en,
            ratios: table
                .ratios
                .into_iter()
                .map(|r| RatioDoc {
                    fiscal_unit: r.fiscal_unit,
                    district_ratio: r.district_ratio,
                })
                .collect(),
        },
        fiscal_units: d
            .fiscal_units
            .into_iter()
            .map(|u| FiscalUnitDoc {
                code: u.code,
                name_zh: u.name_zh,
                name_en: u.name_en,
                former_codes: u.former_codes,
            })
            .collect(),
        excluded_seats: d
            .excluded_seats
            .into_iter()
            .map(|s| ExcludedSeatDoc {
                code: s.code,
                name_zh: s.name_zh,
                name_en: s.name_en,
                reason_zh: s.reason_zh,
                reason_en: s.reason_en,
            })
            .collect(),
        targets2020: d
            .targets_2020
            .into_iter()
            .map(|t| TargetDoc {
                id: t.id,
                name_zh: t.name_zh,
                name_en: t.name_en,
                figure: t.figure,
                unit_zh: t.unit_zh,
            })
            .collect(),
    })
}

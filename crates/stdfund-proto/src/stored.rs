//! Documents the registry froze as canonical JSON (the application as
//! submitted, the estimate and the approval assessment), shown again as
//! `stdfund.v1` messages. The registry stores them as written and reads
//! them only to show them; decisions never go through this direction.

use crate::pb;
use stdfund_rules::Error;
use stdfund_rules::domain::LineStatus;
use stdfund_rules::json::dto::{EnumIn, ProtoEnum};
use stdfund_rules::json::{self, dto};

/// The number of an enum field, refusing a name the contract does not
/// define (a proto message cannot carry it; a proto3 JSON parser refuses it
/// too).
fn number<E: ProtoEnum>(
    e: &EnumIn<E>,
    path: impl FnOnce() -> String,
    expected: &str,
) -> Result<i32, Error> {
    match e {
        EnumIn::UnknownName(name) => Err(Error::invalid_enum_value::<E>(
            path(),
            name.clone(),
            expected.to_string(),
        )),
        other => Ok(other.number()),
    }
}

/// A stored canonical request (or any request as proto3 JSON text) as a
/// proto request.
pub fn request(text: &str) -> Result<pb::EstimateRequest, Error> {
    let r = json::parse_request(text)?;
    let mut achievements = Vec::with_capacity(r.achievements.len());
    for (i, a) in r.achievements.iter().enumerate() {
        let mut funding = Vec::with_capacity(a.higher_level_funding.len());
        for (j, f) in a.higher_level_funding.iter().enumerate() {
            funding.push(pb::Funding {
                level: number(
                    &f.level,
                    || format!("achievements[{i}].higherLevelFunding[{j}].level"),
                    stdfund_rules::request::FUNDING_LEVELS,
                )?,
                amount: f.amount.to_string(),
                source: f.source.to_string(),
            });
        }
        achievements.push(pb::Achievement {
            id: a.id.to_string(),
            item: a.item.to_string(),
            variant: a.variant.to_string(),
            subject: a.subject.to_string(),
            date: a.date.to_string(),
            role: number(
                &a.role,
                || format!("achievements[{i}].role"),
                "ROLE_UNSPECIFIED, ROLE_LEAD, ROLE_PARTICIPANT",
            )?,
            accepted: a.accepted,
            approved: a.approved,
            higher_level_funding: funding,
        });
    }
    Ok(pb::EstimateRequest {
        applicant: Some(pb::Applicant {
            credit_code: r.applicant.credit_code.to_string(),
            name: r.applicant.name.to_string(),
            seat: r.applicant.seat.to_string(),
        }),
        achievements,
        what_if_ruleset: r.what_if_ruleset.to_string(),
        view: number(
            &r.view,
            || "view".to_string(),
            "VIEW_UNSPECIFIED, VIEW_FULL, VIEW_SUMMARY",
        )?,
    })
}

/// A stored canonical answer as a proto answer.
pub fn answer(text: &str) -> Result<pb::EstimateResponse, Error> {
    let a: dto::EstimateResponse = json::parse(text)?;
    Ok(pb::EstimateResponse {
        what_if: a.what_if,
        applicant: Some(pb::AssessedApplicant {
            credit_code: a.applicant.credit_code,
            credit_code_check_passed: a.applicant.credit_code_check_passed,
            name: a.applicant.name,
            seat: a.applicant.seat,
            fiscal_unit: a.applicant.fiscal_unit,
            fiscal_unit_name_zh: a.applicant.fiscal_unit_name_zh,
            fiscal_unit_name_en: a.applicant.fiscal_unit_name_en,
            inside_fuzhou: a.applicant.inside_fuzhou,
        }),
        lines: a
            .lines
            .into_iter()
            .map(|l| pb::Line {
                status: LineStatus::from_name(&l.status).map_or(0, LineStatus::number),
                achievement_id: l.achievement_id,
                item: l.item,
                variant: l.variant,
                clause: l.clause,
                subject: l.subject,
                one_time_key: l.one_time_key,
                date: l.date,
                ruleset_id: l.ruleset_id,
                ruleset_version: l.ruleset_version,
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
                subject_as_given: l.subject_as_given,
            })
            .collect(),
        total: a.total,
        split: Some(pb::Split {
            fiscal_unit: a.split.fiscal_unit,
            municipal_share: a.split.municipal_share,
            district_share: a.split.district_share,
            share_tables: a
                .split
                .share_tables
                .into_iter()
                .map(|t| pb::ShareTableUse {
                    id: t.id,
                    version: t.version,
                    provisional: t.provisional,
                    district_ratio: t.district_ratio,
                    note_zh: t.note_zh,
                    note_en: t.note_en,
                })
                .collect(),
        }),
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
                .map(|r| pb::RulesetRef {
                    id: r.id,
                    version: r.version,
                    hash: r.hash,
                    effective_from: r.effective_from,
                    effective_to: r.effective_to,
                })
                .collect(),
            input_hash: a.receipt.input_hash,
        }),
    })
}

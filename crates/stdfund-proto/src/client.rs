//! For clients and tests: an answer received over gRPC in its JSON form (the
//! rules crate's answer DTOs), so that it can be compared byte for byte with
//! the canonical JSON the CLI and the WASM module print. The server never
//! uses this direction.

use crate::pb;
use stdfund_rules::json::dto;

fn status_name(n: i32) -> String {
    pb::LineStatus::try_from(n)
        .map(|s| s.as_str_name().to_string())
        .unwrap_or_else(|_| n.to_string())
}

/// A `pb::EstimateResponse` as the JSON answer DTO.
pub fn estimate_response(a: pb::EstimateResponse) -> dto::EstimateResponse {
    let p = a.applicant.unwrap_or_default();
    let split = a.split.unwrap_or_default();
    let receipt = a.receipt.unwrap_or_default();
    dto::EstimateResponse {
        what_if: a.what_if,
        applicant: dto::AssessedApplicant {
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
            .map(|l| dto::Line {
                achievement_id: l.achievement_id,
                item: l.item,
                variant: l.variant,
                clause: l.clause,
                subject: l.subject,
                one_time_key: l.one_time_key,
                date: l.date,
                ruleset_id: l.ruleset_id,
                ruleset_version: l.ruleset_version,
                status: status_name(l.status),
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
        split: split_dto(split),
        warnings: a
            .warnings
            .into_iter()
            .map(|w| dto::Warning {
                code: w.code,
                achievement_id: w.achievement_id,
                message_zh: w.message_zh,
                message_en: w.message_en,
            })
            .collect(),
        receipt: dto::Receipt {
            engine_version: receipt.engine_version,
            rulesets: receipt.rulesets.into_iter().map(ruleset_ref).collect(),
            input_hash: receipt.input_hash,
        },
    }
}

/// A `pb::Split` as the JSON DTO.
pub fn split_dto(s: pb::Split) -> dto::Split {
    dto::Split {
        fiscal_unit: s.fiscal_unit,
        municipal_share: s.municipal_share,
        district_share: s.district_share,
        share_tables: s
            .share_tables
            .into_iter()
            .map(|t| dto::ShareTableUse {
                id: t.id,
                version: t.version,
                provisional: t.provisional,
                district_ratio: t.district_ratio,
                note_zh: t.note_zh,
                note_en: t.note_en,
            })
            .collect(),
    }
}

/// A `pb::RulesetRef` as the JSON DTO.
pub fn ruleset_ref(r: pb::RulesetRef) -> dto::RulesetRef {
    dto::RulesetRef {
        id: r.id,
        version: r.version,
        hash: r.hash,
        effective_from: r.effective_from,
        effective_to: r.effective_to,
    }
}

/// A `pb::GetEngineInfoResponse` as the JSON DTO.
pub fn engine_info(i: pb::GetEngineInfoResponse) -> dto::EngineInfo {
    dto::EngineInfo {
        engine_version: i.engine_version,
        rulesets: i.rulesets.into_iter().map(ruleset_ref).collect(),
    }
}

/// A batch item's error as the rules crate's error report.
pub fn error_report(e: pb::ErrorReport) -> stdfund_rules::ErrorReport {
    stdfund_rules::ErrorReport {
        code: e.code,
        field: e.field,
        message_zh: e.message_zh,
        message_en: e.message_en,
    }
}

/// The canonical JSON of a received answer.
pub fn answer_json(a: pb::EstimateResponse) -> String {
    stdfund_rules::json::to_canonical(&estimate_response(a))
}

/// A request given as proto3 JSON text (what a JSON caller sends) as the
/// proto message a gRPC client sends.
pub fn request(text: &str) -> Result<pb::EstimateRequest, stdfund_rules::Error> {
    crate::stored::request(text)
}

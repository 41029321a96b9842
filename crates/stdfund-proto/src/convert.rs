//! Conversions between the generated `stdfund.v1` messages ([`crate::pb`])
//! and the rules crate, one way each:
//!
//! * a request is read: [`request`] borrows a `pb::EstimateRequest` as the
//!   rules crate's request DTO (the same type its JSON boundary reads), so a
//!   gRPC caller and a JSON caller go through the same validation — an
//!   undefined enum number reaches the engine and is refused there with
//!   `INVALID_ENUM_VALUE`, exactly as a JSON caller's would be;
//! * an answer is written from the typed domain: [`to_pb`] renders an
//!   [`Assessment`] (explanations included) straight into a
//!   `pb::EstimateResponse`. There is no way back and nothing to fail: a line
//!   status is an enum, not a string.
//!
//! Clients that need an answer in its JSON form use [`crate::client`].

use crate::pb;
use std::borrow::Cow;
use stdfund_rules::claim::AmountSplit;
use stdfund_rules::domain::{Assessment, Line, ShareUse};
use stdfund_rules::json::dto::{self, EnumIn, View};
use stdfund_rules::reasons::{Cx, Lang};
use stdfund_rules::ruleset::{RuleBook, Ruleset, RulesetDoc};
use stdfund_rules::{ENGINE_VERSION, Error};

fn text(s: &str) -> dto::Str<'_> {
    dto::Str(Cow::Borrowed(s))
}

/// Borrows a proto request as the rules crate's request DTO.
pub fn request(r: &pb::EstimateRequest) -> dto::EstimateRequest<'_> {
    let applicant = r.applicant.as_ref();
    dto::EstimateRequest {
        applicant: dto::Applicant {
            credit_code: text(applicant.map_or("", |a| a.credit_code.as_str())),
            name: text(applicant.map_or("", |a| a.name.as_str())),
            seat: text(applicant.map_or("", |a| a.seat.as_str())),
        },
        achievements: r
            .achievements
            .iter()
            .map(|a| dto::Achievement {
                id: text(&a.id),
                item: text(&a.item),
                variant: text(&a.variant),
                subject: text(&a.subject),
                date: text(&a.date),
                role: EnumIn::from_number(a.role),
                accepted: a.accepted,
                approved: a.approved,
                higher_level_funding: a
                    .higher_level_funding
                    .iter()
                    .map(|f| dto::Funding {
                        level: EnumIn::from_number(f.level),
                        amount: text(&f.amount),
                        source: text(&f.source),
                    })
                    .collect(),
            })
            .collect(),
        what_if_ruleset: text(&r.what_if_ruleset),
        view: EnumIn::from_number(r.view),
        // Texts read from protobuf are looked at before they are copied.
        source: dto::JsonSource::default(),
    }
}

/// Estimates a proto request: read, assess, render as the prost message.
/// `view` overrides the request's own view when set
/// (EstimateBatchRequest.view).
pub fn estimate(
    r: &pb::EstimateRequest,
    view: Option<View>,
) -> Result<pb::EstimateResponse, Error> {
    stdfund_rules::json::assess_in_view(&request(r), view, to_pb)
}

/// Renders a line's text (explanation) in one language.
fn render(f: impl FnOnce(&mut String)) -> String {
    let mut s = String::new();
    f(&mut s);
    s
}

fn money(m: stdfund_rules::money::Money) -> String {
    m.to_canonical()
}

fn line_to_pb(a: &Assessment<'_, '_>, l: &Line<'_, '_>, view: View) -> pb::Line {
    let ach = l.achievement;
    let m = &l.amounts;
    let cx = Cx {
        line: l,
        assessment: a,
    };
    let (zh, en) = match view {
        View::Full => (
            render(|s| l.reason.explain(cx, Lang::Zh, s)),
            render(|s| l.reason.explain(cx, Lang::En, s)),
        ),
        View::Summary => (String::new(), String::new()),
    };
    pb::Line {
        achievement_id: ach.id.to_string(),
        item: ach.item.to_string(),
        variant: ach.variant.to_string(),
        clause: l.clause().unwrap_or("").to_string(),
        subject: ach.subject.text.clone(),
        one_time_key: render(|s| ach.key().write_to(s)),
        date: ach.date.to_string(),
        ruleset_id: l.ruleset.map_or("", Ruleset::id).to_string(),
        ruleset_version: l.ruleset.map_or("", Ruleset::version).to_string(),
        status: l.status().number(),
        reason_code: l.reason.code().as_str().to_string(),
        municipal_amount: money(m.municipal),
        higher_level_funding_counted: money(m.counted),
        other_funding_not_counted: money(m.not_counted),
        payable: money(m.payable),
        municipal_share: money(m.municipal_share),
        district_share: money(m.district_share),
        share_table_id: l.share_table.map_or("", |t| t.id.as_str()).to_string(),
        explanation_zh: zh,
        explanation_en: en,
        subject_as_given: ach.subject_as_given.to_string(),
    }
}

/// A share table as used by a split.
pub fn share_table_use(u: &ShareUse<'_>, view: View) -> pb::ShareTableUse {
    let full = view == View::Full;
    pb::ShareTableUse {
        id: u.table.id.clone(),
        version: u.table.version.clone(),
        provisional: u.provisional(),
        district_ratio: u.ratio.to_string(),
        note_zh: if full {
            u.note_zh().to_string()
        } else {
            String::new()
        },
        note_en: if full {
            u.note_en().to_string()
        } else {
            String::new()
        },
    }
}

/// A ruleset reference.
pub fn ruleset_ref(r: &Ruleset) -> pb::RulesetRef {
    pb::RulesetRef {
        id: r.id().to_string(),
        version: r.version().to_string(),
        hash: r.hash().to_string(),
        effective_from: r.effective_from().to_string(),
        effective_to: r.effective_to().map(|d| d.to_string()).unwrap_or_default(),
    }
}

/// The answer of an assessment, in the given view.
pub fn to_pb(a: &Assessment<'_, '_>, view: View) -> pb::EstimateResponse {
    let p = a.applicant();
    let unit = a.fiscal_unit();
    let full = view == View::Full;
    let name = |f: fn(&stdfund_rules::ruleset::FiscalUnitDoc) -> &str| {
        unit.filter(|_| full).map_or("", f).to_string()
    };
    pb::EstimateResponse {
        what_if: a.application.what_if,
        applicant: Some(pb::AssessedApplicant {
            credit_code: p.credit_code.to_string(),
            credit_code_check_passed: p.check.passed(),
            name: p.name.to_string(),
            seat: p.seat.to_string(),
            fiscal_unit: unit.map_or("", |u| u.code.as_str()).to_string(),
            fiscal_unit_name_zh: name(|u| &u.name_zh),
            fiscal_unit_name_en: name(|u| &u.name_en),
            inside_fuzhou: unit.is_some(),
        }),
        lines: a.lines.iter().map(|l| line_to_pb(a, l, view)).collect(),
        total: money(a.total),
        split: Some(pb::Split {
            fiscal_unit: unit.map_or("", |u| u.code.as_str()).to_string(),
            municipal_share: money(a.municipal_share),
            district_share: money(a.district_share),
            share_tables: a
                .share_tables
                .iter()
                .map(|u| share_table_use(u, view))
                .collect(),
        }),
        warnings: a
            .warnings
            .iter()
            .map(|w| pb::Warning {
                code: w.code().as_str().to_string(),
                achievement_id: w.achievement().map_or("", |x| x.id).to_string(),
                message_zh: if full {
                    render(|s| w.message(a, Lang::Zh, s))
                } else {
                    String::new()
                },
                message_en: if full {
                    render(|s| w.message(a, Lang::En, s))
                } else {
                    String::new()
                },
            })
            .collect(),
        receipt: Some(pb::Receipt {
            engine_version: ENGINE_VERSION.to_string(),
            rulesets: a.rulesets.iter().map(|r| ruleset_ref(r)).collect(),
            input_hash: render(|s| a.application.input_hash.write_to(s)),
        }),
    }
}

/// The split of an amount set outside an estimate (a reviewer's amount, a
/// frozen approval).
pub fn amount_split(s: &AmountSplit<'_>) -> pb::Split {
    pb::Split {
        fiscal_unit: s.unit.code.clone(),
        municipal_share: money(s.municipal_share),
        district_share: money(s.district_share),
        share_tables: vec![share_table_use(&s.share, View::Full)],
    }
}

/// An error as the batch stream carries it, with the value the refused field
/// was probably meant to be (`meant`, empty for none).
pub fn error_report(e: &stdfund_rules::ErrorReport, meant: Option<&str>) -> pb::ErrorReport {
    pb::ErrorReport {
        code: e.code.clone(),
        field: e.field.clone(),
        message_zh: e.message_zh.clone(),
        message_en: e.message_en.clone(),
        meant: meant.unwrap_or_default().to_owned(),
    }
}

/// GetEngineInfo of a book.
pub fn engine_info(book: &RuleBook) -> pb::GetEngineInfoResponse {
    pb::GetEngineInfoResponse {
        engine_version: ENGINE_VERSION.to_string(),
        rulesets: book.rulesets().iter().map(ruleset_ref).collect(),
    }
}

/// GetCatalog of a book.
pub fn catalog(book: &RuleBook) -> pb::GetCatalogResponse {
    pb::GetCatalogResponse {
        engine_version: ENGINE_VERSION.to_string(),
        rulesets: book
            .rulesets()
            .iter()
            .map(|r| pb::CatalogRuleset {
                hash: r.hash().to_string(),
                document: Some(document_to_pb(r.doc())),
            })
            .collect(),
    }
}

/// The document spelling of a document enum (`STANDARD_NUMBER`, `IMPLIED_LEAD`, …).
fn enum_text<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

fn counted_item(c: &stdfund_rules::ruleset::CountedItemDoc) -> pb::CountedItem {
    pb::CountedItem {
        item: c.item.clone(),
        variant: c.variant.clone(),
    }
}

fn document_to_pb(d: &RulesetDoc) -> pb::RulesetDocument {
    use stdfund_rules::domain::FundingLevel;
    pb::RulesetDocument {
        id: d.id.clone(),
        version: d.version.clone(),
        title_zh: d.title_zh.clone(),
        title_en: d.title_en.clone(),
        source_zh: d.source_zh.clone(),
        effective_from: d.effective_from.clone(),
        effective_to: d.effective_to.clone(),
        one_time: d.one_time,
        items: d
            .items
            .iter()
            .map(|it| pb::GrantItem {
                id: it.id.clone(),
                clause: it.clause.clone(),
                name_zh: it.name_zh.clone(),
                name_en: it.name_en.clone(),
                citation_zh: it.citation_zh.clone(),
                subject_kind: enum_text(&it.subject_kind),
                role: enum_text(&it.role),
                condition: enum_text(&it.condition),
                level_check: it.level_check,
                conflicts_with_item: it.conflicts_with_item.clone(),
                variants: it
                    .variants
                    .iter()
                    .map(|v| pb::GrantVariant {
                        id: v.id.clone(),
                        name_zh: v.name_zh.clone(),
                        name_en: v.name_en.clone(),
                        amount_wan: v.amount_wan.clone(),
                        not_covered_zh: v.not_covered_zh.clone(),
                        not_covered_en: v.not_covered_en.clone(),
                    })
                    .collect(),
            })
            .collect(),
        top_up: Some(pb::TopUpRule {
            clause: d.top_up.clause.clone(),
            citation_zh: d.top_up.citation_zh.clone(),
            // A loaded ruleset names defined levels only.
            counted_levels: d
                .top_up
                .counted_levels
                .iter()
                .filter_map(|l| FundingLevel::from_name(l))
                .map(FundingLevel::number)
                .collect(),
        }),
        share_table: Some(pb::ShareTable {
            id: d.share_table.id.clone(),
            version: d.share_table.version.clone(),
            provisional: d.share_table.provisional,
            citation_zh: d.share_table.citation_zh.clone(),
            note_zh: d.share_table.note_zh.clone(),
            note_en: d.share_table.note_en.clone(),
            ratios: d
                .share_table
                .ratios
                .iter()
                .map(|r| pb::ShareRatio {
                    fiscal_unit: r.fiscal_unit.clone(),
                    district_ratio: r.district_ratio.clone(),
                    provisional: r.provisional,
                    note_zh: r.note_zh.clone().unwrap_or_default(),
                    note_en: r.note_en.clone().unwrap_or_default(),
                })
                .collect(),
        }),
        fiscal_units: d
            .fiscal_units
            .iter()
            .map(|u| pb::FiscalUnit {
                code: u.code.clone(),
                name_zh: u.name_zh.clone(),
                name_en: u.name_en.clone(),
                former_codes: u.former_codes.clone(),
            })
            .collect(),
        excluded_seats: d
            .excluded_seats
            .iter()
            .map(|s| pb::ExcludedSeat {
                code: s.code.clone(),
                name_zh: s.name_zh.clone(),
                name_en: s.name_en.clone(),
                reason_zh: s.reason_zh.clone(),
                reason_en: s.reason_en.clone(),
            })
            .collect(),
        targets_2020: d
            .targets2020
            .iter()
            .map(|t| pb::WorkTarget {
                id: t.id.clone(),
                name_zh: t.name_zh.clone(),
                name_en: t.name_en.clone(),
                figure: t.figure,
                unit_zh: t.unit_zh.clone(),
                counting: t.counting.as_ref().map(|c| pb::TargetCounting {
                    visibility: enum_text(&c.visibility),
                    counted: c.counted.iter().map(counted_item).collect(),
                    note_zh: c.note_zh.clone(),
                    note_en: c.note_en.clone(),
                    group: c.group.clone(),
                }),
            })
            .collect(),
        target_groups_2020: d
            .target_groups2020
            .iter()
            .map(|g| pb::TargetGroup {
                id: g.id.clone(),
                name_prefix_zh: g.name_prefix_zh.clone(),
                name_en: g.name_en.clone(),
                unit_zh: g.unit_zh.clone(),
                visibility: enum_text(&g.visibility),
                counted: g.counted.iter().map(counted_item).collect(),
                note_zh: g.note_zh.clone(),
                note_en: g.note_en.clone(),
            })
            .collect(),
        jurisdiction: d.jurisdiction.as_ref().map(|j| pb::Jurisdiction {
            code: j.code.clone(),
            name_zh: j.name_zh.clone(),
            name_en: j.name_en.clone(),
        }),
    }
}

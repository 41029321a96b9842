//! The readable renderings of `stdfund estimate --format table`,
//! `stdfund rules --format table` and `stdfund registry collisions`: Chinese first with English beside, money
//! with thousands separators and in 万元, columns padded by display width
//! (`comfy-table`, so a Chinese character counts two columns).
//!
//! This is the only module that reads the rules crate's assessment and
//! catalogue fields for display; when those types change, this is the one
//! place to re-point.

use comfy_table::{CellAlignment, ContentArrangement, Table, presets};
use rust_decimal::Decimal;
use std::fmt::Write as _;
use std::str::FromStr;
use stdfund_rules::json::dto::EstimateResponse as Assessment;
use stdfund_rules::reasons::ReasonCode;

/// The Chinese label of a line's reason code (the rules crate's plain
/// words); `None` for a code this version does not know (it is then shown
/// as the code alone).
pub fn reason_label_zh(code: &str) -> Option<&'static str> {
    ReasonCode::parse(code).map(ReasonCode::label_zh)
}

/// `可获资助 ELIGIBLE`: the Chinese label with the stable code beside.
pub fn reason_cell(code: &str) -> String {
    match reason_label_zh(code) {
        Some(zh) => format!("{zh} {code}"),
        None => code.to_string(),
    }
}

/// A yuan amount for people: `1,270,000.00 (127万元)`; zero stays `0.00`.
/// Text that is not a decimal is shown as it is.
pub fn yuan(amount: &str) -> String {
    let Ok(value) = Decimal::from_str(amount.trim()) else {
        return amount.to_string();
    };
    let grouped = stdfund_rules::amount_input::group_thousands(&value.round_dp(2).to_string());
    let grouped = if grouped.contains('.') {
        grouped
    } else {
        format!("{grouped}.00")
    };
    if value.is_zero() {
        return grouped;
    }
    match value.checked_div(Decimal::from(10_000)) {
        Some(wan) => format!("{grouped} ({}万元)", wan.normalize()),
        None => grouped,
    }
}

fn new_table(header: Vec<&str>) -> Table {
    let mut t = Table::new();
    t.load_style(presets::ASCII_MARKDOWN)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header);
    t
}

fn right_align(t: &mut Table, columns: &[usize]) {
    for i in columns {
        if let Some(c) = t.column_mut(*i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
}

/// The table of an assessment's lines alone (one row per line).
pub fn lines_table(a: &Assessment) -> Table {
    let mut t = new_table(vec![
        "成果 Achievement",
        "条款 Clause",
        "结论 Outcome",
        "标的 Subject",
        "市级标准额 Municipal amount",
        "上级已资助 Higher-level funding",
        "应付 Payable",
    ]);
    for l in &a.lines {
        t.add_row(vec![
            l.achievement_id.clone(),
            l.clause.clone(),
            reason_cell(&l.reason_code),
            // Both, when the canonical form differs from what was typed
            // (DECISIONS.md B10): the clerk sees the rewrite.
            if l.subject_as_given.is_empty() || l.subject_as_given == l.subject {
                l.subject.clone()
            } else {
                format!("{}\n(填写为 as typed: {})", l.subject, l.subject_as_given)
            },
            yuan(&l.municipal_amount),
            yuan(&l.higher_level_funding_counted),
            yuan(&l.payable),
        ]);
    }
    right_align(&mut t, &[4, 5, 6]);
    t
}

/// A readable rendering of an assessment.
pub fn assessment(a: &Assessment) -> String {
    let mut out = String::new();
    let ap = &a.applicant;
    let _ = writeln!(out, "申请单位 Applicant: {} {}", ap.name, ap.credit_code);
    let seat = if ap.inside_fuzhou {
        format!(
            "{} {} ({})",
            ap.fiscal_unit, ap.fiscal_unit_name_zh, ap.fiscal_unit_name_en
        )
    } else {
        format!("{} — 不在福州市范围 outside Fuzhou", ap.seat)
    };
    let _ = writeln!(out, "所在地 Seat: {seat}");
    if a.what_if {
        let _ = writeln!(
            out,
            "*** 假设测算 WHAT-IF: computed under an alternative ruleset ***"
        );
    }
    let _ = writeln!(out);
    if a.lines.is_empty() {
        // Not a table of headers over nothing: say what is missing.
        let _ = writeln!(
            out,
            "成果 Achievements: 未填写成果,没有可测算的项目(在 achievements 中列出成果)\n  \
             none listed: nothing to estimate (list them under achievements)"
        );
    } else {
        let _ = writeln!(out, "{}", lines_table(a));
        let _ = writeln!(out);
        let _ = writeln!(out, "说明 Explanations:");
        for l in &a.lines {
            let _ = writeln!(out, "  {} {}", l.achievement_id, l.explanation_zh);
            let _ = writeln!(
                out,
                "  {} {}",
                " ".repeat(l.achievement_id.len()),
                l.explanation_en
            );
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "合计 Total payable: {}", yuan(&a.total));
    let tables: Vec<String> = a
        .split
        .share_tables
        .iter()
        .map(|t| {
            format!(
                "{} v{} 区县比例 district ratio {}{}",
                t.id,
                t.version,
                t.district_ratio,
                if t.provisional {
                    " (暂定 PROVISIONAL)"
                } else {
                    ""
                }
            )
        })
        .collect();
    let _ = writeln!(
        out,
        "分担 Split: 市级 municipal {} / 区县 district {}{}",
        yuan(&a.split.municipal_share),
        yuan(&a.split.district_share),
        if tables.is_empty() {
            String::new()
        } else {
            format!(" — {}", tables.join("; "))
        }
    );
    for w in &a.warnings {
        let on = if w.achievement_id.is_empty() {
            String::new()
        } else {
            format!(" [{}]", w.achievement_id)
        };
        let _ = writeln!(out, "警告 Warning {}{on}: {}", w.code, w.message_zh);
        let _ = writeln!(out, "  {}", w.message_en);
    }
    let cited = citations(a);
    if !cited.is_empty() {
        let _ = writeln!(out, "依据 Citations:");
        for (clause, text) in cited {
            let _ = writeln!(out, "  {clause} {text}");
        }
    }
    let r = &a.receipt;
    let rs: Vec<String> = r
        .rulesets
        .iter()
        .map(|x| format!("{} {} {}", x.id, x.version, x.hash))
        .collect();
    let _ = writeln!(
        out,
        "凭据 Receipt: engine {} · {} · input {}",
        r.engine_version,
        rs.join(", "),
        r.input_hash
    );
    out
}

/// The source sentences of the clauses the lines were decided under, once each.
fn citations(a: &Assessment) -> Vec<(String, String)> {
    let Ok(catalog) = stdfund_rules::json::catalog() else {
        return Vec::new();
    };
    let mut out: Vec<(String, String)> = Vec::new();
    for line in &a.lines {
        let item = catalog
            .rulesets
            .iter()
            .filter(|r| {
                r.document.id == line.ruleset_id && r.document.version == line.ruleset_version
            })
            .flat_map(|r| r.document.items.iter())
            .find(|i| i.id == line.item);
        if let Some(item) = item
            && !out
                .iter()
                .any(|(c, t)| *c == item.clause && *t == item.citation_zh)
        {
            out.push((item.clause.clone(), item.citation_zh.clone()));
        }
    }
    out
}

/// A readable rendering of the catalogue: per ruleset its dates and hash and
/// one table row per item variant.
pub fn catalog(c: &stdfund_rules::json::Catalog) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "引擎 engine {}", c.engine_version);
    for r in &c.rulesets {
        let d = &r.document;
        let _ = writeln!(out);
        let _ = writeln!(out, "{} {} — {}", d.id, d.version, d.title_zh);
        let _ = writeln!(out, "  {}", d.title_en);
        let _ = writeln!(
            out,
            "  施行 in force: {} → {}",
            d.effective_from,
            d.effective_to.as_deref().unwrap_or("无截止 open")
        );
        let _ = writeln!(out, "  hash: {}", r.hash);
        let mut items = new_table(vec!["条款 Clause", "项目 Item", "名称", "Name"]);
        let mut variants = new_table(vec![
            "项目 Item",
            "类别 Variant",
            "类别名称",
            "Variant name",
            "金额 Amount",
        ]);
        for item in &d.items {
            items.add_row(vec![
                item.clause.clone(),
                item.id.clone(),
                item.name_zh.clone(),
                item.name_en.clone(),
            ]);
            for v in &item.variants {
                let amount = match (&v.amount_wan, &v.not_covered_en) {
                    (Some(a), _) => format!("{a} 万元"),
                    (None, Some(_)) => "不资助 NOT_COVERED".into(),
                    (None, None) => "评审核定 DISCRETIONARY".into(),
                };
                variants.add_row(vec![
                    item.id.clone(),
                    v.id.clone(),
                    v.name_zh.clone(),
                    v.name_en.clone(),
                    amount,
                ]);
            }
        }
        right_align(&mut variants, &[4]);
        let _ = writeln!(out);
        let _ = writeln!(out, "资助项目 Grant items:");
        let _ = writeln!(out, "{items}");
        let _ = writeln!(out);
        let _ = writeln!(out, "类别与金额 Variants and amounts:");
        let _ = writeln!(out, "{variants}");
        let s = &d.share_table;
        let _ = writeln!(
            out,
            "  分担比例表 share table: {} {}{}",
            s.id,
            s.version,
            if s.provisional {
                " (暂定 PROVISIONAL)"
            } else {
                ""
            }
        );
    }
    out
}

/// One row of `stdfund registry collisions`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollisionRow {
    /// The collision's id.
    pub id: i64,
    /// The claim that could not take the key.
    pub claim_id: i64,
    /// Its status, unit and subject as filed.
    pub claim: String,
    /// The claim holding the key.
    pub holder_claim_id: i64,
    /// Its status, unit and subject as filed.
    pub holder: String,
    /// The canonical one-time key.
    pub key: String,
    /// When re-keying found it.
    pub found_at: String,
    /// Whether it no longer stands.
    pub resolved: bool,
}

/// The table of one-time-key collisions.
pub fn collisions(rows: Vec<CollisionRow>) -> String {
    let mut t = new_table(vec![
        "编号 Id",
        "申报 Claim",
        "持有者 Holder",
        "一次性键 One-time key",
        "发现时间 Found",
        "状态 State",
    ]);
    for r in rows {
        t.add_row(vec![
            r.id.to_string(),
            format!("{} {}", r.claim_id, r.claim),
            format!("{} {}", r.holder_claim_id, r.holder),
            r.key,
            r.found_at,
            if r.resolved {
                "已解决 resolved".to_string()
            } else {
                "待复核 standing".to_string()
            },
        ]);
    }
    t.to_string()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn amounts_have_separators_and_wan() {
        assert_eq!(yuan("1270000.00"), "1,270,000.00 (127万元)");
        assert_eq!(yuan("635000.00"), "635,000.00 (63.5万元)");
        assert_eq!(yuan("100000.00"), "100,000.00 (10万元)");
        assert_eq!(yuan("999.50"), "999.50 (0.09995万元)");
        assert_eq!(yuan("0.00"), "0.00");
        assert_eq!(yuan("12"), "12.00 (0.0012万元)");
        assert_eq!(yuan("-1234567.89"), "-1,234,567.89 (-123.456789万元)");
        assert_eq!(yuan("n/a"), "n/a");
    }

    #[test]
    fn every_reason_code_has_a_chinese_label() {
        use strum::IntoEnumIterator;
        for code in ReasonCode::iter().map(ReasonCode::as_str) {
            let label = reason_label_zh(code).unwrap_or_else(|| panic!("no label for {code}"));
            assert!(!label.is_ascii(), "{code}: {label}");
            assert_eq!(reason_cell(code), format!("{label} {code}"));
        }
        assert_eq!(reason_cell("SOMETHING_NEW"), "SOMETHING_NEW");
    }
}

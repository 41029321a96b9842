//! Progress toward the 2020 work targets (RULES.md §6, the ruleset's
//! `targets2020`) as far as the claim registry can see it.
//!
//! The registry records grant claims, so it sees an achievement only when a
//! unit claimed the grant for it and the claim was approved. Which grant
//! items count toward which target is the table [`MAPPINGS`] below; a target
//! the table does not name is reported as not visible. Each target counts
//! distinct normalised subjects (a standard number, a committee code) of
//! APPROVED or DISBURSED claims whose achievement date lies in the period,
//! so two units' claims on one standard count once.

use std::collections::BTreeSet;
use stdfund_proto::pb::{TargetProgress, TargetVisibility};
use stdfund_rules::ruleset::TargetDoc;
use stdfund_store::Claim;

/// What the registry counts toward one target.
struct Mapping {
    target: &'static str,
    visibility: TargetVisibility,
    /// `(item, variant)`; `None` = every variant.
    counted: &'static [(&'static str, Option<&'static str>)],
    note_zh: &'static str,
    note_en: &'static str,
}

/// The targets whose sector the registry cannot tell apart; they are
/// reported together as [`COMBINED_PILOTS`].
const PILOT_TARGETS: [&str; 3] = [
    "AGRICULTURAL_DEMONSTRATION_ZONES",
    "INDUSTRIAL_PILOTS",
    "SERVICE_PILOTS",
];

/// The combined entry's id.
pub const COMBINED_PILOTS: &str = "PILOTS_COMBINED";

const PILOT_ITEM: &[(&str, Option<&str>)] = &[("DEMONSTRATION_PILOT", None)];

const MAPPINGS: &[Mapping] = &[
    Mapping {
        target: "GROUP_STANDARDS",
        visibility: TargetVisibility::Partial,
        counted: &[("STANDARD_LEAD", Some("GROUP"))],
        note_zh: "仅统计主导单位申报并获核准资助的团体标准;未申报资助的团体标准不在登记范围内。",
        note_en: "Counts only group standards whose lead unit claimed the grant and was approved; group standards nobody claimed for are not in the registry.",
    },
    Mapping {
        target: "ENTERPRISE_STANDARDS_PUBLIC",
        visibility: TargetVisibility::None,
        counted: &[],
        note_zh: "企业标准自我声明公开不属于任何资助项目,登记系统无法统计;请以企业标准信息公共服务平台数据为准。",
        note_en: "Enterprise standards made public (self-declaration) are not a grant item, so the registry cannot count them; use the enterprise-standard public service platform's figures.",
    },
    Mapping {
        target: "NATIONAL_TC_HOSTED",
        visibility: TargetVisibility::Partial,
        counted: &[
            ("TC_SECRETARIAT", Some("NATIONAL_TC_SC")),
            ("TC_SECRETARIAT", Some("NATIONAL_WG")),
        ],
        note_zh: "仅统计承担单位申报并获核准资助的全国专业标准化技术委员会、分技术委员会秘书处及工作组(按委员会代号去重)。",
        note_en: "Counts only national TC/SC secretariats and working groups whose host unit claimed the grant and was approved (distinct committee codes).",
    },
    Mapping {
        target: "NEW_STANDARDS",
        visibility: TargetVisibility::Partial,
        counted: &[
            ("STANDARD_LEAD", Some("INTERNATIONAL")),
            ("STANDARD_LEAD", Some("NATIONAL")),
            ("STANDARD_LEAD", Some("INDUSTRY")),
            ("STANDARD_LEAD", Some("LOCAL")),
        ],
        note_zh: "仅统计主导单位申报并获核准资助的国际、国家、行业和地方标准(按标准编号去重);仅有参与单位申报的标准及未申报资助的标准不计入。",
        note_en: "Counts only international, national, industry and local standards whose lead unit claimed the grant and was approved (distinct standard numbers); standards claimed only by participants, or not claimed at all, are not counted.",
    },
];

const PILOT_SECTOR_NOTE_ZH: &str = "登记系统未记录示范(试点)项目所属领域,无法按领域统计;全部示范(试点)项目合并统计见PILOTS_COMBINED。";
const PILOT_SECTOR_NOTE_EN: &str = "The registry records no sector for demonstration and pilot projects, so it cannot count them by sector; all of them are counted together under PILOTS_COMBINED.";
const UNMAPPED_NOTE_ZH: &str = "该目标没有对应的资助项目,登记系统无法统计。";
const UNMAPPED_NOTE_EN: &str =
    "No grant item corresponds to this target, so the registry cannot count it.";

fn counted_labels(counted: &[(&str, Option<&str>)]) -> Vec<String> {
    counted
        .iter()
        .map(|(i, v)| match v {
            Some(v) => format!("{i}/{v}"),
            None => (*i).to_string(),
        })
        .collect()
}

fn count(claims: &[&Claim], counted: &[(&str, Option<&str>)]) -> i64 {
    let subjects: BTreeSet<&str> = claims
        .iter()
        .filter(|c| {
            counted.iter().any(|(item, variant)| {
                c.item == *item && variant.is_none_or(|v| c.variant.as_deref() == Some(v))
            })
        })
        .map(|c| c.subject.as_str())
        .collect();
    i64::try_from(subjects.len()).unwrap_or(i64::MAX)
}

/// The progress entries: one per target of `targets`, in order, then the
/// combined pilot entry when any pilot target is present. `claims` are the
/// APPROVED or DISBURSED claims whose achievement date lies in the period.
pub fn progress(targets: &[TargetDoc], claims: &[&Claim]) -> Vec<TargetProgress> {
    let mut out = Vec::with_capacity(targets.len().saturating_add(1));
    let mut pilot_figure: u32 = 0;
    let mut pilot_names: Vec<&str> = Vec::new();
    for t in targets {
        let base = TargetProgress {
            target_id: t.id.clone(),
            name_zh: t.name_zh.clone(),
            name_en: t.name_en.clone(),
            figure: t.figure,
            unit_zh: t.unit_zh.clone(),
            ..TargetProgress::default()
        };
        if PILOT_TARGETS.contains(&t.id.as_str()) {
            pilot_figure = pilot_figure.saturating_add(t.figure);
            pilot_names.push(&t.name_zh);
            out.push(TargetProgress {
                visibility: TargetVisibility::None as i32,
                note_zh: PILOT_SECTOR_NOTE_ZH.into(),
                note_en: PILOT_SECTOR_NOTE_EN.into(),
                ..base
            });
            continue;
        }
        match MAPPINGS.iter().find(|m| m.target == t.id) {
            Some(m) => out.push(TargetProgress {
                visibility: m.visibility as i32,
                achieved: count(claims, m.counted),
                counted: counted_labels(m.counted),
                note_zh: m.note_zh.into(),
                note_en: m.note_en.into(),
                ..base
            }),
            None => out.push(TargetProgress {
                visibility: TargetVisibility::None as i32,
                note_zh: UNMAPPED_NOTE_ZH.into(),
                note_en: UNMAPPED_NOTE_EN.into(),
                ..base
            }),
        }
    }
    if !pilot_names.is_empty() {
        out.push(TargetProgress {
            target_id: COMBINED_PILOTS.into(),
            name_zh: format!("示范(试点)合计:{}", pilot_names.join("、")),
            name_en: "demonstration zones and pilots of every sector, combined".into(),
            figure: pilot_figure,
            unit_zh: "个".into(),
            visibility: TargetVisibility::Partial as i32,
            achieved: count(claims, PILOT_ITEM),
            counted: counted_labels(PILOT_ITEM),
            note_zh: format!(
                "登记系统无法区分农业、工业、服务业等领域,此处将全部获核准资助的标准化示范(试点)项目(按项目编号去重)与各领域目标之和{pilot_figure}比较;未申报资助的示范(试点)项目不计入。"
            ),
            note_en: format!(
                "The registry cannot tell agriculture, industry and services apart, so every approved demonstration or pilot project (distinct project references) is compared with the sum of the sector targets, {pilot_figure}; projects nobody claimed the grant for are not counted."
            ),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn the_embedded_targets_are_all_reported() {
        let book = stdfund_rules::ruleset::embedded().unwrap();
        let targets = &book.latest().unwrap().doc().targets2020;
        let p = progress(targets, &[]);
        let ids: Vec<&str> = p.iter().map(|t| t.target_id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "GROUP_STANDARDS",
                "ENTERPRISE_STANDARDS_PUBLIC",
                "NATIONAL_TC_HOSTED",
                "NEW_STANDARDS",
                "AGRICULTURAL_DEMONSTRATION_ZONES",
                "INDUSTRIAL_PILOTS",
                "SERVICE_PILOTS",
                "PILOTS_COMBINED"
            ]
        );
        let combined = p.last().unwrap();
        assert_eq!(combined.figure, 50);
        assert_eq!(
            p[1].visibility,
            TargetVisibility::None as i32,
            "enterprise standards"
        );
        // Every mapped item and variant exists in the ruleset.
        for m in MAPPINGS.iter() {
            for (item, variant) in m.counted {
                let it = book.any_item(item).unwrap();
                if let Some(v) = variant {
                    assert!(it.variant(v).is_some(), "{item}/{v}");
                }
            }
        }
        assert!(book.any_item("DEMONSTRATION_PILOT").is_some());
    }
}

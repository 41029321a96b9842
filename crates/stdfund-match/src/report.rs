//! The tables a bureau reads, derived from a [`MatchReport`]: the
//! notification list, the payable items, the review sheet, the lines not
//! payable, the lines the registry already holds, the summary by district
//! and item, and the counts. Pure functions; [`crate::output`] writes them.

use crate::feed::FeedKind;
use crate::pipeline::{AssessedLine, Disposition, Draft, EnterpriseResult, MatchReport, Mention};
use crate::register::RegisterIndex;
use crate::rules_adapter::{self, names};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// Formats yuan with two decimals.
pub fn yuan(amount: Decimal) -> String {
    let mut a = amount;
    a.rescale(2);
    a.to_string()
}

/// Formats yuan as 万元 for people (`30万元`, `2.5万元`).
pub fn wan(amount: Decimal) -> String {
    let w = amount
        .checked_div(Decimal::new(10_000, 0))
        .unwrap_or_default()
        .normalize();
    format!("{w}万元")
}

/// One enterprise to notify (通知名单).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notification {
    /// Fiscal unit code.
    pub fiscal_unit: String,
    /// District name, Chinese.
    pub district_zh: String,
    /// Unit name (register).
    pub name: String,
    /// Credit code (register).
    pub credit_code: String,
    /// Seat code (register).
    pub seat: String,
    /// One description per payable achievement.
    pub items: Vec<String>,
    /// Estimated amount, yuan.
    pub amount: Decimal,
    /// Notes for the bureau.
    pub notes: Vec<String>,
}

/// One payable achievement (明细).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemRow {
    /// District name, Chinese.
    pub district_zh: String,
    /// Fiscal unit code.
    pub fiscal_unit: String,
    /// Unit name (register).
    pub name: String,
    /// Credit code.
    pub credit_code: String,
    /// Item id.
    pub item: String,
    /// Item, Chinese.
    pub item_zh: String,
    /// Variant, Chinese.
    pub variant_zh: String,
    /// Clause.
    pub clause: String,
    /// Normalised subject.
    pub subject: String,
    /// Title / project / committee name.
    pub title: String,
    /// Date.
    pub date: String,
    /// Role, Chinese (empty where none).
    pub role_zh: String,
    /// Rank in the list.
    pub rank: u16,
    /// Match outcome code.
    pub outcome: String,
    /// Match confidence, percent.
    pub confidence: u8,
    /// `file:row`.
    pub source: String,
    /// Amount, yuan.
    pub amount: Decimal,
    /// The registry's one-time key.
    pub registry_key: String,
    /// The draft's idempotency key.
    pub idempotency_key: String,
    /// The engine's explanation, Chinese.
    pub explanation_zh: String,
}

/// One mention a reviewer must decide (待复核).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewRow {
    /// `file:row`.
    pub source: String,
    /// Feed title, Chinese.
    pub feed_zh: String,
    /// The unit as listed.
    pub unit: String,
    /// The code as listed.
    pub unit_code: String,
    /// Rank in the list.
    pub rank: u16,
    /// Role, Chinese.
    pub role_zh: String,
    /// Item, Chinese.
    pub item_zh: String,
    /// Variant, Chinese.
    pub variant_zh: String,
    /// Subject as listed.
    pub subject: String,
    /// Date.
    pub date: String,
    /// Outcome code (`FUZZY`, `AMBIGUOUS`, `NONE`).
    pub outcome: String,
    /// Basis code.
    pub basis: String,
    /// Confidence, percent.
    pub confidence: u8,
    /// Candidates: `name（code，seat）`, separated by `；`.
    pub candidates: String,
    /// What the outcome means, Chinese.
    pub note_zh: String,
    /// What the outcome means, English.
    pub note_en: String,
}

/// One assessed line that is not notified (不予提示 / 已登记).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineRow {
    /// District name, Chinese (empty outside Fuzhou).
    pub district_zh: String,
    /// Unit name (register).
    pub name: String,
    /// Credit code.
    pub credit_code: String,
    /// Item, Chinese.
    pub item_zh: String,
    /// Variant, Chinese.
    pub variant_zh: String,
    /// Subject (normalised when the engine read it).
    pub subject: String,
    /// Date.
    pub date: String,
    /// Disposition code.
    pub disposition: String,
    /// The engine's reason code, or its error code.
    pub reason: String,
    /// Explanation, Chinese.
    pub explanation_zh: String,
    /// Explanation, English.
    pub explanation_en: String,
    /// The registry key, when computed.
    pub registry_key: String,
    /// `file:row`.
    pub source: String,
}

/// One cell of the summary: a district and an item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SummaryRow {
    /// Fiscal unit code.
    pub fiscal_unit: String,
    /// District name, Chinese.
    pub district_zh: String,
    /// Item id.
    pub item: String,
    /// Item, Chinese.
    pub item_zh: String,
    /// Enterprises with this item in this district.
    pub enterprises: usize,
    /// Payable lines.
    pub lines: usize,
    /// Amount, yuan.
    pub amount: Decimal,
}

/// Counts of a match.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Rows read per feed.
    pub rows: BTreeMap<FeedKind, usize>,
    /// Units named (mentions).
    pub mentions: usize,
    /// Mentions per outcome code.
    pub outcomes: BTreeMap<&'static str, usize>,
    /// Enterprises to notify.
    pub enterprises_notified: usize,
    /// Payable lines (= drafts).
    pub payable_lines: usize,
    /// Their total, yuan.
    pub total: Decimal,
    /// Lines whose one-time key the registry holds.
    pub already_held: usize,
    /// Lines assessed but not payable (incl. duplicates and errors).
    pub not_payable: usize,
    /// Mentions for review (fuzzy, ambiguous, none).
    pub review: usize,
}

fn mention<'a>(report: &'a MatchReport, line: &AssessedLine) -> Option<&'a Mention> {
    report.mentions.get(line.mention)
}

fn district(e: &EnterpriseResult) -> String {
    if e.applicant.fiscal_unit_name_zh.is_empty() {
        "福州市外 Outside Fuzhou".to_string()
    } else {
        e.applicant.fiscal_unit_name_zh.clone()
    }
}

/// The notification list: one row per enterprise with a payable line.
pub fn notifications(report: &MatchReport) -> Vec<Notification> {
    let n = names();
    report
        .enterprises
        .iter()
        .filter(|e| e.has_payable())
        .map(|e| {
            let mut notes = Vec::new();
            if !e.applicant.credit_code_check_passed {
                notes.push(
                    "信用代码校验位不符,提交前须经办人确认 credit code check character mismatch: confirm before submitting"
                        .to_string(),
                );
            }
            let mut items = Vec::new();
            for l in &e.lines {
                let (Disposition::Payable { .. }, Some(line), Some(m)) =
                    (&l.disposition, &l.line, mention(report, l))
                else {
                    continue;
                };
                items.push(format!(
                    "{} {}·{} {}",
                    line.subject,
                    n.variant_zh(&line.item, &line.variant),
                    n.item_zh(&line.item),
                    wan(line.payable)
                ));
                if m.proposal.date_inferred {
                    notes.push(format!(
                        "{}的日期按年度推定 date of {} inferred from the year",
                        line.subject, line.subject
                    ));
                }
            }
            Notification {
                fiscal_unit: e.applicant.fiscal_unit.clone(),
                district_zh: district(e),
                name: e.register.name.clone(),
                credit_code: e.register.credit_code.clone(),
                seat: e.register.seat.clone(),
                items,
                amount: e.total(),
                notes,
            }
        })
        .collect()
}

/// Every payable line with its draft, in notification order.
pub fn items(report: &MatchReport) -> Vec<ItemRow> {
    let n = names();
    let mut out = Vec::new();
    for e in &report.enterprises {
        for l in &e.lines {
            let (Disposition::Payable { draft }, Some(line), Some(m)) =
                (&l.disposition, &l.line, mention(report, l))
            else {
                continue;
            };
            out.push(ItemRow {
                district_zh: district(e),
                fiscal_unit: e.applicant.fiscal_unit.clone(),
                name: e.register.name.clone(),
                credit_code: e.register.credit_code.clone(),
                item: line.item.clone(),
                item_zh: n.item_zh(&line.item).to_string(),
                variant_zh: n.variant_zh(&line.item, &line.variant).to_string(),
                clause: line.clause.clone(),
                subject: line.subject.clone(),
                title: m.proposal.title.clone(),
                date: line.date.clone(),
                role_zh: m
                    .proposal
                    .role
                    .map(|r| r.zh())
                    .unwrap_or_default()
                    .to_string(),
                rank: m.rank,
                outcome: m.outcome.code().to_string(),
                confidence: m.outcome.confidence(),
                source: m.place(),
                amount: line.payable,
                registry_key: line
                    .registry_key
                    .as_ref()
                    .map(|k| k.as_str().to_string())
                    .unwrap_or_default(),
                idempotency_key: draft.idempotency_key.clone(),
                explanation_zh: line.explanation_zh.clone(),
            });
        }
    }
    out
}

/// The drafts, in notification order.
pub fn drafts(report: &MatchReport) -> Vec<&Draft> {
    report
        .enterprises
        .iter()
        .flat_map(|e| e.lines.iter())
        .filter_map(|l| match &l.disposition {
            Disposition::Payable { draft } => Some(draft),
            _ => None,
        })
        .collect()
}

/// The mentions a reviewer must decide, in input order.
pub fn review(report: &MatchReport, index: &RegisterIndex) -> Vec<ReviewRow> {
    let n = names();
    report
        .mentions
        .iter()
        .filter(|m| m.outcome.accepted().is_none())
        .map(|m| {
            let (note_zh, note_en) = m.outcome.explain();
            let candidates: Vec<String> = m
                .outcome
                .candidates()
                .iter()
                .filter_map(|id| index.get(*id))
                .map(|e| format!("{}（{}，{}）", e.name, e.credit_code, e.seat))
                .collect();
            ReviewRow {
                source: m.place(),
                feed_zh: m.feed.layout().title_zh.to_string(),
                unit: m.unit.name.clone(),
                unit_code: m.unit.code.clone().unwrap_or_default(),
                rank: m.rank,
                role_zh: m
                    .proposal
                    .role
                    .map(|r| r.zh())
                    .unwrap_or_default()
                    .to_string(),
                item_zh: n.item_zh(m.proposal.item).to_string(),
                variant_zh: n
                    .variant_zh(m.proposal.item, m.proposal.variant)
                    .to_string(),
                subject: m.proposal.subject.clone(),
                date: m.proposal.date.clone(),
                outcome: m.outcome.code().to_string(),
                basis: m.outcome.basis_code().to_string(),
                confidence: m.outcome.confidence(),
                candidates: candidates.join("；"),
                note_zh: note_zh.to_string(),
                note_en: note_en.to_string(),
            }
        })
        .collect()
}

/// Assessed lines that are not notified: `held` selects the lines the
/// registry already holds, otherwise those not payable, duplicated or
/// refused.
pub fn other_lines(report: &MatchReport, held: bool) -> Vec<LineRow> {
    let n = names();
    let mut out = Vec::new();
    for e in &report.enterprises {
        for l in &e.lines {
            let is_held = matches!(l.disposition, Disposition::AlreadyHeld);
            if matches!(l.disposition, Disposition::Payable { .. }) || is_held != held {
                continue;
            }
            let Some(m) = mention(report, l) else {
                continue;
            };
            let (reason, zh, en) = match (&l.disposition, &l.line) {
                (Disposition::Error { failure }, _) => (
                    failure.code.clone(),
                    failure.message_zh.clone(),
                    failure.message_en.clone(),
                ),
                (Disposition::DuplicateInMatch, _) => (
                    "DUPLICATE_IN_MATCH".to_string(),
                    "本次匹配中已有同一一次性资助键的事项".to_string(),
                    "an earlier line of this match has the same one-time key".to_string(),
                ),
                (Disposition::NotYetCompleted { today }, _) => (
                    "ACHIEVEMENT_IN_FUTURE".to_string(),
                    format!(
                        "完成日期{}晚于今天({today}):成果完成后方可申报,届时再提示",
                        m.proposal.date
                    ),
                    format!(
                        "dated {}, after today ({today}): it can be claimed once completed, and is proposed then",
                        m.proposal.date
                    ),
                ),
                (Disposition::EditionUnnamed, _) => (
                    "STANDARD_YEAR_MISSING".to_string(),
                    format!(
                        "标准编号{}没有年代号:同一标准的各版本以年代号区分,登记系统只受理写明年代号的申报;数据中补上年代号后再提示",
                        m.proposal.subject
                    ),
                    format!(
                        "the standard number {} has no year: editions differ by their year and the registry takes only claims that give it; proposed once the data gives the year",
                        m.proposal.subject
                    ),
                ),
                (Disposition::EditionNotPublished { today }, _) => (
                    "STANDARD_YEAR_IN_FUTURE".to_string(),
                    format!(
                        "标准编号{}的年代号晚于今年({}年):该版本尚未发布,登记系统不受理;请核对数据",
                        m.proposal.subject,
                        today.year()
                    ),
                    format!(
                        "the year of the standard number {} is after this year ({}): that edition is not published yet and the registry refuses it; check the data",
                        m.proposal.subject,
                        today.year()
                    ),
                ),
                (Disposition::AlreadyHeld, _) => (
                    "ALREADY_HELD".to_string(),
                    "登记系统已有该一次性资助键的申报".to_string(),
                    "the registry already holds a claim with this one-time key".to_string(),
                ),
                (_, Some(line)) => (
                    line.reason_code.clone(),
                    line.explanation_zh.clone(),
                    line.explanation_en.clone(),
                ),
                (_, None) => (String::new(), String::new(), String::new()),
            };
            let line = l.line.as_ref();
            out.push(LineRow {
                district_zh: e.applicant.fiscal_unit_name_zh.clone(),
                name: e.register.name.clone(),
                credit_code: e.register.credit_code.clone(),
                item_zh: n.item_zh(m.proposal.item).to_string(),
                variant_zh: n
                    .variant_zh(m.proposal.item, m.proposal.variant)
                    .to_string(),
                subject: line.map_or_else(|| m.proposal.subject.clone(), |l| l.subject.clone()),
                date: m.proposal.date.clone(),
                disposition: l.disposition.code().to_string(),
                reason,
                explanation_zh: zh,
                explanation_en: en,
                registry_key: line
                    .and_then(|l| l.registry_key.as_ref())
                    .map(|k| k.as_str().to_string())
                    .unwrap_or_default(),
                source: m.place(),
            });
        }
    }
    out
}

/// The summary by district and item, in fiscal-unit then clause order.
pub fn summary(report: &MatchReport) -> Vec<SummaryRow> {
    let n = names();
    let mut cells: BTreeMap<(String, usize, String), SummaryRow> = BTreeMap::new();
    for e in &report.enterprises {
        let mut counted: Vec<&str> = Vec::new();
        for l in &e.lines {
            let (Disposition::Payable { .. }, Some(line)) = (&l.disposition, &l.line) else {
                continue;
            };
            let key = (
                e.applicant.fiscal_unit.clone(),
                n.item_order(&line.item),
                line.item.clone(),
            );
            let row = cells.entry(key).or_insert_with(|| SummaryRow {
                fiscal_unit: e.applicant.fiscal_unit.clone(),
                district_zh: district(e),
                item: line.item.clone(),
                item_zh: n.item_zh(&line.item).to_string(),
                enterprises: 0,
                lines: 0,
                amount: Decimal::ZERO,
            });
            row.lines = row.lines.saturating_add(1);
            row.amount = row.amount.saturating_add(line.payable);
            if !counted.contains(&line.item.as_str()) {
                counted.push(&line.item);
                row.enterprises = row.enterprises.saturating_add(1);
            }
        }
    }
    cells.into_values().collect()
}

/// The counts.
pub fn stats(report: &MatchReport) -> Stats {
    let mut s = Stats {
        rows: report.rows.clone(),
        mentions: report.mentions.len(),
        ..Stats::default()
    };
    for m in &report.mentions {
        let c = s.outcomes.entry(m.outcome.code()).or_default();
        *c = c.saturating_add(1);
        if m.outcome.accepted().is_none() {
            s.review = s.review.saturating_add(1);
        }
    }
    for e in &report.enterprises {
        if e.has_payable() {
            s.enterprises_notified = s.enterprises_notified.saturating_add(1);
        }
        for l in &e.lines {
            match l.disposition {
                Disposition::Payable { .. } => {
                    s.payable_lines = s.payable_lines.saturating_add(1);
                    s.total = s.total.saturating_add(l.amount());
                }
                Disposition::AlreadyHeld => s.already_held = s.already_held.saturating_add(1),
                _ => s.not_payable = s.not_payable.saturating_add(1),
            }
        }
    }
    s
}

/// The item ids in clause order, for summary columns.
pub fn item_order() -> &'static [&'static str] {
    rules_adapter::ITEM_ORDER
}

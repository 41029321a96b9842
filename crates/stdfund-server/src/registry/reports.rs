//! Reports: counts and amounts by year, fiscal unit, clause and item; the
//! same as an XLSX workbook with charts for a leader; progress toward the
//! 2020 targets (counted by the rules crate from the ruleset's data); the
//! audit log and its hash-chain verification.

use super::finance::file;
use super::{Registry, convert, input};
use crate::auth::{Principal, Role};
use crate::exports::{Cell, ChartSpec, Sheet};
use crate::registry_error::RegistryError;
use std::collections::{BTreeMap, BTreeSet};
use stdfund_proto::pb;
use stdfund_rules::claim::{self, CountedClaim};
use stdfund_rules::money::Money;
use stdfund_rules::ruleset::TargetVisibility;
use stdfund_store::{AuditFilter, ReportFilter, ReportRow};

/// The last achievement date GetTargetProgress counts by default.
pub const TARGETS_END: &str = "2020-12-31";

/// Sums of a group of report rows.
#[derive(Clone, Debug, Default)]
struct Figures {
    claims: i64,
    submitted: i64,
    returned: i64,
    withdrawn: i64,
    approved: i64,
    rejected: i64,
    disbursed: i64,
    approved_amount: Money,
    paid: Money,
    municipal: Money,
    district: Money,
}

impl Figures {
    fn add(&mut self, r: &ReportRow) -> Result<(), RegistryError> {
        let o = || RegistryError::internal("report sums overflow");
        self.claims = self.claims.checked_add(r.claims).ok_or_else(o)?;
        self.submitted = self.submitted.checked_add(r.submitted).ok_or_else(o)?;
        self.returned = self.returned.checked_add(r.returned).ok_or_else(o)?;
        self.withdrawn = self.withdrawn.checked_add(r.withdrawn).ok_or_else(o)?;
        self.approved = self.approved.checked_add(r.approved).ok_or_else(o)?;
        self.rejected = self.rejected.checked_add(r.rejected).ok_or_else(o)?;
        self.disbursed = self.disbursed.checked_add(r.disbursed).ok_or_else(o)?;
        self.approved_amount = self
            .approved_amount
            .checked_add(r.approved_amount)
            .ok_or_else(o)?;
        self.paid = self.paid.checked_add(r.paid).ok_or_else(o)?;
        self.municipal = self.municipal.checked_add(r.municipal_paid).ok_or_else(o)?;
        self.district = self.district.checked_add(r.district_paid).ok_or_else(o)?;
        Ok(())
    }

    fn pb(&self) -> pb::ReportFigures {
        pb::ReportFigures {
            claims: self.claims,
            submitted: self.submitted,
            approved: self.approved,
            rejected: self.rejected,
            disbursed: self.disbursed,
            approved_amount: self.approved_amount.to_canonical(),
            municipal_share: self.municipal.to_canonical(),
            district_share: self.district.to_canonical(),
            returned: self.returned,
            withdrawn: self.withdrawn,
            paid_amount: self.paid.to_canonical(),
        }
    }
}

/// Rows summed by a key, in key order.
fn group<K: Ord>(
    rows: &[ReportRow],
    key: impl Fn(&ReportRow) -> K,
) -> Result<BTreeMap<K, (Figures, BTreeSet<String>)>, RegistryError> {
    let mut out: BTreeMap<K, (Figures, BTreeSet<String>)> = BTreeMap::new();
    for r in rows {
        let e = out.entry(key(r)).or_default();
        e.0.add(r)?;
        e.1.insert(r.item.clone());
    }
    Ok(out)
}

impl Registry {
    /// GetReport.
    pub async fn report(
        &self,
        req: pb::GetReportRequest,
    ) -> Result<pb::GetReportResponse, RegistryError> {
        let book = self.book();
        let filter = ReportFilter {
            year: input::year_filter(book, req.year, "year")?,
            fiscal_unit: input::fiscal_unit_filter(book, &req.fiscal_unit, "fiscal_unit")?,
            clause: input::clause_filter(book, &req.clause, "clause")?,
            item: input::item_filter(book, &req.item, "item")?,
        };
        let rows = self.inner.store.report(&filter).await?;
        let mut total = Figures::default();
        for r in &rows {
            total.add(r)?;
        }
        let by_item = req.by_item;
        let grouped = group(&rows, |r| {
            (
                r.year,
                r.fiscal_unit.clone(),
                r.clause.clone(),
                if by_item {
                    r.item.clone()
                } else {
                    String::new()
                },
            )
        })?;
        let out = grouped
            .into_iter()
            .map(|((year, unit, clause, _), (f, items))| {
                let item = match items.len() {
                    1 => items.into_iter().next().unwrap_or_default(),
                    _ => String::new(),
                };
                pb::ReportRow {
                    year,
                    fiscal_unit_name_zh: convert::fiscal_unit_name(book, &unit),
                    fiscal_unit: unit,
                    clause,
                    figures: Some(f.pb()),
                    item_name_zh: if item.is_empty() {
                        String::new()
                    } else {
                        convert::item_name(book, &item)
                    },
                    item,
                }
            })
            .collect();
        let budgets = self
            .budgets_reported(&rows, filter.year)
            .await?
            .iter()
            .map(|b| convert::budget(book, b))
            .collect();
        Ok(pb::GetReportResponse {
            rows: out,
            total: Some(total.pb()),
            budgets,
        })
    }

    /// Every budget of the years in `rows` (and `year`): by year, the city's
    /// first, then each fiscal unit's — a district's half-used budget blocks
    /// the next approval as surely as the city's (the eleventh user test
    /// missed them). One read of the budgets.
    async fn budgets_reported(
        &self,
        rows: &[ReportRow],
        year: Option<i32>,
    ) -> Result<Vec<stdfund_store::BudgetStatus>, RegistryError> {
        let years: BTreeSet<i32> = rows.iter().map(|r| r.year).chain(year).collect();
        let mut all = self.inner.store.budgets(None).await?;
        all.retain(|b| years.contains(&b.year));
        Ok(all)
    }

    /// ExportReport: the workbook a leader reads — by district, by item, by
    /// year, and the 2020 targets, each with a chart.
    pub async fn export_report(
        &self,
        req: pb::ExportReportRequest,
    ) -> Result<pb::ExportReportResponse, RegistryError> {
        let book = self.book();
        let year = input::year_filter(book, req.year, "year")?;
        let rows = self
            .inner
            .store
            .report(&ReportFilter {
                year,
                ..ReportFilter::default()
            })
            .await?;
        // Every status has its column, so that each row adds up to its
        // claims (the eleventh user test missed 退回补正 and 已撤回).
        let headers = [
            "申报数 Claims",
            "待审核 Submitted",
            "退回补正 Returned",
            "已核准 Approved",
            "已拨付 Disbursed",
            "已驳回 Rejected",
            "已撤回 Withdrawn",
            "核准金额(元) Approved",
            "已拨付金额(元) Paid",
        ];
        let figures = |f: &Figures| {
            vec![
                Cell::Int(f.claims),
                Cell::Int(f.submitted),
                Cell::Int(f.returned),
                Cell::Int(f.approved),
                Cell::Int(f.disbursed),
                Cell::Int(f.rejected),
                Cell::Int(f.withdrawn),
                Cell::Amount(f.approved_amount),
                Cell::Amount(f.paid),
            ]
        };
        let today = self.now()?.china_date();
        let title = match year {
            Some(y) => format!(
                "福州市标准化资助统计({y}年度,截至{today}) Standardization grants, {y}, as of {today}"
            ),
            None => format!(
                "福州市标准化资助统计(全部年度,截至{today}) Standardization grants, all years, as of {today}"
            ),
        };
        // Each sheet groups all the rows, so each sheet's total is theirs.
        let mut total = Figures::default();
        for r in &rows {
            total.add(r)?;
        }
        let sheet_of = |name: &str, first: &str, groups: Vec<(String, Figures)>| {
            let mut cols = vec![first];
            cols.extend(headers);
            let mut s = Sheet::new(name, &cols);
            s.preamble.push(title.clone());
            for (label, f) in groups {
                let mut row = vec![Cell::Text(label)];
                row.extend(figures(&f));
                s.rows.push(row);
            }
            let mut t = vec![Cell::Text("合计 Total".into())];
            t.extend(figures(&total));
            s.totals = Some(t);
            s.chart = Some(ChartSpec {
                title: format!("核准金额(元) Approved amount — {name}"),
                value_column: 8,
                label_column: 0,
            });
            s
        };
        let by_unit: Vec<(String, Figures)> = group(&rows, |r| r.fiscal_unit.clone())?
            .into_iter()
            .map(|(u, (f, _))| (convert::fiscal_unit_name(book, &u), f))
            .collect();
        // Items in the policy's order: by clause, then as the catalogue
        // lists them (not by their ids' spelling).
        let position = |item: &str| {
            book.rulesets()
                .iter()
                .rev()
                .find_map(|r| r.doc().items.iter().position(|i| i.id == item))
                .unwrap_or(usize::MAX)
        };
        let mut by_item: Vec<(String, String, Figures)> =
            group(&rows, |r| (r.clause.clone(), r.item.clone()))?
                .into_iter()
                .map(|((clause, i), (f, _))| (clause, i, f))
                .collect();
        by_item.sort_by_key(|(clause, i, _)| (clause.clone(), position(i)));
        let by_item: Vec<(String, Figures)> = by_item
            .into_iter()
            .map(|(_, i, f)| (convert::item_name(book, &i), f))
            .collect();
        let by_year: Vec<(String, Figures)> = group(&rows, |r| r.year)?
            .into_iter()
            .map(|(y, (f, _))| (format!("{y}年"), f))
            .collect();
        // Every budget of the years reported, as GetReport lists them.
        let mut budgets = Sheet::new(
            "预算执行",
            &[
                "年度 Year",
                "预算单位 Budget",
                "预算总额(元) Total",
                "已使用(元) Used",
                "剩余(元) Left",
            ],
        );
        budgets.preamble.push(title.clone());
        for b in self.budgets_reported(&rows, year).await? {
            let name = if b.payer == stdfund_store::CITY {
                "市级 City".to_string()
            } else {
                convert::payer_name(book, &b.payer)
            };
            budgets.rows.push(vec![
                Cell::Int(i64::from(b.year)),
                Cell::Text(name),
                Cell::Amount(b.total),
                Cell::Amount(b.used),
                Cell::Amount(b.left),
            ]);
        }
        let progress = self.progress(None, None).await?;
        let mut targets = Sheet::new(
            "2020目标",
            &[
                "目标 Target",
                "目标值 Figure",
                "已统计 Counted",
                "可统计程度 Visibility",
                "说明 Note",
            ],
        );
        for t in &progress.1 {
            targets.rows.push(vec![
                Cell::Text(t.name_zh.clone()),
                Cell::Int(i64::from(t.figure)),
                Cell::Int(t.achieved),
                Cell::Text(
                    match t.visibility {
                        TargetVisibility::Full => "全部",
                        TargetVisibility::Partial => "部分",
                        TargetVisibility::None => "无法统计",
                    }
                    .to_string(),
                ),
                Cell::Text(t.note_zh.clone()),
            ]);
        }
        targets.chart = Some(ChartSpec {
            title: "2020年工作目标进度 Progress toward the 2020 targets".into(),
            value_column: 2,
            label_column: 0,
        });
        let sheets = vec![
            sheet_of("按县(市)区", "县(市)区 District", by_unit),
            sheet_of("按资助项目", "资助项目 Item", by_item),
            sheet_of("按年度", "年度 Year", by_year),
            budgets,
            targets,
        ];
        let stem = match year {
            Some(y) => format!("stdfund-report-{y}"),
            None => "stdfund-report".to_string(),
        };
        let (file_name, content_type, content) = file(&stem, pb::NoticeFormat::Xlsx, &sheets)?;
        Ok(pb::ExportReportResponse {
            file_name,
            content_type,
            content,
        })
    }

    /// The targets' ruleset and progress for a period of achievement dates.
    async fn progress(
        &self,
        from: Option<stdfund_rules::date::Date>,
        to: Option<stdfund_rules::date::Date>,
    ) -> Result<
        (
            &'static stdfund_rules::Ruleset,
            Vec<claim::TargetProgress>,
            stdfund_rules::date::Date,
            stdfund_rules::date::Date,
        ),
        RegistryError,
    > {
        let book = self.book();
        let ruleset = book
            .rulesets()
            .iter()
            .rev()
            .find(|r| !r.doc().targets2020.is_empty())
            .ok_or_else(|| RegistryError::internal("no ruleset defines the 2020 targets"))?;
        let from = from.unwrap_or_else(|| ruleset.effective_from());
        let to = match to {
            Some(t) => t,
            None => input::date(TARGETS_END, "period_to")?,
        };
        if from > to {
            return Err(RegistryError::invalid(
                "INVALID_DATE",
                "period_to",
                "统计截止日期早于起始日期",
                "period_to is before period_from",
            ));
        }
        let claims = self.inner.store.approved_claims(None, None).await?;
        let counted: Vec<CountedClaim<'_>> = claims
            .iter()
            .filter(|c| c.filing.achievement_date >= from && c.filing.achievement_date <= to)
            .map(|c| CountedClaim {
                item: &c.filing.item,
                variant: &c.filing.variant,
                subject: &c.filing.subject,
            })
            .collect();
        Ok((ruleset, claim::target_progress(ruleset, &counted), from, to))
    }

    /// GetTargetProgress.
    pub async fn target_progress(
        &self,
        req: pb::GetTargetProgressRequest,
    ) -> Result<pb::GetTargetProgressResponse, RegistryError> {
        let from = input::date_filter(&req.period_from, "period_from")?;
        let to = input::date_filter(&req.period_to, "period_to")?;
        let (ruleset, targets, from, to) = self.progress(from, to).await?;
        Ok(pb::GetTargetProgressResponse {
            ruleset: Some(stdfund_proto::convert::ruleset_ref(ruleset)),
            period_from: from.to_string(),
            period_to: to.to_string(),
            targets: targets
                .into_iter()
                .map(|t| pb::TargetProgress {
                    target_id: t.id,
                    name_zh: t.name_zh,
                    name_en: t.name_en,
                    figure: t.figure,
                    unit_zh: t.unit_zh,
                    visibility: match t.visibility {
                        TargetVisibility::Full => pb::TargetVisibility::Full,
                        TargetVisibility::Partial => pb::TargetVisibility::Partial,
                        TargetVisibility::None => pb::TargetVisibility::None,
                    } as i32,
                    achieved: t.achieved,
                    counted: t.counted,
                    note_zh: t.note_zh,
                    note_en: t.note_en,
                })
                .collect(),
        })
    }

    /// ListAuditLog: admins list every entry; reviewers and finance the
    /// entries of one claim (its history).
    pub async fn audit(
        &self,
        who: &Principal,
        req: pb::ListAuditLogRequest,
    ) -> Result<pb::ListAuditLogResponse, RegistryError> {
        let size = input::page_size(req.page_size, input::DEFAULT_AUDIT_PAGE)?;
        let claim_id = match req.claim_id {
            0 => None,
            id if id > 0 => Some(id),
            _ => {
                return Err(RegistryError::invalid(
                    "INVALID_ARGUMENT",
                    "claim_id",
                    "申报编号不能为负数",
                    "claim_id must not be negative",
                ));
            }
        };
        if who.role != Role::Admin && claim_id.is_none() {
            return Err(RegistryError::Auth(crate::auth::AuthError::WholeAuditLog {
                role: who.role,
            }));
        }
        let from = input::date_filter(&req.from_date, "from_date")?;
        let to = input::date_filter(&req.to_date, "to_date")?;
        let filter = AuditFilter {
            claim_id,
            actor: input::filter_text(&req.actor, "actor")?,
            action: convert::action_filter(req.action)?,
            from: from.map(input::china_day_start).transpose()?.flatten(),
            to: to
                .and_then(|d| d.next_day())
                .map(input::china_day_start)
                .transpose()?
                .flatten(),
            newest_first: req.newest_first,
        };
        let cursor = input::page_token(&req.page_token)?;
        let page = self
            .inner
            .store
            .audit_log(&filter, cursor.as_deref(), size)
            .await?;
        Ok(pb::ListAuditLogResponse {
            entries: page.items.into_iter().map(convert::audit_entry).collect(),
            next_page_token: page.next_cursor.unwrap_or_default(),
        })
    }

    /// VerifyAuditLog.
    pub async fn verify_audit(&self) -> Result<pb::VerifyAuditLogResponse, RegistryError> {
        let v = self.inner.store.verify_audit().await?;
        let intact = v.is_intact();
        let diverging = v.claims.first_diverging;
        let budget = v.budgets.first_diverging;
        let record = v.records.first_diverging;
        Ok(pb::VerifyAuditLogResponse {
            intact,
            entries_checked: v.entries_checked,
            first_broken_entry_id: v.first_broken.as_ref().map_or(0, |b| b.0),
            first_diverging_claim_id: diverging.as_ref().map_or(0, |d| d.0),
            first_diverging_budget: budget.as_ref().map(|b| b.0.clone()).unwrap_or_default(),
            problem: v
                .first_broken
                .map(|b| b.1)
                .or(diverging.map(|d| d.1))
                .or(budget.map(|b| b.1))
                .or(record.as_ref().map(|r| r.1.clone()))
                .unwrap_or_default(),
            first_diverging_record: record.map(|r| r.0).unwrap_or_default(),
            head_hash: v.head_hash,
            claims_checked: v.claims.checked,
            claims_unverifiable: v.claims.unverifiable,
            unverifiable_claim_ids: v.claims.unverifiable_named,
            budgets_checked: v.budgets.checked,
            unverifiable_budgets: v.budgets.unverifiable_named,
            records_checked: v.records.checked,
            unverifiable_records: v.records.unverifiable_named,
            sealed_from_entry: v.seals.sealed_from.unwrap_or_default(),
            seals_key_id: v.seals.key_id.unwrap_or_default(),
        })
    }
}

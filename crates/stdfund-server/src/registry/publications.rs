//! The public notice (公示): the v1 export of a year's approved claims, and
//! publications with a notice period, frozen once issued, with the
//! objections received during the period and their resolution.

use super::finance::file;
use super::{Registry, actor, convert, input};
use crate::auth::Principal;
use crate::exports::{Cell, Sheet};
use crate::registry_error::RegistryError;
use stdfund_proto::pb;
use stdfund_rules::money::Money;
use stdfund_store::{Claim, NewObjection, NewPublication, ObjectionOutcome, PublicationEntry};

/// Longest publication title, contact and objector, characters.
const MAX_TITLE_CHARS: usize = 200;
/// Longest objection content and resolution, characters.
const MAX_CONTENT_CHARS: usize = 2000;
/// Longest notice period, working days.
const MAX_WORKING_DAYS: i32 = 30;

/// The header of a publication list.
const HEADERS: [&str; 9] = [
    "序号 No.",
    "申报编号 Claim",
    "单位名称 Unit",
    "统一社会信用代码 Credit code",
    "所在地 Fiscal unit",
    "资助项目 Item",
    "条款 Clause",
    "标的 Subject",
    "资助金额(元) Amount",
];

impl Registry {
    /// The lines of a list from claims, numbered from 1.
    fn entries(&self, claims: &[&Claim]) -> Vec<PublicationEntry> {
        let book = self.book();
        claims
            .iter()
            .enumerate()
            .map(|(i, c)| PublicationEntry {
                row: i32::try_from(i.saturating_add(1)).unwrap_or(i32::MAX),
                claim_id: c.id,
                unit_name: c.filing.unit_name.clone(),
                credit_code: c.filing.credit_code.clone(),
                fiscal_unit: c.filing.fiscal_unit.clone(),
                fiscal_unit_name_zh: convert::fiscal_unit_name(book, &c.filing.fiscal_unit),
                item: c.filing.item.clone(),
                item_name_zh: convert::item_name(book, &c.filing.item),
                clause: c.filing.clause.clone(),
                subject: c.filing.subject.clone(),
                amount: c.amount(),
            })
            .collect()
    }

    /// ExportPublicNotice (v1): every approved or disbursed claim of a year.
    pub async fn export_notice(
        &self,
        req: pb::ExportPublicNoticeRequest,
    ) -> Result<pb::ExportPublicNoticeResponse, RegistryError> {
        if req.year == 0 {
            return Err(RegistryError::missing("year"));
        }
        let year = input::year(self.book(), req.year, "year")?;
        let format = input::format(req.format, "format")?;
        let unit = input::fiscal_unit_filter(self.book(), &req.fiscal_unit, "fiscal_unit")?;
        let claims = self
            .inner
            .store
            .approved_claims(Some(year), unit.as_deref())
            .await?;
        let refs: Vec<&Claim> = claims.iter().collect();
        let entries = self.entries(&refs);
        let stem = match &unit {
            None => format!("stdfund-public-notice-{year}"),
            Some(u) => format!("stdfund-public-notice-{year}-{u}"),
        };
        let sheet = list_sheet("公示名单", Vec::new(), &entries)?;
        let (file_name, content_type, content) = file(&stem, format, &[sheet])?;
        Ok(pb::ExportPublicNoticeResponse {
            file_name,
            content_type,
            content,
            entries: entries.iter().map(convert::notice_entry).collect(),
        })
    }

    /// CreatePublication: a draft of approved claims for a notice period.
    pub async fn create_publication(
        &self,
        who: &Principal,
        req: pb::CreatePublicationRequest,
    ) -> Result<pb::CreatePublicationResponse, RegistryError> {
        let book = self.book();
        let title = input::text(
            &req.title,
            "title",
            true,
            MAX_TITLE_CHARS,
            "公示标题",
            "title",
        )?;
        let year = input::year(book, req.year, "year")?;
        let unit = input::fiscal_unit_filter(self.book(), &req.fiscal_unit, "fiscal_unit")?;
        let period_start = input::date(&req.period_start, "period_start")?;
        if !(1..=MAX_WORKING_DAYS).contains(&req.working_days) {
            return Err(RegistryError::invalid(
                "INVALID_ARGUMENT",
                "working_days",
                format!("公示期应为1至{MAX_WORKING_DAYS}个工作日"),
                format!("the notice period is 1 to {MAX_WORKING_DAYS} working days"),
            ));
        }
        let period_end = stdfund_rules::claim::notice_period_end(
            period_start,
            u32::try_from(req.working_days).unwrap_or(0),
        )
        .ok_or_else(|| {
            RegistryError::invalid(
                "INVALID_DATE",
                "period_start",
                format!(
                    "公示期自{period_start}起{}个工作日,将超出9999-12-31",
                    req.working_days
                ),
                format!(
                    "a notice period of {} working days from {period_start} would end after 9999-12-31",
                    req.working_days
                ),
            )
        })?;
        let contact = input::text(
            &req.objection_contact,
            "objection_contact",
            true,
            MAX_TITLE_CHARS,
            "异议受理联系方式",
            "objection contact",
        )?;
        let candidates = self
            .inner
            .store
            .approved_claims(Some(year), unit.as_deref())
            .await?;
        let chosen: Vec<&Claim> = if req.claim_ids.is_empty() {
            let published = self.inner.store.published_claim_ids(year).await?;
            candidates
                .iter()
                .filter(|c| !published.contains(&c.id))
                .collect()
        } else {
            let mut out = Vec::with_capacity(req.claim_ids.len());
            for id in &req.claim_ids {
                let c = candidates.iter().find(|c| c.id == *id).ok_or_else(|| {
                    RegistryError::invalid(
                        "NOT_PUBLISHABLE",
                        "claim_ids",
                        format!("申报{id}不是{year}年度已核准或已拨付的申报,不能公示"),
                        format!("claim {id} is not an approved or disbursed claim of {year}"),
                    )
                })?;
                if out.iter().any(|x: &&Claim| x.id == c.id) {
                    continue;
                }
                out.push(c);
            }
            out
        };
        if chosen.is_empty() {
            return Err(RegistryError::invalid(
                "NOTHING_TO_PUBLISH",
                "claim_ids",
                format!("{year}年度没有尚未公示的已核准申报"),
                format!("{year} has no approved claim that is not yet published"),
            ));
        }
        let now = self.now()?;
        let p = self
            .inner
            .store
            .create_publication(
                NewPublication {
                    title,
                    year,
                    fiscal_unit: unit,
                    period_start,
                    period_end,
                    working_days: req.working_days,
                    objection_contact: contact,
                    entries: self.entries(&chosen),
                },
                &actor(who),
                &now,
            )
            .await?;
        tracing::info!(publication_id = p.id, by = %who.name, lines = p.entries.len(), "publication drafted");
        Ok(pb::CreatePublicationResponse {
            publication: Some(convert::publication(&p)),
        })
    }

    /// IssuePublication.
    pub async fn issue_publication(
        &self,
        who: &Principal,
        req: pb::IssuePublicationRequest,
    ) -> Result<pb::IssuePublicationResponse, RegistryError> {
        let id = input::id(req.publication_id, "publication_id")?;
        let now = self.now()?;
        let p = self
            .inner
            .store
            .issue_publication(id, &actor(who), &now)
            .await?;
        tracing::info!(publication_id = p.id, by = %who.name, "publication issued");
        Ok(pb::IssuePublicationResponse {
            publication: Some(convert::publication(&p)),
        })
    }

    /// GetPublication.
    pub async fn get_publication(
        &self,
        req: pb::GetPublicationRequest,
    ) -> Result<pb::GetPublicationResponse, RegistryError> {
        let id = input::id(req.publication_id, "publication_id")?;
        let p = self.inner.store.publication(id).await?;
        Ok(pb::GetPublicationResponse {
            publication: Some(convert::publication(&p)),
        })
    }

    /// ListPublications.
    pub async fn list_publications(
        &self,
        req: pb::ListPublicationsRequest,
    ) -> Result<pb::ListPublicationsResponse, RegistryError> {
        let year = input::year_filter(self.book(), req.year, "year")?;
        let list = self.inner.store.publications(year).await?;
        Ok(pb::ListPublicationsResponse {
            publications: list.iter().map(convert::publication).collect(),
        })
    }

    /// ExportPublication: the list with its period, contact and totals.
    pub async fn export_publication(
        &self,
        req: pb::ExportPublicationRequest,
    ) -> Result<pb::ExportPublicationResponse, RegistryError> {
        let id = input::id(req.publication_id, "publication_id")?;
        let format = input::format(req.format, "format")?;
        let p = self.inner.store.publication(id).await?;
        let preamble = vec![
            p.title.clone(),
            format!(
                "公示期 Notice period:{} 至 {}({} 个工作日 working days)",
                p.period_start, p.period_end, p.working_days
            ),
            format!("异议受理 Objections to:{}", p.objection_contact),
        ];
        let sheet = list_sheet("公示名单", preamble, &p.entries)?;
        let (file_name, content_type, content) =
            file(&format!("stdfund-publication-{}", p.id), format, &[sheet])?;
        Ok(pb::ExportPublicationResponse {
            file_name,
            content_type,
            content,
        })
    }

    /// RecordObjection.
    pub async fn record_objection(
        &self,
        who: &Principal,
        req: pb::RecordObjectionRequest,
    ) -> Result<pb::RecordObjectionResponse, RegistryError> {
        let o = NewObjection {
            publication_id: input::id(req.publication_id, "publication_id")?,
            claim_id: input::id(req.claim_id, "claim_id")?,
            received_on: input::date(&req.received_on, "received_on")?,
            objector: input::text(&req.objector, "objector", true, 100, "异议人", "objector")?,
            contact: input::text(&req.contact, "contact", false, 100, "联系方式", "contact")?,
            content: input::text(
                &req.content,
                "content",
                true,
                MAX_CONTENT_CHARS,
                "异议内容",
                "objection",
            )?,
        };
        let now = self.now()?;
        let o = self
            .inner
            .store
            .record_objection(o, &actor(who), &now, now.china_date())
            .await?;
        tracing::info!(objection_id = o.id, publication_id = o.publication_id, by = %who.name, "objection recorded");
        Ok(pb::RecordObjectionResponse {
            objection: Some(convert::objection(&o)),
        })
    }

    /// ResolveObjection.
    pub async fn resolve_objection(
        &self,
        who: &Principal,
        req: pb::ResolveObjectionRequest,
    ) -> Result<pb::ResolveObjectionResponse, RegistryError> {
        let id = input::id(req.objection_id, "objection_id")?;
        let outcome = match pb::ObjectionOutcome::try_from(req.outcome) {
            Ok(pb::ObjectionOutcome::Upheld) => ObjectionOutcome::Upheld,
            Ok(pb::ObjectionOutcome::Dismissed) => ObjectionOutcome::Dismissed,
            _ => {
                return Err(RegistryError::invalid(
                    "INVALID_ENUM_VALUE",
                    "outcome",
                    "处理结论应为异议成立或异议不成立",
                    "outcome must be OBJECTION_OUTCOME_UPHELD or OBJECTION_OUTCOME_DISMISSED",
                ));
            }
        };
        let resolution = input::text(
            &req.resolution,
            "resolution",
            true,
            MAX_CONTENT_CHARS,
            "处理意见",
            "resolution",
        )?;
        // Whoever filed, resubmitted or approved the claim does not also
        // dismiss an objection against it (不相容职务分离): a dismissal lets
        // it be paid. Upholding one against one's own approval stops money,
        // and is left to anyone. (One already resolved is the store's
        // OBJECTION_RESOLVED.)
        let objection = self.inner.store.objection(id).await?;
        if outcome == ObjectionOutcome::Dismissed && objection.outcome.is_none() {
            let claim = self.inner.store.claim(objection.claim_id).await?;
            super::claims::own_approval(
                who,
                &claim,
                crate::registry_error::Duty::ResolveObjectionOwnApproval,
            )?;
            self.own_submission(who, &claim).await?;
        }
        let now = self.now()?;
        let o = self
            .inner
            .store
            .resolve_objection(id, outcome, resolution, &actor(who), &now)
            .await?;
        tracing::info!(objection_id = o.id, by = %who.name, "objection resolved");
        Ok(pb::ResolveObjectionResponse {
            objection: Some(convert::objection(&o)),
        })
    }
}

/// A list as a sheet, with a totals row.
fn list_sheet(
    name: &str,
    preamble: Vec<String>,
    entries: &[PublicationEntry],
) -> Result<Sheet, RegistryError> {
    let mut sheet = Sheet::new(name, &HEADERS);
    sheet.preamble = preamble;
    let mut total = Money::ZERO;
    for e in entries {
        total = total
            .checked_add(e.amount)
            .ok_or_else(|| RegistryError::internal("list total overflows"))?;
        sheet.rows.push(vec![
            Cell::Int(i64::from(e.row)),
            Cell::Int(e.claim_id),
            Cell::Text(e.unit_name.clone()),
            Cell::Id(e.credit_code.clone()),
            Cell::Text(e.fiscal_unit_name_zh.clone()),
            Cell::Text(e.item_name_zh.clone()),
            Cell::Text(e.clause.clone()),
            Cell::Text(e.subject.clone()),
            Cell::Amount(e.amount),
        ]);
    }
    let mut totals = vec![Cell::Text(format!("合计 Total({} 项)", entries.len()))];
    totals.extend(std::iter::repeat_n(Cell::Empty, 7));
    totals.push(Cell::Amount(total));
    sheet.totals = Some(totals);
    Ok(sheet)
}

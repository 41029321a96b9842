//! Finance: budgets per year and payer (the municipal budget, `CITY`, pays
//! every grant — 市级财政统一兑付 — and each district's budget covers its
//! district shares), disbursements with their guards, and the payment list.

use super::{Registry, actor, convert, input};
use crate::auth::Principal;
use crate::exports::{self, Cell, Sheet};
use crate::registry_error::RegistryError;
use stdfund_proto::pb;
use stdfund_rules::money::Money;
use stdfund_store::{CITY, PaymentInput};

impl Registry {
    /// SetBudget.
    pub async fn set_budget(
        &self,
        who: &Principal,
        req: pb::SetBudgetRequest,
    ) -> Result<pb::SetBudgetResponse, RegistryError> {
        let book = self.book();
        let year = input::year(book, req.year, "year")?;
        let payer = input::payer(book, &req.payer, "payer")?;
        let total = input::amount(&req.total, "total")?;
        let now = self.now()?;
        let b = self
            .inner
            .store
            .set_budget(year, &payer, total, &actor(who), &now)
            .await?;
        tracing::info!(year, payer = %payer, total = %b.total, by = %who.name, "budget set");
        Ok(pb::SetBudgetResponse {
            budget: Some(convert::budget(book, &b)),
        })
    }

    /// GetBudget.
    pub async fn get_budget(
        &self,
        req: pb::GetBudgetRequest,
    ) -> Result<pb::GetBudgetResponse, RegistryError> {
        let book = self.book();
        let year = input::year(book, req.year, "year")?;
        let payer = input::payer(book, &req.payer, "payer")?;
        match self.inner.store.budget(year, &payer).await? {
            Some(b) => Ok(pb::GetBudgetResponse {
                budget: Some(convert::budget(book, &b)),
            }),
            None => Err(RegistryError::NoBudget { year, payer }),
        }
    }

    /// ListBudgets.
    pub async fn list_budgets(
        &self,
        req: pb::ListBudgetsRequest,
    ) -> Result<pb::ListBudgetsResponse, RegistryError> {
        let book = self.book();
        let year = input::year_filter(book, req.year, "year")?;
        let budgets = self.inner.store.budgets(year).await?;
        Ok(pb::ListBudgetsResponse {
            budgets: budgets.iter().map(|b| convert::budget(book, b)).collect(),
        })
    }

    /// RecordDisbursement: a payment of an approved claim. The store refuses
    /// a payment dated before the approval or after today (China time), a
    /// voucher the payer already used, and an amount above what is approved
    /// and unpaid.
    pub async fn disburse(
        &self,
        who: &Principal,
        req: pb::RecordDisbursementRequest,
    ) -> Result<pb::RecordDisbursementResponse, RegistryError> {
        let id = input::id(req.claim_id, "claim_id")?;
        let payment_date = input::date(&req.payment_date, "payment_date")?;
        let voucher = input::voucher(&req.voucher_number, "voucher_number")?;
        let amount = input::amount_filter(&req.amount, "amount")?;
        if amount.is_some_and(Money::is_zero) {
            return Err(RegistryError::invalid(
                "INVALID_AMOUNT",
                "amount",
                "支付金额必须大于0",
                "the amount paid must be above 0",
            ));
        }
        let payer = input::payer(self.book(), &req.payer, "payer")?;
        if payer != CITY {
            return Err(RegistryError::invalid(
                "INVALID_PAYER",
                "payer",
                "资助由市级财政统一兑付,付款单位只能是`CITY`",
                "grants are paid by the municipal treasury (市级财政统一兑付): the payer is CITY",
            ));
        }
        // Who approved a claim does not also record its payment (不相容职务
        // 分离): the store compares on the locked claim (PayOwnApproval).
        let now = self.now()?;
        let claim = self
            .inner
            .store
            .disburse(
                id,
                PaymentInput {
                    payment_date,
                    voucher,
                    payer,
                    amount,
                },
                &actor(who),
                &now,
                now.china_date(),
            )
            .await?;
        tracing::info!(claim_id = claim.id, by = %who.name, paid = %claim.paid, "disbursement recorded");
        Ok(pb::RecordDisbursementResponse {
            claim: Some(convert::claim(self.book(), &claim, true)?),
        })
    }

    /// ExportPayments: every recorded payment as CSV or XLSX.
    pub async fn export_payments(
        &self,
        req: pb::ExportPaymentsRequest,
    ) -> Result<pb::ExportPaymentsResponse, RegistryError> {
        let book = self.book();
        let year = input::year_filter(book, req.year, "year")?;
        let format = input::format(req.format, "format")?;
        let payments = self.inner.store.payments(year).await?;
        let mut sheet = Sheet::new(
            "拨付清单",
            &[
                "序号 No.",
                "申报编号 Claim",
                "单位名称 Unit",
                "统一社会信用代码 Credit code",
                "所在地 Fiscal unit",
                "资助项目 Item",
                "预算年度 Year",
                "支付日期 Payment date",
                "凭证号 Voucher",
                "付款单位 Payer",
                "支付金额(元) Amount",
                "市级承担(元) Municipal",
                "县(市)区承担(元) District",
            ],
        );
        sheet.preamble.push(match year {
            Some(y) => format!("福州市标准化资助拨付清单({y}年度) Payment list, {y}"),
            None => "福州市标准化资助拨付清单 Payment list".to_string(),
        });
        let mut sums = (Money::ZERO, Money::ZERO, Money::ZERO);
        let overflow = || RegistryError::internal("payment sums overflow");
        for (i, (p, c)) in payments.iter().enumerate() {
            sums = (
                sums.0.checked_add(p.amount).ok_or_else(overflow)?,
                sums.1.checked_add(p.municipal).ok_or_else(overflow)?,
                sums.2.checked_add(p.district).ok_or_else(overflow)?,
            );
            sheet.rows.push(vec![
                Cell::Int(i64::try_from(i.saturating_add(1)).unwrap_or(i64::MAX)),
                Cell::Int(c.id),
                Cell::Text(c.filing.unit_name.clone()),
                Cell::Id(c.filing.credit_code.clone()),
                Cell::Text(convert::fiscal_unit_name(book, &c.filing.fiscal_unit)),
                Cell::Text(convert::item_name(book, &c.filing.item)),
                Cell::Int(i64::from(c.filing.year)),
                Cell::Date(p.payment_date),
                Cell::Id(p.voucher.clone()),
                Cell::Text(convert::payer_name(book, &p.payer)),
                Cell::Amount(p.amount),
                Cell::Amount(p.municipal),
                Cell::Amount(p.district),
            ]);
        }
        let mut totals = vec![Cell::Text("合计 Total".into())];
        totals.extend(std::iter::repeat_n(Cell::Empty, 9));
        totals.extend([
            Cell::Amount(sums.0),
            Cell::Amount(sums.1),
            Cell::Amount(sums.2),
        ]);
        sheet.totals = Some(totals);
        let stem = match year {
            Some(y) => format!("stdfund-payments-{y}"),
            None => "stdfund-payments".to_string(),
        };
        let (file_name, content_type, content) = file(&stem, format, &[sheet])?;
        Ok(pb::ExportPaymentsResponse {
            file_name,
            content_type,
            content,
        })
    }
}

/// A file of sheets in a format: (name, media type, bytes). CSV carries the
/// first sheet.
pub(crate) fn file(
    stem: &str,
    format: pb::NoticeFormat,
    sheets: &[Sheet],
) -> Result<(String, String, Vec<u8>), RegistryError> {
    match format {
        pb::NoticeFormat::Xlsx => Ok((
            format!("{stem}.xlsx"),
            exports::XLSX_CONTENT_TYPE.to_string(),
            exports::xlsx(sheets).map_err(|e| RegistryError::internal(format!("xlsx: {e}")))?,
        )),
        _ => {
            let first = sheets
                .first()
                .ok_or_else(|| RegistryError::internal("no sheet to write"))?;
            Ok((
                format!("{stem}.csv"),
                exports::CSV_CONTENT_TYPE.to_string(),
                exports::csv(first).map_err(|e| RegistryError::internal(format!("csv: {e}")))?,
            ))
        }
    }
}

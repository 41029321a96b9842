//! Budgets per (year, payer), the approval budget checks, payments and their split.

use crate::error::ClaimAction;
use serde_json::json;
use stdfund_rules::date::Date;
use stdfund_rules::money::{Money, Ratio};

use super::{advisory_lock, claim_with_payments, lock_claim};
use crate::audit::{self, Record};
use crate::backend::{Backend, DbRow, Dialect, Stmt};
use crate::db::{Cx, FromDbRow, N, fen, money, opt_ts_col};
use crate::error::StoreError;
use crate::model::{
    Actor, AuditAction, BudgetStatus, CITY, Claim, ClaimId, ClaimStatus, FrozenSplit,
    ObjectionOutcome, Payment, PaymentInput, Timestamp,
};
use crate::records::{CLAIM_COLUMNS, Detail, PAYMENT_COLUMNS, PaymentWithClaim, claim_json};

/// A budget's identity; ordered (year, payer) so locks are always taken in one order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct BudgetKey {
    pub(crate) year: i32,
    pub(crate) payer: String,
}

impl BudgetKey {
    pub(crate) fn new(year: i32, payer: &str) -> BudgetKey {
        BudgetKey {
            year,
            payer: payer.to_owned(),
        }
    }
}

struct BudgetRow {
    year: i32,
    payer: String,
    total_fen: i64,
    updated_at: Option<Timestamp>,
}

impl FromDbRow for BudgetRow {
    fn from_row<R: DbRow>(r: &R) -> Result<Self, StoreError> {
        Ok(BudgetRow {
            year: r.i32("year")?,
            payer: r.text("payer")?,
            total_fen: r.i64("total_fen")?,
            updated_at: opt_ts_col(r, "updated_at")?,
        })
    }
}

const BUDGET: &str =
    "SELECT year, payer, total_fen, updated_at FROM budgets WHERE year = $1 AND payer = $2";
const BUDGET_FOR_UPDATE: &str = "SELECT year, payer, total_fen, updated_at FROM budgets \
    WHERE year = $1 AND payer = $2 FOR UPDATE";
const ALL_BUDGETS: &str = "SELECT year, payer, total_fen, updated_at FROM budgets \
    WHERE ($1 IS NULL OR year = $1)";

const USED_CITY: &str = "SELECT CAST(COALESCE(SUM(approved_amount_fen), 0) AS BIGINT) AS n \
    FROM claims WHERE year = $1 AND status IN ('APPROVED', 'DISBURSED')";
const USED_DISTRICT: &str = "SELECT CAST(COALESCE(SUM(district_fen), 0) AS BIGINT) AS n \
    FROM claims WHERE year = $1 AND split_fiscal_unit = $2 \
    AND status IN ('APPROVED', 'DISBURSED')";

/// What approvals use of a (year, payer) budget, in fen.
async fn used_fen<DB: Backend>(
    cx: &mut Cx<'_, DB>,
    year: i32,
    payer: &str,
) -> Result<i64, StoreError> {
    let N(used) = if payer == CITY {
        cx.one(Stmt::new(USED_CITY).bind(year)).await?
    } else {
        cx.one(Stmt::new(USED_DISTRICT).bind(year).bind(payer))
            .await?
    };
    Ok(used)
}

fn status(row: &BudgetRow, used: i64) -> Result<BudgetStatus, StoreError> {
    let total = money("total_fen", row.total_fen)?;
    let used = money("used", used)?;
    Ok(BudgetStatus {
        year: row.year,
        payer: row.payer.clone(),
        total,
        used,
        left: total.saturating_sub(used),
        updated_at: row.updated_at.clone(),
    })
}

/// A budget with its use; `None` when none is set.
pub(crate) async fn budget_status<DB: Backend>(
    cx: &mut Cx<'_, DB>,
    year: i32,
    payer: &str,
) -> Result<Option<BudgetStatus>, StoreError> {
    let row: Option<BudgetRow> = cx.opt(Stmt::new(BUDGET).bind(year).bind(payer)).await?;
    match row {
        None => Ok(None),
        Some(row) => {
            let used = used_fen(cx, year, payer).await?;
            status(&row, used).map(Some)
        }
    }
}

/// Every budget (of a year), by year, CITY first, then payers in byte order.
pub(crate) async fn budgets<DB: Backend>(
    cx: &mut Cx<'_, DB>,
    year: Option<i32>,
) -> Result<Vec<BudgetStatus>, StoreError> {
    let rows: Vec<BudgetRow> = cx.all(Stmt::new(ALL_BUDGETS).bind(year)).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let used = used_fen(cx, row.year, &row.payer).await?;
        out.push(status(&row, used)?);
    }
    out.sort_by(|a, b| {
        (a.year, a.payer != CITY, a.payer.as_bytes()).cmp(&(
            b.year,
            b.payer != CITY,
            b.payer.as_bytes(),
        ))
    });
    Ok(out)
}

/// Locks budgets for a check that must stay true until commit (PostgreSQL: an advisory lock
/// per key, which also covers a budget not yet set, then the rows; in key order).
pub(crate) async fn lock_budgets<DB: Backend>(
    cx: &mut Cx<'_, DB>,
    keys: &std::collections::BTreeSet<BudgetKey>,
) -> Result<(), StoreError> {
    if DB::DIALECT == Dialect::Postgres {
        for k in keys {
            advisory_lock(cx, &["budget", &k.year.to_string(), &k.payer]).await?;
        }
        for k in keys {
            let _: Option<BudgetRow> = cx
                .opt(Stmt::new(BUDGET_FOR_UPDATE).bind(k.year).bind(&k.payer))
                .await?;
        }
    }
    Ok(())
}

/// Checks that an approval of `amount` with `split` fits the CITY budget of `year` (which
/// must be set) and, when one is set, the district budget of the split's fiscal unit. The
/// caller holds the budgets' locks.
pub(crate) async fn check_approval<DB: Backend>(
    cx: &mut Cx<'_, DB>,
    year: i32,
    amount: Money,
    split: &FrozenSplit,
) -> Result<(), StoreError> {
    let city = budget_status(cx, year, CITY)
        .await?
        .ok_or_else(|| StoreError::BudgetNotSet {
            year,
            payer: CITY.to_owned(),
        })?;
    if amount > city.left {
        return Err(exceeded(city, amount));
    }
    if split.fiscal_unit != CITY
        && let Some(district) = budget_status(cx, year, &split.fiscal_unit).await?
        && split.district > district.left
    {
        return Err(exceeded(district, split.district));
    }
    Ok(())
}

fn exceeded(b: BudgetStatus, requested: Money) -> StoreError {
    StoreError::BudgetExceeded {
        year: b.year,
        payer: b.payer,
        total: b.total,
        used: b.used,
        left: b.left,
        requested,
    }
}

const UPSERT_BUDGET: &str = "INSERT INTO budgets (year, payer, total_fen, updated_at) \
    VALUES ($1, $2, $3, $4) \
    ON CONFLICT (year, payer) DO UPDATE SET total_fen = excluded.total_fen, \
        updated_at = excluded.updated_at";

fn budget_json(year: i32, payer: &str, total: Money) -> String {
    json!({"year": year, "payer": payer, "total": total.to_string()}).to_string()
}

pub(crate) async fn set_budget<DB: Backend>(
    cx: &mut Cx<'_, DB>,
    year: i32,
    payer: &str,
    total: Money,
    actor: &Actor,
    now: &Timestamp,
) -> Result<BudgetStatus, StoreError> {
    let key = BudgetKey::new(year, payer);
    lock_budgets(cx, &std::iter::once(key).collect()).await?;
    let before = budget_status(cx, year, payer).await?;
    let used = used_fen(cx, year, payer).await?;
    let used = money("used", used)?;
    if total < used {
        return Err(StoreError::BudgetBelowUsed {
            year,
            payer: payer.to_owned(),
            total,
            used,
        });
    }
    cx.exec(
        Stmt::new(UPSERT_BUDGET)
            .bind(year)
            .bind(payer)
            .bind(fen("total", total)?)
            .bind(now.as_str()),
    )
    .await?;
    audit::append(
        cx,
        actor,
        now,
        Record {
            claim_id: None,
            target: format!("budget:{year}:{payer}"),
            action: AuditAction::SetBudget,
            before: before.map(|b| budget_json(year, payer, b.total)),
            after: Some(budget_json(year, payer, total)),
        },
    )
    .await?;
    Ok(BudgetStatus {
        year,
        payer: payer.to_owned(),
        total,
        used,
        left: total.saturating_sub(used),
        updated_at: Some(now.clone()),
    })
}

/// The claim a voucher of the payer already paid: vouchers are one when
/// equal in upper case (the registry keeps them in one form otherwise,
/// `canon::identifier`, and takes no letter with case beyond ASCII, so
/// SQLite's `upper`, which folds ASCII letters only, and PostgreSQL's agree).
const VOUCHER_USER: &str = "SELECT claim_id AS n FROM payments \
    WHERE payer = $1 AND upper(voucher) = upper($2) ORDER BY id LIMIT 1";

const INSERT_PAYMENT: &str = "INSERT INTO payments (claim_id, payment_date, voucher, \
    voucher_seq, payer, amount_fen, municipal_fen, district_fen, paid_by, recorded_at) \
    VALUES ($1, $2, $3, 0, $4, $5, $6, $7, $8, $9) RETURNING id AS n";

const PAY_CLAIM: &str = "UPDATE claims SET paid_fen = paid_fen + $1, \
    status = CASE WHEN paid_fen + $1 = approved_amount_fen THEN 'DISBURSED' ELSE 'APPROVED' END, \
    updated_at = $2 WHERE id = $3 AND status = 'APPROVED'";

/// The district part of a payment of `amount` (fen) towards an approval whose frozen split
/// is `split`, after payments whose district parts sum to `district_paid`.
///
/// The part is the amount times the frozen district ratio, rounded half up, kept within
/// what both budgets still owe: never more than the district's rest nor the amount, and
/// never less than what leaves the municipal part within the municipal rest. The payment
/// that completes the claim therefore gets exactly the district's rest, and the parts of
/// all payments add up to the frozen split. A ratio the ruleset did not state (v1 data)
/// is taken as district / approved.
pub(crate) fn district_part(
    split: &FrozenSplit,
    approved: i64,
    unpaid: i64,
    district_paid: i64,
    amount: i64,
) -> Result<i64, StoreError> {
    let bad = || StoreError::corrupt("the frozen split and the payments do not add up");
    let district_rest = fen("split.district", split.district)?
        .checked_sub(district_paid)
        .filter(|r| *r >= 0)
        .ok_or_else(bad)?;
    let after = unpaid.checked_sub(amount).ok_or_else(bad)?;
    let low = district_rest.checked_sub(after).ok_or_else(bad)?.max(0);
    let high = amount.min(district_rest);
    let proportional = match Ratio::parse(&split.district_ratio) {
        Some(ratio) => Money::from_fen(amount)
            .and_then(|a| a.share(ratio))
            .and_then(Money::to_fen)
            .ok_or_else(bad)?,
        None => {
            // round_half_up(amount × district / approved) in integers.
            let num = i128::from(amount)
                .checked_mul(i128::from(fen("split.district", split.district)?))
                .and_then(|n| n.checked_mul(2))
                .and_then(|n| n.checked_add(i128::from(approved)))
                .ok_or_else(bad)?;
            let den = i128::from(approved)
                .checked_mul(2)
                .filter(|d| *d > 0)
                .ok_or_else(bad)?;
            i64::try_from(num.checked_div(den).ok_or_else(bad)?).map_err(|_| bad())?
        }
    };
    Ok(proportional.clamp(low, high.max(low)))
}

pub(crate) async fn disburse<DB: Backend>(
    cx: &mut Cx<'_, DB>,
    id: ClaimId,
    p: &PaymentInput,
    actor: &Actor,
    now: &Timestamp,
    today: Date,
) -> Result<Claim, StoreError> {
    let mut before = lock_claim(cx, id).await?;
    let allowed: &'static [ClaimStatus] = &[ClaimStatus::Approved];
    let approval = match before.approval() {
        Some(a) if before.status() == ClaimStatus::Approved => a.clone(),
        _ => {
            return Err(StoreError::InvalidState {
                claim_id: id,
                actual: before.status(),
                action: ClaimAction::Disburse,
                allowed,
            });
        }
    };
    // Who approved a claim does not also record its payment (不相容职务分离),
    // compared on the locked claim: a read before this transaction may predate
    // the approval (the eighth attack paid an approval being written).
    if approval.by == actor.subject {
        return Err(StoreError::PayOwnApproval {
            claim_id: id,
            actor: actor.subject.clone(),
        });
    }
    if let Some(o) = super::publish::blocking_objection(cx, id).await? {
        return Err(StoreError::ObjectionBlocksPayment {
            claim_id: id,
            objection_id: o.id,
            upheld: o.outcome == Some(ObjectionOutcome::Upheld),
        });
    }
    let approved_on = approval.at.china_date();
    if p.payment_date < approved_on {
        return Err(StoreError::PaymentBeforeApproval {
            approved_on,
            payment_date: p.payment_date,
        });
    }
    if p.payment_date > today {
        return Err(StoreError::PaymentInFuture {
            today,
            payment_date: p.payment_date,
        });
    }
    // Every spelling the lookup below reads as this voucher takes one lock.
    advisory_lock(cx, &["voucher", &p.payer, &p.voucher.to_uppercase()]).await?;
    let used: Option<N> = cx
        .opt(Stmt::new(VOUCHER_USER).bind(&p.payer).bind(&p.voucher))
        .await?;
    if let Some(N(claim_id)) = used {
        return Err(StoreError::VoucherReused {
            payer: p.payer.clone(),
            voucher: p.voucher.clone(),
            claim_id,
        });
    }
    let approved = fen("approved", approval.amount)?;
    let paid = fen("paid", before.paid)?;
    let unpaid = approved
        .checked_sub(paid)
        .filter(|u| *u >= 0)
        .ok_or_else(|| StoreError::corrupt(format!("claim {id} is paid beyond its approval")))?;
    let amount = match p.amount {
        Some(a) => fen("amount", a)?,
        None => unpaid,
    };
    if amount <= 0 || amount > unpaid {
        return Err(StoreError::PaymentExceedsUnpaid {
            unpaid: money("unpaid", unpaid)?,
            requested: money("amount", amount.max(0))?,
        });
    }
    before.payments = super::payments_of(cx, id).await?;
    let mut district_paid: i64 = 0;
    for earlier in &before.payments {
        district_paid = district_paid
            .checked_add(fen("district", earlier.district)?)
            .ok_or_else(|| StoreError::corrupt("payment sum overflow"))?;
    }
    let district = district_part(&approval.split, approved, unpaid, district_paid, amount)?;
    let municipal = amount
        .checked_sub(district)
        .ok_or_else(|| StoreError::corrupt("payment split overflow"))?;
    let N(payment_id) = cx
        .one(
            Stmt::new(INSERT_PAYMENT)
                .bind(id)
                .bind(p.payment_date.to_string())
                .bind(&p.voucher)
                .bind(&p.payer)
                .bind(amount)
                .bind(municipal)
                .bind(district)
                .bind(&actor.subject)
                .bind(now.as_str()),
        )
        .await?;
    let changed = cx
        .exec(
            Stmt::new(PAY_CLAIM)
                .bind(amount)
                .bind(now.as_str())
                .bind(id),
        )
        .await?;
    if changed != 1 {
        return Err(StoreError::Conflict {
            message: format!("claim {id} changed concurrently"),
        });
    }
    let after = claim_with_payments(cx, id).await?;
    audit::append(
        cx,
        actor,
        now,
        Record {
            claim_id: Some(id),
            target: format!("payment:{payment_id}"),
            action: AuditAction::Disburse,
            before: Some(claim_json(&before, Detail::State)),
            after: Some(claim_json(&after, Detail::State)),
        },
    )
    .await?;
    Ok(after)
}

pub(crate) async fn payments<DB: Backend>(
    cx: &mut Cx<'_, DB>,
    year: Option<i32>,
) -> Result<Vec<(Payment, Claim)>, StoreError> {
    let sql = format!(
        "SELECT {PAYMENT_COLUMNS}, {CLAIM_COLUMNS} FROM payments p \
         JOIN claims c ON c.id = p.claim_id WHERE ($1 IS NULL OR c.year = $1) ORDER BY p.id"
    );
    let rows: Vec<PaymentWithClaim> = cx.all(Stmt::assembled(sql, Vec::new()).bind(year)).await?;
    Ok(rows
        .into_iter()
        .map(|PaymentWithClaim(p, c)| (p, c))
        .collect())
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::arithmetic_side_effects,
        clippy::indexing_slicing
    )]
    use super::*;

    fn split(district: i64, total: i64, ratio: &str) -> FrozenSplit {
        FrozenSplit {
            fiscal_unit: "350102".into(),
            municipal: Money::from_fen(total - district).unwrap(),
            district: Money::from_fen(district).unwrap(),
            share_table_id: "t".into(),
            share_table_version: "1".into(),
            district_ratio: ratio.into(),
            provisional: false,
        }
    }

    /// Pays `parts` in order and returns the district parts.
    fn pay(s: &FrozenSplit, total: i64, parts: &[i64]) -> Vec<i64> {
        let mut paid = 0;
        let mut district_paid = 0;
        let mut out = Vec::new();
        for &a in parts {
            let d = district_part(s, total, total - paid, district_paid, a).unwrap();
            assert!((0..=a).contains(&d));
            paid += a;
            district_paid += d;
            out.push(d);
        }
        out
    }

    #[test]
    fn parts_add_up_to_the_frozen_split() {
        // 100.01 at 0.50: district 50.01 (rounded half up at approval).
        let s = split(5001, 10001, "0.50");
        assert_eq!(pay(&s, 10001, &[10001]), vec![5001]);
        let d = pay(&s, 10001, &[1, 1, 1, 9998]);
        assert_eq!(d.iter().sum::<i64>(), 5001);
        assert_eq!(d[0], 1, "0.01 × 0.5 rounds half up");
        // A frozen district below what rounding would give keeps the sums exact.
        let s = split(1, 3, "0.50");
        let d = pay(&s, 3, &[1, 1, 1]);
        assert_eq!(d.iter().sum::<i64>(), 1);
        // An unstated ratio (v1 data) splits proportionally.
        let s = split(3000, 10000, "");
        assert_eq!(pay(&s, 10000, &[5000, 5000]), vec![1500, 1500]);
        // A ratio of one third over odd amounts.
        let s = split(33_333, 100_000, "0.333333");
        let d = pay(&s, 100_000, &[33_333, 33_333, 33_334]);
        assert_eq!(d.iter().sum::<i64>(), 33_333);
    }
}

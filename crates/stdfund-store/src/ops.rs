//! The registry's logic, written once for both backends.
//!
//! Each function here runs on an [`Exec`] (a connection or an open transaction) and is called
//! by [`crate::sqlite`] and [`crate::postgres`] inside the transaction each backend opens.
//! State-changing functions append their audit row on the same connection, so the change and
//! its audit row commit or roll back together.
//!
//! Concurrency model:
//! * SQLite: writers start with `BEGIN IMMEDIATE`, which takes the database write lock up
//!   front, so writes are serialised and every read inside a write sees the latest state.
//! * PostgreSQL: `READ COMMITTED`; the claim row is locked with `SELECT … FOR UPDATE` before a
//!   transition and the year's budget row before an approval, so concurrent approvals of one
//!   year are serialised and each sees the previous one's committed amount. The one-time rule
//!   and idempotency rest on unique indexes with `INSERT … ON CONFLICT DO NOTHING`, which waits
//!   for a concurrent inserter of the same key and then yields to it.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::error::StoreError;
use crate::model::{
    Actor, AuditAction, AuditEntry, BudgetStatus, Claim, ClaimFilter, ClaimId, ClaimStatus,
    Decision, Disbursement, NewClaim, Page, ReportFilter, ReportRow, SubmitOutcome,
};
use crate::money::{fen_to_yuan, yuan_to_fen};
use crate::sql::{DbRow, Dialect, Exec, FromDbRow, args, claim_columns};
use crate::validate;

// ---------------------------------------------------------------------------------------------
// Row types
// ---------------------------------------------------------------------------------------------

impl FromDbRow for Claim {
    fn from_row<R: DbRow>(r: &R) -> Result<Self, StoreError> {
        let status_text = r.text("status")?;
        let status = ClaimStatus::from_str(&status_text)
            .map_err(|_| StoreError::corrupt(format!("unknown claim status {status_text:?}")))?;
        Ok(Claim {
            id: r.i64("id")?,
            idempotency_key: r.text("idempotency_key")?,
            submitted_by: r.text("submitted_by")?,
            credit_code: r.text("credit_code")?,
            credit_code_confirmed: r.boolean("credit_code_confirmed")?,
            unit_name: r.text("unit_name")?,
            seat: r.text("seat")?,
            fiscal_unit: r.text("fiscal_unit")?,
            item: r.text("item")?,
            variant: r.opt_text("variant")?,
            clause: r.text("clause")?,
            subject: r.text("subject")?,
            one_time_key: r.text("one_time_key")?,
            achievement_date: r.text("achievement_date")?,
            year: r.i32("year")?,
            application_json: r.text("application_json")?,
            estimate_json: r.text("estimate_json")?,
            estimated_amount: fen_to_yuan(r.i64("estimated_amount_fen")?),
            status,
            created_at: r.text("created_at")?,
            updated_at: r.text("updated_at")?,
            reviewed_by: r.opt_text("reviewed_by")?,
            review_reason: r.opt_text("review_reason")?,
            approved_amount: r.opt_i64("approved_amount_fen")?.map(fen_to_yuan),
            receipt_json: r.opt_text("receipt_json")?,
            reviewed_at: r.opt_text("reviewed_at")?,
            payment_date: r.opt_text("payment_date")?,
            voucher_no: r.opt_text("voucher_no")?,
            municipal_share: r.opt_i64("municipal_share_fen")?.map(fen_to_yuan),
            district_share: r.opt_i64("district_share_fen")?.map(fen_to_yuan),
            share_table_id: r.opt_text("share_table_id")?,
            disbursed_by: r.opt_text("disbursed_by")?,
            disbursed_at: r.opt_text("disbursed_at")?,
        })
    }
}

impl FromDbRow for AuditEntry {
    fn from_row<R: DbRow>(r: &R) -> Result<Self, StoreError> {
        Ok(AuditEntry {
            id: r.i64("id")?,
            claim_id: r.opt_i64("claim_id")?,
            actor: r.text("actor")?,
            role: r.text("role")?,
            at: r.text("at")?,
            action: AuditAction::from_str(&r.text("action")?)?,
            before_json: r.opt_text("before_json")?,
            after_json: r.opt_text("after_json")?,
        })
    }
}

impl FromDbRow for ReportRow {
    fn from_row<R: DbRow>(r: &R) -> Result<Self, StoreError> {
        Ok(ReportRow {
            year: r.i32("year")?,
            fiscal_unit: r.text("fiscal_unit")?,
            clause: r.text("clause")?,
            claims: r.i64("claims")?,
            submitted: r.i64("submitted")?,
            approved: r.i64("approved")?,
            rejected: r.i64("rejected")?,
            disbursed: r.i64("disbursed")?,
            approved_amount: fen_to_yuan(r.i64("approved_fen")?),
            municipal_share: fen_to_yuan(r.i64("municipal_fen")?),
            district_share: fen_to_yuan(r.i64("district_fen")?),
        })
    }
}

/// A single `id` column.
struct IdRow(i64);

impl FromDbRow for IdRow {
    fn from_row<R: DbRow>(r: &R) -> Result<Self, StoreError> {
        Ok(IdRow(r.i64("id")?))
    }
}

/// The idempotency lookup: which claim, and the fingerprint of the request that created it.
struct IdemRow {
    id: i64,
    request_hash: String,
}

impl FromDbRow for IdemRow {
    fn from_row<R: DbRow>(r: &R) -> Result<Self, StoreError> {
        Ok(IdemRow {
            id: r.i64("id")?,
            request_hash: r.text("request_hash")?,
        })
    }
}

/// A budget with its used amount, both in fen.
struct BudgetRow {
    year: i32,
    total_fen: i64,
    used_fen: i64,
}

impl FromDbRow for BudgetRow {
    fn from_row<R: DbRow>(r: &R) -> Result<Self, StoreError> {
        Ok(BudgetRow {
            year: r.i32("year")?,
            total_fen: r.i64("total_fen")?,
            used_fen: r.i64("used_fen")?,
        })
    }
}

impl BudgetRow {
    fn status(&self) -> Result<BudgetStatus, StoreError> {
        let left = self.total_fen.checked_sub(self.used_fen).ok_or_else(|| {
            StoreError::corrupt(format!("budget {} arithmetic overflow", self.year))
        })?;
        Ok(BudgetStatus {
            year: self.year,
            total: fen_to_yuan(self.total_fen),
            used: fen_to_yuan(self.used_fen),
            left: fen_to_yuan(left),
        })
    }
}

/// A single `total` column (sums).
struct TotalRow(i64);

impl FromDbRow for TotalRow {
    fn from_row<R: DbRow>(r: &R) -> Result<Self, StoreError> {
        Ok(TotalRow(r.i64("total")?))
    }
}

// ---------------------------------------------------------------------------------------------
// SQL
// ---------------------------------------------------------------------------------------------

const SELECT_CLAIM: &str = concat!("SELECT ", claim_columns!(), " FROM claims WHERE id = $1");

const SELECT_CLAIM_FOR_UPDATE_PG: &str = concat!(
    "SELECT ",
    claim_columns!(),
    " FROM claims WHERE id = $1 FOR UPDATE"
);

const SELECT_IDEMPOTENT: &str =
    "SELECT id, request_hash FROM claims WHERE submitted_by = $1 AND idempotency_key = $2";

const SELECT_ONE_TIME_HOLDER: &str =
    "SELECT id FROM claims WHERE one_time_key = $1 AND status <> 'REJECTED' ORDER BY id LIMIT 1";

const INSERT_CLAIM: &str = "INSERT INTO claims (\
        idempotency_key, submitted_by, request_hash, credit_code, credit_code_confirmed, \
        unit_name, seat, fiscal_unit, item, variant, clause, subject, one_time_key, \
        achievement_date, year, application_json, estimate_json, estimated_amount_fen, \
        status, created_at, updated_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
        'SUBMITTED', $19, $19) \
    ON CONFLICT DO NOTHING \
    RETURNING id";

const APPROVE_CLAIM: &str = "UPDATE claims SET status = 'APPROVED', approved_amount_fen = $1, \
    receipt_json = $2, review_reason = $3, reviewed_by = $4, reviewed_at = $5, updated_at = $5 \
    WHERE id = $6 AND status = 'SUBMITTED'";

const REJECT_CLAIM: &str = "UPDATE claims SET status = 'REJECTED', review_reason = $1, \
    reviewed_by = $2, reviewed_at = $3, updated_at = $3 \
    WHERE id = $4 AND status = 'SUBMITTED'";

const DISBURSE_CLAIM: &str = "UPDATE claims SET status = 'DISBURSED', payment_date = $1, \
    voucher_no = $2, municipal_share_fen = $3, district_share_fen = $4, share_table_id = $5, \
    disbursed_by = $6, disbursed_at = $7, updated_at = $7 \
    WHERE id = $8 AND status = 'APPROVED'";

const INSERT_AUDIT: &str = "INSERT INTO audit_log \
    (claim_id, actor, role, at, action, before_json, after_json) \
    VALUES ($1, $2, $3, $4, $5, $6, $7)";

/// The budget row with the amount approvals have used, read in one statement.
const SELECT_BUDGET: &str = "SELECT b.year AS year, b.total_fen AS total_fen, \
    (SELECT CAST(COALESCE(SUM(c.approved_amount_fen), 0) AS BIGINT) FROM claims c \
        WHERE c.year = b.year AND c.status IN ('APPROVED', 'DISBURSED')) AS used_fen \
    FROM budgets b WHERE b.year = $1";

const LOCK_BUDGET_PG: &str = "SELECT year FROM budgets WHERE year = $1 FOR UPDATE";

const USED_FEN: &str = "SELECT CAST(COALESCE(SUM(approved_amount_fen), 0) AS BIGINT) AS total \
    FROM claims WHERE year = $1 AND status IN ('APPROVED', 'DISBURSED')";

const UPSERT_BUDGET: &str = "INSERT INTO budgets (year, total_fen, updated_at) \
    VALUES ($1, $2, $3) \
    ON CONFLICT (year) DO UPDATE SET total_fen = excluded.total_fen, \
        updated_at = excluded.updated_at";

const LIST_CLAIMS: &str = concat!(
    "SELECT ",
    claim_columns!(),
    " FROM claims WHERE id > $1 \
      AND ($2 IS NULL OR year = $2) \
      AND ($3 IS NULL OR fiscal_unit = $3) \
      AND ($4 IS NULL OR clause = $4) \
      AND ($5 IS NULL OR status = $5) \
      AND ($6 IS NULL OR submitted_by = $6) \
    ORDER BY id LIMIT $7"
);

const APPROVED_CLAIMS: &str = concat!(
    "SELECT ",
    claim_columns!(),
    " FROM claims WHERE status IN ('APPROVED', 'DISBURSED') \
      AND ($1 IS NULL OR year = $1) \
    ORDER BY id"
);

const REPORT: &str = "SELECT year, fiscal_unit, clause, \
        COUNT(*) AS claims, \
        CAST(COALESCE(SUM(CASE WHEN status = 'SUBMITTED' THEN 1 ELSE 0 END), 0) AS BIGINT) AS submitted, \
        CAST(COALESCE(SUM(CASE WHEN status = 'APPROVED' THEN 1 ELSE 0 END), 0) AS BIGINT) AS approved, \
        CAST(COALESCE(SUM(CASE WHEN status = 'REJECTED' THEN 1 ELSE 0 END), 0) AS BIGINT) AS rejected, \
        CAST(COALESCE(SUM(CASE WHEN status = 'DISBURSED' THEN 1 ELSE 0 END), 0) AS BIGINT) AS disbursed, \
        CAST(COALESCE(SUM(CASE WHEN status IN ('APPROVED', 'DISBURSED') \
            THEN approved_amount_fen ELSE 0 END), 0) AS BIGINT) AS approved_fen, \
        CAST(COALESCE(SUM(CASE WHEN status = 'DISBURSED' \
            THEN municipal_share_fen ELSE 0 END), 0) AS BIGINT) AS municipal_fen, \
        CAST(COALESCE(SUM(CASE WHEN status = 'DISBURSED' \
            THEN district_share_fen ELSE 0 END), 0) AS BIGINT) AS district_fen \
    FROM claims \
    WHERE ($1 IS NULL OR year = $1) \
      AND ($2 IS NULL OR fiscal_unit = $2) \
      AND ($3 IS NULL OR clause = $3) \
    GROUP BY year, fiscal_unit, clause";

const AUDIT_LOG: &str = "SELECT id, claim_id, actor, role, at, action, before_json, after_json \
    FROM audit_log WHERE id > $1 AND ($2 IS NULL OR claim_id = $2) \
    ORDER BY id LIMIT $3";

// ---------------------------------------------------------------------------------------------
// Validation (before any transaction starts)
// ---------------------------------------------------------------------------------------------

/// A validated submission with its amount in fen and its request fingerprint.
pub(crate) struct PreparedClaim {
    new: NewClaim,
    estimated_fen: i64,
    request_hash: String,
}

/// Smallest and largest accepted budget year.
const YEARS: std::ops::RangeInclusive<i32> = 1900..=9999;

fn year(field: &'static str, year: i32) -> Result<(), StoreError> {
    if YEARS.contains(&year) {
        Ok(())
    } else {
        Err(StoreError::invalid(
            field,
            format!("{year} is outside {}..={}", YEARS.start(), YEARS.end()),
        ))
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len().saturating_mul(2));
    for b in bytes {
        for nibble in [b >> 4, b & 0x0f] {
            out.push(char::from(
                DIGITS.get(usize::from(nibble)).copied().unwrap_or(b'0'),
            ));
        }
    }
    out
}

/// SHA-256 over the client-supplied fields, each length-prefixed. The estimate (derived by
/// the server, and dependent on the ruleset in force) is deliberately left out, so a retry
/// after a ruleset update is still recognised as the same request.
fn request_hash(c: &NewClaim) -> String {
    let mut h = Sha256::new();
    let year = c.year.to_string();
    let confirmed = if c.credit_code_confirmed { "1" } else { "0" };
    let fields: [Option<&str>; 13] = [
        Some(&c.credit_code),
        Some(confirmed),
        Some(&c.unit_name),
        Some(&c.seat),
        Some(&c.fiscal_unit),
        Some(&c.item),
        c.variant.as_deref(),
        Some(&c.clause),
        Some(&c.subject),
        Some(&c.one_time_key),
        Some(&c.achievement_date),
        Some(&year),
        Some(&c.application_json),
    ];
    for f in fields {
        match f {
            None => h.update([0u8]),
            Some(s) => {
                h.update([1u8]);
                h.update((s.len() as u64).to_be_bytes());
                h.update(s.as_bytes());
            }
        }
    }
    hex(&h.finalize())
}

pub(crate) fn prepare_claim(new: NewClaim, now: &str) -> Result<PreparedClaim, StoreError> {
    validate::non_empty("idempotency_key", &new.idempotency_key)?;
    validate::non_empty("submitted_by", &new.submitted_by)?;
    validate::non_empty("credit_code", &new.credit_code)?;
    validate::non_empty("unit_name", &new.unit_name)?;
    validate::non_empty("seat", &new.seat)?;
    validate::non_empty("fiscal_unit", &new.fiscal_unit)?;
    validate::non_empty("item", &new.item)?;
    if let Some(v) = &new.variant {
        validate::non_empty("variant", v)?;
    }
    validate::non_empty("clause", &new.clause)?;
    validate::non_empty("subject", &new.subject)?;
    validate::non_empty("one_time_key", &new.one_time_key)?;
    validate::date("achievement_date", &new.achievement_date)?;
    year("year", new.year)?;
    validate::json("application_json", &new.application_json)?;
    validate::json("estimate_json", &new.estimate_json)?;
    validate::timestamp("now", now)?;
    let estimated_fen = yuan_to_fen("estimated_amount", new.estimated_amount)?;
    let request_hash = request_hash(&new);
    Ok(PreparedClaim {
        new,
        estimated_fen,
        request_hash,
    })
}

/// A validated review decision.
pub(crate) enum PreparedDecision {
    Approve {
        amount_fen: i64,
        receipt_json: String,
        reason: Option<String>,
    },
    Reject {
        reason: String,
    },
}

pub(crate) fn prepare_decision(
    decision: Decision,
    actor: &Actor,
    now: &str,
) -> Result<PreparedDecision, StoreError> {
    actor_ok(actor)?;
    validate::timestamp("now", now)?;
    match decision {
        Decision::Approve {
            amount,
            receipt_json,
            reason,
        } => {
            let amount_fen = yuan_to_fen("amount", amount)?;
            validate::json("receipt_json", &receipt_json)?;
            if let Some(r) = &reason {
                validate::non_empty("reason", r)?;
            }
            Ok(PreparedDecision::Approve {
                amount_fen,
                receipt_json,
                reason,
            })
        }
        Decision::Reject { reason } => {
            validate::non_empty("reason", &reason)?;
            Ok(PreparedDecision::Reject { reason })
        }
    }
}

/// A validated disbursement, amounts in fen.
pub(crate) struct PreparedDisbursement {
    d: Disbursement,
    municipal_fen: i64,
    district_fen: i64,
}

pub(crate) fn prepare_disbursement(
    d: Disbursement,
    actor: &Actor,
    now: &str,
) -> Result<PreparedDisbursement, StoreError> {
    actor_ok(actor)?;
    validate::timestamp("now", now)?;
    validate::date("payment_date", &d.payment_date)?;
    validate::non_empty("voucher_no", &d.voucher_no)?;
    validate::non_empty("share_table_id", &d.share_table_id)?;
    let municipal_fen = yuan_to_fen("municipal_share", d.municipal_share)?;
    let district_fen = yuan_to_fen("district_share", d.district_share)?;
    Ok(PreparedDisbursement {
        d,
        municipal_fen,
        district_fen,
    })
}

pub(crate) fn actor_ok(actor: &Actor) -> Result<(), StoreError> {
    validate::non_empty("actor.subject", &actor.subject)?;
    validate::non_empty("actor.role", &actor.role)
}

pub(crate) fn prepare_budget(
    budget_year: i32,
    total: Decimal,
    actor: &Actor,
    now: &str,
) -> Result<i64, StoreError> {
    actor_ok(actor)?;
    validate::timestamp("now", now)?;
    year("year", budget_year)?;
    yuan_to_fen("total", total)
}

// ---------------------------------------------------------------------------------------------
// Audit
// ---------------------------------------------------------------------------------------------

fn money(d: Option<Decimal>) -> serde_json::Value {
    d.map_or(serde_json::Value::Null, |d| json!(d.to_string()))
}

/// The audit snapshot of a claim: every stored field, amounts as decimal strings.
fn claim_json(c: &Claim) -> String {
    json!({
        "id": c.id,
        "status": c.status.as_str(),
        "idempotency_key": c.idempotency_key,
        "submitted_by": c.submitted_by,
        "credit_code": c.credit_code,
        "credit_code_confirmed": c.credit_code_confirmed,
        "unit_name": c.unit_name,
        "seat": c.seat,
        "fiscal_unit": c.fiscal_unit,
        "item": c.item,
        "variant": c.variant,
        "clause": c.clause,
        "subject": c.subject,
        "one_time_key": c.one_time_key,
        "achievement_date": c.achievement_date,
        "year": c.year,
        "application_json": c.application_json,
        "estimate_json": c.estimate_json,
        "estimated_amount": c.estimated_amount.to_string(),
        "created_at": c.created_at,
        "updated_at": c.updated_at,
        "reviewed_by": c.reviewed_by,
        "review_reason": c.review_reason,
        "approved_amount": money(c.approved_amount),
        "receipt_json": c.receipt_json,
        "reviewed_at": c.reviewed_at,
        "payment_date": c.payment_date,
        "voucher_no": c.voucher_no,
        "municipal_share": money(c.municipal_share),
        "district_share": money(c.district_share),
        "share_table_id": c.share_table_id,
        "disbursed_by": c.disbursed_by,
        "disbursed_at": c.disbursed_at,
    })
    .to_string()
}

async fn append_audit<C: Exec>(
    c: &mut C,
    claim_id: Option<ClaimId>,
    actor: &Actor,
    now: &str,
    action: AuditAction,
    before_json: Option<String>,
    after_json: Option<String>,
) -> Result<(), StoreError> {
    let n = c
        .execute(
            INSERT_AUDIT,
            args![
                claim_id,
                &actor.subject,
                &actor.role,
                now,
                action.as_str(),
                before_json,
                after_json
            ],
        )
        .await?;
    if n == 1 {
        Ok(())
    } else {
        Err(StoreError::corrupt(format!(
            "audit insert affected {n} rows"
        )))
    }
}

// ---------------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------------

fn not_found(id: ClaimId) -> StoreError {
    StoreError::NotFound {
        what: "claim",
        id: id.to_string(),
    }
}

pub(crate) async fn get_claim<C: Exec>(c: &mut C, id: ClaimId) -> Result<Claim, StoreError> {
    c.fetch_optional::<Claim>(SELECT_CLAIM, args![id])
        .await?
        .ok_or_else(|| not_found(id))
}

/// Reads a claim for a transition; on PostgreSQL the row stays locked until commit.
async fn lock_claim<C: Exec>(c: &mut C, id: ClaimId) -> Result<Claim, StoreError> {
    let sql = match C::DIALECT {
        Dialect::Sqlite => SELECT_CLAIM,
        Dialect::Postgres => SELECT_CLAIM_FOR_UPDATE_PG,
    };
    c.fetch_optional::<Claim>(sql, args![id])
        .await?
        .ok_or_else(|| not_found(id))
}

/// Reads a year's budget; on PostgreSQL the budget row stays locked until commit, which
/// serialises approvals (and budget changes) of one year.
async fn lock_budget<C: Exec>(
    c: &mut C,
    budget_year: i32,
) -> Result<Option<BudgetRow>, StoreError> {
    if C::DIALECT == Dialect::Postgres
        && c.fetch_optional::<YearRow>(LOCK_BUDGET_PG, args![budget_year])
            .await?
            .is_none()
    {
        return Ok(None);
    }
    // Read after the lock so the sum includes every approval committed before it.
    c.fetch_optional::<BudgetRow>(SELECT_BUDGET, args![budget_year])
        .await
}

/// A single `year` column.
struct YearRow;

impl FromDbRow for YearRow {
    fn from_row<R: DbRow>(r: &R) -> Result<Self, StoreError> {
        r.i32("year").map(|_| YearRow)
    }
}

async fn existing_by_idempotency<C: Exec>(
    c: &mut C,
    p: &PreparedClaim,
) -> Result<Option<SubmitOutcome>, StoreError> {
    let Some(row) = c
        .fetch_optional::<IdemRow>(
            SELECT_IDEMPOTENT,
            args![&p.new.submitted_by, &p.new.idempotency_key],
        )
        .await?
    else {
        return Ok(None);
    };
    if row.request_hash != p.request_hash {
        return Err(StoreError::Conflict {
            message: format!(
                "idempotency key {:?} was already used by {:?} for a different request (claim {})",
                p.new.idempotency_key, p.new.submitted_by, row.id
            ),
        });
    }
    Ok(Some(SubmitOutcome::Existing(get_claim(c, row.id).await?)))
}

/// How often [`submit`] retries when the claim holding the one-time key disappears between
/// the refused insert and the lookup (it was rejected concurrently).
const SUBMIT_ATTEMPTS: usize = 3;

pub(crate) async fn submit<C: Exec>(
    c: &mut C,
    p: &PreparedClaim,
    actor: &Actor,
    now: &str,
) -> Result<SubmitOutcome, StoreError> {
    for _ in 0..SUBMIT_ATTEMPTS {
        if let Some(out) = existing_by_idempotency(c, p).await? {
            return Ok(out);
        }
        let n = &p.new;
        let inserted = c
            .fetch_optional::<IdRow>(
                INSERT_CLAIM,
                args![
                    &n.idempotency_key,
                    &n.submitted_by,
                    &p.request_hash,
                    &n.credit_code,
                    n.credit_code_confirmed,
                    &n.unit_name,
                    &n.seat,
                    &n.fiscal_unit,
                    &n.item,
                    n.variant.clone(),
                    &n.clause,
                    &n.subject,
                    &n.one_time_key,
                    &n.achievement_date,
                    n.year,
                    &n.application_json,
                    &n.estimate_json,
                    p.estimated_fen,
                    now
                ],
            )
            .await?;
        if let Some(IdRow(id)) = inserted {
            let claim = get_claim(c, id).await?;
            append_audit(
                c,
                Some(id),
                actor,
                now,
                AuditAction::Submit,
                None,
                Some(claim_json(&claim)),
            )
            .await?;
            return Ok(SubmitOutcome::Created(claim));
        }
        // The insert hit a unique index: the idempotency key (a concurrent twin of this
        // request won) or the one-time key (another live claim holds it).
        if let Some(out) = existing_by_idempotency(c, p).await? {
            return Ok(out);
        }
        if let Some(IdRow(holder)) = c
            .fetch_optional::<IdRow>(SELECT_ONE_TIME_HOLDER, args![&n.one_time_key])
            .await?
        {
            return Ok(SubmitOutcome::AlreadyGranted {
                existing_claim_id: holder,
            });
        }
    }
    Err(StoreError::Conflict {
        message: format!(
            "one-time key {:?} kept changing hands; retry the submission",
            p.new.one_time_key
        ),
    })
}

pub(crate) async fn review<C: Exec>(
    c: &mut C,
    id: ClaimId,
    decision: &PreparedDecision,
    actor: &Actor,
    now: &str,
) -> Result<Claim, StoreError> {
    let before = lock_claim(c, id).await?;
    if before.status != ClaimStatus::Submitted {
        return Err(StoreError::InvalidState {
            claim_id: id,
            actual: before.status,
            expected: ClaimStatus::Submitted,
            action: "review",
        });
    }
    let (action, changed) = match decision {
        PreparedDecision::Approve {
            amount_fen,
            receipt_json,
            reason,
        } => {
            let budget = lock_budget(c, before.year)
                .await?
                .ok_or(StoreError::BudgetNotSet { year: before.year })?;
            let status = budget.status()?;
            let left_fen = budget
                .total_fen
                .checked_sub(budget.used_fen)
                .unwrap_or(i64::MIN);
            if *amount_fen > left_fen {
                return Err(StoreError::BudgetExceeded {
                    year: before.year,
                    total: status.total,
                    used: status.used,
                    left: status.left,
                    requested: fen_to_yuan(*amount_fen),
                });
            }
            let changed = c
                .execute(
                    APPROVE_CLAIM,
                    args![
                        *amount_fen,
                        receipt_json,
                        reason.clone(),
                        &actor.subject,
                        now,
                        id
                    ],
                )
                .await?;
            (AuditAction::Approve, changed)
        }
        PreparedDecision::Reject { reason } => {
            let changed = c
                .execute(REJECT_CLAIM, args![reason, &actor.subject, now, id])
                .await?;
            (AuditAction::Reject, changed)
        }
    };
    if changed != 1 {
        return Err(StoreError::Conflict {
            message: format!("claim {id} changed during review"),
        });
    }
    let after = get_claim(c, id).await?;
    append_audit(
        c,
        Some(id),
        actor,
        now,
        action,
        Some(claim_json(&before)),
        Some(claim_json(&after)),
    )
    .await?;
    Ok(after)
}

pub(crate) async fn disburse<C: Exec>(
    c: &mut C,
    id: ClaimId,
    p: &PreparedDisbursement,
    actor: &Actor,
    now: &str,
) -> Result<Claim, StoreError> {
    let before = lock_claim(c, id).await?;
    if before.status != ClaimStatus::Approved {
        return Err(StoreError::InvalidState {
            claim_id: id,
            actual: before.status,
            expected: ClaimStatus::Approved,
            action: "disbursement",
        });
    }
    let approved = before
        .approved_amount
        .ok_or_else(|| StoreError::corrupt(format!("approved claim {id} has no amount")))?;
    let approved_fen = yuan_to_fen("approved_amount", approved)?;
    let shares = p.municipal_fen.checked_add(p.district_fen);
    if shares != Some(approved_fen) {
        return Err(StoreError::invalid(
            "district_share",
            format!(
                "municipal share {} + district share {} must equal the approved amount {}",
                p.d.municipal_share, p.d.district_share, approved
            ),
        ));
    }
    let changed = c
        .execute(
            DISBURSE_CLAIM,
            args![
                &p.d.payment_date,
                &p.d.voucher_no,
                p.municipal_fen,
                p.district_fen,
                &p.d.share_table_id,
                &actor.subject,
                now,
                id
            ],
        )
        .await?;
    if changed != 1 {
        return Err(StoreError::Conflict {
            message: format!("claim {id} changed during disbursement"),
        });
    }
    let after = get_claim(c, id).await?;
    append_audit(
        c,
        Some(id),
        actor,
        now,
        AuditAction::Disburse,
        Some(claim_json(&before)),
        Some(claim_json(&after)),
    )
    .await?;
    Ok(after)
}

/// First key of the per-year advisory lock taken by [`set_budget`] on PostgreSQL ("STDB").
const PG_BUDGET_LOCK_CLASS: i32 = 0x5354_4442;

fn budget_json(year: i32, total_fen: i64) -> String {
    json!({ "year": year, "total": fen_to_yuan(total_fen).to_string() }).to_string()
}

pub(crate) async fn set_budget<C: Exec>(
    c: &mut C,
    budget_year: i32,
    total_fen: i64,
    actor: &Actor,
    now: &str,
) -> Result<BudgetStatus, StoreError> {
    if C::DIALECT == Dialect::Postgres {
        // The row lock in `lock_budget` cannot lock a year that has no row yet; this
        // per-year lock makes two first-time settings of one year take turns, so the second
        // one's audit row records the first one's total as "before".
        c.execute(
            "SELECT pg_advisory_xact_lock($1, $2)",
            args![PG_BUDGET_LOCK_CLASS, budget_year],
        )
        .await?;
    }
    let before = lock_budget(c, budget_year).await?;
    let used_fen = match &before {
        Some(b) => b.used_fen,
        None => c
            .fetch_optional::<TotalRow>(USED_FEN, args![budget_year])
            .await?
            .map_or(0, |t| t.0),
    };
    if total_fen < used_fen {
        return Err(StoreError::BudgetBelowUsed {
            year: budget_year,
            total: fen_to_yuan(total_fen),
            used: fen_to_yuan(used_fen),
        });
    }
    c.execute(UPSERT_BUDGET, args![budget_year, total_fen, now])
        .await?;
    append_audit(
        c,
        None,
        actor,
        now,
        AuditAction::SetBudget,
        before.as_ref().map(|b| budget_json(b.year, b.total_fen)),
        Some(budget_json(budget_year, total_fen)),
    )
    .await?;
    BudgetRow {
        year: budget_year,
        total_fen,
        used_fen,
    }
    .status()
}

pub(crate) async fn budget<C: Exec>(
    c: &mut C,
    budget_year: i32,
) -> Result<Option<BudgetStatus>, StoreError> {
    c.fetch_optional::<BudgetRow>(SELECT_BUDGET, args![budget_year])
        .await?
        .map(|b| b.status())
        .transpose()
}

/// `LIMIT` for a page: one more than the page size, to learn whether another page follows.
fn limit(size: u32) -> i64 {
    i64::from(size).saturating_add(1)
}

fn paginate<T>(
    mut items: Vec<T>,
    size: u32,
    id: impl Fn(&T) -> i64,
) -> Result<Page<T>, StoreError> {
    let size = usize::try_from(size).map_err(|_| StoreError::invalid("page_size", "too large"))?;
    let next_cursor = if items.len() > size {
        items.truncate(size);
        items.last().map(|last| id(last).to_string())
    } else {
        None
    };
    Ok(Page { items, next_cursor })
}

pub(crate) async fn list_claims<C: Exec>(
    c: &mut C,
    filter: &ClaimFilter,
    cursor: Option<&str>,
    page_size: u32,
) -> Result<Page<Claim>, StoreError> {
    let after = validate::cursor(cursor)?;
    let size = validate::page_size(page_size);
    let rows = c
        .fetch_all::<Claim>(
            LIST_CLAIMS,
            args![
                after,
                filter.year,
                filter.fiscal_unit.clone(),
                filter.clause.clone(),
                filter.status.map(ClaimStatus::as_str),
                filter.submitted_by.clone(),
                limit(size)
            ],
        )
        .await?;
    paginate(rows, size, |c| c.id)
}

pub(crate) async fn approved_claims<C: Exec>(
    c: &mut C,
    budget_year: Option<i32>,
) -> Result<Vec<Claim>, StoreError> {
    c.fetch_all::<Claim>(APPROVED_CLAIMS, args![budget_year])
        .await
}

pub(crate) async fn report<C: Exec>(
    c: &mut C,
    filter: &ReportFilter,
) -> Result<Vec<ReportRow>, StoreError> {
    let mut rows = c
        .fetch_all::<ReportRow>(
            REPORT,
            args![
                filter.year,
                filter.fiscal_unit.clone(),
                filter.clause.clone()
            ],
        )
        .await?;
    // Sorted here rather than in SQL so both backends order text the same way (byte order),
    // whatever collation a PostgreSQL database was created with.
    rows.sort_by(|a, b| {
        (a.year, &a.fiscal_unit, &a.clause).cmp(&(b.year, &b.fiscal_unit, &b.clause))
    });
    Ok(rows)
}

pub(crate) async fn audit_log<C: Exec>(
    c: &mut C,
    claim_id: Option<ClaimId>,
    cursor: Option<&str>,
    page_size: u32,
) -> Result<Page<AuditEntry>, StoreError> {
    let after = validate::cursor(cursor)?;
    let size = validate::page_size(page_size);
    let rows = c
        .fetch_all::<AuditEntry>(AUDIT_LOG, args![after, claim_id, limit(size)])
        .await?;
    paginate(rows, size, |e| e.id)
}

/// The one `ClaimStore` implementation, stamped out for each backend: every
/// method is the same delegation to `ops` (read on a pooled connection, or
/// prepare → write transaction → commit); the backends differ only in
/// `write()` (how a write transaction starts), set in their own modules.
macro_rules! impl_claim_store {
    ($store:ty, $backend:expr) => {
        impl $crate::store::ClaimStore for $store {
            fn backend(&self) -> Backend {
                $backend
            }

            async fn migrate(&self) -> Result<(), StoreError> {
                let mut tx = self.write().await?;
                migrate::apply(&mut *tx).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn ping(&self) -> Result<(), StoreError> {
                let mut conn = self.pool.acquire().await?;
                conn.ping().await?;
                Ok(())
            }

            async fn close(&self) {
                self.pool.close().await;
            }

            async fn submit_claim(
                &self,
                claim: NewClaim,
                actor: &Actor,
                now: &str,
            ) -> Result<SubmitOutcome, StoreError> {
                ops::actor_ok(actor)?;
                let prepared = ops::prepare_claim(claim, now)?;
                let mut tx = self.write().await?;
                let out = ops::submit(&mut *tx, &prepared, actor, now).await?;
                tx.commit().await?;
                Ok(out)
            }

            async fn get_claim(&self, id: ClaimId) -> Result<Claim, StoreError> {
                let mut conn = self.pool.acquire().await?;
                ops::get_claim(&mut *conn, id).await
            }

            async fn list_claims(
                &self,
                filter: &ClaimFilter,
                cursor: Option<&str>,
                page_size: u32,
            ) -> Result<Page<Claim>, StoreError> {
                let mut conn = self.pool.acquire().await?;
                ops::list_claims(&mut *conn, filter, cursor, page_size).await
            }

            async fn review_claim(
                &self,
                id: ClaimId,
                decision: Decision,
                actor: &Actor,
                now: &str,
            ) -> Result<Claim, StoreError> {
                let decision = ops::prepare_decision(decision, actor, now)?;
                let mut tx = self.write().await?;
                let claim = ops::review(&mut *tx, id, &decision, actor, now).await?;
                tx.commit().await?;
                Ok(claim)
            }

            async fn record_disbursement(
                &self,
                id: ClaimId,
                disbursement: Disbursement,
                actor: &Actor,
                now: &str,
            ) -> Result<Claim, StoreError> {
                let prepared = ops::prepare_disbursement(disbursement, actor, now)?;
                let mut tx = self.write().await?;
                let claim = ops::disburse(&mut *tx, id, &prepared, actor, now).await?;
                tx.commit().await?;
                Ok(claim)
            }

            async fn set_budget(
                &self,
                year: i32,
                total: Decimal,
                actor: &Actor,
                now: &str,
            ) -> Result<BudgetStatus, StoreError> {
                let total_fen = ops::prepare_budget(year, total, actor, now)?;
                let mut tx = self.write().await?;
                let status = ops::set_budget(&mut *tx, year, total_fen, actor, now).await?;
                tx.commit().await?;
                Ok(status)
            }

            async fn budget(&self, year: i32) -> Result<Option<BudgetStatus>, StoreError> {
                let mut conn = self.pool.acquire().await?;
                ops::budget(&mut *conn, year).await
            }

            async fn approved_claims(&self, year: Option<i32>) -> Result<Vec<Claim>, StoreError> {
                let mut conn = self.pool.acquire().await?;
                ops::approved_claims(&mut *conn, year).await
            }

            async fn report(&self, filter: &ReportFilter) -> Result<Vec<ReportRow>, StoreError> {
                let mut conn = self.pool.acquire().await?;
                ops::report(&mut *conn, filter).await
            }

            async fn audit_log(
                &self,
                claim_id: Option<ClaimId>,
                cursor: Option<&str>,
                page_size: u32,
            ) -> Result<Page<AuditEntry>, StoreError> {
                let mut conn = self.pool.acquire().await?;
                ops::audit_log(&mut *conn, claim_id, cursor, page_size).await
            }
        }
    };
}
pub(crate) use impl_claim_store;

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn claim() -> NewClaim {
        NewClaim {
            idempotency_key: "k".into(),
            submitted_by: "u".into(),
            credit_code: "91350100M000100Y43".into(),
            credit_code_confirmed: false,
            unit_name: "n".into(),
            seat: "350102".into(),
            fiscal_unit: "350102".into(),
            item: "i".into(),
            variant: None,
            clause: "1".into(),
            subject: "GB/T 1-2020".into(),
            one_time_key: "otk".into(),
            achievement_date: "2020-01-01".into(),
            year: 2020,
            application_json: "{}".into(),
            estimate_json: "{}".into(),
            estimated_amount: Decimal::new(100, 0),
        }
    }

    #[test]
    fn request_hash_ignores_the_estimate_but_not_the_request() {
        let a = claim();
        let mut b = claim();
        b.estimate_json = "{\"x\":1}".into();
        b.estimated_amount = Decimal::new(5, 0);
        assert_eq!(request_hash(&a), request_hash(&b));
        let mut c = claim();
        c.variant = Some(String::new());
        assert_ne!(request_hash(&a), request_hash(&c));
        let mut d = claim();
        d.application_json = "{ }".into();
        assert_ne!(request_hash(&a), request_hash(&d));
        assert_eq!(request_hash(&a).len(), 64);
    }

    #[test]
    fn prepare_refuses_bad_shapes() {
        let now = "2026-01-01T00:00:00Z";
        assert!(prepare_claim(claim(), now).is_ok());
        let mut c = claim();
        c.application_json = "{".into();
        assert_eq!(
            prepare_claim(c, now).err().unwrap().code(),
            "INVALID_ARGUMENT"
        );
        let mut c = claim();
        c.achievement_date = "2020-02-30".into();
        assert!(prepare_claim(c, now).is_err());
        let mut c = claim();
        c.estimated_amount = Decimal::new(1001, 3);
        assert!(prepare_claim(c, now).is_err());
        let mut c = claim();
        c.one_time_key = "  ".into();
        assert!(prepare_claim(c, now).is_err());
        assert!(prepare_claim(claim(), "yesterday").is_err());
    }
}

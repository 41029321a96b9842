//! The registry's operations, written once over `DB: Backend`.
//!
//! Each function runs on a [`Cx`] inside the transaction [`crate::Store`] opened (a write
//! transaction for state changes) and appends its audit entries on the same connection, so
//! a change and its entries commit or roll back together.
//!
//! Concurrency:
//! * SQLite: writes start with `BEGIN IMMEDIATE`, taking the single write lock up front, so
//!   every read-check-write runs alone.
//! * PostgreSQL: `READ COMMITTED`; a transition locks its claim row (`FOR UPDATE`), budget
//!   checks take a per-(year, payer) advisory lock and the budget row, voucher checks a
//!   per-(payer, voucher) advisory lock; the audit head is locked last. Every write whose
//!   audit entry names a claim locks that claim before the head (objections too: their
//!   entry's foreign key otherwise waited on a payment's claim lock while holding the head).
//!   Issuing a publication locks its row, then its claims in id order. The one-time rule
//!   and idempotency rest on unique indexes with `INSERT … ON CONFLICT DO NOTHING`, which
//!   waits for a concurrent inserter of the same key and then yields to it; a submission
//!   and a resubmission moving onto a key take a per-key advisory lock first.

pub(crate) mod claims;
pub(crate) mod money;
pub(crate) mod publish;
pub(crate) mod query;
pub(crate) mod rekey;

use sha2::{Digest, Sha256};

use crate::backend::{Backend, Dialect, Stmt};
use crate::db::{Cx, N};
use crate::error::StoreError;
use crate::model::{Actor, Claim, ClaimId, Payment};
use crate::records::{PAYMENT_COLUMNS, select_claims};

/// A claim without its payments; [`StoreError::NotFound`] when absent.
pub(crate) async fn get_claim<DB: Backend>(
    cx: &mut Cx<'_, DB>,
    id: ClaimId,
) -> Result<Claim, StoreError> {
    cx.opt(Stmt::assembled(select_claims("WHERE c.id = $1"), Vec::new()).bind(id))
        .await?
        .ok_or_else(|| StoreError::not_found("claim", id))
}

/// A claim's payments in id order.
pub(crate) async fn payments_of<DB: Backend>(
    cx: &mut Cx<'_, DB>,
    id: ClaimId,
) -> Result<Vec<Payment>, StoreError> {
    let sql =
        format!("SELECT {PAYMENT_COLUMNS} FROM payments p WHERE p.claim_id = $1 ORDER BY p.id");
    cx.all(Stmt::assembled(sql, Vec::new()).bind(id)).await
}

/// A claim with its payments.
pub(crate) async fn claim_with_payments<DB: Backend>(
    cx: &mut Cx<'_, DB>,
    id: ClaimId,
) -> Result<Claim, StoreError> {
    let mut claim = get_claim(cx, id).await?;
    claim.payments = payments_of(cx, id).await?;
    Ok(claim)
}

/// Reads a claim for a transition; on PostgreSQL its row stays locked until commit.
pub(crate) async fn lock_claim<DB: Backend>(
    cx: &mut Cx<'_, DB>,
    id: ClaimId,
) -> Result<Claim, StoreError> {
    if DB::DIALECT == Dialect::Postgres {
        let locked: Option<N> = cx
            .opt(Stmt::new("SELECT id AS n FROM claims WHERE id = $1 FOR UPDATE").bind(id))
            .await?;
        if locked.is_none() {
            return Err(StoreError::not_found("claim", id));
        }
    }
    get_claim(cx, id).await
}

/// Applicants act only on their own claims: anyone but the submitter (or an admin) is told
/// the claim does not exist.
pub(crate) fn own_claim(claim: &Claim, actor: &Actor) -> Result<(), StoreError> {
    if actor.role == Actor::ADMIN || actor.subject == claim.filing.submitted_by {
        Ok(())
    } else {
        Err(StoreError::not_found("claim", claim.id))
    }
}

/// An advisory-lock key for a named resource (PostgreSQL): the first 8 bytes of its SHA-256.
fn lock_key(parts: &[&str]) -> i64 {
    let mut h = Sha256::new();
    h.update(b"stdfund-lock");
    for p in parts {
        crate::validate::feed(&mut h, p.as_bytes());
    }
    let digest = h.finalize();
    let mut bytes = [0u8; 8];
    for (b, d) in bytes.iter_mut().zip(digest.iter()) {
        *b = *d;
    }
    i64::from_be_bytes(bytes)
}

/// Takes a transaction-scoped advisory lock on a named resource (PostgreSQL; SQLite's write
/// lock already serialises writers).
pub(crate) async fn advisory_lock<DB: Backend>(
    cx: &mut Cx<'_, DB>,
    parts: &[&str],
) -> Result<(), StoreError> {
    if DB::DIALECT == Dialect::Postgres {
        cx.exec(Stmt::new("SELECT pg_advisory_xact_lock($1)").bind(lock_key(parts)))
            .await?;
    }
    Ok(())
}

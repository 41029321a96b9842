//! Claim lifecycle: submit, review (single and batch), withdraw, resubmit.

use crate::error::ClaimAction;
use std::collections::BTreeSet;

use stdfund_rules::money::Money;

use super::money::{BudgetKey, budget_status, check_approval, lock_budgets};
use super::{get_claim, lock_claim, own_claim};
use crate::audit::{self, Record};
use crate::backend::{Backend, DbRow, Stmt};
use crate::db::{Cx, FromDbRow, N, fen};
use crate::error::StoreError;
use crate::model::{
    Actor, ApprovalInput, AuditAction, BatchDecision, BatchOutcome, BudgetStatus, CITY, Claim,
    ClaimId, ClaimStatus, Decision, Filing, ObjectionOutcome, Resubmission, SubmitOutcome,
    Timestamp,
};
use crate::records::{Detail, claim_json};
use crate::validate;

struct Idem {
    id: i64,
    request_hash: String,
}

impl FromDbRow for Idem {
    fn from_row<R: DbRow>(r: &R) -> Result<Self, StoreError> {
        Ok(Idem {
            id: r.i64("id")?,
            request_hash: r.text("request_hash")?,
        })
    }
}

struct Holder {
    id: i64,
    item: String,
}

impl FromDbRow for Holder {
    fn from_row<R: DbRow>(r: &R) -> Result<Self, StoreError> {
        Ok(Holder {
            id: r.i64("id")?,
            item: r.text("item")?,
        })
    }
}

const SELECT_IDEMPOTENT: &str =
    "SELECT id, request_hash FROM claims WHERE submitted_by = $1 AND idempotency_key = $2";

/// The live claim holding a one-time key, other than `$2`.
const SELECT_HOLDER: &str = "SELECT id, item FROM claims WHERE one_time_key = $1 \
    AND status NOT IN ('WITHDRAWN', 'REJECTED') AND id <> $2 ORDER BY id LIMIT 1";

const INSERT_CLAIM: &str = "INSERT INTO claims (idempotency_key, submitted_by, request_hash, \
    credit_code, credit_code_confirmed, unit_name, unit_name_folded, seat, fiscal_unit, item, \
    variant, clause, subject, subject_as_given, one_time_key, achievement_date, year, \
    estimated_amount_fen, discretionary, application_json, estimate_json, status, created_at, \
    updated_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
    $19, $20, $21, 'SUBMITTED', $22, $22) \
    ON CONFLICT DO NOTHING RETURNING id AS n";

/// How often [`submit`] retries when the key holder disappears between the refused insert
/// and the lookup (it was withdrawn or rejected concurrently).
const SUBMIT_ATTEMPTS: usize = 3;

async fn existing_by_idempotency<DB: Backend>(
    cx: &mut Cx<'_, DB>,
    f: &Filing,
    request_hash: &str,
) -> Result<Option<SubmitOutcome>, StoreError> {
    let found: Option<Idem> = cx
        .opt(
            Stmt::new(SELECT_IDEMPOTENT)
                .bind(&f.submitted_by)
                .bind(&f.idempotency_key),
        )
        .await?;
    let Some(row) = found else {
        return Ok(None);
    };
    if row.request_hash != request_hash {
        return Err(StoreError::IdempotencyKeyReused {
            key: f.idempotency_key.clone(),
            claim_id: row.id,
        });
    }
    Ok(Some(SubmitOutcome::Existing(get_claim(cx, row.id).await?)))
}

async fn key_holder<DB: Backend>(
    cx: &mut Cx<'_, DB>,
    key: &str,
    except: ClaimId,
) -> Result<Option<Holder>, StoreError> {
    cx.opt(Stmt::new(SELECT_HOLDER).bind(key).bind(except))
        .await
}

/// Serialises the writers of one one-time key (PostgreSQL): a submission and the
/// resubmissions that move a returned claim onto the key. The unique index alone keeps the
/// key single, but a resubmission's `UPDATE` that lost the race to it failed with a
/// unique violation, where the loser should read who holds the key (`ALREADY_GRANTED`,
/// R24; found by the twelfth attack on the registry).
async fn lock_one_time_key<DB: Backend>(cx: &mut Cx<'_, DB>, key: &str) -> Result<(), StoreError> {
    super::advisory_lock(cx, &["one_time_key", key]).await
}

pub(crate) async fn submit<DB: Backend>(
    cx: &mut Cx<'_, DB>,
    f: &Filing,
    request_hash: &str,
    actor: &Actor,
    now: &Timestamp,
) -> Result<SubmitOutcome, StoreError> {
    let estimated = fen("estimated_amount", f.estimated_amount)?;
    lock_one_time_key(cx, &f.one_time_key).await?;
    for _ in 0..SUBMIT_ATTEMPTS {
        if let Some(out) = existing_by_idempotency(cx, f, request_hash).await? {
            return Ok(out);
        }
        let inserted: Option<N> = cx
            .opt(
                Stmt::new(INSERT_CLAIM)
                    .bind(&f.idempotency_key)
                    .bind(&f.submitted_by)
                    .bind(request_hash)
                    .bind(&f.credit_code)
                    .bind(f.credit_code_confirmed)
                    .bind(&f.unit_name)
                    .bind(validate::fold(&f.unit_name))
                    .bind(&f.seat)
                    .bind(&f.fiscal_unit)
                    .bind(&f.item)
                    .bind(&f.variant)
                    .bind(&f.clause)
                    .bind(&f.subject)
                    .bind(&f.subject_as_given)
                    .bind(&f.one_time_key)
                    .bind(f.achievement_date.to_string())
                    .bind(f.year)
                    .bind(estimated)
                    .bind(f.discretionary)
                    .bind(&f.application_json)
                    .bind(&f.estimate_json)
                    .bind(now.as_str()),
            )
            .await?;
        if let Some(N(id)) = inserted {
            let claim = get_claim(cx, id).await?;
            let after = claim_json(&claim, Detail::Filing);
            audit::append(
                cx,
                actor,
                now,
                Record::claim(id, AuditAction::Submit, None, Some(after)),
            )
            .await?;
            return Ok(SubmitOutcome::Created(claim));
        }
        // The insert hit a unique index: the idempotency key (a concurrent twin won) or the
        // one-time key (another live claim holds it).
        if let Some(out) = existing_by_idempotency(cx, f, request_hash).await? {
            return Ok(out);
        }
        if let Some(h) = key_holder(cx, &f.one_time_key, 0).await? {
            return Ok(SubmitOutcome::AlreadyGranted {
                existing_claim_id: h.id,
                existing_item: h.item,
            });
        }
    }
    Err(StoreError::Conflict {
        message: format!(
            "the one-time key {:?} kept changing hands; retry the submission",
            f.one_time_key
        ),
    })
}

/// A review decision, validated.
pub(crate) fn check_decision(d: &Decision) -> Result<(), StoreError> {
    match d {
        Decision::Approve {
            amount,
            split,
            record_json,
            reason,
            ..
        } => check_approval_input(*amount, split, record_json, reason.as_deref()),
        Decision::Reject { reason, .. } | Decision::Return { reason, .. } => {
            validate::text("reason", reason)
        }
    }
}

fn check_approval_input(
    amount: Money,
    split: &crate::model::FrozenSplit,
    record_json: &str,
    reason: Option<&str>,
) -> Result<(), StoreError> {
    if amount.is_zero() {
        return Err(StoreError::invalid(
            "amount",
            "an approved amount is above 0",
        ));
    }
    fen("amount", amount)?;
    if split.municipal.checked_add(split.district) != Some(amount) {
        return Err(StoreError::invalid(
            "split",
            format!(
                "municipal {} + district {} is not the approved amount {amount}",
                split.municipal, split.district
            ),
        ));
    }
    validate::text("split.fiscal_unit", &split.fiscal_unit)?;
    validate::optional_text("split.share_table_id", &split.share_table_id)?;
    validate::optional_text("split.share_table_version", &split.share_table_version)?;
    validate::optional_text("split.district_ratio", &split.district_ratio)?;
    validate::payload("record_json", record_json)?;
    if let Some(r) = reason {
        validate::text("reason", r)?;
    }
    Ok(())
}

const SUBMITTED_ONLY: &[ClaimStatus] = &[ClaimStatus::Submitted];

fn require(
    claim: &Claim,
    action: ClaimAction,
    allowed: &'static [ClaimStatus],
) -> Result<(), StoreError> {
    if allowed.contains(&claim.status()) {
        Ok(())
    } else {
        Err(StoreError::InvalidState {
            claim_id: claim.id,
            actual: claim.status(),
            action,
            allowed,
        })
    }
}

const APPROVE: &str = "UPDATE claims SET status = 'APPROVED', approved_by = $1, approved_at = $2, \
    approval_reason = $3, approved_amount_fen = $4, set_by_reviewer = $5, split_fiscal_unit = $6, \
    municipal_fen = $7, district_fen = $8, share_table_id = $9, share_table_version = $10, \
    district_ratio = $11, provisional = $12, record_json = $13, updated_at = $2 \
    WHERE id = $14 AND status = 'SUBMITTED'";

const NOTE: &str = "UPDATE claims SET status = $1, note_by = $2, note_at = $3, note_reason = $4, \
    updated_at = $3 WHERE id = $5 AND status = $6";

/// Revokes an approval (REJECTED with its note): the approval's columns are
/// cleared, as the table requires of a rejected claim; the audit entry keeps
/// what was approved.
const REVOKE: &str = "UPDATE claims SET status = 'REJECTED', note_by = $1, note_at = $2, \
    note_reason = $3, approved_by = NULL, approved_at = NULL, approval_reason = NULL, \
    approved_amount_fen = NULL, set_by_reviewer = NULL, split_fiscal_unit = NULL, \
    municipal_fen = NULL, district_fen = NULL, share_table_id = NULL, share_table_version = NULL, \
    district_ratio = NULL, provisional = NULL, record_json = NULL, updated_at = $2 \
    WHERE id = $4 AND status = 'APPROVED' AND paid_fen = 0";

/// Approves one locked SUBMITTED claim after checking its budgets (whose rows the caller may
/// already have locked).
async fn approve_one<DB: Backend>(
    cx: &mut Cx<'_, DB>,
    before: &Claim,
    a: &ApprovalInput,
    actor: &Actor,
    now: &Timestamp,
) -> Result<(), StoreError> {
    // The approval assesses the application it was computed from.
    before.same_application(a.resubmissions)?;
    check_approval(cx, before.filing.year, a.amount, &a.split).await?;
    let changed = cx
        .exec(
            Stmt::new(APPROVE)
                .bind(&actor.subject)
                .bind(now.as_str())
                .bind(a.reason.clone())
                .bind(fen("amount", a.amount)?)
                .bind(a.set_by_reviewer)
                .bind(&a.split.fiscal_unit)
                .bind(fen("split.municipal", a.split.municipal)?)
                .bind(fen("split.district", a.split.district)?)
                .bind(&a.split.share_table_id)
                .bind(&a.split.share_table_version)
                .bind(&a.split.district_ratio)
                .bind(a.split.provisional)
                .bind(&a.record_json)
                .bind(before.id),
        )
        .await?;
    changed_one(changed, before.id)
}

async fn note_one<DB: Backend>(
    cx: &mut Cx<'_, DB>,
    before: &Claim,
    to: ClaimStatus,
    reason: &str,
    actor: &Actor,
    now: &Timestamp,
) -> Result<(), StoreError> {
    let changed = cx
        .exec(
            Stmt::new(NOTE)
                .bind(to.as_str())
                .bind(&actor.subject)
                .bind(now.as_str())
                .bind(reason)
                .bind(before.id)
                .bind(before.status().as_str()),
        )
        .await?;
    changed_one(changed, before.id)
}

fn changed_one(changed: u64, id: ClaimId) -> Result<(), StoreError> {
    if changed == 1 {
        Ok(())
    } else {
        Err(StoreError::Conflict {
            message: format!("claim {id} changed concurrently"),
        })
    }
}

fn audit_action(d: &Decision) -> AuditAction {
    match d {
        Decision::Approve { .. } => AuditAction::Approve,
        Decision::Reject { .. } => AuditAction::Reject,
        Decision::Return { .. } => AuditAction::Return,
    }
}

/// Applies a decision to a locked SUBMITTED claim (or, revoking an approval
/// an upheld objection stands against, an APPROVED one: see [`review`]) and
/// appends its audit entry.
async fn decide<DB: Backend>(
    cx: &mut Cx<'_, DB>,
    before: &Claim,
    decision: &Decision,
    actor: &Actor,
    now: &Timestamp,
) -> Result<Claim, StoreError> {
    let revoking = revokes(before, decision);
    if !revoking {
        require(before, ClaimAction::Review, SUBMITTED_ONLY)?;
    }
    before.same_application(decision.resubmissions())?;
    match decision {
        Decision::Approve {
            amount,
            set_by_reviewer,
            split,
            record_json,
            reason,
            resubmissions,
        } => {
            let input = ApprovalInput {
                amount: *amount,
                set_by_reviewer: *set_by_reviewer,
                split: split.clone(),
                record_json: record_json.clone(),
                reason: reason.clone(),
                resubmissions: *resubmissions,
            };
            approve_one(cx, before, &input, actor, now).await?;
        }
        Decision::Reject { reason, .. } if revoking => {
            let changed = cx
                .exec(
                    Stmt::new(REVOKE)
                        .bind(&actor.subject)
                        .bind(now.as_str())
                        .bind(reason)
                        .bind(before.id),
                )
                .await?;
            changed_one(changed, before.id)?;
        }
        Decision::Reject { reason, .. } => {
            note_one(cx, before, ClaimStatus::Rejected, reason, actor, now).await?;
        }
        Decision::Return { reason, .. } => {
            note_one(cx, before, ClaimStatus::Returned, reason, actor, now).await?;
        }
    }
    let after = get_claim(cx, before.id).await?;
    // An approval is logged whole: when it is given, and when it is revoked.
    let (before_detail, after_detail) = match decision {
        Decision::Approve { .. } => (Detail::State, Detail::Approval),
        _ if revoking => (Detail::Approval, Detail::State),
        _ => (Detail::State, Detail::State),
    };
    audit::append(
        cx,
        actor,
        now,
        Record::claim(
            before.id,
            audit_action(decision),
            Some(claim_json(before, before_detail)),
            Some(claim_json(&after, after_detail)),
        ),
    )
    .await?;
    Ok(after)
}

pub(crate) async fn review<DB: Backend>(
    cx: &mut Cx<'_, DB>,
    id: ClaimId,
    decision: &Decision,
    actor: &Actor,
    now: &Timestamp,
) -> Result<Claim, StoreError> {
    let before = lock_claim(cx, id).await?;
    // An approved claim an objection was upheld against (异议成立) can be
    // rejected — its approval revoked, its budget and one-time key freed —
    // while nothing of it is paid; nothing else reviews it again.
    if revokes(&before, decision) {
        let upheld = super::publish::claim_objections(cx, id)
            .await?
            .iter()
            .any(|o| o.outcome == Some(ObjectionOutcome::Upheld));
        if upheld && before.paid.is_zero() {
            return decide(cx, &before, decision, actor, now).await;
        }
        return Err(StoreError::InvalidState {
            claim_id: id,
            actual: before.status(),
            // Without an upheld objection an approved claim is simply not
            // reviewed again, as before revocation existed.
            action: if upheld {
                ClaimAction::RevokePartlyPaid
            } else {
                ClaimAction::Review
            },
            allowed: SUBMITTED_ONLY,
        });
    }
    require(&before, ClaimAction::Review, SUBMITTED_ONLY)?;
    if let Decision::Approve { split, .. } = decision {
        lock_budgets(cx, &approval_keys(before.filing.year, &split.fiscal_unit)).await?;
    }
    decide(cx, &before, decision, actor, now).await
}

/// Whether `decision` would revoke the approval of `claim` (allowed only
/// as [`review`] checks).
fn revokes(claim: &Claim, decision: &Decision) -> bool {
    claim.status() == ClaimStatus::Approved && matches!(decision, Decision::Reject { .. })
}

/// The budgets an approval of a claim of `year` with a split naming `unit` touches.
fn approval_keys(year: i32, unit: &str) -> BTreeSet<BudgetKey> {
    let mut keys = BTreeSet::new();
    keys.insert(BudgetKey::new(year, CITY));
    if unit != CITY {
        keys.insert(BudgetKey::new(year, unit));
    }
    keys
}

/// The ids of a batch, validated: some, at most [`validate::MAX_BATCH`], no repeats.
pub(crate) fn check_batch(decision: &BatchDecision) -> Result<(), StoreError> {
    let ids: Vec<ClaimId> = match decision {
        BatchDecision::Approve(items) => {
            for (_, a) in items {
                check_approval_input(a.amount, &a.split, &a.record_json, a.reason.as_deref())?;
            }
            items.iter().map(|(id, _)| *id).collect()
        }
        BatchDecision::Reject { ids, reason } => {
            validate::text("reason", reason)?;
            ids.iter().map(|(id, _)| *id).collect()
        }
    };
    if ids.is_empty() {
        return Err(StoreError::invalid(
            "ids",
            "a batch names at least one claim",
        ));
    }
    if ids.len() > validate::MAX_BATCH {
        return Err(StoreError::invalid(
            "ids",
            format!("a batch names at most {} claims", validate::MAX_BATCH),
        ));
    }
    let unique: BTreeSet<ClaimId> = ids.iter().copied().collect();
    if unique.len() != ids.len() {
        return Err(StoreError::invalid(
            "ids",
            "a claim appears twice in the batch",
        ));
    }
    Ok(())
}

async fn budget_figures<DB: Backend>(
    cx: &mut Cx<'_, DB>,
    keys: &BTreeSet<BudgetKey>,
) -> Result<Vec<BudgetStatus>, StoreError> {
    let mut out = Vec::new();
    for k in keys {
        if let Some(b) = budget_status(cx, k.year, &k.payer).await? {
            out.push(b);
        }
    }
    // As `budgets()` lists them: by year, CITY first, then payers in byte order.
    out.sort_by(|a, b| {
        (a.year, a.payer != CITY, a.payer.as_bytes()).cmp(&(
            b.year,
            b.payer != CITY,
            b.payer.as_bytes(),
        ))
    });
    Ok(out)
}

pub(crate) async fn review_batch<DB: Backend>(
    cx: &mut Cx<'_, DB>,
    decision: &BatchDecision,
    dry_run: bool,
    actor: &Actor,
    now: &Timestamp,
) -> Result<BatchOutcome, StoreError> {
    let ids: Vec<ClaimId> = match decision {
        BatchDecision::Approve(items) => items.iter().map(|(id, _)| *id).collect(),
        BatchDecision::Reject { ids, .. } => ids.iter().map(|(id, _)| *id).collect(),
    };
    // Lock the claims in id order (two batches never wait on each other in a cycle), then
    // every budget the batch touches, in key order.
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    let mut locked = std::collections::BTreeMap::new();
    for id in sorted {
        let c = lock_claim(cx, id).await?;
        require(&c, ClaimAction::Review, SUBMITTED_ONLY)?;
        locked.insert(id, c);
    }
    let mut keys = BTreeSet::new();
    for (id, c) in &locked {
        keys.insert(BudgetKey::new(c.filing.year, CITY));
        if let BatchDecision::Approve(items) = decision
            && let Some((_, a)) = items.iter().find(|(i, _)| i == id)
        {
            keys.extend(approval_keys(c.filing.year, &a.split.fiscal_unit));
        }
    }
    if matches!(decision, BatchDecision::Approve(_)) {
        lock_budgets(cx, &keys).await?;
    }
    let budgets_before = budget_figures(cx, &keys).await?;
    let mut claims = Vec::with_capacity(ids.len());
    let decisions: Vec<(ClaimId, Decision)> = match decision {
        BatchDecision::Approve(items) => items
            .iter()
            .map(|(id, a)| (*id, Decision::from(a.clone())))
            .collect(),
        BatchDecision::Reject { ids, reason } => ids
            .iter()
            .map(|&(id, resubmissions)| {
                (
                    id,
                    Decision::Reject {
                        reason: reason.clone(),
                        resubmissions,
                    },
                )
            })
            .collect(),
    };
    // The first claim that does not fit, said of the batch; the claims after it are
    // still checked (a claim that does not fit writes nothing: its budgets are checked
    // before its row changes), so the reviewer learns every one to leave out at once.
    let mut over: Option<StoreError> = None;
    for (id, d) in &decisions {
        let before = locked
            .get(id)
            .ok_or_else(|| StoreError::not_found("claim", id))?;
        match decide(cx, before, d, actor, now).await {
            Ok(c) => claims.push(c),
            // Said of the batch: the budget as it stood before it, and what the batch
            // asks of it up to this claim, not figures half-way through the batch.
            Err(StoreError::BudgetExceeded {
                year,
                payer,
                total,
                used: used_now,
                requested,
                ..
            }) => {
                if let Some(StoreError::BatchBudgetExceeded { over, .. }) = over.as_mut() {
                    over.push((*id, payer));
                    continue;
                }
                let used = budgets_before
                    .iter()
                    .find(|b| b.year == year && b.payer == payer)
                    .map_or(used_now, |b| b.used);
                let asked = used_now
                    .checked_sub(used)
                    .and_then(|earlier| earlier.checked_add(requested))
                    .unwrap_or(requested);
                over = Some(StoreError::BatchBudgetExceeded {
                    year,
                    left: total.checked_sub(used).unwrap_or(Money::ZERO),
                    over: vec![(*id, payer.clone())],
                    payer,
                    total,
                    used,
                    requested: asked,
                    claim_id: *id,
                });
            }
            Err(e) => return Err(e),
        }
    }
    if let Some(e) = over {
        return Err(e);
    }
    let budgets_after = budget_figures(cx, &keys).await?;
    let mut total = Money::ZERO;
    for c in &claims {
        total = total
            .checked_add(c.amount())
            .ok_or_else(|| StoreError::invalid("ids", "the batch total is out of range"))?;
    }
    Ok(BatchOutcome {
        claims,
        budgets_before,
        budgets_after,
        total,
        dry_run,
    })
}

const WITHDRAWABLE: &[ClaimStatus] = &[ClaimStatus::Submitted, ClaimStatus::Returned];

pub(crate) async fn withdraw<DB: Backend>(
    cx: &mut Cx<'_, DB>,
    id: ClaimId,
    reason: &str,
    actor: &Actor,
    now: &Timestamp,
) -> Result<Claim, StoreError> {
    let before = lock_claim(cx, id).await?;
    own_claim(&before, actor)?;
    require(&before, ClaimAction::Withdraw, WITHDRAWABLE)?;
    note_one(cx, &before, ClaimStatus::Withdrawn, reason, actor, now).await?;
    let after = get_claim(cx, id).await?;
    audit::append(
        cx,
        actor,
        now,
        Record::claim(
            id,
            AuditAction::Withdraw,
            Some(claim_json(&before, Detail::State)),
            Some(claim_json(&after, Detail::State)),
        ),
    )
    .await?;
    Ok(after)
}

const RESUBMIT: &str = "UPDATE claims SET credit_code_confirmed = $1, unit_name = $2, \
    unit_name_folded = $3, seat = $4, fiscal_unit = $5, item = $6, variant = $7, clause = $8, \
    subject = $9, subject_as_given = $10, one_time_key = $11, achievement_date = $12, \
    year = $13, estimated_amount_fen = $14, discretionary = $15, application_json = $16, \
    estimate_json = $17, status = 'SUBMITTED', note_by = NULL, note_at = NULL, \
    note_reason = NULL, resubmissions = resubmissions + 1, updated_at = $18 \
    WHERE id = $19 AND status = 'RETURNED'";

pub(crate) async fn resubmit<DB: Backend>(
    cx: &mut Cx<'_, DB>,
    id: ClaimId,
    r: &Resubmission,
    actor: &Actor,
    now: &Timestamp,
) -> Result<Claim, StoreError> {
    let before = lock_claim(cx, id).await?;
    own_claim(&before, actor)?;
    require(&before, ClaimAction::Resubmit, &[ClaimStatus::Returned])?;
    let f = &r.filing;
    if f.submitted_by != before.filing.submitted_by {
        return Err(StoreError::invalid(
            "filing.submitted_by",
            "a resubmission keeps the claim's submitter",
        ));
    }
    if f.credit_code != before.filing.credit_code {
        return Err(StoreError::invalid(
            "filing.credit_code",
            "a resubmission keeps the claim's credit code",
        ));
    }
    if f.one_time_key != before.filing.one_time_key {
        lock_one_time_key(cx, &f.one_time_key).await?;
        if let Some(h) = key_holder(cx, &f.one_time_key, id).await? {
            return Err(StoreError::KeyHeld {
                claim_id: h.id,
                item: h.item,
                key: f.one_time_key.clone(),
            });
        }
    }
    let changed = cx
        .exec(
            Stmt::new(RESUBMIT)
                .bind(f.credit_code_confirmed)
                .bind(&f.unit_name)
                .bind(validate::fold(&f.unit_name))
                .bind(&f.seat)
                .bind(&f.fiscal_unit)
                .bind(&f.item)
                .bind(&f.variant)
                .bind(&f.clause)
                .bind(&f.subject)
                .bind(&f.subject_as_given)
                .bind(&f.one_time_key)
                .bind(f.achievement_date.to_string())
                .bind(f.year)
                .bind(fen("estimated_amount", f.estimated_amount)?)
                .bind(f.discretionary)
                .bind(&f.application_json)
                .bind(&f.estimate_json)
                .bind(now.as_str())
                .bind(id),
        )
        .await?;
    changed_one(changed, id)?;
    let after = get_claim(cx, id).await?;
    audit::append(
        cx,
        actor,
        now,
        Record::claim(
            id,
            AuditAction::Resubmit,
            Some(claim_json(&before, Detail::Filing)),
            Some(claim_json(&after, Detail::Filing)),
        ),
    )
    .await?;
    Ok(after)
}

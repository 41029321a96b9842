//! The claims table against the audit log: the second half of `stdfund audit verify`.
//!
//! Every change to a claim appends an entry whose `after` is the claim's snapshot
//! ([`claim_json`]): submission, review, withdrawal, resubmission (`claim:<id>` targets) and
//! payment (`payment:<id>`); a re-keying appends only `{"one_time_key": …}`. Folding a
//! claim's entries in order gives what its row must hold now. [`verify`] compares that with
//! the row (and the claim's payments), field by field, for every field the snapshot has.
//!
//! Claims whose entries hold no snapshot of this form — registries upgraded from v1, whose
//! log recorded little of the claim, and rows written behind the store's back with no entry
//! at all — cannot be compared; they are counted and named, not passed.
//!
//! Timestamps are compared as instants, so a v1 spelling that migration 0002 normalised
//! still agrees with its normalised form.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::backend::{Backend, DbRow, Stmt};
use crate::db::{Cx, FromDbRow, N};
use crate::error::StoreError;
use crate::model::{Claim, ClaimId, ClaimsVerification, Payment, Timestamp};
use crate::ops::get_claim;
use crate::records::{Detail, PAYMENT_COLUMNS, claim_json, select_claims};

/// Rows read per query.
const CHUNK: i64 = 500;

/// How many unverifiable claims are named.
const NAMED: usize = 20;

/// Keys of a snapshot that describe the filing's payloads or the approval's record, which
/// the state snapshot leaves out.
const DETAIL_ONLY: [&str; 2] = ["application_json", "estimate_json"];

/// The keys every current snapshot of a whole claim has.
const WHOLE: [&str; 3] = ["status", "one_time_key", "paid"];

struct StateEntry {
    id: i64,
    claim_id: i64,
    after: Option<String>,
}

impl FromDbRow for StateEntry {
    fn from_row<R: DbRow>(r: &R) -> Result<Self, StoreError> {
        Ok(StateEntry {
            id: r.i64("id")?,
            claim_id: r.i64("claim_id")?,
            after: r.opt_text("after_json")?,
        })
    }
}

const STATE_ENTRIES: &str = "SELECT id, claim_id, after_json FROM audit_entries \
    WHERE id > $1 AND claim_id IS NOT NULL \
    AND (target LIKE 'claim:%' OR target LIKE 'payment:%') ORDER BY id LIMIT $2";

/// What the log says of one claim.
#[derive(Default)]
struct Expected {
    /// The folded snapshot, when a whole one was seen.
    state: Option<Map<String, Value>>,
    /// The last entry that changed it.
    entry: i64,
}

/// Folds every claim-state entry, in log order.
async fn expected<DB: Backend>(
    cx: &mut Cx<'_, DB>,
) -> Result<BTreeMap<ClaimId, Expected>, StoreError> {
    let mut out: BTreeMap<ClaimId, Expected> = BTreeMap::new();
    let mut last = 0_i64;
    loop {
        let chunk: Vec<StateEntry> = cx
            .all(Stmt::new(STATE_ENTRIES).bind(last).bind(CHUNK))
            .await?;
        let done = i64::try_from(chunk.len()).unwrap_or(0) < CHUNK;
        for e in chunk {
            last = e.id;
            let slot = out.entry(e.claim_id).or_default();
            slot.entry = e.id;
            let Some(Value::Object(mut after)) = e
                .after
                .as_deref()
                .and_then(|a| serde_json::from_str(a).ok())
            else {
                continue;
            };
            for key in DETAIL_ONLY {
                after.remove(key);
            }
            if let Some(Value::Object(approval)) = after.get_mut("approval") {
                approval.remove("record_json");
            }
            if WHOLE.iter().all(|k| after.contains_key(*k)) {
                slot.state = Some(after);
            } else if let Some(state) = &mut slot.state {
                // A partial snapshot (a re-keying) changes only what it names.
                state.extend(after);
            }
        }
        if done {
            return Ok(out);
        }
    }
}

/// Whether two snapshot values agree; timestamps compare as instants.
fn same(want: &Value, have: &Value) -> bool {
    match (want, have) {
        (Value::String(a), Value::String(b)) => {
            a == b
                || matches!(
                    (Timestamp::from_rfc3339(a), Timestamp::from_rfc3339(b)),
                    (Ok(x), Ok(y)) if x == y
                )
        }
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| same(v, w)))
        }
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(v, w)| same(v, w))
        }
        _ => want == have,
    }
}

/// The first field in which the row differs from the log, if any.
fn differs(want: &Map<String, Value>, have: &Map<String, Value>) -> Option<String> {
    for (key, value) in want {
        match have.get(key) {
            Some(now) if same(value, now) => {}
            // A snapshot taken without the payments loaded says nothing of them.
            None if key == "payments" => {}
            Some(now) => return Some(format!("{key} is {now} in the table, {value} in the log")),
            None => {
                return Some(format!(
                    "{key} is absent from the table, {value} in the log"
                ));
            }
        }
    }
    if want.contains_key("payments") || !have.contains_key("payments") {
        return None;
    }
    // Payments the log never recorded.
    have.get("payments")
        .map(|p| format!("payments are {p} in the table, absent from the log"))
}

/// A claim as its snapshot, with its payments.
fn snapshot(claim: &Claim) -> Map<String, Value> {
    match serde_json::from_str(&claim_json(claim, Detail::State)) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

/// Reads claims after `last`, a chunk at a time; a row that does not decode is named.
async fn claims_after<DB: Backend>(
    cx: &mut Cx<'_, DB>,
    last: ClaimId,
) -> Result<Vec<(ClaimId, Result<Claim, StoreError>)>, StoreError> {
    let sql = select_claims("WHERE c.id > $1 ORDER BY c.id LIMIT $2");
    match cx
        .all::<Claim>(Stmt::assembled(sql, Vec::new()).bind(last).bind(CHUNK))
        .await
    {
        Ok(claims) => Ok(claims.into_iter().map(|c| (c.id, Ok(c))).collect()),
        Err(StoreError::Corrupt { .. }) => {
            // One row does not decode: read the chunk one claim at a time to name it.
            let ids: Vec<N> = cx
                .all(
                    Stmt::new("SELECT id AS n FROM claims WHERE id > $1 ORDER BY id LIMIT $2")
                        .bind(last)
                        .bind(CHUNK),
                )
                .await?;
            let mut out = Vec::with_capacity(ids.len());
            for N(id) in ids {
                out.push((id, get_claim(cx, id).await));
            }
            Ok(out)
        }
        Err(e) => Err(e),
    }
}

async fn payments_by_claim<DB: Backend>(
    cx: &mut Cx<'_, DB>,
) -> Result<BTreeMap<ClaimId, Vec<Payment>>, StoreError> {
    let sql = format!("SELECT {PAYMENT_COLUMNS} FROM payments p ORDER BY p.claim_id, p.id");
    let all: Vec<Payment> = cx.all(Stmt::assembled(sql, Vec::new())).await?;
    let mut out: BTreeMap<ClaimId, Vec<Payment>> = BTreeMap::new();
    for p in all {
        out.entry(p.claim_id).or_default().push(p);
    }
    Ok(out)
}

/// Compares every claim with what the log says of it; run inside a read snapshot.
pub(crate) async fn verify<DB: Backend>(
    cx: &mut Cx<'_, DB>,
) -> Result<ClaimsVerification, StoreError> {
    let mut expected = expected(cx).await?;
    let mut payments = payments_by_claim(cx).await?;
    let mut v = ClaimsVerification::default();
    let mut last: ClaimId = 0;
    loop {
        let chunk = claims_after(cx, last).await?;
        let done = i64::try_from(chunk.len()).unwrap_or(0) < CHUNK;
        for (id, claim) in chunk {
            last = id;
            let log = expected.remove(&id);
            let paid = payments.remove(&id).unwrap_or_default();
            let problem = match (claim, log) {
                (Err(e), _) => Some(format!("its row does not read as a claim: {e}")),
                (Ok(_), None) => {
                    v.unverifiable(id);
                    None
                }
                (Ok(_), Some(Expected { state: None, .. })) => {
                    v.unverifiable(id);
                    None
                }
                (
                    Ok(mut claim),
                    Some(Expected {
                        state: Some(want),
                        entry,
                    }),
                ) => {
                    claim.payments = paid;
                    v.checked = v.checked.saturating_add(1);
                    differs(&want, &snapshot(&claim))
                        .map(|d| format!("it differs from audit entry {entry}: {d}"))
                }
            };
            if let Some(p) = problem
                && v.first_diverging.is_none()
            {
                v.first_diverging = Some((id, p));
            }
        }
        if done {
            break;
        }
    }
    // Entries about claims the table no longer has.
    if v.first_diverging.is_none()
        && let Some((&id, log)) = expected.iter().next()
    {
        v.first_diverging = Some((
            id,
            format!(
                "it is in the audit log (entry {}) but not in the claims table: its row was deleted",
                log.entry
            ),
        ));
    }
    // Payments of claims the table does not have.
    if v.first_diverging.is_none()
        && let Some((&id, p)) = payments.iter().next()
    {
        let ids: Vec<String> = p.iter().map(|p| p.id.to_string()).collect();
        v.first_diverging = Some((
            id,
            format!(
                "payment {} names it, and the claims table does not have it",
                ids.join(", ")
            ),
        ));
    }
    Ok(v)
}

impl ClaimsVerification {
    fn unverifiable(&mut self, id: ClaimId) {
        self.unverifiable = self.unverifiable.saturating_add(1);
        if self.unverifiable_named.len() < NAMED {
            self.unverifiable_named.push(id);
        }
    }
}

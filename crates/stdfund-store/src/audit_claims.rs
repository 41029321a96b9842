//! The claims table against the audit log: the second half of `stdfund audit verify`.
//!
//! Every change to a claim appends an entry whose `after` is the claim's snapshot
//! ([`claim_json`]): submission, review, withdrawal, resubmission (`claim:<id>` targets) and
//! payment (`payment:<id>`); a re-keying appends only `{"one_time_key": …}`. Folding a
//! claim's entries in order gives what its row must hold now. [`verify`] compares that with
//! the row (and the claim's payments), field by field, for every field the snapshot has.
//!
//! Each entry's `before` must also be what the entries before it left: a row changed behind
//! the store's back and then changed again through it (the store logs the forged values as
//! its starting point) shows there. The filing's payloads and the approval's record are
//! compared too, carried from the entries that wrote them.
//!
//! Claims whose entries hold no snapshot of this form — registries upgraded from v1, whose
//! log recorded little of the claim, and rows written behind the store's back with no entry
//! at all — cannot be compared; they are counted and named, not passed. So is a claim the
//! log never saw submitted, though it is compared from its first snapshot on.
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

/// Keys of a snapshot that hold the filing's payloads (the application and its estimate),
/// which only a submission's and a resubmission's snapshots carry; the approval's record
/// (`approval.record_json`) only an approval's.
const PAYLOADS: [&str; 2] = ["application_json", "estimate_json"];

/// The keys every current snapshot of a whole claim has.
const WHOLE: [&str; 3] = ["status", "one_time_key", "paid"];

struct StateEntry {
    id: i64,
    claim_id: i64,
    target: String,
    action: String,
    before: Option<String>,
    after: Option<String>,
}

impl FromDbRow for StateEntry {
    fn from_row<R: DbRow>(r: &R) -> Result<Self, StoreError> {
        Ok(StateEntry {
            id: r.i64("id")?,
            claim_id: r.i64("claim_id")?,
            target: r.text("target")?,
            action: r.text("action")?,
            before: r.opt_text("before_json")?,
            after: r.opt_text("after_json")?,
        })
    }
}

const STATE_ENTRIES: &str = "SELECT id, claim_id, target, action, before_json, after_json \
    FROM audit_entries WHERE id > $1 AND claim_id IS NOT NULL \
    AND (target LIKE 'claim:%' OR target LIKE 'payment:%') ORDER BY id LIMIT $2";

/// What the log says of one claim.
#[derive(Default)]
struct Expected {
    /// The folded snapshot, when a whole one was seen, with the payloads carried from the
    /// entries that wrote them.
    state: Option<Map<String, Value>>,
    /// The last entry that changed it.
    entry: i64,
    /// Whether its first entry is its submission.
    submitted: Option<bool>,
    /// The first entry whose `before` is not what the entries before it left: the row was
    /// changed between two entries (and then changed again through the store, which logged
    /// the forged values as its starting point).
    break_between: Option<String>,
}

/// A snapshot, its payloads kept by digest: the check holds every claim's state at once,
/// and the documents (a few KB each) would make that grow with the registry.
fn object(text: Option<&str>) -> Option<Map<String, Value>> {
    match text.and_then(|t| serde_json::from_str(t).ok()) {
        Some(Value::Object(mut map)) => {
            digest_payloads(&mut map);
            Some(map)
        }
        _ => None,
    }
}

fn digest_payloads(map: &mut Map<String, Value>) {
    let digest = |v: &mut Value| {
        if let Value::String(text) = v {
            *v = Value::String(format!(
                "sha256:{} ({} characters)",
                crate::validate::hex(&<sha2::Sha256 as sha2::Digest>::digest(text.as_bytes())),
                text.chars().count()
            ));
        }
    };
    for key in PAYLOADS {
        if let Some(v) = map.get_mut(key) {
            digest(v);
        }
    }
    if let Some(Value::Object(approval)) = map.get_mut("approval")
        && let Some(v) = approval.get_mut("record_json")
    {
        digest(v);
    }
}

/// A whole snapshot's payments, made explicit: `claim_json` leaves the key out when there
/// are none, so a snapshot whose payments were loaded (a payment's entries, the table's
/// row) or that has paid nothing holds `[]` then. A snapshot of a paid claim taken without
/// its payments loaded keeps no key: it says nothing of them.
fn with_payments(map: &mut Map<String, Value>, loaded: bool) {
    let unpaid = map.get("paid").and_then(Value::as_str) == Some("0.00");
    if map.contains_key("paid") && !map.contains_key("payments") && (loaded || unpaid) {
        map.insert("payments".to_owned(), Value::Array(Vec::new()));
    }
}

/// The ids of a snapshot's payments (`None` when it says nothing of them).
fn payment_ids(map: &Map<String, Value>) -> Option<Vec<i64>> {
    map.get("payments").and_then(Value::as_array).map(|p| {
        p.iter()
            .filter_map(|v| v.get("id").and_then(Value::as_i64))
            .collect()
    })
}

/// A snapshot without its payloads, for comparing what every snapshot holds.
fn without_payloads(map: &Map<String, Value>) -> Map<String, Value> {
    let mut out = map.clone();
    for key in PAYLOADS {
        out.remove(key);
    }
    if let Some(Value::Object(approval)) = out.get_mut("approval") {
        approval.remove("record_json");
    }
    out
}

/// The first field both snapshots hold and disagree on.
fn first_disagreement(
    earlier: &Map<String, Value>,
    later: &Map<String, Value>,
) -> Option<(String, Value, Value)> {
    let (earlier, later) = (without_payloads(earlier), without_payloads(later));
    later
        .iter()
        .find_map(|(key, value)| match earlier.get(key) {
            Some(was) if !same(was, value) => Some((key.clone(), was.clone(), value.clone())),
            _ => None,
        })
}

impl Expected {
    fn fold(&mut self, e: StateEntry) {
        let previous = self.entry;
        self.entry = e.id;
        self.submitted.get_or_insert(e.action == "SUBMIT");
        // A payment's entries are written with the claim's payments loaded.
        let recorded = e
            .target
            .strip_prefix("payment:")
            .and_then(|n| n.parse::<i64>().ok());
        let loaded = recorded.is_some();
        let mut before = object(e.before.as_deref());
        if let Some(b) = &mut before {
            with_payments(b, loaded);
        }
        if self.break_between.is_none()
            && let (Some(state), Some(before)) = (&self.state, &before)
            && let Some((key, was, found)) = first_disagreement(state, before)
        {
            let (path, found, was) = narrowest(key, &found, &was);
            self.break_between = Some(format!(
                "audit entry {} found {path} = {}, where entry {previous} had left {}: \
                 the row was changed between them",
                e.id,
                shown(found),
                shown(was)
            ));
        }
        let Some(mut after) = object(e.after.as_deref()) else {
            return;
        };
        with_payments(&mut after, loaded);
        // Payments are only ever added, one by the entry that records it: one that
        // disappears was deleted, one that appears elsewhere was inserted.
        if self.break_between.is_none()
            && let (Some(was), Some(now)) = (
                self.state.as_ref().and_then(payment_ids),
                payment_ids(&after),
            )
        {
            if let Some(gone) = was.iter().find(|id| !now.contains(id)) {
                self.break_between = Some(format!(
                    "payment {gone}, recorded by the log before audit entry {}, is missing from \
                     that entry: its row was deleted",
                    e.id
                ));
            } else if let Some(new) = now
                .iter()
                .find(|id| !was.contains(id) && Some(**id) != recorded)
            {
                self.break_between = Some(format!(
                    "payment {new} appears at audit entry {}, which recorded no such payment: \
                     its row was inserted behind the store's back",
                    e.id
                ));
            }
        }
        if WHOLE.iter().all(|k| after.contains_key(*k)) {
            let mut next = after;
            if let Some(old) = &self.state {
                carry_payloads(old, &mut next);
            }
            self.state = Some(next);
        } else if let Some(state) = &mut self.state {
            // A partial snapshot (a re-keying) changes only what it names.
            state.extend(after);
        }
    }
}

/// The payloads a snapshot does not carry stay as the entries that wrote them left them: the
/// application and estimate until a resubmission, the approval's record while it stands.
fn carry_payloads(old: &Map<String, Value>, next: &mut Map<String, Value>) {
    for key in PAYLOADS {
        if !next.contains_key(key)
            && let Some(v) = old.get(key)
        {
            next.insert(key.to_owned(), v.clone());
        }
    }
    if let (Some(Value::Object(was)), Some(Value::Object(now))) =
        (old.get("approval"), next.get_mut("approval"))
        && !now.contains_key("record_json")
        && let Some(record) = was.get("record_json")
    {
        now.insert("record_json".to_owned(), record.clone());
    }
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
            out.entry(e.claim_id).or_default().fold(e);
        }
        if done {
            return Ok(out);
        }
    }
}

/// Whether two snapshot values agree; timestamps compare as instants.
pub(crate) fn same(want: &Value, have: &Value) -> bool {
    match (want, have) {
        (Value::String(a), Value::String(b)) => {
            a == b
                || matches!(
                    (Timestamp::from_rfc3339(a), Timestamp::from_rfc3339(b)),
                    (Ok(x), Ok(y)) if x == y
                )
        }
        // What the log recorded must be there; a snapshot of another detail may hold more
        // (an approval's record beside one logged without it).
        (Value::Object(a), Value::Object(b)) => {
            a.iter().all(|(k, v)| b.get(k).is_some_and(|w| same(v, w)))
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
            Some(now) => {
                let (path, now, value) = narrowest(key.clone(), now, value);
                return Some(format!(
                    "{path} is {} in the table, {} in the log",
                    shown(now),
                    shown(value)
                ));
            }
            None => {
                return Some(format!(
                    "{key} is absent from the table, {} in the log",
                    shown(value)
                ));
            }
        }
    }
    let none = |p: &Value| p.as_array().is_some_and(Vec::is_empty);
    if want.contains_key("payments") || have.get("payments").is_none_or(none) {
        return None;
    }
    // Payments the log never recorded.
    have.get("payments").map(|p| {
        format!(
            "payments are {} in the table, absent from the log",
            shown(p)
        )
    })
}

/// The innermost field of two objects that differs (`approval.record_json`, not the
/// whole approval).
pub(crate) fn narrowest<'a>(
    path: String,
    now: &'a Value,
    was: &'a Value,
) -> (String, &'a Value, &'a Value) {
    if let (Value::Object(n), Value::Object(w)) = (now, was)
        && let Some((k, wv, nv)) = w
            .iter()
            .find_map(|(k, wv)| n.get(k).filter(|nv| !same(wv, nv)).map(|nv| (k, wv, nv)))
    {
        return narrowest(format!("{path}.{k}"), nv, wv);
    }
    if let (Value::Array(n), Value::Array(w)) = (now, was)
        && n.len() == w.len()
        && let Some((i, (nv, wv))) = n
            .iter()
            .zip(w)
            .enumerate()
            .find(|(_, (nv, wv))| !same(wv, nv))
    {
        return narrowest(format!("{path}[{i}]"), nv, wv);
    }
    (path, now, was)
}

/// A value for a message: long texts (a stored document) by their length and digest.
pub(crate) fn shown(v: &Value) -> String {
    const LONG: usize = 120;
    match v {
        Value::String(s) if s.chars().count() > LONG => format!(
            "a text of {} characters ({})",
            s.chars().count(),
            crate::validate::hex(&<sha2::Sha256 as sha2::Digest>::digest(s.as_bytes()))
                .get(..12)
                .unwrap_or("")
        ),
        other => {
            let text = other.to_string();
            if text.chars().count() > LONG {
                let head: String = text.chars().take(LONG).collect();
                format!("{head}…")
            } else {
                text
            }
        }
    }
}

/// A claim as its snapshot, with its payments (`[]` for none).
fn snapshot(claim: &Claim) -> Map<String, Value> {
    let mut map = object(Some(&claim_json(claim, Detail::Filing))).unwrap_or_default();
    with_payments(&mut map, true);
    map
}

/// Whether a claim's paid amount is what its payments add up to; what differs if not.
fn paid_adds_up(claim: &Claim) -> Option<String> {
    let sum = claim
        .payments
        .iter()
        .try_fold(stdfund_rules::money::Money::ZERO, |s, p| {
            s.checked_add(p.amount)
        });
    match sum {
        Some(sum) if sum == claim.paid => None,
        Some(sum) => Some(format!(
            "paid is \"{}\" in the table, but its payments add up to \"{sum}\"",
            claim.paid
        )),
        None => Some("its payments add up to more than any amount".to_owned()),
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
                (Ok(mut claim), Some(log)) => {
                    // A claim the log never saw submitted (upgraded from v1, or inserted
                    // behind the store's back and then reviewed): compared, and named.
                    if log.submitted != Some(true) {
                        v.unverifiable(id);
                    }
                    claim.payments = paid;
                    v.checked = v.checked.saturating_add(1);
                    let entry = log.entry;
                    log.break_between
                        .or_else(|| {
                            log.state.and_then(|want| {
                                differs(&want, &snapshot(&claim))
                                    .map(|d| format!("it differs from audit entry {entry}: {d}"))
                            })
                        })
                        .or_else(|| paid_adds_up(&claim))
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
    // Entries about claims the table no longer has, and payments of such claims: the
    // first problem is the one of the smallest claim id, wherever it was found.
    let deleted = expected.iter().next().map(|(&id, log)| {
        (
            id,
            format!(
                "it is in the audit log (entry {}) but not in the claims table: its row was deleted",
                log.entry
            ),
        )
    });
    let orphaned = payments.iter().next().map(|(&id, p)| {
        let ids: Vec<String> = p.iter().map(|p| p.id.to_string()).collect();
        (
            id,
            format!(
                "payment {} names it, and the claims table does not have it",
                ids.join(", ")
            ),
        )
    });
    for found in [deleted, orphaned].into_iter().flatten() {
        if v.first_diverging
            .as_ref()
            .is_none_or(|(id, _)| found.0 < *id)
        {
            v.first_diverging = Some(found);
        }
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

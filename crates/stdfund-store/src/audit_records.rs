//! Publications, objections and attachments against the audit log: the last part of
//! `stdfund audit verify`.
//!
//! Each of them is written with an entry holding its whole snapshot (`publication:<id>`
//! when a 公示 is drafted and when it is issued, `objection:<id>` when an objection is
//! recorded and resolved, `attachment:<id>` when a file is added), so the last snapshot is
//! what the row must hold now, and each entry's `before` what the entry before it left. An
//! attachment's content must also still be the bytes its digest and size name.
//!
//! An objection's outcome decides whether a claim may be paid (`OBJECTION_BLOCKS_PAYMENT`),
//! and an issued publication is the list the public saw: a row changed behind the store's
//! back is a divergence. A row no entry names cannot be compared; it is counted and named.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::audit_claims::{narrowest, same, shown};
use crate::backend::{Backend, DbRow, Stmt};
use crate::db::{Cx, FromDbRow, N};
use crate::error::StoreError;
use crate::model::{Objection, RowsVerification};
use crate::ops::publish::publication;
use crate::records::{
    ATTACHMENT_COLUMNS, AttachmentWithContent, OBJECTION_COLUMNS, attachment_json, objection_json,
    publication_json,
};

/// How many unverifiable rows are named.
const NAMED: usize = 20;

const RECORD_ENTRIES: &str = "SELECT id, target, before_json, after_json FROM audit_entries \
    WHERE target LIKE 'publication:%' OR target LIKE 'objection:%' \
    OR target LIKE 'attachment:%' ORDER BY id";

struct RecordEntry {
    id: i64,
    target: String,
    before: Option<String>,
    after: Option<String>,
}

impl FromDbRow for RecordEntry {
    fn from_row<R: DbRow>(r: &R) -> Result<Self, StoreError> {
        Ok(RecordEntry {
            id: r.i64("id")?,
            target: r.text("target")?,
            before: r.opt_text("before_json")?,
            after: r.opt_text("after_json")?,
        })
    }
}

fn object(text: Option<&str>) -> Option<Map<String, Value>> {
    match serde_json::from_str(text?).ok()? {
        Value::Object(mut map) => {
            // An issue entry written before 2026-12-05 holds the publication's row without
            // its lines (`entries` empty, `entry_count` not): it says nothing of them, and
            // the lines its creation logged stand.
            let listed = map.get("entry_count").and_then(Value::as_i64).unwrap_or(0);
            if listed > 0
                && map
                    .get("entries")
                    .and_then(Value::as_array)
                    .is_some_and(Vec::is_empty)
            {
                map.remove("entries");
            }
            Some(map)
        }
        _ => None,
    }
}

/// What the log says of one row: its last snapshot, that entry, and the first entry that
/// found the row other than the entry before it had left it.
struct Expected {
    state: Map<String, Value>,
    entry: i64,
    break_between: Option<String>,
}

/// The first field of `found` that differs from `was`, as a message part.
fn differs(was: &Map<String, Value>, found: &Map<String, Value>) -> Option<String> {
    found.iter().find_map(|(key, value)| match was.get(key) {
        Some(w) if !same(w, value) => {
            let (path, found, was) = narrowest(key.clone(), value, w);
            Some(format!(
                "{path} = {}, where it was {}",
                shown(found),
                shown(was)
            ))
        }
        _ => None,
    })
}

async fn expected<DB: Backend>(
    cx: &mut Cx<'_, DB>,
) -> Result<BTreeMap<String, Expected>, StoreError> {
    let entries: Vec<RecordEntry> = cx.all(Stmt::new(RECORD_ENTRIES)).await?;
    let mut out: BTreeMap<String, Expected> = BTreeMap::new();
    for e in entries {
        let Some(after) = object(e.after.as_deref()) else {
            continue;
        };
        let before = object(e.before.as_deref());
        match out.get_mut(&e.target) {
            Some(known) => {
                if known.break_between.is_none()
                    && let Some(found) = &before
                    && let Some(d) = differs(&known.state, found)
                {
                    known.break_between = Some(format!(
                        "audit entry {} found {d} when entry {} left it: the row was changed \
                         between them",
                        e.id, known.entry
                    ));
                }
                // What a snapshot leaves out (the lines, above) stays as it was.
                let mut next = after;
                for (key, value) in &known.state {
                    next.entry(key.clone()).or_insert_with(|| value.clone());
                }
                known.state = next;
                known.entry = e.id;
            }
            None => {
                out.insert(
                    e.target,
                    Expected {
                        state: after,
                        entry: e.id,
                        break_between: None,
                    },
                );
            }
        }
    }
    Ok(out)
}

/// Every publication, objection and attachment as its snapshot, by target; an attachment
/// whose content no longer matches its digest or size is named with what differs.
async fn rows<DB: Backend>(
    cx: &mut Cx<'_, DB>,
) -> Result<Vec<(String, Result<Map<String, Value>, String>)>, StoreError> {
    let mut out = Vec::new();
    let ids: Vec<N> = cx
        .all(Stmt::new("SELECT id AS n FROM publications ORDER BY id"))
        .await?;
    for N(id) in ids {
        let row = match publication(cx, id).await {
            Ok(p) => object(Some(&publication_json(&p))).ok_or_else(String::new),
            Err(e) => Err(format!("its row does not read as a publication: {e}")),
        };
        out.push((format!("publication:{id}"), row));
    }
    let sql = format!("SELECT {OBJECTION_COLUMNS} FROM objections ORDER BY id");
    let objections: Vec<Objection> = cx.all(Stmt::assembled(sql, Vec::new())).await?;
    for o in objections {
        let row = object(Some(&objection_json(&o))).ok_or_else(String::new);
        out.push((format!("objection:{}", o.id), row));
    }
    let sql = format!("SELECT {ATTACHMENT_COLUMNS}, content FROM attachments ORDER BY id");
    let attachments: Vec<AttachmentWithContent> = cx.all(Stmt::assembled(sql, Vec::new())).await?;
    for AttachmentWithContent(a, content) in attachments {
        // As `add_attachment` writes it.
        let digest = format!(
            "sha256:{}",
            crate::validate::hex(&<sha2::Sha256 as sha2::Digest>::digest(content.as_slice()))
        );
        let size = i64::try_from(content.len()).unwrap_or(i64::MAX);
        let row = if digest != a.sha256 || size != a.size_bytes {
            Err(format!(
                "its content is {size} bytes, {}…, not the {} bytes, {}…, its row names: the \
                 file was replaced",
                digest.get(..19).unwrap_or(""),
                a.size_bytes,
                a.sha256.get(..19).unwrap_or("")
            ))
        } else {
            object(Some(&attachment_json(&a))).ok_or_else(String::new)
        };
        out.push((format!("attachment:{}", a.id), row));
    }
    Ok(out)
}

const OBJECTION_AND_PAYMENT_ENTRIES: &str = "SELECT id, claim_id, target, after_json \
    FROM audit_entries WHERE target LIKE 'objection:%' OR target LIKE 'payment:%' ORDER BY id";

struct Step {
    id: i64,
    claim_id: Option<i64>,
    target: String,
    after: Option<String>,
}

impl FromDbRow for Step {
    fn from_row<R: DbRow>(r: &R) -> Result<Self, StoreError> {
        Ok(Step {
            id: r.i64("id")?,
            claim_id: r.opt_i64("claim_id")?,
            target: r.text("target")?,
            after: r.opt_text("after_json")?,
        })
    }
}

/// The first payment the log records while an objection against its claim was, by the
/// log, still open or upheld — which the store refuses (`OBJECTION_BLOCKS_PAYMENT`), so
/// the objection's row was changed for the payment (and, the rows agreeing with the log
/// now, changed back).
async fn paid_while_objected<DB: Backend>(
    cx: &mut Cx<'_, DB>,
) -> Result<Option<(String, String)>, StoreError> {
    let steps: Vec<Step> = cx.all(Stmt::new(OBJECTION_AND_PAYMENT_ENTRIES)).await?;
    // Objection target → (claim, outcome, the entry that set it).
    let mut objections: BTreeMap<String, (i64, Option<String>, i64)> = BTreeMap::new();
    for s in steps {
        if s.target.starts_with("objection:") {
            if let Some(after) = object(s.after.as_deref())
                && let Some(claim) = after.get("claim_id").and_then(Value::as_i64)
            {
                let outcome = after
                    .get("outcome")
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                objections.insert(s.target, (claim, outcome, s.id));
            }
            continue;
        }
        let Some(claim) = s.claim_id else { continue };
        let blocking = objections.iter().find(|(_, (c, outcome, _))| {
            *c == claim && outcome.as_deref().is_none_or(|o| o == "UPHELD")
        });
        if let Some((target, (_, outcome, set_by))) = blocking {
            let state = if outcome.is_some() { "upheld" } else { "open" };
            return Ok(Some((
                target.clone(),
                format!(
                    "audit entry {} records {} of claim {claim} while this objection was {state} \
                     (entry {set_by}), which no payment passes: its row was changed for the payment",
                    s.id, s.target
                ),
            )));
        }
    }
    Ok(None)
}

/// Compares every publication, objection and attachment with what the log says of it; run
/// inside a read snapshot.
pub(crate) async fn verify<DB: Backend>(
    cx: &mut Cx<'_, DB>,
) -> Result<RowsVerification, StoreError> {
    let mut expected = expected(cx).await?;
    let mut v = RowsVerification::default();
    for (target, row) in rows(cx).await? {
        let log = expected.remove(&target);
        let problem =
            match (row, log) {
                (Err(why), _) => Some(why),
                (Ok(_), None) => {
                    v.unverifiable = v.unverifiable.saturating_add(1);
                    if v.unverifiable_named.len() < NAMED {
                        v.unverifiable_named.push(target.clone());
                    }
                    None
                }
                (Ok(have), Some(log)) => {
                    v.checked = v.checked.saturating_add(1);
                    log.break_between.or_else(|| {
                        log.state.iter().find_map(|(key, want)| match have.get(key) {
                        Some(now) if same(want, now) => None,
                        Some(now) => {
                            let (path, now, want) = narrowest(key.clone(), now, want);
                            Some(format!(
                                "it differs from audit entry {}: {path} is {} in the table, {} \
                                 in the log",
                                log.entry,
                                shown(now),
                                shown(want)
                            ))
                        }
                        None => Some(format!(
                            "it differs from audit entry {}: {key} is absent from the table",
                            log.entry
                        )),
                    })
                    })
                }
            };
        if let Some(p) = problem
            && v.first_diverging.is_none()
        {
            v.first_diverging = Some((target, p));
        }
    }
    if v.first_diverging.is_none()
        && let Some((target, log)) = expected.into_iter().next()
    {
        v.first_diverging = Some((
            target,
            format!(
                "it is in the audit log (entry {}) but not in its table: its row was deleted",
                log.entry
            ),
        ));
    }
    if v.first_diverging.is_none() {
        v.first_diverging = paid_while_objected(cx).await?;
    }
    Ok(v)
}

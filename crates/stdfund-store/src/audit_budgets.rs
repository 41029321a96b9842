//! The budgets table against the audit log: the third part of `stdfund audit verify`.
//!
//! Every `SetBudget` appends an entry (`budget:<year>:<payer>`) whose `after` holds the
//! total it set, and whose `before` the total it found (none for a new budget). Folding a
//! budget's entries in order gives the total its row must hold now; each entry's `before`
//! must be what the entry before it left, so a total raised behind the store's back shows
//! even after a later `SetBudget` has logged the forged figure as its starting point.
//!
//! A budget row no entry names (written behind the store's back) cannot be compared: it is
//! counted and named, not passed. A budget the log set and the table lacks was deleted.

use std::collections::BTreeMap;

use serde_json::Value;
use stdfund_rules::money::Money;

use crate::backend::{Backend, DbRow, Stmt};
use crate::db::{Cx, FromDbRow};
use crate::error::StoreError;
use crate::model::RowsVerification;

/// How many unverifiable budgets are named.
const NAMED: usize = 20;

const BUDGET_ENTRIES: &str = "SELECT id, target, before_json, after_json FROM audit_entries \
    WHERE target LIKE 'budget:%' ORDER BY id";

const BUDGET_ROWS: &str = "SELECT year, payer, total_fen FROM budgets ORDER BY year, payer";

struct BudgetEntry {
    id: i64,
    target: String,
    before: Option<String>,
    after: Option<String>,
}

impl FromDbRow for BudgetEntry {
    fn from_row<R: DbRow>(r: &R) -> Result<Self, StoreError> {
        Ok(BudgetEntry {
            id: r.i64("id")?,
            target: r.text("target")?,
            before: r.opt_text("before_json")?,
            after: r.opt_text("after_json")?,
        })
    }
}

/// Not `ops::money`'s row: the time is not read, so a row whose time is malformed is still
/// compared rather than stopping the check.
struct BudgetRow {
    year: i32,
    payer: String,
    total_fen: i64,
}

impl FromDbRow for BudgetRow {
    fn from_row<R: DbRow>(r: &R) -> Result<Self, StoreError> {
        Ok(BudgetRow {
            year: r.i32("year")?,
            payer: r.text("payer")?,
            total_fen: r.i64("total_fen")?,
        })
    }
}

/// The total a budget snapshot (`{"year":…, "payer":…, "total":"…"}`) holds; `None` for
/// no snapshot, `Some(Err)` for one that does not read.
fn total(text: Option<&str>) -> Option<Result<Money, String>> {
    let text = text?;
    let read = serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|v| v.get("total").and_then(Value::as_str).map(str::to_owned));
    Some(match read {
        Some(t) => Money::parse_yuan(&t).map_err(|_| t),
        None => Err(text.to_owned()),
    })
}

/// What the log says of one budget.
struct Expected {
    /// The total the last entry set (`Err` holds a snapshot that does not read).
    total: Result<Money, String>,
    /// That entry.
    entry: i64,
    /// The first entry whose `before` is not what the entry before it left.
    break_between: Option<String>,
}

fn shown(m: &Result<Money, String>) -> String {
    match m {
        Ok(m) => format!("\"{m}\""),
        Err(raw) => format!("{raw:?} (not an amount)"),
    }
}

/// Folds every budget entry, in log order, by `<year>/<payer>`.
async fn expected<DB: Backend>(
    cx: &mut Cx<'_, DB>,
) -> Result<BTreeMap<String, Expected>, StoreError> {
    let entries: Vec<BudgetEntry> = cx.all(Stmt::new(BUDGET_ENTRIES)).await?;
    let mut out: BTreeMap<String, Expected> = BTreeMap::new();
    for e in entries {
        let key = e
            .target
            .strip_prefix("budget:")
            .unwrap_or(&e.target)
            .replacen(':', "/", 1);
        let Some(after) = total(e.after.as_deref()) else {
            continue;
        };
        let before = total(e.before.as_deref());
        match out.get_mut(&key) {
            Some(known) => {
                if known.break_between.is_none() {
                    let found = before
                        .as_ref()
                        .map_or_else(|| "no budget".to_owned(), shown);
                    if before.as_ref() != Some(&known.total) {
                        known.break_between = Some(format!(
                            "audit entry {} found the total {found}, where entry {} had set {}: \
                             the row was changed between them",
                            e.id,
                            known.entry,
                            shown(&known.total)
                        ));
                    }
                }
                known.total = after;
                known.entry = e.id;
            }
            None => {
                let break_between = before.map(|b| {
                    format!(
                        "audit entry {} found the total {}, where the log had set none: \
                         the row was written behind the store's back",
                        e.id,
                        shown(&b)
                    )
                });
                out.insert(
                    key,
                    Expected {
                        total: after,
                        entry: e.id,
                        break_between,
                    },
                );
            }
        }
    }
    Ok(out)
}

/// Whether the approvals a budget pays for use more than its total: every approval is
/// checked against the budget under a lock, so only a total changed for an approval and
/// changed back (each edit behind the store's back) leaves a budget overspent.
async fn overspent<DB: Backend>(
    cx: &mut Cx<'_, DB>,
    year: i32,
    payer: &str,
) -> Result<Option<String>, StoreError> {
    let status = match crate::ops::money::budget_status(cx, year, payer).await {
        Ok(s) => s,
        Err(e @ StoreError::Corrupt { .. }) => {
            return Ok(Some(format!("its row does not read as a budget: {e}")));
        }
        Err(e) => return Err(e),
    };
    Ok(status.filter(|b| b.used > b.total).map(|b| {
        format!(
            "its approvals use \"{}\", more than its total \"{}\": an approval passed a total \
             that was changed for it and changed back",
            b.used, b.total
        )
    }))
}

/// Compares every budget with what the log says of it; run inside a read snapshot.
pub(crate) async fn verify<DB: Backend>(
    cx: &mut Cx<'_, DB>,
) -> Result<RowsVerification, StoreError> {
    let mut expected = expected(cx).await?;
    let rows: Vec<BudgetRow> = cx.all(Stmt::new(BUDGET_ROWS)).await?;
    let mut v = RowsVerification::default();
    for row in rows {
        let key = format!("{}/{}", row.year, row.payer);
        let problem = match expected.remove(&key) {
            None => {
                v.unverifiable = v.unverifiable.saturating_add(1);
                if v.unverifiable_named.len() < NAMED {
                    v.unverifiable_named.push(key.clone());
                }
                None
            }
            Some(log) => {
                v.checked = v.checked.saturating_add(1);
                let have =
                    Money::from_fen(row.total_fen).ok_or_else(|| format!("{} fen", row.total_fen));
                let differs = log.break_between.or_else(|| {
                    (have != log.total).then(|| {
                        format!(
                            "it differs from audit entry {}: the total is {} in the table, {} in the log",
                            log.entry,
                            shown(&have),
                            shown(&log.total)
                        )
                    })
                });
                match differs {
                    Some(d) => Some(d),
                    None => overspent(cx, row.year, &row.payer).await?,
                }
            }
        };
        if let Some(p) = problem
            && v.first_diverging.is_none()
        {
            v.first_diverging = Some((key, p));
        }
    }
    if v.first_diverging.is_none()
        && let Some((key, log)) = expected.into_iter().next()
    {
        v.first_diverging = Some((
            key,
            format!(
                "it is in the audit log (entry {}) but not in the budgets table: its row was deleted",
                log.entry
            ),
        ));
    }
    Ok(v)
}

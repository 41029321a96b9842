//! Re-keying live claims to canonical one-time keys; collisions are recorded, never merged.
//!
//! Every live claim asks the key function for its key. Keys are then assigned so that no two
//! live claims share one: a claim that already holds a key it keeps wins it; among several
//! claims newly asking for one key the oldest (lowest id) wins; every other claim keeps its
//! stored key and a collision (claim, holder, key) is recorded. A claim keeping its key
//! because it lost may in turn block a claim that asked for that key; the assignment is
//! repeated until nothing changes. The winners are then updated in two steps (through a
//! placeholder key) so that keys can move between claims within one run.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;

use crate::audit::{self, Record};
use crate::backend::{Backend, DbRow, Dialect, Stmt};
use crate::db::{Cx, FromDbRow, date_col};
use crate::error::StoreError;
use crate::model::{Actor, AuditAction, ClaimId, KeyCollision, RekeyInput, RekeyReport, Timestamp};
use crate::records::COLLISION_SELECT;
use crate::validate;

impl FromDbRow for RekeyInput {
    fn from_row<R: DbRow>(r: &R) -> Result<Self, StoreError> {
        Ok(RekeyInput {
            id: r.i64("id")?,
            credit_code: r.text("credit_code")?,
            item: r.text("item")?,
            subject: r.text("subject")?,
            achievement_date: date_col(r, "achievement_date")?,
            one_time_key: r.text("one_time_key")?,
        })
    }
}

/// The key assignment: who gets which key, and who lost to whom.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Assignment {
    /// (claim, old key, new key) for claims whose key changes.
    pub(crate) moves: Vec<(ClaimId, String, String)>,
    /// (claim, holder, key asked for) for claims that keep their key.
    pub(crate) collisions: Vec<(ClaimId, ClaimId, String)>,
}

/// Assigns keys. `claims` are (id, stored key, asked key).
pub(crate) fn assign(claims: &[(ClaimId, String, String)]) -> Assignment {
    // Claims that keep their stored key because they lost: key -> claim.
    let mut pinned: BTreeMap<&str, ClaimId> = BTreeMap::new();
    let mut lost: BTreeMap<ClaimId, (ClaimId, &str)> = BTreeMap::new();
    loop {
        let mut asking: BTreeMap<&str, Vec<&(ClaimId, String, String)>> = BTreeMap::new();
        for c in claims.iter().filter(|c| !lost.contains_key(&c.0)) {
            asking.entry(c.2.as_str()).or_default().push(c);
        }
        let mut changed = false;
        for (key, askers) in asking {
            let winner = match pinned.get(key) {
                Some(&holder) => holder,
                None => askers
                    .iter()
                    .find(|c| c.1 == key)
                    .or_else(|| askers.iter().min_by_key(|c| c.0))
                    .map_or(0, |c| c.0),
            };
            for c in askers.iter().filter(|c| c.0 != winner) {
                lost.insert(c.0, (winner, key));
                pinned.insert(c.1.as_str(), c.0);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let mut out = Assignment::default();
    for (id, old, asked) in claims {
        match lost.get(id) {
            Some(&(holder, key)) => out.collisions.push((*id, holder, key.to_owned())),
            None if asked != old => out.moves.push((*id, old.clone(), asked.clone())),
            None => {}
        }
    }
    out
}

const LIVE_CLAIMS: &str = "SELECT id, credit_code, item, subject, achievement_date, one_time_key \
    FROM claims WHERE status NOT IN ('WITHDRAWN', 'REJECTED') ORDER BY id";

const SET_KEY: &str = "UPDATE claims SET one_time_key = $1 WHERE id = $2";

const RECORD_COLLISION: &str = "INSERT INTO key_collisions (claim_id, holder_claim_id, \
    one_time_key, found_at) VALUES ($1, $2, $3, $4) \
    ON CONFLICT (claim_id, holder_claim_id, one_time_key) DO NOTHING";

pub(crate) async fn rekey<DB: Backend>(
    cx: &mut Cx<'_, DB>,
    f: &(dyn Fn(&RekeyInput) -> Option<String> + Send + Sync),
    actor: &Actor,
    now: &Timestamp,
) -> Result<RekeyReport, StoreError> {
    if DB::DIALECT == Dialect::Postgres {
        // No claim may be submitted or change status while keys move.
        cx.exec(Stmt::new("LOCK TABLE claims IN EXCLUSIVE MODE"))
            .await?;
    }
    let inputs: Vec<RekeyInput> = cx.all(Stmt::new(LIVE_CLAIMS)).await?;
    let mut asked = Vec::with_capacity(inputs.len());
    for input in &inputs {
        let key = match f(input) {
            Some(k) => {
                validate::text("one_time_key", &k)?;
                k
            }
            None => input.one_time_key.clone(),
        };
        asked.push((input.id, input.one_time_key.clone(), key));
    }
    let plan = assign(&asked);
    for (id, _, _) in &plan.moves {
        cx.exec(
            Stmt::new(SET_KEY)
                .bind(format!("\u{1}rekey:{id}"))
                .bind(*id),
        )
        .await?;
    }
    for (id, _, new) in &plan.moves {
        cx.exec(Stmt::new(SET_KEY).bind(new).bind(*id)).await?;
    }
    for (id, holder, key) in &plan.collisions {
        cx.exec(
            Stmt::new(RECORD_COLLISION)
                .bind(*id)
                .bind(*holder)
                .bind(key)
                .bind(now.as_str()),
        )
        .await?;
    }
    for (id, old, new) in &plan.moves {
        audit::append(
            cx,
            actor,
            now,
            Record::claim(
                *id,
                AuditAction::Rekey,
                Some(json!({"one_time_key": old}).to_string()),
                Some(json!({"one_time_key": new}).to_string()),
            ),
        )
        .await?;
    }
    let wanted: BTreeSet<(ClaimId, ClaimId, String)> = plan.collisions.iter().cloned().collect();
    let collisions = key_collisions(cx)
        .await?
        .into_iter()
        .filter(|k| wanted.contains(&(k.claim_id, k.holder_claim_id, k.one_time_key.clone())))
        .collect();
    Ok(RekeyReport {
        rekeyed: plan.moves,
        collisions,
    })
}

pub(crate) async fn key_collisions<DB: Backend>(
    cx: &mut Cx<'_, DB>,
) -> Result<Vec<KeyCollision>, StoreError> {
    let sql = format!("{COLLISION_SELECT} ORDER BY k.id");
    cx.all(Stmt::assembled(sql, Vec::new())).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(id: i64, old: &str, asked: &str) -> (ClaimId, String, String) {
        (id, old.to_owned(), asked.to_owned())
    }

    #[test]
    fn holder_keeps_the_key_and_the_other_collides() {
        let plan = assign(&[c(1, "K", "K"), c(2, "k ", "K")]);
        assert!(plan.moves.is_empty());
        assert_eq!(plan.collisions, vec![(2, 1, "K".to_owned())]);
    }

    #[test]
    fn oldest_of_new_askers_wins() {
        let plan = assign(&[c(3, "b", "K"), c(5, "a", "K"), c(9, "c", "L")]);
        assert_eq!(
            plan.moves,
            vec![
                (3, "b".to_owned(), "K".to_owned()),
                (9, "c".to_owned(), "L".to_owned())
            ]
        );
        assert_eq!(plan.collisions, vec![(5, 3, "K".to_owned())]);
    }

    #[test]
    fn keys_can_move_along_a_chain_and_a_loser_blocks_its_old_key() {
        // 1 moves away from K, 2 takes K.
        let plan = assign(&[c(1, "K", "M"), c(2, "k", "K")]);
        assert_eq!(plan.collisions, vec![]);
        assert_eq!(plan.moves.len(), 2);
        // 2 and 3 ask for K; 3 loses and keeps "x"; 4 asked for "x" and loses to 3.
        let plan = assign(&[c(2, "y", "K"), c(3, "x", "K"), c(4, "z", "x")]);
        assert_eq!(
            plan.collisions,
            vec![(3, 2, "K".to_owned()), (4, 3, "x".to_owned())]
        );
        assert_eq!(plan.moves, vec![(2, "y".to_owned(), "K".to_owned())]);
    }
}

//! The hash-chained audit log: appending an entry, listing entries, verifying the chain.
//!
//! Entry `n` carries `previous_hash` (entry `n-1`'s hash, `""` for entry 1) and
//! `entry_hash = "sha256:" + hex(SHA-256(b"stdfund-audit-v1" || previous_hash || F))`, where
//! `F` is each of these fields as an 8-byte big-endian length followed by its UTF-8 bytes:
//! id (decimal), claim id (decimal, or empty), target, actor, role, at, action, before
//! (or `"\0"` when absent), after (or `"\0"`). The single row of `audit_head` names the last
//! entry and its hash; every appending transaction reads it (`FOR UPDATE` on PostgreSQL),
//! which also serialises appends. Triggers refuse to change or delete entries and allow the
//! head only to move forward to an existing entry with that entry's hash.
//!
//! [`verify`] recomputes the chain. Whoever can write the database can still disable the
//! triggers; then an edited, deleted or inserted entry shows as the first entry whose id,
//! link or hash does not fit. Rewriting the whole tail consistently (and the head) is only
//! visible against a head hash recorded elsewhere earlier: [`AuditVerification::head_hash`]
//! is the value to record.

use sha2::{Digest, Sha256};

use crate::backend::{Backend, DbRow, Dialect, Stmt};
use crate::db::{Cx, FromDbRow};
use crate::error::StoreError;
use crate::model::{
    Actor, AuditAction, AuditEntry, AuditFilter, AuditSeals, AuditVerification, ClaimId,
    ClaimsVerification, KeyAdoption, Page, RowsVerification, SealsVerification, Timestamp,
};
use crate::seal::AuditKey;
use crate::validate;

/// What a state change appends.
pub(crate) struct Record {
    pub(crate) claim_id: Option<ClaimId>,
    pub(crate) target: String,
    pub(crate) action: AuditAction,
    pub(crate) before: Option<String>,
    pub(crate) after: Option<String>,
}

impl Record {
    /// An entry about a claim (`target` = `claim:<id>`).
    pub(crate) fn claim(
        id: ClaimId,
        action: AuditAction,
        before: Option<String>,
        after: Option<String>,
    ) -> Record {
        Record {
            claim_id: Some(id),
            target: format!("claim:{id}"),
            action,
            before,
            after,
        }
    }
}

/// The fields an entry's hash covers.
pub(crate) struct Hashed<'a> {
    pub(crate) id: i64,
    pub(crate) claim_id: Option<i64>,
    pub(crate) target: &'a str,
    pub(crate) actor: &'a str,
    pub(crate) role: &'a str,
    pub(crate) at: &'a str,
    pub(crate) action: &'a str,
    pub(crate) before: Option<&'a str>,
    pub(crate) after: Option<&'a str>,
}

/// `sha256:<hex>` of an entry chained to `previous_hash`.
pub(crate) fn entry_hash(previous_hash: &str, e: &Hashed<'_>) -> String {
    let mut h = Sha256::new();
    h.update(b"stdfund-audit-v1");
    h.update(previous_hash.as_bytes());
    let id = e.id.to_string();
    let claim = e.claim_id.map(|c| c.to_string()).unwrap_or_default();
    for field in [
        id.as_str(),
        &claim,
        e.target,
        e.actor,
        e.role,
        e.at,
        e.action,
        e.before.unwrap_or("\0"),
        e.after.unwrap_or("\0"),
    ] {
        validate::feed(&mut h, field.as_bytes());
    }
    format!("sha256:{}", validate::hex(&h.finalize()))
}

struct Head {
    last_id: i64,
    last_hash: String,
}

impl FromDbRow for Head {
    fn from_row<R: DbRow>(r: &R) -> Result<Self, StoreError> {
        Ok(Head {
            last_id: r.i64("last_id")?,
            last_hash: r.text("last_hash")?,
        })
    }
}

const HEAD_SQLITE: &str = "SELECT last_id, last_hash FROM audit_head WHERE id = 1";
const HEAD_PG: &str = "SELECT last_id, last_hash FROM audit_head WHERE id = 1 FOR UPDATE";

const INSERT_ENTRY: &str = "INSERT INTO audit_entries (id, claim_id, target, actor, role, at, \
    action, before_json, after_json, previous_hash, entry_hash) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

const MOVE_HEAD: &str = "UPDATE audit_head SET last_id = $1, last_hash = $2 WHERE id = 1";

/// A seal ([`crate::seal`]); a second seal of one entry (two servers adopting a key at
/// once) is not an error.
const INSERT_SEAL: &str = "INSERT INTO audit_seals (entry_id, key_id, seal) VALUES ($1, $2, $3) \
    ON CONFLICT (entry_id) DO NOTHING";

struct SealRange {
    first: Option<i64>,
    last: Option<i64>,
}

impl FromDbRow for SealRange {
    fn from_row<R: DbRow>(r: &R) -> Result<Self, StoreError> {
        Ok(SealRange {
            first: r.opt_i64("first")?,
            last: r.opt_i64("last")?,
        })
    }
}

struct SealedWith {
    key_id: String,
}

impl FromDbRow for SealedWith {
    fn from_row<R: DbRow>(r: &R) -> Result<Self, StoreError> {
        Ok(SealedWith {
            key_id: r.text("key_id")?,
        })
    }
}

struct HashOf {
    entry_hash: String,
}

impl FromDbRow for HashOf {
    fn from_row<R: DbRow>(r: &R) -> Result<Self, StoreError> {
        Ok(HashOf {
            entry_hash: r.text("entry_hash")?,
        })
    }
}

/// Which entries carry seals, and under which key the last one is.
pub(crate) async fn seals<DB: Backend>(cx: &mut Cx<'_, DB>) -> Result<AuditSeals, StoreError> {
    let range: SealRange = cx
        .one(Stmt::new(
            "SELECT MIN(entry_id) AS first, MAX(entry_id) AS last FROM audit_seals",
        ))
        .await?;
    let head: Head = cx.one(Stmt::new(HEAD_SQLITE)).await?;
    let last_key_id = match range.last {
        Some(last) => cx
            .opt::<SealedWith>(
                Stmt::new("SELECT key_id FROM audit_seals WHERE entry_id = $1").bind(last),
            )
            .await?
            .map(|s| s.key_id),
        None => None,
    };
    Ok(AuditSeals {
        entries: head.last_id,
        first_sealed: range.first,
        last_sealed: range.last,
        last_key_id,
    })
}

/// Takes `key` as the store's audit key: checks that the log is not sealed under another
/// key, and seals the last entry of a log that has entries and no seal yet (which vouches
/// for the log as the key holder found it). Inside a write transaction.
pub(crate) async fn adopt<DB: Backend>(
    cx: &mut Cx<'_, DB>,
    key: &AuditKey,
) -> Result<KeyAdoption, StoreError> {
    let state = seals(cx).await?;
    if let Some(last) = state.last_sealed {
        let sealed_with = state.last_key_id.clone().unwrap_or_default();
        if sealed_with != key.id() {
            return Err(StoreError::AuditKeyMismatch {
                given: key.id().to_owned(),
                sealed_with,
                entry: last,
            });
        }
        return Ok(KeyAdoption::AlreadySealed {
            first_sealed: state.first_sealed.unwrap_or(last),
            unsealed_after: state.entries.saturating_sub(last),
        });
    }
    if state.entries == 0 {
        return Ok(KeyAdoption::EmptyLog);
    }
    let head: HashOf = cx
        .one(Stmt::new("SELECT entry_hash FROM audit_entries WHERE id = $1").bind(state.entries))
        .await?;
    cx.exec(
        Stmt::new(INSERT_SEAL)
            .bind(state.entries)
            .bind(key.id().to_owned())
            .bind(key.seal(state.entries, &head.entry_hash)),
    )
    .await?;
    Ok(KeyAdoption::Adopted {
        entry: state.entries,
    })
}

/// Appends one entry inside the caller's write transaction; its id.
///
/// Call it after the transaction's other writes: on PostgreSQL the head's row lock is then
/// the last lock taken, so transactions never wait on each other in a cycle through it.
pub(crate) async fn append<DB: Backend>(
    cx: &mut Cx<'_, DB>,
    actor: &Actor,
    at: &Timestamp,
    rec: Record,
) -> Result<i64, StoreError> {
    let head_sql = match DB::DIALECT {
        Dialect::Sqlite => HEAD_SQLITE,
        Dialect::Postgres => HEAD_PG,
    };
    let head: Head = cx.one(Stmt::new(head_sql)).await?;
    let id = head
        .last_id
        .checked_add(1)
        .ok_or_else(|| StoreError::corrupt("audit id overflow"))?;
    let hash = entry_hash(
        &head.last_hash,
        &Hashed {
            id,
            claim_id: rec.claim_id,
            target: &rec.target,
            actor: &actor.subject,
            role: &actor.role,
            at: at.as_str(),
            action: rec.action.as_str(),
            before: rec.before.as_deref(),
            after: rec.after.as_deref(),
        },
    );
    cx.exec(
        Stmt::new(INSERT_ENTRY)
            .bind(id)
            .bind(rec.claim_id)
            .bind(rec.target)
            .bind(&actor.subject)
            .bind(&actor.role)
            .bind(at.as_str())
            .bind(rec.action.as_str())
            .bind(rec.before)
            .bind(rec.after)
            .bind(head.last_hash)
            .bind(hash.clone()),
    )
    .await?;
    if let Some(key) = cx.audit_key() {
        // A store with the key was started on a log that was empty, sealed,
        // or adopted explicitly: a log of entries without a single seal now
        // had its seals removed, and sealing on top of it would vouch for it.
        if head.last_id > 0 {
            let sealed: Option<SealedWith> = cx
                .opt(Stmt::new("SELECT key_id FROM audit_seals LIMIT 1"))
                .await?;
            if sealed.is_none() {
                return Err(StoreError::AuditSealsRemoved {
                    entries: head.last_id,
                });
            }
        }
        cx.exec(
            Stmt::new(INSERT_SEAL)
                .bind(id)
                .bind(key.id().to_owned())
                .bind(key.seal(id, &hash)),
        )
        .await?;
    }
    let moved = cx.exec(Stmt::new(MOVE_HEAD).bind(id).bind(hash)).await?;
    if moved != 1 {
        return Err(StoreError::corrupt("audit_head is missing"));
    }
    Ok(id)
}

const AUDIT_PAGE: &str = "SELECT id, claim_id, target, actor, role, at, action, before_json, \
    after_json, previous_hash, entry_hash FROM audit_entries \
    WHERE id > $1 AND ($2 IS NULL OR claim_id = $2) AND ($3 IS NULL OR actor = $3) \
    AND ($4 IS NULL OR action = $4) AND ($5 IS NULL OR at >= $5) AND ($6 IS NULL OR at < $6) \
    ORDER BY id LIMIT $7";

/// [`AUDIT_PAGE`] newest first: `$1` is the last id seen (every id is below `i64::MAX`).
const AUDIT_PAGE_NEWEST: &str = "SELECT id, claim_id, target, actor, role, at, action, before_json, \
    after_json, previous_hash, entry_hash FROM audit_entries \
    WHERE id < $1 AND ($2 IS NULL OR claim_id = $2) AND ($3 IS NULL OR actor = $3) \
    AND ($4 IS NULL OR action = $4) AND ($5 IS NULL OR at >= $5) AND ($6 IS NULL OR at < $6) \
    ORDER BY id DESC LIMIT $7";

/// Parses a cursor handed out by a previous page (the last id seen).
pub(crate) fn id_cursor(value: Option<&str>) -> Result<i64, StoreError> {
    match value {
        None => Ok(0),
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|&id| id > 0 && s.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| StoreError::invalid("cursor", format!("{s:?} is not a cursor"))),
    }
}

/// A keyset page of audit entries.
pub(crate) async fn page<DB: Backend>(
    cx: &mut Cx<'_, DB>,
    filter: &AuditFilter,
    cursor: Option<&str>,
    page_size: u32,
) -> Result<Page<AuditEntry>, StoreError> {
    let (sql, bound) = match (filter.newest_first, id_cursor(cursor)?) {
        (false, after) => (AUDIT_PAGE, after),
        (true, 0) => (AUDIT_PAGE_NEWEST, i64::MAX),
        (true, before) => (AUDIT_PAGE_NEWEST, before),
    };
    let size = validate::page_size(page_size);
    let mut items: Vec<AuditEntry> = cx
        .all(
            Stmt::new(sql)
                .bind(bound)
                .bind(filter.claim_id)
                .bind(filter.actor.clone())
                .bind(filter.action.map(AuditAction::as_str))
                .bind(filter.from.as_ref().map(Timestamp::as_str))
                .bind(filter.to.as_ref().map(Timestamp::as_str))
                .bind(i64::from(size).saturating_add(1)),
        )
        .await?;
    let size = usize::try_from(size).unwrap_or(usize::MAX);
    let next_cursor = if items.len() > size {
        items.truncate(size);
        items.last().map(|e| e.id.to_string())
    } else {
        None
    };
    Ok(Page { items, next_cursor })
}

/// An entry as stored, every field as text (the action unparsed), for verification.
struct RawEntry {
    id: i64,
    claim_id: Option<i64>,
    target: String,
    actor: String,
    role: String,
    at: String,
    action: String,
    before: Option<String>,
    after: Option<String>,
    previous_hash: String,
    entry_hash: String,
    seal_key_id: Option<String>,
    seal: Option<String>,
}

impl FromDbRow for RawEntry {
    fn from_row<R: DbRow>(r: &R) -> Result<Self, StoreError> {
        Ok(RawEntry {
            id: r.i64("id")?,
            claim_id: r.opt_i64("claim_id")?,
            target: r.text("target")?,
            actor: r.text("actor")?,
            role: r.text("role")?,
            at: r.text("at")?,
            action: r.text("action")?,
            before: r.opt_text("before_json")?,
            after: r.opt_text("after_json")?,
            previous_hash: r.text("previous_hash")?,
            entry_hash: r.text("entry_hash")?,
            seal_key_id: r.opt_text("seal_key_id")?,
            seal: r.opt_text("seal")?,
        })
    }
}

/// How many entries [`verify`] reads per query.
const VERIFY_CHUNK: i64 = 1000;

/// The entries with their seals, a chunk at a time.
const VERIFY_SELECT: &str = "SELECT e.id, e.claim_id, e.target, e.actor, e.role, e.at, \
    e.action, e.before_json, e.after_json, e.previous_hash, e.entry_hash, \
    s.key_id AS seal_key_id, s.seal AS seal \
    FROM audit_entries e LEFT JOIN audit_seals s ON s.entry_id = e.id \
    WHERE e.id > $1 ORDER BY e.id LIMIT $2";

/// What is wrong with an entry's seal, if anything; `sealed_from` is the first sealed
/// entry seen so far, and becomes this one if it is the first.
fn seal_problem(
    e: &RawEntry,
    key: Option<&AuditKey>,
    sealed_from: &mut Option<i64>,
) -> Option<String> {
    match (&e.seal, key) {
        (None, _) => sealed_from.map(|from| {
            format!(
                "entry {} has no seal, although the log is sealed from entry {from} on: it was \
                 appended without the audit key",
                e.id
            )
        }),
        (Some(seal), Some(key)) => {
            let with = e.seal_key_id.as_deref().unwrap_or_default();
            if with != key.id() {
                return Some(format!(
                    "entry {} is sealed under another key ({with}), not the audit key given \
                     ({})",
                    e.id,
                    key.id()
                ));
            }
            if *seal != key.seal(e.id, &e.entry_hash) {
                return Some(format!(
                    "entry {}'s seal was not made with the audit key: the seal was forged, or \
                     the entry rewritten and sealed again without the key",
                    e.id
                ));
            }
            sealed_from.get_or_insert(e.id);
            None
        }
        (Some(_), None) => {
            sealed_from.get_or_insert(e.id);
            None
        }
    }
}

struct Count {
    n: i64,
}

impl FromDbRow for Count {
    fn from_row<R: DbRow>(r: &R) -> Result<Self, StoreError> {
        Ok(Count { n: r.i64("n")? })
    }
}

/// Recomputes the chain and checks the seals (with `key`, their values too); run inside a
/// read snapshot.
pub(crate) async fn verify<DB: Backend>(
    cx: &mut Cx<'_, DB>,
    key: Option<&AuditKey>,
) -> Result<AuditVerification, StoreError> {
    let mut checked: i64 = 0;
    let mut last_id: i64 = 0;
    let mut last_hash = String::new();
    let mut sealed_from: Option<i64> = None;
    let seals_of = |sealed_from: Option<i64>| SealsVerification {
        sealed_from,
        key_id: key.map(|k| k.id().to_owned()),
    };
    let broken = |id: i64, why: String, checked: i64, head: &str, sealed_from| AuditVerification {
        entries_checked: checked,
        first_broken: Some((id, why)),
        head_hash: head.to_owned(),
        seals: seals_of(sealed_from),
        claims: ClaimsVerification::default(),
        budgets: RowsVerification::default(),
        records: RowsVerification::default(),
    };
    loop {
        let chunk: Vec<RawEntry> = cx
            .all(Stmt::new(VERIFY_SELECT).bind(last_id).bind(VERIFY_CHUNK))
            .await?;
        let done = i64::try_from(chunk.len()).unwrap_or(0) < VERIFY_CHUNK;
        for e in chunk {
            checked = checked.saturating_add(1);
            let expected = last_id.saturating_add(1);
            if e.id != expected {
                let why = format!("entry {expected} is missing (the next entry is {})", e.id);
                return Ok(broken(expected, why, checked, &last_hash, sealed_from));
            }
            if e.previous_hash != last_hash {
                let why = if expected == 1 {
                    format!(
                        "entry {} is not the first entry: it links to a previous one",
                        e.id
                    )
                } else {
                    format!(
                        "entry {} does not follow entry {last_id}: its previous_hash is not that \
                         entry's hash (an entry was inserted, removed or rewritten)",
                        e.id
                    )
                };
                return Ok(broken(e.id, why, checked, &last_hash, sealed_from));
            }
            let recomputed = entry_hash(
                &e.previous_hash,
                &Hashed {
                    id: e.id,
                    claim_id: e.claim_id,
                    target: &e.target,
                    actor: &e.actor,
                    role: &e.role,
                    at: &e.at,
                    action: &e.action,
                    before: e.before.as_deref(),
                    after: e.after.as_deref(),
                },
            );
            if recomputed != e.entry_hash {
                let why = format!(
                    "entry {} was altered: its contents do not match its entry_hash",
                    e.id
                );
                return Ok(broken(e.id, why, checked, &last_hash, sealed_from));
            }
            if let Some(why) = seal_problem(&e, key, &mut sealed_from) {
                return Ok(broken(e.id, why, checked, &last_hash, sealed_from));
            }
            last_id = e.id;
            last_hash = e.entry_hash;
        }
        if done {
            break;
        }
    }
    let head: Option<Head> = cx.opt(Stmt::new(HEAD_SQLITE)).await?;
    let Some(head) = head else {
        let why = "audit_head is missing".to_owned();
        return Ok(broken(
            last_id.saturating_add(1),
            why,
            checked,
            &last_hash,
            sealed_from,
        ));
    };
    if head.last_id > last_id {
        let missing = last_id.saturating_add(1);
        let why = format!(
            "entry {missing} is missing: audit_head names entry {} as the last, the log ends at {last_id}",
            head.last_id
        );
        return Ok(broken(missing, why, checked, &last_hash, sealed_from));
    }
    if head.last_id < last_id {
        let extra = head.last_id.saturating_add(1);
        let why = format!(
            "entry {extra} was appended behind the store's back: audit_head names entry {} as the last",
            head.last_id
        );
        return Ok(broken(extra, why, checked, &last_hash, sealed_from));
    }
    if head.last_hash != last_hash {
        let why = format!("audit_head's hash does not match entry {last_id}");
        return Ok(broken(last_id, why, checked, &last_hash, sealed_from));
    }
    let orphans: Count = cx
        .one(Stmt::new("SELECT COUNT(*) AS n FROM audit_seals WHERE entry_id > $1").bind(last_id))
        .await?;
    if orphans.n > 0 {
        let missing = last_id.saturating_add(1);
        let why = format!(
            "entry {missing} is missing: audit_seals holds seals of entries after the last one \
             ({last_id}), so sealed entries were removed"
        );
        return Ok(broken(missing, why, checked, &last_hash, sealed_from));
    }
    if key.is_some() && sealed_from.is_none() && last_id > 0 {
        let why = format!(
            "no entry of the log is sealed, although an audit key was given: its seals were \
             removed, or no server has run with this key since entry {last_id}"
        );
        return Ok(broken(last_id, why, checked, &last_hash, sealed_from));
    }
    Ok(AuditVerification {
        entries_checked: checked,
        first_broken: None,
        head_hash: last_hash,
        seals: seals_of(sealed_from),
        claims: ClaimsVerification::default(),
        budgets: RowsVerification::default(),
        records: RowsVerification::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Hashed<'static> {
        Hashed {
            id: 1,
            claim_id: Some(7),
            target: "claim:7",
            actor: "a",
            role: "portal",
            at: "2026-01-01T00:00:00.000000Z",
            action: "SUBMIT",
            before: None,
            after: Some("{}"),
        }
    }

    #[test]
    fn hash_covers_every_field_and_the_link() {
        let h = entry_hash("", &base());
        assert!(h.starts_with("sha256:") && h.len() == 71);
        assert_eq!(h, entry_hash("", &base()));
        assert_ne!(h, entry_hash("sha256:00", &base()));
        let variants = [
            Hashed { id: 2, ..base() },
            Hashed {
                claim_id: None,
                ..base()
            },
            Hashed {
                target: "claim:8",
                ..base()
            },
            Hashed {
                at: "2026-01-01T00:00:00.000001Z",
                ..base()
            },
            Hashed {
                action: "REJECT",
                ..base()
            },
            Hashed {
                before: Some(""),
                ..base()
            },
            Hashed {
                after: None,
                ..base()
            },
            // Length prefixes: moving a byte from one field to the next changes the hash.
            Hashed {
                actor: "ap",
                role: "ortal",
                ..base()
            },
        ];
        for v in variants {
            assert_ne!(h, entry_hash("", &v));
        }
    }
}

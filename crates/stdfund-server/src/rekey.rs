//! Re-keying the registry to the canonical identity of subjects (RULES.md
//! §5, decision of 2026-12-02): every claim holding its one-time key gets
//! the key the rules crate computes from its stored credit code, item,
//! subject and date. Where the canonical key is already held by another
//! live claim the store leaves both keys as they are and records a
//! collision for a reviewer (`stdfund registry collisions`); nothing is
//! merged or rejected by the machine.

use stdfund_rules::claim;
use stdfund_store::{Actor, AnyStore, RekeyInput, RekeyReport, StoreError, Timestamp};

/// The actor the re-keying's audit entries name.
pub const ACTOR: &str = "system:canonical-identity";

/// Re-keys every live claim (idempotent: a claim already canonical is left alone).
pub async fn run(store: &AnyStore) -> Result<RekeyReport, StoreError> {
    let book = stdfund_rules::ruleset::embedded().map_err(|e| StoreError::Corrupt {
        message: format!("the embedded rules do not load: {e}"),
    })?;
    let key = |i: &RekeyInput| {
        claim::canonical_registry_key(
            book,
            &i.credit_code,
            &i.item,
            &i.subject,
            i.achievement_date,
        )
        .map(|k| k.to_string())
    };
    let now = Timestamp::now()?;
    store.rekey(&key, &Actor::new(ACTOR, "admin"), &now).await
}

/// A short report for operators.
pub fn describe(r: &RekeyReport) -> String {
    let mut out = format!(
        "canonical one-time keys: {} claim(s) re-keyed, {} collision(s) for a reviewer\n",
        r.rekeyed.len(),
        r.collisions.len()
    );
    for (id, old, new) in &r.rekeyed {
        out.push_str(&format!("  claim {id}: {old} -> {new}\n"));
    }
    for c in &r.collisions {
        out.push_str(&format!(
            "  COLLISION claim {} would take {} held by claim {}\n",
            c.claim_id, c.one_time_key, c.holder_claim_id
        ));
    }
    if !r.collisions.is_empty() {
        out.push_str(
            "一次性键冲突需人工复核 collisions need a reviewer: list them with \
             `stdfund registry collisions` (same --database-url / --config), resolve each by \
             withdrawing or rejecting one claim of the pair (docs/OPERATIONS.md, \"Key \
             collisions\")\n",
        );
    }
    out
}

//! Seals of the audit log: an HMAC under a key the database does not hold.
//!
//! The hash chain ([`crate::audit`]) shows an entry edited, removed or inserted, but anyone
//! who can write the database can also append well-formed entries, or rewrite the tail and
//! its head consistently: the chain has no secret. A server given an audit key
//! ([`AuditKey`], read from a file kept off the database) seals every entry it appends:
//! `seal = "hmac-sha256:" + hex(HMAC-SHA-256(key, b"stdfund-audit-seal-v1" || id || hash))`,
//! with the entry's id as 8 bytes big-endian and its `entry_hash` as text, stored in
//! `audit_seals` beside the key's id. Since an entry's hash chains every entry before it,
//! one seal vouches for the whole log up to its entry.
//!
//! A registry that gets a key after it has entries is *adopted*: its last entry is sealed,
//! which vouches for the log as the key holder found it ([`crate::Store::adopt_audit_key`]).
//! From the first sealed entry on, every entry must carry a valid seal under the key given
//! to the verification; an entry without one was appended by someone without the key.

use hmac::{Hmac, KeyInit, Mac};
use sha2_hmac::{Digest, Sha256};

use crate::validate;

/// The shortest key accepted, in bytes (256 bits).
pub const MIN_KEY_BYTES: usize = 32;

/// Why a secret is not an audit key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditKeyError {
    /// Fewer than [`MIN_KEY_BYTES`] bytes once surrounding white space is removed.
    #[error(
        "the audit key has {found} bytes; it needs at least {MIN_KEY_BYTES} (e.g. 64 hex digits \
         from `openssl rand -hex 32`)"
    )]
    TooShort {
        /// The bytes found.
        found: usize,
    },
}

/// The secret that seals the audit log. Its [`Debug`] shows the key's id, never the secret.
#[derive(Clone)]
pub struct AuditKey {
    secret: Vec<u8>,
    id: String,
}

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditKey").field("id", &self.id).finish()
    }
}

impl AuditKey {
    /// A key from a secret, as a key file holds it: surrounding ASCII white space (a final
    /// newline) is not part of it; at least [`MIN_KEY_BYTES`] bytes must remain.
    pub fn from_secret(secret: &[u8]) -> Result<AuditKey, AuditKeyError> {
        let secret = secret.trim_ascii();
        if secret.len() < MIN_KEY_BYTES {
            return Err(AuditKeyError::TooShort {
                found: secret.len(),
            });
        }
        let mut h = Sha256::new();
        h.update(b"stdfund-audit-key-id-v1");
        h.update(secret);
        let digest = h.finalize();
        let hex = validate::hex(&digest);
        let id = format!("k-{}", hex.get(..16).unwrap_or(&hex));
        Ok(AuditKey {
            secret: secret.to_vec(),
            id,
        })
    }

    /// The key's public id (`k-` and 16 hex digits of a hash of the secret): stored with
    /// each seal, so that a verification can tell "sealed under another key" from "forged".
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The seal of entry `entry_id` whose hash is `entry_hash`.
    pub(crate) fn seal(&self, entry_id: i64, entry_hash: &str) -> String {
        // HMAC takes a key of any length, so this cannot fail; the fallback keeps the
        // function total without a panic path.
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.secret) else {
            return String::new();
        };
        mac.update(b"stdfund-audit-seal-v1");
        mac.update(&entry_id.to_be_bytes());
        mac.update(entry_hash.as_bytes());
        format!(
            "hmac-sha256:{}",
            validate::hex(&mac.finalize().into_bytes())
        )
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn a_short_secret_is_refused_and_white_space_is_not_part_of_it() {
        assert_eq!(
            AuditKey::from_secret(b"  short\n").unwrap_err(),
            AuditKeyError::TooShort { found: 5 }
        );
        let a = AuditKey::from_secret(SECRET).unwrap();
        let mut with_newline = SECRET.to_vec();
        with_newline.push(b'\n');
        let b = AuditKey::from_secret(&with_newline).unwrap();
        assert_eq!(a.id(), b.id());
        assert_eq!(a.seal(1, "sha256:00"), b.seal(1, "sha256:00"));
        assert!(a.id().starts_with("k-") && a.id().len() == 18, "{}", a.id());
        assert!(!format!("{a:?}").contains("0123456789abcdef0123"));
    }

    #[test]
    fn a_seal_depends_on_the_key_the_id_and_the_hash() {
        let a = AuditKey::from_secret(SECRET).unwrap();
        let mut other = SECRET.to_vec();
        other[0] = b'1';
        let b = AuditKey::from_secret(&other).unwrap();
        let s = a.seal(7, "sha256:ab");
        assert!(s.starts_with("hmac-sha256:") && s.len() == 12 + 64, "{s}");
        assert_eq!(s, a.seal(7, "sha256:ab"));
        assert_ne!(s, b.seal(7, "sha256:ab"));
        assert_ne!(s, a.seal(8, "sha256:ab"));
        assert_ne!(s, a.seal(7, "sha256:ac"));
        assert_ne!(a.id(), b.id());
    }

    #[test]
    fn the_seal_is_hmac_sha256_as_documented() {
        // RFC 4231 test case 2 checks the primitive: key "Jefe", data
        // "what do ya want for nothing?".
        let mut mac = Hmac::<Sha256>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        assert_eq!(
            validate::hex(&mac.finalize().into_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}

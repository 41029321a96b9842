//! The audit key: read from its file, and taken by a store before anything writes.
//!
//! A registry given an audit key (`audit_key_file`, `STDFUND_AUDIT_KEY_FILE`,
//! `--audit-key-file`) seals every audit entry it appends
//! ([`stdfund_store::seal`]). Whatever writes to the registry — `serve` and
//! `migrate` — first calls [`take`]: with a key it adopts it (a log sealed
//! under another key stops it, `AUDIT_KEY_MISMATCH`); without one it refuses
//! a log that is already sealed (`AUDIT_KEY_REQUIRED`), since every entry it
//! appended unsealed would break the log's verification.

use std::path::Path;

use stdfund_store::{AnyStore, AuditKey, KeyAdoption};

/// Why the audit key could not be taken; each with a stable code and a
/// Chinese-first message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyProblem {
    /// `AUDIT_KEY_UNREADABLE`, `AUDIT_KEY_TOO_SHORT`, `AUDIT_KEY_MISMATCH`,
    /// `AUDIT_KEY_REQUIRED` or the store's code.
    pub code: &'static str,
    /// Chinese, then English.
    pub message: String,
}

impl std::fmt::Display for KeyProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[{}] {}", self.code, self.message)
    }
}

/// Reads the key file at `path`.
pub fn read(path: &Path) -> Result<AuditKey, KeyProblem> {
    let shown = path.display();
    let bytes = std::fs::read(path).map_err(|e| KeyProblem {
        code: "AUDIT_KEY_UNREADABLE",
        message: format!(
            "无法读取审计密钥文件{shown}:{e}\ncannot read the audit key file {shown}: {e}"
        ),
    })?;
    AuditKey::from_secret(&bytes).map_err(|e| KeyProblem {
        code: "AUDIT_KEY_TOO_SHORT",
        message: format!(
            "审计密钥文件{shown}太短:至少需要{min}字节(例如 openssl rand -hex 32 生成的64位十六进制)\n\
             the audit key file {shown}: {e}",
            min = stdfund_store::seal::MIN_KEY_BYTES,
        ),
    })
}

/// Why the key file is readable by more people than should hold the key
/// (mode `& 0o004`: others), with the fix; `None` when it is not, or where
/// modes do not exist. A warning, not a refusal: a container runtime may
/// mount a secret as it pleases, and the seals stay sound against everyone
/// who cannot read the file.
#[cfg(unix)]
pub fn exposure(path: &Path) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o7777;
    (mode & 0o004 != 0).then(|| {
        format!(
            "审计密钥文件{shown}所有用户可读(权限{mode:04o}),能读它的人就能伪造封签:请执行 chmod 600 {shown}\n\
             the audit key file {shown} is readable by every user (mode {mode:04o}), and whoever \
             reads it can forge seals: chmod 600 {shown}",
            shown = path.display()
        )
    })
}

/// Modes are not checked where there are none.
#[cfg(not(unix))]
pub fn exposure(_path: &Path) -> Option<String> {
    None
}

/// Reads the key file named in the settings, if one is.
pub fn from_settings(path: Option<&Path>) -> Result<Option<AuditKey>, KeyProblem> {
    path.map(read).transpose()
}

/// Takes the store's key (opened with [`stdfund_store::OpenOptions::audit_key`])
/// before anything writes: see the module's documentation. `Ok(None)`: no
/// key, and the log is not sealed. A log with entries and no seal is sealed
/// only when `adopt` says so (`migrate --adopt-audit-key`): a registry that
/// never had a key and one whose seals were all removed look the same, and
/// sealing the second would vouch for whatever was forged before the seals
/// went (AUDIT_KEY_NOT_ADOPTED).
pub async fn take(
    store: &AnyStore,
    has_key: bool,
    adopt: bool,
) -> Result<Option<KeyAdoption>, KeyProblem> {
    let problem = |e: stdfund_store::StoreError| KeyProblem {
        code: e.code(),
        message: e.to_string(),
    };
    if has_key {
        let seals = store.audit_seals().await.map_err(problem)?;
        if seals.entries > 0 && seals.first_sealed.is_none() && !adopt {
            return Err(KeyProblem {
                code: "AUDIT_KEY_NOT_ADOPTED",
                message: format!(
                    "审计日志有{n}条记录但没有任何封签:若本登记库从未使用审计密钥,请先用 stdfund audit verify \
                     核验日志完好,再执行 stdfund migrate --audit-key-file 密钥文件 --adopt-audit-key \
                     封签;若曾经封签,则封签已被删除,日志可能被篡改,请从备份恢复并调查\n\
                     the audit log has {n} entries and no seal: if this registry never had an \
                     audit key, check the log with `stdfund audit verify`, then seal it with \
                     `stdfund migrate --audit-key-file FILE --adopt-audit-key`; if it was sealed \
                     before, its seals were removed and the log may be forged: restore it from a \
                     backup and investigate",
                    n = seals.entries
                ),
            });
        }
        return store.adopt_audit_key().await.map_err(|e| match &e {
            stdfund_store::StoreError::AuditKeyMismatch {
                given,
                sealed_with,
                entry,
            } => KeyProblem {
                code: "AUDIT_KEY_MISMATCH",
                message: format!(
                    "审计日志由另一把密钥({sealed_with},第{entry}条)封签,不是所给的密钥({given}):\
                     请使用封签时的密钥文件\n{e}"
                ),
            },
            _ => KeyProblem {
                code: e.code(),
                message: e.to_string(),
            },
        });
    }
    let seals = store.audit_seals().await.map_err(|e| KeyProblem {
        code: e.code(),
        message: e.to_string(),
    })?;
    match (seals.first_sealed, seals.last_key_id) {
        (Some(first), Some(key_id)) => Err(KeyProblem {
            code: "AUDIT_KEY_REQUIRED",
            message: format!(
                "审计日志自第{first}条起已用密钥{key_id}封签:未给审计密钥时写入的条目没有封签,\
                 核验会判为篡改。请用 --audit-key-file(STDFUND_AUDIT_KEY_FILE)给出该密钥文件\n\
                 the audit log is sealed from entry {first} on, under key {key_id}: entries \
                 written without the key would carry no seal and fail verification; give the \
                 key file with --audit-key-file (STDFUND_AUDIT_KEY_FILE)"
            ),
        }),
        _ => Ok(None),
    }
}

/// One line for the log or the terminal about what taking the key did.
pub fn describe(adoption: Option<KeyAdoption>, key_id: Option<&str>) -> String {
    let id = key_id.unwrap_or("-");
    match adoption {
        None => "审计日志未封签 the audit log is not sealed (no audit key given)".to_owned(),
        Some(KeyAdoption::EmptyLog) => format!(
            "审计日志将逐条封签 the audit log is empty: every entry will be sealed under key {id}"
        ),
        Some(KeyAdoption::Adopted { entry }) => format!(
            "审计日志已封签 the audit log is now sealed under key {id}: its last entry ({entry}) \
             vouches for the entries before it; every new entry is sealed"
        ),
        Some(KeyAdoption::AlreadySealed {
            first_sealed,
            unsealed_after: 0,
        }) => format!(
            "审计日志已封签 the audit log is sealed under key {id} from entry {first_sealed} on"
        ),
        Some(KeyAdoption::AlreadySealed {
            first_sealed,
            unsealed_after,
        }) => format!(
            "审计日志有未封签条目 the audit log is sealed under key {id} from entry \
             {first_sealed} on, but the last {unsealed_after} entries carry no seal (written \
             without the key): `stdfund audit verify` names the first"
        ),
    }
}

#[cfg(all(test, unix))]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_key_file_others_can_read_is_named() {
        let dir = std::env::temp_dir().join(format!("stdfund-key-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("audit.key");
        std::fs::write(&f, "ab".repeat(32)).unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(exposure(&f), None);
        assert!(read(&f).is_ok());
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
        let said = exposure(&f).unwrap();
        assert!(
            said.contains("0644") && said.contains("chmod 600"),
            "{said}"
        );
        std::fs::write(&f, "short").unwrap();
        assert_eq!(read(&f).unwrap_err().code, "AUDIT_KEY_TOO_SHORT");
        assert_eq!(
            read(&dir.join("missing")).unwrap_err().code,
            "AUDIT_KEY_UNREADABLE"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

//! Bearer tokens and roles of the claim registry.
//!
//! The tokens file (`tokens_file` / `STDFUND_TOKENS_FILE`) lists who may call
//! the registry, never a plaintext token:
//!
//! ```toml
//! [[tokens]]
//! name = "platform-gateway"   # the subject: recorded as `submitted_by` and in the audit log
//! role = "portal"             # portal | reviewer | finance | admin
//! sha256 = "8d2406d2…"        # lowercase hex sha256 of the token
//! ```
//!
//! (A JSON file `{"tokens": [{"name": …, "role": …, "sha256": …}]}` is read
//! the same way.) A call carries `authorization: Bearer <token>`; the server
//! hashes the token and compares the digest with every entry in constant
//! time, so neither a match's position nor a near miss shows in the timing.
//! No token, a malformed header or an unknown token is `UNAUTHENTICATED`; a
//! known token whose role the RPC does not allow is `PERMISSION_DENIED`.
//! Without a tokens file every registry RPC is `UNAUTHENTICATED` with a
//! message saying that no tokens are configured; estimates need no token.
//!
//! Whoever can write the tokens file can add an admin token, so, as OpenSSH
//! refuses a private key others can read, [`Tokens::load`] refuses a file
//! writable by its group or by others (mode `& 0o022`), naming the file and
//! the fix (`chmod 600 FILE`). The server loads the file at start (a loose
//! or bad file stops the start) and again on SIGHUP (a loose or bad file is
//! logged as an ERROR and the tokens in force stay). [`new_token`] makes a
//! fresh token for `stdfund token new`.

use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::fmt;
use std::path::Path;
use tonic::metadata::MetadataMap;

/// The role a token grants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// 门户: submits claims, reads its own.
    Portal,
    /// 审核: reviews claims.
    Reviewer,
    /// 财务: disbursements, budgets, exports, reports.
    Finance,
    /// 管理员: everything.
    Admin,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 4] = [Role::Portal, Role::Reviewer, Role::Finance, Role::Admin];

    /// The spelling in the tokens file and the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Portal => "portal",
            Role::Reviewer => "reviewer",
            Role::Finance => "finance",
            Role::Admin => "admin",
        }
    }

    /// The role's name in Chinese, for messages.
    pub fn name_zh(self) -> &'static str {
        match self {
            Role::Portal => "门户",
            Role::Reviewer => "审核",
            Role::Finance => "财务",
            Role::Admin => "管理员",
        }
    }

    /// Parses the tokens-file spelling.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who is calling: the token's name (the subject) and its role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// The token's `name`.
    pub name: String,
    /// The token's role.
    pub role: Role,
}

/// Why a call is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthError {
    /// The server has no tokens file.
    NoTokensConfigured,
    /// No `authorization` header.
    MissingToken,
    /// An `authorization` header that is not `Bearer <token>`, or more
    /// than one.
    MalformedHeader,
    /// A token that matches no entry.
    UnknownToken,
    /// A known token whose role may not call this RPC.
    RoleNotAllowed {
        /// The caller's role.
        role: Role,
        /// The RPC's method name.
        rpc: &'static str,
        /// The roles it allows.
        allowed: &'static [Role],
    },
    /// A role that reads a claim's audit entries asked for the whole log
    /// (`ListAuditLog` without `claim_id`), which only an admin reads.
    WholeAuditLog {
        /// The caller's role.
        role: Role,
    },
}

/// A problem with the tokens file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("tokens file {path}: {message}")]
pub struct TokensFileError {
    /// The file.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDoc {
    #[serde(default)]
    tokens: Vec<EntryDoc>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryDoc {
    name: String,
    role: String,
    sha256: String,
}

#[derive(Clone)]
struct Entry {
    name: String,
    role: Role,
    digest: [u8; 32],
}

impl fmt::Debug for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the digest.
        f.debug_struct("Entry")
            .field("name", &self.name)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

/// The configured tokens (possibly none).
#[derive(Clone, Debug, Default)]
pub struct Tokens {
    configured: bool,
    entries: Vec<Entry>,
}

/// The sha256 of a token as lowercase hex: what the tokens file stores.
pub fn hash_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    let mut out = String::with_capacity(64);
    for b in digest {
        for nibble in [b >> 4, b & 0xf] {
            out.push(char::from_digit(u32::from(nibble), 16).unwrap_or('0'));
        }
    }
    out
}

fn parse_hex_digest(s: &str) -> Option<[u8; 32]> {
    let s = s.trim();
    if s.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    let bytes = s.as_bytes();
    for (i, slot) in out.iter_mut().enumerate() {
        let hi = bytes.get(i.checked_mul(2)?).copied()?;
        let lo = bytes.get(i.checked_mul(2)?.checked_add(1)?).copied()?;
        let hi = char::from(hi).to_digit(16)?;
        let lo = char::from(lo).to_digit(16)?;
        *slot = u8::try_from(hi.checked_mul(16)?.checked_add(lo)?).ok()?;
    }
    Some(out)
}

/// Equal in time independent of where the digests differ.
fn digest_eq(a: &[u8; 32], b: &[u8; 32]) -> bool {
    let mut diff = 0u8;
    for (x, y) in a.iter().zip(b.iter()) {
        diff |= x ^ y;
    }
    std::hint::black_box(diff) == 0
}

/// Why a token's name cannot name a person in the audit log, if it cannot:
/// empty or longer than 128 characters, a character that shows nothing or
/// turns the text around (a zero-width space makes `chen` and `chen\u{200B}`
/// two people who look like one), or a letter of another script that passes
/// for a Latin one (a Cyrillic `с` in `сhen`). Found by the tenth attack on
/// the registry: `chen` filed a claim and `сhen` approved it.
pub fn name_problem(name: &str) -> Option<String> {
    use stdfund_rules::canon;
    if name.is_empty() || name.chars().count() > 128 {
        return Some("`name` must be 1–128 characters".into());
    }
    let hidden = name.chars().find(|&c| {
        c.is_control()
            || canon::is_default_ignorable(c)
            || canon::is_unseen(c)
            || crate::registry::input::is_bidi_control(c)
    });
    if let Some(c) = hidden {
        return Some(format!(
            "`name` holds U+{:04X}, which shows nothing or turns the text around: \
             the name would look like another",
            u32::from(c)
        ));
    }
    // A name is written with the keyboard's Latin letters and digits, the
    // letters of Europe's Latin alphabets, Chinese characters, spaces and
    // `. _ - @ ·`: a name wholly in Cyrillic (`хіе` beside `xie`) or Greek,
    // a CJK radical (`⻰` for `龙`) or stroke, or full-width letters would
    // look like another's (found by the eleventh attack on the registry).
    if let Some(c) = name.chars().find(|&c| !name_character(c)) {
        return Some(format!(
            "`name` holds `{c}` (U+{:04X}): a name is written with Latin letters and digits, \
             Chinese characters, spaces and `. _ - @ ·`, so that it cannot look like another",
            u32::from(c)
        ));
    }
    if canon::mixes_look_alikes(&read_as(name)) {
        return Some(
            "`name` mixes Latin letters with letters of another script that look like them: \
             the name would look like another"
                .into(),
        );
    }
    None
}

/// The characters a token's name may hold: ASCII letters, digits, space and
/// `. _ - @`, the letters of Latin-1 Supplement and Latin Extended-A (`é`,
/// `ü`, `ł`), the middle dot of names like `买买提·艾力`, and the CJK Unified
/// Ideographs (the basic block and Extensions A to H; not the radicals,
/// strokes or compatibility ideographs, which pass for them).
fn name_character(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(c, ' ' | '.' | '_' | '-' | '@' | '\u{00B7}')
        || (matches!(c, '\u{00C0}'..='\u{017F}') && c != '\u{00D7}' && c != '\u{00F7}')
        || matches!(
            c,
            '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{20000}'..='\u{2A6DF}'
                | '\u{2A700}'..='\u{2EBEF}' | '\u{30000}'..='\u{323AF}'
        )
}

/// A name as a reader takes it: RULES.md §5's canonical form (full-width
/// forms folded, upper case, spaces collapsed).
fn read_as(name: &str) -> String {
    stdfund_rules::canon::text(name).unwrap_or_else(|_| name.to_uppercase())
}

impl Tokens {
    /// No tokens file: every registry call is refused.
    pub fn none() -> Tokens {
        Tokens::default()
    }

    /// Whether a tokens file was loaded.
    pub fn configured(&self) -> bool {
        self.configured
    }

    /// How many tokens are configured.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no token is configured.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Reads a tokens file (TOML; JSON when it ends in `.json`). A file
    /// writable by its group or by others is refused.
    pub fn load(path: &Path) -> Result<Tokens, TokensFileError> {
        let name = path.display().to_string();
        if let Some(message) = loose_mode(path) {
            return Err(TokensFileError {
                path: name,
                message,
            });
        }
        let text = std::fs::read_to_string(path).map_err(|e| TokensFileError {
            path: name.clone(),
            message: format!("cannot read: {e}"),
        })?;
        let json = path.extension().is_some_and(|x| x == "json");
        Tokens::parse(&text, json).map_err(|message| TokensFileError {
            path: name,
            message,
        })
    }

    /// Parses tokens-file text.
    pub fn parse(text: &str, json: bool) -> Result<Tokens, String> {
        let doc: FileDoc = if json {
            serde_json::from_str(text).map_err(|e| e.to_string())?
        } else {
            toml::from_str(text).map_err(|e| crate::config::toml_error(text, &e))?
        };
        let mut entries: Vec<Entry> = Vec::with_capacity(doc.tokens.len());
        for (i, e) in doc.tokens.into_iter().enumerate() {
            let at = |what: &str| format!("tokens[{i}] ({:?}): {what}", e.name);
            let name = e.name.trim().to_string();
            if let Some(problem) = name_problem(&name) {
                return Err(at(&problem));
            }
            // Two people whose names read as one (`Chen` and `chen`, a
            // full-width `ｃｈｅｎ`) would be one name to anyone reading the
            // audit log, and two to the separation of duties.
            let read = read_as(&name);
            if let Some((j, other)) = entries
                .iter()
                .enumerate()
                .find(|(_, x)| x.name != name && read_as(&x.name) == read)
            {
                return Err(at(&format!(
                    "the name reads as the name {:?} of tokens[{j}]: one person, one name \
                     (two entries of one name are a token being rotated)",
                    other.name
                )));
            }
            let role = Role::parse(e.role.trim())
                .ok_or_else(|| at("`role` must be portal, reviewer, finance or admin"))?;
            let digest = parse_hex_digest(&e.sha256).ok_or_else(|| {
                at("`sha256` must be 64 hex digits (the sha256 of the token, not the token)")
            })?;
            // One name twice is one person's old and new token while a
            // token is rotated (docs/OPERATIONS.md): separation of duties
            // and the audit log then still know them as one. A name holds one
            // role, though.
            if entries.iter().any(|x| x.name == name && x.role != role) {
                return Err(at(
                    "the name is used twice with different roles (one name, one role; \
                     two entries of one name are a token being rotated)",
                ));
            }
            if entries.iter().any(|x| digest_eq(&x.digest, &digest)) {
                return Err(at("the same token hash appears twice"));
            }
            entries.push(Entry { name, role, digest });
        }
        Ok(Tokens {
            configured: true,
            entries,
        })
    }

    /// The names of the tokens, in file order.
    pub fn names(&self) -> Vec<String> {
        self.entries.iter().map(|e| e.name.clone()).collect()
    }

    /// Who holds `token`, comparing its digest with every entry.
    fn lookup(&self, token: &str) -> Option<&Entry> {
        let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let mut found = None;
        for e in &self.entries {
            if digest_eq(&e.digest, &digest) && found.is_none() {
                found = Some(e);
            }
        }
        found
    }

    /// The caller of a request, from its `authorization` metadata.
    pub fn authenticate(&self, metadata: &MetadataMap) -> Result<Principal, AuthError> {
        if !self.configured {
            return Err(AuthError::NoTokensConfigured);
        }
        let mut headers = metadata.get_all("authorization").iter();
        let value = headers.next().ok_or(AuthError::MissingToken)?;
        if headers.next().is_some() {
            // Two tokens: which one speaks is not for the server to guess
            // (a proxy may have added one).
            return Err(AuthError::MalformedHeader);
        }
        let value = value.to_str().map_err(|_| AuthError::MalformedHeader)?;
        let (scheme, token) = value
            .trim()
            .split_once(' ')
            .ok_or(AuthError::MalformedHeader)?;
        let token = token.trim();
        if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
            return Err(AuthError::MalformedHeader);
        }
        let e = self.lookup(token).ok_or(AuthError::UnknownToken)?;
        Ok(Principal {
            name: e.name.clone(),
            role: e.role,
        })
    }

    /// Authenticates and checks that the caller's role is among `allowed`.
    pub fn authorize(
        &self,
        metadata: &MetadataMap,
        rpc: &'static str,
        allowed: &'static [Role],
    ) -> Result<Principal, AuthError> {
        let p = self.authenticate(metadata)?;
        if allowed.contains(&p.role) {
            Ok(p)
        } else {
            Err(AuthError::RoleNotAllowed {
                role: p.role,
                rpc,
                allowed,
            })
        }
    }
}

/// The roles of each RegistryService RPC (the table in
/// `registry_service.proto`).
pub mod rpc_roles {
    use super::Role::{self, Admin, Finance, Portal, Reviewer};

    /// SubmitClaim.
    pub const SUBMIT_CLAIM: &[Role] = &[Portal, Admin];
    /// GetClaim and ListClaims (portal: own claims only).
    pub const READ_CLAIMS: &[Role] = &[Portal, Reviewer, Finance, Admin];
    /// ReviewClaim.
    pub const REVIEW_CLAIM: &[Role] = &[Reviewer, Admin];
    /// RecordDisbursement.
    pub const RECORD_DISBURSEMENT: &[Role] = &[Finance, Admin];
    /// ExportPublicNotice.
    pub const EXPORT_PUBLIC_NOTICE: &[Role] = &[Finance, Admin];
    /// GetReport and ExportReport.
    pub const GET_REPORT: &[Role] = &[Reviewer, Finance, Admin];
    /// GetTargetProgress.
    pub const GET_TARGET_PROGRESS: &[Role] = &[Reviewer, Finance, Admin];
    /// ListAuditLog (reviewer and finance: one claim's entries only).
    pub const LIST_AUDIT_LOG: &[Role] = &[Reviewer, Finance, Admin];
    /// WithdrawClaim, ResubmitClaim, AddAttachment (portal: own claims only).
    pub const APPLICANT: &[Role] = &[Portal, Admin];
    /// CreatePublication, IssuePublication, RecordObjection, ResolveObjection.
    pub const PUBLISH: &[Role] = &[Reviewer, Admin];
    /// GetPublication, ListPublications, ExportPublication.
    pub const READ_PUBLICATIONS: &[Role] = &[Reviewer, Finance, Admin];
    /// VerifyAuditLog.
    pub const VERIFY_AUDIT_LOG: &[Role] = &[Admin];
    /// SetBudget.
    pub const SET_BUDGET: &[Role] = &[Finance, Admin];
    /// GetBudget.
    pub const GET_BUDGET: &[Role] = &[Reviewer, Finance, Admin];
    /// GetCaller: every role.
    pub const GET_CALLER: &[Role] = &[Portal, Reviewer, Finance, Admin];
}

/// Why the file's mode is too open (writable by group or others), with the
/// fix; `None` when it is not (or the mode cannot be read: reading the file
/// then reports the problem).
#[cfg(unix)]
pub fn loose_mode(path: &Path) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o7777;
    let who = match (mode & 0o020 != 0, mode & 0o002 != 0) {
        (true, true) => "its group and by others",
        (true, false) => "its group",
        (false, true) => "others",
        (false, false) => return None,
    };
    Some(format!(
        "the file is writable by {who} (mode {mode:04o}), so they could add an admin token; \
         it must be writable by its owner only: chmod 600 {}",
        path.display()
    ))
}

/// Modes are not checked where there are none.
#[cfg(not(unix))]
pub fn loose_mode(_path: &Path) -> Option<String> {
    None
}

/// A fresh bearer token: `stdfund_` and 64 hex digits, 256 bits from the
/// operating system's random source.
pub fn new_token() -> Result<String, String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| format!("the operating system's random source failed: {e}"))?;
    let mut out = String::with_capacity(72);
    out.push_str("stdfund_");
    for b in bytes {
        for nibble in [b >> 4, b & 0xf] {
            out.push(char::from_digit(u32::from(nibble), 16).unwrap_or('0'));
        }
    }
    Ok(out)
}

/// Reads a token from `input` (one line; a trailing newline is not part of
/// it) and returns the tokens-file line with its hash.
pub fn hash_line(input: &str) -> Result<String, String> {
    let token = input
        .strip_suffix("\r\n")
        .or_else(|| input.strip_suffix('\n'))
        .unwrap_or(input);
    if token.is_empty() {
        return Err("no token on standard input".into());
    }
    if token.contains('\n') || token.contains('\r') {
        return Err("the token must be one line".into());
    }
    if token.trim() != token {
        return Err(
            "the token starts or ends with white space, which a Bearer header cannot carry".into(),
        );
    }
    if !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("the token must be printable ASCII (it travels in an HTTP header)".into());
    }
    Ok(format!("sha256 = \"{}\"", hash_token(token)))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use tonic::metadata::MetadataValue;

    fn file() -> String {
        format!(
            "[[tokens]]\nname = \"gw\"\nrole = \"portal\"\nsha256 = \"{}\"\n\n[[tokens]]\nname = \"boss\"\nrole = \"admin\"\nsha256 = \"{}\"\n",
            hash_token("portal-secret"),
            hash_token("admin-secret").to_uppercase()
        )
    }

    fn md(v: &str) -> MetadataMap {
        let mut m = MetadataMap::new();
        m.insert("authorization", MetadataValue::try_from(v).unwrap());
        m
    }

    #[test]
    fn known_tokens_map_to_their_name_and_role() {
        let t = Tokens::parse(&file(), false).unwrap();
        assert_eq!(t.len(), 2);
        let p = t.authenticate(&md("Bearer portal-secret")).unwrap();
        assert_eq!(
            p,
            Principal {
                name: "gw".into(),
                role: Role::Portal
            }
        );
        let p = t.authenticate(&md("bearer admin-secret")).unwrap();
        assert_eq!(p.role, Role::Admin);
        assert_eq!(
            t.authenticate(&md("Bearer nope")),
            Err(AuthError::UnknownToken)
        );
        assert_eq!(
            t.authenticate(&md("Basic portal-secret")),
            Err(AuthError::MalformedHeader)
        );
        assert_eq!(
            t.authenticate(&md("portal-secret")),
            Err(AuthError::MalformedHeader)
        );
        let mut two = md("Bearer portal-secret");
        two.append("authorization", "Bearer admin-secret".parse().unwrap());
        assert_eq!(t.authenticate(&two), Err(AuthError::MalformedHeader));
        assert_eq!(
            t.authenticate(&MetadataMap::new()),
            Err(AuthError::MissingToken)
        );
        assert_eq!(
            t.authorize(
                &md("Bearer portal-secret"),
                "ReviewClaim",
                rpc_roles::REVIEW_CLAIM
            ),
            Err(AuthError::RoleNotAllowed {
                role: Role::Portal,
                rpc: "ReviewClaim",
                allowed: rpc_roles::REVIEW_CLAIM
            })
        );
    }

    #[test]
    fn no_file_refuses_everyone() {
        let t = Tokens::none();
        assert!(!t.configured());
        assert_eq!(
            t.authenticate(&md("Bearer portal-secret")),
            Err(AuthError::NoTokensConfigured)
        );
    }

    #[test]
    fn bad_files_are_refused_with_the_entry() {
        let bad = [
            (
                "[[tokens]]\nname = \"a\"\nrole = \"root\"\nsha256 = \"00\"\n",
                "role",
            ),
            (
                "[[tokens]]\nname = \"a\"\nrole = \"admin\"\nsha256 = \"abc\"\n",
                "sha256",
            ),
            (
                "[[tokens]]\nname = \"\"\nrole = \"admin\"\nsha256 = \"abc\"\n",
                "name",
            ),
            (
                "[[tokens]]\nname = \"a\"\nrole = \"admin\"\ntoken = \"x\"\n",
                "token",
            ),
        ];
        for (text, what) in bad {
            let e = Tokens::parse(text, false).unwrap_err();
            assert!(e.contains(what), "{e}");
        }
        let h = hash_token("x");
        let twice = format!(
            "[[tokens]]\nname = \"a\"\nrole = \"admin\"\nsha256 = \"{h}\"\n[[tokens]]\nname = \"b\"\nrole = \"portal\"\nsha256 = \"{h}\"\n"
        );
        assert!(Tokens::parse(&twice, false).unwrap_err().contains("twice"));
        // One name with two tokens of one role: a rotation, both valid and
        // both that name; with two roles: refused.
        let rotating = format!(
            "[[tokens]]\nname = \"li\"\nrole = \"reviewer\"\nsha256 = \"{h}\"\n[[tokens]]\nname = \"li\"\nrole = \"reviewer\"\nsha256 = \"{}\"\n",
            hash_token("y")
        );
        let t = Tokens::parse(&rotating, false).unwrap();
        for token in ["x", "y"] {
            let who = t.authenticate(&md(&format!("Bearer {token}"))).unwrap();
            assert_eq!((who.name.as_str(), who.role), ("li", Role::Reviewer));
        }
        let two_roles = rotating.replacen("role = \"reviewer\"", "role = \"admin\"", 1);
        let e = Tokens::parse(&two_roles, false).unwrap_err();
        assert!(e.contains("different roles"), "{e}");
        // Names that look like another's are refused: an invisible or
        // direction character, a Cyrillic letter among Latin ones, and two
        // names that read as one (case, full width).
        let entry = |name: &str, token: &str| {
            format!(
                "[[tokens]]\nname = {}\nrole = \"admin\"\nsha256 = \"{}\"\n",
                toml::Value::String(name.into()),
                hash_token(token)
            )
        };
        for (name, why) in [
            ("chen\u{200B}", "U+200B"),
            ("\u{202E}nehc", "U+202E"),
            ("\u{0441}hen", "U+0441"),
            // Wholly another script, a radical, a stroke, full width.
            ("\u{0445}\u{0456}\u{0435}", "U+0445"),
            ("\u{0391}\u{0392}\u{0395}", "U+0391"),
            ("王\u{2EF0}", "U+2EF0"),
            ("李\u{31D0}", "U+31D0"),
            ("ｃｈｅｎ", "U+FF43"),
        ] {
            let e = Tokens::parse(&entry(name, "p"), false).unwrap_err();
            assert!(e.contains(why), "{name:?}: {e}");
        }
        for other in ["Chen", " CHEN ", "chen."] {
            let e = Tokens::parse(&(entry("chen", "p") + &entry(other, "q")), false).unwrap_err();
            assert!(
                e.contains("reads as the name \"chen\" of tokens[0]"),
                "{other:?}: {e}"
            );
        }
        for fine in [
            "审核员王五",
            "admin-chen",
            "Müller",
            "li.na_2",
            "买买提·艾力",
            "finance@fz",
        ] {
            assert!(Tokens::parse(&entry(fine, "p"), false).is_ok(), "{fine}");
        }
        let json = format!(r#"{{"tokens":[{{"name":"a","role":"finance","sha256":"{h}"}}]}}"#);
        let t = Tokens::parse(&json, true).unwrap();
        assert_eq!(t.authenticate(&md("Bearer x")).unwrap().role, Role::Finance);
    }

    #[test]
    fn new_tokens_are_fresh_long_and_hashable() {
        let a = new_token().unwrap();
        let b = new_token().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 8 + 64);
        assert!(a.starts_with("stdfund_"));
        assert!(a[8..].bytes().all(|c| c.is_ascii_hexdigit()));
        assert!(hash_line(&a).is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn loose_modes_are_refused_with_the_fix() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("stdfund-tokens-mode-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("tokens.toml");
        std::fs::write(&f, file()).unwrap();
        for (mode, ok) in [
            (0o600, true),
            (0o640, true),
            (0o440, true),
            (0o644, true),
            (0o660, false),
            (0o602, false),
            (0o666, false),
            (0o620, false),
        ] {
            std::fs::set_permissions(&f, std::fs::Permissions::from_mode(mode)).unwrap();
            match Tokens::load(&f) {
                Ok(t) => assert!(ok, "{mode:o} accepted ({} tokens)", t.len()),
                Err(e) => {
                    assert!(!ok, "{mode:o} refused: {e}");
                    assert!(
                        e.message.contains(&format!("chmod 600 {}", f.display())),
                        "{e}"
                    );
                    assert!(e.message.contains(&format!("{mode:04o}")), "{e}");
                }
            }
        }
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn hash_line_matches_sha256sum() {
        // printf %s dev-portal-token | sha256sum
        assert_eq!(
            hash_line("dev-portal-token\n").unwrap(),
            "sha256 = \"8d2406d20e8b10d92890219ea10ceaa0911b28b4f67f5c5835a91768610044e5\""
        );
        assert!(hash_line("\n").is_err());
        assert!(hash_line(" x\n").is_err());
        assert!(hash_line("a\nb\n").is_err());
    }
}

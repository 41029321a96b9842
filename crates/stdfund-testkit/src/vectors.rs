//! The test vectors: one folder per clause or concern under `tests/vectors/`,
//! one JSON file per case.
//!
//! A case holds the `input` (an application, the proto3 JSON of
//! `EstimateRequest`), a hand-written `check` (the figures a person worked out
//! from RULES.md: total, each line's reason and payable amount, warning codes
//! or the error code) and the full `expected` answer (the assessment, or
//! `{"error": …}`). The runner compares an executor's answer with `expected`
//! byte for byte in canonical form and verifies `check` against it, so a
//! blessed `expected` can never silently contradict the hand-written figures.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};

/// What a person worked out for one line.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LineCheck {
    /// The achievement id.
    pub id: String,
    /// The expected reason code.
    pub reason: String,
    /// The expected payable amount, yuan, canonical.
    pub payable: String,
}

/// The hand-written expectations of a case.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct Check {
    /// Expected total, yuan, canonical.
    pub total: Option<String>,
    /// Expected district share of the total.
    pub district_share: Option<String>,
    /// Expected lines, in order.
    pub lines: Vec<LineCheck>,
    /// Expected warning codes, in order.
    pub warnings: Vec<String>,
    /// Expected error code, for a malformed input.
    pub error: Option<String>,
    /// Expected `whatIf` marker.
    pub what_if: Option<bool>,
}

/// One case file.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CaseFile {
    /// What the case is about and why the figures are what they are.
    pub description: String,
    /// Compare the receipt exactly (engine version and ruleset hashes): set
    /// on the one dedicated receipt vector, so a release re-blesses one file.
    /// (Declared here, second, as the file writes it: blessing keeps the
    /// file's order.)
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pin_receipt: bool,
    /// The request.
    pub input: Value,
    /// The hand-written expectations.
    pub check: Check,
    /// The full expected answer; `null` until blessed. Its receipt is
    /// normalised (see [`normalise_receipt`]) unless `pinReceipt` is set.
    #[serde(default)]
    pub expected: Value,
}

/// What a normalised receipt shows instead of the engine version.
pub const ENGINE_PLACEHOLDER: &str = "(engine version)";
/// What a normalised receipt shows instead of a ruleset hash.
pub const HASH_PLACEHOLDER: &str = "(ruleset hash)";

/// Replaces the receipt's engine version and ruleset hashes by placeholders,
/// after checking that each hash is the one of the ruleset it names: an
/// embedded ruleset, or the request's what-if ruleset. The input hash stays:
/// it depends on the request alone.
pub fn normalise_receipt(input: &Value, answer: &mut Value) -> Result<(), String> {
    let Some(receipt) = answer.get_mut("receipt") else {
        return Ok(());
    };
    if let Some(v) = receipt.get_mut("engineVersion") {
        if v.as_str() != Some(stdfund_rules::ENGINE_VERSION) {
            return Err(format!(
                "receipt engine version {v} is not {}",
                stdfund_rules::ENGINE_VERSION
            ));
        }
        *v = Value::String(ENGINE_PLACEHOLDER.into());
    }
    let what_if = input
        .get("whatIfRuleset")
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .and_then(|s| stdfund_rules::Ruleset::from_json(s).ok());
    let embedded = stdfund_rules::ruleset::embedded().map_err(|e| e.to_string())?;
    for r in receipt
        .get_mut("rulesets")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        let id = r
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let version = r
            .get("version")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let known = what_if
            .iter()
            .chain(embedded.rulesets().iter())
            .find(|rs| rs.id() == id && rs.version() == version)
            .map(|rs| rs.hash().to_string());
        if let Some(h) = r.get_mut("hash") {
            if h.as_str() != known.as_deref() {
                return Err(format!(
                    "receipt hash {h} is not the hash of ruleset {id} {version}"
                ));
            }
            *h = Value::String(HASH_PLACEHOLDER.into());
        }
    }
    Ok(())
}

/// A loaded case.
#[derive(Clone, Debug)]
pub struct Vector {
    /// The folder (clause or concern).
    pub group: String,
    /// The file stem.
    pub name: String,
    /// The file.
    pub path: PathBuf,
    /// Its content.
    pub case: CaseFile,
}

impl Vector {
    /// `group/name`.
    pub fn id(&self) -> String {
        format!("{}/{}", self.group, self.name)
    }
    /// The request as compact JSON text.
    pub fn input_json(&self) -> String {
        serde_json::to_string(&self.case.input).unwrap_or_default()
    }
    /// The expected answer as canonical JSON text.
    pub fn expected_json(&self) -> String {
        serde_json::to_string(&self.case.expected).unwrap_or_default()
    }
    /// An executor's answer as this vector compares it: canonical JSON with
    /// the receipt normalised unless the vector pins it.
    pub fn comparable(&self, answer: &str) -> Result<String, String> {
        if self.case.pin_receipt {
            return Ok(answer.to_string());
        }
        let mut v: Value =
            serde_json::from_str(answer).map_err(|e| format!("answer is not JSON: {e}"))?;
        normalise_receipt(&self.case.input, &mut v)?;
        serde_json::to_string(&v).map_err(|e| e.to_string())
    }
}

/// The vector folder of the workspace.
pub fn vectors_dir() -> PathBuf {
    crate::workspace_root().join("tests").join("vectors")
}

/// Loads every case, sorted by group then name.
pub fn load_all(dir: &Path) -> Result<Vec<Vector>, String> {
    let mut out = Vec::new();
    let mut groups: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    groups.sort();
    for g in groups {
        let group = g
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut files: Vec<PathBuf> = fs::read_dir(&g)
            .map_err(|e| format!("cannot read {}: {e}", g.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        for f in files {
            let text = fs::read_to_string(&f).map_err(|e| format!("{}: {e}", f.display()))?;
            let case: CaseFile =
                serde_json::from_str(&text).map_err(|e| format!("{}: {e}", f.display()))?;
            let name = f
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            out.push(Vector {
                group: group.clone(),
                name,
                path: f,
                case,
            });
        }
    }
    Ok(out)
}

/// Verifies the hand-written expectations against an answer (canonical JSON).
pub fn verify_check(check: &Check, answer: &str) -> Result<(), String> {
    let v: Value = serde_json::from_str(answer).map_err(|e| format!("answer is not JSON: {e}"))?;
    if let Some(code) = &check.error {
        let got = v
            .pointer("/error/code")
            .and_then(Value::as_str)
            .unwrap_or("<no error>");
        return if got == code {
            Ok(())
        } else {
            Err(format!("expected error {code}, got {got}"))
        };
    }
    if let Some(e) = v.get("error") {
        return Err(format!("unexpected error {e}"));
    }
    let s = |p: &str| {
        v.pointer(p)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    if let Some(t) = &check.total
        && s("/total") != *t
    {
        return Err(format!("total: expected {t}, got {}", s("/total")));
    }
    if let Some(d) = &check.district_share
        && s("/split/districtShare") != *d
    {
        return Err(format!(
            "district share: expected {d}, got {}",
            s("/split/districtShare")
        ));
    }
    if let Some(w) = check.what_if
        && v.get("whatIf").and_then(Value::as_bool) != Some(w)
    {
        return Err(format!("whatIf: expected {w}"));
    }
    let lines = v
        .get("lines")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if lines.len() != check.lines.len() {
        return Err(format!(
            "expected {} lines, got {}",
            check.lines.len(),
            lines.len()
        ));
    }
    for (want, got) in check.lines.iter().zip(lines.iter()) {
        let f = |k: &str| got.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        if f("achievementId") != want.id
            || f("reasonCode") != want.reason
            || f("payable") != want.payable
        {
            return Err(format!(
                "line {}: expected {} {}, got {} {} {}",
                want.id,
                want.reason,
                want.payable,
                f("achievementId"),
                f("reasonCode"),
                f("payable")
            ));
        }
    }
    let warnings: Vec<String> = v
        .get("warnings")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|w| w.get("code").and_then(Value::as_str))
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    if warnings != check.warnings {
        return Err(format!(
            "warnings: expected {:?}, got {:?}",
            check.warnings, warnings
        ));
    }
    Ok(())
}

/// Runs every vector through an executor; returns the failures.
pub fn run_all(
    vectors: &[Vector],
    exec: &mut dyn FnMut(&str) -> Result<String, stdfund_rules::ErrorReport>,
) -> Vec<String> {
    let mut failures = Vec::new();
    for v in vectors {
        let answer = match v.comparable(&crate::answer_json(&exec(&v.input_json()))) {
            Ok(a) => a,
            Err(e) => {
                failures.push(format!("{}: {e}", v.id()));
                continue;
            }
        };
        if answer != v.expected_json() {
            failures.push(format!(
                "{}: answer differs from expected\n  got:      {answer}\n  expected: {}",
                v.id(),
                v.expected_json()
            ));
            continue;
        }
        if let Err(e) = verify_check(&v.case.check, &answer) {
            failures.push(format!("{}: {e}", v.id()));
        }
    }
    failures
}

/// Rewrites every case's `expected` from the native executor (only when
/// `STDFUND_BLESS=1`), after verifying its hand-written check.
pub fn bless(vectors: &[Vector]) -> Result<usize, String> {
    let mut n = 0usize;
    for v in vectors {
        let answer = v.comparable(&crate::answer_json(&crate::native(&v.input_json())))?;
        verify_check(&v.case.check, &answer).map_err(|e| format!("{}: {e}", v.id()))?;
        let mut case = v.case.clone();
        case.expected = serde_json::from_str(&answer).map_err(|e| e.to_string())?;
        let text = serde_json::to_string_pretty(&case).map_err(|e| e.to_string())?;
        fs::write(&v.path, format!("{text}\n"))
            .map_err(|e| format!("{}: {e}", v.path.display()))?;
        n = n.saturating_add(1);
    }
    Ok(n)
}

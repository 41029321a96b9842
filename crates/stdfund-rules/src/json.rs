//! The JSON boundary shared by the CLI, the WASM module and the tests.
//!
//! Input: the proto3 JSON mapping of `stdfund.v1.EstimateRequest` (camelCase,
//! every field optional, unknown fields rejected with the field named).
//! Output: canonical JSON — every field present, in declaration order,
//! decimals as strings, no insignificant white space — so that the same input
//! gives the same bytes on every executor.

use crate::engine::{self, ENGINE_VERSION};
use crate::error::{Error, ErrorReport};
use crate::model::{Application, Assessment, EngineInfo};
use crate::ruleset::{self, RuleBook, RulesetDoc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// One ruleset in the catalogue: its document plus what was computed from it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CatalogRuleset {
    /// `sha256:` content hash.
    pub hash: String,
    /// The document.
    pub document: RulesetDoc,
}

/// The catalogue: every ruleset the engine knows (GetCatalog).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Catalog {
    /// Engine version.
    pub engine_version: String,
    /// The rulesets, by start date.
    pub rulesets: Vec<CatalogRuleset>,
}

/// Parses any boundary object, mapping parser errors to stable codes with the field path.
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<T, Error> {
    match serde_json::from_str(text) {
        Ok(v) => Ok(v),
        // Re-parse with path tracking only on the error path, to keep the happy path fast.
        Err(first) => match serde_path_to_error::deserialize::<_, T>(
            &mut serde_json::Deserializer::from_str(text),
        ) {
            Ok(v) => Ok(v),
            Err(e) => Err(classify(e.path().to_string(), e.inner(), &first)),
        },
    }
}

fn classify(path: String, inner: &serde_json::Error, first: &serde_json::Error) -> Error {
    let msg = inner.to_string();
    let path = if path == "." || path == "?" {
        String::new()
    } else {
        path
    };
    if let Some(rest) = msg.strip_prefix("unknown field `") {
        let field = rest.split('`').next().unwrap_or_default().to_string();
        let parent = path
            .strip_suffix(&field)
            .map(|p| p.trim_end_matches('.').to_string())
            .unwrap_or(path.clone());
        return Error::UnknownField {
            path: parent,
            field,
        };
    }
    if inner.is_data() {
        let message = msg
            .split(" at line ")
            .next()
            .unwrap_or_default()
            .to_string();
        return Error::InvalidType { path, message };
    }
    Error::InvalidJson {
        path,
        message: first.to_string(),
    }
}

/// Parses an application.
pub fn parse_application(text: &str) -> Result<Application, Error> {
    parse(text)
}

/// Canonical JSON of any boundary object.
pub fn to_canonical<T: Serialize>(value: &T) -> String {
    // Serialising these plain structs cannot fail; fall back to an empty object.
    serde_json::to_string(value).unwrap_or_else(|_| String::from("{}"))
}

/// Estimates an application given as JSON text; answers canonical JSON.
pub fn estimate_json(text: &str) -> Result<String, ErrorReport> {
    estimate_str(text)
        .map(|a| assessment_to_canonical(&a))
        .map_err(|e| e.to_report())
}

/// Canonical JSON of an assessment: the same bytes as [`to_canonical`], faster.
pub fn assessment_to_canonical(a: &Assessment) -> String {
    crate::canonical::assessment(a)
}

/// Parses and estimates.
pub fn estimate_str(text: &str) -> Result<Assessment, Error> {
    engine::estimate(&parse_application(text)?)
}

/// The catalogue of a book.
pub fn catalog_of(book: &RuleBook) -> Catalog {
    Catalog {
        engine_version: ENGINE_VERSION.into(),
        rulesets: book
            .rulesets()
            .iter()
            .map(|r| CatalogRuleset {
                hash: r.hash().into(),
                document: r.doc().clone(),
            })
            .collect(),
    }
}

/// The catalogue of the embedded rulesets.
pub fn catalog() -> Result<Catalog, Error> {
    Ok(catalog_of(ruleset::embedded()?))
}

/// Engine version and embedded ruleset references.
pub fn engine_info() -> Result<EngineInfo, Error> {
    let book = ruleset::embedded()?;
    Ok(EngineInfo {
        engine_version: ENGINE_VERSION.into(),
        rulesets: book.rulesets().iter().map(engine::ruleset_ref).collect(),
    })
}

/// The answer of the credit-code form helper.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreditCodeCheck {
    /// The code, trimmed and upper-cased.
    pub credit_code: String,
    /// Whether the check character matches (a mismatch is a warning in an estimate).
    pub check_passed: bool,
    /// The check character the first 17 characters call for.
    pub expected_check_character: String,
}

/// Checks a credit code as the estimate does (trimmed, upper-cased, GB 32100
/// check character); a malformed code is `INVALID_CREDIT_CODE`.
pub fn check_credit_code(raw: &str) -> Result<CreditCodeCheck, Error> {
    let raw = raw.trim();
    let (code, passed, expected) = match crate::ident::check_credit_code(raw) {
        crate::ident::CreditCode::Valid(c) => {
            let check = c.chars().last().unwrap_or_default();
            (c, true, check)
        }
        crate::ident::CreditCode::CheckMismatch(c, expected) => (c, false, expected),
        crate::ident::CreditCode::Malformed => {
            return Err(Error::InvalidCreditCode {
                path: "applicant.creditCode".into(),
                value: raw.into(),
            });
        }
    };
    Ok(CreditCodeCheck {
        credit_code: code,
        check_passed: passed,
        expected_check_character: expected.to_string(),
    })
}

/// The answer of the standard-number form helper.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StandardNumberInfo {
    /// Code, one space, number: `GB/T 12345-2020`.
    pub canonical: String,
    /// The code: `GB/T`, `DB35/T`, `ISO/IEC`, `T/CAS`.
    pub code: String,
    /// The number with its year.
    pub number: String,
    /// The variant id the code implies, or "" when it implies none.
    pub implied_level: String,
}

/// Normalises a standard number as the estimate does for standard subjects;
/// unreadable text is `INVALID_STANDARD_NUMBER`.
pub fn normalise_standard_number(raw: &str) -> Result<StandardNumberInfo, Error> {
    let n = crate::ident::normalise_standard_number(raw).ok_or_else(|| {
        Error::InvalidStandardNumber {
            path: "subject".into(),
            value: raw.into(),
        }
    })?;
    Ok(StandardNumberInfo {
        canonical: n.canonical(),
        implied_level: n.implied_level().variant_id().unwrap_or_default().into(),
        code: n.code,
        number: n.number,
    })
}

/// The fiscal units an applicant's seat can be: those of the newest embedded
/// ruleset, against which the estimate checks the seat (decision D8).
pub fn fiscal_units() -> Result<Vec<crate::ruleset::FiscalUnitDoc>, Error> {
    ruleset::embedded()?
        .latest()
        .map(|r| r.doc().fiscal_units.clone())
        .ok_or_else(|| Error::InvalidRuleset {
            message: "the rule book is empty".into(),
        })
}

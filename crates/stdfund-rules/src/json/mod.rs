//! The one JSON boundary, shared by the CLI, the WASM module and the tests.
//!
//! Input: the proto3 JSON mapping of `stdfund.v1.EstimateRequest` ([`dto`]):
//! lowerCamelCase or original field names, enum names or numbers, `null` as
//! the default; unknown fields refused with the field named; nothing but
//! white space after the document. Output: canonical JSON ([`write`]) — every
//! field present, in declaration order, decimals as strings, no insignificant
//! white space — so that the same input gives the same bytes on every
//! executor.

pub mod dto;
pub(crate) mod object;
pub(crate) mod proto3;
pub mod write;

use crate::domain::Assessment;
use crate::engine::{self, ENGINE_VERSION};
use crate::error::{Error, ErrorReport};
use crate::ruleset::{self, RuleBook, RulesetDoc};
use dto::{EngineInfo, EnumIn, RulesetRef, View};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// One ruleset in the catalogue: its document plus what was computed from it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CatalogRuleset {
    /// `sha256:` content hash.
    pub hash: String,
    /// The document.
    pub document: RulesetDoc,
}

/// The catalogue: every ruleset the engine knows (GetCatalog).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Catalog {
    /// Engine version.
    pub engine_version: String,
    /// The rulesets, by start date.
    pub rulesets: Vec<CatalogRuleset>,
}

/// Parses a boundary object that borrows from the text, mapping parser errors
/// to stable codes with the field path and the position.
pub fn parse_borrowed<'a, T: Deserialize<'a>>(text: &'a str) -> Result<T, Error> {
    match serde_json::from_str(text) {
        Ok(v) => Ok(v),
        // Re-parse with path tracking only on the error path, to keep the happy path fast.
        Err(first) => {
            let mut de = serde_json::Deserializer::from_str(text);
            let e = match serde_path_to_error::deserialize::<_, T>(&mut de) {
                Ok(_) => return Err(classify_plain(&first)),
                Err(e) => e,
            };
            Err(classify(e.path().to_string(), e.inner(), &first))
        }
    }
}

/// Parses an owned boundary object (see [`parse_borrowed`]).
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<T, Error> {
    parse_borrowed(text)
}

/// An error the path-tracking parser did not reproduce (trailing text: the
/// document itself parsed).
fn classify_plain(e: &serde_json::Error) -> Error {
    let message = e.to_string();
    if unpaired_surrogate(&message) {
        return Error::UnpairedSurrogate {
            path: String::new(),
            line: e.line(),
            column: e.column(),
        };
    }
    if message.starts_with("trailing characters") {
        return Error::TrailingData {
            line: e.line(),
            column: e.column(),
        };
    }
    Error::InvalidJson {
        path: String::new(),
        message,
        line: e.line(),
        column: e.column(),
    }
}

/// serde_json's words for a `\\uD800`–`\\uDFFF` escape without its other
/// half (both of its surrogate errors; "leading" is said of a lone trailing
/// one too).
fn unpaired_surrogate(message: &str) -> bool {
    message.starts_with("lone leading surrogate in hex escape")
        || message.starts_with("unexpected end of hex escape")
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
    if let Some(rest) = msg.strip_prefix("duplicate field `") {
        let field = rest.split('`').next().unwrap_or_default();
        // The path ends at the object, or (as for an unknown field) at the
        // field itself.
        let parent = if path == field {
            ""
        } else {
            path.strip_suffix(&format!(".{field}")).unwrap_or(&path)
        };
        let path = if parent.is_empty() {
            field.to_string()
        } else {
            format!("{parent}.{field}")
        };
        return Error::DuplicateField { path };
    }
    if inner.is_data() {
        let message = msg
            .split(" at line ")
            .next()
            .unwrap_or_default()
            .to_string();
        return Error::InvalidType { path, message };
    }
    if msg.starts_with("trailing characters") {
        return Error::TrailingData {
            line: first.line(),
            column: first.column(),
        };
    }
    if unpaired_surrogate(&msg) {
        return Error::UnpairedSurrogate {
            path,
            line: first.line(),
            column: first.column(),
        };
    }
    Error::InvalidJson {
        path,
        message: first.to_string(),
        line: first.line(),
        column: first.column(),
    }
}

/// Parses an estimate request (borrowing its text).
pub fn parse_request(text: &str) -> Result<dto::EstimateRequest<'_>, Error> {
    let mut request: dto::EstimateRequest<'_> = parse_borrowed(text)?;
    request.source = dto::JsonSource::of(text);
    Ok(request)
}

/// Canonical JSON of any serde boundary object (catalogue, error report, DTOs).
pub fn to_canonical<T: Serialize>(value: &T) -> String {
    // Serialising these plain structs cannot fail; fall back to an empty object.
    serde_json::to_string(value).unwrap_or_else(|_| String::from("{}"))
}

/// Estimates a request given as JSON text; answers canonical JSON in the
/// view the request asks for.
pub fn estimate_json(text: &str) -> Result<String, ErrorReport> {
    estimate_text(text).map_err(|e| e.to_report())
}

/// Estimates a request given as JSON text (typed error).
pub fn estimate_text(text: &str) -> Result<String, Error> {
    assess_in_view(&parse_request(text)?, None, write::assessment)
}

/// Estimates an application (JSON text) under an alternative ruleset
/// document (JSON text) instead of the rulesets in force: the same as the
/// application with `whatIfRuleset` set to that document.
///
/// A document given empty (an empty file read) is `INVALID_RULESET`: given
/// explicitly, it is not the absent what-if ruleset of a request, and the
/// rules in force must not answer in its place.
pub fn what_if_text(application: &str, ruleset: &str) -> Result<String, Error> {
    if ruleset.trim().is_empty() {
        crate::ruleset::Ruleset::from_json(ruleset)?;
    }
    let mut request = parse_request(application)?;
    request.what_if_ruleset = dto::Str::from(ruleset);
    assess_in_view(&request, None, write::assessment)
}

/// Assesses a request ([`engine::assess`]) and renders the assessment in a
/// view: `view` when given (a batch's own choice, which overrides the
/// request's), else the one the request asks for. The view is checked
/// first, as every boundary reports it.
pub fn assess_in_view<T>(
    request: &dto::EstimateRequest<'_>,
    view: Option<View>,
    render: impl FnOnce(&Assessment<'_, '_>, View) -> T,
) -> Result<T, Error> {
    let view = match view {
        Some(v) => v,
        None => view_of(&request.view)?,
    };
    engine::assess(request, |a| render(a, view))
}

/// The view a request asks for; an undefined value is `INVALID_ENUM_VALUE`.
pub fn view_of(v: &EnumIn<View>) -> Result<View, Error> {
    match v {
        EnumIn::Unset => Ok(View::Full),
        EnumIn::Set(v) => Ok(*v),
        other => Err(Error::invalid_enum_value::<View>(
            "view".into(),
            other.unknown_text().unwrap_or_default(),
            "VIEW_UNSPECIFIED, VIEW_FULL, VIEW_SUMMARY".into(),
        )),
    }
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
        rulesets: book.rulesets().iter().map(RulesetRef::of).collect(),
    })
}

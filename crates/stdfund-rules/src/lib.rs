//! # stdfund-rules
//!
//! The pure core of stdfund: the Fuzhou 2016 standardization-fund rules as
//! versioned, cited data; their evaluation into an explained assessment;
//! exact money; identifiers; and the one JSON boundary that the CLI, the
//! WASM module and the gRPC service share.
//!
//! No async, no I/O, no clock, no environment, no floats. The assessment is a
//! function of the application and the rule book alone.
//!
//! The map: [`json`] reads a request ([`json::dto`]) → [`request`] validates
//! it into the typed [`domain`] → [`engine`] decides each line with the steps
//! in [`reasons`] (raising [`warnings`]) → [`json::write`] (or the proto
//! crate's `to_pb`) renders the answer, explanations included, at the edge.
//!
//! ```
//! let answer = stdfund_rules::json::estimate_json(r#"{
//!   "applicant": {"creditCode": "91350100M000100Y43", "name": "示例公司", "seat": "350102"},
//!   "achievements": [{"id": "a1", "item": "STANDARD_LEAD", "variant": "NATIONAL",
//!                     "subject": "GB/T 12345-2020", "date": "2020-05-01"}]
//! }"#).unwrap();
//! assert!(answer.contains(r#""total":"300000.00""#));
//! ```

pub mod amount_input;
pub mod canon;
pub mod claim;
pub mod date;
pub mod domain;
pub mod engine;
pub mod error;
pub mod form;
pub mod ident;
pub mod json;
pub mod money;
pub mod reasons;
pub mod request;
pub mod ruleset;
mod seen;
pub mod subject;
pub mod warnings;

pub use engine::{ENGINE_VERSION, assess, evaluate};
pub use error::{Error, ErrorReport};
pub use ruleset::{RuleBook, Ruleset};

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
//! ```
//! let app = stdfund_rules::json::parse_application(r#"{
//!   "applicant": {"creditCode": "91350100M000100Y43", "name": "示例公司", "seat": "350102"},
//!   "achievements": [{"id": "a1", "item": "STANDARD_LEAD", "variant": "NATIONAL",
//!                     "subject": "GB/T 12345-2020", "date": "2020-05-01"}]
//! }"#).unwrap();
//! let assessment = stdfund_rules::estimate(&app).unwrap();
//! assert_eq!(assessment.total, "300000.00");
//! ```

pub mod canon;
pub mod canonical;
pub mod date;
pub mod engine;
pub mod error;
pub mod ident;
pub mod json;
pub mod model;
pub mod money;
pub mod ruleset;

pub use engine::{ENGINE_VERSION, estimate, evaluate};
pub use error::{Error, ErrorReport};
pub use model::{Application, Assessment};
pub use ruleset::{RuleBook, Ruleset};

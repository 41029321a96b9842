//! # stdfund-match — 免申即享 (enjoy without applying)
//!
//! Matches the lists that agencies publish — standards published, awards
//! announced, committee secretariats assigned, pilots accepted, geographical
//! indications approved — against the enterprise register, and tells each
//! enterprise what it appears to be owed under the Fuzhou 2016 rules. A
//! match is a proposal for a reviewer, never a payment.
//!
//! The flow, each step a pure function over parsed rows (the matching core
//! does no I/O; readers and writers take and return bytes):
//!
//! 1. [`table`] reads CSV or XLSX bytes into cells; [`feed`] finds the
//!    documented header and reads typed rows ([`feed::read_register`],
//!    [`feed::read_feed`]), naming the row and column of every bad value.
//! 2. [`register::RegisterIndex`] indexes the register by credit code and by
//!    normalised name ([`normalize`]); matching a unit costs a few hash
//!    look-ups and yields an [`register::Outcome`]: exact code, exact name,
//!    fuzzy (for review), ambiguous (never picked), or none.
//! 3. [`pipeline::Matcher`] turns each feed row into per-unit proposals
//!    (lead or participant by rank, the ruleset item and variant), matches
//!    them, and on [`pipeline::Matcher::finish`] estimates each enterprise's
//!    accepted proposals through the rules engine ([`rules_adapter`]),
//!    leaving out what the registry already holds.
//! 4. [`report`] derives the notification list, review sheet and summary;
//!    [`output`] writes them (XLSX with a chart, CSV) and the draft claims
//!    (`SubmitClaimRequest` proto3 JSON, one per line).
//!
//! [`synth`] generates a deterministic synthetic register and feeds, with
//! the expected outcome of every unit, for tests and benchmarks.

pub mod error;
pub mod feed;
pub mod normalize;
pub mod output;
pub mod pipeline;
pub mod proto_json;
pub mod register;
pub mod report;
pub mod rules_adapter;
pub mod synth;
pub mod table;

pub use error::{InputError, OutputError};
pub use feed::{FeedKind, FeedRecord};
pub use pipeline::{MatchReport, Matcher, Options};
pub use register::{Enterprise, Outcome, RegisterIndex};
pub use rules_adapter::RegistryKey;
pub use table::FileFormat;

//! # stdfund-server
//!
//! The `stdfund` binary and the `stdfund.v1` gRPC server.
//!
//! * [`cli`]: the command line — `estimate` and `rules` (no server),
//!   `serve`, `healthcheck`.
//! * [`batch`]: `stdfund estimate --batch` — NDJSON, CSV or XLSX in,
//!   NDJSON, CSV or XLSX out, on every core.
//! * [`config`]: layered settings — defaults < TOML file < `STDFUND_*`
//!   environment < flags.
//! * [`server`]: builds and runs the tonic server: EstimateService, health,
//!   reflection (v1 and v1alpha), grpc-web with CORS, size limits, metrics,
//!   graceful shutdown.
//! * [`dbhealth`]: the registry's health status follows its database
//!   (probed every second).
//! * [`estimate`]: EstimateService — converts, calls `stdfund_rules`,
//!   converts back. No rule logic lives here.
//! * [`status`]: the one mapping from errors to `tonic::Status` with rich
//!   details, and its inverse for clients and tests.
//! * [`framing`]: a request with broken gRPC frames is `INVALID_ARGUMENT`
//!   (the caller's fault), never `INTERNAL`.
//! * [`locale`]: `grpc-accept-language` chooses the `LocalizedMessage` of
//!   errors.
//! * [`metrics`]: Prometheus counters and histograms per RPC, served on a
//!   separate port.
//! * [`access`]: the access log line per call (tower-http `TraceLayer`) and
//!   the `x-request-id` taken or generated and returned.
//! * [`logging`] and [`mask`]: `tracing` output with credit codes masked.
//! * [`registry`]: RegistryService, the claim registry over
//!   `stdfund_store`, with [`auth`] (bearer tokens and roles),
//!   [`registry_error`] (its errors as rich statuses) and [`exports`] (the
//!   registry's CSV and XLSX files).
//! * [`table`], [`output`], [`protojson`]: what the command line prints —
//!   display-width tables, errors as text or the `{"error":…}` object, a
//!   closed pipe ending quietly, and the proto3 JSON of contract messages.
//! * [`admin`]: `stdfund migrate`, `stdfund backup`, `stdfund token hash|new`,
//!   `stdfund audit verify`, `stdfund registry collisions`.
//! * [`match_cmd`]: `stdfund match` (免申即享) over `stdfund_match`.
//! * [`match_service`]: MatchService, the same match over a gRPC stream,
//!   leaving out the keys the registry's store holds.

pub mod access;
pub mod admin;
pub mod audit_key;
pub mod auth;
pub mod batch;
pub mod cli;
pub mod coalesce;
pub mod config;
pub mod content_type;
pub mod dbhealth;
pub mod estimate;
pub mod exports;
pub mod framing;
pub mod health;
pub mod locale;
pub mod logging;
pub mod mask;
pub mod match_cmd;
pub mod match_service;
pub mod metrics;
pub mod output;
pub mod protojson;
pub mod registry;
pub mod registry_error;
pub mod rekey;
pub mod server;
pub mod status;
pub mod status_rewrite;
pub mod table;
pub mod web;

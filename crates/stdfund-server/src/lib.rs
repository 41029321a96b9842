//! # stdfund-server
//!
//! The `stdfund` binary and the `stdfund.v1` gRPC server.
//!
//! * [`cli`]: the command line — `estimate` and `rules` (no server),
//!   `serve`, `healthcheck`.
//! * [`config`]: layered settings — defaults < TOML file < `STDFUND_*`
//!   environment < flags.
//! * [`server`]: builds and runs the tonic server: EstimateService, health,
//!   reflection (v1 and v1alpha), grpc-web with CORS, size limits, metrics,
//!   graceful shutdown.
//! * [`estimate`]: EstimateService — converts, calls `stdfund_rules`,
//!   converts back. No rule logic lives here.
//! * [`status`]: the one mapping from errors to `tonic::Status` with rich
//!   details, and its inverse for clients and tests.
//! * [`metrics`]: Prometheus counters and histograms per RPC, served on a
//!   separate port.
//! * [`logging`] and [`mask`]: `tracing` output with credit codes masked.
//! * [`registry`]: RegistryService, the claim registry over
//!   `stdfund_store`, with [`auth`] (bearer tokens and roles),
//!   [`registry_error`] (its errors as rich statuses), [`notice`] (the public
//!   notice as CSV and XLSX) and [`progress`] (the 2020 targets).
//! * [`admin`]: `stdfund migrate`, `stdfund backup`, `stdfund token hash`.
//! * [`match_cmd`]: `stdfund match` (免申即享) over `stdfund_match`.

pub mod admin;
pub mod auth;
pub mod cli;
pub mod config;
pub mod estimate;
pub mod logging;
pub mod mask;
pub mod match_cmd;
pub mod metrics;
pub mod notice;
pub mod progress;
pub mod registry;
pub mod registry_error;
pub mod server;
pub mod status;

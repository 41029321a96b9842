//! # stdfund-proto
//!
//! The `stdfund.v1` contract (`proto/stdfund/v1/*.proto`) compiled for Rust by
//! protox and tonic-prost-build at build time — no system `protoc` — and the
//! conversions between its estimate messages and the boundary types of
//! `stdfund-rules`.
//!
//! * [`pb`]: the generated messages, enums, clients and servers.
//! * [`codec`]: the servers' codec — an undecodable request is
//!   `INVALID_ARGUMENT` (reason `MALFORMED_MESSAGE`), never `INTERNAL`.
//! * [`FILE_DESCRIPTOR_SET`]: the encoded descriptors (with imports and
//!   comments) for gRPC reflection.
//! * [`convert`]: one way each — a proto request read as the rules crate's
//!   request DTO, the typed assessment written as a proto answer.
//! * [`wire`]: the same answer encoded straight into protobuf bytes (what
//!   the server sends for Estimate and EstimateBatch), byte-equal to prost's
//!   encoding of [`convert::to_pb`].
//! * [`direct`]: an estimate request read straight from its bytes into the
//!   rules crate's request DTO (prost for whatever it declines): what the
//!   server does for Estimate and EstimateBatch.
//! * [`client`]: for clients and tests, a received answer in its JSON form.
//!
//! Dependencies point one way: this crate knows the rules crate, never the
//! reverse; it has no runtime, no I/O and no server.

pub mod client;
pub mod codec;
pub mod convert;
pub mod direct;
pub mod stored;
pub mod wire;

/// The generated code of package `stdfund.v1`.
#[allow(
    missing_docs,
    clippy::all,
    clippy::pedantic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
pub mod pb {
    include!(concat!(env!("OUT_DIR"), "/stdfund.v1.rs"));
    include!(concat!(env!("OUT_DIR"), "/clients/stdfund.v1.rs"));
}

/// The encoded `google.protobuf.FileDescriptorSet` of `stdfund.v1` and its
/// imports, with source info: what gRPC reflection serves.
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/stdfund_v1_descriptor.bin"));

/// Fully qualified service names, as health checks and reflection list them.
pub mod service_names {
    /// `stdfund.v1.EstimateService`.
    pub const ESTIMATE: &str = "stdfund.v1.EstimateService";
    /// `stdfund.v1.RegistryService`.
    pub const REGISTRY: &str = "stdfund.v1.RegistryService";
    /// `stdfund.v1.MatchService`.
    pub const MATCH: &str = "stdfund.v1.MatchService";
}

/// The error domain of `google.rpc.ErrorInfo` details.
pub const ERROR_DOMAIN: &str = "stdfund.v1";

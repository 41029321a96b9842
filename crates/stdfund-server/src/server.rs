//! Builds and runs the gRPC server.
//!
//! Layers, outermost first: the workbench page (`/workbench/`, [`crate::web`])
//! → CORS (answers browser preflights for the
//! configured origins) → grpc-web (translates browser calls to gRPC) →
//! `x-request-id` (taken from the caller or generated, returned in the
//! response) → the access log (one INFO line per call, [`crate::access`]) →
//! metrics (sees every call as gRPC) → `grpc-accept-language`
//! ([`crate::locale`]) → broken request frames as `INVALID_ARGUMENT`
//! ([`crate::framing`]; undecodable messages are already, through the
//! servers' codec, `stdfund_proto::codec`) → the routes: `stdfund.v1.EstimateService`,
//! `stdfund.v1.RegistryService` (the claim registry over the store opened
//! from `database_url`; its pool is closed after the drain),
//! `stdfund.v1.MatchService` (免申即享 over the registry's tokens and store),
//! `grpc.health.v1.Health` (overall `""` and per service; the registry's
//! status follows its database, [`crate::dbhealth`]), reflection v1 and
//! v1alpha (listing exactly the services served, with the health descriptor
//! and the `google.rpc` error detail types registered).
//!
//! With `tls_cert` and `tls_key` the gRPC port (gRPC and grpc-web alike)
//! speaks TLS through rustls with the ring provider, ALPN `h2`; without them
//! plain text (h2c and HTTP/1.1). The metrics port is plain HTTP either way.
//! An unreadable or invalid certificate or key fails [`start`].
//!
//! SIGHUP reloads the tokens file (a bad or loose file keeps the tokens in
//! force; see [`crate::auth`]).
//!
//! Shutdown ([`Running::shutdown`], or SIGTERM/SIGINT under [`run`]): health
//! turns NOT_SERVING for `""` and every service, the listener closes, the
//! in-flight calls drain for up to `drain_seconds`, the metrics endpoint
//! stops, then the server returns.

use crate::config::Settings;
use crate::dbhealth::DatabaseWatch;
use crate::estimate::{EstimateRoutes, Estimates};
use crate::metrics::{Metrics, MetricsLayer};
use crate::registry::Registry;
use http::header::HeaderName;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use stdfund_proto::pb::match_service_server::MatchServiceServer;
use stdfund_proto::pb::registry_service_server::RegistryServiceServer;
use stdfund_proto::service_names;
use stdfund_store::{AnyStore, OpenOptions, StoreError};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tonic::transport::server::ServerTlsConfig;
use tonic::transport::server::TcpIncoming;
use tonic::transport::{Identity, Server};
use tonic_health::ServingStatus;
use tonic_health::server::HealthReporter;
use tower_http::cors::{AllowOrigin, CorsLayer};

/// The health service's name.
pub const HEALTH_SERVICE: &str = "grpc.health.v1.Health";
/// Reflection v1.
pub const REFLECTION_V1: &str = "grpc.reflection.v1.ServerReflection";
/// Reflection v1alpha (what Python's `grpc_reflection` client speaks).
pub const REFLECTION_V1ALPHA: &str = "grpc.reflection.v1alpha.ServerReflection";

/// The application services this server implements; health reports each.
pub const APPLICATION_SERVICES: [&str; 3] = [
    service_names::ESTIMATE,
    service_names::REGISTRY,
    service_names::MATCH,
];

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// An address could not be bound.
    #[error(
        "无法监听{} {addr}:{source}\ncannot listen on {addr}, {}: {source}",
        .listener.zh(),
        .listener.en()
    )]
    Bind {
        /// Which listener (the operator's flag to change).
        listener: Listener,
        /// The address.
        addr: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
    /// A service could not be built: a Chinese line first, the English one
    /// after, as every start-up refusal (the eleventh user test read English
    /// only).
    #[error("无法启动{}:{}\ncannot build the {what}: {message}", .what.zh(), .zh.as_deref().unwrap_or("原因见下一行(英文)"))]
    Build {
        /// Which part.
        what: Part,
        /// The cause.
        message: String,
        /// The cause in Chinese, where the server has words for it.
        zh: Option<String>,
    },
    /// The transport failed.
    #[error("the gRPC server failed: {0}")]
    Transport(#[from] tonic::transport::Error),
    /// The server task ended abnormally.
    #[error("the server task failed: {0}")]
    Task(String),
}

/// A part of the server that may fail to start, as an operator reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The claim registry: its database, tokens and audit key.
    Registry,
    /// The TLS certificate and key.
    Tls,
    /// The estimate service (the embedded rule book).
    Estimates,
    /// A gRPC reflection service (its version).
    Reflection(&'static str),
}

impl Part {
    fn zh(self) -> &'static str {
        match self {
            Part::Registry => "申报登记库",
            Part::Tls => "TLS 配置",
            Part::Estimates => "测算服务",
            Part::Reflection(_) => "反射服务",
        }
    }
}

impl std::fmt::Display for Part {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Part::Registry => f.write_str("claim registry"),
            Part::Tls => f.write_str("TLS configuration"),
            Part::Estimates => f.write_str("estimate service"),
            Part::Reflection(v) => write!(f, "reflection service ({v})"),
        }
    }
}

/// The two addresses `serve` listens on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listener {
    /// The gRPC (and workbench) address.
    Grpc,
    /// The metrics address.
    Metrics,
}

impl Listener {
    fn zh(self) -> &'static str {
        match self {
            Listener::Grpc => "gRPC地址(--listen / STDFUND_LISTEN)",
            Listener::Metrics => {
                "指标地址(--metrics-listen / STDFUND_METRICS_LISTEN;不需要指标时可设为off)"
            }
        }
    }

    fn en(self) -> &'static str {
        match self {
            Listener::Grpc => "the gRPC address (--listen / STDFUND_LISTEN)",
            Listener::Metrics => {
                "the metrics address (--metrics-listen / STDFUND_METRICS_LISTEN; off turns metrics off)"
            }
        }
    }
}

/// How a shutdown ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drain {
    /// Every in-flight call finished within the drain time.
    Complete,
    /// The drain time ran out; the remaining connections are abandoned.
    TimedOut,
}

/// A started server.
#[derive(Debug)]
pub struct Running {
    addr: SocketAddr,
    metrics_addr: Option<SocketAddr>,
    metrics: Arc<Metrics>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<Drain, ServeError>>,
}

impl Running {
    /// The bound gRPC address (the real port when `listen` asked for 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The bound metrics address, if enabled.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_addr
    }

    /// The live metrics.
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// Starts the graceful shutdown and waits for it to end.
    pub async fn shutdown(mut self) -> Result<Drain, ServeError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.wait().await
    }

    /// Waits until the server ends (after a shutdown, or on a failure).
    pub async fn wait(self) -> Result<Drain, ServeError> {
        match self.task.await {
            Ok(r) => r,
            Err(e) => Err(ServeError::Task(e.to_string())),
        }
    }

    /// Starts the shutdown without waiting (the caller then uses [`Running::wait`]).
    pub fn begin_shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// The CORS layer for grpc-web: the configured origins, POST, the headers
/// gRPC-Web clients send, and the gRPC headers they must be able to read.
pub fn cors_layer(origins: &[String]) -> CorsLayer {
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(
            origins
                .iter()
                .filter_map(|o| http::HeaderValue::from_str(o).ok()),
        )
    };
    CorsLayer::new()
        .allow_origin(allow)
        .allow_methods([http::Method::POST])
        .allow_headers([
            http::header::CONTENT_TYPE,
            http::header::AUTHORIZATION,
            HeaderName::from_static("x-grpc-web"),
            HeaderName::from_static("x-user-agent"),
            HeaderName::from_static("grpc-timeout"),
            crate::access::REQUEST_ID,
        ])
        .expose_headers([
            HeaderName::from_static("grpc-status"),
            HeaderName::from_static("grpc-message"),
            HeaderName::from_static("grpc-status-details-bin"),
            crate::access::REQUEST_ID,
        ])
        .max_age(Duration::from_secs(3600))
}

async fn set_all(health: &HealthReporter, status: ServingStatus) {
    health.set_service_status("", status).await;
    for s in APPLICATION_SERVICES {
        health.set_service_status(s, status).await;
    }
}

/// The compression a request message may come in besides none
/// (`grpc-encoding: gzip`, as grpc-go, grpc-java and grpcio send when a
/// client enables it). Its size limit applies to the message as
/// decompressed. Answers are sent uncompressed whatever the client accepts:
/// they are small next to what compressing them would cost every call, and
/// uncompressed is always a valid answer.
pub const REQUEST_COMPRESSION: tonic::codec::CompressionEncoding =
    tonic::codec::CompressionEncoding::Gzip;

/// How long a client may take for the TLS handshake.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The most calls one HTTP/2 connection may have open at once, announced in
/// its SETTINGS (`SETTINGS_MAX_CONCURRENT_STREAMS`). tonic otherwise
/// announces no limit, and one connection could open streams until the
/// server's memory ran out (every stream has a task and buffered data; a
/// match has a thread). gRPC clients wait for a free stream at the limit;
/// the load recipe uses 8 per connection.
pub const MAX_STREAMS_PER_CONNECTION: u32 = 256;

/// The TLS configuration of the gRPC port from `tls_cert` and `tls_key`, or
/// `None` for plain text. Files are read and parsed here, so that a bad
/// certificate or key stops the start with the setting named.
pub fn tls_config(settings: &Settings) -> Result<Option<ServerTlsConfig>, ServeError> {
    let build = |message: String| ServeError::Build {
        what: Part::Tls,
        message,
        zh: None,
    };
    let Some((cert_path, key_path)) = settings.tls().map_err(|e| build(e.to_string()))? else {
        return Ok(None);
    };
    let read = |setting: &str, path: &std::path::Path| {
        std::fs::read(path)
            .map_err(|e| build(format!("{setting}: cannot read `{}`: {e}", path.display())))
    };
    let cert = read("tls_cert", cert_path)?;
    let key = read("tls_key", key_path)?;
    if !String::from_utf8_lossy(&cert).contains("-----BEGIN CERTIFICATE-----") {
        return Err(build(format!(
            "tls_cert: `{}` holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
            cert_path.display()
        )));
    }
    let config = ServerTlsConfig::new()
        .identity(Identity::from_pem(cert, key))
        .timeout(TLS_HANDSHAKE_TIMEOUT);
    // Parse now (the server builder would only fail later, inside `start`):
    // an invalid PEM, a missing key or a key that does not match the
    // certificate is reported with both paths.
    Server::builder().tls_config(config.clone()).map_err(|e| {
        build(format!(
            "tls_cert `{}` / tls_key `{}`: {}",
            cert_path.display(),
            key_path.display(),
            crate::cli::error_chain(&e)
        ))
    })?;
    Ok(Some(config))
}

/// The `google/protobuf/*.proto` files that the served descriptor sets
/// import but do not carry (`google/rpc/error_details.proto` imports
/// `duration.proto`), from `prost-reflect`'s well-known types, so that a
/// reflection client can build every served file.
pub fn well_known_imports(sets: &[&[u8]]) -> prost_types::FileDescriptorSet {
    use prost::Message;
    let files: Vec<prost_types::FileDescriptorProto> = sets
        .iter()
        .filter_map(|s| prost_types::FileDescriptorSet::decode(*s).ok())
        .flat_map(|s| s.file)
        .collect();
    let wkt = prost_reflect::DescriptorPool::global();
    let mut missing: Vec<prost_types::FileDescriptorProto> = Vec::new();
    for import in files.iter().flat_map(|f| f.dependency.iter()) {
        let served = files.iter().any(|f| f.name() == import);
        let added = missing.iter().any(|f| f.name() == import);
        if served || added {
            continue;
        }
        if let Some(file) = wkt.get_file_by_name(import) {
            missing.push(file.file_descriptor_proto().clone());
        }
    }
    prost_types::FileDescriptorSet { file: missing }
}

/// Room for the fields around an attachment's bytes in AddAttachment and
/// GetAttachment (claim and attachment numbers, a file name of at most 200
/// characters, the attachment's record).
const ATTACHMENT_ENVELOPE_BYTES: usize = 64 * 1024;

/// The message limit of RegistryService: `max_message_bytes`, but never
/// below what one attachment of the contract's largest size (10 MiB) needs,
/// so that the registry refuses an oversized file itself
/// (`ATTACHMENT_TOO_LARGE`) rather than the transport refusing a file the
/// contract accepts.
pub fn registry_message_limit(max_message_bytes: usize) -> usize {
    max_message_bytes.max(
        crate::registry::attachments::MAX_ATTACHMENT_BYTES
            .saturating_add(ATTACHMENT_ENVELOPE_BYTES),
    )
}

/// Binds the listeners and starts serving in the background.
pub async fn start(settings: &Settings) -> Result<Running, ServeError> {
    let tls = tls_config(settings)?;
    let listener = TcpListener::bind(settings.listen)
        .await
        .map_err(|source| ServeError::Bind {
            listener: Listener::Grpc,
            addr: settings.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| ServeError::Bind {
        listener: Listener::Grpc,
        addr: settings.listen,
        source,
    })?;
    let metrics_listener = match settings.metrics_listen {
        Some(m) => Some(
            TcpListener::bind(m)
                .await
                .map_err(|source| ServeError::Bind {
                    listener: Listener::Metrics,
                    addr: m,
                    source,
                })?,
        ),
        None => None,
    };
    let metrics_addr = match &metrics_listener {
        Some(l) => Some(l.local_addr().map_err(|source| ServeError::Bind {
            listener: Listener::Metrics,
            addr,
            source,
        })?),
        None => None,
    };

    let metrics = Arc::new(Metrics::for_descriptor_sets(&[
        stdfund_proto::FILE_DESCRIPTOR_SET,
        tonic_health::pb::FILE_DESCRIPTOR_SET,
        tonic_reflection::pb::v1::FILE_DESCRIPTOR_SET,
        tonic_reflection::pb::v1alpha::FILE_DESCRIPTOR_SET,
    ]));

    let (health, health_service) = crate::health::service();
    set_all(&health, ServingStatus::Serving).await;

    let served = [
        service_names::ESTIMATE,
        service_names::REGISTRY,
        service_names::MATCH,
        HEALTH_SERVICE,
        REFLECTION_V1,
        REFLECTION_V1ALPHA,
    ];
    let reflection = || {
        served.iter().fold(
            tonic_reflection::server::Builder::configure()
                .register_encoded_file_descriptor_set(stdfund_proto::FILE_DESCRIPTOR_SET)
                .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
                // google.rpc.ErrorInfo, BadRequest, LocalizedMessage, … so
                // that grpcurl and `buf curl` decode error details.
                .register_encoded_file_descriptor_set(tonic_types::pb::FILE_DESCRIPTOR_SET)
                .register_file_descriptor_set(well_known_imports(&[
                    stdfund_proto::FILE_DESCRIPTOR_SET,
                    tonic_health::pb::FILE_DESCRIPTOR_SET,
                    tonic_types::pb::FILE_DESCRIPTOR_SET,
                ])),
            |b, s| b.with_service_name(*s),
        )
    };
    let reflection_v1 = reflection()
        .build_v1()
        .map_err(|e| ServeError::Build {
            what: Part::Reflection("v1"),
            message: e.to_string(),
            zh: None,
        })?
        .accept_compressed(REQUEST_COMPRESSION);
    let reflection_v1alpha = reflection()
        .build_v1alpha()
        .map_err(|e| ServeError::Build {
            what: Part::Reflection("v1alpha"),
            message: e.to_string(),
            zh: None,
        })?
        .accept_compressed(REQUEST_COMPRESSION);
    let health_service = health_service.accept_compressed(REQUEST_COMPRESSION);

    let estimates =
        Estimates::new(settings.max_batch_items, Some(metrics.clone())).map_err(|e| {
            ServeError::Build {
                what: Part::Estimates,
                message: e.report().message_en,
                zh: Some(e.report().message_zh),
            }
        })?;
    let estimate_service = EstimateRoutes::new(estimates, settings.max_message_bytes);
    let registry = open_registry(settings).await?;
    let registry_store = registry.store().clone();
    metrics.watch_pool(pool_probe(registry_store.clone()));
    let registry_limit = registry_message_limit(settings.max_message_bytes);
    let database_watch = DatabaseWatch::start(
        registry.clone(),
        health.clone(),
        metrics.clone(),
        crate::dbhealth::POLL_INTERVAL,
    );
    let token_reload = TokenReload::start(
        registry.clone(),
        settings.tokens_file.clone(),
        Duration::from_secs(settings.tokens_poll_seconds),
    );
    let match_service =
        MatchServiceServer::new(crate::match_service::Matches::new(registry.clone()))
            .max_decoding_message_size(settings.max_message_bytes)
            .max_encoding_message_size(settings.max_message_bytes)
            .accept_compressed(REQUEST_COMPRESSION);
    let registry_service = RegistryServiceServer::new(registry)
        .max_decoding_message_size(registry_limit)
        .max_encoding_message_size(registry_limit)
        .accept_compressed(REQUEST_COMPRESSION);

    let (set_request_id, propagate_request_id) = crate::access::request_id_layers();
    let mut builder = Server::builder();
    if let Some(tls) = tls {
        builder = builder.tls_config(tls).map_err(|e| ServeError::Build {
            what: Part::Tls,
            message: crate::cli::error_chain(&e),
            zh: None,
        })?;
    }
    let router = builder
        .max_concurrent_streams(MAX_STREAMS_PER_CONNECTION)
        .accept_http1(true)
        .layer(crate::web::WorkbenchLayer)
        .layer(cors_layer(&settings.cors_origins))
        .layer(tonic_web::GrpcWebLayer::new())
        .layer(set_request_id)
        .layer(propagate_request_id)
        .layer(crate::access::trace_layer())
        .layer(MetricsLayer::new(metrics.clone()))
        .layer(crate::locale::layer())
        .layer(crate::framing::layer())
        .layer(crate::content_type::ContentTypeLayer)
        .add_service(health_service)
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha)
        .add_service(estimate_service)
        .add_service(registry_service)
        .add_service(match_service);

    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let drain = Duration::from_secs(settings.drain_seconds);
    // One write per answer (crate::coalesce): an answer's trailers leave
    // with its data.
    let incoming = tokio_stream::StreamExt::map(
        TcpIncoming::from(listener).with_nodelay(Some(true)),
        |accepted| accepted.map(crate::coalesce::Coalesced::new),
    );
    let metrics_for_http = metrics.clone();

    let task = tokio::spawn(async move {
        let (close_tx, close_rx) = oneshot::channel::<()>();
        let (metrics_stop_tx, metrics_stop_rx) = oneshot::channel::<()>();
        let metrics_task = metrics_listener.map(|l| {
            tokio::spawn(crate::metrics::serve(l, metrics_for_http, async {
                let _ = metrics_stop_rx.await;
            }))
        });
        let serve = router.serve_with_incoming_shutdown(incoming, async {
            let _ = close_rx.await;
        });
        tokio::pin!(serve);
        tokio::select! {
            ended = &mut serve => {
                // The server ended on its own: a transport failure.
                database_watch.stop().await;
                token_reload.stop().await;
                let _ = metrics_stop_tx.send(());
                close_store(&registry_store).await;
                ended?;
                return Ok(Drain::Complete);
            }
            _ = stop_rx => {}
        }
        tracing::info!(
            drain_seconds = drain.as_secs(),
            "shutting down: health NOT_SERVING, draining in-flight calls"
        );
        // The watch stops first: a last probe must not turn the registry
        // back to SERVING during the drain.
        database_watch.stop().await;
        token_reload.stop().await;
        set_all(&health, ServingStatus::NotServing).await;
        let _ = close_tx.send(());
        let outcome = match tokio::time::timeout(drain, &mut serve).await {
            Ok(ended) => {
                ended?;
                tracing::info!("drained");
                Drain::Complete
            }
            Err(_) => {
                tracing::warn!(
                    drain_seconds = drain.as_secs(),
                    "drain time over; abandoning the remaining calls"
                );
                Drain::TimedOut
            }
        };
        let _ = metrics_stop_tx.send(());
        if let Some(t) = metrics_task {
            let _ = t.await;
        }
        close_store(&registry_store).await;
        Ok(outcome)
    });

    Ok(Running {
        addr,
        metrics_addr,
        metrics,
        stop: Some(stop_tx),
        task,
    })
}

/// Opens the claim registry: the store named by `database_url` (a missing
/// SQLite file is created only with `create_database`; opening checks the
/// file's integrity and writability, or connects to PostgreSQL within 5 s,
/// and applies pending migrations) and the tokens file.
/// Without a tokens file the registry answers every call UNAUTHENTICATED.
async fn open_registry(settings: &Settings) -> Result<Registry, ServeError> {
    let tokens = match &settings.tokens_file {
        Some(path) => {
            let tokens = crate::auth::Tokens::load(path).map_err(|e| ServeError::Build {
                what: Part::Registry,
                message: e.to_string(),
                zh: Some(format!("令牌文件{}无法读取或有误", path.display())),
            })?;
            if tokens.is_empty() {
                tracing::warn!(
                    file = %path.display(),
                    "the tokens file holds no tokens: the claim registry refuses every call \
                     (estimates still work)"
                );
            }
            tokens
        }
        None => {
            tracing::warn!(
                "no tokens_file: the claim registry refuses every call (estimates still work)"
            );
            crate::auth::Tokens::none()
        }
    };
    let audit_key =
        crate::audit_key::from_settings(settings.audit_key_file.as_deref()).map_err(|e| {
            ServeError::Build {
                what: Part::Registry,
                message: e.to_string(),
                zh: Some("审计密钥文件无法读取或有误".to_string()),
            }
        })?;
    let key_id = audit_key.as_ref().map(|k| k.id().to_owned());
    if let Some(said) = settings
        .audit_key_file
        .as_deref()
        .and_then(crate::audit_key::exposure)
    {
        tracing::warn!("{said}");
    }
    let options = OpenOptions {
        create_if_missing: settings.create_database,
        write_timeout: Duration::from_secs(settings.write_timeout_seconds),
        audit_key,
        ..OpenOptions::default()
    };
    let shown = crate::config::redact_url(&settings.database_url);
    let store = AnyStore::open(&settings.database_url, &options)
        .await
        .map_err(|e| {
            let (zh, message) = match e {
                StoreError::DatabaseMissing { path } => (
                    format!(
                        "数据库文件{path}不存在,且未允许新建(create_database 为 false):请从备份恢复,或确需新建空登记库时运行 `stdfund migrate`"
                    ),
                    format!(
                        "cannot open {shown}: the database file {path} does not exist and \
                         create_database is false (STDFUND_CREATE_DATABASE, --create-database): \
                         restore it from a backup, or create a new empty registry on purpose with \
                         `stdfund migrate`"
                    ),
                ),
                e => (
                    format!("无法打开数据库{shown}"),
                    format!("cannot open {shown}: {e}"),
                ),
            };
            ServeError::Build {
                what: Part::Registry,
                message,
                zh: Some(zh),
            }
        })?;
    let adoption = crate::audit_key::take(&store, key_id.is_some(), false)
        .await
        .map_err(|e| ServeError::Build {
            what: Part::Registry,
            message: e.to_string(),
            zh: None,
        })?;
    let sealing = crate::audit_key::describe(adoption, key_id.as_deref());
    match adoption {
        Some(stdfund_store::KeyAdoption::AlreadySealed {
            unsealed_after: 1..,
            ..
        }) => tracing::warn!("{sealing}"),
        _ => tracing::info!("{sealing}"),
    }
    tracing::info!(
        backend = %store.backend(),
        tokens = tokens.len(),
        "claim registry open, migrations applied"
    );
    Registry::new(store, tokens).map_err(|e| {
        let r = e.to_report();
        ServeError::Build {
            what: Part::Registry,
            message: r.message_en,
            zh: Some(r.message_zh),
        }
    })
}

/// Reloads the tokens file on SIGHUP, until stopped.
///
/// A file that loads (parses, and is writable by its owner only) replaces
/// the tokens in force at once (INFO, with the names added and removed); a
/// file that does not leaves them in force (ERROR with the reason). Without
/// a tokens file SIGHUP only logs that there is nothing to reload (the
/// handler is installed either way, so SIGHUP never ends the server).
#[derive(Debug)]
struct TokenReload {
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl TokenReload {
    /// Reloads the tokens file on SIGHUP and, every `poll` (zero: never),
    /// when the file changed since it was last read.
    fn start(registry: Registry, path: Option<std::path::PathBuf>, poll: Duration) -> TokenReload {
        let (stop_tx, mut stop_rx) = oneshot::channel::<()>();
        // Installed now, before the server reports it is serving: a SIGHUP
        // from then on is never the default action (which ends the process).
        #[cfg(unix)]
        let hangup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup());
        let task = tokio::spawn(async move {
            #[cfg(unix)]
            {
                let mut hangup = match hangup {
                    Ok(h) => Some(h),
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot listen for SIGHUP; the tokens file is reloaded only when it changes");
                        None
                    }
                };
                let watched = path.as_deref().filter(|_| !poll.is_zero());
                let mut seen = watched.and_then(FileStamp::of);
                let mut ticks = tokio::time::interval(poll.max(Duration::from_secs(1)));
                ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                ticks.tick().await;
                loop {
                    tokio::select! {
                        _ = &mut stop_rx => return,
                        got = async { hangup.as_mut()?.recv().await }, if hangup.is_some() => {
                            if got.is_none() {
                                hangup = None;
                                continue;
                            }
                            reload_tokens(&registry, path.as_deref(), Cause::Hangup);
                            seen = watched.and_then(FileStamp::of);
                        }
                        _ = ticks.tick(), if watched.is_some() => {
                            let Some(file) = watched else { continue };
                            let now = FileStamp::of(file);
                            if now == seen {
                                continue;
                            }
                            if now.is_some() {
                                reload_tokens(&registry, Some(file), Cause::Changed);
                            } else {
                                tracing::warn!(
                                    file = %file.display(),
                                    tokens = registry.tokens().len(),
                                    "the tokens file cannot be read any more; the tokens in force stay"
                                );
                            }
                            seen = now;
                        }
                    }
                }
            }
            #[cfg(not(unix))]
            {
                let _ = (registry, path, poll);
                let _ = stop_rx.await;
            }
        });
        TokenReload {
            stop: Some(stop_tx),
            task,
        }
    }

    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
    }
}

impl Drop for TokenReload {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Reloads the tokens file into the registry (on SIGHUP, or when the file
/// changed); a file that does not load leaves the tokens in force.
pub fn reload_tokens(registry: &Registry, path: Option<&std::path::Path>, cause: Cause) {
    let cause = cause.text();
    let Some(path) = path else {
        tracing::info!("{cause}; no tokens_file is configured, nothing to reload");
        return;
    };
    // An empty file while tokens are in force is a save caught half-way (an
    // editor or `cat >` truncates before it writes): taken, it locked every
    // official out until the next poll (the thirteenth attack on the
    // registry). Removing every token is a file that says so (a comment).
    let in_force = registry.tokens().len();
    if in_force > 0
        && std::fs::read(path).is_ok_and(|bytes| bytes.iter().all(u8::is_ascii_whitespace))
    {
        tracing::error!(
            file = %path.display(),
            tokens = in_force,
            "{cause}; the tokens file is empty (a save in progress?): NOT reloaded, the tokens in \
             force stay; to remove every token, leave a comment in the file"
        );
        return;
    }
    match crate::auth::Tokens::load(path) {
        Ok(tokens) => {
            let before = registry.tokens().names();
            let after = tokens.names();
            let added: Vec<&String> = after.iter().filter(|n| !before.contains(n)).collect();
            let removed: Vec<&String> = before.iter().filter(|n| !after.contains(n)).collect();
            tracing::info!(
                file = %path.display(),
                tokens = tokens.len(),
                ?added,
                ?removed,
                "{cause}; tokens file reloaded"
            );
            if tokens.is_empty() {
                tracing::warn!(
                    file = %path.display(),
                    "the tokens file now holds no tokens: the claim registry refuses every call"
                );
            }
            registry.replace_tokens(tokens);
        }
        Err(e) => {
            tracing::error!(
                error = %e,
                tokens = registry.tokens().len(),
                "{cause}; the tokens file was NOT reloaded, the tokens in force stay"
            );
        }
    }
}

/// Why the tokens file is read again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// The process got SIGHUP.
    Hangup,
    /// The file changed since it was last read (`tokens_poll_seconds`).
    Changed,
}

impl Cause {
    fn text(self) -> &'static str {
        match self {
            Cause::Hangup => "SIGHUP received",
            Cause::Changed => "the tokens file changed",
        }
    }
}

/// What tells a changed file: device, inode, size, modification time and
/// mode (a Kubernetes Secret volume swaps a symbolic link to a new file; an
/// editor writes a new file and renames it; `chmod` changes the mode).
#[cfg(unix)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileStamp {
    dev: u64,
    ino: u64,
    len: u64,
    mtime: (i64, i64),
    mode: u32,
}

#[cfg(unix)]
impl FileStamp {
    fn of(path: &std::path::Path) -> Option<FileStamp> {
        use std::os::unix::fs::MetadataExt;
        let m = std::fs::metadata(path).ok()?;
        Some(FileStamp {
            dev: m.dev(),
            ino: m.ino(),
            len: m.len(),
            mtime: (m.mtime(), m.mtime_nsec()),
            mode: m.mode(),
        })
    }
}

/// Reads the registry store's connection pool for the metrics.
fn pool_probe(store: AnyStore) -> crate::metrics::PoolProbe {
    Box::new(move || {
        let (open, idle, max) = match &store {
            AnyStore::Sqlite(s) => (
                s.pool().size(),
                s.pool().num_idle(),
                s.pool().options().get_max_connections(),
            ),
            AnyStore::Postgres(s) => (
                s.pool().size(),
                s.pool().num_idle(),
                s.pool().options().get_max_connections(),
            ),
        };
        crate::metrics::PoolStats {
            open,
            idle: u32::try_from(idle).unwrap_or(u32::MAX),
            max,
        }
    })
}

/// Closes the registry's connection pool, giving connections still in use a
/// few seconds to come back.
async fn close_store(store: &AnyStore) {
    if tokio::time::timeout(Duration::from_secs(5), store.close())
        .await
        .is_err()
    {
        tracing::warn!("the database pool did not close within 5 s");
    } else {
        tracing::info!("database pool closed");
    }
}

/// A future that ends on SIGTERM or SIGINT (Ctrl-C). The handlers are
/// installed when this is called, not when the future is first polled, so
/// a signal that arrives between the two is not lost (and does not kill
/// the process with the default action).
pub fn termination_signal() -> impl std::future::Future<Output = ()> + Send {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let term = signal(SignalKind::terminate());
        let int = signal(SignalKind::interrupt());
        async move {
            match (term, int) {
                (Ok(mut term), Ok(mut int)) => {
                    tokio::select! {
                        _ = term.recv() => tracing::info!("SIGTERM received"),
                        _ = int.recv() => tracing::info!("SIGINT received"),
                    }
                }
                (Err(e), _) | (_, Err(e)) => {
                    tracing::warn!(error = %e, "cannot listen for SIGTERM; only Ctrl-C stops the server");
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
    }
    #[cfg(not(unix))]
    {
        async {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// Runs a server until SIGTERM/SIGINT, then shuts it down gracefully.
pub async fn run(settings: Settings) -> Result<Drain, ServeError> {
    // Before "stdfund serving" is logged: from then on SIGTERM drains.
    let terminated = termination_signal();
    let mut running = start(&settings).await?;
    let scheme = if settings.tls_cert.is_some() {
        "https"
    } else {
        "http"
    };
    tracing::info!(
        listen = %running.addr(),
        workbench = %format!("{scheme}://{}{}/", running.addr(), crate::web::PREFIX),
        metrics = %running.metrics_addr().map(|a| a.to_string()).unwrap_or_else(|| "off".into()),
        tls = settings.tls_cert.is_some(),
        database_url = %crate::config::redact_url(&settings.database_url),
        cors_origins = ?settings.cors_origins,
        "stdfund serving"
    );
    let ended = {
        let wait = running_wait(&mut running);
        tokio::select! {
            _ = terminated => None,
            r = wait => Some(r),
        }
    };
    match ended {
        // The server stopped by itself (a transport failure).
        Some(r) => r,
        None => running.shutdown().await,
    }
}

/// Waits for the server task without consuming the handle.
async fn running_wait(running: &mut Running) -> Result<Drain, ServeError> {
    match (&mut running.task).await {
        Ok(r) => r,
        Err(e) => Err(ServeError::Task(e.to_string())),
    }
}

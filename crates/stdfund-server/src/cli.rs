//! The command line: `estimate` and `rules` need no server; `serve` runs the
//! gRPC server; `healthcheck` asks a running server whether it is SERVING;
//! `migrate`, `backup`, `token`, `audit` and `registry` are the operator
//! commands of [`crate::admin`].

use crate::config::{Layer, LogFormat, Settings};
use crate::output::{self, ErrorFormat};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use stdfund_rules::{ErrorReport, json};

/// stdfund — Fuzhou standardization fund rules (福州市标准化战略专项资金).
#[derive(Debug, Parser)]
#[command(name = "stdfund", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Estimate an application (JSON from FILE, or `-`/nothing for stdin),
    /// or many with `--batch` (NDJSON, CSV or XLSX).
    Estimate {
        /// The application file; `-` or absent reads standard input.
        file: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
        /// How errors are written on standard error: a Chinese line then
        /// an English line, or the `{"error":{…}}` object of WASM and gRPC.
        #[arg(long, value_enum, default_value_t = ErrorFormat::Text)]
        error_format: ErrorFormat,
        /// Batches: `--batch`, `--batch-template` and their flags.
        #[command(flatten)]
        batch: crate::batch::BatchArgs,
    },
    /// List the rulesets: items, variants, amounts, clauses, dates and hashes.
    Rules {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// How errors are written on standard error: a Chinese line then
        /// an English line, or the `{"error":{…}}` object of WASM and gRPC.
        #[arg(long, value_enum, default_value_t = ErrorFormat::Text)]
        error_format: ErrorFormat,
    },
    /// Run the stdfund.v1 gRPC server until SIGTERM or SIGINT.
    Serve(ServeArgs),
    /// Exit 0 if the server at ADDR reports SERVING on grpc.health.v1, 1 otherwise.
    Healthcheck {
        /// The server (an unspecified host such as 0.0.0.0 becomes
        /// 127.0.0.1) [default: 127.0.0.1:50051].
        #[arg(long, env = "STDFUND_LISTEN", hide_env_values = true)]
        addr: Option<String>,
        /// The service to ask about: empty for the whole server (SERVING
        /// while the process serves), `stdfund.v1.RegistryService` for the
        /// claim registry (NOT_SERVING while its database cannot serve).
        #[arg(long, default_value = "")]
        service: String,
        /// Give up after this many seconds.
        #[arg(long, default_value_t = 3)]
        timeout_seconds: u64,
        /// Connect with TLS (a server with `tls_cert`/`tls_key`).
        #[arg(long)]
        tls: bool,
        /// PEM CA certificate(s) to trust for `--tls` [default: the public
        /// web roots].
        #[arg(long, value_name = "FILE", requires = "tls")]
        ca: Option<PathBuf>,
        /// The name the server certificate must carry [default: the host of
        /// `--addr` if it is a name, else `localhost`].
        #[arg(long, value_name = "NAME", requires = "tls")]
        domain: Option<String>,
    },
    /// Apply the claim registry's database migrations and exit.
    Migrate(crate::admin::MigrateArgs),
    /// Copy the SQLite registry database consistently, also while the server
    /// runs (PostgreSQL: use pg_dump).
    Backup {
        /// Where the database is.
        #[command(flatten)]
        database: crate::admin::DatabaseArgs,
        /// The copy to write; it must not exist.
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
    },
    /// Registry bearer tokens.
    #[command(subcommand)]
    Token(crate::admin::TokenCommand),
    /// The registry's tamper-evident audit log.
    #[command(subcommand)]
    Audit(crate::admin::AuditCommand),
    /// Registry data that needs a reviewer.
    #[command(subcommand)]
    Registry(crate::admin::RegistryCommand),
    /// 免申即享: match published lists against the enterprise register.
    Match(crate::match_cmd::MatchArgs),
}

/// Flags of `stdfund serve`. Each setting is also read from its `STDFUND_*`
/// variable (clap's `env`, listed by `--help`) and from the TOML file;
/// precedence: defaults < file < environment < flag (see `config`).
#[derive(Debug, Default, clap::Args)]
pub struct ServeArgs {
    /// A TOML config file with the settings below (keys as in `--print-config`).
    #[arg(
        long,
        value_name = "FILE",
        env = "STDFUND_CONFIG",
        hide_env_values = true
    )]
    pub config: Option<PathBuf>,
    /// gRPC and grpc-web listen address [default: 127.0.0.1:50051; use 0.0.0.0:50051 in a container].
    #[arg(
        long,
        value_name = "ADDR",
        env = "STDFUND_LISTEN",
        hide_env_values = true
    )]
    pub listen: Option<String>,
    /// Prometheus metrics address (HTTP, `/metrics`), or `off` [default: 127.0.0.1:9090].
    #[arg(
        long,
        value_name = "ADDR",
        env = "STDFUND_METRICS_LISTEN",
        hide_env_values = true
    )]
    pub metrics_listen: Option<String>,
    /// Claim registry database: `sqlite://PATH` or `postgres://…` [default: sqlite://stdfund.sqlite].
    #[arg(
        long,
        value_name = "URL",
        env = "STDFUND_DATABASE_URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,
    /// An origin allowed to call over grpc-web (repeatable; comma-separated
    /// in the variable; `*` for any) [default: none, no browser access].
    #[arg(
        long = "cors-origin",
        value_name = "ORIGIN",
        env = "STDFUND_CORS_ORIGINS",
        hide_env_values = true,
        value_delimiter = ','
    )]
    pub cors_origins: Vec<String>,
    /// Seconds in-flight calls may take after SIGTERM [default: 20].
    #[arg(
        long,
        value_name = "SECONDS",
        env = "STDFUND_DRAIN_SECONDS",
        hide_env_values = true,
        value_parser = crate::config::number::<u64>("STDFUND_DRAIN_SECONDS", "a number of seconds")
    )]
    pub drain_seconds: Option<u64>,
    /// Largest message accepted or sent, bytes (at least 1024) [default: 4194304].
    #[arg(
        long,
        value_name = "BYTES",
        env = "STDFUND_MAX_MESSAGE_BYTES",
        hide_env_values = true,
        value_parser = crate::config::number::<usize>("STDFUND_MAX_MESSAGE_BYTES", "a number of bytes")
    )]
    pub max_message_bytes: Option<usize>,
    /// Most applications per EstimateBatch stream [default: 10000].
    #[arg(
        long,
        value_name = "N",
        env = "STDFUND_MAX_BATCH_ITEMS",
        hide_env_values = true,
        value_parser = crate::config::number::<usize>("STDFUND_MAX_BATCH_ITEMS", "a number")
    )]
    pub max_batch_items: Option<usize>,
    /// Bearer-token file of the claim registry (sha256 hashes and roles) [default: none; the registry refuses every call].
    #[arg(
        long,
        value_name = "FILE",
        env = "STDFUND_TOKENS_FILE",
        hide_env_values = true
    )]
    pub tokens_file: Option<PathBuf>,
    /// File holding the key that seals the audit log (at least 32 bytes, e.g. `openssl rand -hex 32`; keep it off the database's machine and backups) [default: none, entries are not sealed].
    #[arg(
        long,
        value_name = "FILE",
        env = "STDFUND_AUDIT_KEY_FILE",
        hide_env_values = true
    )]
    pub audit_key_file: Option<PathBuf>,
    /// PEM certificate chain: serve gRPC over TLS (needs --tls-key) [default: none, plain text].
    #[arg(
        long,
        value_name = "FILE",
        env = "STDFUND_TLS_CERT",
        hide_env_values = true
    )]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key of --tls-cert [default: none, plain text].
    #[arg(
        long,
        value_name = "FILE",
        env = "STDFUND_TLS_KEY",
        hide_env_values = true
    )]
    pub tls_key: Option<PathBuf>,
    /// Log format, on standard error [default: pretty].
    #[arg(long, value_enum, env = "STDFUND_LOG_FORMAT", hide_env_values = true)]
    pub log_format: Option<LogFormat>,
    /// Log filter, e.g. `info` or `info,stdfund_server=debug` [default: info].
    #[arg(
        long,
        value_name = "FILTER",
        env = "STDFUND_LOG_LEVEL",
        hide_env_values = true
    )]
    pub log_level: Option<String>,
    /// Whether a missing SQLite database is created.
    #[command(flatten)]
    pub create: CreateDatabaseArg,
    /// Seconds a registry call waits for the database before UNAVAILABLE [default: 5].
    #[arg(
        long,
        value_name = "SECONDS",
        env = "STDFUND_WRITE_TIMEOUT_SECONDS",
        hide_env_values = true,
        value_parser = crate::config::number::<u64>("STDFUND_WRITE_TIMEOUT_SECONDS", "a number of seconds")
    )]
    pub write_timeout_seconds: Option<u64>,
    /// Seconds between looks at the tokens file; a changed file is reloaded as on SIGHUP; 0: SIGHUP only [default: 2].
    #[arg(
        long,
        value_name = "SECONDS",
        env = "STDFUND_TOKENS_POLL_SECONDS",
        hide_env_values = true,
        value_parser = crate::config::number::<u64>("STDFUND_TOKENS_POLL_SECONDS", "a number of seconds")
    )]
    pub tokens_poll_seconds: Option<u64>,
    /// Print the effective configuration as TOML and exit.
    #[arg(long)]
    pub print_config: bool,
}

impl ServeArgs {
    /// The flags as the last configuration layer.
    pub fn layer(&self) -> Layer {
        Layer {
            listen: self.listen.clone(),
            metrics_listen: self.metrics_listen.clone(),
            database_url: self.database_url.clone(),
            cors_origins: if self.cors_origins.is_empty() {
                None
            } else {
                // `STDFUND_CORS_ORIGINS=" https://a.example, "`: trimmed,
                // empty entries dropped.
                Some(
                    self.cors_origins
                        .iter()
                        .map(|o| o.trim())
                        .filter(|o| !o.is_empty())
                        .map(String::from)
                        .collect(),
                )
            },
            drain_seconds: self.drain_seconds,
            max_message_bytes: self.max_message_bytes,
            max_batch_items: self.max_batch_items,
            tokens_file: self.tokens_file.clone(),
            audit_key_file: self.audit_key_file.clone(),
            tls_cert: self.tls_cert.clone(),
            tls_key: self.tls_key.clone(),
            log_format: self.log_format,
            log_level: self.log_level.clone(),
            create_database: self.create.create_database,
            write_timeout_seconds: self.write_timeout_seconds,
            tokens_poll_seconds: self.tokens_poll_seconds,
        }
    }
}

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Canonical JSON.
    Json,
    /// A readable Chinese / English table.
    Table,
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Estimate {
            file,
            format,
            error_format,
            batch,
        } => {
            if batch.batch || batch.batch_template.is_some() {
                crate::batch::run(file.as_deref(), &batch, error_format)
            } else {
                estimate(file.as_deref(), format, error_format)
            }
        }
        Command::Rules {
            format,
            error_format,
        } => rules(format, error_format),
        Command::Serve(args) => serve(&args),
        Command::Healthcheck {
            addr,
            service,
            timeout_seconds,
            tls,
            ca,
            domain,
        } => {
            let tls = tls.then(|| HealthTls {
                ca: ca.clone(),
                domain: domain.clone(),
            });
            healthcheck(
                addr.as_deref(),
                &service,
                Duration::from_secs(timeout_seconds),
                tls.as_ref(),
            )
        }
        Command::Migrate(database) => crate::admin::migrate(&database),
        Command::Backup { database, to } => crate::admin::backup(&database, &to),
        Command::Token(command) => crate::admin::token(&command),
        Command::Audit(command) => crate::admin::audit(&command),
        Command::Registry(command) => crate::admin::registry(&command),
        Command::Match(args) => crate::match_cmd::run(&args),
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, ExitCode> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            output::eprint_line(&format!("error: cannot start the async runtime: {e}"));
            ExitCode::from(1)
        })
}

fn serve(args: &ServeArgs) -> ExitCode {
    let settings = match Settings::resolve(args.config.as_deref(), args.layer()) {
        Ok(s) => s,
        Err(e) => {
            output::eprint_line(&e.lines());
            return ExitCode::from(2);
        }
    };
    if args.print_config {
        return output::print(&settings.to_toml());
    }
    if let Err(e) = crate::logging::init(&settings) {
        output::eprint_line(&format!("error[CONFIG]: {e}"));
        return ExitCode::from(2);
    }
    for var in crate::config::unknown_env_vars(std::env::vars(), &env_vars()) {
        tracing::warn!(variable = %var, "unknown STDFUND_* variable ignored");
    }
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    match rt.block_on(crate::server::run(settings)) {
        Ok(drain) => {
            tracing::info!(?drain, "stopped");
            ExitCode::SUCCESS
        }
        Err(e) => {
            tracing::error!(error = %e, "server failed");
            output::eprint_line(&format!("error: {e}"));
            ExitCode::from(1)
        }
    }
}

/// The address `healthcheck` asks for a `STDFUND_LISTEN` value: that
/// address with an unspecified host (`0.0.0.0`) replaced by `127.0.0.1`,
/// else `127.0.0.1:50051`.
pub fn default_health_addr(listen_env: Option<&str>) -> Result<SocketAddr, String> {
    let Some(v) = listen_env.filter(|v| !v.trim().is_empty()) else {
        return Ok(SocketAddr::from(([127, 0, 0, 1], 50051)));
    };
    let mut a: SocketAddr = v
        .trim()
        .parse()
        .map_err(|_| format!("STDFUND_LISTEN `{v}` is not an address"))?;
    if a.ip().is_unspecified() {
        a.set_ip(std::net::IpAddr::from([127, 0, 0, 1]));
    }
    Ok(a)
}

/// The address `healthcheck` asks: `--addr` or `STDFUND_LISTEN` (the
/// server's own listen address: an unspecified host such as `0.0.0.0`
/// becomes `127.0.0.1`), else `127.0.0.1:50051`. Anything that is not a
/// socket address (a name, a URL) is asked as given.
pub fn health_addr(addr: Option<&str>) -> String {
    match default_health_addr(addr) {
        Ok(a) => a.to_string(),
        Err(_) => addr.map(str::trim).unwrap_or_default().to_string(),
    }
}

/// Every `STDFUND_*` variable the command line reads (clap's `env` of every
/// argument of every subcommand).
pub fn env_vars() -> Vec<String> {
    fn walk(cmd: &clap::Command, out: &mut Vec<String>) {
        for arg in cmd.get_arguments() {
            if let Some(env) = arg.get_env() {
                let name = env.to_string_lossy().into_owned();
                if !out.contains(&name) {
                    out.push(name);
                }
            }
        }
        for sub in cmd.get_subcommands() {
            walk(sub, out);
        }
    }
    let mut out = Vec::new();
    walk(&<Cli as clap::CommandFactory>::command(), &mut out);
    out.sort();
    out
}

/// TLS for `healthcheck --tls`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HealthTls {
    /// PEM CA certificate(s) to trust; `None`: the public web roots.
    pub ca: Option<PathBuf>,
    /// The name the server certificate must carry; `None`: the host of the
    /// address if it is a name, else `localhost`.
    pub domain: Option<String>,
}

/// The name `healthcheck --tls` expects in the server certificate when
/// `--domain` is not given: the host of `addr` if it is a DNS name, else
/// `localhost` (an IP address, as in a pod's own probe of `127.0.0.1`).
pub fn default_tls_domain(addr: &str) -> String {
    let authority = addr.split_once("://").map_or(addr, |(_, rest)| rest);
    let authority = authority.split('/').next().unwrap_or_default();
    match authority.parse::<http::uri::Authority>() {
        Ok(a) if !a.host().is_empty() && a.host().parse::<std::net::IpAddr>().is_err() => {
            let host = a.host();
            if host.starts_with('[') {
                "localhost".into()
            } else {
                host.to_string()
            }
        }
        _ => "localhost".into(),
    }
}

fn healthcheck(
    addr: Option<&str>,
    service: &str,
    timeout: Duration,
    tls: Option<&HealthTls>,
) -> ExitCode {
    let addr = health_addr(addr);
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    match rt.block_on(check_health_with(&addr, service, timeout, tls)) {
        Ok(status) => {
            let _ = output::println(status.as_str_name());
            if status == tonic_health::pb::health_check_response::ServingStatus::Serving {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => {
            // The server's answers are said Chinese first, English below;
            // the settings' own problems are English (operators' flags).
            if e.starts_with("健康检查失败") {
                output::eprint_line(&e);
            } else {
                output::eprint_line(&format!("error: {e}"));
            }
            ExitCode::from(1)
        }
    }
}

/// Asks `grpc.health.v1.Health/Check` at `addr` about `service` (plain text).
pub async fn check_health(
    addr: &str,
    service: &str,
    timeout: Duration,
) -> Result<tonic_health::pb::health_check_response::ServingStatus, String> {
    check_health_with(addr, service, timeout, None).await
}

/// Asks `grpc.health.v1.Health/Check` at `addr` about `service`, over TLS
/// when `tls` is given.
pub async fn check_health_with(
    addr: &str,
    service: &str,
    timeout: Duration,
    tls: Option<&HealthTls>,
) -> Result<tonic_health::pb::health_check_response::ServingStatus, String> {
    use tonic::transport::{Certificate, ClientTlsConfig};
    use tonic_health::pb::health_check_response::ServingStatus;
    use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};
    let uri = match (addr.split_once("://"), tls) {
        (Some(_), _) => addr.to_string(),
        (None, Some(_)) => format!("https://{addr}"),
        (None, None) => format!("http://{addr}"),
    };
    let mut endpoint = tonic::transport::Endpoint::from_shared(uri)
        .map_err(|e| format!("`{addr}` is not an address: {e}"))?
        .connect_timeout(timeout)
        .timeout(timeout);
    if let Some(tls) = tls {
        if endpoint.uri().scheme_str() != Some("https") {
            return Err(format!(
                "`{addr}`: --tls needs an `https://` address or none"
            ));
        }
        let domain = tls
            .domain
            .clone()
            .unwrap_or_else(|| default_tls_domain(addr));
        let config = ClientTlsConfig::new().domain_name(domain);
        let config = match &tls.ca {
            Some(path) => {
                let pem = std::fs::read(path)
                    .map_err(|e| format!("--ca: cannot read `{}`: {e}", path.display()))?;
                config.ca_certificate(Certificate::from_pem(pem))
            }
            None => config.with_webpki_roots(),
        };
        endpoint = endpoint
            .tls_config(config)
            .map_err(|e| format!("invalid TLS settings: {}", error_chain(&e)))?;
    }
    let channel = endpoint.connect().await.map_err(|e| {
        format!(
            "健康检查失败:无法连接{addr}(该地址没有服务在监听、服务尚未启动完毕,或地址有误)\n\
                 health check failed: cannot connect to {addr}: {}",
            error_chain(&e)
        )
    })?;
    let answer = HealthClient::new(channel)
        .check(HealthCheckRequest {
            service: service.to_string(),
        })
        .await
        .map_err(|s| {
            if s.code() == tonic::Code::NotFound {
                // The health protocol's answer for a name it does not know.
                format!(
                    "健康检查失败:服务端没有名为`{service}`的服务(可用:空名=整个服务器,{})\n\
                     health check failed: the server has no service named `{service}` (known: \
                     the empty name for the whole server, {})",
                    crate::server::APPLICATION_SERVICES.join(", "),
                    crate::server::APPLICATION_SERVICES.join(", ")
                )
            } else {
                format!(
                    "健康检查失败:服务端答复{:?}\nhealth check failed: {:?}: {}",
                    s.code(),
                    s.code(),
                    s.message()
                )
            }
        })?;
    Ok(ServingStatus::try_from(answer.into_inner().status).unwrap_or(ServingStatus::Unknown))
}

/// An error and its causes, `: `-separated (tonic's transport errors say
/// only "transport error" at the top).
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let text = c.to_string();
        if !out.ends_with(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        cause = c.source();
    }
    out
}

/// Where the application text came from, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Source {
    Stdin,
    File(String),
}

impl Source {
    fn zh(&self) -> String {
        match self {
            Source::Stdin => "标准输入".into(),
            Source::File(p) => format!("文件`{p}`"),
        }
    }

    fn en(&self) -> String {
        match self {
            Source::Stdin => "standard input".into(),
            Source::File(p) => format!("`{p}`"),
        }
    }
}

fn input_error(code: &str, zh: String, en: String) -> ErrorReport {
    ErrorReport {
        code: code.into(),
        field: String::new(),
        message_zh: zh,
        message_en: en,
    }
}

/// Why a file could not be read, in Chinese.
fn io_reason_zh(e: &std::io::Error) -> &'static str {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::NotFound => "文件不存在",
        ErrorKind::PermissionDenied => "没有读取权限",
        ErrorKind::IsADirectory => "这是一个目录,不是文件",
        ErrorKind::InvalidData => {
            "内容不是UTF-8编码的文本(常见于记事本“ANSI”或GBK编码);请在编辑器中另存为UTF-8编码后重试"
        }
        _ => "读取失败",
    }
}

/// Reads an application: at most [`crate::batch::MAX_LINE_BYTES`] bytes,
/// the limit of a batch line (D21); `None` when there is more.
fn read_bounded(input: impl Read) -> std::io::Result<Option<String>> {
    let limit = crate::batch::MAX_LINE_BYTES;
    let mut bytes = Vec::new();
    input
        .take(u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() > limit {
        return Ok(None);
    }
    // Notepad and WPS save UTF-8 with a byte order mark; it is not part of
    // the JSON (`--batch` reads past it too).
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    String::from_utf8(bytes).map(Some).map_err(|_| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "stream did not contain valid UTF-8",
        )
    })
}

fn read_input(file: Option<&str>) -> Result<(String, Source), ErrorReport> {
    let (source, read) = match file {
        None | Some("-") => (Source::Stdin, read_bounded(std::io::stdin().lock())),
        Some(path) => (
            Source::File(path.into()),
            std::fs::File::open(path).and_then(read_bounded),
        ),
    };
    match read {
        Ok(Some(text)) => Ok((text, source)),
        Ok(None) => Err(input_error(
            "INPUT_TOO_LARGE",
            format!(
                "{}超过{}字节(16 MiB)的上限,未读取;一个申请远小于此",
                source.zh(),
                crate::batch::MAX_LINE_BYTES
            ),
            format!(
                "{} is over the limit of {} bytes (16 MiB) and was not read; an application is far smaller",
                source.en(),
                crate::batch::MAX_LINE_BYTES
            ),
        )),
        Err(e) => Err(input_error(
            "INPUT_UNREADABLE",
            format!("无法读取{}:{}", source.zh(), io_reason_zh(&e)),
            format!("cannot read {}: {e}", source.en()),
        )),
    }
}

/// The Chinese for the most common JSON syntax errors (the parser's own
/// words are English and go on the English line).
fn json_syntax_zh(e: &serde_json::Error) -> &'static str {
    let msg = e.to_string();
    let known: [(&str, &str); 8] = [
        ("key must be a string", "对象的键必须是带引号的字符串"),
        ("trailing comma", "多余的逗号"),
        ("expected value", "此处应为一个值"),
        ("expected `,` or `}`", "此处应为逗号或右花括号"),
        ("expected `,` or `]`", "此处应为逗号或右方括号"),
        ("expected `:`", "此处应为冒号"),
        ("invalid escape", "无效的转义字符"),
        ("control character", "字符串中有未转义的控制字符"),
    ];
    if e.classify() == serde_json::error::Category::Eof {
        return "内容不完整,在此处意外结束";
    }
    known
        .iter()
        .find(|(en, _)| msg.starts_with(en))
        .map_or("语法错误", |(_, zh)| zh)
}

/// Where and why `text` is not JSON at all: its line, column, the reason in
/// Chinese and serde_json's own words. `None` when it is JSON, including
/// JSON with the wrong fields or text after the document: those are the
/// engine's to report (`TRAILING_DATA` with its position, as WASM and gRPC
/// tools see it). Called only once the engine has refused the text.
pub(crate) fn json_syntax(text: &str) -> Option<(usize, usize, String, String)> {
    let e = serde_json::from_str::<serde::de::IgnoredAny>(text).err()?;
    if e.is_data() || e.to_string().starts_with("trailing characters") {
        return None;
    }
    let what = e.to_string();
    let mut what = what
        .rsplit_once(" at line ")
        .map_or(what.as_str(), |(m, _)| m)
        .to_string();
    let mut zh = json_syntax_zh(&e).to_string();
    // serde_json counts the column in bytes and points at the first byte of
    // the character it could not take; an editor counts characters.
    let line = text
        .lines()
        .nth(e.line().saturating_sub(1))
        .unwrap_or_default();
    let at = e.column().saturating_sub(1).min(line.len());
    let (column, found) = match (line.get(..at), line.get(at..)) {
        (Some(before), Some(after)) => (
            before.chars().count().saturating_add(1),
            after.chars().next(),
        ),
        _ => (e.column(), None),
    };
    // A comma after the last member (`[{…},]`, `{"a": 1,}`), as people
    // write lists: the parser asks for a value where the list ends.
    let start_of_line: usize = text
        .split_inclusive('\n')
        .take(e.line().saturating_sub(1))
        .map(str::len)
        .sum();
    let before_found = text
        .get(..start_of_line.saturating_add(at))
        .unwrap_or_default();
    if matches!(found, Some(']' | '}')) && before_found.trim_end().ends_with(',') {
        zh.push_str("(最后一项后面不能有逗号,请删去这个逗号)");
        what.push_str(" (no comma after the last item: delete that comma)");
    }
    if let Some((c, ascii)) = found.and_then(|c| Some((c, half_width(c)?))) {
        zh.push_str(&format!("(此处的`{c}`是全角字符,JSON须用半角的`{ascii}`)"));
        what.push_str(&format!(
            " (`{c}` here is a full-width character; JSON needs the ASCII `{ascii}`)"
        ));
    }
    Some((e.line(), column, zh, what))
}

/// The ASCII character JSON needs where a Chinese input method typed a
/// full-width one.
fn half_width(c: char) -> Option<char> {
    Some(match c {
        '：' => ':',
        '，' => ',',
        '“' | '”' | '＂' => '"',
        '｛' => '{',
        '｝' => '}',
        '［' | '【' => '[',
        '］' | '】' => ']',
        _ => return None,
    })
}

/// An INVALID_JSON report naming the source and the line and column, when
/// `text` is empty or not JSON at all; `None` when it is JSON.
fn json_syntax_error(text: &str, source: &Source) -> Option<ErrorReport> {
    if text.trim().is_empty() {
        return Some(input_error(
            "INVALID_JSON",
            format!("{}为空,应为申请的JSON", source.zh()),
            format!("{} is empty; expected the application as JSON", source.en()),
        ));
    }
    let (line, column, zh, what) = json_syntax(text)?;
    Some(input_error(
        "INVALID_JSON",
        format!("{}第{line}行第{column}列不是有效的JSON:{zh}", source.zh()),
        format!(
            "{} is not valid JSON at line {line}, column {column} ({line}:{column}): {what}",
            source.en()
        ),
    ))
}

fn estimate(file: Option<&str>, format: Format, errors: ErrorFormat) -> ExitCode {
    let (text, source) = match read_input(file) {
        Ok(t) => t,
        Err(r) => return output::fail(&r, errors),
    };
    let result = json::estimate_text(&text);
    // The syntax of a refused text is read again only to name the place.
    if result.is_err()
        && let Some(r) = json_syntax_error(&text, &source)
    {
        return output::fail(&r, errors);
    }
    match result {
        Ok(answer) => match format {
            Format::Json => output::println(&answer),
            Format::Table => match serde_json::from_str(&answer) {
                Ok(a) => output::print(&crate::table::assessment(&a)),
                Err(e) => output::fail(
                    &input_error(
                        "INTERNAL",
                        "无法读取测算结果".into(),
                        format!("the answer cannot be read back: {e}"),
                    ),
                    errors,
                ),
            },
        },
        Err(e) => {
            let mut r = e.to_report();
            if errors == ErrorFormat::Text {
                // The file is named in text, and the valid ids of a mistyped
                // item or category follow; the JSON object stays the
                // engine's, byte for byte what WASM and gRPC answer.
                r.message_zh = format!("{}:{}", source.zh(), r.message_zh);
                r.message_en = format!("{}: {}", source.en(), r.message_en);
                if let Some((zh, en)) = catalog_hint(&e) {
                    // After the engine's question (`是否应为…?`) a new
                    // sentence, not a clause.
                    let asks = |m: &str| m.ends_with(['?', '？']);
                    let zh_sep = if asks(&r.message_zh) { "" } else { ";" };
                    let en_sep = if asks(&r.message_en) { " " } else { "; " };
                    r.message_zh = format!("{}{zh_sep}{zh}", r.message_zh);
                    r.message_en = format!("{}{en_sep}{en}", r.message_en);
                }
            }
            output::fail_meant(&r, e.meant().as_deref(), errors)
        }
    }
}

/// The ids a clerk may write where the catalogue lacks what was typed: every
/// item, or the categories of the item named, each with its name. The
/// engine's own message names only the closest id it recognises.
fn catalog_hint(e: &stdfund_rules::Error) -> Option<(String, String)> {
    let catalog = json::catalog().ok()?;
    let items = || {
        catalog
            .rulesets
            .iter()
            .flat_map(|r| r.document.items.iter())
    };
    let mut seen = std::collections::BTreeSet::new();
    let mut zh = Vec::new();
    let mut en = Vec::new();
    let mut add = |id: &str, name_zh: &str, name_en: &str| {
        if seen.insert(id.to_owned()) {
            zh.push(format!("`{id}`({name_zh})"));
            en.push(format!("`{id}` ({name_en})"));
        }
    };
    let (lead_zh, lead_en) = match e {
        stdfund_rules::Error::UnknownItem { .. } => {
            for item in items() {
                add(&item.id, &item.name_zh, &item.name_en);
            }
            ("可填写的资助项目".to_owned(), "the items are".to_owned())
        }
        stdfund_rules::Error::UnknownVariant { item, .. } => {
            for v in items()
                .filter(|i| i.id == *item)
                .flat_map(|i| i.variants.iter())
            {
                add(&v.id, &v.name_zh, &v.name_en);
            }
            (
                format!("资助项目`{item}`可填写的类别"),
                format!("the categories of item `{item}` are"),
            )
        }
        _ => return None,
    };
    if zh.is_empty() {
        return None;
    }
    Some((
        format!(
            "{lead_zh}:{}(`stdfund rules`列出全部项目、类别与金额)",
            zh.join("、")
        ),
        format!(
            "{lead_en}: {} (`stdfund rules` lists every item, category and amount)",
            en.join(", ")
        ),
    ))
}

fn rules(format: Format, errors: ErrorFormat) -> ExitCode {
    if format == Format::Json {
        return match crate::protojson::catalog_json() {
            Ok(text) => output::println(&text),
            Err(e) => output::fail(
                &input_error(
                    "INTERNAL",
                    "无法生成规则目录的JSON".into(),
                    format!("cannot write the catalogue as JSON: {e}"),
                ),
                errors,
            ),
        };
    }
    match json::catalog() {
        Ok(c) => output::print(&crate::table::catalog(&c)),
        Err(e) => output::fail(&e.to_report(), errors),
    }
}

/// `--create-database`, shared by `serve` and `migrate`.
#[derive(Debug, Default, Clone, Copy, clap::Args)]
pub struct CreateDatabaseArg {
    /// Create the SQLite database when it does not exist (`false` in deployments, so a lost file is an outage, not a new empty registry) [default: true].
    #[arg(
        long,
        value_name = "BOOL",
        env = "STDFUND_CREATE_DATABASE",
        hide_env_values = true,
        value_parser = crate::config::boolean("STDFUND_CREATE_DATABASE")
    )]
    pub create_database: Option<bool>,
}

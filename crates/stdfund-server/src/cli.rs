//! The command line: `estimate` and `rules` need no server; `serve` runs the
//! gRPC server; `healthcheck` asks a running server whether it is SERVING.

use crate::config::{Layer, LogFormat, Settings};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use stdfund_rules::json;
use stdfund_rules::model::Assessment;

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
    /// Estimate an application (JSON from FILE, or `-`/nothing for stdin).
    Estimate {
        /// The application file; `-` or absent reads standard input.
        file: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
    },
    /// List the rulesets: items, variants, amounts, clauses, dates and hashes.
    Rules {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Run the stdfund.v1 gRPC server until SIGTERM or SIGINT.
    Serve(ServeArgs),
    /// Exit 0 if the server at ADDR reports SERVING on grpc.health.v1, 1 otherwise.
    Healthcheck {
        /// The server; default: `STDFUND_LISTEN` (an unspecified host such as
        /// 0.0.0.0 becomes 127.0.0.1), else 127.0.0.1:50051.
        #[arg(long)]
        addr: Option<String>,
        /// The service to ask about; empty for the whole server.
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
    Migrate(crate::admin::DatabaseArgs),
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
    /// 免申即享: match published lists against the enterprise register.
    Match(crate::match_cmd::MatchArgs),
}

/// Flags of `stdfund serve`; each overrides the file and the environment
/// (see `config` for the table of keys, variables and defaults).
#[derive(Debug, Default, clap::Args)]
pub struct ServeArgs {
    /// A TOML config file (else `STDFUND_CONFIG`).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// gRPC listen address [default: 127.0.0.1:50051; 0.0.0.0:50051 in a container].
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// Prometheus metrics address, or `off` [default: 127.0.0.1:9090].
    #[arg(long, value_name = "ADDR")]
    pub metrics_listen: Option<String>,
    /// Claim registry database [default: sqlite://stdfund.sqlite].
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
    /// An origin allowed to call over grpc-web (repeatable; `*` for any).
    #[arg(long = "cors-origin", value_name = "ORIGIN")]
    pub cors_origins: Vec<String>,
    /// Seconds in-flight calls may take after SIGTERM [default: 20].
    #[arg(long, value_name = "SECONDS")]
    pub drain_seconds: Option<u64>,
    /// Largest message accepted or sent, bytes [default: 4194304].
    #[arg(long, value_name = "BYTES")]
    pub max_message_bytes: Option<usize>,
    /// Most applications per EstimateBatch stream [default: 10000].
    #[arg(long, value_name = "N")]
    pub max_batch_items: Option<usize>,
    /// Bearer-token file of the registry.
    #[arg(long, value_name = "FILE")]
    pub tokens_file: Option<PathBuf>,
    /// PEM certificate chain: serve gRPC over TLS (needs --tls-key).
    #[arg(long, value_name = "FILE")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key of --tls-cert.
    #[arg(long, value_name = "FILE")]
    pub tls_key: Option<PathBuf>,
    /// Log format [default: pretty].
    #[arg(long, value_enum)]
    pub log_format: Option<LogFormat>,
    /// Log filter, e.g. `info` or `info,stdfund_server=debug` [default: info].
    #[arg(long, value_name = "FILTER")]
    pub log_level: Option<String>,
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
                Some(self.cors_origins.clone())
            },
            drain_seconds: self.drain_seconds,
            max_message_bytes: self.max_message_bytes,
            max_batch_items: self.max_batch_items,
            tokens_file: self.tokens_file.clone(),
            tls_cert: self.tls_cert.clone(),
            tls_key: self.tls_key.clone(),
            log_format: self.log_format,
            log_level: self.log_level.clone(),
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
        Command::Estimate { file, format } => estimate(file.as_deref(), format),
        Command::Rules { format } => rules(format),
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
        Command::Match(args) => crate::match_cmd::run(&args),
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, ExitCode> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            eprintln!("error: cannot start the async runtime: {e}");
            ExitCode::from(1)
        })
}

fn serve(args: &ServeArgs) -> ExitCode {
    let env: Vec<(String, String)> = std::env::vars().collect();
    let settings = match Settings::resolve(args.config.as_deref(), env.clone(), args.layer()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error[CONFIG]: {e}");
            return ExitCode::from(2);
        }
    };
    if args.print_config {
        print!("{}", settings.to_toml());
        return ExitCode::SUCCESS;
    }
    if let Err(e) = crate::logging::init(&settings) {
        eprintln!("error[CONFIG]: {e}");
        return ExitCode::from(2);
    }
    for var in crate::config::unknown_env_vars(env) {
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
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

/// The address `healthcheck` asks when none is given.
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
    let addr = match addr {
        Some(a) => a.to_string(),
        None => match default_health_addr(std::env::var("STDFUND_LISTEN").ok().as_deref()) {
            Ok(a) => a.to_string(),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(1);
            }
        },
    };
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    match rt.block_on(check_health_with(&addr, service, timeout, tls)) {
        Ok(status) => {
            println!("{}", status.as_str_name());
            if status == tonic_health::pb::health_check_response::ServingStatus::Serving {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
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
    let channel = endpoint
        .connect()
        .await
        .map_err(|e| format!("cannot connect to {addr}: {}", error_chain(&e)))?;
    let answer = HealthClient::new(channel)
        .check(HealthCheckRequest {
            service: service.to_string(),
        })
        .await
        .map_err(|s| format!("health check failed: {} {}", s.code(), s.message()))?;
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

fn fail(code: &str, zh: &str, en: &str) -> ExitCode {
    eprintln!("error[{code}]: {en}\n错误[{code}]:{zh}");
    ExitCode::from(2)
}

fn read_input(file: Option<&str>) -> Result<String, String> {
    let mut text = String::new();
    match file {
        None | Some("-") => std::io::stdin()
            .read_to_string(&mut text)
            .map(|_| text)
            .map_err(|e| e.to_string()),
        Some(path) => {
            std::fs::read_to_string(path).map_err(|e| format!("cannot read `{path}`: {e}"))
        }
    }
}

fn estimate(file: Option<&str>, format: Format) -> ExitCode {
    let text = match read_input(file) {
        Ok(t) => t,
        Err(e) => return fail("INPUT_UNREADABLE", "无法读取输入", &e),
    };
    match json::estimate_str(&text) {
        Ok(a) => {
            match format {
                Format::Json => println!("{}", json::to_canonical(&a)),
                Format::Table => print!("{}", table(&a)),
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            let r = e.to_report();
            let at = if r.field.is_empty() {
                String::new()
            } else {
                format!(" (at `{}`)", r.field)
            };
            fail(&r.code, &r.message_zh, &format!("{}{at}", r.message_en))
        }
    }
}

/// A readable rendering of an assessment.
pub fn table(a: &Assessment) -> String {
    let mut out = String::new();
    let push = |out: &mut String, s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    let ap = &a.applicant;
    push(
        &mut out,
        format!("申请单位 Applicant: {} {}", ap.name, ap.credit_code),
    );
    let seat = if ap.inside_fuzhou {
        format!(
            "{} {} ({})",
            ap.fiscal_unit, ap.fiscal_unit_name_zh, ap.fiscal_unit_name_en
        )
    } else {
        format!("{} — 不在福州市范围 outside Fuzhou", ap.seat)
    };
    push(&mut out, format!("所在地 Seat: {seat}"));
    if a.what_if {
        push(
            &mut out,
            "*** 假设测算 WHAT-IF: computed under an alternative ruleset ***".into(),
        );
    }
    push(&mut out, String::new());
    push(
        &mut out,
        format!(
            "{:<6} {:<10} {:<24} {:<26} {:>12} {:>12} {:>12}",
            "#", "条款", "状态 Reason", "标的 Subject", "市级 C", "上级 H", "应付 Payable"
        ),
    );
    for l in &a.lines {
        push(
            &mut out,
            format!(
                "{:<6} {:<10} {:<24} {:<26} {:>12} {:>12} {:>12}",
                l.achievement_id,
                l.clause,
                l.reason_code,
                l.subject,
                l.municipal_amount,
                l.higher_level_funding_counted,
                l.payable
            ),
        );
        push(&mut out, format!("       {}", l.explanation_zh));
        push(&mut out, format!("       {}", l.explanation_en));
    }
    push(&mut out, String::new());
    push(&mut out, format!("合计 Total payable: {} 元 yuan", a.total));
    let tables: Vec<String> = a
        .split
        .share_tables
        .iter()
        .map(|t| {
            format!(
                "{} v{} 区县比例 district ratio {}{}",
                t.id,
                t.version,
                t.district_ratio,
                if t.provisional {
                    " (暂定 PROVISIONAL)"
                } else {
                    ""
                }
            )
        })
        .collect();
    push(
        &mut out,
        format!(
            "分担 Split: 市级 municipal {} / 区县 district {} — {}",
            a.split.municipal_share,
            a.split.district_share,
            tables.join("; ")
        ),
    );
    for w in &a.warnings {
        let on = if w.achievement_id.is_empty() {
            String::new()
        } else {
            format!(" [{}]", w.achievement_id)
        };
        push(
            &mut out,
            format!(
                "警告 Warning {}{on}: {} / {}",
                w.code, w.message_zh, w.message_en
            ),
        );
    }
    let cited = citations(a);
    if !cited.is_empty() {
        push(&mut out, "依据 Citations:".into());
        for (clause, text) in cited {
            push(&mut out, format!("  {clause} {text}"));
        }
    }
    let r = &a.receipt;
    let rs: Vec<String> = r
        .rulesets
        .iter()
        .map(|x| format!("{} {} {}", x.id, x.version, x.hash))
        .collect();
    push(
        &mut out,
        format!(
            "凭据 Receipt: engine {} · {} · input {}",
            r.engine_version,
            rs.join(", "),
            r.input_hash
        ),
    );
    out
}

/// The source sentences of the clauses the lines were decided under, once each.
fn citations(a: &Assessment) -> Vec<(String, String)> {
    let Ok(catalog) = json::catalog() else {
        return Vec::new();
    };
    let mut out: Vec<(String, String)> = Vec::new();
    for line in &a.lines {
        let item = catalog
            .rulesets
            .iter()
            .filter(|r| {
                r.document.id == line.ruleset_id && r.document.version == line.ruleset_version
            })
            .flat_map(|r| r.document.items.iter())
            .find(|i| i.id == line.item);
        if let Some(item) = item {
            if !out
                .iter()
                .any(|(c, t)| *c == item.clause && *t == item.citation_zh)
            {
                out.push((item.clause.clone(), item.citation_zh.clone()));
            }
        }
    }
    out
}

fn rules(format: Format) -> ExitCode {
    let catalog = match json::catalog() {
        Ok(c) => c,
        Err(e) => return fail(e.code(), &e.message_zh(), &e.to_string()),
    };
    if format == Format::Json {
        println!("{}", json::to_canonical(&catalog));
        return ExitCode::SUCCESS;
    }
    println!("engine {}", catalog.engine_version);
    for r in &catalog.rulesets {
        let d = &r.document;
        println!();
        println!("{} {} — {}", d.id, d.version, d.title_zh);
        println!("  {}", d.title_en);
        println!(
            "  在效 in force: {} → {}",
            d.effective_from,
            d.effective_to.as_deref().unwrap_or("(open / 无截止)")
        );
        println!("  hash: {}", r.hash);
        for item in &d.items {
            println!(
                "  {} {} — {} / {}",
                item.clause, item.id, item.name_zh, item.name_en
            );
            for v in &item.variants {
                let amount = match (&v.amount_wan, &v.not_covered_en) {
                    (Some(a), _) => format!("{a} 万元"),
                    (None, Some(_)) => "不资助 NOT_COVERED".into(),
                    (None, None) => "评审核定 DISCRETIONARY".into(),
                };
                println!("      {:<24} {:<28} {}", v.id, v.name_zh, amount);
            }
        }
        let t = &d.share_table;
        println!(
            "  分担比例表 share table: {} {}{}",
            t.id,
            t.version,
            if t.provisional {
                " (暂定 PROVISIONAL)"
            } else {
                ""
            }
        );
    }
    ExitCode::SUCCESS
}

//! Layered settings of `stdfund serve`: built-in defaults, then a TOML file
//! (`--config` or `STDFUND_CONFIG`), then `STDFUND_*` environment variables,
//! then command-line flags; each later layer overrides the earlier ones key
//! by key.
//!
//! The environment and the flags are read by clap (each flag's `env`, so
//! `stdfund serve --help` lists every variable and clap lets a flag win over
//! its variable); [`Settings::resolve`] lays the result over the file and the
//! defaults. [`KEYS`] names each key's variable and flag for messages, and a
//! test holds it equal to the clap definitions.
//!
//! | key | env | flag | default |
//! |---|---|---|---|
//! | `listen` | `STDFUND_LISTEN` | `--listen` | `127.0.0.1:50051` (use `0.0.0.0:50051` in a container) |
//! | `metrics_listen` | `STDFUND_METRICS_LISTEN` | `--metrics-listen` | `127.0.0.1:9090`; `off` disables |
//! | `database_url` | `STDFUND_DATABASE_URL` | `--database-url` | `sqlite://stdfund.sqlite` |
//! | `cors_origins` | `STDFUND_CORS_ORIGINS` (comma-separated) | `--cors-origin` (repeatable) | none (no browser access) |
//! | `drain_seconds` | `STDFUND_DRAIN_SECONDS` | `--drain-seconds` | `20` |
//! | `max_message_bytes` | `STDFUND_MAX_MESSAGE_BYTES` | `--max-message-bytes` | `4194304` |
//! | `max_batch_items` | `STDFUND_MAX_BATCH_ITEMS` | `--max-batch-items` | `10000` |
//! | `tokens_file` | `STDFUND_TOKENS_FILE` | `--tokens-file` | none |
//! | `audit_key_file` | `STDFUND_AUDIT_KEY_FILE` | `--audit-key-file` | none (the audit log is not sealed) |
//! | `tls_cert` | `STDFUND_TLS_CERT` | `--tls-cert` | none (plain text); PEM certificate chain, set with `tls_key` |
//! | `tls_key` | `STDFUND_TLS_KEY` | `--tls-key` | none (plain text); PEM private key, set with `tls_cert` |
//! | `log_format` | `STDFUND_LOG_FORMAT` | `--log-format` | `pretty` (`json` for containers) |
//! | `log_level` | `STDFUND_LOG_LEVEL` | `--log-level` | `info` (a `tracing` filter such as `info,stdfund_server=debug`) |
//! | `create_database` | `STDFUND_CREATE_DATABASE` | `--create-database` | `true` (deployments set `false`) |
//! | `write_timeout_seconds` | `STDFUND_WRITE_TIMEOUT_SECONDS` | `--write-timeout-seconds` | `5` |
//! | `tokens_poll_seconds` | `STDFUND_TOKENS_POLL_SECONDS` | `--tokens-poll-seconds` | `2`; `0`: SIGHUP only |
//!
//! Unknown keys in the file are an error; unknown `STDFUND_*` variables are
//! reported by [`unknown_env_vars`] so that a typo does not pass silently.

use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The environment variable naming the config file.
pub const CONFIG_ENV: &str = "STDFUND_CONFIG";

/// Log output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    Pretty,
    /// One JSON object per line.
    Json,
}

/// The effective settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Settings {
    /// The gRPC listen address.
    pub listen: SocketAddr,
    /// The Prometheus metrics listen address; `None` disables the endpoint.
    pub metrics_listen: Option<SocketAddr>,
    /// The claim registry database (`sqlite://…` or `postgres://…`).
    pub database_url: String,
    /// Origins allowed to call over grpc-web from a browser; `*` allows any.
    pub cors_origins: Vec<String>,
    /// How long in-flight calls may run after a shutdown signal.
    pub drain_seconds: u64,
    /// The largest message accepted or sent, bytes. RegistryService accepts
    /// and sends at least one attachment of the largest size (10 MiB) with
    /// its fields ([`crate::server::registry_message_limit`]).
    pub max_message_bytes: usize,
    /// The most applications one EstimateBatch stream may carry.
    pub max_batch_items: usize,
    /// The bearer-token file of the registry (hashed tokens and roles).
    pub tokens_file: Option<PathBuf>,
    /// The file holding the key that seals the audit log (at least 32 bytes,
    /// e.g. `openssl rand -hex 32`), kept off the database: with it every
    /// audit entry is sealed and `audit verify` checks the seals
    /// (`stdfund_store::seal`).
    pub audit_key_file: Option<PathBuf>,
    /// The PEM certificate chain of the gRPC port; with [`Settings::tls_key`]
    /// the server speaks TLS (rustls), without both plain text.
    pub tls_cert: Option<PathBuf>,
    /// The PEM private key of [`Settings::tls_cert`].
    pub tls_key: Option<PathBuf>,
    /// Log output format.
    pub log_format: LogFormat,
    /// Log filter (`tracing_subscriber::EnvFilter` syntax).
    pub log_level: String,
    /// Create the SQLite database file when it does not exist. On for the
    /// README's first run; deployments turn it off, so that a lost file is
    /// an outage rather than a silent new, empty registry.
    pub create_database: bool,
    /// How long a registry call waits for the database before it gives up
    /// with UNAVAILABLE, seconds.
    pub write_timeout_seconds: u64,
    /// How often the tokens file is looked at for a change, seconds; a
    /// changed file is reloaded as on SIGHUP (a Kubernetes Secret updated in
    /// place reaches the pod without a restart). `0`: SIGHUP only.
    pub tokens_poll_seconds: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            listen: SocketAddr::from(([127, 0, 0, 1], 50051)),
            metrics_listen: Some(SocketAddr::from(([127, 0, 0, 1], 9090))),
            database_url: "sqlite://stdfund.sqlite".into(),
            cors_origins: Vec::new(),
            drain_seconds: 20,
            max_message_bytes: 4 * 1024 * 1024,
            max_batch_items: 10_000,
            tokens_file: None,
            audit_key_file: None,
            tls_cert: None,
            tls_key: None,
            log_format: LogFormat::Pretty,
            log_level: "info".into(),
            create_database: true,
            write_timeout_seconds: 5,
            tokens_poll_seconds: 2,
        }
    }
}

/// One layer: every key optional. The TOML file deserialises into this.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layer {
    /// See [`Settings::listen`].
    pub listen: Option<String>,
    /// See [`Settings::metrics_listen`]; `off` disables.
    pub metrics_listen: Option<String>,
    /// See [`Settings::database_url`].
    pub database_url: Option<String>,
    /// See [`Settings::cors_origins`].
    pub cors_origins: Option<Vec<String>>,
    /// See [`Settings::drain_seconds`].
    pub drain_seconds: Option<u64>,
    /// See [`Settings::max_message_bytes`].
    pub max_message_bytes: Option<usize>,
    /// See [`Settings::max_batch_items`].
    pub max_batch_items: Option<usize>,
    /// See [`Settings::tokens_file`].
    pub tokens_file: Option<PathBuf>,
    /// See [`Settings::audit_key_file`].
    pub audit_key_file: Option<PathBuf>,
    /// See [`Settings::tls_cert`].
    pub tls_cert: Option<PathBuf>,
    /// See [`Settings::tls_key`].
    pub tls_key: Option<PathBuf>,
    /// See [`Settings::log_format`].
    pub log_format: Option<LogFormat>,
    /// See [`Settings::log_level`].
    pub log_level: Option<String>,
    /// See [`Settings::create_database`].
    pub create_database: Option<bool>,
    /// See [`Settings::write_timeout_seconds`].
    pub write_timeout_seconds: Option<u64>,
    /// See [`Settings::tokens_poll_seconds`].
    pub tokens_poll_seconds: Option<u64>,
}

/// A configuration problem, naming its source.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{source_name}: {message}")]
pub struct ConfigError {
    /// The file, variable or flag.
    pub source_name: String,
    /// What is wrong.
    pub message: String,
}

impl ConfigError {
    /// How the command line says it: a Chinese line naming the setting, then
    /// the English detail (`错误[CONFIG]:…` / `error[CONFIG]: …`), as every
    /// other refusal of the command line is said.
    pub fn lines(&self) -> String {
        format!(
            "错误[CONFIG]:配置项{}有误,原因见下一行(英文)\nerror[CONFIG]: {self}",
            self.source_name
        )
    }
}

fn err(source_name: impl Into<String>, message: impl Into<String>) -> ConfigError {
    ConfigError {
        source_name: source_name.into(),
        message: message.into(),
    }
}

/// Each file key with its environment variable and flag.
pub const KEYS: [(&str, &str, &str); 16] = [
    ("listen", "STDFUND_LISTEN", "--listen"),
    (
        "metrics_listen",
        "STDFUND_METRICS_LISTEN",
        "--metrics-listen",
    ),
    ("database_url", "STDFUND_DATABASE_URL", "--database-url"),
    ("cors_origins", "STDFUND_CORS_ORIGINS", "--cors-origin"),
    ("drain_seconds", "STDFUND_DRAIN_SECONDS", "--drain-seconds"),
    (
        "max_message_bytes",
        "STDFUND_MAX_MESSAGE_BYTES",
        "--max-message-bytes",
    ),
    (
        "max_batch_items",
        "STDFUND_MAX_BATCH_ITEMS",
        "--max-batch-items",
    ),
    ("tokens_file", "STDFUND_TOKENS_FILE", "--tokens-file"),
    (
        "audit_key_file",
        "STDFUND_AUDIT_KEY_FILE",
        "--audit-key-file",
    ),
    ("tls_cert", "STDFUND_TLS_CERT", "--tls-cert"),
    ("tls_key", "STDFUND_TLS_KEY", "--tls-key"),
    ("log_format", "STDFUND_LOG_FORMAT", "--log-format"),
    ("log_level", "STDFUND_LOG_LEVEL", "--log-level"),
    (
        "create_database",
        "STDFUND_CREATE_DATABASE",
        "--create-database",
    ),
    (
        "write_timeout_seconds",
        "STDFUND_WRITE_TIMEOUT_SECONDS",
        "--write-timeout-seconds",
    ),
    (
        "tokens_poll_seconds",
        "STDFUND_TOKENS_POLL_SECONDS",
        "--tokens-poll-seconds",
    ),
];

/// The name of the layer clap builds from the environment and the flags.
pub const OVERRIDES: &str = "environment / command line";

/// Where a key's value came from, for messages: `FILE: listen` for a file,
/// `STDFUND_LISTEN / --listen` for the environment or the command line.
fn key_source(source: &str, key: &str) -> String {
    match KEYS.iter().find(|(k, _, _)| *k == key) {
        Some((_, env, flag)) if source == OVERRIDES => format!("{env} / {flag}"),
        _ => format!("{source}: {key}"),
    }
}

/// A clap value parser for a whole number that names the variable in its
/// error (clap names only the flag, also when the value came from the
/// environment).
pub fn number<T>(
    env: &'static str,
    what: &'static str,
) -> impl Fn(&str) -> Result<T, String> + Clone + Send + Sync + 'static
where
    T: std::str::FromStr,
{
    move |v: &str| {
        v.trim()
            .parse::<T>()
            .map_err(|_| format!("`{v}` is not {what} (from {env} or its flag)"))
    }
}

/// A clap value parser for a boolean (`true`/`false`, `1`/`0`, `yes`/`no`,
/// `on`/`off`) that names the variable in its error.
pub fn boolean(
    env: &'static str,
) -> impl Fn(&str) -> Result<bool, String> + Clone + Send + Sync + 'static {
    move |v: &str| match v.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(format!(
            "`{v}` is not true or false (from {env} or its flag)"
        )),
    }
}

impl Layer {
    /// Reads a TOML file.
    pub fn from_file(path: &Path) -> Result<Layer, ConfigError> {
        let name = path.display().to_string();
        let text =
            std::fs::read_to_string(path).map_err(|e| err(&name, format!("cannot read: {e}")))?;
        Layer::from_toml(&text).map_err(|e| err(&name, e.message))
    }

    /// Parses TOML text.
    pub fn from_toml(text: &str) -> Result<Layer, ConfigError> {
        toml::from_str(text).map_err(|e| err("config", toml_error(text, &e)))
    }
}

/// A TOML error of `text` with its place: `line 2, column 16: …`.
pub fn toml_error(text: &str, e: &toml::de::Error) -> String {
    match e.span() {
        Some(span) => {
            let (line, column) = line_column(text, span.start);
            format!("line {line}, column {column}: {}", e.message())
        }
        None => e.message().to_string(),
    }
}

/// The 1-based line and column (in characters, as an editor counts them) of
/// the byte `offset` of `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count().saturating_add(1);
    let line_start = before.rfind('\n').map_or(0, |i| i.saturating_add(1));
    let column = before
        .get(line_start..)
        .map_or(0, |l| l.chars().count())
        .saturating_add(1);
    (line, column)
}

/// `STDFUND_*` variables that are not settings of `stdfund` (those of
/// other tools of the workspace).
const OTHER_ENV: [&str; 1] = ["STDFUND_BLESS"];

/// The `STDFUND_*` variables among `vars` that are neither in `known` (the
/// variables the command line reads) nor another tool's.
pub fn unknown_env_vars<I, K, V>(vars: I, known: &[String]) -> Vec<String>
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<str>,
{
    vars.into_iter()
        .map(|(k, _)| k.as_ref().to_string())
        .filter(|k| k.starts_with("STDFUND_"))
        .filter(|k| !known.contains(k) && !OTHER_ENV.contains(&k.as_str()))
        .collect()
}

fn parse_addr(source: &str, v: &str) -> Result<SocketAddr, ConfigError> {
    v.trim().parse::<SocketAddr>().map_err(|_| {
        err(
            source,
            format!("`{v}` is not an address such as `127.0.0.1:50051`"),
        )
    })
}

impl Settings {
    /// Applies a layer on top of these settings. `source` names the layer in
    /// errors.
    pub fn apply(mut self, layer: Layer, source: &str) -> Result<Settings, ConfigError> {
        if let Some(v) = layer.listen {
            self.listen = parse_addr(&key_source(source, "listen"), &v)?;
        }
        if let Some(v) = layer.metrics_listen {
            self.metrics_listen = match v.trim() {
                "" | "off" | "none" => None,
                other => Some(parse_addr(&key_source(source, "metrics_listen"), other)?),
            };
        }
        if let Some(v) = layer.database_url {
            self.database_url = v;
        }
        if let Some(v) = layer.cors_origins {
            self.cors_origins = v;
        }
        if let Some(v) = layer.drain_seconds {
            self.drain_seconds = v;
        }
        if let Some(v) = layer.max_message_bytes {
            self.max_message_bytes = v;
        }
        if let Some(v) = layer.max_batch_items {
            self.max_batch_items = v;
        }
        if let Some(v) = layer.tokens_file {
            self.tokens_file = Some(v);
        }
        if let Some(v) = layer.audit_key_file {
            self.audit_key_file = Some(v);
        }
        if let Some(v) = layer.tls_cert {
            self.tls_cert = Some(v);
        }
        if let Some(v) = layer.tls_key {
            self.tls_key = Some(v);
        }
        if let Some(v) = layer.log_format {
            self.log_format = v;
        }
        if let Some(v) = layer.log_level {
            self.log_level = v;
        }
        if let Some(v) = layer.create_database {
            self.create_database = v;
        }
        if let Some(v) = layer.write_timeout_seconds {
            self.write_timeout_seconds = v;
        }
        if let Some(v) = layer.tokens_poll_seconds {
            self.tokens_poll_seconds = v;
        }
        self.validate(source)?;
        Ok(self)
    }

    fn validate(&self, source: &str) -> Result<(), ConfigError> {
        if self.max_message_bytes < 1024 {
            return Err(err(source, "max_message_bytes must be at least 1024"));
        }
        if self.max_batch_items == 0 {
            return Err(err(source, "max_batch_items must be at least 1"));
        }
        if !(1..=300).contains(&self.write_timeout_seconds) {
            return Err(err(source, "write_timeout_seconds must be 1–300"));
        }
        if self.tokens_poll_seconds > 3600 {
            return Err(err(
                source,
                "tokens_poll_seconds must be 0–3600 (0: reload on SIGHUP only)",
            ));
        }
        if self.database_url.trim().is_empty() {
            return Err(err(source, "database_url must not be empty"));
        }
        if let Err(e) = stdfund_store::Location::parse(&self.database_url) {
            return Err(err(source, e.to_string()));
        }
        for o in &self.cors_origins {
            let ok = o == "*"
                || ((o.starts_with("http://") || o.starts_with("https://"))
                    && !o.ends_with('/')
                    && http::HeaderValue::from_str(o).is_ok());
            if !ok {
                return Err(err(
                    source,
                    format!(
                        "cors origin `{o}` is not `*` or an origin such as `https://portal.example.cn`"
                    ),
                ));
            }
        }
        if self
            .metrics_listen
            .is_some_and(|m| m == self.listen && m.port() != 0)
        {
            return Err(err(source, "metrics_listen must differ from listen"));
        }
        Ok(())
    }

    /// Resolves every layer: the defaults, the file `config_file` (from
    /// `--config` or `STDFUND_CONFIG`), then `overrides`: the environment
    /// and the flags as clap merged them (a flag wins over its variable).
    pub fn resolve(config_file: Option<&Path>, overrides: Layer) -> Result<Settings, ConfigError> {
        let mut s = Settings::default();
        if let Some(path) = config_file {
            s = s.apply(Layer::from_file(path)?, &path.display().to_string())?;
        }
        let s = s.apply(overrides, OVERRIDES)?;
        // Checked once all layers are in: the file may name the certificate
        // and the environment the key.
        s.tls()?;
        Ok(s)
    }

    /// The TLS certificate and key files, when both are set; `None` for
    /// plain text. One without the other is an error naming both settings.
    pub fn tls(&self) -> Result<Option<(&Path, &Path)>, ConfigError> {
        let (cert_name, key_name) = (
            "tls_cert (STDFUND_TLS_CERT, --tls-cert)",
            "tls_key (STDFUND_TLS_KEY, --tls-key)",
        );
        match (&self.tls_cert, &self.tls_key) {
            (Some(cert), Some(key)) => Ok(Some((cert.as_path(), key.as_path()))),
            (None, None) => Ok(None),
            (Some(_), None) => Err(err(
                "tls_key",
                format!(
                    "{cert_name} is set but {key_name} is not; set both to serve TLS, or neither for plain text"
                ),
            )),
            (None, Some(_)) => Err(err(
                "tls_cert",
                format!(
                    "{key_name} is set but {cert_name} is not; set both to serve TLS, or neither for plain text"
                ),
            )),
        }
    }

    /// The settings as TOML (what `stdfund serve --print-config` shows).
    pub fn to_toml(&self) -> String {
        let mut out = String::new();
        let q = |s: &str| toml::Value::String(s.to_string()).to_string();
        out.push_str(&format!("listen = {}\n", q(&self.listen.to_string())));
        let metrics = self
            .metrics_listen
            .map(|m| m.to_string())
            .unwrap_or_else(|| "off".into());
        out.push_str(&format!("metrics_listen = {}\n", q(&metrics)));
        out.push_str(&format!(
            "database_url = {}\n",
            q(&redact_url(&self.database_url))
        ));
        let origins: Vec<String> = self.cors_origins.iter().map(|o| q(o)).collect();
        out.push_str(&format!("cors_origins = [{}]\n", origins.join(", ")));
        out.push_str(&format!("drain_seconds = {}\n", self.drain_seconds));
        out.push_str(&format!("max_message_bytes = {}\n", self.max_message_bytes));
        out.push_str(&format!("max_batch_items = {}\n", self.max_batch_items));
        if let Some(t) = &self.tokens_file {
            out.push_str(&format!("tokens_file = {}\n", q(&t.display().to_string())));
        }
        if let Some(k) = &self.audit_key_file {
            out.push_str(&format!(
                "audit_key_file = {}\n",
                q(&k.display().to_string())
            ));
        }
        if let Some(c) = &self.tls_cert {
            out.push_str(&format!("tls_cert = {}\n", q(&c.display().to_string())));
        }
        if let Some(k) = &self.tls_key {
            out.push_str(&format!("tls_key = {}\n", q(&k.display().to_string())));
        }
        let format = match self.log_format {
            LogFormat::Pretty => "pretty",
            LogFormat::Json => "json",
        };
        out.push_str(&format!("log_format = {}\n", q(format)));
        out.push_str(&format!("log_level = {}\n", q(&self.log_level)));
        out.push_str(&format!("create_database = {}\n", self.create_database));
        out.push_str(&format!(
            "write_timeout_seconds = {}\n",
            self.write_timeout_seconds
        ));
        out.push_str(&format!(
            "tokens_poll_seconds = {}\n",
            self.tokens_poll_seconds
        ));
        out
    }
}

/// A database URL with its password replaced by `***`, for logs and
/// `--print-config`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{path}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn defaults() {
        let s = Settings::resolve(None, Layer::default()).unwrap();
        assert_eq!(s, Settings::default());
        assert_eq!(s.listen.to_string(), "127.0.0.1:50051");
        assert_eq!(
            s.metrics_listen.map(|m| m.to_string()).as_deref(),
            Some("127.0.0.1:9090")
        );
        assert_eq!(s.database_url, "sqlite://stdfund.sqlite");
    }

    #[test]
    fn the_overrides_win_over_the_file_key_by_key() {
        let dir = std::env::temp_dir().join(format!("stdfund-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("stdfund.toml");
        std::fs::write(
            &file,
            "listen = \"0.0.0.0:6000\"\ndrain_seconds = 5\nmax_batch_items = 7\ncors_origins = [\"https://a.example\"]\n",
        )
        .unwrap();
        let overrides = Layer {
            max_batch_items: Some(3),
            drain_seconds: Some(9),
            metrics_listen: Some("off".into()),
            log_format: Some(LogFormat::Json),
            ..Layer::default()
        };
        let s = Settings::resolve(Some(&file), overrides).unwrap();
        assert_eq!(s.listen.to_string(), "0.0.0.0:6000"); // file
        assert_eq!(s.drain_seconds, 9); // override over file
        assert_eq!(s.max_batch_items, 3);
        assert_eq!(s.metrics_listen, None);
        assert_eq!(s.log_format, LogFormat::Json);
        assert_eq!(s.cors_origins, ["https://a.example"]); // file
        assert_eq!(s.max_message_bytes, Settings::default().max_message_bytes); // default
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn a_misspelt_database_url_is_refused_before_anything_opens() {
        for url in ["mysql://h/db", "sqlite://reg.sqlite?mode=ro", "sqlite:"] {
            let overrides = Layer {
                database_url: Some(url.into()),
                ..Layer::default()
            };
            let e = Settings::resolve(None, overrides).unwrap_err();
            assert!(e.to_string().contains("database_url"), "{url}: {e}");
        }
    }

    #[test]
    fn errors_name_their_source() {
        let e = Layer::from_toml("listen = \"x\"\nbogus = 1\n").unwrap_err();
        assert!(e.message.contains("bogus"), "{e}");
        // Where, as an editor counts: line 2, and columns in characters.
        assert!(e.message.starts_with("line 2, column 1: "), "{e}");
        let e = Layer::from_toml("# 配置\nlisten = \"x\"\ndatabase_url = \"未闭合\n").unwrap_err();
        assert!(e.message.starts_with("line 3, column "), "{e}");
        let e = Layer::from_toml("drain_seconds = \"十\"\n").unwrap_err();
        assert!(e.message.starts_with("line 1, column 17: "), "{e}");
        let parse = number::<u64>("STDFUND_DRAIN_SECONDS", "a number of seconds");
        assert_eq!(parse(" 12 "), Ok(12));
        let e = parse("soon").unwrap_err();
        assert!(
            e.contains("STDFUND_DRAIN_SECONDS") && e.contains("soon"),
            "{e}"
        );
        let e = Settings::resolve(
            None,
            Layer {
                listen: Some("nowhere".into()),
                ..Layer::default()
            },
        )
        .unwrap_err();
        assert_eq!(e.source_name, "STDFUND_LISTEN / --listen");
        let e = Settings::resolve(
            None,
            Layer {
                cors_origins: Some(vec!["portal.example".into()]),
                ..Layer::default()
            },
        )
        .unwrap_err();
        assert!(e.message.contains("portal.example"), "{e}");
        let e = Settings::resolve(
            None,
            Layer {
                max_batch_items: Some(0),
                ..Layer::default()
            },
        )
        .unwrap_err();
        assert_eq!(e.source_name, OVERRIDES);
        let missing = Path::new("/nonexistent/stdfund.toml");
        assert!(Settings::resolve(Some(missing), Layer::default()).is_err());
        let dir = std::env::temp_dir().join(format!("stdfund-config-err-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("bad.toml");
        std::fs::write(&file, "listen = \"nowhere\"\n").unwrap();
        let e = Settings::resolve(Some(&file), Layer::default()).unwrap_err();
        assert_eq!(e.source_name, format!("{}: listen", file.display()));
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn tls_cert_and_key_come_together_from_any_layers() {
        let dir = std::env::temp_dir().join(format!("stdfund-config-tls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("stdfund.toml");
        std::fs::write(&file, "tls_cert = \"/etc/tls/tls.crt\"\n").unwrap();
        // The file names the certificate, the environment the key.
        let key = Layer {
            tls_key: Some("/etc/tls/tls.key".into()),
            ..Layer::default()
        };
        let s = Settings::resolve(Some(&file), key).unwrap();
        assert_eq!(
            s.tls().unwrap(),
            Some((Path::new("/etc/tls/tls.crt"), Path::new("/etc/tls/tls.key")))
        );
        // One without the other: an error naming the missing setting.
        let e = Settings::resolve(Some(&file), Layer::default()).unwrap_err();
        assert_eq!(e.source_name, "tls_key");
        assert!(e.message.contains("--tls-key"), "{e}");
        let only_key = Layer {
            tls_key: Some("/k.pem".into()),
            ..Layer::default()
        };
        let e = Settings::resolve(None, only_key).unwrap_err();
        assert_eq!(e.source_name, "tls_cert");
        assert!(e.message.contains("STDFUND_TLS_CERT"), "{e}");
        // Neither: plain text.
        let s = Settings::resolve(None, Layer::default()).unwrap();
        assert_eq!(s.tls().unwrap(), None);
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn unknown_variables_are_reported() {
        let env = vec![
            ("STDFUND_LISTN", "x"),
            ("STDFUND_LISTEN", "y"),
            ("STDFUND_CONFIG", "z"),
            ("STDFUND_BLESS", "1"),
            ("HOME", "/"),
        ];
        let known = vec!["STDFUND_LISTEN".to_string(), "STDFUND_CONFIG".to_string()];
        assert_eq!(unknown_env_vars(env, &known), ["STDFUND_LISTN"]);
    }

    #[test]
    fn printed_config_parses_back_and_hides_passwords() {
        let s = Settings {
            database_url: "postgres://app:s3cret@db:5432/stdfund".into(),
            cors_origins: vec!["https://a.example".into()],
            tokens_file: Some("/etc/stdfund/tokens.toml".into()),
            tls_cert: Some("/etc/stdfund/tls/tls.crt".into()),
            tls_key: Some("/etc/stdfund/tls/tls.key".into()),
            metrics_listen: None,
            ..Settings::default()
        };
        let text = s.to_toml();
        assert!(!text.contains("s3cret"), "{text}");
        let back = Settings::default()
            .apply(Layer::from_toml(&text).unwrap(), "printed")
            .unwrap();
        assert_eq!(
            back,
            Settings {
                database_url: "postgres://app:***@db:5432/stdfund".into(),
                ..s
            }
        );
        assert_eq!(
            redact_url("sqlite://stdfund.sqlite"),
            "sqlite://stdfund.sqlite"
        );
        assert_eq!(redact_url("postgres://app@db/x"), "postgres://app@db/x");
    }
}

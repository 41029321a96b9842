//! Layered settings of `stdfund serve`: built-in defaults, then a TOML file
//! (`--config` or `STDFUND_CONFIG`), then `STDFUND_*` environment variables,
//! then command-line flags; each later layer overrides the earlier ones key
//! by key.
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
//! | `tls_cert` | `STDFUND_TLS_CERT` | `--tls-cert` | none (plain text); PEM certificate chain, set with `tls_key` |
//! | `tls_key` | `STDFUND_TLS_KEY` | `--tls-key` | none (plain text); PEM private key, set with `tls_cert` |
//! | `log_format` | `STDFUND_LOG_FORMAT` | `--log-format` | `pretty` (`json` for containers) |
//! | `log_level` | `STDFUND_LOG_LEVEL` | `--log-level` | `info` (a `tracing` filter such as `info,stdfund_server=debug`) |
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
    /// The largest message accepted or sent, bytes.
    pub max_message_bytes: usize,
    /// The most applications one EstimateBatch stream may carry.
    pub max_batch_items: usize,
    /// The bearer-token file of the registry (hashed tokens and roles).
    pub tokens_file: Option<PathBuf>,
    /// The PEM certificate chain of the gRPC port; with [`Settings::tls_key`]
    /// the server speaks TLS (rustls), without both plain text.
    pub tls_cert: Option<PathBuf>,
    /// The PEM private key of [`Settings::tls_cert`].
    pub tls_key: Option<PathBuf>,
    /// Log output format.
    pub log_format: LogFormat,
    /// Log filter (`tracing_subscriber::EnvFilter` syntax).
    pub log_level: String,
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
            tls_cert: None,
            tls_key: None,
            log_format: LogFormat::Pretty,
            log_level: "info".into(),
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
    /// See [`Settings::tls_cert`].
    pub tls_cert: Option<PathBuf>,
    /// See [`Settings::tls_key`].
    pub tls_key: Option<PathBuf>,
    /// See [`Settings::log_format`].
    pub log_format: Option<LogFormat>,
    /// See [`Settings::log_level`].
    pub log_level: Option<String>,
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

fn err(source_name: impl Into<String>, message: impl Into<String>) -> ConfigError {
    ConfigError {
        source_name: source_name.into(),
        message: message.into(),
    }
}

/// The environment variables and their keys.
const ENV_KEYS: [(&str, &str); 12] = [
    ("STDFUND_LISTEN", "listen"),
    ("STDFUND_METRICS_LISTEN", "metrics_listen"),
    ("STDFUND_DATABASE_URL", "database_url"),
    ("STDFUND_CORS_ORIGINS", "cors_origins"),
    ("STDFUND_DRAIN_SECONDS", "drain_seconds"),
    ("STDFUND_MAX_MESSAGE_BYTES", "max_message_bytes"),
    ("STDFUND_MAX_BATCH_ITEMS", "max_batch_items"),
    ("STDFUND_TOKENS_FILE", "tokens_file"),
    ("STDFUND_TLS_CERT", "tls_cert"),
    ("STDFUND_TLS_KEY", "tls_key"),
    ("STDFUND_LOG_FORMAT", "log_format"),
    ("STDFUND_LOG_LEVEL", "log_level"),
];

/// `STDFUND_*` variables that are not settings of `serve` (the config file's
/// variable and those of other tools of the workspace).
const OTHER_ENV: [&str; 2] = [CONFIG_ENV, "STDFUND_BLESS"];

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
        toml::from_str(text).map_err(|e| err("config", e.message().to_string()))
    }

    /// Reads the `STDFUND_*` variables among `vars`.
    pub fn from_env<I, K, V>(vars: I) -> Result<Layer, ConfigError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut layer = Layer::default();
        for (k, v) in vars {
            let (k, v) = (k.as_ref(), v.as_ref());
            let number = |what: &str| -> Result<u64, ConfigError> {
                v.trim()
                    .parse::<u64>()
                    .map_err(|_| err(k, format!("`{v}` is not {what}")))
            };
            let size = |what: &str| -> Result<usize, ConfigError> {
                v.trim()
                    .parse::<usize>()
                    .map_err(|_| err(k, format!("`{v}` is not {what}")))
            };
            match k {
                "STDFUND_LISTEN" => layer.listen = Some(v.to_string()),
                "STDFUND_METRICS_LISTEN" => layer.metrics_listen = Some(v.to_string()),
                "STDFUND_DATABASE_URL" => layer.database_url = Some(v.to_string()),
                "STDFUND_CORS_ORIGINS" => {
                    layer.cors_origins = Some(
                        v.split(',')
                            .map(str::trim)
                            .filter(|s| !s.is_empty())
                            .map(String::from)
                            .collect(),
                    );
                }
                "STDFUND_DRAIN_SECONDS" => {
                    layer.drain_seconds = Some(number("a number of seconds")?)
                }
                "STDFUND_MAX_MESSAGE_BYTES" => {
                    layer.max_message_bytes = Some(size("a number of bytes")?)
                }
                "STDFUND_MAX_BATCH_ITEMS" => layer.max_batch_items = Some(size("a number")?),
                "STDFUND_TOKENS_FILE" => layer.tokens_file = Some(PathBuf::from(v)),
                "STDFUND_TLS_CERT" => layer.tls_cert = Some(PathBuf::from(v)),
                "STDFUND_TLS_KEY" => layer.tls_key = Some(PathBuf::from(v)),
                "STDFUND_LOG_FORMAT" => {
                    layer.log_format = Some(match v.trim() {
                        "json" => LogFormat::Json,
                        "pretty" => LogFormat::Pretty,
                        _ => return Err(err(k, format!("`{v}` is not `json` or `pretty`"))),
                    });
                }
                "STDFUND_LOG_LEVEL" => layer.log_level = Some(v.to_string()),
                _ => {}
            }
        }
        Ok(layer)
    }
}

/// The `STDFUND_*` variables among `vars` that no setting reads.
pub fn unknown_env_vars<I, K, V>(vars: I) -> Vec<String>
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<str>,
{
    vars.into_iter()
        .map(|(k, _)| k.as_ref().to_string())
        .filter(|k| k.starts_with("STDFUND_"))
        .filter(|k| !ENV_KEYS.iter().any(|(e, _)| e == k) && !OTHER_ENV.contains(&k.as_str()))
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
            self.listen = parse_addr(&format!("{source}: listen"), &v)?;
        }
        if let Some(v) = layer.metrics_listen {
            self.metrics_listen = match v.trim() {
                "" | "off" | "none" => None,
                other => Some(parse_addr(&format!("{source}: metrics_listen"), other)?),
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
        if self.database_url.trim().is_empty() {
            return Err(err(source, "database_url must not be empty"));
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

    /// Resolves every layer: defaults, the file (`config_flag`, else
    /// `STDFUND_CONFIG` from `env`), the environment, then `flags`.
    pub fn resolve<I, K, V>(
        config_flag: Option<&Path>,
        env: I,
        flags: Layer,
    ) -> Result<Settings, ConfigError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let env: Vec<(String, String)> = env
            .into_iter()
            .map(|(k, v)| (k.as_ref().to_string(), v.as_ref().to_string()))
            .collect();
        let file = config_flag.map(Path::to_path_buf).or_else(|| {
            env.iter()
                .find(|(k, v)| k == CONFIG_ENV && !v.trim().is_empty())
                .map(|(_, v)| PathBuf::from(v))
        });
        let mut s = Settings::default();
        if let Some(path) = file {
            s = s.apply(Layer::from_file(&path)?, &path.display().to_string())?;
        }
        s = s.apply(Layer::from_env(env)?, "environment")?;
        let s = s.apply(flags, "command line")?;
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

    fn none() -> Vec<(String, String)> {
        Vec::new()
    }

    #[test]
    fn defaults() {
        let s = Settings::resolve(None, none(), Layer::default()).unwrap();
        assert_eq!(s, Settings::default());
        assert_eq!(s.listen.to_string(), "127.0.0.1:50051");
        assert_eq!(
            s.metrics_listen.map(|m| m.to_string()).as_deref(),
            Some("127.0.0.1:9090")
        );
        assert_eq!(s.database_url, "sqlite://stdfund.sqlite");
    }

    #[test]
    fn each_layer_overrides_the_one_before_key_by_key() {
        let dir = std::env::temp_dir().join(format!("stdfund-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("stdfund.toml");
        std::fs::write(
            &file,
            "listen = \"0.0.0.0:6000\"\ndrain_seconds = 5\nmax_batch_items = 7\ncors_origins = [\"https://a.example\"]\n",
        )
        .unwrap();
        let env = vec![
            ("STDFUND_CONFIG".to_string(), file.display().to_string()),
            ("STDFUND_DRAIN_SECONDS".to_string(), "9".to_string()),
            ("STDFUND_METRICS_LISTEN".to_string(), "off".to_string()),
            ("STDFUND_LOG_FORMAT".to_string(), "json".to_string()),
            ("PATH".to_string(), "/bin".to_string()),
        ];
        let flags = Layer {
            max_batch_items: Some(3),
            ..Layer::default()
        };
        let s = Settings::resolve(None, env.clone(), flags).unwrap();
        assert_eq!(s.listen.to_string(), "0.0.0.0:6000"); // file
        assert_eq!(s.drain_seconds, 9); // env over file
        assert_eq!(s.max_batch_items, 3); // flag over file
        assert_eq!(s.metrics_listen, None); // env
        assert_eq!(s.log_format, LogFormat::Json);
        assert_eq!(s.cors_origins, ["https://a.example"]);
        assert_eq!(s.max_message_bytes, Settings::default().max_message_bytes); // default

        // --config wins over STDFUND_CONFIG.
        let other = dir.join("other.toml");
        std::fs::write(&other, "listen = \"127.0.0.1:7000\"\n").unwrap();
        let s = Settings::resolve(Some(&other), env, Layer::default()).unwrap();
        assert_eq!(s.listen.to_string(), "127.0.0.1:7000");
        assert_eq!(s.max_batch_items, 10_000);
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn errors_name_their_source() {
        let e = Layer::from_toml("listen = \"x\"\nbogus = 1\n").unwrap_err();
        assert!(e.message.contains("bogus"), "{e}");
        let e = Settings::resolve(
            None,
            vec![("STDFUND_DRAIN_SECONDS", "soon")],
            Layer::default(),
        )
        .unwrap_err();
        assert_eq!(e.source_name, "STDFUND_DRAIN_SECONDS");
        let e = Settings::resolve(None, vec![("STDFUND_LISTEN", "nowhere")], Layer::default())
            .unwrap_err();
        assert!(e.to_string().contains("environment: listen"), "{e}");
        let e = Settings::resolve(
            None,
            vec![("STDFUND_CORS_ORIGINS", "portal.example")],
            Layer::default(),
        )
        .unwrap_err();
        assert!(e.message.contains("portal.example"), "{e}");
        let e = Settings::resolve(
            None,
            none(),
            Layer {
                max_batch_items: Some(0),
                ..Layer::default()
            },
        )
        .unwrap_err();
        assert_eq!(e.source_name, "command line");
        let missing = Path::new("/nonexistent/stdfund.toml");
        assert!(Settings::resolve(Some(missing), none(), Layer::default()).is_err());
    }

    #[test]
    fn cors_origins_from_env_are_comma_separated() {
        let env = vec![(
            "STDFUND_CORS_ORIGINS",
            " https://a.example, http://localhost:8080 ,",
        )];
        let s = Settings::resolve(None, env, Layer::default()).unwrap();
        assert_eq!(
            s.cors_origins,
            ["https://a.example", "http://localhost:8080"]
        );
    }

    #[test]
    fn tls_cert_and_key_come_together_from_any_layers() {
        let dir = std::env::temp_dir().join(format!("stdfund-config-tls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("stdfund.toml");
        std::fs::write(&file, "tls_cert = \"/etc/tls/tls.crt\"\n").unwrap();
        // The file names the certificate, the environment the key.
        let s = Settings::resolve(
            Some(&file),
            vec![("STDFUND_TLS_KEY", "/etc/tls/tls.key")],
            Layer::default(),
        )
        .unwrap();
        assert_eq!(
            s.tls().unwrap(),
            Some((Path::new("/etc/tls/tls.crt"), Path::new("/etc/tls/tls.key")))
        );
        // Flags win over the environment.
        let flags = Layer {
            tls_cert: Some("/flag/c.pem".into()),
            tls_key: Some("/flag/k.pem".into()),
            ..Layer::default()
        };
        let env = vec![
            ("STDFUND_TLS_CERT", "/env/c.pem"),
            ("STDFUND_TLS_KEY", "/env/k.pem"),
        ];
        let s = Settings::resolve(None, env, flags).unwrap();
        assert_eq!(s.tls_cert.as_deref(), Some(Path::new("/flag/c.pem")));
        assert_eq!(s.tls_key.as_deref(), Some(Path::new("/flag/k.pem")));
        // One without the other: an error naming the missing setting.
        let e = Settings::resolve(Some(&file), none(), Layer::default()).unwrap_err();
        assert_eq!(e.source_name, "tls_key");
        assert!(e.message.contains("--tls-key"), "{e}");
        let e = Settings::resolve(None, vec![("STDFUND_TLS_KEY", "/k.pem")], Layer::default())
            .unwrap_err();
        assert_eq!(e.source_name, "tls_cert");
        assert!(e.message.contains("STDFUND_TLS_CERT"), "{e}");
        // Neither: plain text.
        let s = Settings::resolve(None, none(), Layer::default()).unwrap();
        assert_eq!(s.tls().unwrap(), None);
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn unknown_variables_are_reported() {
        let env = vec![
            ("STDFUND_LISTN", "x"),
            ("STDFUND_LISTEN", "y"),
            ("STDFUND_CONFIG", "z"),
            ("HOME", "/"),
        ];
        assert_eq!(unknown_env_vars(env), ["STDFUND_LISTN"]);
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

//! Helpers of the registry tests: a tokens file with one token per role, a
//! server with a fresh SQLite file or a throwaway PostgreSQL cluster, clients
//! that send a bearer token, applications, and reading rich error details.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[allow(unused_imports)] // not every test binary that includes this module starts PostgreSQL
pub use stdfund_testkit::pg;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;
use stdfund_proto::pb;
use stdfund_proto::pb::registry_service_client::RegistryServiceClient;
use stdfund_server::config::Settings;
use stdfund_server::server::{self, Running};
use tonic::metadata::MetadataValue;
use tonic::service::Interceptor;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Channel, Endpoint};
use tonic::{Code, Request, Status};
use tonic_types::{ErrorDetail, StatusExt};

/// `(name, role, token)`: one caller per role, and a second portal.
pub const CALLERS: [(&str, &str, &str); 5] = [
    ("gateway", "portal", "portal-token-1"),
    ("gateway-2", "portal", "portal-token-2"),
    ("reviewer-li", "reviewer", "reviewer-token"),
    ("finance-wang", "finance", "finance-token"),
    ("admin-chen", "admin", "admin-token"),
];
pub const PORTAL: &str = "portal-token-1";
pub const PORTAL_2: &str = "portal-token-2";
pub const REVIEWER: &str = "reviewer-token";
pub const FINANCE: &str = "finance-token";
pub const ADMIN: &str = "admin-token";

fn tmp_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("stdfund-registry-tests");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn unique(stem: &str, ext: &str) -> PathBuf {
    static SEQ: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let p = tmp_dir().join(format!("{stem}-{}-{n}.{ext}", std::process::id()));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", p.display()));
    }
    p
}

/// A tokens file with [`CALLERS`] (hashes computed by `sha256sum`'s rule).
pub fn tokens_file() -> PathBuf {
    let mut text = String::new();
    for (name, role, token) in CALLERS {
        text.push_str(&format!(
            "[[tokens]]\nname = \"{name}\"\nrole = \"{role}\"\nsha256 = \"{}\"\n\n",
            stdfund_server::auth::hash_token(token)
        ));
    }
    let p = unique("tokens", "toml");
    std::fs::write(&p, text).unwrap();
    // Owner-only whatever the umask: the server refuses a tokens file
    // writable by group or others.
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    p
}

/// A fresh SQLite database URL.
pub fn sqlite_url() -> String {
    format!("sqlite://{}", unique("registry", "sqlite").display())
}

/// A fresh path for a backup or another file.
pub fn temp_path(stem: &str, ext: &str) -> PathBuf {
    unique(stem, ext)
}

/// Server settings for the registry tests.
pub fn settings(database_url: &str, tokens: bool) -> Settings {
    Settings {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        metrics_listen: None,
        drain_seconds: 10,
        database_url: database_url.to_string(),
        tokens_file: tokens.then(tokens_file),
        ..Settings::default()
    }
}

/// Starts an in-process server.
pub async fn start(database_url: &str) -> Running {
    server::start(&settings(database_url, true))
        .await
        .unwrap_or_else(|e| panic!("cannot start the server: {e}"))
}

/// A channel to a server.
pub async fn channel(addr: SocketAddr) -> Channel {
    Endpoint::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect_timeout(Duration::from_secs(5))
        .connect()
        .await
        .unwrap_or_else(|e| panic!("cannot connect to {addr}: {e}"))
}

/// Adds `authorization: Bearer <token>` (or a raw header value) to each call.
#[derive(Clone)]
pub struct Bearer(Option<MetadataValue<tonic::metadata::Ascii>>);

impl Interceptor for Bearer {
    fn call(&mut self, mut req: Request<()>) -> Result<Request<()>, Status> {
        if let Some(v) = &self.0 {
            req.metadata_mut().insert("authorization", v.clone());
        }
        Ok(req)
    }
}

pub type Client = RegistryServiceClient<InterceptedService<Channel, Bearer>>;

/// A registry client sending `token` (none when `None`).
pub fn client(channel: &Channel, token: Option<&str>) -> Client {
    let header = token.map(|t| MetadataValue::try_from(format!("Bearer {t}")).unwrap());
    RegistryServiceClient::with_interceptor(channel.clone(), Bearer(header))
}

/// A credit code with a valid GB 32100-2015 check character, from a number.
pub fn credit_code(n: u32) -> String {
    let base = format!("91350100M{n:08}");
    assert_eq!(base.len(), 17);
    match stdfund_rules::ident::CreditCode::parse(&format!("{base}0")) {
        Some((c, stdfund_rules::ident::CreditCheck::Passed)) => c.to_string(),
        Some((_, stdfund_rules::ident::CreditCheck::Mismatch { expected })) => {
            format!("{base}{expected}")
        }
        None => panic!("{base}"),
    }
}

/// The same code with a wrong check character.
pub fn bad_check_code(n: u32) -> String {
    let good = credit_code(n);
    let last = good.chars().last().unwrap();
    let wrong = if last == '0' { '1' } else { '0' };
    format!("{}{wrong}", &good[..17])
}

/// One achievement.
#[derive(Clone, Debug)]
pub struct Ach {
    pub item: &'static str,
    pub variant: &'static str,
    pub subject: String,
    pub date: &'static str,
    pub role: pb::Role,
    pub accepted: bool,
    pub approved: bool,
}

impl Ach {
    pub fn new(
        item: &'static str,
        variant: &'static str,
        subject: &str,
        date: &'static str,
    ) -> Ach {
        Ach {
            item,
            variant,
            subject: subject.to_string(),
            date,
            role: pb::Role::Unspecified,
            accepted: false,
            approved: false,
        }
    }
}

/// An application of one achievement by `code`, seated in 鼓楼区.
pub fn application(code: &str, a: &Ach) -> pb::EstimateRequest {
    application_at(code, "350102", a)
}

/// An application of one achievement with a seat.
pub fn application_at(code: &str, seat: &str, a: &Ach) -> pb::EstimateRequest {
    pb::EstimateRequest {
        applicant: Some(pb::Applicant {
            credit_code: code.to_string(),
            name: format!("福州示例科技有限公司{}", &code[9..17]),
            seat: seat.to_string(),
        }),
        achievements: vec![pb::Achievement {
            id: "a1".into(),
            item: a.item.into(),
            variant: a.variant.into(),
            subject: a.subject.clone(),
            date: a.date.into(),
            role: a.role as i32,
            accepted: a.accepted,
            approved: a.approved,
            higher_level_funding: Vec::new(),
        }],
        ..pb::EstimateRequest::default()
    }
}

/// A SubmitClaim request.
pub fn submit(key: &str, app: pb::EstimateRequest, year: i32) -> pb::SubmitClaimRequest {
    pb::SubmitClaimRequest {
        idempotency_key: key.to_string(),
        application: Some(app),
        confirm_credit_code: false,
        year,
    }
}

/// The `ErrorInfo` of a status: reason and metadata.
pub fn info(s: &Status) -> (String, HashMap<String, String>) {
    let details = s.get_error_details_vec();
    let i = details
        .iter()
        .find_map(|d| match d {
            ErrorDetail::ErrorInfo(i) => Some(i.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no ErrorInfo in {s:?}"));
    assert_eq!(i.domain, "stdfund.v1");
    (i.reason, i.metadata)
}

/// Asserts a status's code and reason; returns its metadata.
#[track_caller]
pub fn expect_error(s: &Status, code: Code, reason: &str) -> HashMap<String, String> {
    assert_eq!(s.code(), code, "{s:?}");
    let (r, m) = info(s);
    assert_eq!(r, reason, "{s:?}");
    assert!(
        !m["messageZh"].is_empty() && !m["messageEn"].is_empty(),
        "{m:?}"
    );
    m
}

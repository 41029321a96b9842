//! Helpers of the registry tests: a tokens file with one token per role, a
//! server with a fresh SQLite file or a throwaway PostgreSQL cluster, clients
//! that send a bearer token, applications, and reading rich error details.
//!
//! The staged suites share one server per backend per test binary
//! ([`shared_server`]): it runs on a runtime of its own thread, so each
//! `#[tokio::test]` (with its own runtime) connects to it and the server
//! outlives any one test. Tests on a shared server keep apart through an
//! [`Env`]: a slot of their own gives them their own budget year, credit
//! codes and idempotency keys. The shared PostgreSQL cluster is never dropped;
//! its watchdog (`stdfund_testkit::pg`) stops it and removes its directory
//! within a second of the test process's exit.

#![allow(
    clippy::arithmetic_side_effects,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::unwrap_used,
    dead_code
)]

#[allow(unused_imports)] // not every test binary that includes this module starts PostgreSQL
pub use stdfund_testkit::pg;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};
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

/// A fresh SQLite store, created (for tests that build a service in process).
pub async fn sqlite_store() -> stdfund_store::AnyStore {
    stdfund_store::AnyStore::open(
        &sqlite_url(),
        &stdfund_store::OpenOptions {
            create_if_missing: true,
            ..stdfund_store::OpenOptions::default()
        },
    )
    .await
    .unwrap()
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

/// The largest message the test clients send or accept (attachments of up
/// to 10 MiB travel in one message).
pub const CLIENT_MESSAGE_LIMIT: usize = 64 * 1024 * 1024;

/// A registry client sending `token` (none when `None`).
pub fn client(channel: &Channel, token: Option<&str>) -> Client {
    let header = token.map(|t| MetadataValue::try_from(format!("Bearer {t}")).unwrap());
    RegistryServiceClient::with_interceptor(channel.clone(), Bearer(header))
        .max_decoding_message_size(CLIENT_MESSAGE_LIMIT)
        .max_encoding_message_size(CLIENT_MESSAGE_LIMIT)
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

/// A credit code of digits only (with a valid check character), from a
/// number: the kind a spreadsheet would turn into a number.
pub fn numeric_credit_code(n: u32) -> String {
    for m in n.. {
        let base = format!("913501000{m:08}");
        assert_eq!(base.len(), 17);
        let check = match stdfund_rules::ident::CreditCode::parse(&format!("{base}0")) {
            Some((_, stdfund_rules::ident::CreditCheck::Passed)) => '0',
            Some((_, stdfund_rules::ident::CreditCheck::Mismatch { expected })) => expected,
            None => panic!("{base}"),
        };
        if check.is_ascii_digit() {
            return format!("{base}{check}");
        }
    }
    unreachable!()
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
    pub funding: Vec<pb::Funding>,
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
            funding: Vec::new(),
        }
    }

    /// The lead unit of a national standard (五(五)1, 300,000.00), dated
    /// 2020-05-01.
    pub fn lead(subject: &str) -> Ach {
        Ach::new("STANDARD_LEAD", "NATIONAL", subject, "2020-05-01")
    }

    /// An achievement dated 2020-05-01.
    pub fn of(item: &'static str, variant: &'static str, subject: &str) -> Ach {
        Ach::new(item, variant, subject, "2020-05-01")
    }

    /// A discretionary line (五(五)9, WTO/TBT early warning), dated 2020-09-01.
    pub fn discretionary(subject: &str) -> Ach {
        Ach::new("OTHER_ACTIVITY", "WTO_TBT_WARNING", subject, "2020-09-01")
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
            higher_level_funding: a.funding.clone(),
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
    // The Chinese message is Chinese: no English word of the server's own
    // (quoted input, codes and field paths apart) stands in it.
    // Quoted text (`…`: input, codes, field paths) apart.
    let zh: String = m["messageZh"]
        .split('`')
        .step_by(2)
        .collect::<Vec<_>>()
        .join(" ");
    for word in [
        " the ", " is ", "review", "withdraw", "resubmit", "disburse", "publish", "revoke",
        "invalid ",
    ] {
        assert!(!zh.contains(word), "English `{word}` in messageZh: {zh}");
    }
    m
}

// ---------------------------------------------------------------------------
// Shared servers and the scenario builder of the staged suites
// ---------------------------------------------------------------------------

/// The database a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Backend {
    /// A fresh SQLite file.
    Sqlite,
    /// A throwaway PostgreSQL cluster (`CI=true`: it must start).
    Postgres,
}

/// Starts a server on a runtime of its own thread and returns its address;
/// the thread keeps the server (and the cluster, if any) for the life of the
/// test process.
fn spawn_server(cluster: Option<pg::PgCluster>) -> SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("shared-registry-server".into())
        .spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            let url = match &cluster {
                Some(c) => c.url("postgres"),
                None => sqlite_url(),
            };
            let server = rt.block_on(start(&url));
            tx.send(server.addr()).unwrap();
            rt.block_on(std::future::pending::<()>());
            drop((server, cluster));
        })
        .unwrap();
    rx.recv()
        .unwrap_or_else(|_| panic!("the shared registry server did not start"))
}

/// The server of this test binary on `backend`, started on first use;
/// `None` when PostgreSQL is not installed and this is not CI (the reason is
/// printed as `SKIPPED …`).
pub fn shared_server(backend: Backend) -> Option<SocketAddr> {
    static SQLITE: OnceLock<SocketAddr> = OnceLock::new();
    static POSTGRES: OnceLock<Option<SocketAddr>> = OnceLock::new();
    match backend {
        Backend::Sqlite => Some(*SQLITE.get_or_init(|| spawn_server(None))),
        Backend::Postgres => *POSTGRES.get_or_init(|| {
            let cluster = pg::PgCluster::start_or_skip()?;
            Some(spawn_server(Some(cluster)))
        }),
    }
}

/// Refuses a slot taken by another test of this binary: slots keep tests on
/// a shared server apart.
fn claim_slot(backend: Backend, slot: u32, test: &'static str) {
    static SLOTS: Mutex<Vec<(Backend, u32, &'static str)>> = Mutex::new(Vec::new());
    let mut slots = SLOTS.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, _, other)) = slots
        .iter()
        .find(|(b, s, t)| *b == backend && *s == slot && *t != test)
    {
        panic!("slot {slot} is used by {other} and {test}");
    }
    slots.push((backend, slot, test));
}

/// Today in China (UTC+8), the registry's "today".
pub fn today() -> stdfund_rules::date::Date {
    stdfund_store::Timestamp::now().unwrap().china_date()
}

/// Today plus `days` as `YYYY-MM-DD`.
pub fn day(days: i64) -> String {
    today().add_days(days).unwrap().to_string()
}

/// A ReviewClaim request approving a computed line.
pub fn approve(claim_id: i64) -> pb::ReviewClaimRequest {
    pb::ReviewClaimRequest {
        claim_id,
        decision: pb::ReviewDecision::Approve as i32,
        ..Default::default()
    }
}

/// A ReviewClaim request rejecting or returning a claim with a reason.
pub fn decide(claim_id: i64, decision: pb::ReviewDecision, reason: &str) -> pb::ReviewClaimRequest {
    pb::ReviewClaimRequest {
        claim_id,
        decision: decision as i32,
        reason: reason.to_string(),
        ..Default::default()
    }
}

/// A small PDF, JPEG and PNG (their signatures, some bytes, and the end a
/// PDF and a PNG must have).
pub fn pdf(tail: &str) -> Vec<u8> {
    format!("%PDF-1.7\n%\u{e2}\u{e3}\u{cf}\u{d3}\n{tail}\n%%EOF\n").into_bytes()
}

/// See [`pdf`].
pub fn jpeg() -> Vec<u8> {
    let mut v = vec![
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0,
    ];
    v.extend((0u8..=255).cycle().take(1000));
    v.extend([0xFF, 0xD9]);
    v
}

/// See [`pdf`].
pub fn png() -> Vec<u8> {
    let mut v = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    v.extend((0u8..=255).rev().cycle().take(777));
    v.extend([0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xAE, 0x42, 0x60, 0x82]);
    v
}

/// One test's view of a shared server: clients for every role and a slot of
/// its own — its budget year (`2100 + slot`), its credit codes and its
/// idempotency keys — so that tests running side by side never see each
/// other's claims in what they count.
pub struct Env {
    pub backend: Backend,
    pub slot: u32,
    pub year: i32,
    pub ch: Channel,
    portal: Client,
    portal2: Client,
    reviewer: Client,
    finance: Client,
    admin: Client,
}

impl Env {
    /// Connects to the binary's server on `backend`; `None` when that backend
    /// is skipped (PostgreSQL outside CI without its binaries).
    pub async fn new(backend: Backend, slot: u32, test: &'static str) -> Option<Env> {
        assert!((1..=500).contains(&slot), "slot {slot}");
        claim_slot(backend, slot, test);
        let Some(addr) = shared_server(backend) else {
            eprintln!("SKIPPED {test} on {backend:?} (not in CI, no PostgreSQL)");
            return None;
        };
        let ch = channel(addr).await;
        Some(Env {
            backend,
            slot,
            year: 2100 + i32::try_from(slot).unwrap(),
            portal: client(&ch, Some(PORTAL)),
            portal2: client(&ch, Some(PORTAL_2)),
            reviewer: client(&ch, Some(REVIEWER)),
            finance: client(&ch, Some(FINANCE)),
            admin: client(&ch, Some(ADMIN)),
            ch,
        })
    }

    /// The portal `gateway`.
    pub fn portal(&self) -> Client {
        self.portal.clone()
    }
    /// The second portal, `gateway-2`.
    pub fn portal2(&self) -> Client {
        self.portal2.clone()
    }
    /// The reviewer `reviewer-li`.
    pub fn reviewer(&self) -> Client {
        self.reviewer.clone()
    }
    /// The finance officer `finance-wang`.
    pub fn finance(&self) -> Client {
        self.finance.clone()
    }
    /// The administrator `admin-chen`.
    pub fn admin(&self) -> Client {
        self.admin.clone()
    }

    /// The `k`-th credit code of this test (valid check character).
    pub fn code(&self, k: u32) -> String {
        credit_code(self.slot * 1000 + k)
    }

    /// An idempotency key of this test.
    pub fn key(&self, name: &str) -> String {
        format!("t{}-{name}", self.slot)
    }

    /// A SubmitClaim request of this test's year.
    pub fn submit_req(&self, key: &str, app: pb::EstimateRequest) -> pb::SubmitClaimRequest {
        submit(&self.key(key), app, self.year)
    }

    /// Sets this year's budget of `payer` (`CITY` or a fiscal unit).
    pub async fn set_budget(&self, payer: &str, total: &str) -> pb::Budget {
        self.finance()
            .set_budget(pb::SetBudgetRequest {
                year: self.year,
                total: total.into(),
                payer: payer.into(),
            })
            .await
            .unwrap()
            .into_inner()
            .budget
            .unwrap()
    }

    /// This year's budget of `payer`.
    pub async fn budget(&self, payer: &str) -> pb::Budget {
        self.finance()
            .get_budget(pb::GetBudgetRequest {
                year: self.year,
                payer: payer.into(),
            })
            .await
            .unwrap()
            .into_inner()
            .budget
            .unwrap()
    }

    /// Submits `a` for the unit `code` seated in 鼓楼区 through the portal.
    pub async fn submit(&self, key: &str, code: &str, a: &Ach) -> pb::Claim {
        self.submit_at(key, code, "350102", a).await
    }

    /// Submits `a` for the unit `code` seated in `seat` through the portal.
    pub async fn submit_at(&self, key: &str, code: &str, seat: &str, a: &Ach) -> pb::Claim {
        let r = self
            .portal()
            .submit_claim(self.submit_req(key, application_at(code, seat, a)))
            .await
            .unwrap_or_else(|e| panic!("submitting {key}: {e:?}"))
            .into_inner();
        assert!(r.created, "{key} was created");
        r.claim.unwrap()
    }

    /// The claim number of a new submission.
    pub async fn submitted(&self, key: &str, code: &str, a: &Ach) -> i64 {
        self.submit(key, code, a).await.claim_id
    }

    /// A submission expected to fail.
    pub async fn submit_err(&self, key: &str, app: pb::EstimateRequest) -> Status {
        self.portal()
            .submit_claim(self.submit_req(key, app))
            .await
            .map(|r| r.into_inner())
            .unwrap_err()
    }

    /// Approves a computed line.
    pub async fn approve(&self, id: i64) -> pb::Claim {
        self.reviewer()
            .review_claim(approve(id))
            .await
            .unwrap_or_else(|e| panic!("approving {id}: {e:?}"))
            .into_inner()
            .claim
            .unwrap()
    }

    /// Approves a discretionary line at `amount`.
    pub async fn approve_at(&self, id: i64, amount: &str) -> pb::Claim {
        self.reviewer()
            .review_claim(pb::ReviewClaimRequest {
                reviewer_amount: amount.into(),
                reason: "按评审会议纪要核定".into(),
                ..approve(id)
            })
            .await
            .unwrap_or_else(|e| panic!("approving {id} at {amount}: {e:?}"))
            .into_inner()
            .claim
            .unwrap()
    }

    /// Rejects, or returns for correction, with a reason.
    pub async fn decide(&self, id: i64, d: pb::ReviewDecision, reason: &str) -> pb::Claim {
        self.reviewer()
            .review_claim(decide(id, d, reason))
            .await
            .unwrap_or_else(|e| panic!("deciding {id}: {e:?}"))
            .into_inner()
            .claim
            .unwrap()
    }

    /// Submits and approves a computed line.
    pub async fn approved(&self, key: &str, code: &str, a: &Ach) -> pb::Claim {
        let c = self.submit(key, code, a).await;
        self.approve(c.claim_id).await
    }

    /// Records a payment of `amount` (empty: the unpaid rest) dated today.
    pub async fn pay(&self, id: i64, voucher: &str, amount: &str) -> pb::Claim {
        self.finance()
            .record_disbursement(pb::RecordDisbursementRequest {
                claim_id: id,
                payment_date: day(0),
                voucher_number: voucher.into(),
                amount: amount.into(),
                payer: String::new(),
            })
            .await
            .unwrap_or_else(|e| panic!("paying {id}: {e:?}"))
            .into_inner()
            .claim
            .unwrap()
    }

    /// GetClaim as a reviewer reads it: the claim and the notices beside it.
    pub async fn reviewed(&self, id: i64) -> pb::GetClaimResponse {
        get_claim(self.reviewer(), id).await
    }

    /// A claim as the administrator sees it (full view).
    pub async fn claim(&self, id: i64) -> pb::Claim {
        get_claim(self.admin(), id).await.claim.unwrap()
    }

    /// Every audit entry matching `filter`, read page by page as `c`.
    pub async fn audit(
        &self,
        c: &mut Client,
        filter: pb::ListAuditLogRequest,
    ) -> Result<Vec<pb::AuditEntry>, Status> {
        let mut out = Vec::new();
        let mut token = String::new();
        loop {
            let page = c
                .list_audit_log(pb::ListAuditLogRequest {
                    page_token: token.clone(),
                    ..filter.clone()
                })
                .await?
                .into_inner();
            out.extend(page.entries);
            if page.next_page_token.is_empty() {
                return Ok(out);
            }
            token = page.next_page_token;
        }
    }

    /// A claim's audit entries as the administrator reads them.
    pub async fn history(&self, claim_id: i64) -> Vec<pb::AuditEntry> {
        self.audit(
            &mut self.admin(),
            pb::ListAuditLogRequest {
                claim_id,
                ..Default::default()
            },
        )
        .await
        .unwrap()
    }

    /// The claims of this year, as the administrator lists them.
    pub async fn claims_of_year(&self) -> Vec<pb::Claim> {
        self.admin()
            .list_claims(pb::ListClaimsRequest {
                year: self.year,
                page_size: 500,
                view: pb::ClaimView::Summary as i32,
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner()
            .claims
    }
}

/// The (action, actor, role) of audit entries, for comparison.
pub fn trail(entries: &[pb::AuditEntry]) -> Vec<(pb::AuditAction, String, pb::AccessRole)> {
    entries
        .iter()
        .map(|e| {
            (
                pb::AuditAction::try_from(e.action).unwrap(),
                e.actor.clone(),
                pb::AccessRole::try_from(e.role).unwrap(),
            )
        })
        .collect()
}

/// GetClaim (full view) by `client`'s caller.
pub async fn get_claim(mut client: Client, id: i64) -> pb::GetClaimResponse {
    client
        .get_claim(pb::GetClaimRequest {
            claim_id: id,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
}

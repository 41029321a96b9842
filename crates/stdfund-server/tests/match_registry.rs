//! 免申即享 against a real registry: a running `stdfund serve` (the real
//! binary, on SQLite and on a throwaway PostgreSQL cluster), `stdfund match
//! --database-url` reading the registry's held one-time keys, the drafts it
//! writes submitted with SubmitClaim, and MatchService over gRPC on the same
//! fixtures (`tests/match/`, figures worked out in its README).
//!
//! The one-time rule, end to end: every draft is accepted once; the same
//! draft again returns the same claim; the same achievement under another
//! idempotency key, or typed differently, is ALREADY_GRANTED; a key the
//! registry holds is never proposed.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod ops_support;
mod registry_support;

use ops_support::Serve;
use prost::Message;
use registry_support as s;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use stdfund_proto::pb;
use stdfund_proto::pb::match_response::Event;
use stdfund_proto::pb::match_service_client::MatchServiceClient;
use tonic::Code;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// `stdfund` with no inherited STDFUND_* settings, in the workspace root.
fn stdfund() -> Command {
    let mut c = ops_support::stdfund();
    c.current_dir(ROOT);
    c
}

const FEEDS: [(&str, pb::FeedKind); 5] = [
    ("standards.csv", pb::FeedKind::Standards),
    ("awards.csv", pb::FeedKind::Awards),
    ("committees.csv", pb::FeedKind::Committees),
    ("pilots.csv", pb::FeedKind::Pilots),
    ("gi.csv", pb::FeedKind::GeographicalIndications),
];

/// `stdfund match` on the fixtures, reading the held keys from the registry.
/// Answers its standard output and the drafts it wrote.
fn match_cli(database_url: &str, out: &Path) -> (String, Vec<String>) {
    let mut args: Vec<String> = vec![
        "match".into(),
        "--register".into(),
        "tests/match/register.csv".into(),
    ];
    for (file, kind) in FEEDS {
        let flag = match kind {
            pb::FeedKind::Standards => "--standards",
            pb::FeedKind::Awards => "--awards",
            pb::FeedKind::Committees => "--committees",
            pb::FeedKind::Pilots => "--pilots",
            _ => "--gi",
        };
        args.push(flag.into());
        args.push(format!("tests/match/{file}"));
    }
    args.extend([
        "--database-url".into(),
        database_url.into(),
        "--out".into(),
        out.display().to_string(),
        "--format".into(),
        "csv".into(),
    ]);
    let o = stdfund().args(&args).output().unwrap();
    let stdout = String::from_utf8(o.stdout).unwrap();
    assert!(
        o.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let drafts = std::fs::read_to_string(out.join("drafts.ndjson"))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    (stdout, drafts)
}

/// A draft line (proto3 JSON) as the message a client sends.
fn draft_message(json: &str) -> pb::SubmitClaimRequest {
    let pool = prost_reflect::DescriptorPool::decode(stdfund_proto::FILE_DESCRIPTOR_SET).unwrap();
    let desc = pool
        .get_message_by_name("stdfund.v1.SubmitClaimRequest")
        .unwrap();
    let mut de = serde_json::Deserializer::from_str(json);
    let dynamic = prost_reflect::DynamicMessage::deserialize(desc, &mut de).unwrap();
    pb::SubmitClaimRequest::decode(dynamic.encode_to_vec().as_slice()).unwrap()
}

/// Adds `authorization: Bearer <token>` to each call, when there is one.
#[derive(Clone)]
struct Token(Option<tonic::metadata::MetadataValue<tonic::metadata::Ascii>>);

impl tonic::service::Interceptor for Token {
    fn call(&mut self, mut req: tonic::Request<()>) -> Result<tonic::Request<()>, tonic::Status> {
        if let Some(v) = &self.0 {
            req.metadata_mut().insert("authorization", v.clone());
        }
        Ok(req)
    }
}

type Matcher = MatchServiceClient<InterceptedService<Channel, Token>>;

fn match_client(channel: &Channel, token: Option<&str>) -> Matcher {
    let header =
        token.map(|t| tonic::metadata::MetadataValue::try_from(format!("Bearer {t}")).unwrap());
    MatchServiceClient::with_interceptor(channel.clone(), Token(header))
}

fn file(kind: pb::FeedKind, name: &str) -> pb::MatchRequest {
    let content = std::fs::read(Path::new(ROOT).join("tests/match").join(name)).unwrap();
    file_of(kind, name, content)
}

/// A file of the match stream, its format from its name.
fn file_of(kind: pb::FeedKind, name: &str, content: Vec<u8>) -> pb::MatchRequest {
    pb::MatchRequest {
        input: Some(pb::match_request::Input::File(pb::FeedFile {
            kind: kind as i32,
            name: name.into(),
            format: pb::FeedFileFormat::Unspecified as i32,
            content,
        })),
    }
}

/// The fixtures as a match stream: the register, then every list.
fn fixture_stream() -> Vec<pb::MatchRequest> {
    let mut v = vec![file(pb::FeedKind::Register, "register.csv")];
    v.extend(FEEDS.iter().map(|(name, kind)| file(*kind, name)));
    v
}

/// Runs a match; the events, or the status that ended the stream.
async fn run_match(
    client: &mut Matcher,
    input: Vec<pb::MatchRequest>,
) -> Result<Vec<Event>, tonic::Status> {
    let mut stream = client
        .r#match(tokio_stream::iter(input))
        .await?
        .into_inner();
    let mut events = Vec::new();
    while let Some(m) = stream.message().await? {
        events.push(m.event.unwrap());
    }
    Ok(events)
}

fn summary(events: &[Event]) -> pb::MatchSummary {
    match events.last() {
        Some(Event::Summary(s)) => s.clone(),
        other => panic!("the last event is not the summary: {other:?}"),
    }
}

fn proposals(events: &[Event]) -> Vec<pb::MatchProposal> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Proposal(p) => Some(p.clone()),
            _ => None,
        })
        .collect()
}

fn temp_dir(stem: &str) -> PathBuf {
    let d = s::temp_path(stem, "d");
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The claim the registry already holds before the night's match: 福州佳和包装's
/// lead of GB/T 41010-2021 (the fixture's held key), typed as a clerk would.
fn held_claim() -> pb::SubmitClaimRequest {
    s::submit(
        "held-before-match",
        pb::EstimateRequest {
            applicant: Some(pb::Applicant {
                credit_code: "91350104MA2F9E2G08".into(),
                name: "福州佳和包装有限公司".into(),
                seat: "350104".into(),
            }),
            achievements: vec![pb::Achievement {
                id: "a1".into(),
                item: "STANDARD_LEAD".into(),
                variant: "NATIONAL".into(),
                subject: "gb/t 41010—2021".into(),
                date: "2021-06-01".into(),
                role: pb::Role::Lead as i32,
                ..pb::Achievement::default()
            }],
            ..pb::EstimateRequest::default()
        },
        2021,
    )
}

/// The night's match and the drafts submitted, against the server at `addr`
/// over the database at `url`.
async fn nightly_match(url: &str, addr: &str) {
    let channel = s::channel(addr.parse().unwrap()).await;
    let mut portal = s::client(&channel, Some(s::PORTAL));
    let mut portal_2 = s::client(&channel, Some(s::PORTAL_2));
    let held = portal
        .submit_claim(held_claim())
        .await
        .unwrap()
        .into_inner();
    let held_id = held.claim.unwrap().claim_id;

    // The command reads the held key from the registry: the hand-worked
    // figures of tests/match/README.md, which used held-keys.txt.
    let out = temp_dir("match-1");
    let (stdout, drafts) = match_cli(url, &out);
    assert!(
        stdout.contains("应通知企业 Enterprises to notify: 8; 预填申报 Draft claims: 13; 预计金额 Estimated total: 2640000.00 元 yuan"),
        "{stdout}"
    );
    assert!(stdout.contains("): 1\n"), "{stdout}");
    assert_eq!(drafts.len(), 13);

    // MatchService proposes exactly the drafts the command wrote.
    let mut reviewer = match_client(&channel, Some(s::REVIEWER));
    let events = run_match(&mut reviewer, fixture_stream()).await.unwrap();
    let sum = summary(&events);
    assert_eq!(
        (sum.enterprises, sum.proposed_claims, sum.total.as_str()),
        (8, 13, "2640000.00")
    );
    assert_eq!((sum.already_held, sum.held_keys), (1, 1));
    let from_service: BTreeSet<Vec<u8>> = proposals(&events)
        .iter()
        .flat_map(|p| p.claims.iter())
        .map(|c| c.draft.clone().unwrap().encode_to_vec())
        .collect();
    let from_cli: BTreeSet<Vec<u8>> = drafts
        .iter()
        .map(|d| draft_message(d).encode_to_vec())
        .collect();
    assert_eq!(from_service, from_cli);

    // Every draft is accepted once, as a new claim.
    let mut ids = BTreeSet::new();
    let mut first = None;
    for d in &drafts {
        let request = draft_message(d);
        let claim = portal
            .submit_claim(request.clone())
            .await
            .unwrap_or_else(|e| panic!("{d}: {e:?}"))
            .into_inner()
            .claim
            .unwrap();
        assert!(ids.insert(claim.claim_id));
        first.get_or_insert((request, claim.claim_id));
    }
    let (request, first_id) = first.unwrap();
    // The same draft again: the same claim (idempotent).
    let again = portal
        .submit_claim(request.clone())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(again.claim.unwrap().claim_id, first_id);
    // Another submitter with the same draft: already granted (without the
    // id of a claim it cannot read, R24).
    let e = portal_2.submit_claim(request.clone()).await.unwrap_err();
    let meta = s::expect_error(&e, Code::AlreadyExists, "ALREADY_GRANTED");
    assert!(!meta.contains_key("existingClaimId"), "{meta:?}");
    // The same achievement typed differently, under another key: the same
    // canonical one-time key, already granted.
    let mut retyped = request.clone();
    retyped.idempotency_key = "retyped-by-hand".into();
    let app = retyped.application.as_mut().unwrap();
    let a = &mut app.achievements[0];
    a.subject = a.subject.to_lowercase().replace('-', "—");
    a.id = "typed-again".into();
    let e = portal.submit_claim(retyped).await.unwrap_err();
    let meta = s::expect_error(&e, Code::AlreadyExists, "ALREADY_GRANTED");
    assert_eq!(meta["existingClaimId"], first_id.to_string());
    // The held claim's key, resubmitted from another portal, is refused too.
    let e = portal_2.submit_claim(held_claim()).await.unwrap_err();
    let meta = s::expect_error(&e, Code::AlreadyExists, "ALREADY_GRANTED");
    assert!(!meta.contains_key("existingClaimId"), "{meta:?}");
    let mut admin = s::client(&channel, Some(s::ADMIN));
    let e = admin.submit_claim(held_claim()).await.unwrap_err();
    let meta = s::expect_error(&e, Code::AlreadyExists, "ALREADY_GRANTED");
    assert_eq!(meta["existingClaimId"], held_id.to_string());

    // The next night: nothing the registry holds is proposed again.
    let out = temp_dir("match-2");
    let (stdout, drafts) = match_cli(url, &out);
    assert!(drafts.is_empty(), "{drafts:?}");
    assert!(
        stdout.contains("预填申报 Draft claims: 0;")
            && stdout.contains("已登记排除 Already held: 14"),
        "{stdout}"
    );
    assert!(stdout.contains("): 14\n"), "{stdout}");
    let events = run_match(&mut reviewer, fixture_stream()).await.unwrap();
    let sum = summary(&events);
    assert_eq!(
        (sum.proposed_claims, sum.already_held, sum.held_keys),
        (0, 14, 14)
    );
    assert!(proposals(&events).is_empty());
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn drafts_of_the_nightly_match_meet_the_one_time_rule_on_sqlite() {
    let url = s::sqlite_url();
    let tokens = s::tokens_file();
    let server = Serve::start(
        &[
            "--database-url",
            &url,
            "--tokens-file",
            &tokens.display().to_string(),
        ],
        &[],
    )
    .unwrap_or_else(|f| panic!("serve did not start: {f:?}"));
    let addr = server.addr.clone();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(nightly_match(&url, &addr));
    drop(rt);
    server.stop();
}

#[test]
fn drafts_of_the_nightly_match_meet_the_one_time_rule_on_postgres() {
    let Some(cluster) = s::pg::PgCluster::start_or_skip() else {
        return;
    };
    let url = cluster.url("postgres");
    let tokens = s::tokens_file();
    let server = Serve::start(
        &[
            "--database-url",
            &url,
            "--tokens-file",
            &tokens.display().to_string(),
        ],
        &[],
    )
    .unwrap_or_else(|f| panic!("serve did not start: {f:?}"));
    let addr = server.addr.clone();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(nightly_match(&url, &addr));
    drop(rt);
    server.stop();
}

#[test]
fn the_command_names_a_registry_it_cannot_read() {
    let out = temp_dir("match-unreadable");
    let missing = s::temp_path("missing", "sqlite");
    let o = stdfund()
        .args([
            "match",
            "--register",
            "tests/match/register.csv",
            "--standards",
            "tests/match/standards.csv",
            "--database-url",
            &format!("sqlite://{}", missing.display()),
            "--out",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("REGISTRY_UNREADABLE"), "{err}");
    // Nothing was created where the database was expected.
    assert!(!missing.exists());
    assert!(!out.join("drafts.ndjson").exists());
}

/// An in-process server for the service's refusals.
async fn in_process() -> (stdfund_server::server::Running, Channel) {
    let server = s::start(&s::sqlite_url()).await;
    let channel = s::channel(server.addr()).await;
    (server, channel)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_reviewers_and_admins_may_match() {
    let (server, channel) = in_process().await;
    for token in [s::PORTAL, s::FINANCE] {
        let e = run_match(&mut match_client(&channel, Some(token)), fixture_stream())
            .await
            .unwrap_err();
        s::expect_error(&e, Code::PermissionDenied, "PERMISSION_DENIED");
    }
    let e = run_match(&mut match_client(&channel, None), fixture_stream())
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::Unauthenticated);
    for token in [s::REVIEWER, s::ADMIN] {
        let events = run_match(&mut match_client(&channel, Some(token)), fixture_stream())
            .await
            .unwrap();
        // Without held keys: the held fixture is proposed as well.
        assert_eq!(summary(&events).proposed_claims, 14, "{token}");
    }
    server.shutdown().await.unwrap();
}

fn rows_of(csv_name: &str, kind: pb::FeedKind, skip: usize) -> pb::MatchRequest {
    let text = std::fs::read_to_string(Path::new(ROOT).join("tests/match").join(csv_name)).unwrap();
    let all: Vec<Vec<String>> = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    let mut records = all.into_iter().skip(skip);
    let header = records.next().unwrap();
    pb::MatchRequest {
        input: Some(pb::match_request::Input::Rows(pb::FeedRows {
            kind: kind as i32,
            source: csv_name.into(),
            header,
            rows: records.map(|cells| pb::FeedRow { cells }).collect(),
            first_row: u32::try_from(skip).unwrap().saturating_add(2),
        })),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_match_as_files_do_with_progress_reviews_and_options() {
    let (server, channel) = in_process().await;
    let mut reviewer = match_client(&channel, Some(s::REVIEWER));
    let from_files = run_match(&mut reviewer, fixture_stream()).await.unwrap();
    // The same lists as rows (the standards list has a title row above its
    // header), after options.
    let mut input = vec![pb::MatchRequest {
        input: Some(pb::match_request::Input::Options(pb::MatchOptions {
            year: 2022,
            omit_review: false,
        })),
    }];
    input.push(rows_of("register.csv", pb::FeedKind::Register, 0));
    input.push(rows_of("standards.csv", pb::FeedKind::Standards, 1));
    for (name, kind) in FEEDS.iter().skip(1) {
        input.push(file(*kind, name));
    }
    let from_rows = run_match(&mut reviewer, input).await.unwrap();
    assert_eq!(summary(&from_rows), summary(&from_files));
    // One progress event per input message, in order, then the results.
    let progress: Vec<(i32, u32)> = from_rows
        .iter()
        .filter_map(|e| match e {
            Event::Progress(p) => Some((p.kind, p.rows)),
            _ => None,
        })
        .collect();
    assert_eq!(progress.len(), 6);
    assert_eq!(progress[0].0, pb::FeedKind::Register as i32);
    assert_eq!(progress[1], (pb::FeedKind::Standards as i32, 12));
    assert!(matches!(from_rows[6], Event::Proposal(_)));
    // The budget year of the options is in every draft.
    for p in proposals(&from_rows) {
        for c in &p.claims {
            assert_eq!(c.draft.as_ref().unwrap().year, 2022);
            assert!(matches!(
                pb::MatchOutcome::try_from(c.outcome).unwrap(),
                pb::MatchOutcome::ExactCode | pb::MatchOutcome::ExactName
            ));
            assert!(c.row > 0 && c.rank > 0 && !c.one_time_key.is_empty());
        }
    }
    // Review items: every fuzzy, ambiguous and unmatched unit, with candidates.
    let reviews: Vec<pb::MatchReviewItem> = from_rows
        .iter()
        .filter_map(|e| match e {
            Event::Review(r) => Some(r.clone()),
            _ => None,
        })
        .collect();
    let ambiguous = reviews
        .iter()
        .find(|r| r.listed_name == "福州华兴食品有限公司")
        .unwrap();
    assert_eq!(ambiguous.outcome, pb::MatchOutcome::Ambiguous as i32);
    assert_eq!(ambiguous.candidates.len(), 2);
    assert_eq!(ambiguous.source, "standards.csv");
    assert_eq!(ambiguous.row, 10);
    assert!(
        reviews
            .iter()
            .any(|r| r.outcome == pb::MatchOutcome::Fuzzy as i32 && r.basis == "BRANCH_OF_COMPANY")
    );
    // Without review items.
    let mut input = vec![pb::MatchRequest {
        input: Some(pb::match_request::Input::Options(pb::MatchOptions {
            year: 0,
            omit_review: true,
        })),
    }];
    input.extend(fixture_stream());
    let quiet = run_match(&mut reviewer, input).await.unwrap();
    assert!(!quiet.iter().any(|e| matches!(e, Event::Review(_))));
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_have_stable_codes() {
    let (server, channel) = in_process().await;
    let mut reviewer = match_client(&channel, Some(s::REVIEWER));
    let register = || file(pb::FeedKind::Register, "register.csv");
    let standards = || file(pb::FeedKind::Standards, "standards.csv");
    let options = || pb::MatchRequest {
        input: Some(pb::match_request::Input::Options(
            pb::MatchOptions::default(),
        )),
    };
    let cases: Vec<(Vec<pb::MatchRequest>, Code, &str)> = vec![
        (
            vec![standards(), register()],
            Code::FailedPrecondition,
            "REGISTER_MISSING",
        ),
        (
            vec![register(), standards(), register()],
            Code::FailedPrecondition,
            "REGISTER_AFTER_FEEDS",
        ),
        (vec![register()], Code::FailedPrecondition, "FEEDS_MISSING"),
        (
            vec![register(), options(), standards()],
            Code::FailedPrecondition,
            "OPTIONS_NOT_FIRST",
        ),
        (
            vec![
                pb::MatchRequest {
                    input: Some(pb::match_request::Input::Options(pb::MatchOptions {
                        year: 1999,
                        omit_review: false,
                    })),
                },
                register(),
                standards(),
            ],
            Code::InvalidArgument,
            "INVALID_YEAR",
        ),
        (
            vec![file(pb::FeedKind::Unspecified, "register.csv")],
            Code::InvalidArgument,
            "FEED_KIND_MISSING",
        ),
        (
            // The awards list read as a register: its header is not there.
            vec![file(pb::FeedKind::Register, "awards.csv")],
            Code::InvalidArgument,
            "HEADER_NOT_FOUND",
        ),
        (
            vec![
                register(),
                file_of(pb::FeedKind::Standards, "list.pdf", b"%PDF".to_vec()),
            ],
            Code::InvalidArgument,
            "UNSUPPORTED_FORMAT",
        ),
        (
            // A workbook of 1.5 KB with values in A1 and XFD1048576, which a
            // dense reading would make 17 billion cells: refused, and the
            // server answers the cases after it.
            vec![
                register(),
                file_of(pb::FeedKind::Standards, "standards.xlsx", {
                    let mut book = rust_xlsxwriter::Workbook::new();
                    let sheet = book.add_worksheet();
                    sheet.write_string(0, 0, "x").unwrap();
                    sheet.write_string(1_048_575, 16_383, "y").unwrap();
                    book.save_to_buffer().unwrap()
                }),
            ],
            Code::InvalidArgument,
            "SHEET_TOO_LARGE",
        ),
        (vec![register()], Code::FailedPrecondition, "FEEDS_MISSING"),
    ];
    for (input, code, reason) in cases {
        let e = run_match(&mut reviewer, input).await.unwrap_err();
        s::expect_error(&e, code, reason);
    }
    // Bad rows: every one is named, with its source and row.
    let mut bad = rows_of("standards.csv", pb::FeedKind::Standards, 1);
    if let Some(pb::match_request::Input::Rows(r)) = &mut bad.input {
        r.rows[2].cells[5] = "2021-02-30".into();
        r.rows[4].cells[1] = String::new();
    }
    let e = run_match(&mut reviewer, vec![register(), bad])
        .await
        .unwrap_err();
    let meta = s::expect_error(&e, Code::InvalidArgument, "INVALID_DATE");
    assert_eq!(meta["source"], "standards.csv");
    assert_eq!(meta["row"], "5");
    assert_eq!(meta["errors"], "2");
    use tonic_types::{ErrorDetail, StatusExt};
    let fields: Vec<String> = e
        .get_error_details_vec()
        .into_iter()
        .find_map(|d| match d {
            ErrorDetail::BadRequest(b) => Some(b.field_violations),
            _ => None,
        })
        .unwrap()
        .into_iter()
        .map(|v| format!("{} {}", v.field, v.reason))
        .collect();
    assert_eq!(
        fields,
        [
            "standards.csv:5 INVALID_DATE",
            "standards.csv:7 MISSING_VALUE"
        ]
    );
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_match_larger_than_the_limit_is_refused() {
    use stdfund_proto::pb::match_service_server::MatchServiceServer;
    let store = s::sqlite_store().await;
    let tokens = stdfund_server::auth::Tokens::load(&s::tokens_file()).unwrap();
    let registry = stdfund_server::registry::Registry::new(store, tokens).unwrap();
    // The fixture register has 18 rows, the standards list 12: over 20.
    let service = MatchServiceServer::new(stdfund_server::match_service::Matches::with_limit(
        registry, 20,
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(service)
            .serve_with_incoming_shutdown(
                tokio_stream::wrappers::TcpListenerStream::new(listener),
                async {
                    let _ = stop_rx.await;
                },
            ),
    );
    let channel = s::channel(addr).await;
    let e = run_match(
        &mut match_client(&channel, Some(s::ADMIN)),
        fixture_stream(),
    )
    .await
    .unwrap_err();
    let meta = s::expect_error(&e, Code::ResourceExhausted, "MATCH_TOO_LARGE");
    assert_eq!(meta["limit"], "20");
    let _ = stop_tx.send(());
    task.await.unwrap().unwrap();
}

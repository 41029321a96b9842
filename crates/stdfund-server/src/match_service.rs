//! MatchService (`proto/stdfund/v1/match_service.proto`): 免申即享 for the
//! government service platform, over a stream.
//!
//! The platform streams options, the enterprise register and the published
//! lists (whole CSV/XLSX files, or rows of the documented layouts); the
//! service reads each message with the readers of `stdfund match`
//! (`stdfund_match::table`, `stdfund_match::feed`), matches list rows as they
//! arrive, and — when the client ends its stream — reads the one-time keys
//! the registry's store holds, assesses each enterprise
//! (`stdfund_match::Matcher::finish`, the rules engine through the typed
//! core) and streams one proposal per enterprise with payable achievements,
//! the review items and a summary. Nothing here decides a rule or a match.
//!
//! Roles: reviewer and admin ([`MATCH_ROLES`]): a match reads the whole
//! register and the registry's holdings. The work runs on a blocking thread
//! (matching and estimating are CPU-bound), reading the request stream from
//! there; a client that goes away stops it.

use crate::auth::Role;
use crate::registry::Registry;
use crate::registry_error::RegistryError;
use crate::status::{LOCALE_EN, LOCALE_ZH};
use std::collections::{BTreeSet, HashMap};
use stdfund_match::feed::{self, FeedKind};
use stdfund_match::pipeline::{Disposition, Mention};
use stdfund_match::report;
use stdfund_match::table::{Cell, Sheet};
use stdfund_match::{FileFormat, InputError, Matcher, Options, Outcome, RegisterIndex};
use stdfund_proto::ERROR_DOMAIN;
use stdfund_proto::pb;
use stdfund_proto::pb::match_request::Input;
use stdfund_proto::pb::match_response::Event;
use stdfund_proto::pb::match_service_server::MatchService;
use stdfund_store::AnyStore;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Code, Request, Response, Status, Streaming};
use tonic_types::{
    BadRequest, ErrorDetail, ErrorInfo, FieldViolation, LocalizedMessage, StatusExt,
};

/// The roles that may run a match.
pub const MATCH_ROLES: &[Role] = &[Role::Reviewer, Role::Admin];

/// Most rows (register and lists together) one call matches.
pub const MAX_MATCH_ROWS: usize = 1_000_000;

/// Most row errors listed in one status.
const MAX_VIOLATIONS: usize = 100;

/// Events buffered towards a slow client.
const BUFFER: usize = 64;

/// The MatchService implementation, over the registry (its tokens and store).
#[derive(Clone, Debug)]
pub struct Matches {
    registry: Registry,
    max_rows: usize,
}

impl Matches {
    /// The service over the registry's tokens and store.
    pub fn new(registry: Registry) -> Matches {
        Matches::with_limit(registry, MAX_MATCH_ROWS)
    }

    /// The service with another row limit (tests).
    pub fn with_limit(registry: Registry, max_rows: usize) -> Matches {
        Matches { registry, max_rows }
    }
}

/// A status with the registry's details: `ErrorInfo` (reason, domain,
/// `messageZh`, `messageEn` and `metadata`), a `BadRequest` violation per
/// entry of `violations`, and the two `LocalizedMessage`s.
fn status(
    code: Code,
    reason: &str,
    zh: String,
    en: String,
    metadata: Vec<(&'static str, String)>,
    violations: Vec<FieldViolation>,
) -> Status {
    let mut meta: HashMap<String, String> = HashMap::new();
    meta.insert("messageZh".into(), zh.clone());
    meta.insert("messageEn".into(), en.clone());
    for (k, v) in metadata {
        meta.insert(k.into(), v);
    }
    let mut details = vec![ErrorDetail::ErrorInfo(ErrorInfo::new(
        reason,
        ERROR_DOMAIN,
        meta,
    ))];
    if !violations.is_empty() {
        details.push(ErrorDetail::BadRequest(BadRequest::new(violations)));
    }
    details.push(ErrorDetail::LocalizedMessage(LocalizedMessage::new(
        LOCALE_ZH, zh,
    )));
    details.push(ErrorDetail::LocalizedMessage(LocalizedMessage::new(
        LOCALE_EN,
        en.clone(),
    )));
    Status::with_error_details_vec(code, en, details)
}

fn precondition(reason: &str, zh: &str, en: &str) -> Status {
    status(
        Code::FailedPrecondition,
        reason,
        zh.into(),
        en.into(),
        Vec::new(),
        Vec::new(),
    )
}

/// The status of an input that cannot be read: the first error's code as
/// the reason, its place in the metadata, a violation per bad row.
fn unreadable(source: &str, errors: &[InputError]) -> Status {
    let Some(first) = errors.first() else {
        return status(
            Code::InvalidArgument,
            "FILE_UNREADABLE",
            format!("{source}无法读取"),
            format!("{source} cannot be read"),
            vec![("source", source.to_string())],
            Vec::new(),
        );
    };
    let mut metadata = vec![("source", source.to_string())];
    if let Some(row) = first.row {
        metadata.push(("row", row.to_string()));
    }
    if let Some(column) = &first.column {
        metadata.push(("column", column.clone()));
    }
    metadata.push(("errors", errors.len().to_string()));
    let violations = errors
        .iter()
        .take(MAX_VIOLATIONS)
        .map(|e| FieldViolation {
            field: match e.row {
                Some(r) => format!("{source}:{r}"),
                None => source.to_string(),
            },
            description: e.display_in(source),
            reason: e.code.to_string(),
            localized_message: Some(LocalizedMessage::new(LOCALE_ZH, e.message_zh.clone())),
        })
        .collect();
    status(
        Code::InvalidArgument,
        first.code,
        first.zh_in(source),
        first.en_in(source),
        metadata,
        violations,
    )
}

fn too_large(limit: usize) -> Status {
    status(
        Code::ResourceExhausted,
        "MATCH_TOO_LARGE",
        format!("一次匹配最多{limit}行(企业名录与清单合计)"),
        format!("a match reads at most {limit} rows (register and lists together)"),
        vec![("limit", limit.to_string())],
        Vec::new(),
    )
}

fn kind_of(n: i32) -> Result<FeedKind, Status> {
    match pb::FeedKind::try_from(n).unwrap_or(pb::FeedKind::Unspecified) {
        pb::FeedKind::Register => Ok(FeedKind::Register),
        pb::FeedKind::Standards => Ok(FeedKind::Standards),
        pb::FeedKind::Awards => Ok(FeedKind::Awards),
        pb::FeedKind::Committees => Ok(FeedKind::Committees),
        pb::FeedKind::Pilots => Ok(FeedKind::Pilots),
        pb::FeedKind::GeographicalIndications => Ok(FeedKind::GeographicalIndications),
        pb::FeedKind::Unspecified => Err(status(
            Code::InvalidArgument,
            "FEED_KIND_MISSING",
            "未说明清单类别(kind)".into(),
            "the input's kind is not set".into(),
            vec![("field", "kind".into())],
            Vec::new(),
        )),
    }
}

fn kind_pb(kind: FeedKind) -> pb::FeedKind {
    match kind {
        FeedKind::Register => pb::FeedKind::Register,
        FeedKind::Standards => pb::FeedKind::Standards,
        FeedKind::Awards => pb::FeedKind::Awards,
        FeedKind::Committees => pb::FeedKind::Committees,
        FeedKind::Pilots => pb::FeedKind::Pilots,
        FeedKind::GeographicalIndications => pb::FeedKind::GeographicalIndications,
    }
}

/// One input message as sheets: its kind, its source name and its cells.
fn sheets_of(input: Input, n: usize) -> Result<(FeedKind, String, Vec<Sheet>), Status> {
    match input {
        Input::File(f) => {
            let kind = kind_of(f.kind)?;
            let source = if f.name.trim().is_empty() {
                format!("file-{n}")
            } else {
                f.name.trim().to_string()
            };
            let format = match pb::FeedFileFormat::try_from(f.format)
                .unwrap_or(pb::FeedFileFormat::Unspecified)
            {
                pb::FeedFileFormat::Csv => FileFormat::Csv,
                pb::FeedFileFormat::Xlsx => FileFormat::Xlsx,
                pb::FeedFileFormat::Unspecified => {
                    FileFormat::from_name(&source).ok_or_else(|| {
                        unreadable(
                            &source,
                            &[InputError::file(
                                "UNSUPPORTED_FORMAT",
                                "无法从文件名判断格式:请用 .csv、.xlsx,或设置 format",
                                "cannot tell the format from the file name: use .csv or .xlsx, or set format",
                            )],
                        )
                    })?
                }
            };
            let sheets = {
                // One workbook is unpacked at a time, whatever the number of
                // matches running: an XLS is made a dense grid while it is
                // opened (up to 1.5 GB for a 6 KB file with a value in
                // IV65536, docs/DECISIONS.md B13), and concurrent matches
                // must not multiply that. Reading a feed takes milliseconds.
                static READING: std::sync::Mutex<()> = std::sync::Mutex::new(());
                let _one = READING
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                stdfund_match::table::read(format, &f.content)
            }
            .map_err(|e| unreadable(&source, &[e]))?;
            Ok((kind, source, sheets))
        }
        Input::Rows(r) => {
            let kind = kind_of(r.kind)?;
            let source = if r.source.trim().is_empty() {
                format!("rows-{n}")
            } else {
                r.source.trim().to_string()
            };
            let text = |c: String| {
                if c.is_empty() {
                    Cell::Empty
                } else {
                    Cell::Text(c)
                }
            };
            let mut rows = Vec::with_capacity(r.rows.len().saturating_add(1));
            rows.push(r.header.into_iter().map(text).collect());
            rows.extend(
                r.rows
                    .into_iter()
                    .map(|row| row.cells.into_iter().map(text).collect()),
            );
            let first = if r.first_row == 0 { 2 } else { r.first_row };
            Ok((
                kind,
                source.clone(),
                vec![Sheet {
                    name: source,
                    first_row: first.saturating_sub(1).max(1),
                    rows,
                }],
            ))
        }
        Input::Options(_) => Err(precondition(
            "OPTIONS_NOT_FIRST",
            "选项只能作为第一条消息",
            "options may only be the first message",
        )),
    }
}

fn outcome_pb(o: &Outcome) -> pb::MatchOutcome {
    match o {
        Outcome::ExactCode { .. } => pb::MatchOutcome::ExactCode,
        Outcome::ExactName { .. } => pb::MatchOutcome::ExactName,
        Outcome::Fuzzy { .. } => pb::MatchOutcome::Fuzzy,
        Outcome::Ambiguous { .. } => pb::MatchOutcome::Ambiguous,
        Outcome::None { .. } => pb::MatchOutcome::None,
    }
}

fn role_pb(role: Option<&str>) -> i32 {
    match role {
        Some("ROLE_LEAD") => pb::Role::Lead as i32,
        Some("ROLE_PARTICIPANT") => pb::Role::Participant as i32,
        _ => pb::Role::Unspecified as i32,
    }
}

fn draft_pb(d: &stdfund_match::pipeline::Draft) -> pb::SubmitClaimRequest {
    let r = &d.request;
    let a = &r.application;
    pb::SubmitClaimRequest {
        idempotency_key: r.idempotency_key.clone(),
        application: Some(pb::EstimateRequest {
            applicant: Some(pb::Applicant {
                credit_code: a.applicant.credit_code.clone(),
                name: a.applicant.name.clone(),
                seat: a.applicant.seat.clone(),
            }),
            achievements: a
                .achievements
                .iter()
                .map(|x| pb::Achievement {
                    id: x.id.clone(),
                    item: x.item.clone(),
                    variant: x.variant.clone(),
                    subject: x.subject.clone(),
                    date: x.date.clone(),
                    role: role_pb(x.role.as_deref()),
                    accepted: x.accepted,
                    approved: x.approved,
                    higher_level_funding: Vec::new(),
                })
                .collect(),
            ..pb::EstimateRequest::default()
        }),
        confirm_credit_code: r.confirm_credit_code,
        year: r.year,
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn enterprise_pb(
    e: &stdfund_match::Enterprise,
    applicant: Option<&stdfund_match::rules_adapter::EstimatedApplicant>,
) -> pb::MatchedEnterprise {
    pb::MatchedEnterprise {
        credit_code: e.credit_code.clone(),
        name: e.name.clone(),
        seat: e.seat.clone(),
        fiscal_unit: applicant.map(|a| a.fiscal_unit.clone()).unwrap_or_default(),
        fiscal_unit_name_zh: applicant
            .map(|a| a.fiscal_unit_name_zh.clone())
            .unwrap_or_default(),
        fiscal_unit_name_en: applicant
            .map(|a| a.fiscal_unit_name_en.clone())
            .unwrap_or_default(),
        register_row: e.row,
    }
}

fn review_pb(m: &Mention, index: &RegisterIndex) -> pb::MatchReviewItem {
    let (zh, en) = m.outcome.explain();
    pb::MatchReviewItem {
        outcome: outcome_pb(&m.outcome) as i32,
        basis: m.outcome.basis_code().into(),
        explanation_zh: zh.into(),
        explanation_en: en.into(),
        confidence: u32::from(m.outcome.confidence()),
        source: m.source.clone(),
        row: m.row,
        rank: u32::from(m.rank),
        listed_name: m.unit.name.clone(),
        listed_credit_code: m.unit.code.clone().unwrap_or_default(),
        item: m.proposal.item.into(),
        variant: m.proposal.variant.into(),
        subject: m.proposal.subject.clone(),
        candidates: m
            .outcome
            .candidates()
            .into_iter()
            .filter_map(|id| index.get(id))
            .map(|e| enterprise_pb(e, None))
            .collect(),
    }
}

/// The answer stream's sender, on the blocking thread.
struct Out {
    tx: mpsc::Sender<Result<pb::MatchResponse, Status>>,
}

/// The client went away.
struct Gone;

impl Out {
    fn send(&self, event: Event) -> Result<(), Gone> {
        self.tx
            .blocking_send(Ok(pb::MatchResponse { event: Some(event) }))
            .map_err(|_| Gone)
    }
}

/// Why a match stopped early.
enum Stop {
    /// With an error for the client.
    Fail(Status),
    /// The client is gone; nothing to send.
    Gone,
}

impl From<Status> for Stop {
    fn from(s: Status) -> Stop {
        Stop::Fail(s)
    }
}

impl From<Gone> for Stop {
    fn from(_: Gone) -> Stop {
        Stop::Gone
    }
}

/// Counts of what has been read.
#[derive(Default)]
struct Read {
    messages: usize,
    register_rows: usize,
    feed_rows: usize,
}

/// Runs one match on a blocking thread: reads the stream with `rt`,
/// answers through `out`.
fn run(
    rt: &tokio::runtime::Handle,
    mut inbound: Streaming<pb::MatchRequest>,
    out: &Out,
    store: &AnyStore,
    max_rows: usize,
) -> Result<(), Stop> {
    let mut next = |read: &mut Read| -> Result<Option<Input>, Status> {
        loop {
            match rt.block_on(inbound.message())? {
                None => return Ok(None),
                Some(pb::MatchRequest { input: Some(i) }) => {
                    read.messages = read.messages.saturating_add(1);
                    return Ok(Some(i));
                }
                // An empty message carries nothing.
                Some(pb::MatchRequest { input: None }) => {}
            }
        }
    };
    let mut read = Read::default();
    let mut options = pb::MatchOptions::default();
    let mut enterprises = Vec::new();
    let mut first_feed = None;
    // Options, then the register, up to the first list.
    while let Some(input) = next(&mut read)? {
        if let Input::Options(o) = input {
            if read.messages != 1 {
                return Err(precondition(
                    "OPTIONS_NOT_FIRST",
                    "选项只能作为第一条消息",
                    "options may only be the first message",
                )
                .into());
            }
            if o.year != 0 && !(2016..=9999).contains(&o.year) {
                return Err(status(
                    Code::InvalidArgument,
                    "INVALID_YEAR",
                    format!("预算年度{}须在2016至9999之间", o.year),
                    format!("the budget year {} must be 2016–9999", o.year),
                    vec![("field", "options.year".into())],
                    Vec::new(),
                )
                .into());
            }
            options = o;
            continue;
        }
        let (kind, source, sheets) = sheets_of(input, read.messages)?;
        if kind != FeedKind::Register {
            first_feed = Some((kind, source, sheets));
            break;
        }
        let rows = feed::read_register(&sheets).map_err(|e| unreadable(&source, &e))?;
        read.register_rows = read.register_rows.saturating_add(rows.len());
        if read.register_rows > max_rows {
            return Err(too_large(max_rows).into());
        }
        out.send(Event::Progress(pb::MatchProgress {
            kind: pb::FeedKind::Register as i32,
            source,
            rows: count(rows.len()),
            register_rows: count(read.register_rows),
            feed_rows: 0,
            mentions: 0,
        }))?;
        enterprises.extend(rows);
    }
    if enterprises.is_empty() {
        return Err(precondition(
            "REGISTER_MISSING",
            "须先发送企业名录(至少一行),再发送清单",
            "send the enterprise register (at least one row) before the lists",
        )
        .into());
    }
    let Some(mut feed_input) = first_feed else {
        return Err(precondition(
            "FEEDS_MISSING",
            "至少需要一份清单",
            "a match needs at least one list",
        )
        .into());
    };
    let index = RegisterIndex::build(enterprises);
    let mut matcher = Matcher::new(&index);
    loop {
        let (kind, source, sheets) = feed_input;
        let records = feed::read_feed(kind, &sheets).map_err(|e| unreadable(&source, &e))?;
        read.feed_rows = read.feed_rows.saturating_add(records.len());
        if read.register_rows.saturating_add(read.feed_rows) > max_rows {
            return Err(too_large(max_rows).into());
        }
        for r in &records {
            matcher.push(&source, r);
        }
        out.send(Event::Progress(pb::MatchProgress {
            kind: kind_pb(kind) as i32,
            source,
            rows: count(records.len()),
            register_rows: count(read.register_rows),
            feed_rows: count(read.feed_rows),
            mentions: count(matcher.mentions().len()),
        }))?;
        feed_input = match next(&mut read)? {
            None => break,
            Some(Input::Options(_)) => {
                return Err(precondition(
                    "OPTIONS_NOT_FIRST",
                    "选项只能作为第一条消息",
                    "options may only be the first message",
                )
                .into());
            }
            Some(input) => {
                let (kind, source, sheets) = sheets_of(input, read.messages)?;
                if kind == FeedKind::Register {
                    return Err(precondition(
                        "REGISTER_AFTER_FEEDS",
                        "企业名录须在所有清单之前发送",
                        "the register must come before every list",
                    )
                    .into());
                }
                (kind, source, sheets)
            }
        };
    }
    let held: BTreeSet<String> = rt
        .block_on(store.held_keys())
        .map_err(|e| Status::from(RegistryError::Store(e)))?;
    let match_options = Options {
        year: (options.year != 0).then_some(options.year),
        today: crate::match_cmd::china_today(),
    };
    let report = matcher.finish(&|k| held.contains(k.as_str()), &match_options);
    for e in report.enterprises.iter().filter(|e| e.has_payable()) {
        let claims = e
            .lines
            .iter()
            .filter_map(|l| {
                let Disposition::Payable { draft } = &l.disposition else {
                    return None;
                };
                let line = l.line.as_ref()?;
                let m = report.mentions.get(l.mention)?;
                Some(pb::ProposedClaim {
                    outcome: outcome_pb(&m.outcome) as i32,
                    basis: m.outcome.basis_code().into(),
                    confidence: u32::from(m.outcome.confidence()),
                    source: m.source.clone(),
                    row: m.row,
                    rank: u32::from(m.rank),
                    listed_name: m.unit.name.clone(),
                    role: role_pb(m.proposal.role.map(|r| r.proto())),
                    item: line.item.clone(),
                    variant: line.variant.clone(),
                    clause: line.clause.clone(),
                    subject: line.subject.clone(),
                    date: line.date.clone(),
                    date_inferred: m.proposal.date_inferred,
                    title: m.proposal.title.clone(),
                    payable: report::yuan(line.payable),
                    one_time_key: line
                        .registry_key
                        .as_ref()
                        .map(|k| k.as_str().to_string())
                        .unwrap_or_default(),
                    explanation_zh: line.explanation_zh.clone(),
                    explanation_en: line.explanation_en.clone(),
                    draft: Some(draft_pb(draft)),
                })
            })
            .collect();
        out.send(Event::Proposal(pb::MatchProposal {
            enterprise: Some(enterprise_pb(&e.register, Some(&e.applicant))),
            claims,
            total: report::yuan(e.total()),
            credit_code_check_passed: e.applicant.credit_code_check_passed,
        }))?;
    }
    if !options.omit_review {
        for m in report
            .mentions
            .iter()
            .filter(|m| m.outcome.accepted().is_none())
        {
            out.send(Event::Review(review_pb(m, &index)))?;
        }
    }
    let s = report::stats(&report);
    let outcome = |code: &str| count(s.outcomes.get(code).copied().unwrap_or(0));
    out.send(Event::Summary(pb::MatchSummary {
        register_rows: count(read.register_rows),
        feed_rows: count(read.feed_rows),
        mentions: count(s.mentions),
        exact_code: outcome("EXACT_CODE"),
        exact_name: outcome("EXACT_NAME"),
        fuzzy: outcome("FUZZY"),
        ambiguous: outcome("AMBIGUOUS"),
        none: outcome("NONE"),
        enterprises: count(s.enterprises_notified),
        proposed_claims: count(s.payable_lines),
        already_held: count(s.already_held),
        not_payable: count(s.not_payable),
        total: report::yuan(s.total),
        held_keys: count(held.len()),
    }))?;
    Ok(())
}

#[tonic::async_trait]
impl MatchService for Matches {
    type MatchStream = ReceiverStream<Result<pb::MatchResponse, Status>>;

    async fn r#match(
        &self,
        request: Request<Streaming<pb::MatchRequest>>,
    ) -> Result<Response<Self::MatchStream>, Status> {
        let who = self
            .registry
            .tokens()
            .authorize(request.metadata(), "Match", MATCH_ROLES)
            .map_err(|e| {
                tracing::info!(rpc = "Match", ?e, "match call refused");
                Status::from(RegistryError::Auth(e))
            })?;
        tracing::info!(caller = %who.name, role = %who.role, "match started");
        let inbound = request.into_inner();
        let (tx, rx) = mpsc::channel(BUFFER);
        let store = self.registry.store().clone();
        let max_rows = self.max_rows;
        let rt = tokio::runtime::Handle::current();
        tokio::task::spawn_blocking(move || {
            let out = Out { tx };
            match run(&rt, inbound, &out, &store, max_rows) {
                Ok(()) => tracing::info!("match finished"),
                Err(Stop::Gone) => tracing::info!("match abandoned by the client"),
                Err(Stop::Fail(status)) => {
                    tracing::info!(code = ?status.code(), message = status.message(), "match refused");
                    let _ = out.tx.blocking_send(Err(status));
                }
            }
        });
        Ok(Response::new(ReceiverStream::new(rx)))
    }
}

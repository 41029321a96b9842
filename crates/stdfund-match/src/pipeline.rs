//! The match: feed rows in, per-enterprise proposals out.
//!
//! A [`Matcher`] holds the indexed register. [`Matcher::push`] takes one feed
//! row, turns each unit it names into a [`Mention`] (what the unit appears to
//! have achieved, with its role and rank) and matches the unit against the
//! register; it answers the new mentions at once, so a streaming service can
//! report progress row by row. [`Matcher::finish`] groups the accepted
//! mentions by enterprise and assesses each enterprise with
//! [`assess_enterprise`] — one estimate through the rules engine, the
//! registry's one-time keys, the exclusion of what the registry already
//! holds. Everything here is a pure function of its inputs: no file, no
//! clock, no network.

use crate::feed::{FeedKind, FeedRecord, UnitRef};
use crate::proto_json::{Achievement, Applicant, EstimateRequest, SubmitClaimRequest};
use crate::register::{Enterprise, EnterpriseId, Outcome, RegisterIndex};
use crate::rules_adapter::{self, EstimateFailure, Estimated, EstimatedLine, RegistryKey};
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use stdfund_rules::claim;
use stdfund_rules::date::Date;

/// A unit's role in an achievement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// 主导单位或第一起草单位 (rank 1).
    Lead,
    /// 参与单位 (rank 2 or later).
    Participant,
}

impl Role {
    /// The proto enum name.
    pub fn proto(self) -> &'static str {
        match self {
            Role::Lead => "ROLE_LEAD",
            Role::Participant => "ROLE_PARTICIPANT",
        }
    }

    /// Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            Role::Lead => "主导/第一单位",
            Role::Participant => "参与单位",
        }
    }
}

/// What a feed row says one unit achieved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proposal {
    /// Ruleset item id.
    pub item: &'static str,
    /// Ruleset variant id.
    pub variant: &'static str,
    /// The unit's role, where the item asks for one.
    pub role: Option<Role>,
    /// Standard number, committee code, project reference or product.
    pub subject: String,
    /// Completion date `YYYY-MM-DD`.
    pub date: String,
    /// Passed acceptance (pilots).
    pub accepted: bool,
    /// Approved (geographical indications).
    pub approved: bool,
    /// The standard's title, project or committee name, approval reference.
    pub title: String,
    /// The date was inferred from a year (awards without a date).
    pub date_inferred: bool,
}

/// One unit named by one feed row, with its match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mention {
    /// The file (or stream) the row came from.
    pub source: String,
    /// The feed kind.
    pub feed: FeedKind,
    /// The spreadsheet row.
    pub row: u32,
    /// The unit's rank in the row (1 = first listed).
    pub rank: u16,
    /// The unit as listed.
    pub unit: UnitRef,
    /// What it appears to have achieved.
    pub proposal: Proposal,
    /// The match against the register.
    pub outcome: Outcome,
}

impl Mention {
    /// `source:row` for people.
    pub fn place(&self) -> String {
        format!("{}:{}", self.source, self.row)
    }

    /// A line id unique within an enterprise's application: feed, row, rank.
    pub fn line_id(&self) -> String {
        format!("{}-r{}-u{}", self.feed.id(), self.row, self.rank)
    }
}

/// The proposals of one feed row, one per unit, in rank order.
pub fn proposals(record: &FeedRecord) -> Vec<(u16, UnitRef, Proposal)> {
    let ranked = |units: &[UnitRef], f: &dyn Fn(u16) -> Proposal| {
        units
            .iter()
            .zip(1u16..)
            .map(|(u, rank)| (rank, u.clone(), f(rank)))
            .collect::<Vec<_>>()
    };
    let lead_or = |rank: u16| {
        if rank == 1 {
            Role::Lead
        } else {
            Role::Participant
        }
    };
    match record {
        FeedRecord::Standard(r) => ranked(&r.units, &|rank| Proposal {
            item: if rank == 1 {
                "STANDARD_LEAD"
            } else {
                "STANDARD_PARTICIPANT"
            },
            variant: r.level.variant(),
            role: Some(lead_or(rank)),
            subject: r.number.clone(),
            date: r.date.clone(),
            accepted: false,
            approved: false,
            title: r.title.clone(),
            date_inferred: false,
        }),
        FeedRecord::Award(r) => ranked(&r.units, &|rank| Proposal {
            item: r.award,
            variant: r.grade,
            role: Some(lead_or(rank)),
            subject: r.standard_number.clone(),
            date: r.date.clone(),
            accepted: false,
            approved: false,
            title: r.project.clone(),
            date_inferred: r.date_from_year,
        }),
        FeedRecord::Committee(r) => vec![(
            1,
            r.unit.clone(),
            Proposal {
                item: "TC_SECRETARIAT",
                variant: r.kind,
                role: None,
                subject: r.code.clone(),
                date: r.date.clone(),
                accepted: false,
                approved: false,
                title: r.name.clone(),
                date_inferred: false,
            },
        )],
        FeedRecord::Pilot(r) => ranked(&r.units, &|_| Proposal {
            item: "DEMONSTRATION_PILOT",
            variant: r.level,
            role: None,
            subject: r.reference.clone(),
            date: r.date.clone(),
            accepted: r.accepted,
            approved: false,
            title: r.name.clone(),
            date_inferred: false,
        }),
        FeedRecord::Gi(r) => ranked(&r.units, &|_| Proposal {
            item: "GEOGRAPHICAL_INDICATION",
            variant: r.kind,
            role: None,
            subject: r.product.clone(),
            date: r.date.clone(),
            accepted: false,
            approved: true,
            title: r.reference.clone(),
            date_inferred: false,
        }),
    }
}

/// Options of [`Matcher::finish`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// The budget year of the drafts; `None`: each achievement's own year.
    pub year: Option<i32>,
    /// Today in China, from the caller's clock: a line dated later is not
    /// proposed, as the registry refuses it ([`claim::completed_by`]).
    /// `None`: no date is too late.
    pub today: Option<Date>,
}

/// What became of one assessed line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Disposition {
    /// Eligible with an amount: notified, with a draft claim.
    Payable {
        /// The draft `SubmitClaimRequest`.
        draft: Draft,
    },
    /// The registry already holds its one-time key: left out.
    AlreadyHeld,
    /// An earlier line of this match has the same one-time key.
    DuplicateInMatch,
    /// Assessed, but not payable (the reason code says why).
    NotPayable,
    /// Payable, but dated after today: not proposed until it is completed,
    /// as the registry would refuse the draft.
    NotYetCompleted {
        /// Today, as the match was told.
        today: Date,
    },
    /// Payable, but its standard number has no year, which the registry
    /// refuses to claim: not proposed until the feed gives the year.
    EditionUnnamed,
    /// Payable, but its standard number's year is after this year: an
    /// edition not yet published, which the registry refuses (R28).
    EditionNotPublished {
        /// Today, as the match was told.
        today: Date,
    },
    /// The engine refused the achievement as malformed input.
    Error {
        /// The engine's error.
        failure: EstimateFailure,
    },
}

impl Disposition {
    /// Stable code: `PAYABLE`, `ALREADY_HELD`, `DUPLICATE_IN_MATCH`,
    /// `NOT_PAYABLE`, `ACHIEVEMENT_IN_FUTURE`, `STANDARD_YEAR_MISSING`,
    /// `STANDARD_YEAR_IN_FUTURE`, `ESTIMATE_ERROR`.
    pub fn code(&self) -> &'static str {
        match self {
            Disposition::Payable { .. } => "PAYABLE",
            Disposition::AlreadyHeld => "ALREADY_HELD",
            Disposition::DuplicateInMatch => "DUPLICATE_IN_MATCH",
            Disposition::NotPayable => "NOT_PAYABLE",
            Disposition::NotYetCompleted { .. } => "ACHIEVEMENT_IN_FUTURE",
            Disposition::EditionUnnamed => "STANDARD_YEAR_MISSING",
            Disposition::EditionNotPublished { .. } => "STANDARD_YEAR_IN_FUTURE",
            Disposition::Error { .. } => "ESTIMATE_ERROR",
        }
    }
}

/// A draft claim: the proto3 JSON of one `stdfund.v1.SubmitClaimRequest`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draft {
    /// The idempotency key (derived from the registry key).
    pub idempotency_key: String,
    /// The request.
    pub request: SubmitClaimRequest,
}

impl Draft {
    /// The request as one line of JSON.
    pub fn to_json(&self) -> String {
        // Serialising plain strings, bools and numbers cannot fail.
        serde_json::to_string(&self.request).unwrap_or_default()
    }
}

/// The idempotency key of a draft: `match-` and the first 40 hex digits of
/// the SHA-256 of the registry key — the same achievement of the same unit
/// always yields the same key, so submitting a draft twice returns one claim.
pub fn idempotency_key(key: &RegistryKey) -> String {
    let digest = Sha256::digest(key.as_str().as_bytes());
    let mut out = String::from("match-");
    for b in digest.iter().take(20) {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// One assessed line of an enterprise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssessedLine {
    /// Index of its mention in [`MatchReport::mentions`].
    pub mention: usize,
    /// The engine's line (absent when the engine refused the achievement).
    pub line: Option<EstimatedLine>,
    /// What became of it.
    pub disposition: Disposition,
}

impl AssessedLine {
    /// The payable amount (0 unless payable).
    pub fn amount(&self) -> Decimal {
        match (&self.disposition, &self.line) {
            (Disposition::Payable { .. }, Some(l)) => l.payable,
            _ => Decimal::ZERO,
        }
    }
}

/// One enterprise with accepted mentions, assessed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnterpriseResult {
    /// Its position in the register.
    pub enterprise: EnterpriseId,
    /// The register's row.
    pub register: Enterprise,
    /// The applicant as the engine understood it (default when every
    /// request was refused).
    pub applicant: rules_adapter::EstimatedApplicant,
    /// Its lines, in mention order.
    pub lines: Vec<AssessedLine>,
}

impl EnterpriseResult {
    /// The sum of its payable lines.
    pub fn total(&self) -> Decimal {
        self.lines
            .iter()
            .fold(Decimal::ZERO, |acc, l| acc.saturating_add(l.amount()))
    }

    /// Whether any line is payable.
    pub fn has_payable(&self) -> bool {
        self.lines
            .iter()
            .any(|l| matches!(l.disposition, Disposition::Payable { .. }))
    }
}

/// The result of a match.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MatchReport {
    /// Every mention, in input order.
    pub mentions: Vec<Mention>,
    /// The enterprises with accepted mentions, by fiscal unit then credit code.
    pub enterprises: Vec<EnterpriseResult>,
    /// Rows read per feed kind.
    pub rows: BTreeMap<FeedKind, usize>,
}

/// Matches feed rows against a register.
#[derive(Debug)]
pub struct Matcher<'a> {
    index: &'a RegisterIndex,
    mentions: Vec<Mention>,
    accepted: BTreeMap<EnterpriseId, Vec<usize>>,
    rows: BTreeMap<FeedKind, usize>,
}

impl<'a> Matcher<'a> {
    /// A matcher over an indexed register.
    pub fn new(index: &'a RegisterIndex) -> Matcher<'a> {
        Matcher {
            index,
            mentions: Vec::new(),
            accepted: BTreeMap::new(),
            rows: BTreeMap::new(),
        }
    }

    /// Matches the units of one feed row; answers the row's mentions.
    pub fn push(&mut self, source: &str, record: &FeedRecord) -> &[Mention] {
        let first = self.mentions.len();
        let count = self.rows.entry(record.kind()).or_default();
        *count = count.saturating_add(1);
        for (rank, unit, proposal) in proposals(record) {
            let outcome = self.index.match_unit(&unit.name, unit.code.as_deref());
            if let Some(id) = outcome.accepted() {
                self.accepted
                    .entry(id)
                    .or_default()
                    .push(self.mentions.len());
            }
            self.mentions.push(Mention {
                source: source.to_string(),
                feed: record.kind(),
                row: record.row(),
                rank,
                unit,
                proposal,
                outcome,
            });
        }
        self.mentions.get(first..).unwrap_or_default()
    }

    /// The mentions so far.
    pub fn mentions(&self) -> &[Mention] {
        &self.mentions
    }

    /// Assesses every enterprise with accepted mentions. `already_held` says
    /// whether the registry already holds a one-time key.
    pub fn finish(
        self,
        already_held: &dyn Fn(&RegistryKey) -> bool,
        options: &Options,
    ) -> MatchReport {
        let mut enterprises: Vec<EnterpriseResult> = self
            .accepted
            .iter()
            .filter_map(|(id, mentions)| {
                let register = self.index.get(*id)?.clone();
                Some(assess_enterprise(
                    *id,
                    register,
                    &self.mentions,
                    mentions,
                    already_held,
                    options,
                ))
            })
            .collect();
        enterprises.sort_by(|a, b| {
            (
                a.applicant.fiscal_unit.as_str(),
                a.register.credit_code.as_str(),
            )
                .cmp(&(
                    b.applicant.fiscal_unit.as_str(),
                    b.register.credit_code.as_str(),
                ))
        });
        MatchReport {
            mentions: self.mentions,
            enterprises,
            rows: self.rows,
        }
    }
}

/// Assesses one enterprise's accepted mentions (indices into `mentions`).
///
/// The achievements go to the engine as one application (in chunks of at
/// most [`rules_adapter::MAX_ACHIEVEMENTS`], same subjects together), so the
/// engine itself finds duplicates and a lead-and-participant conflict. When
/// the engine refuses a chunk as malformed, each achievement is estimated
/// alone to find the malformed ones, and the rest again together.
pub fn assess_enterprise(
    id: EnterpriseId,
    register: Enterprise,
    mentions: &[Mention],
    indices: &[usize],
    already_held: &dyn Fn(&RegistryKey) -> bool,
    options: &Options,
) -> EnterpriseResult {
    let applicant = Applicant {
        credit_code: register.credit_code.clone(),
        name: register.name.clone(),
        seat: register.seat.clone(),
    };
    let mut ordered: Vec<usize> = indices.to_vec();
    ordered.sort_by_key(|i| mentions.get(*i).map(|m| m.proposal.subject.clone()));
    let mut estimated: BTreeMap<usize, Result<EstimatedLine, EstimateFailure>> = BTreeMap::new();
    let mut engine_applicant = None;
    for chunk in ordered.chunks(rules_adapter::MAX_ACHIEVEMENTS.max(1)) {
        match estimate_chunk(&applicant, mentions, chunk) {
            Ok(e) => {
                engine_applicant.get_or_insert(e.applicant);
                for (i, line) in chunk.iter().zip(e.lines) {
                    estimated.insert(*i, Ok(line));
                }
            }
            Err(_) => {
                let mut good = Vec::new();
                for i in chunk {
                    match estimate_chunk(&applicant, mentions, &[*i]) {
                        Ok(_) => good.push(*i),
                        Err(f) => {
                            estimated.insert(*i, Err(f));
                        }
                    }
                }
                match estimate_chunk(&applicant, mentions, &good) {
                    Ok(e) => {
                        engine_applicant.get_or_insert(e.applicant);
                        for (i, line) in good.iter().zip(e.lines) {
                            estimated.insert(*i, Ok(line));
                        }
                    }
                    Err(f) => {
                        for i in good {
                            estimated.insert(i, Err(f.clone()));
                        }
                    }
                }
            }
        }
    }
    let mut seen: BTreeSet<RegistryKey> = BTreeSet::new();
    let mut lines = Vec::with_capacity(indices.len());
    for i in indices {
        let (line, disposition) = match estimated.remove(i) {
            Some(Ok(line)) => {
                let d = dispose(
                    &line,
                    &applicant,
                    mentions.get(*i),
                    &mut seen,
                    already_held,
                    options,
                );
                (Some(line), d)
            }
            Some(Err(failure)) => (None, Disposition::Error { failure }),
            None => continue,
        };
        lines.push(AssessedLine {
            mention: *i,
            line,
            disposition,
        });
    }
    EnterpriseResult {
        enterprise: id,
        register,
        applicant: engine_applicant.unwrap_or_default(),
        lines,
    }
}

fn estimate_chunk(
    applicant: &Applicant,
    mentions: &[Mention],
    chunk: &[usize],
) -> Result<Estimated, EstimateFailure> {
    let request = EstimateRequest {
        applicant: applicant.clone(),
        achievements: chunk
            .iter()
            .filter_map(|i| mentions.get(*i))
            .map(achievement_of)
            .collect(),
    };
    let e = rules_adapter::estimate(&request)?;
    if e.lines.len() != request.achievements.len() {
        return Err(EstimateFailure {
            code: "INTERNAL".into(),
            field: String::new(),
            message_zh: "测算结果行数与成果数不符".into(),
            message_en: "the estimate has not one line per achievement".into(),
        });
    }
    Ok(e)
}

/// The achievement a mention proposes, as the engine and the registry take it.
pub fn achievement_of(m: &Mention) -> Achievement {
    let p = &m.proposal;
    Achievement {
        id: m.line_id(),
        item: p.item.to_string(),
        variant: p.variant.to_string(),
        subject: p.subject.clone(),
        date: p.date.clone(),
        role: p.role.map(|r| r.proto().to_string()),
        accepted: p.accepted,
        approved: p.approved,
    }
}

fn dispose(
    line: &EstimatedLine,
    applicant: &Applicant,
    mention: Option<&Mention>,
    seen: &mut BTreeSet<RegistryKey>,
    already_held: &dyn Fn(&RegistryKey) -> bool,
    options: &Options,
) -> Disposition {
    let Some(key) = &line.registry_key else {
        return Disposition::NotPayable;
    };
    if already_held(key) {
        return Disposition::AlreadyHeld;
    }
    if !line.payable_now() {
        return Disposition::NotPayable;
    }
    if let (Some(today), Some(date)) = (options.today, Date::parse(&line.date))
        && !claim::completed_by(date, today)
    {
        return Disposition::NotYetCompleted { today };
    }
    if line.edition_unnamed {
        return Disposition::EditionUnnamed;
    }
    if let (Some(today), Some(year)) = (options.today, line.edition_year)
        && year > today.year()
    {
        return Disposition::EditionNotPublished { today };
    }
    if !seen.insert(key.clone()) {
        return Disposition::DuplicateInMatch;
    }
    let Some(mention) = mention else {
        return Disposition::NotPayable;
    };
    let year = options.year.unwrap_or_else(|| {
        line.date
            .get(..4)
            .and_then(|y| y.parse().ok())
            .unwrap_or_default()
    });
    let idempotency_key = idempotency_key(key);
    Disposition::Payable {
        draft: Draft {
            idempotency_key: idempotency_key.clone(),
            request: SubmitClaimRequest {
                idempotency_key,
                application: EstimateRequest {
                    applicant: applicant.clone(),
                    achievements: vec![achievement_of(mention)],
                },
                confirm_credit_code: false,
                year,
            },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::{StandardLevel, StandardRow};

    #[test]
    fn lead_and_participants_by_rank() {
        let row = FeedRecord::Standard(StandardRow {
            row: 7,
            number: "GB/T 1-2021".into(),
            title: "t".into(),
            level: StandardLevel::National,
            date: "2021-03-01".into(),
            units: vec![
                UnitRef {
                    name: "甲".into(),
                    code: None,
                },
                UnitRef {
                    name: "乙".into(),
                    code: None,
                },
            ],
        });
        let p = proposals(&row);
        assert_eq!(p[0].2.item, "STANDARD_LEAD");
        assert_eq!(p[0].2.role, Some(Role::Lead));
        assert_eq!(p[1].0, 2);
        assert_eq!(p[1].2.item, "STANDARD_PARTICIPANT");
        assert_eq!(p[1].2.role, Some(Role::Participant));
    }

    #[test]
    fn idempotency_keys_are_stable_and_valid() {
        let k = idempotency_key(&RegistryKey(
            "91350100M000100Y43|STANDARD_LEAD|GB/T 1-2021".into(),
        ));
        assert_eq!(k.len(), 46);
        assert!(k.starts_with("match-"));
        assert!(
            k.chars()
                .all(|c| c.is_ascii_alphanumeric() || "._:-".contains(c))
        );
        assert_eq!(
            k,
            idempotency_key(&RegistryKey(
                "91350100M000100Y43|STANDARD_LEAD|GB/T 1-2021".into()
            ))
        );
    }
}

//! The store's data types: what callers pass in and what they get back.
//!
//! A claim is typed: [`Claim`] holds the applicant's [`Filing`] and a [`ClaimState`] whose
//! variants carry exactly the data their status has (a note for a returned, withdrawn or
//! rejected claim; the frozen [`Approval`] for an approved or disbursed one). Amounts are the
//! rules crate's [`Money`] (stored as integer fen), calendar dates its [`Date`], instants a
//! [`Timestamp`] (fixed-form RFC 3339 UTC text). Payload texts (`application_json`,
//! `estimate_json`, `record_json`) are opaque: stored and returned byte for byte, never parsed.

use std::fmt;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use stdfund_rules::date::Date;
use stdfund_rules::money::Money;
use strum::IntoEnumIterator;

use crate::error::StoreError;

/// A claim's identifier: a positive integer assigned by the database, never reused.
pub type ClaimId = i64;

/// The municipal payer: the budget the whole approved amount counts against.
pub const CITY: &str = "CITY";

// ---------------------------------------------------------------------------------------------
// Timestamp
// ---------------------------------------------------------------------------------------------

/// An instant as RFC 3339 UTC text in the one fixed form `YYYY-MM-DDTHH:MM:SS.ffffffZ`
/// (microseconds, always six digits), so that lexical order is time order in both databases.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    // Field order matters: the derived order compares the text first (lexical = time order).
    text: String,
    date: Date,
}

/// Microseconds per second and per day.
const MICROS_PER_SECOND: i64 = 1_000_000;
const SECONDS_PER_DAY: i64 = 86_400;
/// China Standard Time is UTC+8 all year.
const CHINA_OFFSET_SECONDS: i64 = 8 * 3600;

fn two_digits(b: &[u8], at: usize) -> Option<u32> {
    let hi = *b.get(at)?;
    let lo = *b.get(at.checked_add(1)?)?;
    if !hi.is_ascii_digit() || !lo.is_ascii_digit() {
        return None;
    }
    Some(
        u32::from(hi.wrapping_sub(b'0'))
            .saturating_mul(10)
            .saturating_add(u32::from(lo.wrapping_sub(b'0'))),
    )
}

/// Seconds of a time of day (or offset).
fn seconds_of(h: u32, m: u32, s: u32) -> i64 {
    i64::from(h)
        .saturating_mul(3600)
        .saturating_add(i64::from(m).saturating_mul(60))
        .saturating_add(i64::from(s))
}

impl Timestamp {
    /// Parses the fixed form `YYYY-MM-DDTHH:MM:SS.ffffffZ` (a real date between 1900 and
    /// 9999, a real time of day). Anything else is [`StoreError::InvalidInput`]; use
    /// [`Timestamp::from_rfc3339`] to convert other RFC 3339 spellings.
    pub fn parse(s: &str) -> Result<Timestamp, StoreError> {
        let bad = || {
            StoreError::invalid(
                "timestamp",
                format!("{s:?} is not a UTC timestamp of the form YYYY-MM-DDTHH:MM:SS.ffffffZ"),
            )
        };
        let b = s.as_bytes();
        if b.len() != 27
            || b.get(10) != Some(&b'T')
            || b.get(13) != Some(&b':')
            || b.get(16) != Some(&b':')
            || b.get(19) != Some(&b'.')
            || b.get(26) != Some(&b'Z')
        {
            return Err(bad());
        }
        let date = s.get(0..10).and_then(Date::parse).ok_or_else(bad)?;
        let (h, m, sec) = (two_digits(b, 11), two_digits(b, 14), two_digits(b, 17));
        let time_ok =
            matches!((h, m, sec), (Some(h), Some(m), Some(s)) if h < 24 && m < 60 && s < 60);
        let frac_ok = b
            .get(20..26)
            .is_some_and(|f| f.iter().all(u8::is_ascii_digit));
        if !time_ok || !frac_ok {
            return Err(bad());
        }
        Ok(Timestamp {
            text: s.to_owned(),
            date,
        })
    }

    /// Converts any RFC 3339 timestamp (`2026-03-01T09:30:00+08:00`, `…T01:30:00.5Z`, a
    /// lower-case `t`/`z`) to the fixed UTC form. Fractions beyond microseconds are truncated.
    pub fn from_rfc3339(s: &str) -> Result<Timestamp, StoreError> {
        let bad =
            || StoreError::invalid("timestamp", format!("{s:?} is not an RFC 3339 timestamp"));
        let b = s.as_bytes();
        if b.len() < 20 || !matches!(b.get(10), Some(b'T' | b't')) {
            return Err(bad());
        }
        let date = s.get(0..10).and_then(Date::parse).ok_or_else(bad)?;
        if b.get(13) != Some(&b':') || b.get(16) != Some(&b':') {
            return Err(bad());
        }
        let (h, m, sec) = match (two_digits(b, 11), two_digits(b, 14), two_digits(b, 17)) {
            (Some(h), Some(m), Some(s)) if h < 24 && m < 60 && s <= 60 => (h, m, s.min(59)),
            _ => return Err(bad()),
        };
        let mut rest = s.get(19..).ok_or_else(bad)?;
        let mut micros: i64 = 0;
        if let Some(frac) = rest.strip_prefix('.') {
            let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return Err(bad());
            }
            let mut scale = MICROS_PER_SECOND;
            for d in frac.bytes().take(digits.min(6)) {
                scale /= 10;
                micros =
                    micros.saturating_add(i64::from(d.wrapping_sub(b'0')).saturating_mul(scale));
            }
            rest = frac.get(digits..).ok_or_else(bad)?;
        }
        let offset_seconds: i64 = match rest {
            "Z" | "z" => 0,
            _ => {
                let ob = rest.as_bytes();
                let sign: i64 = match ob.first() {
                    Some(b'+') => 1,
                    Some(b'-') => -1,
                    _ => return Err(bad()),
                };
                if ob.len() != 6 || ob.get(3) != Some(&b':') {
                    return Err(bad());
                }
                match (two_digits(ob, 1), two_digits(ob, 4)) {
                    (Some(oh), Some(om)) if oh < 24 && om < 60 => {
                        sign.saturating_mul(seconds_of(oh, om, 0))
                    }
                    _ => return Err(bad()),
                }
            }
        };
        let local_seconds = date
            .days_since_epoch()
            .checked_mul(SECONDS_PER_DAY)
            .and_then(|d| d.checked_add(seconds_of(h, m, sec)))
            .ok_or_else(bad)?;
        let utc = local_seconds
            .checked_sub(offset_seconds)
            .and_then(|s| s.checked_mul(MICROS_PER_SECOND))
            .and_then(|s| s.checked_add(micros))
            .ok_or_else(bad)?;
        Timestamp::from_unix_micros(utc).ok_or_else(bad)
    }

    /// The timestamp `micros` microseconds after 1970-01-01T00:00:00Z, when it lies in the
    /// years 1900–9999.
    pub fn from_unix_micros(micros: i64) -> Option<Timestamp> {
        let seconds = micros.div_euclid(MICROS_PER_SECOND);
        let frac = micros.rem_euclid(MICROS_PER_SECOND);
        let days = seconds.div_euclid(SECONDS_PER_DAY);
        let in_day = seconds.rem_euclid(SECONDS_PER_DAY);
        let date = Date::from_days_since_epoch(days)?;
        let (h, m, s) = (in_day / 3600, (in_day % 3600) / 60, in_day % 60);
        Some(Timestamp {
            text: format!("{date}T{h:02}:{m:02}:{s:02}.{frac:06}Z"),
            date,
        })
    }

    /// The timestamp of a system time (microsecond precision).
    pub fn from_system_time(t: SystemTime) -> Option<Timestamp> {
        let micros = match t.duration_since(UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_micros()).ok()?,
            Err(e) => i64::try_from(e.duration().as_micros())
                .ok()?
                .checked_neg()?,
        };
        Timestamp::from_unix_micros(micros)
    }

    /// The current time from the system clock.
    ///
    /// A clock outside the years 1900–9999 is reported as
    /// [`StoreError::InvalidInput`].
    pub fn now() -> Result<Timestamp, StoreError> {
        Timestamp::from_system_time(SystemTime::now())
            .ok_or_else(|| StoreError::invalid("now", "the system clock is outside 1900–9999"))
    }

    /// Microseconds since 1970-01-01T00:00:00Z.
    pub fn unix_micros(&self) -> i64 {
        let b = self.text.as_bytes();
        let days = self.date.days_since_epoch();
        let field = |at: usize| i64::from(two_digits(b, at).unwrap_or(0));
        let frac = self
            .text
            .get(20..26)
            .and_then(|f| f.parse::<i64>().ok())
            .unwrap_or(0);
        days.saturating_mul(SECONDS_PER_DAY)
            .saturating_add(field(11).saturating_mul(3600))
            .saturating_add(field(14).saturating_mul(60))
            .saturating_add(field(17))
            .saturating_mul(MICROS_PER_SECOND)
            .saturating_add(frac)
    }

    /// The calendar date in China (UTC+8) at this instant: "today" for a timestamp taken now.
    pub fn china_date(&self) -> Date {
        let seconds = self
            .unix_micros()
            .div_euclid(MICROS_PER_SECOND)
            .saturating_add(CHINA_OFFSET_SECONDS);
        let day = seconds.div_euclid(SECONDS_PER_DAY);
        // Only 9999-12-31 after 16:00 UTC has no China date in range; it keeps its own.
        Date::from_days_since_epoch(day).unwrap_or(self.date)
    }

    /// The calendar date in UTC.
    pub fn utc_date(&self) -> Date {
        self.date
    }

    /// This instant plus `d` (saturating at the end of 9999).
    pub fn plus(&self, d: Duration) -> Timestamp {
        let micros = i64::try_from(d.as_micros()).unwrap_or(i64::MAX);
        Timestamp::from_unix_micros(self.unix_micros().saturating_add(micros))
            .unwrap_or_else(|| self.clone())
    }

    /// The text, `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for Timestamp {
    type Err = StoreError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Timestamp::parse(s)
    }
}

// ---------------------------------------------------------------------------------------------
// Actors, backends, options, health
// ---------------------------------------------------------------------------------------------

/// Who performs a state change; recorded in every audit entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The token subject (who).
    pub subject: String,
    /// The role the subject acted in (`portal`, `reviewer`, `finance`, `admin`).
    pub role: String,
}

impl Actor {
    /// The role that may act on any claim regardless of who submitted it.
    pub const ADMIN: &'static str = "admin";
    /// The role of applicants, who may act only on their own claims.
    pub const PORTAL: &'static str = "portal";

    /// Builds an actor from a subject and a role.
    pub fn new(subject: impl Into<String>, role: impl Into<String>) -> Self {
        Actor {
            subject: subject.into(),
            role: role.into(),
        }
    }
}

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BackendKind {
    /// Embedded SQLite file (the default).
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

impl BackendKind {
    /// `sqlite` or `postgres`.
    pub fn as_str(self) -> &'static str {
        match self {
            BackendKind::Sqlite => "sqlite",
            BackendKind::Postgres => "postgres",
        }
    }
}

impl fmt::Display for BackendKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a store is opened.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// SQLite: create the file when it is absent. Without it a missing file is
    /// [`StoreError::DatabaseMissing`]. (PostgreSQL: ignored; the database must exist.)
    pub create_if_missing: bool,
    /// The longest a call waits for a connection, the SQLite write lock (`busy_timeout`) or
    /// the database before it gives up with [`StoreError::Unavailable`]. Default 5 s.
    pub write_timeout: Duration,
    /// Maximum pooled connections; 0 = the backend's default (SQLite 8, PostgreSQL 10).
    pub max_connections: u32,
    /// PostgreSQL: how long opening waits for the server (startup fails fast). Default 5 s.
    pub connect_timeout: Duration,
    /// SQLite: the free space kept on the database file's file system. Below it the store
    /// refuses writes ([`StoreError::Unavailable`], saying how much is free) and its health
    /// is NOT_SERVING, until space is freed: a write then never meets a full disk halfway.
    /// Default [`OpenOptions::DEFAULT_MIN_FREE_BYTES`]. (PostgreSQL: ignored; its server
    /// watches its own disk.)
    pub min_free_bytes: u64,
    /// The key that seals every audit entry the store appends ([`crate::seal`]); `None`
    /// appends unsealed entries. A verification ([`crate::Store::verify_audit`]) checks
    /// the seals with it.
    pub audit_key: Option<crate::seal::AuditKey>,
}

impl OpenOptions {
    /// The default write timeout, 5 s.
    pub const DEFAULT_WRITE_TIMEOUT: Duration = Duration::from_secs(5);
    /// The default PostgreSQL connect timeout, 5 s.
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
    /// The default free space kept, 16 MiB: the registry's largest write — a claim with
    /// an attachment of 10 MiB and its audit entry — and the write-ahead log's growth for
    /// it fit.
    pub const DEFAULT_MIN_FREE_BYTES: u64 = 16 * 1024 * 1024;
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            create_if_missing: false,
            write_timeout: Self::DEFAULT_WRITE_TIMEOUT,
            max_connections: 0,
            connect_timeout: Self::DEFAULT_CONNECT_TIMEOUT,
            min_free_bytes: Self::DEFAULT_MIN_FREE_BYTES,
            audit_key: None,
        }
    }
}

/// Whether the registry database can serve requests right now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Health {
    /// Reachable, readable, writable, intact.
    Serving,
    /// Not usable; `reason` says why (for logs and operators).
    NotServing {
        /// What is wrong.
        reason: String,
    },
}

impl Health {
    /// Whether this is [`Health::Serving`].
    pub fn is_serving(&self) -> bool {
        matches!(self, Health::Serving)
    }
}

// ---------------------------------------------------------------------------------------------
// Claims
// ---------------------------------------------------------------------------------------------

/// Everything the applicant filed (and the server computed at submission or resubmission).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filing {
    /// Client-chosen idempotency key; unique per submitter.
    pub idempotency_key: String,
    /// The token subject of the submitter.
    pub submitted_by: String,
    /// 统一社会信用代码, upper case, 18 characters.
    pub credit_code: String,
    /// The submitter confirmed a credit code whose check character does not match.
    pub credit_code_confirmed: bool,
    /// The applicant unit's name (单位名称).
    pub unit_name: String,
    /// The seat as stated by the applicant.
    pub seat: String,
    /// The fiscal unit that bears the district share.
    pub fiscal_unit: String,
    /// The catalogue item.
    pub item: String,
    /// The item's variant (empty when the item has none).
    pub variant: String,
    /// The policy clause the item falls under.
    pub clause: String,
    /// The canonical subject (RULES.md §5).
    pub subject: String,
    /// The subject as typed (trimmed).
    pub subject_as_given: String,
    /// The canonical registry key; at most one live claim (see [`ClaimStatus::holds_key`])
    /// holds it — a unique index in the database.
    pub one_time_key: String,
    /// The achievement's date.
    pub achievement_date: Date,
    /// The budget year, 2016..=9999.
    pub year: i32,
    /// The estimated payable amount (0.00 for a discretionary line).
    pub estimated_amount: Money,
    /// The line is discretionary (the reviewer sets the amount).
    pub discretionary: bool,
    /// Opaque payload: the canonical request JSON.
    pub application_json: String,
    /// Opaque payload: the canonical answer JSON at (re)submission.
    pub estimate_json: String,
}

/// A claim's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, strum::EnumIter)]
pub enum ClaimStatus {
    /// Submitted (or resubmitted), awaiting review.
    Submitted,
    /// Returned to the applicant for correction; holds its key; can be resubmitted.
    Returned,
    /// Withdrawn by the applicant; frees its key.
    Withdrawn,
    /// Rejected; frees its key.
    Rejected,
    /// Approved with a frozen amount and split; possibly partly paid.
    Approved,
    /// Fully paid.
    Disbursed,
}

impl ClaimStatus {
    /// The stored (and API) spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimStatus::Submitted => "SUBMITTED",
            ClaimStatus::Returned => "RETURNED",
            ClaimStatus::Withdrawn => "WITHDRAWN",
            ClaimStatus::Rejected => "REJECTED",
            ClaimStatus::Approved => "APPROVED",
            ClaimStatus::Disbursed => "DISBURSED",
        }
    }

    /// Whether a claim in this status holds its one-time key (every status but WITHDRAWN
    /// and REJECTED).
    pub fn holds_key(self) -> bool {
        !matches!(self, ClaimStatus::Withdrawn | ClaimStatus::Rejected)
    }

    /// Every status, in declaration order.
    pub fn all() -> impl Iterator<Item = ClaimStatus> {
        ClaimStatus::iter()
    }
}

impl fmt::Display for ClaimStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ClaimStatus {
    type Err = StoreError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ClaimStatus::iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| StoreError::invalid("status", format!("unknown claim status {s:?}")))
    }
}

/// Who set a claim's current status, when, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The actor's subject.
    pub by: String,
    /// When.
    pub at: Timestamp,
    /// Why (empty when a withdrawal gave no reason).
    pub reason: String,
}

/// The split of an approved amount between the municipal and the district budget, frozen at
/// approval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrozenSplit {
    /// The fiscal unit that bears the district share.
    pub fiscal_unit: String,
    /// The municipal share.
    pub municipal: Money,
    /// The district share; `municipal + district == approval.amount` (a database CHECK).
    pub district: Money,
    /// The share table used.
    pub share_table_id: String,
    /// Its version.
    pub share_table_version: String,
    /// The district's ratio as the ruleset states it, e.g. `"0.50"`.
    pub district_ratio: String,
    /// The share table is provisional.
    pub provisional: bool,
}

/// A frozen approval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    /// The reviewer's subject.
    pub by: String,
    /// When it was approved.
    pub at: Timestamp,
    /// The reviewer's reason, if any.
    pub reason: Option<String>,
    /// The approved amount (> 0).
    pub amount: Money,
    /// The reviewer set the amount (a discretionary line).
    pub set_by_reviewer: bool,
    /// The frozen split.
    pub split: FrozenSplit,
    /// Opaque payload: the approval assessment (canonical answer JSON).
    pub record_json: String,
}

/// A claim's state: its status with the data that status carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimState {
    /// Awaiting review.
    Submitted,
    /// Returned for correction.
    Returned(Note),
    /// Withdrawn by the applicant.
    Withdrawn(Note),
    /// Rejected by a reviewer.
    Rejected(Note),
    /// Approved, possibly partly paid.
    Approved(Approval),
    /// Fully paid.
    Disbursed(Approval),
}

impl ClaimState {
    /// The status of this state.
    pub fn status(&self) -> ClaimStatus {
        match self {
            ClaimState::Submitted => ClaimStatus::Submitted,
            ClaimState::Returned(_) => ClaimStatus::Returned,
            ClaimState::Withdrawn(_) => ClaimStatus::Withdrawn,
            ClaimState::Rejected(_) => ClaimStatus::Rejected,
            ClaimState::Approved(_) => ClaimStatus::Approved,
            ClaimState::Disbursed(_) => ClaimStatus::Disbursed,
        }
    }

    /// The approval of an approved or disbursed claim.
    pub fn approval(&self) -> Option<&Approval> {
        match self {
            ClaimState::Approved(a) | ClaimState::Disbursed(a) => Some(a),
            _ => None,
        }
    }

    /// The note of a returned, withdrawn or rejected claim.
    pub fn note(&self) -> Option<&Note> {
        match self {
            ClaimState::Returned(n) | ClaimState::Withdrawn(n) | ClaimState::Rejected(n) => Some(n),
            _ => None,
        }
    }
}

/// One payment towards an approved claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    /// Database-assigned identifier.
    pub id: i64,
    /// The claim paid.
    pub claim_id: ClaimId,
    /// The payment date.
    pub payment_date: Date,
    /// The voucher number; unique per payer.
    pub voucher: String,
    /// Who paid ([`CITY`]).
    pub payer: String,
    /// The amount paid.
    pub amount: Money,
    /// Its municipal part.
    pub municipal: Money,
    /// Its district part; `municipal + district == amount`.
    pub district: Money,
    /// Who recorded it.
    pub by: String,
    /// When it was recorded.
    pub at: Timestamp,
}

/// A stored claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// Database-assigned identifier.
    pub id: ClaimId,
    /// What was filed (the latest resubmission's filing).
    pub filing: Filing,
    /// The current state.
    pub state: ClaimState,
    /// The first submission.
    pub created_at: Timestamp,
    /// The last change.
    pub updated_at: Timestamp,
    /// How often the claim was resubmitted after a return.
    pub resubmissions: i32,
    /// The sum of payments.
    pub paid: Money,
    /// The payments, in id order: filled by [`claim`](crate::Store::claim); empty in list
    /// results (use [`Claim::paid`]).
    pub payments: Vec<Payment>,
    /// How many attachments the claim has.
    pub attachment_count: i64,
}

impl Claim {
    /// Whether a decision made on the claim at resubmission count `seen` is
    /// made on the application it holds: a claim resubmitted since
    /// (returned, corrected, filed again) is reviewed anew —
    /// [`StoreError::ClaimChanged`](crate::StoreError::ClaimChanged).
    pub fn same_application(&self, seen: i32) -> Result<(), crate::StoreError> {
        if self.resubmissions == seen {
            Ok(())
        } else {
            Err(crate::StoreError::ClaimChanged {
                claim_id: self.id,
                seen,
                now: self.resubmissions,
            })
        }
    }

    /// The current status.
    pub fn status(&self) -> ClaimStatus {
        self.state.status()
    }

    /// The approved amount when approved or disbursed, else the estimated amount.
    pub fn amount(&self) -> Money {
        self.approval()
            .map_or(self.filing.estimated_amount, |a| a.amount)
    }

    /// The approval, when approved or disbursed.
    pub fn approval(&self) -> Option<&Approval> {
        self.state.approval()
    }

    /// Approved minus paid (zero unless approved).
    pub fn unpaid(&self) -> Money {
        self.approval()
            .map_or(Money::ZERO, |a| a.amount.saturating_sub(self.paid))
    }
}

/// The result of [`submit`](crate::Store::submit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubmitOutcome {
    /// A new claim was stored.
    Created(Claim),
    /// This submitter already used this idempotency key for the same request: that claim,
    /// as it is now.
    Existing(Claim),
    /// Another live claim holds the one-time key.
    AlreadyGranted {
        /// The claim holding the key.
        existing_claim_id: ClaimId,
        /// That claim's item.
        existing_item: String,
    },
}

impl SubmitOutcome {
    /// `CREATED`, `EXISTING` or `ALREADY_GRANTED`.
    pub fn code(&self) -> &'static str {
        match self {
            SubmitOutcome::Created(_) => "CREATED",
            SubmitOutcome::Existing(_) => "EXISTING",
            SubmitOutcome::AlreadyGranted { .. } => "ALREADY_GRANTED",
        }
    }

    /// The claim, for `Created` and `Existing`.
    pub fn claim(&self) -> Option<&Claim> {
        match self {
            SubmitOutcome::Created(c) | SubmitOutcome::Existing(c) => Some(c),
            SubmitOutcome::AlreadyGranted { .. } => None,
        }
    }
}

/// A reviewer's decision on a SUBMITTED claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Approve and freeze amount, split and record.
    Approve {
        /// The approved amount (> 0).
        amount: Money,
        /// The reviewer set the amount.
        set_by_reviewer: bool,
        /// The frozen split.
        split: FrozenSplit,
        /// Opaque payload: the approval assessment.
        record_json: String,
        /// Optional reason.
        reason: Option<String>,
        /// The claim's `resubmissions` as read when the approval was
        /// computed (which application it assesses): a claim resubmitted
        /// since is [`StoreError::ClaimChanged`](crate::StoreError::ClaimChanged).
        resubmissions: i32,
    },
    /// Reject (frees the key).
    Reject {
        /// Why (required).
        reason: String,
        /// The claim's `resubmissions` the rejection was decided on.
        resubmissions: i32,
    },
    /// Return for correction (keeps the key).
    Return {
        /// What to correct (required).
        reason: String,
        /// The claim's `resubmissions` the return was decided on.
        resubmissions: i32,
    },
}

impl Decision {
    /// The claim's `resubmissions` the decision was made on: which of its
    /// applications it judges. A claim resubmitted since is
    /// [`StoreError::ClaimChanged`](crate::StoreError::ClaimChanged), so no
    /// decision lands on an application nobody reviewed.
    #[must_use]
    pub fn resubmissions(&self) -> i32 {
        match self {
            Decision::Approve { resubmissions, .. }
            | Decision::Reject { resubmissions, .. }
            | Decision::Return { resubmissions, .. } => *resubmissions,
        }
    }
}

/// The per-claim data of an approval (the fields of [`Decision::Approve`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalInput {
    /// The approved amount (> 0).
    pub amount: Money,
    /// The reviewer set the amount.
    pub set_by_reviewer: bool,
    /// The frozen split.
    pub split: FrozenSplit,
    /// Opaque payload: the approval assessment.
    pub record_json: String,
    /// Optional reason.
    pub reason: Option<String>,
    /// The claim's `resubmissions` as read when the approval was computed.
    pub resubmissions: i32,
}

impl From<ApprovalInput> for Decision {
    fn from(a: ApprovalInput) -> Self {
        Decision::Approve {
            amount: a.amount,
            set_by_reviewer: a.set_by_reviewer,
            split: a.split,
            record_json: a.record_json,
            reason: a.reason,
            resubmissions: a.resubmissions,
        }
    }
}

/// A batch review: every claim gets the same decision kind; approvals carry per-claim data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchDecision {
    /// Approve each claim with its data.
    Approve(Vec<(ClaimId, ApprovalInput)>),
    /// Reject every claim with one reason.
    Reject {
        /// The claims, each with the `resubmissions` it was rejected on.
        ids: Vec<(ClaimId, i32)>,
        /// Why.
        reason: String,
    },
}

/// What a batch review did (or, in a dry run, would do).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchOutcome {
    /// The claims after the decision, in the order given.
    pub claims: Vec<Claim>,
    /// The budgets the batch touches (CITY of each year involved, and each district budget
    /// that is set for an approved claim's fiscal unit), before.
    pub budgets_before: Vec<BudgetStatus>,
    /// The same budgets after.
    pub budgets_after: Vec<BudgetStatus>,
    /// The sum of [`Claim::amount`] over the claims after the decision.
    pub total: Money,
    /// Nothing was committed.
    pub dry_run: bool,
}

/// A corrected filing for a RETURNED claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resubmission {
    /// The new filing: same credit code and submitter as before (else
    /// [`StoreError::InvalidInput`]); the one-time key may change. Its idempotency key is
    /// ignored (the claim keeps the one it was created with).
    pub filing: Filing,
}

/// A payment to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentInput {
    /// The payment date: not before the approval's day (China time), not after today.
    pub payment_date: Date,
    /// The voucher number; unique per payer.
    pub voucher: String,
    /// Who pays ([`CITY`]).
    pub payer: String,
    /// The amount; `None` = the unpaid rest.
    pub amount: Option<Money>,
}

/// A budget of one (year, payer) and how much approvals use of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetStatus {
    /// The budget year.
    pub year: i32,
    /// [`CITY`] or a district (fiscal unit) code.
    pub payer: String,
    /// The configured total.
    pub total: Money,
    /// CITY: the sum of approved amounts of APPROVED and DISBURSED claims of the year; a
    /// district: the sum of the frozen district shares of those claims whose split names it.
    pub used: Money,
    /// `total - used` (never negative).
    pub left: Money,
    /// When the total was last set (`None` when no budget is set, e.g. in batch figures).
    pub updated_at: Option<Timestamp>,
}

// ---------------------------------------------------------------------------------------------
// Queue queries
// ---------------------------------------------------------------------------------------------

/// The order of [`claims`](crate::Store::claims).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ClaimSort {
    /// Ascending id (submission order).
    #[default]
    IdAsc,
    /// Newest first submission first (ties: higher id first).
    SubmittedDesc,
    /// Largest [`Claim::amount`] first (ties: ascending id).
    AmountDesc,
    /// Smallest [`Claim::amount`] first (ties: ascending id).
    AmountAsc,
    /// Unit name in code point order (ties: ascending id).
    UnitName,
}

impl ClaimSort {
    /// The sort's letter in a cursor.
    pub(crate) fn cursor_code(self) -> &'static str {
        match self {
            ClaimSort::IdAsc => "i",
            ClaimSort::SubmittedDesc => "s",
            ClaimSort::AmountDesc => "a",
            ClaimSort::AmountAsc => "b",
            ClaimSort::UnitName => "u",
        }
    }
}

/// Filters, order and page of [`claims`](crate::Store::claims); `None` means any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClaimQuery {
    /// Budget year.
    pub year: Option<i32>,
    /// Fiscal unit.
    pub fiscal_unit: Option<String>,
    /// Clause.
    pub clause: Option<String>,
    /// Item.
    pub item: Option<String>,
    /// Status.
    pub status: Option<ClaimStatus>,
    /// Submitter (a portal user sees only their own claims).
    pub submitted_by: Option<String>,
    /// Unit name contains it (full/half width and case folded), the credit code starts
    /// with it, or the subject (canonical, RULES.md §5) contains it.
    pub search: Option<String>,
    /// [`Claim::amount`] at least.
    pub amount_min: Option<Money>,
    /// [`Claim::amount`] at most.
    pub amount_max: Option<Money>,
    /// First submitted at or after.
    pub submitted_from: Option<Timestamp>,
    /// First submitted before.
    pub submitted_to: Option<Timestamp>,
    /// The order.
    pub sort: ClaimSort,
    /// Opaque, handed out by a previous page of the same query.
    pub cursor: Option<String>,
    /// 0 = 50; at most 1000.
    pub page_size: u32,
    /// Fill [`ClaimPage::total_count`] and [`ClaimPage::status_counts`].
    pub with_counts: bool,
}

/// One page of [`claims`](crate::Store::claims).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimPage {
    /// The claims (without payments).
    pub claims: Vec<Claim>,
    /// Pass back in [`ClaimQuery::cursor`] for the next page; `None` on the last page.
    pub next_cursor: Option<String>,
    /// With counts: how many claims match all filters.
    pub total_count: Option<i64>,
    /// With counts: per status (every status, in [`ClaimStatus::all`] order), how many
    /// claims match all filters except the status filter. Empty without counts.
    pub status_counts: Vec<(ClaimStatus, i64)>,
}

/// One page of a keyset-paged listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The items, in ascending id order.
    pub items: Vec<T>,
    /// Pass back to get the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Attachments
// ---------------------------------------------------------------------------------------------

/// A file to attach to a claim. The server checks type and size; the store computes the
/// digest and size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAttachment {
    /// The file name as uploaded.
    pub file_name: String,
    /// Its media type.
    pub content_type: String,
    /// The bytes.
    pub content: Vec<u8>,
}

/// A stored attachment's metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// Database-assigned identifier.
    pub id: i64,
    /// The claim.
    pub claim_id: ClaimId,
    /// The file name.
    pub file_name: String,
    /// The media type.
    pub content_type: String,
    /// The size in bytes.
    pub size_bytes: i64,
    /// `sha256:<hex>` of the content.
    pub sha256: String,
    /// Who uploaded it.
    pub uploaded_by: String,
    /// When.
    pub uploaded_at: Timestamp,
}

// ---------------------------------------------------------------------------------------------
// Publications and objections
// ---------------------------------------------------------------------------------------------

/// One line of a public notice (公示).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicationEntry {
    /// 1-based row number.
    pub row: i32,
    /// The claim.
    pub claim_id: ClaimId,
    /// Unit name.
    pub unit_name: String,
    /// Credit code.
    pub credit_code: String,
    /// Fiscal unit code.
    pub fiscal_unit: String,
    /// Fiscal unit name (Chinese).
    pub fiscal_unit_name_zh: String,
    /// Item id.
    pub item: String,
    /// Item name (Chinese).
    pub item_name_zh: String,
    /// Clause.
    pub clause: String,
    /// Subject.
    pub subject: String,
    /// The approved amount.
    pub amount: Money,
}

/// A publication to create (as a draft).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPublication {
    /// Title.
    pub title: String,
    /// Budget year of the claims listed.
    pub year: i32,
    /// One fiscal unit, or all.
    pub fiscal_unit: Option<String>,
    /// First day of the objection period.
    pub period_start: Date,
    /// Last day of the objection period.
    pub period_end: Date,
    /// The period's length in working days (as announced).
    pub working_days: i32,
    /// Where objections go.
    pub objection_contact: String,
    /// The lines, prepared by the server; rows 1..=n in order. The store re-checks in its
    /// transaction that each claim is APPROVED or DISBURSED, of the publication's year (and
    /// fiscal unit when one is given), with this approved amount.
    pub entries: Vec<PublicationEntry>,
}

/// A publication's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PublicationStatus {
    /// Being prepared; not public.
    Draft,
    /// Issued; frozen (the database refuses changes to it and its entries).
    Issued,
}

impl PublicationStatus {
    /// `DRAFT` or `ISSUED`.
    pub fn as_str(self) -> &'static str {
        match self {
            PublicationStatus::Draft => "DRAFT",
            PublicationStatus::Issued => "ISSUED",
        }
    }
}

/// A stored publication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publication {
    /// Database-assigned identifier.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Budget year.
    pub year: i32,
    /// One fiscal unit, or all.
    pub fiscal_unit: Option<String>,
    /// Draft or issued.
    pub status: PublicationStatus,
    /// First day of the objection period.
    pub period_start: Date,
    /// Last day of the objection period.
    pub period_end: Date,
    /// Working days of the period.
    pub working_days: i32,
    /// Where objections go.
    pub objection_contact: String,
    /// The lines (empty in [`publications`](crate::Store::publications) lists).
    pub entries: Vec<PublicationEntry>,
    /// How many lines it has (filled in lists too).
    pub entry_count: i64,
    /// The sum of the lines' amounts.
    pub total: Money,
    /// Who created it.
    pub created_by: String,
    /// When.
    pub created_at: Timestamp,
    /// Who issued it.
    pub issued_by: Option<String>,
    /// When.
    pub issued_at: Option<Timestamp>,
    /// Objections received (empty in lists).
    pub objections: Vec<Objection>,
}

/// An objection to record against an issued publication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewObjection {
    /// The publication.
    pub publication_id: i64,
    /// The claim objected to (must be on the publication).
    pub claim_id: ClaimId,
    /// The day it was received (within the objection period).
    pub received_on: Date,
    /// Who objects.
    pub objector: String,
    /// How to reach them.
    pub contact: String,
    /// What they say.
    pub content: String,
}

/// How an objection was resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ObjectionOutcome {
    /// The objection holds.
    Upheld,
    /// The objection does not hold.
    Dismissed,
}

impl ObjectionOutcome {
    /// `UPHELD` or `DISMISSED`.
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectionOutcome::Upheld => "UPHELD",
            ObjectionOutcome::Dismissed => "DISMISSED",
        }
    }
}

/// A stored objection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Objection {
    /// Database-assigned identifier.
    pub id: i64,
    /// The publication.
    pub publication_id: i64,
    /// The claim.
    pub claim_id: ClaimId,
    /// The day received.
    pub received_on: Date,
    /// Who objects.
    pub objector: String,
    /// Contact.
    pub contact: String,
    /// Content.
    pub content: String,
    /// `None` while open.
    pub outcome: Option<ObjectionOutcome>,
    /// The resolution text.
    pub resolution: Option<String>,
    /// Who recorded it.
    pub recorded_by: String,
    /// When.
    pub recorded_at: Timestamp,
    /// Who resolved it.
    pub resolved_by: Option<String>,
    /// When.
    pub resolved_at: Option<Timestamp>,
}

// ---------------------------------------------------------------------------------------------
// Reports
// ---------------------------------------------------------------------------------------------

/// Filters of [`report`](crate::Store::report); `None` means any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportFilter {
    /// Budget year.
    pub year: Option<i32>,
    /// Fiscal unit.
    pub fiscal_unit: Option<String>,
    /// Clause.
    pub clause: Option<String>,
    /// Item.
    pub item: Option<String>,
}

/// One (year, fiscal unit, clause, item) group of [`report`](crate::Store::report).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRow {
    /// Budget year.
    pub year: i32,
    /// Fiscal unit (the filing's).
    pub fiscal_unit: String,
    /// Clause.
    pub clause: String,
    /// Item.
    pub item: String,
    /// All claims of the group.
    pub claims: i64,
    /// SUBMITTED.
    pub submitted: i64,
    /// RETURNED.
    pub returned: i64,
    /// WITHDRAWN.
    pub withdrawn: i64,
    /// APPROVED.
    pub approved: i64,
    /// REJECTED.
    pub rejected: i64,
    /// DISBURSED.
    pub disbursed: i64,
    /// Sum of approved amounts (APPROVED and DISBURSED).
    pub approved_amount: Money,
    /// Sum of payments.
    pub paid: Money,
    /// Sum of the payments' municipal parts.
    pub municipal_paid: Money,
    /// Sum of the payments' district parts.
    pub district_paid: Money,
}

// ---------------------------------------------------------------------------------------------
// Audit
// ---------------------------------------------------------------------------------------------

/// What an audit entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::EnumIter)]
pub enum AuditAction {
    /// A claim was submitted.
    Submit,
    /// A claim was approved.
    Approve,
    /// A claim was rejected.
    Reject,
    /// A payment was recorded.
    Disburse,
    /// A budget was set.
    SetBudget,
    /// A claim was returned for correction.
    Return,
    /// A returned claim was resubmitted.
    Resubmit,
    /// A claim was withdrawn.
    Withdraw,
    /// An attachment was added.
    Attach,
    /// A publication draft was created.
    PublicationCreate,
    /// A publication was issued.
    PublicationIssue,
    /// An objection was recorded.
    ObjectionRecord,
    /// An objection was resolved.
    ObjectionResolve,
    /// A claim's one-time key was re-keyed.
    Rekey,
}

impl AuditAction {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::Submit => "SUBMIT",
            AuditAction::Approve => "APPROVE",
            AuditAction::Reject => "REJECT",
            AuditAction::Disburse => "DISBURSE",
            AuditAction::SetBudget => "SET_BUDGET",
            AuditAction::Return => "RETURN",
            AuditAction::Resubmit => "RESUBMIT",
            AuditAction::Withdraw => "WITHDRAW",
            AuditAction::Attach => "ATTACH",
            AuditAction::PublicationCreate => "PUBLICATION_CREATE",
            AuditAction::PublicationIssue => "PUBLICATION_ISSUE",
            AuditAction::ObjectionRecord => "OBJECTION_RECORD",
            AuditAction::ObjectionResolve => "OBJECTION_RESOLVE",
            AuditAction::Rekey => "REKEY",
        }
    }

    /// Every action, in declaration order.
    pub fn all() -> impl Iterator<Item = AuditAction> {
        AuditAction::iter()
    }
}

impl fmt::Display for AuditAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AuditAction {
    type Err = StoreError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AuditAction::iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| StoreError::invalid("action", format!("unknown audit action {s:?}")))
    }
}

/// One entry of the hash-chained audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// 1, 2, 3, … without gaps.
    pub id: i64,
    /// The claim concerned, if any.
    pub claim_id: Option<ClaimId>,
    /// What else it concerns (`claim:7`, `budget:2026:CITY`, `publication:3`, …).
    pub target: String,
    /// Who (subject).
    pub actor: String,
    /// In which role.
    pub role: String,
    /// When.
    pub at: Timestamp,
    /// What.
    pub action: AuditAction,
    /// The record before (JSON text), `None` when created.
    pub before_json: Option<String>,
    /// The record after (JSON text).
    pub after_json: Option<String>,
    /// The previous entry's hash (`""` for the first).
    pub previous_hash: String,
    /// `sha256:<hex>` over the previous hash and this entry's fields.
    pub entry_hash: String,
}

/// Filters of [`audit_log`](crate::Store::audit_log); `None` means any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// The claim.
    pub claim_id: Option<ClaimId>,
    /// The actor's subject.
    pub actor: Option<String>,
    /// The action.
    pub action: Option<AuditAction>,
    /// At or after.
    pub from: Option<Timestamp>,
    /// Before.
    pub to: Option<Timestamp>,
    /// The newest entries first (the page's cursor then bounds from above).
    pub newest_first: bool,
}

/// The result of [`verify_audit`](crate::Store::verify_audit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditVerification {
    /// How many entries were read.
    pub entries_checked: i64,
    /// The first broken entry's id and what is wrong with it; `None` when the chain is
    /// intact.
    pub first_broken: Option<(i64, String)>,
    /// The last entry's hash (publish it to detect a rewrite of the whole tail later).
    pub head_hash: String,
    /// The seals of the log ([`crate::seal`]) as far as the chain was read.
    pub seals: SealsVerification,
    /// The claims table compared with the log.
    pub claims: ClaimsVerification,
    /// The budgets table compared with the log.
    pub budgets: RowsVerification,
    /// Publications, objections and attachments compared with the log.
    pub records: RowsVerification,
}

impl AuditVerification {
    /// Whether the chain is intact and every comparable claim and budget agrees with it.
    pub fn is_intact(&self) -> bool {
        self.first_broken.is_none()
            && self.claims.first_diverging.is_none()
            && self.budgets.first_diverging.is_none()
            && self.records.first_diverging.is_none()
    }
}

/// The audit log's seals as a verification found them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SealsVerification {
    /// The first sealed entry: from it on every entry read carried a seal. `None`: no entry
    /// read is sealed.
    pub sealed_from: Option<i64>,
    /// The id of the key the seals were checked with; `None`: no key was given, so only
    /// their presence was checked (an entry without a seal after a sealed one is a break),
    /// not their values.
    pub key_id: Option<String>,
}

/// Which entries of the audit log are sealed ([`crate::Store::audit_seals`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditSeals {
    /// Entries in the log (the head's id).
    pub entries: i64,
    /// The first sealed entry.
    pub first_sealed: Option<i64>,
    /// The last sealed entry.
    pub last_sealed: Option<i64>,
    /// The id of the key the last seal was made with.
    pub last_key_id: Option<String>,
}

/// What taking an audit key did ([`crate::Store::adopt_audit_key`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAdoption {
    /// The log has no entry: the first one appended will be sealed.
    EmptyLog,
    /// The log had entries and no seal: its last entry `entry` is now sealed, which vouches
    /// for the log as it was found.
    Adopted {
        /// The entry sealed.
        entry: i64,
    },
    /// The log is already sealed under this key, from `first_sealed` on; `unsealed_after`
    /// entries after the last seal carry none (appended without the key: a verification
    /// names the first of them).
    AlreadySealed {
        /// The first sealed entry.
        first_sealed: i64,
        /// Entries after the last sealed one.
        unsealed_after: i64,
    },
}

/// A table compared with what the audit log says of each of its rows, named by a text key:
/// the budgets (`<year>/<payer>`: the total the last `SetBudget` entry set), and the
/// publications, objections and attachments (`publication:<id>` …: the last snapshot);
/// each entry must start from what the one before it left.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowsVerification {
    /// Rows compared with the log.
    pub checked: i64,
    /// The first row (in key order) that differs from the log, does not read, or that the
    /// log has and the table lacks; and what is wrong.
    pub first_diverging: Option<(String, String)>,
    /// Rows no entry names (written behind the store's back), which cannot be compared.
    pub unverifiable: i64,
    /// The first of them (at most 20), by key.
    pub unverifiable_named: Vec<String>,
}

/// The claims table compared with what the audit log says of each claim: its last whole
/// snapshot, with the re-keyings after it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClaimsVerification {
    /// Claims compared with the log.
    pub checked: i64,
    /// The first claim (by id) whose row or payments differ from the log, whose row does
    /// not read, or that the log names and the table lacks; and what is wrong.
    pub first_diverging: Option<(ClaimId, String)>,
    /// Claims the log holds no whole snapshot of (upgraded from v1, or written behind the
    /// store's back), which cannot be compared.
    pub unverifiable: i64,
    /// The first of them (at most 20).
    pub unverifiable_named: Vec<ClaimId>,
}

// ---------------------------------------------------------------------------------------------
// Re-keying, backups
// ---------------------------------------------------------------------------------------------

/// What the key function of [`rekey`](crate::Store::rekey) sees of a claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RekeyInput {
    /// The claim.
    pub id: ClaimId,
    /// Its credit code.
    pub credit_code: String,
    /// Its item.
    pub item: String,
    /// Its canonical subject.
    pub subject: String,
    /// Its achievement date.
    pub achievement_date: Date,
    /// Its stored one-time key.
    pub one_time_key: String,
}

/// What [`rekey`](crate::Store::rekey) did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RekeyReport {
    /// Claims whose key changed: (id, old key, new key).
    pub rekeyed: Vec<(ClaimId, String, String)>,
    /// Collisions found by this run (new or already recorded), for a reviewer.
    pub collisions: Vec<KeyCollision>,
}

/// A fiscal unit other than a claim's own under which its applicant (credit code) filed:
/// its other claims there, and whether the claim itself was filed there before a
/// resubmission moved it ([`Store::other_fiscal_units`](crate::Store::other_fiscal_units)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherFiscalUnit {
    /// The fiscal unit's code.
    pub fiscal_unit: String,
    /// The applicant's other claims filed under it, newest first (at most
    /// [`OtherFiscalUnit::MAX_CLAIMS`]).
    pub claim_ids: Vec<ClaimId>,
    /// How many there are, listed or not.
    pub claims_total: u32,
    /// The claim itself was submitted (or resubmitted) under it before.
    pub this_claim_before: bool,
}

impl OtherFiscalUnit {
    /// The claims listed per fiscal unit.
    pub const MAX_CLAIMS: usize = 20;
}

/// Two live claims that map to one canonical key; recorded, never merged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyCollision {
    /// Database-assigned identifier.
    pub id: i64,
    /// The claim that could not take the key.
    pub claim_id: ClaimId,
    /// The claim holding it.
    pub holder_claim_id: ClaimId,
    /// The canonical key.
    pub one_time_key: String,
    /// When it was first found.
    pub found_at: Timestamp,
    /// Whether it no longer stands (one of the two claims no longer holds a key, or the
    /// claim now holds the key itself).
    pub resolved: bool,
}

/// What [`backup_sqlite`](crate::backup_sqlite) produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackupInfo {
    /// Claims in the copy.
    pub claims: i64,
    /// Audit entries in the copy.
    pub audit_rows: i64,
    /// Size of the copy in bytes.
    pub bytes: u64,
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::arithmetic_side_effects,
        clippy::indexing_slicing
    )]
    use super::*;

    #[test]
    fn timestamps_parse_only_the_fixed_form() {
        let t = Timestamp::parse("2026-03-01T01:30:00.000000Z").unwrap();
        assert_eq!(t.as_str(), "2026-03-01T01:30:00.000000Z");
        for bad in [
            "2026-03-01T01:30:00Z",
            "2026-03-01T01:30:00.000000+08:00",
            "2026-02-30T01:30:00.000000Z",
            "2026-03-01T24:00:00.000000Z",
            "2026-03-01t01:30:00.000000Z",
            "2026-03-01T01:30:00.00000aZ",
            "",
        ] {
            assert!(Timestamp::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn rfc3339_converts_to_utc() {
        let t = Timestamp::from_rfc3339("2026-03-01T09:30:00+08:00").unwrap();
        assert_eq!(t.as_str(), "2026-03-01T01:30:00.000000Z");
        let t = Timestamp::from_rfc3339("2026-01-01T01:00:00.1234567+08:00").unwrap();
        assert_eq!(t.as_str(), "2025-12-31T17:00:00.123456Z");
        let t = Timestamp::from_rfc3339("2026-03-01t01:30:00.5z").unwrap();
        assert_eq!(t.as_str(), "2026-03-01T01:30:00.500000Z");
        assert!(Timestamp::from_rfc3339("2026-03-01T01:30:00").is_err());
        assert!(Timestamp::from_rfc3339("2026-03-01T01:30:00+0800").is_err());
        let round = Timestamp::parse("2026-03-01T01:30:00.000001Z").unwrap();
        assert_eq!(
            Timestamp::from_unix_micros(round.unix_micros()),
            Some(round)
        );
    }

    #[test]
    fn china_date_is_utc_plus_eight() {
        let t = Timestamp::parse("2026-03-01T15:59:59.999999Z").unwrap();
        assert_eq!(t.china_date().to_string(), "2026-03-01");
        let t = Timestamp::parse("2026-03-01T16:00:00.000000Z").unwrap();
        assert_eq!(t.china_date().to_string(), "2026-03-02");
    }

    #[test]
    fn statuses_and_actions_round_trip() {
        for s in ClaimStatus::all() {
            assert_eq!(s.as_str().parse::<ClaimStatus>().unwrap(), s);
        }
        assert_eq!(ClaimStatus::all().count(), 6);
        for a in AuditAction::all() {
            assert_eq!(a.as_str().parse::<AuditAction>().unwrap(), a);
        }
        assert_eq!(AuditAction::all().count(), 14);
        assert!(ClaimStatus::Returned.holds_key());
        assert!(!ClaimStatus::Withdrawn.holds_key());
    }
}

//! The store's data types: what callers pass in and what they get back.
//!
//! Amounts are [`Decimal`] yuan with at most two decimal places (see [`crate::money`]);
//! timestamps are RFC 3339 strings passed in by the caller (`now`); dates are `YYYY-MM-DD`.
//! JSON payloads (`application_json`, `estimate_json`, `receipt_json`) are stored as the exact
//! text the caller passed (they must be well-formed JSON), so a frozen receipt reads back
//! byte for byte.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;

use crate::error::StoreError;

/// A claim's identifier: a positive integer assigned by the database, never reused.
pub type ClaimId = i64;

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    /// Embedded SQLite file (the default).
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        })
    }
}

/// Who performs a state change; recorded in every audit row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The token subject (who).
    pub subject: String,
    /// The role the subject acted in (`portal`, `reviewer`, `finance`, `admin`).
    pub role: String,
}

impl Actor {
    /// Builds an actor from a subject and a role.
    pub fn new(subject: impl Into<String>, role: impl Into<String>) -> Self {
        Actor {
            subject: subject.into(),
            role: role.into(),
        }
    }
}

/// A claim's lifecycle status: `SUBMITTED → APPROVED → DISBURSED`, or `SUBMITTED → REJECTED`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ClaimStatus {
    /// Submitted, awaiting review.
    Submitted,
    /// Approved with a frozen amount and receipt; counts against the year's budget.
    Approved,
    /// Rejected; frees the one-time key for a later claim.
    Rejected,
    /// Paid out; still counts against the budget and holds the one-time key.
    Disbursed,
}

impl ClaimStatus {
    /// All statuses, in lifecycle order.
    pub const ALL: [ClaimStatus; 4] = [
        ClaimStatus::Submitted,
        ClaimStatus::Approved,
        ClaimStatus::Rejected,
        ClaimStatus::Disbursed,
    ];

    /// The stored (and API) spelling: `SUBMITTED`, `APPROVED`, `REJECTED`, `DISBURSED`.
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimStatus::Submitted => "SUBMITTED",
            ClaimStatus::Approved => "APPROVED",
            ClaimStatus::Rejected => "REJECTED",
            ClaimStatus::Disbursed => "DISBURSED",
        }
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
        ClaimStatus::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| StoreError::invalid("status", format!("unknown claim status {s:?}")))
    }
}

/// A claim as submitted. The caller (the gRPC server) has already validated the application
/// with the rules crate and passes the computed values; the store does no rules logic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewClaim {
    /// Client-chosen idempotency key; unique per submitter.
    pub idempotency_key: String,
    /// The token subject of the submitter.
    pub submitted_by: String,
    /// 统一社会信用代码 of the applicant unit, as normalised by the caller.
    pub credit_code: String,
    /// The submitter explicitly confirmed a credit code whose check character does not match.
    pub credit_code_confirmed: bool,
    /// The applicant unit's name (单位名称).
    pub unit_name: String,
    /// The seat as stated by the applicant (e.g. a division code).
    pub seat: String,
    /// The fiscal unit that bears the district share (normalised by the caller).
    pub fiscal_unit: String,
    /// The catalogue item.
    pub item: String,
    /// The item's variant, if the item has variants.
    pub variant: Option<String>,
    /// The policy clause (条款) the item falls under.
    pub clause: String,
    /// The normalised subject (standard number, committee code, project reference …).
    pub subject: String,
    /// The one-time key built by the caller from credit code, item (and variant) and the
    /// normalised subject. At most one non-rejected claim can hold it.
    pub one_time_key: String,
    /// The achievement's date, `YYYY-MM-DD`.
    pub achievement_date: String,
    /// The budget year the claim is paid from.
    pub year: i32,
    /// The application as received (JSON text).
    pub application_json: String,
    /// The estimate computed at submission (JSON text).
    pub estimate_json: String,
    /// The estimated payable amount (yuan).
    pub estimated_amount: Decimal,
}

/// A stored claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// Database-assigned identifier.
    pub id: ClaimId,
    /// See [`NewClaim::idempotency_key`].
    pub idempotency_key: String,
    /// See [`NewClaim::submitted_by`].
    pub submitted_by: String,
    /// See [`NewClaim::credit_code`].
    pub credit_code: String,
    /// See [`NewClaim::credit_code_confirmed`].
    pub credit_code_confirmed: bool,
    /// See [`NewClaim::unit_name`].
    pub unit_name: String,
    /// See [`NewClaim::seat`].
    pub seat: String,
    /// See [`NewClaim::fiscal_unit`].
    pub fiscal_unit: String,
    /// See [`NewClaim::item`].
    pub item: String,
    /// See [`NewClaim::variant`].
    pub variant: Option<String>,
    /// See [`NewClaim::clause`].
    pub clause: String,
    /// See [`NewClaim::subject`].
    pub subject: String,
    /// See [`NewClaim::one_time_key`].
    pub one_time_key: String,
    /// See [`NewClaim::achievement_date`].
    pub achievement_date: String,
    /// See [`NewClaim::year`].
    pub year: i32,
    /// See [`NewClaim::application_json`].
    pub application_json: String,
    /// See [`NewClaim::estimate_json`].
    pub estimate_json: String,
    /// See [`NewClaim::estimated_amount`].
    pub estimated_amount: Decimal,
    /// Current lifecycle status.
    pub status: ClaimStatus,
    /// When the claim was submitted (RFC 3339, as passed by the caller).
    pub created_at: String,
    /// When the claim last changed (RFC 3339, as passed by the caller).
    pub updated_at: String,
    /// Who reviewed the claim.
    pub reviewed_by: Option<String>,
    /// The reviewer's reason (required for rejections).
    pub review_reason: Option<String>,
    /// The approved, frozen amount (yuan).
    pub approved_amount: Option<Decimal>,
    /// The frozen assessment receipt of the approval (JSON text).
    pub receipt_json: Option<String>,
    /// When the claim was reviewed.
    pub reviewed_at: Option<String>,
    /// The payment date, `YYYY-MM-DD`.
    pub payment_date: Option<String>,
    /// The payment voucher number.
    pub voucher_no: Option<String>,
    /// The municipal treasury's share (yuan).
    pub municipal_share: Option<Decimal>,
    /// The fiscal unit's (district/county) share (yuan).
    pub district_share: Option<Decimal>,
    /// The id of the share table used for the split.
    pub share_table_id: Option<String>,
    /// Who recorded the disbursement.
    pub disbursed_by: Option<String>,
    /// When the disbursement was recorded.
    pub disbursed_at: Option<String>,
}

/// The result of [`ClaimStore::submit_claim`](crate::ClaimStore::submit_claim).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubmitOutcome {
    /// A new claim was stored.
    Created(Claim),
    /// The same submitter already used this idempotency key with the same request; this is
    /// that claim (whatever its status is now).
    Existing(Claim),
    /// The one-time key is held by another non-rejected claim.
    AlreadyGranted {
        /// The claim holding the key.
        existing_claim_id: ClaimId,
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

/// A reviewer's decision on a submitted claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Approve and freeze `amount` with its `receipt_json`.
    Approve {
        /// The approved amount (yuan); counts against the year's budget.
        amount: Decimal,
        /// The frozen assessment receipt (JSON text).
        receipt_json: String,
        /// Optional reason (the caller requires one for discretionary clauses).
        reason: Option<String>,
    },
    /// Reject with a reason; frees the one-time key.
    Reject {
        /// Why the claim was rejected (required, non-empty).
        reason: String,
    },
}

/// What finance records when a claim is paid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disbursement {
    /// The payment date, `YYYY-MM-DD`.
    pub payment_date: String,
    /// The payment voucher number.
    pub voucher_no: String,
    /// The municipal treasury's share (yuan).
    pub municipal_share: Decimal,
    /// The fiscal unit's share (yuan). `municipal_share + district_share` must equal the
    /// approved amount.
    pub district_share: Decimal,
    /// The share table the split was computed with.
    pub share_table_id: String,
}

/// Filters for [`ClaimStore::list_claims`](crate::ClaimStore::list_claims); `None` means any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClaimFilter {
    /// Budget year.
    pub year: Option<i32>,
    /// Fiscal unit.
    pub fiscal_unit: Option<String>,
    /// Clause.
    pub clause: Option<String>,
    /// Status.
    pub status: Option<ClaimStatus>,
    /// Submitter (token subject), e.g. to show a portal user only their own claims.
    pub submitted_by: Option<String>,
}

/// Filters for [`ClaimStore::report`](crate::ClaimStore::report); `None` means any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportFilter {
    /// Budget year.
    pub year: Option<i32>,
    /// Fiscal unit.
    pub fiscal_unit: Option<String>,
    /// Clause.
    pub clause: Option<String>,
}

/// One page of a keyset-paged listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The items, in ascending id order.
    pub items: Vec<T>,
    /// Pass this back to get the next page; `None` when this is the last page.
    pub next_cursor: Option<String>,
}

/// A year's budget and how much of it approvals have used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BudgetStatus {
    /// The budget year.
    pub year: i32,
    /// The configured total (yuan).
    pub total: Decimal,
    /// Sum of approved amounts of APPROVED and DISBURSED claims of the year (yuan).
    pub used: Decimal,
    /// `total - used` (yuan).
    pub left: Decimal,
}

/// One row of [`ClaimStore::report`](crate::ClaimStore::report): a (year, fiscal unit, clause)
/// group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRow {
    /// Budget year.
    pub year: i32,
    /// Fiscal unit.
    pub fiscal_unit: String,
    /// Clause.
    pub clause: String,
    /// All claims in the group.
    pub claims: i64,
    /// Claims currently SUBMITTED.
    pub submitted: i64,
    /// Claims currently APPROVED (not yet disbursed).
    pub approved: i64,
    /// Claims currently REJECTED.
    pub rejected: i64,
    /// Claims currently DISBURSED.
    pub disbursed: i64,
    /// Sum of approved amounts of APPROVED and DISBURSED claims (yuan).
    pub approved_amount: Decimal,
    /// Sum of municipal shares of DISBURSED claims (yuan).
    pub municipal_share: Decimal,
    /// Sum of district shares of DISBURSED claims (yuan).
    pub district_share: Decimal,
}

/// What an audit row records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditAction {
    /// A claim was created.
    Submit,
    /// A claim was approved.
    Approve,
    /// A claim was rejected.
    Reject,
    /// A disbursement was recorded.
    Disburse,
    /// A year's budget was set or changed.
    SetBudget,
}

impl AuditAction {
    /// All actions.
    pub const ALL: [AuditAction; 5] = [
        AuditAction::Submit,
        AuditAction::Approve,
        AuditAction::Reject,
        AuditAction::Disburse,
        AuditAction::SetBudget,
    ];

    /// The stored spelling: `SUBMIT`, `APPROVE`, `REJECT`, `DISBURSE`, `SET_BUDGET`.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::Submit => "SUBMIT",
            AuditAction::Approve => "APPROVE",
            AuditAction::Reject => "REJECT",
            AuditAction::Disburse => "DISBURSE",
            AuditAction::SetBudget => "SET_BUDGET",
        }
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
        AuditAction::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| StoreError::corrupt(format!("unknown audit action {s:?}")))
    }
}

/// One append-only audit row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Ascending row id.
    pub id: i64,
    /// The claim concerned (`None` for budget changes).
    pub claim_id: Option<ClaimId>,
    /// Who (token subject).
    pub actor: String,
    /// In which role.
    pub role: String,
    /// When (RFC 3339, as passed by the caller).
    pub at: String,
    /// What.
    pub action: AuditAction,
    /// The record before the change (JSON text), `None` when it was created.
    pub before_json: Option<String>,
    /// The record after the change (JSON text).
    pub after_json: Option<String>,
}

/// What [`backup_sqlite`](crate::backup_sqlite) produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackupInfo {
    /// Claims in the copy.
    pub claims: i64,
    /// Audit rows in the copy.
    pub audit_rows: i64,
    /// Size of the copy in bytes.
    pub bytes: u64,
}

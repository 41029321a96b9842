//! The store's error type, [`StoreError`], and its stable machine-readable codes.
//!
//! Every fallible store operation returns `Result<_, StoreError>`. The enum is exhaustive:
//! the server maps each variant once, and a new variant is a compile error there rather than
//! a silent catch-all. [`StoreError::code`] is part of the contract: a code never changes
//! meaning once released. Driver errors are classified here (unavailable vs. other), so
//! callers never inspect `sqlx` errors.

use std::fmt;
use stdfund_rules::date::Date;
use stdfund_rules::money::Money;

use crate::model::ClaimStatus;

/// What a claim's status refused ([`StoreError::InvalidState`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClaimAction {
    /// A review (approve, reject, return), one claim or a batch.
    Review,
    /// A withdrawal by the submitter.
    Withdraw,
    /// A resubmission after a return.
    Resubmit,
    /// A payment.
    Disburse,
    /// A place on a 公示.
    Publish,
    /// Revoking an approval after an upheld objection, once part is paid.
    RevokePartlyPaid,
    /// The applicant adding material to a claim.
    Attach,
}

impl ClaimAction {
    /// In English, for messages.
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimAction::Review => "review",
            ClaimAction::Withdraw => "withdraw",
            ClaimAction::Resubmit => "resubmit",
            ClaimAction::Disburse => "disburse",
            ClaimAction::Publish => "publish",
            ClaimAction::RevokePartlyPaid => "revoke an approval partly paid",
            ClaimAction::Attach => "add material",
        }
    }
}

impl fmt::Display for ClaimAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything that can go wrong in the claim store.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The record does not exist (or belongs to another submitter).
    #[error("{what} {id} not found")]
    NotFound {
        /// What was looked up: `claim`, `attachment`, `publication`, `objection`.
        what: &'static str,
        /// The identifier looked up.
        id: String,
    },
    /// The claim is not in a status that allows the action.
    #[error("claim {claim_id} is {actual}; {action} needs {}", list(allowed))]
    InvalidState {
        /// The claim.
        claim_id: i64,
        /// Its status.
        actual: ClaimStatus,
        /// The refused action.
        action: ClaimAction,
        /// The statuses that allow it.
        allowed: &'static [ClaimStatus],
    },
    /// An approval would exceed what is left of a budget.
    #[error(
        "approving {requested} would exceed the {year} {payer} budget: total {total}, used {used}, left {left}"
    )]
    BudgetExceeded {
        /// The budget year.
        year: i32,
        /// [`CITY`](crate::CITY) or the district.
        payer: String,
        /// The budget's total.
        total: Money,
        /// Already used.
        used: Money,
        /// `total - used`.
        left: Money,
        /// What the refused approval needed of this budget.
        requested: Money,
    },
    /// A batch approval would overspend a budget: the figures of the budget
    /// before the batch, and what the batch asks of it up to the first claim
    /// that does not fit.
    #[error(
        "approving the batch would exceed the {year} budget of {payer}: it asks {requested} of \
         the {left} left (total {total}, used {used} before the batch); claim {claim_id} does not fit"
    )]
    BatchBudgetExceeded {
        /// The budget year.
        year: i32,
        /// [`CITY`](crate::CITY) or the district.
        payer: String,
        /// The budget's total.
        total: Money,
        /// Used before the batch.
        used: Money,
        /// `total - used`, before the batch.
        left: Money,
        /// What the batch asks of this budget, through `claim_id`.
        requested: Money,
        /// The first claim of the batch that does not fit.
        claim_id: i64,
        /// Every claim of the batch that does not fit, in the order chosen, when each
        /// before it that fits is approved (the first is `claim_id`), with the payer
        /// whose budget does not hold it: leaving these out, the rest fits.
        over: Vec<(i64, String)>,
    },
    /// No CITY budget is set for the claim's year.
    #[error("no {year} {payer} budget is set")]
    BudgetNotSet {
        /// The budget year.
        year: i32,
        /// The payer.
        payer: String,
    },
    /// A new total would be below what approvals already use.
    #[error("a {year} {payer} budget of {total} is below the {used} already used")]
    BudgetBelowUsed {
        /// The budget year.
        year: i32,
        /// The payer.
        payer: String,
        /// The refused total.
        total: Money,
        /// Already used.
        used: Money,
    },
    /// The submitter used this idempotency key before for a different request.
    #[error("idempotency key `{key}` was used for another request (claim {claim_id})")]
    IdempotencyKeyReused {
        /// The key.
        key: String,
        /// The claim created with it.
        claim_id: i64,
    },
    /// Another live claim holds the one-time key a resubmission brings
    /// (found in the store's own transaction, after a concurrent claim took it).
    #[error("claim {claim_id} ({item}) already holds the one-time key {key:?}")]
    KeyHeld {
        /// The holder.
        claim_id: i64,
        /// The holder's item.
        item: String,
        /// The key.
        key: String,
    },
    /// An objection was filed against a publication not yet issued.
    #[error(
        "publication {publication_id} is a draft; objections are recorded against issued publications"
    )]
    PublicationIsDraft {
        /// The publication.
        publication_id: i64,
    },
    /// A concurrent change got in the way; retrying may succeed.
    #[error("conflict: {message}")]
    Conflict {
        /// What happened.
        message: String,
    },
    /// A value the store cannot accept.
    #[error("invalid {field}: {message}")]
    InvalidInput {
        /// The offending field.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The payment date is before the day of the approval (China time).
    #[error("payment date {payment_date} is before the approval on {approved_on}")]
    PaymentBeforeApproval {
        /// The approval's day.
        approved_on: Date,
        /// The refused date.
        payment_date: Date,
    },
    /// The payment date is after today (China time).
    #[error("payment date {payment_date} is after today, {today}")]
    PaymentInFuture {
        /// Today.
        today: Date,
        /// The refused date.
        payment_date: Date,
    },
    /// The payer already used this voucher number.
    #[error("voucher `{voucher}` of {payer} was already used for claim {claim_id}")]
    VoucherReused {
        /// The payer.
        payer: String,
        /// The voucher number.
        voucher: String,
        /// The claim paid with it.
        claim_id: i64,
    },
    /// The payment is zero or more than what is approved and unpaid.
    #[error("a payment of {requested} is not within the unpaid {unpaid}")]
    PaymentExceedsUnpaid {
        /// Approved minus paid.
        unpaid: Money,
        /// The refused amount.
        requested: Money,
    },
    /// The claim is already listed on an issued publication: one 公示 per claim.
    #[error("claim {claim_id} is already on issued publication {publication_id}")]
    AlreadyPublished {
        /// The claim.
        claim_id: i64,
        /// The issued publication that lists it.
        publication_id: i64,
    },
    /// The publication is issued (frozen); only drafts can be issued.
    #[error("publication {id} is already issued")]
    PublicationNotDraft {
        /// The publication.
        id: i64,
    },
    /// The objection was received outside the objection period.
    #[error("an objection received on {received_on} is outside {period_start}..{period_end}")]
    ObjectionOutsidePeriod {
        /// First day of the period.
        period_start: Date,
        /// Last day of the period.
        period_end: Date,
        /// The refused day.
        received_on: Date,
    },
    /// The objection's day received is after today (China time).
    #[error("an objection received on {received_on} is after today, {today}")]
    ObjectionInFuture {
        /// Today.
        today: Date,
        /// The refused day.
        received_on: Date,
    },
    /// The same objection (claim, objector, day received and content) is already recorded
    /// on the publication: a form sent twice, not a second objection.
    #[error("the same objection is already recorded as objection {objection_id}")]
    ObjectionDuplicate {
        /// The objection already recorded.
        objection_id: i64,
    },
    /// The claim is not listed on the publication.
    #[error("claim {claim_id} is not on publication {publication_id}")]
    NotOnPublication {
        /// The publication.
        publication_id: i64,
        /// The claim.
        claim_id: i64,
    },
    /// The objection is already resolved.
    #[error("objection {id} is already resolved")]
    ObjectionResolved {
        /// The objection.
        id: i64,
    },
    /// A payment of a claim with an objection still open, or upheld and the
    /// approval not yet revoked.
    #[error(
        "claim {claim_id} cannot be paid: objection {objection_id} is {}",
        if *upheld { "upheld; the reviewer revokes the approval (reject) or it stays unpaid" } else { "not yet resolved" }
    )]
    ObjectionBlocksPayment {
        /// The claim.
        claim_id: i64,
        /// The objection.
        objection_id: i64,
        /// Upheld (else still open).
        upheld: bool,
    },
    /// An applicant's file over what it may hold (one applicant cannot fill
    /// the disk the whole registry writes to): on one claim
    /// [`MAX_CLAIM_ATTACHMENTS`] files or [`MAX_CLAIM_ATTACHMENT_BYTES`]
    /// bytes, over all its claims [`MAX_APPLICANT_ATTACHMENTS`] files or
    /// [`MAX_APPLICANT_ATTACHMENT_BYTES`] bytes.
    ///
    /// [`MAX_CLAIM_ATTACHMENTS`]: crate::MAX_CLAIM_ATTACHMENTS
    /// [`MAX_CLAIM_ATTACHMENT_BYTES`]: crate::MAX_CLAIM_ATTACHMENT_BYTES
    /// [`MAX_APPLICANT_ATTACHMENTS`]: crate::MAX_APPLICANT_ATTACHMENTS
    /// [`MAX_APPLICANT_ATTACHMENT_BYTES`]: crate::MAX_APPLICANT_ATTACHMENT_BYTES
    #[error(
        "{scope} holds {files} of the applicant's files, {bytes} bytes: another of {adding} \
         bytes would pass the limit of {max_files} files and {max_bytes} bytes"
    )]
    AttachmentLimit {
        /// What the limit counts.
        scope: AttachmentScope,
        /// The applicant's files now.
        files: i64,
        /// Their bytes.
        bytes: i64,
        /// The file refused, in bytes.
        adding: i64,
        /// The limit of files.
        max_files: i64,
        /// The limit of bytes.
        max_bytes: i64,
    },
    /// Recording the payment of a claim one approved oneself (不相容职务分离):
    /// checked on the locked claim, since a read before the transaction may
    /// predate the approval.
    #[error(
        "claim {claim_id} was approved by {actor}, who may not also record its payment \
         (separation of duties)"
    )]
    PayOwnApproval {
        /// The claim.
        claim_id: i64,
        /// The caller, who approved it.
        actor: String,
    },
    /// A decision (approval, rejection, return) made on the claim as it was
    /// before a resubmission: the application it judges is no longer the
    /// claim's.
    #[error(
        "claim {claim_id} was resubmitted after it was read for this decision \
         (resubmission {now}, the decision saw {seen}); review it as it now stands"
    )]
    ClaimChanged {
        /// The claim.
        claim_id: i64,
        /// Its resubmission count the decision was made on.
        seen: i32,
        /// Its resubmission count now.
        now: i32,
    },
    /// The audit log is sealed under another key than the one given: appending with this
    /// key would make the log fail every verification. Start with the key the log was
    /// sealed with.
    #[error(
        "the audit log is sealed under key {sealed_with} (its entry {entry}), not under the \
         audit key given ({given}): start with the key the log was sealed with"
    )]
    AuditKeyMismatch {
        /// The id of the key given.
        given: String,
        /// The id of the key of the last seal.
        sealed_with: String,
        /// The last sealed entry.
        entry: i64,
    },
    /// A store holding the audit key found a log with entries and not one
    /// seal when it came to append: the seals were removed while it ran (a
    /// store that starts on such a log refuses it). Sealing the new entry
    /// would vouch for whatever was forged before.
    #[error(
        "the audit log has {entries} entries and no seal, though this server seals it: its \
         seals were removed; nothing is written until the log is checked (`stdfund audit \
         verify`) and restored"
    )]
    AuditSealsRemoved {
        /// The entries in the log.
        entries: i64,
    },
    /// The schema is not one this build can work with.
    #[error("migration error: {message}")]
    Migration {
        /// What is wrong.
        message: String,
    },
    /// The SQLite file does not exist and `create_if_missing` is off.
    #[error("the database file {path} does not exist")]
    DatabaseMissing {
        /// The configured path.
        path: String,
    },
    /// Stored data or the database file is damaged.
    #[error("corrupt data: {message}")]
    Corrupt {
        /// What is wrong.
        message: String,
    },
    /// The database is unreachable, busy beyond the write timeout, read-only, or its file
    /// was replaced or removed. Retrying later may succeed.
    #[error("database unavailable: {message}")]
    Unavailable {
        /// What happened.
        message: String,
    },
    /// Any other database error.
    #[error("database error: {message}")]
    Database {
        /// The driver's message.
        message: String,
    },
    /// A file-system error outside the driver (backups, file checks).
    #[error("i/o error: {message}")]
    Io {
        /// What failed.
        message: String,
    },
}

fn list(statuses: &[ClaimStatus]) -> String {
    statuses
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(" or ")
}

impl StoreError {
    /// A stable, upper-case reason code.
    ///
    /// `NOT_FOUND`, `INVALID_STATE`, `BUDGET_EXCEEDED`, `BUDGET_NOT_SET`,
    /// `BUDGET_BELOW_USED`, `IDEMPOTENCY_KEY_REUSED`, `CONFLICT`, `INVALID_ARGUMENT`,
    /// `PAYMENT_BEFORE_APPROVAL`, `PAYMENT_IN_FUTURE`, `VOUCHER_REUSED`,
    /// `PAYMENT_EXCEEDS_UNPAID`, `PUBLICATION_ISSUED`, `OBJECTION_OUTSIDE_PERIOD`,
    /// `NOT_ON_PUBLICATION`, `OBJECTION_RESOLVED`, `MIGRATION`, `DATABASE_MISSING`,
    /// `CORRUPT_DATA`, `UNAVAILABLE`, `DATABASE`, `IO`.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::NotFound { .. } => "NOT_FOUND",
            StoreError::InvalidState { .. } => "INVALID_STATE",
            StoreError::BudgetExceeded { .. } | StoreError::BatchBudgetExceeded { .. } => {
                "BUDGET_EXCEEDED"
            }
            StoreError::BudgetNotSet { .. } => "BUDGET_NOT_SET",
            StoreError::BudgetBelowUsed { .. } => "BUDGET_BELOW_USED",
            StoreError::IdempotencyKeyReused { .. } => "IDEMPOTENCY_KEY_REUSED",
            StoreError::KeyHeld { .. } => "ALREADY_GRANTED",
            StoreError::PublicationIsDraft { .. } => "INVALID_ARGUMENT",
            StoreError::Conflict { .. } => "CONFLICT",
            StoreError::InvalidInput { .. } => "INVALID_ARGUMENT",
            StoreError::AuditKeyMismatch { .. } => "AUDIT_KEY_MISMATCH",
            StoreError::AuditSealsRemoved { .. } => "AUDIT_SEALS_REMOVED",
            StoreError::PaymentBeforeApproval { .. } => "PAYMENT_BEFORE_APPROVAL",
            StoreError::PaymentInFuture { .. } => "PAYMENT_IN_FUTURE",
            StoreError::VoucherReused { .. } => "VOUCHER_REUSED",
            StoreError::PaymentExceedsUnpaid { .. } => "PAYMENT_EXCEEDS_UNPAID",
            StoreError::PublicationNotDraft { .. } => "PUBLICATION_ISSUED",
            StoreError::AlreadyPublished { .. } => "ALREADY_PUBLISHED",
            StoreError::ObjectionOutsidePeriod { .. } => "OBJECTION_OUTSIDE_PERIOD",
            StoreError::ObjectionInFuture { .. } => "OBJECTION_IN_FUTURE",
            StoreError::ObjectionDuplicate { .. } => "OBJECTION_DUPLICATE",
            StoreError::NotOnPublication { .. } => "NOT_ON_PUBLICATION",
            StoreError::ObjectionResolved { .. } => "OBJECTION_RESOLVED",
            StoreError::ObjectionBlocksPayment { .. } => "OBJECTION_BLOCKS_PAYMENT",
            StoreError::ClaimChanged { .. } => "CLAIM_CHANGED",
            StoreError::PayOwnApproval { .. } => "SEPARATION_OF_DUTIES",
            StoreError::AttachmentLimit { .. } => "ATTACHMENT_LIMIT",
            StoreError::Migration { .. } => "MIGRATION",
            StoreError::DatabaseMissing { .. } => "DATABASE_MISSING",
            StoreError::Corrupt { .. } => "CORRUPT_DATA",
            StoreError::Unavailable { .. } => "UNAVAILABLE",
            StoreError::Database { .. } => "DATABASE",
            StoreError::Io { .. } => "IO",
        }
    }

    /// Whether retrying the same call later may succeed: [`StoreError::Unavailable`] and
    /// [`StoreError::Conflict`].
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            StoreError::Unavailable { .. } | StoreError::Conflict { .. }
        )
    }

    pub(crate) fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        StoreError::InvalidInput {
            field,
            message: message.into(),
        }
    }

    pub(crate) fn corrupt(message: impl Into<String>) -> Self {
        StoreError::Corrupt {
            message: message.into(),
        }
    }

    pub(crate) fn unavailable(message: impl Into<String>) -> Self {
        StoreError::Unavailable {
            message: message.into(),
        }
    }

    pub(crate) fn not_found(what: &'static str, id: impl ToString) -> Self {
        StoreError::NotFound {
            what,
            id: id.to_string(),
        }
    }
}

/// SQLite primary result codes that mean the database cannot be used right now:
/// `SQLITE_BUSY` (5), `SQLITE_LOCKED` (6), `SQLITE_READONLY` (8), `SQLITE_IOERR` (10),
/// `SQLITE_FULL` (13), `SQLITE_CANTOPEN` (14).
const SQLITE_UNAVAILABLE: [u32; 6] = [5, 6, 8, 10, 13, 14];
/// `SQLITE_CONSTRAINT_UNIQUE` (2067) and `SQLITE_CONSTRAINT_PRIMARYKEY` (1555): a key taken.
const SQLITE_UNIQUE: [u32; 2] = [2067, 1555];
/// `SQLITE_CORRUPT` (11) and `SQLITE_NOTADB` (26).
const SQLITE_CORRUPT: [u32; 2] = [11, 26];

/// Whether a driver error is SQLite's `SQLITE_BUSY` (5, or an extended code of it): the
/// lock was held by another connection for the whole busy timeout.
pub(crate) fn is_sqlite_busy(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Database(db) => {
            db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some()
                && db
                    .code()
                    .and_then(|c| c.parse::<u32>().ok())
                    .is_some_and(|c| c & 0xff == 5)
        }
        _ => false,
    }
}

/// Classifies a driver error.
pub(crate) fn classify(err: &sqlx::Error) -> StoreError {
    let message = err.to_string();
    match err {
        // A connection cut or garbled on the way (e.g. closed during the handshake) shows
        // as a protocol error.
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_) => StoreError::Unavailable { message },
        sqlx::Error::Database(db) => {
            let code = db.code();
            let code = code.as_deref().unwrap_or("");
            // Each driver's codes are read as that driver's: PostgreSQL's SQLSTATEs
            // `23505`, `40001` or `53100` are all digits too (the twelfth attack on the
            // registry met 23505 read as a SQLite code, and a lost race as INTERNAL).
            if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
                classify_sqlite(code, message)
            } else {
                classify_postgres(code, message)
            }
        }
        _ => StoreError::Database { message },
    }
}

/// A SQLite result code: extended codes (e.g. 261 = `SQLITE_BUSY_RECOVERY`) carry the
/// primary code in their low byte.
fn classify_sqlite(code: &str, message: String) -> StoreError {
    let Ok(extended) = code.parse::<u32>() else {
        return StoreError::Database { message };
    };
    let primary = extended & 0xff;
    if SQLITE_UNIQUE.contains(&extended) {
        StoreError::Conflict { message }
    } else if SQLITE_UNAVAILABLE.contains(&primary) {
        StoreError::Unavailable { message }
    } else if SQLITE_CORRUPT.contains(&primary) {
        StoreError::Corrupt { message }
    } else {
        StoreError::Database { message }
    }
}

/// A PostgreSQL SQLSTATE: class 08 connection exceptions, 57P01..57P03 shutdown / cannot
/// connect now, 57P05 / 25P03 an idle session ended, 57014 a cancelled statement, class 53
/// insufficient resources (a full disk, too many connections) and 25006 a read-only
/// transaction (a standby) mean the database cannot be used right now; 40001 / 40P01 a
/// serialization failure or deadlock, 23505 a unique key taken by a concurrent writer, and
/// 55P03 / 55006 a lock or object another session holds (an operator's `lock_timeout`; the
/// thirteenth attack on the registry met it as INTERNAL) are retryable conflicts.
fn classify_postgres(code: &str, message: String) -> StoreError {
    if code.starts_with("08")
        || code.starts_with("53")
        || matches!(
            code,
            "57P01" | "57P02" | "57P03" | "57P05" | "25006" | "25P03" | "57014"
        )
    {
        StoreError::Unavailable { message }
    } else if matches!(code, "40001" | "40P01" | "23505" | "55P03" | "55006") {
        StoreError::Conflict { message }
    } else {
        StoreError::Database { message }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        classify(&err)
    }
}

impl From<std::io::Error> for StoreError {
    fn from(err: std::io::Error) -> Self {
        StoreError::Io {
            message: err.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable() {
        let e = StoreError::PublicationNotDraft { id: 3 };
        assert_eq!(e.code(), "PUBLICATION_ISSUED");
        assert!(!e.is_retryable());
        assert!(StoreError::unavailable("x").is_retryable());
        assert!(
            StoreError::Conflict {
                message: "x".into()
            }
            .is_retryable()
        );
        let e = StoreError::InvalidState {
            claim_id: 1,
            actual: ClaimStatus::Approved,
            action: ClaimAction::Withdraw,
            allowed: &[ClaimStatus::Submitted, ClaimStatus::Returned],
        };
        assert_eq!(
            e.to_string(),
            "claim 1 is APPROVED; withdraw needs SUBMITTED or RETURNED"
        );
        assert_eq!(classify(&sqlx::Error::PoolTimedOut).code(), "UNAVAILABLE");
    }

    #[test]
    fn each_driver_reads_its_own_codes() {
        let m = || "m".to_owned();
        // PostgreSQL SQLSTATEs made of digits are not SQLite codes.
        for (code, want) in [
            ("23505", "CONFLICT"),
            ("40001", "CONFLICT"),
            ("40P01", "CONFLICT"),
            ("55P03", "CONFLICT"),
            ("25P03", "UNAVAILABLE"),
            ("25006", "UNAVAILABLE"),
            ("57014", "UNAVAILABLE"),
            ("57P01", "UNAVAILABLE"),
            ("08006", "UNAVAILABLE"),
            ("53100", "UNAVAILABLE"),
            ("42P01", "DATABASE"),
            ("22001", "DATABASE"),
        ] {
            assert_eq!(classify_postgres(code, m()).code(), want, "{code}");
        }
        for (code, want) in [
            ("2067", "CONFLICT"),
            ("1555", "CONFLICT"),
            ("5", "UNAVAILABLE"),
            ("261", "UNAVAILABLE"),
            ("13", "UNAVAILABLE"),
            ("11", "CORRUPT_DATA"),
            ("26", "CORRUPT_DATA"),
            ("19", "DATABASE"),
            ("x", "DATABASE"),
        ] {
            assert_eq!(classify_sqlite(code, m()).code(), want, "{code}");
        }
    }
}

/// What an attachment limit ([`StoreError::AttachmentLimit`]) counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttachmentScope {
    /// The applicant's files on one claim.
    Claim(i64),
    /// The applicant's files on every claim of its credit code, withdrawn
    /// ones too.
    Applicant(String),
}

impl std::fmt::Display for AttachmentScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AttachmentScope::Claim(id) => write!(f, "claim {id}"),
            AttachmentScope::Applicant(code) => write!(f, "the claims of applicant {code}"),
        }
    }
}

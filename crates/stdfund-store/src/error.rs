//! The store's error type, [`StoreError`], and its stable machine-readable codes.
//!
//! Every fallible store operation returns `Result<_, StoreError>`. The gRPC layer maps each
//! variant to a status through [`StoreError::code`], which is part of the contract: a code
//! never changes meaning once released. Database driver errors are classified here
//! (unavailable vs. other) so that callers do not need to inspect `sqlx` errors themselves.

use rust_decimal::Decimal;

use crate::model::ClaimStatus;

/// Everything that can go wrong in the claim store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The claim (or other record) does not exist.
    #[error("{what} {id} not found")]
    NotFound {
        /// What was looked up, e.g. `"claim"`.
        what: &'static str,
        /// The identifier that was looked up.
        id: String,
    },
    /// The claim is not in a state that allows the requested transition.
    #[error("claim {claim_id} is {actual}, but {action} requires {expected}")]
    InvalidState {
        /// The claim concerned.
        claim_id: i64,
        /// The claim's current status.
        actual: ClaimStatus,
        /// The status the transition requires.
        expected: ClaimStatus,
        /// The refused action, e.g. `"review"` or `"disbursement"`.
        action: &'static str,
    },
    /// An approval would exceed what is left of the year's budget.
    #[error(
        "approving {requested} would exceed the {year} budget: total {total}, used {used}, left {left}"
    )]
    BudgetExceeded {
        /// The budget year (the claim's `year`).
        year: i32,
        /// The configured total for the year (yuan).
        total: Decimal,
        /// The sum already approved for the year (yuan).
        used: Decimal,
        /// `total - used` (yuan).
        left: Decimal,
        /// The amount the refused approval asked for (yuan).
        requested: Decimal,
    },
    /// No budget has been configured for the year, so nothing can be approved against it.
    #[error("no budget is set for {year}")]
    BudgetNotSet {
        /// The budget year.
        year: i32,
    },
    /// A new budget total would be lower than what is already approved for the year.
    #[error("a {year} budget of {total} is below the {used} already approved")]
    BudgetBelowUsed {
        /// The budget year.
        year: i32,
        /// The refused new total (yuan).
        total: Decimal,
        /// The sum already approved for the year (yuan).
        used: Decimal,
    },
    /// A conflicting concurrent or repeated request, e.g. an idempotency key reused with a
    /// different request body.
    #[error("conflict: {message}")]
    Conflict {
        /// Human-readable explanation.
        message: String,
    },
    /// The caller passed a value the store cannot accept (malformed date, amount with more
    /// than two decimals, empty required field, bad cursor …).
    #[error("invalid {field}: {message}")]
    InvalidInput {
        /// The offending field.
        field: &'static str,
        /// Human-readable explanation.
        message: String,
    },
    /// The database schema is not one this build can work with (unknown or altered migrations).
    #[error("migration error: {message}")]
    Migration {
        /// Human-readable explanation.
        message: String,
    },
    /// A stored value could not be interpreted (e.g. an unknown status string).
    #[error("corrupt stored data: {message}")]
    Corrupt {
        /// Human-readable explanation.
        message: String,
    },
    /// The database could not be reached or is too busy (pool timeout, I/O error, SQLite busy).
    /// Retrying later may succeed.
    #[error("database unavailable: {0}")]
    Unavailable(#[source] sqlx::Error),
    /// Any other database error.
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    /// A file-system error outside the database driver (backups).
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
}

impl StoreError {
    /// A stable, upper-case reason code for this error, suitable for API error details.
    ///
    /// | code | variant |
    /// |---|---|
    /// | `NOT_FOUND` | [`StoreError::NotFound`] |
    /// | `INVALID_STATE` | [`StoreError::InvalidState`] |
    /// | `BUDGET_EXCEEDED` | [`StoreError::BudgetExceeded`] |
    /// | `BUDGET_NOT_SET` | [`StoreError::BudgetNotSet`] |
    /// | `BUDGET_BELOW_USED` | [`StoreError::BudgetBelowUsed`] |
    /// | `CONFLICT` | [`StoreError::Conflict`] |
    /// | `INVALID_ARGUMENT` | [`StoreError::InvalidInput`] |
    /// | `MIGRATION` | [`StoreError::Migration`] |
    /// | `CORRUPT_DATA` | [`StoreError::Corrupt`] |
    /// | `UNAVAILABLE` | [`StoreError::Unavailable`] |
    /// | `DATABASE` | [`StoreError::Database`] |
    /// | `IO` | [`StoreError::Io`] |
    ///
    /// `ALREADY_GRANTED` is not an error here: it is the
    /// [`SubmitOutcome::AlreadyGranted`](crate::SubmitOutcome::AlreadyGranted) outcome, whose
    /// [`code`](crate::SubmitOutcome::code) returns it.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::NotFound { .. } => "NOT_FOUND",
            StoreError::InvalidState { .. } => "INVALID_STATE",
            StoreError::BudgetExceeded { .. } => "BUDGET_EXCEEDED",
            StoreError::BudgetNotSet { .. } => "BUDGET_NOT_SET",
            StoreError::BudgetBelowUsed { .. } => "BUDGET_BELOW_USED",
            StoreError::Conflict { .. } => "CONFLICT",
            StoreError::InvalidInput { .. } => "INVALID_ARGUMENT",
            StoreError::Migration { .. } => "MIGRATION",
            StoreError::Corrupt { .. } => "CORRUPT_DATA",
            StoreError::Unavailable(_) => "UNAVAILABLE",
            StoreError::Database(_) => "DATABASE",
            StoreError::Io(_) => "IO",
        }
    }

    /// Whether retrying the same call later may succeed (the database was busy or unreachable).
    pub fn is_retryable(&self) -> bool {
        matches!(self, StoreError::Unavailable(_))
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
}

/// SQLite primary result codes that mean "busy, try again" (`SQLITE_BUSY`, `SQLITE_LOCKED`).
const SQLITE_BUSY_CODES: [&str; 2] = ["5", "6"];

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        match &err {
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_) => StoreError::Unavailable(err),
            sqlx::Error::Database(db) => {
                let code = db.code();
                let code = code.as_deref().unwrap_or("");
                // SQLite reports extended codes (e.g. 261 = SQLITE_BUSY_RECOVERY); the primary
                // code is the low byte.
                let sqlite_primary = code.parse::<u32>().ok().map(|c| (c & 0xff).to_string());
                let busy = sqlite_primary
                    .as_deref()
                    .is_some_and(|c| SQLITE_BUSY_CODES.contains(&c));
                // PostgreSQL: 57P01..57P03 admin shutdown / cannot connect now, 53300 too many
                // connections.
                let pg_unavailable = matches!(code, "57P01" | "57P02" | "57P03" | "53300");
                if busy || pg_unavailable {
                    StoreError::Unavailable(err)
                } else {
                    StoreError::Database(err)
                }
            }
            _ => StoreError::Database(err),
        }
    }
}

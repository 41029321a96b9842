//! The thin database-access layer both backends share.
//!
//! The business logic in [`crate::ops`] is written once, generically over [`Exec`], which is
//! implemented for `SqliteConnection` and `PgConnection` (a transaction dereferences to its
//! connection). Queries are runtime-checked `sqlx::query` calls with `$N` placeholders, which
//! both SQLite and PostgreSQL understand; where the dialects differ (row locks, transaction
//! start, schema), [`Dialect`] selects the statement. Every SQL string is a `&'static str`:
//! no SQL is ever assembled from input.

use std::future::Future;

use sqlx::postgres::{PgConnection, PgRow};
use sqlx::query::Query;
use sqlx::sqlite::{SqliteConnection, SqliteRow};
use sqlx::{Database, Encode, Row, Type};

use crate::error::StoreError;

/// The SQL dialect a connection speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

/// One bound parameter. Every variant is bound as a nullable value of its type so that
/// PostgreSQL sees a typed parameter even for `NULL`.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    I32(Option<i32>),
    I64(Option<i64>),
    Text(Option<String>),
    Bool(bool),
}

impl From<i32> for Arg {
    fn from(v: i32) -> Self {
        Arg::I32(Some(v))
    }
}
impl From<Option<i32>> for Arg {
    fn from(v: Option<i32>) -> Self {
        Arg::I32(v)
    }
}
impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Arg::I64(Some(v))
    }
}
impl From<Option<i64>> for Arg {
    fn from(v: Option<i64>) -> Self {
        Arg::I64(v)
    }
}
impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Arg::Text(Some(v.to_owned()))
    }
}
impl From<&String> for Arg {
    fn from(v: &String) -> Self {
        Arg::Text(Some(v.clone()))
    }
}
impl From<String> for Arg {
    fn from(v: String) -> Self {
        Arg::Text(Some(v))
    }
}
impl From<Option<&str>> for Arg {
    fn from(v: Option<&str>) -> Self {
        Arg::Text(v.map(str::to_owned))
    }
}
impl From<Option<String>> for Arg {
    fn from(v: Option<String>) -> Self {
        Arg::Text(v)
    }
}
impl From<bool> for Arg {
    fn from(v: bool) -> Self {
        Arg::Bool(v)
    }
}

/// `args![a, b, c]` builds a `Vec<Arg>`.
macro_rules! args {
    ($($a:expr),* $(,)?) => { vec![$($crate::sql::Arg::from($a)),*] };
}
pub(crate) use args;

/// Column list of `claims` in the order [`crate::ops`] decodes it.
macro_rules! claim_columns {
    () => {
        "id, idempotency_key, submitted_by, credit_code, credit_code_confirmed, unit_name, seat, \
         fiscal_unit, item, variant, clause, subject, one_time_key, achievement_date, year, \
         application_json, estimate_json, estimated_amount_fen, status, created_at, updated_at, \
         reviewed_by, review_reason, approved_amount_fen, receipt_json, reviewed_at, \
         payment_date, voucher_no, municipal_share_fen, district_share_fen, share_table_id, \
         disbursed_by, disbursed_at"
    };
}
pub(crate) use claim_columns;

fn bind_args<'q, DB>(
    mut q: Query<'q, DB, <DB as Database>::Arguments>,
    args: Vec<Arg>,
) -> Query<'q, DB, <DB as Database>::Arguments>
where
    DB: Database,
    for<'t> Option<i32>: Encode<'t, DB> + Type<DB>,
    for<'t> Option<i64>: Encode<'t, DB> + Type<DB>,
    for<'t> Option<String>: Encode<'t, DB> + Type<DB>,
    for<'t> bool: Encode<'t, DB> + Type<DB>,
{
    for a in args {
        q = match a {
            Arg::I32(v) => q.bind(v),
            Arg::I64(v) => q.bind(v),
            Arg::Text(v) => q.bind(v),
            Arg::Bool(v) => q.bind(v),
        };
    }
    q
}

/// Typed column access on a result row, implemented for both backends' row types.
pub(crate) trait DbRow {
    fn i32(&self, col: &str) -> Result<i32, StoreError>;
    fn i64(&self, col: &str) -> Result<i64, StoreError>;
    fn opt_i64(&self, col: &str) -> Result<Option<i64>, StoreError>;
    fn text(&self, col: &str) -> Result<String, StoreError>;
    fn opt_text(&self, col: &str) -> Result<Option<String>, StoreError>;
    fn boolean(&self, col: &str) -> Result<bool, StoreError>;
}

fn decode_err(col: &str, e: sqlx::Error) -> StoreError {
    StoreError::corrupt(format!("column {col}: {e}"))
}

macro_rules! impl_db_row {
    ($row:ty) => {
        impl DbRow for $row {
            fn i32(&self, col: &str) -> Result<i32, StoreError> {
                self.try_get::<i32, _>(col).map_err(|e| decode_err(col, e))
            }
            fn i64(&self, col: &str) -> Result<i64, StoreError> {
                self.try_get::<i64, _>(col).map_err(|e| decode_err(col, e))
            }
            fn opt_i64(&self, col: &str) -> Result<Option<i64>, StoreError> {
                self.try_get::<Option<i64>, _>(col)
                    .map_err(|e| decode_err(col, e))
            }
            fn text(&self, col: &str) -> Result<String, StoreError> {
                self.try_get::<String, _>(col)
                    .map_err(|e| decode_err(col, e))
            }
            fn opt_text(&self, col: &str) -> Result<Option<String>, StoreError> {
                self.try_get::<Option<String>, _>(col)
                    .map_err(|e| decode_err(col, e))
            }
            fn boolean(&self, col: &str) -> Result<bool, StoreError> {
                self.try_get::<bool, _>(col).map_err(|e| decode_err(col, e))
            }
        }
    };
}
impl_db_row!(SqliteRow);
impl_db_row!(PgRow);

/// A type decoded from one result row.
pub(crate) trait FromDbRow: Sized + Send + 'static {
    fn from_row<R: DbRow>(row: &R) -> Result<Self, StoreError>;
}

/// A connection (or transaction) the shared logic runs statements on.
pub(crate) trait Exec: Send {
    /// The SQL dialect of this connection.
    const DIALECT: Dialect;

    /// Runs one statement; returns the number of rows affected.
    fn execute(
        &mut self,
        sql: &'static str,
        args: Vec<Arg>,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// Runs a script of several statements without parameters (migrations).
    fn execute_script(
        &mut self,
        sql: &'static str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Runs a query and decodes every row.
    fn fetch_all<T: FromDbRow>(
        &mut self,
        sql: &'static str,
        args: Vec<Arg>,
    ) -> impl Future<Output = Result<Vec<T>, StoreError>> + Send;

    /// Runs a query and decodes the first row, if any.
    fn fetch_optional<T: FromDbRow>(
        &mut self,
        sql: &'static str,
        args: Vec<Arg>,
    ) -> impl Future<Output = Result<Option<T>, StoreError>> + Send;
}

macro_rules! impl_exec {
    ($conn:ty, $dialect:expr) => {
        impl Exec for $conn {
            const DIALECT: Dialect = $dialect;

            async fn execute(
                &mut self,
                sql: &'static str,
                args: Vec<Arg>,
            ) -> Result<u64, StoreError> {
                let done = bind_args(sqlx::query(sql), args)
                    .execute(&mut *self)
                    .await?;
                Ok(done.rows_affected())
            }

            async fn execute_script(&mut self, sql: &'static str) -> Result<(), StoreError> {
                sqlx::raw_sql(sql).execute(&mut *self).await?;
                Ok(())
            }

            async fn fetch_all<T: FromDbRow>(
                &mut self,
                sql: &'static str,
                args: Vec<Arg>,
            ) -> Result<Vec<T>, StoreError> {
                let rows = bind_args(sqlx::query(sql), args)
                    .fetch_all(&mut *self)
                    .await?;
                rows.iter().map(T::from_row).collect()
            }

            async fn fetch_optional<T: FromDbRow>(
                &mut self,
                sql: &'static str,
                args: Vec<Arg>,
            ) -> Result<Option<T>, StoreError> {
                let row = bind_args(sqlx::query(sql), args)
                    .fetch_optional(&mut *self)
                    .await?;
                row.as_ref().map(T::from_row).transpose()
            }
        }
    };
}
impl_exec!(SqliteConnection, Dialect::Sqlite);
impl_exec!(PgConnection, Dialect::Postgres);

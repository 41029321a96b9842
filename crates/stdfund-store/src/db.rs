//! [`Cx`], a connection (or open transaction) of a [`Backend`], with typed fetch helpers,
//! and the conversions between stored columns and domain values (fen ⇄ [`Money`],
//! text ⇄ [`Date`] / [`Timestamp`]).

use stdfund_rules::date::Date;
use stdfund_rules::money::Money;

use crate::backend::{Backend, DbRow, Stmt};
use crate::error::StoreError;
use crate::model::Timestamp;
use crate::seal::AuditKey;

/// A value decoded from one result row.
pub(crate) trait FromDbRow: Sized {
    fn from_row<R: DbRow>(r: &R) -> Result<Self, StoreError>;
}

/// A borrowed connection of backend `DB` (a pooled connection or a transaction).
pub(crate) struct Cx<'c, DB: Backend> {
    conn: &'c mut DB::Connection,
    /// The key that seals the audit entries appended through this connection.
    key: Option<&'c AuditKey>,
}

impl<'c, DB: Backend> Cx<'c, DB> {
    /// A connection that appends unsealed entries (migrations before a key is adopted, and
    /// reads).
    pub(crate) fn new(conn: &'c mut DB::Connection) -> Self {
        Cx { conn, key: None }
    }

    /// A connection whose appended audit entries are sealed under `key`, when there is one.
    pub(crate) fn sealing(conn: &'c mut DB::Connection, key: Option<&'c AuditKey>) -> Self {
        Cx { conn, key }
    }

    /// The key sealing this connection's audit entries.
    pub(crate) fn audit_key(&self) -> Option<&'c AuditKey> {
        self.key
    }

    /// Runs a statement; the number of rows it affected.
    pub(crate) async fn exec(&mut self, st: Stmt) -> Result<u64, StoreError> {
        DB::exec(self.conn, st).await
    }

    /// Runs a script of statements without bound values.
    pub(crate) async fn script(&mut self, sql: &'static str) -> Result<(), StoreError> {
        DB::script(self.conn, sql).await
    }

    /// All rows, decoded.
    pub(crate) async fn all<T: FromDbRow>(&mut self, st: Stmt) -> Result<Vec<T>, StoreError> {
        DB::rows(self.conn, st)
            .await?
            .iter()
            .map(T::from_row)
            .collect()
    }

    /// The first row, decoded, if any.
    pub(crate) async fn opt<T: FromDbRow>(&mut self, st: Stmt) -> Result<Option<T>, StoreError> {
        DB::rows(self.conn, st)
            .await?
            .first()
            .map(T::from_row)
            .transpose()
    }

    /// The first row, decoded; a missing row is corrupt data (the query always returns one).
    pub(crate) async fn one<T: FromDbRow>(&mut self, st: Stmt) -> Result<T, StoreError> {
        let what = st.sql.clone();
        self.opt(st)
            .await?
            .ok_or_else(|| StoreError::corrupt(format!("no row from {what}")))
    }
}

/// A single `n` column (counts, sums, ids).
pub(crate) struct N(pub(crate) i64);

impl FromDbRow for N {
    fn from_row<R: DbRow>(r: &R) -> Result<Self, StoreError> {
        Ok(N(r.i64("n")?))
    }
}

/// Money to stored fen.
pub(crate) fn fen(field: &'static str, m: Money) -> Result<i64, StoreError> {
    m.to_fen()
        .ok_or_else(|| StoreError::invalid(field, format!("{m} is out of range")))
}

/// Stored fen to money.
pub(crate) fn money(col: &str, fen: i64) -> Result<Money, StoreError> {
    Money::from_fen(fen).ok_or_else(|| StoreError::corrupt(format!("{col} is negative: {fen}")))
}

/// A stored money column.
pub(crate) fn money_col<R: DbRow>(r: &R, col: &str) -> Result<Money, StoreError> {
    money(col, r.i64(col)?)
}

/// A stored `YYYY-MM-DD` column.
pub(crate) fn date_col<R: DbRow>(r: &R, col: &str) -> Result<Date, StoreError> {
    let text = r.text(col)?;
    Date::parse(&text).ok_or_else(|| StoreError::corrupt(format!("{col} is not a date: {text:?}")))
}

/// A stored timestamp column.
pub(crate) fn ts_col<R: DbRow>(r: &R, col: &str) -> Result<Timestamp, StoreError> {
    ts(col, &r.text(col)?)
}

/// A stored nullable timestamp column.
pub(crate) fn opt_ts_col<R: DbRow>(r: &R, col: &str) -> Result<Option<Timestamp>, StoreError> {
    r.opt_text(col)?.map(|t| ts(col, &t)).transpose()
}

fn ts(col: &str, text: &str) -> Result<Timestamp, StoreError> {
    Timestamp::parse(text)
        .map_err(|_| StoreError::corrupt(format!("{col} is not a timestamp: {text:?}")))
}

/// A required nullable column that must be present (e.g. an approval column of an approved
/// claim; the schema's CHECKs guarantee it).
pub(crate) fn present<T>(col: &str, v: Option<T>) -> Result<T, StoreError> {
    v.ok_or_else(|| StoreError::corrupt(format!("{col} is missing")))
}

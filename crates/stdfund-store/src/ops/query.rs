//! The review queue ([`claims`]): filters, search, sort, keyset paging and counts per
//! status; plus the approved list and the report.
//!
//! The queue's SQL is assembled from static fragments, one per filter that is set, with
//! every value bound; so each query names only the predicates it needs and the planner can
//! use the indexes on year, fiscal unit, status, submitter, creation time, amount and unit
//! name. A cursor is opaque text: the sort, a digest of the query's filters and sort (a
//! cursor is refused by another query), the last row's sort key and id.

use sha2::{Digest, Sha256};

use crate::backend::{Arg, Backend, DbRow, Stmt};
use crate::db::{Cx, FromDbRow, fen};
use crate::error::StoreError;
use crate::model::{
    Claim, ClaimId, ClaimPage, ClaimQuery, ClaimSort, ClaimStatus, ReportFilter, ReportRow,
    Timestamp,
};
use crate::records::select_claims;
use crate::validate;

/// A WHERE clause under construction.
#[derive(Default)]
struct Where {
    parts: Vec<String>,
    args: Vec<Arg>,
}

impl Where {
    /// Adds a predicate whose `?` placeholders are numbered in order.
    fn add(&mut self, predicate: &str, values: Vec<Arg>) {
        let mut out = String::with_capacity(predicate.len().saturating_add(8));
        let mut values = values.into_iter();
        for ch in predicate.chars() {
            if ch == '?'
                && let Some(v) = values.next()
            {
                self.args.push(v);
                out.push('$');
                out.push_str(&self.args.len().to_string());
            } else {
                out.push(ch);
            }
        }
        self.parts.push(out);
    }

    fn sql(&self) -> String {
        if self.parts.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", self.parts.join(" AND "))
        }
    }
}

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern.
fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

/// The most runs of letters and digits a loose subject search matches in order.
const LOOSE_RUNS: usize = 6;

/// The runs of letters and digits of a text, in order (what a loose search keeps).
fn alphanumeric_runs(s: &str) -> Vec<&str> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|r| !r.is_empty())
        .collect()
}

/// Every filter of the query except the status.
fn filters(q: &ClaimQuery) -> Result<Where, StoreError> {
    let mut w = Where::default();
    if let Some(y) = q.year {
        w.add("c.year = ?", vec![y.into()]);
    }
    if let Some(u) = &q.fiscal_unit {
        w.add("c.fiscal_unit = ?", vec![u.into()]);
    }
    if let Some(c) = &q.clause {
        w.add("c.clause = ?", vec![c.into()]);
    }
    if let Some(i) = &q.item {
        w.add("c.item = ?", vec![i.into()]);
    }
    if let Some(s) = &q.submitted_by {
        w.add("c.submitted_by = ?", vec![s.into()]);
    }
    if let Some(s) = &q.search {
        let folded = validate::fold(s.trim());
        if !folded.is_empty() {
            let code = like_escape(&validate::credit_code_searched(&folded));
            let escaped = like_escape(&folded);
            // The subject as the registry keeps it (canonical: `gb/t 30100`
            // finds GB/T 30100-2020, and so does `GB/T 030100` as filed; a
            // committee `SAC TC 28` finds SAC/TC 28), for a reviewer who
            // searches by 标的.
            let searched = stdfund_rules::canon::searched(s).unwrap_or_else(|| folded.clone());
            let subject = like_escape(&searched);
            // And its letters and numbers in order whatever stands between
            // them: a project number typed from paper with the keyboard's
            // brackets (`榕标试[2020]3号`, `(2020)`) finds `榕标试〔2020〕3号`
            // (the eleventh user test found nothing).
            // At most a few runs, so that a pasted paragraph does not make
            // a pattern of many wildcards for every row.
            let runs = alphanumeric_runs(&searched);
            let loose = if (2..=LOOSE_RUNS).contains(&runs.len()) {
                format!(
                    "%{}%",
                    runs.iter()
                        .map(|r| like_escape(r))
                        .collect::<Vec<_>>()
                        .join("%")
                )
            } else {
                format!("%{subject}%")
            };
            w.add(
                "(c.unit_name_folded LIKE ? ESCAPE '\\' OR c.credit_code LIKE ? ESCAPE '\\' \
                 OR c.subject LIKE ? ESCAPE '\\' OR c.subject LIKE ? ESCAPE '\\')",
                vec![
                    format!("%{escaped}%").into(),
                    format!("{code}%").into(),
                    format!("%{subject}%").into(),
                    loose.into(),
                ],
            );
        }
    }
    if let Some(m) = q.amount_min {
        w.add("c.amount_fen >= ?", vec![fen("amount_min", m)?.into()]);
    }
    if let Some(m) = q.amount_max {
        w.add("c.amount_fen <= ?", vec![fen("amount_max", m)?.into()]);
    }
    if let Some(t) = &q.submitted_from {
        w.add("c.created_at >= ?", vec![t.as_str().into()]);
    }
    if let Some(t) = &q.submitted_to {
        w.add("c.created_at < ?", vec![t.as_str().into()]);
    }
    Ok(w)
}

/// A digest of everything that makes a query the same query (not its cursor, page size or
/// counts flag).
fn query_digest(q: &ClaimQuery) -> String {
    let mut h = Sha256::new();
    let opt = |v: Option<String>| v.map_or_else(|| "\u{0}".to_owned(), |s| format!("={s}"));
    for field in [
        opt(q.year.map(|y| y.to_string())),
        opt(q.fiscal_unit.clone()),
        opt(q.clause.clone()),
        opt(q.item.clone()),
        opt(q.status.map(|s| s.as_str().to_owned())),
        opt(q.submitted_by.clone()),
        opt(q.search.as_deref().map(|s| validate::fold(s.trim()))),
        opt(q.amount_min.map(|m| m.to_string())),
        opt(q.amount_max.map(|m| m.to_string())),
        opt(q.submitted_from.as_ref().map(|t| t.as_str().to_owned())),
        opt(q.submitted_to.as_ref().map(|t| t.as_str().to_owned())),
        q.sort.cursor_code().to_owned(),
    ] {
        validate::feed(&mut h, field.as_bytes());
    }
    validate::hex(h.finalize().get(..8).unwrap_or_default())
}

/// The last row of a page, as a cursor remembers it.
struct Position {
    id: i64,
    key: String,
}

fn encode_cursor(q: &ClaimQuery, pos: &Position) -> String {
    let text = format!(
        "{}|{}|{}|{}",
        q.sort.cursor_code(),
        query_digest(q),
        pos.id,
        pos.key
    );
    format!("c1{}", validate::hex(text.as_bytes()))
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    let digit = |b: u8| -> Option<u8> {
        match b {
            b'0'..=b'9' => Some(b.wrapping_sub(b'0')),
            b'a'..=b'f' => Some(b.wrapping_sub(b'a').wrapping_add(10)),
            _ => None,
        }
    };
    let bytes = s.as_bytes();
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    bytes
        .chunks(2)
        .map(|pair| match pair {
            [hi, lo] => Some(digit(*hi)?.wrapping_mul(16).wrapping_add(digit(*lo)?)),
            _ => None,
        })
        .collect()
}

fn decode_cursor(q: &ClaimQuery, cursor: &str) -> Result<Position, StoreError> {
    let bad = |why: &str| StoreError::invalid("cursor", format!("{cursor:?} {why}"));
    let text = cursor
        .strip_prefix("c1")
        .and_then(unhex)
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| bad("is not a cursor"))?;
    let mut parts = text.splitn(4, '|');
    let (Some(sort), Some(digest), Some(id), Some(key)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad("is not a cursor"));
    };
    if sort != q.sort.cursor_code() || digest != query_digest(q) {
        return Err(bad("belongs to another query"));
    }
    let id = id
        .parse::<i64>()
        .ok()
        .filter(|i| *i > 0)
        .ok_or_else(|| bad("is not a cursor"))?;
    let valid_key = match q.sort {
        ClaimSort::IdAsc => key.is_empty(),
        ClaimSort::SubmittedDesc => Timestamp::parse(key).is_ok(),
        ClaimSort::AmountDesc | ClaimSort::AmountAsc => key.parse::<i64>().is_ok(),
        ClaimSort::UnitName => true,
    };
    if !valid_key {
        return Err(bad("is not a cursor"));
    }
    Ok(Position {
        id,
        key: key.to_owned(),
    })
}

fn position(sort: ClaimSort, c: &Claim) -> Result<Position, StoreError> {
    let key = match sort {
        ClaimSort::IdAsc => String::new(),
        ClaimSort::SubmittedDesc => c.created_at.as_str().to_owned(),
        ClaimSort::AmountDesc | ClaimSort::AmountAsc => fen("amount", c.amount())?.to_string(),
        ClaimSort::UnitName => c.filing.unit_name.clone(),
    };
    Ok(Position { id: c.id, key })
}

fn order_by(sort: ClaimSort) -> &'static str {
    match sort {
        ClaimSort::IdAsc => "ORDER BY c.id",
        ClaimSort::SubmittedDesc => "ORDER BY c.created_at DESC, c.id DESC",
        ClaimSort::AmountDesc => "ORDER BY c.amount_fen DESC, c.id",
        ClaimSort::AmountAsc => "ORDER BY c.amount_fen, c.id",
        ClaimSort::UnitName => "ORDER BY c.unit_name, c.id",
    }
}

fn after_position(w: &mut Where, sort: ClaimSort, pos: &Position) -> Result<(), StoreError> {
    let amount = || -> Result<i64, StoreError> {
        pos.key
            .parse::<i64>()
            .map_err(|_| StoreError::invalid("cursor", "is not a cursor"))
    };
    match sort {
        ClaimSort::IdAsc => w.add("c.id > ?", vec![pos.id.into()]),
        ClaimSort::SubmittedDesc => w.add(
            "(c.created_at < ? OR (c.created_at = ? AND c.id < ?))",
            vec![
                pos.key.clone().into(),
                pos.key.clone().into(),
                pos.id.into(),
            ],
        ),
        ClaimSort::AmountDesc => w.add(
            "(c.amount_fen < ? OR (c.amount_fen = ? AND c.id > ?))",
            vec![amount()?.into(), amount()?.into(), pos.id.into()],
        ),
        ClaimSort::AmountAsc => w.add(
            "(c.amount_fen > ? OR (c.amount_fen = ? AND c.id > ?))",
            vec![amount()?.into(), amount()?.into(), pos.id.into()],
        ),
        ClaimSort::UnitName => w.add(
            "(c.unit_name > ? OR (c.unit_name = ? AND c.id > ?))",
            vec![
                pos.key.clone().into(),
                pos.key.clone().into(),
                pos.id.into(),
            ],
        ),
    }
    Ok(())
}

struct StatusCount {
    status: String,
    n: i64,
}

impl FromDbRow for StatusCount {
    fn from_row<R: DbRow>(r: &R) -> Result<Self, StoreError> {
        Ok(StatusCount {
            status: r.text("status")?,
            n: r.i64("n")?,
        })
    }
}

pub(crate) async fn claims<DB: Backend>(
    cx: &mut Cx<'_, DB>,
    q: &ClaimQuery,
) -> Result<ClaimPage, StoreError> {
    if let (Some(from), Some(to)) = (&q.submitted_from, &q.submitted_to)
        && from > to
    {
        return Err(StoreError::invalid(
            "submitted_to",
            "the period ends before it starts",
        ));
    }
    let size = validate::page_size(q.page_size);
    let mut w = filters(q)?;
    let (mut total_count, mut status_counts) = (None, Vec::new());
    if q.with_counts {
        let sql = format!(
            "SELECT c.status AS status, COUNT(*) AS n FROM claims c {} GROUP BY c.status",
            w.sql()
        );
        let rows: Vec<StatusCount> = cx.all(Stmt::assembled(sql, w.args.clone())).await?;
        let count = |s: ClaimStatus| {
            rows.iter()
                .find(|r| r.status == s.as_str())
                .map_or(0, |r| r.n)
        };
        status_counts = ClaimStatus::all().map(|s| (s, count(s))).collect();
        total_count = Some(match q.status {
            Some(s) => count(s),
            None => rows.iter().map(|r| r.n).fold(0_i64, i64::saturating_add),
        });
    }
    if let Some(s) = q.status {
        w.add("c.status = ?", vec![s.as_str().into()]);
    }
    if let Some(cursor) = &q.cursor {
        let pos = decode_cursor(q, cursor)?;
        after_position(&mut w, q.sort, &pos)?;
    }
    let limit = i64::from(size).saturating_add(1);
    w.args.push(limit.into());
    let sql = select_claims(&format!(
        "{} {} LIMIT ${}",
        w.sql(),
        order_by(q.sort),
        w.args.len()
    ));
    let mut claims: Vec<Claim> = cx.all(Stmt::assembled(sql, w.args)).await?;
    let size = usize::try_from(size).unwrap_or(usize::MAX);
    let next_cursor = if claims.len() > size {
        claims.truncate(size);
        match claims.last() {
            Some(last) => Some(encode_cursor(q, &position(q.sort, last)?)),
            None => None,
        }
    } else {
        None
    };
    Ok(ClaimPage {
        claims,
        next_cursor,
        total_count,
        status_counts,
    })
}

pub(crate) async fn approved_claims<DB: Backend>(
    cx: &mut Cx<'_, DB>,
    year: Option<i32>,
    fiscal_unit: Option<&str>,
) -> Result<Vec<Claim>, StoreError> {
    let sql = select_claims(
        "WHERE c.status IN ('APPROVED', 'DISBURSED') AND ($1 IS NULL OR c.year = $1) \
         AND ($2 IS NULL OR c.fiscal_unit = $2) ORDER BY c.id",
    );
    cx.all(
        Stmt::assembled(sql, Vec::new())
            .bind(year)
            .bind(fiscal_unit),
    )
    .await
}

impl FromDbRow for ReportRow {
    fn from_row<R: DbRow>(r: &R) -> Result<Self, StoreError> {
        use crate::db::money_col;
        Ok(ReportRow {
            year: r.i32("year")?,
            fiscal_unit: r.text("fiscal_unit")?,
            clause: r.text("clause")?,
            item: r.text("item")?,
            claims: r.i64("claims")?,
            submitted: r.i64("submitted")?,
            returned: r.i64("returned")?,
            withdrawn: r.i64("withdrawn")?,
            approved: r.i64("approved")?,
            rejected: r.i64("rejected")?,
            disbursed: r.i64("disbursed")?,
            approved_amount: money_col(r, "approved_fen")?,
            paid: money_col(r, "paid_fen")?,
            municipal_paid: money_col(r, "municipal_fen")?,
            district_paid: money_col(r, "district_fen")?,
        })
    }
}

const REPORT: &str = "SELECT c.year AS year, c.fiscal_unit AS fiscal_unit, c.clause AS clause, \
    c.item AS item, COUNT(*) AS claims, \
    CAST(SUM(CASE WHEN c.status = 'SUBMITTED' THEN 1 ELSE 0 END) AS BIGINT) AS submitted, \
    CAST(SUM(CASE WHEN c.status = 'RETURNED' THEN 1 ELSE 0 END) AS BIGINT) AS returned, \
    CAST(SUM(CASE WHEN c.status = 'WITHDRAWN' THEN 1 ELSE 0 END) AS BIGINT) AS withdrawn, \
    CAST(SUM(CASE WHEN c.status = 'APPROVED' THEN 1 ELSE 0 END) AS BIGINT) AS approved, \
    CAST(SUM(CASE WHEN c.status = 'REJECTED' THEN 1 ELSE 0 END) AS BIGINT) AS rejected, \
    CAST(SUM(CASE WHEN c.status = 'DISBURSED' THEN 1 ELSE 0 END) AS BIGINT) AS disbursed, \
    CAST(COALESCE(SUM(CASE WHEN c.status IN ('APPROVED', 'DISBURSED') \
        THEN c.approved_amount_fen ELSE 0 END), 0) AS BIGINT) AS approved_fen, \
    CAST(COALESCE(SUM(c.paid_fen), 0) AS BIGINT) AS paid_fen, \
    CAST(COALESCE(SUM(p.m), 0) AS BIGINT) AS municipal_fen, \
    CAST(COALESCE(SUM(p.d), 0) AS BIGINT) AS district_fen \
    FROM claims c LEFT JOIN (SELECT claim_id, SUM(municipal_fen) AS m, \
        SUM(district_fen) AS d FROM payments GROUP BY claim_id) p ON p.claim_id = c.id \
    WHERE ($1 IS NULL OR c.year = $1) AND ($2 IS NULL OR c.fiscal_unit = $2) \
      AND ($3 IS NULL OR c.clause = $3) AND ($4 IS NULL OR c.item = $4) \
    GROUP BY c.year, c.fiscal_unit, c.clause, c.item";

pub(crate) async fn report<DB: Backend>(
    cx: &mut Cx<'_, DB>,
    f: &ReportFilter,
) -> Result<Vec<ReportRow>, StoreError> {
    let mut rows: Vec<ReportRow> = cx
        .all(
            Stmt::new(REPORT)
                .bind(f.year)
                .bind(f.fiscal_unit.clone())
                .bind(f.clause.clone())
                .bind(f.item.clone()),
        )
        .await?;
    // Sorted here so both backends order text the same way (byte order).
    rows.sort_by(|a, b| {
        (
            a.year,
            a.fiscal_unit.as_bytes(),
            a.clause.as_bytes(),
            a.item.as_bytes(),
        )
            .cmp(&(
                b.year,
                b.fiscal_unit.as_bytes(),
                b.clause.as_bytes(),
                b.item.as_bytes(),
            ))
    });
    Ok(rows)
}

/// One held one-time key.
struct HeldKey(String);

impl FromDbRow for HeldKey {
    fn from_row<R: DbRow>(r: &R) -> Result<Self, StoreError> {
        Ok(HeldKey(r.text("one_time_key")?))
    }
}

/// The keys of the claims that hold one: exactly the rows of the one-time
/// rule's partial unique index (`claims_one_time_key_live`).
const HELD_KEYS: &str = "SELECT one_time_key FROM claims \
    WHERE status NOT IN ('WITHDRAWN', 'REJECTED') ORDER BY one_time_key";

/// Every one-time key a live claim holds.
pub(crate) async fn held_keys<DB: Backend>(
    cx: &mut Cx<'_, DB>,
) -> Result<std::collections::BTreeSet<String>, StoreError> {
    Ok(cx
        .all::<HeldKey>(Stmt::new(HELD_KEYS))
        .await?
        .into_iter()
        .map(|k| k.0)
        .collect())
}

/// One (claim, fiscal unit) row.
struct UnitOf {
    id: ClaimId,
    fiscal_unit: String,
}

impl FromDbRow for UnitOf {
    fn from_row<R: DbRow>(r: &R) -> Result<Self, StoreError> {
        Ok(UnitOf {
            id: r.i64("id")?,
            fiscal_unit: r.text("fiscal_unit")?,
        })
    }
}

/// One audit entry's filing, as JSON text.
struct Filed(Option<String>);

impl FromDbRow for Filed {
    fn from_row<R: DbRow>(r: &R) -> Result<Self, StoreError> {
        Ok(Filed(r.opt_text("after_json")?))
    }
}

/// The fiscal units other than `claim`'s own under which its applicant filed: the
/// applicant's other claims (any status) and the claim's own earlier filings, read from
/// its audit entries. A unit has one fiscal relationship (RULES.md §4, §5); a district
/// unit filed under 市本级 moves its whole grant onto the city's budget (the twelfth
/// attack on the registry), so the reviewer is shown where else the unit filed.
pub(crate) async fn other_fiscal_units<DB: Backend>(
    cx: &mut Cx<'_, DB>,
    claim: &Claim,
) -> Result<Vec<crate::model::OtherFiscalUnit>, StoreError> {
    use crate::model::OtherFiscalUnit;
    let own = &claim.filing.fiscal_unit;
    let rows: Vec<UnitOf> = cx
        .all(
            Stmt::new(
                "SELECT id, fiscal_unit FROM claims \
                 WHERE credit_code = $1 AND fiscal_unit <> $2 AND id <> $3 ORDER BY id DESC",
            )
            .bind(&claim.filing.credit_code)
            .bind(own)
            .bind(claim.id),
        )
        .await?;
    let mut out: Vec<OtherFiscalUnit> = Vec::new();
    let entry = |out: &mut Vec<OtherFiscalUnit>, unit: &str| -> usize {
        if let Some(i) = out.iter().position(|u| u.fiscal_unit == unit) {
            i
        } else {
            out.push(OtherFiscalUnit {
                fiscal_unit: unit.to_owned(),
                claim_ids: Vec::new(),
                claims_total: 0,
                this_claim_before: false,
            });
            out.len().saturating_sub(1)
        }
    };
    for r in rows {
        let i = entry(&mut out, &r.fiscal_unit);
        if let Some(u) = out.get_mut(i) {
            u.claims_total = u.claims_total.saturating_add(1);
            if u.claim_ids.len() < OtherFiscalUnit::MAX_CLAIMS {
                u.claim_ids.push(r.id);
            }
        }
    }
    let filings: Vec<Filed> = cx
        .all(
            Stmt::new(
                "SELECT after_json FROM audit_entries WHERE claim_id = $1 \
                 AND action IN ('SUBMIT', 'RESUBMIT') ORDER BY id",
            )
            .bind(claim.id),
        )
        .await?;
    for Filed(json) in filings {
        let Some(json) = json else { continue };
        let value: serde_json::Value = serde_json::from_str(&json)
            .map_err(|e| StoreError::corrupt(format!("audit entry of claim {}: {e}", claim.id)))?;
        if let Some(unit) = value.get("fiscal_unit").and_then(serde_json::Value::as_str)
            && unit != own
        {
            let i = entry(&mut out, unit);
            if let Some(u) = out.get_mut(i) {
                u.this_claim_before = true;
            }
        }
    }
    Ok(out)
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
    fn cursors_round_trip_and_belong_to_their_query() {
        let q = ClaimQuery {
            sort: ClaimSort::UnitName,
            year: Some(2026),
            ..ClaimQuery::default()
        };
        let pos = Position {
            id: 42,
            key: "福州|某某".into(),
        };
        let c = encode_cursor(&q, &pos);
        let back = decode_cursor(&q, &c).unwrap();
        assert_eq!((back.id, back.key.as_str()), (42, "福州|某某"));
        let other = ClaimQuery {
            year: Some(2025),
            ..q.clone()
        };
        assert_eq!(
            decode_cursor(&other, &c).err().unwrap().code(),
            "INVALID_ARGUMENT"
        );
        let paged = ClaimQuery {
            page_size: 7,
            with_counts: true,
            cursor: Some("x".into()),
            ..q.clone()
        };
        assert!(decode_cursor(&paged, &c).is_ok());
        for bad in ["", "c1", "c1zz", "42", "c1616263"] {
            assert!(decode_cursor(&q, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn where_numbers_placeholders_in_order() {
        let mut w = Where::default();
        w.add("a = ?", vec![1_i64.into()]);
        w.add("(b < ? OR c = ?)", vec![2_i64.into(), "x".into()]);
        assert_eq!(w.sql(), "WHERE a = $1 AND (b < $2 OR c = $3)");
        assert_eq!(like_escape("50%_a\\"), "50\\%\\_a\\\\");
    }
}

//! The review queue on 10,000 claims (SQLite): every filter, search and sort with counts
//! answers a page of 50 well under 100 ms (also in a debug build), and the health probe stays
//! fast. Prints the timings measured.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    missing_docs
)]

mod common;

use std::time::{Duration, Instant};

use stdfund_store::{ClaimQuery, ClaimSort, ClaimStatus, Store};

use common::{TempDir, test_options, ts, yuan};

/// 10,000 claims in one statement: three years, three fiscal units, seven items, nine
/// clauses, 50 submitters; every fifth rejected, every fifth approved; payloads of a few KB
/// as real answers are.
const FILL: &str = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
INSERT INTO claims (idempotency_key, submitted_by, request_hash, credit_code,
    credit_code_confirmed, unit_name, unit_name_folded, seat, fiscal_unit, item, variant, clause,
    subject, subject_as_given, one_time_key, achievement_date, year, estimated_amount_fen,
    discretionary, application_json, estimate_json, status, created_at, updated_at,
    note_by, note_at, note_reason, approved_by, approved_at, approved_amount_fen,
    set_by_reviewer, split_fiscal_unit, municipal_fen, district_fen, share_table_id,
    share_table_version, district_ratio, provisional, record_json)
SELECT 'k' || i, 'p' || (i % 50), 'h', '9135010' || printf('%011d', i), 0,
    '福州测试' || i || '科技有限公司', '福州测试' || i || '科技有限公司', '350102',
    CASE i % 3 WHEN 0 THEN '350102' WHEN 1 THEN '350104' ELSE '350105' END,
    'ITEM' || (i % 7), '', '五(五)' || (i % 9), 'S' || i, 'S' || i, 'K' || i, '2020-01-01',
    2024 + (i % 3), ((i * 37) % 5000 + 1) * 100, 0,
    '{\"pad\":\"' || hex(randomblob(1000)) || '\"}', '{\"pad\":\"' || hex(randomblob(1500)) || '\"}',
    CASE i % 5 WHEN 3 THEN 'REJECTED' WHEN 4 THEN 'APPROVED' ELSE 'SUBMITTED' END,
    t, t,
    CASE WHEN i % 5 = 3 THEN 'rev' END, CASE WHEN i % 5 = 3 THEN t END,
    CASE WHEN i % 5 = 3 THEN 'no' END,
    CASE WHEN i % 5 = 4 THEN 'rev' END, CASE WHEN i % 5 = 4 THEN t END,
    CASE WHEN i % 5 = 4 THEN ((i * 37) % 5000 + 1) * 100 END,
    CASE WHEN i % 5 = 4 THEN 0 END,
    CASE WHEN i % 5 = 4 THEN '350102' END,
    CASE WHEN i % 5 = 4 THEN ((i * 37) % 5000 + 1) * 50 END,
    CASE WHEN i % 5 = 4 THEN ((i * 37) % 5000 + 1) * 50 END,
    CASE WHEN i % 5 = 4 THEN 't' END, CASE WHEN i % 5 = 4 THEN '1' END,
    CASE WHEN i % 5 = 4 THEN '0.50' END, CASE WHEN i % 5 = 4 THEN 1 END,
    CASE WHEN i % 5 = 4 THEN '{}' END
FROM (SELECT i, printf('2026-%02d-%02dT%02d:%02d:00.000000Z', 1 + i % 12, 1 + i % 28,
    i % 24, i % 60) AS t FROM n)";

/// The median of five runs of a query, and its result.
async fn timed(s: &Store<sqlx::Sqlite>, q: &ClaimQuery) -> (Duration, stdfund_store::ClaimPage) {
    let mut runs = Vec::new();
    let mut page = None;
    for _ in 0..5 {
        let start = Instant::now();
        page = Some(s.claims(q).await.unwrap());
        runs.push(start.elapsed());
    }
    runs.sort();
    (runs[2], page.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_on_10000_claims_answers_well_under_100ms() {
    let dir = TempDir::new("queue-10k");
    let store = Store::open(dir.path().join("r.db"), &test_options())
        .await
        .unwrap();
    sqlx::raw_sql(FILL).execute(store.pool()).await.unwrap();
    sqlx::query("ANALYZE").execute(store.pool()).await.unwrap();
    let base = ClaimQuery {
        with_counts: true,
        ..ClaimQuery::default()
    };
    let first = store
        .claims(&ClaimQuery {
            sort: ClaimSort::SubmittedDesc,
            ..base.clone()
        })
        .await
        .unwrap();
    let cases: Vec<(&str, ClaimQuery)> = vec![
        (
            "all, newest first",
            ClaimQuery {
                sort: ClaimSort::SubmittedDesc,
                ..base.clone()
            },
        ),
        (
            "all, newest first, page 2",
            ClaimQuery {
                sort: ClaimSort::SubmittedDesc,
                cursor: first.next_cursor.clone(),
                ..base.clone()
            },
        ),
        (
            "status + year + unit, largest first",
            ClaimQuery {
                status: Some(ClaimStatus::Submitted),
                year: Some(2025),
                fiscal_unit: Some("350104".into()),
                sort: ClaimSort::AmountDesc,
                ..base.clone()
            },
        ),
        (
            "search unit name",
            ClaimQuery {
                search: Some("测试12".into()),
                ..base.clone()
            },
        ),
        (
            "search credit code",
            ClaimQuery {
                search: Some("913501000000000012".into()),
                ..base.clone()
            },
        ),
        (
            "amount range, smallest first",
            ClaimQuery {
                amount_min: Some(yuan("1000")),
                amount_max: Some(yuan("2000")),
                sort: ClaimSort::AmountAsc,
                ..base.clone()
            },
        ),
        (
            "period, by unit name",
            ClaimQuery {
                submitted_from: Some(ts("2026-03-01T00:00:00.000000Z")),
                submitted_to: Some(ts("2026-06-01T00:00:00.000000Z")),
                sort: ClaimSort::UnitName,
                ..base.clone()
            },
        ),
        (
            "submitter, item, clause",
            ClaimQuery {
                submitted_by: Some("p7".into()),
                item: Some("ITEM3".into()),
                clause: Some("五(五)4".into()),
                ..base.clone()
            },
        ),
    ];
    let mut worst = Duration::ZERO;
    for (name, q) in &cases {
        let (took, page) = timed(&store, q).await;
        eprintln!(
            "10,000 claims: {name:<40} {:>8.2} ms  ({} of {} rows)",
            took.as_secs_f64() * 1000.0,
            page.claims.len(),
            page.total_count.unwrap_or(0)
        );
        assert_eq!(page.status_counts.len(), 6);
        worst = worst.max(took);
    }
    assert_eq!(first.total_count, Some(10_000));
    // The largest page (1000 claims with their payloads): an export rather than a queue view.
    let (took, page) = timed(
        &store,
        &ClaimQuery {
            status: Some(ClaimStatus::Approved),
            page_size: 1000,
            ..base.clone()
        },
    )
    .await;
    eprintln!(
        "10,000 claims: {:<40} {:>8.2} ms  ({} of {} rows)",
        "approved, page of 1000",
        took.as_secs_f64() * 1000.0,
        page.claims.len(),
        page.total_count.unwrap_or(0)
    );
    assert!(took < Duration::from_secs(1), "{took:?}");
    for probe in ["first (quick_check)", "again (file unchanged)"] {
        let health = Instant::now();
        assert!(store.health().await.is_serving());
        let took = health.elapsed();
        eprintln!(
            "10,000 claims: health probe, {probe}: {:.2} ms",
            took.as_secs_f64() * 1000.0
        );
        assert!(took < Duration::from_secs(2));
    }
    assert!(
        worst < Duration::from_millis(100),
        "slowest query took {worst:?}"
    );
}

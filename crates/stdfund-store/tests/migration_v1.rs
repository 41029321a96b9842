//! Upgrading a v1 registry: a database built with the v1 schema (migration 0001 as shipped)
//! and realistic v1 rows written with raw SQL — a submitted, a rejected, an approved, two
//! disbursed claims (one reusing the other's voucher, as v1 allowed) and a discretionary one,
//! with the v1 approval record JSON and RFC 3339 timestamps in several spellings — is opened
//! by this build. Every claim, payment, budget and audit entry must read back right and the
//! audit chain must verify; on SQLite and PostgreSQL.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    missing_docs
)]

mod common;

use sha2::{Digest, Sha256};
use sqlx::{AssertSqlSafe, Connection};
use stdfund_store::{
    Approval, AuditAction, Backend, ClaimQuery, ClaimState, FrozenSplit, Note, Payment, Store,
    StoreError, SubmitOutcome,
};

use common::{
    TempDir, all_claims, audit_of, date, filing, finance, later, payment, portal, ts, yuan,
};

const SQLITE_V1: &str = include_str!("../migrations/sqlite/0001_claim_registry.sql");
const POSTGRES_V1: &str = include_str!("../migrations/postgres/0001_claim_registry.sql");

const SQLITE_V1_MIGRATIONS: &str = "CREATE TABLE store_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    checksum   TEXT NOT NULL,
    applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT";

const POSTGRES_V1_MIGRATIONS: &str = "CREATE TABLE store_migrations (
    version    BIGINT PRIMARY KEY,
    name       TEXT NOT NULL,
    checksum   TEXT NOT NULL,
    applied_at TEXT NOT NULL DEFAULT 'x'
)";

fn checksum(sql: &str) -> String {
    Sha256::digest(sql.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The frozen assessment inside the v1 approval records (compact, as the v1 server wrote it).
const ASSESSMENT_3: &str = r#"{"lines":[{"status":"LINE_STATUS_PAYABLE","payable":"3000.00","explanationZh":"国家标准"}],"receipt":{"rulesetId":"fz-2016","rulesetVersion":"1.0.0"}}"#;
const ASSESSMENT_4: &str = r#"{"lines":[{"status":"LINE_STATUS_PAYABLE","payable":"100.01"}],"receipt":{"rulesetId":"fz-2016"}}"#;

fn record(amount: &str, municipal: &str, district: &str, assessment: &str) -> String {
    format!(
        r#"{{"approvedAmount":"{amount}","amountSetByReviewer":false,"split":{{"fiscalUnit":"350102","municipalShare":"{municipal}","districtShare":"{district}","shareTables":[{{"id":"fz-share-2016","version":"1.0.0","provisional":true,"districtRatio":"0.50","nameZh":"市区分担比例"}}]}},"assessment":{assessment}}}"#
    )
}

/// The v1 rows. Claim ids are 1..=6 in insertion order on both databases.
fn v1_rows() -> Vec<String> {
    let claim = |idem: &str,
                 otk: &str,
                 variant: &str,
                 estimate: &str,
                 fen: i64,
                 status: &str,
                 rest: &str| {
        format!(
            "INSERT INTO claims (idempotency_key, submitted_by, request_hash, credit_code, \
             credit_code_confirmed, unit_name, seat, fiscal_unit, item, variant, clause, subject, \
             one_time_key, achievement_date, year, application_json, estimate_json, \
             estimated_amount_fen, status, created_at, updated_at, reviewed_by, review_reason, \
             approved_amount_fen, receipt_json, reviewed_at, payment_date, voucher_no, \
             municipal_share_fen, district_share_fen, share_table_id, disbursed_by, disbursed_at) \
             VALUES ('{idem}', 'portal-a', 'v1hash-{idem}', '91350100M000100Y43', FALSE, \
             '福州ＡＢＣ科技有限公司', '350102', '350102', 'NATIONAL_STANDARD', {variant}, '五(五)1', \
             'GB/T {otk}-2020', '{otk}', '2020-06-30', 2026, '{{\"otk\":\"{otk}\"}}', '{estimate}', \
             {fen}, '{status}', '2026-03-01T09:00:00+08:00', '2026-03-02T10:00:00.123+08:00', {rest})"
        )
    };
    let none = "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL";
    let payable = r#"{"lines":[{"status":"LINE_STATUS_PAYABLE"}]}"#;
    let discretionary = r#"{"lines":[{"status":"LINE_STATUS_DISCRETIONARY","payable":"0.00"}]}"#;
    let approved = |by: &str, amount_fen: i64, rec: &str, paid: &str| {
        format!("'{by}', NULL, {amount_fen}, '{rec}', '2026-03-02T02:00:00Z', {paid}")
    };
    vec![
        "INSERT INTO budgets (year, total_fen, updated_at) VALUES (2026, 1000000, '2026-03-01T08:00:00+08:00')".into(),
        claim("i1", "V1-SUB", "NULL", payable, 300_000, "SUBMITTED", none),
        claim(
            "i2",
            "V1-REJ",
            "'LEAD'",
            payable,
            300_000,
            "REJECTED",
            "'rev-1', '不符合条件', NULL, NULL, '2026-03-02T02:00:00.000001Z', NULL, NULL, NULL, NULL, NULL, NULL, NULL",
        ),
        claim(
            "i3",
            "V1-APP",
            "NULL",
            payable,
            300_000,
            "APPROVED",
            &approved("rev-1", 300_000, &record("3000.00", "1500.00", "1500.00", ASSESSMENT_3), "NULL, NULL, NULL, NULL, NULL, NULL, NULL"),
        ),
        claim(
            "i4",
            "V1-PAID",
            "NULL",
            payable,
            10_001,
            "DISBURSED",
            &approved(
                "rev-1",
                10_001,
                &record("100.01", "50.00", "50.01", ASSESSMENT_4),
                "'2026-03-05', 'PZ-1', 5000, 5001, 'fz-share-2016', 'fin-1', '2026-03-05T10:00:00.5+08:00'",
            ),
        ),
        claim("i5", "V1-DISC", "'INFORMATION_PLATFORM'", discretionary, 0, "SUBMITTED", none),
        claim(
            "i6",
            "V1-PAID2",
            "NULL",
            payable,
            20_000,
            "DISBURSED",
            &approved(
                "rev-1",
                20_000,
                &record("200.00", "100.00", "100.00", ASSESSMENT_4),
                "'2026-03-06', 'PZ-1', 10000, 10000, 'fz-share-2016', 'fin-1', '2026-03-06T02:00:00Z'",
            ),
        ),
        "INSERT INTO audit_log (claim_id, actor, role, at, action, before_json, after_json) VALUES \
         (NULL, 'adm-1', 'admin', '2026-03-01T08:00:00+08:00', 'SET_BUDGET', NULL, '{\"year\":2026,\"total\":\"10000.00\"}'), \
         (1, 'portal-a', 'portal', '2026-03-01T09:00:00+08:00', 'SUBMIT', NULL, '{\"id\":1}'), \
         (2, 'portal-a', 'portal', '2026-03-01T09:00:00+08:00', 'SUBMIT', NULL, '{\"id\":2}'), \
         (2, 'rev-1', 'reviewer', '2026-03-02T02:00:00.000001Z', 'REJECT', '{\"id\":2}', '{\"id\":2,\"status\":\"REJECTED\"}'), \
         (3, 'portal-a', 'portal', '2026-03-01T09:00:00+08:00', 'SUBMIT', NULL, '{\"id\":3}'), \
         (3, 'rev-1', 'reviewer', '2026-03-02T02:00:00Z', 'APPROVE', '{\"id\":3}', '{ \"id\" : 3 }'), \
         (4, 'fin-1', 'finance', '2026-03-05T10:00:00.5+08:00', 'DISBURSE', '{\"id\":4}', '{\"id\":4}')"
            .into(),
    ]
}

/// What the upgraded registry must hold.
async fn check_upgraded<DB: Backend>(s: &Store<DB>) {
    let claims = all_claims(s, &ClaimQuery::default()).await;
    assert_eq!(claims.len(), 6);
    let c1 = s.claim(1).await.unwrap();
    assert_eq!(c1.state, ClaimState::Submitted);
    assert_eq!(c1.filing.variant, "");
    assert_eq!(c1.filing.subject_as_given, c1.filing.subject);
    assert_eq!(c1.filing.subject, "GB/T V1-SUB-2020");
    assert!(!c1.filing.discretionary);
    assert_eq!(c1.filing.achievement_date, date("2020-06-30"));
    assert_eq!(c1.created_at, ts("2026-03-01T01:00:00.000000Z"));
    assert_eq!(c1.updated_at, ts("2026-03-02T02:00:00.123000Z"));
    assert_eq!(
        c1.filing.estimate_json,
        r#"{"lines":[{"status":"LINE_STATUS_PAYABLE"}]}"#
    );
    assert_eq!(
        s.claim(2).await.unwrap().state,
        ClaimState::Rejected(Note {
            by: "rev-1".into(),
            at: ts("2026-03-02T02:00:00.000001Z"),
            reason: "不符合条件".into()
        })
    );
    let split = |m: &str, d: &str| FrozenSplit {
        fiscal_unit: "350102".into(),
        municipal: yuan(m),
        district: yuan(d),
        share_table_id: "fz-share-2016".into(),
        share_table_version: "1.0.0".into(),
        district_ratio: "0.50".into(),
        provisional: true,
    };
    let approval = |amount: &str, m: &str, d: &str, assessment: &str| Approval {
        by: "rev-1".into(),
        at: ts("2026-03-02T02:00:00.000000Z"),
        reason: None,
        amount: yuan(amount),
        set_by_reviewer: false,
        split: split(m, d),
        record_json: assessment.into(),
    };
    let c3 = s.claim(3).await.unwrap();
    assert_eq!(
        c3.state,
        ClaimState::Approved(approval("3000.00", "1500.00", "1500.00", ASSESSMENT_3))
    );
    assert_eq!((c3.paid, c3.payments.len()), (yuan("0"), 0));
    let c4 = s.claim(4).await.unwrap();
    assert_eq!(
        c4.state,
        ClaimState::Disbursed(approval("100.01", "50.00", "50.01", ASSESSMENT_4))
    );
    assert_eq!(
        c4.payments,
        vec![Payment {
            id: 1,
            claim_id: 4,
            payment_date: date("2026-03-05"),
            voucher: "PZ-1".into(),
            payer: "CITY".into(),
            amount: yuan("100.01"),
            municipal: yuan("50.00"),
            district: yuan("50.01"),
            by: "fin-1".into(),
            at: ts("2026-03-05T02:00:00.500000Z"),
        }]
    );
    assert_eq!(c4.paid, yuan("100.01"));
    let c5 = s.claim(5).await.unwrap();
    assert!(c5.filing.discretionary);
    assert_eq!(c5.filing.variant, "INFORMATION_PLATFORM");
    let c6 = s.claim(6).await.unwrap();
    assert_eq!(
        (c6.payments.len(), c6.payments[0].voucher.as_str()),
        (1, "PZ-1"),
        "the reused v1 voucher is kept"
    );
    // Search finds the folded name of a v1 row.
    let found = s
        .claims(&ClaimQuery {
            search: Some("abc科技".into()),
            ..ClaimQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(found.claims.len(), 6);
    let b = s.budget(2026, "CITY").await.unwrap().unwrap();
    assert_eq!((b.total, b.used), (yuan("10000"), yuan("3300.01")));
    assert_eq!(b.updated_at, Some(ts("2026-03-01T00:00:00.000000Z")));
    check_audit(s).await;
}

async fn check_audit<DB: Backend>(s: &Store<DB>) {
    let log = audit_of(s, None).await;
    let got: Vec<(i64, Option<i64>, &str, AuditAction)> = log
        .iter()
        .map(|e| (e.id, e.claim_id, e.target.as_str(), e.action))
        .collect();
    assert_eq!(
        got,
        vec![
            (1, None, "budget:2026:CITY", AuditAction::SetBudget),
            (2, Some(1), "claim:1", AuditAction::Submit),
            (3, Some(2), "claim:2", AuditAction::Submit),
            (4, Some(2), "claim:2", AuditAction::Reject),
            (5, Some(3), "claim:3", AuditAction::Submit),
            (6, Some(3), "claim:3", AuditAction::Approve),
            (7, Some(4), "claim:4", AuditAction::Disburse),
        ]
    );
    assert_eq!(log[0].at, ts("2026-03-01T00:00:00.000000Z"));
    assert_eq!(log[6].at, ts("2026-03-05T02:00:00.500000Z"));
    assert_eq!(
        log[5].after_json.as_deref(),
        Some(r#"{ "id" : 3 }"#),
        "payloads byte for byte"
    );
    assert_eq!(log[0].before_json, None);
    let v = s.verify_audit().await.unwrap();
    assert_eq!(
        (
            v.entries_checked,
            v.first_broken.clone(),
            v.head_hash.as_str()
        ),
        (7, None, log[6].entry_hash.as_str())
    );
    // The v1 log holds no whole snapshot of any claim: none can be compared, none diverges.
    assert!(v.is_intact(), "{v:?}");
    assert_eq!(
        (
            v.claims.checked,
            v.claims.unverifiable,
            v.claims.unverifiable_named.clone()
        ),
        (0, 6, vec![1, 2, 3, 4, 5, 6])
    );
}

/// After the upgrade the registry works on: the legacy voucher is still taken, the approved
/// v1 claim can be paid, new claims chain onto the migrated audit log.
async fn keeps_working<DB: Backend>(s: &Store<DB>) {
    let err = s
        .disburse(
            3,
            payment("2026-03-10", "PZ-1", None),
            &finance(),
            &later(),
            date("2026-06-30"),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::VoucherReused { claim_id: 4, .. }),
        "{err:?}"
    );
    let paid = s
        .disburse(
            3,
            payment("2026-03-10", "PZ-3", None),
            &finance(),
            &later(),
            date("2026-06-30"),
        )
        .await
        .unwrap();
    assert_eq!(
        (paid.payments[0].municipal, paid.payments[0].district),
        (yuan("1500"), yuan("1500"))
    );
    // The v1 one-time keys still hold.
    let out = s
        .submit(
            filing("V1-APP", "new", "portal-b"),
            &portal("portal-b"),
            &later(),
        )
        .await
        .unwrap();
    assert!(
        matches!(
            out,
            SubmitOutcome::AlreadyGranted {
                existing_claim_id: 3,
                ..
            }
        ),
        "{out:?}"
    );
    common::created(s, filing("V2-NEW", "new2", "portal-b")).await;
    let v = s.verify_audit().await.unwrap();
    assert_eq!((v.entries_checked, v.first_broken.clone()), (9, None));
    // The payment of claim 3 and the new claim 7 are snapshots to compare with.
    assert!(v.is_intact(), "{v:?}");
    assert_eq!(
        (v.claims.checked, v.claims.unverifiable_named.clone()),
        (2, vec![1, 2, 4, 5, 6])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_v1_registry_upgrades() {
    let dir = TempDir::new("migration-v1");
    let path = dir.path().join("v1.db");
    {
        let url = format!("sqlite://{}?mode=rwc", path.display());
        let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
        sqlx::raw_sql(SQLITE_V1_MIGRATIONS)
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::raw_sql(SQLITE_V1).execute(&mut conn).await.unwrap();
        sqlx::query("INSERT INTO store_migrations (version, name, checksum) VALUES (1, 'claim_registry', $1)")
            .bind(checksum(SQLITE_V1))
            .execute(&mut conn)
            .await
            .unwrap();
        for sql in v1_rows() {
            sqlx::raw_sql(AssertSqlSafe(sql))
                .execute(&mut conn)
                .await
                .unwrap();
        }
        conn.close().await.unwrap();
    }
    let s = Store::open(&path, &common::test_options()).await.unwrap();
    check_upgraded(&s).await;
    let tables: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name IN ('audit_log', 'claims_v1', 'budgets_v1')",
    )
    .fetch_one(s.pool())
    .await
    .unwrap();
    assert_eq!(tables, 0, "the v1 leftovers are gone");
    let fk: Vec<sqlx::sqlite::SqliteRow> = sqlx::query("PRAGMA foreign_key_check")
        .fetch_all(s.pool())
        .await
        .unwrap();
    assert!(fk.is_empty(), "foreign keys hold after the rebuild");
    keeps_working(&s).await;
    s.close().await;
    // Reopening does not migrate again.
    let again = Store::open(&path, &common::test_options()).await.unwrap();
    assert_eq!(again.verify_audit().await.unwrap().entries_checked, 9);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_v1_registry_upgrades() {
    let Some(cluster) = common::pg::PgCluster::start_or_skip() else {
        return;
    };
    let url = common::pg::create_database(&cluster, "stdfund_legacy").await;
    {
        let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
        sqlx::raw_sql(POSTGRES_V1_MIGRATIONS)
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::raw_sql(POSTGRES_V1).execute(&mut conn).await.unwrap();
        sqlx::query("INSERT INTO store_migrations (version, name, checksum) VALUES (1, 'claim_registry', $1)")
            .bind(checksum(POSTGRES_V1))
            .execute(&mut conn)
            .await
            .unwrap();
        for sql in v1_rows() {
            sqlx::raw_sql(AssertSqlSafe(sql))
                .execute(&mut conn)
                .await
                .unwrap();
        }
        conn.close().await.unwrap();
    }
    let s = Store::connect(&url, &common::test_options()).await.unwrap();
    check_upgraded(&s).await;
    let tables: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM pg_tables WHERE tablename = 'audit_log'")
            .fetch_one(s.pool())
            .await
            .unwrap();
    assert_eq!(tables, 0);
    keeps_working(&s).await;
    s.close().await;
    let again = Store::connect(&url, &common::test_options()).await.unwrap();
    assert_eq!(again.verify_audit().await.unwrap().entries_checked, 9);
    again.close().await;
}

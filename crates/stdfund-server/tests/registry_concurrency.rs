//! 200 concurrent SubmitClaim calls for one one-time key (each with its own
//! idempotency key) produce exactly one claim and 199 ALREADY_EXISTS /
//! ALREADY_GRANTED naming it; the same idempotency key twice returns the same
//! claim; the same key with another request is IDEMPOTENCY_KEY_REUSED. On
//! SQLite and on PostgreSQL (a throwaway cluster; under CI=true it must run).

#![allow(
    clippy::arithmetic_side_effects,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::unwrap_used
)]

mod registry_support;

use registry_support as s;
use stdfund_proto::pb;
use tonic::Code;

const CALLS: usize = 200;

async fn one_time_key_under_load(database_url: &str) {
    let server = s::start(database_url).await;
    // A few connections, many streams each.
    let mut channels = Vec::new();
    for _ in 0..4 {
        channels.push(s::channel(server.addr()).await);
    }
    let code = s::credit_code(4242);
    let mut tasks = Vec::with_capacity(CALLS);
    for i in 0..CALLS {
        let ch = channels[i % channels.len()].clone();
        let code = code.clone();
        tasks.push(tokio::spawn(async move {
            // Same achievement; the variant differs between callers, which the
            // registry's one-time key deliberately ignores.
            let variant = if i % 2 == 0 { "NATIONAL" } else { "INDUSTRY" };
            let app = s::application(
                &code,
                &s::Ach::new("STANDARD_LEAD", variant, "gb/t　4242—2020", "2020-05-01"),
            );
            let token = if i % 3 == 0 { s::ADMIN } else { s::PORTAL };
            s::client(&ch, Some(token))
                .submit_claim(s::submit(&format!("load-{i}"), app, 2021))
                .await
        }));
    }
    let mut created = Vec::new();
    let mut granted = Vec::new();
    for t in tasks {
        match t.await.unwrap() {
            Ok(r) => {
                let r = r.into_inner();
                assert!(r.created);
                created.push(r.claim.unwrap());
            }
            Err(e) => {
                let m = s::expect_error(&e, Code::AlreadyExists, "ALREADY_GRANTED");
                // Named only to a caller who may read the holder (R24):
                // the admin, or the portal when the holder is its own.
                granted.push(
                    m.get("existingClaimId")
                        .map(|id| id.parse::<i64>().unwrap()),
                );
            }
        }
    }
    assert_eq!(created.len(), 1, "exactly one claim");
    assert_eq!(granted.len(), CALLS - 1);
    let winner = &created[0];
    assert!(granted.iter().flatten().all(|id| *id == winner.claim_id));
    assert!(
        granted.iter().flatten().count() >= CALLS / 3 - 1,
        "the admin's refusals name it"
    );
    assert_eq!(
        winner.one_time_key,
        format!("{code}|STANDARD_LEAD|GB/T 4242-2020")
    );

    // The registry holds one claim.
    let ch = &channels[0];
    let all = s::client(ch, Some(s::ADMIN))
        .list_claims(pb::ListClaimsRequest::default())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(all.claims.len(), 1);

    // The same idempotency key twice: the same claim, created = false.
    let winner_key = winner.idempotency_key.clone();
    let winner_token = if winner.submitted_by == "admin-chen" {
        s::ADMIN
    } else {
        s::PORTAL
    };
    let i: usize = winner_key.trim_start_matches("load-").parse().unwrap();
    let variant = if i.is_multiple_of(2) {
        "NATIONAL"
    } else {
        "INDUSTRY"
    };
    let again = s::client(ch, Some(winner_token))
        .submit_claim(s::submit(
            &winner_key,
            s::application(
                &code,
                &s::Ach::new("STANDARD_LEAD", variant, "gb/t　4242—2020", "2020-05-01"),
            ),
            2021,
        ))
        .await
        .unwrap()
        .into_inner();
    assert!(!again.created);
    assert_eq!(again.claim.unwrap().claim_id, winner.claim_id);

    // A fresh achievement submitted twice with one key: one claim.
    let mut portal = s::client(ch, Some(s::PORTAL));
    let app = s::application(
        &s::credit_code(4343),
        &s::Ach::new("STANDARD_LEAD", "LOCAL", "DB35/T 4343-2020", "2020-06-01"),
    );
    let first = portal
        .submit_claim(s::submit("retry-1", app.clone(), 2021))
        .await
        .unwrap()
        .into_inner();
    let second = portal
        .submit_claim(s::submit("retry-1", app.clone(), 2021))
        .await
        .unwrap()
        .into_inner();
    assert!(first.created && !second.created);
    assert_eq!(
        first.claim.as_ref().unwrap().claim_id,
        second.claim.as_ref().unwrap().claim_id
    );
    // The same key for another request is refused.
    let other = s::application(
        &s::credit_code(4343),
        &s::Ach::new("STANDARD_LEAD", "LOCAL", "DB35/T 4344-2020", "2020-06-01"),
    );
    let e = portal
        .submit_claim(s::submit("retry-1", other, 2021))
        .await
        .unwrap_err();
    s::expect_error(&e, Code::AlreadyExists, "IDEMPOTENCY_KEY_REUSED");
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_one_claim_per_one_time_key_under_200_concurrent_calls() {
    one_time_key_under_load(&s::sqlite_url()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_one_claim_per_one_time_key_under_200_concurrent_calls() {
    let Some(cluster) = s::pg::PgCluster::start_or_skip() else {
        return;
    };
    one_time_key_under_load(&cluster.url("postgres")).await;
}

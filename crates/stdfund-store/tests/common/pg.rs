//! The throwaway PostgreSQL cluster of `stdfund_testkit::pg`, plus database
//! creation (which needs a PostgreSQL client, so it lives with the store).

use sqlx::Connection;
pub use stdfund_testkit::pg::PgCluster;

/// Creates database `name` in `cluster` and returns its URL.
pub async fn create_database(cluster: &PgCluster, name: &str) -> String {
    let admin_url = cluster.url("postgres");
    let mut conn = sqlx::PgConnection::connect(&admin_url)
        .await
        .unwrap_or_else(|e| panic!("connecting to {admin_url}: {e}"));
    // Identifiers cannot be bound; `name` comes from the test code.
    assert!(name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
    let _ = conn.close().await;
    cluster.url(name)
}

//! The backend-independent store suite. Every case takes a [`Harness`](super::Harness) and
//! uses only the store's API (plus the harness's raw SQL to prove what the database refuses
//! and to tamper behind the store's back), so the same assertions run against SQLite and
//! PostgreSQL.

pub mod audit;
pub mod claims;
pub mod lifecycle;
pub mod money;
pub mod publish;
pub mod queue;
pub mod schema;

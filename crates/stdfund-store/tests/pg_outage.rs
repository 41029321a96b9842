//! PostgreSQL outages: the server stopped, connections reset, the network silently dropping
//! packets (a black hole). Health turns NOT_SERVING within 5 s, writes give up within the
//! write timeout with UNAVAILABLE, starting against an unreachable server fails fast, and the
//! store serves again when the database is back, without a restart.
//!
//! The black hole and the resets come from a small TCP proxy in front of the test cluster.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    missing_docs
)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sqlx::Postgres;
use stdfund_store::{Health, OpenOptions, Store, StoreError, SubmitOutcome};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use common::{PgHarness, filing, now, portal};

/// What the proxy does with connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Forward to the cluster.
    Up,
    /// Close every connection at once (a stopped server, a reset).
    Down,
    /// Accept and never answer (a network that drops packets).
    BlackHole,
}

struct Proxy {
    port: u16,
    mode: Arc<Mutex<Mode>>,
    links: Arc<Mutex<Vec<JoinHandle<()>>>>,
    held: Arc<Mutex<Vec<TcpStream>>>,
    accept: JoinHandle<()>,
}

impl Proxy {
    async fn start(upstream: u16) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let mode = Arc::new(Mutex::new(Mode::Up));
        let links: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let held: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        let accept = {
            let (mode, links, held) = (mode.clone(), links.clone(), held.clone());
            tokio::spawn(async move {
                loop {
                    let Ok((mut client, _)) = listener.accept().await else {
                        return;
                    };
                    let current = *mode.lock().unwrap();
                    match current {
                        Mode::Down => drop(client),
                        Mode::BlackHole => held.lock().unwrap().push(client),
                        Mode::Up => {
                            let link = tokio::spawn(async move {
                                if let Ok(mut server) =
                                    TcpStream::connect(("127.0.0.1", upstream)).await
                                {
                                    let _ = tokio::io::copy_bidirectional(&mut client, &mut server)
                                        .await;
                                }
                            });
                            links.lock().unwrap().push(link);
                        }
                    }
                }
            })
        };
        Proxy {
            port,
            mode,
            links,
            held,
            accept,
        }
    }

    /// Switches mode; leaving `Up` cuts every forwarded connection.
    fn set(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
        if mode != Mode::Up {
            for link in self.links.lock().unwrap().drain(..) {
                link.abort();
            }
        }
        if mode != Mode::BlackHole {
            self.held.lock().unwrap().clear();
        }
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/stdfund_test", self.port)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.accept.abort();
        self.set(Mode::Down);
    }
}

fn options(write_timeout: Duration) -> OpenOptions {
    OpenOptions {
        create_if_missing: false,
        write_timeout,
        max_connections: 4,
        connect_timeout: Duration::from_secs(2),
        ..OpenOptions::default()
    }
}

async fn submit(s: &Store<Postgres>, otk: &str) -> Result<SubmitOutcome, StoreError> {
    s.submit(filing(otk, otk, "p"), &portal("p"), &now()).await
}

/// Polls health every 250 ms until `want`; fails after 5 s; how long it took.
async fn health_within_5s(s: &Store<Postgres>, want: impl Fn(&Health) -> bool) -> Duration {
    let start = Instant::now();
    loop {
        let h = s.health().await;
        if want(&h) {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "health stayed {h:?}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// A write that must fail with UNAVAILABLE within the write timeout (plus slack).
async fn write_gives_up(s: &Store<Postgres>, otk: &str, timeout: Duration) -> Duration {
    let start = Instant::now();
    let err = submit(s, otk).await.unwrap_err();
    let took = start.elapsed();
    assert_eq!(err.code(), "UNAVAILABLE", "{err}");
    assert!(err.is_retryable());
    assert!(
        took < timeout + Duration::from_millis(1500),
        "gave up after {took:?}"
    );
    took
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopped_server_is_not_serving_and_writes_give_up() {
    let Some(PgHarness {
        store,
        url,
        cluster,
    }) = PgHarness::new().await
    else {
        return;
    };
    let timeout = Duration::from_secs(2);
    let s = Store::connect(&url, &options(timeout)).await.unwrap();
    submit(&s, "PG-1").await.unwrap();
    store.close().await;
    drop(cluster); // pg_ctl stop -m immediate
    let took = health_within_5s(&s, |h| !h.is_serving()).await;
    eprintln!(
        "server stopped: NOT_SERVING after {took:?}: {:?}",
        s.health().await
    );
    let took = write_gives_up(&s, "PG-2", timeout).await;
    eprintln!("server stopped: a write gave up after {took:?}");
    // Starting against the stopped server fails within the connect timeout.
    let start = Instant::now();
    let err = Store::connect(&url, &options(timeout)).await.unwrap_err();
    let took = start.elapsed();
    eprintln!("server stopped: start failed after {took:?}: {err}");
    assert_eq!(err.code(), "UNAVAILABLE", "{err}");
    assert!(took < Duration::from_secs(4), "{took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_server_recovers_without_restart() {
    let Some(h) = PgHarness::new().await else {
        return;
    };
    let proxy = Proxy::start(h.cluster.port).await;
    let timeout = Duration::from_secs(2);
    let s = Store::connect(&proxy.url(), &options(timeout))
        .await
        .unwrap();
    submit(&s, "UR-1").await.unwrap();
    assert!(s.health().await.is_serving());

    proxy.set(Mode::BlackHole);
    let took = health_within_5s(&s, |h| !h.is_serving()).await;
    eprintln!(
        "black hole: NOT_SERVING after {took:?}: {:?}",
        s.health().await
    );
    let took = write_gives_up(&s, "UR-2", timeout).await;
    eprintln!("black hole: a write gave up after {took:?}");
    let start = Instant::now();
    let err = Store::connect(&proxy.url(), &options(timeout))
        .await
        .unwrap_err();
    eprintln!(
        "black hole: start failed after {:?}: {err}",
        start.elapsed()
    );
    assert_eq!(err.code(), "UNAVAILABLE");
    assert!(start.elapsed() < Duration::from_secs(4));

    proxy.set(Mode::Down);
    health_within_5s(&s, |h| !h.is_serving()).await;
    write_gives_up(&s, "UR-3", timeout).await;

    proxy.set(Mode::Up);
    let took = health_within_5s(&s, Health::is_serving).await;
    eprintln!("back: SERVING after {took:?}");
    submit(&s, "UR-4").await.unwrap();
    assert!(s.verify_audit().await.unwrap().is_intact());
    // Nothing half-written by the refused writes.
    assert_eq!(
        s.claims(&stdfund_store::ClaimQuery::default())
            .await
            .unwrap()
            .claims
            .len(),
        2
    );
}

//! A throwaway PostgreSQL cluster per test, shared by the store and server
//! test suites (and by nothing in production).
//!
//! `initdb` into a fresh directory under `/tmp`, `pg_ctl start` on a free loopback port with
//! the socket in that directory, a database created over TCP, and `pg_ctl stop -m immediate`
//! plus removal of the directory when the guard drops (also on panic). `initdb` refuses to
//! run as root, so as root every server command runs as the `postgres` system user through
//! `runuser`. A small watchdog shell stops the cluster should the test process die without
//! unwinding (killed by a timeout); the guard kills the watchdog when it drops.
//!
//! Binaries: `$STDFUND_PG_BINDIR`, else `pg_config --bindir`, else the newest
//! `/usr/lib/postgresql/*/bin`. Under `CI=true` a missing binary or a cluster that does not
//! start fails the test; elsewhere missing binaries skip it with a printed reason (a cluster
//! that exists but does not start still fails).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

/// Whether this run is CI (`CI=true`), where PostgreSQL tests must run.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

fn has_server_binaries(dir: &Path) -> bool {
    dir.join("initdb").is_file() && dir.join("pg_ctl").is_file() && dir.join("postgres").is_file()
}

/// Where the PostgreSQL server binaries are, or why they could not be found.
pub fn find_bindir() -> Result<PathBuf, String> {
    if let Ok(dir) = std::env::var("STDFUND_PG_BINDIR") {
        let dir = PathBuf::from(dir);
        return if has_server_binaries(&dir) {
            Ok(dir)
        } else {
            Err(format!(
                "STDFUND_PG_BINDIR={} has no initdb/pg_ctl/postgres",
                dir.display()
            ))
        };
    }
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output()
        && out.status.success()
    {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if has_server_binaries(&dir) {
            return Ok(dir);
        }
    }
    let mut candidates: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter_map(|e| {
                    let version = e.file_name().to_str()?.parse::<u32>().ok()?;
                    let bin = e.path().join("bin");
                    has_server_binaries(&bin).then_some((version, bin))
                })
                .collect()
        })
        .unwrap_or_default();
    candidates.sort();
    candidates.pop().map(|(_, bin)| bin).ok_or_else(|| {
        "no PostgreSQL server binaries (initdb, pg_ctl, postgres): not in \
         STDFUND_PG_BINDIR, pg_config --bindir or /usr/lib/postgresql/*/bin"
            .to_owned()
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("finding a free port: {e}"))
}

/// A throwaway PostgreSQL cluster in a temporary directory, stopped and
/// removed on drop.
pub struct PgCluster {
    dir: PathBuf,
    data: PathBuf,
    bindir: PathBuf,
    as_postgres: bool,
    /// The loopback port it listens on.
    pub port: u16,
    watchdog: Option<Child>,
    /// The `-o` options the server was started with (to start it again).
    options: String,
    /// Stopped by [`PgCluster::stop`] and not resumed.
    stopped: std::sync::atomic::AtomicBool,
}

impl PgCluster {
    /// Starts a cluster, or returns `None` (printing why) when the binaries are missing and
    /// this is not CI. Panics on any other failure.
    pub fn start_or_skip() -> Option<PgCluster> {
        let bindir = match find_bindir() {
            Ok(b) => b,
            Err(why) if in_ci() => panic!("CI=true and PostgreSQL tests cannot run: {why}"),
            Err(why) => {
                eprintln!("SKIPPED PostgreSQL test (not in CI): {why}");
                return None;
            }
        };
        let as_postgres = is_root();
        if as_postgres
            && Command::new("id")
                .arg("postgres")
                .output()
                .map_or(true, |o| !o.status.success())
        {
            let why = "running as root and there is no `postgres` user to run initdb as";
            if in_ci() {
                panic!("CI=true and PostgreSQL tests cannot run: {why}");
            }
            eprintln!("SKIPPED PostgreSQL test (not in CI): {why}");
            return None;
        }
        Some(Self::start(bindir, as_postgres))
    }

    fn start(bindir: PathBuf, as_postgres: bool) -> PgCluster {
        static SEQ: AtomicU32 = AtomicU32::new(0);
        let dir = PathBuf::from(format!(
            "/tmp/stdfund-pg-{}-{}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("mkdir {}: {e}", dir.display()));
        let mut cluster = PgCluster {
            data: dir.join("data"),
            dir,
            bindir,
            as_postgres,
            port: 0,
            watchdog: None,
            options: String::new(),
            stopped: std::sync::atomic::AtomicBool::new(false),
        };
        if as_postgres {
            cluster.run_plain("chown", &["postgres:", &cluster.dir.display().to_string()]);
        }
        let data = cluster.data.display().to_string();
        cluster.run_pg(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
        );
        cluster.start_watchdog();
        // A port found free can be taken before the server binds it: retry with another.
        let log = cluster.dir.join("server.log").display().to_string();
        let sock = cluster.dir.display().to_string();
        let mut last_error = String::new();
        for _ in 0..5 {
            let port = free_port();
            let opts = format!(
                "-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off \
                 -c full_page_writes=off -c max_connections=120"
            );
            match cluster.try_run_pg(
                "pg_ctl",
                &[
                    "-D", &data, "-o", &opts, "-l", &log, "-w", "-t", "30", "start",
                ],
            ) {
                Ok(()) => {
                    cluster.port = port;
                    cluster.options = opts;
                    return cluster;
                }
                Err(e) => {
                    let server_log = std::fs::read_to_string(&log).unwrap_or_default();
                    last_error = format!("{e}\n--- server.log ---\n{server_log}");
                }
            }
        }
        panic!("PostgreSQL cluster did not start: {last_error}");
    }

    fn command(&self, program: &Path) -> Command {
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(program);
            c
        } else {
            Command::new(program)
        }
    }

    fn try_run_pg(&self, bin: &str, args: &[&str]) -> Result<(), String> {
        let out = self
            .command(&self.bindir.join(bin))
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("running {bin}: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{bin} {args:?} failed ({}): {}{}",
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }

    fn run_pg(&self, bin: &str, args: &[&str]) {
        if let Err(e) = self.try_run_pg(bin, args) {
            panic!("{e}");
        }
    }

    fn run_plain(&self, program: &str, args: &[&str]) {
        let status = Command::new(program)
            .args(args)
            .status()
            .unwrap_or_else(|e| panic!("running {program}: {e}"));
        assert!(status.success(), "{program} {args:?} failed: {status}");
    }

    /// Stops the cluster and removes its directory if this test process dies without
    /// running the guard's `Drop`.
    fn start_watchdog(&mut self) {
        let pg_ctl = self.bindir.join("pg_ctl").display().to_string();
        let stop = if self.as_postgres {
            format!("runuser -u postgres -- {pg_ctl}")
        } else {
            pg_ctl
        };
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 1; done; \
             {stop} -D {data} -m immediate stop >/dev/null 2>&1; rm -rf {dir}",
            pid = std::process::id(),
            data = self.data.display(),
            dir = self.dir.display(),
        );
        self.watchdog = Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok();
    }

    /// Stops the server (fast shutdown: connections are closed at once), keeping its data:
    /// an outage in the middle of a test. [`PgCluster::resume`] starts it again.
    pub fn stop(&self) {
        let data = self.data.display().to_string();
        self.run_pg("pg_ctl", &["-D", &data, "-m", "fast", "-w", "stop"]);
        self.stopped.store(true, Ordering::SeqCst);
    }

    /// Starts a server stopped by [`PgCluster::stop`] again, on the same port.
    pub fn resume(&self) {
        let data = self.data.display().to_string();
        let log = self.dir.join("server.log").display().to_string();
        self.run_pg(
            "pg_ctl",
            &[
                "-D",
                &data,
                "-o",
                &self.options,
                "-l",
                &log,
                "-w",
                "-t",
                "30",
                "start",
            ],
        );
        self.stopped.store(false, Ordering::SeqCst);
    }

    /// `postgres://postgres@127.0.0.1:PORT/db`
    pub fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let data = self.data.display().to_string();
        if self.stopped.load(Ordering::SeqCst) {
            // Already stopped by the test.
        } else if let Err(e) = self.try_run_pg("pg_ctl", &["-D", &data, "-m", "immediate", "stop"])
        {
            eprintln!("stopping the test cluster: {e}");
        }
        if let Some(mut w) = self.watchdog.take() {
            let _ = w.kill();
            let _ = w.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

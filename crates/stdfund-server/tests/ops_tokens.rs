//! The tokens file as an operator and an attacker meet it, with the real
//! binary: a file writable by group or others stops `stdfund serve` with a
//! message naming the file and the fix; SIGHUP reloads the file without a
//! restart (a token added works at once, a token removed is UNAUTHENTICATED
//! at once, a broken or loose new file is an ERROR and the tokens in force
//! stay); so does a change of the file itself, without a signal (a
//! Kubernetes Secret updated in place, `tokens_poll_seconds`), and a file
//! that disappears leaves the tokens in force; `stdfund token new` prints a
//! fresh token once with its entry.

// Test counters, ports and timings, never money.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod ops_support;
mod registry_support;

use ops_support::{Serve, chmod, fresh_dir, run, text};
use registry_support as s;
use std::path::Path;
use std::time::Duration;
use stdfund_proto::pb;
use tonic::Code;

/// A tokens file with one admin token, mode 0600.
fn tokens_file(dir: &Path) -> std::path::PathBuf {
    let f = dir.join("tokens.toml");
    std::fs::write(
        &f,
        format!(
            "[[tokens]]\nname = \"admin-chen\"\nrole = \"admin\"\nsha256 = \"{}\"\n",
            stdfund_server::auth::hash_token(s::ADMIN)
        ),
    )
    .unwrap();
    chmod(&f, 0o600);
    f
}

fn serve(dir: &Path, tokens: Option<&Path>) -> Serve {
    serve_polling(dir, tokens, "0")
}

/// `serve` looking at the tokens file every `poll` seconds (`0`: SIGHUP
/// only, so that a test's own SIGHUP is the only reload).
fn serve_polling(dir: &Path, tokens: Option<&Path>, poll: &str) -> Serve {
    let db = format!("sqlite://{}", dir.join("registry.sqlite").display());
    let mut args = vec![
        "--database-url".to_string(),
        db,
        "--tokens-poll-seconds".to_string(),
        poll.to_string(),
    ];
    if let Some(t) = tokens {
        args.push("--tokens-file".into());
        args.push(t.display().to_string());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    Serve::start(&args, &[]).unwrap_or_else(|f| panic!("serve did not start: {f:?}"))
}

/// A ListClaims call with `token`; its code.
async fn call(addr: &str, token: &str) -> Code {
    let ch = s::channel(addr.parse().unwrap()).await;
    match s::client(&ch, Some(token))
        .list_claims(pb::ListClaimsRequest::default())
        .await
    {
        Ok(_) => Code::Ok,
        Err(e) => e.code(),
    }
}

/// `stdfund token new ARGS`: (token, the entry's lines).
fn token_new(args: &[&str]) -> (String, String) {
    let mut all = vec!["token", "new"];
    all.extend_from_slice(args);
    let out = run(&all, &[]);
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let token = stdout
        .lines()
        .find_map(|l| l.strip_prefix("token: "))
        .unwrap_or_else(|| panic!("no token line in\n{stdout}"))
        .to_string();
    let entry = stdout[stdout.find("[[tokens]]").unwrap()..].to_string();
    (token, entry)
}

/// Waits for the server's log line about a SIGHUP (the `n`-th such line).
fn reload_line(server: &Serve, n: usize) -> serde_json::Value {
    log_line(server, "SIGHUP received", n)
}

/// Waits for the `n`-th log line whose message starts with `prefix`.
fn log_line(server: &Serve, prefix: &str, n: usize) -> serde_json::Value {
    let started = std::time::Instant::now();
    loop {
        let lines: Vec<serde_json::Value> = server
            .records()
            .into_iter()
            .filter(|r| r["message"].as_str().is_some_and(|m| m.starts_with(prefix)))
            .collect();
        if let Some(l) = lines.get(n) {
            return l.clone();
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no line {n} starting `{prefix}`: {:#?}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Replaces the file the way a Kubernetes Secret volume or an editor does:
/// a new file renamed over the old one (mode 0600).
fn replace(f: &Path, content: &str) {
    let tmp = f.with_extension("new");
    std::fs::write(&tmp, content).unwrap();
    chmod(&tmp, 0o600);
    std::fs::rename(&tmp, f).unwrap();
}

#[test]
fn a_tokens_file_writable_by_group_or_others_stops_the_start() {
    let dir = fresh_dir("tokens-loose");
    let f = tokens_file(&dir);
    for (mode, who) in [
        (0o666, "its group and by others"),
        (0o620, "its group"),
        (0o602, "others"),
    ] {
        chmod(&f, mode);
        let failed = Serve::start(
            &[
                "--database-url",
                &format!("sqlite://{}", dir.join("r.sqlite").display()),
                "--tokens-file",
                &f.display().to_string(),
            ],
            &[],
        )
        .err()
        .unwrap_or_else(|| panic!("serve started with a tokens file of mode {mode:o}"));
        assert_eq!(failed.status.and_then(|s| s.code()), Some(1), "{failed:?}");
        for needle in [
            format!("tokens file {}", f.display()),
            format!("writable by {who}"),
            format!("mode {mode:04o}"),
            format!("chmod 600 {}", f.display()),
        ] {
            assert!(
                failed.stderr.contains(&needle),
                "{needle}\n{}",
                failed.stderr
            );
        }
    }
    // Owner-only (and read-only for others, as a Kubernetes Secret mounts
    // it with 0440) is fine.
    for mode in [0o600, 0o640, 0o440] {
        chmod(&f, mode);
        serve(&dir, Some(&f)).stop();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_adds_and_removes_tokens_without_restart() {
    let dir = fresh_dir("tokens-hup");
    let f = tokens_file(&dir);
    let server = serve(&dir, Some(&f));
    let pid = server.pid();
    assert_eq!(call(&server.addr, s::ADMIN).await, Code::Ok);

    // A new token, added to the file: unknown until SIGHUP, then accepted.
    let (token, entry) = token_new(&["portal", "--name", "gateway-new"]);
    assert_eq!(call(&server.addr, &token).await, Code::Unauthenticated);
    let base = std::fs::read_to_string(&f).unwrap();
    std::fs::write(&f, format!("{base}\n{entry}\n")).unwrap();
    server.signal("HUP");
    let line = reload_line(&server, 0);
    assert_eq!(line["level"], "INFO", "{line}");
    assert_eq!(line["tokens"], 2, "{line}");
    assert!(
        line["added"].as_str().unwrap().contains("gateway-new"),
        "{line}"
    );
    assert_eq!(call(&server.addr, &token).await, Code::Ok);
    assert_eq!(call(&server.addr, s::ADMIN).await, Code::Ok);

    // A broken new file: ERROR, and the tokens in force stay.
    std::fs::write(&f, "[[tokens]]\nname = \"x\"\n").unwrap();
    chmod(&f, 0o600);
    server.signal("HUP");
    let line = reload_line(&server, 1);
    assert_eq!(line["level"], "ERROR", "{line}");
    assert!(
        line["error"].as_str().unwrap().contains("tokens file"),
        "{line}"
    );
    assert_eq!(call(&server.addr, &token).await, Code::Ok);

    // A loose new file (however good its content): ERROR, tokens stay.
    std::fs::write(&f, &base).unwrap();
    chmod(&f, 0o666);
    server.signal("HUP");
    let line = reload_line(&server, 2);
    assert_eq!(line["level"], "ERROR", "{line}");
    assert!(
        line["error"].as_str().unwrap().contains("chmod 600"),
        "{line}"
    );
    assert_eq!(call(&server.addr, &token).await, Code::Ok);

    // The token removed: UNAUTHENTICATED at once.
    chmod(&f, 0o600);
    server.signal("HUP");
    let line = reload_line(&server, 3);
    assert_eq!(line["level"], "INFO", "{line}");
    assert!(
        line["removed"].as_str().unwrap().contains("gateway-new"),
        "{line}"
    );
    assert_eq!(call(&server.addr, &token).await, Code::Unauthenticated);
    assert_eq!(call(&server.addr, s::ADMIN).await, Code::Ok);

    // Same process all along.
    assert_eq!(server.pid(), pid);
    server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_tokens_file_is_reloaded_without_a_signal() {
    let dir = fresh_dir("tokens-poll");
    let f = tokens_file(&dir);
    let server = serve_polling(&dir, Some(&f), "1");
    let changed = "the tokens file changed";
    assert_eq!(call(&server.addr, s::ADMIN).await, Code::Ok);

    // A token added: accepted within the poll, no signal, same process.
    let (token, entry) = token_new(&["portal", "--name", "gateway-poll"]);
    let base = std::fs::read_to_string(&f).unwrap();
    replace(&f, &format!("{base}\n{entry}\n"));
    let line = log_line(&server, changed, 0);
    assert_eq!(line["level"], "INFO", "{line}");
    assert!(
        line["added"].as_str().unwrap().contains("gateway-poll"),
        "{line}"
    );
    assert_eq!(call(&server.addr, &token).await, Code::Ok);

    // A broken file: ERROR once, and the tokens in force stay.
    replace(&f, "[[tokens]]\nname = \"x\"\n");
    let line = log_line(&server, changed, 1);
    assert_eq!(line["level"], "ERROR", "{line}");
    assert_eq!(call(&server.addr, &token).await, Code::Ok);

    // The file gone: a warning, the tokens in force stay.
    std::fs::remove_file(&f).unwrap();
    let line = log_line(&server, "the tokens file cannot be read", 0);
    assert_eq!(line["level"], "WARN", "{line}");
    assert_eq!(call(&server.addr, &token).await, Code::Ok);

    // Back without the new token: removed, UNAUTHENTICATED.
    replace(&f, &base);
    let line = log_line(&server, changed, 2);
    assert_eq!(line["level"], "INFO", "{line}");
    assert!(
        line["removed"].as_str().unwrap().contains("gateway-poll"),
        "{line}"
    );
    assert_eq!(call(&server.addr, &token).await, Code::Unauthenticated);
    assert_eq!(call(&server.addr, s::ADMIN).await, Code::Ok);

    // Nothing changes: no further reload.
    std::thread::sleep(Duration::from_millis(2_500));
    let reloads = server
        .records()
        .into_iter()
        .filter(|r| {
            r["message"]
                .as_str()
                .is_some_and(|m| m.starts_with(changed))
        })
        .count();
    assert_eq!(reloads, 3, "{:#?}", server.log());
    server.stop();
}

/// A tokens file with no token (an empty Secret, a file emptied by mistake)
/// starts the server, which says at once that the registry will refuse
/// every call; a reload that empties the file says it too. A TOML mistake
/// in the file names its line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_tokens_file_is_said_at_start_and_at_reload() {
    let dir = fresh_dir("tokens-empty");
    let f = dir.join("tokens.toml");
    std::fs::write(&f, "# no tokens yet\n").unwrap();
    chmod(&f, 0o600);
    let server = serve(&dir, Some(&f));
    let line = log_line(&server, "the tokens file holds no tokens", 0);
    assert_eq!(line["level"], "WARN", "{line}");
    assert_eq!(call(&server.addr, s::ADMIN).await, Code::Unauthenticated);
    server.stop();

    let f = tokens_file(&dir);
    let server = serve(&dir, Some(&f));
    assert_eq!(call(&server.addr, s::ADMIN).await, Code::Ok);
    // An empty file while tokens are in force is a save caught half-way
    // (`cat >` truncates first): not taken, the tokens stay (the thirteenth
    // attack on the registry locked every official out for a poll).
    let kept = std::fs::read_to_string(&f).unwrap();
    std::fs::write(&f, "").unwrap();
    server.signal("HUP");
    let line = log_line(&server, "SIGHUP received; the tokens file is empty", 0);
    assert_eq!(line["level"], "ERROR", "{line}");
    assert_eq!(call(&server.addr, s::ADMIN).await, Code::Ok);
    std::fs::write(&f, &kept).unwrap();
    // Every token removed on purpose: a file that says so.
    replace(&f, "# every token removed\n");
    server.signal("HUP");
    let line = log_line(&server, "the tokens file now holds no tokens", 0);
    assert_eq!(line["level"], "WARN", "{line}");
    assert_eq!(call(&server.addr, s::ADMIN).await, Code::Unauthenticated);
    server.stop();

    replace(&f, "[[tokens]]\nname = \"a\"\nrole = admin\n");
    let db = format!("sqlite://{}", dir.join("registry.sqlite").display());
    let failed = run(
        &[
            "serve",
            "--database-url",
            &db,
            "--tokens-file",
            &f.display().to_string(),
        ],
        &[],
    );
    assert!(!failed.status.success());
    assert!(
        String::from_utf8_lossy(&failed.stderr).contains("line 3, column 8"),
        "{}",
        text(&failed)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_without_a_tokens_file_does_not_stop_the_server() {
    let dir = fresh_dir("tokens-none");
    let server = serve(&dir, None);
    server.signal("HUP");
    let line = reload_line(&server, 0);
    assert!(
        line["message"]
            .as_str()
            .unwrap()
            .contains("nothing to reload"),
        "{line}"
    );
    assert_eq!(
        ops_support::health(&server.addr, "").await,
        tonic_health::pb::health_check_response::ServingStatus::Serving
    );
    server.stop();
}

#[test]
fn token_new_prints_a_fresh_token_once_with_its_entry() {
    let (a, entry) = token_new(&["reviewer", "--name", "reviewer-lin"]);
    let (b, _) = token_new(&["reviewer", "--name", "reviewer-lin"]);
    assert_ne!(a, b);
    // 256 bits as hex after the prefix (at least 128 bits are required).
    let hex = a.strip_prefix("stdfund_").unwrap();
    assert_eq!(hex.len(), 64);
    assert!(hex.bytes().all(|c| c.is_ascii_hexdigit()));
    // The entry parses as a tokens file and holds the token's hash, never
    // the token.
    assert!(!entry.contains(&a));
    let tokens = stdfund_server::auth::Tokens::parse(&entry, false).unwrap();
    assert_eq!(tokens.names(), ["reviewer-lin"]);
    assert!(entry.contains("role = \"reviewer\""), "{entry}");
    assert!(
        entry.contains(&stdfund_server::auth::hash_token(&a)),
        "{entry}"
    );
    // The hash is what `stdfund token hash` computes.
    let mut child = ops_support::stdfund()
        .args(["token", "hash"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), a.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let line = String::from_utf8(out.stdout).unwrap();
    assert!(entry.contains(line.trim()), "{line} / {entry}");

    // Without --name: the role and a hash prefix.
    let (c, entry) = token_new(&["finance"]);
    let h = stdfund_server::auth::hash_token(&c);
    assert!(
        entry.contains(&format!("name = \"finance-{}\"", &h[..8])),
        "{entry}"
    );
    // A role that does not exist.
    let out = run(&["token", "new", "root"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("role must be"));
    assert!(out.stdout.is_empty());
    // A name that would look like another's: no token is made for it.
    for name in ["\u{0441}hen", "chen\u{200B}"] {
        let out = run(&["token", "new", "admin", "--name", name], &[]);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        assert!(String::from_utf8_lossy(&out.stderr).contains("look like another"));
        assert!(out.stdout.is_empty());
    }
}

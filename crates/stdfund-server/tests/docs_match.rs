//! The operator documentation cannot drift from the binary: every
//! `STDFUND_*` variable, every `--flag` given to a `stdfund` command, and
//! every row of the settings tables in `docs/OPERATIONS.md`, `README.md` and
//! `crates/stdfund-server/README.md` is checked against the real
//! `stdfund … --help` and `stdfund serve --print-config`.
#![allow(
    clippy::arithmetic_side_effects,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::unwrap_used,
    missing_docs
)]

use clap::CommandFactory;
use std::collections::BTreeMap;
use std::process::Command;
use stdfund_server::cli::Cli;
use stdfund_server::config::KEYS;

const BIN: &str = env!("CARGO_BIN_EXE_stdfund");
const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
const DOCS: [&str; 3] = [
    "docs/OPERATIONS.md",
    "README.md",
    "crates/stdfund-server/README.md",
];
/// Variables of the compose file (host ports, images, the secret's path),
/// not of the binary; each must be interpolated in deploy/compose.yaml.
const COMPOSE_ONLY: [&str; 4] = [
    "STDFUND_TOKENS_SECRET_FILE",
    "STDFUND_IMAGE",
    "STDFUND_GRPC_PORT",
    "STDFUND_METRICS_PORT",
];
/// The vector tool's variable (`STDFUND_BLESS=1 cargo test`).
const TOOLS: [&str; 1] = ["STDFUND_BLESS"];

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{ROOT}/{path}")).unwrap()
}

/// The tokens of `text` that start with `prefix` and go on with `[A-Za-z0-9_-]`.
fn tokens(text: &str, prefix: &str, more: fn(char) -> bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(prefix) {
        let before = rest[..i].chars().next_back();
        let tail = &rest[i + prefix.len()..];
        let len = tail.find(|c: char| !more(c)).unwrap_or(tail.len());
        if len > 0 && !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-') {
            out.push(format!("{prefix}{}", &tail[..len]));
        }
        rest = &tail[len..];
    }
    out
}

fn flag_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'
}

fn env_char(c: char) -> bool {
    c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'
}

/// Long flags (with their variable) per subcommand path, e.g. `serve`,
/// `token hash`; `""` for the top level.
fn binary_flags() -> BTreeMap<String, BTreeMap<String, Option<String>>> {
    fn walk(
        cmd: &clap::Command,
        path: &str,
        out: &mut BTreeMap<String, BTreeMap<String, Option<String>>>,
    ) {
        let mut flags = BTreeMap::new();
        for arg in cmd.get_arguments() {
            if let Some(long) = arg.get_long() {
                flags.insert(
                    format!("--{long}"),
                    arg.get_env().map(|e| e.to_string_lossy().into_owned()),
                );
            }
        }
        flags.insert("--help".into(), None);
        out.insert(path.to_string(), flags);
        for sub in cmd.get_subcommands() {
            let p = if path.is_empty() {
                sub.get_name().to_string()
            } else {
                format!("{path} {}", sub.get_name())
            };
            walk(sub, &p, out);
        }
    }
    let mut out = BTreeMap::new();
    walk(&Cli::command(), "", &mut out);
    out.get_mut("").unwrap().insert("--version".into(), None);
    out
}

/// The defaults `stdfund serve --print-config` prints, by key.
fn printed_defaults() -> toml::Table {
    let mut cmd = Command::new(BIN);
    cmd.args(["serve", "--print-config"]);
    for (k, _) in std::env::vars() {
        if k.starts_with("STDFUND_") {
            cmd.env_remove(k);
        }
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success());
    toml::from_str(&String::from_utf8(out.stdout).unwrap()).unwrap()
}

fn help(sub: &str) -> String {
    let mut args: Vec<&str> = sub.split_whitespace().collect();
    args.push("--help");
    let out = Command::new(BIN).args(&args).output().unwrap();
    assert!(out.status.success(), "{sub} --help");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn every_variable_the_docs_name_is_read() {
    let known = stdfund_server::cli::env_vars();
    let compose = read("deploy/compose.yaml");
    let mut seen = 0;
    for doc in DOCS {
        for var in tokens(&read(doc), "STDFUND_", env_char) {
            seen += 1;
            if COMPOSE_ONLY.contains(&var.as_str()) {
                assert!(
                    compose.contains(&format!("${{{var}")),
                    "{doc}: {var} is not a variable of deploy/compose.yaml"
                );
                continue;
            }
            assert!(
                known.contains(&var) || TOOLS.contains(&var.as_str()),
                "{doc} names {var}, which stdfund does not read (it reads {known:?})"
            );
        }
    }
    assert!(seen > 20, "the docs name only {seen} variables");
    // And --help names each variable stdfund reads.
    let all_help: String = ["serve", "migrate", "backup", "healthcheck"]
        .iter()
        .map(|s| help(s))
        .collect();
    for var in &known {
        assert!(
            all_help.contains(&format!("[env: {var}]")),
            "{var} missing from --help"
        );
    }
}

/// The subcommand a documented command line runs, and the text after it.
fn commands(line: &str) -> Vec<(String, String)> {
    let subs = binary_flags();
    let mut out = Vec::new();
    for (i, _) in line.match_indices("stdfund") {
        let after = &line[i + "stdfund".len()..];
        // `stdfund serve`, `target/release/stdfund serve`, and
        // `cargo run -p stdfund-server -- serve`.
        let after = match after.strip_prefix("-server") {
            Some(rest) => match rest.find(" -- ") {
                Some(j) => &rest[j + 3..],
                None => continue,
            },
            None => after,
        };
        if !after.starts_with(' ') {
            continue;
        }
        let words: Vec<&str> = after.split_whitespace().collect();
        // The longest subcommand path that matches (`token hash`).
        let mut path = String::new();
        let mut used = 0;
        for n in 1..=2 {
            if words.len() >= n {
                let p = words[..n].join(" ");
                if subs.contains_key(&p) {
                    path = p;
                    used = n;
                }
            }
        }
        if used == 0 {
            continue;
        }
        let rest = words[used..].join(" ");
        let end = rest
            .find(['`', '|', ';', '&', '#', '<', '>', ')'])
            .unwrap_or(rest.len());
        out.push((path, rest[..end].to_string()));
    }
    out
}

#[test]
fn every_flag_given_to_stdfund_in_the_docs_exists() {
    let subs = binary_flags();
    let mut checked = 0;
    for doc in DOCS {
        for (n, line) in read(doc).lines().enumerate() {
            for (sub, args) in commands(line) {
                let flags = &subs[&sub];
                for flag in tokens(&args, "--", flag_char) {
                    checked += 1;
                    assert!(
                        flags.contains_key(&flag),
                        "{doc}:{}: `stdfund {sub}` has no {flag} ({line})",
                        n + 1
                    );
                }
            }
        }
    }
    assert!(checked > 15, "only {checked} flags found in the docs");
}

/// The cells of the table rows under a header row whose cells are `header`.
fn table(text: &str, header: &[&str]) -> Vec<Vec<String>> {
    let cells = |l: &str| -> Vec<String> {
        l.trim()
            .trim_matches('|')
            .split('|')
            .map(|c| c.trim().to_string())
            .collect()
    };
    let mut rows = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        if !line.trim_start().starts_with('|') {
            inside = false;
            continue;
        }
        let c = cells(line);
        if c.iter().map(String::as_str).collect::<Vec<_>>() == header {
            inside = true;
            continue;
        }
        if inside && !c[0].starts_with("---") {
            rows.push(c);
        }
    }
    rows
}

/// The first `backticked` text of a cell.
fn code(cell: &str) -> Option<String> {
    let start = cell.find('`')? + 1;
    let len = cell[start..].find('`')?;
    Some(cell[start..start + len].to_string())
}

/// Checks a documented default against `--print-config`.
fn check_default(doc: &str, key: &str, cell: &str, printed: &toml::Table) {
    let value = printed.get(key);
    if cell.starts_with("none") {
        let empty = match value {
            None => true,
            Some(toml::Value::Array(a)) => a.is_empty(),
            Some(_) => false,
        };
        assert!(empty, "{doc}: `{key}` defaults to none, binary: {value:?}");
        return;
    }
    let documented = code(cell).unwrap_or_else(|| panic!("{doc}: no default for {key}"));
    let actual = match value {
        Some(toml::Value::String(s)) => s.clone(),
        Some(toml::Value::Integer(i)) => i.to_string(),
        Some(toml::Value::Boolean(b)) => b.to_string(),
        other => panic!("{doc}: `{key}` printed as {other:?}"),
    };
    assert_eq!(documented, actual, "{doc}: default of `{key}`");
}

#[test]
fn the_settings_tables_match_help_and_print_config() {
    let serve = &binary_flags()["serve"];
    let printed = printed_defaults();
    let help = help("serve");

    // docs/OPERATIONS.md: | flag | environment | default | meaning |
    let doc = "docs/OPERATIONS.md";
    let rows = table(&read(doc), &["flag", "environment", "default", "meaning"]);
    assert!(rows.len() >= KEYS.len(), "{doc}: {rows:?}");
    let mut documented_keys = Vec::new();
    for row in &rows {
        let flag =
            code(&row[0]).unwrap_or_else(|| panic!("{doc}: a setting without a flag: {row:?}"));
        let env = code(&row[1]).unwrap();
        assert_eq!(
            serve.get(&flag),
            Some(&Some(env.clone())),
            "{doc}: {flag} / {env} is not how `stdfund serve` reads it"
        );
        assert!(help.contains(&flag) && help.contains(&format!("[env: {env}]")));
        if let Some((key, _, _)) = KEYS.iter().find(|(_, _, f)| *f == flag) {
            check_default(doc, key, &row[2], &printed);
            documented_keys.push(*key);
        }
    }
    for (key, _, flag) in KEYS {
        assert!(
            documented_keys.contains(&key),
            "{doc} does not document {flag}"
        );
    }

    // The server README: | key | environment | flag | default |
    let doc = "crates/stdfund-server/README.md";
    let rows = table(&read(doc), &["key", "environment", "flag", "default"]);
    assert_eq!(rows.len(), KEYS.len(), "{doc}: {rows:?}");
    for row in &rows {
        let key = code(&row[0]).unwrap();
        let env = code(&row[1]).unwrap();
        let flag = code(&row[2]).unwrap();
        assert!(
            KEYS.contains(&(key.as_str(), env.as_str(), flag.as_str())),
            "{doc}: {key} / {env} / {flag}"
        );
        check_default(doc, &key, &row[3], &printed);
    }
}

#[test]
fn the_checks_catch_drift() {
    // A made-up flag and variable are caught by the same parsing.
    let line = "run `stdfund serve --listen 0.0.0.0:1 --no-such-flag` with `STDFUND_NOPE`";
    let found = commands(line);
    assert_eq!(found.len(), 1);
    let flags: Vec<String> = tokens(&found[0].1, "--", flag_char);
    assert_eq!(flags, ["--listen", "--no-such-flag"]);
    assert!(!binary_flags()["serve"].contains_key("--no-such-flag"));
    assert_eq!(tokens(line, "STDFUND_", env_char), ["STDFUND_NOPE"]);
    assert!(!stdfund_server::cli::env_vars().contains(&"STDFUND_NOPE".to_string()));
    let printed = printed_defaults();
    let wrong = std::panic::catch_unwind(|| {
        check_default("x", "listen", "`0.0.0.0:50051`", &printed);
    });
    assert!(wrong.is_err(), "a wrong default must be caught");
    let cmds =
        commands("cargo run -q -p stdfund-server -- estimate examples/a.json --format table");
    assert_eq!(
        cmds,
        [(
            "estimate".to_string(),
            "examples/a.json --format table".to_string()
        )]
    );
    let cmds = commands("printf %s \"$TOKEN\" | stdfund token hash --name N --role R");
    assert_eq!(cmds[0].0, "token hash");
}

#[test]
fn the_documented_alerts_are_the_deployed_ones() {
    // deploy/k8s/base/prometheusrule.yaml: `- alert: NAME` … `severity: S`.
    let mut deployed: Vec<(String, String)> = Vec::new();
    for line in read("deploy/k8s/base/prometheusrule.yaml").lines() {
        let t = line.trim();
        if let Some(name) = t.strip_prefix("- alert: ") {
            deployed.push((name.to_string(), String::new()));
        } else if let Some(sev) = t.strip_prefix("severity: ") {
            deployed.last_mut().unwrap().1 = sev.to_string();
        }
    }
    let doc = "docs/OPERATIONS.md";
    let documented: Vec<(String, String)> = table(&read(doc), &["alert", "fires when", "severity"])
        .iter()
        .map(|r| (code(&r[0]).unwrap(), r[2].clone()))
        .collect();
    assert!(!deployed.is_empty());
    assert_eq!(
        documented, deployed,
        "{doc} vs deploy/k8s/base/prometheusrule.yaml"
    );
}

/// Every stable reason the registry answers with — the registry's own input
/// refusals and every store error it passes on — is in the error table of
/// `registry_service.proto`, which platforms map to their screens.
#[test]
fn every_registry_reason_is_in_the_contract() {
    let proto = read("proto/stdfund/v1/registry_service.proto");
    let table: String = proto
        .lines()
        .skip_while(|l| !l.starts_with("// Errors"))
        .take_while(|l| l.starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut reasons = std::collections::BTreeSet::new();
    let registry = std::fs::read_dir(format!("{ROOT}/crates/stdfund-server/src/registry"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .chain([std::path::PathBuf::from(format!(
            "{ROOT}/crates/stdfund-server/src/registry_error.rs"
        ))]);
    for path in registry {
        let text = std::fs::read_to_string(&path).unwrap();
        // `RegistryError::invalid(` and `.precondition(`, the code on the
        // same or the next line.
        for (at, _) in text
            .match_indices("invalid(")
            .chain(text.match_indices("precondition("))
        {
            let rest: String = text[at..].chars().take(120).collect();
            if let Some(code) = rest.split('"').nth(1)
                && code.len() > 3
                && code.bytes().all(|b| b.is_ascii_uppercase() || b == b'_')
            {
                reasons.insert(code.to_owned());
            }
        }
    }
    let store = read("crates/stdfund-store/src/error.rs");
    for (at, _) in store.match_indices("=> \"") {
        let code = store[at + 4..].split('"').next().unwrap();
        if code.bytes().all(|b| b.is_ascii_uppercase() || b == b'_') {
            reasons.insert(code.to_owned());
        }
    }
    // The CLI's alone: `stdfund migrate` and `audit verify` on a database
    // file that is not there; no RPC opens a database.
    reasons.remove("DATABASE_MISSING");
    assert!(reasons.len() > 40, "{reasons:?}");
    let missing: Vec<&String> = reasons
        .iter()
        .filter(|r| !table.contains(r.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "reasons the registry answers that registry_service.proto's error table lacks: {missing:?}"
    );
}

//! The settings layers of the real binary: defaults < TOML file <
//! `STDFUND_*` < flags, the environment read through clap's `env` (so
//! `--help` names every variable), and the key table of `config` equal to
//! the clap definitions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use clap::CommandFactory;
use std::process::Command;
use stdfund_server::cli::Cli;
use stdfund_server::config::KEYS;

const BIN: &str = env!("CARGO_BIN_EXE_stdfund");

/// `stdfund serve --print-config ARGS` with exactly `envs` as its STDFUND_*.
fn print_config(args: &[&str], envs: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = Command::new(BIN);
    cmd.arg("serve").arg("--print-config").args(args);
    for (k, _) in std::env::vars() {
        if k.starts_with("STDFUND_") {
            cmd.env_remove(k);
        }
    }
    cmd.envs(envs.iter().copied());
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn has(text: &str, line: &str) -> bool {
    text.lines().any(|l| l == line)
}

#[test]
fn defaults_then_file_then_environment_then_flags() {
    let dir = std::env::temp_dir().join(format!("stdfund-config-env-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("stdfund.toml");
    std::fs::write(
        &file,
        "listen = \"0.0.0.0:6000\"\ndrain_seconds = 5\nmax_batch_items = 7\nlog_level = \"warn\"\n",
    )
    .unwrap();
    let file_s = file.display().to_string();
    let (code, text, err) = print_config(
        &["--max-batch-items", "3"],
        &[
            ("STDFUND_CONFIG", &file_s),
            ("STDFUND_DRAIN_SECONDS", "9"),
            ("STDFUND_MAX_BATCH_ITEMS", "8"),
            (
                "STDFUND_CORS_ORIGINS",
                " https://a.example, http://localhost:8080 ,",
            ),
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(has(&text, "listen = \"0.0.0.0:6000\""), "{text}"); // file
    assert!(has(&text, "log_level = \"warn\""), "{text}"); // file
    assert!(has(&text, "drain_seconds = 9"), "{text}"); // env over file
    assert!(has(&text, "max_batch_items = 3"), "{text}"); // flag over env over file
    assert!(has(&text, "max_message_bytes = 4194304"), "{text}"); // default
    assert!(
        has(
            &text,
            "cors_origins = [\"https://a.example\", \"http://localhost:8080\"]"
        ),
        "{text}"
    );

    // --config wins over STDFUND_CONFIG.
    let other = dir.join("other.toml");
    std::fs::write(&other, "listen = \"127.0.0.1:7000\"\n").unwrap();
    let (code, text, err) = print_config(
        &["--config", &other.display().to_string()],
        &[("STDFUND_CONFIG", &file_s)],
    );
    assert_eq!(code, 0, "{err}");
    assert!(has(&text, "listen = \"127.0.0.1:7000\""), "{text}");
    assert!(has(&text, "drain_seconds = 20"), "{text}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_bad_variable_is_named() {
    let (code, _, err) = print_config(&[], &[("STDFUND_DRAIN_SECONDS", "soon")]);
    assert_eq!(code, 2);
    assert!(
        err.contains("STDFUND_DRAIN_SECONDS") && err.contains("soon"),
        "{err}"
    );
    let (code, _, err) = print_config(&[], &[("STDFUND_LISTEN", "nowhere")]);
    assert_eq!(code, 2);
    assert!(err.contains("STDFUND_LISTEN / --listen"), "{err}");
    let (code, _, err) = print_config(&[], &[("STDFUND_LOG_FORMAT", "xml")]);
    assert_eq!(code, 2);
    assert!(err.contains("xml"), "{err}");
    // Said in Chinese first, naming the setting, then the English detail.
    let (code, _, err) = print_config(&[], &[("STDFUND_TLS_CERT", "/tmp/cert.pem")]);
    assert_eq!(code, 2);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(
        lines[0].starts_with("错误[CONFIG]:配置项tls_key有误"),
        "{err}"
    );
    assert!(lines[1].starts_with("error[CONFIG]: tls_key: "), "{err}");
}

#[test]
fn the_key_table_is_the_clap_definition() {
    let cmd = Cli::command();
    let serve = cmd.find_subcommand("serve").unwrap();
    for (key, env, flag) in KEYS {
        let arg = serve
            .get_arguments()
            .find(|a| a.get_long().map(|l| format!("--{l}")).as_deref() == Some(flag))
            .unwrap_or_else(|| panic!("no flag {flag} for {key}"));
        assert_eq!(
            arg.get_env()
                .map(|e| e.to_string_lossy().into_owned())
                .as_deref(),
            Some(env),
            "{flag}"
        );
    }
    // Every serve flag with a variable is a key (besides --config).
    let with_env = serve
        .get_arguments()
        .filter(|a| a.get_env().is_some())
        .count();
    assert_eq!(with_env, KEYS.len() + 1);
    let mut expected: Vec<String> = KEYS.iter().map(|(_, e, _)| e.to_string()).collect();
    expected.push("STDFUND_CONFIG".into());
    expected.sort();
    assert_eq!(stdfund_server::cli::env_vars(), expected);
}

#[test]
fn help_names_every_variable_without_its_value() {
    let out = Command::new(BIN)
        .args(["serve", "--help"])
        .env("STDFUND_DATABASE_URL", "postgres://app:s3cret@db/stdfund")
        .output()
        .unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    for (_, env, flag) in KEYS {
        assert!(help.contains(&format!("[env: {env}]")), "{env} in\n{help}");
        assert!(help.contains(flag), "{flag}");
    }
    assert!(help.contains("[env: STDFUND_CONFIG]"));
    assert!(!help.contains("s3cret"), "{help}");
}

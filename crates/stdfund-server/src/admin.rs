//! Operator subcommands of the registry: `stdfund migrate`, `stdfund backup`,
//! `stdfund token hash`, `stdfund token new`, `stdfund audit verify` and
//! `stdfund registry collisions`.
//!
//! The commands that open the database read its URL as `serve` does
//! (defaults < `--config`/`STDFUND_CONFIG` file < `STDFUND_*` environment <
//! `--database-url`). Only `migrate` creates a missing SQLite database; the
//! checks open an existing one as `serve` does (which applies pending
//! migrations).
//!
//! Exit statuses of `audit verify`: 0 the chain is intact, 1 it is broken
//! (the first broken entry is named), 2 the check could not run (settings,
//! the database missing or unreachable). Of `registry collisions`: 0 no
//! collision stands, 3 some do (a reviewer must resolve them), 2 the check
//! could not run.

use crate::config::{Layer, Settings};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use stdfund_store::{AnyStore, OpenOptions};

/// Flags shared by `migrate` and `backup`.
#[derive(Debug, Default, clap::Args)]
pub struct DatabaseArgs {
    /// A TOML config file (its `database_url`).
    #[arg(
        long,
        value_name = "FILE",
        env = "STDFUND_CONFIG",
        hide_env_values = true
    )]
    pub config: Option<PathBuf>,
    /// The claim registry database (over the config file) [default:
    /// sqlite://stdfund.sqlite].
    #[arg(
        long,
        value_name = "URL",
        env = "STDFUND_DATABASE_URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,
}

/// The audit key flag of the commands that write to the log or check it.
#[derive(Debug, Default, clap::Args)]
pub struct AuditKeyArg {
    /// The file of the key that seals the audit log, as `serve` takes it
    /// (over the config file's `audit_key_file`).
    #[arg(
        long,
        value_name = "FILE",
        env = "STDFUND_AUDIT_KEY_FILE",
        hide_env_values = true
    )]
    pub audit_key_file: Option<PathBuf>,
}

/// Flags of `migrate`.
#[derive(Debug, Default, clap::Args)]
pub struct MigrateArgs {
    /// The database to migrate.
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Whether a missing SQLite database is created, as `serve` reads it.
    #[command(flatten)]
    pub create: crate::cli::CreateDatabaseArg,
    /// The audit key: what `migrate` writes to the log is sealed with it.
    #[command(flatten)]
    pub key: AuditKeyArg,
    /// Seal a log that has entries but no seal yet under --audit-key-file:
    /// its last entry then vouches for every entry before it. Only for a
    /// registry that never had a key, after `stdfund audit verify` found it
    /// intact: `serve` and `migrate` otherwise refuse such a log, since one
    /// whose seals were removed looks the same (AUDIT_KEY_NOT_ADOPTED).
    #[arg(long)]
    pub adopt_audit_key: bool,
}

/// `stdfund token …`.
#[derive(Debug, clap::Subcommand)]
pub enum TokenCommand {
    /// Read a token on standard input and print its `sha256 = "…"` line for
    /// the tokens file (`printf %s "$TOKEN" | stdfund token hash`).
    Hash {
        /// Also print `[[tokens]]`, `name` and `role`: a whole entry.
        #[arg(long, requires = "role")]
        name: Option<String>,
        /// The role of the entry: portal, reviewer, finance or admin.
        #[arg(long, requires = "name")]
        role: Option<String>,
    },
    /// Make a fresh random token (256 bits from the operating system) for
    /// ROLE; print it once, and the `[[tokens]]` entry (name, role, sha256)
    /// to add to the tokens file. Only the hash goes into the file.
    New {
        /// The role: portal, reviewer, finance or admin.
        role: String,
        /// Who holds it, as the audit log will name it [default: ROLE- and
        /// the first 8 hex digits of the token's sha256].
        #[arg(long)]
        name: Option<String>,
    },
}

/// `stdfund audit …`.
#[derive(Debug, clap::Subcommand)]
pub enum AuditCommand {
    /// Recompute the audit log's hash chain and compare the tables with it;
    /// print OK with the number of entries and the head hash, or name the
    /// first broken entry or row and exit 1 (2: the check could not run).
    Verify(VerifyArgs),
}

/// The arguments of `stdfund audit verify`.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// Where the database is.
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// The audit key: with it the seals' values are checked, not only their
    /// presence.
    #[command(flatten)]
    pub key: AuditKeyArg,
    /// Also exit 1 when rows cannot be compared (no entry of the log wrote
    /// them): for a registry that never ran v1, such a row was written
    /// behind the store's back.
    #[arg(long)]
    pub strict: bool,
}

/// `stdfund registry …`.
#[derive(Debug, clap::Subcommand)]
pub enum RegistryCommand {
    /// List the one-time-key collisions that re-keying (`stdfund migrate`)
    /// found: live claims whose subjects are one achievement under the
    /// canonical identity, never merged by the machine. Exit 0 when none
    /// stands, 3 when a reviewer must resolve some (withdraw or reject one
    /// claim of each pair), 2 when it cannot check.
    Collisions {
        /// Where the database is.
        #[command(flatten)]
        database: DatabaseArgs,
        /// Output format.
        #[arg(long, value_enum, default_value_t = crate::cli::Format::Table)]
        format: crate::cli::Format,
    },
}

/// The exit status of `registry collisions` when collisions stand.
pub const EXIT_COLLISIONS: u8 = 3;

/// The exit status of a check whose answer is "no" (a broken audit chain).
pub const EXIT_FOUND: u8 = 1;
/// The exit status of a check that could not run.
pub const EXIT_CANNOT_CHECK: u8 = 2;

/// Opens an existing registry database for a check (never creates one);
/// prints why not and returns the exit status otherwise.
fn open_existing(
    rt: &tokio::runtime::Runtime,
    url: &str,
    audit_key: Option<stdfund_store::AuditKey>,
) -> Result<AnyStore, ExitCode> {
    let shown = crate::config::redact_url(url);
    let options = OpenOptions {
        create_if_missing: false,
        audit_key,
        ..OpenOptions::default()
    };
    rt.block_on(AnyStore::open(url, &options)).map_err(|e| {
        match &e {
            stdfund_store::StoreError::DatabaseMissing { path } => eprintln!(
                "错误[{code}]:数据库文件{path}不存在(检查不会新建数据库)\n\
                 error[{code}]: cannot open {shown}: the database file {path} does not exist \
                 (a check never creates one)",
                code = e.code()
            ),
            _ => eprintln!("error[{}]: cannot open {shown}: {e}", e.code()),
        }
        ExitCode::from(EXIT_CANNOT_CHECK)
    })
}

/// `stdfund audit verify`.
pub fn audit(command: &AuditCommand) -> ExitCode {
    let AuditCommand::Verify(VerifyArgs {
        database: args,
        key,
        strict,
    }) = command;
    let settings = match database_settings(args, None, key) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let url = settings.database_url;
    let key = match crate::audit_key::from_settings(settings.audit_key_file.as_deref()) {
        Ok(k) => k,
        Err(e) => {
            eprintln!("错误 error{e}");
            return ExitCode::from(EXIT_CANNOT_CHECK);
        }
    };
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let store = match open_existing(&rt, &url, key) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let shown = crate::config::redact_url(&url);
    let result = rt.block_on(async {
        let r = store.verify_audit().await;
        store.close().await;
        r
    });
    match result {
        Ok(v) => {
            let code = audit_report(&v, &shown, store.backend());
            let unverifiable = v
                .claims
                .unverifiable
                .saturating_add(v.budgets.unverifiable)
                .saturating_add(v.records.unverifiable);
            if *strict && v.is_intact() && v.seals.sealed_from.is_some() && v.seals.key_id.is_none()
            {
                let _ = crate::output::println(
                    "严格模式 strict: the log is sealed and no audit key was given to check the \
                     seals: exit 1",
                );
                return ExitCode::from(EXIT_FOUND);
            }
            if *strict && v.is_intact() && unverifiable > 0 {
                let _ = crate::output::println(&format!(
                    "严格模式 strict: {unverifiable} rows cannot be compared with the log \
                     (listed above): exit 1"
                ));
                return ExitCode::from(EXIT_FOUND);
            }
            code
        }
        Err(e) => {
            eprintln!("error[{}]: {shown}: {e}", e.code());
            ExitCode::from(EXIT_CANNOT_CHECK)
        }
    }
}

/// What `stdfund audit verify` prints, and its exit status.
fn audit_report(
    v: &stdfund_store::AuditVerification,
    shown: &str,
    backend: stdfund_store::BackendKind,
) -> ExitCode {
    if let Some((id, why)) = &v.first_broken {
        let _ = crate::output::println(&format!(
            "审计日志被篡改 audit log BROKEN at entry {id}: {why}\n\
             {} entries read ({shown}, {backend}); the chain is consistent only up to the \
             entry before {id}: compare its head with one recorded earlier",
            v.entries_checked,
        ));
        return ExitCode::from(EXIT_FOUND);
    }
    let c = &v.claims;
    let unverifiable = if c.unverifiable == 0 {
        String::new()
    } else {
        let named: Vec<String> = c.unverifiable_named.iter().map(i64::to_string).collect();
        let more = if c.unverifiable > i64::try_from(named.len()).unwrap_or(i64::MAX) {
            ", …"
        } else {
            ""
        };
        format!(
            "\n无法完整核对 not comparable from their submission: {} claims have no whole \
             snapshot or no submission in the log (claims upgraded from v1, or rows written \
             behind the store's back): {}{more}",
            c.unverifiable,
            named.join(", ")
        )
    };
    if let Some((id, why)) = &c.first_diverging {
        let _ = crate::output::println(&format!(
            "申报记录被篡改 claims table BROKEN at claim {id}: {why}\n\
             the hash chain of {} entries is intact ({shown}, {backend}); {} claims compared \
             with it{unverifiable}",
            v.entries_checked, c.checked,
        ));
        return ExitCode::from(EXIT_FOUND);
    }
    let b = &v.budgets;
    let r = &v.records;
    let not_comparable = |rows: &stdfund_store::RowsVerification, what: &str| {
        if rows.unverifiable == 0 {
            String::new()
        } else {
            format!(
                "\n无法核对 not comparable: {} {what} no entry of the log wrote (rows written \
                 behind the store's back): {}",
                rows.unverifiable,
                rows.unverifiable_named.join(", ")
            )
        }
    };
    let budgets_unverifiable = not_comparable(b, "budgets");
    let records_unverifiable = not_comparable(r, "publications, objections or attachments");
    let broken = [
        (b, "预算记录被篡改 budgets table BROKEN at budget"),
        (r, "公示、异议或材料记录被篡改 record BROKEN at"),
    ];
    for (rows, heading) in broken {
        if let Some((key, why)) = &rows.first_diverging {
            let _ = crate::output::println(&format!(
                "{heading} {key}: {why}\n\
                 the hash chain of {} entries is intact ({shown}, {backend}); {} claims, {} \
                 budgets and {} other records compared with it\
                 {unverifiable}{budgets_unverifiable}{records_unverifiable}",
                v.entries_checked, c.checked, b.checked, r.checked,
            ));
            return ExitCode::from(EXIT_FOUND);
        }
    }
    crate::output::println(&format!(
        "审计日志完整 audit log intact: {} entries, hash chain verified ({shown}, {backend})\n\
         {}\n\
         申报记录一致 claims agree with the log: {} claims compared{unverifiable}\n\
         预算记录一致 budgets agree with the log: {} budgets compared{budgets_unverifiable}\n\
         公示、异议和材料一致 publications, objections and attachments agree with the log: {} \
         compared{records_unverifiable}\n\
         head: {}\n\
         (record the head elsewhere: a later rewrite of the whole log shows against it)",
        v.entries_checked,
        seals_line(&v.seals),
        c.checked,
        b.checked,
        r.checked,
        if v.head_hash.is_empty() {
            "(empty log)"
        } else {
            v.head_hash.as_str()
        },
    ))
}

/// What `audit verify` says of the seals of an intact log.
fn seals_line(s: &stdfund_store::SealsVerification) -> String {
    match (s.sealed_from, s.key_id.as_deref()) {
        (Some(from), Some(key)) => format!(
            "封签有效 seals verified: every entry from {from} on is sealed under the audit key \
             {key}"
        ),
        (Some(from), None) => format!(
            "封签未核验 seals present from entry {from} on, their values not checked: give the \
             audit key with --audit-key-file (STDFUND_AUDIT_KEY_FILE)"
        ),
        (None, _) => "未封签 not sealed: this log has no audit key, so whoever can write the \
                      database can append entries that verify (see OPERATIONS.md, audit key)"
            .to_owned(),
    }
}

/// One side of a collision, as a reviewer needs it.
struct Side {
    status: String,
    unit: String,
    subject: String,
}

async fn side(store: &AnyStore, id: i64) -> Side {
    match store.claim(id).await {
        Ok(c) => Side {
            status: c.status().to_string(),
            unit: c.filing.unit_name.clone(),
            subject: c.filing.subject_as_given.clone(),
        },
        Err(e) => Side {
            status: format!("({})", e.code()),
            unit: String::new(),
            subject: String::new(),
        },
    }
}

/// `stdfund registry collisions`.
pub fn registry(command: &RegistryCommand) -> ExitCode {
    let RegistryCommand::Collisions { database, format } = command;
    let url = match database_url(database) {
        Ok(u) => u,
        Err(code) => return code,
    };
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let store = match open_existing(&rt, &url, None) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let shown = crate::config::redact_url(&url);
    let found = rt.block_on(async {
        let list = store.key_collisions().await?;
        let mut out = Vec::with_capacity(list.len());
        for k in list {
            let claim = side(&store, k.claim_id).await;
            let holder = side(&store, k.holder_claim_id).await;
            out.push((k, claim, holder));
        }
        store.close().await;
        Ok::<_, stdfund_store::StoreError>(out)
    });
    let found = match found {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error[{}]: {shown}: {e}", e.code());
            return ExitCode::from(EXIT_CANNOT_CHECK);
        }
    };
    let standing = found.iter().filter(|(k, _, _)| !k.resolved).count();
    let printed = match format {
        crate::cli::Format::Json => {
            let rows: Vec<serde_json::Value> = found
                .iter()
                .map(|(k, c, h)| {
                    serde_json::json!({
                        "id": k.id,
                        "claimId": k.claim_id,
                        "holderClaimId": k.holder_claim_id,
                        "oneTimeKey": k.one_time_key,
                        "foundAt": k.found_at.as_str(),
                        "resolved": k.resolved,
                        "claim": {"status": c.status, "unitName": c.unit, "subjectAsGiven": c.subject},
                        "holder": {"status": h.status, "unitName": h.unit, "subjectAsGiven": h.subject},
                    })
                })
                .collect();
            let text = serde_json::to_string_pretty(&serde_json::json!({
                "collisions": rows,
                "standing": standing,
            }))
            .unwrap_or_default();
            crate::output::println(&text)
        }
        crate::cli::Format::Table => {
            let mut text = String::new();
            if found.is_empty() {
                text.push_str("无一次性键冲突 no one-time-key collisions");
            } else {
                text.push_str(&crate::table::collisions(
                    found
                        .iter()
                        .map(|(k, c, h)| crate::table::CollisionRow {
                            id: k.id,
                            claim_id: k.claim_id,
                            claim: format!("{} {} {}", c.status, c.unit, c.subject),
                            holder_claim_id: k.holder_claim_id,
                            holder: format!("{} {} {}", h.status, h.unit, h.subject),
                            key: k.one_time_key.clone(),
                            found_at: k.found_at.to_string(),
                            resolved: k.resolved,
                        })
                        .collect(),
                ));
                text.push_str(&format!(
                    "\n{standing} 项待复核 standing, {} 项已解决 resolved ({shown}).\n\
                     A reviewer resolves a standing collision by withdrawing or rejecting one \
                     claim of the pair; nothing is merged automatically.",
                    found.len().saturating_sub(standing)
                ));
            }
            crate::output::println(&text)
        }
    };
    if printed != ExitCode::SUCCESS {
        return printed;
    }
    if standing > 0 {
        ExitCode::from(EXIT_COLLISIONS)
    } else {
        ExitCode::SUCCESS
    }
}

fn database_url(args: &DatabaseArgs) -> Result<String, ExitCode> {
    database_settings(args, None, &AuditKeyArg::default()).map(|s| s.database_url)
}

fn database_settings(
    args: &DatabaseArgs,
    create_database: Option<bool>,
    key: &AuditKeyArg,
) -> Result<Settings, ExitCode> {
    let layer = Layer {
        database_url: args.database_url.clone(),
        audit_key_file: key.audit_key_file.clone(),
        create_database,
        ..Layer::default()
    };
    Settings::resolve(args.config.as_deref(), layer).map_err(|e| {
        eprintln!("{}", e.lines());
        ExitCode::from(2)
    })
}

fn runtime() -> Result<tokio::runtime::Runtime, ExitCode> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            eprintln!("error: cannot start the async runtime: {e}");
            ExitCode::from(1)
        })
}

/// `stdfund migrate`: applies the migrations and exits.
pub fn migrate(args: &MigrateArgs) -> ExitCode {
    let settings = match database_settings(&args.database, args.create.create_database, &args.key) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let url = settings.database_url;
    let key = match crate::audit_key::from_settings(settings.audit_key_file.as_deref()) {
        Ok(k) => k,
        Err(e) => {
            eprintln!("错误 error{e}");
            return ExitCode::from(2);
        }
    };
    let key_id = key.as_ref().map(|k| k.id().to_owned());
    if args.adopt_audit_key && key.is_none() {
        eprintln!(
            "错误 error[AUDIT_KEY_REQUIRED] --adopt-audit-key 需要审计密钥(--audit-key-file 或 STDFUND_AUDIT_KEY_FILE)\n\
             --adopt-audit-key needs the audit key (--audit-key-file or STDFUND_AUDIT_KEY_FILE)"
        );
        return ExitCode::from(2);
    }
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let shown = crate::config::redact_url(&url);
    // `migrate` creates a missing SQLite file as `serve` would: only with
    // `create_database` (the default; deployments set it off, and then a
    // lost file is an outage here too, not a new empty registry).
    let options = OpenOptions {
        create_if_missing: settings.create_database,
        audit_key: key,
        ..OpenOptions::default()
    };
    let new_file = match stdfund_store::Location::parse(&url) {
        Ok(stdfund_store::Location::Sqlite(path)) => !path.exists(),
        _ => false,
    };
    rt.block_on(async {
        match AnyStore::open(&url, &options).await {
            Ok(store) => {
                // Opening applies pending migrations; `migrate` again is a no-op
                // that proves the schema is current. Then the one-time keys
                // are brought to the canonical identity of subjects.
                // The key is taken before re-keying writes to the log: a
                // sealed log is not written to without its key.
                let sealing = match crate::audit_key::take(&store, key_id.is_some(), args.adopt_audit_key).await {
                    Ok(adoption) => crate::audit_key::describe(adoption, key_id.as_deref()),
                    Err(e) => {
                        store.close().await;
                        eprintln!("错误 error{e}");
                        return ExitCode::from(1);
                    }
                };
                let result = match store.migrate().await {
                    Ok(_) => crate::rekey::run(&store).await,
                    Err(e) => Err(e),
                };
                store.close().await;
                match result {
                    Ok(report) => {
                        let applied = store.migrations_applied_at_open();
                        let schema = if applied.is_empty() {
                            "no migration to apply: the schema was already current".to_string()
                        } else {
                            format!(
                                "{} migration(s) applied: {}",
                                applied.len(),
                                applied
                                    .iter()
                                    .map(|(v, name)| format!("{v:04} {name}"))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            )
                        };
                        let created = if new_file {
                            "新建数据库 created a new, empty registry database (there was no file at the path)\n"
                        } else {
                            ""
                        };
                        let mut text = format!(
                            "{created}{schema}\n{shown} ({}) is up to date\n{sealing}\n{}",
                            store.backend(),
                            crate::rekey::describe(&report)
                        );
                        if text.ends_with('\n') {
                            text.pop();
                        }
                        crate::output::println(&text)
                    }
                    Err(e) => {
                        eprintln!("error[{}]: {shown}: {e}", e.code());
                        ExitCode::from(1)
                    }
                }
            }
            Err(e) => {
                match &e {
                    stdfund_store::StoreError::DatabaseMissing { path } => eprintln!(
                        "错误[{code}]:数据库文件{path}不存在;`create_database`已关闭,不会新建空的登记库(请从备份恢复,或核对路径)\n\
                         error[{code}]: cannot open {shown}: the database file {path} does not exist, \
                         and `create_database` is off: no new, empty registry is created (restore it \
                         from a backup, or check the path)",
                        code = e.code()
                    ),
                    _ => eprintln!("error[{}]: cannot open {shown}: {e}", e.code()),
                }
                ExitCode::from(1)
            }
        }
    })
}

/// `stdfund backup --to FILE`: a consistent copy of the SQLite database,
/// safe while the server runs.
pub fn backup(args: &DatabaseArgs, to: &Path) -> ExitCode {
    let url = match database_url(args) {
        Ok(u) => u,
        Err(code) => return code,
    };
    let location = match stdfund_store::Location::parse(&url) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error[{}]: {e}", e.code());
            return ExitCode::from(2);
        }
    };
    let stdfund_store::Location::Sqlite(src) = location else {
        eprintln!(
            "error[UNSUPPORTED]: `stdfund backup` copies SQLite databases; for PostgreSQL use \
             pg_dump, e.g. pg_dump --format=custom --no-owner --file=stdfund.dump \"$STDFUND_DATABASE_URL\" \
             (see docs/OPERATIONS.md, \"Back up and restore\")"
        );
        return ExitCode::from(2);
    };
    // An existing file is never overwritten: it may be the last good backup.
    if to.exists() {
        eprintln!(
            "错误[BACKUP_EXISTS]:备份文件{to}已存在;已有的备份不会被覆盖,请换一个文件名\n\
             error[BACKUP_EXISTS]: the backup file {to} already exists: an existing backup is \
             never overwritten, so choose another name",
            to = to.display()
        );
        return ExitCode::from(1);
    }
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    match rt.block_on(stdfund_store::backup_sqlite(src, to)) {
        Ok(info) => crate::output::println(&format!(
            "备份已写入:{0}({1}字节,{2}件申报,{3}条审计记录),完整性检查通过\nbackup written: {0} ({1} bytes, {2} claims, {3} audit rows), integrity ok",
            to.display(),
            info.bytes,
            info.claims,
            info.audit_rows
        )),
        Err(e) => {
            let why = match to.parent() {
                Some(dir) if !dir.as_os_str().is_empty() && !dir.is_dir() => {
                    format!("目标目录{}不存在,请先创建它或换一个位置", dir.display())
                }
                _ => "读写时出错,原因见下一行".to_owned(),
            };
            eprintln!(
                "错误[{code}]:无法将{src}备份到{to}:{why}\n\
                 error[{code}]: cannot back up {src} to {to}: {e}",
                code = e.code(),
                src = src.display(),
                to = to.display()
            );
            ExitCode::from(1)
        }
    }
}

/// `stdfund token new ROLE [--name NAME]`.
fn new_token(role: &str, name: Option<&str>) -> ExitCode {
    if crate::auth::Role::parse(role).is_none() {
        eprintln!("error: role must be portal, reviewer, finance or admin");
        return ExitCode::from(2);
    }
    let token = match crate::auth::new_token() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    let hash = crate::auth::hash_token(&token);
    let name = match name.map(str::trim) {
        Some(n) => match crate::auth::name_problem(n) {
            Some(problem) => {
                eprintln!("error: --name: {problem}");
                return ExitCode::from(2);
            }
            None => n.to_string(),
        },
        None => format!("{role}-{}", hash.get(..8).unwrap_or_default()),
    };
    let q = |s: &str| toml::Value::String(s.to_string()).to_string();
    crate::output::println(&format!(
        "token: {token}\n\
         (shown once: give it to {name} over a secure channel; it is stored nowhere, only its hash)\n\
         \n\
         Add this entry to the tokens file: a running server reads the file again within\n\
         `tokens_poll_seconds` (2 s by default; kill -HUP reads it at once). An entry whose\n\
         name is already in the file with another role makes the server refuse the whole\n\
         file and keep the tokens it has: one name, one role.\n\
         \n\
         [[tokens]]\nname = {}\nrole = {}\nsha256 = \"{hash}\"",
        q(&name),
        q(role)
    ))
}

/// `stdfund token hash` and `stdfund token new`.
pub fn token(command: &TokenCommand) -> ExitCode {
    match command {
        TokenCommand::New { role, name } => new_token(role, name.as_deref()),
        TokenCommand::Hash { name, role } => {
            let mut input = String::new();
            if let Err(e) = std::io::stdin().read_to_string(&mut input) {
                eprintln!("error: cannot read standard input: {e}");
                return ExitCode::from(2);
            }
            let line = match crate::auth::hash_line(&input) {
                Ok(l) => l,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(2);
                }
            };
            match (name, role) {
                (Some(name), Some(role)) => {
                    if crate::auth::Role::parse(role).is_none() {
                        eprintln!("error: role must be portal, reviewer, finance or admin");
                        return ExitCode::from(2);
                    }
                    let q = |s: &str| toml::Value::String(s.to_string()).to_string();
                    crate::output::println(&format!(
                        "[[tokens]]\nname = {}\nrole = {}\n{line}",
                        q(name),
                        q(role)
                    ))
                }
                _ => crate::output::println(&line),
            }
        }
    }
}

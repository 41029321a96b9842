//! `stdfund match` — 免申即享: match published lists against the enterprise
//! register and write the notification list, the review sheet, the summary
//! and draft claims (docs/MATCHING.md).
//!
//! This module only reads files (and, with `--database-url`, the registry's
//! held one-time keys from its store), calls `stdfund_match` and writes
//! files; the matching itself is pure and lives in that crate. Exit status: 0
//! when the match ran, 2 when an input or the registry cannot be read (the
//! file, row and column are named), 1 when an output cannot be written.

use clap::ValueEnum;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use stdfund_match::feed::{self, FeedKind, FeedRecord};
use stdfund_match::report::{self, yuan};
use stdfund_match::{FileFormat, InputError, Matcher, Options, RegisterIndex, output, table};

/// Most input errors printed before the rest are counted only.
const MAX_ERRORS_SHOWN: usize = 20;

/// Flags of `stdfund match`.
#[derive(Debug, Default, clap::Args)]
pub struct MatchArgs {
    /// The enterprise register (企业名录), CSV or XLSX.
    #[arg(long, value_name = "FILE", required_unless_present = "write_templates")]
    pub register: Option<PathBuf>,
    /// A standards publication list (标准发布清单); repeatable.
    #[arg(long, value_name = "FILE")]
    pub standards: Vec<PathBuf>,
    /// An award list (中国标准创新贡献奖 / 福建省标准贡献奖); repeatable.
    #[arg(long, value_name = "FILE")]
    pub awards: Vec<PathBuf>,
    /// A technical-committee secretariat list; repeatable.
    #[arg(long, value_name = "FILE")]
    pub committees: Vec<PathBuf>,
    /// A demonstration / pilot acceptance list; repeatable.
    #[arg(long, value_name = "FILE")]
    pub pilots: Vec<PathBuf>,
    /// A geographical-indication approval list; repeatable.
    #[arg(long, value_name = "FILE")]
    pub gi: Vec<PathBuf>,
    /// One-time keys the registry already holds, one `CREDIT_CODE|ITEM|SUBJECT`
    /// per line (blank lines and `#` comments ignored): an export, for a
    /// match run away from the registry's database.
    #[arg(long, value_name = "FILE")]
    pub held_keys: Option<PathBuf>,
    /// The claim registry's database (`sqlite://PATH` or `postgres://…`):
    /// the keys of its live claims are left out (with `--held-keys`, both).
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
    /// A TOML config file whose `database_url` is the registry (read as
    /// `stdfund migrate` reads it; `--database-url` wins).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The directory to write the outputs to (created if missing).
    #[arg(long, value_name = "DIR", required_unless_present = "write_templates")]
    pub out: Option<PathBuf>,
    /// Output format of the notification list, review and summary.
    #[arg(long, value_enum, default_value_t = OutputFormat::Xlsx)]
    pub format: OutputFormat,
    /// The budget year of the draft claims [default: each achievement's year].
    #[arg(long, value_name = "YEAR")]
    pub year: Option<i32>,
    /// Write one template per feed (XLSX and CSV) into DIR and exit.
    #[arg(long, value_name = "DIR", exclusive = true)]
    pub write_templates: Option<PathBuf>,
}

/// Output formats of `stdfund match`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// XLSX workbooks (the summary with a chart).
    #[default]
    Xlsx,
    /// CSV files, UTF-8 with BOM.
    Csv,
}

impl From<OutputFormat> for FileFormat {
    fn from(f: OutputFormat) -> FileFormat {
        match f {
            OutputFormat::Xlsx => FileFormat::Xlsx,
            OutputFormat::Csv => FileFormat::Csv,
        }
    }
}

/// An input failure: the file and its errors.
struct Unreadable {
    file: String,
    errors: Vec<InputError>,
}

impl Unreadable {
    fn one(path: &Path, error: InputError) -> Unreadable {
        Unreadable {
            file: path.display().to_string(),
            errors: vec![error],
        }
    }

    fn report(&self) -> ExitCode {
        for e in self.errors.iter().take(MAX_ERRORS_SHOWN) {
            eprintln!("error[{}]: {}", e.code, e.display_in(&self.file));
        }
        if self.errors.len() > MAX_ERRORS_SHOWN {
            eprintln!(
                "… 另有{n}处错误 {n} more errors in {}",
                self.file,
                n = self.errors.len().saturating_sub(MAX_ERRORS_SHOWN)
            );
        }
        ExitCode::from(2)
    }
}

fn read_sheets(path: &Path) -> Result<Vec<table::Sheet>, Unreadable> {
    let name = path.display().to_string();
    let format = FileFormat::from_name(&name).ok_or_else(|| {
        Unreadable::one(
            path,
            InputError::file(
                "UNSUPPORTED_FORMAT",
                "只接受 .csv、.xlsx、.xls 文件",
                "only .csv, .xlsx and .xls files are read",
            ),
        )
    })?;
    let bytes = std::fs::read(path).map_err(|e| {
        Unreadable::one(
            path,
            InputError::file(
                "FILE_UNREADABLE",
                format!("无法读取文件:{e}"),
                format!("cannot read the file: {e}"),
            ),
        )
    })?;
    table::read(format, &bytes).map_err(|e| Unreadable::one(path, e))
}

fn read_feed(kind: FeedKind, path: &Path) -> Result<Vec<FeedRecord>, Unreadable> {
    let sheets = read_sheets(path)?;
    feed::read_feed(kind, &sheets).map_err(|errors| Unreadable {
        file: path.display().to_string(),
        errors,
    })
}

fn read_held(path: &Path) -> Result<HashSet<String>, Unreadable> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Unreadable::one(
            path,
            InputError::file(
                "FILE_UNREADABLE",
                format!("无法读取已登记键文件:{e}"),
                format!("cannot read the held-keys file: {e}"),
            ),
        )
    })?;
    Ok(text
        .lines()
        .map(|l| l.trim().trim_start_matches('\u{FEFF}'))
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect())
}

/// The one-time keys the registry's store holds (its live claims), from
/// `--database-url` or the config file's `database_url`; `None` when
/// neither is given.
fn read_registry(args: &MatchArgs) -> Result<Option<(String, HashSet<String>)>, ExitCode> {
    let url = match (&args.config, &args.database_url) {
        (None, None) => return Ok(None),
        (None, Some(url)) => url.clone(),
        (Some(config), _) => {
            let layer = crate::config::Layer {
                database_url: args.database_url.clone(),
                ..crate::config::Layer::default()
            };
            match crate::config::Settings::resolve(Some(config.as_path()), layer) {
                Ok(s) => s.database_url,
                Err(e) => {
                    eprintln!("{}", e.lines());
                    return Err(ExitCode::from(2));
                }
            }
        }
    };
    let shown = crate::config::redact_url(&url);
    let unreadable = |e: &dyn std::fmt::Display| {
        eprintln!(
            "error[REGISTRY_UNREADABLE]: 无法读取登记系统 {shown} — cannot read the registry {shown}: {e}"
        );
        ExitCode::from(2)
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| unreadable(&e))?;
    let options = stdfund_store::OpenOptions {
        create_if_missing: false,
        ..stdfund_store::OpenOptions::default()
    };
    let keys = rt.block_on(async {
        let store = stdfund_store::AnyStore::open(&url, &options).await?;
        let keys = store.held_keys().await;
        store.close().await;
        keys
    });
    match keys {
        Ok(k) => Ok(Some((shown, k.into_iter().collect()))),
        Err(e) => Err(unreadable(&e)),
    }
}

fn write_files(dir: &Path, files: &[output::OutputFile]) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create `{}`: {e}", dir.display()))?;
    for f in files {
        let path = dir.join(&f.name);
        std::fs::write(&path, &f.bytes)
            .map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
    }
    Ok(())
}

/// Runs `stdfund match`.
pub fn run(args: &MatchArgs) -> ExitCode {
    if let Some(dir) = &args.write_templates {
        return write_templates(dir);
    }
    let (Some(register), Some(out)) = (&args.register, &args.out) else {
        eprintln!("error: --register and --out are required");
        return ExitCode::from(2);
    };
    if let Some(y) = args.year
        && !(2016..=9999).contains(&y)
    {
        eprintln!(
            "error[INVALID_YEAR]: --year {y}: 预算年度须在2016至9999之间 the budget year must be 2016–9999"
        );
        return ExitCode::from(2);
    }
    let feeds: Vec<(FeedKind, &PathBuf)> = [
        (FeedKind::Standards, &args.standards),
        (FeedKind::Awards, &args.awards),
        (FeedKind::Committees, &args.committees),
        (FeedKind::Pilots, &args.pilots),
        (FeedKind::GeographicalIndications, &args.gi),
    ]
    .iter()
    .flat_map(|(k, paths)| paths.iter().map(move |p| (*k, p)))
    .collect();
    if feeds.is_empty() {
        eprintln!(
            "error: 至少需要一份清单 give at least one list: --standards, --awards, --committees, --pilots or --gi"
        );
        return ExitCode::from(2);
    }
    let enterprises = match read_sheets(register).and_then(|sheets| {
        feed::read_register(&sheets).map_err(|errors| Unreadable {
            file: register.display().to_string(),
            errors,
        })
    }) {
        Ok(e) => e,
        Err(u) => return u.report(),
    };
    let mut held = match &args.held_keys {
        Some(p) => match read_held(p) {
            Ok(h) => h,
            Err(u) => return u.report(),
        },
        None => HashSet::new(),
    };
    let registry = match read_registry(args) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let registry_keys = registry
        .as_ref()
        .map(|(shown, keys)| (shown.clone(), keys.len()));
    if let Some((_, keys)) = registry {
        held.extend(keys);
    }
    let mut records = Vec::with_capacity(feeds.len());
    for (kind, path) in &feeds {
        match read_feed(*kind, path) {
            Ok(r) => records.push((path.display().to_string(), r)),
            Err(u) => return u.report(),
        }
    }
    let register_rows = enterprises.len();
    let index = RegisterIndex::build(enterprises);
    for (first, dup) in index.duplicate_codes() {
        if let (Some(a), Some(b)) = (index.get(*first), index.get(*dup)) {
            eprintln!(
                "warning[DUPLICATE_CREDIT_CODE]: {}: 第{}行与第{}行信用代码相同 rows {} and {} share the credit code {}; the first keeps it",
                register.display(),
                a.row,
                b.row,
                a.row,
                b.row,
                a.credit_code
            );
        }
    }
    let mut matcher = Matcher::new(&index);
    for (source, rows) in &records {
        let source = Path::new(source)
            .file_name()
            .map_or_else(|| source.clone(), |n| n.to_string_lossy().into_owned());
        for r in rows {
            matcher.push(&source, r);
        }
    }
    let options = Options {
        year: args.year,
        today: china_today(),
    };
    let report = matcher.finish(&|k| held.contains(k.as_str()), &options);
    let files = match output::write_all(&report, &index, args.format.into()) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error[{}]: {e}", e.code());
            return ExitCode::from(1);
        }
    };
    if let Err(e) = write_files(out, &files) {
        eprintln!("错误[OUTPUT_UNWRITABLE]:无法写出匹配结果({e})\nerror[OUTPUT_UNWRITABLE]: {e}");
        return ExitCode::from(1);
    }
    print_summary(&report, register_rows, out, &files);
    if let Some((shown, n)) = registry_keys {
        println!("  登记系统已有键 Keys held by the registry ({shown}): {n}");
    }
    ExitCode::SUCCESS
}

fn print_summary(
    report: &stdfund_match::MatchReport,
    register_rows: usize,
    out: &Path,
    files: &[output::OutputFile],
) {
    let s = report::stats(report);
    println!("免申即享匹配完成 Match complete");
    let mut read = vec![format!("企业名录 register {register_rows}")];
    for (kind, n) in &s.rows {
        let l = kind.layout();
        read.push(format!("{} {} {n}", l.title_zh, l.file_stem));
    }
    println!("  读取行数 Rows read: {}", read.join("; "));
    let outcomes: Vec<String> = s.outcomes.iter().map(|(c, n)| format!("{c} {n}")).collect();
    println!(
        "  清单所列单位 Units named: {} ({})",
        s.mentions,
        outcomes.join(", ")
    );
    println!(
        "  应通知企业 Enterprises to notify: {}; 预填申报 Draft claims: {}; 预计金额 Estimated total: {} 元 yuan",
        s.enterprises_notified,
        s.payable_lines,
        yuan(s.total)
    );
    println!(
        "  待复核 For review: {}; 不予提示 Not payable: {}; 已登记排除 Already held: {}",
        s.review, s.not_payable, s.already_held
    );
    let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    println!("  输出 Written to {}: {}", out.display(), names.join(", "));
    println!(
        "  匹配结果只是供审核的建议,不是支付决定 A match is a proposal for a reviewer, never a payment."
    );
}

fn write_templates(dir: &Path) -> ExitCode {
    let mut files = Vec::new();
    for format in [FileFormat::Xlsx, FileFormat::Csv] {
        match output::templates(format) {
            Ok(f) => files.extend(f),
            Err(e) => {
                eprintln!("error[{}]: {e}", e.code());
                return ExitCode::from(1);
            }
        }
    }
    if let Err(e) = write_files(dir, &files) {
        eprintln!("错误[OUTPUT_UNWRITABLE]:无法写出匹配结果({e})\nerror[OUTPUT_UNWRITABLE]: {e}");
        return ExitCode::from(1);
    }
    let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    println!(
        "已写入模板 Templates written to {}: {}",
        dir.display(),
        names.join(", ")
    );
    ExitCode::SUCCESS
}

/// Today in China from this machine's clock (`None` if the clock is unreadable:
/// then no line is held back for its date, and the registry still refuses a
/// future one when the draft is submitted).
pub(crate) fn china_today() -> Option<stdfund_rules::date::Date> {
    stdfund_store::Timestamp::now()
        .ok()
        .map(|now| now.china_date())
}

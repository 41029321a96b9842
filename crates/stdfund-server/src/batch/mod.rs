//! `stdfund estimate --batch`: many applications in one run.
//!
//! Input: NDJSON (one `EstimateRequest` per line; blank lines skipped but
//! counted), or a CSV / XLSX sheet in the batch layout ([`layout`]: one row
//! per achievement, rows grouped into applications by credit code). Output:
//! NDJSON — per application the canonical answer that `stdfund estimate`
//! prints for it, byte for byte, or per bad line / row the error object
//! `{"error":{…}}` of `--error-format json` with its `"line"` or `"row"`
//! beside — or CSV / XLSX tables ([`tables`]: lines, units with the
//! provisional split, a summary).
//!
//! NDJSON streams in parts of 64 lines through three stages: a reader thread,
//! one estimating thread per core taking parts as they come, and a writer
//! that puts the answers back in input order. Sheets are estimated on every
//! core (rayon) in chunks, in order.
//! A progress bar appears on standard error after a second when it is a
//! terminal. Exit status: 0 every row answered, 1 some rows were errors (or
//! the output could not be written), 2 the input could not be read.

pub mod eval;
pub mod layout;
pub mod sheet;
pub mod tables;

use crate::output::{self, ErrorFormat};
use rayon::prelude::*;
use std::io::{BufRead, BufReader, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;
use stdfund_rules::ErrorReport;
use stdfund_rules::domain::{Amounts, LineStatus};
use stdfund_rules::json::dto::View;
use stdfund_rules::money::Money;
use stdfund_rules::reasons::ReasonCode;

/// NDJSON lines read, estimated and written together: a part.
const PART: usize = 256;

/// A part also ends once it holds this many bytes of input, so that a few
/// long lines do not make a part (and the parts in flight) large.
const PART_BYTES: usize = 1 << 20;

/// The longest NDJSON line read: 16 MiB. The largest request within the
/// engine's limits (200 achievements of 20 funding entries, every text at
/// its 200 characters, each written as an escaped surrogate pair) is 10.3
/// MiB; a longer line is answered `LINE_TOO_LONG` and read past without
/// being held in memory (docs/DECISIONS.md D21).
pub const MAX_LINE_BYTES: usize = 16 << 20;

/// Flags of `stdfund estimate` for batches.
#[derive(Debug, Default, clap::Args)]
pub struct BatchArgs {
    /// Estimate many applications: FILE (or `-`, standard input) is NDJSON
    /// (one application per line) or a CSV/XLSX sheet of achievements, one
    /// row each, grouped by credit code (docs/BATCH.md).
    #[arg(long)]
    pub batch: bool,
    /// The batch input's format [default: from FILE's extension; NDJSON on
    /// standard input].
    #[arg(long, value_enum, value_name = "FORMAT", requires = "batch")]
    pub input_format: Option<BatchFormat>,
    /// Write the batch's answers to FILE (`.ndjson`, `.csv`, `.xlsx`)
    /// instead of standard output.
    #[arg(long, value_name = "FILE", requires = "batch")]
    pub output: Option<PathBuf>,
    /// The batch output's format [default: from --output's extension, else
    /// NDJSON].
    #[arg(long, value_enum, value_name = "FORMAT", requires = "batch")]
    pub output_format: Option<BatchFormat>,
    /// The answers' view: `full`, or `summary` (amounts and codes, no
    /// explanations) [default: each request's own view].
    #[arg(long, value_enum, requires = "batch")]
    pub view: Option<ViewArg>,
    /// Write an empty batch template to FILE (`.xlsx` with notes and the
    /// items and variants, or `.csv`) and exit.
    #[arg(long, value_name = "FILE", conflicts_with = "batch")]
    pub batch_template: Option<PathBuf>,
}

/// Batch file formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum BatchFormat {
    /// One JSON document per line.
    Ndjson,
    /// Comma-separated values: written in UTF-8; read in UTF-8 or GB 18030.
    Csv,
    /// An Office Open XML workbook (.xlsx): written as .xlsx; read from
    /// .xlsx, .xlsb or .xls (ODS is refused).
    Xlsx,
}

impl BatchFormat {
    /// The format a file name's extension says.
    pub fn of_path(path: &Path) -> Option<BatchFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "ndjson" | "jsonl" | "json" => Some(BatchFormat::Ndjson),
            "csv" | "txt" => Some(BatchFormat::Csv),
            "xlsx" | "xlsm" | "xls" | "ods" => Some(BatchFormat::Xlsx),
            _ => None,
        }
    }

    /// The format a file of this name is written in: only the extensions
    /// whose format is what gets written (`.ods`, `.xls` or `.txt` would get
    /// bytes of another format under their name).
    pub fn of_output_path(path: &Path) -> Option<BatchFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "ndjson" | "jsonl" | "json" => Some(BatchFormat::Ndjson),
            "csv" => Some(BatchFormat::Csv),
            "xlsx" => Some(BatchFormat::Xlsx),
            _ => None,
        }
    }
}

/// Whether `output` is the file the batch reads (`None`/`-`: standard
/// input): writing it would destroy the applications before they are read.
fn output_is_input(file: Option<&str>, output: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let input = match file {
        None | Some("-") => Path::new("/dev/stdin"),
        Some(p) => Path::new(p),
    };
    match (std::fs::metadata(input), std::fs::metadata(output)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// `--view`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ViewArg {
    /// Everything, with the Chinese and English explanations.
    Full,
    /// Amounts, statuses, codes and the receipt; no prose.
    Summary,
}

/// Where an item of the batch is in its input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Loc {
    /// A line of NDJSON (1-based).
    Line(u64),
    /// A spreadsheet row (1-based, as the spreadsheet numbers it).
    Row(u32),
}

impl Loc {
    /// The number.
    pub fn number(self) -> u64 {
        match self {
            Loc::Line(n) => n,
            Loc::Row(n) => u64::from(n),
        }
    }

    /// The key the NDJSON error object gives it: `line` or `row`.
    pub fn key(self) -> &'static str {
        match self {
            Loc::Line(_) => "line",
            Loc::Row(_) => "row",
        }
    }
}

/// What a table shows of a row that could not be estimated.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Echo {
    /// Unit name.
    pub name: String,
    /// Credit code as typed.
    pub credit_code: String,
    /// Achievement id.
    pub achievement_id: String,
    /// Item as typed.
    pub item: String,
    /// Variant as typed.
    pub variant: String,
    /// Subject as typed.
    pub subject: String,
    /// Date as typed.
    pub date: String,
    /// The value the refused field was probably meant to be, when the
    /// engine offers one (written last in the error object, as
    /// `stdfund estimate --error-format json` and WASM write it).
    pub meant: Option<String>,
}

/// A line or row that could not be estimated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    /// Where.
    pub loc: Loc,
    /// The error, as `--error-format json` writes it.
    pub report: ErrorReport,
    /// What is known of the row.
    pub echo: Box<Echo>,
}

/// What to compute per application.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Want {
    /// The canonical answer JSON (NDJSON output).
    pub json: bool,
    /// The typed rows (CSV / XLSX output).
    pub table: bool,
    /// A view that overrides the request's.
    pub view: Option<View>,
}

/// A share table an application used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShareOut {
    /// Table id.
    pub id: String,
    /// Table version.
    pub version: String,
    /// Whether the ratios are provisional (暂定).
    pub provisional: bool,
    /// The district ratio applied.
    pub ratio: String,
}

/// One answered line, typed, for the tables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineOut {
    /// Achievement id.
    pub achievement_id: String,
    /// Item id.
    pub item: String,
    /// Item name, Chinese.
    pub item_zh: String,
    /// Variant id.
    pub variant: String,
    /// Variant name, Chinese.
    pub variant_zh: String,
    /// The deciding clause.
    pub clause: String,
    /// The canonical subject.
    pub subject: String,
    /// The subject as typed.
    pub subject_as_given: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Status.
    pub status: LineStatus,
    /// Reason.
    pub reason: ReasonCode,
    /// Amounts.
    pub amounts: Amounts,
    /// `id version` of the split's share table.
    pub share_table: String,
    /// Whether that table is provisional.
    pub provisional: bool,
    /// Explanation, Chinese (empty in the summary view).
    pub explanation_zh: String,
    /// Explanation, English (empty in the summary view).
    pub explanation_en: String,
    /// The registry's one-time key.
    pub one_time_key: String,
}

/// One answered application, typed, for the tables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppOut {
    /// Credit code, upper case.
    pub credit_code: String,
    /// Whether its check character matched.
    pub check_passed: bool,
    /// Unit name.
    pub name: String,
    /// Seat as given.
    pub seat: String,
    /// Fiscal unit code (empty outside the jurisdiction).
    pub fiscal_unit: String,
    /// Its Chinese name.
    pub fiscal_unit_zh: String,
    /// Its English name.
    pub fiscal_unit_en: String,
    /// Total payable.
    pub total: Money,
    /// Municipal share of the total.
    pub municipal_share: Money,
    /// District share of the total.
    pub district_share: Money,
    /// Share tables used.
    pub share_tables: Vec<ShareOut>,
    /// Warnings: code, Chinese, English.
    pub warnings: Vec<(String, String, String)>,
    /// Lines, in input order.
    pub lines: Vec<LineOut>,
}

/// An application's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answered {
    /// Where the application starts.
    pub first: Loc,
    /// The canonical answer JSON (empty unless wanted).
    pub json: String,
    /// The typed answer (unless only JSON is wanted).
    pub app: Option<AppOut>,
    /// Where each line came from (when typed).
    pub locs: Vec<Loc>,
}

/// What became of one item of the batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// Rows or lines that failed, in input order.
    pub errors: Vec<RowError>,
    /// The answer for the rest, if any.
    pub answer: Option<Answered>,
}

/// An NDJSON error line: `{"error":{…},"line":N}` (or `"row"`), the error
/// object exactly as `--error-format json` prints it.
pub fn error_line(e: &RowError) -> String {
    let mut s = output::error_json_meant(&e.report, e.echo.meant.as_deref());
    if s.ends_with('}') {
        s.pop();
        s.push_str(&format!(",\"{}\":{}}}", e.loc.key(), e.loc.number()));
    }
    s
}

/// Shows progress on standard error once a run has taken a second, and only
/// when standard error is a terminal: a spinner while a spreadsheet is read
/// (it ticks on its own thread, so it moves while the reader works), then a
/// bar over the input's bytes (NDJSON from a file) or its applications.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    done: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Progress {
    /// Starts the clock; nothing is drawn for the first second.
    fn start() -> Progress {
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        if !std::io::stderr().is_terminal() {
            return Progress { bar: None, done };
        }
        let bar =
            indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::hidden());
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{elapsed_precise} {spinner} {msg}")
        {
            bar.set_style(style);
        }
        bar.set_message("读取中 reading");
        bar.enable_steady_tick(Duration::from_millis(120));
        let shown = bar.clone();
        let finished = std::sync::Arc::clone(&done);
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_secs(1));
            if !finished.load(std::sync::atomic::Ordering::SeqCst) {
                shown.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            }
        });
        Progress {
            bar: Some(bar),
            done,
        }
    }

    /// From here on, progress over `len` units (0: unknown, a count only).
    fn estimating(&self, len: u64) {
        let Some(bar) = &self.bar else { return };
        let template = if len > 0 {
            bar.set_length(len);
            "{elapsed_precise} [{bar:40}] {percent}% {msg}"
        } else {
            "{elapsed_precise} {spinner} {msg}"
        };
        if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message("测算中 estimating");
    }

    fn set(&self, pos: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(pos);
        }
    }

    fn finish(&self) {
        self.done.store(true, std::sync::atomic::Ordering::SeqCst);
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Counts of a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Applications answered.
    pub answered: u64,
    /// Rows or lines in error.
    pub errors: u64,
}

impl Counts {
    fn add(&mut self, answered: usize, errors: usize) {
        let count = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
        self.answered = self.answered.saturating_add(count(answered));
        self.errors = self.errors.saturating_add(count(errors));
    }
}

/// The NDJSON output: a file or standard output.
type NdjsonOut = std::io::BufWriter<Box<dyn Write + Send>>;

/// Where the answers go.
enum Sink {
    Ndjson { out: NdjsonOut, closed: bool },
    Table(Box<tables::Tables>),
}

/// An output failure (status 1).
struct OutputFailed(String);

impl Sink {
    fn push(&mut self, outcome: Outcome, counts: &mut Counts) -> Result<(), OutputFailed> {
        counts.add(usize::from(outcome.answer.is_some()), outcome.errors.len());
        match self {
            Sink::Ndjson { out, closed } => write_ndjson(out, closed, |out| {
                for e in &outcome.errors {
                    out.write_all(error_line(e).as_bytes())?;
                    out.write_all(b"\n")?;
                }
                if let Some(a) = &outcome.answer {
                    out.write_all(a.json.as_bytes())?;
                    out.write_all(b"\n")?;
                }
                Ok(())
            }),
            Sink::Table(t) => t.push(outcome).map_err(OutputFailed),
        }
    }

    fn finish(self) -> Result<(), OutputFailed> {
        match self {
            Sink::Ndjson { mut out, closed } => match out.flush() {
                Ok(()) => Ok(()),
                Err(_) if closed => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                Err(e) => Err(OutputFailed(format!("cannot write the answers: {e}"))),
            },
            Sink::Table(t) => t.finish().map_err(OutputFailed),
        }
    }
}

/// Writes to the NDJSON output unless its reader went away (`… | head`):
/// then it stops writing quietly.
fn write_ndjson(
    out: &mut NdjsonOut,
    closed: &mut bool,
    write: impl FnOnce(&mut NdjsonOut) -> std::io::Result<()>,
) -> Result<(), OutputFailed> {
    if *closed {
        return Ok(());
    }
    match write(out) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            *closed = true;
            Ok(())
        }
        Err(e) => Err(OutputFailed(format!("cannot write the answers: {e}"))),
    }
}

/// `answers.csv` + `units` → `answers.units.csv`.
pub fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = path
        .extension()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "csv".into());
    path.with_file_name(format!("{stem}.{suffix}.{ext}"))
}

fn unreadable(code: &str, zh: String, en: String) -> ErrorReport {
    ErrorReport {
        code: code.into(),
        field: String::new(),
        message_zh: zh,
        message_en: en,
    }
}

fn source_names(file: Option<&str>) -> (String, String) {
    match file {
        None | Some("-") => ("标准输入".into(), "standard input".into()),
        Some(p) => (format!("文件`{p}`"), format!("`{p}`")),
    }
}

/// Why a file could not be opened, in Chinese.
fn io_zh(e: &std::io::Error) -> &'static str {
    match e.kind() {
        std::io::ErrorKind::NotFound => "文件不存在",
        std::io::ErrorKind::PermissionDenied => "没有读取权限",
        std::io::ErrorKind::IsADirectory => "这是一个目录,不是文件",
        _ => "读取失败",
    }
}

fn open_input(file: Option<&str>) -> Result<(Box<dyn Read + Send>, u64), ErrorReport> {
    match file {
        None | Some("-") => Ok((Box::new(std::io::stdin()), 0)),
        Some(path) => {
            let (zh, en) = source_names(file);
            let fail = |e: std::io::Error| {
                unreadable(
                    "INPUT_UNREADABLE",
                    format!("无法读取{zh}:{}", io_zh(&e)),
                    format!("cannot read {en}: {e}"),
                )
            };
            let f = std::fs::File::open(path).map_err(fail)?;
            let meta = f.metadata().map_err(fail)?;
            if meta.is_dir() {
                return Err(unreadable(
                    "INPUT_UNREADABLE",
                    format!("无法读取{zh}:这是一个目录,不是文件"),
                    format!("cannot read {en}: it is a directory"),
                ));
            }
            Ok((Box::new(f), meta.len()))
        }
    }
}

/// Runs `stdfund estimate --batch` (or `--batch-template`).
pub fn run(file: Option<&str>, args: &BatchArgs, errors: ErrorFormat) -> ExitCode {
    if let Some(path) = &args.batch_template {
        return write_template(path, errors);
    }
    let input_format = match (args.input_format, file) {
        (Some(f), _) => f,
        (None, None | Some("-")) => BatchFormat::Ndjson,
        (None, Some(p)) => match BatchFormat::of_path(Path::new(p)) {
            Some(f) => f,
            None => {
                return output::fail(
                    &unreadable(
                        "UNSUPPORTED_FORMAT",
                        format!(
                            "无法从文件名`{p}`判断格式:请用 .ndjson、.csv、.xlsx,或加 --input-format"
                        ),
                        format!(
                            "cannot tell the format of `{p}` from its name: use .ndjson, .csv or .xlsx, or give --input-format"
                        ),
                    ),
                    errors,
                );
            }
        },
    };
    if let Some(out) = &args.output
        && output_is_input(file, out)
    {
        return output::fail(
            &unreadable(
                "OUTPUT_IS_INPUT",
                format!(
                    "输出文件`{}`就是输入文件:写出结果会覆盖待测算的申请。请用另一个文件名保存结果",
                    out.display()
                ),
                format!(
                    "the output `{}` is the input file: writing the answers would destroy the applications; give another file name",
                    out.display()
                ),
            ),
            errors,
        );
    }
    let output_format = match (args.output_format, &args.output) {
        (Some(f), _) => f,
        (None, None) => BatchFormat::Ndjson,
        (None, Some(p)) => match BatchFormat::of_output_path(p) {
            Some(f) => f,
            None => {
                return output::fail(
                    &unreadable(
                        "UNSUPPORTED_FORMAT",
                        format!(
                            "无法从文件名`{}`判断输出格式:请用 .ndjson、.csv、.xlsx,或加 --output-format",
                            p.display()
                        ),
                        format!(
                            "cannot tell the output format of `{}` from its name: use .ndjson, .csv or .xlsx, or give --output-format",
                            p.display()
                        ),
                    ),
                    errors,
                );
            }
        },
    };
    let want = Want {
        json: output_format == BatchFormat::Ndjson,
        table: output_format != BatchFormat::Ndjson,
        view: args.view.map(|v| match v {
            ViewArg::Full => View::Full,
            ViewArg::Summary => View::Summary,
        }),
    };
    let progress = Progress::start();
    let (input, len) = match open_input(file) {
        Ok(x) => x,
        Err(r) => {
            progress.finish();
            return output::fail(&r, errors);
        }
    };
    // A spreadsheet is read whole first: an unreadable one writes nothing.
    let source = match input_format {
        BatchFormat::Ndjson => Source::Lines(input, len),
        BatchFormat::Csv | BatchFormat::Xlsx => match read_sheet(input, file, input_format) {
            Ok(entries) => Source::Entries(entries),
            Err(r) => return output::fail(&r, errors),
        },
    };
    let sink = match open_sink(output_format, args.output.as_deref()) {
        Ok(s) => s,
        Err(OutputFailed(m)) => {
            progress.finish();
            return output_failed(&m);
        }
    };
    let result = match source {
        Source::Lines(input, len) => run_ndjson(input, len, want, sink, &progress),
        Source::Entries(entries) => run_entries(&entries, want, sink, &progress),
    };
    progress.finish();
    let (sink, counts) = match result {
        Ok(x) => x,
        Err(Failure::Input(r)) => return output::fail(&r, errors),
        Err(Failure::Output(OutputFailed(m))) => return output_failed(&m),
    };
    if let Err(OutputFailed(m)) = sink.finish() {
        return output_failed(&m);
    }
    if std::io::stderr().is_terminal() {
        output::eprint_line(&format!(
            "已测算{}份申请,{}处错误 {} applications answered, {} rows in error",
            counts.answered, counts.errors, counts.answered, counts.errors
        ));
    }
    if counts.errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The input, ready to be estimated.
enum Source {
    /// NDJSON, read line by line; its length in bytes when known.
    Lines(Box<dyn Read + Send>, u64),
    /// A spreadsheet, read whole into applications.
    Entries(Vec<sheet::Entry>),
}

/// Opens the output: NDJSON to a file or standard output, or the tables.
fn open_sink(format: BatchFormat, output: Option<&Path>) -> Result<Sink, OutputFailed> {
    match format {
        BatchFormat::Ndjson => {
            let target: Box<dyn Write + Send> =
                match output {
                    Some(p) => Box::new(std::fs::File::create(p).map_err(|e| {
                        OutputFailed(format!("cannot write `{}`: {e}", p.display()))
                    })?),
                    None => Box::new(std::io::stdout()),
                };
            Ok(Sink::Ndjson {
                out: std::io::BufWriter::with_capacity(1 << 16, target),
                closed: false,
            })
        }
        BatchFormat::Csv | BatchFormat::Xlsx => Ok(Sink::Table(Box::new(
            tables::Tables::new(format, output).map_err(OutputFailed)?,
        ))),
    }
}

fn output_failed(m: &str) -> ExitCode {
    output::eprint_line(&format!(
        "错误[OUTPUT_UNWRITABLE]:无法写出结果({m})\nerror[OUTPUT_UNWRITABLE]: {m}"
    ));
    ExitCode::from(1)
}

/// Why a run stopped.
enum Failure {
    /// The input could not be read (status 2).
    Input(ErrorReport),
    /// The output could not be written (status 1).
    Output(OutputFailed),
}

impl From<OutputFailed> for Failure {
    fn from(e: OutputFailed) -> Failure {
        Failure::Output(e)
    }
}

/// Lines of NDJSON input read in one go: their bytes one after another, and
/// each line's number (counting blank lines) and range in them, without its
/// line end. Recycled between the reader and the estimating threads.
#[derive(Default)]
struct Lines {
    bytes: Vec<u8>,
    lines: Vec<(u64, Line)>,
    /// Bytes of the input read up to the end of these lines.
    read: u64,
}

/// A line of a part: its range in the part's bytes, or, for a line longer
/// than [`MAX_LINE_BYTES`], its length (it was skipped, not kept).
enum Line {
    Text(std::ops::Range<usize>),
    TooLong(u64),
}

impl Lines {
    fn line(&self, range: &std::ops::Range<usize>) -> &[u8] {
        self.bytes.get(range.clone()).unwrap_or_default()
    }
}

/// The error answering a line longer than [`MAX_LINE_BYTES`].
fn line_too_long(number: u64, len: u64) -> ErrorReport {
    ErrorReport {
        code: "LINE_TOO_LONG".into(),
        field: String::new(),
        message_zh: format!(
            "第{number}行长{len}字节,超过每行{MAX_LINE_BYTES}字节(16 MiB)的上限,未读取;每行只放一个申请"
        ),
        message_en: format!(
            "line {number} is {len} bytes long, over the limit of {MAX_LINE_BYTES} bytes (16 MiB) a line; it was not read (one application a line)"
        ),
    }
}

/// Reads past the rest of a line (through its `\n`, or to the end of the
/// input) without keeping it; the bytes passed, and whether they ended with
/// the `\n`.
fn skip_line(reader: &mut impl BufRead) -> std::io::Result<(u64, bool)> {
    let mut skipped: u64 = 0;
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok((skipped, false));
        }
        let (used, end) = match buf.iter().position(|b| *b == b'\n') {
            Some(i) => (i.saturating_add(1), true),
            None => (buf.len(), false),
        };
        reader.consume(used);
        skipped = skipped.saturating_add(u64::try_from(used).unwrap_or(u64::MAX));
        if end {
            return Ok((skipped, true));
        }
    }
}

/// What the reader hands on, numbered in input order: the next part of the
/// input, the read error that ends it, or its end.
enum ReadPart {
    Lines(u64, Lines),
    Failed(u64, ErrorReport),
    End(u64),
}

/// A part estimated: its number, the input read up to its end, and its
/// answers (or the read error that ends the input there).
struct DonePart {
    seq: u64,
    read: u64,
    answers: Result<PartAnswers, ErrorReport>,
}

/// A part's answers: for NDJSON output one text of answer and error lines
/// with its counts; for tables the outcomes; or the end of the input.
enum PartAnswers {
    Text {
        text: String,
        answered: usize,
        lines: usize,
    },
    Outcomes(Vec<Outcome>),
    End,
}

/// Buffers passed back for reuse (the input parts' and the answer texts),
/// so that a long run neither allocates per part nor touches fresh memory.
type Pool<T> = std::sync::Arc<std::sync::Mutex<Vec<T>>>;

fn take<T: Default>(pool: &Pool<T>) -> T {
    pool.lock()
        .ok()
        .and_then(|mut p| p.pop())
        .unwrap_or_default()
}

fn give<T>(pool: &Pool<T>, item: T) {
    if let Ok(mut p) = pool.lock() {
        p.push(item);
    }
}

/// The reader thread: reads [`PART`] non-blank lines at a time and sends
/// them on, numbered, then the end. A read error ends the input with that
/// error; the lines of the unfinished part are not sent (they are not
/// answered). It stops when nobody estimates any more.
fn read_parts(
    input: Box<dyn Read + Send>,
    parts: &std::sync::mpsc::SyncSender<ReadPart>,
    spare: &Pool<Lines>,
) {
    const BOM: &[u8] = b"\xEF\xBB\xBF";
    let mut reader = BufReader::with_capacity(1 << 20, input);
    let mut number: u64 = 0;
    let mut read: u64 = 0;
    let mut seq: u64 = 0;
    // Bytes read of one line at most: one more than a line may have.
    let limit = u64::try_from(MAX_LINE_BYTES)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    loop {
        let mut part = take(spare);
        part.bytes.clear();
        part.lines.clear();
        let mut eof = false;
        while part.lines.len() < PART && part.bytes.len() < PART_BYTES {
            let first = part.bytes.len();
            let n = match (&mut reader)
                .take(limit)
                .read_until(b'\n', &mut part.bytes)
                .and_then(|n| {
                    // A line that fills the limit without ending is too long:
                    // the rest of it is skipped, not kept.
                    let len = u64::try_from(n).unwrap_or(u64::MAX);
                    if len < limit || part.bytes.last() == Some(&b'\n') {
                        return Ok((n, None));
                    }
                    part.bytes.truncate(first);
                    let (rest, ended) = skip_line(&mut reader)?;
                    Ok((n, Some((len.saturating_add(rest), ended))))
                }) {
                Ok(n) => n,
                Err(e) => {
                    let line = number.saturating_add(1);
                    // Nobody may be estimating any more; then nobody needs
                    // the error either.
                    let _ = parts.send(ReadPart::Failed(
                        seq,
                        unreadable(
                            "INPUT_UNREADABLE",
                            format!("读取第{line}行时失败"),
                            format!("cannot read line {line}: {e}"),
                        ),
                    ));
                    return;
                }
            };
            let (n, too_long) = n;
            if n == 0 {
                eof = true;
                break;
            }
            read = read.saturating_add(u64::try_from(n).unwrap_or(0));
            number = number.saturating_add(1);
            if let Some((len, ended)) = too_long {
                read = read.saturating_add(len.saturating_sub(u64::try_from(n).unwrap_or(0)));
                // Its length without the line end, as a line is counted.
                let text = len.saturating_sub(u64::from(ended));
                part.lines.push((number, Line::TooLong(text)));
                continue;
            }
            let mut end = part.bytes.len();
            for ending in [b'\n', b'\r'] {
                if end > first && part.bytes.get(end.saturating_sub(1)) == Some(&ending) {
                    end = end.saturating_sub(1);
                }
            }
            let mut start = first;
            if number == 1 && part.line(&(start..end)).starts_with(BOM) {
                start = start.saturating_add(BOM.len());
            }
            if part.line(&(start..end)).iter().all(u8::is_ascii_whitespace) {
                part.bytes.truncate(first);
                continue;
            }
            part.lines.push((number, Line::Text(start..end)));
        }
        part.read = read;
        if !part.lines.is_empty() {
            if parts.send(ReadPart::Lines(seq, part)).is_err() {
                return;
            }
            seq = seq.saturating_add(1);
        }
        if eof {
            let _ = parts.send(ReadPart::End(seq));
            return;
        }
    }
}

/// An estimating thread: takes parts as they come, answers each (into a
/// text from `texts` when the output is NDJSON, else as outcomes) and hands
/// it to the writer. Ends when the input is done or the writer stopped.
fn estimate_parts(
    parts: &std::sync::Mutex<std::sync::mpsc::Receiver<ReadPart>>,
    done: &std::sync::mpsc::SyncSender<DonePart>,
    want: Want,
    spare: &Pool<Lines>,
    texts: Option<&Pool<String>>,
) {
    loop {
        // The lock is held while waiting: the other estimating threads wait
        // for it instead of for the channel, which is the same.
        let next = match parts.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let part = match next {
            Ok(ReadPart::Lines(seq, lines)) => {
                let answers = if let Some(texts) = texts {
                    let mut text = take(texts);
                    text.clear();
                    let answered = lines
                        .lines
                        .iter()
                        .filter(|(n, line)| match line {
                            Line::Text(range) => {
                                eval::line_into(*n, lines.line(range), want.view, &mut text)
                            }
                            Line::TooLong(len) => {
                                eval::error_into(*n, line_too_long(*n, *len), None, &mut text);
                                false
                            }
                        })
                        .count();
                    PartAnswers::Text {
                        text,
                        answered,
                        lines: lines.lines.len(),
                    }
                } else {
                    PartAnswers::Outcomes(
                        lines
                            .lines
                            .iter()
                            .map(|(n, line)| match line {
                                Line::Text(range) => eval::line(*n, lines.line(range), want),
                                Line::TooLong(len) => {
                                    eval::error(*n, line_too_long(*n, *len), None)
                                }
                            })
                            .collect(),
                    )
                };
                let read = lines.read;
                give(spare, lines);
                DonePart {
                    seq,
                    read,
                    answers: Ok(answers),
                }
            }
            Ok(ReadPart::Failed(seq, report)) => DonePart {
                seq,
                read: 0,
                answers: Err(report),
            },
            Ok(ReadPart::End(seq)) => DonePart {
                seq,
                read: 0,
                answers: Ok(PartAnswers::End),
            },
            // The input is done.
            Err(_) => return,
        };
        if done.send(part).is_err() {
            // The writer stopped (its output failed).
            return;
        }
    }
}

/// Reads NDJSON line by line and answers in input order, in three stages
/// that never wait for one another's slowest item: a reader thread cuts the
/// input into parts of [`PART`] lines, one estimating thread per core answers
/// parts as they come, and this thread puts the answered parts back in order
/// and writes them. Memory is bounded by the parts in flight.
fn run_ndjson(
    input: Box<dyn Read + Send>,
    len: u64,
    want: Want,
    mut sink: Sink,
    progress: &Progress,
) -> Result<(Sink, Counts), Failure> {
    progress.estimating(len);
    let workers = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let in_flight = workers.saturating_mul(4);
    let spare: Pool<Lines> = Pool::default();
    // NDJSON output is answered into reused texts; tables take outcomes.
    let texts: Option<Pool<String>> = matches!(sink, Sink::Ndjson { .. }).then(Pool::default);
    let (parts_tx, parts_rx) = std::sync::mpsc::sync_channel(in_flight);
    let (done_tx, done_rx) = std::sync::mpsc::sync_channel(in_flight);
    // Not scoped: if the output fails, the run ends without waiting for the
    // reader (it may be blocked on a terminal's standard input) or for the
    // estimating threads (they end at their next send).
    let reader_spare = std::sync::Arc::clone(&spare);
    std::thread::spawn(move || read_parts(input, &parts_tx, &reader_spare));
    let parts_rx = std::sync::Arc::new(std::sync::Mutex::new(parts_rx));
    for _ in 0..workers {
        let (parts, done) = (std::sync::Arc::clone(&parts_rx), done_tx.clone());
        let (spare, texts) = (std::sync::Arc::clone(&spare), texts.clone());
        std::thread::spawn(move || estimate_parts(&parts, &done, want, &spare, texts.as_ref()));
    }
    drop(done_tx);
    let mut counts = Counts::default();
    let mut next: u64 = 0;
    let mut waiting = std::collections::BTreeMap::new();
    let mut ended = false;
    for part in &done_rx {
        waiting.insert(part.seq, part);
        while let Some(part) = waiting.remove(&next) {
            next = next.saturating_add(1);
            match part.answers.map_err(Failure::Input)? {
                PartAnswers::Text {
                    text,
                    answered,
                    lines,
                } => {
                    // Every input line gave one output line: an answer or an error.
                    counts.add(answered, lines.saturating_sub(answered));
                    if let Sink::Ndjson { out, closed } = &mut sink {
                        write_ndjson(out, closed, |out| out.write_all(text.as_bytes()))?;
                    }
                    if let Some(texts) = &texts {
                        give(texts, text);
                    }
                }
                PartAnswers::Outcomes(outcomes) => {
                    for o in outcomes {
                        sink.push(o, &mut counts)?;
                    }
                }
                PartAnswers::End => {
                    ended = true;
                    continue;
                }
            }
            progress.set(part.read);
        }
    }
    if !ended {
        // A stage stopped without reaching the end of the input (a thread
        // died): what was written is incomplete, and the run says so.
        return Err(Failure::Output(OutputFailed(
            "the batch stopped before the end of its input: the answers written are incomplete"
                .into(),
        )));
    }
    Ok((sink, counts))
}

/// Reads a CSV or XLSX sheet whole into applications.
fn read_sheet(
    mut input: Box<dyn Read>,
    file: Option<&str>,
    format: BatchFormat,
) -> Result<Vec<sheet::Entry>, ErrorReport> {
    let (zh, en) = source_names(file);
    let mut bytes = Vec::new();
    input.read_to_end(&mut bytes).map_err(|e| {
        unreadable(
            "INPUT_UNREADABLE",
            format!("无法读取{zh}:{}", io_zh(&e)),
            format!("cannot read {en}: {e}"),
        )
    })?;
    let table_format = match format {
        BatchFormat::Xlsx => stdfund_match::FileFormat::Xlsx,
        _ => stdfund_match::FileFormat::Csv,
    };
    let sheets = stdfund_match::table::read(table_format, &bytes).map_err(|e| {
        unreadable(
            e.code,
            format!("{zh}:{}", e.message_zh),
            format!("{en}: {}", e.message_en),
        )
    })?;
    drop(bytes);
    let (entries, _rows) = sheet::read(&sheets).map_err(|e| {
        let mut r = e.0;
        r.message_zh = format!("{zh}:{}", r.message_zh);
        r.message_en = format!("{en}: {}", r.message_en);
        r
    })?;
    Ok(entries)
}

/// Estimates a spreadsheet's applications on every core, in order.
fn run_entries(
    entries: &[sheet::Entry],
    want: Want,
    mut sink: Sink,
    progress: &Progress,
) -> Result<(Sink, Counts), Failure> {
    progress.estimating(u64::try_from(entries.len()).unwrap_or(0));
    let mut counts = Counts::default();
    let mut done: u64 = 0;
    for chunk in entries.chunks(256) {
        let outcomes: Vec<Outcome> = chunk
            .par_iter()
            .map(|e| match e {
                sheet::Entry::App(a) => eval::app(a, want),
                sheet::Entry::Error(e) => Outcome {
                    errors: vec![e.clone()],
                    answer: None,
                },
            })
            .collect();
        for o in outcomes {
            sink.push(o, &mut counts)?;
        }
        done = done.saturating_add(u64::try_from(chunk.len()).unwrap_or(0));
        progress.set(done);
    }
    Ok((sink, counts))
}

fn write_template(path: &Path, errors: ErrorFormat) -> ExitCode {
    let format = match BatchFormat::of_output_path(path) {
        Some(f @ (BatchFormat::Csv | BatchFormat::Xlsx)) => f,
        _ => {
            return output::fail(
                &unreadable(
                    "UNSUPPORTED_FORMAT",
                    format!("模板只能写成 .xlsx 或 .csv:`{}`", path.display()),
                    format!(
                        "the template is written as .xlsx or .csv, not `{}`",
                        path.display()
                    ),
                ),
                errors,
            );
        }
    };
    let bytes = match tables::template(format) {
        Ok(b) => b,
        Err(m) => return output_failed(&m),
    };
    // Never over a file: it may be a workbook already filled in.
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path);
    let written = match file {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return output::fail(
                &unreadable(
                    "OUTPUT_EXISTS",
                    format!(
                        "文件`{}`已存在,未覆盖(它可能是已填好的申请表);请换一个文件名,或先删除它",
                        path.display()
                    ),
                    format!(
                        "`{}` exists and was not overwritten (it may be a filled-in workbook); give another name or delete it first",
                        path.display()
                    ),
                ),
                errors,
            );
        }
        Err(e) => Err(e),
        Ok(mut f) => f.write_all(&bytes).and_then(|()| f.sync_all()),
    };
    if let Err(e) = written {
        return output_failed(&format!("cannot write `{}`: {e}", path.display()));
    }
    output::println(&format!(
        "已写入批量测算模板 Batch template written: {}",
        path.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// An output the test can read back.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// `lines` copies of the example application, then `end`: a read error
    /// or a panic of the reading thread.
    struct Failing {
        data: std::io::Cursor<Vec<u8>>,
        panic: bool,
    }

    impl Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            match self.data.read(buf)? {
                0 if self.panic => panic!("the disk is gone"),
                0 => Err(std::io::Error::other("the disk is gone")),
                n => Ok(n),
            }
        }
    }

    fn failing(lines: usize, panic: bool) -> Box<dyn Read + Send> {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/application.json"
        ))
        .unwrap();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let line = format!("{value}\n");
        Box::new(Failing {
            data: std::io::Cursor::new(line.repeat(lines).into_bytes()),
            panic,
        })
    }

    fn run(input: Box<dyn Read + Send>) -> (Result<Counts, String>, usize) {
        let out = Shared::default();
        let sink = Sink::Ndjson {
            out: std::io::BufWriter::new(Box::new(out.clone())),
            closed: false,
        };
        let want = Want {
            json: true,
            table: false,
            view: Some(View::Summary),
        };
        let result = match run_ndjson(input, 0, want, sink, &Progress::start()) {
            Ok((sink, counts)) => {
                assert!(sink.finish().is_ok());
                Ok(counts)
            }
            Err(Failure::Input(r)) => Err(format!("input {} {}", r.code, r.message_en)),
            Err(Failure::Output(OutputFailed(m))) => Err(format!("output {m}")),
        };
        let written = out
            .0
            .lock()
            .unwrap()
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        (result, written)
    }

    #[test]
    fn a_read_error_ends_the_run_after_the_parts_before_it() {
        let (result, written) = run(failing(PART + 10, false));
        let e = result.unwrap_err();
        assert!(e.starts_with("input INPUT_UNREADABLE"), "{e}");
        assert!(e.contains(&format!("line {}", PART + 11)), "{e}");
        // The whole part before the error is answered; the unfinished one is not.
        assert_eq!(written, PART);
    }

    #[test]
    fn a_reader_that_dies_is_an_incomplete_run_not_a_short_success() {
        let (result, written) = run(failing(PART * 3 + 5, true));
        let e = result.unwrap_err();
        assert!(e.contains("incomplete"), "{e}");
        assert!(written <= PART * 3, "{written}");
    }
}

//! Writes a synthetic register and feeds for `stdfund match` (benchmarks,
//! demonstrations): `stdfund-match-synth --out DIR [--enterprises N]
//! [--rows N] [--seed N] [--format xlsx|csv]`. The files are
//! `register.*`, `standards.*`, `awards.*`, `committees.*`, `pilots.*`,
//! `gi.*`, and `expected.csv` (the expected outcome of every unit named).

use std::path::PathBuf;
use std::process::ExitCode;
use stdfund_match::FileFormat;
use stdfund_match::feed::FeedKind;
use stdfund_match::output::{self, Table, Value};
use stdfund_match::synth::{self, SynthConfig};

struct Args {
    out: PathBuf,
    config: SynthConfig,
    format: FileFormat,
}

fn parse() -> Result<Args, String> {
    let mut out = None;
    let mut config = SynthConfig {
        seed: 1,
        enterprises: 100_000,
        feed_rows: 10_000,
    };
    let mut format = FileFormat::Xlsx;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value"));
        let number = |v: String| {
            v.parse::<u64>()
                .map_err(|_| format!("{flag}: `{v}` is not a number"))
        };
        match flag.as_str() {
            "--out" => out = Some(PathBuf::from(value()?)),
            "--seed" => config.seed = number(value()?)?,
            "--enterprises" => {
                config.enterprises =
                    usize::try_from(number(value()?)?).map_err(|e| e.to_string())?
            }
            "--rows" => {
                config.feed_rows = usize::try_from(number(value()?)?).map_err(|e| e.to_string())?
            }
            "--format" => {
                format = match value()?.as_str() {
                    "xlsx" => FileFormat::Xlsx,
                    "csv" => FileFormat::Csv,
                    other => return Err(format!("--format: `{other}` is not xlsx or csv")),
                }
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(Args {
        out: out.ok_or("--out DIR is required")?,
        config,
        format,
    })
}

fn run() -> Result<(), String> {
    let args = parse()?;
    let data = synth::generate(args.config);
    std::fs::create_dir_all(&args.out).map_err(|e| e.to_string())?;
    let ext = args.format.extension();
    for kind in FeedKind::ALL {
        let rows = if kind == FeedKind::Register {
            data.register_rows()
        } else {
            data.feed_rows(kind)
        };
        let bytes = output::feed_file(kind, args.format, &rows).map_err(|e| e.to_string())?;
        let path = args.out.join(format!("{}.{ext}", kind.layout().file_stem));
        std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    let expected = Table {
        sheet: "expected".into(),
        headers: ["feed", "row", "rank", "outcome", "basis", "candidates"]
            .map(String::from)
            .to_vec(),
        rows: data
            .expected
            .iter()
            .map(|e| {
                vec![
                    Value::Text(e.feed.id().into()),
                    Value::Int(e.row.into()),
                    Value::Int(e.rank.into()),
                    Value::Text(e.outcome.into()),
                    Value::Text(e.basis.into()),
                    Value::Code(e.candidates.join(";")),
                ]
            })
            .collect(),
        widths: Vec::new(),
    };
    let bytes = output::csv("expected.csv", &expected).map_err(|e| e.to_string())?;
    std::fs::write(args.out.join("expected.csv"), bytes).map_err(|e| e.to_string())?;
    println!(
        "{} enterprises, {} feed rows, {} units named → {}",
        data.register.len(),
        FeedKind::ALL
            .iter()
            .map(|k| data.feed(*k).len())
            .sum::<usize>(),
        data.expected.len(),
        args.out.display()
    );
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

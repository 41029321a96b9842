//! Command-line subcommands that need no server: `estimate` and `rules`.

use clap::{Parser, Subcommand, ValueEnum};
use std::io::Read;
use std::process::ExitCode;
use stdfund_rules::json;
use stdfund_rules::model::Assessment;

/// stdfund — Fuzhou standardization fund rules (福州市标准化战略专项资金).
#[derive(Debug, Parser)]
#[command(name = "stdfund", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Estimate an application (JSON from FILE, or `-`/nothing for stdin).
    Estimate {
        /// The application file; `-` or absent reads standard input.
        file: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
    },
    /// List the rulesets: items, variants, amounts, clauses, dates and hashes.
    Rules {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Canonical JSON.
    Json,
    /// A readable Chinese / English table.
    Table,
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Estimate { file, format } => estimate(file.as_deref(), format),
        Command::Rules { format } => rules(format),
    }
}

fn fail(code: &str, zh: &str, en: &str) -> ExitCode {
    eprintln!("error[{code}]: {en}\n错误[{code}]:{zh}");
    ExitCode::from(2)
}

fn read_input(file: Option<&str>) -> Result<String, String> {
    let mut text = String::new();
    match file {
        None | Some("-") => std::io::stdin()
            .read_to_string(&mut text)
            .map(|_| text)
            .map_err(|e| e.to_string()),
        Some(path) => {
            std::fs::read_to_string(path).map_err(|e| format!("cannot read `{path}`: {e}"))
        }
    }
}

fn estimate(file: Option<&str>, format: Format) -> ExitCode {
    let text = match read_input(file) {
        Ok(t) => t,
        Err(e) => return fail("INPUT_UNREADABLE", "无法读取输入", &e),
    };
    match json::estimate_str(&text) {
        Ok(a) => {
            match format {
                Format::Json => println!("{}", json::to_canonical(&a)),
                Format::Table => print!("{}", table(&a)),
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            let r = e.to_report();
            let at = if r.field.is_empty() {
                String::new()
            } else {
                format!(" (at `{}`)", r.field)
            };
            fail(&r.code, &r.message_zh, &format!("{}{at}", r.message_en))
        }
    }
}

/// A readable rendering of an assessment.
pub fn table(a: &Assessment) -> String {
    let mut out = String::new();
    let push = |out: &mut String, s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    let ap = &a.applicant;
    push(
        &mut out,
        format!("申请单位 Applicant: {} {}", ap.name, ap.credit_code),
    );
    let seat = if ap.inside_fuzhou {
        format!(
            "{} {} ({})",
            ap.fiscal_unit, ap.fiscal_unit_name_zh, ap.fiscal_unit_name_en
        )
    } else {
        format!("{} — 不在福州市范围 outside Fuzhou", ap.seat)
    };
    push(&mut out, format!("所在地 Seat: {seat}"));
    if a.what_if {
        push(
            &mut out,
            "*** 假设测算 WHAT-IF: computed under an alternative ruleset ***".into(),
        );
    }
    push(&mut out, String::new());
    push(
        &mut out,
        format!(
            "{:<6} {:<10} {:<24} {:<26} {:>12} {:>12} {:>12}",
            "#", "条款", "状态 Reason", "标的 Subject", "市级 C", "上级 H", "应付 Payable"
        ),
    );
    for l in &a.lines {
        push(
            &mut out,
            format!(
                "{:<6} {:<10} {:<24} {:<26} {:>12} {:>12} {:>12}",
                l.achievement_id,
                l.clause,
                l.reason_code,
                l.subject,
                l.municipal_amount,
                l.higher_level_funding_counted,
                l.payable
            ),
        );
        push(&mut out, format!("       {}", l.explanation_zh));
        push(&mut out, format!("       {}", l.explanation_en));
    }
    push(&mut out, String::new());
    push(&mut out, format!("合计 Total payable: {} 元 yuan", a.total));
    let tables: Vec<String> = a
        .split
        .share_tables
        .iter()
        .map(|t| {
            format!(
                "{} v{} 区县比例 district ratio {}{}",
                t.id,
                t.version,
                t.district_ratio,
                if t.provisional {
                    " (暂定 PROVISIONAL)"
                } else {
                    ""
                }
            )
        })
        .collect();
    push(
        &mut out,
        format!(
            "分担 Split: 市级 municipal {} / 区县 district {} — {}",
            a.split.municipal_share,
            a.split.district_share,
            tables.join("; ")
        ),
    );
    for w in &a.warnings {
        let on = if w.achievement_id.is_empty() {
            String::new()
        } else {
            format!(" [{}]", w.achievement_id)
        };
        push(
            &mut out,
            format!(
                "警告 Warning {}{on}: {} / {}",
                w.code, w.message_zh, w.message_en
            ),
        );
    }
    let cited = citations(a);
    if !cited.is_empty() {
        push(&mut out, "依据 Citations:".into());
        for (clause, text) in cited {
            push(&mut out, format!("  {clause} {text}"));
        }
    }
    let r = &a.receipt;
    let rs: Vec<String> = r
        .rulesets
        .iter()
        .map(|x| format!("{} {} {}", x.id, x.version, x.hash))
        .collect();
    push(
        &mut out,
        format!(
            "凭据 Receipt: engine {} · {} · input {}",
            r.engine_version,
            rs.join(", "),
            r.input_hash
        ),
    );
    out
}

/// The source sentences of the clauses the lines were decided under, once each.
fn citations(a: &Assessment) -> Vec<(String, String)> {
    let Ok(catalog) = json::catalog() else { return Vec::new() };
    let mut out: Vec<(String, String)> = Vec::new();
    for line in &a.lines {
        let item = catalog
            .rulesets
            .iter()
            .filter(|r| r.document.id == line.ruleset_id && r.document.version == line.ruleset_version)
            .flat_map(|r| r.document.items.iter())
            .find(|i| i.id == line.item);
        if let Some(item) = item {
            if !out.iter().any(|(c, t)| *c == item.clause && *t == item.citation_zh) {
                out.push((item.clause.clone(), item.citation_zh.clone()));
            }
        }
    }
    out
}

fn rules(format: Format) -> ExitCode {
    let catalog = match json::catalog() {
        Ok(c) => c,
        Err(e) => return fail(e.code(), &e.message_zh(), &e.to_string()),
    };
    if format == Format::Json {
        println!("{}", json::to_canonical(&catalog));
        return ExitCode::SUCCESS;
    }
    println!("engine {}", catalog.engine_version);
    for r in &catalog.rulesets {
        let d = &r.document;
        println!();
        println!("{} {} — {}", d.id, d.version, d.title_zh);
        println!("  {}", d.title_en);
        println!(
            "  在效 in force: {} → {}",
            d.effective_from,
            d.effective_to.as_deref().unwrap_or("(open / 无截止)")
        );
        println!("  hash: {}", r.hash);
        for item in &d.items {
            println!(
                "  {} {} — {} / {}",
                item.clause, item.id, item.name_zh, item.name_en
            );
            for v in &item.variants {
                let amount = match (&v.amount_wan, &v.not_covered_en) {
                    (Some(a), _) => format!("{a} 万元"),
                    (None, Some(_)) => "不资助 NOT_COVERED".into(),
                    (None, None) => "评审核定 DISCRETIONARY".into(),
                };
                println!("      {:<24} {:<28} {}", v.id, v.name_zh, amount);
            }
        }
        let t = &d.share_table;
        println!(
            "  分担比例表 share table: {} {}{}",
            t.id,
            t.version,
            if t.provisional {
                " (暂定 PROVISIONAL)"
            } else {
                ""
            }
        );
    }
    ExitCode::SUCCESS
}

//! Writes a synthetic district batch for `stdfund estimate --batch`
//! (benchmarks, demonstrations): `stdfund-batch-synth --out DIR
//! --achievements N [--per-unit K] [--seed S]`.
//!
//! The same N achievements, K per unit (the last unit may have fewer), are
//! written twice: `batch-N.ndjson` (one `EstimateRequest` per unit and line)
//! and `batch-N.xlsx` (the batch layout, one row per achievement, a unit's
//! rows together). Credit codes carry valid check characters; seats cycle
//! through Fuzhou's fiscal units with one unit in twenty outside; items cover
//! standards (lead and participant, every level), awards, committees,
//! pilots, geographical indications and good behaviour, with some
//! higher-level funding, pending acceptances and duplicates. Deterministic
//! for a seed.

// A data generator, not part of the server: counters, row numbers and
// indices into its own fixed tables, never money.
#![allow(clippy::arithmetic_side_effects, clippy::indexing_slicing)]

use rust_xlsxwriter::{Format, Workbook};
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;
use stdfund_server::batch::layout::{COLUMNS, Col};

struct Args {
    out: PathBuf,
    achievements: usize,
    per_unit: usize,
    seed: u64,
}

fn parse() -> Result<Args, String> {
    let mut out = None;
    let mut achievements = 100_000usize;
    let mut per_unit = 5usize;
    let mut seed = 1u64;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or(format!("{flag} needs a value"))?;
        let number = || {
            value
                .parse::<u64>()
                .map_err(|_| format!("{flag}: `{value}` is not a number"))
        };
        match flag.as_str() {
            "--out" => out = Some(PathBuf::from(&value)),
            "--achievements" => {
                achievements = usize::try_from(number()?).map_err(|e| e.to_string())?
            }
            "--per-unit" => {
                per_unit = usize::try_from(number()?)
                    .map_err(|e| e.to_string())?
                    .clamp(1, 200)
            }
            "--seed" => seed = number()?,
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(Args {
        out: out.ok_or("--out DIR is required")?,
        achievements,
        per_unit,
        seed,
    })
}

/// xorshift64*: enough for test data, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        let n = u64::try_from(n.max(1)).unwrap_or(u64::MAX);
        usize::try_from(self.next() % n).unwrap_or(0)
    }
}

const SEATS: [&str; 13] = [
    "350102",
    "350103",
    "350104",
    "350105",
    "350111",
    "350112",
    "350121",
    "350122",
    "350123",
    "350124",
    "350125",
    "350181",
    "350100-GXQ",
];

/// One achievement row, as text cells of the layout.
#[derive(Clone, Default)]
struct Row {
    id: String,
    item: &'static str,
    variant: &'static str,
    subject: String,
    date: String,
    role: &'static str,
    accepted: bool,
    approved: bool,
    funding: Option<(&'static str, &'static str)>,
}

fn achievement(rng: &mut Rng, unit: usize, i: usize) -> Row {
    let year = 2016 + rng.below(8);
    let date = format!("{year}-{:02}-{:02}", 1 + rng.below(12), 1 + rng.below(28));
    let mut r = Row {
        id: format!("a{}", i + 1),
        date,
        ..Row::default()
    };
    let levels = ["INTERNATIONAL", "NATIONAL", "INDUSTRY", "LOCAL", "GROUP"];
    let prefix = ["ISO", "GB/T", "JB/T", "DB35/T", "T/FJBZ"];
    match rng.below(10) {
        0..=3 => {
            let l = rng.below(levels.len());
            r.item = "STANDARD_LEAD";
            r.variant = levels[l];
            // Now and then a standard another unit of the batch also names.
            let n = if rng.below(20) == 0 {
                7
            } else {
                10_000 + unit * 10 + i
            };
            r.subject = format!("{} {n}-{year}", prefix[l]);
            if rng.below(4) == 0 {
                r.funding = Some(("省级", "100000"));
            }
        }
        4 | 5 => {
            let l = rng.below(3);
            r.item = "STANDARD_PARTICIPANT";
            r.variant = levels[l];
            r.subject = format!("{} {}-{year}", prefix[l], 20_000 + unit * 10 + i);
            r.role = "参与";
        }
        6 => {
            r.item = "AWARD_FUJIAN";
            r.variant = ["PROJECT_FIRST", "PROJECT_SECOND", "PROJECT_THIRD"][rng.below(3)];
            r.subject = format!("DB35/T {}-{year}", 30_000 + unit * 10 + i);
            r.role = "主导";
        }
        7 => {
            r.item = "TC_SECRETARIAT";
            r.variant = ["NATIONAL_TC_SC", "PROVINCIAL_TC", "NATIONAL_WG"][rng.below(3)];
            r.subject = format!("SAC/TC {}", 100 + unit % 500);
        }
        8 => {
            r.item = "DEMONSTRATION_PILOT";
            r.variant = ["NATIONAL", "PROVINCIAL", "MUNICIPAL"][rng.below(3)];
            r.subject = format!("闽标试〔{year}〕{}号", unit % 1000 + i);
            r.accepted = rng.below(5) != 0;
        }
        _ => {
            if rng.below(2) == 0 {
                r.item = "GEOGRAPHICAL_INDICATION";
                r.variant = "GI_PRODUCT_PROTECTION";
                r.subject = format!("福州特产{}号", unit * 10 + i);
                r.approved = true;
            } else {
                r.item = "GOOD_BEHAVIOUR";
                r.variant = ["AAAA", "AAA"][rng.below(2)];
                r.subject = format!("BZ-{year}-{unit:06}");
            }
        }
    }
    r
}

fn credit_code(unit: usize, seat: &str) -> String {
    let first17 = format!("913{}MA{:07}", &seat[1..6], unit % 10_000_000)
        .replace(['I', 'O', 'S', 'V', 'Z'], "0");
    let first17: String = first17.chars().take(17).collect();
    let check = stdfund_match::synth::check_character(&first17).unwrap_or('0');
    format!("{first17}{check}")
}

fn run() -> Result<(), String> {
    let args = parse()?;
    std::fs::create_dir_all(&args.out).map_err(|e| e.to_string())?;
    let mut rng = Rng(args.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let stem = format!("batch-{}", args.achievements);
    let mut ndjson = String::with_capacity(args.achievements.saturating_mul(220));
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    for (c, column) in COLUMNS.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, column.header(), &bold)
            .map_err(|e| e.to_string())?;
    }
    let col = |c: Col| c as u16;
    let mut sheet_row = 1u32;
    let mut written = 0usize;
    let mut unit = 0usize;
    while written < args.achievements {
        let n = args.per_unit.min(args.achievements - written);
        let seat = if unit % 20 == 19 {
            "350203"
        } else {
            SEATS[unit % SEATS.len()]
        };
        let code = credit_code(unit, seat);
        let name = format!("福州合成样例{unit:06}有限公司");
        let rows: Vec<Row> = (0..n).map(|i| achievement(&mut rng, unit, i)).collect();
        let achievements: Vec<serde_json::Value> = rows
            .iter()
            .map(|r| {
                let mut a = json!({
                    "id": r.id, "item": r.item, "variant": r.variant,
                    "subject": r.subject, "date": r.date,
                });
                match r.role {
                    "主导" => a["role"] = json!("ROLE_LEAD"),
                    "参与" => a["role"] = json!("ROLE_PARTICIPANT"),
                    _ => {}
                }
                if r.accepted {
                    a["accepted"] = json!(true);
                }
                if r.approved {
                    a["approved"] = json!(true);
                }
                if let Some((_, amount)) = r.funding {
                    a["higherLevelFunding"] =
                        json!([{"level": "FUNDING_LEVEL_PROVINCIAL", "amount": amount}]);
                }
                a
            })
            .collect();
        let app = json!({
            "applicant": {"creditCode": code, "name": name, "seat": seat},
            "achievements": achievements,
        });
        ndjson.push_str(&app.to_string());
        ndjson.push('\n');
        for (i, r) in rows.iter().enumerate() {
            let mut w = |c: Col, v: &str| -> Result<(), String> {
                ws.write_string_with_format(sheet_row, col(c), v, &text)
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            };
            w(Col::CreditCode, &code)?;
            if i == 0 {
                w(Col::Name, &name)?;
                w(Col::Seat, seat)?;
            }
            w(Col::Id, &r.id)?;
            w(Col::Item, r.item)?;
            w(Col::Variant, r.variant)?;
            w(Col::Subject, &r.subject)?;
            w(Col::Date, &r.date)?;
            if !r.role.is_empty() {
                w(Col::Role, r.role)?;
            }
            if r.accepted {
                w(Col::Accepted, "是")?;
            }
            if r.approved {
                w(Col::Approved, "是")?;
            }
            if let Some((level, amount)) = r.funding {
                w(Col::FundingLevel, level)?;
                w(Col::FundingAmount, amount)?;
            }
            sheet_row += 1;
        }
        written += n;
        unit += 1;
    }
    let ndjson_path = args.out.join(format!("{stem}.ndjson"));
    std::fs::write(&ndjson_path, ndjson).map_err(|e| format!("{}: {e}", ndjson_path.display()))?;
    let xlsx_path = args.out.join(format!("{stem}.xlsx"));
    wb.save(&xlsx_path)
        .map_err(|e| format!("{}: {e}", xlsx_path.display()))?;
    println!(
        "{} achievements of {unit} units → {}, {}",
        args.achievements,
        ndjson_path.display(),
        xlsx_path.display()
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

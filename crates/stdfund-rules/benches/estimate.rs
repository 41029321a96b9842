//! Benchmark: the rules core against a JSON floor, measured side by side in
//! one run.
//!
//! `cargo bench -p stdfund-rules --bench estimate` prints, for one
//! six-achievement application:
//! * `full`: JSON text in → canonical JSON out (`json::estimate_json`);
//! * `floor`: serde_json parsing the same request into borrowed structs plus
//!   serde_json writing the same answer bytes from borrowed structs — what any
//!   JSON service pays before it decides anything;
//! * `evaluate`: typed in → typed out, with the input hash (`input_hash` +
//!   `engine::evaluate` on an already validated application);
//! * allocations per call of each (a counting global allocator);
//! * time per line for applications of 1 to 200 lines.
//!
//! Medians of 30 batches; the ratio full/floor is the acceptance figure.
#![allow(
    clippy::disallowed_methods,
    clippy::float_arithmetic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::unwrap_used,
    clippy::cast_precision_loss,
    missing_docs
)]

use serde::{Deserialize, Serialize};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use std::alloc::System;
use std::borrow::Cow;
use std::hint::black_box;
use std::time::Instant;
use stdfund_rules::json::{self, dto};
use stdfund_rules::{engine, request, ruleset};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const SIX: &str = r#"{"applicant":{"creditCode":"91350100M000100Y43","name":"福州示例科技有限公司","seat":"350102"},
"achievements":[
{"id":"a1","item":"STANDARD_LEAD","variant":"NATIONAL","subject":"GB/T 12345-2020","date":"2020-05-01","higherLevelFunding":[{"level":"FUNDING_LEVEL_PROVINCIAL","amount":"100000","source":"福建省"}]},
{"id":"a2","item":"STANDARD_PARTICIPANT","variant":"INTERNATIONAL","subject":"ISO 21001:2018","date":"2018-05-01"},
{"id":"a3","item":"AWARD_CHINA","variant":"PROJECT_FIRST","subject":"GB/T 12345-2020","date":"2021-11-10","role":"ROLE_LEAD"},
{"id":"a4","item":"TC_SECRETARIAT","variant":"NATIONAL_TC_SC","subject":"SAC/TC 28","date":"2019-03-15"},
{"id":"a5","item":"RESEARCH_PROJECT","variant":"MUNICIPAL","subject":"FZBZ-2020-007","date":"2022-01-20","accepted":true},
{"id":"a6","item":"GOOD_BEHAVIOUR","variant":"AAAA","subject":"BZ-AAAA-2019-0088","date":"2019-09-09"}]}"#;

// ---------------------------------------------------------------- the floor

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct FloorRequest<'a> {
    #[serde(borrow)]
    applicant: FloorApplicant<'a>,
    #[serde(borrow)]
    achievements: Vec<FloorAchievement<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct FloorApplicant<'a> {
    #[serde(borrow)]
    credit_code: Cow<'a, str>,
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(borrow)]
    seat: Cow<'a, str>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct FloorAchievement<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow)]
    item: Cow<'a, str>,
    #[serde(borrow)]
    variant: Cow<'a, str>,
    #[serde(borrow)]
    subject: Cow<'a, str>,
    #[serde(borrow)]
    date: Cow<'a, str>,
    #[serde(default, borrow)]
    role: Cow<'a, str>,
    #[serde(default)]
    accepted: bool,
    #[serde(default)]
    approved: bool,
    #[serde(default, borrow)]
    higher_level_funding: Vec<FloorFunding<'a>>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct FloorFunding<'a> {
    #[serde(borrow)]
    level: Cow<'a, str>,
    #[serde(borrow)]
    amount: Cow<'a, str>,
    #[serde(borrow)]
    source: Cow<'a, str>,
}

/// The answer's shape with borrowed strings: serde writes the same bytes the
/// engine writes (checked below).
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct A<'a> {
    what_if: bool,
    #[serde(borrow)]
    applicant: Ap<'a>,
    #[serde(borrow)]
    lines: Vec<L<'a>>,
    total: &'a str,
    #[serde(borrow)]
    split: Sp<'a>,
    #[serde(borrow)]
    warnings: Vec<W<'a>>,
    #[serde(borrow)]
    receipt: R<'a>,
}
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Ap<'a> {
    credit_code: &'a str,
    credit_code_check_passed: bool,
    name: &'a str,
    seat: &'a str,
    fiscal_unit: &'a str,
    fiscal_unit_name_zh: &'a str,
    fiscal_unit_name_en: &'a str,
    inside_fuzhou: bool,
}
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct L<'a> {
    achievement_id: &'a str,
    item: &'a str,
    variant: &'a str,
    clause: &'a str,
    subject: &'a str,
    one_time_key: &'a str,
    date: &'a str,
    ruleset_id: &'a str,
    ruleset_version: &'a str,
    status: &'a str,
    reason_code: &'a str,
    municipal_amount: &'a str,
    higher_level_funding_counted: &'a str,
    other_funding_not_counted: &'a str,
    payable: &'a str,
    municipal_share: &'a str,
    district_share: &'a str,
    share_table_id: &'a str,
    #[serde(borrow)]
    explanation_zh: Cow<'a, str>,
    #[serde(borrow)]
    explanation_en: Cow<'a, str>,
}
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Sp<'a> {
    fiscal_unit: &'a str,
    municipal_share: &'a str,
    district_share: &'a str,
    #[serde(borrow)]
    share_tables: Vec<T<'a>>,
}
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct T<'a> {
    id: &'a str,
    version: &'a str,
    provisional: bool,
    district_ratio: &'a str,
    #[serde(borrow)]
    note_zh: Cow<'a, str>,
    #[serde(borrow)]
    note_en: Cow<'a, str>,
}
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct W<'a> {
    code: &'a str,
    achievement_id: &'a str,
    #[serde(borrow)]
    message_zh: Cow<'a, str>,
    #[serde(borrow)]
    message_en: Cow<'a, str>,
}
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct R<'a> {
    engine_version: &'a str,
    #[serde(borrow)]
    rulesets: Vec<Rr<'a>>,
    input_hash: &'a str,
}
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Rr<'a> {
    id: &'a str,
    version: &'a str,
    hash: &'a str,
    effective_from: &'a str,
    effective_to: &'a str,
}

// ---------------------------------------------------------------- timing

fn median_ns(mut f: impl FnMut(), per_batch: u32) -> f64 {
    let mut samples: Vec<f64> = (0..30)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..per_batch {
                f();
            }
            t.elapsed().as_nanos() as f64 / f64::from(per_batch)
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn allocations(mut f: impl FnMut()) -> usize {
    let region = Region::new(GLOBAL);
    f();
    region.change().allocations
}

/// An application of `n` achievements (distinct subjects, every kind).
fn lines(n: usize) -> String {
    let kinds = [
        (
            "STANDARD_LEAD",
            "NATIONAL",
            "GB/T {}-2020",
            "",
            r#","higherLevelFunding":[{"level":"FUNDING_LEVEL_PROVINCIAL","amount":"100000","source":"福建省"}]"#,
        ),
        ("STANDARD_PARTICIPANT", "INDUSTRY", "JB/T {}-2019", "", ""),
        ("TC_SECRETARIAT", "NATIONAL_TC_SC", "SAC/TC {}", "", ""),
        (
            "RESEARCH_PROJECT",
            "MUNICIPAL",
            "FZBZ-2020-{}",
            r#","accepted":true"#,
            "",
        ),
        ("GOOD_BEHAVIOUR", "AAAA", "BZ-AAAA-{}", "", ""),
    ];
    let mut out = String::from(
        r#"{"applicant":{"creditCode":"91350100M000100Y43","name":"福州示例科技有限公司","seat":"350102"},"achievements":["#,
    );
    for i in 0..n {
        let (item, variant, subject, flag, funding) = kinds[i % kinds.len()];
        if i > 0 {
            out.push(',');
        }
        out.push_str(&format!(
            r#"{{"id":"a{i}","item":"{item}","variant":"{variant}","subject":"{}","date":"2020-05-01"{flag}{funding}}}"#,
            subject.replace("{}", &(i + 1).to_string())
        ));
    }
    out.push_str("]}");
    out
}

fn main() {
    let answer = json::estimate_json(SIX).unwrap();
    // The floor's answer structs, borrowed from the real answer: serde writes
    // exactly the engine's bytes.
    let floor_answer: A<'_> = serde_json::from_str(&answer).unwrap();
    assert_eq!(serde_json::to_string(&floor_answer).unwrap(), answer);

    let book = ruleset::embedded().unwrap();
    let req = json::parse_request(SIX).unwrap();
    let app = request::read(book, &req, false).unwrap();

    for _ in 0..20_000 {
        black_box(json::estimate_json(black_box(SIX)).ok());
    }

    let full = median_ns(
        || drop(black_box(json::estimate_json(black_box(SIX)))),
        5_000,
    );
    let floor = median_ns(
        || {
            let r: FloorRequest<'_> = serde_json::from_str(black_box(SIX)).unwrap();
            black_box(&r);
            let mut out = Vec::with_capacity(answer.len() + 64);
            serde_json::to_writer(&mut out, black_box(&floor_answer)).unwrap();
            black_box(out);
        },
        5_000,
    );
    let evaluate = median_ns(
        || {
            let h = request::input_hash(black_box(&req));
            black_box(h);
            drop(black_box(engine::evaluate(book, black_box(&app))));
        },
        5_000,
    );
    let parse = median_ns(
        || drop(black_box(json::parse_request(black_box(SIX)))),
        5_000,
    );
    let read = median_ns(
        || drop(black_box(request::read(book, black_box(&req), false))),
        5_000,
    );
    let hash = median_ns(
        || {
            black_box(request::input_hash(black_box(&req)));
        },
        5_000,
    );
    let canon = median_ns(
        || drop(black_box(json::write::request(black_box(&req)))),
        5_000,
    );
    let eval_only = median_ns(
        || drop(black_box(engine::evaluate(book, black_box(&app)))),
        5_000,
    );
    let render = {
        let a = engine::evaluate(book, &app).unwrap();
        median_ns(
            || {
                drop(black_box(json::write::assessment(
                    black_box(&a),
                    dto::View::Full,
                )))
            },
            5_000,
        )
    };

    let full_allocs = allocations(|| drop(json::estimate_json(SIX)));
    let eval_allocs = allocations(|| {
        black_box(request::input_hash(&req));
        drop(engine::evaluate(book, &app));
    });
    let floor_allocs = allocations(|| {
        let r: FloorRequest<'_> = serde_json::from_str(SIX).unwrap();
        black_box(&r);
        let mut out = Vec::with_capacity(answer.len() + 64);
        serde_json::to_writer(&mut out, &floor_answer).unwrap();
        black_box(out);
    });

    println!(
        "six-achievement application ({} bytes in, {} bytes out):",
        SIX.len(),
        answer.len()
    );
    println!("  full  JSON in → canonical JSON out: {full:>7.0} ns, {full_allocs} allocations");
    println!("  floor serde parse + serde write:    {floor:>7.0} ns, {floor_allocs} allocations");
    println!(
        "  ratio full / floor:                 {:>7.2}",
        full / floor
    );
    println!("  evaluate (typed, with input hash):  {evaluate:>7.0} ns, {eval_allocs} allocations");
    println!(
        "  parts: parse {parse:.0} ns, read/validate {read:.0} ns (input hash {hash:.0} ns, of which canonical request {canon:.0} ns), evaluate {eval_only:.0} ns, render {render:.0} ns"
    );
    println!(
        "  targets: ratio ≤ 1.20 {}; evaluate ≤ 2000 ns {}; ≤ 30 allocations {}",
        if full / floor <= 1.2 {
            "met"
        } else {
            "NOT met"
        },
        if evaluate <= 2000.0 { "met" } else { "NOT met" },
        if eval_allocs <= 30 { "met" } else { "NOT met" },
    );
    println!("time per line (full JSON path):");
    for n in [1usize, 10, 50, 100, 200] {
        let text = lines(n);
        assert!(json::estimate_json(&text).is_ok(), "{n} lines");
        let per = (50_000 / n).max(20) as u32;
        let t = median_ns(
            || drop(black_box(json::estimate_json(black_box(&text)))),
            per,
        );
        println!(
            "  {n:>3} lines: {:>8.0} ns per application, {:>6.0} ns per line",
            t,
            t / n as f64
        );
    }
}

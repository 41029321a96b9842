//! Benchmark: one six-achievement application through the JSON boundary
//! (parse, validate, evaluate, hash the input, serialise the answer).
//!
//! `cargo bench -p stdfund-rules --bench estimate` prints the median time per
//! application over 30 batches, next to the time of the parse alone and of
//! the evaluation alone, all measured in the same run.
#![allow(
    clippy::disallowed_methods,
    clippy::float_arithmetic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    missing_docs
)]

use std::hint::black_box;
use std::time::Instant;

const SIX: &str = r#"{"applicant":{"creditCode":"91350100M000100Y43","name":"福州示例科技有限公司","seat":"350102"},
"achievements":[
{"id":"a1","item":"STANDARD_LEAD","variant":"NATIONAL","subject":"GB/T 12345-2020","date":"2020-05-01","higherLevelFunding":[{"level":"FUNDING_LEVEL_PROVINCIAL","amount":"100000","source":"福建省"}]},
{"id":"a2","item":"STANDARD_PARTICIPANT","variant":"INTERNATIONAL","subject":"ISO 21001:2018","date":"2018-05-01"},
{"id":"a3","item":"AWARD_CHINA","variant":"PROJECT_FIRST","subject":"GB/T 12345-2020","date":"2021-11-10","role":"ROLE_LEAD"},
{"id":"a4","item":"TC_SECRETARIAT","variant":"NATIONAL_TC_SC","subject":"SAC/TC 28","date":"2019-03-15"},
{"id":"a5","item":"RESEARCH_PROJECT","variant":"MUNICIPAL","subject":"FZBZ-2020-007","date":"2022-01-20","accepted":true},
{"id":"a6","item":"GOOD_BEHAVIOUR","variant":"AAAA","subject":"BZ-AAAA-2019-0088","date":"2019-09-09"}]}"#;

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

fn main() {
    // Warm the embedded rule book and the caches.
    let warm = stdfund_rules::json::estimate_json(SIX);
    assert!(warm.is_ok(), "the bench input must be valid: {warm:?}");
    let app = stdfund_rules::json::parse_application(SIX).unwrap_or_default();
    for _ in 0..20_000 {
        black_box(stdfund_rules::json::estimate_json(black_box(SIX)).ok());
    }
    let full = median_ns(
        || {
            drop(black_box(stdfund_rules::json::estimate_json(black_box(
                SIX,
            ))))
        },
        5_000,
    );
    let parse = median_ns(
        || {
            drop(black_box(stdfund_rules::json::parse_application(
                black_box(SIX),
            )))
        },
        5_000,
    );
    let eval = median_ns(
        || drop(black_box(stdfund_rules::estimate(black_box(&app)))),
        5_000,
    );
    println!(
        "estimate_json (parse + evaluate + serialise), 6 achievements: {:.0} ns/application",
        full
    );
    println!("  parse only:    {:.0} ns", parse);
    println!(
        "  evaluate only: {:.0} ns (includes sha256 of the canonical input)",
        eval
    );
    println!(
        "  target ≤ 2000 ns: {}",
        if full <= 2000.0 { "met" } else { "NOT met" }
    );
}

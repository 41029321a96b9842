//! What the rules-core benches and the profiling example share: the
//! six-achievement application, the JSON floor (serde_json into and out of
//! borrowed structs) and applications of any length.
#![allow(
    dead_code,
    clippy::disallowed_methods,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::unwrap_used,
    missing_docs
)]

use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::hint::black_box;

/// One six-achievement application (clauses 1, 2, 3, 4, 6, 7; one top-up).
/// `wasm/bench/bench.mjs` reads it from this file.
pub const SIX: &str = r#"{"applicant":{"creditCode":"91350100M000100Y43","name":"福州示例科技有限公司","seat":"350102"},
"achievements":[
{"id":"a1","item":"STANDARD_LEAD","variant":"NATIONAL","subject":"GB/T 12345-2020","date":"2020-05-01","higherLevelFunding":[{"level":"FUNDING_LEVEL_PROVINCIAL","amount":"100000","source":"福建省"}]},
{"id":"a2","item":"STANDARD_PARTICIPANT","variant":"INTERNATIONAL","subject":"ISO 21001:2018","date":"2018-05-01"},
{"id":"a3","item":"AWARD_CHINA","variant":"PROJECT_FIRST","subject":"GB/T 12345-2020","date":"2021-11-10","role":"ROLE_LEAD"},
{"id":"a4","item":"TC_SECRETARIAT","variant":"NATIONAL_TC_SC","subject":"SAC/TC 28","date":"2019-03-15"},
{"id":"a5","item":"RESEARCH_PROJECT","variant":"MUNICIPAL","subject":"FZBZ-2020-007","date":"2022-01-20","accepted":true},
{"id":"a6","item":"GOOD_BEHAVIOUR","variant":"AAAA","subject":"BZ-AAAA-2019-0088","date":"2019-09-09"}]}"#;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FloorRequest<'a> {
    #[serde(borrow)]
    applicant: FloorApplicant<'a>,
    #[serde(borrow)]
    achievements: Vec<FloorAchievement<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
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
pub struct A<'a> {
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
    #[serde(borrow)]
    subject_as_given: Cow<'a, str>,
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

/// The floor: serde_json parses the request into borrowed structs and writes
/// the answer (borrowed structs holding the engine's answer) into a buffer.
pub fn floor(request: &str, answer: &A<'_>, answer_len: usize) -> Vec<u8> {
    let r: FloorRequest<'_> = serde_json::from_str(request).unwrap();
    black_box(&r);
    let mut out = Vec::with_capacity(answer_len + 64);
    serde_json::to_writer(&mut out, answer).unwrap();
    out
}

/// An application of `n` achievements (distinct subjects, every kind).
pub fn lines(n: usize) -> String {
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

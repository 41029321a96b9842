//! The answer writer copies texts it knows need no escaping without looking
//! at them (constants, texts of a ruleset with nothing to escape, prose made
//! only of those). These answers carry `"`, `\` and control characters in
//! every request text the answer repeats, under the embedded ruleset and
//! under a what-if ruleset whose own texts need escaping, for every reason
//! and warning: each must be valid JSON, written exactly as serde_json
//! writes it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use stdfund_rules::json;
use stdfund_rules::ruleset::FZ_2016_JSON;

const HOSTILE: &str = r#"q\"uote\\back\u0001ctl\tz"#;

/// One application reaching every reason and warning, with hostile texts.
fn application(seat: &str, code: &str) -> String {
    let h = HOSTILE;
    format!(
        r#"{{"applicant":{{"creditCode":"{code}","name":"名{h}","seat":"{seat}"}},
"achievements":[
{{"id":"lead{h}","item":"STANDARD_LEAD","variant":"NATIONAL","subject":"GB/T 1-2020","date":"2020-05-01","higherLevelFunding":[{{"level":"FUNDING_LEVEL_COUNTY","amount":"5","source":"{h}"}},{{"level":"FUNDING_LEVEL_PROVINCIAL","amount":"100000","source":"{h}"}}]}},
{{"id":"part{h}","item":"STANDARD_PARTICIPANT","variant":"NATIONAL","subject":"GB/T 1-2020","date":"2020-05-01"}},
{{"id":"mismatch{h}","item":"STANDARD_LEAD","variant":"NATIONAL","subject":"DB35/T 2-2020","date":"2020-05-01"}},
{{"id":"award{h}","item":"AWARD_CHINA","variant":"PROJECT_FIRST","subject":"GB/T 3-2020","date":"2021-01-01","role":"ROLE_PARTICIPANT"}},
{{"id":"research{h}","item":"RESEARCH_PROJECT","variant":"MUNICIPAL","subject":"FZ{h}","date":"2022-01-20"}},
{{"id":"again{h}","item":"RESEARCH_PROJECT","variant":"MUNICIPAL","subject":"FZ{h}","date":"2022-01-20","accepted":true}},
{{"id":"done{h}","item":"RESEARCH_PROJECT","variant":"MUNICIPAL","subject":"FZ2{h}","date":"2022-01-20","accepted":true}},
{{"id":"gi{h}","item":"GEOGRAPHICAL_INDICATION","variant":"AGRICULTURAL_GI","subject":"GI{h}","date":"2022-01-20"}},
{{"id":"other{h}","item":"OTHER_ACTIVITY","variant":"OTHER","subject":"O{h}","date":"2022-01-20"}},
{{"id":"tc{h}","item":"TC_SECRETARIAT","variant":"NATIONAL_TC_SC","subject":"委员会{h}","date":"2019-03-15"}},
{{"id":"covered{h}","item":"STANDARD_LEAD","variant":"GROUP","subject":"Q/FZ 4-2020","date":"2020-05-01","higherLevelFunding":[{{"level":"FUNDING_LEVEL_NATIONAL","amount":"900000","source":"{h}"}}]}},
{{"id":"early{h}","item":"GOOD_BEHAVIOUR","variant":"AAAA","subject":"B{h}","date":"2010-01-01"}}]}}"#
    )
}

fn check(request: &str) {
    let answer = json::estimate_json(request).unwrap_or_else(|e| panic!("{e:?}\n{request}"));
    let value: serde_json::Value =
        serde_json::from_str(&answer).unwrap_or_else(|e| panic!("{e}\n{answer}"));
    assert_eq!(serde_json::to_string(&value).unwrap(), answer);
    assert!(answer.contains(r#"q\"uote\\back\u0001ctl\tz"#), "{answer}");
}

#[test]
fn hostile_request_texts_are_escaped_under_every_reason() {
    // Inside (mapped former seat code, wrong check character), and outside.
    for (seat, code) in [
        ("350182", "91350100M000100Y44"),
        ("110101", "91350100M000100Y43"),
    ] {
        let request = application(seat, code);
        check(&request);
        let summary = request.replacen('{', r#"{"view":"VIEW_SUMMARY","#, 1);
        check(&summary);
    }
}

#[test]
fn a_what_if_ruleset_with_texts_to_escape_is_escaped() {
    let mut doc: serde_json::Value = serde_json::from_str(FZ_2016_JSON).unwrap();
    let dirty = "带\"引号\\与\u{1}控制";
    doc["id"] = dirty.into();
    doc["version"] = format!("1{dirty}").into();
    doc["shareTable"]["id"] = format!("t{dirty}").into();
    doc["shareTable"]["noteZh"] = dirty.into();
    for item in doc["items"].as_array_mut().unwrap() {
        item["nameZh"] = format!("{}{dirty}", item["nameZh"].as_str().unwrap()).into();
        item["nameEn"] = format!("{}{dirty}", item["nameEn"].as_str().unwrap()).into();
        item["clause"] = format!("{}{dirty}", item["clause"].as_str().unwrap()).into();
        for v in item["variants"].as_array_mut().unwrap() {
            v["nameZh"] = format!("{}{dirty}", v["nameZh"].as_str().unwrap()).into();
        }
    }
    for u in doc["fiscalUnits"].as_array_mut().unwrap() {
        u["nameZh"] = format!("{}{dirty}", u["nameZh"].as_str().unwrap()).into();
        u["nameEn"] = format!("{}{dirty}", u["nameEn"].as_str().unwrap()).into();
    }
    let ruleset = serde_json::to_string(&doc).unwrap();
    let mut request: serde_json::Value =
        serde_json::from_str(&application("350102", "91350100M000100Y43")).unwrap();
    request["whatIfRuleset"] = ruleset.into();
    let request = serde_json::to_string(&request).unwrap();
    check(&request);
    let answer = json::estimate_json(&request).unwrap();
    assert!(answer.contains(r#"带\"引号\\与\u0001控制"#), "{answer}");
}

/// Texts taken from the request are copied without a look when none of the
/// request's texts needed escaping: one hostile text anywhere, alone, must
/// still be escaped wherever the answer repeats it.
#[test]
fn one_hostile_text_alone_is_escaped() {
    let h = HOSTILE;
    let clean = (
        "名",
        "a1",
        "FZ-1",
        "福建省",
        "RESEARCH_PROJECT",
        "\"MUNICIPAL\"",
    );
    let request = |name: &str, id: &str, subject: &str, source: &str, item: &str, variant: &str| {
        format!(
            r#"{{"applicant":{{"creditCode":"91350100M000100Y43","name":"{name}","seat":"350102"}},
"achievements":[{{"id":"{id}","item":"{item}","variant":{variant},"subject":"{subject}","date":"2022-01-20","accepted":true,
"higherLevelFunding":[{{"level":"FUNDING_LEVEL_PROVINCIAL","amount":"5","source":"{source}"}}]}},
{{"id":"dup","item":"RESEARCH_PROJECT","variant":"MUNICIPAL","subject":"{subject}","date":"2022-01-20"}}]}}"#
        )
    };
    let (n, i, s, so, it, v) = clean;
    let plain = json::estimate_json(&request(n, i, s, so, it, v)).unwrap();
    assert!(!plain.contains('\\'), "{plain}");
    for hostile in [
        request(&format!("名{h}"), i, s, so, it, v),
        request(n, &format!("a{h}"), s, so, it, v),
        request(n, i, &format!("FZ{h}"), so, it, v),
        // Escaped in the request only: the answer's texts stay as they are.
        request(n, i, s, &format!("src{h}"), it, v),
        // An item and a variant written with an escape (`\u0052` is `R`):
        // the ids the answer repeats are plain.
        request(n, i, s, so, r"\u0052ESEARCH_PROJECT", r#""MUNICIPA\u004c""#),
        // Plain in the request, but NFKC makes `"` and `\` of the
        // full-width forms: the canonical subject and the key are escaped.
        request(n, i, "FZ＂1＼2", so, it, v),
    ] {
        let answer = json::estimate_json(&hostile).unwrap_or_else(|e| panic!("{e:?}\n{hostile}"));
        let value: serde_json::Value =
            serde_json::from_str(&answer).unwrap_or_else(|e| panic!("{e}\n{answer}"));
        assert_eq!(serde_json::to_string(&value).unwrap(), answer);
    }
    let answer = json::estimate_json(&request(n, i, "FZ＂1＼2", so, it, v)).unwrap();
    assert!(answer.contains(r#""subject":"FZ\"1\\2""#), "{answer}");
    assert!(answer.contains(r#"|FZ\"1\\2""#), "{answer}");
    // The escaped source is hashed as given but never repeated.
    let answer = json::estimate_json(&request(n, i, s, &format!("src{h}"), it, v)).unwrap();
    assert!(!answer.contains("src"), "{answer}");
}

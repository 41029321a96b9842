//! The shape proto3 JSON gives a request, and nothing looser: a message is a
//! JSON object (never an array read by position), and a field is given once
//! (`DUPLICATE_FIELD`, naming it, also when its JSON name and its proto name
//! are both given). Every field of every request message is tried.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use serde_json::{Value, json};
use stdfund_rules::json;

/// A request that uses every field of every request message once.
fn full() -> Value {
    json!({
        "applicant": {"creditCode": "91350100M000100Y43", "name": "示例公司", "seat": "350102"},
        "achievements": [{"id": "a1", "item": "AWARD_CHINA", "variant": "PROJECT_FIRST",
            "subject": "GB/T 12345-2020", "date": "2020-05-01", "role": "ROLE_LEAD",
            "accepted": true, "approved": true,
            "higherLevelFunding": [{"level": "FUNDING_LEVEL_PROVINCIAL", "amount": "100000.00",
                "source": "福建省市场监督管理局"}]}],
        "whatIfRuleset": "",
        "view": "VIEW_SUMMARY"
    })
}

/// A message's fields, each with its other (proto) name where it differs.
type Fields = &'static [(&'static str, Option<&'static str>)];

/// The messages of a request: the JSON pointer of each, its path as errors
/// name it, and its fields.
const MESSAGES: [(&str, &str, Fields); 4] = [
    (
        "",
        "",
        &[
            ("applicant", None),
            ("achievements", None),
            ("whatIfRuleset", Some("what_if_ruleset")),
            ("view", None),
        ],
    ),
    (
        "/applicant",
        "applicant",
        &[
            ("creditCode", Some("credit_code")),
            ("name", None),
            ("seat", None),
        ],
    ),
    (
        "/achievements/0",
        "achievements[0]",
        &[
            ("id", None),
            ("item", None),
            ("variant", None),
            ("subject", None),
            ("date", None),
            ("role", None),
            ("accepted", None),
            ("approved", None),
            ("higherLevelFunding", Some("higher_level_funding")),
        ],
    ),
    (
        "/achievements/0/higherLevelFunding/0",
        "achievements[0].higherLevelFunding[0]",
        &[("level", None), ("amount", None), ("source", None)],
    ),
];

fn error_of(text: &str) -> stdfund_rules::ErrorReport {
    match json::estimate_json(text) {
        Ok(answer) => panic!("accepted {text}: {answer}"),
        Err(e) => e,
    }
}

fn joined(parent: &str, field: &str) -> String {
    if parent.is_empty() {
        field.to_string()
    } else {
        format!("{parent}.{field}")
    }
}

#[test]
fn the_full_request_is_accepted_under_either_name() {
    json::estimate_json(&full().to_string()).unwrap();
    let mut v = full();
    // Deepest first: renaming a field moves the pointers below it.
    for (pointer, _, fields) in MESSAGES.iter().rev() {
        let object = v.pointer_mut(pointer).unwrap().as_object_mut().unwrap();
        for (name, proto) in fields.iter() {
            if let Some(proto) = proto {
                let value = object.remove(*name).unwrap();
                object.insert((*proto).to_string(), value);
            }
        }
    }
    json::estimate_json(&v.to_string()).unwrap();
}

#[test]
fn every_field_given_twice_is_refused_naming_it() {
    for (pointer, path, fields) in MESSAGES {
        for (name, proto) in fields {
            for second in [Some(*name), *proto].into_iter().flatten() {
                // A placeholder key, then the field's own text in its place:
                // the object then holds the field and the field again.
                let mut v = full();
                let object = v.pointer_mut(pointer).unwrap().as_object_mut().unwrap();
                let value = object.get(*name).unwrap().to_string();
                object.insert("\u{1}".into(), Value::Null);
                let text =
                    v.to_string()
                        .replacen("\"\\u0001\":null", &format!("\"{second}\":{value}"), 1);
                assert!(text.contains(&format!("\"{second}\":{value}")), "{text}");
                let e = error_of(&text);
                assert_eq!(e.code, "DUPLICATE_FIELD", "{name} as {second}: {e:?}");
                assert_eq!(e.field, joined(path, name), "{name} as {second}");
                assert!(e.message_zh.contains("给了两次"), "{e:?}");
                assert!(e.message_en.contains("is given twice"), "{e:?}");
            }
        }
    }
}

#[test]
fn a_message_given_as_an_array_is_refused_not_read_by_position() {
    for (pointer, path, fields) in MESSAGES {
        let mut v = full();
        let object = v.pointer(pointer).unwrap().as_object().unwrap().clone();
        // The fields' values in declaration order: what serde's derived
        // reader would have taken for the object.
        let positional: Vec<Value> = fields
            .iter()
            .map(|(name, _)| object.get(*name).unwrap().clone())
            .collect();
        *v.pointer_mut(pointer).unwrap() = Value::Array(positional);
        let e = error_of(&v.to_string());
        assert_eq!(e.code, "INVALID_TYPE", "{path}: {e:?}");
        assert_eq!(e.field, path);
        assert!(e.message_en.contains("JSON object"), "{e:?}");
        // No Rust type name reaches the reader.
        assert!(!e.message_en.contains("struct"), "{e:?}");
        if path.is_empty() {
            assert_eq!(e.message_zh, "请求应为一个JSON对象,而不是数组");
            assert_eq!(
                e.message_en,
                "the request must be a JSON object, not an array"
            );
        } else {
            assert_eq!(e.message_zh, format!("字段`{path}`应为JSON对象,而不是数组"));
            assert_eq!(
                e.message_en,
                format!("field `{path}` must be a JSON object, not an array")
            );
        }
    }
}

#[test]
fn a_request_that_is_not_an_object_says_so() {
    for (text, zh, en) in [
        ("\"x\"", "字符串\"x\"", "the string \"x\""),
        ("7", "数字7", "the number 7"),
        ("true", "布尔值true", "true"),
        ("null", "null", "null"),
    ] {
        let e = error_of(text);
        assert_eq!((e.code.as_str(), e.field.as_str()), ("INVALID_TYPE", ""));
        assert_eq!(e.message_zh, format!("请求应为一个JSON对象,而不是{zh}"));
        assert_eq!(
            e.message_en,
            format!("the request must be a JSON object, not {en}")
        );
    }
}

/// Every JSON object inside `v` (itself included): its JSON pointer.
fn objects(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            out.push(at.clone());
            for (k, x) in m {
                objects(x, format!("{at}/{k}"), out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                objects(x, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn a_ruleset_document_is_read_from_objects_only() {
    use stdfund_rules::ruleset::{FZ_2016_JSON, Ruleset};
    let doc: Value = serde_json::from_str(FZ_2016_JSON).unwrap();
    Ruleset::from_json(&doc.to_string()).unwrap();
    let mut pointers = Vec::new();
    objects(&doc, String::new(), &mut pointers);
    assert!(pointers.len() > 50, "{}", pointers.len());
    for pointer in pointers {
        // The object's values in order: what a positional reader would take.
        let mut v = doc.clone();
        let target = v.pointer_mut(&pointer).unwrap();
        let values: Vec<Value> = target.as_object().unwrap().values().cloned().collect();
        *target = Value::Array(values);
        let e = Ruleset::from_json(&v.to_string()).expect_err(&pointer);
        assert_eq!(e.code(), "INVALID_RULESET", "{pointer}");
        let report = e.to_report();
        assert!(
            report
                .message_en
                .contains("must be a JSON object, not an array"),
            "{pointer}: {e}"
        );
        assert!(
            report
                .message_zh
                .contains("列的值应为一个JSON对象,而不是数组"),
            "{pointer}: {}",
            report.message_zh
        );
    }
}

#[test]
fn a_ruleset_document_reads_back_from_any_proto3_json_printer() {
    use stdfund_rules::ruleset::{FZ_2016_JSON, Ruleset};
    let doc: Value = serde_json::from_str(FZ_2016_JSON).unwrap();
    let hash = |r: &Ruleset| r.hash().to_string();
    let same = hash(&Ruleset::from_json(FZ_2016_JSON).unwrap());

    // Proto field names (`preserving_proto_field_name`): camelCase → snake_case.
    fn snake(v: &Value) -> Value {
        match v {
            Value::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, v)| {
                        let mut s = String::new();
                        for c in k.chars() {
                            if c.is_ascii_uppercase() {
                                s.push('_');
                                s.push(c.to_ascii_lowercase());
                            } else if c.is_ascii_digit()
                                && !s.ends_with(|p: char| p.is_ascii_digit())
                                && !s.is_empty()
                            {
                                s.push('_');
                                s.push(c);
                            } else {
                                s.push(c);
                            }
                        }
                        (s, snake(v))
                    })
                    .collect(),
            ),
            Value::Array(a) => Value::Array(a.iter().map(snake).collect()),
            other => other.clone(),
        }
    }
    let snaked = snake(&doc);
    assert!(snaked.get("targets_2020").is_some() && snaked.get("top_up").is_some());
    assert_eq!(
        hash(&Ruleset::from_json(&snaked.to_string()).unwrap()),
        same
    );

    // Enum numbers (`use_integers_for_enums`), a uint32 as a string, and
    // `null` for fields at their default.
    let mut v = doc.clone();
    let levels = v.pointer_mut("/topUp/countedLevels").unwrap();
    let numbers: Vec<Value> = levels
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            Value::from(
                stdfund_rules::domain::FundingLevel::from_name(l.as_str().unwrap())
                    .unwrap()
                    .number(),
            )
        })
        .collect();
    *levels = Value::Array(numbers);
    let figure = v.pointer_mut("/targets2020/0/figure").unwrap();
    *figure = Value::String(figure.to_string());
    v.as_object_mut()
        .unwrap()
        .insert("effectiveTo".into(), Value::Null);
    v.pointer_mut("/fiscalUnits/0")
        .unwrap()
        .as_object_mut()
        .unwrap()
        .insert("formerCodes".into(), Value::Null);
    v.pointer_mut("/items/2")
        .unwrap()
        .as_object_mut()
        .unwrap()
        .insert("levelCheck".into(), Value::Null);
    let read = Ruleset::from_json(&v.to_string()).unwrap();
    assert_eq!(hash(&read), same);

    // A field given under both names is given twice; a number that is no
    // level, or a figure that is no number, is refused naming the field.
    let mut twice = doc.clone();
    twice
        .as_object_mut()
        .unwrap()
        .insert("effective_from".into(), Value::from("2016-04-25"));
    let e = Ruleset::from_json(&twice.to_string()).unwrap_err();
    assert!(
        e.to_string().contains("duplicate field `effectiveFrom`"),
        "{e}"
    );
    let mut bad = doc.clone();
    *bad.pointer_mut("/targets2020/0/figure").unwrap() = Value::from("十五");
    let e = Ruleset::from_json(&bad.to_string()).unwrap_err();
    assert!(e.to_string().contains("十五"), "{e}");
    let mut bad = doc;
    *bad.pointer_mut("/topUp/countedLevels").unwrap() = Value::from(vec![9]);
    assert!(Ruleset::from_json(&bad.to_string()).is_err());
}

#[test]
fn half_a_surrogate_pair_is_refused_at_its_field_not_replaced() {
    let text = full().to_string();
    // A leading half without its pair, a trailing half alone, a leading half
    // followed by another escape: each names the field and the place.
    for half in [r"\ud800", r"\udc00", r"\ud83d\n"] {
        let bad = text.replace("示例公司", &format!("示例{half}公司"));
        let e = stdfund_rules::json::estimate_text(&bad).unwrap_err();
        assert!(
            matches!(&e, stdfund_rules::Error::UnpairedSurrogate { path, line: 1, column } if path == "applicant.name" && *column > 0),
            "{half}: {e:?}"
        );
        let report = e.to_report();
        assert_eq!(report.code, "INVALID_JSON");
        assert_eq!(report.field, "applicant.name");
        assert!(
            report.message_en.contains("surrogate"),
            "{}",
            report.message_en
        );
        assert!(
            report.message_zh.contains("代理项"),
            "{}",
            report.message_zh
        );
    }
    // A whole pair is a character.
    let pair = text.replace("示例公司", r"示例\ud83d\ude00公司");
    assert!(stdfund_rules::json::estimate_text(&pair).is_ok());
}

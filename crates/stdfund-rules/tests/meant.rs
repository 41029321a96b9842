//! `Error::meant`: for every refusal whose message offers a value (docs/
//! DECISIONS.md D26–D32), the value as data is the one the message offers,
//! and it is itself accepted where it was refused; a refusal with nothing to
//! offer has none.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use stdfund_rules::json;

/// An application with one achievement, `change` applied to its JSON.
fn request(change: impl FnOnce(&mut serde_json::Value)) -> String {
    let mut v = serde_json::json!({
        "applicant": {"creditCode": "91350100M000100Y43", "name": "示例公司", "seat": "350102"},
        "achievements": [{"id": "a1", "item": "STANDARD_LEAD", "variant": "NATIONAL",
            "subject": "GB/T 12345-2020", "date": "2020-05-01", "role": "ROLE_LEAD",
            "higherLevelFunding": [{"level": "FUNDING_LEVEL_PROVINCIAL", "amount": "100000.00"}]}],
        "view": "VIEW_FULL"
    });
    change(&mut v);
    v.to_string()
}

fn set(pointer: &'static str, value: &'static str) -> impl FnOnce(&mut serde_json::Value) {
    move |v| *v.pointer_mut(pointer).unwrap() = serde_json::Value::from(value)
}

#[test]
fn every_offer_is_the_messages_and_is_accepted() {
    let cases = [
        ("/applicant/seat", "鼓楼区", "INVALID_SEAT", "350102"),
        (
            "/achievements/0/date",
            "2020/5/1",
            "INVALID_DATE",
            "2020-05-01",
        ),
        (
            "/achievements/0/higherLevelFunding/0/amount",
            "10万",
            "INVALID_AMOUNT",
            "100000.00",
        ),
        (
            "/applicant/creditCode",
            "9135O100M000100Y43",
            "INVALID_CREDIT_CODE",
            "91350100M000100Y43",
        ),
        (
            "/achievements/0/item",
            "standard_lead",
            "UNKNOWN_ITEM",
            "STANDARD_LEAD",
        ),
        (
            "/achievements/0/variant",
            "国家标准",
            "UNKNOWN_VARIANT",
            "NATIONAL",
        ),
        (
            "/achievements/0/subject",
            "GB/T 12345一2020",
            "INVALID_STANDARD_NUMBER",
            "GB/T 12345-2020",
        ),
        (
            "/achievements/0/subject",
            "DB3500/T 8801-2019",
            "INVALID_STANDARD_NUMBER",
            "DB35/T 8801-2019",
        ),
        (
            "/achievements/0/subject",
            "DB350100/T 8802-2020",
            "INVALID_STANDARD_NUMBER",
            "DB3501/T 8802-2020",
        ),
        (
            "/achievements/0/role",
            "lead",
            "INVALID_ENUM_VALUE",
            "ROLE_LEAD",
        ),
        (
            "/achievements/0/role",
            "2",
            "INVALID_ENUM_VALUE",
            "ROLE_PARTICIPANT",
        ),
        (
            "/achievements/0/higherLevelFunding/0/level",
            "Non-Fiscal",
            "INVALID_ENUM_VALUE",
            "FUNDING_LEVEL_NON_FISCAL",
        ),
        ("/view", "summary", "INVALID_ENUM_VALUE", "VIEW_SUMMARY"),
        ("/view", " VIEW_FULL ", "INVALID_ENUM_VALUE", "VIEW_FULL"),
    ];
    for (pointer, typed, code, meant) in cases {
        let e = json::estimate_text(&request(set(pointer, typed))).expect_err(typed);
        assert_eq!(e.code(), code, "{typed}");
        assert_eq!(e.meant().as_deref(), Some(meant), "{typed}");
        let report = e.to_report();
        assert!(
            report.message_zh.contains(meant),
            "{typed}: {}",
            report.message_zh
        );
        assert!(
            report.message_en.contains(meant),
            "{typed}: {}",
            report.message_en
        );
        assert!(
            json::estimate_text(&request(set(pointer, meant))).is_ok(),
            "{meant} offered for {typed} is refused too"
        );
    }
}

#[test]
fn a_refusal_with_nothing_to_offer_has_none() {
    for (pointer, typed, code) in [
        ("/applicant/seat", "福州市", "INVALID_SEAT"),
        ("/achievements/0/date", "2021-02-29", "INVALID_DATE"),
        (
            "/achievements/0/higherLevelFunding/0/amount",
            "-5",
            "INVALID_AMOUNT",
        ),
        (
            "/applicant/creditCode",
            "91350100M000100Y4",
            "INVALID_CREDIT_CODE",
        ),
        ("/achievements/0/item", "NO_SUCH_ITEM", "UNKNOWN_ITEM"),
        (
            "/achievements/0/subject",
            "ГБ/Т 12345-2020",
            "INVALID_STANDARD_NUMBER",
        ),
        ("/achievements/0/id", "", "MISSING_FIELD"),
        ("/achievements/0/role", "ROLE_BOSS", "INVALID_ENUM_VALUE"),
        ("/achievements/0/role", "unspecified", "INVALID_ENUM_VALUE"),
        (
            "/achievements/0/higherLevelFunding/0/level",
            "5",
            "INVALID_ENUM_VALUE",
        ),
    ] {
        let e = json::estimate_text(&request(set(pointer, typed))).expect_err(typed);
        assert_eq!(e.code(), code, "{typed}");
        assert_eq!(e.meant(), None, "{typed}");
    }
}

#[test]
fn an_amount_given_as_a_number_is_offered_in_quotes() {
    let amount = "/achievements/0/higherLevelFunding/0/amount";
    let with = |pointer: &'static str, value: serde_json::Value| {
        request(move |v| *v.pointer_mut(pointer).unwrap() = value)
    };
    for (number, meant) in [
        (serde_json::json!(15), "15.00"),
        (serde_json::json!(100000.5), "100000.50"),
    ] {
        let e = json::estimate_text(&with(amount, number.clone())).expect_err("a number");
        assert_eq!(e.code(), "INVALID_TYPE");
        assert_eq!(e.meant().as_deref(), Some(meant), "{number}");
        let report = e.to_report();
        assert!(
            report.message_zh.contains(&format!("`\"{meant}\"`")),
            "{}",
            report.message_zh
        );
        assert!(
            report.message_en.contains(&format!("`\"{meant}\"`")),
            "{}",
            report.message_en
        );
        assert!(json::estimate_text(&request(set(amount, meant))).is_ok());
    }
    // Nothing to offer: an amount that is no good as a string either, and a
    // number in a text field that is not an amount.
    for (pointer, value) in [
        (amount, serde_json::json!(1.555)),
        (amount, serde_json::json!(-5)),
        ("/achievements/0/id", serde_json::json!(5)),
        ("/achievements/0/date", serde_json::json!(20200501)),
    ] {
        let e = json::estimate_text(&with(pointer, value.clone())).expect_err("a number");
        assert_eq!(e.code(), "INVALID_TYPE", "{pointer} {value}");
        assert_eq!(e.meant(), None, "{pointer} {value}");
        let report = e.to_report();
        assert!(
            report
                .message_en
                .contains("must be a string, not the number"),
            "{}",
            report.message_en
        );
        assert!(
            report.message_zh.contains("应为字符串,而不是数字"),
            "{}",
            report.message_zh
        );
    }
}

/// A CJK radical drawn as an ideograph (`⻥` for `鱼`, the sixth attack on the
/// registry): refused, and the product written with the ideograph offered.
#[test]
fn a_radical_in_a_product_name_offers_the_ideograph() {
    let app = r#"{"applicant":{"creditCode":"91350100M000100Y43","seat":"350102"},
        "achievements":[{"id":"a1","item":"GEOGRAPHICAL_INDICATION","variant":"AGRICULTURAL_GI",
        "subject":"连江鲍⻥","date":"2020-05-01","approved":true}]}"#;
    let e = json::estimate_text(app).expect_err("a radical");
    assert_eq!(e.code(), "INVALID_SUBJECT");
    assert_eq!(e.meant().as_deref(), Some("连江鲍鱼"));
    let report = e.to_report();
    assert!(
        report.message_zh.contains("是否应为连江鲍鱼"),
        "{}",
        report.message_zh
    );
    assert!(
        report.message_en.contains("did you mean `连江鲍鱼`"),
        "{}",
        report.message_en
    );
    // Another refused character beside it: nothing to offer.
    let other = app.replace("连江鲍⻥", "连江鲍⻥\u{FFF9}");
    let e = json::estimate_text(&other).expect_err("a format character");
    assert_eq!(e.meant(), None);
}

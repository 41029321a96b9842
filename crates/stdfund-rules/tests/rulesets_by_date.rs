//! Rulesets are data: a second, test-only ruleset with a later start and
//! different amounts is picked for later dates with no engine change; what-if
//! rulesets change the amounts and mark the answer; invalid rulesets and
//! badly tiled versions are refused with INVALID_RULESET.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use stdfund_rules::json::dto::{EstimateResponse, View};
use stdfund_rules::ruleset::{self, FZ_2016_JSON, JurisdictionDoc, RuleBook, Ruleset, RulesetDoc};
use stdfund_rules::{engine, json};

const LATER: &str = include_str!("rulesets/fz-test-later.json");

/// A request for a unit seated at `seat`, one line per tuple.
fn request(seat: &str, lines: &[(&str, &str, &str, &str, &str)]) -> String {
    let achievements: Vec<serde_json::Value> = lines
        .iter()
        .map(|(id, item, variant, subject, date)| {
            serde_json::json!({"id": id, "item": item, "variant": variant, "subject": subject, "date": date})
        })
        .collect();
    serde_json::json!({
        "applicant": {"creditCode": "91350100M000100Y43", "name": "测试单位", "seat": seat},
        "achievements": achievements,
    })
    .to_string()
}

/// The answer to a request under a book, read into the answer DTO.
fn assess(book: &RuleBook, text: &str) -> EstimateResponse {
    let req = json::parse_request(text).unwrap();
    let answer = engine::assess_with(book, &req, false, |a| {
        json::write::assessment(a, View::Full)
    })
    .unwrap();
    serde_json::from_str(&answer).unwrap()
}

fn book() -> RuleBook {
    RuleBook::new(vec![
        Ruleset::from_json(FZ_2016_JSON).unwrap(),
        Ruleset::from_json(LATER).unwrap(),
    ])
    .unwrap()
}

#[test]
fn the_later_ruleset_is_chosen_by_each_achievements_date() {
    let a = assess(
        &book(),
        &request(
            "350104",
            &[
                (
                    "old",
                    "STANDARD_LEAD",
                    "NATIONAL",
                    "GB/T 1-2029",
                    "2029-12-31",
                ),
                (
                    "new",
                    "STANDARD_LEAD",
                    "NATIONAL",
                    "GB/T 2-2030",
                    "2030-01-01",
                ),
                ("5a", "GOOD_BEHAVIOUR", "AAAAA", "BZ-5A-1", "2031-01-01"),
                ("5a-old", "GOOD_BEHAVIOUR", "AAAAA", "BZ-5A-2", "2020-01-01"),
            ],
        ),
    );
    let l = &a.lines;
    assert_eq!(
        (l[0].ruleset_id.as_str(), l[0].payable.as_str()),
        ("fz-2016", "300000.00")
    );
    assert_eq!(
        (l[1].ruleset_id.as_str(), l[1].payable.as_str()),
        ("fz-test-later", "350000.00")
    );
    assert_eq!(
        (l[2].reason_code.as_str(), l[2].payable.as_str()),
        ("ELIGIBLE", "80000.00")
    );
    assert_eq!(l[3].reason_code, "NOT_COVERED");
    assert_eq!(a.total, "730000.00");
    // Each line is split by its own ruleset's share table: 50% and 40%.
    assert_eq!(l[0].district_share, "150000.00");
    assert_eq!(l[1].district_share, "140000.00");
    assert_eq!(a.split.share_tables.len(), 2);
    assert!(a.split.share_tables[0].provisional && !a.split.share_tables[1].provisional);
    let ids: Vec<&str> = a.receipt.rulesets.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["fz-2016", "fz-test-later"]);
    assert!(!a.what_if);
}

#[test]
fn what_if_changes_amounts_and_is_marked() {
    let mut doc: RulesetDoc = serde_json::from_str(FZ_2016_JSON).unwrap();
    doc.version = "what-if-1".into();
    doc.items[0].variants[1].amount_wan = Some("31.5".into());
    let text = request(
        "350104",
        &[(
            "a",
            "STANDARD_LEAD",
            "NATIONAL",
            "GB/T 3-2020",
            "2020-01-01",
        )],
    );
    let answer = json::what_if_text(&text, &serde_json::to_string(&doc).unwrap()).unwrap();
    let a: EstimateResponse = serde_json::from_str(&answer).unwrap();
    assert!(a.what_if);
    assert_eq!(a.total, "315000.00");
    let expected_hash = Ruleset::from_doc(doc).unwrap().hash().to_string();
    assert_eq!(a.receipt.rulesets[0].hash, expected_hash);
    let embedded = ruleset::embedded().unwrap().rulesets()[0]
        .hash()
        .to_string();
    assert_ne!(expected_hash, embedded);
}

/// A second city's ruleset: the Fuzhou document under another jurisdiction,
/// id and seats, with other amounts and a later start.
fn xiamen() -> Ruleset {
    let mut doc: RulesetDoc = serde_json::from_str(FZ_2016_JSON).unwrap();
    doc.id = "xm-2030".into();
    doc.effective_from = "2030-01-01".into();
    doc.jurisdiction = Some(JurisdictionDoc {
        code: "350200".into(),
        name_zh: "厦门市".into(),
        name_en: "Xiamen".into(),
    });
    doc.items[0].variants[1].amount_wan = Some("40".into());
    doc.fiscal_units = vec![ruleset::FiscalUnitDoc {
        code: "350203".into(),
        name_zh: "思明区".into(),
        name_en: "Siming District".into(),
        former_codes: Vec::new(),
    }];
    doc.share_table.ratios = vec![ruleset::RatioDoc {
        fiscal_unit: "350203".into(),
        district_ratio: "0.3".into(),
        provisional: None,
        note_zh: None,
        note_en: None,
    }];
    doc.excluded_seats = Vec::new();
    Ruleset::from_doc(doc).unwrap()
}

#[test]
fn a_second_citys_ruleset_is_data_and_changes_nothing_for_fuzhou() {
    let fuzhou_only = RuleBook::new(vec![Ruleset::from_json(FZ_2016_JSON).unwrap()]).unwrap();
    let both = RuleBook::new(vec![Ruleset::from_json(FZ_2016_JSON).unwrap(), xiamen()]).unwrap();
    let lines = [(
        "a",
        "STANDARD_LEAD",
        "NATIONAL",
        "GB/T 4-2031",
        "2031-01-01",
    )];
    // A Fuzhou unit: the same answer whether or not Xiamen's (later-starting)
    // ruleset is in the book.
    let fz = request("350104", &lines);
    assert_eq!(assess(&fuzhou_only, &fz), assess(&both, &fz));
    assert_eq!(assess(&both, &fz).total, "300000.00");
    // A Xiamen unit: outside Fuzhou alone; under Xiamen's rules with both.
    let xm = request("350203", &lines);
    let alone = assess(&fuzhou_only, &xm);
    assert_eq!(alone.lines[0].reason_code, "OUTSIDE_FUZHOU");
    assert!(alone.lines[0].explanation_zh.contains("福州市"));
    let under_xiamen = assess(&both, &xm);
    assert_eq!(under_xiamen.lines[0].ruleset_id, "xm-2030");
    assert_eq!(under_xiamen.total, "400000.00");
    assert_eq!(under_xiamen.split.district_share, "120000.00");
    // Before Xiamen's rules start, a Xiamen line has no policy in force.
    let early = request(
        "350203",
        &[(
            "b",
            "STANDARD_LEAD",
            "NATIONAL",
            "GB/T 5-2020",
            "2020-01-01",
        )],
    );
    assert_eq!(
        assess(&both, &early).lines[0].reason_code,
        "NO_POLICY_IN_FORCE"
    );
}

#[test]
fn the_content_hash_is_stable_and_sensitive() {
    let a = Ruleset::from_json(FZ_2016_JSON).unwrap();
    // Re-serialising with other white space and field order gives the same hash.
    let v: serde_json::Value = serde_json::from_str(FZ_2016_JSON).unwrap();
    let b = Ruleset::from_json(&serde_json::to_string_pretty(&v).unwrap()).unwrap();
    assert_eq!(a.hash(), b.hash());
    assert!(a.hash().starts_with("sha256:") && a.hash().len() == 71);
    let changed = FZ_2016_JSON.replacen("\"amountWan\": \"30\"", "\"amountWan\": \"30.0001\"", 1);
    assert_ne!(Ruleset::from_json(&changed).unwrap().hash(), a.hash());
}

fn refused(text: &str) -> String {
    match Ruleset::from_json(text) {
        Err(e) => {
            assert_eq!(e.code(), "INVALID_RULESET");
            // Chinese first: the problem said in Chinese, not in English
            // behind a Chinese prefix.
            let zh = e.message_zh();
            assert!(zh.starts_with("规则集无效:规则集"), "{zh}");
            assert!(!zh.contains("ruleset") && !zh.contains(" is "), "{zh}");
            e.to_string()
        }
        Ok(_) => panic!("ruleset accepted"),
    }
}

#[test]
fn invalid_rulesets_are_refused() {
    let doc: RulesetDoc = serde_json::from_str(FZ_2016_JSON).unwrap();
    let with = |f: &dyn Fn(&mut RulesetDoc)| {
        let mut d = doc.clone();
        f(&mut d);
        serde_json::to_string(&d).unwrap()
    };
    type Change = Box<dyn Fn(&mut RulesetDoc)>;
    let cases: Vec<(Change, &str)> = vec![
        (
            Box::new(|d| d.items[0].variants[0].amount_wan = Some("-5".into())),
            "amount",
        ),
        (
            Box::new(|d| d.items[0].variants[0].amount_wan = Some("0".into())),
            "positive",
        ),
        (
            Box::new(|d| d.items[1].citation_zh = " ".into()),
            "citation",
        ),
        (
            Box::new(|d| d.items[1].id = "STANDARD_LEAD".into()),
            "repeated",
        ),
        (
            Box::new(|d| drop(d.share_table.ratios.pop())),
            "share ratio",
        ),
        (
            Box::new(|d| d.share_table.ratios[0].district_ratio = "1.5".into()),
            "between 0 and 1",
        ),
        (
            Box::new(|d| d.top_up.counted_levels.push("FUNDING_LEVEL_CITY".into())),
            "funding level",
        ),
        (
            Box::new(|d| d.effective_from = "2016-02-30".into()),
            "not a date",
        ),
        (
            Box::new(|d| d.effective_to = Some("2015-01-01".into())),
            "before",
        ),
        (
            Box::new(|d| d.items[9].variants[0].amount_wan = Some("1".into())),
            "discretionary",
        ),
        (
            Box::new(|d| d.items[7].variants[0].not_covered_en = None),
            "not-covered",
        ),
    ];
    for (change, needle) in cases {
        let message = refused(&with(&*change));
        assert!(
            message.contains(needle),
            "{message} should mention {needle}"
        );
    }
    assert!(refused("{\"id\":\"x\"}").contains("does not parse"));
    // A value of the wrong JSON type is said plainly, with its position.
    let mut v: serde_json::Value = serde_json::from_str(FZ_2016_JSON).unwrap();
    v["items"][0]["variants"][0]["amountWan"] = serde_json::json!(50);
    let e = Ruleset::from_json(&v.to_string()).unwrap_err();
    let report = e.to_report();
    assert!(
        report.message_en.contains("the value at line 1 column ")
            && report
                .message_en
                .ends_with("must be a string, not the number 50"),
        "{}",
        report.message_en
    );
    assert!(
        report.message_zh.contains("列的值应为字符串,而不是数字50"),
        "{}",
        report.message_zh
    );
}

#[test]
fn versions_of_one_id_must_tile_without_gaps_or_overlaps() {
    let doc: RulesetDoc = serde_json::from_str(FZ_2016_JSON).unwrap();
    let version = |v: &str, from: &str, to: Option<&str>| {
        let mut d = doc.clone();
        d.version = v.into();
        d.effective_from = from.into();
        d.effective_to = to.map(String::from);
        Ruleset::from_doc(d).unwrap()
    };
    let ok = RuleBook::new(vec![
        version("1", "2016-04-25", Some("2020-12-31")),
        version("2", "2021-01-01", None),
    ]);
    assert!(ok.is_ok());
    let gap = RuleBook::new(vec![
        version("1", "2016-04-25", Some("2020-12-30")),
        version("2", "2021-01-01", None),
    ]);
    assert!(gap.unwrap_err().to_string().contains("gap"));
    let overlap = RuleBook::new(vec![
        version("1", "2016-04-25", Some("2021-01-01")),
        version("2", "2021-01-01", None),
    ]);
    assert!(overlap.unwrap_err().to_string().contains("overlap"));
    let open = RuleBook::new(vec![
        version("1", "2016-04-25", None),
        version("2", "2021-01-01", None),
    ]);
    assert!(open.unwrap_err().to_string().contains("open-ended"));
    let book = ok.unwrap();
    let d = |s: &str| stdfund_rules::date::Date::parse(s).unwrap();
    let fz = book.default_jurisdiction();
    assert_eq!(fz, "350100");
    assert_eq!(book.in_force(fz, d("2020-12-31")).unwrap().version(), "1");
    assert_eq!(book.in_force(fz, d("2021-01-01")).unwrap().version(), "2");
    assert!(book.in_force(fz, d("2016-04-24")).is_none());
}

#[test]
fn the_catalogue_and_engine_info_describe_the_embedded_ruleset() {
    let c = json::catalog().unwrap();
    assert_eq!(c.rulesets.len(), 1);
    let d = &c.rulesets[0].document;
    assert_eq!(
        (
            d.id.as_str(),
            d.effective_from.as_str(),
            d.effective_to.as_deref()
        ),
        ("fz-2016", "2016-04-25", None)
    );
    // The twelve county-level units, the high-tech zone and 市本级 (RULES.md §5).
    assert_eq!(d.fiscal_units.len(), 14);
    assert_eq!(d.fiscal_units[0].code, "350100");
    assert_eq!(d.fiscal_units[0].name_zh, "市本级");
    assert_eq!(
        d.targets2020.iter().map(|t| t.figure).collect::<Vec<_>>(),
        [15, 2000, 8, 200, 20, 20, 10]
    );
    let info = json::engine_info().unwrap();
    assert_eq!(info.rulesets[0].hash, c.rulesets[0].hash);
    // The amounts of RULES.md §2 are not repeated here: every variant appears
    // in a shared vector whose hand-written `check` holds its figure
    // (`vectors_native::every_clause_of_the_ruleset_appears_in_the_vectors`),
    // so a new variant is the ruleset's JSON plus one vector
    // (ARCHITECTURE.md, "add a clause, item or variant").
}

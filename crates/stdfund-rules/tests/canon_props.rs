//! Properties of the canonical identity of subjects (`stdfund_rules::canon`):
//! total on any string, idempotent, and blind to invisible characters, width
//! and case.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    missing_docs
)]

fn is_nfkc(s: &str) -> bool {
    ComposingNormalizerBorrowed::new_nfkc().is_normalized(s)
}

use icu_normalizer::ComposingNormalizerBorrowed;
use proptest::prelude::*;
use proptest::sample::select;
use stdfund_rules::canon::{self, CanonError};

/// Characters that exercise every branch of the general rule.
const INTERESTING: &[char] = &[
    ' ',
    '\t',
    '\n',
    '\u{3000}',
    '\u{00A0}',
    '\u{2028}',
    '\u{0085}',
    '\u{200B}',
    '\u{200C}',
    '\u{200D}',
    '\u{00AD}',
    '\u{2060}',
    '\u{FEFF}',
    '\u{202A}',
    '\u{202E}',
    '\u{2066}',
    '\u{2069}',
    '\u{200E}',
    '\u{200F}',
    '\u{180E}',
    '\u{FE0F}',
    '\u{E0041}',
    '\u{0000}',
    '\u{0007}',
    '\u{007F}',
    '-',
    '\u{2010}',
    '\u{2013}',
    '\u{2014}',
    '\u{2212}',
    '\u{FE58}',
    '\u{FE63}',
    '\u{FF0D}',
    '\u{2E3A}',
    '/',
    '\u{FF0F}',
    '\u{2215}',
    '\u{2044}',
    '.',
    '。',
    ',',
    '，',
    '、',
    ';',
    '；',
    ':',
    '：',
    '!',
    '！',
    '?',
    '？',
    '…',
    '⋯',
    '(',
    ')',
    '（',
    '）',
    'G',
    'B',
    'T',
    'Z',
    'D',
    'Q',
    'I',
    'S',
    'O',
    'E',
    'C',
    'U',
    'R',
    'g',
    'b',
    't',
    'Ｇ',
    'Ｂ',
    'Ｔ',
    '0',
    '1',
    '2',
    '9',
    '０',
    '１',
    '２',
    'Г',
    'Τ',
    'І',
    'ß',
    'ΐ',
    '\u{0301}',
    '\u{0338}',
    'ﬁ',
    '①',
    '²',
    'ǅ',
    'ᵃ',
    '\u{3164}',
    '项',
    '目',
    '一',
    '〔',
    '〕',
    '号',
    '\u{00A8}',
    '\u{00B4}',
    '\u{0316}',
    '\u{1FBD}',
];

fn any_text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop_oneof![any::<char>(), select(INTERESTING)], 0..48)
        .prop_map(|v| v.into_iter().collect())
}

/// Strings shaped like standard numbers, with noise.
fn standard_like() -> impl Strategy<Value = String> {
    let prefix = select(vec![
        "GB",
        "GB/T",
        "gb / t",
        "GB/Z",
        "GBT",
        "JB/T",
        "YY",
        "DB35",
        "DB35/T",
        "DB3501/T",
        "DB351",
        "DB3500/T",
        "DB350000",
        "DB350100/T",
        "DB350102/T",
        "DB 3500/T",
        "T/CAS",
        "T/ABC1",
        "Q/FZ",
        "ISO",
        "IEC",
        "ISO/IEC",
        "ISO/IEC TR",
        "ISO TR",
        "ITU",
        "ITU-T",
        "ITU-R",
        "ITU-T Rec.",
        "ＧＢ／Ｔ",
        "ГB/T",
        "JGJ/T",
    ]);
    let sep = select(vec!["", " ", "  ", "\u{3000}", "\u{200B}"]);
    let number = "0{0,2}[0-9]{1,6}";
    let tail = prop::collection::vec(
        (
            select(vec![".", "-", ":", " - ", "—", "：", "．"]),
            "0{0,2}[0-9]{1,4}",
        ),
        0..4,
    );
    let series = select(vec![
        "", "Y.", "BT.", "G.", "REC.", "REC ", "REC.Y.", "RECREC.",
    ]);
    let edition = select(vec![
        "",
        " (06/2012)",
        "(2012)",
        " (13/2012)",
        "-2015",
        ":2015",
    ]);
    let end = select(vec!["", "。", ".", " ", "\u{FEFF}"]);
    (prefix, sep, series, number, tail, edition, end).prop_map(|(p, s, series, n, tail, ed, e)| {
        let mut out = format!("{p}{s}{series}{n}");
        for (sep, g) in tail {
            out.push_str(sep);
            out.push_str(&g);
        }
        out.push_str(ed);
        out.push_str(e);
        out
    })
}

/// Strings shaped like committee codes, with noise.
fn committee_like() -> impl Strategy<Value = String> {
    let seg = (
        select(vec![
            "SAC", "TC", "SC", "WG", "SWG", "ISO", "IEC JTC", "FJ", "ｔｃ", "全国",
        ]),
        select(vec!["", " ", "\u{3000}"]),
        "[0-9]{0,3}[A-C]?",
    )
        .prop_map(|(l, s, d)| format!("{l}{s}{d}"));
    (
        prop::collection::vec(seg, 1..4),
        select(vec!["/", " / ", "／", "//"]),
    )
        .prop_map(|(segs, sep)| segs.join(sep))
}

/// Valid subjects of every kind.
const VALID: &[&str] = &[
    "GB/T 12345-2020",
    "GB/T 1.1-2020",
    "DB3501/T 10-2021",
    "T/FZBZ 5-2020",
    "ISO 9001:2015",
    "IEC 60335-2-24:2020",
    "ISO/IEC TR 24028:2020",
    "ITU-T Y.2060 (06/2012)",
    "Q/FZ 001-2020",
    "SAC/TC 28/SC 3",
    "ISO/IEC JTC 1/SC 27",
    "闽标试〔2020〕2号",
    "2019J01-0001",
    "BZ-AAAA-2019-0088",
    "福州茉莉花茶",
    "项目(一)",
    "福州WTO/TBT预警点2020",
];

/// Default-ignorable code points (samples of every range).
const INVISIBLE: &[char] = &[
    '\u{00AD}',
    '\u{034F}',
    '\u{061C}',
    '\u{115F}',
    '\u{17B4}',
    '\u{180B}',
    '\u{180E}',
    '\u{200B}',
    '\u{200C}',
    '\u{200D}',
    '\u{200E}',
    '\u{200F}',
    '\u{202A}',
    '\u{202C}',
    '\u{202E}',
    '\u{2060}',
    '\u{2063}',
    '\u{2066}',
    '\u{2069}',
    '\u{206F}',
    '\u{3164}',
    '\u{FE00}',
    '\u{FE0F}',
    '\u{FEFF}',
    '\u{FFA0}',
    '\u{1BCA0}',
    '\u{1D173}',
    '\u{E0001}',
    '\u{E0041}',
    '\u{E0100}',
];

fn all_three(
    s: &str,
) -> (
    Result<String, CanonError>,
    Result<String, CanonError>,
    Result<String, CanonError>,
) {
    (
        canon::text(s),
        canon::standard_number(s).map(|n| n.canonical()),
        canon::committee(s),
    )
}

fn check_idempotent(s: &str) -> Result<(), TestCaseError> {
    if let Ok(t) = canon::text(s) {
        prop_assert_eq!(canon::text(&t), Ok(t.clone()));
        prop_assert!(is_nfkc(&t), "not NFKC: {:?}", t);
        prop_assert!(!t.starts_with(' ') && !t.ends_with(' ') && !t.contains("  "));
    }
    if let Ok(n) = canon::standard_number(s) {
        let c = n.canonical();
        prop_assert_eq!(canon::standard_number(&c), Ok(n));
        prop_assert_eq!(canon::text(&c), Ok(c.clone()));
    }
    // The number offered for a refused one (D31, a padded local code: C7)
    // is offered on a refusal only, and is accepted and canonical.
    if let Some(m) = canon::standard_number_meant(s) {
        prop_assert!(
            canon::standard_number(s).is_err(),
            "offer on accepted {:?}",
            s
        );
        prop_assert_eq!(canon::standard_number(&m).map(|n| n.canonical()), Ok(m));
    }
    // The reading the engine uses; the lenient `committee` falls back to the
    // general text on a refusal and need not read as itself again.
    if let Ok(Ok(c)) = canon::committee_checked(s) {
        prop_assert_eq!(canon::committee_checked(&c), Ok(Ok(c.clone())));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, .. ProptestConfig::default() })]

    #[test]
    fn total_and_idempotent_on_any_text(s in any_text()) {
        check_idempotent(&s)?;
    }

    #[test]
    fn total_and_idempotent_on_standard_like(s in standard_like()) {
        check_idempotent(&s)?;
    }

    #[test]
    fn total_and_idempotent_on_committee_like(s in committee_like()) {
        check_idempotent(&s)?;
    }

    #[test]
    fn invisible_characters_change_nothing(
        i in 0..VALID.len(),
        inserts in prop::collection::vec((any::<prop::sample::Index>(), select(INVISIBLE)), 1..6),
    ) {
        let valid = VALID[i];
        let mut chars: Vec<char> = valid.chars().collect();
        for (at, c) in inserts {
            let at = at.index(chars.len() + 1);
            chars.insert(at, c);
        }
        let dirty: String = chars.into_iter().collect();
        prop_assert_eq!(all_three(&dirty), all_three(valid), "{:?}", dirty);
    }

    #[test]
    fn width_and_case_change_nothing(i in 0..VALID.len(), lower in any::<bool>()) {
        let valid = VALID[i];
        let wide: String = valid
            .chars()
            .map(|c| match c {
                ' ' => '\u{3000}',
                '!'..='~' => {
                    let c = if lower { c.to_ascii_lowercase() } else { c };
                    char::from_u32(u32::from(c) + 0xFEE0).unwrap()
                }
                _ => c,
            })
            .collect();
        prop_assert_eq!(all_three(&wide), all_three(valid), "{:?}", wide);
    }
}

#[test]
fn every_valid_subject_has_a_canonical_form() {
    for v in VALID {
        assert!(canon::text(v).is_ok(), "{v}");
        assert!(canon::committee(v).is_ok(), "{v}");
    }
    for v in &VALID[..9] {
        assert!(canon::standard_number(v).is_ok(), "{v}");
    }
}

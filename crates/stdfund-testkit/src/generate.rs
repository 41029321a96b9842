//! Seeded random applications for differential and property tests.
//!
//! The generator walks the embedded catalogue, so every item and variant
//! (covered or not) is reachable, and it deliberately produces every edge the
//! rules name: dates before the policy, duplicates, lead/participant
//! conflicts, unmet conditions, mixed funding levels (counted and not),
//! former and excluded seat codes, lower-case and check-failing credit codes,
//! full-width and mis-levelled standard numbers, what-if rulesets, and a
//! share of malformed inputs so that error answers are compared too.

use crate::wire::{Achievement, Applicant, Application, Funding};
use stdfund_rules::ruleset::{self, RulesetDoc};

/// A small deterministic PRNG (SplitMix64); no dependency, same on every platform.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator for this seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// A number in `0..n` (`0` when `n == 0`).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        (self.next_u64() % n as u64) as usize
    }
    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }
    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let i = self.below(items.len());
        &items[i]
    }
}

const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [usize; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// A credit code with a correct check character.
pub fn valid_credit_code(rng: &mut Rng) -> String {
    let mut body: Vec<u8> = b"91350100".to_vec();
    while body.len() < 17 {
        body.push(ALPHABET[rng.below(31)]);
    }
    let sum: usize = body
        .iter()
        .zip(WEIGHTS)
        .map(|(c, w)| ALPHABET.iter().position(|a| a == c).unwrap_or(0) * w)
        .sum();
    body.push(ALPHABET[(31 - sum % 31) % 31]);
    String::from_utf8(body).unwrap_or_default()
}

fn credit_code(rng: &mut Rng) -> String {
    let code = valid_credit_code(rng);
    match rng.below(20) {
        0 => code.to_ascii_lowercase(),
        1 => {
            // Wrong check character: a warning, not an error.
            let mut b = code.into_bytes();
            let last = b.len() - 1;
            let pos = ALPHABET.iter().position(|a| *a == b[last]).unwrap_or(0);
            b[last] = ALPHABET[(pos + 1 + rng.below(29)) % 31];
            String::from_utf8(b).unwrap_or_default()
        }
        2 => "91350100M000100Y4".into(), // malformed: 17 characters
        _ => code,
    }
}

const SEATS: [&str; 19] = [
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
    "350182",
    "350128",
    "350203",
    "110101",
    "350102",
    "350104",
];

const STANDARD_CODES: [(&str, &str); 12] = [
    ("GB/T", "NATIONAL"),
    ("GB", "NATIONAL"),
    ("GB/Z", "NATIONAL"),
    ("ISO", "INTERNATIONAL"),
    ("ISO/IEC", "INTERNATIONAL"),
    ("IEC", "INTERNATIONAL"),
    ("JB/T", "INDUSTRY"),
    ("HG/T", "INDUSTRY"),
    ("DB35/T", "LOCAL"),
    ("DB3501/T", "LOCAL"),
    ("T/FZBZ", "GROUP"),
    ("Q/FZ", ""),
];

fn fullwidth(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            ' ' => '\u{3000}',
            '!'..='~' => char::from_u32(c as u32 + 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

fn standard_subject(rng: &mut Rng, variant: &str, pool: &mut Vec<String>) -> String {
    if !pool.is_empty() && rng.chance(30) {
        // Reuse a subject: produces duplicates and lead/participant conflicts.
        let s = rng.pick(pool).clone();
        return if rng.chance(30) { s.to_lowercase() } else { s };
    }
    let matching: Vec<&(&str, &str)> = STANDARD_CODES
        .iter()
        .filter(|(_, l)| *l == variant)
        .collect();
    let (code, _) = if !matching.is_empty() && rng.chance(85) {
        **rng.pick(&matching)
    } else {
        *rng.pick(&STANDARD_CODES)
    };
    let year = 2010 + rng.below(20);
    let sep = if code.starts_with("ISO") || code.starts_with("IEC") {
        ":"
    } else {
        "-"
    };
    let s = format!("{code} {}{sep}{year}", 1000 + rng.below(40000));
    pool.push(s.clone());
    match rng.below(10) {
        0 => fullwidth(&s),
        1 => s.replace('-', "—").replace(' ', ""),
        2 => s.to_lowercase(),
        _ => s,
    }
}

fn date(rng: &mut Rng) -> String {
    let year = if rng.chance(8) {
        2010 + rng.below(6)
    } else {
        2016 + rng.below(12)
    };
    let month = 1 + rng.below(12);
    let day = 1 + rng.below(28);
    if rng.chance(4) && year == 2016 {
        return if rng.chance(50) {
            "2016-04-24".into()
        } else {
            "2016-04-25".into()
        };
    }
    format!("{year:04}-{month:02}-{day:02}")
}

fn amount(rng: &mut Rng) -> String {
    match rng.below(8) {
        0 => format!("{}", rng.below(600_000)),
        1 => format!("{}.{:02}", rng.below(600_000), rng.below(100)),
        2 => format!("{}.5", rng.below(100_000)),
        3 => "300000".into(),
        4 => "0".into(),
        _ => format!("{}", rng.below(50) * 10_000),
    }
}

fn funding(rng: &mut Rng) -> Vec<Funding> {
    let n = if rng.chance(60) { 0 } else { 1 + rng.below(3) };
    (0..n)
        .map(|_| Funding {
            level: (*rng.pick(&[
                "FUNDING_LEVEL_NATIONAL",
                "FUNDING_LEVEL_PROVINCIAL",
                "FUNDING_LEVEL_PROVINCIAL",
                "FUNDING_LEVEL_COUNTY",
                "FUNDING_LEVEL_NON_FISCAL",
            ]))
            .into(),
            amount: amount(rng),
            source: if rng.chance(50) {
                "福建省市场监督管理局".into()
            } else {
                String::new()
            },
        })
        .collect()
}

/// A malformed variation of a valid application (for error-path differential tests).
fn break_it(rng: &mut Rng, app: &mut Application) {
    let which = rng.below(8);
    let Some(a) = app.achievements.first_mut() else {
        app.applicant.seat = "FZ".into();
        return;
    };
    match which {
        0 => a.date = "2020-02-30".into(),
        1 => a.item = "NO_SUCH_ITEM".into(),
        2 => a.variant = "AAAAAA".into(),
        3 => a.higher_level_funding.push(Funding {
            level: "FUNDING_LEVEL_PROVINCIAL".into(),
            amount: "-1".into(),
            source: String::new(),
        }),
        4 => a.role = "ROLE_BOSS".into(),
        5 => app.applicant.seat = String::new(),
        6 => a.subject = "  ".into(),
        _ => a.higher_level_funding.push(Funding {
            level: "FUNDING_LEVEL_PROVINCIAL".into(),
            amount: "1.005".into(),
            source: String::new(),
        }),
    }
}

/// A what-if ruleset: the embedded one with some amounts changed.
pub fn what_if_ruleset(rng: &mut Rng) -> String {
    let Ok(book) = ruleset::embedded() else {
        return String::new();
    };
    let Some(rs) = book.current(book.default_jurisdiction()) else {
        return String::new();
    };
    let mut doc: RulesetDoc = rs.doc().clone();
    doc.version = format!("what-if-{}", rng.below(1000));
    for item in &mut doc.items {
        for v in &mut item.variants {
            if v.amount_wan.is_some() && rng.chance(50) {
                v.amount_wan = Some(format!("{}.{}", 1 + rng.below(80), rng.below(10)));
            }
        }
    }
    serde_json::to_string(&doc).unwrap_or_default()
}

/// A random application for this seed. About 5% are malformed on purpose.
pub fn application(seed: u64) -> Application {
    let mut rng = Rng::new(seed);
    let Ok(book) = ruleset::embedded() else {
        return Application::default();
    };
    let Some(rs) = book.current(book.default_jurisdiction()) else {
        return Application::default();
    };
    let items = rs.items();
    let n = 1 + rng.below(8);
    let mut pool = Vec::new();
    let mut achievements = Vec::with_capacity(n);
    for i in 0..n {
        let item = rng.pick(items);
        let variant = rng.pick(&item.variants);
        let subject = match item.doc.id.as_str() {
            "STANDARD_LEAD" | "STANDARD_PARTICIPANT" | "AWARD_CHINA" | "AWARD_FUJIAN" => {
                standard_subject(&mut rng, &variant.doc.id, &mut pool)
            }
            "TC_SECRETARIAT" => format!(
                "{} {}",
                rng.pick(&["SAC/TC", "ISO/TC", "sac/tc", "FJ/TC"]),
                1 + rng.below(30)
            ),
            _ => format!("FZ-{}-{:03}", item.doc.id, rng.below(12)),
        };
        achievements.push(Achievement {
            id: format!("a{}", i + 1),
            item: item.doc.id.clone(),
            variant: variant.doc.id.clone(),
            subject,
            date: date(&mut rng),
            role: (*rng.pick(&[
                "",
                "",
                "ROLE_LEAD",
                "ROLE_LEAD",
                "ROLE_PARTICIPANT",
                "ROLE_UNSPECIFIED",
            ]))
            .into(),
            accepted: rng.chance(75),
            approved: rng.chance(75),
            higher_level_funding: funding(&mut rng),
        });
    }
    let mut app = Application {
        applicant: Applicant {
            credit_code: credit_code(&mut rng),
            name: (*rng.pick(&[
                "福州示例科技有限公司",
                "Fuzhou Example Co.",
                "福建省某研究院",
                "",
            ]))
            .into(),
            seat: (*rng.pick(&SEATS)).into(),
        },
        achievements,
        what_if_ruleset: String::new(),
    };
    if rng.chance(3) {
        app.what_if_ruleset = what_if_ruleset(&mut rng);
    }
    if rng.chance(5) {
        break_it(&mut rng, &mut app);
    }
    app
}

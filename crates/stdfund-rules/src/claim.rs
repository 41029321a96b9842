//! The registry's policy, pure: what a claim is keyed by, whether a line can
//! be claimed, how an amount set outside an estimate is split. The server's
//! registry calls these and stores what they return; it decides nothing
//! itself.

use crate::date::Date;
use crate::domain::{Line, LineStatus, ShareUse};
use crate::error::Error;
use crate::ident::CreditCode;
use crate::money::Money;
use crate::ruleset::{CountedItemDoc, FiscalUnitDoc, RuleBook, Ruleset, TargetVisibility};
use std::collections::BTreeSet;

/// The first budget year a claim can be paid from: the year the earliest
/// ruleset of the book starts (no budget predates the policy).
pub fn first_budget_year(book: &RuleBook) -> i32 {
    book.rulesets()
        .first()
        .map_or(2016, |r| i32::from(r.effective_from().year()))
}

/// Whether `year` is a budget year the registry accepts: from the policy's
/// first year to 9999.
pub fn is_budget_year(book: &RuleBook, year: i32) -> bool {
    (first_budget_year(book)..=9999).contains(&year)
}

/// Seconds China Standard Time is ahead of UTC (no daylight saving).
const CST_OFFSET_SECONDS: i64 = 8 * 3600;

/// The calendar day in China (UTC+8) of a Unix time, in seconds. The clock
/// is the caller's; this is pure.
pub fn china_date(unix_seconds: i64) -> Option<Date> {
    let local = unix_seconds.checked_add(CST_OFFSET_SECONDS)?;
    Date::from_days_since_epoch(local.div_euclid(86_400))
}

/// Whether an achievement dated `date` can be claimed on `today` (both China
/// days): it is claimed once completed (RULES.md §2: the date the standard
/// was published, the award announced, the project accepted …), so not when
/// dated later. An estimate answers for any date; the registry refuses a
/// claim (`ACHIEVEMENT_IN_FUTURE`, docs/DECISIONS.md B16) and 免申即享 does
/// not propose one (B21).
pub fn completed_by(date: Date, today: Date) -> bool {
    date <= today
}

/// The last day of a notice period (公示期) of `working_days` working days
/// starting on `start` (counted when it is a working day): Saturdays and
/// Sundays are skipped. Public holidays are not known to the rules; an
/// official who needs them sets the end explicitly.
pub fn notice_period_end(start: Date, working_days: u32) -> Option<Date> {
    if working_days == 0 {
        return None;
    }
    let mut day = start;
    let mut counted = 0u32;
    loop {
        if day.iso_weekday() <= 5 {
            counted = counted.saturating_add(1);
            if counted == working_days {
                return Some(day);
            }
        }
        day = day.next_day()?;
    }
}

/// An approved claim, as far as target progress needs it.
#[derive(Clone, Copy, Debug)]
pub struct CountedClaim<'c> {
    /// Item id.
    pub item: &'c str,
    /// Variant id.
    pub variant: &'c str,
    /// Canonical subject.
    pub subject: &'c str,
}

/// Progress toward one 2020 target (or a combined entry).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetProgress {
    /// Target (or group) id.
    pub id: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// The figure.
    pub figure: u32,
    /// The counting unit.
    pub unit_zh: String,
    /// How much the registry sees.
    pub visibility: TargetVisibility,
    /// Distinct subjects counted.
    pub achieved: i64,
    /// What was counted, `ITEM` or `ITEM/VARIANT`.
    pub counted: Vec<String>,
    /// What the count means (Chinese).
    pub note_zh: String,
    /// What the count means (English).
    pub note_en: String,
}

fn count(claims: &[CountedClaim<'_>], counted: &[CountedItemDoc]) -> i64 {
    let subjects: BTreeSet<&str> = claims
        .iter()
        .filter(|c| {
            counted
                .iter()
                .any(|k| c.item == k.item && k.variant.as_deref().is_none_or(|v| c.variant == v))
        })
        .map(|c| c.subject)
        .collect();
    i64::try_from(subjects.len()).unwrap_or(i64::MAX)
}

fn labels(counted: &[CountedItemDoc]) -> Vec<String> {
    counted
        .iter()
        .map(|c| match &c.variant {
            Some(v) => format!("{}/{v}", c.item),
            None => c.item.clone(),
        })
        .collect()
}

/// What the registry cannot count for a target with no counting rule.
const UNMAPPED_ZH: &str = "该目标没有对应的资助项目,登记系统无法统计。";
const UNMAPPED_EN: &str =
    "No grant item corresponds to this target, so the registry cannot count it.";

/// Progress toward a ruleset's 2020 targets from approved claims (RULES.md
/// §6): one entry per target in the ruleset's order, then one per combined
/// group (its figure the sum of its members').
pub fn target_progress(rs: &Ruleset, claims: &[CountedClaim<'_>]) -> Vec<TargetProgress> {
    let doc = rs.doc();
    let mut out = Vec::with_capacity(doc.targets2020.len().saturating_add(1));
    for t in &doc.targets2020 {
        let (visibility, achieved, counted, zh, en) = match &t.counting {
            Some(c) if c.group.is_none() => (
                c.visibility,
                count(claims, &c.counted),
                labels(&c.counted),
                c.note_zh.clone(),
                c.note_en.clone(),
            ),
            Some(c) => {
                // The note names its group by id: officials read the group's name.
                let group = c
                    .group
                    .as_deref()
                    .and_then(|id| doc.target_groups2020.iter().find(|g| g.id == id));
                let (zh, en) = match group {
                    Some(g) => (
                        c.note_zh.replace(
                            &g.id,
                            &format!("“{}”", g.name_prefix_zh.trim_end_matches([':', '：'])),
                        ),
                        c.note_en.replace(&g.id, &format!("“{}”", g.name_en)),
                    ),
                    None => (c.note_zh.clone(), c.note_en.clone()),
                };
                (TargetVisibility::None, 0, Vec::new(), zh, en)
            }
            None => (
                TargetVisibility::None,
                0,
                Vec::new(),
                UNMAPPED_ZH.into(),
                UNMAPPED_EN.into(),
            ),
        };
        out.push(TargetProgress {
            id: t.id.clone(),
            name_zh: t.name_zh.clone(),
            name_en: t.name_en.clone(),
            figure: t.figure,
            unit_zh: t.unit_zh.clone(),
            visibility,
            achieved,
            counted,
            note_zh: zh,
            note_en: en,
        });
    }
    for g in &doc.target_groups2020 {
        let members: Vec<_> = doc
            .targets2020
            .iter()
            .filter(|t| {
                t.counting
                    .as_ref()
                    .and_then(|c| c.group.as_ref())
                    .is_some_and(|x| *x == g.id)
            })
            .collect();
        if members.is_empty() {
            continue;
        }
        let figure = members.iter().fold(0u32, |n, t| n.saturating_add(t.figure));
        let names: Vec<&str> = members.iter().map(|t| t.name_zh.as_str()).collect();
        out.push(TargetProgress {
            id: g.id.clone(),
            name_zh: format!("{}{}", g.name_prefix_zh, names.join("、")),
            name_en: g.name_en.clone(),
            figure,
            unit_zh: g.unit_zh.clone(),
            visibility: g.visibility,
            achieved: count(claims, &g.counted),
            counted: labels(&g.counted),
            note_zh: g.note_zh.replace("{figure}", &figure.to_string()),
            note_en: g.note_en.replace("{figure}", &figure.to_string()),
        });
    }
    out
}

/// The claim registry's one-time key of an assessed line (registry decisions
/// R2/R3): credit code, item group and subject. Stricter than the line's own
/// key, it leaves out the variant, and a participation item keys under the
/// lead item it conflicts with (`conflictsWithItem`), so a unit can hold a
/// lead or a participation claim on one standard, never both. The subject
/// carries the award year for awards. Rendered `CREDIT|GROUP|SUBJECT[@YEAR]`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RegistryKey {
    /// The applicant, with the check character its first 17 characters call
    /// for ([`CreditCode::with_check_recomputed`]): a code confirmed despite
    /// a check mismatch keys as the unit it names (docs/DECISIONS.md R23).
    pub credit_code: CreditCode,
    /// The item, or the lead item a participation item conflicts with.
    pub group: String,
    /// The canonical subject, with `@YEAR` for awards.
    pub subject: String,
}

impl RegistryKey {
    /// The key of a line of an application by `credit_code`; `None` when the
    /// item is in no ruleset of the book.
    pub fn of(
        book: &RuleBook,
        credit_code: CreditCode,
        line: &Line<'_, '_>,
    ) -> Option<RegistryKey> {
        let a = line.achievement;
        let jurisdiction = line.ruleset.map_or_else(
            || book.default_jurisdiction(),
            |r| r.jurisdiction().code.as_str(),
        );
        let item = book.any_item(jurisdiction, a.item)?;
        let group = item
            .doc
            .conflicts_with_item
            .as_deref()
            .unwrap_or(a.item)
            .to_string();
        let mut subject = String::with_capacity(a.subject.text.len().saturating_add(5));
        a.key().write_subject(&mut subject);
        Some(RegistryKey {
            credit_code: credit_code.with_check_recomputed(),
            group,
            subject,
        })
    }
}

impl std::fmt::Display for RegistryKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}|{}|{}", self.credit_code, self.group, self.subject)
    }
}

/// The canonical registry key of a stored claim's achievement: what a
/// claim filed before the canonical identity of subjects (or before the key
/// took the recomputed check character of its credit code) is re-keyed to.
/// `None` when the item is unknown or the subject has no canonical form
/// (a reviewer resolves such a claim by hand).
pub fn canonical_registry_key(
    book: &RuleBook,
    credit_code: &str,
    item: &str,
    subject: &str,
    date: Date,
) -> Option<RegistryKey> {
    let (code, _) = CreditCode::parse(credit_code)?;
    let doc = book.any_item(book.default_jurisdiction(), item)?;
    let (canonical, award_year) =
        crate::subject::canonical(doc.doc.subject_kind, subject, date).ok()?;
    let group = doc
        .doc
        .conflicts_with_item
        .as_deref()
        .unwrap_or(item)
        .to_string();
    let mut s = canonical.text;
    if let Some(y) = award_year {
        s.push('@');
        s.push_str(&y.to_string());
    }
    Some(RegistryKey {
        credit_code: code.with_check_recomputed(),
        group,
        subject: s,
    })
}

/// Whether a line's subject is a standard number without its year
/// (`GB/T 88001`, `ISO 72012`, or a year typed as a part, `GB/T 72011.2020`).
/// The year names the edition (RULES.md §5: "a revised standard carries a
/// new year, so it is a new subject"), so such a number names no achievement
/// the registry could hold once: a claim must give it (docs/DECISIONS.md
/// R23). An estimate still reads it.
pub fn edition_unnamed(line: &Line<'_, '_>) -> bool {
    let subject = &line.achievement.subject;
    subject.standard.is_some()
        && crate::canon::standard_number(&subject.text).is_ok_and(|n| n.year().is_none())
}

/// The year of the edition a canonical standard subject names (`GB/T
/// 7714-2015` → 2015), if it is a standard number with one.
pub fn edition_year(subject: &str) -> Option<u16> {
    let n = crate::canon::standard_number(subject).ok()?;
    n.year().and_then(|y| y.parse().ok())
}

/// Whether the edition a standard subject names can exist on `today`: its
/// year is not after today's (`GB/T 89701-2099` is an edition no one has
/// published yet, so it is no achievement to claim; docs/DECISIONS.md R28).
/// A subject that is no standard number, or names no year, passes.
pub fn edition_published_by(subject: &str, today: Date) -> bool {
    edition_year(subject).is_none_or(|y| y <= today.year())
}

/// Whether a line can be claimed in the registry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Claimable {
    /// An eligible line with an amount above zero: its payable amount.
    Amount(Money),
    /// A discretionary line: a reviewer sets the amount at approval.
    Discretionary,
}

/// Why a line cannot be claimed: it is not payable (the registry refuses to
/// store it, decision R-refuse).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NotClaimable {
    /// The line's status.
    pub status: LineStatus,
}

/// Whether a line can be claimed.
pub fn claimable(line: &Line<'_, '_>) -> Result<Claimable, NotClaimable> {
    match line.status() {
        LineStatus::Discretionary => Ok(Claimable::Discretionary),
        LineStatus::Eligible if !line.amounts.payable.is_zero() => {
            Ok(Claimable::Amount(line.amounts.payable))
        }
        status => Err(NotClaimable { status }),
    }
}

/// The split of one amount (RULES.md §4), for amounts set outside an
/// estimate: a reviewer's amount on a discretionary claim, or a frozen
/// approved amount at disbursement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AmountSplit<'r> {
    /// The fiscal unit the seat resolves to.
    pub unit: &'r FiscalUnitDoc,
    /// The municipal treasury's share.
    pub municipal_share: Money,
    /// The district's share (amount × ratio, half-up to the fen).
    pub district_share: Money,
    /// The share table, ratio and entry used.
    pub share: ShareUse<'r>,
}

/// Splits `amount` for an applicant seated at `seat` and an achievement dated
/// `date`, with the share table of the ruleset in force on that date.
pub fn split_amount<'r>(
    book: &'r RuleBook,
    seat: &str,
    date: Date,
    amount: Money,
) -> Result<AmountSplit<'r>, Error> {
    let place = book.place_or_refuse(seat, "seat")?;
    let unit = place.unit().ok_or_else(|| Error::InvalidSeat {
        path: "seat".into(),
        value: seat.into(),
        hint: None,
    })?;
    let rs = book
        .in_force(&place.jurisdiction().code, date)
        .ok_or_else(|| Error::InvalidDate {
            path: "date".into(),
            value: date.to_string(),
            hint: crate::date::DateHint::Unknown,
        })?;
    let (ratio, entry) = rs.share_ratio_or_refuse(&unit.code)?;
    let overflow = || Error::AmountOutOfRange {
        path: "amount".into(),
    };
    let district = amount.share(ratio).ok_or_else(overflow)?;
    let municipal = amount.checked_sub(district).ok_or_else(overflow)?;
    Ok(AmountSplit {
        unit,
        municipal_share: municipal,
        district_share: district,
        share: ShareUse {
            table: rs.share_table(),
            ratio,
            entry,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ruleset;

    #[test]
    fn an_edition_after_this_year_is_not_published() {
        let today = Date::parse("2026-12-05").unwrap();
        for (subject, ok) in [
            ("GB/T 7714-2015", true),
            ("GB/T 89701-2026", true),
            ("GB/T 89701-2027", false),
            ("ISO 89502-2099", false),
            ("GB/T 88001", true),
            ("SAC/TC 28", true),
            ("福州茉莉花茶", true),
        ] {
            assert_eq!(edition_published_by(subject, today), ok, "{subject}");
        }
        assert_eq!(edition_year("GB/T 7714-2015"), Some(2015));
    }

    #[test]
    fn the_embedded_targets_are_all_reported() {
        let book = ruleset::embedded().unwrap();
        let rs = book.current(book.default_jurisdiction()).unwrap();
        let claims = [
            CountedClaim {
                item: "STANDARD_LEAD",
                variant: "GROUP",
                subject: "T/FZ 1-2020",
            },
            CountedClaim {
                item: "STANDARD_LEAD",
                variant: "GROUP",
                subject: "T/FZ 1-2020",
            },
            CountedClaim {
                item: "STANDARD_LEAD",
                variant: "NATIONAL",
                subject: "GB/T 1-2020",
            },
            CountedClaim {
                item: "DEMONSTRATION_PILOT",
                variant: "NATIONAL",
                subject: "A",
            },
            CountedClaim {
                item: "DEMONSTRATION_PILOT",
                variant: "MUNICIPAL",
                subject: "B",
            },
        ];
        let p = target_progress(rs, &claims);
        let ids: Vec<&str> = p.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "GROUP_STANDARDS",
                "ENTERPRISE_STANDARDS_PUBLIC",
                "NATIONAL_TC_HOSTED",
                "NEW_STANDARDS",
                "AGRICULTURAL_DEMONSTRATION_ZONES",
                "INDUSTRIAL_PILOTS",
                "SERVICE_PILOTS",
                "PILOTS_COMBINED"
            ]
        );
        assert_eq!(p[0].achieved, 1, "one group standard, counted once");
        assert_eq!(p[3].achieved, 1);
        assert_eq!(p[1].visibility, TargetVisibility::None);
        let combined = p.last().unwrap();
        assert_eq!((combined.figure, combined.achieved), (50, 2));
        assert!(combined.name_zh.starts_with("示范(试点)合计:"));
        assert!(combined.note_zh.contains("目标之和50比较"));
        // A note names its group by the group's name, not its id.
        let industrial = &p[5];
        assert!(
            industrial.note_zh.contains("合并统计见“示范(试点)合计”"),
            "{}",
            industrial.note_zh
        );
        assert!(!industrial.note_en.contains("PILOTS_COMBINED"));
    }

    #[test]
    fn an_achievement_is_claimed_once_completed() {
        let d = |s: &str| Date::parse(s).unwrap();
        assert!(completed_by(d("2026-12-04"), d("2026-12-04")));
        assert!(completed_by(d("2020-05-01"), d("2026-12-04")));
        assert!(!completed_by(d("2026-12-05"), d("2026-12-04")));
    }

    #[test]
    fn notice_periods_skip_weekends_and_china_days_are_utc_plus_8() {
        let d = |s: &str| Date::parse(s).unwrap();
        // 2026-12-04 is a Friday: five working days end on Thursday 12-10.
        assert_eq!(notice_period_end(d("2026-12-04"), 5), Some(d("2026-12-10")));
        // Starting on a Saturday, the first working day is Monday.
        assert_eq!(notice_period_end(d("2026-12-05"), 1), Some(d("2026-12-07")));
        assert_eq!(notice_period_end(d("2026-12-05"), 0), None);
        // 2026-12-01T16:00:00Z is midnight in China.
        assert_eq!(china_date(1_796_140_800), Some(d("2026-12-02")));
        assert_eq!(china_date(1_796_140_799), Some(d("2026-12-01")));
    }

    #[test]
    fn split_amount_matches_the_line_split() {
        let book = ruleset::embedded().unwrap();
        let amount = Money::parse_yuan("99999.97").unwrap();
        let date = Date::parse("2020-05-01").unwrap();
        let s = split_amount(book, "350182", date, amount).unwrap();
        assert_eq!(s.unit.code, "350112");
        assert_eq!(s.district_share.to_canonical(), "49999.99");
        assert_eq!(s.municipal_share.to_canonical(), "49999.98");
        assert!(s.share.provisional());
        // 市本级: the municipal treasury bears it all, under a decided ratio.
        let city = split_amount(book, "350100", date, amount).unwrap();
        assert_eq!(city.unit.name_zh, "市本级");
        assert_eq!(city.district_share, Money::ZERO);
        assert_eq!(city.municipal_share, amount);
        assert!(!city.share.provisional());
        assert!(split_amount(book, "350128", date, amount).is_err());
        let early = Date::parse("2015-05-01").unwrap();
        assert!(split_amount(book, "350102", early, amount).is_err());
    }
}

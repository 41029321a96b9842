//! Evaluation: a validated [`Application`] and a [`RuleBook`] in, an
//! [`Assessment`] out.
//!
//! Pure and deterministic: no clock, no I/O, no floats, no hash-map
//! iteration. Each line is decided by the ordered steps of RULES.md §7 — each
//! step lives in its own module under [`crate::reasons`]; the first that
//! applies decides. Nothing here builds text: lines carry typed reasons and
//! amounts, and explanations are rendered at the edge.
//!
//! [`assess`] is the entry point for a request: it picks the book (embedded,
//! or the request's what-if ruleset), reads the request into the domain
//! ([`crate::request`]), evaluates, and hands the assessment to a renderer.

use crate::domain::{Achievement, Amounts, Application, Assessment, Line, ShareUse};
use crate::error::Error;
use crate::json::dto::EstimateRequest;
use crate::money::Money;
use crate::reasons::{
    Reason, condition, conflicts, discretionary, duplicate, eligible, no_policy, not_covered,
    outside,
};
use crate::ruleset::{self, Item, RuleBook, Ruleset, Variant};
use crate::seen::{FirstSeen, hash_str};
use crate::warnings::{Warning, credit_code, level, seat};

/// The engine version carried in every receipt.
pub const ENGINE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// At most this many achievements in one application.
pub const MAX_ACHIEVEMENTS: usize = 200;
/// At most this many funding entries per achievement.
pub const MAX_FUNDING_ENTRIES: usize = 20;
/// At most this many characters in a text field.
pub const MAX_TEXT_CHARS: usize = 200;
/// At most this many bytes in a what-if ruleset document.
pub const MAX_RULESET_BYTES: usize = 256 * 1024;

/// Assesses a request and renders the assessment with `render`: under the
/// request's what-if ruleset when it carries one, otherwise under the
/// embedded rulesets.
pub fn assess<T>(
    request: &EstimateRequest<'_>,
    render: impl FnOnce(&Assessment<'_, '_>) -> T,
) -> Result<T, Error> {
    let what_if = request.what_if_ruleset.trim();
    if what_if.is_empty() {
        assess_with(ruleset::embedded()?, request, false, render)
    } else {
        if request.what_if_ruleset.len() > MAX_RULESET_BYTES {
            return Err(Error::FieldTooLong {
                path: "whatIfRuleset".into(),
                limit: MAX_RULESET_BYTES,
                bytes: true,
            });
        }
        let book = RuleBook::new(vec![Ruleset::from_json(&request.what_if_ruleset)?])?;
        assess_with(&book, request, true, render)
    }
}

/// Assesses a request under a given book.
pub fn assess_with<T>(
    book: &RuleBook,
    request: &EstimateRequest<'_>,
    what_if: bool,
    render: impl FnOnce(&Assessment<'_, '_>) -> T,
) -> Result<T, Error> {
    let app = crate::request::read(book, request, what_if)?;
    let assessment = evaluate(book, &app)?;
    Ok(render(&assessment))
}

/// What one decision step settled for a line.
struct Decided<'r> {
    reason: Reason<'r>,
    ruleset: Option<&'r Ruleset>,
    item: Option<&'r Item>,
    variant: Option<&'r Variant>,
    amounts: Amounts,
}

impl<'r> Decided<'r> {
    fn ineligible(reason: Reason<'r>) -> Decided<'r> {
        Decided {
            reason,
            ruleset: None,
            item: None,
            variant: None,
            amounts: Amounts::default(),
        }
    }
}

/// Per-application state the steps share.
struct State<'x, 'r> {
    /// Keys of lines that passed steps 1–2, with the first such line.
    passed: FirstSeen<crate::domain::LineKey<'x>>,
    /// `(item, canonical subject)` of every line, built when a step needs it.
    subjects: Option<FirstSeen<(&'x str, &'x str)>>,
    warnings: Vec<Warning<'x, 'r>>,
}

/// Evaluates a validated application under a book.
pub fn evaluate<'x, 'r>(
    book: &'r RuleBook,
    app: &'x Application<'x, 'r>,
) -> Result<Assessment<'x, 'r>, Error> {
    let place = app.applicant.place;
    let jurisdiction = place.jurisdiction().code.as_str();
    let mut state = State {
        // Keys of one subject are few: the subject (and award year) hash.
        passed: FirstSeen::with_capacity(app.achievements.len(), |k| {
            hash_str(k.subject) ^ u64::from(k.award_year.unwrap_or(0))
        }),
        subjects: None,
        warnings: Vec::new(),
    };
    if let Some(w) = credit_code::check(app.applicant.check) {
        state.warnings.push(Warning::CreditCodeCheckMismatch(w));
    }
    if let Some(w) = seat::check(app.applicant.seat, place) {
        state.warnings.push(Warning::SeatCodeMapped(w));
    }
    let outside = outside::check(place);

    let mut lines = Vec::with_capacity(app.achievements.len());
    let mut used: Vec<&'r Ruleset> = Vec::new();
    let mut tables: Vec<ShareUse<'r>> = Vec::new();
    let (mut total, mut municipal_total, mut district_total) =
        (Money::ZERO, Money::ZERO, Money::ZERO);
    for (index, a) in app.achievements.iter().enumerate() {
        let rs = book.in_force(jurisdiction, a.date);
        if let Some(rs) = rs
            && !used.iter().any(|u| u.hash() == rs.hash())
        {
            used.push(rs);
        }
        let mut d = match (outside, rs) {
            (Some(o), _) => Decided::ineligible(Reason::OutsideJurisdiction(o)),
            (None, None) => Decided::ineligible(Reason::NoPolicyInForce(no_policy::NoPolicy {
                first_start: book.earliest_start(jurisdiction),
            })),
            (None, Some(rs)) => decide(rs, app, index, a, &mut state)?,
        };
        // The split (RULES.md §4), per line.
        let mut share_table = None;
        if let (Some(rs), Some(unit), false) =
            (d.ruleset, place.unit(), d.amounts.payable.is_zero())
        {
            let table = rs.share_table();
            let (ratio, entry) = rs.share_ratio_or_refuse(&unit.code)?;
            let payable = d.amounts.payable;
            let district = payable.share(ratio).ok_or_else(overflow)?;
            let municipal = payable.checked_sub(district).ok_or_else(overflow)?;
            d.amounts.district_share = district;
            d.amounts.municipal_share = municipal;
            share_table = Some(table);
            municipal_total = municipal_total
                .checked_add(municipal)
                .ok_or_else(overflow)?;
            district_total = district_total.checked_add(district).ok_or_else(overflow)?;
            if !tables
                .iter()
                .any(|t| t.table.id == table.id && t.table.version == table.version)
            {
                let used = ShareUse {
                    table,
                    ratio,
                    entry,
                };
                if used.provisional() {
                    state.warnings.push(Warning::ShareTableProvisional(
                        crate::warnings::share_table::Provisional { table },
                    ));
                }
                tables.push(used);
            }
        }
        total = total.checked_add(d.amounts.payable).ok_or_else(overflow)?;
        lines.push(Line {
            achievement: a,
            index,
            ruleset: d.ruleset,
            item: d.item,
            variant: d.variant,
            reason: d.reason,
            amounts: d.amounts,
            share_table,
        });
    }
    if used.is_empty() {
        used.extend(
            book.rulesets()
                .iter()
                .filter(|r| r.jurisdiction().code == jurisdiction),
        );
    }
    Ok(Assessment {
        application: app,
        lines,
        total,
        municipal_share: municipal_total,
        district_share: district_total,
        share_tables: tables,
        warnings: state.warnings,
        rulesets: used,
    })
}

fn overflow() -> Error {
    Error::AmountOutOfRange {
        path: "achievements".into(),
    }
}

/// Steps 2–7 for a line with a ruleset in force.
fn decide<'x, 'r>(
    rs: &'r Ruleset,
    app: &'x Application<'x, 'r>,
    index: usize,
    a: &'x Achievement<'x, 'r>,
    state: &mut State<'x, 'r>,
) -> Result<Decided<'r>, Error> {
    let mut d = Decided {
        ruleset: Some(rs),
        ..Decided::ineligible(Reason::NotCovered(
            not_covered::NotCovered::ItemNotInRuleset,
        ))
    };
    // 2. Not covered: item, variant or role.
    let Some(item) = rs.item(a.item) else {
        return Ok(d);
    };
    d.item = Some(item);
    match level::check(item, a) {
        Some(level::Found::Mismatch(w)) => state.warnings.push(Warning::LevelMismatch(w)),
        Some(level::Found::Unrecognised(w)) => state.warnings.push(Warning::LevelUnrecognised(w)),
        None => {}
    }
    let Some(variant) = item.variant(a.variant) else {
        d.reason = Reason::NotCovered(not_covered::NotCovered::VariantNotInItem);
        return Ok(d);
    };
    d.variant = Some(variant);
    if let Some(nc) = not_covered::check(item, variant, a.role) {
        d.reason = Reason::NotCovered(nc);
        return Ok(d);
    }
    // 3. Duplicate in request.
    if let Some(earlier) = state.passed.first(a.key(), index) {
        d.reason = Reason::DuplicateInRequest(duplicate::Duplicate { earlier });
        return Ok(d);
    }
    // 4. Conflicts with lead.
    if let Some(lead) = item.doc.conflicts_with_item.as_deref() {
        let subjects = state.subjects.get_or_insert_with(|| {
            let mut all =
                FirstSeen::with_capacity(app.achievements.len(), |k: &(&str, &str)| hash_str(k.1));
            for (i, q) in app.achievements.iter().enumerate() {
                all.first((q.item, q.subject.text.as_str()), i);
            }
            all
        });
        if subjects.contains(&(lead, a.subject.text.as_str())) {
            d.reason = Reason::ConflictsWithLead(conflicts::ConflictsWithLead);
            return Ok(d);
        }
    }
    // 5. Conditions.
    if let Some(p) = condition::check(item, a) {
        d.reason = Reason::Pending(p);
        return Ok(d);
    }
    // 6. Discretionary.
    if let Some(x) = discretionary::check(item) {
        d.reason = Reason::Discretionary(x);
        return Ok(d);
    }
    // 7. Eligible, with the top-up.
    let (how, amounts) = eligible::amounts(rs, variant, a).ok_or_else(overflow)?;
    if !amounts.not_counted.is_zero() {
        state.warnings.push(Warning::FundingNotCounted(
            crate::warnings::funding::NotCounted {
                achievement: a,
                amount: amounts.not_counted,
            },
        ));
    }
    d.reason = Reason::Eligible(how);
    d.amounts = amounts;
    Ok(d)
}

//! Evaluation: an [`Application`] and a [`RuleBook`] in, an [`Assessment`] out.
//!
//! Pure and deterministic: no clock, no I/O, no floats, no hash-map iteration.
//! Each line is decided by the ordered steps of RULES.md §7; the first that
//! applies decides. Money is summed with checked arithmetic.

use crate::date::Date;
use crate::error::Error;
use crate::ident::{self, CreditCode, ImpliedLevel, StandardNumber};
use crate::model::{
    Achievement, Application, AssessedApplicant, Assessment, FundingLevel, Line, Receipt, Role,
    RulesetRef, ShareTableUse, Split, Warning,
};
use crate::money::{Money, MoneyProblem};
use crate::ruleset::{self, Condition, Item, RoleRule, RuleBook, Ruleset, SubjectKind, Variant};

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

/// Reason codes (RULES.md §7 and §5), stable.
pub mod reason {
    /// Eligible, pays C − H.
    pub const ELIGIBLE: &str = "ELIGIBLE";
    /// Eligible, but H ≥ C: pays 0.
    pub const COVERED_BY_HIGHER_LEVEL: &str = "COVERED_BY_HIGHER_LEVEL";
    /// No ruleset in force on the line's date.
    pub const NO_POLICY_IN_FORCE: &str = "NO_POLICY_IN_FORCE";
    /// Item, variant or role not granted.
    pub const NOT_COVERED: &str = "NOT_COVERED";
    /// Same one-time key as an earlier line.
    pub const DUPLICATE_IN_REQUEST: &str = "DUPLICATE_IN_REQUEST";
    /// Participation in a standard the application also leads.
    pub const CONFLICTS_WITH_LEAD: &str = "CONFLICTS_WITH_LEAD";
    /// Acceptance not yet passed.
    pub const NOT_YET_ACCEPTED: &str = "NOT_YET_ACCEPTED";
    /// Approval not yet granted.
    pub const NOT_YET_APPROVED: &str = "NOT_YET_APPROVED";
    /// Clause 9: a reviewer sets the amount.
    pub const DISCRETIONARY: &str = "DISCRETIONARY";
    /// The applicant's seat is outside Fuzhou.
    pub const OUTSIDE_FUZHOU: &str = "OUTSIDE_FUZHOU";
    /// Every reason code.
    pub const ALL: [&str; 10] = [
        ELIGIBLE,
        COVERED_BY_HIGHER_LEVEL,
        NO_POLICY_IN_FORCE,
        NOT_COVERED,
        DUPLICATE_IN_REQUEST,
        CONFLICTS_WITH_LEAD,
        NOT_YET_ACCEPTED,
        NOT_YET_APPROVED,
        DISCRETIONARY,
        OUTSIDE_FUZHOU,
    ];
}

/// Warning codes, stable.
pub mod warning {
    /// The credit code's check character does not match.
    pub const CREDIT_CODE_CHECK_MISMATCH: &str = "CREDIT_CODE_CHECK_MISMATCH";
    /// The stated level and the standard number's code disagree.
    pub const LEVEL_MISMATCH: &str = "LEVEL_MISMATCH";
    /// The standard number's code implies no level the policy knows.
    pub const LEVEL_UNRECOGNISED: &str = "LEVEL_UNRECOGNISED";
    /// A former division code was mapped to its current unit.
    pub const SEAT_CODE_MAPPED: &str = "SEAT_CODE_MAPPED";
    /// Reported funding that does not count toward H.
    pub const FUNDING_NOT_COUNTED: &str = "FUNDING_NOT_COUNTED";
    /// The split uses a provisional share table.
    pub const SHARE_TABLE_PROVISIONAL: &str = "SHARE_TABLE_PROVISIONAL";
    /// Every warning code.
    pub const ALL: [&str; 6] = [
        CREDIT_CODE_CHECK_MISMATCH,
        LEVEL_MISMATCH,
        LEVEL_UNRECOGNISED,
        SEAT_CODE_MAPPED,
        FUNDING_NOT_COUNTED,
        SHARE_TABLE_PROVISIONAL,
    ];
}

/// Line statuses (proto enum names).
pub mod status {
    /// Pays its amount (possibly 0 when covered by higher-level funding).
    pub const ELIGIBLE: &str = "LINE_STATUS_ELIGIBLE";
    /// Not payable.
    pub const INELIGIBLE: &str = "LINE_STATUS_INELIGIBLE";
    /// Payable once a condition is met (acceptance, approval).
    pub const PENDING: &str = "LINE_STATUS_PENDING";
    /// A reviewer sets the amount.
    pub const DISCRETIONARY: &str = "LINE_STATUS_DISCRETIONARY";
}

/// Estimates an application: under its what-if ruleset when it carries one,
/// otherwise under the embedded rulesets.
pub fn estimate(app: &Application) -> Result<Assessment, Error> {
    if app.what_if_ruleset.trim().is_empty() {
        evaluate(ruleset::embedded()?, app, false)
    } else {
        if app.what_if_ruleset.len() > MAX_RULESET_BYTES {
            return Err(Error::FieldTooLong {
                path: "whatIfRuleset".into(),
                limit: MAX_RULESET_BYTES,
            });
        }
        let book = RuleBook::new(vec![Ruleset::from_json(&app.what_if_ruleset)?])?;
        evaluate(&book, app, true)
    }
}

/// A validated achievement.
struct Prepared<'a> {
    dto: &'a Achievement,
    date: Date,
    role: Role,
    subject: String,
    key: String,
    standard: Option<StandardNumber>,
    funding: Vec<(&'a str, Money)>,
}

/// Where the seat lies.
struct Seat<'a> {
    unit: Option<&'a ruleset::FiscalUnitDoc>,
    excluded: Option<&'a ruleset::ExcludedSeatDoc>,
}

fn text(value: &str, path: impl FnOnce() -> String, required: bool) -> Result<&str, Error> {
    let v = value.trim();
    if required && v.is_empty() {
        return Err(Error::MissingField { path: path() });
    }
    if v.chars().count() > MAX_TEXT_CHARS {
        return Err(Error::FieldTooLong {
            path: path(),
            limit: MAX_TEXT_CHARS,
        });
    }
    Ok(v)
}

/// Evaluates an application under a book. `what_if` marks the answer.
pub fn evaluate(book: &RuleBook, app: &Application, what_if: bool) -> Result<Assessment, Error> {
    let catalogue = book.latest().ok_or_else(|| Error::InvalidRuleset {
        message: "the rule book is empty".into(),
    })?;
    let mut warnings = Vec::new();

    // Applicant.
    let a = &app.applicant;
    let raw_code = text(&a.credit_code, || "applicant.creditCode".into(), true)?;
    let (credit_code, check_passed) = match ident::check_credit_code(raw_code) {
        CreditCode::Valid(c) => (c, true),
        CreditCode::CheckMismatch(c, expected) => {
            warnings.push(Warning {
                code: warning::CREDIT_CODE_CHECK_MISMATCH.into(),
                achievement_id: String::new(),
                message_zh: format!("统一社会信用代码`{c}`的校验位不符(按GB 32100-2015应为`{expected}`);部分2016年前发放的代码存在此情况,请核实。"),
                message_en: format!("the check character of credit code `{c}` does not match (GB 32100-2015 gives `{expected}`); some codes issued before 2016 fail the check, so verify it"),
            });
            (c, false)
        }
        CreditCode::Malformed => {
            return Err(Error::InvalidCreditCode {
                path: "applicant.creditCode".into(),
                value: raw_code.into(),
            });
        }
    };
    let name = text(&a.name, || "applicant.name".into(), false)?;
    let seat_code = text(&a.seat, || "applicant.seat".into(), true)?;
    let seat = resolve_seat(catalogue, seat_code, &mut warnings)?;

    // Achievements.
    if app.achievements.len() > MAX_ACHIEVEMENTS {
        return Err(Error::TooManyEntries {
            path: "achievements".into(),
            limit: MAX_ACHIEVEMENTS,
        });
    }
    let mut prepared: Vec<Prepared<'_>> = Vec::with_capacity(app.achievements.len());
    for (i, ach) in app.achievements.iter().enumerate() {
        let p = prepare(book, i, ach)?;
        if prepared.iter().any(|q| q.dto.id.trim() == ach.id.trim()) {
            return Err(Error::DuplicateAchievementId {
                path: format!("achievements[{i}].id"),
                value: ach.id.clone(),
            });
        }
        prepared.push(p);
    }

    // Lines.
    let mut lines = Vec::with_capacity(prepared.len());
    let mut passed_keys: Vec<usize> = Vec::new();
    let mut used: Vec<&Ruleset> = Vec::new();
    let mut total = Money::ZERO;
    let mut municipal_total = Money::ZERO;
    let mut district_total = Money::ZERO;
    let mut tables: Vec<ShareTableUse> = Vec::new();
    for (index, p) in prepared.iter().enumerate() {
        let rs = book.in_force(p.date);
        let ctx = LineCtx {
            book,
            prepared: &prepared,
            seat: &seat,
            index,
            p,
            rs,
        };
        let mut payable = Money::ZERO;
        let mut line = decide(&ctx, &mut passed_keys, &mut warnings, &mut payable)?;
        if let Some(rs) = rs {
            if !used.iter().any(|u| u.hash() == rs.hash()) {
                used.push(rs);
            }
        }
        // Split.
        if let (Some(rs), Some(unit), false) = (rs, seat.unit, payable.is_zero()) {
            let table = &rs.doc().share_table;
            let ratio = rs
                .district_ratio(&unit.code)
                .ok_or_else(|| Error::InvalidRuleset {
                    message: format!(
                        "ruleset `{}` has no share ratio for `{}`",
                        rs.id(),
                        unit.code
                    ),
                })?;
            let district = payable
                .share(ratio)
                .ok_or_else(|| overflow("achievements"))?;
            let municipal = payable
                .checked_sub(district)
                .ok_or_else(|| overflow("achievements"))?;
            line.district_share = district.to_canonical();
            line.municipal_share = municipal.to_canonical();
            line.share_table_id = table.id.clone();
            municipal_total = municipal_total
                .checked_add(municipal)
                .ok_or_else(|| overflow("achievements"))?;
            district_total = district_total
                .checked_add(district)
                .ok_or_else(|| overflow("achievements"))?;
            if !tables
                .iter()
                .any(|t| t.id == table.id && t.version == table.version)
            {
                if table.provisional {
                    warnings.push(Warning {
                        code: warning::SHARE_TABLE_PROVISIONAL.into(),
                        achievement_id: String::new(),
                        message_zh: format!(
                            "市、县(市)区分担比例表`{}`为暂定:{}",
                            table.id, table.note_zh
                        ),
                        message_en: format!(
                            "the city/district share table `{}` is provisional: {}",
                            table.id, table.note_en
                        ),
                    });
                }
                tables.push(ShareTableUse {
                    id: table.id.clone(),
                    version: table.version.clone(),
                    provisional: table.provisional,
                    district_ratio: ratio.to_string(),
                    note_zh: table.note_zh.clone(),
                    note_en: table.note_en.clone(),
                });
            }
        }
        total = total
            .checked_add(payable)
            .ok_or_else(|| overflow("achievements"))?;
        lines.push(line);
    }
    if used.is_empty() {
        used.extend(book.rulesets().iter());
    }

    let input = crate::canonical::application(app);
    Ok(Assessment {
        what_if,
        applicant: AssessedApplicant {
            credit_code,
            credit_code_check_passed: check_passed,
            name: name.to_string(),
            seat: seat_code.to_string(),
            fiscal_unit: seat.unit.map(|u| u.code.clone()).unwrap_or_default(),
            fiscal_unit_name_zh: seat.unit.map(|u| u.name_zh.clone()).unwrap_or_default(),
            fiscal_unit_name_en: seat.unit.map(|u| u.name_en.clone()).unwrap_or_default(),
            inside_fuzhou: seat.unit.is_some(),
        },
        lines,
        total: total.to_canonical(),
        split: Split {
            fiscal_unit: seat.unit.map(|u| u.code.clone()).unwrap_or_default(),
            municipal_share: municipal_total.to_canonical(),
            district_share: district_total.to_canonical(),
            share_tables: tables,
        },
        warnings,
        receipt: Receipt {
            engine_version: ENGINE_VERSION.into(),
            rulesets: used.into_iter().map(ruleset_ref).collect(),
            input_hash: ruleset::sha256_hex(input.as_bytes()),
        },
    })
}

/// A reference to a ruleset, as receipts and engine info carry it.
pub fn ruleset_ref(r: &Ruleset) -> RulesetRef {
    RulesetRef {
        id: r.id().into(),
        version: r.version().into(),
        hash: r.hash().into(),
        effective_from: r.effective_from().to_string(),
        effective_to: r.effective_to().map(|d| d.to_string()).unwrap_or_default(),
    }
}

fn overflow(path: &str) -> Error {
    Error::AmountOutOfRange { path: path.into() }
}

fn resolve_seat<'a>(
    rs: &'a Ruleset,
    code: &str,
    warnings: &mut Vec<Warning>,
) -> Result<Seat<'a>, Error> {
    let doc = rs.doc();
    if let Some(unit) = doc.fiscal_units.iter().find(|u| u.code == code) {
        return Ok(Seat {
            unit: Some(unit),
            excluded: None,
        });
    }
    if let Some(unit) = doc
        .fiscal_units
        .iter()
        .find(|u| u.former_codes.iter().any(|c| c == code))
    {
        warnings.push(Warning {
            code: warning::SEAT_CODE_MAPPED.into(),
            achievement_id: String::new(),
            message_zh: format!(
                "原行政区划代码`{code}`已按现行区划归入{}({})。",
                unit.name_zh, unit.code
            ),
            message_en: format!(
                "former division code `{code}` was mapped to {} ({})",
                unit.name_en, unit.code
            ),
        });
        return Ok(Seat {
            unit: Some(unit),
            excluded: None,
        });
    }
    if let Some(ex) = doc.excluded_seats.iter().find(|s| s.code == code) {
        return Ok(Seat {
            unit: None,
            excluded: Some(ex),
        });
    }
    if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(Seat {
            unit: None,
            excluded: None,
        });
    }
    Err(Error::InvalidSeat {
        path: "applicant.seat".into(),
        value: code.into(),
    })
}

fn prepare<'a>(book: &'a RuleBook, i: usize, ach: &'a Achievement) -> Result<Prepared<'a>, Error> {
    let path = |f: &str| format!("achievements[{i}].{f}");
    text(&ach.id, || path("id"), true)?;
    let item_id = text(&ach.item, || path("item"), true)?;
    let item = book.any_item(item_id).ok_or_else(|| Error::UnknownItem {
        path: path("item"),
        value: item_id.into(),
    })?;
    let variant = text(&ach.variant, || path("variant"), true)?;
    let known_variant = book
        .rulesets()
        .iter()
        .filter_map(|r| r.item(item_id))
        .any(|it| it.variant(variant).is_some());
    if !known_variant {
        return Err(Error::UnknownVariant {
            path: path("variant"),
            item: item_id.into(),
            value: variant.into(),
        });
    }
    let raw_subject = text(&ach.subject, || path("subject"), true)?;
    let date_s = text(&ach.date, || path("date"), true)?;
    let date = Date::parse(date_s).ok_or_else(|| Error::InvalidDate {
        path: path("date"),
        value: date_s.into(),
    })?;
    let role = Role::parse(&ach.role).ok_or_else(|| Error::InvalidEnumValue {
        path: path("role"),
        value: ach.role.clone(),
        expected: "ROLE_UNSPECIFIED, ROLE_LEAD, ROLE_PARTICIPANT".into(),
    })?;
    let (subject, subject_key, standard) = match item.doc.subject_kind {
        SubjectKind::StandardNumber | SubjectKind::AwardedStandard => {
            let n = ident::normalise_standard_number(raw_subject).ok_or_else(|| {
                Error::InvalidStandardNumber {
                    path: path("subject"),
                    value: raw_subject.into(),
                }
            })?;
            let canonical = n.canonical();
            let key = if item.doc.subject_kind == SubjectKind::AwardedStandard {
                format!("{canonical}@{}", date.year())
            } else {
                canonical.clone()
            };
            (canonical, key, Some(n))
        }
        SubjectKind::Committee | SubjectKind::Reference => {
            let s = ident::normalise_free(raw_subject);
            (s.clone(), s, None)
        }
    };
    if ach.higher_level_funding.len() > MAX_FUNDING_ENTRIES {
        return Err(Error::TooManyEntries {
            path: path("higherLevelFunding"),
            limit: MAX_FUNDING_ENTRIES,
        });
    }
    let mut funding = Vec::with_capacity(ach.higher_level_funding.len());
    for (j, f) in ach.higher_level_funding.iter().enumerate() {
        let fpath = |x: &str| format!("achievements[{i}].higherLevelFunding[{j}].{x}");
        FundingLevel::parse(&f.level).ok_or_else(|| Error::InvalidEnumValue {
            path: fpath("level"),
            value: f.level.clone(),
            expected: "FUNDING_LEVEL_NATIONAL, FUNDING_LEVEL_PROVINCIAL, FUNDING_LEVEL_COUNTY, FUNDING_LEVEL_NON_FISCAL".into(),
        })?;
        let amount_s = text(&f.amount, || fpath("amount"), true)?;
        let amount = Money::parse_yuan(amount_s).map_err(|p| Error::InvalidAmount {
            path: fpath("amount"),
            value: amount_s.into(),
            problem: match p {
                MoneyProblem::Syntax => "not a plain decimal number of yuan",
                MoneyProblem::Negative => "negative",
                MoneyProblem::TooPrecise => "more than two decimal places",
                MoneyProblem::TooLarge => "too large",
            }
            .into(),
        })?;
        text(&f.source, || fpath("source"), false)?;
        funding.push((f.level.as_str(), amount));
    }
    let key = format!("{item_id}|{variant}|{subject_key}");
    Ok(Prepared {
        dto: ach,
        date,
        role,
        subject,
        key,
        standard,
        funding,
    })
}

struct LineCtx<'a, 'b> {
    book: &'a RuleBook,
    prepared: &'b [Prepared<'a>],
    seat: &'b Seat<'a>,
    index: usize,
    p: &'b Prepared<'a>,
    rs: Option<&'a Ruleset>,
}

fn base_line(p: &Prepared<'_>) -> Line {
    let zero = Money::ZERO.to_canonical();
    Line {
        achievement_id: p.dto.id.trim().to_string(),
        item: p.dto.item.trim().to_string(),
        variant: p.dto.variant.trim().to_string(),
        clause: String::new(),
        subject: p.subject.clone(),
        one_time_key: p.key.clone(),
        date: p.date.to_string(),
        ruleset_id: String::new(),
        ruleset_version: String::new(),
        status: status::INELIGIBLE.into(),
        reason_code: String::new(),
        municipal_amount: zero.clone(),
        higher_level_funding_counted: zero.clone(),
        other_funding_not_counted: zero.clone(),
        payable: zero.clone(),
        municipal_share: zero.clone(),
        district_share: zero,
        share_table_id: String::new(),
        explanation_zh: String::new(),
        explanation_en: String::new(),
    }
}

fn finish(mut line: Line, status: &str, reason: &str, zh: String, en: String) -> Line {
    line.status = status.into();
    line.reason_code = reason.into();
    line.explanation_zh = zh;
    line.explanation_en = en;
    line
}

fn decide<'a>(
    ctx: &LineCtx<'a, '_>,
    passed_keys: &mut Vec<usize>,
    warnings: &mut Vec<Warning>,
    payable_out: &mut Money,
) -> Result<Line, Error> {
    let p = ctx.p;
    let mut line = base_line(p);
    let id = line.achievement_id.clone();

    // Outside Fuzhou: application level, every line.
    if ctx.seat.unit.is_none() {
        let (zh, en) = match ctx.seat.excluded {
            Some(ex) => (
                format!("申请单位所在地{}不在本政策适用范围内:{}", ex.name_zh, ex.reason_zh),
                format!("the applicant's seat, {}, is outside the policy's area: {}", ex.name_en, ex.reason_en),
            ),
            None => (
                "申请单位所在地不在福州市本级及所辖县(市)区范围内,不予资助。".to_string(),
                "the applicant's seat is outside Fuzhou and its districts and counties, so nothing is payable".to_string(),
            ),
        };
        return Ok(finish(
            line,
            status::INELIGIBLE,
            reason::OUTSIDE_FUZHOU,
            zh,
            en,
        ));
    }

    // 1. No policy in force.
    let Some(rs) = ctx.rs else {
        let first = ctx
            .book
            .earliest_start()
            .map(|d| d.to_string())
            .unwrap_or_default();
        return Ok(finish(
            line,
            status::INELIGIBLE,
            reason::NO_POLICY_IN_FORCE,
            format!(
                "成果日期{}时尚无有效的资助政策(现有规则自{}起施行)。",
                p.date, first
            ),
            format!(
                "no funding policy was in force on {} (the rules in force start on {})",
                p.date, first
            ),
        ));
    };
    line.ruleset_id = rs.id().into();
    line.ruleset_version = rs.version().into();

    // 2. Not covered: item, variant or role.
    let Some(item) = rs.item(&line.item) else {
        return Ok(finish(
            line.clone(),
            status::INELIGIBLE,
            reason::NOT_COVERED,
            format!(
                "所适用的规则集{} {}未设立资助项目`{}`。",
                rs.id(),
                rs.version(),
                line.item
            ),
            format!(
                "ruleset {} {} has no grant item `{}`",
                rs.id(),
                rs.version(),
                line.item
            ),
        ));
    };
    line.clause = item.doc.clause.clone();
    level_warnings(item, p, &id, warnings);
    let Some(variant) = item.variant(&line.variant) else {
        return Ok(finish(
            line.clone(),
            status::INELIGIBLE,
            reason::NOT_COVERED,
            format!(
                "所适用的规则集{} {}中,{}没有类别`{}`。",
                rs.id(),
                rs.version(),
                item.doc.name_zh,
                line.variant
            ),
            format!(
                "in ruleset {} {}, {} has no variant `{}`",
                rs.id(),
                rs.version(),
                item.doc.name_en,
                line.variant
            ),
        ));
    };
    if let Some((zh, en)) = not_covered(item, variant, p.role) {
        return Ok(finish(
            line,
            status::INELIGIBLE,
            reason::NOT_COVERED,
            zh,
            en,
        ));
    }

    // 3. Duplicate in request.
    let same_key = |i: &&usize| ctx.prepared.get(**i).is_some_and(|q| q.key == p.key);
    if let Some(earlier) = passed_keys.iter().find(same_key) {
        let other = ctx
            .prepared
            .get(*earlier)
            .map(|q| q.dto.id.trim())
            .unwrap_or_default();
        return Ok(finish(
            line,
            status::INELIGIBLE,
            reason::DUPLICATE_IN_REQUEST,
            format!(
                "与本申请第{}项(`{}`)为同一事项,一次性资助只计一次。",
                earlier.saturating_add(1),
                other
            ),
            format!(
                "same one-time key as line {} (`{}`) of this application; a one-time grant is counted once",
                earlier.saturating_add(1),
                other
            ),
        ));
    }
    passed_keys.push(ctx.index);

    // 4. Conflicts with lead.
    if let Some(lead_item) = &item.doc.conflicts_with_item {
        let conflict = ctx
            .prepared
            .iter()
            .any(|q| q.dto.item.trim() == lead_item && q.subject == p.subject);
        if conflict {
            return Ok(finish(
                line,
                status::INELIGIBLE,
                reason::CONFLICTS_WITH_LEAD,
                format!(
                    "本申请已将{}申报为主导单位或第一起草单位,同一单位不能同时作为参与单位获得资助。",
                    p.subject
                ),
                format!(
                    "this application also claims {} as lead / first drafter; the same unit cannot also be paid as a participant",
                    p.subject
                ),
            ));
        }
    }

    // 5. Conditions.
    match item.doc.condition {
        Condition::Accepted if !p.dto.accepted => {
            return Ok(finish(
                line,
                status::PENDING,
                reason::NOT_YET_ACCEPTED,
                format!(
                    "{}尚未通过验收,验收通过后方可获得资助({})。",
                    item.doc.name_zh, item.doc.clause
                ),
                format!(
                    "the {} has not yet passed acceptance; it is payable once accepted ({})",
                    item.doc.name_en.to_lowercase(),
                    item.doc.clause
                ),
            ));
        }
        Condition::Approved if !p.dto.approved => {
            return Ok(finish(
                line,
                status::PENDING,
                reason::NOT_YET_APPROVED,
                format!(
                    "{}尚未获得批准,批准后方可获得资助({})。",
                    item.doc.name_zh, item.doc.clause
                ),
                format!(
                    "the application is not yet approved; it is payable once approved ({})",
                    item.doc.clause
                ),
            ));
        }
        // 6. Discretionary.
        Condition::Discretionary => {
            return Ok(finish(
                line,
                status::DISCRETIONARY,
                reason::DISCRETIONARY,
                format!(
                    "{}({}):原文为“给予一定的资助”,未规定金额,由评审人员核定金额并说明理由;估算不含此项金额。",
                    item.doc.name_zh, variant.doc.name_zh
                ),
                format!(
                    "{} ({}): the text promises \"some funding\" with no amount; a reviewer sets the amount and gives a reason, so the estimate shows none",
                    item.doc.name_en, variant.doc.name_en
                ),
            ));
        }
        _ => {}
    }

    // 7. Eligible, with the top-up.
    let c = variant.amount.unwrap_or(Money::ZERO);
    let mut h = Money::ZERO;
    let mut other = Money::ZERO;
    for (name, amount) in &p.funding {
        if rs.counts_level(name) {
            h = h
                .checked_add(*amount)
                .ok_or_else(|| overflow("achievements"))?;
        } else {
            other = other
                .checked_add(*amount)
                .ok_or_else(|| overflow("achievements"))?;
        }
    }
    if !other.is_zero() {
        warnings.push(Warning {
            code: warning::FUNDING_NOT_COUNTED.into(),
            achievement_id: id.clone(),
            message_zh: format!("报告的县(市)区级或非财政资金{}元不计入省级及以上财政资助,不影响市级资助金额。", other),
            message_en: format!("{other} yuan of county-level or non-fiscal funding reported is not provincial-or-higher fiscal funding and does not reduce the grant"),
        });
    }
    line.municipal_amount = c.to_canonical();
    line.higher_level_funding_counted = h.to_canonical();
    line.other_funding_not_counted = other.to_canonical();
    let payable = c.saturating_sub(h);
    line.payable = payable.to_canonical();
    *payable_out = payable;
    // The hot path: built with push_str rather than format!.
    let c_s = line.municipal_amount.clone();
    let mut zh = cat(&[
        &item.doc.name_zh,
        "(",
        &variant.doc.name_zh,
        ",",
        &item.doc.clause,
        "):市级资助标准",
        &c_s,
        "元",
    ]);
    let mut en = cat(&[
        &item.doc.name_en,
        " (",
        &variant.doc.name_en,
        ", ",
        &item.doc.clause,
        "): municipal grant ",
        &c_s,
        " yuan",
    ]);
    let reason = if h.is_zero() {
        zh.push('。');
        reason::ELIGIBLE
    } else if payable.is_zero() {
        let h_s = &line.higher_level_funding_counted;
        zh.push_str(&cat(&[
            ";已获省级及以上财政资助",
            h_s,
            "元,不低于市级资助金额,无需补足差额。",
        ]));
        en.push_str(&cat(&[
            "; provincial-or-higher fiscal funding of ",
            h_s,
            " yuan already covers it, so there is no difference to top up",
        ]));
        reason::COVERED_BY_HIGHER_LEVEL
    } else {
        let h_s = &line.higher_level_funding_counted;
        let p_s = &line.payable;
        zh.push_str(&cat(&[
            ";已获省级及以上财政资助",
            h_s,
            "元,补足差额",
            p_s,
            "元。",
        ]));
        en.push_str(&cat(&[
            "; provincial-or-higher fiscal funding of ",
            h_s,
            " yuan counted, the top-up pays the difference of ",
            p_s,
            " yuan",
        ]));
        reason::ELIGIBLE
    };
    Ok(finish(line, status::ELIGIBLE, reason, zh, en))
}

/// Concatenates string pieces with one allocation.
fn cat(parts: &[&str]) -> String {
    let len = parts.iter().fold(0usize, |n, p| n.saturating_add(p.len()));
    let mut out = String::with_capacity(len.saturating_add(8));
    for p in parts {
        out.push_str(p);
    }
    out
}

fn not_covered(item: &Item, variant: &Variant, role: Role) -> Option<(String, String)> {
    match (item.doc.role, role) {
        (RoleRule::ImpliedLead, Role::Participant) => {
            return Some((
                format!(
                    "{}仅适用于主导单位或第一起草单位;参与单位请按参与制修订申报。",
                    item.doc.name_zh
                ),
                format!(
                    "{} applies to the lead or first drafting unit only; a participant claims participation instead",
                    item.doc.name_en
                ),
            ));
        }
        (RoleRule::RequiredLead, r) if r != Role::Lead => {
            return Some((
                format!(
                    "{}只奖励获奖标准的主导单位或第一起草单位;申请单位未声明为主导单位或第一起草单位。",
                    item.doc.name_zh
                ),
                format!(
                    "the {} pays only the lead or first drafting unit of the awarded standard, and the applicant has not stated that role",
                    item.doc.name_en
                ),
            ));
        }
        _ => {}
    }
    if variant.amount.is_none() && item.doc.condition != Condition::Discretionary {
        return Some((
            variant.doc.not_covered_zh.clone().unwrap_or_default(),
            variant.doc.not_covered_en.clone().unwrap_or_default(),
        ));
    }
    None
}

fn level_warnings(item: &Item, p: &Prepared<'_>, id: &str, warnings: &mut Vec<Warning>) {
    if !item.doc.level_check {
        return;
    }
    let Some(std) = &p.standard else { return };
    let stated = p.dto.variant.trim();
    match std.implied_level() {
        ImpliedLevel::Unknown => warnings.push(Warning {
            code: warning::LEVEL_UNRECOGNISED.into(),
            achievement_id: id.into(),
            message_zh: format!("标准编号`{}`的代号`{}`无法判断标准级别,请评审人员核实所报级别`{stated}`。", p.subject, std.code),
            message_en: format!("the code `{}` of standard `{}` implies no known level; the reviewer should verify the stated level `{stated}`", std.code, p.subject),
        }),
        level => {
            if let Some(implied) = level.variant_id() {
                if implied != stated {
                    warnings.push(Warning {
                        code: warning::LEVEL_MISMATCH.into(),
                        achievement_id: id.into(),
                        message_zh: format!("所报级别`{stated}`与标准编号`{}`所示级别`{implied}`不一致;按所报级别计算,请评审人员核实。", p.subject),
                        message_en: format!("the stated level `{stated}` differs from the level `{implied}` that `{}` implies; the stated level is used, the reviewer should verify", p.subject),
                    });
                }
            }
        }
    }
}

/// The claim registry's one-time key of an assessed line:
/// `CREDIT_CODE|ITEM|SUBJECT` (registry decision R2/R3). Stricter than the
/// line's own key, it leaves out the variant, and a participation item keys
/// under the lead item it conflicts with (`conflictsWithItem`), so a unit can
/// hold a lead or a participation claim on one standard, never both. SUBJECT
/// is the line key's subject part (an award's carries the award year).
/// `None` when the item is in no ruleset of the book.
pub fn registry_key(book: &RuleBook, credit_code: &str, line: &Line) -> Option<String> {
    let item = book.any_item(&line.item)?;
    let group = item
        .doc
        .conflicts_with_item
        .as_deref()
        .unwrap_or(&line.item);
    // The line key is `item|variant|subject` (see `prepare`); ids contain no `|`.
    let subject = line.one_time_key.splitn(3, '|').nth(2)?;
    Some(format!("{credit_code}|{group}|{subject}"))
}

/// The split of one amount (RULES.md §4), for amounts set outside an
/// estimate: a reviewer's amount on a discretionary claim, or a frozen
/// approved amount at disbursement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AmountSplit {
    /// The fiscal unit the seat resolves to.
    pub fiscal_unit: String,
    /// The municipal treasury's share.
    pub municipal_share: Money,
    /// The district's share (amount × ratio, half-up to the fen).
    pub district_share: Money,
    /// The share table used.
    pub share_table: ShareTableUse,
}

/// Splits `amount` for an applicant seated at `seat` and an achievement dated
/// `date`, with the share table of the ruleset in force on that date.
pub fn split_amount(
    book: &RuleBook,
    seat: &str,
    date: &str,
    amount: Money,
) -> Result<AmountSplit, Error> {
    let d = Date::parse(date).ok_or_else(|| Error::InvalidDate {
        path: "date".into(),
        value: date.into(),
    })?;
    let catalogue = book.latest().ok_or_else(|| Error::InvalidRuleset {
        message: "the rule book is empty".into(),
    })?;
    let mut ignored = Vec::new();
    let unit = resolve_seat(catalogue, seat, &mut ignored)?
        .unit
        .ok_or_else(|| Error::InvalidSeat {
            path: "seat".into(),
            value: seat.into(),
        })?;
    let rs = book.in_force(d).ok_or_else(|| Error::InvalidDate {
        path: "date".into(),
        value: date.into(),
    })?;
    let ratio = rs
        .district_ratio(&unit.code)
        .ok_or_else(|| Error::InvalidRuleset {
            message: format!(
                "ruleset `{}` has no share ratio for `{}`",
                rs.id(),
                unit.code
            ),
        })?;
    let district = amount.share(ratio).ok_or_else(|| overflow("amount"))?;
    let municipal = amount
        .checked_sub(district)
        .ok_or_else(|| overflow("amount"))?;
    let t = &rs.doc().share_table;
    Ok(AmountSplit {
        fiscal_unit: unit.code.clone(),
        municipal_share: municipal,
        district_share: district,
        share_table: ShareTableUse {
            id: t.id.clone(),
            version: t.version.clone(),
            provisional: t.provisional,
            district_ratio: ratio.to_string(),
            note_zh: t.note_zh.clone(),
            note_en: t.note_en.clone(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(item: &str, key: &str) -> Line {
        Line {
            item: item.into(),
            one_time_key: key.into(),
            ..Line::default()
        }
    }

    #[test]
    fn registry_keys_leave_out_the_variant_and_join_lead_and_participation() {
        let book = ruleset::embedded().unwrap();
        let code = "91350100M000100Y43";
        let lead = line("STANDARD_LEAD", "STANDARD_LEAD|NATIONAL|GB/T 1-2020");
        let lead_industry = line("STANDARD_LEAD", "STANDARD_LEAD|INDUSTRY|GB/T 1-2020");
        let part = line(
            "STANDARD_PARTICIPANT",
            "STANDARD_PARTICIPANT|NATIONAL|GB/T 1-2020",
        );
        let k = registry_key(book, code, &lead).unwrap();
        assert_eq!(k, "91350100M000100Y43|STANDARD_LEAD|GB/T 1-2020");
        assert_eq!(registry_key(book, code, &lead_industry).unwrap(), k);
        assert_eq!(registry_key(book, code, &part).unwrap(), k);
        let award = line("AWARD_CHINA", "AWARD_CHINA|PROJECT_FIRST|GB/T 1-2020@2021");
        assert_eq!(
            registry_key(book, code, &award).unwrap(),
            "91350100M000100Y43|AWARD_CHINA|GB/T 1-2020@2021"
        );
        // A subject containing the separator keeps it.
        let odd = line("OTHER_ACTIVITY", "OTHER_ACTIVITY|OTHER|A|B");
        assert_eq!(
            registry_key(book, code, &odd).unwrap(),
            "91350100M000100Y43|OTHER_ACTIVITY|A|B"
        );
        assert!(registry_key(book, code, &line("NOPE", "NOPE|X|Y")).is_none());
    }

    #[test]
    fn split_amount_matches_the_line_split() {
        let Ok(book) = ruleset::embedded() else {
            return;
        };
        let amount = Money::parse_yuan("99999.97").unwrap_or_default();
        let s = split_amount(book, "350182", "2020-05-01", amount);
        let Ok(s) = s else { panic!("{s:?}") };
        assert_eq!(s.fiscal_unit, "350112");
        assert_eq!(s.district_share.to_canonical(), "49999.99");
        assert_eq!(s.municipal_share.to_canonical(), "49999.98");
        assert!(s.share_table.provisional);
        assert!(split_amount(book, "350128", "2020-05-01", amount).is_err());
        assert!(split_amount(book, "350102", "2015-05-01", amount).is_err());
    }
}

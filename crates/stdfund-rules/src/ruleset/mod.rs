//! Rulesets as dated, cited data, and the book that picks the one in force.
//!
//! A ruleset document (JSON, the format of `rulesets/fz-2016.json`) is parsed
//! into [`RulesetDoc`], validated into a [`Ruleset`] (amounts parsed to exact
//! [`Money`], content hash computed over the canonical serialisation), and
//! collected into a [`RuleBook`]. Invariants of a loaded book: every covered
//! variant has a positive amount and a citation, every fiscal unit has a share
//! ratio, and versions of one ruleset id neither overlap nor leave gaps.
//!
//! Every ruleset governs one jurisdiction (a city). The book answers per
//! jurisdiction: which ruleset is in force on a date, which is current (its
//! seat table and catalogue), and which jurisdiction a seat belongs to. A
//! second city's rulesets therefore never change a first city's answers.

use crate::date::Date;
use crate::domain::FundingLevel;
use crate::error::Error;
use crate::money::{Money, Ratio};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::sync::OnceLock;

/// The embedded Fuzhou 2016 ruleset document.
pub const FZ_2016_JSON: &str = include_str!("../../rulesets/fz-2016.json");

mod doc;
mod problem;
pub use doc::*;
pub use problem::RulesetProblem;

/// A validated variant.
#[derive(Clone, Debug)]
pub struct Variant {
    /// The document's variant.
    pub doc: VariantDoc,
    /// The amount in yuan, when covered.
    pub amount: Option<Money>,
}

/// A validated item.
#[derive(Clone, Debug)]
pub struct Item {
    /// The document's item (its `variants` are also in [`Item::variants`]).
    pub doc: ItemDoc,
    /// Validated variants, in document order.
    pub variants: Vec<Variant>,
}

impl Item {
    /// The variant with this id.
    pub fn variant(&self, id: &str) -> Option<&Variant> {
        self.variants.iter().find(|v| v.doc.id == id)
    }
}

/// A validated ruleset with its content hash.
#[derive(Clone, Debug)]
pub struct Ruleset {
    doc: RulesetDoc,
    jurisdiction: JurisdictionDoc,
    from: Date,
    to: Option<Date>,
    items: Vec<Item>,
    ratios: Vec<(String, Ratio, usize)>,
    counted_levels: Vec<FundingLevel>,
    hash: String,
    /// Whether no text of the document holds a character JSON escapes.
    json_clean: bool,
}

/// The jurisdiction of the embedded Fuzhou ruleset: the one a document
/// without a `jurisdiction` belongs to.
pub fn default_jurisdiction() -> &'static JurisdictionDoc {
    /// Reads only the `jurisdiction` field (serde skips the others).
    #[derive(Deserialize)]
    struct Only {
        #[serde(default)]
        jurisdiction: Option<JurisdictionDoc>,
    }
    static DEFAULT: OnceLock<JurisdictionDoc> = OnceLock::new();
    DEFAULT.get_or_init(|| {
        // The embedded document declares it; the crate's tests prove it.
        serde_json::from_str::<Only>(FZ_2016_JSON)
            .ok()
            .and_then(|o| o.jurisdiction)
            .unwrap_or(JurisdictionDoc {
                code: String::new(),
                name_zh: String::new(),
                name_en: String::new(),
            })
    })
}

fn invalid(problem: RulesetProblem) -> Error {
    Error::InvalidRuleset { problem }
}

impl Ruleset {
    /// Parses and validates a ruleset document.
    pub fn from_json(text: &str) -> Result<Ruleset, Error> {
        // No second, path-tracking parse here (as requests have): it would
        // compile the whole document reader a second time into the WASM
        // module (about 20 KB gzipped); the position and the parser's words,
        // said plainly, are enough to find the place.
        let doc: RulesetDoc = serde_json::from_str(text).map_err(|e| {
            let message = e.to_string();
            let message = match message.split_once(" at line ") {
                Some((m, _)) => m.to_string(),
                None => message,
            };
            invalid(RulesetProblem::Parse {
                line: e.line(),
                column: e.column(),
                message,
            })
        })?;
        Ruleset::from_doc(doc)
    }

    /// Validates a parsed document.
    pub fn from_doc(doc: RulesetDoc) -> Result<Ruleset, Error> {
        let id = doc.id.clone();
        if id.trim().is_empty() || doc.version.trim().is_empty() {
            return Err(invalid(RulesetProblem::NoIdOrVersion));
        }
        let jurisdiction = doc
            .jurisdiction
            .clone()
            .unwrap_or_else(|| default_jurisdiction().clone());
        if jurisdiction.code.trim().is_empty() || jurisdiction.name_zh.trim().is_empty() {
            return Err(invalid(RulesetProblem::Jurisdiction { rs: id }));
        }
        let from = Date::parse(&doc.effective_from).ok_or_else(|| {
            invalid(RulesetProblem::NotADate {
                rs: id.clone(),
                field: "effectiveFrom",
                value: doc.effective_from.clone(),
            })
        })?;
        let to = match &doc.effective_to {
            None => None,
            Some(s) => Some(Date::parse(s).ok_or_else(|| {
                invalid(RulesetProblem::NotADate {
                    rs: id.clone(),
                    field: "effectiveTo",
                    value: s.clone(),
                })
            })?),
        };
        if to.is_some_and(|t| t < from) {
            return Err(invalid(RulesetProblem::EndsBeforeStart { rs: id }));
        }
        let mut item_ids = BTreeSet::new();
        let mut items = Vec::with_capacity(doc.items.len());
        for item in &doc.items {
            items.push(validate_item(&id, item, &mut item_ids)?);
        }
        for item in &doc.items {
            if let Some(other) = &item.conflicts_with_item
                && !item_ids.contains(other.as_str())
            {
                return Err(invalid(RulesetProblem::ConflictsWithUnknownItem {
                    rs: id,
                    item: item.id.clone(),
                    other: other.clone(),
                }));
            }
        }
        if items.is_empty() {
            return Err(invalid(RulesetProblem::NoItems { rs: id }));
        }
        let mut codes = BTreeSet::new();
        for u in &doc.fiscal_units {
            for code in std::iter::once(&u.code).chain(u.former_codes.iter()) {
                if code.trim().is_empty() || !codes.insert(code.clone()) {
                    return Err(invalid(RulesetProblem::FiscalUnitCode {
                        rs: id,
                        code: code.clone(),
                    }));
                }
            }
        }
        for s in &doc.excluded_seats {
            if !codes.insert(s.code.clone()) {
                return Err(invalid(RulesetProblem::ExcludedSeatIsFiscalUnit {
                    rs: id,
                    code: s.code.clone(),
                }));
            }
        }
        let mut ratios = Vec::with_capacity(doc.share_table.ratios.len());
        for (index, r) in doc.share_table.ratios.iter().enumerate() {
            let ratio = Ratio::parse(&r.district_ratio).ok_or_else(|| {
                invalid(RulesetProblem::ShareRatioValue {
                    rs: id.clone(),
                    ratio: r.district_ratio.clone(),
                    unit: r.fiscal_unit.clone(),
                })
            })?;
            if !doc.fiscal_units.iter().any(|u| u.code == r.fiscal_unit)
                || ratios.iter().any(|(c, _, _)| *c == r.fiscal_unit)
            {
                return Err(invalid(RulesetProblem::ShareRatioUnit {
                    rs: id,
                    unit: r.fiscal_unit.clone(),
                }));
            }
            if r.note_zh.is_some() != r.note_en.is_some() {
                return Err(invalid(RulesetProblem::ShareRatioNote {
                    rs: id,
                    unit: r.fiscal_unit.clone(),
                }));
            }
            ratios.push((r.fiscal_unit.clone(), ratio, index));
        }
        if let Some(u) = doc
            .fiscal_units
            .iter()
            .find(|u| !ratios.iter().any(|(c, _, _)| *c == u.code))
        {
            return Err(invalid(RulesetProblem::NoShareRatio {
                rs: id,
                unit: u.code.clone(),
            }));
        }
        if doc.share_table.id.trim().is_empty() || doc.share_table.version.trim().is_empty() {
            return Err(invalid(RulesetProblem::ShareTableIdentity { rs: id }));
        }
        let mut counted_levels = Vec::with_capacity(doc.top_up.counted_levels.len());
        for level in &doc.top_up.counted_levels {
            match FundingLevel::from_name(level) {
                Some(l) => counted_levels.push(l),
                None => {
                    return Err(invalid(RulesetProblem::UnknownFundingLevel {
                        rs: id,
                        level: level.clone(),
                    }));
                }
            }
        }
        if doc.top_up.citation_zh.trim().is_empty() {
            return Err(invalid(RulesetProblem::TopUpCitation { rs: id }));
        }
        validate_targets(&id, &doc)?;
        if let Some(t) = doc.targets2020.iter().find(|t| t.figure == 0) {
            return Err(invalid(RulesetProblem::TargetFigure {
                rs: id,
                target: t.id.clone(),
            }));
        }
        let canonical = serde_json::to_vec(&doc).map_err(|e| {
            invalid(RulesetProblem::NotSerialisable {
                rs: id.clone(),
                message: e.to_string(),
            })
        })?;
        let hash = sha256_hex(&canonical);
        // serde_json writes every character it escapes with a backslash, and
        // nothing else has one: no backslash, no text that needs escaping.
        let json_clean = !canonical.contains(&b'\\')
            && serde_json::to_vec(&jurisdiction).is_ok_and(|j| !j.contains(&b'\\'));
        Ok(Ruleset {
            doc,
            jurisdiction,
            from,
            to,
            items,
            ratios,
            counted_levels,
            hash,
            json_clean,
        })
    }

    /// Whether no text of the document (names, clauses, notes, ids) holds a
    /// character that JSON escapes (`"`, `\\`, control characters): the
    /// answer writer then copies them without looking.
    pub fn json_clean(&self) -> bool {
        self.json_clean
    }

    /// The document.
    pub fn doc(&self) -> &RulesetDoc {
        &self.doc
    }
    /// Ruleset id.
    pub fn id(&self) -> &str {
        &self.doc.id
    }
    /// Version.
    pub fn version(&self) -> &str {
        &self.doc.version
    }
    /// `sha256:` and the hex digest of the canonical serialisation.
    pub fn hash(&self) -> &str {
        &self.hash
    }
    /// First day in force.
    pub fn effective_from(&self) -> Date {
        self.from
    }
    /// Last day in force.
    pub fn effective_to(&self) -> Option<Date> {
        self.to
    }
    /// Whether the ruleset is in force on `date`.
    pub fn in_force_on(&self, date: Date) -> bool {
        self.from <= date && self.to.is_none_or(|t| date <= t)
    }
    /// The validated items.
    pub fn items(&self) -> &[Item] {
        &self.items
    }
    /// The item with this id.
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.doc.id == id)
    }
    /// The district share ratio of a fiscal unit.
    pub fn district_ratio(&self, unit: &str) -> Option<Ratio> {
        self.share_ratio(unit).map(|(r, _)| r)
    }
    /// The district share ratio of a fiscal unit with its entry in the
    /// share table (its provisional flag and note).
    pub fn share_ratio(&self, unit: &str) -> Option<(Ratio, &RatioDoc)> {
        let (_, ratio, index) = self.ratios.iter().find(|(c, _, _)| c == unit)?;
        Some((*ratio, self.doc.share_table.ratios.get(*index)?))
    }
    /// [`Self::share_ratio`], or `INVALID_RULESET` naming the ruleset and
    /// the unit when its share table has none (a unit placed by another
    /// ruleset of the book than the one that decides a line).
    pub fn share_ratio_or_refuse(&self, unit: &str) -> Result<(Ratio, &RatioDoc), Error> {
        self.share_ratio(unit).ok_or_else(|| {
            invalid(RulesetProblem::NoShareRatio {
                rs: self.id().into(),
                unit: unit.into(),
            })
        })
    }
    /// Whether funding of this level counts toward H.
    pub fn counts_level(&self, level: FundingLevel) -> bool {
        self.counted_levels.contains(&level)
    }
    /// The jurisdiction the ruleset governs.
    pub fn jurisdiction(&self) -> &JurisdictionDoc {
        &self.jurisdiction
    }
    /// The fiscal unit with this code or former code; `true` when it was a
    /// former code.
    pub fn fiscal_unit(&self, code: &str) -> Option<(&FiscalUnitDoc, bool)> {
        let units = &self.doc.fiscal_units;
        units
            .iter()
            .find(|u| u.code == code)
            .map(|u| (u, false))
            .or_else(|| {
                units
                    .iter()
                    .find(|u| u.former_codes.iter().any(|c| c == code))
                    .map(|u| (u, true))
            })
    }
    /// The explicitly excluded seat with this code.
    pub fn excluded_seat(&self, code: &str) -> Option<&ExcludedSeatDoc> {
        self.doc.excluded_seats.iter().find(|s| s.code == code)
    }
    /// The share table.
    pub fn share_table(&self) -> &ShareTableDoc {
        &self.doc.share_table
    }
}

/// Every counted item and variant exists; every group a target names exists.
fn validate_targets(rs: &str, doc: &RulesetDoc) -> Result<(), Error> {
    let known = |c: &CountedItemDoc| {
        doc.items.iter().any(|i| {
            i.id == c.item
                && c.variant
                    .as_ref()
                    .is_none_or(|v| i.variants.iter().any(|x| &x.id == v))
        })
    };
    let counted = doc
        .targets2020
        .iter()
        .filter_map(|t| t.counting.as_ref())
        .flat_map(|c| c.counted.iter())
        .chain(doc.target_groups2020.iter().flat_map(|g| g.counted.iter()));
    for c in counted {
        if !known(c) {
            return Err(invalid(RulesetProblem::TargetCountsUnknown {
                rs: rs.into(),
                item: c.item.clone(),
                variant: c.variant.clone(),
            }));
        }
    }
    for t in &doc.targets2020 {
        if let Some(g) = t.counting.as_ref().and_then(|c| c.group.as_ref())
            && !doc.target_groups2020.iter().any(|x| &x.id == g)
        {
            return Err(invalid(RulesetProblem::TargetGroup {
                rs: rs.into(),
                target: t.id.clone(),
                group: g.clone(),
            }));
        }
    }
    Ok(())
}

fn validate_item(rs: &str, item: &ItemDoc, ids: &mut BTreeSet<String>) -> Result<Item, Error> {
    let iid = &item.id;
    if iid.trim().is_empty() || !ids.insert(iid.clone()) {
        return Err(invalid(RulesetProblem::ItemId {
            rs: rs.into(),
            item: iid.clone(),
        }));
    }
    if item.clause.trim().is_empty() || item.citation_zh.trim().is_empty() {
        return Err(invalid(RulesetProblem::ItemCitation {
            rs: rs.into(),
            item: iid.clone(),
        }));
    }
    if item.variants.is_empty() {
        return Err(invalid(RulesetProblem::NoVariants {
            rs: rs.into(),
            item: iid.clone(),
        }));
    }
    let mut vids = BTreeSet::new();
    let mut variants = Vec::with_capacity(item.variants.len());
    for v in &item.variants {
        if v.id.trim().is_empty() || !vids.insert(v.id.as_str()) {
            return Err(invalid(RulesetProblem::VariantId {
                rs: rs.into(),
                item: iid.clone(),
                variant: v.id.clone(),
            }));
        }
        let has_note = v.not_covered_zh.is_some() || v.not_covered_en.is_some();
        let both_notes = v.not_covered_zh.is_some() && v.not_covered_en.is_some();
        let amount = match (&v.amount_wan, item.condition) {
            (Some(_), Condition::Discretionary) => {
                return Err(invalid(RulesetProblem::DiscretionaryAmount {
                    rs: rs.into(),
                    item: iid.clone(),
                    variant: v.id.clone(),
                }));
            }
            (None, Condition::Discretionary) if !has_note => None,
            (None, _) if both_notes => None,
            (None, _) => {
                return Err(invalid(RulesetProblem::NoAmountNorNotes {
                    rs: rs.into(),
                    item: iid.clone(),
                    variant: v.id.clone(),
                }));
            }
            (Some(a), _) if !has_note => {
                let m = Money::parse_wan(a).map_err(|p| {
                    invalid(RulesetProblem::Amount {
                        rs: rs.into(),
                        item: iid.clone(),
                        variant: v.id.clone(),
                        amount: a.clone(),
                        problem: p,
                    })
                })?;
                if m.is_zero() {
                    return Err(invalid(RulesetProblem::AmountNotPositive {
                        rs: rs.into(),
                        item: iid.clone(),
                        variant: v.id.clone(),
                    }));
                }
                Some(m)
            }
            (Some(_), _) => {
                return Err(invalid(RulesetProblem::AmountAndNote {
                    rs: rs.into(),
                    item: iid.clone(),
                    variant: v.id.clone(),
                }));
            }
        };
        variants.push(Variant {
            doc: v.clone(),
            amount,
        });
    }
    Ok(Item {
        doc: item.clone(),
        variants,
    })
}

/// `sha256:` followed by the lower-case hex digest.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(71);
    out.push_str("sha256:");
    for b in digest {
        for nibble in [b >> 4, b & 0xf] {
            out.push(char::from_digit(u32::from(nibble), 16).unwrap_or('0'));
        }
    }
    out
}

/// Where an applicant's seat lies.
#[derive(Clone, Copy, Debug)]
pub enum Place<'r> {
    /// Inside a jurisdiction, in one of its fiscal units.
    Inside {
        /// The jurisdiction's current ruleset (its seat table).
        ruleset: &'r Ruleset,
        /// The fiscal unit.
        unit: &'r FiscalUnitDoc,
        /// Whether the seat was a former code mapped to the unit.
        mapped: bool,
    },
    /// Outside every jurisdiction of the book.
    Outside {
        /// The jurisdiction whose explicit exclusion names the seat, or the
        /// book's default jurisdiction.
        ruleset: &'r Ruleset,
        /// The explicit exclusion, when a ruleset names the seat.
        excluded: Option<&'r ExcludedSeatDoc>,
    },
}

impl<'r> Place<'r> {
    /// The jurisdiction's current ruleset.
    pub fn ruleset(self) -> &'r Ruleset {
        match self {
            Place::Inside { ruleset, .. } | Place::Outside { ruleset, .. } => ruleset,
        }
    }
    /// The jurisdiction.
    pub fn jurisdiction(self) -> &'r JurisdictionDoc {
        self.ruleset().jurisdiction()
    }
    /// The fiscal unit, when inside.
    pub fn unit(self) -> Option<&'r FiscalUnitDoc> {
        match self {
            Place::Inside { unit, .. } => Some(unit),
            Place::Outside { .. } => None,
        }
    }
}

/// A set of rulesets; the engine asks it which one is in force for a
/// jurisdiction on a date.
#[derive(Clone, Debug)]
pub struct RuleBook {
    /// Ordered by start date, then id.
    rulesets: Vec<Ruleset>,
    /// Positions in `rulesets` of the distinct jurisdictions' current
    /// rulesets, in order of first start (computed once: every estimate
    /// asks where its seat lies).
    current: Vec<usize>,
}

impl RuleBook {
    /// Builds a book, checking that versions of one id neither overlap nor
    /// leave gaps, and that one id governs one jurisdiction. Between
    /// different ids of one jurisdiction, the one that starts later
    /// supersedes.
    pub fn new(mut rulesets: Vec<Ruleset>) -> Result<RuleBook, Error> {
        if rulesets.is_empty() {
            return Err(invalid(RulesetProblem::EmptyBook));
        }
        rulesets.sort_by(|a, b| (a.from, a.id()).cmp(&(b.from, b.id())));
        let ids: BTreeSet<&str> = rulesets.iter().map(Ruleset::id).collect();
        for id in ids {
            let versions: Vec<&Ruleset> = rulesets.iter().filter(|r| r.id() == id).collect();
            if let Some(other) = versions.iter().find(|r| {
                r.jurisdiction.code
                    != versions
                        .first()
                        .map_or("", |f| f.jurisdiction.code.as_str())
            }) {
                return Err(invalid(RulesetProblem::OtherJurisdiction {
                    rs: id.into(),
                    version: other.version().into(),
                }));
            }
            for pair in versions.windows(2) {
                let [a, b] = pair else { continue };
                if a.version() == b.version() {
                    return Err(invalid(RulesetProblem::VersionTwice {
                        rs: id.into(),
                        version: a.version().into(),
                    }));
                }
                match a.to {
                    None => {
                        return Err(invalid(RulesetProblem::OpenEndedThenAnother {
                            rs: id.into(),
                            version: a.version().into(),
                            next: b.version().into(),
                        }));
                    }
                    Some(end) if end.next_day() != Some(b.from) => {
                        return Err(invalid(RulesetProblem::OverlapOrGap {
                            rs: id.into(),
                            version: a.version().into(),
                            next: b.version().into(),
                        }));
                    }
                    Some(_) => {}
                }
            }
        }
        let mut book = RuleBook {
            rulesets,
            current: Vec::new(),
        };
        let mut seen: Vec<&str> = Vec::new();
        let mut current = Vec::new();
        for r in &book.rulesets {
            let code = r.jurisdiction.code.as_str();
            if !seen.contains(&code) {
                seen.push(code);
                if let Some(at) = book
                    .rulesets
                    .iter()
                    .rposition(|c| c.jurisdiction.code == code)
                {
                    current.push(at);
                }
            }
        }
        book.current = current;
        Ok(book)
    }

    /// The rulesets, ordered by start date.
    pub fn rulesets(&self) -> &[Ruleset] {
        &self.rulesets
    }

    /// The rulesets of one jurisdiction, ordered by start date.
    pub fn of(&self, jurisdiction: &str) -> impl DoubleEndedIterator<Item = &Ruleset> + '_ {
        let code = jurisdiction.to_string();
        self.rulesets
            .iter()
            .filter(move |r| r.jurisdiction.code == code)
    }

    /// The default jurisdiction's code: that of the earliest ruleset.
    pub fn default_jurisdiction(&self) -> &str {
        self.rulesets
            .first()
            .map_or("", |r| r.jurisdiction.code.as_str())
    }

    /// The ruleset in force for a jurisdiction on `date`: of those in force,
    /// the one that started last.
    pub fn in_force(&self, jurisdiction: &str, date: Date) -> Option<&Ruleset> {
        self.rulesets
            .iter()
            .rev()
            .find(|r| r.jurisdiction.code == jurisdiction && r.in_force_on(date))
    }

    /// A jurisdiction's ruleset that started last (its seat table and
    /// catalogue are current).
    pub fn current(&self, jurisdiction: &str) -> Option<&Ruleset> {
        self.rulesets
            .iter()
            .rev()
            .find(|r| r.jurisdiction.code == jurisdiction)
    }

    /// The earliest start date of a jurisdiction's rulesets.
    pub fn earliest_start(&self, jurisdiction: &str) -> Option<Date> {
        self.rulesets
            .iter()
            .find(|r| r.jurisdiction.code == jurisdiction)
            .map(|r| r.from)
    }

    /// The item with this id in any of a jurisdiction's rulesets (latest first).
    pub fn any_item(&self, jurisdiction: &str, id: &str) -> Option<&Item> {
        self.rulesets
            .iter()
            .rev()
            .filter(|r| r.jurisdiction.code == jurisdiction)
            .find_map(|r| r.item(id))
    }

    /// The item id a clerk probably meant by `given`, which names no item of
    /// the jurisdiction: an id in other case or with spaces or hyphens
    /// (`standard-lead`), or an item's Chinese or English name. Advice for
    /// the `UNKNOWN_ITEM` message only.
    pub fn item_meant(&self, jurisdiction: &str, given: &str) -> Option<String> {
        let items = self
            .rulesets
            .iter()
            .rev()
            .filter(|r| r.jurisdiction.code == jurisdiction)
            .flat_map(|r| r.items.iter().map(|i| &i.doc));
        meant(given, items.map(|d| (&d.id, &d.name_zh, &d.name_en)))
    }

    /// The variant id a clerk probably meant by `given` for the item `item`,
    /// as [`RuleBook::item_meant`] for items.
    pub fn variant_meant(&self, jurisdiction: &str, item: &str, given: &str) -> Option<String> {
        let variants = self
            .rulesets
            .iter()
            .rev()
            .filter(|r| r.jurisdiction.code == jurisdiction)
            .filter_map(|r| r.item(item))
            .flat_map(|i| i.variants.iter().map(|v| &v.doc));
        meant(given, variants.map(|d| (&d.id, &d.name_zh, &d.name_en)))
    }

    /// The fiscal unit a registry filter names (a queue, report or 公示
    /// filter): its code or a former code (`350182` → 长乐区), or its name as
    /// [`seat_named`](Self::seat_named) reads one (`鼓楼区`, `福州市鼓楼区`,
    /// `高新区`). `None` when it names no fiscal unit of a current ruleset.
    pub fn fiscal_unit_filter(&self, given: &str) -> Option<&FiscalUnitDoc> {
        let inside = |code: &str| match self.place(code) {
            Some(Place::Inside { unit, .. }) => Some(unit),
            _ => None,
        };
        let given = given.trim();
        inside(given).or_else(|| inside(&self.seat_named(given)?.code))
    }

    /// The clause label a registry filter names, as typed with full-width
    /// brackets or spaces (`五（五）1`, `五(五) 1` → `五(五)1`); `None` when
    /// no item of any ruleset falls under it.
    pub fn clause_filter(&self, given: &str) -> Option<&str> {
        let wanted: String = crate::canon::nfkc(given)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        self.rulesets
            .iter()
            .rev()
            .flat_map(|r| r.items.iter())
            .map(|i| i.doc.clause.as_str())
            .find(|c| *c == wanted)
    }

    /// The item id a registry filter names: an id of any ruleset, or the
    /// one id it spells another way or names ([`item_meant`](Self::item_meant)'s
    /// reading: `standard-lead`, `国家标准…`). `None` when it names none.
    pub fn item_filter(&self, given: &str) -> Option<String> {
        let given = given.trim();
        if self.rulesets.iter().any(|r| r.item(given).is_some()) {
            return Some(given.to_string());
        }
        let items = self
            .rulesets
            .iter()
            .rev()
            .flat_map(|r| r.items.iter().map(|i| &i.doc));
        meant(given, items.map(|d| (&d.id, &d.name_zh, &d.name_en)))
    }

    /// The distinct jurisdictions' current rulesets, in order of first start.
    pub fn current_rulesets(&self) -> Vec<&Ruleset> {
        self.current_iter().collect()
    }

    fn current_iter(&self) -> impl Iterator<Item = &Ruleset> + Clone + '_ {
        self.current.iter().filter_map(|&at| self.rulesets.get(at))
    }

    /// The seat a clerk meant by a place *name* (`鼓楼区`, `福州市鼓楼区`,
    /// `高新区`, `福州高新技术产业开发区`, `Gulou District`): the code to
    /// write instead, for the `INVALID_SEAT` message. Never an answer by
    /// itself — a seat is a code — and `None` unless exactly one fiscal unit
    /// or excluded seat of a current ruleset has that name.
    pub fn seat_named(&self, name: &str) -> Option<crate::error::SeatHint> {
        let given = name.trim();
        let mut found: Option<crate::error::SeatHint> = None;
        for rs in self.current_iter() {
            let prefixes = [rs.jurisdiction().name_zh.as_str(), "福州"];
            let units = rs
                .doc
                .fiscal_units
                .iter()
                .map(|u| (&u.code, &u.name_zh, &u.name_en));
            let excluded = rs
                .doc
                .excluded_seats
                .iter()
                .map(|u| (&u.code, &u.name_zh, &u.name_en));
            for (code, zh, en) in units.chain(excluded) {
                if !names_match(given, zh, en, &prefixes) {
                    continue;
                }
                match &found {
                    Some(f) if f.code != *code => return None,
                    _ => {
                        found = Some(crate::error::SeatHint {
                            code: code.clone(),
                            name_zh: zh.clone(),
                            name_en: en.clone(),
                        });
                    }
                }
            }
        }
        found
    }

    /// [`place`](Self::place), or `INVALID_SEAT` at `path` — with the code
    /// to write when `seat` names exactly one place ([`seat_named`](Self::seat_named), D26).
    pub fn place_or_refuse(&self, seat: &str, path: &str) -> Result<Place<'_>, Error> {
        self.place(seat).ok_or_else(|| Error::InvalidSeat {
            path: path.into(),
            value: seat.into(),
            hint: self.seat_named(seat),
        })
    }

    /// Where a seat lies: a fiscal unit (or a former code) of a
    /// jurisdiction's current ruleset; an excluded seat; any other six-digit
    /// division code is outside (the default jurisdiction answers). `None`
    /// for text that is no division code at all (`INVALID_SEAT`).
    pub fn place(&self, seat: &str) -> Option<Place<'_>> {
        let current = self.current_iter();
        for rs in current.clone() {
            if let Some((unit, mapped)) = rs.fiscal_unit(seat)
                && !mapped
            {
                return Some(Place::Inside {
                    ruleset: rs,
                    unit,
                    mapped,
                });
            }
        }
        for rs in current.clone() {
            if let Some((unit, true)) = rs.fiscal_unit(seat) {
                return Some(Place::Inside {
                    ruleset: rs,
                    unit,
                    mapped: true,
                });
            }
        }
        for rs in current.clone() {
            if let Some(ex) = rs.excluded_seat(seat) {
                return Some(Place::Outside {
                    ruleset: rs,
                    excluded: Some(ex),
                });
            }
        }
        let default = self.current_iter().next()?;
        (seat.len() == 6 && seat.bytes().all(|b| b.is_ascii_digit())).then_some(Place::Outside {
            ruleset: default,
            excluded: None,
        })
    }
}

/// The embedded book: the Fuzhou 2016 ruleset.
pub fn embedded() -> Result<&'static RuleBook, Error> {
    static BOOK: OnceLock<Result<RuleBook, Error>> = OnceLock::new();
    BOOK.get_or_init(|| RuleBook::new(vec![Ruleset::from_json(FZ_2016_JSON)?]))
        .as_ref()
        .map_err(Clone::clone)
}

/// `given` in the form of an id: trimmed, upper case, spaces and hyphens
/// as underscores (`standard lead` → `STANDARD_LEAD`).
pub(crate) fn as_id(given: &str) -> String {
    given
        .trim()
        .chars()
        .map(|c| match c {
            ' ' | '-' => '_',
            c => c.to_ascii_uppercase(),
        })
        .collect()
}

/// The one id among `(id, Chinese name, English name)` that `given` spells
/// in another way; `None` when none or several do.
fn meant<'a>(
    given: &str,
    candidates: impl Iterator<Item = (&'a String, &'a String, &'a String)>,
) -> Option<String> {
    let wanted = as_id(given);
    let given = given.trim();
    let mut found: Option<&String> = None;
    for (id, zh, en) in candidates {
        if *id == wanted || zh == given || en.eq_ignore_ascii_case(given) {
            match found {
                Some(f) if f != id => return None,
                _ => found = Some(id),
            }
        }
    }
    found.cloned()
}

/// Whether `given` names the place called `zh` / `en`: the Chinese name, its
/// part before or inside brackets (`高新区(福州高新技术产业开发区)`), with
/// or without the city before it (`福州市鼓楼区`); or the English name in
/// any case.
fn names_match(given: &str, zh: &str, en: &str, prefixes: &[&str]) -> bool {
    if given.is_empty() {
        return false;
    }
    if given.eq_ignore_ascii_case(en) {
        return true;
    }
    let mut forms = vec![given];
    for p in prefixes {
        if let Some(rest) = given.strip_prefix(p)
            && !rest.is_empty()
        {
            forms.push(rest);
        }
    }
    let mut names = vec![zh];
    for (open, close) in [('(', ')'), ('（', '）')] {
        if let Some((before, inside)) = zh.split_once(open) {
            names.push(before);
            names.push(inside.trim_end_matches(close));
        }
    }
    forms
        .iter()
        .any(|f| names.iter().any(|n| !n.is_empty() && n == f))
}

#[cfg(test)]
mod tests {
    use super::embedded;

    #[test]
    fn a_seat_given_by_name_is_hinted_with_its_code_never_guessed() {
        let book = embedded().unwrap_or_else(|e| panic!("{e}"));
        let code = |name: &str| book.seat_named(name).map(|h| h.code);
        for (name, want) in [
            ("鼓楼区", "350102"),
            ("福州市鼓楼区", "350102"),
            ("福州鼓楼区", "350102"),
            ("gulou DISTRICT", "350102"),
            ("长乐区", "350112"),
            ("市本级", "350100"),
            ("高新区", "350100-GXQ"),
            ("福州高新技术产业开发区", "350100-GXQ"),
            ("平潭综合实验区", "350128"),
        ] {
            assert_eq!(code(name).as_deref(), Some(want), "{name}");
        }
        // Not one place: the city itself, part of a name, nothing, a code.
        for name in [
            "福州市",
            "福州",
            "鼓楼",
            "区",
            "",
            "Fuzhou",
            "350102",
            "厦门市思明区",
        ] {
            assert_eq!(code(name), None, "{name}");
        }
    }

    #[test]
    fn registry_filters_name_a_unit_clause_or_item_or_nothing() {
        let book = embedded().unwrap_or_else(|e| panic!("{e}"));
        let unit = |g: &str| book.fiscal_unit_filter(g).map(|u| u.code.as_str());
        for (given, want) in [
            ("350102", "350102"),
            (" 350102 ", "350102"),
            ("鼓楼区", "350102"),
            ("福州市鼓楼区", "350102"),
            ("市本级", "350100"),
            ("350100", "350100"),
            ("高新区", "350100-GXQ"),
            ("350182", "350112"),
        ] {
            assert_eq!(unit(given), Some(want), "{given}");
        }
        // Outside Fuzhou, an excluded seat, no place at all.
        for given in ["350203", "350128", "平潭综合实验区", "鼓楼", "35010", "GL"] {
            assert_eq!(unit(given), None, "{given}");
        }
        for given in ["五(五)1", "五（五）1", " 五 (五) 1", "五(五)9"] {
            assert!(book.clause_filter(given).is_some(), "{given}");
        }
        assert_eq!(book.clause_filter("五（五）3"), Some("五(五)3"));
        for given in ["五(五)10", "五(四)1", "1", "五(五)"] {
            assert_eq!(book.clause_filter(given), None, "{given}");
        }
        for (given, want) in [
            ("STANDARD_LEAD", "STANDARD_LEAD"),
            ("standard-lead", "STANDARD_LEAD"),
            ("tc secretariat", "TC_SECRETARIAT"),
        ] {
            assert_eq!(book.item_filter(given).as_deref(), Some(want), "{given}");
        }
        for given in ["STANDARD", "LEAD", "标准"] {
            assert_eq!(book.item_filter(given), None, "{given}");
        }
    }

    #[test]
    fn an_item_or_variant_spelt_another_way_is_hinted_with_its_id() {
        let book = embedded().unwrap_or_else(|e| panic!("{e}"));
        let fz = "350100";
        for given in [
            "standard_lead",
            "Standard-Lead",
            " STANDARD LEAD",
            "标准制修订主导单位或第一起草单位",
        ] {
            assert_eq!(
                book.item_meant(fz, given).as_deref(),
                Some("STANDARD_LEAD"),
                "{given}"
            );
        }
        assert_eq!(
            book.variant_meant(fz, "STANDARD_LEAD", "国家标准")
                .as_deref(),
            Some("NATIONAL")
        );
        assert_eq!(
            book.variant_meant(fz, "STANDARD_LEAD", "national")
                .as_deref(),
            Some("NATIONAL")
        );
        for given in ["STANDARD", "标准", "", "LEAD"] {
            assert_eq!(book.item_meant(fz, given), None, "{given}");
        }
        assert_eq!(book.variant_meant(fz, "NO_SUCH_ITEM", "national"), None);
        assert_eq!(book.item_meant("350200", "standard_lead"), None);
    }
}

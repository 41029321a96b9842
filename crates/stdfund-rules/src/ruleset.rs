//! Rulesets as dated, cited data, and the book that picks the one in force.
//!
//! A ruleset document (JSON, the format of `rulesets/fz-2016.json`) is parsed
//! into [`RulesetDoc`], validated into a [`Ruleset`] (amounts parsed to exact
//! [`Money`], content hash computed over the canonical serialisation), and
//! collected into a [`RuleBook`]. Invariants of a loaded book: every covered
//! variant has a positive amount and a citation, every fiscal unit has a share
//! ratio, and versions of one ruleset id neither overlap nor leave gaps.

use crate::date::Date;
use crate::error::Error;
use crate::money::{Money, Ratio};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::sync::OnceLock;

/// The embedded Fuzhou 2016 ruleset document.
pub const FZ_2016_JSON: &str = include_str!("../rulesets/fz-2016.json");

/// How a line's subject is normalised into its one-time key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SubjectKind {
    /// A standard number (clauses 1–2).
    StandardNumber,
    /// The awarded standard; the key adds the award year (clause 3).
    AwardedStandard,
    /// A committee code such as `SAC/TC 28` (clause 4).
    Committee,
    /// A project reference, certificate or product (clauses 5–9).
    Reference,
}

/// The role an item demands of the applicant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RoleRule {
    /// The role does not matter.
    None,
    /// The item itself says the applicant leads; an explicit participant role contradicts it.
    ImpliedLead,
    /// The applicant must state that it was the lead / first drafting unit.
    RequiredLead,
}

/// The condition an item sets before it pays.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Condition {
    /// No condition beyond the achievement itself.
    None,
    /// Passed acceptance (验收通过 / 结题验收合格).
    Accepted,
    /// Approved (获得批准).
    Approved,
    /// "一定的资助": no amount; a reviewer sets it.
    Discretionary,
}

/// One variant of an item as the document states it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VariantDoc {
    /// Stable id, unique within the item (`NATIONAL`, `AAAA`, …).
    pub id: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// The amount in 万元, absent when the variant is not covered or discretionary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_wan: Option<String>,
    /// Why the variant is not covered (Chinese), when it is not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_covered_zh: Option<String>,
    /// Why the variant is not covered (English), when it is not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_covered_en: Option<String>,
}

/// One grant item (a clause or half of one).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ItemDoc {
    /// Stable id (`STANDARD_LEAD`, …).
    pub id: String,
    /// The clause it implements, e.g. `五(五)1`.
    pub clause: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// The source sentence, verbatim.
    pub citation_zh: String,
    /// How the subject is normalised.
    pub subject_kind: SubjectKind,
    /// The role the applicant must hold.
    pub role: RoleRule,
    /// The condition before payment.
    pub condition: Condition,
    /// Whether the stated level (variant) is compared with the standard number's code.
    pub level_check: bool,
    /// An item whose lines, on the same subject, make this item's lines `CONFLICTS_WITH_LEAD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conflicts_with_item: Option<String>,
    /// The variants, in display order.
    pub variants: Vec<VariantDoc>,
}

/// The top-up rule (补足差额).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TopUpDoc {
    /// The clause.
    pub clause: String,
    /// The source sentence.
    pub citation_zh: String,
    /// The funding levels that count toward H (proto enum names).
    pub counted_levels: Vec<String>,
}

/// One fiscal unit's district share.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RatioDoc {
    /// The fiscal unit code.
    pub fiscal_unit: String,
    /// The district's share of each payment, 0–1.
    pub district_ratio: String,
}

/// The city/county share table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ShareTableDoc {
    /// Table id.
    pub id: String,
    /// Table version.
    pub version: String,
    /// Whether the ratios are provisional (not yet supplied by the finance bureau).
    pub provisional: bool,
    /// The source sentence.
    pub citation_zh: String,
    /// A note shown with every split (Chinese).
    pub note_zh: String,
    /// A note shown with every split (English).
    pub note_en: String,
    /// One ratio per fiscal unit.
    pub ratios: Vec<RatioDoc>,
}

/// A fiscal unit (the applicant's seat).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FiscalUnitDoc {
    /// Division code, or a project-defined code for units without one.
    pub code: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Former codes accepted and mapped to this unit.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub former_codes: Vec<String>,
}

/// A seat that is explicitly outside the policy, with the reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExcludedSeatDoc {
    /// Division code.
    pub code: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Why it is outside (Chinese).
    pub reason_zh: String,
    /// Why it is outside (English).
    pub reason_en: String,
}

/// A 2020 work target (三、工作目标).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TargetDoc {
    /// Stable id.
    pub id: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// The figure.
    pub figure: u32,
    /// The counting unit (项, 个).
    pub unit_zh: String,
}

/// A ruleset document, exactly as its JSON file states it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RulesetDoc {
    /// Ruleset id (`fz-2016`).
    pub id: String,
    /// Version of this id.
    pub version: String,
    /// Title (Chinese).
    pub title_zh: String,
    /// Title (English).
    pub title_en: String,
    /// The source document.
    pub source_zh: String,
    /// First day in force (achievement dates).
    pub effective_from: String,
    /// Last day in force, or open.
    #[serde(default)]
    pub effective_to: Option<String>,
    /// Whether each achievement is paid once, ever.
    pub one_time: bool,
    /// The grant items.
    pub items: Vec<ItemDoc>,
    /// The top-up rule.
    pub top_up: TopUpDoc,
    /// The share table.
    pub share_table: ShareTableDoc,
    /// The fiscal units.
    pub fiscal_units: Vec<FiscalUnitDoc>,
    /// Seats explicitly outside.
    #[serde(default)]
    pub excluded_seats: Vec<ExcludedSeatDoc>,
    /// The work targets.
    #[serde(default)]
    pub targets2020: Vec<TargetDoc>,
}

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
    from: Date,
    to: Option<Date>,
    items: Vec<Item>,
    ratios: Vec<(String, Ratio)>,
    counted_levels: Vec<String>,
    hash: String,
}

fn invalid(msg: String) -> Error {
    Error::InvalidRuleset { message: msg }
}

impl Ruleset {
    /// Parses and validates a ruleset document.
    pub fn from_json(text: &str) -> Result<Ruleset, Error> {
        let doc: RulesetDoc = serde_json::from_str(text)
            .map_err(|e| invalid(format!("the ruleset document does not parse: {e}")))?;
        Ruleset::from_doc(doc)
    }

    /// Validates a parsed document.
    pub fn from_doc(doc: RulesetDoc) -> Result<Ruleset, Error> {
        let id = doc.id.clone();
        if id.trim().is_empty() || doc.version.trim().is_empty() {
            return Err(invalid("a ruleset needs an `id` and a `version`".into()));
        }
        let from = Date::parse(&doc.effective_from).ok_or_else(|| {
            invalid(format!(
                "ruleset `{id}`: `effectiveFrom` `{}` is not a date",
                doc.effective_from
            ))
        })?;
        let to = match &doc.effective_to {
            None => None,
            Some(s) => Some(Date::parse(s).ok_or_else(|| {
                invalid(format!("ruleset `{id}`: `effectiveTo` `{s}` is not a date"))
            })?),
        };
        if to.is_some_and(|t| t < from) {
            return Err(invalid(format!(
                "ruleset `{id}`: `effectiveTo` is before `effectiveFrom`"
            )));
        }
        let mut item_ids = BTreeSet::new();
        let mut items = Vec::with_capacity(doc.items.len());
        for item in &doc.items {
            items.push(validate_item(&id, item, &mut item_ids)?);
        }
        for item in &doc.items {
            if let Some(other) = &item.conflicts_with_item {
                if !item_ids.contains(other.as_str()) {
                    return Err(invalid(format!(
                        "ruleset `{id}`: item `{}` conflicts with unknown item `{other}`",
                        item.id
                    )));
                }
            }
        }
        if items.is_empty() {
            return Err(invalid(format!("ruleset `{id}` has no items")));
        }
        let mut codes = BTreeSet::new();
        for u in &doc.fiscal_units {
            for code in std::iter::once(&u.code).chain(u.former_codes.iter()) {
                if code.trim().is_empty() || !codes.insert(code.clone()) {
                    return Err(invalid(format!(
                        "ruleset `{id}`: fiscal unit code `{code}` is empty or repeated"
                    )));
                }
            }
        }
        for s in &doc.excluded_seats {
            if !codes.insert(s.code.clone()) {
                return Err(invalid(format!(
                    "ruleset `{id}`: excluded seat `{}` is also a fiscal unit",
                    s.code
                )));
            }
        }
        let mut ratios = Vec::with_capacity(doc.share_table.ratios.len());
        for r in &doc.share_table.ratios {
            let ratio = Ratio::parse(&r.district_ratio).ok_or_else(|| {
                invalid(format!(
                    "ruleset `{id}`: share ratio `{}` for `{}` is not a decimal between 0 and 1",
                    r.district_ratio, r.fiscal_unit
                ))
            })?;
            if !doc.fiscal_units.iter().any(|u| u.code == r.fiscal_unit)
                || ratios.iter().any(|(c, _)| *c == r.fiscal_unit)
            {
                return Err(invalid(format!(
                    "ruleset `{id}`: share ratio for unknown or repeated unit `{}`",
                    r.fiscal_unit
                )));
            }
            ratios.push((r.fiscal_unit.clone(), ratio));
        }
        if let Some(u) = doc
            .fiscal_units
            .iter()
            .find(|u| !ratios.iter().any(|(c, _)| *c == u.code))
        {
            return Err(invalid(format!(
                "ruleset `{id}`: fiscal unit `{}` has no share ratio",
                u.code
            )));
        }
        if doc.share_table.id.trim().is_empty() || doc.share_table.version.trim().is_empty() {
            return Err(invalid(format!(
                "ruleset `{id}`: the share table needs an id and a version"
            )));
        }
        for level in &doc.top_up.counted_levels {
            if crate::model::FundingLevel::parse(level).is_none() {
                return Err(invalid(format!(
                    "ruleset `{id}`: unknown funding level `{level}` in `topUp`"
                )));
            }
        }
        if doc.top_up.citation_zh.trim().is_empty() {
            return Err(invalid(format!(
                "ruleset `{id}`: the top-up rule needs a citation"
            )));
        }
        if let Some(t) = doc.targets2020.iter().find(|t| t.figure == 0) {
            return Err(invalid(format!(
                "ruleset `{id}`: target `{}` has no figure",
                t.id
            )));
        }
        let canonical = serde_json::to_vec(&doc)
            .map_err(|e| invalid(format!("ruleset `{id}` cannot be serialised: {e}")))?;
        let hash = sha256_hex(&canonical);
        let counted_levels = doc.top_up.counted_levels.clone();
        Ok(Ruleset {
            doc,
            from,
            to,
            items,
            ratios,
            counted_levels,
            hash,
        })
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
        self.ratios.iter().find(|(c, _)| c == unit).map(|(_, r)| *r)
    }
    /// Whether funding of this level counts toward H.
    pub fn counts_level(&self, level: &str) -> bool {
        self.counted_levels.iter().any(|l| l == level)
    }
}

fn validate_item(rs: &str, item: &ItemDoc, ids: &mut BTreeSet<String>) -> Result<Item, Error> {
    let iid = &item.id;
    if iid.trim().is_empty() || !ids.insert(iid.clone()) {
        return Err(invalid(format!(
            "ruleset `{rs}`: item id `{iid}` is empty or repeated"
        )));
    }
    if item.clause.trim().is_empty() || item.citation_zh.trim().is_empty() {
        return Err(invalid(format!(
            "ruleset `{rs}`: item `{iid}` needs a clause and a citation"
        )));
    }
    if item.variants.is_empty() {
        return Err(invalid(format!(
            "ruleset `{rs}`: item `{iid}` has no variants"
        )));
    }
    let mut vids = BTreeSet::new();
    let mut variants = Vec::with_capacity(item.variants.len());
    for v in &item.variants {
        if v.id.trim().is_empty() || !vids.insert(v.id.as_str()) {
            return Err(invalid(format!(
                "ruleset `{rs}`: item `{iid}` repeats or omits a variant id `{}`",
                v.id
            )));
        }
        let has_note = v.not_covered_zh.is_some() || v.not_covered_en.is_some();
        let both_notes = v.not_covered_zh.is_some() && v.not_covered_en.is_some();
        let amount = match (&v.amount_wan, item.condition) {
            (Some(_), Condition::Discretionary) => {
                return Err(invalid(format!(
                    "ruleset `{rs}`: discretionary item `{iid}` variant `{}` states an amount",
                    v.id
                )));
            }
            (None, Condition::Discretionary) if !has_note => None,
            (None, _) if both_notes => None,
            (None, _) => {
                return Err(invalid(format!(
                    "ruleset `{rs}`: item `{iid}` variant `{}` needs an amount or both not-covered notes",
                    v.id
                )));
            }
            (Some(a), _) if !has_note => {
                let m = Money::parse_wan(a).map_err(|p| {
                    invalid(format!("ruleset `{rs}`: item `{iid}` variant `{}` amount `{a}` is not valid ({p:?})", v.id))
                })?;
                if m.is_zero() {
                    return Err(invalid(format!(
                        "ruleset `{rs}`: item `{iid}` variant `{}` amount must be positive",
                        v.id
                    )));
                }
                Some(m)
            }
            (Some(_), _) => {
                return Err(invalid(format!(
                    "ruleset `{rs}`: item `{iid}` variant `{}` has both an amount and a not-covered note",
                    v.id
                )));
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

/// A set of rulesets; the engine asks it which one is in force on a date.
#[derive(Clone, Debug)]
pub struct RuleBook {
    rulesets: Vec<Ruleset>,
}

impl RuleBook {
    /// Builds a book, checking that versions of one id neither overlap nor
    /// leave gaps. Between different ids, the one that starts later supersedes.
    pub fn new(mut rulesets: Vec<Ruleset>) -> Result<RuleBook, Error> {
        if rulesets.is_empty() {
            return Err(invalid("a rule book needs at least one ruleset".into()));
        }
        rulesets.sort_by(|a, b| (a.from, a.id()).cmp(&(b.from, b.id())));
        let mut ids: Vec<&str> = rulesets.iter().map(Ruleset::id).collect();
        ids.dedup();
        let ids: BTreeSet<&str> = ids.into_iter().collect();
        for id in ids {
            let versions: Vec<&Ruleset> = rulesets.iter().filter(|r| r.id() == id).collect();
            for pair in versions.windows(2) {
                let [a, b] = pair else { continue };
                if a.version() == b.version() {
                    return Err(invalid(format!(
                        "ruleset `{id}` version `{}` appears twice",
                        a.version()
                    )));
                }
                match a.to {
                    None => {
                        return Err(invalid(format!(
                            "ruleset `{id}` version `{}` is open-ended but version `{}` follows it",
                            a.version(),
                            b.version()
                        )));
                    }
                    Some(end) if end.next_day() != Some(b.from) => {
                        return Err(invalid(format!(
                            "ruleset `{id}` versions `{}` and `{}` overlap or leave a gap",
                            a.version(),
                            b.version()
                        )));
                    }
                    Some(_) => {}
                }
            }
        }
        Ok(RuleBook { rulesets })
    }

    /// The rulesets, ordered by start date.
    pub fn rulesets(&self) -> &[Ruleset] {
        &self.rulesets
    }

    /// The ruleset in force on `date`: of those in force, the one that started last.
    pub fn in_force(&self, date: Date) -> Option<&Ruleset> {
        self.rulesets.iter().rev().find(|r| r.in_force_on(date))
    }

    /// The ruleset that started last (its seat table and catalogue are current).
    pub fn latest(&self) -> Option<&Ruleset> {
        self.rulesets.last()
    }

    /// The earliest start date in the book.
    pub fn earliest_start(&self) -> Option<Date> {
        self.rulesets.first().map(|r| r.from)
    }

    /// The item with this id in any ruleset (latest first).
    pub fn any_item(&self, id: &str) -> Option<&Item> {
        self.rulesets.iter().rev().find_map(|r| r.item(id))
    }
}

/// The embedded book: the Fuzhou 2016 ruleset.
pub fn embedded() -> Result<&'static RuleBook, Error> {
    static BOOK: OnceLock<Result<RuleBook, Error>> = OnceLock::new();
    BOOK.get_or_init(|| RuleBook::new(vec![Ruleset::from_json(FZ_2016_JSON)?]))
        .as_ref()
        .map_err(Clone::clone)
}

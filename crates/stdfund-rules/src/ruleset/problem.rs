//! Why a ruleset document (or a rule book of them) cannot be used: one typed
//! problem per check, its message in Chinese and in English — the text of
//! the `INVALID_RULESET` error. Ruleset authors and the officials who try a
//! what-if ruleset read the Chinese first.

use crate::money::MoneyProblem;
use std::fmt;

/// What is wrong with a ruleset document or a rule book.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RulesetProblem {
    /// The text is not JSON of a ruleset document's shape.
    Parse {
        /// The line of the problem (1-based; 0 when unknown).
        line: usize,
        /// The column of the problem (1-based; 0 when unknown).
        column: usize,
        /// What the parser said, without its position.
        message: String,
    },
    /// No `id` or no `version`.
    NoIdOrVersion,
    /// The jurisdiction lacks its code or its Chinese name.
    Jurisdiction {
        /// The ruleset's id.
        rs: String,
    },
    /// `effectiveFrom` (`field`) or `effectiveTo` is not a date.
    NotADate {
        /// The ruleset's id.
        rs: String,
        /// `effectiveFrom` or `effectiveTo`.
        field: &'static str,
        /// The value given.
        value: String,
    },
    /// `effectiveTo` is before `effectiveFrom`.
    EndsBeforeStart {
        /// The ruleset's id.
        rs: String,
    },
    /// `conflictsWithItem` names an item the ruleset does not have.
    ConflictsWithUnknownItem {
        /// The ruleset's id.
        rs: String,
        /// The item.
        item: String,
        /// The item it names.
        other: String,
    },
    /// No items.
    NoItems {
        /// The ruleset's id.
        rs: String,
    },
    /// A fiscal unit's code (or former code) is empty or given twice.
    FiscalUnitCode {
        /// The ruleset's id.
        rs: String,
        /// The code.
        code: String,
    },
    /// An excluded seat is also a fiscal unit.
    ExcludedSeatIsFiscalUnit {
        /// The ruleset's id.
        rs: String,
        /// The seat's code.
        code: String,
    },
    /// A district ratio that is not a decimal in [0, 1].
    ShareRatioValue {
        /// The ruleset's id.
        rs: String,
        /// The ratio given.
        ratio: String,
        /// Its fiscal unit.
        unit: String,
    },
    /// A share ratio for a unit that is not a fiscal unit, or a second one.
    ShareRatioUnit {
        /// The ruleset's id.
        rs: String,
        /// The unit.
        unit: String,
    },
    /// A share ratio's note in one language only.
    ShareRatioNote {
        /// The ruleset's id.
        rs: String,
        /// The unit.
        unit: String,
    },
    /// A fiscal unit without a share ratio.
    NoShareRatio {
        /// The ruleset's id.
        rs: String,
        /// The unit.
        unit: String,
    },
    /// The share table lacks its id or version.
    ShareTableIdentity {
        /// The ruleset's id.
        rs: String,
    },
    /// `topUp.countedLevels` names an unknown funding level.
    UnknownFundingLevel {
        /// The ruleset's id.
        rs: String,
        /// The level given.
        level: String,
    },
    /// The top-up rule has no citation.
    TopUpCitation {
        /// The ruleset's id.
        rs: String,
    },
    /// A 2020 target without a figure.
    TargetFigure {
        /// The ruleset's id.
        rs: String,
        /// The target.
        target: String,
    },
    /// A 2020 target counts an item (or variant) the ruleset does not have.
    TargetCountsUnknown {
        /// The ruleset's id.
        rs: String,
        /// The item.
        item: String,
        /// The variant, when one is named.
        variant: Option<String>,
    },
    /// A 2020 target names a group the ruleset does not have.
    TargetGroup {
        /// The ruleset's id.
        rs: String,
        /// The target.
        target: String,
        /// The group.
        group: String,
    },
    /// An item id empty or given twice.
    ItemId {
        /// The ruleset's id.
        rs: String,
        /// The item id.
        item: String,
    },
    /// An item without its clause or citation.
    ItemCitation {
        /// The ruleset's id.
        rs: String,
        /// The item.
        item: String,
    },
    /// An item without variants.
    NoVariants {
        /// The ruleset's id.
        rs: String,
        /// The item.
        item: String,
    },
    /// A variant id empty or given twice in its item.
    VariantId {
        /// The ruleset's id.
        rs: String,
        /// The item.
        item: String,
        /// The variant id.
        variant: String,
    },
    /// A variant of a discretionary item states an amount.
    DiscretionaryAmount {
        /// The ruleset's id.
        rs: String,
        /// The item.
        item: String,
        /// The variant.
        variant: String,
    },
    /// A variant with neither an amount nor both not-covered notes.
    NoAmountNorNotes {
        /// The ruleset's id.
        rs: String,
        /// The item.
        item: String,
        /// The variant.
        variant: String,
    },
    /// A variant's amount that is not an amount of 万元.
    Amount {
        /// The ruleset's id.
        rs: String,
        /// The item.
        item: String,
        /// The variant.
        variant: String,
        /// The amount given.
        amount: String,
        /// What is wrong with it.
        problem: MoneyProblem,
    },
    /// A variant's amount of zero.
    AmountNotPositive {
        /// The ruleset's id.
        rs: String,
        /// The item.
        item: String,
        /// The variant.
        variant: String,
    },
    /// A variant with an amount and a not-covered note.
    AmountAndNote {
        /// The ruleset's id.
        rs: String,
        /// The item.
        item: String,
        /// The variant.
        variant: String,
    },
    /// The document could not be written back as JSON for its hash.
    NotSerialisable {
        /// The ruleset's id.
        rs: String,
        /// What serde said.
        message: String,
    },
    /// A rule book of no rulesets.
    EmptyBook,
    /// Versions of one id that govern different jurisdictions.
    OtherJurisdiction {
        /// The ruleset's id.
        rs: String,
        /// The version that differs.
        version: String,
    },
    /// A version given twice.
    VersionTwice {
        /// The ruleset's id.
        rs: String,
        /// The version.
        version: String,
    },
    /// A version without an end followed by another.
    OpenEndedThenAnother {
        /// The ruleset's id.
        rs: String,
        /// The open-ended version.
        version: String,
        /// The version after it.
        next: String,
    },
    /// Two versions that overlap or leave days between them.
    OverlapOrGap {
        /// The ruleset's id.
        rs: String,
        /// The earlier version.
        version: String,
        /// The later one.
        next: String,
    },
}

/// What a money problem means, in English and in Chinese.
fn money_words(p: MoneyProblem) -> (&'static str, &'static str) {
    match p {
        MoneyProblem::Syntax => ("not a plain decimal number", "不是普通的十进制数"),
        MoneyProblem::Negative => ("negative", "为负数"),
        MoneyProblem::TooPrecise => ("more than four decimal places", "小数超过四位"),
        MoneyProblem::TooLarge => ("too large", "过大"),
    }
}

impl RulesetProblem {
    /// The Chinese message.
    pub fn zh(&self) -> String {
        use RulesetProblem as P;
        match self {
            P::Parse {
                line,
                column,
                message,
            } => {
                let at = if *line == 0 {
                    String::new()
                } else {
                    format!("第{line}行第{column}列")
                };
                let what = crate::error::type_mismatch_zh(&format!("{at}的值"), "", message)
                    .or_else(|| {
                        let field = message.strip_prefix("missing field `")?.split('`').next()?;
                        Some(format!("{at}缺少字段`{field}`"))
                    })
                    .or_else(|| {
                        let field = message.strip_prefix("unknown field `")?.split('`').next()?;
                        Some(format!("{at}有未定义的字段`{field}`"))
                    })
                    .unwrap_or_else(|| format!("{at}:{message}"));
                format!("规则集文件无法读取:{what}")
            }
            P::NoIdOrVersion => "规则集需要`id`和`version`".into(),
            P::Jurisdiction { rs } => {
                format!("规则集`{rs}`:适用地区(jurisdiction)需要代码和中文名称")
            }
            P::NotADate { rs, field, value } => {
                format!("规则集`{rs}`:`{field}`的值`{value}`不是日期(应为YYYY-MM-DD)")
            }
            P::EndsBeforeStart { rs } => {
                format!("规则集`{rs}`:失效日期`effectiveTo`早于生效日期`effectiveFrom`")
            }
            P::ConflictsWithUnknownItem { rs, item, other } => {
                format!("规则集`{rs}`:项目`{item}`的冲突项目`{other}`不存在")
            }
            P::NoItems { rs } => format!("规则集`{rs}`没有任何资助项目"),
            P::FiscalUnitCode { rs, code } => {
                format!("规则集`{rs}`:财政单位代码`{code}`为空或重复")
            }
            P::ExcludedSeatIsFiscalUnit { rs, code } => {
                format!("规则集`{rs}`:排除的所在地`{code}`同时又是财政单位")
            }
            P::ShareRatioValue { rs, ratio, unit } => {
                format!("规则集`{rs}`:`{unit}`的分担比例`{ratio}`不是0到1之间的小数")
            }
            P::ShareRatioUnit { rs, unit } => {
                format!("规则集`{rs}`:分担比例所对应的单位`{unit}`不是财政单位,或重复给出")
            }
            P::ShareRatioNote { rs, unit } => {
                format!("规则集`{rs}`:`{unit}`的分担比例说明只有一种语言(中英文须同时给出)")
            }
            P::NoShareRatio { rs, unit } => format!("规则集`{rs}`:财政单位`{unit}`没有分担比例"),
            P::ShareTableIdentity { rs } => format!("规则集`{rs}`:分担比例表需要`id`和`version`"),
            P::UnknownFundingLevel { rs, level } => {
                format!("规则集`{rs}`:`topUp`中的资助级别`{level}`不存在")
            }
            P::TopUpCitation { rs } => format!("规则集`{rs}`:补足差额规则需要原文引用"),
            P::TargetFigure { rs, target } => {
                format!("规则集`{rs}`:2020年目标`{target}`没有目标数")
            }
            P::TargetCountsUnknown { rs, item, variant } => format!(
                "规则集`{rs}`:2020年目标统计了不存在的项目`{item}`{}",
                variant
                    .as_deref()
                    .map(|v| format!("/`{v}`"))
                    .unwrap_or_default()
            ),
            P::TargetGroup { rs, target, group } => {
                format!("规则集`{rs}`:2020年目标`{target}`所属的组`{group}`不存在")
            }
            P::ItemId { rs, item } => format!("规则集`{rs}`:项目编号`{item}`为空或重复"),
            P::ItemCitation { rs, item } => {
                format!("规则集`{rs}`:项目`{item}`需要条款编号和原文引用")
            }
            P::NoVariants { rs, item } => format!("规则集`{rs}`:项目`{item}`没有类别"),
            P::VariantId { rs, item, variant } => {
                format!("规则集`{rs}`:项目`{item}`的类别编号`{variant}`为空或重复")
            }
            P::DiscretionaryAmount { rs, item, variant } => {
                format!("规则集`{rs}`:酌情资助项目`{item}`的类别`{variant}`不应写明金额")
            }
            P::NoAmountNorNotes { rs, item, variant } => format!(
                "规则集`{rs}`:项目`{item}`的类别`{variant}`需要金额,或中英文两条不予资助说明"
            ),
            P::Amount {
                rs,
                item,
                variant,
                amount,
                problem,
            } => format!(
                "规则集`{rs}`:项目`{item}`的类别`{variant}`的金额`{amount}`(万元)无效:{}",
                money_words(*problem).1
            ),
            P::AmountNotPositive { rs, item, variant } => {
                format!("规则集`{rs}`:项目`{item}`的类别`{variant}`的金额必须大于零")
            }
            P::AmountAndNote { rs, item, variant } => {
                format!("规则集`{rs}`:项目`{item}`的类别`{variant}`同时有金额和不予资助说明")
            }
            P::NotSerialisable { rs, message } => {
                format!("规则集`{rs}`无法写出以计算其哈希:{message}")
            }
            P::EmptyBook => "规则库中至少需要一个规则集".into(),
            P::OtherJurisdiction { rs, version } => {
                format!("规则集`{rs}`的版本`{version}`与其他版本适用的地区不同")
            }
            P::VersionTwice { rs, version } => format!("规则集`{rs}`的版本`{version}`出现了两次"),
            P::OpenEndedThenAnother { rs, version, next } => {
                format!("规则集`{rs}`的版本`{version}`没有失效日期,但其后还有版本`{next}`")
            }
            P::OverlapOrGap { rs, version, next } => format!(
                "规则集`{rs}`的版本`{version}`与`{next}`的有效期重叠或有间隔(后一版本应从前一版本失效的次日起生效)"
            ),
        }
    }
}

impl fmt::Display for RulesetProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use RulesetProblem as P;
        match self {
            P::Parse {
                line,
                column,
                message,
            } => {
                let at = if *line == 0 {
                    String::new()
                } else {
                    format!(" at line {line} column {column}")
                };
                let what = crate::error::type_mismatch_en(&format!("the value{at}"), "", message)
                    .unwrap_or_else(|| format!("{message}{at}"));
                write!(f, "the ruleset document does not parse: {what}")
            }
            P::NoIdOrVersion => write!(f, "a ruleset needs an `id` and a `version`"),
            P::Jurisdiction { rs } => {
                write!(
                    f,
                    "ruleset `{rs}`: the jurisdiction needs a code and a name"
                )
            }
            P::NotADate { rs, field, value } => {
                write!(f, "ruleset `{rs}`: `{field}` `{value}` is not a date")
            }
            P::EndsBeforeStart { rs } => {
                write!(f, "ruleset `{rs}`: `effectiveTo` is before `effectiveFrom`")
            }
            P::ConflictsWithUnknownItem { rs, item, other } => write!(
                f,
                "ruleset `{rs}`: item `{item}` conflicts with unknown item `{other}`"
            ),
            P::NoItems { rs } => write!(f, "ruleset `{rs}` has no items"),
            P::FiscalUnitCode { rs, code } => write!(
                f,
                "ruleset `{rs}`: fiscal unit code `{code}` is empty or repeated"
            ),
            P::ExcludedSeatIsFiscalUnit { rs, code } => write!(
                f,
                "ruleset `{rs}`: excluded seat `{code}` is also a fiscal unit"
            ),
            P::ShareRatioValue { rs, ratio, unit } => write!(
                f,
                "ruleset `{rs}`: share ratio `{ratio}` for `{unit}` is not a decimal between 0 and 1"
            ),
            P::ShareRatioUnit { rs, unit } => write!(
                f,
                "ruleset `{rs}`: share ratio for unknown or repeated unit `{unit}`"
            ),
            P::ShareRatioNote { rs, unit } => write!(
                f,
                "ruleset `{rs}`: the share ratio of `{unit}` has a note in one language only"
            ),
            P::NoShareRatio { rs, unit } => {
                write!(f, "ruleset `{rs}`: fiscal unit `{unit}` has no share ratio")
            }
            P::ShareTableIdentity { rs } => write!(
                f,
                "ruleset `{rs}`: the share table needs an id and a version"
            ),
            P::UnknownFundingLevel { rs, level } => write!(
                f,
                "ruleset `{rs}`: unknown funding level `{level}` in `topUp`"
            ),
            P::TopUpCitation { rs } => {
                write!(f, "ruleset `{rs}`: the top-up rule needs a citation")
            }
            P::TargetFigure { rs, target } => {
                write!(f, "ruleset `{rs}`: target `{target}` has no figure")
            }
            P::TargetCountsUnknown { rs, item, variant } => write!(
                f,
                "ruleset `{rs}`: a 2020 target counts unknown item `{item}`{}",
                variant
                    .as_deref()
                    .map(|v| format!(" / `{v}`"))
                    .unwrap_or_default()
            ),
            P::TargetGroup { rs, target, group } => write!(
                f,
                "ruleset `{rs}`: target `{target}` names unknown group `{group}`"
            ),
            P::ItemId { rs, item } => {
                write!(f, "ruleset `{rs}`: item id `{item}` is empty or repeated")
            }
            P::ItemCitation { rs, item } => write!(
                f,
                "ruleset `{rs}`: item `{item}` needs a clause and a citation"
            ),
            P::NoVariants { rs, item } => {
                write!(f, "ruleset `{rs}`: item `{item}` has no variants")
            }
            P::VariantId { rs, item, variant } => write!(
                f,
                "ruleset `{rs}`: item `{item}` repeats or omits a variant id `{variant}`"
            ),
            P::DiscretionaryAmount { rs, item, variant } => write!(
                f,
                "ruleset `{rs}`: discretionary item `{item}` variant `{variant}` states an amount"
            ),
            P::NoAmountNorNotes { rs, item, variant } => write!(
                f,
                "ruleset `{rs}`: item `{item}` variant `{variant}` needs an amount or both not-covered notes"
            ),
            P::Amount {
                rs,
                item,
                variant,
                amount,
                problem,
            } => write!(
                f,
                "ruleset `{rs}`: item `{item}` variant `{variant}` amount `{amount}` (万元) is not valid: {}",
                money_words(*problem).0
            ),
            P::AmountNotPositive { rs, item, variant } => write!(
                f,
                "ruleset `{rs}`: item `{item}` variant `{variant}` amount must be positive"
            ),
            P::AmountAndNote { rs, item, variant } => write!(
                f,
                "ruleset `{rs}`: item `{item}` variant `{variant}` has both an amount and a not-covered note"
            ),
            P::NotSerialisable { rs, message } => {
                write!(f, "ruleset `{rs}` cannot be serialised: {message}")
            }
            P::EmptyBook => write!(f, "a rule book needs at least one ruleset"),
            P::OtherJurisdiction { rs, version } => write!(
                f,
                "ruleset `{rs}` version `{version}` governs another jurisdiction than its other versions"
            ),
            P::VersionTwice { rs, version } => {
                write!(f, "ruleset `{rs}` version `{version}` appears twice")
            }
            P::OpenEndedThenAnother { rs, version, next } => write!(
                f,
                "ruleset `{rs}` version `{version}` is open-ended but version `{next}` follows it"
            ),
            P::OverlapOrGap { rs, version, next } => write!(
                f,
                "ruleset `{rs}` versions `{version}` and `{next}` overlap or leave a gap"
            ),
        }
    }
}

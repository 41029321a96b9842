//! The spreadsheet layout of `stdfund estimate --batch` (CSV or XLSX): one
//! row per achievement with its unit's columns; rows with the same credit
//! code form one application, in the order the codes first appear.
//!
//! Every column has a Chinese and an English header (docs/BATCH.md). A header
//! cell matches a column when it is the Chinese header, the English header,
//! both (`成果日期 Date`, either order, brackets or not) or a listed alias;
//! width, spaces, brackets and `/ - _ : .` are ignored, English is
//! case-insensitive. The header row may be any of the first
//! [`HEADER_SEARCH_ROWS`] rows; columns may come in any order; unknown
//! columns are ignored. Coded values (item, variant, role, funding level,
//! yes/no) accept the ruleset id or the Chinese or English name; a value not
//! recognised goes to the engine as typed, which names the field it refuses.

/// How many leading rows are searched for the header row.
pub use stdfund_match::feed::HEADER_SEARCH_ROWS;

/// One column of the layout: the same description as the 免申即享 feeds'
/// columns, found in a header row the same way.
pub use stdfund_match::feed::Column;

/// The columns, by position in [`COLUMNS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Col {
    CreditCode = 0,
    Name,
    Seat,
    Id,
    Item,
    Variant,
    Subject,
    Date,
    Role,
    Accepted,
    Approved,
    FundingLevel,
    FundingAmount,
    FundingSource,
}

impl Col {
    /// Its layout column.
    pub fn column(self) -> &'static Column {
        COLUMNS.get(self as usize).unwrap_or(&FALLBACK)
    }
}

static FALLBACK: Column = Column {
    zh: "",
    en: "",
    aliases: &[],
    required: false,
    text: false,
    note_zh: "",
    note_en: "",
    example: "",
};

/// Separators of a list cell (funding entries): `;` `；` `、` and line
/// breaks. Not the comma: amounts may be written `100,000`.
pub const LIST_SEPARATORS: [char; 5] = [';', '；', '、', '\n', '\r'];

/// The layout, in template order.
pub static COLUMNS: [Column; 14] = [
    Column {
        zh: "统一社会信用代码",
        en: "Credit code",
        aliases: &[
            "信用代码",
            "社会信用代码",
            "Unified social credit code",
            "creditCode",
        ],
        required: true,
        text: true,
        note_zh: "申请单位的18位统一社会信用代码,以文本格式保存;同一代码的各行合为一份申请",
        note_en: "the applying unit's 18-character credit code, stored as text; rows with the same code form one application",
        example: "91350100M000100Y43",
    },
    Column {
        zh: "单位名称",
        en: "Name",
        aliases: &[
            "企业名称",
            "申请单位",
            "名称",
            "Unit name",
            "Applicant name",
        ],
        required: false,
        text: false,
        note_zh: "申请单位全称;同一代码只需在第一行填写",
        note_en: "the unit's full name; needed on the code's first row only",
        example: "福州示例科技有限公司",
    },
    Column {
        zh: "所在地",
        en: "Seat",
        aliases: &["所在地代码", "区划代码", "属地", "Seat code"],
        required: true,
        text: true,
        note_zh: "区划代码,如350102(鼓楼区);高新区为350100-GXQ;同一代码只需在第一行填写",
        note_en: "the division code, e.g. 350102 (Gulou); 350100-GXQ for the High-tech Zone; needed on the code's first row only",
        example: "350102",
    },
    Column {
        zh: "成果编号",
        en: "Achievement ID",
        aliases: &["编号", "序号", "ID", "Achievement"],
        required: false,
        text: true,
        note_zh: "申请内唯一的编号;不填则用行号(r12)",
        note_en: "unique within the application; blank: the row number (r12)",
        example: "c1",
    },
    Column {
        zh: "资助项目",
        en: "Item",
        aliases: &["项目", "资助类别", "Grant item"],
        required: true,
        text: false,
        note_zh: "规则中的项目代码或名称,见「项目与类别」表",
        note_en: "the ruleset's item id or name; see the Items and variants sheet",
        example: "STANDARD_LEAD",
    },
    Column {
        zh: "类别",
        en: "Variant",
        aliases: &["级别", "等级", "项目类别"],
        required: true,
        text: false,
        note_zh: "该项目下的类别代码或名称,如NATIONAL或国家标准",
        note_en: "the item's variant id or name, e.g. NATIONAL or 国家标准",
        example: "NATIONAL",
    },
    Column {
        zh: "成果",
        en: "Subject",
        aliases: &["对象", "标准编号", "成果名称", "标准号"],
        required: true,
        text: true,
        note_zh: "标准编号、委员会编号、项目文号或产品名称",
        note_en: "the standard number, committee code, project reference or product",
        example: "GB/T 12345-2020",
    },
    Column {
        zh: "成果日期",
        en: "Date",
        aliases: &["日期", "发布日期", "完成日期", "Achievement date"],
        required: true,
        text: false,
        note_zh: "发布、获奖、批准或验收日期:YYYY-MM-DD,或日期单元格",
        note_en: "publication, award, approval or acceptance date: YYYY-MM-DD, or a date cell",
        example: "2020-05-01",
    },
    Column {
        zh: "角色",
        en: "Role",
        aliases: &["单位角色"],
        required: false,
        text: false,
        note_zh: "主导(第一起草/第一完成单位)或参与;奖项须填主导",
        note_en: "lead (first drafting or completing unit) or participant; awards need lead",
        example: "主导",
    },
    Column {
        zh: "已验收",
        en: "Accepted",
        aliases: &["验收", "通过验收"],
        required: false,
        text: false,
        note_zh: "示范试点、科研项目是否已通过验收:是/否",
        note_en: "pilots and research projects: acceptance passed, yes/no",
        example: "否",
    },
    Column {
        zh: "已批准",
        en: "Approved",
        aliases: &["批准"],
        required: false,
        text: false,
        note_zh: "地理标志是否已获批准:是/否",
        note_en: "geographical indications: approval granted, yes/no",
        example: "否",
    },
    Column {
        zh: "上级资助级别",
        en: "Funding level",
        aliases: &["资助级别", "Higher-level funding level"],
        required: false,
        text: false,
        note_zh: "已获上级资助的级别:国家级、省级、县级、非财政;多笔以分号分隔",
        note_en: "level of funding already received: national, provincial, county, non-fiscal; several separated by ;",
        example: "省级",
    },
    Column {
        zh: "上级资助金额",
        en: "Funding amount",
        aliases: &[
            "资助金额",
            "上级资助金额(元)",
            "Higher-level funding amount",
        ],
        required: false,
        text: false,
        note_zh: "元,如100000、100,000或10万;多笔以分号分隔,与级别一一对应",
        note_en: "yuan, e.g. 100000, 100,000 or 10万; several separated by ;, one per level",
        example: "100000",
    },
    Column {
        zh: "上级资助来源",
        en: "Funding source",
        aliases: &["资助来源", "Higher-level funding source"],
        required: false,
        text: false,
        note_zh: "可选;资助单位,多笔以分号分隔",
        note_en: "optional; who paid, several separated by ;",
        example: "福建省市场监督管理局",
    },
];

/// A header or coded value, cleaned for comparison: NFKC, no white space or
/// brackets, no `/ - _ : .`, upper case (as the feeds' headers are).
pub use stdfund_match::feed::clean_label as label;

/// The ruleset item id a cell names (its id or Chinese or English name),
/// if any ruleset of the embedded book has it.
pub fn item_id(text: &str) -> Option<String> {
    let wanted = label(text);
    let book = stdfund_rules::ruleset::embedded().ok()?;
    book.rulesets()
        .iter()
        .rev()
        .flat_map(|r| r.doc().items.iter())
        .find(|i| {
            label(&i.id) == wanted
                || label(&i.name_zh) == wanted
                || label(&i.name_en) == wanted
                || format!("{}{}", label(&i.name_zh), label(&i.name_en)) == wanted
        })
        .map(|i| i.id.clone())
}

/// The variant id a cell names within an item, if any: its id or name, or
/// the end of its Chinese name when no other variant's name ends so
/// (`一等奖` for 中国标准创新贡献奖's 项目奖一等奖, as the feeds of
/// `stdfund match` write it).
pub fn variant_id(item: &str, text: &str) -> Option<String> {
    let wanted = label(text);
    let book = stdfund_rules::ruleset::embedded().ok()?;
    let variants: Vec<_> = book
        .rulesets()
        .iter()
        .rev()
        .flat_map(|r| r.doc().items.iter())
        .filter(|i| i.id == item)
        .flat_map(|i| i.variants.iter())
        .collect();
    let exact = variants.iter().find(|v| {
        label(&v.id) == wanted
            || label(&v.name_zh) == wanted
            || label(&v.name_en) == wanted
            || format!("{}{}", label(&v.name_zh), label(&v.name_en)) == wanted
    });
    if let Some(v) = exact {
        return Some(v.id.clone());
    }
    if wanted.chars().count() < 2 {
        return None;
    }
    let ending: std::collections::BTreeSet<&str> = variants
        .iter()
        .filter(|v| label(&v.name_zh).ends_with(&wanted))
        .map(|v| v.id.as_str())
        .collect();
    match ending.into_iter().collect::<Vec<_>>().as_slice() {
        [only] => Some((*only).to_string()),
        _ => None,
    }
}

/// `ROLE_LEAD` / `ROLE_PARTICIPANT` for the usual ways of writing a role.
pub fn role_name(text: &str) -> Option<&'static str> {
    const LEAD: [&str; 11] = [
        "ROLE_LEAD",
        "LEAD",
        "主导",
        "主导单位",
        "牵头",
        "牵头单位",
        "第一起草单位",
        "第一完成单位",
        "主导单位或第一起草单位",
        "第一",
        "1",
    ];
    const PARTICIPANT: [&str; 7] = [
        "ROLE_PARTICIPANT",
        "PARTICIPANT",
        "参与",
        "参与单位",
        "参加",
        "参加单位",
        "2",
    ];
    let v = label(text);
    if LEAD.iter().any(|s| label(s) == v) {
        Some("ROLE_LEAD")
    } else if PARTICIPANT.iter().any(|s| label(s) == v) {
        Some("ROLE_PARTICIPANT")
    } else {
        None
    }
}

/// `FUNDING_LEVEL_…` for the usual ways of writing a funding level.
pub fn funding_level_name(text: &str) -> Option<&'static str> {
    const LEVELS: [(&str, &[&str]); 4] = [
        (
            "FUNDING_LEVEL_NATIONAL",
            &["NATIONAL", "国家", "国家级", "中央", "中央财政", "国家财政"],
        ),
        (
            "FUNDING_LEVEL_PROVINCIAL",
            &["PROVINCIAL", "省", "省级", "省级财政", "福建省"],
        ),
        (
            "FUNDING_LEVEL_COUNTY",
            &[
                "COUNTY",
                "县级",
                "区县",
                "县区",
                "区级",
                "县(市)区",
                "县(市、区)",
            ],
        ),
        (
            "FUNDING_LEVEL_NON_FISCAL",
            &[
                "NON_FISCAL",
                "NONFISCAL",
                "非财政",
                "非财政资金",
                "社会资金",
            ],
        ),
    ];
    let v = label(text);
    LEVELS
        .iter()
        .find(|(id, spellings)| label(id) == v || spellings.iter().any(|s| label(s) == v))
        .map(|(id, _)| *id)
}

/// A yes/no cell: `Some(true)` / `Some(false)`, `None` when not recognised.
pub fn yes_no(text: &str) -> Option<bool> {
    const YES: [&str; 10] = [
        "是",
        "Y",
        "YES",
        "TRUE",
        "1",
        "√",
        "已验收",
        "通过",
        "已批准",
        "批准",
    ];
    const NO: [&str; 11] = [
        "否",
        "N",
        "NO",
        "FALSE",
        "0",
        "×",
        "未验收",
        "不通过",
        "未通过",
        "未批准",
        "不批准",
    ];
    let v = label(text);
    if v.is_empty() {
        Some(false)
    } else if YES.iter().any(|s| label(s) == v) {
        Some(true)
    } else if NO.iter().any(|s| label(s) == v) {
        Some(false)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn headers_in_either_language_or_both() {
        let c = Col::Date.column();
        for h in [
            "成果日期",
            "Date",
            "成果日期 Date",
            "成果日期(Date)",
            "date",
            "日期",
        ] {
            assert!(c.accepts(&label(h)), "{h}");
        }
        assert!(!c.accepts(&label("Item")));
        for (i, c) in COLUMNS.iter().enumerate() {
            for (j, d) in COLUMNS.iter().enumerate() {
                if i != j {
                    assert!(!d.accepts(&label(&c.header())), "{} vs {}", c.zh, d.zh);
                }
            }
        }
    }

    #[test]
    fn coded_values() {
        assert_eq!(
            item_id("标准制修订主导单位或第一起草单位").as_deref(),
            Some("STANDARD_LEAD")
        );
        assert_eq!(item_id("standard_lead").as_deref(), Some("STANDARD_LEAD"));
        assert_eq!(item_id("no such item"), None);
        assert_eq!(
            variant_id("STANDARD_LEAD", "国家标准").as_deref(),
            Some("NATIONAL")
        );
        assert_eq!(
            variant_id("AWARD_FUJIAN", "一等奖").as_deref(),
            Some("PROJECT_FIRST")
        );
        assert_eq!(variant_id("STANDARD_LEAD", "一等奖"), None);
        // The end of one variant's name, as the feeds write it; not when two
        // names end so, nor one character.
        assert_eq!(
            variant_id("AWARD_CHINA", "一等奖").as_deref(),
            Some("PROJECT_FIRST")
        );
        assert_eq!(variant_id("AWARD_CHINA", "等奖"), None);
        assert_eq!(variant_id("AWARD_CHINA", "奖"), None);
        assert_eq!(role_name("主导"), Some("ROLE_LEAD"));
        assert_eq!(role_name(" participant "), Some("ROLE_PARTICIPANT"));
        assert_eq!(role_name("观察员"), None);
        assert_eq!(funding_level_name("省级"), Some("FUNDING_LEVEL_PROVINCIAL"));
        assert_eq!(
            funding_level_name("FUNDING_LEVEL_NON_FISCAL"),
            Some("FUNDING_LEVEL_NON_FISCAL")
        );
        assert_eq!(yes_no("是"), Some(true));
        assert_eq!(yes_no(""), Some(false));
        assert_eq!(yes_no("也许"), None);
    }
}

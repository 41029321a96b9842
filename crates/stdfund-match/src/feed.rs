//! The feeds: one documented column layout per kind of published list, and
//! the typed rows read from it.
//!
//! Every column has a Chinese and an English header; a file may use either,
//! both (`标准编号 Standard number`, in either order, with or without
//! brackets), or a listed alias (`标准号`). The header row is found among the
//! first [`HEADER_SEARCH_ROWS`] rows, so a title row above it (`2021年第3号
//! 国家标准公告`) is fine; columns may come in any order, and extra columns are
//! ignored. Blank rows are skipped. Values of coded columns (a standard's
//! level, an award's grade …) accept the Chinese label, the English label or
//! the ruleset id listed in [`Layout::columns`] / docs/MATCHING.md.

use crate::error::InputError;
use crate::normalize::clean;
use crate::register::Enterprise;
use crate::rules_adapter::Names;
use crate::table::{Cell, Sheet};
use stdfund_rules::date::{Date, DateHint};

/// How many leading rows are searched for the header row.
pub const HEADER_SEARCH_ROWS: usize = 20;

/// The kinds of input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FeedKind {
    /// 企业名录: the enterprise register.
    Register,
    /// 标准发布清单: standards published.
    Standards,
    /// 标准奖获奖名单: award lists.
    Awards,
    /// 技术委员会秘书处名单: technical-committee secretariats.
    Committees,
    /// 标准化示范试点验收名单: demonstration / pilot acceptances.
    Pilots,
    /// 地理标志批准名单: geographical-indication approvals.
    GeographicalIndications,
}

impl FeedKind {
    /// Every kind, register first.
    pub const ALL: [FeedKind; 6] = [
        FeedKind::Register,
        FeedKind::Standards,
        FeedKind::Awards,
        FeedKind::Committees,
        FeedKind::Pilots,
        FeedKind::GeographicalIndications,
    ];

    /// The layout of this kind.
    pub fn layout(self) -> &'static Layout {
        match self {
            FeedKind::Register => &REGISTER,
            FeedKind::Standards => &STANDARDS,
            FeedKind::Awards => &AWARDS,
            FeedKind::Committees => &COMMITTEES,
            FeedKind::Pilots => &PILOTS,
            FeedKind::GeographicalIndications => &GEOGRAPHICAL_INDICATIONS,
        }
    }

    /// The stable id (`STANDARDS`, …).
    pub fn id(self) -> &'static str {
        self.layout().id
    }
}

/// One column of a layout.
#[derive(Debug)]
pub struct Column {
    /// Chinese header.
    pub zh: &'static str,
    /// English header.
    pub en: &'static str,
    /// Other headers accepted.
    pub aliases: &'static [&'static str],
    /// Whether the column must be present and every row must fill it.
    pub required: bool,
    /// An identifier column: written as text in templates and outputs; a
    /// large number in it is refused (`CODE_AS_NUMBER`).
    pub text: bool,
    /// What goes in it, Chinese.
    pub note_zh: &'static str,
    /// What goes in it, English.
    pub note_en: &'static str,
    /// An example value.
    pub example: &'static str,
}

impl Column {
    /// The header written in templates: `中文 English`.
    pub fn header(&self) -> String {
        format!("{} {}", self.zh, self.en)
    }

    /// Whether a header cell (cleaned with [`clean_label`]) names this column.
    pub fn accepts(&self, cleaned: &str) -> bool {
        let zh = clean_label(self.zh);
        let en = clean_label(self.en);
        cleaned == zh
            || cleaned == en
            || cleaned == format!("{zh}{en}")
            || cleaned == format!("{en}{zh}")
            || self.aliases.iter().any(|a| clean_label(a) == cleaned)
    }
}

/// A feed's layout.
#[derive(Debug)]
pub struct Layout {
    /// Stable id.
    pub id: &'static str,
    /// File stem of its template (`standards` → `standards.xlsx`).
    pub file_stem: &'static str,
    /// Title, Chinese.
    pub title_zh: &'static str,
    /// Title, English.
    pub title_en: &'static str,
    /// The columns, in template order.
    pub columns: &'static [Column],
}

// One row of a layout table: each argument is one of its cells.
#[allow(clippy::too_many_arguments)]
const fn col(
    zh: &'static str,
    en: &'static str,
    aliases: &'static [&'static str],
    required: bool,
    text: bool,
    note_zh: &'static str,
    note_en: &'static str,
    example: &'static str,
) -> Column {
    Column {
        zh,
        en,
        aliases,
        required,
        text,
        note_zh,
        note_en,
        example,
    }
}

const UNITS_NOTE_ZH: &str = "按排名顺序列出,以顿号、逗号、分号或换行分隔";
const UNITS_NOTE_EN: &str = "in rank order, separated by 、 , ; or line breaks";
const CODES_NOTE_ZH: &str = "可选;与单位一一对应,同样分隔,未知的留空";
const CODES_NOTE_EN: &str =
    "optional; one per unit in the same order and separators, empty where unknown";
const DATE_NOTE_ZH: &str = "YYYY-MM-DD,或日期单元格";
const DATE_NOTE_EN: &str = "YYYY-MM-DD, or a date cell";

/// 企业名录 Enterprise register.
pub static REGISTER: Layout = Layout {
    id: "REGISTER",
    file_stem: "register",
    title_zh: "企业名录",
    title_en: "Enterprise register",
    columns: &[
        col(
            "统一社会信用代码",
            "Credit code",
            &["信用代码", "社会信用代码", "Unified social credit code"],
            true,
            true,
            "18位统一社会信用代码,以文本格式保存",
            "the 18-character unified social credit code, stored as text",
            "91350102MA2XYZ0012",
        ),
        col(
            "单位名称",
            "Name",
            &["企业名称", "名称", "Unit name", "Enterprise name"],
            true,
            false,
            "登记的全称",
            "the registered full name",
            "福州示例科技有限公司",
        ),
        col(
            "所在地",
            "Seat",
            &["所在地代码", "区划代码", "属地", "Seat code"],
            true,
            true,
            "区划代码,如350102(鼓楼区);高新区为350100-GXQ",
            "the division code, e.g. 350102 (Gulou); 350100-GXQ for the High-tech Zone",
            "350102",
        ),
    ],
};

/// 标准发布清单 Standards published.
pub static STANDARDS: Layout = Layout {
    id: "STANDARDS",
    file_stem: "standards",
    title_zh: "标准发布清单",
    title_en: "Standards published",
    columns: &[
        col(
            "标准编号",
            "Standard number",
            &["标准号", "Number"],
            true,
            true,
            "如 GB/T 12345-2020",
            "e.g. GB/T 12345-2020",
            "GB/T 12345-2020",
        ),
        col(
            "标准名称",
            "Title",
            &["名称", "Standard title"],
            false,
            false,
            "标准名称",
            "the standard's title",
            "茉莉花茶加工技术规程",
        ),
        col(
            "标准级别",
            "Level",
            &["级别", "标准类别", "Standard level"],
            true,
            false,
            "国际标准、国家标准、行业标准、地方标准或团体标准",
            "international, national, industry, local or group",
            "国家标准",
        ),
        col(
            "发布日期",
            "Publication date",
            &["发布时间", "Published"],
            true,
            false,
            DATE_NOTE_ZH,
            DATE_NOTE_EN,
            "2020-05-01",
        ),
        col(
            "起草单位",
            "Drafting units",
            &[
                "主要起草单位",
                "起草单位按排名",
                "Drafting units in rank order",
            ],
            true,
            false,
            UNITS_NOTE_ZH,
            UNITS_NOTE_EN,
            "福州示例科技有限公司、福建示例茶业有限公司",
        ),
        col(
            "起草单位信用代码",
            "Drafting unit credit codes",
            &["统一社会信用代码", "Credit codes"],
            false,
            true,
            CODES_NOTE_ZH,
            CODES_NOTE_EN,
            "91350102MA2XYZ0012、",
        ),
    ],
};

/// 标准奖获奖名单 Award lists.
pub static AWARDS: Layout = Layout {
    id: "AWARDS",
    file_stem: "awards",
    title_zh: "标准奖获奖名单",
    title_en: "Standard award lists",
    columns: &[
        col(
            "奖项",
            "Award",
            &["奖项名称", "Award name"],
            true,
            false,
            "中国标准创新贡献奖 或 福建省标准贡献奖",
            "China Standard Innovation Contribution Award or Fujian Provincial Standard Contribution Award",
            "福建省标准贡献奖",
        ),
        col(
            "年度",
            "Year",
            &["获奖年度", "Award year"],
            true,
            false,
            "如 2019",
            "e.g. 2019",
            "2019",
        ),
        col(
            "等级",
            "Grade",
            &["获奖等级", "奖励等级", "奖级"],
            true,
            false,
            "一等奖、二等奖、三等奖(组织奖、个人奖不在资助范围)",
            "first, second or third prize (organisation and individual awards are not covered)",
            "一等奖",
        ),
        col(
            "项目名称",
            "Project",
            &["获奖项目", "Project name"],
            false,
            false,
            "获奖项目(标准)名称",
            "the awarded project (standard)",
            "茉莉花茶加工技术规程",
        ),
        col(
            "标准编号",
            "Standard number",
            &["标准号"],
            true,
            true,
            "获奖标准的编号",
            "the awarded standard's number",
            "DB35/T 1234-2018",
        ),
        col(
            "完成单位",
            "Units",
            &["主要完成单位", "获奖单位", "Completing units"],
            true,
            false,
            UNITS_NOTE_ZH,
            UNITS_NOTE_EN,
            "福州示例科技有限公司",
        ),
        col(
            "完成单位信用代码",
            "Unit credit codes",
            &["统一社会信用代码", "Credit codes"],
            false,
            true,
            CODES_NOTE_ZH,
            CODES_NOTE_EN,
            "",
        ),
        col(
            "公布日期",
            "Announcement date",
            &["公布时间", "Announced"],
            false,
            false,
            "可选;缺省按当年12月31日",
            "optional; the 31 December of the year when absent",
            "2019-12-20",
        ),
    ],
};

/// 技术委员会秘书处名单 Technical-committee secretariats.
pub static COMMITTEES: Layout = Layout {
    id: "COMMITTEES",
    file_stem: "committees",
    title_zh: "技术委员会秘书处名单",
    title_en: "Technical-committee secretariats",
    columns: &[
        col(
            "委员会编号",
            "Committee code",
            &["编号", "技术委员会编号", "Code"],
            true,
            true,
            "如 SAC/TC 28、ISO/TC 45/SC 3、FJ/TC 12",
            "e.g. SAC/TC 28, ISO/TC 45/SC 3, FJ/TC 12",
            "SAC/TC 28",
        ),
        col(
            "委员会名称",
            "Committee name",
            &["名称", "技术委员会名称"],
            false,
            false,
            "委员会名称",
            "the committee's name",
            "全国茶叶标准化技术委员会",
        ),
        col(
            "类别",
            "Kind",
            &["委员会类别", "Committee kind"],
            true,
            false,
            "国际TC/SC、国际工作组、全国TC/SC、全国工作组、福建省TC、福建省工作组",
            "international TC/SC or WG, national TC/SC or WG, Fujian TC or WG",
            "全国TC/SC",
        ),
        col(
            "批准日期",
            "Approval date",
            &["批准时间", "成立日期", "Approved"],
            true,
            false,
            DATE_NOTE_ZH,
            DATE_NOTE_EN,
            "2017-05-05",
        ),
        col(
            "秘书处承担单位",
            "Secretariat unit",
            &["秘书处单位", "承担单位", "Secretariat"],
            true,
            false,
            "一个单位",
            "one unit",
            "福州示例科技有限公司",
        ),
        col(
            "统一社会信用代码",
            "Credit code",
            &["信用代码"],
            false,
            true,
            "可选",
            "optional",
            "",
        ),
    ],
};

/// 标准化示范试点验收名单 Demonstration and pilot acceptances.
pub static PILOTS: Layout = Layout {
    id: "PILOTS",
    file_stem: "pilots",
    title_zh: "标准化示范试点验收名单",
    title_en: "Demonstration and pilot acceptances",
    columns: &[
        col(
            "项目编号",
            "Project reference",
            &["文号", "项目文号", "Reference"],
            true,
            true,
            "下达文号或项目编号",
            "the assignment reference",
            "闽标试〔2019〕12号",
        ),
        col(
            "项目名称",
            "Project name",
            &["名称", "Project"],
            false,
            false,
            "示范(试点)项目名称",
            "the project's name",
            "茉莉花茶标准化示范区",
        ),
        col(
            "级别",
            "Level",
            &["项目级别"],
            true,
            false,
            "国家级、省级或市级",
            "national, provincial or municipal",
            "省级",
        ),
        col(
            "验收日期",
            "Acceptance date",
            &["验收时间", "Accepted on"],
            true,
            false,
            DATE_NOTE_ZH,
            DATE_NOTE_EN,
            "2020-06-01",
        ),
        col(
            "验收结论",
            "Result",
            &["结论", "验收结果", "Acceptance result"],
            false,
            false,
            "通过或不通过;无此列时视为均已通过",
            "passed or failed; without this column every row counts as passed",
            "通过",
        ),
        col(
            "承担单位",
            "Units",
            &["项目承担单位", "Undertaking units"],
            true,
            false,
            UNITS_NOTE_ZH,
            UNITS_NOTE_EN,
            "福州示例科技有限公司",
        ),
        col(
            "承担单位信用代码",
            "Unit credit codes",
            &["统一社会信用代码", "Credit codes"],
            false,
            true,
            CODES_NOTE_ZH,
            CODES_NOTE_EN,
            "",
        ),
    ],
};

/// 地理标志批准名单 Geographical-indication approvals.
pub static GEOGRAPHICAL_INDICATIONS: Layout = Layout {
    id: "GEOGRAPHICAL_INDICATIONS",
    file_stem: "gi",
    title_zh: "地理标志批准名单",
    title_en: "Geographical-indication approvals",
    columns: &[
        col(
            "产品名称",
            "Product",
            &["地理标志产品", "Product name"],
            true,
            false,
            "获批的产品名称",
            "the approved product",
            "福州茉莉花茶",
        ),
        col(
            "类别",
            "Kind",
            &["保护类别", "GI kind"],
            true,
            false,
            "地理标志产品保护 或 农产品地理标志",
            "GI product protection or agricultural-product GI",
            "地理标志产品保护",
        ),
        col(
            "批准日期",
            "Approval date",
            &["批准时间", "公告日期", "Approved"],
            true,
            false,
            DATE_NOTE_ZH,
            DATE_NOTE_EN,
            "2018-07-01",
        ),
        col(
            "批准文号",
            "Approval reference",
            &["公告号", "Reference"],
            false,
            true,
            "可选",
            "optional",
            "2018年第12号公告",
        ),
        col(
            "申报单位",
            "Applicant units",
            &["组织申报单位", "申请人", "Applicants"],
            true,
            false,
            UNITS_NOTE_ZH,
            UNITS_NOTE_EN,
            "福州市茶业协会",
        ),
        col(
            "申报单位信用代码",
            "Applicant credit codes",
            &["统一社会信用代码", "Credit codes"],
            false,
            true,
            CODES_NOTE_ZH,
            CODES_NOTE_EN,
            "",
        ),
    ],
};

/// A unit as a list names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitRef {
    /// The name as written.
    pub name: String,
    /// The credit code, when the list gives one.
    pub code: Option<String>,
}

/// A standard's level as a list states it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StandardLevel {
    /// 国际标准.
    International,
    /// 国家标准.
    National,
    /// 行业标准.
    Industry,
    /// 地方标准.
    Local,
    /// 团体标准.
    Group,
}

impl StandardLevel {
    /// The ruleset variant id.
    pub fn variant(self) -> &'static str {
        match self {
            StandardLevel::International => "INTERNATIONAL",
            StandardLevel::National => "NATIONAL",
            StandardLevel::Industry => "INDUSTRY",
            StandardLevel::Local => "LOCAL",
            StandardLevel::Group => "GROUP",
        }
    }
}

/// One row of a standards list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StandardRow {
    /// Spreadsheet row.
    pub row: u32,
    /// Standard number.
    pub number: String,
    /// Title.
    pub title: String,
    /// Level.
    pub level: StandardLevel,
    /// Publication date, `YYYY-MM-DD`.
    pub date: String,
    /// Drafting units in rank order.
    pub units: Vec<UnitRef>,
}

/// One row of an award list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwardRow {
    /// Spreadsheet row.
    pub row: u32,
    /// Ruleset item: `AWARD_CHINA` or `AWARD_FUJIAN`.
    pub award: &'static str,
    /// Award year.
    pub year: u16,
    /// Ruleset variant: `PROJECT_FIRST` … `INDIVIDUAL`.
    pub grade: &'static str,
    /// Project name.
    pub project: String,
    /// The awarded standard's number.
    pub standard_number: String,
    /// Units in rank order.
    pub units: Vec<UnitRef>,
    /// Announcement date, `YYYY-MM-DD` (31 December of the year if absent).
    pub date: String,
    /// Whether the date was taken from the year.
    pub date_from_year: bool,
}

/// One row of a committee list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitteeRow {
    /// Spreadsheet row.
    pub row: u32,
    /// Committee code (`SAC/TC 28`).
    pub code: String,
    /// Committee name.
    pub name: String,
    /// Ruleset variant: `INTERNATIONAL_TC_SC` … `PROVINCIAL_WG`.
    pub kind: &'static str,
    /// Approval date.
    pub date: String,
    /// The secretariat unit.
    pub unit: UnitRef,
}

/// One row of a pilot acceptance list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PilotRow {
    /// Spreadsheet row.
    pub row: u32,
    /// Project reference.
    pub reference: String,
    /// Project name.
    pub name: String,
    /// Ruleset variant: `NATIONAL`, `PROVINCIAL`, `MUNICIPAL`.
    pub level: &'static str,
    /// Acceptance date.
    pub date: String,
    /// Passed acceptance.
    pub accepted: bool,
    /// Undertaking units.
    pub units: Vec<UnitRef>,
}

/// One row of a geographical-indication approval list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GiRow {
    /// Spreadsheet row.
    pub row: u32,
    /// Product.
    pub product: String,
    /// Ruleset variant: `GI_PRODUCT_PROTECTION` or `AGRICULTURAL_GI`.
    pub kind: &'static str,
    /// Approval date.
    pub date: String,
    /// Approval reference.
    pub reference: String,
    /// Organising units.
    pub units: Vec<UnitRef>,
}

/// One row of any achievement feed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FeedRecord {
    /// A standard.
    Standard(StandardRow),
    /// An award.
    Award(AwardRow),
    /// A committee secretariat.
    Committee(CommitteeRow),
    /// A pilot acceptance.
    Pilot(PilotRow),
    /// A geographical indication.
    Gi(GiRow),
}

impl FeedRecord {
    /// The feed kind.
    pub fn kind(&self) -> FeedKind {
        match self {
            FeedRecord::Standard(_) => FeedKind::Standards,
            FeedRecord::Award(_) => FeedKind::Awards,
            FeedRecord::Committee(_) => FeedKind::Committees,
            FeedRecord::Pilot(_) => FeedKind::Pilots,
            FeedRecord::Gi(_) => FeedKind::GeographicalIndications,
        }
    }

    /// The spreadsheet row.
    pub fn row(&self) -> u32 {
        match self {
            FeedRecord::Standard(r) => r.row,
            FeedRecord::Award(r) => r.row,
            FeedRecord::Committee(r) => r.row,
            FeedRecord::Pilot(r) => r.row,
            FeedRecord::Gi(r) => r.row,
        }
    }
}

/// Coded values: (value, accepted spellings).
type Codes = &'static [(&'static str, &'static [&'static str])];

/// Accepted spellings of a standard's level.
pub const LEVELS: Codes = &[
    (
        "INTERNATIONAL",
        &[
            "国际",
            "国际标准",
            "International",
            "International standard",
        ],
    ),
    (
        "NATIONAL",
        &["国家", "国家标准", "国标", "National", "National standard"],
    ),
    (
        "INDUSTRY",
        &["行业", "行业标准", "行标", "Industry", "Industry standard"],
    ),
    (
        "LOCAL",
        &["地方", "地方标准", "地标", "Local", "Local standard"],
    ),
    (
        "GROUP",
        &["团体", "团体标准", "团标", "Group", "Group standard"],
    ),
];

/// Accepted spellings of an award.
pub const AWARD_NAMES: Codes = &[
    (
        "AWARD_CHINA",
        &[
            "中国标准创新贡献奖",
            "中国标准创新贡献奖项目奖",
            "China",
            "China Standard Innovation Contribution Award",
        ],
    ),
    (
        "AWARD_FUJIAN",
        &[
            "福建省标准贡献奖",
            "福建标准贡献奖",
            "Fujian",
            "Fujian Provincial Standard Contribution Award",
        ],
    ),
];

/// Accepted spellings of an award grade.
pub const GRADES: Codes = &[
    (
        "PROJECT_FIRST",
        &[
            "一等奖",
            "一等",
            "项目奖一等奖",
            "1",
            "First",
            "First prize",
        ],
    ),
    (
        "PROJECT_SECOND",
        &[
            "二等奖",
            "二等",
            "项目奖二等奖",
            "2",
            "Second",
            "Second prize",
        ],
    ),
    (
        "PROJECT_THIRD",
        &[
            "三等奖",
            "三等",
            "项目奖三等奖",
            "3",
            "Third",
            "Third prize",
        ],
    ),
    (
        "ORGANISATION",
        &[
            "组织奖",
            "Organisation",
            "Organization",
            "Organisation award",
        ],
    ),
    ("INDIVIDUAL", &["个人奖", "Individual", "Individual award"]),
];

/// Accepted spellings of a committee kind.
pub const COMMITTEE_KINDS: Codes = &[
    (
        "INTERNATIONAL_TC_SC",
        &[
            "国际TC/SC",
            "国际TC",
            "国际SC",
            "国际技术委员会",
            "国际分技术委员会",
            "国际标准化组织技术委员会/分技术委员会秘书处",
            "International TC/SC",
            "International TC/SC secretariat",
        ],
    ),
    (
        "INTERNATIONAL_WG",
        &[
            "国际工作组",
            "国际WG",
            "国际标准化组织工作组",
            "International WG",
            "International working group",
        ],
    ),
    (
        "NATIONAL_TC_SC",
        &[
            "全国TC/SC",
            "全国TC",
            "全国SC",
            "全国技术委员会",
            "全国分技术委员会",
            "全国专业标准化技术委员会/分技术委员会秘书处",
            "National TC/SC",
            "National TC/SC secretariat",
        ],
    ),
    (
        "NATIONAL_WG",
        &[
            "全国工作组",
            "全国WG",
            "全国专业标准化工作组",
            "National WG",
            "National working group",
        ],
    ),
    (
        "PROVINCIAL_TC",
        &[
            "福建省TC",
            "省级TC",
            "福建省技术委员会",
            "福建省专业标准化技术委员会秘书处",
            "Fujian TC",
            "Fujian provincial TC secretariat",
        ],
    ),
    (
        "PROVINCIAL_WG",
        &[
            "福建省工作组",
            "省级工作组",
            "福建省WG",
            "福建省标准化工作组",
            "Fujian WG",
            "Fujian provincial working group",
        ],
    ),
];

/// Accepted spellings of a pilot's level.
pub const PILOT_LEVELS: Codes = &[
    ("NATIONAL", &["国家级", "国家", "National"]),
    ("PROVINCIAL", &["省级", "省", "Provincial"]),
    ("MUNICIPAL", &["市级", "市", "Municipal"]),
];

/// Accepted spellings of an acceptance result.
pub const RESULTS: Codes = &[
    (
        "PASSED",
        &[
            "通过",
            "验收通过",
            "合格",
            "是",
            "Y",
            "Yes",
            "True",
            "Passed",
            "Pass",
            "Accepted",
        ],
    ),
    (
        "FAILED",
        &[
            "不通过",
            "未通过",
            "不合格",
            "否",
            "N",
            "No",
            "False",
            "Failed",
            "Fail",
            "Not accepted",
        ],
    ),
];

/// Accepted spellings of a geographical-indication kind.
pub const GI_KINDS: Codes = &[
    (
        "GI_PRODUCT_PROTECTION",
        &[
            "地理标志产品保护",
            "地理标志保护产品",
            "地理标志产品",
            "GI product protection",
        ],
    ),
    (
        "AGRICULTURAL_GI",
        &[
            "农产品地理标志",
            "Agricultural GI",
            "Agricultural-product GI",
        ],
    ),
];

/// The coded column values of a layout column, for documentation and templates.
pub fn codes_of(kind: FeedKind, column: usize) -> Option<Codes> {
    match (kind, column) {
        (FeedKind::Standards, 2) => Some(LEVELS),
        (FeedKind::Awards, 0) => Some(AWARD_NAMES),
        (FeedKind::Awards, 2) => Some(GRADES),
        (FeedKind::Committees, 2) => Some(COMMITTEE_KINDS),
        (FeedKind::Pilots, 2) => Some(PILOT_LEVELS),
        (FeedKind::Pilots, 4) => Some(RESULTS),
        (FeedKind::GeographicalIndications, 1) => Some(GI_KINDS),
        _ => None,
    }
}

/// A header or coded value, cleaned for comparison: NFKC, no white space or
/// brackets, no `/ - _ : .`, upper case.
pub fn clean_label(s: &str) -> String {
    clean(s)
        .chars()
        .filter(|c| !matches!(c, '/' | '-' | '_' | ':' | '.'))
        .collect()
}

/// The located columns of a sheet: for each column, its position.
#[derive(Debug)]
pub struct Header {
    /// For each column, its position in the header row, if present.
    pub positions: Vec<Option<usize>>,
    /// Index in `Sheet::rows` of the header row.
    pub at: usize,
}

/// A header row naming one column more than once.
#[derive(Debug)]
pub struct DuplicateColumn<'c> {
    /// The column named twice or more.
    pub column: &'c Column,
    /// How many times.
    pub times: usize,
    /// The header row's spreadsheet row number.
    pub row: u32,
}

/// The header row of `sheet` for `columns`: the first of its first
/// [`HEADER_SEARCH_ROWS`] rows that names every required column, with each
/// column's position; `None` when no row does. A row naming a column twice
/// is an error rather than a guess.
pub fn locate_header<'c>(
    columns: &'c [Column],
    sheet: &Sheet,
) -> Option<Result<Header, DuplicateColumn<'c>>> {
    for (at, row) in sheet.rows.iter().take(HEADER_SEARCH_ROWS).enumerate() {
        let cleaned: Vec<String> = row
            .iter()
            .map(|c| match c {
                Cell::Text(t) => clean_label(t),
                _ => String::new(),
            })
            .collect();
        let mut positions: Vec<Option<usize>> = Vec::with_capacity(columns.len());
        for column in columns {
            let found: Vec<usize> = cleaned
                .iter()
                .enumerate()
                .filter(|(_, h)| !h.is_empty() && column.accepts(h))
                .map(|(i, _)| i)
                .collect();
            if found.len() > 1 {
                return Some(Err(DuplicateColumn {
                    column,
                    times: found.len(),
                    row: sheet.row_number(at),
                }));
            }
            positions.push(found.first().copied());
        }
        let complete = columns
            .iter()
            .zip(&positions)
            .all(|(c, p)| !c.required || p.is_some());
        if complete {
            return Some(Ok(Header { positions, at }));
        }
    }
    None
}

fn find_header(layout: &Layout, sheet: &Sheet) -> Option<Result<Header, InputError>> {
    locate_header(layout.columns, sheet).map(|r| {
        r.map_err(|d| {
            InputError::cell(
                "DUPLICATE_COLUMN",
                d.row,
                &d.column.header(),
                format!("「{}」列出现了{}次", d.column.zh, d.times),
                format!("the column `{}` appears {} times", d.column.en, d.times),
            )
        })
    })
}

/// The rows of a sheet that follow its header, as text getters.
struct Rows<'a> {
    layout: &'static Layout,
    header: Header,
    sheet: &'a Sheet,
}

/// One data row being read.
struct RowReader<'a> {
    layout: &'static Layout,
    positions: &'a [Option<usize>],
    cells: &'a [Cell],
    row: u32,
}

impl RowReader<'_> {
    fn cell(&self, column: usize) -> &Cell {
        self.positions
            .get(column)
            .copied()
            .flatten()
            .and_then(|p| self.cells.get(p))
            .unwrap_or(&Cell::Empty)
    }

    fn column(&self, column: usize) -> &'static Column {
        self.layout.columns.get(column).unwrap_or(&FALLBACK_COLUMN)
    }

    fn error(
        &self,
        code: &'static str,
        column: usize,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> InputError {
        InputError::cell(code, self.row, &self.column(column).header(), zh, en)
    }

    /// The cell as text (trimmed), or `None` when blank.
    fn text(&self, column: usize) -> Result<Option<String>, InputError> {
        let text = match self.cell(column) {
            Cell::Empty => return Ok(None),
            Cell::Text(t) => t.trim().to_string(),
            Cell::Int(i) => i.to_string(),
            Cell::Float(f) => {
                if self.column(column).text {
                    return Err(self.error(
                        "CODE_AS_NUMBER",
                        column,
                        "该列是编号,不能以数字保存(数字会丢失位数),请将列设为文本格式",
                        "this column holds identifiers and cannot be stored as a number (digits are lost); format the column as text",
                    ));
                }
                f.to_string()
            }
            Cell::Date(y, m, d) => format!("{y:04}-{m:02}-{d:02}"),
            Cell::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        };
        Ok((!text.is_empty()).then_some(text))
    }

    fn required(&self, column: usize) -> Result<String, InputError> {
        self.text(column)?.ok_or_else(|| {
            let c = self.column(column);
            self.error(
                "MISSING_VALUE",
                column,
                format!("缺少「{}」", c.zh),
                format!("`{}` is missing", c.en),
            )
        })
    }

    fn coded(&self, column: usize, codes: Codes) -> Result<&'static str, InputError> {
        let value = self.required(column)?;
        spelt(codes, &clean_label(&value))
            .ok_or_else(|| self.unrecognised(column, &value, codes, &[]))
    }

    /// A variant of `item`: one of `codes`' spellings, or else the id or a
    /// name of one of `item`'s variants in `names` (a variant added to a
    /// ruleset as data); refused as [`Self::coded`] refuses it otherwise,
    /// naming also the catalogue's variants that the layout does not spell.
    fn variant(
        &self,
        column: usize,
        codes: Codes,
        item: &str,
        names: &'static Names,
    ) -> Result<&'static str, InputError> {
        let value = self.required(column)?;
        let cleaned = clean_label(&value);
        spelt(codes, &cleaned)
            .or_else(|| names.variant_by_label(item, &cleaned))
            .ok_or_else(|| {
                let added: Vec<&str> = names
                    .variants_of(item)
                    .filter(|(id, _, _)| !codes.iter().any(|(c, _)| c == id))
                    .map(|(_, zh, _)| zh)
                    .collect();
                self.unrecognised(column, &value, codes, &added)
            })
    }

    /// The refusal of `value`, naming the first spelling of each of `codes`,
    /// then `more`, as the accepted values.
    fn unrecognised(&self, column: usize, value: &str, codes: Codes, more: &[&str]) -> InputError {
        let accepted: Vec<&str> = codes
            .iter()
            .filter_map(|(_, s)| s.first().copied())
            .chain(more.iter().copied())
            .collect();
        self.error(
            "INVALID_VALUE",
            column,
            format!("无法识别「{value}」,可填:{}", accepted.join("、")),
            format!(
                "`{value}` is not recognised; use one of: {}",
                accepted.join(", ")
            ),
        )
    }

    fn date(&self, column: usize) -> Result<Option<String>, InputError> {
        if let Cell::Date(y, m, d) = self.cell(column) {
            return Ok(Some(format!("{y:04}-{m:02}-{d:02}")));
        }
        let Some(text) = self.text(column)? else {
            return Ok(None);
        };
        Date::read_loose(&text)
            .map(|d| Some(d.to_string()))
            .map_err(|hint| {
                let (zh, en) = match hint {
                    DateHint::NoSuchDay => (
                        format!("日期「{text}」不是实际存在的日期"),
                        format!("the date `{text}` is not a day of the calendar"),
                    ),
                    DateHint::TooEarly => (
                        format!("日期「{text}」早于可受理的最早日期1900-01-01"),
                        format!(
                            "the date `{text}` is before 1900-01-01, the earliest date accepted"
                        ),
                    ),
                    DateHint::Unknown | DateHint::WriteAs(_) => (
                        format!("日期「{text}」无法识别,请用YYYY-MM-DD"),
                        format!("the date `{text}` is not recognised; use YYYY-MM-DD"),
                    ),
                };
                self.error("INVALID_DATE", column, zh, en)
            })
    }

    fn required_date(&self, column: usize) -> Result<String, InputError> {
        self.date(column)?.ok_or_else(|| {
            let c = self.column(column);
            self.error(
                "MISSING_VALUE",
                column,
                format!("缺少「{}」", c.zh),
                format!("`{}` is missing", c.en),
            )
        })
    }

    fn units(&self, names: usize, codes: usize) -> Result<Vec<UnitRef>, InputError> {
        let names_text = self.required(names)?;
        let names_list: Vec<String> = split_list(&names_text)
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect();
        let codes_text = self.text(codes)?.unwrap_or_default();
        let codes_list = split_list(&codes_text);
        if codes_list.len() > names_list.len() {
            return Err(self.error(
                "CODES_UNITS_MISMATCH",
                codes,
                format!(
                    "信用代码有{}项,单位只有{}个",
                    codes_list.len(),
                    names_list.len()
                ),
                format!(
                    "{} credit codes for {} units",
                    codes_list.len(),
                    names_list.len()
                ),
            ));
        }
        Ok(names_list
            .iter()
            .enumerate()
            .map(|(i, name)| UnitRef {
                name: name.clone(),
                code: codes_list.get(i).filter(|c| !c.is_empty()).cloned(),
            })
            .collect())
    }
}

static FALLBACK_COLUMN: Column = col("", "", &[], false, false, "", "", "");

/// Every combination `zh+en` and `en+zh` of a coded value's spellings.
/// The id of `codes` whose id, a spelling or a pair of spellings reads as
/// `cleaned` (a [`clean_label`]).
fn spelt(codes: Codes, cleaned: &str) -> Option<&'static str> {
    codes
        .iter()
        .find(|(id, spellings)| {
            clean_label(id) == cleaned
                || spellings.iter().any(|s| clean_label(s) == cleaned)
                || pairs(spellings).any(|p| p == cleaned)
        })
        .map(|(id, _)| *id)
}

fn pairs(spellings: &'static [&'static str]) -> impl Iterator<Item = String> {
    spellings.iter().flat_map(move |a| {
        spellings
            .iter()
            .filter(move |b| *b != a)
            .map(move |b| format!("{}{}", clean_label(a), clean_label(b)))
    })
}

/// Splits a list cell on 、 , ， ; ； and line breaks, trimming each part;
/// empty parts are kept (they hold a place in a list of codes), except
/// trailing ones.
pub fn split_list(text: &str) -> Vec<String> {
    let text = text.replace("\r\n", "\n");
    let mut parts: Vec<String> = text
        .split(['、', ',', '，', ';', '；', '\n', '\r'])
        .map(|s| s.trim().to_string())
        .collect();
    while parts.last().is_some_and(String::is_empty) {
        parts.pop();
    }
    parts
}

/// Reads a date written `YYYY-MM-DD`, `YYYY/M/D`, `YYYY.M.D`, `YYYY年M月D日`
/// or `YYYYMMDD` (the rules crate's [`Date::read_loose`]); answers
/// `YYYY-MM-DD` for a real calendar date from 1900 on.
pub fn parse_date(text: &str) -> Option<String> {
    Date::read_loose(text).ok().map(|d| d.to_string())
}

fn parse_year(text: &str) -> Option<u16> {
    let t = clean(text);
    let t = t
        .strip_suffix("年度")
        .or_else(|| t.strip_suffix('年'))
        .unwrap_or(&t);
    let y: u16 = t.parse().ok()?;
    (1900..=9999).contains(&y).then_some(y)
}

impl<'a> Rows<'a> {
    fn locate(layout: &'static Layout, sheets: &'a [Sheet]) -> Result<Rows<'a>, InputError> {
        for sheet in sheets {
            match find_header(layout, sheet) {
                Some(Ok(header)) => {
                    return Ok(Rows {
                        layout,
                        header,
                        sheet,
                    });
                }
                Some(Err(e)) => return Err(e),
                None => {}
            }
        }
        let required: Vec<String> = layout
            .columns
            .iter()
            .filter(|c| c.required)
            .map(Column::header)
            .collect();
        Err(InputError::file(
            "HEADER_NOT_FOUND",
            format!(
                "在前{HEADER_SEARCH_ROWS}行中找不到{}的表头,必需列:{}",
                layout.title_zh,
                required.join("、")
            ),
            format!(
                "no header row of the {} layout in the first {HEADER_SEARCH_ROWS} rows; required columns: {}",
                layout.title_en.to_lowercase(),
                required.join(", ")
            ),
        ))
    }

    /// Reads every non-blank data row with `f`, collecting the errors.
    fn read<T>(
        &self,
        mut f: impl FnMut(&RowReader<'_>) -> Result<T, InputError>,
    ) -> Result<Vec<T>, Vec<InputError>> {
        let mut out = Vec::new();
        let mut errors = Vec::new();
        let start = self.header.at.saturating_add(1);
        for (i, cells) in self.sheet.rows.iter().enumerate().skip(start) {
            if cells.iter().all(Cell::is_blank) {
                continue;
            }
            let reader = RowReader {
                layout: self.layout,
                positions: &self.header.positions,
                cells,
                row: self.sheet.row_number(i),
            };
            match f(&reader) {
                Ok(v) => out.push(v),
                Err(e) => errors.push(e),
            }
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(errors)
        }
    }
}

/// Reads the enterprise register from a workbook's sheets.
pub fn read_register(sheets: &[Sheet]) -> Result<Vec<Enterprise>, Vec<InputError>> {
    let rows = Rows::locate(&REGISTER, sheets).map_err(|e| vec![e])?;
    rows.read(|r| {
        Ok(Enterprise {
            credit_code: clean(&r.required(0)?),
            name: r.required(1)?,
            seat: clean(&r.required(2)?),
            row: r.row,
        })
    })
}

/// Reads an achievement feed of the given kind from a workbook's sheets.
pub fn read_feed(kind: FeedKind, sheets: &[Sheet]) -> Result<Vec<FeedRecord>, Vec<InputError>> {
    read_feed_named(kind, sheets, crate::rules_adapter::names())
}

/// [`read_feed`] against the items and variants of `names`: a variant cell
/// (an award's grade, a committee's kind, a pilot's level, a geographical
/// indication's kind) that none of the layout's spellings matches is also
/// read as the id, Chinese or English name of a variant of the row's item,
/// so that a variant added to a ruleset as data is read without a new
/// spelling here.
pub fn read_feed_named(
    kind: FeedKind,
    sheets: &[Sheet],
    names: &'static Names,
) -> Result<Vec<FeedRecord>, Vec<InputError>> {
    let rows = Rows::locate(kind.layout(), sheets).map_err(|e| vec![e])?;
    match kind {
        FeedKind::Register => Err(vec![InputError::file(
            "INVALID_VALUE",
            "企业名录不是成果清单",
            "the register is not an achievement feed",
        )]),
        FeedKind::Standards => rows.read(|r| {
            let level = match r.coded(2, LEVELS)? {
                "INTERNATIONAL" => StandardLevel::International,
                "NATIONAL" => StandardLevel::National,
                "INDUSTRY" => StandardLevel::Industry,
                "LOCAL" => StandardLevel::Local,
                _ => StandardLevel::Group,
            };
            Ok(FeedRecord::Standard(StandardRow {
                row: r.row,
                number: r.required(0)?,
                title: r.text(1)?.unwrap_or_default(),
                level,
                date: r.required_date(3)?,
                units: r.units(4, 5)?,
            }))
        }),
        FeedKind::Awards => rows.read(|r| {
            let year_text = r.required(1)?;
            let year = parse_year(&year_text).ok_or_else(|| {
                r.error(
                    "INVALID_YEAR",
                    1,
                    format!("年度「{year_text}」无法识别"),
                    format!("the year `{year_text}` is not recognised"),
                )
            })?;
            let date = r.date(7)?;
            let award = r.coded(0, AWARD_NAMES)?;
            Ok(FeedRecord::Award(AwardRow {
                row: r.row,
                award,
                year,
                grade: r.variant(2, GRADES, award, names)?,
                project: r.text(3)?.unwrap_or_default(),
                standard_number: r.required(4)?,
                units: r.units(5, 6)?,
                date_from_year: date.is_none(),
                date: date.unwrap_or_else(|| format!("{year:04}-12-31")),
            }))
        }),
        FeedKind::Committees => rows.read(|r| {
            Ok(FeedRecord::Committee(CommitteeRow {
                row: r.row,
                code: r.required(0)?,
                name: r.text(1)?.unwrap_or_default(),
                kind: r.variant(2, COMMITTEE_KINDS, "TC_SECRETARIAT", names)?,
                date: r.required_date(3)?,
                unit: UnitRef {
                    name: r.required(4)?,
                    code: r.text(5)?,
                },
            }))
        }),
        FeedKind::Pilots => {
            let has_result = rows.header.positions.get(4).copied().flatten().is_some();
            rows.read(|r| {
                let accepted = if has_result {
                    r.coded(4, RESULTS)? == "PASSED"
                } else {
                    true
                };
                Ok(FeedRecord::Pilot(PilotRow {
                    row: r.row,
                    reference: r.required(0)?,
                    name: r.text(1)?.unwrap_or_default(),
                    level: r.variant(2, PILOT_LEVELS, "DEMONSTRATION_PILOT", names)?,
                    date: r.required_date(3)?,
                    accepted,
                    units: r.units(5, 6)?,
                }))
            })
        }
        FeedKind::GeographicalIndications => rows.read(|r| {
            Ok(FeedRecord::Gi(GiRow {
                row: r.row,
                product: r.required(0)?,
                kind: r.variant(1, GI_KINDS, "GEOGRAPHICAL_INDICATION", names)?,
                date: r.required_date(2)?,
                reference: r.text(3)?.unwrap_or_default(),
                units: r.units(4, 5)?,
            }))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stdfund_rules::ruleset::{FZ_2016_JSON, RuleBook, Ruleset};

    fn sheet(rows: Vec<Vec<&str>>) -> Sheet {
        Sheet {
            name: String::new(),
            first_row: 1,
            rows: rows
                .into_iter()
                .map(|r| {
                    r.into_iter()
                        .map(|c| {
                            if c.is_empty() {
                                Cell::Empty
                            } else {
                                Cell::Text(c.into())
                            }
                        })
                        .collect()
                })
                .collect(),
        }
    }

    #[test]
    fn headers_in_any_language_after_a_title_row() {
        let s = sheet(vec![
            vec!["2021年第3号国家标准公告"],
            vec![
                "Drafting units",
                "标准编号 Standard number",
                "级别",
                "发布日期(Publication date)",
                "备注",
            ],
            vec![
                "福州甲有限公司、福州乙有限公司",
                "GB/T 1-2021",
                "国家标准 National",
                "2021年3月9日",
                "x",
            ],
            vec!["", "", "", "", ""],
            vec!["福州丙有限公司", "DB35/T 2-2021", "LOCAL", "2021/3/10", ""],
        ]);
        let rows = read_feed(FeedKind::Standards, &[s]).unwrap();
        assert_eq!(rows.len(), 2);
        let FeedRecord::Standard(r) = &rows[0] else {
            panic!()
        };
        assert_eq!(r.row, 3);
        assert_eq!(r.date, "2021-03-09");
        assert_eq!(r.level, StandardLevel::National);
        assert_eq!(r.units.len(), 2);
        assert_eq!(r.units[1].name, "福州乙有限公司");
        assert_eq!(rows[1].row(), 5);
    }

    #[test]
    fn errors_name_row_and_column() {
        let s = sheet(vec![
            vec!["标准编号", "标准级别", "发布日期", "起草单位"],
            vec!["GB/T 1-2021", "国家级标准", "2021-02-30", "甲"],
        ]);
        let errors = read_feed(FeedKind::Standards, &[s]).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].code, "INVALID_VALUE");
        assert_eq!(errors[0].row, Some(2));
        assert_eq!(errors[0].column.as_deref(), Some("标准级别 Level"));
        let s = sheet(vec![vec!["单位名称", "所在地"]]);
        let errors = read_register(&[s]).unwrap_err();
        assert_eq!(errors[0].code, "HEADER_NOT_FOUND");
    }

    #[test]
    fn dates_and_years() {
        assert_eq!(parse_date("2020-5-1").as_deref(), Some("2020-05-01"));
        assert_eq!(parse_date("20200501").as_deref(), Some("2020-05-01"));
        assert_eq!(
            parse_date("２０２０年５月１日").as_deref(),
            Some("2020-05-01")
        );
        assert_eq!(parse_date("2021-02-29"), None);
        assert_eq!(parse_date("2020-02-29").as_deref(), Some("2020-02-29"));
        assert_eq!(parse_date("2020.5.1").as_deref(), Some("2020-05-01"));
        assert_eq!(
            parse_date(" 2020 年 5 月 1 日 ").as_deref(),
            Some("2020-05-01")
        );
        assert_eq!(parse_date("1899-12-31"), None);
        assert_eq!(parse_date("2020-5"), None);
        assert_eq!(parse_year("2019年度"), Some(2019));
        assert_eq!(parse_year("19"), None);
    }

    #[test]
    fn codes_align_with_units() {
        let s = sheet(vec![
            vec![
                "奖项",
                "年度",
                "等级",
                "标准编号",
                "完成单位",
                "完成单位信用代码",
            ],
            vec![
                "福建省标准贡献奖",
                "2019",
                "一等奖",
                "DB35/T 1-2018",
                "甲公司；乙公司",
                "；91350102MA2XYZ0012",
            ],
        ]);
        let rows = read_feed(FeedKind::Awards, &[s]).unwrap();
        let FeedRecord::Award(a) = &rows[0] else {
            panic!()
        };
        assert_eq!(a.units[0].code, None);
        assert_eq!(a.units[1].code.as_deref(), Some("91350102MA2XYZ0012"));
        assert_eq!(a.date, "2019-12-31");
        assert!(a.date_from_year);
        assert_eq!(a.grade, "PROJECT_FIRST");
    }

    /// An awards feed of one row: 福建省标准贡献奖, graded `grade`.
    fn awards_sheet(grade: &str) -> Sheet {
        sheet(vec![
            vec!["奖项", "年度", "等级", "标准编号", "完成单位"],
            vec!["福建省标准贡献奖", "2019", grade, "DB35/T 1-2018", "甲公司"],
        ])
    }

    /// The names of the embedded ruleset with one more variant of
    /// `AWARD_FUJIAN`, added as data (ARCHITECTURE.md, "add a variant").
    fn names_with_a_special_prize() -> &'static Names {
        let mut doc: serde_json::Value = serde_json::from_str(FZ_2016_JSON).unwrap();
        let items = doc["items"].as_array_mut().unwrap();
        let fujian = items
            .iter_mut()
            .find(|i| i["id"] == "AWARD_FUJIAN")
            .unwrap();
        fujian["variants"].as_array_mut().unwrap().insert(
            0,
            serde_json::json!({"id": "SPECIAL_PRIZE", "nameZh": "特等奖", "nameEn": "special prize", "amountWan": "8"}),
        );
        let ruleset = Ruleset::from_json(&doc.to_string()).unwrap();
        Box::leak(Box::new(Names::of_book(
            &RuleBook::new(vec![ruleset]).unwrap(),
        )))
    }

    #[test]
    fn a_variant_added_as_data_is_read_by_its_id_or_names() {
        let names = names_with_a_special_prize();
        for typed in [
            "特等奖",
            "special prize",
            "SPECIAL_PRIZE",
            " Special-Prize ",
        ] {
            let rows = read_feed_named(FeedKind::Awards, &[awards_sheet(typed)], names)
                .unwrap_or_else(|e| panic!("{typed}: {e:?}"));
            let FeedRecord::Award(a) = &rows[0] else {
                panic!("{typed}")
            };
            assert_eq!(
                (a.award, a.grade),
                ("AWARD_FUJIAN", "SPECIAL_PRIZE"),
                "{typed}"
            );
        }
        // The layout's own spellings still come first.
        let rows = read_feed_named(FeedKind::Awards, &[awards_sheet("一等")], names).unwrap();
        let FeedRecord::Award(a) = &rows[0] else {
            panic!()
        };
        assert_eq!(a.grade, "PROJECT_FIRST");
    }

    #[test]
    fn a_variant_the_rulesets_do_not_have_is_refused_with_the_spellings() {
        // The embedded ruleset has no special prize.
        let errors = read_feed(FeedKind::Awards, &[awards_sheet("特等奖")]).unwrap_err();
        assert_eq!(errors[0].code, "INVALID_VALUE", "{errors:?}");
        assert!(
            errors[0].message_zh.contains("无法识别「特等奖」"),
            "{errors:?}"
        );
        // Nor does the grade of another award count.
        let names = names_with_a_special_prize();
        let mut sheet = awards_sheet("特等奖");
        if let Some(Cell::Text(t)) = sheet.rows.get_mut(1).and_then(|r| r.first_mut()) {
            *t = "中国标准创新贡献奖".into();
        }
        assert!(read_feed_named(FeedKind::Awards, &[sheet], names).is_err());
        // A grade neither knows is refused with the added variant among the
        // accepted values.
        let errors = read_feed_named(FeedKind::Awards, &[awards_sheet("金奖")], names).unwrap_err();
        assert!(
            errors[0].message_zh.contains("可填:一等奖、")
                && errors[0].message_zh.ends_with("、特等奖"),
            "{errors:?}"
        );
    }
}

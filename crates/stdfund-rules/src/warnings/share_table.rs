//! `SHARE_TABLE_PROVISIONAL`: the split uses a share table whose ratios are
//! provisional (RULES.md §4: the text gives no ratios; every output that
//! shows a split says so).

use crate::reasons::Lang;
use crate::ruleset::ShareTableDoc;

/// The stable code.
pub const CODE: &str = "SHARE_TABLE_PROVISIONAL";

/// The facts: the table.
#[derive(Clone, Copy, Debug)]
pub struct Provisional<'r> {
    /// The provisional table.
    pub table: &'r ShareTableDoc,
}

impl Provisional<'_> {
    /// Appends the message.
    pub fn message(&self, lang: Lang, out: &mut String) {
        match lang {
            Lang::Zh => {
                out.push_str("市、县(市)区分担比例表`");
                out.push_str(&self.table.id);
                out.push_str("`为暂定:");
                out.push_str(&self.table.note_zh);
            }
            Lang::En => {
                out.push_str("the city/district share table `");
                out.push_str(&self.table.id);
                out.push_str("` is provisional: ");
                out.push_str(&self.table.note_en);
            }
        }
    }
}

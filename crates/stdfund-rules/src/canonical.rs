//! A hand-written canonical JSON writer for the assessment, the one object
//! every estimate returns. It produces exactly the bytes that `serde_json`
//! produces for the same struct (field order of `model.rs`, compact, the same
//! string escapes) — a test compares both over every vector and thousands of
//! generated assessments — but several times faster, which matters most in
//! WASM. Any other object goes through `serde_json`.

use crate::model::{Achievement, Application, Assessment, Funding, Line, ShareTableUse, Warning};

const HEX: &[u8; 16] = b"0123456789abcdef";
const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Whether any byte of the 8 needs escaping: `"`, `\` or a control character.
fn needs_escape(x: u64) -> bool {
    let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS != 0;
    let below_space = x.wrapping_sub(ONES.wrapping_mul(0x20)) & !x & HIGHS != 0;
    below_space
        || has_zero(x ^ ONES.wrapping_mul(u64::from(b'"')))
        || has_zero(x ^ ONES.wrapping_mul(u64::from(b'\\')))
}

fn escape_byte(out: &mut String, b: u8) {
    match b {
        b'"' => out.push_str("\\\""),
        b'\\' => out.push_str("\\\\"),
        b'\n' => out.push_str("\\n"),
        b'\r' => out.push_str("\\r"),
        b'\t' => out.push_str("\\t"),
        0x08 => out.push_str("\\b"),
        0x0c => out.push_str("\\f"),
        _ => {
            out.push_str("\\u00");
            out.push(char::from(
                HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0'),
            ));
            out.push(char::from(
                HEX.get(usize::from(b & 0xf)).copied().unwrap_or(b'0'),
            ));
        }
    }
}

/// Appends `s` as a JSON string literal, escaped as `serde_json` does.
pub fn push_str_literal(out: &mut String, s: &str) {
    out.push('"');
    let bytes = s.as_bytes();
    let mut start = 0usize;
    let mut i = 0usize;
    while i < bytes.len() {
        // Skip 8 clean bytes at a time.
        if let Some(chunk) = bytes.get(i..i.saturating_add(8)) {
            if let Ok(arr) = <[u8; 8]>::try_from(chunk) {
                if !needs_escape(u64::from_le_bytes(arr)) {
                    i = i.saturating_add(8);
                    continue;
                }
            }
        }
        let b = bytes.get(i).copied().unwrap_or(0);
        if b < 0x20 || b == b'"' || b == b'\\' {
            out.push_str(s.get(start..i).unwrap_or(""));
            escape_byte(out, b);
            start = i.saturating_add(1);
        }
        i = i.saturating_add(1);
    }
    out.push_str(s.get(start..).unwrap_or(""));
    out.push('"');
}

struct Obj<'a> {
    out: &'a mut String,
    first: bool,
}

impl<'a> Obj<'a> {
    fn new(out: &'a mut String) -> Obj<'a> {
        out.push('{');
        Obj { out, first: true }
    }
    fn key(&mut self, k: &str) -> &mut String {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        self.out.push('"');
        self.out.push_str(k);
        self.out.push_str("\":");
        self.out
    }
    fn s(&mut self, k: &str, v: &str) -> &mut Self {
        push_str_literal(self.key(k), v);
        self
    }
    fn b(&mut self, k: &str, v: bool) -> &mut Self {
        self.key(k).push_str(if v { "true" } else { "false" });
        self
    }
    fn list<T>(&mut self, k: &str, items: &[T], f: fn(&mut String, &T)) -> &mut Self {
        let out = self.key(k);
        out.push('[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            f(out, item);
        }
        out.push(']');
        self
    }
    fn end(&mut self) {
        self.out.push('}');
    }
}

fn line(out: &mut String, l: &Line) {
    Obj::new(out)
        .s("achievementId", &l.achievement_id)
        .s("item", &l.item)
        .s("variant", &l.variant)
        .s("clause", &l.clause)
        .s("subject", &l.subject)
        .s("oneTimeKey", &l.one_time_key)
        .s("date", &l.date)
        .s("rulesetId", &l.ruleset_id)
        .s("rulesetVersion", &l.ruleset_version)
        .s("status", &l.status)
        .s("reasonCode", &l.reason_code)
        .s("municipalAmount", &l.municipal_amount)
        .s("higherLevelFundingCounted", &l.higher_level_funding_counted)
        .s("otherFundingNotCounted", &l.other_funding_not_counted)
        .s("payable", &l.payable)
        .s("municipalShare", &l.municipal_share)
        .s("districtShare", &l.district_share)
        .s("shareTableId", &l.share_table_id)
        .s("explanationZh", &l.explanation_zh)
        .s("explanationEn", &l.explanation_en)
        .end();
}

fn table(out: &mut String, t: &ShareTableUse) {
    Obj::new(out)
        .s("id", &t.id)
        .s("version", &t.version)
        .b("provisional", t.provisional)
        .s("districtRatio", &t.district_ratio)
        .s("noteZh", &t.note_zh)
        .s("noteEn", &t.note_en)
        .end();
}

fn warning(out: &mut String, w: &Warning) {
    Obj::new(out)
        .s("code", &w.code)
        .s("achievementId", &w.achievement_id)
        .s("messageZh", &w.message_zh)
        .s("messageEn", &w.message_en)
        .end();
}

fn ruleset_ref(out: &mut String, r: &crate::model::RulesetRef) {
    Obj::new(out)
        .s("id", &r.id)
        .s("version", &r.version)
        .s("hash", &r.hash)
        .s("effectiveFrom", &r.effective_from)
        .s("effectiveTo", &r.effective_to)
        .end();
}

/// The canonical JSON of an assessment.
pub fn assessment(a: &Assessment) -> String {
    let mut out =
        String::with_capacity(1024usize.saturating_add(a.lines.len().saturating_mul(1100)));
    let mut o = Obj::new(&mut out);
    o.b("whatIf", a.what_if);
    {
        let p = &a.applicant;
        Obj::new(o.key("applicant"))
            .s("creditCode", &p.credit_code)
            .b("creditCodeCheckPassed", p.credit_code_check_passed)
            .s("name", &p.name)
            .s("seat", &p.seat)
            .s("fiscalUnit", &p.fiscal_unit)
            .s("fiscalUnitNameZh", &p.fiscal_unit_name_zh)
            .s("fiscalUnitNameEn", &p.fiscal_unit_name_en)
            .b("insideFuzhou", p.inside_fuzhou)
            .end();
    }
    o.list("lines", &a.lines, line).s("total", &a.total);
    Obj::new(o.key("split"))
        .s("fiscalUnit", &a.split.fiscal_unit)
        .s("municipalShare", &a.split.municipal_share)
        .s("districtShare", &a.split.district_share)
        .list("shareTables", &a.split.share_tables, table)
        .end();
    o.list("warnings", &a.warnings, warning);
    Obj::new(o.key("receipt"))
        .s("engineVersion", &a.receipt.engine_version)
        .list("rulesets", &a.receipt.rulesets, ruleset_ref)
        .s("inputHash", &a.receipt.input_hash)
        .end();
    o.end();
    out
}

fn funding(out: &mut String, f: &Funding) {
    Obj::new(out)
        .s("level", &f.level)
        .s("amount", &f.amount)
        .s("source", &f.source)
        .end();
}

fn achievement(out: &mut String, a: &Achievement) {
    Obj::new(out)
        .s("id", &a.id)
        .s("item", &a.item)
        .s("variant", &a.variant)
        .s("subject", &a.subject)
        .s("date", &a.date)
        // ROLE_UNSPECIFIED and "" are the same proto3 value: hash them alike.
        .s(
            "role",
            if a.role == "ROLE_UNSPECIFIED" {
                ""
            } else {
                &a.role
            },
        )
        .b("accepted", a.accepted)
        .b("approved", a.approved)
        .list("higherLevelFunding", &a.higher_level_funding, funding)
        .end();
}

/// The canonical JSON of a request (what the receipt's input hash covers):
/// the request's fields in contract order, with `ROLE_UNSPECIFIED` written
/// as `""` (the proto3 default) so that JSON and gRPC callers hash alike.
pub fn application(a: &Application) -> String {
    let mut out = String::with_capacity(
        256usize
            .saturating_add(a.achievements.len().saturating_mul(256))
            .saturating_add(a.what_if_ruleset.len()),
    );
    let mut o = Obj::new(&mut out);
    Obj::new(o.key("applicant"))
        .s("creditCode", &a.applicant.credit_code)
        .s("name", &a.applicant.name)
        .s("seat", &a.applicant.seat)
        .end();
    o.list("achievements", &a.achievements, achievement)
        .s("whatIfRuleset", &a.what_if_ruleset)
        .end();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_serde_json() {
        let mut all = String::new();
        for c in (0u32..0x80).filter_map(char::from_u32) {
            all.push(c);
        }
        all.push_str("中文\u{2028}\u{7f}\"quoted\" back\\slash 0123456789abcdef\u{1f}");
        for s in [
            all.as_str(),
            "",
            "plain",
            "12345678",
            "1234567\"",
            "\n",
            "ab\\cdefghij\u{0}",
        ] {
            let mut mine = String::new();
            push_str_literal(&mut mine, s);
            assert_eq!(Some(mine), serde_json::to_string(s).ok(), "{s:?}");
        }
    }
}

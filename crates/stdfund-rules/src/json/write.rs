//! The canonical JSON writer: the domain [`Assessment`] straight to the bytes
//! of the proto3 JSON mapping of `stdfund.v1.EstimateResponse` — every field
//! present, in declaration order, compact, enum values by name, money and
//! dates as strings, string escapes exactly as `serde_json` writes them (a
//! test compares with `serde_json` over the answer DTOs). Explanations and
//! warning messages are rendered here, from the typed facts, into a scratch
//! buffer that is reused for the whole answer.
//!
//! Also the canonical request: the bytes the receipt's input hash covers.

use crate::domain::{Assessment, Line};
use crate::json::dto::{self, EnumIn, ProtoEnum, View};
use crate::reasons::{Cx, Lang};
use crate::ruleset::Ruleset;
use crate::warnings::Warning;

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
        if let Some(chunk) = bytes.get(i..i.saturating_add(8))
            && let Ok(arr) = <[u8; 8]>::try_from(chunk)
            && !needs_escape(u64::from_le_bytes(arr))
        {
            i = i.saturating_add(8);
            continue;
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

/// Writes one JSON object, field by field.
struct Obj<'o> {
    out: &'o mut String,
    first: bool,
}

impl<'o> Obj<'o> {
    fn new(out: &'o mut String) -> Obj<'o> {
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
    /// A string value written by `f` without escaping: only for values that
    /// cannot hold a character JSON escapes (amounts, dates, digests).
    fn raw(&mut self, k: &str, f: impl FnOnce(&mut String)) -> &mut Self {
        let out = self.key(k);
        out.push('"');
        f(out);
        out.push('"');
        self
    }
    /// A string value rendered by `f` into `scratch`, then escaped.
    fn text(&mut self, k: &str, scratch: &mut String, f: impl FnOnce(&mut String)) -> &mut Self {
        scratch.clear();
        f(scratch);
        push_str_literal(self.key(k), scratch);
        self
    }
    fn end(&mut self) {
        self.out.push('}');
    }
}

/// The list helper: `[` items `]` with commas.
fn list<T>(
    out: &mut String,
    items: impl IntoIterator<Item = T>,
    mut f: impl FnMut(&mut String, T),
) {
    out.push('[');
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        f(out, item);
    }
    out.push(']');
}

fn line(
    out: &mut String,
    scratch: &mut String,
    a: &Assessment<'_, '_>,
    l: &Line<'_, '_>,
    view: View,
) {
    let ach = l.achievement;
    let m = &l.amounts;
    let mut o = Obj::new(out);
    o.s("achievementId", ach.id)
        .s("item", ach.item)
        .s("variant", ach.variant)
        .s("clause", l.clause().unwrap_or(""))
        .s("subject", &ach.subject.text)
        .text("oneTimeKey", scratch, |s| ach.key().write_to(s))
        .raw("date", |s| ach.date.write_to(s))
        .s("rulesetId", l.ruleset.map_or("", Ruleset::id))
        .s("rulesetVersion", l.ruleset.map_or("", Ruleset::version))
        .s("status", l.status().name())
        .s("reasonCode", l.reason.code().as_str())
        .raw("municipalAmount", |s| m.municipal.write_to(s))
        .raw("higherLevelFundingCounted", |s| m.counted.write_to(s))
        .raw("otherFundingNotCounted", |s| m.not_counted.write_to(s))
        .raw("payable", |s| m.payable.write_to(s))
        .raw("municipalShare", |s| m.municipal_share.write_to(s))
        .raw("districtShare", |s| m.district_share.write_to(s))
        .s("shareTableId", l.share_table.map_or("", |t| t.id.as_str()));
    let cx = Cx {
        line: l,
        assessment: a,
    };
    match view {
        View::Full => {
            o.text("explanationZh", scratch, |s| {
                l.reason.explain(cx, Lang::Zh, s)
            })
            .text("explanationEn", scratch, |s| {
                l.reason.explain(cx, Lang::En, s)
            });
        }
        View::Summary => {
            o.s("explanationZh", "").s("explanationEn", "");
        }
    }
    o.s("subjectAsGiven", ach.subject_as_given);
    o.end();
}

fn warning(
    out: &mut String,
    scratch: &mut String,
    a: &Assessment<'_, '_>,
    w: &Warning<'_, '_>,
    view: View,
) {
    let mut o = Obj::new(out);
    o.s("code", w.code().as_str())
        .s("achievementId", w.achievement().map_or("", |x| x.id));
    match view {
        View::Full => {
            o.text("messageZh", scratch, |s| w.message(a, Lang::Zh, s))
                .text("messageEn", scratch, |s| w.message(a, Lang::En, s));
        }
        View::Summary => {
            o.s("messageZh", "").s("messageEn", "");
        }
    }
    o.end();
}

/// Appends a ruleset reference object.
pub fn ruleset_ref(out: &mut String, r: &Ruleset) {
    Obj::new(out)
        .s("id", r.id())
        .s("version", r.version())
        .s("hash", r.hash())
        .raw("effectiveFrom", |s| r.effective_from().write_to(s))
        .raw("effectiveTo", |s| {
            if let Some(d) = r.effective_to() {
                d.write_to(s);
            }
        })
        .end();
}

/// The canonical JSON of an assessment in the given view.
pub fn assessment(a: &Assessment<'_, '_>, view: View) -> String {
    let mut out =
        String::with_capacity(1024usize.saturating_add(a.lines.len().saturating_mul(1100)));
    assessment_into(&mut out, a, view);
    out
}

/// Appends the canonical JSON of an assessment to `out`.
pub fn assessment_into(out: &mut String, a: &Assessment<'_, '_>, view: View) {
    let mut scratch = String::with_capacity(512);
    let full = view == View::Full;
    let p = a.applicant();
    let unit = a.fiscal_unit();
    let mut o = Obj::new(out);
    o.b("whatIf", a.application.what_if);
    Obj::new(o.key("applicant"))
        .s("creditCode", p.credit_code.as_str())
        .b("creditCodeCheckPassed", p.check.passed())
        .s("name", p.name)
        .s("seat", p.seat)
        .s("fiscalUnit", unit.map_or("", |u| u.code.as_str()))
        .s(
            "fiscalUnitNameZh",
            unit.filter(|_| full).map_or("", |u| u.name_zh.as_str()),
        )
        .s(
            "fiscalUnitNameEn",
            unit.filter(|_| full).map_or("", |u| u.name_en.as_str()),
        )
        .b("insideFuzhou", unit.is_some())
        .end();
    list(o.key("lines"), &a.lines, |out, l| {
        line(out, &mut scratch, a, l, view)
    });
    o.raw("total", |s| a.total.write_to(s));
    {
        let mut split = Obj::new(o.key("split"));
        split
            .s("fiscalUnit", unit.map_or("", |u| u.code.as_str()))
            .raw("municipalShare", |s| a.municipal_share.write_to(s))
            .raw("districtShare", |s| a.district_share.write_to(s));
        list(split.key("shareTables"), &a.share_tables, |out, t| {
            Obj::new(out)
                .s("id", &t.table.id)
                .s("version", &t.table.version)
                .b("provisional", t.provisional())
                .raw("districtRatio", |s| t.ratio.write_to(s))
                .s("noteZh", if full { t.note_zh() } else { "" })
                .s("noteEn", if full { t.note_en() } else { "" })
                .end();
        });
        split.end();
    }
    list(o.key("warnings"), &a.warnings, |out, w| {
        warning(out, &mut scratch, a, w, view);
    });
    {
        let mut r = Obj::new(o.key("receipt"));
        r.s("engineVersion", crate::engine::ENGINE_VERSION);
        list(r.key("rulesets"), &a.rulesets, |out, rs| {
            ruleset_ref(out, rs)
        });
        r.raw("inputHash", |s| a.application.input_hash.write_to(s));
        r.end();
    }
    o.end();
}

/// An enum as the canonical request writes it: a defined value by name
/// (`""` for the unset value, the proto3 default), an unknown one as given.
fn enum_text<E: ProtoEnum>(e: &EnumIn<E>, out: &mut String) {
    match e {
        EnumIn::Unset => push_str_literal(out, ""),
        EnumIn::Set(v) => push_str_literal(out, v.name()),
        EnumIn::UnknownName(s) => push_str_literal(out, s),
        EnumIn::UnknownNumber(n) => push_str_literal(out, &n.to_string()),
    }
}

/// The canonical JSON of a request (what the receipt's input hash covers):
/// the request's fields in contract order, strings as given, enums by name
/// with the unset value written `""` (so JSON callers, whatever names or
/// numbers they used, and gRPC callers hash alike). The `view` is not part
/// of it: it changes the answer's form, not the decision.
pub fn request(r: &dto::EstimateRequest<'_>) -> String {
    let mut out = String::with_capacity(
        256usize
            .saturating_add(r.achievements.len().saturating_mul(256))
            .saturating_add(r.what_if_ruleset.len()),
    );
    let mut o = Obj::new(&mut out);
    Obj::new(o.key("applicant"))
        .s("creditCode", &r.applicant.credit_code)
        .s("name", &r.applicant.name)
        .s("seat", &r.applicant.seat)
        .end();
    list(o.key("achievements"), &r.achievements, |out, a| {
        let mut x = Obj::new(out);
        x.s("id", &a.id)
            .s("item", &a.item)
            .s("variant", &a.variant)
            .s("subject", &a.subject)
            .s("date", &a.date);
        enum_text(&a.role, x.key("role"));
        x.b("accepted", a.accepted).b("approved", a.approved);
        list(
            x.key("higherLevelFunding"),
            &a.higher_level_funding,
            |out, f| {
                let mut y = Obj::new(out);
                enum_text(&f.level, y.key("level"));
                y.s("amount", &f.amount).s("source", &f.source).end();
            },
        );
        x.end();
    });
    o.s("whatIfRuleset", &r.what_if_ruleset).end();
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

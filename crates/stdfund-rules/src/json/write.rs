//! The canonical JSON writer: the domain [`Assessment`] straight to the bytes
//! of the proto3 JSON mapping of `stdfund.v1.EstimateResponse` — every field
//! present, in declaration order, compact, enum values by name, money and
//! dates as strings, string escapes exactly as `serde_json` writes them (a
//! test compares with `serde_json` over the answer DTOs). Explanations and
//! warning messages are rendered here, from the typed facts, straight into
//! the answer, and escaped in place only when they hold something to escape.
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

/// A mask whose lowest set bit marks the first of the 8 bytes (little
/// endian) that JSON escapes — `"`, `\` or a control character — and which
/// is zero when none does. (Bits above the lowest may be spurious: the
/// subtraction borrows; only the lowest is used.)
fn escape_mask(x: u64) -> u64 {
    let below_space = x.wrapping_sub(ONES.wrapping_mul(0x20)) & !x;
    let q = x ^ ONES.wrapping_mul(u64::from(b'"'));
    let quote = q.wrapping_sub(ONES) & !q;
    let b = x ^ ONES.wrapping_mul(u64::from(b'\\'));
    let backslash = b.wrapping_sub(ONES) & !b;
    (below_space | quote | backslash) & HIGHS
}

/// Eight bytes from `at`, little endian (`at + 8 <= len` by the caller).
fn word_at(bytes: &[u8], at: usize) -> u64 {
    bytes
        .get(at..at.saturating_add(8))
        .and_then(|c| <[u8; 8]>::try_from(c).ok())
        .map_or(0, u64::from_le_bytes)
}

/// Which bytes JSON escapes (serde_json's rule).
fn is_escaped(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// The position of the first byte at or after `from` that JSON escapes, or
/// the length: sixteen and eight bytes at a time, the last bytes as one
/// overlapping word; byte by byte only for strings under eight bytes.
fn next_escape(bytes: &[u8], from: usize) -> usize {
    let n = bytes.len();
    let mut i = from;
    let first_in = |at: usize, mask: u64| {
        at.saturating_add(usize::try_from(mask.trailing_zeros() / 8).unwrap_or(0))
    };
    while i.saturating_add(16) <= n {
        let (a, b) = (
            escape_mask(word_at(bytes, i)),
            escape_mask(word_at(bytes, i.saturating_add(8))),
        );
        if a != 0 {
            return first_in(i, a);
        }
        if b != 0 {
            return first_in(i.saturating_add(8), b);
        }
        i = i.saturating_add(16);
    }
    if i.saturating_add(8) <= n {
        let a = escape_mask(word_at(bytes, i));
        if a != 0 {
            return first_in(i, a);
        }
        i = i.saturating_add(8);
    }
    if i >= n {
        return n;
    }
    if n >= 8 {
        // The last eight bytes as one word, the bytes before `i` masked off
        // (they may hold an escaped byte already dealt with). A mark means a
        // byte to escape or a borrow from a masked byte: the bytes from `i`
        // are then looked at one by one.
        let at = n.saturating_sub(8);
        let skip = u32::try_from(i.saturating_sub(at)).unwrap_or(0);
        let a = escape_mask(word_at(bytes, at))
            & u64::MAX.checked_shl(skip.saturating_mul(8)).unwrap_or(0);
        if a == 0 {
            return n;
        }
    }
    bytes
        .get(i..)
        .and_then(|tail| tail.iter().position(|&b| is_escaped(b)))
        .map_or(n, |p| i.saturating_add(p))
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

/// Appends `s` escaped as `serde_json` escapes string contents (no quotes).
pub fn push_escaped(out: &mut String, s: &str) {
    push_escaped_clean(out, s);
}

/// [`push_escaped`], answering whether `s` was clean (held nothing to
/// escape, so it was copied as it is).
fn push_escaped_clean(out: &mut String, s: &str) -> bool {
    let bytes = s.as_bytes();
    let mut start = 0usize;
    loop {
        let i = next_escape(bytes, start);
        out.push_str(s.get(start..i).unwrap_or(""));
        let Some(&b) = bytes.get(i) else {
            return start == 0;
        };
        escape_byte(out, b);
        start = i.saturating_add(1);
    }
}

/// Whether `s` holds nothing JSON escapes.
fn is_clean(s: &str) -> bool {
    next_escape(s.as_bytes(), 0) == s.len()
}

/// Escapes in place what was appended to `out` from `start` on (text
/// rendered straight into the answer); nearly always there is nothing to do.
fn escape_from(out: &mut String, start: usize) {
    if next_escape(out.as_bytes(), start) < out.len() {
        let tail = out.split_off(start);
        push_escaped(out, &tail);
    }
}

/// Appends `s` as a JSON string literal, escaped as `serde_json` does.
pub fn push_str_literal(out: &mut String, s: &str) {
    out.push('"');
    push_escaped(out, s);
    out.push('"');
}

/// `,"name":` — an object key with the comma that precedes every key but the
/// first, built at compile time.
macro_rules! k {
    ($name:literal) => {
        concat!(",\"", $name, "\":")
    };
}

/// `,"name":"` — the same for a string value, with its opening quote.
macro_rules! ks {
    ($name:literal) => {
        concat!(",\"", $name, "\":\"")
    };
}

/// Writes one JSON object, field by field. Keys are [`k!`] or [`ks!`]
/// constants.
struct Obj<'o> {
    out: &'o mut String,
    first: bool,
}

impl<'o> Obj<'o> {
    #[inline(always)]
    fn new(out: &'o mut String) -> Obj<'o> {
        out.push('{');
        Obj { out, first: true }
    }
    /// A key (`k!`), or a key and the opening quote of its string (`ks!`).
    #[inline(always)]
    fn key(&mut self, k: &str) -> &mut String {
        if self.first {
            self.first = false;
            self.out.push_str(k.get(1..).unwrap_or(k));
        } else {
            self.out.push_str(k);
        }
        self.out
    }
    /// A string value, escaped (`ks!` key).
    #[inline(always)]
    fn s(&mut self, k: &str, v: &str) -> &mut Self {
        let out = self.key(k);
        push_escaped(out, v);
        out.push('"');
        self
    }
    /// A string value, escaped; `clean` becomes false if it needed escaping
    /// (`ks!` key).
    #[inline(always)]
    fn e(&mut self, k: &str, v: &str, clean: &mut bool) -> &mut Self {
        let out = self.key(k);
        *clean &= push_escaped_clean(out, v);
        out.push('"');
        self
    }
    /// [`Obj::e`] for a text of a request read from `source`: copied as it
    /// is when it lies inside the JSON text (see [`dto::JsonSource`]).
    #[inline(always)]
    fn r(&mut self, k: &str, v: &str, source: dto::JsonSource<'_>, clean: &mut bool) -> &mut Self {
        if source.holds(v) {
            self.t(k, v, true)
        } else {
            self.e(k, v, clean)
        }
    }
    /// A string value escaped unless `clean` says it holds nothing JSON
    /// escapes (`ks!` key).
    #[inline(always)]
    fn t(&mut self, k: &str, v: &str, clean: bool) -> &mut Self {
        let out = self.key(k);
        if clean {
            out.push_str(v);
        } else {
            push_escaped(out, v);
        }
        out.push('"');
        self
    }
    /// A string constant of the code that holds nothing JSON escapes (codes,
    /// enum names, the engine version; tested below) (`ks!` key).
    #[inline(always)]
    fn c(&mut self, k: &str, v: &'static str) -> &mut Self {
        let out = self.key(k);
        out.push_str(v);
        out.push('"');
        self
    }
    #[inline(always)]
    fn b(&mut self, k: &str, v: bool) -> &mut Self {
        self.key(k).push_str(if v { "true" } else { "false" });
        self
    }
    /// A string value written by `f` without escaping: only for values that
    /// cannot hold a character JSON escapes (amounts, dates, digests)
    /// (`ks!` key).
    #[inline(always)]
    fn raw(&mut self, k: &str, f: impl FnOnce(&mut String)) -> &mut Self {
        let out = self.key(k);
        f(out);
        out.push('"');
        self
    }
    /// A string value rendered by `f` straight into the answer, then escaped
    /// in place if it needs it (`ks!` key).
    #[inline(always)]
    fn text(&mut self, k: &str, f: impl FnOnce(&mut String)) -> &mut Self {
        self.prose(k, false, f)
    }
    /// The same, not looked at when `clean` says it holds nothing JSON
    /// escapes.
    #[inline(always)]
    fn prose(&mut self, k: &str, clean: bool, f: impl FnOnce(&mut String)) -> &mut Self {
        let out = self.key(k);
        let start = out.len();
        f(out);
        if !clean {
            escape_from(out, start);
        }
        out.push('"');
        self
    }
    #[inline(always)]
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

fn line(out: &mut String, a: &Assessment<'_, '_>, l: &Line<'_, '_>, view: View) {
    let ach = l.achievement;
    let m = &l.amounts;
    // Texts of the line's ruleset are copied as they are when it has none to escape.
    let clean = l.ruleset.is_none_or(Ruleset::json_clean);
    // Texts taken from the request are copied as they are when none of the
    // request's needed escaping (the item and variant ids equal the
    // request's texts).
    let echo = a.application.json_clean;
    // The canonical subject is looked at once, for itself and the key (NFKC
    // can make a `"` of `＂`).
    let subject_clean = is_clean(&ach.subject.text);
    let mut o = Obj::new(out);
    o.t(ks!("achievementId"), ach.id, echo)
        .t(ks!("item"), ach.item, echo)
        .t(ks!("variant"), ach.variant, echo)
        .t(ks!("clause"), l.clause().unwrap_or(""), clean)
        .t(ks!("subject"), &ach.subject.text, subject_clean)
        // Item and variant as given, `|`, the subject, `@` and digits.
        .prose(ks!("oneTimeKey"), echo && subject_clean, |s| {
            ach.key().write_to(s)
        })
        .raw(ks!("date"), |s| ach.date.write_to(s))
        .t(ks!("rulesetId"), l.ruleset.map_or("", Ruleset::id), clean)
        .t(
            ks!("rulesetVersion"),
            l.ruleset.map_or("", Ruleset::version),
            clean,
        )
        .c(ks!("status"), l.status().name())
        .c(ks!("reasonCode"), l.reason.code().as_str())
        .raw(ks!("municipalAmount"), |s| m.municipal.write_to(s))
        .raw(ks!("higherLevelFundingCounted"), |s| m.counted.write_to(s))
        .raw(ks!("otherFundingNotCounted"), |s| m.not_counted.write_to(s))
        .raw(ks!("payable"), |s| m.payable.write_to(s))
        .raw(ks!("municipalShare"), |s| m.municipal_share.write_to(s))
        .raw(ks!("districtShare"), |s| m.district_share.write_to(s))
        .t(
            ks!("shareTableId"),
            l.share_table.map_or("", |t| t.id.as_str()),
            clean,
        );
    let cx = Cx {
        line: l,
        assessment: a,
    };
    match view {
        View::Full => {
            let prose_clean = clean && l.reason.prose_from_ruleset_only();
            o.prose(ks!("explanationZh"), prose_clean, |s| {
                l.reason.explain(cx, Lang::Zh, s)
            })
            .prose(ks!("explanationEn"), prose_clean, |s| {
                l.reason.explain(cx, Lang::En, s)
            });
        }
        View::Summary => {
            o.c(ks!("explanationZh"), "").c(ks!("explanationEn"), "");
        }
    }
    o.t(ks!("subjectAsGiven"), ach.subject_as_given, echo);
    o.end();
}

fn warning(out: &mut String, a: &Assessment<'_, '_>, w: &Warning<'_, '_>, view: View) {
    let mut o = Obj::new(out);
    o.c(ks!("code"), w.code().as_str()).t(
        ks!("achievementId"),
        w.achievement().map_or("", |x| x.id),
        a.application.json_clean,
    );
    match view {
        View::Full => {
            o.text(ks!("messageZh"), |s| w.message(a, Lang::Zh, s))
                .text(ks!("messageEn"), |s| w.message(a, Lang::En, s));
        }
        View::Summary => {
            o.c(ks!("messageZh"), "").c(ks!("messageEn"), "");
        }
    }
    o.end();
}

/// Appends a ruleset reference object.
pub fn ruleset_ref(out: &mut String, r: &Ruleset) {
    let clean = r.json_clean();
    Obj::new(out)
        .t(ks!("id"), r.id(), clean)
        .t(ks!("version"), r.version(), clean)
        .raw(ks!("hash"), |s| s.push_str(r.hash()))
        .raw(ks!("effectiveFrom"), |s| r.effective_from().write_to(s))
        .raw(ks!("effectiveTo"), |s| {
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
    let full = view == View::Full;
    let p = a.applicant();
    let unit = a.fiscal_unit();
    // The fiscal unit's texts come from the ruleset that places the seat.
    let unit_clean = p.place.ruleset().json_clean();
    let echo = a.application.json_clean;
    let mut o = Obj::new(out);
    o.b(k!("whatIf"), a.application.what_if);
    Obj::new(o.key(k!("applicant")))
        .t(ks!("creditCode"), p.credit_code.as_str(), echo)
        .b(k!("creditCodeCheckPassed"), p.check.passed())
        .t(ks!("name"), p.name, echo)
        .t(ks!("seat"), p.seat, echo)
        .t(
            ks!("fiscalUnit"),
            unit.map_or("", |u| u.code.as_str()),
            unit_clean,
        )
        .t(
            ks!("fiscalUnitNameZh"),
            unit.filter(|_| full).map_or("", |u| u.name_zh.as_str()),
            unit_clean,
        )
        .t(
            ks!("fiscalUnitNameEn"),
            unit.filter(|_| full).map_or("", |u| u.name_en.as_str()),
            unit_clean,
        )
        .b(k!("insideFuzhou"), unit.is_some())
        .end();
    list(o.key(k!("lines")), &a.lines, |out, l| line(out, a, l, view));
    o.raw(ks!("total"), |s| a.total.write_to(s));
    {
        let mut split = Obj::new(o.key(k!("split")));
        split
            .s(ks!("fiscalUnit"), unit.map_or("", |u| u.code.as_str()))
            .raw(ks!("municipalShare"), |s| a.municipal_share.write_to(s))
            .raw(ks!("districtShare"), |s| a.district_share.write_to(s));
        list(split.key(k!("shareTables")), &a.share_tables, |out, t| {
            Obj::new(out)
                .s(ks!("id"), &t.table.id)
                .s(ks!("version"), &t.table.version)
                .b(k!("provisional"), t.provisional())
                .raw(ks!("districtRatio"), |s| t.ratio.write_to(s))
                .s(ks!("noteZh"), if full { t.note_zh() } else { "" })
                .s(ks!("noteEn"), if full { t.note_en() } else { "" })
                .end();
        });
        split.end();
    }
    list(o.key(k!("warnings")), &a.warnings, |out, w| {
        warning(out, a, w, view);
    });
    {
        let mut r = Obj::new(o.key(k!("receipt")));
        r.c(ks!("engineVersion"), crate::engine::ENGINE_VERSION);
        list(r.key(k!("rulesets")), &a.rulesets, |out, rs| {
            ruleset_ref(out, rs)
        });
        r.raw(ks!("inputHash"), |s| a.application.input_hash.write_to(s));
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
    request_clean(r).0
}

/// [`request`], and whether none of the request's texts needed escaping:
/// then every text of the answer taken from the request (ids, item and
/// variant ids, the subject as given, the applicant's name and seat) is
/// copied into the answer without being looked at again
/// ([`Application::json_clean`](crate::domain::Application::json_clean)).
pub fn request_clean(r: &dto::EstimateRequest<'_>) -> (String, bool) {
    let mut out = String::with_capacity(
        256usize
            .saturating_add(r.achievements.len().saturating_mul(256))
            .saturating_add(r.what_if_ruleset.len()),
    );
    let mut clean = true;
    let src = r.source;
    let mut o = Obj::new(&mut out);
    Obj::new(o.key(k!("applicant")))
        .r(ks!("creditCode"), &r.applicant.credit_code, src, &mut clean)
        .r(ks!("name"), &r.applicant.name, src, &mut clean)
        .r(ks!("seat"), &r.applicant.seat, src, &mut clean)
        .end();
    list(o.key(k!("achievements")), &r.achievements, |out, a| {
        let mut x = Obj::new(out);
        x.r(ks!("id"), &a.id, src, &mut clean)
            .r(ks!("item"), &a.item, src, &mut clean)
            .r(ks!("variant"), &a.variant, src, &mut clean)
            .r(ks!("subject"), &a.subject, src, &mut clean)
            .r(ks!("date"), &a.date, src, &mut clean);
        enum_text(&a.role, x.key(k!("role")));
        x.b(k!("accepted"), a.accepted)
            .b(k!("approved"), a.approved);
        list(
            x.key(k!("higherLevelFunding")),
            &a.higher_level_funding,
            |out, f| {
                let mut y = Obj::new(out);
                enum_text(&f.level, y.key(k!("level")));
                y.r(ks!("amount"), &f.amount, src, &mut clean)
                    .r(ks!("source"), &f.source, src, &mut clean)
                    .end();
            },
        );
        x.end();
    });
    o.s(ks!("whatIfRuleset"), &r.what_if_ruleset).end();
    (out, clean)
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

    #[test]
    fn constants_need_no_escaping() {
        use crate::domain::LineStatus;
        use crate::reasons::ReasonCode;
        use crate::warnings::WarningCode;
        use strum::IntoEnumIterator;
        let statuses = [
            LineStatus::Eligible,
            LineStatus::Ineligible,
            LineStatus::Pending,
            LineStatus::Discretionary,
        ];
        for c in statuses
            .iter()
            .map(|s| s.name())
            .chain(ReasonCode::iter().map(ReasonCode::as_str))
            .chain(WarningCode::iter().map(WarningCode::as_str))
            .chain([crate::engine::ENGINE_VERSION])
        {
            assert_eq!(serde_json::to_string(c).ok(), Some(format!("\"{c}\"")));
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(20_000))]
        /// Every length and every position of an escaped byte, against serde_json.
        #[test]
        fn escapes_like_serde_json_everywhere(s in "[a\"\\\n\u{0}\u{1f}\u{7f}中é ]{0,40}") {
            let mut mine = String::from("x");
            push_str_literal(&mut mine, &s);
            proptest::prop_assert_eq!(Some(mine), serde_json::to_string(&s).ok().map(|j| format!("x{j}")));
        }

        /// One escaped byte after a clean run of any length (the word paths).
        #[test]
        fn escapes_after_clean_runs(
            before in "[a中é ]{0,40}",
            escaped in "[\"\\\n\u{0}\u{1f}]",
            after in "[a中é ]{0,20}",
        ) {
            let s = format!("{before}{escaped}{after}");
            let mut mine = String::new();
            push_str_literal(&mut mine, &s);
            proptest::prop_assert_eq!(Some(mine), serde_json::to_string(&s).ok());
        }
    }
}

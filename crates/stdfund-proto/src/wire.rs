//! The estimate answers encoded straight from the typed domain into
//! protobuf bytes — the bytes prost writes for [`convert::to_pb`]'s message,
//! without building that message first.
//!
//! [`convert::to_pb`] allocates a `String` for every field of every line
//! (about 25 per line) and prost then walks the message twice (lengths,
//! then bytes) on the connection's task. Here each field is rendered once
//! into one reused scratch string and copied into the output buffer, on
//! whichever thread computes the answer; the server hands the bytes to
//! tonic as they are ([`crate::codec::Encoded`]).
//!
//! The encoding follows proto3 as prost writes it: fields in field-number
//! order, a string, bool or enum field left out when it holds its default
//! (`""`, `false`, `0`), a present message field written even when empty, a
//! length prefix as a minimal varint. `tests::*` and the server's tests check
//! byte equality with `prost::Message::encode_to_vec(&to_pb(..))` on every
//! shared vector and on seeded random applications.
//!
//! [`convert::to_pb`]: crate::convert::to_pb

use crate::convert;
use stdfund_rules::ENGINE_VERSION;
use stdfund_rules::Error;
use stdfund_rules::domain::{Assessment, Line, ShareUse};
use stdfund_rules::json::dto::{self, View};
use stdfund_rules::reasons::{Cx, Lang};
use stdfund_rules::ruleset::Ruleset;

/// Wire type of a varint field.
const VARINT: u32 = 0;
/// Wire type of a length-delimited field (strings, messages).
const LEN: u32 = 2;

fn varint(buf: &mut Vec<u8>, value: u64) {
    prost::encoding::encode_varint(value, buf);
}

fn key(buf: &mut Vec<u8>, field: u32, wire_type: u32) {
    varint(buf, u64::from(field.wrapping_shl(3) | wire_type));
}

/// A string field; left out when empty.
fn string(buf: &mut Vec<u8>, field: u32, s: &str) {
    if s.is_empty() {
        return;
    }
    key(buf, field, LEN);
    varint(buf, s.len() as u64);
    buf.extend_from_slice(s.as_bytes());
}

/// A string field rendered by `render` into `scratch` (cleared first).
fn rendered(buf: &mut Vec<u8>, field: u32, scratch: &mut String, render: impl FnOnce(&mut String)) {
    scratch.clear();
    render(scratch);
    string(buf, field, scratch);
}

/// A bool field; left out when false.
fn boolean(buf: &mut Vec<u8>, field: u32, b: bool) {
    if b {
        key(buf, field, VARINT);
        buf.push(1);
    }
}

/// An enum (or uint32) field; left out when zero. Negative numbers take ten
/// bytes, as protobuf encodes an `int32`.
fn number(buf: &mut Vec<u8>, field: u32, n: i64) {
    if n != 0 {
        key(buf, field, VARINT);
        varint(buf, n as u64);
    }
}

/// A message field: its fields are written by `body`, then the length is put
/// in front of them. The length is expected to fit in one byte (under 128).
fn message(buf: &mut Vec<u8>, field: u32, body: impl FnOnce(&mut Vec<u8>)) {
    sized_message(buf, field, 1, body);
}

/// A message field whose length is expected to take `guess` bytes (1–5):
/// that many bytes are held for the length while `body` writes the fields;
/// when the length takes another width, the body is moved by the
/// difference. A line with its explanations (128 bytes to 16 KB) guesses 2
/// and so is written in place, not moved along by one byte afterwards.
fn sized_message(buf: &mut Vec<u8>, field: u32, guess: usize, body: impl FnOnce(&mut Vec<u8>)) {
    key(buf, field, LEN);
    let at = buf.len();
    buf.resize(at.saturating_add(guess), 0);
    let start = buf.len();
    body(buf);
    let len = buf.len().saturating_sub(start);
    let width = prost::encoding::encoded_len_varint(len as u64);
    let body_at = at.saturating_add(width);
    if width > guess {
        buf.resize(buf.len().saturating_add(width.saturating_sub(guess)), 0);
        buf.copy_within(start..start.saturating_add(len), body_at);
    } else if width < guess {
        buf.copy_within(start..start.saturating_add(len), body_at);
        buf.truncate(body_at.saturating_add(len));
    }
    if let Some(mut slot) = buf.get_mut(at..body_at) {
        prost::encoding::encode_varint(len as u64, &mut slot);
    }
}

/// Appends the encoding of `EstimateResponse` for the assessment in the view:
/// the bytes of `to_pb(a, view).encode_to_vec()`.
pub fn estimate_response(buf: &mut Vec<u8>, a: &Assessment<'_, '_>, view: View) {
    let mut scratch = String::with_capacity(256);
    let s = &mut scratch;
    let full = view == View::Full;
    let p = a.applicant();
    let unit = a.fiscal_unit();
    let unit_code = unit.map_or("", |u| u.code.as_str());
    boolean(buf, 1, a.application.what_if);
    message(buf, 2, |b| {
        string(b, 1, p.credit_code.as_str());
        boolean(b, 2, p.check.passed());
        string(b, 3, p.name);
        string(b, 4, p.seat);
        string(b, 5, unit_code);
        if full {
            string(b, 6, unit.map_or("", |u| u.name_zh.as_str()));
            string(b, 7, unit.map_or("", |u| u.name_en.as_str()));
        }
        boolean(b, 8, unit.is_some());
    });
    for l in &a.lines {
        sized_message(buf, 3, 2, |b| line(b, a, l, full, s));
    }
    rendered(buf, 4, s, |o| a.total.write_to(o));
    message(buf, 5, |b| {
        string(b, 1, unit_code);
        rendered(b, 2, s, |o| a.municipal_share.write_to(o));
        rendered(b, 3, s, |o| a.district_share.write_to(o));
        for u in &a.share_tables {
            message(b, 4, |b| share_table_use(b, u, full, s));
        }
    });
    for w in &a.warnings {
        message(buf, 6, |b| {
            string(b, 1, w.code().as_str());
            string(b, 2, w.achievement().map_or("", |x| x.id));
            if full {
                rendered(b, 3, s, |o| w.message(a, Lang::Zh, o));
                rendered(b, 4, s, |o| w.message(a, Lang::En, o));
            }
        });
    }
    message(buf, 7, |b| {
        string(b, 1, ENGINE_VERSION);
        for r in &a.rulesets {
            message(b, 2, |b| ruleset_ref(b, r, s));
        }
        rendered(b, 3, s, |o| a.application.input_hash.write_to(o));
    });
}

fn line(b: &mut Vec<u8>, a: &Assessment<'_, '_>, l: &Line<'_, '_>, full: bool, s: &mut String) {
    let ach = l.achievement;
    let m = &l.amounts;
    string(b, 1, ach.id);
    string(b, 2, ach.item);
    string(b, 3, ach.variant);
    string(b, 4, l.clause().unwrap_or(""));
    string(b, 5, &ach.subject.text);
    rendered(b, 6, s, |o| ach.key().write_to(o));
    rendered(b, 7, s, |o| ach.date.write_to(o));
    string(b, 8, l.ruleset.map_or("", Ruleset::id));
    string(b, 9, l.ruleset.map_or("", Ruleset::version));
    number(b, 10, i64::from(l.status().number()));
    string(b, 11, l.reason.code().as_str());
    rendered(b, 12, s, |o| m.municipal.write_to(o));
    rendered(b, 13, s, |o| m.counted.write_to(o));
    rendered(b, 14, s, |o| m.not_counted.write_to(o));
    rendered(b, 15, s, |o| m.payable.write_to(o));
    rendered(b, 16, s, |o| m.municipal_share.write_to(o));
    rendered(b, 17, s, |o| m.district_share.write_to(o));
    string(b, 18, l.share_table.map_or("", |t| t.id.as_str()));
    if full {
        let cx = Cx {
            line: l,
            assessment: a,
        };
        rendered(b, 19, s, |o| l.reason.explain(cx, Lang::Zh, o));
        rendered(b, 20, s, |o| l.reason.explain(cx, Lang::En, o));
    }
    string(b, 21, ach.subject_as_given);
}

fn share_table_use(b: &mut Vec<u8>, u: &ShareUse<'_>, full: bool, s: &mut String) {
    string(b, 1, &u.table.id);
    string(b, 2, &u.table.version);
    boolean(b, 3, u.provisional());
    rendered(b, 4, s, |o| u.ratio.write_to(o));
    if full {
        string(b, 5, u.note_zh());
        string(b, 6, u.note_en());
    }
}

fn ruleset_ref(b: &mut Vec<u8>, r: &Ruleset, s: &mut String) {
    string(b, 1, r.id());
    string(b, 2, r.version());
    string(b, 3, r.hash());
    rendered(b, 4, s, |o| r.effective_from().write_to(o));
    if let Some(to) = r.effective_to() {
        rendered(b, 5, s, |o| to.write_to(o));
    }
}

/// Estimates a request (read by [`convert::request`] or
/// [`crate::direct`]) like [`convert::estimate`] and appends the answer's
/// encoding (`EstimateResponse`); on an error nothing is written.
pub fn estimate(
    buf: &mut Vec<u8>,
    r: &dto::EstimateRequest<'_>,
    view: Option<View>,
) -> Result<(), Error> {
    stdfund_rules::json::assess_in_view(r, view, |a, view| estimate_response(buf, a, view))
}

/// Appends one `EstimateBatchResponse` holding an assessment: the request
/// id, the index, then the answer (see [`estimate_response`]).
pub fn batch_assessment(
    buf: &mut Vec<u8>,
    request_id: &str,
    index: u32,
    a: &Assessment<'_, '_>,
    view: View,
) {
    string(buf, 1, request_id);
    number(buf, 2, i64::from(index));
    sized_message(buf, 3, 2, |b| estimate_response(b, a, view));
}

/// Appends one `EstimateBatchResponse` holding an error report (and the value
/// the refused field was probably meant to be).
pub fn batch_error(
    buf: &mut Vec<u8>,
    request_id: &str,
    index: u32,
    report: &stdfund_rules::ErrorReport,
    meant: Option<&str>,
) {
    string(buf, 1, request_id);
    number(buf, 2, i64::from(index));
    prost::encoding::message::encode(4, &convert::error_report(report, meant), buf);
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;
    use crate::pb;
    use prost::Message;

    #[test]
    fn a_long_message_field_gets_a_wider_length() {
        for len in [0usize, 1, 127, 128, 300, 16_383, 16_384, 70_000] {
            let body = "x".repeat(len);
            let expected = pb::ErrorReport {
                code: body.clone(),
                ..Default::default()
            };
            let mut theirs = vec![7];
            prost::encoding::message::encode(3, &expected, &mut theirs);
            for guess in 1..=5 {
                let mut ours = vec![7];
                sized_message(&mut ours, 3, guess, |b| string(b, 1, &body));
                assert_eq!(ours, theirs, "body of {len} bytes, guess {guess}");
            }
        }
    }

    #[test]
    fn defaults_are_left_out_like_prost() {
        let mut ours = Vec::new();
        string(&mut ours, 1, "");
        boolean(&mut ours, 2, false);
        number(&mut ours, 3, 0);
        assert!(ours.is_empty());
        number(&mut ours, 10, -1);
        let theirs = pb::Line {
            status: -1,
            ..Default::default()
        }
        .encode_to_vec();
        assert_eq!(ours, theirs);
    }
}

//! Estimate requests read straight from their protobuf bytes into the rules
//! crate's borrowed request DTO — what [`convert::request`] gives for the
//! prost message, without building that message first.
//!
//! prost decodes an `EstimateRequest` into about six `String`s per
//! achievement, and [`convert::request`] then borrows them; here every text
//! field borrows the received bytes (checked as UTF-8), so reading a request
//! allocates only the achievements' `Vec`s. The server keeps a request's
//! bytes as they arrived ([`crate::codec::RawMessage`]) and reads them on the
//! thread that computes the answer, not on the connection's task.
//!
//! The reading follows prost for what it accepts: keys and varints are
//! read by prost's own functions; a singular field seen twice keeps its last
//! value, a singular message seen twice is merged, a repeated field
//! appends; an enum or bool takes a varint's low 32 bits or `!= 0`. It
//! declines (returns `None`) whatever it does not read itself — an unknown
//! field, a wrong wire type, a length past the end, text that is not UTF-8,
//! a broken varint — and the caller then decodes the bytes with prost,
//! which either reads them (unknown fields skipped) or gives the error the
//! caller answers. So the two can differ only in speed: the tests and the
//! `proto_estimate` fuzz target check that whatever this reads, prost reads
//! to the same DTO, and whatever prost refuses, this declines.
//!
//! [`convert::request`]: crate::convert::request

use prost::encoding::{WireType, decode_key, decode_varint};
use std::borrow::Cow;
use stdfund_rules::json::dto::{self, EnumIn};

/// One `stdfund.v1.EstimateBatchRequest` as read.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BatchItem<'a> {
    /// `request_id`.
    pub request_id: &'a str,
    /// `application` (the default request when absent, as the server reads
    /// a missing application).
    pub application: dto::EstimateRequest<'a>,
    /// `view`, the number as sent.
    pub view: i32,
}

/// Reads an `EstimateRequest`; `None` when the bytes need prost.
pub fn estimate_request(bytes: &[u8]) -> Option<dto::EstimateRequest<'_>> {
    let mut r = dto::EstimateRequest::default();
    merge_request(bytes, &mut r)?;
    Some(r)
}

/// Reads an `EstimateBatchRequest`; `None` when the bytes need prost.
pub fn batch_item(mut bytes: &[u8]) -> Option<BatchItem<'_>> {
    let mut item = BatchItem::default();
    while !bytes.is_empty() {
        match decode_key(&mut bytes).ok()? {
            (1, WireType::LengthDelimited) => item.request_id = text(&mut bytes)?,
            (2, WireType::LengthDelimited) => {
                merge_request(delimited(&mut bytes)?, &mut item.application)?;
            }
            (3, WireType::Varint) => item.view = int32(&mut bytes)?,
            _ => return None,
        }
    }
    Some(item)
}

/// A length-delimited field's bytes.
fn delimited<'a>(bytes: &mut &'a [u8]) -> Option<&'a [u8]> {
    let len = usize::try_from(decode_varint(bytes).ok()?).ok()?;
    let (field, rest) = bytes.split_at_checked(len)?;
    *bytes = rest;
    Some(field)
}

/// A string field.
fn text<'a>(bytes: &mut &'a [u8]) -> Option<&'a str> {
    std::str::from_utf8(delimited(bytes)?).ok()
}

/// A string field as the DTO holds it.
fn str_field<'a>(bytes: &mut &'a [u8]) -> Option<dto::Str<'a>> {
    text(bytes).map(|s| dto::Str(Cow::Borrowed(s)))
}

/// An `int32` or enum field: the varint's low 32 bits, as prost reads it.
#[allow(clippy::cast_possible_truncation)]
fn int32(bytes: &mut &[u8]) -> Option<i32> {
    decode_varint(bytes).ok().map(|v| v as i32)
}

/// A `bool` field.
fn boolean(bytes: &mut &[u8]) -> Option<bool> {
    decode_varint(bytes).ok().map(|v| v != 0)
}

fn merge_request<'a>(mut bytes: &'a [u8], r: &mut dto::EstimateRequest<'a>) -> Option<()> {
    while !bytes.is_empty() {
        match decode_key(&mut bytes).ok()? {
            (1, WireType::LengthDelimited) => {
                merge_applicant(delimited(&mut bytes)?, &mut r.applicant)?;
            }
            (2, WireType::LengthDelimited) => {
                let mut a = dto::Achievement::default();
                merge_achievement(delimited(&mut bytes)?, &mut a)?;
                r.achievements.push(a);
            }
            (3, WireType::LengthDelimited) => r.what_if_ruleset = str_field(&mut bytes)?,
            (4, WireType::Varint) => r.view = EnumIn::from_number(int32(&mut bytes)?),
            _ => return None,
        }
    }
    Some(())
}

fn merge_applicant<'a>(mut bytes: &'a [u8], a: &mut dto::Applicant<'a>) -> Option<()> {
    while !bytes.is_empty() {
        match decode_key(&mut bytes).ok()? {
            (1, WireType::LengthDelimited) => a.credit_code = str_field(&mut bytes)?,
            (2, WireType::LengthDelimited) => a.name = str_field(&mut bytes)?,
            (3, WireType::LengthDelimited) => a.seat = str_field(&mut bytes)?,
            _ => return None,
        }
    }
    Some(())
}

fn merge_achievement<'a>(mut bytes: &'a [u8], a: &mut dto::Achievement<'a>) -> Option<()> {
    while !bytes.is_empty() {
        match decode_key(&mut bytes).ok()? {
            (1, WireType::LengthDelimited) => a.id = str_field(&mut bytes)?,
            (2, WireType::LengthDelimited) => a.item = str_field(&mut bytes)?,
            (3, WireType::LengthDelimited) => a.variant = str_field(&mut bytes)?,
            (4, WireType::LengthDelimited) => a.subject = str_field(&mut bytes)?,
            (5, WireType::LengthDelimited) => a.date = str_field(&mut bytes)?,
            (6, WireType::Varint) => a.role = EnumIn::from_number(int32(&mut bytes)?),
            (7, WireType::Varint) => a.accepted = boolean(&mut bytes)?,
            (8, WireType::Varint) => a.approved = boolean(&mut bytes)?,
            (9, WireType::LengthDelimited) => {
                let mut f = dto::Funding::default();
                merge_funding(delimited(&mut bytes)?, &mut f)?;
                a.higher_level_funding.push(f);
            }
            _ => return None,
        }
    }
    Some(())
}

fn merge_funding<'a>(mut bytes: &'a [u8], f: &mut dto::Funding<'a>) -> Option<()> {
    while !bytes.is_empty() {
        match decode_key(&mut bytes).ok()? {
            (1, WireType::Varint) => f.level = EnumIn::from_number(int32(&mut bytes)?),
            (2, WireType::LengthDelimited) => f.amount = str_field(&mut bytes)?,
            (3, WireType::LengthDelimited) => f.source = str_field(&mut bytes)?,
            _ => return None,
        }
    }
    Some(())
}

//! `direct` against prost on valid and damaged bytes: whatever `direct`
//! reads, prost decodes to the same request (through `convert::request`);
//! whatever prost refuses, `direct` declines. Damage: cut short, a byte
//! changed, bytes inserted, two messages concatenated (prost merges them:
//! last value wins, repeated fields append), an unknown field, text that is
//! not UTF-8.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use prost::Message;
use stdfund_proto::{client, convert, direct, pb};
use stdfund_testkit::generate;

/// splitmix64: a small deterministic generator for the damage.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n.max(1) as u64).unwrap()
    }
}

fn request(seed: u64) -> pb::EstimateRequest {
    let app = generate::application(seed);
    client::request(&stdfund_rules::json::to_canonical(&app)).unwrap_or_default()
}

fn damaged(rng: &mut Rng, bytes: &[u8], other: &[u8]) -> Vec<u8> {
    let mut b = bytes.to_vec();
    match rng.below(7) {
        0 => b.truncate(rng.below(b.len())),
        1 if !b.is_empty() => {
            let at = rng.below(b.len());
            b[at] = u8::try_from(rng.next() & 0xff).unwrap();
        }
        2 => {
            let at = rng.below(b.len() + 1);
            let n = 1 + rng.below(4);
            let junk: Vec<u8> = (0..n)
                .map(|_| u8::try_from(rng.next() & 0xff).unwrap())
                .collect();
            b.splice(at..at, junk);
        }
        3 => b.extend_from_slice(other),
        // An unknown field: 99, varint.
        4 => b.extend_from_slice(&[0x98, 0x06, 0x01]),
        // what_if_ruleset (3) that is not UTF-8.
        5 => b.extend_from_slice(&[0x1a, 0x02, 0xc3, 0x28]),
        _ => {}
    }
    b
}

/// Checks one byte string both ways; returns whether `direct` read it.
fn agree(bytes: &[u8], what: &str) -> bool {
    let ours = direct::estimate_request(bytes);
    match pb::EstimateRequest::decode(bytes) {
        Ok(m) => {
            if let Some(ours) = &ours {
                assert_eq!(ours, &convert::request(&m), "{what}");
            }
        }
        Err(e) => assert!(
            ours.is_none(),
            "{what}: prost refused ({e}) what direct read"
        ),
    }
    // The same bytes as a batch item's application, with an id and a view.
    let mut item = vec![0x0a, 0x02, b'r', b'1'];
    prost::encoding::encode_key(2, prost::encoding::WireType::LengthDelimited, &mut item);
    prost::encoding::encode_varint(bytes.len() as u64, &mut item);
    item.extend_from_slice(bytes);
    item.extend_from_slice(&[0x18, 0x02]);
    let ours_item = direct::batch_item(&item);
    match pb::EstimateBatchRequest::decode(item.as_slice()) {
        Ok(m) => {
            if let Some(ours_item) = &ours_item {
                let default = pb::EstimateRequest::default();
                assert_eq!(ours_item.request_id, m.request_id, "{what}");
                assert_eq!(ours_item.view, m.view, "{what}");
                assert_eq!(
                    ours_item.application,
                    convert::request(m.application.as_ref().unwrap_or(&default)),
                    "{what}"
                );
            }
        }
        Err(e) => assert!(
            ours_item.is_none(),
            "{what}: prost refused ({e}) the item direct read"
        ),
    }
    assert_eq!(ours.is_some(), ours_item.is_some(), "{what}");
    ours.is_some()
}

#[test]
fn every_valid_request_is_read_directly_and_alike() {
    for seed in 0..2_000u64 {
        let bytes = request(seed).encode_to_vec();
        assert!(
            agree(&bytes, &format!("seed {seed}")),
            "seed {seed}: declined"
        );
    }
    assert!(agree(&[], "empty"));
}

#[test]
fn damaged_requests_are_read_alike_or_declined() {
    let mut rng = Rng(7);
    let (mut read, mut declined) = (0usize, 0usize);
    for seed in 0..3_000u64 {
        let bytes = request(seed).encode_to_vec();
        let other = request(seed + 10_000).encode_to_vec();
        for round in 0..4 {
            let b = damaged(&mut rng, &bytes, &other);
            if agree(&b, &format!("seed {seed} round {round}")) {
                read += 1;
            } else {
                declined += 1;
            }
        }
    }
    // Both sides are exercised: merges read directly, damage declined.
    assert!(
        read > 2_000 && declined > 2_000,
        "{read} read, {declined} declined"
    );
}

#[test]
fn a_singular_field_seen_twice_keeps_its_last_value_and_messages_merge() {
    let first = pb::EstimateRequest {
        applicant: Some(pb::Applicant {
            credit_code: "A".into(),
            name: "甲".into(),
            seat: String::new(),
        }),
        what_if_ruleset: "x".into(),
        view: 1,
        ..Default::default()
    };
    let second = pb::EstimateRequest {
        applicant: Some(pb::Applicant {
            credit_code: String::new(),
            name: "乙".into(),
            seat: "350100".into(),
        }),
        view: 2,
        ..Default::default()
    };
    let mut bytes = first.encode_to_vec();
    bytes.extend(second.encode_to_vec());
    let r = direct::estimate_request(&bytes).unwrap();
    assert_eq!(&*r.applicant.credit_code, "A");
    assert_eq!(&*r.applicant.name, "乙");
    assert_eq!(&*r.applicant.seat, "350100");
    assert_eq!(&*r.what_if_ruleset, "x");
    assert_eq!(r.view.number(), 2);
    assert!(agree(&bytes, "merged"));
}

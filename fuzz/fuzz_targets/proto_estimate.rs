//! Fuzz target: the gRPC path of an estimate — protobuf decode of
//! `stdfund.v1.EstimateRequest`, conversion to the engine's input
//! (`stdfund_proto::convert::request`), evaluation and conversion of the
//! answer (`convert::estimate`), as EstimateService runs it.
//!
//! Arbitrary bytes: no panic; an undecodable message is refused by the
//! decoder; an answer re-encodes and decodes to itself, carries one line per
//! achievement, and its canonical JSON (`client::answer_json`) is JSON; an
//! error has a stable code.
#![no_main]

use libfuzzer_sys::fuzz_target;
use prost::Message;
use stdfund_proto::pb;

fuzz_target!(|data: &[u8]| {
    let Ok(request) = pb::EstimateRequest::decode(data) else {
        return;
    };
    match stdfund_proto::convert::estimate(&request, None) {
        Ok(answer) => {
            assert_eq!(answer.lines.len(), request.achievements.len());
            let bytes = answer.encode_to_vec();
            let back = pb::EstimateResponse::decode(bytes.as_slice()).expect("the answer re-decodes");
            assert_eq!(back, answer);
            let json = stdfund_proto::client::answer_json(answer);
            assert!(
                serde_json::from_str::<serde_json::Value>(&json).is_ok(),
                "the answer's JSON is not JSON: {json}"
            );
        }
        Err(e) => {
            let code = e.code();
            assert!(!code.is_empty() && code.bytes().all(|b| b.is_ascii_uppercase() || b == b'_'));
        }
    }
});

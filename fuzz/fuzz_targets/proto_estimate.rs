//! Fuzz target: the gRPC path of an estimate — protobuf decode of
//! `stdfund.v1.EstimateRequest`, conversion to the engine's input
//! (`stdfund_proto::convert::request`), evaluation and conversion of the
//! answer (`convert::estimate`), as EstimateService runs it.
//!
//! Arbitrary bytes: no panic; an undecodable message is refused by the
//! decoder, and `stdfund_proto::direct` (the server's reading of the bytes)
//! declines it; what `direct` reads equals prost's decoding through
//! `convert::request`; an answer re-encodes and decodes to itself, carries one line per
//! achievement, and its canonical JSON (`client::answer_json`) is JSON; the
//! bytes the server sends (`stdfund_proto::wire::estimate`, encoded straight
//! from the assessment) are prost's encoding of that answer, and a refusal
//! writes none; an error has a stable code.
#![no_main]

use libfuzzer_sys::fuzz_target;
use prost::Message;
use stdfund_proto::pb;

fuzz_target!(|data: &[u8]| {
    // The server reads the bytes directly, with prost for what that declines.
    let read = stdfund_proto::direct::estimate_request(data);
    let Ok(request) = pb::EstimateRequest::decode(data) else {
        assert!(read.is_none(), "direct read what prost refuses");
        return;
    };
    let borrowed = stdfund_proto::convert::request(&request);
    if let Some(read) = &read {
        assert_eq!(read, &borrowed, "direct reads otherwise than prost");
    }
    let mut sent = Vec::new();
    let direct = stdfund_proto::wire::estimate(&mut sent, &borrowed, None);
    match stdfund_proto::convert::estimate(&request, None) {
        Ok(answer) => {
            assert!(direct.is_ok(), "the wire encoder refused what convert answered");
            assert_eq!(answer.lines.len(), request.achievements.len());
            let bytes = answer.encode_to_vec();
            assert!(sent == bytes, "the wire encoding differs from prost's");
            let back = pb::EstimateResponse::decode(bytes.as_slice()).expect("the answer re-decodes");
            assert_eq!(back, answer);
            let json = stdfund_proto::client::answer_json(answer);
            assert!(
                serde_json::from_str::<serde_json::Value>(&json).is_ok(),
                "the answer's JSON is not JSON: {json}"
            );
        }
        Err(e) => {
            assert!(direct.is_err() && sent.is_empty(), "the wire encoder answered what convert refused");
            let code = e.code();
            assert!(!code.is_empty() && code.bytes().all(|b| b.is_ascii_uppercase() || b == b'_'));
        }
    }
});

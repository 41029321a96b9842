//! Fuzz target: the JSON boundary (`stdfund_rules::json::estimate_json`), as
//! the CLI, the WASM module and the service call it.
//!
//! Arbitrary bytes as UTF-8 (invalid bytes replaced): no panic; an answer is
//! JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(answer) = stdfund_rules::json::estimate_json(&text) {
        assert!(
            serde_json::from_str::<serde_json::Value>(&answer).is_ok(),
            "the answer is not JSON: {answer}"
        );
    }
});

//! Fuzz target: the canonical identity of subjects (`stdfund_rules::canon`).
//!
//! Every function on arbitrary UTF-8 (invalid bytes replaced): no panic, and
//! idempotence — a canonical form fed back in gives the same canonical form
//! (the same parsed standard number), in NFKC; the number offered for a
//! refused standard number (D31) is itself accepted and canonical.
#![no_main]

use icu_normalizer::ComposingNormalizerBorrowed;
use libfuzzer_sys::fuzz_target;
use stdfund_rules::canon;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    if let Ok(t) = canon::text(&s) {
        assert_eq!(
            canon::text(&t).as_ref(),
            Ok(&t),
            "text not idempotent on {s:?}"
        );
        assert!(
            ComposingNormalizerBorrowed::new_nfkc().is_normalized(&t),
            "text output not NFKC on {s:?}"
        );
    }
    if let Ok(n) = canon::standard_number(&s) {
        let c = n.canonical();
        assert_eq!(
            canon::standard_number(&c).as_ref(),
            Ok(&n),
            "standard_number not idempotent on {s:?}"
        );
        assert_eq!(
            canon::text(&c).as_ref(),
            Ok(&c),
            "canonical number not canonical text"
        );
        let _ = n.implied_level().variant_id();
    }
    // The advice on a refused standard number: offered only on a refusal,
    // and always a number that is accepted and already canonical.
    if let Some(m) = canon::standard_number_meant(&s) {
        assert!(
            canon::standard_number(&s).is_err(),
            "advice on an accepted number {s:?}"
        );
        assert_eq!(
            canon::standard_number(&m).map(|n| n.canonical()).as_ref(),
            Ok(&m),
            "advice {m:?} on {s:?} is not a canonical standard number"
        );
    }
    // A committee subject the engine accepts reads as itself again. (The
    // lenient `canon::committee`, which falls back to the general text on a
    // refusal, is not: a look-alike checked as typed, `ß`, is gone from that
    // text. The engine uses the checked reading.)
    if let Ok(Ok(c)) = canon::committee_checked(&s) {
        assert_eq!(
            canon::committee_checked(&c),
            Ok(Ok(c.clone())),
            "committee not idempotent on {s:?}"
        );
    }
});

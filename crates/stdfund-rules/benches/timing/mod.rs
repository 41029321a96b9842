//! Timing shared by the `estimate` and `lines` benches: cases interleaved
//! round by round, medians.
#![allow(
    dead_code,
    clippy::disallowed_methods,
    clippy::float_arithmetic,
    clippy::cast_precision_loss,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::time::Instant;

/// Rounds of the interleaved benches.
pub const ROUNDS: usize = 101;

/// The median of `xs`.
pub fn median(xs: &[f64]) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Times `cases` interleaved: `ROUNDS` rounds, each one batch of every case;
/// answers the nanoseconds per call of every batch, per case.
pub fn interleaved(cases: &mut [(&str, u32, &mut dyn FnMut())]) -> Vec<Vec<f64>> {
    // Warm up: about 50 ms of each case.
    for (_, per, f) in cases.iter_mut() {
        for _ in 0..(*per * 20) {
            f();
        }
    }
    let mut samples = vec![Vec::with_capacity(ROUNDS); cases.len()];
    for _ in 0..ROUNDS {
        for (i, (_, per, f)) in cases.iter_mut().enumerate() {
            let t = Instant::now();
            for _ in 0..*per {
                f();
            }
            samples[i].push(t.elapsed().as_nanos() as f64 / f64::from(*per));
        }
    }
    samples
}

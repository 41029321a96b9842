//! First-seen checks in linear time: a duplicate achievement id in a request,
//! a duplicate one-time key among the lines, the subjects an application
//! leads. An open-addressing table over a fixed multiplicative hash (the
//! rotate-xor-multiply step of rustc's FxHash, eight bytes at a time).
//!
//! Membership only: nothing iterates the table, so no hash order can reach an
//! answer (why this crate does not use `HashMap`), and the hash is fixed, so
//! the same input takes the same steps on every executor.

use std::hash::{Hash, Hasher};

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

/// The FxHash step over words of eight bytes.
struct Fx(u64);

impl Fx {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in chunks.by_ref() {
            if let Ok(w) = <[u8; 8]>::try_from(c) {
                self.add(u64::from_le_bytes(w));
            }
        }
        let mut last = [0u8; 8];
        let rest = chunks.remainder();
        for (slot, b) in last.iter_mut().zip(rest) {
            *slot = *b;
        }
        if !rest.is_empty() {
            self.add(u64::from_le_bytes(last));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    fn write_u16(&mut self, i: u16) {
        self.add(u64::from(i));
    }
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    fn write_usize(&mut self, i: usize) {
        self.add(u64::try_from(i).unwrap_or(u64::MAX));
    }
}

fn hash_of<K: Hash>(key: &K) -> u64 {
    let mut h = Fx(0);
    key.hash(&mut h);
    h.finish()
}

/// Up to this many keys, a list searched in order beats hashing.
const SMALL: usize = 16;

/// Keys with the value recorded when each was first seen.
pub(crate) struct FirstSeen<K> {
    /// Every key with its value, in the order recorded.
    entries: Vec<(K, usize)>,
    /// Past [`SMALL`] keys: positions in `entries` plus one (0: empty),
    /// open addressing with linear probing; its length is a power of two.
    table: Vec<u32>,
}

impl<K: Hash + Eq> FirstSeen<K> {
    /// A set for about `n` keys (it grows past that).
    pub(crate) fn with_capacity(n: usize) -> Self {
        FirstSeen {
            entries: Vec::with_capacity(n),
            table: Vec::new(),
        }
    }

    /// The entry of `key` if recorded, else the empty table slot to record it in
    /// (`usize::MAX` when there is no table).
    fn find(&self, key: &K) -> Result<usize, usize> {
        if self.table.is_empty() {
            return self
                .entries
                .iter()
                .position(|(k, _)| k == key)
                .ok_or(usize::MAX);
        }
        let mask = self.table.len().saturating_sub(1);
        // The high bits mix best.
        let mut i = usize::try_from(hash_of(key) >> 32).unwrap_or(0) & mask;
        loop {
            match self.table.get(i).copied() {
                Some(0) | None => return Err(i),
                Some(e) => {
                    let at = usize::try_from(e).unwrap_or(0).saturating_sub(1);
                    if self.entries.get(at).is_some_and(|(k, _)| k == key) {
                        return Ok(at);
                    }
                }
            }
            i = i.wrapping_add(1) & mask;
        }
    }

    /// Records `key` with `value` if it is new; otherwise answers the value
    /// recorded when it was first seen.
    pub(crate) fn first(&mut self, key: K, value: usize) -> Option<usize> {
        match self.find(&key) {
            Ok(at) => return self.entries.get(at).map(|(_, v)| *v),
            Err(slot) => {
                self.entries.push((key, value));
                let n = self.entries.len();
                if n > SMALL && n.saturating_mul(2) > self.table.len() {
                    self.rebuild();
                } else if let Some(s) = self.table.get_mut(slot) {
                    *s = u32::try_from(n).unwrap_or(u32::MAX);
                }
            }
        }
        None
    }

    /// Whether `key` was recorded.
    pub(crate) fn contains(&self, key: &K) -> bool {
        self.find(key).is_ok()
    }

    /// A table twice the needed size, every entry placed again.
    fn rebuild(&mut self) {
        let size = self
            .entries
            .len()
            .saturating_mul(4)
            .max(2 * SMALL)
            .next_power_of_two();
        self.table = vec![0; size];
        for at in 0..self.entries.len() {
            let Some((k, _)) = self.entries.get(at) else {
                continue;
            };
            if let Err(slot) = self.find(k)
                && let Some(t) = self.table.get_mut(slot)
            {
                *t = u32::try_from(at.saturating_add(1)).unwrap_or(u32::MAX);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_the_first_value_and_grows() {
        let mut seen = FirstSeen::with_capacity(2);
        assert!(!seen.contains(&"key-0"));
        let keys: Vec<String> = (0..1000).map(|i| format!("key-{}", i % 300)).collect();
        for (i, k) in keys.iter().enumerate() {
            let expected = (i >= 300).then_some(i % 300);
            assert_eq!(seen.first(k.as_str(), i), expected, "{k}");
        }
        assert!(seen.contains(&"key-299"));
        assert!(!seen.contains(&"key-300"));
        assert!(!seen.contains(&""));
    }
}

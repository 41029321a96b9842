//! First-seen checks in linear time: a duplicate achievement id in a request,
//! a duplicate one-time key among the lines, the subjects an application
//! leads. A list up to 16 keys, then an open-addressing table over a fixed
//! multiplicative hash (the rotate-xor-multiply step of rustc's FxHash,
//! eight bytes at a time).
//!
//! Membership only: nothing iterates the table, so no hash order can reach an
//! answer (why this crate does not use `HashMap`), and the hash is fixed, so
//! the same input takes the same steps on every executor.

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

fn mix(h: u64, word: u64) -> u64 {
    (h.rotate_left(5) ^ word).wrapping_mul(SEED)
}

/// The FxHash of a text, eight bytes at a time (the last word zero-padded,
/// then the length).
pub(crate) fn hash_str(s: &str) -> u64 {
    let bytes = s.as_bytes();
    let mut h = 0u64;
    let mut chunks = bytes.chunks_exact(8);
    for c in chunks.by_ref() {
        if let Ok(w) = <[u8; 8]>::try_from(c) {
            h = mix(h, u64::from_le_bytes(w));
        }
    }
    let mut last = 0u64;
    for (i, b) in chunks.remainder().iter().enumerate() {
        last |= u64::from(*b) << (i.saturating_mul(8) & 63);
    }
    mix(mix(h, last), u64::try_from(bytes.len()).unwrap_or(u64::MAX))
}

/// Up to this many keys, a list searched in order beats hashing.
const SMALL: usize = 16;

/// Keys with the value recorded when each was first seen. Equal keys must
/// have equal `hash`es (a hash of part of the key will do).
pub(crate) struct FirstSeen<K> {
    hash: fn(&K) -> u64,
    /// Every key with its value, in the order recorded.
    entries: Vec<(K, usize)>,
    /// Past [`SMALL`] keys: positions in `entries` plus one (0: empty),
    /// open addressing with linear probing; its length is a power of two.
    table: Vec<u32>,
}

impl<K: Eq> FirstSeen<K> {
    /// A set for about `n` keys (it grows past that), hashed by `hash`.
    pub(crate) fn with_capacity(n: usize, hash: fn(&K) -> u64) -> Self {
        FirstSeen {
            hash,
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
        let mut i = usize::try_from((self.hash)(key) >> 32).unwrap_or(0) & mask;
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
        let mut seen = FirstSeen::with_capacity(2, |k: &&str| hash_str(k));
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

//! A fast hash map for the caches a run keeps by keys it makes itself (paragraphs, option cells, question
//! markup): no caller chooses the keys, so a word-at-a-time hash serves where SipHash's rounds cost.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A hash map over a run's cache keys (bytes the run makes itself, so no caller can choose them to collide)
/// hashed by [`KeyHasher`].
pub type KeyMap<K, V> = HashMap<K, V, BuildHasherDefault<KeyHasher>>;

/// A multiply-and-rotate hash (FxHash's) taking eight bytes at a step, with a final mix so the low bits
/// the table indexes by depend on every byte. A paragraph's key is its whole text: hashing it a word at a
/// time instead of SipHash's byte rounds matters when every document asks for every paragraph.
#[derive(Default)]
pub struct KeyHasher(u64);

impl KeyHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            self.add(u64::from_le_bytes(word.try_into().expect("eight bytes")));
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut last = [0u8; 8];
            last[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(last));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        // Murmur3's finaliser: the multiply leaves the low bits depending on few input bits.
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^ (h >> 33)
    }
}

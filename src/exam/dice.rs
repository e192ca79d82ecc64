//! Seeded randomness with algorithms we own, so the same seed draws the same paper after any rand upgrade.
//!
//! `rand` documents that its shuffles and range sampling may change between versions; only the ChaCha8
//! stream itself is fixed. Everything the draw needs is built here on `next_u64` of that stream.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub struct Dice(ChaCha8Rng);

impl Dice {
    pub fn new(seed: u64) -> Dice {
        Dice(ChaCha8Rng::seed_from_u64(seed))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// A uniform integer in `0..n` (`n > 0`), by rejection so there is no modulo bias.
    pub fn below(&mut self, n: usize) -> usize {
        assert!(n > 0, "below(0)");
        let n = n as u64;
        let zone = u64::MAX - (u64::MAX % n);
        loop {
            let x = self.next_u64();
            if x < zone {
                return (x % n) as usize;
            }
        }
    }

    /// Fisher–Yates shuffle.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }

    /// An independent stream derived from this one, so that one stage's consumption does not shift another's.
    pub fn fork(&mut self) -> Dice {
        Dice::new(self.next_u64())
    }
}

/// A fresh seed from the operating system, for runs without `--seed`. Kept below 2^53 so that the seed in
/// manifest.json survives JSON readers that turn numbers into doubles (JavaScript, Excel).
pub fn random_seed() -> u64 {
    rand::random::<u64>() & ((1 << 53) - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_stream_and_shuffles_are_permutations() {
        // The exact values are pinned end to end by the golden draw test (tests/draw.rs).
        let mut d = Dice::new(42);
        let got: Vec<usize> = (0..8).map(|_| d.below(100)).collect();
        let mut again = Dice::new(42);
        let repeat: Vec<usize> = (0..8).map(|_| again.below(100)).collect();
        assert_eq!(got, repeat);
        let mut v: Vec<u32> = (0..10).collect();
        Dice::new(7).shuffle(&mut v);
        let mut sorted = v.clone();
        sorted.sort();
        assert_eq!(sorted, (0..10).collect::<Vec<_>>());
        assert_ne!(v, sorted);
    }
}

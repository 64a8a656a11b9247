//! Hierarchical occupancy bitset over the price grid of one side of the book.
//!
//! When the best level of a side empties, the book needs the next occupied
//! price without scanning tick by tick. Layer 0 has one bit per tick; each bit
//! of layer k+1 says "word j of layer k is non-zero". The top layer is a single
//! word, so a search climbs at most `layers` words and descends as many: three
//! of each for 65,536 ticks, six for the full `u32` range.

/// Enough layers for `u32::MAX` bits: 2^32 / 64^5 = 4 words, then one.
const MAX_LAYERS: usize = 6;

#[derive(Clone, Debug)]
pub(crate) struct LevelBits {
    /// All layers back to back, layer 0 first, so one allocation and one
    /// bounds-checked base serve every layer.
    words: Vec<u64>,
    /// Offset of each layer's first word in `words`.
    offs: [usize; MAX_LAYERS],
    /// Number of words in each layer (the last used layer has exactly one).
    lens: [usize; MAX_LAYERS],
    layers: usize,
    n_bits: u32,
}

impl LevelBits {
    pub(crate) fn new(n_bits: u32) -> LevelBits {
        let mut offs = [0; MAX_LAYERS];
        let mut lens = [0; MAX_LAYERS];
        let mut layers = 0;
        let mut total = 0;
        // Even for zero bits keep one word per layer so searches need no
        // special case.
        let mut bits = (n_bits as usize).max(1);
        loop {
            let len = bits.div_ceil(64);
            offs[layers] = total;
            lens[layers] = len;
            total += len;
            layers += 1;
            if len == 1 {
                break;
            }
            bits = len;
        }
        LevelBits { words: vec![0; total], offs, lens, layers, n_bits }
    }

    #[cfg(test)]
    pub(crate) fn contains(&self, i: u32) -> bool {
        let i = i as usize;
        self.words[i >> 6] & (1 << (i & 63)) != 0
    }

    /// Marks tick `i` occupied. Inline for the usual case, where the tick's
    /// word already had a bit set (layer 0 starts at word 0).
    #[inline(always)]
    pub(crate) fn set(&mut self, i: u32) {
        let w = &mut self.words[i as usize >> 6];
        let was_empty = *w == 0;
        *w |= 1 << (i & 63);
        // Upper layers already say this word is non-empty.
        if was_empty {
            self.set_upper(i as usize >> 6);
        }
    }

    /// Sets the bits of layers 1 and up for word `i` of layer 0, which has
    /// just become non-empty.
    #[inline(never)]
    fn set_upper(&mut self, mut i: usize) {
        for k in 1..self.layers {
            let w = &mut self.words[self.offs[k] + (i >> 6)];
            let was_empty = *w == 0;
            *w |= 1 << (i & 63);
            if !was_empty {
                return;
            }
            i >>= 6;
        }
    }

    /// Marks tick `i` empty. Inline for the usual case, where the tick's word
    /// keeps other bits.
    #[inline(always)]
    pub(crate) fn clear(&mut self, i: u32) {
        let w = &mut self.words[i as usize >> 6];
        *w &= !(1 << (i & 63));
        // The word still has other bits, so its parent bit stays.
        if *w == 0 {
            self.clear_upper(i as usize >> 6);
        }
    }

    /// Clears the bits of layers 1 and up for word `i` of layer 0, which has
    /// just become empty.
    #[inline(never)]
    fn clear_upper(&mut self, mut i: usize) {
        for k in 1..self.layers {
            let w = &mut self.words[self.offs[k] + (i >> 6)];
            *w &= !(1 << (i & 63));
            if *w != 0 {
                return;
            }
            i >>= 6;
        }
    }

    /// Resets every bit; costs the size of the grid, used only by `Book::clear`.
    pub(crate) fn clear_all(&mut self) {
        self.words.fill(0);
    }

    /// Follows the lowest set bits down from bit `b` of layer `k` to a tick.
    #[inline]
    fn descend_low(&self, mut k: usize, mut b: usize) -> u32 {
        while k > 0 {
            k -= 1;
            b = (b << 6) | self.words[self.offs[k] + b].trailing_zeros() as usize;
        }
        b as u32
    }

    /// Follows the highest set bits down from bit `b` of layer `k` to a tick.
    #[inline]
    fn descend_high(&self, mut k: usize, mut b: usize) -> u32 {
        while k > 0 {
            k -= 1;
            b = (b << 6) | (63 - self.words[self.offs[k] + b].leading_zeros() as usize);
        }
        b as u32
    }

    /// Lowest occupied tick `>= i`.
    #[inline]
    pub(crate) fn next_at_or_above(&self, i: u32) -> Option<u32> {
        if i >= self.n_bits {
            return None;
        }
        let mut j = i as usize;
        for k in 0..self.layers {
            let w = j >> 6;
            if w >= self.lens[k] {
                return None;
            }
            let m = self.words[self.offs[k] + w] & (!0u64 << (j & 63));
            if m != 0 {
                return Some(self.descend_low(k, (w << 6) | m.trailing_zeros() as usize));
            }
            // Nothing left in this word: look for the next non-empty word,
            // which is the next set bit one layer up.
            j = w + 1;
        }
        None
    }

    /// Highest occupied tick `<= i` (`i` may exceed the grid).
    #[inline]
    pub(crate) fn prev_at_or_below(&self, i: u32) -> Option<u32> {
        if self.n_bits == 0 {
            return None;
        }
        let mut j = i.min(self.n_bits - 1) as usize;
        for k in 0..self.layers {
            let w = j >> 6;
            let m = self.words[self.offs[k] + w] & (!0u64 >> (63 - (j & 63)));
            if m != 0 {
                let b = (w << 6) | (63 - m.leading_zeros() as usize);
                return Some(self.descend_high(k, b));
            }
            if w == 0 {
                return None;
            }
            j = w - 1;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::ChaCha8Rng;
    use rand::{RngExt, SeedableRng};

    fn naive_next(v: &[bool], i: u32) -> Option<u32> {
        (i as usize..v.len()).find(|&t| v[t]).map(|t| t as u32)
    }

    fn naive_prev(v: &[bool], i: u32) -> Option<u32> {
        let hi = (i as usize).min(v.len().wrapping_sub(1));
        if v.is_empty() {
            return None;
        }
        (0..=hi).rev().find(|&t| v[t]).map(|t| t as u32)
    }

    #[test]
    fn layer_shapes() {
        let b = LevelBits::new(65536);
        assert_eq!(b.layers, 3);
        assert_eq!(&b.lens[..3], &[1024, 16, 1]);
        assert_eq!(LevelBits::new(64).layers, 1);
        assert_eq!(LevelBits::new(65).layers, 2);
        assert_eq!(LevelBits::new(4097).layers, 3);
        assert_eq!(LevelBits::new(1).layers, 1);
    }

    #[test]
    fn word_boundaries() {
        for n in [64u32, 65, 128, 4096, 4097, 65536, 262_145] {
            let mut b = LevelBits::new(n);
            assert_eq!(b.next_at_or_above(0), None);
            assert_eq!(b.prev_at_or_below(n - 1), None);
            for &t in &[0u32, 63, 64, 127, 4095, 4096, 65535, 65536, 262_143, 262_144] {
                if t >= n {
                    continue;
                }
                b.set(t);
                assert_eq!(b.next_at_or_above(0), Some(t), "n={n} t={t}");
                assert_eq!(b.prev_at_or_below(n - 1), Some(t), "n={n} t={t}");
                assert_eq!(b.prev_at_or_below(u32::MAX), Some(t));
                assert_eq!(b.next_at_or_above(t), Some(t));
                assert_eq!(b.prev_at_or_below(t), Some(t));
                assert_eq!(b.next_at_or_above(t + 1), None);
                if t > 0 {
                    assert_eq!(b.prev_at_or_below(t - 1), None);
                }
                b.clear(t);
                assert_eq!(b.next_at_or_above(0), None);
                assert_eq!(b.prev_at_or_below(n - 1), None);
            }
            // Neighbours straddling a word and a layer-1 boundary.
            if n >= 4097 {
                b.set(63);
                b.set(4096);
                assert_eq!(b.next_at_or_above(64), Some(4096));
                assert_eq!(b.prev_at_or_below(4095), Some(63));
                b.clear(63);
                assert_eq!(b.prev_at_or_below(4095), None);
                assert_eq!(b.prev_at_or_below(4096), Some(4096));
                b.clear(4096);
            }
        }
    }

    #[test]
    fn random_against_naive() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for n in [1u32, 5, 64, 100, 4096, 5000, 70_000] {
            let mut b = LevelBits::new(n);
            let mut v = vec![false; n as usize];
            for _ in 0..20_000 {
                // Cluster the bits so that searches cross many empty words.
                let t = if rng.random_bool(0.5) { rng.random_range(0..n) } else { rng.random_range(0..n.min(200)) };
                if rng.random_bool(0.5) {
                    b.set(t);
                    v[t as usize] = true;
                } else {
                    b.clear(t);
                    v[t as usize] = false;
                }
                let q = rng.random_range(0..n + 2);
                assert_eq!(b.next_at_or_above(q), naive_next(&v, q), "n={n} q={q}");
                assert_eq!(b.prev_at_or_below(q), naive_prev(&v, q), "n={n} q={q}");
                assert_eq!(b.contains(t), v[t as usize]);
            }
            b.clear_all();
            assert_eq!(b.next_at_or_above(0), None);
        }
    }
}

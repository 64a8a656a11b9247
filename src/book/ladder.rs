//! The price ladder of one side: a level per tick, the bitset of occupied
//! ticks, and the best price.

use super::Side;
use super::bitset::LevelBits;
use super::orderbook::PT;
use super::pool::NIL;

/// Sentinel for "no best price". As an ask it compares above every limit,
/// which lets a buy's crossing test skip the emptiness check.
pub(super) const NONE: u32 = u32::MAX;

/// One price level of one side.
#[derive(Clone, Copy, Debug)]
pub(super) struct Level {
    /// The first and last order of the level's linked queue (price–time),
    /// or of its arrival queue (price–size–time); `NIL` under pro-rata.
    pub(super) head: u32,
    pub(super) tail: u32,
    /// AON orders in the level; zero lets a dry run take `total` at once.
    pub(super) aon: u32,
    /// Price–size–time and pro-rata: the level's index in the rule's
    /// storage (`sizes`' tables, `prorata`'s arrays), `NIL` until first used;
    /// it outlives the level's orders. (Price–time: padding.)
    pub(super) table: u32,
    /// `u64`: many `u32` orders may share a price.
    pub(super) total: u64,
}

impl Level {
    pub(super) const EMPTY: Level = Level { head: NIL, tail: NIL, aon: 0, table: NIL, total: 0 };

    /// A dry run's step over a level without AON orders, which hands out
    /// all it is asked for up to its total: true if it fills `need`, else
    /// false with its total taken from `need`.
    #[inline(always)]
    pub(super) fn covers(&self, need: &mut u32) -> bool {
        if self.total >= u64::from(*need) {
            return true;
        }
        *need -= self.total as u32;
        false
    }

    /// Whether no order rests here under rule `R`. Only price–time's queue
    /// holds every order of the level; every resting order has a lot left,
    /// so under the other rules the empty levels are those with nothing left.
    #[inline(always)]
    pub(super) fn is_empty<const R: u8>(&self) -> bool {
        if R == PT { self.head == NIL } else { self.total == 0 }
    }
}

/// Price ladder of one side.
#[derive(Clone, Debug)]
pub(super) struct Ladder {
    pub(super) levels: Vec<Level>,
    pub(super) bits: LevelBits,
    /// Best occupied price or `NONE`.
    pub(super) best: u32,
}

impl Ladder {
    pub(super) fn new(n_ticks: u32) -> Ladder {
        Ladder { levels: vec![Level::EMPTY; n_ticks as usize], bits: LevelBits::new(n_ticks), best: NONE }
    }

    /// Marks the empty level at `price` occupied, and the best if it is
    /// better than the best (a bid ladder's if `bid`).
    #[inline(always)]
    pub(super) fn occupy(&mut self, price: u32, bid: bool) {
        self.bits.set(price);
        let better = if bid { self.best == NONE || price > self.best } else { price < self.best };
        if better {
            self.best = price;
        }
    }

    /// Marks the level at `price`, just emptied, unoccupied, and finds the
    /// next best if it was the best (a bid ladder's if `bid`).
    #[inline(always)]
    pub(super) fn vacate(&mut self, price: u32, bid: bool) {
        self.bits.clear(price);
        if self.best == price {
            self.best = if bid { self.next_worse::<true>(price) } else { self.next_worse::<false>(price) };
        }
    }

    /// Next occupied price strictly worse than `p` on a bid (`BID`) or ask
    /// ladder, or `NONE`.
    #[inline]
    pub(super) fn next_worse<const BID: bool>(&self, p: u32) -> u32 {
        let r = if BID {
            match p.checked_sub(1) {
                Some(q) => self.bits.prev_at_or_below(q),
                None => None,
            }
        } else {
            self.bits.next_at_or_above(p.wrapping_add(1))
        };
        r.unwrap_or(NONE)
    }
}

/// Whether an aggressor (buy if `BUY`) with `limit` trades against opposite
/// best `p` (`NONE` never trades).
#[inline(always)]
pub(super) fn crosses<const BUY: bool>(p: u32, limit: u32) -> bool {
    if BUY {
        // NONE = u32::MAX exceeds every valid limit.
        p <= limit
    } else {
        p != NONE && p >= limit
    }
}

pub(super) const BIDS: usize = Side::Buy as usize;
pub(super) const ASKS: usize = Side::Sell as usize;

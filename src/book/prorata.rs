//! Pro-rata: how one price level shares an incoming order's quantity among
//! its resting orders (the rule is stated in the module docs of
//! [`crate::book`], steps 1–5; the code follows it step by step).
//!
//! The same function serves the real matching and the dry run of an
//! incoming all-or-none order, so the two cannot disagree.

use super::pool::{NIL, Slot};
use super::{Level, Qty};

/// One resting order's part in a level's allocation.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Share {
    /// Its pool slot.
    pub(crate) slot: u32,
    /// Its remaining quantity.
    pub(crate) remaining: Qty,
    /// Lots allotted to it.
    pub(crate) share: Qty,
    pub(crate) aon: bool,
    /// Still in the pool `P` of the rule (AON orders leave it in step 3).
    pooled: bool,
}

/// Shares `qty` incoming lots among the orders of `lvl`: fills `out` with one
/// entry per order of the level, in time priority (queue order), and returns
/// the lots left unallotted. Changes nothing in the book.
pub(crate) fn allocate(lvl: &Level, slots: &[Slot], qty: Qty, out: &mut Vec<Share>) -> Qty {
    out.clear();
    // Steps 1 and 2 with R >= T: everyone in full.
    let full = u64::from(qty) >= lvl.total;
    let mut cur = lvl.head;
    while cur != NIL {
        let s = &slots[cur as usize];
        let share = if full { s.remaining } else { 0 };
        out.push(Share { slot: cur, remaining: s.remaining, share, aon: s.aon, pooled: true });
        cur = s.next;
    }
    if full {
        return qty - lvl.total as u32;
    }
    let mut total = lvl.total;
    let mut left = 0;
    loop {
        if u64::from(qty) >= total {
            // Only after AON orders left P: everyone left in P in full.
            let mut rest = qty;
            for e in out.iter_mut().filter(|e| e.pooled) {
                e.share = e.remaining;
                rest -= e.remaining;
            }
            left = rest;
            break;
        }
        prorate(out, qty, total);
        // Step 3: AON orders allotted less than their all leave P.
        let mut gone = 0;
        for e in out.iter_mut().filter(|e| e.pooled && e.aon && e.share < e.remaining) {
            e.pooled = false;
            e.share = 0;
            gone += u64::from(e.remaining);
        }
        if gone == 0 {
            break;
        }
        total -= gone;
    }
    // Step 4: what is left goes to the AON orders that left P, whole or not
    // at all, in time priority.
    if left != 0 {
        for e in out.iter_mut().filter(|e| !e.pooled) {
            if e.remaining <= left {
                e.share = e.remaining;
                left -= e.remaining;
            }
        }
    }
    left
}

/// Step 2 with `qty < total` (the sum of the pooled orders' remaining
/// quantities): the floor of each pooled order's proportional share, then
/// the odd lots one each to the first pooled orders.
fn prorate(out: &mut [Share], qty: Qty, total: u64) {
    debug_assert!(u64::from(qty) < total);
    let mut given = 0;
    for e in out.iter_mut().filter(|e| e.pooled) {
        // `remaining * qty` fits in u64; the floor is below `remaining`.
        e.share = (u64::from(e.remaining) * u64::from(qty) / total) as Qty;
        given += e.share;
    }
    let mut odd = qty - given;
    for e in out.iter_mut().filter(|e| e.pooled) {
        if odd == 0 {
            break;
        }
        e.share += 1;
        odd -= 1;
    }
}

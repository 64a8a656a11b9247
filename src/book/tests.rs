//! Unit tests of the matching rules, one small scenario per rule.

use super::*;

fn lim(side: Side, price: Tick, qty: Qty, tag: u64) -> NewOrder {
    NewOrder { side, kind: OrderKind::Limit, price, qty, all_or_none: false, owner: tag as u32 * 10, tag }
}

fn aon(mut o: NewOrder) -> NewOrder {
    o.all_or_none = true;
    o
}

fn kind(mut o: NewOrder, k: OrderKind) -> NewOrder {
    o.kind = k;
    o
}

/// Submits and returns the id plus the events it caused.
fn sub(b: &mut Book, o: NewOrder) -> (Option<OrderId>, Vec<BookEvent>) {
    let mut ev = Vec::new();
    let r = b.submit(&o, &mut ev).expect("accepted");
    (r, ev)
}

/// (resting_tag, qty, price) of each trade.
fn trades(ev: &[BookEvent]) -> Vec<(u64, Qty, Tick)> {
    ev.iter()
        .filter_map(|e| match *e {
            BookEvent::Trade(Execution { resting_tag, qty, price, .. }) => Some((resting_tag, qty, price)),
            _ => None,
        })
        .collect()
}

fn done_of(ev: &[BookEvent], tag: u64) -> Option<(Qty, DoneReason)> {
    ev.iter().find_map(|e| match *e {
        BookEvent::Done { tag: t, filled, reason, .. } if t == tag => Some((filled, reason)),
        _ => None,
    })
}

fn tags(b: &Book, side: Side) -> Vec<(u64, Qty)> {
    b.orders(side).iter().map(|(_, o)| (o.tag, o.remaining)).collect()
}

#[test]
fn price_then_time_priority() {
    let mut b = Book::new(100, 16);
    sub(&mut b, lim(Side::Sell, 12, 5, 1));
    sub(&mut b, lim(Side::Sell, 10, 5, 2));
    sub(&mut b, lim(Side::Sell, 10, 5, 3));
    sub(&mut b, lim(Side::Sell, 11, 5, 4));
    assert_eq!(b.best_ask(), Some(10));
    let (id, ev) = sub(&mut b, lim(Side::Buy, 11, 17, 9));
    assert_eq!(trades(&ev), vec![(2, 5, 10), (3, 5, 10), (4, 5, 11)]);
    // Remainder rests at its limit; the book is not crossed.
    assert!(id.is_some());
    assert_eq!(b.best_bid(), Some(11));
    assert_eq!(b.best_ask(), Some(12));
    assert_eq!(tags(&b, Side::Buy), vec![(9, 2)]);
}

#[test]
fn fills_at_resting_price_and_event_order() {
    let mut b = Book::new(100, 16);
    let (rid, _) = sub(&mut b, lim(Side::Buy, 50, 3, 1));
    sub(&mut b, lim(Side::Buy, 49, 3, 2));
    let (id, ev) = sub(&mut b, lim(Side::Sell, 40, 4, 3));
    assert_eq!(id, None);
    assert_eq!(
        ev[0],
        BookEvent::Trade(Execution {
            price: 50,
            qty: 3,
            aggressor_side: Side::Sell,
            aggressor_owner: 30,
            aggressor_tag: 3,
            resting_owner: 10,
            resting_tag: 1,
            resting_id: rid.unwrap(),
        })
    );
    assert!(matches!(ev[1], BookEvent::Done { tag: 1, reason: DoneReason::Filled, filled: 3, .. }));
    assert!(matches!(ev[2], BookEvent::Trade(Execution { price: 49, qty: 1, resting_tag: 2, .. })));
    assert!(matches!(ev[3], BookEvent::Done { tag: 3, price: 40, qty: 4, filled: 4, reason: DoneReason::Filled, .. }));
    assert_eq!(ev.len(), 4);
    assert_eq!(tags(&b, Side::Buy), vec![(2, 2)]);
    assert_eq!(b.get(rid.unwrap()), None);
}

#[test]
fn partial_fill_keeps_queue_position() {
    let mut b = Book::new(100, 16);
    let (a, _) = sub(&mut b, lim(Side::Sell, 10, 10, 1));
    sub(&mut b, lim(Side::Sell, 10, 10, 2));
    let (_, ev) = sub(&mut b, kind(lim(Side::Buy, 10, 4, 3), OrderKind::Ioc));
    assert_eq!(trades(&ev), vec![(1, 4, 10)]);
    assert_eq!(tags(&b, Side::Sell), vec![(1, 6), (2, 10)]);
    let r = b.get(a.unwrap()).unwrap();
    assert_eq!((r.remaining, r.qty), (6, 10));
    assert_eq!(b.qty_at(Side::Sell, 10), 16);
}

#[test]
fn incoming_limit_remainder_rests() {
    let mut b = Book::new(100, 16);
    sub(&mut b, lim(Side::Sell, 10, 3, 1));
    let (id, ev) = sub(&mut b, lim(Side::Buy, 10, 5, 2));
    assert!(matches!(ev.last(), Some(BookEvent::Rested { remaining: 2, price: 10, .. })));
    let r = b.get(id.unwrap()).unwrap();
    assert_eq!((r.remaining, r.qty, r.side), (2, 5, Side::Buy));
}

#[test]
fn ioc_and_market_remainders_are_killed() {
    let mut b = Book::new(100, 16);
    sub(&mut b, lim(Side::Sell, 10, 3, 1));
    sub(&mut b, lim(Side::Sell, 90, 3, 2));
    let (id, ev) = sub(&mut b, kind(lim(Side::Buy, 50, 5, 3), OrderKind::Ioc));
    assert_eq!(id, None);
    assert_eq!(done_of(&ev, 3), Some((3, DoneReason::Unfilled)));
    // Market ignores its price and sweeps everything.
    let (id, ev) = sub(&mut b, kind(lim(Side::Buy, 7, 5, 4), OrderKind::Market));
    assert_eq!(id, None);
    assert_eq!(trades(&ev), vec![(2, 3, 90)]);
    assert_eq!(done_of(&ev, 4), Some((3, DoneReason::Unfilled)));
    assert!(matches!(ev.last(), Some(BookEvent::Done { price: 99, .. })));
    // Market on an empty side.
    let (_, ev) = sub(&mut b, kind(lim(Side::Sell, 7, 5, 5), OrderKind::Market));
    assert_eq!(ev.len(), 1);
    assert_eq!(done_of(&ev, 5), Some((0, DoneReason::Unfilled)));
    assert!(matches!(ev[0], BookEvent::Done { price: 0, .. }));
    assert_eq!(b.resting_orders(), 0);
}

#[test]
fn rejects_without_events() {
    let mut b = Book::new(100, 16);
    let mut ev = Vec::new();
    assert_eq!(b.submit(&lim(Side::Buy, 10, 0, 1), &mut ev), Err(RejectReason::ZeroQuantity));
    assert_eq!(b.submit(&lim(Side::Buy, 100, 1, 1), &mut ev), Err(RejectReason::PriceOutOfRange));
    assert_eq!(b.submit(&kind(lim(Side::Buy, 100, 1, 1), OrderKind::Ioc), &mut ev), Err(RejectReason::PriceOutOfRange));
    // Zero quantity wins over a bad price.
    assert_eq!(b.submit(&lim(Side::Buy, 500, 0, 1), &mut ev), Err(RejectReason::ZeroQuantity));
    // Market ignores the price entirely.
    assert_eq!(b.submit(&kind(lim(Side::Buy, 500, 1, 1), OrderKind::Market), &mut ev), Ok(None));
    assert_eq!(ev.len(), 1);
}

#[test]
fn incoming_aon_rests_whole_or_is_killed() {
    let mut b = Book::new(100, 16);
    sub(&mut b, lim(Side::Sell, 10, 3, 1));
    sub(&mut b, lim(Side::Sell, 11, 3, 2));
    // 6 available up to 11, AON wants 7: no trade at all.
    let (id, ev) = sub(&mut b, aon(lim(Side::Buy, 11, 7, 3)));
    assert!(trades(&ev).is_empty());
    let r = b.get(id.unwrap()).unwrap();
    assert_eq!((r.remaining, r.all_or_none), (7, true));
    // Crossed through an AON bid larger than every ask it crosses.
    assert_eq!((b.best_bid(), b.best_ask()), (Some(11), Some(10)));
    let (id, ev) = sub(&mut b, kind(aon(lim(Side::Buy, 11, 7, 4)), OrderKind::Ioc));
    assert_eq!(id, None);
    assert_eq!(ev.len(), 1);
    assert_eq!(done_of(&ev, 4), Some((0, DoneReason::Unfilled)));
    let (_, ev) = sub(&mut b, kind(aon(lim(Side::Buy, 0, 7, 5)), OrderKind::Market));
    assert_eq!(done_of(&ev, 5), Some((0, DoneReason::Unfilled)));
    // Exactly enough across two levels: fills.
    let (id, ev) = sub(&mut b, aon(lim(Side::Buy, 11, 6, 6)));
    assert_eq!(id, None);
    assert_eq!(trades(&ev), vec![(1, 3, 10), (2, 3, 11)]);
    assert_eq!(done_of(&ev, 6), Some((6, DoneReason::Filled)));
}

#[test]
fn incoming_aon_may_partially_fill_resting_orders() {
    let mut b = Book::new(100, 16);
    sub(&mut b, lim(Side::Sell, 10, 10, 1));
    let (_, ev) = sub(&mut b, aon(lim(Side::Buy, 10, 4, 2)));
    assert_eq!(trades(&ev), vec![(1, 4, 10)]);
    assert_eq!(tags(&b, Side::Sell), vec![(1, 6)]);
}

#[test]
fn resting_aon_is_skipped_not_blocking() {
    let mut b = Book::new(100, 16);
    sub(&mut b, aon(lim(Side::Sell, 10, 10, 1)));
    sub(&mut b, lim(Side::Sell, 10, 3, 2));
    sub(&mut b, aon(lim(Side::Sell, 10, 2, 3)));
    sub(&mut b, lim(Side::Sell, 11, 5, 4));
    let (id, ev) = sub(&mut b, lim(Side::Buy, 11, 6, 5));
    // Skips the AON 10, takes 3, takes the AON 2 whole, then 1 at 11.
    assert_eq!(trades(&ev), vec![(2, 3, 10), (3, 2, 10), (4, 1, 11)]);
    assert_eq!(id, None);
    // The AON keeps its place at the head of its level.
    assert_eq!(tags(&b, Side::Sell), vec![(1, 10), (4, 4)]);
    assert_eq!(b.best_ask(), Some(10));
    // A small limit buy at 10 rests crossed with the big AON.
    let (id, ev) = sub(&mut b, lim(Side::Buy, 10, 9, 6));
    assert!(trades(&ev).is_empty());
    assert!(id.is_some());
    assert_eq!((b.best_bid(), b.best_ask()), (Some(10), Some(10)));
    // Only an order big enough takes the AON, and takes it whole.
    let (_, ev) = sub(&mut b, kind(lim(Side::Buy, 10, 12, 7), OrderKind::Ioc));
    assert_eq!(trades(&ev), vec![(1, 10, 10)]);
    assert_eq!(done_of(&ev, 1), Some((10, DoneReason::Filled)));
    assert_eq!(done_of(&ev, 7), Some((10, DoneReason::Unfilled)));
    assert_eq!(b.best_ask(), Some(11));
}

#[test]
fn aon_skip_when_aggressor_shrinks() {
    let mut b = Book::new(100, 16);
    sub(&mut b, lim(Side::Buy, 20, 4, 1));
    sub(&mut b, aon(lim(Side::Buy, 20, 5, 2)));
    sub(&mut b, lim(Side::Buy, 20, 4, 3));
    // 8 arrives: takes 4, then 4 left < AON 5, skip, take 4.
    let (_, ev) = sub(&mut b, lim(Side::Sell, 20, 8, 4));
    assert_eq!(trades(&ev), vec![(1, 4, 20), (3, 4, 20)]);
    assert_eq!(tags(&b, Side::Buy), vec![(2, 5)]);
}

#[test]
fn incoming_aon_dry_run_respects_resting_aon() {
    let mut b = Book::new(100, 16);
    sub(&mut b, aon(lim(Side::Sell, 10, 8, 1)));
    sub(&mut b, lim(Side::Sell, 10, 2, 2));
    // 5 AON: can't take the 8, only 2 otherwise: rests untouched.
    let (id, ev) = sub(&mut b, aon(lim(Side::Buy, 10, 5, 3)));
    assert!(trades(&ev).is_empty() && id.is_some());
    // 8 AON: takes the resting AON 8 whole.
    let (_, ev) = sub(&mut b, aon(lim(Side::Buy, 10, 8, 4)));
    assert_eq!(trades(&ev), vec![(1, 8, 10)]);
}

#[test]
fn aon_equal_sizes_can_cross() {
    // The documented exception: greedy takes the 2 first, then the AON 5 is
    // too big for the 3 left, so the AON 5 bid rests crossed with the AON 5
    // ask although they could have matched each other.
    let mut b = Book::new(100, 16);
    sub(&mut b, lim(Side::Sell, 10, 2, 1));
    sub(&mut b, aon(lim(Side::Sell, 10, 5, 2)));
    let (id, ev) = sub(&mut b, aon(lim(Side::Buy, 10, 5, 3)));
    assert!(trades(&ev).is_empty());
    assert!(id.is_some());
    assert_eq!((b.best_bid(), b.best_ask()), (Some(10), Some(10)));
}

#[test]
fn cancel_and_stale_ids() {
    let mut b = Book::new(100, 2);
    let (a, _) = sub(&mut b, lim(Side::Buy, 10, 5, 1));
    let (c, _) = sub(&mut b, lim(Side::Buy, 12, 5, 2));
    let a = a.unwrap();
    let c = c.unwrap();
    sub(&mut b, lim(Side::Sell, 12, 2, 3));
    let mut ev = Vec::new();
    assert!(b.cancel(c, DoneReason::Expired, &mut ev));
    assert_eq!(
        ev,
        vec![BookEvent::Done {
            side: Side::Buy,
            price: 12,
            owner: 20,
            tag: 2,
            qty: 5,
            filled: 2,
            reason: DoneReason::Expired,
            resting: Some(c),
        }]
    );
    assert_eq!(b.best_bid(), Some(10));
    ev.clear();
    assert!(!b.cancel(c, DoneReason::Cancelled, &mut ev));
    // Forged handles: free slot's generation, flipped parity, slot off the end.
    assert!(!b.cancel(OrderId(c.0 + (1 << 32)), DoneReason::Cancelled, &mut ev));
    assert!(!b.cancel(OrderId(a.0 ^ (1 << 32)), DoneReason::Cancelled, &mut ev));
    assert!(!b.cancel(OrderId(a.0 + 1000), DoneReason::Cancelled, &mut ev));
    assert!(!b.cancel(OrderId(0), DoneReason::Cancelled, &mut ev));
    assert!(ev.is_empty());
    // The slot is reused by the next order; the old handle stays dead.
    let (d, _) = sub(&mut b, lim(Side::Sell, 50, 1, 4));
    let d = d.unwrap();
    assert_eq!(d.slot(), c.slot());
    assert_ne!(d, c);
    assert_eq!(b.get(c), None);
    assert!(!b.cancel(c, DoneReason::Cancelled, &mut ev));
    assert_eq!(b.get(d).unwrap().tag, 4);
    assert!(b.cancel(a, DoneReason::Cancelled, &mut ev));
    assert_eq!(b.best_bid(), None);
    assert_eq!(b.resting_orders(), 1);
}

#[test]
fn cancel_middle_of_queue() {
    let mut b = Book::new(100, 8);
    let ids: Vec<OrderId> = (0..4).map(|t| sub(&mut b, lim(Side::Sell, 30, 1, t)).0.unwrap()).collect();
    b.cancel(ids[1], DoneReason::Cancelled, &mut ());
    b.cancel(ids[3], DoneReason::Cancelled, &mut ());
    assert_eq!(tags(&b, Side::Sell), vec![(0, 1), (2, 1)]);
    sub(&mut b, lim(Side::Sell, 30, 1, 9));
    assert_eq!(tags(&b, Side::Sell), vec![(0, 1), (2, 1), (9, 1)]);
    b.cancel(ids[0], DoneReason::Cancelled, &mut ());
    assert_eq!(tags(&b, Side::Sell), vec![(2, 1), (9, 1)]);
    assert_eq!(b.qty_at(Side::Sell, 30), 2);
}

#[test]
fn clear_cancels_everything() {
    let mut b = Book::new(100, 8);
    let (x, _) = sub(&mut b, lim(Side::Buy, 10, 5, 1));
    sub(&mut b, lim(Side::Buy, 11, 5, 2));
    sub(&mut b, lim(Side::Sell, 20, 5, 3));
    sub(&mut b, aon(lim(Side::Sell, 21, 5, 4)));
    sub(&mut b, lim(Side::Sell, 11, 2, 5));
    let mut ev = Vec::new();
    b.clear(DoneReason::Expired, &mut ev);
    let order: Vec<(u64, Qty)> = ev
        .iter()
        .map(|e| match *e {
            BookEvent::Done { tag, filled, reason: DoneReason::Expired, .. } => (tag, filled),
            _ => panic!("unexpected {e:?}"),
        })
        .collect();
    assert_eq!(order, vec![(2, 2), (1, 0), (3, 0), (4, 0)]);
    assert_eq!(b.resting_orders(), 0);
    assert_eq!((b.best_bid(), b.best_ask()), (None, None));
    assert_eq!(b.get(x.unwrap()), None);
    assert_eq!(b.depth(Side::Buy, &mut [(0, 0); 4]), 0);
    // Usable afterwards.
    sub(&mut b, lim(Side::Buy, 10, 5, 6));
    let (_, ev) = sub(&mut b, lim(Side::Sell, 10, 5, 7));
    assert_eq!(trades(&ev), vec![(6, 5, 10)]);
}

#[test]
fn depth_best_first() {
    let mut b = Book::new(100, 8);
    sub(&mut b, lim(Side::Buy, 10, 5, 1));
    sub(&mut b, lim(Side::Buy, 12, 5, 2));
    sub(&mut b, lim(Side::Buy, 12, 7, 3));
    sub(&mut b, lim(Side::Buy, 3, 1, 4));
    sub(&mut b, lim(Side::Sell, 40, 2, 5));
    let mut out = [(0, 0); 2];
    assert_eq!(b.depth(Side::Buy, &mut out), 2);
    assert_eq!(out, [(12, 12), (10, 5)]);
    let mut out = [(0, 0); 8];
    assert_eq!(b.depth(Side::Buy, &mut out), 3);
    assert_eq!(out[2], (3, 1));
    assert_eq!(b.depth(Side::Sell, &mut out), 1);
    assert_eq!(out[0], (40, 2));
    assert_eq!(b.depth(Side::Sell, &mut []), 0);
}

#[test]
fn next_best_across_word_boundaries() {
    // Level bits of 65,536 ticks: words of 64, layer-1 words of 4096.
    let mut b = Book::new(65536, 16);
    let asks = [63u32, 64, 4095, 4096, 65535];
    let mut ids = Vec::new();
    for (i, &p) in asks.iter().enumerate() {
        ids.push(sub(&mut b, lim(Side::Sell, p, 1, i as u64)).0.unwrap());
    }
    for (i, &p) in asks.iter().enumerate() {
        assert_eq!(b.best_ask(), Some(p));
        b.cancel(ids[i], DoneReason::Cancelled, &mut ());
    }
    assert_eq!(b.best_ask(), None);
    let bids = [65535u32, 4096, 4095, 64, 63, 0];
    for (i, &p) in bids.iter().enumerate() {
        sub(&mut b, lim(Side::Buy, p, 1, i as u64));
    }
    // A market sell sweeping the bids one at a time moves the best down.
    for &p in &bids {
        assert_eq!(b.best_bid(), Some(p));
        sub(&mut b, kind(lim(Side::Sell, 0, 1, 99), OrderKind::Market));
    }
    assert_eq!(b.best_bid(), None);
}

#[test]
fn sweep_across_many_levels_updates_best() {
    let mut b = Book::new(1000, 4);
    for p in 100..200 {
        sub(&mut b, lim(Side::Sell, p, 1, p as u64));
    }
    let (_, ev) = sub(&mut b, lim(Side::Buy, 149, 1000, 1));
    assert_eq!(trades(&ev).len(), 50);
    assert_eq!(b.best_ask(), Some(150));
    assert_eq!(b.best_bid(), Some(149));
    assert_eq!(b.resting_orders(), 51);
}

#[test]
fn pool_grows_past_capacity() {
    let mut b = Book::new(10, 1);
    let ids: Vec<OrderId> = (0..100).map(|t| sub(&mut b, lim(Side::Buy, (t % 10) as u32, 1, t)).0.unwrap()).collect();
    assert_eq!(b.resting_orders(), 100);
    for id in ids {
        assert!(b.get(id).is_some());
    }
}

// ---------------------------------------------------------------------------
// Price–size–time
// ---------------------------------------------------------------------------

fn pst() -> Book {
    Book::with_rule(100, 16, MatchingRule::PriceSizeTime)
}

fn pro_rata() -> Book {
    Book::with_rule(100, 16, MatchingRule::ProRata)
}

#[test]
fn new_is_price_time() {
    assert_eq!(Book::new(10, 1).rule(), MatchingRule::PriceTime);
    for rule in MatchingRule::ALL {
        assert_eq!(Book::with_rule(10, 1, rule).rule(), rule);
    }
}

#[test]
fn size_then_time_priority() {
    let mut b = pst();
    sub(&mut b, lim(Side::Sell, 10, 5, 1));
    sub(&mut b, lim(Side::Sell, 10, 8, 2));
    sub(&mut b, lim(Side::Sell, 10, 5, 3));
    sub(&mut b, lim(Side::Sell, 10, 8, 4));
    sub(&mut b, lim(Side::Sell, 11, 20, 5));
    sub(&mut b, lim(Side::Sell, 10, 6, 6));
    assert_eq!(tags(&b, Side::Sell), vec![(2, 8), (4, 8), (6, 6), (1, 5), (3, 5), (5, 20)]);
    // Takes the 8 first, then 2 of the next 8, which drops to 6: behind the
    // other 8, ahead of the later 6.
    let (_, ev) = sub(&mut b, lim(Side::Buy, 11, 10, 9));
    assert_eq!(trades(&ev), vec![(2, 8, 10), (4, 2, 10)]);
    assert_eq!(tags(&b, Side::Sell), vec![(4, 6), (6, 6), (1, 5), (3, 5), (5, 20)]);
    // Price still comes first: the 20 at 11 waits for the level at 10.
    let (_, ev) = sub(&mut b, kind(lim(Side::Buy, 11, 23, 10), OrderKind::Ioc));
    assert_eq!(trades(&ev), vec![(4, 6, 10), (6, 6, 10), (1, 5, 10), (3, 5, 10), (5, 1, 11)]);
    assert_eq!(tags(&b, Side::Sell), vec![(5, 19)]);
}

#[test]
fn partially_filled_order_keeps_its_time_among_its_new_size() {
    let mut b = pst();
    sub(&mut b, lim(Side::Buy, 10, 9, 1));
    sub(&mut b, lim(Side::Buy, 10, 4, 2));
    sub(&mut b, lim(Side::Buy, 10, 4, 3));
    sub(&mut b, lim(Side::Buy, 10, 2, 4));
    // The 9 is filled down to 4: it arrived before the other 4s.
    let (_, ev) = sub(&mut b, kind(lim(Side::Sell, 10, 5, 9), OrderKind::Ioc));
    assert_eq!(trades(&ev), vec![(1, 5, 10)]);
    assert_eq!(tags(&b, Side::Buy), vec![(1, 4), (2, 4), (3, 4), (4, 2)]);
    // Down to 3: behind every 4, ahead of the 2.
    let (_, ev) = sub(&mut b, kind(lim(Side::Sell, 10, 1, 10), OrderKind::Ioc));
    assert_eq!(trades(&ev), vec![(1, 1, 10)]);
    assert_eq!(tags(&b, Side::Buy), vec![(2, 4), (3, 4), (1, 3), (4, 2)]);
    // Down to 2: ahead of the later 2.
    let (_, ev) = sub(&mut b, kind(lim(Side::Sell, 10, 9, 11), OrderKind::Ioc));
    assert_eq!(trades(&ev), vec![(2, 4, 10), (3, 4, 10), (1, 1, 10)]);
    assert_eq!(tags(&b, Side::Buy), vec![(1, 2), (4, 2)]);
    assert_eq!(b.qty_at(Side::Buy, 10), 4);
}

#[test]
fn arrivals_not_yet_sorted_in_keep_size_then_time_priority() {
    let mut b = pst();
    sub(&mut b, lim(Side::Buy, 10, 9, 1));
    sub(&mut b, lim(Side::Buy, 10, 4, 2));
    // A walk sorts these two in; the 9 drops to 4, ahead of the other 4.
    let (_, ev) = sub(&mut b, kind(lim(Side::Sell, 10, 5, 9), OrderKind::Ioc));
    assert_eq!(trades(&ev), vec![(1, 5, 10)]);
    // Arrivals since the walk, of sizes above, equal to and below the sorted
    // ones, and one cancelled before any walk: the view and the next walk
    // both put them by size, behind the sorted orders of their size.
    sub(&mut b, lim(Side::Buy, 10, 4, 3));
    sub(&mut b, lim(Side::Buy, 10, 6, 4));
    let (gone, _) = sub(&mut b, lim(Side::Buy, 10, 7, 5));
    sub(&mut b, lim(Side::Buy, 10, 2, 6));
    sub(&mut b, lim(Side::Buy, 10, 6, 7));
    assert!(b.cancel(gone.unwrap(), DoneReason::Cancelled, &mut ()));
    let view = vec![(4, 6), (7, 6), (1, 4), (2, 4), (3, 4), (6, 2)];
    assert_eq!(tags(&b, Side::Buy), view);
    // A reduction of an arrival keeps its time: 6 down to 4 goes behind the
    // older 4s once sorted in.
    let id = b.orders(Side::Buy)[1].0;
    assert_eq!(b.replace(id, 10, 4, &mut ()), Ok(Some(id)));
    assert_eq!(tags(&b, Side::Buy), vec![(4, 6), (1, 4), (2, 4), (3, 4), (7, 4), (6, 2)]);
    let (_, ev) = sub(&mut b, kind(lim(Side::Sell, 10, 11, 10), OrderKind::Ioc));
    assert_eq!(trades(&ev), vec![(4, 6, 10), (1, 4, 10), (2, 1, 10)]);
    assert_eq!(tags(&b, Side::Buy), vec![(3, 4), (7, 4), (2, 3), (6, 2)]);
    b.clear(DoneReason::Expired, &mut ());
    assert!(b.sizes.level_is_empty(&b.ladders[Side::Buy as usize].levels[10]));
}

#[test]
fn size_priority_skips_large_aon() {
    let mut b = pst();
    sub(&mut b, aon(lim(Side::Sell, 10, 9, 1)));
    sub(&mut b, lim(Side::Sell, 10, 3, 2));
    sub(&mut b, lim(Side::Sell, 10, 5, 3));
    assert_eq!(tags(&b, Side::Sell), vec![(1, 9), (3, 5), (2, 3)]);
    let (_, ev) = sub(&mut b, lim(Side::Buy, 10, 6, 4));
    // Skips the AON 9, takes the 5, then 1 of the 3.
    assert_eq!(trades(&ev), vec![(3, 5, 10), (2, 1, 10)]);
    assert_eq!(tags(&b, Side::Sell), vec![(1, 9), (2, 2)]);
    // An incoming AON dry run sees the same order: 11 = 9 + 2.
    let (id, ev) = sub(&mut b, aon(lim(Side::Buy, 10, 11, 5)));
    assert_eq!(id, None);
    assert_eq!(trades(&ev), vec![(1, 9, 10), (2, 2, 10)]);
    assert_eq!(b.resting_orders(), 0);
}

#[test]
fn size_groups_survive_cancels_and_clear() {
    let mut b = pst();
    let ids: Vec<OrderId> = [3, 7, 3, 7, 1]
        .iter()
        .enumerate()
        .map(|(t, &q)| sub(&mut b, lim(Side::Buy, 20, q, t as u64)).0.unwrap())
        .collect();
    assert_eq!(tags(&b, Side::Buy), vec![(1, 7), (3, 7), (0, 3), (2, 3), (4, 1)]);
    // Ends and middles of groups, and a whole group.
    for i in [1, 2, 4] {
        assert!(b.cancel(ids[i], DoneReason::Cancelled, &mut ()));
    }
    assert_eq!(tags(&b, Side::Buy), vec![(3, 7), (0, 3)]);
    sub(&mut b, lim(Side::Buy, 20, 3, 5));
    sub(&mut b, lim(Side::Buy, 20, 5, 6));
    sub(&mut b, lim(Side::Buy, 20, 8, 7));
    assert_eq!(tags(&b, Side::Buy), vec![(7, 8), (3, 7), (6, 5), (0, 3), (5, 3)]);
    // A quantity past the table of small ones, between two, and the largest.
    sub(&mut b, lim(Side::Buy, 20, 300, 10));
    sub(&mut b, lim(Side::Buy, 20, 200, 11));
    sub(&mut b, lim(Side::Buy, 20, 127, 12));
    sub(&mut b, lim(Side::Buy, 20, 128, 13));
    assert_eq!(tags(&b, Side::Buy)[..4], [(10, 300), (11, 200), (13, 128), (12, 127)]);
    let (_, ev) = sub(&mut b, kind(lim(Side::Sell, 20, 250, 14), OrderKind::Ioc));
    // The 300 is filled down to 50: below the 127, above the 8.
    assert_eq!(trades(&ev), vec![(10, 250, 20)]);
    assert_eq!(
        tags(&b, Side::Buy),
        vec![(11, 200), (13, 128), (12, 127), (10, 50), (7, 8), (3, 7), (6, 5), (0, 3), (5, 3)]
    );
    b.clear(DoneReason::Expired, &mut ());
    assert!(b.sizes.level_is_empty(&b.ladders[Side::Buy as usize].levels[20]));
    let x = sub(&mut b, lim(Side::Buy, 20, 2, 8)).0.unwrap();
    let y = sub(&mut b, lim(Side::Buy, 20, 400, 9)).0.unwrap();
    assert_eq!(tags(&b, Side::Buy), vec![(9, 400), (8, 2)]);
    b.cancel(x, DoneReason::Cancelled, &mut ());
    b.cancel(y, DoneReason::Cancelled, &mut ());
    assert!(b.sizes.level_is_empty(&b.ladders[Side::Buy as usize].levels[20]));
}

// ---------------------------------------------------------------------------
// Pro-rata
// ---------------------------------------------------------------------------

#[test]
fn pro_rata_floors_then_odd_lots_in_time_priority() {
    let mut b = pro_rata();
    sub(&mut b, lim(Side::Sell, 10, 10, 1));
    sub(&mut b, lim(Side::Sell, 10, 20, 2));
    sub(&mut b, lim(Side::Sell, 10, 70, 3));
    sub(&mut b, lim(Side::Sell, 11, 5, 4));
    // Floors 1.5, 3 and 10.5 give 1, 3, 10; the odd lot goes to the first.
    let (id, ev) = sub(&mut b, lim(Side::Buy, 11, 15, 9));
    assert_eq!(id, None);
    assert_eq!(trades(&ev), vec![(1, 2, 10), (2, 3, 10), (3, 10, 10)]);
    assert_eq!(tags(&b, Side::Sell), vec![(1, 8), (2, 17), (3, 60), (4, 5)]);
    // Odd lots to orders whose floor is zero: 1, 1, 1 sharing 2.
    let mut b = pro_rata();
    for t in 1..=3 {
        sub(&mut b, lim(Side::Buy, 10, 1, t));
    }
    let (_, ev) = sub(&mut b, lim(Side::Sell, 10, 2, 9));
    assert_eq!(trades(&ev), vec![(1, 1, 10), (2, 1, 10)]);
    assert_eq!(tags(&b, Side::Buy), vec![(3, 1)]);
}

#[test]
fn pro_rata_fills_a_level_whole_then_moves_on() {
    let mut b = pro_rata();
    sub(&mut b, lim(Side::Sell, 10, 4, 1));
    sub(&mut b, lim(Side::Sell, 10, 6, 2));
    sub(&mut b, lim(Side::Sell, 11, 30, 3));
    sub(&mut b, lim(Side::Sell, 11, 10, 4));
    // 10 at 10 in full, then 8 shared 3:1 at 11 (floors 6 and 2).
    let (_, ev) = sub(&mut b, kind(lim(Side::Buy, 11, 18, 9), OrderKind::Ioc));
    assert_eq!(trades(&ev), vec![(1, 4, 10), (2, 6, 10), (3, 6, 11), (4, 2, 11)]);
    assert_eq!(done_of(&ev, 1), Some((4, DoneReason::Filled)));
    assert_eq!(done_of(&ev, 9), Some((18, DoneReason::Filled)));
    assert_eq!(b.best_ask(), Some(11));
    // Beyond the limit nothing trades; the rest is killed.
    let (_, ev) = sub(&mut b, kind(lim(Side::Buy, 11, 100, 10), OrderKind::Ioc));
    assert_eq!(trades(&ev), vec![(3, 24, 11), (4, 8, 11)]);
    assert_eq!(done_of(&ev, 10), Some((32, DoneReason::Unfilled)));
    assert_eq!(b.best_ask(), None);
}

#[test]
fn pro_rata_resting_aon_gets_all_or_nothing() {
    // The AON's share (5 of 10) is partial: it leaves the allocation and the
    // other two share all 15 (7.5 each: 8 to the first, 7).
    let mut b = pro_rata();
    sub(&mut b, lim(Side::Sell, 10, 10, 1));
    sub(&mut b, aon(lim(Side::Sell, 10, 10, 2)));
    sub(&mut b, lim(Side::Sell, 10, 10, 3));
    let (_, ev) = sub(&mut b, lim(Side::Buy, 10, 15, 9));
    assert_eq!(trades(&ev), vec![(1, 8, 10), (3, 7, 10)]);
    assert_eq!(tags(&b, Side::Sell), vec![(1, 2), (2, 10), (3, 3)]);
    // Enough for the whole level: the AON fills too.
    let (_, ev) = sub(&mut b, lim(Side::Buy, 10, 15, 10));
    assert_eq!(trades(&ev), vec![(1, 2, 10), (2, 10, 10), (3, 3, 10)]);

    // Step 4: both AON orders leave the allocation, the plain 1 fills, and of
    // the 4 lots left the AON 3 fits (the AON 10, earlier, does not).
    let mut b = pro_rata();
    sub(&mut b, lim(Side::Sell, 10, 1, 1));
    sub(&mut b, aon(lim(Side::Sell, 10, 10, 2)));
    sub(&mut b, aon(lim(Side::Sell, 10, 3, 3)));
    sub(&mut b, lim(Side::Sell, 12, 9, 4));
    let (_, ev) = sub(&mut b, lim(Side::Buy, 12, 5, 9));
    assert_eq!(trades(&ev), vec![(1, 1, 10), (3, 3, 10), (4, 1, 12)]);
    assert_eq!(tags(&b, Side::Sell), vec![(2, 10), (4, 8)]);

    // An AON of one lot can be filled by an odd lot.
    let mut b = pro_rata();
    sub(&mut b, aon(lim(Side::Buy, 10, 1, 1)));
    sub(&mut b, lim(Side::Buy, 10, 5, 2));
    let (_, ev) = sub(&mut b, lim(Side::Sell, 10, 3, 9));
    // Floors 0 and 2, the odd lot to the AON, which is then whole.
    assert_eq!(trades(&ev), vec![(1, 1, 10), (2, 2, 10)]);
}

#[test]
fn pro_rata_incoming_aon_dry_run() {
    let mut b = pro_rata();
    sub(&mut b, lim(Side::Sell, 10, 4, 1));
    sub(&mut b, aon(lim(Side::Sell, 10, 6, 2)));
    // 5 would get the plain 4 and 1 lot it cannot use: declined, rests.
    let (id, ev) = sub(&mut b, aon(lim(Side::Buy, 10, 5, 3)));
    assert!(trades(&ev).is_empty() && id.is_some());
    assert_eq!((b.best_bid(), b.best_ask()), (Some(10), Some(10)));
    // 10 takes the level whole.
    let (id, ev) = sub(&mut b, kind(aon(lim(Side::Buy, 10, 10, 4)), OrderKind::Ioc));
    assert_eq!(id, None);
    assert_eq!(trades(&ev), vec![(1, 4, 10), (2, 6, 10)]);
    // 2 out of a plain 3 and 3: shared 1 and 1.
    let mut b = pro_rata();
    sub(&mut b, lim(Side::Buy, 10, 3, 1));
    sub(&mut b, lim(Side::Buy, 10, 3, 2));
    let (_, ev) = sub(&mut b, aon(lim(Side::Sell, 9, 2, 3)));
    assert_eq!(trades(&ev), vec![(1, 1, 10), (2, 1, 10)]);
}

// ---------------------------------------------------------------------------
// Replace
// ---------------------------------------------------------------------------

fn repl(b: &mut Book, id: OrderId, price: Tick, qty: Qty) -> (Result<Option<OrderId>, ReplaceError>, Vec<BookEvent>) {
    let mut ev = Vec::new();
    let r = b.replace(id, price, qty, &mut ev);
    (r, ev)
}

#[test]
fn replace_reduction_keeps_place_increase_and_move_requeue() {
    let mut b = Book::new(100, 16);
    let a = sub(&mut b, lim(Side::Sell, 10, 5, 1)).0.unwrap();
    sub(&mut b, lim(Side::Sell, 10, 5, 2));
    let c = sub(&mut b, lim(Side::Sell, 10, 5, 3)).0.unwrap();
    // Reduction: no events, same place, smaller level.
    assert!(!b.get(a).unwrap().requeues(10, 3));
    assert_eq!(repl(&mut b, a, 10, 3), (Ok(Some(a)), vec![]));
    assert_eq!(tags(&b, Side::Sell), vec![(1, 3), (2, 5), (3, 5)]);
    assert_eq!(b.qty_at(Side::Sell, 10), 13);
    assert_eq!(b.get(a).unwrap().qty, 3);
    // Increase: to the back.
    assert!(b.get(a).unwrap().requeues(10, 4));
    assert_eq!(repl(&mut b, a, 10, 4), (Ok(Some(a)), vec![]));
    assert_eq!(tags(&b, Side::Sell), vec![(2, 5), (3, 5), (1, 4)]);
    // New price, not crossing: moves, keeps its id.
    assert_eq!(repl(&mut b, c, 12, 5), (Ok(Some(c)), vec![]));
    assert_eq!(tags(&b, Side::Sell), vec![(2, 5), (1, 4), (3, 5)]);
    assert_eq!(b.get(c).unwrap().price, 12);
    sub(&mut b, lim(Side::Sell, 12, 1, 4));
    // Same price again, same quantity: no change at all.
    assert_eq!(repl(&mut b, c, 12, 5), (Ok(Some(c)), vec![]));
    assert_eq!(tags(&b, Side::Sell), vec![(2, 5), (1, 4), (3, 5), (4, 1)]);
}

#[test]
fn replace_to_a_crossing_price_trades_as_incoming() {
    let mut b = Book::new(100, 16);
    sub(&mut b, lim(Side::Sell, 10, 3, 1));
    sub(&mut b, lim(Side::Sell, 11, 3, 2));
    let bid = sub(&mut b, lim(Side::Buy, 8, 5, 3)).0.unwrap();
    // Partly filled first, so its quantity is filled + new remaining.
    sub(&mut b, kind(lim(Side::Sell, 8, 1, 4), OrderKind::Ioc));
    assert_eq!(b.get(bid).unwrap().remaining, 4);
    let (r, ev) = repl(&mut b, bid, 10, 6);
    assert_eq!(r, Ok(Some(bid)));
    assert_eq!(trades(&ev), vec![(1, 3, 10)]);
    assert!(matches!(ev[0], BookEvent::Trade(Execution { aggressor_tag: 3, aggressor_side: Side::Buy, .. })));
    assert_eq!(ev.len(), 2);
    let r = b.get(bid).unwrap();
    assert_eq!((r.price, r.remaining, r.qty), (10, 3, 7));
    // Through the next level: fills, done with its id and new quantity.
    let (r, ev) = repl(&mut b, bid, 11, 3);
    assert_eq!(r, Ok(None));
    assert_eq!(trades(&ev), vec![(2, 3, 11)]);
    assert_eq!(
        ev.last(),
        Some(&BookEvent::Done {
            side: Side::Buy,
            price: 11,
            owner: 30,
            tag: 3,
            qty: 7,
            filled: 7,
            reason: DoneReason::Filled,
            resting: Some(bid),
        })
    );
    assert_eq!(b.get(bid), None);
    assert_eq!(b.resting_orders(), 0);
}

#[test]
fn replace_to_zero_cancels_and_bad_replaces_are_refused() {
    let mut b = Book::new(100, 16);
    let a = sub(&mut b, lim(Side::Buy, 10, 5, 1)).0.unwrap();
    assert_eq!(repl(&mut b, a, 100, 5), (Err(ReplaceError::PriceOutOfRange), vec![]));
    assert_eq!(repl(&mut b, a, 10, u32::MAX), (Ok(Some(a)), vec![]));
    sub(&mut b, kind(lim(Side::Sell, 10, 1, 2), OrderKind::Ioc));
    // 1 filled + u32::MAX does not fit.
    assert_eq!(repl(&mut b, a, 10, u32::MAX), (Err(ReplaceError::QuantityOverflow), vec![]));
    assert_eq!(b.get(a).unwrap().remaining, u32::MAX - 1);
    // Zero cancels, even at an off-grid price.
    let (r, ev) = repl(&mut b, a, 500, 0);
    assert_eq!(r, Ok(None));
    assert_eq!(done_of(&ev, 1), Some((1, DoneReason::Cancelled)));
    assert_eq!(ev.len(), 1);
    assert_eq!(repl(&mut b, a, 10, 1), (Err(ReplaceError::UnknownOrder), vec![]));
    assert_eq!(repl(&mut b, OrderId(0), 10, 0), (Err(ReplaceError::UnknownOrder), vec![]));
    assert_eq!(b.resting_orders(), 0);
}

#[test]
fn replace_reduced_aon_fills_if_it_now_can() {
    for rule in MatchingRule::ALL {
        let mut b = Book::with_rule(100, 16, rule);
        let big = sub(&mut b, aon(lim(Side::Buy, 10, 9, 1))).0.unwrap();
        let other = sub(&mut b, aon(lim(Side::Buy, 10, 9, 2))).0.unwrap();
        sub(&mut b, lim(Side::Sell, 10, 4, 3));
        assert_eq!((b.best_bid(), b.best_ask()), (Some(10), Some(10)), "{rule}");
        // Down to 6: still cannot fill, keeps its place.
        assert_eq!(repl(&mut b, big, 10, 6), (Ok(Some(big)), vec![]), "{rule}");
        assert_eq!(b.get(big).map(|r| r.remaining), Some(6), "{rule}");
        // Down to 4: fills whole against the crossing ask.
        let (r, ev) = repl(&mut b, big, 10, 4);
        assert_eq!(r, Ok(None), "{rule}");
        assert_eq!(trades(&ev), vec![(3, 4, 10)], "{rule}");
        assert_eq!(done_of(&ev, 1), Some((4, DoneReason::Filled)), "{rule}");
        assert_eq!(done_of(&ev, 3), Some((4, DoneReason::Filled)), "{rule}");
        assert_eq!(tags(&b, Side::Buy), vec![(2, 9)], "{rule}");
        assert!(b.get(other).is_some());
    }
}

#[test]
fn replace_under_size_priority_and_pro_rata() {
    // Price–size–time: a reduction moves the order by its new size but keeps
    // its time; an increase takes a new time.
    let mut b = pst();
    let a = sub(&mut b, lim(Side::Sell, 10, 8, 1)).0.unwrap();
    sub(&mut b, lim(Side::Sell, 10, 5, 2));
    sub(&mut b, lim(Side::Sell, 10, 3, 3));
    assert_eq!(repl(&mut b, a, 10, 3), (Ok(Some(a)), vec![]));
    assert_eq!(tags(&b, Side::Sell), vec![(2, 5), (1, 3), (3, 3)]);
    let c = b.orders(Side::Sell)[2].0;
    assert_eq!(repl(&mut b, c, 10, 4), (Ok(Some(c)), vec![]));
    assert_eq!(tags(&b, Side::Sell), vec![(2, 5), (3, 4), (1, 3)]);
    assert_eq!(repl(&mut b, c, 10, 3), (Ok(Some(c)), vec![]));
    // Its time is now later than the 3 of order 1.
    assert_eq!(tags(&b, Side::Sell), vec![(2, 5), (1, 3), (3, 3)]);

    // Pro-rata: a requeued order trades by the allocation.
    let mut b = pro_rata();
    sub(&mut b, lim(Side::Buy, 10, 2, 1));
    sub(&mut b, lim(Side::Buy, 10, 2, 2));
    let s = sub(&mut b, lim(Side::Sell, 12, 2, 3)).0.unwrap();
    // 3 of 4: floors 1 and 1, the odd lot to the first.
    let (r, ev) = repl(&mut b, s, 10, 3);
    assert_eq!(r, Ok(None));
    assert_eq!(trades(&ev), vec![(1, 2, 10), (2, 1, 10)]);
    assert_eq!(done_of(&ev, 3), Some((3, DoneReason::Filled)));
}

// ---------------------------------------------------------------------------
// A rule fixed by the book's type
// ---------------------------------------------------------------------------

/// What `book` does with a seeded stream of limit, IOC, market and AON
/// orders, cancels and replaces near one price, then a clear: every result
/// and event, in order.
fn replay_mixed<K: Rule>(mut book: Book<K>) -> (Vec<BookEvent>, Vec<String>) {
    let mut x = 0x2545_F491_4F6C_DD1Du64;
    let mut draw = |n: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % n
    };
    let (mut ev, mut results, mut live) = (Vec::new(), Vec::new(), Vec::new());
    for tag in 0..20_000u64 {
        let pick = draw(10);
        if pick < 2 && !live.is_empty() {
            let id = live.swap_remove(draw(live.len() as u64) as usize);
            results.push(format!("{:?}", book.cancel(id, DoneReason::Cancelled, &mut ev)));
        } else if pick < 3 && !live.is_empty() {
            let id = live[draw(live.len() as u64) as usize];
            let r = book.replace(id, 40 + draw(20) as Tick, draw(30) as Qty, &mut ev);
            results.push(format!("{r:?}"));
        } else {
            let side = if draw(2) == 0 { Side::Buy } else { Side::Sell };
            let mut o = lim(side, 40 + draw(20) as Tick, 1 + draw(40) as Qty, tag);
            o.kind = [OrderKind::Limit, OrderKind::Limit, OrderKind::Limit, OrderKind::Ioc, OrderKind::Market]
                [draw(5) as usize];
            o.all_or_none = draw(6) == 0;
            let r = book.submit(&o, &mut ev);
            live.extend(r.ok().flatten());
            results.push(format!("{r:?}"));
        }
    }
    book.clear(DoneReason::Expired, &mut ev);
    (ev, results)
}

#[test]
fn a_rule_fixed_by_the_type_matches_as_the_rule_chosen_at_run_time() {
    let typed = [
        (PriceTime.rule(), replay_mixed(Book::with_rule(100, 16, PriceTime))),
        (PriceSizeTime.rule(), replay_mixed(Book::with_rule(100, 16, PriceSizeTime))),
        (ProRata.rule(), replay_mixed(Book::with_rule(100, 16, ProRata))),
    ];
    for (rule, typed) in typed {
        let chosen = replay_mixed(Book::with_rule(100, 16, rule));
        assert!(chosen.0.len() > 20_000, "{rule}: the stream trades and rests");
        assert!(chosen == typed, "{rule}: the typed book differs");
    }
    assert_eq!(Book::with_rule(10, 1, ProRata).rule(), MatchingRule::ProRata);
}

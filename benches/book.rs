//! The matching core alone: a seeded replay of 10,000,000 operations on one
//! book, under each matching rule. `cargo bench --bench book`.
//!
//! The stream (built before timing, once per rule, with a book of that rule
//! so that cancels name orders that are live at that moment; the price–time
//! stream is the one this bench has always replayed):
//! - 60.0% passive limit orders around the mid, offset by a half-normal
//!   number of ticks (σ = 20);
//! - 2.5% limit orders priced through the opposite touch (they trade, and
//!   any remainder rests);
//! - 30.0% cancels of a uniformly chosen live order;
//! - 5.0% market orders and 2.5% IOC orders, sized so that about 13,000
//!   orders rest at any time.
//!
//! Every replay starts from a fresh book of the stream's rule, so the ids the
//! stream recorded are the ids the book hands out again. Events go to a sink
//! that folds them into counters, as the engine's handling would touch them.
//! `floor` reads the price–time stream and touches one array cell per
//! operation: the cost no book can go below. `replay_10m` replays each
//! rule's stream on a book whose rule is chosen at run time
//! (`Book<MatchingRule>`, as the engine builds it from a scenario);
//! `typed_*` replays it on a book whose rule is fixed by its type
//! (`Book<PriceTime>` and so on), which never tests the rule. Divide the median time by
//! 10,000,000 for ns/op (divan's `item/s` column gives the rate directly).
//!
//! The rules do not do the same work on their streams, and the counts
//! printed before the table say how much each did. Price–size–time makes
//! about as many trades as price–time but keeps every level sorted by size,
//! so a new order lands inside its level's queue rather than at its end.
//! Pro-rata shares each aggressive order among every order of the touch
//! level: it makes about 6.7 times as many (smaller) trades, and reads every
//! order of each level it shares.
//!
//! `cargo bench --bench book -- pro_rata` (any rule names) builds and
//! describes only those streams.

use divan::counter::ItemsCount;
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, Normal};
use tplus::book::{
    Book, BookEvent, EventSink, Execution, MatchingRule, NewOrder, OrderId, OrderKind, PriceSizeTime, PriceTime,
    ProRata, Rule, Side,
};

const OPS: usize = 10_000_000;
const N_TICKS: u32 = 1 << 16;
const TARGET_RESTING: f64 = 13_000.0;
/// Operations before the resting count is first near the target.
const WARM_UP: usize = 100_000;

/// One operation, 16 bytes so the stream reads like the engine's queue would.
#[derive(Clone, Copy)]
struct Op {
    /// Submit: the order's tag. Cancel: the `OrderId`.
    key: u64,
    price: u32,
    qty: u16,
    code: u8,
}

const BUY: u8 = 0;
const SELL: u8 = 1;
const LIMIT: u8 = 0 << 1;
const IOC: u8 = 1 << 1;
const MARKET: u8 = 2 << 1;
const CANCEL: u8 = 3 << 1;

fn new_order(op: &Op) -> NewOrder {
    NewOrder {
        side: if op.code & 1 == BUY { Side::Buy } else { Side::Sell },
        kind: match op.code & !1 {
            LIMIT => OrderKind::Limit,
            IOC => OrderKind::Ioc,
            _ => OrderKind::Market,
        },
        price: op.price,
        qty: u32::from(op.qty),
        all_or_none: false,
        owner: op.key as u32,
        tag: op.key,
    }
}

/// Folds events into a checksum and counts, so no work is optimised away.
#[derive(Default)]
struct Tally {
    trades: u64,
    traded: u64,
    done: u64,
    rested: u64,
    check: u64,
}

impl EventSink for Tally {
    #[inline]
    fn event(&mut self, ev: BookEvent) {
        match ev {
            BookEvent::Trade(Execution { qty, price, resting_tag, .. }) => {
                self.trades += 1;
                self.traded += u64::from(qty);
                self.check = self.check.wrapping_add(resting_tag ^ u64::from(price));
            }
            BookEvent::Rested { id, .. } => {
                self.rested += 1;
                self.check = self.check.wrapping_add(id.0);
            }
            BookEvent::Done { filled, tag, .. } => {
                self.done += 1;
                self.check = self.check.wrapping_add(tag ^ u64::from(filled));
            }
        }
    }
}

/// Tracks which orders are live while the stream is built.
struct Live {
    ids: Vec<OrderId>,
    /// Position in `ids` by tag; `u32::MAX` when not live.
    pos: Vec<u32>,
    tag_of: Vec<u64>,
}

impl Live {
    fn insert(&mut self, tag: u64, id: OrderId) {
        self.pos[tag as usize] = self.ids.len() as u32;
        self.ids.push(id);
        self.tag_of.push(tag);
    }
    fn remove(&mut self, tag: u64) {
        let i = self.pos[tag as usize];
        if i == u32::MAX {
            return;
        }
        self.pos[tag as usize] = u32::MAX;
        self.ids.swap_remove(i as usize);
        self.tag_of.swap_remove(i as usize);
        if let Some(&moved) = self.tag_of.get(i as usize) {
            self.pos[moved as usize] = i;
        }
    }
}

struct Stream {
    ops: Vec<Op>,
    capacity: usize,
    resting_mean: f64,
    resting_min: usize,
    resting_max: usize,
}

fn build_stream(seed: u64, rule: MatchingRule) -> Stream {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let offset: Normal<f64> = Normal::new(0.0, 20.0).expect("valid sigma");
    let mut book = Book::with_rule(N_TICKS, 1 << 15, rule);
    let mut live = Live { ids: Vec::new(), pos: vec![u32::MAX; OPS], tag_of: Vec::new() };
    let mut events = Vec::new();
    let mut ops = Vec::with_capacity(OPS);
    let mut mid = f64::from(N_TICKS / 2);
    let (mut sum, mut lo, mut hi) = (0.0, usize::MAX, 0);
    for i in 0..OPS {
        let tag = i as u64;
        let u: f64 = rng.random();
        let side = if rng.random_bool(0.5) { BUY } else { SELL };
        let (bb, ba) = (book.best_bid(), book.best_ask());
        if let (Some(b), Some(a)) = (bb, ba) {
            mid = (f64::from(b) + f64::from(a)) / 2.0;
        }
        let half_normal = |rng: &mut ChaCha8Rng| offset.sample(rng).abs().round() as u32;
        let op = if u < 0.600 || (u < 0.925 && live.ids.is_empty()) {
            let off = half_normal(&mut rng);
            let price = if side == BUY {
                (mid.floor() as u32).saturating_sub(off)
            } else {
                (mid.ceil() as u32 + off).min(N_TICKS - 1)
            };
            Op { key: tag, price, qty: rng.random_range(1..=100), code: side | LIMIT }
        } else if u < 0.625 {
            // Through the touch: a few ticks past the opposite best.
            let through = rng.random_range(0..=4);
            let price = match side {
                BUY => ba.map_or(mid.ceil() as u32, |a| (a + through).min(N_TICKS - 1)),
                _ => bb.map_or(mid.floor() as u32, |b| b.saturating_sub(through)),
            };
            Op { key: tag, price, qty: rng.random_range(1..=100), code: side | LIMIT }
        } else if u < 0.925 {
            let victim = live.ids[rng.random_range(0..live.ids.len())];
            Op { key: victim.0, price: 0, qty: 0, code: CANCEL }
        } else {
            // Aggressive orders take what passive flow leaves beyond cancels;
            // their size leans on the resting count to hold it near the target.
            let pressure = (live.ids.len() as f64 / TARGET_RESTING).powi(4);
            let qty = (rng.random_range(20.0..400.0) * pressure).clamp(1.0, 60_000.0) as u16;
            if u < 0.975 {
                Op { key: tag, price: 0, qty, code: side | MARKET }
            } else {
                let through = rng.random_range(0..=8);
                let price = match side {
                    BUY => ba.map_or(mid.ceil() as u32, |a| (a + through).min(N_TICKS - 1)),
                    _ => bb.map_or(mid.floor() as u32, |b| b.saturating_sub(through)),
                };
                Op { key: tag, price, qty, code: side | IOC }
            }
        };
        events.clear();
        if op.code == CANCEL {
            book.cancel(OrderId(op.key), tplus::book::DoneReason::Cancelled, &mut events);
        } else {
            let rested = book.submit(&new_order(&op), &mut events).expect("generated orders are on the grid");
            if let Some(id) = rested {
                live.insert(tag, id);
            }
        }
        for ev in &events {
            if let BookEvent::Done { tag, .. } = *ev {
                live.remove(tag);
            }
        }
        ops.push(op);
        let n = book.resting_orders();
        hi = hi.max(n);
        if i >= WARM_UP {
            sum += n as f64;
            lo = lo.min(n);
        }
    }
    Stream { ops, capacity: hi + 1, resting_mean: sum / (OPS - WARM_UP) as f64, resting_min: lo, resting_max: hi }
}

fn replay<K: Rule>(book: &mut Book<K>, ops: &[Op], sink: &mut Tally) {
    for op in ops {
        if op.code == CANCEL {
            book.cancel(OrderId(op.key), tplus::book::DoneReason::Cancelled, sink);
        } else {
            let _ = book.submit(&new_order(op), sink);
        }
    }
}

static STREAMS: [std::sync::OnceLock<Stream>; 3] = [const { std::sync::OnceLock::new() }; 3];

fn stream(rule: MatchingRule) -> &'static Stream {
    STREAMS[rule as usize].get_or_init(|| build_stream(2026, rule))
}

fn main() {
    // With rule names among the arguments (divan filters: `cargo bench
    // --bench book -- pro_rata`) only those streams are built and described.
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let named: Vec<MatchingRule> =
        MatchingRule::ALL.into_iter().filter(|r| args.iter().any(|a| a == r.name())).collect();
    for rule in if named.is_empty() { MatchingRule::ALL.to_vec() } else { named } {
        let s = stream(rule);
        let mut book = Book::with_rule(N_TICKS, s.capacity, rule);
        let mut tally = Tally::default();
        replay(&mut book, &s.ops, &mut tally);
        eprintln!(
            "{rule} stream: {} ops; resting orders after the first {WARM_UP}: mean {:.0}, min {}, max {}; {} trades, {} lots traded, {} done",
            s.ops.len(),
            s.resting_mean,
            s.resting_min,
            s.resting_max,
            tally.trades,
            tally.traded,
            tally.done
        );
    }
    divan::main();
}

/// Times the replay of `rule`'s stream on a fresh `Book<K>` per sample.
fn time_replay<K: Rule>(bencher: divan::Bencher, rule: K) {
    let s = stream(rule.rule());
    bencher
        .counter(ItemsCount::new(OPS))
        .with_inputs(|| (Book::with_rule(N_TICKS, s.capacity, rule), Tally::default()))
        .bench_local_values(|(mut book, mut tally)| {
            replay(&mut book, &s.ops, &mut tally);
            divan::black_box(tally.check)
        });
}

#[divan::bench(args = MatchingRule::ALL, sample_count = 11, sample_size = 1)]
fn replay_10m(bencher: divan::Bencher, rule: MatchingRule) {
    time_replay(bencher, rule);
}

// The same replays on books whose rule is fixed by their type (`Book<K>`),
// as a library user who needs one rule only would build them: the book's
// operations carry no test of the rule.

#[divan::bench(sample_count = 11, sample_size = 1)]
fn typed_price_time(bencher: divan::Bencher) {
    time_replay(bencher, PriceTime);
}

#[divan::bench(sample_count = 11, sample_size = 1)]
fn typed_price_size_time(bencher: divan::Bencher) {
    time_replay(bencher, PriceSizeTime);
}

#[divan::bench(sample_count = 11, sample_size = 1)]
fn typed_pro_rata(bencher: divan::Bencher) {
    time_replay(bencher, ProRata);
}

/// Reads the stream and touches one array cell per op.
#[divan::bench(sample_count = 11, sample_size = 1)]
fn floor(bencher: divan::Bencher) {
    let s = stream(MatchingRule::PriceTime);
    bencher.counter(ItemsCount::new(OPS)).with_inputs(|| vec![0u32; N_TICKS as usize]).bench_local_values(
        |mut cells| {
            for op in &s.ops {
                let i = (op.price ^ op.key as u32) & (N_TICKS - 1);
                cells[i as usize] = cells[i as usize].wrapping_add(u32::from(op.qty));
            }
            divan::black_box(cells)
        },
    );
}

//! The order path: an order's way from the platform's checks through its
//! product's book to settlement, and the end of every order it touches.
//!
//! [`OrderPath`] owns the accounts and the books. It checks an arriving
//! order (session, credit score, size, band, cash or sellable lots) and
//! reserves what it needs, hands it to the book, settles each trade between
//! the two accounts, releases what a finished order no longer needs, and
//! times each fill from the order's arrival in the book. What the rest of
//! the run does with all that — metrics, records, the agents' memory of
//! their resting orders — it leaves to a [`PathObserver`], told in the order
//! things happen.

use crate::agents::OrderRequest;
use crate::book::{Book, BookEvent, DoneReason, EventSink, NewOrder, OrderId, OrderKind, Side};
use crate::platform::{Accounts, FLEETING_NS, PLATFORM, Reject, Reservation};
use crate::product::ProductSpec;
use crate::units::{Lots, Micros, Nanos, Ticks};

/// A trade as settled.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fill {
    /// The product's index.
    pub product: usize,
    /// The trade price in absolute ticks (the resting order's price).
    pub price: Ticks,
    /// Lots traded.
    pub lots: Lots,
    /// Cash paid by the buyer to the seller.
    pub value: Micros,
    /// The buyer's and the seller's account ids.
    pub buyer: u32,
    /// The seller's account id.
    pub seller: u32,
    /// The buy and the sell order's serial numbers.
    pub buy_order: u64,
    /// The sell order's serial number.
    pub sell_order: u64,
    /// The side of the order that arrived and took liquidity.
    pub aggressor: Side,
}

/// An order's final state.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Closed {
    /// The product's index.
    pub product: usize,
    /// The order's side.
    pub side: Side,
    /// The account that sent it.
    pub owner: u32,
    /// Its serial number.
    pub serial: u64,
    /// Lots it asked for, and lots it got.
    pub lots: Lots,
    /// Lots filled.
    pub filled: Lots,
    /// Why it ended.
    pub reason: DoneReason,
    /// Seconds from its arrival in the book to its last fill when it filled
    /// whole from the book; 0 when it filled on arrival or did not fill whole.
    pub fill_secs: f64,
}

/// A change of a resting order ([`OrderPath::replace`]) as the platform took it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Replaced {
    /// The product's index.
    pub product: usize,
    /// The account that sent the change.
    pub agent: u32,
    /// The order's serial number and side when it still rested; None when
    /// it had already ended (the change came too late).
    pub found: Option<(u64, Side)>,
    /// The new limit price, in absolute ticks.
    pub price: Ticks,
    /// The new number of lots left to trade.
    pub lots: Lots,
    /// Why the platform refused the change (the order stays as it was);
    /// None when it was accepted, or came too late.
    pub refused: Option<Reject>,
}

/// Why [`OrderPath::replace`] changed nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplaceRefused {
    /// The order no longer rests (or is not the agent's).
    Gone,
    /// The platform's checks refused the change.
    Rejected(Reject),
}

/// When something happens: the simulated time and the business day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct At {
    /// Nanoseconds since the start date's midnight.
    pub t: Nanos,
    /// The business day (0-based).
    pub day: u32,
}

/// What the rest of the run learns from the order path, in the order it happens.
pub trait PathObserver {
    /// Order `serial` of `agent` reached the platform at `t`.
    fn submitted(&mut self, t: Nanos, serial: u64, agent: u32, request: &OrderRequest);
    /// The platform refused it.
    fn rejected(&mut self, t: Nanos, serial: u64, agent: u32, request: &OrderRequest, why: Reject);
    /// The platform accepted it; the book takes it next.
    fn accepted(&mut self, t: Nanos, serial: u64, agent: u32, request: &OrderRequest);
    /// A trade, settled.
    fn traded(&mut self, t: Nanos, fill: &Fill);
    /// An order now rests in its book under `id`.
    fn rested(&mut self, t: Nanos, product: usize, id: OrderId, side: Side, owner: u32, serial: u64);
    /// An order ended; what it held back has been released.
    fn closed(&mut self, t: Nanos, closed: &Closed);
    /// A cancel from `agent` arrived; `found` is the order's serial and side
    /// when it still rested, None when it had already ended.
    fn cancel_requested(&mut self, t: Nanos, agent: u32, product: usize, found: Option<(u64, Side)>);
    /// A change of a resting order arrived and was taken, refused or found
    /// its order gone; told before the trades an accepted change causes.
    fn replace_requested(&mut self, t: Nanos, replaced: &Replaced);
}

/// The order being submitted, so its own Done and trades can find its reservation.
#[derive(Clone, Copy)]
struct Incoming {
    serial: u64,
    reservation: Reservation,
}

/// The platform's checks, the books and settlement.
pub struct OrderPath {
    accounts: Accounts,
    books: Vec<Book>,
    /// Per product, by pool slot: when the order resting there arrived.
    rested_at: Vec<Vec<Nanos>>,
    last_price: Vec<Option<Ticks>>,
    next_serial: u64,
}

impl OrderPath {
    /// The path for `accounts` and one book per product of `specs`.
    pub fn new(accounts: Accounts, specs: &[ProductSpec]) -> OrderPath {
        OrderPath {
            accounts,
            books: specs.iter().map(|p| Book::with_rule(p.n_ticks, 1 << 14, p.matching)).collect(),
            rested_at: vec![Vec::new(); specs.len()],
            last_price: vec![None; specs.len()],
            next_serial: 1,
        }
    }

    /// Every account.
    pub fn accounts(&self) -> &Accounts {
        &self.accounts
    }

    /// Every account, to redeem holdings and update scores at the close.
    pub fn accounts_mut(&mut self) -> &mut Accounts {
        &mut self.accounts
    }

    /// Product `p`'s book.
    pub fn book(&self, p: usize) -> &Book {
        &self.books[p]
    }

    /// Product `p`'s last trade price (absolute ticks).
    pub fn last_price(&self, p: usize) -> Option<Ticks> {
        self.last_price[p]
    }

    /// Order `request` of `agent` arrives at `t` on business day `day`,
    /// whose session closes at `close`. Returns why the platform refused it,
    /// or else the id under which it rests in the book, if it does.
    pub fn submit(
        &mut self,
        At { t, day }: At,
        close: Nanos,
        agent: u32,
        request: &OrderRequest,
        spec: &ProductSpec,
        obs: &mut impl PathObserver,
    ) -> Result<Option<OrderId>, Reject> {
        let serial = self.next_serial;
        self.next_serial += 1;
        let p = request.product as usize;
        let customer = agent != PLATFORM;
        let limit = (request.kind != OrderKind::Market).then_some(request.price);
        obs.submitted(t, serial, agent, request);
        if customer {
            self.accounts.account_mut(agent).orders += 1;
        }
        let checked = if t >= close {
            Err(Reject::SessionClosed)
        } else {
            self.accounts.check_and_reserve(agent, p, spec, day, request.side, limit, request.lots)
        };
        let reservation = match checked {
            Ok(res) => res,
            Err(why) => {
                if customer {
                    let account = self.accounts.account_mut(agent);
                    account.rejections += 1;
                    account.unbacked += u32::from(!matches!(why, Reject::CreditScore | Reject::SessionClosed));
                }
                obs.rejected(t, serial, agent, request, why);
                return Err(why);
            }
        };
        obs.accepted(t, serial, agent, request);
        let order = NewOrder {
            side: request.side,
            kind: request.kind,
            price: limit.map_or(0, |x| (x - spec.grid_base) as u32),
            qty: request.lots,
            all_or_none: request.all_or_none,
            owner: agent,
            tag: serial,
        };
        let (book, mut settle) = self.settle(At { t, day }, spec, p, Some(Incoming { serial, reservation }), obs);
        // The band check above keeps every price on the grid, so the book
        // has no reason left to refuse.
        Ok(book.submit(&order, &mut settle).ok().flatten())
    }

    /// A cancel from `agent` for `order` arrives at `t`; it takes effect if
    /// the order still rests and is the agent's.
    pub fn cancel(
        &mut self,
        at: At,
        agent: u32,
        order: OrderId,
        spec: &ProductSpec,
        p: usize,
        obs: &mut impl PathObserver,
    ) {
        self.accounts.account_mut(agent).cancels += 1;
        let found = self.books[p].get(order).filter(|o| o.owner == agent).map(|o| (o.tag, o.side));
        obs.cancel_requested(at.t, agent, p, found);
        if found.is_some() {
            self.remove(at, spec, p, order, DoneReason::Cancelled, obs);
        }
    }

    /// A change from `agent` of its resting order `order` of product `p` to
    /// limit `price` (absolute ticks) with `lots` left to trade arrives at
    /// `t` (see [`Action::Replace`](crate::agents::Action::Replace)). The
    /// platform checks it ([`Accounts::check_and_rereserve`]) and moves the
    /// order's reservation by the difference, then the book changes it,
    /// settling what it trades if it crosses. Returns the id it still rests
    /// under (the same), None if the change filled it, or why nothing changed.
    #[allow(clippy::too_many_arguments)]
    pub fn replace(
        &mut self,
        At { t, day }: At,
        close: Nanos,
        agent: u32,
        order: OrderId,
        (price, lots): (Ticks, Lots),
        spec: &ProductSpec,
        p: usize,
        obs: &mut impl PathObserver,
    ) -> Result<Option<OrderId>, ReplaceRefused> {
        let mut told = Replaced { product: p, agent, found: None, price, lots, refused: None };
        let Some(o) = self.books[p].get(order).filter(|o| o.owner == agent) else {
            obs.replace_requested(t, &told);
            return Err(ReplaceRefused::Gone);
        };
        told.found = Some((o.tag, o.side));
        let old = (spec.grid_base + i64::from(o.price), o.remaining);
        let checked = if t >= close {
            Err(Reject::SessionClosed)
        } else {
            self.accounts.check_and_rereserve(agent, p, spec, day, o.side, o.qty - o.remaining, old, (price, lots))
        };
        let reservation = match checked {
            Ok(res) => res,
            Err(why) => {
                if agent != PLATFORM {
                    let account = self.accounts.account_mut(agent);
                    account.rejections += 1;
                    account.unbacked += u32::from(!matches!(why, Reject::CreditScore | Reject::SessionClosed));
                }
                told.refused = Some(why);
                obs.replace_requested(t, &told);
                return Err(ReplaceRefused::Rejected(why));
            }
        };
        obs.replace_requested(t, &told);
        let tick = (price - spec.grid_base) as u32;
        let incoming = Some(Incoming { serial: o.tag, reservation });
        let (book, mut settle) = self.settle(At { t, day }, spec, p, incoming, obs);
        // The checks keep the price on the grid and the quantity within a
        // `u32`, so the book has no reason left to refuse.
        Ok(book.replace(order, tick, lots, &mut settle).ok().flatten())
    }

    /// Order `order` of product `p` leaves its book at `at` for `reason`
    /// (nothing happens if it already ended).
    pub fn remove(
        &mut self,
        at: At,
        spec: &ProductSpec,
        p: usize,
        order: OrderId,
        reason: DoneReason,
        obs: &mut impl PathObserver,
    ) {
        let (book, mut settle) = self.settle(at, spec, p, None, obs);
        book.cancel(order, reason, &mut settle);
    }

    /// Every order resting in product `p`'s book expires at `t` (the close).
    pub fn clear(&mut self, at: At, spec: &ProductSpec, p: usize, obs: &mut impl PathObserver) {
        let (book, mut settle) = self.settle(at, spec, p, None, obs);
        book.clear(DoneReason::Expired, &mut settle);
    }

    /// Product `p`'s book, and what settles its events as it reports them.
    fn settle<'a, O: PathObserver>(
        &'a mut self,
        at: At,
        spec: &'a ProductSpec,
        p: usize,
        incoming: Option<Incoming>,
        obs: &'a mut O,
    ) -> (&'a mut Book, Settle<'a, O>) {
        let settle = Settle {
            accounts: &mut self.accounts,
            rested_at: &mut self.rested_at[p],
            last_price: &mut self.last_price[p],
            at,
            spec,
            p,
            incoming,
            obs,
        };
        (&mut self.books[p], settle)
    }
}

/// Settles one book's events as the book reports them (the book never
/// looks at the accounts, so nothing needs to wait for it to finish): the
/// accounts, the fill clock and the last price, then the observer.
struct Settle<'a, O> {
    accounts: &'a mut Accounts,
    /// By pool slot of the product's book: when the order resting there arrived.
    rested_at: &'a mut Vec<Nanos>,
    last_price: &'a mut Option<Ticks>,
    at: At,
    spec: &'a ProductSpec,
    p: usize,
    /// The order being submitted, if any.
    incoming: Option<Incoming>,
    obs: &'a mut O,
}

impl<O: PathObserver> EventSink for Settle<'_, O> {
    #[inline]
    fn event(&mut self, ev: BookEvent) {
        let (At { t, day }, spec, p, incoming) = (self.at, self.spec, self.p, self.incoming);
        let obs = &mut *self.obs;
        {
            match ev {
                BookEvent::Trade(x) => {
                    let (qty, aggressor_side) = (x.qty, x.aggressor_side);
                    let abs = spec.grid_base + i64::from(x.price);
                    let value = spec.value(abs, qty);
                    let ((buyer, buy_order), (seller, sell_order)) = x.parties();
                    let buyer_res = match aggressor_side {
                        Side::Buy => incoming.map_or(Reservation { per_lot: 0 }, |i| i.reservation),
                        // A resting buy reserved its own limit, which is the trade price.
                        Side::Sell => Reservation { per_lot: spec.value(abs, 1) },
                    };
                    self.accounts.settle(p, day, buyer, seller, value, qty, buyer_res);
                    if buyer == seller && buyer != PLATFORM {
                        self.accounts.account_mut(buyer).self_trades += 1;
                    }
                    *self.last_price = Some(abs);
                    let fill = Fill {
                        product: p,
                        price: abs,
                        lots: qty,
                        value,
                        buyer,
                        seller,
                        buy_order,
                        sell_order,
                        aggressor: aggressor_side,
                    };
                    obs.traded(t, &fill);
                }
                BookEvent::Rested { id, side, owner, tag, .. } => {
                    let at = &mut *self.rested_at;
                    let slot = id.slot() as usize;
                    if at.len() <= slot {
                        at.resize(slot + 1, 0);
                    }
                    at[slot] = t;
                    obs.rested(t, p, id, side, owner, tag);
                }
                BookEvent::Done { side, price, owner, tag, qty, filled, reason, resting } => {
                    // A resting order's fill took from its arrival in the
                    // book; one filled on arrival took no time.
                    let fill_secs = match resting {
                        Some(id) if filled == qty => {
                            let arrived = self.rested_at.get(id.slot() as usize).copied().unwrap_or(t);
                            (t - arrived) as f64 / 1e9
                        }
                        _ => 0.0,
                    };
                    // A resting order withdrawn or expired within seconds
                    // of arriving is fleeting (the risk report's spoofing
                    // measure).
                    if let Some(id) = resting
                        && filled < qty
                        && owner != PLATFORM
                        && matches!(reason, DoneReason::Cancelled | DoneReason::Expired)
                        && self.rested_at.get(id.slot() as usize).is_some_and(|&arrived| t - arrived <= FLEETING_NS)
                    {
                        self.accounts.rare_mut(owner).fleeting += 1;
                    }
                    let reservation = match incoming {
                        Some(i) if i.serial == tag => i.reservation,
                        _ if side == Side::Buy => {
                            Reservation { per_lot: spec.value(spec.grid_base + i64::from(price), 1) }
                        }
                        _ => Reservation { per_lot: 0 },
                    };
                    self.accounts.release(owner, p, side, reservation, qty - filled);
                    let closed = Closed { product: p, side, owner, serial: tag, lots: qty, filled, reason, fill_secs };
                    obs.closed(t, &closed);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Calendar;
    use crate::scenario;

    /// Everything the path tells, in order.
    #[derive(Default)]
    struct Log(Vec<String>);

    impl PathObserver for Log {
        fn submitted(&mut self, _: Nanos, serial: u64, _: u32, _: &OrderRequest) {
            self.0.push(format!("submitted {serial}"));
        }
        fn rejected(&mut self, _: Nanos, serial: u64, _: u32, _: &OrderRequest, why: Reject) {
            self.0.push(format!("rejected {serial} {}", why.name()));
        }
        fn accepted(&mut self, _: Nanos, serial: u64, _: u32, _: &OrderRequest) {
            self.0.push(format!("accepted {serial}"));
        }
        fn traded(&mut self, _: Nanos, f: &Fill) {
            self.0.push(format!("traded {} lots {}->{} at {}", f.lots, f.seller, f.buyer, f.price));
        }
        fn rested(&mut self, _: Nanos, _: usize, _: OrderId, _: Side, _: u32, serial: u64) {
            self.0.push(format!("rested {serial}"));
        }
        fn closed(&mut self, _: Nanos, c: &Closed) {
            self.0.push(format!("closed {} {:?} {}/{} after {}s", c.serial, c.reason, c.filled, c.lots, c.fill_secs));
        }
        fn cancel_requested(&mut self, _: Nanos, _: u32, _: usize, found: Option<(u64, Side)>) {
            self.0.push(format!("cancel {:?}", found.map(|f| f.0)));
        }
        fn replace_requested(&mut self, _: Nanos, r: &Replaced) {
            let refused = r.refused.map_or(String::new(), |why| format!(" refused {}", why.name()));
            self.0.push(format!("replace {:?} to {} lots at {}{refused}", r.found.map(|f| f.0), r.lots, r.price));
        }
    }

    /// One product at NAV 1.00 (10,000 ticks), two customers: 1 with cash,
    /// 2 holding 50 lots bought before the start, and a low-score customer 3.
    fn market() -> (OrderPath, ProductSpec) {
        let text =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/core_market.toml")).unwrap();
        let s = scenario::parse(std::path::Path::new("core.toml"), &text, &crate::agents::Registry::builtin()).unwrap();
        let cal = Calendar::new(&s.simulation);
        let spec = ProductSpec::new(&s.products[0], &cal);
        let mut accounts = Accounts::new(4, std::slice::from_ref(&spec));
        accounts.open_account(1, 1_000_000_000, 700.0, &[0]);
        accounts.open_account(2, 0, 700.0, &[50]);
        accounts.open_account(3, 1_000_000_000, 0.0, &[0]);
        (OrderPath::new(accounts, std::slice::from_ref(&spec)), spec)
    }

    fn limit(side: Side, price: Ticks, lots: Lots) -> OrderRequest {
        OrderRequest { product: 0, side, kind: OrderKind::Limit, price, lots, all_or_none: false, ttl: i64::MAX }
    }

    #[test]
    fn a_crossing_order_settles_and_times_the_resting_fill() {
        let (mut path, spec) = market();
        let nav = spec.nav_ticks[0].round() as i64;
        let (open, close) = (34_200 * 1_000_000_000i64, 54_000 * 1_000_000_000i64);
        let mut log = Log::default();
        let id = path.submit(At { t: open, day: 0 }, close, 2, &limit(Side::Sell, nav, 10), &spec, &mut log);
        assert!(matches!(id, Ok(Some(_))), "{:?}", log.0);
        let cash_before = path.accounts().total_cash();
        let crossing =
            path.submit(At { t: open + 3_000_000_000, day: 0 }, close, 1, &limit(Side::Buy, nav, 10), &spec, &mut log);
        assert_eq!(crossing, Ok(None), "filled on arrival, nothing rests");
        assert_eq!(
            log.0,
            [
                "submitted 1",
                "accepted 1",
                "rested 1",
                "submitted 2",
                "accepted 2",
                &format!("traded 10 lots 2->1 at {nav}"),
                "closed 1 Filled 10/10 after 3s",
                "closed 2 Filled 10/10 after 0s",
            ]
        );
        assert_eq!(path.accounts().total_cash(), cash_before, "cash moves between accounts, never appears");
        assert_eq!(path.accounts().held(0, 1), 10);
        assert_eq!(path.last_price(0), Some(nav));
        assert!(path.accounts().all_non_negative());
    }

    #[test]
    fn refusals_cancels_and_the_close() {
        let (mut path, spec) = market();
        let nav = spec.nav_ticks[0].round() as i64;
        let (open, close) = (34_200 * 1_000_000_000i64, 54_000 * 1_000_000_000i64);
        let mut log = Log::default();
        // Customer 3's score is below the product's minimum.
        let refused = path.submit(At { t: open, day: 0 }, close, 3, &limit(Side::Buy, nav, 1), &spec, &mut log);
        assert_eq!(refused, Err(Reject::CreditScore));
        // After the close, nothing is accepted.
        let late = path.submit(At { t: close, day: 0 }, close, 1, &limit(Side::Buy, nav, 1), &spec, &mut log);
        assert_eq!(late, Err(Reject::SessionClosed));
        let id = path
            .submit(At { t: open, day: 0 }, close, 1, &limit(Side::Buy, nav - 5, 2), &spec, &mut log)
            .unwrap()
            .unwrap();
        path.cancel(At { t: open + 1, day: 0 }, 1, id, &spec, 0, &mut log);
        path.cancel(At { t: open + 2, day: 0 }, 1, id, &spec, 0, &mut log);
        assert!(path.submit(At { t: open, day: 0 }, close, 1, &limit(Side::Buy, nav - 5, 2), &spec, &mut log).is_ok());
        path.clear(At { t: close, day: 0 }, &spec, 0, &mut log);
        assert_eq!(log.0[1], "rejected 1 credit_score");
        assert_eq!(log.0[3], "rejected 2 session_closed");
        assert_eq!(
            &log.0[4..],
            [
                "submitted 3",
                "accepted 3",
                "rested 3",
                "cancel Some(3)",
                "closed 3 Cancelled 0/2 after 0s",
                "cancel None",
                "submitted 4",
                "accepted 4",
                "rested 4",
                "closed 4 Expired 0/2 after 0s",
            ]
        );
        assert_eq!(path.accounts().account(1).cancels, 2);
        assert_eq!(path.accounts().account(3).rejections, 1);
        assert_eq!(path.accounts().available_cash(1), 1_000_000_000, "every reservation released");
    }

    const OPEN: Nanos = 34_200 * 1_000_000_000;
    const CLOSE: Nanos = 54_000 * 1_000_000_000;

    fn at(s: i64) -> At {
        At { t: OPEN + s * 1_000_000_000, day: 0 }
    }

    #[test]
    fn a_buy_replaced_higher_reserves_the_difference_and_is_refused_without_the_cash() {
        let (mut path, spec) = market();
        let nav = spec.nav_ticks[0].round() as i64;
        let per_lot = |price: i64| spec.value(price, 1);
        let mut log = Log::default();
        let id = path.submit(at(0), CLOSE, 1, &limit(Side::Buy, nav - 10, 5), &spec, &mut log).unwrap().unwrap();
        assert_eq!(path.accounts().account(1).reserved_cash, i128::from(5 * per_lot(nav - 10)));
        // Price up: the reservation follows, under the same id and serial.
        assert_eq!(path.replace(at(1), CLOSE, 1, id, (nav - 5, 5), &spec, 0, &mut log), Ok(Some(id)));
        assert_eq!(path.accounts().account(1).reserved_cash, i128::from(5 * per_lot(nav - 5)));
        assert_eq!(
            path.books[0].get(id).map(|o| (o.price, o.remaining, o.tag)),
            Some(((nav - 5 - spec.grid_base) as u32, 5, 1))
        );
        // 11 lots at about 100 a lot need more than the 1,000 the customer has.
        let short = path.replace(at(2), CLOSE, 1, id, (nav - 5, 11), &spec, 0, &mut log);
        assert_eq!(short, Err(ReplaceRefused::Rejected(Reject::InsufficientCash)));
        assert_eq!(path.books[0].get(id).map(|o| (o.price, o.remaining)), Some(((nav - 5 - spec.grid_base) as u32, 5)));
        assert_eq!(
            path.accounts().account(1).reserved_cash,
            i128::from(5 * per_lot(nav - 5)),
            "a refusal changes nothing"
        );
        assert_eq!(path.accounts().account(1).rejections, 1);
        // A smaller size at a lower price gives cash back.
        assert_eq!(path.replace(at(3), CLOSE, 1, id, (nav - 8, 2), &spec, 0, &mut log), Ok(Some(id)));
        assert_eq!(path.accounts().account(1).reserved_cash, i128::from(2 * per_lot(nav - 8)));
        // Outside the band, or no lots: refused.
        let band = path.replace(at(4), CLOSE, 1, id, (spec.band_hi[0] + 1, 2), &spec, 0, &mut log);
        assert_eq!(band, Err(ReplaceRefused::Rejected(Reject::PriceBand)));
        let zero = path.replace(at(4), CLOSE, 1, id, (nav - 8, 0), &spec, 0, &mut log);
        assert_eq!(zero, Err(ReplaceRefused::Rejected(Reject::SizeLimit)));
        path.cancel(at(5), 1, id, &spec, 0, &mut log);
        assert_eq!(path.accounts().available_cash(1), 1_000_000_000, "every reservation released");
        // Too late: the order is gone.
        assert_eq!(path.replace(at(6), CLOSE, 1, id, (nav - 8, 2), &spec, 0, &mut log), Err(ReplaceRefused::Gone));
        assert_eq!(
            &log.0[3..],
            [
                format!("replace Some(1) to 5 lots at {}", nav - 5),
                format!("replace Some(1) to 11 lots at {} refused insufficient_cash", nav - 5),
                format!("replace Some(1) to 2 lots at {}", nav - 8),
                format!("replace Some(1) to 2 lots at {} refused price_band", spec.band_hi[0] + 1),
                format!("replace Some(1) to 0 lots at {} refused size_limit", nav - 8),
                "cancel Some(1)".into(),
                "closed 1 Cancelled 0/2 after 0s".into(),
                format!("replace None to 2 lots at {}", nav - 8),
            ]
        );
    }

    #[test]
    fn a_sale_grows_only_within_its_sellable_lots_and_a_reduction_gives_them_back() {
        let (mut path, spec) = market();
        let nav = spec.nav_ticks[0].round() as i64;
        let mut log = Log::default();
        let id = path.submit(at(0), CLOSE, 2, &limit(Side::Sell, nav + 10, 30), &spec, &mut log).unwrap().unwrap();
        assert_eq!(path.accounts().sellable(0, 2, 0), 20);
        let beyond = path.replace(at(1), CLOSE, 2, id, (nav + 10, 51), &spec, 0, &mut log);
        assert_eq!(beyond, Err(ReplaceRefused::Rejected(Reject::InsufficientShares)));
        assert_eq!(path.accounts().sellable(0, 2, 0), 20, "a refusal changes nothing");
        assert_eq!(path.replace(at(2), CLOSE, 2, id, (nav + 10, 50), &spec, 0, &mut log), Ok(Some(id)));
        assert_eq!(path.accounts().sellable(0, 2, 0), 0);
        assert_eq!(path.replace(at(3), CLOSE, 2, id, (nav + 10, 10), &spec, 0, &mut log), Ok(Some(id)));
        assert_eq!(path.accounts().sellable(0, 2, 0), 40);
        // Someone else's order cannot be changed: to customer 1 it is gone.
        assert_eq!(path.replace(at(4), CLOSE, 1, id, (nav + 10, 5), &spec, 0, &mut log), Err(ReplaceRefused::Gone));
        path.clear(At { t: CLOSE, day: 0 }, &spec, 0, &mut log);
        assert_eq!(path.accounts().sellable(0, 2, 0), 50, "every lot released");
    }

    #[test]
    fn a_buy_replaced_across_the_spread_trades_and_settles_at_the_resting_price() {
        let (mut path, spec) = market();
        let nav = spec.nav_ticks[0].round() as i64;
        let mut log = Log::default();
        path.submit(at(0), CLOSE, 2, &limit(Side::Sell, nav + 2, 10), &spec, &mut log).unwrap().unwrap();
        let bid = path.submit(at(1), CLOSE, 1, &limit(Side::Buy, nav - 2, 5), &spec, &mut log).unwrap().unwrap();
        let cash_before = path.accounts().total_cash();
        // Up to 4 ticks above the ask: it trades at the ask, and the
        // difference to its new limit goes back to the buyer.
        assert_eq!(path.replace(at(4), CLOSE, 1, bid, (nav + 6, 5), &spec, 0, &mut log), Ok(None));
        assert_eq!(
            &log.0[6..],
            [
                format!("replace Some(2) to 5 lots at {}", nav + 6),
                format!("traded 5 lots 2->1 at {}", nav + 2),
                "closed 2 Filled 5/5 after 3s".into(),
            ]
        );
        assert_eq!(path.accounts().total_cash(), cash_before);
        assert_eq!(path.accounts().account(1).reserved_cash, 0);
        assert_eq!(path.accounts().cash(1), i128::from(1_000_000_000 - spec.value(nav + 2, 5)));
        assert_eq!(path.accounts().held(0, 1), 5);
        assert!(path.accounts().all_non_negative());
    }

    #[test]
    fn the_credit_gate_vets_only_a_buy_that_grows() {
        let (mut path, spec) = market();
        let nav = spec.nav_ticks[0].round() as i64;
        let mut log = Log::default();
        let id = path.submit(at(0), CLOSE, 1, &limit(Side::Buy, nav - 10, 5), &spec, &mut log).unwrap().unwrap();
        path.accounts_mut().account_mut(1).score = 0.0;
        let more = path.replace(at(1), CLOSE, 1, id, (nav - 10, 6), &spec, 0, &mut log);
        assert_eq!(more, Err(ReplaceRefused::Rejected(Reject::CreditScore)));
        assert_eq!(path.replace(at(2), CLOSE, 1, id, (nav - 9, 4), &spec, 0, &mut log), Ok(Some(id)));
        // After the close nothing is taken.
        let late = path.replace(At { t: CLOSE, day: 0 }, CLOSE, 1, id, (nav - 9, 3), &spec, 0, &mut log);
        assert_eq!(late, Err(ReplaceRefused::Rejected(Reject::SessionClosed)));
        assert_eq!(path.accounts().account(1).unbacked, 0, "the gate's and the close's refusals are the platform's");
    }
}

//! One customer of a stepped run driven by its caller (a learning agent in
//! the Python package's Gymnasium environment): the caller picks the
//! account ([`LiveSim::control`]), sends its actions at the current time
//! ([`LiveSim::send`]) and reads its cash, holdings, resting orders and
//! what became of its orders ([`Tally`]).
//!
//! An action travels as any agent's message does: it reaches the platform
//! after the scenario's latency (`min_latency` plus the exponential jitter,
//! drawn from the customer's own stream, which its idle behaviour never
//! draws from), and the platform checks it, the book matches it and
//! settlement applies T+1 and the credit gate as for anyone. What became of
//! it is counted by the engine's observer as the order path tells it, so
//! the platform's own records are not touched; an ordinary run watches
//! nobody and its results do not change.

use rand_distr::{Distribution as _, Exp};

use super::live::LiveSim;
use super::order_path::{Closed, Fill};
use super::{Engine, Phase};
use crate::agents::Action;
use crate::book::{OrderId, Side};
use crate::platform::Reject;
use crate::random::{AgentRng, Streams};
use crate::units::{Nanos, ProductIndex};

/// The account id no customer has: nobody is watched.
const NOBODY: u32 = u32::MAX;

/// What the observer counts of the controlled customer's orders since
/// [`LiveSim::control`] picked it. Cash in micros (millionths of the
/// currency unit).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Orders that reached the platform, refused ones included.
    pub orders: u64,
    /// Lots those orders asked for.
    pub lots_sent: u64,
    /// Orders the platform refused.
    pub rejected: u64,
    /// Refusals by reason, in [`Reject::ALL`]'s order.
    pub rejected_by: [u64; Reject::ALL.len()],
    /// Trades the customer took part in.
    pub fills: u64,
    /// Lots bought.
    pub lots_bought: u64,
    /// Lots sold.
    pub lots_sold: u64,
    /// Cash paid for what it bought, in micros: a sum over the run, so 128-bit as balances are.
    pub paid: i128,
    /// Cash received for what it sold, in micros.
    pub received: i128,
    /// Orders that reached their final state (filled, cancelled, expired,
    /// unfilled at the close); refused ones are counted in `rejected` only.
    pub closed: u64,
    /// Of the closed orders, those filled in their whole quantity.
    pub closed_filled: u64,
    /// Lots the closed orders asked for.
    pub closed_lots: u64,
    /// Lots of the closed orders that filled.
    pub closed_lots_filled: u64,
    /// Cancel requests that reached the platform.
    pub cancels: u64,
    /// Of them, those that found their order already gone.
    pub cancels_too_late: u64,
}

/// A resting order of the controlled customer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Resting {
    /// The product's index.
    pub product: ProductIndex,
    /// The order's handle in the product's book (what a cancel names).
    pub order: OrderId,
    /// Buy or sell.
    pub side: Side,
    /// Its limit price, in absolute ticks.
    pub price: i64,
    /// Lots still to trade.
    pub remaining: u32,
}

/// The controlled customer's position in one product, and its cash.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Position {
    /// Cash, reserved cash included, in micros.
    pub cash: i128,
    /// Cash promised to resting buys, in micros.
    pub reserved_cash: i128,
    /// Lots held, whatever their purchase day.
    pub held: u32,
    /// Lots it may sell on the business day reached: bought before it, not
    /// promised to a resting sell.
    pub sellable: u32,
    /// Lots bought on the business day reached, locked until the next (T+1).
    pub locked: u32,
    /// Lots promised to resting sells.
    pub reserved: u32,
}

/// Why an action could not be sent.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ControlError {
    /// [`LiveSim::send`] before [`LiveSim::control`].
    #[error("no customer is controlled: pick one with `control` first")]
    NoCustomer,
    /// The account is not a customer of the run.
    #[error("account {account} is not a customer: customers are 1 to {customers}")]
    NotACustomer {
        /// The account asked for.
        account: u32,
        /// How many customers the run has.
        customers: u32,
    },
    /// The market is closed (between sessions, or the run is over): an order
    /// sent now would arrive before the next open.
    #[error("the market is closed: actions are sent during a session")]
    Closed,
    /// An action names a product the scenario does not have.
    #[error("product {product} does not exist: the scenario has {products}")]
    NoProduct {
        /// The index given.
        product: ProductIndex,
        /// How many products there are.
        products: usize,
    },
}

/// The account the observer watches, what it saw, and the controlled
/// customer's latency draws. `account` is first: it is all an ordinary
/// run's observer reads.
pub(super) struct Watch {
    account: u32,
    tally: Tally,
    /// Per side (`Side as usize`), the resting order the customer placed last.
    resting: [Option<(u16, OrderId, u64)>; 2],
    rng: Option<AgentRng>,
    jitter: Option<Exp<f64>>,
}

impl Default for Watch {
    fn default() -> Watch {
        Watch { account: NOBODY, tally: Tally::default(), resting: [None; 2], rng: None, jitter: None }
    }
}

impl Watch {
    /// Whether `agent` is the watched customer: the one test an ordinary
    /// run's observer pays per event.
    #[inline(always)]
    pub(super) fn is(&self, agent: u32) -> bool {
        agent == self.account
    }

    #[cold]
    pub(super) fn submitted(&mut self, lots: u32) {
        self.tally.orders += 1;
        self.tally.lots_sent += u64::from(lots);
    }

    #[cold]
    pub(super) fn rejected(&mut self, why: Reject) {
        self.tally.rejected += 1;
        self.tally.rejected_by[why as usize] += 1;
    }

    /// A trade `f`; the watched customer is its buyer, its seller or both.
    #[cold]
    pub(super) fn traded(&mut self, f: &Fill) {
        self.tally.fills += 1;
        if f.buyer == self.account {
            self.tally.lots_bought += u64::from(f.lots);
            self.tally.paid += i128::from(f.value);
        }
        if f.seller == self.account {
            self.tally.lots_sold += u64::from(f.lots);
            self.tally.received += i128::from(f.value);
        }
    }

    #[cold]
    pub(super) fn rested(&mut self, product: usize, id: OrderId, side: Side, serial: u64) {
        self.resting[side as usize] = Some((product as u16, id, serial));
    }

    #[cold]
    pub(super) fn closed(&mut self, c: &Closed) {
        let t = &mut self.tally;
        t.closed += 1;
        t.closed_filled += u64::from(c.filled == c.lots);
        t.closed_lots += u64::from(c.lots);
        t.closed_lots_filled += u64::from(c.filled);
        let slot = &mut self.resting[c.side as usize];
        if slot.is_some_and(|(_, _, serial)| serial == c.serial) {
            *slot = None;
        }
    }

    #[cold]
    pub(super) fn cancel_requested(&mut self, found: bool) {
        self.tally.cancels += 1;
        self.tally.cancels_too_late += u64::from(!found);
    }
}

impl Engine<'_> {
    /// Where the controlled customer's message sent now arrives.
    fn control_arrival(&mut self) -> Nanos {
        let min = self.min_latency.get();
        let w = &mut self.watch;
        let jitter = match (w.jitter, w.rng.as_mut()) {
            (Some(exp), Some(rng)) => exp.sample(rng) as i64,
            _ => 0,
        };
        self.clock.now + min + jitter
    }
}

impl LiveSim {
    /// Puts customer `account` (1 to the number of customers) under the
    /// caller's control: its tally starts from zero, and its messages'
    /// latency is drawn from its own stream.
    pub fn control(&mut self, account: u32) -> Result<(), ControlError> {
        let e = &mut self.engine;
        if account == 0 || account > e.roster.n_customers {
            return Err(ControlError::NotACustomer { account, customers: e.roster.n_customers });
        }
        let jitter_mean = self.scenario.simulation.latency_jitter.0;
        e.watch = Watch {
            account,
            rng: Some(Streams::new(e.seed).agent(account)),
            jitter: (jitter_mean > 0).then(|| Exp::new(1.0 / jitter_mean as f64).ok()).flatten(),
            ..Watch::default()
        };
        Ok(())
    }

    /// The controlled customer's account id.
    pub fn controlled(&self) -> Option<u32> {
        Some(self.engine.watch.account).filter(|&a| a != NOBODY)
    }

    /// Sends `actions` of the controlled customer now, as one message: they
    /// reach the platform in order after the customer's latency, when the
    /// platform checks them as any customer's. Returns when they arrive
    /// (nanoseconds since the start). A cancel of an order that is not the
    /// customer's, or no longer rests, does nothing (counted too late).
    pub fn send(&mut self, actions: &[Action]) -> Result<Nanos, ControlError> {
        let account = self.controlled().ok_or(ControlError::NoCustomer)?;
        let e = &mut self.engine;
        let open = matches!(e.clock.phase, Phase::In(_)) && e.clock.now < e.cal.day(e.clock.day).close;
        if !open {
            return Err(ControlError::Closed);
        }
        let products = e.specs.len();
        for a in actions {
            let product = match *a {
                Action::Submit(r) => r.product,
                Action::Cancel { product, .. } | Action::Replace { product, .. } => product,
            };
            if product as usize >= products {
                return Err(ControlError::NoProduct { product, products });
            }
        }
        let at = e.control_arrival();
        for &a in actions {
            e.queue.push(at, super::lookahead::event(account, a));
        }
        Ok(at)
    }

    /// What the observer counted of the controlled customer's orders.
    pub fn tally(&self) -> Tally {
        self.engine.watch.tally
    }

    /// The controlled customer's cash and its holding of product `p` on the
    /// business day reached; None without a controlled customer or product.
    pub fn position(&self, p: usize) -> Option<Position> {
        let account = self.controlled()?;
        if p >= self.engine.specs.len() {
            return None;
        }
        let accounts = self.engine.path.accounts();
        let a = accounts.account(account);
        let held = accounts.held(p, account);
        let sellable = accounts.sellable(p, account, self.engine.clock.day);
        let reserved = accounts.reserved_lots(p, account);
        Some(Position {
            cash: a.cash,
            reserved_cash: a.reserved_cash,
            held,
            sellable,
            locked: held.saturating_sub(sellable).saturating_sub(reserved),
            reserved,
        })
    }

    /// The controlled customer's resting order on `side`, the last it placed
    /// there, as its book holds it now.
    pub fn resting(&self, side: Side) -> Option<Resting> {
        let (product, order, _) = self.engine.watch.resting[side as usize]?;
        let p = product as usize;
        let o = self.engine.path.book(p).get(order)?;
        Some(Resting {
            product,
            order,
            side,
            price: self.engine.specs[p].grid_base + i64::from(o.price),
            remaining: o.remaining,
        })
    }

    /// Product `p`'s recent history as agents read it (window returns, the
    /// smoothed sale success), as of the last decision batch.
    pub fn market_stats(&self, p: usize) -> Option<&crate::agents::MarketStats> {
        self.engine.snapshot.markets.get(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agents::external::{ExternalSetup, add_external, with_external};
    use crate::agents::{OrderRequest, Registry};
    use crate::book::OrderKind;
    use crate::calendar::NS_PER_SEC;
    use crate::engine::live::tests::herding;

    fn controlled() -> (LiveSim, u32) {
        let (s, id) = add_external(&herding(), ExternalSetup::default());
        let mut live = LiveSim::with_registry(&s, None, &with_external(&Registry::builtin())).unwrap();
        live.control(id).unwrap();
        (live, id)
    }

    #[test]
    fn an_idle_external_customer_leaves_the_market_as_it_was() {
        let s = herding();
        let straight =
            crate::engine::run(&s, &super::super::RunOptions::default(), &mut super::super::record::Discard).unwrap();
        let (mut live, _) = controlled();
        live.advance_to(i64::MAX);
        let out = live.finish();
        assert_eq!(out.stats.trades, straight.stats.trades);
        assert_eq!(out.stats.orders, straight.stats.orders);
    }

    #[test]
    fn orders_travel_the_platform_path_and_are_tallied() {
        let (mut live, id) = controlled();
        assert_eq!(live.send(&[]), Err(ControlError::Closed), "before the first open");
        let open = live.calendar().day(0).open;
        live.advance_to(open + 600 * NS_PER_SEC);
        let before = live.position(0).unwrap();
        assert_eq!(before.sellable, 20);
        let nav = live.nav_ticks_now(0).round() as i64;
        let buy = |price, lots| {
            Action::Submit(OrderRequest {
                product: 0,
                side: Side::Buy,
                kind: OrderKind::Limit,
                price,
                lots,
                all_or_none: false,
                ttl: i64::MAX,
            })
        };
        // A bid far below the market rests; a size of 0 is refused.
        let at = live.send(&[buy(nav - 150, 3), buy(nav, 0)]).unwrap();
        assert!(at >= live.now() + 50_000_000, "the scenario's latency applies");
        live.advance_to(at + 1);
        let t = live.tally();
        assert_eq!((t.orders, t.rejected, t.rejected_by[Reject::SizeLimit as usize]), (2, 1, 1));
        let r = live.resting(Side::Buy).unwrap();
        assert_eq!((r.price, r.remaining), (nav - 150, 3));
        assert!(live.position(0).unwrap().reserved_cash > 0);
        let at = live.send(&[Action::Cancel { product: 0, order: r.order }]).unwrap();
        live.advance_to(at + 1);
        assert!(live.resting(Side::Buy).is_none());
        assert_eq!(live.tally().cancels, 1);
        assert_eq!(live.position(0).unwrap().reserved_cash, 0);
        // Lots bought today are locked until the next business day (T+1).
        let at = live.send(&[buy(live.products()[0].band_hi[0], 5)]).unwrap();
        live.advance_to(at + NS_PER_SEC);
        let t = live.tally();
        let p = live.position(0).unwrap();
        assert_eq!(u64::from(p.held), 20 + t.lots_bought);
        assert_eq!(u64::from(p.locked), t.lots_bought);
        assert_eq!(p.cash, before.cash - t.paid);
        assert!(live.send(&[Action::Cancel { product: 9, order: r.order }]).is_err());
        assert_eq!(id, live.controlled().unwrap());
    }
}

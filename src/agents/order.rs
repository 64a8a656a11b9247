//! What agents send: orders as they ask for them ([`OrderRequest`]), cancels
//! and changes of resting orders ([`Action`]), the resting orders they remember ([`LiveOrder`]), and the limits of their
//! means (cash for a buy, T+1-sellable lots for a sale).

use rand::RngExt;

use super::behaviour::{Actions, Agent, Wake};
use super::market::{Context, ProductView};
use crate::book::{OrderId, OrderKind, Side};
use crate::random::{AgentRng, Chance};
use crate::units::{ProductIndex, floor_to_i64};

/// An order as an agent asks for it; the platform checks it on arrival.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrderRequest {
    /// Index of the product in the scenario.
    pub product: ProductIndex,
    /// Buy or sell.
    pub side: Side,
    /// Limit (a remainder rests), IOC or market (a remainder is dropped).
    pub kind: OrderKind,
    /// Limit price in absolute ticks; ignored for market orders.
    pub price: i64,
    /// Size, in lots (at most the product's size limit, or it is rejected).
    pub lots: u32,
    /// Trade the whole size in one go or not at all.
    pub all_or_none: bool,
    /// How long a resting remainder may live, in nanoseconds (capped at the
    /// close): above 0 for a limit order; an IOC or market order never
    /// rests, so its is not read.
    pub ttl: i64,
}

impl OrderRequest {
    /// This order cut to what customer `id` can do: a buy to what its free
    /// cash pays for (a market buy reserves at the band top), a sale to what
    /// it may sell today, both to the size limit; None when nothing is left.
    pub fn within_means(mut self, ctx: &Context<'_>, id: u32) -> Option<OrderRequest> {
        let view = &ctx.snapshot.products[self.product as usize];
        self.lots = match self.side {
            Side::Buy => {
                let reserve_at = if self.kind == OrderKind::Market { view.band_hi } else { self.price };
                affordable(ctx, id, view, reserve_at, self.lots)
            }
            Side::Sell => sellable(ctx, id, self.product, self.lots),
        };
        (self.lots > 0).then_some(self)
    }
}

/// What a decision asks the platform to do; it arrives after the agent's latency.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Send a new order.
    Submit(OrderRequest),
    /// Withdraw one of the agent's resting orders (nothing happens if it is
    /// already done by then).
    Cancel {
        /// Index of the product whose book the order rests in.
        product: ProductIndex,
        /// The order's handle in that book.
        order: OrderId,
    },
    /// Change one of the agent's resting orders to limit `price` with `qty`
    /// lots left to trade, under the same handle, serial number and time
    /// to live. A new price or a larger size loses the order's time
    /// priority (it re-enters its new level at the back, trading first if
    /// it crosses); a smaller size at the same price keeps it. The platform
    /// checks the change as it would a new order (band, size limit; the
    /// credit gate when the size grows) and moves the reservation by the
    /// difference: a buy re-reserves `price × qty` against what it held, a
    /// sale reserves the extra lots, which must be sellable today (T+1); a
    /// reduction gives back what it no longer needs. A refused change
    /// leaves the order as it was; nothing happens if the order is done by
    /// the time the change arrives. A zero `qty` is refused (`size_limit`):
    /// withdraw an order with [`Action::Cancel`].
    Replace {
        /// Index of the product whose book the order rests in.
        product: ProductIndex,
        /// The order's handle in that book.
        order: OrderId,
        /// The new limit price, in absolute ticks.
        price: i64,
        /// The new number of lots left to trade (what already traded stays traded).
        qty: u32,
    },
}

/// An order of an agent's that is resting in a book, as the engine last told
/// it. `OrderId(0)` (never a valid handle) marks an empty slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LiveOrder {
    /// The order's handle in its product's book (`OrderId(0)`: none).
    pub order: OrderId,
    /// The low 32 bits of the order's serial number: enough to recognise its
    /// final event, since no order lives while 2^32 others are submitted.
    pub serial: u32,
    /// Index of the product whose book the order rests in.
    pub product: ProductIndex,
}

impl LiveOrder {
    /// The empty slot: no order resting.
    pub const NONE: LiveOrder = LiveOrder { order: OrderId(0), serial: 0, product: 0 };

    /// The order that just came to rest in `product`'s book with handle
    /// `order` and serial number `serial`.
    pub fn new(product: ProductIndex, order: OrderId, serial: u64) -> LiveOrder {
        LiveOrder { order, serial: serial as u32, product }
    }

    /// Whether the slot holds an order (is not [`LiveOrder::NONE`]).
    pub fn is_some(&self) -> bool {
        self.order != OrderId(0)
    }

    /// Whether this slot holds the order with serial number `serial`, so its
    /// final event may empty the slot (and an older order's may not).
    pub fn matches(&self, serial: u64) -> bool {
        self.is_some() && self.serial == serial as u32
    }

    /// The action that withdraws this order.
    pub fn cancel(self) -> Action {
        Action::Cancel { product: self.product, order: self.order }
    }

    /// The action that changes this order to limit `price` (absolute
    /// ticks) with `qty` lots left to trade ([`Action::Replace`]).
    pub fn replace(self, price: i64, qty: u32) -> Action {
        Action::Replace { product: self.product, order: self.order, price, qty }
    }
}

/// How the families that size their orders at random (herding, macro-driven,
/// zero intelligence) shape them: the size bounds and the shares of market
/// and all-or-none orders, from their parameters.
#[derive(Clone, Copy, Debug)]
pub(crate) struct OrderShape {
    /// Fewest lots in an order.
    pub(crate) min_lots: u32,
    /// Most lots in an order.
    pub(crate) max_lots: u32,
    /// Share of orders that are all-or-none, 0 to 1.
    pub(crate) aon: Chance,
    /// Share of orders sent as market orders, 0 to 1.
    pub(crate) market: Chance,
}

impl OrderShape {
    /// From a family's parameters; an unset `max_lots` is `min_lots` or
    /// `default_max`, whichever is larger.
    pub(crate) fn new(
        min_lots: i64,
        max_lots: Option<i64>,
        default_max: u32,
        aon_share: f64,
        market_share: f64,
    ) -> OrderShape {
        let min_lots = min_lots as u32;
        OrderShape {
            min_lots,
            max_lots: max_lots.map_or(min_lots.max(default_max), |m| m as u32),
            aon: Chance::new(aon_share),
            market: Chance::new(market_share),
        }
    }

    /// Draws a market-or-limit order's kind, whether it is all-or-none
    /// ([`draw_all_or_none`]) and its size, in that order, from `rng`.
    #[inline]
    pub(crate) fn draw(&self, rng: &mut AgentRng) -> (OrderKind, bool, u32) {
        let kind = if self.market.draw(rng) { OrderKind::Market } else { OrderKind::Limit };
        let all_or_none = draw_all_or_none(rng, &self.aon);
        (kind, all_or_none, self.draw_lots(rng))
    }

    /// Draws an order's size in lots, uniform over `min_lots..=max_lots`.
    #[inline]
    pub(crate) fn draw_lots(&self, rng: &mut AgentRng) -> u32 {
        rng.random_range(self.min_lots..=self.max_lots)
    }
}

/// Whether an order is all-or-none, with probability `share`. A zero share
/// draws nothing, so a family without such orders keeps the stream it had.
#[inline]
pub(crate) fn draw_all_or_none(rng: &mut AgentRng, share: &Chance) -> bool {
    share.p() > 0.0 && share.draw(rng)
}

/// Lots a customer can pay for at `price` (absolute ticks) with its free
/// cash, at most `want` and at most the platform's size limit.
pub fn affordable(ctx: &Context<'_>, id: u32, view: &ProductView, price: i64, want: u32) -> u32 {
    let per_lot = (price * view.lot_micros_per_tick).max(1);
    let cash = ctx.accounts.available_cash(id);
    // A balance inside an i64 (every balance but a whale's) divides in one
    // word: a 128-bit division is a library call, on every buy decision.
    let lots = match i64::try_from(cash) {
        Ok(cash) => i128::from(cash / per_lot),
        Err(_) => cash / i128::from(per_lot),
    };
    want.min(lots.clamp(0, i128::from(u32::MAX)) as u32).min(view.max_order_lots)
}

/// Lots a customer may offer in one sale: at most `want`, what it may sell
/// today (bought before today, not promised to a resting sell) and the
/// platform's size limit.
pub fn sellable(ctx: &Context<'_>, id: u32, product: ProductIndex, want: u32) -> u32 {
    let view = &ctx.snapshot.products[product as usize];
    want.min(ctx.accounts.sellable(product as usize, id, ctx.snapshot.day)).min(view.max_order_lots)
}

/// A customer caught in a run of sale applications wants out now: it
/// withdraws its resting orders and applies to sell every lot it may sell
/// today of the product it holds most of (the first on a tie), immediate or
/// cancel at the best bid, or at the floor of the anchor (mid, else NAV) when
/// no one bids. What the bids cannot take fails at once: a panicking seller
/// does not queue, it applies again if the panic still holds it. Nothing is
/// sent when it has nothing to sell. This is the seed paper's irrational
/// episode, "a significant number of applications for sale within a short
/// period".
pub fn panic_sale<S>(wake: Wake, agent: &Agent<S>, ctx: &Context<'_>, out: &mut Actions) {
    let day = ctx.snapshot.day;
    let held = |p: usize| ctx.accounts.sellable(p, wake.id, day);
    let best =
        (0..ctx.snapshot.products.len()).map(|p| (held(p), p)).max_by_key(|&(lots, p)| (lots, std::cmp::Reverse(p)));
    let Some((lots, product)) = best.filter(|&(lots, _)| lots > 0) else { return };
    agent.cancel_all(out);
    let view = &ctx.snapshot.products[product];
    let price = view.best_bid.unwrap_or(floor_to_i64(view.anchor())).clamp(view.band_lo, view.band_hi);
    out.put(Action::Submit(OrderRequest {
        product: product as u16,
        side: Side::Sell,
        kind: OrderKind::Ioc,
        price,
        lots: lots.min(view.max_order_lots),
        all_or_none: false,
        ttl: 0,
    }));
}

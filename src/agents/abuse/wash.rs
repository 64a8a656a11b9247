//! Wash trading: a customer trades with itself, selling lots and buying the
//! same lots back at the same price in one message, so that trades print
//! while its position does not change. The CFTC's definition: "entering
//! into, or purporting to enter into, transactions to give the appearance
//! that purchases and sales have been made, without incurring market risk
//! or changing the trader's market position" (CFTC glossary; Commodity
//! Exchange Act §4c(a)(2)(A)); the SEC's: a transaction "which involves no
//! change in beneficial ownership" (Securities Exchange Act of 1934
//! §9(a)(1)). Cumming, Johan & Li (2011), "Exchange trading rules and stock
//! market liquidity", Journal of Financial Economics 99(3), survey the
//! exchanges' rules against it.
//!
//! At a wake-up the trader looks for a price strictly inside the spread
//! (nearest the anchor): a sell there rests, as no bid reaches it, and the
//! immediate-or-cancel buy that follows at the same price meets the
//! cheapest ask, its own. With no tick inside the spread it waits. It may
//! sell only lots bought before today (T+1), so its sales draw on older
//! holdings and its purchases refill today's cohort; the buy needs the
//! credit score and the cash like any other.

use super::super::order::OrderRequest;
use super::super::params::minutes;
use super::super::{Action, Actions, Agent, Behaviour, Context, GroupSetup, Products, Wake};
use super::{lots, order};
use crate::book::{OrderKind, Side};
use crate::random::AgentRng;
use crate::scenario::Duration;

crate::behaviour_params! {
    /// Parameters of planted wash traders.
    pub struct WashParams {
        /// Lots washed at a wake-up (cut to what the trader may sell and can pay for).
        lots: i64 = 10, Int(1, 100_000_000), "a whole number of lots from 1 to 100,000,000";
        /// How long the sell may rest if its buy does not take it (at most to the close).
        order_ttl: Duration = minutes(1), PositiveDuration, "a duration above 0, e.g. \"1m\"";
    }
}

/// Planted wash traders.
#[derive(Clone, Debug)]
pub struct Wash {
    lots: u32,
    order_ttl: i64,
    products: Products,
}

impl Behaviour for Wash {
    type Params = WashParams;
    type State = ();
    const NAME: &'static str = "wash";
    const ABOUT: &'static str =
        "planted wash trader: sells and buys back the same lots from itself (CFTC, SEC §9(a)(1))";

    fn build(p: WashParams, setup: GroupSetup) -> Wash {
        Wash { lots: lots(p.lots, u32::MAX), order_ttl: p.order_ttl.0, products: setup.products }
    }

    fn init(&self, _rng: &mut AgentRng) {}

    fn decide(&self, wake: Wake, agent: &mut Agent<()>, ctx: &Context<'_>, out: &mut Actions) {
        let Some(product) = agent.pick_anew(&self.products, out) else { return };
        let view = &ctx.snapshot.products[product as usize];
        let lo = view.best_bid.map_or(view.band_lo, |b| b + 1).max(view.band_lo);
        let hi = view.best_ask.map_or(view.band_hi, |a| a - 1).min(view.band_hi);
        if lo > hi {
            return;
        }
        let price = (view.anchor().round() as i64).clamp(lo, hi);
        let leg = |side, kind, lots| order(product, side, kind, price, lots, self.order_ttl).within_means(ctx, wake.id);
        let Some(sell) = leg(Side::Sell, OrderKind::Limit, self.lots) else { return };
        let Some(buy) = leg(Side::Buy, OrderKind::Ioc, sell.lots) else { return };
        // Both legs the same size: the position does not change.
        out.put(Action::Submit(OrderRequest { lots: buy.lots, ..sell }));
        out.put(Action::Submit(buy));
    }
}

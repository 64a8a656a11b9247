//! Planted abuse: behaviours a scenario plants in a group with
//! `[[agents]] abuse = "..."` so that the risk report can be measured
//! against customers known to be abusive. Each is an ordinary
//! [`Behaviour`](super::Behaviour) and goes through the same order path as
//! every customer: the credit gate, T+1, the price band and its cash bind it.
//! A planted group is filed under its `family` (the report compares it
//! with that family), but decides by its abuse: wash trading ([`Wash`]),
//! spoofing ([`Spoof`]) and churning ([`Churn`]).

mod churn;
mod spoof;
mod wash;

pub use churn::{Churn, ChurnParams};
pub use spoof::{Spoof, SpoofParams};
pub use wash::{Wash, WashParams};

use super::order::OrderRequest;
use super::{Action, Actions, Context, ProductView, Wake};
use crate::book::{OrderKind, Side};
use crate::units::{ProductIndex, ceil_to_i64, floor_to_i64};

/// A lots parameter as lots: at least 1, at most `max`.
fn lots(n: i64, max: u32) -> u32 {
    n.clamp(1, i64::from(max)) as u32
}

/// An order of an abuse: never all-or-none (every abuse wants its trades
/// printed, in whatever sizes they come).
fn order(product: ProductIndex, side: Side, kind: OrderKind, price: i64, lots: u32, ttl: i64) -> OrderRequest {
    OrderRequest { product, side, kind, price, lots, all_or_none: false, ttl }
}

/// Sends `order` cut to the trader's means, unless nothing is left of it.
fn submit(order: OrderRequest, ctx: &Context<'_>, wake: Wake, out: &mut Actions) {
    out.push_some(order.within_means(ctx, wake.id).map(Action::Submit));
}

/// The price just inside the far touch on `side`'s opposite: the best ask
/// for a buy, the best bid for a sale, else the anchor rounded away from
/// the trader; within the day's band.
pub(crate) fn far_touch(view: &ProductView, buy: bool) -> i64 {
    let p = if buy {
        view.best_ask.unwrap_or(ceil_to_i64(view.anchor()))
    } else {
        view.best_bid.unwrap_or(floor_to_i64(view.anchor()))
    };
    p.clamp(view.band_lo, view.band_hi)
}

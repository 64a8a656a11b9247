//! Cash bounds: no single amount a scenario allows (a lot's value, an
//! order's cost, a trade's value) may overflow the i64 of micros the order
//! path computes it in, and no customer opens with more than a bound that
//! keeps the 128-bit balances' sums provably in range.

use super::agents::dist_name;
use super::*;

/// Most cash, in micros, that one amount may come to: a lot's value, an
/// order's cost (`max_order_lots` lots) or a trade's value. 1e12 currency
/// units, about a ninth of what an `i64` of micros holds (9.2e12 units), so
/// that every amount, and an order's new cost less what it held (each 0 to
/// 1e18 micros, the one combination the order path computes in an `i64`),
/// fits with room to spare.
pub(super) const MAX_AMOUNT_MICROS: i128 = 1_000_000_000_000_000_000;
/// Most cash, in micros, that one customer may open with: its budget's cap
/// plus the value of its initial lots' cap at the most a lot can cost, over
/// the products its group trades. 4e12 currency units: over the 5e7
/// customers a scenario may have, 2e20 units, which with the issuer's
/// quotas keeps every balance far inside an `i128` whatever the number of
/// products (ARCHITECTURE.md, "Money and prices").
pub(super) const MAX_OPENING_MICROS: i128 = 4_000_000_000_000_000_000;

/// Calendar days from the start date to the run's last business day (the
/// calendar's own dates). The NAV accrues over calendar days, so it is at its
/// highest or lowest there.
pub(super) fn last_business_day_elapsed(sim: &Simulation) -> i64 {
    let last = sim.business_dates().last().unwrap_or(sim.start_date);
    last.days_since_epoch() - sim.start_date.days_since_epoch()
}

/// Micros as currency units, exact, with thousands grouped: `1,020,000.5`.
pub(super) fn currency(micros: i128) -> String {
    let (units, frac) = (micros.abs() / 1_000_000, micros.abs() % 1_000_000);
    let digits = units.to_string();
    let mut out = String::from(if micros < 0 { "-" } else { "" });
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if frac > 0 {
        out.push_str(format!(".{frac:06}").trim_end_matches('0'));
    }
    out
}

/// A whole number with thousands grouped: `1,000,000`.
pub(super) fn grouped(n: i128) -> String {
    currency(n * 1_000_000)
}

/// Checks a product over the whole run, once its own fields are valid: its
/// price band holds a tick on every day, and no amount of cash it can give
/// rise to passes [`MAX_AMOUNT_MICROS`]. Returns the most a lot can cost, in
/// micros: the top of the band at the highest NAV of the run, which also
/// bounds the primary supply's price and what a redemption pays for a lot.
///
/// `last_day` is the calendar days from the start to the last business day.
/// The NAV, band and tick arithmetic is the engine's: both call
/// [`Product::nav_ticks_after`], [`Product::band_ticks`] and
/// [`Product::tick_micros`].
pub(super) fn product_over_run(at: &str, p: &Product, last_day: i64) -> Result<i128, Invalid> {
    let f = |name: &str| format!("{at}.{name}");
    // The NAV is monotone in time: at its lowest and highest on the first
    // day or the last.
    let (first, last) = (p.nav_ticks_after(0), p.nav_ticks_after(last_day));
    let (nav_low, nav_high) = (first.min(last), first.max(last));
    if nav_low * p.price_band < 1.0 {
        let nav = nav_low * p.tick_size;
        let falls = if nav > 0.0 { format!("falls to {nav:.6}") } else { format!("falls to {nav:.6}, not above 0,") };
        return Err(other(
            f("annual_yield"),
            format!(
                "at a yield of {} the NAV {falls} by the last day ({last_day} calendar days on), where a band of {} holds no tick of {}",
                p.annual_yield, p.price_band, p.tick_size
            ),
            "a band at least one tick wide on every day (NAV × price_band at least tick_size on the last day): a smaller negative yield, fewer days or a wider band".into(),
        ));
    }
    // The band top, as the engine rounds it, or the supply price (NAV rounded
    // up) if that were above it; a redemption pays at most NAV a unit.
    let top_ticks = p.band_ticks(nav_high).1.max((nav_high - 1e-9).ceil() as i64);
    let unit_top = i128::from(top_ticks) * i128::from(p.tick_micros());
    let lot_top = unit_top * i128::from(p.lot_size);
    let where_top = "at the top of the price band at the highest NAV of the run";
    if lot_top > MAX_AMOUNT_MICROS {
        return Err(other(
            f("lot_size"),
            format!(
                "a lot of {} units could cost up to {} currency units ({} a unit {where_top}), above the {} that one amount of cash may reach",
                grouped(i128::from(p.lot_size)),
                currency(lot_top),
                currency(unit_top),
                currency(MAX_AMOUNT_MICROS)
            ),
            format!(
                "a lot_size of at most {} for this product (a lot worth at most {} currency units {where_top})",
                grouped(MAX_AMOUNT_MICROS / unit_top),
                currency(MAX_AMOUNT_MICROS)
            ),
        ));
    }
    let order_top = lot_top * i128::from(p.max_order_lots);
    if order_top > MAX_AMOUNT_MICROS {
        return Err(other(
            f("max_order_lots"),
            format!(
                "an order of {} lots could cost up to {} currency units ({} a lot {where_top}), above the {} that one amount of cash may reach",
                grouped(i128::from(p.max_order_lots)),
                currency(order_top),
                currency(lot_top),
                currency(MAX_AMOUNT_MICROS)
            ),
            format!(
                "at most {} lots for this product (max_order_lots × the most a lot can cost at most {} currency units), or a smaller lot",
                grouped(MAX_AMOUNT_MICROS / lot_top),
                currency(MAX_AMOUNT_MICROS)
            ),
        ));
    }
    Ok(lot_top)
}

/// The most a draw of `d` can be once clipped to `lo`..=`hi` (as
/// `agents::draw` clips it): normal and lognormal draws reach `hi`.
pub(super) fn draw_cap(d: &Distribution, lo: f64, hi: f64) -> f64 {
    let top = match d.dist {
        DistKind::Fixed => d.value.unwrap_or(lo),
        DistKind::Uniform => d.max.unwrap_or(lo),
        DistKind::Normal | DistKind::Lognormal => hi,
    };
    top.clamp(lo, hi)
}

/// Checks that a customer of group `g` cannot open with more than
/// [`MAX_OPENING_MICROS`]: its budget's cap plus its initial lots' cap (drawn
/// for each product it trades) at the most a lot can cost (`lot_tops`, per
/// product, from [`product_over_run`]).
pub(super) fn opening_position(at: &str, g: &AgentGroup, products: &[Product], lot_tops: &[i128]) -> Check {
    let lots = draw_cap(&g.initial_lots, 0.0, MAX_INITIAL_LOTS).round() as i128;
    if lots == 0 {
        return Ok(());
    }
    let budget = (draw_cap(&g.budget, 0.0, MAX_BUDGET) * MICROS_PER_UNIT).round() as i128;
    let traded = |p: &Product| g.products.as_ref().is_none_or(|list| list.contains(&p.id));
    let (mut held, mut each) = (0i128, Vec::new());
    for (p, &top) in products.iter().zip(lot_tops).filter(|(p, _)| traded(p)) {
        held += lots * top;
        each.push(format!("{} a lot of {}", currency(top), p.id));
    }
    if budget + held <= MAX_OPENING_MICROS {
        return Ok(());
    }
    let unbounded = matches!(g.initial_lots.dist, DistKind::Normal | DistKind::Lognormal);
    bad(
        format!("{at}.initial_lots"),
        format!(
            "a customer may open with up to {} lots of each product it trades, worth up to {} currency units ({}), and a budget of up to {}: above the {} one account may start with",
            grouped(lots),
            currency(held),
            each.join(", "),
            currency(budget),
            currency(MAX_OPENING_MICROS)
        ),
        format!(
            "initial lots and a budget that come to at most {} currency units a customer (each lot at the top of the price band at the highest NAV of the run): a smaller initial_lots{} or a smaller lot",
            currency(MAX_OPENING_MICROS),
            if unbounded {
                format!(
                    " (a {} draw is capped only at {})",
                    dist_name(g.initial_lots.dist),
                    grouped(MAX_INITIAL_LOTS as i128)
                )
            } else {
                String::new()
            }
        ),
    )
}

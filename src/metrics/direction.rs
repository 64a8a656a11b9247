//! Each customer's net direction in each product in the current window (buy
//! orders less sell orders), kept so each (window, product)'s counts of net
//! buyers and net sellers — the inputs of the Lakonishok–Shleifer–Vishny
//! (1992) herding measure — move as orders arrive, without a pass over the
//! customers at each window's end.

use super::WindowStats;
use crate::book::Side;

/// Per (customer, product), customer-major: the window (plus one; 0 = none)
/// its count is for, and the count.
#[derive(Clone, Debug, Default)]
pub struct NetDirection {
    per_customer: Vec<(u32, i32)>,
    products: usize,
}

impl NetDirection {
    /// Room for account ids below `accounts`, each in `products` products.
    pub fn new(accounts: usize, products: usize) -> NetDirection {
        NetDirection { per_customer: vec![(0, 0); accounts * products], products }
    }

    /// Hints the CPU to load customer `id`'s counts before its order
    /// arrives: with a large population they are rarely in cache.
    #[inline]
    pub fn prefetch(&self, id: u32) {
        if let Some(entry) = self.per_customer.get(id as usize * self.products) {
            crate::cache::prefetch(entry);
        }
    }

    /// Customer `id` submits an order on `side` for `product` in window
    /// `window`; `stats` is that (window, product)'s record, whose net buyer
    /// and seller counts follow.
    #[inline]
    pub fn order(&mut self, window: usize, id: u32, product: usize, side: Side, stats: &mut WindowStats) {
        let Some((at, net)) = self.per_customer.get_mut(id as usize * self.products + product) else { return };
        let key = window as u32 + 1;
        if *at != key {
            *at = key;
            *net = 0;
        }
        let before = net.signum();
        *net += if side == Side::Buy { 1 } else { -1 };
        match (before, net.signum()) {
            (0, 1) => stats.net_buyers += 1,
            (1, 0) => stats.net_buyers -= 1,
            (0, -1) => stats.net_sellers += 1,
            (-1, 0) => stats.net_sellers -= 1,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_customer_counts_once_on_its_net_side_per_window() {
        let mut d = NetDirection::new(3, 1);
        let mut w = WindowStats::default();
        d.order(0, 1, 0, Side::Buy, &mut w);
        d.order(0, 1, 0, Side::Buy, &mut w);
        d.order(0, 2, 0, Side::Sell, &mut w);
        assert_eq!((w.net_buyers, w.net_sellers), (1, 1));
        // Customer 1 turns flat, then net seller.
        d.order(0, 1, 0, Side::Sell, &mut w);
        d.order(0, 1, 0, Side::Sell, &mut w);
        assert_eq!((w.net_buyers, w.net_sellers), (0, 1));
        d.order(0, 1, 0, Side::Sell, &mut w);
        assert_eq!((w.net_buyers, w.net_sellers), (0, 2));
        // A new window starts every count afresh.
        let mut next = WindowStats::default();
        d.order(1, 1, 0, Side::Buy, &mut next);
        assert_eq!((next.net_buyers, next.net_sellers), (1, 0));
    }

    #[test]
    fn each_product_keeps_its_own_direction() {
        let mut d = NetDirection::new(2, 2);
        let (mut a, mut b) = (WindowStats::default(), WindowStats::default());
        // Customer 1 buys product 0 and sells product 1 in the same window:
        // a net buyer of one and a net seller of the other, not flat.
        d.order(0, 1, 0, Side::Buy, &mut a);
        d.order(0, 1, 1, Side::Sell, &mut b);
        assert_eq!((a.net_buyers, a.net_sellers), (1, 0));
        assert_eq!((b.net_buyers, b.net_sellers), (0, 1));
        // Customer 0's entries do not touch customer 1's.
        d.order(0, 0, 1, Side::Sell, &mut b);
        assert_eq!((b.net_buyers, b.net_sellers), (0, 2));
    }
}

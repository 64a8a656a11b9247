//! Each customer's net direction in the current window (buy orders less sell
//! orders), kept so the window's counts of net buyers and net sellers — the
//! inputs of the Lakonishok–Shleifer–Vishny (1992) herding measure — move as
//! orders arrive, without a pass over the customers at each window's end.

use super::WindowEnv;
use crate::book::Side;

/// Per customer: the window (plus one; 0 = none) its count is for, and the count.
#[derive(Clone, Debug, Default)]
pub struct NetDirection {
    per_customer: Vec<(u32, i32)>,
}

impl NetDirection {
    /// Room for account ids below `accounts`.
    pub fn new(accounts: usize) -> NetDirection {
        NetDirection { per_customer: vec![(0, 0); accounts] }
    }

    /// Hints the CPU to load customer `id`'s count before its order
    /// arrives: with a large population it is rarely in cache.
    #[inline]
    pub fn prefetch(&self, id: u32) {
        if let Some(entry) = self.per_customer.get(id as usize) {
            crate::cache::prefetch(entry);
        }
    }

    /// Customer `id` submits an order on `side` in window `window`; `env`
    /// is that window's record, whose net buyer and seller counts follow.
    #[inline]
    pub fn order(&mut self, window: usize, id: u32, side: Side, env: &mut WindowEnv) {
        let Some((at, net)) = self.per_customer.get_mut(id as usize) else { return };
        let key = window as u32 + 1;
        if *at != key {
            *at = key;
            *net = 0;
        }
        let before = net.signum();
        *net += if side == Side::Buy { 1 } else { -1 };
        match (before, net.signum()) {
            (0, 1) => env.net_buyers += 1,
            (1, 0) => env.net_buyers -= 1,
            (0, -1) => env.net_sellers += 1,
            (-1, 0) => env.net_sellers -= 1,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_customer_counts_once_on_its_net_side_per_window() {
        let mut d = NetDirection::new(3);
        let mut env = WindowEnv::default();
        d.order(0, 1, Side::Buy, &mut env);
        d.order(0, 1, Side::Buy, &mut env);
        d.order(0, 2, Side::Sell, &mut env);
        assert_eq!((env.net_buyers, env.net_sellers), (1, 1));
        // Customer 1 turns flat, then net seller.
        d.order(0, 1, Side::Sell, &mut env);
        d.order(0, 1, Side::Sell, &mut env);
        assert_eq!((env.net_buyers, env.net_sellers), (0, 1));
        d.order(0, 1, Side::Sell, &mut env);
        assert_eq!((env.net_buyers, env.net_sellers), (0, 2));
        // A new window starts every count afresh.
        let mut next = WindowEnv::default();
        d.order(1, 1, Side::Buy, &mut next);
        assert_eq!((next.net_buyers, next.net_sellers), (1, 0));
    }
}

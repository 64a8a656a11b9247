//! The platform between customers and the books: accounts (cash and T+1
//! holdings), the checks every order passes before it reaches a book, and the
//! settlement of trades and redemptions.
//!
//! Invariants: a customer's cash, reserved cash and holdings never go
//! negative; every trade moves cash and lots between two accounts without
//! creating or destroying either (the platform, as issuer, creates lots when
//! it sells primary supply and retires them when it redeems).

use crate::book::Side;
use crate::engine::product::{ProductSpec, Redemption};

/// Account id of the platform itself.
pub const PLATFORM: u32 = 0;

/// Why the platform refused an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reject {
    CreditScore,
    SizeLimit,
    PriceBand,
    InsufficientCash,
    InsufficientShares,
    SessionClosed,
}

impl Reject {
    pub const ALL: [Reject; 6] = [
        Reject::CreditScore,
        Reject::SizeLimit,
        Reject::PriceBand,
        Reject::InsufficientCash,
        Reject::InsufficientShares,
        Reject::SessionClosed,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Reject::CreditScore => "credit_score",
            Reject::SizeLimit => "size_limit",
            Reject::PriceBand => "price_band",
            Reject::InsufficientCash => "insufficient_cash",
            Reject::InsufficientShares => "insufficient_shares",
            Reject::SessionClosed => "session_closed",
        }
    }
}

/// Lots of one product held by every account, by purchase day.
#[derive(Clone, Debug)]
struct Holdings {
    /// Ring of cohorts per account: `lots[account * ring + slot(day)]`.
    ring: usize,
    lots: Vec<u32>,
    total: Vec<u32>,
    /// Lots promised to resting sell orders.
    reserved: Vec<u32>,
}

impl Holdings {
    #[inline]
    fn slot(&self, account: u32, cohort: i64) -> usize {
        account as usize * self.ring + cohort.rem_euclid(self.ring as i64) as usize
    }
}

/// Every account's cash and holdings.
#[derive(Clone, Debug)]
pub struct Accounts {
    /// Cash in micros. The platform's may be negative: it is the issuer.
    cash: Vec<i64>,
    reserved_cash: Vec<i64>,
    score: Vec<f32>,
    holdings: Vec<Holdings>,
}

/// What an accepted order holds back until it is done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reservation {
    /// Micros per lot reserved for a buy (its limit, or the band top for a
    /// market buy); 0 for a sell, which reserves lots instead.
    pub per_lot: i64,
}

impl Accounts {
    pub fn new(n_accounts: usize, products: &[ProductSpec]) -> Accounts {
        Accounts {
            cash: vec![0; n_accounts],
            reserved_cash: vec![0; n_accounts],
            score: vec![0.0; n_accounts],
            holdings: products
                .iter()
                .map(|p| Holdings {
                    ring: p.ring_len(),
                    lots: vec![0; n_accounts * p.ring_len()],
                    total: vec![0; n_accounts],
                    reserved: vec![0; n_accounts],
                })
                .collect(),
        }
    }

    /// Hints the CPU to load what a decision of `account` reads; no effect on results.
    #[inline]
    pub fn prefetch(&self, account: u32) {
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
            let a = account as usize;
            // SAFETY: prefetches are hints; they read nothing and cannot fault,
            // and every pointer here is in bounds.
            unsafe {
                _mm_prefetch::<_MM_HINT_T0>(self.cash.as_ptr().add(a.min(self.cash.len() - 1)).cast());
                _mm_prefetch::<_MM_HINT_T0>(self.reserved_cash.as_ptr().add(a.min(self.cash.len() - 1)).cast());
                for h in &self.holdings {
                    _mm_prefetch::<_MM_HINT_T0>(h.total.as_ptr().add(a.min(h.total.len() - 1)).cast());
                    _mm_prefetch::<_MM_HINT_T0>(h.reserved.as_ptr().add(a.min(h.reserved.len() - 1)).cast());
                    let slot = (a * h.ring).min(h.lots.len() - 1);
                    _mm_prefetch::<_MM_HINT_T0>(h.lots.as_ptr().add(slot).cast());
                }
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = account;
    }

    pub fn n_accounts(&self) -> usize {
        self.cash.len()
    }

    /// Opening position of a customer: cash, credit score and lots held from
    /// before the start (cohort -1, sellable on the first day).
    pub fn open_account(&mut self, account: u32, cash: i64, score: f32, initial_lots: &[u32]) {
        let a = account as usize;
        self.cash[a] = cash;
        self.score[a] = score;
        for (h, &lots) in self.holdings.iter_mut().zip(initial_lots) {
            let slot = h.slot(account, -1);
            h.lots[slot] = lots;
            h.total[a] = lots;
        }
    }

    pub fn cash(&self, account: u32) -> i64 {
        self.cash[account as usize]
    }

    pub fn available_cash(&self, account: u32) -> i64 {
        self.cash[account as usize] - self.reserved_cash[account as usize]
    }

    pub fn score(&self, account: u32) -> f32 {
        self.score[account as usize]
    }

    /// Every account's credit score, for the end-of-day scoring pass.
    pub fn scores_mut(&mut self) -> &mut [f32] {
        &mut self.score
    }

    pub fn held(&self, product: usize, account: u32) -> u32 {
        self.holdings[product].total[account as usize]
    }

    /// Lots the account may sell on `day`: held, bought before `day`, not
    /// already promised to a resting sell.
    #[inline]
    pub fn sellable(&self, product: usize, account: u32, day: u32) -> u32 {
        let h = &self.holdings[product];
        let a = account as usize;
        h.total[a] - h.lots[h.slot(account, i64::from(day))] - h.reserved[a]
    }

    /// Lots the account bought `holding_limit` business days before `day`:
    /// unless sold today, the platform redeems them at the close (with the
    /// penalty, if the term has not ended first).
    #[inline]
    pub fn due_today(&self, product: usize, account: u32, day: u32) -> u32 {
        let h = &self.holdings[product];
        h.lots[h.slot(account, i64::from(day) - h.ring as i64 + 1)]
    }

    /// The platform checks, in the order a customer would hear of them. On
    /// success the cash or lots are reserved until the order is done.
    #[allow(clippy::too_many_arguments)]
    pub fn check_and_reserve(
        &mut self,
        account: u32,
        product: usize,
        spec: &ProductSpec,
        day: u32,
        side: Side,
        limit: Option<i64>,
        lots: u32,
    ) -> Result<Reservation, Reject> {
        if account == PLATFORM {
            return Ok(Reservation { per_lot: 0 });
        }
        let d = day as usize;
        if f64::from(self.score[account as usize]) < spec.min_credit_score {
            return Err(Reject::CreditScore);
        }
        if lots == 0 || lots > spec.max_order_lots {
            return Err(Reject::SizeLimit);
        }
        if let Some(p) = limit
            && (p < spec.band_lo[d] || p > spec.band_hi[d])
        {
            return Err(Reject::PriceBand);
        }
        match side {
            Side::Buy => {
                let per_lot = spec.value(limit.unwrap_or(spec.band_hi[d]), 1);
                let need = per_lot * i64::from(lots);
                if self.available_cash(account) < need {
                    return Err(Reject::InsufficientCash);
                }
                self.reserved_cash[account as usize] += need;
                Ok(Reservation { per_lot })
            }
            Side::Sell => {
                if self.sellable(product, account, day) < lots {
                    return Err(Reject::InsufficientShares);
                }
                self.holdings[product].reserved[account as usize] += lots;
                Ok(Reservation { per_lot: 0 })
            }
        }
    }

    /// Gives back what an order still holds when it is done with `lots` unfilled.
    pub fn release(&mut self, account: u32, product: usize, side: Side, r: Reservation, lots: u32) {
        if account == PLATFORM || lots == 0 {
            return;
        }
        match side {
            Side::Buy => self.reserved_cash[account as usize] -= r.per_lot * i64::from(lots),
            Side::Sell => self.holdings[product].reserved[account as usize] -= lots,
        }
    }

    /// Moves cash and lots for one trade. `buyer_reserved` is what the buy
    /// order reserved per lot; the difference to the price is freed.
    #[allow(clippy::too_many_arguments)]
    pub fn settle(
        &mut self,
        product: usize,
        day: u32,
        buyer: u32,
        seller: u32,
        value: i64,
        lots: u32,
        buyer_reserved: Reservation,
    ) {
        let (b, s) = (buyer as usize, seller as usize);
        self.cash[b] -= value;
        self.cash[s] += value;
        let h = &mut self.holdings[product];
        if buyer != PLATFORM {
            self.reserved_cash[b] -= buyer_reserved.per_lot * i64::from(lots);
            let slot = h.slot(buyer, i64::from(day));
            h.lots[slot] += lots;
            h.total[b] += lots;
        }
        if seller != PLATFORM {
            h.reserved[s] -= lots;
            h.total[s] -= lots;
            // Oldest cohorts go first: they are the nearest to their deadline.
            let mut left = lots;
            for cohort in (i64::from(day) - h.ring as i64 + 1)..i64::from(day) {
                let slot = h.slot(seller, cohort);
                let take = left.min(h.lots[slot]);
                h.lots[slot] -= take;
                left -= take;
                if left == 0 {
                    break;
                }
            }
            debug_assert_eq!(left, 0, "sold lots that were not sellable");
        }
    }

    /// Redeems one cohort of every account at `per_lot` micros a lot, calling
    /// `each(account, lots)` for every account that held some.
    pub fn redeem(&mut self, product: usize, r: Redemption, per_lot: i64, mut each: impl FnMut(u32, u32)) {
        let h = &mut self.holdings[product];
        for account in 1..self.cash.len() as u32 {
            let slot = h.slot(account, r.cohort);
            let lots = h.lots[slot];
            if lots == 0 {
                continue;
            }
            h.lots[slot] = 0;
            h.total[account as usize] -= lots;
            let value = per_lot * i64::from(lots);
            self.cash[account as usize] += value;
            self.cash[PLATFORM as usize] -= value;
            each(account, lots);
        }
    }

    /// Sum of all cash, the platform's included (constant across trades and redemptions).
    pub fn total_cash(&self) -> i128 {
        self.cash.iter().map(|&c| i128::from(c)).sum()
    }

    /// True when no customer balance is negative and reservations fit holdings.
    pub fn all_non_negative(&self) -> bool {
        (1..self.cash.len()).all(|a| {
            self.cash[a] >= 0
                && self.reserved_cash[a] >= 0
                && self.reserved_cash[a] <= self.cash[a]
                && self.holdings.iter().all(|h| h.reserved[a] <= h.total[a])
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Calendar;
    use crate::scenario;

    fn spec(limit: i64) -> ProductSpec {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/baseline.toml")).unwrap();
        let mut s = scenario::parse(std::path::Path::new("baseline.toml"), &text).unwrap();
        s.products[0].holding_limit_days = limit;
        s.products[0].term_days = 30;
        ProductSpec::new(&s.products[0], &Calendar::new(&s.simulation))
    }

    /// Platform account 0 and one customer with `cash` currency units and `score`.
    fn accounts(spec: &ProductSpec, cash: i64, score: f32, initial: u32) -> Accounts {
        let mut a = Accounts::new(2, std::slice::from_ref(spec));
        a.open_account(1, cash * 1_000_000, score, &[initial]);
        a
    }

    #[test]
    fn checks_run_in_order_and_reserve_what_they_approve() {
        let s = spec(3);
        let mut a = accounts(&s, 1_000, 600.0, 0);
        let nav = s.supply_price(0);
        assert_eq!(a.check_and_reserve(1, 0, &s, 0, Side::Buy, Some(nav), 20_000), Err(Reject::SizeLimit));
        assert_eq!(a.check_and_reserve(1, 0, &s, 0, Side::Buy, Some(nav * 2), 1), Err(Reject::PriceBand));
        assert_eq!(a.check_and_reserve(1, 0, &s, 0, Side::Buy, Some(nav), 11), Err(Reject::InsufficientCash));
        assert_eq!(a.check_and_reserve(1, 0, &s, 0, Side::Sell, Some(nav), 1), Err(Reject::InsufficientShares));
        let r = a.check_and_reserve(1, 0, &s, 0, Side::Buy, Some(nav), 10).unwrap();
        assert_eq!(a.available_cash(1), 0, "10 lots of 100 units at 1.0 reserve all 1,000");
        a.release(1, 0, Side::Buy, r, 10);
        assert_eq!(a.available_cash(1), 1_000_000_000);
        let mut poor = accounts(&s, 1_000, 500.0, 0);
        assert_eq!(poor.check_and_reserve(1, 0, &s, 0, Side::Buy, Some(nav), 1), Err(Reject::CreditScore));
    }

    #[test]
    fn bought_lots_are_sellable_only_from_the_next_day() {
        let s = spec(3);
        let mut a = accounts(&s, 1_000, 600.0, 0);
        let nav = s.supply_price(0);
        let r = a.check_and_reserve(1, 0, &s, 0, Side::Buy, Some(nav), 5).unwrap();
        a.settle(0, 0, 1, PLATFORM, s.value(nav, 5), 5, r);
        assert_eq!(a.held(0, 1), 5);
        assert_eq!(a.sellable(0, 1, 0), 0, "T: not yet");
        assert_eq!(a.sellable(0, 1, 1), 5, "T+1: sellable");
        assert_eq!(a.total_cash(), 1_000_000_000, "cash moved, none created");
        assert!(a.all_non_negative());
    }

    #[test]
    fn redemption_takes_only_the_cohort_at_its_deadline() {
        let s = spec(2);
        let mut a = accounts(&s, 1_000, 600.0, 4);
        let nav = s.supply_price(0);
        let r = a.check_and_reserve(1, 0, &s, 1, Side::Buy, Some(nav), 3).unwrap();
        a.settle(0, 1, 1, PLATFORM, s.value(nav, 3), 3, r);
        // Day 1's close redeems the lots held from before the start (cohort -1, limit 2).
        let mut seen = Vec::new();
        let due = s.redemptions[1].clone();
        for red in due {
            a.redeem(0, red, s.redeem_penalised[1], |acct, lots| seen.push((acct, lots, red.failed)));
        }
        assert_eq!(seen, [(1, 4, true)]);
        assert_eq!(a.held(0, 1), 3);
        assert_eq!(a.total_cash(), 1_000_000_000, "the platform paid what the customer got");
    }
}

//! The platform between customers and the books: accounts (cash and T+1
//! holdings), the checks every order passes before it reaches a book, and the
//! settlement of trades and redemptions.
//!
//! Invariants: a customer's cash, reserved cash and holdings never go
//! negative; every trade moves cash and lots between two accounts without
//! creating or destroying either (the platform, as issuer, creates lots when
//! it sells primary supply and retires them when it redeems).

use crate::book::Side;
use crate::cache::prefetch;
use crate::product::{ProductSpec, Redemption};

/// Account id of the platform itself.
pub const PLATFORM: u32 = 0;

/// Why the platform refused an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reject {
    /// The customer's credit score is below the product's minimum (buys
    /// only, unless the product's `credit_gate` is `all`).
    CreditScore,
    /// No lots, or more than the product's largest order.
    SizeLimit,
    /// The limit price is outside the day's price band.
    PriceBand,
    /// A buy's cost (at its limit, or the band top for a market buy) exceeds
    /// the customer's free cash.
    InsufficientCash,
    /// A sale of more lots than the customer may sell today (T+1, less what
    /// resting sells have promised).
    InsufficientShares,
    /// The order arrived at or after the session's close.
    SessionClosed,
}

impl Reject {
    /// Every reason, in the order the counts are kept (`reason as usize`).
    pub const ALL: [Reject; 6] = [
        Reject::CreditScore,
        Reject::SizeLimit,
        Reject::PriceBand,
        Reject::InsufficientCash,
        Reject::InsufficientShares,
        Reject::SessionClosed,
    ];

    /// The reason as the outputs spell it (`credit_score`, …).
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

/// Lots of one product held by every account, by purchase day. One record
/// per account, `stride` words: [total, reserved, cohort ring …], so what a
/// check or a trade reads of a holding is one cache line.
#[derive(Clone, Debug)]
struct Holdings {
    /// Cohorts kept per account: the purchase days alive at one day's close.
    ring: usize,
    stride: usize,
    words: Vec<u32>,
}

const TOTAL: usize = 0;
/// Lots promised to resting sell orders.
const RESERVED: usize = 1;
const RING: usize = 2;

impl Holdings {
    #[inline]
    fn of(&self, account: u32) -> &[u32] {
        let a = account as usize * self.stride;
        &self.words[a..a + self.stride]
    }

    #[inline]
    fn of_mut(&mut self, account: u32) -> &mut [u32] {
        let a = account as usize * self.stride;
        &mut self.words[a..a + self.stride]
    }

    /// Index of a cohort (purchase day) in an account's record.
    #[inline]
    fn cohort(&self, cohort: i64) -> usize {
        RING + cohort.rem_euclid(self.ring as i64) as usize
    }
}

/// What the platform keeps of one account apart from its holdings: cash,
/// credit score and the behaviour an order, a cancel or a trade counts,
/// together in one cache line. The rarer counts are in [`RareCounts`].
#[derive(Clone, Copy, Debug, Default)]
#[repr(C, align(64))]
pub struct Account {
    /// A customer's cash in micros, an `i128` so that no balance a run can
    /// reach overflows it (ARCHITECTURE.md, "Money and prices"). The
    /// platform's stays 0: the issuer's balance, which may be negative, is
    /// kept apart ([`Accounts::issuer_cash`]).
    pub cash: i128,
    /// Cash promised to resting buy orders, in micros; never above `cash`.
    pub reserved_cash: i128,
    /// Credit score, 0–1000 points: the opening score, then each day's end-of-day one.
    pub score: f32,
    /// Orders that reached the platform, rejected ones included.
    pub orders: u32,
    /// Cancel requests that reached the platform, too-late ones included.
    pub cancels: u32,
    /// Orders the platform refused (any [`Reject`]).
    pub rejections: u32,
    /// Orders refused for want of cash or sellable lots, for their size or
    /// for their price band: the refusals the customer could have avoided
    /// (the credit gate's and the close's are the platform's).
    pub unbacked: u32,
    /// Trades in which the account was both buyer and seller.
    pub self_trades: u32,
    /// Sale fills that took lots bought on the previous business day: a
    /// round trip closed as soon as T+1 allows (opening holdings apart).
    pub next_day_resales: u32,
    /// Sale fills (trades in which the account sold).
    pub sale_fills: u32,
}

/// Counts of an account's rarer events, kept beside its [`Account`] so that
/// the record an order reads stays one cache line with 128-bit balances.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RareCounts {
    /// Holdings redeemed at the holding limit (one per product and purchase day).
    pub failed_sales: u32,
    /// Resting orders that left the book unfilled or part-filled, cancelled
    /// or at their time to live, within [`FLEETING_NS`] of arriving.
    pub fleeting: u32,
}

/// How soon after arriving an order that leaves the book unfilled counts as
/// fleeting: 2 seconds, the fleeting limit orders of Hasbrouck & Saar
/// (2009), "Technology and liquidity provision: The blurring of traditional
/// definitions", Journal of Financial Markets 12(2).
pub const FLEETING_NS: i64 = 2_000_000_000;

const _: () = assert!(std::mem::size_of::<Account>() == 64, "an account's record is one cache line");

/// Every account's cash and holdings.
#[derive(Clone, Debug)]
pub struct Accounts {
    accounts: Vec<Account>,
    rare: Vec<RareCounts>,
    holdings: Vec<Holdings>,
    /// Account ids of dealers (market makers), exempt from T+1.
    dealers: Vec<std::ops::Range<u32>>,
    /// The platform's (issuer's) cash in micros: what it took for primary
    /// supply less what it paid out in redemptions, over every customer, so
    /// an `i128` (no scenario rule can bound it within an `i64`:
    /// ARCHITECTURE.md, "Money and prices").
    issuer: i128,
    /// Set when a buy took a customer's holding of a product past the
    /// `u32::MAX` lots its counter holds (ARCHITECTURE.md, "Money and
    /// prices"): the run's lots are wrong from then on and it is refused.
    holdings_overflow: bool,
}

/// What an accepted order holds back until it is done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reservation {
    /// Micros per lot reserved for a buy (its limit, or the band top for a
    /// market buy); 0 for a sell, which reserves lots instead.
    pub per_lot: i64,
}

impl Accounts {
    /// `n_accounts` empty accounts (no cash, no lots, score 0) holding the
    /// given products; account 0 is the platform.
    pub fn new(n_accounts: usize, products: &[ProductSpec]) -> Accounts {
        Accounts {
            accounts: vec![Account::default(); n_accounts],
            rare: vec![RareCounts::default(); n_accounts],
            holdings: products
                .iter()
                .map(|p| {
                    let stride = RING + p.ring_len();
                    Holdings { ring: p.ring_len(), stride, words: vec![0; n_accounts * stride] }
                })
                .collect(),
            dealers: Vec::new(),
            issuer: 0,
            holdings_overflow: false,
        }
    }

    /// Whether a customer's holding of a product ever passed `u32::MAX`
    /// lots (the run cannot be trusted: [`crate::engine::Outcome::check`]).
    pub fn holdings_overflowed(&self) -> bool {
        self.holdings_overflow
    }

    /// Hints the CPU to load what a decision of `account` reads; no effect on results.
    #[inline]
    pub fn prefetch(&self, account: u32) {
        let a = account as usize;
        if let Some(acc) = self.accounts.get(a) {
            prefetch(acc);
        }
        for h in &self.holdings {
            if let Some(w) = h.words.get(a * h.stride) {
                prefetch(w);
            }
        }
    }

    /// How many accounts there are, the platform's included.
    pub fn n_accounts(&self) -> usize {
        self.accounts.len()
    }

    /// An account's cash, score and behaviour counts.
    #[inline]
    pub fn account(&self, account: u32) -> &Account {
        &self.accounts[account as usize]
    }

    /// The behaviour counts are the engine's to keep.
    #[inline]
    pub fn account_mut(&mut self, account: u32) -> &mut Account {
        &mut self.accounts[account as usize]
    }

    /// Opening position of a customer: cash, credit score and lots held from
    /// before the start (cohort -1, sellable on the first day).
    pub fn open_account(&mut self, account: u32, cash: i64, score: f32, initial_lots: &[u32]) {
        let acc = &mut self.accounts[account as usize];
        acc.cash = i128::from(cash);
        acc.score = score;
        for (h, &lots) in self.holdings.iter_mut().zip(initial_lots) {
            let c = h.cohort(-1);
            let rec = h.of_mut(account);
            rec[c] = lots;
            rec[TOTAL] = lots;
        }
    }

    /// An account's cash in micros, reserved cash included.
    pub fn cash(&self, account: u32) -> i128 {
        self.accounts[account as usize].cash
    }

    /// Cash in micros not promised to resting buys: what a new buy may spend.
    #[inline]
    pub fn available_cash(&self, account: u32) -> i128 {
        let a = &self.accounts[account as usize];
        a.cash - a.reserved_cash
    }

    /// An account's credit score, 0–1000 points.
    pub fn score(&self, account: u32) -> f32 {
        self.accounts[account as usize].score
    }

    /// Every account, for the end-of-day scoring pass.
    pub fn all_mut(&mut self) -> &mut [Account] {
        &mut self.accounts
    }

    /// An account's rarer counts: failed sales and fleeting orders.
    #[inline]
    pub fn rare(&self, account: u32) -> &RareCounts {
        &self.rare[account as usize]
    }

    /// The rarer counts are the engine's to keep, as the behaviour counts
    /// are. They are written only at a redemption at the holding limit or
    /// when a resting order leaves the book early, so they live outside the
    /// record every order reads.
    #[inline]
    pub fn rare_mut(&mut self, account: u32) -> &mut RareCounts {
        &mut self.rare[account as usize]
    }

    /// Lots of `product` the account holds, whatever their purchase day and
    /// whether resting sells have promised them.
    pub fn held(&self, product: usize, account: u32) -> u32 {
        self.holdings[product].of(account)[TOTAL]
    }

    /// Lots of `product` the account has promised to its resting sells.
    pub fn reserved_lots(&self, product: usize, account: u32) -> u32 {
        self.holdings[product].of(account)[RESERVED]
    }

    /// Lots the account may sell on `day`: held, bought before `day` (or
    /// today too, for a dealer), not already promised to a resting sell.
    #[inline]
    pub fn sellable(&self, product: usize, account: u32, day: u32) -> u32 {
        let h = &self.holdings[product];
        let rec = h.of(account);
        let today = if self.is_dealer(account) { 0 } else { rec[h.cohort(i64::from(day))] };
        rec[TOTAL] - today - rec[RESERVED]
    }

    /// Lots the account bought on `day` that T+1 keeps it from selling
    /// before the next business day (none for a dealer, whom T+1 does not bind).
    #[inline]
    pub fn locked_today(&self, product: usize, account: u32, day: u32) -> u32 {
        if self.is_dealer(account) {
            return 0;
        }
        let h = &self.holdings[product];
        h.of(account)[h.cohort(i64::from(day))]
    }

    /// Accounts `ids` are dealers (market makers): exempt from T+1, they
    /// may resell within the day what they bought today.
    pub fn add_dealers(&mut self, ids: std::ops::Range<u32>) {
        if !ids.is_empty() {
            self.dealers.push(ids);
        }
    }

    /// Whether `account` is a dealer: a scan of a handful of ranges, which
    /// stay in cache.
    #[inline]
    pub fn is_dealer(&self, account: u32) -> bool {
        self.dealers.iter().any(|r| r.contains(&account))
    }

    /// Lots the account bought `holding_limit` business days before `day`:
    /// unless sold today, the platform redeems them at the close (with the
    /// penalty, if the term has not ended first).
    #[inline]
    pub fn due_today(&self, product: usize, account: u32, day: u32) -> u32 {
        let h = &self.holdings[product];
        h.of(account)[h.cohort(i64::from(day) - h.ring as i64 + 1)]
    }

    /// The platform checks, in the order a customer would hear of them. On
    /// success the cash or lots are reserved until the order is done.
    #[inline]
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
        // The gate vets subscriptions: a holder may always sell.
        self.vet(account, spec, day, side, true, limit, lots)?;
        let per_lot = match side {
            Side::Buy => spec.value(limit.unwrap_or(spec.band_hi[day as usize]), 1),
            Side::Sell => 0,
        };
        self.reserve_more(account, product, day, side, per_lot, lots, (0, 0))
    }

    /// The platform checks for changing a resting order of `side` from
    /// `old` to `new`, each (limit price in absolute ticks, lots left to
    /// trade); `filled` is what the order has already traded. The same
    /// checks as a new order's, in the same order, except that the credit
    /// gate vets only a change that asks for more lots, and that cash or
    /// lots are checked and reserved for the difference: a buy's
    /// reservation becomes `new` price × lots (a cheaper or smaller buy gives
    /// cash back), a sale reserves the extra lots, which must be sellable
    /// today, or gives back the ones it no longer offers. On refusal nothing
    /// changes.
    #[allow(clippy::too_many_arguments)]
    pub fn check_and_rereserve(
        &mut self,
        account: u32,
        product: usize,
        spec: &ProductSpec,
        day: u32,
        side: Side,
        filled: u32,
        old: (i64, u32),
        new: (i64, u32),
    ) -> Result<Reservation, Reject> {
        if account == PLATFORM {
            return Ok(Reservation { per_lot: 0 });
        }
        let ((old_limit, old_lots), (limit, lots)) = (old, new);
        self.vet(account, spec, day, side, lots > old_lots, Some(limit), lots)?;
        if filled.checked_add(lots).is_none() {
            return Err(Reject::SizeLimit);
        }
        let (per_lot, held) = match side {
            Side::Buy => (spec.value(limit, 1), spec.value(old_limit, 1) * i64::from(old_lots)),
            Side::Sell => (0, 0),
        };
        self.reserve_more(account, product, day, side, per_lot, lots, (held, old_lots))
    }

    /// The checks before cash or lots: the credit gate (buys, or every
    /// order if the product gates sales too; only when `gated`), the size,
    /// the band (unless a market order's `limit` is None).
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn vet(
        &self,
        account: u32,
        spec: &ProductSpec,
        day: u32,
        side: Side,
        gated: bool,
        limit: Option<i64>,
        lots: u32,
    ) -> Result<(), Reject> {
        let d = day as usize;
        if gated
            && (side == Side::Buy || spec.gate_sales)
            && f64::from(self.accounts[account as usize].score) < spec.min_credit_score
        {
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
        Ok(())
    }

    /// Reserves `lots` at `per_lot` micros (a buy) or `lots` lots (a sale)
    /// for an order that holds `held` (micros, lots) already: checks and
    /// takes only what it needs beyond that, or gives back what it no
    /// longer needs.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn reserve_more(
        &mut self,
        account: u32,
        product: usize,
        day: u32,
        side: Side,
        per_lot: i64,
        lots: u32,
        held: (i64, u32),
    ) -> Result<Reservation, Reject> {
        match side {
            Side::Buy => {
                let more = i128::from(per_lot * i64::from(lots) - held.0);
                if more > 0 && self.available_cash(account) < more {
                    return Err(Reject::InsufficientCash);
                }
                self.accounts[account as usize].reserved_cash += more;
                Ok(Reservation { per_lot })
            }
            Side::Sell => {
                if lots > held.1 && self.sellable(product, account, day) < lots - held.1 {
                    return Err(Reject::InsufficientShares);
                }
                let rec = self.holdings[product].of_mut(account);
                rec[RESERVED] = rec[RESERVED] + lots - held.1;
                Ok(Reservation { per_lot: 0 })
            }
        }
    }

    /// Gives back what an order still holds when it is done with `lots` unfilled.
    #[inline]
    pub fn release(&mut self, account: u32, product: usize, side: Side, r: Reservation, lots: u32) {
        if account == PLATFORM || lots == 0 {
            return;
        }
        match side {
            Side::Buy => self.accounts[account as usize].reserved_cash -= i128::from(r.per_lot * i64::from(lots)),
            Side::Sell => self.holdings[product].of_mut(account)[RESERVED] -= lots,
        }
    }

    /// Moves cash and lots for one trade. `buyer_reserved` is what the buy
    /// order reserved per lot; the difference to the price is freed.
    #[inline]
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
        let seller_is_dealer = self.is_dealer(seller);
        let h = &mut self.holdings[product];
        if buyer != PLATFORM {
            // The buyer reserved at least `value`, so its cash stays >= 0.
            let acc = &mut self.accounts[buyer as usize];
            acc.cash -= i128::from(value);
            acc.reserved_cash -= i128::from(buyer_reserved.per_lot * i64::from(lots));
            let c = h.cohort(i64::from(day));
            let rec = h.of_mut(buyer);
            // A cohort is part of the total, so only the total can pass the
            // counter's bound first.
            let (total, wrapped) = rec[TOTAL].overflowing_add(lots);
            rec[TOTAL] = total;
            rec[c] = rec[c].wrapping_add(lots);
            self.holdings_overflow |= wrapped;
        } else {
            self.issuer -= i128::from(value);
        }
        if seller != PLATFORM {
            let acc = &mut self.accounts[seller as usize];
            acc.cash += i128::from(value);
            let (first, ring) = (i64::from(day) - h.ring as i64 + 1, h.ring as i64);
            let rec = h.of_mut(seller);
            rec[RESERVED] -= lots;
            rec[TOTAL] -= lots;
            // Oldest cohorts go first: they are the nearest to their
            // deadline; a dealer's sale may reach today's.
            let last = i64::from(day) + i64::from(seller_is_dealer);
            let mut left = lots;
            let mut next_day = false;
            for cohort in first..last {
                let c = RING + cohort.rem_euclid(ring) as usize;
                let take = left.min(rec[c]);
                rec[c] -= take;
                left -= take;
                next_day |= take > 0 && cohort >= 0 && cohort + 1 == i64::from(day);
                if left == 0 {
                    break;
                }
            }
            debug_assert_eq!(left, 0, "sold lots that were not sellable");
            acc.next_day_resales += u32::from(next_day);
            acc.sale_fills += 1;
        } else {
            self.issuer += i128::from(value);
        }
    }

    /// Redeems one cohort of every account at `per_lot` micros a lot, calling
    /// `each(account, lots)` for every account that held some.
    pub fn redeem(&mut self, product: usize, r: Redemption, per_lot: i64, mut each: impl FnMut(u32, u32)) {
        let h = &mut self.holdings[product];
        let c = h.cohort(r.cohort);
        for account in 1..self.accounts.len() as u32 {
            let rec = h.of_mut(account);
            let lots = rec[c];
            if lots == 0 {
                continue;
            }
            rec[c] = 0;
            rec[TOTAL] -= lots;
            // A lot's value is bounded by validation, a holding is not.
            let value = i128::from(per_lot) * i128::from(lots);
            self.accounts[account as usize].cash += value;
            self.issuer -= value;
            each(account, lots);
        }
    }

    /// Sum of all cash, the platform's included (constant across trades and redemptions).
    pub fn total_cash(&self) -> i128 {
        self.issuer + self.accounts.iter().map(|a| a.cash).sum::<i128>()
    }

    /// The platform's (issuer's) cash in micros: primary supply sold less
    /// redemptions paid. Negative when it has paid out more than it took.
    pub fn issuer_cash(&self) -> i128 {
        self.issuer
    }

    /// Whether no customer has cash or lots reserved: true once every order
    /// is done (after the close), when every reservation has been given back.
    pub fn nothing_reserved(&self) -> bool {
        (1..self.accounts.len())
            .all(|a| self.accounts[a].reserved_cash == 0 && self.holdings.iter().all(|h| h.of(a as u32)[RESERVED] == 0))
    }

    /// True when no customer balance is negative and reservations fit holdings.
    pub fn all_non_negative(&self) -> bool {
        (1..self.accounts.len()).all(|a| {
            let acc = &self.accounts[a];
            acc.cash >= 0
                && acc.reserved_cash >= 0
                && acc.reserved_cash <= acc.cash
                && self.holdings.iter().all(|h| {
                    let rec = h.of(a as u32);
                    rec[RESERVED] <= rec[TOTAL]
                })
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
        let mut s =
            scenario::parse(std::path::Path::new("baseline.toml"), &text, &crate::agents::Registry::builtin()).unwrap();
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
    fn the_credit_gate_vets_subscriptions_and_never_a_holders_sale_unless_asked() {
        let mut s = spec(3);
        let nav = s.supply_price(0);
        let mut poor = accounts(&s, 1_000, 500.0, 5);
        assert_eq!(poor.check_and_reserve(1, 0, &s, 0, Side::Buy, Some(nav), 1), Err(Reject::CreditScore));
        assert!(poor.check_and_reserve(1, 0, &s, 0, Side::Sell, Some(nav), 5).is_ok(), "a holder may always sell");
        s.gate_sales = true;
        let mut poor = accounts(&s, 1_000, 500.0, 5);
        assert_eq!(poor.check_and_reserve(1, 0, &s, 0, Side::Sell, Some(nav), 5), Err(Reject::CreditScore));
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

    /// Market makers are dealers: T+1 does not bind them, so what a dealer
    /// bought today it may sell today, oldest lots first, while a customer
    /// beside it waits for the next day.
    #[test]
    fn a_dealer_resells_today_what_it_bought_today() {
        let s = spec(3);
        let mut a = Accounts::new(3, std::slice::from_ref(&s));
        a.open_account(1, 2_000 * 1_000_000, 800.0, &[2]);
        a.open_account(2, 2_000 * 1_000_000, 800.0, &[0]);
        a.add_dealers(1..2);
        assert!(a.is_dealer(1) && !a.is_dealer(2) && !a.is_dealer(PLATFORM));
        let nav = s.supply_price(0);
        for buyer in [1, 2] {
            let r = a.check_and_reserve(buyer, 0, &s, 0, Side::Buy, Some(nav), 5).unwrap();
            a.settle(0, 0, buyer, PLATFORM, s.value(nav, 5), 5, r);
        }
        assert_eq!((a.sellable(0, 1, 0), a.locked_today(0, 1, 0)), (7, 0), "the dealer: all 7 lots, today");
        assert_eq!((a.sellable(0, 2, 0), a.locked_today(0, 2, 0)), (0, 5), "the customer: none until T+1");
        assert_eq!(a.check_and_reserve(2, 0, &s, 0, Side::Sell, Some(nav), 1).err(), Some(Reject::InsufficientShares));
        // The dealer sells 6 today: its 2 opening lots first, then 4 of today's.
        a.check_and_reserve(1, 0, &s, 0, Side::Sell, Some(nav), 6).unwrap();
        let bought = a.check_and_reserve(2, 0, &s, 0, Side::Buy, Some(nav), 6).unwrap();
        a.settle(0, 0, 2, 1, s.value(nav, 6), 6, bought);
        assert_eq!((a.held(0, 1), a.sellable(0, 1, 0)), (1, 1));
        let h = &a.holdings[0];
        assert_eq!(h.of(1)[h.cohort(0)], 1, "the lot left is one of today's: the opening lots went first");
        assert_eq!(a.locked_today(0, 2, 0), 11, "the customer's 6 lots bought today wait for tomorrow");
        assert_eq!(a.sellable(0, 2, 1), 11);
        assert_eq!(a.total_cash(), 4_000_000_000, "cash moved, none created");
        assert!(a.all_non_negative() && a.nothing_reserved());
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

    /// The lots held from before the start, redeemed at day 1's close (limit 2).
    fn opening_cohort(s: &ProductSpec) -> Redemption {
        s.redemptions[1].iter().copied().find(|r| r.cohort == -1).unwrap()
    }

    #[test]
    fn the_issuer_may_pay_out_more_than_an_i64_holds_and_cash_stays_exact() {
        let s = spec(2);
        let n = 1_000u32;
        let mut a = Accounts::new(n as usize + 1, std::slice::from_ref(&s));
        for id in 1..=n {
            a.open_account(id, 0, 600.0, &[100_000_000]);
        }
        // 1,000 customers × 1e8 lots × 100 units: 1e19 micros, past i64::MAX.
        let per_lot = 100_000_000;
        a.redeem(0, opening_cohort(&s), per_lot, |_, _| {});
        assert_eq!(a.issuer_cash(), -i128::from(n) * 100_000_000 * i128::from(per_lot));
        assert!(a.issuer_cash() < i128::from(i64::MIN));
        assert_eq!(a.cash(1), 100_000_000 * i128::from(per_lot));
        assert_eq!(a.total_cash(), 0, "cash conserved");
        assert!(a.all_non_negative());
    }

    #[test]
    fn a_customer_balance_past_an_i64_stays_exact() {
        let s = spec(2);
        let mut a = accounts(&s, 0, 600.0, 4_000_000_000);
        // 4e9 lots at 1e10 micros: 4e19, past i64::MAX.
        a.redeem(0, opening_cohort(&s), 10_000_000_000, |_, _| {});
        assert_eq!(a.cash(1), 40_000_000_000_000_000_000);
        assert_eq!(a.issuer_cash(), -40_000_000_000_000_000_000);
        assert_eq!(a.total_cash(), 0, "cash conserved");
        // A sale, and a buy that reserves against the balance, carry on from there.
        let r = Reservation { per_lot: 0 };
        a.settle(0, 0, PLATFORM, 1, 10, 0, r);
        assert_eq!(a.cash(1), 40_000_000_000_000_000_010);
        let nav = s.supply_price(0);
        let r = a.check_and_reserve(1, 0, &s, 0, Side::Buy, Some(nav), 5).unwrap();
        assert_eq!(a.available_cash(1), 40_000_000_000_000_000_010 - i128::from(s.value(nav, 5)));
        a.settle(0, 0, 1, PLATFORM, s.value(nav, 5), 5, r);
        assert_eq!(a.total_cash(), 0, "cash conserved");
        assert!(a.all_non_negative() && a.nothing_reserved());
    }
}

"""A contrarian trader written in Python, run against the baseline market.

It buys a product after its price fell over the last metrics window and
sells after it rose. Run from anywhere (needs pyarrow for the comparison):

    python python/examples/contrarian.py
"""

from pathlib import Path

import tplus

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.toml"
FIRST_ID = 10_003  # the baseline's 10,002 customers come first


@tplus.behaviour("contrarian")
class Contrarian:
    """buys after the price fell, sells after it rose"""

    params = {"threshold": 0.0001, "lots": 5}

    def decide(self, ctx):
        out = []
        ret, bid, ask, nav, value = ctx.last_return, ctx.best_bid, ctx.best_ask, ctx.nav, ctx.lot_value
        cash, sellable, bids, asks = ctx.cash, ctx.sellable, ctx.resting_bid, ctx.resting_ask
        p = ctx.products[0]
        for i in range(len(ctx)):
            if bids[i] is not None or asks[i] is not None:
                out.append(tplus.cancel(i))  # a new view replaces the old
            if ret[p] < -self.threshold:  # it fell: buy at the ask
                price = ask[p] or round(nav[p])
                lots = min(self.lots, int(cash[i] / (price * value[p])))
                if lots > 0:
                    out.append(tplus.buy(i, p, lots, price=price))
            elif ret[p] > self.threshold and sellable[i][p] > 0:  # it rose: sell at the bid
                out.append(tplus.sell(i, p, min(self.lots, sellable[i][p]), price=bid[p] or round(nav[p])))
        return out


def market(days: int = 5, count: int = 1000) -> tplus.Scenario:
    """The baseline with a group of `count` contrarians added last."""
    group = f"""
[[agents]]
family = "contrarian"
count = {count}
arrival = {{ process = "poisson", rate = 4.0 }}
budget = {{ dist = "lognormal", median = 20000.0, sigma = 0.6 }}
credit_score = {{ dist = "normal", mean = 640.0, sd = 60.0 }}
initial_lots = {{ dist = "uniform", min = 0.0, max = 40.0 }}
"""
    s = tplus.Scenario.from_toml(BASELINE.read_text() + group, name="baseline+contrarian")
    return s.with_params({"simulation.days": days})


def main() -> None:
    base = tplus.run(tplus.Scenario.from_file(BASELINE), threads=1)
    mixed = tplus.run(market(), threads=1)
    t = mixed.trades.to_pyarrow()
    bought = sum(n for b, n in zip(t.column("buyer").to_pylist(), t.column("lots").to_pylist()) if b >= FIRST_ID)
    sold = sum(n for s, n in zip(t.column("seller").to_pylist(), t.column("lots").to_pylist()) if s >= FIRST_ID)
    print(f"{'':24}{'baseline':>12}{'+ contrarians':>16}")
    for key in ("trades", "volume", "turnover"):
        a, b = base.summary["all"][key], mixed.summary["all"][key]
        print(f"{key:24}{a:>12,.0f}{b:>16,.0f}")
    print(f"contrarians bought {bought:,} lots and sold {sold:,} lots")


if __name__ == "__main__":
    main()

"""What a decision of a behaviour written in Python costs beyond a built-in's.

The baseline market with one more group of 2,000 customers (4 wake-ups an
hour each) run two ways, one thread, the same seed:

- python: the group is a Python behaviour whose decide returns nothing;
- builtin: the group is the built-in macro family with intercepts of -50
  (log-odds), so it never sends an order either.

Both markets trade the same (the script checks trades.csv is identical), so
the difference in wall time is the Python seam: attaching to the
interpreter, filling the batch's arrays and one call per lookahead batch.
The script prints the median over --repeat alternating pairs of runs of
(python wall - builtin wall) / the group's decisions, in microseconds.
With --reading the Python group also reads five of the batch's arrays
(NAV, last return, cash, sellable lots, uniforms) each call, as a simple
rule would; --threads runs both with that many worker threads.

    python python/benches/behaviour_overhead.py [--repeat 7] [--days 5] [--reading] [--threads 1]
"""

import argparse
import statistics
import time
from pathlib import Path

import tplus

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.toml"


@tplus.behaviour("idle")
class Idle:
    """decides nothing"""

    draws = 0

    def decide(self, ctx):
        return None


@tplus.behaviour("idle_reading")
class IdleReading:
    """reads what a simple rule would (NAV, last return, cash, sellable lots), decides nothing"""

    draws = 1

    def decide(self, ctx):
        nav, ret, cash, sellable, u = ctx.nav, ctx.last_return, ctx.cash, ctx.sellable, ctx.uniforms
        for i in range(len(ctx)):
            if ret[0] > 1.0 and cash[i] < 0 and sellable[i][0] < 0 and u[i] > nav[0]:
                return [tplus.cancel(i)]
        return None


@tplus.behaviour("idle_counting")
class IdleCounting:
    """decides nothing, counting the decisions and calls"""

    draws = 0
    decisions = 0
    calls = 0

    def decide(self, ctx):
        IdleCounting.decisions += len(ctx)
        IdleCounting.calls += 1


def market(family: str, params: str, days: int) -> tplus.Scenario:
    group = f"""
[[agents]]
family = "{family}"
count = 2000
arrival = {{ process = "poisson", rate = 4.0 }}
budget = {{ dist = "lognormal", median = 20000.0, sigma = 0.6 }}
credit_score = {{ dist = "normal", mean = 640.0, sd = 60.0 }}
initial_lots = {{ dist = "fixed", value = 0.0 }}
{params}
"""
    s = tplus.Scenario.from_toml(BASELINE.read_text() + group, name=f"baseline+{family}")
    return s.with_params({"simulation.days": days})


THREADS = 1


def wall(s: tplus.Scenario):
    t = time.perf_counter()
    run = tplus.run(s, threads=THREADS)
    return time.perf_counter() - t, run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--days", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--reading", action="store_true", help="the Python group reads five arrays each call")
    a = ap.parse_args()
    global THREADS
    THREADS = a.threads
    python = market("idle_reading" if a.reading else "idle", "", a.days)
    builtin = market("macro", "[agents.params]\nintercept_buy = -50.0\nintercept_sell = -50.0", a.days)
    counting = market("idle_counting", "", a.days)

    _, run_c = wall(counting)
    decisions, calls = IdleCounting.decisions, IdleCounting.calls
    _, run_b = wall(builtin)
    if run_c.file("trades.csv") != run_b.file("trades.csv"):
        raise SystemExit("the two markets trade differently: the comparison would not be fair")

    extra = []
    for _ in range(a.repeat):
        tp, _ = wall(python)
        tb, _ = wall(builtin)
        extra.append((tp - tb) / decisions * 1e6)
        print(f"python {tp:.3f} s  builtin {tb:.3f} s  extra {extra[-1]:.3f} µs/decision", flush=True)
    print(
        f"{decisions:,} decisions in {calls:,} calls ({decisions / calls:.2f} agents a call); "
        f"median extra {statistics.median(extra):.3f} µs per decision over {a.repeat} pairs "
        f"({'reading arrays' if a.reading else 'returns nothing'}, threads={a.threads})"
    )


if __name__ == "__main__":
    main()

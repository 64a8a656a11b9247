"""Behaviours written in Python: registration, a scenario naming one checked
like a built-in family, determinism at 1 and 2 threads, bad returns raised
from tplus.run, the contrarian example trading, Ctrl-C stopping a run."""

import os
import runpy
import textwrap
from pathlib import Path

import pytest
from conftest import interrupt

import tplus

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "contrarian.py"

# A small market: a zero-intelligence crowd and market makers, one day,
# with a Python group added last (ids 103..).
BASE = """
[simulation]
name = "py-behaviour"
seed = 7
start_date = 2026-01-05
days = 1
open = "09:30"
close = "11:00"
window = "5m"
min_latency = "50ms"
latency_jitter = "20ms"

[[product]]
id = "NOTE7"
nav = 1.0
annual_yield = 0.025
tick_size = 0.0001
lot_size = 100
term_days = 7
holding_limit_days = 3
price_band = 0.02
max_order_lots = 1000

[macro]
loan_rate = { model = "fixed", value = 0.0435 }
deposit_rate = { model = "fixed", value = 0.015 }

[[agents]]
family = "market_maker"
count = 2
arrival = { process = "poisson", rate = 120.0 }
budget = { dist = "fixed", value = 5000000.0 }
credit_score = { dist = "fixed", value = 800.0 }
initial_lots = { dist = "fixed", value = 5000.0 }

[[agents]]
family = "zero_intelligence"
count = 100
arrival = { process = "poisson", rate = 20.0 }
budget = { dist = "fixed", value = 20000.0 }
initial_lots = { dist = "fixed", value = 20.0 }
"""


def with_group(family: str, params: str = "", count: int = 50, rate: float = 20.0) -> str:
    text = BASE + textwrap.dedent(
        f"""
        [[agents]]
        family = "{family}"
        count = {count}
        arrival = {{ process = "poisson", rate = {rate} }}
        budget = {{ dist = "fixed", value = 20000.0 }}
        initial_lots = {{ dist = "fixed", value = 20.0 }}
        """
    )
    if params:
        text += "\n[agents.params]\n" + textwrap.dedent(params)
    return text


@tplus.behaviour("py_noise")
class Noise:
    """buys or sells a few lots at random around NAV"""

    params = {"lots": 2, "spread": 3, "buy_share": 0.5}
    draws = 2

    def decide(self, ctx):
        out = []
        u, nav, sellable = ctx.uniforms, ctx.nav, ctx.sellable
        for i in range(len(ctx)):
            p = ctx.products[0]
            if ctx.resting_bid[i] is not None or ctx.resting_ask[i] is not None:
                out.append(tplus.cancel(i))
            offset = int(u[2 * i + 1] * self.spread)
            if u[2 * i] < self.buy_share:
                out.append(tplus.buy(i, p, self.lots, price=round(nav[p]) - offset))
            elif sellable[i][p] >= self.lots:
                out.append(tplus.sell(i, p, self.lots, price=round(nav[p]) + offset))
        return out


def group_trades(run, first_id: int) -> int:
    t = run.trades.to_pyarrow()
    buyers, sellers = t.column("buyer").to_pylist(), t.column("seller").to_pylist()
    return sum(1 for b, s in zip(buyers, sellers) if b >= first_id or s >= first_id)


def test_registration():
    assert "py_noise" in tplus.behaviours()
    with pytest.raises(ValueError, match="built-in"):
        tplus.register_behaviour("rational", Noise)
    with pytest.raises(ValueError, match="letters"):
        tplus.register_behaviour("no spaces", Noise)
    with pytest.raises(ValueError, match="decide"):
        tplus.register_behaviour("nodecide", object)
    with pytest.raises(TypeError, match="which each group instantiates; got .* of type Noise"):
        tplus.register_behaviour("an_instance", Noise())

    # Each parameter becomes an instance attribute: a name that would hide
    # a method, or that a class cannot read as an attribute, is refused.
    for params, match in [({"decide": 1}, "would hide the class's method"), ({"setup": 1}, "would hide"),
                          ({"x y": 1}, "letters, digits and _ only"), ({"from": 1}, "Python keyword")]:
        Clash = type("Clash", (), {"params": params, "decide": lambda self, ctx: None})
        with pytest.raises(ValueError, match=match):
            tplus.register_behaviour("py_clash", Clash)
    with pytest.raises(ValueError, match="no decide"):
        tplus.register_behaviour("py_not_callable", type("NotCallable", (), {"decide": None}))

    class OneString:
        params = {"a": 1.0}
        live_params = "a"

        def decide(self, ctx):
            return None

    with pytest.raises(ValueError, match=r"not one string \(e.g. \['a'\]\)"):
        tplus.register_behaviour("one_string", OneString)
    # A family nobody registered: the advice is Python's way to add one.
    with pytest.raises(tplus.ScenarioError) as e:
        tplus.Scenario.from_toml(with_group("py_nobody", "lots = 1"))
    assert 'tplus.register_behaviour("name", TheClass)' in e.value.accepted
    assert "main_with" not in e.value.accepted

    class BadParams:
        params = {"x": [1, 2]}

        def decide(self, ctx):
            return None

    with pytest.raises(ValueError, match="bool, int, float or str"):
        tplus.register_behaviour("bad_params", BadParams)


def test_a_scenario_naming_it_is_checked_like_a_builtin():
    s = tplus.Scenario.from_toml(with_group("py_noise", "lots = 3\nspread = 2"))
    assert s.name == "py-behaviour"
    text = with_group("py_noise", "lots = 3\ntreshold = 0.1")
    with pytest.raises(tplus.ScenarioError) as e:
        tplus.Scenario.from_toml(text, name="mine.toml")
    err = e.value
    assert err.field == "agents[2].params.treshold"
    assert err.file == "mine.toml"
    assert err.line == text.splitlines().index("treshold = 0.1") + 1
    assert "not a parameter of the py_noise family" in err.message
    assert "lots" in err.accepted and "buy_share" in err.accepted
    with pytest.raises(tplus.ScenarioError) as e:
        tplus.Scenario.from_toml(with_group("py_noise", "lots = 1.5"))
    assert e.value.field == "agents[2].params.lots"
    with pytest.raises(tplus.ScenarioError) as e:
        s.with_params({"agents[2].params.spred": 1})
    assert e.value.field == "agents[2].params.spred"
    with pytest.raises(tplus.ScenarioError) as e:
        tplus.Scenario.from_toml(with_group("py_unknown_family"))
    assert "py_noise" in e.value.accepted


def test_deterministic_at_one_and_two_threads():
    s = tplus.Scenario.from_toml(with_group("py_noise"))
    one = tplus.run(s, threads=1)
    again = tplus.run(s, threads=1)
    two = tplus.run(s, threads=2)
    assert group_trades(one, 103) > 0
    for name in ("trades.csv", "metrics.csv", "risk.csv"):
        assert one.file(name) == again.file(name) == two.file(name), name
    other = tplus.run(s, seed=8, threads=1)
    assert other.file("trades.csv") != one.file("trades.csv")


def test_parameters_reach_the_instance():
    seen = {}

    @tplus.behaviour("py_params")
    class Params:
        params = {"a": 1.0, "b": 2, "flag": False, "word": "x"}

        def setup(self, group):
            seen.update(a=self.a, b=self.b, flag=self.flag, word=self.word, group=group)

        def decide(self, ctx):
            seen["batch"] = (len(ctx), ctx.nav[0], ctx.cash[0], ctx.held[0][0], ctx.members[0] < ctx.group_size)
            return None

    s = tplus.Scenario.from_toml(with_group("py_params", "a = 3\nflag = true", count=5))
    tplus.run(s, threads=1)
    assert (seen["a"], seen["b"], seen["flag"], seen["word"]) == (3.0, 2, True, "x")
    assert isinstance(seen["a"], float)
    assert seen["group"] == {"index": 2, "size": 5, "first_id": 103, "products": [0]}
    n, nav, cash, held, member_ok = seen["batch"]
    assert n >= 1 and nav > 0 and cash > 0 and held >= 0 and member_ok


def test_a_live_parameter_is_changed_by_a_scripted_event():
    seen = []

    @tplus.behaviour("py_live")
    class Live:
        params = {"lots": 2, "level": 0.5, "word": "x"}
        live_params = ["lots", "level"]

        def decide(self, ctx):
            seen.append((ctx.time, self.lots, self.level))
            return None

    event = '\n[[events]]\nat = "day 1 10:00"\ntarget = "group_param"\nparam = "{p}"\n{how}\n'
    text = with_group("py_live", count=5)
    text += event.format(p="lots", how="change = 1.4") + event.format(p="level", how="value = 0.25")
    tplus.run(tplus.Scenario.from_toml(text), threads=1)
    # ctx.time: ns since 00:00 of the (only) day; the event is at 10:00.
    before = [(lots, level) for t, lots, level in seen if (t // 10**9) % 86400 < 10 * 3600]
    after = [(lots, level) for t, lots, level in seen if (t // 10**9) % 86400 >= 10 * 3600]
    assert before and set(before) == {(2, 0.5)}
    assert after and set(after) == {(3, 0.25)}, "lots 2 + 1.4 rounded, level set"
    assert all(isinstance(lots, int) for _, lots, _ in seen)
    # A parameter events may not change, refused with its field.
    with pytest.raises(tplus.ScenarioError) as e:
        tplus.Scenario.from_toml(with_group("py_live", count=5) + event.format(p="word", how='value = 1'))
    assert e.value.field == "events[0].param"
    assert "not one events may change" in e.value.message and "level, lots" in e.value.accepted

    class NotANumber:
        params = {"word": "x"}
        live_params = ["word"]

        def decide(self, ctx):
            return None

    with pytest.raises(ValueError, match="must have a number"):
        tplus.register_behaviour("py_live_word", NotANumber)
    NotANumber.live_params = ["wrd"]
    with pytest.raises(ValueError, match="not in `params`"):
        tplus.register_behaviour("py_live_word", NotANumber)


@pytest.mark.parametrize(
    "ret, match",
    [
        (5, "must return None or a list"),
        ([("buy",)], "action code must be an int"),
        ([(0, 99, 0, 1, None, 0, 1)], "agent index 99"),
        ([(0, 0, 3, 1, None, 0, 1)], "product 3"),
        ([(0, 0, 0, 0, None, 0, 1)], "lots 0"),
        ([(0, 0, 0, 1, 1.5, 0, 1)], "the price must be an int"),
        ([(9, 0, 0)], "action code 9"),
        ([tplus.buy(0, 0, 1)] * 5, "more than 4 actions"),
        # Counted as returned: a cancel is one action, whether it finds an
        # order to withdraw (none rests at the group's first call) or two.
        ([tplus.cancel(0)] * 5, "more than 4 actions"),
        ([tplus.cancel(0, tplus.BID), tplus.buy(0, 0, 1), tplus.cancel(0), tplus.cancel(0), tplus.sell(0, 0, 1)],
         r"agent 0: more than 4 actions in one call \(each tplus.buy, tplus.sell and tplus.cancel is one\)"),
        (["x"], "expected a tuple"),
        # One action returned bare is named as such, not read item by item.
        (tplus.buy(0, 0, 1), r"returned one action, not a list of them: return \[tplus.buy\(...\)\]"),
        ([(0, 0, 0, 10**12, None, 0, 1)], "lots 1000000000000: a whole number from 1 to 4294967295"),
        ([(0, 0, 0, True, None, 0, 1)], "lots must be an int, got bool"),
    ],
)
def test_a_bad_return_raises_from_run(ret, match):
    class Bad:
        def decide(self, ctx):
            return ret

    tplus.register_behaviour("py_bad", Bad)
    s = tplus.Scenario.from_toml(with_group("py_bad", count=5))
    with pytest.raises(tplus.BehaviourError, match=match):
        tplus.run(s, threads=1)


def test_four_actions_for_an_agent_are_four_whatever_they_cancel():
    # Both of agent 0's orders rest when it wakes again: a cancel of both
    # sides and three orders are four actions (five messages to the
    # platform), within the limit. Before, the limit counted messages.
    class Quotes:
        checked = 0

        def decide(self, ctx):
            p = ctx.products[0]
            lo, hi = ctx.band_lo[p], ctx.band_hi[p]
            if ctx.resting_bid[0] is None and ctx.resting_ask[0] is None:
                return [tplus.buy(0, p, 1, price=lo, ttl=36000.0), tplus.sell(0, p, 1, price=hi, ttl=36000.0)]
            if ctx.resting_bid[0] is not None and ctx.resting_ask[0] is not None:
                Quotes.checked += 1
                return [tplus.cancel(0), tplus.buy(0, p, 1, price=lo), tplus.buy(0, p, 1, price=lo + 1),
                        tplus.sell(0, p, 1, price=hi)]
            return [tplus.cancel(0)]

    tplus.register_behaviour("py_quotes", Quotes)
    run = tplus.run(tplus.Scenario.from_toml(with_group("py_quotes", count=1, rate=60.0)), threads=1)
    assert Quotes.checked > 5
    assert run.failure is None


def test_a_default_out_of_range_is_a_value_error():
    class Huge:
        params = {"lots": 2**70}

        def decide(self, ctx):
            return None

    with pytest.raises(ValueError, match=r'py_huge.params\["lots"\]=.* is out of range'):
        tplus.register_behaviour("py_huge", Huge)


@pytest.mark.parametrize("ttl", [float("inf"), float("nan"), 0.0, -1.0, 1e10])
def test_a_ttl_out_of_range_is_a_value_error(ttl):
    with pytest.raises(ValueError, match="ttl"):
        tplus.buy(0, 0, 1, 9990, ttl=ttl)
    with pytest.raises(ValueError, match="ttl"):
        tplus.sell(0, 0, 1, ttl=ttl)


def raises_on_call(n: int, message: str):
    """A behaviour class whose n-th decision raises ZeroDivisionError(message)."""

    class Raises:
        calls = 0

        def decide(self, ctx):
            Raises.calls += 1
            if Raises.calls == n:
                raise ZeroDivisionError(message)

    return Raises


def test_an_exception_in_decide_is_raised_as_it_was():
    Raises = raises_on_call(3, "the behaviour's own mistake")
    tplus.register_behaviour("py_raises", Raises)
    s = tplus.Scenario.from_toml(with_group("py_raises", count=5))
    with pytest.raises(ZeroDivisionError, match="own mistake"):
        tplus.run(s, threads=2)
    # The group stopped calling Python at its failure.
    assert Raises.calls == 3
    # In a sweep, the run is a failed row.
    Raises.calls = 0
    rows = tplus.sweep(s, {"agents[1].count": [10]}, jobs=1).to_pyarrow().to_pylist()
    assert rows[0]["status"] == "failed" and "own mistake" in rows[0]["error"]


def test_the_contrarian_example_trades():
    ns = runpy.run_path(str(EXAMPLE), run_name="contrarian_example")
    s = ns["market"](days=1)
    run = tplus.run(s, threads=1)
    assert group_trades(run, ns["FIRST_ID"]) > 0


def test_ctrl_c_stops_a_run_promptly(tmp_path):
    # A long pure-Rust run in a child process, interrupted after it starts.
    waited = interrupt(tmp_path, "tplus.run(s.with_params({'simulation.days': 200}), threads=1)")
    assert waited < 5.0, f"took {waited:.1f} s to stop"


def test_stubs_and_docstrings():
    from importlib import resources

    stubs = (resources.files("tplus") / "_native.pyi").read_text()
    for name in ("class Batch", "class BehaviourError", "def register_behaviour", "def sellable"):
        assert name in stubs, name
    for obj in (tplus.buy, tplus.sell, tplus.cancel, tplus.behaviour, tplus.register_behaviour, tplus.Batch.cash):
        assert obj.__doc__ and len(obj.__doc__) > 10, obj
    assert issubclass(tplus.BehaviourError, tplus.RunError)
    assert tplus.buy(1, 0, 3, 9990, aon=True, ttl=60.0) == (tplus.BUY, 1, 0, 3, 9990, 1, 60_000_000_000)
    assert tplus.sell(0, 0, 2, ioc=True) == (tplus.SELL, 0, 0, 2, None, 2, 1_800_000_000_000)
    assert tplus.cancel(2, tplus.ASK) == (tplus.CANCEL, 2, 1)


def _recorded(name, record, count):
    """What `record(ctx)` returned in each call of a group of `count`
    registered as `name`, over one run."""
    seen = []

    class Recorder:
        def decide(self, ctx):
            seen.append(record(ctx))

    tplus.register_behaviour(name, Recorder)
    tplus.run(tplus.Scenario.from_toml(with_group(name, count=count)), threads=1)
    return seen


def test_a_products_tuple_is_kept_while_its_values_are():
    seen = _recorded("py_watch", lambda ctx: (ctx.nav, tuple(ctx.nav), ctx.cash), count=20)
    assert len(seen) > 100
    kept = sum(1 for (a, va, _), (b, vb, _) in zip(seen, seen[1:]) if a is b)
    # NAV changes once a day: nearly every call gets the tuple it had.
    assert kept >= len(seen) - 5
    assert all(va == vb for (a, va, _), (b, vb, _) in zip(seen, seen[1:]) if a is b)
    # The agents' arrays are new in every call.
    assert all(x[2] is not y[2] for x, y in zip(seen, seen[1:]))


def test_an_exception_in_decide_is_raised_by_the_gym_step():
    pytest.importorskip("gymnasium")
    import tplus.gym

    RaisesLater = raises_on_call(30, "a later mistake")
    tplus.register_behaviour("py_raises_later", RaisesLater)
    env = tplus.gym.MarketEnv(tplus.Scenario.from_toml(with_group("py_raises_later", count=5)))
    env.reset(seed=1)
    with pytest.raises(ZeroDivisionError, match="a later mistake"):
        for _ in range(100_000):
            env.step([0, 0, 0])
    assert RaisesLater.calls == 30
    # The episode is over; a new one starts afresh.
    *_, terminated, truncated, _ = env.step([0, 0, 0])
    assert terminated or truncated


def test_a_batch_kept_past_its_call_refuses_to_be_read():
    """Each call gets a batch of its own; once the call returns it is closed.
    A kept batch used to read the group's next batch without a sign."""
    kept = []

    class Keeper:
        def decide(self, ctx):
            if kept:
                # The last call's batch, read during this one.
                _ = kept[-1].cash
            kept.append(ctx)
            assert len(ctx) > 0 and ctx.time > 0

    tplus.register_behaviour("py_keeper", Keeper)
    s = tplus.Scenario.from_toml(with_group("py_keeper", count=5))
    with pytest.raises(RuntimeError, match=r"valid during its decide call only.*copy what you need"):
        tplus.run(s, threads=1)
    assert len(kept) == 1 and kept[0] is not None
    closed = kept[0]
    assert repr(closed) == "tplus.Batch(closed: its decide call has returned)"
    for read in (lambda: len(closed), lambda: closed.day, lambda: closed.nav, lambda: closed.group_size):
        with pytest.raises(RuntimeError, match="valid during its decide call only"):
            read()

    # Copies taken during the call stay good.
    copies = _recorded("py_copier", lambda ctx: (ctx.day, list(ctx.cash), ctx.nav), count=5)
    assert len(copies) > 10 and all(len(c) > 0 for _, c, _ in copies)


def test_bounds_refuse_a_value_out_of_range_when_the_scenario_is_read():
    class Banded:
        params = {"band": 0.05, "window": 8}
        bounds = {"band": (0.0, 0.2), "window": (2, 256)}

        def decide(self, ctx):
            return None

    tplus.register_behaviour("py_banded", Banded)
    ok = tplus.Scenario.from_toml(with_group("py_banded", count=3, params='band = 0.2\nwindow = 2'))
    assert ok is not None
    for params, field, accepted in [
        ("band = 0.5", "band", "a number from 0 to 0.2"),
        ("window = 300", "window", "a whole number from 2 to 256"),
    ]:
        with pytest.raises(tplus.ScenarioError) as e:
            tplus.Scenario.from_toml(with_group("py_banded", count=3, params=params))
        assert e.value.field.endswith(f".params.{field}"), e.value.field
        assert e.value.message.endswith("is out of range") and e.value.accepted == accepted, str(e.value)

    for bounds, match in [
        ({"band": (0.1, 0.2)}, "leaves out the default 0.05"),
        ({"band": (0.3, 0.2)}, "the lowest must be at most the highest"),
        ({"nope": (0, 1)}, "not in `params`"),
        ({"band": 0.2}, "a pair of numbers"),
    ]:
        Bad = type("Bad", (), {"params": {"band": 0.05}, "bounds": bounds, "decide": lambda self, ctx: None})
        with pytest.raises(ValueError, match=match):
            tplus.register_behaviour("py_bad_bounds", Bad)


def test_numpy_integers_are_ints_in_actions():
    np = pytest.importorskip("numpy")

    class Vectorised:
        def decide(self, ctx):
            p = ctx.products[0]
            mine = np.flatnonzero(np.asarray(ctx.uniforms) < 0.5)
            return [tplus.buy(i, p, np.int64(1), price=np.int64(ctx.band_lo[p])) for i in mine]

    tplus.register_behaviour("py_vectorised", Vectorised)
    run = tplus.run(tplus.Scenario.from_toml(with_group("py_vectorised", count=5)), threads=1)
    assert run.failure is None


def test_a_scripted_change_stays_within_the_bounds():
    seen = []

    class Banded:
        params = {"band": 0.1}
        bounds = {"band": (0.0, 0.2)}
        live_params = ["band"]

        def decide(self, ctx):
            seen.append(self.band)

    tplus.register_behaviour("py_banded", Banded)
    event = '\n[[events]]\nat = "day 1 10:00"\ntarget = "group_param"\nparam = "band"\nchange = 0.5\n'
    tplus.run(tplus.Scenario.from_toml(with_group("py_banded", count=5) + event), threads=1)
    assert min(seen) == 0.1 and max(seen) == 0.2, "0.1 + 0.5 kept at the bound 0.2"

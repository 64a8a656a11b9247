"""tplus.gym.MarketEnv: the Gymnasium checker, reproducible resets, the
reward on a step checked by hand, action validation, and a floor on steps
per second (lenient: python/benches/gym_steps.py states the real figure)."""

import time

import pytest
from conftest import assert_gil_released

gymnasium = pytest.importorskip("gymnasium")
np = pytest.importorskip("numpy")

import tplus  # noqa: E402
import tplus.gym  # noqa: E402
from gymnasium.utils.env_checker import check_env  # noqa: E402
from tplus._native import ExternalSim  # noqa: E402


@pytest.fixture(scope="module")
def baseline(scenarios):
    # One day keeps the tests short; the market is the baseline's.
    return tplus.Scenario.from_file(str(scenarios / "baseline.toml")).with_params({"simulation.days": 2})


def test_the_gymnasium_checker_passes(baseline):
    env = tplus.gym.MarketEnv(baseline)
    check_env(env, skip_render_check=True)
    assert env.observation_space.shape == (len(tplus.gym.OBSERVATION),)


def test_a_seed_gives_the_same_episode_for_the_same_actions(baseline):
    def episode(seed, n=300):
        env = tplus.gym.MarketEnv(baseline)
        obs, _ = env.reset(seed=seed)
        rng = np.random.default_rng(0)
        out = [obs.copy()]
        rewards = []
        for _ in range(n):
            obs, r, term, trunc, _ = env.step(rng.integers(env.action_space.nvec))
            out.append(obs.copy())
            rewards.append(r)
            if term or trunc:
                break
        return np.array(out), np.array(rewards), env.tally()

    a, ra, ta = episode(11)
    b, rb, tb = episode(11)
    c, _, _ = episode(12)
    assert np.array_equal(a, b) and np.array_equal(ra, rb) and ta == tb
    assert ta["orders"] > 0, "the random policy sent orders"
    assert not np.array_equal(a, c), "another seed, another market"
    # Without a seed: the scenario's own first, then one more each episode.
    env = tplus.gym.MarketEnv(baseline)
    assert env.reset()[1]["seed"] == baseline.seed
    assert env.reset()[1]["seed"] == baseline.seed + 1


def test_holding_sends_nothing_and_earns_only_navs_accrual(baseline):
    # (That an idle customer leaves the market as the scenario runs it is
    # checked in Rust: engine::control's tests compare trades and orders.)
    env = tplus.gym.MarketEnv(baseline, step_seconds=60)
    _, info = env.reset(seed=5)
    total, done, days = 0.0, False, set()
    wealth0 = env._wealth
    while not done:
        _, r, done, _, info = env.step([0, 0, 0])
        total += r
        days.add(info["day"])
    t = env.tally()
    assert t["orders"] == 0 and t["fills"] == 0
    assert days == {0, 1}
    # Wealth moved only by NAV's accrual on the 20 lots held.
    assert total == pytest.approx(info["wealth"] - wealth0, abs=1e-6)
    assert 0 <= total < 20 * 100 * 0.001


def test_the_reward_is_the_change_of_wealth_at_nav_less_refusals(baseline):
    env = tplus.gym.MarketEnv(baseline, rejection_penalty=2.5, sizes=(1, 500), price_offsets=(-150, 0, 10_000))
    obs, _ = env.reset(seed=3)
    names = tplus.gym.OBSERVATION
    o = dict(zip(names, obs))
    lot = env.sim.lot_size * env.sim.nav
    wealth0 = o["cash"] + o["held"] * lot
    assert env._wealth == pytest.approx(wealth0, rel=1e-6)
    # A bid far below the market rests: its cash is reserved, not spent,
    # so wealth at NAV does not move and the reward is 0 (NAV is the
    # same within a day).
    obs, r, *_ = env.step([1, 0, 0])
    o = dict(zip(names, obs))
    assert r == pytest.approx(0.0, abs=1e-9)
    assert o["own_bid_lots"] == 1 and o["own_bid"] == pytest.approx(-150 + round(env.sim.nav / env.sim.tick_size) - env.sim.nav / env.sim.tick_size, abs=1e-3)
    assert o["free_cash"] < o["cash"]
    # A sale of more lots than it holds is refused: the penalty alone.
    obs, r, *_ = env.step([2, 1, 1])
    assert env.tally()["rejected_by"]["insufficient_shares"] == 1
    assert r == pytest.approx(-2.5, abs=1e-9)
    # A bid outside the price band is refused too; cancel then leaves nothing resting.
    obs, r, *_ = env.step([1, 0, 2])
    assert env.tally()["rejected_by"]["price_band"] == 1 and r == pytest.approx(-2.5, abs=1e-9)
    obs, r, *_ = env.step([3, 0, 0])
    o = dict(zip(names, obs))
    assert o["own_bid_lots"] == 0 and o["free_cash"] == o["cash"]
    # Bought lots are locked until the next business day (T+1), and the
    # reward of the step that buys is the change of wealth at NAV.
    before = env._wealth
    obs, r, *_ = env.step([1, 0, 1])  # a bid at NAV: it may or may not fill
    assert r == pytest.approx(env._wealth - before, abs=1e-9)
    t = env.tally()
    o = dict(zip(names, obs))
    assert o["locked"] == t["lots_bought"]
    assert o["held"] == 20 + t["lots_bought"] - t["lots_sold"]
    assert o["cash"] == pytest.approx(20_000 - t["paid"] + t["received"], abs=1e-6)


def test_a_custom_reward(baseline):
    env = tplus.gym.MarketEnv(baseline, reward_fn=lambda before, after: after["time"] - before["time"], step_seconds=5)
    env.reset(seed=1)
    _, r, *_ = env.step([0, 0, 0])
    assert r == 5e9


def test_a_custom_reward_is_returned_as_computed(baseline):
    # reward_scale (and rejection_penalty) belong to the built-in reward,
    # which reward_fn replaces: given with one, they would change nothing,
    # so they are refused rather than ignored (or, as before, the function's
    # value multiplied by the scale).
    for kw in ({"reward_scale": 2.0}, {"rejection_penalty": 3.0}):
        with pytest.raises(ValueError, match="reward_fn"):
            tplus.gym.MarketEnv(baseline, reward_fn=lambda before, after: 1.0, **kw)
    # A NaN or infinite weight would make every reward NaN.
    for kw in ({"reward_scale": float("nan")}, {"rejection_penalty": float("inf")}):
        with pytest.raises(ValueError, match="a finite number"):
            tplus.gym.MarketEnv(baseline, **kw)
    env = tplus.gym.MarketEnv(baseline, reward_fn=lambda before, after: 0.25, reward_scale=1.0)
    env.reset(seed=1)
    assert env.step([0, 0, 0])[1] == 0.25
    # The built-in reward is scaled.
    plain, scaled = tplus.gym.MarketEnv(baseline), tplus.gym.MarketEnv(baseline, reward_scale=10.0)
    plain.reset(seed=2), scaled.reset(seed=2)
    for _ in range(50):
        a, b = plain.step([2, 5, 0])[1], scaled.step([2, 5, 0])[1]
        assert b == pytest.approx(10 * a, abs=1e-9)


@pytest.mark.parametrize(
    "kw, name",
    [
        ({"product": -1}, "product"),
        ({"sizes": (1, 2**40)}, "sizes"),
        ({"sizes": (1, 2.5)}, "sizes"),
        ({"price_offsets": (0, 2**70)}, "price_offsets"),
        ({"max_steps": 0}, "max_steps"),
        ({"step_seconds": float("inf")}, "step_seconds"),
        ({"step_seconds": 1e12}, "step_seconds"),
        ({"order_ttl": float("inf")}, "order_ttl"),
        ({"order_ttl": 0.0}, "order_ttl"),
        # The opening position, held to the scenario's fields as any
        # customer's: before, only the first reset refused these, naming
        # the appended group's `budget` rather than `cash`.
        ({"cash": -5}, "cash"),
        ({"cash": 1e300}, "cash: 1e300 is out of range"),
        ({"lots": 2.5}, "lots"),
        ({"lots": 10**9}, "lots"),
        ({"credit_score": 2000}, "credit_score"),
        ({"days": 0}, "days"),
        # Of another type: a TypeError naming the argument.
        ({"cash": None}, "^cash: a number, got NoneType"),
        ({"credit_score": "700"}, "^credit_score: a number, got str"),
        ({"sizes": None}, "^sizes: a sequence of whole numbers of lots, got NoneType"),
        ({"price_offsets": 5}, "^price_offsets: a sequence of whole numbers of ticks, got int"),
        ({"days": 1000}, r"days=1000: the episode covers the scenario's first days, and it has \d+;"),
    ],
)
def test_arguments_out_of_range_are_refused_when_the_env_is_made(baseline, kw, name):
    # Before, several went through to the first reset or step and raised
    # OverflowError there (or were truncated: a size of 2.5 was 2 lots).
    with pytest.raises((ValueError, TypeError), match=name):
        tplus.gym.MarketEnv(baseline, **kw)


@pytest.mark.parametrize("seed", [-1, 2**64])
def test_a_reset_seed_out_of_range_is_a_value_error(baseline, seed):
    env = tplus.gym.MarketEnv(baseline)
    with pytest.raises(ValueError, match=r"^seed=.* is out of range: a whole number from 0 to 18446744073709551615"):
        env.reset(seed=seed)
    # When the env is made, not at its first reset.
    with pytest.raises(ValueError, match=r"^product=3 is out of range: a whole number from 0 to 0"):
        tplus.gym.MarketEnv(baseline, product=3)


def test_an_env_may_be_used_from_any_thread(baseline):
    import concurrent.futures

    # Reset on another thread, step here, and the other way round: the
    # run belongs to the environment, not to a thread (a thread pool's
    # worker may step it). Before, the run was tied to the thread that made
    # it: a step from any other raised pyo3's PanicException, and a reset on
    # another thread moved it there.
    def episode(split):
        env = tplus.gym.MarketEnv(baseline)
        rng = np.random.default_rng(5)
        actions = rng.integers(env.action_space.nvec, size=(40, 3))
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as other:
            if split:
                obs0, _ = other.submit(env.reset, seed=9).result()
            else:
                obs0, _ = env.reset(seed=9)
            out = [obs0]
            for k, a in enumerate(actions):
                step = other.submit(env.step, a).result() if split and k % 2 else env.step(a)
                out.append(step[0])
            tally = other.submit(env.tally).result()
        return np.array(out), tally

    here, tally_here = episode(False)
    split, tally_split = episode(True)
    assert np.array_equal(here, split) and tally_here == tally_split


def test_a_call_during_another_is_refused_reset_included(baseline):
    import concurrent.futures

    # While a step is under way (here: inside its reward_fn), a reset from
    # another thread, or from the step itself, is refused: it would have
    # replaced the run under the step, which then wrote the old episode's
    # wealth into the new one.
    refused = []

    def reward(before, after):
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as other:
            for call in (lambda: env.reset(seed=2), lambda: env.step([0, 0, 0])):
                try:
                    other.submit(call).result()
                except RuntimeError as e:
                    refused.append(str(e))
        try:
            env.reset(seed=3)
        except RuntimeError as e:
            refused.append(str(e))
        return 0.0

    env = tplus.gym.MarketEnv(baseline, reward_fn=reward)
    env.reset(seed=1)
    env.step([0, 0, 0])
    assert len(refused) == 3 and all("in use" in r for r in refused), refused
    # Once the step has returned, the environment takes calls again.
    env.reset(seed=4)


@pytest.mark.parametrize(
    "args, name",
    [
        ((1, 2**40, 0, 10**9), "lots"),
        ((1, 1, 2**70, 10**9), "offset"),
        ((2**70, 1, 0, 10**9), "kind"),
        ((0, 1, 0, 0), "step_ns"),
        ((0, 1, 0, 2**63), "step_ns"),
        ((0, 1, 0, 10**9, 0), "ttl_ns"),
    ],
)
def test_the_native_step_names_an_argument_out_of_range(baseline, args, name):
    # Before, lots=2**40 raised OverflowError from pyo3's conversion,
    # naming neither the argument nor its range.
    sim = ExternalSim(baseline)
    with pytest.raises(ValueError, match=rf"^{name}=.* is out of range: a whole number from -?\d+ to \d+$"):
        sim.step(*args)
    with pytest.raises(TypeError, match=r"^lots: a whole number"):
        sim.step(1, 2.5, 0, 10**9)


def test_the_gil_is_released_while_a_step_runs(baseline):
    """A Python thread keeps counting while another steps the market, as
    during tplus.run."""
    sim = ExternalSim(baseline.with_params({"simulation.days": 40}))

    def work(least):
        t0 = time.perf_counter()
        # Six hours of market at a time, until the steps have run long enough to tell.
        while time.perf_counter() - t0 < least and not sim.step(0, 1, 0, 6 * 3600 * 10**9)[3]:
            pass
        return time.perf_counter() - t0

    assert_gil_released(work)


def test_actions_outside_the_space_are_refused(baseline):
    env = tplus.gym.MarketEnv(baseline)
    with pytest.raises(RuntimeError, match="reset"):
        env.step([0, 0, 0])
    env.reset(seed=1)
    for bad in ([4, 0, 0], [0, 6, 0], [0, 0, 11], [-1, 0, 0], [0, 0], "buy", None, [1.9, 0, 0], [True, 0, 0]):
        with pytest.raises(ValueError, match="action"):
            env.step(bad)
    env.step(np.array([1, 0, 0]))  # numpy's integers are indices
    with pytest.raises(ValueError, match="step_seconds"):
        tplus.gym.MarketEnv(baseline, step_seconds=0)
    with pytest.raises(ValueError, match="sizes"):
        tplus.gym.MarketEnv(baseline, sizes=(0,))
    with pytest.raises(ValueError, match="product"):
        tplus.gym.MarketEnv(baseline, product=3).reset()
    with pytest.raises(ValueError, match="action kind"):
        env.sim.step(7, 1, 0, 1_000_000_000)


def test_episodes_end_at_the_last_close(baseline):
    env = tplus.gym.MarketEnv(baseline.with_params({"simulation.days": 1}), step_seconds=600)
    env.reset(seed=2)
    steps, done = 0, False
    while not done:
        _, _, done, trunc, info = env.step([0, 0, 0])
        steps += 1
    # 09:30 to 15:00 is 19,800 s: 33 steps of 600 s, the last through the close.
    assert steps == 33 and not trunc
    env = tplus.gym.MarketEnv(baseline, max_steps=3)
    env.reset(seed=2)
    assert [env.step([0, 0, 0])[3] for _ in range(3)] == [False, False, True]


def test_steps_per_second_floor(baseline):
    env = tplus.gym.MarketEnv(baseline)
    env.reset(seed=4)
    rng = np.random.default_rng(1)
    actions = rng.integers(env.action_space.nvec, size=(3000, 3))
    start = time.perf_counter()
    for a in actions:
        if env.step(a)[2]:
            env.reset()
    rate = len(actions) / (time.perf_counter() - start)
    assert rate >= 2000, f"{rate:.0f} steps/s"


def test_without_gymnasium_the_package_imports_and_gym_says_what_to_install(monkeypatch):
    import importlib
    import sys

    monkeypatch.setitem(sys.modules, "gymnasium", None)
    monkeypatch.delitem(sys.modules, "tplus.gym")
    importlib.reload(tplus)
    with pytest.raises(ImportError, match="pip install gymnasium"):
        importlib.import_module("tplus.gym")


def test_a_reward_fn_that_raises_leaves_the_episode_whole(baseline):
    calls = []

    def reward(before, after):
        calls.append((before["time"], after["time"]))
        if len(calls) == 2:
            raise ZeroDivisionError("the user's bug")
        return after["wealth"] - before["wealth"]

    env = tplus.gym.MarketEnv(baseline, reward_fn=reward, step_seconds=10.0, max_steps=3)
    env.reset(seed=1)
    env.step([0, 0, 0])
    with pytest.raises(ZeroDivisionError):
        env.step([0, 0, 0])
    *_, truncated, _ = env.step([0, 0, 0])
    # Each reward spans one step, the failed one's included, and it counted.
    assert [b - a for a, b in calls] == [10 * 10**9] * 3
    assert [a for a, _ in calls[1:]] == [b for _, b in calls[:-1]]
    assert truncated, "the failed step counts toward max_steps"
    env = tplus.gym.MarketEnv(baseline, reward_fn=lambda before, after: "1")
    env.reset(seed=1)
    with pytest.raises(TypeError, match="reward_fn must return a number, got str"):
        env.step([0, 0, 0])


def test_a_reward_fn_may_return_what_float_takes(baseline):
    # A 0-d array (np.where's result), numpy's scalars, a Decimal: numbers.
    from decimal import Decimal

    for value in (np.array(0.5), np.float32(0.5), Decimal("0.5")):
        env = tplus.gym.MarketEnv(baseline, reward_fn=lambda before, after, v=value: v)
        env.reset(seed=1)
        assert env.step([0, 0, 0])[1] == 0.5
    with pytest.raises(TypeError, match="reward_scale: a number, got str"):
        tplus.gym.MarketEnv(baseline, reward_scale="2")


def test_an_episode_shorter_than_the_scenario_leaves_out_its_later_events(scenarios):
    # rate_hike's hike is on day 3: a one-day episode has no room for it,
    # which `with_params({"simulation.days": 1})` refuses.
    hike = tplus.Scenario.from_file(scenarios / "rate_hike.toml")
    with pytest.raises(tplus.ScenarioError, match=r"events\[0\]\.at: day 3 is after the run's last day"):
        hike.with_params({"simulation.days": 1})
    env = tplus.gym.MarketEnv(hike, days=1)
    env.reset(seed=1)
    one_day = hike._first_days(1)
    assert one_day.days == 1 and "[[events]]" not in one_day.to_toml()
    # Events on the days kept stay; one at or after the last kept close,
    # which a run of those days refuses, goes.
    assert hike._first_days(3).to_toml().count("[[events]]") == 1
    late = hike.with_params({"events[0].at": "day 1 16:00"})
    assert "[[events]]" not in late._first_days(1).to_toml()
    tplus.gym.MarketEnv(late, days=1).reset(seed=1)

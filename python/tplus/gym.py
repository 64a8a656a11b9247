"""A Gymnasium environment: one customer of a tplus market, controlled by the learner.

    import tplus, tplus.gym
    env = tplus.gym.MarketEnv("scenarios/baseline.toml")
    obs, info = env.reset(seed=7)
    obs, reward, terminated, truncated, info = env.step(env.action_space.sample())

The scenario runs as written, with one more customer appended as a group
of its own (family ``external``), whose behaviour never acts: every order
it sends is the learner's. Its orders travel the platform's path like
anyone's (the scenario's latency, the price band, the cash and T+1
checks, the credit gate), and the market runs as without it while it
holds. See docs/python.md, "A Gymnasium environment", for the spaces, the
reward and the episode.

Needs ``gymnasium`` and ``numpy`` (``pip install gymnasium``); the rest of
the package does not.
"""

from __future__ import annotations

import contextlib
import math
import operator
import os
import threading
from collections.abc import Callable, Sequence
from typing import Any, Optional, Union

try:
    import gymnasium
    import numpy as np
    from gymnasium import spaces
except ImportError as _e:  # pragma: no cover - exercised without gymnasium only
    raise ImportError(
        "tplus.gym needs gymnasium and numpy: pip install gymnasium"
    ) from _e

from . import Scenario
from ._args import I64, U32, U64, nanoseconds, whole
from ._native import ExternalSim


def _number(x: Any, name: str) -> float:
    """``x`` as a float, else ``TypeError`` naming ``name`` (its range is
    checked where it is used)."""
    if isinstance(x, (str, bytes, bool)):
        raise TypeError(f"{name}: a number, got {type(x).__name__}")
    try:
        return float(x)
    except (TypeError, ValueError):
        raise TypeError(f"{name}: a number, got {type(x).__name__}") from None


def _sequence(x: Any, name: str, what: str) -> Sequence[Any]:
    """``x`` as a tuple of its items, else ``TypeError`` naming ``name``."""
    if isinstance(x, (str, bytes)) or not hasattr(x, "__iter__"):
        raise TypeError(f"{name}: a sequence of {what}, got {type(x).__name__}")
    return tuple(x)


def _finite(x: Any, name: str) -> float:
    """``x`` as a finite float, else ``ValueError`` naming ``name``: a NaN or
    infinite weight would make every reward NaN."""
    if isinstance(x, (str, bytes, bool)):
        raise TypeError(f"{name}: a number, got {type(x).__name__}")
    try:
        v = float(x)
    except (TypeError, ValueError):
        raise TypeError(f"{name}: a number, got {type(x).__name__}") from None
    if not math.isfinite(v):
        raise ValueError(f"{name}: a finite number, got {v}")
    return v

__all__ = ["ACTIONS", "OBSERVATION", "MarketEnv"]

#: The observation's components, in order (a float32 vector). Prices are in
#: ticks relative to today's NAV; lots are the product's lots; cash in
#: currency. "Last window" is the last finished metrics window.
OBSERVATION: tuple[str, ...] = (
    "time_of_day",          # share of today's session elapsed, 0 at the open, 1 at the close
    "day",                  # business day reached / days in the run
    "nav",                  # today's NAV, currency per unit
    "bid",                  # best bid - NAV, ticks (0 when no bid)
    "ask",                  # best ask - NAV, ticks (0 when no ask)
    "has_bid",              # 1 when someone bids, else 0
    "has_ask",              # 1 when someone offers, else 0
    "spread",               # best ask - best bid, ticks (0 when a side is empty)
    "bid_depth",            # lots at the best bid
    "ask_depth",            # lots at the best ask
    "last_trade",           # last trade price - NAV, ticks (0 before the first trade)
    "recent_return",        # log return of the anchor price (mid, else NAV) over the last window
    "cash",                 # the customer's cash, reserved cash included
    "free_cash",            # cash not promised to its resting bid
    "held",                 # lots held
    "sellable",             # lots it may sell today (bought before today, not on offer)
    "locked",               # lots bought today: locked until the next business day (T+1)
    "own_bid",              # its resting bid's price - NAV, ticks (0 when none)
    "own_bid_lots",         # lots its resting bid still wants (0 when none)
    "own_ask",              # its resting offer's price - NAV, ticks (0 when none)
    "own_ask_lots",         # lots its resting offer still sells (0 when none)
    "market_subscription_success",  # customers' buys filled whole / buys closed, last window (1 when none closed)
    "market_sale_success",  # customers' sales filled whole / sales closed, last window (1 when none closed)
    "own_fill_ratio",       # lots filled / lots asked over its closed orders this episode (0 before any)
    "own_rejection_share",  # its orders refused / orders sent this episode (0 before any)
)

#: The first component of an action.
ACTIONS: tuple[str, ...] = ("hold", "subscribe", "sell", "cancel")

ScenarioLike = Union[Scenario, str, "os.PathLike[str]"]

#: What a custom reward function sees before and after a step.
StepState = dict


class MarketEnv(gymnasium.Env):
    """One customer of a tplus market, controlled by the learner.

    Action: ``MultiDiscrete([4, len(sizes), len(price_offsets)])`` =
    (kind, size index, price offset index). Kind 0 holds; 1 subscribes (a
    limit buy of ``sizes[i]`` lots at NAV rounded to a tick plus
    ``price_offsets[j]`` ticks, replacing the customer's resting bid); 2
    sells (the same, an offer replacing its resting offer); 3 cancels both
    resting orders. Orders rest until the close (or ``order_ttl`` seconds).

    Observation: a float32 vector named by ``OBSERVATION``.

    Reward (default): the change over the step of the customer's wealth
    marked at NAV (cash plus lots held at today's NAV, in currency), less
    ``rejection_penalty`` per order the platform refused during the step;
    times ``reward_scale``. ``reward_fn(before, after)`` replaces it, its
    value the reward as it is (``reward_scale`` and ``rejection_penalty``
    are refused with it): each argument is a dict with ``wealth``,
    ``rejected`` (refusals so far), ``time``.

    Episode: from the first open to the last close of the scenario (or of
    its first ``days`` business days), in steps of ``step_seconds`` of
    simulated time; the step that reaches the close runs through it (the
    day's redemptions) and returns at the next open. ``terminated`` when
    the last session has closed; ``truncated`` after ``max_steps``.
    """

    metadata = {"render_modes": []}

    def __init__(
        self,
        scenario: ScenarioLike,
        *,
        step_seconds: float = 10.0,
        days: Optional[int] = None,
        product: int = 0,
        cash: float = 20_000.0,
        lots: float = 20.0,
        credit_score: float = 700.0,
        sizes: Sequence[int] = (1, 2, 5, 10, 20, 50),
        price_offsets: Sequence[int] = (-20, -10, -5, -2, -1, 0, 1, 2, 5, 10, 20),
        order_ttl: Optional[float] = None,
        rejection_penalty: float = 1.0,
        reward_scale: float = 1.0,
        reward_fn: Optional[Callable[[StepState, StepState], float]] = None,
        max_steps: Optional[int] = None,
    ) -> None:
        super().__init__()
        if not isinstance(scenario, Scenario):
            scenario = Scenario.from_file(os.fspath(scenario))
        if days is not None:
            # The scenario's first `days`: never more than it has (a longer
            # episode is a longer scenario, said so in the scenario itself).
            days = whole(days, "days", 1, I64[1])
            if days > scenario.days:
                raise ValueError(
                    f"days={days}: the episode covers the scenario's first days, and it has {scenario.days}; "
                    f"to run longer, lengthen the scenario: scenario.with_params({{'simulation.days': {days}}})"
                )
            # Events after the episode's last day could not fire in it:
            # left out, where `with_params` would refuse them.
            scenario = scenario._first_days(days)
        # Integers as the native module checks its own: out of range is a
        # ValueError naming the argument, here rather than at the first step.
        sizes = _sequence(sizes, "sizes", "whole numbers of lots")
        price_offsets = _sequence(price_offsets, "price_offsets", "whole numbers of ticks")
        sizes = tuple(whole(s, f"sizes[{i}]", 1, U32[1]) for i, s in enumerate(sizes))
        offsets = tuple(whole(o, f"price_offsets[{i}]", *I64) for i, o in enumerate(price_offsets))
        if not sizes:
            raise ValueError("sizes: at least one size")
        if not offsets:
            raise ValueError("price_offsets: at least one offset")
        if max_steps is not None:
            max_steps = whole(max_steps, "max_steps", 1, I64[1])
        product = whole(product, "product", 0, len(scenario.products) - 1)
        if reward_fn is not None and (reward_scale != 1.0 or rejection_penalty != 1.0):
            # They shape the built-in reward, which reward_fn replaces: its
            # value is the step's reward as it computes it.
            raise ValueError(
                "reward_scale and rejection_penalty belong to the built-in reward, which reward_fn replaces: "
                "scale or penalise inside reward_fn"
            )
        self.scenario = scenario
        self.step_ns = int(round(nanoseconds(step_seconds, "step_seconds")))
        self.ttl_ns = None if order_ttl is None else int(round(nanoseconds(order_ttl, "order_ttl")))
        self.sizes = sizes
        self.price_offsets = offsets
        self.rejection_penalty = _finite(rejection_penalty, "rejection_penalty")
        self.reward_scale = _finite(reward_scale, "reward_scale")
        self.reward_fn = reward_fn
        self.max_steps = max_steps
        # The opening position as the run will hold it to the scenario's
        # rules, checked now; lots are whole (2.5 would be rounded).
        lots = whole(lots, "lots", 0, U32[1])
        setup = dict(cash=_number(cash, "cash"), lots=float(lots), credit_score=_number(credit_score, "credit_score"))
        ExternalSim.check(scenario, **setup)
        self._setup = dict(product=product, **setup)
        self.action_space = spaces.MultiDiscrete([len(ACTIONS), len(sizes), len(offsets)])
        n = len(OBSERVATION)
        # Unbounded in principle (cash, depth): the largest float32 each way.
        big = float(np.finfo(np.float32).max)
        self.observation_space = spaces.Box(-big, big, shape=(n,), dtype=np.float32)
        self.sim: Optional[ExternalSim] = None
        self._next_seed: int = scenario.seed
        self._wealth = 0.0
        self._rejected = 0
        self._steps = 0
        # One call at a time, reset included: a reset during another
        # thread's step would let that step write the old episode's wealth
        # into the new one.
        self._calls = threading.Lock()

    @contextlib.contextmanager
    def _one_call(self):
        if not self._calls.acquire(blocking=False):
            raise RuntimeError(
                "the environment is in use: another call into it (from another thread, or from a behaviour "
                "inside its own step) has not returned; call it once at a time"
            )
        try:
            yield
        finally:
            self._calls.release()

    def reset(self, *, seed: Optional[int] = None, options: Optional[dict[str, Any]] = None):
        """Starts an episode: a fresh run at the first open.

        ``seed`` is the run's seed; without one, the scenario's own seed
        the first time and one more than the last episode's after that, so
        a sequence of episodes is reproducible.
        """
        with self._one_call():
            return self._reset(seed)

    def _reset(self, seed: Optional[int]):
        run_seed = self._next_seed if seed is None else whole(seed, "seed", *U64)
        super().reset(seed=None if seed is None else run_seed)  # a Python int, numpy's too
        self._next_seed = (run_seed + 1) % (1 << 64)
        self.sim = ExternalSim(self.scenario, seed=run_seed, **self._setup)
        obs, wealth, rejected, _ = self.sim.observe()
        self._wealth, self._rejected, self._steps = wealth, rejected, 0
        return np.frombuffer(obs, dtype=np.float32), {"time": self.sim.time, "day": self.sim.day, "seed": run_seed}

    def _decode(self, action) -> tuple[int, int, int]:
        try:
            if len(action) != 3:
                raise ValueError
            k, s, o = (_index(action[i]) for i in range(3))
        except (TypeError, ValueError, IndexError, KeyError):
            raise ValueError(
                f"action {action!r}: expected 3 integers (kind, size index, price offset index) of {self.action_space}"
            ) from None
        if not (0 <= k < len(ACTIONS) and 0 <= s < len(self.sizes) and 0 <= o < len(self.price_offsets)):
            raise ValueError(
                f"action {action!r} is outside {self.action_space}: kind 0..{len(ACTIONS) - 1} "
                f"({', '.join(ACTIONS)}), size index 0..{len(self.sizes) - 1}, "
                f"price offset index 0..{len(self.price_offsets) - 1}"
            )
        return k, self.sizes[s], self.price_offsets[o]

    def step(self, action):
        """Sends the action now, runs ``step_seconds`` of the market, and observes."""
        with self._one_call():
            return self._step(action)

    def _step(self, action):
        sim = self.sim
        if sim is None:
            raise RuntimeError("call reset() before step()")
        kind, lots, offset = self._decode(action)
        before_time = sim.time
        obs, wealth, rejected, done = sim.step(kind, lots, offset, self.step_ns, self.ttl_ns)
        before = {"wealth": self._wealth, "rejected": self._rejected, "time": before_time}
        # The market has moved: the step counts, and the next reward starts
        # from here, even if reward_fn raises (its exception is the caller's).
        self._wealth, self._rejected = wealth, rejected
        self._steps += 1
        if self.reward_fn is None:
            reward = (wealth - before["wealth"]) - self.rejection_penalty * (rejected - before["rejected"])
            reward *= self.reward_scale
        else:
            # The user's reward as it computed it (reward_scale is the built-in's).
            value = self.reward_fn(before, {"wealth": wealth, "rejected": rejected, "time": sim.time})
            # A number, or what converts to one as float() takes it (a 0-d
            # array, a Decimal, a framework's scalar), but not text or a bool.
            if isinstance(value, (str, bytes, bool)) or not hasattr(type(value), "__float__"):
                raise TypeError(f"reward_fn must return a number, got {type(value).__name__}")
            reward = float(value)
        truncated = self.max_steps is not None and self._steps >= self.max_steps and not done
        info = {"time": sim.time, "day": sim.day, "wealth": wealth}
        return np.frombuffer(obs, dtype=np.float32), reward, done, truncated, info

    def tally(self) -> dict:
        """What the customer's orders came to this episode (orders, refusals by reason, fills, cancels)."""
        with self._one_call():
            if self.sim is None:
                raise RuntimeError("call reset() first")
            return self.sim.tally()


def _index(x) -> int:
    """An action's component as an integer: ints and numpy's integer types,
    not a float (1.9 is not a size index) nor a bool."""
    # numpy's bool is `bool_` before numpy 2 and `bool` from it.
    if isinstance(x, bool) or type(x).__name__ in ("bool_", "bool"):
        raise TypeError("a bool is not an index")
    return operator.index(x)

"""Behaviours written in Python: a class with ``decide(self, ctx)`` registered
by name and used from a scenario like a built-in family.

    @tplus.behaviour("contrarian")
    class Contrarian:
        params = {"threshold": 0.0005, "lots": 5}      # defaults; a scenario's table overrides
        def decide(self, ctx):
            orders = []
            for i in range(len(ctx)):
                ...
                orders.append(tplus.buy(i, p, self.lots, price=ctx.best_ask[p]))
            return orders

The engine makes one call per lookahead batch: ``ctx`` (a ``tplus.Batch``)
holds the batch's agents as arrays (index ``i``), their accounts and resting
orders, the market at the start of the batch and uniforms drawn from each
agent's own generator. ``decide`` returns None or a list of actions made by
:func:`buy`, :func:`sell` and :func:`cancel`. See docs/python.md.
"""

from __future__ import annotations

from typing import Callable, Optional, TypeVar

from ._args import nanoseconds as _nanoseconds
from ._native import register_behaviour as _register

__all__ = ["BUY", "SELL", "CANCEL", "buy", "sell", "cancel", "register_behaviour", "behaviour"]

#: Action codes: the first item of an action's tuple.
BUY, SELL, CANCEL = 0, 1, 2
#: Sides for :func:`cancel`.
BID, ASK, BOTH = 0, 1, 2

_AON, _IOC = 1, 2
#: A limit order's default time to live: 30 minutes, as the built-ins'.
DEFAULT_TTL = 1800.0


def _order(code: int, i: int, product: int, lots: int, price: Optional[int], aon: bool, ioc: bool, ttl: float):
    ttl_ns = int(_nanoseconds(ttl, "ttl"))
    return (code, i, product, lots, price, (_AON if aon else 0) | (_IOC if ioc else 0), ttl_ns)


def buy(i: int, product: int, lots: int, price: Optional[int] = None, *, aon: bool = False,
        ioc: bool = False, ttl: float = DEFAULT_TTL) -> tuple:
    """Agent ``i`` of the batch buys ``lots`` of ``product``: a limit order at
    ``price`` (absolute ticks; e.g. ``round(ctx.nav[p]) + 1``), a market order
    when ``price`` is None. ``aon``: all or none; ``ioc``: immediate or cancel
    (a remainder does not rest); ``ttl``: seconds a resting remainder lives
    (capped at the close; from 1 ns to 292 years, else ``ValueError``). The platform checks it as any customer's order
    (band, size limit, cash)."""
    return _order(BUY, i, product, lots, price, aon, ioc, ttl)


def sell(i: int, product: int, lots: int, price: Optional[int] = None, *, aon: bool = False,
         ioc: bool = False, ttl: float = DEFAULT_TTL) -> tuple:
    """Agent ``i`` of the batch sells ``lots`` of ``product`` (see :func:`buy`);
    T+1 lets it sell only ``ctx.sellable[i][product]``."""
    return _order(SELL, i, product, lots, price, aon, ioc, ttl)


def cancel(i: int, side: int = BOTH) -> tuple:
    """Agent ``i`` withdraws its resting bid (``tplus.BID``), ask
    (``tplus.ASK``) or both (default); nothing when none rests."""
    return (CANCEL, i, side)


def register_behaviour(name: str, cls: type) -> type:
    """Registers ``cls`` as the family ``name`` scenarios may name
    (``family = "name"``); a later registration of the name replaces it.

    The class: ``params`` (optional dict of name → default: bool, int, float
    or str) are the parameters a scenario's ``[agents.params]`` may set, each
    checked like a built-in's (unknown names and wrong types are a
    ``ScenarioError`` with file, line and field); ``bounds`` (optional dict of
    name → (lowest, highest), for number parameters) the ranges a scenario's
    values must lie in, checked the same way; ``draws`` (optional, default
    1) the uniforms each agent draws per wake-up (``ctx.uniforms``);
    ``live_params`` (optional list) the parameters with a number for their
    default that a scenario's ``[[events]]`` may change during a run
    (``target = "group_param"``, ``param = "name"``: the instance attribute
    is set at the event's moment). For each
    group of a run the class is instantiated with no argument, each parameter
    set as an instance attribute, then ``setup(group)`` called if it has one
    (a dict: ``index``, ``size``, ``first_id``, ``products``). Register before
    reading a scenario that names it. Returns ``cls``."""
    _register(name, cls)
    return cls


T = TypeVar("T", bound=type)


def behaviour(name: str) -> Callable[[T], T]:
    """A class decorator: ``@tplus.behaviour("contrarian")`` registers the
    class under that name (:func:`register_behaviour`)."""

    def register(cls: T) -> T:
        _register(name, cls)
        return cls

    return register



"""Checks of the arguments the Python side of the package converts before
they reach the native module, with the native module's messages: an
integer out of range is a ``ValueError`` naming the argument and the
range (``tplus._native.check_whole``, the helper the native module uses
for its own arguments), where a conversion further on raised
``OverflowError``; a duration is checked the same way before it becomes
nanoseconds."""

from __future__ import annotations

from ._native import check_whole as whole

__all__ = ["I64", "U32", "U64", "nanoseconds", "whole"]

#: Ranges of the native integer types, for :func:`whole`.
U32 = (0, 2**32 - 1)
U64 = (0, 2**64 - 1)
I64 = (-(2**63), 2**63 - 1)

_NS_MAX = 2**63  # nanoseconds held in an int64


def nanoseconds(seconds, name: str) -> float:
    """``seconds`` in nanoseconds (a float; callers round or truncate as
    before): a ``ValueError`` naming ``name`` unless from 1 ns to 292 years
    (what an int64 of nanoseconds holds), a ``TypeError`` unless a number."""
    try:
        ns = seconds * 1e9
        ok = 1 <= ns < _NS_MAX  # NaN is neither
    except TypeError:
        raise TypeError(f"{name}: a number of seconds, not a {type(seconds).__name__}") from None
    if not ok:
        raise ValueError(
            f"{name}={seconds!r} is out of range: a number of seconds from 1e-09 (1 ns) to 9.2e+09 (292 years)"
        )
    return ns

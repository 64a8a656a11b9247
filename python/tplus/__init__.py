"""tplus from Python: run market scenarios of the tplus simulator in-process.

    import tplus
    s = tplus.Scenario.from_file("scenarios/baseline.toml")
    run = tplus.run(s, seed=7)
    trades = run.trades.to_polars()          # or .to_pandas(), .to_pyarrow()
    run.save("out/baseline-7")               # the files `tplus run` writes
    again = tplus.read_run("out/baseline-7") # a run's directory read back, typed
    rows = tplus.sweep(s, {"agents[3].params.herding": [0.5, 1.0, 2.0]}, replications=3)

The work is done by the Rust library with the GIL released. Tables are
Arrow tables in memory (``tplus.Table``) exported through the Arrow C
stream interface, so pyarrow, polars and pandas take them without copying.
See docs/python.md for the whole reference; ``tplus.gym`` (with gymnasium
installed) is a Gymnasium environment where the learner is one customer.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any, Optional, Union

from ._native import Batch, BehaviourError, RunError, Run, Scenario, ScenarioError, Table, __version__
from ._native import behaviours, read_run
from ._native import run as _run
from ._native import sweep_points as _sweep_points
from .behaviour import ASK, BID, BOTH, BUY, CANCEL, SELL, behaviour, buy, cancel, register_behaviour, sell

__all__ = [
    "ASK",
    "BID",
    "BOTH",
    "BUY",
    "Batch",
    "BehaviourError",
    "CANCEL",
    "SELL",
    "behaviour",
    "behaviours",
    "buy",
    "cancel",
    "register_behaviour",
    "sell",
    "Run",
    "RunError",
    "Scenario",
    "ScenarioError",
    "Table",
    "__version__",
    "read_run",
    "run",
    "sweep",
]

ScenarioLike = Union[Scenario, str, "os.PathLike[str]"]


def _scenario(scenario: ScenarioLike) -> Scenario:
    """A Scenario as given, or read from the file a path names."""
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, (str, os.PathLike)):
        return Scenario.from_file(os.fspath(scenario))
    raise TypeError(f"scenario: expected a tplus.Scenario or a path, got {type(scenario).__name__}")


def run(
    scenario: ScenarioLike,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    log: bool = False,
) -> Run:
    """Runs a scenario to its end and returns its outputs in memory.

    ``seed`` replaces the scenario's seed; ``threads`` are the worker threads
    for agent decisions (default: every core; results do not depend on it).
    An integer out of range is a ``ValueError`` naming it and its range;
    ``log=True`` also keeps the operation log (``Run.events``). The same
    scenario and seed give the same bytes as ``tplus run FILE --seed SEED``
    (``Run.save``). The GIL is released while the simulation runs.
    """
    if not isinstance(log, bool):
        raise TypeError(f"log: True or False, got {type(log).__name__}")
    return _run(_scenario(scenario), seed=seed, threads=threads, log=log)


def _design(design: Any) -> tuple[list[str], list[list[Any]]]:
    """Parameter paths and points from a design: a mapping of path → values,
    a pandas, polars or pyarrow table (columns are paths, rows points), an
    object with ``__arrow_c_stream__``, or a list of path → value mappings."""
    if isinstance(design, (list, tuple)):
        if not design:
            raise ValueError("design: no point")
        if not all(isinstance(p, Mapping) for p in design):
            raise TypeError("design: a list of points must hold mappings of path → value")
        paths = list(design[0].keys())
        for i, p in enumerate(design):
            # The same paths in any order (Optuna's `trial.params` may
            # order them otherwise from trial to trial).
            if set(p.keys()) != set(paths):
                raise ValueError(f"design: point {i} names {sorted(map(str, p.keys()))}, point 0 names {sorted(map(str, paths))}")
        return [str(k) for k in paths], [[p[k] for k in paths] for p in design]
    columns: Mapping[str, Any]
    if isinstance(design, Mapping):
        columns = design
    elif hasattr(design, "to_pydict"):  # pyarrow.Table
        columns = design.to_pydict()
    elif hasattr(design, "columns") and hasattr(design, "__getitem__"):  # pandas, polars
        names = [str(c) for c in design.columns]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            # pandas would give a frame for `design[c]`, whose items are
            # the column names: the message would blame the values.
            raise ValueError(f"the design has more than one column named {', '.join(map(repr, twice))}: "
                             "one column per parameter path")
        columns = {str(c): list(design[c]) for c in design.columns}
    elif hasattr(design, "__arrow_c_stream__"):
        import pyarrow

        columns = pyarrow.table(design).to_pydict()
    else:
        raise TypeError(
            f"design: expected a mapping of path → values, a DataFrame or Arrow table, or a list of points; "
            f"got {type(design).__name__}"
        )
    paths = [str(k) for k in columns.keys()]
    values = []
    for path, v in zip(paths, columns.values()):
        v = v.tolist() if hasattr(v, "tolist") else v
        # A string is iterable too, but one value, not a column of letters.
        if isinstance(v, (str, bytes)) or not isinstance(v, Iterable):
            raise TypeError(
                f"design: `{path}` maps to {v!r}, one value; give a list of its values, one per point "
                f"(e.g. {{{path!r}: [{v!r}]}})"
            )
        values.append(list(v))
    lengths = {len(v) for v in values}
    if len(lengths) > 1:
        raise ValueError(f"design: the columns have different lengths {sorted(lengths)}")
    n = lengths.pop() if lengths else 0
    if n == 0:
        raise ValueError("design: no point")
    return paths, [[col[i] for col in values] for i in range(n)]


def sweep(
    scenario: ScenarioLike,
    design: Any,
    replications: int = 1,
    jobs: Optional[int] = None,
    seed: Optional[int] = None,
) -> Table:
    """Runs every point of a design ``replications`` times; one row per run.

    ``design`` gives parameter paths (``agents[3].params.herding``, as in a
    sweep file) × points: a dict of path → list of values, a pandas or polars
    DataFrame or pyarrow Table whose columns are paths, or a list of
    path → value dicts (Optuna's ``trial.params``). Every point is checked
    before any run (``ScenarioError`` with ``point`` set). ``replications``:
    1 to 100,000 runs per point, as in a sweep file. ``jobs`` runs go at
    once, one thread each (default: every core). Run (point p, replication r)
    has the seed ``tplus sweep`` gives it from the sweep seed ``seed``
    (default: the scenario's). The table has ``sweep.csv``'s columns: point,
    replication, seed (uint64), one per path, status, error, the results,
    digest and wall_seconds; a run that failed is a row with status
    ``failed`` and its error. Ctrl-C stops the runs under way at their next
    boundary and raises ``KeyboardInterrupt`` (no table).
    """
    paths, points = _design(design)
    return _sweep_points(_scenario(scenario), paths, points, replications=replications, seed=seed, jobs=jobs)

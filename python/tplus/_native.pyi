"""Type stubs of tplus's native module (tplus._native); import from ``tplus``."""

import os
from typing import Any, Mapping, Optional, Sequence

__version__: str

class ScenarioError(ValueError):
    """A mistake in a scenario, a parameter path or a value.

    ``str(e)`` reads like ``tplus check``'s message
    (``file:line:column: field: what is wrong`` then ``accepted: …``).
    """

    file: str
    """The scenario file (``<string>`` for text, ``… with_params`` for values
    set by path, ``… design`` for a sweep's design)."""
    line: Optional[int]
    """1-based line of the mistake; None where it has no place in a text."""
    column: Optional[int]
    """1-based column (in characters), with ``line``."""
    field: Optional[str]
    """The field's parameter path, e.g. ``agents[1].arrival.rate``."""
    message: str
    """What is wrong, in words."""
    accepted: Optional[str]
    """What the field accepts instead."""
    point: Optional[int]
    """The design point at fault (``tplus.sweep``); None otherwise."""

class RunError(RuntimeError):
    """A run or sweep that could not start or finish (threads, memory)."""

class Scenario:
    """A validated scenario. Immutable: ``with_params`` returns a new one."""

    @staticmethod
    def from_file(path: str | os.PathLike[str]) -> Scenario:
        """Reads and validates a scenario file; raises ``ScenarioError``."""
    @staticmethod
    def from_toml(text: str, name: str = "<string>") -> Scenario:
        """Parses and validates scenario text; ``name`` stands for the file in messages."""
    def with_params(self, params: Mapping[str, Any]) -> Scenario:
        """A copy with fields set by parameter path, in order, e.g.
        ``{"agents[3].params.herding": 2.0, "simulation.days": 2}``: the paths of
        a sweep file, checked by the same code (``ScenarioError`` naming the
        field)."""
    def _first_days(self, days: int) -> Scenario: ...
    def to_toml(self) -> str:
        """The scenario as TOML with every default written out; ``from_toml``
        reads it back to an equal scenario."""
    @property
    def name(self) -> str:
        """``[simulation] name``."""
    @property
    def seed(self) -> int:
        """``[simulation] seed``."""
    @property
    def days(self) -> int:
        """``[simulation] days``: the business days it runs."""
    @property
    def products(self) -> list[str]:
        """The products' ids, in the scenario's order (a product's number is its place)."""
    @property
    def source(self) -> str:
        """Where the scenario came from (file, ``<string>``, … with_params)."""
    def __eq__(self, other: object) -> bool: ...

class Table:
    """An Arrow table in memory (one record batch). Pass it to
    ``pyarrow.table(t)``, ``polars.DataFrame(t)`` or any consumer of the Arrow
    PyCapsule interface; or call ``to_pyarrow``, ``to_polars``, ``to_pandas``.

    Types: times (``time``, ``t_start``, ``t_end``) are int64 nanoseconds since
    00:00 of the start date; ``date`` is date32; counts and ids int64; seeds
    uint64; prices, cash and statistics float64; words utf8; flags bool. An
    empty CSV cell is a null. Each field's ``description`` metadata holds the
    column's meaning."""

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        """The Arrow C stream PyCapsule (``arrow_array_stream``)."""
    def __arrow_c_schema__(self) -> object:
        """The Arrow C schema PyCapsule (``arrow_schema``)."""
    @property
    def num_rows(self) -> int: ...
    @property
    def num_columns(self) -> int: ...
    @property
    def column_names(self) -> list[str]: ...
    @property
    def dtypes(self) -> list[tuple[str, str]]:
        """(column, Arrow type name) pairs: int64, uint64, double, string, bool, date32."""
    def to_pyarrow(self) -> Any:
        """A ``pyarrow.Table`` (zero-copy)."""
    def to_polars(self) -> Any:
        """A ``polars.DataFrame`` (zero-copy where polars' layout allows)."""
    def to_pandas(self) -> Any:
        """A ``pandas.DataFrame`` through pyarrow."""
    def __len__(self) -> int: ...
    def __reduce__(self) -> tuple[Any, tuple[bytes]]:
        """Pickling (multiprocessing, joblib, concurrent.futures): the
        schema and columns as bytes, read back to an equal table."""
    @staticmethod
    def _from_bytes(data: bytes) -> Table: ...

class Run:
    """A finished run's outputs, in memory."""

    @property
    def metrics(self) -> Table:
        """``metrics.csv``: one row per (window, product)."""
    @property
    def trades(self) -> Table:
        """``trades.csv``: one row per execution."""
    @property
    def events(self) -> Optional[Table]:
        """``events.csv``, the operation log; None unless run with ``log=True``."""
    @property
    def risk(self) -> Table:
        """``risk.csv``: customers far from their family."""
    @property
    def credit_fit(self) -> Optional[Table]:
        """``credit_fit.csv``; None unless the scenario refits its scorecard."""
    @property
    def summary(self) -> dict[str, Any]:
        """``summary.json`` as a dict."""
    @property
    def manifest(self) -> dict[str, Any]:
        """``manifest.json`` as a dict (wall time, memory, counts, the scenario)."""
    @property
    def seed(self) -> int:
        """The seed the run used."""
    @property
    def threads(self) -> int:
        """The worker threads it decided with."""
    @property
    def failure(self) -> Optional[str]:
        """Why the run's cash cannot be trusted (manifest's ``failure``); None for a sound run."""
    @property
    def files(self) -> list[str]:
        """The run's file names, ``manifest.json`` last."""
    def file(self, name: str) -> bytes:
        """One file's bytes, exactly as ``tplus run`` writes it."""
    def save(self, dir: str | os.PathLike[str], force: bool = False) -> str:
        """Writes the files into ``dir`` as ``tplus run --out DIR`` does (a
        non-empty directory refused unless ``force``, which first removes a
        run's files there); returns the directory. Raises ``OSError``."""
    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickling (multiprocessing, joblib, concurrent.futures): the run's
        files, seed, threads and failure; its tables are parsed again when read."""
    @staticmethod
    def _from_files(
        files: Sequence[tuple[str, bytes]], seed: int, threads: int, failure: Optional[str]
    ) -> Run: ...

def check_whole(value: Any, name: str, lo: int, hi: int) -> int:
    """``value`` as an int from ``lo`` to ``hi``: a ``ValueError`` naming
    ``name`` and the range when out of it, a ``TypeError`` when not a whole
    number (the check every integer argument of the package goes through)."""

def run(scenario: Scenario, seed: Optional[int] = None, threads: Optional[int] = None, log: bool = False) -> Run: ...
def read_run(dir: str | os.PathLike[str]) -> Run:
    """A finished run's directory, as ``tplus run`` or ``Run.save`` wrote
    it, read back into a ``Run`` whose tables are typed as an in-process
    run's (a column empty in every row included). Every table is parsed
    at once, so a file edited by hand is refused here, named.
    ``FileNotFoundError`` when the path is not a directory holding a
    ``manifest.json`` (not a run, or one cut short); ``ValueError`` when the
    directory is not one whole run (a file the manifest lists is missing or
    lacks rows the run's counts fix, the summary is another run's, a cell is
    not its column's type); ``OSError`` when a file cannot be read."""
def sweep_points(
    scenario: Scenario,
    paths: Sequence[str],
    points: Sequence[Sequence[Any]],
    replications: Optional[int] = None,
    seed: Optional[int] = None,
    jobs: Optional[int] = None,
) -> Table: ...

class ExternalSim:
    """A run of a scenario with one external customer appended, whom the
    caller controls; the native half of ``tplus.gym.MarketEnv``. Built at
    just after the first open. Any thread may call it, one call at a time
    (a call while another is under way raises ``RuntimeError``)."""
    def __init__(
        self,
        scenario: Scenario,
        seed: Optional[int] = None,
        product: Optional[int] = None,
        cash: float = 20000.0,
        lots: float = 20.0,
        credit_score: float = 700.0,
    ) -> None: ...
    @staticmethod
    def check(scenario: Scenario, cash: float = 20000.0, lots: float = 20.0, credit_score: float = 700.0) -> None:
        """Checks the customer's opening position against ``scenario`` as its
        run would when it starts (the budget, initial lots and credit score
        fields' ranges, and what one account may open with); the error, a
        ``ValueError``, names the argument."""
    def step(
        self, kind: int, lots: int, offset: int, step_ns: int, ttl_ns: Optional[int] = None
    ) -> tuple[bytearray, float, int, bool]:
        """Sends the action (kind 0 hold, 1 subscribe, 2 sell, 3 cancel; a
        new order replaces the resting one on its side; price NAV rounded to
        a tick plus ``offset`` ticks), runs ``step_ns`` of simulated time (to
        the next open when the session closes on the way); returns (the
        observation as float32 bytes, wealth at NAV in currency, refusals
        so far, whether the run is over). ``step_ns`` and ``ttl_ns`` are
        from 1 to 2**63 - 1; an argument out of its range raises
        ``ValueError`` naming it. Releases the GIL while the market runs."""
    def observe(self) -> tuple[bytearray, float, int, bool]:
        """The observation now, as ``step`` returns it."""
    def tally(self) -> dict[str, Any]:
        """What the customer's orders came to: orders, lots_sent, rejected,
        rejected_by (by reason), fills, lots_bought, lots_sold, paid,
        received (currency), closed, closed_filled, closed_lots,
        closed_lots_filled, cancels, cancels_too_late."""
    @property
    def time(self) -> int:
        """Simulated time reached, nanoseconds since 00:00 of the start date."""
    @property
    def day(self) -> int:
        """The business day reached (0-based)."""
    @property
    def days(self) -> int:
        """Business days in the run."""
    @property
    def seed(self) -> int:
        """The seed the run uses."""
    @property
    def account(self) -> int:
        """The external customer's account id (the last customer)."""
    @property
    def nav(self) -> float:
        """Today's NAV, currency per unit."""
    @property
    def tick_size(self) -> float:
        """Currency per tick of price."""
    @property
    def lot_size(self) -> int:
        """Units in a lot."""
    @property
    def done(self) -> bool:
        """Whether the last session has closed."""
# Behaviours written in Python (tplus.behaviour, docs/python.md).

class BehaviourError(RunError):
    """A Python behaviour's ``decide`` returned something tplus cannot read:
    an action of the wrong shape, an agent index or a product out of range,
    more than 4 actions for one agent in one wake-up."""

class Batch:
    """One lookahead batch of a Python behaviour's group, as ``decide(ctx)``
    reads it. Per-agent arrays are indexed by ``i`` (0 to ``len(ctx) - 1``),
    per-product arrays by the product's index in the scenario. Every array is
    a tuple, built when first read in the batch. Valid during the call only:
    reading a batch kept past its call raises ``RuntimeError`` (copy what you
    need while the call runs; the tuples read stay good)."""

    def __len__(self) -> int: ...
    time: int
    """When the batch's snapshot was taken, in nanoseconds since 00:00 of the start date."""
    day: int
    """Business day, 0 = the first."""
    session_left: float
    """Share of today's session still to come, 1 at the open to 0 at the close."""
    loan_rate: float
    """Rate customers borrow at, a fraction per year."""
    deposit_rate: float
    """Bank deposit rate, a fraction per year."""
    windows_per_day: float
    """Metrics windows per business day."""
    group_size: int
    """Members in the group (``members`` runs from 0 to this minus 1)."""
    draws: int
    """Uniforms each agent drew this wake-up (the class's ``draws``)."""
    n_products: int
    """Products in the scenario."""
    @property
    def ids(self) -> tuple[int, ...]:
        """Each agent's account id."""
    @property
    def times(self) -> tuple[int, ...]:
        """When each agent woke, in nanoseconds since 00:00 of the start date."""
    @property
    def members(self) -> tuple[int, ...]:
        """Each agent's place in its group, 0 to ``group_size - 1``."""
    @property
    def cash(self) -> tuple[float, ...]:
        """Free cash (not promised to resting buys), in currency units."""
    @property
    def held(self) -> tuple[tuple[int, ...], ...]:
        """``held[i][p]``: lots of product p agent i holds."""
    @property
    def sellable(self) -> tuple[tuple[int, ...], ...]:
        """``sellable[i][p]``: lots agent i may sell today."""
    @property
    def locked(self) -> tuple[tuple[int, ...], ...]:
        """``locked[i][p]``: lots bought today, locked by T+1 until the next business day."""
    @property
    def due(self) -> tuple[tuple[int, ...], ...]:
        """``due[i][p]``: lots the platform redeems at today's close unless sold."""
    @property
    def resting_bid(self) -> tuple[Optional[int], ...]:
        """The product of agent i's resting bid; None when none rests."""
    @property
    def resting_ask(self) -> tuple[Optional[int], ...]:
        """The product of agent i's resting ask; None when none rests."""
    @property
    def uniforms(self) -> tuple[float, ...]:
        """``uniforms[i * draws + k]``: agent i's k-th uniform on [0, 1), from its own generator."""
    @property
    def nav(self) -> tuple[float, ...]:
        """Per product: today's NAV in (fractional) ticks."""
    @property
    def nav_next(self) -> tuple[float, ...]:
        """Per product: the next business day's NAV in ticks."""
    @property
    def best_bid(self) -> tuple[Optional[int], ...]:
        """Per product: the best bid in ticks; None when no one bids."""
    @property
    def best_ask(self) -> tuple[Optional[int], ...]:
        """Per product: the best ask in ticks; None when no one offers."""
    @property
    def last_price(self) -> tuple[Optional[int], ...]:
        """Per product: the last trade's price in ticks; None before the first."""
    @property
    def band_lo(self) -> tuple[int, ...]:
        """Per product: the lowest limit price accepted today, in ticks."""
    @property
    def band_hi(self) -> tuple[int, ...]:
        """Per product: the highest limit price accepted today, in ticks."""
    @property
    def lot_value(self) -> tuple[float, ...]:
        """Per product: a lot's cost per tick of price, in currency units."""
    @property
    def max_order_lots(self) -> tuple[int, ...]:
        """Per product: the largest order accepted, in lots."""
    @property
    def last_return(self) -> tuple[float, ...]:
        """Per product: the last metrics window's log return (0 before any)."""
    @property
    def returns(self) -> tuple[tuple[float, ...], ...]:
        """Per product: the recent windows' log returns, oldest first."""
    @property
    def sale_success(self) -> tuple[float, ...]:
        """Per product: share of customers' sales that filled, smoothed."""
    @property
    def imbalance(self) -> tuple[float, ...]:
        """Per product: customers' order imbalance in the last window."""
    @property
    def products(self) -> tuple[int, ...]:
        """The products this group trades."""

def register_behaviour(name: str, cls: type) -> None: ...
def behaviours() -> list[str]: ...

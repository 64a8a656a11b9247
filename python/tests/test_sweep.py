"""tplus.sweep: a design given point by point (dict, DataFrame, Arrow table,
list of dicts) runs into the rows `tplus sweep` writes for the same points."""

import csv
import io
import subprocess

import pytest
from conftest import interrupt

import tplus

# tplus sweep's scenarios/sweeps/ci.toml, point by point (a grid, the first
# parameter slowest).
LOAN = [0.02, 0.02, 0.02, 0.06, 0.06, 0.06]
BUY = [0.4, 0.5, 0.6, 0.4, 0.5, 0.6]
PATHS = ["macro.loan_rate.value", "agents[3].params.buy_prob"]


@pytest.fixture(scope="module")
def reference(scenarios):
    return tplus.Scenario.from_file(scenarios / "bench" / "reference_market.toml")


@pytest.fixture(scope="module")
def rows(reference):
    return tplus.sweep(reference, {PATHS[0]: LOAN, PATHS[1]: BUY}, replications=2, jobs=2, seed=11)


def test_rows_are_the_cli_sweeps_rows(scenarios, tplus_bin, tmp_path, rows):
    out = tmp_path / "sweep"
    subprocess.run([tplus_bin, "sweep", str(scenarios / "sweeps" / "ci.toml"), "--out", str(out), "--jobs", "2", "--quiet"],
                   check=True, capture_output=True)
    text = (out / "sweep.csv").read_text()
    header, *lines = text.splitlines()
    assert rows.column_names == header.split(",")
    pa = pytest.importorskip("pyarrow")
    table = pa.table(rows)
    cli = list(csv.reader(io.StringIO(text)))[1:]
    assert len(cli) == table.num_rows == 12
    ours = table.to_pylist()
    for want, got in zip(cli, ours):
        # Every column but the wall time is a function of the sweep alone.
        for name, cell in zip(header.split(",")[:-1], want[:-1]):
            value = got[name]
            text_of = "" if value is None else ("true" if value is True else "false" if value is False else str(value))
            assert text_of == cell or (isinstance(value, float) and float(cell) == value), (name, cell, value)


def test_types_of_the_sweep_table(rows):
    pa = pytest.importorskip("pyarrow")
    schema = pa.table(rows).schema
    assert schema.field("seed").type == pa.uint64()
    assert schema.field("point").type == pa.int64()
    assert schema.field(PATHS[0]).type == pa.float64()
    assert schema.field("cash_conserved").type == pa.bool_()
    assert schema.field("trades").type == pa.int64()
    assert schema.field("status").type == pa.string()


def test_designs_as_dataframes_tables_and_lists(reference):
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    pa = pytest.importorskip("pyarrow")
    small = reference.with_params({"simulation.days": 1})
    design = {"agents[3].params.buy_prob": [0.45, 0.55], "agents[3].count": [300, 400]}
    want = pa.table(tplus.sweep(small, design, seed=3, jobs=1)).drop(["wall_seconds"])
    # A list of points may name its paths in any order (Optuna's
    # `trial.params` may order them otherwise from trial to trial).
    for given in (pd.DataFrame(design), pl.DataFrame(design), pa.table(design),
                  [{"agents[3].params.buy_prob": 0.45, "agents[3].count": 300},
                   {"agents[3].params.buy_prob": 0.55, "agents[3].count": 400}],
                  [{"agents[3].params.buy_prob": 0.45, "agents[3].count": 300},
                   {"agents[3].count": 400, "agents[3].params.buy_prob": 0.55}]):
        got = pa.table(tplus.sweep(small, given, seed=3, jobs=2)).drop(["wall_seconds"])
        assert got.equals(want), type(given)
    assert want.schema.field("agents[3].count").type == pa.int64()
    assert want.column("status").to_pylist() == ["ok", "ok"]
    # Whole numbers as floats, as SALib and pyDOE give every sample, are
    # taken by a whole-number field: the same runs.
    floats = {"agents[3].params.buy_prob": [0.45, 0.55], "agents[3].count": [300.0, 400.0]}
    got = pa.table(tplus.sweep(small, floats, seed=3, jobs=1))
    assert got.column("status").to_pylist() == ["ok", "ok"]
    assert got.column("trades").to_pylist() == want.column("trades").to_pylist()


def test_a_bad_point_is_a_scenario_error_before_any_run(reference):
    with pytest.raises(tplus.ScenarioError) as info:
        tplus.sweep(reference, {"agents[3].params.buy_prob": [0.5, 7.0]})
    assert info.value.point == 1
    assert info.value.field == "agents[3].params.buy_prob"
    assert info.value.accepted
    with pytest.raises(tplus.ScenarioError) as info:
        tplus.sweep(reference, {"agents[3].params.no_such": [1.0]})
    assert info.value.point == 0
    # A missing value (a DataFrame's NaN or None) is a bad point like any.
    for missing, says in [(float("nan"), "NaN is not a finite number"), (None, "None (a missing value)")]:
        with pytest.raises(tplus.ScenarioError) as info:
            tplus.sweep(reference, {"agents[3].params.buy_prob": [0.5, missing]})
        assert (info.value.point, info.value.field) == (1, "agents[3].params.buy_prob")
        assert says in str(info.value) and info.value.line is None
    # One value where a list of them belongs: a string used to be split
    # into one point per letter, a number to raise a bare TypeError.
    with pytest.raises(TypeError, match=r"`simulation.name` maps to 'ab', one value; give a list"):
        tplus.sweep(reference, {"simulation.name": "ab"})
    with pytest.raises(TypeError, match=r"`agents\[3\].count` maps to 300, one value"):
        tplus.sweep(reference, {"agents[3].count": 300})
    with pytest.raises(ValueError, match="different lengths"):
        tplus.sweep(reference, {"a": [1, 2], "b": [1]})
    with pytest.raises(ValueError, match="no point"):
        tplus.sweep(reference, {"simulation.days": []})
    with pytest.raises(ValueError, match="replications"):
        tplus.sweep(reference, {"simulation.days": [1]}, replications=0)
    with pytest.raises(ValueError, match="seed comes from the sweep"):
        tplus.sweep(reference, {"simulation.seed": [1, 2]})
    with pytest.raises(ValueError, match="at most 10000000"):
        tplus.sweep(reference, {"simulation.days": [1] * 101}, replications=100_000)


@pytest.mark.parametrize(
    "kw, name",
    [
        ({"replications": -1}, "replications"),
        ({"replications": 2**40}, "replications"),
        ({"jobs": -2}, "jobs"),
        ({"jobs": 0}, "jobs"),
        ({"seed": -1}, "seed"),
        ({"seed": 2**64}, "seed"),
    ],
)
def test_integers_out_of_range_are_value_errors_naming_the_argument(reference, kw, name):
    with pytest.raises(ValueError, match=rf"^{name}=.* is out of range: a whole number from \d+ to \d+"):
        tplus.sweep(reference, {"simulation.days": [1]}, **kw)


def test_replications_are_capped_as_in_a_sweep_file(reference):
    # A sweep file takes 1 to 100000 replications (sweep.replications);
    # the design's runs (points × replications) are capped apart.
    with pytest.raises(ValueError, match=r"^replications=100001 is out of range: a whole number from 1 to 100000"):
        tplus.sweep(reference, {"simulation.days": [1]}, replications=100_001)


def test_sweep_tables_pickle(rows):
    import pickle

    pa = pytest.importorskip("pyarrow")
    again = pickle.loads(pickle.dumps(rows))
    assert pa.table(again).equals(pa.table(rows), check_metadata=True)
    assert again.dtypes == rows.dtypes


def test_ctrl_c_stops_a_sweep_promptly(tmp_path):
    # Four long runs on two workers in a child process, interrupted once
    # they are under way: the runs stop at their next boundary, no table.
    waited = interrupt(tmp_path, "tplus.sweep(s, {'simulation.days': [200, 200, 200, 200]}, jobs=2)")
    assert waited < 5.0, f"took {waited:.1f} s to stop"


def test_a_column_named_twice_is_refused(reference):
    pd = pytest.importorskip("pandas")
    design = pd.DataFrame([[0.4, 0.5]], columns=["agents[3].params.buy_prob"] * 2)
    with pytest.raises(ValueError, match="more than one column named 'agents\\[3\\].params.buy_prob'"):
        tplus.sweep(reference, design)


def test_a_design_too_large_for_the_memory_is_refused_before_any_run(reference):
    # Past the machine's memory the process would be killed (a notebook's
    # kernel with it): refused first, in the command line's words.
    huge = reference.with_params({"agents[3].count": 49_000_000, "simulation.days": 5000})
    with pytest.raises(tplus.RunError, match=r"would need about .* of memory at its peak"):
        tplus.sweep(huge, {"agents[3].params.buy_prob": [0.45, 0.55]}, jobs=1)
    with pytest.raises(tplus.RunError, match=r"more than (this machine's memory|this job's memory limit)"):
        tplus.run(huge)


def test_a_run_whose_files_would_not_fit_in_memory_is_refused(scenarios):
    # tplus.run keeps its files in memory: 10,000 baseline days write
    # about 286 GiB of operation log, with a few hundred MiB of market.
    long = tplus.Scenario.from_file(scenarios / "baseline.toml").with_params({"simulation.days": 10_000})
    with pytest.raises(tplus.RunError, match=r"(?s)the run's files, kept in memory .* log=False"):
        tplus.run(long, log=True)

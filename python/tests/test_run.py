"""tplus.run: outputs in memory, the same bytes as `tplus run`, the same
results on 1 and 2 threads, Arrow tables with documented types, the GIL
released while Rust runs."""

import json
import subprocess
import sys
import threading
import time

import pytest
from conftest import assert_gil_released

import tplus

# Fields of manifest.json that say when, how fast and in how much memory the
# process ran: never the same twice, whatever wrote the file. The version
# names the commit each was built from (and whether its tree was modified),
# which a wheel and a binary built at different moments need not share.
VOLATILE = ("created_utc", "wall_seconds", "memory", "version")


@pytest.fixture(scope="module")
def baseline(scenarios):
    return tplus.Scenario.from_file(scenarios / "baseline.toml")


@pytest.fixture(scope="module")
def logged(baseline):
    return tplus.run(baseline, seed=7, threads=1, log=True)


def _same_files(a, b):
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    for name in names:
        if name == "manifest.json":
            ma, mb = (json.loads((d / name).read_text()) for d in (a, b))
            for k in VOLATILE:
                ma.pop(k), mb.pop(k)
            assert ma == mb
        else:
            assert (a / name).read_bytes() == (b / name).read_bytes(), name
    return names


@pytest.mark.parametrize("file,log", [("baseline.toml", True), ("credit_fit.toml", False), ("two_products.toml", False)])
def test_save_writes_the_bytes_the_cli_writes(scenarios, tplus_bin, tmp_path, file, log):
    cli = tmp_path / "cli"
    args = [tplus_bin, "run", str(scenarios / file), "--seed", "7", "--threads", "1", "--out", str(cli), "--quiet"]
    subprocess.run(args + (["--log"] if log else []), check=True, capture_output=True)
    r = tplus.run(tplus.Scenario.from_file(scenarios / file), seed=7, threads=1, log=log)
    assert r.save(tmp_path / "py") == str(tmp_path / "py")
    names = _same_files(cli, tmp_path / "py")
    assert "trades.csv" in names and "metrics.csv" in names and "summary.json" in names
    assert ("events.csv" in names) == log
    if file == "credit_fit.toml":
        assert "credit_fit.csv" in names and r.credit_fit is not None


def test_save_refuses_a_directory_that_holds_files(logged, tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(OSError, match="keep.txt") as e:
        logged.save(tmp_path)
    # In save's terms, not the command line's (it said "add --force").
    assert "pass force=True" in str(e.value) and "--" not in str(e.value), e.value
    logged.save(tmp_path, force=True)
    assert (tmp_path / "keep.txt").read_text() == "mine"
    assert (tmp_path / "manifest.json").is_file()


def test_tables_hold_the_files_rows(logged):
    for name, table in [("trades.csv", logged.trades), ("metrics.csv", logged.metrics),
                        ("events.csv", logged.events), ("risk.csv", logged.risk)]:
        lines = logged.file(name).decode().splitlines()
        assert table.column_names == lines[0].split(",")
        assert table.num_rows == len(lines) - 1 == len(table)
    assert logged.summary["all"]["trades"] == logged.trades.num_rows > 1000
    assert logged.summary["seed"] == logged.seed == 7
    assert logged.manifest["files"] == logged.files[:-1]
    assert logged.files[-1] == "manifest.json"
    assert logged.failure is None
    assert logged.credit_fit is None


def test_events_only_with_the_log(baseline):
    r = tplus.run(baseline.with_params({"simulation.days": 1}), seed=3, threads=1)
    assert r.events is None
    assert "events.csv" not in r.files


def test_dtypes_are_the_documented_ones(logged):
    pa = pytest.importorskip("pyarrow")
    trades = pa.table(logged.trades)
    assert trades.schema.field("time").type == pa.int64()
    assert trades.schema.field("price").type == pa.float64()
    assert trades.schema.field("buy_order").type == pa.int64()
    assert trades.schema.field("product").type == pa.string()
    assert b"ns" in trades.schema.field("time").metadata[b"unit"]
    metrics = pa.table(logged.metrics)
    assert metrics.schema.field("date").type == pa.date32()
    assert metrics.schema.field("t_start").type == pa.int64()
    assert metrics.schema.field("sub_success").type == pa.float64()
    events = pa.table(logged.events)
    assert events.schema.field("aon").type == pa.bool_()
    # Times are exact nanoseconds: the file's decimal seconds times 1e9.
    first = logged.file("trades.csv").decode().splitlines()[1].split(",")[0]
    whole, _, frac = first.partition(".")
    assert trades.column("time")[0].as_py() == int(whole) * 10**9 + int((frac or "0").ljust(9, "0"))
    assert dict(logged.trades.dtypes)["time"] == "int64"
    # Each time column's description counts what it holds: nanoseconds, where
    # it said "seconds since", the CSV's unit, a factor of 1e9 off.
    for table, column in ((trades, "time"), (metrics, "t_start"), (metrics, "t_end"), (events, "time")):
        meta = table.schema.field(column).metadata
        assert b"nanoseconds since 00:00 of the start date" in meta[b"description"], (column, meta)
        assert not meta[b"description"].startswith(b"seconds"), (column, meta)


def test_pyarrow_polars_and_pandas_take_the_tables(logged):
    pa = pytest.importorskip("pyarrow")
    pl = pytest.importorskip("polars")
    pd = pytest.importorskip("pandas")
    a, b = pa.table(logged.trades), logged.trades.to_pyarrow()
    # Zero-copy: both imports point at the one buffer tplus holds.
    assert a.column("lots").chunks[0].buffers()[1].address == b.column("lots").chunks[0].buffers()[1].address
    df = logged.trades.to_polars()
    assert isinstance(df, pl.DataFrame)
    assert df.schema["time"] == pl.Int64 and df.schema["price"] == pl.Float64
    assert df.height == logged.trades.num_rows
    assert pl.DataFrame(logged.metrics).schema["date"] == pl.Date
    pdf = logged.trades.to_pandas()
    assert isinstance(pdf, pd.DataFrame)
    assert str(pdf["time"].dtype) == "int64"
    assert len(pdf) == logged.trades.num_rows


def test_polars_reads_the_saved_files_with_its_defaults(scenarios, tmp_path):
    """A real column's every cell shows its point, so polars' guess from the
    first 100 rows reads it as a float: two_products.toml's metrics.csv
    failed at `nav`, whole on the first day, until the files wrote `1.0`."""
    pl = pytest.importorskip("polars")
    r = tplus.run(tplus.Scenario.from_file(scenarios / "two_products.toml"), seed=7, threads=1, log=True)
    r.save(tmp_path)
    for name, table in [("metrics.csv", r.metrics), ("trades.csv", r.trades), ("events.csv", r.events),
                        ("risk.csv", r.risk)]:
        read = pl.read_csv(tmp_path / name)
        typed = pl.DataFrame(table)
        for column, dtype in typed.schema.items():
            if dtype == pl.Float64 and read[column].null_count() < read.height:
                assert read.schema[column] == pl.Float64, (name, column, read.schema[column])
    assert pl.read_csv(tmp_path / "metrics.csv")["nav"].dtype == pl.Float64


def test_same_results_on_one_and_two_threads(baseline):
    s = baseline.with_params({"simulation.days": 1})
    one, two = tplus.run(s, seed=5, threads=1), tplus.run(s, seed=5, threads=2)
    for name in ("trades.csv", "metrics.csv", "summary.json", "risk.csv"):
        assert one.file(name) == two.file(name), name
    assert two.threads == 2


def test_the_gil_is_released_while_rust_runs(baseline):
    """A Python thread keeps counting while another thread is inside tplus.run."""
    s = baseline.with_params({"simulation.days": 2})

    def work(least):
        t0 = time.perf_counter()
        # Runs until long enough to tell, whatever this machine's speed.
        tplus.run(s, seed=1, threads=1)
        while time.perf_counter() - t0 < least:
            tplus.run(s, seed=1, threads=1)
        return time.perf_counter() - t0

    assert_gil_released(work)


def test_bad_arguments_are_refused(baseline):
    with pytest.raises(ValueError):
        tplus.run(baseline, threads=0)
    with pytest.raises(TypeError):
        tplus.run(42)
    with pytest.raises(TypeError, match="seed"):
        tplus.run(baseline, seed=1.5)


def test_arguments_of_another_type_are_type_errors_naming_them(baseline, tmp_path):
    # Before, pyo3's own words: "'int' object is not an instance of 'bool'".
    run = tplus.run(baseline.with_params({"simulation.days": 1}))
    with pytest.raises(TypeError, match=r"^force: True or False, got int"):
        run.save(tmp_path / "x", force=1)
    np = pytest.importorskip("numpy")
    run.save(tmp_path / "y", force=np.True_)
    with pytest.raises(TypeError, match=r"^text: a str \(the scenario's TOML\), got bytes"):
        tplus.Scenario.from_toml(b"[simulation]")
    with pytest.raises(TypeError, match=r"^name: a str .*, got int"):
        tplus.Scenario.from_toml("[simulation]", name=3)
    with pytest.raises(TypeError, match=r"^name: a str \(the family's name"):
        tplus.register_behaviour(3, object)


@pytest.mark.parametrize(
    "kw, name",
    [
        ({"seed": -1}, "seed"),
        ({"seed": 2**64}, "seed"),
        ({"threads": -1}, "threads"),
        ({"threads": 2**70}, "threads"),
        # As `tplus run --threads`: 1 to 1024 (a run asked for 100,000 spawned
        # threads for minutes).
        ({"threads": 1025}, "threads"),
    ],
)
def test_integers_out_of_range_are_value_errors_naming_the_argument(baseline, kw, name):
    # pyo3's own conversion raised OverflowError, which is not a ValueError
    # and named neither the argument nor what it accepts.
    with pytest.raises(ValueError, match=rf"^{name}=.* is out of range: a whole number from \d+ to \d+"):
        tplus.run(baseline, **kw)


def test_whole_numbers_written_as_floats_are_taken_and_bools_are_not(baseline):
    # As a parameter path takes 2.0 for a whole-number field (a numpy or
    # pandas column of floats): before, seed=2.0 was a TypeError while
    # with_params({"simulation.days": 2.0}) was taken, and seed=True ran as seed 1.
    s = baseline.with_params({"simulation.days": 1})
    assert tplus.run(s, seed=2.0, threads=1.0).file("summary.json") == tplus.run(s, seed=2).file("summary.json")
    np = pytest.importorskip("numpy")
    assert tplus.run(s, seed=np.float64(3), threads=np.int64(1)).seed == 3
    for bad in (True, np.bool_(True)):
        with pytest.raises(TypeError, match=r"^seed: a whole number from 0 to \d+, not a bool"):
            tplus.run(s, seed=bad)
    for bad, shown in ((2.5, "2.5"), (float("nan"), "nan"), (float("inf"), "inf")):
        with pytest.raises(TypeError, match=rf"^seed: a whole number from 0 to \d+, not {shown}$"):
            tplus.run(s, seed=bad)
    with pytest.raises(ValueError, match=r"^threads=2000.0 is out of range: a whole number from 1 to 1024$"):
        tplus.run(s, threads=2000.0)
    with pytest.raises(ValueError, match=r"^seed=-1.0 is out of range"):
        tplus.run(s, seed=-1.0)
    # Other real numbers are taken only when exactly whole: none is rounded
    # through a float (Decimal(2**53 + 1) ran as seed 2**53).
    from decimal import Decimal
    from fractions import Fraction

    assert tplus.run(s, seed=Decimal(3), threads=Fraction(2, 2)).seed == 3
    for bad in (Decimal(2**53 + 1) + Decimal("0.5"), Fraction(7, 2), np.longdouble(2.5)):
        with pytest.raises(TypeError, match=r"^seed: a whole number"):
            tplus.run(s, seed=bad)
    from tplus._args import U64, whole

    assert whole(Decimal(2**53 + 1), "x", *U64) == 2**53 + 1
    assert whole(Fraction(2**60 + 1, 1), "x", *U64) == 2**60 + 1


def test_an_integer_of_hundreds_of_digits_is_cut_short_in_messages(baseline):
    # Before, all 401 digits of 10**400 were printed.
    with pytest.raises(ValueError) as e:
        tplus.run(baseline, seed=10**400)
    assert str(e.value) == (
        "seed=10000000000000000000... (401 digits) is out of range: a whole number from 0 to 18446744073709551615"
    )
    with pytest.raises(ValueError, match=r"^simulation\.days: 10000000000000000000\.\.\. \(401 digits\) is out of range$"):
        baseline.with_params({"simulation.days": 10**400})
    # An integer beyond 64 bits for a whole-number field: out of range, where
    # it said "invalid type: floating point".
    # Past Python's 4,300-digit repr limit, a digit count.
    with pytest.raises(ValueError, match=r"^seed=an integer of about 5001 digits is out of range"):
        tplus.run(baseline, seed=10**5000)
    with pytest.raises(tplus.ScenarioError, match=r"simulation\.days: 1180591620717411303424 is out of range\n"):
        baseline.with_params({"simulation.days": 2**70})
    # Below and past the seed's range read alike, naming what is accepted
    # (-1 said "invalid value: integer", accepted "a non-negative integer").
    for seed in (-1, 2**64):
        with pytest.raises(tplus.ScenarioError) as e:
            baseline.with_params({"simulation.seed": seed})
        assert e.value.message.endswith(" is out of range"), str(e.value)
        assert e.value.accepted.startswith("a whole number from 0 to 18446744073709551615"), str(e.value)


def _same_table(a, b):
    pa = pytest.importorskip("pyarrow")
    ta, tb = pa.table(a), pa.table(b)
    assert ta.equals(tb, check_metadata=True)
    assert a.dtypes == b.dtypes and len(a) == len(b)


def _same_run(a, b):
    assert (a.files, a.seed, a.threads, a.failure) == (b.files, b.seed, b.threads, b.failure)
    for name in a.files:
        assert a.file(name) == b.file(name), name
    assert a.summary == b.summary and a.manifest == b.manifest
    for t in ("metrics", "trades", "events", "risk", "credit_fit"):
        ta, tb = getattr(a, t), getattr(b, t)
        assert (ta is None) == (tb is None), t
        if ta is not None:
            _same_table(ta, tb)


def test_runs_and_tables_pickle(logged):
    import pickle

    _ = logged.trades  # a table already parsed and kept is no obstacle
    again = pickle.loads(pickle.dumps(logged))
    assert isinstance(again, tplus.Run)
    _same_run(logged, again)
    t = pickle.loads(pickle.dumps(logged.events, protocol=pickle.HIGHEST_PROTOCOL))
    assert isinstance(t, tplus.Table) and repr(t) == repr(logged.events)
    _same_table(t, logged.events)
    # What comes back equals what was sent, as the docs say (== tested
    # identity only before).
    assert again == logged and t == logged.events
    assert logged.trades != logged.metrics and logged != logged.trades


def test_tables_of_two_runs_of_a_seed_are_equal_and_the_runs_are_not(baseline):
    s = baseline.with_params({"simulation.days": 1})
    a, b = tplus.run(s, seed=4), tplus.run(s, seed=4)
    assert a.metrics == b.metrics and a.trades == b.trades
    assert a != b  # manifest.json: when and how fast each ran
    assert a.metrics != tplus.run(s, seed=5).metrics
    with pytest.raises(TypeError):
        hash(a.metrics)


def _trades_of(job):
    text, seed, threads = job
    return tplus.run(tplus.Scenario.from_toml(text), seed=seed, threads=threads).trades.num_rows


def test_runs_in_workers_forked_after_the_parent_ran(baseline):
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork on this platform")
    # A run that scores credit each day: it used to start rayon's global
    # pool, whose threads a forked child does not have, and the child's own
    # run then waited for them forever.
    s = baseline.with_params({"simulation.days": 2})
    parent = tplus.run(s, seed=3, threads=1)
    text = s.to_toml()
    with multiprocessing.get_context("fork").Pool(2) as pool:
        rows = pool.map_async(_trades_of, [(text, 3, 1), (text, 3, 2)]).get(timeout=120)
    assert rows == [parent.trades.num_rows] * 2


def test_runs_and_tables_cross_process_pools(baseline):
    import concurrent.futures
    import multiprocessing

    run = tplus.run(baseline.with_params({"simulation.days": 1}), seed=3, threads=1)
    # A fresh interpreter (spawn): everything it gets back came through pickle.
    ctx = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
        back_run, back_table = pool.submit(tuple, [run, run.metrics]).result(timeout=120)
        rows = pool.submit(len, run.trades).result(timeout=120)
    _same_run(run, back_run)
    _same_table(back_table, run.metrics)
    assert rows == run.trades.num_rows > 0


def test_a_runs_directory_reads_back_typed(scenarios, tplus_bin, tmp_path):
    """tplus.read_run: what Run.save or `tplus run` wrote, read back into a
    Run equal to the one saved, its tables typed as an in-process run's.
    A one-product run's `lsv` is empty in every row, which polars reading
    the file can only take for text."""
    pl = pytest.importorskip("polars")
    s = tplus.Scenario.from_file(scenarios / "baseline.toml").with_params({"simulation.days": 1})
    r = tplus.run(s, seed=7, threads=1, log=True)
    r.save(tmp_path / "py")
    (tmp_path / "py" / "notes.txt").write_text("a user's file beside the run's")
    again = tplus.read_run(tmp_path / "py")
    _same_run(r, again)
    assert again == r and again.files[-1] == "manifest.json"

    cli = tmp_path / "cli"
    args = [tplus_bin, "run", str(scenarios / "baseline.toml"), "--seed", "7", "--out", str(cli), "--quiet"]
    subprocess.run(args, check=True, capture_output=True)
    read = tplus.read_run(str(cli))
    assert (read.seed, read.failure, read.events) == (7, None, None)
    guessed = pl.read_csv(cli / "metrics.csv")
    assert guessed["lsv"].null_count() == guessed.height
    assert guessed.schema["lsv"] == pl.String
    typed = pl.DataFrame(read.metrics)
    assert typed.schema["lsv"] == pl.Float64 and typed.height == guessed.height
    assert read.metrics.dtypes == r.metrics.dtypes


def test_read_run_refuses_what_is_not_one_whole_run(baseline, tmp_path):
    with pytest.raises(FileNotFoundError, match="no manifest.json"):
        tplus.read_run(tmp_path)
    d = tmp_path / "run"
    tplus.run(baseline.with_params({"simulation.days": 1}), seed=3, threads=1).save(d)
    (d / "risk.csv").unlink()
    with pytest.raises(ValueError, match="risk.csv: missing, though manifest.json lists it"):
        tplus.read_run(d)
    tplus.run(baseline.with_params({"simulation.days": 1}), seed=3, threads=1).save(d, force=True)
    lines = (d / "metrics.csv").read_text().splitlines()
    row = lines[1].split(",")
    row[lines[0].split(",").index("volume")] = "lots"
    lines[1] = ",".join(row)
    (d / "metrics.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError, match=r"metrics.csv: line 2: `lots` is not a value of column volume"):
        tplus.read_run(d)

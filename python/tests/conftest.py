"""Shared fixtures: the repository's bundled scenarios and the `tplus` binary
built from the root crate, which the byte-identity tests compare against."""

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"


@pytest.fixture(scope="session")
def scenarios() -> Path:
    return SCENARIOS


@pytest.fixture(scope="session")
def tplus_bin() -> str:
    """The CLI: $TPLUS_BIN, else the root crate's release build, else `tplus` on PATH.
    Missing, the tests that need it fail (they are the point of the suite)."""
    candidates = [os.environ.get("TPLUS_BIN"), str(ROOT / "target" / "release" / "tplus"), shutil.which("tplus")]
    for c in candidates:
        if c and Path(c).is_file() and os.access(c, os.X_OK):
            return c
    pytest.fail("no tplus binary: build it with `cargo build --release` in the repository root or set TPLUS_BIN")


def interrupt(tmp_path: Path, call: str) -> float:
    """Runs `call` (Python using `tplus` and `s`, the bundled baseline) in a
    child process, sends it SIGINT a second after it starts, and returns the
    seconds it took to stop; fails unless it raised KeyboardInterrupt."""
    script = tmp_path / "interrupted.py"
    script.write_text(
        "import signal, sys, tplus\n"
        # A process started in the background by a non-interactive shell (a
        # CI job under `nohup ... &`) inherits SIGINT ignored, and Python then
        # installs no handler of its own: give the child Ctrl-C's usual one.
        "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
        f"s = tplus.Scenario.from_file({str(SCENARIOS / 'baseline.toml')!r})\n"
        "print('started', flush=True)\n"
        "try:\n"
        f"    {call}\n"
        "except KeyboardInterrupt:\n"
        "    print('interrupted', flush=True)\n"
        "    sys.exit(3)\n"
    )
    child = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "started"
        time.sleep(1.0)
        sent = time.monotonic()
        child.send_signal(signal.SIGINT)
        out, _ = child.communicate(timeout=60)
        waited = time.monotonic() - sent
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 3, out
    assert "interrupted" in out
    return waited


def assert_gil_released(work) -> None:
    """Runs `work` on another thread while this one counts, and fails unless
    it counted all along: were the GIL held inside `work`, this thread could
    count only in the switch interval or two around its calls. `work` must
    last over 40 switch intervals (it is told how long: it gets the least
    number of seconds to run) and returns the seconds it took.

    The bar is a fifth of what this thread counts alone over that time: on
    one free core the two threads share it (about a half), on a loaded one
    less, while a held GIL gives two or three intervals' worth, however long
    the work lasts. A fixed multiple failed on a loaded CI machine (9.5x
    the count of one interval for work of 26 intervals)."""
    interval = sys.getswitchinterval()
    end, alone = time.perf_counter() + 5 * interval, 0
    while time.perf_counter() < end:
        alone += 1
    alone /= 5  # per switch interval
    done, spent = threading.Event(), []

    def run():
        spent.append(work(80 * interval))
        done.set()

    t = threading.Thread(target=run)
    t.start()
    ticks = 0
    while not done.is_set():
        time.perf_counter()
        ticks += 1
    t.join()
    intervals = spent[0] / interval
    assert intervals > 40, "the work is too short to tell"
    assert ticks > max(8.0, intervals / 5) * alone, (ticks, alone, spent)

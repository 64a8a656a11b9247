"""Shared fixtures: the repository's bundled scenarios and the `tplus` binary
built from the root crate, which the byte-identity tests compare against."""

import os
import shutil
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

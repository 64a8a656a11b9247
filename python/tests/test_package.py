"""The installed package: its stubs and docstrings (what editors complete
from), its exceptions' places in Python's hierarchy."""

from importlib import resources

import tplus


def test_the_wheel_ships_type_stubs_and_the_typed_marker():
    files = resources.files("tplus")
    assert (files / "py.typed").is_file()
    stubs = (files / "_native.pyi").read_text()
    for name in ("class Scenario", "class Run", "class Table", "class ScenarioError", "def with_params", "def save"):
        assert name in stubs, name


def test_the_api_has_docstrings():
    for obj in (tplus, tplus.run, tplus.sweep, tplus.Scenario.from_file, tplus.Scenario.with_params,
                tplus.Scenario.to_toml, tplus.Run.save, tplus.Run.trades, tplus.Table.to_polars):
        assert obj.__doc__ and len(obj.__doc__) > 10, obj


def test_errors_are_standard_exceptions():
    assert issubclass(tplus.ScenarioError, ValueError)
    assert issubclass(tplus.RunError, RuntimeError)
    assert tplus.ScenarioError.__module__ == "tplus"
    assert isinstance(tplus.__version__, str) and tplus.__version__.count(".") == 2

"""Scenarios from files and text, changed by parameter path, written back,
and their mistakes raised as tplus.ScenarioError with their parts."""

import pytest

import tplus


def test_from_file_reads_the_scenario(scenarios):
    s = tplus.Scenario.from_file(scenarios / "baseline.toml")
    assert s.name == "baseline"
    assert isinstance(s.seed, int)
    assert s.source.endswith("baseline.toml")


def test_to_toml_reads_back_to_the_same_scenario(scenarios):
    s = tplus.Scenario.from_file(scenarios / "herding.toml")
    again = tplus.Scenario.from_toml(s.to_toml())
    assert again == s
    assert again.to_toml() == s.to_toml()


def test_with_params_sets_fields_by_sweep_path(scenarios):
    s = tplus.Scenario.from_file(scenarios / "baseline.toml")
    changed = s.with_params({"agents[3].params.herding": 2.0, "simulation.days": 1})
    assert changed != s
    text = changed.to_toml()
    assert "herding = 2.0" in text
    assert "days = 1" in text
    # The original is unchanged: scenarios are values.
    assert s == tplus.Scenario.from_file(scenarios / "baseline.toml")
    # numpy scalars are numbers like any other.
    np = pytest.importorskip("numpy")
    assert s.with_params({"simulation.days": np.int64(1)}) == s.with_params({"simulation.days": 1})


def test_a_syntax_error_carries_its_place():
    with pytest.raises(tplus.ScenarioError) as info:
        tplus.Scenario.from_toml("[simulation]\nname = \n", name="broken.toml")
    e = info.value
    assert e.file == "broken.toml"
    assert e.line == 2
    assert e.column is not None
    assert e.field == "simulation.name"
    assert "not valid TOML" in e.message
    assert e.accepted
    assert str(e).startswith("broken.toml:2:")
    assert isinstance(e, ValueError)


def test_a_missing_file_is_a_scenario_error(tmp_path):
    with pytest.raises(tplus.ScenarioError) as info:
        tplus.Scenario.from_file(tmp_path / "nope.toml")
    assert "no such file" in info.value.message
    assert info.value.line is None


def test_with_params_errors_name_the_field_and_what_is_accepted(scenarios):
    s = tplus.Scenario.from_file(scenarios / "baseline.toml")
    with pytest.raises(tplus.ScenarioError) as info:
        s.with_params({"agents[3].params.herdin": 1.0})
    assert info.value.field == "agents[3].params.herdin"
    assert "herding" in info.value.accepted
    with pytest.raises(tplus.ScenarioError) as info:
        s.with_params({"simulation.days": "many"})
    assert info.value.field == "simulation.days"
    with pytest.raises(tplus.ScenarioError) as info:
        s.with_params({"agents[1].count": -5})
    assert info.value.field == "agents[1].count"
    with pytest.raises(tplus.ScenarioError) as info:
        s.with_params({"agents[99].count": 5})
    assert "entries" in info.value.message
    assert info.value.line is None and info.value.file.endswith("with_params")
    # Chained copies say where they came from once.
    with pytest.raises(tplus.ScenarioError) as info:
        s.with_params({"simulation.days": 2}).with_params({"agents[99].count": 5})
    assert info.value.file.endswith("baseline.toml with_params"), info.value.file
    with pytest.raises(ValueError):
        s.with_params({"simulation.days": float("nan")})
    with pytest.raises(ValueError):
        s.with_params({"simulation.days": None})
    # Pairs in a list, not a mapping: said so (it was an AttributeError
    # about `items`).
    with pytest.raises(TypeError, match=r"with_params: a mapping of parameter path → value.*got list"):
        s.with_params([("simulation.days", 2)])
    assert s.days == 5 and s.with_params({"simulation.days": 2}).days == 2


def test_an_int_beyond_any_float_is_out_of_range(scenarios):
    s = tplus.Scenario.from_file(scenarios / "baseline.toml")
    # Before: a TypeError saying an int has no place in a scenario.
    with pytest.raises(ValueError, match="simulation.days: 1000.* is out of range"):
        s.with_params({"simulation.days": 10**400})
    with pytest.raises(tplus.ScenarioError, match="simulation.days"):
        s.with_params({"simulation.days": 2**70})


def test_an_int_beyond_64_bits_is_shown_as_given(scenarios):
    # It reaches the scenario as a float: before, "1.8446744073709552e19
    # is out of range" for the 2**64 the user wrote.
    s = tplus.Scenario.from_file(scenarios / "baseline.toml")
    with pytest.raises(tplus.ScenarioError) as info:
        s.with_params({"simulation.seed": 2**64})
    assert info.value.message == "18446744073709551616 is out of range"
    assert "simulation.seed: 18446744073709551616 is out of range" in str(info.value)
    with pytest.raises(tplus.ScenarioError) as info:
        tplus.sweep(s, {"agents[0].count": [10, -(2**70)]})
    assert info.value.point == 1 and info.value.message == f"{-(2**70)} is out of range"


def test_scenarios_pickle_for_worker_processes(scenarios):
    import pickle

    s = tplus.Scenario.from_file(scenarios / "herding.toml").with_params({"simulation.days": 1})
    again = pickle.loads(pickle.dumps(s))
    assert again == s
    assert again.source == s.source


def test_to_toml_writes_every_familys_parameters_defaults_included(scenarios):
    tomllib = pytest.importorskip("tomllib")

    class Writes:
        """a family with defaults"""

        params = {"threshold": 0.0001, "lots": 5, "side": "buy", "eager": False}

        def decide(self, ctx):
            return None

    tplus.register_behaviour("py_writes", Writes)
    base = (scenarios / "baseline.toml").read_text()
    group = (
        '\n[[agents]]\nfamily = "py_writes"\ncount = 3\narrival = { process = "poisson", rate = 1.0 }\n'
        'budget = { dist = "fixed", value = 1000.0 }\n'
    )
    s = tplus.Scenario.from_toml(base + group)
    groups = tomllib.loads(s.to_toml())["agents"]
    # The Python family's defaults, with none set (before: an empty table).
    assert groups[5]["params"] == Writes.params
    # One set: it, and the others' defaults (before: only the one set).
    h = s.with_params({"agents[5].params.lots": 3})
    assert tomllib.loads(h.to_toml())["agents"][5]["params"] == {**Writes.params, "lots": 3}
    # A built-in family's too: herding's flow_push, which baseline.toml
    # leaves to its default, and a duration written as a scenario would.
    herding = groups[3]["params"]
    assert groups[3]["family"] == "herding"
    assert herding["flow_push"] == 0.0 and herding["herding"] == 2.0 and herding["order_ttl"] == "10m"
    # The text reads back to the same scenario, which writes the same text.
    for x in (s, h):
        again = tplus.Scenario.from_toml(x.to_toml())
        assert again == x
        assert again.to_toml() == x.to_toml()
    # Writing a default out changes nothing: the scenarios are equal.
    assert s.with_params({"agents[5].params.lots": 5}) == s
    assert s.with_params({"agents[5].params.lots": 6}) != s


def test_text_for_a_path_and_a_path_for_text_are_named(scenarios):
    path = scenarios / "baseline.toml"
    text = path.read_text()
    with pytest.raises(ValueError, match=r"not a file's path: read scenario text with tplus.Scenario.from_toml"):
        tplus.run(text)
    with pytest.raises(ValueError, match=r"is the path of a file, not scenario text: .*from_file"):
        tplus.Scenario.from_toml(str(path))


def test_argument_type_errors_name_the_argument(scenarios):
    path = scenarios / "bench" / "reference_market.toml"
    with pytest.raises(TypeError, match=r"^log: True or False, got int"):
        tplus.run(path, log=1)
    with pytest.raises(TypeError, match=r"^with_params: a parameter path is a string .*, got int"):
        tplus.Scenario.from_file(path).with_params({1: 2})
    with pytest.raises(TypeError, match=r"^dir: a path \(str or os.PathLike\), got bytes"):
        tplus.read_run(b"results")
    with pytest.raises(TypeError, match=r"^path: a path \(str or os.PathLike\), got bytes"):
        tplus.Scenario.from_file(bytes(path))

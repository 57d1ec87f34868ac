"""gridgov calibrate's parts that need no run: parameters, seeds, spec, trial config files."""

from pathlib import Path

import pytest
import yaml
from hydra.core.override_parser.overrides_parser import OverridesParser

from sim.errors import ConfigError
from sim.sweeps.fitting import (
    DEFAULTS,
    Param,
    Spec,
    build_spec,
    config_file,
    option_name,
    parse_seeds,
    read_spec_file,
    spec_from_args,
)

ROOT = Path(__file__).resolve().parents[2]


def test_param_parse_flags():
    p = Param.parse("disease.r0=1.5:3.5")
    assert (p.key, p.low, p.high, p.log, p.integer) == ("disease.r0", 1.5, 3.5, False, False)
    p = Param.parse("knobs.delay=0:10:int")
    assert p.integer and not p.log and p.knob == "delay"
    assert p.override(3.0) == "+knobs.delay=3" and p.cast(2.6) == 3
    p = Param.parse("disease.beta=1e-3:0.1:log:int".replace(":int", ""))
    assert p.log and p.low == 1e-3
    assert Param.parse("x.y=1:100:int:log").log
    assert Param.parse("disease.r0=2:3").override(2.25) == "disease.r0=2.25"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("disease.r0", "expected KEY=LOW:HIGH"),
        ("disease.r0=2", "expected KEY=LOW:HIGH"),
        ("disease.r0=3:2", "low < high, got 3:2"),
        ("disease.r0=2:2", "low < high, got 2:2"),
        ("disease.r0=a:3", "low bound 'a' is not a number"),
        ("disease.r0=1:b", "high bound 'b' is not a number"),
        ("disease.r0=1:nan", "finite"),
        ("disease.r0=1:2:cube", "allowed: ['log', 'int']"),
        ("disease.r0=0:2:log", "log-scale parameter needs low > 0"),
        ("knobs.delay=0.5:3:int", "whole-number bounds"),
        ("seed=1:9:int", "--seeds"),
        ("days=10:90:int", "period"),
        ("hydra.job.num=1:2", "hydra.* keys"),
        ("disease..r0=1:2", "is not a config key"),
    ],
)
def test_param_parse_errors_name_the_parameter(text, message):
    with pytest.raises(ConfigError) as info:
        Param.parse(text)
    assert message in str(info.value)
    assert text.split("=")[0] in str(info.value)


def test_param_from_spec_forms():
    assert Param.from_spec("disease.r0", "1.5:3:log").log
    p = Param.from_spec("knobs.k", {"low": 1, "high": 4, "int": True})
    assert p.integer and p.to_spec() == {"low": 1, "high": 4, "log": False, "int": True}
    with pytest.raises(ConfigError, match=r"params.disease.r0: fields \['hi'\] unknown"):
        Param.from_spec("disease.r0", {"low": 1, "hi": 2})
    with pytest.raises(ConfigError, match=r"fields \['high'\] missing"):
        Param.from_spec("disease.r0", {"low": 1})
    with pytest.raises(ConfigError, match="must be true or false"):
        Param.from_spec("disease.r0", {"low": 1, "high": 2, "log": "yes"})
    with pytest.raises(ConfigError, match="low bound must be a number"):
        Param.from_spec("disease.r0", {"low": "x", "high": 2})


def test_parse_seeds():
    assert parse_seeds(3) == [1, 2, 3]
    assert parse_seeds("4") == [1, 2, 3, 4]
    assert parse_seeds("1,5,9") == [1, 5, 9]
    assert parse_seeds([7, 2]) == [7, 2]
    for bad in (0, "a", [1, 1], [], "1.5", -2):
        with pytest.raises(ConfigError, match="seed"):
            parse_seeds(bad)


def spec(**kw):
    fields = {"name": "fit1", "observed": "obs.csv", "params": ["disease.r0=1:3"], **kw}
    return build_spec(fields)


def test_build_spec_defaults_and_errors(tmp_path):
    s = spec()
    assert s.seeds == [1, 2, 3] and s.trials == DEFAULTS["trials"] and s.batch == DEFAULTS["batch"]
    assert s.out == Path("calibrations/fit1") and s.likelihood == "negbin"
    assert s.dispersion == 5.0 and s.launcher == "local"
    for kw, message in [
        ({"name": "2fit"}, "name '2fit'"),
        ({"name": "a/b"}, "name 'a/b'"),
        ({"trials": 0}, "trials must be a whole number >= 1"),
        ({"batch": 1.5}, "batch must be a whole number"),
        ({"likelihood": "normal"}, "allowed: ['negbin', 'poisson']"),
        ({"dispersion": -1}, "dispersion must be a positive number"),
        (
            {"launcher": "dask"},
            "allowed: ['local', 'ray', 'ray_cluster', 'slurm', 'submitit_local']",
        ),
        ({"params": ["disease.r0=1:2", "disease.r0=2:3"]}, "given twice"),
        ({"params": ["disease=1:2", "disease.r0=2:3"]}, "one inside the other"),
        ({"params": []}, "params is required"),
        ({"observed": None}, "observed is required"),
    ]:
        with pytest.raises(ConfigError, match=None) as info:
            spec(**kw)
        assert message in str(info.value), (kw, str(info.value))


def test_launchers_are_the_projects():
    configs = ROOT / "configs" / "hydra" / "launcher"
    for own in ("local", "ray_cluster", "slurm"):
        assert (configs / f"{own}.yaml").is_file()
    s = spec(launcher="submitit_local")
    assert s.launcher == "submitit_local"


def test_spec_file_round_trip_and_flags_over_it(tmp_path):
    (tmp_path / "obs.csv").write_text("date,new_infections\n2020-01-20,1\n")
    data = {
        "name": "fit2",
        "observed": "obs.csv",
        "params": {"disease.r0": {"low": 1.5, "high": 3.5}, "knobs.k": "1:5:int"},
        "seeds": [2, 4],
        "trials": 10,
        "overrides": ["scenario=no_intervention"],
    }
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(data))
    fields = read_spec_file(path)
    assert fields["observed"] == str(tmp_path / "obs.csv")  # relative to the spec file
    s = build_spec(fields)
    assert [p.key for p in s.params] == ["disease.r0", "knobs.k"] and s.seeds == [2, 4]
    s2, install = spec_from_args(
        ["--spec", str(path), "--trials", "20", "--seeds", "3", "--no-install", "--", "days=30"]
    )
    assert (s2.trials, s2.seeds, s2.overrides, install) == (20, [1, 2, 3], ["days=30"], False)
    assert s2.identity()["params"] == s.identity()["params"]
    path.write_text(yaml.safe_dump({**data, "trails": 3}))
    with pytest.raises(ConfigError, match=r"unknown field\(s\) \['trails'\]"):
        read_spec_file(path)


def test_command_line_errors_are_one_line():
    with pytest.raises(ConfigError) as info:
        spec_from_args(["--name", "x", "--launcher", "dask"])
    assert "invalid choice: 'dask'" in str(info.value)
    with pytest.raises(ConfigError, match="unrecognized arguments"):
        spec_from_args(["--nme", "x"])


def test_option_names_are_text_to_hydra():
    assert option_name(7) == "t0007"
    parsed = OverridesParser.create().parse_override("+trial=t0000,t0001,t0012")
    assert list(parsed.sweep_string_iterator()) == ["t0000", "t0001", "t0012"]


def test_config_file_is_a_global_package_with_knobs_nested():
    text = config_file({"disease.r0": 2.123456789012345, "knobs.delay": 3}, ["a comment"])
    lines = text.splitlines()
    assert lines[0] == "# @package _global_" and lines[1] == "# a comment"
    data = yaml.safe_load(text)
    assert data == {"disease": {"r0": 2.123456789012345}, "knobs": {"delay": 3}}


def test_the_project_has_no_group_option_that_would_shadow_a_calibration():
    # the project's configs come first in Hydra's search path
    assert not (ROOT / "configs" / "trial").exists()


def test_spec_validates_on_construction():
    with pytest.raises(ConfigError, match="no parameter"):
        Spec(name="a", observed=Path("x"), params=[], out=Path("o"))


def test_a_trial_option_composes_as_the_same_overrides_by_hand(tmp_path):
    import sim

    (tmp_path / "trial").mkdir()
    values = {"knobs.care_seeking_prob": 0.7, "disease.r0": 2.234567890123457}
    (tmp_path / "trial" / "t0000.yaml").write_text(config_file(values))
    params = [Param.parse("knobs.care_seeking_prob=0:1"), Param.parse("disease.r0=1:3")]
    by_hand = [p.override(values[p.key]) for p in params]
    assert by_hand == ["+knobs.care_seeking_prob=0.7", "disease.r0=2.234567890123457"]
    common = ["scenario=huaian_2020", "population.residents=3000"]
    trial = sim.compose([f"hydra.searchpath=[file://{tmp_path}]", "+trial=t0000", *common])
    assert trial == sim.compose([*by_hand, *common])
    assert trial.knobs == {"care_seeking_prob": 0.7}

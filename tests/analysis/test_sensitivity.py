"""Morris and Sobol on functions with known indices, designs as Hydra groups, a real sweep."""

import io
import json
import logging
import math
import re
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hydra.core.override_parser.overrides_parser import OverridesParser
from SALib.test_functions import Ishigami

from analysis.sensitivity import (
    Problem,
    analyze,
    format_indices,
    indices,
    main,
    option_name,
    outcomes,
    runs_needed,
    sample,
    sweep_command,
    write_samples,
)

GRIDGOV = str(Path(sys.executable).with_name("gridgov"))
UNIT3 = Problem({"x0": (0.0, 1.0), "x1": (0.0, 1.0), "x2": (0.0, 1.0)})


def linear(frame):
    """f(x) = 10 x0 + 1 x1 + 0 x2."""
    return 10.0 * frame["x0"] + 1.0 * frame["x1"] + 0.0 * frame["x2"]


# ---------------------------------------------------------------- known functions


def test_morris_of_a_linear_function_recovers_its_coefficients():
    x = sample(UNIT3, "morris", 20, seed=1)
    assert x.shape == (20 * 4, 3)
    t = indices(UNIT3, "morris", x, pd.DataFrame({"f": linear(x)})).set_index("param")
    # every elementary effect of a linear function is its coefficient: exact up to rounding
    assert t["mu_star"].to_numpy() == pytest.approx([10.0, 1.0, 0.0], abs=1e-9)
    assert t["mu"].to_numpy() == pytest.approx([10.0, 1.0, 0.0], abs=1e-9)
    assert t["sigma"].to_numpy() == pytest.approx([0.0, 0.0, 0.0], abs=1e-9)
    assert t.loc["x0", "mu_star"] > t.loc["x1", "mu_star"] > t.loc["x2", "mu_star"]
    assert (t["output"] == "f").all()


def test_morris_effects_are_per_full_range_of_the_parameter():
    # 10 a over a in [0, 2] moves the output by 20 across the range; 3 b over [5, 6] by 3
    p = Problem({"a": (0.0, 2.0), "b": (5.0, 6.0)})
    x = sample(p, "morris", 10, seed=3)
    y = 10.0 * x["a"].to_numpy() - 3.0 * x["b"].to_numpy()
    t = indices(p, "morris", x, y).set_index("param")
    assert (t["output"] == "y").all()
    assert t["mu_star"].to_numpy() == pytest.approx([20.0, 3.0], abs=1e-9)
    assert t["mu"].to_numpy() == pytest.approx([20.0, -3.0], abs=1e-9)


def test_morris_sigma_shows_an_interaction():
    # f = x0 x1: effects of x0 range over x1's levels, so sigma > 0 and mu_star ~ E[x1] = 1/2
    x = sample(UNIT3, "morris", 200, seed=2)
    y = (x["x0"] * x["x1"]).to_numpy()
    t = indices(UNIT3, "morris", x, y).set_index("param")
    assert t.loc["x0", "mu_star"] == pytest.approx(0.5, abs=0.05)  # 200 trajectories
    assert t.loc["x0", "sigma"] > 0.2
    assert t.loc["x2", "mu_star"] == pytest.approx(0.0, abs=1e-12)


def test_sobol_of_ishigami_matches_the_analytical_indices():
    p = Problem({"x1": (-math.pi, math.pi), "x2": (-math.pi, math.pi), "x3": (-math.pi, math.pi)})
    x = sample(p, "sobol", 1024, seed=0)
    assert len(x) == 1024 * (3 + 2) == runs_needed(p, "sobol", 1024)
    y = Ishigami.evaluate(x.to_numpy())
    t = indices(p, "sobol", x, pd.DataFrame({"ishigami": y})).set_index("param")
    assert list(t.columns) == ["output", "S1", "S1_conf", "ST", "ST_conf"]
    # analytical values (a = 7, b = 0.1); tolerance 0.05 at N = 1024
    assert t["S1"].to_numpy() == pytest.approx([0.314, 0.442, 0.0], abs=0.05)
    assert t["ST"].to_numpy() == pytest.approx([0.558, 0.442, 0.244], abs=0.05)
    assert (t["S1_conf"] > 0).all() and (t["ST_conf"] > 0).all()


def test_runs_needed():
    assert runs_needed(UNIT3, "morris", 10) == 40
    assert runs_needed(UNIT3, "sobol", 8) == 40


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("params", "integers", "message"),
    [
        ({"a": (0, 1)}, set(), "at least 2"),
        ({"a": (0, 1), "b": (2, 2)}, set(), "b: bounds"),
        ({"a": (0, 1), "b": (3, 2)}, set(), "b: bounds"),
        ({"a": (0, math.inf), "b": (0, 1)}, set(), "a: bounds"),
        ({"a": (math.nan, 1), "b": (0, 1)}, set(), "a: bounds"),
        ({"a": (0, 1), "disease r0": (0, 1)}, set(), "'disease r0' is not a config key"),
        ({"a": (0, 1), "b=2": (0, 1)}, set(), "'b=2' is not a config key"),
        ({"a": (0, 1), "hydra.job.name": (0, 1)}, set(), "hydra.job.name"),
        ({"disease": (0, 1), "disease.r0": (0, 1)}, set(), "one parameter inside another"),
        ({"a": (0, 1), "b": (0, 1)}, {"c"}, "integers ['c'] are not parameters"),
        ({"a": (0, 1), "b": (0.5, 3)}, {"b"}, "b: an integer parameter needs whole-number"),
    ],
)
def test_problem_validation_names_the_key(params, integers, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        Problem(params, integers)


def test_unknown_method_lists_the_allowed():
    with pytest.raises(ValueError, match=r"unknown method 'fast'; allowed: \['morris', 'sobol'\]"):
        sample(UNIT3, "fast", 4)
    with pytest.raises(ValueError, match="allowed"):
        runs_needed(UNIT3, "fast", 4)


@pytest.mark.parametrize("n", [0, 1, 2.5])
def test_n_must_be_at_least_2(n):
    with pytest.raises(ValueError, match="n must be a whole number of at least 2"):
        sample(UNIT3, "morris", n)


def test_indices_reject_a_partial_design_and_missing_values():
    x = sample(UNIT3, "morris", 4)
    with pytest.raises(ValueError, match="15 samples is not a morris design of 3 parameters"):
        indices(UNIT3, "morris", x.iloc[:15], np.zeros(15))
    y = linear(x).to_numpy(copy=True)
    y[5] = np.nan
    with pytest.raises(ValueError, match=r"y: missing or infinite values at samples \[5\]"):
        indices(UNIT3, "morris", x, y)
    with pytest.raises(ValueError, match="y: 15 values for 16 samples"):
        indices(UNIT3, "morris", x, y[:15])


def test_a_constant_output_is_warned_of(caplog):
    x = sample(UNIT3, "morris", 4)
    with caplog.at_level(logging.WARNING):
        t = indices(UNIT3, "morris", x, pd.DataFrame({"flat": np.full(len(x), 3.0)}))
    assert "flat does not vary" in caplog.text
    assert (t["mu_star"] == 0).all()


# ---------------------------------------------------------------- integer parameters


@pytest.mark.parametrize("method", ["morris", "sobol"])
def test_integer_parameters_are_whole_numbers_within_bounds(method):
    p = Problem({"knobs.days": (1, 4), "disease.r0": (1.8, 2.6)}, integers={"knobs.days"})
    x = sample(p, method, 8, seed=5)
    assert x["knobs.days"].dtype == np.int64
    assert set(x["knobs.days"]) <= {1, 2, 3, 4}
    assert x["disease.r0"].between(1.8, 2.6).all()
    assert not (x["disease.r0"] == x["disease.r0"].round()).all()  # floats stay floats
    if method == "morris":  # levels of [1, 4] on a 4-level grid are 1, 2, 3, 4
        assert set(x["knobs.days"]) == {1, 2, 3, 4}


def test_off_grid_integer_levels_are_warned_of(caplog):
    p = Problem({"a": (0, 2), "b": (0, 1)}, integers={"a"})
    with caplog.at_level(logging.WARNING):
        x = sample(p, "morris", 4)
    assert "a: the Morris levels of [0, 2] are not whole numbers" in caplog.text
    assert set(x["a"]) <= {0, 1, 2}


# ---------------------------------------------------------------- designs on disk


def test_option_names_are_zero_padded_strings_for_hydra():
    assert [option_name(i, 10) for i in (0, 9)] == ["00", "09"]
    assert [option_name(i, 11) for i in (0, 10)] == ["000", "010"]
    assert option_name(7, 1000) == "0007"
    names = [option_name(i, 12) for i in range(12)]
    parsed = OverridesParser.create().parse_override("+sample=" + ",".join(names))
    assert list(parsed.sweep_string_iterator()) == names
    # a plain number is an int to Hydra, which it refuses as a group option
    assert isinstance(OverridesParser.create().parse_override("+sample=7").value(), int)
    assert OverridesParser.create().parse_override("+sample=07").value() == "07"


def test_write_samples_writes_a_hydra_group_that_round_trips(tmp_path, caplog):
    p = Problem(
        {"disease.r0": (1.8, 2.6), "knobs.pass_interval_days": (1, 4), "staff.x": (6, 12)},
        integers={"knobs.pass_interval_days"},
    )
    with caplog.at_level(logging.INFO, logger="analysis.sensitivity"):
        out = write_samples(p, "morris", 5, tmp_path / "d", seed=3, overrides=["days=40"])
    assert out == (tmp_path / "d").resolve()
    frame = pd.read_csv(out / "samples.csv", index_col="sample")
    pd.testing.assert_frame_equal(frame, sample(p, "morris", 5, seed=3), check_names=False)
    files = sorted((out / "configs" / "sample").glob("*.yaml"))
    assert [f.stem for f in files] == [f"{i:03d}" for i in range(20)]
    for i, f in enumerate(files):
        text = f.read_text()
        assert text.splitlines()[0] == "# @package _global_"
        data = yaml.safe_load(text)
        assert set(data) == {"disease", "knobs", "staff"}
        assert data["disease"]["r0"] == frame.loc[i, "disease.r0"]  # exact round trip
        assert data["staff"]["x"] == frame.loc[i, "staff.x"]
        days = data["knobs"]["pass_interval_days"]
        assert isinstance(days, int) and days == frame.loc[i, "knobs.pass_interval_days"]
    meta = json.loads((out / "problem.json").read_text())
    assert meta == {
        "params": {
            "disease.r0": [1.8, 2.6],
            "knobs.pass_interval_days": [1.0, 4.0],
            "staff.x": [6.0, 12.0],
        },
        "integers": ["knobs.pass_interval_days"],
        "method": "morris",
        "n": 5,
        "seed": 3,
        "samples": 20,
        "overrides": ["days=40"],
        "num_levels": 4,
    }
    sweep = yaml.safe_load((out / "configs" / "sweep" / "samples.yaml").read_text())
    assert sweep["hydra"]["sweep"]["dir"] == str(out / "runs")
    assert sweep["hydra"]["sweeper"]["params"]["+sample"] == ",".join(f.stem for f in files)
    command = sweep_command(out, ["days=40"])
    assert command == f"gridgov -m 'hydra.searchpath=[file://{out}/configs]' sweep=samples days=40"
    assert command in caplog.text


def test_the_project_has_no_group_option_that_would_shadow_a_design():
    # the project's configs come first in Hydra's search path
    configs = Path(__file__).resolve().parents[2] / "configs"
    assert (configs / "sweep").is_dir()
    assert not (configs / "sweep" / "samples.yaml").exists()
    assert not (configs / "sample").exists()


def test_write_samples_again_is_allowed_another_design_is_refused(tmp_path):
    p = Problem({"a": (0, 1), "b": (0, 1)})
    write_samples(p, "sobol", 4, tmp_path)
    write_samples(p, "sobol", 4, tmp_path, overrides=["seed=2"])  # same design
    assert len(list((tmp_path / "configs" / "sample").glob("*.yaml"))) == 16
    with pytest.raises(ValueError, match="holds another design"):
        write_samples(p, "sobol", 8, tmp_path)


# ---------------------------------------------------------------- reading a sweep


def fake_sweep(root, design, values, seeds=(1,), drop=(), fail=(), extra=None):
    """A sweep's ``summary.parquet`` by hand: job per (sample, seed), outputs from ``values``."""
    rows, job = [], 0
    for seed in seeds:
        for i, v in enumerate(values):
            name = option_name(i, len(values))
            row = {
                "job": str(job),
                "status": "failed" if i in fail else "done",
                "overrides": f"+sample={name} seed={seed}",
                "override.sample": name,
                "override.seed": str(seed),
                "format_version": 1,
                "scenario": "huaian_2020",
                "seed": seed,
                "y": float(v) + 0.5 * seed,
                "label": "x",
                **(extra or {}),
            }
            if i in fail:
                row["y"] = None
            if i not in drop:
                rows.append(row)
            job += 1
    root.mkdir(parents=True)
    pd.DataFrame(rows).to_parquet(root / "summary.parquet")
    return root


def test_analyze_reads_a_sweep_by_sample(tmp_path):
    p = Problem({"a": (0, 2), "b": (5, 6)})
    d = write_samples(p, "morris", 6, tmp_path / "design")
    x = pd.read_csv(d / "samples.csv", index_col="sample")
    y = 10.0 * x["a"] - 3.0 * x["b"]
    # jobs in reverse order: rows are aligned by override.sample, not by job
    sweep = fake_sweep(tmp_path / "sweep", d, y)
    frame = pd.read_parquet(sweep / "summary.parquet").iloc[::-1]
    frame.to_parquet(sweep / "summary.parquet")
    t = analyze(sweep, d, ["y"]).set_index("param")
    assert list(t.columns) == ["output", "mu", "mu_star", "sigma", "mu_star_conf"]
    assert t["mu"].to_numpy() == pytest.approx([20.0, -3.0], abs=1e-9)


def test_seeds_are_averaged_per_sample(tmp_path, caplog):
    p = Problem({"a": (0, 2), "b": (5, 6)})
    d = write_samples(p, "morris", 4, tmp_path / "design")
    x = pd.read_csv(d / "samples.csv", index_col="sample")
    y = (10.0 * x["a"]).to_numpy()
    one = fake_sweep(tmp_path / "s", d, y, seeds=(1, 2, 3))
    with caplog.at_level(logging.INFO):
        table = outcomes(one, d, ["y"])
    assert "3 runs (seeds) per sample" in caplog.text
    assert table["y"].to_numpy() == pytest.approx(y + 1.0, abs=1e-12)  # mean of +0.5, +1, +1.5
    assert (table["runs"] == 3).all()
    # one sweep directory per seed gives the same
    dirs = [fake_sweep(tmp_path / f"s{s}", d, y, seeds=(s,)) for s in (1, 2, 3)]
    pd.testing.assert_frame_equal(outcomes(dirs, d, ["y"]), table)
    with pytest.raises(ValueError, match="same seed"):
        outcomes([dirs[0], dirs[0]], d, ["y"])


def test_missing_and_failed_samples_are_named(tmp_path):
    p = Problem({"a": (0, 1), "b": (0, 1)})
    d = write_samples(p, "morris", 4, tmp_path / "design")
    sweep = fake_sweep(tmp_path / "sweep", d, np.arange(12.0), drop=(3,), fail=(7,))
    with pytest.raises(
        ValueError, match=r"2 of 12 samples missing, failed or unfinished .*: 3, 7;"
    ):
        analyze(sweep, d, ["y"])
    seeds = fake_sweep(tmp_path / "seeds", d, np.arange(12.0), seeds=(1, 2))
    frame = pd.read_parquet(seeds / "summary.parquet")
    frame.drop(index=frame.index[-1]).to_parquet(seeds / "summary.parquet")  # seed 2 of 11
    with pytest.raises(ValueError, match=r"1 of 12 samples .*: 11;"):
        analyze(seeds, d, ["y"])


def test_bad_sweeps_and_outputs(tmp_path):
    p = Problem({"a": (0, 1), "b": (0, 1)})
    d = write_samples(p, "morris", 4, tmp_path / "design")
    sweep = fake_sweep(tmp_path / "sweep", d, np.arange(12.0))
    with pytest.raises(ValueError, match=r"yy is not a summary field .*\['y'\]"):
        analyze(sweep, d, ["yy"])
    with pytest.raises(ValueError, match="label is not numeric"):
        analyze(sweep, d, ["label"])
    with pytest.raises(ValueError, match="holds no design"):
        analyze(sweep, tmp_path, ["y"])
    other = fake_sweep(tmp_path / "other", d, np.arange(13.0))
    with pytest.raises(ValueError, match=r"sample\(s\) \['012'\] are not of this design"):
        analyze(other, d, ["y"])
    varied = fake_sweep(tmp_path / "varied", d, np.arange(12.0), seeds=(1, 2))
    frame = pd.read_parquet(varied / "summary.parquet")
    frame["override.scenario"] = ["a", "b"] * 12
    frame.to_parquet(varied / "summary.parquet")
    with pytest.raises(ValueError, match=r"differ in \['override.scenario'\]"):
        analyze(varied, d, ["y"])


# ---------------------------------------------------------------- command line


def test_main_sample_and_analyze(tmp_path, capsys, caplog):
    d = tmp_path / "design"
    with caplog.at_level(logging.INFO):
        code = main(
            [
                *["sample", str(d), "--param", "a=0:2", "--param", "b=5:6"],
                *["-n", "6", "--seed", "1", "--", "days=40"],
            ]
        )
    assert code == 0
    assert "sweep=samples days=40" in caplog.text
    x = pd.read_csv(d / "samples.csv", index_col="sample")
    fake_sweep(d / "runs", d, 10.0 * x["a"] - 3.0 * x["b"])
    assert main(["analyze", str(d), "--outputs", "y", "--format", "csv"]) == 0
    t = pd.read_csv(io.StringIO(capsys.readouterr().out)).set_index("param")
    assert t["mu"].to_numpy() == pytest.approx([20.0, -3.0], abs=1e-9)
    assert main(["analyze", str(d), "--outputs", "y", "--format", "markdown"]) == 0
    assert capsys.readouterr().out.startswith("| output | param | mu | mu_star |")
    assert main(["analyze", str(d), "--sweep", str(d / "runs"), "--outputs", "y"]) == 0
    assert "mu_star" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sample", "D", "--param", "a=0:1"], "at least 2 parameters"),
        (["sample", "D", "--param", "a=0:1", "--param", "b=1:0"], "b: bounds"),
        (["analyze", "D", "--outputs", "y"], "holds no design"),
    ],
)
def test_main_bad_input(tmp_path, caplog, args, message):
    args = [str(tmp_path / "d") if a == "D" else a for a in args]
    with caplog.at_level(logging.ERROR):
        assert main(args) == 2
    assert "bad input" in caplog.text and message in caplog.text


def test_format_indices_text():
    t = pd.DataFrame([{"output": "y", "param": "a", "mu_star": 1.23456}])
    assert "1.235" in format_indices(t) and format_indices(t).endswith("\n")


# ---------------------------------------------------------------- a real sweep


@pytest.mark.slow
def test_a_morris_sweep_through_the_gridgov_command_line(tmp_path):
    p = Problem({"disease.r0": (1.8, 2.6), "staff.grid_worker_hours": (6.0, 12.0)})
    overrides = [
        "population.residents=3000",
        "days=40",
        'disease.seeding=[{start: "2020-01-20", stop: "2020-02-08", per_day: 500}]',
        "hydra.launcher.n_jobs=2",
        "output.events=false",
    ]
    d = write_samples(p, "morris", 4, tmp_path / "design", overrides=overrides)
    argv = shlex.split(sweep_command(d, overrides))
    assert argv[0] == "gridgov"
    done = subprocess.run(
        [GRIDGOV, *argv[1:]], capture_output=True, text=True, timeout=300, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr[-3000:]
    summary = pd.read_parquet(d / "runs" / "summary.parquet")
    assert len(summary) == 12 and (summary["status"] == "done").all()
    # each job ran its sample: the calibrated R0 is the sample's (to 1e-9)
    x = pd.read_csv(d / "samples.csv", index_col="sample")
    ran = summary.set_index(summary["override.sample"].astype(int))["r0"].sort_index()
    assert ran.to_numpy() == pytest.approx(x["disease.r0"].to_numpy(), rel=1e-9)
    t = analyze(d / "runs", d, ["cum_infections", "household_days_without_necessities"])
    assert set(t["param"]) == {"disease.r0", "staff.grid_worker_hours"}
    assert np.isfinite(t["mu_star"]).all() and (t["mu_star"] >= 0).all()
    # more hours for the grid workers deliver to more sealed households
    hours = t.set_index(["output", "param"]).loc[
        ("household_days_without_necessities", "staff.grid_worker_hours")
    ]
    assert hours["mu"] < 0
    # the same table from the command line
    out = subprocess.run(
        [
            GRIDGOV,
            "sensitivity",
            "analyze",
            str(d),
            "--outputs",
            "cum_infections",
            "--format",
            "csv",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    cli = pd.read_csv(io.StringIO(out.stdout))
    pd.testing.assert_frame_equal(cli, t[t["output"] == "cum_infections"].reset_index(drop=True))

"""gridgov calibrate as a user runs it: bad input, recovery of known values, resume, install."""

import logging
import subprocess
import sys
import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from analysis import fit
from sim.sweeps import fitting

GRIDGOV = str(Path(sys.executable).with_name("gridgov"))
ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 600
# infections seeded on day 0 by the homogeneous SEIR (disease=well_mixed_seir): at 20,000
# residents the district's importation brings almost none, and the test must not depend on
# how importation is configured
SEIR = ["scenario=no_intervention", "disease=well_mixed_seir", "output.progress=never"]
TINY = ["population.residents=2000", "days=40", *SEIR, "output.events=false"]
JOBS = ["hydra.launcher.n_jobs=2"]


def gridgov(*args, cwd=ROOT):
    return subprocess.run(
        [GRIDGOV, *args], capture_output=True, text=True, cwd=cwd, timeout=TIMEOUT
    )


def observed_from_runs(run_dirs, path, metrics=("new_infections",)):
    """The mean over runs of metrics, rounded to whole counts, as an observed CSV."""
    frames = [pd.read_parquet(Path(d) / "timeseries.parquet") for d in run_dirs]
    out = pd.DataFrame({"date": frames[0]["date"].dt.date})
    for m in metrics:
        out[m] = np.rint(np.mean([f[m].to_numpy() for f in frames], axis=0)).astype(int)
    out.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def tiny_observed(tmp_path_factory):
    """An observed series of the tiny world (R0 2.5), from one run of seed 99."""
    folder = tmp_path_factory.mktemp("tiny")
    res = gridgov(*TINY, "disease.r0=2.5", "seed=99", f"hydra.run.dir={folder / 'truth'}")
    assert res.returncode == 0, res.stderr[-2000:]
    return observed_from_runs([folder / "truth"], folder / "observed.csv")


def calibrate_args(name, observed, out, *extra, overrides=TINY):
    return [
        "--name",
        name,
        "--observed",
        str(observed),
        "--out",
        str(out),
        *extra,
        "--",
        *overrides,
        *JOBS,
    ]


# ---- bad input: exit 2, one message naming the key or file, nothing written -------------


def bad_csv(tmp_path, text):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    return path


BAD = [
    (
        ["--param", "disease.r00=1:3"],
        "disease.r00 is not a config key (did you mean 'disease.r0'?)",
    ),
    (
        ["--param", "disease.r0=3:2"],
        "parameter disease.r0: bounds must be LOW:HIGH with low < high",
    ),
    (["--param", "disease.r0=2:2"], "low < high, got 2:2"),
    (["--param", "disease.r0=low:3"], "--param disease.r0=low:3: low bound 'low' is not a number"),
    (["--param", "disease.r0=1:3:sqrt"], "allowed: ['log', 'int']"),
    (["--param", "disease.kind=1:3"], "disease.kind is not numeric"),
    (["--param", "disease.hospital_beds=100:600"], "disease.hospital_beds holds whole numbers"),
    (["--param", "disease.r0=1:3", "--seeds", "0"], "seeds must be a whole number >= 1"),
    (["--param", "disease.r0=1:3", "--dispersion", "0"], "dispersion must be a positive number"),
    (["--param", "disease.r0=1:3", "--likelihood", "gauss"], "invalid choice: 'gauss'"),
    (["--param", "disease.r0=1:3", "--launcher", "dask"], "invalid choice: 'dask'"),
    (["--param", "disease.r0=1:3", "--name", "9lives"], "name '9lives'"),
]


@pytest.mark.parametrize(("args", "message"), BAD)
def test_bad_parameters_exit_2_with_one_message_and_write_nothing(
    tmp_path, tiny_observed, caplog, args, message
):
    out = tmp_path / "cal"
    name = f"bad_{uuid.uuid4().hex[:8]}"
    argv = calibrate_args(name, tiny_observed, out, *args)
    with caplog.at_level(logging.INFO):
        code = fitting.main(argv)
    assert code == 2
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1, errors
    assert errors[0].startswith("bad input: ") and "\n" not in errors[0]
    assert message in errors[0], errors[0]
    assert not out.exists()
    assert not (ROOT / "configs" / "calibrated" / f"{name}.yaml").exists()


KNOBS = ["population.residents=2000", "days=40", "scenario=huaian_2020", "output.progress=never"]
BAD_WITH_OVERRIDES = [
    (["--param", "knobs.nope=1:3"], KNOBS, "knobs.nope is not a knob of scenario 'huaian_2020'"),
    (["--param", "knobs.response_date=1:3"], KNOBS, "knobs.response_date is not numeric"),
    (["--param", "knobs.facility_capacity=500:3000"], KNOBS, "facility_capacity holds whole"),
    (
        ["--param", "disease.asymptomatic_share=0.1:1.5"],
        TINY,
        "with the parameters at their high bounds: disease.asymptomatic_share",
    ),
    (["--param", "disease.r0=1:3"], [*TINY, "seed=4"], "the seeds are set by --seeds"),
    (["--param", "disease.r0=1:3"], [*TINY, "disease.r0=2"], "disease.r0 is a fitted parameter"),
    (["--param", "disease.r0=1:3"], [*TINY, "days=30,40"], "one value per override"),
    (["--param", "disease.r0=1:3"], [*TINY, "population.residnts=5"], "population.residnts is not"),
    (["--param", "disease.r0=1:3"], [*TINY, "hydra/launcher=ray"], "--launcher"),
    (["--param", "disease.r0=1:3"], [*TINY, "scenario=nope"], "scenario must be one of"),
]


@pytest.mark.parametrize(("args", "overrides", "message"), BAD_WITH_OVERRIDES)
def test_bad_knobs_bounds_and_overrides(tmp_path, tiny_observed, caplog, args, overrides, message):
    out = tmp_path / "cal"
    with caplog.at_level(logging.INFO):
        code = fitting.main(calibrate_args("k", tiny_observed, out, *args, overrides=overrides))
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert code == 2 and len(errors) == 1, errors
    assert message in errors[0], errors[0]
    assert not out.exists()


BAD_CSV = [
    ("day,new_infections\n2020-01-20,1\n", "no 'date' column"),
    ("date,new_infections\n2020-01-20,1\n20/01/2020,2\n", "is not an ISO date"),
    ("date,new_infections\n2020-01-20,1\n2020-01-20,2\n", "2020-01-20 appears twice"),
    ("date,new_infections\n2020-01-20,1\n2020-01-23,2\n", "consecutive days: 2 missing"),
    ("date,new_infectons\n2020-01-20,1\n", "did you mean 'new_infections'?); valid metrics: ["),
    ("date,new_infections\n2020-02-28,1\n2020-02-29,1\n", "outside the runs' period 2020-01-20"),
    ("date,new_infections\n2020-01-20,-2\n", "new_infections on 2020-01-20 is -2"),
    ("date,new_infections\n2020-01-20,NaN\n", "empty or NaN"),
]


@pytest.mark.parametrize(("text", "message"), BAD_CSV)
def test_bad_observed_data_names_the_file(tmp_path, caplog, text, message):
    path = bad_csv(tmp_path, text)
    out = tmp_path / "cal"
    with caplog.at_level(logging.INFO):
        code = fitting.main(calibrate_args("c", path, out, "--param", "disease.r0=1:3"))
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert code == 2 and len(errors) == 1, errors
    assert str(path) in errors[0] and message in errors[0], errors[0]
    assert not out.exists()


def test_the_valid_metrics_come_from_the_run(tmp_path, caplog):
    # the SEIR world has no contact layers: a metric of the full model is not valid there
    path = bad_csv(tmp_path, "date,new_infections_household\n2020-01-20,1\n")
    with caplog.at_level(logging.INFO):
        code = fitting.main(calibrate_args("m", path, tmp_path / "c", "--param", "disease.r0=1:3"))
    assert code == 2
    assert "'new_infections_household' is not a timeseries metric" in caplog.text


def test_command_line_bad_input_is_one_line_on_stderr(tmp_path, tiny_observed):
    out = tmp_path / "cal"
    res = gridgov(
        "calibrate", *calibrate_args("x", tiny_observed, out, "--param", "disease.r0=3:1")
    )
    assert res.returncode == 2
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert lines == [
        "ERROR: bad input: parameter disease.r0: bounds must be LOW:HIGH with low < high, got 3:1"
    ]
    assert res.stdout == ""
    assert not out.exists()


def test_a_directory_of_another_calibration_is_refused(tmp_path, tiny_observed, caplog):
    out = tmp_path / "cal"
    out.mkdir()
    (out / "spec.yaml").write_text(yaml.safe_dump({"name": "other", "params": {}}))
    before = sorted(p.name for p in out.iterdir())
    with caplog.at_level(logging.INFO):
        code = fitting.main(calibrate_args("mine", tiny_observed, out, "--param", "disease.r0=1:3"))
    assert code == 2
    assert "holds another calibration" in caplog.text and "'name'" in caplog.text
    assert sorted(p.name for p in out.iterdir()) == before


# ---- recovery of known parameter values --------------------------------------------------

# The district at 20,000 residents as a homogeneous SEIR seeded with 200 infections on day
# 0 (enough that the epidemic's timing hardly varies between seeds), over 80 days.
WORLD = [
    "population.residents=20000",
    *SEIR,
    "disease.initial_infected=200",
    "days=80",
    "output.events=false",
]
TRUTH = {"disease.r0": 2.5, "disease.infectious_days": 5.0}
# new infections alone leave R0 and the infectious period on a ridge (the same
# transmission rate R0 / D gives the same early growth); the number infectious, about
# new infections x D, pins D
METRICS = ("new_infections", "n_infectious")


@pytest.mark.slow
def test_calibration_recovers_known_parameters(tmp_path):
    # the observed series: the model at the true values, the mean of 4 runs with seeds
    # (101-104) that the calibration does not use, rounded to whole persons
    truth = tmp_path / "truth"
    res = gridgov(
        "-m",
        *WORLD,
        *[f"{k}={v}" for k, v in TRUTH.items()],
        "seed=101,102,103,104",
        f"hydra.sweep.dir={truth}",
        *JOBS,
    )
    assert res.returncode == 0, res.stderr[-2000:]
    runs = [truth / str(j) for j in range(4)]
    observed = observed_from_runs(runs, tmp_path / "obs.csv", METRICS)
    out = tmp_path / "cal"
    t0 = time.perf_counter()
    res = gridgov(
        "calibrate",
        *calibrate_args(
            "recovery",
            observed,
            out,
            "--param",
            "disease.r0=2.0:3.2",
            "--param",
            "disease.infectious_days=4.0:6.5",
            "--seeds",
            "3",
            "--trials",
            "64",
            "--batch",
            "16",
            "--no-install",
            overrides=WORLD,
        ),
    )
    wall = time.perf_counter() - t0
    assert res.returncode == 0, res.stderr[-3000:]
    trials = pd.read_parquet(out / "trials.parquet")
    assert len(trials) == 64 and (trials["state"] == "COMPLETE").all()
    assert sorted(p.name for p in (out / "runs").iterdir()) == [f"batch_00{i}" for i in range(4)]
    best = yaml.safe_load((out / "best.yaml").read_text())["disease"]
    intervals = fit.profile_intervals(trials, list(TRUTH)).set_index("param")
    summary = []
    for key, true in TRUTH.items():
        row = intervals.loc[key]
        leaf = key.split(".")[1]
        summary.append(
            f"{key}: true {true}, best {best[leaf]:.4f}, interval {row['low']:.4f}-"
            f"{row['high']:.4f} ({row['trials_within']} trials within 1.92)"
        )
        line = next(x for x in res.stdout.splitlines() if x.startswith(f"| `{key}`"))
        cells = [c.strip() for c in line.split("|")]
        assert cells[2:5] == [
            f"{best[leaf]:.4g}",
            f"{row['low']:.4g} – {row['high']:.4g}",
            str(row["trials_within"]),
        ]
    print(f"\nrecovery ({wall:.0f} s, 64 trials x 3 seeds): " + "; ".join(summary))
    for key, true in TRUTH.items():
        row = intervals.loc[key]
        assert row["low"] <= true <= row["high"], (key, row.to_dict())
        assert best[key.split(".")[1]] == pytest.approx(true, rel=0.15)
    assert list(trials.columns[trials.columns.str.startswith("loglik.")]) == [
        f"loglik.{m}" for m in METRICS
    ]
    assert (out / "fit.png").stat().st_size > 10_000
    assert res.stdout.startswith("# Calibration `recovery`")
    assert (out / "report.md").read_text() == res.stdout


# ---- resume ------------------------------------------------------------------------------


def study_trials(out):
    return pd.read_parquet(out / "trials.parquet").set_index("number")


def summary_times(sweep):
    return {p.parent.name: p.stat().st_mtime_ns for p in sweep.glob("*/summary.json")}


@pytest.mark.slow
def test_resume_runs_only_the_missing_trials(tmp_path, tiny_observed, monkeypatch, caplog):
    params = ["--param", "disease.r0=1.5:4", "--seeds", "2", "--batch", "2", "--no-install"]
    # straight through: 4 trials in 2 batches
    straight = tmp_path / "straight"
    args = calibrate_args("s", tiny_observed, straight, *params, "--trials", "4")
    assert fitting.main(args) == 0
    # the same calibration limited to 2 trials, then stopped after batch 1's runs finished
    out = tmp_path / "cal"
    args = calibrate_args("s", tiny_observed, out, *params, "--trials", "2")
    assert fitting.main(args) == 0
    first = study_trials(out)
    assert list(first.index) == [0, 1] and (first["state"] == "COMPLETE").all()
    batch0 = summary_times(out / "runs" / "batch_000")
    assert len(batch0) == 4  # 2 trials x 2 seeds

    real_save = fitting.Calibration._save_scores

    def stop_in_batch_1(sweep, scores):
        if sweep.name == "batch_001":
            raise KeyboardInterrupt
        real_save(sweep, scores)

    monkeypatch.setattr(fitting.Calibration, "_save_scores", staticmethod(stop_in_batch_1))
    args4 = calibrate_args("s", tiny_observed, out, *params, "--trials", "4")
    assert fitting.main(args4) == 130
    monkeypatch.undo()
    stopped = study_trials(out)
    assert list(stopped["state"]) == ["COMPLETE", "COMPLETE", "RUNNING", "RUNNING"]
    batch1 = summary_times(out / "runs" / "batch_001")
    assert len(batch1) == 4  # its runs finished; its trials were not told to Optuna
    # resume with more: batch 1 is launched again (its runs reused), then batch 2 is new
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="sim.sweeps.fitting"):
        assert fitting.main(calibrate_args("s", tiny_observed, out, *params, "--trials", "6")) == 0
    assert "resuming batch 1: trials [2, 3]" in caplog.text
    assert "batch 0:" not in caplog.text  # batch 0 was not launched again
    final = study_trials(out)
    assert list(final.index) == list(range(6)) and (final["state"] == "COMPLETE").all()
    assert summary_times(out / "runs" / "batch_000") == batch0
    assert summary_times(out / "runs" / "batch_001") == batch1
    log1 = (out / "runs" / "batch_001" / "launch.log").read_text()
    assert log1.count("finished before, skipped") == 4
    assert sorted(p.name for p in (out / "runs").iterdir()) == [
        "batch_000",
        "batch_001",
        "batch_002",
    ]
    # the trials are those of the calibration run straight through (seeded per batch)
    same = study_trials(straight)
    pd.testing.assert_series_equal(final["disease.r0"].iloc[:4], same["disease.r0"])
    pd.testing.assert_series_equal(final["loglik"].iloc[:4], same["loglik"])
    # nothing to do when the total is reached: no batch launched
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="sim.sweeps.fitting"):
        assert fitting.main(calibrate_args("s", tiny_observed, out, *params, "--trials", "6")) == 0
    assert "nothing to run" in caplog.text and "batch 3" not in caplog.text
    # the spec written into the directory resumes it too
    spec = yaml.safe_load((out / "spec.yaml").read_text())
    assert spec["observed"] == "observed.csv" and spec["out"] == "."
    assert spec["params"] == {"disease.r0": {"low": 1.5, "high": 4.0, "log": False, "int": False}}
    assert fitting.main(["--spec", str(out / "spec.yaml"), "--no-install", "--trials", "6"]) == 0
    # another spec in the same directory is refused
    other = calibrate_args("s", tiny_observed, out, *params, "--trials", "6", "--seeds", "3")
    assert fitting.main(other) == 2


# ---- the best parameters as a config: gridgov +calibrated=NAME ---------------------------


@pytest.mark.slow
def test_installed_best_runs_with_the_best_values_byte_identical(tmp_path, tiny_observed):
    name = f"test_{uuid.uuid4().hex[:8]}"
    installed = ROOT / "configs" / "calibrated" / f"{name}.yaml"
    out = tmp_path / "cal"
    try:
        res = gridgov(
            "calibrate",
            *calibrate_args(
                name,
                tiny_observed,
                out,
                "--param",
                "disease.r0=1.5:4",
                "--param",
                "disease.initial_infected=5:50:int",
                "--seeds",
                "1",
                "--trials",
                "2",
                "--batch",
                "2",
            ),
        )
        assert res.returncode == 0, res.stderr[-3000:]
        text = installed.read_text()
        assert text == (out / "best.yaml").read_text()
        assert text.splitlines()[0] == "# @package _global_"
        best = yaml.safe_load(text)
        trials = pd.read_parquet(out / "trials.parquet")
        top = trials.loc[trials["loglik"].idxmax()]
        assert best == {
            "disease": {
                "r0": float(top["disease.r0"]),
                "initial_infected": int(top["disease.initial_infected"]),
            }
        }
        run = tmp_path / "run"
        res = gridgov(f"+calibrated={name}", "seed=1", *TINY, f"hydra.run.dir={run}")
        assert res.returncode == 0, res.stderr[-2000:]
        config = yaml.safe_load((run / "config.yaml").read_text())
        assert config["disease"]["r0"] == best["disease"]["r0"]
        assert config["disease"]["initial_infected"] == best["disease"]["initial_infected"]
        # the calibration's run of the best trial is the same run, to the byte
        trial_run = out / top["runs"][0]
        same = (run / "timeseries.parquet").read_bytes()
        assert same == (trial_run / "timeseries.parquet").read_bytes()
        # and so is the run launched by hand with the values as overrides
        by_hand = tmp_path / "by_hand"
        res = gridgov(
            f"disease.r0={best['disease']['r0']!r}",
            f"disease.initial_infected={best['disease']['initial_infected']}",
            "seed=1",
            *TINY,
            f"hydra.run.dir={by_hand}",
        )
        assert res.returncode == 0, res.stderr[-2000:]
        assert (by_hand / "timeseries.parquet").read_bytes() == same
        # outputs of the calibration directory
        assert {p.name for p in out.iterdir()} >= {
            "spec.yaml",
            "trials.parquet",
            "best.yaml",
            "fit.png",
            "report.md",
            "study.db",
            "observed.csv",
            "runs",
        }
        assert set(trials.columns) >= {
            "number",
            "state",
            "disease.r0",
            "disease.initial_infected",
            "loglik",
            "loglik.new_infections",
            "runs",
        }
    finally:
        installed.unlink(missing_ok=True)
        if installed.parent.is_dir() and not any(installed.parent.iterdir()):
            installed.parent.rmdir()


@pytest.mark.slow
def test_a_calibration_through_submitit_local(tmp_path, tiny_observed):
    out = tmp_path / "cal"
    res = gridgov(
        "calibrate",
        "--name",
        "sub",
        "--observed",
        str(tiny_observed),
        "--out",
        str(out),
        "--param",
        "disease.r0=1.5:4",
        "--seeds",
        "1",
        "--trials",
        "2",
        "--batch",
        "2",
        "--launcher",
        "submitit_local",
        "--no-install",
        "--",
        *TINY,
    )
    assert res.returncode == 0, res.stderr[-3000:]
    log = (out / "runs" / "batch_000" / "launch.log").read_text()
    assert "hydra/launcher=submitit_local" in log
    trials = pd.read_parquet(out / "trials.parquet")
    assert (trials["state"] == "COMPLETE").all() and len(trials) == 2


def test_every_launcher_is_a_choice_and_reaches_the_sweep(tmp_path):
    for launcher in ("local", "ray", "slurm", "submitit_local", "ray_cluster"):
        spec, _ = fitting.spec_from_args(
            [
                "--name",
                "x",
                "--observed",
                "o.csv",
                "--param",
                "disease.r0=1:3",
                "--launcher",
                launcher,
                "--out",
                str(tmp_path),
            ]
        )
        setup = fitting.Setup(["new_infections"], None, None, pd.DataFrame())
        cmd = fitting.Calibration(spec, setup).command(0, ["t0000"])
        assert f"hydra/launcher={launcher}" in cmd
        assert cmd[:4] == [sys.executable, "-m", "sim", "-m"]

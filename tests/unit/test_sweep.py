"""A sweep's bookkeeping on hand-built directories: rows, summary.parquet, resume, callback."""

import dataclasses
import json
import multiprocessing
import os
import pickle
import time

import numpy as np
import pandas as pd
import pytest
from omegaconf import OmegaConf

import sim
from sim.errors import ConfigError
from sim.output import FILES, FORMAT_VERSION, code_version, write_run
from sim.sweeps.callback import SweepCallback, count_jobs
from sim.sweeps.sweep import (
    ERROR,
    PROGRESS,
    SUMMARY,
    finished,
    flatten,
    job_row,
    jobs_finished,
    mark_progress,
    override_columns,
    rebuild_summary,
    record_failure,
    run_job,
    tidy,
    update_summary,
)

BASIC = "hydra._internal.core_plugins.basic_sweeper.BasicSweeper"
VALID = "scenario must be one of ['huaian_2020', 'no_relief'], got 'nope'"
TINY = ["population.residents=2000", "days=10", "output.progress=never"]


def write_summary(run_dir, summary):
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "summary.json").write_text(json.dumps(summary))


def write_failure(run_dir, overrides, exc):
    try:
        raise exc
    except Exception as raised:  # a real traceback, as run_job records it
        record_failure(run_dir, overrides, raised)


def plain(frame):
    """A frame's columns and rows as plain values (any missing value as None)."""
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    return list(frame.columns), rows


def tiny_run(run_dir, cfg):
    """A run directory of ``cfg`` as the runner writes it, with tiny frames."""
    write_run(
        run_dir,
        dataclasses.asdict(cfg),
        {"name": cfg.scenario},
        pd.DataFrame({"day": [0, 1], "new_infections": [0, 2]}),
        pd.DataFrame({"day": [1], "actor": ["hospital"], "action": ["confirm"], "target": [3]}),
        {"scenario": cfg.scenario, "seed": cfg.seed, "code_version": code_version()},
        {"format_version": 1, "timeseries": [], "summary": []},
    )


# ---- flatten, override_columns ---------------------------------------------------------


def test_flatten_joins_nested_keys_with_dots():
    data = {
        "a": 1,
        "calibration": {"beta": 0.02, "r_by_layer": {"household": 0.4, "market": 0.3}},
        "knobs": {},
        "name": "x",
    }
    assert flatten(data) == {
        "a": 1,
        "calibration.beta": 0.02,
        "calibration.r_by_layer.household": 0.4,
        "calibration.r_by_layer.market": 0.3,
        "name": "x",
    }
    assert flatten({"b": {"c": 1}}, prefix="p.") == {"p.b.c": 1}
    assert flatten({}) == {}


def test_override_columns_name_the_keys_and_keep_values_as_text():
    cols = override_columns(
        ["+knobs.x=5", "seed=3", "~output.events", "a.b=c=d", "scenario=no_relief"]
    )
    assert cols == {
        "override.knobs.x": "5",
        "override.seed": "3",
        "override.a.b": "c=d",
        "override.scenario": "no_relief",
    }
    assert all(isinstance(v, str) for v in cols.values())
    assert override_columns([]) == {}


# ---- job_row -------------------------------------------------------------------------


def test_job_row_of_a_done_job(tmp_path):
    summary = {
        "format_version": FORMAT_VERSION,
        "scenario": "huaian_2020",
        "seed": 3,
        "cum_infections": 12,
        "attack_rate": 0.004,
        "calibration": {"beta": 0.02, "r_by_layer": {"household": 0.4}},
        "knobs": {"x": 5},
        "overrides": ["+knobs.x=5", "seed=3"],
    }
    write_summary(tmp_path / "7", summary)
    row = job_row(tmp_path / "7", tmp_path)
    assert row == {
        "job": "7",
        "status": "done",
        "overrides": "+knobs.x=5 seed=3",
        "override.knobs.x": "5",
        "override.seed": "3",
        "format_version": FORMAT_VERSION,
        "scenario": "huaian_2020",
        "seed": 3,
        "cum_infections": 12,
        "attack_rate": 0.004,
        "calibration.beta": 0.02,
        "calibration.r_by_layer.household": 0.4,
        "knobs.x": 5,
        "error_type": None,
        "error": None,
    }
    assert list(row)[:3] == ["job", "status", "overrides"]
    assert list(row)[-2:] == ["error_type", "error"]


def test_job_row_of_a_failed_job(tmp_path):
    write_failure(tmp_path / "1", ["seed=1", "scenario=nope"], ConfigError(VALID))
    assert job_row(tmp_path / "1", tmp_path) == {
        "job": "1",
        "status": "failed",
        "overrides": "seed=1 scenario=nope",
        "override.seed": "1",
        "override.scenario": "nope",
        "error_type": "ConfigError",
        "error": VALID,
    }


def test_job_row_of_an_unfinished_job_is_none(tmp_path):
    run_dir = tmp_path / "2"
    run_dir.mkdir()
    assert job_row(run_dir, tmp_path) is None
    (run_dir / "config.yaml").write_text("seed: 1\n")
    (run_dir / "timeseries.parquet").write_bytes(b"partial")
    assert job_row(run_dir, tmp_path) is None


def test_job_row_names_a_nested_job_by_its_path(tmp_path):
    write_summary(tmp_path / "grp" / "4", {"seed": 4})
    row = job_row(tmp_path / "grp" / "4", tmp_path)
    assert row is not None and row["job"] == "grp/4" and row["seed"] == 4


# ---- tidy ---------------------------------------------------------------------------


def test_tidy_sorts_jobs_numerically():
    rows = [{"job": j, "status": "done"} for j in ("10", "2", "x/1", "0", "1")]
    assert tidy(rows)["job"].tolist() == ["0", "1", "2", "10", "x/1"]


def test_tidy_column_types():
    rows = [
        {"job": "10", "status": "done", "n": 1, "mixed": "x", "f": 0.5, "fi": 2, "flag": True},
        {"job": "2", "status": "done", "n": None, "mixed": 3, "f": 1.5, "fi": 0.25},
        {"job": "1", "status": "failed", "n": np.int64(7), "mixed": None, "f": None, "e": "err"},
    ]
    frame = tidy(rows)
    assert frame["job"].tolist() == ["1", "2", "10"]
    assert list(frame.columns[:2]) == ["job", "status"]
    assert set(frame.columns) == {"job", "status", "n", "mixed", "f", "fi", "flag", "e"}
    # whole numbers with a gap: nullable integers, not floats
    assert frame["n"].dtype == "Int64"
    assert frame["n"].tolist()[0] == 7 and frame["n"].isna().tolist() == [False, True, False]
    assert frame["n"].tolist()[2] == 1
    # text mixed with numbers: all text
    assert frame["mixed"].dtype == object
    assert frame["mixed"].tolist() == [None, "3", "x"]
    # floats stay floats, with NaN for the gap; ints mixed with floats become floats
    assert frame["f"].dtype == np.float64
    assert np.isnan(frame["f"].iloc[0]) and frame["f"].tolist()[1:] == [1.5, 0.5]
    assert frame["fi"].dtype == np.float64
    assert np.isnan(frame["fi"].iloc[0]) and frame["fi"].tolist()[1:] == [0.25, 2.0]
    assert frame["flag"].tolist() == [None, None, True]
    assert frame["e"].tolist() == ["err", None, None]


def test_tidy_frame_survives_parquet(tmp_path):
    rows = [
        {"job": "0", "status": "done", "n": 1, "mixed": "x", "f": 0.5},
        {"job": "1", "status": "done", "n": None, "mixed": 3, "f": None},
    ]
    tidy(rows).to_parquet(tmp_path / "s.parquet", index=False)
    back = pd.read_parquet(tmp_path / "s.parquet")
    assert back["n"].dtype == "Int64" and back["n"].isna().tolist() == [False, True]
    assert back["mixed"].tolist() == ["x", "3"]
    assert back["f"].dtype == np.float64


def test_tidy_of_no_rows():
    frame = tidy([])
    assert frame.empty
    assert list(frame.columns) == ["job", "status", "overrides", "error_type", "error"]


# ---- update_summary, rebuild_summary -------------------------------------------------


def test_update_summary_replaces_the_row_of_the_same_job(tmp_path):
    sweep = tmp_path
    write_summary(sweep / "0", {"seed": 1, "cum_infections": 5, "overrides": ["seed=1"]})
    update_summary(sweep, sweep / "0")
    frame = pd.read_parquet(sweep / SUMMARY)
    assert frame["job"].tolist() == ["0"] and frame["cum_infections"].tolist() == [5]

    write_summary(sweep / "0", {"seed": 1, "cum_infections": 9, "overrides": ["seed=1"]})
    update_summary(sweep, sweep / "0")
    frame = pd.read_parquet(sweep / SUMMARY)
    assert frame["job"].tolist() == ["0"] and frame["cum_infections"].tolist() == [9]

    write_failure(sweep / "10", ["seed=3"], RuntimeError("boom"))
    update_summary(sweep, sweep / "10")
    write_summary(sweep / "2", {"seed": 2, "overrides": ["seed=2"]})
    update_summary(sweep, sweep / "2")
    frame = pd.read_parquet(sweep / SUMMARY)
    assert frame["job"].tolist() == ["0", "2", "10"]
    assert frame["status"].tolist() == ["done", "done", "failed"]
    assert frame["cum_infections"].dtype == "Int64"
    assert frame["cum_infections"].isna().tolist() == [False, True, True]
    assert frame["error"].isna().tolist() == [True, True, False]
    assert frame["error"].iloc[2] == "boom"

    # the failed job succeeds on a second pass: its row becomes done
    (sweep / "10" / ERROR).unlink()
    write_summary(sweep / "10", {"seed": 3, "cum_infections": 1, "overrides": ["seed=3"]})
    update_summary(sweep, sweep / "10")
    frame = pd.read_parquet(sweep / SUMMARY)
    assert frame["job"].tolist() == ["0", "2", "10"]
    assert frame["status"].tolist() == ["done", "done", "done"]
    assert frame["cum_infections"].tolist()[2] == 1
    assert frame["error"].isna().all()
    assert not list(sweep.glob("*.tmp"))


def test_update_summary_ignores_an_unfinished_job(tmp_path):
    (tmp_path / "0").mkdir()
    update_summary(tmp_path, tmp_path / "0")
    assert not (tmp_path / SUMMARY).exists()


def test_update_summary_from_jobs_finishing_at_once_keeps_every_row(tmp_path):
    jobs = [str(i) for i in range(24)]
    for j in jobs:
        write_summary(tmp_path / j, {"seed": int(j), "overrides": [f"seed={j}"]})
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        pool.starmap(update_summary, [(tmp_path, tmp_path / j) for j in jobs])
    frame = pd.read_parquet(tmp_path / SUMMARY)
    assert frame["job"].tolist() == jobs
    assert frame["seed"].tolist() == list(range(24))


def test_rebuild_summary_finds_nested_jobs_and_skips_hidden_folders(tmp_path):
    sweep = tmp_path
    write_summary(sweep / "0", {"seed": 1})
    write_failure(sweep / "1", ["scenario=nope"], ConfigError(VALID))
    write_summary(sweep / "grp" / "2", {"seed": 2})
    write_summary(sweep / ".submitit" / "123", {"seed": 99})  # a launcher's own folder
    write_failure(sweep / ".submitit" / "124", [], RuntimeError("not a job"))
    write_summary(sweep / "grp" / ".hidden" / "5", {"seed": 98})
    (sweep / "3").mkdir()
    (sweep / "3" / "config.yaml").write_text("seed: 3\n")  # unfinished: no row
    write_summary(sweep, {"seed": 97})  # a summary.json of the sweep itself is no job
    frame = rebuild_summary(sweep)
    assert frame["job"].tolist() == ["0", "1", "grp/2"]
    assert frame["status"].tolist() == ["done", "failed", "done"]
    assert frame["seed"].tolist()[0] == 1 and frame["seed"].tolist()[2] == 2
    assert frame["error_type"].tolist() == [None, "ConfigError", None]
    assert plain(pd.read_parquet(sweep / SUMMARY)) == plain(frame)


def test_rebuild_summary_of_an_empty_sweep(tmp_path):
    frame = rebuild_summary(tmp_path)
    assert frame.empty
    assert list(pd.read_parquet(tmp_path / SUMMARY).columns) == list(frame.columns)


# ---- finished ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cfg():
    return sim.compose(["seed=3", "population.residents=2000", "output.progress=never"])


def test_finished_run_of_the_same_config(tmp_path, cfg):
    tiny_run(tmp_path, cfg)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(FILES)
    assert finished(tmp_path, cfg)


def test_finished_ignores_only_the_progress_setting(tmp_path, cfg):
    tiny_run(tmp_path, cfg)
    assert finished(
        tmp_path,
        dataclasses.replace(cfg, output=dataclasses.replace(cfg.output, progress="always")),
    )
    assert finished(
        tmp_path, sim.compose(["seed=3", "population.residents=2000", "output.progress=auto"])
    )
    assert not finished(tmp_path, dataclasses.replace(cfg, seed=4))
    assert not finished(tmp_path, dataclasses.replace(cfg, days=cfg.days + 1))
    assert not finished(
        tmp_path, dataclasses.replace(cfg, output=dataclasses.replace(cfg.output, events=False))
    )


def test_not_finished_without_summary_or_config(tmp_path, cfg):
    assert not finished(tmp_path, cfg)
    tiny_run(tmp_path, cfg)
    (tmp_path / "summary.json").unlink()
    assert not finished(tmp_path, cfg)
    tiny_run(tmp_path, cfg)
    (tmp_path / "config.yaml").unlink()
    assert not finished(tmp_path, cfg)


@pytest.mark.parametrize(
    ("key", "value"),
    [("format_version", FORMAT_VERSION + 1), ("code_version", "0.0.0+gdeadbeef")],
)
def test_not_finished_by_another_format_or_code_version(tmp_path, cfg, key, value):
    tiny_run(tmp_path, cfg)
    summary = json.loads((tmp_path / "summary.json").read_text())
    summary[key] = value
    (tmp_path / "summary.json").write_text(json.dumps(summary))
    assert not finished(tmp_path, cfg)


# ---- record_failure ------------------------------------------------------------------


def _raise_bad_scenario():
    raise ConfigError(VALID)


@pytest.mark.parametrize(
    ("exc", "bad_input"), [(ConfigError(VALID), True), (ZeroDivisionError("division"), False)]
)
def test_record_failure_writes_error_json(tmp_path, exc, bad_input):
    run_dir = tmp_path / "new" / "3"
    try:
        raise exc
    except Exception as raised:
        record_failure(run_dir, ["seed=1", "scenario=nope"], raised)
    assert [p.name for p in run_dir.iterdir()] == [ERROR]
    record = json.loads((run_dir / ERROR).read_text())
    assert record["status"] == "failed"
    assert record["format_version"] == FORMAT_VERSION
    assert record["error_type"] == type(exc).__name__
    assert record["error"] == str(exc)
    assert record["overrides"] == ["seed=1", "scenario=nope"]
    assert record["bad_input"] is bad_input
    assert record["code_version"] == code_version()
    assert record["traceback"].startswith("Traceback (most recent call last)")
    assert f"{type(exc).__name__}: {exc}" in record["traceback"]
    assert "test_record_failure_writes_error_json" in record["traceback"]


def test_record_failure_traceback_names_the_raising_function(tmp_path):
    try:
        _raise_bad_scenario()
    except ConfigError as exc:
        record_failure(tmp_path, [], exc)
    record = json.loads((tmp_path / ERROR).read_text())
    assert "_raise_bad_scenario" in record["traceback"] and record["overrides"] == []


# ---- progress marks ------------------------------------------------------------------


def test_progress_marks_count_each_job_once(tmp_path):
    assert jobs_finished(tmp_path) == 0
    mark_progress(tmp_path, tmp_path / "0")
    mark_progress(tmp_path, tmp_path / "0")
    mark_progress(tmp_path, tmp_path / "a" / "1")
    mark_progress(tmp_path, tmp_path / "a__2")
    assert jobs_finished(tmp_path) == 3
    assert sorted(p.name for p in (tmp_path / PROGRESS).iterdir()) == ["0", "a__1", "a__2"]


# ---- run_job (in-process, a tiny real run) -------------------------------------------


def _bad_config():
    raise ConfigError(VALID)


def test_run_job_records_a_bad_input_failure(tmp_path):
    sweep = tmp_path
    status = run_job(_bad_config, sweep / "1", sweep, ["scenario=nope"])
    assert status == "failed"
    assert [p.name for p in (sweep / "1").iterdir()] == [ERROR]
    record = json.loads((sweep / "1" / ERROR).read_text())
    assert record["bad_input"] is True and record["error"] == VALID
    frame = pd.read_parquet(sweep / SUMMARY)
    assert frame["status"].tolist() == ["failed"] and frame["error"].tolist() == [VALID]
    assert jobs_finished(sweep) == 1


def test_run_job_runs_skips_and_reruns_another_config(tmp_path):
    sweep = tmp_path
    job = sweep / "0"
    assert run_job(lambda: sim.compose([*TINY, "seed=5"]), job, sweep, ["seed=5"]) == "done"
    assert sorted(p.name for p in job.iterdir()) == sorted(FILES)
    before = (job / "summary.json").stat().st_mtime_ns
    time.sleep(0.01)
    assert run_job(lambda: sim.compose([*TINY, "seed=5"]), job, sweep, ["seed=5"]) == "skipped"
    assert (job / "summary.json").stat().st_mtime_ns == before
    # a finished run of another configuration in the job's directory is not this job's
    assert run_job(lambda: sim.compose([*TINY, "seed=6"]), job, sweep, ["seed=6"]) == "done"
    assert json.loads((job / "summary.json").read_text())["seed"] == 6
    frame = pd.read_parquet(sweep / SUMMARY)
    assert frame["job"].tolist() == ["0"] and frame["seed"].tolist() == [6]
    assert frame["override.seed"].tolist() == ["6"]
    assert jobs_finished(sweep) == 1


def test_run_job_after_a_failure_clears_the_error(tmp_path):
    sweep = tmp_path
    job = sweep / "0"
    assert run_job(_bad_config, job, sweep, ["scenario=nope"]) == "failed"
    assert run_job(lambda: sim.compose([*TINY, "seed=5"]), job, sweep, ["seed=5"]) == "done"
    assert not (job / ERROR).exists()
    frame = pd.read_parquet(sweep / SUMMARY)
    assert frame["status"].tolist() == ["done"] and frame["error"].isna().all()


def test_run_job_failing_over_a_stale_run_is_reported_failed(tmp_path):
    sweep = tmp_path
    job = sweep / "0"
    assert run_job(lambda: sim.compose([*TINY, "seed=5"]), job, sweep, ["seed=5"]) == "done"
    assert run_job(_bad_config, job, sweep, ["scenario=nope"]) == "failed"
    frame = pd.read_parquet(sweep / SUMMARY)
    assert frame["status"].tolist() == ["failed"]
    assert rebuild_summary(sweep)["status"].tolist() == ["failed"]


# ---- SweepCallback, count_jobs -------------------------------------------------------


def hydra_config(sweep_dir, task=(), params=None, target=BASIC, progress="never"):
    return OmegaConf.create(
        {
            "hydra": {
                "sweep": {"dir": str(sweep_dir)},
                "sweeper": {"_target_": target, "params": params},
                "overrides": {"task": list(task)},
            },
            "output": {"progress": progress},
        }
    )


def test_count_jobs_is_the_product_of_the_sweep_params(tmp_path):
    cfg = hydra_config(tmp_path, ["scenario=a,b"], {"seed": "range(1,4)"})
    assert count_jobs(cfg) == 6
    assert count_jobs(hydra_config(tmp_path, ["scenario=a,b", "days=5,6,7"], None)) == 6
    assert count_jobs(hydra_config(tmp_path, [], {"seed": "range(1,11)"})) == 10
    assert count_jobs(hydra_config(tmp_path, ["days=20"], None)) == 1
    assert count_jobs(hydra_config(tmp_path, ["+knobs.x=0,250,500"], {"seed": "1,2"})) == 6
    # the command line overrides a parameter of the sweep file, as Hydra's sweeper does
    assert count_jobs(hydra_config(tmp_path, ["seed=1,2"], {"seed": "range(1,11)"})) == 2


def test_count_jobs_of_another_sweeper_is_unknown(tmp_path):
    cfg = hydra_config(tmp_path, ["seed=1,2"], None, target="x.optuna.OptunaSweeper")
    assert count_jobs(cfg) is None


def test_sweep_callback_pickles_while_its_bar_runs(tmp_path, capsys):
    cb = SweepCallback()
    config = hydra_config(tmp_path, ["seed=1,2"], None, progress="always")
    cb.on_multirun_start(config)
    try:
        assert cb._thread is not None and cb._thread.is_alive()
        assert cb.__getstate__() == {}
        copy = pickle.loads(pickle.dumps(cb))
        assert isinstance(copy, SweepCallback)
        assert copy._thread is None and copy._stop is None
        for job in ("0", "1"):
            write_summary(tmp_path / job, {"seed": int(job) + 1, "overrides": [f"seed={job}"]})
            mark_progress(tmp_path, tmp_path / job)
    finally:
        cb.on_multirun_end(config)  # no failure: returns without exiting
    assert not cb._thread.is_alive()
    assert "2/2" in capsys.readouterr().err
    assert pd.read_parquet(tmp_path / SUMMARY)["status"].tolist() == ["done", "done"]


def test_sweep_callback_start_clears_the_previous_pass(tmp_path):
    for job in ("0", "1", "2"):
        mark_progress(tmp_path, tmp_path / job)
    cb = SweepCallback()
    cb.on_multirun_start(hydra_config(tmp_path / "missing" / "sweep"))  # creates the dir
    assert (tmp_path / "missing" / "sweep").is_dir()
    cb.on_multirun_start(hydra_config(tmp_path, ["seed=1,2"]))
    assert cb._thread is None  # progress=never: no bar
    assert jobs_finished(tmp_path) == 0


@pytest.mark.parametrize(
    ("errors", "code"),
    [
        ([ConfigError(VALID)], 2),
        ([ConfigError(VALID), ConfigError("days must be > 0")], 2),
        ([RuntimeError("boom")], 1),
        ([ConfigError(VALID), RuntimeError("boom")], 1),
    ],
)
def test_sweep_callback_exits_non_zero_on_failed_jobs(tmp_path, errors, code):
    write_summary(tmp_path / "0", {"seed": 1})
    for i, exc in enumerate(errors, start=1):
        write_failure(tmp_path / str(i), [f"seed={i}"], exc)
    cb = SweepCallback()
    config = hydra_config(tmp_path, ["seed=1,2"])
    cb.on_multirun_start(config)
    with pytest.raises(SystemExit) as exit_info:
        cb.on_multirun_end(config)
    assert exit_info.value.code == code
    frame = pd.read_parquet(tmp_path / SUMMARY)
    assert frame["status"].tolist() == ["done"] + ["failed"] * len(errors)


def test_sweep_callback_end_of_an_empty_sweep(tmp_path):
    cb = SweepCallback()
    config = hydra_config(tmp_path, ["seed=1,2"])
    cb.on_multirun_start(config)
    cb.on_multirun_end(config)
    assert pd.read_parquet(tmp_path / SUMMARY).empty
    assert os.path.isfile(tmp_path / SUMMARY)

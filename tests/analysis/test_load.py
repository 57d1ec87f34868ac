"""Reading run and sweep directories written by hand: one row per finished run."""

import dataclasses
import json
import logging
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analysis.load import (
    FORMAT_VERSIONS,
    Metric,
    NotARunError,
    describe,
    load_metric_sections,
    load_metrics,
    load_summaries,
)

from .metrics_fixture import METRICS, catalog, write_metrics

ROOT = Path(__file__).resolve().parents[2]


def write_run(d, scenario="a", seed=1, version=1, overrides=None, **fields):
    """A finished run directory: ``summary.json`` as the simulation writes it."""
    d.mkdir(parents=True)
    summary = {
        "format_version": version,
        "scenario": scenario,
        "seed": seed,
        "cum_infections": 100 * seed,
        "calibration": {"beta": 0.02, "r_by_layer": {"household": 0.4}},
        "staff_hours_by_task": {"screening": 2.5, "checkpoint": 7.0},
        **fields,
        "overrides": overrides if overrides is not None else [f"scenario={scenario}"],
    }
    (d / "summary.json").write_text(json.dumps(summary))
    return d


def test_format_versions():
    assert FORMAT_VERSIONS == (1, 2)  # 2 adds columns and fields: version 1 still reads


def test_a_single_run_directory(tmp_path):
    d = write_run(
        tmp_path / "run",
        scenario="huaian_2020",
        seed=4,
        overrides=["scenario=huaian_2020", "seed=4", "+knobs.facility_capacity=500", "~days"],
    )
    f = load_summaries(d)
    assert len(f) == 1
    row = f.iloc[0]
    assert list(f.columns[:2]) == ["run", "source"] and row["source"] == str(d)
    assert row["run"] == str(d)
    assert row["job"] == "."
    assert row["status"] == "done"
    assert row["scenario"] == "huaian_2020" and row["seed"] == 4
    assert row["cum_infections"] == 400
    assert row["calibration.beta"] == pytest.approx(0.02)
    assert row["calibration.r_by_layer.household"] == pytest.approx(0.4)
    assert row["staff_hours_by_task.checkpoint"] == pytest.approx(7.0)
    assert row["overrides"] == "scenario=huaian_2020 seed=4 +knobs.facility_capacity=500 ~days"
    assert row["override.scenario"] == "huaian_2020"
    assert row["override.seed"] == "4"
    assert row["override.knobs.facility_capacity"] == "500"  # the leading + dropped
    assert not any(c.startswith("override.~") or c == "override.days" for c in f.columns)
    assert "calibration" not in f.columns and "staff_hours_by_task" not in f.columns
    # a string path reads the same
    pd.testing.assert_frame_equal(load_summaries(str(d)), f)


def test_a_directory_of_run_directories_nested(tmp_path):
    root = tmp_path / "runs"
    write_run(root / "a" / "0", "a", 1, overrides=["scenario=a", "seed=1"])
    write_run(root / "a" / "1", "a", 2, overrides=["scenario=a", "seed=2"])
    write_run(root / "b" / "deeper" / "0", "b", 1, overrides=["scenario=b", "seed=1"])
    (root / "notes").mkdir()
    (root / "notes" / "readme.txt").write_text("not a run")
    f = load_summaries(root)
    assert sorted(f["job"]) == ["a/0", "a/1", "b/deeper/0"]
    f = f.set_index("job")
    assert f.loc["a/1", "seed"] == 2 and f.loc["a/1", "cum_infections"] == 200
    assert f.loc["b/deeper/0", "override.scenario"] == "b"
    assert (f["source"] == str(root)).all()
    assert (f["status"] == "done").all()


def sweep_rows():
    base = {"format_version": 1, "cum_infections": 0, "error_type": None, "error": None}
    return [
        {"job": "0", "status": "done", "overrides": "scenario=a seed=1", "scenario": "a",
         "seed": 1, **base, "cum_infections": 10},
        {"job": "1", "status": "failed", "overrides": "scenario=b seed=1", "scenario": None,
         "seed": None, "format_version": None, "cum_infections": None,
         "error_type": "ConfigError", "error": "bad knob"},
        {"job": "2", "status": "done", "overrides": "scenario=b seed=2", "scenario": "b",
         "seed": 2, **base, "cum_infections": 30},
    ]  # fmt: skip


def write_sweep(d, rows):
    d.mkdir(parents=True)
    frame = pd.DataFrame(rows)
    for col in ("seed", "format_version", "cum_infections"):
        frame[col] = frame[col].astype("Int64")  # whole numbers with gaps, as sweeps write them
    frame.to_parquet(d / "summary.parquet", index=False)
    return d


def test_a_sweep_directory_reads_its_done_rows(tmp_path, caplog):
    d = write_sweep(tmp_path / "sweep", sweep_rows())
    # job directories beside the summary are not read a second time
    write_run(d / "0", "a", 1)
    with caplog.at_level(logging.WARNING, logger="analysis.load"):
        f = load_summaries(d)
    assert f["job"].tolist() == ["0", "2"]
    assert f["status"].tolist() == ["done", "done"]
    assert f["cum_infections"].tolist() == [10, 30]
    assert (f["source"] == str(d)).all()
    assert any("1 of 3 jobs" in r.getMessage() for r in caplog.records)
    # the summary file itself names the sweep too
    pd.testing.assert_frame_equal(load_summaries(d / "summary.parquet"), f)


def test_a_sweep_with_no_finished_job(tmp_path):
    rows = [r for r in sweep_rows() if r["status"] == "failed"]
    d = write_sweep(tmp_path / "sweep", rows)
    with pytest.raises(NotARunError, match="no finished run"):
        load_summaries(d)


def test_a_parquet_without_status_is_not_a_sweep(tmp_path):
    d = tmp_path / "other"
    d.mkdir()
    pd.DataFrame({"x": [1, 2]}).to_parquet(d / "summary.parquet")
    with pytest.raises(NotARunError, match="not a gridgov sweep summary"):
        load_summaries(d)


def test_several_paths_at_once(tmp_path):
    sweep = write_sweep(tmp_path / "sweep", sweep_rows())
    run = write_run(tmp_path / "run", "c", 7)
    f = load_summaries([sweep, str(run)])
    assert len(f) == 3
    assert f["source"].tolist() == [str(sweep), str(sweep), str(run)]
    assert f.set_index("source").loc[str(run), "scenario"] == "c"
    assert f["scenario"].tolist() == ["a", "b", "c"]
    assert f["seed"].tolist() == [1, 2, 7]


def test_no_path_is_an_error():
    with pytest.raises(NotARunError, match="no path"):
        load_summaries([])


@pytest.mark.parametrize("version", [3, 0])
def test_an_unknown_format_version_is_an_error(tmp_path, version):
    root = tmp_path / "runs"
    write_run(root / "0", seed=1)
    write_run(root / "1", seed=2, version=version)
    with pytest.raises(NotARunError, match=rf"version\(s\) \[{version}\].*reads \[1, 2\]"):
        load_summaries(root)


def test_an_unknown_format_version_in_a_sweep_is_an_error(tmp_path):
    rows = sweep_rows()
    rows[2]["format_version"] = 9
    d = write_sweep(tmp_path / "sweep", rows)
    with pytest.raises(NotARunError, match=r"\[9\]"):
        load_summaries(d)


def test_a_summary_without_format_version_is_an_error(tmp_path):
    d = tmp_path / "run"
    d.mkdir()
    (d / "summary.json").write_text(json.dumps({"scenario": "a", "seed": 1}))
    with pytest.raises(NotARunError, match="no format_version"):
        load_summaries(d)


def test_a_stray_summary_without_format_version_among_runs_is_an_error(tmp_path):
    write_run(tmp_path / "runs" / "0", seed=1)
    stray = tmp_path / "runs" / "1"
    stray.mkdir()
    (stray / "summary.json").write_text(json.dumps({"scenario": "a", "seed": 2}))
    with pytest.raises(NotARunError, match="without format_version"):
        load_summaries(tmp_path / "runs")


def test_a_missing_path_is_an_error(tmp_path):
    with pytest.raises(NotARunError, match="does not exist"):
        load_summaries(tmp_path / "nothing")
    # one missing path among good ones is still an error
    run = write_run(tmp_path / "run")
    with pytest.raises(NotARunError, match="does not exist"):
        load_summaries([run, tmp_path / "nothing"])


def test_an_empty_or_foreign_directory_is_an_error(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(NotARunError, match="no finished gridgov run"):
        load_summaries(empty)
    foreign = tmp_path / "foreign"
    (foreign / "sub").mkdir(parents=True)
    (foreign / "sub" / "data.json").write_text("{}")
    (foreign / "config.yaml").write_text("a: 1\n")
    with pytest.raises(NotARunError, match="no finished gridgov run"):
        load_summaries(foreign)


def test_unfinished_runs_are_skipped_with_a_warning(tmp_path, caplog):
    root = tmp_path / "runs"
    write_run(root / "0", seed=1)
    for job in ("1", "2"):
        (root / job).mkdir()
        pd.DataFrame({"day": [0, 1]}).to_parquet(root / job / "timeseries.parquet")
    with caplog.at_level(logging.WARNING, logger="analysis.load"):
        f = load_summaries(root)
    assert f["job"].tolist() == ["0"]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "2 unfinished run(s)" in warnings[0]


def test_only_unfinished_runs_is_an_error(tmp_path, caplog):
    (tmp_path / "0").mkdir()
    pd.DataFrame({"day": [0]}).to_parquet(tmp_path / "0" / "timeseries.parquet")
    with caplog.at_level(logging.WARNING, logger="analysis.load"), pytest.raises(NotARunError):
        load_summaries(tmp_path)
    assert any("1 unfinished" in r.getMessage() for r in caplog.records)


def test_analysis_does_not_import_the_simulation():
    code = (
        "import analysis.compare, analysis.load, sys; "
        "print(any(m == 'sim' or m.startswith('sim.') for m in sys.modules))"
    )
    res = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "False"


# --- metrics.json ------------------------------------------------------------------------


def test_metrics_of_a_run_both_sections(tmp_path):
    d = write_run(tmp_path / "run")
    write_metrics(d)
    sections = load_metric_sections(d)
    assert set(sections) == {"timeseries", "summary"}
    assert sections["timeseries"] == catalog("timeseries")
    assert sections["summary"] == catalog("summary")
    m = sections["summary"]["staff_hours_by_task.screening"]  # nested, flattened with dots
    assert m == Metric(
        "staff_hours_by_task.screening", "hours", "staff hours on screening", m.description
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.label = "x"  # type: ignore[misc]
    # merged: a name in both sections takes its summary definition
    merged = load_metrics(d)
    assert merged["cum_infections"].label == "infections"
    assert merged["n_infectious"].label == "infectious residents"
    assert set(merged) == set(catalog("timeseries")) | set(catalog("summary"))
    assert load_metrics(d, "timeseries")["cum_infections"].label == "infections so far"
    assert load_metrics(d, "summary") == catalog("summary")
    with pytest.raises(ValueError, match="'nope'"):
        load_metrics(d, "nope")


def test_metrics_of_a_sweep_come_from_its_first_run(tmp_path):
    d = write_sweep(tmp_path / "sweep", sweep_rows())
    for job in ("0", "2"):
        write_run(d / job, "a", 1)
    other = {**METRICS, "summary": [{**METRICS["summary"][0], "label": "second run"}]}
    write_metrics(d / "0")
    write_metrics(d / "2", other)
    assert load_metrics(d)["cum_infections"].label == "infections"
    assert load_metrics(d / "summary.parquet")["cum_infections"].label == "infections"
    # a folder of runs: the first in path order
    root = tmp_path / "runs"
    write_metrics(write_run(root / "b" / "0"), other)
    write_metrics(write_run(root / "a" / "1"))
    assert load_metrics(root, "summary")["cum_infections"].label == "infections"


def test_metrics_of_several_paths_first_definition_kept(tmp_path):
    a = write_run(tmp_path / "a")
    b = write_run(tmp_path / "b")
    (cum,) = [m for m in METRICS["summary"] if m["name"] == "cum_infections"]
    write_metrics(a, {**METRICS, "summary": [{**cum, "label": "from a"}]})
    write_metrics(b)
    merged = load_metrics([a, b], "summary")
    assert merged["cum_infections"].label == "from a"
    assert merged["firms_failed"].label == "firms failed"  # only b defines it


def test_without_metrics_json_labels_are_the_names_with_one_warning(tmp_path, caplog):
    old = write_run(tmp_path / "old")
    older = write_run(tmp_path / "older")
    new = write_metrics(write_run(tmp_path / "new")).parent
    with caplog.at_level(logging.WARNING, logger="analysis.load"):
        defined = load_metrics([old, new, older])
    assert defined == load_metrics(new)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "metrics.json" in warnings[0] and str(old) in warnings[0] and str(older) in warnings[0]
    assert str(new) not in warnings[0].replace(str(older), "")
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="analysis.load"):
        assert load_metrics(old) == {}
    assert len(caplog.records) == 1
    assert describe({}, "cum_infections") == Metric("cum_infections", "", "cum_infections", "")
    assert describe(None, "x").label == "x"
    assert describe(load_metrics(new), "cum_infections").label == "infections"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not a readable metrics file"),
        (json.dumps({**METRICS, "format_version": 2}), "format version 2"),
        (json.dumps([1]), "format version None"),
        (json.dumps({"format_version": 1, "timeseries": []}), "no 'summary' list"),
        (json.dumps({**METRICS, "summary": [{"name": "x", "unit": "u"}]}), r"summary\[0\]"),
        (json.dumps({**METRICS, "timeseries": [METRICS["timeseries"][0]] * 2}), "twice"),
    ],
)
def test_a_bad_metrics_file_is_an_error(tmp_path, content, message):
    d = write_run(tmp_path / "run")
    (d / "metrics.json").write_text(content)
    with pytest.raises(NotARunError, match=message):
        load_metrics(d)


def test_metrics_of_a_missing_path_is_an_error(tmp_path):
    with pytest.raises(NotARunError, match="does not exist"):
        load_metrics(tmp_path / "nowhere")

"""Paired comparisons on constructed summaries with known answers, and ``gridgov compare``."""

import io
import json
import logging
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.compare import format_table, main
from analysis.pairing import group_column, pair_columns, paired_differences, with_derived

from .metrics_fixture import catalog, label, write_metrics

GRIDGOV = str(Path(sys.executable).with_name("gridgov"))
SEEDS = [1, 2, 3, 4, 5]


def run(scenario, seed, **values):
    return {"scenario": scenario, "seed": seed, "override.seed": str(seed), **values}


def sweep_frame():
    """Baseline ``a``; ``b`` = a + [1..5] seed by seed; ``c`` = a - 10 on every seed."""
    base = [50.0, 70.0, 40.0, 90.0, 60.0]
    rows = [run("a", s, cum_infections=v) for s, v in zip(SEEDS, base, strict=True)]
    rows += [run("b", s, cum_infections=v + s) for s, v in zip(SEEDS, base, strict=True)]
    rows += [run("c", s, cum_infections=v - 10) for s, v in zip(SEEDS, base, strict=True)]
    return pd.DataFrame(rows)


def test_paired_difference_mean_interval_and_relative():
    t = paired_differences(sweep_frame(), "a").set_index("scenario")
    assert list(t.index) == ["b", "c"]
    assert (t["metric"] == "cum_infections").all()
    b = t.loc["b"]
    d = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    half = stats.t.ppf(0.975, 4) * d.std(ddof=1) / math.sqrt(5)
    assert half == pytest.approx(2.776445 * math.sqrt(2.5) / math.sqrt(5), rel=1e-5)
    assert b["pairs"] == 5
    assert b["baseline_mean"] == pytest.approx(62.0)
    assert b["mean"] == pytest.approx(65.0)
    assert b["difference"] == pytest.approx(3.0)
    assert b["ci_low"] == pytest.approx(3.0 - half, rel=1e-12)
    assert b["ci_high"] == pytest.approx(3.0 + half, rel=1e-12)
    assert b["relative"] == pytest.approx(3.0 / 62.0)
    # a constant difference has a zero-width interval
    c = t.loc["c"]
    assert (c["difference"], c["ci_low"], c["ci_high"]) == pytest.approx((-10.0, -10.0, -10.0))
    assert c["relative"] == pytest.approx(-10.0 / 62.0)


def test_the_level_sets_the_t_quantile():
    t = paired_differences(sweep_frame(), "a", level=0.8).set_index("scenario")
    half = stats.t.ppf(0.9, 4) * math.sqrt(2.5) / math.sqrt(5)
    assert t.loc["b", "ci_high"] - t.loc["b", "difference"] == pytest.approx(half, rel=1e-12)


def test_pairs_share_the_seed_and_every_other_override():
    # baseline values differ by 1000 between the caps: pairing across caps would show it
    rows = []
    for cap, step in (("1", 1), ("2", 2)):
        for s in (1, 2, 3):
            a = 1000.0 * int(cap) + 10.0 * s
            for sc, value in (("a", a), ("b", a + step * s)):
                rows.append(
                    {
                        **run(sc, s, cum_infections=value),
                        "override.knobs.cap": cap,
                        "override.scenario": sc,
                    }
                )
    # seed 4 of b (cap 1) has no baseline run: it is left out
    rows.append(
        {
            **run("b", 4, cum_infections=-1e6),
            "override.knobs.cap": "1",
            "override.scenario": "b",
        }
    )
    frame = pd.DataFrame(rows)
    assert pair_columns(frame, "scenario") == ["seed", "override.knobs.cap"]
    t = paired_differences(frame, "a").set_index("scenario")
    assert t.loc["b", "pairs"] == 6
    d = np.array([1.0, 2.0, 3.0, 2.0, 4.0, 6.0])
    assert t.loc["b", "difference"] == pytest.approx(d.mean())  # 3.0
    half = stats.t.ppf(0.975, 5) * d.std(ddof=1) / math.sqrt(6)
    assert t.loc["b", "ci_high"] == pytest.approx(d.mean() + half, rel=1e-12)
    assert t.loc["b", "baseline_mean"] == pytest.approx((3 * 1000 + 3 * 2000 + 2 * 60) / 6)


def test_seeds_the_baseline_lacks_are_left_out():
    frame = sweep_frame()
    frame = frame[~((frame["scenario"] == "a") & frame["seed"].isin([4, 5]))]
    t = paired_differences(frame, "a").set_index("scenario")
    assert t.loc["b", "pairs"] == 3
    assert t.loc["b", "difference"] == pytest.approx(2.0)  # seeds 1-3: 1, 2, 3
    assert t.loc["b", "baseline_mean"] == pytest.approx((50 + 70 + 40) / 3)
    assert t.loc["b", "mean"] == pytest.approx((51 + 72 + 43) / 3)


def knob_frame(with_knob_column=True, dtype="int64"):
    """One scenario, facility capacity 1000, 2000 (baseline), 3000; seeds 1-4."""
    rows = []
    for cap, effect in ((1000, 40.0), (2000, 0.0), (3000, -5.0)):
        for s in (1, 2, 3, 4):
            row = {
                "scenario": "huaian_2020",
                "seed": s,
                "override.seed": str(s),
                "override.knobs.facility_capacity": str(cap),
                "cum_infections": 100.0 * s + effect + (s if cap == 1000 else 0),
            }
            if with_knob_column:
                row["knobs.facility_capacity"] = cap
            rows.append(row)
    frame = pd.DataFrame(rows)
    if with_knob_column:
        frame["knobs.facility_capacity"] = frame["knobs.facility_capacity"].astype(dtype)
    return frame


@pytest.mark.parametrize(
    ("with_knob_column", "dtype"),
    [(True, "int64"), (True, "Int64"), (False, None)],  # Int64: a sweep's summary.parquet
)
def test_by_a_knob(with_knob_column, dtype):
    frame = knob_frame(with_knob_column, dtype)
    by = "knobs.facility_capacity"
    expected = by if with_knob_column else f"override.{by}"
    assert group_column(frame, by) == expected
    assert pair_columns(frame, by) == ["seed"]
    t = paired_differences(frame, "2000", by=by)
    assert list(t[by]) == ["1000", "3000"]
    t = t.set_index(by)
    assert t.loc["1000", "difference"] == pytest.approx(42.5)  # 40 + mean(1..4)
    assert t.loc["3000", "difference"] == pytest.approx(-5.0)
    assert t.loc["3000", "pairs"] == 4
    assert t.loc["1000", "baseline_mean"] == pytest.approx(250.0)
    with pytest.raises(ValueError, match=r"not a column"):
        paired_differences(frame, "2000", by="knobs.nope")


def test_the_interval_covers_the_true_difference_at_its_level():
    # 2000 constructed sweeps of 5 seeds each, paired differences ~ N(3, 2^2): the
    # baseline is the same in every sweep, so the groups' intervals are independent
    rng = np.random.default_rng(20200124)
    sweeps, true = 2000, 3.0
    base = rng.normal(100.0, 30.0, size=5)
    diffs = rng.normal(true, 2.0, size=(sweeps, 5))
    rows = [run("base", s, cum_infections=base[i]) for i, s in enumerate(SEEDS)]
    rows += [
        run(f"g{k}", s, cum_infections=base[i] + diffs[k, i])
        for k in range(sweeps)
        for i, s in enumerate(SEEDS)
    ]
    frame = pd.DataFrame(rows)
    for level, tolerance in ((0.95, 0.015), (0.8, 0.03)):
        t = paired_differences(frame, "base", level=level)
        assert len(t) == sweeps
        assert t["difference"].to_numpy() == pytest.approx(diffs.mean(axis=1))
        covered = ((t["ci_low"] <= true) & (true <= t["ci_high"])).mean()
        assert abs(covered - level) <= tolerance, (level, covered)
    # a normal (z) interval would cover markedly less with 4 degrees of freedom
    t = paired_differences(frame, "base", level=0.95)
    sd = diffs.std(axis=1, ddof=1)
    z = np.abs(diffs.mean(axis=1) - true) <= 1.959964 * sd / math.sqrt(5)
    t_cov = ((t["ci_low"] <= true) & (true <= t["ci_high"])).mean()
    assert z.mean() < t_cov - 0.04


def test_a_single_pair_has_no_interval():
    frame = pd.DataFrame([run("a", 1, cum_infections=10.0), run("b", 1, cum_infections=13.0)])
    row = paired_differences(frame, "a").iloc[0]
    assert row["pairs"] == 1
    assert row["difference"] == pytest.approx(3.0)
    assert math.isnan(row["ci_low"]) and math.isnan(row["ci_high"])
    assert row["relative"] == pytest.approx(0.3)


def test_a_zero_baseline_mean_has_no_relative_change():
    frame = pd.DataFrame(
        [run("a", s, firms_failed=0) for s in (1, 2)]
        + [run("b", s, firms_failed=s) for s in (1, 2)]
    )
    row = paired_differences(frame, "a").iloc[0]
    assert row["difference"] == pytest.approx(1.5)
    assert math.isnan(row["relative"])


@pytest.mark.parametrize("level", [0.0, 1.0, -0.5, 1.5, 95])
def test_a_level_outside_0_1_is_an_error(level):
    with pytest.raises(ValueError, match="level"):
        paired_differences(sweep_frame(), "a", level=level)


def test_an_unknown_baseline_is_an_error_listing_the_values():
    with pytest.raises(ValueError, match=r"'nothing'.*\['a', 'b', 'c'\]"):
        paired_differences(sweep_frame(), "nothing")


def test_an_unknown_metric_is_an_error_listing_the_numeric_columns():
    frame = sweep_frame().assign(note="x")
    with pytest.raises(ValueError, match=r"\['nope'\].*valid: \['cum_infections', 'seed'\]"):
        paired_differences(frame, "a", metrics=["cum_infections", "nope"])
    with pytest.raises(ValueError, match=r"\['note'\]"):  # a column, but not a number
        paired_differences(frame, "a", metrics=["note"])


def test_repeated_runs_cannot_be_paired():
    frame = sweep_frame()
    frame = pd.concat([frame, frame[(frame["scenario"] == "b") & (frame["seed"] == 3)]])
    with pytest.raises(ValueError, match=r"1 run\(s\) repeat.*cannot pair"):
        paired_differences(frame, "a")


def test_a_group_without_a_common_seed_is_an_error():
    frame = pd.DataFrame([run("a", 1, cum_infections=1.0), run("b", 2, cum_infections=2.0)])
    with pytest.raises(ValueError, match=r"shares no seed"):
        paired_differences(frame, "a")


def test_metrics_default_to_the_outcomes_present():
    frame = sweep_frame().assign(firms_failed=1, not_an_outcome=5.0)
    t = paired_differences(frame, "a")
    assert sorted(set(t["metric"])) == ["cum_infections", "firms_failed"]
    assert len(t) == 4  # two groups x two metrics
    t = paired_differences(frame, "a", metrics=["not_an_outcome"])
    assert list(t["metric"]) == ["not_an_outcome"] * 2


def test_with_derived_sums_staff_hours_by_task():
    frame = pd.DataFrame(
        {
            "staff_hours_by_task.screening": [1.5, 10.0],
            "staff_hours_by_task.checkpoint": [2.0, 20.0],
            "staff_hours_by_task.delivery": [0.25, 0.0],
            "other": [100.0, 100.0],
        }
    )
    out = with_derived(frame)
    assert out["staff_hours"].tolist() == pytest.approx([3.75, 30.0])
    assert "staff_hours" not in frame.columns  # the input is left as it was
    # an existing total is kept
    given = frame.assign(staff_hours=[7.0, 8.0])
    assert with_derived(given)["staff_hours"].tolist() == [7.0, 8.0]
    # and paired_differences compares it by default
    rows = sweep_frame().assign(**{"staff_hours_by_task.x": 1.0, "staff_hours_by_task.y": 2.0})
    rows.loc[rows["scenario"] == "b", "staff_hours_by_task.y"] = 5.0
    t = paired_differences(rows, "a")
    sh = t[t["metric"] == "staff_hours"].set_index("scenario")
    assert sh.loc["b", "difference"] == pytest.approx(3.0)
    assert sh.loc["b", "baseline_mean"] == pytest.approx(3.0)
    assert sh.loc["c", "difference"] == pytest.approx(0.0)


def table():
    frame = sweep_frame().assign(firms_failed=[3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 3, 3, 3, 3, 3])
    return paired_differences(frame, "a")


def test_format_markdown():
    out = format_table(table(), "scenario", "a", 0.95, "markdown", catalog=catalog())
    lines = out.strip("\n").split("\n")
    assert len(lines) == 2 + 4  # header, rule, one line per (scenario, metric)
    assert lines[0].startswith("| scenario | outcome | pairs | a (mean) |")
    assert "95% CI" in lines[0]
    assert lines[1].startswith("|---|---|")
    assert set(lines[1]) <= set("|-:")
    n_cols = lines[0].count("|")
    assert all(line.count("|") == n_cols for line in lines)
    assert lines[2].startswith("| b | infections | 5 | 62 | 65 | 3 |")
    assert "+4.8%" in lines[2]  # 3 / 62


def test_format_never_shows_scientific_notation_near_1000():
    frame = pd.DataFrame(
        [run("a", s, cum_infections=1000.0) for s in (1, 2)]
        + [run("b", s, cum_infections=1999.6) for s in (1, 2)]
    )
    out = format_table(paired_differences(frame, "a"), "scenario", "a", 0.95, "markdown")
    row = out.strip("\n").split("\n")[2]
    assert "| 1,000 | 2,000 | 1,000 |" in row, row  # difference 999.6


def test_format_csv_round_trips():
    t = table()
    back = pd.read_csv(io.StringIO(format_table(t, "scenario", "a", 0.95, "csv")))
    assert list(back.columns) == list(t.columns)
    assert back["scenario"].tolist() == t["scenario"].tolist()
    assert back["metric"].tolist() == t["metric"].tolist()
    for col in ("pairs", "baseline_mean", "mean", "difference", "ci_low", "ci_high", "relative"):
        np.testing.assert_allclose(back[col].to_numpy(float), t[col].to_numpy(float), rtol=1e-12)


def test_format_text():
    out = format_table(table(), "scenario", "a", 0.95, "text", catalog=catalog())
    assert "a (mean)" in out
    assert "95% CI" in out
    assert "infections" in out and "firms failed" in out
    assert len(out.strip("\n").split("\n")) == 1 + 4
    assert "90% CI" in format_table(table(), "scenario", "a", 0.9, "text")


def test_format_names_the_interval_method():
    assert "95% CI (t)" in format_table(table(), "scenario", "a", 0.95, "text")
    out = format_table(table(), "scenario", "a", 0.95, "markdown", method="bootstrap")
    assert "| 95% CI (bootstrap) |" in out.split("\n")[0]
    # the csv holds the numbers only
    csv = format_table(table(), "scenario", "a", 0.95, "csv", method="bootstrap")
    assert csv == format_table(table(), "scenario", "a", 0.95, "csv")


# --- the command -----------------------------------------------------------------------

SCENARIO_EFFECT = {"a": 0, "b": 10, "c": -20}


def fake_sweep(root, scenarios=("a", "b", "c"), seeds=(1, 2, 3, 4)):
    """A sweep directory written by hand: one run directory per (scenario, seed)."""
    job = 0
    for sc in scenarios:
        for s in seeds:
            summary = {
                "format_version": 1,
                "scenario": sc,
                "seed": s,
                "overrides": [f"scenario={sc}", f"seed={s}"],
                "cum_infections": 1000 + 100 * s + SCENARIO_EFFECT[sc] * s,
                "firms_failed": 20 + s,
                "fiscal_cost_cny": 1e6 * (sc == "b"),
                "staff_hours_by_task": {"screening": 10.0 * s, "checkpoint": 5.0},
            }
            d = root / str(job)
            d.mkdir(parents=True)
            (d / "summary.json").write_text(json.dumps(summary))
            write_metrics(d)
            job += 1
    return root


def test_main_prints_the_table(tmp_path, capsys):
    d = fake_sweep(tmp_path / "sweep")
    assert main([str(d), "--baseline", "a"]) == 0
    out = capsys.readouterr().out
    for word in ("b", "c", "a (mean)", "95% CI", "infections", "firms failed", "staff hours"):
        assert word in out
    [row] = [line for line in out.split("\n") if line.split()[:1] == ["b"] and "fiscal" in line]
    assert label("fiscal_cost_cny") in row and row.endswith("CNY")
    assert len(out.strip("\n").split("\n")) == 1 + 2 * 4  # two scenarios x four outcomes


def test_main_without_metrics_json_labels_by_name_with_one_warning(tmp_path, capsys, caplog):
    d = fake_sweep(tmp_path / "sweep")
    for f in d.rglob("metrics.json"):
        f.unlink()
    with caplog.at_level(logging.WARNING, logger="analysis"):
        assert main([str(d), "--baseline", "a", "--format", "markdown"]) == 0
    lines = capsys.readouterr().out.strip("\n").split("\n")
    assert [line.split("|")[2].strip() for line in lines[2:6]] == [
        "cum_infections",
        "staff hours, all tasks",  # derived by analysis: labelled all the same
        "firms_failed",
        "fiscal_cost_cny",
    ]
    assert [line.split("|")[-2].strip() for line in lines[2:6]] == ["", "hours", "", ""]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "metrics.json" in warnings[0].getMessage() and str(d) in warnings[0].getMessage()


def test_format_without_definitions_shows_names():
    out = format_table(table(), "scenario", "a", 0.95, "markdown")
    assert out.split("\n")[2].startswith("| b | cum_infections | 5 | 62 | 65 | 3 |")
    assert out.split("\n")[0].endswith("| change | unit |")


def test_main_csv_has_the_known_differences(tmp_path, capsys):
    d = fake_sweep(tmp_path / "sweep")
    assert main([str(d), "--baseline", "a", "--format", "csv"]) == 0
    t = pd.read_csv(io.StringIO(capsys.readouterr().out)).set_index(["scenario", "metric"])
    assert t.loc[("b", "cum_infections"), "difference"] == pytest.approx(25.0)  # 10 x mean(1..4)
    assert t.loc[("c", "cum_infections"), "difference"] == pytest.approx(-50.0)
    assert t.loc[("b", "fiscal_cost_cny"), "difference"] == pytest.approx(1e6)
    assert t.loc[("c", "firms_failed"), "difference"] == 0
    assert t.loc[("b", "staff_hours"), "baseline_mean"] == pytest.approx(30.0)
    assert (t["pairs"] == 4).all()
    half = stats.t.ppf(0.975, 3) * 10 * np.std([1, 2, 3, 4], ddof=1) / 2
    assert t.loc[("b", "cum_infections"), "ci_high"] == pytest.approx(25.0 + half)


def test_main_options(tmp_path, capsys):
    d = fake_sweep(tmp_path / "sweep")
    args = [str(d), "--baseline", "b", "--metrics", "firms_failed, cum_infections"]
    assert main([*args, "--format", "markdown", "--level", "0.9"]) == 0
    lines = capsys.readouterr().out.strip("\n").split("\n")
    assert len(lines) == 2 + 2 * 2
    assert "b (mean)" in lines[0] and "90% CI" in lines[0]
    assert lines[1].startswith("|---|")
    assert [line.split("|")[1].strip() for line in lines[2:]] == ["a", "a", "c", "c"]
    assert [line.split("|")[2].strip() for line in lines[2:]] == [
        "firms failed",
        "infections",
    ] * 2


def test_main_by_a_knob(tmp_path, capsys):
    for job, (cap, seed) in enumerate((c, s) for c in (1000, 2000) for s in (1, 2, 3)):
        d = tmp_path / "sweep" / str(job)
        d.mkdir(parents=True)
        summary = {
            "format_version": 1,
            "scenario": "huaian_2020",
            "seed": seed,
            "knobs": {"facility_capacity": cap, "response_date": "2020-01-24"},
            "overrides": [f"+knobs.facility_capacity={cap}", f"seed={seed}"],
            "cum_quarantined_facility": 100 * seed + (cap // 100) * seed,
        }
        (d / "summary.json").write_text(json.dumps(summary))
    args = ["--by", "knobs.facility_capacity", "--baseline", "2000", "--format", "csv"]
    assert main([str(tmp_path / "sweep"), *args]) == 0
    t = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert t["knobs.facility_capacity"].tolist() == [1000]
    assert t["metric"].tolist() == ["cum_quarantined_facility"]
    assert t["pairs"].tolist() == [3]
    assert t["difference"].tolist() == pytest.approx([-20.0])  # -10 x mean(1, 2, 3)
    assert t["ci_low"].tolist() == pytest.approx([-20.0 - stats.t.ppf(0.975, 2) * 10 / 3**0.5])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{missing}", "--baseline", "a"], "does not exist"),
        (["{empty}", "--baseline", "a"], "no finished gridgov run"),
        (["{sweep}", "--baseline", "zzz"], "baseline 'zzz'"),
        (["{sweep}", "--baseline", "a", "--metrics", "nope"], "nope"),
        (["{sweep}", "--baseline", "a", "--by", "knobs.nope"], "knobs.nope"),
        (["{sweep}", "--baseline", "a", "--level", "1.5"], "level"),
    ],
)
def test_main_bad_input(tmp_path, caplog, capsys, args, message):
    fake_sweep(tmp_path / "sweep")
    (tmp_path / "empty").mkdir()
    paths = {k: str(tmp_path / k) for k in ("missing", "empty", "sweep")}
    with caplog.at_level(logging.ERROR, logger="analysis.compare"):
        code = main([a.format(**paths) for a in args])
    assert code == 2
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert errors[0].startswith("bad input: ")
    assert message in errors[0]
    assert "\n" not in errors[0]
    assert capsys.readouterr().out == ""


def test_the_console_script(tmp_path):
    d = str(fake_sweep(tmp_path / "sweep"))
    ok = subprocess.run(
        [GRIDGOV, "compare", d, "--baseline", "a"], capture_output=True, text=True, timeout=120
    )
    assert ok.returncode == 0, ok.stderr
    assert "95% CI" in ok.stdout and "infections" in ok.stdout and "a (mean)" in ok.stdout
    bad = subprocess.run(
        [GRIDGOV, "compare", d, "--baseline", "zzz"], capture_output=True, text=True, timeout=120
    )
    assert bad.returncode == 2
    assert bad.stdout == ""
    lines = bad.stderr.strip().splitlines()
    assert len(lines) == 1, bad.stderr
    assert "bad input" in lines[0] and "zzz" in lines[0]


def test_by_a_float_column_names_whole_values_without_the_decimal_point():
    frame = pd.DataFrame(
        [{**run("x", s, cum_infections=10.0 + s), "knobs.cap": 2000.0} for s in (1, 2, 3)]
        + [{**run("x", s, cum_infections=20.0 + s), "knobs.cap": 2500.5} for s in (1, 2, 3)]
    )
    table = paired_differences(frame, "2000", by="knobs.cap", metrics=["cum_infections"])
    assert table["knobs.cap"].tolist() == ["2500.5"]
    assert table["difference"].iloc[0] == pytest.approx(10.0)

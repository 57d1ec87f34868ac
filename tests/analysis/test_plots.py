"""Plots on real small run and sweep outputs, and on constructed frames with known values."""

import base64
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import pytest
import yaml
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from analysis import plots
from analysis.load import METRICS_FILE, load_metrics, load_runs, load_summaries
from analysis.report import policy_windows

from .metrics_fixture import catalog

ROOT = Path(__file__).resolve().parents[2]
GRIDGOV = str(Path(sys.executable).with_name("gridgov"))
SMALL = ["population.residents=5000", "output.progress=never"]
# The heavier importation of counterfactuals_stress: an epidemic that takes off.
STRESS = 'disease.seeding=[{start: "2020-01-20", stop: "2020-02-08", per_day: 200}]'
SCENARIOS = ("huaian_2020", "no_relief")
PNG = b"\x89PNG\r\n\x1a\n"


def generated_outputs(tmp_path_factory) -> tuple[Path, Path]:
    """A run of the default scenario and a sweep of 2 scenarios x 2 seeds (5,000 residents).

    Made once per test session (shared by the plot and report tests) by the command line.
    """
    root = tmp_path_factory.getbasetemp() / "gridgov_outputs"
    run_dir, sweep_dir = root / "run", root / "sweep"
    if not (root / "done").exists():
        for cmd in (
            [GRIDGOV, *SMALL, f"hydra.run.dir={run_dir}"],
            [
                GRIDGOV,
                "-m",
                f"scenario={','.join(SCENARIOS)}",
                "seed=1,2",
                *SMALL,
                STRESS,
                f"hydra.sweep.dir={sweep_dir}",
            ],
        ):
            done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
            assert done.returncode == 0, done.stderr[-2000:]
        # every run documents its columns (sim writes metrics.json)
        assert all((s.parent / METRICS_FILE).exists() for s in root.rglob("summary.json"))
        (root / "done").touch()
    return run_dir, sweep_dir


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    return generated_outputs(tmp_path_factory)


@pytest.fixture(scope="module")
def sweep_runs(outputs):
    return load_runs(outputs[1])


@pytest.fixture(scope="module")
def sweep_summaries(outputs):
    return load_summaries(outputs[1])


@pytest.fixture(scope="module")
def sweep_metrics(outputs):
    """The sweep's timeseries metric definitions (its metrics.json)."""
    return load_metrics(outputs[1], "timeseries")


def title(fig: Figure) -> str:
    return fig.get_suptitle()


def assert_date_axis(ax) -> None:
    """The x axis shows dates (concise labels) within the simulated period."""
    assert isinstance(ax.xaxis.get_major_formatter(), mdates.ConciseDateFormatter)
    assert ax.get_xlabel() == "date" or ax.get_xlabel() == ""
    lo, hi = (mdates.num2date(x).date() for x in ax.get_xlim())
    assert dt.date(2020, 1, 1) <= lo < hi <= dt.date(2020, 6, 1)


def legend_texts(fig: Figure) -> list[str]:
    texts = [t.get_text() for leg in fig.legends for t in leg.get_texts()]
    for ax in fig.axes:
        if ax.get_legend() is not None:
            texts += [t.get_text() for t in ax.get_legend().get_texts()]
    return texts


def fill_values(collection) -> set[float]:
    """The y values of the vertices of a shaded band, rounded."""
    return {round(float(y), 9) for p in collection.get_paths() for y in p.vertices[:, 1]}


# ---------------------------------------------------------------------- real outputs


def test_epidemic_curves_of_a_sweep(sweep_runs, sweep_metrics):
    fig = plots.epidemic_curves(sweep_runs, catalog=sweep_metrics)
    assert isinstance(fig, Figure)
    [ax] = fig.axes
    assert len(ax.lines) == len(SCENARIOS)  # one median per scenario
    assert len(ax.collections) == len(SCENARIOS)  # one seed band per scenario (2 seeds each)
    assert "nfectious" in title(fig) and "10–90%" in title(fig)
    assert ax.get_ylabel() == "infectious residents (persons)"
    assert_date_axis(ax)
    texts = legend_texts(fig)
    assert all(any(s in t for t in texts) for s in SCENARIOS)
    # the median drawn is the median over the two seeds, date by date
    expected = sweep_runs[sweep_runs["scenario"] == "no_relief"].groupby("date")["n_infectious"]
    line = ax.lines[SCENARIOS.index("no_relief")]
    np.testing.assert_allclose(line.get_ydata(), expected.median().to_numpy())
    assert max(line.get_ydata()) > 0  # the heavier importation makes an epidemic


def test_epidemic_curves_several_metrics_one_panel_each(sweep_runs, sweep_metrics):
    metrics = ["n_infectious", "n_hospitalised", "new_infections"]
    fig = plots.epidemic_curves(sweep_runs, metrics, catalog=sweep_metrics)
    assert len(fig.axes) == 3
    for ax in fig.axes:
        assert len(ax.lines) == len(SCENARIOS)
        assert ax.get_title() and ax.get_ylabel()
        assert_date_axis(ax)


def test_trips_vs_baseline(sweep_runs, sweep_metrics):
    fig = plots.trips_vs_baseline(sweep_runs, catalog=sweep_metrics)
    assert len(fig.axes) == 2
    assert title(fig)
    for ax, what in zip(fig.axes, ("Person", "Vehicle"), strict=True):
        assert what in ax.get_title()
        assert len(ax.lines) == len(SCENARIOS) + 1  # medians and the normal day at 100%
        normal = ax.lines[-1]
        assert list(normal.get_ydata()) == [1.0, 1.0]
        assert isinstance(ax.yaxis.get_major_formatter(), PercentFormatter)
        assert_date_axis(ax)
    assert "%" in fig.axes[0].get_ylabel()
    assert "normal day" in legend_texts(fig)


def test_shortages(sweep_runs, sweep_metrics):
    fig = plots.shortages(sweep_runs, catalog=sweep_metrics)
    assert [ax.get_ylabel() for ax in fig.axes] == ["households", "orders"]
    assert title(fig)
    for ax in fig.axes:
        assert ax.get_title()
        assert len(ax.lines) == len(SCENARIOS)
    assert_date_axis(fig.axes[1])
    peak = sweep_runs.groupby(["scenario", "date"])["delivery_backlog"].median().max()
    drawn = max(max(line.get_ydata()) for line in fig.axes[1].lines)
    assert drawn == pytest.approx(peak)


def test_firm_status_one_panel_per_group_stacked_to_all_firms(
    sweep_runs, sweep_summaries, sweep_metrics
):
    fig = plots.firm_status(sweep_runs, catalog=sweep_metrics)
    assert len(fig.axes) == len(SCENARIOS)
    assert title(fig)
    total = int(sweep_summaries["firms_total"].iloc[0])
    for ax, name in zip(fig.axes, SCENARIOS, strict=True):
        assert name in ax.get_title()
        assert len(ax.collections) == len(plots.FIRM_STATES)  # five stacked areas
        top = max(y for y in fill_values(ax.collections[-1]))
        assert top == pytest.approx(total)  # the states add up to every firm
        assert_date_axis(ax)
    assert fig.axes[0].get_ylabel() == "firms"
    texts = legend_texts(fig)
    assert {"open", "failed", "closed by order"} <= set(texts)


def test_staff_hours_stacked_tasks_and_overload_on_twin_axis(sweep_runs, sweep_metrics):
    tasks = [c for c in sweep_runs.columns if c.startswith("staff_hours_")]
    assert len(tasks) == 8  # the staff tasks of sim.config.STAFF_TASKS
    fig = plots.staff_hours(sweep_runs, catalog=sweep_metrics)
    assert title(fig)
    main = [ax for ax in fig.axes if ax.collections]
    twins = [ax for ax in fig.axes if not ax.collections]
    assert len(main) == len(twins) == len(SCENARIOS)
    for ax in main:
        assert len(ax.collections) == len(tasks)
        assert_date_axis(ax)
    assert main[0].get_ylabel() == "staff hours per day (h)"
    for twin in twins:
        assert len(twin.lines) == 1
        assert isinstance(twin.yaxis.get_major_formatter(), PercentFormatter)
    assert "overloaded" in twins[-1].get_ylabel()
    assert {"tracing", "checkpoint", "delivery"} <= set(legend_texts(fig))


def test_a_single_run_plots_without_bands(outputs):
    runs = load_runs(outputs[0])
    fig = plots.epidemic_curves(runs)
    [ax] = fig.axes
    assert len(ax.lines) == 1 and not ax.collections
    assert "median" not in title(fig)  # no seeds to summarise
    assert ax.get_ylim()[0] == 0
    assert len(plots.firm_status(runs).axes) == 1
    assert len(plots.staff_hours(runs).axes) == 2  # the panel and its twin


def test_relief_and_frontier_from_stats(sweep_summaries):
    from analysis import stats

    ce = stats.cost_effectiveness(sweep_summaries, "no_relief")
    fig = plots.relief_cost_vs_firms_saved(ce, baseline="no_relief")
    [ax] = fig.axes
    assert "no_relief" in title(fig)
    assert "million CNY" in ax.get_xlabel() and "firms" in ax.get_ylabel()
    assert "huaian_2020" in [t.get_text().split(":")[0] for t in ax.texts]
    front = stats.frontier(sweep_summaries)
    fig = plots.frontier_plot(front)
    assert len(fig.axes) == 2  # the plot and its colour bar
    assert "million CNY" in fig.axes[1].get_ylabel()
    assert {t.get_text() for t in fig.axes[0].texts} == set(SCENARIOS)


def test_policy_timeline_of_the_run(outputs):
    run_dir = outputs[0]
    scenario = yaml.safe_load((run_dir / "scenario.yaml").read_text())
    windows = policy_windows(scenario, days=120)
    start = pd.Timestamp(scenario["start_date"])
    fig = plots.policy_timeline(windows, start, start + pd.Timedelta(days=120))
    [ax] = fig.axes
    kinds = list(dict.fromkeys(windows.sort_values("start", kind="stable")["kind"]))
    assert [t.get_text() for t in ax.get_yticklabels()] == [k.replace("_", " ") for k in kinds]
    assert len(ax.collections) == len(windows)  # one bar per policy window
    # bars coloured by the family of measures each policy declares (scenario.yaml)
    assert windows.set_index("kind")["group"]["isolate_confirmed"] == "disease control"
    assert {"disease control", "economy and relief"} <= set(legend_texts(fig))
    assert_date_axis(ax)
    assert title(fig)


# ---------------------------------------------------------------------- constructed frames


def three_seeds() -> pd.DataFrame:
    """One group, three seeds, two days: values 1, 2, 3 then 10, 20, 40."""
    days = pd.to_datetime(["2020-02-01", "2020-02-02"])
    rows = []
    for seed, (a, b) in zip((1, 2, 3), ((1, 10), (2, 20), (3, 40)), strict=True):
        for date, v in zip(days, (a, b), strict=True):
            rows.append({"run": f"r{seed}", "scenario": "s", "seed": seed, "date": date, "x": v})
    return pd.DataFrame(rows)


def test_seed_bands_median_and_quantiles_of_three_seeds():
    bands = plots.seed_bands(three_seeds(), "x")
    assert list(bands["scenario"]) == ["s", "s"]
    assert list(bands["median"]) == [2.0, 20.0]
    # linear interpolation: the 10% quantile of (1, 2, 3) lies 0.2 of the way from 1 to 2
    assert list(bands["low"]) == pytest.approx([1.2, 12.0])
    assert list(bands["high"]) == pytest.approx([2.8, 36.0])
    assert list(bands["runs"]) == [3, 3]
    wide = plots.seed_bands(three_seeds(), "x", low=0.0, high=1.0)
    assert list(wide["low"]) == [1.0, 10.0] and list(wide["high"]) == [3.0, 40.0]


def test_epidemic_curve_draws_the_computed_median_and_band():
    fig = plots.epidemic_curves(three_seeds(), "x")
    [ax] = fig.axes
    [line] = ax.lines
    assert list(line.get_ydata()) == [2.0, 20.0]
    assert [d.date() for d in mdates.num2date(mdates.date2num(line.get_xdata()))] == [
        dt.date(2020, 2, 1),
        dt.date(2020, 2, 2),
    ]
    [band] = ax.collections
    assert {1.2, 12.0, 2.8, 36.0} <= fill_values(band)
    assert ax.get_ylabel() == "x"  # an unknown metric is labelled by its column


def test_groups_by_a_knob_with_whole_float_values():
    frame = pd.concat(
        [three_seeds().assign(**{"override.knobs.cap": cap}) for cap in (500.0, 2000.0)]
    )
    fig = plots.epidemic_curves(frame, "x", by="knobs.cap")
    assert legend_texts(fig) == ["500 (3 runs)", "2000 (3 runs)"]
    assert "by knobs.cap" in title(fig)


def test_firm_status_is_the_mean_over_seeds():
    date = pd.Timestamp("2020-03-01")
    frame = pd.DataFrame(
        {
            "run": ["a", "b"],
            "scenario": ["s", "s"],
            "date": [date, date],
            "firms_open": [6, 8],
            "firms_closed_order": [2, 0],
            "firms_closed_workers": [1, 1],
            "firms_closed_demand": [0, 1],
            "firms_failed": [1, 0],
        }
    )
    [ax] = plots.firm_status(frame).axes
    tops = [max(fill_values(c)) for c in ax.collections]
    assert tops == pytest.approx([7.0, 8.0, 9.0, 9.5, 10.0])  # cumulative means, bottom up


def test_stacked_legends_drop_the_words_their_labels_share():
    frame = pd.DataFrame(
        {
            "run": ["a"],
            "scenario": ["s"],
            "date": [pd.Timestamp("2020-03-01")],
            **{c: [1] for c, _ in plots.FIRM_STATES},
        }
    )
    defined = catalog("timeseries")
    fig = plots.firm_status(frame, catalog=defined)
    assert legend_texts(fig)[::-1] == [
        "open",
        "closed by order",
        "closed: no workers",
        "closed: no demand",
        "failed",
    ]
    assert fig.axes[0].get_ylabel() == "firms"
    # without definitions: the column names, less their shared "firms_"
    fig = plots.firm_status(frame)
    assert legend_texts(fig)[::-1] == [
        "open",
        "closed_order",
        "closed_workers",
        "closed_demand",
        "failed",
    ]
    assert fig.axes[0].get_ylabel() == ""


def test_labels_and_units_come_from_the_definitions(sweep_runs, sweep_metrics):
    fig = plots.epidemic_curves(
        sweep_runs, ["n_infectious", "new_infections"], catalog=sweep_metrics
    )
    assert [ax.get_title() for ax in fig.axes] == ["Infectious residents", "New infections"]
    assert fig.axes[1].get_ylabel() == "new infections (persons per day)"
    # without them, metrics are labelled by their names
    fig = plots.epidemic_curves(sweep_runs, ["n_infectious", "new_infections"])
    assert [ax.get_ylabel() for ax in fig.axes] == ["n_infectious", "new_infections"]
    assert [ax.get_ylabel() for ax in plots.shortages(sweep_runs).axes] == [
        "household_days_without_necessities",
        "delivery_backlog",
    ]


def test_relief_plot_points_and_intervals():
    ce = pd.DataFrame(
        {
            "scenario": ["a", "b"],
            "pairs": [5, 1],
            "fiscal_cost_cny": [2e6, 5e6],
            "firms_saved": [10.0, 4.0],
            "firms_saved_low": [6.0, np.nan],  # one pair: no interval
            "firms_saved_high": [14.0, np.nan],
            "firms_saved_per_million_cny": [5.0, 0.8],
        }
    )
    [ax] = plots.relief_cost_vs_firms_saved(ce).axes
    a, b = ax.containers  # one error-bar container per group
    points = [tuple(float(v[0]) for v in c.lines[0].get_data()) for c in (a, b)]
    assert points == [(2.0, 10.0), (5.0, 4.0)]  # x in million CNY
    [[(_, lo), (_, hi)]] = a.lines[2][0].get_segments()
    assert (lo, hi) == (6.0, 14.0)
    assert not b.has_yerr  # one pair: no interval to draw
    labels = [t.get_text() for t in ax.texts]
    assert labels == ["a: 5 firms per million CNY", "b: 0.8 firms per million CNY"]


def test_frontier_rings_the_pareto_groups():
    front = pd.DataFrame(
        {
            "scenario": ["a", "b", "c"],
            "cum_infections": [100.0, 200.0, 300.0],
            "firms_failed": [50.0, 60.0, 10.0],
            "fiscal_cost_cny": [1e6, 2e6, 3e6],
            "runs": [3, 3, 3],
            "pareto": [True, False, True],
        }
    )
    fig = plots.frontier_plot(front, catalog=catalog("summary"))
    ax, bar = fig.axes
    points, rings = ax.collections
    assert points.get_array().tolist() == [1.0, 2.0, 3.0]  # colour: million CNY
    assert rings.get_offsets().tolist() == [[100.0, 50.0], [300.0, 10.0]]
    assert bar.get_ylabel() == "fiscal cost of relief (million CNY)"
    bold = {t.get_text() for t in ax.texts if t.get_fontweight() == "bold"}
    assert bold == {"a", "c"}


def test_missing_columns_are_named():
    with pytest.raises(ValueError, match="delivery_backlog"):
        plots.shortages(three_seeds().assign(household_days_without_necessities=1))
    with pytest.raises(ValueError, match="not_a_metric"):
        plots.epidemic_curves(three_seeds(), "not_a_metric")
    with pytest.raises(ValueError, match="staff_hours_"):
        plots.staff_hours(three_seeds())
    with pytest.raises(ValueError, match="quantiles"):
        plots.seed_bands(three_seeds(), "x", low=0.9, high=0.1)


def test_save_and_base64(tmp_path):
    fig = plots.epidemic_curves(three_seeds(), "x")
    png = plots.save(fig, tmp_path / "deeper" / "curve.png")
    assert png.read_bytes().startswith(PNG)
    assert plots.save(fig, tmp_path / "curve.svg").read_text().lstrip().startswith("<?xml")
    data = plots.to_base64_png(fig)
    assert base64.b64decode(data).startswith(PNG)
    assert data.isascii() and "\n" not in data


def test_plots_need_no_display_nor_pyplot_nor_the_simulation(tmp_path):
    code = (
        "import sys, analysis.plots as p, analysis.report, pandas as pd\n"
        "f = p.epidemic_curves(pd.DataFrame({'scenario': ['s'], 'date': "
        "pd.to_datetime(['2020-02-01']), 'x': [1.0]}), 'x')\n"
        "p.to_base64_png(f)\n"
        "assert 'matplotlib.pyplot' not in sys.modules\n"
        "assert not any(m == 'sim' or m.startswith('sim.') for m in sys.modules)\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "MPLBACKEND")}
    env["MPLCONFIGDIR"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def test_labels_of_close_points_do_not_overlap():
    names = ["alpha_scenario", "beta_scenario", "gamma_scenario", "delta"]
    front = pd.DataFrame(
        {
            "scenario": names,
            "cum_infections": [500.0, 501.0, 502.0, 70000.0],
            "firms_failed": [700.0, 701.0, 699.0, 30.0],
            "fiscal_cost_cny": [1e8, 1e8, 1e8, 0.0],
            "runs": [10] * 4,
            "pareto": [True, False, False, True],
        }
    )
    fig = plots.frontier_plot(front)
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"  # infections span two orders of magnitude
    boxes = [t.get_window_extent(renderer) for t in ax.texts]
    assert sorted(t.get_text() for t in ax.texts) == sorted(names)
    for i, a in enumerate(boxes):
        for b in boxes[:i]:
            assert not a.overlaps(b)

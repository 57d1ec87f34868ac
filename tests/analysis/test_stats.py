"""Bootstrap intervals, cost-effectiveness and the Pareto frontier on constructed data."""

import io
import itertools
import logging
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import analysis.intervals as intervals_module
import analysis.stats as stats_module
from analysis.compare import main
from analysis.intervals import CI_METHODS, bootstrap_ci
from analysis.pairing import paired_differences
from analysis.stats import cost_effectiveness, frontier, pareto_front

from .test_compare import fake_sweep, run, sweep_frame

ROOT = Path(__file__).resolve().parents[2]

# --- bootstrap_ci ------------------------------------------------------------------------


def test_bootstrap_interval_coverage_of_a_normal_mean():
    # 4000 samples of 30 from N(5, 2^2). The percentile interval is about
    # mean ± z sd_plugin / sqrt(n), sd_plugin = s sqrt((n-1)/n): it covers the mean with
    # probability P(|T_29| <= z sqrt(29/30)) = 0.936, not 0.95 (normal tails, divisor n).
    # Measured with this setup on data seeds 0-9: 0.924-0.937 (mean 0.933, sd 0.005;
    # the binomial sd alone is 0.004); 0.935 on the seed below. Tolerances: within 0.015
    # (3 sd) of 0.936, and within 95% -3% / +2.5%: the lower side is wider because the
    # under-coverage is systematic (95% - 2.5% is only ~2 sd below the expected 0.936).
    rng = np.random.default_rng(20200124)
    mu, samples, n = 5.0, 4000, 30
    xs = rng.normal(mu, 2.0, size=(samples, n))
    intervals = np.array([bootstrap_ci(x, n_boot=1000, seed=i) for i, x in enumerate(xs)])
    covered = float(((intervals[:, 0] <= mu) & (mu <= intervals[:, 1])).mean())
    z = stats.norm.ppf(0.975)
    expected = 1 - 2 * stats.t.sf(z * math.sqrt((n - 1) / n), n - 1)
    assert expected == pytest.approx(0.936, abs=0.001)
    assert abs(covered - expected) <= 0.015, covered
    assert 0.95 - 0.03 <= covered <= 0.95 + 0.025, covered
    # every interval holds its sample's mean
    means = xs.mean(axis=1)
    assert ((intervals[:, 0] <= means) & (means <= intervals[:, 1])).all()


def test_bootstrap_interval_of_two_values_is_exact():
    # resampled means of [0, 1] are 0, 1/2, 1 with probabilities 1/4, 1/2, 1/4
    assert bootstrap_ci(np.array([0.0, 1.0]), n_boot=4000) == (0.0, 1.0)
    assert bootstrap_ci(np.array([0.0, 1.0]), level=0.4, n_boot=4000) == (0.5, 0.5)


def test_bootstrap_interval_is_reproducible():
    x = np.random.default_rng(1).normal(10.0, 3.0, size=25)
    a = bootstrap_ci(x, seed=7)
    assert bootstrap_ci(x, seed=7) == a
    assert bootstrap_ci(x, seed=8) != a
    assert a[0] < x.mean() < a[1]
    # a list reads the same as an array
    assert bootstrap_ci(list(x), seed=7) == a


def test_bootstrap_blocks_do_not_change_the_interval(monkeypatch):
    x = np.random.default_rng(2).normal(size=30)
    whole = bootstrap_ci(x, n_boot=2000, seed=3)
    monkeypatch.setattr(intervals_module, "_BOOT_BLOCK", 30 * 7)  # 286 blocks of 7 resamples
    assert bootstrap_ci(x, n_boot=2000, seed=3) == pytest.approx(whole, rel=1e-12)


def test_bootstrap_interval_of_a_constant_is_the_constant():
    assert bootstrap_ci(np.full(10, 4.5)) == pytest.approx((4.5, 4.5))


@pytest.mark.parametrize("values", [[3.0], []])
def test_bootstrap_interval_needs_two_values(values):
    low, high = bootstrap_ci(np.array(values))
    assert math.isnan(low) and math.isnan(high)


def test_bootstrap_interval_with_a_nan_is_nan():
    low, high = bootstrap_ci(np.array([1.0, np.nan, 3.0]))
    assert math.isnan(low) and math.isnan(high)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"level": 0.0}, "level"),
        ({"level": 1.0}, "level"),
        ({"level": 95}, "level"),
        ({"n_boot": 99}, "n_boot"),
    ],
)
def test_bootstrap_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        bootstrap_ci(np.arange(5.0), **kwargs)
    with pytest.raises(ValueError, match="one-dimensional"):
        bootstrap_ci(np.ones((3, 2)))


# --- pareto_front ------------------------------------------------------------------------


def hand_points():
    """Two objectives to minimise; the front is A, B, C (= B) and E."""
    rows = {
        "A": (1.0, 5.0),  # best in x
        "B": (2.0, 3.0),
        "C": (2.0, 3.0),  # a duplicate of B: both on the front
        "D": (3.0, 3.0),  # equal to B in y, worse in x: dominated
        "E": (4.0, 1.0),  # best in y
        "F": (5.0, 5.0),  # dominated by everything but G and H
        "G": (1.0, 6.0),  # equal to A in x, worse in y: dominated
        "H": (np.nan, 0.0),  # would dominate E in y: NaN, never on the front
    }
    return pd.DataFrame.from_dict(rows, orient="index", columns=["x", "y"])


FRONT = {"A": True, "B": True, "C": True, "D": False, "E": True, "F": False, "G": False, "H": False}


def test_pareto_front_hand_built():
    points = hand_points()
    front = pareto_front(points, ["x", "y"])
    assert front.dtype == bool
    assert list(front.index) == list(points.index)
    assert front.to_dict() == FRONT


def test_pareto_front_maximize():
    # y -> -y as a benefit to maximise: the same front
    points = hand_points().assign(y=lambda f: -f["y"]).rename(columns={"y": "benefit"})
    assert pareto_front(points, ["x", "benefit"], maximize=["benefit"]).to_dict() == FRONT
    # maximising both: F = (5, 5) dominates all but G = (1, 6), the highest y
    both = pareto_front(hand_points(), ["x", "y"], maximize=["x", "y"])
    assert both[both].index.tolist() == ["F", "G"]


def test_pareto_front_one_objective_keeps_every_minimum():
    points = pd.DataFrame({"x": [3.0, 1.0, 2.0, 1.0, np.nan]})
    assert pareto_front(points, ["x"]).tolist() == [False, True, False, True, False]


def test_pareto_front_all_nan_or_empty():
    assert not pareto_front(pd.DataFrame({"x": [np.nan, np.nan]}), ["x"]).any()
    empty = pareto_front(pd.DataFrame({"x": [], "y": []}), ["x", "y"])
    assert empty.empty and empty.dtype == bool


def brute_front(x):
    """The front by the definition, one pair at a time."""
    n = len(x)
    return [
        not np.isnan(x[j]).any()
        and not any(
            not np.isnan(x[i]).any() and (x[i] <= x[j]).all() and (x[i] < x[j]).any()
            for i in range(n)
        )
        for j in range(n)
    ]


def test_pareto_front_matches_the_definition_on_random_points(monkeypatch):
    # small integers traded off against each other: a large front, ties and duplicates
    rng = np.random.default_rng(11)
    x = rng.integers(0, 10, size=(300, 3)).astype(float)
    x[:, 2] = 18 - x[:, 0] - x[:, 1] + rng.integers(0, 3, size=300)
    x[rng.random(300) < 0.05, 1] = np.nan
    points = pd.DataFrame(x, columns=["a", "b", "c"], index=rng.permutation(300))
    expected = brute_front(x)
    assert pareto_front(points, ["a", "b", "c"]).tolist() == expected
    assert 30 <= sum(expected) <= 270
    assert points[expected].duplicated().any()  # duplicates on the front
    # computed in blocks of rows, the same front
    monkeypatch.setattr(stats_module, "_PARETO_BLOCK", 300 * 3 * 7)
    assert pareto_front(points, ["a", "b", "c"]).tolist() == expected


def test_pareto_front_integer_and_nullable_columns():
    points = pd.DataFrame({"x": [1, 2, 3], "y": pd.array([3, None, 1], dtype="Int64")})
    assert pareto_front(points, ["x", "y"]).tolist() == [True, False, True]


def test_pareto_front_bad_arguments():
    points = hand_points().assign(label="z")
    with pytest.raises(ValueError, match=r"\['nope'\]"):
        pareto_front(points, ["x", "nope"])
    with pytest.raises(ValueError, match=r"maximize.*\['z'\]"):
        pareto_front(points, ["x", "y"], maximize=["z"])
    with pytest.raises(ValueError, match=r"\['label'\] are not numeric"):
        pareto_front(points, ["x", "label"])
    with pytest.raises(ValueError, match="at least one"):
        pareto_front(points, [])


# --- frontier ----------------------------------------------------------------------------


def frontier_frame():
    """Four scenarios, two seeds; ``d`` is dominated by ``a``."""
    values = {
        "a": [(100, 10, 0.0), (120, 12, 0.0)],  # means 110, 11, 0
        "b": [(50, 20, 1e6), (70, 20, 1e6)],  # 60, 20, 1e6
        "c": [(80, 12, 2e6), (100, 14, 2e6)],  # 90, 13, 2e6
        "d": [(120, 11, 0.0), (140, 13, 0.0)],  # 130, 12, 0: worse than a in all
    }
    return pd.DataFrame(
        [
            run(sc, s, cum_infections=inf, firms_failed=firms, fiscal_cost_cny=cost)
            for sc, rows in values.items()
            for s, (inf, firms, cost) in zip((1, 2), rows, strict=True)
        ]
    )


def test_frontier_means_flags_and_order():
    f = frontier(frontier_frame())
    objectives = ["cum_infections", "firms_failed", "fiscal_cost_cny"]
    assert list(f.columns) == ["scenario", *objectives, "runs", "pareto"]
    assert f["scenario"].tolist() == ["b", "c", "a", "d"]  # by mean infections
    assert f["cum_infections"].tolist() == pytest.approx([60.0, 90.0, 110.0, 130.0])
    assert f["firms_failed"].tolist() == pytest.approx([20.0, 13.0, 11.0, 12.0])
    assert f["fiscal_cost_cny"].tolist() == pytest.approx([1e6, 2e6, 0.0, 0.0])
    assert f["runs"].tolist() == [2, 2, 2, 2]
    assert f["pareto"].tolist() == [True, True, True, False]
    # without the cost, c (90, 13) is still not dominated; on infections alone only b is
    f = frontier(frontier_frame(), objectives=["cum_infections", "firms_failed"])
    assert dict(zip(f["scenario"], f["pareto"], strict=True)) == {
        "b": True,
        "c": True,
        "a": True,
        "d": False,
    }
    f = frontier(frontier_frame(), objectives=["cum_infections"])
    assert f["pareto"].tolist() == [True, False, False, False]


def test_frontier_by_a_knob_names_groups_as_compare_does():
    rows = []
    for cap, (inf, cost) in {2000.0: (100, 2e6), 3000.0: (80, 3e6), 2500.5: (120, 2.5e6)}.items():
        for s in (1, 2, 3):
            rows.append(
                {
                    **run("x", s, cum_infections=inf + s, firms_failed=5, fiscal_cost_cny=cost),
                    "knobs.cap": cap,
                }
            )
    f = frontier(pd.DataFrame(rows), by="knobs.cap")
    assert f["knobs.cap"].tolist() == ["3000", "2000", "2500.5"]
    assert f["cum_infections"].tolist() == pytest.approx([82.0, 102.0, 122.0])
    assert f["runs"].tolist() == [3, 3, 3]
    assert f["pareto"].tolist() == [True, True, False]
    # the override column when the knob is not a summary field
    g = pd.DataFrame(rows).drop(columns="knobs.cap")
    g["override.knobs.cap"] = [str(int(r["knobs.cap"])) for r in rows]
    assert frontier(g, by="knobs.cap")["knobs.cap"].tolist() == ["3000", "2000", "2500"]


def test_frontier_a_missing_value_takes_its_group_off(caplog):
    frame = frontier_frame()
    frame.loc[(frame["scenario"] == "b") & (frame["seed"] == 2), "firms_failed"] = np.nan
    frame = pd.concat([frame, pd.DataFrame([run("a", 3, cum_infections=110, firms_failed=11)])])
    with caplog.at_level(logging.WARNING, logger="analysis.stats"):
        f = frontier(frame)
    # a's third run lacks the cost: a's mean cost is NaN too
    assert f["scenario"].tolist() == ["b", "c", "a", "d"]
    f = f.set_index("scenario")
    assert math.isnan(f.loc["b", "firms_failed"])
    assert f.loc["b", "cum_infections"] == pytest.approx(60.0)
    assert math.isnan(f.loc["a", "fiscal_cost_cny"])
    assert f.loc["a", "runs"] == 3
    assert f.loc["a", "cum_infections"] == pytest.approx(110.0)
    # only c and d are left to compare, and neither dominates the other
    assert f["pareto"].to_dict() == {"b": False, "c": True, "a": False, "d": True}
    assert any("2 missing" in r.getMessage() for r in caplog.records)


def test_frontier_derives_staff_hours():
    frame = frontier_frame().assign(**{"staff_hours_by_task.x": 1.0, "staff_hours_by_task.y": 2.0})
    f = frontier(frame, objectives=["staff_hours", "cum_infections"])
    assert f["staff_hours"].tolist() == pytest.approx([3.0] * 4)
    assert f["scenario"].tolist() == ["a", "b", "c", "d"]  # ties kept in name order
    assert f["pareto"].tolist() == [False, True, False, False]


def test_frontier_bad_arguments():
    frame = frontier_frame().assign(note="x")
    with pytest.raises(ValueError, match=r"\['nope'\]"):
        frontier(frame, objectives=["cum_infections", "nope"])
    with pytest.raises(ValueError, match=r"\['note'\] are not numeric"):
        frontier(frame, objectives=["note"])
    with pytest.raises(ValueError, match="not a column"):
        frontier(frame, by="knobs.nope")
    with pytest.raises(ValueError, match="at least one"):
        frontier(frame, objectives=[])


# --- cost_effectiveness ------------------------------------------------------------------

CE_COLUMNS = [
    "scenario",
    "pairs",
    "fiscal_cost_cny",
    "infections_averted",
    "infections_averted_low",
    "infections_averted_high",
    "firms_saved",
    "firms_saved_low",
    "firms_saved_high",
    "infections_averted_per_million_cny",
    "firms_saved_per_million_cny",
]
BASE_INFECTIONS = [50.0, 70.0, 40.0, 90.0, 60.0]
BASE_FIRMS = [10, 12, 9, 11, 8]


def relief_frame():
    """Baseline ``none`` costs 0.5 M CNY a run. ``pkg`` averts 1..5 infections and saves
    2, 2, 3, 3, 4 firms at 1.5, 2.5, 3.5, 2.5, 2.5 M CNY (2 M more than ``none`` on average);
    ``free`` averts 10 infections and saves nothing at the baseline's cost."""
    rows = []
    for i, s in enumerate(range(1, 6)):
        inf, firms = BASE_INFECTIONS[i], BASE_FIRMS[i]
        rows.append(run("none", s, cum_infections=inf, firms_failed=firms, fiscal_cost_cny=5e5))
        cost = [1.5e6, 2.5e6, 3.5e6, 2.5e6, 2.5e6][i]
        saved = [2, 2, 3, 3, 4][i]
        rows.append(
            run("pkg", s, cum_infections=inf - s, firms_failed=firms - saved, fiscal_cost_cny=cost)
        )
        rows.append(
            run("free", s, cum_infections=inf - 10, firms_failed=firms, fiscal_cost_cny=5e5)
        )
    return pd.DataFrame(rows)


def t_half(d, level=0.95):
    d = np.asarray(d, dtype=float)
    return stats.t.ppf((1 + level) / 2, d.size - 1) * d.std(ddof=1) / math.sqrt(d.size)


def test_cost_effectiveness_known_answers():
    t = cost_effectiveness(relief_frame(), "none")
    assert list(t.columns) == CE_COLUMNS
    assert t["scenario"].tolist() == ["pkg", "free"]
    pkg = t.set_index("scenario").loc["pkg"]
    assert pkg["pairs"] == 5
    assert pkg["fiscal_cost_cny"] == pytest.approx(2e6)  # extra over the baseline's 0.5 M
    assert pkg["infections_averted"] == pytest.approx(3.0)
    half = t_half([1, 2, 3, 4, 5])
    assert half == pytest.approx(2.776445 * math.sqrt(2.5) / math.sqrt(5), rel=1e-5)
    assert pkg["infections_averted_low"] == pytest.approx(3.0 - half, rel=1e-12)
    assert pkg["infections_averted_high"] == pytest.approx(3.0 + half, rel=1e-12)
    assert pkg["firms_saved"] == pytest.approx(2.8)
    half = t_half([2, 2, 3, 3, 4])
    assert pkg["firms_saved_low"] == pytest.approx(2.8 - half, rel=1e-12)
    assert pkg["firms_saved_high"] == pytest.approx(2.8 + half, rel=1e-12)
    assert pkg["infections_averted_per_million_cny"] == pytest.approx(1.5)  # 3 / 2
    assert pkg["firms_saved_per_million_cny"] == pytest.approx(1.4)  # 2.8 / 2


def test_cost_effectiveness_without_extra_cost_has_no_ratio():
    free = cost_effectiveness(relief_frame(), "none").set_index("scenario").loc["free"]
    assert free["fiscal_cost_cny"] == 0.0
    assert free["infections_averted"] == pytest.approx(10.0)
    assert (free["infections_averted_low"], free["infections_averted_high"]) == pytest.approx(
        (10.0, 10.0)
    )
    assert free["firms_saved"] == 0.0
    assert math.isnan(free["infections_averted_per_million_cny"])
    assert math.isnan(free["firms_saved_per_million_cny"])
    # a scenario cheaper than the baseline has no ratio either
    t = cost_effectiveness(relief_frame(), "pkg").set_index("scenario")
    assert t.loc["none", "fiscal_cost_cny"] == pytest.approx(-2e6)
    assert t.loc["none", "firms_saved"] == pytest.approx(-2.8)
    assert math.isnan(t.loc["none", "firms_saved_per_million_cny"])


def test_cost_effectiveness_level():
    pkg = cost_effectiveness(relief_frame(), "none", level=0.8).set_index("scenario").loc["pkg"]
    assert pkg["infections_averted_high"] - 3.0 == pytest.approx(t_half([1, 2, 3, 4, 5], 0.8))


def test_cost_effectiveness_pairs_within_other_overrides():
    # baselines differ by 1000 infections between caps: pairing across caps would show it
    rows = []
    for cap, step in (("1", 1), ("2", 2)):
        for s in (1, 2, 3):
            base = 1000.0 * int(cap) + 10.0 * s
            for sc, inf, cost in (("a", base, 0.0), ("b", base - step * s, 1e6 * step)):
                rows.append(
                    {
                        **run(sc, s, cum_infections=inf, firms_failed=7, fiscal_cost_cny=cost),
                        "override.knobs.cap": cap,
                    }
                )
    t = cost_effectiveness(pd.DataFrame(rows), "a").iloc[0]
    averted = np.array([1.0, 2.0, 3.0, 2.0, 4.0, 6.0])
    assert t["pairs"] == 6
    assert t["infections_averted"] == pytest.approx(averted.mean())  # 3.0
    assert t["infections_averted_high"] == pytest.approx(3.0 + t_half(averted), rel=1e-12)
    assert t["fiscal_cost_cny"] == pytest.approx(1.5e6)
    assert t["infections_averted_per_million_cny"] == pytest.approx(2.0)
    assert t["firms_saved"] == 0.0


def test_cost_effectiveness_by_a_knob():
    frame = relief_frame()
    frame["override.knobs.relief"] = frame.pop("scenario").map(
        {"none": "0", "pkg": "1", "free": "2"}
    )
    t = cost_effectiveness(frame, "0", by="knobs.relief")
    assert list(t.columns) == ["knobs.relief", *CE_COLUMNS[1:]]
    assert t["knobs.relief"].tolist() == ["1", "2"]
    assert t["infections_averted"].tolist() == pytest.approx([3.0, 10.0])


def test_cost_effectiveness_single_pair_has_no_interval():
    frame = relief_frame()
    t = cost_effectiveness(frame[frame["seed"] == 2], "none").set_index("scenario")
    assert t.loc["pkg", "pairs"] == 1
    assert t.loc["pkg", "infections_averted"] == pytest.approx(2.0)
    assert math.isnan(t.loc["pkg", "infections_averted_low"])
    assert t.loc["pkg", "firms_saved_per_million_cny"] == pytest.approx(1.0)  # 2 / 2


def test_cost_effectiveness_against_a_baseline_without_relief():
    # the baseline costs nothing: the extra cost is the scenario's own cost
    rows = [
        run("no_relief", s, cum_infections=100, firms_failed=f, fiscal_cost_cny=0.0)
        for s, f in [(1, 100), (2, 120), (3, 90)]
    ]
    # saves exactly 10, 20, 30 firms on seeds 1-3 at 2 M CNY each; seed 4 has no pair
    rows += [
        run("pkg", s, cum_infections=100, firms_failed=f, fiscal_cost_cny=2e6)
        for s, f in [(1, 90), (2, 100), (3, 60), (4, 0)]
    ]
    pkg = cost_effectiveness(pd.DataFrame(rows), "no_relief").set_index("scenario").loc["pkg"]
    assert pkg["pairs"] == 3
    assert pkg["fiscal_cost_cny"] == pytest.approx(2e6)
    assert pkg["firms_saved"] == pytest.approx(20.0)
    half = t_half([10, 20, 30])
    assert pkg["firms_saved_low"] == pytest.approx(20.0 - half, rel=1e-12)
    assert pkg["firms_saved_high"] == pytest.approx(20.0 + half, rel=1e-12)
    assert pkg["firms_saved_per_million_cny"] == pytest.approx(10.0)
    # one pair: 20 firms saved at 4 M CNY is 5 firms per million CNY
    one = [
        run("no_relief", 1, cum_infections=100, firms_failed=100, fiscal_cost_cny=0.0),
        run("pkg", 1, cum_infections=100, firms_failed=80, fiscal_cost_cny=4e6),
    ]
    t = cost_effectiveness(pd.DataFrame(one), "no_relief").set_index("scenario")
    assert t.loc["pkg", "firms_saved_per_million_cny"] == 5.0
    # runs on different seeds do not pair
    one[1] = run("pkg", 2, cum_infections=100, firms_failed=80, fiscal_cost_cny=4e6)
    with pytest.raises(ValueError, match="seed"):
        cost_effectiveness(pd.DataFrame(one), "no_relief")


def test_cost_effectiveness_errors():
    with pytest.raises(ValueError, match=r"\['firms_failed'\]"):
        cost_effectiveness(relief_frame().drop(columns="firms_failed"), "none")
    with pytest.raises(ValueError, match="baseline 'nothing'"):
        cost_effectiveness(relief_frame(), "nothing")
    with pytest.raises(ValueError, match="level"):
        cost_effectiveness(relief_frame(), "none", level=1.0)


# --- paired_differences and gridgov compare with a bootstrap interval --------------------


def test_compare_bootstrap_approaches_the_t_interval():
    rng = np.random.default_rng(5)
    base = rng.normal(1000.0, 100.0, size=200)
    diff = rng.normal(-30.0, 20.0, size=200)
    rows = [run("a", s, cum_infections=base[s]) for s in range(200)]
    rows += [run("b", s, cum_infections=base[s] + diff[s]) for s in range(200)]
    frame = pd.DataFrame(rows)
    t = paired_differences(frame, "a").iloc[0]
    boot = paired_differences(frame, "a", method="bootstrap").iloc[0]
    assert boot["difference"] == pytest.approx(diff.mean())
    assert boot["ci_low"] < boot["difference"] < boot["ci_high"]
    t_half_width = t["ci_high"] - t["difference"]
    # each side within 15% of the t half-width (here 1% and 3%; up to 7% on other seeds)
    assert boot["ci_high"] - boot["difference"] == pytest.approx(t_half_width, rel=0.15)
    assert boot["difference"] - boot["ci_low"] == pytest.approx(t_half_width, rel=0.15)
    # the seed and the number of resamples are passed on
    again = paired_differences(frame, "a", method="bootstrap", seed=0, n_boot=2000).iloc[0]
    assert (again["ci_low"], again["ci_high"]) == (boot["ci_low"], boot["ci_high"])
    expected = bootstrap_ci(diff, n_boot=500, seed=9)
    other = paired_differences(frame, "a", method="bootstrap", n_boot=500, seed=9).iloc[0]
    assert (other["ci_low"], other["ci_high"]) == pytest.approx(expected, rel=1e-12)


def test_compare_bootstrap_small_cases():
    t = paired_differences(sweep_frame(), "a", method="bootstrap").set_index("scenario")
    assert t.loc["b", "difference"] == pytest.approx(3.0)
    assert t.loc["b", "ci_low"] < 3.0 < t.loc["b", "ci_high"]
    assert (t.loc["c", "ci_low"], t.loc["c", "ci_high"]) == pytest.approx((-10.0, -10.0))
    one = pd.DataFrame([run("a", 1, cum_infections=1.0), run("b", 1, cum_infections=4.0)])
    row = paired_differences(one, "a", method="bootstrap").iloc[0]
    assert math.isnan(row["ci_low"]) and math.isnan(row["ci_high"])


def test_compare_unknown_method_is_an_error():
    assert CI_METHODS == ("t", "bootstrap")
    with pytest.raises(ValueError, match=r"'bca'.*allowed: \['t', 'bootstrap'\]"):
        paired_differences(sweep_frame(), "a", method="bca")
    with pytest.raises(ValueError, match="n_boot"):
        paired_differences(sweep_frame(), "a", method="bootstrap", n_boot=10)


def test_main_with_a_bootstrap_interval(tmp_path, capsys):
    d = str(fake_sweep(tmp_path / "sweep"))
    assert main([d, "--baseline", "a", "--ci", "bootstrap"]) == 0
    out = capsys.readouterr().out
    assert "95% CI (bootstrap)" in out
    assert main([d, "--baseline", "a", "--ci", "bootstrap", "--format", "markdown"]) == 0
    assert "| 95% CI (bootstrap) |" in capsys.readouterr().out
    assert main([d, "--baseline", "a"]) == 0
    out = capsys.readouterr().out
    assert "95% CI (t)" in out and "bootstrap" not in out
    assert main([d, "--baseline", "a", "--ci", "bootstrap", "--format", "csv"]) == 0
    t = pd.read_csv(io.StringIO(capsys.readouterr().out)).set_index(["scenario", "metric"])
    b = t.loc[("b", "cum_infections")]
    assert b["difference"] == pytest.approx(25.0)
    assert b["ci_low"] < 25.0 < b["ci_high"]
    # resampled means of 10 x (1..4) lie within [10, 40]
    assert b["ci_low"] >= 10.0 and b["ci_high"] <= 40.0
    with pytest.raises(SystemExit) as exc:
        main([d, "--baseline", "a", "--ci", "bca"])
    assert exc.value.code == 2


def test_stats_does_not_import_the_simulation():
    code = (
        "import analysis.stats, sys; "
        "print(any(m == 'sim' or m.startswith('sim.') for m in sys.modules))"
    )
    res = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "False"


def test_pareto_front_on_a_grid():
    # a 4 x 4 grid of (cost, infections) points: only the corner (0, 0) is on the front;
    # along the anti-diagonal cost + infections = 3 every point is on the front
    grid = pd.DataFrame(list(itertools.product(range(4), range(4))), columns=["c", "i"])
    assert grid[pareto_front(grid, ["c", "i"])].values.tolist() == [[0, 0]]
    diag = grid[grid["c"] + grid["i"] == 3]
    assert pareto_front(diag, ["c", "i"]).all()

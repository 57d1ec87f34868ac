"""Passes, checkpoints and online supply against the district's report (F3, F4).

The full-scale default run must show the fall in trips the district reported for the
pass period (F3: vehicles > 90%, persons > 80%) with few households short of
necessities; paired by seed, the counterfactuals must move the way F4 says. The
figures are in docs/validation.md ("Mobility and supply").
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

import sim
from sim.scenario import load_scenario

SEEDS = range(1, 11)
REDUCED = "population.residents=100000"


def _run(*overrides: str) -> sim.RunResult:
    return sim.run(sim.compose([*overrides, "output.progress=never"]), progress=False)


def _pass_days() -> tuple[int, int]:
    """First and one-past-last day of the household passes in huaian_2020."""
    sc = load_scenario("huaian_2020", {}, 120)
    (p,) = [p for p in sc.policies if p.kind == "household_pass"]
    return p.start, p.stop


def test_full_scale_default_cuts_trips_as_reported_with_few_households_short():
    res = _run()
    ts, s = res.timeseries, res.summary
    a, b = _pass_days()
    assert res.model.timeline.start_date + dt.timedelta(days=a) == dt.date(2020, 2, 5)
    during = ts.iloc[a:b]
    # F3: vehicle trips fell by more than 90%, person trips by more than 80%
    assert during["vehicle_trips_vs_baseline"].mean() <= 0.10
    assert during["person_trips_vs_baseline"].mean() <= 0.20
    assert s["vehicle_trips_vs_baseline_min7d"] <= 0.10
    assert s["person_trips_vs_baseline_min7d"] <= 0.20
    # before any measure (2020-01-21..23) work and other trips are at their normal level
    before = ts.iloc[1:4]
    base = res.model.mobility
    assert before["person_trips_work"].mean() == pytest.approx(base.base_work, rel=0.03)
    assert before["person_trips_other"].mean() == pytest.approx(base.base_other, rel=0.03)
    # few households short of necessities: < 0.1% of household-days, < 1% on the worst day
    households = s["households"]
    assert s["household_days_without_necessities"] <= 0.001 * households * len(ts)
    assert s["peak_households_without_necessities"] <= 0.01 * households
    # the online channel carried orders and kept its backlog within a few days' capacity
    assert s["deliveries"] > 0
    assert s["peak_delivery_backlog"] <= 3 * 40_000


def test_without_online_supply_more_market_visits_shortages_and_unsold_produce():
    diffs: dict[str, list[float]] = {
        "market_visits": [],
        "household_days_without_necessities": [],
        "farmer_unsold_value_cny": [],
    }
    for seed in SEEDS:
        base = _run(REDUCED, f"seed={seed}", "scenario=huaian_2020").summary
        alt = _run(REDUCED, f"seed={seed}", "scenario=no_online_supply").summary
        for k, v in diffs.items():
            v.append(alt[k] - base[k])
    # paired by seed: every seed moves the same way, not only the mean
    for k, v in diffs.items():
        if k == "household_days_without_necessities":
            # sealed households are fed by errands in both scenarios (errands_for_sealed),
            # so the difference is only the online users caught short at market: never
            # fewer, more in total (measured 0 on 3 of the 10 seeds)
            assert np.min(v) >= 0 and np.sum(v) > 0, (k, v)
        else:
            assert np.min(v) > 0, (k, v)


def test_fewer_checkpoint_staff_let_more_rule_breaking_trips_through():
    more, fewer = [], []
    for seed in SEEDS:
        more.append(_run(REDUCED, f"seed={seed}").summary["rule_breaking_trips"])
        fewer.append(
            _run(REDUCED, f"seed={seed}", "staff.cadres=0", "staff.grid_worker_hours=6").summary[
                "rule_breaking_trips"
            ]
        )
    assert all(f > m for f, m in zip(fewer, more, strict=True)), (more, fewer)
    # and by a margin: at least a quarter more on average
    assert np.mean(fewer) >= 1.25 * np.mean(more)

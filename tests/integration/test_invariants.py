"""Invariants of whole runs, composed exactly as the command line composes them."""

import numpy as np
import pandas as pd
import pytest

import sim
from sim.epidemic.disease import STATE_NAMES
from sim.policies import build_policy
from tests.helpers import small_config

STATE_COLUMNS = [f"n_{name}" for name in STATE_NAMES.values()]
BIG_EPIDEMIC = [
    "population.residents=20000",
    "scenario=no_intervention",
    "disease.seeding=[{start: 0, stop: 10, per_day: 250}]",
]


@pytest.fixture(scope="module")
def epidemic():
    return sim.run(small_config(*BIG_EPIDEMIC, "seed=11"))


def test_every_resident_is_in_exactly_one_state_every_day(epidemic):
    ts = epidemic.timeseries
    assert np.all(ts[STATE_COLUMNS].sum(axis=1) == 20000)
    assert epidemic.summary["attack_rate"] > 0.05  # the check is not vacuous


def test_flows_and_stocks_agree(epidemic):
    ts = epidemic.timeseries
    assert np.array_equal(ts["cum_infections"], ts["new_infections"].cumsum())
    assert np.array_equal(ts["cum_infections"], 20000 - ts["n_susceptible"])
    assert np.array_equal(ts["cum_deaths"], ts["n_dead"])
    layers = [c for c in ts.columns if c.startswith("new_infections_")]
    assert np.array_equal(ts["new_infections"], ts[layers].sum(axis=1) + ts["new_imported"])
    assert np.array_equal(ts["n_hospitalised"], ts["n_severe"] + ts["n_critical"])
    e = epidemic.model.epi
    assert e.n_secondary.sum() == (e.infector >= 0).sum()


def test_same_seed_same_outputs_other_seed_differs():
    a = sim.run(small_config(*BIG_EPIDEMIC, "seed=3"))
    b = sim.run(small_config(*BIG_EPIDEMIC, "seed=3"))
    c = sim.run(small_config(*BIG_EPIDEMIC, "seed=4"))
    pd.testing.assert_frame_equal(a.timeseries, b.timeseries)
    pd.testing.assert_frame_equal(a.events, b.events)
    assert not a.timeseries["new_infections"].equals(c.timeseries["new_infections"])


def test_beta_zero_means_no_transmission():
    res = sim.run(small_config(*BIG_EPIDEMIC, "contacts.beta=0", "contacts.beta_household=0"))
    assert res.summary["cum_infections"] == res.summary["cum_imported"] > 0
    layers = [c for c in res.timeseries.columns if c.startswith("new_infections_")]
    assert res.timeseries[layers].to_numpy().sum() == 0


def _run_with(extra_policies, cfg):
    m = sim.DistrictModel(cfg)
    m.policies = [*m.policies, *extra_policies]
    m.run()
    dates = pd.date_range(m.timeline.start_date, periods=cfg.days)
    return m.recorder.frame(dates).drop(columns=["response_level"])


def test_a_policy_with_no_effect_leaves_results_bit_identical():
    cfg = small_config(*BIG_EPIDEMIC, "seed=5", "days=60")
    base = _run_with([], cfg)
    neutral = build_policy(
        {"kind": "reduce_contacts", "start": 0}, 9, sim.DistrictModel(cfg).timeline.start_date, 60
    )
    pd.testing.assert_frame_equal(base, _run_with([neutral], cfg))


def test_a_policy_that_never_acts_before_day_k_leaves_days_before_k_identical():
    cfg = small_config(*BIG_EPIDEMIC, "seed=6", "days=60")
    start = sim.DistrictModel(cfg).timeline.start_date
    base = _run_with([], cfg)
    late = build_policy({"kind": "reduce_contacts", "start": 40, "community": 0.0}, 9, start, 60)
    other = _run_with([late], cfg)
    pd.testing.assert_frame_equal(base.iloc[:40], other.iloc[:40])
    assert not base.iloc[40:].equals(other.iloc[40:])


def test_common_random_numbers_keep_unrelated_draws():
    # isolating cases changes the epidemic, but not who is imported on day 0
    a = sim.run(small_config(*BIG_EPIDEMIC, "seed=8", "scenario=huaian_2020"))
    b = sim.run(small_config(*BIG_EPIDEMIC, "seed=8", "scenario=no_intervention"))
    imp = lambda r: r.events[(r.events.action == "import") & (r.events.day < 5)]  # noqa: E731
    pd.testing.assert_frame_equal(imp(a).reset_index(drop=True), imp(b).reset_index(drop=True))


def test_isolation_lowers_infections_paired_by_seed():
    diffs = []
    for seed in range(3):
        a = sim.run(small_config(*BIG_EPIDEMIC, f"seed={seed}", "scenario=huaian_2020"))
        b = sim.run(small_config(*BIG_EPIDEMIC, f"seed={seed}", "scenario=no_intervention"))
        diffs.append(b.summary["cum_infections"] - a.summary["cum_infections"])
    assert all(d > 0 for d in diffs)


def test_summary_has_the_contract_fields(epidemic):
    s = epidemic.summary
    for key in (
        "residents",
        "days",
        "seed",
        "scenario",
        "wall_seconds",
        "cum_infections",
        "cum_confirmed",
        "cum_deaths",
        "peak_hospitalised",
        "attack_rate",
        "code_version",
    ):
        assert key in s, key
    assert s["residents"] == 20000 and s["days"] == 120 and s["seed"] == 11
    assert s["attack_rate"] == pytest.approx(s["cum_infections"] / 20000)

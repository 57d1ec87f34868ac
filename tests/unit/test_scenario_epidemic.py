"""A scenario with ``epidemic: false``: no infection arrives from outside."""

from __future__ import annotations

import pytest

import sim
from sim.errors import ConfigError
from tests.helpers import scenario_file, small_config

WORLD = ("population.residents=20000", "days=30", "disease.importation.prevalence=0.2")


def test_no_epidemic_has_no_infections_and_no_measures():
    res = sim.run(small_config("scenario=no_epidemic", *WORLD))
    ts = res.timeseries
    assert res.model.timeline.epidemic is False
    assert ts["cum_infections"].iloc[-1] == 0
    assert ts["new_imported"].sum() == 0
    assert ts["response_level"].max() == 0
    # with the same seed, no_intervention does import infections
    other = sim.run(small_config("scenario=no_intervention", *WORLD))
    assert other.timeseries["new_imported"].sum() > 0


def test_seeding_is_off_too_and_bad_values_are_named(tmp_path):
    f = scenario_file(tmp_path, [], name="quiet", epidemic=False)
    res = sim.run(
        small_config(
            f"scenario={f}", "days=10", "disease.seeding=[{start: 0, stop: 10, per_day: 500}]"
        )
    )
    assert res.timeseries["cum_infections"].iloc[-1] == 0
    bad = scenario_file(tmp_path, [], name="bad", epidemic="no")
    with pytest.raises(ConfigError, match="epidemic must be true or false, got 'no'"):
        sim.run(small_config(f"scenario={bad}", "days=5"))

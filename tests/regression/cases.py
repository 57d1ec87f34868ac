"""The fixed-seed runs of the regression baseline and the figures kept from each."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sim

BASELINE = Path(__file__).with_name("baseline.json")
# the covid cases import enough infections for an epidemic to grow at 30,000 residents
STRESS = "disease.seeding=[{start: '2020-01-20', stop: '2020-02-08', per_day: 1000}]"
CASES: dict[str, list[str]] = {
    "huaian_2020": ["population.residents=30000", "seed=1", "scenario=huaian_2020", STRESS],
    "no_intervention": [
        "population.residents=30000",
        "seed=1",
        "scenario=no_intervention",
        STRESS,
    ],
    "well_mixed_seir": [
        "population.residents=30000",
        "seed=1",
        "scenario=no_intervention",
        "disease=well_mixed_seir",
    ],
}
COLUMNS = [
    "new_infections",
    "new_confirmed",
    "n_susceptible",
    "n_infectious",
    "n_hospitalised",
    "n_dead",
    "n_isolated",
    "person_trips",
    "vehicle_trips",
    "market_visits",
    "online_orders",
    "deliveries",
    "household_days_without_necessities",
    "rule_breaking_trips",
    "farmer_unsold_value_cny",
]
SUMMARY = ["cum_infections", "cum_confirmed", "cum_deaths", "peak_hospitalised", "households"]


def figures(name: str) -> dict[str, Any]:
    """Run one case and return the figures the baseline keeps."""
    res = sim.run(sim.compose([*CASES[name], "output.progress=never"]))
    out: dict[str, Any] = {k: res.summary[k] for k in SUMMARY}
    out["r0"] = round(res.summary["r0"], 9)
    out["timeseries"] = {c: res.timeseries[c].astype(int).tolist() for c in COLUMNS}
    return out

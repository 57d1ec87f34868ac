"""The fixed-seed runs of the regression baseline and the figures kept from each."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sim

BASELINE = Path(__file__).with_name("baseline.json")
CASES: dict[str, list[str]] = {
    "huaian_2020": ["population.residents=30000", "seed=1", "scenario=huaian_2020"],
    "no_intervention": ["population.residents=30000", "seed=1", "scenario=no_intervention"],
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
]
SUMMARY = ["cum_infections", "cum_confirmed", "cum_deaths", "peak_hospitalised", "households"]


def figures(name: str) -> dict[str, Any]:
    """Run one case and return the figures the baseline keeps."""
    res = sim.run(sim.compose([*CASES[name], "output.progress=never"]))
    out: dict[str, Any] = {k: res.summary[k] for k in SUMMARY}
    out["r0"] = round(res.summary["r0"], 9)
    out["timeseries"] = {c: res.timeseries[c].astype(int).tolist() for c in COLUMNS}
    return out

"""A ``metrics.json`` for the run directories the analysis tests build or run.

Until the simulation writes ``metrics.json`` itself, the tests write this one beside a
run's outputs. It defines (a subset of) the metrics in the format sim will write.
"""

from __future__ import annotations

import json
from pathlib import Path

from analysis.load import METRICS_FILE, Metric

STAFF_TASKS = (
    "tracing",
    "screening",
    "monitoring",
    "errands",
    "delivery",
    "checkpoint",
    "reporting",
    "information",
)
INSTRUMENTS = (
    "interest_subsidy",
    "tax_relief",
    "social_insurance_exemption",
    "rent_relief",
    "green_channel",
    "one_to_one_service",
)


def _entry(name: str, unit: str, label: str, description: str = "") -> dict[str, str]:
    return {"name": name, "unit": unit, "label": label, "description": description or label}


TIMESERIES = [
    _entry("n_infectious", "persons", "infectious residents"),
    _entry("n_hospitalised", "persons", "residents in hospital"),
    _entry("new_infections", "persons per day", "new infections"),
    _entry("new_confirmed", "persons per day", "new confirmed cases"),
    _entry("new_deaths", "persons per day", "deaths"),
    _entry("cum_infections", "persons", "infections so far"),
    _entry("person_trips_vs_baseline", "share of a normal day", "person trips"),
    _entry("vehicle_trips_vs_baseline", "share of a normal day", "vehicle trips"),
    _entry("household_days_without_necessities", "households", "households without necessities"),
    _entry("delivery_backlog", "orders", "delivery backlog"),
    _entry("staff_overload_share", "share of grid workers", "grid workers overloaded"),
    _entry("fiscal_cost_cny", "CNY per day", "fiscal cost of relief"),
    _entry("firms_open", "firms", "firms open"),
    _entry("firms_closed_order", "firms", "firms closed by order"),
    _entry("firms_closed_workers", "firms", "firms closed: no workers"),
    _entry("firms_closed_demand", "firms", "firms closed: no demand"),
    _entry("firms_failed", "firms", "firms failed"),
    *(_entry(f"staff_hours_{t}", "hours per day", f"staff hours on {t}") for t in STAFF_TASKS),
]
SUMMARY = [
    _entry("cum_infections", "persons", "infections"),
    _entry("cum_confirmed", "persons", "confirmed cases"),
    _entry("cum_deaths", "persons", "deaths"),
    _entry("attack_rate", "share of residents", "attack rate"),
    _entry("peak_hospitalised", "persons", "peak in hospital"),
    _entry("cum_quarantined_facility", "persons", "centralised quarantine"),
    _entry("person_trips", "trips", "person trips"),
    _entry(
        "person_trips_vs_baseline_min7d", "share of a normal day", "person trips, lowest 7-day mean"
    ),
    _entry(
        "household_days_without_necessities", "household-days", "household-days without necessities"
    ),
    _entry("peak_delivery_backlog", "orders", "peak delivery backlog"),
    _entry("farmer_unsold_value_cny", "CNY", "farmers' unsold produce"),
    _entry("firms_failed", "firms", "firms failed"),
    _entry("firms_never_reopened_share", "share of firms", "firms never reopened"),
    _entry("jobs_lost", "jobs", "jobs lost"),
    _entry("wage_loss_cny", "CNY", "wage loss"),
    _entry("fiscal_cost_cny", "CNY", "fiscal cost of relief"),
    *(_entry(f"staff_hours_by_task.{t}", "hours", f"staff hours on {t}") for t in STAFF_TASKS),
    *(
        _entry(f"fiscal_cost_by_instrument.{k}", "CNY", f"fiscal cost of {k.replace('_', ' ')}")
        for k in INSTRUMENTS
    ),
]
METRICS = {"format_version": 1, "timeseries": TIMESERIES, "summary": SUMMARY}


def write_metrics(run_dir: Path, metrics: dict | None = None) -> Path:
    """Write ``metrics.json`` (this fixture, or ``metrics``) into a run directory."""
    path = Path(run_dir) / METRICS_FILE
    path.write_text(json.dumps(METRICS if metrics is None else metrics), encoding="utf-8")
    return path


def catalog(section: str = "summary") -> dict[str, Metric]:
    """This fixture's definitions of one section, by name (as ``load_metrics`` gives them)."""
    return {e["name"]: Metric(**e) for e in METRICS[section]}


def label(name: str, section: str = "summary") -> str:
    """The fixture's label of a metric."""
    return catalog(section)[name].label

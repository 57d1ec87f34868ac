"""A ``metrics.json`` for the run directories the analysis tests build by hand.

The definitions are sim's own (``sim.runner`` writes the same into every run
directory), so the labels the tests expect are the ones users see.
"""

from __future__ import annotations

import json
from pathlib import Path

import sim
from analysis.load import METRICS_FILE, Metric
from sim.metrics import metrics_document
from sim.runner import summary_fields


def _declared() -> dict:
    """sim's own declarations of every column and summary field (a tiny model's)."""
    model = sim.DistrictModel(sim.compose(["population.residents=2000", "days=1"]))
    timeseries = [*model.metrics(), *model.epidemic.after_run_metrics()]
    return metrics_document(timeseries, summary_fields(model))


METRICS = _declared()


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

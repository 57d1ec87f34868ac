"""Run one simulation from a configuration and write its run directory (plain Python)."""

from __future__ import annotations

import dataclasses
import logging
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.config import Config, validate
from sim.metrics import Metric, metrics_document, table
from sim.model import DistrictModel
from sim.output import code_version, write_run
from sim.scenario import load_scenario

log = logging.getLogger(__name__)

PER_RESIDENT_ACTORS = ("outside", "hospital", "resident")
RUN_FIELDS = """
residents | persons | residents
    residents of the district
households | households | households
    households of the district
grids | grids | grids
    grids of the district (one grid worker each)
firms | firms | firms
    firms of the district
days | days | days
    days simulated
wall_seconds | seconds | wall time | real
    wall-clock time of the run
"""


@dataclass
class RunResult:
    """What one run produced: the summary, the daily timeseries, the events and the model."""

    summary: dict[str, Any]
    timeseries: pd.DataFrame
    events: pd.DataFrame
    model: DistrictModel


def summarise(model: DistrictModel, ts: pd.DataFrame, wall_seconds: float) -> dict[str, Any]:
    """Outcome figures and run metadata of a finished run, each component its own part."""
    cfg, pop, r = model.cfg, model.pop, model.response
    last = model.timeline.start_date + pd.Timedelta(days=cfg.days - 1)
    return {
        "scenario": model.timeline.name,
        "seed": cfg.seed,
        "residents": pop.n,
        "households": pop.n_households,
        "grids": pop.n_grids,
        "firms": pop.n_firms,
        "days": cfg.days,
        "start_date": model.timeline.start_date.isoformat(),
        "end_date": last.isoformat(),
        **model.epidemic.summary(ts),
        **r.cases.summary(ts),
        **r.duties.summary(ts),
        **r.summary(ts),
        **model.mobility.summary(ts),
        **model.supply.summary(ts),
        **model.economy.summary(ts),
        "knobs": dict(model.timeline.knobs),
        "code_version": code_version(),
        "wall_seconds": round(wall_seconds, 3),
    }


def summary_fields(model: DistrictModel) -> list[Metric]:
    """Every numeric summary field, declared by the component that writes it."""
    r = model.response
    return [
        *table(RUN_FIELDS),
        *model.epidemic.summary_fields(),
        *r.cases.summary_fields(),
        *r.duties.summary_fields(),
        *r.summary_fields(),
        *model.mobility.summary_fields(),
        *model.supply.summary_fields(),
        *model.economy.summary_fields(),
    ]


def wanted(mode: str) -> bool:
    """Whether to show a progress bar or write a report: ``always``, ``never``, ``auto``.

    ``auto`` means when the run is interactive: standard error is a terminal.
    """
    return mode == "always" or (mode == "auto" and sys.stderr.isatty())


def run(
    cfg: Config,
    out_dir: str | Path | None = None,
    progress: bool | None = None,
    overrides: Sequence[str] = (),
) -> RunResult:
    """Run one simulation and, if ``out_dir`` is given, write its run directory.

    Everything is validated before anything is written: bad input raises
    ``ConfigError`` and leaves no file behind.

    Args:
        cfg: The configuration (e.g. from ``sim.compose([...])``).
        out_dir: Run directory to write; None writes nothing.
        progress: Show a progress bar; None follows ``cfg.output.progress``.
        overrides: The command-line overrides that made ``cfg`` (kept in the summary).

    Returns:
        The run's summary, timeseries, events and model.
    """
    t0 = time.perf_counter()
    validate(cfg)
    scenario = load_scenario(cfg.scenario, dict(cfg.knobs), cfg.days)
    model = DistrictModel(cfg, scenario)
    model.run(progress=wanted(cfg.output.progress) if progress is None else progress)
    dates = pd.date_range(scenario.start_date, periods=cfg.days, freq="D")
    ts = model.recorder.frame(dates)
    model.epidemic.after_run(ts)
    events = model.events.frame()
    if not cfg.output.events:
        events = events[~events["actor"].isin(PER_RESIDENT_ACTORS)].reset_index(drop=True)
    summary = summarise(model, ts, time.perf_counter() - t0)
    summary["overrides"] = list(overrides)
    if out_dir is not None:
        write_run(
            Path(out_dir),
            dataclasses.asdict(cfg),
            scenario.to_dict(),
            ts,
            events,
            summary,
            metrics_document(
                [*model.recorder.metrics.values(), *model.epidemic.after_run_metrics()],
                summary_fields(model),
            ),
        )
    log.info(
        "%s seed %d: %d infections (attack rate %.3g%%), %d confirmed, %d deaths in %.1f s",
        scenario.name,
        cfg.seed,
        summary["cum_infections"],
        100 * summary["attack_rate"],
        summary["cum_confirmed"],
        summary["cum_deaths"],
        summary["wall_seconds"],
    )
    return RunResult(summary, ts, events, model)

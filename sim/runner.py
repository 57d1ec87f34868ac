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

import numpy as np
import pandas as pd

from sim.config import QUARANTINE_GROUPS, Config, validate
from sim.economy.enterprises import BANK_INSTRUMENTS, INSTRUMENTS, OPEN
from sim.epidemic.disease import State
from sim.epidemic.epidemiology import HOUSEHOLD_LAYER, Records, measures, reproduction_by_day
from sim.model import IMPORTED, DistrictModel
from sim.output import code_version, write_run
from sim.response.staff import TASKS
from sim.scenario import load_scenario

log = logging.getLogger(__name__)

PER_RESIDENT_ACTORS = ("outside", "hospital", "resident")


@dataclass
class RunResult:
    """What one run produced: the summary, the daily timeseries, the events and the model."""

    summary: dict[str, Any]
    timeseries: pd.DataFrame
    events: pd.DataFrame
    model: DistrictModel


def summarise(model: DistrictModel, ts: pd.DataFrame, wall_seconds: float) -> dict[str, Any]:
    """Outcome figures and run metadata of a finished run."""
    cfg = model.cfg
    n = model.pop.n
    hosp = ts["n_hospitalised"].to_numpy()
    infectious = ts["n_infectious"].to_numpy()
    cal = model.calibration
    last = model.timeline.start_date + pd.Timedelta(days=cfg.days - 1)
    return {
        "scenario": model.timeline.name,
        "seed": cfg.seed,
        "residents": n,
        "households": model.pop.n_households,
        "grids": model.pop.n_grids,
        "firms": model.pop.n_firms,
        "days": cfg.days,
        "start_date": model.timeline.start_date.isoformat(),
        "end_date": last.isoformat(),
        "cum_infections": int(ts["cum_infections"].iloc[-1]),
        "cum_confirmed": int(ts["cum_confirmed"].iloc[-1]),
        "cum_deaths": int(ts["cum_deaths"].iloc[-1]),
        "cum_imported": int(ts["new_imported"].sum()),
        "initial_infected": model.initial_infected,
        "peak_hospitalised": int(hosp.max()),
        "peak_hospitalised_day": int(np.argmax(hosp)),
        "peak_infectious": int(infectious.max()),
        "peak_infectious_day": int(np.argmax(infectious)),
        "attack_rate": float(ts["cum_infections"].iloc[-1]) / n,
        "r0": cal.r0,
        **epidemic_summary(model, ts),
        "calibration": {
            "beta_household": cal.beta_household,
            "beta": cal.beta,
            "household_sar": cal.household_sar,
            "r_by_layer": cal.r_by_layer,
            "r_random_index": cal.r_random_index,
            "calibrated": cal.calibrated,
        },
        **response_summary(model, ts),
        **mobility_summary(model, ts),
        **economy_summary(model, ts),
        "knobs": dict(model.timeline.knobs),
        "code_version": code_version(),
        "wall_seconds": round(wall_seconds, 3),
    }


def epidemic_summary(model: DistrictModel, ts: pd.DataFrame) -> dict[str, Any]:
    """The run's own epidemiology: intervals, shares, doubling, SAR and case structure.

    See ``sim.epidemic.epidemiology.measures``; the case structure splits confirmed cases by
    where they were infected and by whether tracing found them before confirmation.
    """
    e = model.epi
    rec = Records(
        epi=e,
        household=model.pop.household,
        household_start=model.pop.household_start,
        days=model.cfg.days,
        new_infections=ts["new_infections"].to_numpy(),
    )
    confirmed = np.flatnonzero(e.confirmed_day >= 0)
    imported = e.infector[confirmed] == IMPORTED
    local = confirmed[~imported]
    with_onset = confirmed[e.onset_day[confirmed] >= 0]
    delay = (e.confirmed_day[with_onset] - e.onset_day[with_onset]).astype(np.float64)
    t = model.traced_day[with_onset]
    traced = (t >= 0) & (t <= e.confirmed_day[with_onset])
    mean = lambda x: round(float(x.mean()), 3) if x.size else None  # noqa: E731
    return {
        **measures(rec),
        "confirmed_imported": int(np.count_nonzero(imported)),
        "confirmed_local": int(local.size),
        "confirmed_local_household_share": mean(e.layer[local] == HOUSEHOLD_LAYER),
        "onset_to_confirmation_mean_days": {
            "traced": mean(delay[traced]),
            "not_traced": mean(delay[~traced]),
        },
    }


def traced_infected_share(model: DistrictModel) -> dict[str, float | None]:
    """Share of each group of traced contacts infected by 14 days after being found."""
    e = model.epi
    out: dict[str, float | None] = {}
    for code, name in enumerate(QUARANTINE_GROUPS):
        sel = np.flatnonzero(model.traced_group == code)
        day = e.infected_day[sel]
        hit = (day >= 0) & (day <= model.traced_day[sel] + 14) & (e.state[sel] != State.S)
        out[name] = round(float(hit.mean()), 4) if sel.size else None
    return out


def response_summary(model: DistrictModel, ts: pd.DataFrame) -> dict[str, Any]:
    """Outcome figures of the response apparatus (staff, screening, tracing, quarantine)."""
    r = model.response
    campaigns = list(r.campaigns.values())
    first = campaigns[0] if campaigns else None
    days_99 = (
        first.day_99pct - first.start_day + 1
        if first is not None and first.day_99pct is not None
        else None
    )
    peak = int(ts["n_quarantined_facility"].argmax())  # the facility's fullest day
    return {
        "cum_screened": int(ts["cum_screened"].iloc[-1]),
        "screening_visits": int(ts["cum_screening_visits"].iloc[-1]),
        "screening_days_to_99pct": days_99,
        "screening_person_days": r.screening_days_workers,
        "screening_person_days_cadres": r.screening_days_cadres,
        "key_persons_found": r.key_persons_found,
        "cum_traced": int(ts["cum_traced"].iloc[-1]),
        "cum_quarantined_home": int(ts["cum_quarantined_home"].iloc[-1]),
        "cum_quarantined_facility": int(ts["cum_quarantined_facility"].iloc[-1]),
        "peak_facility_occupancy": int(ts["n_quarantined_facility"].max()),
        "peak_facility_by_group": {
            g: int(ts[f"n_quarantined_facility_{g}"].iloc[peak]) for g in QUARANTINE_GROUPS
        },
        "traced_by_group": dict(
            zip(QUARANTINE_GROUPS, (int(x) for x in r.tracing.traced_by_group), strict=True)
        ),
        "traced_infected_share_by_group": traced_infected_share(model),
        "household_infections_in_home_quarantine": int(
            ts["new_infections_household_quarantined"].sum()
        ),
        "quarantine_restarts": int(ts["cum_quarantine_restarts"].iloc[-1]),
        "pcr_tests": r.pcr.tests,
        "pcr_positive": r.pcr.positives,
        "pcr_cost_cny": round(r.pcr.cost_cny, 1),
        "messages_pushed": round(r.messages),
        "checkpoint_shifts": round(float(ts["new_checkpoint_shifts"].sum())),
        "checkpoint_shifts_grid_workers": round(r.shifts_workers),
        "reports_filed": round(r.reports),
        "problems_fixed": r.problems_found,
        "staff_hours_by_task": {t: round(float(ts[f"staff_hours_{t}"].sum()), 1) for t in TASKS},
        "staff_overload_share": (
            round(float(np.mean(r.overload_days)), 4) if r.overload_days else 0.0
        ),
        "peak_staff_overload_share": round(float(ts["staff_overload_share"].max()), 4),
        "mean_awareness_final": round(float(ts["mean_awareness"].iloc[-1]), 4),
        "grid_workers": r.staff.n_workers,
        "cadres": r.staff.n_cadres,
    }


def lowest_weekly_mean(share: np.ndarray) -> float:
    """Lowest 7-day mean of a daily series (the mean of all days if fewer than 7)."""
    k = min(7, share.size)
    if k == 0:
        return float("nan")
    c = np.concatenate([[0.0], np.cumsum(share)])
    return float(((c[k:] - c[:-k]) / k).min())


def mobility_summary(model: DistrictModel, ts: pd.DataFrame) -> dict[str, Any]:
    """Outcome figures of trips and the supply of necessities."""
    mob = model.mobility

    def total(name: str) -> float:
        return float(ts[name].sum())

    return {
        "person_trips_baseline": round(mob.base_persons, 1),
        "vehicle_trips_baseline": round(mob.base_vehicle, 1),
        "person_trips_vs_baseline_min7d": round(
            lowest_weekly_mean(ts["person_trips_vs_baseline"].to_numpy()), 4
        ),
        "vehicle_trips_vs_baseline_min7d": round(
            lowest_weekly_mean(ts["vehicle_trips_vs_baseline"].to_numpy()), 4
        ),
        "person_trips": int(total("person_trips")),
        "vehicle_trips": round(total("vehicle_trips"), 1),
        "rule_breaking_trips": int(total("rule_breaking_trips")),
        "blocked_trips": int(total("blocked_trips")),
        "market_visits": int(total("market_visits")),
        "online_orders": int(total("online_orders")),
        "deliveries": int(total("deliveries")),
        "peak_delivery_backlog": int(ts["delivery_backlog"].max()),
        "errands": int(total("errands")),
        "sealed_household_days_without_necessities": int(
            total("sealed_households_without_necessities")
        ),
        "peak_sealed_days_without_necessities": int(
            ts["sealed_max_days_without_necessities"].max()
        ),
        "household_days_without_necessities": int(total("household_days_without_necessities")),
        "peak_households_without_necessities": int(ts["household_days_without_necessities"].max()),
        "farmer_sold_value_cny": round(total("farmer_sold_value_cny"), 1),
        "farmer_unsold_value_cny": round(total("farmer_unsold_value_cny"), 1),
    }


def economy_summary(model: DistrictModel, ts: pd.DataFrame) -> dict[str, Any]:
    """Outcome figures of the firms, their workers and the relief."""
    f = model.firms
    n = max(f.n, 1)
    sizes = model.pop.size_classes
    never = f.ever_closed & (f.status != OPEN)

    def by_size(mask: np.ndarray) -> dict[str, float]:
        return {
            name: round(float(mask[f.size == k].mean()), 4) if np.any(f.size == k) else 0.0
            for k, name in enumerate(sizes)
        }

    fiscal = {k: round(float(ts[f"relief_{k}_cny"].sum()), 1) for k in INSTRUMENTS}
    bank = sum(fiscal.pop(k) for k in BANK_INSTRUMENTS)
    return {
        "firms_total": f.n,
        "firms_open_end": int(np.count_nonzero(f.status == OPEN)),
        "firms_closed_peak_share": round(float(1.0 - ts["firms_open"].min() / n), 4),
        "firms_closed_by_month": {m: round(float(v.mean()), 4) for m, v in f.closed_in.items()},
        "firms_closed_by_month_by_size": {m: by_size(v) for m, v in f.closed_in.items()},
        "firms_failed": int(ts["firms_failed"].iloc[-1]),
        "firms_never_reopened_share": round(float(never.mean()), 4),
        "firms_never_reopened_share_by_size": by_size(never),
        "jobs_lost": int(ts["jobs_lost"].iloc[-1]),
        "revenue_cny": round(float(ts["revenue_cny"].sum()), 1),
        "wage_loss_cny": round(float(ts["wage_loss_cny"].sum()), 1),
        "fiscal_cost_cny": round(float(ts["fiscal_cost_cny"].sum()), 1),
        "fiscal_cost_by_instrument": fiscal,
        "bank_credit_extended_cny": bank,
        "bank_loss_cny": round(float(ts["bank_loss_cny"].sum()), 1),
        "cash_identity_max_error_cny": float(ts["cash_identity_error_cny"].max()),
    }


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
    ts["rt"], ts["rt_complete"] = reproduction_by_day(
        model.epi, cfg.days, model.history.generation_tail()
    )
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

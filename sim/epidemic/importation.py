"""Infections brought in by returnees: who is infected, and when they were infected."""

from __future__ import annotations

import datetime as dt

import numpy as np

from sim.config import ImportationConfig
from sim.rng import Streams


class Importation:
    """The infected returnees of one run and the day each was infected (one per run).

    A returnee arriving on day ``a`` is infected with probability ``prevalence * 2 **
    ((a - reference) / doubling_days)`` (at most 1), and was infected ``k`` days before
    arriving, ``k`` in ``0 .. max_days_before_arrival`` with weights ``2 ** (-k /
    doubling_days)``. Both draws are keyed by the resident, so the same returnees bring
    the same infections in every scenario run with this seed (common random numbers).
    Returnees who arrived before the run started arrive on day 0.

    Args:
        cfg: The importation parameters.
        returnees: The returnees (resident indices).
        arrival_day: Day each returnee arrives (day index; negative before the run).
        start_date: Calendar date of day 0.
        streams: The run's random streams.
    """

    def __init__(
        self,
        cfg: ImportationConfig,
        returnees: np.ndarray,
        arrival_day: np.ndarray,
        start_date: dt.date,
        streams: Streams,
    ) -> None:
        ref = (dt.date.fromisoformat(str(cfg.reference_date)) - start_date).days
        growth = np.exp2((arrival_day - ref) / cfg.doubling_days)
        p = np.minimum(1.0, cfg.prevalence * growth)
        infected = streams.uniform("importation.infected", returnees) < p
        lags = np.arange(cfg.max_days_before_arrival + 1)
        cdf = np.cumsum(np.exp2(-lags / cfg.doubling_days))
        u = streams.uniform("importation.days_before_arrival", returnees[infected])
        lag = lags[np.minimum(np.searchsorted(cdf, u * cdf[-1], side="right"), lags.size - 1)]
        arrival = arrival_day[infected]
        order = np.argsort(arrival, kind="stable")
        self.residents = returnees[infected][order]
        self.infected_day = (arrival - lag)[order].astype(np.int64)
        self.arrival = np.maximum(arrival[order], 0).astype(np.int64)
        self.expected = float(p.sum())  # expected infected returnees

    def arriving(self, day: int) -> tuple[np.ndarray, np.ndarray]:
        """Infected returnees arriving on ``day`` and the day each was infected."""
        a, b = np.searchsorted(self.arrival, [day, day + 1])
        return self.residents[a:b], self.infected_day[a:b]

"""Epidemiological measures of a run from its own infection records (who infected whom)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.epidemic.disease import EpiState, Severity

HOUSEHOLD_LAYER = 0  # layer code of the household in ``EpiState.layer``
EARLY_ATTACK = 0.01  # the early phase ends when this share of residents has been infected
FOLLOW_UP_DAYS = 30  # days after an infector's infection by which its secondary cases and
# their symptom onsets are all on record (generation-interval and incubation tails)
DOUBLING_MIN_DAILY = 10  # the doubling-time fit starts on the first day with this many infections
DOUBLING_MIN_DAYS = 7  # and needs at least this many days before the early phase ends


@dataclass
class Records:
    """The infection records of one run, as arrays over residents.

    Attributes:
        epi: The residents' epidemic state at the end of the run.
        household: Household of each resident.
        household_start: First resident of each household (n_households + 1).
        days: Days simulated.
        new_infections: Infections on each day (all layers and from outside).
    """

    epi: EpiState
    household: np.ndarray
    household_start: np.ndarray
    days: int
    new_infections: np.ndarray


def reproduction_by_day(epi: EpiState, days: int, tail: int) -> tuple[np.ndarray, np.ndarray]:
    """Rt by day of infection: mean secondary infections of the residents infected that day.

    Counted from the infector records (``EpiState.n_secondary``), so it is the case
    reproduction number of each day's cohort. A cohort's count is complete only once its
    members' infectious periods are over: the last ``tail`` days are marked incomplete.

    Args:
        epi: Epidemic state at the end of the run.
        days: Days simulated.
        tail: Days after infection by which nearly all transmission is over.

    Returns:
        (rt, complete): Rt of each day (NaN on a day with no infection) and whether the
        day's cohort is complete.
    """
    d = epi.infected_day.astype(np.int64)
    inside = (d >= 0) & (d < days)
    n = np.bincount(d[inside], minlength=days).astype(np.float64)
    sec = np.bincount(d[inside], weights=epi.n_secondary[inside], minlength=days)
    with np.errstate(invalid="ignore", divide="ignore"):
        rt = np.where(n > 0, sec / np.maximum(n, 1.0), np.nan)
    complete = np.arange(days) <= days - 1 - tail
    return rt, complete


def early_end(new_infections: np.ndarray, residents: int) -> int:
    """Last day of the early phase: the day cumulative infections pass ``EARLY_ATTACK``."""
    cum = np.cumsum(new_infections)
    past = np.flatnonzero(cum > EARLY_ATTACK * residents)
    return int(past[0]) if past.size else int(new_infections.size - 1)


def doubling_time(new_infections: np.ndarray, residents: int) -> float | None:
    """Doubling time of daily infections in the early phase (days; None if no growth).

    A least-squares line through ``log(new_infections)`` from the first day with
    ``DOUBLING_MIN_DAILY`` infections to the end of the early phase (days with none
    left out); None with fewer than ``DOUBLING_MIN_DAYS`` days or no growth.
    """
    x = np.asarray(new_infections, dtype=np.float64)
    start = np.flatnonzero(x >= DOUBLING_MIN_DAILY)
    if start.size == 0:
        return None
    stop = early_end(x, residents)
    t = np.arange(start[0], stop + 1)
    t = t[x[t] > 0]
    if t.size < DOUBLING_MIN_DAYS:
        return None
    slope = float(np.polyfit(t, np.log(x[t]), 1)[0])
    return float(np.log(2.0) / slope) if slope > 0 else None


def _mean(x: np.ndarray) -> float | None:
    return round(float(x.mean()), 4) if x.size else None


def measures(rec: Records) -> dict[str, Any]:
    """The run's generation and serial intervals, presymptomatic share, doubling, SAR.

    Infector-infectee pairs are those whose infector was infected in the early phase
    (before ``EARLY_ATTACK`` of the residents were infected, so depletion does not
    shorten the intervals) and at least ``FOLLOW_UP_DAYS`` before the end of the run.

    - generation interval: days from the infector's infection to the infectee's;
    - serial interval: days from the infector's symptom onset to the infectee's, both
      symptomatic;
    - presymptomatic share: of the infections by infectors who develop symptoms, the
      share on or before the infector's onset day (the model's day: symptoms start at
      its end);
    - household SAR, symptomatic index: over households of two or more whose first
      infection (a single resident, the primary case) was symptomatic, the share of the
      other members the primary case infected at home (primary cases infected before the
      run began are left out: their households' record is incomplete);
    - early doubling time: ``doubling_time``;
    - clusters: ``clusters``.

    Args:
        rec: The run's infection records.

    Returns:
        The measures by summary name (None where the run has too few cases).
    """
    e = rec.epi
    n = e.state.size
    cutoff = min(early_end(rec.new_infections, n), rec.days - 1 - FOLLOW_UP_DAYS)
    infectee = np.flatnonzero(e.infector >= 0)
    infector = e.infector[infectee].astype(np.int64)
    early = (e.infected_day[infector] <= cutoff) & (e.infected_day[infector] >= -FOLLOW_UP_DAYS)
    infectee, infector = infectee[early], infector[early]
    gi = (e.infected_day[infectee] - e.infected_day[infector]).astype(np.float64)
    both = (e.onset_day[infectee] >= 0) & (e.onset_day[infector] >= 0)
    si = (e.onset_day[infectee[both]] - e.onset_day[infector[both]]).astype(np.float64)
    sym = e.severity[infector] >= Severity.MILD
    before = e.infected_day[infectee[sym]] <= e.onset_day[infector[sym]]
    pre = before & (e.onset_day[infector[sym]] >= 0)
    return {
        "generation_interval_mean_days": _mean(gi),
        "serial_interval_mean_days": _mean(si),
        "presymptomatic_transmission_share": _mean(pre.astype(np.float64)),
        "transmission_pairs": int(gi.size),
        "early_doubling_time_days": (
            None if (dt := doubling_time(rec.new_infections, n)) is None else round(dt, 3)
        ),
        **household_sar(rec),
        **clusters(rec.epi),
    }


def household_sar(rec: Records) -> dict[str, Any]:
    """Household secondary attack rate of symptomatic primary cases (see ``measures``)."""
    e = rec.epi
    start = rec.household_start
    size = np.diff(start)
    inf = np.flatnonzero(e.state != 0)  # ever infected
    hh = rec.household[inf]
    day = e.infected_day[inf].astype(np.int64)
    # the earliest infection of each household, and how many share that day
    first = np.full(size.size, np.iinfo(np.int64).max)
    np.minimum.at(first, hh, day)
    at_first = day == first[hh]
    n_first = np.bincount(hh[at_first], minlength=size.size)
    primary = inf[at_first & (n_first[hh] == 1)]
    # a primary case infected before the run began may have infected its household
    # before the run too, off the record: such households are left out
    ok = (
        (size[rec.household[primary]] >= 2)
        & (e.severity[primary] >= Severity.MILD)
        & (e.infected_day[primary] >= 0)
        & (e.infected_day[primary] <= rec.days - 1 - FOLLOW_UP_DAYS)
    )
    primary = primary[ok]
    contacts = int((size[rec.household[primary]] - 1).sum())
    is_primary = np.zeros(e.state.size, dtype=bool)
    is_primary[primary] = True
    by = e.infector.astype(np.int64)
    infected = np.flatnonzero((by >= 0) & (e.layer == HOUSEHOLD_LAYER))
    secondary = int(np.count_nonzero(is_primary[by[infected]]))
    return {
        "household_sar_symptomatic_index": (round(secondary / contacts, 4) if contacts else None),
        "household_sar_contacts": contacts,
    }


def clusters(epi: EpiState) -> dict[str, Any]:
    """Clusters of confirmed cases, counted as case investigations count them.

    A cluster is a chain of confirmed cases linked by infection (an index case and
    every confirmed case descended from it through confirmed cases; two or more cases:
    Ai et al., Epidemiol Infect 2021, count generations within a cluster). It is a
    household cluster when at least half of its infections were at home (Ai et al.
    class clusters by setting and do not state their rule for a mixed one: the
    majority is taken here).

    Args:
        epi: The residents' epidemic state at the end of the run.

    Returns:
        ``clusters``: number of clusters; ``cluster_cases``: cases in them;
        ``household_cluster_share``: share of them
        that are household clusters; ``household_cluster_case_share``: share of their
        cases (index cases included) in household clusters (None without clusters).
    """
    case = np.flatnonzero(epi.confirmed_day >= 0)
    by = epi.infector[case].astype(np.int64)
    pos = np.full(epi.state.size, -1, dtype=np.int64)
    pos[case] = np.arange(case.size)
    linked = by >= 0
    linked[linked] = pos[by[linked]] >= 0  # infected by a confirmed case
    root = np.arange(case.size)
    root[linked] = pos[by[linked]]
    while not np.array_equal(nxt := root[root], root):  # pointer jumping to the index
        root = nxt
    _, comp = np.unique(root, return_inverse=True)
    size = np.bincount(comp)
    home = np.bincount(
        comp[linked], weights=epi.layer[case[linked]] == HOUSEHOLD_LAYER, minlength=size.size
    )
    multi = size >= 2
    household = (2 * home >= size - 1)[multi]
    size = size[multi]
    return {
        "clusters": int(size.size),
        "cluster_cases": int(size.sum()),
        "household_cluster_share": _mean(household.astype(np.float64)),
        "household_cluster_case_share": (
            round(float(size[household].sum() / size.sum()), 4) if size.size else None
        ),
    }

"""Synthesis of the district's residents, households, settlements, grids and firms."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from sim.config import ArrivalWindow, PopulationConfig
from sim.rng import Streams

log = logging.getLogger(__name__)

AGE_BAND_EDGES = np.array([0, 10, 20, 30, 40, 50, 60, 70, 80, 96])  # years; 80+ runs to 95


@dataclass
class Population:
    """The synthetic district: one row per resident, household, grid and firm.

    Residents are ordered by market, settlement, grid and household, so each of these
    is a contiguous range of resident indices (``*_start`` arrays, length n+1).

    Attributes:
        age: Age of each resident (years, int8).
        household: Household index of each resident (int32).
        settlement: Community or village index of each resident (int32); communities
            come first (``0 .. n_communities-1``), then villages.
        grid: Grid index of each resident (int32).
        market: Market index of each resident (int32).
        urban: Whether the resident lives in an urban community (bool).
        employer: Firm index of each employed resident, -1 if not employed (int32).
        farmer: Whether the resident farms (bool).
        household_start: First resident of each household (int64, n_households+1).
        household_vehicle: Whether the household has a motor vehicle (bool).
        grid_start: First resident of each grid (int64, n_grids+1).
        grid_settlement: Settlement of each grid (int32).
        market_start: First resident of each market (int64, n_markets+1).
        settlement_urban: Whether each settlement is an urban community (bool).
        firm_size_class: Size class index of each firm (int8).
        firm_sector: Sector index of each firm (int8).
        firm_employees: Employees of each firm (int32).
        returnees: Residents back from hard-hit areas, sorted (int64).
        returnee_arrival: When each returnee arrived, as a fraction of the arrival
            window (0 = its first day, 1 = its last; float64).
        size_classes: Names of the size classes.
        sectors: Names of the sectors.
    """

    age: np.ndarray
    household: np.ndarray
    settlement: np.ndarray
    grid: np.ndarray
    market: np.ndarray
    urban: np.ndarray
    employer: np.ndarray
    farmer: np.ndarray
    household_start: np.ndarray
    household_vehicle: np.ndarray
    grid_start: np.ndarray
    grid_settlement: np.ndarray
    market_start: np.ndarray
    settlement_urban: np.ndarray
    firm_size_class: np.ndarray
    firm_sector: np.ndarray
    firm_employees: np.ndarray
    returnees: np.ndarray
    returnee_arrival: np.ndarray
    size_classes: list[str]
    sectors: list[str]

    @property
    def n(self) -> int:
        """Number of residents."""
        return int(self.age.size)

    @property
    def n_households(self) -> int:
        """Number of households."""
        return int(self.household_start.size - 1)

    @property
    def household_size(self) -> np.ndarray:
        """Members of each household (int64)."""
        return np.diff(self.household_start)

    @property
    def n_grids(self) -> int:
        """Number of grids."""
        return int(self.grid_start.size - 1)

    @property
    def n_firms(self) -> int:
        """Number of firms."""
        return int(self.firm_sector.size)

    @property
    def n_markets(self) -> int:
        """Number of markets."""
        return int(self.market_start.size - 1)


def expand_ranges(first: np.ndarray, size: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every index of the ranges ``first[k] .. first[k] + size[k] - 1``, concatenated.

    Args:
        first: First index of each range.
        size: Length of each range.

    Returns:
        (the indices, the range each index came from).
    """
    rep = np.repeat(np.arange(first.size), size)
    idx = np.asarray(first)[rep] + np.arange(rep.size) - np.repeat(np.cumsum(size) - size, size)
    return idx, rep


def scaled_count(full_scale: int, scale: float, minimum: int = 1) -> int:
    """A count given at reference scale, scaled to the run's population (at least ``minimum``)."""
    return max(minimum, round(full_scale * scale))


def tilted_household_shares(shares: list[float], mean: float) -> np.ndarray:
    """Tilt a household-size distribution exponentially so that its mean is ``mean``.

    Args:
        shares: Shares of sizes 1, 2, ..., len(shares) (the shape).
        mean: Target mean household size (persons).

    Returns:
        Probabilities of sizes 1..len(shares) with the target mean.
    """
    q = np.asarray(shares, dtype=float)
    q = q / q.sum()
    sizes = np.arange(1, q.size + 1)

    def tilted(theta: float) -> np.ndarray:
        w = q * np.exp(theta * (sizes - sizes.mean()))
        return w / w.sum()

    theta = brentq(lambda t: float(tilted(t) @ sizes) - mean, -20.0, 20.0)
    return tilted(theta)


def _household_sizes(n: int, probs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Draw household sizes until they hold exactly ``n`` residents."""
    mean = float(probs @ np.arange(1, probs.size + 1))
    draw = rng.choice(np.arange(1, probs.size + 1), size=int(n / mean * 1.05) + 16, p=probs)
    cum = np.cumsum(draw)
    while cum[-1] < n:  # vanishingly rare; bounded by the law of large numbers
        more = rng.choice(np.arange(1, probs.size + 1), size=draw.size, p=probs)
        draw = np.concatenate([draw, more])
        cum = np.cumsum(draw)
    k = int(np.searchsorted(cum, n))  # household k holds the n-th resident
    sizes = draw[: k + 1].copy()
    sizes[-1] -= int(cum[k] - n)
    return sizes.astype(np.int64)


def _largest_remainder(total: int, weights: np.ndarray, minimum: int) -> np.ndarray:
    """Split ``total`` into integers proportional to ``weights``, each at least ``minimum``."""
    k = weights.size
    base = np.full(k, minimum, dtype=np.int64)
    rest = total - base.sum()
    if rest <= 0:
        return base
    exact = weights / weights.sum() * rest
    share = np.floor(exact).astype(np.int64)
    short = rest - share.sum()
    order = np.argsort(-(exact - share), kind="stable")
    share[order[:short]] += 1
    return base + share


def _draw_ages(
    hh_sizes: np.ndarray, band_shares: np.ndarray, head_min_age: int, rng: np.random.Generator
) -> np.ndarray:
    """Ages (years) with one adult head per household and the target marginal by band."""
    n = int(hh_sizes.sum())
    n_hh = hh_sizes.size
    band_lo = AGE_BAND_EDGES[:-1]
    head_ok = band_lo >= head_min_age - 9
    head_p = band_shares * head_ok
    head_p = head_p / head_p.sum()
    head_band = rng.choice(band_shares.size, size=n_hh, p=head_p)
    target = band_shares * n
    residual = np.clip(target - np.bincount(head_band, minlength=band_shares.size), 0, None)
    other_p = residual / residual.sum() if residual.sum() > 0 else band_shares
    other_band = rng.choice(band_shares.size, size=n - n_hh, p=other_p)
    band = np.empty(n, dtype=np.int64)
    first = np.concatenate([[0], np.cumsum(hh_sizes)[:-1]])
    is_head = np.zeros(n, dtype=bool)
    is_head[first] = True
    band[is_head] = head_band
    band[~is_head] = other_band
    lo = AGE_BAND_EDGES[band]
    hi = AGE_BAND_EDGES[band + 1]
    age = lo + np.floor(rng.random(n) * (hi - lo)).astype(np.int64)
    # heads must be old enough even inside the lowest allowed band
    age[is_head] = np.maximum(age[is_head], head_min_age)
    return age.astype(np.int8)


def synthesise(cfg: PopulationConfig, streams: Streams) -> Population:
    """Build the synthetic district described by ``cfg``.

    Args:
        cfg: Population configuration (counts at ``reference_residents``).
        streams: The run's random streams; this draws from ``population.*``.

    Returns:
        The population, ordered by market, settlement, grid and household.
    """
    n = int(cfg.residents)
    scale = n / cfg.reference_residents
    rng_hh = streams.get("population.households")
    rng_set = streams.get("population.settlements")
    rng_age = streams.get("population.ages")
    rng_work = streams.get("population.work")

    # Households and the urban/rural split (households in random order).
    hh_sizes, hh_urban = _households(cfg, n, rng_hh)
    n_hh = hh_sizes.size
    # Settlements: communities (urban) then villages (rural), lognormal sizes.
    n_comm, n_vill, hh_settlement = _settlements(cfg, scale, hh_urban, rng_set)
    settlement_urban = np.arange(n_comm + n_vill) < n_comm
    # Markets: each settlement shops at one market (urban and rural markets apart).
    set_market = _markets(cfg, scale, n_comm, n_vill, rng_set)
    n_mkt = int(set_market.max()) + 1

    # Order households by (market, settlement) so both are contiguous ranges.
    order = np.lexsort((hh_settlement, set_market[hh_settlement]))
    hh_sizes, hh_settlement, hh_urban = hh_sizes[order], hh_settlement[order], hh_urban[order]
    hh_market = set_market[hh_settlement]
    hh_start = np.concatenate([[0], np.cumsum(hh_sizes)]).astype(np.int64)
    # Grids: split each settlement's households into contiguous grids by residents.
    hh_grid, grid_settlement = _grids(cfg, scale, hh_sizes, hh_start, hh_settlement, set_market)

    # Residents.
    household = np.repeat(np.arange(n_hh, dtype=np.int32), hh_sizes)
    grid = hh_grid[household].astype(np.int32)
    market = hh_market[household].astype(np.int32)
    urban = hh_urban[household]
    grid_start = np.searchsorted(grid, np.arange(grid_settlement.size + 1)).astype(np.int64)
    market_start = np.searchsorted(market, np.arange(n_mkt + 1)).astype(np.int64)
    age = _draw_ages(
        hh_sizes, np.asarray(cfg.age_band_shares, dtype=float), cfg.household_head_min_age, rng_age
    )
    vehicle_p = np.where(hh_urban, cfg.vehicle_share_urban, cfg.vehicle_share_rural)
    household_vehicle = rng_hh.random(n_hh) < vehicle_p
    # Returnees back from hard-hit areas (no work here), then farmers and firm employees.
    returnees, returnee_arrival = _returnees(cfg, scale, age, streams.get("population.returnees"))
    farmer, employed = _work(cfg, age, urban, returnees, rng_work)
    firm_size_class, firm_sector, employer = _firms(cfg, scale, employed, rng_work)
    firm_employees = np.bincount(employer[employer >= 0], minlength=firm_sector.size)

    pop = Population(
        age=age,
        household=household,
        settlement=hh_settlement[household].astype(np.int32),
        grid=grid,
        market=market,
        urban=urban,
        employer=employer,
        farmer=farmer,
        household_start=hh_start,
        household_vehicle=household_vehicle,
        grid_start=grid_start,
        grid_settlement=grid_settlement.astype(np.int32),
        market_start=market_start,
        settlement_urban=settlement_urban,
        firm_size_class=firm_size_class,
        firm_sector=firm_sector,
        firm_employees=firm_employees.astype(np.int32),
        returnees=returnees.astype(np.int64),
        returnee_arrival=returnee_arrival,
        size_classes=list(cfg.firms.size_classes),
        sectors=list(cfg.firms.sectors),
    )
    _log_population(pop, n_comm, n_vill)
    return pop


def _households(
    cfg: PopulationConfig, n: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Draw the households' sizes and which of them are urban.

    The first households (in their random order) are urban until they hold
    ``urban_share`` of the residents.

    Args:
        cfg: Population configuration.
        n: Residents (persons).
        rng: The ``population.households`` stream.

    Returns:
        (members of each household (persons, int64), whether it is urban (bool)).
    """
    probs = tilted_household_shares(cfg.household_size_shares, cfg.household_mean_size)
    hh_sizes = _household_sizes(n, probs, rng)
    n_hh = hh_sizes.size
    cum = np.cumsum(hh_sizes)
    n_urban_target = round(n * cfg.urban_share)
    hh_urban = (cum - hh_sizes) < n_urban_target if n_urban_target > 0 else np.zeros(n_hh, bool)
    return hh_sizes, hh_urban


def _settlements(
    cfg: PopulationConfig, scale: float, hh_urban: np.ndarray, rng: np.random.Generator
) -> tuple[int, int, np.ndarray]:
    """Draw the settlements and place each household in one of its kind.

    Communities (urban) come first, then villages (rural); settlement sizes are
    lognormal weights, and every settlement gets at least one household when there
    are enough of them.

    Args:
        cfg: Population configuration (counts at ``reference_residents``).
        scale: Residents of the run per reference resident.
        hh_urban: Whether each household is urban (bool).
        rng: The ``population.settlements`` stream.

    Returns:
        (number of communities, number of villages, settlement of each household).
    """
    n_hh = hh_urban.size
    n_comm = scaled_count(cfg.communities, scale) if hh_urban.any() else 0
    n_vill = scaled_count(cfg.villages, scale) if (~hh_urban).any() else 0
    n_set = n_comm + n_vill
    weight = rng.lognormal(0.0, cfg.settlement_size_sigma, size=n_set)
    hh_settlement = np.empty(n_hh, dtype=np.int64)
    for is_urban, lo, hi in ((True, 0, n_comm), (False, n_comm, n_set)):
        sel = np.flatnonzero(hh_urban == is_urban)
        if sel.size == 0:
            continue
        k = hi - lo
        # every settlement gets at least one household when there are enough of them
        first = np.arange(min(k, sel.size))
        w = weight[lo:hi] / weight[lo:hi].sum()
        rest = rng.choice(k, size=sel.size - first.size, p=w)
        hh_settlement[sel] = lo + rng.permutation(np.concatenate([first, rest]))
    return n_comm, n_vill, hh_settlement


def _markets(
    cfg: PopulationConfig, scale: float, n_comm: int, n_vill: int, rng: np.random.Generator
) -> np.ndarray:
    """Give each settlement the market it shops at (urban and rural markets apart).

    Args:
        cfg: Population configuration (counts at ``reference_residents``).
        scale: Residents of the run per reference resident.
        n_comm: Number of communities (settlements ``0 .. n_comm-1``).
        n_vill: Number of villages (the settlements after the communities).
        rng: The ``population.settlements`` stream.

    Returns:
        The market of each settlement (int64; markets ``0 .. max``, urban first).
    """
    n_set = n_comm + n_vill
    n_mkt = max(scaled_count(cfg.markets, scale), 1)
    n_mkt_urban = min(max(1, round(n_mkt * cfg.urban_share)), n_mkt) if n_comm else 0
    if n_vill and n_mkt_urban == n_mkt:
        n_mkt_urban = n_mkt - 1 if n_mkt > 1 else 0
    set_market = np.empty(n_set, dtype=np.int64)
    if n_comm:
        m = max(n_mkt_urban, 1)
        set_market[:n_comm] = rng.permutation(np.arange(n_comm) % m)
    if n_vill:
        m0 = n_mkt_urban if n_comm else 0
        m = max(n_mkt - m0, 1)
        set_market[n_comm:] = m0 + rng.permutation(np.arange(n_vill) % m)
    return set_market


def _grids(
    cfg: PopulationConfig,
    scale: float,
    hh_sizes: np.ndarray,
    hh_start: np.ndarray,
    hh_settlement: np.ndarray,
    set_market: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Split each settlement's households into contiguous grids by residents.

    Grids are shared out among the occupied settlements by population (at least one
    each); settlements are laid out by market, then settlement index, and so are
    their grids.

    Args:
        cfg: Population configuration (counts at ``reference_residents``).
        scale: Residents of the run per reference resident.
        hh_sizes: Members of each household (persons), households ordered by
            market and settlement.
        hh_start: First resident of each household (n_households+1).
        hh_settlement: Settlement of each household.
        set_market: Market of each settlement (one entry per settlement).

    Returns:
        (grid of each household, settlement of each grid) (int64).
    """
    n_set = set_market.size
    set_pop = np.bincount(hh_settlement, weights=hh_sizes, minlength=n_set)
    n_grids_target = scaled_count(cfg.grids, scale)
    occupied = set_pop > 0
    grids_per_set = np.zeros(n_set, dtype=np.int64)
    grids_per_set[occupied] = _largest_remainder(
        max(n_grids_target, int(occupied.sum())), set_pop[occupied], 1
    )
    # settlements in layout order (by market, then settlement index)
    layout = np.lexsort((np.arange(n_set), set_market))
    grid_offset = np.zeros(n_set, dtype=np.int64)
    grid_offset[layout] = np.concatenate([[0], np.cumsum(grids_per_set[layout])[:-1]])
    set_first_res = np.zeros(n_set, dtype=np.int64)
    set_first_res[layout] = np.concatenate([[0], np.cumsum(set_pop[layout])[:-1]]).astype(np.int64)
    local_pos = hh_start[:-1] - set_first_res[hh_settlement]
    hh_local_grid = np.minimum(
        (local_pos * grids_per_set[hh_settlement]) // np.maximum(set_pop[hh_settlement], 1),
        grids_per_set[hh_settlement] - 1,
    ).astype(np.int64)
    hh_grid = grid_offset[hh_settlement] + hh_local_grid
    grid_settlement = np.repeat(np.arange(n_set)[layout], grids_per_set[layout])
    return hh_grid, grid_settlement


def _returnees(
    cfg: PopulationConfig, scale: float, age: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Draw the returnees: working-age residents (18-59) back from hard-hit areas.

    An assumption: they live and work (or study) there and came home for the Spring
    Festival, so they hold no job and no farm work in the district.

    Args:
        cfg: Population configuration (counts at ``reference_residents``).
        scale: Residents of the run per reference resident.
        age: Age of each resident (years).
        rng: The ``population.returnees`` stream.

    Returns:
        (the returnees, sorted (resident indices), when each arrived as a fraction
        of the arrival window (0..1)).
    """
    a = age.astype(np.int64)
    pool = np.flatnonzero((a >= 18) & (a < 60))
    k = min(scaled_count(cfg.returnees, scale, minimum=0), pool.size)
    returnees = np.sort(rng.choice(pool, size=k, replace=False)) if k else pool[:0]
    return returnees, rng.random(returnees.size)


def _work(
    cfg: PopulationConfig,
    age: np.ndarray,
    urban: np.ndarray,
    returnees: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Draw who farms (rural, 20-69) and who is employed (20-64); returnees do neither.

    Args:
        cfg: Population configuration (shares and employment rates, 0..1).
        age: Age of each resident (years).
        urban: Whether each resident lives in an urban community (bool).
        returnees: The returnees (resident indices).
        rng: The ``population.work`` stream (one uniform per resident for each).

    Returns:
        (whether each resident farms, whether each one is employed) (bool).
    """
    a = age.astype(np.int64)
    away = np.zeros(age.size, dtype=bool)
    away[returnees] = True
    u = rng.random(age.size)
    farmer = (~urban) & (a >= 20) & (a < 70) & (u < cfg.farmer_share) & ~away
    u2 = rng.random(age.size)
    emp_p = np.where((a >= 20) & (a < 60), cfg.employment_rate, 0.0)
    emp_p = np.where((a >= 60) & (a < 65), cfg.employment_rate_60_64, emp_p)
    employed = (~farmer) & (u2 < emp_p) & ~away
    return farmer, employed


def _log_population(pop: Population, n_comm: int, n_vill: int) -> None:
    """Log the synthetic district's counts (residents, households, settlements, ...).

    Args:
        pop: The population.
        n_comm: Number of communities.
        n_vill: Number of villages.
    """
    log.info(
        "population: %d residents, %d households (mean %.2f), %d communities, %d villages, "
        "%d grids, %d markets, %d firms, %d employed, %d farmers",
        pop.n,
        pop.n_households,
        pop.n / pop.n_households,
        n_comm,
        n_vill,
        pop.n_grids,
        pop.n_markets,
        pop.n_firms,
        int((pop.employer >= 0).sum()),
        int(pop.farmer.sum()),
    )


def arrival_days(u: np.ndarray, windows: Sequence[ArrivalWindow], start: dt.date) -> np.ndarray:
    """Arrival day of each returnee from a uniform, by the dated arrival profile.

    Inverse CDF over the days of the windows, each day of a window weighted by its
    ``weight`` (relative arrivals per day).

    Args:
        u: Uniforms on [0, 1), one per returnee.
        windows: The dated profile (``population.returnee_arrival``).
        start: Calendar date of day 0 of the run.

    Returns:
        Day index of each arrival (int64; negative before the run starts).
    """
    days: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    for w in windows:
        a = (dt.date.fromisoformat(str(w.start)) - start).days
        b = (dt.date.fromisoformat(str(w.stop)) - start).days
        days.append(np.arange(a, b))
        weights.append(np.full(b - a, float(w.weight)))
    day = np.concatenate(days)
    cdf = np.cumsum(np.concatenate(weights))
    pick = np.searchsorted(cdf, np.asarray(u) * cdf[-1], side="right")
    return day[np.minimum(pick, day.size - 1)].astype(np.int64)


def _firms(
    cfg: PopulationConfig, scale: float, employed: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Draw the firm table and give each employed resident an employer.

    Firm sizes are log-uniform within their class bounds, then rescaled together so
    that the jobs match the employed residents; every firm keeps at least one worker
    while there are enough workers.

    Returns:
        (size class per firm, sector per firm, employer per resident or -1).
    """
    f = cfg.firms
    counts = np.array([round(c * scale) for c in f.counts], dtype=np.int64)
    if counts.sum() == 0:
        counts[int(np.argmax(f.counts))] = 1
    size_class = np.repeat(np.arange(counts.size, dtype=np.int8), counts)
    lo = np.asarray(f.min_employees, dtype=float)[size_class]
    hi = np.asarray(f.max_employees, dtype=float)[size_class] + 1.0
    size = np.floor(np.exp(np.log(lo) + rng.random(size_class.size) * (np.log(hi) - np.log(lo))))
    sector = rng.choice(
        len(f.sectors),
        size=size_class.size,
        p=np.asarray(f.sector_shares) / np.sum(f.sector_shares),
    ).astype(np.int8)
    workers = np.flatnonzero(employed)
    n_firms = size_class.size
    employer = np.full(employed.size, -1, dtype=np.int32)
    if workers.size == 0:
        return size_class, sector, employer
    slots_total = size.sum()
    ratio = workers.size / slots_total
    scaled = size * ratio
    extra = np.floor(scaled) - 1.0
    extra += rng.random(n_firms) < (scaled - np.floor(scaled))
    extra = np.clip(extra, 0, None).astype(np.int64)
    slots = np.concatenate(
        [np.arange(n_firms), rng.permutation(np.repeat(np.arange(n_firms), extra))]
    )
    if slots.size < workers.size:  # rounding left some workers over: spread them by size
        more = rng.choice(n_firms, size=workers.size - slots.size, p=size / slots_total)
        slots = np.concatenate([slots, more])
    employer[rng.permutation(workers)] = slots[: workers.size].astype(np.int32)
    return size_class, sector, employer

"""The response apparatus: grid workers and cadres as Mesa agents with limited hours."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.population import Population, scaled_count

if TYPE_CHECKING:
    from sim.model import DistrictModel

# Tasks in the default priority order; a day's hours go to them in this order.
TASKS = ("tracing", "screening", "monitoring")


class GridWorker(mesa.Agent):
    """One grid worker (网格员): responsible for one grid's households.

    Args:
        model: The district model.
        roster: The roster holding this worker's arrays.
        index: Row of this worker in the roster's arrays.
        grid: The grid this worker serves.
        residents: First and one-past-last resident of the grid.
        households: First and one-past-last household of the grid.
        hours: Working hours a day on the response (hours).
    """

    def __init__(
        self,
        model: DistrictModel,
        roster: StaffRoster,
        index: int,
        grid: int,
        residents: tuple[int, int],
        households: tuple[int, int],
        hours: float,
    ) -> None:
        super().__init__(model)
        self.roster = roster
        self.index = index
        self.grid = grid
        self.residents = residents
        self.households = households
        self.hours = hours

    @property
    def hours_today(self) -> dict[str, float]:
        """Hours spent today on each task (hours)."""
        row = self.roster.gw_alloc[self.index]
        return dict(zip(self.roster.tasks, row.tolist(), strict=True))


class Cadre(mesa.Agent):
    """One cadre sent by a district unit into one urban residential community (F8).

    Args:
        model: The district model.
        roster: The roster holding this cadre's arrays.
        index: Row of this cadre in the roster's arrays.
        unit: The district unit that sent the cadre.
        community: The community (settlement index) the cadre is assigned to.
        residents: First and one-past-last resident of the community.
        hours: Working hours a day on the response (hours).
    """

    def __init__(
        self,
        model: DistrictModel,
        roster: StaffRoster,
        index: int,
        unit: int,
        community: int,
        residents: tuple[int, int],
        hours: float,
    ) -> None:
        super().__init__(model)
        self.roster = roster
        self.index = index
        self.unit = unit
        self.community = community
        self.residents = residents
        self.hours = hours

    @property
    def hours_today(self) -> dict[str, float]:
        """Hours spent today on each task (hours)."""
        row = self.roster.cadre_alloc[self.index]
        return dict(zip(self.roster.tasks, row.tolist(), strict=True))


def allocate(hours: np.ndarray, demand: np.ndarray) -> np.ndarray:
    """Split each agent's hours over tasks by strict priority.

    The rule every agent follows: serve the first task in priority order as far as it
    needs, then the next with what is left, and so on; what cannot be served waits.

    Args:
        hours: Hours available to each agent (n,).
        demand: Hours each task asks of each agent, columns in priority order (n, T).

    Returns:
        Hours given to each task by each agent (n, T); row sums never exceed ``hours``.
    """
    before = np.cumsum(demand, axis=1) - demand
    return np.clip(hours[:, None] - before, 0.0, demand)


@dataclass
class DayPlan:
    """Today's hours of the whole roster: per task, per grid and per community."""

    grid_hours: np.ndarray  # hours served per grid and task (n_grids, T), workers + cadres
    demand_total: np.ndarray  # hours asked per task (T,)
    served_total: np.ndarray  # hours given per task (T,)
    overloaded_workers: int  # grid workers asked for more hours than they have
    overload_hours: float  # hours asked beyond what all staff could give


class StaffRoster:
    """All grid workers and cadres of one district, and their arrays.

    The agents are Mesa agents (``model.agents_by_type[GridWorker]``); their hours and
    rules live in arrays here so that a day's plan for all of them is one vectorised
    step (the rule is ``allocate``'s strict priority).

    Args:
        model: The district model (agents register with it).
        pop: The population (grids and communities).
        grid_worker_hours: Hours a grid worker gives to the response a day.
        cadres: Cadres at full scale (scaled with the population).
        cadre_units: District units the cadres come from.
        cadre_hours: Hours a cadre gives to the response a day.
        scale: Residents over reference residents.
        rng: Stream for assigning cadres.
        tasks: Task names in priority order.
    """

    def __init__(
        self,
        model: DistrictModel,
        pop: Population,
        grid_worker_hours: float,
        cadres: int,
        cadre_units: int,
        cadre_hours: float,
        scale: float,
        rng: np.random.Generator,
        tasks: tuple[str, ...] = TASKS,
    ) -> None:
        self.tasks = tasks
        g = pop.n_grids
        hh_start = np.searchsorted(pop.household_start, pop.grid_start)
        self.workers = [
            GridWorker(
                model,
                self,
                i,
                i,
                (int(pop.grid_start[i]), int(pop.grid_start[i + 1])),
                (int(hh_start[i]), int(hh_start[i + 1])),
                grid_worker_hours,
            )
            for i in range(g)
        ]
        self.gw_hours = np.full(g, float(grid_worker_hours))
        communities = np.flatnonzero(pop.settlement_urban)
        n_cad = scaled_count(cadres, scale, minimum=0) if communities.size else 0
        # residents are laid out by settlement: a community is a contiguous range
        grid_first = pop.grid_start[:-1]
        set_first = np.full(pop.settlement_urban.size, pop.n, dtype=np.int64)
        np.minimum.at(set_first, pop.grid_settlement, grid_first)
        set_size = np.bincount(
            pop.grid_settlement, weights=np.diff(pop.grid_start), minlength=set_first.size
        ).astype(np.int64)
        first, size = set_first[communities], set_size[communities]
        # each community gets cadres in proportion to its residents; each cadre comes
        # from one of the district units
        if n_cad:
            share = size / size.sum()
            per = np.floor(share * n_cad).astype(np.int64)
            per[np.argsort(-(share * n_cad - per))[: n_cad - per.sum()]] += 1
            cad_comm = np.repeat(np.arange(communities.size), per)
        else:
            cad_comm = np.zeros(0, dtype=np.int64)
        units = max(int(cadre_units), 1)
        cad_unit = rng.integers(0, units, size=cad_comm.size)
        self.cadres = [
            Cadre(
                model,
                self,
                i,
                int(cad_unit[i]),
                int(communities[cad_comm[i]]),
                (int(first[cad_comm[i]]), int(first[cad_comm[i]] + size[cad_comm[i]])),
                cadre_hours,
            )
            for i in range(cad_comm.size)
        ]
        self.cadre_hours = np.full(cad_comm.size, float(cadre_hours))
        self.cadre_community = cad_comm  # index into `communities`
        self.communities = communities
        # grid -> community index (-1 for village grids)
        comm_of_settlement = np.full(pop.settlement_urban.size, -1, dtype=np.int64)
        comm_of_settlement[communities] = np.arange(communities.size)
        self.grid_community = comm_of_settlement[pop.grid_settlement]
        self.gw_alloc = np.zeros((g, len(tasks)))
        self.cadre_alloc = np.zeros((cad_comm.size, len(tasks)))

    @property
    def n_workers(self) -> int:
        """Number of grid workers."""
        return len(self.workers)

    @property
    def n_cadres(self) -> int:
        """Number of cadres."""
        return len(self.cadres)

    def plan(self, grid_demand: np.ndarray, cadre_tasks: np.ndarray) -> DayPlan:
        """Allocate today's hours to the tasks the grids ask for.

        Each grid worker serves its own grid's demand by priority; what it cannot serve
        in an urban grid is pooled by community and shared out among the community's
        cadres, who serve it by the same priority (only the tasks in ``cadre_tasks``).

        Args:
            grid_demand: Hours each task asks of each grid today (n_grids, T).
            cadre_tasks: Which tasks cadres may help with (T,) bool.

        Returns:
            Today's plan.
        """
        self.gw_alloc = allocate(self.gw_hours, grid_demand)
        left = grid_demand - self.gw_alloc
        served = self.gw_alloc.copy()
        if self.n_cadres:
            urban = self.grid_community >= 0
            n_comm = self.communities.size
            comm_left = np.zeros((n_comm, len(self.tasks)))
            np.add.at(comm_left, self.grid_community[urban], left[urban])
            comm_left[:, ~cadre_tasks] = 0.0
            per_cadre_count = np.bincount(self.cadre_community, minlength=n_comm)
            per_cadre = comm_left / np.maximum(per_cadre_count, 1)[:, None]
            self.cadre_alloc = allocate(self.cadre_hours, per_cadre[self.cadre_community])
            comm_served = np.zeros((n_comm, len(self.tasks)))
            np.add.at(comm_served, self.cadre_community, self.cadre_alloc)
            # cadres' hours go back to the grids in proportion to what each still needed
            need = left * urban[:, None]
            comm_need = np.zeros((n_comm, len(self.tasks)))
            np.add.at(comm_need, self.grid_community[urban], need[urban])
            frac = np.where(comm_need > 0, comm_served / np.where(comm_need > 0, comm_need, 1), 0)
            gc = np.where(urban, self.grid_community, 0)
            served = served + need * frac[gc] * urban[:, None]
        total_demand = grid_demand.sum(axis=0)
        served_total = served.sum(axis=0)
        worker_over = grid_demand.sum(axis=1) > self.gw_hours + 1e-9
        return DayPlan(
            grid_hours=served,
            demand_total=total_demand,
            served_total=served_total,
            overloaded_workers=int(worker_over.sum()),
            overload_hours=float(total_demand.sum() - served_total.sum()),
        )

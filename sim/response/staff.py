"""The response apparatus: grid workers and cadres as Mesa agents with limited hours."""

from __future__ import annotations

from dataclasses import dataclass

import mesa
import numpy as np
from mesa.agent import AgentSet

from sim.config import STAFF_TASKS
from sim.world.population import Population, scaled_count

# The tasks staff can be asked to do (their order of service is ``staff.priority``).
TASKS = STAFF_TASKS


class StaffAgent(mesa.Agent):
    """One member of staff: a daily budget of hours, an area to serve, a work history.

    ``hours`` is the agent's own: the roster reads every agent's budget each morning
    (``AgentSet.get``), so changing it, one agent or a selection in bulk
    (``model.agents_by_type[GridWorker].select(...).set("hours", 6.0)``), changes the
    plan. What the agent did each day is kept in the roster's arrays, one row per
    agent, and read through the agent (``hours_today``, ``hours_worked``,
    ``overloaded_days``): a day's plan for all agents is one vectorised step.

    Args:
        model: The Mesa model the agent belongs to.
        roster: The roster holding this agent's arrays.
        index: Row of this agent in its kind's arrays.
        residents: First and one-past-last resident of the area it serves.
        hours: Working hours a day on the response (hours).
    """

    def __init__(
        self,
        model: mesa.Model,
        roster: StaffRoster,
        index: int,
        residents: tuple[int, int],
        hours: float,
    ) -> None:
        super().__init__(model)
        self.roster = roster
        self.index = index
        self.residents = residents
        self.hours = hours
        self.deployed = True  # at work on the response today

    def _alloc(self) -> np.ndarray:
        """Today's hours per task of this kind of agent (rows = agents)."""
        return self.roster.gw_alloc

    def _worked(self) -> np.ndarray:
        return self.roster.gw_worked

    @property
    def hours_today(self) -> dict[str, float]:
        """Hours spent today on each task (hours)."""
        row = self._alloc()[self.index]
        return dict(zip(self.roster.tasks, row.tolist(), strict=True))

    @property
    def hours_worked(self) -> float:
        """Hours given to the response since day 0 (hours)."""
        return float(self._worked()[self.index])

    @staticmethod
    def serve(hours: np.ndarray, demand: np.ndarray) -> np.ndarray:
        """The rule every member of staff follows, for many at once (``allocate``)."""
        return allocate(hours, demand)


class GridWorker(StaffAgent):
    """One grid worker (网格员): responsible for one grid's households.

    Args:
        model: The Mesa model the agent belongs to.
        roster: The roster holding this worker's arrays.
        index: Row of this worker in the roster's arrays.
        grid: The grid this worker serves.
        residents: First and one-past-last resident of the grid.
        households: First and one-past-last household of the grid.
        hours: Working hours a day on the response (hours).
    """

    def __init__(
        self,
        model: mesa.Model,
        roster: StaffRoster,
        index: int,
        grid: int,
        residents: tuple[int, int],
        households: tuple[int, int],
        hours: float,
    ) -> None:
        super().__init__(model, roster, index, residents, hours)
        self.grid = grid
        self.households = households

    @property
    def overloaded_days(self) -> int:
        """Days this worker was asked for more hours than it had."""
        return int(self.roster.gw_overloaded_days[self.index])


class Cadre(StaffAgent):
    """One cadre sent by a district unit into one urban residential community (F8).

    ``deployed`` follows the ``deploy_cadres`` policy: a cadre not deployed gives no
    hours that day.

    Args:
        model: The Mesa model the agent belongs to.
        roster: The roster holding this cadre's arrays.
        index: Row of this cadre in the roster's arrays.
        unit: The district unit that sent the cadre.
        community: The community (settlement index) the cadre is assigned to.
        residents: First and one-past-last resident of the community.
        hours: Working hours a day on the response (hours).
    """

    def __init__(
        self,
        model: mesa.Model,
        roster: StaffRoster,
        index: int,
        unit: int,
        community: int,
        residents: tuple[int, int],
        hours: float,
    ) -> None:
        super().__init__(model, roster, index, residents, hours)
        self.unit = unit
        self.community = community
        self.deployed = False

    def _alloc(self) -> np.ndarray:
        """Today's hours per task of the cadres."""
        return self.roster.cadre_alloc

    def _worked(self) -> np.ndarray:
        return self.roster.cadre_worked


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
    grid_demand: np.ndarray  # hours asked per grid and task (n_grids, T)
    demand_total: np.ndarray  # hours asked per task (T,)
    served_total: np.ndarray  # hours given per task (T,)
    overloaded_workers: int  # grid workers asked for more hours than they have
    overload_hours: float  # hours asked beyond what all staff could give
    worker_hours: np.ndarray  # hours grid workers gave each task (T,)
    cadre_hours: np.ndarray  # hours cadres gave each task (T,)
    workers_active: np.ndarray  # grid workers who worked on each task today (T,)
    cadres_active: np.ndarray  # cadres who worked on each task today (T,)


class StaffRoster:
    """All grid workers and cadres of one district, and their arrays.

    The agents are Mesa agents, reached as ``model.agents_by_type[GridWorker]`` and
    ``[Cadre]`` (``workers``, ``cadres``): each morning the roster reads their budgets
    of hours and sets the cadres' deployment in bulk; what they did lives in arrays
    here, one row per agent, so that a day's plan for all of them is one vectorised
    step (the rule every agent follows is ``StaffAgent.serve``: strict priority).

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
        model: mesa.Model,
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
        self.model = model
        g = pop.n_grids
        hh_start = np.searchsorted(pop.household_start, pop.grid_start)
        for i in range(g):
            GridWorker(
                model,
                self,
                i,
                i,
                (int(pop.grid_start[i]), int(pop.grid_start[i + 1])),
                (int(hh_start[i]), int(hh_start[i + 1])),
                grid_worker_hours,
            )
        self.gw_hours = np.full(g, float(grid_worker_hours))  # each morning from the agents
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
        for i in range(cad_comm.size):
            Cadre(
                model,
                self,
                i,
                int(cad_unit[i]),
                int(communities[cad_comm[i]]),
                (int(first[cad_comm[i]]), int(first[cad_comm[i]] + size[cad_comm[i]])),
                cadre_hours,
            )
        self.cadre_hours = np.full(cad_comm.size, float(cadre_hours))  # read each morning
        self.cadre_community = cad_comm  # index into `communities`
        self.communities = communities
        # grid -> community index (-1 for village grids)
        comm_of_settlement = np.full(pop.settlement_urban.size, -1, dtype=np.int64)
        comm_of_settlement[communities] = np.arange(communities.size)
        self.grid_community = comm_of_settlement[pop.grid_settlement]
        self.grid_residents = np.diff(pop.grid_start).astype(float)
        # each urban grid's community (0 for villages) and its share of the residents
        self.urban = urban = self.grid_community >= 0
        self.gc = gc = np.where(urban, self.grid_community, 0)
        weight = np.where(urban, self.grid_residents, 0.0)
        comm_res = np.bincount(gc[urban], weights=weight[urban], minlength=communities.size)
        self.share = np.where(urban, weight / np.maximum(comm_res[gc], 1.0), 0.0)
        self.gw_alloc = np.zeros((g, len(tasks)))
        self.cadre_alloc = np.zeros((cad_comm.size, len(tasks)))
        self.gw_worked = np.zeros(g)  # hours since day 0, per worker
        self.cadre_worked = np.zeros(cad_comm.size)
        self.gw_overloaded_days = np.zeros(g, dtype=np.int32)

    @property
    def workers(self) -> AgentSet:
        """The grid workers (Mesa agents, in roster order)."""
        return self.model.agents_by_type[GridWorker]

    @property
    def cadres(self) -> AgentSet:
        """The cadres (Mesa agents, in roster order; empty where there are none)."""
        found = self.model.agents_by_type.get(Cadre)
        return found if found is not None else AgentSet([], random=self.model.random)

    @property
    def n_workers(self) -> int:
        """Number of grid workers."""
        return self.gw_hours.size

    @property
    def n_cadres(self) -> int:
        """Number of cadres."""
        return self.cadre_hours.size

    def _morning(self, cadres_on: bool) -> None:
        """Read every agent's budget of hours; deploy (or not) the cadres in bulk."""
        self.gw_hours = np.fromiter(self.workers.get("hours"), dtype=float, count=self.n_workers)
        if self.n_cadres:
            cadres = self.cadres
            cadres.set("deployed", cadres_on)
            self.cadre_hours = np.fromiter(cadres.get("hours"), float, count=self.n_cadres)

    def plan(
        self,
        grid_demand: np.ndarray,
        cadre_tasks: np.ndarray,
        community_demand: np.ndarray | None = None,
        cadres_on: bool = True,
    ) -> DayPlan:
        """Allocate today's hours to the tasks the grids and communities ask for.

        Each grid worker serves its own grid's demand by priority. Each community's own
        duties (``community_demand``, e.g. gate shifts) and what its grid workers could
        not serve (only the tasks in ``cadre_tasks``) are shared out among the
        community's cadres, who serve them by the same priority. What cadres cannot
        serve of a community's own duties falls back on its grid workers' leftover hours.

        Args:
            grid_demand: Hours each task asks of each grid today (n_grids, T).
            cadre_tasks: Which tasks cadres may help the grids with (T,) bool.
            community_demand: Hours each task asks of each community's cadres first
                (n_communities, T); None for none.
            cadres_on: Whether the cadres are deployed today (else they give no hours).

        Returns:
            Today's plan: hours served per grid (community duties attributed to the
            community's grids in proportion to their residents).
        """
        self._morning(cadres_on)
        n_task = len(self.tasks)
        n_comm = self.communities.size
        if community_demand is None:
            community_demand = np.zeros((n_comm, n_task))
        self.gw_alloc = GridWorker.serve(self.gw_hours, grid_demand)
        left = grid_demand - self.gw_alloc
        served = self.gw_alloc.copy()
        urban, gc, share = self.urban, self.gc, self.share
        comm_served = np.zeros((n_comm, n_task))
        self.cadre_alloc = np.zeros((self.n_cadres, n_task))
        if self.n_cadres and cadres_on:
            help_left = np.where(cadre_tasks[None, :], left, 0.0) * urban[:, None]
            comm_help = np.zeros((n_comm, n_task))
            np.add.at(comm_help, gc[urban], help_left[urban])
            count = np.bincount(self.cadre_community, minlength=n_comm)
            ask = (community_demand + comm_help) / np.maximum(count, 1)[:, None]
            self.cadre_alloc = Cadre.serve(self.cadre_hours, ask[self.cadre_community])
            np.add.at(comm_served, self.cadre_community, self.cadre_alloc)
            # cadres serve their community's own duties first, then help the grids
            own = np.minimum(comm_served, community_demand)
            helped = comm_served - own
            frac = np.where(comm_help > 0, helped / np.where(comm_help > 0, comm_help, 1), 0)
            served += help_left * frac[gc] * urban[:, None]
            left = left - help_left * frac[gc] * urban[:, None]
            comm_served = own
        # community duties cadres could not serve fall on the grid workers' spare hours
        comm_left = community_demand - comm_served
        spare = self.gw_hours - self.gw_alloc.sum(axis=1)
        duty = comm_left[gc] * share[:, None]
        extra = GridWorker.serve(spare, duty)
        self.gw_alloc = self.gw_alloc + extra
        served += extra + comm_served[gc] * share[:, None]
        demand_grid = grid_demand + community_demand[gc] * share[:, None]
        total_demand = grid_demand.sum(axis=0) + community_demand.sum(axis=0)
        served_total = served.sum(axis=0)
        worker_over = (grid_demand.sum(axis=1) + duty.sum(axis=1)) > self.gw_hours + 1e-9
        self.gw_worked += self.gw_alloc.sum(axis=1)
        self.cadre_worked += self.cadre_alloc.sum(axis=1)
        self.gw_overloaded_days += worker_over
        return DayPlan(
            grid_hours=served,
            grid_demand=demand_grid,
            demand_total=total_demand,
            served_total=served_total,
            overloaded_workers=int(worker_over.sum()),
            overload_hours=float(total_demand.sum() - served_total.sum()),
            worker_hours=self.gw_alloc.sum(axis=0),
            cadre_hours=self.cadre_alloc.sum(axis=0),
            workers_active=np.count_nonzero(self.gw_alloc > 0, axis=0),
            cadres_active=np.count_nonzero(self.cadre_alloc > 0, axis=0),
        )

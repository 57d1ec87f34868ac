"""The district's response: its staff, their daily plan, the grid duties and case finding."""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd

from sim.config import Config
from sim.epidemic.disease import EpiState
from sim.metrics import Metric, table
from sim.policies import DailyModifiers
from sim.response.casefinding import CaseFinding
from sim.response.duties import GridDuties
from sim.response.staff import TASKS, DayPlan, StaffRoster
from sim.rng import Streams
from sim.world.population import Population

METRICS = """
response_level | level | response level
    public-health emergency response level in force (0 none)
staff_hours_{task} | hours per day | staff hours on {task} | real
    staff hours spent on {task} today
staff_demand_{task} | hours | staff hours asked: {task} | real
    staff hours {task} asked for today
staff_overload_share | share of grid workers | grid workers overloaded | real
    share of grid workers asked for more hours than they have today
staff_overload_hours | hours | hours beyond capacity | real
    hours asked beyond what all staff could give today
"""
SUMMARY = """
screening_person_days | person-days | screening person-days
    grid-worker days with screening hours
screening_person_days_cadres | person-days | cadres' screening person-days
    cadre days with screening hours
staff_hours_by_task.{task} | hours | staff hours on {task} | real
    staff hours spent on {task}
staff_overload_share | share of grid workers | grid workers overloaded, mean over work days | real
    mean share of grid workers overloaded, over days with work
peak_staff_overload_share | share | peak staff overloaded | real
    largest daily share of grid workers overloaded
grid_workers | persons | grid workers
    grid workers (one per grid)
cadres | persons | cadres
    cadres sent into the urban communities
"""


class Response:
    """One district's response apparatus: its staff and the work they carry out.

    Each day the staff (Mesa agents in ``staff``) split their hours over what the
    grids ask (``plan``); the standing duties (``duties``) and the finding of cases
    (``cases``) then do what the hours allow.

    Args:
        model: The Mesa model the staff agents belong to.
        cfg: The run's configuration.
        pop: The synthetic district.
        epi: The residents' epidemic state.
        layer_names: The contact layers (tracing knows where a contact was made).
        returnees: Residents who return from outside, and their arrival days.
        streams: The run's random streams.
    """

    def __init__(
        self,
        model: mesa.Model,
        cfg: Config,
        pop: Population,
        epi: EpiState,
        layer_names: list[str],
        returnees: tuple[np.ndarray, np.ndarray],
        streams: Streams,
    ) -> None:
        self.pop = pop
        self.scale = pop.n / cfg.population.reference_residents
        s = cfg.staff
        self.staff = StaffRoster(
            model,
            pop,
            s.grid_worker_hours,
            s.cadres,
            s.cadre_units,
            s.cadre_hours,
            self.scale,
            streams.get("staff.assignment"),
            tuple(s.priority),
        )
        self.col = {t: i for i, t in enumerate(self.staff.tasks)}
        self.cases = CaseFinding(cfg, pop, epi, layer_names, returnees, streams, self._note)
        self.duties = GridDuties(
            pop,
            cfg.awareness,
            self.staff.grid_community,
            self.staff.communities.size,
            self.cases.quarantine,
            streams,
        )
        self.break_probs = (cfg.mobility.break_prob_unaware, cfg.mobility.break_prob_aware)
        self.plan_today: DayPlan | None = None
        self.screening_days_workers = 0  # grid-worker days with screening hours (F11)
        self.screening_days_cadres = 0
        self.overload_days: list[float] = []

    def _note(self, residents: np.ndarray) -> None:
        self.duties.note_findings(residents)

    # ------------------------------------------------------------------ plan
    def plan(
        self, day: int, mods: DailyModifiers, delivery_hours: np.ndarray, errand_hours: np.ndarray
    ) -> DayPlan:
        """Split the staff's hours over what the grids ask today; do the standing duties.

        Args:
            day: Day index.
            mods: Today's modifiers.
            delivery_hours: Last-mile hours today's online orders ask of each grid.
            errand_hours: Hours the errands of sealed households ask of each grid.
        """
        col, n_task = self.col, len(self.staff.tasks)
        demand = np.zeros((self.pop.n_grids, n_task))
        community = np.zeros((self.staff.communities.size, n_task))
        cadre_tasks = np.zeros(n_task, dtype=bool)
        cadre_tasks[[col["screening"], col["monitoring"], col["checkpoint"]]] = True
        department = "grid_department" in mods.coordination
        if department:
            cadre_tasks[:] = True
        cadres_screen = self.cases.demand(day, mods, col, demand, self.staff.grid_community)
        if mods.screening is not None:
            cadre_tasks[col["screening"]] = cadres_screen or department
        self.duties.demand(mods, col, demand, community)
        demand[:, col["delivery"]] = delivery_hours
        demand[:, col["errands"]] = errand_hours
        plan = self.staff.plan(demand, cadre_tasks, community, mods.cadres_deployed)
        self.plan_today = plan
        self.screening_days_workers += int(plan.workers_active[col["screening"]])
        self.screening_days_cadres += int(plan.cadres_active[col["screening"]])
        if demand.any() or community.any():
            self.overload_days.append(plan.overloaded_workers / max(self.staff.n_workers, 1))
        self.duties.carry_out(day, mods, plan, col)
        return plan

    def hours(self, task: str) -> np.ndarray | None:
        """Hours served on one task in each grid today (None before the first plan)."""
        plan = self.plan_today
        return None if plan is None else plan.grid_hours[:, self.col[task]]

    def visit_rate(self, mods: DailyModifiers) -> np.ndarray | None:
        """Door visits per staff hour in each grid today (None: no screening)."""
        if mods.screening is None:
            return None
        return self.cases.visit_rate(mods, self.staff.grid_community)

    # ------------------------------------------- the response's effect on contacts
    def household_factor(self) -> float:
        """Share of household contacts kept by a resident in home quarantine."""
        return self.cases.quarantine.household_factor

    def home_outside_share(self, j: np.ndarray, day: int) -> np.ndarray:
        """Outside contacts kept today by residents ``j`` in home quarantine (0..1)."""
        return self.duties.home_outside_share(j, day)

    def aware(self) -> bool:
        """Whether any grid has awareness that cuts contacts."""
        return bool(self.duties.awareness.any())

    def contact_factor(self, j: np.ndarray) -> np.ndarray:
        """Community and market contacts kept by residents ``j`` (0..1)."""
        return self.duties.contact_factor(j)

    def break_prob(self) -> np.ndarray:
        """Probability a resident tries a forbidden trip anyway, per grid (by awareness)."""
        return self.duties.break_prob(*self.break_probs)

    @property
    def through(self) -> np.ndarray:
        """Probability a rule-breaking trip gets through, per grid (1: no checkpoints)."""
        return self.duties.through

    # ---------------------------------------------------------------- outputs
    @staticmethod
    def metrics() -> list[Metric]:
        """The daily columns this component records."""
        return table(METRICS, task=TASKS)

    def values(self, mods: DailyModifiers) -> dict[str, float]:
        """Today's values of ``metrics`` (``mods``: today's modifiers)."""
        plan = self.plan_today
        values: dict[str, float] = {"response_level": mods.response_level}
        for task in TASKS:
            k = self.col[task]
            values[f"staff_hours_{task}"] = float(plan.served_total[k]) if plan else 0.0
            values[f"staff_demand_{task}"] = float(plan.demand_total[k]) if plan else 0.0
        values["staff_overload_share"] = (
            plan.overloaded_workers / max(self.staff.n_workers, 1) if plan else 0.0
        )
        values["staff_overload_hours"] = plan.overload_hours if plan else 0.0
        return values

    @staticmethod
    def summary_fields() -> list[Metric]:
        """The summary fields this component contributes."""
        return table(SUMMARY, task=TASKS)

    def summary(self, ts: pd.DataFrame) -> dict[str, object]:
        """The staff's part of ``summary.json``."""
        return {
            "screening_person_days": self.screening_days_workers,
            "screening_person_days_cadres": self.screening_days_cadres,
            "staff_hours_by_task": {
                t: round(float(ts[f"staff_hours_{t}"].sum()), 1) for t in TASKS
            },
            "staff_overload_share": (
                round(float(np.mean(self.overload_days)), 4) if self.overload_days else 0.0
            ),
            "peak_staff_overload_share": round(float(ts["staff_overload_share"].max()), 4),
            "grid_workers": self.staff.n_workers,
            "cadres": self.staff.n_cadres,
        }

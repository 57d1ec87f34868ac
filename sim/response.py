"""The response at work each day: staff hours, screening, tracing and quarantine."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from sim.config import parse_day
from sim.disease import State
from sim.policies import DailyModifiers
from sim.population import scaled_count
from sim.quarantine import CASE, HOME, Quarantine
from sim.screening import ScreeningCampaign
from sim.staff import TASKS, DayPlan, StaffRoster
from sim.tracing import ContactTracing

if TYPE_CHECKING:
    from sim.model import DistrictModel

TRACING, SCREENING, MONITORING = (TASKS.index(t) for t in ("tracing", "screening", "monitoring"))


class Response:
    """One district's response apparatus: its staff and the work they carry out.

    Args:
        model: The district model (population, epidemic state, streams, config).
    """

    def __init__(self, model: DistrictModel) -> None:
        cfg = model.cfg
        pop = model.pop
        self.model = model
        self.scale = pop.n / cfg.population.reference_residents
        self.staff = StaffRoster(
            model,
            pop,
            cfg.staff.grid_worker_hours,
            cfg.staff.cadres,
            cfg.staff.cadre_units,
            cfg.staff.cadre_hours,
            self.scale,
            model.streams.get("staff.assignment"),
        )
        q = cfg.quarantine
        self.quarantine = Quarantine(
            model.epi, q.home_household_factor, q.home_compliance, q.home_compliance_decay
        )
        self.key_person_days = q.key_person_days
        self.tracing = ContactTracing(pop)
        self.campaigns: dict[int, ScreeningCampaign] = {}
        start = model.timeline.start_date
        first, last = (
            parse_day("population.returnee_arrival", x, start)
            for x in cfg.population.returnee_arrival
        )
        self.returnees = pop.returnees
        self.returnee_day = first + np.floor(pop.returnee_arrival * (last - first + 1)).astype(
            np.int64
        )
        self.plan_today: DayPlan | None = None
        self.monitor_boost = np.zeros(pop.n_grids)
        self.peak_facility = 0
        self.key_persons_found = 0
        self.hours_total = np.zeros(len(TASKS))
        self.overload_days: list[float] = []
        self.today: dict[str, float] = {}

    # ------------------------------------------------------------------ plan
    def plan(self, day: int, mods: DailyModifiers) -> DayPlan:
        """Work out what each grid asks of its staff today and split their hours."""
        pop = self.model.pop
        demand = np.zeros((pop.n_grids, len(TASKS)))
        cadre_tasks = np.array([False, True, True])
        if mods.tracing is not None:
            t = mods.tracing
            demand[:, TRACING] = self.tracing.demand(day, t.delay_days, t.hours_per_case)
        if mods.screening is not None:
            index, s = mods.screening
            campaign = self.campaigns.setdefault(index, ScreeningCampaign(pop, day))
            demand[:, SCREENING] = campaign.demand(s.visits_per_hour, s.answer_prob)
            cadre_tasks[SCREENING] = s.cadres
        if mods.monitoring is not None:
            at_home = np.flatnonzero(self.model.epi.isolation == HOME)
            per_grid = np.bincount(pop.grid[at_home], minlength=pop.n_grids)
            demand[:, MONITORING] = per_grid * mods.monitoring.hours_per_person
        plan = self.staff.plan(demand, cadre_tasks)
        if mods.monitoring is not None:
            need = demand[:, MONITORING]
            cover = np.where(
                need > 0, plan.grid_hours[:, MONITORING] / np.where(need > 0, need, 1), 0
            )
            self.monitor_boost = mods.monitoring.effect * np.clip(cover, 0.0, 1.0)
        else:
            self.monitor_boost = np.zeros(pop.n_grids)
        self.plan_today = plan
        self.hours_total += plan.served_total
        if demand.any():
            self.overload_days.append(plan.overloaded_workers / max(self.staff.n_workers, 1))
        return plan

    def home_outside_share(self, j: np.ndarray, day: int) -> np.ndarray:
        """Outside contacts kept today by residents ``j`` in home quarantine (0..1)."""
        return self.quarantine.outside_share(j, day, self.monitor_boost[self.model.pop.grid[j]])

    # ------------------------------------------------------------------ work
    def screen(self, day: int, mods: DailyModifiers, rng: np.random.Generator) -> dict[str, Any]:
        """Visit today's doors; returns symptomatic residents and key persons found."""
        none = np.zeros(0, dtype=np.int64)
        out: dict[str, Any] = {"symptomatic": none, "key": none, "key_until": none, "screened": 0}
        if mods.screening is None or self.plan_today is None:
            return out
        index, s = mods.screening
        campaign = self.campaigns[index]
        hh = campaign.visit(
            self.plan_today.grid_hours[:, SCREENING], s.visits_per_hour, s.answer_prob, day, rng
        )
        pop, e = self.model.pop, self.model.epi
        first = pop.household_start[hh]
        size = pop.household_start[hh + 1] - first
        rep = np.repeat(np.arange(hh.size), size)
        res = first[rep] + np.arange(rep.size) - np.repeat(np.cumsum(size) - size, size)
        out["screened"] = int(res.size)
        st = e.state[res]
        out["symptomatic"] = res[(st == State.M) & (e.confirmed_day[res] < 0)]
        # key persons: returnees within their key-person period
        if self.returnees.size:
            pos = np.minimum(np.searchsorted(self.returnees, res), self.returnees.size - 1)
            hit = self.returnees[pos] == res
            arrival = self.returnee_day[pos[hit]]
            recent = (day >= arrival) & (day < arrival + self.key_person_days)
            out["key"] = res[hit][recent]
            out["key_until"] = arrival[recent] + self.key_person_days
            self.key_persons_found += int(recent.sum())
        return out

    def trace(
        self, day: int, mods: DailyModifiers, confirmed: np.ndarray, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        """Queue today's cases and trace what today's hours allow: (cases, contacts)."""
        none = np.zeros(0, dtype=np.int64)
        if mods.tracing is None or self.plan_today is None:
            return none, none
        t = mods.tracing
        self.tracing.enqueue(confirmed, day)
        return self.tracing.trace(
            self.plan_today.grid_hours[:, TRACING],
            day,
            t.delay_days,
            t.hours_per_case,
            t.household_share,
            t.other_share,
            t.other_contacts,
            rng,
        )

    def admit(
        self,
        day: int,
        mods: DailyModifiers,
        idx: np.ndarray,
        until: np.ndarray,
        rng: np.random.Generator,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Quarantine residents where today's policy says: (at home, in the facility)."""
        none = np.zeros(0, dtype=np.int64)
        if mods.quarantine_mode is None or idx.size == 0:
            return none, none
        capacity = scaled_count(mods.facility_capacity, self.scale, minimum=0)
        home, fac = self.quarantine.admit(
            idx, day, until, mods.quarantine_mode, capacity, mods.facility_overflow_home, rng
        )
        self.peak_facility = max(self.peak_facility, self.quarantine.facility_occupancy)
        return home, fac

    def isolate(self, idx: np.ndarray) -> None:
        """Confirmed cases leave quarantine for isolation."""
        self.quarantine.leave(idx)
        self.model.epi.isolation[idx] = CASE

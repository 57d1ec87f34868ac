"""The response at work each day: staff hours, screening, tracing and quarantine."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from sim.epidemic.disease import State
from sim.policies import DailyModifiers
from sim.response.quarantine import CASE, HOME, Quarantine
from sim.response.screening import ScreeningCampaign
from sim.response.staff import DayPlan, StaffRoster
from sim.response.testing import PcrTesting
from sim.response.tracing import WINDOW_DAYS, ContactTracing, TracingRules
from sim.world.population import arrival_days, expand_ranges, scaled_count

if TYPE_CHECKING:
    from sim.model import DistrictModel


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
            tuple(cfg.staff.priority),
        )
        self.col = {t: i for i, t in enumerate(self.staff.tasks)}
        self.aware_cfg = cfg.awareness
        self.awareness = np.full(pop.n_grids, cfg.awareness.initial)
        self.grid_households = np.diff(np.searchsorted(pop.household_start, pop.grid_start))
        self.lapses = np.zeros(self.staff.communities.size)
        urban_grids = np.flatnonzero(self.staff.grid_community >= 0)
        self.community_grid = np.zeros(self.staff.communities.size, dtype=np.int64)
        self.community_grid[self.staff.grid_community[urban_grids[::-1]]] = urban_grids[::-1]
        self.findings = np.zeros(pop.n_grids)  # things to report, per grid
        self.messages = 0.0
        self.shifts = 0.0
        self.shifts_workers = 0.0
        self.reports = 0.0
        self.problems_found = 0
        self.screening_days_workers = 0  # grid-worker days with screening hours (F11)
        self.screening_days_cadres = 0
        q = cfg.quarantine
        self.quarantine = Quarantine(
            model.epi, q.home_household_factor, q.home_compliance, q.home_compliance_decay
        )
        self.key_person_days = q.key_person_days
        self.tracing = ContactTracing(pop, model.layer_names)
        self.pcr = PcrTesting(model.epi)
        self.campaigns: dict[int, ScreeningCampaign] = {}
        self.returnees = pop.returnees
        self.returnee_day = arrival_days(
            pop.returnee_arrival, cfg.population.returnee_arrival, model.timeline.start_date
        )
        self.plan_today: DayPlan | None = None
        # probability a rule-breaking trip gets through, per grid (1: no checkpoints)
        self.through = np.ones(pop.n_grids)
        self.monitor_boost = np.zeros(pop.n_grids)
        self.key_persons_found = 0
        self.today = {"messages": 0.0, "shifts": 0.0, "reports": 0.0, "problems": 0}
        self.overload_days: list[float] = []

    # ------------------------------------------------------------------ plan
    def plan(
        self, day: int, mods: DailyModifiers, delivery_hours: np.ndarray | None = None
    ) -> DayPlan:
        """Split the staff's hours over what the grids ask today; do the standing duties.

        Standing duties are the messages, shifts, reports and inspections of the day.

        Args:
            day: Day index.
            mods: Today's modifiers.
            delivery_hours: Last-mile hours today's online orders ask of each grid.
        """
        pop = self.model.pop
        col = self.col
        n_comm = self.staff.communities.size
        demand = np.zeros((pop.n_grids, len(self.staff.tasks)))
        community = np.zeros((n_comm, len(self.staff.tasks)))
        cadre_tasks = np.zeros(len(self.staff.tasks), dtype=bool)
        cadre_tasks[[col["screening"], col["monitoring"], col["checkpoint"]]] = True
        modes = mods.coordination
        if "grid_department" in modes:
            cadre_tasks[:] = True
        if mods.tracing is not None:
            demand[:, col["tracing"]] = self.tracing.demand(day, self.tracing_rules(mods))
        if mods.screening is not None:
            index, sc = mods.screening.policy, mods.screening.params
            if index not in self.campaigns:
                self.campaigns[index] = ScreeningCampaign(pop, day)
            campaign = self.campaigns[index]
            demand[:, col["screening"]] = campaign.demand(self.visit_rate(mods), sc.answer_prob)
            cadre_tasks[col["screening"]] = sc.cadres or "grid_department" in modes
        if mods.monitoring is not None:
            at_home = np.flatnonzero(self.model.epi.isolation == HOME)
            per_grid = np.bincount(pop.grid[at_home], minlength=pop.n_grids)
            demand[:, col["monitoring"]] = per_grid * mods.monitoring.hours_per_person
        if mods.checkpoint is not None:
            c = mods.checkpoint
            demand[:, col["checkpoint"]] = c.road_shifts_per_grid * c.hours_per_shift
            gates = c.gate_shifts_per_community * c.hours_per_shift
            if "grid_property" in modes:
                gates *= 1.0 - modes["grid_property"].gate_share
            community[:, col["checkpoint"]] = gates
        if delivery_hours is not None:
            demand[:, col["delivery"]] = delivery_hours
        demand[:, col["errands"]] = self.model.supply.errand_hours  # asked before the plan
        if mods.reporting is not None:
            r = mods.reporting
            demand[:, col["reporting"]] = (r.routine_per_grid + self.findings) * r.hours_per_report
        if mods.information is not None:
            demand[:, col["information"]] = mods.information.hours_per_day
        plan = self.staff.plan(demand, cadre_tasks, community, mods.cadres_deployed)
        self.plan_today = plan
        self.screening_days_workers += int(plan.workers_active[col["screening"]])
        self.screening_days_cadres += int(plan.cadres_active[col["screening"]])
        if demand.any() or community.any():
            self.overload_days.append(plan.overloaded_workers / max(self.staff.n_workers, 1))
        self._standing_duties(day, mods, plan)
        return plan

    def visit_rate(self, mods: DailyModifiers) -> np.ndarray:
        """Door visits per staff hour in each grid today."""
        assert mods.screening is not None
        rate = np.full(self.model.pop.n_grids, float(mods.screening.params.visits_per_hour))
        if "grid_property" in mods.coordination:
            speedup = mods.coordination["grid_property"].screening_speedup
            rate[self.staff.grid_community >= 0] *= speedup
        return rate

    def tracing_rules(self, mods: DailyModifiers) -> TracingRules:
        """Today's tracing rules (the police grid speeds tracing up and finds more)."""
        t = mods.tracing
        assert t is not None
        police = mods.coordination.get("grid_police")
        factor = police.tracing_hours_factor if police is not None else 1.0
        extra = police.tracing_extra_found if police is not None else 0.0
        return TracingRules(
            delay_days=int(t.delay_days),
            hours_per_case=float(t.hours_per_case) * factor,
            hours_per_case_other=float(t.hours_per_case_other) * factor,
            household_share=float(t.household_share),
            named_share=min(1.0, float(t.named_share) + extra),
            named_contacts=int(t.named_contacts),
            other_share=min(1.0, float(t.other_share) + extra),
            other_contacts=int(t.other_contacts),
        )

    def _standing_duties(self, day: int, mods: DailyModifiers, plan: DayPlan) -> None:
        """Messages, monitoring cover, shifts, reports and inspections of today's hours."""
        col = self.col
        served = plan.grid_hours
        a_cfg = self.aware_cfg
        # information push -> awareness of each grid
        messages = np.zeros(self.model.pop.n_grids)
        if mods.information is not None:
            messages = served[:, col["information"]] * mods.information.messages_per_hour
            exposure = messages * mods.information.reach / np.maximum(self.grid_households, 1)
            self.awareness += (1.0 - self.awareness) * -np.expm1(-exposure)
        self.awareness *= 1.0 - a_cfg.decay
        # monitoring cover of home quarantine
        need = plan.grid_demand[:, col["monitoring"]]
        cover = np.where(need > 0, served[:, col["monitoring"]] / np.where(need > 0, need, 1), 0)
        effect = mods.monitoring.effect if mods.monitoring is not None else 0.0
        self.monitor_boost = effect * np.clip(cover, 0.0, 1.0)
        # shifts, and how staffed each grid's checkpoints and gates are
        shifts = workers_shifts = reports = 0.0
        self.through = np.ones(self.model.pop.n_grids)
        if mods.checkpoint is not None:
            c = mods.checkpoint
            h = c.hours_per_shift
            shifts = float(plan.served_total[col["checkpoint"]]) / h
            workers_shifts = float(plan.worker_hours[col["checkpoint"]]) / h
            need = plan.grid_demand[:, col["checkpoint"]]
            got = served[:, col["checkpoint"]]
            staffed = np.clip(np.where(need > 0, got / np.where(need > 0, need, 1), 0.0), 0, 1)
            self.through = c.through_unstaffed + (c.through_staffed - c.through_unstaffed) * staffed
        if mods.reporting is not None:
            reports = float(plan.served_total[col["reporting"]]) / mods.reporting.hours_per_report
            need = plan.grid_demand[:, col["reporting"]]
            done = np.where(need > 0, served[:, col["reporting"]] / np.where(need > 0, need, 1), 1)
            self.findings *= 1.0 - np.clip(done, 0.0, 1.0)  # what is not reported waits
        # inspections: lapses arise in every community; a round's visits fix them
        problems = 0
        if mods.inspections is not None:
            start, ins = mods.inspections.start, mods.inspections.params
            rng = self.model.streams.day("inspections", day)
            self.lapses += rng.poisson(ins.lapse_rate, size=self.lapses.size)
            per_day = ins.groups * ins.communities_per_group_day
            into_round = (day - start) % ins.interval_days
            visited = np.arange(into_round * per_day, (into_round + 1) * per_day)
            visited = visited[visited < self.lapses.size]
            found = rng.binomial(self.lapses[visited].astype(np.int64), ins.detect_prob)
            self.lapses[visited] -= found
            problems = int(found.sum())
            self.problems_found += problems
            # the community's first grid worker reports what was found there
            np.add.at(self.findings, self.community_grid[visited], found)
        self.messages += float(messages.sum())
        self.shifts += shifts
        self.shifts_workers += workers_shifts
        self.reports += reports
        self.today = {
            "messages": float(messages.sum()),
            "shifts": shifts,
            "shifts_workers": workers_shifts,
            "reports": reports,
            "problems": problems,
        }

    def note_findings(self, residents: np.ndarray) -> None:
        """Count findings (referrals, key persons, quarantined contacts) for reporting."""
        if residents.size:
            self.findings += np.bincount(
                self.model.pop.grid[residents], minlength=self.findings.size
            )

    def break_prob(self) -> np.ndarray:
        """Probability a resident tries a forbidden trip anyway, per grid (by awareness)."""
        m = self.model.cfg.mobility
        return m.break_prob_unaware + (m.break_prob_aware - m.break_prob_unaware) * self.awareness

    def contact_factor(self, j: np.ndarray) -> np.ndarray:
        """Community and market contacts kept by residents ``j`` given their grid's awareness."""
        return 1.0 - self.aware_cfg.contact_effect * self.awareness[self.model.pop.grid[j]]

    def home_outside_share(self, j: np.ndarray, day: int) -> np.ndarray:
        """Outside contacts kept today by residents ``j`` in home quarantine (0..1).

        Compliance decays with days at home; monitoring and awareness remove part of the
        non-compliance; open lapses in an urban community add to it (up to double).
        """
        grid = self.model.pop.grid[j]
        aware = self.aware_cfg.compliance_effect * self.awareness[grid]
        removed = 1.0 - (1.0 - self.monitor_boost[grid]) * (1.0 - aware)
        share = self.quarantine.outside_share(j, day, removed)
        comm = self.staff.grid_community[grid]
        lapses = np.where(comm >= 0, self.lapses[np.maximum(comm, 0)], 0.0)
        return np.minimum(share * (1.0 + np.minimum(lapses, 10.0) / 10.0), 1.0)

    # ------------------------------------------------------------------ work
    def screen(self, day: int, mods: DailyModifiers, rng: np.random.Generator) -> dict[str, Any]:
        """Visit today's doors; returns symptomatic residents and key persons found."""
        none = np.zeros(0, dtype=np.int64)
        out: dict[str, Any] = {"symptomatic": none, "key": none, "key_until": none, "screened": 0}
        if mods.screening is None or self.plan_today is None:
            return out
        index, s = mods.screening.policy, mods.screening.params
        campaign = self.campaigns[index]
        hh = campaign.visit(
            self.plan_today.grid_hours[:, self.col["screening"]],
            self.visit_rate(mods),
            s.answer_prob,
            day,
            rng,
        )
        pop, e = self.model.pop, self.model.epi
        first = pop.household_start[hh]
        size = pop.household_start[hh + 1] - first
        res, _ = expand_ranges(first, size)
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
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Queue today's cases and trace what today's hours allow.

        Returns:
            (cases traced, contacts found, each contact's group code).
        """
        none = np.zeros(0, dtype=np.int64)
        if mods.tracing is None or self.plan_today is None:
            return none, none, none
        self.tracing.enqueue(confirmed, day)
        e = self.model.epi
        # contacts are traced from 2 days before onset (asymptomatic: before the test)
        anchor = np.where(e.onset_day >= 0, e.onset_day, e.confirmed_day)
        return self.tracing.trace(
            self.plan_today.grid_hours[:, self.col["tracing"]],
            day,
            self.tracing_rules(mods),
            anchor - WINDOW_DAYS,
            e.infected_day,
            e.layer,
            rng,
        )

    def admit(
        self,
        day: int,
        mods: DailyModifiers,
        idx: np.ndarray,
        group: np.ndarray,
        until: np.ndarray,
        rng: np.random.Generator,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Quarantine residents where today's policy says: (at home, in the facility).

        With centralised quarantine the facility's groups get its rooms by priority,
        together with residents waiting at home for a room.
        """
        none = np.zeros(0, dtype=np.int64)
        mode = mods.quarantine_mode
        if mode is None:
            return none, none
        rooms = mods.facility_capacity * self.model.cfg.quarantine.facility_rooms_factor
        capacity = scaled_count(round(rooms), self.scale, minimum=0)
        home, fac = self.quarantine.admit(
            idx,
            group,
            day,
            until,
            mode,
            capacity,
            mods.facility_priority,
            mods.facility_overflow_home,
            rng,
        )
        return home, fac

    def isolate(self, idx: np.ndarray) -> None:
        """Confirmed cases leave quarantine for isolation."""
        self.quarantine.leave(idx)
        self.model.epi.isolation[idx] = CASE

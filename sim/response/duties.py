"""Standing grid duties: messages and awareness, monitoring, checkpoints, reports, inspections."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.config import AwarenessConfig
from sim.metrics import Metric, table
from sim.policies import DailyModifiers
from sim.response.quarantine import Quarantine
from sim.response.staff import DayPlan
from sim.rng import Streams
from sim.world.population import Population

METRICS = """
new_messages | messages | messages pushed | real
    prevention messages pushed by grid workers today
cum_messages | messages | messages pushed so far | real
    prevention messages pushed since day 0
new_checkpoint_shifts | shifts | checkpoint shifts | real
    checkpoint and gate shifts staffed today
cum_checkpoint_shifts_grid_workers | shifts | grid workers' shifts so far | real
    checkpoint shifts staffed by grid workers since day 0
new_reports | reports | reports filed | real
    reports filed to the command centre today
cum_reports | reports | reports filed so far | real
    reports filed since day 0
new_problems_fixed | lapses | problems fixed
    lapses found and fixed by inspections today
cum_problems_fixed | lapses | problems fixed so far
    lapses found and fixed since day 0
n_open_lapses | lapses | open lapses | real
    lapses open in the urban communities at end of day
mean_awareness | share | awareness | real
    residents' mean awareness (0..1)
"""
SUMMARY = """
messages_pushed | messages | messages pushed
    prevention messages pushed
checkpoint_shifts | shifts | checkpoint shifts
    checkpoint and gate shifts
checkpoint_shifts_grid_workers | shifts | grid workers' checkpoint shifts
    checkpoint shifts staffed by grid workers
reports_filed | reports | reports filed
    reports filed to the command centre
problems_fixed | lapses | problems fixed
    lapses found and fixed
mean_awareness_final | share | final awareness | real
    residents' mean awareness on the last day
"""


@dataclass
class DutyCounts:
    """What the standing duties produced: one day's, or the run's so far."""

    messages: float = 0.0  # prevention messages pushed
    shifts: float = 0.0  # checkpoint and gate shifts staffed
    shifts_workers: float = 0.0  # of which by grid workers
    reports: float = 0.0  # reports filed to the command centre
    problems: int = 0  # lapses found and fixed by inspections

    def add(self, other: DutyCounts) -> None:
        """Add another count to this one."""
        self.messages += other.messages
        self.shifts += other.shifts
        self.shifts_workers += other.shifts_workers
        self.reports += other.reports
        self.problems += other.problems


class GridDuties:
    """The standing duties of one district's grids and their effect on residents.

    Grid workers push messages (awareness of each grid), monitor home quarantine,
    staff checkpoints and gates (how many rule-breaking trips get through), report
    findings; supervision groups inspect the urban communities for lapses.

    Args:
        pop: The synthetic district.
        awareness: The awareness config.
        grid_community: Community of each grid (-1: village).
        n_communities: Number of urban communities.
        quarantine: Home and facility quarantine (compliance of those at home).
        streams: The run's random streams.
    """

    def __init__(
        self,
        pop: Population,
        awareness: AwarenessConfig,
        grid_community: np.ndarray,
        n_communities: int,
        quarantine: Quarantine,
        streams: Streams,
    ) -> None:
        self.pop, self.cfg, self.streams = pop, awareness, streams
        self.quarantine = quarantine
        self.grid_community = grid_community
        self.awareness = np.full(pop.n_grids, awareness.initial)
        self.grid_households = np.diff(np.searchsorted(pop.household_start, pop.grid_start))
        self.lapses = np.zeros(n_communities)
        urban_grids = np.flatnonzero(grid_community >= 0)
        self.community_grid = np.zeros(n_communities, dtype=np.int64)
        self.community_grid[grid_community[urban_grids[::-1]]] = urban_grids[::-1]
        self.findings = np.zeros(pop.n_grids)  # things to report, per grid
        # probability a rule-breaking trip gets through, per grid (1: no checkpoints)
        self.through = np.ones(pop.n_grids)
        self.monitor_boost = np.zeros(pop.n_grids)
        self.today = DutyCounts()
        self.total = DutyCounts()

    def demand(
        self, mods: DailyModifiers, col: dict[str, int], grid: np.ndarray, community: np.ndarray
    ) -> None:
        """Add the hours today's duties ask to the grids' and communities' demand.

        Args:
            mods: Today's modifiers.
            col: Column of each task in the demand arrays.
            grid: Hours each task asks of each grid (n_grids, T), added to.
            community: Hours each task asks of each community's cadres (n_comm, T).
        """
        modes = mods.coordination
        if mods.monitoring is not None:
            at_home = self.quarantine.at_home()
            per_grid = np.bincount(self.pop.grid[at_home], minlength=self.pop.n_grids)
            grid[:, col["monitoring"]] = per_grid * mods.monitoring.hours_per_person
        if mods.checkpoint is not None:
            c = mods.checkpoint
            grid[:, col["checkpoint"]] = c.road_shifts_per_grid * c.hours_per_shift
            gates = c.gate_shifts_per_community * c.hours_per_shift
            if "grid_property" in modes:
                gates *= 1.0 - modes["grid_property"].gate_share
            community[:, col["checkpoint"]] = gates
        if mods.reporting is not None:
            r = mods.reporting
            grid[:, col["reporting"]] = (r.routine_per_grid + self.findings) * r.hours_per_report
        if mods.information is not None:
            grid[:, col["information"]] = mods.information.hours_per_day

    def carry_out(self, day: int, mods: DailyModifiers, plan: DayPlan, col: dict[str, int]) -> None:
        """Messages, monitoring cover, shifts, reports and inspections of today's hours."""
        served = plan.grid_hours
        today = DutyCounts()
        # information push -> awareness of each grid
        messages = np.zeros(self.pop.n_grids)
        if mods.information is not None:
            messages = served[:, col["information"]] * mods.information.messages_per_hour
            exposure = messages * mods.information.reach / np.maximum(self.grid_households, 1)
            self.awareness += (1.0 - self.awareness) * -np.expm1(-exposure)
        self.awareness *= 1.0 - self.cfg.decay
        today.messages = float(messages.sum())
        # monitoring cover of home quarantine
        self.monitor_boost = self._monitoring(mods, plan, col)
        self.through = np.ones(self.pop.n_grids)
        if mods.checkpoint is not None:
            c = mods.checkpoint
            h = c.hours_per_shift
            today.shifts = float(plan.served_total[col["checkpoint"]]) / h
            today.shifts_workers = float(plan.worker_hours[col["checkpoint"]]) / h
            staffed = _cover(plan.grid_demand[:, col["checkpoint"]], served[:, col["checkpoint"]])
            self.through = c.through_unstaffed + (c.through_staffed - c.through_unstaffed) * staffed
        if mods.reporting is not None:
            today.reports = (
                float(plan.served_total[col["reporting"]]) / mods.reporting.hours_per_report
            )
            need = plan.grid_demand[:, col["reporting"]]
            done = np.where(need > 0, served[:, col["reporting"]] / np.where(need > 0, need, 1), 1)
            self.findings *= 1.0 - np.clip(done, 0.0, 1.0)  # what is not reported waits
        if mods.inspections is not None:
            today.problems = self._inspect(day, mods)
        self.today = today
        self.total.add(today)

    def _monitoring(self, mods: DailyModifiers, plan: DayPlan, col: dict[str, int]) -> np.ndarray:
        """How much today's monitoring of home quarantine removes of non-compliance."""
        need = plan.grid_demand[:, col["monitoring"]]
        served = plan.grid_hours[:, col["monitoring"]]
        cover = np.where(need > 0, served / np.where(need > 0, need, 1), 0)
        effect = mods.monitoring.effect if mods.monitoring is not None else 0.0
        return effect * np.clip(cover, 0.0, 1.0)

    def _inspect(self, day: int, mods: DailyModifiers) -> int:
        """Lapses arise in every community; today's visits of the round fix those found."""
        assert mods.inspections is not None
        start, ins = mods.inspections.start, mods.inspections.params
        rng = self.streams.day("inspections", day)
        self.lapses += rng.poisson(ins.lapse_rate, size=self.lapses.size)
        per_day = ins.groups * ins.communities_per_group_day
        into_round = (day - start) % ins.interval_days
        visited = np.arange(into_round * per_day, (into_round + 1) * per_day)
        visited = visited[visited < self.lapses.size]
        found = rng.binomial(self.lapses[visited].astype(np.int64), ins.detect_prob)
        self.lapses[visited] -= found
        # the community's first grid worker reports what was found there
        np.add.at(self.findings, self.community_grid[visited], found)
        return int(found.sum())

    def note_findings(self, residents: np.ndarray) -> None:
        """Count findings (referrals, key persons, quarantined contacts) for reporting."""
        if residents.size:
            self.findings += np.bincount(self.pop.grid[residents], minlength=self.findings.size)

    def break_prob(self, unaware: float, aware: float) -> np.ndarray:
        """Probability a resident tries a forbidden trip anyway, per grid (by awareness)."""
        return unaware + (aware - unaware) * self.awareness

    def contact_factor(self, j: np.ndarray) -> np.ndarray:
        """Community and market contacts kept by residents ``j`` given their grid's awareness."""
        return 1.0 - self.cfg.contact_effect * self.awareness[self.pop.grid[j]]

    def home_outside_share(self, j: np.ndarray, day: int) -> np.ndarray:
        """Outside contacts kept today by residents ``j`` in home quarantine (0..1).

        Compliance decays with days at home; monitoring and awareness remove part of the
        non-compliance; open lapses in an urban community add to it (up to double).
        """
        grid = self.pop.grid[j]
        aware = self.cfg.compliance_effect * self.awareness[grid]
        removed = 1.0 - (1.0 - self.monitor_boost[grid]) * (1.0 - aware)
        share = self.quarantine.outside_share(j, day, removed)
        comm = self.grid_community[grid]
        lapses = np.where(comm >= 0, self.lapses[np.maximum(comm, 0)], 0.0)
        return np.minimum(share * (1.0 + np.minimum(lapses, 10.0) / 10.0), 1.0)

    # ---------------------------------------------------------------- outputs
    @staticmethod
    def metrics() -> list[Metric]:
        """The daily columns this component records."""
        return table(METRICS)

    def values(self) -> dict[str, float]:
        """Today's values of ``metrics``."""
        t, c = self.today, self.total
        return {
            "new_messages": t.messages,
            "cum_messages": c.messages,
            "new_checkpoint_shifts": t.shifts,
            "cum_checkpoint_shifts_grid_workers": c.shifts_workers,
            "new_reports": t.reports,
            "cum_reports": c.reports,
            "new_problems_fixed": t.problems,
            "cum_problems_fixed": c.problems,
            "n_open_lapses": float(self.lapses.sum()),
            "mean_awareness": float(
                np.average(self.awareness, weights=np.diff(self.pop.grid_start))
            ),
        }

    @staticmethod
    def summary_fields() -> list[Metric]:
        """The summary fields this component contributes."""
        return table(SUMMARY)

    def summary(self, ts: pd.DataFrame) -> dict[str, float]:
        """This component's part of ``summary.json``."""
        return {
            "messages_pushed": round(self.total.messages),
            "checkpoint_shifts": round(float(ts["new_checkpoint_shifts"].sum())),
            "checkpoint_shifts_grid_workers": round(self.total.shifts_workers),
            "reports_filed": round(self.total.reports),
            "problems_fixed": self.total.problems,
            "mean_awareness_final": round(float(ts["mean_awareness"].iloc[-1]), 4),
        }


def _cover(need: np.ndarray, got: np.ndarray) -> np.ndarray:
    """Share of each grid's need that was served (0..1; 0 where nothing was needed)."""
    return np.clip(np.where(need > 0, got / np.where(need > 0, need, 1), 0.0), 0, 1)

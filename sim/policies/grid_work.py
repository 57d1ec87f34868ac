"""Everyday grid work: information push, checkpoint shifts, reporting, inspections, modes."""

from __future__ import annotations

from dataclasses import dataclass

from sim.policies.base import Policy, register
from sim.policies.modifiers import DailyModifiers, Rounds
from sim.policies.params import (
    CheckpointParams,
    CoordinationParams,
    InformationParams,
    InspectionParams,
    ReportingParams,
)


@register
class DeployCadres(Policy):
    """Cadres from the district units enter their assigned urban communities (F8).

    Without this policy the cadres do not work; while it is active they give their daily
    hours (``staff.cadre_hours``) to their community's duties and help its grid workers.
    """

    kind = "deploy_cadres"
    group = "grid work and staff"

    @dataclass(frozen=True)
    class Params:
        """``deploy_cadres`` has no parameters (numbers and hours: ``staff`` config)."""

    def apply(self, mods: DailyModifiers, day: int) -> None:
        """Put the cadres to work today."""
        mods.cadres_deployed = True


@register
class InformationPush(Policy):
    """Grid workers push prevention messages (WeChat groups, notices) to their grid (F5, F11).

    Messages raise the grid's awareness, which lowers community and market contacts and
    raises home-quarantine compliance (``awareness`` config). F11: 368,200 messages by
    1,291 grid workers, ~4.5 a worker-day from 24 Jan to 27 Mar (63 days): 0.45 h at 10
    an hour.
    """

    kind = "information_push"
    group = "grid work and staff"
    Params = InformationParams
    params: InformationParams

    def apply(self, mods: DailyModifiers, day: int) -> None:
        """Ask grid workers to push messages today."""
        mods.information = self.params


@register
class Checkpoints(Policy):
    """Staffed main-road checkpoints (grid workers, F11) and community gates (cadres, F8).

    Staff hours go to shifts; the share of each grid's shifts that is staffed sets how
    many rule-breaking trips get through there: ``through_unstaffed`` with no staff,
    ``through_staffed`` with every shift staffed, linear in between. Without this
    policy nobody stops a rule-breaking trip. F11: 18,450 checkpoint shifts by 1,291
    grid workers, ~0.23 a worker-day from 24 Jan to 27 Mar (63 days), of which ~0.02
    are gate shifts they take before the cadres arrive: 0.2 road shifts a grid-day.
    Gate shifts are the cadres' first duty in their communities (F8); grid workers take
    what cadres cannot.
    """

    kind = "checkpoints"
    group = "mobility"
    Params = CheckpointParams
    params: CheckpointParams

    def apply(self, mods: DailyModifiers, day: int) -> None:
        """Ask staff to man the checkpoints and gates today."""
        mods.checkpoint = self.params


@register
class GridReporting(Policy):
    """Grid workers report to the district command centre (F6, F11: 17,200 reports).

    Every finding (a symptomatic resident referred, a key person, a quarantined contact,
    a problem found by inspection) is reported, plus routine reports.
    """

    kind = "grid_reporting"
    group = "grid work and staff"
    Params = ReportingParams
    params: ReportingParams

    def apply(self, mods: DailyModifiers, day: int) -> None:
        """Ask grid workers to file today's reports."""
        mods.reporting = self.params


@register
class Inspections(Policy):
    """Supervision groups inspect the urban communities in rounds and fix lapses (F9).

    Lapses (gate lapses, quarantine breaches) arise in each community at a daily rate;
    each open lapse makes home quarantine there leakier. A round visits every community;
    each lapse found is fixed. F9: 15 rounds over the 87 communities found 800+ problems,
    ~0.6 per visit; 0.17 new lapses a community-day, with rounds starting four days apart
    between 2020-01-28 and 2020-03-27, gives about that.
    """

    kind = "inspections"
    group = "grid work and staff"
    Params = InspectionParams
    params: InspectionParams

    def apply(self, mods: DailyModifiers, day: int) -> None:
        """Inspect the communities due today (rounds start every ``interval_days``)."""
        mods.inspections = Rounds(self.start, self.params)


@register
class Coordination(Policy):
    """A coordination mode of grid work (F12); each changes capacity or effectiveness.

    - ``grid_police``: grid worker + community police + cadre on each case ("many to
      one"): tracing takes ``tracing_hours_factor`` of the hours per case and finds
      ``tracing_extra_found`` more of the other contacts.
    - ``grid_property``: property companies (1+N) take ``gate_share`` of the community
      gate shifts and share their resident rolls: screening in urban grids goes
      ``screening_speedup`` times as fast.
    - ``grid_department``: department cadres help with every task, not only screening,
      monitoring and gates.

    Each parameter acts only in its mode; the default sizes are assumptions.
    """

    kind = "coordination"
    group = "grid work and staff"
    Params = CoordinationParams
    params: CoordinationParams

    def apply(self, mods: DailyModifiers, day: int) -> None:
        """Switch the mode on today (several modes combine)."""
        mods.coordination[self.params.mode] = self.params

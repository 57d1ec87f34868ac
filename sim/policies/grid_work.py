"""Everyday grid work: information push, checkpoint shifts, reporting, inspections, modes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.config import check_nonneg, check_positive, check_prob
from sim.errors import ConfigError
from sim.policies.base import Policy, register

if TYPE_CHECKING:
    from sim.model import DistrictModel

COORDINATION_MODES = ("grid_police", "grid_property", "grid_department")


@register
class DeployCadres(Policy):
    """Cadres from the district units enter their assigned urban communities (F8).

    Without this policy the cadres do not work; while it is active they give their daily
    hours (``staff.cadre_hours``) to their community's duties and help its grid workers.
    """

    kind = "deploy_cadres"

    @dataclass
    class Params:
        """``deploy_cadres`` has no parameters (numbers and hours: ``staff`` config)."""

    def apply(self, model: DistrictModel, day: int) -> None:
        """Put the cadres to work today."""
        model.mods.cadres_deployed = True


@register
class InformationPush(Policy):
    """Grid workers push prevention messages (WeChat groups, notices) to their grid (F5, F11).

    Messages raise the grid's awareness, which lowers community and market contacts and
    raises home-quarantine compliance (``awareness`` config). F11: 368,200 messages by
    1,291 grid workers, ~4.5 a worker-day from 24 Jan to 27 Mar (63 days): 0.45 h at 10
    an hour.
    """

    kind = "information_push"

    @dataclass
    class Params:
        """Parameters of ``information_push``."""

        hours_per_day: float = 0.45  # hours a grid worker gives it a day (derived from F11)
        messages_per_hour: float = 10.0  # messages pushed per hour (assumption)
        reach: float = 30.0  # households a message reaches (assumption: a group post)

        def check(self, where: str) -> None:
            """Raise ConfigError on out-of-range values."""
            check_nonneg(f"{where}.hours_per_day", self.hours_per_day)
            check_nonneg(f"{where}.messages_per_hour", self.messages_per_hour)
            check_nonneg(f"{where}.reach", self.reach)

    def apply(self, model: DistrictModel, day: int) -> None:
        """Ask grid workers to push messages today."""
        model.mods.information = self.params


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

    @dataclass
    class Params:
        """Parameters of ``checkpoints``."""

        road_shifts_per_grid: float = 0.2  # main-road shifts a day per grid (derived from F11)
        gate_shifts_per_community: float = 6.0  # gate shifts a day per community (assumption)
        hours_per_shift: float = 8.0  # hours of a shift (assumption)
        through_staffed: float = 0.1  # rule-breaking trips let through, fully staffed (assumption)
        through_unstaffed: float = 0.8  # the same with no staff on the shifts (assumption)

        def check(self, where: str) -> None:
            """Raise ConfigError on out-of-range values."""
            check_nonneg(f"{where}.road_shifts_per_grid", self.road_shifts_per_grid)
            check_nonneg(f"{where}.gate_shifts_per_community", self.gate_shifts_per_community)
            check_positive(f"{where}.hours_per_shift", self.hours_per_shift)
            check_prob(f"{where}.through_staffed", self.through_staffed)
            check_prob(f"{where}.through_unstaffed", self.through_unstaffed)

    def apply(self, model: DistrictModel, day: int) -> None:
        """Ask staff to man the checkpoints and gates today."""
        model.mods.checkpoint = self.params


@register
class GridReporting(Policy):
    """Grid workers report to the district command centre (F6, F11: 17,200 reports).

    Every finding (a symptomatic resident referred, a key person, a quarantined contact,
    a problem found by inspection) is reported, plus routine reports.
    """

    kind = "grid_reporting"

    @dataclass
    class Params:
        """Parameters of ``grid_reporting``."""

        routine_per_grid: float = 0.16  # routine reports a day per grid (derived from F11)
        hours_per_report: float = 0.25  # hours to file a report (assumption)

        def check(self, where: str) -> None:
            """Raise ConfigError on out-of-range values."""
            check_nonneg(f"{where}.routine_per_grid", self.routine_per_grid)
            check_positive(f"{where}.hours_per_report", self.hours_per_report)

    def apply(self, model: DistrictModel, day: int) -> None:
        """Ask grid workers to file today's reports."""
        model.mods.reporting = self.params


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

    @dataclass
    class Params:
        """Parameters of ``inspections``."""

        groups: int = 3  # supervision groups (F9)
        communities_per_group_day: int = 10  # communities a group inspects a day (assumption)
        interval_days: int = 4  # days from the start of one round to the next (F9: 15 rounds)
        lapse_rate: float = 0.17  # new lapses a day per community (derived from F9)
        detect_prob: float = 0.9  # lapses found and fixed on a visit (assumption)

        def check(self, where: str) -> None:
            """Raise ConfigError on out-of-range values."""
            if self.groups < 1:
                raise ConfigError(f"{where}.groups must be a positive integer, got {self.groups}")
            if self.communities_per_group_day < 1:
                raise ConfigError(
                    f"{where}.communities_per_group_day must be a positive integer, "
                    f"got {self.communities_per_group_day}"
                )
            if self.interval_days < 1:
                raise ConfigError(
                    f"{where}.interval_days must be a positive integer, got {self.interval_days}"
                )
            check_nonneg(f"{where}.lapse_rate", self.lapse_rate)
            check_prob(f"{where}.detect_prob", self.detect_prob)

    def apply(self, model: DistrictModel, day: int) -> None:
        """Inspect the communities due today (rounds start every ``interval_days``)."""
        model.mods.inspections = (self.start, self.params)


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

    @dataclass
    class Params:
        """Parameters of ``coordination``."""

        mode: str = "grid_police"  # grid_police | grid_property | grid_department
        tracing_hours_factor: float = 0.6  # grid_police: hours per case, relative (assumption)
        tracing_extra_found: float = 0.2  # grid_police: extra share of contacts found (assumption)
        gate_share: float = 0.5  # grid_property: gate shifts taken by property staff (assumption)
        screening_speedup: float = (
            1.25  # grid_property: urban screening rate, relative (assumption)
        )

        def check(self, where: str) -> None:
            """Raise ConfigError on out-of-range values."""
            if self.mode not in COORDINATION_MODES:
                raise ConfigError(
                    f"{where}.mode must be one of {list(COORDINATION_MODES)}, got {self.mode!r}"
                )
            check_positive(f"{where}.tracing_hours_factor", self.tracing_hours_factor)
            check_prob(f"{where}.tracing_extra_found", self.tracing_extra_found)
            check_prob(f"{where}.gate_share", self.gate_share)
            check_positive(f"{where}.screening_speedup", self.screening_speedup)

    def apply(self, model: DistrictModel, day: int) -> None:
        """Switch the mode on today (several modes combine)."""
        model.mods.coordination[self.params.mode] = self.params

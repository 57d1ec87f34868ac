"""Measures carried out by grid workers and cadres: screening, tracing, quarantine."""

from __future__ import annotations

from dataclasses import dataclass

from sim.config import QUARANTINE_GROUPS
from sim.policies.base import Policy, register
from sim.policies.modifiers import Campaign, DailyModifiers
from sim.policies.params import (
    MonitoringParams,
    QuarantineTestingParams,
    ScreeningParams,
    TracingParams,
)
from sim.rules import Rule, checked, nonneg, one_of

PRIORITY = Rule(  # the quarantine groups, each at most once, in the order they get rooms
    lambda p: (
        isinstance(p, list)
        and not any(g not in QUARANTINE_GROUPS for g in p)
        and not len(set(p)) < len(p)
    ),
    f"a list of distinct groups among {list(QUARANTINE_GROUPS)}",
)


@register
class DoorToDoorScreening(Policy):
    """Door-to-door screening of every household by grid workers (and cadres) (F1, F6).

    Screened households' symptomatic residents are referred to a fever clinic and
    confirmed ``referral_days`` later (unless care seeking confirms them sooner); returnees
    within their key-person period are quarantined if a quarantine policy is active.
    One round: each household is screened once.
    """

    kind = "screening_campaign"
    group = "disease control"
    Params = ScreeningParams
    params: ScreeningParams

    def apply(self, mods: DailyModifiers, day: int) -> None:
        """Ask staff to screen today."""
        mods.screening = Campaign(self.index, self.params)


@register
class TraceContacts(Policy):
    """Grid workers trace the contacts of confirmed cases, with limited hours per case.

    Household and named close contacts first; other (casual) contacts only as the
    day's hours allow (``sim.response.tracing``).
    """

    kind = "contact_tracing"
    group = "disease control"
    Params = TracingParams
    params: TracingParams

    def apply(self, mods: DailyModifiers, day: int) -> None:
        """Ask staff to trace today."""
        mods.tracing = self.params


@register
class CentralisedQuarantine(Policy):
    """Quarantined residents go to a facility with a capacity, highest risk first (F2).

    ``priority`` lists the groups that go to the facility, in the order they get a
    room when rooms are short: household contacts of confirmed cases, key persons
    (returnees from Hubei found by screening), named close contacts, other contacts.
    A group not listed stays in home quarantine (with monitoring, F7), as does
    whoever finds no room (``overflow: home``); those waiting at home move in, by the
    same order, as rooms free up.
    """

    kind = "centralised_quarantine"
    group = "disease control"

    @dataclass(frozen=True)
    class Params:
        """Parameters of ``centralised_quarantine``."""

        capacity: int = checked(nonneg, default=2000)  # rooms at full scale (assumption; scaled)
        # where contacts go when it is full: home | none
        overflow: str = checked(one_of(("home", "none")), default="home")
        # Li F et al., Lancet Infect Dis 2021: Wuhan quarantined household contacts
        # centrally (household reproduction number -52%); returnees from Hubei next
        # groups in order; null: all, highest risk first
        priority: list[str] | None = checked(PRIORITY, default=None)

    params: Params

    def apply(self, mods: DailyModifiers, day: int) -> None:
        """Send today's quarantined residents to the facility, by priority."""
        mods.quarantine_mode = "facility"
        mods.facility_capacity = self.params.capacity
        mods.facility_overflow_home = self.params.overflow == "home"
        order = QUARANTINE_GROUPS if self.params.priority is None else self.params.priority
        mods.facility_priority = [QUARANTINE_GROUPS.index(g) for g in order]


@register
class HomeQuarantine(Policy):
    """Traced contacts and key persons stay home; household contacts go on (leaky)."""

    kind = "home_quarantine"
    group = "disease control"

    @dataclass(frozen=True)
    class Params:
        """``home_quarantine`` has no parameters (behaviour: ``quarantine`` config)."""

    def apply(self, mods: DailyModifiers, day: int) -> None:
        """Quarantine today's contacts at home, unless a facility takes them."""
        if mods.quarantine_mode is None:
            mods.quarantine_mode = "home"


@register
class QuarantineMonitoring(Policy):
    """24-hour "smart monitoring + manual duty" of home quarantine (F7)."""

    kind = "quarantine_monitoring"
    group = "disease control"
    Params = MonitoringParams
    params: MonitoringParams

    def apply(self, mods: DailyModifiers, day: int) -> None:
        """Ask staff to monitor home quarantine today."""
        mods.monitoring = self.params


@register
class QuarantineTesting(Policy):
    """PCR tests of quarantined residents: on entry, before release, and when ill.

    A test finds an infection with the sensitivity of its day since infection
    (Kucirka et al., Ann Intern Med 2020; ``sim.response.testing``); a positive resident is
    confirmed (and isolated) the same day. With a ``lab_capacity`` the samples queue
    for the lab (the ill first, then the oldest). Tests are counted and costed.
    """

    kind = "quarantine_testing"
    group = "disease control"
    Params = QuarantineTestingParams
    params: QuarantineTestingParams

    def apply(self, mods: DailyModifiers, day: int) -> None:
        """Test quarantined residents today."""
        mods.quarantine_testing = self.params

"""Measures carried out by grid workers and cadres: screening, tracing, quarantine."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.config import QUARANTINE_GROUPS, check_nonneg, check_positive, check_prob
from sim.errors import ConfigError
from sim.policies.base import Policy, register

if TYPE_CHECKING:
    from sim.model import DistrictModel

# 928,700 residents (~357,000 households) screened in 2 days (FACTS F1) by 1,291 grid
# workers at 10 h a day with cadres in the urban communities: a median grid of ~280
# households takes ~350 door visits when a fifth of doors need a second visit, i.e.
# ~17.5 visits an hour over two days; 20 visits an hour (3 minutes a door) lets the
# larger grids finish within the third day.
VISITS_PER_HOUR = 20.0


@register
class ScreeningCampaign(Policy):
    """Door-to-door screening of every household by grid workers (and cadres) (F1, F6).

    Screened households' symptomatic residents are referred to a fever clinic and
    confirmed ``referral_days`` later (unless care seeking confirms them sooner); returnees
    within their key-person period are quarantined if a quarantine policy is active.
    One round: each household is screened once.
    """

    kind = "screening_campaign"

    @dataclass
    class Params:
        """Parameters of ``screening_campaign``."""

        visits_per_hour: float = VISITS_PER_HOUR  # door visits per staff hour
        answer_prob: float = 0.8  # doors answered on a visit (assumption)
        cadres: bool = True  # cadres help in their communities
        referral_days: int = 2  # days from referral to a confirmed test (assumption)

        def check(self, where: str) -> None:
            """Raise ConfigError on out-of-range values."""
            check_positive(f"{where}.visits_per_hour", self.visits_per_hour)
            if not 0 <= self.referral_days <= 14:
                raise ConfigError(
                    f"{where}.referral_days must be whole days in [0, 14], got "
                    f"{self.referral_days!r}"
                )
            check_prob(f"{where}.answer_prob", self.answer_prob)
            if self.answer_prob == 0:
                raise ConfigError(f"{where}.answer_prob must be in (0, 1], got 0")

    def apply(self, model: DistrictModel, day: int) -> None:
        """Ask staff to screen today."""
        model.mods.screening = (self.index, self.params)


@register
class ContactTracing(Policy):
    """Grid workers trace the contacts of confirmed cases, with limited hours per case.

    Household and named close contacts first; other (casual) contacts only as the
    day's hours allow (``sim.response.tracing``).
    """

    kind = "contact_tracing"

    @dataclass
    class Params:
        """Parameters of ``contact_tracing``."""

        # assumption: hours to find a case's household and named contacts (range 1-4)
        hours_per_case: float = 2.0
        hours_per_case_other: float = 1.0  # more for its other contacts (assumption, 0.5-3)
        delay_days: int = 1  # days from confirmation before tracing can start
        household_share: float = 1.0  # household members found
        named_share: float = 0.8  # infectees at work or in the community named (assumption, 0.5-1)
        # colleagues or neighbours named besides those infected: Shanghai's 90,885 index
        # cases named 4.96 close contacts each, most of them household (BMJ Public
        # Health 2024); Guangzhou 8.7 a case (Luo et al., Ann Intern Med 2020)
        named_contacts: int = 3
        other_share: float = 0.3  # infectees met elsewhere (markets) found (assumption, 0.1-0.5)
        other_contacts: int = 5  # other grid residents found per case (assumption, 0-10)
        quarantine_days: int = 14  # quarantine of a traced contact (days)

        def check(self, where: str) -> None:
            """Raise ConfigError on out-of-range values."""
            check_positive(f"{where}.hours_per_case", self.hours_per_case)
            check_nonneg(f"{where}.hours_per_case_other", self.hours_per_case_other)
            check_nonneg(f"{where}.delay_days", self.delay_days)
            check_prob(f"{where}.household_share", self.household_share)
            check_prob(f"{where}.named_share", self.named_share)
            check_nonneg(f"{where}.named_contacts", self.named_contacts)
            check_prob(f"{where}.other_share", self.other_share)
            check_nonneg(f"{where}.other_contacts", self.other_contacts)
            check_positive(f"{where}.quarantine_days", self.quarantine_days)

    def apply(self, model: DistrictModel, day: int) -> None:
        """Ask staff to trace today."""
        model.mods.tracing = self.params


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

    @dataclass
    class Params:
        """Parameters of ``centralised_quarantine``."""

        capacity: int = 2000  # rooms at full scale (assumption; scaled)
        overflow: str = "home"  # where contacts go when it is full: home | none
        # Li F et al., Lancet Infect Dis 2021: Wuhan quarantined household contacts
        # centrally (household reproduction number -52%); returnees from Hubei next
        priority: list[str] | None = None  # groups in order; null: all, highest risk first

        def check(self, where: str) -> None:
            """Raise ConfigError on out-of-range values."""
            check_nonneg(f"{where}.capacity", self.capacity)
            if self.overflow not in ("home", "none"):
                raise ConfigError(
                    f"{where}.overflow must be one of ['home', 'none'], got {self.overflow!r}"
                )
            groups = list(QUARANTINE_GROUPS)
            p = groups if self.priority is None else self.priority
            if not isinstance(p, list) or any(g not in groups for g in p) or len(set(p)) < len(p):
                raise ConfigError(
                    f"{where}.priority must be a list of distinct groups among {groups}, got {p!r}"
                )

    def apply(self, model: DistrictModel, day: int) -> None:
        """Send today's quarantined residents to the facility, by priority."""
        m = model.mods
        m.quarantine_mode = "facility"
        m.facility_capacity = self.params.capacity
        m.facility_overflow_home = self.params.overflow == "home"
        order = QUARANTINE_GROUPS if self.params.priority is None else self.params.priority
        m.facility_priority = [QUARANTINE_GROUPS.index(g) for g in order]


@register
class HomeQuarantine(Policy):
    """Traced contacts and key persons stay home; household contacts go on (leaky)."""

    kind = "home_quarantine"

    @dataclass
    class Params:
        """``home_quarantine`` has no parameters (behaviour: ``quarantine`` config)."""

    def apply(self, model: DistrictModel, day: int) -> None:
        """Quarantine today's contacts at home, unless a facility takes them."""
        if model.mods.quarantine_mode is None:
            model.mods.quarantine_mode = "home"


@register
class QuarantineMonitoring(Policy):
    """24-hour "smart monitoring + manual duty" of home quarantine (F7)."""

    kind = "quarantine_monitoring"

    @dataclass
    class Params:
        """Parameters of ``quarantine_monitoring``."""

        hours_per_person: float = 0.2  # staff hours a day per resident at home (assumption)
        effect: float = 0.8  # share of non-compliance removed when fully staffed (assumption)

        def check(self, where: str) -> None:
            """Raise ConfigError on out-of-range values."""
            check_nonneg(f"{where}.hours_per_person", self.hours_per_person)
            check_prob(f"{where}.effect", self.effect)

    def apply(self, model: DistrictModel, day: int) -> None:
        """Ask staff to monitor home quarantine today."""
        model.mods.monitoring = self.params


@register
class QuarantineTesting(Policy):
    """PCR tests of quarantined residents: on entry, before release, and when ill.

    A test finds an infection with the sensitivity of its day since infection
    (Kucirka et al., Ann Intern Med 2020; ``sim.response.testing``); a positive resident is
    confirmed (and isolated) the same day. With a ``lab_capacity`` the samples queue
    for the lab (the ill first, then the oldest). Tests are counted and costed.
    """

    kind = "quarantine_testing"

    @dataclass
    class Params:
        """Parameters of ``quarantine_testing``."""

        on_entry: bool = True  # tested on the day quarantine starts
        before_release: bool = True  # tested on the last day of quarantine
        symptomatic: bool = True  # tested every day they have symptoms until positive
        # assumption: price of one RT-PCR test in early 2020 (range 80-260; Tianjin's
        # cap was 120 CNY until Jan 2021, Beijing's 80 CNY from then: Health Times,
        # 2021-02-15)
        cost_per_test_cny: float = 180.0
        # samples the district's lab runs a day at full scale (scaled with the
        # population); None: every sample the day it is due
        lab_capacity: float | None = None

        def check(self, where: str) -> None:
            """Raise ConfigError on out-of-range values."""
            check_nonneg(f"{where}.cost_per_test_cny", self.cost_per_test_cny)
            if self.lab_capacity is not None:
                check_positive(f"{where}.lab_capacity", self.lab_capacity)

    def apply(self, model: DistrictModel, day: int) -> None:
        """Test quarantined residents today."""
        model.mods.quarantine_testing = self.params

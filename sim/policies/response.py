"""Measures carried out by grid workers and cadres: screening, tracing, quarantine."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.config import check_nonneg, check_positive, check_prob
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
    """Grid workers trace the contacts of confirmed cases, with limited hours per case."""

    kind = "contact_tracing"

    @dataclass
    class Params:
        """Parameters of ``contact_tracing``."""

        hours_per_case: float = 3.0  # staff hours to trace one case (assumption)
        delay_days: int = 1  # days from confirmation before tracing can start
        household_share: float = 1.0  # household members found
        other_share: float = 0.5  # infectees and other contacts found (assumption)
        other_contacts: int = 10  # other grid residents met per case (assumption)
        quarantine_days: int = 14  # quarantine of a traced contact (days)

        def check(self, where: str) -> None:
            """Raise ConfigError on out-of-range values."""
            check_positive(f"{where}.hours_per_case", self.hours_per_case)
            check_nonneg(f"{where}.delay_days", self.delay_days)
            check_prob(f"{where}.household_share", self.household_share)
            check_prob(f"{where}.other_share", self.other_share)
            check_nonneg(f"{where}.other_contacts", self.other_contacts)
            check_positive(f"{where}.quarantine_days", self.quarantine_days)

    def apply(self, model: DistrictModel, day: int) -> None:
        """Ask staff to trace today."""
        model.mods.tracing = self.params


@register
class CentralisedQuarantine(Policy):
    """Traced close contacts go to a quarantine facility with a capacity (F2).

    Key persons (returnees found by screening) stay in home isolation under monitoring
    (F7) unless ``key_persons`` is ``facility``.
    """

    kind = "centralised_quarantine"

    @dataclass
    class Params:
        """Parameters of ``centralised_quarantine``."""

        capacity: int = 2000  # rooms at full scale (assumption; scaled)
        overflow: str = "home"  # where contacts go when it is full: home | none
        key_persons: str = "home"  # where key persons go: home (F7) | facility

        def check(self, where: str) -> None:
            """Raise ConfigError on out-of-range values."""
            if self.key_persons not in ("home", "facility"):
                raise ConfigError(
                    f"{where}.key_persons must be one of ['home', 'facility'], "
                    f"got {self.key_persons!r}"
                )
            check_nonneg(f"{where}.capacity", self.capacity)
            if self.overflow not in ("home", "none"):
                raise ConfigError(
                    f"{where}.overflow must be one of ['home', 'none'], got {self.overflow!r}"
                )

    def apply(self, model: DistrictModel, day: int) -> None:
        """Send today's contacts to the facility."""
        m = model.mods
        m.quarantine_mode = "facility"
        m.facility_capacity = self.params.capacity
        m.facility_overflow_home = self.params.overflow == "home"
        m.key_persons_home = self.params.key_persons == "home"


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

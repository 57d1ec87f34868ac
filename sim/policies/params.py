"""Parameter records of the policy kinds whose parameters the engine reads each day."""

from __future__ import annotations

from dataclasses import dataclass

from sim.config import check_nonneg, check_positive, check_prob
from sim.errors import ConfigError

# These records sit below both the daily modifiers (which carry them to the engine) and
# the policy classes (which declare them as their ``Params``), so that neither imports
# the other's module. A policy whose parameters the modifiers never carry keeps its
# ``Params`` nested in its class.

# 928,700 residents (~357,000 households) screened in 2 days (FACTS F1) by 1,291 grid
# workers at 10 h a day with cadres in the urban communities: a median grid of ~280
# households takes ~350 door visits when a fifth of doors need a second visit, i.e.
# ~17.5 visits an hour over two days; 20 visits an hour (3 minutes a door) lets the
# larger grids finish within the third day.
VISITS_PER_HOUR = 20.0
COORDINATION_MODES = ("grid_police", "grid_property", "grid_department")
APPLIES_TO = ("all", "urban", "rural")
RESUMPTION_MODES = ("approval", "filing")


def check_applies(where: str, value: str) -> None:
    """Raise ConfigError unless ``value`` names a set of settlements."""
    if value not in APPLIES_TO:
        raise ConfigError(f"{where}.applies_to must be one of {list(APPLIES_TO)}, got {value!r}")


def check_names(where: str, key: str, value: object) -> None:
    """Raise ConfigError unless ``value`` is None or a list of strings."""
    if value is not None and (
        not isinstance(value, list) or not all(isinstance(v, str) for v in value)
    ):
        raise ConfigError(f"{where}.{key} must be a list of names or null, got {value!r}")


# ------------------------------------------------------------------ response
@dataclass(frozen=True)
class ScreeningParams:
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
                f"{where}.referral_days must be whole days in [0, 14], got {self.referral_days!r}"
            )
        check_prob(f"{where}.answer_prob", self.answer_prob)
        if self.answer_prob == 0:
            raise ConfigError(f"{where}.answer_prob must be in (0, 1], got 0")


@dataclass(frozen=True)
class TracingParams:
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


@dataclass(frozen=True)
class MonitoringParams:
    """Parameters of ``quarantine_monitoring``."""

    hours_per_person: float = 0.2  # staff hours a day per resident at home (assumption)
    effect: float = 0.8  # share of non-compliance removed when fully staffed (assumption)

    def check(self, where: str) -> None:
        """Raise ConfigError on out-of-range values."""
        check_nonneg(f"{where}.hours_per_person", self.hours_per_person)
        check_prob(f"{where}.effect", self.effect)


@dataclass(frozen=True)
class QuarantineTestingParams:
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


# ------------------------------------------------------------------ grid work
@dataclass(frozen=True)
class InformationParams:
    """Parameters of ``information_push``."""

    hours_per_day: float = 0.45  # hours a grid worker gives it a day (derived from F11)
    messages_per_hour: float = 10.0  # messages pushed per hour (assumption)
    reach: float = 30.0  # households a message reaches (assumption: a group post)

    def check(self, where: str) -> None:
        """Raise ConfigError on out-of-range values."""
        check_nonneg(f"{where}.hours_per_day", self.hours_per_day)
        check_nonneg(f"{where}.messages_per_hour", self.messages_per_hour)
        check_nonneg(f"{where}.reach", self.reach)


@dataclass(frozen=True)
class CheckpointParams:
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


@dataclass(frozen=True)
class ReportingParams:
    """Parameters of ``grid_reporting``."""

    routine_per_grid: float = 0.16  # routine reports a day per grid (derived from F11)
    hours_per_report: float = 0.25  # hours to file a report (assumption)

    def check(self, where: str) -> None:
        """Raise ConfigError on out-of-range values."""
        check_nonneg(f"{where}.routine_per_grid", self.routine_per_grid)
        check_positive(f"{where}.hours_per_report", self.hours_per_report)


@dataclass(frozen=True)
class InspectionParams:
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


@dataclass(frozen=True)
class CoordinationParams:
    """Parameters of ``coordination``."""

    mode: str = "grid_police"  # grid_police | grid_property | grid_department
    tracing_hours_factor: float = 0.6  # grid_police: hours per case, relative (assumption)
    tracing_extra_found: float = 0.2  # grid_police: extra share of contacts found (assumption)
    gate_share: float = 0.5  # grid_property: gate shifts taken by property staff (assumption)
    screening_speedup: float = 1.25  # grid_property: urban screening rate, relative (assumption)

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


# ------------------------------------------------------------------ mobility
@dataclass(frozen=True)
class HouseholdPassParams:
    """Parameters of ``household_pass``."""

    interval_days: int = 2  # a household may shop once every this many days (Jiangsu notices)
    farm_work: bool = True  # farmers may still go to their fields (assumption)
    applies_to: str = "all"  # all | urban | rural residents
    notice_days: int = 1  # days households know of the passes before they start (assumption)

    def check(self, where: str) -> None:
        """Raise ConfigError on out-of-range values."""
        if self.interval_days < 1:
            raise ConfigError(
                f"{where}.interval_days must be a positive integer, got {self.interval_days}"
            )
        if self.notice_days < 0:
            raise ConfigError(
                f"{where}.notice_days must be a non-negative integer, got {self.notice_days}"
            )
        check_applies(where, self.applies_to)


@dataclass(frozen=True)
class VehiclePassParams:
    """Parameters of ``vehicle_pass``."""

    freight_share: float = 0.1  # commercial vehicle trips with a pass (assumption)
    farm_freight_share: float = 0.3  # farm produce still trucked out (assumption)

    def check(self, where: str) -> None:
        """Raise ConfigError on out-of-range values."""
        check_prob(f"{where}.freight_share", self.freight_share)
        check_prob(f"{where}.farm_freight_share", self.farm_freight_share)


# ------------------------------------------------------------------ supply
@dataclass(frozen=True)
class OnlineSupplyParams:
    """Parameters of ``online_supply``."""

    capacity: float = 40000.0  # orders delivered a day at full scale (assumption)
    basket_days: int = 7  # days of necessities an order brings (assumption: a week)
    uptake_urban: float = 0.5  # urban households that order online (assumption)
    uptake_rural: float = 0.2  # rural households that order online (assumption)
    ramp_days: int = 7  # days until every household that will use it does (assumption)
    lead_days: int = 1  # days from order to the earliest delivery (assumption)
    last_mile_hours_per_order: float = 0.1  # gate-to-door hours an order (assumption)
    volunteer_share: float = 0.5  # last-mile orders carried by volunteers (assumption)
    local_produce_share: float = 0.5  # of online sales, bought from local farmers (assumption)
    orders_per_vehicle_trip: float = 20.0  # orders a delivery van carries a trip (assumption)
    return_days: int = 14  # days to go back to markets after restrictions (assumption: 7-28)

    def check(self, where: str) -> None:
        """Raise ConfigError on out-of-range values."""
        check_nonneg(f"{where}.capacity", self.capacity)
        if self.basket_days < 1:
            raise ConfigError(f"{where}.basket_days must be >= 1 day, got {self.basket_days!r}")
        for name in ("uptake_urban", "uptake_rural", "volunteer_share", "local_produce_share"):
            check_prob(f"{where}.{name}", getattr(self, name))
        if self.ramp_days < 1:
            raise ConfigError(f"{where}.ramp_days must be a positive integer, got {self.ramp_days}")
        if self.lead_days < 1:
            raise ConfigError(f"{where}.lead_days must be a positive integer, got {self.lead_days}")
        check_nonneg(f"{where}.last_mile_hours_per_order", self.last_mile_hours_per_order)
        check_positive(f"{where}.orders_per_vehicle_trip", self.orders_per_vehicle_trip)
        if self.return_days < 1:
            raise ConfigError(
                f"{where}.return_days must be a positive integer, got {self.return_days}"
            )


@dataclass(frozen=True)
class ErrandsParams:
    """Parameters of ``errands_for_sealed``."""

    hours_per_errand: float = 0.5  # buy a basket, carry it to the door (assumption: 0.25-1.5)
    volunteer_share: float = 0.5  # errands run by volunteers (assumption: 0-0.8)
    basket_days: int = 3  # days of necessities an errand brings (assumption: 3-7)

    def check(self, where: str) -> None:
        """Raise ConfigError on out-of-range values."""
        check_nonneg(f"{where}.hours_per_errand", self.hours_per_errand)
        check_prob(f"{where}.volunteer_share", self.volunteer_share)
        if self.basket_days < 1:
            raise ConfigError(f"{where}.basket_days must be >= 1 day, got {self.basket_days!r}")


# ------------------------------------------------------------------ economy
@dataclass(frozen=True)
class StoppageParams:
    """Parameters of ``work_stoppage``."""

    exempt_sectors: list[str] | None = None  # sectors that keep working (null: none)

    def check(self, where: str) -> None:
        """Raise ConfigError on out-of-range values."""
        check_names(where, "exempt_sectors", self.exempt_sectors)


@dataclass(frozen=True)
class ResumptionParams:
    """Parameters of ``resumption``."""

    mode: str = "filing"  # approval | filing
    filing_days: int = 1  # days from filing to reopening (assumption: the next day)
    spot_check_share: float = 0.1  # filings checked before reopening (assumption, 0.05-0.3)

    def check(self, where: str) -> None:
        """Raise ConfigError on out-of-range values."""
        if self.mode not in RESUMPTION_MODES:
            raise ConfigError(
                f"{where}.mode must be one of {list(RESUMPTION_MODES)}, got {self.mode!r}"
            )
        if self.filing_days < 0:
            raise ConfigError(
                f"{where}.filing_days must be a non-negative integer, got {self.filing_days}"
            )
        check_prob(f"{where}.spot_check_share", self.spot_check_share)

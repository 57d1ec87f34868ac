"""Parameter records of the policy kinds whose parameters the engine reads each day."""

from __future__ import annotations

from dataclasses import dataclass

from sim.rules import Rule, at_least, checked, names, nonneg, one_of, positive, prob, within

# These records sit below both the daily modifiers (which carry them to the engine) and
# the policy classes (which declare them as their ``Params``), so that neither imports
# the other's module. A policy whose parameters the modifiers never carry keeps its
# ``Params`` nested in its class. Each field's range sits beside it (sim/rules.py).

# 928,700 residents (~357,000 households) screened in 2 days (FACTS F1) by 1,291 grid
# workers at 10 h a day with cadres in the urban communities: a median grid of ~280
# households takes ~350 door visits when a fifth of doors need a second visit, i.e.
# ~17.5 visits an hour over two days; 20 visits an hour (3 minutes a door) lets the
# larger grids finish within the third day.
VISITS_PER_HOUR = 20.0
COORDINATION_MODES = ("grid_police", "grid_property", "grid_department")
APPLIES_TO = ("all", "urban", "rural")
RESUMPTION_MODES = ("approval", "filing")

POSITIVE_INT = at_least(1, "a positive integer")
NONNEG_INT = at_least(0, "a non-negative integer")
AT_LEAST_A_DAY = at_least(1, ">= 1 day")
SETTLEMENTS = one_of(APPLIES_TO)


# ------------------------------------------------------------------ response
@dataclass(frozen=True)
class ScreeningParams:
    """Parameters of ``screening_campaign``."""

    # door visits per staff hour
    visits_per_hour: float = checked(positive, default=VISITS_PER_HOUR)
    # doors answered on a visit (assumption)
    answer_prob: float = checked(prob, Rule(lambda v: v != 0, "in (0, 1]", shown=int), default=0.8)
    cadres: bool = True  # cadres help in their communities
    # days from referral to a confirmed test (assumption)
    referral_days: int = checked(within(0, 14, "whole days in [0, 14]"), default=2)


@dataclass(frozen=True)
class TracingParams:
    """Parameters of ``contact_tracing``."""

    # assumption: hours to find a case's household and named contacts (range 1-4)
    hours_per_case: float = checked(positive, default=2.0)
    # more for its other contacts (assumption, 0.5-3)
    hours_per_case_other: float = checked(nonneg, default=1.0)
    delay_days: int = checked(nonneg, default=1)  # days from confirmation before tracing can start
    household_share: float = checked(prob, default=1.0)  # household members found
    # infectees at work or in the community named (assumption, 0.5-1)
    named_share: float = checked(prob, default=0.8)
    # colleagues or neighbours named besides those infected: Shanghai's 90,885 index
    # cases named 4.96 close contacts each, most of them household (BMJ Public
    # Health 2024); Guangzhou 8.7 a case (Luo et al., Ann Intern Med 2020)
    named_contacts: int = checked(nonneg, default=3)
    # infectees met elsewhere (markets) found (assumption, 0.1-0.5)
    other_share: float = checked(prob, default=0.3)
    # other grid residents found per case (assumption, 0-10)
    other_contacts: int = checked(nonneg, default=5)
    quarantine_days: int = checked(positive, default=14)  # quarantine of a traced contact (days)


@dataclass(frozen=True)
class MonitoringParams:
    """Parameters of ``quarantine_monitoring``."""

    # staff hours a day per resident at home (assumption)
    hours_per_person: float = checked(nonneg, default=0.2)
    # share of non-compliance removed when fully staffed (assumption)
    effect: float = checked(prob, default=0.8)


@dataclass(frozen=True)
class QuarantineTestingParams:
    """Parameters of ``quarantine_testing``."""

    on_entry: bool = True  # tested on the day quarantine starts
    before_release: bool = True  # tested on the last day of quarantine
    symptomatic: bool = True  # tested every day they have symptoms until positive
    # assumption: price of one RT-PCR test in early 2020 (range 80-260; Tianjin's
    # cap was 120 CNY until Jan 2021, Beijing's 80 CNY from then: Health Times,
    # 2021-02-15)
    cost_per_test_cny: float = checked(nonneg, default=180.0)
    # samples the district's lab runs a day at full scale (scaled with the
    # population); None: every sample the day it is due
    lab_capacity: float | None = checked(positive, default=None)


# ------------------------------------------------------------------ grid work
@dataclass(frozen=True)
class InformationParams:
    """Parameters of ``information_push``."""

    # hours a grid worker gives it a day (derived from F11)
    hours_per_day: float = checked(nonneg, default=0.45)
    # messages pushed per hour (assumption)
    messages_per_hour: float = checked(nonneg, default=10.0)
    # households a message reaches (assumption: a group post)
    reach: float = checked(nonneg, default=30.0)


@dataclass(frozen=True)
class CheckpointParams:
    """Parameters of ``checkpoints``."""

    # main-road shifts a day per grid (derived from F11)
    road_shifts_per_grid: float = checked(nonneg, default=0.2)
    # gate shifts a day per community (assumption)
    gate_shifts_per_community: float = checked(nonneg, default=6.0)
    hours_per_shift: float = checked(positive, default=8.0)  # hours of a shift (assumption)
    # rule-breaking trips let through, fully staffed (assumption)
    through_staffed: float = checked(prob, default=0.1)
    # the same with no staff on the shifts (assumption)
    through_unstaffed: float = checked(prob, default=0.8)


@dataclass(frozen=True)
class ReportingParams:
    """Parameters of ``grid_reporting``."""

    # routine reports a day per grid (derived from F11)
    routine_per_grid: float = checked(nonneg, default=0.16)
    hours_per_report: float = checked(positive, default=0.25)  # hours to file a report (assumption)


@dataclass(frozen=True)
class InspectionParams:
    """Parameters of ``inspections``."""

    groups: int = checked(POSITIVE_INT, default=3)  # supervision groups (F9)
    # communities a group inspects a day (assumption)
    communities_per_group_day: int = checked(POSITIVE_INT, default=10)
    # days from the start of one round to the next (F9: 15 rounds)
    interval_days: int = checked(POSITIVE_INT, default=4)
    lapse_rate: float = checked(nonneg, default=0.17)  # new lapses a day per community (from F9)
    # lapses found and fixed on a visit (assumption)
    detect_prob: float = checked(prob, default=0.9)


@dataclass(frozen=True)
class CoordinationParams:
    """Parameters of ``coordination``."""

    # grid_police | grid_property | grid_department
    mode: str = checked(one_of(COORDINATION_MODES), default="grid_police")
    # grid_police: hours per case, relative (assumption)
    tracing_hours_factor: float = checked(positive, default=0.6)
    # grid_police: extra share of contacts found (assumption)
    tracing_extra_found: float = checked(prob, default=0.2)
    # grid_property: gate shifts taken by property staff (assumption)
    gate_share: float = checked(prob, default=0.5)
    # grid_property: urban screening rate, relative (assumption)
    screening_speedup: float = checked(positive, default=1.25)


# ------------------------------------------------------------------ mobility
@dataclass(frozen=True)
class HouseholdPassParams:
    """Parameters of ``household_pass``."""

    # a household may shop once every this many days (Jiangsu notices)
    interval_days: int = checked(POSITIVE_INT, default=2)
    farm_work: bool = True  # farmers may still go to their fields (assumption)
    applies_to: str = checked(SETTLEMENTS, default="all")  # all | urban | rural residents
    # days households know of the passes before they start (assumption)
    notice_days: int = checked(NONNEG_INT, default=1)


@dataclass(frozen=True)
class VehiclePassParams:
    """Parameters of ``vehicle_pass``."""

    # commercial vehicle trips with a pass (assumption)
    freight_share: float = checked(prob, default=0.1)
    # farm produce still trucked out (assumption)
    farm_freight_share: float = checked(prob, default=0.3)


# ------------------------------------------------------------------ supply
@dataclass(frozen=True)
class OnlineSupplyParams:
    """Parameters of ``online_supply``."""

    # orders delivered a day at full scale (assumption)
    capacity: float = checked(nonneg, default=40000.0)
    # days of necessities an order brings (assumption: a week)
    basket_days: int = checked(AT_LEAST_A_DAY, default=7)
    # urban households that order online (assumption)
    uptake_urban: float = checked(prob, default=0.5)
    # rural households that order online (assumption)
    uptake_rural: float = checked(prob, default=0.2)
    # days until every household that will use it does (assumption)
    ramp_days: int = checked(POSITIVE_INT, default=7)
    # days from order to the earliest delivery (assumption)
    lead_days: int = checked(POSITIVE_INT, default=1)
    # gate-to-door hours an order (assumption)
    last_mile_hours_per_order: float = checked(nonneg, default=0.1)
    # last-mile orders carried by volunteers (assumption)
    volunteer_share: float = checked(prob, default=0.5)
    # of online sales, bought from local farmers (assumption)
    local_produce_share: float = checked(prob, default=0.5)
    # orders a delivery van carries a trip (assumption)
    orders_per_vehicle_trip: float = checked(positive, default=20.0)
    # days to go back to markets after restrictions (assumption: 7-28)
    return_days: int = checked(POSITIVE_INT, default=14)


@dataclass(frozen=True)
class ErrandsParams:
    """Parameters of ``errands_for_sealed``."""

    # buy a basket, carry it to the door (assumption: 0.25-1.5)
    hours_per_errand: float = checked(nonneg, default=0.5)
    # errands run by volunteers (assumption: 0-0.8)
    volunteer_share: float = checked(prob, default=0.5)
    # days of necessities an errand brings (assumption: 3-7)
    basket_days: int = checked(AT_LEAST_A_DAY, default=3)


# ------------------------------------------------------------------ economy
@dataclass(frozen=True)
class StoppageParams:
    """Parameters of ``work_stoppage``."""

    # sectors that keep working (null: none)
    exempt_sectors: list[str] | None = checked(names, default=None)


@dataclass(frozen=True)
class ResumptionParams:
    """Parameters of ``resumption``."""

    mode: str = checked(one_of(RESUMPTION_MODES), default="filing")  # approval | filing
    # days from filing to reopening (assumption: the next day)
    filing_days: int = checked(NONNEG_INT, default=1)
    # filings checked before reopening (assumption, 0.05-0.3)
    spot_check_share: float = checked(prob, default=0.1)

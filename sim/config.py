"""Schema of a run's configuration: dataclasses checked by Hydra, each field with its range."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import Any

from omegaconf import MISSING

from sim.rules import (
    Each,
    Rule,
    at_least,
    check_fields,
    check_shares,
    checked,
    fail,
    iso_date,
    length,
    nonneg,
    one_of,
    parse_date,
    positive,
    prob,
    shares,
    within,
)

# Every empirical value lives in configs/*.yaml beside its source; the schema below
# fixes names, types, units and allowed ranges only (MISSING = must come from a config
# file). A field's range sits beside it (``checked(...)``, sim/rules.py); what spans
# several fields is in the dataclass's ``check``.

DISEASE_KINDS = ("covid", "well_mixed_seir")
STAFF_TASKS = (
    "tracing",
    "screening",
    "monitoring",
    "errands",
    "delivery",
    "checkpoint",
    "reporting",
    "information",
)
PROGRESS_MODES = ("auto", "always", "never")
# Groups of quarantined residents, highest risk first (codes: their index; sim/response/tracing.py)
QUARANTINE_GROUPS = ("household", "key_person", "named", "other")
DEMAND_DRIVERS = (
    "none",
    "outings",
    "shopping",
    "freight",
    "farm",
    "external_industry",
    "external_farm",
    "deliveries",
)  # see sim/economy/enterprises.py

POSITIVE_INT = at_least(1, "a positive integer")
POSITIVE_DAYS = at_least(1, "a positive number of days")
AGE = within(0, 80, "an age in [0, 80] years")
HOURS = within(0.0, 24.0, "hours in [0, 24]")
SIZES = Rule(lambda v: not any(x < 1 for x in v), "non-negative counts / positive sizes")


def ordered_pair(allowed: str) -> Rule:
    """``[low, high]`` with ``0 <= low <= high``, described as ``allowed``."""
    return Rule(lambda v: len(v) == 2 and 0 <= v[0] <= v[1], allowed, shown=list)


BANDS = Rule(  # lower bounds of age bands (years)
    lambda v: not (not v or v[0] != 0 or any(b <= a for a, b in itertools.pairwise(v))),
    "increasing lower bounds starting at 0",
)


@dataclass
class Duration:
    """A lognormal waiting time given by its own mean and standard deviation (days)."""

    mean: float = checked(positive)
    sd: float = checked(nonneg)


@dataclass
class GammaTime:
    """A gamma-distributed time given by its own mean and standard deviation (days)."""

    mean: float = MISSING
    sd: float = MISSING


@dataclass
class SeedWindow:
    """Infections seeded in random residents at a Poisson rate over ``[start, stop)``.

    A device for tests and stress studies, not importation (importation comes with the
    returnees, ``ImportationConfig``). ``start`` and ``stop`` are ISO dates
    (``2020-01-20``) or day indices.
    """

    start: Any = MISSING
    stop: Any = MISSING
    per_day: float = checked(nonneg)  # mean seeded infections per day at reference_residents


@dataclass
class ArrivalWindow:
    """Returnees arriving over ``[start, stop)`` (ISO dates), ``weight`` per day (relative)."""

    start: Any = checked(iso_date)
    stop: Any = checked(iso_date)
    weight: float = checked(nonneg)  # relative arrivals per day in this window

    def check(self, where: str) -> None:
        """Raise ConfigError unless the window ends after it starts."""
        a = parse_date(f"{where}.start", self.start)
        if parse_date(f"{where}.stop", self.stop) <= a:
            raise fail(f"{where}.stop", f"after start ({a.isoformat()})", str(self.stop))


@dataclass
class ImportationConfig:
    """Infections that returnees bring back: acquired before arrival, where they were.

    A returnee arriving on day ``a`` is infected with probability
    ``prevalence * 2 ** ((a - reference_date) / doubling_days)`` (at most 1): the
    epidemic where they come from grows with that doubling time. An infected returnee
    was infected ``k`` days before arrival, ``k`` in ``0 .. max_days_before_arrival``
    with weights ``2 ** (-k / doubling_days)`` (more recent infections are more common in
    a growing epidemic), so some arrive presymptomatic and some already ill.
    """

    # share of returnees infected among arrivals on reference_date
    prevalence: float = checked(prob)
    reference_date: str = checked(iso_date)  # ISO date
    doubling_days: float = checked(positive)  # days; doubling time of the epidemic at the origin
    # days; longest time from infection to arrival
    max_days_before_arrival: int = checked(within(0, 60, "whole days in [0, 60]"))


@dataclass
class FirmsConfig:
    """Enterprise table at full scale: one entry per size class."""

    size_classes: list[str] = checked(Rule(lambda v: len(v) > 0, "a non-empty list"))
    counts: list[int] = checked(  # firms per size class at reference_residents
        Rule(lambda v: not any(x < 0 for x in v), "non-negative counts / positive sizes")
    )
    min_employees: list[int] = checked(SIZES)
    max_employees: list[int] = checked(SIZES)
    sectors: list[str] = MISSING
    sector_shares: list[float] = MISSING  # share of firms in each sector

    def check(self, where: str) -> None:
        """Raise ConfigError unless the lists agree with the size classes and sectors."""
        n = len(self.size_classes)
        for name in ("counts", "min_employees", "max_employees"):
            v = list(getattr(self, name))
            if len(v) != n:
                raise fail(f"{where}.{name}", f"a list of {n} values (one per size class)", v)
        for i in range(n):
            if self.min_employees[i] > self.max_employees[i]:
                raise fail(
                    f"{where}.max_employees[{i}]",
                    f">= min_employees[{i}] = {self.min_employees[i]}",
                    self.max_employees[i],
                )
        if sum(self.counts) < 1:
            raise fail(f"{where}.counts", "at least one firm", list(self.counts))
        check_shares(f"{where}.sector_shares", self.sector_shares, len(self.sectors))


@dataclass
class PopulationConfig:
    """The synthetic district: residents, households, settlements, grids, firms."""

    residents: int = checked(POSITIVE_INT)
    reference_residents: int = checked(positive)  # counts below are given at this size; scaled
    urban_share: float = checked(prob)  # share of residents in urban residential communities
    communities: int = checked(POSITIVE_INT)  # urban residential communities (小区)
    villages: int = checked(POSITIVE_INT)  # rural administrative villages
    grids: int = checked(POSITIVE_INT)  # grids (one grid worker each)
    markets: int = checked(POSITIVE_INT)  # markets where households buy necessities
    settlement_size_sigma: float = checked(nonneg)  # lognormal sigma of settlement sizes
    household_size_shares: list[float] = checked(*shares())  # sizes 1, 2, ..., len (shape only)
    household_mean_size: float = MISSING  # persons; the shape is tilted to this mean
    age_band_shares: list[float] = checked(*shares(9))  # bands [0,10), ..., [80, 100)
    household_head_min_age: int = checked(AGE)  # years
    employment_rate: float = checked(prob)  # non-farming residents aged 20-59
    employment_rate_60_64: float = checked(prob)
    farmer_share: float = checked(prob)  # rural residents aged 20-69 who farm
    vehicle_share_urban: float = checked(prob)  # households with a motor vehicle
    vehicle_share_rural: float = checked(prob)
    returnees: int = checked(nonneg)  # key persons back from hard-hit areas, at reference_residents
    returnee_arrival: list[ArrivalWindow] = checked(  # dated profile of their arrivals
        Rule(lambda v: len(v) > 0, "a non-empty list of {start, stop, weight} windows"),
        Rule(
            lambda v: sum(w.weight for w in v) > 0,
            "windows with a positive weight",
            shown=lambda v: [w.weight for w in v],
        ),
    )
    firms: FirmsConfig = field(default_factory=FirmsConfig)

    def check(self, where: str) -> None:
        """Raise ConfigError unless the mean household size fits the size shares."""
        hmax = len(self.household_size_shares)
        if not 1.0 <= self.household_mean_size < hmax:
            raise fail(
                f"{where}.household_mean_size", f"in [1, {hmax}) persons", self.household_mean_size
            )


@dataclass
class DiseaseConfig:
    """Natural history and severity (``kind: covid``) or a homogeneous SEIR check model."""

    kind: str = checked(one_of(DISEASE_KINDS))  # covid | well_mixed_seir
    r0: float = checked(nonneg)  # basic reproduction number with no measures
    # well_mixed_seir only
    latent_days: float = MISSING  # mean latent period (days; memoryless, whole days)
    infectious_days: float = MISSING  # mean infectious period (days; memoryless, whole days)
    initial_infected: int = MISSING  # residents infectious on day 0
    # covid natural history (lognormal waiting times, days)
    incubation: Duration = field(default_factory=Duration)  # infection to symptom onset
    generation_interval: GammaTime = field(default_factory=GammaTime)  # infectiousness
    asymptomatic_duration: Duration = field(default_factory=Duration)
    mild_duration: Duration = field(default_factory=Duration)
    symptom_to_severe: Duration = field(default_factory=Duration)
    severe_to_critical: Duration = field(default_factory=Duration)
    severe_duration: Duration = field(default_factory=Duration)
    critical_to_death: Duration = field(default_factory=Duration)
    critical_duration: Duration = field(default_factory=Duration)
    onset_to_confirmation: Duration = field(default_factory=Duration)
    asymptomatic_share: float = checked(prob)
    rel_inf_asymptomatic: float = checked(prob)
    # gamma shape of individual infectiousness
    infectiousness_dispersion: float = checked(positive)
    susceptibility_age_bands: list[int] = MISSING  # lower bounds, years
    susceptibility: list[float] = checked(Each(nonneg))  # relative to the reference band
    severity_age_bands: list[int] = MISSING  # lower bounds, years
    hospitalised_share: list[float] = checked(Each(prob))  # of infections
    icu_share: list[float] = checked(Each(prob))  # of hospitalised
    ifr: list[float] = checked(Each(prob))  # infection fatality ratio
    care_seeking_prob: float = checked(prob)  # symptomatic residents who seek care
    hospital_beds: int = checked(nonneg)  # at reference_residents; scaled
    icu_beds: int = checked(nonneg)  # at reference_residents; scaled
    no_icu_death_odds_ratio: float = checked(positive)
    importation: ImportationConfig = field(default_factory=ImportationConfig)
    seeding: list[SeedWindow] = field(default_factory=list)  # tests and stress studies

    def check(self, where: str) -> None:
        """Raise ConfigError on values that depend on the kind or on other fields."""
        if self.kind == "well_mixed_seir":
            if not self.latent_days > 0.0:
                raise fail(f"{where}.latent_days", "> 0 days", self.latent_days)
            if not self.infectious_days >= 1.0:
                raise fail(
                    f"{where}.infectious_days",
                    ">= 1 day (the daily time step)",
                    self.infectious_days,
                )
            if self.initial_infected < 1:
                raise fail(f"{where}.initial_infected", "a positive integer", self.initial_infected)
        if len(self.susceptibility) != len(self.susceptibility_age_bands):
            raise fail(
                f"{where}.susceptibility",
                "one value per susceptibility_age_bands entry",
                list(self.susceptibility),
            )
        nb = len(self.severity_age_bands)
        for name in ("hospitalised_share", "icu_share", "ifr"):
            v = list(getattr(self, name))
            if len(v) != nb:
                raise fail(
                    f"{where}.{name}", f"a list of {nb} values (one per severity_age_bands)", v
                )
        for name in ("susceptibility_age_bands", "severity_age_bands"):  # after the lengths
            BANDS.check(f"{where}.{name}", list(getattr(self, name)))
        self._check_severity(where)

    def _check_severity(self, where: str) -> None:
        """Covid: some infections have symptoms, and the severe among them fit."""
        if self.asymptomatic_share >= 1.0 and self.kind == "covid":
            raise fail(f"{where}.asymptomatic_share", "< 1 for kind covid", self.asymptomatic_share)
        for i, h in enumerate(self.hospitalised_share):
            if h > 1.0 - self.asymptomatic_share:
                raise fail(
                    f"{where}.hospitalised_share[{i}]",
                    f"<= 1 - asymptomatic_share = {1 - self.asymptomatic_share}",
                    h,
                )
        if self.kind == "covid":
            positive.check(f"{where}.generation_interval.mean", self.generation_interval.mean)
            positive.check(f"{where}.generation_interval.sd", self.generation_interval.sd)


@dataclass
class ContactsConfig:
    """Contact layers and how transmission over them is calibrated."""

    household_sar: float = checked(prob)  # secondary attack rate in the household
    community_contacts: float = checked(nonneg)  # per resident per day, within the grid
    workplace_contacts: float = checked(nonneg)  # per employed resident per day
    market_contacts: float = checked(nonneg)  # per resident per day, at the market
    # of one contact, relative (scales beta)
    community_transmissibility: float = checked(nonneg, default=1.0)
    workplace_transmissibility: float = checked(nonneg, default=1.0)
    market_transmissibility: float = checked(nonneg, default=1.0)
    # per-pair daily hazard; None = calibrate
    beta_household: float | None = checked(nonneg, default=None)
    # per-contact hazard outside home; None = calibrate
    beta: float | None = checked(nonneg, default=None)
    # index cases in the next-generation estimate
    calibration_sample: int = checked(at_least(100, "an integer >= 100"))


@dataclass
class StaffConfig:
    """The response apparatus: grid workers (one per grid) and cadres."""

    grid_worker_hours: float = checked(HOURS)  # hours a day a grid worker gives the response
    cadres: int = checked(nonneg)  # at reference_residents; scaled
    cadre_units: int = checked(POSITIVE_INT)  # district units the cadres come from
    cadre_hours: float = checked(HOURS)  # hours a day a cadre gives the response
    priority: list[str] = checked(  # tasks in the order staff serve them
        Rule(lambda v: sorted(v) == sorted(STAFF_TASKS), f"an ordering of {list(STAFF_TASKS)}")
    )


@dataclass
class AwarenessConfig:
    """How residents' awareness (raised by information push) changes what they do."""

    initial: float = checked(prob)  # awareness on day 0 (0..1)
    decay: float = checked(nonneg)  # relative loss of awareness per day
    contact_effect: float = checked(prob)  # community and market contacts cut at full awareness
    compliance_effect: float = checked(prob)  # home-quarantine non-compliance cut at full awareness


@dataclass
class QuarantineConfig:
    """How quarantine at home behaves (where contacts go is a policy)."""

    home_household_factor: float = checked(prob)  # household contacts kept at home (0..1)
    home_compliance: float = checked(prob)  # outside contacts avoided on day 1 at home (0..1)
    home_compliance_decay: float = checked(nonneg)  # relative decay of compliance per day
    # days after arrival a returnee is a key person
    key_person_days: int = checked(POSITIVE_DAYS)
    # days from onset to confirmation in quarantine
    symptom_check_days: int = checked(within(0, 30, "whole days in [0, 30]"))
    # rooms relative to the policy's capacity
    facility_rooms_factor: float = checked(nonneg, default=1.0)


@dataclass
class MobilityConfig:
    """Residents' daily trips on a normal day (the baseline) and how they break rules."""

    # days an employed resident goes to work
    work_days_per_week: float = checked(within(0.0, 7.0, "days in [0, 7]"))
    farm_trip_prob: float = checked(prob)  # daily probability a farmer goes to the fields
    other_trip_prob: list[float] = checked(  # daily "other" trips by age band (9 bands)
        length(9, "a list of 9 probabilities (age bands)"), Each(prob)
    )
    visit_share: float = checked(prob)  # share of other trips into another community/village
    shopper_min_age: int = checked(AGE)  # youngest member who shops for the household (years)
    driver_ages: list[int] = checked(  # [youngest, oldest] age of a household's driver
        ordered_pair("[youngest, oldest] ages with youngest <= oldest")
    )
    car_mode_share: float = checked(prob)  # share of a driver's trips made by car
    # commercial vehicle trips a day per 1000 residents
    freight_trips_per_1000: float = checked(nonneg)
    essential_sectors: list[str] = MISSING  # sectors whose firms hold work passes
    # food-supply firms of other sectors
    essential_share_by_sector: list[float] = checked(Each(prob))
    sick_stay_home_prob: float = checked(prob)  # a symptomatic resident stays home that day
    fear_slope: float = checked(prob)  # share of other trips forgone per doubling of local cases
    fear_reference_per_100k: float = checked(positive)  # 7-day confirmed per 100k where fear starts
    fear_max: float = checked(prob)  # largest share of other trips residents forgo by choice
    break_prob_unaware: float = checked(prob)  # forbidden trips tried anyway, no awareness
    break_prob_aware: float = checked(prob)  # forbidden trips tried anyway, full awareness
    break_prob_short: float = checked(prob)  # a household out of necessities tries a forbidden trip

    def check_sectors(self, where: str, firms: FirmsConfig) -> None:
        """Raise ConfigError unless the sectors named and listed are the firms' sectors."""
        sectors = list(firms.sectors)
        if any(s not in sectors for s in self.essential_sectors):
            raise fail(
                f"{where}.essential_sectors",
                f"sectors among population.firms.sectors {sectors}",
                list(self.essential_sectors),
            )
        v = list(self.essential_share_by_sector)
        if len(v) != len(sectors):
            raise fail(
                f"{where}.essential_share_by_sector",
                f"a list of {len(sectors)} shares (one per sector {sectors})",
                v,
            )


@dataclass
class SupplyConfig:
    """Households' stocks of necessities, the markets, and the district's farm produce."""

    reorder_days: int = checked(nonneg)  # a household restocks when this many days are left
    target_days: int = MISSING  # and buys up to this many days of consumption
    restricted_target_days: int = MISSING  # the same while trips are rationed by passes
    # [low, high] stock on day 0 (whole days, uniform)
    initial_days: list[int] = checked(ordered_pair("[low, high] days with 0 <= low <= high"))
    # share of days a household eats 0 (or 2) days' worth
    consumption_spread: float = checked(within(0.0, 0.5, "a share in [0, 0.5]"))
    # a market's opening hours on a normal day
    market_normal_hours: float = checked(within(0.0, 24.0, "hours in (0, 24]", open_low=True))
    # visitors a market can take / normal visitors
    market_capacity_factor: float = checked(positive)
    spend_cny_per_household_day: float = checked(nonneg)  # necessities bought a household-day (CNY)
    # of market purchases, grown by the district's farmers
    market_local_share: float = checked(prob)
    # of farm output, normally sold in the district
    farm_local_sales_share: float = checked(within(0.0, 1.0, "a share in (0, 1]", open_low=True))
    farm_shelf_days: int = checked(POSITIVE_DAYS)  # days perishable produce keeps before it spoils

    def check(self, where: str) -> None:
        """Raise ConfigError unless households buy beyond the stock they restock at."""
        for name in ("target_days", "restricted_target_days"):
            v = getattr(self, name)
            if not v >= self.reorder_days + 1:
                raise fail(
                    f"{where}.{name}", f">= reorder_days + 1 = {self.reorder_days + 1} days", v
                )


@dataclass
class EconomyConfig:
    """Firms' normal-day accounts, cash, loans, closures and households' income.

    Lists ``*_by_sector`` have one value per ``population.firms.sectors`` entry and
    ``*_by_size`` one per ``population.firms.size_classes`` entry. Money is in CNY.
    """

    revenue_per_worker_day_by_sector: list[float] = checked(Each(nonneg))  # CNY per employee-day
    input_share_by_sector: list[float] = checked(Each(prob))  # purchased inputs / revenue
    wage_day_by_sector: list[float] = checked(Each(nonneg))  # CNY per employee-day
    rent_per_worker_day_by_sector: list[float] = checked(Each(nonneg))  # CNY per employee-day
    state_premises_share: float = checked(prob)  # firms renting state-owned premises
    property_tax_per_worker_day: float = checked(nonneg)  # land-use and property tax (CNY)
    vat_rate_small: float = checked(prob)  # small-scale taxpayers' VAT on sales
    vat_rate_general: float = checked(prob)  # general taxpayers' VAT on value added
    general_taxpayer_by_size: list[bool] = MISSING  # which size classes are general taxpayers
    social_insurance_rate: float = checked(prob)  # employer contributions / wages paid
    loan_share_by_size: list[float] = checked(Each(prob))  # firms with a bank loan
    loan_days_of_revenue: float = checked(nonneg)  # loan balance, in days of normal revenue
    interest_rate: float = checked(nonneg)  # a year
    loan_term_days: int = checked(POSITIVE_DAYS)  # loans fall due uniformly over this many days
    rollover_prob: float = checked(prob)  # a maturing loan is renewed (open firm)
    rollover_prob_closed: float = checked(prob)  # the same for a closed firm
    credit_line_days: float = checked(nonneg)  # credit line, in days of normal outgoings
    runway_months: list[float] = checked(  # edges of the cash-runway bins (months)
        Rule(
            lambda v: not (len(v) < 2 or v[0] < 0 or any(b <= a for a, b in itertools.pairwise(v))),
            "increasing bin edges in months, from >= 0",
            shown=list,
        )
    )
    runway_shares: list[float] = MISSING  # share of firms in each bin
    runway_factor_by_size: list[float] = checked(Each(positive))  # runway multiplier by size class
    # wages paid while a firm is closed
    closed_wage_share_by_size: list[float] = checked(Each(prob))
    min_workers_share: float = checked(prob)  # a firm closes with fewer of its workers
    demand_driver_by_sector: list[str] = MISSING  # none | outings | shopping | freight | farm
    min_demand_share_by_sector: list[float] = checked(Each(prob))  # a firm closes below this demand
    demand_closure_days: int = checked(POSITIVE_DAYS)  # days of low demand before it closes
    resume_demand_share: float = checked(prob)  # demand a firm waits for before applying to reopen
    approval_capacity: int = checked(nonneg)  # resumption approvals a day, full scale
    approval_days: int = checked(POSITIVE_DAYS)  # days an application takes at least
    dispute_prob: float = checked(prob)  # a stoppage leads to a contract or labour dispute
    dispute_frozen_days: float = checked(nonneg)  # cash a dispute ties up, days of normal revenue
    dispute_days: float = checked(positive)  # mean days to resolve a dispute
    mpc: float = checked(prob)  # share of lost income households stop spending
    external_dates: list[str] = MISSING  # ISO dates from which each level holds (before: 1)
    # national industrial demand / normal, by date
    external_industry: list[float] = checked(Each(nonneg))
    external_farm: list[float] = checked(Each(nonneg))  # national farm demand / normal, by date
    parcel_levels: list[float] = checked(Each(nonneg))  # national parcel volume / normal, by date
    # parcels delivered a normal day per 1000 residents
    parcels_per_1000_day: float = checked(nonneg)
    # savings spread an income loss over this many days
    income_smoothing_days: float = checked(positive)

    def check(self, where: str) -> None:
        """Raise ConfigError unless the runway bins and the dated national series agree."""
        check_shares(
            f"{where}.runway_shares", list(self.runway_shares), len(self.runway_months) - 1
        )
        n = len(external_dates(f"{where}.external_dates", list(self.external_dates)))
        for name in ("external_industry", "external_farm", "parcel_levels"):
            v = list(getattr(self, name))
            if len(v) != n:
                raise fail(
                    f"{where}.{name}", f"a list of {n} levels (one per economy.external_dates)", v
                )

    def check_firms(self, where: str, firms: FirmsConfig) -> None:
        """Raise ConfigError unless the lists by sector and by size class fit the firms."""
        n_sec = len(firms.sectors)
        by_sector = (
            "revenue_per_worker_day_by_sector",
            "input_share_by_sector",
            "wage_day_by_sector",
            "rent_per_worker_day_by_sector",
            "min_demand_share_by_sector",
        )
        self._check_lengths(where, by_sector, n_sec, f"sector {firms.sectors}")
        drivers = list(self.demand_driver_by_sector)
        if len(drivers) != n_sec or any(d not in DEMAND_DRIVERS for d in drivers):
            raise fail(
                f"{where}.demand_driver_by_sector",
                f"a list of {n_sec} drivers among {list(DEMAND_DRIVERS)}",
                drivers,
            )
        by_size = (
            "general_taxpayer_by_size",
            "loan_share_by_size",
            "runway_factor_by_size",
            "closed_wage_share_by_size",
        )
        n_size = len(firms.size_classes)
        self._check_lengths(where, by_size, n_size, f"size class {firms.size_classes}")

    def _check_lengths(self, where: str, names: tuple[str, ...], n: int, each: str) -> None:
        """Raise ConfigError unless each named list has ``n`` values (one per ``each``)."""
        for name in names:
            v = list(getattr(self, name))
            if len(v) != n:
                raise fail(f"{where}.{name}", f"a list of {n} values (one per {each})", v)


@dataclass
class OutputConfig:
    """What a run writes besides the contract files."""

    progress: str = checked(one_of(PROGRESS_MODES))  # auto | always | never
    events: bool = MISSING  # write per-resident events (confirmations, deaths)
    # report.html after a single run: auto (on a terminal) | always | never
    report: str = checked(one_of(PROGRESS_MODES))


@dataclass
class Config:
    """One run: world, disease, contacts, scenario, seed and length."""

    seed: int = checked(at_least(0, "a non-negative integer"))
    days: int = checked(POSITIVE_INT)
    scenario: str = MISSING
    knobs: dict[str, Any] = field(default_factory=dict)
    population: PopulationConfig = field(default_factory=PopulationConfig)
    disease: DiseaseConfig = field(default_factory=DiseaseConfig)
    contacts: ContactsConfig = field(default_factory=ContactsConfig)
    staff: StaffConfig = field(default_factory=StaffConfig)
    quarantine: QuarantineConfig = field(default_factory=QuarantineConfig)
    awareness: AwarenessConfig = field(default_factory=AwarenessConfig)
    mobility: MobilityConfig = field(default_factory=MobilityConfig)
    supply: SupplyConfig = field(default_factory=SupplyConfig)
    economy: EconomyConfig = field(default_factory=EconomyConfig)
    output: OutputConfig = field(default_factory=OutputConfig)

    def check(self, where: str) -> None:
        """Raise ConfigError where mobility or the economy disagrees with the firms."""
        self.mobility.check_sectors("mobility", self.population.firms)
        self.economy.check_firms("economy", self.population.firms)


def validate(cfg: Config) -> None:
    """Check every value of ``cfg`` against what the model allows.

    Raises:
        ConfigError: naming the first offending key and the allowed values.
    """
    check_fields(cfg)


def parse_day(key: str, value: Any, start_date: dt.date) -> int:
    """Turn a day index or an ISO date into a 0-based day index relative to ``start_date``.

    Args:
        key: Config key, for the error message.
        value: An int (day index), an ISO date string or a ``datetime.date``.
        start_date: Calendar date of day 0.

    Returns:
        The day index (may be negative or beyond the run; callers check the range).
    """
    if isinstance(value, bool):
        raise fail(key, "a day index or an ISO date (YYYY-MM-DD)", value)
    if isinstance(value, int):
        return value
    if isinstance(value, dt.date):
        return (value - start_date).days
    if isinstance(value, str):
        try:
            return (dt.date.fromisoformat(value) - start_date).days
        except ValueError:
            pass
        if value.strip().lstrip("-").isdigit():
            return int(value)
    raise fail(key, "a day index or an ISO date (YYYY-MM-DD)", value)


def external_dates(key: str, values: list[Any]) -> list[dt.date]:
    """Parse a list of ISO dates that must strictly increase.

    Raises:
        ConfigError: If an entry is not an ISO date or the dates do not increase.
    """
    try:
        dates = [v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v)) for v in values]
    except ValueError as err:
        raise fail(key, "a list of ISO dates (YYYY-MM-DD)", list(values)) from err
    if any(b <= a for a, b in itertools.pairwise(dates)):
        raise fail(key, "strictly increasing ISO dates", [str(d) for d in dates])
    return dates

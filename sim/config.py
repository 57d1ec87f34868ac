"""Schema of a run's configuration (dataclasses checked by Hydra) and its validation."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import Any

from omegaconf import MISSING

from sim.errors import ConfigError

# Every empirical value lives in configs/*.yaml beside its source; the schema below
# fixes names, types and units only (MISSING = must come from a config file).


@dataclass
class Duration:
    """A lognormal waiting time given by its own mean and standard deviation (days)."""

    mean: float = MISSING
    sd: float = MISSING


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
    per_day: float = MISSING  # mean seeded infections per day at reference_residents


@dataclass
class ArrivalWindow:
    """Returnees arriving over ``[start, stop)`` (ISO dates), ``weight`` per day (relative)."""

    start: Any = MISSING
    stop: Any = MISSING
    weight: float = MISSING  # relative arrivals per day in this window


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

    prevalence: float = MISSING  # share of returnees infected among arrivals on reference_date
    reference_date: str = MISSING  # ISO date
    doubling_days: float = MISSING  # days; doubling time of the epidemic at the origin
    max_days_before_arrival: int = MISSING  # days; longest time from infection to arrival


@dataclass
class FirmsConfig:
    """Enterprise table at full scale: one entry per size class."""

    size_classes: list[str] = MISSING
    counts: list[int] = MISSING  # firms per size class at reference_residents
    min_employees: list[int] = MISSING
    max_employees: list[int] = MISSING
    sectors: list[str] = MISSING
    sector_shares: list[float] = MISSING  # share of firms in each sector


@dataclass
class PopulationConfig:
    """The synthetic district: residents, households, settlements, grids, firms."""

    residents: int = MISSING
    reference_residents: int = MISSING  # counts below are given at this size; scaled
    urban_share: float = MISSING  # share of residents in urban residential communities
    communities: int = MISSING  # urban residential communities (小区)
    villages: int = MISSING  # rural administrative villages
    grids: int = MISSING  # grids (one grid worker each)
    markets: int = MISSING  # markets where households buy necessities
    settlement_size_sigma: float = MISSING  # lognormal sigma of settlement sizes
    household_size_shares: list[float] = MISSING  # sizes 1, 2, ..., len (shape only)
    household_mean_size: float = MISSING  # persons; the shape is tilted to this mean
    age_band_shares: list[float] = MISSING  # bands [0,10), ..., [80, 100)
    household_head_min_age: int = MISSING  # years
    employment_rate: float = MISSING  # non-farming residents aged 20-59
    employment_rate_60_64: float = MISSING
    farmer_share: float = MISSING  # rural residents aged 20-69 who farm
    vehicle_share_urban: float = MISSING  # households with a motor vehicle
    vehicle_share_rural: float = MISSING
    returnees: int = MISSING  # key persons back from hard-hit areas, at reference_residents
    returnee_arrival: list[ArrivalWindow] = MISSING  # dated profile of their arrivals
    firms: FirmsConfig = field(default_factory=FirmsConfig)


@dataclass
class DiseaseConfig:
    """Natural history and severity (``kind: covid``) or a homogeneous SEIR check model."""

    kind: str = MISSING  # covid | well_mixed_seir
    r0: float = MISSING  # basic reproduction number with no measures
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
    asymptomatic_share: float = MISSING
    rel_inf_asymptomatic: float = MISSING
    infectiousness_dispersion: float = MISSING  # gamma shape of individual infectiousness
    susceptibility_age_bands: list[int] = MISSING  # lower bounds, years
    susceptibility: list[float] = MISSING  # relative to the reference band
    severity_age_bands: list[int] = MISSING  # lower bounds, years
    hospitalised_share: list[float] = MISSING  # of infections
    icu_share: list[float] = MISSING  # of hospitalised
    ifr: list[float] = MISSING  # infection fatality ratio
    care_seeking_prob: float = MISSING  # symptomatic residents who seek care
    hospital_beds: int = MISSING  # at reference_residents; scaled
    icu_beds: int = MISSING  # at reference_residents; scaled
    no_icu_death_odds_ratio: float = MISSING
    importation: ImportationConfig = field(default_factory=ImportationConfig)
    seeding: list[SeedWindow] = field(default_factory=list)  # tests and stress studies


@dataclass
class ContactsConfig:
    """Contact layers and how transmission over them is calibrated."""

    household_sar: float = MISSING  # secondary attack rate in the household
    community_contacts: float = MISSING  # per resident per day, within the grid
    workplace_contacts: float = MISSING  # per employed resident per day
    market_contacts: float = MISSING  # per resident per day, at the market
    community_transmissibility: float = 1.0  # of one contact, relative (scales beta)
    workplace_transmissibility: float = 1.0
    market_transmissibility: float = 1.0
    beta_household: float | None = None  # per-pair daily hazard; None = calibrate
    beta: float | None = None  # per-contact hazard outside home; None = calibrate
    calibration_sample: int = MISSING  # index cases in the next-generation estimate


@dataclass
class StaffConfig:
    """The response apparatus: grid workers (one per grid) and cadres."""

    grid_worker_hours: float = MISSING  # hours a day a grid worker gives the response
    cadres: int = MISSING  # at reference_residents; scaled
    cadre_units: int = MISSING  # district units the cadres come from
    cadre_hours: float = MISSING  # hours a day a cadre gives the response
    priority: list[str] = MISSING  # tasks in the order staff serve them


@dataclass
class AwarenessConfig:
    """How residents' awareness (raised by information push) changes what they do."""

    initial: float = MISSING  # awareness on day 0 (0..1)
    decay: float = MISSING  # relative loss of awareness per day
    contact_effect: float = MISSING  # community and market contacts cut at full awareness
    compliance_effect: float = MISSING  # home-quarantine non-compliance cut at full awareness


@dataclass
class QuarantineConfig:
    """How quarantine at home behaves (where contacts go is a policy)."""

    home_household_factor: float = MISSING  # household contacts kept at home (0..1)
    home_compliance: float = MISSING  # outside contacts avoided on day 1 at home (0..1)
    home_compliance_decay: float = MISSING  # relative decay of compliance per day
    key_person_days: int = MISSING  # days after arrival a returnee is a key person
    symptom_check_days: int = MISSING  # days from onset to confirmation in quarantine
    facility_rooms_factor: float = 1.0  # rooms relative to the policy's capacity


@dataclass
class MobilityConfig:
    """Residents' daily trips on a normal day (the baseline) and how they break rules."""

    work_days_per_week: float = MISSING  # days an employed resident goes to work
    farm_trip_prob: float = MISSING  # daily probability a farmer goes to the fields
    other_trip_prob: list[float] = MISSING  # daily "other" trips by age band (9 bands)
    visit_share: float = MISSING  # share of other trips into another community/village
    shopper_min_age: int = MISSING  # youngest member who shops for the household (years)
    driver_ages: list[int] = MISSING  # [youngest, oldest] age of a household's driver
    car_mode_share: float = MISSING  # share of a driver's trips made by car
    freight_trips_per_1000: float = MISSING  # commercial vehicle trips a day per 1000 residents
    essential_sectors: list[str] = MISSING  # sectors whose firms hold work passes
    essential_share_by_sector: list[float] = MISSING  # food-supply firms of other sectors
    sick_stay_home_prob: float = MISSING  # a symptomatic resident stays home that day
    fear_slope: float = MISSING  # share of other trips forgone per doubling of local cases
    fear_reference_per_100k: float = MISSING  # 7-day confirmed per 100k where fear starts
    fear_max: float = MISSING  # largest share of other trips residents forgo by choice
    break_prob_unaware: float = MISSING  # forbidden trips tried anyway, no awareness
    break_prob_aware: float = MISSING  # forbidden trips tried anyway, full awareness
    break_prob_short: float = MISSING  # a household out of necessities tries a forbidden trip


@dataclass
class SupplyConfig:
    """Households' stocks of necessities, the markets, and the district's farm produce."""

    reorder_days: int = MISSING  # a household restocks when this many days are left
    target_days: int = MISSING  # and buys up to this many days of consumption
    restricted_target_days: int = MISSING  # the same while trips are rationed by passes
    initial_days: list[int] = MISSING  # [low, high] stock on day 0 (whole days, uniform)
    consumption_spread: float = MISSING  # share of days a household eats 0 (or 2) days' worth
    market_normal_hours: float = MISSING  # a market's opening hours on a normal day
    market_capacity_factor: float = MISSING  # visitors a market can take / normal visitors
    spend_cny_per_household_day: float = MISSING  # necessities bought a household-day (CNY)
    market_local_share: float = MISSING  # of market purchases, grown by the district's farmers
    farm_local_sales_share: float = MISSING  # of farm output, normally sold in the district
    farm_shelf_days: int = MISSING  # days perishable produce keeps before it spoils


@dataclass
class EconomyConfig:
    """Firms' normal-day accounts, cash, loans, closures and households' income.

    Lists ``*_by_sector`` have one value per ``population.firms.sectors`` entry and
    ``*_by_size`` one per ``population.firms.size_classes`` entry. Money is in CNY.
    """

    revenue_per_worker_day_by_sector: list[float] = MISSING  # CNY per employee-day
    input_share_by_sector: list[float] = MISSING  # purchased inputs / revenue
    wage_day_by_sector: list[float] = MISSING  # CNY per employee-day
    rent_per_worker_day_by_sector: list[float] = MISSING  # CNY per employee-day
    state_premises_share: float = MISSING  # firms renting state-owned premises
    property_tax_per_worker_day: float = MISSING  # land-use and property tax (CNY)
    vat_rate_small: float = MISSING  # small-scale taxpayers' VAT on sales
    vat_rate_general: float = MISSING  # general taxpayers' VAT on value added
    general_taxpayer_by_size: list[bool] = MISSING  # which size classes are general taxpayers
    social_insurance_rate: float = MISSING  # employer contributions / wages paid
    loan_share_by_size: list[float] = MISSING  # firms with a bank loan
    loan_days_of_revenue: float = MISSING  # loan balance, in days of normal revenue
    interest_rate: float = MISSING  # a year
    loan_term_days: int = MISSING  # loans fall due uniformly over this many days
    rollover_prob: float = MISSING  # a maturing loan is renewed (open firm)
    rollover_prob_closed: float = MISSING  # the same for a closed firm
    credit_line_days: float = MISSING  # credit line, in days of normal outgoings
    runway_months: list[float] = MISSING  # edges of the cash-runway bins (months)
    runway_shares: list[float] = MISSING  # share of firms in each bin
    runway_factor_by_size: list[float] = MISSING  # runway multiplier by size class
    closed_wage_share_by_size: list[float] = MISSING  # wages paid while a firm is closed
    min_workers_share: float = MISSING  # a firm closes with fewer of its workers
    demand_driver_by_sector: list[str] = MISSING  # none | outings | shopping | freight | farm
    min_demand_share_by_sector: list[float] = MISSING  # a firm closes below this demand
    demand_closure_days: int = MISSING  # days of low demand before it closes
    resume_demand_share: float = MISSING  # demand a firm waits for before applying to reopen
    approval_capacity: int = MISSING  # resumption approvals a day, full scale
    approval_days: int = MISSING  # days an application takes at least
    dispute_prob: float = MISSING  # a stoppage leads to a contract or labour dispute
    dispute_frozen_days: float = MISSING  # cash a dispute ties up, days of normal revenue
    dispute_days: float = MISSING  # mean days to resolve a dispute
    mpc: float = MISSING  # share of lost income households stop spending
    external_dates: list[str] = MISSING  # ISO dates from which each level holds (before: 1)
    external_industry: list[float] = MISSING  # national industrial demand / normal, by date
    external_farm: list[float] = MISSING  # national farm demand / normal, by date
    parcel_levels: list[float] = MISSING  # national parcel volume / normal, by date
    parcels_per_1000_day: float = MISSING  # parcels delivered a normal day per 1000 residents
    income_smoothing_days: float = MISSING  # savings spread an income loss over this many days


@dataclass
class OutputConfig:
    """What a run writes besides the contract files."""

    progress: str = MISSING  # auto | always | never
    events: bool = MISSING  # write per-resident events (confirmations, deaths)
    report: str = MISSING  # report.html after a single run: auto (on a terminal) | always | never


@dataclass
class Config:
    """One run: world, disease, contacts, scenario, seed and length."""

    seed: int = MISSING
    days: int = MISSING
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


def _fail(key: str, allowed: str, got: object) -> ConfigError:
    return ConfigError(f"{key} must be {allowed}, got {got!r}")


def check_prob(key: str, value: float) -> None:
    """Raise ConfigError unless ``0 <= value <= 1``."""
    if not 0.0 <= float(value) <= 1.0:
        raise _fail(key, "a probability in [0, 1]", value)


def check_positive(key: str, value: float) -> None:
    """Raise ConfigError unless ``value > 0``."""
    if not float(value) > 0:
        raise _fail(key, "positive (> 0)", value)


def check_nonneg(key: str, value: float) -> None:
    """Raise ConfigError unless ``value >= 0``."""
    if not float(value) >= 0:
        raise _fail(key, "non-negative (>= 0)", value)


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
        raise _fail(key, "a day index or an ISO date (YYYY-MM-DD)", value)
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
    raise _fail(key, "a day index or an ISO date (YYYY-MM-DD)", value)


def _check_shares(key: str, shares: list[float], n: int | None = None) -> None:
    if n is not None and len(shares) != n:
        raise _fail(key, f"a list of {n} shares", list(shares))
    if len(shares) == 0:
        raise _fail(key, "a non-empty list of shares", list(shares))
    for i, s in enumerate(shares):
        check_prob(f"{key}[{i}]", s)
    if abs(sum(shares) - 1.0) > 1e-3:
        raise _fail(key, "shares summing to 1", f"sum {sum(shares):.4f}")


def _check_duration(key: str, d: Duration) -> None:
    check_positive(f"{key}.mean", d.mean)
    check_nonneg(f"{key}.sd", d.sd)


def validate(cfg: Config) -> None:
    """Check every value of ``cfg`` against what the model allows.

    Raises:
        ConfigError: naming the first offending key and the allowed values.
    """
    if cfg.seed < 0:
        raise _fail("seed", "a non-negative integer", cfg.seed)
    if cfg.days < 1:
        raise _fail("days", "a positive integer", cfg.days)
    _validate_population(cfg.population)
    _validate_disease(cfg.disease)
    _validate_contacts(cfg.contacts)
    _validate_staff(cfg.staff, cfg.quarantine)
    for name in ("initial", "contact_effect", "compliance_effect"):
        check_prob(f"awareness.{name}", getattr(cfg.awareness, name))
    check_nonneg("awareness.decay", cfg.awareness.decay)
    _validate_mobility(cfg.mobility, cfg.population)
    _validate_supply(cfg.supply)
    _validate_economy(cfg.economy, cfg.population.firms)
    if cfg.output.progress not in PROGRESS_MODES:
        raise _fail("output.progress", f"one of {list(PROGRESS_MODES)}", cfg.output.progress)
    if cfg.output.report not in PROGRESS_MODES:
        raise _fail("output.report", f"one of {list(PROGRESS_MODES)}", cfg.output.report)


def _validate_population(p: PopulationConfig) -> None:
    k = "population"
    if p.residents < 1:
        raise _fail(f"{k}.residents", "a positive integer", p.residents)
    check_positive(f"{k}.reference_residents", p.reference_residents)
    check_prob(f"{k}.urban_share", p.urban_share)
    for name in ("communities", "villages", "grids", "markets"):
        v = getattr(p, name)
        if v < 1:
            raise _fail(f"{k}.{name}", "a positive integer", v)
    check_nonneg(f"{k}.settlement_size_sigma", p.settlement_size_sigma)
    _check_shares(f"{k}.household_size_shares", p.household_size_shares)
    hmax = len(p.household_size_shares)
    if not 1.0 <= p.household_mean_size < hmax:
        raise _fail(f"{k}.household_mean_size", f"in [1, {hmax}) persons", p.household_mean_size)
    _check_shares(f"{k}.age_band_shares", p.age_band_shares, 9)
    if not 0 <= p.household_head_min_age <= 80:
        raise _fail(
            f"{k}.household_head_min_age", "an age in [0, 80] years", p.household_head_min_age
        )
    for name in (
        "employment_rate",
        "employment_rate_60_64",
        "farmer_share",
        "vehicle_share_urban",
        "vehicle_share_rural",
    ):
        check_prob(f"{k}.{name}", getattr(p, name))
    f = p.firms
    n = len(f.size_classes)
    if n == 0:
        raise _fail(f"{k}.firms.size_classes", "a non-empty list", list(f.size_classes))
    for name in ("counts", "min_employees", "max_employees"):
        v = list(getattr(f, name))
        if len(v) != n:
            raise _fail(f"{k}.firms.{name}", f"a list of {n} values (one per size class)", v)
        if any(x < (0 if name == "counts" else 1) for x in v):
            raise _fail(f"{k}.firms.{name}", "non-negative counts / positive sizes", v)
    for i in range(n):
        if f.min_employees[i] > f.max_employees[i]:
            raise _fail(
                f"{k}.firms.max_employees[{i}]",
                f">= min_employees[{i}] = {f.min_employees[i]}",
                f.max_employees[i],
            )
    check_nonneg(f"{k}.returnees", p.returnees)
    _validate_arrivals(f"{k}.returnee_arrival", list(p.returnee_arrival))
    if sum(f.counts) < 1:
        raise _fail(f"{k}.firms.counts", "at least one firm", list(f.counts))
    _check_shares(f"{k}.firms.sector_shares", f.sector_shares, len(f.sectors))


def _iso_date(key: str, value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise _fail(key, "an ISO date (YYYY-MM-DD)", value) from exc


def _validate_arrivals(key: str, windows: list[ArrivalWindow]) -> None:
    if not windows:
        raise _fail(key, "a non-empty list of {start, stop, weight} windows", windows)
    total = 0.0
    for i, w in enumerate(windows):
        a = _iso_date(f"{key}[{i}].start", w.start)
        b = _iso_date(f"{key}[{i}].stop", w.stop)
        if b <= a:
            raise _fail(f"{key}[{i}].stop", f"after start ({a.isoformat()})", str(w.stop))
        check_nonneg(f"{key}[{i}].weight", w.weight)
        total += w.weight
    if total <= 0:
        raise _fail(key, "windows with a positive weight", [w.weight for w in windows])


def _validate_importation(k: str, imp: ImportationConfig) -> None:
    check_prob(f"{k}.prevalence", imp.prevalence)
    _iso_date(f"{k}.reference_date", imp.reference_date)
    check_positive(f"{k}.doubling_days", imp.doubling_days)
    if not 0 <= imp.max_days_before_arrival <= 60:
        raise _fail(
            f"{k}.max_days_before_arrival", "whole days in [0, 60]", imp.max_days_before_arrival
        )


def _validate_disease(d: DiseaseConfig) -> None:
    k = "disease"
    if d.kind not in DISEASE_KINDS:
        raise _fail(f"{k}.kind", f"one of {list(DISEASE_KINDS)}", d.kind)
    check_nonneg(f"{k}.r0", d.r0)
    if d.kind == "well_mixed_seir":
        if not d.latent_days > 0.0:
            raise _fail(f"{k}.latent_days", "> 0 days", d.latent_days)
        if not d.infectious_days >= 1.0:
            raise _fail(f"{k}.infectious_days", ">= 1 day (the daily time step)", d.infectious_days)
        if d.initial_infected < 1:
            raise _fail(f"{k}.initial_infected", "a positive integer", d.initial_infected)
    for name in (
        "incubation",
        "asymptomatic_duration",
        "mild_duration",
        "symptom_to_severe",
        "severe_to_critical",
        "severe_duration",
        "critical_to_death",
        "critical_duration",
        "onset_to_confirmation",
    ):
        _check_duration(f"{k}.{name}", getattr(d, name))
    for name in ("asymptomatic_share", "rel_inf_asymptomatic", "care_seeking_prob"):
        check_prob(f"{k}.{name}", getattr(d, name))
    check_positive(f"{k}.infectiousness_dispersion", d.infectiousness_dispersion)
    if len(d.susceptibility) != len(d.susceptibility_age_bands):
        raise _fail(
            f"{k}.susceptibility",
            "one value per susceptibility_age_bands entry",
            list(d.susceptibility),
        )
    for i, s in enumerate(d.susceptibility):
        check_nonneg(f"{k}.susceptibility[{i}]", s)
    nb = len(d.severity_age_bands)
    for name in ("hospitalised_share", "icu_share", "ifr"):
        v = list(getattr(d, name))
        if len(v) != nb:
            raise _fail(f"{k}.{name}", f"a list of {nb} values (one per severity_age_bands)", v)
        for i, s in enumerate(v):
            check_prob(f"{k}.{name}[{i}]", s)
    for bands_key in ("susceptibility_age_bands", "severity_age_bands"):
        bands = list(getattr(d, bands_key))
        if not bands or bands[0] != 0 or any(b2 <= b1 for b1, b2 in itertools.pairwise(bands)):
            raise _fail(f"{k}.{bands_key}", "increasing lower bounds starting at 0", bands)
    if d.asymptomatic_share >= 1.0 and d.kind == "covid":
        raise _fail(f"{k}.asymptomatic_share", "< 1 for kind covid", d.asymptomatic_share)
    for i, h in enumerate(d.hospitalised_share):
        if h > 1.0 - d.asymptomatic_share:
            raise _fail(
                f"{k}.hospitalised_share[{i}]",
                f"<= 1 - asymptomatic_share = {1 - d.asymptomatic_share}",
                h,
            )
    check_nonneg(f"{k}.hospital_beds", d.hospital_beds)
    check_nonneg(f"{k}.icu_beds", d.icu_beds)
    check_positive(f"{k}.no_icu_death_odds_ratio", d.no_icu_death_odds_ratio)
    if d.kind == "covid":
        check_positive(f"{k}.generation_interval.mean", d.generation_interval.mean)
        check_positive(f"{k}.generation_interval.sd", d.generation_interval.sd)
    _validate_importation(f"{k}.importation", d.importation)
    for i, w in enumerate(d.seeding):
        check_nonneg(f"{k}.seeding[{i}].per_day", w.per_day)


def _validate_contacts(c: ContactsConfig) -> None:
    k = "contacts"
    check_prob(f"{k}.household_sar", c.household_sar)
    for layer in ("community", "workplace", "market"):
        for name in (f"{layer}_contacts", f"{layer}_transmissibility"):
            check_nonneg(f"{k}.{name}", getattr(c, name))
    if c.beta_household is not None:
        check_nonneg(f"{k}.beta_household", c.beta_household)
    if c.beta is not None:
        check_nonneg(f"{k}.beta", c.beta)
    if c.calibration_sample < 100:
        raise _fail(f"{k}.calibration_sample", "an integer >= 100", c.calibration_sample)


def _validate_staff(s: StaffConfig, q: QuarantineConfig) -> None:
    for name in ("grid_worker_hours", "cadre_hours"):
        v = getattr(s, name)
        if not 0.0 <= v <= 24.0:
            raise _fail(f"staff.{name}", "hours in [0, 24]", v)
    check_nonneg("staff.cadres", s.cadres)
    if sorted(s.priority) != sorted(STAFF_TASKS):
        raise _fail("staff.priority", f"an ordering of {list(STAFF_TASKS)}", list(s.priority))
    if s.cadre_units < 1:
        raise _fail("staff.cadre_units", "a positive integer", s.cadre_units)
    check_prob("quarantine.home_household_factor", q.home_household_factor)
    check_prob("quarantine.home_compliance", q.home_compliance)
    check_nonneg("quarantine.home_compliance_decay", q.home_compliance_decay)
    check_nonneg("quarantine.facility_rooms_factor", q.facility_rooms_factor)
    if q.key_person_days < 1:
        raise _fail("quarantine.key_person_days", "a positive number of days", q.key_person_days)
    if not 0 <= q.symptom_check_days <= 30:
        raise _fail("quarantine.symptom_check_days", "whole days in [0, 30]", q.symptom_check_days)


def _validate_mobility(m: MobilityConfig, p: PopulationConfig) -> None:
    k = "mobility"
    if not 0.0 <= m.work_days_per_week <= 7.0:
        raise _fail(f"{k}.work_days_per_week", "days in [0, 7]", m.work_days_per_week)
    if len(m.other_trip_prob) != 9:
        raise _fail(
            f"{k}.other_trip_prob", "a list of 9 probabilities (age bands)", m.other_trip_prob
        )
    for i, v in enumerate(m.other_trip_prob):
        check_prob(f"{k}.other_trip_prob[{i}]", v)
    for name in (
        "farm_trip_prob",
        "visit_share",
        "car_mode_share",
        "sick_stay_home_prob",
        "fear_slope",
        "fear_max",
        "break_prob_unaware",
        "break_prob_aware",
        "break_prob_short",
    ):
        check_prob(f"{k}.{name}", getattr(m, name))
    if not 0 <= m.shopper_min_age <= 80:
        raise _fail(f"{k}.shopper_min_age", "an age in [0, 80] years", m.shopper_min_age)
    ages = list(m.driver_ages)
    if len(ages) != 2 or not 0 <= ages[0] <= ages[1]:
        raise _fail(f"{k}.driver_ages", "[youngest, oldest] ages with youngest <= oldest", ages)
    check_nonneg(f"{k}.freight_trips_per_1000", m.freight_trips_per_1000)
    unknown = [s for s in m.essential_sectors if s not in p.firms.sectors]
    if unknown:
        raise _fail(
            f"{k}.essential_sectors",
            f"sectors among population.firms.sectors {list(p.firms.sectors)}",
            list(m.essential_sectors),
        )
    shares = list(m.essential_share_by_sector)
    if len(shares) != len(p.firms.sectors):
        raise _fail(
            f"{k}.essential_share_by_sector",
            f"a list of {len(p.firms.sectors)} shares (one per sector {list(p.firms.sectors)})",
            shares,
        )
    for i, x in enumerate(shares):
        check_prob(f"{k}.essential_share_by_sector[{i}]", x)
    check_positive(f"{k}.fear_reference_per_100k", m.fear_reference_per_100k)


def _validate_supply(s: SupplyConfig) -> None:
    k = "supply"
    check_nonneg(f"{k}.reorder_days", s.reorder_days)
    if not 0.0 <= s.consumption_spread <= 0.5:
        raise _fail(f"{k}.consumption_spread", "a share in [0, 0.5]", s.consumption_spread)
    for name in ("target_days", "restricted_target_days"):
        v = getattr(s, name)
        if not v >= s.reorder_days + 1:
            raise _fail(f"{k}.{name}", f">= reorder_days + 1 = {s.reorder_days + 1} days", v)
    lo_hi = list(s.initial_days)
    if len(lo_hi) != 2 or not 0 <= lo_hi[0] <= lo_hi[1]:
        raise _fail(f"{k}.initial_days", "[low, high] days with 0 <= low <= high", lo_hi)
    if not 0.0 < s.market_normal_hours <= 24.0:
        raise _fail(f"{k}.market_normal_hours", "hours in (0, 24]", s.market_normal_hours)
    check_positive(f"{k}.market_capacity_factor", s.market_capacity_factor)
    check_nonneg(f"{k}.spend_cny_per_household_day", s.spend_cny_per_household_day)
    check_prob(f"{k}.market_local_share", s.market_local_share)
    if not 0.0 < s.farm_local_sales_share <= 1.0:
        raise _fail(f"{k}.farm_local_sales_share", "a share in (0, 1]", s.farm_local_sales_share)
    if s.farm_shelf_days < 1:
        raise _fail(f"{k}.farm_shelf_days", "a positive number of days", s.farm_shelf_days)


def _validate_economy(e: EconomyConfig, f: FirmsConfig) -> None:
    k = "economy"
    n_sec, n_size = len(f.sectors), len(f.size_classes)
    for name in (
        "revenue_per_worker_day_by_sector",
        "input_share_by_sector",
        "wage_day_by_sector",
        "rent_per_worker_day_by_sector",
        "min_demand_share_by_sector",
    ):
        v = list(getattr(e, name))
        if len(v) != n_sec:
            raise _fail(f"{k}.{name}", f"a list of {n_sec} values (one per sector {f.sectors})", v)
        for i, x in enumerate(v):
            if name.startswith(("input_share", "min_demand")):
                check_prob(f"{k}.{name}[{i}]", x)
            else:
                check_nonneg(f"{k}.{name}[{i}]", x)
    drivers = list(e.demand_driver_by_sector)
    if len(drivers) != n_sec or any(d not in DEMAND_DRIVERS for d in drivers):
        raise _fail(
            f"{k}.demand_driver_by_sector",
            f"a list of {n_sec} drivers among {list(DEMAND_DRIVERS)}",
            drivers,
        )
    for name in (
        "general_taxpayer_by_size",
        "loan_share_by_size",
        "runway_factor_by_size",
        "closed_wage_share_by_size",
    ):
        v = list(getattr(e, name))
        if len(v) != n_size:
            raise _fail(
                f"{k}.{name}", f"a list of {n_size} values (one per size class {f.size_classes})", v
            )
    for i, x in enumerate(e.loan_share_by_size):
        check_prob(f"{k}.loan_share_by_size[{i}]", x)
    for i, x in enumerate(e.runway_factor_by_size):
        check_positive(f"{k}.runway_factor_by_size[{i}]", x)
    for i, x in enumerate(e.closed_wage_share_by_size):
        check_prob(f"{k}.closed_wage_share_by_size[{i}]", x)
    for name in (
        "state_premises_share",
        "vat_rate_small",
        "vat_rate_general",
        "social_insurance_rate",
        "rollover_prob",
        "rollover_prob_closed",
        "min_workers_share",
        "resume_demand_share",
        "dispute_prob",
        "mpc",
    ):
        check_prob(f"{k}.{name}", getattr(e, name))
    for name in (
        "property_tax_per_worker_day",
        "loan_days_of_revenue",
        "interest_rate",
        "credit_line_days",
        "dispute_frozen_days",
    ):
        check_nonneg(f"{k}.{name}", getattr(e, name))
    for name in ("loan_term_days", "approval_days", "demand_closure_days"):
        if getattr(e, name) < 1:
            raise _fail(f"{k}.{name}", "a positive number of days", getattr(e, name))
    check_nonneg(f"{k}.approval_capacity", e.approval_capacity)
    check_positive(f"{k}.dispute_days", e.dispute_days)
    check_positive(f"{k}.income_smoothing_days", e.income_smoothing_days)
    edges = list(e.runway_months)
    if len(edges) < 2 or edges[0] < 0 or any(b <= a for a, b in itertools.pairwise(edges)):
        raise _fail(f"{k}.runway_months", "increasing bin edges in months, from >= 0", edges)
    _check_shares(f"{k}.runway_shares", list(e.runway_shares), len(edges) - 1)
    _validate_external(e)


def external_dates(key: str, values: list[Any]) -> list[dt.date]:
    """Parse a list of ISO dates that must strictly increase.

    Raises:
        ConfigError: If an entry is not an ISO date or the dates do not increase.
    """
    try:
        dates = [v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v)) for v in values]
    except ValueError as err:
        raise _fail(key, "a list of ISO dates (YYYY-MM-DD)", list(values)) from err
    if any(b <= a for a, b in itertools.pairwise(dates)):
        raise _fail(key, "strictly increasing ISO dates", [str(d) for d in dates])
    return dates


def _validate_external(e: EconomyConfig) -> None:
    """The dated national demand series: one level per date, each level >= 0."""
    k = "economy"
    n = len(external_dates(f"{k}.external_dates", list(e.external_dates)))
    for name in ("external_industry", "external_farm", "parcel_levels"):
        v = list(getattr(e, name))
        if len(v) != n:
            raise _fail(f"{k}.{name}", f"a list of {n} levels (one per economy.external_dates)", v)
        for i, x in enumerate(v):
            check_nonneg(f"{k}.{name}[{i}]", x)
    check_nonneg(f"{k}.parcels_per_1000_day", e.parcels_per_1000_day)

"""Today's daily modifiers: what the active policies ask of the engine, typed and reset daily."""

from __future__ import annotations

from dataclasses import dataclass, field

from sim.policies.instrument import Instrument
from sim.policies.params import (
    CheckpointParams,
    CoordinationParams,
    ErrandsParams,
    HouseholdPassParams,
    InformationParams,
    InspectionParams,
    MonitoringParams,
    OnlineSupplyParams,
    QuarantineTestingParams,
    ReportingParams,
    ResumptionParams,
    ScreeningParams,
    StoppageParams,
    TracingParams,
    VehiclePassParams,
)

LAYERS = ("household", "community", "workplace", "market")


@dataclass(frozen=True)
class Campaign:
    """Today's screening campaign: the scenario entry that runs it and its parameters."""

    policy: int  # index of the scenario entry (each entry is one campaign, one round)
    params: ScreeningParams


@dataclass(frozen=True)
class Rounds:
    """Today's inspections: the day their first round started and their parameters."""

    start: int  # day index; a new round starts every ``params.interval_days`` from it
    params: InspectionParams


@dataclass(frozen=True)
class Passes:
    """Household passes: the day they start (pass days count from it) and their parameters."""

    start: int  # day index of the first day of the passes
    params: HouseholdPassParams


@dataclass
class DailyModifiers:
    """What today's active policies ask of the model; reset to these defaults every day.

    Attributes:
        layer_factor: Multiplier on each contact layer's contacts (1 = normal).
        outings: Share of residents' other trips still made under today's closures of
            venues and gatherings (1 = normal; ``reduce_contacts``).
        isolate_confirmed: Whether confirmed cases are isolated today.
        isolate_share: Share of confirmed cases that are isolated when isolating.
        care_seeking_prob: Today's probability that a new symptomatic case seeks care;
            None keeps the disease config's value.
        onset_to_confirmation_mean: Today's mean delay from onset to confirmation
            (days); None keeps the disease config's value.
        sick_stay_home_prob: Today's probability that a resident with symptoms stays
            home; None keeps the mobility config's value (residents unaware).
        response_level: Public-health emergency response level (1 highest; 0 none).
        screening: Today's screening campaign, or None.
        tracing: Parameters of today's contact tracing, or None.
        quarantine_mode: Where traced contacts and key persons go today: ``facility``,
            ``home`` or None (not quarantined).
        facility_capacity: Quarantine rooms at full scale (scaled with the population).
        facility_overflow_home: Whether contacts the facility cannot take go home.
        facility_priority: Quarantine groups (codes, ``QUARANTINE_GROUPS``) that go to
            the facility, in the order they get a room.
        quarantine_testing: Parameters of today's PCR testing in quarantine, or None.
        monitoring: Parameters of today's home-quarantine monitoring, or None.
        information: Parameters of today's information push, or None.
        checkpoint: Parameters of today's checkpoint duty, or None.
        reporting: Parameters of today's grid reporting, or None.
        inspections: Today's inspection rounds, or None.
        coordination: Coordination modes in force today, with their parameters.
        cadres_deployed: Whether the cadres work in their communities today.
        household_pass: Today's household passes, or None.
        pass_notice: Household passes announced for a later day, or None.
        vehicle_pass: Parameters of today's vehicle passes, or None.
        closure_urban: Whether urban communities are closed to non-residents today.
        closure_rural: Whether villages are closed to non-residents today.
        online_supply: Parameters of today's online ordering channel, or None.
        online_reach: Share of its eventual users the online channel has reached today.
        errands: Parameters of today's shopping for sealed households, or None.
        markets_closed_share: Share of the markets closed today.
        market_hours: Opening hours of the open markets today; None: normal hours.
        stoppage: Parameters of today's work stoppage, or None.
        resumption: Parameters of today's resumption procedure (``resumption``), or
            None (approval with the economy config's capacity).
        relief: Relief instruments in force today, by kind (one entry of a kind).
    """

    layer_factor: dict[str, float] = field(default_factory=lambda: dict.fromkeys(LAYERS, 1.0))
    outings: float = 1.0
    isolate_confirmed: bool = False
    isolate_share: float = 1.0
    care_seeking_prob: float | None = None
    onset_to_confirmation_mean: float | None = None
    sick_stay_home_prob: float | None = None
    response_level: int = 0
    screening: Campaign | None = None
    tracing: TracingParams | None = None
    quarantine_mode: str | None = None
    facility_capacity: int = 0
    facility_overflow_home: bool = True
    facility_priority: list[int] = field(default_factory=list)
    quarantine_testing: QuarantineTestingParams | None = None
    monitoring: MonitoringParams | None = None
    information: InformationParams | None = None
    checkpoint: CheckpointParams | None = None
    reporting: ReportingParams | None = None
    inspections: Rounds | None = None
    coordination: dict[str, CoordinationParams] = field(default_factory=dict)
    cadres_deployed: bool = False
    household_pass: Passes | None = None
    pass_notice: Passes | None = None
    vehicle_pass: VehiclePassParams | None = None
    closure_urban: bool = False
    closure_rural: bool = False
    online_supply: OnlineSupplyParams | None = None
    online_reach: float = 0.0
    errands: ErrandsParams | None = None
    markets_closed_share: float = 0.0
    market_hours: float | None = None
    stoppage: StoppageParams | None = None
    resumption: ResumptionParams | None = None
    relief: dict[str, Instrument] = field(default_factory=dict)

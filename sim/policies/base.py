"""The policy contract: a registry of kinds, windows, parameters and daily modifiers."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from sim.config import parse_day
from sim.errors import ConfigError

if TYPE_CHECKING:
    from sim.model import DistrictModel

LAYERS = ("household", "community", "workplace", "market")


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
        screening: (policy index, parameters) of today's screening campaign, or None.
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
        inspections: (start day, parameters) of today's inspections, or None.
        coordination: Coordination modes in force today, with their parameters.
        cadres_deployed: Whether the cadres work in their communities today.
        household_pass: (start day, parameters) of today's household passes, or None.
        pass_notice: (start day, parameters) of household passes announced for a
            later day, or None.
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
        relief: Relief instruments in force today: kind -> (parameters, policy index).
    """

    layer_factor: dict[str, float] = field(default_factory=lambda: dict.fromkeys(LAYERS, 1.0))
    outings: float = 1.0
    isolate_confirmed: bool = False
    isolate_share: float = 1.0
    care_seeking_prob: float | None = None
    onset_to_confirmation_mean: float | None = None
    sick_stay_home_prob: float | None = None
    response_level: int = 0
    screening: tuple[int, Any] | None = None
    tracing: Any = None
    quarantine_mode: str | None = None
    facility_capacity: int = 0
    facility_overflow_home: bool = True
    facility_priority: list[int] = field(default_factory=list)
    quarantine_testing: Any = None
    monitoring: Any = None
    information: Any = None
    checkpoint: Any = None
    reporting: Any = None
    inspections: tuple[int, Any] | None = None
    coordination: dict[str, Any] = field(default_factory=dict)
    cadres_deployed: bool = False
    household_pass: tuple[int, Any] | None = None
    pass_notice: tuple[int, Any] | None = None
    vehicle_pass: Any = None
    closure_urban: bool = False
    closure_rural: bool = False
    online_supply: Any = None
    online_reach: float = 0.0
    errands: Any = None
    markets_closed_share: float = 0.0
    market_hours: float | None = None
    stoppage: Any = None
    resumption: Any = None
    relief: dict[str, tuple[Any, int]] = field(default_factory=dict)


class Policy:
    """One scenario entry: a kind of measure with its parameters, active in ``[start, stop)``.

    Subclasses set ``kind``, declare their parameters in a nested dataclass
    ``Params`` (types and defaults; ranges checked in ``Params.check``), and say what
    the policy does on a day it is active in ``apply``. A policy states what it does
    today; it never undoes anything (the modifiers are reset every morning).
    """

    kind: ClassVar[str] = ""
    Params: ClassVar[type] = type(None)

    def __init__(self, start: int, stop: int, params: Any, index: int = 0) -> None:
        self.start = start
        self.stop = stop
        self.params = params
        self.index = index

    def active(self, day: int) -> bool:
        """Whether the policy acts on ``day``."""
        return self.start <= day < self.stop

    def apply(self, model: DistrictModel, day: int) -> None:
        """Set today's modifiers (called only on active days)."""

    def describe(self) -> dict[str, Any]:
        """The policy as a plain dict (for outputs)."""
        return {
            "kind": self.kind,
            "start": self.start,
            "stop": self.stop,
            **dataclasses.asdict(self.params),
        }


REGISTRY: dict[str, type[Policy]] = {}


def register[P: type[Policy]](cls: P) -> P:
    """Class decorator: register a policy class under its ``kind``."""
    if not cls.kind or cls.kind in REGISTRY:
        raise ValueError(f"policy kind {cls.kind!r} is empty or registered twice")
    REGISTRY[cls.kind] = cls
    return cls


_TYPES = {int: "an integer", float: "a number", bool: "true or false", str: "a string"}


def _coerce(key: str, value: Any, typ: Any) -> Any:
    """Check a parameter value against its declared type (int accepted for float)."""
    optional = False
    if isinstance(typ, str):
        optional = "None" in typ
        typ = {"int": int, "float": float, "bool": bool, "str": str}.get(
            typ.replace(" | None", "").strip(), object
        )
    if value is None and optional:
        return None
    if typ is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if typ is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    if typ in (bool, str) and isinstance(value, typ):
        return value
    if typ is object:
        return value
    raise ConfigError(f"{key} must be {_TYPES.get(typ, str(typ))}, got {value!r}")


NO_END = 1 << 30  # stop of a policy without one


def build_policy(entry: dict[str, Any], index: int, start_date: dt.date, period: int) -> Policy:
    """Build one policy from a scenario entry ``{kind, start, stop, ...params}``.

    Args:
        entry: The entry, with knobs already resolved.
        index: Position in the scenario's list (for messages).
        start_date: Calendar date of day 0.
        period: Days in the scenario's period (``start_date`` .. ``end_date``); a
            policy must start within it.

    Returns:
        The policy.

    Raises:
        ConfigError: Unknown kind or parameter, bad value, or a window outside the run.
    """
    where = f"policies[{index}]"
    if not isinstance(entry, dict) or "kind" not in entry:
        raise ConfigError(f"{where} must be a mapping with a 'kind' key, got {entry!r}")
    kind = entry["kind"]
    if kind not in REGISTRY:
        raise ConfigError(f"{where}.kind must be one of {sorted(REGISTRY)}, got {kind!r}")
    cls = REGISTRY[kind]
    where = f"{where} ({kind})"
    if "start" not in entry:
        raise ConfigError(f"{where}.start is required: a day index or an ISO date")
    start = parse_day(f"{where}.start", entry["start"], start_date)
    stop_raw = entry.get("stop")
    stop = NO_END if stop_raw is None else parse_day(f"{where}.stop", stop_raw, start_date)
    last = start_date + dt.timedelta(days=period - 1)
    if start < 0 or start >= period:
        raise ConfigError(
            f"{where}.start must fall within the scenario's period, day 0..{period - 1} "
            f"({start_date.isoformat()}..{last.isoformat()}), "
            f"got {entry['start']!r} (day {start})"
        )
    if stop <= start:
        raise ConfigError(
            f"{where}.stop must come after start (day {start}), got {stop_raw!r} (day {stop})"
        )
    fields = {f.name: f for f in dataclasses.fields(cls.Params)}
    values = {}
    for key, value in entry.items():
        if key in ("kind", "start", "stop"):
            continue
        if key not in fields:
            allowed = ["start", "stop", *fields]
            raise ConfigError(f"{where}: unknown parameter {key!r}; valid parameters: {allowed}")
        values[key] = _coerce(f"{where}.{key}", value, fields[key].type)
    params = cls.Params(**values)
    check = getattr(params, "check", None)
    if check is not None:
        check(where)
    return cls(start, stop, params, index)

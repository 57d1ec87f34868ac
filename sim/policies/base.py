"""The policy contract: a registry of kinds, their windows and parameters, and ``apply``."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, ClassVar

from sim.config import parse_day
from sim.errors import ConfigError
from sim.policies.modifiers import DailyModifiers
from sim.rules import check_fields

GROUPS = (
    "disease control",
    "grid work and staff",
    "mobility",
    "supply",
    "economy and relief",
    "other",
)


class Policy:
    """One scenario entry: a kind of measure with its parameters, active in ``[start, stop)``.

    Subclasses set ``kind`` and ``group`` (the family of measures it belongs to, for
    timelines and tables: ``GROUPS``), declare their parameters as a dataclass ``Params`` (types,
    defaults and each field's range, ``sim.rules.checked``), and say what the policy does on
    a day it is active in ``apply``, by setting fields of the day's modifiers
    (``DailyModifiers``); a policy sees nothing of the engine. ``Params`` is nested in
    the class, or a record of ``sim.policies.params`` when the modifiers carry it to
    the engine. A policy states what it does today; it never undoes anything (the
    modifiers are reset every morning).
    """

    kind: ClassVar[str] = ""
    group: ClassVar[str] = "other"
    Params: ClassVar[type] = type(None)

    def __init__(self, start: int, stop: int, params: Any, index: int = 0) -> None:
        self.start = start
        self.stop = stop
        self.params = params
        self.index = index

    def active(self, day: int) -> bool:
        """Whether the policy acts on ``day``."""
        return self.start <= day < self.stop

    def apply(self, mods: DailyModifiers, day: int) -> None:
        """Set today's modifiers (called only on active days).

        Args:
            mods: Today's modifiers (reset this morning, then set by the policies
                applied before this one).
            day: Day index.
        """

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
    if cls.group not in GROUPS:
        raise ValueError(f"policy {cls.kind!r}: group must be one of {list(GROUPS)}")
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
    check_fields(params, where)
    return cls(start, stop, params, index)

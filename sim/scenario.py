"""Scenarios: policy timelines with named knobs, loaded from ``scenarios/<name>.yaml``."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.errors import ConfigError
from sim.policies import Policy, build_policy

log = logging.getLogger(__name__)

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"
TOP_KEYS = (
    "name",
    "description",
    "base",
    "drop",
    "start_date",
    "end_date",
    "delay_days",
    "epidemic",
    "knobs",
    "policies",
    "policy_groups",  # written with a run's scenario.yaml; ignored when read
)


@dataclass
class Scenario:
    """One resolved scenario: its start date, knob values and policies."""

    name: str
    description: str
    start_date: dt.date
    end_date: dt.date
    knobs: dict[str, Any]
    delay_days: int = 0
    epidemic: bool = True  # False: no infection arrives from outside
    policies: list[Policy] = field(default_factory=list)
    entries: list[dict[str, Any]] = field(default_factory=list)  # resolved YAML entries

    def to_dict(self) -> dict[str, Any]:
        """The resolved scenario as plain data (written to the run directory)."""
        return {
            "name": self.name,
            "description": self.description,
            "start_date": self.start_date.isoformat(),
            "end_date": self.end_date.isoformat(),
            "delay_days": self.delay_days,
            "epidemic": self.epidemic,
            "knobs": self.knobs,
            "policies": self.entries,
            # the family of measures of each kind used (for timelines and tables)
            "policy_groups": {p.kind: p.group for p in self.policies},
        }


def available() -> list[str]:
    """Names of the scenarios in ``scenarios/``."""
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml"))


def scenario_path(name: str) -> Path:
    """The file of scenario ``name`` (a name in ``scenarios/`` or a path to a YAML file)."""
    if name.endswith((".yaml", ".yml")):
        path = Path(name)
        if not path.is_file():
            raise ConfigError(f"scenario file {name!r} does not exist")
        return path
    path = SCENARIO_DIR / f"{name}.yaml"
    if not path.is_file():
        raise ConfigError(
            f"scenario must be one of {available()} or a path to a .yaml file, got {name!r}"
        )
    return path


def _plain(obj: Any) -> Any:
    """Dates (which YAML parses) as ISO strings, recursively."""
    if isinstance(obj, dt.date):
        return obj.isoformat()
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_plain(v) for v in obj]
    return obj


def _check_knob(name: str, default: Any, value: Any) -> Any:
    """Check an overriding knob value against the type of its default."""
    if isinstance(default, bool) or isinstance(value, bool):
        ok = isinstance(default, bool) and isinstance(value, bool)
    elif isinstance(default, int | float) and not isinstance(default, bool):
        ok = isinstance(value, int | float)
        if ok and isinstance(default, int) and isinstance(value, float):
            ok = value.is_integer()
            value = int(value) if ok else value
    elif isinstance(default, str | dt.date):
        if isinstance(value, dt.date):
            value = value.isoformat()
        ok = isinstance(value, str | int)
    else:
        ok = default is None or isinstance(value, type(default))
    if not ok:
        raise ConfigError(
            f"knobs.{name} must be of the type of its default {default!r} "
            f"({type(default).__name__}), got {value!r}"
        )
    return value


def _date(name: str, key: str, value: Any) -> dt.date:
    """A scenario's date field (YAML may already have parsed it)."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise ConfigError(
            f"scenario {name!r}: {key} must be an ISO date (YYYY-MM-DD), got {value!r}"
        ) from exc


def _read(name: str, seen: tuple[str, ...]) -> dict[str, Any]:
    """A scenario file's content, merged onto its ``base`` scenario if it names one.

    A derived scenario takes its base's dates, knobs and policies; its own knobs
    override or add to the base's, the policy kinds listed in ``drop`` are removed,
    and its own policies are appended.
    """
    path = scenario_path(name)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"scenario {name!r}: {path} is not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"scenario {name!r} must be a mapping with keys {list(TOP_KEYS)}")
    unknown = set(raw) - set(TOP_KEYS)
    if unknown:
        raise ConfigError(
            f"scenario {name!r}: unknown key(s) {sorted(unknown)}; valid keys: {list(TOP_KEYS)}"
        )
    drop = raw.get("drop") or []
    if "base" not in raw:
        if drop:
            raise ConfigError(f"scenario {name!r}: drop needs a base scenario to drop from")
        return raw
    base_name = str(raw["base"])
    if base_name in seen or base_name == name:
        raise ConfigError(f"scenario {name!r}: base scenarios form a cycle: {[*seen, name]}")
    base = _read(base_name, (*seen, name))
    if not isinstance(drop, list) or not all(isinstance(k, str) for k in drop):
        raise ConfigError(f"scenario {name!r}: drop must be a list of policy kinds, got {drop!r}")
    base_policies = list(base.get("policies") or [])
    kinds = {p.get("kind") for p in base_policies if isinstance(p, dict)}
    missing = [k for k in drop if k not in kinds]
    if missing:
        raise ConfigError(
            f"scenario {name!r}: drop lists {missing}, which base {base_name!r} does not "
            f"have; its policy kinds: {sorted(str(k) for k in kinds)}"
        )
    merged = {k: v for k, v in base.items() if k not in ("base", "drop")}
    merged.update({k: v for k, v in raw.items() if k not in ("knobs", "policies", "base", "drop")})
    merged["knobs"] = {**(base.get("knobs") or {}), **(raw.get("knobs") or {})}
    kept = [p for p in base_policies if not (isinstance(p, dict) and p.get("kind") in drop)]
    merged["policies"] = kept + list(raw.get("policies") or [])
    return merged


def delayed(entry: dict[str, Any], days: int) -> dict[str, Any]:
    """A policy entry with its window moved ``days`` later (start and stop alike).

    Windows are moved whole, so a timeline keeps its shape: one measure that takes
    over from another on the day it stops still does.
    """
    if days == 0:
        return entry
    out = dict(entry)
    for key in ("start", "stop"):
        value = out.get(key)
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, int):
            out[key] = value + days
            continue
        try:
            out[key] = (dt.date.fromisoformat(str(value)) + dt.timedelta(days=days)).isoformat()
        except ValueError:
            continue  # not a date: build_policy names the entry and what is allowed
    return out


def load_scenario(name: str, knobs: dict[str, Any], days: int) -> Scenario:
    """Load, resolve and validate a scenario.

    Args:
        name: Scenario name in ``scenarios/`` or a path to a YAML file.
        knobs: Knob values overriding the file's (from ``+knobs.NAME=VALUE``).
        days: Length of the run (days); policies starting after it are noted in the log.

    Returns:
        The scenario with its policies built.

    Raises:
        ConfigError: Unknown scenario, knob, policy kind or parameter; bad values.
    """
    raw = _read(name, ())
    file_knobs = dict(raw.get("knobs") or {})
    for k, v in knobs.items():
        if k not in file_knobs:
            raise ConfigError(
                f"knobs.{k} is not a knob of scenario {name!r}; valid knobs: {sorted(file_knobs)}"
            )
        file_knobs[k] = _check_knob(k, file_knobs[k], v)
    file_knobs = _plain(file_knobs)
    try:
        node = OmegaConf.create(
            {
                "knobs": file_knobs,
                "delay_days": _plain(raw.get("delay_days", 0)),
                "policies": _plain(raw.get("policies") or []),
            }
        )
        resolved = OmegaConf.to_container(node, resolve=True)
    except OmegaConfBaseException as exc:
        raise ConfigError(f"scenario {name!r}: cannot resolve knobs in policies: {exc}") from exc
    assert isinstance(resolved, dict)
    start_date = _date(name, "start_date", raw.get("start_date"))
    end_date = _date(name, "end_date", raw.get("end_date"))
    period = (end_date - start_date).days + 1
    if period < 1:
        raise ConfigError(
            f"scenario {name!r}: end_date must not come before start_date "
            f"({start_date.isoformat()}), got {end_date.isoformat()}"
        )
    entries = resolved["policies"]
    if not isinstance(entries, list):
        raise ConfigError(f"scenario {name!r}: policies must be a list")
    delay = resolved["delay_days"]
    if isinstance(delay, bool) or not isinstance(delay, int):
        raise ConfigError(f"scenario {name!r}: delay_days must be a whole number, got {delay!r}")
    epidemic = raw.get("epidemic", True)
    if not isinstance(epidemic, bool):
        raise ConfigError(f"scenario {name!r}: epidemic must be true or false, got {epidemic!r}")
    entries = [delayed(e, delay) if isinstance(e, dict) else e for e in entries]
    policies = [build_policy(dict(e), i, start_date, period) for i, e in enumerate(entries)]
    for p in policies:
        if p.start >= days:
            log.info(
                "policy %d (%s) starts on day %d, after this %d-day run: it does not act in it",
                p.index,
                p.kind,
                p.start,
                days,
            )
    return Scenario(
        name=str(raw.get("name", Path(name).stem)),
        description=str(raw.get("description", "")).strip(),
        start_date=start_date,
        end_date=end_date,
        knobs=dict(resolved["knobs"]),
        delay_days=delay,
        epidemic=epidemic,
        policies=policies,
        entries=[dict(e) for e in entries],
    )

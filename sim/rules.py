"""Field rules: each value's allowed range declared beside its field, checked by one walker."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from omegaconf import MISSING

from sim.errors import ConfigError

RULES = "rules"  # key of a field's rules in its metadata


def fail(key: str, allowed: str, got: object) -> ConfigError:
    """The error for a value out of range: ``{key} must be {allowed}, got {got!r}``."""
    return ConfigError(f"{key} must be {allowed}, got {got!r}")


@dataclass(frozen=True)
class Rule:
    """One condition on a field's value, with the words its error message uses."""

    test: Callable[[Any], bool]  # True when the value is allowed
    allowed: str  # what the value must be, as the message says it
    shown: Callable[[Any], object] | None = None  # what the message shows (None: the value)

    def check(self, key: str, value: Any) -> None:
        """Raise ConfigError naming ``key`` unless ``value`` passes the test."""
        if not self.test(value):
            raise fail(key, self.allowed, value if self.shown is None else self.shown(value))


@dataclass(frozen=True)
class Each:
    """A rule for every element of a list field; the message names the element, ``key[i]``."""

    rule: Rule

    def check(self, key: str, value: Any) -> None:
        """Raise ConfigError for the first element that breaks the rule."""
        for i, x in enumerate(value):
            self.rule.check(f"{key}[{i}]", x)


def checked(*rules: Rule | Each, default: Any = MISSING) -> Any:
    """A dataclass field with its default and the rules its value must meet.

    Args:
        *rules: Checked in order; a None value (an optional value left out) skips them.
        default: The field's default (``MISSING``: it must come from a config file).

    Returns:
        The field, for ``name: type = checked(...)``.
    """
    return dataclasses.field(default=default, metadata={RULES: rules})


def check_fields(obj: Any, where: str = "") -> None:
    """Check a dataclass's values against the rules declared on its fields.

    Depth first: the dataclasses inside a field (alone or in a list) are checked
    before the field's own rules, with keys such as ``population.firms.counts`` or
    ``population.returnee_arrival[0].start``; after its fields, the object's own
    ``check(where)`` runs, for conditions that span several fields.

    Args:
        obj: A dataclass instance.
        where: Key of ``obj`` in the configuration (prefix of every key in messages).

    Raises:
        ConfigError: Naming the first value out of range and what is allowed.
    """
    for f in dataclasses.fields(obj):
        key = f"{where}.{f.name}" if where else f.name
        value = getattr(obj, f.name)
        if value is None:
            continue
        if dataclasses.is_dataclass(value):
            check_fields(value, key)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if dataclasses.is_dataclass(item):
                    check_fields(item, f"{key}[{i}]")
        for rule in f.metadata.get(RULES, ()):
            rule.check(key, value)
    check = getattr(obj, "check", None)
    if check is not None:
        check(where)


def parse_date(key: str, value: Any) -> dt.date:
    """An ISO date (or a date) as a ``datetime.date``.

    Raises:
        ConfigError: If ``value`` is not an ISO date (naming ``key``).
    """
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise fail(key, "an ISO date (YYYY-MM-DD)", value) from exc


def _is_date(value: Any) -> bool:
    try:
        parse_date("", value)
    except ConfigError:
        return False
    return True


# ------------------------------------------------------------------ the usual rules
prob = Rule(lambda v: 0.0 <= float(v) <= 1.0, "a probability in [0, 1]")
positive = Rule(lambda v: float(v) > 0, "positive (> 0)")
nonneg = Rule(lambda v: float(v) >= 0, "non-negative (>= 0)")
iso_date = Rule(_is_date, "an ISO date (YYYY-MM-DD)")
names = Rule(
    lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
    "a list of names or null",
)


def one_of(choices: Sequence[Any]) -> Rule:
    """The value is one of ``choices``."""
    return Rule(lambda v: v in choices, f"one of {list(choices)}")


def at_least(low: float, allowed: str) -> Rule:
    """Not below ``low``, described as ``allowed`` (``a positive integer``)."""
    return Rule(lambda v: not v < low, allowed)


def at_most(high: float, allowed: str) -> Rule:
    """Not above ``high``, described as ``allowed``."""
    return Rule(lambda v: not v > high, allowed)


def within(low: float, high: float, allowed: str, *, open_low: bool = False) -> Rule:
    """``low <= value <= high`` (``low < value`` if ``open_low``), described as ``allowed``."""
    if open_low:
        return Rule(lambda v: low < v <= high, allowed)
    return Rule(lambda v: low <= v <= high, allowed)


def length(n: int, allowed: str) -> Rule:
    """A list of ``n`` values, described as ``allowed``."""
    return Rule(lambda v: len(v) == n, allowed)


def shares(n: int | None = None) -> tuple[Rule | Each, ...]:
    """A list of probabilities summing to 1 (within 1e-3), of ``n`` values if given."""
    rules: list[Rule | Each] = []
    if n is not None:
        rules.append(length(n, f"a list of {n} shares"))
    rules += [
        Rule(lambda v: len(v) > 0, "a non-empty list of shares"),
        Each(prob),
        Rule(
            lambda v: abs(sum(v) - 1.0) <= 1e-3,
            "shares summing to 1",
            shown=lambda v: f"sum {sum(v):.4f}",
        ),
    ]
    return tuple(rules)


def check_shares(key: str, values: Sequence[float], n: int) -> None:
    """Raise ConfigError unless ``values`` are ``n`` shares (``shares(n)``).

    For lists whose length is set by another field (checked in a ``check`` method).
    """
    for rule in shares(n):
        rule.check(key, list(values))

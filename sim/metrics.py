"""Declared outputs: each component names its daily columns and summary fields once."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

METRICS_FORMAT_VERSION = 1  # of metrics.json


@dataclass(frozen=True)
class Metric:
    """One declared output: a column of ``timeseries.parquet`` or a summary field.

    Attributes:
        name: Snake-case name (``new_*`` flows, ``n_*`` stocks, ``cum_*`` totals).
        unit: What one unit of the value is (``residents``, ``CNY``, ``share``...).
        label: Short label for tables and plots.
        description: What it counts, in a sentence.
        integer: Whether it is a count (int64) or a real number (float64).
    """

    name: str
    unit: str
    label: str
    description: str
    integer: bool = True


Row = tuple[str, str, str, str] | tuple[str, str, str, str, bool]


def declare(*rows: Row) -> list[Metric]:
    """Metrics from rows ``(name, unit, label, description[, integer])``."""
    return [Metric(*row) for row in rows]


def real(name: str, unit: str, label: str, description: str) -> Row:
    """A row for a real-valued metric (not a count)."""
    return (name, unit, label, description, False)


def metrics_document(timeseries: list[Metric], summary: list[Metric]) -> dict[str, Any]:
    """The content of a run's ``metrics.json``: every column and summary field, once.

    Raises:
        ValueError: A name declared twice within one section.
    """
    out: dict[str, Any] = {"format_version": METRICS_FORMAT_VERSION}
    for section, items in (("timeseries", timeseries), ("summary", summary)):
        names = [m.name for m in items]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"{section} metrics declared twice: {twice}")
        out[section] = [{k: v for k, v in asdict(m).items() if k != "integer"} for m in items]
    return out

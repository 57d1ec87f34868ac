"""Declared outputs: each component names its daily columns and summary fields once."""

from __future__ import annotations

import textwrap
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


def table(text: str, **each: list[str] | tuple[str, ...]) -> list[Metric]:
    """Metrics declared as a table, two lines each: a row and its description.

    The row is ``name | unit | label [| real]``; the description follows on the next,
    indented, line(s). ``real`` marks a real-valued metric (the rest are counts). A
    placeholder such as ``{layer}`` repeats the row for each value of ``layer=[...]``.

    Raises:
        ValueError: A row without three fields or without a description.
    """
    rows: list[list[str]] = []
    for line in textwrap.dedent(text).strip("\n").splitlines():
        if not line.strip():
            continue
        if line[0].isspace() and rows:  # description (continued)
            rows[-1][-1] = (rows[-1][-1] + " " + line.strip()).strip()
            continue
        head = [f.strip() for f in line.split("|")]
        if len(head) not in (3, 4) or (len(head) == 4 and head[3] != "real"):
            raise ValueError(f"metric row must be 'name | unit | label [| real]': {line!r}")
        rows.append([*head[:3], "real" if len(head) == 4 else "", ""])
    out = []
    for name, unit, label, kind, description in rows:
        if not description:
            raise ValueError(f"metric {name!r} has no description")
        keys = [k for k in each if "{" + k + "}" in name]
        values = each[keys[0]] if keys else [None]
        for v in values:
            fill = {keys[0]: v} if keys else {}
            out.append(
                Metric(
                    name.format(**fill),
                    unit,
                    label.format(**fill),
                    description.format(**fill),
                    integer=kind != "real",
                )
            )
    return out


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

"""Self-contained HTML reports of a run or a sweep."""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from matplotlib.figure import Figure

from analysis import plots, stats
from analysis.command import file_command
from analysis.load import (
    SUMMARY,
    TIMESERIES,
    Metric,
    NotARunError,
    describe,
    load_metric_sections,
    load_runs,
    load_summaries,
)
from analysis.numbers import figure, money_text, number_text
from analysis.pairing import (
    DEFAULT_OUTCOMES,
    group_column,
    group_label,
    paired_differences,
    with_derived,
    with_derived_metrics,
)

log = logging.getLogger(__name__)

REPORT_NAME = "report.html"
DEFAULT_BASELINE = "huaian_2020"
# Key outcomes of a run, by summary field (labels and units from the run's metrics.json).
KEY_OUTCOMES = (
    "cum_infections",
    "attack_rate",
    "cum_confirmed",
    "cum_deaths",
    "peak_infectious",
    "peak_hospitalised",
    "cum_traced",
    "cum_quarantined_home",
    "cum_quarantined_facility",
    "peak_facility_occupancy",
    "screening_days_to_99pct",
    "staff_hours",
    "staff_overload_share",
    "person_trips_vs_baseline_min7d",
    "vehicle_trips_vs_baseline_min7d",
    "household_days_without_necessities",
    "peak_households_without_necessities",
    "peak_delivery_backlog",
    "farmer_unsold_value_cny",
    "firms_closed_peak_share",
    "firms_failed",
    "firms_never_reopened_share",
    "jobs_lost",
    "wage_loss_cny",
    "fiscal_cost_cny",
    "bank_loss_cny",
)
# Timeseries metrics of the epidemic panels.
EPIDEMIC = ("n_infectious", "n_hospitalised")
CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  sans-serif; color: #1d2733; background: #fff; margin: 0; }
main { max-width: 1140px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 1.7em; margin: 0 0 4px; }
h2 { font-size: 1.3em; margin: 36px 0 10px; padding-bottom: 4px; border-bottom: 2px solid #d6dde5; }
h3 { font-size: 1.05em; margin: 20px 0 8px; }
p.lead { color: #4a5868; margin: 4px 0 14px; }
p.note { color: #5b6a7a; font-size: 0.9em; }
div.brief { background: #f4f8fc; border-left: 4px solid #2e86c1; padding: 8px 16px; }
div.brief ul { margin: 6px 0; padding-left: 20px; }
p.warning { background: #fdf2e9; border-left: 4px solid #e67e22; padding: 8px 12px; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 3px 16px; margin: 10px 0;
  font-size: 0.92em; }
dl.meta dt { color: #5b6a7a; }
dl.meta dd { margin: 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; font-size: 0.88em; margin: 6px 0 12px; }
th, td { padding: 4px 10px; border-bottom: 1px solid #e3e8ee; text-align: left;
  vertical-align: top; }
th { background: #f1f4f7; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.pareto td { font-weight: 600; }
span.ci { display: block; color: #6b7a8a; font-size: 0.85em; }
.scroll { overflow-x: auto; }
.row { display: flex; flex-wrap: wrap; gap: 28px; align-items: flex-start; }
.row h3:first-child { margin-top: 6px; }
figure { margin: 14px 0 22px; }
figure img { display: block; max-width: 100%; height: auto; border: 1px solid #eef1f4; }
figcaption { color: #5b6a7a; font-size: 0.88em; margin-top: 4px; }
details { margin: 10px 0; }
summary { cursor: pointer; color: #2e5c8a; }
pre { background: #f6f8fa; padding: 12px; font-size: 0.8em; overflow-x: auto; max-height: 600px; }
code { font-size: 0.95em; }
td { white-space: nowrap; }
td.wrap { white-space: normal; font-size: 0.92em; color: #3b4856; }
"""


# ---------------------------------------------------------------------------- formatting


def _shown_unit(metric: Metric) -> str:
    """The unit a metric is shown in: a share (``share of X``) as ``% of X``.

    A metric without a unit whose name ends in ``_share`` is shown as ``%``.
    """
    unit = metric.unit
    if unit.startswith("share"):
        return "%" + unit.removeprefix("share")
    if not unit and metric.name.endswith("_share"):
        return "%"
    return unit


def _value(x: object, unit: str) -> str:
    """A summary value in its shown unit: shares as percentages, money in thousands or millions.

    Shares are the units starting with %, money the units starting with CNY.
    """
    if unit.startswith("CNY"):
        return money_text(x, currency=False)
    if unit.startswith("%"):
        try:
            pct = 100 * float(x)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return str(x)
        return f"{pct:.2g}%" if 0 < abs(pct) < 0.1 else f"{pct:.1f}%"
    return number_text(x)


def _millions(x: object) -> str:
    v = figure(x)
    return v if isinstance(v, str) else f"{v / 1e6 + 0.0:,.2f}"  # + 0.0: no "-0.00"


class _Raw(str):
    """Table cell content that is HTML already (its text escaped by whoever built it)."""

    __slots__ = ()


def _cell(value: object, kind: str) -> str:
    cls = f' class="{kind}"' if kind else ""
    text = value if isinstance(value, _Raw) else escape(str(value))
    return f"<td{cls}>{text}</td>"


def _table(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    kinds: Sequence[str] | None = None,
    row_classes: Sequence[str] | None = None,
) -> str:
    """An HTML table, every cell escaped.

    Args:
        header: Column headings.
        rows: The cells (any values, shown as text).
        kinds: Per column ``"num"`` (right-aligned figures), ``"wrap"`` (long text that
            may wrap) or ``""`` (text on one line, the default).
        row_classes: A CSS class per row (``""`` for none).
    """
    kinds = list(kinds) if kinds is not None else [""] * len(header)
    head = "".join(
        (f'<th class="{k}">' if k == "num" else "<th>") + f"{escape(str(h))}</th>"
        for h, k in zip(header, kinds, strict=True)
    )
    body = []
    for i, row in enumerate(rows):
        cls = f' class="{escape(row_classes[i])}"' if row_classes and row_classes[i] else ""
        cells = "".join(_cell(v, k) for v, k in zip(row, kinds, strict=True))
        body.append(f"<tr{cls}>{cells}</tr>")
    return (
        f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _meta(items: Iterable[tuple[str, object]]) -> str:
    rows = "".join(
        f"<dt>{escape(str(k))}</dt><dd>{escape(str(v))}</dd>" for k, v in items if v is not None
    )
    return f'<dl class="meta">{rows}</dl>'


def _figure(fig: Figure, alt: str, caption: str = "") -> str:
    """A figure as an inline PNG (``data:`` URL)."""
    data = plots.to_base64_png(fig)
    cap = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{escape(alt)}" '
        f'width="{int(fig.get_figwidth() * plots.DPI)}">{cap}</figure>'
    )


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head>"
        f"<body><main>{body}</main></body></html>\n"
    )


def _note(text: str) -> str:
    return f'<p class="note">{escape(text)}</p>'


def _seeds(values: Iterable[Any]) -> str:
    """Seeds as compact text: ``1–10`` for a run of whole numbers, else a list."""
    seeds = sorted({int(v) for v in values if v == v})
    if not seeds:
        return "–"
    if len(seeds) > 2 and seeds == list(range(seeds[0], seeds[-1] + 1)):
        return f"{seeds[0]}–{seeds[-1]}"
    return ", ".join(str(s) for s in seeds)


# ---------------------------------------------------------------------------- the scenario


def _day(value: object, start: dt.date, where: str) -> dt.date:
    """A policy window's start or stop: a day index (0 = start date) or an ISO date."""
    if isinstance(value, bool):
        raise NotARunError(f"{where} is not a day index or date: {value!r}")
    if isinstance(value, int):
        return start + dt.timedelta(days=value)
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise NotARunError(f"{where} is not a day index or date: {value!r}") from exc


def _param(value: object) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def policy_windows(scenario: Mapping[str, Any], days: int | None = None) -> pd.DataFrame:
    """The policies of a resolved scenario (``scenario.yaml``) with their windows as dates.

    Args:
        scenario: The scenario: ``start_date``, ``end_date`` and ``policies`` (each
            ``{kind, start, stop?, ...params}``, windows as day indices or ISO dates,
            ``stop`` exclusive).
        days: Days of the run; policies without a stop, or stopping later, are cut at
            its end (default: the scenario's end date).

    Returns:
        One row per policy in the scenario's order: ``index``, ``kind``, ``group`` (its
        family of measures, from the scenario's ``policy_groups``; "other" for runs that
        predate them), ``start`` and
        ``stop`` (Timestamps; ``stop`` the given one, or the run's end), ``until``
        (the given stop as text, or "end of run"), ``continues`` (True when the
        policy acts past the run's end) and ``parameters`` (text).

    Raises:
        NotARunError: A scenario without a start date or with a malformed window.
    """
    try:
        start = dt.date.fromisoformat(str(scenario["start_date"]))
    except (KeyError, ValueError) as exc:
        raise NotARunError(f"scenario.yaml has no valid start_date: {exc}") from exc
    if days is None:
        end = _day(scenario.get("end_date", start), start, "end_date") + dt.timedelta(days=1)
    else:
        end = start + dt.timedelta(days=int(days))
    rows = []
    groups = scenario.get("policy_groups") or {}
    for i, entry in enumerate(scenario.get("policies") or []):
        where = f"policies[{i}]"
        if not isinstance(entry, Mapping) or "kind" not in entry or "start" not in entry:
            raise NotARunError(f"scenario.yaml: {where} is not a policy with kind and start")
        a = _day(entry["start"], start, f"{where}.start")
        raw_stop = entry.get("stop")
        b = end if raw_stop is None else _day(raw_stop, start, f"{where}.stop")
        params = {k: v for k, v in entry.items() if k not in ("kind", "start", "stop")}
        rows.append(
            {
                "index": i,
                "kind": str(entry["kind"]),
                "group": str(groups.get(entry["kind"], "other")),
                "start": pd.Timestamp(a),
                "stop": pd.Timestamp(min(b, end) if raw_stop is None else b),
                "until": "end of run" if raw_stop is None else b.isoformat(),
                "continues": raw_stop is None or b > end,
                "parameters": "; ".join(f"{k} = {_param(v)}" for k, v in params.items()),
            }
        )
    return pd.DataFrame(
        rows,
        columns=["index", "kind", "group", "start", "stop", "until", "continues", "parameters"],
    )


def _knobs_table(knobs: Mapping[str, Any], columns: int = 3) -> str:
    items = list(knobs.items())
    if not items:
        return _note("This scenario has no knobs.")
    per = math.ceil(len(items) / columns)
    rows = []
    for r in range(per):
        row: list[object] = []
        for c in range(columns):
            k = r + c * per
            row += [items[k][0], _param(items[k][1])] if k < len(items) else ["", ""]
        rows.append(row)
    return _table(["knob", "value"] * columns, rows)


def _scenario_section(run_dir: Path, days: int | None) -> str:
    path = run_dir / "scenario.yaml"
    if not path.is_file():
        return "<h2>Scenario</h2>" + _note(f"{path.name} is missing: no timeline to show.")
    scenario = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(scenario, Mapping):
        raise NotARunError(f"{path} is not a scenario (a mapping)")
    windows = policy_windows(scenario, days)
    start = pd.Timestamp(str(scenario["start_date"]))
    end = start + pd.Timedelta(days=int(days)) if days else windows["stop"].max()
    parts = ["<h2>Scenario timeline</h2>"]
    if scenario.get("description"):
        parts.append(f'<p class="lead">{escape(str(scenario["description"]))}</p>')
    delay = scenario.get("delay_days")
    if delay:
        parts.append(_note(f"Every policy window is moved {delay} days later (delay_days)."))
    if len(windows):
        parts.append(
            _figure(
                plots.policy_timeline(windows, start, end),
                "policy timeline",
                "Each bar is a policy's window (start to stop, stop exclusive); "
                "colours group the measures.",
            )
        )
        parts.append("<h3>Policies</h3>")
        parts.append(
            _table(
                ["#", "kind", "start", "stop (first day off)", "parameters"],
                [
                    [
                        w["index"],
                        w["kind"],
                        f"{w['start']:%Y-%m-%d}",
                        w["until"],
                        w["parameters"] or "–",
                    ]
                    for w in windows.to_dict("records")
                ],
                kinds=["num", "", "", "", "wrap"],
            )
        )
    else:
        parts.append(_note("This scenario has no policies."))
    parts.append("<h3>Knobs</h3>")
    parts.append(_knobs_table(scenario.get("knobs") or {}))
    return "".join(parts)


# ---------------------------------------------------------------------------- run report


def _staff_total(summary: Mapping[str, Any]) -> float | None:
    hours = summary.get("staff_hours_by_task")
    return float(sum(hours.values())) if isinstance(hours, Mapping) and hours else None


def _peak_date(summary: Mapping[str, Any], field: str) -> str:
    """`` on DATE`` for a peak field with a ``_day`` companion and a positive value."""
    day = summary.get(f"{field}_day")
    if day is None or not summary.get(field) or "start_date" not in summary:
        return ""
    date = dt.date.fromisoformat(str(summary["start_date"])) + dt.timedelta(days=int(day))
    return f" (on {date.isoformat()})"


def _outcomes_table(summary: Mapping[str, Any], catalog: Mapping[str, Metric]) -> str:
    """The run's key outcomes: label (with the peak's date), value and unit."""
    values = {**summary, "staff_hours": _staff_total(summary)}
    rows = []
    for key in KEY_OUTCOMES:
        if values.get(key) is None:
            continue
        metric = describe(catalog, key)
        unit = _shown_unit(metric)
        if key == "firms_failed" and summary.get("firms_total"):
            unit = f"{unit} (of {number_text(summary['firms_total'])})".lstrip()
        rows.append([metric.label + _peak_date(summary, key), _value(values[key], unit), unit])
    return _table(["outcome", "value", "unit"], rows, kinds=["", "num", ""])


def _breakdown(
    summary: Mapping[str, Any], field: str, title: str, catalog: Mapping[str, Metric]
) -> str:
    """A nested summary field's parts with their shares; the unit is that of its parts."""
    parts = summary.get(field)
    if not isinstance(parts, Mapping) or not parts:
        return ""
    unit = describe(catalog, f"{field}.{next(iter(parts))}").unit
    total = sum(float(v) for v in parts.values())
    rows = [
        [k.replace("_", " "), number_text(v), f"{100 * float(v) / total:.1f}%" if total else "–"]
        for k, v in sorted(parts.items(), key=lambda kv: -float(kv[1]))
    ]
    rows.append(["total", number_text(total), "100%" if total else "–"])
    return (
        f"<div><h3>{escape(title)}</h3>"
        + _table(["", unit, "share"], rows, kinds=["", "num", "num"])
        + "</div>"
    )


PER = 100_000  # residents: a reduced-scale run's figures are also given per this many
TOOK_OFF = 20  # local infections below which the epidemic did not take off


def _per_100k(value: float, residents: int | None, reference: int | None) -> str:
    """`` (N per 100,000 residents)`` for a run at reduced scale, else nothing."""
    if not residents or not reference or residents >= reference:
        return ""
    return f" ({number_text(value * PER / residents)} per {PER:,} residents)"


def _reference(run_dir: Path) -> int | None:
    """Residents of the full-scale district, from the run's config.yaml (None: unknown)."""
    config = run_dir / "config.yaml"
    if not config.is_file():
        return None
    population = (yaml.safe_load(config.read_text(encoding="utf-8")) or {}).get("population")
    ref = population.get("reference_residents") if isinstance(population, dict) else None
    return int(ref) if isinstance(ref, int | float) else None


def _brief(summary: Mapping[str, Any], reference: int | None) -> str:
    """The run's five outcomes that matter, in words, and whether health could differ.

    Args:
        summary: The run's ``summary.json``.
        reference: Residents of the full-scale district (``population.reference_residents``):
            a run of fewer residents gives its figures per 100,000 residents too.
    """
    n = summary.get("residents")
    infections = float(summary.get("cum_infections", 0))
    imported = float(summary.get("cum_imported", 0)) + float(summary.get("initial_infected", 0))
    local = infections - imported
    items = [
        f"{number_text(infections)} infections ({number_text(local)} in the district, the rest "
        f"from outside){_per_100k(infections, n, reference)}",
        f"{number_text(summary.get('cum_deaths', 0))} deaths"
        f"{_per_100k(float(summary.get('cum_deaths', 0)), n, reference)}",
    ]
    short = summary.get("household_days_without_necessities")
    if short is not None:
        items.append(
            f"{number_text(short)} household-days without necessities"
            f"{_per_100k(float(short), n, reference)}"
        )
    if "firms_failed" in summary:
        of = f" of {number_text(summary['firms_total'])}" if "firms_total" in summary else ""
        items.append(f"{number_text(summary['firms_failed'])} firms failed{of}")
    if "fiscal_cost_cny" in summary:
        items.append(f"{money_text(summary['fiscal_cost_cny'])} of public money on relief")
    html = "".join(f"<li>{escape(i)}</li>" for i in items)
    out = f'<div class="brief"><strong>In brief</strong><ul>{html}</ul></div>'
    if local < TOOK_OFF:
        out += (
            '<p class="warning">'
            + escape(
                f"The epidemic did not take off in this run ({number_text(local)} infections "
                "in the district): differences in infections and deaths between measures "
                "cannot show here. To compare health outcomes, use the heavier importation "
                "(experiment=counterfactuals_stress)."
            )
            + "</p>"
        )
    return out


def _run_report(
    run_dir: Path, runs: pd.DataFrame, metrics: Mapping[str, Mapping[str, Metric]]
) -> tuple[str, str]:
    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    scenario = str(summary.get("scenario", "?"))
    seed = summary.get("seed", "?")
    residents = summary.get("residents")
    who = f"{number_text(residents)} residents" if residents is not None else ""
    dates = f"{summary.get('start_date', '?')} to {summary.get('end_date', '?')}"
    title = f"gridgov run: {scenario}, seed {seed}"
    days = summary.get("days")
    parts = [
        f"<h1>{escape(title)}</h1>",
        f'<p class="lead">{escape(", ".join(p for p in (who, dates) if p))}'
        f"{escape(f', {days} days simulated' if days else '')}</p>",
        _brief(summary, _reference(run_dir)),
        "<h2>Key outcomes</h2>",
        '<div class="row"><div>',
        _outcomes_table(summary, metrics[SUMMARY]),
        "</div><div>",
        _breakdown(summary, "staff_hours_by_task", "Staff hours by task", metrics[SUMMARY]),
        _breakdown(
            summary, "fiscal_cost_by_instrument", "Fiscal cost by instrument", metrics[SUMMARY]
        ),
        "</div></div>",
        _scenario_section(run_dir, int(days) if days else None),
        "<h2>Over time</h2>",
        _plots(runs, "scenario", metrics[TIMESERIES]),
    ]
    parts.append("<h2>About this run</h2>")
    parts.append(
        _meta(
            [
                ("scenario", scenario),
                ("seed", seed),
                ("residents", number_text(residents) if residents is not None else None),
                (
                    "households",
                    number_text(summary["households"]) if "households" in summary else None,
                ),
                ("grids", summary.get("grids")),
                ("firms", number_text(summary["firms"]) if "firms" in summary else None),
                ("period", dates),
                ("days simulated", days),
                ("overrides", " ".join(summary.get("overrides", [])) or "none"),
                ("code version", summary.get("code_version")),
                ("run time", f"{summary['wall_seconds']} s" if "wall_seconds" in summary else None),
                ("run directory", str(run_dir)),
            ]
        )
    )
    config = run_dir / "config.yaml"
    if config.is_file():
        parts.append("<h2>Configuration</h2>")
        parts.append(
            "<details><summary>config.yaml (the resolved configuration)</summary>"
            f"<pre>{escape(config.read_text(encoding='utf-8'))}</pre></details>"
        )
    return title, "".join(parts)


def _plots(runs: pd.DataFrame, by: str, catalog: Mapping[str, Metric]) -> str:
    """The time plots shared by run and sweep reports (those whose columns are present)."""
    epidemic = [m for m in EPIDEMIC if m in runs.columns]
    figures = [
        (
            lambda: plots.epidemic_curves(runs, epidemic, by, catalog=catalog),
            "epidemic curves",
            "Residents infectious and in hospital.",
        ),
        (
            lambda: plots.trips_vs_baseline(runs, by, catalog=catalog),
            "trips",
            "Person and vehicle trips as a share of a normal day's.",
        ),
        (lambda: plots.shortages(runs, by, catalog=catalog), "shortages", ""),
        (
            lambda: plots.firm_status(runs, by, catalog),
            "firm status",
            "Every firm is in one of the five states each day.",
        ),
        (
            lambda: plots.staff_hours(runs, by, catalog),
            "staff hours",
            "Hours the grid workers and cadres gave each task; the line is the share of "
            "grid workers asked for more hours than they have.",
        ),
    ]
    parts = []
    for make, alt, caption in figures:
        try:
            fig = make()
        except ValueError as exc:  # a column the runs do not have
            parts.append(_note(f"No {alt} plot: {exc}"))
            continue
        parts.append(_figure(fig, alt, caption))
    return "".join(parts)


# ---------------------------------------------------------------------------- sweep report


def _choose_baseline(groups: Sequence[str], baseline: str | None, by: str) -> str:
    if baseline is not None:
        if baseline not in groups:
            raise ValueError(f"baseline {baseline!r} is not among the {by} values: {list(groups)}")
        return baseline
    return DEFAULT_BASELINE if DEFAULT_BASELINE in groups else groups[0]


def _summary_table(
    frame: pd.DataFrame, by: str, groups: Sequence[str], catalog: Mapping[str, Metric]
) -> str:
    """The mean of each default outcome by group, labelled from ``catalog``."""
    metrics = [m for m in DEFAULT_OUTCOMES if m in frame.columns]
    g = frame.groupby("_group", sort=False)
    rows: list[list[object]] = [
        ["runs", *(number_text(g.size()[name]) for name in groups)],
        [
            "seeds",
            *(
                _seeds(frame.loc[frame["_group"] == name, "seed"]) if "seed" in frame else "–"
                for name in groups
            ),
        ],
    ]
    means = g[metrics].mean(numeric_only=True)
    for m in metrics:
        if m not in means.columns:
            continue
        metric = describe(catalog, m)
        unit = _shown_unit(metric)
        rows.append([metric.label, *(_value(means.loc[n, m], unit) for n in groups)])
    return _table(["outcome (mean over runs)", *groups], rows, ["", *["num"] * len(groups)])


def _signed(x: float) -> str:
    return f"+{number_text(x)}" if x > 0 else number_text(x)


RELATIVE_MAX = 10.0  # a change beyond this many times the baseline is shown as a factor


def _labelled(label: str, unit: str) -> str:
    """A label with the unit a table shows its values in (``fiscal cost of relief (CNY)``)."""
    if unit.startswith("CNY"):
        return f"{label} (CNY)"
    return f"{label} ({unit})" if unit.startswith("%") else label


def _amount(x: object, unit: str, signed: bool = False) -> str:
    """A mean or a difference for a comparison table, in the metric's shown unit.

    Money in thousands or millions of CNY; shares in percent (differences in
    percentage points); other means with at most one decimal below ten (a mean of
    whole persons over seeds, ``0.7``, not ``0.667``).
    """
    v = figure(x)
    if isinstance(v, str):
        return v
    sign = "+" if signed and v > 0 else ""
    if unit.startswith("CNY"):
        return sign + money_text(v, currency=False)
    if unit.startswith("%"):
        return f"{sign}{100 * v + 0.0:.2f}" + (" pp" if signed else "%")
    if abs(v) < 10:
        return f"{sign}{round(v, 1) + 0.0:g}"
    return sign + number_text(v)


def _change(relative: float) -> str:
    """`` (+12.5%)``, or `` (×1,498)`` for changes beyond ``RELATIVE_MAX``; nothing if none."""
    if relative != relative or math.isinf(relative):
        return ""
    if abs(relative) > RELATIVE_MAX:
        return f" (×{number_text(1 + relative)})"
    return f" ({100 * relative + 0.0:+.1f}%)"


def _comparison(frame: pd.DataFrame, baseline: str, by: str, catalog: Mapping[str, Metric]) -> str:
    """The paired differences: a matrix (outcomes by group) and the full table, collapsed."""
    try:
        table = paired_differences(frame, baseline, by=by)
    except ValueError as exc:
        return _note(f"No paired comparison: {exc}")
    groups = [str(g) for g in pd.unique(table[by])]
    metrics = list(pd.unique(table["metric"]))
    cell = table.set_index([by, "metric"])
    unit = {m: _shown_unit(describe(catalog, m)) for m in metrics}
    matrix = []
    for m in metrics:
        u = unit[m]
        row: list[object] = [
            _labelled(describe(catalog, m).label, u),
            _amount(cell.loc[(groups[0], m), "baseline_mean"], u),
        ]
        for g in groups:
            r = cell.loc[(g, m)]
            text = escape(_amount(r["difference"], u, signed=True) + _change(r["relative"]))
            if r["ci_low"] > 0 or r["ci_high"] < 0:  # the interval excludes no difference
                text = f"<strong>{text}</strong>"
            ci = f"{_amount(r['ci_low'], u)} .. {_amount(r['ci_high'], u)}"
            row.append(_Raw(f'{text}<span class="ci">{escape(ci)}</span>'))
        matrix.append(row)
    full = [
        [
            r[by],
            _labelled(describe(catalog, r["metric"]).label, unit[r["metric"]]),
            r["pairs"],
            _amount(r["baseline_mean"], unit[r["metric"]]),
            _amount(r["mean"], unit[r["metric"]]),
            _amount(r["difference"], unit[r["metric"]], signed=True),
            f"{_amount(r['ci_low'], unit[r['metric']])} .. "
            f"{_amount(r['ci_high'], unit[r['metric']])}",
            _change(r["relative"]).strip(" ()") or "–",
        ]
        for r in table.to_dict("records")
    ]
    pairs = ", ".join(f"{g}: {int(cell.loc[(g, metrics[0]), 'pairs'])}" for g in groups)
    return (
        _note(
            f"Each {by} minus {baseline}, pair by pair (same seed and every other override: "
            "common random numbers): the mean difference (relative change) and below it the "
            f"95% t interval; bold where the interval excludes zero. Pairs: {pairs}."
        )
        + _table(
            ["outcome", f"{baseline} (mean)", *groups],
            matrix,
            ["", "num", *["num"] * len(groups)],
        )
        + "<details><summary>every paired difference as a table</summary>"
        + _table(
            [
                by,
                "outcome",
                "pairs",
                f"{baseline} (mean)",
                "mean",
                "difference",
                "95% CI",
                "change",
            ],
            full,
            ["", "", "num", "num", "num", "num", "num", "num"],
        )
        + "</details>"
    )


def cost_per_firm_saved(extra_cost: float, firms_saved: float) -> str:
    """The extra fiscal cost per firm saved (CNY, in thousands or millions), or "–".

    Only for relief that costs more than the baseline's and saves firms.
    """
    if not extra_cost > 0 or not firms_saved > 0:
        return "–"
    return money_text(extra_cost / firms_saved)


def _cost_effectiveness(frame: pd.DataFrame, baseline: str, by: str) -> str:
    try:
        ce = stats.cost_effectiveness(frame, baseline, by=by)
    except ValueError as exc:
        return _note(f"No cost-effectiveness: {exc}")
    if ce.empty:
        return _note("No cost-effectiveness: no group besides the baseline.")

    def interval(r: Mapping[Any, Any], name: str) -> str:
        return f"{number_text(r[f'{name}_low'])} .. {number_text(r[f'{name}_high'])}"

    rows = [
        [
            r[by],
            r["pairs"],
            _millions(r["fiscal_cost_cny"]),
            number_text(r["infections_averted"]),
            interval(r, "infections_averted"),
            number_text(r["firms_saved"]),
            interval(r, "firms_saved"),
            number_text(r["infections_averted_per_million_cny"]),
            number_text(r["firms_saved_per_million_cny"]),
            cost_per_firm_saved(r["fiscal_cost_cny"], r["firms_saved"]),
        ]
        for r in ce.to_dict("records")
    ]
    table = _table(
        [
            by,
            "pairs",
            "extra fiscal cost (million CNY)",
            "infections averted",
            "95% CI",
            "firms saved",
            "95% CI",
            "infections averted per million CNY",
            "firms saved per million CNY",
            "cost per firm saved",
        ],
        rows,
        kinds=["", *["num"] * 9],
    )
    fig = plots.relief_cost_vs_firms_saved(ce, by=by, baseline=baseline)
    return (
        _note(
            f"Each {by} against {baseline}, run by run on the same seeds: the extra fiscal "
            "cost of relief and the infections averted and firms saved (negative: more "
            "than the baseline). Per million CNY, and the cost per firm saved, only where "
            "relief costs more than the baseline's (and, for the latter, saves firms)."
        )
        + table
        + _figure(fig, "fiscal cost against firms saved")
    )


def _frontier(frame: pd.DataFrame, by: str, catalog: Mapping[str, Metric]) -> str:
    try:
        front = stats.frontier(frame, by=by)
    except ValueError as exc:
        return _note(f"No frontier: {exc}")
    rows = [
        [
            r[by],
            r["runs"],
            number_text(r["cum_infections"]),
            number_text(r["firms_failed"]),
            _millions(r["fiscal_cost_cny"]),
            "yes" if r["pareto"] else "no",
        ]
        for r in front.to_dict("records")
    ]
    infections, firms, cost = (
        describe(catalog, m).label for m in ("cum_infections", "firms_failed", "fiscal_cost_cny")
    )
    table = _table(
        [by, "runs", infections, firms, f"{cost} (million CNY)", "Pareto-optimal"],
        rows,
        kinds=["", "num", "num", "num", "num", ""],
        row_classes=["pareto" if r["pareto"] else "" for r in front.to_dict("records")],
    )
    return (
        _note(
            "Mean outcomes by group; a group is Pareto-optimal when no other group has "
            "fewer infections, fewer failed firms and a lower fiscal cost all at once. "
            "Pareto-optimal is not best: a group that spends nothing on relief is "
            "Pareto-optimal whatever its infections and failed firms, since none spends "
            "less; the choice among these groups weighs the three figures."
        )
        + table
        + _figure(plots.frontier_plot(front, by=by, catalog=catalog), "frontier")
    )


def _sweep_report(
    summaries: pd.DataFrame,
    runs: pd.DataFrame,
    baseline: str | None,
    by: str,
    metrics: Mapping[str, Mapping[str, Metric]],
) -> tuple[str, str]:
    frame = with_derived(summaries)
    column = group_column(frame, by)
    frame = frame.assign(_group=frame[column].map(group_label))
    groups = [str(g) for g in pd.unique(frame["_group"])]
    base = _choose_baseline(groups, baseline, by)
    sources = sorted(set(frame["source"]))
    residents = sorted({int(r) for r in frame.get("residents", pd.Series(dtype=float)).dropna()})
    versions = sorted({str(v) for v in frame.get("code_version", pd.Series(dtype=str)).dropna()})
    title = f"gridgov sweep: {len(frame)} runs, {len(groups)} {by} value{'s' * (len(groups) > 1)}"
    parts = [
        f"<h1>{escape(title)}</h1>",
        f'<p class="lead">{escape(", ".join(groups))}</p>',
        _meta(
            [
                ("source" + "s" * (len(sources) > 1), ", ".join(sources)),
                ("runs", len(frame)),
                (by, ", ".join(groups)),
                ("seeds", _seeds(frame["seed"]) if "seed" in frame else None),
                ("residents", ", ".join(number_text(r) for r in residents) or None),
                (
                    "period",
                    f"{frame['start_date'].min()} to {frame['end_date'].max()}"
                    if {"start_date", "end_date"} <= set(frame.columns)
                    else None,
                ),
                ("code version", ", ".join(versions) or None),
            ]
        ),
        f"<h2>Mean outcomes by {escape(by)}</h2>",
        _summary_table(frame, by, groups, metrics[SUMMARY]),
    ]
    if len(groups) > 1:
        parts += [
            f"<h2>Paired differences against {escape(base)}</h2>",
            _comparison(frame.drop(columns="_group"), base, by, metrics[SUMMARY]),
        ]
        need = {"cum_infections", "firms_failed", "fiscal_cost_cny"}
        if need <= set(frame.columns):
            parts += [
                f"<h2>Cost-effectiveness against {escape(base)}</h2>",
                _cost_effectiveness(frame.drop(columns="_group"), base, by),
                "<h2>Health–economy frontier</h2>",
                _frontier(frame.drop(columns="_group"), by, metrics[SUMMARY]),
            ]
        else:
            parts.append(
                _note(f"No cost-effectiveness or frontier: columns {sorted(need)} needed.")
            )
    else:
        parts.append(_note(f"One {by} value only: no comparison, cost-effectiveness or frontier."))
    parts += [f"<h2>Over time, by {escape(by)}</h2>", _plots(runs, by, metrics[TIMESERIES])]
    return title, "".join(parts)


# ---------------------------------------------------------------------------- entry points


def _paths(path: str | Path | Sequence[str | Path]) -> list[Path]:
    if isinstance(path, str | Path):
        return [Path(path)]
    paths = [Path(p) for p in path]
    if not paths:
        raise NotARunError("no path given")
    return paths


def _target(paths: Sequence[Path], out: str | Path | None) -> Path:
    """Where the report goes: ``out`` (a file, or a directory to hold report.html)."""
    if out is not None:
        out = Path(out)
        return out / REPORT_NAME if out.is_dir() or out.suffix == "" else out
    dirs = [p.parent if p.is_file() else p for p in paths]
    if len(dirs) == 1:
        return dirs[0] / REPORT_NAME
    return Path(os.path.commonpath([d.resolve() for d in dirs])) / REPORT_NAME


def _write(target: Path, text: str) -> None:
    """Write atomically: a temporary file in the same directory, then a rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_report(
    path: str | Path | Sequence[str | Path],
    out: str | Path | None = None,
    baseline: str | None = None,
    by: str = "scenario",
) -> Path:
    """Write a self-contained HTML report of a run, a sweep, or several of either.

    One finished run gives a run report (outcomes, scenario timeline, plots, config);
    more give a sweep report (mean outcomes by group, paired differences against the
    baseline, cost-effectiveness and frontier, plots with seed bands). Plots are
    inline PNGs and the styles inline: the file needs nothing else to display.

    Args:
        path: A run or sweep directory, or several.
        out: The report's file, or a directory for ``report.html``; default
            ``report.html`` in the given directory (several: in their common parent).
        baseline: The group compared against (sweeps); default ``huaian_2020`` if
            present, else the first group.
        by: The column naming the groups (``scenario``, or a knob as in ``compare``).

    Returns:
        The path of the report written.

    Raises:
        NotARunError: A path that is no finished gridgov run or sweep (see ``load_runs``).
        ValueError: A baseline or ``by`` that is not in the runs.
    """
    paths = _paths(path)
    summaries = load_summaries(paths)
    runs = load_runs(paths)
    sections = load_metric_sections(paths)
    metrics = {SUMMARY: with_derived_metrics(sections[SUMMARY]), TIMESERIES: sections[TIMESERIES]}
    if len(summaries) == 1:
        title, body = _run_report(Path(str(summaries["run"].iloc[0])), runs, metrics)
    else:
        title, body = _sweep_report(summaries, runs, baseline, by, metrics)
    target = _target(paths, out)
    _write(target, _page(title, body))
    log.info("wrote %s", target)
    return target


def main(argv: Sequence[str] | None = None) -> int:
    """``gridgov report RUN_OR_SWEEP_DIR [...] [--out PATH] [--baseline NAME]``.

    Returns:
        The exit code: 0 (the report's path on stdout), or 2 on bad input (message
        logged, nothing written).
    """
    return file_command(
        "gridgov report",
        "Write a self-contained HTML report of a run or a sweep.",
        "the report file, or a directory (default: report.html in the directory)",
        write_report,
        argv,
    )

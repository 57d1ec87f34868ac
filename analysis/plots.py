"""Plots of runs and sweeps (matplotlib, no display needed)."""

from __future__ import annotations

import base64
import datetime as dt
import io
import logging
import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.text import Annotation
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from analysis.load import Metric, describe
from analysis.pairing import group_column, group_label

log = logging.getLogger(__name__)

# Firm states stacked by firm_status, bottom to top: (column, colour).
FIRM_STATES = (
    ("firms_open", "#4c9a2a"),
    ("firms_closed_order", "#f2b134"),
    ("firms_closed_workers", "#ed7d31"),
    ("firms_closed_demand", "#9e6bb5"),
    ("firms_failed", "#c0392b"),
)
STAFF_PREFIX = "staff_hours_"
# Colours of the families of measures (each policy's ``group`` in scenario.yaml).
POLICY_COLOURS = {
    "disease control": "#c0392b",
    "grid work and staff": "#2e86c1",
    "mobility": "#e67e22",
    "supply": "#27ae60",
    "economy and relief": "#8e44ad",
    "other": "#7f8c8d",
}
# Line styles cycled over groups, so that groups with identical curves stay visible.
LINESTYLES = ("-", "--", "-.", ":")
WIDTH = 10.0  # figure width (inches); 1000 px at the default 100 dpi
DPI = 100


def _describe(metric: str, catalog: Mapping[str, Metric] | None) -> Metric:
    """A metric's definition: from ``catalog``, else its name as label and no unit."""
    return describe(catalog, metric)


def _axis_label(metric: str, catalog: Mapping[str, Metric] | None) -> str:
    """``label (unit)``, or the label alone when the unit is unknown."""
    m = _describe(metric, catalog)
    return f"{m.label} ({m.unit})" if m.unit else m.label


def _title_of(metric: str, catalog: Mapping[str, Metric] | None) -> str:
    """A metric's label as a title (first letter capitalised)."""
    label = _describe(metric, catalog).label
    return label[:1].upper() + label[1:]


def _stack_labels(columns: Sequence[str], catalog: Mapping[str, Metric] | None) -> list[str]:
    """Legend entries of stacked metrics: their labels without the words all share.

    ``firms open``, ``firms failed`` -> ``open``, ``failed``; ``staff_hours_tracing``,
    ``staff_hours_delivery`` (no definitions) -> ``tracing``, ``delivery``.
    """
    labels = [_describe(c, catalog).label for c in columns]
    shared = 0  # characters every label starts with
    while labels and all(
        len(label) > shared and label[shared] == labels[0][shared] for label in labels
    ):
        shared += 1
    common = labels[0][:shared] if labels else ""
    cut = max(common.rfind(" "), common.rfind("_")) + 1
    return [label[cut:] or label for label in labels]


def _colours(n: int) -> list[tuple[float, float, float, float]]:
    """``n`` distinct colours (tab10, or tab20 beyond ten groups)."""
    cmap = colormaps["tab10" if n <= 10 else "tab20"]
    return [cmap(i % cmap.N) for i in range(n)]


def _date_axis(ax: Axes) -> None:
    """Dates on the x axis: automatic ticks, concise labels."""
    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.set_xlabel("date")


def _require(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} needs column(s) {missing}; the frame has {list(frame.columns)}")


def _with_dates(runs: pd.DataFrame) -> pd.DataFrame:
    _require(runs, ["date"], "a time plot")
    if not pd.api.types.is_datetime64_any_dtype(runs["date"]):
        runs = runs.assign(date=pd.to_datetime(runs["date"]))
    return runs


def _grouped(runs: pd.DataFrame, by: str) -> tuple[pd.DataFrame, list[str]]:
    """The frame with a text column ``_group`` (the value of ``by``) and the groups in order."""
    column = group_column(runs, by)
    runs = runs.assign(_group=runs[column].map(group_label))
    return runs, [str(g) for g in pd.unique(runs["_group"])]


def _runs_of(frame: pd.DataFrame) -> pd.Series:
    """Each row's run name (``run``, else ``seed``, else one run)."""
    for c in ("run", "seed"):
        if c in frame.columns:
            return frame[c]
    return pd.Series(0, index=frame.index)


def seed_bands(
    runs: pd.DataFrame,
    metric: str,
    by: str = "scenario",
    low: float = 0.1,
    high: float = 0.9,
) -> pd.DataFrame:
    """Median and quantile band of a metric over the runs of each group, day by day.

    Args:
        runs: One row per run and day (``load_runs``), with ``date`` and ``metric``.
        metric: The timeseries column.
        by: The column naming the groups (``scenario``, or a knob as ``override.KEY``).
        low: Lower quantile of the band (0..1).
        high: Upper quantile of the band (0..1).

    Returns:
        One row per group and date: ``by`` (text), ``date``, ``median``, ``low``,
        ``high`` (the metric's units; quantiles interpolated linearly) and ``runs``
        (runs with a value that day).

    Raises:
        ValueError: A missing column, unknown ``by`` or quantiles outside 0 <= low <= high <= 1.
    """
    if not 0 <= low <= high <= 1:
        raise ValueError(f"band quantiles must satisfy 0 <= low <= high <= 1, got {low}, {high}")
    _require(runs, [metric], f"the {metric} plot")
    runs, _ = _grouped(_with_dates(runs), by)
    g = runs.groupby(["_group", "date"], sort=False)[metric]
    out = pd.DataFrame(
        {
            "median": g.median(),
            "low": g.quantile(low),
            "high": g.quantile(high),
            "runs": g.count(),
        }
    ).reset_index()
    return out.rename(columns={"_group": by})


def _bands(
    ax: Axes,
    runs: pd.DataFrame,
    metric: str,
    by: str,
    band: tuple[float, float],
    catalog: Mapping[str, Metric] | None,
) -> None:
    """Draw each group's median (line) and seed band (shaded) of one metric on ``ax``.

    The y axis is labelled with the metric's label and unit; a metric stored as whole
    numbers (a count) gets whole-number ticks.
    """
    bands = seed_bands(runs, metric, by, *band)
    groups = list(pd.unique(bands[by]))
    for i, (name, colour) in enumerate(zip(groups, _colours(len(groups)), strict=True)):
        g = bands[bands[by] == name]
        n = int(g["runs"].max())
        ax.plot(
            g["date"],
            g["median"],
            color=colour,
            lw=1.8,
            ls=LINESTYLES[i % len(LINESTYLES)],
            label=f"{name} ({n} run{'s' * (n > 1)})",
        )
        if n > 1:
            ax.fill_between(g["date"], g["low"], g["high"], color=colour, alpha=0.2, lw=0)
    _date_axis(ax)
    ax.set_ylabel(_axis_label(metric, catalog))
    ax.grid(alpha=0.3)
    ax.margins(x=0)
    top = float(bands["high"].max())
    ax.set_ylim(0, None if top > 0 else 1)
    if pd.api.types.is_integer_dtype(runs[metric]):
        ax.yaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))


def _legend_below(fig: Figure, ax: Axes) -> None:
    """The legend of ``ax``'s lines under the figure, out of the way of the curves."""
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(
        handles,
        labels,
        loc="outside lower center",
        ncols=min(len(labels), 5),
        fontsize="small",
        frameon=False,
    )


def _title(what: str, runs: pd.DataFrame, by: str, band: tuple[float, float]) -> str:
    """A time plot's title: what, by which groups, and the band if any group has seeds."""
    column = group_column(runs, by)
    groups = runs[column].nunique()
    several = bool((_runs_of(runs).groupby(runs[column]).nunique() > 1).any())
    title = what if groups == 1 else f"{what} by {by}"
    if several:
        title += f" (median over seeds, shaded {100 * band[0]:g}–{100 * band[1]:g}%)"
    return title


def epidemic_curves(
    runs: pd.DataFrame,
    metric: str | Sequence[str] = "n_infectious",
    by: str = "scenario",
    band: tuple[float, float] = (0.1, 0.9),
    catalog: Mapping[str, Metric] | None = None,
) -> Figure:
    """A metric over time for each group: the median over seeds and a seed band.

    Args:
        runs: One row per run and day (``load_runs``).
        metric: The timeseries column (persons for ``n_infectious``), or several: one
            panel each, side by side.
        by: The column naming the groups.
        band: Lower and upper quantiles of the shaded band over the group's runs.
        catalog: Timeseries metric definitions (``load_metrics(path, "timeseries")``)
            for titles and axis labels; None labels metrics by their names.

    Returns:
        The figure: per panel one line per group and one shaded band per group of two
        runs or more.
    """
    metrics = [metric] if isinstance(metric, str) else list(metric)
    if not metrics:
        raise ValueError("epidemic_curves needs at least one metric")
    fig = Figure(figsize=(WIDTH, 4.2), layout="constrained")
    axes = fig.subplots(1, len(metrics), squeeze=False)[0]
    for ax, m in zip(axes, metrics, strict=True):
        _bands(ax, runs, m, by, band, catalog)
        if len(metrics) > 1:
            ax.set_title(_title_of(m, catalog))
    _legend_below(fig, axes[0])
    name = _title_of(metrics[0], catalog) if len(metrics) == 1 else "The epidemic"
    fig.suptitle(_title(name, runs, by, band))
    return fig


def _share_axis(ax: Axes) -> None:
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    ax.axhline(1.0, color="0.4", lw=0.8, ls="--", label="normal day")
    ax.set_ylim(0, max(1.05, ax.get_ylim()[1]))


def trips_vs_baseline(
    runs: pd.DataFrame,
    by: str = "scenario",
    band: tuple[float, float] = (0.1, 0.9),
    catalog: Mapping[str, Metric] | None = None,
) -> Figure:
    """Person and vehicle trips as a share of a normal day, by group.

    Args:
        runs: One row per run and day with ``person_trips_vs_baseline`` and
            ``vehicle_trips_vs_baseline`` (shares of a normal day's trips).
        by: The column naming the groups.
        band: Quantiles of the shaded seed band.
        catalog: Timeseries metric definitions for the panels' titles; None: names.

    Returns:
        The figure: two panels (person, vehicle trips), one median line per group and a
        dashed line at a normal day (100%).
    """
    fig = Figure(figsize=(WIDTH, 4.0), layout="constrained")
    axes = fig.subplots(1, 2, sharey=True)
    for i, (ax, metric) in enumerate(
        zip(axes, ("person_trips_vs_baseline", "vehicle_trips_vs_baseline"), strict=True)
    ):
        _bands(ax, runs, metric, by, band, catalog)
        _share_axis(ax)
        ax.set_title(_title_of(metric, catalog))
        ax.set_ylabel("trips (% of a normal day)" if i == 0 else "")
    _legend_below(fig, axes[0])
    fig.suptitle(_title("Trips as a share of a normal day", runs, by, band))
    return fig


def shortages(
    runs: pd.DataFrame,
    by: str = "scenario",
    band: tuple[float, float] = (0.1, 0.9),
    catalog: Mapping[str, Metric] | None = None,
) -> Figure:
    """Households without necessities and the delivery backlog, day by day, by group.

    Args:
        runs: One row per run and day with ``household_days_without_necessities``
            (households that ran out that day) and ``delivery_backlog`` (orders waiting).
        by: The column naming the groups.
        band: Quantiles of the shaded seed band.
        catalog: Timeseries metric definitions: each panel's title is its metric's
            label, its y axis the unit (the label when no unit is known).

    Returns:
        The figure: two panels sharing the date axis, one median line per group.
    """
    fig = Figure(figsize=(WIDTH, 5.6), layout="constrained")
    axes = fig.subplots(2, 1, sharex=True)
    for ax, metric in zip(
        axes, ("household_days_without_necessities", "delivery_backlog"), strict=True
    ):
        _bands(ax, runs, metric, by, band, catalog)
        m = _describe(metric, catalog)
        ax.set_title(_title_of(metric, catalog))
        ax.set_ylabel(m.unit or m.label)
    _legend_below(fig, axes[0])
    axes[0].set_xlabel("")
    fig.suptitle(_title("Shortages", runs, by, band))
    return fig


def _columns(n: int) -> int:
    """Panels to a row for ``n`` groups: one, two (up to four groups) or three."""
    return 1 if n == 1 else 2 if n <= 4 else 3


def _panels(fig: Figure, n: int) -> list[Axes]:
    """``n`` panels sharing both axes, up to three to a row."""
    cols = _columns(n)
    rows = math.ceil(n / cols)
    grid = np.atleast_1d(fig.subplots(rows, cols, sharex=True, sharey=True, squeeze=False))
    axes = list(grid.ravel())
    for ax in axes[n:]:
        ax.set_visible(False)
    return axes[:n]


def _panel_height(n: int) -> float:
    """Figure height (inches) for ``n`` panels."""
    return 4.0 if n == 1 else 0.8 + 2.8 * math.ceil(n / _columns(n))


def _outer_labels(axes: Sequence[Axes]) -> None:
    """Date labels under the bottom row only, y labels left of the first column only."""
    cols = _columns(len(axes))
    for i, ax in enumerate(axes):
        if i + cols < len(axes):
            ax.set_xlabel("")
        if i % cols:
            ax.set_ylabel("")
        ax.margins(x=0)


def _panel_title(name: str, runs: int) -> str:
    return name if runs == 1 else f"{name} (mean of {runs} runs)"


def _mean_by_date(runs: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Mean over runs of ``columns`` for each group (``_group``) and date."""
    return runs.groupby(["_group", "date"], sort=False)[list(columns)].mean().reset_index()


def firm_status(
    runs: pd.DataFrame, by: str = "scenario", catalog: Mapping[str, Metric] | None = None
) -> Figure:
    """Firms open, closed (by order, for lack of workers or demand) and failed over time.

    Args:
        runs: One row per run and day with the ``firms_*`` state counts (firms).
        by: The column naming the groups; one panel per group.
        catalog: Timeseries metric definitions: the states' labels (without the words
            they share) in the legend, their unit on the y axis; None: names.

    Returns:
        The figure: per group a stacked area of the mean over its runs of the five
        states (they add up to all firms).
    """
    columns = [c for c, _ in FIRM_STATES]
    _require(runs, columns, "firm_status")
    runs, groups = _grouped(_with_dates(runs), by)
    counts = _runs_of(runs).groupby(runs["_group"]).nunique()
    means = _mean_by_date(runs, columns)
    fig = Figure(figsize=(WIDTH, _panel_height(len(groups))), layout="constrained")
    axes = _panels(fig, len(groups))
    for ax, name in zip(axes, groups, strict=True):
        g = means[means["_group"] == name]
        ax.stackplot(
            g["date"],
            *(g[c] for c in columns),
            colors=[c for _, c in FIRM_STATES],
            labels=_stack_labels(columns, catalog),
            lw=0,
        )
        ax.set_title(_panel_title(name, int(counts[name])), fontsize="medium")
        ax.set_ylabel(_describe(columns[0], catalog).unit)
        ax.set_ylim(0, float(g[columns].sum(axis=1).max()) or 1.0)
        _date_axis(ax)
    handles, labels = axes[0].get_legend_handles_labels()
    _outer_labels(axes)
    fig.legend(handles[::-1], labels[::-1], loc="outside right upper", fontsize="small")
    fig.suptitle("Firm status over time")
    return fig


def staff_hours(
    runs: pd.DataFrame, by: str = "scenario", catalog: Mapping[str, Metric] | None = None
) -> Figure:
    """Staff hours given to each task per day, with the share of grid workers overloaded.

    Args:
        runs: One row per run and day with ``staff_hours_<task>`` (hours per day) and
            ``staff_overload_share`` (share of grid workers asked for more hours than
            they have).
        by: The column naming the groups; one panel per group.
        catalog: Timeseries metric definitions: the tasks' labels (without the words
            they share) in the legend, the overload share's on the twin axis; None: names.

    Returns:
        The figure: per group a stacked area of the mean hours by task and, on a twin
        axis, the mean overload share.
    """
    tasks = [c for c in runs.columns if c.startswith(STAFF_PREFIX)]
    if not tasks:
        raise ValueError(f"staff_hours needs {STAFF_PREFIX}<task> columns; none in the frame")
    _require(runs, ["staff_overload_share"], "staff_hours")
    runs, groups = _grouped(_with_dates(runs), by)
    counts = _runs_of(runs).groupby(runs["_group"]).nunique()
    means = _mean_by_date(runs, [*tasks, "staff_overload_share"])
    colours = _colours(len(tasks))
    fig = Figure(figsize=(WIDTH, _panel_height(len(groups))), layout="constrained")
    axes = _panels(fig, len(groups))
    top = float(means[tasks].sum(axis=1).max()) or 1.0
    handles: list = []
    for i, (ax, name) in enumerate(zip(axes, groups, strict=True)):
        g = means[means["_group"] == name]
        ax.stackplot(
            g["date"],
            *(g[c] for c in tasks),
            colors=colours,
            labels=_stack_labels(tasks, catalog),
            lw=0,
        )
        ax.set_ylim(0, top * 1.05)
        cols = _columns(len(groups))
        first, last = i % cols == 0, i % cols == cols - 1 or i == len(groups) - 1
        ax.set_ylabel("staff hours per day (h)" if first else "")
        ax.set_title(_panel_title(name, int(counts[name])), fontsize="medium")
        _date_axis(ax)
        twin = ax.twinx()
        twin.plot(
            g["date"], g["staff_overload_share"], color="black", lw=1.2, label="overloaded (right)"
        )
        twin.set_ylim(0, 1.05)
        twin.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
        overload = _describe("staff_overload_share", catalog).label
        twin.set_ylabel(f"{overload} (%)" if last else "")
        twin.tick_params(axis="y", labelright=last)
        if i == 0:
            h1, l1 = ax.get_legend_handles_labels()
            h2, l2 = twin.get_legend_handles_labels()
            handles = [h1[::-1] + h2, l1[::-1] + l2]
    _outer_labels(axes)
    fig.legend(*handles, loc="outside right upper", fontsize="small")
    fig.suptitle("Staff hours by task and grid workers overloaded")
    return fig


def _first_column(frame: pd.DataFrame, by: str | None) -> str:
    if by is not None:
        _require(frame, [by], "the plot")
        return by
    return str(frame.columns[0])


def _short(x: float) -> str:
    """A rate in two significant digits, whole numbers from 100 (no exponents)."""
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.2g}"


def _millions(x: float, _pos: object = None) -> str:
    return f"{x:,.1f}" if abs(x) < 10 else f"{x:,.0f}"


def _label_points(
    ax: Axes,
    xs: Sequence[float] | np.ndarray,
    ys: Sequence[float] | np.ndarray,
    texts: Sequence[str],
    colours: Sequence[object] | None = None,
    weights: Sequence[str] | None = None,
    log_x: bool = False,
) -> list[Annotation]:
    """Label points; labels of points close together are stacked, not overprinted.

    Points within 4% of the x range and 8% of the y range of another (single linkage)
    form a cluster whose labels stand one above the other beside it; clusters in the
    right quarter are labelled on their left. Call ``_declutter`` on the labels once
    the axes are complete.
    """
    x = np.log10(np.asarray(xs, dtype=float)) if log_x else np.asarray(xs, dtype=float)
    y = np.asarray(ys, dtype=float)
    finite = np.isfinite(x) & np.isfinite(y)
    if not finite.any():
        return []

    def scaled(v: np.ndarray) -> np.ndarray:
        span = float(np.ptp(v[finite])) or 1.0
        return (v - float(np.min(v[finite]))) / span

    u, w = scaled(x), scaled(y)
    cluster = list(range(len(x)))
    for i in range(len(x)):
        for j in range(i):
            close = abs(u[i] - u[j]) < 0.04 and abs(w[i] - w[j]) < 0.08
            if finite[i] and finite[j] and close:
                old, new = cluster[i], cluster[j]
                cluster = [new if c == old else c for c in cluster]
    notes = []
    for c in dict.fromkeys(cluster[i] for i in range(len(x)) if finite[i]):
        members = sorted((i for i in range(len(x)) if cluster[i] == c), key=lambda i: y[i])
        left = float(np.mean(u[members])) > 0.75
        anchor = members[-1]
        for k, i in enumerate(members):
            note = ax.annotate(
                texts[i],
                (xs[anchor], ys[anchor]),
                xytext=(-9 if left else 9, 5 + 11 * k),
                textcoords="offset points",
                ha="right" if left else "left",
                fontsize="small",
                color=colours[i] if colours is not None else "black",
                fontweight=weights[i] if weights is not None else "normal",
            )
            notes.append(note)
    return notes


def _declutter(ax: Axes, notes: Sequence[Annotation], step: float = 3.0) -> None:
    """Move labels up (in steps of ``step`` points) until none overlaps another.

    Lays the figure out once (on an Agg canvas: no display needed) to measure the text.
    """
    fig = ax.get_figure()
    if fig is None or len(notes) < 2:
        return
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)  # type: ignore[arg-type]
    fig.draw_without_rendering()  # type: ignore[union-attr]
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    placed: list = []
    for note in sorted(notes, key=lambda n: n.xy[1]):
        box = note.get_window_extent(renderer)
        for _ in range(200):
            if not any(box.overlaps(other) for other in placed):
                break
            dx, dy = note.xyann
            note.xyann = (dx, dy + step)
            box = note.get_window_extent(renderer)
        placed.append(box)


def relief_cost_vs_firms_saved(
    ce: pd.DataFrame, by: str | None = None, baseline: str | None = None
) -> Figure:
    """Extra fiscal cost against firms saved, one labelled point per group.

    Args:
        ce: ``analysis.stats.cost_effectiveness``: ``fiscal_cost_cny`` (CNY),
            ``firms_saved`` with ``firms_saved_low``/``_high`` (firms) and
            ``firms_saved_per_million_cny``.
        by: The column naming the groups (default: the first column).
        baseline: The baseline's name, for the title.

    Returns:
        The figure: x fiscal cost (million CNY), y firms saved with interval bars.
    """
    by = _first_column(ce, by)
    _require(ce, ["fiscal_cost_cny", "firms_saved", "firms_saved_low", "firms_saved_high"], "cost")
    fig = Figure(figsize=(WIDTH, 4.6), layout="constrained")
    ax = fig.add_subplot()
    ax.axhline(0, color="0.5", lw=0.8)
    ax.axvline(0, color="0.5", lw=0.8)
    rows = ce.dropna(subset=["fiscal_cost_cny", "firms_saved"])
    colours = _colours(len(rows))
    xs, ys, texts = [], [], []
    for row, colour in zip(rows.itertuples(index=False), colours, strict=True):
        r = dict(zip(rows.columns, row, strict=True))
        x = float(r["fiscal_cost_cny"]) / 1e6
        y = float(r["firms_saved"])
        lo, hi = float(r["firms_saved_low"]), float(r["firms_saved_high"])
        err = [[y - lo], [hi - y]] if np.isfinite([lo, hi]).all() else None
        ax.errorbar(x, y, yerr=err, fmt="o", color=colour, capsize=4, ms=7)
        per = float(r.get("firms_saved_per_million_cny", math.nan))
        xs.append(x)
        ys.append(y)
        texts.append(f"{r[by]}: {_short(per)} firms per million CNY" if np.isfinite(per) else r[by])
    notes = _label_points(ax, xs, ys, texts, colours=colours)
    ax.xaxis.set_major_formatter(FuncFormatter(_millions))
    ax.set_xlabel("extra fiscal cost of relief (million CNY, mean over pairs)")
    ax.set_ylabel("firms saved (firms, mean and interval)")
    ax.grid(alpha=0.3)
    ax.margins(x=0.25, y=0.2)
    against = f" against {baseline}" if baseline else ""
    fig.suptitle(f"Cost of relief and firms saved{against}, paired by seed")
    _declutter(ax, notes)
    return fig


def _mean_axis_label(metric: str, catalog: Mapping[str, Metric] | None) -> str:
    """``label (unit, mean over runs)``; without the unit when it is unknown."""
    m = _describe(metric, catalog)
    return f"{m.label} ({m.unit}, mean over runs)" if m.unit else f"{m.label} (mean over runs)"


def _coloured_points(
    fig: Figure,
    ax: Axes,
    front: pd.DataFrame,
    x: str,
    y: str,
    colour: str,
    catalog: Mapping[str, Metric] | None,
) -> None:
    """The groups' markers, coloured by ``colour`` with a colour bar when it is a column.

    A ``*_cny`` colour is drawn in millions of CNY.
    """
    if colour not in front.columns:
        ax.scatter(front[x], front[y], s=80, zorder=3)
        return
    cny = colour.endswith("_cny")
    values = front[colour].astype(float) / (1e6 if cny else 1.0)
    points = ax.scatter(front[x], front[y], c=values, cmap="viridis", s=80, zorder=3)
    m = _describe(colour, catalog)
    unit = "million CNY" if cny else m.unit
    fig.colorbar(points, ax=ax, label=f"{m.label} ({unit})" if unit else m.label)


def frontier_plot(
    front: pd.DataFrame,
    by: str | None = None,
    x: str = "cum_infections",
    y: str = "firms_failed",
    colour: str = "fiscal_cost_cny",
    catalog: Mapping[str, Metric] | None = None,
) -> Figure:
    """The health–economy trade-off: infections against firm failures, cost as colour.

    Args:
        front: ``analysis.stats.frontier``: one row per group with the mean objectives
            and ``pareto`` (bool).
        by: The column naming the groups (default: the first column).
        x: Objective on the x axis (persons for ``cum_infections``).
        y: Objective on the y axis (firms for ``firms_failed``).
        colour: Objective shown as marker colour (CNY, drawn in millions); ignored if absent.
        catalog: Summary metric definitions (``load_metrics(path, "summary")``) for the
            axes' and colour bar's labels and units; None labels them by their names.

    Returns:
        The figure: one labelled marker per group, Pareto-optimal groups ringed.
    """
    by = _first_column(front, by)
    _require(front, [x, y], "frontier_plot")
    fig = Figure(figsize=(WIDTH, 5.0), layout="constrained")
    ax = fig.add_subplot()
    pareto = (
        front["pareto"].astype(bool)
        if "pareto" in front.columns
        else pd.Series(False, index=front.index)
    )
    _coloured_points(fig, ax, front, x, y, colour, catalog)
    ax.scatter(
        front.loc[pareto, x],
        front.loc[pareto, y],
        s=320,
        facecolors="none",
        edgecolors="crimson",
        linewidths=2,
        zorder=4,
        label="Pareto-optimal (no group better on every objective)",
    )
    xs = front[x].astype(float).to_numpy()
    log_x = bool(np.nanmin(xs) > 0 and np.nanmax(xs) > 30 * np.nanmin(xs))
    if log_x:
        ax.set_xscale("log")
    notes = _label_points(
        ax,
        xs,
        front[y].astype(float).to_numpy(),
        [str(v) for v in front[by]],
        weights=["bold" if p else "normal" for p in pareto],
        log_x=log_x,
    )
    ax.set_xlabel(_mean_axis_label(x, catalog) + (", log scale" if log_x else ""))
    ax.set_ylabel(_mean_axis_label(y, catalog))
    ax.grid(alpha=0.3)
    ax.margins(0.2)
    ax.legend(fontsize="small", loc="best")
    fig.suptitle("Health and economy: mean outcomes by group, Pareto-optimal groups ringed")
    _declutter(ax, notes)
    return fig


def policy_timeline(
    windows: pd.DataFrame, start: str | dt.date | pd.Timestamp, end: str | dt.date | pd.Timestamp
) -> Figure:
    """A Gantt chart of a scenario's policy windows, one row per policy kind.

    Args:
        windows: One row per policy (``analysis.report.policy_windows``): ``kind``,
            ``group`` (optional; "other" without it), ``start`` and ``stop`` (dates;
            ``stop`` exclusive) and ``continues`` (True when the policy goes on past
            the plotted end).
        start: First date shown.
        end: Date after the last one shown (the run's end).

    Returns:
        The figure: bars coloured by group of measures; a triangle marks a policy
        that goes on after the end.
    """
    _require(windows, ["kind", "start", "stop", "continues"], "policy_timeline")
    t0, t1 = pd.Timestamp(start), pd.Timestamp(end)
    order = windows.sort_values("start", kind="stable")["kind"].drop_duplicates().tolist()
    group_of: dict[str, str] = (
        dict(zip(windows["kind"], windows["group"], strict=True)) if "group" in windows else {}
    )
    fig = Figure(figsize=(WIDTH, 1.2 + 0.23 * max(len(order), 1)), layout="constrained")
    ax = fig.add_subplot()
    for i, kind in enumerate(order):
        colour = POLICY_COLOURS.get(group_of.get(kind, "other"), POLICY_COLOURS["other"])
        for w in windows[windows["kind"] == kind].itertuples(index=False):
            a = max(pd.Timestamp(w.start), t0)
            b = min(pd.Timestamp(w.stop), t1)
            if b <= a:
                continue
            left = mdates.date2num(a)
            ax.broken_barh(
                [(left, mdates.date2num(b) - left)], (i - 0.35, 0.7), color=colour, alpha=0.85
            )
            if w.continues or pd.Timestamp(w.stop) > t1:
                ax.plot(mdates.date2num(t1), i, marker=">", color=colour, ms=6, clip_on=False)
    ax.set_yticks(range(len(order)), [k.replace("_", " ") for k in order], fontsize="small")
    ax.set_ylim(len(order) - 0.5, -0.5)
    ax.set_xlim(mdates.date2num(t0), mdates.date2num(t1))
    _date_axis(ax)
    ax.grid(axis="x", alpha=0.3)
    used = [g for g in POLICY_COLOURS if any(group_of.get(k, "other") == g for k in order)]
    used += sorted({group_of.get(k, "other") for k in order} - set(POLICY_COLOURS))
    fig.legend(
        handles=[
            Patch(color=POLICY_COLOURS.get(g, POLICY_COLOURS["other"]), label=g) for g in used
        ],
        loc="outside lower center",
        ncols=len(used),
        fontsize="small",
        frameon=False,
    )
    fig.suptitle("Policy timeline (▸ goes on after the run)")
    return fig


def save(fig: Figure, path: str | Path, dpi: int = DPI) -> Path:
    """Write a figure to a file; the format follows the suffix (``.png``, ``.svg``, ``.pdf``).

    Args:
        fig: The figure.
        path: Where to write it (parent directories are created).
        dpi: Resolution of raster formats (dots per inch).

    Returns:
        The path written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi)
    log.info("wrote %s", path)
    return path


def to_base64_png(fig: Figure, dpi: int = DPI) -> str:
    """A figure as base64-encoded PNG, for ``<img src="data:image/png;base64,...">``.

    Args:
        fig: The figure.
        dpi: Resolution (dots per inch); the default gives 1000 px for a full-width plot.

    Returns:
        The PNG's bytes in base64 (ASCII text, without the ``data:`` prefix).
    """
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return base64.b64encode(buffer.getvalue()).decode("ascii")

"""Statistics of paired runs: cost-effectiveness, Pareto front, health–economy frontier."""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.pairing import group_column, group_label, paired_differences, with_derived

log = logging.getLogger(__name__)

# Summary fields cost_effectiveness reads: infections, failed firms, relief spending (CNY).
COST_EFFECTIVENESS_COLUMNS = ("cum_infections", "firms_failed", "fiscal_cost_cny")
FRONTIER_OBJECTIVES = ("cum_infections", "firms_failed", "fiscal_cost_cny")
# Columns of paired_differences that cost_effectiveness reads.
_PAIRED = ("pairs", "difference", "ci_low", "ci_high")
# Pareto dominance is computed for blocks of rows of at most this many comparisons.
_PARETO_BLOCK = 1 << 22


def cost_effectiveness(
    summaries: pd.DataFrame, baseline: str, by: str = "scenario", level: float = 0.95
) -> pd.DataFrame:
    """Infections averted and firms saved per million CNY of extra spending, paired.

    Each group is paired with the baseline run by run exactly as
    ``analysis.pairing.paired_differences`` pairs (same seed and every other
    overridden key), and the paired differences are averaged.

    Args:
        summaries: One row per run (``load_summaries``) with ``cum_infections``,
            ``firms_failed`` and ``fiscal_cost_cny``.
        baseline: The value of ``by`` to compare against (e.g. ``no_relief``).
        by: The column that names the groups (``scenario`` or a knob).
        level: Confidence level of the t intervals (0 < level < 1).

    Returns:
        One row per group other than the baseline, with columns ``by`` (the group's
        name as text), ``pairs``, ``fiscal_cost_cny`` (mean extra fiscal cost over the
        baseline, CNY), ``infections_averted`` (mean of baseline minus group, persons)
        with ``infections_averted_low``/``_high`` (t interval), ``firms_saved`` (firms)
        with ``firms_saved_low``/``_high``, ``infections_averted_per_million_cny`` and
        ``firms_saved_per_million_cny`` (mean averted or saved divided by the mean extra
        cost in millions of CNY; NaN when the extra cost is not positive). Intervals
        are NaN for a single pair.

    Raises:
        ValueError: A missing column, or as ``paired_differences`` (unknown ``by`` or
            baseline, a level outside (0, 1), runs that cannot be paired).
    """
    missing = [c for c in COST_EFFECTIVENESS_COLUMNS if c not in summaries.columns]
    if missing:
        raise ValueError(f"summaries lack column(s) {missing} needed for cost-effectiveness")
    table = paired_differences(
        summaries, baseline, by=by, metrics=list(COST_EFFECTIVENESS_COLUMNS), level=level
    )
    columns = [
        by,
        "pairs",
        "fiscal_cost_cny",
        "infections_averted",
        "infections_averted_low",
        "infections_averted_high",
        "firms_saved",
        "firms_saved_low",
        "firms_saved_high",
        "infections_averted_per_million_cny",
        "firms_saved_per_million_cny",
    ]
    outcomes = {"cum_infections": "infections_averted", "firms_failed": "firms_saved"}
    rows = []
    for name, g in table.groupby(by, sort=False):
        m = {c: g.set_index("metric")[c].astype(float).to_dict() for c in _PAIRED}
        cost = m["difference"]["fiscal_cost_cny"]
        millions = cost / 1e6
        row: dict[str, object] = {by: name, "pairs": int(m["pairs"]["cum_infections"])}
        row["fiscal_cost_cny"] = cost
        for metric, out in outcomes.items():
            # averted = baseline - group: the difference and its interval change sign
            gain = -m["difference"][metric]
            row[out] = gain
            row[f"{out}_low"] = -m["ci_high"][metric]
            row[f"{out}_high"] = -m["ci_low"][metric]
            row[f"{out}_per_million_cny"] = gain / millions if millions > 0 else math.nan
        rows.append(row)
    return pd.DataFrame(rows, columns=columns)


def pareto_front(
    points: pd.DataFrame, objectives: Sequence[str], maximize: Sequence[str] = ()
) -> pd.Series:
    """Which rows are Pareto-optimal (not dominated by any other row).

    A row is dominated when another row is at least as good in every objective and
    strictly better in one. Objectives are minimised except those in ``maximize``.
    Identical rows do not dominate each other, so duplicates of an optimal row are
    all on the front. A row with a NaN objective is never on the front and dominates
    nothing.

    Args:
        points: One row per candidate, with numeric objective columns.
        objectives: The columns to compare (at least one).
        maximize: Those of ``objectives`` where larger is better.

    Returns:
        A boolean Series on the index of ``points``: True on the front.

    Raises:
        ValueError: No objective, a missing or non-numeric column, or a ``maximize``
            column that is not among the objectives.
    """
    objectives = list(objectives)
    if not objectives:
        raise ValueError("pareto_front needs at least one objective")
    missing = [c for c in objectives if c not in points.columns]
    if missing:
        raise ValueError(f"objective column(s) {missing} not in the frame: {list(points.columns)}")
    stray = [c for c in maximize if c not in objectives]
    if stray:
        raise ValueError(f"maximize column(s) {stray} are not among the objectives {objectives}")
    text = [c for c in objectives if not pd.api.types.is_numeric_dtype(points[c])]
    if text:
        raise ValueError(f"objective column(s) {text} are not numeric")
    x = points[objectives].to_numpy(dtype=float, na_value=np.nan)
    sign = np.array([-1.0 if c in maximize else 1.0 for c in objectives])
    x = x * sign  # now every objective is minimised
    valid = ~np.isnan(x).any(axis=1)
    front = np.zeros(len(points), dtype=bool)
    v = x[valid]
    n, k = v.shape
    if n:
        dominated = np.zeros(n, dtype=bool)
        block = max(1, _PARETO_BLOCK // (n * k))
        for start in range(0, n, block):
            rows = v[start : start + block, None, :]  # candidates j
            others = v[None, :, :]  # every i that might dominate j
            no_worse = (others <= rows).all(axis=2)
            better = (others < rows).any(axis=2)
            dominated[start : start + block] = (no_worse & better).any(axis=1)
        front[valid] = ~dominated
    return pd.Series(front, index=points.index, name="pareto")


def frontier(
    summaries: pd.DataFrame,
    by: str = "scenario",
    objectives: Sequence[str] = FRONTIER_OBJECTIVES,
) -> pd.DataFrame:
    """The mean outcomes of each group and whether it lies on the Pareto frontier.

    All objectives are minimised (infections, failed firms, fiscal cost in CNY by
    default). A group whose runs miss a value of an objective gets a NaN mean for it
    (a warning is logged) and is not on the frontier.

    Args:
        summaries: One row per run (``load_summaries``).
        by: The column that names the groups (``scenario`` or a knob, as in
            ``paired_differences``).
        objectives: Numeric summary fields to minimise (``staff_hours`` is derived
            from ``staff_hours_by_task.*`` when absent).

    Returns:
        One row per group with columns ``by`` (the group's name as text, as in
        ``paired_differences``), the objectives' means (their units), ``runs`` and
        ``pareto`` (bool), sorted by the first objective (NaN last).

    Raises:
        ValueError: Unknown ``by``, or an objective that is missing or not numeric.
    """
    objectives = list(objectives)
    if not objectives:
        raise ValueError("frontier needs at least one objective")
    frame = with_derived(summaries)
    group = group_column(frame, by)
    missing = [c for c in objectives if c not in frame.columns]
    if missing:
        raise ValueError(f"objective column(s) {missing} are not summary fields")
    text = [c for c in objectives if not pd.api.types.is_numeric_dtype(frame[c])]
    if text:
        raise ValueError(f"objective column(s) {text} are not numeric")
    values = frame[objectives].astype(float)
    gaps = int(values.isna().sum().sum())
    if gaps:
        log.warning("%d missing objective value(s): their groups' means are NaN", gaps)
    labels = frame[group].map(group_label).rename(by)
    # a mean over fewer runs than its group's would break the pairing: NaN instead
    means = values.groupby(labels, sort=True).mean()
    means = means.where(~values.isna().groupby(labels, sort=True).any())
    out = means.reset_index()
    out["runs"] = labels.groupby(labels, sort=True).size().to_numpy(dtype=int)
    out = out[[by, *objectives, "runs"]]
    out["pareto"] = pareto_front(out, objectives)
    out = out.sort_values(objectives[0], kind="stable", na_position="last")
    return out.reset_index(drop=True)

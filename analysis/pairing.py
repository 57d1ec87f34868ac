"""Pairing runs: each group minus the baseline, seed by seed (common random numbers)."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence

import numpy as np
import pandas as pd

from analysis.intervals import CI_METHODS, bootstrap_ci, check_level, check_n_boot, t_interval
from analysis.load import Metric

# Outcomes compared by default (those present in the summaries), by summary field name.
DEFAULT_OUTCOMES = (
    "cum_infections",
    "cum_confirmed",
    "cum_deaths",
    "peak_hospitalised",
    "cum_quarantined_facility",
    "staff_hours",
    "person_trips",
    "household_days_without_necessities",
    "farmer_unsold_value_cny",
    "firms_failed",
    "firms_never_reopened_share",
    "jobs_lost",
    "wage_loss_cny",
    "fiscal_cost_cny",
)
STAFF_HOURS_PREFIX = "staff_hours_by_task."
# Outcomes analysis derives from several summary fields (``with_derived``), described here.
DERIVED_METRICS = {
    "staff_hours": Metric(
        name="staff_hours",
        unit="hours",
        label="staff hours, all tasks",
        description="hours grid workers and cadres gave every task over the run "
        "(the sum of staff_hours_by_task.*)",
    ),
}


def with_derived(frame: pd.DataFrame) -> pd.DataFrame:
    """Add outcomes computed from several summary fields (total ``staff_hours``).

    Args:
        frame: One row per run (``load_summaries``); left unchanged.

    Returns:
        The frame with ``staff_hours`` (hours, the sum of ``staff_hours_by_task.*``)
        when it has those columns and no ``staff_hours`` yet.
    """
    hours = [c for c in frame.columns if c.startswith(STAFF_HOURS_PREFIX)]
    if hours and "staff_hours" not in frame.columns:
        frame = frame.assign(staff_hours=frame[hours].sum(axis=1))
    return frame


def with_derived_metrics(catalog: Mapping[str, Metric] | None) -> dict[str, Metric]:
    """Metric definitions with those of the outcomes ``with_derived`` adds.

    Args:
        catalog: Metric definitions by name (``analysis.load.load_metrics``), or None.

    Returns:
        A new dict: ``DERIVED_METRICS`` then ``catalog`` (a definition read from the
        run directories wins over analysis's own).
    """
    return {**DERIVED_METRICS, **(catalog or {})}


def group_label(value: object) -> str:
    """A group's name as text: whole floats without their ``.0`` (``2000.0`` -> ``2000``)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def group_column(frame: pd.DataFrame, by: str) -> str:
    """The column that names the compared groups: ``by`` itself or ``override.<by>``.

    Raises:
        ValueError: Neither column is in the frame.
    """
    for name in (by, f"override.{by}"):
        if name in frame.columns:
            return name
    raise ValueError(f"--by {by!r} is not a column of the summaries; e.g. scenario, seed")


def pair_columns(frame: pd.DataFrame, by: str) -> list[str]:
    """Columns that identify a pair: the seed and every other overridden key."""
    group = group_column(frame, by)
    keys = [
        c
        for c in frame.columns
        if c.startswith("override.") and c not in (group, f"override.{by}", "override.seed")
    ]
    return ["seed", *keys] if group != "seed" else keys


def _check_options(level: float, method: str, n_boot: int) -> None:
    check_level(level)
    if method not in CI_METHODS:
        raise ValueError(f"unknown interval method {method!r}; allowed: {list(CI_METHODS)}")
    if method == "bootstrap":
        check_n_boot(n_boot)


def _outcomes(frame: pd.DataFrame, metrics: Sequence[str] | None) -> list[str]:
    """The compared columns: ``metrics``, or the default outcomes present; all numeric."""
    numeric = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]
    if metrics is None:
        metrics = [m for m in DEFAULT_OUTCOMES if m in frame.columns]
    unknown = [m for m in metrics if m not in numeric]
    if unknown:
        raise ValueError(
            f"metric(s) {unknown} are not numeric summary fields; valid: {sorted(numeric)}"
        )
    return list(metrics)


def _labelled(frame: pd.DataFrame, baseline: str, by: str) -> pd.DataFrame:
    """The frame with each run's group name as text in ``_group``; the baseline among them."""
    labels = frame[group_column(frame, by)].map(group_label)
    if baseline not in set(labels):
        raise ValueError(
            f"baseline {baseline!r} is not among the {by} values: {sorted(set(labels))}"
        )
    return frame.assign(_group=labels)


def _check_repeats(frame: pd.DataFrame, by: str, keys: list[str]) -> None:
    """Refuse two runs of one group with the same pair key: they cannot be paired."""
    dupes = frame.duplicated(["_group", *keys])
    if dupes.any():
        raise ValueError(
            f"{int(dupes.sum())} run(s) repeat a {by} and pair key ({keys}): cannot pair them"
        )


def _pairs(
    frame: pd.DataFrame, baseline: str, by: str, keys: list[str]
) -> Iterator[tuple[str, pd.DataFrame, pd.DataFrame]]:
    """Each other group's name, its runs and the baseline's runs, on their common keys."""
    base = frame[frame["_group"] == baseline].set_index(keys)
    for name, g in frame[frame["_group"] != baseline].groupby("_group", sort=False):
        g = g.set_index(keys)
        common = g.index.intersection(base.index)
        if common.empty:
            raise ValueError(
                f"{by}={name!r} shares no seed (and other overrides) with {baseline!r}"
            )
        yield str(name), g.loc[common], base.loc[common]


def _interval(
    d: np.ndarray, level: float, method: str, n_boot: int, seed: int
) -> tuple[float, float]:
    if method == "bootstrap":
        return bootstrap_ci(d, level, n_boot=n_boot, seed=seed)
    return t_interval(d, level)


def paired_differences(
    frame: pd.DataFrame,
    baseline: str,
    by: str = "scenario",
    metrics: Sequence[str] | None = None,
    level: float = 0.95,
    method: str = "t",
    *,
    n_boot: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """Each group minus the baseline, pair by pair, with a confidence interval.

    Runs pair up when they share the seed and every other overridden key, so a
    difference is the effect of ``by`` alone under common random numbers.

    Args:
        frame: One row per run (``load_summaries``).
        baseline: The value of ``by`` to subtract (e.g. ``huaian_2020``).
        by: The column that names the groups (``scenario``, or a knob such as
            ``knobs.facility_capacity``).
        metrics: Outcome columns; None takes those of ``DEFAULT_OUTCOMES`` present.
        level: Confidence level of the interval (0 < level < 1).
        method: ``t`` (Student t interval) or ``bootstrap`` (percentile bootstrap of
            the mean, ``analysis.intervals.bootstrap_ci``).
        n_boot: Bootstrap resamples per interval (at least 100; ``bootstrap`` only).
        seed: Seed of the bootstrap resampling, the same for every interval.

    Returns:
        One row per (group, metric): ``pairs``, ``baseline_mean``, ``mean``,
        ``difference`` (mean of the paired differences), ``ci_low``, ``ci_high``
        (NaN with fewer than two pairs) and ``relative`` (difference / baseline mean),
        in each metric's units (``relative`` a ratio).

    Raises:
        ValueError: Unknown ``by``, metric or method, a baseline absent from the frame, a
            level outside (0, 1), fewer than 100 resamples, or groups with no pair in
            common with the baseline.
    """
    _check_options(level, method, n_boot)
    frame = _labelled(with_derived(frame), baseline, by)
    metrics = _outcomes(frame, metrics)
    keys = pair_columns(frame, by)
    _check_repeats(frame, by, keys)
    rows = []
    for name, g, base in _pairs(frame, baseline, by, keys):
        for m in metrics:
            a = g[m].to_numpy(dtype=float)
            b = base[m].to_numpy(dtype=float)
            d = a - b
            mean = float(d.mean())
            low, high = _interval(d, level, method, n_boot, seed)
            b_mean = float(b.mean())
            rows.append(
                {
                    by: name,
                    "metric": m,
                    "pairs": d.size,
                    "baseline_mean": b_mean,
                    "mean": float(a.mean()),
                    "difference": mean,
                    "ci_low": low,
                    "ci_high": high,
                    "relative": mean / b_mean if b_mean != 0 else math.nan,
                }
            )
    return pd.DataFrame(rows)

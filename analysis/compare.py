"""Paired comparisons: each scenario minus the baseline, seed by seed (common random numbers)."""

from __future__ import annotations

import argparse
import logging
import math
import sys
from collections.abc import Sequence

import pandas as pd
from scipy import stats

from analysis.load import NotARunError, load_summaries

log = logging.getLogger(__name__)

# Outcomes shown by default (those present in the summaries), with their labels.
OUTCOMES = {
    "cum_infections": "infections",
    "cum_confirmed": "confirmed cases",
    "cum_deaths": "deaths",
    "peak_hospitalised": "peak in hospital",
    "cum_quarantined_facility": "centralised quarantine (persons)",
    "staff_hours": "staff hours",
    "person_trips": "person trips",
    "household_days_without_necessities": "household-days without necessities",
    "farmer_unsold_value_cny": "farmers' unsold produce (CNY)",
    "firms_failed": "firms failed",
    "firms_never_reopened_share": "firms never reopened (share)",
    "jobs_lost": "jobs lost",
    "wage_loss_cny": "wage loss (CNY)",
    "fiscal_cost_cny": "fiscal cost of relief (CNY)",
}
# Labels of other summary fields often compared (any numeric field can be).
LABELS = {
    **OUTCOMES,
    "cum_quarantined_home": "home quarantine (persons)",
    "peak_facility_occupancy": "peak facility occupancy",
    "cum_traced": "contacts traced",
    "rule_breaking_trips": "rule-breaking trips",
    "market_visits": "market visits",
    "attack_rate": "attack rate",
}
EXIT_BAD_INPUT = 2
# Confidence intervals of a mean paired difference: Student t, or percentile bootstrap.
CI_METHODS = ("t", "bootstrap")


def with_derived(frame: pd.DataFrame) -> pd.DataFrame:
    """Add outcomes computed from several summary fields (total ``staff_hours``)."""
    hours = [c for c in frame.columns if c.startswith("staff_hours_by_task.")]
    if hours and "staff_hours" not in frame.columns:
        frame = frame.assign(staff_hours=frame[hours].sum(axis=1))
    return frame


def _label(value: object) -> str:
    """A group's name as text: whole floats without their ``.0`` (``2000.0`` -> ``2000``)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def group_column(frame: pd.DataFrame, by: str) -> str:
    """The column that names the compared groups: ``by`` itself or ``override.<by>``."""
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
        metrics: Outcome columns; None takes those of ``OUTCOMES`` present.
        level: Confidence level of the interval (0 < level < 1).
        method: ``t`` (Student t interval) or ``bootstrap`` (percentile bootstrap of
            the mean, ``analysis.stats.bootstrap_ci``).
        n_boot: Bootstrap resamples per interval (at least 100; ``bootstrap`` only).
        seed: Seed of the bootstrap resampling, the same for every interval.

    Returns:
        One row per (group, metric): ``pairs``, ``baseline_mean``, ``mean``,
        ``difference`` (mean of the paired differences), ``ci_low``, ``ci_high``
        (NaN with fewer than two pairs) and ``relative`` (difference / baseline mean).

    Raises:
        ValueError: Unknown ``by``, metric or method, a baseline absent from the frame, a
            level outside (0, 1), fewer than 100 resamples, or groups with no pair in
            common with the baseline.
    """
    if not 0 < level < 1:
        raise ValueError(f"level must lie between 0 and 1, got {level}")
    if method not in CI_METHODS:
        raise ValueError(f"unknown interval method {method!r}; allowed: {list(CI_METHODS)}")
    if method == "bootstrap":
        from analysis.stats import bootstrap_ci  # stats imports this module

        if n_boot < 100:
            raise ValueError(f"n_boot must be at least 100, got {n_boot}")
    frame = with_derived(frame)
    group = group_column(frame, by)
    labels = frame[group].map(_label)
    if baseline not in set(labels):
        raise ValueError(
            f"baseline {baseline!r} is not among the {by} values: {sorted(set(labels))}"
        )
    numeric = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]
    if metrics is None:
        metrics = [m for m in OUTCOMES if m in frame.columns]
    unknown = [m for m in metrics if m not in numeric]
    if unknown:
        raise ValueError(
            f"metric(s) {unknown} are not numeric summary fields; valid: {sorted(numeric)}"
        )
    keys = pair_columns(frame, by)
    frame = frame.assign(_group=labels)
    dupes = frame.duplicated(["_group", *keys])
    if dupes.any():
        raise ValueError(
            f"{int(dupes.sum())} run(s) repeat a {by} and pair key ({keys}): cannot pair them"
        )
    base = frame[frame["_group"] == baseline].set_index(keys)
    rows = []
    for name, g in frame[frame["_group"] != baseline].groupby("_group", sort=False):
        g = g.set_index(keys)
        common = g.index.intersection(base.index)
        if common.empty:
            raise ValueError(
                f"{by}={name!r} shares no seed (and other overrides) with {baseline!r}"
            )
        for m in metrics:
            a = g.loc[common, m].to_numpy(dtype=float)
            b = base.loc[common, m].to_numpy(dtype=float)
            d = a - b
            n = d.size
            mean = float(d.mean())
            if method == "bootstrap":
                low, high = bootstrap_ci(d, level, n_boot=n_boot, seed=seed)
            elif n > 1:
                half = float(stats.t.ppf((1 + level) / 2, n - 1) * d.std(ddof=1) / math.sqrt(n))
                low, high = mean - half, mean + half
            else:
                low = high = math.nan
            b_mean = float(b.mean())
            rows.append(
                {
                    by: name,
                    "metric": m,
                    "pairs": n,
                    "baseline_mean": b_mean,
                    "mean": float(a.mean()),
                    "difference": mean,
                    "ci_low": low,
                    "ci_high": high,
                    "relative": mean / b_mean if b_mean != 0 else math.nan,
                }
            )
    return pd.DataFrame(rows)


def number_text(x: object) -> str:
    """A figure as text: thousands separated; 3 significant digits below 1000."""
    if x is None or isinstance(x, bool):
        return "–" if x is None else str(x)
    try:
        v = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(x)
    if math.isnan(v):
        return "–"
    if v == 0:
        v = 0.0  # no "-0"
    if math.isinf(v):
        return "∞" if v > 0 else "−∞"
    if abs(v) >= 999.5 or v.is_integer():
        return f"{v:,.0f}"
    return f"{v:.3g}"


def format_table(
    table: pd.DataFrame, by: str, baseline: str, level: float, fmt: str, method: str = "t"
) -> str:
    """The comparison as text (aligned), ``markdown`` or ``csv``.

    Args:
        table: The output of ``paired_differences``.
        by: The column that names the groups.
        baseline: The baseline's name (heads its column of means).
        level: The intervals' confidence level.
        fmt: ``text``, ``markdown`` or ``csv``.
        method: How the intervals were computed, named in their column's header.

    Returns:
        The table, ending with a newline.
    """
    if fmt == "csv":
        return str(table.to_csv(index=False))
    pct = f"{100 * level:g}% CI ({method})"
    shown = pd.DataFrame(
        {
            by: table[by],
            "outcome": table["metric"].map(lambda m: LABELS.get(m, m)),
            "pairs": table["pairs"],
            f"{baseline} (mean)": table["baseline_mean"].map(number_text),
            "mean": table["mean"].map(number_text),
            "difference": table["difference"].map(number_text),
            pct: [
                f"{number_text(lo)} .. {number_text(hi)}"
                for lo, hi in zip(table["ci_low"], table["ci_high"], strict=True)
            ],
            "change": table["relative"].map(lambda r: "–" if r != r else f"{100 * r:+.1f}%"),
        }
    )
    if fmt == "markdown":
        head = "| " + " | ".join(shown.columns) + " |"
        rule = "|" + "|".join("---" if i < 2 else "---:" for i in range(len(shown.columns))) + "|"
        body = [
            "| " + " | ".join(str(v) for v in row) + " |" for row in shown.itertuples(index=False)
        ]
        return "\n".join([head, rule, *body]) + "\n"
    return shown.to_string(index=False) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """``gridgov compare SWEEP_DIR [...] --baseline NAME``: print the paired outcome table.

    Returns:
        The exit code: 0, or 2 on bad input (message on stderr).
    """
    parser = argparse.ArgumentParser(
        prog="gridgov compare",
        description=(
            "Each scenario minus the baseline, seed by seed (common random numbers): "
            "means and confidence intervals of the paired differences."
        ),
    )
    parser.add_argument("paths", nargs="+", help="sweep or run directories")
    parser.add_argument("--baseline", default="huaian_2020", help="the value of --by to subtract")
    parser.add_argument(
        "--by", default="scenario", help="the column naming the groups (default: scenario)"
    )
    parser.add_argument(
        "--metrics", help="comma-separated outcome columns (default: the main outcomes)"
    )
    parser.add_argument("--level", type=float, default=0.95, help="confidence level (default 0.95)")
    parser.add_argument(
        "--ci",
        choices=CI_METHODS,
        default="t",
        help="confidence interval: Student t or percentile bootstrap (default t)",
    )
    parser.add_argument("--format", choices=("text", "markdown", "csv"), default="text")
    args = parser.parse_args(argv)
    logging.basicConfig(format="%(levelname)s: %(message)s", level=logging.INFO)
    metrics = [m.strip() for m in args.metrics.split(",")] if args.metrics else None
    try:
        frame = load_summaries(args.paths)
        table = paired_differences(
            frame, args.baseline, args.by, metrics, args.level, method=args.ci
        )
    except (NotARunError, ValueError) as exc:
        log.error("bad input: %s", exc)
        return EXIT_BAD_INPUT
    text = format_table(table, args.by, args.baseline, args.level, args.format, args.ci)
    sys.stdout.write(text)
    return 0

"""``gridgov compare``: paired differences against a baseline as a text, markdown or csv table."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Mapping, Sequence

import pandas as pd

from analysis.command import EXIT_BAD_INPUT
from analysis.intervals import CI_METHODS
from analysis.load import SUMMARY, Metric, NotARunError, describe, load_metrics, load_summaries
from analysis.numbers import number_text
from analysis.pairing import paired_differences, with_derived_metrics

log = logging.getLogger(__name__)


def format_table(
    table: pd.DataFrame,
    by: str,
    baseline: str,
    level: float,
    fmt: str,
    method: str = "t",
    catalog: Mapping[str, Metric] | None = None,
) -> str:
    """The comparison as text (aligned), ``markdown`` or ``csv``.

    Args:
        table: The output of ``paired_differences``.
        by: The column that names the groups.
        baseline: The baseline's name (heads its column of means).
        level: The intervals' confidence level.
        fmt: ``text``, ``markdown`` or ``csv``.
        method: How the intervals were computed, named in their column's header.
        catalog: Metric definitions (``analysis.load.load_metrics``) giving each
            outcome's label and unit; an outcome without one is shown by its name.

    Returns:
        The table, ending with a newline; text and markdown end with each outcome's
        unit, csv holds the numbers of ``table`` only.
    """
    if fmt == "csv":
        return str(table.to_csv(index=False))
    metrics = with_derived_metrics(catalog)
    pct = f"{100 * level:g}% CI ({method})"
    shown = pd.DataFrame(
        {
            by: table[by],
            "outcome": table["metric"].map(lambda m: describe(metrics, m).label),
            "pairs": table["pairs"],
            f"{baseline} (mean)": table["baseline_mean"].map(number_text),
            "mean": table["mean"].map(number_text),
            "difference": table["difference"].map(number_text),
            pct: [
                f"{number_text(lo)} .. {number_text(hi)}"
                for lo, hi in zip(table["ci_low"], table["ci_high"], strict=True)
            ],
            "change": table["relative"].map(lambda r: "–" if r != r else f"{100 * r:+.1f}%"),
            "unit": table["metric"].map(lambda m: describe(metrics, m).unit),
        }
    )
    if fmt == "markdown":
        text = {by, "outcome", "unit"}
        head = "| " + " | ".join(shown.columns) + " |"
        rule = "|" + "|".join("---" if c in text else "---:" for c in shown.columns) + "|"
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
        catalog = load_metrics(args.paths, SUMMARY) if args.format != "csv" else None
    except (NotARunError, ValueError) as exc:
        log.error("bad input: %s", exc)
        return EXIT_BAD_INPUT
    text = format_table(
        table, args.by, args.baseline, args.level, args.format, args.ci, catalog=catalog
    )
    sys.stdout.write(text)
    return 0

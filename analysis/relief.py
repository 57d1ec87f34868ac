"""Cost-effectiveness of relief: firms saved per million CNY against a paired baseline."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd


def firms_saved_per_million_cny(summary: Mapping[str, Any], baseline: Mapping[str, Any]) -> float:
    """Firms saved per million CNY of fiscal cost, against the same seed without relief.

    Args:
        summary: A run's ``summary.json`` (as a dict).
        baseline: The ``summary.json`` of the paired run without the relief (same seed).

    Returns:
        ``(failed in baseline - failed in run) / (fiscal cost / 1e6)``; NaN if the run
        cost nothing.

    Raises:
        ValueError: If the two runs do not share a seed and size.
    """
    for key in ("seed", "residents"):
        if summary[key] != baseline[key]:
            raise ValueError(f"paired runs must share {key}: {summary[key]!r} vs {baseline[key]!r}")
    cost = float(summary["fiscal_cost_cny"])
    if cost <= 0:
        return math.nan
    return (baseline["firms_failed"] - summary["firms_failed"]) / (cost / 1e6)


def paired_relief(summaries: pd.DataFrame, baseline: str = "no_relief") -> pd.DataFrame:
    """Firms saved and fiscal cost of each scenario against the baseline, seed by seed.

    Args:
        summaries: One row per run with columns ``scenario``, ``seed``,
            ``firms_failed``, ``fiscal_cost_cny`` (e.g. from the runs' summary.json).
        baseline: The scenario without relief.

    Returns:
        One row per other scenario: ``seeds``, ``firms_saved`` (mean of the paired
        differences), ``firms_saved_ci95`` (half-width, 1.96 sd / sqrt(n)),
        ``fiscal_cost_cny`` (mean) and ``firms_saved_per_million_cny`` (mean saved /
        mean cost in millions).

    Raises:
        ValueError: If the baseline is missing, or a scenario has no paired seed.
    """
    need = {"scenario", "seed", "firms_failed", "fiscal_cost_cny"}
    missing = need - set(summaries.columns)
    if missing:
        raise ValueError(f"summaries lack columns {sorted(missing)}")
    base = summaries[summaries["scenario"] == baseline].set_index("seed")["firms_failed"]
    if base.empty:
        raise ValueError(f"no run of the baseline scenario {baseline!r}")
    rows = []
    for name, g in summaries[summaries["scenario"] != baseline].groupby("scenario"):
        g = g.set_index("seed")
        seeds = g.index.intersection(base.index)
        if seeds.empty:
            raise ValueError(f"scenario {name!r} has no seed in common with {baseline!r}")
        saved = (base.loc[seeds] - g.loc[seeds, "firms_failed"]).to_numpy(dtype=float)
        cost = float(g.loc[seeds, "fiscal_cost_cny"].mean())
        half = 1.96 * saved.std(ddof=1) / np.sqrt(saved.size) if saved.size > 1 else math.nan
        rows.append(
            {
                "scenario": name,
                "seeds": int(saved.size),
                "firms_saved": float(saved.mean()),
                "firms_saved_ci95": float(half),
                "fiscal_cost_cny": cost,
                "firms_saved_per_million_cny": (
                    float(saved.mean()) / (cost / 1e6) if cost > 0 else math.nan
                ),
            }
        )
    return pd.DataFrame(rows)

"""Excel export: a run or a sweep as one workbook (summary, timeseries, comparison, metrics)."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from analysis.command import file_command
from analysis.load import describe, load_metrics, load_runs, load_summaries
from analysis.pairing import group_column, paired_differences

log = logging.getLogger(__name__)

EXCEL_MAX_ROWS = 1_048_575  # rows below the header on one sheet
# columns of the timeseries sheet that name the run (the rest are the run's metrics)
RUN_COLUMNS = ("run", "scenario", "seed")


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame Excel can hold: no time zones, lists or dicts as text, no Arrow strings."""
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            out[col] = s.dt.tz_localize(None)
        elif s.dtype == object or isinstance(s.dtype, pd.StringDtype):
            out[col] = s.map(lambda v: str(v) if isinstance(v, list | dict | tuple) else v)
            out[col] = out[col].astype(object)
    return out


def sheets(
    paths: Sequence[str | Path], baseline: str | None = None, by: str = "scenario"
) -> dict[str, pd.DataFrame]:
    """The workbook's sheets for runs or sweeps.

    - ``summary``: one row per run (``load_summaries``);
    - ``timeseries``: one row per run and day, the run named in the first columns;
    - ``comparison``: each group minus the baseline, seed by seed, with 95% intervals
      (``paired_differences``), when the runs hold more than one group;
    - ``metrics``: the name, unit, label and description of every column (``metrics.json``).

    Args:
        paths: Run or sweep directories.
        baseline: The group to compare against (default: ``huaian_2020`` when present,
            else the first group).
        by: The column naming the groups.

    Raises:
        NotARunError: A path that holds no finished run.
        ValueError: The timeseries would not fit on one sheet; a baseline not among
            the groups.
    """
    summary = load_summaries(paths)
    runs = load_runs(paths)
    if len(runs) > EXCEL_MAX_ROWS:
        raise ValueError(
            f"{len(runs)} rows of timeseries do not fit on one Excel sheet "
            f"({EXCEL_MAX_ROWS}); export fewer runs"
        )
    meta = [
        c for c in runs.columns if c in ("source", "job") or c.startswith(("override.", "config."))
    ]
    ts = runs.drop(columns=meta)
    out = {"summary": summary, "timeseries": ts}
    column = group_column(summary, by)
    groups = list(dict.fromkeys(summary[column].astype(str)))
    if len(groups) > 1:
        base = baseline or ("huaian_2020" if "huaian_2020" in groups else groups[0])
        if base not in groups:
            raise ValueError(f"--baseline {base!r} is not a group; groups: {groups}")
        out["comparison"] = paired_differences(summary, base, by)
    catalog = load_metrics(paths)
    names = [c for c in ts.columns if c not in RUN_COLUMNS and c not in ("day", "date")]
    names += [c for c in summary.columns if c not in names]
    rows = [describe(catalog, n) for n in names if n in catalog]
    out["metrics"] = pd.DataFrame(
        [(m.name, m.unit, m.label, m.description) for m in rows],
        columns=["name", "unit", "label", "description"],
    )
    return out


def write_workbook(
    paths: Sequence[str | Path],
    out: str | Path | None = None,
    baseline: str | None = None,
    by: str = "scenario",
) -> Path:
    """Write runs or sweeps as one ``.xlsx`` workbook; nothing is written on bad input.

    Args:
        paths: Run or sweep directories.
        out: The workbook (default: ``export.xlsx`` in the first directory).
        baseline: The group to compare against (``sheets``).
        by: The column naming the groups.

    Returns:
        The workbook's path.
    """
    target = Path(out) if out is not None else Path(paths[0]) / "export.xlsx"
    if target.suffix.lower() != ".xlsx":
        raise ValueError(f"--out must name an .xlsx file, got {str(target)!r}")
    books = sheets(paths, baseline, by)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp.xlsx")
    try:
        with pd.ExcelWriter(tmp, engine="openpyxl") as xl:
            for name, frame in books.items():
                _plain(frame).to_excel(xl, sheet_name=name, index=False)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def main(argv: Sequence[str] | None = None) -> int:
    """``gridgov export RUN_OR_SWEEP_DIR [...] [--out FILE.xlsx] [--baseline NAME]``.

    Returns:
        The exit code: 0 (the workbook's path on stdout), or 2 on bad input (message
        logged, nothing written).
    """
    return file_command(
        "gridgov export",
        "Write runs or sweeps as one Excel workbook: summary, timeseries, "
        "comparison with the baseline, and what every column means.",
        "the workbook (default: export.xlsx in the first directory)",
        write_workbook,
        argv,
    )

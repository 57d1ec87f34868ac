"""Reading run and sweep directories' summaries into one tidy frame (one row per run)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

log = logging.getLogger(__name__)

FORMAT_VERSIONS = (1, 2)  # run-directory formats this version of analysis reads
SWEEP_SUMMARY = "summary.parquet"


class NotARunError(ValueError):
    """A path that holds no gridgov run or sweep, or one in an unknown format."""


def _check_version(frame: pd.DataFrame, where: Path) -> None:
    if "format_version" not in frame.columns:
        raise NotARunError(f"{where}: no format_version: not a gridgov run or sweep directory")
    if frame["format_version"].isna().any():
        raise NotARunError(f"{where}: a summary without format_version: not a gridgov run")
    versions = set(frame["format_version"].astype(int))
    unknown = versions - set(FORMAT_VERSIONS)
    if unknown:
        raise NotARunError(
            f"{where}: run format version(s) {sorted(unknown)}; this gridgov reads "
            f"{list(FORMAT_VERSIONS)}"
        )


def _read_run(run_dir: Path, root: Path) -> dict:
    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    overrides = [str(o) for o in summary.pop("overrides", [])]
    row = {"job": run_dir.relative_to(root).as_posix() or ".", "status": "done"}
    row["overrides"] = " ".join(overrides)
    for item in overrides:
        key, sep, value = item.partition("=")
        if sep:
            row[f"override.{key.lstrip('+~')}"] = value
    flat = pd.json_normalize(summary, sep=".").iloc[0].to_dict()
    return {**row, **flat}


def _load_one(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise NotARunError(f"{path} does not exist")
    if path.is_file() and path.name == SWEEP_SUMMARY:
        path = path.parent
    if (path / SWEEP_SUMMARY).is_file():
        frame = pd.read_parquet(path / SWEEP_SUMMARY)
        if "status" not in frame.columns:
            raise NotARunError(f"{path / SWEEP_SUMMARY} is not a gridgov sweep summary")
        done = frame[frame["status"] == "done"]
        if len(done) < len(frame):
            log.warning(
                "%s: %d of %d jobs not finished or failed", path, len(frame) - len(done), len(frame)
            )
        frame = done.reset_index(drop=True)
    elif (path / "summary.json").is_file():
        frame = pd.DataFrame([_read_run(path, path)])
    else:
        runs = sorted(p.parent for p in path.rglob("summary.json"))
        unfinished = [
            p.parent
            for p in path.rglob("timeseries.parquet")
            if not (p.parent / "summary.json").exists()
        ]
        if unfinished:
            log.warning(
                "%s: %d unfinished run(s) without summary.json skipped", path, len(unfinished)
            )
        if not runs:
            raise NotARunError(
                f"{path} holds no finished gridgov run (no summary.json, no {SWEEP_SUMMARY})"
            )
        frame = pd.DataFrame([_read_run(r, path) for r in runs])
    if frame.empty:
        raise NotARunError(f"{path} holds no finished run")
    _check_version(frame, path)
    frame.insert(0, "source", str(path))
    frame.insert(0, "run", [run_id(path, str(j)) for j in frame["job"]])
    return frame


def run_id(source: Path, job: str) -> str:
    """A run's name across loaded paths: its directory (``source/job``)."""
    return str(source) if job in ("", ".") else f"{source}/{job}"


def _flat_yaml(path: Path, prefix: str) -> dict:
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    flat = pd.json_normalize(data, sep=".").iloc[0].to_dict() if data else {}
    return {f"{prefix}{k}": v for k, v in flat.items() if not isinstance(v, list)}


def load_runs(paths: str | Path | Iterable[str | Path]) -> pd.DataFrame:
    """One row per run and day, from run directories, sweep directories or many.

    Each finished run's ``timeseries.parquet`` with, on every row, the run's name
    (``run``), its ``source`` and ``job``, ``scenario`` and ``seed``, its overrides
    (``override.KEY``) and its configuration flattened with dots under ``config.``
    (``config.population.residents``; list values left out).

    Args:
        paths: A run or sweep directory, or several.

    Returns:
        The frame, ordered by run and day.

    Raises:
        NotARunError: As ``load_summaries``, or a finished run without its timeseries.
    """
    runs = load_summaries(paths)
    frames = []
    keep = ["run", "source", "job", "scenario", "seed"]
    keep += [c for c in runs.columns if c.startswith("override.")]
    for row in runs[keep].itertuples(index=False):
        folder = Path(str(row.run))
        ts_path = folder / "timeseries.parquet"
        if not ts_path.is_file():
            raise NotARunError(f"{folder}: summary.json without timeseries.parquet")
        ts = pd.read_parquet(ts_path)
        meta = dict(zip(keep, row, strict=True))
        config = (
            _flat_yaml(folder / "config.yaml", "config.")
            if (folder / "config.yaml").is_file()
            else {}
        )
        extra = pd.DataFrame({k: [v] * len(ts) for k, v in {**meta, **config}.items()})
        frames.append(pd.concat([extra, ts.reset_index(drop=True)], axis=1))
    return pd.concat(frames, ignore_index=True)


def load_summaries(paths: str | Path | Iterable[str | Path]) -> pd.DataFrame:
    """One row per finished run, from run directories, sweep directories or many.

    A sweep directory is read from its ``summary.parquet``; any other directory from
    the ``summary.json`` of the runs in and below it. Nested summary fields are
    flattened with dots (``calibration.beta``); overrides get ``override.KEY`` columns.

    Args:
        paths: A run or sweep directory, or several.

    Returns:
        The frame, with a ``source`` column naming the directory each row came from.

    Raises:
        NotARunError: A path that does not exist, holds no finished run, or holds runs
            of a format version this code does not read.
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    frames = [_load_one(Path(p)) for p in paths]
    if not frames:
        raise NotARunError("no path given")
    return pd.concat(frames, ignore_index=True)

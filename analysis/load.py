"""Reading run and sweep directories: summaries, timeseries and the metrics' definitions."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

log = logging.getLogger(__name__)

FORMAT_VERSIONS = (1, 2)  # run-directory formats this version of analysis reads
SWEEP_SUMMARY = "summary.parquet"
METRICS_FILE = "metrics.json"  # the metrics' definitions, written by sim into each run
METRICS_FORMAT_VERSIONS = (1,)  # metrics.json formats this version of analysis reads
# Sections of metrics.json: columns of timeseries.parquet, numeric fields of summary.json.
TIMESERIES, SUMMARY = "timeseries", "summary"
METRIC_SECTIONS = (TIMESERIES, SUMMARY)


class NotARunError(ValueError):
    """A path that holds no gridgov run or sweep, or one in an unknown format."""


@dataclass(frozen=True)
class Metric:
    """What a metric of a run is, as ``metrics.json`` defines it.

    Attributes:
        name: The timeseries column or summary field (nested fields flattened with
            dots: ``staff_hours_by_task.screening``).
        unit: Its unit (``persons``, ``CNY``, ``share of firms``, ...); empty if unknown.
        label: A short name for tables, axes and legends (``infections``).
        description: What it counts, in a sentence.
    """

    name: str
    unit: str
    label: str
    description: str


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


# ---------------------------------------------------------------------------- metrics


def describe(catalog: Mapping[str, Metric] | None, name: str) -> Metric:
    """A metric's definition; one labelled by its name, without unit, when it has none.

    Args:
        catalog: Metric definitions by name (``load_metrics``), or None.
        name: The timeseries column or summary field.

    Returns:
        ``catalog[name]``, else ``Metric(name, "", name, "")``.
    """
    known = (catalog or {}).get(name)
    return known if known is not None else Metric(name=name, unit="", label=name, description="")


def _first_run(path: Path) -> Path | None:
    """The first run directory in a sweep or a folder of runs (None if it holds none)."""
    if (path / SWEEP_SUMMARY).is_file():
        try:
            jobs = pd.read_parquet(path / SWEEP_SUMMARY, columns=["job", "status"])
        except (KeyError, ValueError, OSError):  # not a sweep summary: look for runs below
            jobs = pd.DataFrame(columns=["job", "status"])
        for job in jobs.loc[jobs["status"] == "done", "job"]:
            if (path / str(job) / "summary.json").is_file():
                return path / str(job)
    runs = sorted(p.parent for p in path.rglob("summary.json"))
    return runs[0] if runs else None


def _metrics_file(path: Path) -> Path | None:
    """The ``metrics.json`` that describes a run, sweep or folder of runs (None if absent)."""
    if not path.exists():
        raise NotARunError(f"{path} does not exist")
    if path.is_file() and path.name == SWEEP_SUMMARY:
        path = path.parent
    if (path / METRICS_FILE).is_file():
        return path / METRICS_FILE
    run = path if (path / "summary.json").is_file() else _first_run(path)
    if run is None or not (run / METRICS_FILE).is_file():
        return None
    return run / METRICS_FILE


def _metric(entry: object, where: str) -> Metric:
    fields = ("name", "unit", "label", "description")
    if not isinstance(entry, Mapping) or not all(isinstance(entry.get(f), str) for f in fields):
        raise NotARunError(f"{where} needs {', '.join(fields)}, each as text")
    return Metric(**{f: str(entry[f]) for f in fields})


def _read_metrics(file: Path) -> dict[str, dict[str, Metric]]:
    """The definitions of each section of a ``metrics.json``, by name."""
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NotARunError(f"{file}: not a readable metrics file ({exc})") from None
    version = data.get("format_version") if isinstance(data, Mapping) else None
    if version not in METRICS_FORMAT_VERSIONS:
        raise NotARunError(
            f"{file}: metrics format version {version!r}; this gridgov reads "
            f"{list(METRICS_FORMAT_VERSIONS)}"
        )
    sections: dict[str, dict[str, Metric]] = {}
    for section in METRIC_SECTIONS:
        entries = data.get(section)
        if not isinstance(entries, list):
            raise NotARunError(f"{file}: no {section!r} list of metrics")
        defined: dict[str, Metric] = {}
        for i, entry in enumerate(entries):
            metric = _metric(entry, f"{file}: {section}[{i}]")
            if metric.name in defined:
                raise NotARunError(f"{file}: {section} defines {metric.name!r} twice")
            defined[metric.name] = metric
        sections[section] = defined
    return sections


def load_metric_sections(
    paths: str | Path | Iterable[str | Path],
) -> dict[str, dict[str, Metric]]:
    """The metrics' definitions of run directories, each section on its own.

    A run directory's ``metrics.json`` is read; a sweep or a folder of runs is described
    by the ``metrics.json`` of its first run directory. Several paths are merged, the
    first path's definition of a name kept. A path without ``metrics.json`` (written by
    an older gridgov) adds nothing, and one warning names every such path: its metrics
    are then labelled by their names (``describe``).

    Args:
        paths: A run or sweep directory, or several (as ``load_summaries``).

    Returns:
        ``{"timeseries": {name: Metric}, "summary": {name: Metric}}``: the columns of
        ``timeseries.parquet`` and the numeric fields of ``summary.json`` (nested
        fields flattened with dots).

    Raises:
        NotARunError: A path that does not exist, or a ``metrics.json`` that is not
            one (unknown format version, a section or a field missing).
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    sections: dict[str, dict[str, Metric]] = {s: {} for s in METRIC_SECTIONS}
    missing = []
    for path in (Path(p) for p in paths):
        file = _metrics_file(path)
        if file is None:
            missing.append(str(path))
            continue
        for section, defined in _read_metrics(file).items():
            sections[section] = {**defined, **sections[section]}
    if missing:
        log.warning(
            "no %s in %s (runs of an older gridgov): metrics are labelled by their names",
            METRICS_FILE,
            ", ".join(missing),
        )
    return sections


def load_metrics(
    paths: str | Path | Iterable[str | Path], section: str | None = None
) -> dict[str, Metric]:
    """The metrics' definitions of run directories, by name (``load_metric_sections``).

    Args:
        paths: A run or sweep directory, or several.
        section: ``timeseries`` or ``summary`` for that section alone; None merges
            both, a name defined in both taking its ``summary`` definition.

    Returns:
        ``{name: Metric}``; empty when no path has a ``metrics.json`` (a warning is
        logged): ``describe`` then labels each metric by its name.

    Raises:
        ValueError: An unknown section.
        NotARunError: As ``load_metric_sections``.
    """
    if section is not None and section not in METRIC_SECTIONS:
        raise ValueError(f"unknown metrics section {section!r}; allowed: {list(METRIC_SECTIONS)}")
    sections = load_metric_sections(paths)
    if section is not None:
        return sections[section]
    return {**sections[TIMESERIES], **sections[SUMMARY]}

"""A sweep directory: one run directory per job, failures recorded, one ``summary.parquet``."""

from __future__ import annotations

import dataclasses
import fcntl
import json
import logging
import os
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from sim.config import Config
from sim.errors import ConfigError
from sim.output import FORMAT_VERSION, code_version

log = logging.getLogger(__name__)

SUMMARY = "summary.parquet"
ERROR = "error.json"
LOCK = ".summary.lock"
PROGRESS = ".progress"  # one empty file per job finished in the current pass of the sweep
FIRST_COLUMNS = ("job", "status", "overrides")


def flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested mappings as one level, keys joined with dots (``calibration.beta``)."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, name + "."))
        else:
            out[name] = value
    return out


def override_columns(overrides: Sequence[str]) -> dict[str, str]:
    """One ``override.KEY`` column per ``KEY=VALUE`` override (``+``/``~`` dropped)."""
    cols = {}
    for item in overrides:
        key, sep, value = item.partition("=")
        if sep:
            cols[f"override.{key.lstrip('+~')}"] = value
    return cols


def _outcome_config(config: Any) -> Any:
    """A configuration as plain data without the keys that do not change the outputs."""
    if isinstance(config, dict) and isinstance(config.get("output"), dict):
        config = {
            **config,
            "output": {k: v for k, v in config["output"].items() if k != "progress"},
        }
    return config


def _plain_config(cfg: Config) -> Any:
    """The configuration as written to ``config.yaml`` and read back."""
    return yaml.safe_load(yaml.safe_dump(dataclasses.asdict(cfg), sort_keys=False))


def finished(run_dir: Path, cfg: Config) -> bool:
    """Whether ``run_dir`` holds a finished run of this configuration and code version.

    A finished run has ``summary.json`` (written last), of this format version, beside
    a ``config.yaml`` equal to ``cfg``; a run of another configuration or code version
    in the same place is not this job's and is run again.
    """
    summary_path = run_dir / "summary.json"
    if not summary_path.is_file():
        return False
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    config_path = run_dir / "config.yaml"
    if not config_path.is_file():
        return False
    written = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    same_config = _outcome_config(written) == _outcome_config(_plain_config(cfg))
    same_code = summary.get("code_version") == code_version()
    if not (same_config and same_code and summary.get("format_version") == FORMAT_VERSION):
        log.warning(
            "%s holds a finished run of another %s: running the job again",
            run_dir,
            "configuration" if not same_config else "code or format version",
        )
        return False
    return True


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def record_failure(run_dir: Path, overrides: Sequence[str], exc: BaseException) -> None:
    """Write ``error.json`` into a failed job's run directory (type, message, traceback)."""
    run_dir.mkdir(parents=True, exist_ok=True)
    record = {
        "format_version": FORMAT_VERSION,
        "status": "failed",
        "overrides": list(overrides),
        "error_type": type(exc).__name__,
        "error": str(exc),
        "bad_input": isinstance(exc, ConfigError),
        "traceback": "".join(traceback.format_exception(exc)),
        "code_version": code_version(),
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    _atomic_write(run_dir / ERROR, (json.dumps(record, indent=2) + "\n").encode())


def job_row(run_dir: Path, sweep_dir: Path) -> dict[str, Any] | None:
    """The ``summary.parquet`` row of one job, or None if it has not finished.

    A finished job's row holds its overrides and every summary field (nested ones
    flattened with dots); a failed job's row holds its overrides and its error.
    """
    job = run_dir.resolve().relative_to(sweep_dir.resolve()).as_posix()
    summary_path = run_dir / "summary.json"
    if summary_path.is_file():
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
        overrides = [str(o) for o in summary.pop("overrides", [])]
        status, error, error_type = "done", None, None
    elif (run_dir / ERROR).is_file():
        record = json.loads((run_dir / ERROR).read_text(encoding="utf-8"))
        overrides = [str(o) for o in record.get("overrides", [])]
        summary = {}
        status, error, error_type = "failed", str(record["error"]), str(record["error_type"])
    else:
        return None
    return {
        "job": job,
        "status": status,
        "overrides": " ".join(overrides),
        **override_columns(overrides),
        **flatten(summary),
        "error_type": error_type,
        "error": error,
    }


def run_dirs(sweep_dir: Path) -> Iterator[Path]:
    """Every job directory of a sweep that has finished or failed (hidden folders skipped)."""
    seen = set()
    for name in ("summary.json", ERROR):
        for path in sorted(sweep_dir.rglob(name)):
            rel = path.parent.relative_to(sweep_dir)
            if path.parent == sweep_dir or any(p.startswith(".") for p in rel.parts):
                continue
            if path.parent not in seen:
                seen.add(path.parent)
                yield path.parent


def _job_key(job: str) -> tuple[int, str]:
    """Sort jobs numerically where their directories are job numbers."""
    return (int(job), job) if job.isdigit() else (1 << 62, job)


def _kind(value: Any) -> str | None:
    """The kind of a summary value (None when missing), numpy scalars as Python's."""
    if (
        value is None
        or value is pd.NA
        or (isinstance(value, float | np.floating) and value != value)
    ):
        return None
    if isinstance(value, bool | np.bool_):
        return "bool"
    if isinstance(value, int | np.integer):
        return "int"
    if isinstance(value, float | np.floating):
        return "float"
    return "text"


def _column(values: list[Any]) -> pd.Series:
    """One column: whole numbers stay whole with gaps, mixed types become text."""
    kinds = {_kind(v) for v in values} - {None}
    if kinds == {"int"}:
        return pd.Series([None if _kind(v) is None else int(v) for v in values], dtype="Int64")
    if kinds == {"float"} or kinds == {"int", "float"}:
        return pd.Series([np.nan if _kind(v) is None else float(v) for v in values])
    if len(kinds) > 1:
        return pd.Series([None if _kind(v) is None else str(v) for v in values], dtype=object)
    return pd.Series([None if _kind(v) is None else v for v in values], dtype=object)


def tidy(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows as one frame, sorted by job, one column per field in order of appearance."""
    if not rows:
        return pd.DataFrame(columns=[*FIRST_COLUMNS, "error_type", "error"])
    rows = sorted(rows, key=lambda r: _job_key(str(r["job"])))
    columns = list(dict.fromkeys(k for r in rows for k in r))
    return pd.DataFrame({c: _column([r.get(c) for r in rows]) for c in columns})


@contextmanager
def _locked(sweep_dir: Path) -> Iterator[None]:
    """Hold the sweep's lock (jobs finishing at once take turns writing the summary)."""
    sweep_dir.mkdir(parents=True, exist_ok=True)
    with open(sweep_dir / LOCK, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_summary(sweep_dir: Path, frame: pd.DataFrame) -> None:
    tmp = sweep_dir / f"{SUMMARY}.{os.getpid()}.tmp"
    frame.to_parquet(tmp, index=False)
    os.replace(tmp, sweep_dir / SUMMARY)


def update_summary(sweep_dir: Path, run_dir: Path) -> None:
    """Put one job's row into the sweep's ``summary.parquet`` (replacing an older row)."""
    row = job_row(run_dir, sweep_dir)
    if row is None:
        return
    with _locked(sweep_dir):
        path = sweep_dir / SUMMARY
        old = pd.read_parquet(path).to_dict("records") if path.is_file() else []
        rows = [{str(k): v for k, v in r.items()} for r in old if r["job"] != row["job"]] + [row]
        _write_summary(sweep_dir, tidy(rows))


def rebuild_summary(sweep_dir: Path) -> pd.DataFrame:
    """Write ``summary.parquet`` anew from every job directory of the sweep and return it."""
    with _locked(sweep_dir):
        rows = [r for d in run_dirs(sweep_dir) if (r := job_row(d, sweep_dir)) is not None]
        frame = tidy(rows)
        _write_summary(sweep_dir, frame)
    return frame


def mark_progress(sweep_dir: Path, run_dir: Path) -> None:
    """Note that a job finished in this pass of the sweep (the progress bar counts these)."""
    folder = sweep_dir / PROGRESS
    folder.mkdir(exist_ok=True)
    name = run_dir.resolve().relative_to(sweep_dir.resolve()).as_posix().replace("/", "__") or "_"
    (folder / name).touch()


def jobs_finished(sweep_dir: Path) -> int:
    """How many jobs have finished (or failed) in this pass of the sweep."""
    folder = sweep_dir / PROGRESS
    return sum(1 for _ in folder.iterdir()) if folder.is_dir() else 0


def run_job(
    make_config: Callable[[], Config],
    run_dir: Path,
    sweep_dir: Path,
    overrides: Sequence[str],
) -> str:
    """Run one job of a sweep, unless it already finished; record it in the sweep's summary.

    A job whose run directory holds a finished run of the same configuration is
    skipped (resume). A job that fails is recorded in ``error.json`` with its error and
    logged; the sweep goes on with the others and reports the failures at its end.

    Args:
        make_config: Builds the job's typed configuration (raises ``ConfigError``).
        run_dir: The job's run directory.
        sweep_dir: The sweep directory (holds ``summary.parquet``).
        overrides: The job's command-line overrides, as Hydra gives them.

    Returns:
        ``done``, ``skipped`` or ``failed``.
    """
    from sim.runner import run

    run_dir, sweep_dir = run_dir.resolve(), sweep_dir.resolve()
    try:
        cfg = make_config()
        if finished(run_dir, cfg):
            log.info("%s: finished before, skipped", run_dir)
            status = "skipped"
        else:
            (run_dir / ERROR).unlink(missing_ok=True)
            run(cfg, run_dir, progress=False, overrides=overrides)
            status = "done"
    except Exception as exc:  # recorded in error.json; the sweep exits non-zero at its end
        log.error(
            "job %s (%s) failed: %s: %s",
            run_dir.name,
            " ".join(overrides),
            type(exc).__name__,
            exc,
            exc_info=not isinstance(exc, ConfigError),
        )
        # the directory is this failing job's now: a summary left by another run must go
        (run_dir / "summary.json").unlink(missing_ok=True)
        record_failure(run_dir, overrides, exc)
        status = "failed"
    update_summary(sweep_dir, run_dir)
    mark_progress(sweep_dir, run_dir)
    return status
